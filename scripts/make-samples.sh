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
#          any-sll2 lo-nano mixed (default: all of them).
#          OUT=/some/dir overrides the output directory (default: samples/).
#
# It overwrites the files in samples/. Regenerating changes the golden
# outputs of the tests, which must then be regenerated and reviewed.
#
# Needs root (ip netns) and these Debian 12 packages (the script checks for
# the commands but never installs anything):
#   iproute2 tcpdump tshark wireshark-common (dumpcap, capinfos) curl
#   bind9-dnsutils (dig) dnsmasq-base openssh-server openssh-client
#   iputils-ping python3
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

ALL_SAMPLES="http-curl dns-dig ssh-session ipv6 any-sll any-sll2 lo-nano mixed"

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
    log "done; files in $OUT"
}

main "$@"
