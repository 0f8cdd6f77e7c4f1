#!/bin/bash
# make-samples.sh - regenerate the bundled sample captures in samples/
#
# Every capture holds REAL traffic produced by real tools (curl, python3
# http.server, dig, dnsmasq, ssh/sshd, ping), exchanged only between network
# namespaces that this script creates (veth pairs, TEST-NET-1 192.0.2.0/24 and
# 2001:db8::/32 addresses) or over the loopback of such a namespace. Nothing
# is sent to the host network or anywhere else.
#
# Usage:   sudo scripts/make-samples.sh [NAME...]
#          NAME is one of: http-curl dns-dig ssh-session ipv6 any-sll
#          any-sll2 lo-nano mixed, or, for the decoding samples (tunnels,
#          fragments, ICMP errors): vlan qinq gre vxlan geneve ipip sit
#          ip6tnl frag frag6 icmp-errors, or, for the TCP lifecycle
#          samples: tcp-refused tcp-reset tcp-port-reuse tcp-midstream
#          tcp-half-open tcp-established udp-symmetric, or, for how a
#          client picks its ports: tcp-port-wrap (default: all).
#          A tunnel type the kernel cannot create (missing module: 8021q,
#          ip_gre, geneve, ipip, sit) is skipped with a message, not an
#          error; scripts/gen-edge-captures.py makes synthetic ones.
#          OUT=/some/dir overrides the output directory (default: samples/).
#
# It overwrites the files in samples/. Regenerating changes the golden
# outputs of the tests, which must then be regenerated and reviewed.
#
# Needs root (ip netns) and these Debian 12 packages (the script checks for
# the commands but never installs anything):
#   iproute2 tcpdump tshark wireshark-common (dumpcap, capinfos) curl
#   bind9-dnsutils (dig) dnsmasq-base openssh-server openssh-client
#   iputils-ping python3; optionally nftables (nft) for the
#   admin-prohibited rejects in icmp-errors.pcap (tcp-half-open needs it).
#
# Throwaway SSH host and user keys are generated into a temporary directory
# and deleted on exit; they never end up in samples/.

set -euo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$SCRIPT_DIR/../samples}
PYTHON=${PYTHON:-python3}

NS_SRV=pscope-srv    # server namespace, veth "vs", 192.0.2.1 / 2001:db8::1
NS_CLI=pscope-cli    # client namespace, veth "vc", 192.0.2.2 / 2001:db8::2
SRV4=192.0.2.1 CLI4=192.0.2.2
SRV6=2001:db8::1 CLI6=2001:db8::2
# Fixed, locally administered MAC addresses so the Ethernet headers are the
# same on every run.
SRV_MAC=02:00:5e:00:02:01 CLI_MAC=02:00:5e:00:02:02
NS_RTR=pscope-rtr    # router namespace, only used by icmp-errors

ALL_SAMPLES="http-curl dns-dig ssh-session ipv6 any-sll any-sll2 lo-nano mixed"
ALL_SAMPLES="$ALL_SAMPLES vlan qinq gre vxlan geneve ipip sit ip6tnl frag frag6"
ALL_SAMPLES="$ALL_SAMPLES icmp-errors"
ALL_SAMPLES="$ALL_SAMPLES tcp-refused tcp-reset tcp-port-reuse tcp-midstream"
ALL_SAMPLES="$ALL_SAMPLES tcp-half-open tcp-established udp-symmetric"
ALL_SAMPLES="$ALL_SAMPLES tcp-port-wrap"
SKIPPED=

TMP=
PIDS=()

log() { printf '[make-samples] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup

stop_pids() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}

ns_teardown() {
    stop_pids
    ip netns del "$NS_SRV" 2>/dev/null || true
    ip netns del "$NS_CLI" 2>/dev/null || true
    ip netns del "$NS_RTR" 2>/dev/null || true
}

cleanup() {
    ns_teardown
    [ -n "$TMP" ] && rm -rf "$TMP"
}

# ---------------------------------------------------------------- checks

check_env() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces): sudo $0"
    local c missing=
    for c in ip ss tcpdump tshark dumpcap capinfos curl dig dnsmasq \
             ssh ssh-keygen ping "$PYTHON"; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -x /usr/sbin/sshd ] || missing="$missing /usr/sbin/sshd"
    [ -z "$missing" ] || die "missing commands:$missing (apt-get install" \
        "iproute2 tcpdump tshark curl bind9-dnsutils dnsmasq-base" \
        "openssh-server openssh-client iputils-ping python3)"
}

# ---------------------------------------------------------------- helpers

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# bg NAME NS CMD...: start CMD in namespace NS in the background, log to
# $TMP/NAME.log, remember its pid for cleanup. ip netns exec execs CMD, so
# the pid is CMD's own pid.
bg() {
    local name=$1 ns=$2; shift 2
    ip netns exec "$ns" "$@" >"$TMP/$name.log" 2>&1 &
    PIDS+=("$!")
    LAST_PID=$!
}

# wait_listen NS tcp|udp PORT: wait until something listens on PORT in NS.
wait_listen() {
    local ns=$1 proto=$2 port=$3
    local flag=-Hlnt; [ "$proto" = udp ] && flag=-Hlnu
    for _ in $(seq 50); do
        if nsx "$ns" ss $flag "sport = :$port" | grep -q .; then return 0; fi
        sleep 0.1
    done
    die "nothing listening on $proto/$port in $ns"
}

# ns_setup v4|v6|lo: create the namespaces.
#   v4: two namespaces joined by a veth pair, IPv4 only (IPv6 disabled, so
#       no router/neighbour solicitations or MLD reports appear).
#   v6: same, IPv6 only (no IPv4 addresses), DAD and router solicitations
#       disabled; we let the initial MLD reports pass before capturing.
#   lo: only the server namespace with its isolated loopback (IPv4).
ns_setup() {
    local mode=$1 ns
    ns_teardown
    ip netns add "$NS_SRV"
    [ "$mode" = lo ] || ip netns add "$NS_CLI"
    for ns in "$NS_SRV" "$NS_CLI"; do
        [ "$mode" = lo ] && [ "$ns" = "$NS_CLI" ] && continue
        if [ "$mode" = v6 ]; then
            nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
                net.ipv6.conf.default.accept_dad=0 \
                net.ipv6.conf.all.router_solicitations=0 \
                net.ipv6.conf.default.router_solicitations=0 \
                net.ipv6.conf.all.accept_ra=0 \
                net.ipv6.conf.default.accept_ra=0
        else
            nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
                net.ipv6.conf.default.disable_ipv6=1
        fi
        nsx "$ns" ip link set lo up
    done
    [ "$mode" = lo ] && return 0

    ip link add vs netns "$NS_SRV" address "$SRV_MAC" type veth \
        peer name vc netns "$NS_CLI" address "$CLI_MAC"
    if [ "$mode" = v6 ]; then
        nsx "$NS_SRV" ip -6 addr add "$SRV6/64" dev vs nodad
        nsx "$NS_CLI" ip -6 addr add "$CLI6/64" dev vc nodad
    else
        nsx "$NS_SRV" ip addr add "$SRV4/24" dev vs
        nsx "$NS_CLI" ip addr add "$CLI4/24" dev vc
    fi
    nsx "$NS_SRV" ip link set vs up
    nsx "$NS_CLI" ip link set vc up
    # Let link-up chatter (IPv6 MLD reports) finish before any capture.
    sleep 2.5
}

# Small static web site served by python3 -m http.server.
make_www() {
    mkdir -p "$TMP/www"
    cat >"$TMP/www/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>portscope sample</title></head>
<body><p>Hello from the portscope sample web server.</p></body></html>
EOF
    printf 'hello, portscope\n' >"$TMP/www/hello.txt"
}

# start_http NS ADDR PORT
start_http() {
    bg "http-$3" "$1" "$PYTHON" -m http.server --bind "$2" \
        --directory "$TMP/www" "$3"
    wait_listen "$1" tcp "$3"
}

# start_dns NS ADDR: dnsmasq as a purely local authoritative-style resolver
# (no upstream, no /etc/hosts, no resolv.conf); names outside the local
# records get NXDOMAIN because of --local.
start_dns() {
    bg dnsmasq "$1" dnsmasq --keep-in-foreground --conf-file=/dev/null \
        --no-resolv --no-hosts --no-poll --bind-interfaces \
        --listen-address="$2" --port=53 --pid-file= \
        --local=/example.test/ \
        --host-record=www.example.test,192.0.2.80,2001:db8::80 \
        --host-record=mail.example.test,192.0.2.25 \
        --txt-record=example.test,"portscope sample zone"
    wait_listen "$1" udp 53
}

# cap_start NS FILE TOOL-ARGS...: start tcpdump (or dumpcap when the first
# argument is "dumpcap") in NS writing $TMP/FILE, wait until it listens.
cap_start() {
    local ns=$1 file=$2; shift 2
    CAP_FILE=$file
    if [ "${1:-}" = dumpcap ]; then
        shift
        bg capture "$ns" dumpcap -q "$@" -w "$TMP/$file"
    else
        bg capture "$ns" tcpdump -n -U -Z root "$@" -w "$TMP/$file"
    fi
    CAP_PID=$LAST_PID
    for _ in $(seq 50); do
        grep -qE 'listening on|Capturing on' "$TMP/capture.log" && break
        sleep 0.1
    done
    grep -qE 'listening on|Capturing on' "$TMP/capture.log" ||
        { cat "$TMP/capture.log" >&2; die "capture did not start"; }
    sleep 0.3
}

# cap_stop: give the last packets (FIN/ACK) time to arrive, then stop the
# capture cleanly so that it flushes, and move the file into $OUT.
cap_stop() {
    sleep 1
    kill -INT "$CAP_PID"
    wait "$CAP_PID" 2>/dev/null || true
    ns_teardown
    install -m 0644 "$TMP/$CAP_FILE" "$OUT/$CAP_FILE"
    if [ -n "${SUDO_UID:-}" ]; then
        chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$OUT/$CAP_FILE" || true
    fi
}

# expect FILE TCP UDP: check the number of TCP and UDP conversations, so a
# run whose shape differs from the documented one fails loudly.
count_conv() {
    tshark -n -r "$1" -q -z "conv,$2" 2>/dev/null | grep -c '<->' || true
}
expect() {
    local f=$OUT/$1 t u n
    t=$(count_conv "$f" tcp)
    u=$(count_conv "$f" udp)
    n=$(capinfos -c -M "$f" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
    log "$1: $n packets, $t TCP / $u UDP conversations"
    if [ "$t" -ne "$2" ] || [ "$u" -ne "$3" ]; then
        die "$1: expected $2 TCP / $3 UDP conversations, got $t / $u; run again"
    fi
}

# ---------------------------------------------------------------- captures

# 1. Three HTTP/1.0 fetches (three TCP connections, port 80) from curl in the
#    client namespace to python3 http.server in the server namespace; tcpdump
#    on the client veth (Ethernet). Includes the ARP exchange.
make_http_curl() {
    ns_setup v4
    start_http "$NS_SRV" "$SRV4" 80
    cap_start "$NS_CLI" http-curl.pcap -i vc
    nsx "$NS_CLI" curl -sS -o /dev/null "http://$SRV4/"
    nsx "$NS_CLI" curl -sS -o /dev/null "http://$SRV4/hello.txt"
    nsx "$NS_CLI" curl -sS -o /dev/null "http://$SRV4/missing.txt"  # 404
    cap_stop
    expect http-curl.pcap 3 0
}

# 2. Five dig lookups over UDP (five client ports) to dnsmasq on port 53:
#    A, AAAA, A (second name), PTR, and a nonexistent name (NXDOMAIN).
make_dns_dig() {
    ns_setup v4
    start_dns "$NS_SRV" "$SRV4"
    cap_start "$NS_CLI" dns-dig.pcap -i vc
    local d=(dig "@$SRV4" +tries=1 +time=2)
    nsx "$NS_CLI" "${d[@]}" www.example.test A >/dev/null
    nsx "$NS_CLI" "${d[@]}" www.example.test AAAA >/dev/null
    nsx "$NS_CLI" "${d[@]}" mail.example.test A >/dev/null
    nsx "$NS_CLI" "${d[@]}" -x 192.0.2.80 >/dev/null
    nsx "$NS_CLI" "${d[@]}" nope.example.test A >/dev/null   # NXDOMAIN
    cap_stop
    expect dns-dig.pcap 0 5
}

# 3. One SSH session (OpenSSH client -> sshd, port 22, key auth as root with
#    throwaway keys) running three commands a second apart.
make_ssh_session() {
    ns_setup v4
    local k=$TMP/ssh
    mkdir -p "$k" && chmod 700 "$k"
    ssh-keygen -q -t ed25519 -N '' -C portscope-sample-host -f "$k/host_key"
    ssh-keygen -q -t ed25519 -N '' -C portscope-sample-user -f "$k/user_key"
    cp "$k/user_key.pub" "$k/authorized_keys"
    cat >"$k/sshd_config" <<EOF
ListenAddress $SRV4
Port 22
HostKey $k/host_key
AuthorizedKeysFile $k/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
PidFile none
LogLevel ERROR
EOF
    # sshd insists on its privilege separation directory.
    [ -d /run/sshd ] || install -d -m 0755 /run/sshd
    bg sshd "$NS_SRV" /usr/sbin/sshd -D -e -f "$k/sshd_config"
    wait_listen "$NS_SRV" tcp 22
    cap_start "$NS_CLI" ssh-session.pcap -i vc
    { echo 'uname -s'; sleep 1; echo 'echo hello from portscope'; sleep 1;
      echo 'id -un'; sleep 1; echo exit; } |
        nsx "$NS_CLI" ssh -F /dev/null -T -i "$k/user_key" \
            -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes \
            -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
            -o UpdateHostKeys=no -o LogLevel=ERROR \
            "root@$SRV4" >"$TMP/ssh-out.log"
    grep -q 'hello from portscope' "$TMP/ssh-out.log" || die "ssh session failed"
    cap_stop
    expect ssh-session.pcap 1 0
}

# 4. IPv6 only: ping -6 (2 echo requests), one HTTP fetch over TCP/80 and
#    one DNS AAAA query over UDP/53, 2001:db8::2 -> 2001:db8::1. Neighbour
#    discovery for the peer is part of the capture.
make_ipv6() {
    ns_setup v6
    start_http "$NS_SRV" "$SRV6" 80
    start_dns "$NS_SRV" "$SRV6"
    cap_start "$NS_CLI" ipv6.pcap -i vc
    nsx "$NS_CLI" ping -6 -n -q -c 2 -i 0.2 "$SRV6" >/dev/null
    nsx "$NS_CLI" curl -sS -g -o /dev/null "http://[$SRV6]/hello.txt"
    nsx "$NS_CLI" dig -6 "@$SRV6" +tries=1 +time=2 www.example.test AAAA >/dev/null
    cap_stop
    expect ipv6.pcap 1 1
}

# 5./6. tcpdump -i any inside the client namespace (lo + vc): one curl fetch
#    (TCP/80) and one dig query (UDP/53). LINKTYPE is LINUX_SLL or LINUX_SLL2.
make_any() {
    local file=$1 dlt=$2
    ns_setup v4
    start_http "$NS_SRV" "$SRV4" 80
    start_dns "$NS_SRV" "$SRV4"
    cap_start "$NS_CLI" "$file" -i any -y "$dlt"
    nsx "$NS_CLI" curl -sS -o /dev/null "http://$SRV4/hello.txt"
    nsx "$NS_CLI" dig "@$SRV4" +tries=1 +time=2 www.example.test A >/dev/null
    cap_stop
    expect "$file" 1 1
}
make_any_sll()  { make_any any-sll.pcap LINUX_SLL; }
make_any_sll2() { make_any any-sll2.pcap LINUX_SLL2; }

# 7. Loopback of a fresh namespace, nanosecond timestamps: two curl fetches
#    to http.server on 127.0.0.1:8000 and two dig queries to dnsmasq on
#    127.0.0.1:53.
make_lo_nano() {
    ns_setup lo
    start_http "$NS_SRV" 127.0.0.1 8000
    start_dns "$NS_SRV" 127.0.0.1
    cap_start "$NS_SRV" lo-nano.pcap -i lo --time-stamp-precision=nano
    nsx "$NS_SRV" curl -sS -o /dev/null http://127.0.0.1:8000/
    nsx "$NS_SRV" curl -sS -o /dev/null http://127.0.0.1:8000/hello.txt
    nsx "$NS_SRV" dig @127.0.0.1 +tries=1 +time=2 www.example.test A >/dev/null
    nsx "$NS_SRV" dig @127.0.0.1 +tries=1 +time=2 example.test TXT >/dev/null
    cap_stop
    expect lo-nano.pcap 2 2
}

# 8. pcapng written by dumpcap on the client veth: an HTTP fetch to the
#    non-standard port 8080, a UDP echo exchange on port 5555 (two datagrams
#    each way from one socket), and a refused TCP connection to port 9
#    (SYN answered by RST).
make_mixed() {
    ns_setup v4
    start_http "$NS_SRV" "$SRV4" 8080
    cat >"$TMP/udp_echo.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
EOF
    cat >"$TMP/udp_client.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for msg in (b"hello portscope\n", b"bye\n"):
    s.sendto(msg, (sys.argv[1], int(sys.argv[2])))
    assert s.recv(2048) == msg
EOF
    bg udp-echo "$NS_SRV" "$PYTHON" "$TMP/udp_echo.py" "$SRV4" 5555
    wait_listen "$NS_SRV" udp 5555
    cap_start "$NS_CLI" mixed.pcapng dumpcap -i vc
    nsx "$NS_CLI" curl -sS -o /dev/null "http://$SRV4:8080/hello.txt"
    nsx "$NS_CLI" "$PYTHON" "$TMP/udp_client.py" "$SRV4" 5555
    if nsx "$NS_CLI" curl -sS -o /dev/null "http://$SRV4:9/" 2>/dev/null; then
        die "port 9 unexpectedly open"
    fi
    cap_stop
    expect mixed.pcapng 2 1
}

# ---------------------------------------------------------------- decoding
#
# Captures for the decoding features (tunnels, fragments, ICMP errors). They
# are taken on the underlay veth, so the encapsulation is visible. Tunnel
# types that this kernel cannot create (no module) are skipped with a
# message instead of failing the run; scripts/gen-edge-captures.py covers
# them with synthetic packets.

# Inner (overlay) addresses, carried inside the tunnels.
IN_SRV4=198.51.100.1 IN_CLI4=198.51.100.2
IN_SRV6=2001:db8:100::1 IN_CLI6=2001:db8:100::2
IN_SRV_MAC=02:00:5e:00:64:01 IN_CLI_MAC=02:00:5e:00:64:02

# Small python3 helper for the UDP/TCP probes below.
#   pstool.py echo ADDR PORT               UDP echo server
#   pstool.py udp ADDR PORT SIZE reply     send SIZE bytes, wait for the echo
#   pstool.py udp ADDR PORT SIZE none [TTL]  send SIZE bytes (IP TTL / IPv6
#                                          hop limit TTL), expect no answer
#   pstool.py tcp-reject ADDR PORT         connect(), expect an ICMP error
make_pstool() {
    [ -f "$TMP/pstool.py" ] && return 0
    cat >"$TMP/pstool.py" <<'PYEOF'
import errno, socket, sys, time
cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if cmd == "echo":
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
elif cmd == "udp":
    size, mode = int(sys.argv[4]), sys.argv[5]
    payload = (b"portscope sample payload %d\n" % size * (size // 20 + 1))[:size]
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3)
    if len(sys.argv) > 6:
        ttl = int(sys.argv[6])
        if fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
    s.sendto(payload, (addr, port))
    if mode == "reply":
        assert s.recv(65535) == payload, "bad echo"
    else:
        time.sleep(0.3)          # let the ICMP error arrive
elif cmd == "tcp-reject":
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((addr, port))
    except OSError as e:
        if e.errno in (errno.EHOSTUNREACH, errno.EACCES, errno.ENETUNREACH):
            sys.exit(0)
        raise
    sys.exit("connection to %s port %d was not rejected" % (addr, port))
PYEOF
}

# inner_servers NS 4|6|46: http.server on port 80 and the UDP echo server on
# port 5555, on the inner server address(es).
inner_servers() {
    local ns=$1 fams=$2
    make_pstool
    if [[ $fams == *4* ]]; then
        bg inner-http4 "$ns" "$PYTHON" -m http.server --bind "$IN_SRV4" \
            --directory "$TMP/www" 80
        bg inner-echo4 "$ns" "$PYTHON" "$TMP/pstool.py" echo "$IN_SRV4" 5555
    fi
    if [[ $fams == *6* ]]; then
        bg inner-http6 "$ns" "$PYTHON" -m http.server --bind "$IN_SRV6" \
            --directory "$TMP/www" 80
        bg inner-echo6 "$ns" "$PYTHON" "$TMP/pstool.py" echo "$IN_SRV6" 5555
    fi
    wait_listen "$ns" tcp 80
    wait_listen "$ns" udp 5555
    sleep 0.3   # the second server of a pair may still be starting
}

# inner_traffic NS 4|6|46: per address family, one curl fetch (TCP/80) and
# one 16-byte UDP echo exchange (UDP/5555) between the inner addresses.
inner_traffic() {
    local ns=$1 fams=$2
    if [[ $fams == *4* ]]; then
        nsx "$ns" curl -sS -o /dev/null "http://$IN_SRV4/hello.txt"
        nsx "$ns" "$PYTHON" "$TMP/pstool.py" udp "$IN_SRV4" 5555 16 reply
    fi
    if [[ $fams == *6* ]]; then
        nsx "$ns" curl -sS -g -o /dev/null "http://[$IN_SRV6]/hello.txt"
        nsx "$ns" "$PYTHON" "$TMP/pstool.py" udp "$IN_SRV6" 5555 16 reply
    fi
}

# tun_add NS DEV LOCAL REMOTE MAC KIND: create the tunnel device "pt0" of
# type KIND in NS (DEV is the underlay veth). Fails if the kernel lacks
# support for KIND.
tun_add() {
    local ns=$1 dev=$2 l=$3 r=$4 mac=$5 kind=$6
    case $kind in
    vlan)   nsx "$ns" ip link add link "$dev" name pt0 address "$mac" \
                type vlan id 10 ;;
    qinq)   nsx "$ns" ip link add link "$dev" name pt1 \
                type vlan protocol 802.1ad id 100 &&
            nsx "$ns" ip link set pt1 up &&
            nsx "$ns" ip link add link pt1 name pt0 address "$mac" \
                type vlan protocol 802.1Q id 10 ;;
    gre)    nsx "$ns" ip link add pt0 type gre local "$l" remote "$r" \
                key 42 iseq oseq ttl 64 ;;
    vxlan)  nsx "$ns" ip link add pt0 address "$mac" type vxlan id 42 \
                local "$l" remote "$r" dstport 4789 dev "$dev" ;;
    geneve) nsx "$ns" ip link add pt0 address "$mac" type geneve id 7 \
                remote "$r" dstport 6081 ;;
    ipip)   nsx "$ns" ip link add pt0 type ipip local "$l" remote "$r" ttl 64 ;;
    sit)    nsx "$ns" ip link add pt0 type sit local "$l" remote "$r" ttl 64 ;;
    *)      return 1 ;;
    esac
}

# make_tunnel FILE KIND 4|6|46 TCP UDP: IPv4 underlay between the two
# namespaces (192.0.2.1 <-> 192.0.2.2), a KIND tunnel on top with the inner
# addresses, inner_traffic through it, tcpdump on the client veth "vc".
# TCP/UDP are the conversation counts tshark reports (outer + inner).
make_tunnel() {
    local file=$1 kind=$2 fams=$3 tcp=$4 udp=$5 ns dev l r mac err
    ns_setup v4
    for ns in "$NS_SRV" "$NS_CLI"; do
        if [ "$ns" = "$NS_SRV" ]; then
            dev=vs l=$SRV4 r=$CLI4 mac=$IN_SRV_MAC
        else
            dev=vc l=$CLI4 r=$SRV4 mac=$IN_CLI_MAC
        fi
        if ! err=$(tun_add "$ns" "$dev" "$l" "$r" "$mac" "$kind" 2>&1); then
            log "SKIPPING $file: this kernel cannot create a '$kind' link" \
                "(ip link add: ${err:-failed}); gen-edge-captures.py covers it"
            ns_teardown
            SKIPPED="$SKIPPED $file"
            return 0
        fi
        if [[ $fams == *6* ]]; then
            nsx "$ns" sysctl -qw net.ipv6.conf.pt0.disable_ipv6=0 \
                net.ipv6.conf.pt0.accept_dad=0
        fi
        nsx "$ns" ip link set pt0 up
    done
    if [[ $fams == *4* ]]; then
        nsx "$NS_SRV" ip addr add "$IN_SRV4/24" dev pt0
        nsx "$NS_CLI" ip addr add "$IN_CLI4/24" dev pt0
    fi
    if [[ $fams == *6* ]]; then
        nsx "$NS_SRV" ip -6 addr add "$IN_SRV6/64" dev pt0 nodad
        nsx "$NS_CLI" ip -6 addr add "$IN_CLI6/64" dev pt0 nodad
        sleep 2.5   # link-up chatter on the tunnel (MLD) before capturing
    fi
    inner_servers "$NS_SRV" "$fams"
    cap_start "$NS_CLI" "$file" -i vc
    inner_traffic "$NS_CLI" "$fams"
    cap_stop
    expect "$file" "$tcp" "$udp"
}

# 9./10. 802.1Q VLAN 10 sub-interfaces, and QinQ (802.1ad S-tag 100 with an
#    802.1Q C-tag 10 inside), inner IPv4. Needs the 8021q module.
make_vlan() { make_tunnel vlan.pcap vlan 4 1 1; }
make_qinq() { make_tunnel qinq.pcap qinq 4 1 1; }
# 11. GRE with key 42 and sequence numbers, inner IPv4. Needs ip_gre.
make_gre()  { make_tunnel gre.pcap gre 4 1 1; }
# 12. VXLAN VNI 42 on UDP/4789, inner Ethernet + IPv4 (including the inner
#     ARP exchange). The outer UDP source port is a hash of the inner flow,
#     so tshark sees one outer UDP conversation per inner flow and
#     direction, plus the inner TCP and UDP conversations.
make_vxlan() { make_tunnel vxlan.pcap vxlan 4 1 7; }
# 13. Geneve VNI 7 on UDP/6081, inner Ethernet + IPv4. Needs geneve.
make_geneve() { make_tunnel geneve.pcap geneve 4 1 7; }
# 14./15. IPv4-in-IPv4 (ipip) and IPv6-in-IPv4 (sit, 6in4). Need ipip / sit.
make_ipip() { make_tunnel ipip.pcap ipip 4 1 1; }
make_sit()  { make_tunnel sit.pcap sit 6 1 1; }

# 16. IPv4-in-IPv6 and IPv6-in-IPv6 (RFC 2473 encapsulation, next header 4
#     and 41), IPv6 underlay 2001:db8::2 <-> 2001:db8::1. Made with the
#     kernel's SRv6 "H.Encaps.Red" route encapsulation (encap seg6 mode
#     encap.red with a single segment, which adds no routing header) and
#     seg6local End.DX4 / End.DT6 decapsulation, because this works with
#     CONFIG_IPV6_SEG6_LWTUNNEL alone, without the ip6_tunnel module. On
#     the wire it is plain IPv6 + inner IP, like an ip6tnl device with
#     "encaplimit none". The outer destination is the peer's SID
#     (2001:db8:ff::x), the inner addresses are on lo.
make_ip6tnl() {
    local file=ip6tnl.pcap
    ns_setup v6
    if ! nsx "$NS_SRV" ip -6 route add 2001:db8:ff::41/128 dev vs \
            encap seg6local action End.DX4 nh4 "$IN_SRV4" 2>"$TMP/seg6.err"; then
        log "SKIPPING $file: no SRv6 encapsulation in this kernel" \
            "($(cat "$TMP/seg6.err")); gen-edge-captures.py covers it"
        ns_teardown
        SKIPPED="$SKIPPED $file"
        return 0
    fi
    nsx "$NS_CLI" ip -6 route add 2001:db8:ff::42/128 dev vc \
        encap seg6local action End.DX4 nh4 "$IN_CLI4"
    # End.DT6 looks the inner destination up in table 255 (local).
    nsx "$NS_SRV" ip -6 route add 2001:db8:ff::61/128 dev vs \
        encap seg6local action End.DT6 table 255
    nsx "$NS_CLI" ip -6 route add 2001:db8:ff::62/128 dev vc \
        encap seg6local action End.DT6 table 255
    nsx "$NS_SRV" ip -6 route add 2001:db8:ff::42/128 via "$CLI6" dev vs
    nsx "$NS_SRV" ip -6 route add 2001:db8:ff::62/128 via "$CLI6" dev vs
    nsx "$NS_CLI" ip -6 route add 2001:db8:ff::41/128 via "$SRV6" dev vc
    nsx "$NS_CLI" ip -6 route add 2001:db8:ff::61/128 via "$SRV6" dev vc
    nsx "$NS_SRV" ip addr add "$IN_SRV4/32" dev lo
    nsx "$NS_CLI" ip addr add "$IN_CLI4/32" dev lo
    nsx "$NS_SRV" ip -6 addr add "$IN_SRV6/128" dev lo
    nsx "$NS_CLI" ip -6 addr add "$IN_CLI6/128" dev lo
    nsx "$NS_SRV" ip route add "$IN_CLI4/32" dev vs src "$IN_SRV4" \
        encap seg6 mode encap.red segs 2001:db8:ff::42
    nsx "$NS_CLI" ip route add "$IN_SRV4/32" dev vc src "$IN_CLI4" \
        encap seg6 mode encap.red segs 2001:db8:ff::41
    nsx "$NS_SRV" ip -6 route add "$IN_CLI6/128" dev vs src "$IN_SRV6" \
        encap seg6 mode encap.red segs 2001:db8:ff::62
    nsx "$NS_CLI" ip -6 route add "$IN_SRV6/128" dev vc src "$IN_CLI6" \
        encap seg6 mode encap.red segs 2001:db8:ff::61
    inner_servers "$NS_SRV" 46
    cap_start "$NS_CLI" "$file" -i vc
    inner_traffic "$NS_CLI" 46
    cap_stop
    expect "$file" 2 2
}

# 17. IPv4 fragments: a 4000-byte UDP datagram to the echo server on
#     192.0.2.1:5555 and its 4000-byte echo (3 fragments each way, MTU
#     1500), and one ping -s 3000 (3 fragments each way).
make_frag() {
    ns_setup v4
    make_pstool
    bg frag-echo "$NS_SRV" "$PYTHON" "$TMP/pstool.py" echo "$SRV4" 5555
    wait_listen "$NS_SRV" udp 5555
    cap_start "$NS_CLI" frag.pcap -i vc
    nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" udp "$SRV4" 5555 4000 reply
    nsx "$NS_CLI" ping -n -q -c 1 -s 3000 "$SRV4" >/dev/null
    cap_stop
    expect frag.pcap 0 1
}

# 18. IPv6 fragments (fragment extension header): the same over IPv6,
#     2001:db8::2 -> [2001:db8::1]:5555, and one ping -6 -s 3000.
make_frag6() {
    ns_setup v6
    make_pstool
    bg frag-echo "$NS_SRV" "$PYTHON" "$TMP/pstool.py" echo "$SRV6" 5555
    wait_listen "$NS_SRV" udp 5555
    cap_start "$NS_CLI" frag6.pcap -i vc
    nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" udp "$SRV6" 5555 4000 reply
    nsx "$NS_CLI" ping -6 -n -q -c 1 -s 3000 "$SRV6" >/dev/null
    cap_stop
    expect frag6.pcap 0 1
}

# 19. ICMP errors, dual stack, three namespaces:
#       pscope-cli (vc)  192.0.2.2     2001:db8::2
#       pscope-rtr (vr)  192.0.2.1     2001:db8::1      forwarding on
#       pscope-rtr (vr2) 198.51.100.1  2001:db8:100::1
#       pscope-srv (vs)  198.51.100.2  2001:db8:100::2
#     tcpdump on the client veth. Traffic, client -> server, in order:
#     ping -c 2 and ping -6 -c 2; a UDP datagram to closed port 33434 (v4
#     and v6: port unreachable from the server); a TCP SYN to port 8081,
#     rejected by an nft rule in the server with ICMP admin-prohibited
#     (type 3 code 13) / ICMPv6 administratively prohibited (type 1 code 1),
#     if nft is installed; a UDP datagram to port 33435 with TTL / hop
#     limit 1 (time exceeded from the router).
make_icmp_errors() {
    local file=icmp-errors.pcap ns tcp=2
    local C4=192.0.2.2 R4=192.0.2.1 R4B=198.51.100.1 S4=198.51.100.2
    local C6=2001:db8::2 R6=2001:db8::1 R6B=2001:db8:100::1 S6=2001:db8:100::2
    ns_teardown
    for ns in "$NS_CLI" "$NS_RTR" "$NS_SRV"; do
        ip netns add "$ns"
        nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
            net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.router_solicitations=0 \
            net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
            net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
        nsx "$ns" ip link set lo up
    done
    nsx "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1 \
        net.ipv6.conf.all.forwarding=1
    ip link add vc netns "$NS_CLI" address "$CLI_MAC" type veth \
        peer name vr netns "$NS_RTR" address 02:00:5e:00:02:fe
    ip link add vs netns "$NS_SRV" address 02:00:5e:00:64:02 type veth \
        peer name vr2 netns "$NS_RTR" address 02:00:5e:00:64:fe
    nsx "$NS_CLI" ip addr add "$C4/24" dev vc
    nsx "$NS_CLI" ip -6 addr add "$C6/64" dev vc nodad
    nsx "$NS_RTR" ip addr add "$R4/24" dev vr
    nsx "$NS_RTR" ip -6 addr add "$R6/64" dev vr nodad
    nsx "$NS_RTR" ip addr add "$R4B/24" dev vr2
    nsx "$NS_RTR" ip -6 addr add "$R6B/64" dev vr2 nodad
    nsx "$NS_SRV" ip addr add "$S4/24" dev vs
    nsx "$NS_SRV" ip -6 addr add "$S6/64" dev vs nodad
    nsx "$NS_CLI" ip link set vc up
    nsx "$NS_RTR" ip link set vr up
    nsx "$NS_RTR" ip link set vr2 up
    nsx "$NS_SRV" ip link set vs up
    nsx "$NS_CLI" ip route add default via "$R4"
    nsx "$NS_CLI" ip -6 route add default via "$R6"
    nsx "$NS_SRV" ip route add default via "$R4B"
    nsx "$NS_SRV" ip -6 route add default via "$R6B"
    if command -v nft >/dev/null 2>&1; then
        nsx "$NS_SRV" nft -f - <<'NFT'
table inet pscope {
    chain input {
        type filter hook input priority 0; policy accept;
        meta nfproto ipv4 tcp dport 8081 reject with icmp type admin-prohibited
        meta nfproto ipv6 tcp dport 8081 reject with icmpv6 type admin-prohibited
    }
}
NFT
    else
        log "nft not installed (apt-get install nftables): no admin-prohibited" \
            "rejects in $file"
        tcp=0
    fi
    make_pstool
    sleep 2.5   # link-up chatter (MLD) before capturing
    cap_start "$NS_CLI" "$file" -i vc
    nsx "$NS_CLI" ping -n -q -c 2 -i 0.2 "$S4" >/dev/null
    nsx "$NS_CLI" ping -6 -n -q -c 2 -i 0.2 "$S6" >/dev/null
    nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" udp "$S4" 33434 16 none
    nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" udp "$S6" 33434 16 none
    if [ "$tcp" -ne 0 ]; then
        nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" tcp-reject "$S4" 8081
        nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" tcp-reject "$S6" 8081
    fi
    nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" udp "$S4" 33435 16 none 1
    nsx "$NS_CLI" "$PYTHON" "$TMP/pstool.py" udp "$S6" 33435 16 none 1
    cap_stop
    expect "$file" "$tcp" 4
}

# ---------------------------------------------------------------- lifecycle
#
# Captures for the TCP connection lifecycle features (Zeek-style conn_state
# and history, flow-start reasons, port reuse): refused, reset, reused,
# mid-stream, half-open and still-open connections, and a UDP flow with
# equal ports on both sides. All are IPv4 between the two namespaces,
# 192.0.2.2 (client) <-> 192.0.2.1 (server), tcpdump on the client veth.
# The expected Zeek conn_state / history of every connection is in
# samples/README.md. scripts/gen-edge-captures.py has deterministic
# synthetic twins (gen-tcp-*.pcap, gen-idle.pcap).

# Small python3 helper for the lifecycle captures.
#   lctool.py server ADDR PORT [hold]
#       threaded TCP server. Per received line: "abort" -> reply "ok",
#       then close with SO_LINGER {1,0} (RST); "close" -> reply "ok", then
#       close (the server's FIN comes first); anything else is echoed.
#       On EOF it closes, or with "hold" keeps the socket open forever.
#   lctool.py client ADDR PORT [--bind PORT] STEP...
#       send:TEXT   send TEXT + newline, wait for the one-line reply
#       sleep:SEC   sleep          touch:FILE / waitfile:FILE  sync
#       close       close()        rst   SO_LINGER {1,0} + close() (RST)
#       shutwr      shutdown(SHUT_WR) (FIN, socket stays open)
#       eof         read until EOF          reset   read until ECONNRESET
#       hold        sleep forever (killed after the capture has stopped)
#   lctool.py refused ADDR PORT         connect(), expect ECONNREFUSED
#   lctool.py noanswer ADDR PORT SEC    connect() with a timeout, expect it
#   lctool.py ntp-server ADDR / ntp-client ADDR N
#       UDP 123 <-> 123: N NTPv4 client-mode packets, each answered by a
#       server-mode packet (both sockets bound to port 123)
make_lctool() {
    [ -f "$TMP/lctool.py" ] && return 0
    cat >"$TMP/lctool.py" <<'PYEOF'
import errno, os, socket, struct, sys, threading, time

def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

def serve_conn(c, hold):
    f = c.makefile("rb")
    try:
        for line in f:
            cmd = line.strip()
            if cmd == b"abort":
                c.sendall(b"ok\n")
                time.sleep(0.2)        # let the reply be ACKed first
                linger0(c)
                c.close()
                return
            if cmd == b"close":
                c.sendall(b"ok\n")
                c.close()
                return
            c.sendall(line)
    except ConnectionResetError:
        c.close()
        return
    if hold:
        while True:
            time.sleep(3600)
    c.close()

def server(addr, port, hold):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_conn, args=(c, hold),
                         daemon=True).start()

def client(addr, port, args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if args and args[0] == "--bind":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", int(args[1])))
        args = args[2:]
    s.settimeout(10)
    s.connect((addr, port))
    f = s.makefile("rb")
    for step in args:
        op, _, arg = step.partition(":")
        if op == "send":
            s.sendall(arg.encode() + b"\n")
            assert f.readline(), "no reply"
        elif op == "sleep":
            time.sleep(float(arg))
        elif op == "touch":
            open(arg, "w").close()
        elif op == "waitfile":
            while not os.path.exists(arg):
                time.sleep(0.05)
        elif op == "close":
            f.close()
            s.close()
        elif op == "rst":
            linger0(s)
            f.close()
            s.close()
        elif op == "shutwr":
            s.shutdown(socket.SHUT_WR)
        elif op == "eof":
            assert f.read() == b"", "unexpected data"
        elif op == "reset":
            try:
                f.read()
            except ConnectionResetError:
                continue
            sys.exit("connection was not reset")
        elif op == "hold":
            while True:
                time.sleep(3600)
        else:
            sys.exit("bad step " + step)

cmd = sys.argv[1]
if cmd == "server":
    server(sys.argv[2], int(sys.argv[3]), sys.argv[4:] == ["hold"])
elif cmd == "client":
    client(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
elif cmd == "refused":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((sys.argv[2], int(sys.argv[3])))
    except ConnectionRefusedError:
        sys.exit(0)
    sys.exit("connection was not refused")
elif cmd == "noanswer":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(float(sys.argv[4]))
    try:
        s.connect((sys.argv[2], int(sys.argv[3])))
    except socket.timeout:
        sys.exit(0)
    sys.exit("connection was answered")
elif cmd in ("ntp-server", "ntp-client"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2] if cmd == "ntp-server" else "", 123))
    if cmd == "ntp-server":
        while True:
            data, peer = s.recvfrom(2048)
            # LI 0, VN 4, mode 4 (server), stratum 2, poll, precision -20,
            # root delay/dispersion, refid 192.0.2.1, origin = client's
            # transmit timestamp, receive/transmit = now
            now = time.time() + 2208988800
            ts = struct.pack("!II", int(now), int((now % 1) * 2**32))
            s.sendto(struct.pack("!BBbbII", 0x24, 2, data[2], -20, 0, 0)
                     + socket.inet_aton("192.0.2.1") + ts + data[40:48]
                     + ts + ts, peer)
    else:
        s.settimeout(3)
        for _ in range(int(sys.argv[3])):
            now = time.time() + 2208988800
            ts = struct.pack("!II", int(now), int((now % 1) * 2**32))
            # LI 0, VN 4, mode 3 (client), poll 6, transmit timestamp only
            s.sendto(struct.pack("!BBbb", 0x23, 0, 6, 0) + b"\0" * 36 + ts,
                     (sys.argv[2], 123))
            assert len(s.recv(2048)) == 48, "bad NTP answer"
            time.sleep(0.5)
PYEOF
}

lc() { nsx "$1" "$PYTHON" "$TMP/lctool.py" "${@:2}"; }

# 20. Refused: two connect()s to closed port 7009 of the server, each from
#     its own ephemeral port; each SYN is answered by RST+ACK (Zeek REJ).
make_tcp_refused() {
    ns_setup v4
    make_lctool
    cap_start "$NS_CLI" tcp-refused.pcap -i vc
    lc "$NS_CLI" refused "$SRV4" 7009
    sleep 0.5
    lc "$NS_CLI" refused "$SRV4" 7009
    cap_stop
    expect tcp-refused.pcap 2 0
}

# 21. Aborted: two connections to the lctool server on port 7000. In the
#     first, the client exchanges one line and closes with SO_LINGER {1,0}
#     (client RST, Zeek RSTO); in the second, it sends "abort" and the
#     server closes with SO_LINGER {1,0} (server RST, Zeek RSTR).
make_tcp_reset() {
    ns_setup v4
    make_lctool
    bg lc-server "$NS_SRV" "$PYTHON" "$TMP/lctool.py" server "$SRV4" 7000
    wait_listen "$NS_SRV" tcp 7000
    cap_start "$NS_CLI" tcp-reset.pcap -i vc
    lc "$NS_CLI" client "$SRV4" 7000 send:hello sleep:0.3 rst
    sleep 0.5
    lc "$NS_CLI" client "$SRV4" 7000 send:hello send:abort reset
    cap_stop
    expect tcp-reset.pcap 2 0
}

# 22. Port reuse: three connections from the FIXED client port 40000
#     (SO_REUSEADDR + bind) to 192.0.2.1:7000, one second apart. Each sends
#     one line and then "close": the server replies and closes first, the
#     client closes after reading EOF, so TIME_WAIT is on the server side
#     (Linux accepts a new SYN for a TIME_WAIT 4-tuple when its ISN is
#     above the old one, which its time-based ISNs ensure). tcp_tw_reuse is
#     set in the client namespace too, in case.
make_tcp_port_reuse() {
    ns_setup v4
    make_lctool
    nsx "$NS_CLI" sysctl -qw net.ipv4.tcp_tw_reuse=1
    bg lc-server "$NS_SRV" "$PYTHON" "$TMP/lctool.py" server "$SRV4" 7000
    wait_listen "$NS_SRV" tcp 7000
    cap_start "$NS_CLI" tcp-port-reuse.pcap -i vc
    local i
    for i in 1 2 3; do
        lc "$NS_CLI" client "$SRV4" 7000 --bind 40000 "send:hello $i" \
            send:close eof close
        [ "$i" = 3 ] || sleep 1
    done
    cap_stop
    expect tcp-port-reuse.pcap 3 0
}

# 23. Mid-stream: the client connects to the echo server on port 7000 and
#     exchanges two lines BEFORE the capture starts; then tcpdump starts,
#     two more lines are exchanged and the client closes (FIN both ways).
#     No SYN in the file.
make_tcp_midstream() {
    ns_setup v4
    make_lctool
    bg lc-server "$NS_SRV" "$PYTHON" "$TMP/lctool.py" server "$SRV4" 7000
    wait_listen "$NS_SRV" tcp 7000
    rm -f "$TMP/mid.ready" "$TMP/mid.go"
    bg lc-client "$NS_CLI" "$PYTHON" "$TMP/lctool.py" client "$SRV4" 7000 \
        "send:before 1" "send:before 2" sleep:0.5 "touch:$TMP/mid.ready" \
        "waitfile:$TMP/mid.go" "send:after 1" sleep:0.2 "send:after 2" \
        sleep:0.2 close
    local client=$LAST_PID
    for _ in $(seq 100); do [ -f "$TMP/mid.ready" ] && break; sleep 0.05; done
    [ -f "$TMP/mid.ready" ] || die "midstream client did not connect"
    cap_start "$NS_CLI" tcp-midstream.pcap -i vc
    touch "$TMP/mid.go"
    wait "$client" || die "midstream client failed"
    cap_stop
    expect tcp-midstream.pcap 1 0
}

# 24. Half-open: an nft rule in the server namespace drops every SYN to
#     port 7100 (no RST, no ICMP). The client's connect() times out after
#     2.5 s: the SYN at t=0 and its retransmissions (same ISN), all in one
#     flow (Zeek S0). Linux >= 6.x (net.ipv4.tcp_syn_linear_timeouts=4)
#     retransmits at +1 s and +2 s, so 3 SYNs; older kernels back off
#     exponentially (+1 s, +3 s), so 2 SYNs. Needs nft.
make_tcp_half_open() {
    command -v nft >/dev/null 2>&1 ||
        die "tcp-half-open needs nft (apt-get install nftables)"
    ns_setup v4
    make_lctool
    nsx "$NS_SRV" nft -f - <<'NFT'
table inet pscope {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 7100 drop
    }
}
NFT
    cap_start "$NS_CLI" tcp-half-open.pcap -i vc
    lc "$NS_CLI" noanswer "$SRV4" 7100 2.5
    cap_stop
    expect tcp-half-open.pcap 1 0
}

# 25. Still open when the capture ends: the server (port 7000, "hold":
#     it never closes) gets two connections. The first exchanges a line
#     and stays open (Zeek S1). The second exchanges a line and the client
#     sends shutdown(SHUT_WR): its FIN is ACKed, the server never answers
#     with its own FIN (Zeek S2). Both client processes sleep until the
#     capture has stopped; only then are they killed.
make_tcp_established() {
    ns_setup v4
    make_lctool
    bg lc-server "$NS_SRV" "$PYTHON" "$TMP/lctool.py" server "$SRV4" 7000 hold
    wait_listen "$NS_SRV" tcp 7000
    rm -f "$TMP/est.1" "$TMP/est.2"
    cap_start "$NS_CLI" tcp-established.pcap -i vc
    bg lc-client1 "$NS_CLI" "$PYTHON" "$TMP/lctool.py" client "$SRV4" 7000 \
        "send:still open" "touch:$TMP/est.1" hold
    for _ in $(seq 100); do [ -f "$TMP/est.1" ] && break; sleep 0.05; done
    sleep 0.3
    bg lc-client2 "$NS_CLI" "$PYTHON" "$TMP/lctool.py" client "$SRV4" 7000 \
        "send:half closed" sleep:0.2 shutwr "touch:$TMP/est.2" hold
    for _ in $(seq 100); do [ -f "$TMP/est.2" ] && break; sleep 0.05; done
    [ -f "$TMP/est.1" ] && [ -f "$TMP/est.2" ] || die "established clients failed"
    cap_stop
    expect tcp-established.pcap 2 0
}

# 26. Symmetric UDP ports: NTP-style exchange with both sockets bound to
#     port 123 (192.0.2.2:123 <-> 192.0.2.1:123), 3 requests (mode 3) each
#     answered (mode 4), half a second apart.
make_udp_symmetric() {
    ns_setup v4
    make_lctool
    bg ntp-server "$NS_SRV" "$PYTHON" "$TMP/lctool.py" ntp-server "$SRV4"
    wait_listen "$NS_SRV" udp 123
    cap_start "$NS_CLI" udp-symmetric.pcap -i vc
    lc "$NS_CLI" ntp-client "$SRV4" 3
    cap_stop
    expect udp-symmetric.pcap 0 1
}

# 27. Ports counting up and wrapping: the client namespace's
#     net.ipv4.ip_local_port_range is a hundred ports, 40000-40099, and it
#     makes 25 connections to the lctool server on 192.0.2.1:7000, one after
#     another. Linux (5.18 and later) adds 2 and a small random even
#     increment to the destination's offset at each connect(), so the ports
#     go up by 2 to 16 and wrap to the bottom of the range two or three
#     times. The server replies and closes first, so no port waits in
#     TIME_WAIT on the client and a port can come back.
make_tcp_port_wrap() {
    ns_setup v4
    make_lctool
    nsx "$NS_CLI" sysctl -qw net.ipv4.ip_local_port_range="40000 40099"
    bg lc-server "$NS_SRV" "$PYTHON" "$TMP/lctool.py" server "$SRV4" 7000
    wait_listen "$NS_SRV" tcp 7000
    cap_start "$NS_CLI" tcp-port-wrap.pcap -i vc
    local i
    for i in $(seq 25); do
        lc "$NS_CLI" client "$SRV4" 7000 "send:hello $i" send:close eof close
    done
    cap_stop
    expect tcp-port-wrap.pcap 25 0
}

# ---------------------------------------------------------------- main

main() {
    check_env
    local todo=${*:-$ALL_SAMPLES} s
    for s in $todo; do
        case " $ALL_SAMPLES " in *" $s "*) ;; *) die "unknown sample: $s";; esac
    done
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
    TMP=$(mktemp -d /tmp/portscope-samples.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM HUP
    make_www
    for s in $todo; do
        log "making $s"
        "make_${s//-/_}"
    done
    [ -z "$SKIPPED" ] || log "skipped (kernel support missing):$SKIPPED"
    log "done; files in $OUT"
}

main "$@"
