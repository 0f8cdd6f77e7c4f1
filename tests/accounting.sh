#!/bin/bash
# Accounting holds on every bundled sample and every crash capture.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${PORTSCOPE:-$PWD/portscope}
if ! command -v python3 >/dev/null; then
    echo "python3 not found: skipping"
    exit 77
fi
shopt -s nullglob
exec python3 "$top/tests/check-accounting.py" "$bin" "$top"/samples/*.pcap "$top"/samples/*.pcapng \
    "$top"/tests/crash/*.pcap "$top"/tests/crash/*.pcapng
