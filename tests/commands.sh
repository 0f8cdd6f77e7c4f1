#!/bin/bash
# Every external command the test scripts, .ci/run, scripts/, fuzz/ and bench/ run comes from a
# package that packages.txt installs (tests/commands.py says how it is found and decided). A
# command missing from the list fails here, not on the next new machine. Skipped (77) where
# there is no dpkg: not a Debian system, nothing to check against.
. "$(dirname "$0")/lib.sh"
need dpkg-query python3
# The scan must see the commands we know the scripts run, or a broken scan would pass.
found=$(python3 "$top/tests/commands.py" list "$top" | cut -f1) || exit 1
for known in ping ip python3 tshark timeout script setpriv sysctl; do
    grep -qx "$known" <<<"$found" || {
        echo "FAIL the scan did not find '$known', which the tests run"
        exit 1
    }
done
python3 "$top/tests/commands.py" check "$top"
