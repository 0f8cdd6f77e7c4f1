/*
 * test_export.c - unit tests for src/export/: the IPFIX encoder's messages byte by byte (header,
 * templates, data sets, sequence numbers, the size limit, template refresh), the records made of
 * flows (direction, counters, TCP flags, end reasons, ICMP), and the form of --ipfix's HOST:PORT.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "export.h"

#define MAX_MESSAGES 256
/* The records' lengths as the templates lay them out (addresses, ports, 11 other fields). */
#define V4_LEN 69
#define V6_LEN 93

/* What the encoder sent: each message as it went. */
struct sent {
    uint8_t msg[MAX_MESSAGES][IPFIX_MESSAGE_MAX];
    size_t len[MAX_MESSAGES];
    size_t n;
    bool refuse; /* answer -1, as a send that failed */
};

static int collect(void *arg, const uint8_t *msg, size_t len)
{
    struct sent *s = arg;

    if (s->refuse)
        return -1;
    ck_assert_uint_lt(s->n, MAX_MESSAGES);
    ck_assert_uint_le(len, IPFIX_MESSAGE_MAX);
    memcpy(s->msg[s->n], msg, len);
    s->len[s->n++] = len;
    return 0;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static struct ipfix_record v4_record(uint32_t n)
{
    struct ipfix_record r;

    memset(&r, 0, sizeof(r));
    r.family = 4;
    memcpy(r.src, "\xc0\x00\x02\x02", 4);
    memcpy(r.dst, "\xc0\x00\x02\x01", 4);
    r.src_port = (uint16_t)(40000 + n);
    r.dst_port = 80;
    r.proto = PS_IPPROTO_TCP;
    r.start_ms = 1700000000000ULL + n;
    r.end_ms = r.start_ms + 5;
    r.octets[0] = 393;
    r.octets[1] = 644;
    r.packets[0] = 6;
    r.packets[1] = 5;
    r.tcp_flags[0] = 0x1b;
    r.tcp_flags[1] = 0x13;
    r.end_reason = IPFIX_END_DETECTED;
    r.direction = 1;
    return r;
}

/*
 * Walks the sets of a message; returns the records of its data sets and checks that the sets
 * fill the message exactly. *templates: whether a template set came first.
 */
static size_t walk_sets(const uint8_t *m, size_t len, bool *templates)
{
    size_t at = IPFIX_HEADER_LEN, records = 0;

    *templates = false;
    while (at < len) {
        uint16_t id = get16(m + at), slen = get16(m + at + 2);

        ck_assert_uint_ge(slen, 4);
        ck_assert_uint_le(at + slen, len);
        if (id == 2) {
            ck_assert_uint_eq(at, IPFIX_HEADER_LEN);
            *templates = true;
        } else {
            size_t rlen = ipfix_record_len(id);

            ck_assert_uint_ne(rlen, 0);
            ck_assert_uint_eq((slen - 4) % rlen, 0);
            records += (slen - 4) / rlen;
        }
        at += slen;
    }
    ck_assert_uint_eq(at, len);
    return records;
}

/* The first message: header, both templates (reverse elements with PEN 29305), one record. */
START_TEST(test_first_message)
{
    static struct sent s;
    struct ipfix_encoder e;
    struct ipfix_record r = v4_record(0);
    const uint8_t *m, *t, *d;
    bool templates;

    memset(&s, 0, sizeof(s));
    ipfix_encoder_init(&e, 42, collect, &s);
    e.export_time = 1800000000;
    ck_assert_int_eq(ipfix_encoder_add(&e, &r), 0);
    ck_assert_uint_eq(s.n, 0); /* held until the message is full or flushed */
    ck_assert_int_eq(ipfix_encoder_flush(&e), 0);
    ck_assert_uint_eq(s.n, 1);
    m = s.msg[0];
    ck_assert_uint_eq(get16(m), 10);
    ck_assert_uint_eq(get16(m + 2), s.len[0]);
    ck_assert_uint_eq(get32(m + 4), 1800000000);
    ck_assert_uint_eq(get32(m + 8), 0); /* no data record before this message */
    ck_assert_uint_eq(get32(m + 12), 42);
    ck_assert_uint_eq(walk_sets(m, s.len[0], &templates), 1);
    ck_assert(templates);
    /* The template set: the IPv4 template, 16 fields; the 10th is reverseOctetDeltaCount. */
    t = m + IPFIX_HEADER_LEN + 4;
    ck_assert_uint_eq(get16(t), IPFIX_TEMPLATE_V4);
    ck_assert_uint_eq(get16(t + 2), 16);
    ck_assert_uint_eq(get16(t + 4), 8); /* sourceIPv4Address */
    ck_assert_uint_eq(get16(t + 6), 4);
    t += 4 + 9 * 4;
    ck_assert_uint_eq(get16(t), 0x8000 | 1);
    ck_assert_uint_eq(get16(t + 2), 8);
    ck_assert_uint_eq(get32(t + 4), IPFIX_PEN_REVERSE);
    /* The data set, last, and its record field by field. */
    d = m + s.len[0] - V4_LEN;
    ck_assert_uint_eq(get16(d - 4), IPFIX_TEMPLATE_V4);
    ck_assert_uint_eq(get16(d - 2), 4 + V4_LEN);
    ck_assert_mem_eq(d, "\xc0\x00\x02\x02\xc0\x00\x02\x01", 8);
    ck_assert_uint_eq(get16(d + 8), 40000);
    ck_assert_uint_eq(get16(d + 10), 80);
    ck_assert_uint_eq(d[12], PS_IPPROTO_TCP);
    ck_assert_uint_eq(get64(d + 13), 1700000000000ULL);
    ck_assert_uint_eq(get64(d + 21), 1700000000005ULL);
    ck_assert_uint_eq(get64(d + 29), 393);
    ck_assert_uint_eq(get64(d + 37), 6);
    ck_assert_uint_eq(get64(d + 45), 644);
    ck_assert_uint_eq(get64(d + 53), 5);
    ck_assert_uint_eq(get16(d + 61), 0x1b);
    ck_assert_uint_eq(get16(d + 63), 0x13);
    ck_assert_uint_eq(d[65], IPFIX_END_DETECTED);
    ck_assert_uint_eq(get16(d + 66), 0); /* no VLAN */
    ck_assert_uint_eq(d[68], 1);
    /* Nothing waits: a second flush sends nothing. */
    ck_assert_int_eq(ipfix_encoder_flush(&e), 0);
    ck_assert_uint_eq(s.n, 1);
}
END_TEST

/*
 * Many records: every message within the limit, as full as it can be, the sequence number the
 * count of records before it, the templates again after IPFIX_REFRESH_MESSAGES messages.
 */
START_TEST(test_messages_sequence_and_refresh)
{
    static struct sent s;
    struct ipfix_encoder e;
    size_t total = 0, per_message = (IPFIX_MESSAGE_MAX - IPFIX_HEADER_LEN - 4) / V4_LEN;
    uint32_t n = (uint32_t)(per_message * (IPFIX_REFRESH_MESSAGES + 3));
    bool templates;

    memset(&s, 0, sizeof(s));
    ipfix_encoder_init(&e, 1, collect, &s);
    for (uint32_t i = 0; i < n; i++) {
        struct ipfix_record r = v4_record(i % 1000);

        r.end_ms = 1700000000000ULL; /* the capture clock stands still */
        ck_assert_int_eq(ipfix_encoder_add(&e, &r), 0);
    }
    ck_assert_int_eq(ipfix_encoder_flush(&e), 0);
    for (size_t i = 0; i < s.n; i++) {
        size_t records = walk_sets(s.msg[i], s.len[i], &templates);

        ck_assert_uint_eq(get32(s.msg[i] + 8), total);
        ck_assert_uint_eq(get16(s.msg[i] + 2), s.len[i]);
        /* Full: another record would not have fitted. */
        if (i + 1 < s.n)
            ck_assert_uint_gt(s.len[i] + V4_LEN, IPFIX_MESSAGE_MAX);
        ck_assert_int_eq(templates, i == 0 || i == IPFIX_REFRESH_MESSAGES);
        total += records;
    }
    ck_assert_uint_eq(total, n);
    ck_assert_uint_eq(e.sequence, n);
}
END_TEST

/* The templates go again once IPFIX_REFRESH_SECONDS of capture time have passed. */
START_TEST(test_refresh_by_capture_time)
{
    static struct sent s;
    struct ipfix_encoder e;
    struct ipfix_record r = v4_record(0);
    bool templates;

    memset(&s, 0, sizeof(s));
    ipfix_encoder_init(&e, 1, collect, &s);
    for (int i = 0; i < 4; i++) {
        /* 0 s, 30 s, 59 s, 61 s */
        static const uint64_t at[4] = {0, 30000, 59000, 61000};

        r.end_ms = 1700000000000ULL + at[i];
        ipfix_encoder_add(&e, &r);
        ipfix_encoder_flush(&e);
    }
    ck_assert_uint_eq(s.n, 4);
    for (size_t i = 0; i < 4; i++) {
        walk_sets(s.msg[i], s.len[i], &templates);
        ck_assert_int_eq(templates, i == 0 || i == 3);
    }
}
END_TEST

/* IPv4 and IPv6 records in one message: a data set per run of one family. */
START_TEST(test_mixed_families)
{
    static struct sent s;
    struct ipfix_encoder e;
    struct ipfix_record r4 = v4_record(0), r6 = v4_record(1);
    const uint8_t *m;
    size_t at;
    bool templates;

    memset(&s, 0, sizeof(s));
    r6.family = 6;
    memcpy(r6.src, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
    ipfix_encoder_init(&e, 1, collect, &s);
    ipfix_encoder_add(&e, &r4);
    ipfix_encoder_add(&e, &r6);
    ipfix_encoder_add(&e, &r6);
    ipfix_encoder_add(&e, &r4);
    ipfix_encoder_flush(&e);
    ck_assert_uint_eq(s.n, 1);
    m = s.msg[0];
    ck_assert_uint_eq(walk_sets(m, s.len[0], &templates), 4);
    at = IPFIX_HEADER_LEN + get16(m + IPFIX_HEADER_LEN + 2);
    ck_assert_uint_eq(get16(m + at), IPFIX_TEMPLATE_V4);
    at += get16(m + at + 2);
    ck_assert_uint_eq(get16(m + at), IPFIX_TEMPLATE_V6);
    ck_assert_uint_eq(get16(m + at + 2), 4 + 2 * V6_LEN);
    ck_assert_mem_eq(m + at + 4, r6.src, 16);
    at += get16(m + at + 2);
    ck_assert_uint_eq(get16(m + at), IPFIX_TEMPLATE_V4);
}
END_TEST

/* Finds template `id` in a message's template set; NULL when absent. */
static const uint8_t *find_template(const uint8_t *m, uint16_t id)
{
    const uint8_t *set = m + IPFIX_HEADER_LEN, *t = set + 4;

    while (t < set + get16(set + 2)) {
        const uint8_t *f = t + 4;

        if (get16(t) == id)
            return t;
        for (uint16_t i = 0; i < get16(t + 2); i++)
            f += get16(f) & 0x8000 ? 8 : 4;
        t = f;
    }
    return NULL;
}

/* Whether template t has element `ie` (not a reverse one). */
static bool template_has(const uint8_t *t, uint16_t ie)
{
    const uint8_t *f = t + 4;

    for (uint16_t i = 0; i < get16(t + 2); i++) {
        if (get16(f) == ie)
            return true;
        f += get16(f) & 0x8000 ? 8 : 4;
    }
    return false;
}

/* ICMP goes by templates of its own: its message in icmpTypeCode, no ports, no TCP flags. */
START_TEST(test_icmp_template)
{
    static struct sent s;
    struct ipfix_encoder e;
    struct ipfix_record r = v4_record(0);
    const uint8_t *t4, *t6, *d;
    bool templates;

    memset(&s, 0, sizeof(s));
    ck_assert_uint_eq(ipfix_record_len(IPFIX_TEMPLATE_V4), V4_LEN);
    ck_assert_uint_eq(ipfix_record_len(IPFIX_TEMPLATE_V6), V6_LEN);
    ck_assert_uint_eq(ipfix_record_len(IPFIX_TEMPLATE_ICMP_V4), 63);
    ck_assert_uint_eq(ipfix_record_len(IPFIX_TEMPLATE_ICMP_V6), 87);
    ck_assert_uint_eq(ipfix_record_len(300), 0);
    r.proto = PS_IPPROTO_ICMP;
    r.src_port = r.dst_port = 0;
    r.tcp_flags[0] = r.tcp_flags[1] = 0;
    r.icmp_type_code = 8 << 8;
    ipfix_encoder_init(&e, 1, collect, &s);
    ipfix_encoder_add(&e, &r);
    ipfix_encoder_flush(&e);
    ck_assert_uint_eq(walk_sets(s.msg[0], s.len[0], &templates), 1);
    t4 = find_template(s.msg[0], IPFIX_TEMPLATE_ICMP_V4);
    t6 = find_template(s.msg[0], IPFIX_TEMPLATE_ICMP_V6);
    ck_assert_ptr_nonnull(t4);
    ck_assert_ptr_nonnull(t6);
    ck_assert(template_has(t4, 32) && !template_has(t4, 139));
    ck_assert(template_has(t6, 139) && !template_has(t6, 32));
    ck_assert(!template_has(t4, 7) && !template_has(t4, 11) && !template_has(t4, 6));
    ck_assert(template_has(find_template(s.msg[0], IPFIX_TEMPLATE_V4), 7));
    ck_assert(!template_has(find_template(s.msg[0], IPFIX_TEMPLATE_V4), 32));
    d = s.msg[0] + s.len[0] - 63;
    ck_assert_uint_eq(get16(d - 4), IPFIX_TEMPLATE_ICMP_V4);
    ck_assert_uint_eq(get16(d + 8), 8 << 8);
    ck_assert_uint_eq(d[10], PS_IPPROTO_ICMP);
}
END_TEST

/* A send that fails stops the encoder: nothing more is built or sent. */
START_TEST(test_send_failure_stops)
{
    static struct sent s;
    struct ipfix_encoder e;
    struct ipfix_record r = v4_record(0);

    memset(&s, 0, sizeof(s));
    s.refuse = true;
    ipfix_encoder_init(&e, 1, collect, &s);
    ck_assert_int_eq(ipfix_encoder_templates(&e), -1);
    ck_assert(e.failed);
    ck_assert_int_eq(ipfix_encoder_add(&e, &r), -1);
    ck_assert_int_eq(ipfix_encoder_flush(&e), -1);
}
END_TEST

/* A message of the templates alone, then the first data record counted from 0. */
START_TEST(test_templates_alone)
{
    static struct sent s;
    struct ipfix_encoder e;
    struct ipfix_record r = v4_record(0);
    bool templates;

    memset(&s, 0, sizeof(s));
    ipfix_encoder_init(&e, 1, collect, &s);
    ck_assert_int_eq(ipfix_encoder_templates(&e), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(walk_sets(s.msg[0], s.len[0], &templates), 0);
    ck_assert(templates);
    ipfix_encoder_add(&e, &r);
    ipfix_encoder_flush(&e);
    ck_assert_uint_eq(get32(s.msg[1] + 8), 0);
}
END_TEST

/* A TCP flow whose client is endpoint 1: forward is endpoint 1's address, counters and flags. */
static struct flow tcp_flow(void)
{
    struct flow f;

    memset(&f, 0, sizeof(f));
    f.key.family = 4;
    f.key.proto = PS_IPPROTO_TCP;
    memcpy(f.key.addr[0], "\x0a\x00\x00\x01", 4);
    memcpy(f.key.addr[1], "\x0a\x00\x00\x02", 4);
    f.key.port[0] = 80;
    f.key.port[1] = 50000;
    f.first_seen = (ps_time)1700000000 * 1000000000 + 1999999;
    f.last_seen = f.first_seen + 3000000;
    f.packets[0] = 4;
    f.packets[1] = 5;
    f.bytes[0] = 1000;
    f.bytes[1] = 700;
    f.ip_bytes[0] = 944;
    f.ip_bytes[1] = 630;
    f.tcp.flags[0] = PS_TCP_SYN | PS_TCP_ACK;
    f.tcp.flags[1] = PS_TCP_SYN | PS_TCP_ACK | PS_TCP_PSH;
    return f;
}

START_TEST(test_record_from_flow)
{
    struct flow f = tcp_flow();
    struct report_flow rf = {.client = 1, .reason = REPORT_ROLE_OPEN};
    struct ipfix_record r;

    ipfix_record_from_flow(&f, &rf, &r);
    ck_assert_uint_eq(r.family, 4);
    ck_assert_mem_eq(r.src, "\x0a\x00\x00\x02", 4);
    ck_assert_mem_eq(r.dst, "\x0a\x00\x00\x01", 4);
    ck_assert_uint_eq(r.src_port, 50000);
    ck_assert_uint_eq(r.dst_port, 80);
    ck_assert_uint_eq(r.start_ms, 1700000000001ULL); /* milliseconds, rounded down */
    ck_assert_uint_eq(r.end_ms, 1700000000004ULL);
    /* IP bytes, as IPFIX's octetDeltaCount counts them, not frame bytes. */
    ck_assert_uint_eq(r.octets[0], 630);
    ck_assert_uint_eq(r.octets[1], 944);
    ck_assert_uint_eq(r.packets[0], 5);
    ck_assert_uint_eq(r.packets[1], 4);
    ck_assert_uint_eq(r.tcp_flags[0], PS_TCP_SYN | PS_TCP_ACK | PS_TCP_PSH);
    ck_assert_uint_eq(r.tcp_flags[1], PS_TCP_SYN | PS_TCP_ACK);
    ck_assert_uint_eq(r.direction, 1);
    ck_assert_uint_eq(r.end_reason, IPFIX_END_FORCED);
    rf.reason = REPORT_ROLE_LOWER_PORT;
    f.first_seen = -5;
    ipfix_record_from_flow(&f, &rf, &r);
    ck_assert_uint_eq(r.direction, 0); /* the client guessed, not seen opening */
    ck_assert_uint_eq(r.start_ms, 0);
}
END_TEST

START_TEST(test_end_reasons)
{
    struct flow f = tcp_flow();

    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_FORCED);
    f.end = FLOW_END_IDLE;
    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_IDLE);
    f.end = FLOW_END_ACTIVE;
    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_ACTIVE);
    f.end = FLOW_END_CLOSED;
    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_DETECTED);
    /* Lasting to the end of the input, but closed by then: the end was seen. */
    f.end = FLOW_END_NONE;
    f.tcp.state[0] = f.tcp.state[1] = TCP_CLOSED;
    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_DETECTED);
    f.tcp.state[0] = TCP_ESTABLISHED;
    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_FORCED);
    f.tcp.state[1] = TCP_RESET;
    ck_assert_int_eq(ipfix_end_reason(&f), IPFIX_END_DETECTED);
}
END_TEST

START_TEST(test_icmp_records)
{
    struct flow f;
    struct report_flow rf = {.client = 0};
    struct ipfix_record r;

    memset(&f, 0, sizeof(f));
    f.key.family = 4;
    f.key.proto = PS_IPPROTO_ICMP;
    f.key.scope = PKT_SCOPE_ECHO << 12;
    f.key.port[0] = 777; /* the echo identifier: no port */
    f.packets[0] = 1;
    ipfix_record_from_flow(&f, &rf, &r);
    ck_assert_uint_eq(r.src_port, 0);
    ck_assert_uint_eq(r.dst_port, 0);
    ck_assert_uint_eq(r.icmp_type_code, 8 << 8); /* echo request */
    f.packets[0] = 0;                            /* only the reply was seen */
    ipfix_record_from_flow(&f, &rf, &r);
    ck_assert_uint_eq(r.icmp_type_code, 0);
    f.key.proto = PS_IPPROTO_ICMPV6;
    f.key.family = 6;
    f.packets[0] = 1;
    ipfix_record_from_flow(&f, &rf, &r);
    ck_assert_uint_eq(r.icmp_type_code, 128 << 8);
    f.key.scope = PKT_SCOPE_ICMP_OTHER << 12;
    f.key.port[0] = 135 << 8; /* neighbour solicitation */
    ipfix_record_from_flow(&f, &rf, &r);
    ck_assert_uint_eq(r.icmp_type_code, 135 << 8);
    ck_assert_uint_eq(r.src_port, 0);
}
END_TEST

START_TEST(test_parse_destination)
{
    static const struct {
        const char *arg, *host;
        uint16_t port;
    } good[] = {
        {"127.0.0.1:4739", "127.0.0.1", 4739},
        {"[::1]:9995", "::1", 9995},
        {"collector.example:1", "collector.example", 1},
        {"[fe80::1%lo]:65535", "fe80::1%lo", 65535},
    };
    static const char *const bad[] = {
        "127.0.0.1",    "127.0.0.1:",   "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:-1", "127.0.0.1:+4", "::1:4739",    "[::1:4739",
        "[]:4739",      ":4739",        "host:47x9",   "host:99999999999999999999",
    };
    char host[64], err[PS_ERRBUF_SIZE];
    uint16_t port;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_int_eq(
            export_parse_destination(good[i].arg, host, sizeof(host), &port, err, sizeof(err)), 0);
        ck_assert_str_eq(host, good[i].host);
        ck_assert_uint_eq(port, good[i].port);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(
            export_parse_destination(bad[i], host, sizeof(host), &port, err, sizeof(err)) == -1,
            "%s accepted", bad[i]);
        ck_assert_ptr_nonnull(strstr(err, bad[i]));
    }
}
END_TEST

static Suite *export_suite(void)
{
    Suite *suite = suite_create("export");
    TCase *encoder = tcase_create("encoder");
    TCase *records = tcase_create("records");
    TCase *destination = tcase_create("destination");

    tcase_add_test(encoder, test_first_message);
    tcase_add_test(encoder, test_messages_sequence_and_refresh);
    tcase_add_test(encoder, test_refresh_by_capture_time);
    tcase_add_test(encoder, test_mixed_families);
    tcase_add_test(encoder, test_icmp_template);
    tcase_add_test(encoder, test_send_failure_stops);
    tcase_add_test(encoder, test_templates_alone);
    suite_add_tcase(suite, encoder);
    tcase_add_test(records, test_record_from_flow);
    tcase_add_test(records, test_end_reasons);
    tcase_add_test(records, test_icmp_records);
    suite_add_tcase(suite, records);
    tcase_add_test(destination, test_parse_destination);
    suite_add_tcase(suite, destination);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, export_suite());
    return 0;
}
