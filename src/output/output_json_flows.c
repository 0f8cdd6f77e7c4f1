/*
 * output_json_flows.c - the flows, services and client hosts of the JSON report: most of it,
 * written without jansson. A flow's object is rendered straight into the writer's buffer, byte for
 * byte what json_dumps() writes for the object jansson would build (tests/unit/test_output_json.c
 * holds us to that): JSON_INDENT(2) at the depth the flow sits at in the document, or JSON_COMPACT
 * for a jsonl line.
 */
#include <stdlib.h>
#include <string.h>

#include "output_int.h"

/*
 * What comes before each value of a flow, a service or a client host, in one form. A fragment
 * that opens a member object names the first member too, and the one after a member object
 * closes it: the members are written in this order.
 */
struct jw_layout {
    struct jw_fragment flow_type, id_after_type, flow_id, proto, ip_version, community_id, client,
        port, port_class, ephemeral, in_range, server, service, service_alias, role_reason,
        start_reason, follows, first_seen, last_seen, duration, packets, bytes, ip_bytes,
        payload_bytes, s2c, tcp, conn_state, history, syn, syn_ack, ack, rtt_client, rtt_server,
        fin, rst, by_server, retransmissions, retransmissions_s2c, tcp_end, quality, encap, icmp,
        icmp_errors, end;
    struct jw_fragment app, app_protocol, app_client, app_server, app_sni, app_why, app_mismatch,
        app_end;
    struct jw_fragment echo, message, message_code, message_name, icmp_end;
    struct jw_fragment error_proto, error_type, error_code, error_name, error_packets, error_bytes,
        error_end;
    struct jw_fragment service_port, service_name, service_alias_name, service_other, count_flows,
        count_packets, count_bytes, count_clients;
    struct jw_fragment host_ip, host_ports, host_port_lo, host_port_hi, host_ephemeral,
        host_in_range;
    struct jw_fragment in_force, pattern, pattern_proto, pattern_connections, pattern_steps,
        pattern_steps_up, pattern_step, dest_steps, dest_steps_up, ports_first, ports_last, wraps,
        first_wrap, no_wrap, wrap_from_seen, wrap_to, wrap_to_seen, wrap_end, reused_other,
        reused_same, likely_range, no_likely, likely_lo, likely_hi, likely_ports, likely_end,
        initial_ttl, ttl_flows, ttl_64, ttl_128, ttl_255, ttl_end, os_hint;
    struct jw_list list2, list3; /* items at two and three levels below the object's own */
};

/* N: a line break or nothing; I0 to I3: the indentation of the object's own level and the three
 * below it; C: what follows a key. */
#define LAYOUT(N, I0, I1, I2, I3, C)                                                               \
    {                                                                                              \
        .flow_type = JW_FRAGMENT("{" N I1 "\"type\"" C),                                           \
        .id_after_type = JW_FRAGMENT("," N I1 "\"id\"" C),                                         \
        .flow_id = JW_FRAGMENT("{" N I1 "\"id\"" C), .proto = JW_FRAGMENT("," N I1 "\"proto\"" C), \
        .ip_version = JW_FRAGMENT("," N I1 "\"ip_version\"" C),                                    \
        .community_id = JW_FRAGMENT("," N I1 "\"community_id\"" C),                                \
        .client = JW_FRAGMENT("," N I1 "\"client\"" C "{" N I2 "\"ip\"" C),                        \
        .port = JW_FRAGMENT("," N I2 "\"port\"" C),                                                \
        .port_class = JW_FRAGMENT("," N I2 "\"port_class\"" C),                                    \
        .ephemeral = JW_FRAGMENT("," N I2 "\"ephemeral\"" C),                                      \
        .in_range = JW_FRAGMENT("," N I2 "\"in_ephemeral_range\"" C),                              \
        .server = JW_FRAGMENT(N I1 "}," N I1 "\"server\"" C "{" N I2 "\"ip\"" C),                  \
        .service = JW_FRAGMENT("," N I2 "\"service\"" C),                                          \
        .service_alias = JW_FRAGMENT("," N I2 "\"service_alias\"" C),                              \
        .role_reason = JW_FRAGMENT(N I1 "}," N I1 "\"role_reason\"" C),                            \
        .start_reason = JW_FRAGMENT("," N I1 "\"start_reason\"" C),                                \
        .follows = JW_FRAGMENT("," N I1 "\"follows\"" C),                                          \
        .first_seen = JW_FRAGMENT("," N I1 "\"first_seen\"" C),                                    \
        .last_seen = JW_FRAGMENT("," N I1 "\"last_seen\"" C),                                      \
        .duration = JW_FRAGMENT("," N I1 "\"duration\"" C),                                        \
        .packets = JW_FRAGMENT("," N I1 "\"packets\"" C "{" N I2 "\"c2s\"" C),                     \
        .bytes = JW_FRAGMENT(N I1 "}," N I1 "\"bytes\"" C "{" N I2 "\"c2s\"" C),                   \
        .ip_bytes = JW_FRAGMENT(N I1 "}," N I1 "\"ip_bytes\"" C "{" N I2 "\"c2s\"" C),             \
        .payload_bytes = JW_FRAGMENT(N I1 "}," N I1 "\"payload_bytes\"" C "{" N I2 "\"c2s\"" C),   \
        .s2c = JW_FRAGMENT("," N I2 "\"s2c\"" C), .tcp = JW_FRAGMENT(N I1 "}," N I1 "\"tcp\"" C),  \
        .conn_state = JW_FRAGMENT("{" N I2 "\"conn_state\"" C),                                    \
        .history = JW_FRAGMENT("," N I2 "\"history\"" C),                                          \
        .syn = JW_FRAGMENT("," N I2 "\"handshake\"" C "{" N I3 "\"syn\"" C),                       \
        .syn_ack = JW_FRAGMENT("," N I3 "\"syn_ack\"" C),                                          \
        .ack = JW_FRAGMENT("," N I3 "\"ack\"" C),                                                  \
        .rtt_client = JW_FRAGMENT("," N I3 "\"rtt_client\"" C),                                    \
        .rtt_server = JW_FRAGMENT("," N I3 "\"rtt_server\"" C),                                    \
        .fin = JW_FRAGMENT(N I2 "}," N I2 "\"fin\"" C "{" N I3 "\"client\"" C),                    \
        .rst = JW_FRAGMENT(N I2 "}," N I2 "\"rst\"" C "{" N I3 "\"client\"" C),                    \
        .by_server = JW_FRAGMENT("," N I3 "\"server\"" C),                                         \
        .retransmissions =                                                                         \
            JW_FRAGMENT(N I2 "}," N I2 "\"retransmissions\"" C "{" N I3 "\"c2s\"" C),              \
        .retransmissions_s2c = JW_FRAGMENT("," N I3 "\"s2c\"" C),                                  \
        .tcp_end = JW_FRAGMENT(N I2 "}" N I1 "}"),                                                 \
        .quality = JW_FRAGMENT("," N I1 "\"quality\"" C),                                          \
        .encap = JW_FRAGMENT("," N I1 "\"encap\"" C), .icmp = JW_FRAGMENT("," N I1 "\"icmp\"" C),  \
        .icmp_errors = JW_FRAGMENT("," N I1 "\"icmp_errors\"" C), .end = JW_FRAGMENT(N I0 "}"),    \
        .app = JW_FRAGMENT("," N I1 "\"app\"" C),                                                  \
        .app_protocol = JW_FRAGMENT("{" N I2 "\"protocol\"" C),                                    \
        .app_client = JW_FRAGMENT("," N I2 "\"client\"" C),                                        \
        .app_server = JW_FRAGMENT("," N I2 "\"server\"" C),                                        \
        .app_sni = JW_FRAGMENT("," N I2 "\"sni\"" C),                                              \
        .app_why = JW_FRAGMENT("," N I2 "\"why\"" C),                                              \
        .app_mismatch = JW_FRAGMENT("," N I2 "\"mismatch\"" C), .app_end = JW_FRAGMENT(N I1 "}"),  \
        .echo = JW_FRAGMENT("{" N I2 "\"kind\"" C "\"echo\"," N I2 "\"id\"" C),                    \
        .message = JW_FRAGMENT("{" N I2 "\"kind\"" C "\"message\"," N I2 "\"type\"" C),            \
        .message_code = JW_FRAGMENT("," N I2 "\"code\"" C),                                        \
        .message_name = JW_FRAGMENT("," N I2 "\"name\"" C), .icmp_end = JW_FRAGMENT(N I1 "}"),     \
        .error_proto = JW_FRAGMENT("{" N I3 "\"proto\"" C),                                        \
        .error_type = JW_FRAGMENT("," N I3 "\"type\"" C),                                          \
        .error_code = JW_FRAGMENT("," N I3 "\"code\"" C),                                          \
        .error_name = JW_FRAGMENT("," N I3 "\"name\"" C),                                          \
        .error_packets = JW_FRAGMENT("," N I3 "\"packets\"" C),                                    \
        .error_bytes = JW_FRAGMENT("," N I3 "\"bytes\"" C), .error_end = JW_FRAGMENT(N I2 "}"),    \
        .service_port = JW_FRAGMENT("{" N I1 "\"port\"" C),                                        \
        .service_name = JW_FRAGMENT("," N I1 "\"service\"" C),                                     \
        .service_alias_name = JW_FRAGMENT("," N I1 "\"service_alias\"" C),                         \
        .service_other = JW_FRAGMENT("," N I1 "\"service_other\"" C),                              \
        .count_flows = JW_FRAGMENT("," N I1 "\"flows\"" C),                                        \
        .count_packets = JW_FRAGMENT("," N I1 "\"packets\"" C),                                    \
        .count_bytes = JW_FRAGMENT("," N I1 "\"bytes\"" C),                                        \
        .count_clients = JW_FRAGMENT("," N I1 "\"clients\"" C),                                    \
        .host_ip = JW_FRAGMENT("{" N I1 "\"ip\"" C),                                               \
        .host_ports = JW_FRAGMENT("," N I1 "\"ports\"" C),                                         \
        .host_port_lo = JW_FRAGMENT("," N I1 "\"port_lo\"" C),                                     \
        .host_port_hi = JW_FRAGMENT("," N I1 "\"port_hi\"" C),                                     \
        .host_ephemeral = JW_FRAGMENT("," N I1 "\"ephemeral\"" C),                                 \
        .host_in_range = JW_FRAGMENT("," N I1 "\"flows_in_ephemeral_range\"" C),                   \
        .in_force = JW_FRAGMENT("," N I1 "\"range_in_force\"" C "{" N I2 "\"name\"" C),            \
        .pattern = JW_FRAGMENT("," N I1 "\"port_pattern\"" C),                                     \
        .pattern_proto = JW_FRAGMENT("," N I1 "\"pattern_proto\"" C),                              \
        .pattern_connections = JW_FRAGMENT("," N I1 "\"pattern_connections\"" C),                  \
        .pattern_steps = JW_FRAGMENT("," N I1 "\"pattern_steps\"" C),                              \
        .pattern_steps_up = JW_FRAGMENT("," N I1 "\"pattern_steps_up\"" C),                        \
        .pattern_step = JW_FRAGMENT("," N I1 "\"pattern_step\"" C),                                \
        .dest_steps = JW_FRAGMENT("," N I1 "\"destination_steps\"" C),                             \
        .dest_steps_up = JW_FRAGMENT("," N I1 "\"destination_steps_up\"" C),                       \
        .ports_first = JW_FRAGMENT("," N I1 "\"ports_first\"" C),                                  \
        .ports_last = JW_FRAGMENT("," N I1 "\"ports_last\"" C),                                    \
        .wraps = JW_FRAGMENT("," N I1 "\"wraps\"" C),                                              \
        .first_wrap = JW_FRAGMENT("," N I1 "\"first_wrap\"" C "{" N I2 "\"from\"" C),              \
        .no_wrap = JW_FRAGMENT("," N I1 "\"first_wrap\"" C "null"),                                \
        .wrap_from_seen = JW_FRAGMENT("," N I2 "\"from_seen\"" C),                                 \
        .wrap_to = JW_FRAGMENT("," N I2 "\"to\"" C),                                               \
        .wrap_to_seen = JW_FRAGMENT("," N I2 "\"to_seen\"" C), .wrap_end = JW_FRAGMENT(N I1 "}"),  \
        .reused_other = JW_FRAGMENT("," N I1 "\"ports_reused_other_server\"" C),                   \
        .reused_same = JW_FRAGMENT("," N I1 "\"ports_reused_same_server\"" C),                     \
        .likely_range = JW_FRAGMENT("," N I1 "\"likely_range\"" C "{" N I2 "\"profiles\"" C),      \
        .no_likely = JW_FRAGMENT("," N I1 "\"likely_range\"" C "null"),                            \
        .likely_lo = JW_FRAGMENT("," N I2 "\"lo\"" C),                                             \
        .likely_hi = JW_FRAGMENT("," N I2 "\"hi\"" C),                                             \
        .likely_ports = JW_FRAGMENT("," N I2 "\"ports\"" C), .likely_end = JW_FRAGMENT(N I1 "}"),  \
        .initial_ttl = JW_FRAGMENT("," N I1 "\"initial_ttl\"" C),                                  \
        .ttl_flows = JW_FRAGMENT("," N I1 "\"initial_ttl_flows\"" C "{" N I2 "\"32\"" C),          \
        .ttl_64 = JW_FRAGMENT("," N I2 "\"64\"" C), .ttl_128 = JW_FRAGMENT("," N I2 "\"128\"" C),  \
        .ttl_255 = JW_FRAGMENT("," N I2 "\"255\"" C), .ttl_end = JW_FRAGMENT(N I1 "}"),            \
        .os_hint = JW_FRAGMENT("," N I1 "\"os_hint\"" C),                                          \
        .list2 = {JW_FRAGMENT("[" N I2), JW_FRAGMENT("," N I2), JW_FRAGMENT(N I1 "]")},            \
        .list3 = {JW_FRAGMENT("[" N I3), JW_FRAGMENT("," N I3), JW_FRAGMENT(N I2 "]")},            \
    }

/* A jsonl line. */
const struct jw_layout output_json_compact_layout = LAYOUT("", "", "", "", "", ":");
/* JSON_INDENT(2): an object on its own (output_json_flow()), and one in an array of the document,
 * at depth 2. */
static const struct jw_layout pretty_layout = LAYOUT("\n", "", "  ", "    ", "      ", ": ");
const struct jw_layout output_json_document_layout =
    LAYOUT("\n", "    ", "      ", "        ", "          ", ": ");

/* Where an array's next item goes: after its separator, with room for the item. */
static char *item_begin(struct jw_writer *w, char *p, const struct jw_list *list, bool first)
{
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    return jw_put_fragment(p, first ? &list->first : &list->next);
}

/* The end of an array, and room for the rest of the group it is in. */
static char *list_end(struct jw_writer *w, char *p, const struct jw_list *list, bool empty)
{
    if (empty) {
        memcpy(p, "[]", 2);
        p += 2;
    } else {
        p = jw_put_fragment(p, &list->close);
    }
    return jw_reserve(w, p, JW_GROUP_ROOM);
}

/* The names of the ephemeral profiles in `mask`: a list that most flows repeat, so it is written
 * once per mask and level and copied from then on. Each level has its half of the cache: a client
 * host's two lists, its profiles and its likely range's (one level deeper), often have masks of
 * the same slot, and took each other's place host after host. */
static char *put_ephemeral(struct jw_writer *w, char *p, uint32_t mask, const struct jw_list *list)
{
    size_t half = JW_EPHEMERAL_CACHE / 2;
    struct jw_ephemeral_entry *e =
        &w->ephemeral[mask % half + (list == &w->layout->list3 ? half : 0)];
    unsigned long flushes;
    char *start;
    bool empty = true;

    if (e->len != 0 && e->mask == mask && e->list == list) {
        p = jw_reserve(w, p, e->len);
        memcpy(p, e->text, e->len);
        return jw_reserve(w, p + e->len, JW_GROUP_ROOM);
    }
    start = p = jw_reserve(w, p, JW_EPHEMERAL_TEXT);
    flushes = w->flushes;
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (mask & (1u << i)) {
            p = item_begin(w, p, list, empty);
            p = jw_put_name(w, p, ports_ephemeral_profiles[i].name);
            empty = false;
        }
    }
    p = list_end(w, p, list, empty);
    if (w->flushes == flushes && (size_t)(p - start) <= JW_EPHEMERAL_TEXT) {
        e->mask = mask;
        e->list = list;
        e->len = (uint16_t)(p - start);
        memcpy(e->text, start, e->len);
    }
    return p;
}

/* A NULL-terminated list of names from a table, and room for the rest of the group. */
static char *put_names(struct jw_writer *w, char *p, const char *const *names,
                       const struct jw_list *list)
{
    bool empty = true;

    for (; *names != NULL; names++) {
        p = item_begin(w, p, list, empty);
        p = jw_put_table_name(w, p, *names);
        empty = false;
    }
    return list_end(w, p, list, empty);
}

/* The client's endpoint object, or the server's after it. */
static char *put_endpoint(struct jw_writer *w, char *p, const struct report_flow *rf,
                          const struct flow *f, uint8_t e, const char *service, const char *alias)
{
    const struct jw_layout *l = w->layout;
    bool ports = ipproto_has_ports(f->key.proto);

    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, e == rf->client ? &l->client : &l->server);
    p = jw_put_addr(p, f->key.family, f->key.addr[e]);
    p = jw_put_fragment(p, &l->port);
    p = jw_put_uint(p, ports ? f->key.port[e] : 0);
    p = jw_put_fragment(p, &l->port_class);
    if (ports)
        p = jw_put_table_name(w, p, ports_class_name(ports_class(f->key.port[e])));
    else
        p = jw_put_null(p);
    if (e == rf->client) {
        p = jw_put_fragment(p, &l->ephemeral);
        p = put_ephemeral(w, p, rf->client_ephemeral, &l->list3);
        p = jw_put_fragment(p, &l->in_range);
        p = jw_put_bool(p, rf->client_in_range);
    } else {
        p = jw_put_fragment(p, &l->service);
        p = jw_put_nullable_table_name(w, p, service);
        p = jw_put_fragment(p, &l->service_alias);
        p = jw_put_nullable_table_name(w, p, alias);
    }
    return p;
}

/* A time of the handshake, or null when that packet was not seen. */
static char *put_handshake_time(struct jw_writer *w, char *p, const struct flow_tcp *t, uint8_t bit,
                                ps_time at)
{
    return (t->have & bit) ? jw_put_time(w, p, at) : jw_put_null(p);
}

static char *put_rtt(struct jw_writer *w, char *p, const struct flow_tcp *t, uint8_t from_bit,
                     ps_time from, uint8_t to_bit, ps_time to)
{
    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        return jw_put_null(p);
    return jw_put_duration(w, p, from, to);
}

static char *put_tcp(struct jw_writer *w, char *p, const struct report_flow *rf,
                     const struct flow *f)
{
    const struct jw_layout *l = w->layout;
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    char history[FLOW_HISTORY_MAX + 2];

    if (f->key.proto != PS_IPPROTO_TCP)
        return jw_put_null(p);
    flow_tcp_history(f, c, history, sizeof(history));
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->conn_state);
    p = jw_put_table_name(w, p, flow_tcp_conn_state_name(rf->conn_state));
    p = jw_put_fragment(p, &l->history);
    p = jw_put_name(w, p, history);
    p = jw_put_fragment(p, &l->syn);
    p = put_handshake_time(w, p, t, FLOW_TCP_HAVE_SYN, t->syn_at);
    p = jw_put_fragment(p, &l->syn_ack);
    p = put_handshake_time(w, p, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
    p = jw_put_fragment(p, &l->ack);
    p = put_handshake_time(w, p, t, FLOW_TCP_HAVE_ACK, t->ack_at);
    p = jw_put_fragment(p, &l->rtt_client);
    p = put_rtt(w, p, t, FLOW_TCP_HAVE_SYN, t->syn_at, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
    p = jw_put_fragment(p, &l->rtt_server);
    p = put_rtt(w, p, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at, FLOW_TCP_HAVE_ACK, t->ack_at);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->fin);
    p = jw_put_bool(p, t->seen[c] & TCP_SEEN_FIN);
    p = jw_put_fragment(p, &l->by_server);
    p = jw_put_bool(p, t->seen[s] & TCP_SEEN_FIN);
    p = jw_put_fragment(p, &l->rst);
    p = jw_put_bool(p, t->seen[c] & TCP_SEEN_RST);
    p = jw_put_fragment(p, &l->by_server);
    p = jw_put_bool(p, t->seen[s] & TCP_SEEN_RST);
    /* As an int, which is what json_pack() was given. */
    p = jw_put_fragment(p, &l->retransmissions);
    p = jw_put_int(p, (int)t->retrans[c]);
    p = jw_put_fragment(p, &l->retransmissions_s2c);
    p = jw_put_int(p, (int)t->retrans[s]);
    return jw_put_fragment(p, &l->tcp_end);
}

static char *put_quality(struct jw_writer *w, char *p, const struct flow *f)
{
    const char *names[REPORT_QUALITY_MAX];
    size_t n = report_flow_quality(f, names);

    for (size_t i = 0; i < n; i++) {
        p = item_begin(w, p, &w->layout->list2, i == 0);
        p = jw_put_table_name(w, p, names[i]);
    }
    return list_end(w, p, &w->layout->list2, n == 0);
}

static char *put_encap(struct jw_writer *w, char *p, const struct report *r, const struct flow *f)
{
    size_t len;
    const struct encap *hops = flow_table_path(r->table, f->path_id, &len);

    for (size_t i = 0; i < len; i++) {
        char buf[32];

        p = item_begin(w, p, &w->layout->list2, i == 0);
        p = jw_put_name(w, p, report_format_encap(&hops[i], buf, sizeof(buf)));
    }
    return list_end(w, p, &w->layout->list2, len == 0);
}

static bool is_icmp(uint8_t proto)
{
    return proto == PS_IPPROTO_ICMP || proto == PS_IPPROTO_ICMPV6;
}

/* What an ICMP flow is keyed on: the echo identifier, or the message's type and code. */
static char *put_icmp(struct jw_writer *w, char *p, const struct flow *f)
{
    const struct jw_layout *l = w->layout;
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);
    uint16_t tc = f->key.port[0] | f->key.port[1];

    if (!is_icmp(f->key.proto) || (scope != PKT_SCOPE_ECHO && scope != PKT_SCOPE_ICMP_OTHER))
        return jw_put_null(p);
    if (scope == PKT_SCOPE_ECHO) {
        p = jw_put_fragment(p, &l->echo);
        p = jw_put_uint(p, tc);
    } else {
        p = jw_put_fragment(p, &l->message);
        p = jw_put_uint(p, tc >> 8);
        p = jw_put_fragment(p, &l->message_code);
        p = jw_put_uint(p, tc & 0xff);
        p = jw_put_fragment(p, &l->message_name);
        p = jw_put_nullable_table_name(
            w, p, report_icmp_name(f->key.family, (uint8_t)(tc >> 8), (uint8_t)(tc & 0xff)));
    }
    return jw_put_fragment(p, &l->icmp_end);
}

static char *put_icmp_errors(struct jw_writer *w, char *p, const struct report *r,
                             const struct flow *f)
{
    const struct jw_layout *l = w->layout;

    for (uint32_t ref = f->icmp_errors; ref != 0;) {
        const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);

        p = item_begin(w, p, &l->list2, ref == f->icmp_errors);
        p = jw_put_fragment(p, &l->error_proto);
        p = jw_put_proto(w, p, e->family == 6 ? PS_IPPROTO_ICMPV6 : PS_IPPROTO_ICMP);
        p = jw_put_fragment(p, &l->error_type);
        p = jw_put_uint(p, e->type);
        p = jw_put_fragment(p, &l->error_code);
        p = jw_put_uint(p, e->code);
        p = jw_put_fragment(p, &l->error_name);
        p = jw_put_nullable_table_name(w, p, report_icmp_name(e->family, e->type, e->code));
        p = jw_put_fragment(p, &l->error_packets);
        p = jw_put_int(p, (int64_t)e->packets);
        p = jw_put_fragment(p, &l->error_bytes);
        p = jw_put_int(p, (int64_t)e->bytes);
        p = jw_put_fragment(p, &l->error_end);
        ref = e->next;
    }
    return list_end(w, p, &l->list2, f->icmp_errors == 0);
}

/* {"c2s": .., "s2c": ..} of a per-endpoint counter, after the fragment that opens it. */
static char *put_pair(char *p, const struct jw_fragment *open, const struct jw_fragment *s2c,
                      const uint64_t *by_endpoint, uint8_t client)
{
    p = jw_put_fragment(p, open);
    p = jw_put_int(p, (int64_t)by_endpoint[client]);
    p = jw_put_fragment(p, s2c);
    return jw_put_int(p, (int64_t)by_endpoint[!client]);
}

/* What the first payload bytes showed, against the server port's service; null: not TCP or UDP. */
static char *put_app(struct jw_writer *w, char *p, const struct report *r,
                     const struct report_flow *rf, const struct flow *f, const char *service)
{
    const struct jw_layout *l = w->layout;
    struct report_app app;

    if (!report_flow_app(r, rf, f, service, &app))
        return jw_put_null(p);
    p = jw_put_fragment(p, &l->app_protocol);
    p = jw_put_nullable_table_name(w, p, decode_app_name(app.proto));
    p = jw_put_fragment(p, &l->app_client);
    p = jw_put_nullable_table_name(w, p, decode_app_name(app.client));
    p = jw_put_fragment(p, &l->app_server);
    p = jw_put_nullable_table_name(w, p, decode_app_name(app.server));
    p = jw_put_fragment(p, &l->app_sni);
    p = app.sni != NULL ? jw_put_name(w, p, app.sni) : jw_put_null(p);
    p = jw_put_fragment(p, &l->app_why);
    p = jw_put_nullable_table_name(w, p, app.why);
    p = jw_put_fragment(p, &l->app_mismatch);
    p = app.mismatch ? jw_put_name(w, p, app.mismatch_text) : jw_put_null(p);
    return jw_put_fragment(p, &l->app_end);
}

void output_json_put_flow(struct jw_writer *w, const struct report *r, const struct report_flow *rf,
                          const struct flow *f, size_t id, const char *type,
                          const char *community_id)
{
    const struct jw_layout *l = w->layout;
    uint8_t c = rf->client;
    char cid[REPORT_COMMUNITY_ID_LEN];
    const char *alias, *service = report_flow_service(r, rf, f, &alias);
    char *p = jw_room(w, JW_GROUP_ROOM);

    if (type != NULL) {
        p = jw_put_fragment(p, &l->flow_type);
        p = jw_put_name(w, p, type);
        p = jw_put_fragment(p, &l->id_after_type);
    } else {
        p = jw_put_fragment(p, &l->flow_id);
    }
    p = jw_put_int(p, (int64_t)id);
    p = jw_put_fragment(p, &l->proto);
    p = jw_put_proto(w, p, f->key.proto);
    p = jw_put_fragment(p, &l->ip_version);
    p = jw_put_uint(p, f->key.family);
    p = jw_put_fragment(p, &l->community_id);
    if (community_id == NULL)
        community_id = report_flow_community_id(f, r->settings.community_id_seed,
                                                r->settings.community_id_hex, cid);
    p = jw_put_known_plain(p, community_id, strlen(community_id));
    p = put_endpoint(w, p, rf, f, c, NULL, NULL);
    p = put_endpoint(w, p, rf, f, !c, service, alias);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->role_reason);
    p = jw_put_table_name(w, p, report_role_reason_name(rf->reason, f->key.proto));
    p = jw_put_fragment(p, &l->start_reason);
    p = jw_put_table_name(w, p, flow_start_name((enum flow_start)f->start));
    p = jw_put_fragment(p, &l->follows);
    p = rf->follows != 0 ? jw_put_int(p, (int64_t)rf->follows) : jw_put_null(p);
    p = jw_put_fragment(p, &l->first_seen);
    p = jw_put_time(w, p, f->first_seen);
    p = jw_put_fragment(p, &l->last_seen);
    p = jw_put_time(w, p, f->last_seen);
    p = jw_put_fragment(p, &l->duration);
    p = jw_put_duration(w, p, f->first_seen, f->last_seen);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = put_pair(p, &l->packets, &l->s2c, f->packets, c);
    p = put_pair(p, &l->bytes, &l->s2c, f->bytes, c);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = put_pair(p, &l->ip_bytes, &l->s2c, f->ip_bytes, c);
    p = put_pair(p, &l->payload_bytes, &l->s2c, f->payload_bytes, c);
    p = jw_put_fragment(p, &l->tcp);
    p = put_tcp(w, p, rf, f);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->quality);
    p = put_quality(w, p, f);
    p = jw_put_fragment(p, &l->encap);
    p = put_encap(w, p, r, f);
    p = jw_put_fragment(p, &l->icmp);
    p = put_icmp(w, p, f);
    p = jw_put_fragment(p, &l->icmp_errors);
    p = put_icmp_errors(w, p, r, f);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->app);
    p = put_app(w, p, r, rf, f, service);
    w->p = jw_put_fragment(p, &l->end);
}

static void put_service(struct jw_writer *w, const struct report_service *s)
{
    const struct jw_layout *l = w->layout;
    char *p = jw_room(w, JW_GROUP_ROOM);

    p = jw_put_fragment(p, &l->service_port);
    p = jw_put_uint(p, s->port);
    p = jw_put_fragment(p, &l->proto);
    p = jw_put_proto(w, p, s->proto);
    p = jw_put_fragment(p, &l->service_name);
    p = jw_put_nullable_table_name(w, p, s->service);
    p = jw_put_fragment(p, &l->service_alias_name);
    p = jw_put_nullable_table_name(w, p, s->service_alias);
    p = jw_put_fragment(p, &l->service_other);
    p = put_names(w, p, s->service_other, &l->list2);
    p = jw_put_fragment(p, &l->count_flows);
    p = jw_put_int(p, (int64_t)s->flows);
    p = jw_put_fragment(p, &l->count_packets);
    p = jw_put_int(p, (int64_t)s->packets);
    p = jw_put_fragment(p, &l->count_bytes);
    p = jw_put_int(p, (int64_t)s->bytes);
    p = jw_put_fragment(p, &l->count_clients);
    p = jw_put_int(p, (int64_t)s->clients);
    w->p = jw_put_fragment(p, &l->end);
}

/* Up to REPORT_PORTS_LISTED ports, and room for the rest of the group. */
static char *put_ports(struct jw_writer *w, char *p, const uint16_t *ports, size_t n,
                       const struct jw_list *list)
{
    for (size_t i = 0; i < n; i++) {
        p = item_begin(w, p, list, i == 0);
        p = jw_put_uint(p, ports[i]);
    }
    return list_end(w, p, list, n == 0);
}

static char *put_uint_or_null(char *p, uint64_t v)
{
    return v != 0 ? jw_put_uint(p, v) : jw_put_null(p);
}

/* How the host picked its client ports (report_hostports.c). */
static char *put_port_choice(struct jw_writer *w, char *p, const struct report_port_choice *ch)
{
    const struct jw_layout *l = w->layout;

    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->pattern);
    p = jw_put_table_name(w, p, report_port_pattern_name(ch->pattern));
    p = jw_put_fragment(p, &l->pattern_proto);
    p = ch->proto != 0 ? jw_put_proto(w, p, ch->proto) : jw_put_null(p);
    p = jw_put_fragment(p, &l->pattern_connections);
    p = jw_put_uint(p, ch->connections);
    p = jw_put_fragment(p, &l->pattern_steps);
    p = jw_put_uint(p, ch->steps);
    p = jw_put_fragment(p, &l->pattern_steps_up);
    p = jw_put_uint(p, ch->steps_up);
    p = jw_put_fragment(p, &l->pattern_step);
    p = put_uint_or_null(p, ch->step);
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->dest_steps);
    p = jw_put_uint(p, ch->dest_steps);
    p = jw_put_fragment(p, &l->dest_steps_up);
    p = jw_put_uint(p, ch->dest_steps_up);
    p = jw_put_fragment(p, &l->ports_first);
    p = put_ports(w, p, ch->first, ch->n_first, &l->list2);
    p = jw_put_fragment(p, &l->ports_last);
    p = put_ports(w, p, ch->n_last > 0 ? ch->more->last : NULL, ch->n_last, &l->list2);
    p = jw_put_fragment(p, &l->wraps);
    p = jw_put_uint(p, ch->wraps);
    if (ch->wraps != 0) {
        p = jw_put_fragment(p, &l->first_wrap);
        p = jw_put_uint(p, ch->more->wrap_from);
        p = jw_put_fragment(p, &l->wrap_from_seen);
        p = jw_put_time(w, p, ch->more->wrap_from_seen);
        p = jw_put_fragment(p, &l->wrap_to);
        p = jw_put_uint(p, ch->more->wrap_to);
        p = jw_put_fragment(p, &l->wrap_to_seen);
        p = jw_put_time(w, p, ch->more->wrap_to_seen);
        p = jw_put_fragment(p, &l->wrap_end);
    } else {
        p = jw_put_fragment(p, &l->no_wrap);
    }
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->reused_other);
    p = jw_put_uint(p, ch->reused_other_server);
    p = jw_put_fragment(p, &l->reused_same);
    p = jw_put_uint(p, ch->reused_same_server);
    if (ch->likely != 0) {
        p = jw_put_fragment(p, &l->likely_range);
        p = put_ephemeral(w, p, ch->likely, &l->list3);
        p = jw_put_fragment(p, &l->likely_lo);
        p = jw_put_uint(p, ch->likely_lo);
        p = jw_put_fragment(p, &l->likely_hi);
        p = jw_put_uint(p, ch->likely_hi);
        p = jw_put_fragment(p, &l->likely_ports);
        p = jw_put_uint(p, ch->likely_ports);
        p = jw_put_fragment(p, &l->likely_end);
    } else {
        p = jw_put_fragment(p, &l->no_likely);
    }
    p = jw_reserve(w, p, JW_GROUP_ROOM);
    p = jw_put_fragment(p, &l->initial_ttl);
    p = put_uint_or_null(p, ch->initial_ttl);
    p = jw_put_fragment(p, &l->ttl_flows);
    p = jw_put_uint(p, ch->ttl_flows[0]);
    p = jw_put_fragment(p, &l->ttl_64);
    p = jw_put_uint(p, ch->ttl_flows[1]);
    p = jw_put_fragment(p, &l->ttl_128);
    p = jw_put_uint(p, ch->ttl_flows[2]);
    p = jw_put_fragment(p, &l->ttl_255);
    p = jw_put_uint(p, ch->ttl_flows[3]);
    p = jw_put_fragment(p, &l->ttl_end);
    p = jw_put_fragment(p, &l->os_hint);
    return jw_put_table_name(w, p, report_os_hint_name(ch->os_hint));
}

void output_json_put_client(struct jw_writer *w, const struct report_client *c)
{
    const struct jw_layout *l = w->layout;
    char *p = jw_room(w, JW_GROUP_ROOM);

    p = jw_put_fragment(p, &l->host_ip);
    p = jw_put_addr(p, c->family, c->addr);
    p = jw_put_fragment(p, &l->count_flows);
    p = jw_put_int(p, (int64_t)c->flows);
    p = jw_put_fragment(p, &l->host_ports);
    p = jw_put_int(p, (int64_t)c->ports);
    p = jw_put_fragment(p, &l->host_port_lo);
    p = jw_put_uint(p, c->port_lo);
    p = jw_put_fragment(p, &l->host_port_hi);
    p = jw_put_uint(p, c->port_hi);
    p = jw_put_fragment(p, &l->host_ephemeral);
    p = put_ephemeral(w, p, c->ephemeral_all, &l->list2);
    p = jw_put_fragment(p, &l->host_in_range);
    p = jw_put_int(p, (int64_t)c->in_range);
    p = jw_put_fragment(p, &l->in_force);
    p = jw_put_nullable_table_name(w, p, c->in_force.name);
    p = jw_put_fragment(p, &l->likely_lo);
    p = jw_put_uint(p, c->in_force.lo);
    p = jw_put_fragment(p, &l->likely_hi);
    p = jw_put_uint(p, c->in_force.hi);
    p = jw_put_fragment(p, &l->likely_end);
    p = put_port_choice(w, p, &c->choice);
    w->p = jw_put_fragment(p, &l->end);
}

int output_json_emit_table(FILE *out, const struct report *r, enum output_json_table table)
{
    size_t n = table == OUTPUT_JSON_FLOWS      ? r->n_flows
               : table == OUTPUT_JSON_SERVICES ? r->n_services
                                               : r->n_clients;
    struct jw_name_entry *names;
    struct jw_writer w;
    char *buf;

    if (n == 0)
        return fputs("[]", out) == EOF ? -1 : 0;
    buf = malloc(JW_DOCUMENT_BUFFER);
    names = calloc(1 << JW_NAME_CACHE_BITS, sizeof(*names));
    if (buf == NULL || names == NULL) {
        free(buf);
        free(names);
        return -1;
    }
    jw_init(&w, out, buf, JW_DOCUMENT_BUFFER, &output_json_document_layout, r->nanosecond);
    w.names = names;
    if (table != OUTPUT_JSON_SERVICES) {
        output_json_put_items(&w, r, table);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i == 0)
                JW_PUT_LITERAL(&w, "[\n    ");
            else
                JW_PUT_LITERAL(&w, ",\n    ");
            put_service(&w, &r->services[i]);
        }
    }
    JW_PUT_LITERAL(&w, "\n  ]");
    jw_flush(&w);
    free(buf);
    free(names);
    return w.failed ? -1 : 0;
}

int output_json_flow(const struct report *r, const struct report_flow *rf, size_t id, bool compact,
                     FILE *out)
{
    struct jw_writer w;
    char buf[JW_LINE_BUFFER];
    struct flow flow;

    jw_init(&w, out, buf, sizeof(buf), compact ? &output_json_compact_layout : &pretty_layout,
            r->nanosecond);
    output_json_put_flow(&w, r, rf, report_flow_data(r, rf, &flow), id, NULL, NULL);
    return jw_flush(&w);
}
