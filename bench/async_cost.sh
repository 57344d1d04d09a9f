#!/usr/bin/env bash
# Cost per call of timing on methods that return a task. The AsyncCost app
# times, after warm-up, loops over five probes of the class AsyncCost.Probes
# and counts the bytes each loop allocates on its thread:
#   sync             int Sync(int, int): the synchronous probe, the reference
#   completed        Task<int> Completed(int, int): a cached completed task
#   completed-value  ValueTask<int> CompletedValue(int, int): a result
#   pending          Task<int> Pending(TaskCompletionSource<int>): a task that
#                    completes after the return (SetResult in the loop)
#   pending-awaited  the same, with the app awaiting the task before it
#                    completes (Awaiter.AwaitIt, an async method that is not
#                    instrumented)
# and, for reference, two loops of the app that register the continuation
# <nrp>TaskWatch registers (ContinueWith with a Tuple<long, nint, nint>,
# ExecuteSynchronously, the default scheduler) themselves, uninstrumented:
#   same-pending     like pending
#   same-awaited     like pending-awaited
# Their baseline minus pending's (pending-awaited's) is what the runtime's
# ContinueWith costs by itself, the floor of any continuation that keeps
# the app's own continuation inline.
# Both configurations, the uninstrumented app and timing on every method of
# AsyncCost.Probes, run interleaved (A B A B ...) so machine drift hits both
# alike. Prints, per probe, the medians of ns per call and bytes per call,
# the difference timing - baseline, and for the completed tasks the
# difference between their added cost and the synchronous probe's, and
# whether each meets its target: the completed tasks within 5 ns of the
# synchronous probe's added cost and 0 bytes; the pending ones at most
# 150 ns added and at most one small allocation, taken here as at most 64
# added bytes (a Tuple<long, nint, nint> is 40).
#
# Usage: bench/async_cost.sh [ROUNDS]    (default 7)
# With BENCH_RESULTS=FILE it also appends its medians to FILE as
# "async<TAB>PROBE<TAB>MODE<TAB>ns<TAB>bytes" lines.
# Needs a build (scripts/setup.sh). Takes about a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
fast=20000000 pending=3000000   # calls per measured loop: probes 1-3, probes 4-5
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle
[[ -x $bundle/bin/nrprof ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
cp -r bench/apps "$tmp/src"
dotnet build "$tmp/src/AsyncCost/AsyncCost.csproj" -c Release -o "$tmp/app" -nologo -v quiet >/dev/null

cat >"$tmp/timing.yaml" <<'YAML'
version: 1
settings: { metrics: { interval_s: 0 } }
rules:
  - name: probes
    match: { assembly: AsyncCost, type: AsyncCost.Probes, method: "*" }
    strategy: timing
YAML
probes=(sync completed completed-value pending pending-awaited)
references=(same-pending same-awaited)
modes=(baseline timing)

run() { # MODE -> "PROBE NS BYTES" lines
    local cmd=(dotnet "$tmp/app/AsyncCost.dll" "$fast" "$pending")
    if [[ $1 == baseline ]]; then "${cmd[@]}"
    else NRP_LOG_FILE="$tmp/$1.log" NRP_METRICS_FILE="$tmp/$1.prom" \
        "$bundle/bin/nrprof" run --config "$tmp/$1.yaml" -- "${cmd[@]}"; fi
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { # MODE PROBE COLUMN -> that column of every run, one a line
    awk -v p="$2" -v c="$3" '$1 == p { print $c }' "$tmp/$1.out"
}

for ((r = 0; r < rounds; r++)); do
    for m in "${modes[@]}"; do run "$m" >>"$tmp/$m.out"; done
done
for m in "${modes[@]}"; do
    for p in "${probes[@]}" "${references[@]}"; do
        n=$(field "$m" "$p" 2 | wc -l)
        ((n == rounds)) || { echo "$m: $n results for $p, expected $rounds" >&2; cat "$tmp/$m.out" >&2; exit 1; }
    done
done
# The last profiled run: the four probe methods rewritten, and a duration
# recorded for every call, including each pending task's on completion.
grep -q '^nrp_methods_rewritten_total 4$' "$tmp/timing.prom" ||
    { echo "timing: the probe methods were not all rewritten:" >&2; grep rewritten_total "$tmp/timing.prom" >&2; exit 1; }
awk '/^nrp_method_calls_total\{/ { sub(/^nrp_method_calls_total/, ""); calls[$1] = $2 }
     /^nrp_method_duration_seconds_count\{/ { sub(/^nrp_method_duration_seconds_count/, ""); count[$1] = $2 }
     END { for (k in calls) if (count[k] != calls[k]) { print "timing: " count[k] " durations for " calls[k] " calls of " k; bad = 1 }
           exit bad }' "$tmp/timing.prom" >&2 ||
    exit 1
expected=$(( 2 * (pending + 2 * (pending / 10)) ))   # pending + pending-awaited, each warm-up twice
grep -q "^nrp_method_duration_seconds_count{.*Pending(.*} $expected\$" "$tmp/timing.prom" ||
    { echo "timing: Pending did not record $expected durations:" >&2; grep 'duration_seconds_count.*Pending' "$tmp/timing.prom" >&2; exit 1; }

printf '%d interleaved rounds; %d calls of probes 1-3, %d of 4-5; medians per call\n' "$rounds" "$fast" "$pending"
printf '  %-16s %10s %10s %10s %12s %10s  %s\n' probe baseline timing added "added bytes" "vs sync" target
sync_added=
for p in "${probes[@]}"; do
    b=$(field baseline "$p" 2 | median) t=$(field timing "$p" 2 | median)
    bb=$(field baseline "$p" 3 | median) tb=$(field timing "$p" 3 | median)
    [[ -n $sync_added ]] || sync_added=$(awk -v b="$b" -v t="$t" 'BEGIN { print t - b }')
    awk -v p="$p" -v b="$b" -v t="$t" -v bb="$bb" -v tb="$tb" -v s="$sync_added" 'BEGIN {
        vs = ""; target = "";
        if (p ~ /^completed/) {
            vs = sprintf("%+.2f ns", t - b - s);
            target = (t - b - s <= 5 && tb - bb == 0) ? "met" : "missed";
        } else if (p ~ /^pending/) {
            target = (t - b <= 150 ? "" : "ns ") (tb - bb <= 64 ? "" : "bytes ");
            target = (target == "") ? "met" : "missed: " substr(target, 1, length(target) - 1);
        }
        line = sprintf("  %-16s %7.2f ns %7.2f ns %+7.2f ns %10.2f B %10s  %s", p, b, t, t - b, tb - bb, vs, target);
        sub(/ +$/, "", line); print line }'
    if [[ -n ${BENCH_RESULTS:-} ]]; then
        printf 'async\t%s\tbaseline\t%s\t%s\nasync\t%s\ttiming\t%s\t%s\n' "$p" "$b" "$bb" "$p" "$t" "$tb" >>"$BENCH_RESULTS"
    fi
done
echo "the runtime's ContinueWith alone (the app registering it, uninstrumented; baseline medians):"
for pair in same-pending:pending same-awaited:pending-awaited; do
    r=${pair%%:*} p=${pair#*:}
    awk -v r="$r" -v p="$p" -v rb="$(field baseline "$r" 2 | median)" -v pb="$(field baseline "$p" 2 | median)" \
        -v rbb="$(field baseline "$r" 3 | median)" -v pbb="$(field baseline "$p" 3 | median)" \
        'BEGIN { printf "  %-16s %7.2f ns, %+7.2f ns and %+.2f B over %s\n", r, rb, rb - pb, rbb - pbb, p }'
done
echo "runs, ns per call (baseline | timing):"
for p in "${probes[@]}"; do
    printf '  %-16s %s | %s\n' "$p" "$(field baseline "$p" 2 | paste -sd' ')" "$(field timing "$p" 2 | paste -sd' ')"
done
