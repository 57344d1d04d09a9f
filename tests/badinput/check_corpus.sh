#!/usr/bin/env bash
# Usage: check_corpus.sh NRPROF CORPUS_DIR
# `nrprof check` on every file of the generated bad-input corpus
# (make_corpus.py): each run must end with exit code 0 (valid) or 1
# (invalid), never a signal, a hang or any other code.
#
# Runaway work (an alias bomb, a quadratic pass) is caught by the CPU time
# the run used, not its wall time: ctest runs this beside the end-to-end
# tests, and on a busy machine a 5 ms run can wait a second for a core.
# The bound is far above any honest run (ASan's included); a hang is killed
# at 10 s of wall time and counted by its exit code.
# Every failure is listed with its file, so it can be reproduced.
set -uo pipefail
nrprof=$1 corpus=$2
cpu_limit_ms=2000
total=0 valid=0 invalid=0 failures=0 slowest=0 slowest_file=
TIMEFORMAT='%3U %3S'
for f in "$corpus"/*.yaml; do
    total=$((total + 1))
    # `time` reports the child's user and system CPU seconds on stderr.
    times=$( { time { timeout -s KILL 10 "$nrprof" check "$f" >/dev/null 2>"$corpus.err"
                      echo $? >"$corpus.rc"; }; } 2>&1 )
    rc=$(<"$corpus.rc")
    read -r user sys <<<"$times"
    ms=$(( 10#${user/./} + 10#${sys/./} ))
    (( ms > slowest )) && slowest=$ms slowest_file=$f
    case $rc in
        0) valid=$((valid + 1)) ;;
        1) invalid=$((invalid + 1)) ;;
        *) echo "FAIL: $f: exit code $rc"; head -3 "$corpus.err"; failures=$((failures + 1)) ;;
    esac
    if (( ms > cpu_limit_ms )); then echo "FAIL: $f: used $ms ms of CPU"; failures=$((failures + 1)); fi
done
echo "$total files: $valid valid, $invalid invalid, $failures failure(s); most CPU ${slowest} ms ($slowest_file)"
(( total > 1000 && failures == 0 ))
