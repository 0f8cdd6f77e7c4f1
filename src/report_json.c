/*
 * report_json.c - the JSON report, schema version 1 (doc/json-schema-v1.json, doc/json-report.md).
 *
 * The document is written piece by piece: each flow's object is built, written and freed before
 * the next, so memory does not grow with the text of the report. The bytes are the same as
 * jansson would write for the whole tree with JSON_INDENT(2) (a unit test holds us to that).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "config.h"
#include "report.h"
#include "select.h"

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Writes `v` (and releases it) as a value nested `depth` levels deep. */
static int emit(FILE *out, json_t *v, int depth)
{
    char *text;
    int rc = 0;

    if (v == NULL)
        return -1;
    text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL)
        return -1;
    for (const char *p = text; *p != '\0' && rc == 0; p++) {
        if (fputc(*p, out) == EOF)
            rc = -1;
        else if (*p == '\n' && fprintf(out, "%*s", depth * 2, "") < 0)
            rc = -1;
    }
    free(text);
    return rc;
}

static json_t *time_value(ps_time t, bool nanosecond)
{
    char buf[64];

    return json_string(report_format_time(t, nanosecond, buf, sizeof(buf)));
}

static json_t *addr_value(uint8_t family, const uint8_t *addr)
{
    char buf[64];

    return json_string(report_format_addr(family, addr, buf, sizeof(buf)));
}

static json_t *proto_value(uint8_t proto)
{
    const char *name = report_proto_name(proto);

    return name != NULL ? json_string(name) : json_integer(proto);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 section 4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        len = 2;
    else if (b >= 0xe0 && b <= 0xef)
        len = 3;
    else if (b >= 0xf0 && b <= 0xf4)
        len = 4;
    else
        return 0;
    /* The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF. */
    if (b == 0xe0)
        lo = 0xa0;
    else if (b == 0xed)
        hi = 0x9f;
    else if (b == 0xf0)
        lo = 0x90;
    else if (b == 0xf4)
        hi = 0x8f;
    if (len > left || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/*
 * A JSON string from bytes that need not be UTF-8 (a path, a name from a services file): bytes
 * that are not valid UTF-8 become U+FFFD, so the document stays valid and nothing is dropped.
 */
static json_t *text_value(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), n = 0;
    char *clean;
    json_t *v;

    clean = malloc(len * 3 + 1);
    if (clean == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t seq = utf8_sequence(u + i, len - i);

        if (seq == 0) {
            memcpy(clean + n, "\xef\xbf\xbd", 3);
            n += 3;
            i++;
        } else {
            memcpy(clean + n, s + i, seq);
            n += seq;
            i += seq;
        }
    }
    v = json_stringn(clean, n);
    free(clean);
    return v;
}

static json_t *nullable_string(const char *s)
{
    return s != NULL ? text_value(s) : json_null();
}

/* Seconds, rounded to the precision the captures have. */
static json_t *duration_value(ps_time first, ps_time last, bool nanosecond)
{
    /* Unsigned: timestamps read from a file can be far apart enough to overflow. */
    uint64_t ns = (uint64_t)last - (uint64_t)first;

    if (!nanosecond)
        ns = ns / 1000 * 1000;
    return json_real((double)ns / 1e9);
}

static json_t *ephemeral_list(uint32_t mask)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < ports_ephemeral_profile_count; i++)
        if (mask & (1u << i))
            json_array_append_new(list, json_string(ports_ephemeral_profiles[i].name));
    return list;
}

static json_t *range_value(const struct port_range *range)
{
    return json_pack("{s:o, s:i, s:i}", "name", nullable_string(range->name), "lo",
                     (json_int_t)range->lo, "hi", (json_int_t)range->hi);
}

static json_t *generator_value(void)
{
    return json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION);
}

/* Seconds per protocol class, null where there is no timeout. */
static json_t *timeouts_value(const ps_time *per_class)
{
    json_t *o = json_object();

    for (int c = 0; o != NULL && c < FLOW_CLASSES; c++)
        json_object_set_new(o, flow_class_name((enum flow_class)c),
                            per_class[c] != 0 ? json_real((double)per_class[c] / 1e9)
                                              : json_null());
    return o;
}

static void add_lifecycle(json_t *settings, const struct report_settings *set)
{
    if (settings == NULL)
        return;
    json_object_set_new(settings, "profile", nullable_string(set->profile));
    json_object_set_new(settings, "idle_timeouts", timeouts_value(set->lifecycle.idle));
    json_object_set_new(settings, "active_timeouts", timeouts_value(set->lifecycle.active));
    json_object_set_new(settings, "syn_new_isn_starts_flow",
                        json_boolean(set->lifecycle.syn_new_isn));
}

/* settings.filter and settings.select, present only when given: reports without them stay as
 * they were. */
static void add_view_settings(json_t *settings, const struct report_settings *set)
{
    const struct select_spec *s = set->select;
    json_t *services, *ports, *hosts;

    if (settings == NULL)
        return;
    if (set->filter != NULL)
        json_object_set_new(settings, "filter", text_value(set->filter));
    if (s == NULL || !select_active(s))
        return;
    services = json_array();
    ports = json_array();
    hosts = json_array();
    for (size_t i = 0; services != NULL && i < s->n_services; i++)
        json_array_append_new(services, text_value(s->services[i]));
    for (size_t i = 0; ports != NULL && i < s->n_ports; i++)
        json_array_append_new(ports, json_integer(s->ports[i]));
    for (size_t i = 0; hosts != NULL && i < s->n_hosts; i++)
        json_array_append_new(hosts, text_value(s->hosts[i].text));
    json_object_set_new(
        settings, "select",
        json_pack("{s:o, s:o, s:o}", "services", services, "ports", ports, "hosts", hosts));
}

static json_t *expectation_value(const struct report_expectation *e)
{
    return json_pack("{s:o, s:o, s:b, s:o}", "expression", text_value(e->expression), "source",
                     text_value(e->source), "holds", e->holds, "found", text_value(e->found));
}

static json_t *settings_value(const struct report *r)
{
    const struct report_settings *set = &r->settings;
    json_t *profiles = json_array();

    for (size_t i = 0; profiles != NULL && i < ports_ephemeral_profile_count; i++)
        json_array_append_new(profiles, range_value(&ports_ephemeral_profiles[i]));
    json_t *o = json_pack(
        "{s:o, s:o, s:b, s:b, s:I, s:I}", "ephemeral_range", range_value(&set->ephemeral),
        "ephemeral_profiles", profiles, "decap", set->decap, "vlan_in_key", set->vlan_in_key,
        "max_flows", (json_int_t)set->max_flows, "max_fragments", (json_int_t)set->max_fragments);

    add_lifecycle(o, set);
    add_view_settings(o, set);
    return o;
}

static json_t *input_value(const struct report *r, const struct report_input *in)
{
    json_t *linktypes = json_array();
    bool seen = in->packets > 0;

    for (size_t i = 0; linktypes != NULL && i < in->n_linktypes; i++)
        json_array_append_new(linktypes, json_string(capture_linktype_name(in->linktypes[i])));
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:b, s:o}", "path", text_value(in->path),
                  "format", nullable_string(in->format), "link_types", linktypes, "packets",
                  (json_int_t)in->packets, "bytes", (json_int_t)in->bytes, "first_seen",
                  seen ? time_value(in->first_seen, r->nanosecond) : json_null(), "last_seen",
                  seen ? time_value(in->last_seen, r->nanosecond) : json_null(), "complete",
                  in->complete, "error", nullable_string(in->error[0] ? in->error : NULL));

    if (o != NULL) {
        json_object_set_new(o, "timestamps_backwards", json_integer((json_int_t)in->ts_backwards));
        json_object_set_new(o, "duplicates", json_integer((json_int_t)in->duplicates));
    }
    if (o != NULL && r->settings.filter != NULL)
        json_object_set_new(o, "filtered",
                            json_pack("{s:I, s:I}", "packets", (json_int_t)in->filtered_packets,
                                      "bytes", (json_int_t)in->filtered_bytes));
    if (o != NULL && in->live)
        json_object_set_new(o, "capture_stats",
                            json_pack("{s:I, s:I, s:I}", "received", (json_int_t)in->received,
                                      "dropped", (json_int_t)in->dropped, "if_dropped",
                                      (json_int_t)in->if_dropped));
    return o;
}

static json_t *counts_by_reason(const uint64_t *counts)
{
    json_t *o = json_object();

    for (int i = PS_SKIP_NONE + 1; o != NULL && i < PS_SKIP__COUNT; i++)
        json_object_set_new(o, ps_skip_name((enum ps_skip)i), json_integer((json_int_t)counts[i]));
    return o;
}

static json_t *skipped_linktypes_value(const struct report_totals *t)
{
    json_t *o = json_object();

    for (size_t i = 0; o != NULL && i < t->n_skipped_linktypes; i++)
        json_object_set_new(o, capture_linktype_name(t->skipped_linktypes[i].linktype),
                            json_integer((json_int_t)t->skipped_linktypes[i].packets));
    return o;
}

static json_t *summary_value(const struct report *r)
{
    const struct report_totals *t = &r->totals;
    uint64_t skipped_packets = 0, skipped_bytes = 0;

    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
        skipped_packets += t->skipped_packets[i];
        skipped_bytes += t->skipped_bytes[i];
    }
    return json_pack("{s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, "
                     "s:{s:I, s:I, s:o, s:o, s:o}, s:{s:I}}",
                     "packets", (json_int_t)t->packets, "bytes", (json_int_t)t->bytes, "in_flows",
                     "packets", (json_int_t)t->flow_packets, "bytes", (json_int_t)t->flow_bytes,
                     "flows", "total", (json_int_t)r->n_flows_all, "tcp", (json_int_t)r->flows_tcp,
                     "udp", (json_int_t)r->flows_udp, "other", (json_int_t)r->flows_other,
                     "skipped", "packets", (json_int_t)skipped_packets, "bytes",
                     (json_int_t)skipped_bytes, "reasons", counts_by_reason(t->skipped_packets),
                     "reason_bytes", counts_by_reason(t->skipped_bytes), "link_types",
                     skipped_linktypes_value(t), "fragments", "evicted",
                     (json_int_t)t->fragments_evicted);
}

static json_t *encap_list(const struct report *r, const struct flow *f)
{
    json_t *list = json_array();
    size_t len;
    const struct encap *hops = flow_table_path(r->table, f->path_id, &len);

    for (size_t i = 0; list != NULL && i < len; i++) {
        char buf[32];

        json_array_append_new(list, json_string(report_format_encap(&hops[i], buf, sizeof(buf))));
    }
    return list;
}

static bool is_icmp(uint8_t proto)
{
    return proto == PS_IPPROTO_ICMP || proto == PS_IPPROTO_ICMPV6;
}

/* What an ICMP flow is keyed on: the echo identifier, or the message's type and code. */
static json_t *icmp_value(const struct report_flow *rf)
{
    const struct flow *f = rf->flow;
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);
    uint16_t tc;

    if (!is_icmp(f->key.proto))
        return json_null();
    if (scope == PKT_SCOPE_ECHO)
        return json_pack("{s:s, s:i}", "kind", "echo", "id",
                         (int)(f->key.port[0] | f->key.port[1]));
    if (scope != PKT_SCOPE_ICMP_OTHER)
        return json_null();
    tc = f->key.port[0] | f->key.port[1];
    return json_pack(
        "{s:s, s:i, s:i, s:o}", "kind", "message", "type", tc >> 8, "code", tc & 0xff, "name",
        nullable_string(report_icmp_name(f->key.family, (uint8_t)(tc >> 8), (uint8_t)(tc & 0xff))));
}

static json_t *icmp_errors_value(const struct report *r, const struct flow *f)
{
    json_t *list = json_array();

    for (uint32_t ref = f->icmp_errors; list != NULL && ref != 0;) {
        const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);

        json_array_append_new(
            list, json_pack("{s:s, s:i, s:i, s:o, s:I, s:I}", "proto",
                            e->family == 6 ? "icmpv6" : "icmp", "type", e->type, "code", e->code,
                            "name", nullable_string(report_icmp_name(e->family, e->type, e->code)),
                            "packets", (json_int_t)e->packets, "bytes", (json_int_t)e->bytes));
        ref = e->next;
    }
    return list;
}

static json_t *pair_value(const uint64_t *by_endpoint, uint8_t client)
{
    return json_pack("{s:I, s:I}", "c2s", (json_int_t)by_endpoint[client], "s2c",
                     (json_int_t)by_endpoint[!client]);
}

/* A time of the handshake, or null when that packet was not seen. */
static json_t *handshake_time(const struct report *r, const struct flow_tcp *t, uint8_t bit,
                              ps_time at)
{
    return (t->have & bit) ? time_value(at, r->nanosecond) : json_null();
}

static json_t *rtt_value(const struct report *r, const struct flow_tcp *t, uint8_t from_bit,
                         ps_time from, uint8_t to_bit, ps_time to)
{
    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        return json_null();
    return duration_value(from, to, r->nanosecond);
}

static json_t *tcp_value(const struct report *r, const struct report_flow *rf)
{
    const struct flow *f = rf->flow;
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    char history[FLOW_HISTORY_MAX + 2];

    if (f->key.proto != PS_IPPROTO_TCP)
        return json_null();
    flow_tcp_history(f, c, history, sizeof(history));
    return json_pack(
        "{s:s, s:s, s:{s:o, s:o, s:o, s:o, s:o}, s:{s:b, s:b}, s:{s:b, s:b}, s:{s:i, s:i}}",
        "conn_state", rf->conn_state, "history", history, "handshake", "syn",
        handshake_time(r, t, FLOW_TCP_HAVE_SYN, t->syn_at), "syn_ack",
        handshake_time(r, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at), "ack",
        handshake_time(r, t, FLOW_TCP_HAVE_ACK, t->ack_at), "rtt_client",
        rtt_value(r, t, FLOW_TCP_HAVE_SYN, t->syn_at, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at),
        "rtt_server",
        rtt_value(r, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at, FLOW_TCP_HAVE_ACK, t->ack_at), "fin",
        "client", (t->seen[c] & TCP_SEEN_FIN) != 0, "server", (t->seen[s] & TCP_SEEN_FIN) != 0,
        "rst", "client", (t->seen[c] & TCP_SEEN_RST) != 0, "server",
        (t->seen[s] & TCP_SEEN_RST) != 0, "retransmissions", "c2s", (int)t->retrans[c], "s2c",
        (int)t->retrans[s]);
}

/* What the capture missed or garbled of this flow. */
static json_t *quality_value(const struct flow *f)
{
    const char *names[REPORT_QUALITY_MAX];
    size_t n = report_flow_quality(f, names);
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < n; i++)
        json_array_append_new(list, json_string(names[i]));
    return list;
}

static json_t *endpoint_port_class(bool ports, uint16_t port)
{
    return ports ? json_string(ports_class_name(ports_class(port))) : json_null();
}

static json_t *flow_value(const struct report *r, const struct report_flow *rf, size_t id)
{
    const struct flow *f = rf->flow;
    uint8_t c = rf->client, s = !rf->client;
    bool ports = report_proto_has_ports(f->key.proto);
    int client_port = ports ? f->key.port[c] : 0, server_port = ports ? f->key.port[s] : 0;
    json_t *o, *client, *server;

    client =
        json_pack("{s:o, s:i, s:o, s:o, s:b}", "ip", addr_value(f->key.family, f->key.addr[c]),
                  "port", client_port, "port_class", endpoint_port_class(ports, f->key.port[c]),
                  "ephemeral", ephemeral_list(rf->client_ephemeral), "in_ephemeral_range",
                  ports && port_range_contains(&r->settings.ephemeral, f->key.port[c]));
    server = json_pack(
        "{s:o, s:i, s:o, s:o, s:o}", "ip", addr_value(f->key.family, f->key.addr[s]), "port",
        server_port, "port_class", endpoint_port_class(ports, f->key.port[s]), "service",
        nullable_string(rf->service), "service_alias", nullable_string(rf->service_alias));
    o = json_pack("{s:I, s:o, s:i, s:o, s:o, s:s, s:s, s:o}", "id", (json_int_t)id, "proto",
                  proto_value(f->key.proto), "ip_version", (int)f->key.family, "client", client,
                  "server", server, "role_reason",
                  report_role_reason_name(rf->reason, f->key.proto), "start_reason",
                  flow_start_name((enum flow_start)f->start), "follows",
                  rf->follows != 0 ? json_integer((json_int_t)rf->follows) : json_null());
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "first_seen", time_value(f->first_seen, r->nanosecond));
    json_object_set_new(o, "last_seen", time_value(f->last_seen, r->nanosecond));
    json_object_set_new(o, "duration", duration_value(f->first_seen, f->last_seen, r->nanosecond));
    json_object_set_new(o, "packets", pair_value(f->packets, c));
    json_object_set_new(o, "bytes", pair_value(f->bytes, c));
    json_object_set_new(o, "ip_bytes", pair_value(f->ip_bytes, c));
    json_object_set_new(o, "payload_bytes", pair_value(f->payload_bytes, c));
    json_object_set_new(o, "tcp", tcp_value(r, rf));
    json_object_set_new(o, "quality", quality_value(f));
    json_object_set_new(o, "encap", encap_list(r, f));
    json_object_set_new(o, "icmp", icmp_value(rf));
    json_object_set_new(o, "icmp_errors", icmp_errors_value(r, f));
    return o;
}

static json_t *service_value(const struct report_service *s)
{
    return json_pack("{s:i, s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "port", (int)s->port, "proto",
                     proto_value(s->proto), "service", nullable_string(s->service), "service_alias",
                     nullable_string(s->service_alias), "flows", (json_int_t)s->flows, "packets",
                     (json_int_t)s->packets, "bytes", (json_int_t)s->bytes, "clients",
                     (json_int_t)s->clients);
}

static json_t *client_value(const struct report_client *c)
{
    return json_pack("{s:o, s:I, s:I, s:i, s:i, s:o, s:I}", "ip", addr_value(c->family, c->addr),
                     "flows", (json_int_t)c->flows, "ports", (json_int_t)c->ports, "port_lo",
                     (int)c->port_lo, "port_hi", (int)c->port_hi, "ephemeral",
                     ephemeral_list(c->ephemeral_all), "flows_in_ephemeral_range",
                     (json_int_t)c->in_range);
}

/* Writes `"key": ` at the top level; `first` says whether a comma must come before it. */
static int emit_key(FILE *out, const char *key, bool first)
{
    return fprintf(out, "%s  \"%s\": ", first ? "" : ",\n", key) < 0 ? -1 : 0;
}

enum array_kind { ARRAY_INPUTS, ARRAY_FLOWS, ARRAY_SERVICES, ARRAY_CLIENTS, ARRAY_EXPECTATIONS };

static json_t *array_item(const struct report *r, enum array_kind kind, size_t i)
{
    switch (kind) {
    case ARRAY_INPUTS:
        return input_value(r, &r->inputs[i]);
    case ARRAY_FLOWS:
        return flow_value(r, &r->flows[i], r->flows[i].id);
    case ARRAY_SERVICES:
        return service_value(&r->services[i]);
    case ARRAY_CLIENTS:
        return client_value(&r->clients[i]);
    case ARRAY_EXPECTATIONS:
        return expectation_value(&r->expectations[i]);
    }
    return NULL;
}

static int emit_array(FILE *out, const struct report *r, enum array_kind kind, size_t n)
{
    if (n == 0)
        return fputs("[]", out) == EOF ? -1 : 0;
    if (fputs("[\n", out) == EOF)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (fputs("    ", out) == EOF || emit(out, array_item(r, kind, i), 2) != 0)
            return -1;
        if (fputs(i + 1 < n ? ",\n" : "\n", out) == EOF)
            return -1;
    }
    return fputs("  ]", out) == EOF ? -1 : 0;
}

int report_write_json(const struct report *r, FILE *out)
{
    if (fputs("{\n", out) == EOF)
        return -1;
    if (emit_key(out, "schema_version", true) != 0 ||
        emit(out, json_integer(REPORT_SCHEMA_VERSION), 1) != 0)
        return -1;
    if (emit_key(out, "generator", false) != 0 || emit(out, generator_value(), 1) != 0)
        return -1;
    if (emit_key(out, "settings", false) != 0 || emit(out, settings_value(r), 1) != 0)
        return -1;
    if (emit_key(out, "inputs", false) != 0 || emit_array(out, r, ARRAY_INPUTS, r->n_inputs) != 0)
        return -1;
    if (emit_key(out, "summary", false) != 0 || emit(out, summary_value(r), 1) != 0)
        return -1;
    if (emit_key(out, "flows", false) != 0 || emit_array(out, r, ARRAY_FLOWS, r->n_flows) != 0)
        return -1;
    if (emit_key(out, "services", false) != 0 ||
        emit_array(out, r, ARRAY_SERVICES, r->n_services) != 0)
        return -1;
    if (emit_key(out, "clients", false) != 0 ||
        emit_array(out, r, ARRAY_CLIENTS, r->n_clients) != 0)
        return -1;
    /* Only with --expect, so that other reports are unchanged. */
    if (r->expectations != NULL && (emit_key(out, "expectations", false) != 0 ||
                                    emit_array(out, r, ARRAY_EXPECTATIONS, r->n_expectations) != 0))
        return -1;
    return fputs("\n}\n", out) == EOF ? -1 : 0;
}

/* One object on one line: the jsonl framing. Releases `v`; returns -1 when writing failed. */
static int emit_line(FILE *out, json_t *v)
{
    char *text;
    int rc;

    if (v == NULL)
        return -1;
    text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(v);
    if (text == NULL)
        return -1;
    rc = fputs(text, out) == EOF || fputc('\n', out) == EOF ? -1 : 0;
    free(text);
    return rc;
}

/* An object whose first member is its "type", then the members of `body` (released). */
static json_t *typed(const char *type, json_t *body)
{
    json_t *o = json_pack("{s:s}", "type", type);

    if (o == NULL || body == NULL || json_object_update(o, body) != 0) {
        json_decref(o);
        o = NULL;
    }
    json_decref(body);
    return o;
}

int report_jsonl_begin(struct report_jsonl *w, FILE *out, const struct report_settings *settings,
                       const struct flow_table *table, const char *const *paths, size_t n_paths)
{
    json_t *list = json_array();

    memset(w, 0, sizeof(*w));
    w->out = out;
    w->view.settings = *settings;
    w->view.table = table;
    for (size_t i = 0; list != NULL && i < n_paths; i++)
        json_array_append_new(list, text_value(paths[i]));
    if (emit_line(out, typed("header",
                             json_pack("{s:i, s:o, s:o, s:o}", "schema_version",
                                       REPORT_SCHEMA_VERSION, "generator", generator_value(),
                                       "settings", settings_value(&w->view), "inputs", list))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}

void report_jsonl_flow(void *ctx, const struct flow *f)
{
    struct report_jsonl *w = ctx;
    struct report_flow rf;

    if (w->failed)
        return;
    report_flow_init(&rf, f, &w->view.settings);
    /* In a stream flows are numbered in order of creation, and name their predecessor so. */
    rf.follows = f->prev;
    w->flows++;
    if (f->key.proto == PS_IPPROTO_TCP)
        w->tcp++;
    else if (f->key.proto == PS_IPPROTO_UDP)
        w->udp++;
    else
        w->other++;
    /* As in the report: the selection narrows the flows shown, the counts cover them all. */
    if (w->view.settings.select != NULL && select_active(w->view.settings.select) &&
        !select_flow(w->view.settings.select, &rf))
        return;
    if (emit_line(w->out, typed("flow", flow_value(&w->view, &rf, (size_t)f->id + 1))) != 0)
        w->failed = true;
    w->written++;
}

int report_jsonl_interval(struct report_jsonl *w, uint64_t snapshot, uint64_t elapsed_ms,
                          const struct report_totals *totals)
{
    if (!w->failed &&
        (emit_line(w->out,
                   typed("interval",
                         json_pack("{s:I, s:I, s:I, s:I, s:I}", "snapshot", (json_int_t)snapshot,
                                   "elapsed_ms", (json_int_t)elapsed_ms, "packets",
                                   (json_int_t)totals->packets, "bytes", (json_int_t)totals->bytes,
                                   "flows_written", (json_int_t)w->written))) != 0 ||
         fflush(w->out) != 0))
        w->failed = true;
    return w->failed ? -1 : 0;
}

int report_jsonl_end(struct report_jsonl *w, const struct report_input *inputs, size_t n_inputs,
                     const struct report_totals *totals)
{
    json_t *list = json_array();
    struct report *r = &w->view;

    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->n_flows = r->n_flows_all = (size_t)w->flows;
    r->flows_tcp = (size_t)w->tcp;
    r->flows_udp = (size_t)w->udp;
    r->flows_other = (size_t)w->other;
    if (w->failed) {
        json_decref(list);
        return -1;
    }
    for (size_t i = 0; list != NULL && i < n_inputs; i++)
        json_array_append_new(list, input_value(r, &inputs[i]));
    if (emit_line(w->out, typed("summary", json_pack("{s:o, s:o}", "inputs", list, "summary",
                                                     summary_value(r)))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}
