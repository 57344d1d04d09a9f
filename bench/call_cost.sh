#!/usr/bin/env bash
# Cost per call of the injected code: a tiny method (CallCost.Program.Work)
# called 20 million times, timed inside the app after warm-up, under four
# configurations run interleaved (A B C D A B C D ...) so machine drift hits
# all alike. Prints each one's median nanoseconds per call and its
# difference from the uninstrumented baseline of the same run.
#
# Then, with THREADS (e.g. 1 2 4 8 16), the same method called by T threads
# at once, uninstrumented and under timing: ns per call of each thread (wall
# time / calls per thread) and the ratio to one thread, for each side. A
# side whose ratio grows faster than the uninstrumented one's has threads
# slowing one another down (shared cache lines).
#
# Usage: bench/call_cost.sh [ROUNDS] [THREADS...]    (default 7 rounds, no thread series)
# With BENCH_RESULTS=FILE it also appends its medians to FILE as
# "call<TAB>MODE<TAB>ns" and "threads<TAB>MODE<TAB>T<TAB>ns" lines (bench/run.sh).
# Needs a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
threads=("${@:2}")
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle
[[ -x $bundle/bin/nrprof ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
cp -r bench/apps "$tmp/src"
dotnet build "$tmp/src/CallCost/CallCost.csproj" -c Release -o "$tmp/app" -nologo -v quiet >/dev/null

rule() { # NAME STRATEGY [OPTIONS]
    printf 'version: 1\nsettings: { metrics: { interval_s: 0 } }\nrules:\n  - name: %s\n' "$1"
    printf '    match: { assembly: CallCost, type: CallCost.Program, method: Work }\n    strategy: %s\n' "$2"
    [[ -z ${3:-} ]] || printf '    options: %s\n' "$3"
}
hooks='handler: { assembly: CallCost.Hooks, type: CallCost.Hooks.Hooks, enter: OnEnter, exit: OnExit }'
rule timing timing >"$tmp/timing.yaml"
rule tracer tracer "{ $hooks, capture_args: false, capture_return: false }" >"$tmp/tracer-bare.yaml"
rule tracer tracer "{ $hooks }" >"$tmp/tracer.yaml"
modes=(baseline timing tracer-bare tracer)

run() { # MODE [CALLS THREADS] -> ns per call
    if [[ $1 == baseline ]]; then dotnet "$tmp/app/CallCost.dll" "${@:2}" | cut -d' ' -f1
    else NRP_LOG_FILE="$tmp/$1.log" NRP_METRICS_FILE="$tmp/$1.prom" \
        "$bundle/bin/nrprof" run --config "$tmp/$1.yaml" -- dotnet "$tmp/app/CallCost.dll" "${@:2}" | cut -d' ' -f1; fi
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for ((r = 0; r < rounds; r++)); do
    for m in "${modes[@]}"; do run "$m" >>"$tmp/$m.ns"; done
done
for m in "${modes[@]:1}"; do
    grep -q 'rewritten_total 1$' "$tmp/$m.prom" || { echo "$m: Work was not rewritten" >&2; exit 1; }
done
base=$(median <"$tmp/baseline.ns")
printf '%d interleaved rounds; ns per call of a 2-argument static method (median)\n' "$rounds"
for m in "${modes[@]}"; do
    med=$(median <"$tmp/$m.ns")
    awk -v m="$m" -v v="$med" -v b="$base" -v all="$(tr '\n' ' ' <"$tmp/$m.ns")" \
        'BEGIN { printf "  %-12s %7.2f ns  (+%.2f ns)   runs: %s\n", m, v, v - b, all }'
done
if [[ -n ${BENCH_RESULTS:-} ]]; then
    for m in "${modes[@]}"; do printf 'call\t%s\t%s\n' "$m" "$(median <"$tmp/$m.ns")" >>"$BENCH_RESULTS"; done
fi
(( ${#threads[@]} )) || exit 0

# Threads: 5 M calls per thread, baseline and timing interleaved.
calls=5000000
for ((r = 0; r < rounds; r++)); do
    for t in "${threads[@]}"; do
        for m in baseline timing; do run "$m" "$calls" "$t" >>"$tmp/$m.$t.ns"; done
    done
done
grep -q "calls_total{.*} $((calls * threads[-1] + 4000000 + 100000 * threads[-1]))\$" "$tmp/timing.prom" ||
    { echo "timing did not count every call of the last thread run:" >&2; grep calls_total "$tmp/timing.prom" >&2; exit 1; }
printf '%d interleaved rounds; T threads call the method at once, %d calls each: ns per call per thread (median)\n' \
    "$rounds" "$calls"
printf '  %7s %10s %8s %10s %8s %14s\n' threads baseline ratio timing ratio "timing/baseline"
b1=$(median <"$tmp/baseline.${threads[0]}.ns") t1=$(median <"$tmp/timing.${threads[0]}.ns")
for t in "${threads[@]}"; do
    b=$(median <"$tmp/baseline.$t.ns") m=$(median <"$tmp/timing.$t.ns")
    awk -v t="$t" -v b="$b" -v m="$m" -v b1="$b1" -v t1="$t1" \
        'BEGIN { printf "  %7d %7.2f ns %7.2fx %7.2f ns %7.2fx %13.2fx\n", t, b, b / b1, m, m / t1, (m / t1) / (b / b1) }'
    if [[ -n ${BENCH_RESULTS:-} ]]; then
        printf 'threads\tbaseline\t%s\t%s\nthreads\ttiming\t%s\t%s\n' "$t" "$b" "$t" "$m" >>"$BENCH_RESULTS"
    fi
done
