#!/usr/bin/env bash
# Where the bundle's start-up cost goes: whole runs of an app under a list of
# conditions ("sides"), interleaved (A B C ... A B C ...) so that drift on
# the machine hits every side alike, each side's median wall time and median
# CPU time (user + system, all threads; it moves less than wall time when
# other work shares the machine), and each against the floor.
#
# Usage: bench/startup_steps.sh [RUNS] [net10|net8] [Demo|Hello|ManyAssemblies] [SIDE...]
# Sides (default: all, in this order):
#   none         no profiler
#   floor        bench/floor.c: the library loads and declines at once
#   accept       bench/floor_accept.c: accepts Initialize, sets no event mask
#   mask-m       the same, SetEventMask(MONITOR_MODULE_LOADS)
#   mask-mr      the same, SetEventMask(MONITOR_MODULE_LOADS | ENABLE_REJIT): the bundle's mask
#   mask-mr-t3   mask-mr and three idle native threads (the bundle's worker, exporter, signals)
#   idle         the bundle with one rule naming an assembly that never loads
#   exit-only    the bundle, default rules, settings.metrics.interval_s: 0
#   bundle       the bundle with its default rules (bench/startup.sh's "bundle")
# Needs a build; see bench/startup.sh for the apps.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21} runtime=${2:-net10} name=${3:-Hello}
shift $(($# < 3 ? $# : 3))
sides=("$@")
((${#sides[@]})) || sides=(none floor accept mask-m mask-mr mask-mr-t3 idle exit-only bundle)
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle
[[ -f $bundle/libNewRelicProfiler.so ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
cmake --build "$build" --target nrp_floor nrp_floor_accept nrp_run_once >/dev/null
floor=$build/bench/libnrp_floor.so accept=$build/bench/libnrp_floor_accept.so runner=$build/bench/nrp_run_once
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\|DOTNET_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
. bench/app.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/idle.yaml" <<'YAML'
version: 1
rules:
  - name: idle
    match: { assembly: Nrp.Never.Loaded, type: Nrp.Never.Loaded.T, method: M }
    strategy: timing
YAML
{ grep -v '^include:' config/instrumentation.yaml; printf 'settings:\n  metrics: { interval_s: 0 }\n'; } >"$tmp/exit-only.yaml"

profiler=(CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}')
ours=("${profiler[@]}" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_METRICS_FILE="$tmp/m.prom")
# SIDE: one run; "wall user sys maxrss" appended to SIDE.txt.
run() {
    local side=$1
    local -a with=()
    case $side in
        none) ;;
        floor) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$floor") ;;
        accept) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept") ;;
        mask-m) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x4) ;;
        mask-mr) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x40004) ;;
        mask-mr-t3) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x40004 NRP_FLOOR_THREADS=3) ;;
        idle | exit-only) with=("${ours[@]}" NRP_CONFIG="$tmp/$side.yaml" NRP_LOG_FILE="$tmp/$side.log") ;;
        bundle) with=("${ours[@]}" NRP_LOG_FILE="$tmp/bundle.log") ;;
        *) echo "unknown side $side" >&2; exit 2 ;;
    esac
    env "${with[@]}" "$runner" "${app[@]}" >>"$tmp/$side.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for s in "${sides[@]}"; do run "$s"; done   # warm the page cache for every side
for s in "${sides[@]}"; do : >"$tmp/$s.txt"; done
for ((i = 0; i < runs; i++)); do
    for s in "${sides[@]}"; do run "$s"; done
done
for s in idle exit-only bundle; do
    [[ ! -f $tmp/$s.log ]] || grep -q ' info  *nrprof .*config ' "$tmp/$s.log" ||
        { echo "the bundle ($s) did not profile the app:" >&2; cat "$tmp/$s.log" >&2; exit 1; }
done
printf '%s (%s), %d interleaved runs each, medians; vs floor = the side minus floor\n' "$name" "$runtime" "$runs"
printf '  %-11s %9s %9s %9s %9s %9s\n' side wall_ms vs_floor cpu_ms vs_floor rss_KiB
fw=$(awk '{print $1}' "$tmp/floor.txt" 2>/dev/null | median) fc=$(awk '{print $2 + $3}' "$tmp/floor.txt" 2>/dev/null | median)
for s in "${sides[@]}"; do
    w=$(awk '{print $1}' "$tmp/$s.txt" | median) c=$(awk '{print $2 + $3}' "$tmp/$s.txt" | median)
    k=$(awk '{print $4}' "$tmp/$s.txt" | median)
    awk -v s="$s" -v w="$w" -v c="$c" -v k="$k" -v fw="${fw:-0}" -v fc="${fc:-0}" 'BEGIN {
        printf "  %-11s %9.1f %+9.1f %9.1f %+9.1f %9d\n", s, w / 1000, (w - fw) / 1000, c / 1000, (c - fc) / 1000, k }'
done
