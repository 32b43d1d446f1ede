#!/usr/bin/env python3
"""Validate a SARIF log against the SARIF 2.1.0 JSON schema: validate-sarif.py SCHEMA LOG."""
import json
import sys

import jsonschema

schema_path, log_path = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
with open(log_path, encoding="utf-8") as f:
    log = json.load(f)
validator = jsonschema.Draft7Validator(schema)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
for e in errors[:20]:
    print(f"sarif: {'/'.join(map(str, e.path))}: {e.message}")
if errors:
    print(f"sarif: {log_path} is not valid SARIF 2.1.0 ({len(errors)} errors)")
    sys.exit(1)
results = sum(len(r.get("results", [])) for r in log["runs"])
print(f"sarif: {log_path} is valid SARIF 2.1.0 ({results} results)")
