#!/usr/bin/env bash
# `supaudit gen types` output compiles: for every example project, generate
# database.types.ts and type-check it with `tsc --noEmit --strict` together
# with a usage.ts that uses it the way supabase-js does (a generic `from()`
# over the table names, Tables<> / TablesInsert<> / TablesUpdate<> for each
# table and view, Enums<> and Constants for each enum, CompositeTypes<> for
# each composite type). Prints one `ok <example>` line per example; exits
# non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
bin="${SUPAUDIT_BIN:-$root/target/debug/supaudit}"
tsc="$root/node_modules/.bin/tsc"
if [ ! -x "$tsc" ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
[ -x "$bin" ] || cargo build -q -p supaudit
work="${SUPAUDIT_TSC_OUT:-$root/target/gen-types-tsc}"
rm -rf "$work"
mkdir -p "$work"

# The keys of an object at `indent` spaces inside `public: { <section>: {`.
names() {
  awk -v section="    $2: {" '
    $0 == "  public: {" { in_public = 1; next }
    in_public && $0 == section { in_section = 1; next }
    in_section && $0 == "    }" { exit }
    in_section && match($0, /^      [^ [][^:]*:/) {
      key = substr($0, 7, RLENGTH - 7)
      gsub(/"/, "", key)
      print key
    }
  ' "$1"
}

for example in examples/*/; do
  name=$(basename "$example")
  dir="$work/$name"
  mkdir -p "$dir"
  "$bin" gen types "$example" -o "$dir/database.types.ts"
  {
    cat <<'TS'
import type {
  CompositeTypes,
  Database,
  Enums,
  Json,
  Tables,
  TablesInsert,
  TablesUpdate,
} from "./database.types"
import { Constants } from "./database.types"

type Schema = Database["public"]
type Relations = Schema["Tables"] & Schema["Views"]

// A mini supabase-js: from(table) is typed by the table's name.
declare function from<T extends keyof Relations>(
  table: T,
): {
  select(): Promise<{ data: Relations[T]["Row"][] | null }>
}
declare function insert<T extends keyof Schema["Tables"]>(
  table: T,
  row: Schema["Tables"][T]["Insert"],
): Promise<void>
declare function rpc<F extends keyof Schema["Functions"]>(
  fn: F,
): Schema["Functions"][F] extends { Returns: infer R } ? R : never

// Keys an object must have.
type RequiredKeys<T> = {
  [K in keyof T]-?: {} extends Pick<T, K> ? never : K
}[keyof T]
type Assert<T extends true> = T

const json: Json = { a: [1, "b", null, { c: true }] }
void json
void Constants
void rpc
TS
    i=0
    for t in $(names "$dir/database.types.ts" Tables); do
      i=$((i + 1))
      cat <<TS
// table $t
export async function table$i() {
  const { data } = await from("$t").select()
  const row: Tables<"$t"> | undefined = data?.[0]
  const patch: TablesUpdate<"$t"> = {}
  type _insertKeys = Assert<
    RequiredKeys<TablesInsert<"$t">> extends keyof Tables<"$t"> ? true : false
  >
  await insert("$t", {} as TablesInsert<"$t">)
  return [row, patch]
}
TS
    done
    for v in $(names "$dir/database.types.ts" Views); do
      i=$((i + 1))
      cat <<TS
// view $v
export async function view$i() {
  const { data } = await from("$v").select()
  const row: Tables<"$v"> | undefined = data?.[0]
  return row
}
TS
    done
    for e in $(names "$dir/database.types.ts" Enums); do
      i=$((i + 1))
      cat <<TS
// enum $e
export const enum$i: Enums<"$e"> = Constants.public.Enums["$e"][0]
export const enumAll$i: readonly Enums<"$e">[] = Constants.public.Enums["$e"]
TS
    done
    for c in $(names "$dir/database.types.ts" CompositeTypes); do
      i=$((i + 1))
      cat <<TS
// composite type $c: every attribute may be null
export const composite$i: CompositeTypes<"$c"> = {} as CompositeTypes<"$c">
type _compositeNullable$i = Assert<
  null extends CompositeTypes<"$c">[keyof CompositeTypes<"$c">] ? true : false
>
TS
    done
  } > "$dir/usage.ts"
  if ! (cd "$dir" && "$tsc" --noEmit --strict --target es2022 --module esnext \
    --moduleResolution bundler --skipLibCheck database.types.ts usage.ts); then
    echo "FAIL $name: tsc rejected $dir/database.types.ts with $dir/usage.ts" >&2
    exit 1
  fi
  echo "ok $name ($i tables, views, enums and composite types used)"
done
