#!/bin/bash
# nat.sh - portscope nat against a real NAT router, checked against the kernel's own table.
#
# Three network namespaces: inside (clients 10.0.0.2 and 10.0.0.3, a server 10.0.0.10), a
# router (10.0.0.1 inside, 198.51.100.1 outside) doing masquerade and a port forward with
# nftables, and outside (a server 198.51.100.2, a client 198.51.100.3). tcpdump captures on both
# router interfaces at once while TCP (natpeers.py, curl), UDP and ICMP echo cross; conntrack -L
# in the router is then the truth each row of portscope's table is held to (natcheck.py). Cases:
# masquerade keeping ports, two inside clients on the same source port at once (the router must
# rewrite one), masquerade random, a DNAT forward (outside :8080 -> inside :80), the outside
# capture's clock shifted by a known offset, and the bad inputs (exit 9).
. "$(dirname "$0")/lib.sh"

NS_IN=ps-nat-$$-i NS_RT=ps-nat-$$-r NS_OUT=ps-nat-$$-o
LIB_CLEANUPS+=('ip netns del "$NS_IN" 2>/dev/null' 'ip netns del "$NS_RT" 2>/dev/null'
    'ip netns del "$NS_OUT" 2>/dev/null')
SERVER=198.51.100.2 PUBLIC=198.51.100.1 REMOTE=198.51.100.3

[ -x "$bin" ] || fail "portscope not found at '$bin' (set PORTSCOPE)"
[ "$(id -u)" = 0 ] || skip "the NAT test needs root (network namespaces, nftables)"
need ip nft conntrack tcpdump editcap ping curl python3 timeout sysctl

setup() {
    local ns
    for ns in "$NS_IN" "$NS_RT" "$NS_OUT"; do
        ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces"
        ip -n "$ns" link set lo up
        # IPv4 only: the router's own IPv6 chatter (solicitations) is not what is tested here.
        ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
        ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
    done
    ip -n "$NS_RT" link add vin type veth peer name eth0 netns "$NS_IN" || skip "no veth pairs"
    ip -n "$NS_RT" link add vout type veth peer name eth0 netns "$NS_OUT" || skip "no veth pairs"
    ip -n "$NS_IN" addr add 10.0.0.2/24 dev eth0
    ip -n "$NS_IN" addr add 10.0.0.3/24 dev eth0
    ip -n "$NS_IN" addr add 10.0.0.10/24 dev eth0
    ip -n "$NS_RT" addr add 10.0.0.1/24 dev vin
    ip -n "$NS_RT" addr add $PUBLIC/24 dev vout
    ip -n "$NS_OUT" addr add $SERVER/24 dev eth0
    ip -n "$NS_OUT" addr add $REMOTE/24 dev eth0
    for ns in "$NS_IN" "$NS_OUT"; do ip -n "$ns" link set eth0 up; done
    ip -n "$NS_RT" link set vin up
    ip -n "$NS_RT" link set vout up
    ip -n "$NS_IN" route add default via 10.0.0.1
    ip netns exec "$NS_RT" sysctl -q -w net.ipv4.ip_forward=1
    # Client ports away from the ones the test chooses, so that the router's choices show.
    ip netns exec "$NS_IN" sysctl -q -w net.ipv4.ip_local_port_range="50000 50999"
}

# ruleset MASQUERADE_FLAGS: masquerade out of vout, and the port forward :8080 -> 10.0.0.10:80.
ruleset() {
    ip netns exec "$NS_RT" nft -f - <<NFT || skip "the kernel refuses the NAT ruleset (no nf_nat?)"
flush ruleset
table ip nat {
    chain pre {
        type nat hook prerouting priority dstnat;
        iifname "vout" tcp dport 8080 dnat to 10.0.0.10:80
    }
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "vout" masquerade $1
    }
}
NFT
}

# Waits (up to 5 s) until FILE contains PATTERN.
wait_for() {
    local i
    for i in $(seq 50); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# capture NAME IFACE: tcpdump on the router's IFACE into $work/NAME.pcap, packet by packet.
declare -A CAPTURE_PID
capture() {
    timeout 60 ip netns exec "$NS_RT" tcpdump -U -n -i "$2" -w "$work/$1.pcap" \
        2>"$work/$1.err" &
    CAPTURE_PID[$1]=$!
    wait_for "$work/$1.err" "listening on" || fail "tcpdump on $2 did not start"
}

# stop_capture NAME: SIGINT to tcpdump itself (the child of timeout, as "ip netns exec" execs
# it), which writes what it still holds and ends; then its timeout ends too.
stop_capture() {
    local pid=${CAPTURE_PID[$1]} child i
    read -r child _ <"/proc/$pid/task/$pid/children" 2>/dev/null
    [ -n "$child" ] && kill -INT "$child"
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    wait "$pid" 2>/dev/null
}

traffic() {
    local peers="$top/tests/live/natpeers.py" i
    run() { timeout 10 ip netns exec "$@" >>"$work/traffic.out" 2>&1 || fail "traffic: $*"; }
    run "$NS_IN" python3 "$peers" tcp $SERVER 80 10.0.0.2:40000
    # Two inside hosts on the same source port at once: the router must rewrite one of them.
    run "$NS_IN" python3 "$peers" tcp $SERVER 80 10.0.0.2:40001 10.0.0.3:40001
    run "$NS_IN" python3 "$peers" udp $SERVER 53 10.0.0.2:40002
    run "$NS_IN" python3 "$peers" udp $SERVER 53 10.0.0.3:40003
    run "$NS_IN" curl -s -o /dev/null --interface 10.0.0.3 "http://$SERVER/"
    run "$NS_IN" ping -c 2 -i 0.2 -I 10.0.0.2 $SERVER
    # The port forward, and a ping to the router itself (outside only).
    run "$NS_OUT" python3 "$peers" tcp $PUBLIC 8080 $REMOTE:45000
    run "$NS_OUT" ping -c 1 -I $REMOTE $PUBLIC
}

# scenario NAME MASQUERADE_FLAGS: fresh conntrack table and captures, the traffic, the truth.
scenario() {
    local name=$1
    ruleset "$2"
    ip netns exec "$NS_RT" conntrack -F 2>/dev/null
    capture "$name-in" vin
    capture "$name-out" vout
    traffic
    # Last, a query whose answer marks the end: once both files hold the answer, tcpdump has
    # written every packet before it (a busy machine delays it; SIGINT would lose what it holds).
    timeout 10 ip netns exec "$NS_IN" python3 "$top/tests/live/natpeers.py" udp $SERVER 53 \
        10.0.0.3:40009 >>"$work/traffic.out" 2>&1 || fail "traffic: the last query"
    local i
    for i in $(seq 100); do
        grep -aq "answer:query .* 40009" "$work/$name-in.pcap" &&
            grep -aq "answer:query .* 40009" "$work/$name-out.pcap" && break
        sleep 0.1
    done
    ip netns exec "$NS_RT" conntrack -L >"$work/$name.conntrack" 2>/dev/null ||
        fail "conntrack -L failed"
    stop_capture "$name-in"
    stop_capture "$name-out"
}

# check NAME POLICY OFFSET [OUTSIDE_FILE]: portscope nat's table against conntrack's.
check() {
    local name=$1 out=${4:-$work/$1-out.pcap}
    "$bin" nat --inside "$work/$name-in.pcap" --outside "$out" --format jsonl \
        >"$work/$name.jsonl" 2>"$work/$name.err" || fail "$name: portscope nat exited $?"
    python3 "$top/tests/live/natcheck.py" "$work/$name.conntrack" "$work/$name.jsonl" \
        --public $PUBLIC --ports "$2" --offset "$3" || fail "$name (offset $3): the table is not conntrack's"
}

setup
timeout 60 ip netns exec "$NS_OUT" python3 "$top/tests/live/peers.py" serve \
    >"$work/out-servers.out" 2>&1 &
timeout 60 ip netns exec "$NS_IN" python3 "$top/tests/live/peers.py" serve \
    >"$work/in-servers.out" 2>&1 &
wait_for "$work/out-servers.out" ready || fail "the outside servers did not start"
wait_for "$work/in-servers.out" ready || fail "the inside server did not start"

# Masquerade keeps client ports, except where two clients share one: it rewrites that one.
scenario keep ""
check keep preserved-unless-taken 0
# The outside capture's clock an hour ahead: the same table, and the offset found.
editcap -t 3600 "$work/keep-out.pcap" "$work/keep-out-late.pcap" || fail "editcap failed"
check keep preserved-unless-taken 3600 "$work/keep-out-late.pcap"
editcap -t -90.5 "$work/keep-out.pcap" "$work/keep-out-early.pcap" || fail "editcap failed"
check keep preserved-unless-taken -90.5 "$work/keep-out-early.pcap"

# masquerade random: every client port rewritten, in no order.
scenario rand random
check rand random 0

# Bad input: the same capture twice; two runs at different times; a capture of another network.
# Each is a message and exit status 9, never a table.
"$bin" nat --inside "$work/keep-in.pcap" --outside "$work/keep-in.pcap" >"$work/same.out" \
    2>"$work/same.err"
[ $? = 9 ] || fail "the same capture twice: exit status not 9"
grep -q "same packets" "$work/same.err" || fail "the same capture twice: no message"
[ -s "$work/same.out" ] && fail "the same capture twice: a table was written"
"$bin" nat --inside "$work/keep-in.pcap" --outside "$work/rand-out.pcap" >"$work/later.out" \
    2>"$work/later.err"
[ $? = 9 ] || fail "captures of two runs: exit status not 9"
grep -q "times do not overlap" "$work/later.err" || fail "captures of two runs: no message"
[ -s "$work/later.out" ] && fail "captures of two runs: a table was written"
"$bin" nat --inside "$work/keep-in.pcap" --outside "$top/samples/dns-dig.pcap" \
    >"$work/other.out" 2>"$work/other.err"
[ $? = 9 ] || fail "unrelated captures: exit status not 9"
grep -q "no flow of the inside capture" "$work/other.err" || fail "unrelated captures: no message"
[ -s "$work/other.out" ] && fail "unrelated captures: a table was written"
echo "PASS"
