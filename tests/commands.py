#!/usr/bin/env python3
"""Every external command the project's scripts run comes from a package in packages.txt.

commands.py list TOP            prints each command found, with the files that run it
commands.py check TOP           checks each command against packages.txt (exit 1 on a miss)

The scripts scanned: the test scripts (tests/, tests/live/, tests/golden/), .ci/run, scripts/,
fuzz/, bench/ and autogen.sh; shell files are read word by word, Python files for the programs
they hand to subprocess. A command only used behind a "skip when missing" guard counts too: a
guard keeps a test quiet on a machine without it, which is how a missing install step hides.

A command is provided when the Debian package owning its file (dpkg -S, looked up on Debian's
own PATH, not /usr/local or a user's shims) is named in packages.txt, is pulled in by one of them
(Depends and Pre-Depends, recursively, as apt-get installs them), or is on every Debian system
(Essential, or Priority required).
"""

import os
import re
import shlex
import subprocess
import sys

SHELL_FILES = ["autogen.sh", ".ci/run"]
SHELL_DIRS = ["tests", "tests/live", "tests/golden", "scripts", "fuzz", "bench"]
DEBIAN_PATH = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]

# Bash's keywords and builtins: run by the shell itself, from no package.
SHELL_WORDS = set("""
if then else elif fi case esac for select while until do done in function time ! [[ ]] { }
: . [ alias bg bind break builtin caller cd command compgen complete compopt continue declare
dirs disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill
let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt
source suspend test times trap true type typeset ulimit umask unalias unset wait
""".split())

# Commands that run the command after their own arguments: (name, how many words to skip after
# the options). "ip netns exec NS CMD" and "setarch ARCH -R CMD" are spelled out below.
WRAPPERS = {"env": 0, "timeout": 1, "nice": 0, "exec": 0, "command": 0, "xargs": 0,
            "setpriv": 0, "stdbuf": 0, "sudo": 0}

OPTIONS_WITH_VALUE = {("env", "-u"), ("timeout", "-s"), ("timeout", "-k"), ("xargs", "-n"),
                      ("xargs", "-P"), ("xargs", "-I")}
SEPARATORS = {";", ";;", "&", "&&", "|", "||", "|&", "(", "((", "<(", ">(", "{", "`", "$(", "!", "then",
              "do", "else", "elif", "if", "while", "until", ";&", ";;&"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
COMMAND_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$|^/[A-Za-z0-9_./+-]+$")
FUNCTION_DEF = re.compile(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)\s*\{?")
FOR_LOOP = re.compile(r'\bfor (\w+) in ([-\w. \\\n"$]*?);\s*do\b(.*?)\bdone\b', re.S)
DEFAULT_PROGRAM = re.compile(r"\$\{(?:CC|MAKE|PYTHON):-([A-Za-z][A-Za-z0-9.+-]*)\}")
EXECUTABLE_TEST = re.compile(r"\[ -x (/(?:usr/)?s?bin/[A-Za-z0-9_.+-]+) \]")
TRAILING_COMMENT = re.compile(r"\s#")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def shell_files(top):
    files = [f for f in SHELL_FILES if os.path.isfile(os.path.join(top, f))]
    for d in SHELL_DIRS:
        if not os.path.isdir(os.path.join(top, d)):
            continue  # a distribution without it
        for name in sorted(os.listdir(os.path.join(top, d))):
            path = os.path.join(d, name)
            if not os.path.isfile(os.path.join(top, path)):
                continue
            if name.endswith(".sh"):
                files.append(path)
            elif "." not in name:
                with open(os.path.join(top, path), "rb") as f:
                    head = f.readline()
                if head.startswith(b"#!") and (b"bash" in head or b"/sh" in head):
                    files.append(path)
    return files


def python_files(top):
    files = []
    for d in SHELL_DIRS:
        if not os.path.isdir(os.path.join(top, d)):
            continue
        for name in sorted(os.listdir(os.path.join(top, d))):
            if name.endswith(".py"):
                files.append(os.path.join(d, name))
    return files


def words_of(text):
    """The script's words, with "\\n" for each line end. Continuations are joined, comments and
    here-documents (another program's text: Python, a file's content) left out, and a quoted
    string is one word however many lines it spans."""
    lines, pending, until = [], "", None
    for line in text.splitlines():
        if until is not None:
            if line.strip() == until:
                until = None
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line.lstrip().startswith("#"):
            continue
        m = TRAILING_COMMENT.search(line)
        if m and line[:m.start()].count("'") % 2 == 0 and line[:m.start()].count('"') % 2 == 0:
            line = line[:m.start()]
        m = HEREDOC.search(line)
        if m:
            until = m.group(2)
        lines.append(line)
    lex = shlex.shlex(" \n ".join(lines), posix=True, punctuation_chars=";&|()<>\n")
    lex.whitespace = " \t\r"
    lex.whitespace_split = True
    lex.commenters = ""
    lex.wordchars += "$@%:,^[]{}!+=~`#*?/-."
    try:
        return list(lex)
    except ValueError as e:
        sys.exit(f"commands.py: cannot read the words of a script: {e}")


def commands_in(words):
    """The words that stand where a command goes."""
    found, at_start, cases, i = [], True, 0, 0
    skip_until = []  # words to pass over, up to each of these in turn
    while i < len(words):
        w = words[i]
        i += 1
        # Command substitution inside a word: "$(cmd" starts a command of its own. (Backquotes are
        # left out: the scripts use none, and the usage texts quote commands with them.)
        for sub in re.findall(r"\$\(([A-Za-z0-9_./+-]+)", w):
            if COMMAND_NAME.match(sub) and not sub.startswith("("):
                found.append(sub)
        if skip_until:
            if cases and w == "esac":
                skip_until, cases, at_start = [], cases - 1, False
            elif w == skip_until[0] or (skip_until[0] == ")" and w.endswith(")")):
                skip_until.pop(0)
                at_start = not skip_until and w in ("in", ")")
            continue
        if w in ("[[", "(("):
            skip_until = ["]]" if w == "[[" else "))"]
            continue
        if w == "case":
            cases += 1
            skip_until = ["in", ")"]
            continue
        if w == "esac":
            cases -= 1
            at_start = False
            continue
        if w in (";;", ";&", ";;&") and cases:
            skip_until = [")"]  # the next pattern
            continue
        if w in SEPARATORS or w in (")", "}", "\n") or set(w) <= set(";&|()<>\n") and "\n" in w:
            at_start = True
            continue
        if ASSIGNMENT.match(w):
            if w.endswith("=") and i < len(words) and words[i] == "(":
                skip_until = [")"]  # an array's words
                i += 1
            continue
        if not at_start:
            continue
        if w.startswith("-") or "$" in w or not COMMAND_NAME.match(w):
            at_start = False
            continue
        if w == "ip" and words[i:i + 2] == ["netns", "exec"]:
            i += 3
            continue
        if w == "setarch":
            i += 2 if i + 1 < len(words) and words[i + 1] == "-R" else 1
            continue
        found.append(w)
        if w in WRAPPERS:
            if w == "command" and words[i:i + 1] == ["-v"]:
                if i + 1 < len(words) and COMMAND_NAME.match(words[i + 1]):
                    found.append(words[i + 1])  # looked for: still needed
                i += 2
                at_start = False
                continue
            while i < len(words) and (words[i].startswith("-") or ASSIGNMENT.match(words[i])):
                i += 2 if (w, words[i]) in OPTIONS_WITH_VALUE else 1
            i += WRAPPERS[w]
            continue
        at_start = False
    return found


def scan(top):
    """{command: sorted files} over every script, and the shell functions they define."""
    texts = {}
    for path in shell_files(top):
        with open(os.path.join(top, path), encoding="utf-8", errors="replace") as f:
            texts[path] = f.read()
    functions = set()
    for text in texts.values():
        for line in text.splitlines():
            m = FUNCTION_DEF.match(line)
            if m:
                functions.add(m.group(1))
    uses = {}
    for path, text in texts.items():
        # Commands a script looks for by name, and a variable's default program.
        for var, names, body in FOR_LOOP.findall(text):
            if re.search(r'command -v "?\$\{?' + var + r'\b', body):
                for cmd in filter(COMMAND_NAME.match, names.split()):
                    uses.setdefault(cmd, set()).add(path)
        for cmd in DEFAULT_PROGRAM.findall(text) + EXECUTABLE_TEST.findall(text):
            uses.setdefault(cmd, set()).add(path)
        for cmd in commands_in(words_of(text)):
            if cmd in SHELL_WORDS or cmd in functions:
                continue
            if "/" in cmd and not cmd.startswith("/"):
                continue  # the project's own scripts and programs
            uses.setdefault(cmd, set()).add(path)
    for path in python_files(top):
        with open(os.path.join(top, path), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"subprocess\.\w+\(\s*\[\s*\"([A-Za-z0-9_.+-]+)\"", text):
            uses.setdefault(m.group(1), set()).add(path)
        for m in re.finditer(r"\bcmd\s*=\s*\[\s*\"([A-Za-z0-9_.+-]+)\"", text):
            uses.setdefault(m.group(1), set()).add(path)
        for m in re.finditer(r"shutil\.which\(\s*\"([A-Za-z0-9_.+-]+)\"", text):
            uses.setdefault(m.group(1), set()).add(path)
    return {cmd: sorted(files) for cmd, files in sorted(uses.items())}


def listed_packages(top):
    pkgs = []
    with open(os.path.join(top, "packages.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([a-z0-9][a-z0-9.+-]*)", line)
            if m:
                pkgs.append(m.group(1))
    return pkgs


def dpkg_status():
    """Installed packages: {name: (depends, essential_or_required)}."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Pre-Depends}, ${Depends}\t${Essential}\t${Priority}\n"],
        capture_output=True, text=True, check=True).stdout
    status = {}
    for line in out.splitlines():
        name, deps, essential, priority = line.split("\t")
        alternatives = []
        for dep in deps.split(","):
            names = [re.sub(r"[\s(:].*", "", d.strip()) for d in dep.split("|")]
            names = [n for n in names if n]
            if names:
                alternatives.append(names)
        status[name] = (alternatives, essential == "yes" or priority == "required")
    return status


def installed_by(listed, status):
    """The packages apt-get install puts on a machine for the list: the list and its
    dependencies, recursively (for an alternative, whichever is installed here)."""
    seen, todo = set(), list(listed)
    while todo:
        name = todo.pop()
        if name in seen or name not in status:
            continue
        seen.add(name)
        for names in status[name][0]:
            todo.extend(n for n in names if n in status)
    return seen


def owner(cmd):
    """(path, package) of the command on Debian's PATH, or (None, None)."""
    paths = [cmd] if cmd.startswith("/") else [os.path.join(d, cmd) for d in DEBIAN_PATH]
    for path in paths:
        if not os.path.exists(path):
            continue
        candidates = {path, os.path.realpath(path)}
        for p in list(candidates):  # merged /usr: dpkg may know the file by either name
            if p.startswith("/usr/"):
                candidates.add(p[4:])
            else:
                candidates.add("/usr" + p)
        for p in sorted(candidates):
            run = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
            if run.returncode == 0:
                return path, run.stdout.split(":")[0].split(",")[0].strip()
        return path, None
    return None, None


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("list", "check"):
        sys.exit(__doc__)
    top = sys.argv[2]
    uses = scan(top)
    if sys.argv[1] == "list":
        for cmd, files in uses.items():
            print(f"{cmd}\t{' '.join(files)}")
        return 0
    listed = listed_packages(top)
    status = dpkg_status()
    missing = [p for p in listed if p not in status]
    installed = installed_by(listed, status)
    bad = 0
    for pkg in missing:
        print(f"FAIL packages.txt names '{pkg}', which is not installed here")
        bad += 1
    for cmd, files in uses.items():
        path, pkg = owner(cmd)
        where = ", ".join(files)
        if path is None:
            print(f"FAIL {cmd}: not installed (run by {where}); add its package to packages.txt")
            bad += 1
        elif pkg is None:
            print(f"FAIL {cmd}: {path} belongs to no Debian package (run by {where})")
            bad += 1
        elif pkg in listed:
            print(f"ok   {cmd}: {pkg} (listed)")
        elif pkg in installed:
            print(f"ok   {cmd}: {pkg} (installed with the list)")
        elif status.get(pkg, ([], False))[1]:
            print(f"ok   {cmd}: {pkg} (on every Debian system)")
        else:
            print(f"FAIL {cmd}: from {pkg}, which packages.txt does not install (run by {where})")
            bad += 1
    print(f"{len(uses)} commands, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
