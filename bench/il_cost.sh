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
# With WHOLE_RUNS=N it then times N whole runs of the app under `wrap` and
# under `timing`, interleaved, at the default log level (no trace lines),
# and prints their medians and the ratio timing/wrap: what rewrites,
# bigger bodies to compile, the probes and the metrics cost the app in all.
# With BENCH_RESULTS=FILE the medians are also appended to FILE as
# "rewrite<TAB>STRATEGY<TAB>us" (in all) and "fidelity<TAB>STRATEGY<TAB>ms"
# lines (bench/run.sh).
#
# Usage: [WHOLE_RUNS=N] [NRP_BUNDLE_DIR=DIR] bench/il_cost.sh [RUNS] [net10|net8]   (default 3, net10)
# NRP_BUNDLE_DIR measures another bundle (e.g. a copy of an older build's)
# with this build's apps.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3} runtime=${2:-net10}
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=${NRP_BUNDLE_DIR:-$build/bundle} apps=$build/tests/e2e/apps
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

rules() { # strategy -> the rules file on stdout
    echo "version: 1"; echo "rules:"
    for a in System.Linq System.Collections System.Text.Json Newtonsoft.Json; do
        echo "  - name: $a"; echo "    match: { assembly: $a, type: \"*\", method: \"*\" }"; echo "    strategy: $1"
    done
}

profiled() { # rules file, log level, then the command
    local rules=$1 level=$2
    shift 2
    CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}' \
    CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_CONFIG="$rules" \
    NRP_LOG_LEVEL=$level NRP_LOG_FILE="$tmp/log" NRP_METRICS_FILE="$tmp/m.prom" "$@" >/dev/null
}

printf '%-10s %14s %14s %14s %14s %8s\n' strategy "engine median" "engine p90" "total median" "total p90" methods
for strategy in roundtrip wrap timing; do
    rules "$strategy" >"$tmp/rules.yaml"
    : >"$tmp/engine"; : >"$tmp/total"
    for ((i = 0; i < runs; i++)); do
        profiled "$tmp/rules.yaml" trace "${app[@]}"
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

whole=${WHOLE_RUNS:-0}
((whole > 0)) || exit 0
for strategy in wrap timing; do rules "$strategy" >"$tmp/$strategy.yaml"; : >"$tmp/$strategy.ms"; done
for ((i = 0; i < whole; i++)); do
    for strategy in wrap timing; do
        start=$(date +%s%N)
        profiled "$tmp/$strategy.yaml" info "${app[@]}"
        echo $(( ($(date +%s%N) - start) / 1000000 )) >>"$tmp/$strategy.ms"
        rm -f "$tmp/log"
    done
done
read -r wm _ <<<"$(percentiles "$tmp/wrap.ms")"
read -r tm _ <<<"$(percentiles "$tmp/timing.ms")"
echo
printf 'whole run (median of %d, interleaved): wrap %s ms, timing %s ms, timing/wrap %s\n' "$whole" "$wm" "$tm" \
    "$(awk -v t="$tm" -v w="$wm" 'BEGIN {printf "%.2f", t / w}')"
[[ -z ${BENCH_RESULTS:-} ]] || printf 'fidelity\twrap\t%s\nfidelity\ttiming\t%s\n' "$wm" "$tm" >>"$BENCH_RESULTS"
