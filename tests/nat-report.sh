#!/bin/bash
# nat-report.sh - portscope nat's table in every format, on a pair of captures bench/gen-nat
# makes (a router rewriting client ports in sequence, a port forward, an inside-only and an
# outside-only flow, the outside clock 12.5 s behind): each output valid against
# doc/nat-schema-v1.json (which must also reject a broken one), the formats agreeing row by row,
# the same bytes on a second run, a side given as two files the same table, and the usage and
# bad-input exits. The live test (tests/live/nat.sh) holds the table to a real router's.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
gen=${GEN_NAT:-$PWD/bench/gen-nat}
[ -x "$bin" ] || { echo "FAIL: portscope not found at '$bin'"; exit 1; }
[ -x "$gen" ] || { echo "FAIL: bench/gen-nat not found at '$gen' (make check builds it)"; exit 1; }
need python3

fail() {
    echo "FAIL: $*"
    exit 1
}
cd "$work" || exit 1
"$gen" -n 40 -t -12.5 in.pcap out.pcap || fail "gen-nat failed"
nat() { "$bin" nat --inside in.pcap --outside out.pcap "$@"; }
nat >table.txt || fail "text: exit $?"
nat --explain >explain.txt || fail "text --explain: exit $?"
nat --json --explain >table.json || fail "json: exit $?"
nat --format jsonl >table.jsonl || fail "jsonl: exit $?"
nat --format csv -o table.csv || fail "csv: exit $?"
nat --json --explain >again.json && cmp -s table.json again.json || fail "json differs on a second run"

python3 - "$top/doc/nat-schema-v1.json" <<'PY' || fail "the outputs disagree or break the schema"
import csv, json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
doc = json.load(open("table.json"))
lines = [json.loads(l) for l in open("table.jsonl")]
bad = [e.message for o in [doc] + lines for e in v.iter_errors(o)]
assert not bad, bad[:3]
broken = json.loads(json.dumps(doc))
broken["connections"][0]["status"] = "maybe"
assert list(v.iter_errors(broken)), "the schema accepts a broken status"
broken = json.loads(json.dumps(doc))
del broken["connections"][0]["evidence"]
assert list(v.iter_errors(broken)), "the schema accepts a pair without evidence"
rows = doc["connections"]
assert [dict(l, type=None) for l in lines[:-1]] == [dict(r, type=None) for r in rows]
assert lines[-1]["type"] == "summary" and lines[-1]["summary"] == doc["summary"]
table = list(csv.DictReader(open("table.csv")))
assert len(table) == len(rows), (len(table), len(rows))
for c, r in zip(table, rows):
    assert (c["status"], c["proto"]) == (r["status"], r["proto"])
    assert c["evidence"] == "+".join(r.get("evidence", [])), c
text = [l for l in open("table.txt") if l.startswith(("tcp ", "udp ", "icmp "))]
assert len(text) == len(rows)
s = doc["summary"]
assert s["clock_offset"]["known"] and abs(s["clock_offset"]["seconds"] + 12.49995) < 1e-6, s
assert (s["paired"], s["forwards"], s["inside_only"], s["outside_only"]) == (41, 1, 1, 1), s
for side, only, amb in (("inside", "inside_only", "ambiguous_inside"),
                        ("outside", "outside_only", "ambiguous_outside")):
    assert doc[side]["flows"] == s["paired"] + s[amb] + s[only]
assert s["public_addresses"] == [{"addr": "198.51.100.1", "inside_hosts": 40,
                                  "connections": 40, "forwards": 1}], s
assert s["client_ports"]["policy"] == "sequential", s
kinds = {r["kind"] for r in rows if r["status"] == "paired"}
assert kinds == {"source-nat", "forward"}, kinds
reasons = sorted(r["reason"] for r in rows if r["status"] != "paired")
assert reasons == ["not-routed-out", "to-router"], reasons
assert len(doc["explain"]) >= 4
# The inside side in two files: split after its 60th packet.
data = open("in.pcap", "rb").read()
head, pos, cut = data[:24], 24, None
for n in range(60):
    pos += 16 + int.from_bytes(data[pos + 8:pos + 12], "little")
open("in-1.pcap", "wb").write(data[:pos])
open("in-2.pcap", "wb").write(head + data[pos:])
PY
grep -q "stands for 40 inside host" explain.txt || fail "--explain: no sentence on the public address"
"$bin" nat --inside in-1.pcap --inside in-2.pcap --outside out.pcap --json >split.json ||
    fail "two inside files: exit $?"
python3 -c '
import json
a, b = json.load(open("table.json")), json.load(open("split.json"))
assert b["inside"]["files"] == ["in-1.pcap", "in-2.pcap"]
assert a["connections"] == b["connections"] and a["summary"] == b["summary"]
' || fail "a side in two files does not give the same table"

# Each side's flows are the main report's flows, fragmented datagrams among them.
"$bin" nat --inside in.pcap --inside "$top/samples/frag.pcap" --inside "$top/samples/frag6.pcap" \
    --outside out.pcap --json >frag.json || fail "fragments inside: exit $?"
"$bin" -r in.pcap -r "$top/samples/frag.pcap" -r "$top/samples/frag6.pcap" --json >report.json ||
    fail "the main report: exit $?"
python3 -c '
import json
nat, report = json.load(open("frag.json")), json.load(open("report.json"))
assert nat["inside"]["flows"] == len(report["flows"]), (nat["inside"]["flows"], len(report["flows"]))
' || fail "the inside flows are not the main report's"

# Bad input: a message, the documented status, no table.
expect_status() {
    local want=$1 pattern=$2
    shift 2
    "$bin" "$@" >bad.out 2>bad.err
    local got=$?
    [ "$got" = "$want" ] || fail "portscope $*: exit $got, expected $want"
    grep -q "$pattern" bad.err || fail "portscope $*: no message '$pattern' ($(cat bad.err))"
    [ -s bad.out ] && fail "portscope $*: wrote a table"
    return 0
}
expect_status 9 "same packets" nat --inside in.pcap --outside in.pcap
expect_status 9 "no flow of the inside capture" nat --inside in.pcap --outside "$top/samples/dns-dig.pcap"
expect_status 2 "needs both sides" nat --inside in.pcap
expect_status 2 "does not apply to 'portscope nat'" nat --inside in.pcap --outside out.pcap -r in.pcap
expect_status 2 "is for 'portscope nat'" --inside in.pcap -r in.pcap
expect_status 3 "missing.pcap" nat --inside missing.pcap --outside out.pcap
"$bin" nat --help | grep -q -- "--outside FILE" || fail "portscope nat --help: no --outside"
echo "PASS"
