#!/usr/bin/env python3
"""Processes a test run left behind: every process whose environment carries MARKER (the
variable tests/run-all.sh exports before it starts the tests, so everything they start inherits
it). Prints each one, kills it so that nothing piles up on a reused machine, and exits 1 when
there was any. Run it with MARKER unset in its own environment, or it finds itself.

Usage: leftovers.py NAME=VALUE
"""
import os
import signal
import sys


def main():
    marker = sys.argv[1].encode()
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b") ", 1)[1].split()[0]
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError):
            continue  # gone, or a kernel thread
        if marker in environ and state != b"Z":
            left.append((int(entry), cmdline))
    for pid, cmdline in sorted(left):
        print(f"left running by the tests: pid {pid}: {cmdline}")
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
