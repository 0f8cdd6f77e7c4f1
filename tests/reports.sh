#!/bin/bash
# Whole-tool checks of the reports for CI that golden outputs cannot express: the CSV read back
# by a CSV parser, colour only on a terminal, jsonl lines on a terminal as flows end, expectations
# with -o, and the exit statuses.
. "$(dirname "$0")/lib.sh"
need python3
cd "$top" || exit 1
fail=0

check() { # NAME COMMAND...: the command must succeed
    local name=$1
    shift
    if "$@"; then
        echo "ok   $name"
    else
        echo "FAIL $name"
        fail=1
    fi
}

# CSV: RFC 4180 as Python's csv module reads it; one row per JSON flow, every column the value of
# the JSON field it flattens (empty for null, lists joined by spaces), so that a column written
# from the wrong field or direction shows on any capture that tells them apart.
csv_matches_json() {
    "$bin" --format csv -r "$1" >"$work/r.csv" 2>/dev/null
    "$bin" --json -r "$1" >"$work/r.json" 2>/dev/null
    python3 - "$work/r.csv" "$work/r.json" <<'PY'
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
flows = json.load(open(sys.argv[2]))["flows"]
assert len(rows) == len(flows), (len(rows), len(flows))

def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return " ".join(v)
    return str(v)

def error_word(e):
    return "%s=%d" % (e["name"], e["packets"]) if e["name"] else \
        "type%dcode%d=%d" % (e["type"], e["code"], e["packets"])

for row, flow in zip(rows, flows):
    tcp = flow["tcp"] or {}
    icmp = flow["icmp"] or {}
    want = {"id": flow["id"], "proto": flow["proto"], "ip_version": flow["ip_version"],
            "role_reason": flow["role_reason"], "conn_state": tcp.get("conn_state"),
            "first_seen": flow["first_seen"], "last_seen": flow["last_seen"],
            "encap": flow["encap"], "icmp_kind": icmp.get("kind"), "icmp_id": icmp.get("id"),
            "icmp_type": icmp.get("type"), "icmp_code": icmp.get("code"),
            "icmp_name": icmp.get("name"),
            "icmp_errors": [error_word(e) for e in flow["icmp_errors"]],
            "start_reason": flow["start_reason"], "follows": flow["follows"],
            "tcp_history": tcp.get("history"), "quality": flow["quality"],
            "community_id": flow["community_id"]}
    for side in ("client", "server"):
        for key, value in flow[side].items():
            want[side + "_" + key] = value
    for key in ("packets", "bytes", "ip_bytes", "payload_bytes"):
        for way in ("c2s", "s2c"):
            want[key + "_" + way] = flow[key][way]
    for way in ("c2s", "s2c"):
        want["retransmissions_" + way] = tcp.get("retransmissions", {}).get(way)
    for key in ("protocol", "client", "server", "sni", "why", "mismatch"):
        want["app_" + key] = (flow["app"] or {}).get(key)
    for column, value in want.items():
        assert row[column] == cell(value), (flow["id"], column, row[column], value)
    # Seconds as numbers: the CSV keeps the captures' precision, JSON a number.
    for column, value in (("duration", flow["duration"]),
                          ("rtt_client", tcp.get("handshake", {}).get("rtt_client")),
                          ("rtt_server", tcp.get("handshake", {}).get("rtt_server"))):
        assert (row[column] == "") == (value is None), (flow["id"], column, row[column], value)
        assert value is None or abs(float(row[column]) - value) < 1e-9, (flow["id"], column)
    assert set(row) == set(want) | {"duration", "rtt_client", "rtt_server"}, set(row) ^ set(want)
PY
}
for cap in samples/http-curl.pcap samples/ipv6.pcap samples/icmp-errors.pcap samples/gen-gre.pcap \
    samples/mixed.pcapng samples/gen-icmp.pcap samples/gen-tcp-states.pcap \
    samples/gen-tcp-retrans.pcap samples/gen-tcp-reuse.pcap samples/gen-backwards.pcap \
    samples/gen-app.pcap samples/gen-snaplen.pcap; do
    check "csv matches json: $cap" csv_matches_json "$cap"
done

# Colour: never into a pipe or a file unless asked; NO_COLOR does not override --color=always.
no_escapes() { ! grep -q $'\033' "$@"; }
"$bin" -r samples/dns-dig.pcap >"$work/plain.txt"
check "no colour into a pipe" no_escapes "$work/plain.txt"
NO_COLOR=1 "$bin" --color=always -r samples/dns-dig.pcap >"$work/forced.txt"
check "--color=always wins over NO_COLOR" grep -q $'\033\\[1m' "$work/forced.txt"
if command -v script >/dev/null; then
    # script(1) gives portscope a terminal; NO_COLOR then still turns colour off.
    script -qec "'$bin' -r samples/dns-dig.pcap" /dev/null >"$work/tty.txt" </dev/null
    check "colour on a terminal" grep -q $'\033\\[1m' "$work/tty.txt"
    script -qec "NO_COLOR=1 '$bin' -r samples/dns-dig.pcap" /dev/null >"$work/tty-nc.txt" \
        </dev/null
    check "NO_COLOR on a terminal" no_escapes "$work/tty-nc.txt"
    # The progress line needs a read of more than a second: none here, and none with -q.
    script -qec "'$bin' -q -r samples/dns-dig.pcap -o '$work/q.txt'" /dev/null >"$work/q.tty" \
        </dev/null
    check "-q: nothing on the terminal" test ! -s "$work/q.tty"
    # jsonl on a terminal: each flow's line as the flow ends, not held for a 256 KiB block. The
    # input, 400 one-packet UDP flows a second apart in 1400-byte frames, stays open after its
    # bytes: the reader takes it in 256 KiB reads, and the flows of the first read, ended by then
    # (1 s idle timeout), make fewer lines than a block, so only a terminal shows them before the
    # input ends.
    python3 - "$work/udp.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    payload = bytes(1358)
    for i in range(400):
        udp = struct.pack("!HHHH", 20000 + i, 5353, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                         bytes([10, 0, 1, i % 250 + 1]), bytes([10, 0, 0, 1]))
        frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + ip + udp
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)
PY
    mkfifo "$work/in.pcap"
    (
        cat "$work/udp.pcap"
        sleep 6
    ) >"$work/in.pcap" &
    script -qfec "'$bin' -r '$work/in.pcap' --format jsonl --idle-timeout 1" /dev/null \
        >"$work/jsonl.tty" </dev/null &
    for _ in $(seq 50); do
        grep -q '"type":"flow"' "$work/jsonl.tty" && break
        sleep 0.1
    done
    check "jsonl on a terminal: a flow line before the input ends" \
        grep -q '"type":"flow"' "$work/jsonl.tty"
    wait
    check "jsonl on a terminal: the summary at the end" grep -q '"type":"summary"' "$work/jsonl.tty"
fi

# The issue's CI one-liner, with the report written to a file.
"$bin" -r samples/http-curl.pcap --expect 'flows.tcp >= 3' --expect 'service http' \
    --expect 'no service telnet' -o "$work/ok.txt" 2>"$work/ok.err"
check "one-liner passes: exit 0" test $? = 0
check "one-liner passes: quiet stderr" test ! -s "$work/ok.err"
check "one-liner passes: report written" grep -q '^Expectations (3, 0 failed)' "$work/ok.txt"
"$bin" -r samples/http-curl.pcap --json --expect 'flows.tcp >= 4' --expect 'service http' \
    -o "$work/bad.json" 2>"$work/bad.err"
check "failing expectation: exit 6" test $? = 6
check "failing expectation: one line on stderr" test "$(wc -l <"$work/bad.err")" = 1
check "failing expectation: says what was found" \
    grep -qx 'portscope: expected flows.tcp >= 4, found 3' "$work/bad.err"
check "failing expectation: JSON results" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["expectations"]
assert [x["holds"] for x in e] == [False, True], e
assert e[0] == {"expression": "flows.tcp >= 4", "source": "--expect", "holds": False, "found": "3"}
' "$work/bad.json"
# An unwritable report outranks a failed expectation.
"$bin" -r samples/http-curl.pcap --expect 'flows > 9' -o /nonexistent/dir/r.txt 2>/dev/null
check "unwritable report: exit 4" test $? = 4
exit $fail
