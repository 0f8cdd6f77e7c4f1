#!/bin/bash
# Validates portscope's JSON report against doc/json-schema-v1.json: the output for every capture
# in samples/, every tests/golden/*.json and the JSON golden outputs listed in tests/golden/TESTLIST. Also checks that the schema rejects broken documents,
# so a schema that accepts everything cannot pass.
# Likewise the jsonl stream (--format jsonl): every line of it for every sample and of the jsonl
# golden outputs of TESTLIST against #/$defs/jsonl_line, the order of the lines (header first,
# summary last, flows between), what the lines say about each other, and that it tells the same
# story as the JSON report of the same sample.
#
# Environment: PORTSCOPE (default ./portscope, relative to the build directory we run in),
# srcdir (default: the repository this script is in). Needs python3 with the jsonschema module
# (Debian: python3-jsonschema, 4.0 or later for draft 2020-12); exits 77 (skipped) without it.
. "$(dirname "$0")/lib.sh"
set -e
srcdir=${srcdir:-$top}
schema=$srcdir/doc/json-schema-v1.json

need python3
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

tmp=$work

# Triples of (kind, label, file) for the validator: kind json (a report), jsonl (a whole stream)
# or jsonl-cut (a stream that may lack its summary line: no input could be read). A sample's jsonl
# stream is checked against its report as "jsonl=REPORT". A capture portscope failed on is
# reported here.
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
    args+=(json "$label" "$out")
    rc=0
    "$bin" -r "$cap" --format jsonl -o "$tmp/$n.jsonl" 2>"$tmp/$n.err" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL $label (jsonl): portscope exited with status $rc: $(head -n 1 "$tmp/$n.err")"
        fail=1
        continue
    fi
    # A stream has iana's range in force where the report has each host's own (--ephemeral auto,
    # the default): its story is that of the report under iana.
    "$bin" -r "$cap" --json --ephemeral iana -o "$tmp/$n.iana.json" 2>"$tmp/$n.err" || true
    args+=("jsonl=$tmp/$n.iana.json" "$label (jsonl)" "$tmp/$n.jsonl")
done
if [ "$n" -eq 0 ]; then
    echo "FAIL no captures found in $srcdir/samples"
    exit 1
fi
# Golden outputs: any tests/golden/*.json, and the NAME.out of every TESTLIST entry run with
# --json that wrote a report (an entry whose inputs all failed writes nothing), or with
# --format jsonl that wrote something (a usage error writes nothing; when no input could be read,
# exit status 3, the stream is the header alone).
for golden in "$srcdir"/tests/golden/*.json; do
    args+=(json "tests/golden/$(basename "$golden")" "$golden")
done
if [ -f "$srcdir/tests/golden/TESTLIST" ]; then
    while read -r name status rest; do
        case $name in '' | '#'*) continue ;; esac
        case " $rest " in
        *' --json '* | *' --format json '* | *' --format=json '*) kind=json ;;
        *' --format jsonl '* | *' --format=jsonl '*)
            case $status in 0 | 1) kind=jsonl ;; *) kind=jsonl-cut ;; esac ;;
        *) continue ;;
        esac
        golden=$srcdir/tests/golden/$name.out
        if [ -s "$golden" ]; then
            args+=("$kind" "tests/golden/$name.out" "$golden")
        fi
    done <"$srcdir/tests/golden/TESTLIST"
fi

python3 - "$schema" "${args[@]}" <<'PY' || fail=1
import copy
import json
import re
import sys

import jsonschema

schema_path, triples = sys.argv[1], sys.argv[2:]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
cls = jsonschema.Draft202012Validator
try:
    cls.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    print(f"FAIL {schema_path}: not a valid draft 2020-12 schema: {e.message}")
    sys.exit(1)
validator = cls(schema, format_checker=jsonschema.FormatChecker())


def first_error(doc, against=validator):
    """None when doc is valid, else the best error as 'where: message'."""
    error = jsonschema.exceptions.best_match(against.iter_errors(doc))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"


failed = False
sample = None
valid = []
jsonl_files = []
for kind, label, path in zip(triples[0::3], triples[1::3], triples[2::3]):
    if kind != "json":
        jsonl_files.append((kind, label, path))
        continue
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
    ("a flow with a jsonl line's \"type\"", setter(["flows", 0, "type"], "flow")),
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
if sample.get("services"):
    broken.append(("missing services[].service_other", deleter(["services", 0, "service_other"])))
    broken.append(("services[].service_other with a null name",
                   setter(["services", 0, "service_other"], [None])))
    broken.append(("services[].service_other without service",
                   lambda doc: doc["services"][0].update(service=None, service_alias=None,
                                                         service_other=["urd"])))
for what, mutate in broken:
    doc = copy.deepcopy(sample)
    mutate(doc)
    if first_error(doc) is None:
        print(f"FAIL the schema accepts a broken document ({what})")
        failed = True
    else:
        print(f"ok   rejects a broken document ({what}): {first_error(doc)}")

# The jsonl stream: every line against #/$defs/jsonl_line, with the schema's root as the base that
# its references resolve against.
line_validator = cls({"$ref": "#/$defs/jsonl_line", "$defs": schema["$defs"]},
                     format_checker=jsonschema.FormatChecker())
tunnel_validator = cls({"$ref": "#/$defs/tunnel_encap", "$defs": schema["$defs"]})
TIME = re.compile(r'"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.([0-9]+)Z"')


# One validator per kind of line, for the messages: best_match of a oneOf names some branch.
kind_validators = {kind: cls({"$ref": f"#/$defs/jsonl_{kind}", "$defs": schema["$defs"]},
                             format_checker=jsonschema.FormatChecker())
                   for kind in ("header", "flow", "interval", "summary")}


def line_error(obj):
    """None when obj is a valid jsonl line, else the best error as 'where: message'."""
    message = first_error(obj, line_validator)
    if message is None:
        return None
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind not in kind_validators:
        return "(root): no \"type\"" if kind is None else f"(root): unknown \"type\" {kind!r}"
    return f"{kind} line: " + (first_error(obj, kind_validators[kind]) or message)


def compact(line):
    """True when the line has no whitespace outside strings."""
    in_string = escaped = False
    for ch in line:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in " \t\r\n":
            return False
    return True


def stream_problems(lines, complete=True):
    """What is wrong with a stream of schema-valid lines (raw text, object) as a whole; [] if nothing."""
    problems = []
    types = [obj["type"] for _, obj in lines]
    if not types or types[0] != "header":
        problems.append("the first line is not a header")
    if types.count("header") != 1:
        problems.append(f"{types.count('header')} header lines")
    if types.count("summary") > 1 or ("summary" in types and types[-1] != "summary"):
        problems.append("a summary line that is not the last line")
    if complete and (not types or types[-1] != "summary"):
        problems.append("no summary line at the end")
    if problems:
        return problems
    header = lines[0][1]
    summary = lines[-1][1] if types[-1] == "summary" else None
    ids, counts, digits = set(), {"tcp": 0, "udp": 0, "other": 0}, 6
    snapshot = 0
    for n, (raw, obj) in enumerate(lines, 1):
        for fraction in TIME.findall(raw):
            if len(fraction) < digits:
                problems.append(f"line {n}: a time with {len(fraction)} fractional digits after one with {digits}")
            digits = max(digits, len(fraction))
        if obj["type"] == "flow":
            if obj["id"] in ids:
                problems.append(f"line {n}: flow id {obj['id']} written twice")
            if obj["follows"] is not None and obj["follows"] not in ids:
                problems.append(f"line {n}: follows {obj['follows']}, which no earlier line has")
            ids.add(obj["id"])
            counts[obj["proto"] if obj["proto"] in ("tcp", "udp") else "other"] += 1
            if not header["settings"]["decap"] and any(tunnel_validator.is_valid(e) for e in obj["encap"]):
                problems.append(f"line {n}: a tunnel in encap with settings.decap false")
        elif obj["type"] == "interval":
            snapshot += 1
            if obj["snapshot"] != snapshot:
                problems.append(f"line {n}: interval snapshot {obj['snapshot']}, expected {snapshot}")
            if obj["flows_written"] != len(ids):
                problems.append(f"line {n}: flows_written {obj['flows_written']} after {len(ids)} flow lines")
    if summary is not None:
        paths = [i["path"] for i in summary["inputs"]]
        if paths != header["inputs"]:
            problems.append(f"the summary's inputs {paths} are not the header's {header['inputs']}")
        flows = summary["summary"]["flows"]
        # A selection (--port, ...) writes fewer flow lines; the summary still counts them all.
        if header["settings"].get("select"):
            if flows["total"] < len(ids) or any(flows[k] < v for k, v in counts.items()):
                problems.append(f"summary.flows {flows} counts fewer than the {len(ids)} flow lines {counts}")
        elif flows["total"] != len(ids) or any(flows[k] != v for k, v in counts.items()):
            problems.append(f"summary.flows {flows} does not count the {len(ids)} flow lines {counts}")
        filtered = ["filtered" in i for i in summary["inputs"]]
        if "filter" in header["settings"] and not all(filtered):
            problems.append("settings.filter without inputs[].filtered")
        if "filter" not in header["settings"] and any(filtered):
            problems.append("inputs[].filtered without settings.filter")
    return problems


def to_microseconds(value):
    """value as JSON text with every time cut to 6 fractional digits and durations rounded to them:
    a stream's lines written before a nanosecond input was opened have 6 where the report has 9."""
    if isinstance(value, dict):
        value = {k: round(v, 6) if k == "duration" else v for k, v in value.items()}
    text = json.dumps(value, sort_keys=True)
    return TIME.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] + m.group(1)[:6] + "Z\"", text)


def flow_story(flow):
    """A flow without what the stream numbers or labels differently: id, follows, start_reason."""
    return to_microseconds({k: v for k, v in flow.items() if k not in ("type", "id", "follows", "start_reason")})


def report_differences(lines, report):
    """Where a sample's stream and its JSON report disagree; [] when they tell the same story."""
    header, summary = lines[0][1], lines[-1][1]
    problems = []
    if header["settings"] != report["settings"]:
        problems.append("the header's settings differ from the report's")
    if header["inputs"] != [i["path"] for i in report["inputs"]]:
        problems.append("the header's inputs differ from the report's")
    if summary["inputs"] != report["inputs"]:
        if to_microseconds(summary["inputs"]) == to_microseconds(report["inputs"]):
            problems.append("the summary line's input times have 6 fractional digits where the report's have 9 "
                            "(the summary line comes after every input was read: it must keep their nanoseconds)")
        else:
            problems.append("the summary line's inputs differ from the report's")
    if summary["summary"] != report["summary"]:
        problems.append("the summary line's summary differs from the report's")
    streamed = sorted(flow_story(obj) for _, obj in lines if obj["type"] == "flow")
    if streamed != sorted(flow_story(f) for f in report["flows"]):
        problems.append("the flow lines are not the report's flows")
    return problems


stream_sample = None
for kind, label, path in jsonl_files:
    lines, bad = [], False
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"FAIL {label}: {e}")
        failed = True
        continue
    if not text.endswith("\n"):
        print(f"FAIL {label}: the last line does not end with a newline")
        bad = True
    for n, raw in enumerate(text.split("\n")[:-1], 1):
        try:
            obj = json.loads(raw)
        except ValueError as e:
            print(f"FAIL {label}: line {n}: not JSON: {e}")
            bad = True
            continue
        if not isinstance(obj, dict) or next(iter(obj), None) != "type":
            print(f"FAIL {label}: line {n}: not an object whose first member is \"type\"")
            bad = True
            continue
        if not compact(raw):
            print(f"FAIL {label}: line {n}: not compact (whitespace outside strings)")
            bad = True
        message = line_error(obj)
        if message is not None:
            print(f"FAIL {label}: line {n} ({obj['type']}): {message}")
            bad = True
            continue
        lines.append((raw, obj))
    if bad:
        failed = True
        continue
    problems = stream_problems(lines, complete=kind != "jsonl-cut")
    if kind.startswith("jsonl=") and not problems:
        with open(kind[len("jsonl="):], encoding="utf-8") as f:
            problems = report_differences(lines, json.load(f))
    if problems:
        print(f"FAIL {label}: " + "; ".join(problems))
        failed = True
        continue
    print(f"ok   {label}: {len(lines)} lines")
    if stream_sample is None and any(obj["type"] == "flow" for _, obj in lines) and lines[-1][1]["type"] == "summary":
        stream_sample = lines

# The stream's schema and checks must reject what is wrong, too.
if stream_sample is None:
    print("FAIL no valid jsonl stream with flows to break for the rejection checks")
    sys.exit(1)
objs = [obj for _, obj in stream_sample]
first_flow = next(obj for obj in objs if obj["type"] == "flow")


def without(obj, key):
    return {k: v for k, v in obj.items() if k != key}


line_broken = [
    ("flow line without \"type\"", without(first_flow, "type")),
    ("summary line with a services key", {**objs[-1], "services": []}),
    ("flow line with type 'summary'", {**first_flow, "type": "summary"}),
    ("flow line with an unknown key", {**first_flow, "clients": []}),
    ("header line whose inputs are input objects", {**objs[0], "inputs": objs[-1]["inputs"]}),
    ("header line without settings", without(objs[0], "settings")),
    ("interval line without flows_written",
     {"type": "interval", "snapshot": 1, "elapsed_ms": 1000, "packets": 0, "bytes": 0}),
    ("interval line with snapshot 0",
     {"type": "interval", "snapshot": 0, "elapsed_ms": 0, "packets": 0, "bytes": 0, "flows_written": 0}),
    ("a whole report as a line", {"type": "summary", **(sample if sample else {})}),
]
for what, obj in line_broken:
    message = line_error(obj)
    if message is None:
        print(f"FAIL the schema accepts a broken jsonl line ({what})")
        failed = True
    else:
        print(f"ok   rejects a broken jsonl line ({what}): {message}")

flow_index = next(i for i, (_, obj) in enumerate(stream_sample) if obj["type"] == "flow")
order_broken = [
    ("no header line", stream_sample[1:]),
    ("no summary line", stream_sample[:-1]),
    ("the summary line before a flow line", stream_sample[:1] + stream_sample[-1:] + stream_sample[1:-1]),
    ("a flow line written twice", stream_sample[:flow_index + 1] + stream_sample[flow_index:]),
    ("a flow line missing", stream_sample[:flow_index] + stream_sample[flow_index + 1:]),
]
for what, lines in order_broken:
    problems = stream_problems(lines)
    if not problems:
        print(f"FAIL the stream checks accept a broken stream ({what})")
        failed = True
    else:
        print(f"ok   rejects a broken stream ({what}): {problems[0]}")

sys.exit(1 if failed else 0)
PY

exit "$fail"
