#!/usr/bin/env bash
# Builds the wasm package (crates/supaudit_wasm):
#   web/pkg/            wasm-bindgen --target web (for the playground; git-ignored)
#   target/wasm-node/   wasm-bindgen --target nodejs (for node tests and scripts)
# Both get the module optimized for speed by wasm-opt -O3 (as [profile.wasm] in Cargo.toml
# is opt-level 3) from the npm package `binaryen`
# (root devDependency; Debian's binaryen 108 writes modules that fail to load).
# Installs what is missing: the wasm32 target (rustup), the wasm-bindgen CLI at the
# version Cargo.lock pins (only when `wasm-bindgen --version` differs; ~8 minutes),
# and the npm devDependencies (npm ci) when node_modules has no wasm-opt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

rustup target add wasm32-unknown-unknown

# The wasm-bindgen CLI must equal the crate version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if [ -z "$want" ]; then
  echo "build-wasm: no wasm-bindgen in Cargo.lock" >&2
  exit 2
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "build-wasm: installing wasm-bindgen-cli $want (have: ${have:-none})" >&2
  # Without --locked: with it the install fails on a yanked dependency.
  cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -x node_modules/.bin/wasm-opt ]; then
  npm ci --no-audit --no-fund
fi

cargo build --locked --profile wasm --target wasm32-unknown-unknown -p supaudit_wasm
raw="target/wasm32-unknown-unknown/wasm/supaudit_wasm.wasm"

# The core needs 8 MiB of stack (.cargo/config.toml sets -zstack-size); check that the
# linker took it: the stack pointer starts at or above 8 MiB.
sp=$(node_modules/.bin/wasm-dis "$raw" | grep -m1 -Eo '\(global \$__stack_pointer \(mut i32\) \(i32.const [0-9]+\)\)' | grep -Eo '[0-9]+\)\)$' | tr -d ')' || true)
if [ -z "$sp" ] || [ "$sp" -lt 8388608 ]; then
  echo "build-wasm: the wasm stack is not 8 MiB (stack pointer starts at '${sp:-?}'); is RUSTFLAGS overriding .cargo/config.toml?" >&2
  exit 1
fi

bindgen() { # target out-dir
  rm -rf "$2"
  wasm-bindgen --target "$1" --out-dir "$2" "$raw"
  node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$2/supaudit_wasm_bg.wasm" -o "$2/supaudit_wasm_bg.wasm.opt"
  mv "$2/supaudit_wasm_bg.wasm.opt" "$2/supaudit_wasm_bg.wasm"
}
# wasm-opt -O3 takes a minute or two per module: both at once.
bindgen web web/pkg &
web=$!
bindgen nodejs target/wasm-node
wait "$web"

opt="web/pkg/supaudit_wasm_bg.wasm"
size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
echo "stack: $sp bytes below the data"
echo "wasm (cargo, before wasm-opt): $(size "$raw") bytes, gzip -9 $(gz "$raw")"
echo "wasm (wasm-opt -O3):           $(size "$opt") bytes, gzip -9 $(gz "$opt")"
# The size budget of the playground: 1.2 MB gzip (docs/benchmarks.md).
if [ "$(gz "$opt")" -gt 1200000 ]; then
  echo "build-wasm: $opt is $(gz "$opt") bytes gzip, over the 1.2 MB budget" >&2
  exit 1
fi
echo "web:  $root/web/pkg/supaudit_wasm.js"
echo "node: $root/target/wasm-node/supaudit_wasm.js"
