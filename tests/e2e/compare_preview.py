#!/usr/bin/env python3
"""Compare what `nrprof check --app` listed with what the profiler did.

Usage: compare_preview.py PREVIEW_OUT PROFILER_LOG [--rewritten] [--loaded]

PREVIEW_OUT is nrprof check --app's standard output: "rule 'NAME' (...)
selects N methods:" headers, each followed by "  LABEL in ASSEMBLY" lines.
PROFILER_LOG is the profiler's log at debug level: "selected LABEL in
ASSEMBLY for rule(s) 'A', 'B'" lines, and "rewrote LABEL with rule(s) 'A'"
ones. Both become sets of (rule, assembly-less label) pairs; they must be
equal (with --rewritten, the rewritten pairs must equal the preview's too).
With --loaded (a log at trace level, with a "loaded ASSEMBLY" line per
module), the preview's pairs are kept only in assemblies the app loaded:
the profiler never sees the others.
Prints the differences and exits 1 when there are any, else prints the
pair count and exits 0.
"""
import re
import sys


def preview_pairs(path, loaded=None):
    pairs, rule = set(), None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^rule '([^']*)' \(.*\) selects \d+ methods?:$", line)
        if m:
            rule = m.group(1)
            continue
        m = re.match(r"^  (\S+) in (\S+)$", line)
        if m and rule is not None:
            if loaded is None or m.group(2) in loaded:
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


def loaded_assemblies(path):
    loaded = set()
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.search(r" trace +loaded (\S+)$", line.rstrip("\n"))
        if m:
            loaded.add(m.group(1))
    return loaded


def main():
    loaded = loaded_assemblies(sys.argv[2]) if "--loaded" in sys.argv[3:] else None
    preview = preview_pairs(sys.argv[1], loaded)
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
        where = f", in the {len(loaded)} assemblies loaded" if loaded is not None else ""
        print(f"{len(preview)} (rule, method) pairs{where}, identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
