#!/bin/bash
# --format zeek and zeek-json on every sample (and the Community ID specification's captures in
# ../shared when there), read back by the formats' own rules and compared field by field with
# the JSON report, the header's shape with a conn.log Zeek wrote (tests/data/, its source named
# in tests/data/README.md): tests/zeek-log.py. Then: the same bytes twice (the uids and
# #open/#close come from the capture, not the clock), and with --threads 1 and 2.
. "$(dirname "$0")/lib.sh"
need python3
files=("$top"/samples/*.pcap "$top"/samples/*.pcapng)
spec=$top/../shared/data/community-id/pcaps
[ -d "$spec" ] && files+=("$spec"/*.pcap)
status=0
python3 "$top/tests/zeek-log.py" "$bin" "$top/tests/data/zeek-conn-example.log" "${files[@]}" ||
    status=1
sample=$top/samples/http-curl.pcap
for fmt in zeek zeek-json; do
    "$bin" -r "$sample" --format "$fmt" --threads 1 >"$work/a"
    sleep 1 # a clock in the output would show now
    "$bin" -r "$sample" --format "$fmt" --threads 2 >"$work/b"
    if ! cmp -s "$work/a" "$work/b"; then
        echo "FAIL: --format $fmt differs between two runs (--threads 1 and 2)"
        status=1
    fi
done
exit $status
