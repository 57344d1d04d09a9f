#!/usr/bin/env bash
# Usage: check_old_glibc.sh OLD_GLIBC_ROOT BUNDLE_DIR LOAD_HARNESS START_PROBE APPS_DIR WORK_DIR
# The glibc bundle, built on this machine, works on an older glibc (from
# before 2.34, which moved dlopen and pthread_create into libc):
#   - executables start the same on this glibc and the old one: constructors
#     once, then main, then atexit handlers and destructors;
#   - the load harness drives the bundle's host and plugins there, IL checked byte for byte;
#   - from a moved copy of the bundle, nrprof checks the shipped rules there;
#   - nrprof run starts .NET 10 there, and the app is profiled: same output,
#     same exit code, exact call counts.
# A program built the usual way on this machine cannot even start there;
# that is checked first, so a pass means something.
set -uo pipefail
demo_rules=$(cd "$(dirname "$0")/../e2e/apps/Demo" && pwd)/rules.yaml # add and linq-range
root=$1 bundle=$2 harness=$3 probe=$4 apps=$5 work=$6
. "$(dirname "$0")/old_glibc.sh"
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

old_glibc_init "$root" || exit 1
pass "older glibc: $OLD_GLIBC_VERSION"

# Control: this machine's own programs need this machine's glibc.
cat >"$work/control.c" <<'C'
#include <dlfcn.h>
int main(void) { return dlopen("libc.so.6", RTLD_NOW) ? 0 : 1; }
C
cc -o "$work/control" "$work/control.c"
old_glibc_copy "$work/control" "$work/control.old"
if "$work/control.old" 2>"$work/control.err"; then fail "a program built normally here runs on glibc $OLD_GLIBC_VERSION: this test proves nothing"
elif grep -q "version .GLIBC_2.3[4-9]' not found" "$work/control.err"; then pass "control: a program built normally here is refused: $(head -1 "$work/control.err" | sed 's/.*: version/version/')"
else fail "control failed for another reason:"; cat "$work/control.err"; fi

# 1. Start-up, on this glibc and on the old one.
want=$'constructor ran 1 time(s), with main\'s argv\nargc 2, NRP_PROBE=set\natexit handler ran\ndestructor ran'
old_glibc_copy "$probe" "$work/start_probe"
for run in "$probe" "$work/start_probe"; do
    out=$(NRP_PROBE=set "$run" 5 2>&1); rc=$?
    where="glibc $OLD_GLIBC_VERSION"; [[ $run == "$probe" ]] && where="this machine's glibc"
    if [[ $rc == 5 && $out == "$want" ]]; then pass "start-up on $where: constructors once, exit code and clean-up kept"
    else fail "start-up on $where: exit $rc, output:"; echo "$out"; fi
done

# 2. The load harness (fake runtime, real host and plugins).
old_glibc_copy "$harness" "$work/load_harness"
if NRP_TEST_BUNDLE=$bundle "$work/load_harness" >"$work/harness.out" 2>&1 &&
   grep -qx "harness: all checks passed" "$work/harness.out"; then
    pass "load harness on glibc $OLD_GLIBC_VERSION: $(grep -c '^ok' "$work/harness.out") checks passed"
else fail "load harness on glibc $OLD_GLIBC_VERSION:"; tail -20 "$work/harness.out"; fi

# 3. A moved copy of the bundle whose nrprof runs on the old glibc.
cp -a "$bundle" "$work/bundle"
old_glibc_copy "$bundle/bin/nrprof" "$work/bundle/bin/nrprof"
want="$work/bundle/instrumentation.yaml: ok: 5 rule(s), 5 enabled, from 1 file(s)"
got=$("$work/bundle/bin/nrprof" check 2>&1); rc=$?
if [[ $rc == 0 && $got == "$want" ]]; then pass "nrprof check: $got"
else fail "nrprof check exited $rc: $got"; fi

# 4. nrprof run starts .NET on the old glibc; the profiler loads there.
# (No ICU on the old root: .NET runs in invariant globalization mode.)
old_glibc_dotnet "$work/dotnet"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
"$work/dotnet/dotnet" "$apps/net10/Demo.dll" 7 >"$work/base.out" 2>"$work/base.err"; base_rc=$?
# The Demo's rules and one of roundtrip, which no plugin is named after: the
# profiler then loads every plugin of the bundle to find it.
{ cat "$demo_rules"; printf '  - name: mul\n    match: { assembly: Demo, type: Demo.Calculator, method: Mul }\n    strategy: roundtrip\n'; } >"$work/rules.yaml"
LD_DEBUG=files LD_DEBUG_OUTPUT=$work/ld NRP_LOG_FILE=$work/profiler.log NRP_METRICS_FILE=$work/metrics.prom \
    "$work/bundle/bin/nrprof" run --config "$work/rules.yaml" -- \
    "$work/dotnet/dotnet" "$apps/net10/Demo.dll" 7 >"$work/prof.out" 2>"$work/prof.err"
prof_rc=$?
if [[ $base_rc == 7 && $prof_rc == 7 ]]; then pass "exit code 7 with and without the profiler"
else fail "exit codes: baseline $base_rc, profiled $prof_rc"; cat "$work/base.err" "$work/prof.err"; fi
if cmp -s "$work/base.out" "$work/prof.out" && [[ -s $work/base.out ]]; then pass "stdout byte-identical ($(wc -c <"$work/prof.out") bytes)"
else fail "stdout differs"; diff "$work/base.out" "$work/prof.out" | head; fi
[[ -s $work/prof.err ]] && { fail "app stderr not empty:"; head -5 "$work/prof.err"; }
for so in libNewRelicProfiler.so plugins/libnrp_timing.so plugins/libnrp_tracer.so plugins/libnrp_identity.so; do
    if grep -qh "calling init: $work/bundle/$so\$" "$work"/ld.*; then pass "loaded and initialised on glibc $OLD_GLIBC_VERSION: $so"
    else fail "$so was not loaded"; fi
done
libc=$(grep -h "calling init: .*/libc.so.6$" "$work"/ld.* | sed 's/.*calling init: //' | sort -u)
if [[ $libc == "$root/lib/x86_64-linux-gnu/libc.so.6" ]]; then pass "every process used $libc"
else fail "libc used: $libc"; fi
for line in 'nrp_method_calls_total{rule="add",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000' \
            'nrp_method_calls_total{rule="linq-range",method="System.Linq.Enumerable::Range(System.Int32,System.Int32)"} 250' \
            'nrp_methods_rewritten_total 4' 'nrp_method_rewrite_failures_total 0'; do
    if grep -Fxq -- "$line" "$work/metrics.prom" 2>/dev/null; then pass "metric: $line"
    else fail "metric line missing: $line"; cat "$work/profiler.log" 2>/dev/null; fi
done

(( failures == 0 )) || { echo "$failures failure(s)"; exit 1; }
