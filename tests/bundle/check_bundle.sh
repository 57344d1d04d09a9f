#!/usr/bin/env bash
# Usage: check_bundle.sh CMAKE CPACK BUILD_DIR APPS_DIR WORK_DIR PACKAGE_NAME
# The installed bundle works from wherever it is moved, `nrprof run` sets up
# the profiler for one command and passes its exit code through, and the
# cpack tarball holds the same bundle and works once extracted.
set -uo pipefail
umask 022 # the profiler refuses group-writable files
cmake=$1 cpack=$2 build=$3 apps=$4 work=$5 package=$6
src=$(cd "$(dirname "$0")/../.." && pwd) # the source tree: the Demo app's rules file
CLSID='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}'
EXIT_ARG=7 # the app exits with this code: nrprof run must not change it
ADD_INT='nrp_method_calls_total{rule="add",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
DROPIN='nrp_method_calls_total{rule="dropin",method="Demo.Program::Main(System.String[])"} 1'

rm -rf "$work" && mkdir -p "$work" && work=$(realpath "$work")
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
finish() {
    if (( failures )); then echo "$failures check(s) failed; files in $work"; exit 1; fi
    echo "all checks passed"
    exit 0
}

# Whatever the caller's shell had must not profile or configure our runs.
for v in $(env | sed -n 's/^\(\(CORECLR\|NRP\)_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done

# The Demo for the bundle's C library: on the SDK's runtime (glibc), or self-contained on the musl runtime.
if [[ -d $apps/net10-musl ]]; then demo=("$apps/net10-musl/Demo"); else demo=(dotnet "$apps/net10/Demo.dll"); fi
if [[ ! -f ${demo[-1]} ]]; then
    # A musl build without the musl runtime (scripts/setup-musl-runtime.sh) has no apps: skipped, as the e2e cases.
    if readelf -l "$build/bundle/bin/nrprof" 2>/dev/null | grep -q ld-musl; then
        echo "skipped: no apps for the musl runtime in $apps (scripts/setup-musl-runtime.sh)"; exit 77
    fi
    fail "no demo app at ${demo[-1]} (the e2e_apps fixture builds it)"; finish
fi
"${demo[@]}" "$EXIT_ARG" >"$work/base.out" 2>"$work/base.err"
base_rc=$?
if [[ $base_rc == "$EXIT_ARG" && -s $work/base.out ]]; then pass "baseline: exit $EXIT_ARG, $(wc -c <"$work/base.out") bytes of output"
else fail "baseline run: exit $base_rc, $(wc -c <"$work/base.out") bytes of output"; finish; fi

# ---- install, then move the folder ----------------------------------------
if "$cmake" --install "$build" --prefix "$work/a" >"$work/install.log" 2>&1; then pass "cmake --install into $work/a"
else fail "cmake --install failed:"; tail -5 "$work/install.log"; finish; fi
mv "$work/a" "$work/b"
b=$work/b
[[ -e $work/a ]] && fail "$work/a still exists after the move"

for f in libNewRelicProfiler.so plugins/libnrp_timing.so plugins/libnrp_identity.so instrumentation.yaml \
         instrumentation.d/README.md schemas/instrumentation.schema.json bin/nrprof include/nrp/plugin.h \
         lib/cmake/NrpPlugin/NrpPluginConfig.cmake lib/pkgconfig/nrp-plugin.pc; do
    if [[ -f $b/$f ]]; then pass "installed $f"; else fail "missing from the install: $f"; fi
done
if [[ -d $b/instrumentation.d ]] && [[ $(stat -c %a "$b/instrumentation.d") == 755 ]]; then
    pass "instrumentation.d/ is a folder only its owner can write"
else fail "instrumentation.d/ missing or with mode $(stat -c %a "$b/instrumentation.d" 2>/dev/null)"; fi

# Nothing may tie the binaries to the build tree or to the install prefix.
elves=("$b/libNewRelicProfiler.so" "$b"/plugins/*.so "$b/bin/nrprof")
for elf in "${elves[@]}"; do
    dyn=$(readelf -d "$elf" 2>&1)
    name=${elf#"$b"/}
    if grep -qE '\((RPATH|RUNPATH)\)' <<<"$dyn"; then fail "$name has an RPATH/RUNPATH: $(grep -E 'RPATH|RUNPATH' <<<"$dyn")"
    elif grep -q '(NEEDED).*/' <<<"$dyn"; then fail "$name needs a library by path: $(grep NEEDED <<<"$dyn")"
    elif readelf -p .rodata "$elf" 2>/dev/null | grep -qF -e "$build" -e "$work"; then fail "$name has a build or install path in .rodata"
    else pass "$name: no RPATH, no library by path, no build path"; fi
done

# ---- nrprof run: the environment it gives the command ----------------------
"$b/bin/nrprof" run -- env >"$work/env.out" 2>"$work/env.err"
rc=$?
missing=
for line in "CORECLR_ENABLE_PROFILING=1" "CORECLR_PROFILER=$CLSID" "CORECLR_PROFILER_PATH=$b/libNewRelicProfiler.so" \
            "NRP_CONFIG=$b/instrumentation.yaml"; do
    grep -Fxq -- "$line" "$work/env.out" || missing+=" $line"
done
if [[ $rc == 0 && -z $missing ]]; then pass "nrprof run -- env: CORECLR_* and NRP_CONFIG name the moved bundle"
else fail "nrprof run -- env: exit $rc, missing:$missing"; cat "$work/env.err"; fi

# The user's NRP_* stay; a platform-specific profiler path would win over ours.
NRP_CONFIG=/etc/mine.yaml NRP_LOG_LEVEL=trace CORECLR_PROFILER_PATH_64=/elsewhere/libOther.so \
    "$b/bin/nrprof" run -- env >"$work/env2.out" 2>&1
if grep -Fxq "NRP_CONFIG=/etc/mine.yaml" "$work/env2.out" && grep -Fxq "NRP_LOG_LEVEL=trace" "$work/env2.out" &&
   ! grep -q '^CORECLR_PROFILER_PATH_64=' "$work/env2.out"; then
    pass "the user's NRP_CONFIG and NRP_LOG_LEVEL are kept, CORECLR_PROFILER_PATH_64 is dropped"
else fail "user environment not handled as documented:"; grep -E '^(NRP|CORECLR)_' "$work/env2.out"; fi

# ---- nrprof run: the Demo under the moved bundle ---------------------------
# run_demo DIR NRPROF [nrprof run options...]: outputs in DIR
run_demo() {
    local dir=$1 nrprof=$2; shift 2
    mkdir -p "$dir"
    NRP_METRICS_FILE="$dir/metrics.prom" NRP_LOG_FILE="$dir/profiler.log" \
        "$nrprof" run "$@" -- "${demo[@]}" "$EXIT_ARG" >"$dir/prof.out" 2>"$dir/prof.err"
    echo $? >"$dir/prof.rc"
}

# expect_demo DIR WHAT CONFIG: exit code, output, and the start-up log line
# naming CONFIG; no errors in the log.
expect_demo() {
    local dir=$1 what=$2 config=$3 rc
    rc=$(cat "$dir/prof.rc")
    if [[ $rc == "$EXIT_ARG" ]]; then pass "$what: exit code $EXIT_ARG passed through"
    else fail "$what: exit code $rc, expected $EXIT_ARG"; cat "$dir/prof.err"; fi
    if cmp -s "$work/base.out" "$dir/prof.out"; then pass "$what: stdout byte-identical to the run without the profiler"
    else fail "$what: stdout differs"; diff "$work/base.out" "$dir/prof.out" | head -10; fi
    if [[ -s $dir/prof.err ]]; then fail "$what: stderr not empty:"; head -5 "$dir/prof.err"; fi
    if grep -E ' info +nrprof [0-9.]+: clock [a-z]+; config ' "$dir/profiler.log" 2>/dev/null | grep -qF " config $config: "; then
        pass "$what: the profiler started with $config"
    else fail "$what: no start-up line naming $config in the log:"; cat "$dir/profiler.log" 2>/dev/null; fi
    if grep -qE ' nrprof\[[0-9]+\] error ' "$dir/profiler.log" 2>/dev/null; then
        fail "$what: errors in the log:"; grep -E ' error ' "$dir/profiler.log"
    fi
}

expect_metric() { # DIR WHAT LINE: the exact line is in the metrics file
    if grep -Fxq -- "$3" "$1/metrics.prom" 2>/dev/null; then pass "$2: metric $3"
    else fail "$2: no metric line $3"; grep -v '^#' "$1/metrics.prom" 2>/dev/null | head -10; fi
}

# A drop-in rule file in instrumentation.d/ is read with the shipped rules.
printf 'version: 1\nrules:\n  - name: dropin\n    match: { assembly: Demo, type: Demo.Program, method: Main }\n    strategy: timing\n' \
    >"$b/instrumentation.d/50-dropin.yaml"
run_demo "$work/moved" "$b/bin/nrprof"
expect_demo "$work/moved" "moved bundle" "$b/instrumentation.yaml"
expect_metric "$work/moved" "moved bundle, instrumentation.d/50-dropin.yaml" "$DROPIN"
# The shipped rules are production ones: none of them selects a method of the Demo app.
expect_metric "$work/moved" "moved bundle, only the drop-in rule matched" 'nrp_methods_rewritten_total 1'
# The Demo app's own rules file, given with --config.
run_demo "$work/demo-rules" "$b/bin/nrprof" --config "$src/tests/e2e/apps/Demo/rules.yaml"
expect_demo "$work/demo-rules" "--config Demo/rules.yaml" "$src/tests/e2e/apps/Demo/rules.yaml"
expect_metric "$work/demo-rules" "--config Demo/rules.yaml" "$ADD_INT"

# --config: a relative path resolved before the command runs, winning over
# an NRP_CONFIG the user set. Wildcards pick both overloads.
mkdir -p "$work/custom"
cat >"$work/custom/rules.yaml" <<'YAML'
version: 1
rules:
  - name: calc
    match: { assembly: "Dem?", type: "Demo.*", method: "A*" }
    strategy: timing
YAML
(cd "$work/custom" && NRP_CONFIG=/nonexistent.yaml run_demo "$work/custom" "$b/bin/nrprof" --config rules.yaml)
expect_demo "$work/custom" "--config" "$work/custom/rules.yaml"
expect_metric "$work/custom" "--config" 'nrp_method_calls_total{rule="calc",method="Demo.Calculator::Add(System.Int32,System.Int32)"} 1000'
expect_metric "$work/custom" "--config" 'nrp_method_calls_total{rule="calc",method="Demo.Calculator::Add(System.Int64,System.Int64)"} 1'
if grep -q 'rule="dropin"' "$work/custom/metrics.prom" 2>/dev/null; then fail "--config: the bundle's rules applied too"
else pass "--config: only the given file's rules applied"; fi

# ---- nrprof run: usage and exec errors --------------------------------------
# expect_run RC STDERR_REGEX WHAT ARGS...: nrprof run ARGS exits RC, and its
# stderr's first line matches STDERR_REGEX
expect_run() {
    local want_rc=$1 want_err=$2 what=$3 rc; shift 3
    "$b/bin/nrprof" run "$@" >"$work/err.out" 2>"$work/err.err"
    rc=$?
    if [[ $rc == "$want_rc" ]] && head -1 "$work/err.err" | grep -qE -- "$want_err"; then
        pass "$what: exit $rc, $(head -1 "$work/err.err")"
    else fail "$what: exit $rc (expected $want_rc), stderr:"; cat "$work/err.err"; fi
}
expect_run 2 "^nrprof run: missing '--' and COMMAND$" "no arguments"
expect_run 2 "^nrprof run: missing '--' before the command '${demo[0]}'$" "no --" "${demo[@]}"
expect_run 2 "^nrprof run: missing COMMAND after '--'$" "no command after --" --
expect_run 2 "^nrprof run: missing COMMAND after '--'$" "no command after --config FILE --" --config "$work/custom/rules.yaml" --
expect_run 2 "^nrprof run: --config needs a FILE$" "--config without FILE" --config -- true
expect_run 2 "^nrprof run: unknown option '--bogus'$" "unknown option" --bogus -- true
expect_run 2 "^nrprof run: config file '$work/none.yaml': No such file or directory$" "missing --config file" \
    --config "$work/none.yaml" -- true
expect_run 127 "^nrprof run: cannot run 'nrp-no-such-command': No such file or directory$" "nonexistent command" \
    -- nrp-no-such-command
printf '#!/bin/sh\n' >"$work/not-executable" && chmod 0644 "$work/not-executable"
expect_run 126 "^nrprof run: cannot run '$work/not-executable': Permission denied$" "non-executable command" \
    -- "$work/not-executable"
"$b/bin/nrprof" run -- sh -c 'exit 42'
rc=$?
if [[ $rc == 42 ]]; then pass "exit code 42 of a plain command passed through"; else fail "sh -c 'exit 42' gave $rc"; fi
"$b/bin/nrprof" run --help >"$work/help.out" 2>&1
rc=$?
if [[ $rc == 0 ]] && grep -q '^usage: nrprof run \[--config FILE\] -- COMMAND' "$work/help.out"; then pass "--help: usage, exit 0"
else fail "--help: exit $rc"; cat "$work/help.out"; fi
mkdir -p "$work/nolib" && cp -r "$b/bin" "$work/nolib/"
"$work/nolib/bin/nrprof" run -- true >/dev/null 2>"$work/nolib.err"
rc=$?
if [[ $rc == 2 ]] && grep -qF "$work/nolib/libNewRelicProfiler.so is missing" "$work/nolib.err"; then
    pass "bundle without the profiler: $(cat "$work/nolib.err"), exit 2"
else fail "bundle without the profiler: exit $rc"; cat "$work/nolib.err"; fi

# ---- cpack ----------------------------------------------------------------
if "$cpack" --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1; then pass "cpack"
else fail "cpack failed:"; tail -10 "$work/cpack.log"; finish; fi
tarball=$work/pkg/$package.tar.gz
made=$(cd "$work/pkg" && ls -- *.tar.gz 2>/dev/null | tr '\n' ' ')
if [[ -f $tarball && $made == "$package.tar.gz " ]]; then pass "cpack made $package.tar.gz ($(stat -c %s "$tarball") bytes)"
else fail "expected exactly $package.tar.gz, cpack made: $made"; finish; fi
tar tzf "$tarball" >"$work/listing" || fail "cannot list $tarball"
if grep -qv "^$package/" "$work/listing"; then fail "entries outside the top folder $package/:"; grep -v "^$package/" "$work/listing" | head
else pass "every entry is under $package/"; fi
for f in bin/nrprof libNewRelicProfiler.so plugins/libnrp_timing.so instrumentation.yaml instrumentation.d/ \
         schemas/instrumentation.schema.json include/nrp/plugin.h; do
    if grep -q "^$package/$f" "$work/listing"; then pass "tarball holds $f"; else fail "tarball lacks $f"; fi
done

mkdir -p "$work/x" && tar xzf "$tarball" -C "$work/x"
x=$work/x/$package
cp "$b/instrumentation.d/50-dropin.yaml" "$x/instrumentation.d/"
run_demo "$work/extracted" "$x/bin/nrprof"
expect_demo "$work/extracted" "extracted tarball" "$x/instrumentation.yaml"
expect_metric "$work/extracted" "extracted tarball" "$DROPIN"

finish
