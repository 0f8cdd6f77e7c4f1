#!/bin/bash
# Writes what the option table (src/app/cli_options.c) says into the files that are committed: the
# man page's OPTIONS section (doc/portscope.1, between its "Written by `make update-options`"
# and "End of the written options" comments) and the bash completion
# (contrib/bash-completion/portscope), both as gen-options (contrib/gen-options.c) writes them.
# `make update-options` runs it; tests/options.sh runs it with --check.
#
#   scripts/update-options.sh [--check] GEN_OPTIONS
#
# --check changes nothing: it shows how each file differs from what the table gives, and exits 1
# when one does.
set -eu
check=0
if [ "${1:-}" = --check ]; then
    check=1
    shift
fi
[ $# = 1 ] || { sed -n '9,12p' "$0"; exit 2; }
gen=$1
top=$(cd "$(dirname "$0")/.." && pwd)
man=$top/doc/portscope.1
completion=$top/contrib/bash-completion/portscope
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The two comments, each a whole line of the page.
begin='.\" Written by `make update-options` from the option table (src/app/cli_options.c): edit the table.'
end='.\" End of the written options.'
if [ "$(grep -c -x -F "$begin" "$man")" != 1 ] || [ "$(grep -c -x -F "$end" "$man")" != 1 ]; then
    echo "FAIL doc/portscope.1: not one pair of comments around the written options"
    exit 1
fi
"$gen" man >"$work/section"
"$gen" completion >"$work/portscope"
# The page, with what is between the two comments replaced by the section (from the environment:
# awk -v would read the backslashes as escapes).
BEGIN_LINE=$begin END_LINE=$end awk -v section="$work/section" '
    $0 == ENVIRON["END_LINE"] { while ((getline line < section) > 0) print line; skip = 0 }
    !skip { print }
    $0 == ENVIRON["BEGIN_LINE"] { skip = 1 }
' "$man" >"$work/portscope.1"

status=0
for pair in "$work/portscope.1:$man" "$work/portscope:$completion"; do
    new=${pair%%:*} old=${pair#*:}
    if cmp -s "$new" "$old"; then
        echo "ok   ${old#"$top"/} is what the option table gives"
    elif [ $check = 1 ]; then
        echo "FAIL ${old#"$top"/} is not what the option table gives (make update-options):"
        diff -u "$old" "$new" | head -n 40
        status=1
    else
        cp "$new" "$old"
        echo "updated ${old#"$top"/}"
    fi
done
exit $status
