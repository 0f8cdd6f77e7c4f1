#!/usr/bin/env python3
r"""Turn the IANA service-name registry CSV into src/ports/ports_iana.c.

Usage: gen-iana-services.py [--list LIST.tsv] [REGISTRY.csv [OUTPUT.c]]

REGISTRY.csv defaults to ../shared/data/iana/service-names-port-numbers.csv
relative to the repository root; OUTPUT.c defaults to standard output.
Where the registry gives a port and protocol several names, one is chosen by
the rule of doc/service-names.md (choose() below); --list writes every such
pair with the chosen name, the other services and why, for review
(doc/iana-several-names.tsv). The outputs depend only on the CSV's content,
so regenerating from the same registry gives the same bytes.

    scripts/gen-iana-services.py --list doc/iana-several-names.tsv \
        ../shared/data/iana/service-names-port-numbers.csv src/ports/ports_iana.c
"""

import csv
import io
import os
import re
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CSV = os.path.join(REPO_ROOT, "..", "shared", "data", "iana",
                           "service-names-port-numbers.csv")

# dccp is left out: portscope only decodes tcp, udp and sctp.
PROTOCOLS = {"tcp": 6, "udp": 17, "sctp": 132}

PORT_RE = re.compile(r"^([0-9]+)(?:-([0-9]+))?$")


def fail(msg):
    sys.exit("gen-iana-services: " + msg)


def column(header, name):
    # Columns are found by header name: the registry has renamed one before.
    try:
        return header.index(name)
    except ValueError:
        fail("registry CSV has no '%s' column" % name)


def c_string(s):
    out = []
    for ch in s:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "?":
            # Keeps "??x" from being read as a trigraph by -std=c11 compilers.
            out.append("\\?")
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            fail("service name %r is not printable ASCII" % s)
    return '"' + "".join(out) + '"'


# The registry's notes that say what a row is. A row that is an alias or a duplicate is another
# spelling of a service named on the same port; the others name services of their own.
ALIAS_RE = re.compile(r'This entry is an alias to "([^"]+)"')
DUPLICATE_RE = re.compile(r'This is a duplicate of the "([^"]+)" service')
WIDESPREAD_RE = re.compile(r"unassigned but widespread use")
CONFLICT_RE = re.compile(r"\bconflict\b", re.IGNORECASE)
RESERVED_RE = re.compile(r"^Reserved\b")
RFC_RE = re.compile(r"\[RFC[0-9]+\]")

SPELLINGS = ("alias", "duplicate")


class Row:
    """One named registry row for one port and protocol."""

    def __init__(self, order, name, description, assignee, reference, notes):
        self.order = order
        self.name = name
        self.description = description
        self.assignee = assignee
        self.rfc = bool(RFC_RE.search(reference))
        self.kind, self.of = classify(description, notes)

    def rank(self):
        # Between assignments: an RFC's, then one with an assignee, then one with a description,
        # then the earlier row (the registry lists a port's rows in the order they were added).
        return (self.rfc, bool(self.assignee), bool(self.description), -self.order)


# What each element of Row.rank() says of the row that loses on it.
LOSES_ON = ("no RFC reference", "no assignee", "no description", "listed later")


def classify(description, notes):
    """The row's kind, and for a spelling the name it spells."""
    m = ALIAS_RE.search(notes)
    if m:
        return "alias", m.group(1)
    m = DUPLICATE_RE.search(notes)
    if m:
        return "duplicate", m.group(1)
    if WIDESPREAD_RE.search(notes):
        return "widespread", None
    if CONFLICT_RE.search(notes):
        return "conflict", None
    if RESERVED_RE.match(description):
        return "reserved", None
    return "assigned", None


def choose(rows):
    """The rule of doc/service-names.md: (chosen row, other service names, why, in words)."""
    services = [r for r in rows if r.kind not in SPELLINGS] or rows
    assigned = [r for r in services if r.kind == "assigned"] or services
    chosen = max(assigned, key=Row.rank)
    other, why = [], []
    for r in rows:
        if r is chosen:
            continue
        if r.kind in SPELLINGS:
            why.append("%s: %s of %s" % (r.name, r.kind, r.of))
        elif r not in assigned:
            why.append("%s: %s" % (r.name, {
                "widespread": "unassigned but widespread use",
                "conflict": "noted as a conflict",
                "reserved": "reserved, not in use",
            }[r.kind]))
        else:
            lost = next(i for i, (a, b) in enumerate(zip(chosen.rank(), r.rank())) if a != b)
            why.append("%s: %s" % (r.name, LOSES_ON[lost]))
        if r.kind not in SPELLINGS and r.name != chosen.name and r.name not in other:
            other.append(r.name)
    return chosen, other, "; ".join(why)


def read_table(path):
    """{(proto, port): [Row, ...]} in registry order."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None:
            fail("%s is empty" % path)
        name_col = column(header, "Service Name")
        port_col = column(header, "Port Number")
        proto_col = column(header, "Transport Protocol")
        cols = [column(header, c) for c in ("Description", "Assignee", "Reference",
                                            "Assignment Notes")]

        table = {}
        for lineno, row in enumerate(rows, start=2):
            if len(row) <= max([name_col, port_col, proto_col] + cols):
                fail("%s: record %d is short" % (path, lineno))
            name = row[name_col].strip()
            port = row[port_col].strip()
            proto = PROTOCOLS.get(row[proto_col].strip().lower())
            # Reserved/Unassigned rows have no name; name-only registrations have no port.
            if not name or not port or proto is None:
                continue
            if re.search(r"[\t,]", name):
                fail("%s: record %d: service name %r has a tab or a comma" % (path, lineno, name))
            m = PORT_RE.match(port)
            if not m:
                fail("%s: record %d: bad port %r" % (path, lineno, port))
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            if lo > hi or hi > 65535:
                fail("%s: record %d: bad port %r" % (path, lineno, port))
            entry = Row(lineno, name, *(row[c].strip() for c in cols))
            for p in range(lo, hi + 1):
                table.setdefault((proto, p), []).append(entry)
    return table


def render(table, source):
    chosen = {key: choose(rows) for key, rows in table.items()}
    out = io.StringIO()
    out.write("/* Generated by scripts/gen-iana-services.py from %s; do not edit. */\n" % source)
    out.write("#include \"ports_iana.h\"\n\n")
    out.write("const struct ports_iana_entry ports_iana_table[] = {\n")
    for (proto, port), (row, _, _) in sorted(chosen.items()):
        out.write("    {%d, %d, %s},\n" % (proto, port, c_string(row.name)))
    out.write("};\n\n")
    out.write("const size_t ports_iana_table_count = %d;\n\n" % len(table))
    others = [(key, other) for key, (_, other, _) in sorted(chosen.items()) if other]
    out.write("const struct ports_iana_other ports_iana_others[] = {\n")
    for (proto, port), other in others:
        names = "".join(c_string(n) + ", " for n in other)
        out.write("    {%d, %d, (const char *const[]){%sNULL}},\n" % (proto, port, names))
    out.write("};\n\n")
    out.write("const size_t ports_iana_others_count = %d;\n" % len(others))
    return out.getvalue()


def render_list(table, source):
    """Every pair with several names: the chosen one, the other services and why, for review and
    for the test of tests/unit/test_ports.c that holds the lookups to it."""
    out = io.StringIO()
    out.write("# Generated by scripts/gen-iana-services.py from %s; do not edit.\n" % source)
    out.write("# Every port and protocol the IANA registry gives several names, with the name\n")
    out.write("# chosen by the rule of doc/service-names.md, the other services (service_other;\n")
    out.write("# - for none) and why each other row lost.\n")
    out.write("# port\tproto\tservice\tservice_other\twhy\n")
    names = {v: k for k, v in PROTOCOLS.items()}
    for (proto, port), rows in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if len(rows) < 2:
            continue
        row, other, why = choose(rows)
        out.write("%d\t%s\t%s\t%s\t%s\n" % (port, names[proto], row.name,
                                              ",".join(other) or "-", why))
    return out.getvalue()


def write(path, text):
    if path is None:
        sys.stdout.write(text)
        return
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)


def main(argv):
    args = argv[1:]
    list_path = None
    if args[:1] == ["--list"] and len(args) > 1:
        list_path = args[1]
        args = args[2:]
    if len(args) > 2 or any(a.startswith("-") for a in args):
        fail("usage: gen-iana-services.py [--list LIST.tsv] [REGISTRY.csv [OUTPUT.c]]")
    csv_path = args[0] if args else DEFAULT_CSV
    # Only the base name goes in the header, so where the CSV sits does not change the output.
    source = os.path.basename(csv_path)
    try:
        table = read_table(csv_path)
        write(args[1] if len(args) > 1 else None, render(table, source))
        if list_path is not None:
            write(list_path, render_list(table, source))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        fail(str(e))


if __name__ == "__main__":
    main(sys.argv)
