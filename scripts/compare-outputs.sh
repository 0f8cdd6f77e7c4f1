#!/bin/bash
# compare-outputs.sh - runs two builds of portscope over every sample and every corpus capture,
# in every report format, and reports each difference of output, error output or exit status.
# For changes that must not change behaviour (refactoring, speed work): build the old commit in a
# worktree, then
#
#   scripts/compare-outputs.sh OLD/portscope ./portscope [CAPTURE...]
#
# Without CAPTURE: samples/ and the corpus (CORPUS, default ../shared/corpus, when present). The
# version each binary prints (--version) is the only text told apart: each one's is replaced by
# VERSION. Exits 1 when anything differs, 0 when nothing does. JOBS (default 2) runs in parallel;
# THREADS="1 2" runs every format once with each --threads value (default: portscope's own).
set -u
[ $# -ge 2 ] || { sed -n '2,10p' "$0"; exit 2; }
old=$1 new=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$top/../shared/corpus}
if [ $# -gt 0 ]; then
    captures=("$@")
else
    captures=("$top"/samples/*.pcap "$top"/samples/*.pcapng)
    if [ -d "$corpus" ]; then
        mapfile -t -O ${#captures[@]} captures < <(find "$corpus" -type f \
            \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.ntar' \) | sort)
    fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One capture, both builds, every format: prints a line per difference.
compare_one() {
    local old=$1 new=$2 work=$3 capture=$4 format bin side v rc threads what
    local -a opt
    for format in text json jsonl csv; do
        for threads in ${THREADS:--}; do
            opt=() what=$format
            if [ "$threads" != - ]; then
                opt=(--threads "$threads") what="$format, --threads $threads"
            fi
            for side in old new; do
                bin=${!side}
                v=$("$bin" --version | head -n 1)
                v=${v##* }
                "$bin" -r "$capture" "${opt[@]}" --format "$format" --color=never \
                    >"$work/$side.out" 2>"$work/$side.err" </dev/null
                rc=$?
                # A usage error is the comparison's own fault: it would compare two identical
                # complaints and find nothing.
                [ $rc = 2 ] && echo "USAGE $capture ($what, $side): $(head -n 1 "$work/$side.err")"
                echo "exit $rc" >>"$work/$side.err"
                sed -i "s/$v/VERSION/g" "$work/$side.out" "$work/$side.err"
            done
            cmp -s "$work/old.out" "$work/new.out" || echo "DIFF $capture ($what): report"
            cmp -s "$work/old.err" "$work/new.err" ||
                echo "DIFF $capture ($what): stderr or exit status"
        done
    done
}
export -f compare_one
export THREADS
# A work directory per job: the captures are shared out among them.
printf '%s\0' "${captures[@]}" |
    xargs -0 -P "${JOBS:-2}" -n 1 bash -c 'd=$(mktemp -d -p "$3"); compare_one "$1" "$2" "$d" "$4"; rm -rf "$d"' \
        _ "$old" "$new" "$work" >"$work/diffs"
sort "$work/diffs"
echo "compared ${#captures[@]} captures in 4 formats${THREADS:+ (--threads ${THREADS// /, })}: $(wc -l <"$work/diffs") differences"
[ ! -s "$work/diffs" ]
