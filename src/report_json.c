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
#include "json_writer.h"
#include "select.h"

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Writes `v` (and releases it) as a value nested `depth` (at most 2) levels deep. */
static int emit(FILE *out, json_t *v, int depth)
{
    static const char spaces[] = "    ";
    char *text;
    int rc = 0;

    if (v == NULL)
        return -1;
    text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL)
        return -1;
    /* Line by line, each line after the first indented by the depth the value sits at. */
    for (const char *p = text; rc == 0;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

        if (fwrite(p, 1, len, out) != len ||
            (nl != NULL && fwrite(spaces, 1, (size_t)depth * 2, out) != (size_t)depth * 2))
            rc = -1;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    free(text);
    return rc;
}

static json_t *time_value(ps_time t, bool nanosecond)
{
    char buf[64];

    return json_string(report_format_time(t, nanosecond, buf, sizeof(buf)));
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
    json_object_set_new(settings, "tcp_close_delay",
                        set->lifecycle.tcp_close_delay != 0
                            ? json_real((double)set->lifecycle.tcp_close_delay / 1e9)
                            : json_null());
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

/*
 * The jsonl writer's flow lines: one writer for all of them, so that its caches serve every line
 * and the lines go out in large blocks, as the document's flows do. The names it caches stay put
 * while it lives: they come from the program's tables and the --services registry, which outlive
 * the run.
 */
struct report_jsonl_lines {
    struct writer w;
    bool live; /* each line goes out as soon as it is written (report_jsonl_live()) */
    struct name_entry names[1 << NAME_CACHE_BITS];
    char buf[DOCUMENT_BUFFER];
};

/*
 * The flows: most of the report, written without jansson. A flow's object is rendered straight
 * into a buffer that goes out in large blocks, byte for byte what json_dumps() writes for the
 * object jansson would build (tests/unit/test_json_fast.c holds us to that): JSON_INDENT(2) at
 * the depth the flow sits at in the document, or JSON_COMPACT for a jsonl line.
 *
 * Between two values, everything (commas, line breaks, indentation, keys, braces) depends only on
 * the form and the depth: it is spelled out once per form as fragments, and copied, not composed,
 * for each flow.
 */

/*
 * What comes before each value of a flow, a service or a client host, in one form. A fragment
 * that opens a member object names the first member too, and the one after a member object
 * closes it: the members are written in this order.
 */
struct layout {
    struct fragment flow_type, id_after_type, flow_id, proto, ip_version, client, port, port_class,
        ephemeral, in_range, server, service, service_alias, role_reason, start_reason, follows,
        first_seen, last_seen, duration, packets, bytes, ip_bytes, payload_bytes, s2c, tcp,
        conn_state, history, syn, syn_ack, ack, rtt_client, rtt_server, fin, rst, by_server,
        retransmissions, retransmissions_s2c, tcp_end, quality, encap, icmp, icmp_errors, end;
    struct fragment echo, message, message_code, message_name, icmp_end;
    struct fragment error_proto, error_type, error_code, error_name, error_packets, error_bytes,
        error_end;
    struct fragment service_port, service_name, service_alias_name, count_flows, count_packets,
        count_bytes, count_clients;
    struct fragment host_ip, host_ports, host_port_lo, host_port_hi, host_ephemeral, host_in_range;
    struct list_layout list2, list3; /* items at two and three levels below the object's own */
};

/* N: a line break or nothing; I0 to I3: the indentation of the object's own level and the three
 * below it; C: what follows a key. */
#define LAYOUT(N, I0, I1, I2, I3, C)                                                               \
    {                                                                                              \
        .flow_type = FRAGMENT("{" N I1 "\"type\"" C),                                              \
        .id_after_type = FRAGMENT("," N I1 "\"id\"" C), .flow_id = FRAGMENT("{" N I1 "\"id\"" C),  \
        .proto = FRAGMENT("," N I1 "\"proto\"" C),                                                 \
        .ip_version = FRAGMENT("," N I1 "\"ip_version\"" C),                                       \
        .client = FRAGMENT("," N I1 "\"client\"" C "{" N I2 "\"ip\"" C),                           \
        .port = FRAGMENT("," N I2 "\"port\"" C),                                                   \
        .port_class = FRAGMENT("," N I2 "\"port_class\"" C),                                       \
        .ephemeral = FRAGMENT("," N I2 "\"ephemeral\"" C),                                         \
        .in_range = FRAGMENT("," N I2 "\"in_ephemeral_range\"" C),                                 \
        .server = FRAGMENT(N I1 "}," N I1 "\"server\"" C "{" N I2 "\"ip\"" C),                     \
        .service = FRAGMENT("," N I2 "\"service\"" C),                                             \
        .service_alias = FRAGMENT("," N I2 "\"service_alias\"" C),                                 \
        .role_reason = FRAGMENT(N I1 "}," N I1 "\"role_reason\"" C),                               \
        .start_reason = FRAGMENT("," N I1 "\"start_reason\"" C),                                   \
        .follows = FRAGMENT("," N I1 "\"follows\"" C),                                             \
        .first_seen = FRAGMENT("," N I1 "\"first_seen\"" C),                                       \
        .last_seen = FRAGMENT("," N I1 "\"last_seen\"" C),                                         \
        .duration = FRAGMENT("," N I1 "\"duration\"" C),                                           \
        .packets = FRAGMENT("," N I1 "\"packets\"" C "{" N I2 "\"c2s\"" C),                        \
        .bytes = FRAGMENT(N I1 "}," N I1 "\"bytes\"" C "{" N I2 "\"c2s\"" C),                      \
        .ip_bytes = FRAGMENT(N I1 "}," N I1 "\"ip_bytes\"" C "{" N I2 "\"c2s\"" C),                \
        .payload_bytes = FRAGMENT(N I1 "}," N I1 "\"payload_bytes\"" C "{" N I2 "\"c2s\"" C),      \
        .s2c = FRAGMENT("," N I2 "\"s2c\"" C), .tcp = FRAGMENT(N I1 "}," N I1 "\"tcp\"" C),        \
        .conn_state = FRAGMENT("{" N I2 "\"conn_state\"" C),                                       \
        .history = FRAGMENT("," N I2 "\"history\"" C),                                             \
        .syn = FRAGMENT("," N I2 "\"handshake\"" C "{" N I3 "\"syn\"" C),                          \
        .syn_ack = FRAGMENT("," N I3 "\"syn_ack\"" C), .ack = FRAGMENT("," N I3 "\"ack\"" C),      \
        .rtt_client = FRAGMENT("," N I3 "\"rtt_client\"" C),                                       \
        .rtt_server = FRAGMENT("," N I3 "\"rtt_server\"" C),                                       \
        .fin = FRAGMENT(N I2 "}," N I2 "\"fin\"" C "{" N I3 "\"client\"" C),                       \
        .rst = FRAGMENT(N I2 "}," N I2 "\"rst\"" C "{" N I3 "\"client\"" C),                       \
        .by_server = FRAGMENT("," N I3 "\"server\"" C),                                            \
        .retransmissions = FRAGMENT(N I2 "}," N I2 "\"retransmissions\"" C "{" N I3 "\"c2s\"" C),  \
        .retransmissions_s2c = FRAGMENT("," N I3 "\"s2c\"" C),                                     \
        .tcp_end = FRAGMENT(N I2 "}" N I1 "}"), .quality = FRAGMENT("," N I1 "\"quality\"" C),     \
        .encap = FRAGMENT("," N I1 "\"encap\"" C), .icmp = FRAGMENT("," N I1 "\"icmp\"" C),        \
        .icmp_errors = FRAGMENT("," N I1 "\"icmp_errors\"" C), .end = FRAGMENT(N I0 "}"),          \
        .echo = FRAGMENT("{" N I2 "\"kind\"" C "\"echo\"," N I2 "\"id\"" C),                       \
        .message = FRAGMENT("{" N I2 "\"kind\"" C "\"message\"," N I2 "\"type\"" C),               \
        .message_code = FRAGMENT("," N I2 "\"code\"" C),                                           \
        .message_name = FRAGMENT("," N I2 "\"name\"" C), .icmp_end = FRAGMENT(N I1 "}"),           \
        .error_proto = FRAGMENT("{" N I3 "\"proto\"" C),                                           \
        .error_type = FRAGMENT("," N I3 "\"type\"" C),                                             \
        .error_code = FRAGMENT("," N I3 "\"code\"" C),                                             \
        .error_name = FRAGMENT("," N I3 "\"name\"" C),                                             \
        .error_packets = FRAGMENT("," N I3 "\"packets\"" C),                                       \
        .error_bytes = FRAGMENT("," N I3 "\"bytes\"" C), .error_end = FRAGMENT(N I2 "}"),          \
        .service_port = FRAGMENT("{" N I1 "\"port\"" C),                                           \
        .service_name = FRAGMENT("," N I1 "\"service\"" C),                                        \
        .service_alias_name = FRAGMENT("," N I1 "\"service_alias\"" C),                            \
        .count_flows = FRAGMENT("," N I1 "\"flows\"" C),                                           \
        .count_packets = FRAGMENT("," N I1 "\"packets\"" C),                                       \
        .count_bytes = FRAGMENT("," N I1 "\"bytes\"" C),                                           \
        .count_clients = FRAGMENT("," N I1 "\"clients\"" C),                                       \
        .host_ip = FRAGMENT("{" N I1 "\"ip\"" C), .host_ports = FRAGMENT("," N I1 "\"ports\"" C),  \
        .host_port_lo = FRAGMENT("," N I1 "\"port_lo\"" C),                                        \
        .host_port_hi = FRAGMENT("," N I1 "\"port_hi\"" C),                                        \
        .host_ephemeral = FRAGMENT("," N I1 "\"ephemeral\"" C),                                    \
        .host_in_range = FRAGMENT("," N I1 "\"flows_in_ephemeral_range\"" C),                      \
        .list2 = {FRAGMENT("[" N I2), FRAGMENT("," N I2), FRAGMENT(N I1 "]")},                     \
        .list3 = {FRAGMENT("[" N I3), FRAGMENT("," N I3), FRAGMENT(N I2 "]")},                     \
    }

/* A jsonl line. */
static const struct layout compact_layout = LAYOUT("", "", "", "", "", ":");
/* JSON_INDENT(2): an object on its own (report_json_flow()), and one in an array of the document,
 * at depth 2. */
static const struct layout pretty_layout = LAYOUT("\n", "", "  ", "    ", "      ", ": ");
static const struct layout document_layout =
    LAYOUT("\n", "    ", "      ", "        ", "          ", ": ");

/* Where an array's next item goes: after its separator, with room for the item. */
static char *item_begin(struct writer *w, char *p, const struct list_layout *list, bool first)
{
    p = reserve(w, p, GROUP_ROOM);
    return put_fragment(p, first ? &list->first : &list->next);
}

/* The end of an array, and room for the rest of the group it is in. */
static char *list_end(struct writer *w, char *p, const struct list_layout *list, bool empty)
{
    if (empty) {
        memcpy(p, "[]", 2);
        p += 2;
    } else {
        p = put_fragment(p, &list->close);
    }
    return reserve(w, p, GROUP_ROOM);
}

/* The names of the ephemeral profiles in `mask`: a list that most flows repeat, so it is written
 * once per mask and level and copied from then on. */
static char *put_ephemeral(struct writer *w, char *p, uint32_t mask, const struct list_layout *list)
{
    struct ephemeral_entry *e = &w->ephemeral[mask % EPHEMERAL_CACHE];
    unsigned long flushes;
    char *start;
    bool empty = true;

    if (e->len != 0 && e->mask == mask && e->list == list) {
        p = reserve(w, p, e->len);
        memcpy(p, e->text, e->len);
        return reserve(w, p + e->len, GROUP_ROOM);
    }
    start = p = reserve(w, p, EPHEMERAL_TEXT);
    flushes = w->flushes;
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (mask & (1u << i)) {
            p = item_begin(w, p, list, empty);
            p = put_name(w, p, ports_ephemeral_profiles[i].name);
            empty = false;
        }
    }
    p = list_end(w, p, list, empty);
    if (w->flushes == flushes && (size_t)(p - start) <= EPHEMERAL_TEXT) {
        e->mask = mask;
        e->list = list;
        e->len = (uint16_t)(p - start);
        memcpy(e->text, start, e->len);
    }
    return p;
}

/* The client's endpoint object, or the server's after it. */
static char *put_endpoint(struct writer *w, char *p, const struct report *r,
                          const struct report_flow *rf, const struct flow *f, uint8_t e)
{
    const struct layout *l = w->layout;
    bool ports = report_proto_has_ports(f->key.proto);

    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, e == rf->client ? &l->client : &l->server);
    p = put_addr(p, f->key.family, f->key.addr[e]);
    p = put_fragment(p, &l->port);
    p = put_uint(p, ports ? f->key.port[e] : 0);
    p = put_fragment(p, &l->port_class);
    if (ports)
        p = put_table_name(w, p, ports_class_name(ports_class(f->key.port[e])));
    else
        p = put_null(p);
    if (e == rf->client) {
        p = put_fragment(p, &l->ephemeral);
        p = put_ephemeral(w, p, rf->client_ephemeral, &l->list3);
        p = put_fragment(p, &l->in_range);
        p = put_bool(p, ports && port_range_contains(&r->settings.ephemeral, f->key.port[e]));
    } else {
        const char *alias, *service = report_flow_service(r, rf, f, &alias);

        p = put_fragment(p, &l->service);
        p = put_nullable_table_name(w, p, service);
        p = put_fragment(p, &l->service_alias);
        p = put_nullable_table_name(w, p, alias);
    }
    return p;
}

/* A time of the handshake, or null when that packet was not seen. */
static char *put_handshake_time(struct writer *w, char *p, const struct flow_tcp *t, uint8_t bit,
                                ps_time at)
{
    return (t->have & bit) ? put_time(w, p, at) : put_null(p);
}

static char *put_rtt(struct writer *w, char *p, const struct flow_tcp *t, uint8_t from_bit,
                     ps_time from, uint8_t to_bit, ps_time to)
{
    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        return put_null(p);
    return put_duration(w, p, from, to);
}

static char *put_tcp(struct writer *w, char *p, const struct report_flow *rf, const struct flow *f)
{
    const struct layout *l = w->layout;
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    char history[FLOW_HISTORY_MAX + 2];

    if (f->key.proto != PS_IPPROTO_TCP)
        return put_null(p);
    flow_tcp_history(f, c, history, sizeof(history));
    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, &l->conn_state);
    p = put_table_name(w, p, report_conn_state_name(rf->conn_state));
    p = put_fragment(p, &l->history);
    p = put_name(w, p, history);
    p = put_fragment(p, &l->syn);
    p = put_handshake_time(w, p, t, FLOW_TCP_HAVE_SYN, t->syn_at);
    p = put_fragment(p, &l->syn_ack);
    p = put_handshake_time(w, p, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
    p = put_fragment(p, &l->ack);
    p = put_handshake_time(w, p, t, FLOW_TCP_HAVE_ACK, t->ack_at);
    p = put_fragment(p, &l->rtt_client);
    p = put_rtt(w, p, t, FLOW_TCP_HAVE_SYN, t->syn_at, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
    p = put_fragment(p, &l->rtt_server);
    p = put_rtt(w, p, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at, FLOW_TCP_HAVE_ACK, t->ack_at);
    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, &l->fin);
    p = put_bool(p, t->seen[c] & TCP_SEEN_FIN);
    p = put_fragment(p, &l->by_server);
    p = put_bool(p, t->seen[s] & TCP_SEEN_FIN);
    p = put_fragment(p, &l->rst);
    p = put_bool(p, t->seen[c] & TCP_SEEN_RST);
    p = put_fragment(p, &l->by_server);
    p = put_bool(p, t->seen[s] & TCP_SEEN_RST);
    /* As an int, which is what json_pack() was given. */
    p = put_fragment(p, &l->retransmissions);
    p = put_int(p, (int)t->retrans[c]);
    p = put_fragment(p, &l->retransmissions_s2c);
    p = put_int(p, (int)t->retrans[s]);
    return put_fragment(p, &l->tcp_end);
}

static char *put_quality(struct writer *w, char *p, const struct flow *f)
{
    const char *names[REPORT_QUALITY_MAX];
    size_t n = report_flow_quality(f, names);

    for (size_t i = 0; i < n; i++) {
        p = item_begin(w, p, &w->layout->list2, i == 0);
        p = put_table_name(w, p, names[i]);
    }
    return list_end(w, p, &w->layout->list2, n == 0);
}

static char *put_encap(struct writer *w, char *p, const struct report *r, const struct flow *f)
{
    size_t len;
    const struct encap *hops = flow_table_path(r->table, f->path_id, &len);

    for (size_t i = 0; i < len; i++) {
        char buf[32];

        p = item_begin(w, p, &w->layout->list2, i == 0);
        p = put_name(w, p, report_format_encap(&hops[i], buf, sizeof(buf)));
    }
    return list_end(w, p, &w->layout->list2, len == 0);
}

static bool is_icmp(uint8_t proto)
{
    return proto == PS_IPPROTO_ICMP || proto == PS_IPPROTO_ICMPV6;
}

/* What an ICMP flow is keyed on: the echo identifier, or the message's type and code. */
static char *put_icmp(struct writer *w, char *p, const struct flow *f)
{
    const struct layout *l = w->layout;
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);
    uint16_t tc = f->key.port[0] | f->key.port[1];

    if (!is_icmp(f->key.proto) || (scope != PKT_SCOPE_ECHO && scope != PKT_SCOPE_ICMP_OTHER))
        return put_null(p);
    if (scope == PKT_SCOPE_ECHO) {
        p = put_fragment(p, &l->echo);
        p = put_uint(p, tc);
    } else {
        p = put_fragment(p, &l->message);
        p = put_uint(p, tc >> 8);
        p = put_fragment(p, &l->message_code);
        p = put_uint(p, tc & 0xff);
        p = put_fragment(p, &l->message_name);
        p = put_nullable_table_name(
            w, p, report_icmp_name(f->key.family, (uint8_t)(tc >> 8), (uint8_t)(tc & 0xff)));
    }
    return put_fragment(p, &l->icmp_end);
}

static char *put_icmp_errors(struct writer *w, char *p, const struct report *r,
                             const struct flow *f)
{
    const struct layout *l = w->layout;

    for (uint32_t ref = f->icmp_errors; ref != 0;) {
        const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);

        p = item_begin(w, p, &l->list2, ref == f->icmp_errors);
        p = put_fragment(p, &l->error_proto);
        p = put_table_name(w, p, e->family == 6 ? "icmpv6" : "icmp");
        p = put_fragment(p, &l->error_type);
        p = put_uint(p, e->type);
        p = put_fragment(p, &l->error_code);
        p = put_uint(p, e->code);
        p = put_fragment(p, &l->error_name);
        p = put_nullable_table_name(w, p, report_icmp_name(e->family, e->type, e->code));
        p = put_fragment(p, &l->error_packets);
        p = put_int(p, (int64_t)e->packets);
        p = put_fragment(p, &l->error_bytes);
        p = put_int(p, (int64_t)e->bytes);
        p = put_fragment(p, &l->error_end);
        ref = e->next;
    }
    return list_end(w, p, &l->list2, f->icmp_errors == 0);
}

/* {"c2s": .., "s2c": ..} of a per-endpoint counter, after the fragment that opens it. */
static char *put_pair(char *p, const struct fragment *open, const struct fragment *s2c,
                      const uint64_t *by_endpoint, uint8_t client)
{
    p = put_fragment(p, open);
    p = put_int(p, (int64_t)by_endpoint[client]);
    p = put_fragment(p, s2c);
    return put_int(p, (int64_t)by_endpoint[!client]);
}

/*
 * One flow's object: `rf` of report `r`, whose flow is `f` (got from the table, or handed over by
 * a stream); `type` puts a "type" member first (jsonl lines), or is NULL.
 */
static void put_flow(struct writer *w, const struct report *r, const struct report_flow *rf,
                     const struct flow *f, size_t id, const char *type)
{
    const struct layout *l = w->layout;
    uint8_t c = rf->client;
    char *p = room(w, GROUP_ROOM);

    if (type != NULL) {
        p = put_fragment(p, &l->flow_type);
        p = put_name(w, p, type);
        p = put_fragment(p, &l->id_after_type);
    } else {
        p = put_fragment(p, &l->flow_id);
    }
    p = put_int(p, (int64_t)id);
    p = put_fragment(p, &l->proto);
    p = put_proto(w, p, f->key.proto);
    p = put_fragment(p, &l->ip_version);
    p = put_uint(p, f->key.family);
    p = put_endpoint(w, p, r, rf, f, c);
    p = put_endpoint(w, p, r, rf, f, !c);
    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, &l->role_reason);
    p = put_table_name(w, p, report_role_reason_name(rf->reason, f->key.proto));
    p = put_fragment(p, &l->start_reason);
    p = put_table_name(w, p, flow_start_name((enum flow_start)f->start));
    p = put_fragment(p, &l->follows);
    p = rf->follows != 0 ? put_int(p, (int64_t)rf->follows) : put_null(p);
    p = put_fragment(p, &l->first_seen);
    p = put_time(w, p, f->first_seen);
    p = put_fragment(p, &l->last_seen);
    p = put_time(w, p, f->last_seen);
    p = put_fragment(p, &l->duration);
    p = put_duration(w, p, f->first_seen, f->last_seen);
    p = reserve(w, p, GROUP_ROOM);
    p = put_pair(p, &l->packets, &l->s2c, f->packets, c);
    p = put_pair(p, &l->bytes, &l->s2c, f->bytes, c);
    p = reserve(w, p, GROUP_ROOM);
    p = put_pair(p, &l->ip_bytes, &l->s2c, f->ip_bytes, c);
    p = put_pair(p, &l->payload_bytes, &l->s2c, f->payload_bytes, c);
    p = put_fragment(p, &l->tcp);
    p = put_tcp(w, p, rf, f);
    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, &l->quality);
    p = put_quality(w, p, f);
    p = put_fragment(p, &l->encap);
    p = put_encap(w, p, r, f);
    p = put_fragment(p, &l->icmp);
    p = put_icmp(w, p, f);
    p = put_fragment(p, &l->icmp_errors);
    p = put_icmp_errors(w, p, r, f);
    w->p = put_fragment(p, &l->end);
}

static void put_service(struct writer *w, const struct report_service *s)
{
    const struct layout *l = w->layout;
    char *p = room(w, GROUP_ROOM);

    p = put_fragment(p, &l->service_port);
    p = put_uint(p, s->port);
    p = put_fragment(p, &l->proto);
    p = put_proto(w, p, s->proto);
    p = put_fragment(p, &l->service_name);
    p = put_nullable_table_name(w, p, s->service);
    p = put_fragment(p, &l->service_alias_name);
    p = put_nullable_table_name(w, p, s->service_alias);
    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, &l->count_flows);
    p = put_int(p, (int64_t)s->flows);
    p = put_fragment(p, &l->count_packets);
    p = put_int(p, (int64_t)s->packets);
    p = put_fragment(p, &l->count_bytes);
    p = put_int(p, (int64_t)s->bytes);
    p = put_fragment(p, &l->count_clients);
    p = put_int(p, (int64_t)s->clients);
    w->p = put_fragment(p, &l->end);
}

static void put_client(struct writer *w, const struct report_client *c)
{
    const struct layout *l = w->layout;
    char *p = room(w, GROUP_ROOM);

    p = put_fragment(p, &l->host_ip);
    p = put_addr(p, c->family, c->addr);
    p = put_fragment(p, &l->count_flows);
    p = put_int(p, (int64_t)c->flows);
    p = put_fragment(p, &l->host_ports);
    p = put_int(p, (int64_t)c->ports);
    p = put_fragment(p, &l->host_port_lo);
    p = put_uint(p, c->port_lo);
    p = put_fragment(p, &l->host_port_hi);
    p = put_uint(p, c->port_hi);
    p = put_fragment(p, &l->host_ephemeral);
    p = put_ephemeral(w, p, c->ephemeral_all, &l->list2);
    p = put_fragment(p, &l->host_in_range);
    p = put_int(p, (int64_t)c->in_range);
    w->p = put_fragment(p, &l->end);
}

enum table { TABLE_FLOWS, TABLE_SERVICES, TABLE_CLIENTS };

/* The array of flows, services or client hosts, a member of the document: its items at depth 2. */
static int emit_table(FILE *out, const struct report *r, enum table table)
{
    size_t n = table == TABLE_FLOWS      ? r->n_flows
               : table == TABLE_SERVICES ? r->n_services
                                         : r->n_clients;
    struct name_entry *names;
    struct writer w;
    char *buf;

    if (n == 0)
        return fputs("[]", out) == EOF ? -1 : 0;
    buf = malloc(DOCUMENT_BUFFER);
    names = calloc(1 << NAME_CACHE_BITS, sizeof(*names));
    if (buf == NULL || names == NULL) {
        free(buf);
        free(names);
        return -1;
    }
    writer_init(&w, out, buf, DOCUMENT_BUFFER, &document_layout, r->nanosecond);
    w.names = names;
    for (size_t i = 0; i < n; i++) {
        if (i == 0)
            PUT_LITERAL(&w, "[\n    ");
        else
            PUT_LITERAL(&w, ",\n    ");
        if (table == TABLE_FLOWS) {
            struct flow flow;

            put_flow(&w, r, &r->flows[i], report_flow_data(r, &r->flows[i], &flow), r->flows[i].id,
                     NULL);
        } else if (table == TABLE_SERVICES) {
            put_service(&w, &r->services[i]);
        } else {
            put_client(&w, &r->clients[i]);
        }
    }
    PUT_LITERAL(&w, "\n  ]");
    writer_flush(&w);
    free(buf);
    free(names);
    return w.failed ? -1 : 0;
}

int report_json_flow(const struct report *r, const struct report_flow *rf, size_t id, bool compact,
                     FILE *out)
{
    struct writer w;
    char buf[LINE_BUFFER];
    struct flow flow;

    writer_init(&w, out, buf, sizeof(buf), compact ? &compact_layout : &pretty_layout,
                r->nanosecond);
    put_flow(&w, r, rf, report_flow_data(r, rf, &flow), id, NULL);
    return writer_flush(&w);
}

/* Writes `"key": ` at the top level; `first` says whether a comma must come before it. */
static int emit_key(FILE *out, const char *key, bool first)
{
    return fprintf(out, "%s  \"%s\": ", first ? "" : ",\n", key) < 0 ? -1 : 0;
}

enum array_kind { ARRAY_INPUTS, ARRAY_EXPECTATIONS };

static json_t *array_item(const struct report *r, enum array_kind kind, size_t i)
{
    switch (kind) {
    case ARRAY_INPUTS:
        return input_value(r, &r->inputs[i]);
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
    if (emit_key(out, "flows", false) != 0 || emit_table(out, r, TABLE_FLOWS) != 0)
        return -1;
    if (emit_key(out, "services", false) != 0 || emit_table(out, r, TABLE_SERVICES) != 0)
        return -1;
    if (emit_key(out, "clients", false) != 0 || emit_table(out, r, TABLE_CLIENTS) != 0)
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
    json_t *list;

    memset(w, 0, sizeof(*w));
    w->out = out;
    w->view.settings = *settings;
    w->view.table = table;
    w->lines = calloc(1, sizeof(*w->lines));
    if (w->lines == NULL) {
        w->failed = true;
        return -1;
    }
    writer_init(&w->lines->w, out, w->lines->buf, sizeof(w->lines->buf), &compact_layout, false);
    w->lines->w.names = w->lines->names;
    list = json_array();
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
    struct writer *line;

    if (w->failed)
        return;
    report_flow_init(&rf, f->id, f, &w->view.settings);
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
        !select_flow(w->view.settings.select, &w->view, &rf, f))
        return;
    line = &w->lines->w;
    /* An input read since the last line may have brought nanosecond timestamps. */
    line->nanosecond = w->view.nanosecond;
    /* Not from the table: this flow is leaving it. */
    put_flow(line, &w->view, &rf, f, (size_t)f->id + 1, "flow");
    *room(line, 1) = '\n';
    line->p++;
    if (w->lines->live)
        writer_flush(line);
    if (line->failed)
        w->failed = true;
    w->written++;
}

/* The flow lines buffered so far go to the FILE: before a line written another way, and at the
 * end. */
static void hand_over_lines(struct report_jsonl *w)
{
    if (w->lines != NULL && writer_flush(&w->lines->w) != 0)
        w->failed = true;
}

void report_jsonl_live(struct report_jsonl *w)
{
    hand_over_lines(w);
    if (w->lines != NULL)
        w->lines->live = true;
}

void report_jsonl_release(struct report_jsonl *w)
{
    hand_over_lines(w);
    free(w->lines);
    w->lines = NULL;
}

int report_jsonl_interval(struct report_jsonl *w, uint64_t snapshot, uint64_t elapsed_ms,
                          const struct report_totals *totals)
{
    hand_over_lines(w);
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
    json_t *list;
    struct report *r = &w->view;

    report_jsonl_release(w);
    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->n_flows = r->n_flows_all = (size_t)w->flows;
    r->flows_tcp = (size_t)w->tcp;
    r->flows_udp = (size_t)w->udp;
    r->flows_other = (size_t)w->other;
    if (w->failed)
        return -1;
    list = json_array();
    for (size_t i = 0; list != NULL && i < n_inputs; i++)
        json_array_append_new(list, input_value(r, &inputs[i]));
    if (emit_line(w->out, typed("summary", json_pack("{s:o, s:o}", "inputs", list, "summary",
                                                     summary_value(r)))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}
