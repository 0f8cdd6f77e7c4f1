#!/bin/bash
# Every flow's community_id against the Community ID tshark gives each packet of it
# (tests/community-id.py says how they are joined and which differences are allowed), on every
# sample, on the Community ID specification's captures in ../shared/data/community-id/pcaps when
# ../shared is there, and with COMMUNITY_ID_CORPUS=DIR on every capture of that corpus's
# MANIFEST.tsv (make check-community-id-corpus: the shared corpus, 900 captures, several minutes).
# Also: --community-id-seed and --community-id-format reach every format that has the field.
# Skipped when tshark is not installed.
. "$(dirname "$0")/lib.sh"
need tshark python3
files=("$top"/samples/*.pcap "$top"/samples/*.pcapng)
spec=$top/../shared/data/community-id/pcaps
if [ -d "$spec" ]; then
    files+=("$spec"/*.pcap)
else
    echo "note: $spec not found: the specification's captures are not checked"
fi
if [ -n "${COMMUNITY_ID_CORPUS:-}" ]; then
    while IFS= read -r path; do
        files+=("$COMMUNITY_ID_CORPUS/$path")
    done < <(awk -F'\t' 'NR > 1 { print $1 }' "$COMMUNITY_ID_CORPUS/MANIFEST.tsv")
fi
status=0
python3 "$top/tests/community-id.py" "$bin" "${files[@]}" >"$work/out" || status=1
grep -v '^ok' "$work/out"

# The options reach every format with the field: with seed 1 every value changes, with hex every
# value is 40 hex digits (test_report_vectors holds the values to the specification's baseline).
sample=$top/samples/http-curl.pcap
for fmt in json jsonl csv zeek zeek-json; do
    "$bin" -r "$sample" --format "$fmt" >"$work/default.$fmt"
    "$bin" -r "$sample" --format "$fmt" --community-id-seed 1 >"$work/seed1.$fmt"
    "$bin" -r "$sample" --format "$fmt" --community-id-format hex >"$work/hex.$fmt"
done
python3 - "$work" <<'PY' || status=1
import csv, json, re, sys
work = sys.argv[1]

def ids(name, fmt):
    text = open("%s/%s.%s" % (work, name, fmt)).read()
    if fmt == "json":
        return [f["community_id"] for f in json.loads(text)["flows"]]
    if fmt in ("jsonl", "zeek-json"):
        rows = [json.loads(l) for l in text.splitlines()]
        return [r["community_id"] for r in rows if r.get("type", "flow") == "flow"]
    if fmt == "csv":
        return [r["community_id"] for r in csv.DictReader(text.splitlines())]
    fields = next(l for l in text.splitlines() if l.startswith("#fields")).split("\t")[1:]
    return [dict(zip(fields, l.split("\t")))["community_id"]
            for l in text.splitlines() if not l.startswith("#")]

ok = True
base = ids("default", "json")
for fmt in ("json", "jsonl", "csv", "zeek", "zeek-json"):
    d, s, h = ids("default", fmt), ids("seed1", fmt), ids("hex", fmt)
    good = (sorted(d) == sorted(base) and len(s) == len(d) and not set(s) & set(d)
            and all(re.fullmatch(r"1:[0-9a-f]{40}", x) for x in h)
            and all(re.fullmatch(r"1:[A-Za-z0-9+/]{27}=", x) for x in d + s))
    print("%-4s --community-id-seed/--community-id-format in %s" % ("ok" if good else "FAIL", fmt))
    ok = ok and good
sys.exit(0 if ok else 1)
PY
# Out-of-range values are refused with a message naming the option.
for bad in "--community-id-seed 65536" "--community-id-seed -1" "--community-id-format b32"; do
    # shellcheck disable=SC2086 # the option and its value are two words
    if "$bin" -r "$sample" $bad >/dev/null 2>"$work/err" || [ $? != 2 ] ||
        ! grep -q -- "${bad%% *}" "$work/err"; then
        echo "FAIL: $bad was not refused with exit 2 and a message"
        status=1
    fi
done
exit $status
