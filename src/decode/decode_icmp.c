/*
 * decode_icmp.c - ICMP (RFC 792) and ICMPv6 (RFC 4443).
 *
 * Echo requests and replies pair up by identifier; an error message is tied to the packet it
 * quotes, so the flow table can count it on that packet's flow; any other message forms a flow
 * of its own, keyed by type and code.
 */
#include <string.h>

#include "decode_int.h"

#define ICMP_HEADER 8

enum icmp_class {
    ICMP_CLASS_OTHER,
    ICMP_CLASS_ECHO_REQUEST,
    ICMP_CLASS_ECHO_REPLY,
    ICMP_CLASS_ERROR
};

static enum icmp_class classify_v4(uint8_t type)
{
    switch (type) {
    case 8:
        return ICMP_CLASS_ECHO_REQUEST;
    case 0:
        return ICMP_CLASS_ECHO_REPLY;
    case 3:  /* destination unreachable */
    case 4:  /* source quench: deprecated (RFC 6633), but it quotes like an error */
    case 11: /* time exceeded */
    case 12: /* parameter problem */
        return ICMP_CLASS_ERROR;
    default:
        return ICMP_CLASS_OTHER;
    }
}

static enum icmp_class classify_v6(uint8_t type)
{
    switch (type) {
    case 128:
        return ICMP_CLASS_ECHO_REQUEST;
    case 129:
        return ICMP_CLASS_ECHO_REPLY;
    case 1: /* destination unreachable */
    case 2: /* packet too big */
    case 3: /* time exceeded */
    case 4: /* parameter problem */
        return ICMP_CLASS_ERROR;
    default:
        return ICMP_CLASS_OTHER;
    }
}

/* Decodes the quoted packet far enough to name its flow. A quote that falls short is no quote. */
static void decode_quote(struct rd *r, struct pkt_info *out)
{
    struct pkt_info inner;
    enum ps_skip outcome;

    memset(&inner, 0, sizeof(inner));
    inner.config = out->config;
    inner.in_quote = true;
    outcome = out->family == 6 ? decode_ipv6(r, &inner) : decode_ipv4(r, &inner);
    if (outcome != PS_SKIP_NONE || inner.family != out->family)
        return;
    out->quote.valid = true;
    out->quote.family = inner.family;
    out->quote.proto = inner.proto;
    out->quote.scope = inner.scope;
    out->quote.sport = inner.sport;
    out->quote.dport = inner.dport;
    memcpy(out->quote.src, inner.src, sizeof(inner.src));
    memcpy(out->quote.dst, inner.dst, sizeof(inner.dst));
}

static enum ps_skip decode_icmp_common(struct rd *r, struct pkt_info *out, enum icmp_class cls)
{
    uint8_t type, code;
    uint16_t id;

    if (!rd_peek_u8(r, 0, &type) || !rd_peek_u8(r, 1, &code))
        return PS_SKIP_TRUNC_TRANSPORT;
    switch (cls) {
    case ICMP_CLASS_ECHO_REQUEST:
    case ICMP_CLASS_ECHO_REPLY:
        if (!rd_peek_be16(r, 4, &id))
            return PS_SKIP_TRUNC_TRANSPORT;
        /* The requester's side of the key holds the identifier, so both directions meet. */
        out->scope = PKT_SCOPE_ECHO;
        if (cls == ICMP_CLASS_ECHO_REQUEST) {
            out->sport = id;
            out->hint = PKT_HINT_OPEN;
        } else {
            out->dport = id;
            out->hint = PKT_HINT_ACCEPT;
        }
        return PS_SKIP_NONE;
    case ICMP_CLASS_ERROR:
        out->quote.valid = false; /* decode_packet() leaves it as it was (struct pkt_info) */
        if (!out->in_quote && rd_skip(r, ICMP_HEADER))
            decode_quote(r, out);
        if (out->quote.valid) {
            out->scope = PKT_SCOPE_ICMP_ERROR;
            out->icmp_type = type;
            out->icmp_code = code;
        }
        break;
    case ICMP_CLASS_OTHER:
        break;
    }
    /* Errors whose quote cannot be read join the flows of other messages. */
    if (out->scope != PKT_SCOPE_ICMP_ERROR)
        out->scope = PKT_SCOPE_ICMP_OTHER;
    out->sport = (uint16_t)(type << 8 | code);
    return PS_SKIP_NONE;
}

enum ps_skip decode_icmp(struct rd *r, struct pkt_info *out)
{
    uint8_t type;

    if (!rd_peek_u8(r, 0, &type))
        return PS_SKIP_TRUNC_TRANSPORT;
    return decode_icmp_common(r, out, classify_v4(type));
}

enum ps_skip decode_icmpv6(struct rd *r, struct pkt_info *out)
{
    uint8_t type;

    if (!rd_peek_u8(r, 0, &type))
        return PS_SKIP_TRUNC_TRANSPORT;
    return decode_icmp_common(r, out, classify_v6(type));
}
