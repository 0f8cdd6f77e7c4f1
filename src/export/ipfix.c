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

/* An information element of a template: its id, its length, whether it is a reverse one. */
struct ipfix_field {
    uint16_t id, len;
    bool reverse;
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

#define TEMPLATE_FIELDS 17

/* The templates, in the order put_record() writes a record's fields. */
static const struct ipfix_field template_v4[TEMPLATE_FIELDS] = {
    {IE_SRC_IPV4, 4, false},    {IE_DST_IPV4, 4, false},         {IE_SRC_PORT, 2, false},
    {IE_DST_PORT, 2, false},    {IE_PROTOCOL, 1, false},         {IE_FLOW_START_MS, 8, false},
    {IE_FLOW_END_MS, 8, false}, {IE_OCTET_DELTA, 8, false},      {IE_PACKET_DELTA, 8, false},
    {IE_OCTET_DELTA, 8, true},  {IE_PACKET_DELTA, 8, true},      {IE_TCP_FLAGS, 2, false},
    {IE_TCP_FLAGS, 2, true},    {IE_FLOW_END_REASON, 1, false},  {IE_ICMP_TYPE_CODE_IPV4, 2, false},
    {IE_VLAN_ID, 2, false},     {IE_BIFLOW_DIRECTION, 1, false},
};
static const struct ipfix_field template_v6[TEMPLATE_FIELDS] = {
    {IE_SRC_IPV6, 16, false},   {IE_DST_IPV6, 16, false},        {IE_SRC_PORT, 2, false},
    {IE_DST_PORT, 2, false},    {IE_PROTOCOL, 1, false},         {IE_FLOW_START_MS, 8, false},
    {IE_FLOW_END_MS, 8, false}, {IE_OCTET_DELTA, 8, false},      {IE_PACKET_DELTA, 8, false},
    {IE_OCTET_DELTA, 8, true},  {IE_PACKET_DELTA, 8, true},      {IE_TCP_FLAGS, 2, false},
    {IE_TCP_FLAGS, 2, true},    {IE_FLOW_END_REASON, 1, false},  {IE_ICMP_TYPE_CODE_IPV6, 2, false},
    {IE_VLAN_ID, 2, false},     {IE_BIFLOW_DIRECTION, 1, false},
};

_Static_assert(IPFIX_RECORD_LEN_V4 == 4 + 4 + 2 + 2 + 1 + 8 * 6 + 2 + 2 + 1 + 2 + 2 + 1,
               "the IPv4 record as put_record() writes it");
_Static_assert(IPFIX_RECORD_LEN_V6 == IPFIX_RECORD_LEN_V4 + 24,
               "IPv6 addresses are 12 bytes longer");

#define SET_HEADER_LEN  4
#define SET_ID_TEMPLATE 2
/* Both templates in one set: header, then per template its id, count and fields. */
#define TEMPLATE_RECORD_LEN(n_reverse) (4 + TEMPLATE_FIELDS * 4 + (n_reverse)*4)
#define TEMPLATE_SET_LEN               (SET_HEADER_LEN + 2 * TEMPLATE_RECORD_LEN(3))

_Static_assert(IPFIX_HEADER_LEN + TEMPLATE_SET_LEN + SET_HEADER_LEN + IPFIX_RECORD_LEN_V6 <=
                   IPFIX_MESSAGE_MAX,
               "a message with the templates has room for a record");

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
}

static uint8_t *put_template(uint8_t *p, uint16_t id, const struct ipfix_field *fields)
{
    p = put16(p, id);
    p = put16(p, TEMPLATE_FIELDS);
    for (size_t i = 0; i < TEMPLATE_FIELDS; i++) {
        p = put16(p, (uint16_t)(fields[i].id | (fields[i].reverse ? 0x8000 : 0)));
        p = put16(p, fields[i].len);
        if (fields[i].reverse)
            p = put32(p, IPFIX_PEN_REVERSE);
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
        p = put16(p, TEMPLATE_SET_LEN);
        p = put_template(p, IPFIX_TEMPLATE_V4, template_v4);
        p = put_template(p, IPFIX_TEMPLATE_V6, template_v6);
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

static uint8_t *put_record(uint8_t *p, const struct ipfix_record *r)
{
    size_t alen = r->family == 6 ? 16 : 4;

    memcpy(p, r->src, alen);
    memcpy(p + alen, r->dst, alen);
    p += 2 * alen;
    p = put16(p, r->src_port);
    p = put16(p, r->dst_port);
    *p++ = r->proto;
    p = put64(p, r->start_ms);
    p = put64(p, r->end_ms);
    p = put64(p, r->octets[0]);
    p = put64(p, r->packets[0]);
    p = put64(p, r->octets[1]);
    p = put64(p, r->packets[1]);
    p = put16(p, r->tcp_flags[0]);
    p = put16(p, r->tcp_flags[1]);
    *p++ = r->end_reason;
    p = put16(p, r->icmp_type_code);
    p = put16(p, r->vlan);
    *p++ = r->direction;
    return p;
}

int ipfix_encoder_add(struct ipfix_encoder *e, const struct ipfix_record *r)
{
    uint16_t set_id = r->family == 6 ? IPFIX_TEMPLATE_V6 : IPFIX_TEMPLATE_V4;
    size_t need = r->family == 6 ? IPFIX_RECORD_LEN_V6 : IPFIX_RECORD_LEN_V4;

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
    e->len = (size_t)(put_record(e->msg + e->len, r) - e->msg);
    e->records++;
    return 0;
}
