#!/bin/bash
# doc/at-scale.md's recipes, run as written (each "# recipe: NAME" block) on a class made of the
# samples, each taken for a student's submission, and one more capture made here with a DNS
# query over TCP; what each recipe gives is checked against portscope's JSON report of every
# capture (tests/at-scale.py): the jsonl files of the parallel run, the joined CSV, the flows
# nfcapd received from several portscope processes at once, and the answers of the SQLite and
# PostgreSQL queries. PostgreSQL runs as nobody when the test runs as root (it refuses root).
. "$(dirname "$0")/lib.sh"
need jq nfcapd nfdump sqlite3 xargs nproc python3
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || skip "no PostgreSQL server programs in /usr/lib/postgresql"
doc=$top/doc/at-scale.md
class=$work/class

# recipe NAME: the code of the block that starts with "# recipe: NAME".
recipe() {
    awk -v want="# recipe: $1" '
        /^```/ { inblock = !inblock; keep = 0; next }
        inblock && $0 == want { keep = 1 }
        keep { print }' "$doc"
}

# Stops what a recipe left running in the class directory (a collector, a database server), by
# the PIDs whose working directory is in it: all started by this test.
stop_left_in_class() {
    local p
    for p in /proc/[0-9]*; do
        case $(readlink "$p/cwd" 2>/dev/null) in
        "$class" | "$class"/*) kill -KILL "${p#/proc/}" 2>/dev/null ;;
        esac
    done
}
LIB_CLEANUPS+=(stop_left_in_class)

# run NAME [SED]: runs recipe NAME from the class directory (its text edited by SED when given),
# with portscope and PostgreSQL's programs on the PATH; its output in $work/NAME.out.
run() {
    local text
    text=$(recipe "$1")
    [ -n "$text" ] || {
        bad "doc/at-scale.md has no recipe '$1'"
        return 1
    }
    [ -n "${2:-}" ] && text=$(sed "$2" <<<"$text")
    (cd "$class" && PATH="$work/bin:$PATH" bash -e -o pipefail -c "$text") >"$work/$1.out" 2>&1
    local rc=$?
    [ $rc = 0 ] || bad "recipe $1: exit status $rc: $(tail -5 "$work/$1.out")"
    return $rc
}

mkdir -p "$class/captures" "$work/bin" "$work/json"
ln -s "$bin" "$work/bin/portscope"
cp "$top"/samples/*.pcap "$top"/samples/*.pcapng "$class/captures/"
# A submission with a DNS query over TCP (none of the samples has one): the handshake, the query
# and its answer each with its two-byte length, and FIN both ways.
python3 - "$class/captures/student-dns-tcp.pcap" <<'PY'
import struct, sys

def ip_tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), bytes(dst))
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp

c, s = [192, 0, 2, 77], [192, 0, 2, 53]
qname = b"\x07example\x03com\x00"
query = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!HH", 1, 1)
answer = (struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + qname + struct.pack("!HH", 1, 1)
          + struct.pack("!HHHIH4B", 0xc00c, 1, 1, 300, 4, 192, 0, 2, 1))
q, a = struct.pack("!H", len(query)) + query, struct.pack("!H", len(answer)) + answer
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
packets = [
    (c, s, 40000, 53, 100, 0, SYN, b""), (s, c, 53, 40000, 500, 101, SYN | ACK, b""),
    (c, s, 40000, 53, 101, 501, ACK, b""), (c, s, 40000, 53, 101, 501, PSH | ACK, q),
    (s, c, 53, 40000, 501, 101 + len(q), PSH | ACK, a),
    (c, s, 40000, 53, 101 + len(q), 501 + len(a), FIN | ACK, b""),
    (s, c, 53, 40000, 501 + len(a), 102 + len(q), FIN | ACK, b""),
    (c, s, 40000, 53, 102 + len(q), 502 + len(a), ACK, b""),
]
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, (src, dst, sp, dp, seq, ack, flags, data) in enumerate(packets):
        frame = ip_tcp(src, dst, sp, dp, seq, ack, flags, data)
        out.write(struct.pack("<IIII", 1767225600, 1000 * i, len(frame), len(frame)) + frame)
PY
# The reference: each capture's JSON report.
for f in "$class"/captures/*; do
    "$bin" -q -r "$f" --json -o "$work/json/$(basename "$f").json" 2>/dev/null
    [ $? -le 1 ] || bad "portscope --json $(basename "$f")"
done
check() { # WHAT ARGS...: tests/at-scale.py WHAT ARGS, as one check
    local out
    if out=$(python3 "$top/tests/at-scale.py" "$@" 2>&1); then
        ok "$1: $out"
    else
        bad "$1: $out"
    fi
}

run parallel && check jsonl "$work/json" "$class/out"
run table && check table "$work/json" "$class/flows.csv"

# The collector on a free port rather than the recipe's 9995, which may be taken.
port=$(free_udp_port)
if run ipfix "s/127\.0\.0\.1:9995/127.0.0.1:$port/; s/-p 9995/-p $port/"; then
    runs=() i=0
    while IFS= read -r f; do
        i=$((i + 1))
        runs+=("$i:$work/json/$(basename "$f").json")
    done < <(cd "$class" && find captures -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
    if out=$(python3 "$top/tests/ipfix-compare.py" "$class/ipfix.csv" "$work/ipfix.out" \
        "${runs[@]}"); then
        ok "ipfix: nfcapd has every flow of all ${#runs[@]} captures, sent 4 processes at a time"
    else
        bad "ipfix: $(grep -v '^ok' <<<"$out" | head -8)"
    fi
    grep -q "Sequence Errors: 0, Bad Packets: 0" "$work/ipfix.out" &&
        ok "ipfix: nfcapd counts no sequence error" ||
        bad "ipfix: $(grep 'Sequence Errors' "$work/ipfix.out")"
fi
stop_left_in_class

if run sqlite && run sqlite-queries; then
    check dns-tcp "$work/json" "$class/dns-tcp.txt"
    check low-ports "$work/json" "$class/low-ports.txt"
    check services "$work/json" "$class/services.txt"
    check refused "$work/json" "$class/refused.txt"
fi

# PostgreSQL will not run as root: as nobody then, in a directory of its own.
as_user=()
if [ "$(id -u)" = 0 ]; then
    chmod 755 "$work"
    chown -R nobody:nogroup "$class"
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
text=$(recipe postgresql)
(cd "$class" && HOME=$class "${as_user[@]}" bash -e -o pipefail -c "$text") \
    >"$work/postgresql.out" 2>&1
rc=$?
if [ $rc = 0 ]; then
    check dns-tcp "$work/json" "$class/pg-dns-tcp.txt"
    check low-ports "$work/json" "$class/pg-low-ports.txt"
    check services "$work/json" "$class/pg-services.txt"
else
    bad "recipe postgresql: exit status $rc: $(tail -5 "$work/postgresql.out")"
    tail -5 "$class/pgdata.log" 2>/dev/null
fi
stop_left_in_class

tally
