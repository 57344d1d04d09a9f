#!/usr/bin/env bash
# Usage: check_corpus.sh NRPROF CORPUS_DIR
# `nrprof check` on every file of the generated bad-input corpus
# (make_corpus.py): each run must end with exit code 0 (valid) or 1
# (invalid), never a signal, a hang or any other code, and within 1 s.
# Every failure is listed with its file, so it can be reproduced.
set -uo pipefail
nrprof=$1 corpus=$2
total=0 valid=0 invalid=0 failures=0 slowest=0 slowest_file=
for f in "$corpus"/*.yaml; do
    total=$((total + 1))
    start=$(date +%s%N)
    timeout -s KILL 10 "$nrprof" check "$f" >/dev/null 2>"$corpus.err"
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    (( ms > slowest )) && slowest=$ms slowest_file=$f
    case $rc in
        0) valid=$((valid + 1)) ;;
        1) invalid=$((invalid + 1)) ;;
        *) echo "FAIL: $f: exit code $rc"; head -3 "$corpus.err"; failures=$((failures + 1)) ;;
    esac
    if (( ms > 1000 )); then echo "FAIL: $f: took $ms ms"; failures=$((failures + 1)); fi
done
echo "$total files: $valid valid, $invalid invalid, $failures failure(s); slowest ${slowest} ms ($slowest_file)"
(( total > 1000 && failures == 0 ))
