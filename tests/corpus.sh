#!/bin/bash
# The robustness corpus: every capture listed in $CORPUS/MANIFEST.tsv goes through $PORTSCOPE
# (--json -o) under a time limit. A file passes when portscope exits with a documented status
# for input problems (0, 1 or 3), no sanitizer spoke, and the report, when one was written,
# reconciles (tests/check-accounting.py). Packet counts are compared with capinfos' for
# well-formed pcap files, and disagreements listed, but they do not fail the run.
#
# Environment: PORTSCOPE (default ./portscope), CORPUS (default ../shared/corpus),
# JOBS (parallel runs, default 2), TIMEOUT (seconds per file, default 20).
# Exit status 0 when every file passed, 1 otherwise, 77 (skip) when there is no corpus.
# Ends with the line "corpus: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
PORTSCOPE=${PORTSCOPE:-./portscope}
CORPUS=${CORPUS:-$here/../../shared/corpus}
JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-20}

if [ ! -f "$CORPUS/MANIFEST.tsv" ]; then
    echo "corpus: no $CORPUS/MANIFEST.tsv; skipping the corpus run"
    exit 77
fi
if [ ! -x "$PORTSCOPE" ]; then
    echo "corpus: $PORTSCOPE is not an executable"
    echo "corpus: 0 passed, 1 failed"
    exit 1
fi
PORTSCOPE=$(cd "$(dirname "$PORTSCOPE")" && pwd)/$(basename "$PORTSCOPE")

# When portscope was built with the sanitizers: leaks count, and a sanitizer's exit status must
# not pass for one of portscope's own (ASan and UBSan exit with 1 by default). Settings the
# caller already made come last and win.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="exitcode=86:${LSAN_OPTIONS:-}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PORTSCOPE CORPUS TIMEOUT work

# Runs one capture: INDEX PATH (PATH relative to the corpus). Leaves INDEX.status ("STATUS\tPATH"),
# INDEX.err (stderr) and INDEX.json (the report, when one was written) in $work.
run_one() {
    timeout -k 5 "$TIMEOUT" "$PORTSCOPE" --json -o "$work/$1.json" -r "$CORPUS/$2" \
        >/dev/null 2>"$work/$1.err"
    printf '%s\t%s\n' "$?" "$2" >"$work/$1.status"
}
export -f run_one

start=$SECONDS
# shellcheck disable=SC2016 # $1 and $2 are run_one's, expanded by the inner bash
awk -F'\t' 'NR > 1 { print NR - 1; print $1 }' "$CORPUS/MANIFEST.tsv" |
    xargs -d '\n' -n 2 -P "$JOBS" bash -c 'run_one "$1" "$2"' _
echo "corpus: ran $PORTSCOPE over $CORPUS in $((SECONDS - start)) s ($JOBS in parallel)"

python3 - "$here/check-accounting.py" "$JOBS" <<'EOF'
import concurrent.futures
import csv
import importlib.util
import json
import os
import sys
from collections import Counter

accounting_py, jobs = sys.argv[1], int(sys.argv[2])
spec = importlib.util.spec_from_file_location("check_accounting", accounting_py)
accounting = importlib.util.module_from_spec(spec)
spec.loader.exec_module(accounting)

portscope, corpus, work = os.environ["PORTSCOPE"], os.environ["CORPUS"], os.environ["work"]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")
INPUT_STATUSES = {0: "complete", 1: "incomplete input", 3: "no input read"}

with open(os.path.join(corpus, "MANIFEST.tsv"), newline="") as f:
    manifest = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

statuses = Counter()
failures = {}  # path -> list of problems
reports = {}  # path -> parsed report
for index, row in enumerate(manifest, 1):
    path = row["path"]
    base = os.path.join(work, str(index))
    try:
        with open(base + ".status") as f:
            status = int(f.read().split("\t", 1)[0])
    except (OSError, ValueError):
        failures[path] = ["was not run"]
        continue
    with open(base + ".err", errors="replace") as f:
        stderr = f.read()
    statuses[status] += 1
    problems = []
    if status == 124:
        problems.append(f"timed out after {os.environ['TIMEOUT']} s")
    elif status >= 128:
        note = " (by timeout: TERM did not stop it)" if status == 137 else ""
        problems.append(f"killed by signal {status - 128}{note}")
    elif status not in INPUT_STATUSES:
        problems.append(f"exit status {status}")
    if any(mark in stderr for mark in SANITIZER_MARKS):
        problems.append("sanitizer report")
    if status in (0, 1):
        try:
            with open(base + ".json") as f:
                reports[path] = json.load(f)
        except (OSError, ValueError) as e:
            problems.append(f"exit status {status} but no readable report ({type(e).__name__})")
    if problems:
        lines = stderr.splitlines()[-40:] or ["(empty)"]
        problems.append("stderr:\n" + "\n".join("      " + line for line in lines))
        failures[path] = problems


def reconcile(path):
    return path, accounting.check(portscope, os.path.join(corpus, path))


# check-accounting.py runs portscope itself; only files that gave a report are worth its time.
with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    for path, problems in pool.map(reconcile, sorted(reports)):
        if problems:
            failures.setdefault(path, []).extend("accounting: " + p for p in problems)

# capinfos' count is only comparable where both read the same records: pcap files nobody found
# malformed. pcapng is left out while its reader is being rewritten.
agree, disagree = 0, []
for row in manifest:
    if row["format"] not in ("pcap", "pcap-ns") or row["malformed"] or not row["packets"]:
        continue
    report = reports.get(row["path"])
    ours = report["summary"]["packets"] if report else None
    if ours == int(row["packets"]):
        agree += 1
    else:
        disagree.append((row["path"], row["packets"], "no report" if ours is None else ours))

print(f"corpus: {len(manifest)} files")
for status, count in sorted(statuses.items()):
    print(f"  exit {status:3}: {count:4}  {INPUT_STATUSES.get(status, 'FAIL')}")
print(f"packets vs capinfos (well-formed pcap): {agree} agree, {len(disagree)} disagree")
for path, theirs, ours in disagree:
    print(f"  {path}: capinfos {theirs}, portscope {ours}")
for path in sorted(failures):
    print(f"FAIL {path}")
    for p in failures[path]:
        print("     " + p)
print(f"corpus: {len(manifest) - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
EOF
