#!/bin/bash
# --ipfix against real collectors on 127.0.0.1. nfcapd (nfdump) receives the flows of every
# sample, sent once with the JSON report (flows kept, sent at the end of the input) and once with
# jsonl (flows sent as they end), each run from its own observation domain; nfdump reads them
# back, and every flow's addresses, ports, protocol, packets and IP bytes each way must be the
# report's (tests/ipfix-compare.py); nfcapd must count no sequence error and no bad packet.
# As root, the export is captured on lo with tcpdump and tshark must decode every message
# (-d udp.port==PORT,cflow) with no malformed field and no expert warning. pmacct's nfacctd
# receives some samples too, and its forward counters must be the reports'. Then the bad
# destinations: a name that does not resolve, a port out of range, a port nothing listens on,
# and a collector that goes away during the run.
. "$(dirname "$0")/lib.sh"
need nfcapd nfdump nfacctd tshark tcpdump python3

# drained PORT: until the socket on UDP PORT has nothing left to read (rx_queue 0), so that a
# collector stopped then has stored every message sent to it.
drained() {
    local hex i
    hex=$(printf ':%04X ' "$1")
    for i in $(seq 200); do
        grep "$hex" /proc/net/udp | awk '{ split($5, q, ":"); if (q[2] != "00000000") exit 1 }' &&
            return 0
        sleep 0.05
    done
    return 1
}

port=$(free_udp_port)
mkdir "$work/nf" "$work/reports"
nfcapd -b 127.0.0.1 -p "$port" -w "$work/nf" -B 4000000 >"$work/nfcapd.log" 2>&1 &
nfcapd_pid=$!
wait_udp_port "$port" || {
    echo "FAIL nfcapd did not start: $(cat "$work/nfcapd.log")"
    exit 1
}
capture=false
if [ "$(id -u)" = 0 ]; then
    tcpdump -i lo --immediate-mode -U -w "$work/export.pcap" "udp dst port $port" \
        2>"$work/tcpdump.log" &
    tcpdump_pid=$!
    for _ in $(seq 200); do
        grep -q listening "$work/tcpdump.log" && break
        sleep 0.05
    done
    capture=true
fi

runs=() domain=0
for f in "$top"/samples/*.pcap "$top"/samples/*.pcapng; do
    name=$(basename "$f")
    for format in json jsonl; do
        domain=$((domain + 1))
        report="$work/reports/$domain-$name.$format"
        "$bin" -r "$f" --format "$format" -o "$report" --ipfix "127.0.0.1:$port" \
            --ipfix-domain "$domain" 2>"$work/err"
        rc=$?
        # 1: a sample cut short on purpose; its report covers what was read.
        if [ $rc -gt 1 ]; then
            bad "$name ($format): exit status $rc: $(cat "$work/err")"
            continue
        fi
        runs+=("$domain:$report")
    done
done
# An active timeout, which ends the long flows of an SSH session part way.
domain=$((domain + 1))
report="$work/reports/$domain-ssh-active.jsonl"
"$bin" -r "$top/samples/ssh-session.pcap" --format jsonl --active-timeout 0.5 -o "$report" \
    --ipfix "127.0.0.1:$port" --ipfix-domain "$domain" && runs+=("$domain:$report")
drained "$port" || bad "nfcapd did not read every message"
if $capture; then
    kill -TERM "$tcpdump_pid"
    wait "$tcpdump_pid"
fi
stop_gently "$nfcapd_pid"
[ -n "${KEEP_IPFIX_PCAP:-}" ] && cp "$work/export.pcap" "$KEEP_IPFIX_PCAP"

# nfcapd's last line: its totals, with the sequence numbers it found out of order.
if grep -q "Sequence Errors: 0, Bad Packets: 0" "$work/nfcapd.log"; then
    ok "nfcapd: no sequence error, no bad packet"
else
    bad "nfcapd: $(grep 'Sequence Errors' "$work/nfcapd.log")"
fi
TZ=UTC nfdump -R "$work/nf" -o csv >"$work/nfdump.csv" 2>"$work/err" ||
    bad "nfdump: $(cat "$work/err")"
out=$(python3 "$top/tests/ipfix-compare.py" "$work/nfdump.csv" "$work/nfcapd.log" "${runs[@]}")
rc=$?
echo "$out" | grep -v '^ok' || true
n_ok=$(echo "$out" | grep -c '^ok')
if [ $rc -eq 0 ]; then
    ok "nfdump reads back the flows of all ${#runs[@]} runs (json and jsonl) as the reports say"
else
    bad "nfdump: $((${#runs[@]} - n_ok)) of ${#runs[@]} runs differ"
fi

# Every flow of every report, once in JSON and once in jsonl: what tshark must find.
flows=$(python3 - "${runs[@]}" <<'PY'
import json, sys
n = 0
for arg in sys.argv[1:]:
    path = arg.split(":", 1)[1]
    with open(path, encoding="utf-8") as fh:
        if path.endswith(".jsonl"):
            n += sum(1 for line in fh if '"type":"flow"' in line.replace(" ", ""))
        else:
            n += len(json.load(fh)["flows"])
print(n)
PY
)
if $capture; then
    decode="tshark -n -r $work/export.pcap -d udp.port==$port,cflow"
    problems=$($decode -Y '_ws.malformed || _ws.expert.severity >= "warning"' 2>/dev/null |
        grep -c .)
    messages=$($decode -Y cflow 2>/dev/null | grep -c .)
    records=$($decode -T fields -e cflow.protocol 2>/dev/null | tr ',' '\n' | grep -c .)
    reasons=$($decode -T fields -e cflow.flow_end_reason 2>/dev/null | tr ',' '\n' | grep . |
        sort -u | tr '\n' ' ')
    if [ "$problems" = 0 ] && [ "$messages" -gt 0 ] && [ "$records" = "$flows" ]; then
        ok "tshark decodes $messages messages, $records records, nothing malformed"
    else
        bad "tshark: $problems problems, $messages messages, $records records of $flows flows"
    fi
    # The samples end flows by idle timeout (gen-idle), by FIN or RST, by the input's end, and
    # by the active timeout of the run that sets one.
    if [ "$reasons" = "1 2 3 4 " ]; then
        ok "flowEndReason idle (1), active (2), end of flow detected (3), forced end (4) all sent"
    else
        bad "flowEndReason values sent: $reasons"
    fi
fi

# nfacctd (pmacct): the same export, its forward direction aggregated by 5-tuple and written
# every second (appended), until it has every packet or 10 s have passed.
port=$(free_udp_port)
cat >"$work/nfacctd.conf" <<EOF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $port
plugins: print
print_output: csv
print_output_file: $work/nfacctd.csv
print_output_file_append: true
print_refresh_time: 1
aggregate: src_host, dst_host, src_port, dst_port, proto
EOF
nfacctd -f "$work/nfacctd.conf" >"$work/nfacctd.log" 2>&1 &
nfacctd_pid=$!
# Ready once its print plugin has made its cache.
for _ in $(seq 200); do
    grep -q "cache entries" "$work/nfacctd.log" && break
    sleep 0.05
done
reports=()
for name in http-curl dns-dig ipv6 ssh-session; do
    "$bin" -r "$top/samples/$name.pcap" --json -o "$work/$name.json" --ipfix "127.0.0.1:$port" \
        2>/dev/null
    reports+=("$work/$name.json")
done
for _ in $(seq 100); do
    python3 "$top/tests/ipfix-nfacctd.py" "$work/nfacctd.csv" "${reports[@]}" \
        >"$work/nfacctd.diff" && break
    sleep 0.1
done
stop_gently "$nfacctd_pid"
if python3 "$top/tests/ipfix-nfacctd.py" "$work/nfacctd.csv" "${reports[@]}" >"$work/nfacctd.diff"
then
    ok "nfacctd: every TCP and UDP flow's forward packets as the reports say"
else
    bad "nfacctd: $(cat "$work/nfacctd.diff") $(tail -2 "$work/nfacctd.log")"
fi

# Bad destinations: a clear message and exit status 8 (2 for a malformed one).
expect_error() { # STATUS TEXT ARGS...
    local want=$1 text=$2
    shift 2
    "$bin" -r "$top/samples/dns-dig.pcap" --show summary "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ $rc = "$want" ] && grep -q -- "$text" "$work/err"; then
        ok "$* -> $rc: $(head -1 "$work/err")"
    else
        bad "$* -> $rc (want $want, '$text'): $(cat "$work/err")"
    fi
}
expect_error 8 "cannot resolve 'no-such-collector.invalid'" --ipfix no-such-collector.invalid:4739
expect_error 2 "the port must be a number from 1 to 65535" --ipfix 127.0.0.1:65536
expect_error 2 "brackets" --ipfix ::1:4739
refused=$(free_udp_port)
expect_error 8 "connection refused" --ipfix "127.0.0.1:$refused"
expect_error 8 "connection refused" --ipfix "[::1]:$refused"
# Said before anything is written: no report file.
"$bin" -r "$top/samples/dns-dig.pcap" --format jsonl -o "$work/never.jsonl" \
    --ipfix "127.0.0.1:$refused" 2>/dev/null
rc=$?
if [ $rc = 8 ] && [ ! -e "$work/never.jsonl" ]; then
    ok "refused before the first packet: exit 8, no report file"
else
    bad "refused before the first packet: exit $rc, report file $(ls "$work/never.jsonl" 2>&1)"
fi

# A collector that goes away after the templates: the report is still written, exit status 8.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
s.recv(65535)
' "$refused" >"$work/listener.out" &
listener=$!
wait_udp_port "$refused"
# The capture arrives once the listener, having taken the templates, has gone.
(
    wait_gone() { while procs_alive "$listener"; do sleep 0.05; done; }
    wait_gone
    cat "$top/samples/http-curl.pcap"
) | "$bin" -r - --json -o "$work/late.json" --ipfix "127.0.0.1:$refused" 2>"$work/err"
rc=$?
if [ $rc = 8 ] && grep -q "connection refused" "$work/err" && python3 -c '
import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["flows"] else 1)' "$work/late.json"; then
    ok "collector gone during the run: report written, exit 8: $(cat "$work/err")"
else
    bad "collector gone during the run: exit $rc: $(cat "$work/err")"
fi

tally
