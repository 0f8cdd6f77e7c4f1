#!/bin/bash
# The BPF filter (the arguments after the options): on every sample, the packets analysed plus
# those the filter rejected are the packets read without it, and the report still reconciles;
# a filter libpcap refuses is a usage error carrying libpcap's message.
. "$(dirname "$0")/lib.sh"
need python3
fail=0

# libpcap cannot filter USB and NFLOG captures: those two are the usage errors checked below.
captures=()
shopt -s nullglob
for f in "$top"/samples/*.pcap "$top"/samples/*.pcapng "$top"/tests/crash/*.pcap*; do
    case $f in */gen-usb.pcap | */gen-nflog.pcap) continue ;; esac
    captures+=("$f")
done
for expr in 'tcp or icmp6' 'udp port 53' 'not udp'; do
    python3 "$top/tests/check-accounting.py" --filter "$expr" "$bin" "${captures[@]}" >filter.out \
        || { echo "FAIL accounting with filter '$expr':"; grep -A3 '^FAIL' filter.out; fail=1; }
    tail -n 1 filter.out
done
rm -f filter.out

# expect_failure NAME STATUS STDERR-SUBSTRING ARGS...
expect_failure() {
    local name=$1 want=$2 text=$3 got
    shift 3
    err=$(cd "$top" && "$bin" "$@" 2>&1 >/dev/null)
    got=$?
    if [ "$got" != "$want" ] || [[ $err != *"$text"* ]]; then
        echo "FAIL $name: exit status $got (expected $want), stderr: $err"
        fail=1
    else
        echo "ok   $name"
    fi
}
expect_failure syntax 2 "bad filter 'tcp port': can't parse filter expression: syntax error" -r samples/dns-dig.pcap tcp port
expect_failure usb 2 "USB link-layer type filtering not implemented" -r samples/gen-usb.pcap tcp
# The filter is checked before the file is read: nothing is written.
out=$(cd "$top" && "$bin" -r samples/dns-dig.pcap port 99999 2>/dev/null)
if [ -n "$out" ]; then
    echo "FAIL a bad filter still wrote a report"
    fail=1
fi
# Two words or one quoted argument: the same filter (as tcpdump joins them).
a=$(cd "$top" && "$bin" --json -r samples/http-curl.pcap tcp port 80)
b=$(cd "$top" && "$bin" --json -r samples/http-curl.pcap 'tcp port 80')
if [ "$a" != "$b" ]; then
    echo "FAIL words and a quoted expression differ"
    fail=1
fi
exit $fail
