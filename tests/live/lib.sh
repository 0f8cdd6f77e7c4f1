# lib.sh - shared by the live capture tests (sourced): the skip rules, a pair of network
# namespaces joined by a veth pair, a small TCP server and UDP responder, the clients, and a
# capture started in the background.
#
# Traffic stays inside namespaces the test creates: a veth pair between NS_SRV (192.0.2.1,
# 2001:db8::1) and NS_CLI (192.0.2.2, 2001:db8::2), or a namespace's own loopback. The names
# carry the shell's PID, so tests can run in parallel (make -j2 check). Everything is removed on
# exit by the EXIT trap.
#
# Environment: PORTSCOPE (default ./portscope, relative to the build directory we run in).

live_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$live_dir/../lib.sh"
export LC_ALL=C

NS_SRV=ps-live-$$-s
NS_CLI=ps-live-$$-c
SRV4=192.0.2.1 CLI4=192.0.2.2
SRV6=2001:db8::1 CLI6=2001:db8::2
chmod 755 "$work" # -Z tests run portscope as nobody, which must reach the directory

fail() {
    echo "FAIL: $*"
    for f in "$work"/*.err; do
        [ -s "$f" ] && { echo "--- $f"; cat "$f"; }
    done
    exit 1
}

# On exit (tests/lib.sh): everything started in the background is stopped with all it started
# (timeout, ip netns exec, then portscope or peers.py), then the namespaces go.
LIB_CLEANUPS+=('ip netns del "$NS_SRV" 2>/dev/null' 'ip netns del "$NS_CLI" 2>/dev/null')

# Skips (exit 77) unless we are root and can make network namespaces.
need_namespaces() {
    [ -x "$bin" ] || fail "portscope not found at '$bin' (set PORTSCOPE)"
    [ "$(id -u)" = 0 ] || skip "live capture tests need root (network namespaces, CAP_NET_RAW)"
    command -v ip >/dev/null 2>&1 || skip "ip (iproute2) not found"
    command -v python3 >/dev/null 2>&1 || skip "python3 not found"
    command -v timeout >/dev/null 2>&1 || skip "timeout (coreutils) not found"
    ip netns add "$NS_SRV" 2>/dev/null || skip "cannot create network namespaces"
    ip netns add "$NS_CLI" 2>/dev/null || skip "cannot create network namespaces"
    ip -n "$NS_SRV" link set lo up || fail "cannot bring up lo in $NS_SRV"
    ip -n "$NS_CLI" link set lo up || fail "cannot bring up lo in $NS_CLI"
}

# The veth pair: "veth0" in each namespace. nodad: the IPv6 addresses work at once.
make_link() {
    ip -n "$NS_SRV" link add veth0 type veth peer name veth0 netns "$NS_CLI" ||
        skip "cannot create a veth pair"
    ip -n "$NS_SRV" addr add "$SRV4/24" dev veth0
    ip -n "$NS_SRV" addr add "$SRV6/64" dev veth0 nodad
    ip -n "$NS_CLI" addr add "$CLI4/24" dev veth0
    ip -n "$NS_CLI" addr add "$CLI6/64" dev veth0 nodad
    ip -n "$NS_SRV" link set veth0 up
    ip -n "$NS_CLI" link set veth0 up
    # Client ports from a range inside both IANA's and Linux's ephemeral ranges, so the labels
    # the test expects do not depend on the port the kernel picks.
    ip netns exec "$NS_CLI" sysctl -q -w net.ipv4.ip_local_port_range="50000 50999" ||
        fail "cannot set the client's port range"
}

# Waits (up to 5 s) until FILE contains PATTERN.
wait_for() {
    local file=$1 pattern=$2 i
    for i in $(seq 50); do
        grep -q "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# start_servers NS: a TCP server on port 80 (v4 and v6) that answers every connection, and a UDP
# responder on port 53 that echoes every datagram.
start_servers() {
    timeout 30 ip netns exec "$1" python3 "$live_dir/peers.py" serve >"$work/servers.out" \
        2>"$work/servers.err" &
    wait_for "$work/servers.out" ready || fail "the servers did not start"
}

# run_clients NS ADDR...: one TCP exchange and one UDP exchange with each address.
run_clients() {
    local ns=$1
    shift
    timeout 10 ip netns exec "$ns" python3 "$live_dir/peers.py" client "$@" \
        >"$work/clients.out" 2>"$work/clients.err" || fail "the clients failed"
}

# start_capture NAME NS ARGS...: runs portscope ARGS in NS in the background (under timeout),
# its output in $work/NAME.out and .err, and waits until it listens.
declare -A TIMEOUT_PID PORTSCOPE_PID
start_capture() {
    local name=$1 ns=$2 pid i
    shift 2
    timeout 30 ip netns exec "$ns" "$bin" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pid=$!
    TIMEOUT_PID[$name]=$pid
    wait_for "$work/$name.err" "listening on" || fail "$name: portscope did not start listening"
    # portscope is the child of timeout ("ip netns exec" execs it). Signals go to it directly,
    # as a terminal's Ctrl-C would: timeout would pass them on twice (to it and to its group).
    for i in $(seq 50); do
        read -r PORTSCOPE_PID[$name] _ <"/proc/$pid/task/$pid/children" 2>/dev/null
        [ -n "${PORTSCOPE_PID[$name]}" ] && return 0
        sleep 0.1
    done
    fail "$name: cannot find portscope's process"
}

# stop_capture NAME [SIGNAL]: signals the capture (without SIGNAL: waits for it to end by
# itself), waits up to 10 s, and sets CAPTURE_STATUS.
stop_capture() {
    local name=$1 sig=${2:-} pid=${TIMEOUT_PID[$1]} i
    [ -n "$sig" ] && kill "-$sig" ${PORTSCOPE_PID[$name]}
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "$name: portscope did not stop"
    wait "$pid"
    CAPTURE_STATUS=$?
}
