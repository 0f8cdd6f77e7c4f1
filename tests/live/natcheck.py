#!/usr/bin/env python3
"""Holds portscope nat's table (--format jsonl) to the router's conntrack table (conntrack -L).

natcheck.py CONNTRACK JSONL --public ADDR --ports POLICY --offset SECONDS

Each conntrack entry is one connection: its original tuple as the side it came from saw it, the
reverse of its reply tuple as the other side saw it. Entries between an inside address (10.0.0.0/8)
and the outside must be exactly the table's paired rows, endpoint by endpoint (ICMP echo: the
identifier as the client's port); entries the router answered itself must be outside-only rows.
Also checked: no row is ambiguous, the public address, the client port policy, the clock offset,
and each side's flows reconcile with its rows.
"""
import argparse
import ipaddress
import json
import re
import sys

FIELD = re.compile(r"(\w+)=(\S+)")


def inside(addr):
    return ipaddress.ip_address(addr) in ipaddress.ip_network("10.0.0.0/8")


def parse_conntrack(path):
    entries = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words or words[0] not in ("tcp", "udp", "icmp"):
                continue
            fields = FIELD.findall(line)
            tuples, cur = [], {}
            for k, v in fields:
                if k in cur and k in ("src", "dst"):
                    tuples.append(cur)
                    cur = {}
                cur[k] = v
            tuples.append(cur)
            orig, reply = tuples[0], tuples[1]
            entries.append((words[0], orig, reply))
    return entries


def ends(proto, t, reverse=False):
    """(client addr, client port, server addr, server port) of a conntrack tuple."""
    if proto == "icmp":
        c, s = (t["dst"], t["src"]) if reverse else (t["src"], t["dst"])
        return (c, int(t["id"]), s, 0)
    if reverse:
        return (t["dst"], int(t["dport"]), t["src"], int(t["sport"]))
    return (t["src"], int(t["sport"]), t["dst"], int(t["dport"]))


def expected(entries):
    """The paired rows conntrack says, and the connections only the outside saw."""
    pairs, outside_only = set(), set()
    for proto, orig, reply in entries:
        seen_first, seen_other = ends(proto, orig), ends(proto, reply, reverse=True)
        if inside(orig["src"]):
            pairs.add((proto, seen_first, seen_other))
        elif inside(reply["src"]):
            pairs.add((proto, seen_other, seen_first))
        else:
            outside_only.add((proto, seen_first))
    return pairs, outside_only


def endpoint(side):
    return (side["client"]["addr"], side["client"]["port"], side["server"]["addr"],
            side["server"]["port"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("conntrack")
    ap.add_argument("jsonl")
    ap.add_argument("--public", required=True)
    ap.add_argument("--ports", required=True)
    ap.add_argument("--offset", type=float, required=True)
    a = ap.parse_args()

    want_pairs, want_outside = expected(parse_conntrack(a.conntrack))
    rows, summary = [], None
    with open(a.jsonl) as f:
        for line in f:
            o = json.loads(line)
            if o["type"] == "summary":
                summary = o
            else:
                rows.append(o)
    got_pairs = {(r["proto"], endpoint(r["inside"]), endpoint(r["outside"]))
                 for r in rows if r["status"] == "paired"}
    got_outside = {(r["proto"], endpoint(r["outside"])) for r in rows
                   if r["status"] == "outside-only" and r["reason"] == "to-router"}
    bad = []
    for p in sorted(want_pairs - got_pairs):
        bad.append(f"conntrack has {p}, portscope does not pair it")
    for p in sorted(got_pairs - want_pairs):
        bad.append(f"portscope pairs {p}, conntrack has no such entry")
    for p in sorted(want_outside - got_outside):
        bad.append(f"conntrack has {p} at the router itself, not an outside-only row to-router")
    bad += [f"ambiguous row {r}" for r in rows if r["status"] == "ambiguous"]
    for r in rows:
        if r["status"] == "paired":
            kind = "forward" if r["inside"]["client"] == r["outside"]["client"] else "source-nat"
            if r["kind"] != kind:
                bad.append(f"row {r} should be {kind}")
    s = summary["summary"]
    pubs = [p["addr"] for p in s["public_addresses"]]
    if pubs != [a.public]:
        bad.append(f"public addresses {pubs}, not [{a.public}]")
    if s["client_ports"]["policy"] != a.ports:
        bad.append(f"client ports {s['client_ports']}, not {a.ports}")
    off = s["clock_offset"]
    if not off["known"] or abs(off["seconds"] - a.offset) > 0.05:
        bad.append(f"clock offset {off}, not {a.offset} s")
    for side, only in (("inside", "inside-only"), ("outside", "outside-only")):
        n = sum(1 for r in rows if side in r)
        if n != summary[side]["flows"]:
            bad.append(f"{side}: {n} rows with a flow, {summary[side]['flows']} flows")
    for b in bad:
        print("natcheck:", b)
    print(f"natcheck: {len(want_pairs)} conntrack entries, {len(got_pairs)} pairs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
