#!/bin/bash
# -w saves the captured packets; reading the file again with -r gives the same flows and totals.
# Real traffic between two namespaces. Skipped (77) without root or network namespaces.
. "$(dirname "$0")/lib.sh"

need_namespaces
make_link
start_servers "$NS_SRV"
start_capture live "$NS_SRV" -i veth0 --json -w "$work/saved.pcap"
run_clients "$NS_CLI" "$SRV4" "$SRV6"
stop_capture live INT
[ "$CAPTURE_STATUS" = 0 ] || fail "exit status $CAPTURE_STATUS, expected 0"
[ -s "$work/saved.pcap" ] || fail "-w wrote no file"

timeout 10 "$bin" -r "$work/saved.pcap" --json >"$work/file.out" 2>"$work/file.err" ||
    fail "portscope -r on the saved file failed"
python3 - "$work/live.out" "$work/file.out" <<'PY' || fail "the saved file gives another report"
import json
import sys

live, saved = (json.load(open(p)) for p in sys.argv[1:])
li, fi = live["inputs"][0], saved["inputs"][0]
assert fi["format"] == "pcap" and fi["link_types"] == li["link_types"], (li, fi)
for key in ("packets", "bytes", "first_seen", "last_seen"):
    assert li[key] == fi[key], (key, li[key], fi[key])
assert live["summary"] == saved["summary"], (live["summary"], saved["summary"])
assert live["flows"] == saved["flows"], "flows differ"
assert live["services"] == saved["services"] and live["clients"] == saved["clients"]
assert len(live["flows"]) >= 4, live["flows"]
print(f"ok   -w: {li['packets']} packets, {len(live['flows'])} flows, same report from the file")
PY
