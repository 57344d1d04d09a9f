#!/usr/bin/env bash
# Usage: run_case.sh CASE RUNTIME BUNDLE_DIR APPS_DIR WORK_DIR
# Runs the Demo app without and then with the profiler and checks the
# outcome of CASE exactly. RUNTIME is net10 (SDK runtime), net8
# (self-contained .NET 8), net10-oldglibc (the SDK runtime on the older
# glibc in NRP_OLD_GLIBC_ROOT, see tests/glibc_floor), or net10-musl and
# net8-musl (self-contained on the musl runtime, for the musl bundle; see
# build_apps.sh). CORECLR_* are set only on the profiled run.
set -uo pipefail
case_name=$1 runtime=$2 bundle=$3 apps=$4 work=$5
CLSID='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}'
EXIT_ARG=7   # the app exits with this code: the profiler must not change it

rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL [$case_name/$runtime]: $*"; failures=$((failures + 1)); }
pass() { echo "ok   [$case_name/$runtime]: $*"; }

app_name=Demo
[[ $case_name == fidelity-* ]] && app_name=Workload
[[ $case_name == shapes-* ]] && app_name=Shapes
[[ $case_name == default-rules ]] && app_name=Bundle
[[ $case_name == refstructs-* ]] && app_name=RefStructs
[[ $case_name == unload ]] && app_name=Unload
[[ $case_name == vb-* ]] && app_name=VbApp
[[ $case_name == async || $case_name == tracer-await ]] && app_name=Async
[[ $case_name == tracer-await ]] && export ASYNC_SKIP_FORGET=1   # both runs: OnExit observes what it is given
[[ $case_name == signal-* || $case_name == run-sig* || $case_name == thread-stacks || $case_name == reload ||
   $case_name == api ]] && app_name=Signals
[[ $case_name == percentiles ]] && export DEMO_SPIN=1   # Demo runs only its Spin methods, on both runs
expected_dir="$(cd "$(dirname "$0")" && pwd)/expected"
case $runtime in
    net10) app=(dotnet "$apps/net10/$app_name.dll") ;;
    net8) app=("$apps/net8/$app_name") ;;
    net10-musl | net8-musl)
        if [[ ! -x $apps/$runtime/$app_name ]]; then
            echo "skipped: no $runtime apps in $apps (scripts/setup-musl-runtime.sh builds what the musl runtime needs)"
            exit 77
        fi
        app=("$apps/$runtime/$app_name") ;;
    net10-oldglibc)
        . "$(dirname "$0")/../glibc_floor/old_glibc.sh"
        old_glibc_init "${NRP_OLD_GLIBC_ROOT:-}" || exit 1
        old_glibc_dotnet "$work/dotnet"
        # The old root has no ICU: invariant globalization, on both runs.
        app=(env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$work/dotnet/dotnet" "$apps/net10/$app_name.dll") ;;
    *) echo "unknown runtime $runtime"; exit 2 ;;
esac

baseline() {
    env -u CORECLR_ENABLE_PROFILING "${app[@]}" "$EXIT_ARG" >"$work/base.out" 2>"$work/base.err"
    echo $? >"$work/base.rc"
}

# fidelity STRATEGY: every method of three ReadyToRun framework assemblies and
# of Newtonsoft.Json (NuGet) rewritten with STRATEGY; nothing may change.
fidelity() {
    local strategy=$1 await=${2:-} rule total
    {
        echo "version: 1"
        echo "rules:"
        # Every method: wildcards leave out what the compiler made up (state
        # machines, closures, lambdas), which rules with a '<' name explicitly.
        for rule in linq:System.Linq collections:System.Collections json:System.Text.Json newtonsoft:Newtonsoft.Json; do
            for part in ":*:*" "-made-types:*<*:*" "-lambdas:*:<*" "-made-lambdas:*<*:<*"; do
                IFS=: read -r suffix type method <<<"$part"
                echo "  - name: ${rule%%:*}$suffix"
                echo "    match: { assembly: ${rule#*:}, type: \"$type\", method: \"$method\" }"
                echo "    strategy: $strategy"
                if [[ $strategy == tracer ]]; then
                    echo "    options: { handler: { assembly: Null.Hooks, type: Null.Hooks.Trace, enter: OnEnter, exit: OnExit }${await:+, await: true} }"
                fi
            done
        done
    } >"$work/rules.yaml"
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_app_unchanged
    # thousands of methods of every shape: the offline names are the runtime's
    expect_preview "$work/rules.yaml"
    if grep -q InvalidProgramException "$work/prof.out" "$work/prof.err"; then fail "InvalidProgramException"; else pass "no InvalidProgramException"; fi
    expect_log_total error 0
    expect_log_total warn 0
    expect_metric "nrp_method_rewrite_failures_total 0"
    expect_metric "nrp_methods_skipped_total 0"
    total=$(sed -n 's/^nrp_methods_rewritten_total \([0-9]*\)$/\1/p' "$work/metrics.prom")
    if (( ${total:-0} >= 2000 )); then pass "$total methods rewritten with $strategy"
    else fail "only ${total:-0} methods rewritten (expected thousands)"; fi
    # methods without IL are skipped, each with its reason at debug level
    for why in "abstract" "runtime-implemented or native code"; do
        local skips
        skips=$(grep -cE " debug skipping [^ ]+: $why$" "$work/profiler.log")
        if (( skips > 0 )); then pass "$skips methods skipped as $why"; else fail "no method skipped as $why"; fi
    done
    for rule in linq collections json newtonsoft; do
        local n
        n=$(grep -c "rewrote .* with rule '$rule'" "$work/profiler.log")
        if (( n >= 100 )); then pass "rule $rule: $n methods rewritten"
        else fail "rule $rule: only $n methods rewritten"; fi
    done
    # iterators' and async methods' state machines, closures and lambdas, named with '<'
    for rule in linq-made-types:20 json-made-types:10 newtonsoft-made-types:10 linq-made-lambdas:5 newtonsoft-made-lambdas:5; do
        local n
        n=$(grep -c "rewrote .* with rule '${rule%%:*}'" "$work/profiler.log")
        if (( n >= ${rule#*:} )); then pass "rule ${rule%%:*}: $n methods rewritten"
        else fail "rule ${rule%%:*}: only $n methods rewritten"; fi
    done
    if [[ $strategy == timing || -n $await ]]; then
        # Every method that returns a task is timed until the task completes:
        # each has a cancellations series, and its module the class that
        # waits (the Workload awaits, faults and cancels some of them).
        # (10 of System.Text.Json's and 49 of Newtonsoft.Json's on .NET 8 and 10)
        local tasks class='<nrp>TaskWatch'
        [[ -n $await ]] && class='<nrp>TaskExit.1'
        if [[ $strategy == timing ]]; then
            for rule in json:10 newtonsoft:40; do
                tasks=$(grep -cE "^nrp_method_cancellations_total\{rule=\"${rule%%:*}(-[a-z-]+)?\"" "$work/metrics.prom")
                if (( tasks >= ${rule#*:} )); then pass "rule ${rule%%:*}: $tasks methods that return a task waited for"
                else fail "rule ${rule%%:*}: only $tasks methods that return a task waited for"; fi
            done
        fi
        expect_log 1 debug "defined $class in System.Text.Json "
        expect_log 1 debug "defined $class in Newtonsoft.Json "
    fi
}

# profiled BUNDLE [VAR=VALUE...]: run under the profiler loaded from BUNDLE.
# A run that hangs is stopped (exit code 124) well before ctest's timeout.
profiled() {
    local b=$1; shift
    timeout 200 env "${sanitizer_env[@]}" CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID" \
        CORECLR_PROFILER_PATH="$b/libNewRelicProfiler.so" \
        NRP_LOG_FILE="$work/profiler.log" NRP_METRICS_FILE="$work/metrics.prom" "$@" \
        "${app[@]}" "$EXIT_ARG" >"$work/prof.out" 2>"$work/prof.err"
    echo $? >"$work/prof.rc"
    if (( ${#sanitizer_env[@]} )); then expect_no_sanitizer_report; fi
}

# A sanitized build (cmake/Sanitizers.cmake, preset asan) sets NRP_E2E_PRELOAD to the sanitizer runtimes its bundle
# needs: dotnet is not sanitized, and ASan must be the first library of the process, so they are preloaded into
# the profiled run (only: the baseline stays the plain app). Any report fails the case: ASan's go to files in
# $work/sanitizer (log_path); UBSan's cannot (gcc's libubsan sets its log_path through a function libasan
# interposes) and go to the app's stderr, where they are looked for. Both exit with code 99. Options:
# - detect_leaks=0: the runtime keeps what it allocates until the process ends, and LeakSanitizer sees every
#   malloc of the process (about 30 of the runtime's own blocks per run); a leak cannot be told from those by its
#   stack, since our code runs inside the runtime's callbacks. The unit tests check the host for leaks.
# - halt_on_error=1 (both): stop at the first report; exitcode=99 fails the exit code checks too.
# - detect_stack_use_after_return=1, strict_string_checks=1: as in the unit tests (tests/sanitize/clean_run.sh).
# - Signals are left to the defaults: the runtime installs its SIGSEGV handler after ASan's (allowed by
#   allow_user_segv_handler=1, the default) and turns faults in managed code into NullReferenceException itself;
#   a fault outside managed code (ours) it passes on to ASan's handler, which reports it with a stack. So neither
#   handle_segv=0 nor use_sigaltstack=0 is needed (an app catching NullReferenceExceptions runs unchanged).
sanitizer_env=()
if [[ -n ${NRP_E2E_PRELOAD:-} ]]; then
    mkdir -p "$work/sanitizer"
    asan="detect_leaks=0:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:exitcode=99"
    sanitizer_env=(LD_PRELOAD="$NRP_E2E_PRELOAD" ASAN_OPTIONS="$asan:log_path=$work/sanitizer/asan"
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=99")
fi
expect_no_sanitizer_report() {
    local r reports=("$work"/sanitizer/*)
    if [[ -e ${reports[0]} ]]; then
        fail "${#reports[@]} sanitizer report(s), profiled run's exit code $(cat "$work/prof.rc"):"
        for r in "${reports[@]}"; do echo "=== $r:"; cat "$r"; done
    elif grep -q ': runtime error: ' "$work/prof.err"; then
        fail "UBSan report, profiled run's exit code $(cat "$work/prof.rc"):"; cat "$work/prof.err"
    else pass "no sanitizer report"; fi
}

expect_app_unchanged() {
    if cmp -s "$work/base.out" "$work/prof.out"; then pass "stdout byte-identical ($(wc -c <"$work/prof.out") bytes)"
    else fail "stdout differs"; diff "$work/base.out" "$work/prof.out" | head -20; fi
    if [[ $(cat "$work/base.rc") == "$EXIT_ARG" && $(cat "$work/prof.rc") == "$EXIT_ARG" ]]; then
        pass "exit code $EXIT_ARG with and without the profiler"
    else fail "exit codes: baseline $(cat "$work/base.rc"), profiled $(cat "$work/prof.rc"), expected $EXIT_ARG"; fi
    if [[ -s "$work/prof.err" ]]; then fail "app stderr not empty:"; head -5 "$work/prof.err"; fi
}

expect_metric() { # exact line
    if grep -Fxq -- "$1" "$work/metrics.prom" 2>/dev/null; then pass "metric: $1"
    else fail "metric line missing: $1"; echo "--- metrics:"; cat "$work/metrics.prom" 2>/dev/null; fi
}

expect_log() { # count, level, regex
    local n
    n=$(grep -cE " nrprof\[[0-9]+\] $2 +$3" "$work/profiler.log" 2>/dev/null)
    if [[ "$n" == "$1" ]]; then pass "$1 $2 log line(s) matching /$3/"
    else fail "expected $1 $2 log line(s) matching /$3/, found $n"; echo "--- log:"; cat "$work/profiler.log" 2>/dev/null; fi
}

# expect_preview RULES [--rewritten] [--loaded]: `nrprof check --app` on this app lists, under each
# rule, exactly the methods the profiler selected in the run just made (a run at debug level); with
# --rewritten (the app calls every one of them), exactly those it rewrote too; with --loaded (a run
# at trace level), in the assemblies the app loaded.
expect_preview() {
    local rules=$1 dll="$apps/$runtime/$app_name.dll"
    [[ -f $dll ]] || dll="$apps/net10/$app_name.dll"
    if ! "$bundle/bin/nrprof" check --app "$dll" "$rules" >"$work/preview.out" 2>"$work/preview.err"; then
        fail "nrprof check --app $dll failed:"; cat "$work/preview.out" "$work/preview.err"; return
    fi
    local verdict
    if verdict=$(python3 "$(dirname "$0")/compare_preview.py" "$work/preview.out" "$work/profiler.log" "${@:2}"); then
        local what=selected
        [[ " ${*:2} " == *" --rewritten "* ]] && what="selected and rewrote"
        pass "nrprof check --app agrees with the profiler ($what): $verdict"
    else fail "nrprof check --app and the profiler differ:"; echo "$verdict"; cat "$work/preview.out"; fi
}

expect_log_total() { # level, count
    local n
    n=$(grep -cE " nrprof\[[0-9]+\] $1 " "$work/profiler.log" 2>/dev/null)
    if [[ "$n" == "$2" ]]; then pass "$2 $1 line(s) in the log in all"
    else fail "expected $2 $1 line(s) in the log, found $n"; cat "$work/profiler.log"; fi
}

expect_stdout() { # the profiled run's stdout equals expected/FILE byte for byte
    if cmp -s "$expected_dir/$1" "$work/prof.out"; then pass "stdout equals expected/$1 ($(wc -l <"$work/prof.out") lines)"
    else fail "stdout differs from expected/$1"; diff "$expected_dir/$1" "$work/prof.out" | head -30; fi
}

expect_traced_stdout() { # the tracer's run: stdout equals expected/FILE, the app's own lines and exit code unchanged
    expect_stdout "$1"
    grep -v '^  [<>] ' "$work/prof.out" >"$work/app-lines.out"
    if cmp -s "$work/base.out" "$work/app-lines.out"; then pass "the app's own lines unchanged"; else fail "the app's own lines changed"; fi
    if [[ $(cat "$work/prof.rc") == "$EXIT_ARG" ]]; then pass "exit code $EXIT_ARG"; else fail "exit code $(cat "$work/prof.rc")"; fi
}

# expect_min_duration RULE METHOD COUNT SECONDS: COUNT durations recorded for an async method (async="true"),
# their mean at least SECONDS, and none in a bucket whose bound is under SECONDS.
expect_min_duration() {
    local series="rule=\"$1\",method=\"$2\",async=\"true\"" n sum below
    n=$(grep -F "nrp_method_duration_seconds_count{$series} " "$work/metrics.prom" | awk '{ print $NF }')
    sum=$(grep -F "nrp_method_duration_seconds_sum{$series} " "$work/metrics.prom" | awk '{ print $NF }')
    below=$(grep -F "nrp_method_duration_seconds_bucket{$series,le=" "$work/metrics.prom" |
        awk -v min="$4" '{ le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le)
                           if (le != "+Inf" && le + 0 < min && $NF + 0 > n) n = $NF + 0 } END { print n + 0 }')
    if [[ $n == "$3" ]] && awk -v s="$sum" -v n="$n" -v min="$4" 'BEGIN { exit !(n > 0 && s / n >= min) }' &&
       [[ $below == 0 ]]; then
        pass "$1: $n durations of $2, none under $4 s (mean $(awk -v s="$sum" -v n="$n" 'BEGIN { printf "%.4f", s / n }') s)"
    else
        fail "$1: expected $3 durations of at least $4 s for $2: count '$n', sum '$sum', $below in buckets under $4 s"
        grep -F "$series" "$work/metrics.prom"
    fi
}

expect_series() { # FILE REGEX: the metric lines matching REGEX, sorted, equal expected/FILE
    grep -E "$2" "$work/metrics.prom" | LC_ALL=C sort >"$work/series"
    if cmp -s "$expected_dir/$1" "$work/series"; then pass "series exactly as expected/$1 ($(wc -l <"$work/series") series)"
    else fail "series differ from expected/$1"; diff "$expected_dir/$1" "$work/series"; fi
}

ADD_INT='nrp_method_calls_total{rule="add",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
ADD_LONG='nrp_method_calls_total{rule="add",method="Demo.Calculator::Add(System.Int64,System.Int64)"} 1'
RANGE='nrp_method_calls_total{rule="linq-range",method="System.Linq.Enumerable::Range(System.Int32,System.Int32)"} 250'
# The Demo app's own rules, add and linq-range (the bundle ships production rules only).
DEMO_RULES="$(cd "$(dirname "$0")" && pwd)/apps/Demo/rules.yaml"

# The Signals app's counted method, and its rule with metrics every INTERVAL seconds.
STEP='nrp_method_calls_total{rule="step",method="Signals.Work::Step(System.Int32)"}'
launcher=()

# nine_rules: nine timing rules on Demo.Calculator::Add, priorities 1 to 9: one over the cap,
# so each of Add's two overloads gives one warning naming rule r1, left out.
nine_rules() {
    { echo "version: 1"; echo "rules:"
      for i in 1 2 3 4 5 6 7 8 9; do
          printf '  - name: r%s\n    match: { assembly: Demo, type: Demo.Calculator, method: Add }\n' "$i"
          printf '    strategy: timing\n    priority: %s\n' "$i"
      done; } >"$work/rules.yaml"
}
LEFT_OUT='9 rules select Demo.Calculator::Add\(System.Int(32|64),System.Int(32|64)\); the 8 of highest priority apply, these are left out: .r1.$'

# unlogged CONFIG METRICS: a profiled run with no NRP_LOG_FILE; the pid the app had (exec keeps
# the shell's) is in $work/pid.
unlogged() {
    sh -c 'echo $$ >"$0"; exec "$@"' "$work/pid" env "${sanitizer_env[@]}" CORECLR_ENABLE_PROFILING=1 \
        CORECLR_PROFILER="$CLSID" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_CONFIG="$1" \
        NRP_METRICS_FILE="$2" "${app[@]}" "$EXIT_ARG" >"$work/prof.out" 2>"$work/prof.err"
    echo $? >"$work/prof.rc"
}

signal_rules() { # INTERVAL
    printf 'version: 1\nsettings:\n  metrics: { interval_s: %s }\nrules:\n  - name: step\n' "$1" >"$work/rules.yaml"
    printf '    match: { assembly: Signals, type: Signals.Work, method: Step }\n    strategy: timing\n' >>"$work/rules.yaml"
}

wait_for() { # what, then a command that succeeds once it is there: polled for up to 60 s
    local what=$1 i; shift
    for ((i = 0; i < 600; i++)); do "$@" && return 0; sleep 0.1; done
    fail "no $what after 60 s"; return 1
}

# stopped RUN MODE SIGNAL [VAR=VALUE...]: runs the Signals app in MODE, without the profiler
# (RUN=base) or with it and VAR=VALUE (RUN=prof), sends SIGNAL once the app says "ready" and
# keeps its stdout in RUN.out and its exit status as the shell reports it (143 for SIGTERM,
# 130 for SIGINT) in RUN.rc. The profiled run starts through the command in the array
# launcher, if any (nrprof run). In `phases` mode the app waits for the file go; the profiled
# run first waits for the periodic export of the first 5 calls. A command the shell starts in
# the background ignores SIGINT: --default-signal gives it the action it has in a terminal.
stopped() {
    local run=$1 mode=$2 sig=$3 pid dog; shift 3
    local -a with=(-u CORECLR_ENABLE_PROFILING)
    [[ $run == prof ]] && with=(CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID"
        CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_LOG_FILE="$work/profiler.log"
        NRP_METRICS_FILE="$work/metrics.prom" "${sanitizer_env[@]}" "$@")
    rm -f "$work/go"
    local -a via=()
    [[ $run == prof ]] && via=("${launcher[@]}")
    env --default-signal=INT "${with[@]}" "${via[@]}" "${app[@]}" "$mode" "$EXIT_ARG" "$work/go" >"$work/$run.out" 2>"$work/$run.err" &
    pid=$!
    # Never hang ctest: whatever happens, the app is gone after 120 s. The
    # watchdog takes its sleep with it when it is stopped.
    (trap 'kill "$s"; exit 0' TERM; sleep 120 & s=$!; wait "$s" && kill -KILL "$pid") >/dev/null 2>&1 &
    dog=$!
    if [[ $mode == phases ]]; then
        wait_for "\"phase 1\" line" grep -qx "phase 1" "$work/$run.out"
        [[ $run == prof ]] && wait_for "periodic export of 5 calls" grep -Fxqs "$STEP 5" "$work/metrics.prom"
        touch "$work/go"
    fi
    wait_for "\"ready\" line" grep -qx ready "$work/$run.out"
    kill -s "$sig" "$pid"
    wait "$pid"
    echo $? >"$work/$run.rc"
    kill "$dog" 2>/dev/null
}

expect_stopped_like_baseline() { # EXIT_STATUS: both runs ended with it, with the same stdout, and nothing on stderr
    if cmp -s "$work/base.out" "$work/prof.out"; then pass "stdout byte-identical ($(wc -l <"$work/prof.out") lines)"
    else fail "stdout differs"; diff "$work/base.out" "$work/prof.out" | head -20; fi
    if [[ $(cat "$work/base.rc") == "$1" && $(cat "$work/prof.rc") == "$1" ]]; then pass "exit status $1 with and without the profiler"
    else fail "exit status: baseline $(cat "$work/base.rc"), profiled $(cat "$work/prof.rc"), expected $1"; fi
    if [[ -s "$work/prof.err" ]]; then fail "app stderr not empty:"; head -5 "$work/prof.err"; fi
    if (( ${#sanitizer_env[@]} )); then expect_no_sanitizer_report; fi
}

[[ $case_name == signal-* || $case_name == run-sig* || $case_name == thread-stacks || $case_name == reload ||
   $case_name == api || $case_name == check-* ]] || baseline
case $case_name in
counts)
    # The Demo app's rules: one on the app's method and one on a ReadyToRun
    # framework method (reached only through ReJIT).
    profiled "$bundle" NRP_CONFIG="$DEMO_RULES"
    expect_app_unchanged
    expect_metric "$ADD_INT"
    expect_metric "$ADD_LONG"
    expect_metric "$RANGE"
    # ... and Enumerable.Range really is precompiled code in the runtime used.
    if [[ $runtime == net8* || $runtime == *-musl ]]; then linq="$apps/$runtime/System.Linq.dll"
    else linq=$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\) \[\(.*\)\]$/\2\/\1\/System.Linq.dll/p' | sort -V | tail -1); fi
    if "$(dirname "$0")/readytorun.py" "$linq" >/dev/null; then pass "$linq is ReadyToRun"
    else fail "$linq is not ReadyToRun: the Range case proves nothing"; fi
    # nrprof report reads what this run wrote: the calls and the rewrite totals.
    "$bundle/bin/nrprof" report "$work/metrics.prom" >"$work/report.out" 2>"$work/report.err"
    report_rc=$?
    if [[ $report_rc == 0 ]] && grep -Eq '^Demo\.Calculator::Add\(System\.Int32,System\.Int32\) +add +1000 +0 ' "$work/report.out" &&
       grep -Eq '^System\.Linq\.Enumerable::Range\(System\.Int32,System\.Int32\) +linq-range +250 +0 ' "$work/report.out" &&
       grep -qx 'methods: 3 rewritten, 0 skipped, 0 failed to rewrite' "$work/report.out"; then
        pass "nrprof report: Add 1000 calls, Range 250, 3 rewritten"
    else fail "nrprof report (exit $report_rc):"; cat "$work/report.out" "$work/report.err"; fi
    # ... and on musl, the app and the runtime really are musl's: no glibc in the process.
    if [[ $runtime == *-musl ]]; then
        rt=$(dirname "${app[0]}")
        if readelf -l "${app[0]}" | grep -q 'interpreter: /lib/ld-musl-x86_64.so.1' &&
           readelf -d "$rt/libcoreclr.so" | grep -q 'NEEDED.*libc.musl-x86_64.so.1' &&
           ! readelf -d "$rt"/*.so | grep -q 'NEEDED.*libc.so.6'; then pass "the apphost and runtime are built for musl"
        else fail "the app in $rt is not a musl one"; fi
    fi
    expect_metric "nrp_methods_rewritten_total 3"
    expect_metric "nrp_method_rewrite_failures_total 0"
    # Only the plugin the rules use is loaded, found by its name.
    expect_log 1 info "nrprof [0-9.]+: clock (tsc|monotonic); config $DEMO_RULES: 2 rule\(s\), 2 active; plugins: timing [0-9.]+ \(SDK [0-9.]+\) \[timing\]; metrics to $work/metrics.prom"
    expect_log_total error 0
    expect_log_total warn 0
    ;;
default-metrics-path)
    # Without NRP_METRICS_FILE the counters go to /tmp/nrprof-{pid}.prom.
    env CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" \
        NRP_CONFIG="$DEMO_RULES" NRP_LOG_FILE="$work/profiler.log" "${app[@]}" "$EXIT_ARG" >"$work/prof.out" 2>"$work/prof.err"
    echo $? >"$work/prof.rc"
    expect_app_unchanged
    pid=$(sed -n 's/.* nrprof\[\([0-9]*\)\] info .*/\1/p' "$work/profiler.log" | head -1)
    if [[ -n "$pid" && -f "/tmp/nrprof-$pid.prom" ]]; then
        mv "/tmp/nrprof-$pid.prom" "$work/metrics.prom"
        pass "metrics written to /tmp/nrprof-$pid.prom"
        expect_metric "$ADD_INT"
    else fail "no /tmp/nrprof-{pid}.prom for pid '$pid'"; fi
    ;;
custom-config)
    # NRP_CONFIG wins over the bundle's file; wildcards pick both overloads.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: calc
    match: { assembly: "Dem?", type: "Demo.*", method: "A*" }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_metric 'nrp_method_calls_total{rule="calc",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
    expect_metric 'nrp_method_calls_total{rule="calc",method="Demo.Calculator::Add(System.Int64,System.Int64)"} 1'
    expect_log 1 info "nrprof [0-9.]+: clock (tsc|monotonic); config $work/rules.yaml: 1 rule\\(s\\), 1 active; "   # only NRP_CONFIG's rules
    ;;
bad-config)
    # Every problem is reported, each at its FILE:LINE:COL, and the whole
    # configuration is refused.
    printf 'version: 1\nrules:\n  - name: add\n    match: { assembly: Demo, type: Demo.Calculator }\n    strategy: timing\n    priority: high\n' >"$work/bad.yaml"
    profiled "$bundle" NRP_CONFIG="$work/bad.yaml"
    expect_app_unchanged
    expect_log 1 error "$work/bad.yaml:4:12: error: match is missing required key 'method'$"
    expect_log 1 error "$work/bad.yaml:6:15: error: 'priority' must be an integer$"
    expect_log 1 error "config $work/bad.yaml rejected \(2 errors\); the process runs uninstrumented$"
    expect_log_total error 3
    if [[ -e "$work/metrics.prom" ]]; then fail "metrics written by a cancelled profiler"; else pass "no metrics file"; fi
    # nrprof check reports exactly what the profiler logged
    "$bundle/bin/nrprof" check "$work/bad.yaml" >"$work/check.out" 2>"$work/check.err"
    check_rc=$?
    grep ': error: ' "$work/check.err" >"$work/check.errors"
    sed -n 's/^[^ ]* nrprof\[[0-9]*\] error //p' "$work/profiler.log" | grep ': error: ' >"$work/log.errors"
    if [[ $check_rc == 1 ]] && [[ -s "$work/check.errors" ]] && cmp -s "$work/check.errors" "$work/log.errors"; then
        pass "nrprof check (exit 1) prints the same $(wc -l <"$work/check.errors") errors as the log"
    else fail "nrprof check (exit $check_rc) and the log differ"; diff "$work/check.errors" "$work/log.errors"; fi
    ;;
missing-config)
    profiled "$bundle" NRP_CONFIG="$work/does-not-exist.yaml"
    expect_app_unchanged
    expect_log 1 error "$work/does-not-exist.yaml: error: cannot open: No such file or directory$"
    expect_log 1 error "config $work/does-not-exist.yaml rejected \(1 error\); the process runs uninstrumented$"
    expect_log_total error 2
    ;;
missing-strategy)
    # A rule naming a strategy no plugin provides is a configuration error.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: add
    match: { assembly: Demo, type: Demo.Calculator, method: Add }
    strategy: timing
  - name: ghost
    match: { assembly: Demo, type: Demo.Calculator, method: Add }
    strategy: no-such-strategy
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 error "$work/rules.yaml:8:15: error: unknown strategy 'no-such-strategy' \(loaded plugins provide: roundtrip, timing, tracer, wrap\)$"
    expect_log 1 error "config $work/rules.yaml rejected \(1 error\); the process runs uninstrumented$"
    expect_log_total error 2
    if [[ -e "$work/metrics.prom" ]]; then fail "metrics written by a cancelled profiler"; else pass "no metrics file"; fi
    ;;
bad-input)
    # A sample of the generated bad-input corpus (tests/badinput), every
    # 50th file plus every hostile one, through the profiler in the real
    # app: whatever the rules file holds, the app's output, stderr and
    # exit code are those of the run without the profiler.
    corpus="$work/corpus"
    python3 "$(dirname "$0")/../badinput/make_corpus.py" "$corpus" "$(dirname "$0")/../../config/instrumentation.yaml" \
        >/dev/null
    n=0 i=0
    for f in "$corpus"/*.yaml; do
        i=$((i + 1))
        [[ $f == */hostile-* ]] || (( i % 50 == 0 )) || continue
        n=$((n + 1))
        profiled "$bundle" NRP_CONFIG="$f"
        if ! cmp -s "$work/base.out" "$work/prof.out" || [[ $(cat "$work/prof.rc") != "$EXIT_ARG" ]] ||
           [[ -s "$work/prof.err" ]]; then
            fail "$(basename "$f"): the app changed (exit code $(cat "$work/prof.rc"))"; head -3 "$work/prof.err"
        fi
    done
    if (( n > 80 && failures == 0 )); then pass "$n rules files: the app's output and exit code unchanged for each"
    else fail "$n rules files tried"; fi
    ;;
reload)
    # The rules files edited while the app runs (settings.reload, on by
    # default), between the Signals app's three phases of calls to Step and
    # Other: a rule added in a file dropped into the included folder is
    # applied (Other counted from phase 2), a main file with an error
    # changes nothing, a rule removed from it is reverted (Step no longer
    # counted in phase 3, its series kept with its last value), the rule
    # that stays keeps counting. Each new file is saved as editors do:
    # written aside, then renamed over the old one.
    rule_text() { # NAME: a rule on Signals.Work's method of that name, capitalised
        printf '  - name: %s\n    match: { assembly: Signals, type: Signals.Work, method: %s }\n    strategy: timing\n' "$1" "${1^}"
    }
    rules_with() { # RULE...: the main file, with step and/or nothing; it includes d/*.yaml
        { printf 'version: 1\ninclude: [d/*.yaml]\nsettings:\n  metrics: { interval_s: 0 }\n'
          if (( $# )); then echo "rules:"; else echo "rules: []"; fi
          for r in "$@"; do rule_text "$r"; done; } >"$work/rules.yaml.new"
        mv "$work/rules.yaml.new" "$work/rules.yaml"
    }
    reloaded() { [[ $(grep -c " info  config $work/rules.yaml reloaded: " "$work/profiler.log") == "$1" ]]; }
    rm -rf "$work/go" "$work/go.2" "$work/d"
    mkdir "$work/d"
    touch "$work/base-go" "$work/base-go.2"
    "${app[@]}" reload "$EXIT_ARG" "$work/base-go" >"$work/base.out" 2>"$work/base.err"
    echo $? >"$work/base.rc"
    rules_with step
    env "${sanitizer_env[@]}" CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID" \
        CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_LOG_FILE="$work/profiler.log" \
        NRP_METRICS_FILE="$work/metrics.prom" NRP_CONFIG="$work/rules.yaml" \
        "${app[@]}" reload "$EXIT_ARG" "$work/go" >"$work/prof.out" 2>"$work/prof.err" &
    pid=$!
    wait_for "\"phase 1\"" grep -qx "phase 1" "$work/prof.out"
    # A file dropped into the included folder, as an agent may: renamed into it.
    { echo "version: 1"; echo "rules:"; rule_text other; } >"$work/other.yaml"
    mv "$work/other.yaml" "$work/d/other.yaml"
    wait_for "the first reload" reloaded 1
    touch "$work/go"
    wait_for "\"phase 2\"" grep -qx "phase 2" "$work/prof.out"
    printf 'version: 1\nrules:\n  - name: other\n    match: { assembly: Signals, type: Signals.Work, methd: Other }\n    strategy: timing\n' \
        >"$work/rules.yaml.new"
    mv "$work/rules.yaml.new" "$work/rules.yaml"
    wait_for "the refusal" grep -q " error .*; the rules in force stay$" "$work/profiler.log"
    rules_with
    wait_for "the second reload" reloaded 2
    touch "$work/go.2"
    wait "$pid"
    echo $? >"$work/prof.rc"
    if (( ${#sanitizer_env[@]} )); then expect_no_sanitizer_report; fi
    expect_app_unchanged
    expect_metric 'nrp_method_calls_total{rule="step",method="Signals.Work::Step(System.Int32)"} 12'
    expect_metric 'nrp_method_calls_total{rule="other",method="Signals.Work::Other(System.Int32)"} 18'
    expect_log 1 info "config $work/rules.yaml reloaded: 2 rule\(s\), 2 active; 1 method\(s\) rewritten anew, 0 reverted, 1 unchanged$"
    expect_log 1 info "config $work/rules.yaml reloaded: 1 rule\(s\), 1 active; 0 method\(s\) rewritten anew, 1 reverted, 1 unchanged$"
    expect_log 1 error "$work/rules.yaml:4:53: error: unknown key 'methd' in match .*"
    expect_log 1 error "config $work/rules.yaml rejected \(2 errors\); the rules in force stay$"
    expect_log_total error 3
    expect_log_total warn 0
    ;;
api)
    # The agent's native API (include/nrp/api.h), from the Signals app, under
    # a rules file with no rule: rules applied (Step counted 10 times, not
    # the 5 calls after their removal), a source with a typo refused with its
    # first problem, an unknown source; then a rule applied and removed 200
    # times while 8 threads call the method it selects: no call refused, no
    # wrong result, no crash, and the count never above the calls made.
    printf 'version: 1\nsettings:\n  metrics: { interval_s: 1 }\nrules: []\n' >"$work/rules.yaml"
    env "${sanitizer_env[@]}" CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID" \
        CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" NRP_LOG_FILE="$work/profiler.log" \
        NRP_METRICS_FILE="$work/metrics.prom" NRP_CONFIG="$work/rules.yaml" \
        "${app[@]}" api "$EXIT_ARG" "$work/calls" >"$work/prof.out" 2>"$work/prof.err" &
    pid=$!
    # The count as each periodic export has it, while the rule comes and goes.
    : >"$work/samples"
    while kill -0 "$pid" 2>/dev/null; do
        sed -n 's/^nrp_method_calls_total{rule="twice",method="Signals.Work::Twice(System.Int32)"} //p' \
            "$work/metrics.prom" >>"$work/samples" 2>/dev/null
        sleep 0.05
    done
    wait "$pid"
    echo $? >"$work/prof.rc"
    if (( ${#sanitizer_env[@]} )); then expect_no_sanitizer_report; fi
    expect_stdout api.out
    if [[ $(cat "$work/prof.rc") == "$EXIT_ARG" && ! -s $work/prof.err ]]; then pass "exit code $EXIT_ARG, stderr empty"
    else fail "exit code $(cat "$work/prof.rc"), stderr: $(head -5 "$work/prof.err")"; fi
    expect_metric 'nrp_method_calls_total{rule="step",method="Signals.Work::Step(System.Int32)"} 10'
    counted=$(sed -n 's/^nrp_method_calls_total{rule="twice",method="Signals.Work::Twice(System.Int32)"} //p' "$work/metrics.prom")
    calls=$(cat "$work/calls")
    if [[ -n $counted ]] && (( counted > 0 && counted <= calls )); then pass "Twice counted $counted times of $calls calls"
    else fail "Twice counted '${counted}' times of $calls calls"; fi
    echo "$counted" >>"$work/samples"
    if sort -n -c "$work/samples" 2>/dev/null; then pass "the count only grew ($(sort -u "$work/samples" | wc -l) values seen)"
    else fail "the count went down: $(tr '\n' ' ' <"$work/samples")"; fi
    expect_log 1 error "agent-bad.yaml:4:[0-9]+: error: unknown key 'methd' in match .*"
    expect_log 1 error "config $work/rules.yaml rejected \(2 errors\); the rules in force stay$"
    expect_log 402 info "config $work/rules.yaml reloaded: .*"
    expect_log_total error 3
    expect_log_total warn 0
    ;;
attach)
    # nrprof attach loads the profiler into a Demo started without it, which
    # waits for the file go before its workload (having called Add and Range
    # once: the attach finds them compiled and ReJITs them). Calls after the
    # attach are all counted. A bad rules file is never sent, a second
    # attach is refused, and so are a process that is gone and bad usage.
    printf 'version: 1\nsettings:\n  log_file: %s\n  metrics: { path: %s, interval_s: 0 }\n' \
        "$work/profiler.log" "$work/metrics.prom" >"$work/rules.yaml"
    grep -v '^version:' "$DEMO_RULES" >>"$work/rules.yaml"
    printf 'version: 1\nrules:\n  - name: x\n    match: { assembly: Demo, type: T, method: M }\n    strategy: timng\n' >"$work/bad.yaml"
    rm -f "$work/go" "$work/go.ready"
    env -u CORECLR_ENABLE_PROFILING "${sanitizer_env[@]}" DEMO_WAIT_FOR="$work/go" "${app[@]}" "$EXIT_ARG" \
        >"$work/prof.out" 2>"$work/prof.err" &
    pid=$!
    wait_for "diagnostics socket" compgen -G "${TMPDIR:-/tmp}/dotnet-diagnostic-$pid-*-socket" >/dev/null
    # and for Add and Range to have run once (before the attach, as the counts below assume)
    wait_for "the app's first calls" test -e "$work/go.ready"
    attach_expect() { # EXIT_STATUS REGEX ARGS...: nrprof attach ARGS exits so, its stdout+stderr matching REGEX
        local want=$1 re=$2 got; shift 2
        got=$("$bundle/bin/nrprof" attach "$@" 2>&1); local rc=$?
        if [[ $rc == "$want" && $got =~ $re ]]; then pass "nrprof attach $*: exit $rc"
        else fail "nrprof attach $*: exit $rc (expected $want), output: $got"; fi
    }
    attach_expect 1 "timng" "$pid" --config "$work/bad.yaml"
    attach_expect 0 "attached to process $pid with $work/rules.yaml" "$pid" --config "$work/rules.yaml"
    wait_for "the attached log line" grep -q " info  attached: " "$work/profiler.log"
    attach_expect 3 "already loaded" "$pid" --config "$work/rules.yaml"
    touch "$work/go"
    wait "$pid"
    echo $? >"$work/prof.rc"
    if (( ${#sanitizer_env[@]} )); then expect_no_sanitizer_report; fi
    expect_app_unchanged
    expect_metric "$ADD_INT"
    expect_metric "$ADD_LONG"
    expect_metric "$RANGE"
    expect_log 1 info "attached: [0-9]+ module\(s\) were loaded before; [0-9]+ method\(s\) matched so far$"
    expect_log 1 info "shutdown: 3 method\(s\) matched, 3 rewritten, 0 skipped, 0 failed$"
    expect_log_total error 0
    expect_log_total warn 0
    attach_expect 3 "no process $pid" "$pid"
    attach_expect 2 "usage" notapid
    attach_expect 2 "usage"
    ;;
broken-plugin)
    # A relocated copy of the bundle with a broken and a foreign .so in
    # plugins/: each is refused with one line, the good plugins still work.
    # (The rules use roundtrip, which no plugin is named after, so every
    # plugin of the folder is loaded to find it.)
    cp -r "$bundle" "$work/bundle"
    { cat "$DEMO_RULES"; printf '  - name: mul-roundtrip\n    match: { assembly: Demo, type: Demo.Calculator, method: Mul }\n    strategy: roundtrip\n'; } >"$work/rules.yaml"
    echo "not an ELF file" >"$work/bundle/plugins/libbroken.so"
    # (foreign: a library of the app's own C library, glibc's libc or the musl runtime's libgcc_s)
    if [[ $runtime == *-musl ]]; then cp "$apps/$runtime/libgcc_s.so.1" "$work/bundle/plugins/libforeign.so"
    else cp "$(ldd /bin/true | sed -n 's/.*=> \(\/[^ ]*libc\.so[^ ]*\).*/\1/p' | head -1)" "$work/bundle/plugins/libforeign.so"; fi
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 info "nrprof .*plugins: timing [0-9.]+ \(SDK [0-9.]+\) \[timing\]; identity [0-9.]+ \(SDK [0-9.]+\) \[roundtrip, wrap\]; tracer [0-9.]+ \(SDK [0-9.]+\) \[tracer\]; metrics .*"
    expect_log 1 error "plugin $work/bundle/plugins/libbroken.so: cannot load: .*; it is not loaded"
    expect_log 1 error "plugin $work/bundle/plugins/libforeign.so: missing entry point nrp_plugin_entry\(\); it is not loaded"
    expect_log_total error 2
    expect_metric "$ADD_INT"
    expect_metric "$RANGE"
    ;;
check-explain)
    # nrprof check --app --explain on rules that each miss in one way (a
    # name's case, a version range, static, parameters, an attribute's
    # suffix, a base, excludes, an assembly that is not there, two
    # conditions at once): one warning each, and the near miss, exactly.
    cp "$(dirname "$0")/near-misses.yaml" "$work/rules.yaml"
    dll="$apps/$runtime/Demo.dll"; [[ -f $dll ]] || dll="$apps/net10/Demo.dll"
    "$bundle/bin/nrprof" check --explain --app "$dll" "$work/rules.yaml" >"$work/check.out" 2>"$work/check.err"
    rc=$?
    if [[ $rc == 0 ]]; then pass "exit 0: warnings only"; else fail "exit $rc"; fi
    sed "s#^$work/rules.yaml:#RULES:#" "$work/check.err" >"$work/check.err.rel"
    if cmp -s "$expected_dir/check-explain.err" "$work/check.err.rel"; then
        pass "warnings and notes as expected/check-explain.err ($(wc -l <"$work/check.err") lines)"
    else fail "warnings and notes differ:"; diff "$expected_dir/check-explain.err" "$work/check.err.rel"; fi
    if grep -qx "0 methods selected by 0 rules" "$work/check.out"; then pass "0 methods selected"
    else fail "selected something:"; cat "$work/check.out"; fi
    ;;
check-roundtrip)
    # The IL engine's oracle over the whole shared framework the app runs on
    # (.NET 10's, or .NET 8's carried by the self-contained app), offline:
    # every method body decoded, encoded and decoded again means the same.
    if "$bundle/bin/nrprof" check --app "$apps/$runtime/$app_name.dll" --roundtrip "$bundle/instrumentation.yaml" \
        >"$work/roundtrip.out" 2>"$work/roundtrip.err"; then pass "nrprof check --roundtrip: exit 0"
    else fail "nrprof check --roundtrip failed:"; grep -v '^  ' "$work/roundtrip.out" | head -20; cat "$work/roundtrip.err"; fi
    summary=$(grep '^roundtrip: ' "$work/roundtrip.out")
    if [[ $summary =~ ^roundtrip:\ ([0-9]+)\ method\ bodies\ in\ ([0-9]+)\ assemblies,\ 0\ differences$ ]] &&
       (( BASH_REMATCH[1] >= 100000 && BASH_REMATCH[2] >= 150 )); then pass "$summary"
    else fail "expected 0 differences over the whole framework, got: ${summary:-nothing}"; fi
    ;;
vb-generated)
    # A Visual Basic app: the types VB makes up (VB$StateMachine_..., _Closure$__...,
    # VB$AnonymousType_...) do not start with '<'; their [CompilerGenerated] keeps
    # them out of a wildcard, and a pattern with their '$' selects them.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: vb-all
    match: { assembly: VbApp, type: "*", method: "*" }
    strategy: timing
  - name: vb-iterator
    match: { assembly: VbApp, type: "VbApp.Program+VB$StateMachine_*_Items", method: MoveNext }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_preview "$work/rules.yaml" --rewritten
    expect_app_unchanged
    expect_stdout vb-generated.out
    expect_series vb-generated.calls '^nrp_method_calls_total\{'
    expect_metric "nrp_methods_rewritten_total 4"
    expect_log_total error 0
    expect_log_total warn 0
    # Patterns that reach only those types: --explain says how to name them.
    cp "$(dirname "$0")/vb-near-misses.yaml" "$work/near.yaml"
    "$bundle/bin/nrprof" check --explain --app "$apps/$runtime/VbApp.dll" "$work/near.yaml" >"$work/check.out" 2>"$work/check.err"
    sed "s#^$work/near.yaml:#RULES:#" "$work/check.err" >"$work/check.err.rel"
    if cmp -s "$expected_dir/vb-explain.err" "$work/check.err.rel"; then pass "--explain: as expected/vb-explain.err"
    else fail "--explain differs:"; diff "$expected_dir/vb-explain.err" "$work/check.err.rel"; fi
    ;;
rules-selection)
    # parameters picks one overload (written with C# keywords in long-add, with
    # System names in the exclude), exclude carves out of a broad match,
    # version ranges and static narrow by assembly version and method kind,
    # enabled: false switches a rule off. (Demo is version 1.0.0.0.)
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: long-add
    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [long, long] }
    strategy: timing
  - name: calculator-but-int-add
    match: { assembly: Demo, type: Demo.Calculator, method: "*", version: ">=1.0 <2" }
    exclude:
      - { method: Add, parameters: [System.Int32, System.Int32] }
    strategy: timing
  - name: too-new
    match: { assembly: Demo, type: "*", method: "*", version: ">=2" }
    strategy: timing
  - name: static-main
    match: { assembly: Demo, type: Demo.Program, method: "*", static: true }
    strategy: timing
  - name: switched-off
    enabled: false
    match: { assembly: Demo, type: Demo.Calculator, method: Add }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_preview "$work/rules.yaml" --rewritten
    expect_app_unchanged
    expect_metric 'nrp_method_calls_total{rule="long-add",method="Demo.Calculator::Add(System.Int64,System.Int64)"} 1'
    expect_metric 'nrp_method_calls_total{rule="calculator-but-int-add",method="Demo.Calculator::.ctor()"} 1'
    expect_metric 'nrp_method_calls_total{rule="calculator-but-int-add",method="Demo.Calculator::Mul(System.Int32,System.Int32)"} 200000'
    expect_metric 'nrp_method_calls_total{rule="calculator-but-int-add",method="Demo.Calculator::Checked(System.Int32)"} 200000'
    expect_metric 'nrp_method_calls_total{rule="static-main",method="Demo.Program::Main(System.String[])"} 1'
    if grep -q 'Add(System.Int32,System.Int32)\|too-new\|switched-off' "$work/metrics.prom"; then
        fail "an excluded, out-of-range or disabled selection was instrumented"; grep -v '^#' "$work/metrics.prom"
    else pass "Add(int) excluded, version >=2 and the disabled rule select nothing"; fi
    # Main, Calculator's .ctor, Add(long) (two rules composed), Mul and Checked
    expect_metric "nrp_methods_rewritten_total 5"
    expect_log_total error 0
    # too-new selects nothing: said at shutdown, and by nrprof check --app beforehand
    expect_log 1 warn "$work/rules.yaml:11:5: rule 'too-new' selected no method in this process, which loaded Demo$"
    expect_log_total warn 1
    if [[ $(cat "$work/preview.err") == "$work/rules.yaml:11:5: warning: rule 'too-new' selects no method in the app" ]]
    then pass "nrprof check --app warns about too-new, and only about it"
    else fail "nrprof check --app's warnings:"; cat "$work/preview.err"; fi
    ;;
hierarchy)
    # attribute: methods carrying [Demo.Traced]; base: overrides in Demo of a
    # class of ShopLib (two hops, across assemblies, ShopLib loaded after
    # Demo), and implementations of an interface inherited by another one.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: traced
    match: { assembly: Demo, type: "*", method: "*", attribute: Demo.TracedAttribute }
    strategy: timing
  - name: handlers
    match: { assembly: Demo, type: "*", method: Handle, base: Shop.Lib.Handler }
    strategy: timing
  - name: processors
    match: { assembly: Demo, type: "*", method: "*", base: Shop.Lib.IProcessor }
    exclude: [ { method: .ctor } ]
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_preview "$work/rules.yaml"   # Doubler::Batch is selected, never called
    expect_app_unchanged
    expect_metric 'nrp_method_calls_total{rule="traced",method="Demo.Jobs::Run(System.Int32)"} 4'
    expect_metric 'nrp_method_calls_total{rule="handlers",method="Demo.FastHandler::Handle(System.Int32)"} 5'
    expect_metric 'nrp_method_calls_total{rule="processors",method="Demo.Doubler::Process(System.Int32)"} 7'
    if grep -q 'Quiet\|Calculator' "$work/metrics.prom"; then fail "methods without the attribute or base were selected"
    else pass "Jobs.Quiet and Calculator not selected"; fi
    expect_metric "nrp_methods_rewritten_total 3"
    expect_log_total error 0
    ;;
sdk-template)
    # A plugin built out of tree against the installed SDK, dropped into a
    # copy of the bundle, instruments a method.
    cp -r "$bundle" "$work/bundle"
    cp "$NRP_TEST_HELLO" "$work/bundle/plugins/"
    printf 'version: 1\nrules:\n  - name: hello\n    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [System.Int32, System.Int32] }\n    strategy: hello\n' >"$work/rules.yaml"
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_metric 'nrp_hello_calls_total{rule="hello",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
    expect_log 1 info ".*plugins: hello 1.0.0 \(SDK [0-9.]+\) \[hello\]; metrics .*"
    ;;
insecure-files)
    # StrictModes: a plugin another user could replace is not loaded, and a
    # config anyone could edit is refused, each naming the file and the bit.
    cp -r "$bundle" "$work/bundle"
    chmod 0664 "$work/bundle/plugins/libnrp_timing.so"
    printf 'version: 1\nrules:\n  - name: w\n    match: { assembly: Demo, type: Demo.Calculator, method: Add }\n    strategy: wrap\n' >"$work/rules.yaml"
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 error "plugin refused: $work/bundle/plugins/libnrp_timing.so is writable by its group \(mode 0664\): chmod g-w $work/bundle/plugins/libnrp_timing.so; it is not loaded$"
    expect_log_total error 1
    chmod 0666 "$work/rules.yaml"
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 error "$work/rules.yaml: error: refused: $work/rules.yaml is writable by its group \(mode 0666\): chmod g-w $work/rules.yaml$"
    # An include naming a FIFO is refused, not opened: opening it would
    # block the app's start until someone wrote to it.
    chmod 0644 "$work/rules.yaml"
    mkfifo -m 0644 "$work/more.yaml"
    printf 'include: [more.yaml]\n' >>"$work/rules.yaml"
    rm -f "$work/profiler.log"
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 error "$work/rules.yaml:[0-9]+:[0-9]+: error: refused: $work/more.yaml is not a regular file$"
    ;;
compose)
    # Three rules on Add(int): priority 10 is outermost and runs first,
    # priority 0 innermost; the seq probes count a call only when they run
    # in exactly that order. Then all or nothing: with a failing strategy
    # in the mix, the method keeps its original IL.
    cp -r "$bundle" "$work/bundle"
    cp "$NRP_TEST_SEQ" "$work/bundle/plugins/"
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: inner
    priority: 0
    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [System.Int32, System.Int32] }
    strategy: seq
    options: { id: 2, last: true }
  - name: outer
    priority: 10
    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [System.Int32, System.Int32] }
    strategy: seq
    options: { id: 1 }
  - name: middle
    priority: 5
    match: { assembly: Demo, type: Demo.Calculator, method: Add }
    strategy: timing
YAML
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_app_unchanged
    expect_metric 'nrp_seq_in_order_total{rule="outer",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
    expect_metric 'nrp_seq_in_order_total{rule="inner",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
    expect_metric 'nrp_method_calls_total{rule="middle",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
    expect_log 1 debug "rewrote Demo.Calculator::Add\\(System.Int32,System.Int32\\) with rules 'inner', 'middle', 'outer'$"
    # all or nothing
    cp "$NRP_TEST_FAKE_PLUGINS/libfake_good.so" "$work/bundle/plugins/"
    printf '  - name: broken\n    priority: 3\n    match: { assembly: Demo, type: Demo.Calculator, method: Add }\n    strategy: alpha\n' >>"$work/rules.yaml"
    rm -f "$work/metrics.prom" "$work/profiler.log"
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 error "Demo.Calculator::Add\\(System.Int32,System.Int32\\) stays uninstrumented: rule 'broken': plugin 'fake' strategy 'alpha' failed: fake strategies never rewrite$"
    # (counters the earlier strategies registered stay at zero: no probe ran)
    if grep -E '(calls_total|seq_in_order_total)\{' "$work/metrics.prom" | grep -qv ' 0$'; then
        fail "a composed method was partly rewritten"; grep -v '^#' "$work/metrics.prom"
    else pass "no strategy of a failed composition took effect"; fi
    expect_metric "nrp_methods_rewritten_total 0"
    expect_metric "nrp_method_rewrite_failures_total 2"
    ;;
includes)
    # include globs resolve against the including file, in sorted order.
    mkdir -p "$work/conf/rules.d"
    printf 'version: 1\ninclude: [rules.d/*.yaml]\nrules: []\n' >"$work/conf/main.yaml"
    printf 'version: 1\nrules:\n  - name: b\n    match: { assembly: Demo, type: Demo.Calculator, method: Add, static: false }\n    strategy: timing\n' >"$work/conf/rules.d/20-b.yaml"
    printf 'version: 1\nrules:\n  - name: a\n    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [System.Int32, System.Int32] }\n    strategy: timing\n' >"$work/conf/rules.d/10-a.yaml"
    profiled "$bundle" NRP_CONFIG="$work/conf/main.yaml"
    expect_app_unchanged
    # 10-a.yaml is read first, so rule a takes Add(int); b the other overload
    expect_metric "${ADD_INT/rule=\"add\"/rule=\"a\"}"
    expect_metric 'nrp_method_calls_total{rule="b",method="Demo.Calculator::Add(System.Int64,System.Int64)"} 1'
    ;;
include-cycle)
    mkdir -p "$work/conf"
    printf 'version: 1\ninclude: [b.yaml]\nrules: []\n' >"$work/conf/a.yaml"
    printf 'version: 1\ninclude: [a.yaml]\nrules: []\n' >"$work/conf/b.yaml"
    profiled "$bundle" NRP_CONFIG="$work/conf/a.yaml"
    expect_app_unchanged
    expect_log 1 error "$work/conf/b.yaml:2:11: error: include cycle: $work/conf/a.yaml is already being read$"
    ;;
process-exclude)
    printf 'version: 1\nsettings:\n  processes:\n    exclude: ["Dem?"]\nrules:\n  - name: add\n    match: { assembly: Demo, type: Demo.Calculator, method: Add }\n    strategy: timing\n' >"$work/rules.yaml"
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_app_unchanged
    expect_log 1 debug "process 'Demo' is excluded by settings.processes.exclude 'Dem\?': not profiled$"
    expect_log_total error 0
    if [[ -e "$work/metrics.prom" ]]; then fail "metrics written in an excluded process"; else pass "no metrics file"; fi
    ;;
settings-log)
    # settings.log_level and log_file apply where the environment says nothing.
    printf 'version: 1\nsettings:\n  log_level: debug\n  log_file: "%s/settings-{pid}.log"\nrules:\n  - name: add\n    match: { assembly: Demo, type: Demo.Calculator, method: Add }\n    strategy: timing\n' "$work" >"$work/rules.yaml"
    env CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" \
        NRP_CONFIG="$work/rules.yaml" NRP_METRICS_FILE="$work/metrics.prom" \
        "${app[@]}" "$EXIT_ARG" >"$work/prof.out" 2>"$work/prof.err"
    echo $? >"$work/prof.rc"
    expect_app_unchanged
    log=$(ls "$work"/settings-*.log 2>/dev/null | head -1)
    if [[ -n "$log" ]] && grep -q " debug rewrote Demo.Calculator::Add(System.Int32,System.Int32) with rule 'add'" "$log"; then
        pass "debug lines in $(basename "$log")"
    else fail "no debug log at settings.log_file"; fi
    expect_metric "$ADD_INT"
    ;;
failing-strategy)
    # A strategy that refuses every method: each stays with its original IL,
    # one error line per method, the app untouched.
    cp -r "$bundle" "$work/bundle"
    cp "$NRP_TEST_FAKE_PLUGINS/libfake_good.so" "$work/bundle/plugins/"
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: refused
    match: { assembly: Demo, type: Demo.Calculator, method: Add }
    strategy: alpha
YAML
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 error "Demo.Calculator::Add\\(System.Int32,System.Int32\\) stays uninstrumented: rule 'refused': plugin 'fake' strategy 'alpha' failed: fake strategies never rewrite"
    expect_log 1 error "Demo.Calculator::Add\\(System.Int64,System.Int64\\) stays uninstrumented: rule 'refused': .*"
    expect_log_total error 2
    expect_metric "nrp_methods_rewritten_total 0"
    expect_metric "nrp_method_rewrite_failures_total 2"
    ;;
fidelity-wrap)
    fidelity wrap
    ;;
fidelity-roundtrip)
    fidelity roundtrip
    ;;
fidelity-timing)
    fidelity timing
    # and every rewritten method has its counter
    series=$(grep -c '^nrp_method_calls_total{' "$work/metrics.prom")
    if (( series >= 2000 )); then pass "$series call counters exported"; else fail "only $series call counters"; fi
    ;;
fidelity-tracer)
    # Managed handler calls injected into thousands of real methods of every
    # shape the framework and Newtonsoft.Json have.
    fidelity tracer
    ;;
fidelity-tracer-await)
    # The same with await: true: every method that returns a task hands it to
    # <nrp>TaskExit`1<X> (generic X of every kind: the method's, its type's).
    fidelity tracer await
    ;;
no-plugins)
    # The host alone, without its plugins: the rules' strategy is unknown.
    mkdir -p "$work/bundle" && cp "$bundle/libNewRelicProfiler.so" "$bundle/instrumentation.yaml" "$work/bundle/"
    profiled "$work/bundle"
    expect_app_unchanged
    expect_log 5 error ".*instrumentation.yaml:[0-9]+:15: error: unknown strategy 'timing' \(loaded plugins provide: none\)$"
    expect_log 1 error "config .* rejected \(5 errors\); the process runs uninstrumented$"
    ;;
concurrent-timing)
    # 8 threads in two timed methods at once, one of which throws on every
    # 100th call: every call and exception counted, every duration recorded,
    # in each thread's own copy, folded in as the threads exit (exact).
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: mul
    match: { assembly: Demo, type: Demo.Calculator, method: Mul }
    strategy: timing
  - name: checked
    match: { assembly: Demo, type: Demo.Calculator, method: Checked }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    for pair in "mul Mul(System.Int32,System.Int32) 0" "checked Checked(System.Int32) 2000"; do
        read -r rule method thrown <<<"$pair"
        series="rule=\"$rule\",method=\"Demo.Calculator::$method\""
        expect_metric "nrp_method_calls_total{$series} 200000"
        expect_metric "nrp_method_exceptions_total{$series} $thrown"
        expect_metric "nrp_method_duration_seconds_count{$series} 200000"
        expect_metric "nrp_method_duration_seconds_bucket{$series,le=\"+Inf\"} 200000"
    done
    ;;
legacy-plugins)
    # Plugins as built before ABI 1.3: legacy1 (ABI 1.1) writes the histogram
    # struct itself, legacy2 (ABI 1.2) records through host->histogram_record;
    # both add to counter()'s address with atomics. Mul runs on 8 threads at
    # once: every call and every duration (1500 ns each) is in the export.
    cp -r "$bundle" "$work/bundle"
    IFS=: read -r -a legacy <<<"$NRP_TEST_LEGACY"
    cp "${legacy[@]}" "$work/bundle/plugins/"
    cat >"$work/rules.yaml" <<'YAML'
version: 1
settings:
  metrics: { interval_s: 0 }
rules:
  - name: old1
    match: { assembly: Demo, type: Demo.Calculator, method: Mul }
    strategy: legacy1
  - name: old2
    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [System.Int32, System.Int32] }
    strategy: legacy2
YAML
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    for pair in "old1 Mul(System.Int32,System.Int32) 200000" "old2 Add(System.Int32,System.Int32) 1000"; do
        read -r rule method n <<<"$pair"
        series="rule=\"$rule\",method=\"Demo.Calculator::$method\""
        expect_metric "legacy_calls_total{$series} $n"
        expect_metric "legacy_duration_seconds_count{$series} $n"
        expect_metric "legacy_duration_seconds_bucket{$series,le=\"2.5e-06\"} $n"
        expect_metric "legacy_duration_seconds_bucket{$series,le=\"1e-06\"} 0"
        expect_metric "legacy_duration_min_seconds{$series} 0.000001500"
        expect_metric "legacy_duration_max_seconds{$series} 0.000001500"
        expect_metric "legacy_duration_quantile_seconds{$series,quantile=\"0.5\"} 0.000001500"
    done
    expect_log 1 info "nrprof .*plugins: .*legacy1 1.0.0 \(SDK [0-9.]+\) \[legacy1\]; legacy2 1.0.0 \(SDK [0-9.]+\) \[legacy2\]"
    expect_log_total error 0
    ;;
percentiles)
    # Methods that busy-wait 20, 130 and 700 us: the exported p50 is within
    # 5% of that (the log-linear buckets promise 3.2%), p50 <= p90 <= p99 <=
    # max, and nrprof report shows the same p50.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
settings:
  metrics: { interval_s: 0 }
rules:
  - name: spin
    match: { assembly: Demo, type: Demo.Spin, method: "Wait*" }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    for us in 20 130 700; do
        series="rule=\"spin\",method=\"Demo.Spin::Wait$us()\""
        expect_metric "nrp_method_calls_total{$series} 300"
        q() { sed -n "s/^nrp_method_duration_quantile_seconds{$series,quantile=\"$1\"} //p" "$work/metrics.prom"; }
        max=$(sed -n "s/^nrp_method_duration_max_seconds{$series} //p" "$work/metrics.prom")
        p50=$(q 0.5) p90=$(q 0.9) p99=$(q 0.99)
        if awk -v p="$p50" -v t="$us" 'BEGIN { e = (p * 1e6 - t) / t; exit !(e >= -0.05 && e <= 0.05) }'; then
            pass "Wait$us: p50 ${p50}s within 5% of ${us} us"
        else fail "Wait$us: p50 '${p50}'s, not within 5% of $us us"; fi
        if awk -v a="$p50" -v b="$p90" -v c="$p99" -v d="$max" 'BEGIN { exit !(a <= b && b <= c && c <= d && a > 0) }'
        then pass "Wait$us: p50 <= p90 <= p99 <= max ($p50 $p90 $p99 $max)"
        else fail "Wait$us: percentiles out of order: '$p50' '$p90' '$p99' '$max'"; fi
    done
    "$bundle/bin/nrprof" report --wide "$work/metrics.prom" >"$work/report" 2>&1
    p50_700=$(awk '$1 == "Demo.Spin::Wait700()" { print $5, $6 }' "$work/report")
    want=$(awk -v p="$(sed -n 's/^nrp_method_duration_quantile_seconds{rule="spin",method="Demo.Spin::Wait700()",quantile="0.5"} //p' "$work/metrics.prom")" \
        'BEGIN { printf "%.0f µs\n", p * 1e6 }')
    if [[ "$p50_700" == "$want" ]]; then pass "nrprof report shows the exported p50: $p50_700"
    else fail "nrprof report p50 of Wait700 '$p50_700', exported '$want'"; cat "$work/report"; fi
    expect_log_total error 0
    ;;
shapes-announce)
    # Every method shape, announced on entry by a test plugin that uses the
    # metadata services (assembly, type and member references, user strings)
    # and prints the identity the host gave it.
    cp -r "$bundle" "$work/bundle"
    cp "$NRP_TEST_ANNOUNCE" "$work/bundle/plugins/"
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: shapes
    match: { assembly: Shapes, type: "Shapes.*", method: "*", attribute: Shapes.TracedAttribute }
    strategy: announce
YAML
    profiled "$work/bundle" NRP_CONFIG="$work/rules.yaml"
    expect_stdout shapes-announce.out
    if [[ $(cat "$work/prof.rc") == "$EXIT_ARG" ]]; then pass "exit code $EXIT_ARG"; else fail "exit code $(cat "$work/prof.rc")"; fi
    expect_metric "nrp_methods_rewritten_total 16"
    expect_metric "nrp_method_rewrite_failures_total 0"
    expect_log_total error 0
    ;;
shapes-timing)
    # timing on every method shape: exact calls, exceptions thrown out of
    # each method (not those it catches itself), one duration per call, and
    # async="true" on the async method.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
settings:
  metrics: { interval_s: 0 }
rules:
  - name: shapes
    match: { assembly: Shapes, type: "Shapes.*", method: "*", attribute: Shapes.TracedAttribute }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_preview "$work/rules.yaml" --rewritten
    expect_app_unchanged
    expect_series shapes-timing.counts '^nrp_method_(calls_total|exceptions_total|duration_seconds_count)\{'
    expect_metric "nrp_methods_rewritten_total 16"
    expect_log_total error 0
    ;;
metrics-settings)
    # settings.metrics: JSON format, a path with {pid}, classic buckets of
    # our own; NRP_METRICS_FILE wins over the path but not over the format.
    cat >"$work/rules.yaml" <<YAML
version: 1
settings:
  metrics: { path: "$work/from-settings-{pid}.json", format: json, interval_s: 0, buckets: [0.001, 1] }
rules:
  - name: add
    match: { assembly: Demo, type: Demo.Calculator, method: Add, parameters: [System.Int32, System.Int32] }
    strategy: timing
YAML
    json_calls() { # FILE -> calls of Add from the JSON document, or an error
        /usr/bin/python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
fam = {f["name"]: f for f in doc["metrics"]}
s = fam["nrp_method_calls_total"]["series"][0]
h = fam["nrp_method_duration_seconds"]["series"][0]
assert h["buckets"][-1] == {"le": "+Inf", "count": h["count"]}, h["buckets"][-1]
assert [b["le"] for b in h["buckets"]] == [0.001, 1, "+Inf"], h["buckets"]
q = h["quantiles"]
assert sorted(q) == ["0.5", "0.9", "0.99"] and h["min"] <= q["0.5"] <= q["0.9"] <= q["0.99"] <= h["max"], q
print(s["labels"]["rule"], s["labels"]["method"], s["value"], h["count"])' "$1" 2>&1
    }
    want="add Demo.Calculator::Add(System.Int32,System.Int32) 1000 1000"
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    got=$(json_calls "$work/metrics.prom")
    if [[ "$got" == "$want" ]]; then pass "NRP_METRICS_FILE holds JSON: $got"; else fail "JSON at NRP_METRICS_FILE: $got"; fi
    if compgen -G "$work/from-settings-*.json" >/dev/null; then fail "settings path used despite NRP_METRICS_FILE"
    else pass "NRP_METRICS_FILE wins over settings.metrics.path"; fi
    env CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER="$CLSID" CORECLR_PROFILER_PATH="$bundle/libNewRelicProfiler.so" \
        NRP_LOG_FILE="$work/profiler2.log" NRP_CONFIG="$work/rules.yaml" "${app[@]}" "$EXIT_ARG" >"$work/prof.out" 2>"$work/prof.err"
    echo $? >"$work/prof.rc"
    expect_app_unchanged
    pid=$(sed -n 's/.* nrprof\[\([0-9]*\)\] info .*/\1/p' "$work/profiler2.log" | head -1)
    got=$(json_calls "$work/from-settings-$pid.json")
    if [[ -n "$pid" && "$got" == "$want" ]]; then pass "settings.metrics.path with {pid}: from-settings-$pid.json"
    else fail "no JSON at settings.metrics.path for pid '$pid': $got"; ls "$work"; fi
    ;;
default-rules)
    # The bundle's own instrumentation.yaml (no NRP_CONFIG, like counts) on
    # the Bundle app: each default rule seen matching a real library, with
    # counts that follow from what the app does.
    profiled "$bundle" NRP_LOG_LEVEL=trace
    expect_app_unchanged
    # nrprof check --app on the bundle's rules lists, in the assemblies the app
    # loaded (the framework's and ASP.NET Core's too), what the profiler selected.
    expect_preview "$bundle/instrumentation.yaml" --loaded
    # Methods that return a task have async="true" (their 3rd argument).
    calls() { echo "nrp_method_calls_total{rule=\"$1\",method=\"$2\"${4:-}} $3"; }
    exceptions() { echo "nrp_method_exceptions_total{rule=\"$1\",method=\"$2\"${3:-}} 0"; }
    async=',async="true"'
    # http-client: 3 HttpClient.GetStringAsync, each ending in one
    # base.SendAsync (HttpMessageInvoker) = 3; then 1 synchronous
    # HttpClient.Send, ending in one base.Send = 1, and not in SendAsync.
    send='System.Net.Http.HttpMessageInvoker::Send(System.Net.Http.HttpRequestMessage,System.Threading.CancellationToken)'
    send_async='System.Net.Http.HttpMessageInvoker::SendAsync(System.Net.Http.HttpRequestMessage,System.Threading.CancellationToken)'
    # aspnetcore-request: the loopback Kestrel server receives those same 4
    # requests (HTTP/1.1, no retries), one ProcessRequestAsync each = 4.
    aspnet='Microsoft.AspNetCore.Hosting.HostingApplication::ProcessRequestAsync(Microsoft.AspNetCore.Hosting.HostingApplication+Context)'
    # ado-net, on a SQLite file: ExecuteNonQuery = 1 CREATE TABLE + 5 INSERTs
    # = 6; ExecuteScalar = 1 (the COUNT). Microsoft.Data.Sqlite runs both
    # through its own ExecuteReader(): 6 + 1 + the app's explicit SELECT = 8.
    # ExecuteReader() calls ExecuteReader(CommandBehavior.Default): those 8,
    # plus the app's last SELECT made through a DbCommand reference:
    # DbCommand.ExecuteReader (DbCommand is not derived from itself: not
    # selected) -> SqliteCommand.ExecuteDbDataReader (excluded by the rule)
    # -> SqliteCommand.ExecuteReader(CommandBehavior) = 9.
    sqlite=Microsoft.Data.Sqlite.SqliteCommand
    # json: 4 rounds of Serialize<Item>(value, options) and
    # Deserialize<Item>(string, options) = 4 each; the server's endpoint
    # returns plain text, so nothing else in the process serializes.
    ser='System.Text.Json.JsonSerializer::Serialize<TValue>(TValue,System.Text.Json.JsonSerializerOptions)'
    deser='System.Text.Json.JsonSerializer::Deserialize<TValue>(System.String,System.Text.Json.JsonSerializerOptions)'
    for line in \
        "$(calls http-client "$send_async" 3 "$async")" "$(exceptions http-client "$send_async" "$async")" \
        "$(calls http-client "$send" 1)" "$(exceptions http-client "$send")" \
        "$(calls aspnetcore-request "$aspnet" 4 "$async")" "$(exceptions aspnetcore-request "$aspnet" "$async")" \
        "$(calls ado-net "$sqlite::ExecuteNonQuery()" 6)" "$(exceptions ado-net "$sqlite::ExecuteNonQuery()")" \
        "$(calls ado-net "$sqlite::ExecuteScalar()" 1)" "$(exceptions ado-net "$sqlite::ExecuteScalar()")" \
        "$(calls ado-net "$sqlite::ExecuteReader()" 8)" "$(exceptions ado-net "$sqlite::ExecuteReader()")" \
        "$(calls ado-net "$sqlite::ExecuteReader(System.Data.CommandBehavior)" 9)" \
        "$(exceptions ado-net "$sqlite::ExecuteReader(System.Data.CommandBehavior)")" \
        "$(calls json-serialize "$ser" 4)" "$(exceptions json-serialize "$ser")" \
        "$(calls json-deserialize "$deser" 4)" "$(exceptions json-deserialize "$deser")"; do
        expect_metric "$line"
    done
    # ... and nothing else: no ExecuteDbDataReader, no DbCommand, no
    # HttpClient overload, no other JsonSerializer method has a series.
    expect_series default-rules.counts '^nrp_method_calls_total\{'
    # The server spends 50 ms awaiting in each request (Bundle's
    # ServerDelayMs): ProcessRequestAsync's and SendAsync's durations run
    # until their tasks complete, so each covers it, and none was canceled.
    expect_min_duration aspnetcore-request "$aspnet" 4 0.050
    expect_min_duration http-client "$send_async" 3 0.050
    expect_metric "nrp_method_cancellations_total{rule=\"aspnetcore-request\",method=\"$aspnet\"$async} 0"
    expect_metric "nrp_method_cancellations_total{rule=\"http-client\",method=\"$send_async\"$async} 0"
    # A method is rewritten when it first runs: Send, SendAsync,
    # ProcessRequestAsync, the 4 SqliteCommand methods and the 2
    # JsonSerializer ones = 9.
    expect_metric "nrp_methods_rewritten_total 9"
    expect_metric "nrp_method_rewrite_failures_total 0"
    expect_log_total error 0
    expect_log_total warn 0
    ;;
async)
    # Every method of AsyncApp.Ops under timing (tests/e2e/apps/Async): each
    # is timed until its task completes. Exact calls, faults (exceptions)
    # and cancellations per method, a duration for every call, and the
    # awaits inside the durations; the app sees the same results, faults,
    # threads and contexts (its output, byte for byte, and expected/async.out).
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: ops
    match: { assembly: Async, type: AsyncApp.Ops, method: "*" }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_preview "$work/rules.yaml" --rewritten
    expect_app_unchanged
    expect_stdout async.out
    expect_series async.counts '^nrp_method_(calls_total|exceptions_total|cancellations_total|duration_seconds_count)\{'
    # Delay awaits 30 ms, 6 times (once with ConfigureAwait(false)); ValueAwait
    # 30 ms, 4 times; Pooled (a ValueTask over an IValueTaskSource) and InContext
    # (under a SynchronizationContext) 10 ms; Cancel waits until canceled at 10 ms
    # (a CancellationTokenSource timer, which like Task.Delay may fire up to a
    # millisecond early).
    ops='AsyncApp.Ops::'
    expect_min_duration ops "${ops}Delay()" 6 0.030
    expect_min_duration ops "${ops}ValueAwait(System.Int32)" 4 0.030
    expect_min_duration ops "${ops}Pooled(System.Int32)" 3 0.010
    expect_min_duration ops "${ops}InContext(System.Threading.SynchronizationContext)" 1 0.010
    expect_min_duration ops "${ops}Cancel(System.Threading.CancellationToken)" 2 0.009
    # Fault throws after a Task.Delay(10), which may end up to a millisecond
    # early (the timer counts whole milliseconds): its durations cover it too.
    expect_min_duration ops "${ops}Fault(System.Int32)" 4 0.009
    # nrprof report reads this run's file: calls, exceptions, cancellations.
    "$bundle/bin/nrprof" report --wide "$work/metrics.prom" >"$work/report" 2>&1
    counts=$(awk -v c="${ops}Cancel(System.Threading.CancellationToken)" -v f="${ops}Fault(System.Int32)" \
        '($1 == c || $1 == f) && $2 == "(async)" { printf "%s %s %s %s;", $1, $4, $5, $6 }' "$work/report")
    if [[ "$counts" == "${ops}Cancel(System.Threading.CancellationToken) 2 0 2;${ops}Fault(System.Int32) 4 4 0;" ||
          "$counts" == "${ops}Fault(System.Int32) 4 4 0;${ops}Cancel(System.Threading.CancellationToken) 2 0 2;" ]]
    then pass "nrprof report: Cancel 2 calls, 2 cancellations; Fault 4 calls, 4 exceptions"
    else fail "nrprof report: calls, exceptions, cancellations of Cancel and Fault: '$counts'"; cat "$work/report"; fi
    expect_metric "nrp_method_rewrite_failures_total 0"
    expect_log_total error 0
    expect_log_total warn 0
    ;;
tracer-await)
    # The tracer with await: true on every method of AsyncApp.Ops: OnExit
    # when each task completes, with its result (boxed) or its exception
    # (TaskCanceledException when canceled); a null task as a return; a
    # synchronous throw as before; OnExit's own exception (Scale) dropped.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: ops
    match: { assembly: Async, type: AsyncApp.Ops, method: "*" }
    strategy: tracer
    options:
      handler: { assembly: Shapes.Hooks, type: Shapes.Hooks.Trace, enter: OnEnter, exit: OnExit }
      await: true
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_traced_stdout tracer-await.out
    expect_metric "nrp_method_rewrite_failures_total 0"
    expect_log 1 debug "defined <nrp>TaskExit\`1 in Async "
    expect_log_total error 0
    expect_log_total warn 0
    ;;
unload)
    # A plugin loaded into a collectible AssemblyLoadContext, called 5 times
    # and unloaded, three times. The runtime never ReJITs collectible code,
    # so the handler gets its new body when first compiled, in each round;
    # each unload drops what was matched in the module (its ModuleID may
    # come back for another module). The `base` rule needs Unload.Core,
    # which comes and goes with the plugin.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: handlers
    match: { assembly: Unload.Impl, type: "*", method: Handle, base: Unload.Core.Handler }
    strategy: timing
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_app_unchanged
    expect_log 3 debug "1 method\\(s\\) of Unload.Impl \\(collectible: no ReJIT\\) are rewritten when first compiled$"
    expect_log 3 debug "rewrote Unload.Impl.Doubler::Handle\\(System.Int32\\) with rule 'handlers'$"
    expect_log 3 debug "module 0x[0-9a-f]+ unloading: 1 matched method\\(s\\) forgotten$"
    expect_log 1 info "shutdown: 3 method\\(s\\) matched, 3 rewritten, 0 skipped, 0 failed$"
    expect_log_total warn 0
    expect_log_total error 0
    expect_metric 'nrp_method_calls_total{rule="handlers",method="Unload.Impl.Doubler::Handle(System.Int32)"} 15'
    expect_metric "nrp_methods_rewritten_total 3"
    expect_metric "nrp_methods_skipped_total 0"
    ;;
refstructs-tracer|refstructs-timing)
    # Type parameters that allow ref structs (C# 13): a Span there must
    # never be boxed (an invalid program, which would crash the app). The
    # tracer passes such values as null, boxes the ordinary ones, and
    # timing counts every call.
    strategy=${case_name#refstructs-}
    options=""
    [[ $strategy == tracer ]] &&
        options="options: { handler: { assembly: Shapes.Hooks, type: Shapes.Hooks.Trace, enter: OnEnter, exit: OnExit } }"
    cat >"$work/rules.yaml" <<YAML
version: 1
rules:
  - name: generic
    match: { assembly: RefStructs, type: RefStructs.Generic, method: "*" }
    strategy: $strategy
    $options
  - name: keeper
    match: { assembly: RefStructs, type: "RefStructs.Keeper*", method: Weigh }
    strategy: $strategy
    $options
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    if [[ $strategy == tracer ]]; then
        expect_traced_stdout refstructs-tracer.out
    else
        expect_app_unchanged
        expect_series refstructs-timing.counts '^nrp_method_calls_total\{'
    fi
    expect_metric "nrp_methods_rewritten_total 4"
    expect_log_total error 0
    expect_log_total warn 0
    ;;
shapes-tracer)
    # The tracer on every method shape: OnEnter and OnExit around each call,
    # with instance, arguments, return value or exception as the handlers
    # print them; handler exceptions (OnEnter of Nothing, OnExit of Scale)
    # never reach the app; the app's own lines are unchanged and in place.
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: shapes
    match: { assembly: Shapes, type: "Shapes.*", method: "*", attribute: Shapes.TracedAttribute }
    strategy: tracer
    options:
      handler: { assembly: Shapes.Hooks, type: Shapes.Hooks.Trace, enter: OnEnter, exit: OnExit }
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_traced_stdout shapes-tracer.out
    expect_metric "nrp_methods_rewritten_total 16"
    expect_log_total error 0
    ;;
shapes-tracer-options)
    # capture_args and capture_return off: null instead; the tracer composed
    # with timing on one method (both count every call); a handler assembly
    # the app cannot load: the rule is skipped with one warning; the
    # handlers' own methods are never traced (no call into themselves).
    cat >"$work/rules.yaml" <<'YAML'
version: 1
rules:
  - name: traced
    priority: 10
    match: { assembly: Shapes, type: Shapes.Calc, method: "Add" }
    strategy: tracer
    options:
      handler: { assembly: Shapes.Hooks, type: Shapes.Hooks.Trace, enter: OnEnter, exit: OnExit }
      capture_args: false
      capture_return: false
  - name: timed
    match: { assembly: Shapes, type: Shapes.Calc, method: "Add" }
    strategy: timing
  - name: nowhere
    match: { assembly: Shapes, type: Shapes.Calc, method: "Factorial" }
    strategy: tracer
    options:
      handler: { assembly: Missing.Hooks, type: Missing.Hooks.Trace, enter: OnEnter, exit: OnExit }
  - name: self
    match: { assembly: Shapes.Hooks, type: Shapes.Hooks.Trace, method: "*" }
    strategy: tracer
    options:
      handler: { assembly: Shapes.Hooks, type: Shapes.Hooks.Trace, enter: OnEnter, exit: OnExit }
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_stdout shapes-tracer-options.out
    # the handlers were matched, and declined: left as they are, counted as skipped
    expect_log 1 debug "rule 'self' \\(strategy 'tracer'\\) declines Shapes.Hooks.Trace::OnEnter\\(System.String,System.Object,System.Object\\[\\]\\)$"
    expect_log 1 debug "skipping Shapes.Hooks.Trace::OnEnter\\(System.String,System.Object,System.Object\\[\\]\\): every rule's strategy declined it$"
    expect_log 0 debug "rewrote Shapes.Hooks.Trace::"
    # skipped: the handlers' OnEnter, OnExit and Show ('self'), and Factorial ('nowhere')
    expect_metric "nrp_methods_skipped_total 4"
    expect_metric 'nrp_method_calls_total{rule="timed",method="Shapes.Calc::Add(System.Int32,System.Int32)"} 5'
    expect_log 1 warn "\\[tracer\\] rule 'nowhere': handler assembly Missing.Hooks is neither loaded nor in the app's dependencies; the rule is skipped$"
    expect_log_total error 0
    ;;
shapes-tracer-typo-*)
    # A handler that is not there (a misspelt enter, exit or type, or a
    # method of another signature) would throw when the traced methods are
    # compiled (MissingMethodException, TypeLoadException) and end the app.
    # The tracer reads the handler assembly's metadata first: the rule is
    # skipped with one warning naming what is missing, the app runs as
    # without the profiler, and each of its 16 methods counts as skipped.
    enter=OnEnter exit=OnExit type=Shapes.Hooks.Trace
    dll="$(dirname "${app[-1]}")/Shapes.Hooks.dll"   # next to the app, where the runtime finds it
    case $case_name in
    shapes-tracer-typo-enter)
        enter=OnEntr why="type Shapes\\.Hooks\\.Trace has no method OnEntr" ;;
    shapes-tracer-typo-exit)
        exit=OnExt why="type Shapes\\.Hooks\\.Trace has no method OnExt" ;;
    shapes-tracer-typo-type)
        type=Shapes.Hooks.Tracer why="type Shapes\\.Hooks\\.Tracer is not defined" ;;
    shapes-tracer-typo-signature)
        # OnExit exists, public and static, but is no OnEnter.
        enter=OnExit
        why="type Shapes\\.Hooks\\.Trace has no public static method OnExit\\(System\\.String,System\\.Object,System\\.Object\\[\\]\\) returning System\\.Object \\(found: public static OnExit\\(System\\.Object,System\\.Object,System\\.Exception\\) returning System\\.Void\\)" ;;
    *) echo "unknown case $case_name"; exit 2 ;;
    esac
    cat >"$work/rules.yaml" <<YAML
version: 1
rules:
  - name: shapes
    match: { assembly: Shapes, type: "Shapes.*", method: "*", attribute: Shapes.TracedAttribute }
    strategy: tracer
    options:
      handler: { assembly: Shapes.Hooks, type: $type, enter: $enter, exit: $exit }
YAML
    profiled "$bundle" NRP_CONFIG="$work/rules.yaml"
    expect_app_unchanged
    expect_log 1 warn "\\[tracer\\] rule 'shapes': handler not usable: $why in ${dll//./\\.}; the rule is skipped$"
    expect_log_total warn 1
    expect_log_total error 0
    expect_metric "nrp_methods_skipped_total 16"
    expect_metric "nrp_methods_rewritten_total 0"
    expect_metric "nrp_method_rewrite_failures_total 0"
    # nrprof check --app finds the same before the app runs: an error at the handler's option
    "$bundle/bin/nrprof" check --app "$(dirname "${app[-1]}")/Shapes.dll" "$work/rules.yaml" >"$work/check.out" 2>"$work/check.err"
    rc=$?
    re="^${work//./\\.}/rules\\.yaml:7:[0-9]+: error: handler not usable: $why in ${dll//./\\.} \\(plugin 'tracer', strategy 'tracer'\\)$"
    if [[ $rc == 1 ]] && (( $(wc -l <"$work/check.err") == 2 )) && [[ $(head -1 "$work/check.err") =~ $re ]]
    then pass "nrprof check --app: exit 1, the handler's error at its line: $(head -1 "$work/check.err" | cut -d: -f1-3 | sed 's#.*/##')"
    else fail "nrprof check --app (exit $rc):"; cat "$work/check.err"; fi
    ;;
quiet-default)
    # No NRP_LOG_FILE: nothing on the app's stdout or stderr; the log is
    # /tmp/nrprof-PID.log. A process the settings leave out makes no file.
    nine_rules
    unlogged "$work/rules.yaml" "$work/metrics.prom"
    expect_app_unchanged
    default_log=/tmp/nrprof-$(cat "$work/pid").log
    if [[ -f $default_log ]]; then mv "$default_log" "$work/profiler.log"; pass "the log is $default_log"
    else fail "no log at $default_log"; fi
    expect_log 1 info "nrprof [0-9.]+: clock (tsc|monotonic); config $work/rules.yaml: 9 rule\\(s\\), 9 active"
    expect_log 2 warn "$LEFT_OUT"
    expect_metric 'nrp_method_calls_total{rule="r9",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
    # left out by settings.processes: not even a file
    printf 'version: 1\nsettings:\n  processes:\n    exclude: ["Dem?"]\nrules:\n  - name: add\n    match: { assembly: Demo, type: Demo.Calculator, method: Add }\n    strategy: timing\n' >"$work/excluded.yaml"
    unlogged "$work/excluded.yaml" "$work/excluded.prom"
    expect_app_unchanged
    default_log=/tmp/nrprof-$(cat "$work/pid").log
    if [[ -e $default_log ]]; then fail "an excluded process made $default_log:"; cat "$default_log"; rm -f "$default_log"
    else pass "an excluded process makes no log file"; fi
    ;;
run-repeats)
    # nrprof run: the app's stdout and exit code unchanged; on nrprof's stderr,
    # after the app's end, exactly the warning and error lines of the log.
    nine_rules
    env "${sanitizer_env[@]}" NRP_METRICS_FILE="$work/metrics.prom" \
        "$bundle/bin/nrprof" run --config "$work/rules.yaml" -- "${app[@]}" "$EXIT_ARG" >"$work/prof.out" 2>"$work/prof.err"
    echo $? >"$work/prof.rc"
    mv "$work/prof.err" "$work/run.err"; : >"$work/prof.err"
    expect_app_unchanged
    pid=$(sed -n '1s/.* nrprof\[\([0-9]*\)\] .*/\1/p' "$work/run.err")
    if [[ -n $pid && -f /tmp/nrprof-$pid.log ]]; then mv "/tmp/nrprof-$pid.log" "$work/profiler.log"; pass "the log is /tmp/nrprof-$pid.log"
    else fail "no log of the run; nrprof run's stderr:"; cat "$work/run.err"; fi
    expect_log 2 warn "$LEFT_OUT"
    if grep -E " nrprof\[[0-9]+\] (warn |error) " "$work/profiler.log" | cmp -s - "$work/run.err"; then
        pass "nrprof run repeated the log's $(wc -l <"$work/run.err") warning and error lines, nothing else"
    else fail "nrprof run's stderr is not the log's warnings and errors:"; cat "$work/run.err"; fi
    if compgen -G "${TMPDIR:-/tmp}/nrprof-run-*" >/dev/null; then fail "nrprof run left its echo file behind"
    else pass "no echo file left"; fi
    ;;
run-sigterm|run-sigint)
    # Through nrprof run: SIGTERM (docker stop sends it to PID 1, nrprof run)
    # or SIGINT sent to nrprof run reaches the app, which writes its final
    # metrics; nrprof run ends by the same signal.
    sig=${case_name#run-}; sig=${sig^^}
    signal_rules 0
    launcher=("$bundle/bin/nrprof" run --)
    stopped base wait "$sig"
    stopped prof wait "$sig" NRP_CONFIG="$work/rules.yaml"
    expect_stopped_like_baseline "$([[ $sig == SIGTERM ]] && echo 143 || echo 130)"
    expect_metric "$STEP 42"
    expect_log 1 info "shutdown \\($sig\\): 1 method\\(s\\) matched, 1 rewritten, 0 skipped, 0 failed$"
    expect_log_total warn 0
    expect_log_total error 0
    ;;
signal-sigterm|signal-sigint)
    # Metrics only at exit, and the process ends by the signal: 42 calls, then
    # SIGTERM (what docker stop, systemd and Kubernetes send) or SIGINT.
    sig=${case_name#signal-}; sig=${sig^^}
    signal_rules 0
    stopped base wait "$sig"
    stopped prof wait "$sig" NRP_CONFIG="$work/rules.yaml"
    expect_stopped_like_baseline "$([[ $sig == SIGTERM ]] && echo 143 || echo 130)"
    expect_metric "$STEP 42"
    expect_metric "nrp_methods_rewritten_total 1"
    expect_log 1 info "shutdown"
    expect_log 1 info "shutdown \\($sig\\): 1 method\\(s\\) matched, 1 rewritten, 0 skipped, 0 failed$"
    expect_log_total warn 0
    expect_log_total error 0
    ;;
signal-sigterm-interval)
    # The periodic export wrote 5 calls; 37 more follow, then SIGTERM: the file
    # holds the final 42, not the last periodic write.
    signal_rules 1
    stopped base phases SIGTERM
    stopped prof phases SIGTERM NRP_CONFIG="$work/rules.yaml"
    expect_stopped_like_baseline 143
    expect_metric "$STEP 42"
    expect_log 1 info "shutdown"
    expect_log 1 info "shutdown \\(SIGTERM\\): 1 method\\(s\\) matched, 1 rewritten, 0 skipped, 0 failed$"
    expect_log_total warn 0
    expect_log_total error 0
    ;;
thread-stacks)
    # The host's threads (util/thread.h) get a stack of their own size, not the C library's default (8 MiB on
    # glibc, 128 KiB on musl). At debug level each reports its deepest use: the ReJIT worker (a CoreLib method
    # is ReJITed), the metrics exporter (every second) and the signal thread (the final write on SIGTERM). Each
    # must stay under a quarter of musl's default.
    signal_rules 1
    printf '  - name: concat\n    match: { assembly: System.Private.CoreLib, type: System.String, method: Concat }\n' \
        >>"$work/rules.yaml"
    printf '    strategy: timing\n' >>"$work/rules.yaml"
    stopped base phases SIGTERM
    stopped prof phases SIGTERM NRP_CONFIG="$work/rules.yaml" NRP_LOG_LEVEL=debug
    expect_stopped_like_baseline 143
    expect_metric "$STEP 42"
    # "stack used N of M bytes": M is what the C library reports, 1 MiB and, on musl, its guard page and TLS.
    for thread in "ReJIT worker" metrics signal; do
        read -r deepest size < <(sed -n "s/.* thread $thread: stack used \([0-9]*\) of \([0-9]*\) bytes$/\1 \2/p" \
                                     "$work/profiler.log" | sort -n | tail -1)
        if [[ -z $deepest ]]; then fail "the $thread thread reported no stack use"
        elif (( size < 1048576 || size > 1048576 + 65536 )); then fail "the $thread thread has a stack of $size bytes, not 1 MiB"
        elif (( deepest < 32768 )); then pass "$thread thread: deepest stack use $deepest bytes of $size"
        else fail "$thread thread: $deepest bytes of stack used, a quarter of musl's default or more"; fi
    done
    expect_log_total warn 0
    expect_log_total error 0
    ;;
signal-handled)
    # The app cancels SIGTERM with a PosixSignalRegistration, makes 3 more
    # calls and exits with its own code: the profiler changes none of that,
    # and its shutdown line is the runtime's, with no signal named.
    signal_rules 0
    stopped base handle SIGTERM
    stopped prof handle SIGTERM NRP_CONFIG="$work/rules.yaml"
    expect_stopped_like_baseline "$EXIT_ARG"
    if [[ $(cat "$work/prof.out") == $'ready\nSIGTERM handled' ]]; then pass "the app's handler ran"
    else fail "the app's handler did not run"; fi
    expect_metric "$STEP 45"
    expect_log 1 info "shutdown"
    expect_log 1 info "shutdown: 1 method\\(s\\) matched, 1 rewritten, 0 skipped, 0 failed$"
    expect_log_total warn 0
    expect_log_total error 0
    ;;
*)
    echo "unknown case $case_name"; exit 2 ;;
esac

if (( failures )); then echo "$failures check(s) failed; files in $work"; exit 1; fi
echo "all checks passed"
