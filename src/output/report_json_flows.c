/*
 * report_json_flows.c - the flows, services and client hosts of the JSON report: most of it,
 * written without jansson. A flow's object is rendered straight into the writer's buffer, byte for
 * byte what json_dumps() writes for the object jansson would build (tests/unit/test_json_fast.c
 * holds us to that): JSON_INDENT(2) at the depth the flow sits at in the document, or JSON_COMPACT
 * for a jsonl line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report_json_flows.h"

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
    struct fragment service_port, service_name, service_alias_name, service_other, count_flows,
        count_packets, count_bytes, count_clients;
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
        .service_other = FRAGMENT("," N I1 "\"service_other\"" C),                                 \
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
const struct layout report_json_compact_layout = LAYOUT("", "", "", "", "", ":");
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

/* A NULL-terminated list of names from a table, and room for the rest of the group. */
static char *put_names(struct writer *w, char *p, const char *const *names,
                       const struct list_layout *list)
{
    bool empty = true;

    for (; *names != NULL; names++) {
        p = item_begin(w, p, list, empty);
        p = json_put_table_name(w, p, *names);
        empty = false;
    }
    return list_end(w, p, list, empty);
}

/* The client's endpoint object, or the server's after it. */
static char *put_endpoint(struct writer *w, char *p, const struct report *r,
                          const struct report_flow *rf, const struct flow *f, uint8_t e)
{
    const struct layout *l = w->layout;
    bool ports = ipproto_has_ports(f->key.proto);

    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, e == rf->client ? &l->client : &l->server);
    p = json_put_addr(p, f->key.family, f->key.addr[e]);
    p = put_fragment(p, &l->port);
    p = put_uint(p, ports ? f->key.port[e] : 0);
    p = put_fragment(p, &l->port_class);
    if (ports)
        p = json_put_table_name(w, p, ports_class_name(ports_class(f->key.port[e])));
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
        p = json_put_nullable_table_name(w, p, service);
        p = put_fragment(p, &l->service_alias);
        p = json_put_nullable_table_name(w, p, alias);
    }
    return p;
}

/* A time of the handshake, or null when that packet was not seen. */
static char *put_handshake_time(struct writer *w, char *p, const struct flow_tcp *t, uint8_t bit,
                                ps_time at)
{
    return (t->have & bit) ? json_put_time(w, p, at) : put_null(p);
}

static char *put_rtt(struct writer *w, char *p, const struct flow_tcp *t, uint8_t from_bit,
                     ps_time from, uint8_t to_bit, ps_time to)
{
    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        return put_null(p);
    return json_put_duration(w, p, from, to);
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
    p = json_put_table_name(w, p, flow_tcp_conn_state_name(rf->conn_state));
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
        p = json_put_table_name(w, p, names[i]);
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
        p = json_put_nullable_table_name(
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
        p = json_put_proto(w, p, e->family == 6 ? PS_IPPROTO_ICMPV6 : PS_IPPROTO_ICMP);
        p = put_fragment(p, &l->error_type);
        p = put_uint(p, e->type);
        p = put_fragment(p, &l->error_code);
        p = put_uint(p, e->code);
        p = put_fragment(p, &l->error_name);
        p = json_put_nullable_table_name(w, p, report_icmp_name(e->family, e->type, e->code));
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

void report_json_put_flow(struct writer *w, const struct report *r, const struct report_flow *rf,
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
    p = json_put_proto(w, p, f->key.proto);
    p = put_fragment(p, &l->ip_version);
    p = put_uint(p, f->key.family);
    p = put_endpoint(w, p, r, rf, f, c);
    p = put_endpoint(w, p, r, rf, f, !c);
    p = reserve(w, p, GROUP_ROOM);
    p = put_fragment(p, &l->role_reason);
    p = json_put_table_name(w, p, report_role_reason_name(rf->reason, f->key.proto));
    p = put_fragment(p, &l->start_reason);
    p = json_put_table_name(w, p, flow_start_name((enum flow_start)f->start));
    p = put_fragment(p, &l->follows);
    p = rf->follows != 0 ? put_int(p, (int64_t)rf->follows) : put_null(p);
    p = put_fragment(p, &l->first_seen);
    p = json_put_time(w, p, f->first_seen);
    p = put_fragment(p, &l->last_seen);
    p = json_put_time(w, p, f->last_seen);
    p = put_fragment(p, &l->duration);
    p = json_put_duration(w, p, f->first_seen, f->last_seen);
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
    p = json_put_proto(w, p, s->proto);
    p = put_fragment(p, &l->service_name);
    p = json_put_nullable_table_name(w, p, s->service);
    p = put_fragment(p, &l->service_alias_name);
    p = json_put_nullable_table_name(w, p, s->service_alias);
    p = put_fragment(p, &l->service_other);
    p = put_names(w, p, s->service_other, &l->list2);
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
    p = json_put_addr(p, c->family, c->addr);
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

/*
 * The document's flows on two threads: a helper writes every other run of FLOWS_PER_RUN flows into
 * memory, and the calling thread writes those out in their turn between its own runs. The helper
 * has two buffers, so that it writes one run while the other waits to go out: at most three
 * runs' text is held at once. The helper's writer has caches of its own; what is written does
 * not depend on them. A run of 128 flows is about 200 KB of text, which stays in the cache from
 * its writing to its copying out (runs of 512 took 6% longer, of 2048 10%).
 */
#define FLOWS_PER_RUN 128

struct helper_run {
    char *text;
    size_t len, size;
    bool ready; /* written by the helper, not yet out */
};

struct flows_helper {
    const struct report *r;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct helper_run runs[2];
    bool stop;   /* the calling thread gave up: its output failed */
    bool failed; /* the helper ran out of memory */
    struct writer w;
    struct name_entry names[1 << NAME_CACHE_BITS];
};

/* Flows `from` to `to`: the report's rows, or without rows (report_init()) the table's flows
 * with their rows made here, as report_build() makes them for flows in the table's order. */
static void put_flows(struct writer *w, const struct report *r, size_t from, size_t to)
{
    struct report_gather_item items[FLOWS_PER_RUN];
    size_t n_items = 0;

    for (size_t i = from; i < to; i++) {
        struct report_flow own;
        const struct report_flow *rf = &own;
        const struct flow *f;
        struct flow flow;

        if (r->flows != NULL) {
            rf = &r->flows[i];
            f = report_flow_data(r, rf, &flow);
        } else {
            f = flow_table_get(r->table, i, &flow);
            report_flow_init(&own, (uint32_t)i, f, &r->settings);
            own.id = f->id + 1;
            own.follows = f->prev;
        }
        if (i == 0)
            PUT_LITERAL(w, "[\n    ");
        else
            PUT_LITERAL(w, ",\n    ");
        report_json_put_flow(w, r, rf, f, rf->id, NULL);
        if (r->gathering != NULL && ipproto_has_ports(f->key.proto)) {
            report_gather_item(&items[n_items++], rf, f);
            if (n_items == FLOWS_PER_RUN) {
                report_gathering_add(r->gathering, items, n_items);
                n_items = 0;
            }
        }
    }
    if (n_items > 0)
        report_gathering_add(r->gathering, items, n_items);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The helper writes runs 1, 3, 5 and so on; its j-th run goes into buffer j % 2. */
static void *write_odd_runs(void *arg)
{
    struct flows_helper *h = arg;
    size_t n = h->r->n_flows;

    for (size_t run = 1; run * FLOWS_PER_RUN < n; run += 2) {
        struct helper_run *b = &h->runs[run / 2 % 2];
        bool failed, stop;

        pthread_mutex_lock(&h->lock);
        while (b->ready && !h->stop)
            pthread_cond_wait(&h->changed, &h->lock);
        stop = h->stop;
        pthread_mutex_unlock(&h->lock);
        if (stop)
            break;
        json_writer_use_buffer(&h->w, b->text, b->size);
        put_flows(&h->w, h->r, run * FLOWS_PER_RUN, min_size((run + 1) * FLOWS_PER_RUN, n));
        failed = h->w.failed;
        pthread_mutex_lock(&h->lock);
        b->text = h->w.buf;
        b->size = (size_t)(h->w.end - h->w.buf);
        b->len = (size_t)(h->w.p - h->w.buf);
        b->ready = true;
        h->failed |= failed;
        pthread_cond_broadcast(&h->changed);
        pthread_mutex_unlock(&h->lock);
        if (failed)
            break;
    }
    return NULL;
}

/* Writes out the helper's run `run`, after what `w` holds; -1 when that cannot be done. */
static int put_helper_run(struct writer *w, struct flows_helper *h, size_t run)
{
    struct helper_run *b = &h->runs[run / 2 % 2];
    bool failed;

    if (json_writer_flush(w) != 0)
        return -1;
    pthread_mutex_lock(&h->lock);
    while (!b->ready && !h->failed)
        pthread_cond_wait(&h->changed, &h->lock);
    failed = h->failed;
    pthread_mutex_unlock(&h->lock);
    if (failed) {
        w->failed = true;
        errno = ENOMEM;
        return -1;
    }
    if (fwrite(b->text, 1, b->len, w->out) != b->len) {
        w->failed = true;
        return -1;
    }
    pthread_mutex_lock(&h->lock);
    b->ready = false;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

/* Starts the helper; false when it cannot be had (the caller writes every flow itself). */
static bool helper_start(struct flows_helper *h, const struct report *r, pthread_t *thread)
{
    memset(h, 0, sizeof(*h));
    h->r = r;
    for (int i = 0; i < 2; i++) {
        h->runs[i].size = DOCUMENT_BUFFER;
        h->runs[i].text = malloc(DOCUMENT_BUFFER);
    }
    json_writer_init(&h->w, NULL, h->runs[0].text, DOCUMENT_BUFFER, &document_layout,
                     r->nanosecond);
    h->w.names = h->names;
    if (h->runs[0].text != NULL && h->runs[1].text != NULL &&
        pthread_mutex_init(&h->lock, NULL) == 0) {
        if (pthread_cond_init(&h->changed, NULL) == 0) {
            if (pthread_create(thread, NULL, write_odd_runs, h) == 0)
                return true;
            pthread_cond_destroy(&h->changed);
        }
        pthread_mutex_destroy(&h->lock);
    }
    free(h->runs[0].text);
    free(h->runs[1].text);
    return false;
}

static void helper_end(struct flows_helper *h, pthread_t thread)
{
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&h->changed);
    pthread_mutex_destroy(&h->lock);
    free(h->runs[0].text);
    free(h->runs[1].text);
}

/* The flows, on two threads when the settings allow and there are more than a run's worth. */
static void put_flow_table(struct writer *w, const struct report *r)
{
    size_t n = r->n_flows;
    struct flows_helper *h = NULL;
    pthread_t thread;

    if (r->settings.threads > 1 && n > FLOWS_PER_RUN && (h = malloc(sizeof(*h))) != NULL &&
        !helper_start(h, r, &thread)) {
        free(h);
        h = NULL;
    }
    for (size_t run = 0; run * FLOWS_PER_RUN < n && !w->failed; run++) {
        if (h != NULL && run % 2 == 1)
            put_helper_run(w, h, run);
        else
            put_flows(w, r, run * FLOWS_PER_RUN, min_size((run + 1) * FLOWS_PER_RUN, n));
    }
    if (h != NULL) {
        int saved = errno; /* why the output failed, if it did */

        helper_end(h, thread);
        free(h);
        errno = saved;
    }
}

int report_json_emit_table(FILE *out, const struct report *r, enum table table)
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
    json_writer_init(&w, out, buf, DOCUMENT_BUFFER, &document_layout, r->nanosecond);
    w.names = names;
    if (table == TABLE_FLOWS) {
        put_flow_table(&w, r);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i == 0)
                PUT_LITERAL(&w, "[\n    ");
            else
                PUT_LITERAL(&w, ",\n    ");
            if (table == TABLE_SERVICES)
                put_service(&w, &r->services[i]);
            else
                put_client(&w, &r->clients[i]);
        }
    }
    PUT_LITERAL(&w, "\n  ]");
    json_writer_flush(&w);
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

    json_writer_init(&w, out, buf, sizeof(buf),
                     compact ? &report_json_compact_layout : &pretty_layout, r->nanosecond);
    report_json_put_flow(&w, r, rf, report_flow_data(r, rf, &flow), id, NULL);
    return json_writer_flush(&w);
}
