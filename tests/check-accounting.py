#!/usr/bin/env python3
"""Every packet read is in exactly one place: a flow or one skip reason. Bytes likewise.

Usage: check-accounting.py [--filter EXPR] PORTSCOPE CAPTURE...
Runs portscope --json on each capture and checks that the report reconciles:
  summary.packets == summary.in_flows.packets + summary.skipped.packets
  summary.skipped.packets == sum(summary.skipped.reasons)
  summary.in_flows.packets == sum over flows of packets.c2s + packets.s2c
  summary.packets == sum over inputs of packets
and the same for bytes. With --filter, portscope analyses only the packets the BPF filter
accepts; each input must then also hold as many packets as a run without the filter read, less
the ones it says the filter rejected, and bytes likewise.
Exit status 1 when any capture fails to reconcile.
"""
import json
import subprocess
import sys


def run_report(binary, path, bpf):
    """The JSON report of one capture, or an error message."""
    run = subprocess.run([binary, "--json", "-r", path] + ([bpf] if bpf else []),
                         capture_output=True, check=False)
    if run.returncode not in (0, 1):
        return None, f"exit status {run.returncode}: {run.stderr.decode(errors='replace').strip()}"
    return json.loads(run.stdout), None


def check(binary, path, bpf=None):
    report, error = run_report(binary, path, bpf)
    if error:
        return [error]
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
    if bpf:
        whole, error = run_report(binary, path, None)
        if error:
            return problems + ["without the filter: " + error]
        for unit in ("packets", "bytes"):
            for got, read in zip(report["inputs"], whole["inputs"]):
                if got[unit] + got["filtered"][unit] != read[unit]:
                    problems.append(f"{unit}: {got[unit]} analysed + {got['filtered'][unit]} "
                                    f"rejected by the filter != {read[unit]} read")
    return problems


def main():
    args = sys.argv[1:]
    bpf = None
    if args[:1] == ["--filter"]:
        bpf, args = args[1], args[2:]
    binary, paths = args[0], args[1:]
    failed = 0
    for path in paths:
        problems = check(binary, path, bpf)
        print(("FAIL " if problems else "ok   ") + path)
        for p in problems:
            print("     " + p)
        failed += bool(problems)
    print(f"accounting: {len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
