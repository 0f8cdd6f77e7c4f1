#!/bin/bash
# The whole test suite, as the README's second command runs it: the unit suites and whole-tool
# tests (make check), then the robustness corpus when ../shared/corpus is there.
# Ends with one line "N passed, N failed", counting test programs and scripts.
set -u
cd "$(dirname "$0")/.."
# Every process the tests start inherits this: at the end, any still alive is a test that did
# not stop what it started.
export PORTSCOPE_TEST_RUN="$$-$(date +%s%N)"
# Results of an earlier run, of tests since renamed or removed among them, must not be counted.
find . -name '*.trs' -not -path './portscope-*' -delete
rm -f tests/unit/*.log
make -j2 check >/dev/null 2>&1
check_status=$?
if make -n check-corpus >/dev/null 2>&1; then
    make check-corpus
fi
pass=0 fail=0 skip=0
for trs in $(find . -name '*.trs' -not -path './portscope-*' | sort); do
    result=$(sed -n 's/^:test-result: //p' "$trs")
    log=${trs%.trs}.log
    case $result in
    PASS | XFAIL) pass=$((pass + 1)) ;;
    SKIP) skip=$((skip + 1)); echo "skipped: ${trs%.trs} ($(tail -n 1 "$log"))" ;;
    *) fail=$((fail + 1)); echo "FAILED: ${trs%.trs}"; tail -n 30 "$log" ;;
    esac
done
# Check's own summary line for each unit suite, then ours.
grep -h '^[0-9]*%: Checks' tests/unit/*.log 2>/dev/null
if [ "$check_status" != 0 ] && [ "$fail" = 0 ]; then
    echo "make check failed before running the tests"
    fail=1
fi
if env -u PORTSCOPE_TEST_RUN python3 tests/leftovers.py "PORTSCOPE_TEST_RUN=$PORTSCOPE_TEST_RUN"
then
    pass=$((pass + 1))
else
    echo "FAILED: processes left running by the tests (killed now)"
    fail=$((fail + 1))
fi
[ "$skip" = 0 ] || echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
