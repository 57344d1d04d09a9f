#!/usr/bin/env bash
# Cost of rewriting one method, measured inside the real runtime: the
# Workload app (tests/e2e/apps/Workload) runs with every method of
# System.Linq, System.Collections, System.Text.Json and Newtonsoft.Json
# matched, and the host reports each rewrite's cost at trace level:
#   engine  decode + strategy + encode (the pure-C IL engine)
#   in all  GetReJITParameters from entry to exit (metadata, IL fetch, engine,
#           SetILFunctionBody)
# Prints the median and 90th percentile over every rewritten method of RUNS
# runs, for each strategy.
#
# With BENCH_RESULTS=FILE the medians are also appended to FILE as
# "rewrite<TAB>STRATEGY<TAB>us" (in all) lines (bench/run.sh).
#
# Usage: bench/il_cost.sh [RUNS] [net10|net8]      (default 3, net10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3} runtime=${2:-net10}
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle apps=$build/tests/e2e/apps
[[ -f $bundle/libNewRelicProfiler.so ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
[[ -d $apps/$runtime ]] || tests/e2e/build_apps.sh tests/e2e "$apps" >/dev/null
case $runtime in
    net10) app=(dotnet "$apps/net10/Workload.dll") ;;
    net8) app=("$apps/net8/Workload") ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

percentiles() { # file -> "median p90 count"
    sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f %d", m, a[int(NR*0.9+0.5)], NR}'
}

printf '%-10s %14s %14s %14s %14s %8s\n' strategy "engine median" "engine p90" "total median" "total p90" methods
for strategy in roundtrip wrap timing; do
    {
        echo "version: 1"; echo "rules:"
        for a in System.Linq System.Collections System.Text.Json Newtonsoft.Json; do
            echo "  - name: $a"; echo "    match: { assembly: $a, type: \"*\", method: \"*\" }"; echo "    strategy: $strategy"
        done
    } >"$tmp/rules.yaml"
    : >"$tmp/engine"; : >"$tmp/total"
    for ((i = 0; i < runs; i++)); do
        CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}' \
        CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_CONFIG="$tmp/rules.yaml" \
        NRP_LOG_LEVEL=trace NRP_LOG_FILE="$tmp/log" NRP_METRICS_FILE="$tmp/m.prom" "${app[@]}" >/dev/null
        sed -n 's/.* cost: \([0-9.]*\) us engine, \([0-9.]*\) us in all.*/\1 \2/p' "$tmp/log" >"$tmp/pairs"
        cut -d' ' -f1 "$tmp/pairs" >>"$tmp/engine"
        cut -d' ' -f2 "$tmp/pairs" >>"$tmp/total"
        rm -f "$tmp/log"
    done
    read -r em ep n <<<"$(percentiles "$tmp/engine")"
    read -r tm tp _ <<<"$(percentiles "$tmp/total")"
    printf '%-10s %11s us %11s us %11s us %11s us %8s\n' "$strategy" "$em" "$ep" "$tm" "$tp" "$n"
    [[ -z ${BENCH_RESULTS:-} ]] || printf 'rewrite\t%s\t%s\n' "$strategy" "$tm" >>"$BENCH_RESULTS"
done
