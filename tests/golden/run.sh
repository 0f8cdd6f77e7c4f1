#!/bin/bash
# Runs the golden tests listed in tests/golden/TESTLIST: each output must match exactly, once on
# one thread and once on two (--threads, which must not change a byte of any report).
# PORTSCOPE names the binary (default: ./portscope in the build directory).
. "$(dirname "$0")/../lib.sh"
here=$top/tests/golden

pass=0 fail=0
for threads in 1 2; do
while read -r name want args; do
    case $name in '' | '#'*) continue ;; esac
    # A first argument "<FILE" feeds FILE to standard input (for "-r -").
    stdin=/dev/null
    case $args in "<"*) stdin=${args%% *}; stdin=${stdin#<}; args=${args#* } ;; esac
    # shellcheck disable=SC2086 # ARGS are words on purpose
    (cd "$top" && "$bin" --threads "$threads" $args >"$work/out" 2>"$work/err" <"$stdin")
    got=$?
    ok=1
    if [ "$got" != "$want" ]; then
        echo "FAIL $name (--threads $threads): exit status $got, expected $want"
        ok=0
    fi
    if ! cmp -s "$work/out" "$here/$name.out"; then
        echo "FAIL $name (--threads $threads): output differs from tests/golden/$name.out"
        diff -u "$here/$name.out" "$work/out" | head -40
        ok=0
    fi
    if [ -f "$here/$name.err" ] && ! cmp -s "$work/err" "$here/$name.err"; then
        echo "FAIL $name (--threads $threads): stderr differs from tests/golden/$name.err"
        diff -u "$here/$name.err" "$work/err" | head -20
        ok=0
    fi
    if [ $ok = 1 ]; then
        echo "ok   $name (--threads $threads)"
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done <"$here/TESTLIST"
done
# An expected output no line of TESTLIST names is a case lost (a merge once dropped 19 of them,
# and they went unrun for a day): every NAME.out must have its line.
orphans=0
for out in "$here"/*.out; do
    name=$(basename "$out" .out)
    if ! awk -v n="$name" '$1 == n { found = 1 } END { exit !found }' "$here/TESTLIST"; then
        echo "FAIL tests/golden/$name.out: no line of TESTLIST runs it"
        orphans=$((orphans + 1))
    fi
done
if [ "$orphans" = 0 ]; then
    echo "ok   every expected output has its line in TESTLIST"
    pass=$((pass + 1))
else
    fail=$((fail + 1))
fi
echo "golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
