#!/usr/bin/env bash
# Start-up cost of the profiler on the demo app: wall time of whole runs
# without a profiler, with the floor (bench/floor.c: a profiler library
# that declines at once, what loading any profiler costs) and with the
# bundle, interleaved (A B C A B C ...) so drift on the machine hits every
# side alike. Prints each side's median and the ratios.
#
# Usage: bench/startup.sh [RUNS] [net10|net8]     (default 10 runs, net10)
# Needs a build (scripts/setup.sh) and the e2e apps (ctest -R e2e.build-apps).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10} runtime=${2:-net10}
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle
apps=$build/tests/e2e/apps
floor=$build/bench/libnrp_floor.so
[[ -f $bundle/libNewRelicProfiler.so ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
[[ -f $floor ]] || cmake --build "$build" --target nrp_floor >/dev/null
[[ -d $apps/$runtime ]] || tests/e2e/build_apps.sh tests/e2e "$apps" >/dev/null
case $runtime in
    net10) app=(dotnet "$apps/net10/Demo.dll") ;;
    net8) app=("$apps/net8/Demo") ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }
run_plain() { "${app[@]}" >/dev/null; }
run_profiled() {
    CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}' \
    CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_METRICS_FILE="$tmp/m.prom" \
    NRP_LOG_FILE="$tmp/log" "${app[@]}" >/dev/null
}
run_floor() {
    CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}' \
    CORECLR_PROFILER_PATH="$floor" "${app[@]}" >/dev/null
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_plain; run_floor; run_profiled   # warm the page cache for every side
: >"$tmp/plain"; : >"$tmp/floor"; : >"$tmp/prof"
for ((i = 0; i < runs; i++)); do
    t0=$(now_ns); run_plain; t1=$(now_ns); echo $(((t1 - t0) / 1000)) >>"$tmp/plain"
    t0=$(now_ns); run_floor; t1=$(now_ns); echo $(((t1 - t0) / 1000)) >>"$tmp/floor"
    t0=$(now_ns); run_profiled; t1=$(now_ns); echo $(((t1 - t0) / 1000)) >>"$tmp/prof"
done
grep -q 'Add(System.Int32,System.Int32)"} 1000' "$tmp/m.prom" || { echo "profiled run did not count" >&2; exit 1; }
plain=$(median <"$tmp/plain") fl=$(median <"$tmp/floor") prof=$(median <"$tmp/prof")
printf 'runtime %s, %d interleaved runs each\n' "$runtime" "$runs"
awk -v a="$plain" -v f="$fl" -v b="$prof" -v ra="$(tr '\n' ' ' <"$tmp/plain")" -v rf="$(tr '\n' ' ' <"$tmp/floor")" \
    -v rb="$(tr '\n' ' ' <"$tmp/prof")" 'BEGIN {
    printf "  without profiler: median %7.1f ms   (runs, us: %s)\n", a / 1000, ra
    printf "  floor (declines): median %7.1f ms   (runs, us: %s)\n", f / 1000, rf
    printf "  with profiler:    median %7.1f ms   (runs, us: %s)\n", b / 1000, rb
    printf "  ratio with/without: %.3f (+%.1f ms); over the floor: +%.1f ms\n", b / a, (b - a) / 1000, (b - f) / 1000
}'
