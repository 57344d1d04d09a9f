#!/usr/bin/env bash
# Start-up cost of the profiler: wall time of whole runs of an app without a
# profiler, with the floor (bench/floor.c: a profiler library that declines
# at once, what loading any profiler costs) and with the bundle and its
# default rules, interleaved (A B C A B C ...) so drift on the machine hits
# every side alike. Prints each side's median, the differences, and the
# median peak resident memory (max RSS) of each side.
#
# With R2R_OFF=1 a fourth side runs the app without a profiler but with
# DOTNET_ReadyToRun=0 DOTNET_TieredCompilation=0, what the old C++ profiler
# imposes on every process before it does any work of its own. With
# BENCH_RESULTS=FILE the medians are also appended to FILE as
# "startup<TAB>APP<TAB>SIDE<TAB>ms<TAB>KiB" lines (bench/run.sh).
#
# Usage: bench/startup.sh [RUNS] [net10|net8] [Demo|Hello|ManyAssemblies]
#   (default 15 runs, net10, Demo). Demo is the e2e demo app
#   (tests/e2e/apps/Demo); Hello prints one line; ManyAssemblies loads
#   more than 30 framework assemblies (bench/apps/). Hello and
#   ManyAssemblies run on net10 only.
# Needs a build (scripts/setup.sh); the Demo case needs the e2e apps
# (ctest -R e2e.build-apps), the others are built into BUILD/bench/apps.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15} runtime=${2:-net10} name=${3:-Demo}
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle
floor=$build/bench/libnrp_floor.so
[[ -f $bundle/libNewRelicProfiler.so ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time, Debian package time)" >&2; exit 1; }
[[ -f $floor ]] || cmake --build "$build" --target nrp_floor >/dev/null
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
. bench/app.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }
profiler=(CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}')
# SIDE: one run, its wall time (us) appended to SIDE.us and its max RSS (KiB) to SIDE.kb.
run() {
    local side=$1 t0 t1
    local -a with=()
    case $side in
        floor) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$floor") ;;
        r2r-off) with=(DOTNET_ReadyToRun=0 DOTNET_TieredCompilation=0) ;;
        bundle) with=("${profiler[@]}" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so"
                      NRP_METRICS_FILE="$tmp/m.prom" NRP_LOG_FILE="$tmp/log") ;;
    esac
    t0=$(now_ns)
    env "${with[@]}" /usr/bin/time -f %M -o "$tmp/rss" "${app[@]}" >/dev/null
    t1=$(now_ns)
    echo $(((t1 - t0) / 1000)) >>"$tmp/$side.us"
    cat "$tmp/rss" >>"$tmp/$side.kb"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

sides=(none floor bundle)
[[ ${R2R_OFF:-0} == 1 ]] && sides+=(r2r-off)
for s in "${sides[@]}"; do run "$s"; done   # warm the page cache for every side
for s in "${sides[@]}"; do : >"$tmp/$s.us"; : >"$tmp/$s.kb"; done
for ((i = 0; i < runs; i++)); do
    for s in "${sides[@]}"; do run "$s"; done
done
# The bundle really profiled: it logged its start and wrote its metrics at exit.
grep -q ' info  *nrprof [0-9.]*: clock [a-z]*; config ' "$tmp/log" && grep -q '^nrp_methods_rewritten_total ' "$tmp/m.prom" ||
    { echo "the bundle did not profile the app:" >&2; cat "$tmp/log" >&2; exit 1; }
printf '%s (%s), %d interleaved runs each; wall time and max RSS, medians\n' "$name" "$runtime" "$runs"
for s in "${sides[@]}"; do
    printf '  %-7s %7.1f ms %8d KiB   (runs, us: %s)\n' "$s" "$(median <"$tmp/$s.us" | awk '{print $1 / 1000}')" \
        "$(median <"$tmp/$s.kb")" "$(tr '\n' ' ' <"$tmp/$s.us")"
done
awk -v a="$(median <"$tmp/none.us")" -v f="$(median <"$tmp/floor.us")" -v b="$(median <"$tmp/bundle.us")" \
    -v ka="$(median <"$tmp/none.kb")" -v kb="$(median <"$tmp/bundle.kb")" 'BEGIN {
    printf "  bundle - floor: %+.1f ms; bundle - none: %+.1f ms (ratio %.3f); floor - none: %+.1f ms\n", \
        (b - f) / 1000, (b - a) / 1000, b / a, (f - a) / 1000
    printf "  max RSS, bundle - none: %+.1f MiB\n", (kb - ka) / 1024
}'
if [[ -n ${BENCH_RESULTS:-} ]]; then
    for s in "${sides[@]}"; do
        printf 'startup\t%s\t%s\t%s\t%s\n' "$name" "$s" "$(median <"$tmp/$s.us" | awk '{print $1 / 1000}')" \
            "$(median <"$tmp/$s.kb")" >>"$BENCH_RESULTS"
    done
fi
