#!/usr/bin/env python3
"""Writes the seed corpus fuzz/seeds/<target>/ (docs/fuzzing.md).

    python3 fuzz/make_seeds.py

pipeline_bytes inputs: one flags byte (bit 0: lossy decoding, bit 1: every
rule on), then file contents separated by 0xFF, the n-th part going to
PATHS[n] of fuzz_targets/pipeline_bytes.rs (parts 10..15: more migrations).
Seeds: each example project, each rule fixture (fires*.txt), and edge cases.
structured_sql inputs are raw bytes for `arbitrary`: deterministic random
byte strings of a few sizes.
"""

import os
import random
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "seeds")

MIG, MIG2, CLIENT, CONFIG, ENV, SUPAUDIT, SEED, SCHEMA, TSX, TSCONFIG = range(10)
EXTRA = list(range(10, 16))

ALL_RULES = 2
LOSSY = 1


def encode(flags, parts):
    """parts: {slot: bytes}"""
    n = max(parts) + 1 if parts else 0
    out = bytes([flags])
    out += b"\xff".join(parts.get(i, b"") for i in range(n))
    assert all(b"\xff" not in p for p in parts.values())
    return out


def place(files):
    """files: [(path, bytes)] -> {slot: bytes}, in order (migrations by name)."""
    parts = {}
    migs = [MIG, MIG2] + EXTRA
    clients = [CLIENT, TSX]
    for path, data in sorted(files, key=lambda f: f[0]):
        data = data.replace(b"\xff", b"?")
        name = path.rsplit("/", 1)[-1]
        if "/migrations/" in path or path.startswith("migrations/"):
            slots = migs
        elif path.endswith("supabase/config.toml"):
            slots = [CONFIG]
        elif name.startswith(".env"):
            slots = [ENV]
        elif path == "supaudit.toml":
            slots = [SUPAUDIT]
        elif path.endswith("seed.sql"):
            slots = [SEED]
        elif "/schemas/" in path:
            slots = [SCHEMA]
        elif name in ("tsconfig.json", "jsconfig.json"):
            slots = [TSCONFIG]
        elif re.search(r"\.(tsx|jsx)$", name):
            slots = [TSX, CLIENT]
        elif re.search(r"\.(ts|js|mjs|cjs|mts|cts)$", name):
            slots = clients
        else:
            continue
        for s in slots:
            if s not in parts:
                parts[s] = data
                break
    return parts


def example_files(ex):
    base = os.path.join(ROOT, "examples", ex)
    out = []
    for dirpath, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if d != "node_modules"]
        for n in names:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            with open(full, "rb") as f:
                out.append((rel, f.read()))
    return out


def fixture_files(text):
    files = []
    current = ["supabase/migrations/20240101000000_fixture.sql", b""]
    for line in text.splitlines(keepends=True):
        t = line.rstrip()
        m = re.match(rb"^(?:-- |# )file:(.*)$", t)
        if m:
            if current[1].strip() or not current[0].endswith("_fixture.sql"):
                files.append(tuple(current))
            current = [m.group(1).strip().decode(), b""]
        elif t.startswith(b"-- pg: skip") or t.startswith(b"-- model: skip"):
            continue
        else:
            current[1] += line
    if current[1].strip() or not current[0].endswith("_fixture.sql"):
        files.append(tuple(current))
    return files


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    pb = os.path.join(OUT, "pipeline_bytes")
    ss = os.path.join(OUT, "structured_sql")
    os.makedirs(pb)
    os.makedirs(ss)

    def write(name, data):
        with open(os.path.join(pb, name), "wb") as f:
            f.write(data)

    # The example projects, whole (as far as the slots go), all rules on.
    for ex in sorted(os.listdir(os.path.join(ROOT, "examples"))):
        files = example_files(ex)
        write(f"example-{ex}", encode(ALL_RULES, place(files)))
        # Each client file alone with the first migration, default rules.
        migs = sorted(f for f in files if "/migrations/" in f[0])
        for path, data in files:
            if re.search(r"\.(ts|tsx)$", path) and b".from(" in data:
                parts = place([migs[0], (path, data)] if migs else [(path, data)])
                slug = re.sub(r"[^a-z0-9]+", "-", path.lower())
                write(f"example-{ex}-{slug}", encode(0, parts))

    # Rule fixtures: every rule's firing cases.
    fx = os.path.join(ROOT, "crates", "supaudit_core", "tests", "fixtures")
    for rule in sorted(os.listdir(fx)):
        for n in sorted(os.listdir(os.path.join(fx, rule))):
            if n.startswith("fires") and n.endswith(".txt"):
                with open(os.path.join(fx, rule, n), "rb") as f:
                    parts = place(fixture_files(f.read()))
                write(f"fixture-{rule}-{n[:-4]}", encode(ALL_RULES, parts))

    # Edge cases.
    tbl = b"create table public.t (id bigint primary key, user_id uuid references auth.users);\n"
    write("edge-deep-parens-sql", encode(ALL_RULES, {MIG: b"select " + b"(" * 3000 + b"1" + b")" * 3000 + b";\n"}))
    write("edge-deep-parens-policy", encode(ALL_RULES, {MIG: tbl + b"alter table public.t enable row level security;\ncreate policy p on public.t using (" + b"(" * 600 + b"user_id = auth.uid()" + b")" * 600 + b");\n"}))
    write("edge-unbalanced-parens", encode(ALL_RULES, {MIG: b"select " + b"(" * 3000 + b"1;\ncreate table public.x (id int);\n"}))
    write("edge-deep-ts", encode(ALL_RULES, {CLIENT: b"export const x = " + b"(" * 1100 + b"1" + b")" * 1100 + b";\n"}))
    write("edge-deep-ts-ok", encode(ALL_RULES, {CLIENT: b"export const x = " + b"[" * 900 + b"supabase.from('t').select('id')" + b"]" * 900 + b";\n"}))
    write("edge-deep-jsx", encode(ALL_RULES, {TSX: b"export const X = () => " + b"<a>" * 800 + b"</a>" * 800 + b";\n"}))
    write("edge-deep-plpgsql", encode(ALL_RULES, {MIG: b"do $$\nbegin\n" + b"if true then\n" * 300 + b"create table public.y (id int);\n" + b"end if;\n" * 300 + b"end\n$$;\n"}))
    write("edge-invalid-utf8-cli", encode(0, {MIG: b"-- caf\xe9\n" + tbl, MIG2: b"create table public.u (id int);\n"}))
    write("edge-invalid-utf8-lossy", encode(LOSSY | ALL_RULES, {MIG: b"-- caf\xe9 \xc3\x28 \xed\xa0\x80\n" + tbl + b"comment on table public.t is '\xf0\x9f\x92';\n", CLIENT: b"const s = '\xe2\x82';\nsupabase.from('t').select('id')\n"}))
    write("edge-nul-bytes-cli", encode(0, {MIG: b"\x00\x01\x02binary", MIG2: tbl}))
    write("edge-nul-bytes-lossy", encode(LOSSY | ALL_RULES, {MIG: tbl + b"select '\x00';\n\x00\x00create table public.z (\x00id int);\n", CLIENT: b"supabase.from('t\x00').select('\x00id')\n"}))
    write("edge-nul-after-8k", encode(0, {MIG: tbl + b"-- " + b"x" * 9000 + b"\n\x00select 1;\n"}))
    write("edge-png-as-sql", encode(0, {MIG: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82"}))
    write("edge-png-as-sql-lossy", encode(LOSSY, {MIG: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"}))
    write("edge-bom-crlf", encode(ALL_RULES, {MIG: b"\xef\xbb\xbf" + tbl.replace(b"\n", b"\r\n") + b"alter table public.t\r\n  enable row level security;\r\n"}))
    write("edge-half-typed", encode(ALL_RULES, {MIG: tbl + b"alter table public.t enable row level security;\ncreate policy p on public.t for select to authenticated using (\n", MIG2: b"create extension ", EXTRA[0]: b"create table public.u (\n  id bigint primary key,\n  name text references", EXTRA[1]: b"create function public.f() returns trigger language plpgsql security definer as $$\nbegin\n  insert into public.t", EXTRA[2]: b"grant select on ", EXTRA[3]: b"create index concurrently on public.t (", CLIENT: b"const { data } = await supabase.from('t').select('id, user_id').eq("}))
    # (An unterminated quoted identifier, `create table "weird (id int);`, is in
    # fuzz/known-failures/: its fixes add syntax errors, docs/fuzzing.md.)
    write("edge-unterminated", encode(ALL_RULES, {MIG: tbl + b"/* never closed\nselect 1;", MIG2: b"select 'never closed;\n", EXTRA[0]: b"do $$ begin\n", CLIENT: b"const s = `${supabase.from('t').select('id')"}))
    write("edge-suppressions", encode(ALL_RULES, {MIG: b"-- supaudit-ignore-file rls-disabled\n-- supaudit-ignore unknown-rule: why\n" + tbl + b"-- supaudit-ignore rls-disabled\n-- supaudit-ignore\n", CLIENT: b"// supaudit-ignore client-unknown-table: later\nsupabase.from('nope').select('*')\n", ENV: b"# supaudit-ignore\nSUPABASE_SERVICE_ROLE_KEY=sb_secret_0123456789abcdefghijklmnopqrstuv\n"}))
    write("edge-config", encode(ALL_RULES, {SUPAUDIT: b'exposed-schemas = ["public", "api"]\nexclude = ["supabase/migrations/2024010[", "**"]\n[rules]\nrls-disabled = "info"\nnope = "on"\n', CONFIG: b"[api]\nschemas = [\"public\", \"api\"\nextra_search_path = 3\n[auth\n", MIG: tbl}))
    write("edge-tsconfig", encode(ALL_RULES, {TSCONFIG: b'{\n  // comment\n  "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], "~/*": ["../*"] } },\n}\n', CLIENT: b"import { supabase } from '@/lib/client';\nimport x from '~/../../etc';\nexport const q = supabase.from('t').select('*');\n", MIG: tbl}))
    write("edge-multibyte", encode(ALL_RULES, {MIG: "create table public.\"tâble😀\" (\"colønne\" text check (\"colønne\" <> 'é'));\ncreate policy \"pølicy\" on public.\"tâble😀\" using (true);\n".encode(), CLIENT: "supabase.from('tâble😀').select('colønne, 😀')\n".encode()}))
    write("edge-empty-files", encode(ALL_RULES, {MIG: b"\n", MIG2: b";;;;", CLIENT: b" ", CONFIG: b"", ENV: b"="}))
    write("edge-jwt-env", encode(0, {ENV: b"NEXT_PUBLIC_SUPABASE_ANON_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl\n", CLIENT: b"const k = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl';\ncreateClient(url, k)\n"}))

    # Regressions (docs/fuzzing.md): fixes appended inside a statement cut short
    # by a syntax error were appended again every round.
    write("regression-half-typed-create-table-fix", encode(ALL_RULES, {MIG: b"create table public.w (id int\n"}))
    write("regression-cut-short-create-table-fix", encode(ALL_RULES, {MIG: b"create table public.z (# id int);\nselect 1;\n"}))

    rng = random.Random(6)
    for size in [16, 64, 128, 256, 512, 1024, 1024, 2048, 2048, 4096, 4096, 8192]:
        with open(os.path.join(ss, f"random-{size}-{rng.randrange(1 << 30):08x}"), "wb") as f:
            f.write(bytes(rng.randrange(256) for _ in range(size)))

    total = sum(os.path.getsize(os.path.join(d, n)) for d in (pb, ss) for n in os.listdir(d))
    print(f"{len(os.listdir(pb))} pipeline_bytes seeds, {len(os.listdir(ss))} structured_sql seeds, {total} bytes")


if __name__ == "__main__":
    main()
