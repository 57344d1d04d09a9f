#!/usr/bin/env bash
# Cost per call of the injected code: a tiny method (CallCost.Program.Work)
# called 20 million times, timed inside the app after warm-up, under four
# configurations run interleaved (A B C D A B C D ...) so machine drift hits
# all alike. Prints each one's median nanoseconds per call and its
# difference from the uninstrumented baseline of the same run.
#
# Usage: bench/call_cost.sh [ROUNDS]     (default 7)
# Needs a build (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
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

run() { # MODE -> ns per call
    if [[ $1 == baseline ]]; then dotnet "$tmp/app/CallCost.dll" | cut -d' ' -f1
    else NRP_LOG_FILE="$tmp/$1.log" NRP_METRICS_FILE="$tmp/$1.prom" \
        "$bundle/bin/nrprof" run --config "$tmp/$1.yaml" -- dotnet "$tmp/app/CallCost.dll" | cut -d' ' -f1; fi
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
