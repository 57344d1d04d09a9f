#!/usr/bin/env python3
"""Keeps schemas/instrumentation.schema.json and the C loader in agreement.

Usage: check_schema.py SCHEMA NRPROF CORPUS SHIPPED...

  CORPUS/good/*.yaml        the schema accepts them and `nrprof check` passes
  CORPUS/bad/*.yaml         the schema rejects them and `nrprof check` fails
  CORPUS/loader-bad/*.yaml  `nrprof check` fails (what only the loader can
                            know: duplicate names, unknown strategies,
                            missing includes, options nobody takes)
  SHIPPED                   the YAML files the bundle ships: valid, checked,
                            and carrying the yaml-language-server modeline
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema
import yaml

MODELINE = "# yaml-language-server: $schema="


def main() -> int:
    schema_path, nrprof, corpus, shipped = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    passed = failed = 0

    def check(ok: bool, what: str, detail: str = "") -> None:
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + what)
        if not ok and detail:
            print("     " + detail.strip().replace("\n", "\n     "))
        passed += ok
        failed += not ok

    def schema_errors(path: str) -> list:
        with open(path, encoding="utf-8") as f:
            return [e.message for e in validator.iter_errors(yaml.safe_load(f))]

    def loader(path: str) -> subprocess.CompletedProcess:
        return subprocess.run([nrprof, "check", path], capture_output=True, text=True, check=False)

    for path in sorted(glob.glob(os.path.join(corpus, "good", "*.yaml"))):
        errors, run = schema_errors(path), loader(path)
        check(not errors, f"schema accepts {path}", "; ".join(errors))
        check(run.returncode == 0, f"nrprof check accepts {path}", run.stderr)
    for path in sorted(glob.glob(os.path.join(corpus, "bad", "*.yaml"))):
        errors, run = schema_errors(path), loader(path)
        check(bool(errors), f"schema rejects {path}")
        check(run.returncode == 1 and ": error: " in run.stderr, f"nrprof check rejects {path}", run.stdout)
    for path in sorted(glob.glob(os.path.join(corpus, "loader-bad", "*.yaml"))):
        run = loader(path)
        check(run.returncode == 1 and ": error: " in run.stderr, f"nrprof check rejects {path}", run.stdout)
    for path in shipped:
        with open(path, encoding="utf-8") as f:
            first = f.readline()
        check(first.startswith(MODELINE), f"{path} starts with the yaml-language-server modeline")
        errors, run = schema_errors(path), loader(path)
        check(not errors, f"schema accepts {path}", "; ".join(errors))
        check(run.returncode == 0, f"nrprof check accepts {path}", run.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
