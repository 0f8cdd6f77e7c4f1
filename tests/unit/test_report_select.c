/*
 * test_report_select.c - unit tests for src/report/select.c and report_view.c: option values, which
 * flows a selection keeps, and the --sort/--top order of the view's rows.
 */
#include <arpa/inet.h>
#include "unit.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../../src/report/report_int.h"

START_TEST(test_parse_host)
{
    struct report_host h;
    char err[PS_ERRBUF_SIZE];
    uint8_t a[16];

    ck_assert_int_eq(report_parse_host("192.0.2.7", &h, err, sizeof(err)), 0);
    ck_assert_uint_eq(h.family, 4);
    ck_assert_uint_eq(h.prefix, 32);
    ck_assert_str_eq(h.text, "192.0.2.7");
    ck_assert_int_eq(report_parse_host("2001:db8::/33", &h, err, sizeof(err)), 0);
    ck_assert_uint_eq(h.family, 6);
    ck_assert_uint_eq(h.prefix, 33);
    inet_pton(AF_INET6, "2001:db8:7fff::1", a);
    ck_assert(report_host_matches(&h, 6, a));
    inet_pton(AF_INET6, "2001:db8:8000::1", a);
    ck_assert(!report_host_matches(&h, 6, a));
    ck_assert(!report_host_matches(&h, 4, a));
    ck_assert_int_eq(report_parse_host("0.0.0.0/0", &h, err, sizeof(err)), 0);
    inet_pton(AF_INET, "203.0.113.9", a);
    ck_assert(report_host_matches(&h, 4, a));
    ck_assert_int_eq(report_parse_host("10.0.0.0/8/8", &h, err, sizeof(err)), -1);
    ck_assert_int_eq(report_parse_host("10.0.0.0/", &h, err, sizeof(err)), -1);
    ck_assert_int_eq(report_parse_host("::1/129", &h, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "'::1/129': the prefix length must be 0 to 128");
    ck_assert_int_eq(report_parse_host("example.com", &h, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "'example.com' is not an IPv4 or IPv6 address");
}
END_TEST

START_TEST(test_parse_values)
{
    char err[PS_ERRBUF_SIZE];
    enum report_sort sort;
    uint16_t port;

    ck_assert_int_eq(report_parse_port("0", &port, err, sizeof(err)), 0);
    ck_assert_int_eq(report_parse_port("65535", &port, err, sizeof(err)), 0);
    ck_assert_uint_eq(port, 65535);
    ck_assert_int_eq(report_parse_port("+80", &port, err, sizeof(err)), -1);
    ck_assert_int_eq(report_parse_port("80x", &port, err, sizeof(err)), -1);
    ck_assert_int_eq(report_parse_sort("duration", &sort, err, sizeof(err)), 0);
    ck_assert_int_eq(sort, REPORT_SORT_DURATION);
    ck_assert_int_eq(report_parse_sort("Bytes", &sort, err, sizeof(err)), -1);
}
END_TEST

static struct flow_table *table;
static struct report_flow rfs[4];
static struct report report;

/* Four flows from 10.0.0.9: http, dns (udp), ssh, and one to port 40001, which has no name. */
static void setup(void)
{
    static const struct {
        uint8_t proto;
        uint16_t sport;
        uint64_t packets, bytes;
        ps_time first, last;
    } spec[4] = {
        {PS_IPPROTO_TCP, 80, 10, 500, 0, 30},
        {PS_IPPROTO_UDP, 53, 2, 900, 1, 2},
        {PS_IPPROTO_TCP, 22, 10, 100, 2, 90},
        {PS_IPPROTO_UDP, 40001, 40, 100, 3, 4},
    };

    table = flow_table_new(0, 1, NULL);
    ck_assert_ptr_nonnull(table);
    for (size_t i = 0; i < 4; i++) {
        struct flow_packet fp = {spec[i].first, 60, false};
        struct pkt_info p;
        struct flow *f;
        uint8_t client;

        memset(&p, 0, sizeof(p));
        p.family = 4;
        p.proto = spec[i].proto;
        inet_pton(AF_INET, "10.0.0.9", p.src);
        inet_pton(AF_INET, i == 3 ? "192.0.2.1" : "10.0.0.1", p.dst);
        p.sport = (uint16_t)(50000 + i);
        p.dport = spec[i].sport;
        f = flow_table_add_packet(table, &p, &fp, &client);
        ck_assert_ptr_nonnull(f);
        f->packets[client] = spec[i].packets;
        f->packets[!client] = 0;
        f->bytes[client] = 0;
        f->bytes[!client] = spec[i].bytes;
        f->last_seen = spec[i].last;
        rfs[i] = (struct report_flow){.flow = (uint32_t)i, .client = client, .id = (uint32_t)i + 1};
    }
    memset(&report, 0, sizeof(report));
    report.table = table;
    report.flows = rfs;
    report.n_flows = 4;
}

static void teardown(void)
{
    flow_table_free(table);
}

/* The ids of the flows `s` keeps, as a string "1,3". */
static void kept(const struct report_select *s, char *buf)
{
    buf[0] = '\0';
    report.settings.select = s;
    for (size_t i = 0; i < 4; i++) {
        struct flow f;

        if (report_flow_selected(&report, &rfs[i], report_flow_data(&report, &rfs[i], &f)))
            sprintf(buf + strlen(buf), "%s%" PRIu32, buf[0] ? "," : "", rfs[i].id);
    }
}

START_TEST(test_select_flows)
{
    struct report_select s = {0};
    struct report_host h;
    char err[PS_ERRBUF_SIZE], ids[64];

    ck_assert(!report_select_active(&s));
    kept(&s, ids);
    ck_assert_str_eq(ids, "1,2,3,4");
    ck_assert_int_eq(report_select_add_service(&s, "DNS"), 0);
    ck_assert(report_select_active(&s));
    kept(&s, ids);
    ck_assert_str_eq(ids, "2");
    /* Values of one option are alternatives. */
    ck_assert_int_eq(report_select_add_service(&s, "ssh"), 0);
    kept(&s, ids);
    ck_assert_str_eq(ids, "2,3");
    /* Options must all match. */
    ck_assert_int_eq(report_select_add_port(&s, 22), 0);
    kept(&s, ids);
    ck_assert_str_eq(ids, "3");
    report_select_release(&s);

    ck_assert_int_eq(report_select_add_port(&s, 50003), 0);
    kept(&s, ids);
    ck_assert_str_eq(ids, "4");
    report_select_release(&s);
    ck_assert_int_eq(report_parse_host("10.0.0.1", &h, err, sizeof(err)), 0);
    ck_assert_int_eq(report_select_add_host(&s, &h), 0);
    kept(&s, ids);
    ck_assert_str_eq(ids, "1,2,3");
    report_select_release(&s);
    ck_assert_ptr_null(s.hosts);
}
END_TEST

/* The ids of the view's rows under --sort `sort` and --top `top`, as a string "4,1,3". */
static void order_of(enum report_sort sort, size_t top, char *buf)
{
    report.settings.sort = sort;
    report.settings.top = top;
    ck_assert_int_eq(report_view_order(&report), 0);
    buf[0] = '\0';
    for (size_t k = 0; k < report.n_shown; k++)
        sprintf(buf + strlen(buf), "%s%" PRIu32, k ? "," : "", report_shown(&report, k)->id);
    free(report.order);
    report.order = NULL;
}

START_TEST(test_order)
{
    char ids[64];

    order_of(REPORT_SORT_START, 0, ids);
    ck_assert_str_eq(ids, "1,2,3,4");
    order_of(REPORT_SORT_START, 2, ids);
    ck_assert_str_eq(ids, "1,2");
    /* Largest first; the tie between flows 1 and 3 keeps first-seen order. */
    order_of(REPORT_SORT_PACKETS, 0, ids);
    ck_assert_str_eq(ids, "4,1,3,2");
    order_of(REPORT_SORT_BYTES, 3, ids);
    ck_assert_str_eq(ids, "2,1,3");
    order_of(REPORT_SORT_DURATION, 10, ids);
    ck_assert_str_eq(ids, "3,1,2,4");
}
END_TEST

Suite *report_select_suite(void)
{
    Suite *suite = suite_create("select");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_parse_host);
    tcase_add_test(tc, test_parse_values);
    tcase_add_test(tc, test_select_flows);
    tcase_add_test(tc, test_order);
    suite_add_tcase(suite, tc);
    return suite;
}
