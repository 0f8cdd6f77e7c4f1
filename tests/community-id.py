#!/usr/bin/env python3
"""Every flow's community_id against the Community ID tshark gives each packet.

Usage: community-id.py PORTSCOPE CAPTURE...   (prints one line per capture; exit 1 on a mismatch)

portscope writes no packet-to-flow map, so the join is by value, precisely: for each Community
ID, the packets of portscope's flows with that ID must be exactly the frames tshark gives it,
frame numbers listed where they differ. A flow's packets are its own: an ICMP error that
portscope counts on the flow it quotes (icmp_errors[]) has its own ID in tshark (the error's
header, a one-way ICMP message), so those frames are taken out of the flow's count and must
be found among tshark's ICMP error frames. Two more differences are allowed and counted, each
stated:
- fragments: tshark reassembles IP and decodes the transport header on the frame that completes
  the datagram only; the other IPv4 fragments it hashes without ports, and the other IPv6
  fragments not at all (taken here as the tuple without ports, from their fragment header).
  Their number must make up what the flows of that tuple are short of; any more are fragments
  portscope could not place (orphans, among its skipped packets).
- packets portscope skipped (its summary.skipped: truncated, invalid, orphan fragments) that
  tshark still hashed: at most summary.skipped.packets frames with an ID portscope has no flow for.
"""
import base64
import collections
import concurrent.futures
import hashlib
import ipaddress
import json
import os
import subprocess
import sys

ICMP_ERRORS = {1: {3, 4, 11, 12}, 58: {1, 2, 3, 4}}


def portless_id(proto, a, b, seed=0):
    """The specification's Community ID of a tuple without ports (a fragment without them)."""
    x, y = ipaddress.ip_address(a).packed, ipaddress.ip_address(b).packed
    if y < x:
        x, y = y, x
    data = seed.to_bytes(2, "big") + x + y + bytes([proto, 0])
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


PROTO_NUMBERS = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58}


def icmp_own_id(proto, src, dst, mtype, code):
    """An ICMP error's own Community ID: a one-way message, its sender first, type and code."""
    data = (bytes(2) + ipaddress.ip_address(src).packed + ipaddress.ip_address(dst).packed
            + bytes([proto, 0]) + mtype.to_bytes(2, "big") + code.to_bytes(2, "big"))
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


FIELDS = ["frame.number", "communityid", "frame.protocols", "ip.src", "ip.dst", "ip.proto",
          "ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.fraghdr.nxt", "icmp.type", "icmp.code",
          "icmpv6.type", "icmpv6.code"]


def tshark_frames(path):
    """(frame number, Community ID, whether it is an ICMP error) of each frame tshark hashes."""
    cmd = ["tshark", "-n", "-r", path, "--enable-protocol", "communityid", "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=;"]
    for field in FIELDS:
        cmd += ["-e", field]
    run = subprocess.run(cmd, capture_output=True, text=True)
    frames = []
    for line in run.stdout.splitlines():
        v = dict(zip(FIELDS, [x.split(";") if x else [] for x in line.split("\t")]))
        if not v.get("frame.number"):
            continue
        cid = v["communityid"][-1] if v["communityid"] else ""
        names = v["frame.protocols"][0].split(":") if v["frame.protocols"] else []
        layers = [n for n in names if n in ("ip", "ipv6")]
        # The outermost ICMP header, of the outermost IP header: an error's own.
        err = None
        if names and "icmp" in names and v["icmp.type"] and v["ip.src"]:
            if int(v["icmp.type"][0]) in ICMP_ERRORS[1]:
                err = icmp_own_id(1, v["ip.src"][0], v["ip.dst"][0], int(v["icmp.type"][0]),
                                  int(v["icmp.code"][0]))
        elif "icmpv6" in names and v["icmpv6.type"] and v["ipv6.src"]:
            if int(v["icmpv6.type"][0]) in ICMP_ERRORS[58]:
                err = icmp_own_id(58, v["ipv6.src"][0], v["ipv6.dst"][0],
                                  int(v["icmpv6.type"][0]), int(v["icmpv6.code"][0]))
        if not cid and layers:
            # A frame tshark gives no ID: an IPv6 fragment it holds for reassembly, a protocol
            # it does not hash (OSPF, PIM, VRRP, DCCP...), a header it cannot read. It stands
            # for its innermost IP header's tuple without ports, as an IPv4 fragment's ID does.
            try:
                if layers[-1] == "ipv6":
                    nxt = (v["ipv6.fraghdr.nxt"] or v["ipv6.nxt"])[-1]
                    cid = portless_id(int(nxt), v["ipv6.src"][-1], v["ipv6.dst"][-1])
                else:
                    cid = portless_id(int(v["ip.proto"][-1]), v["ip.src"][-1], v["ip.dst"][-1])
            except (ValueError, IndexError):
                cid = ""
        if cid:
            frames.append((int(v["frame.number"][0]), cid, err))
    return frames


EXCEPTIONS = {}


def load_exceptions(table):
    """tests/community-id-exceptions.tsv: CAPTURE, FRAMES, tshark's ID, portscope's ID, why."""
    with open(table) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            capture, frames, theirs, ours, why = line.rstrip("\n").split("\t")
            for num in frames.split(","):
                EXCEPTIONS.setdefault(capture, {})[int(num)] = (theirs, ours, why)


def exceptions_for(path):
    """The exceptions of a capture by frame, named by its path's end (corpus or samples/)."""
    for capture, table in EXCEPTIONS.items():
        if path.endswith("/" + capture) or path == capture:
            return table
    return {}


def check(binary, path):
    run = subprocess.run([binary, "--json", "-r", path], capture_output=True)
    if run.returncode not in (0, 1):
        return "skip", "portscope exit %d" % run.returncode
    report = json.loads(run.stdout)
    own = collections.Counter()
    portless = collections.defaultdict(set)  # portless ID -> the flows' IDs it stands in for
    joined_errors = 0
    for f in report["flows"]:
        errors = sum(e["packets"] for e in f["icmp_errors"])
        joined_errors += errors
        own[f["community_id"]] += f["packets"]["c2s"] + f["packets"]["s2c"] - errors
        proto = PROTO_NUMBERS.get(f["proto"], f["proto"])
        if isinstance(proto, int):
            portless[portless_id(proto, f["client"]["ip"], f["server"]["ip"])].add(
                f["community_id"])
    by_id = collections.defaultdict(list)
    remap = exceptions_for(path)
    notes, problems = [], []
    excepted = collections.Counter()
    for num, cid, err in tshark_frames(path):
        if num in remap:
            theirs, ours, why = remap[num]
            if cid != theirs:
                problems.append("frame %d: tshark's ID is %s, the exception says %s"
                                % (num, cid, theirs))
            excepted[why] += 1
            cid, err = ours, None
        elif err is not None and cid != err:
            problems.append("frame %d: an ICMP error hashed as %s, not as its own header (%s)"
                            % (num, cid, err))
        by_id[cid].append((num, err))
    notes += ["%d frames excepted: %s" % (n, why) for why, n in excepted.items()]
    fragments = collections.Counter()
    for cid, frames in by_id.items():
        if cid in own:
            continue
        if cid in portless:
            # Fragments hashed without ports: they make up their flows' shortfall, together.
            for flow_id in portless[cid]:
                fragments[flow_id] += 0
            fragments[frozenset(portless[cid])] += len(frames)
    shortfall = collections.Counter()
    for cid, n in own.items():
        got = len(by_id.get(cid, []))
        if got > n:
            problems.append("%s: tshark %d frames (%s), portscope %d packets"
                            % (cid, got, ",".join(str(x[0]) for x in by_id[cid][:8]), n))
        elif got < n:
            shortfall[cid] = n - got
    orphans = 0
    for group, n in fragments.items():
        if isinstance(group, frozenset):
            short = sum(shortfall.pop(cid, 0) for cid in group)
            # More such frames than the flows lack: fragments portscope could not place
            # (orphan_fragment, among the skipped packets).
            if short > n:
                problems.append("%d frames hashed without ports, flows %s short of %d"
                                % (n, sorted(group), short))
            else:
                notes.append("%d fragments without ports" % short)
                orphans += n - short
    for cid, n in shortfall.items():
        problems.append("%s: portscope %d packets more than tshark's %d frames"
                        % (cid, n, len(by_id.get(cid, []))))
    unknown = [(num, err) for cid, frames in by_id.items()
               if cid not in own and cid not in portless for num, err in frames]
    errors = sum(1 for _, err in unknown if err is not None)
    if errors < joined_errors:
        problems.append("%d ICMP errors counted on flows, %d such frames in tshark"
                        % (joined_errors, errors))
    others = len(unknown) - joined_errors + orphans
    skipped = report["summary"]["skipped"]["packets"]
    if others > skipped:
        problems.append("%d frames with an ID portscope has no flow for (first: %s), %d skipped"
                        % (others, ",".join(str(x[0]) for x in unknown[:8]), skipped))
    if joined_errors:
        notes.append("%d ICMP errors on their quoted flows" % joined_errors)
    if others > 0:
        notes.append("%d frames skipped by portscope" % others)
    if problems:
        return "FAIL", "; ".join(problems)
    return "ok", "%d flows%s" % (len(report["flows"]),
                                 ("; " + ", ".join(notes)) if notes else "")


def main():
    binary, paths = sys.argv[1], sys.argv[2:]
    load_exceptions(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "community-id-exceptions.tsv"))
    counts = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for path, (verdict, text) in zip(paths, pool.map(lambda p: check(binary, p), paths)):
            counts[verdict] += 1
            print("%-4s %s: %s" % (verdict, path, text))
    print("community-id: %d ok, %d failed, %d skipped"
          % (counts["ok"], counts["FAIL"], counts["skip"]))
    sys.exit(1 if counts["FAIL"] else 0)


if __name__ == "__main__":
    main()
