#!/bin/bash
# Live capture of real traffic: a TCP server (port 80) and a UDP responder (port 53) in one
# namespace, clients in another, over IPv4 and IPv6 on a veth pair. Three captures run at once:
#  - on the server's veth0, JSON, with a BPF filter, stopped by SIGINT: flows, roles, services,
#    ephemeral labels and the kernel's counters are checked;
#  - on the client's "any" interface, text, stopped by SIGTERM;
#  - on the client's veth0 with -c 2 and a udp filter: it stops by itself after 2 packets.
# Skipped (77) without root or network namespaces.
. "$(dirname "$0")/lib.sh"

need_namespaces
make_link
start_servers "$NS_SRV"
start_capture srv "$NS_SRV" -i veth0 --json 'tcp or udp'
start_capture any "$NS_CLI" -i any -s 256 # small ring frames: see sigint.sh
start_capture count "$NS_CLI" -i veth0 -c 2 udp and host "$SRV4"

run_clients "$NS_CLI" "$SRV4" "$SRV6"

stop_capture count
[ "$CAPTURE_STATUS" = 0 ] || fail "-c 2: exit status $CAPTURE_STATUS, expected 0"
grep -q "^Totals: 2 packets" "$work/count.out" || fail "-c 2: report does not have 2 packets"
grep -q "udp .*192.0.2.1:53 .*domain (dns) .* 1/1 " "$work/count.out" ||
    fail "-c 2: the udp flow is missing from the report"

stop_capture srv INT
[ "$CAPTURE_STATUS" = 0 ] || fail "server capture: exit status $CAPTURE_STATUS, expected 0"
stop_capture any TERM
[ "$CAPTURE_STATUS" = 0 ] || fail "any capture: exit status $CAPTURE_STATUS, expected 0"

python3 - "$work/srv.out" <<'PY' || fail "server capture: report check failed"
import json
import sys

report = json.load(open(sys.argv[1]))
inp = report["inputs"][0]
assert inp["path"] == "veth0" and inp["format"] == "live", inp
assert inp["link_types"] == ["EN10MB"] and inp["complete"] and inp["error"] is None, inp
stats = inp["capture_stats"]
assert stats["dropped"] == 0, stats
# Not equal: the kernel also counts packets libpcap discards while it installs the filter.
assert stats["received"] >= inp["packets"], (stats, inp["packets"])
assert report["summary"]["skipped"]["packets"] == 0, report["summary"]
flows = report["flows"]
seen = {(f["proto"], f["ip_version"]) for f in flows}
assert seen == {("tcp", 4), ("udp", 4), ("tcp", 6), ("udp", 6)}, seen
for f in flows:
    want_client = "192.0.2.2" if f["ip_version"] == 4 else "2001:db8::2"
    want_server = "192.0.2.1" if f["ip_version"] == 4 else "2001:db8::1"
    assert f["client"]["ip"] == want_client and f["server"]["ip"] == want_server, f
    c = f["client"]
    assert 50000 <= c["port"] <= 50999, c
    assert c["port_class"] == "dynamic" and c["in_ephemeral_range"], c
    assert "iana" in c["ephemeral"] and "linux" in c["ephemeral"], c
    if f["proto"] == "tcp":
        assert f["server"]["port"] == 80 and f["server"]["service"] == "http", f
        assert f["role_reason"] == "syn", f
        assert f["packets"]["c2s"] >= 4 and f["packets"]["s2c"] >= 4, f
    else:
        assert f["server"]["port"] == 53 and f["server"]["service"] == "domain", f
        assert f["server"]["service_alias"] == "dns", f
        assert f["role_reason"] == "service", f
        assert f["packets"] == {"c2s": 1, "s2c": 1}, f
services = {(s["proto"], s["port"]): s for s in report["services"]}
assert services[("tcp", 80)]["flows"] == 2 and services[("udp", 53)]["flows"] == 2, services
print("ok   server capture: 4 flows, roles, services, ephemeral labels, capture_stats")
PY

# The live input entry against the schema (file reports are checked by tests/validate-schema.sh).
if python3 -c 'import jsonschema; jsonschema.Draft202012Validator' >/dev/null 2>&1; then
    python3 - "$live_dir/../../doc/json-schema-v1.json" "$work/srv.out" <<'PY' ||
import json
import sys

import jsonschema

schema, report = (json.load(open(p)) for p in sys.argv[1:])
validator = jsonschema.Draft202012Validator({**schema["$defs"]["input"], "$defs": schema["$defs"]})
errors = [e.message for e in validator.iter_errors(report["inputs"][0])]
assert not errors, errors
print("ok   the live input entry is valid against doc/json-schema-v1.json")
PY
        fail "the live input entry does not match the schema"
fi

out=$work/any.out
grep -q "^  any: live, link type LINUX_SLL2\?, " "$out" || fail "any: no live input line"
grep -q "^    kernel: [0-9]* packets received, 0 dropped" "$out" ||
    fail "any: no kernel counters in the report"
for want in "tcp .*192.0.2.2:50[0-9]* .*192.0.2.1:80 .*http" \
    "udp .*192.0.2.2:50[0-9]* .*192.0.2.1:53 .*domain (dns)" \
    "tcp .*\[2001:db8::2\]:50[0-9]* .*\[2001:db8::1\]:80 .*http" \
    "udp .*\[2001:db8::2\]:50[0-9]* .*\[2001:db8::1\]:53 .*domain (dns)"; do
    grep -q "$want" "$out" || fail "any: no flow line matching '$want'"
done
echo "ok   any capture: text report with the four flows"
echo "ok   -c 2 stopped by itself"
