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
#   mask-m-md    mask-m, and ModuleLoadFinished opens every module's IMetaDataImport (and nothing else)
#   idle         the bundle with one rule naming an assembly that never loads
#   exit-only    the bundle, default rules, settings.metrics.interval_s: 0
#   bundle       the bundle with its default rules (bench/startup.sh's "bundle")
#   bundle:VAR=VALUE  the same with one more environment variable (an experiment's switch)
#   base         the same from another build, NRP_BASE_BUILD (e.g. one of the commit before a
#                change, made with `git worktree add`): before and after in one run
# NRP_BENCH_NICE=N runs the app under `nice -n N` (e.g. -10 as root, to stand
# out from other work on a shared machine; default 0).
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
base_build=${NRP_BASE_BUILD:-} nice=${NRP_BENCH_NICE:-0}
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
# SIDE: one run; "wall user sys maxrss minflt" appended to SIDE.txt.
run() {
    local side=$1
    local -a with=()
    case $side in
        none) ;;
        floor) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$floor") ;;
        accept) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept") ;;
        mask-m) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x4) ;;
        mask-mr) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x40004) ;;
        mask-m-md) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x4 NRP_FLOOR_METADATA=1) ;;
        mask-mr-t3) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$accept" NRP_FLOOR_EVENTS=0x40004 NRP_FLOOR_THREADS=3) ;;
        idle | exit-only) with=("${ours[@]}" NRP_CONFIG="$tmp/$side.yaml" NRP_LOG_FILE="$tmp/$side.log") ;;
        bundle) with=("${ours[@]}" NRP_LOG_FILE="$tmp/bundle.log") ;;
        bundle:*=*) with=("${ours[@]}" NRP_LOG_FILE="$tmp/$side.log" "${side#bundle:}") ;;
        base) with=("${profiler[@]}" CORECLR_PROFILER_PATH="${base_build:?set NRP_BASE_BUILD}/bundle/libNewRelicProfiler.so"
                    NRP_METRICS_FILE="$tmp/m.prom" NRP_LOG_FILE="$tmp/base.log") ;;
        *) echo "unknown side $side" >&2; exit 2 ;;
    esac
    env "${with[@]}" nice -n "$nice" "$runner" "${app[@]}" >>"$tmp/$side.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for s in "${sides[@]}"; do run "$s"; done   # warm the page cache for every side
for s in "${sides[@]}"; do : >"$tmp/$s.txt"; done
for ((i = 0; i < runs; i++)); do
    for s in "${sides[@]}"; do run "$s"; done
done
for s in idle exit-only bundle base; do
    [[ ! -f $tmp/$s.log ]] || grep -q ' info  *nrprof .*config ' "$tmp/$s.log" ||
        { echo "the bundle ($s) did not profile the app:" >&2; cat "$tmp/$s.log" >&2; exit 1; }
done
# vs floor: the side's median minus the floor's; paired: the median of
# (side - floor) over the rounds, each side against the floor run next to it.
printf '%s (%s), %d interleaved runs each, medians, ms; nice %s\n' "$name" "$runtime" "$runs" "$nice"
# faults: minor page faults, which load does not move (each costs
# microseconds on a VM).
printf '  %-11s %8s %9s %8s %8s %9s %8s %8s %7s\n' side wall vs_floor paired cpu vs_floor paired rss_KiB faults
[[ -f $tmp/floor.txt ]] || cp "$tmp/${sides[0]}.txt" "$tmp/floor.txt"
for s in "${sides[@]}"; do
    # wall, cpu, rss, faults of the side, then wall and cpu of the floor's run of the same round
    paste -d' ' "$tmp/$s.txt" "$tmp/floor.txt" | awk '{print $1, $2 + $3, $4, $5, $6, $7 + $8}' >"$tmp/pair"
    w=$(awk '{print $1}' "$tmp/pair" | median) fw=$(awk '{print $5}' "$tmp/pair" | median)
    c=$(awk '{print $2}' "$tmp/pair" | median) fc=$(awk '{print $6}' "$tmp/pair" | median)
    dw=$(awk '{print $1 - $5}' "$tmp/pair" | median) dc=$(awk '{print $2 - $6}' "$tmp/pair" | median)
    k=$(awk '{print $3}' "$tmp/pair" | median) f=$(awk '{print $4}' "$tmp/pair" | median)
    awk -v s="$s" -v w="$w" -v fw="$fw" -v dw="$dw" -v c="$c" -v fc="$fc" -v dc="$dc" -v k="$k" -v f="$f" 'BEGIN {
        printf "  %-11s %8.1f %+9.1f %+8.1f %8.1f %+9.1f %+8.1f %9d %7d\n", s, w / 1000, (w - fw) / 1000, dw / 1000,
            c / 1000, (c - fc) / 1000, dc / 1000, k, f }'
done
