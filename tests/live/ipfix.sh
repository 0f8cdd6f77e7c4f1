#!/bin/bash
# --ipfix in a live capture: flows go to the collector as they end, not when the capture stops.
# A capture on the server's veth0 (--format jsonl, idle timeout 1 s) sends to a UDP listener on
# the server namespace's loopback, which notes each IPFIX message's data records as they come.
# A first round of client traffic, then, 3 s later, a second one, whose packets move the capture's
# clock past the first round's timeouts: the first round's records must have arrived before the
# capture is stopped, and in the end the listener must have one record per flow the jsonl lists.
# Skipped (77) without root or network namespaces.
. "$(dirname "$0")/lib.sh"

need_namespaces
make_link
start_servers "$NS_SRV"
timeout 60 ip netns exec "$NS_SRV" python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 4739))
print("ready", flush=True)
lengths = {}
while True:
    m = s.recv(65535)
    at, records = 16, 0
    while at < len(m):
        sid, slen = struct.unpack_from("!HH", m, at)
        if sid == 2:  # templates: each record length is the sum of its fields
            t = at + 4
            while t < at + slen:
                tid, n = struct.unpack_from("!HH", m, t)
                t, total = t + 4, 0
                for _ in range(n):
                    ie, flen = struct.unpack_from("!HH", m, t)
                    t += 8 if ie & 0x8000 else 4
                    total += flen
                lengths[tid] = total
        elif sid >= 256:
            records += (slen - 4) // lengths[sid]
        at += slen
    print(records, flush=True)
' >"$work/collector.out" 2>"$work/collector.err" &
wait_for "$work/collector.out" ready || fail "the collector did not start"
start_capture srv "$NS_SRV" -i veth0 --format jsonl --idle-timeout 1 \
    --ipfix 127.0.0.1:4739 'tcp or udp'

received() { awk 'NR > 1 { n += $1 } END { print n + 0 }' "$work/collector.out"; }
run_clients "$NS_CLI" "$SRV4" "$SRV6"
sleep 3
run_clients "$NS_CLI" "$SRV4" "$SRV6"
for _ in $(seq 30); do
    [ "$(received)" -ge 4 ] && break
    sleep 0.1
done
early=$(received)
[ "$early" -ge 4 ] ||
    fail "the first round's 4 flows were not sent while the capture ran ($early records)"
echo "ok   $early records arrived while the capture ran"

stop_capture srv INT
[ "$CAPTURE_STATUS" = 0 ] || fail "exit status $CAPTURE_STATUS, expected 0"
flows=$(grep -c '"type":"flow"' "$work/srv.out")
for _ in $(seq 30); do
    [ "$(received)" = "$flows" ] && break
    sleep 0.1
done
[ "$flows" -ge 8 ] && [ "$(received)" = "$flows" ] ||
    fail "the collector has $(received) records, the jsonl $flows flows"
echo "ok   $flows flows in the jsonl, $flows records at the collector"
