#!/bin/bash
# Regenerates the expected outputs of tests/golden/TESTLIST from the current build, for review:
# run it after a deliberate change of output, then read `git diff tests/golden` before committing.
# Usage: scripts/regen-golden.sh [path/to/portscope]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/portscope}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
while read -r name want args; do
    case $name in '' | '#'*) continue ;; esac
    stdin=/dev/null
    case $args in "<"*) stdin=${args%% *}; stdin=${stdin#<}; args=${args#* } ;; esac
    # shellcheck disable=SC2086
    (cd "$top" && "$bin" $args >"tests/golden/$name.out" 2>"tests/golden/$name.err" <"$stdin") || true
    # Keep stderr only where there is some: it pins the wording of our error messages.
    [ -s "$top/tests/golden/$name.err" ] || rm -f "$top/tests/golden/$name.err"
done <"$top/tests/golden/TESTLIST"
echo "regenerated; review with: git diff tests/golden"
