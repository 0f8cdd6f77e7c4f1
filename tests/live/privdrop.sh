#!/bin/bash
# -Z USER: once the device is open, portscope runs as USER (all of its user and group ids, no
# capabilities left) before it decodes a packet; the -w file and the report are created as USER.
# Skipped (77) without root, network namespaces or the user nobody.
. "$(dirname "$0")/lib.sh"

need_namespaces
id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
uid=$(id -u nobody)
gid=$(id -g nobody)
mkdir "$work/out" && chown nobody "$work/out"

start_capture drop "$NS_SRV" -i lo -Z nobody --json -w "$work/out/saved.pcap" \
    -o "$work/out/report.json"
pid=${PORTSCOPE_PID[drop]}
status=/proc/$pid/status
grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid$" "$status" ||
    fail "still not user nobody: $(grep ^Uid: "$status")"
grep -q "^Gid:[[:space:]]*$gid[[:space:]]*$gid[[:space:]]*$gid[[:space:]]*$gid$" "$status" ||
    fail "still not nobody's group: $(grep ^Gid: "$status")"
grep -q "^CapEff:[[:space:]]*0*$" "$status" || fail "capabilities left: $(grep ^CapEff: "$status")"
grep -q "^CapPrm:[[:space:]]*0*$" "$status" || fail "capabilities left: $(grep ^CapPrm: "$status")"
echo "ok   running as nobody ($uid:$gid) without capabilities"

# It still captures: ping over the namespace's loopback.
timeout 10 ip netns exec "$NS_SRV" ping -c 2 -i 0.2 -q 127.0.0.1 >/dev/null ||
    fail "ping failed"
stop_capture drop INT
[ "$CAPTURE_STATUS" = 0 ] || fail "exit status $CAPTURE_STATUS, expected 0"
[ "$(stat -c %U "$work/out/saved.pcap")" = nobody ] || fail "the -w file is not nobody's"
[ "$(stat -c %U "$work/out/report.json")" = nobody ] || fail "the report is not nobody's"
python3 - "$work/out/report.json" <<'PY' || fail "the report is wrong"
import json
import sys

report = json.load(open(sys.argv[1]))
assert report["inputs"][0]["packets"] == 4, report["inputs"][0]
(flow,) = report["flows"]
assert flow["proto"] == "icmp" and flow["role_reason"] == "echo-request", flow
print("ok   the 4 ping packets were captured and decoded as nobody")
PY
