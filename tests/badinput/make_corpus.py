#!/usr/bin/env python3
"""Writes a corpus of broken and hostile rules files, the way users and
attackers write them, for check_corpus.sh and the e2e.bad-input cases.

Usage: make_corpus.py OUT_DIR SOURCE.yaml...

From every SOURCE file, each line is in turn deleted, doubled, indented
further, indented less, and cut in half (the file ending there); every
`key: value` is given values of every wrong type; and every flow mapping
`{ ... }` has each of its entries dropped. Then a set of hostile files
that no mutation reaches: nesting deep enough to make libyaml's time grow
with its square, aliases that expand exponentially ("billion laughs"),
alias cycles, merge keys, several documents, NUL characters, control
characters, invalid UTF-8, huge mappings, many rules with one name, a rule
that names itself in its include, and more.

The output is deterministic: the same sources give the same files, so a
file that fails can be named and reproduced.
"""
import os
import re
import sys

WRONG_VALUES = [
    "~", "null", '""', "''", "[]", "{}", "[a, b]", "{a: 1}", "-1", "0", "99999999999999999999999", "1.5",
    "true", "no", '"\\u0000"', '"a\\u0000b"', '"\\t"', '" "', "*undefined", "&x", "!!binary aGVsbG8=", "!custom x",
    "'" + "x" * 5000 + "'", "[[[[[[]]]]]]", "? a", "|\n  block", ">-\n  folded", '"\\x7f"', '"*"', '"?"',
]


def mutations(name, text):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        yield f"{name}-del{i}", lines[:i] + lines[i + 1:]
        yield f"{name}-dup{i}", lines[:i + 1] + lines[i:]
        yield f"{name}-indent{i}", lines[:i] + ["  " + line] + lines[i + 1:]
        if line.startswith("  "):
            yield f"{name}-dedent{i}", lines[:i] + [line[2:]] + lines[i + 1:]
        yield f"{name}-cut{i}", lines[:i] + [line[: len(line) // 2]]
        m = re.match(r"^(\s*-?\s*[A-Za-z_]+:)\s*(\S.*)?$", line)
        if m:
            for k, value in enumerate(WRONG_VALUES):
                yield f"{name}-value{i}-{k}", lines[:i] + [m.group(1) + " " + value] + lines[i + 1:]
        m = re.match(r"^(.*)\{(.*)\}(.*)$", line)
        if m:
            entries = [e.strip() for e in m.group(2).split(",")]
            for k in range(len(entries)):
                kept = entries[:k] + entries[k + 1:]
                yield f"{name}-flow{i}-{k}", lines[:i] + [m.group(1) + "{ " + ", ".join(kept) + " }" + m.group(3)] + \
                    lines[i + 1:]


RULE = "  - name: {n}\n    match: {{ assembly: Demo, type: Demo.Calculator, method: Add }}\n    strategy: timing\n"
HEAD = "version: 1\nrules:\n"


def hostile():
    deep = 50000
    yield "deep-flow-mapping", HEAD + RULE.format(n="a") + "    options: " + "{a: " * deep + "1" + "}" * deep + "\n"
    yield "deep-flow-sequence", HEAD + RULE.format(n="a") + "    options: {a: " + "[" * deep + "]" * deep + "}\n"
    yield "deep-block-mapping", HEAD + RULE.format(n="a") + "    options:\n" + "".join(
        " " * (6 + i) + f"k{i}:\n" for i in range(3000))
    yield "deep-block-sequence", HEAD + "".join(" " * i + "-\n" for i in range(3000))
    yield "deep-rules", "version: 1\nrules: " + "[" * deep + "]" * deep + "\n"
    laughs = ["version: 1", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        laughs.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    yield "billion-laughs", "\n".join(laughs) + "\nrules: []\n"
    yield "billion-laughs-options", "version: 1\nrules:\n  - name: a\n    match: { assembly: Demo, type: T, " \
        "method: M }\n    strategy: timing\n    options:\n" + "".join(
            f"      o{i}: &o{i} [" + ", ".join([f"*o{i - 1}" if i else "x"] * 10) + "]\n" for i in range(10))
    yield "alias-cycle", "version: 1\nrules: &r [*r]\n"
    yield "alias-cycle-mapping", "version: 1\nrules:\n  - &r { name: a, match: *r, strategy: timing }\n"
    yield "alias-undefined", "version: 1\nrules: *nothing\n"
    yield "alias-rule", "version: 1\nbase: &r { name: a, match: { assembly: A, type: B, method: C }, " \
        "strategy: timing }\nrules: [*r]\n"
    yield "alias-shared-match", "version: 1\nrules:\n  - name: a\n    match: &m { assembly: Demo, type: T, " \
        "method: M }\n    strategy: timing\n  - name: b\n    match: *m\n    strategy: timing\n"
    yield "merge-key", "version: 1\nx: &r { name: a, strategy: timing }\nrules:\n  - <<: *r\n    match: " \
        "{ assembly: A, type: B, method: C }\n"
    yield "merge-key-list", "version: 1\nrules:\n  - <<: [*a, *b]\n"
    yield "merge-key-quoted", "version: 1\nrules:\n  - '<<': x\n"
    yield "two-documents", HEAD + RULE.format(n="a") + "---\n" + HEAD + RULE.format(n="b")
    yield "empty-second-document", HEAD + RULE.format(n="a") + "---\n"
    yield "document-end-marker", HEAD + RULE.format(n="a") + "...\n"
    yield "only-separator", "---\n"
    yield "empty", ""
    yield "only-comment", "# nothing\n"
    yield "bom", "\ufeff" + HEAD + RULE.format(n="a")
    yield "nul-in-strategy", HEAD + '  - name: a\n    match: { assembly: A, type: B, method: C }\n    strategy: "\\u0000"\n'
    yield "nul-in-name", HEAD + '  - name: "a\\u0000b"\n    match: { assembly: A, type: B, method: C }\n' \
        "    strategy: timing\n"
    yield "raw-nul-byte", HEAD + RULE.format(n="a\0b")
    yield "control-in-key", HEAD + '  - "na\\nme": a\n    "stra\\ttegy": timing\n'
    yield "escape-sequences", HEAD + '  - name: "\\e[31mred\\e[0m"\n    match: { assembly: A, type: B, method: C }\n' \
        "    strategy: timing\n"
    yield "invalid-utf8", (HEAD + RULE.format(n="a")).replace("timing", "tim\udcffing")
    yield "tabs", HEAD + "\t- name: a\n\t  strategy: timing\n"
    yield "strategy-list", HEAD + "  - name: a\n    match: { assembly: A, type: B, method: C }\n    strategy: [timing]\n"
    yield "strategy-mapping", HEAD + "  - name: a\n    match: { assembly: A, type: B, method: C }\n" \
        "    strategy: { timing: 1 }\n"
    yield "strategy-missing", HEAD + "  - name: a\n    match: { assembly: A, type: B, method: C }\n"
    yield "strategy-misspelt-key", HEAD + "  - name: a\n    match: { assembly: A, type: B, method: C }\n" \
        "    stratgy: timing\n"
    yield "rule-not-mapping", "version: 1\nrules: [[]]\n"
    yield "rule-scalar", "version: 1\nrules: [a, 1, ~]\n"
    yield "rules-mapping", "version: 1\nrules: { a: 1 }\n"
    yield "complex-key", "version: 1\nrules:\n  - ? [name]\n    : a\n"
    yield "mapping-key", "version: 1\n{a: 1}: 2\nrules: []\n"
    yield "many-keys", "version: 1\nrules:\n  - name: a\n    match: { assembly: A, type: B, method: C }\n" \
        "    strategy: timing\n" + "".join(f"    k{i}: {i}\n" for i in range(50000))
    yield "many-options", "version: 1\nrules:\n  - name: a\n    match: { assembly: A, type: B, method: C }\n" \
        "    strategy: wrap\n    options:\n" + "".join(f"      o{i}: {i}\n" for i in range(20000))
    yield "many-rules-one-name", HEAD + "".join(RULE.format(n="same") for _ in range(5000))
    yield "many-rules", HEAD + "".join(RULE.format(n=f"r{i}") for i in range(5000))
    yield "many-errors", HEAD + "".join(f"  - name: r{i}\n    bad: 1\n" for i in range(5000))
    yield "huge-priority", HEAD + RULE.format(n="a") + "    priority: 99999999999999999999999999\n"
    yield "huge-version-range", HEAD + "  - name: a\n    match: { assembly: A, type: B, method: C, version: \"" + \
        " ".join([">=1.2.3.4"] * 2000) + "\" }\n    strategy: timing\n"
    yield "huge-pattern", HEAD + "  - name: a\n    match: { assembly: \"" + "*?" * 20000 + "\", type: B, method: C }\n" \
        "    strategy: timing\n"
    yield "star-pattern", HEAD + "  - name: a\n    match: { assembly: \"" + "*a" * 200 + "\", type: \"" + "*" * 3000 + \
        "\", method: \"*\" }\n    strategy: timing\n"
    yield "include-self", "version: 1\ninclude: [hostile-include-self.yaml]\nrules: []\n"
    yield "include-dev-zero", "version: 1\ninclude: [/dev/zero]\nrules: []\n"
    yield "include-dev-null", "version: 1\ninclude: [/dev/null]\nrules: []\n"
    yield "include-proc", "version: 1\ninclude: [/proc/self/environ]\nrules: []\n"
    yield "include-dir", "version: 1\ninclude: [/]\nrules: []\n"
    yield "include-many-globs", "version: 1\ninclude: [" + ", ".join(["'*/*/*'"] * 50) + "]\nrules: []\n"
    yield "plugins-dev-zero", "version: 1\nplugins: [/dev/zero, /proc/self/exe, /, '']\nrules: []\n"
    yield "settings-in-rules", HEAD + "  - settings: { log_level: trace }\n"
    yield "log-file-proc", "version: 1\nsettings: { log_file: /proc/self/mem }\nrules: []\n"
    yield "metrics-path-dir", "version: 1\nsettings: { metrics: { path: /, interval_s: 1 } }\nrules: []\n"
    yield "buckets-many", "version: 1\nsettings: { metrics: { buckets: [" + ", ".join(str(i) for i in range(1, 5000)) + \
        "] } }\nrules: []\n"
    yield "buckets-hostile", "version: 1\nsettings: { metrics: { buckets: [1e308, -0, nan, .inf, 0x10, '1', [1], {a: 1}, " + \
        "1e-320, 0.0000000001, 18446744073.709551616] } }\nrules: []\n"
    yield "buckets-map", "version: 1\nsettings: { metrics: { buckets: { le: 1 } } }\nrules: []\n"
    yield "unterminated-quote", HEAD + '  - name: "a\n'
    yield "unterminated-flow", HEAD + "  - { name: a, match: { assembly: A\n"
    yield "long-line", "version: 1\n# " + "x" * 200000 + "\nrules: []\n"
    yield "many-anchors", "version: 1\n" + "".join(f"a{i}: &a{i} {i}\n" for i in range(20000)) + "rules: []\n"
    yield "anchor-redefined", "version: 1\nx: &a 1\ny: &a [*a]\nrules: *a\n"
    yield "tag-directive", "%TAG ! tag:example.com,2000:\n---\nversion: 1\nrules: []\n"
    yield "yaml-directive", "%YAML 1.1\n---\nversion: 1\nrules: []\n"
    yield "bad-yaml-directive", "%YAML 9.9\n---\nversion: 1\nrules: []\n"
    yield "null-keys", "version: 1\nrules:\n  - ~: a\n    name: b\n"


def main() -> int:
    out, sources = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    count = 0

    def write(name, text):
        nonlocal count
        with open(os.path.join(out, name + ".yaml"), "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        count += 1

    for src in sources:
        with open(src, encoding="utf-8") as f:
            text = f.read()
        base = os.path.splitext(os.path.basename(src))[0]
        for name, lines in mutations(base, text):
            write(name, "\n".join(lines))
    for name, text in hostile():
        write("hostile-" + name, text)
    print(f"wrote {count} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
