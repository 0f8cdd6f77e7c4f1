#!/bin/bash
# The modules' boundaries: every include line of src/ and include/ against the table of modules
# in doc/ARCHITECTURE.md (tests/layers.py says what is checked).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v python3 >/dev/null; then
    echo "python3 not found: skipping"
    exit 77
fi
exec python3 "$top/tests/layers.py" "$top"
