/*
 * test_decode_app.c - unit tests for src/decode/decode_app.c: each payload signature on a match,
 * on every truncation of it (never another protocol; "short" while the bytes still agree) and on
 * a near miss (a byte or a field that makes it something else).
 */
#include "unit.h"
#include <string.h>

#include "../../src/decode/decode_int.h"

static struct app_match look(const void *bytes, size_t len, uint8_t transport)
{
    struct app_match m;

    decode_app(bytes, len, transport, &m);
    return m;
}

/* The whole payload is `proto`; each prefix is either `proto` as well, or nothing at all. */
static void expect_match(const void *bytes, size_t len, uint8_t transport, uint8_t proto)
{
    struct app_match m = look(bytes, len, transport);

    ck_assert_uint_eq(m.proto, proto);
    ck_assert(!m.cut_short);
    for (size_t n = 0; n < len; n++) {
        m = look(bytes, n, transport);
        ck_assert_msg(m.proto == proto || m.proto == APP_NONE, "prefix %zu is protocol %u", n,
                      (unsigned)m.proto);
    }
}

/* The first `n` bytes of a match: nothing yet, and short. */
static void expect_short(const void *bytes, size_t n, uint8_t transport)
{
    struct app_match m = look(bytes, n, transport);

    ck_assert_uint_eq(m.proto, APP_NONE);
    ck_assert_msg(m.cut_short, "%zu bytes should be short", n);
}

static void expect_none(const void *bytes, size_t len, uint8_t transport)
{
    struct app_match m = look(bytes, len, transport);

    ck_assert_uint_eq(m.proto, APP_NONE);
    ck_assert(!m.cut_short);
}

#define S(lit) lit, sizeof(lit) - 1

START_TEST(test_http)
{
    static const char req[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    expect_match(S(req), PS_IPPROTO_TCP, APP_HTTP);
    expect_match(S(resp), PS_IPPROTO_TCP, APP_HTTP);
    expect_match(S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), PS_IPPROTO_TCP, APP_HTTP);
    expect_short(req, 8, PS_IPPROTO_TCP);
    expect_short(resp, 10, PS_IPPROTO_TCP);
    expect_none(S("GET /index.html FTP/1.1\r\n"), PS_IPPROTO_TCP);
    expect_none(S("GETS / HTTP/1.1\r\n"), PS_IPPROTO_TCP);
    expect_none(S("HTTP/1.1 2x0 OK\r\n"), PS_IPPROTO_TCP);
    /* HTTP is not looked for over UDP. */
    expect_none(S(req), PS_IPPROTO_UDP);
}
END_TEST

/* A ClientHello with a server name extension (and another after it). */
static size_t client_hello(uint8_t *p, const char *name)
{
    size_t n = strlen(name), at = 0, hs, ext;

    memcpy(p, "\x16\x03\x01\x00\x00\x01\x00\x00\x00\x03\x03", 11);
    at = 11;
    memset(p + at, 0xab, 32); /* random */
    at += 32;
    p[at++] = 0; /* session id */
    memcpy(p + at, "\x00\x04\x13\x01\x13\x02\x01\x00", 8);
    at += 8;
    ext = at;
    at += 2;
    memcpy(p + at, "\x00\x00", 2);
    p[at + 2] = 0;
    p[at + 3] = (uint8_t)(n + 5);
    p[at + 4] = 0;
    p[at + 5] = (uint8_t)(n + 3);
    p[at + 6] = 0;
    p[at + 7] = 0;
    p[at + 8] = (uint8_t)n;
    memcpy(p + at + 9, name, n);
    at += 9 + n;
    memcpy(p + at, "\x00\x2b\x00\x03\x02\x03\x04", 7);
    at += 7;
    p[ext] = (uint8_t)((at - ext - 2) >> 8);
    p[ext + 1] = (uint8_t)(at - ext - 2);
    hs = at - 9;
    p[6] = (uint8_t)(hs >> 16);
    p[7] = (uint8_t)(hs >> 8);
    p[8] = (uint8_t)hs;
    p[3] = (uint8_t)((at - 5) >> 8);
    p[4] = (uint8_t)(at - 5);
    return at;
}

START_TEST(test_tls)
{
    uint8_t hello[512], server[64];
    size_t len = client_hello(hello, "example.com");
    struct app_match m;

    expect_match(hello, len, PS_IPPROTO_TCP, APP_TLS);
    m = look(hello, len, PS_IPPROTO_TCP);
    ck_assert_uint_eq(m.name_len, 11);
    ck_assert_mem_eq(hello + m.name_off, "example.com", 11);
    /* Cut inside the name: TLS still, without a name. */
    m = look(hello, len - 10, PS_IPPROTO_TCP);
    ck_assert_uint_eq(m.proto, APP_TLS);
    ck_assert_uint_eq(m.name_len, 0);
    expect_short(hello, 7, PS_IPPROTO_TCP);
    /* A ServerHello: record, handshake type 2, version. */
    memset(server, 0xcd, sizeof(server));
    memcpy(server, "\x16\x03\x03\x00\x3b\x02\x00\x00\x37\x03\x03", 11);
    expect_match(server, sizeof(server), PS_IPPROTO_TCP, APP_TLS);
    /* Near misses: an alert record; a Certificate message; a record version of 3.9. */
    hello[0] = 0x15;
    expect_none(hello, len, PS_IPPROTO_TCP);
    hello[0] = 0x16;
    hello[5] = 11;
    expect_none(hello, len, PS_IPPROTO_TCP);
    hello[5] = 1;
    hello[2] = 9;
    expect_none(hello, len, PS_IPPROTO_TCP);
}
END_TEST

START_TEST(test_tls_crafted_name)
{
    uint8_t hello[512];
    /* Quotes, a comma, a newline, a NUL and a backslash: taken as bytes, escaped by the writers. */
    static const char name[] = "a\"b,c\nd\\e";
    size_t len = client_hello(hello, name);
    struct app_match m = look(hello, len, PS_IPPROTO_TCP);

    ck_assert_uint_eq(m.proto, APP_TLS);
    ck_assert_uint_eq(m.name_len, strlen(name));
    /* A name length past the extension: no name. */
    hello[61] = 0x7f;
    m = look(hello, len, PS_IPPROTO_TCP);
    ck_assert_uint_eq(m.proto, APP_TLS);
    ck_assert_uint_eq(m.name_len, 0);
}
END_TEST

START_TEST(test_ssh)
{
    static const char banner[] = "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n";

    expect_match(S(banner), PS_IPPROTO_TCP, APP_SSH);
    expect_match(S("SSH-1.99-Cisco-1.25\r\n"), PS_IPPROTO_TCP, APP_SSH);
    expect_short(banner, 6, PS_IPPROTO_TCP);
    expect_none(S("SSH-2.0OpenSSH\r\n"), PS_IPPROTO_TCP);
    expect_none(S("SSH-two-OpenSSH\r\n"), PS_IPPROTO_TCP);
}
END_TEST

static const uint8_t dns_query[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header */
    7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',  'm',
    0,    0x00, 0x01, 0x00, 0x01, /* A, IN */
};

START_TEST(test_dns)
{
    uint8_t msg[64], tcp[66];

    expect_match(dns_query, sizeof(dns_query), PS_IPPROTO_UDP, APP_DNS);
    expect_short(dns_query, 20, PS_IPPROTO_UDP);
    /* Over TCP, after its length. */
    tcp[0] = 0;
    tcp[1] = sizeof(dns_query);
    memcpy(tcp + 2, dns_query, sizeof(dns_query));
    expect_match(tcp, sizeof(dns_query) + 2, PS_IPPROTO_TCP, APP_DNS);
    expect_short(tcp, 9, PS_IPPROTO_TCP);
    /* Near misses: two questions; the Z bit; a label of 64; class 9. */
    memcpy(msg, dns_query, sizeof(dns_query));
    msg[5] = 2;
    expect_none(msg, sizeof(dns_query), PS_IPPROTO_UDP);
    msg[5] = 1;
    msg[3] = 0x40;
    expect_none(msg, sizeof(dns_query), PS_IPPROTO_UDP);
    msg[3] = 0;
    msg[12] = 64;
    expect_none(msg, sizeof(dns_query), PS_IPPROTO_UDP);
    msg[12] = 7;
    msg[sizeof(dns_query) - 1] = 9;
    expect_none(msg, sizeof(dns_query), PS_IPPROTO_UDP);
}
END_TEST

START_TEST(test_quic)
{
    uint8_t initial[32] = {0xc3, 0x00, 0x00, 0x00, 0x01, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0};

    expect_match(initial, sizeof(initial), PS_IPPROTO_UDP, APP_QUIC);
    /* draft-29 */
    initial[1] = 0xff;
    initial[4] = 0x1d;
    expect_match(initial, sizeof(initial), PS_IPPROTO_UDP, APP_QUIC);
    expect_short(initial, 3, PS_IPPROTO_UDP);
    /* Near misses: an unknown version; no fixed bit; a connection id of 21 bytes. */
    initial[1] = 0x12;
    expect_none(initial, sizeof(initial), PS_IPPROTO_UDP);
    initial[1] = 0;
    initial[4] = 1;
    initial[0] = 0x83;
    expect_none(initial, sizeof(initial), PS_IPPROTO_UDP);
    initial[0] = 0xc3;
    initial[5] = 21;
    expect_none(initial, sizeof(initial), PS_IPPROTO_UDP);
    /* Not over TCP. */
    initial[5] = 8;
    expect_none(initial, sizeof(initial), PS_IPPROTO_TCP);
}
END_TEST

START_TEST(test_greetings)
{
    static const char smtp[] = "220 mail.example.com ESMTP Postfix (Ubuntu)\r\n";

    expect_match(S(smtp), PS_IPPROTO_TCP, APP_SMTP);
    expect_match(S("220-mx.example.org ESMTP Exim 4.97\r\n"), PS_IPPROTO_TCP, APP_SMTP);
    expect_match(S("220 (vsFTPd 3.0.5)\r\n"), PS_IPPROTO_TCP, APP_FTP);
    expect_match(S("220 Microsoft FTP Service\r\n"), PS_IPPROTO_TCP, APP_FTP);
    expect_match(S("+OK Dovecot ready.\r\n"), PS_IPPROTO_TCP, APP_POP3);
    expect_match(S("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"), PS_IPPROTO_TCP, APP_IMAP);
    expect_match(S("* PREAUTH IMAP4rev1 server logged in\r\n"), PS_IPPROTO_TCP, APP_IMAP);
    expect_short(smtp, 14, PS_IPPROTO_TCP);
    expect_short("+O", 2, PS_IPPROTO_TCP);
    expect_short("* O", 3, PS_IPPROTO_TCP);
    expect_none(S("220 welcome\r\n"), PS_IPPROTO_TCP);
    expect_none(S("2200 ESMTP\r\n"), PS_IPPROTO_TCP);
    expect_none(S("+OKAY\r\n"), PS_IPPROTO_TCP);
    expect_none(S("* NO go away\r\n"), PS_IPPROTO_TCP);
}
END_TEST

START_TEST(test_rdp)
{
    /* TPKT, X.224 connection request, RDP_NEG_REQ asking for TLS and CredSSP. */
    static const uint8_t request[] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00};
    static const char cookie[] = "\x03\x00\x00\x24\x1f\xe0\x00\x00\x00\x00\x00"
                                 "Cookie: mstshash=student\r\n";
    /* S7comm's COTP connection request on port 102: TPKT and X.224 too, with ISO parameters. */
    static const uint8_t s7[] = {0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,
                                 0xc1, 0x02, 0x01, 0x00, 0xc2, 0x02, 0x01, 0x02, 0xc0, 0x01, 0x0a};
    uint8_t bad[sizeof(request)];

    expect_match(request, sizeof(request), PS_IPPROTO_TCP, APP_RDP);
    expect_match(S(cookie), PS_IPPROTO_TCP, APP_RDP);
    expect_short(request, 3, PS_IPPROTO_TCP);
    expect_short(request, 14, PS_IPPROTO_TCP);
    expect_none(s7, sizeof(s7), PS_IPPROTO_TCP);
    /* A length indicator that does not fit the TPKT length. */
    memcpy(bad, request, sizeof(bad));
    bad[4] = 0x0d;
    expect_none(bad, sizeof(bad), PS_IPPROTO_TCP);
}
END_TEST

START_TEST(test_nothing_to_look_at)
{
    static const uint8_t random_bytes[] = {0x5b, 0x9e, 0x01, 0xf7, 0x33, 0x80, 0x12, 0x6a,
                                           0xc4, 0x19, 0x00, 0xee, 0x42, 0x7d, 0x90, 0x0b};

    expect_short(NULL, 0, PS_IPPROTO_TCP);
    expect_none(random_bytes, sizeof(random_bytes), PS_IPPROTO_TCP);
    expect_none(random_bytes, sizeof(random_bytes), PS_IPPROTO_UDP);
    expect_none(S("GET / HTTP/1.1\r\n"), PS_IPPROTO_SCTP);
    ck_assert_str_eq(decode_app_name(APP_SSH), "ssh");
    ck_assert_str_eq(decode_app_label(APP_QUIC), "QUIC");
    ck_assert_ptr_null(decode_app_name(APP_NONE));
    ck_assert_ptr_null(decode_app_name(APP__COUNT));
    ck_assert_uint_eq(decode_app_by_name("rdp"), APP_RDP);
    ck_assert_uint_eq(decode_app_by_name("gopher"), APP_NONE);
}
END_TEST

Suite *decode_app_suite(void)
{
    Suite *suite = suite_create("decode_app");
    TCase *sigs = tcase_create("signatures");

    tcase_add_test(sigs, test_http);
    tcase_add_test(sigs, test_tls);
    tcase_add_test(sigs, test_tls_crafted_name);
    tcase_add_test(sigs, test_ssh);
    tcase_add_test(sigs, test_dns);
    tcase_add_test(sigs, test_quic);
    tcase_add_test(sigs, test_greetings);
    tcase_add_test(sigs, test_rdp);
    tcase_add_test(sigs, test_nothing_to_look_at);
    suite_add_tcase(suite, sigs);
    return suite;
}
