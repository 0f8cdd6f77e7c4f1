# procs.sh - sourced by the script tests that start processes in the background.
#
# stop_tree PID... stops each process and everything it started, and waits until none of them is
# left. A signal to a wrapper (timeout, a subshell, script) is not passed on to what the wrapper
# runs: SIGKILL to timeout left portscope and peers.py running for good. So the whole tree is
# frozen first (SIGSTOP from the top down: a stopped process starts no other), then killed.

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
