#!/bin/bash
# Stopping a live capture: SIGINT right after the traffic, and the report must hold every packet
# sent (nothing captured is lost); --interval snapshots while it runs; --duration stops by
# itself. On the loopback of a namespace of our own. Skipped (77) without root or namespaces.
. "$(dirname "$0")/lib.sh"

need_namespaces
N=200

# -s 256: small ring frames, so a burst fits in libpcap's default 2 MB buffer (lo's MTU of 64 KiB
# would otherwise give a frame of 128 KiB to every packet in immediate mode).
start_capture json "$NS_SRV" -i lo -s 256 --json udp
start_capture text "$NS_SRV" -i lo -s 256 --interval 0.2 udp
start_capture dur "$NS_SRV" -i lo -s 256 --duration 0.5 --json

timeout 10 ip netns exec "$NS_SRV" python3 - "$N" <<'PY' || fail "cannot send the datagrams"
import socket
import sys

rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", 0))
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.bind(("127.0.0.1", 0))
for i in range(int(sys.argv[1])):
    tx.sendto(b"x" * 100, rx.getsockname())
PY

# No pause: what the kernel captured before the signal must all be in the report.
stop_capture json INT
[ "$CAPTURE_STATUS" = 0 ] || fail "SIGINT: exit status $CAPTURE_STATUS, expected 0"
python3 - "$work/json.out" "$N" <<'PY' || fail "SIGINT: the report is not complete"
import json
import sys

report, n = json.load(open(sys.argv[1])), int(sys.argv[2])
inp = report["inputs"][0]
assert inp["complete"] and inp["packets"] == n, inp
# received counts each packet twice on lo (out and in; libpcap keeps one): not compared.
assert inp["capture_stats"]["dropped"] == 0, inp
assert report["summary"]["packets"] == n and report["summary"]["in_flows"]["packets"] == n
(flow,) = report["flows"]
assert flow["proto"] == "udp" and flow["packets"]["c2s"] + flow["packets"]["s2c"] == n, flow
print(f"ok   SIGINT: all {n} packets in the report")
PY

sleep 0.5 # at least two intervals of the text capture
stop_capture text INT
[ "$CAPTURE_STATUS" = 0 ] || fail "--interval: exit status $CAPTURE_STATUS, expected 0"
snapshots=$(grep -c '^\[[0-9.]* s\] lo: ' "$work/text.out")
[ "$snapshots" -ge 2 ] || fail "--interval 0.2: $snapshots snapshots, expected at least 2"
grep -q "^\[[0-9.]* s\] lo: $N packets .* in 1 flows: 0 tcp, 1 udp, 0 other" "$work/text.out" ||
    fail "--interval: no snapshot counts the $N packets"
grep -q "^Totals: $N packets" "$work/text.out" || fail "--interval: no full report at the end"
grep -q "^  lo: live, link type EN10MB, $N packets" "$work/text.out" ||
    fail "--interval: the report's input line is wrong"
echo "ok   --interval: $snapshots snapshots, then the full report"

stop_capture dur
[ "$CAPTURE_STATUS" = 0 ] || fail "--duration: exit status $CAPTURE_STATUS, expected 0"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["inputs"][0]["complete"]' \
    "$work/dur.out" || fail "--duration: no complete report"
echo "ok   --duration 0.5 stopped by itself"
