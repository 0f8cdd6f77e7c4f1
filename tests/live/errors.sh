#!/bin/bash
# The errors a user meets when starting a live capture: each one line on standard error and its
# exit status (7: the device could not be opened; 2: usage, including a bad filter). Also -D.
# Skipped (77) without root or network namespaces.
. "$(dirname "$0")/lib.sh"

# expect NAME STATUS STDERR-PATTERN NS ARGS...
expect() {
    local name=$1 want=$2 pattern=$3 ns=$4 got
    shift 4
    timeout 10 ip netns exec "$ns" "$@" >"$work/$name.out" 2>"$work/$name.err"
    got=$?
    [ "$got" = "$want" ] || fail "$name: exit status $got, expected $want"
    [ "$(wc -l <"$work/$name.err")" -ge 1 ] || fail "$name: no message"
    grep -q -- "$pattern" "$work/$name.err" ||
        fail "$name: message '$(head -n 1 "$work/$name.err")' does not match '$pattern'"
    [ -s "$work/$name.out" ] && fail "$name: wrote a report"
    echo "ok   $name: $(head -n 1 "$work/$name.err")"
}

need_namespaces
# veth0 exists in the server namespace but stays down.
ip -n "$NS_SRV" link add veth0 type veth peer name veth0 netns "$NS_CLI" ||
    skip "cannot create a veth pair"

expect no-such-interface 7 "^portscope: cannot capture on 'nosuch0': no such interface$" \
    "$NS_SRV" "$bin" -i nosuch0
expect interface-down 7 "^portscope: cannot capture on 'veth0': interface is down$" \
    "$NS_SRV" "$bin" -i veth0
if command -v setpriv >/dev/null 2>&1; then
    expect not-permitted 7 "^portscope: cannot capture on 'lo': not permitted: .*CAP_NET_RAW" \
        "$NS_SRV" setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" -i lo
else
    echo "skipped not-permitted: setpriv (util-linux) not found"
fi
expect bad-filter 2 "^portscope: bad filter 'tcp port': " "$NS_SRV" "$bin" -i lo tcp port
expect unknown-user 2 "^portscope: -Z: no such user 'no-such-user-$$'$" \
    "$NS_SRV" "$bin" -i lo -Z "no-such-user-$$"
expect count-without-i 2 "^portscope: -c applies to live captures only" \
    "$NS_SRV" "$bin" -r /dev/null -c 5
expect i-and-r 2 "^portscope: -i and -r cannot be combined" \
    "$NS_SRV" "$bin" -i lo -r /dev/null

timeout 10 ip netns exec "$NS_SRV" "$bin" -D >"$work/list.out" 2>"$work/list.err" ||
    fail "-D failed"
grep -q "^[0-9]*\.lo .*\[up, running, loopback\]$" "$work/list.out" || fail "-D: no up lo"
grep -q "^[0-9]*\.veth0 \[down\]$" "$work/list.out" || fail "-D: no down veth0"
grep -q "^[0-9]*\.any " "$work/list.out" || fail "-D: no 'any'"
echo "ok   -D lists lo, veth0 and any"
