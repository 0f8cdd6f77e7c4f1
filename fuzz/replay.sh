#!/bin/bash
# Replays the samples and the crash captures through both fuzz targets, built without libFuzzer
# (fuzz/replay.c). A target that crashes, or a sanitizer that reports, fails the test.
# Run by `make check` from the build directory; automake's test driver sets srcdir.
set -u
srcdir=${srcdir:-.}

shopt -s nullglob
inputs=("$srcdir"/samples/*.pcap "$srcdir"/samples/*.pcapng "$srcdir"/tests/crash/*.pcap \
    "$srcdir"/tests/crash/*.pcapng)
if [ ${#inputs[@]} = 0 ]; then
    echo "no captures under $srcdir/samples or $srcdir/tests/crash"
    exit 99
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for target in pipeline decode; do
    if ./fuzz/replay_$target "${inputs[@]}"; then
        echo "ok   $target: ${#inputs[@]} files"
    else
        echo "FAIL $target (exit status $?)"
        status=1
    fi
done
exit $status
