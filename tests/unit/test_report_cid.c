/*
 * test_report_cid.c - the flows' Community ID (report_community_id.c): each flow's value must be
 * the one the specification gives each of its packets. Packets are built byte by byte as raw IPv4,
 * decoded and added to a flow table as the analyzer would; the per-packet value comes from
 * report_community_id() on the packet's own tuple, which test_report_vectors holds to the
 * specification's baseline.
 */
#include <arpa/inet.h>
#include <string.h>

#include "unit.h"
#include "decode.h"
#include "flow.h"
#include "report.h"

#define ICMP 1
#define TCP  6
#define RSVP 46

/* One packet: its tuple as the specification reads it (for ICMP: type and code). */
struct cid_pkt {
    uint8_t proto;
    const char *src, *dst;
    uint16_t sport, dport; /* ports, or ICMP type and code */
    uint16_t icmp_id;
};

static size_t build_ipv4(const struct cid_pkt *p, uint8_t *b)
{
    size_t l4 = p->proto == TCP ? 20 : p->proto == ICMP ? 8 : 4;
    size_t len = 20 + l4;

    memset(b, 0, len);
    b[0] = 0x45;
    b[2] = (uint8_t)(len >> 8);
    b[3] = (uint8_t)len;
    b[8] = 64;
    b[9] = p->proto;
    ck_assert_int_eq(inet_pton(AF_INET, p->src, b + 12), 1);
    ck_assert_int_eq(inet_pton(AF_INET, p->dst, b + 16), 1);
    if (p->proto == TCP) {
        b[20] = (uint8_t)(p->sport >> 8);
        b[21] = (uint8_t)p->sport;
        b[22] = (uint8_t)(p->dport >> 8);
        b[23] = (uint8_t)p->dport;
        b[32] = 5 << 4;
        b[33] = 0x10; /* ACK */
    } else if (p->proto == ICMP) {
        b[20] = (uint8_t)p->sport;
        b[21] = (uint8_t)p->dport;
        b[24] = (uint8_t)(p->icmp_id >> 8);
        b[25] = (uint8_t)p->icmp_id;
    }
    return len;
}

static void expected(const struct cid_pkt *p, uint16_t seed, bool hex, char *out)
{
    uint8_t src[16] = {0}, dst[16] = {0};
    struct report_cid_tuple t = {4, p->proto, src, dst, p->sport, p->dport};

    inet_pton(AF_INET, p->src, src);
    inet_pton(AF_INET, p->dst, dst);
    if (p->proto != TCP && p->proto != ICMP)
        t.sport = t.dport = 0;
    report_community_id(&t, seed, hex, out);
}

/* Packet `p`, the table's `i`th (at i + 1 us), built, decoded and added to `t`: its flow. */
static const struct flow *add_cid_pkt(struct flow_table *t, const struct cid_pkt *p, size_t i)
{
    uint8_t bytes[64];
    size_t len = build_ipv4(p, bytes);
    struct pkt_info info;
    struct flow_packet fp = {(ps_time)(i + 1) * 1000, (uint32_t)len, false};
    uint8_t sender;
    const struct flow *f;

    ck_assert_int_eq(decode_packet(NULL, PS_DLT_RAW, bytes, len, &info), PS_SKIP_NONE);
    f = flow_table_add_packet(t, &info, &fp, &sender);
    ck_assert_ptr_nonnull(f);
    return f;
}

/*
 * Adds the packets to a new table; they must make exactly one flow, whose Community ID (with
 * `seed`, `hex`) must be each packet's.
 */
static void assert_one_flow(const struct cid_pkt *pkts, size_t n, uint16_t seed, bool hex)
{
    struct flow_table *t = flow_table_new(0, 7, NULL);
    const struct flow *f = NULL;
    char got[REPORT_COMMUNITY_ID_LEN], want[REPORT_COMMUNITY_ID_LEN];

    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < n; i++)
        f = add_cid_pkt(t, &pkts[i], i);
    ck_assert_uint_eq(flow_table_count(t), 1);
    report_flow_community_id(f, seed, hex, got);
    for (size_t i = 0; i < n; i++) {
        expected(&pkts[i], seed, hex, want);
        ck_assert_msg(strcmp(got, want) == 0, "packet %zu: flow %s, packet %s", i, got, want);
    }
    flow_table_free(t);
}

START_TEST(test_cid_equal_addresses)
{
    /* One host to itself: the ports alone order the tuple, both ways. */
    const struct cid_pkt p[] = {{TCP, "10.0.0.1", "10.0.0.1", 40000, 80, 0},
                                {TCP, "10.0.0.1", "10.0.0.1", 80, 40000, 0}};
    const struct cid_pkt q[] = {{TCP, "10.0.0.1", "10.0.0.1", 80, 40000, 0}};

    char got[REPORT_COMMUNITY_ID_LEN];

    assert_one_flow(p, 2, 0, false);
    assert_one_flow(q, 1, 0, false);
    assert_one_flow(p, 2, 1, true);
    /* The lower port first (the specification's bytes hashed by Python's hashlib). */
    expected(&p[1], 0, false, got);
    ck_assert_str_eq(got, "1:VSepksiL0eg8U15xNTOfjO9fI8M=");
}
END_TEST

START_TEST(test_cid_ordering)
{
    /* The higher address first, and seeds 0 and 1, in both renderings. */
    const struct cid_pkt p[] = {{TCP, "192.0.2.9", "192.0.2.1", 443, 50000, 0},
                                {TCP, "192.0.2.1", "192.0.2.9", 50000, 443, 0}};

    assert_one_flow(p, 2, 0, false);
    assert_one_flow(p, 2, 1, false);
    assert_one_flow(p, 2, 0, true);
    assert_one_flow(p, 1, 65535, false);
}
END_TEST

START_TEST(test_cid_echo)
{
    /* Request and reply meet; the identifier is not hashed; identifier 0, where the key cannot
     * tell the requester, and a flow of replies only; a host pinging itself. */
    const struct cid_pkt both[] = {{ICMP, "192.0.2.9", "192.0.2.1", 8, 0, 77},
                                   {ICMP, "192.0.2.1", "192.0.2.9", 0, 0, 77}};
    const struct cid_pkt zero[] = {{ICMP, "192.0.2.9", "192.0.2.1", 8, 0, 0},
                                   {ICMP, "192.0.2.1", "192.0.2.9", 0, 0, 0}};
    const struct cid_pkt reply[] = {{ICMP, "192.0.2.1", "192.0.2.9", 0, 0, 0}};
    const struct cid_pkt reply_hi[] = {{ICMP, "192.0.2.9", "192.0.2.1", 0, 0, 0}};
    const struct cid_pkt self[] = {{ICMP, "192.0.2.5", "192.0.2.5", 8, 0, 3},
                                   {ICMP, "192.0.2.5", "192.0.2.5", 0, 0, 3}};

    assert_one_flow(both, 2, 0, false);
    assert_one_flow(zero, 2, 0, false);
    assert_one_flow(reply, 1, 0, false);
    assert_one_flow(reply_hi, 1, 0, false);
    assert_one_flow(self, 2, 0, false);
}
END_TEST

START_TEST(test_cid_icmp_messages)
{
    /* Timestamp request (13, a counterpart type): the reply's type is hashed, not the code. */
    const struct cid_pkt tstamp[] = {{ICMP, "192.0.2.9", "192.0.2.1", 13, 0, 1},
                                     {ICMP, "192.0.2.9", "192.0.2.1", 13, 0, 2}};
    const struct cid_pkt tstamp_reply[] = {{ICMP, "192.0.2.1", "192.0.2.9", 14, 0, 1}};
    /* One-way types: the sender first, whatever the order of the addresses; the code hashed. An
     * error whose quote cannot be read (none here) is such a message. */
    const struct cid_pkt unreach[] = {{ICMP, "192.0.2.9", "192.0.2.1", 3, 1, 0}};
    const struct cid_pkt redirect[] = {{ICMP, "192.0.2.1", "192.0.2.9", 5, 1, 0}};
    char a[REPORT_COMMUNITY_ID_LEN], b[REPORT_COMMUNITY_ID_LEN];

    assert_one_flow(tstamp, 2, 0, false);
    assert_one_flow(tstamp_reply, 1, 0, false);
    assert_one_flow(unreach, 1, 0, false);
    assert_one_flow(redirect, 1, 0, false);
    /* The request and its reply, two flows here, share their Community ID. */
    expected(&tstamp[0], 0, false, a);
    expected(&tstamp_reply[0], 0, false, b);
    ck_assert_str_eq(a, b);
    /* One-way from the higher address: not reordered (the specification's bytes hashed by
     * Python's hashlib; the baseline's one-way records all come from the lower address). */
    expected(&unreach[0], 0, false, a);
    ck_assert_str_eq(a, "1:gzgX6ZXASSRDkTttRDIftg5zyuc=");
}
END_TEST

START_TEST(test_cid_no_ports)
{
    /* RSVP has no ports: addresses and protocol only, both ways alike. */
    const struct cid_pkt p[] = {{RSVP, "10.1.12.1", "10.1.12.2", 0, 0, 0},
                                {RSVP, "10.1.12.2", "10.1.12.1", 0, 0, 0}};
    char got[REPORT_COMMUNITY_ID_LEN];
    uint8_t src[16] = {10, 1, 12, 1}, dst[16] = {10, 1, 12, 2};
    struct report_cid_tuple t = {4, RSVP, src, dst, 1, 2};

    assert_one_flow(p, 2, 0, false);
    /* Ports given for such a protocol are not hashed: the specification's RSVP value. */
    ck_assert_str_eq(report_community_id(&t, 0, false, got), "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=");
}
END_TEST

/* Two flows' IDs made at once are each flow's own, for every pair of flows of several kinds
 * (TCP either way, ICMP echo and other messages, no ports), either format, two seeds. */
START_TEST(test_cid_two_at_once)
{
    const struct cid_pkt p[] = {
        {TCP, "10.0.0.1", "10.0.0.2", 40000, 443, 0},  {TCP, "10.0.0.9", "10.0.0.2", 80, 51515, 0},
        {TCP, "192.168.1.1", "10.0.0.2", 22, 22, 0},   {ICMP, "10.0.0.1", "10.0.0.3", 8, 0, 77},
        {ICMP, "10.0.0.4", "10.0.0.1", 3, 3, 0},       {RSVP, "10.1.12.2", "10.1.12.1", 0, 0, 0},
        {TCP, "172.16.0.5", "172.16.0.4", 65535, 1, 0}};
    size_t n = sizeof(p) / sizeof(p[0]);
    struct flow_table *t = flow_table_new(0, 7, NULL);

    for (size_t i = 0; i < n; i++)
        add_cid_pkt(t, &p[i], i);
    ck_assert_uint_eq(flow_table_count(t), n);
    for (int form = 0; form < 4; form++) {
        uint16_t seed = form & 1 ? 7 : 0;
        bool hex = form >= 2;

        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                struct flow fi, fj;
                const struct flow *a = flow_table_get(t, i, &fi), *b = flow_table_get(t, j, &fj);
                char two[2][REPORT_COMMUNITY_ID_LEN], one[REPORT_COMMUNITY_ID_LEN];

                report_flow_community_id2(a, b, seed, hex, two);
                ck_assert_str_eq(two[0], report_flow_community_id(a, seed, hex, one));
                ck_assert_str_eq(two[1], report_flow_community_id(b, seed, hex, one));
            }
        }
    }
    flow_table_free(t);
}
END_TEST

Suite *report_cid_suite(void)
{
    Suite *suite = suite_create("community-id");
    TCase *tc = tcase_create("flows");

    tcase_add_test(tc, test_cid_equal_addresses);
    tcase_add_test(tc, test_cid_ordering);
    tcase_add_test(tc, test_cid_echo);
    tcase_add_test(tc, test_cid_icmp_messages);
    tcase_add_test(tc, test_cid_no_ports);
    tcase_add_test(tc, test_cid_two_at_once);
    suite_add_tcase(suite, tc);
    return suite;
}
