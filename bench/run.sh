#!/usr/bin/env bash
# Every benchmark of issue 15's targets in one command, each with its
# baseline interleaved in the same run, summed up as one Markdown table of
# medians and ratios: printed, and written into docs/BENCHMARKS.md between
# the "bench/run.sh" markers, with the date, the machine and the command.
#
#   start-up     bench/startup.sh: Hello and ManyAssemblies, no profiler /
#                the floor / the bundle with its default rules / no profiler
#                with R2R and tiered compilation off (the old profiler's way)
#   per call     bench/call_cost.sh: timing and the tracer on a tiny method
#   threads      bench/call_cost.sh: 1..16 threads in one timed method
#   probes       bench/probe_cost.c under callgrind: instructions per call
#   percentiles  the Demo app's Spin methods (20, 130, 700 us busy-waits)
#   rewrites     bench/il_cost.sh: the cost of rewriting one method, and the
#                fidelity workload's whole run under timing against wrap
#
# Usage: bench/run.sh [--quick] [--no-docs]
#   --quick    fewer runs (a smoke test of the harness, not figures to quote)
#   --no-docs  print the table only
# Needs a build (scripts/setup.sh), the e2e apps (ctest -R e2e.build-apps)
# and valgrind. Takes about 4 minutes on 2 cores (--quick: about 2).
# Run it on a quiet machine: every side shares the cores with whatever
# else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0 docs=1
for a in "$@"; do
    case $a in
        --quick) quick=1 ;;
        --no-docs) docs=0 ;;
        *) echo "usage: bench/run.sh [--quick] [--no-docs]" >&2; exit 2 ;;
    esac
done
build=${NRP_BUILD_DIR:-$PWD/build}
[[ -f $build/bundle/libNewRelicProfiler.so ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[[ -d $build/tests/e2e/apps/net10 ]] || tests/e2e/build_apps.sh tests/e2e "$build/tests/e2e/apps" >/dev/null
cmake --build "$build" --target probe_cost nrp_floor >/dev/null
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BENCH_RESULTS=$tmp/results
: >"$BENCH_RESULTS"
if ((quick)); then startup_runs=5 call_rounds=3 il_runs=1 whole_runs=3; else startup_runs=21 call_rounds=7 il_runs=3 whole_runs=9; fi

step() { echo "== $* ($(date +%T))" >&2; }
step "start-up"
for app in Hello ManyAssemblies; do R2R_OFF=1 bench/startup.sh "$startup_runs" net10 "$app" >&2; done
step "per call and threads"
bench/call_cost.sh "$call_rounds" 1 2 4 8 16 >&2
step "probes natively"
"$build/bench/probe_cost" 10000000 | awk 'NR > 1 { printf "probe_ns\t%s\t%s\n", $1, $2 }' >>"$BENCH_RESULTS"
step "probes under callgrind"
calls=200000
valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" "$build/bench/probe_cost" "$calls" callgrind \
    >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$tmp/callgrind.out" 2>/dev/null |
    sed -n 's/^ *\([0-9,]*\) .*probe_cost.c:probe_\([a-z]*\) .*/\2 \1/p' | tr -d , |
    while read -r probe ir; do printf 'probe\t%s\t%s\n' "$probe" "$(awk -v i="$ir" -v n="$calls" 'BEGIN { printf "%.1f", i / n }')"; done \
    >>"$BENCH_RESULTS"
step "percentiles"
rules=$tmp/spin.yaml
printf 'version: 1\nsettings: { metrics: { interval_s: 0 } }\nrules:\n  - name: spin\n    match: { assembly: Demo, type: Demo.Spin, method: "Wait*" }\n    strategy: timing\n' >"$rules"
DEMO_SPIN=1 NRP_LOG_FILE="$tmp/spin.log" NRP_METRICS_FILE="$tmp/spin.prom" \
    "$build/bundle/bin/nrprof" run --config "$rules" -- dotnet "$build/tests/e2e/apps/net10/Demo.dll" >/dev/null
for us in 20 130 700; do
    p50=$(sed -n "s/^nrp_method_duration_quantile_seconds{rule=\"spin\",method=\"Demo.Spin::Wait$us()\",quantile=\"0.5\"} //p" \
        "$tmp/spin.prom")
    printf 'percentile\t%s\t%s\n' "$us" "$p50" >>"$BENCH_RESULTS"
done
step "rewrites"
WHOLE_RUNS=$whole_runs bench/il_cost.sh "$il_runs" net10 >&2

# ---- the table --------------------------------------------------------
get() { awk -F'\t' -v k="$*" '{ key = $1; for (i = 2; i < NF; i++) key = key " " $i } key == k { print $NF; exit }' \
    "$BENCH_RESULTS"; }
startup() { awk -F'\t' -v a="$1" -v s="$2" '$1 == "startup" && $2 == a && $3 == s { print $'"${3:-4}"'; exit }' "$BENCH_RESULTS"; }
mark() { awk -v v="$1" -v goal="$2" 'BEGIN { print (v <= goal) ? "met" : "**missed**" }'; }
{
    echo "| target | measured (medians) | goal | |"
    echo "|---|---|---|---|"
    for app in Hello ManyAssemblies; do
        n=$(startup $app none) f=$(startup $app floor) b=$(startup $app bundle) o=$(startup $app r2r-off)
        goal=1; [[ $app == ManyAssemblies ]] && goal=3
        d=$(awk -v b="$b" -v f="$f" 'BEGIN { printf "%+.1f", b - f }')
        printf '| start-up, %s: bundle (default rules) - floor | %s ms (none %s, floor %s, bundle %s ms) | <= %s ms | %s |\n' \
            "$app" "$d" "$n" "$f" "$b" "$goal" "$(mark "$d" "$goal")"
        printf '| start-up, %s: R2R and tiering off, no profiler (the old way) | %s ms, %.2fx none | (for scale) | |\n' \
            "$app" "$o" "$(awk -v o="$o" -v n="$n" 'BEGIN { print o / n }')"
        kb=$(awk -v b="$(startup $app bundle 5)" -v n="$(startup $app none 5)" 'BEGIN { printf "%+.1f", (b - n) / 1024 }')
        printf '| max RSS, %s: bundle - none | %s MiB | <= 3 MB | %s |\n' "$app" "$kb" "$(mark "$kb" 2.86)"
    done
    base=$(get call baseline) t=$(get call timing)
    d=$(awk -v t="$t" -v b="$base" 'BEGIN { printf "%.1f", t - b }')
    printf '| per call, 1 thread: timing - uninstrumented | +%s ns (%s vs %s ns) | <= 20 ns | %s |\n' "$d" "$t" "$base" \
        "$(mark "$d" 20)"
    printf '| of which reading the clock twice (native, `probe_cost`: one read %s ns; all three probes %s ns) | %.1f ns | (for scale) | |\n' \
        "$(get probe_ns clock)" "$(get probe_ns timing)" "$(awk -v c="$(get probe_ns clock)" 'BEGIN { print 2 * c }')"
    for m in tracer-bare tracer; do
        printf '| per call, 1 thread: %s - uninstrumented | +%.1f ns | (for scale) | |\n' "$m" \
            "$(awk -v t="$(get call $m)" -v b="$base" 'BEGIN { print t - b }')"
    done
    b1=$(get threads baseline 1) t1=$(get threads timing 1)
    for n in 2 4 8 16; do
        r=$(awk -v b="$(get threads baseline $n)" -v t="$(get threads timing $n)" -v b1="$b1" -v t1="$t1" \
            'BEGIN { printf "%.2f %.2f %.2f", t / t1, b / b1, (t / t1) / (b / b1) }')
        read -r rt rb q <<<"$r"
        goal="(2 cores: for scale)"; verdict=""
        [[ $n == 2 ]] && goal="within 10%" && verdict=$(mark "$q" 1.10)
        printf '| %d threads / 1 thread, ns per call per thread | timing %sx, uninstrumented %sx (%s) | %s | %s |\n' \
            "$n" "$rt" "$rb" "$q" "$goal" "$verdict"
    done
    printf '| instructions per call (callgrind): counter_increment / clock_ticks / histogram_record_since / the three | %s / %s / %s / %s | (for scale) | |\n' \
        "$(get probe count)" "$(get probe clock)" "$(get probe record)" "$(get probe timing)"
    for us in 20 130 700; do
        p=$(get percentile $us)
        e=$(awk -v p="$p" -v t="$us" 'BEGIN { e = (p * 1e6 - t) / t * 100; printf "%.1f", e < 0 ? -e : e }')
        printf '| p50 of a %s us busy-wait | %.1f us (%s%% off) | within 5%% | %s |\n' "$us" \
            "$(awk -v p="$p" 'BEGIN { print p * 1e6 }')" "$e" "$(mark "$e" 5)"
    done
    if [[ -n $(get rewrite timing) ]]; then
        printf '| rewrite of one method under timing (fidelity workload) | %s us (wrap %s, roundtrip %s) | <= 15 us | %s |\n' \
            "$(get rewrite timing)" "$(get rewrite wrap)" "$(get rewrite roundtrip)" "$(mark "$(get rewrite timing)" 15)"
    fi
    if [[ -n $(get fidelity timing) ]]; then
        r=$(awk -v t="$(get fidelity timing)" -v w="$(get fidelity wrap)" 'BEGIN { printf "%.2f", t / w }')
        printf '| fidelity run, timing / wrap | %sx (%s vs %s ms) | <= 1.3x | %s |\n' "$r" "$(get fidelity timing)" \
            "$(get fidelity wrap)" "$(mark "$r" 1.3)"
    fi
} >"$tmp/table.md"

clock=$(sed -n 's/.*: clock \([a-z]*\);.*/\1/p' "$tmp/spin.log" | head -1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
machine="$(nproc) cores ($cpu), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([0-9.]*\) .*/\1/p' | tail -1), clock $clock"
cmd=bench/run.sh
((quick)) && cmd+=" --quick"
{
    echo "Measured on $(date -u +%Y-%m-%d) on $machine, with \`$cmd\` (startup: $startup_runs interleaved runs; per call: $call_rounds rounds; rewrites: $il_runs runs):"
    echo
    cat "$tmp/table.md"
} >"$tmp/section.md"
cat "$tmp/section.md"
if ((docs)); then
    python3 - "$tmp/section.md" docs/BENCHMARKS.md <<'PY'
import sys
section, path = open(sys.argv[1]).read(), sys.argv[2]
doc = open(path).read()
start, end = "<!-- bench/run.sh: begin -->\n", "<!-- bench/run.sh: end -->\n"
if start not in doc or end not in doc:
    sys.exit(f"{path} has no bench/run.sh markers")
head, rest = doc.split(start, 1)
open(path, "w").write(head + start + section + end + rest.split(end, 1)[1])
PY
    echo "written into docs/BENCHMARKS.md" >&2
fi
