#!/usr/bin/env python3
"""Check that every #include in host/ goes the way docs/ARCHITECTURE.md allows.

The table of allowed directions lives in docs/ARCHITECTURE.md (section
"Layers", between the <!-- layers --> markers) and nowhere else: this script
reads it. A folder may always include its own headers. An entry names a
folder ("util/") or one header ("metrics/format.h"); "nrp/" is the public SDK.
Also checked: the public headers include only each other, and plugins see
only the public headers.

Usage: check_layers.py SOURCE_DIR   (exit 0 clean, 1 violations, 2 broken table)
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_table(doc):
    text = doc.read_text()
    m = re.search(r"<!-- layers -->(.*?)<!-- /layers -->", text, re.S)
    if not m:
        sys.exit(f"{doc}: no <!-- layers --> ... <!-- /layers --> table")
    allowed = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        folder = cells[0].strip("`").rstrip("/")
        allowed[folder] = re.findall(r"`([^`]+)`", cells[2])
    if not allowed:
        print(f"{doc}: the layers table is empty", file=sys.stderr)
        sys.exit(2)
    return allowed


def permits(entries, header):
    for e in entries:
        if e.endswith("/") and header.startswith(e):
            return True
        if e == header:
            return True
    return False


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    allowed = read_table(root / "docs" / "ARCHITECTURE.md")
    problems = []
    host = root / "host"
    folders = {p.name for p in host.iterdir() if p.is_dir()}
    for missing in sorted(folders - set(allowed)):
        problems.append(f"host/{missing}/: not in the layers table of docs/ARCHITECTURE.md")
    for f in sorted(host.glob("*/*.[ch]")):
        folder = f.parent.name
        for header in INCLUDE.findall(f.read_text(errors="replace")):
            if header.startswith(folder + "/") or "/" not in header:
                continue
            if not permits(allowed.get(folder, []), header):
                problems.append(f"{f.relative_to(root)}: includes {header}, but {folder}/ may include only: "
                                f"{' '.join(allowed.get(folder, [])) or 'nothing'}")
    for f in sorted((root / "include" / "nrp").glob("*.h")):
        for header in INCLUDE.findall(f.read_text()):
            if not header.startswith("nrp/"):
                problems.append(f"{f.relative_to(root)}: a public header includes {header}")
    for f in sorted((root / "plugins").rglob("*.[ch]")):
        for header in INCLUDE.findall(f.read_text()):
            if not header.startswith("nrp/") and "/" in header:
                problems.append(f"{f.relative_to(root)}: a plugin includes the host's {header}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} include(s) against the layering (docs/ARCHITECTURE.md, Layers)", file=sys.stderr)
        return 1
    print(f"layers: {sum(1 for _ in host.glob('*/*.[ch]'))} host files follow docs/ARCHITECTURE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
