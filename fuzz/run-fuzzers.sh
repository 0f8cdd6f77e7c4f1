#!/bin/bash
# Builds the libFuzzer targets with clang straight from the sources (no configure needed) and runs
# each for SECONDS (default 60), seeded with the samples, the crash captures and, when present,
# ../shared/corpus. Crash inputs are kept and listed. Ends with "N passed, N failed", one per
# target; exit status 1 when a target failed to build or found a crash.
#
# Usage: fuzz/run-fuzzers.sh [SECONDS] [TARGET...]   (targets: pipeline decode)
# Environment: CC (default clang), FUZZ_DIR (work directory, default a new one under /tmp, removed
# when nothing was found), FUZZ_CORPUS (more seed captures, default ../shared/corpus).
set -u
cd "$(dirname "$0")/.." || exit 1
seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pipeline decode)
CC=${CC:-clang}
work=${FUZZ_DIR:-$(mktemp -d /tmp/portscope-fuzz.XXXXXX)}
mkdir -p "$work/obj" "$work/seeds" "$work/crashes"
corpus=${FUZZ_CORPUS:-../shared/corpus}
# The report names the failing check and its stack; leaks count.
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"

# configure writes config.h; after `make distclean` there is none, and the sources only need the
# package's name and version, from the AC_INIT line.
confdir=.
if [ ! -f config.h ]; then
    confdir=$work
    sed -n 's/^AC_INIT(\[\([^]]*\)\], *\[\([^]]*\)\].*/#define PACKAGE_NAME "\1"\n#define PACKAGE_VERSION "\2"/p' \
        configure.ac >"$confdir/config.h"
fi

flags=(-std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra
    "-fsanitize=fuzzer-no-link,address,undefined" -fno-sanitize-recover=all
    -Iinclude -I"$confdir")
read -ra deps < <(pkg-config --cflags --libs libpcap jansson)

# The library once, then each target linked against it.
build() {
    local objs=() src obj
    for src in src/*/*.c; do
        obj=$work/obj/$(basename "$src" .c).o
        "$CC" "${flags[@]}" -c "$src" -o "$obj" || return 1
        objs+=("$obj")
    done
    for t in "${targets[@]}"; do
        "$CC" "${flags[@]}" -fsanitize=fuzzer "fuzz/fuzz_$t.c" "${objs[@]}" "${deps[@]}" \
            -o "$work/fuzz_$t" || return 1
    done
}

# Seeds for the decode target: the first packets of each pcap file, behind the two bytes that
# choose the link type (its index in fuzz_decode.c's table) and the settings (0: defaults).
seed_decode() {
    python3 - "$work/seeds/decode" "$@" <<'EOF'
import os, re, struct, sys

out, paths = sys.argv[1], sys.argv[2:]
with open("fuzz/fuzz_decode.c") as f:
    table = re.search(r"linktypes\[\] = \{([^}]*)\}", f.read()).group(1)
index = {int(v, 0): i for i, v in enumerate(t.strip() for t in table.split(",") if t.strip())}
index.setdefault(12, index.get(101))  # LINKTYPE_RAW in the file is DLT_RAW in libpcap
os.makedirs(out, exist_ok=True)
n = 0
for path in paths:
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        continue  # only little-endian pcap: enough variety for seeds
    linktype = struct.unpack_from("<I", data, 20)[0] & 0xFFFF
    if linktype not in index:
        continue
    pos = 24
    for _ in range(8):
        if pos + 16 > len(data):
            break
        caplen = struct.unpack_from("<I", data, pos + 8)[0]
        packet = data[pos + 16 : pos + 16 + caplen]
        pos += 16 + caplen
        with open(os.path.join(out, f"{n:05d}"), "wb") as f:
            f.write(bytes([index[linktype], 0]) + packet)
        n += 1
print(f"decode: {n} seed packets from {len(paths)} files")
EOF
}

echo "building with $CC in $work"
if ! build; then
    echo "cannot build the fuzz targets"
    echo "0 passed, ${#targets[@]} failed"
    exit 1
fi

dirs=(samples tests/crash)
[ -d "$corpus" ] && dirs+=("$corpus")
seeds=()
while IFS= read -r -d '' f; do
    seeds+=("$f")
done < <(find "${dirs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0)
# Named after their paths: the corpus has files of the same name in different folders.
mkdir -p "$work/seeds/pipeline"
for f in "${seeds[@]}"; do
    cp -- "$f" "$work/seeds/pipeline/$(tr / _ <<<"$f")"
done
echo "pipeline: ${#seeds[@]} seed files"
[[ " ${targets[*]} " == *" decode "* ]] && seed_decode "${seeds[@]}"

pass=0 fail=0
for t in "${targets[@]}"; do
    mkdir -p "$work/corpus/$t"
    echo "== fuzz_$t for $seconds s"
    "$work/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/crashes/$t-" \
        "$work/corpus/$t" "$work/seeds/$t" >"$work/$t.log" 2>&1
    status=$?
    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$t.log"
    if [ $status = 0 ]; then
        pass=$((pass + 1))
        echo "ok   fuzz_$t"
    else
        fail=$((fail + 1))
        echo "FAIL fuzz_$t (exit status $status); its log: $work/$t.log"
        grep -m 1 -A 25 -E '^==[0-9]+==ERROR|runtime error:|^==[0-9]+== ERROR' "$work/$t.log"
    fi
done

crashes=("$work"/crashes/*)
if [ -e "${crashes[0]}" ]; then
    echo "crash inputs (replay one: $work/fuzz_TARGET FILE):"
    ls -l "${crashes[@]}"
elif [ -z "${FUZZ_DIR:-}" ] && [ $fail = 0 ]; then
    rm -rf "$work"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
