#!/usr/bin/env python3
"""The modules' boundaries, as doc/ARCHITECTURE.md draws them, held against every include line.

layers.py TOP

Reads the module order from the table in doc/ARCHITECTURE.md (its "| module |" rows, lowest
first, each naming its folder and its public headers), then checks every file under src/ and
include/:
  - a file includes public headers (include/) only of its own module or of modules below it:
    data flows one way, and nothing below calls up;
  - any other header it includes sits in its own folder (a module's private headers are its own);
  - every folder under src/ and every header in include/ belongs to a module of the table.
Prints each violation; exit status 1 when there is any.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ROW = re.compile(r"^\|\s*`?(\w+)`?\s*\|\s*`src/(\w+)/`\s*\|([^|]*)\|", re.M)


def modules(top):
    """[(name, folder, [public headers])], lowest first."""
    with open(os.path.join(top, "doc", "ARCHITECTURE.md"), encoding="utf-8") as f:
        text = f.read()
    rows = []
    for name, folder, headers in ROW.findall(text):
        rows.append((name, folder, re.findall(r"include/([\w.]+\.h)", headers)))
    return rows


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    rows = modules(top)
    if len(rows) < 5:
        print("FAIL doc/ARCHITECTURE.md has no table of modules (| module | `src/x/` | headers |)")
        return 1
    rank = {folder: i for i, (_, folder, _) in enumerate(rows)}
    owner = {h: folder for _, folder, headers in rows for h in headers}
    problems = []
    for h in sorted(os.listdir(os.path.join(top, "include"))):
        if h.endswith(".h") and h not in owner:
            problems.append(f"include/{h}: no module in doc/ARCHITECTURE.md owns it")
    for d in sorted(os.listdir(os.path.join(top, "src"))):
        if os.path.isdir(os.path.join(top, "src", d)) and not d.startswith(".") and d not in rank:
            problems.append(f"src/{d}/: not a module in doc/ARCHITECTURE.md")
    files = [("include/" + h, owner.get(h)) for h in sorted(os.listdir(os.path.join(top, "include")))
             if h.endswith(".h")]
    for d in sorted(rank):
        for name in sorted(os.listdir(os.path.join(top, "src", d))):
            if name.endswith((".c", ".h")):
                files.append((f"src/{d}/{name}", d))
    for path, module in files:
        if module is None:
            continue
        with open(os.path.join(top, path), encoding="utf-8") as f:
            text = f.read()
        here = os.path.dirname(path)
        for inc in INCLUDE.findall(text):
            if inc == "config.h":
                continue
            if inc in owner:
                if rank[owner[inc]] > rank[module]:
                    problems.append(f"{path}: includes {inc} of {owner[inc]}, a module above "
                                    f"{module}")
            elif path.startswith("include/") or not os.path.exists(os.path.join(top, here, inc)) \
                    or "/" in inc:
                problems.append(f"{path}: includes \"{inc}\", which is neither a public header "
                                f"nor one of {module}'s own")
    for p in problems:
        print("FAIL " + p)
    print(f"{len(files)} files of {len(rows)} modules, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
