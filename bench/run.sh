#!/bin/bash
# bench/run.sh - portscope against a bare libpcap read loop on generated traces: see
# bench/README.md. `make bench` runs it with the binaries of the build; run directly, it builds
# them first (make in the directory above, or in the one BUILDDIR names).
set -u

usage() {
    cat <<'EOF'
Usage: bench/run.sh [options]

Times `portscope -r TRACE --json -o /dev/null` against a bare libpcap loop (bench/pcap-loop) on
the same warm file, alternating runs; reports medians, their ratio, packets per second, peak
resident memory and bytes per flow; times tshark on a prefix when it is installed; with a
portscope that lists `jsonl` in --help, shows that memory stays flat on a long streamed trace.
Writes the tables to bench/results.md as well.

  --check            exit 1 when a goal is missed (the goals are below)
  --quick            small traces (1 M packets, long case 10 M, whole case 2 M flows) and
                     3 runs: a smoke test
  --runs N           timed runs of each program per trace (default 5)
  --packets N        packets per trace (default 10000000)
  --long-packets N   packets of the long jsonl case (default 100000000)
  --only LIST        comma-separated cases (default all): many-flows (the bench shape),
                     the other shapes of `gen-trace --help` (lab, ten-minutes, busy-udp,
                     campus-hour, datacentre, home-day, port-reuse, ipv6-long), elephant,
                     real (a capture of real traffic, bench/make-real.sh; needs root),
                     long (memory flat over 100 M packets of jsonl), whole (a capture of
                     20 M flows reported whole with the default settings)
  --data DIR         where traces are generated (default bench/data)
  --results FILE     where the tables are written (default bench/results.md; '-' for none)
  --no-tshark        do not time tshark
  --tshark-packets N prefix tshark reads (default 1000000)
  -h, --help         show this help

Environment: PORTSCOPE, GEN_TRACE, PCAP_LOOP (the binaries); BUILDDIR (where to build them);
BENCH_COMMIT (what to call the portscope measured, when it was not built from this tree);
REAL_PACKETS (packets of the real capture, default 1000000); WHOLE_PACKETS (packets of the
whole case, default 134000000: about 20.7 M flows); BENCH_JSONL_ARGS (options of the jsonl
case, default '--format jsonl'); GOAL_RATIO (2.0, every many-flows shape), GOAL_ELEPHANT_RATIO (1.2), GOAL_BYTES_PER_FLOW (128, the bytes a flow adds to the peak RSS), GOAL_FLAT_GROWTH (1.10).

Exit status: 0 done (and with --check, every goal met); 1 a goal missed (--check); 2 usage;
3 the benchmark could not run (a build, a trace, a run failed).
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
data=$here/data
runs=5
check=0
packets=10000000
long_packets=100000000
# The many-flows shapes of gen-trace (many-flows is its "bench" shape), then the others.
shapes="lab ten-minutes busy-udp campus-hour datacentre home-day port-reuse ipv6-long"
only=many-flows,${shapes// /,},elephant,real,long,whole
results=$here/results.md
tshark_on=1
tshark_packets=1000000
real_packets=${REAL_PACKETS:-1000000}
whole_packets=${WHOLE_PACKETS:-134000000}
argv_text="bench/run.sh${*:+ $*}"

goal_many=${GOAL_RATIO:-${GOAL_MANY_FLOWS_RATIO:-2.0}}
goal_elephant=${GOAL_ELEPHANT_RATIO:-1.2}
goal_bpf=${GOAL_BYTES_PER_FLOW:-128}
min_flows_added=200000 # flows a trace must add beyond its first tenth for the memory goal
goal_flat=${GOAL_FLAT_GROWTH:-1.10}
jsonl_args=${BENCH_JSONL_ARGS:---format jsonl}

die() {
    echo "bench: $*" >&2
    exit 3
}

need_value() {
    [ $# -ge 2 ] || {
        echo "bench: $1 needs a value" >&2
        exit 2
    }
}

while [ $# -gt 0 ]; do
    case $1 in
    --check) check=1 ;;
    --quick)
        packets=1000000
        long_packets=10000000
        runs=3
        tshark_packets=200000
        whole_packets=13400000
        ;;
    --runs) need_value "$@"; runs=$2; shift ;;
    --packets) need_value "$@"; packets=$2; shift ;;
    --long-packets) need_value "$@"; long_packets=$2; shift ;;
    --only) need_value "$@"; only=$2; shift ;;
    --data) need_value "$@"; data=$2; shift ;;
    --results) need_value "$@"; results=$2; shift ;;
    --no-tshark) tshark_on=0 ;;
    --tshark-packets) need_value "$@"; tshark_packets=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
for n in "$runs" "$packets" "$long_packets" "$tshark_packets"; do
    case $n in
    '' | *[!0-9]*) echo "bench: '$n' is not a number" >&2; exit 2 ;;
    esac
done
[ "$runs" -ge 1 ] || { echo "bench: --runs must be at least 1" >&2; exit 2; }

for c in ${only//,/ }; do
    case " many-flows $shapes elephant real long whole " in
    *" $c "*) ;;
    *) echo "bench: unknown case '$c' (known: many-flows $shapes elephant real long whole)" >&2; exit 2 ;;
    esac
done

case_on() {
    case ",$only," in *",$1,"*) return 0 ;; esac
    return 1
}

# --- the programs ---------------------------------------------------------------------------

builddir=${BUILDDIR:-$top}
PORTSCOPE=${PORTSCOPE:-$builddir/portscope}
GEN_TRACE=${GEN_TRACE:-$builddir/bench/gen-trace}
PCAP_LOOP=${PCAP_LOOP:-$builddir/bench/pcap-loop}
if [ ! -x "$PORTSCOPE" ] || [ ! -x "$GEN_TRACE" ] || [ ! -x "$PCAP_LOOP" ]; then
    [ -f "$builddir/Makefile" ] || die "no Makefile in $builddir: configure first, or set PORTSCOPE, GEN_TRACE and PCAP_LOOP"
    echo "bench: building in $builddir" >&2
    make -C "$builddir" portscope bench/gen-trace bench/pcap-loop >&2 || die "the build failed"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install -y time)"
if nm "$PORTSCOPE" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
    echo "bench: WARNING: $PORTSCOPE is built with sanitizers; its figures mean little" >&2
fi
have_tshark=0
if [ "$tshark_on" = 1 ] && command -v tshark >/dev/null 2>&1; then
    have_tshark=1
fi

tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$data" || die "cannot make $data"

# --- helpers --------------------------------------------------------------------------------

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# The median of the numbers given.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) printf "%.4f", a[(NR + 1) / 2]; else printf "%.4f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

max_of() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# Runs a command under /usr/bin/time -v: sets secs (wall clock), rss_kb (peak) and rc.
timed() {
    local t0 t1
    t0=$(now)
    /usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    t1=$(now)
    secs=$(calc "%.4f" "$t1 - $t0")
    rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
    if [ "$rc" != 0 ]; then
        echo "bench: '$*' exited with status $rc:" >&2
        head -n 5 "$tmp/err" >&2
        die "a run failed"
    fi
}

human_bytes() { awk -v b="$1" 'BEGIN { if (b >= 1e9) printf "%.2f GB", b / 1e9; else printf "%.1f MB", b / 1e6 }'; }

# Estimated bytes per packet of the traces, for the disk-space check.
est_bytes() {
    case $1 in
    elephant) echo 140 ;;
    lab | ipv6-long) echo 450 ;;
    home-day) echo 300 ;;
    *) echo 240 ;;
    esac
}

# gen-trace's options for a case.
gen_args() {
    case $1 in
    many-flows) echo "--kind many-flows" ;;
    elephant) echo "--kind elephant" ;;
    *) echo "--kind many-flows --shape $1" ;;
    esac
}

# Makes DATA/CASE-PACKETS.pcap unless it is there already, made by this generator version.
ensure_trace() {
    local kind=$1 n=$2 path=$3 want avail need t0 t1
    if [ "$kind" = real ]; then
        # Real traffic is not made again: any capture of it will do, once there.
        [ -f "$path" ] && return 0
        echo "bench: capturing $path (real traffic, $n packets)" >&2
        "$here/make-real.sh" "$path" "$n" >&2 2>"$tmp/gen" || {
            cat "$tmp/gen" >&2
            die "capturing $path failed"
        }
        return 0
    fi
    want="gen-trace $("$GEN_TRACE" --version | awk '{ print $2 }') $(gen_args "$kind") --packets $n"
    if [ -f "$path" ] && [ -f "$path.meta" ] && [ "$(head -n 1 "$path.meta")" = "$want" ]; then
        return 0
    fi
    rm -f "$path" "$path.meta"
    avail=$(df -Pk "$data" | awk 'NR == 2 { print $4 }')
    need=$(calc "%.0f" "$n * $(est_bytes "$kind") * 1.1 / 1024 + 1048576")
    if [ "$avail" -lt "$need" ]; then
        die "not enough space in $data for the $kind trace: $((avail / 1024)) MB free, about $((need / 1024)) MB needed"
    fi
    echo "bench: generating $path ($kind, $n packets; $((avail / 1024)) MB free)" >&2
    t0=$(now)
    # shellcheck disable=SC2046 # the options are meant to be split
    "$GEN_TRACE" $(gen_args "$kind") --packets "$n" -o "$path.tmp" 2>"$tmp/gen" || {
        cat "$tmp/gen" >&2
        rm -f "$path.tmp"
        die "generating $path failed"
    }
    t1=$(now)
    { echo "$want"; cat "$tmp/gen"; } >"$path.meta"
    mv "$path.tmp" "$path"
    echo "bench: generated in $(calc "%.1f" "$t1 - $t0") s, $(human_bytes "$(stat -c %s "$path")")" >&2
}

failures=()
time_rows=()
mem_rows=()
tshark_rows=()
raw_rows=()
long_rows=()
whole_rows=()

# pass|FAIL for "value <= goal"
verdict() {
    awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "pass" : "FAIL" }'
}

# --- one trace: bare loop against portscope -------------------------------------------------

bench_trace() {
    local kind=$1 goal=$2 path report_packets flows loop_packets size
    local -a bare_t=() ps_t=() ps_rss=() bare_rss=()
    local n_trace=$packets
    # Real traffic comes at the speed of the kernel and Python: a million packets take a minute.
    [ "$kind" != real ] || n_trace=$real_packets
    path=$data/$kind-$n_trace.pcap
    ensure_trace "$kind" "$n_trace" "$path"
    size=$(stat -c %s "$path")
    echo "bench: $kind: warming $path" >&2
    cat "$path" >/dev/null

    # A warm-up run of each, which also checks that both read every packet.
    "$PCAP_LOOP" "$path" >"$tmp/loop" || die "pcap-loop failed on $path"
    loop_packets=$(sed -n 's/^packets=\([0-9]*\).*/\1/p' "$tmp/loop")
    "$PORTSCOPE" -r "$path" --json | awk '
        /^  "summary": / { s = 1 }
        s && /^    "packets": / { gsub(/,/, "", $2); p = $2 }
        s && /"total": / { gsub(/,/, "", $2); print p, $2; exit }' >"$tmp/summary"
    read -r report_packets flows <"$tmp/summary"
    [ -n "${flows:-}" ] || die "no summary in portscope's report on $path"
    [ "$report_packets" = "$loop_packets" ] ||
        die "$kind: portscope read $report_packets packets, libpcap $loop_packets"

    for ((i = 1; i <= runs; i++)); do
        timed "$PCAP_LOOP" "$path"
        bare_t+=("$secs")
        bare_rss+=("$rss_kb")
        timed "$PORTSCOPE" -r "$path" --json -o /dev/null
        ps_t+=("$secs")
        ps_rss+=("$rss_kb")
        echo "bench: $kind: run $i/$runs: bare loop ${bare_t[-1]} s, portscope ${ps_t[-1]} s, $((rss_kb / 1024)) MB" >&2
    done
    local bm pm ratio peak bpf added v_ratio v_mem tenth_packets tenth_flows tenth_peak
    bm=$(median "${bare_t[@]}")
    pm=$(median "${ps_t[@]}")
    ratio=$(calc "%.2f" "$pm / $bm")
    peak=$(max_of "${ps_rss[@]}")
    bpf=$(calc "%.0f" "$peak * 1024 / $flows")
    # What a flow adds: the first tenth of the trace against the whole. The fixed part of a run
    # (the reader's ring, buffers, tables' first sizes: 12-25 MB) is in both and cancels out.
    tenth_packets=$((loop_packets / 10))
    tcpdump -r "$path" -c "$tenth_packets" -w "$tmp/tenth.pcap" 2>/dev/null ||
        die "tcpdump cannot copy the first $tenth_packets packets of $path"
    timed "$PORTSCOPE" -r "$tmp/tenth.pcap" --json -o "$tmp/tenth.json"
    tenth_peak=$rss_kb
    tenth_flows=$(awk '/^  "summary": / { s = 1 } s && /"total": / { gsub(/,/, "", $2); print $2; exit }' "$tmp/tenth.json")
    rm -f "$tmp/tenth.pcap" "$tmp/tenth.json"
    if [ -n "$tenth_flows" ] && [ "$flows" -gt "$tenth_flows" ]; then
        added=$(calc "%.0f" "($peak - $tenth_peak) * 1024 / ($flows - $tenth_flows)")
    else
        added="-"
    fi
    v_ratio=$(verdict "$ratio" "$goal")
    time_rows+=("| $kind | $loop_packets | $(human_bytes "$size") | $bm ($(calc "%.2f" "$loop_packets / $bm / 1e6")) | $pm ($(calc "%.2f" "$loop_packets / $pm / 1e6")) | **$ratio** | <= $goal | $v_ratio |")
    [ "$v_ratio" = pass ] || failures+=("$kind: portscope takes ${ratio}x the bare loop (goal <= $goal)")
    # Huge pages make the RSS grow 2 MB at a time: over fewer flows than min_flows_added the
    # figure is mostly that step (ipv6-long adds 24,000 flows: 85 bytes a flow per step).
    if [ "$kind" != elephant ] && [ "$added" != "-" ] &&
        [ $((flows - tenth_flows)) -ge "$min_flows_added" ]; then
        v_mem=$(verdict "$added" "$goal_bpf")
        [ "$v_mem" = pass ] || failures+=("$kind: a flow adds $added bytes (goal <= $goal_bpf)")
    elif [ "$kind" != elephant ]; then
        v_mem="too few flows to tell"
    else
        v_mem="-"
    fi
    mem_rows+=("| $kind | $flows | $((peak / 1024)) MB | $bpf | $tenth_flows | $((tenth_peak / 1024)) MB | **$added** | $(if [ "$kind" != elephant ]; then echo "<= $goal_bpf"; else echo "-"; fi) | $v_mem |")
    raw_rows+=("| $kind | bare loop | ${bare_t[*]} | $(max_of "${bare_rss[@]}") |")
    raw_rows+=("| $kind | portscope | ${ps_t[*]} | ${ps_rss[*]} |")

    if [ "$have_tshark" = 1 ]; then
        local n=$tshark_packets
        local -a tb=() tt=() trss=()
        [ "$n" -le "$loop_packets" ] || n=$loop_packets
        for ((i = 1; i <= (runs < 3 ? runs : 3); i++)); do
            timed "$PCAP_LOOP" -c "$n" "$path"
            tb+=("$secs")
            timed tshark -r "$path" -c "$n" -q -z conv,tcp -z conv,udp
            tt+=("$secs")
            trss+=("$rss_kb")
            echo "bench: $kind: tshark run $i on $n packets: ${secs} s (bare loop ${tb[-1]} s)" >&2
        done
        local tbm ttm tr
        tbm=$(median "${tb[@]}")
        ttm=$(median "${tt[@]}")
        tr=$(calc "%.0f" "$ttm / $tbm")
        tshark_rows+=("| $kind | $n | $tbm | $ttm | **${tr}x** | $(calc "%.0f" "$ttm / $tbm / $ratio")x | $(($(max_of "${trss[@]}") / 1024)) MB |")
    fi
}

# --- the long jsonl case: memory must stay flat ---------------------------------------------

bench_long() {
    local pid rc t0 t1 secs_long
    if ! "$PORTSCOPE" --help 2>&1 | grep -q jsonl; then
        echo "bench: long: skipped: 'portscope --help' does not list jsonl" >&2
        long_rows+=("| long ($long_packets packets, jsonl) | skipped: \`portscope --help\` does not list jsonl |")
        return 0
    fi
    echo "bench: long: $long_packets packets streamed from gen-trace into portscope $jsonl_args" >&2
    : >"$tmp/rss"
    t0=$(now)
    # shellcheck disable=SC2086 # the options are meant to be split
    "$GEN_TRACE" --kind many-flows --packets "$long_packets" -o - 2>"$tmp/long.gen" |
        "$PORTSCOPE" -r - $jsonl_args -o /dev/null 2>"$tmp/long.err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        awk -v t="$(calc "%.2f" "$(now) - $t0")" '/^VmRSS:/ { print t, $2 }' "/proc/$pid/status" \
            >>"$tmp/rss" 2>/dev/null
        sleep 0.5
    done
    wait "$pid"
    rc=$?
    t1=$(now)
    secs_long=$(calc "%.1f" "$t1 - $t0")
    if [ "$rc" != 0 ]; then
        head -n 5 "$tmp/long.err" >&2
        die "portscope $jsonl_args exited with status $rc on the long trace"
    fi
    # Flat: the highest RSS of the second half of the run is at most GOAL_FLAT_GROWTH times that
    # of the first half (which includes the ramp-up to the steady number of flows).
    local stats growth first second last v
    stats=$(awk '{ t[NR] = $1; r[NR] = $2 } END {
            h = int(NR / 2); m1 = 0; m2 = 0
            for (i = 1; i <= NR; i++) { if (i <= h) { if (r[i] > m1) m1 = r[i] } else if (r[i] > m2) m2 = r[i] }
            printf "%d %d %d %d", NR, m1, m2, r[NR] }' "$tmp/rss")
    read -r _ first second last <<<"$stats"
    [ "${first:-0}" -gt 0 ] || die "long: too few RSS samples"
    growth=$(calc "%.2f" "$second / $first")
    v=$(verdict "$growth" "$goal_flat")
    [ "$v" = pass ] || failures+=("long: RSS grew ${growth}x from the first half of the run to the second (goal <= $goal_flat)")
    long_rows+=("| long ($long_packets packets, \`$jsonl_args\`) | $secs_long s, $(calc "%.2f" "$long_packets / $secs_long / 1e6") M packets/s | first half max $((first / 1024)) MB, second half max $((second / 1024)) MB, last $((last / 1024)) MB | growth **$growth** (goal <= $goal_flat) | $v |")
}

# --- a capture of 20 M flows, reported whole with the default settings ------------------------

bench_whole() {
    local flows skipped t0 t1
    echo "bench: whole: $whole_packets packets (about 20 M flows) streamed into portscope with its defaults" >&2
    t0=$(now)
    "$GEN_TRACE" --kind many-flows --packets "$whole_packets" -o - 2>"$tmp/whole.gen" |
        /usr/bin/time -v -o "$tmp/whole.time" "$PORTSCOPE" -r - --show summary >"$tmp/whole.out" 2>"$tmp/whole.err" ||
        die "portscope failed on the 20 M-flow trace: $(head -n 3 "$tmp/whole.err")"
    t1=$(now)
    flows=$(sed -n 's/^  in flows: .* in \([0-9]*\) flows:.*/\1/p' "$tmp/whole.out")
    skipped=$(awk '$1 == "flow_limit" { print $2 }' "$tmp/whole.out")
    [ -n "$flows" ] || die "whole: no summary in portscope's report"
    local v=pass
    # Every flow kept: none skipped for the flow limit; at the full size, 20 M of them.
    if [ -n "$skipped" ] || { [ "$whole_packets" -ge 134000000 ] && [ "$flows" -lt 20000000 ]; }; then
        v=FAIL
        failures+=("whole: ${flows} flows reported, ${skipped:-0} packets skipped for the flow limit (goal: every flow, 20 M at the full size)")
    fi
    whole_rows+=("| whole ($whole_packets packets, defaults) | $flows | ${skipped:-0} | $(calc "%.1f" "$t1 - $t0") s | $(($(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/whole.time") / 1024)) MB | $v |")
}

# --- run ------------------------------------------------------------------------------------

case_on many-flows && bench_trace many-flows "$goal_many"
for shape in $shapes; do
    case_on "$shape" && bench_trace "$shape" "$goal_many"
done
case_on elephant && bench_trace elephant "$goal_elephant"
if case_on real; then
    if [ "$(id -u)" = 0 ]; then
        bench_trace real "$goal_many"
    else
        echo "bench: real: skipped: capturing real traffic needs root (network namespaces)" >&2
    fi
fi
case_on long && bench_long
case_on whole && bench_whole

model=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
machine="$model, $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GB RAM, Linux $(uname -r)"
# BENCH_COMMIT describes a portscope built elsewhere than this tree.
commit=${BENCH_COMMIT:-$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [ -z "${BENCH_COMMIT:-}" ] && [ -n "$(git -C "$top" status --porcelain -- src include 2>/dev/null)" ]; then
    commit="$commit with uncommitted changes to src/ or include/"
fi
{
    echo "# Benchmark results"
    echo
    echo "- Command: \`$argv_text\` ($runs alternating runs of each program; medians)"
    echo "- Machine: $machine"
    echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); $("$PORTSCOPE" --version 2>/dev/null | head -n 1) at $commit (\`$PORTSCOPE\`)"
    echo
    if [ ${#time_rows[@]} -gt 0 ]; then
        echo "| trace | packets | file | bare libpcap loop, s (M pkt/s) | portscope --json, s (M pkt/s) | ratio | goal | |"
        echo "|---|---:|---:|---:|---:|---:|---|---|"
        printf '%s\n' "${time_rows[@]}"
        echo
        echo "| trace | flows | peak RSS | RSS/flows, bytes | flows of the first tenth | its peak RSS | bytes a flow adds | goal | |"
        echo "|---|---:|---:|---:|---:|---:|---:|---|---|"
        printf '%s\n' "${mem_rows[@]}"
        echo
    fi
    if [ ${#tshark_rows[@]} -gt 0 ]; then
        echo "tshark \`-q -z conv,tcp -z conv,udp\` on a prefix (\`-c N\`), against the bare loop on the same prefix:"
        echo
        echo "| trace | prefix packets | bare loop, s | tshark, s | tshark/bare | tshark/portscope (est.) | tshark peak RSS |"
        echo "|---|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${tshark_rows[@]}"
        echo
    fi
    if [ ${#long_rows[@]} -gt 0 ]; then
        echo "Long trace, memory over time:"
        echo
        echo "| case | time | resident memory | flat? | |"
        echo "|---|---|---|---|---|"
        printf '%s\n' "${long_rows[@]}"
        echo
    fi
    if [ ${#whole_rows[@]} -gt 0 ]; then
        echo "A capture of 20 M flows with the default settings (\`--max-flows auto\`): every flow kept:"
        echo
        echo "| case | flows | packets skipped (flow_limit) | time | peak RSS | |"
        echo "|---|---:|---:|---:|---:|---|"
        printf '%s\n' "${whole_rows[@]}"
        echo
    fi
    if [ ${#raw_rows[@]} -gt 0 ]; then
        echo "Every run (seconds; peak RSS in kB):"
        echo
        echo "| trace | program | times | peak RSS |"
        echo "|---|---|---|---|"
        printf '%s\n' "${raw_rows[@]}"
        echo
    fi
    if [ ${#failures[@]} -gt 0 ]; then
        echo "Goals missed:"
        echo
        printf -- '- %s\n' "${failures[@]}"
    else
        echo "Every goal measured is met."
    fi
} >"$tmp/results.md"
cat "$tmp/results.md"
if [ "$results" != - ]; then
    cp "$tmp/results.md" "$results" || die "cannot write $results"
    echo "bench: written to $results" >&2
fi
if [ "$check" = 1 ] && [ ${#failures[@]} -gt 0 ]; then
    echo "bench: ${#failures[@]} goal(s) missed" >&2
    exit 1
fi
exit 0
