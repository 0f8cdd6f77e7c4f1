#!/bin/bash
# Cross-check: on every sample, portscope's TCP and UDP flow counts equal tshark's conversation
# counts (tshark -n -q -z conv,tcp -z conv,udp), under --profile wireshark (no flow timeouts, as
# Wireshark keeps conversations). Skipped when tshark is not installed.
#
# One documented difference: tshark counts a tunnel's outer conversation (udp/4789 for VXLAN)
# as well as the inner one, where portscope puts the packet in the inner flow only. So where the
# counts differ, the expected count is that of the union of portscope's flows with and without
# --no-decap; the script says when it used that.
. "$(dirname "$0")/lib.sh"
need tshark python3
pass=0 fail=0
for f in "$top"/samples/*.pcap "$top"/samples/*.pcapng; do
    # tshark's conversation tables list one conversation per line, each with a "<->".
    conv=$(tshark -n -r "$f" -q -z conv,tcp -z conv,udp 2>/dev/null | awk '
        /^TCP Conversations/ { t = "tcp" } /^UDP Conversations/ { t = "udp" }
        /<->/ { n[t]++ } END { printf "%d %d", n["tcp"], n["udp"] }')
    verdict=$(python3 - "$bin" "$f" "$conv" <<'PY'
import json, subprocess, sys

binary, path, conv = sys.argv[1], sys.argv[2], sys.argv[3]

def flows(extra):
    run = subprocess.run([binary, "--json", "--profile", "wireshark", "-r", path] + extra,
                         capture_output=True)
    report = json.loads(run.stdout)
    return {(f["proto"], f["client"]["ip"], f["client"]["port"], f["server"]["ip"],
             f["server"]["port"], f["first_seen"]) for f in report["flows"]
            if f["proto"] in ("tcp", "udp")}

def counts(s):
    return "%d %d" % (sum(1 for f in s if f[0] == "tcp"), sum(1 for f in s if f[0] == "udp"))

inner = flows([])
if counts(inner) == conv:
    print("ok   tcp udp = " + conv)
elif counts(inner | flows(["--no-decap"])) == conv:
    print("ok   tcp udp = %s with tunnel outer conversations (portscope: %s inner)"
          % (conv, counts(inner)))
else:
    print("FAIL tshark says tcp udp = %s, portscope %s" % (conv, counts(inner)))
PY
)
    echo "${verdict:0:4} $(basename "$f"): ${verdict:5}"
    case $verdict in
    ok*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)) ;;
    esac
done
echo "tshark-conv: $pass passed, $fail failed"
[ "$fail" = 0 ]
