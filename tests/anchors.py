#!/usr/bin/env python3
"""Agreement with tshark, the anchor students compare portscope with.

Usage:
  anchors.py samples PORTSCOPE FILE...     per flow: packets and frame bytes, against tshark's
                                           TCP and UDP streams (tcp.stream / udp.stream)
  anchors.py corpus PORTSCOPE CORPUS_DIR   per file: TCP and UDP flow counts, against the
                                           conversation counts in CORPUS_DIR/MANIFEST.tsv

portscope runs with --profile wireshark (no timeouts; a SYN with a new ISN starts a new flow), as
Wireshark delimits conversations. Differences with a documented reason are reported as such and
pass (doc/json-report.md, "Agreement with tshark"):
  - tunnel: tshark counts a tunnel's outer conversation as well as the inner one; portscope puts
    the packet in the inner flow only (the counts then agree with the union of portscope's flows
    with and without --no-decap);
  - fragments: tshark counts a reassembled datagram once, in the frame that completed it;
    portscope counts every fragment on the flow;
  - truncated: portscope skips packets whose transport header was cut short (truncated_*), which
    tshark still files under a conversation when it can read the ports;
  - ip-length-zero: an IP length field of 0 (TSO, BIG TCP): portscope reads on with the captured
    length, tshark marks the packet malformed;
  - malformed: the corpus MANIFEST marks the file malformed and tshark gave up on part of it;
  - link type: a link type portscope does not decode (its packets are counted as skipped);
  - icmp-error: portscope counts an ICMP error on the flow it quotes; tshark files it under that
    TCP stream only when the quote holds the whole TCP header.
  - payload: tshark also dissects packets carried inside an application's messages (the frames
    in OpenFlow packet-in messages); portscope counts the connection that carries them. Files
    known to hold such payloads are listed in KNOWN_PAYLOADS.
Any other difference fails. Ends with "anchors: N passed, N failed".
"""
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict


KNOWN_PAYLOADS = {
    "of13_ericsson.pcapng": "OpenFlow 1.3 packet-in messages carry a UDP frame",
}


def portscope(binary, path, extra=()):
    run = subprocess.run([binary, "--json", "--profile", "wireshark", *extra, "-r", path],
                         capture_output=True, check=False)
    if run.returncode not in (0, 1) or not run.stdout:
        return None
    return json.loads(run.stdout)


def endpoints(proto, a, pa, b, pb):
    return (proto,) + tuple(sorted([(a, int(pa)), (b, int(pb))]))


def tshark_streams(path):
    """Per tcp.stream / udp.stream: frames, bytes and first time, for frames in one stream."""
    fields = ["frame.len", "frame.time_epoch", "frame.protocols", "tcp.stream", "udp.stream", "ip.src", "ip.dst",
              "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
              "ip.flags.mf", "ip.frag_offset", "ipv6.fraghdr.nxt"]
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=l"]
    for f in fields:
        cmd += ["-e", f]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    streams, fragments = {}, 0
    for line in run.stdout.splitlines():
        v = dict(zip(fields, line.split("\t")))
        if v.get("ip.flags.mf") == "1" or v.get("ip.frag_offset", "0") not in ("", "0") or \
                v.get("ipv6.fraghdr.nxt"):
            fragments += 1
        # The innermost IP layer names the conversation: the last of ip and ipv6 in the chain.
        chain = [p for p in v.get("frame.protocols", "").split(":") if p in ("ip", "ipv6")]
        ip = chain[-1] if chain else "ip"
        src, dst = v.get(ip + ".src"), v.get(ip + ".dst")
        # A frame in a TCP and a UDP stream at once is a tunnel: tshark files it under both.
        for proto in ("tcp", "udp"):
            sid = v.get(proto + ".stream")
            if not sid or not v.get(proto + ".srcport"):
                continue
            s = streams.setdefault((proto, sid), {"frames": 0, "bytes": 0, "first": None,
                                                  "key": endpoints(proto, src, v[proto + ".srcport"],
                                                                   dst, v[proto + ".dstport"])})
            s["frames"] += 1
            s["bytes"] += int(v["frame.len"])
            t = float(v["frame.time_epoch"])
            s["first"] = t if s["first"] is None else min(s["first"], t)
    return streams, fragments


def check_sample(binary, path):
    report = portscope(binary, path)
    if report is None:
        return "FAIL", "portscope failed"
    # Only tunnels over UDP have an outer conversation of their own in tshark's tables.
    tunnelled = any(e.split(":")[0] in ("vxlan", "vxlan-gpe", "geneve", "gtpu")
                    for f in report["flows"] for e in f["encap"])
    if tunnelled:
        return "ok", "tunnel: per-flow comparison left to the count check (tshark-conv.sh)"
    ours = defaultdict(list)
    for f in report["flows"]:
        if f["proto"] in ("tcp", "udp"):
            key = endpoints(f["proto"], f["client"]["ip"], f["client"]["port"],
                            f["server"]["ip"], f["server"]["port"])
            ours[key].append(f)
    streams, fragments = tshark_streams(path)
    theirs = defaultdict(list)
    for s in sorted(streams.values(), key=lambda s: s["first"]):
        theirs[s["key"]].append(s)
    truncated = sum(v for k, v in report["summary"]["skipped"]["reasons"].items()
                    if k.startswith("truncated"))
    notes, failures = [], []
    for key in sorted(set(ours) | set(theirs), key=str):
        mine = sorted(ours.get(key, []), key=lambda f: f["first_seen"])
        tsh = theirs.get(key, [])
        if len(mine) != len(tsh):
            if truncated and len(mine) < len(tsh):
                notes.append("truncated: %s" % (key,))
                continue
            failures.append("%s: %d flows, tshark %d streams" % (key, len(mine), len(tsh)))
            continue
        for f, s in zip(mine, tsh):
            packets = f["packets"]["c2s"] + f["packets"]["s2c"]
            frame_bytes = f["bytes"]["c2s"] + f["bytes"]["s2c"]
            if (packets, frame_bytes) == (s["frames"], s["bytes"]):
                continue
            errors = sum(e["packets"] for e in f["icmp_errors"])
            error_bytes = sum(e["bytes"] for e in f["icmp_errors"])
            if errors and (packets - errors, frame_bytes - error_bytes) == (s["frames"], s["bytes"]):
                notes.append("icmp-error: flow %d" % f["id"])
            elif fragments and packets > s["frames"]:
                notes.append("fragments: flow %d" % f["id"])
            elif truncated and packets < s["frames"]:
                notes.append("truncated: flow %d" % f["id"])
            else:
                failures.append("flow %d %s: %d packets %d bytes, tshark %d frames %d bytes"
                                % (f["id"], key, packets, frame_bytes, s["frames"], s["bytes"]))
    if failures:
        return "FAIL", "; ".join(failures)
    kinds = sorted(set(n.split(":")[0] for n in notes))
    return "ok", "explained: " + ", ".join(kinds) if kinds else ""


def flow_set(report):
    return {(f["proto"], f["client"]["ip"], f["client"]["port"], f["server"]["ip"],
             f["server"]["port"], f["first_seen"]) for f in report["flows"]
            if f["proto"] in ("tcp", "udp")}


def count(s, proto):
    return sum(1 for f in s if f[0] == proto)


def check_corpus_file(binary, path, want_tcp, want_udp, malformed):
    report = portscope(binary, path)
    if report is None:
        return "skip", "portscope read nothing"
    inner = flow_set(report)
    got = (count(inner, "tcp"), count(inner, "udp"))
    if got == (want_tcp, want_udp):
        return "ok", ""
    outer = portscope(binary, path, ["--no-decap"])
    union = inner | (flow_set(outer) if outer else set())
    if (count(union, "tcp"), count(union, "udp")) == (want_tcp, want_udp):
        return "ok", "explained: tunnel"
    if os.path.basename(path) in KNOWN_PAYLOADS:
        return "ok", "explained: payload: " + KNOWN_PAYLOADS[os.path.basename(path)]
    if any("ip-length-zero" in f["quality"] for f in report["flows"]):
        return "ok", "explained: ip-length-zero (%s vs tshark %s)" % (got, (want_tcp, want_udp))
    if malformed:
        return "ok", "explained: malformed (%s vs tshark %s): %s" % (got, (want_tcp, want_udp),
                                                                     malformed)
    skipped = report["summary"]["skipped"]["reasons"]
    if any(v for k, v in skipped.items() if k.startswith("truncated") or k.startswith("invalid")):
        return "ok", "explained: truncated or invalid headers (%s vs tshark %s)" % (
            got, (want_tcp, want_udp))
    if skipped.get("orphan_fragment"):
        return "ok", "explained: fragments (%s vs tshark %s)" % (got, (want_tcp, want_udp))
    if skipped.get("unsupported_link_type"):
        names = ", ".join(report["summary"]["skipped"]["link_types"])
        return "ok", "explained: link type %s not decoded (%s vs tshark %s)" % (
            names, got, (want_tcp, want_udp))
    return "FAIL", "portscope tcp/udp %s, tshark %s" % (got, (want_tcp, want_udp))


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    results = []
    if mode == "samples":
        for path in sys.argv[3:]:
            results.append((os.path.basename(path),) + check_sample(binary, path))
    else:
        corpus = sys.argv[3]
        with open(os.path.join(corpus, "MANIFEST.tsv"), newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if row["tshark_ok"] != "yes" or row["dup_of"] or not row["tcp_conv"]:
                    continue
                results.append((row["path"],) + check_corpus_file(
                    binary, os.path.join(corpus, row["path"]), int(row["tcp_conv"]),
                    int(row["udp_conv"]), row["malformed"]))
    passed = failed = 0
    for name, verdict, why in results:
        if verdict == "FAIL" or why:
            print("%-4s %s%s" % (verdict, name, ": " + why if why else ""))
        passed += verdict != "FAIL"
        failed += verdict == "FAIL"
    print("anchors: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
