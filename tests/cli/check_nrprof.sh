#!/usr/bin/env bash
# Usage: check_nrprof.sh NRPROF FAKE_PLUGIN_DIR WORK_DIR
# nrprof check: exit codes, output, and plugin refusals reported as errors.
set -uo pipefail
nrprof=$1 fakes=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

"$nrprof" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 2 ]] && grep -q '^usage: nrprof COMMAND' "$work/err"; then pass "no command: usage, exit 2"
else fail "no command: exit $rc"; fi

# A glibc bundle names the glibc floor it holds (NRP_TEST_GLIBC_FLOOR, from CMake), none where it is not pinned
# (NRP_GLIBC_PINNING=OFF, e.g. the sanitized build).
case ${NRP_TEST_GLIBC_FLOOR:-any} in
    none) platform='linux-(glibc|musl)-x64' ;;
    any) platform='linux-(glibc-x64 \(glibc 2\.[0-9]+ or later\)|musl-x64)' ;;
    *) platform="linux-glibc-x64 \\(glibc ${NRP_TEST_GLIBC_FLOOR//./\\.} or later\\)" ;;
esac
"$nrprof" --version >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 0 && ! -s $work/err ]] &&
   grep -Eqx "nrprof [0-9]+\\.[0-9]+\\.[0-9]+ $platform; plugin ABI [0-9]+\\.[0-9]+, SDK [0-9.]+" "$work/out"; then
    pass "--version: $(cat "$work/out")"
else fail "--version: exit $rc"; cat "$work/out" "$work/err"; fi
abi=$(sed -n 's/.*; plugin ABI \([0-9]*\.[0-9]*\),.*/\1/p' "$work/out")   # the host's, named in refusals

# --app: a path that is no app, and a folder of several apps, are errors that say what to do (exit 1).
printf 'version: 1\nrules: []\n' >"$work/empty.yaml"
"$nrprof" check --app "$work/none.dll" "$work/empty.yaml" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 1 && "$(cat "$work/err")" == "nrprof: --app $work/none.dll: $work/none.dll is neither a folder nor a readable .dll" ]]
then pass "--app on a missing file: exit 1, one line"
else fail "--app on a missing file: exit $rc"; cat "$work/out" "$work/err"; fi
mkdir -p "$work/apps" && touch "$work/apps/A.runtimeconfig.json" "$work/apps/B.runtimeconfig.json"
"$nrprof" check --app "$work/apps" "$work/empty.yaml" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 1 ]] && grep -Eqx "nrprof: --app $work/apps: $work/apps holds several apps \((A, B|B, A)\): name one, as --app $work/apps/NAME.dll" "$work/err"
then pass "--app on a folder of two apps: exit 1, names them"
else fail "--app on a folder of two apps: exit $rc"; cat "$work/out" "$work/err"; fi
"$nrprof" check "$work/empty.yaml" --app >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 2 ]] && grep -q '^usage: nrprof check' "$work/err"; then pass "--app without a path: usage, exit 2"
else fail "--app without a path: exit $rc"; cat "$work/out" "$work/err"; fi

cat >"$work/good.yaml" <<'YAML'
version: 1
rules:
  - name: add
    match: { assembly: Demo, type: Demo.Calculator, method: Add, static: false }
    strategy: timing
YAML
"$nrprof" check --explain "$work/good.yaml" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 0 ]] && [[ "$(head -1 "$work/out")" == "$work/good.yaml: ok: 1 rule(s), 1 enabled, from 1 file(s)" ]] &&
   grep -qx "add: timing priority=0 plugin=timing assembly=Demo type=Demo.Calculator method=Add static=false at $work/good.yaml:3:5" "$work/out"; then
    pass "valid file: exit 0, summary and --explain"
else fail "valid file: exit $rc"; cat "$work/out" "$work/err"; fi

printf 'version: 1\nplugins: [%s/libfake_abi_major.so]\nrules: []\n' "$fakes" >"$work/plugin.yaml"
"$nrprof" check "$work/plugin.yaml" >"$work/out" 2>"$work/err"; rc=$?
want="$fakes/libfake_abi_major.so: error: plugin $fakes/libfake_abi_major.so built for ABI 2.0, host speaks $abi; it is not loaded"
if [[ $rc == 1 ]] && grep -qxF "$want" "$work/err"; then pass "refused plugin: an error, exit 1"
else fail "refused plugin: exit $rc"; cat "$work/err"; fi

# The tracer's options, each problem at its own line and column.
cat >"$work/tracer.yaml" <<'YAML'
version: 1
rules:
  - name: no-exit
    match: { assembly: Shop, type: Shop.Cart, method: Add }
    strategy: tracer
    options:
      handler: { assembly: Shop.Telemetry, type: Shop.Telemetry.Hooks, enter: OnEnter }
  - name: bad-flag
    match: { assembly: Shop, type: Shop.Cart, method: Add }
    strategy: tracer
    options:
      handler: { assembly: Shop.Telemetry, type: Shop.Telemetry.Hooks, enter: OnEnter, exit: OnExit }
      capture_args: maybe
  - name: unknown
    match: { assembly: Shop, type: Shop.Cart, method: Add }
    strategy: tracer
    options:
      handler: { assembly: Shop.Telemetry, type: Shop.Telemetry.Hooks, enter: OnEnter, exit: OnExit }
      capture_locals: true
YAML
"$nrprof" check "$work/tracer.yaml" >"$work/out" 2>"$work/err"; rc=$?
grep ': error: ' "$work/err" >"$work/errors"
cat >"$work/want" <<EOF2
$work/tracer.yaml:7:7: error: tracer needs handler.exit (handler: { assembly, type, enter, exit }) (plugin 'tracer', strategy 'tracer')
$work/tracer.yaml:13:21: error: 'capture_args' must be true or false (plugin 'tracer', strategy 'tracer')
$work/tracer.yaml:19:23: error: unknown option 'capture_locals' (tracer takes handler: {assembly, type, enter, exit}, capture_args, capture_return, await) (plugin 'tracer', strategy 'tracer')
EOF2
if [[ $rc == 1 ]] && cmp -s "$work/want" "$work/errors"; then pass "tracer options: 3 errors at their lines, exit 1"
else fail "tracer options: exit $rc"; diff "$work/want" "$work/errors"; fi

# nrprof report: a canned metrics file, lines deliberately out of family
# order; one method with the percentile gauges of this profiler, one async
# method without them (an older file: estimated from the buckets), one with
# calls only (an older file or a plugin's own counter), and series the
# table leaves out.
bounds=(1e-07 2.5e-07 5e-07 1e-06 2.5e-06 5e-06 1e-05 2.5e-05 5e-05 0.0001 0.00025 0.0005 0.001 0.0025
        0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf)
buckets() { # LABELS CUMULATIVE-COUNT... (one per bound; the last repeats to +Inf)
    local labels=$1 i=0 count; shift
    for ((i = 0; i < ${#bounds[@]}; i++)); do
        (( $# > 1 )) && { count=$1; shift; } || count=$1
        printf 'nrp_method_duration_seconds_bucket{%s,le="%s"} %s\n' "$labels" "${bounds[i]}" "$count"
    done
}
add='rule="add",method="Demo.Calculator::Add(System.Int32,System.Int32)"'
tw='rule="tw",method="Shapes.Calc::TwiceAsync(System.Int32)",async="true"'
long='rule="restock",method="Contoso.Inventory.Replenishment::Schedule(System.Collections.Generic.IReadOnlyList`1<Contoso.Sku>,System.DateTimeOffset)"'
{
    echo '# HELP nrp_method_duration_min_seconds Shortest call.'
    echo '# TYPE nrp_method_duration_min_seconds gauge'
    echo "nrp_method_duration_min_seconds{$tw} 3e-05"
    echo "nrp_method_duration_min_seconds{$add} 2.1e-08"
    echo '# TYPE nrp_method_duration_max_seconds gauge'
    echo "nrp_method_duration_max_seconds{$tw} 0.00041"
    echo "nrp_method_duration_max_seconds{$add} 3.4e-06"
    echo '# TYPE nrp_method_duration_quantile_seconds gauge'
    echo "nrp_method_duration_quantile_seconds{$add,quantile=\"0.5\"} 0.000000041"
    echo "nrp_method_duration_quantile_seconds{$add,quantile=\"0.9\"} 0.000000062"
    echo "nrp_method_duration_quantile_seconds{$add,quantile=\"0.99\"} 0.000000190"
    echo '# HELP nrp_method_calls_total Calls of the instrumented method.'
    echo '# TYPE nrp_method_calls_total counter'
    echo "nrp_method_calls_total{$add} 1000"
    echo "nrp_method_calls_total{$long} 12"
    echo "nrp_method_calls_total{$tw} 4"
    echo '# TYPE nrp_method_exceptions_total counter'
    echo "nrp_method_exceptions_total{$tw} 1"
    echo "nrp_method_exceptions_total{$add} 0"
    echo '# TYPE nrp_method_duration_seconds histogram'
    buckets "$tw" 0 0 0 0 0 0 0 0 1 3 3 4
    echo "nrp_method_duration_seconds_sum{$tw} 0.00079"
    echo "nrp_method_duration_seconds_count{$tw} 4"
    buckets "$add" 950 980 995 995 995 1000
    echo "nrp_method_duration_seconds_sum{$add} 0.0000412"
    echo "nrp_method_duration_seconds_count{$add} 1000"
    echo '# TYPE nrp_hello_calls_total counter'
    echo 'nrp_hello_calls_total{rule="hi",method="Demo.Program::Main(System.String[])"} 1'
    echo 'nrp_methods_rewritten_total 3'
    echo 'nrp_methods_skipped_total 1'
    echo 'nrp_method_rewrite_failures_total 0'
} >"$work/metrics.prom"
(cd "$work" && "$nrprof" report --wide metrics.prom) >"$work/out" 2>"$work/err"; rc=$?
cat >"$work/want" <<'TABLE'
metrics.prom: 3 instrumented methods

method                                                                                                                    rule     calls  exceptions      p50     p90     p99      max  histogram
Shapes.Calc::TwiceAsync(System.Int32) (async)                                                                             tw           4           1  75.0 µs  400 µs  410 µs   410 µs          ▄█ ▄
Demo.Calculator::Add(System.Int32,System.Int32)                                                                           add       1000           0    41 ns   62 ns  190 ns  3.40 µs  █▁▁  ▁
Contoso.Inventory.Replenishment::Schedule(System.Collections.Generic.IReadOnlyList`1<Contoso.Sku>,System.DateTimeOffset)  restock     12           -        -       -       -        -

(async): the method returns a task (timed until the task completes) or is an async state machine.
percentiles: some estimated from the classic buckets (the file has no nrp_method_duration_quantile_seconds)
histogram: one column per duration bucket, (0, 100 ns] to (250 µs, 500 µs]
methods: 3 rewritten, 1 skipped, 0 failed to rewrite
TABLE
if [[ $rc == 0 ]] && cmp -s "$work/want" "$work/out" && [[ ! -s "$work/err" ]]; then
    pass "report --wide: the exact table"
else fail "report --wide: exit $rc"; diff "$work/want" "$work/out"; cat "$work/err"; fi

order=$(awk 'NR > 3 && NF { print $1 } NF == 0 && NR > 3 { exit }' "$work/out" | tr '\n' ' ')
if [[ $order == "Shapes.Calc::TwiceAsync(System.Int32) Demo.Calculator::Add(System.Int32,System.Int32) Contoso."* ]]
then pass "report: slowest p99 first, no durations last"
else fail "report: order is $order"; fi

"$nrprof" report "$work/metrics.prom" >"$work/out" 2>"$work/err"; rc=$?
want='Contoso.Inventory.Replenishmen…o.Sku>,System.DateTimeOffset)  restock     12           -        -       -       -        -'
if [[ $rc == 0 ]] && grep -qxF "$want" "$work/out"; then pass "report: long names cut in the middle"
else fail "report: long name, exit $rc"; cat "$work/out" "$work/err"; fi

# Two rules composed on one method: two rows, one method.
{
    echo '# TYPE nrp_method_calls_total counter'
    echo 'nrp_method_calls_total{rule="a",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 5'
    echo 'nrp_method_calls_total{rule="b",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 5'
    echo 'nrp_method_calls_total{rule="a",method="Demo.Program::Main(System.String[])"} 1'
} >"$work/composed.prom"
"$nrprof" report "$work/composed.prom" >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 0 && "$(head -1 "$work/out")" == "$work/composed.prom: 2 instrumented methods in 3 rows (methods under several rules have a row per rule)" ]]
then pass "report: the header counts methods, and says when rows are more"
else fail "report header: exit $rc"; head -1 "$work/out"; cat "$work/err"; fi

# Cancellations (timing counts them for methods that return a task): a
# column when the file has the series, '-' for methods without it.
{
    echo '# TYPE nrp_method_calls_total counter'
    echo "nrp_method_calls_total{$tw} 4"
    echo "nrp_method_calls_total{$add} 1000"
    echo '# TYPE nrp_method_exceptions_total counter'
    echo "nrp_method_exceptions_total{$tw} 1"
    echo "nrp_method_exceptions_total{$add} 0"
    echo '# TYPE nrp_method_cancellations_total counter'
    echo "nrp_method_cancellations_total{$tw} 2"
} >"$work/cancel.prom"
(cd "$work" && "$nrprof" report cancel.prom) >"$work/out" 2>"$work/err"; rc=$?
cat >"$work/want" <<'TABLE'
cancel.prom: 2 instrumented methods

method                                           rule  calls  exceptions  cancellations  p50  p90  p99  max
Demo.Calculator::Add(System.Int32,System.Int32)  add    1000           0              -    -    -    -    -
Shapes.Calc::TwiceAsync(System.Int32) (async)    tw        4           1              2    -    -    -    -

(async): the method returns a task (timed until the task completes) or is an async state machine.
TABLE
if [[ $rc == 0 ]] && cmp -s "$work/want" "$work/out" && [[ ! -s "$work/err" ]]; then
    pass "report: a cancellations column when the file counts them"
else fail "report with cancellations: exit $rc"; diff "$work/want" "$work/out"; cat "$work/err"; fi

"$nrprof" report --help >"$work/out" 2>"$work/err"; rc=$?
if [[ $rc == 0 ]] && grep -q '^usage: nrprof report' "$work/out" && [[ ! -s "$work/err" ]]; then pass "report --help: stdout, exit 0"
else fail "report --help: exit $rc"; fi

report_fails() { # WANT-EXIT WANT-STDERR-LINE WHAT ARGS...
    local want_rc=$1 want=$2 what=$3; shift 3
    "$nrprof" report "$@" >"$work/out" 2>"$work/err"; rc=$?
    if [[ $rc == "$want_rc" ]] && grep -qxF -- "$want" "$work/err" && [[ ! -s "$work/out" ]]; then pass "report $what: exit $rc"
    else fail "report $what: exit $rc"; cat "$work/out" "$work/err"; fi
}
report_fails 1 "nrprof: cannot read $work/none.prom: No such file or directory" "missing file" "$work/none.prom"
printf 'nrp_methods_rewritten_total 0\nnrp_hello_calls_total{rule="hi",method="A::B()"} 1\n' >"$work/host-only.prom"
report_fails 1 "nrprof: $work/host-only.prom holds no method series (nrp_method_calls_total and the like); methods: 0 rewritten" \
    "no method series" "$work/host-only.prom"
printf '# TYPE nrp_method_calls_total counter\nnrp_method_calls_total{rule="a",method="A::B()} 1\n' >"$work/bad.prom"
report_fails 1 "$work/bad.prom:2:50: label value not closed by '\"'" "malformed line" "$work/bad.prom"
printf 'nrp_method_duration_seconds_bucket{rule="a",method="A::B()",le="soon"} 1\n' >"$work/bad-le.prom"
report_fails 1 "$work/bad-le.prom:1: bucket bound le=\"soon\" is not a number" "bad le" "$work/bad-le.prom"
printf '{"pid":1,"metrics":[]}\n' >"$work/metrics.json"
report_fails 1 "nrprof: $work/metrics.json looks like the JSON metrics format; report reads the Prometheus text format" \
    "JSON file" "$work/metrics.json"
report_fails 2 "usage: nrprof report [--wide] FILE" "without a file"
report_fails 2 "nrprof: unknown option '--narrow'" "unknown option" --narrow "$work/metrics.prom"
report_fails 2 "usage: nrprof report [--wide] FILE" "two files" "$work/metrics.prom" "$work/metrics.prom"

if (( failures )); then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
