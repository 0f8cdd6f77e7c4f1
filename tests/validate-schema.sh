#!/bin/bash
# Validates portscope's JSON report against doc/json-schema-v1.json: the output for every capture
# in samples/, every tests/golden/*.json and the JSON golden outputs listed in tests/golden/TESTLIST. Also checks that the schema rejects broken documents,
# so a schema that accepts everything cannot pass.
#
# Environment: PORTSCOPE (default ./portscope, relative to the build directory we run in),
# srcdir (default: the repository this script is in). Needs python3 with the jsonschema module
# (Debian: python3-jsonschema, 4.0 or later for draft 2020-12); exits 77 (skipped) without it.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
srcdir=${srcdir:-$top}
bin=${PORTSCOPE:-./portscope}
schema=$srcdir/doc/json-schema-v1.json

if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 not found: skipping the JSON schema check"
    exit 77
fi
if ! python3 -c 'import jsonschema; jsonschema.Draft202012Validator' >/dev/null 2>&1; then
    echo "python3 module jsonschema (4.0 or later, Debian package python3-jsonschema) not found: skipping the JSON schema check"
    exit 77
fi
if [ ! -x "$bin" ]; then
    echo "FAIL portscope not found at '$bin' (set PORTSCOPE)"
    exit 1
fi
if [ ! -f "$schema" ]; then
    echo "FAIL schema not found at '$schema'"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pairs of (label, file) for the validator; a capture portscope failed on is reported here.
fail=0
args=()
shopt -s nullglob
n=0
for cap in "$srcdir"/samples/*.pcap "$srcdir"/samples/*.pcapng; do
    n=$((n + 1))
    label=samples/$(basename "$cap")
    out=$tmp/$n.json
    rc=0
    "$bin" -r "$cap" --json -o "$out" 2>"$tmp/$n.err" || rc=$?
    # 0: complete; 1: written, but an input could not be read to its end. Both are reports.
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL $label: portscope exited with status $rc: $(head -n 1 "$tmp/$n.err")"
        fail=1
        continue
    fi
    args+=("$label" "$out")
done
if [ "$n" -eq 0 ]; then
    echo "FAIL no captures found in $srcdir/samples"
    exit 1
fi
# Golden outputs: any tests/golden/*.json, and the NAME.out of every TESTLIST entry run with
# --json that wrote a report (an entry whose inputs all failed writes nothing).
for golden in "$srcdir"/tests/golden/*.json; do
    args+=("tests/golden/$(basename "$golden")" "$golden")
done
if [ -f "$srcdir/tests/golden/TESTLIST" ]; then
    while read -r name _ rest; do
        case $name in '' | '#'*) continue ;; esac
        case " $rest " in
        *' --json '* | *' --format json '* | *' --format=json '*) ;;
        *) continue ;;
        esac
        golden=$srcdir/tests/golden/$name.out
        if [ -s "$golden" ]; then
            args+=("tests/golden/$name.out" "$golden")
        fi
    done <"$srcdir/tests/golden/TESTLIST"
fi

python3 - "$schema" "${args[@]}" <<'PY' || fail=1
import copy
import json
import sys

import jsonschema

schema_path, pairs = sys.argv[1], sys.argv[2:]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
cls = jsonschema.Draft202012Validator
try:
    cls.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    print(f"FAIL {schema_path}: not a valid draft 2020-12 schema: {e.message}")
    sys.exit(1)
validator = cls(schema, format_checker=jsonschema.FormatChecker())


def first_error(doc):
    """None when doc is valid, else the best error as 'where: message'."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"


failed = False
sample = None
valid = []
for label, path in zip(pairs[0::2], pairs[1::2]):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL {label}: not JSON: {e}")
        failed = True
        continue
    message = first_error(doc)
    if message is None:
        print(f"ok   {label}")
        valid.append(doc)
        if sample is None and isinstance(doc, dict) and doc.get("flows"):
            sample = doc
    else:
        print(f"FAIL {label}: {message}")
        failed = True

# The schema must reject what is wrong, or the checks above prove nothing.
if sample is None:
    print("FAIL no valid report with flows to break for the rejection checks")
    sys.exit(1)


def setter(path, value):
    def mutate(doc):
        *parents, last = path
        node = doc
        for key in parents:
            node = node[key]
        node[last] = value
    return mutate


def deleter(path):
    def mutate(doc):
        *parents, last = path
        node = doc
        for key in parents:
            node = node[key]
        del node[last]
    return mutate


def flow_where(pred):
    """A mutation's target: (a valid report, index of its first flow matching pred), or None."""
    for doc in valid:
        for i, flow in enumerate(doc.get("flows", [])):
            if pred(flow):
                return doc, i
    return None


def on_flow(pred, key, value):
    """A mutation that sets flows[i][key] = value on the first flow matching pred."""
    def mutate(doc, index):
        doc["flows"][index][key] = value
    return pred, mutate


def is_echo(flow):
    return isinstance(flow.get("icmp"), dict) and flow["icmp"].get("kind") == "echo"


def is_message(flow):
    return isinstance(flow.get("icmp"), dict) and flow["icmp"].get("kind") == "message"


def has_icmp_error(flow):
    return bool(flow.get("icmp_errors"))


def rename_key(path, old, new):
    def mutate(doc):
        node = doc
        for key in path:
            node = node[key]
        node[new] = node.pop(old)
    return mutate


def skipped_linktype(name):
    """Marks one packet as skipped for its link type, named `name` in link_types (None: not named)."""
    def mutate(doc):
        skipped = doc["summary"]["skipped"]
        skipped["reasons"]["unsupported_link_type"] += 1
        if name is not None:
            skipped["link_types"][name] = 1
    return mutate


def set_error_packets(doc, index):
    doc["flows"][index]["icmp_errors"][0]["packets"] = 0


def no_decap_with_vxlan(doc, index):
    doc["settings"]["decap"] = False
    doc["flows"][index]["encap"] = ["vxlan:42"]


def on_tcp(pred, path, value):
    """A mutation that sets flows[i]["tcp"][path...] = value on the first flow matching pred."""
    def mutate(doc, index):
        node = doc["flows"][index]["tcp"]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return pred, mutate


def drop_quality(flag):
    def mutate(doc, index):
        doc["flows"][index]["quality"].remove(flag)
    return mutate


def is_tcp(flow):
    return flow["proto"] == "tcp"


def no_syn_ack(flow):
    return is_tcp(flow) and flow["tcp"]["handshake"]["syn_ack"] is None


# A well-formed tcp object, for flows that must not have one.
TCP_OBJECT = {
    "conn_state": "SF", "history": "ShADdFf",
    "handshake": {"syn": None, "syn_ack": None, "ack": None, "rtt_client": None, "rtt_server": None},
    "fin": {"client": True, "server": True}, "rst": {"client": False, "server": False},
    "retransmissions": {"c2s": 0, "s2c": 0},
}


# Mutations of flows of a particular kind: (what, which flow, mutation); the flow is looked for
# in every valid report above, and its absence is a failure (the samples must cover it).
flow_broken = [
    ("icmp echo flow with role_reason 'syn'", *on_flow(is_echo, "role_reason", "syn")),
    ("icmp message flow with role_reason 'echo-request'", *on_flow(is_message, "role_reason", "echo-request")),
    ("tcp flow with role_reason 'init'", *on_flow(lambda f: f["proto"] == "tcp", "role_reason", "init")),
    ("udp flow with role_reason 'first-sender'", *on_flow(lambda f: f["proto"] == "udp", "role_reason", "first-sender")),
    ("tcp flow with an icmp object", *on_flow(lambda f: f["proto"] == "tcp", "icmp", {"kind": "echo", "id": 1})),
    ("icmp flow with icmp null", *on_flow(is_echo, "icmp", None)),
    ("icmp echo id 65536", *on_flow(is_echo, "icmp", {"kind": "echo", "id": 65536})),
    ("icmp message without name", *on_flow(is_message, "icmp", {"kind": "message", "type": 3, "code": 1})),
    ("encap item 'VXLAN 42'", *on_flow(lambda f: True, "encap", ["VXLAN 42"])),
    ("encap item 'ipip:4'", *on_flow(lambda f: True, "encap", ["ipip:4"])),
    ("icmp_errors item with 0 packets", has_icmp_error, set_error_packets),
    ("icmp_errors item of the other IP version",
     *on_flow(lambda f: f["ip_version"] == 4 and f["proto"] == "udp", "icmp_errors",
              [{"proto": "icmpv6", "type": 1, "code": 4, "name": "port-unreachable", "packets": 1, "bytes": 90}])),
    ("icmp_errors item without bytes",
     *on_flow(lambda f: f["ip_version"] == 4 and f["proto"] == "udp", "icmp_errors",
              [{"proto": "icmp", "type": 3, "code": 3, "name": "port-unreachable", "packets": 1}])),
    ("tunnel in encap with decap false", lambda f: f["proto"] == "tcp", no_decap_with_vxlan),
    ("udp flow with a tcp object", *on_flow(lambda f: f["proto"] == "udp", "tcp", TCP_OBJECT)),
    ("tcp flow with tcp null", *on_flow(is_tcp, "tcp", None)),
    ("follows set with start_reason first-packet",
     *on_flow(lambda f: f["start_reason"] == "first-packet", "follows", 1)),
    ("follows null with a later start_reason",
     *on_flow(lambda f: f["start_reason"] != "first-packet", "follows", None)),
    ("udp flow with quality midstream", *on_flow(lambda f: f["proto"] == "udp", "quality", ["midstream"])),
    ("udp flow with start_reason syn-new-isn",
     *on_flow(lambda f: f["proto"] == "udp" and f["follows"] is not None, "start_reason", "syn-new-isn")),
    ("quality flag repeated",
     *on_flow(lambda f: f["packets"]["c2s"] > 0 and f["packets"]["s2c"] > 0, "quality", ["snaplen-cut", "snaplen-cut"])),
    ("one-sided flow without the one-sided flag", lambda f: "one-sided" in f["quality"], drop_quality("one-sided")),
    ("two-sided flow flagged one-sided",
     *on_flow(lambda f: f["packets"]["c2s"] > 0 and f["packets"]["s2c"] > 0, "quality", ["one-sided"])),
    ("unknown conn_state 'ESTABLISHED'", *on_tcp(is_tcp, ["conn_state"], "ESTABLISHED")),
    ("history with letter 'X'", *on_tcp(is_tcp, ["history"], "ShXd")),
    ("history with ^ not first", *on_tcp(is_tcp, ["history"], "S^h")),
    ("rtt_client without a SYN+ACK", *on_tcp(no_syn_ack, ["handshake", "rtt_client"], 0.001)),
    ("negative retransmissions", *on_tcp(is_tcp, ["retransmissions", "c2s"], -1)),
    ("encap item 'unknown'", *on_flow(lambda f: True, "encap", ["unknown"])),
    ("encap item 'vxlan-gpe' without VNI", *on_flow(lambda f: True, "encap", ["vxlan-gpe"])),
    ("encap item 'pim:1'", *on_flow(lambda f: True, "encap", ["pim:1"])),
]
for what, pred, mutate in flow_broken:
    target = flow_where(pred)
    if target is None:
        print(f"FAIL no valid report has a flow to break for the rejection check ({what})")
        failed = True
        continue
    doc, index = target
    doc = copy.deepcopy(doc)
    mutate(doc, index)
    if first_error(doc) is None:
        print(f"FAIL the schema accepts a broken document ({what})")
        failed = True
    else:
        print(f"ok   rejects a broken document ({what}): {first_error(doc)}")

broken = [
    ("flow role_reason 'bogus'", setter(["flows", 0, "role_reason"], "bogus")),
    ("unknown top-level key", setter(["extra"], 1)),
    ("unknown key in a flow's client", setter(["flows", 0, "client", "extra"], 1)),
    ("missing summary", deleter(["summary"])),
    ("schema_version 2", setter(["schema_version"], 2)),
    ("server port 65536", setter(["flows", 0, "server", "port"], 65536)),
    ("negative packet count", setter(["summary", "packets"], -1)),
    ("time without fraction", setter(["flows", 0, "first_seen"], "2024-01-01T00:00:00Z")),
    ("unknown skip reason", setter(["summary", "skipped", "reasons", "bogus"], 0)),
    ("missing skip reason", deleter(["summary", "skipped", "reasons", "non_ip"])),
    ("unknown ephemeral profile", setter(["flows", 0, "client", "ephemeral"], ["plan9"])),
    ("encap without id", setter(["flows", 0, "encap"], ["vlan"])),
    ("proto 256", setter(["flows", 0, "proto"], 256)),
    ("old skip reason name 'fragment'", rename_key(["summary", "skipped", "reasons"], "orphan_fragment", "fragment")),
    ("max_flows 0", setter(["settings", "max_flows"], 0)),
    ("missing settings.decap", deleter(["settings", "decap"])),
    ("skipped link type named 'USB LINUX'", skipped_linktype("USB LINUX")),
    ("unsupported_link_type packets without link_types", skipped_linktype(None)),
    ("missing summary.fragments", deleter(["summary", "fragments"])),
    ("missing flow key icmp_errors", deleter(["flows", 0, "icmp_errors"])),
    ("inputs[].filtered without settings.filter",
     setter(["inputs", 0, "filtered"], {"packets": 0, "bytes": 0})),
    ("settings.filter without inputs[].filtered", setter(["settings", "filter"], "tcp")),
    ("settings.select that selects nothing",
     setter(["settings", "select"], {"services": [], "ports": [], "hosts": []})),
    ("expectations item without holds",
     setter(["expectations"], [{"expression": "flows > 1", "source": "--expect", "found": "3"}])),
    ("expectations empty", setter(["expectations"], [])),
    ("live input without capture_stats", setter(["inputs", 0, "format"], "live")),
    ("settings.profile 'bro'", setter(["settings", "profile"], "bro")),
    ("idle timeout 0 (none is null)", setter(["settings", "idle_timeouts", "tcp"], 0)),
    ("active_timeouts without other", deleter(["settings", "active_timeouts", "other"])),
    ("missing settings.syn_new_isn_starts_flow", deleter(["settings", "syn_new_isn_starts_flow"])),
    ("negative inputs[].duplicates", setter(["inputs", 0, "duplicates"], -1)),
    ("missing inputs[].timestamps_backwards", deleter(["inputs", 0, "timestamps_backwards"])),
    ("unknown start_reason 'syn'", setter(["flows", 0, "start_reason"], "syn")),
    ("missing flow key payload_bytes", deleter(["flows", 0, "payload_bytes"])),
    ("unknown quality flag", setter(["flows", 0, "quality"], ["lossy"])),
    ("file input with capture_stats",
     setter(["inputs", 0, "capture_stats"], {"received": 1, "dropped": 0, "if_dropped": 0})),
]
if sample.get("clients"):
    broken.append(("client with the old key in_ephemeral_range",
                   rename_key(["clients", 0], "flows_in_ephemeral_range", "in_ephemeral_range")))
for what, mutate in broken:
    doc = copy.deepcopy(sample)
    mutate(doc)
    if first_error(doc) is None:
        print(f"FAIL the schema accepts a broken document ({what})")
        failed = True
    else:
        print(f"ok   rejects a broken document ({what}): {first_error(doc)}")

sys.exit(1 if failed else 0)
PY

exit "$fail"
