#!/usr/bin/env python3
"""What a collector received against portscope's own reports of the same captures.

ipfix-compare.py CSV LOG DOMAIN:REPORT...

CSV is `TZ=UTC nfdump -o csv` of everything nfcapd stored, LOG nfcapd's output (its "New ipfix
exporter: SysID: N, Observation domain D" lines say which exporter id is which domain); each
DOMAIN:REPORT is one portscope run, sent with --ipfix-domain DOMAIN, whose report (JSON, or jsonl
whose "flow" lines are the flows) is REPORT. For each run, the flows nfdump lists for its
exporter must be the report's flows: addresses, ports, protocol, packets and IP bytes each way,
the first second, and for ICMP the type and code nfdump shows as the destination port.
Prints ok/FAIL per run; exit status 1 on any FAIL.
"""
import collections
import json
import re
import sys

PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "icmp6": 58, "sctp": 132}


def icmp_type_code(f):
    """What portscope sends as icmpTypeCode: the client's message (see src/export/ipfix.c)."""
    icmp = f.get("icmp")
    v6 = f["proto"] == "icmpv6"
    if icmp is None:
        return 0
    if icmp["kind"] == "echo":
        if f["packets"]["c2s"] == 0:
            return 129 << 8 if v6 else 0
        return 128 << 8 if v6 else 8 << 8
    return icmp["type"] << 8 | icmp["code"]


def report_flows(path):
    with open(path, encoding="utf-8") as fh:
        if path.endswith(".jsonl"):
            lines = [json.loads(line) for line in fh if line.strip()]
            return [line for line in lines if line.get("type") == "flow"]
        return json.load(fh)["flows"]


def expected(path):
    out = collections.Counter()
    for f in report_flows(path):
        proto = PROTOS[f["proto"]]
        icmp = proto in (1, 58)
        out[(f["client"]["ip"], 0 if icmp else f["client"]["port"], f["server"]["ip"],
             icmp_type_code(f) if icmp else f["server"]["port"], proto,
             f["packets"]["c2s"], f["ip_bytes"]["c2s"], f["packets"]["s2c"],
             f["ip_bytes"]["s2c"], f["first_seen"][:19].replace("T", " "))] += 1
    return out


def received(csv_path, log_path):
    """{domain: Counter of flows} from nfdump's CSV, by exporter."""
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        domain_of = {m.group(1): int(m.group(2)) for m in re.finditer(
            r"New ipfix exporter: SysID: (\d+), Observation domain (\d+)", fh.read())}
    by_domain = collections.defaultdict(collections.Counter)
    with open(csv_path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
        col = {name: i for i, name in enumerate(header)}
        for line in fh:
            row = line.strip().split(",")
            if len(row) != len(header):
                break  # the summary after the flows
            proto = row[col["pr"]].lower()
            proto = PROTOS.get(proto, None) if not proto.isdigit() else int(proto)
            by_domain[domain_of.get(row[col["exid"]], -1)][(
                row[col["sa"]], int(row[col["sp"]]), row[col["da"]], int(row[col["dp"]]),
                proto, int(row[col["ipkt"]]), int(row[col["ibyt"]]), int(row[col["opkt"]]),
                int(row[col["obyt"]]), row[col["ts"]])] += 1
    return by_domain


def main():
    got = received(sys.argv[1], sys.argv[2])
    failed = 0
    for arg in sys.argv[3:]:
        domain, report = arg.split(":", 1)
        want = expected(report)
        have = got.get(int(domain), collections.Counter())
        if want == have:
            print(f"ok   {report}: {sum(want.values())} flows as the report says")
            continue
        failed += 1
        print(f"FAIL {report}: collector has {sum(have.values())} flows, report "
              f"{sum(want.values())}")
        for k in list((want - have).keys())[:3]:
            print(f"     missing {k}")
        for k in list((have - want).keys())[:3]:
            print(f"     unexpected {k}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
