#!/usr/bin/env bash
# Live instrumentation, measured (issue 16): medians over RUNS of
#   save     a rules file saved (renamed into place) -> the profiler's
#            "reloaded" log line, written once the runtime has confirmed the
#            ReJIT requests: the next call of the method runs instrumented;
#   attach   `nrprof attach` started -> the "attached:" line (the modules
#            loaded before matched and their ReJITs confirmed);
#   reload   the reload itself with 1,000 rules (the profiler's debug timer:
#            loading and checking the files, matching the loaded modules,
#            comparing and asking the runtime), on the Signals app.
# Log lines carry millisecond timestamps: the first two are to the ms.
#
# Usage: bench/live.sh [RUNS] [net10|net8]
# Needs a build and the e2e apps (ctest -R e2e.build-apps).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11} runtime=${2:-net10}
build=${NRP_BUILD_DIR:-$PWD/build}
bundle=$build/bundle
apps=$build/tests/e2e/apps
[[ -f $apps/$runtime/Signals.dll ]] || { echo "build the e2e apps first: ctest -R e2e.build-apps" >&2; exit 1; }
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\|DOTNET_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
clsid=$(sed -n 's/.*NRP_PROFILER_CLSID_TEXT "\(.*\)".*/\1/p' host/clr/clsid.h)
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

now_ms() { date +%s%3N; }
# The epoch milliseconds of the last log line matching REGEX, or nothing.
line_ms() {
    local ts
    ts=$(grep -E "$2" "$1" | tail -1 | cut -d' ' -f1) || true
    [[ -n $ts ]] && date -d "$ts" +%s%3N
}
wait_line() { # LOG REGEX COUNT: until COUNT lines match (10 s at most)
    local n
    for _ in $(seq 1000); do
        n=$(grep -cE "$2" "$1" 2>/dev/null) || n=${n:-0}
        (( n >= $3 )) && return 0
        sleep 0.01
    done
    echo "no line /$2/ in $1" >&2; return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rules() { # FILE RULE_COUNT: N rules on Signals.Work (the first on Step, the others on methods it lacks)
    local i method
    { printf 'version: 1\nsettings:\n  metrics: { interval_s: 0 }\nrules:\n'
      for ((i = 0; i < $2; i++)); do
          method=$([[ $i == 0 ]] && echo Step || echo "Missing$i")
          printf '  - name: r%s\n    match: { assembly: Signals, type: Signals.Work, method: %s }\n    strategy: timing\n' "$i" "$method"
      done; } >"$1.new"
    mv "$1.new" "$1"
}
profiled_signals() { # LOG CONFIG: the Signals app, waiting, under the profiler
    env CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$clsid" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" \
        NRP_LOG_FILE="$1" NRP_LOG_LEVEL=debug NRP_CONFIG="$2" NRP_METRICS_FILE="$tmp/m.prom" \
        dotnet "$apps/$runtime/Signals.dll" wait 0 >/dev/null 2>&1 &
    pids+=($!)
    wait_line "$1" ' info  nrprof ' 1
}

# save -> reloaded, alternately with 1 and 2 rules
rules "$tmp/save.yaml" 1
profiled_signals "$tmp/save.log" "$tmp/save.yaml"
for ((i = 1; i <= runs; i++)); do
    start=$(now_ms)
    rules "$tmp/save.yaml" $((i % 2 + 1))
    wait_line "$tmp/save.log" ' reloaded: ' "$i"
    echo $(( $(line_ms "$tmp/save.log" ' reloaded: ') - start ))
done >"$tmp/save.ms"

# nrprof attach -> attached
rules "$tmp/attach.yaml" 1
for ((i = 1; i <= runs; i++)); do
    dotnet "$apps/$runtime/Signals.dll" wait 0 >"$tmp/app.out" 2>/dev/null &
    app=$!
    pids+=("$app")
    for _ in $(seq 500); do grep -qx ready "$tmp/app.out" && break; sleep 0.01; done
    printf 'version: 1\nsettings:\n  log_file: %s\n  metrics: { path: %s, interval_s: 0 }\n' "$tmp/attach$i.log" "$tmp/m.prom" \
        >"$tmp/attach$i.yaml"
    grep -v '^version\|^settings\|^  metrics' "$tmp/attach.yaml" >>"$tmp/attach$i.yaml"
    start=$(now_ms)
    "$bundle/bin/nrprof" attach "$app" --config "$tmp/attach$i.yaml" >/dev/null
    wait_line "$tmp/attach$i.log" ' attached: ' 1
    echo $(( $(line_ms "$tmp/attach$i.log" ' attached: ') - start ))
    kill "$app"
done >"$tmp/attach.ms"

# a reload with 1,000 rules (and back to 1), the profiler's own timer
rules "$tmp/big.yaml" 1
profiled_signals "$tmp/big.log" "$tmp/big.yaml"
for ((i = 1; i <= runs; i++)); do
    rules "$tmp/big.yaml" $(( i % 2 ? 1000 : 1 ))
    wait_line "$tmp/big.log" ' reloaded: ' "$i"
done
grep -A0 'debug reload: ' "$tmp/big.log" | awk 'NR % 2 == 1' | sed -n 's/.* reload: \([0-9.]*\) ms.*/\1/p' >"$tmp/big.ms"
detail=$(grep 'debug reload: ' "$tmp/big.log" | awk 'NR % 2 == 1' | tail -1 | sed 's/.*debug reload: //')

printf 'live instrumentation (%s), %d runs each, medians (ms)\n' "$runtime" "$runs"
printf '  save -> reloaded (next call instrumented)   %s\n' "$(median <"$tmp/save.ms")"
printf '  nrprof attach -> attached                   %s\n' "$(median <"$tmp/attach.ms")"
printf '  reload of 1,000 rules (profiler timer)      %s   (last: %s)\n' "$(median <"$tmp/big.ms")" "$detail"
