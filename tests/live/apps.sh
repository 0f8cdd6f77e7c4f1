#!/bin/bash
# Live: what really runs on a port. In the server's namespace, OpenSSH's sshd listens on 443 (the
# port says https, the bytes say SSH) and Python's http.server on 8081 (registered to
# sunproxyadmin) and 8089 (no service); the client's namespace runs an SSH session and curl.
# Two captures on the server's veth0:
#  - JSON with --expect 'no port-mismatch': the marks are in the report, and the expectation
#    fails with exit status 6;
#  - text with --expect 'app ssh on port 443' and 'app http on port 8081': both hold (status 0),
#    and the text has the Port mismatches list.
# Skipped (77) without root or network namespaces.
. "$(dirname "$0")/lib.sh"

need_namespaces
need ssh ssh-keygen curl ss
[ -x /usr/sbin/sshd ] || skip "/usr/sbin/sshd not found"
make_link

# wait_port NS PORT: until something listens on TCP PORT in NS (5 s).
wait_port() {
    local i
    for i in $(seq 50); do
        ip netns exec "$1" ss -Hlnt "sport = :$2" | grep -q . && return 0
        sleep 0.1
    done
    return 1
}

k=$work/ssh
mkdir -p "$k" "$work/www" && chmod 700 "$k"
echo "hello from portscope" >"$work/www/index.html"
ssh-keygen -q -t ed25519 -N '' -f "$k/host_key" || fail "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$k/user_key" || fail "ssh-keygen failed"
cp "$k/user_key.pub" "$k/authorized_keys"
cat >"$k/sshd_config" <<EOF
ListenAddress $SRV4
Port 443
HostKey $k/host_key
AuthorizedKeysFile $k/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
LogLevel ERROR
EOF
# sshd insists on its privilege separation directory.
[ -d /run/sshd ] || install -d -m 0755 /run/sshd
timeout 30 ip netns exec "$NS_SRV" /usr/sbin/sshd -D -e -f "$k/sshd_config" \
    >"$work/sshd.log" 2>&1 &
for port in 8081 8089; do
    timeout 30 ip netns exec "$NS_SRV" python3 -m http.server "$port" --bind "$SRV4" \
        --directory "$work/www" >"$work/http-$port.log" 2>&1 &
done
for port in 443 8081 8089; do
    wait_port "$NS_SRV" "$port" || fail "nothing listens on $port"
done

start_capture marks "$NS_SRV" -i veth0 --json --expect 'no port-mismatch' tcp
start_capture holds "$NS_SRV" -i veth0 --expect 'app ssh on port 443' \
    --expect 'app http on port 8081' --expect 'no app tls' tcp

timeout 10 ip netns exec "$NS_CLI" ssh -F /dev/null -T -p 443 -i "$k/user_key" \
    -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    "root@$SRV4" echo hello over 443 >"$work/ssh.out" 2>"$work/ssh.err"
grep -q "hello over 443" "$work/ssh.out" || fail "the SSH session on port 443 failed"
for port in 8081 8089; do
    timeout 10 ip netns exec "$NS_CLI" curl -sS "http://$SRV4:$port/" >"$work/curl-$port.out" \
        2>"$work/curl-$port.err" || fail "curl to port $port failed"
    grep -q "hello from portscope" "$work/curl-$port.out" || fail "curl: wrong page from $port"
done
# The last segments (FIN, ACK) on their way to the captures.
sleep 0.5

stop_capture marks INT
[ "$CAPTURE_STATUS" = 6 ] ||
    fail "--expect 'no port-mismatch': exit status $CAPTURE_STATUS, expected 6"
grep -q "expected no port-mismatch, found 3 flows" "$work/marks.err" ||
    fail "--expect 'no port-mismatch': no message naming the 3 flows on stderr"
stop_capture holds INT
[ "$CAPTURE_STATUS" = 0 ] || fail "app ssh on port 443 ...: exit status $CAPTURE_STATUS, expected 0"
grep -q "^Port mismatches (3)" "$work/holds.out" || fail "text: no 'Port mismatches (3)'"
grep -q "port 443 (https), traffic is SSH" "$work/holds.out" || fail "text: no mark for SSH on 443"

python3 - "$work/marks.out" <<'PY' || fail "JSON report check failed"
import json
import sys

report = json.load(open(sys.argv[1]))
by_port = {f["server"]["port"]: f for f in report["flows"] if f["proto"] == "tcp"}
assert set(by_port) == {443, 8081, 8089}, sorted(by_port)
ssh = by_port[443]["app"]
assert ssh["protocol"] == "ssh" and ssh["client"] == "ssh" and ssh["server"] == "ssh", ssh
assert ssh["mismatch"] == "port 443 (https), traffic is SSH", ssh
http = by_port[8081]["app"]
assert http["protocol"] == "http" and http["client"] == "http" and http["server"] == "http", http
assert http["mismatch"] == "port 8081 (sunproxyadmin), traffic is HTTP", http
assert by_port[8089]["app"]["mismatch"] == "HTTP on port 8089 (no service registered)", by_port
failed = [e for e in report["expectations"] if not e["holds"]]
assert [e["expression"] for e in failed] == ["no port-mismatch"], failed
print("ok   live: SSH on 443 and HTTP on 8081 and 8089 marked; --expect 'no port-mismatch' fails")
PY
echo "ok   live: --expect 'app ssh on port 443', 'app http on port 8081', 'no app tls' hold"
