#!/usr/bin/env python3
"""--format zeek and zeek-json read back by the formats' own rules, against the JSON report.

Usage: zeek-log.py PORTSCOPE EXAMPLE_CONN_LOG CAPTURE...

The TSV form is read as Zeek's readers read it: the separator from "#separator" (an escaped
byte), then "#set_separator", "#empty_field", "#unset_field", "#path", the columns from "#fields"
and their types from "#types"; each value parsed by its type. Zeek's own example conn.log goes
through the same reader, and the header's form is compared with it. Each line then must say what
the JSON report says of the same flow (doc/zeek-conn-log.md: where each field comes from), and
each zeek-json line the same as its TSV line.
"""
import datetime
import ipaddress
import json
import re
import subprocess
import sys

TUNNELS = ("gre", "vxlan", "geneve", "gtpu", "ipip", "6in4", "4in6", "6in6", "vxlan-gpe")


def parse_value(text, ztype, header):
    """A TSV value by its Zeek type; None for unset."""
    if text == header["unset_field"]:
        return None
    if ztype.startswith("set["):
        return [] if text == header["empty_field"] else text.split(header["set_separator"])
    if ztype in ("time", "interval"):
        assert re.fullmatch(r"-?\d+\.\d{6}", text), (ztype, text)
        return text
    if ztype in ("count", "port"):
        assert re.fullmatch(r"\d+", text), (ztype, text)
        v = int(text)
        assert ztype != "port" or v <= 65535
        return v
    if ztype == "addr":
        return str(ipaddress.ip_address(text))
    if ztype == "bool":
        assert text in ("T", "F"), text
        return text == "T"
    assert ztype in ("string", "enum"), ztype
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def read_tsv(text):
    """(header, rows) of a Zeek TSV log, by its own header lines."""
    lines = text.split("\n")
    assert lines[-1] == "", "the log ends with a newline"
    first = lines[0]
    assert first.startswith("#separator "), first
    sep = bytes(first[len("#separator "):], "ascii").decode("unicode_escape")
    header, rows = {"separator": sep}, []
    for line in lines[1:-1]:
        if line.startswith("#"):
            key, _, value = line[1:].partition(sep)
            header[key] = value.split(sep) if key in ("fields", "types") else value
            continue
        values = line.split(sep)
        assert len(values) == len(header["fields"]), line
        rows.append({f: parse_value(v, t, header)
                     for f, t, v in zip(header["fields"], header["types"], values)})
    for key in ("set_separator", "empty_field", "unset_field", "path", "open", "close"):
        assert key in header, "no #%s line" % key
    for key in ("open", "close"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d", header[key]), header[key]
    return header, rows


def epoch(iso):
    """An ISO 8601 UTC time of the JSON report as Zeek's epoch seconds with 6 decimals."""
    whole, _, frac = iso.rstrip("Z").partition(".")
    t = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    ns = int((frac + "000000000")[:9])
    us = int(t.timestamp()) * 1000000 + (ns + 500) // 1000
    return "%d.%06d" % divmod(us, 1000000)


def expected(flow):
    """The conn.log fields the JSON report's flow stands for (None: unset)."""
    c, s = flow["client"], flow["server"]
    proto = flow["proto"]
    orig_p, resp_p = c["port"], s["port"]
    if flow["icmp"] is not None:
        if flow["icmp"]["kind"] == "echo":
            orig_p, resp_p = (8 if proto == "icmp" else 128), 0
        else:
            orig_p, resp_p = flow["icmp"]["type"], flow["icmp"]["code"]
    lasted = flow["duration"] > 0
    if proto == "tcp":
        state, history = flow["tcp"]["conn_state"], flow["tcp"]["history"] or None
    elif proto == "udp":
        o, r = flow["ip_bytes"]["c2s"] > 0, flow["ip_bytes"]["s2c"] > 0
        state = {(True, True): "SF", (True, False): "S0", (False, True): "SHR"}.get((o, r), "OTH")
        history = "?"  # checked by its letters below
    else:
        state, history = "OTH", None
    tunnelled = any(e.split(":")[0] in TUNNELS for e in flow["encap"])
    return {
        "ts": epoch(flow["first_seen"]),
        "id.orig_h": c["ip"], "id.orig_p": orig_p, "id.resp_h": s["ip"], "id.resp_p": resp_p,
        "proto": proto if proto in ("tcp", "udp", "icmp") else
                 "icmp" if proto == "icmpv6" else "unknown_transport",
        "service": s.get("service_alias") or s.get("service"),
        "duration": ("%.6f" % flow["duration"]) if lasted else None,
        "orig_bytes": flow["payload_bytes"]["c2s"] if lasted else None,
        "resp_bytes": flow["payload_bytes"]["s2c"] if lasted else None,
        "conn_state": state, "local_orig": None, "local_resp": None, "missed_bytes": None,
        "history": history,
        "orig_pkts": flow["packets"]["c2s"], "orig_ip_bytes": flow["ip_bytes"]["c2s"],
        "resp_pkts": flow["packets"]["s2c"], "resp_ip_bytes": flow["ip_bytes"]["s2c"],
        "tunnel_parents": [] if tunnelled else None,
        "community_id": flow["community_id"],
    }


def compare(path, flow, row, problems):
    want = expected(flow)
    for field, value in want.items():
        got = row[field]
        if field == "history" and value == "?":
            letters = ("D" if flow["payload_bytes"]["c2s"] else "") + \
                      ("d" if flow["payload_bytes"]["s2c"] else "")
            ok = sorted(got or "") == sorted(letters)
        elif field == "duration" and value is not None:
            ok = got is not None and abs(float(got) - float(value)) < 2e-6
        else:
            ok = got == value
        if not ok:
            problems.append("%s flow %d: %s is %r, the JSON report says %r"
                            % (path, flow["id"], field, got, value))


def check_json_line(tsv_row, types, line, problems, where):
    """A zeek-json line: the TSV row's set fields, each as JSON writes its type, no others."""
    obj = json.loads(line)
    for field, ztype in types.items():
        value = tsv_row[field]
        if value is None:
            if field in obj:
                problems.append("%s: %s unset in TSV, present in JSON" % (where, field))
            continue
        got = obj.get(field)
        if ztype in ("time", "interval"):
            ok = isinstance(got, float) and abs(got - float(value)) < 2e-6
        elif ztype in ("count", "port"):
            ok = isinstance(got, int) and got == value
        else:
            ok = got == value
        if not ok:
            problems.append("%s: %s is %r in JSON, %r in TSV" % (where, field, got, value))
    extra = set(obj) - set(types)
    if extra:
        problems.append("%s: fields Zeek's conn.log has not: %s" % (where, sorted(extra)))


def main():
    binary, example_path, captures = sys.argv[1], sys.argv[2], sys.argv[3:]
    example = open(example_path).read()
    ex_header, ex_rows = read_tsv(example)
    assert len(ex_rows) >= 1
    problems, flows_checked = [], 0
    for path in captures:
        def run(fmt):
            return subprocess.run([binary, "-r", path, "--format", fmt],
                                  capture_output=True, text=True).stdout
        report = json.loads(run("json"))
        tsv = run("zeek")
        header, rows = read_tsv(tsv)
        # The shape: Zeek's header lines, in Zeek's order and form; Zeek's columns first.
        ours = [l.split("\t")[0] for l in tsv.split("\n") if l.startswith("#")]
        theirs = [l.split("\t")[0] for l in example.split("\n") if l.startswith("#")]
        if ours != theirs:
            problems.append("%s: header lines %s, Zeek's %s" % (path, ours, theirs))
        for key in ("separator", "set_separator", "empty_field", "unset_field", "path"):
            if header[key] != ex_header[key]:
                problems.append("%s: #%s %r, Zeek's %r" % (path, key, header[key], ex_header[key]))
        n = len(ex_header["fields"])
        if header["fields"][:n] != ex_header["fields"] or header["types"][:n] != ex_header["types"]:
            problems.append("%s: columns or types differ from Zeek's" % path)
        if header["fields"][n:] != ["community_id"] or header["types"][n:] != ["string"]:
            problems.append("%s: the column after Zeek's must be community_id" % path)
        # Deterministic #open/#close: the capture's first and last packet.
        times = [i for i in report["inputs"] if i["packets"] > 0]
        if times:
            first = min(epoch(i["first_seen"]) for i in times)
            stamp = datetime.datetime.fromtimestamp(int(float(first)), datetime.timezone.utc)
            if header["open"] != stamp.strftime("%Y-%m-%d-%H-%M-%S"):
                problems.append("%s: #open %s, first packet %s" % (path, header["open"], stamp))
        if len(rows) != len(report["flows"]):
            problems.append("%s: %d lines, %d flows" % (path, len(rows), len(report["flows"])))
            continue
        uids = [r["uid"] for r in rows]
        if len(set(uids)) != len(uids) or not all(re.fullmatch(r"C[0-9A-Za-z]{17}", u)
                                                  for u in uids):
            problems.append("%s: uids not C and 17 base62 digits, or not unique" % path)
        for flow, row in zip(report["flows"], rows):
            compare(path, flow, row, problems)
        json_lines = run("zeek-json").splitlines()
        types = dict(zip(header["fields"], header["types"]))
        if len(json_lines) != len(rows):
            problems.append("%s: %d zeek-json lines, %d TSV" % (path, len(json_lines), len(rows)))
        for k, (row, line) in enumerate(zip(rows, json_lines)):
            check_json_line(row, types, line, problems, "%s line %d" % (path, k + 1))
        flows_checked += len(rows)
    for p in problems[:40]:
        print("FAIL " + p)
    print("zeek-log: %d captures, %d flows, %d problems" % (len(captures), flows_checked,
                                                            len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
