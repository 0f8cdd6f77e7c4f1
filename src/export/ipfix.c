/*
 * ipfix.c - the IPFIX encoder (RFC 7011): flows in, messages out, nothing else touched.
 *
 * A message is the 16-byte header, then the templates when they are due, then one data set per
 * run of records of the same address family. Each record is a biflow (RFC 5103): the forward
 * elements count what the client sent, the reverse ones (enterprise number 29305) what the
 * server sent.
 */
#include <string.h>

#include "export.h"

/*
 * The templates: IPv4 and IPv6, each for flows with ports (TCP, UDP, SCTP, ...) and for ICMP,
 * whose message goes in icmpTypeCode instead of ports (a collector such as nfdump takes that
 * element for the destination port of any flow that has it).
 */
#define T_V4    0x1u
#define T_V6    0x2u
#define T_PORTS 0x4u
#define T_ICMP  0x8u
#define T_ANY   (T_V4 | T_V6 | T_PORTS | T_ICMP)

static const struct ipfix_template {
    uint16_t id;
    unsigned kind; /* T_V4 or T_V6, with T_PORTS or T_ICMP */
} templates[4] = {
    {IPFIX_TEMPLATE_V4, T_V4 | T_PORTS},
    {IPFIX_TEMPLATE_V6, T_V6 | T_PORTS},
    {IPFIX_TEMPLATE_ICMP_V4, T_V4 | T_ICMP},
    {IPFIX_TEMPLATE_ICMP_V6, T_V6 | T_ICMP},
};

/* IANA's element ids. */
enum {
    IE_OCTET_DELTA = 1,
    IE_PACKET_DELTA = 2,
    IE_PROTOCOL = 4,
    IE_TCP_FLAGS = 6,
    IE_SRC_PORT = 7,
    IE_SRC_IPV4 = 8,
    IE_DST_PORT = 11,
    IE_DST_IPV4 = 12,
    IE_SRC_IPV6 = 27,
    IE_DST_IPV6 = 28,
    IE_ICMP_TYPE_CODE_IPV4 = 32,
    IE_VLAN_ID = 58,
    IE_FLOW_END_REASON = 136,
    IE_ICMP_TYPE_CODE_IPV6 = 139,
    IE_FLOW_START_MS = 152,
    IE_FLOW_END_MS = 153,
    IE_BIFLOW_DIRECTION = 239,
};

/* One element: its id, its length, whether it is a reverse one, and which templates have it. */
static const struct ipfix_field {
    uint16_t id, len;
    bool reverse;
    unsigned in; /* a template has it when it shares a family bit and a kind bit with it */
} fields[] = {
    {IE_SRC_IPV4, 4, false, T_V4 | T_PORTS | T_ICMP},
    {IE_DST_IPV4, 4, false, T_V4 | T_PORTS | T_ICMP},
    {IE_SRC_IPV6, 16, false, T_V6 | T_PORTS | T_ICMP},
    {IE_DST_IPV6, 16, false, T_V6 | T_PORTS | T_ICMP},
    {IE_SRC_PORT, 2, false, T_V4 | T_V6 | T_PORTS},
    {IE_DST_PORT, 2, false, T_V4 | T_V6 | T_PORTS},
    {IE_ICMP_TYPE_CODE_IPV4, 2, false, T_V4 | T_ICMP},
    {IE_ICMP_TYPE_CODE_IPV6, 2, false, T_V6 | T_ICMP},
    {IE_PROTOCOL, 1, false, T_ANY},
    {IE_FLOW_START_MS, 8, false, T_ANY},
    {IE_FLOW_END_MS, 8, false, T_ANY},
    {IE_OCTET_DELTA, 8, false, T_ANY},
    {IE_PACKET_DELTA, 8, false, T_ANY},
    {IE_OCTET_DELTA, 8, true, T_ANY},
    {IE_PACKET_DELTA, 8, true, T_ANY},
    {IE_TCP_FLAGS, 2, false, T_V4 | T_V6 | T_PORTS},
    {IE_TCP_FLAGS, 2, true, T_V4 | T_V6 | T_PORTS},
    {IE_FLOW_END_REASON, 1, false, T_ANY},
    {IE_VLAN_ID, 2, false, T_ANY},
    {IE_BIFLOW_DIRECTION, 1, false, T_ANY},
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))
_Static_assert(N_FIELDS <= IPFIX_MAX_FIELDS, "a layout has room for every field");

static bool has_field(const struct ipfix_template *t, const struct ipfix_field *f)
{
    return (f->in & t->kind & (T_V4 | T_V6)) && (f->in & t->kind & (T_PORTS | T_ICMP));
}

#define SET_HEADER_LEN  4
#define SET_ID_TEMPLATE 2

/* The template set: its header, then per template its id, its count and its fields. */
static size_t template_set_len(void)
{
    size_t len = SET_HEADER_LEN;

    for (size_t t = 0; t < 4; t++) {
        len += 4;
        for (size_t i = 0; i < N_FIELDS; i++)
            if (has_field(&templates[t], &fields[i]))
                len += fields[i].reverse ? 8 : 4;
    }
    return len;
}

size_t ipfix_record_len(uint16_t template_id)
{
    size_t len = 0;

    for (size_t t = 0; t < 4; t++)
        if (templates[t].id == template_id)
            for (size_t i = 0; i < N_FIELDS; i++)
                if (has_field(&templates[t], &fields[i]))
                    len += fields[i].len;
    return len;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p = put16(p, (uint16_t)(v >> 16));
    return put16(p, (uint16_t)v);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    p = put32(p, (uint32_t)(v >> 32));
    return put32(p, (uint32_t)v);
}

/* A TCP connection closed by FIN both ways or a RST. */
static bool tcp_over(const struct flow *f)
{
    const uint8_t *st = f->tcp.state;

    return f->key.proto == PS_IPPROTO_TCP && ((st[0] == TCP_CLOSED && st[1] == TCP_CLOSED) ||
                                              st[0] == TCP_RESET || st[1] == TCP_RESET);
}

enum ipfix_end_reason ipfix_end_reason(const struct flow *f)
{
    /* A connection that closed before the input ended was seen to end, not forced to. */
    if (f->end == FLOW_END_NONE && tcp_over(f))
        return IPFIX_END_DETECTED;
    switch (f->end) {
    case FLOW_END_IDLE:
        return IPFIX_END_IDLE;
    case FLOW_END_ACTIVE:
        return IPFIX_END_ACTIVE;
    case FLOW_END_CLOSED:
        return IPFIX_END_DETECTED;
    default:
        return IPFIX_END_FORCED;
    }
}

static uint64_t to_ms(ps_time t)
{
    return t > 0 ? (uint64_t)t / 1000000 : 0;
}

/*
 * The client's ICMP message: an echo flow's request (its reply when the client sent none), or
 * the message a flow is of.
 */
static uint16_t icmp_type_code(const struct flow *f, uint8_t client)
{
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);

    if (f->key.proto != PS_IPPROTO_ICMP && f->key.proto != PS_IPPROTO_ICMPV6)
        return 0;
    if (scope == PKT_SCOPE_ECHO && f->packets[client] == 0)
        return f->key.proto == PS_IPPROTO_ICMP ? 0 : 129 << 8;
    if (scope == PKT_SCOPE_ECHO)
        return f->key.proto == PS_IPPROTO_ICMP ? 8 << 8 : 128 << 8;
    if (scope == PKT_SCOPE_ICMP_OTHER)
        return (uint16_t)(f->key.port[0] | f->key.port[1]);
    return 0;
}

void ipfix_record_from_flow(const struct flow *f, const struct report_flow *rf,
                            struct ipfix_record *r)
{
    uint8_t c = rf->client & 1, s = (uint8_t)(c ^ 1);
    bool icmp = f->key.proto == PS_IPPROTO_ICMP || f->key.proto == PS_IPPROTO_ICMPV6;

    memset(r, 0, sizeof(*r));
    r->family = f->key.family;
    memcpy(r->src, f->key.addr[c], sizeof(r->src));
    memcpy(r->dst, f->key.addr[s], sizeof(r->dst));
    /* ICMP's "ports" are portscope's key (echo id, message), not transport ports. */
    r->src_port = icmp ? 0 : f->key.port[c];
    r->dst_port = icmp ? 0 : f->key.port[s];
    r->proto = f->key.proto;
    r->start_ms = to_ms(f->first_seen);
    r->end_ms = to_ms(f->last_seen);
    r->octets[0] = f->ip_bytes[c];
    r->octets[1] = f->ip_bytes[s];
    r->packets[0] = f->packets[c];
    r->packets[1] = f->packets[s];
    if (f->key.proto == PS_IPPROTO_TCP) {
        r->tcp_flags[0] = f->tcp.flags[c];
        r->tcp_flags[1] = f->tcp.flags[s];
    }
    r->end_reason = (uint8_t)ipfix_end_reason(f);
    r->icmp_type_code = icmp_type_code(f, c);
    r->vlan = FLOW_KEY_VLAN(&f->key);
    r->direction = rf->reason == REPORT_ROLE_OPEN || rf->reason == REPORT_ROLE_ACCEPT ? 1 : 0;
}

void ipfix_encoder_init(struct ipfix_encoder *e, uint32_t domain, ipfix_send_fn send, void *arg)
{
    memset(e, 0, sizeof(*e));
    e->domain = domain;
    e->send = send;
    e->send_arg = arg;
    /* Each record then writes its template's fields without asking which they are. */
    for (size_t t = 0; t < 4; t++) {
        struct ipfix_layout *l = &e->layout[t];

        l->id = templates[t].id;
        l->len = (uint16_t)ipfix_record_len(l->id);
        for (size_t i = 0; i < N_FIELDS; i++)
            if (has_field(&templates[t], &fields[i]))
                l->field[l->n++] = (uint8_t)i;
    }
}

static uint8_t *put_template(uint8_t *p, const struct ipfix_template *t)
{
    uint8_t *count;

    p = put16(p, t->id);
    count = p;
    p += 2;
    for (size_t i = 0, n = 0; i < N_FIELDS; i++) {
        if (!has_field(t, &fields[i]))
            continue;
        p = put16(p, (uint16_t)(fields[i].id | (fields[i].reverse ? 0x8000 : 0)));
        p = put16(p, fields[i].len);
        if (fields[i].reverse)
            p = put32(p, IPFIX_PEN_REVERSE);
        put16(count, (uint16_t)++n);
    }
    return p;
}

/* Whether the next message carries the templates: the first, then every so often. */
static bool templates_due(const struct ipfix_encoder *e)
{
    ps_time since = e->clock - e->templates_at;

    return !e->templates_sent || e->since_sent >= IPFIX_REFRESH_MESSAGES ||
           since >= (ps_time)IPFIX_REFRESH_SECONDS * 1000000000 ||
           since <= -(ps_time)IPFIX_REFRESH_SECONDS * 1000000000;
}

/* Begins a message: its header (filled in when it is finished), and the templates when due. */
static void begin_message(struct ipfix_encoder *e)
{
    uint8_t *p = e->msg + IPFIX_HEADER_LEN;

    if (templates_due(e)) {
        p = put16(p, SET_ID_TEMPLATE);
        p = put16(p, (uint16_t)template_set_len());
        for (size_t t = 0; t < 4; t++)
            p = put_template(p, &templates[t]);
        e->templates_sent = true;
        e->templates_at = e->clock;
        e->since_sent = 0;
    }
    e->len = (size_t)(p - e->msg);
    e->set_at = 0;
    e->records = 0;
}

static void close_set(struct ipfix_encoder *e)
{
    if (e->set_at != 0)
        put16(e->msg + e->set_at + 2, (uint16_t)(e->len - e->set_at));
    e->set_at = 0;
}

int ipfix_encoder_flush(struct ipfix_encoder *e)
{
    uint8_t *p = e->msg;

    if (e->failed)
        return -1;
    if (e->len == 0)
        return 0;
    close_set(e);
    p = put16(p, IPFIX_VERSION);
    p = put16(p, (uint16_t)e->len);
    p = put32(p, e->export_time);
    /* RFC 7011 3.1: the data records sent before this message, modulo 2^32. */
    p = put32(p, e->sequence);
    put32(p, e->domain);
    e->sequence += e->records;
    e->since_sent++;
    if (e->send(e->send_arg, e->msg, e->len) != 0)
        e->failed = true;
    e->len = 0;
    return e->failed ? -1 : 0;
}

int ipfix_encoder_templates(struct ipfix_encoder *e)
{
    if (e->failed || ipfix_encoder_flush(e) != 0)
        return -1;
    e->templates_sent = false;
    begin_message(e);
    return ipfix_encoder_flush(e);
}

/* One field of a record, as the template lays it out. */
static uint8_t *put_field(uint8_t *p, const struct ipfix_field *f, const struct ipfix_record *r)
{
    int d = f->reverse ? 1 : 0;

    switch (f->id) {
    case IE_SRC_IPV4:
    case IE_SRC_IPV6:
        memcpy(p, r->src, f->len);
        return p + f->len;
    case IE_DST_IPV4:
    case IE_DST_IPV6:
        memcpy(p, r->dst, f->len);
        return p + f->len;
    case IE_SRC_PORT:
        return put16(p, r->src_port);
    case IE_DST_PORT:
        return put16(p, r->dst_port);
    case IE_ICMP_TYPE_CODE_IPV4:
    case IE_ICMP_TYPE_CODE_IPV6:
        return put16(p, r->icmp_type_code);
    case IE_PROTOCOL:
        *p = r->proto;
        return p + 1;
    case IE_FLOW_START_MS:
        return put64(p, r->start_ms);
    case IE_FLOW_END_MS:
        return put64(p, r->end_ms);
    case IE_OCTET_DELTA:
        return put64(p, r->octets[d]);
    case IE_PACKET_DELTA:
        return put64(p, r->packets[d]);
    case IE_TCP_FLAGS:
        return put16(p, r->tcp_flags[d]);
    case IE_FLOW_END_REASON:
        *p = r->end_reason;
        return p + 1;
    case IE_VLAN_ID:
        return put16(p, r->vlan);
    default: /* IE_BIFLOW_DIRECTION */
        *p = r->direction;
        return p + 1;
    }
}

/* The template a record goes by (its index in `templates`): its family's, ICMP or ports. */
static size_t template_of(const struct ipfix_record *r)
{
    bool icmp = r->proto == PS_IPPROTO_ICMP || r->proto == PS_IPPROTO_ICMPV6;

    return (r->family == 6 ? 1 : 0) + (icmp ? 2 : 0);
}

static uint8_t *put_record(uint8_t *p, const struct ipfix_layout *l, const struct ipfix_record *r)
{
    for (size_t i = 0; i < l->n; i++)
        p = put_field(p, &fields[l->field[i]], r);
    return p;
}

int ipfix_encoder_add(struct ipfix_encoder *e, const struct ipfix_record *r)
{
    const struct ipfix_layout *l = &e->layout[template_of(r)];
    uint16_t set_id = l->id;
    size_t need = l->len;

    if (e->failed)
        return -1;
    if (r->end_ms > 0 && (ps_time)(r->end_ms * 1000000) > e->clock)
        e->clock = (ps_time)(r->end_ms * 1000000);
    if (e->set_at == 0 || e->set_id != set_id)
        need += SET_HEADER_LEN;
    if (e->len != 0 && e->len + need > IPFIX_MESSAGE_MAX && ipfix_encoder_flush(e) != 0)
        return -1;
    if (e->len == 0)
        begin_message(e);
    if (e->set_at == 0 || e->set_id != set_id) {
        close_set(e);
        e->set_at = e->len;
        e->set_id = set_id;
        put16(e->msg + e->len, set_id);
        e->len += SET_HEADER_LEN;
    }
    e->len = (size_t)(put_record(e->msg + e->len, l, r) - e->msg);
    e->records++;
    return 0;
}
