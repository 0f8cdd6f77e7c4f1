#!/bin/bash
# Cross-check: on every sample, portscope's TCP and UDP flow counts equal tshark's conversation
# counts (tshark -n -q -z conv,tcp -z conv,udp). Skipped when tshark is not installed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${PORTSCOPE:-$PWD/portscope}
if ! command -v tshark >/dev/null || ! command -v python3 >/dev/null; then
    echo "tshark or python3 not found: skipping the tshark cross-check"
    exit 77
fi
pass=0 fail=0
for f in "$top"/samples/*.pcap "$top"/samples/*.pcapng; do
    # tshark's conversation tables list one conversation per line, each with a "<->".
    conv=$(tshark -n -r "$f" -q -z conv,tcp -z conv,udp 2>/dev/null | awk '
        /^TCP Conversations/ { t = "tcp" } /^UDP Conversations/ { t = "udp" }
        /<->/ { n[t]++ } END { printf "%d %d", n["tcp"], n["udp"] }')
    ours=$("$bin" --json -r "$f" | python3 -c '
import json, sys
f = json.load(sys.stdin)["summary"]["flows"]
print(f["tcp"], f["udp"])')
    if [ "$conv" = "$ours" ]; then
        echo "ok   $(basename "$f"): tcp udp = $ours"
        pass=$((pass + 1))
    else
        echo "FAIL $(basename "$f"): tshark says tcp udp = $conv, portscope $ours"
        fail=$((fail + 1))
    fi
done
echo "tshark-conv: $pass passed, $fail failed"
[ "$fail" = 0 ]
