#!/usr/bin/env python3
"""catalog-diff.py MODEL PG: compare supaudit's model (`supaudit catalog`) with
PostgreSQL's catalog (scripts/catalog.sql). Index predicates are compared
loosely (case, parentheses, casts, spacing and the text of string constants
ignored: PostgreSQL prints `(deleted_at IS NULL)` for `deleted_at is null`, and
`'2024-01-01 00:00:00+00'::timestamp with time zone` for `'2024-01-01'::timestamptz`). Prints a unified diff and
exits 1 when they differ."""
import difflib
import re
import sys


MULTIWORD_TYPES = r"(timestamp|time)( ?\(\d+\))? with(out)? time zone|character varying|double precision|bit varying"


def norm_predicate(p):
    p = p.lower()
    # PostgreSQL prints constants in their canonical form ('2024-01-01' becomes
    # '2024-01-01 00:00:00+00'): compare the shape, not the literal's text.
    p = re.sub(r"'(?:[^']|'')*'", "?", p)
    p = re.sub(r"::(" + MULTIWORD_TYPES + r")(\[\])?", "", p)  # casts to multi-word types
    p = re.sub(r"::[a-z_]+(\[\])?", "", p)  # other casts
    p = p.replace("(", " ").replace(")", " ")
    p = re.sub(r"\s+", " ", p).strip()
    return p


def norm(line):
    if line.startswith("index ") and " where " in line:
        head, pred = line.split(" where ", 1)
        return head + " where " + norm_predicate(pred)
    return line


def read(path):
    with open(path, encoding="utf-8") as f:
        return sorted({norm(l.rstrip("\n")) for l in f if l.strip()})


model, pg = read(sys.argv[1]), read(sys.argv[2])
if model == pg:
    sys.exit(0)
for l in difflib.unified_diff(model, pg, "supaudit model", "PostgreSQL catalog", lineterm="", n=1):
    print(l)
sys.exit(1)
