#!/usr/bin/env bash
# End-to-end test of `supaudit lsp` with a real client: Debian's Neovim (0.7), headless.
# Installs neovim when missing; prints one "nvim lsp: ok" or "nvim lsp: FAIL" line at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
if ! command -v nvim >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -q neovim >/dev/null
fi
cargo build -q --locked -p supaudit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/studio "$work/studio"
file="$work/studio/supabase/migrations/20260126000000_core_infrastructure.sql"
set +e
SUPAUDIT_BIN="$root/target/debug/supaudit" SUPAUDIT_ROOT="$work/studio" \
  timeout 120 nvim --headless -u NONE -i NONE -n "$file" -c "luafile $root/scripts/nvim-lsp-test.lua" \
  </dev/null >"$work/out.txt" 2>"$work/err.txt"
status=$?
set -e
cat "$work/out.txt"
if [ "$status" = 0 ] && ! grep -q '^FAIL' "$work/out.txt" && grep -q '^ok server exited with 0' "$work/out.txt"; then
  echo "nvim lsp: ok"
else
  echo "--- nvim stderr:"; cat "$work/err.txt"
  echo "nvim lsp: FAIL (exit $status)"
  exit 1
fi
