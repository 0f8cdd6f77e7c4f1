#!/usr/bin/env python3
"""What pmacct's nfacctd aggregated against portscope's reports of the same captures.

ipfix-nfacctd.py CSV REPORT...

CSV is nfacctd's print plugin output (csv, appended at each refresh, aggregated by src_host,
dst_host, src_port, dst_port, proto); each REPORT a JSON report whose flows were sent to it.
nfacctd keeps the forward direction of a biflow (the client's): per 5-tuple, the packets the
clients sent must be the reports'. Exit status 0 when they are, 1 (with the first differences
on standard output) when not, or when the file is not there yet.
"""
import collections
import csv
import json
import os
import sys


def main():
    want = collections.Counter()
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as fh:
            for f in json.load(fh)["flows"]:
                if f["proto"] in ("tcp", "udp"):
                    want[(f["client"]["ip"], f["server"]["ip"], str(f["client"]["port"]),
                          str(f["server"]["port"]), f["proto"])] += f["packets"]["c2s"]
    have = collections.Counter()
    if os.path.exists(sys.argv[1]):
        with open(sys.argv[1], encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("PROTOCOL", "").lower() in ("tcp", "udp"):
                    have[(row["SRC_IP"], row["DST_IP"], row["SRC_PORT"], row["DST_PORT"],
                          row["PROTOCOL"].lower())] += int(row["PACKETS"])
    if want and want == have:
        return 0
    print(f"{sum(want.values())} packets in the reports, {sum(have.values())} in nfacctd's table;"
          f" missing {sorted((want - have).items())[:2]}, extra {sorted((have - want).items())[:2]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
