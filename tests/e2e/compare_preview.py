#!/usr/bin/env python3
"""Compare what `nrprof check --app` listed with what the profiler did.

Usage: compare_preview.py PREVIEW_OUT PROFILER_LOG [--rewritten]

PREVIEW_OUT is nrprof check --app's standard output: "rule 'NAME' (...)
selects N methods:" headers, each followed by "  LABEL in ASSEMBLY" lines.
PROFILER_LOG is the profiler's log at debug level: "selected LABEL in
ASSEMBLY for rule(s) 'A', 'B'" lines, and "rewrote LABEL with rule(s) 'A'"
ones. Both become sets of (rule, assembly-less label) pairs; they must be
equal (with --rewritten, the rewritten pairs must equal the preview's too).
Prints the differences and exits 1 when there are any, else prints the
pair count and exits 0.
"""
import re
import sys


def preview_pairs(path):
    pairs, rule = set(), None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^rule '([^']*)' \(.*\) selects \d+ methods?:$", line)
        if m:
            rule = m.group(1)
            continue
        m = re.match(r"^  (\S+) in (\S+)$", line)
        if m and rule is not None:
            pairs.add((rule, m.group(1)))
        elif not line.startswith("  "):
            rule = None
    return pairs


def log_pairs(path, verb):
    pattern = {
        "selected": re.compile(r" debug +selected (\S+) in \S+ for rules? (.*)$"),
        "rewrote": re.compile(r" debug +rewrote (\S+) with rules? (.*)$"),
    }[verb]
    pairs = set()
    for line in open(path, encoding="utf-8", errors="replace"):
        m = pattern.search(line.rstrip("\n"))
        if m:
            for rule in re.findall(r"'([^']*)'", m.group(2)):
                pairs.add((rule, m.group(1)))
    return pairs


def main():
    preview = preview_pairs(sys.argv[1])
    checks = [("selected", log_pairs(sys.argv[2], "selected"))]
    if "--rewritten" in sys.argv[3:]:
        checks.append(("rewrote", log_pairs(sys.argv[2], "rewrote")))
    bad = False
    for verb, seen in checks:
        for rule, label in sorted(preview - seen):
            print(f"listed by nrprof check --app, not {verb} by the profiler: rule '{rule}': {label}")
            bad = True
        for rule, label in sorted(seen - preview):
            print(f"{verb} by the profiler, not listed by nrprof check --app: rule '{rule}': {label}")
            bad = True
    if not preview:
        print("nrprof check --app listed nothing")
        bad = True
    if not bad:
        print(f"{len(preview)} (rule, method) pairs, identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
