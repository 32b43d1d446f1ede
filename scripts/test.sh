#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this).
# Installs what is missing on a fresh machine: PostgreSQL 15 (Debian packages,
# by scripts/pg-run.sh), the jsonschema Python package and the SARIF 2.1.0
# schema (from the npm package @microsoft/jest-sarif) for output validation,
# Neovim (Debian package) for the language server test, the wasm toolchain
# (scripts/build-wasm.sh: wasm32 target, the pinned wasm-bindgen CLI), Chromium (Debian
# package) for the playground test, and the npm workspaces (`npm ci`, only when
# package-lock.json changed) for the node LSP client tests, the VS Code extension and
# the playground.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
work="$root/target/test-suite"
rm -rf "$work"
mkdir -p "$work"
log() { printf '\n== %s\n' "$*"; }

log "formatting and lints: cargo fmt --check, cargo clippy -D warnings"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -q -- -D warnings

log "cargo test (unit, rule fixtures with fix invariants, CLI end-to-end, docs freshness)"
SUPAUDIT_PG_DIR="$work/pg" SUPAUDIT_SARIF_OUT="$work/example.sarif" \
  cargo test --workspace --locked 2>&1 | tee "$work/cargo-test.log"
cargo_passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$work/cargo-test.log" | awk '{s+=$4} END {print s+0}')

log "language server with a real client: Neovim (headless) drives supaudit lsp"
bash scripts/nvim-lsp-test.sh | tee "$work/nvim-lsp.log"

log "npm workspaces: editors/vscode and tests/lsp-client (npm ci when package-lock.json changed)"
stamp="node_modules/.supaudit-lock-sha256"
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sha" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_sha" > "$stamp"
fi

log "wasm package and playground: npm run build (scripts/build-wasm.sh: wasm32 target, pinned wasm-bindgen CLI, wasm-opt; then vite → web/dist)"
npm run build
SUPAUDIT_BIN="$root/target/debug/supaudit" node --test crates/supaudit_wasm/tests/node.test.mjs 2>&1 | tee "$work/wasm-node.log"
wasm_passed=$(grep -Eo '^# pass [0-9]+' "$work/wasm-node.log" | awk '{print $3}')
grep -Eq '^# fail 0$' "$work/wasm-node.log"

log "playground in Chromium (Debian package, driven by playwright-core): web/tests/e2e.test.mjs"
if ! command -v chromium >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing chromium (apt-get install chromium)..." >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium >/dev/null
fi
SUPAUDIT_BIN="$root/target/debug/supaudit" SUPAUDIT_TEST_OUT="$work/playground" \
  npm test -w web 2>&1 | tee "$work/playground.log"
web_passed=$(grep -Eo '^# pass [0-9]+' "$work/playground.log" | awk '{print $3}')
grep -Eq '^# fail 0$' "$work/playground.log"
ls "$work/playground/playground.png" >/dev/null

log "language server with a node client (vscode-languageserver-protocol): flow, client files, 10,000 random edits"
SUPAUDIT_BIN="$root/target/debug/supaudit" npm test -w tests/lsp-client 2>&1 | tee "$work/lsp-node.log"
node_passed=$(grep -Eo '^# pass [0-9]+' "$work/lsp-node.log" | awk '{print $3}')
grep -Eq '^# fail 0$' "$work/lsp-node.log"

log "VS Code extension: type check, unit tests, .vsix with the server bundled, .vsix contents and activation"
npm run check -w editors/vscode
npm test -w editors/vscode 2>&1 | tee "$work/vscode-unit.log"
vscode_passed=$(grep -Eo '^# pass [0-9]+' "$work/vscode-unit.log" | awk '{print $3}')
grep -Eq '^# fail 0$' "$work/vscode-unit.log"
SUPAUDIT_BIN="$root/target/debug/supaudit" npm run package -w editors/vscode
node editors/vscode/scripts/check-vsix.mjs | tee "$work/vsix.log"
vsix_passed=$(grep -Eo '^[0-9]+ passed, 0 failed' "$work/vsix.log" | awk '{print $1}')

log "supaudit gen types: each example's database.types.ts compiles with tsc --strict, used the way supabase-js uses it"
SUPAUDIT_BIN="$root/target/debug/supaudit" SUPAUDIT_TSC_OUT="$work/gen-types" \
  bash scripts/gen-types-tsc.sh | tee "$work/gen-types-tsc.log"
gentypes_passed=$(grep -c '^ok ' "$work/gen-types-tsc.log" || true)

log "example projects, and each example after every fix (--unsafe-fixes), on PostgreSQL"
pg_items=()
for example in examples/*/; do
  name=$(basename "$example")
  cp -r "$example" "$work/$name-fixed"
  ./target/debug/supaudit check "$work/$name-fixed" --unsafe-fixes --format json > /dev/null || true
  pg_items+=("$root/examples/$name" "$work/$name-fixed")
done
for d in "$work"/pg/*/; do pg_items+=("${d%/}"); done

log "fixtures, fixed fixtures, model histories and examples on a real PostgreSQL (${#pg_items[@]} items), each catalog compared with supaudit's model"
PG_RUN_COMPARE=1 SUPAUDIT_BIN="$root/target/debug/supaudit" \
  bash scripts/pg-run.sh "${pg_items[@]}" | tee "$work/pg.log"
pg_passed=$(grep -c '^ok ' "$work/pg.log" || true)
compared=$(grep -c '^ok .*(model = catalog)$' "$work/pg.log" || true)
echo "model = PostgreSQL catalog on $compared of $pg_passed items (the rest say why not)"

log "the model-vs-PostgreSQL comparison reports a difference (a model that is wrong on purpose)"
mkdir -p "$work/wrong-model"
echo 'create table public.t (id bigint primary key, note text);' > "$work/wrong-model/0000_init.sql"
printf '%s\n' 'column public.t.id bigint not null' 'column public.t.note integer' > "$work/wrong-model/catalog.txt"
if PG_RUN_COMPARE=1 bash scripts/pg-run.sh "$work/wrong-model" > "$work/wrong-model.log" 2>&1; then
  echo "the comparison did not fail on a wrong model"; cat "$work/wrong-model.log"; exit 1
fi
grep -q '^    -column public.t.note integer$' "$work/wrong-model.log"
grep -q '^    +column public.t.note text$' "$work/wrong-model.log"
echo "ok: the wrong column type is shown as a diff"

log "SARIF output against the SARIF 2.1.0 schema"
python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema
schema="$root/target/cache/sarif-2.1.0-rtm.5.json"
if [ ! -f "$schema" ]; then
  mkdir -p "$root/target/cache/npm"
  (cd "$root/target/cache/npm" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null \
    && tar -xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json \
    && cp package/lib/schemas/sarif-2.1.0-rtm.5.json "$schema")
fi
python3 scripts/validate-sarif.py "$schema" "$work/example.sarif"

echo
echo "total: $((cargo_passed + pg_passed + node_passed + vscode_passed + vsix_passed + gentypes_passed + wasm_passed + web_passed + 3)) passed, 0 failed"
