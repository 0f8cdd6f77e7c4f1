#!/bin/bash
# --threads 2 reads and decodes capture files on a second thread, through a ring of 16384 packets,
# and writes the report's flows and gathers its services two at a time. On traces long
# enough to go round the ring many times, with flows stored and brought back, every report must
# be the same, byte for byte and exit status, as on one thread.
. "$(dirname "$0")/lib.sh"
gen=${GEN_TRACE:-$PWD/bench/gen-trace}
fail=0

if [ ! -x "$gen" ]; then
    echo "bench/gen-trace not built: skipping"
    exit 77
fi
"$gen" --packets 150000 --concurrency 3000 -o "$work/many.pcap" 2>/dev/null &&
    "$gen" --kind elephant --packets 40000 --concurrency 20 -o "$work/elephant.pcap" 2>/dev/null || {
    echo "FAIL gen-trace could not write the traces"
    exit 1
}
# The client hosts are judged on two threads once they have enough connections, cut where half
# of the connections are: many hosts of a few connections each (the datacentre shape), and a few
# hosts of thousands each (port-reuse), whose cut falls in the middle of one's connections.
"$gen" --shape datacentre --packets 150000 -o "$work/hosts.pcap" 2>/dev/null &&
    "$gen" --shape port-reuse --packets 150000 -o "$work/reuse.pcap" 2>/dev/null &&
    "$gen" --shape home-day --packets 150000 -o "$work/home.pcap" 2>/dev/null || {
    echo "FAIL gen-trace could not write the shapes' traces"
    exit 1
}
# Cut mid-record: the report covers the packets before the cut, with exit status 1.
head -c 9000001 "$work/many.pcap" >"$work/cut.pcap"
# One file whose time goes back halfway (the elephant's records after the many flows', which end
# later): its flows are not made in the report's order, which the JSON writer must notice.
{
    cat "$work/many.pcap"
    tail -c +25 "$work/elephant.pcap"
} >"$work/back.pcap"

# same NAME ARGS...: the report and exit status of --threads 1 and --threads 2 agree.
same() {
    local name=$1 rc1 rc2
    shift
    "$bin" --threads 1 "$@" >"$work/one" 2>"$work/one.err" <"$work/many.pcap"
    rc1=$?
    "$bin" --threads 2 "$@" >"$work/two" 2>"$work/two.err" <"$work/many.pcap"
    rc2=$?
    if [ "$rc1" != "$rc2" ] || ! cmp -s "$work/one" "$work/two" ||
        ! cmp -s "$work/one.err" "$work/two.err"; then
        echo "FAIL $name: --threads 1 (exit $rc1) and --threads 2 (exit $rc2) differ"
        diff "$work/one" "$work/two" | head -10
        diff "$work/one.err" "$work/two.err" | head -5
        fail=1
    elif [ ! -s "$work/one" ]; then
        echo "FAIL $name: no report"
        fail=1
    else
        echo "ok   $name (exit $rc1, $(wc -c <"$work/one") bytes)"
    fi
}

same "json" --json -r "$work/many.pcap"
same "text" -r "$work/many.pcap"
same "csv" --format csv -r "$work/many.pcap"
same "jsonl with timeouts" --format jsonl --idle-timeout 2 -r "$work/many.pcap"
same "two inputs" --json -r "$work/many.pcap" -r "$work/elephant.pcap"
same "two inputs, the later first" --json -r "$work/elephant.pcap" -r "$work/many.pcap"
same "time going back" --json -r "$work/back.pcap"
same "standard input" --json -r -
same "cut short" --json -r "$work/cut.pcap"
same "selection" --json --port 53 -r "$work/many.pcap"
same "flow limit" --json --max-flows 5000 -r "$work/many.pcap"
same "filter" --json -r "$work/many.pcap" tcp port 80
same "ephemeral auto" --json --ephemeral auto -r "$work/many.pcap"
same "ephemeral auto, text" --ephemeral auto -r "$work/many.pcap"
same "many client hosts" --json -r "$work/hosts.pcap"
same "many client hosts, text" -r "$work/hosts.pcap"
same "many client hosts, csv" --format csv -r "$work/hosts.pcap"
same "hosts of many connections" --json -r "$work/reuse.pcap"
same "hosts of many connections, text" -r "$work/reuse.pcap"
same "expectations" --json --expect 'flows.udp > 1000000' -r "$work/many.pcap"

# The two ways of writing --json: with rows made before it is written (as --expect needs) and
# with each flow's row made as it is written, the services and clients gathered meanwhile. The
# documents must be the same but for the expectations.
for threads in 1 2; do
    "$bin" --threads "$threads" --json -r "$work/many.pcap" -o "$work/gathered.json"
    "$bin" --threads "$threads" --json --expect 'flows > 0' -r "$work/many.pcap" -o "$work/rows.json"
    if python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
b.pop("expectations")
sys.exit(a != b)' "$work/gathered.json" "$work/rows.json"; then
        echo "ok   json gathered as written, or from rows, on $threads thread(s)"
    else
        echo "FAIL json gathered as written and from rows differ on $threads thread(s)"
        fail=1
    fi
done

# Two threads, five times: the same bytes each time, whichever thread finishes its part first.
"$bin" --threads 2 --json -r "$work/hosts.pcap" >"$work/first.json" 2>&1
again=ok
for run in 2 3 4 5; do
    "$bin" --threads 2 --json -r "$work/hosts.pcap" >"$work/again.json" 2>&1
    if ! cmp -s "$work/first.json" "$work/again.json"; then
        echo "FAIL two threads, run $run: the report differs from the first run's"
        fail=1
        again=
        break
    fi
done
[ -n "$again" ] && echo "ok   two threads, five runs: the same report"

# Streaming with an active timeout, the flow that goes on after one is begun by a packet the
# reader had no reason to look into again: whether it is looked into follows which directions
# share the reader's slots, so that must not change from run to run (analyze.h). Five runs on each
# thread count: one report.
for run in 1 2 3 4 5; do
    for threads in 1 2; do
        "$bin" --threads "$threads" --format jsonl --active-timeout 30 -r "$work/home.pcap" |
            md5sum
    done
done >"$work/sums"
if [ "$(sort -u "$work/sums" | wc -l)" = 1 ]; then
    echo "ok   jsonl with an active timeout: one report in ten runs on one and two threads"
else
    echo "FAIL jsonl with an active timeout: $(sort -u "$work/sums" | wc -l) different reports in ten runs"
    fail=1
fi

# An output that fills up while the helper writes its runs: exit status 4 on both, no hang.
for threads in 1 2; do
    timeout 60 "$bin" --threads "$threads" --json -r "$work/many.pcap" -o /dev/full 2>"$work/full.err"
    rc=$?
    if [ "$rc" = 4 ] && grep -q "cannot write the report" "$work/full.err"; then
        echo "ok   output full (--threads $threads)"
    else
        echo "FAIL output full (--threads $threads): exit status $rc"
        cat "$work/full.err"
        fail=1
    fi
done

# The progress display runs on the table's thread while the other reads: on a terminal, with an
# input that pauses longer than the display waits before it shows.
if command -v script >/dev/null; then
    mkfifo "$work/slow.pcap"
    cat "$work/many.pcap" >"$work/slow.pcap" &
    "$bin" --threads 1 --json -r "$work/slow.pcap" -o "$work/quiet.json"
    wait
    (
        head -c 5000000 "$work/many.pcap"
        sleep 2
        tail -c +5000001 "$work/many.pcap"
    ) >"$work/slow.pcap" &
    script -qec "'$bin' --threads 2 --json -r '$work/slow.pcap' -o '$work/tty.json'" /dev/null \
        >"$work/tty.out" </dev/null
    wait
    if cmp -s "$work/quiet.json" "$work/tty.json" && grep -q "packets/s" "$work/tty.out"; then
        echo "ok   progress on a terminal"
    else
        echo "FAIL progress on a terminal: report differs or no progress shown"
        fail=1
    fi
fi
exit $fail
