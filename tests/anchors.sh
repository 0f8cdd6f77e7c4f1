#!/bin/bash
# Agreement with tshark under --profile wireshark (tests/anchors.py says what is compared and
# which differences are explained): per flow on every sample, and flow counts on every corpus
# capture tshark reads when ../shared/corpus is there. Skipped without tshark.
. "$(dirname "$0")/lib.sh"
corpus=${CORPUS:-$top/../shared/corpus}
need tshark python3
status=0
python3 "$top/tests/anchors.py" samples "$bin" "$top"/samples/*.pcap "$top"/samples/*.pcapng ||
    status=1
if [ -f "$corpus/MANIFEST.tsv" ]; then
    python3 "$top/tests/anchors.py" corpus "$bin" "$corpus" || status=1
else
    echo "no corpus at $corpus: compared the samples only"
fi
exit $status
