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
#include <endian.h>
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

/*
 * Base64's characters two at a time, by 12 bits: "AA" to "//", 8 KB. Spelled by the preprocessor,
 * each row one first character with every second (two macros: one cannot expand within itself).
 */
#define B64_EACH_ROW(m, x)                                                                         \
    m(x, "A"), m(x, "B"), m(x, "C"), m(x, "D"), m(x, "E"), m(x, "F"), m(x, "G"), m(x, "H"),        \
        m(x, "I"), m(x, "J"), m(x, "K"), m(x, "L"), m(x, "M"), m(x, "N"), m(x, "O"), m(x, "P"),    \
        m(x, "Q"), m(x, "R"), m(x, "S"), m(x, "T"), m(x, "U"), m(x, "V"), m(x, "W"), m(x, "X"),    \
        m(x, "Y"), m(x, "Z"), m(x, "a"), m(x, "b"), m(x, "c"), m(x, "d"), m(x, "e"), m(x, "f"),    \
        m(x, "g"), m(x, "h"), m(x, "i"), m(x, "j"), m(x, "k"), m(x, "l"), m(x, "m"), m(x, "n"),    \
        m(x, "o"), m(x, "p"), m(x, "q"), m(x, "r"), m(x, "s"), m(x, "t"), m(x, "u"), m(x, "v"),    \
        m(x, "w"), m(x, "x"), m(x, "y"), m(x, "z"), m(x, "0"), m(x, "1"), m(x, "2"), m(x, "3"),    \
        m(x, "4"), m(x, "5"), m(x, "6"), m(x, "7"), m(x, "8"), m(x, "9"), m(x, "+"), m(x, "/")
#define B64_EACH_COLUMN(m, x)                                                                      \
    m(x, "A"), m(x, "B"), m(x, "C"), m(x, "D"), m(x, "E"), m(x, "F"), m(x, "G"), m(x, "H"),        \
        m(x, "I"), m(x, "J"), m(x, "K"), m(x, "L"), m(x, "M"), m(x, "N"), m(x, "O"), m(x, "P"),    \
        m(x, "Q"), m(x, "R"), m(x, "S"), m(x, "T"), m(x, "U"), m(x, "V"), m(x, "W"), m(x, "X"),    \
        m(x, "Y"), m(x, "Z"), m(x, "a"), m(x, "b"), m(x, "c"), m(x, "d"), m(x, "e"), m(x, "f"),    \
        m(x, "g"), m(x, "h"), m(x, "i"), m(x, "j"), m(x, "k"), m(x, "l"), m(x, "m"), m(x, "n"),    \
        m(x, "o"), m(x, "p"), m(x, "q"), m(x, "r"), m(x, "s"), m(x, "t"), m(x, "u"), m(x, "v"),    \
        m(x, "w"), m(x, "x"), m(x, "y"), m(x, "z"), m(x, "0"), m(x, "1"), m(x, "2"), m(x, "3"),    \
        m(x, "4"), m(x, "5"), m(x, "6"), m(x, "7"), m(x, "8"), m(x, "9"), m(x, "+"), m(x, "/")
#define B64_PAIR(x, y) x y
#define B64_ROW(_, x)  B64_EACH_COLUMN(B64_PAIR, x)
static const char b64_pairs[64 * 64][2] = {B64_EACH_ROW(B64_ROW, )};

/* 48 bits of x in base64: eight characters. */
static char *put_base64_48(char *p, uint64_t x)
{
    memcpy(p, b64_pairs[x >> 36 & 0xfff], 2);
    memcpy(p + 2, b64_pairs[x >> 24 & 0xfff], 2);
    memcpy(p + 4, b64_pairs[x >> 12 & 0xfff], 2);
    memcpy(p + 6, b64_pairs[x & 0xfff], 2);
    return p + 8;
}

/* Bytes [at, at + 6) of the digest as a number (at + 8 <= PS_SHA1_LEN). */
static uint64_t bytes48(const uint8_t *d, int at)
{
    uint64_t x;

    memcpy(&x, d + at, 8);
    return be64toh(x) >> 16;
}

/* The digest in base64 (RFC 4648: 20 bytes, three groups of six and two bytes with one '='), or
 * in hex; without a test per character, as this is done for every flow written. */
static void render(const uint8_t digest[PS_SHA1_LEN], bool hex, char *out)
{
    static const char hexdigits[] = "0123456789abcdef";
    char *p = out;

    *p++ = '1';
    *p++ = ':';
    if (hex) {
        for (int i = 0; i < PS_SHA1_LEN; i++) {
            *p++ = hexdigits[digest[i] >> 4];
            *p++ = hexdigits[digest[i] & 0xf];
        }
        *p = '\0';
        return;
    }
    p = put_base64_48(p, bytes48(digest, 0));
    p = put_base64_48(p, bytes48(digest, 6));
    p = put_base64_48(p, bytes48(digest, 12));
    /* The last two bytes and two zero bits: three characters (of the eight written: `out` has
     * room), then the padding. */
    p = put_base64_48(p, (uint64_t)digest[18] << 40 | (uint64_t)digest[19] << 32) - 5;
    p[0] = '=';
    p[1] = '\0';
}

/* A port in network order at p. */
static uint8_t *put_port(uint8_t *p, uint16_t port)
{
    p[0] = (uint8_t)(port >> 8);
    p[1] = (uint8_t)port;
    return p + 2;
}

/*
 * The message of tuple `t` written into `block` (zeros), where it is hashed: at most 2 + 16 + 16 +
 * 2 + 4 bytes, one block. Returns its length.
 */
static size_t put_message(const struct report_cid_tuple *t, uint16_t seed,
                          uint8_t block[PS_SHA1_BLOCK])
{
    uint8_t *m;
    const uint8_t *a = t->src, *b = t->dst;
    uint16_t pa = t->sport, pb = t->dport;
    bool ports = t->proto == PROTO_TCP || t->proto == PROTO_UDP || t->proto == PROTO_SCTP;
    bool one_way = false;
    int order;

    _Static_assert(2 + 16 + 16 + 2 + 4 <= PS_SHA1_SHORT_MAX, "a Community ID's message is short");
    if (t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6) {
        int peer = icmp_counterpart(t->proto, (uint8_t)t->sport);

        ports = true;
        one_way = peer < 0;
        if (!one_way)
            pb = (uint16_t)peer;
    }
    order = t->family == 6 ? ps_addr_compare(a, b, 16) : ps_addr_compare(a, b, 4);
    if (!one_way && (order > 0 || (order == 0 && ports && pa >= pb))) {
        a = t->dst;
        b = t->src;
        pa = pb;
        pb = ports ? t->sport : 0;
    }
    m = put_port(block, seed);
    /* Each family's copies of a constant size, which the compiler makes without a call. */
    if (t->family == 6) {
        memcpy(m, a, 16);
        memcpy(m + 16, b, 16);
        m += 32;
    } else {
        memcpy(m, a, 4);
        memcpy(m + 4, b, 4);
        m += 8;
    }
    m[0] = t->proto;
    m += 2; /* and a zero byte */
    if (ports)
        m = put_port(put_port(m, pa), pb);
    return (size_t)(m - block);
}

char *report_community_id(const struct report_cid_tuple *t, uint16_t seed, bool hex,
                          char out[REPORT_COMMUNITY_ID_LEN])
{
    uint8_t block[PS_SHA1_BLOCK] = {0}, digest[PS_SHA1_LEN];

    ps_sha1_short(block, put_message(t, seed, block), digest);
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

/* The tuple flow `f`'s packets hash as, its addresses in the flow's key. */
static struct report_cid_tuple flow_tuple(const struct flow *f)
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
    return t;
}

char *report_flow_community_id(const struct flow *f, uint16_t seed, bool hex,
                               char out[REPORT_COMMUNITY_ID_LEN])
{
    struct report_cid_tuple t = flow_tuple(f);

    return report_community_id(&t, seed, hex, out);
}

void report_flow_community_id2(const struct flow *f0, const struct flow *f1, uint16_t seed,
                               bool hex, char out[2][REPORT_COMMUNITY_ID_LEN])
{
    struct report_cid_tuple t0 = flow_tuple(f0), t1 = flow_tuple(f1);
    uint8_t block[2][PS_SHA1_BLOCK] = {{0}}, digest[2][PS_SHA1_LEN];
    size_t len[2];

    len[0] = put_message(&t0, seed, block[0]);
    len[1] = put_message(&t1, seed, block[1]);
    ps_sha1_short2(block, len, digest);
    render(digest[0], hex, out[0]);
    render(digest[1], hex, out[1]);
}
