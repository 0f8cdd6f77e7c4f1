/*
 * decode_app.c - what application protocol the first payload bytes of one direction show: HTTP
 * (RFC 9112 request and status lines), TLS (RFC 8446 ClientHello and ServerHello records, with the
 * server_name extension of RFC 6066), SSH (RFC 4253 identification string), DNS (RFC 1035 header
 * and question, with its 2-byte length over TCP), QUIC long headers (RFC 9000, RFC 9369, the
 * drafts), the SMTP, FTP, POP3 and IMAP greetings, and RDP's X.224 connection request and
 * confirm (MS-RDPBCGR 2.2.1.1, 2.2.1.2).
 *
 * Pure functions over the bytes: each signature says yes, no, or "the bytes ended before I could
 * tell" (which the flow turns into "payload cut by snaplen" when the capture cut the packet). They
 * check enough structure that random bytes almost never pass; every read is bounds-checked.
 */
#include <string.h>

#include "decode_int.h"

enum verdict { V_NO = 0, V_SHORT, V_YES };

/* A record's length may exceed the TLS plaintext maximum by the expansion TLS 1.2 allows. */
#define TLS_RECORD_MAX      (16384 + 2048)
#define TLS_HANDSHAKE       0x16
#define TLS_CLIENT_HELLO    1
#define TLS_SERVER_HELLO    2
#define TLS_EXT_SERVER_NAME 0

#define DNS_HEADER 12

static const char *const app_names[APP__COUNT] = {
    [APP_NONE] = NULL,   [APP_HTTP] = "http", [APP_TLS] = "tls",   [APP_SSH] = "ssh",
    [APP_DNS] = "dns",   [APP_QUIC] = "quic", [APP_SMTP] = "smtp", [APP_FTP] = "ftp",
    [APP_POP3] = "pop3", [APP_IMAP] = "imap", [APP_RDP] = "rdp",
};

static const char *const app_labels[APP__COUNT] = {
    [APP_NONE] = NULL,   [APP_HTTP] = "HTTP", [APP_TLS] = "TLS",   [APP_SSH] = "SSH",
    [APP_DNS] = "DNS",   [APP_QUIC] = "QUIC", [APP_SMTP] = "SMTP", [APP_FTP] = "FTP",
    [APP_POP3] = "POP3", [APP_IMAP] = "IMAP", [APP_RDP] = "RDP",
};

const char *decode_app_name(uint8_t proto)
{
    return proto < APP__COUNT ? app_names[proto] : NULL;
}

const char *decode_app_label(uint8_t proto)
{
    return proto < APP__COUNT ? app_labels[proto] : NULL;
}

uint8_t decode_app_by_name(const char *name)
{
    for (uint8_t p = APP_NONE + 1; p < APP__COUNT; p++)
        if (strcmp(app_names[p], name) == 0)
            return p;
    return APP_NONE;
}

/* Whether the bytes at `off` are `lit`: yes, no, or short when they end while still agreeing. */
static enum verdict literal(const struct rd *r, size_t off, const char *lit)
{
    size_t n = strlen(lit);

    for (size_t i = 0; i < n; i++) {
        uint8_t c;

        if (!rd_peek_u8(r, off + i, &c))
            return V_SHORT;
        if (c != (uint8_t)lit[i])
            return V_NO;
    }
    return V_YES;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Where the first line ends (its CR or LF), or r->left when the bytes end first. */
static size_t line_end(const struct rd *r)
{
    const void *nl = memchr(r->p, '\n', r->left);
    size_t end = nl != NULL ? (size_t)((const uint8_t *)nl - r->p) : r->left;

    if (end > 0 && end < r->left && r->p[end - 1] == '\r')
        end--;
    return end;
}

/* Whether the first line holds `word` (upper case), in any case. */
static bool line_has(const struct rd *r, size_t end, const char *word)
{
    size_t n = strlen(word);

    for (size_t i = 0; i + n <= end; i++) {
        size_t k = 0;

        while (k < n && (r->p[i + k] & 0xdf) == (uint8_t)word[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* "HTTP/1.1 200" (a status line), or a request line "METHOD target HTTP/x.y". */
static enum verdict match_http(const struct rd *r)
{
    static const char *const methods[] = {"GET ",     "POST ",  "HEAD ",    "PUT ",   "DELETE ",
                                          "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PRI "};
    enum verdict v = literal(r, 0, "HTTP/"), best = V_NO;
    size_t end;

    if (v != V_NO) {
        uint8_t s[8];

        if (v == V_SHORT || !rd_peek_bytes(r, 5, s, sizeof(s)))
            return V_SHORT;
        return is_digit(s[0]) && s[1] == '.' && is_digit(s[2]) && s[3] == ' ' && is_digit(s[4]) &&
                       is_digit(s[5]) && is_digit(s[6])
                   ? V_YES
                   : V_NO;
    }
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        v = literal(r, 0, methods[i]);
        if (v == V_YES)
            break;
        if (v == V_SHORT)
            best = V_SHORT;
    }
    if (v != V_YES)
        return best;
    /* The request line must end in its version; a line the bytes cut may still. */
    end = line_end(r);
    if (end == r->left)
        return V_SHORT;
    return end >= 9 && literal(r, end - 9, " HTTP/") == V_YES && is_digit(r->p[end - 3]) &&
                   r->p[end - 2] == '.' && is_digit(r->p[end - 1])
               ? V_YES
               : V_NO;
}

/* The server_name extension's first host name, if the extensions from `off` on have one. */
static void tls_server_name(const struct rd *r, size_t off, size_t end, struct app_match *out)
{
    uint16_t ext_len, type, len, list_len, name_len;
    uint8_t name_type;

    if (!rd_peek_be16(r, off, &ext_len))
        return;
    off += 2;
    if (off + ext_len < end)
        end = off + ext_len;
    while (off + 4 <= end && rd_peek_be16(r, off, &type) && rd_peek_be16(r, off + 2, &len)) {
        off += 4;
        if (type == TLS_EXT_SERVER_NAME) {
            if (len < 5 || !rd_peek_be16(r, off, &list_len) ||
                !rd_peek_u8(r, off + 2, &name_type) || !rd_peek_be16(r, off + 3, &name_len))
                return;
            if (name_type == 0 && name_len > 0 && name_len <= len - 5 &&
                rd_has(r, off + 5 + name_len)) {
                out->name_off = (uint32_t)(off + 5);
                out->name_len = name_len;
            }
            return;
        }
        off += len;
    }
}

/*
 * A handshake record holding a ClientHello or ServerHello: record header, handshake header, the
 * hello's legacy version. A ClientHello's server name is taken as far as the bytes go.
 */
static enum verdict match_tls(const struct rd *r, struct app_match *out)
{
    uint8_t b[11];
    uint16_t record_len;
    uint32_t hs_len;
    size_t off, end;
    uint8_t sid_len, comp_len;
    uint16_t suites_len;

    if (!rd_peek_bytes(r, 0, b, sizeof(b))) {
        /* As far as they go, do the bytes agree with the header's fixed values? */
        static const uint8_t want[] = {TLS_HANDSHAKE, 0x03};
        for (size_t i = 0; i < r->left && i < sizeof(want); i++)
            if (r->p[i] != want[i])
                return V_NO;
        return V_SHORT;
    }
    record_len = (uint16_t)(b[3] << 8 | b[4]);
    hs_len = (uint32_t)b[6] << 16 | (uint32_t)b[7] << 8 | b[8];
    if (b[0] != TLS_HANDSHAKE || b[1] != 0x03 || b[2] > 0x04 || record_len < 4 + 2 ||
        record_len > TLS_RECORD_MAX || (b[5] != TLS_CLIENT_HELLO && b[5] != TLS_SERVER_HELLO) ||
        hs_len < 2 + 32 || b[9] != 0x03 || b[10] > 0x04)
        return V_NO;
    if (b[5] != TLS_CLIENT_HELLO)
        return V_YES;
    /* ClientHello: version, random, session id, cipher suites, compression, extensions. */
    end = 5 + (size_t)record_len;
    off = 9 + 2 + 32;
    if (!rd_peek_u8(r, off, &sid_len))
        return V_YES;
    off += 1 + (size_t)sid_len;
    if (!rd_peek_be16(r, off, &suites_len))
        return V_YES;
    off += 2 + (size_t)suites_len;
    if (!rd_peek_u8(r, off, &comp_len))
        return V_YES;
    tls_server_name(r, off + 1 + comp_len, end, out);
    return V_YES;
}

/* "SSH-" protoversion "-": "SSH-2.0-OpenSSH_9.6", "SSH-1.99-...". */
static enum verdict match_ssh(const struct rd *r)
{
    enum verdict v = literal(r, 0, "SSH-");
    size_t i = 4;
    bool dot = false;

    if (v != V_YES)
        return v;
    for (;; i++) {
        uint8_t c;

        if (!rd_peek_u8(r, i, &c))
            return V_SHORT;
        if (c == '-')
            return dot && is_digit(r->p[i - 1]) ? V_YES : V_NO;
        if (c == '.' && !dot && i > 4)
            dot = true;
        else if (!is_digit(c) || i > 8)
            return V_NO;
    }
}

/*
 * A DNS message at `off`: a header whose opcode, Z bit and counts are sane, then one question
 * whose name's labels, type and class can be read.
 */
static enum verdict match_dns_at(const struct rd *r, size_t off)
{
    uint8_t h[DNS_HEADER], len;
    uint16_t qd, an, ns, ar, cls;
    unsigned opcode;
    size_t at = off + DNS_HEADER, name = 0;

    if (!rd_peek_bytes(r, off, h, sizeof(h)))
        return V_SHORT;
    opcode = h[2] >> 3 & 0xf;
    qd = (uint16_t)(h[4] << 8 | h[5]);
    an = (uint16_t)(h[6] << 8 | h[7]);
    ns = (uint16_t)(h[8] << 8 | h[9]);
    ar = (uint16_t)(h[10] << 8 | h[11]);
    /* Query, inverse query, status, notify, update; the Z bit is zero; one question. */
    if ((opcode > 2 && opcode != 4 && opcode != 5) || (h[3] & 0x40) || qd != 1 || an > 256 ||
        ns > 256 || ar > 256)
        return V_NO;
    /* A query carries no answers, unless it is a NOTIFY or an UPDATE. */
    if (!(h[2] & 0x80) && opcode < 4 && an != 0)
        return V_NO;
    for (;;) {
        if (!rd_peek_u8(r, at, &len))
            return V_SHORT;
        if (len == 0)
            break;
        if (len > 63 || (name += len + 1u) > 255)
            return V_NO;
        at += 1u + len;
    }
    if (!rd_peek_be16(r, at + 3, &cls))
        return V_SHORT;
    /* IN, CH, HS, NONE, ANY; mDNS sets the top bit to ask for a unicast answer. */
    cls &= 0x7fff;
    return cls == 1 || cls == 3 || cls == 4 || cls == 254 || cls == 255 ? V_YES : V_NO;
}

/* Over TCP a DNS message follows its 2-byte length (RFC 1035 4.2.2). */
static enum verdict match_dns_tcp(const struct rd *r)
{
    uint16_t len;

    if (!rd_peek_be16(r, 0, &len))
        return V_SHORT;
    if (len < DNS_HEADER + 5)
        return V_NO;
    return match_dns_at(r, 2);
}

/*
 * A QUIC long header: the form bit, a version this knows (1, 2, the drafts 0xff0000xx, Google's
 * Q0xx and T0xx, or 0 for version negotiation), connection id lengths of at most 20.
 */
static enum verdict match_quic(const struct rd *r)
{
    uint8_t first, dcid_len, scid_len;
    uint32_t version;
    bool known;

    if (!rd_peek_u8(r, 0, &first))
        return V_SHORT;
    if (!(first & 0x80))
        return V_NO;
    if (!rd_peek_be32(r, 1, &version))
        return V_SHORT;
    known = version == 0 || version == 0x00000001 || version == 0x6b3343cf ||
            (version >> 8 == 0xff0000 && (version & 0xff) != 0) ||
            ((version >> 24 == 'Q' || version >> 24 == 'T') && is_digit(version >> 16 & 0xff) &&
             is_digit(version >> 8 & 0xff) && is_digit(version & 0xff));
    /* The fixed bit is set in every version but version negotiation. */
    if (!known || (version != 0 && !(first & 0x40)))
        return V_NO;
    if (!rd_peek_u8(r, 5, &dcid_len))
        return V_SHORT;
    if (dcid_len > 20)
        return V_NO;
    if (!rd_peek_u8(r, 6 + (size_t)dcid_len, &scid_len))
        return V_SHORT;
    return scid_len <= 20 ? V_YES : V_NO;
}

/*
 * The greetings of servers that speak first: "220 ... ESMTP" (SMTP) or "220 ... FTP" (FTP, the
 * word in the text of most servers), "+OK" (POP3), "* OK" or "* PREAUTH" (IMAP).
 */
static enum verdict match_greeting(const struct rd *r, uint8_t *proto)
{
    enum verdict v;
    size_t end;
    uint8_t sep;

    v = literal(r, 0, "220");
    if (v == V_YES) {
        if (!rd_peek_u8(r, 3, &sep))
            return V_SHORT;
        if (sep != ' ' && sep != '-')
            return V_NO;
        end = line_end(r);
        *proto = line_has(r, end, "SMTP") ? APP_SMTP : line_has(r, end, "FTP") ? APP_FTP : 0;
        if (*proto != APP_NONE)
            return V_YES;
        return end == r->left ? V_SHORT : V_NO;
    }
    if (v == V_SHORT)
        return V_SHORT;
    *proto = APP_POP3;
    v = literal(r, 0, "+OK");
    if (v == V_YES && rd_peek_u8(r, 3, &sep))
        return sep == ' ' || sep == '\r' || sep == '\n' ? V_YES : V_NO;
    if (v != V_NO)
        return V_SHORT;
    *proto = APP_IMAP;
    v = literal(r, 0, "* OK");
    return v != V_NO ? v : literal(r, 0, "* PREAUTH");
}

/*
 * TPKT (version 3) carrying an X.224 connection request (0xe0) or confirm (0xd0) whose length
 * indicator fits the packet, and whose variable part is RDP's: nothing, a "Cookie:" line or a
 * routing token, or an RDP negotiation request, response or failure. ISO transport parameters
 * (0xc0 to 0xc2, as S7comm's on port 102 bring) are not RDP.
 */
static enum verdict match_rdp(const struct rd *r)
{
    uint8_t b[6], var, neg_len[2];
    uint16_t tpkt_len;

    if (!rd_peek_bytes(r, 0, b, sizeof(b))) {
        if ((r->left >= 1 && r->p[0] != 3) || (r->left >= 2 && r->p[1] != 0))
            return V_NO;
        return V_SHORT;
    }
    tpkt_len = (uint16_t)(b[2] << 8 | b[3]);
    if (b[0] != 3 || b[1] != 0 || tpkt_len < 11 || b[4] != tpkt_len - 5 ||
        (b[5] != 0xe0 && b[5] != 0xd0))
        return V_NO;
    if (tpkt_len == 11)
        return V_YES;
    if (!rd_peek_u8(r, 11, &var))
        return V_SHORT;
    if (var == 'C')
        return literal(r, 11, "Cookie: ");
    /* RDP_NEG_REQ, _RSP, _FAILURE: type, flags, a little-endian length of 8. */
    if (var < 1 || var > 3 || tpkt_len < 11 + 8)
        return V_NO;
    if (!rd_peek_bytes(r, 13, neg_len, sizeof(neg_len)))
        return V_SHORT;
    return neg_len[0] == 8 && neg_len[1] == 0 ? V_YES : V_NO;
}

/* TCP: the first byte picks the one signature that may start with it. */
static enum verdict match_tcp(const struct rd *r, struct app_match *out)
{
    enum verdict v;

    switch (r->p[0]) {
    case 'C':
    case 'D':
    case 'G':
    case 'H':
    case 'O':
    case 'P':
    case 'T':
        out->proto = APP_HTTP;
        return match_http(r);
    case TLS_HANDSHAKE:
        out->proto = APP_TLS;
        return match_tls(r, out);
    case 'S':
        out->proto = APP_SSH;
        return match_ssh(r);
    case '2':
    case '+':
    case '*':
        return match_greeting(r, &out->proto);
    case 3:
        out->proto = APP_RDP;
        v = match_rdp(r);
        if (v != V_NO)
            return v;
        break;
    default:
        break;
    }
    out->proto = APP_DNS;
    return match_dns_tcp(r);
}

void decode_app(const uint8_t *payload, size_t caplen, uint8_t transport, struct app_match *out)
{
    struct rd r = rd_make(payload, caplen);
    enum verdict v = V_NO;

    memset(out, 0, sizeof(*out));
    if (caplen == 0) {
        out->cut_short = true;
        return;
    }
    if (transport == PS_IPPROTO_TCP) {
        v = match_tcp(&r, out);
    } else if (transport == PS_IPPROTO_UDP) {
        /* A DNS id may have its top bit set too: a QUIC no is no answer yet. */
        out->proto = APP_QUIC;
        v = match_quic(&r);
        if (v != V_YES) {
            enum verdict dns = match_dns_at(&r, 0);

            out->proto = APP_DNS;
            v = dns == V_YES ? V_YES : dns == V_SHORT || v == V_SHORT ? V_SHORT : V_NO;
        }
    }
    if (v != V_YES) {
        out->proto = APP_NONE;
        out->name_off = 0;
        out->name_len = 0;
    }
    out->cut_short = v == V_SHORT;
}
