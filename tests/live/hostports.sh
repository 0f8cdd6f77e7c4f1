#!/bin/bash
# How a host picks its client ports, live (issue 16): a client whose ip_local_port_range is a
# hundred ports (40000-40099) opens 25 connections to one server one after another, so the capture
# shows the kernel counting up and wrapping to the start of the range; then, with
# net.ipv4.ip_default_ttl=128 and the range 50000-50099, the initial TTL and the OS hint change
# with it. Both sysctls belong to the client's own namespace.
#
# Why not ten ports: since Linux 5.18 each connect() to a destination adds 2 and a small random
# even increment (up to 14 here) to that destination's offset, taken modulo the range: in ten ports
# the order looks random (and so portscope calls it), in a hundred it counts up and wraps.
# Skipped (77) without root or network namespaces.
. "$(dirname "$0")/lib.sh"

need_namespaces
make_link
start_servers "$NS_SRV"

# run_phase NAME TTL LO HI: the client's TTL and range, 25 connections, a capture of them.
run_phase() {
    local name=$1 ttl=$2 lo=$3 hi=$4
    ip netns exec "$NS_CLI" sysctl -q -w net.ipv4.ip_default_ttl="$ttl" ||
        fail "cannot set the client's TTL"
    ip netns exec "$NS_CLI" sysctl -q -w net.ipv4.ip_local_port_range="$lo $hi" ||
        fail "cannot set the client's port range"
    # -s 256: small ring frames, so that the burst fits in the buffer (see sigint.sh).
    start_capture "$name" "$NS_SRV" -i veth0 -s 256 --json tcp
    timeout 20 ip netns exec "$NS_CLI" python3 "$live_dir/peers.py" connect 25 "$SRV4" \
        >"$work/$name.ports" 2>"$work/$name.ports.err" || fail "$name: the connections failed"
    stop_capture "$name" INT
    [ "$CAPTURE_STATUS" = 0 ] || fail "$name: exit status $CAPTURE_STATUS, expected 0"
}

run_phase narrow 64 40000 40099
run_phase ttl128 128 50000 50099

python3 - "$work" <<'PY' || fail "the report's client hosts are not what the kernel did"
import json
import sys

work = sys.argv[1]


def host(name):
    report = json.load(open(f"{work}/{name}.out"))
    ports = [int(line) for line in open(f"{work}/{name}.ports")]
    # Every packet, or the flows would not be the connections made.
    stats = report["inputs"][0]["capture_stats"]
    assert stats["dropped"] == 0, stats
    clients = [c for c in report["clients"] if c["ip"] == "192.0.2.2"]
    assert len(clients) == 1, report["clients"]
    return clients[0], ports


c, ports = host("narrow")
assert len(ports) == 25 and all(40000 <= p <= 40099 for p in ports), ports
# The kernel's own order of use is what the report lists, first ten and last ten.
assert c["pattern_connections"] == 25 and c["pattern_proto"] == "tcp", c
assert c["ports_first"] == ports[:10] and c["ports_last"] == ports[-10:], (c, ports)
assert c["port_pattern"] == "sequential", (c, ports)
# Wrapped: each port lower than the one before went from the top of the range to its bottom.
drops = [(a, b) for a, b in zip(ports, ports[1:]) if b < a]
assert drops and c["wraps"] == len(drops), (c, ports)
w = c["first_wrap"]
assert (w["from"], w["to"]) == drops[0] and w["from_seen"] < w["to_seen"], (w, drops)
assert w["from"] >= 40099 - 32 and w["to"] <= 40000 + 32, w
again = sum(1 for p in set(ports) if ports.count(p) > 1)
assert c["ports_reused_same_server"] == again and c["ports_reused_other_server"] == 0, c
assert (c["likely_range"]["lo"], c["likely_range"]["hi"]) == (32768, 60999), c
assert c["initial_ttl"] == 64 and c["initial_ttl_flows"]["64"] == 25, c
assert c["os_hint"] == "linux", c
print(f"ok   a hundred ports, 25 connections: sequential, {len(drops)} wraps, the first "
      f"{w['from']} -> {w['to']}; ttl 64, hint linux")

c, ports = host("ttl128")
assert all(50000 <= p <= 50099 for p in ports), ports
assert c["port_pattern"] == "sequential" and c["wraps"] >= 1, (c, ports)
assert c["initial_ttl"] == 128 and c["initial_ttl_flows"]["128"] == 25, c
assert (c["likely_range"]["lo"], c["likely_range"]["hi"]) == (49152, 65535), c
assert c["os_hint"] == "windows", c
print("ok   ip_default_ttl=128: initial ttl 128, hint windows")
PY
