#!/bin/bash
# bench/make-real.sh FILE [PACKETS] - a real capture for the benchmark: kernel TCP and UDP between
# two network namespaces (bench/real-traffic.py: short and longer HTTP-like connections on four
# ports, DNS- and NTP-like queries), captured by tcpdump until PACKETS (default 1000000) packets.
# Needs root (network namespaces). Makes nothing outside the namespaces, which it removes.
set -eu
out=${1:?usage: bench/make-real.sh FILE [PACKETS]}
packets=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
ns_c=psbench-c-$$ ns_s=psbench-s-$$
pids=()

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$ns_c" 2>/dev/null || true
    ip netns del "$ns_s" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ip netns add "$ns_c"
ip netns add "$ns_s"
ip link add psb-c$$ netns "$ns_c" type veth peer name psb-s$$ netns "$ns_s"
ip -n "$ns_c" addr add 10.77.0.2/24 dev psb-c$$
ip -n "$ns_s" addr add 10.77.0.1/24 dev psb-s$$
ip -n "$ns_c" link set psb-c$$ up
ip -n "$ns_s" link set psb-s$$ up
ip -n "$ns_c" link set lo up
ip -n "$ns_s" link set lo up
# Connections come and go fast: let the client reuse ports held in TIME_WAIT, as a busy host does.
ip netns exec "$ns_c" sysctl -q net.ipv4.tcp_tw_reuse=1

ip netns exec "$ns_s" python3 "$here/real-traffic.py" serve >"$out.serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q ready "$out.serve.log" 2>/dev/null && break; sleep 0.1; done
ip netns exec "$ns_s" tcpdump -i psb-s$$ -s 262144 -c "$packets" -w "$out.tmp" 2>"$out.tcpdump.log" &
tcpdump_pid=$!
pids+=("$tcpdump_pid")
sleep 1
# Two clients, one per core, until tcpdump has its packets.
while kill -0 "$tcpdump_pid" 2>/dev/null; do
    ip netns exec "$ns_c" python3 "$here/real-traffic.py" client 10.77.0.1 10 &
    c1=$!
    ip netns exec "$ns_c" python3 "$here/real-traffic.py" client 10.77.0.1 10 &
    c2=$!
    wait "$c1" "$c2" || true
done
wait "$tcpdump_pid" || true
rm -f "$out.serve.log"
mv "$out.tmp" "$out"
cat "$out.tcpdump.log" >&2
rm -f "$out.tcpdump.log"
