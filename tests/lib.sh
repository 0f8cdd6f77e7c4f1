# lib.sh - sourced by every script test: where the project and the binary are, a work directory,
# the skip helpers, and a clean end. On exit, however the test ends (pass, fail, an interruption),
# the processes it started in the background are stopped with everything they started, the
# cleanups it registered run, and the work directory goes.
#
# stop_tree PID... stops each process and everything it started, and waits until none of them is
# left. A signal to a wrapper (timeout, a subshell, script) is not passed on to what the wrapper
# runs: SIGKILL to timeout left portscope and peers.py running for good. So the whole tree is
# frozen first (SIGSTOP from the top down: a stopped process starts no other), then killed.
#
# Environment: PORTSCOPE (default ./portscope, relative to the build directory we run in).

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${PORTSCOPE:-$PWD/portscope}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
work=$(mktemp -d)
LIB_CLEANUPS=() # commands run at exit, before the work directory goes

# skip MESSAGE: the test cannot run here (automake's 77).
# Checks counted: ok and bad print a result line each; tally prints the counts and fails when a
# check did.
pass=0 fail=0
ok() {
    echo "ok   $*"
    pass=$((pass + 1))
}
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}
tally() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

skip() {
    echo "SKIP: $*"
    exit 77
}

# need COMMAND...: skipped unless every command is there.
need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "$c not found"
    done
}

# Freezes PID and its descendants and prints their PIDs.
procs_freeze() {
    local task child
    kill -STOP "$1" 2>/dev/null || return 0
    echo "$1"
    for task in /proc/"$1"/task/*; do
        for child in $(cat "$task/children" 2>/dev/null); do
            procs_freeze "$child"
        done
    done
}

# True while PID exists and is not a zombie (a zombie is dead; its parent may never reap it).
procs_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

stop_tree() {
    local pids=() pid i stat
    for pid in "$@"; do
        # Only our own children: a PID waited for already may since belong to someone else.
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        read -r _ stat _ <<<"$stat"
        [ "$stat" = "$$" ] || continue
        # shellcheck disable=SC2207 # PIDs are words
        pids+=($(procs_freeze "$pid"))
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    kill -KILL "${pids[@]}" 2>/dev/null
    for pid in "$@"; do
        wait "$pid" 2>/dev/null
    done
    for pid in "${pids[@]}"; do
        for i in $(seq 100); do
            procs_alive "$pid" || break
            sleep 0.05
        done
        procs_alive "$pid" && echo "stop_tree: process $pid is still alive" >&2
    done
    return 0
}

# stop_gently PID: SIGTERM, as a daemon expects to be stopped (nfcapd writes its file then),
# up to 10 s to exit, then stop_tree. Only for a process this test started.
stop_gently() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 200); do
        procs_alive "$1" || break
        sleep 0.05
    done
    stop_tree "$1"
    wait "$1" 2>/dev/null
    return 0
}

# free_udp_port: a UDP port on 127.0.0.1 that nothing listens on now.
free_udp_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_udp_port PORT: until a socket listens on UDP PORT (/proc/net/udp, udp6); 1 after 10 s.
wait_udp_port() {
    local hex i
    hex=$(printf ':%04X ' "$1")
    for i in $(seq 200); do
        grep -q "$hex" /proc/net/udp /proc/net/udp6 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

lib_exit() {
    local c
    stop_tree $(jobs -p)
    for c in "${LIB_CLEANUPS[@]}"; do
        eval "$c"
    done
    rm -rf "$work"
}
trap lib_exit EXIT
# Interrupted (make's Ctrl-C, a CI timeout): exit, which runs the cleanup.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
