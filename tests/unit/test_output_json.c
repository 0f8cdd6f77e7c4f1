/*
 * test_output_json.c - the JSON writer's flows, services and client hosts are written by hand
 * (src/output/output_json_flows.c); here jansson builds the same objects as the writer did before,
 * and the two must write the same bytes: every flow of every sample, and flows made up to reach
 * the odd corners (IPv6 address forms, unnamed and strangely named services, ICMP, tunnels, ICMP
 * errors, nanosecond and pre-1970 times, durations of every magnitude, counters past INT64_MAX).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include "unit.h"
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "capture.h"
#include "report.h"
#include "../../src/output/output_int.h"

#define PRETTY  (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define COMPACT (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* --- The reference: a flow as jansson objects, as the JSON writer built it before. ---------- */

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
    const char *name = ipproto_name(proto);

    return name != NULL ? json_string(name) : json_integer(proto);
}

/* As output_text_value() in output_json.c: invalid UTF-8 becomes U+FFFD. */
static json_t *text_value(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), n = 0;
    char *clean = malloc(len * 3 + 1);
    json_t *v;

    ck_assert_ptr_nonnull(clean);
    for (size_t i = 0; i < len;) {
        unsigned char b = u[i], lo = 0x80, hi = 0xbf;
        size_t seq = b < 0x80                 ? 1
                     : b >= 0xc2 && b <= 0xdf ? 2
                     : b >= 0xe0 && b <= 0xef ? 3
                     : b >= 0xf0 && b <= 0xf4 ? 4
                                              : 0;

        if (b == 0xe0)
            lo = 0xa0;
        else if (b == 0xed)
            hi = 0x9f;
        else if (b == 0xf0)
            lo = 0x90;
        else if (b == 0xf4)
            hi = 0x8f;
        if (seq > 1 && (seq > len - i || u[i + 1] < lo || u[i + 1] > hi))
            seq = 0;
        for (size_t k = 2; seq > 2 && k < seq; k++)
            if (u[i + k] < 0x80 || u[i + k] > 0xbf)
                seq = 0;
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

static json_t *duration_value(ps_time first, ps_time last, bool nanosecond)
{
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

static json_t *names_list(const char *const *names)
{
    json_t *list = json_array();

    for (; list != NULL && *names != NULL; names++)
        json_array_append_new(list, text_value(*names));
    return list;
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
static json_t *icmp_value(const struct flow *f)
{
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

static json_t *tcp_value(const struct report *r, const struct report_flow *rf, const struct flow *f)
{
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    char history[FLOW_HISTORY_MAX + 2];

    if (f->key.proto != PS_IPPROTO_TCP)
        return json_null();
    flow_tcp_history(f, c, history, sizeof(history));
    return json_pack(
        "{s:s, s:s, s:{s:o, s:o, s:o, s:o, s:o}, s:{s:b, s:b}, s:{s:b, s:b}, s:{s:i, s:i}}",
        "conn_state", flow_tcp_conn_state_name(flow_tcp_conn_state(f, c)), "history", history,
        "handshake", "syn", handshake_time(r, t, FLOW_TCP_HAVE_SYN, t->syn_at), "syn_ack",
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

/* What the first payload bytes showed (report_flow_app()); null when neither TCP nor UDP. */
static json_t *app_value(const struct report *r, const struct report_flow *rf, const struct flow *f)
{
    struct report_app app;
    const char *alias, *service = report_flow_service(r, rf, f, &alias);
    json_t *o;

    if (!report_flow_app(r, rf, f, service, &app))
        return json_null();
    o = json_object();
    json_object_set_new(o, "protocol", nullable_string(decode_app_name(app.proto)));
    json_object_set_new(o, "client", nullable_string(decode_app_name(app.client)));
    json_object_set_new(o, "server", nullable_string(decode_app_name(app.server)));
    json_object_set_new(o, "sni", app.sni != NULL ? text_value(app.sni) : json_null());
    json_object_set_new(o, "why", nullable_string(app.why));
    json_object_set_new(o, "mismatch", app.mismatch ? text_value(app.mismatch_text) : json_null());
    return o;
}

static json_t *flow_value(const struct report *r, const struct report_flow *rf, size_t id)
{
    struct flow buf;
    const struct flow *f = report_flow_data(r, rf, &buf);
    uint8_t c = rf->client, s = !rf->client;
    bool ports = ipproto_has_ports(f->key.proto);
    const char *service =
        ports ? ports_service_name(r->settings.services, f->key.proto, f->key.port[s]) : NULL;
    int client_port = ports ? f->key.port[c] : 0, server_port = ports ? f->key.port[s] : 0;
    char cid[REPORT_COMMUNITY_ID_LEN];
    json_t *o, *client, *server;

    client =
        json_pack("{s:o, s:i, s:o, s:o, s:b}", "ip", addr_value(f->key.family, f->key.addr[c]),
                  "port", client_port, "port_class", endpoint_port_class(ports, f->key.port[c]),
                  "ephemeral", ephemeral_list(rf->client_ephemeral), "in_ephemeral_range",
                  ports && port_range_contains(&r->settings.ephemeral, f->key.port[c]));
    server = json_pack(
        "{s:o, s:i, s:o, s:o, s:o}", "ip", addr_value(f->key.family, f->key.addr[s]), "port",
        server_port, "port_class", endpoint_port_class(ports, f->key.port[s]), "service",
        nullable_string(service), "service_alias", nullable_string(ports_service_alias(service)));
    o = json_pack("{s:I, s:o, s:i, s:s, s:o, s:o, s:s, s:s, s:o}", "id", (json_int_t)id, "proto",
                  proto_value(f->key.proto), "ip_version", (int)f->key.family, "community_id",
                  report_flow_community_id(f, r->settings.community_id_seed,
                                           r->settings.community_id_hex, cid),
                  "client", client, "server", server, "role_reason",
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
    json_object_set_new(o, "tcp", tcp_value(r, rf, f));
    json_object_set_new(o, "quality", quality_value(f));
    json_object_set_new(o, "encap", encap_list(r, f));
    json_object_set_new(o, "icmp", icmp_value(f));
    json_object_set_new(o, "icmp_errors", icmp_errors_value(r, f));
    json_object_set_new(o, "app", app_value(r, rf, f));
    return o;
}

static json_t *service_value(const struct report_service *s)
{
    return json_pack("{s:i, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "port", (int)s->port, "proto",
                     proto_value(s->proto), "service", nullable_string(s->service), "service_alias",
                     nullable_string(s->service_alias), "service_other",
                     names_list(s->service_other), "flows", (json_int_t)s->flows, "packets",
                     (json_int_t)s->packets, "bytes", (json_int_t)s->bytes, "clients",
                     (json_int_t)s->clients);
}
static json_t *ports_list(const uint16_t *ports, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_integer(ports[i]));
    return list;
}

static json_t *uint_or_null(uint64_t v)
{
    return v != 0 ? json_integer((json_int_t)v) : json_null();
}

/* How the host picked its ports: the members after flows_in_ephemeral_range, in their order. */
static void add_port_choice(json_t *o, const struct report_port_choice *ch, bool nanosecond)
{
    json_object_set_new(o, "port_pattern", json_string(report_port_pattern_name(ch->pattern)));
    json_object_set_new(o, "pattern_proto", ch->proto ? proto_value(ch->proto) : json_null());
    json_object_set_new(o, "pattern_connections", json_integer(ch->connections));
    json_object_set_new(o, "pattern_steps", json_integer(ch->steps));
    json_object_set_new(o, "pattern_steps_up", json_integer(ch->steps_up));
    json_object_set_new(o, "pattern_step", uint_or_null(ch->step));
    json_object_set_new(o, "destination_steps", json_integer(ch->dest_steps));
    json_object_set_new(o, "destination_steps_up", json_integer(ch->dest_steps_up));
    json_object_set_new(o, "ports_first", ports_list(ch->first, ch->n_first));
    json_object_set_new(o, "ports_last",
                        ports_list(ch->n_last > 0 ? ch->more->last : NULL, ch->n_last));
    json_object_set_new(o, "wraps", json_integer(ch->wraps));
    json_object_set_new(o, "first_wrap",
                        ch->wraps == 0 ? json_null()
                                       : json_pack("{s:i, s:o, s:i, s:o}", "from",
                                                   (int)ch->more->wrap_from, "from_seen",
                                                   time_value(ch->more->wrap_from_seen, nanosecond),
                                                   "to", (int)ch->more->wrap_to, "to_seen",
                                                   time_value(ch->more->wrap_to_seen, nanosecond)));
    json_object_set_new(o, "ports_reused_other_server", json_integer(ch->reused_other_server));
    json_object_set_new(o, "ports_reused_same_server", json_integer(ch->reused_same_server));
    json_object_set_new(o, "likely_range",
                        ch->likely == 0
                            ? json_null()
                            : json_pack("{s:o, s:i, s:i, s:I}", "profiles",
                                        ephemeral_list(ch->likely), "lo", (int)ch->likely_lo, "hi",
                                        (int)ch->likely_hi, "ports", (json_int_t)ch->likely_ports));
    json_object_set_new(o, "initial_ttl", uint_or_null(ch->initial_ttl));
    json_object_set_new(o, "initial_ttl_flows",
                        json_pack("{s:i, s:i, s:i, s:i}", "32", (int)ch->ttl_flows[0], "64",
                                  (int)ch->ttl_flows[1], "128", (int)ch->ttl_flows[2], "255",
                                  (int)ch->ttl_flows[3]));
    json_object_set_new(o, "os_hint", json_string(report_os_hint_name(ch->os_hint)));
}

static json_t *client_value(const struct report_client *c, bool nanosecond)
{
    json_t *o = json_pack("{s:o, s:I, s:I, s:i, s:i, s:o, s:I}", "ip",
                          addr_value(c->family, c->addr), "flows", (json_int_t)c->flows, "ports",
                          (json_int_t)c->ports, "port_lo", (int)c->port_lo, "port_hi",
                          (int)c->port_hi, "ephemeral", ephemeral_list(c->ephemeral_all),
                          "flows_in_ephemeral_range", (json_int_t)c->in_range);

    json_object_set_new(o, "range_in_force",
                        json_pack("{s:o, s:i, s:i}", "name", nullable_string(c->in_force.name),
                                  "lo", (int)c->in_force.lo, "hi", (int)c->in_force.hi));
    add_port_choice(o, &c->choice, nanosecond);
    return o;
}

/* --- Both ways. ------------------------------------------------------------------------------- */

/* What output_json_flow() writes, NUL-terminated. */
static char *fast_flow(const struct report *r, const struct report_flow *rf, bool compact)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(output_json_flow(r, rf, rf->id, compact, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

static size_t compared;

static void assert_flow_bytes(const struct report *r, const struct report_flow *rf)
{
    json_t *ref = flow_value(r, rf, rf->id);

    ck_assert_ptr_nonnull(ref);
    for (int compact = 0; compact <= 1; compact++) {
        char *want = json_dumps(ref, compact ? COMPACT : PRETTY);
        char *got = fast_flow(r, rf, compact);

        ck_assert_ptr_nonnull(want);
        ck_assert_msg(strcmp(got, want) == 0, "flow %zu, %s:\n--- jansson\n%s\n--- ours\n%s\n",
                      (size_t)rf->id, compact ? "compact" : "indented", want, got);
        free(want);
        free(got);
    }
    json_decref(ref);
    compared++;
}

/* Each item of `got` dumps as the one of `want` (which this frees) at the same place. */
static void assert_same_items(json_t *got, json_t *want)
{
    ck_assert_uint_eq(json_array_size(got), json_array_size(want));
    for (size_t i = 0; i < json_array_size(want); i++) {
        char *w = json_dumps(json_array_get(want, i), PRETTY);
        char *g = json_dumps(json_array_get(got, i), PRETTY);

        ck_assert_str_eq(g, w);
        free(w);
        free(g);
    }
    json_decref(want);
}

/* The services and client hosts, through the whole document: parsed back, each must dump as
 * jansson would dump the object it built. */
static void assert_tables(const struct report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    json_error_t error;
    json_t *doc, *list;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(output_json_write(r, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    doc = json_loads(text, 0, &error);
    ck_assert_msg(doc != NULL, "%s", error.text);
    list = json_array();
    for (size_t i = 0; i < r->n_services; i++)
        json_array_append_new(list, service_value(&r->services[i]));
    assert_same_items(json_object_get(doc, "services"), list);
    list = json_array();
    for (size_t i = 0; i < r->n_clients; i++)
        json_array_append_new(list, client_value(&r->clients[i], r->nanosecond));
    assert_same_items(json_object_get(doc, "clients"), list);
    /* And the document as a whole is what jansson writes for it. */
    {
        char *dumped = json_dumps(doc, PRETTY);

        ck_assert_ptr_nonnull(dumped);
        ck_assert_uint_eq(strlen(text), strlen(dumped) + 1);
        ck_assert_int_eq(strncmp(text, dumped, strlen(dumped)), 0);
        free(dumped);
    }
    json_decref(doc);
    free(text);
}

static void assert_report(const struct report *r)
{
    for (size_t i = 0; i < r->n_flows; i++)
        assert_flow_bytes(r, &r->flows[i]);
    assert_tables(r);
}

static void default_settings(struct report_settings *s)
{
    char err[PS_ERRBUF_SIZE];

    memset(s, 0, sizeof(*s));
    ck_assert(ports_parse_ephemeral("iana", &s->ephemeral, err, sizeof(err)) == 0);
    s->decap = true;
    flow_lifecycle_zeek(&s->lifecycle);
}

/* The capture at `path`, read as portscope reads it, and its report checked. */
static void read_and_check(const char *path, void *arg)
{
    struct analyzer_config config = {.max_fragments = 1024, .seed = 1};
    struct report_settings settings;
    struct analyze_input in;
    struct report report;
    struct analyzer a;
    struct capture *c;
    char err[PS_ERRBUF_SIZE];

    (void)arg;
    default_settings(&settings);
    config.lifecycle = settings.lifecycle;
    ck_assert_int_eq(analyzer_init(&a, &config), 0);
    analyzer_input_init(&in, path);
    c = capture_open_file(path, err, sizeof(err));
    ck_assert_msg(c != NULL, "%s: %s", path, err);
    analyzer_read(&a, c, &in);
    capture_close(c);
    ck_assert_int_eq(analyzer_finish(&a), 0);
    ck_assert_int_eq(report_build(&report, &in, 1, &a.totals, &settings, a.table), 0);
    assert_report(&report);
    report_release(&report);
    analyzer_release(&a);
}

/* Every sample capture, read as portscope reads it. */
START_TEST(test_samples)
{
    ck_assert_uint_gt(unit_each_sample(read_and_check, NULL), 40);
    ck_assert_uint_gt(compared, 100);
}
END_TEST

/* --- Made-up flows. --------------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* IPv6 addresses with zero words in every pattern, and the IPv4-compatible and mapped forms. */
static void odd_address(uint8_t *a, int i)
{
    uint64_t r = next_random(), zeros = next_random();

    for (int w = 0; w < 8; w++) {
        uint16_t word = (zeros >> (w * 3)) & 1 ? 0 : (uint16_t)(r >> (w * 8));

        if ((i & 7) == 1) /* small words: fewer hex digits */
            word &= 0x00ff >> (w & 7);
        a[2 * w] = (uint8_t)(word >> 8);
        a[2 * w + 1] = (uint8_t)word;
    }
    if (i % 11 == 0) /* ::a.b.c.d */
        memset(a, 0, 12);
    if (i % 13 == 0) { /* ::ffff:a.b.c.d */
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
    }
    if (i % 17 == 0) /* ::, ::1, ::x */
        memset(a, 0, 14 + (i % 3 == 0));
}

static struct flow *add(struct flow_table *t, struct pkt_info *p, ps_time ts, uint32_t len)
{
    struct flow_packet fp = {ts, len, len > 1500};
    uint8_t sender;
    struct flow *f = flow_table_add_packet(t, p, &fp, &sender);

    ck_assert_ptr_nonnull(f);
    return f;
}

/*
 * Names as a --services file may give them to the flows on port 443: quotes, backslashes, controls,
 * UTF-8 good and bad (no blanks: they separate a file's fields).
 */
static struct ports_services *odd_services(void)
{
    static const char text[] = "we\"ird\\name/x\x01\x1f\x7f 443/tcp\n"
                               "caf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 443/udp\n"
                               "bad\xff\xc3\xed\xa0\x80\xf4\x90\x80\x80\xe0\x80 443/sctp\n";
    struct ports_services *services = ports_services_new();
    char path[] = "/tmp/test_json_fast_XXXXXX", err[PS_ERRBUF_SIZE] = "";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    ck_assert_ptr_nonnull(services);
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(ports_services_load(services, path, err, sizeof(err)) == 0, "%s", err);
    unlink(path);
    return services;
}

static void made_up_flows(bool nanosecond)
{
    /* 1970, just before it, 1922, 2023, 1684, 2255. */
    static const ps_time bases[] = {0,
                                    -1,
                                    -1500000001,
                                    1700000000123456789,
                                    INT64_MIN / 1024 * 1000,
                                    INT64_MAX - 200000000000000000};
    struct flow_table *t = flow_table_new(0, 7, NULL);
    struct ports_services *services = odd_services();
    struct report_settings settings;
    struct analyze_totals totals;
    struct analyze_input in;
    struct report report;

    ck_assert_ptr_nonnull(t);
    default_settings(&settings);
    settings.services = services;
    memset(&totals, 0, sizeof(totals));
    analyzer_input_init(&in, "made-up");
    in.nanosecond = nanosecond;
    for (int i = 0; i < 3000; i++) {
        struct pkt_info p;
        ps_time ts = bases[i % 6] + (ps_time)(next_random() % 4000000000000ULL);
        uint64_t gap = next_random();
        struct flow *f;

        memset(&p, 0, sizeof(p));
        p.family = i % 3 == 0 ? 4 : 6;
        p.proto =
            (uint8_t[]){PS_IPPROTO_TCP,   PS_IPPROTO_UDP, PS_IPPROTO_ICMP, PS_IPPROTO_SCTP, 47, 253,
                        PS_IPPROTO_ICMPV6}[i % 7];
        odd_address(p.src, i);
        odd_address(p.dst, i + 1);
        if (ipproto_has_ports(p.proto)) {
            p.sport = (uint16_t)next_random();
            p.dport = i % 5 == 0 ? 443 : (uint16_t)next_random();
        } else if (p.proto == PS_IPPROTO_ICMP || p.proto == PS_IPPROTO_ICMPV6) {
            p.scope = i % 2 ? PKT_SCOPE_ECHO : PKT_SCOPE_ICMP_OTHER;
            p.sport = (uint16_t)next_random();
            if (i % 4 == 0)
                p.hint = PKT_HINT_OPEN;
        }
        if (p.proto == PS_IPPROTO_TCP) {
            p.tcp_flags = PS_TCP_SYN;
            p.hint = i % 4 ? PKT_HINT_OPEN : PKT_HINT_NONE;
            p.tcp_seq = (uint32_t)next_random();
        }
        p.n_encap = (uint8_t)(i % 4);
        for (int k = 0; k < p.n_encap; k++) {
            p.encap[k].kind = (uint8_t)((i + k) % 4 + 1);
            p.encap[k].has_id = (i + k) % 2;
            p.encap[k].id = (uint32_t)next_random();
        }
        p.ip_len = 60;
        p.payload_len = 20;
        f = add(t, &p, ts, 74);
        if (i % 2 == 0) {
            /* The other way, after a gap of any size: the duration's digits and exponents. */
            struct pkt_info back = p;
            ps_time later = ts + (ps_time)(gap % (i % 10 < 5   ? 100000
                                                  : i % 10 < 8 ? 10000000000ULL
                                                               : 100000000000000000ULL));

            memcpy(back.src, p.dst, 16);
            memcpy(back.dst, p.src, 16);
            back.sport = p.dport;
            back.dport = p.sport;
            if (p.proto == PS_IPPROTO_TCP) {
                back.tcp_flags = PS_TCP_SYN | PS_TCP_ACK;
                back.hint = PKT_HINT_ACCEPT;
                add(t, &back, later, 66);
                p.tcp_flags = PS_TCP_ACK;
                p.hint = PKT_HINT_NONE;
                p.tcp_seq++;
                add(t, &p, later + (ps_time)(gap % 3000), 2000);
            } else {
                add(t, &back, later, 66);
            }
        }
        if (i % 9 == 0)
            for (int k = 0; k < 3; k++)
                ck_assert_int_eq(flow_table_add_icmp_error(t, f, (uint8_t)(k ? 6 : 4),
                                                           (uint8_t)(k * 2 + 1), (uint8_t)k, 90),
                                 0);
        if (i % 23 == 0) { /* counters past what a json_int_t holds */
            f->bytes[0] = UINT64_MAX - (uint64_t)i;
            f->packets[1] = (uint64_t)INT64_MAX + 1;
            f->tcp.retrans[0] = UINT32_MAX;
            f->tcp.retrans[1] = (uint32_t)INT_MAX + 1;
        }
    }
    ck_assert_int_eq(report_build(&report, &in, 1, &totals, &settings, t), 0);
    ck_assert(report.nanosecond == nanosecond);
    /* Blanks and the empty name too, which no file gives, through the services' table. */
    for (size_t i = 0; i < report.n_services; i += 7) {
        static const char *const names[] = {"we\"ird\\name/x", "tab\there\nnl\x01\x1f\x7f",
                                            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                                            "bad\xff\xc3 \xed\xa0\x80 \xf4\x90\x80\x80 \xe0\x80",
                                            ""};

        /* Lists of three, two, one and no names: the tails of one list. */
        static const char *const others[] = {"we\"ird\\name/x", "caf\xc3\xa9", "", NULL};

        report.services[i].service = names[i % 5];
        report.services[i].service_alias = names[(i + 1) % 5];
        report.services[i].service_other = others + i % 4;
    }
    assert_report(&report);
    /* Written on two threads (--threads 2), the helper's runs of flows growing its buffers. */
    report.settings.threads = 2;
    assert_tables(&report);
    report_release(&report);
    ports_services_free(services);
    flow_table_free(t);
}

START_TEST(test_made_up_micro)
{
    made_up_flows(false);
}
END_TEST

START_TEST(test_made_up_nano)
{
    made_up_flows(true);
}
END_TEST

/* Durations one by one around every boundary of the number's form. */
START_TEST(test_durations)
{
    static const uint64_t ns[] = {0,
                                  1,
                                  9,
                                  10,
                                  99999,
                                  100000,
                                  100001,
                                  999999999,
                                  1000000000,
                                  1000000001,
                                  123456789012345,
                                  1234567890123456,
                                  9007199254740991,
                                  9007199254740992,
                                  9007199254740993,
                                  UINT64_MAX / 2,
                                  UINT64_MAX};
    struct flow_table *t = flow_table_new(0, 7, NULL);
    struct report_settings settings;
    struct analyze_totals totals;
    struct analyze_input in;
    struct report report;

    ck_assert_ptr_nonnull(t);
    default_settings(&settings);
    memset(&totals, 0, sizeof(totals));
    analyzer_input_init(&in, "durations");
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        for (uint64_t step = 1; step <= 1000000; step *= 10) {
            struct pkt_info p;
            struct flow *f;

            memset(&p, 0, sizeof(p));
            p.family = 4;
            p.proto = PS_IPPROTO_UDP;
            p.sport = (uint16_t)(i * 8 + 1);
            p.dport = (uint16_t)step;
            f = add(t, &p, 0, 60);
            f->last_seen = (ps_time)(ns[i] - (ns[i] >= step ? ns[i] % step : 0));
        }
    }
    for (int nano = 0; nano <= 1; nano++) {
        in.nanosecond = nano;
        ck_assert_int_eq(report_build(&report, &in, 1, &totals, &settings, t), 0);
        assert_report(&report);
        report_release(&report);
    }
    flow_table_free(t);
}
END_TEST

/* A number as printf() writes it, and the writer's. */
static void assert_uint(uint64_t v)
{
    char want[32], got[32];

    snprintf(want, sizeof(want), "%" PRIu64, v);
    *jw_put_uint(got, v) = '\0';
    ck_assert_str_eq(got, want);
    snprintf(want, sizeof(want), "%" PRId64, (int64_t)v);
    *jw_put_int(got, (int64_t)v) = '\0';
    ck_assert_str_eq(got, want);
}

/* Numbers: every one below 10^6, either side of each power of ten and of two, and at random; and
 * seconds with their fraction, in nine digits and in six. */
START_TEST(test_numbers)
{
    uint64_t power = 1;

    for (uint64_t v = 0; v < 1000000; v++)
        assert_uint(v);
    for (int i = 0; i < 64; i++) {
        uint64_t two = UINT64_C(1) << i;

        assert_uint(two - 1);
        assert_uint(two);
        assert_uint(two + 1);
        assert_uint(0 - two);
    }
    for (int i = 0; i < 20; i++, power *= 10) {
        assert_uint(power - 1);
        assert_uint(power);
        assert_uint(power + 1);
    }
    assert_uint(UINT64_MAX);
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next_random();

        assert_uint(r);
        assert_uint(r >> (r % 64));
    }
    for (int i = 0; i < 200000; i++) {
        uint64_t ns = i < 1000 ? (uint64_t)i * 999999 : next_random() >> (i % 40);
        char want[64], got[64];

        snprintf(want, sizeof(want), "%" PRIu64 ".%09u", ns / 1000000000,
                 (unsigned)(ns % 1000000000));
        *jw_put_seconds_text(got, ns, true) = '\0';
        ck_assert_str_eq(got, want);
        snprintf(want, sizeof(want), "%" PRIu64 ".%06u", ns / 1000000000,
                 (unsigned)(ns % 1000000000 / 1000));
        *jw_put_seconds_text(got, ns, false) = '\0';
        ck_assert_str_eq(got, want);
    }
}
END_TEST

/* Every value of each part of an IPv4 address, alone and as the end of an IPv4-mapped or
 * -compatible IPv6 address, as inet_ntop() writes them; at most 3 bytes touched past the text. */
START_TEST(test_addresses)
{
    for (int part = 0; part < 4; part++) {
        for (int v = 0; v < 256; v++) {
            uint8_t a[16] = {0};
            char want[64], got[64];

            for (int i = 0; i < 4; i++)
                a[12 + i] = (uint8_t)(i == part ? (uint64_t)v : next_random());
            for (int form = 0; form < 3; form++) {
                const uint8_t *addr = form == 0 ? a + 12 : a;

                a[10] = a[11] = form == 1 ? 0xff : 0;
                memset(got, '#', sizeof(got));
                *jw_put_addr_text(got, form == 0 ? 4 : 6, addr) = '\0';
                report_format_addr(form == 0 ? 4 : 6, addr, want, sizeof(want));
                ck_assert_str_eq(got, want);
                ck_assert(got[strlen(want) + 3] == '#');
            }
        }
    }
}
END_TEST

/* IPv6 addresses of every shape of zero runs (each group zero or not, by the bits of a number), the
 * other groups of one to four hex digits, as inet_ntop() writes them. */
START_TEST(test_ipv6_addresses)
{
    for (int i = 0; i < 256 * 64; i++) {
        uint8_t a[16];
        char want[64], got[64];

        for (int g = 0; g < 8; g++) {
            uint16_t word = (i >> g) & 1 ? 0 : (uint16_t)(next_random() >> (4 * ((i + g) % 4)));

            if (word == 0 && !((i >> g) & 1))
                word = 1;
            a[2 * g] = (uint8_t)(word >> 8);
            a[2 * g + 1] = (uint8_t)word;
        }
        memset(got, '#', sizeof(got));
        *jw_put_addr_text(got, 6, a) = '\0';
        report_format_addr(6, a, want, sizeof(want));
        ck_assert_str_eq(got, want);
        ck_assert(got[strlen(want) + 3] == '#');
    }
}
END_TEST

Suite *output_json_suite(void)
{
    Suite *suite = suite_create("json_fast");
    TCase *tc = tcase_create("writer");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_samples);
    tcase_add_test(tc, test_made_up_micro);
    tcase_add_test(tc, test_made_up_nano);
    tcase_add_test(tc, test_durations);
    tcase_add_test(tc, test_addresses);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_ipv6_addresses);
    suite_add_tcase(suite, tc);
    return suite;
}
