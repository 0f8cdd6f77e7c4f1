#!/bin/bash
# The man page keeps up with the program: every example in its EXAMPLES section runs (from a
# directory that looks like the top of the source tree, so that the examples' relative paths
# work and the files they write land elsewhere) and exits with 0, and every long option the page
# names is one of `portscope --help`. (Its OPTIONS section, which lists them all, is written from
# the option table: tests/options.sh.)
. "$(dirname "$0")/lib.sh"
man=$top/doc/portscope.1
fail=0

# roff to plain text, for the few escapes the page uses in commands and option names.
unroff() { sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\e/\\/g'; }

# The examples: each ".B command" line right after ".RS" in the EXAMPLES section.
awk '/^\.SH /{ex = ($2 == "EXAMPLES")} ex && prev == ".RS" && /^\.B /{sub(/^\.B /, ""); print} {prev = $0}' \
    "$man" | unroff >"$work/examples"
n=$(wc -l <"$work/examples")
if [ "$n" -lt 5 ]; then
    echo "FAIL only $n examples found in doc/portscope.1"
    fail=1
fi
mkdir "$work/tree" "$work/bin"
for entry in samples tests doc; do
    ln -s "$top/$entry" "$work/tree/$entry"
done
ln -s "$bin" "$work/bin/portscope"
while IFS= read -r cmd; do
    (cd "$work/tree" && PATH="$work/bin:$PATH" bash -o pipefail -c "$cmd") >"$work/out" 2>"$work/err" </dev/null
    rc=$?
    if [ "$rc" = 0 ] && [ ! -s "$work/err" ]; then
        echo "ok   example: $cmd"
    else
        echo "FAIL example (exit status $rc): $cmd"
        head -n 5 "$work/err"
        fail=1
    fi
done <"$work/examples"

# The prose outside OPTIONS names options too: each must still exist.
"$bin" --help | grep -o -- '--[a-z][a-z-]*[a-z]' | sort -u >"$work/help-options"
grep -o '\\-\\-[a-z]\([a-z]\|\\-\)*[a-z]' "$man" | unroff | sort -u >"$work/man-options"
if [ ! -s "$work/help-options" ]; then
    echo "FAIL no long options in --help"
    fail=1
fi
extra=$(comm -13 "$work/help-options" "$work/man-options")
if [ -n "$extra" ]; then
    echo "FAIL options in doc/portscope.1 that --help does not have:" $extra
    fail=1
else
    echo "ok   the $(wc -l <"$work/man-options") long options doc/portscope.1 names are in --help"
fi
exit $fail
