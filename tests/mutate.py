#!/usr/bin/env python3
"""Mutation runs: break the code on purpose in one small way, see which tests go red, put it back.

Each mutation below replaces one piece of text of one source file (found exactly once) by another,
rebuilds, runs `make check` (or the tests named with --tests) and reports the tests that failed:
"caught" when any did, "SURVIVED" when none did, "no build" when the mutated code does not
compile. The file is put back byte for byte afterwards, also on an interrupt or an error, and the
tree rebuilt, so a run leaves the tree as it found it. tests/README.md keeps the table of the
mutations tried and the tests that caught each.

Not part of `make check`: each mutation costs a build and a whole test run (about a minute).

  python3 tests/mutate.py --list             the mutations, by id
  python3 tests/mutate.py --check            each mutation's text is still found exactly once
  python3 tests/mutate.py                    every mutation
  python3 tests/mutate.py ID... [--tests T]  some of them; T: make check's TESTS (default all)
  python3 tests/mutate.py --area timeouts    the mutations of one area

Run from a configured, built tree (./configure && make). Python 3 standard library only.
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time
from collections import namedtuple

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# area, file, function, id, what the mutation does, the text, what it becomes.
Mutation = namedtuple("Mutation", "area file function id description old new")

M = Mutation
MUTATIONS = [
    # The report's tables
    M("hash", "src/report/report_gather.c", "report_host_home", "host-hash-constant",
      "client host hash replaced by a constant",
      "return hash_slot(ps_hash2(w[0], w[1] ^ family, secret), n_slots);",
      "return hash_slot(0x9e3779b97f4a7c15ULL, n_slots);"),
    M("hash", "src/report/report_gather.c", "report_pair_home", "pair-hash-constant",
      "the distinct counts' pair hash replaced by a constant",
      "return hash_slot(ps_hash2(pair, 0, secret), n_slots);",
      "return hash_slot(0x9e3779b97f4a7c15ULL, n_slots);"),
    # The role ladder
    M("roles", "src/report/report_roles.c", "decide_roles", "role-open-flip",
      "the opener taken as the server",
      "rf->client = open0 ? 0 : 1;", "rf->client = open0 ? 1 : 0;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-accept-flip",
      "the accepter taken as the client",
      "rf->client = accept0 ? 1 : 0;", "rf->client = accept0 ? 0 : 1;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-service-flip",
      "the named port taken as the client's",
      "rf->client = named0 ? 1 : 0;", "rf->client = named0 ? 0 : 1;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-ephemeral-flip",
      "the ephemeral port taken as the server's",
      "rf->client = eph0 ? 0 : 1;", "rf->client = eph0 ? 1 : 0;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-lower-port-flip",
      "the higher port taken as the server's",
      "rf->client = p0 < p1 ? 1 : 0;", "rf->client = p0 > p1 ? 1 : 0;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-symmetric-endpoint0",
      "equal ports: endpoint 0 instead of the first sender",
      "rf->client = f->first_sender;\n        rf->reason = REPORT_ROLE_SYMMETRIC;",
      "rf->client = 0;\n        rf->reason = REPORT_ROLE_SYMMETRIC;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-first-sender-endpoint0",
      "no ports: endpoint 0 instead of the first sender",
      "rf->client = f->first_sender;\n        rf->reason = REPORT_ROLE_FIRST_SENDER;",
      "rf->client = 0;\n        rf->reason = REPORT_ROLE_FIRST_SENDER;"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-ephemeral-before-service",
      "the ephemeral rung asked before the service rung",
      "if (named0 != named1) {", "if (named0 != named1 && eph0 == eph1) {"),
    M("roles", "src/report/report_roles.c", "decide_roles", "role-labels-server-port",
      "client_ephemeral from the server's port",
      "ports_ephemeral_mask(f->key.port[rf->client])",
      "ports_ephemeral_mask(f->key.port[!rf->client])"),
    M("roles", "src/flow/flow_table.c", "flow_table_add_prepared", "role-hint-accept-dropped",
      "a SYN+ACK no longer recorded as evidence",
      "f->role_seen |= FLOW_ACCEPT_FROM(sender);", "(void)0;"),
    # Accounting and skip reasons
    M("accounting", "src/analyze/analyze.c", "finish_packet", "acct-flow-bytes",
      "a packet in a flow not counted in in_flows.bytes",
      "t->flow_packets++;\n        t->flow_bytes += p->fp.wire_len;",
      "t->flow_packets++;"),
    M("accounting", "src/analyze/analyze.c", "finish_packet", "acct-skipped-bytes",
      "a skipped packet's bytes not counted",
      "t->skipped_bytes[outcome] += p->fp.wire_len;", "(void)0;"),
    M("accounting", "src/analyze/analyze.c", "finish_packet", "acct-linktype-by-name",
      "packets of an unsupported link type not counted by link type",
      "count_skipped_linktype(t, p->linktype, p->fp.wire_len);", "(void)0;"),
    M("accounting", "src/analyze/analyze.c", "analyzer_finish", "acct-orphan-bytes",
      "orphan fragments' bytes taken from the held ones",
      "a->totals.skipped_bytes[PS_SKIP_FRAGMENT] = s->orphan_bytes;",
      "a->totals.skipped_bytes[PS_SKIP_FRAGMENT] = s->held_bytes;"),
    M("accounting", "src/analyze/analyze.c", "analyzer_finish", "acct-no-flush",
      "fragments still held at the end not made orphans",
      "frag_table_flush(a->frags);", "(void)0;"),
    M("accounting", "src/analyze/analyze.c", "analyzer_finish", "acct-evicted",
      "evicted fragment datagrams not reported",
      "a->totals.fragments_evicted = s->evicted;", "(void)0;"),
    M("accounting", "src/analyze/analyze.c", "attribute_icmp_error", "acct-icmp-error-sender",
      "an ICMP error counted as sent by the side it answers",
      "flow_table_account(a->table, f, answering, fp, NULL);",
      "flow_table_account(a->table, f, !answering, fp, NULL);"),
    M("accounting", "src/analyze/analyze.c", "note_capture_quality", "acct-duplicates",
      "duplicate packets not counted",
      "in->duplicates++;", "(void)0;"),
    M("accounting", "src/analyze/analyze.c", "note_capture_quality", "acct-backwards-equal",
      "equal timestamps counted as going backwards",
      "if (pkt->ts < a->last_ts)", "if (pkt->ts <= a->last_ts)"),
    M("accounting", "src/decode/decode_transport.c", "decode_tcp", "acct-tcp-offset-truncated",
      "a TCP data offset below 5 counted as truncated, not invalid",
      "if (data_offset >> 4 < TCP_MIN_HEADER / 4)\n        return PS_SKIP_INVALID_TRANSPORT;",
      "if (data_offset >> 4 < TCP_MIN_HEADER / 4)\n        return PS_SKIP_TRUNC_TRANSPORT;"),
    # Ephemeral ranges
    M("ephemeral", "src/ports/ports.c", "ports_ephemeral_profiles", "eph-linux-top",
      "the linux profile ends at 61000 (linux-old's top)",
      '{"linux", 32768, 60999},', '{"linux", 32768, 61000},'),
    M("ephemeral", "src/ports/ports.c", "ports_ephemeral_profiles", "eph-windows-xp-bottom",
      "the windows-xp profile starts at 1024",
      '{"windows-xp", 1025, 5000},', '{"windows-xp", 1024, 5000},'),
    M("ephemeral", "include/ports.h", "port_range_contains", "eph-contains-top",
      "a range's top port left out",
      "return port >= r->lo && port <= r->hi;", "return port >= r->lo && port < r->hi;"),
    M("ephemeral", "include/ports.h", "port_range_contains", "eph-contains-bottom",
      "a range's bottom port left out",
      "return port >= r->lo && port <= r->hi;", "return port > r->lo && port <= r->hi;"),
    M("ephemeral", "src/ports/ports.c", "ports_parse_ephemeral", "eph-parse-single-port",
      "a range of one port (LO == HI) refused",
      "if (lo > hi) {", "if (lo >= hi) {"),
    M("ephemeral", "src/ports/ports.c", "ports_ephemeral_mask", "eph-mask-bit",
      "each profile's bit one place up",
      "mask |= UINT32_C(1) << i;", "mask |= UINT32_C(1) << (i + 1);"),
    M("ephemeral", "src/report/report_gather.c", "gather_flow", "eph-host-profiles-union",
      "a client host's profiles those of any port, not of every port",
      "c->ephemeral_all &= it->client_ephemeral;", "c->ephemeral_all |= it->client_ephemeral;"),
    M("ephemeral", "src/report/report_gather.c", "gather_flow", "eph-host-in-range",
      "a client host's flows in the range in force not counted",
      "c->in_range++;", "(void)0;"),
    M("ephemeral", "src/output/output_json_flows.c", "put_endpoint", "eph-json-in-range-server",
      "in_ephemeral_range of the client's endpoint from the server's port",
      "p = jw_put_bool(p, ports && port_range_contains(&r->settings.ephemeral, f->key.port[e]));",
      "p = jw_put_bool(p, ports && port_range_contains(&r->settings.ephemeral, f->key.port[!e]));"),
    # Port classes
    M("classes", "src/ports/ports.c", "ports_class", "class-well-known-top",
      "port 1023 not well-known",
      "if (port <= 1023)", "if (port < 1023)"),
    M("classes", "src/ports/ports.c", "ports_class", "class-registered-top",
      "port 49152 registered",
      "if (port <= 49151)", "if (port <= 49152)"),
    M("classes", "src/ports/ports.c", "ports_class_name", "class-dynamic-name",
      "dynamic ports named registered",
      'return "dynamic";', 'return "registered";'),
    # The fragment table
    M("fragments", "src/frag/frag_table.c", "find", "frag-timeout-at",
      "a datagram forgotten at exactly the timeout",
      "(uint64_t)ts - (uint64_t)e->last_seen > (uint64_t)t->timeout",
      "(uint64_t)ts - (uint64_t)e->last_seen >= (uint64_t)t->timeout"),
    M("fragments", "src/frag/frag_table.c", "insert", "frag-evict-newest",
      "a full table drops the newest datagram",
      "drop(t, t->oldest);\n    }", "drop(t, t->newest);\n    }"),
    M("fragments", "src/frag/frag_table.c", "find", "frag-no-lru-refresh",
      "a datagram seen again not made the most recent",
      "lru_unlink(t, i);\n        lru_push(t, i);\n        e->last_seen",
      "e->last_seen"),
    M("fragments", "src/frag/frag_table.c", "find", "frag-last-seen-backwards",
      "a fragment with an earlier time moves the datagram's last sight back",
      "e->last_seen = ts > e->last_seen ? ts : e->last_seen;", "e->last_seen = ts;"),
    M("fragments", "src/frag/frag_table.c", "make_key", "frag-key-no-proto",
      "the protocol left out of the datagram's key",
      "k->proto = frag->proto;", "(void)0;"),
    M("fragments", "src/frag/frag_table.c", "frag_table_first", "frag-held-first-seen",
      "held fragments earlier than the first do not move the flow's start",
      "if (e->held_first < f->first_seen)", "if (e->held_first > f->first_seen)"),
    M("fragments", "src/frag/frag_table.c", "frag_table_first", "frag-held-payload",
      "held fragments' payload bytes not moved to the flow",
      "f->payload_bytes[sender] += e->held_payload_bytes;", "(void)0;"),
    M("fragments", "src/frag/frag_table.c", "frag_table_later", "frag-held-first-order",
      "the earliest held fragment's time is the first one held",
      "if (e->held_packets == 0 || ts < e->held_first)", "if (e->held_packets == 0)"),
    M("fragments", "src/frag/frag_table.c", "frag_table_later", "frag-record-reused",
      "a datagram's flow record taken over by another flow not noticed",
      "(e->flow->gone || e->flow->id != e->flow_id)", "(e->flow->gone)"),
    # Timeouts and conn_state
    M("timeouts", "src/flow/flow_table.c", "restart_reason", "idle-at-timeout",
      "a flow ends at exactly its idle timeout",
      "if (lc->idle[c] != 0 && elapsed(f->last_seen, ts) > (uint64_t)lc->idle[c])",
      "if (lc->idle[c] != 0 && elapsed(f->last_seen, ts) >= (uint64_t)lc->idle[c])"),
    M("timeouts", "src/flow/flow_table.c", "restart_reason", "active-from-last",
      "the active timeout counted from the last packet",
      "elapsed(f->first_seen, ts) > (uint64_t)lc->active[c]",
      "elapsed(f->last_seen, ts) > (uint64_t)lc->active[c]"),
    M("timeouts", "src/flow/flow_lifecycle.c", "deadline", "deadline-active-from-last",
      "streaming: the active timeout's deadline from the last packet",
      "f->first_seen + t->lifecycle.active[c] < when)\n        when = f->first_seen",
      "f->last_seen + t->lifecycle.active[c] < when)\n        when = f->last_seen"),
    M("timeouts", "src/flow/flow_int.h", "tcp_closed", "closed-one-fin",
      "one FIN makes a connection closed",
      "(f->tcp.state[0] == TCP_CLOSED && f->tcp.state[1] == TCP_CLOSED)",
      "(f->tcp.state[0] == TCP_CLOSED || f->tcp.state[1] == TCP_CLOSED)"),
    M("timeouts", "src/flow/flow_lifecycle.c", "flow_lifecycle_zeek", "zeek-icmp-no-idle",
      "Zeek's preset without ICMP's idle timeout",
      "lc->idle[FLOW_CLASS_ICMP] = (ps_time)FLOW_ZEEK_IDLE_OTHER * 1000000000;", "(void)0;"),
    M("timeouts", "src/flow/flow_lifecycle.c", "flow_lifecycle_zeek", "zeek-close-delay",
      "Zeek's close delay of 6 s, not 5",
      "lc->tcp_close_delay = (ps_time)FLOW_ZEEK_CLOSE_DELAY * 1000000000;",
      "lc->tcp_close_delay = (ps_time)(FLOW_ZEEK_CLOSE_DELAY + 1) * 1000000000;"),
    M("timeouts", "src/flow/flow_table.c", "restart_reason", "new-isn-same-seq",
      "a SYN repeating its ISN taken for a new connection",
      "pkt->tcp_seq != f->tcp.base_seq[sender]", "pkt->tcp_seq == f->tcp.base_seq[sender]"),
    M("conn_state", "src/flow/flow_tcp.c", "flow_tcp_conn_state", "conn-rej-syn-ack",
      "a reset answering an originator's SYN+ACK not REJ",
      "if (os == TCP_SYN_SENT || os == TCP_SYN_ACK_SENT || (os == TCP_RESET && no_payload))",
      "if (os == TCP_SYN_SENT || (os == TCP_RESET && no_payload))"),
    M("conn_state", "src/flow/flow_tcp.c", "flow_tcp_conn_state", "conn-sh-s2",
      "SH and S2 swapped",
      "return r_inactive ? FLOW_CONN_SH : FLOW_CONN_S2;",
      "return r_inactive ? FLOW_CONN_S2 : FLOW_CONN_SH;"),
    M("conn_state", "src/flow/flow_tcp.c", "flow_tcp_conn_state", "conn-rstos0-rsto",
      "RSTOS0 and RSTO swapped",
      "return r_inactive ? FLOW_CONN_RSTOS0 : FLOW_CONN_RSTO;",
      "return r_inactive ? FLOW_CONN_RSTO : FLOW_CONN_RSTOS0;"),
    M("conn_state", "src/flow/flow_tcp.c", "flow_tcp_conn_state", "conn-s0-partial",
      "S0 when the responder sent midstream packets",
      "if (os == TCP_SYN_SENT && rs == TCP_INACTIVE)",
      "if (os == TCP_SYN_SENT && (rs == TCP_INACTIVE || rs == TCP_PARTIAL))"),
    M("conn_state", "src/flow/flow_tcp.c", "update_state", "conn-fin-after-rst",
      "a FIN after a RST closes instead of leaving it reset",
      "if (*mine != TCP_RESET)\n            *mine = TCP_CLOSED;", "*mine = TCP_CLOSED;"),
    M("conn_state", "src/flow/flow_tcp.c", "track_sequence", "retrans-same-end",
      "a segment ending where the last one ended not a retransmission",
      "(int32_t)(end - t->seq_end[sender]) <= 0", "(int32_t)(end - t->seq_end[sender]) < 0"),
    M("conn_state", "src/flow/flow_tcp.c", "letter_scaled", "history-tenth",
      "the 10th retransmission not lettered again",
      "while (count >= 10 && count % 10 == 0)", "while (count > 10 && count % 10 == 0)"),
    M("conn_state", "src/flow/flow_tcp.c", "flow_tcp_update", "rtt-ack-from-server",
      "the handshake's ACK taken from the side that did not open",
      "(f->role_seen & FLOW_OPEN_FROM(sender))", "(f->role_seen & FLOW_OPEN_FROM(!sender))"),
    M("conn_state", "src/report/report_roles.c", "decide_roles", "conn-state-of-server",
      "conn_state from the server's side",
      "flow_tcp_conn_state(f, rf->client)", "flow_tcp_conn_state(f, !rf->client)"),
    # Tunnel decoders
    M("tunnels", "src/decode/decode_link.c", "decode_ethernet", "vlan-id-with-priority",
      "VLAN id with the priority and DEI bits",
      "decode_record_encap(out, ENCAP_VLAN, true, tci & 0x0fff);",
      "decode_record_encap(out, ENCAP_VLAN, true, tci);"),
    M("tunnels", "src/decode/decode_link.c", "decode_ethernet", "vlan-no-9100",
      "the pre-standard QinQ type 0x9100 not a tag",
      "type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD", "type == ETHERTYPE_QINQ"),
    M("tunnels", "src/decode/decode_link.c", "decode_ethernet", "vlan-key-with-priority",
      "--vlan-in-key keys on the whole TCI",
      "out->vlan = tci & 0x0fff;", "out->vlan = tci;"),
    M("tunnels", "src/decode/decode_link.c", "decode_mpls", "mpls-one-label",
      "only the first label of a stack read",
      "} while (!(entry & 0x100));", "} while (0);"),
    M("tunnels", "src/decode/decode_link.c", "decode_mpls", "mpls-label-shift",
      "MPLS label with the traffic class bits",
      "decode_record_encap(out, ENCAP_MPLS, true, entry >> 12);",
      "decode_record_encap(out, ENCAP_MPLS, true, entry >> 9);"),
    M("tunnels", "src/decode/decode_link.c", "decode_mpls", "mpls-non-ip-invalid",
      "what follows a label stack and is not IP counted as invalid IP, not non-IP",
      "if (first >> 4 != 4 && first >> 4 != 6)\n        return PS_SKIP_NON_IP;\n", ""),
    M("tunnels", "src/decode/decode_link.c", "decode_pppoe_session", "pppoe-session-offset",
      "PPPoE session id read from the length field",
      "rd_peek_be16(r, 2, &session)", "rd_peek_be16(r, 4, &session)"),
    M("tunnels", "src/decode/decode_link.c", "decode_ppp_protocol", "ppp-no-ipv6",
      "PPP's IPv6 protocol number not decoded",
      "    case PPP_IPV6:\n        return decode_ipv6(r, out);\n", ""),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_gre", "gre-checksum",
      "GRE's checksum field not skipped",
      "if (flags & GRE_CHECKSUM)\n            header += 4;", "(void)0;"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_gre", "gre-no-key",
      "GRE's key not recorded",
      "decode_record_encap(out, ENCAP_GRE, flags & GRE_KEY, key);",
      "decode_record_encap(out, ENCAP_GRE, false, 0);"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_gre", "gre-enhanced-ack",
      "enhanced GRE's acknowledgment number not skipped",
      "(flags & GRE_ACK ? 4 : 0)", "0"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_vxlan", "vxlan-i-flag",
      "VXLAN without the I flag decoded",
      "if (!(flags & 0x08))\n        return PS_SKIP_INVALID_TRANSPORT;\n", ""),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_vxlan", "vxlan-vni",
      "the VNI with the reserved byte",
      "decode_record_encap(out, ENCAP_VXLAN, true, word >> 8);",
      "decode_record_encap(out, ENCAP_VXLAN, true, word);"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_geneve", "geneve-option-words",
      "Geneve's option length read in bytes, not 4-byte words",
      "8 + (size_t)(ver_optlen & 0x3f) * 4", "8 + (size_t)(ver_optlen & 0x3f)"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_geneve", "geneve-version",
      "Geneve of another version decoded",
      "if (ver_optlen >> 6 != 0)\n        return PS_SKIP_INVALID_TRANSPORT;\n", ""),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_gtpu", "gtpu-next-without-e",
      "GTP-U's next extension type followed without the E flag",
      "if (!(flags & 0x04))\n            next = 0;", "(void)0;"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_gtpu", "gtpu-optional-fields",
      "GTP-U's optional fields only with the E flag",
      "if (flags & 0x07) {", "if (flags & 0x04) {"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_ipv4", "ipip-kind",
      "IPv4 in IPv4 named 4in6",
      "out->family == 6 ? ENCAP_4IN6 : ENCAP_4IN4", "out->family == 6 ? ENCAP_4IN4 : ENCAP_4IN6"),
    M("tunnels", "src/decode/decode_tunnel.c", "enter", "tunnel-no-restore",
      "a tunnel whose inner packet fails keeps the half-decoded inner fields",
      "    *out = outer;\n    *r = saved;", "    *r = saved;"),
    M("tunnels", "src/decode/decode_tunnel.c", "inner_pim", "pim-any-message",
      "every PIM message taken for a Register",
      "if (ver_type != 0x21)", "if (ver_type >> 4 != 2)"),
    # Writers
    M("text", "src/output/output_text.c", "print_flow_notes", "text-retrans-swapped",
      "retransmissions' directions swapped in the text notes",
      "number, f->tcp.retrans[c], f->tcp.retrans[!c]);",
      "number, f->tcp.retrans[!c], f->tcp.retrans[c]);"),
    M("text", "src/output/output_text.c", "flow_row", "text-bytes-swapped",
      "bytes' directions swapped in the flow table",
      "human_bytes(f->bytes[c], b[0], sizeof(b[0]));",
      "human_bytes(f->bytes[s], b[0], sizeof(b[0]));"),
    M("text", "src/output/output_text.c", "flow_row", "text-range-marker-server",
      "the ephemeral-range mark from the server's port",
      "ports && port_range_contains(&r->settings.ephemeral, f->key.port[c]) ? \"*\" : \"\"",
      "ports && port_range_contains(&r->settings.ephemeral, f->key.port[s]) ? \"*\" : \"\""),
    M("text", "src/output/output_text.c", "print_header", "text-evicted-line",
      "the fragment table's evictions shown only from two",
      "if (t->fragments_evicted != 0)", "if (t->fragments_evicted > 1)"),
    M("text", "src/output/output_text.c", "client_row", "text-client-in-range",
      "a client host's flows in range shown as all its flows",
      '"%" PRIu64 "/%" PRIu64, c->in_range, c->flows);',
      '"%" PRIu64 "/%" PRIu64, c->flows, c->flows);'),
    M("json", "src/output/output_json_flows.c", "put_pair", "json-pair-swapped",
      "c2s and s2c swapped in every counter pair",
      "p = jw_put_int(p, (int64_t)by_endpoint[client]);",
      "p = jw_put_int(p, (int64_t)by_endpoint[!client]);"),
    M("json", "src/output/output_json_flows.c", "put_tcp", "json-fin-by-server",
      "the server's FIN taken from the client",
      "p = jw_put_bool(p, t->seen[s] & TCP_SEEN_FIN);",
      "p = jw_put_bool(p, t->seen[c] & TCP_SEEN_FIN);"),
    M("json", "src/output/output_json_flows.c", "put_service", "json-service-clients",
      "a service's clients written as its flows",
      "p = jw_put_int(p, (int64_t)s->clients);", "p = jw_put_int(p, (int64_t)s->flows);"),
    M("json", "src/output/output_json.c", "summary_value", "json-summary-evicted",
      "the summary's fragments.evicted always 0",
      "(json_int_t)t->fragments_evicted);", "(json_int_t)0);"),
    M("json", "src/output/json_writer.c", "put_string", "json-escape-del",
      "0x7f passed as printable, as jansson does not",
      "if (c >= 0x20 && c < 0x80 && c != '\"' && c != '\\\\') {",
      "if (c >= 0x20 && c <= 0x80 && c != '\"' && c != '\\\\') {"),
    M("jsonl", "src/output/output_jsonl.c", "report_jsonl_flow", "jsonl-udp-as-other",
      "jsonl: UDP flows counted as other",
      "w->udp++;", "w->other++;"),
    M("jsonl", "src/output/output_jsonl.c", "report_jsonl_flow", "jsonl-no-follows",
      "jsonl: a flow does not name the flow it follows",
      "rf.follows = f->prev;", "(void)0;"),
    M("jsonl", "src/output/output_jsonl.c", "output_jsonl_flow", "jsonl-unselected-written",
      "jsonl: flows outside --port/--host/--service written",
      "if (!report_flow_selected(&w->report, &rf, f))\n        return;",
      "if (!report_flow_selected(&w->report, &rf, f))\n        (void)0;"),
    M("csv", "src/output/output_csv.c", "lifecycle_cells", "csv-retrans-swapped",
      "CSV retransmissions' directions swapped",
      "csv_uint(o, t->retrans[c]);\n        csv_uint(o, t->retrans[s]);",
      "csv_uint(o, t->retrans[s]);\n        csv_uint(o, t->retrans[c]);"),
    M("csv", "src/output/output_csv.c", "lifecycle_cells", "csv-ip-bytes-swapped",
      "CSV ip_bytes' directions swapped",
      "csv_uint(o, f->ip_bytes[c]);\n    csv_uint(o, f->ip_bytes[s]);",
      "csv_uint(o, f->ip_bytes[s]);\n    csv_uint(o, f->ip_bytes[c]);"),
    M("csv", "src/output/output_csv.c", "csv_cell", "csv-line-break-unquoted",
      "a cell with a line break left unquoted",
      'strpbrk(s, ",\\"\\r\\n")', 'strpbrk(s, ",\\"")'),
    M("csv", "src/output/output_csv.c", "icmp_cells", "csv-icmp-type-code",
      "CSV icmp_type and icmp_code swapped",
      "csv_uint(o, v >> 8);\n        csv_uint(o, v & 0xff);",
      "csv_uint(o, v & 0xff);\n        csv_uint(o, v >> 8);"),
    # --expect
    M("expect", "src/expect/expect.c", "compare", "expect-le-strict",
      "<= compares as <", "return a <= b;", "return a < b;"),
    M("expect", "src/expect/expect.c", "compare", "expect-ge-strict",
      ">= compares as >", "return a >= b;", "return a > b;"),
    M("expect", "src/expect/expect.c", "compare", "expect-ne-as-eq",
      "!= compares as ==", "return a != b;", "return a == b;"),
    M("expect", "src/expect/expect.c", "counter_value", "expect-in-flows-bytes",
      "in_flows.bytes reads in_flows.packets",
      "case C_IN_FLOWS_BYTES:\n        return t->flow_bytes;",
      "case C_IN_FLOWS_BYTES:\n        return t->flow_packets;"),
    M("expect", "src/expect/expect.c", "counter_value", "expect-bytes",
      "bytes reads packets",
      "case C_BYTES:\n        return t->bytes;", "case C_BYTES:\n        return t->packets;"),
    M("expect", "src/expect/expect.c", "counter_value", "expect-skipped-bytes",
      "skipped.bytes reads skipped packets",
      "sum += e->counter == C_SKIPPED ? t->skipped_packets[i] : t->skipped_bytes[i];",
      "sum += t->skipped_packets[i];"),
    M("expect", "src/expect/expect.c", "counter_value", "expect-invalid-transport",
      "skipped.invalid leaves out invalid transport headers",
      "t->skipped_packets[PS_SKIP_INVALID_NETWORK] +\n"
      "               t->skipped_packets[PS_SKIP_INVALID_TRANSPORT];",
      "t->skipped_packets[PS_SKIP_INVALID_NETWORK];"),
    M("expect", "src/expect/expect.c", "counter_value", "expect-clients",
      "clients reads services",
      "case C_CLIENTS:\n        return r->n_clients;",
      "case C_CLIENTS:\n        return r->n_services;"),
    M("expect", "src/expect/expect.c", "counter_value", "expect-evicted",
      "fragments.evicted always 0",
      "return t->fragments_evicted;", "return 0;"),
    M("expect", "src/expect/expect.c", "check_presence", "expect-no-ignored",
      "'no' ignored when flows match",
      "return e->negated ? matches == 0 : matches > 0;", "return matches > 0;"),
    M("expect", "src/expect/expect.c", "check_client_ports", "expect-client-ports-server",
      "client-ports checks the server's port",
      "port_range_contains(&e->range, k->port[rf->client])",
      "port_range_contains(&e->range, k->port[!rf->client])"),
    M("expect", "src/app/session.c", "report_status", "expect-status-incomplete-first",
      "an incomplete input outranks failed expectations in the exit status",
      "           : failed_expectations > 0 ? PS_EXIT_EXPECT\n"
      "           : incomplete              ? PS_EXIT_INCOMPLETE\n",
      "           : incomplete              ? PS_EXIT_INCOMPLETE\n"
      "           : failed_expectations > 0 ? PS_EXIT_EXPECT\n"),
    # IPFIX export
    M("export", "src/flow/flow_tcp.c", "flow_tcp_update", "tcp-flags-not-kept",
      "the TCP flags each endpoint sent not kept",
      "t->flags[sender] |= flags;", "(void)flags;"),
    M("export", "src/flow/flow_store.c", "get_tcp", "store-drops-reverse-flags",
      "the compact store loses endpoint 1's TCP flags",
      "t->flags[1] = *p++;", "t->flags[1] = 0 * *p++;"),
    M("export", "src/flow/flow_lifecycle.c", "expire", "end-always-idle",
      "a flow past its timeout always said idle",
      "f->end = timeout_end(t, f);", "f->end = FLOW_END_IDLE;"),
    M("export", "src/export/ipfix.c", "ipfix_encoder_flush", "sequence-counts-own-records",
      "the sequence number counts the message's own records",
      "p = put32(p, e->sequence);", "p = put32(p, e->sequence + e->records);"),
    M("export", "src/export/ipfix.c", "ipfix_record_from_flow", "reverse-octets-frame-bytes",
      "the reverse octets from frame bytes, not IP bytes",
      "r->octets[1] = f->ip_bytes[s];", "r->octets[1] = f->bytes[s];"),
    M("export", "src/export/ipfix.c", "template_of", "icmp-by-port-template",
      "ICMP flows sent by the templates with ports",
      "return (r->family == 6 ? 1 : 0) + (icmp ? 2 : 0);",
      "return (r->family == 6 ? 1 : 0) + (icmp ? 0 : 0);"),
    M("export", "src/app/session.c", "write_ended_flows", "live-export-not-flushed",
      "a live capture's ended flows wait for a full message",
      "if (s->ipfix != NULL && s->opts->interface != NULL)",
      "if (s->ipfix != NULL && s->opts->interface != NULL && false)"),
]


def fail(message):
    sys.exit(f"mutate.py: {message}")


def read(path):
    with open(os.path.join(TOP, path), "rb") as f:
        return f.read()


def write(path, data):
    with open(os.path.join(TOP, path), "wb") as f:
        f.write(data)


def check_texts(mutations):
    """Each mutation's text is in its file exactly once; returns the problems found."""
    problems = []
    for m in mutations:
        n = read(m.file).count(m.old.encode())
        if n != 1:
            problems.append(f"{m.id}: its text is in {m.file} {n} times, not once")
    return problems


def run(cmd, log, timeout):
    """Runs cmd in its own process group, output to log; its status, or None on a timeout."""
    with open(log, "wb") as out:
        p = subprocess.Popen(cmd, cwd=TOP, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None


def failed_tests(since):
    """The tests run since `since` that failed, each with what failed inside it."""
    failed = []
    for trs in sorted(glob.glob(os.path.join(TOP, "**", "*.trs"), recursive=True)):
        rel = os.path.relpath(trs, TOP)
        if rel.startswith("portscope-") or os.path.getmtime(trs) < since:
            continue
        with open(trs, errors="replace") as f:
            results = re.findall(r"^:test-result: (\S+)", f.read(), re.M)
        if not any(r in ("FAIL", "ERROR") for r in results):
            continue
        name = rel[:-len(".trs")]
        with open(trs[:-len(".trs")] + ".log", errors="replace") as f:
            log = f.read()
        # Check's failed tests (":F:tcase:test_name:"), golden cases and script checks ("FAIL x").
        inner = re.findall(r":[FE]:[^:]*:(test_\w+):", log)
        inner += [m.split(" (--threads")[0].split(": ")[0]
                  for m in re.findall(r"^FAIL +(.+?)$", log, re.M) if not m.startswith(name + " ")]
        inner = list(dict.fromkeys(inner))
        failed.append(name + (" (" + ", ".join(inner[:4]) +
                              (", ..." if len(inner) > 4 else "") + ")" if inner else ""))
    return failed


def mutate(m, tests, logdir):
    original = read(m.file)
    mutated = original.replace(m.old.encode(), m.new.encode(), 1)
    if original.count(m.old.encode()) != 1:
        return "text not found once", []
    try:
        write(m.file, mutated)
        if run(["make", "-j2"], os.path.join(logdir, m.id + ".build.log"), 600) != 0:
            return "no build", []
        cmd = ["make", "-k", "-j2", "check"] + ([f"TESTS={tests}"] if tests else [])
        since = time.time()
        status = run(cmd, os.path.join(logdir, m.id + ".check.log"), 900)
        if status is None:
            return "caught", ["(the tests timed out)"]
        failed = failed_tests(since)
        if failed:
            return "caught", failed
        if status != 0:
            return "caught", ["(make check failed before its tests)"]
        return "SURVIVED", []
    finally:
        write(m.file, original)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*", help="mutation ids (default: all)")
    ap.add_argument("--list", action="store_true", help="list the mutations")
    ap.add_argument("--check", action="store_true", help="check that every text is found once")
    ap.add_argument("--area", help="only the mutations of this area")
    ap.add_argument("--tests", help="make check's TESTS (default: all of make check)")
    ap.add_argument("--logs", default="/tmp/portscope-mutate",
                    help="where each mutation's build and check logs go")
    args = ap.parse_args()

    by_id = {m.id: m for m in MUTATIONS}
    if len(by_id) != len(MUTATIONS):
        fail("two mutations share an id")
    unknown = [i for i in args.ids if i not in by_id]
    if unknown:
        fail("unknown mutation: " + ", ".join(unknown))
    chosen = [by_id[i] for i in args.ids] if args.ids else MUTATIONS
    if args.area:
        chosen = [m for m in chosen if m.area == args.area]
    if args.list:
        for m in chosen:
            print(f"{m.id:32} {m.area:11} {m.file}:{m.function}: {m.description}")
        return 0
    problems = check_texts(chosen)
    if problems:
        print("\n".join(problems))
        return 1
    if args.check:
        print(f"{len(chosen)} mutations, each text found once")
        return 0
    if not os.path.exists(os.path.join(TOP, "Makefile")):
        fail("no Makefile: run ./autogen.sh && ./configure first")
    os.makedirs(args.logs, exist_ok=True)
    # A kill puts the source back as an interrupt does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("mutate.py: terminated"))
    survived = 0
    try:
        for m in chosen:
            start = time.time()
            verdict, failed = mutate(m, args.tests, args.logs)
            survived += verdict == "SURVIVED"
            print(f"{verdict:8} {m.id} ({m.file}:{m.function}: {m.description}; "
                  f"{time.time() - start:.0f} s)", flush=True)
            for name in failed:
                print(f"         red: {name}", flush=True)
    finally:
        # The sources are back: the binaries too.
        run(["make", "-j2"], os.path.join(args.logs, "rebuild.log"), 600)
    print(f"{len(chosen)} mutations, {len(chosen) - survived} caught or not built, "
          f"{survived} survived")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
