#!/bin/bash
# nat.sh - portscope nat's benchmark: two captures of FLOWS flows each (bench/gen-nat: the two
# sides of a router rewriting every client port, the outside clock an hour ahead) paired, with
# the time and peak memory of `portscope nat` for the CSV and the JSON table, and of the main
# report of one side alone (what reading a side costs). One line each.
#
# bench/nat.sh [FLOWS]     (default 1000000; the pair is made in bench/data/, about 570 MB)
# Environment: PORTSCOPE, GEN_NAT (default ./portscope, ./bench/gen-nat), NAT_DATA.
set -eu
flows=${1:-1000000}
bin=${PORTSCOPE:-./portscope}
gen=${GEN_NAT:-./bench/gen-nat}
data=${NAT_DATA:-bench/data}
mkdir -p "$data"
in=$data/nat-$flows-in.pcap out=$data/nat-$flows-out.pcap
[ -s "$in" ] && [ -s "$out" ] || "$gen" -n "$flows" -t 3600 "$in" "$out"
cat "$in" "$out" >/dev/null # warm
# Wall time, CPU time (user + system: the machine may be busy) and peak RSS of a command.
measure() {
    local what=$1 wall cpu_u cpu_s rss
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$data/nat.time" "$@" >/dev/null
    read -r wall cpu_u cpu_s rss <"$data/nat.time"
    awk -v w="$what" -v e="$wall" -v u="$cpu_u" -v s="$cpu_s" -v m="$rss" \
        'BEGIN { printf "%-34s %7.2f s wall %7.2f s CPU  peak RSS %5d MB\n", w, e, u + s, m / 1024 }'
}
echo "portscope nat, $flows flows a side ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
measure "nat --format csv" "$bin" nat --inside "$in" --outside "$out" --format csv -o /dev/null
measure "nat --json" "$bin" nat --inside "$in" --outside "$out" --json -o /dev/null
measure "main report of one side (--json)" "$bin" --threads 1 -r "$in" --json -o /dev/null
