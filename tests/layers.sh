#!/bin/bash
# The modules' boundaries: every include line of src/ and include/ against the table of modules
# in doc/ARCHITECTURE.md (tests/layers.py says what is checked).
. "$(dirname "$0")/lib.sh"
need python3
python3 "$top/tests/layers.py" "$top"
