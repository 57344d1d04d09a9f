#!/usr/bin/env bash
# Usage: clean_run.sh LOG_DIR COMMAND [ARG...]
# Runs a test of a sanitized build (cmake/Sanitizers.cmake) so that any sanitizer report fails it, even one from a
# process the test starts and whose exit code or stderr it reads itself (nrprof under tests/cli): every ASan report
# goes to a file in LOG_DIR, and the test fails when one exists, whatever COMMAND's exit code; the reports are
# printed. UBSan cannot write to a file next to ASan (gcc's libubsan sets its log_path through
# __sanitizer_set_report_path, which libasan interposes), so its reports go to the process's stderr, and the process
# exits with code 99, which no test expects of nrprof or of a unit test.
set -uo pipefail
logs=$1; shift
rm -rf "$logs" && mkdir -p "$logs"
# halt_on_error: stop at the first report (UBSan too, with -fno-sanitize-recover=all), never run on corrupt state.
# detect_leaks: the unit tests and nrprof free what they allocate; a leak is a bug (LeakSanitizer, at exit).
# detect_stack_use_after_return: also catch pointers to a returned function's locals (fake stacks; cheap here).
# strict_string_checks: strtol and kin must be given NUL-terminated strings, not just read up to the number's end.
# log_path: ASan's and LeakSanitizer's reports to LOG_DIR/asan.PID, one file per process that reported.
# Options the caller set come first, so these win.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1"
ASAN_OPTIONS+=":strict_string_checks=1:exitcode=99:log_path=$logs/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1:exitcode=99"
"$@"
rc=$?
shopt -s nullglob
reports=("$logs"/*)
if (( ${#reports[@]} )); then
    for r in "${reports[@]}"; do echo "=== sanitizer report $r:"; cat "$r"; done
    echo "FAIL: ${#reports[@]} sanitizer report(s) (exit code $rc)"
    (( rc )) || rc=1
elif (( rc == 99 )); then
    echo "FAIL: exit code 99: a sanitizer report (UBSan's are on stderr, above or in the test's own files)"
fi
exit $rc
