#!/usr/bin/env python3
"""Keeps schemas/instrumentation.schema.json honest: the shipped config and
every valid example validate, and configs the host rejects are rejected by
the schema too.

Usage: check_schema.py SCHEMA CONFIG..."""
import json
import sys

import jsonschema
import yaml

VALID = [
    "version: 1\nrules: []\n",
    "version: 1\nrules:\n  - name: a\n    match: { assembly: 'S*', type: 'S.?', method: '.ctor' }\n    strategy: timing\n",
]
INVALID = {
    "missing version": "rules: []\n",
    "version 2": "version: 2\nrules: []\n",
    "unknown top-level key": "version: 1\nrules: []\nextra: 1\n",
    "rule without strategy": "version: 1\nrules:\n  - name: a\n    match: { assembly: A, type: T, method: M }\n",
    "match without method": "version: 1\nrules:\n  - name: a\n    match: { assembly: A, type: T }\n    strategy: s\n",
    "unknown key in match": "version: 1\nrules:\n  - name: a\n    match: { assembly: A, type: T, method: M, x: 1 }\n    strategy: s\n",
    "empty name": "version: 1\nrules:\n  - name: ''\n    match: { assembly: A, type: T, method: M }\n    strategy: s\n",
}


def main() -> int:
    schema_path, configs = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in configs:
        with open(path, encoding="utf-8") as f:
            errors = list(validator.iter_errors(yaml.safe_load(f)))
        print(("ok  " if not errors else "FAIL") + f" {path} validates")
        failures += bool(errors)
        for e in errors:
            print(f"     {e.message}")
    for text in VALID:
        errors = list(validator.iter_errors(yaml.safe_load(text)))
        print(("ok  " if not errors else "FAIL") + f" valid example accepted: {text!r}")
        failures += bool(errors)
    for what, text in INVALID.items():
        accepted = validator.is_valid(yaml.safe_load(text))
        print(("FAIL" if accepted else "ok  ") + f" schema rejects: {what}")
        failures += accepted
    print(f"{len(configs) + len(VALID) + len(INVALID) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
