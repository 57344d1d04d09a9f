#!/usr/bin/env bash
# Usage: check_nrprof.sh NRPROF FAKE_PLUGIN_DIR WORK_DIR
# nrprof check: exit codes, output, and plugin refusals reported as errors.
set -uo pipefail
nrprof=$1 fakes=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

"$nrprof" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 2 ]] && grep -q '^usage: nrprof COMMAND' "$work/err"; then pass "no command: usage, exit 2"
else fail "no command: exit $rc"; fi

cat >"$work/good.yaml" <<'YAML'
version: 1
rules:
  - name: add
    match: { assembly: Demo, type: Demo.Calculator, method: Add, static: false }
    strategy: timing
YAML
"$nrprof" check --explain "$work/good.yaml" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 0 ]] && [[ "$(head -1 "$work/out")" == "$work/good.yaml: ok: 1 rule(s), 1 enabled, from 1 file(s)" ]] &&
   grep -qx "add: timing priority=0 plugin=timing assembly=Demo type=Demo.Calculator method=Add static=false at $work/good.yaml:3:5" "$work/out"; then
    pass "valid file: exit 0, summary and --explain"
else fail "valid file: exit $rc"; cat "$work/out" "$work/err"; fi

printf 'version: 1\nplugins: [%s/libfake_abi_major.so]\nrules: []\n' "$fakes" >"$work/plugin.yaml"
"$nrprof" check "$work/plugin.yaml" >"$work/out" 2>"$work/err"; rc=$?
want="$fakes/libfake_abi_major.so: error: plugin $fakes/libfake_abi_major.so built for ABI 2.0, host speaks 1.0; it is not loaded"
if [[ $rc == 1 ]] && grep -qxF "$want" "$work/err"; then pass "refused plugin: an error, exit 1"
else fail "refused plugin: exit $rc"; cat "$work/err"; fi

if (( failures )); then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
