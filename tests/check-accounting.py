#!/usr/bin/env python3
"""Every packet read is in exactly one place: a flow or one skip reason. Bytes likewise.

Usage: check-accounting.py PORTSCOPE CAPTURE...
Runs portscope --json on each capture and checks that the report reconciles:
  summary.packets == summary.in_flows.packets + summary.skipped.packets
  summary.skipped.packets == sum(summary.skipped.reasons)
  summary.in_flows.packets == sum over flows of packets.c2s + packets.s2c
  summary.packets == sum over inputs of packets
and the same for bytes. Exit status 1 when any capture fails to reconcile.
"""
import json
import subprocess
import sys


def check(binary, path):
    run = subprocess.run([binary, "--json", "-r", path], capture_output=True, check=False)
    if run.returncode not in (0, 1):
        return [f"exit status {run.returncode}: {run.stderr.decode(errors='replace').strip()}"]
    report = json.loads(run.stdout)
    s = report["summary"]
    problems = []
    for unit, reasons in (("packets", "reasons"), ("bytes", "reason_bytes")):
        in_flows = s["in_flows"][unit]
        skipped = s["skipped"][unit]
        if s[unit] != in_flows + skipped:
            problems.append(f"{unit}: read {s[unit]} != in flows {in_flows} + skipped {skipped}")
        if skipped != sum(s["skipped"][reasons].values()):
            problems.append(f"{unit}: skipped {skipped} != sum of reasons")
        flows = sum(f[unit]["c2s"] + f[unit]["s2c"] for f in report["flows"])
        if flows != in_flows:
            problems.append(f"{unit}: flows hold {flows}, summary says {in_flows} in flows")
        inputs = sum(i[unit] for i in report["inputs"])
        if inputs != s[unit]:
            problems.append(f"{unit}: inputs hold {inputs}, summary says {s[unit]}")
    if s["flows"]["total"] != len(report["flows"]):
        problems.append("flows.total differs from the number of flows")
    return problems


def main():
    binary, paths = sys.argv[1], sys.argv[2:]
    failed = 0
    for path in paths:
        problems = check(binary, path)
        print(("FAIL " if problems else "ok   ") + path)
        for p in problems:
            print("     " + p)
        failed += bool(problems)
    print(f"accounting: {len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
