#!/bin/bash
# Accounting holds on every bundled sample and every crash capture.
. "$(dirname "$0")/lib.sh"
need python3
shopt -s nullglob
python3 "$top/tests/check-accounting.py" "$bin" "$top"/samples/*.pcap "$top"/samples/*.pcapng \
    "$top"/tests/crash/*.pcap "$top"/tests/crash/*.pcapng
