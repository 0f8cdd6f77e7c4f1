/*
 * report_community_id.c - the Community ID (version 1) of a flow, the hash Zeek, Suricata,
 * Wireshark, Arkime and Elastic write so that their records of one connection can be joined
 * (https://github.com/corelight/community-id-spec). Computed from the flow's key when a flow is
 * written, never on the packet path.
 *
 * The hash is SHA-1 over the 2-byte seed, the two addresses, the protocol, a zero byte and the two
 * ports (TCP, UDP, SCTP; ICMP's type and code mapped to ports; no ports for other protocols), the
 * endpoints in a canonical order, all in network order. doc/community-id.md says how portscope's
 * flows map to it.
 */
#include <string.h>

#include "report.h"

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58
#define PROTO_SCTP   132

/*
 * The ICMP messages that have a counterpart (request and reply): the specification hashes the
 * counterpart's type as the second port, so both directions meet. Any other type is one-way:
 * its code is the second port and the sender comes first.
 */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
    static const uint8_t v4[][2] = {{8, 0}, {13, 14}, {15, 16}, {10, 9}, {17, 18}};
    static const uint8_t v6[][2] = {{128, 129}, {130, 131}, {133, 134},
                                    {135, 136}, {139, 140}, {144, 145}};
    const uint8_t(*pairs)[2] = proto == PROTO_ICMP ? v4 : v6;
    size_t n = proto == PROTO_ICMP ? sizeof(v4) / sizeof(v4[0]) : sizeof(v6) / sizeof(v6[0]);

    for (size_t i = 0; i < n; i++) {
        if (pairs[i][0] == type)
            return pairs[i][1];
        if (pairs[i][1] == type)
            return pairs[i][0];
    }
    return -1;
}

static void render(const uint8_t digest[PS_SHA1_LEN], bool hex, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char hexdigits[] = "0123456789abcdef";
    char *p = out;

    *p++ = '1';
    *p++ = ':';
    if (hex) {
        for (int i = 0; i < PS_SHA1_LEN; i++) {
            *p++ = hexdigits[digest[i] >> 4];
            *p++ = hexdigits[digest[i] & 0xf];
        }
    } else {
        /* 20 bytes: six groups of three, then two bytes and one '='. */
        for (int i = 0; i < PS_SHA1_LEN; i += 3) {
            uint32_t v = (uint32_t)digest[i] << 16 | (uint32_t)digest[i + 1] << 8;

            if (i + 2 < PS_SHA1_LEN)
                v |= digest[i + 2];
            *p++ = b64[v >> 18 & 0x3f];
            *p++ = b64[v >> 12 & 0x3f];
            *p++ = b64[v >> 6 & 0x3f];
            *p++ = i + 2 < PS_SHA1_LEN ? b64[v & 0x3f] : '=';
        }
    }
    *p = '\0';
}

char *report_community_id(const struct report_cid_tuple *t, uint16_t seed, bool hex,
                          char out[REPORT_COMMUNITY_ID_LEN])
{
    size_t alen = t->family == 6 ? 16 : 4;
    uint8_t buf[2 + 16 + 16 + 2 + 4], digest[PS_SHA1_LEN];
    const uint8_t *a = t->src, *b = t->dst;
    uint16_t pa = t->sport, pb = t->dport;
    bool ports = t->proto == PROTO_TCP || t->proto == PROTO_UDP || t->proto == PROTO_SCTP;
    bool one_way = false;
    size_t n = 0;
    int order;

    if (t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6) {
        int peer = icmp_counterpart(t->proto, (uint8_t)t->sport);

        ports = true;
        one_way = peer < 0;
        if (!one_way)
            pb = (uint16_t)peer;
    }
    order = ps_addr_compare(a, b, alen);
    if (!one_way && (order > 0 || (order == 0 && ports && pa >= pb))) {
        a = t->dst;
        b = t->src;
        pa = pb;
        pb = ports ? t->sport : 0;
    }
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a, alen);
    n += alen;
    memcpy(buf + n, b, alen);
    n += alen;
    buf[n++] = t->proto;
    buf[n++] = 0;
    if (ports) {
        buf[n++] = (uint8_t)(pa >> 8);
        buf[n++] = (uint8_t)pa;
        buf[n++] = (uint8_t)(pb >> 8);
        buf[n++] = (uint8_t)pb;
    }
    ps_sha1(buf, n, digest);
    render(digest, hex, out);
    return out;
}

/*
 * The endpoint that sent an ICMP flow's messages (other than echo): its key "port" holds the
 * type and code (decode.h), the other endpoint's 0. Both are 0 only for type 0 code 0, not an
 * ICMP echo reply here, which a packet of either side can carry: the first sender then.
 */
static int icmp_sender(const struct flow *f)
{
    if (f->key.port[0] != f->key.port[1])
        return f->key.port[0] == 0;
    return f->first_sender;
}

/*
 * The endpoint that asked in an echo flow: its key "port" holds the identifier, the other's 0.
 * With identifier 0 the key cannot tell; the requests and replies seen can.
 */
static int echo_requester(const struct flow *f)
{
    if (f->key.port[0] != f->key.port[1])
        return f->key.port[0] == 0;
    if (f->role_seen & (FLOW_OPEN_FROM(0) | FLOW_OPEN_FROM(1)))
        return (f->role_seen & FLOW_OPEN_FROM(0)) == 0;
    if (f->role_seen & (FLOW_ACCEPT_FROM(0) | FLOW_ACCEPT_FROM(1)))
        return (f->role_seen & FLOW_ACCEPT_FROM(0)) != 0;
    return f->first_sender;
}

char *report_flow_community_id(const struct flow *f, uint16_t seed, bool hex,
                               char out[REPORT_COMMUNITY_ID_LEN])
{
    const struct flow_key *k = &f->key;
    struct report_cid_tuple t = {.family = k->family, .proto = k->proto};
    int from = 0;

    switch (FLOW_KEY_SCOPE(k)) {
    case PKT_SCOPE_ECHO:
        /* Every packet of the flow hashes as the request would: the identifier is not hashed. */
        from = echo_requester(f);
        t.sport = k->proto == PROTO_ICMP ? 8 : 128;
        break;
    case PKT_SCOPE_ICMP_OTHER:
    case PKT_SCOPE_ICMP_ERROR:
        from = icmp_sender(f);
        t.sport = k->port[from] >> 8;
        t.dport = k->port[from] & 0xff;
        break;
    default:
        t.sport = k->port[0];
        t.dport = k->port[1];
        break;
    }
    t.src = k->addr[from];
    t.dst = k->addr[!from];
    return report_community_id(&t, seed, hex, out);
}
