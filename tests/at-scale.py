#!/usr/bin/env python3
"""What doc/at-scale.md's recipes gave, against portscope's JSON reports of the same captures.

at-scale.py WHAT JSONDIR RESULT

JSONDIR holds one JSON report per capture, NAME.json for the capture NAME (the submission's
name in the recipes' tables). WHAT says what RESULT is:
  jsonl      the directory of the parallel run's NAME.jsonl files: each file's flow lines are
             the report's flows
  table      the joined CSV: one row per flow of every report, its columns the report's
  dns-tcp    the submissions with a TCP flow to port 53, one a line, sorted
  low-ports  "SUBMISSION CLIENT_IP CLIENT_PORT" of the TCP and UDP flows whose client port is
             below 1024, distinct, sorted
  services   "SERVICE COUNT" (the service alias, '-' for none), most flows first, then by name
  refused    "SUBMISSION CLIENT_IP SERVER_IP SERVER_PORT" of the TCP flows whose conn_state is REJ
Prints what matched (or the first difference) and exits 0 when all of it matches, 1 otherwise.
"""
import collections
import csv
import json
import os
import sys


def reports(jsondir):
    out = {}
    for name in sorted(os.listdir(jsondir)):
        with open(os.path.join(jsondir, name), encoding="utf-8") as fh:
            out[name[:-len(".json")]] = json.load(fh)["flows"]
    return out


def flow_key(f):
    return (f["proto"], f["client"]["ip"], f["client"]["port"], f["server"]["ip"],
            f["server"]["port"], f["packets"]["c2s"], f["packets"]["s2c"],
            f["ip_bytes"]["c2s"], f["ip_bytes"]["s2c"], f["first_seen"])


def check_jsonl(flows, outdir):
    bad = []
    for name, fl in flows.items():
        path = os.path.join(outdir, name + ".jsonl")
        if not os.path.exists(path):
            bad.append(f"{name}: no {path}")
            continue
        with open(path, encoding="utf-8") as fh:
            lines = [json.loads(line) for line in fh if line.strip()]
        got = collections.Counter(flow_key(x) for x in lines if x["type"] == "flow")
        if got != collections.Counter(flow_key(f) for f in fl):
            bad.append(f"{name}: {sum(got.values())} flow lines, the report has {len(fl)} flows")
    return bad, f"{len(flows)} jsonl files, each with its report's flows"


def check_table(flows, path):
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = collections.Counter((r["submission"], r["proto"], r["client_ip"], r["client_port"],
                               r["server_ip"], r["server_port"], r["packets_c2s"],
                               r["packets_s2c"], r["ip_bytes_c2s"], r["ip_bytes_s2c"],
                               r["first_seen"]) for r in rows)
    want = collections.Counter((name,) + tuple(str(v) for v in flow_key(f))
                               for name, fl in flows.items() for f in fl)
    bad = [] if got == want else [f"{len(rows)} rows, {sum(want.values())} flows; first "
                                  f"difference {sorted((want - got) or (got - want))[:1]}"]
    return bad, f"{len(rows)} rows, one per flow of {len(flows)} captures"


def expected_lines(what, flows):
    if what == "dns-tcp":
        return sorted({n for n, fl in flows.items() for f in fl
                       if f["proto"] == "tcp" and f["server"]["port"] == 53})
    if what == "low-ports":
        rows = {(n, f["client"]["ip"], f["client"]["port"]) for n, fl in flows.items() for f in fl
                if f["proto"] in ("tcp", "udp") and f["client"]["port"] < 1024}
        return [f"{n} {ip} {port}" for n, ip, port in sorted(rows)]
    if what == "services":
        counts = collections.Counter(f["server"].get("service_alias") or "-"
                                     for fl in flows.values() for f in fl)
        return [f"{s} {c}" for s, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    rows = sorted((n, f["client"]["ip"], f["server"]["ip"], f["server"]["port"])
                  for n, fl in flows.items() for f in fl
                  if f.get("tcp") and f["tcp"]["conn_state"] == "REJ")
    return [f"{n} {c} {s} {p}" for n, c, s, p in rows]


def main():
    what, jsondir, result = sys.argv[1:4]
    flows = reports(jsondir)
    if what == "jsonl":
        bad, said = check_jsonl(flows, result)
    elif what == "table":
        bad, said = check_table(flows, result)
    else:
        with open(result, encoding="utf-8") as fh:
            got = [line.rstrip("\n") for line in fh if line.strip()]
        want = expected_lines(what, flows)
        bad = [] if got == want else [f"got {got[:4]}, the reports say {want[:4]}"]
        said = f"{len(want)} lines as the reports say: {'; '.join(want[:3])}"
    print("; ".join(bad[:3]) if bad else said)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
