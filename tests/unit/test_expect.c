/*
 * test_expect.c - unit tests for src/expect/expect.c: the grammar, its error messages with their
 * columns, and the evaluation of each kind of expectation over a hand-built report.
 */
#include <arpa/inet.h>
#include "unit.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"

#define ERRLEN 1024

/* Parses one expression into a fresh list; returns expect_add's result, err filled. */
static int parse_one(const char *text, char *err)
{
    struct expect_list *l = expect_list_new();
    int rc;

    ck_assert_ptr_nonnull(l);
    err[0] = '\0';
    rc = expect_add(l, text, "--expect", err, ERRLEN);
    ck_assert_uint_eq(expect_count(l), rc == 0 ? 1 : 0);
    expect_list_free(l);
    return rc;
}

/* Asserts a syntax error whose first line is exactly `first_line`. */
static void assert_error(const char *text, const char *first_line)
{
    char err[ERRLEN];

    ck_assert_int_eq(parse_one(text, err), -1);
    ck_assert_msg(strncmp(err, first_line, strlen(first_line)) == 0 &&
                      err[strlen(first_line)] == '\n',
                  "for '%s': got \"%s\", expected first line \"%s\"", text, err, first_line);
}

START_TEST(test_parse_valid)
{
    static const char *const ok[] = {
        "packets > 0",
        "flows.tcp >= 3",
        "flows.tcp>=3",
        "flows == 8",
        "flows.total = 8",
        "skipped.truncated == 0",
        "skipped.non_ip != 4",
        "skipped.invalid < 1",
        "skipped.bytes <= 99",
        "filtered == 0",
        "in_flows.packets > 1",
        "services >= 1",
        "service http",
        "service DNS",
        "no service telnet",
        "port 443",
        "no port 23",
        "host 10.0.0.5",
        "host 2001:db8::/32",
        "no host 192.0.2.0/24",
        "state REJ",
        "no state s0",
        "client-ports in linux",
        "client-ports in 1024-5000",
        "  flows.udp   >   0  ",
        "fragments.evicted == 0",
        "flows.shown >= 1",
        "clients == 1",
        "app ssh",
        "app TLS on port 443",
        "no app http on port 8080",
        "port-mismatch",
        "no port-mismatch",
    };
    char err[ERRLEN];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        ck_assert_msg(parse_one(ok[i], err) == 0, "'%s' refused: %s", ok[i], err);
}
END_TEST

START_TEST(test_parse_errors)
{
    assert_error("", "column 1: empty expectation");
    assert_error("flowz > 1", "column 1: unknown counter or check 'flowz' (checks: service, port, "
                              "host, state, client-ports, app, port-mismatch; counters: see "
                              "portscope(1))");
    assert_error("flows.tcp >> 3",
                 "column 11: expected a comparison (==, !=, <, <=, >, >=), found '>>'");
    assert_error("flows.tcp", "column 11: expected a comparison (==, !=, <, <=, >, >=) after "
                              "'flows.tcp'");
    assert_error("flows.tcp >=", "column 14: expected a number after '>='");
    assert_error("flows.tcp >= three", "column 14: expected a number, found 'three'");
    assert_error("flows.tcp >= 3 4", "column 16: unexpected '4' after the end of the expectation");
    assert_error("no flows > 1", "column 4: expected service, port, host, state, app or "
                                 "port-mismatch after 'no'");
    assert_error("no", "column 4: expected service, port, host, state, app or port-mismatch after "
                       "'no'");
    assert_error("app", "column 5: expected a protocol (http, tls, ssh, dns, quic, smtp, ftp, "
                        "pop3, imap, rdp) after 'app'");
    assert_error("app gopher", "column 5: unknown protocol 'gopher' (known: http, tls, ssh, dns, "
                               "quic, smtp, ftp, pop3, imap, rdp)");
    assert_error("app ssh at port 22", "column 9: expected 'on port N' or the end after 'app ssh'");
    assert_error("app ssh on", "column 12: expected 'port N' after 'on'");
    assert_error("app ssh on host 22", "column 12: expected 'port N' after 'on'");
    assert_error("app ssh on port", "column 17: expected 'port N' after 'on'");
    assert_error("app ssh on port 99999",
                 "column 17: '99999' is not a port number from 0 to 65535");
    assert_error("port-mismatch 3", "column 15: unexpected '3' after the end of the expectation");
    assert_error("service", "column 9: expected a service name after 'service'");
    assert_error("port 70000", "column 6: '70000' is not a port number from 0 to 65535");
    assert_error("no host 10.0.0.256", "column 9: '10.0.0.256' is not an IPv4 or IPv6 address");
    assert_error("state XX", "column 7: unknown connection state 'XX' (known: S0, S1, SF, REJ, S2, "
                             "S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH)");
    assert_error("client-ports linux", "column 14: expected 'in' after 'client-ports'");
    assert_error("client-ports in", "column 17: expected a profile (linux, windows, ...) or LO-HI "
                                    "after 'in'");
    assert_error("skipped.bogus > 0", "column 1: unknown counter or check 'skipped.bogus' (checks: "
                                      "service, port, host, state, client-ports, app, "
                                      "port-mismatch; counters: see portscope(1))");
}
END_TEST

START_TEST(test_error_caret)
{
    char err[ERRLEN];

    ck_assert_int_eq(parse_one("flows.tcp >> 3", err), -1);
    ck_assert_str_eq(err, "column 11: expected a comparison (==, !=, <, <=, >, >=), found '>>'\n"
                          "  flows.tcp >> 3\n"
                          "            ^");
    /* A tab before the column stays a tab, so the caret lines up under it. */
    ck_assert_int_eq(parse_one("\tport x", err), -1);
    ck_assert_str_eq(err, "column 7: 'x' is not a port number from 0 to 65535\n"
                          "  \tport x\n"
                          "  \t     ^");
}
END_TEST

START_TEST(test_file)
{
    char path[] = "/tmp/test_expect_XXXXXX", err[ERRLEN];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct expect_list *l = expect_list_new();

    ck_assert_ptr_nonnull(f);
    fputs("# checks for lab 3\n\nflows.tcp >= 3   # three connections\n  service http\n"
          "no port 23#not a comment start\n",
          f);
    fclose(f);
    /* '#' only starts a comment at the start of a line or after a blank. */
    ck_assert_int_eq(expect_add_file(l, path, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, ":5: column 9: '23#not' is not a port number") != NULL, "got \"%s\"",
                  err);
    expect_list_free(l);

    f = fopen(path, "w");
    fputs("# checks for lab 3\n\nflows.tcp >= 3   # three connections\n  service http\n", f);
    fclose(f);
    l = expect_list_new();
    ck_assert_int_eq(expect_add_file(l, path, err, sizeof(err)), 0);
    ck_assert_uint_eq(expect_count(l), 2);
    expect_list_free(l);
    unlink(path);

    l = expect_list_new();
    ck_assert_int_eq(expect_add_file(l, "/nonexistent/checks", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "cannot read '/nonexistent/checks': No such file or directory");
    expect_list_free(l);
}
END_TEST

/* A report of three flows, built by hand over a table: what expect.c reads of it. */
struct fixture {
    struct flow_table *table;
    struct report_flow rf[3];
    struct analyze_input input;
    struct report r;
};

/* The service comes from the registry, by the server port. */
static void add_flow(struct fixture *fx, size_t i, uint8_t proto, const char *client,
                     uint16_t cport, const char *server, uint16_t sport, uint8_t state, uint8_t app)
{
    struct flow_packet fp = {(ps_time)i, 60, false};
    struct pkt_info p;
    struct flow *f;
    uint8_t sender;

    memset(&p, 0, sizeof(p));
    p.family = 4;
    p.proto = proto;
    inet_pton(AF_INET, client, p.src);
    inet_pton(AF_INET, server, p.dst);
    p.sport = cport;
    p.dport = sport;
    f = flow_table_add_packet(fx->table, &p, &fp, &sender);
    ck_assert_ptr_nonnull(f);
    /* Both sides' first bytes showed `app`. */
    f->app = (uint8_t)(app | app << 4);
    fx->rf[i] = (struct report_flow){
        .flow = (uint32_t)i, .client = sender, .id = (uint32_t)(i * 2 + 1), .conn_state = state};
}

static void fixture_init(struct fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->table = flow_table_new(0, 1, NULL);
    ck_assert_ptr_nonnull(fx->table);
    add_flow(fx, 0, PS_IPPROTO_TCP, "10.0.0.5", 40000, "10.0.0.1", 80, FLOW_CONN_SF, APP_HTTP);
    add_flow(fx, 1, PS_IPPROTO_TCP, "10.0.0.5", 40001, "10.0.0.1", 23, FLOW_CONN_REJ, APP_SSH);
    add_flow(fx, 2, PS_IPPROTO_UDP, "10.0.0.6", 3000, "10.0.0.1", 53, FLOW_CONN_NONE, APP_DNS);
    fx->input.filtered_packets = 7;
    fx->r.inputs = &fx->input;
    fx->r.n_inputs = 1;
    fx->r.table = fx->table;
    fx->r.flows = fx->rf;
    fx->r.n_flows = 3;
    fx->r.n_flows_all = 5;
    fx->r.flows_tcp = 3;
    fx->r.flows_udp = 2;
    fx->r.n_services = 2;
    fx->r.n_clients = 3;
    /* Every counter a value of its own, so that reading one for another shows. */
    fx->r.totals.packets = 100;
    fx->r.totals.bytes = 6400;
    fx->r.totals.flow_packets = 69;
    fx->r.totals.flow_bytes = 4500;
    fx->r.totals.fragments_evicted = 9;
    fx->r.totals.skipped_packets[PS_SKIP_TRUNC_LINK] = 1;
    fx->r.totals.skipped_packets[PS_SKIP_TRUNC_TRANSPORT] = 2;
    fx->r.totals.skipped_packets[PS_SKIP_INVALID_NETWORK] = 4;
    fx->r.totals.skipped_packets[PS_SKIP_NON_IP] = 8;
    fx->r.totals.skipped_packets[PS_SKIP_INVALID_TRANSPORT] = 16;
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        fx->r.totals.skipped_bytes[i] = 60 * fx->r.totals.skipped_packets[i];
}

/* Evaluates one expression against the fixture; *found gets the text. */
static bool holds(const char *text, char *found)
{
    struct fixture fx;
    struct expect_list *l = expect_list_new();
    struct report_expectation res;
    char err[ERRLEN];

    fixture_init(&fx);
    ck_assert_msg(expect_add(l, text, "--expect", err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(expect_evaluate(l, &fx.r, &res), res.holds ? 0 : 1);
    ck_assert_str_eq(res.expression, text);
    ck_assert_str_eq(res.source, "--expect");
    strcpy(found, res.found);
    expect_list_free(l);
    flow_table_free(fx.table);
    return res.holds;
}

START_TEST(test_counters)
{
    char found[PS_ERRBUF_SIZE];

    ck_assert(holds("packets == 100", found));
    ck_assert_str_eq(found, "100");
    ck_assert(!holds("packets > 100", found));
    ck_assert(holds("flows == 5", found));
    ck_assert(holds("flows.shown == 3", found));
    ck_assert(holds("flows.tcp >= 3", found));
    ck_assert(!holds("flows.tcp < 3", found));
    ck_assert(holds("flows.udp != 3", found));
    ck_assert(holds("skipped == 31", found));
    ck_assert(holds("skipped.packets == 31", found));
    ck_assert(holds("skipped.bytes == 1860", found));
    ck_assert(holds("skipped.truncated == 3", found));
    ck_assert(holds("skipped.invalid == 20", found));
    ck_assert(holds("skipped.non_ip == 8", found));
    ck_assert(holds("skipped.truncated_transport <= 2", found));
    ck_assert(holds("filtered == 7", found));
    ck_assert(holds("bytes == 6400", found));
    ck_assert(holds("in_flows.packets == 69", found));
    ck_assert(holds("in_flows.bytes == 4500", found));
    ck_assert(holds("services == 2", found));
    ck_assert(holds("clients == 3", found));
    ck_assert(holds("fragments.evicted == 9", found));
}
END_TEST

START_TEST(test_presence)
{
    char found[PS_ERRBUF_SIZE];

    ck_assert(holds("service http", found));
    ck_assert_str_eq(found, "1 flow: #1");
    ck_assert(holds("service dns", found));
    ck_assert(holds("service Domain", found));
    ck_assert(!holds("no service telnet", found));
    ck_assert_str_eq(found, "1 flow: #3");
    ck_assert(!holds("service ssh", found));
    ck_assert_str_eq(found, "no such flow");
    ck_assert(holds("no service ssh", found));
    ck_assert(holds("port 40001", found));
    ck_assert(!holds("no port 23", found));
    ck_assert(holds("host 10.0.0.1", found));
    ck_assert_str_eq(found, "3 flows: #1, #3, #5");
    ck_assert(holds("host 10.0.0.0/29", found));
    ck_assert(holds("no host 10.0.1.0/24", found));
    ck_assert(holds("state REJ", found));
    ck_assert(holds("no state S0", found));
    ck_assert(!holds("no state sf", found));
}
END_TEST

/* app PROTOCOL [on port N] and port-mismatch: SSH on 23 (telnet) is the one mismatch. */
START_TEST(test_app)
{
    char found[PS_ERRBUF_SIZE];

    ck_assert(holds("app ssh", found));
    ck_assert_str_eq(found, "1 flow: #3");
    ck_assert(holds("app SSH on port 23", found));
    ck_assert(!holds("app ssh on port 22", found));
    ck_assert_str_eq(found, "no such flow");
    /* The server's port, not the client's. */
    ck_assert(!holds("app http on port 40000", found));
    ck_assert(holds("app dns on port 53", found));
    ck_assert(holds("no app tls", found));
    ck_assert(!holds("no app http", found));
    ck_assert(holds("port-mismatch", found));
    ck_assert_str_eq(found, "1 flow: #3");
    ck_assert(!holds("no port-mismatch", found));
    ck_assert_str_eq(found, "1 flow: #3");
}
END_TEST

/*
 * Every conn_state the flow module names is a state "state" accepts, in any case, and it finds
 * the flows the report keeps with that state and no others.
 */
START_TEST(test_every_conn_state)
{
    for (uint8_t s = FLOW_CONN_NONE + 1; s < FLOW_CONN__COUNT; s++) {
        const char *name = flow_tcp_conn_state_name(s);
        struct expect_list *l = expect_list_new();
        struct report_expectation res[2];
        char text[2][32], err[ERRLEN];
        struct fixture fx;

        ck_assert_ptr_nonnull(name);
        snprintf(text[0], sizeof(text[0]), "state %s", name);
        for (size_t i = 0; i < sizeof(text[1]); i++)
            text[1][i] = (char)tolower((unsigned char)text[0][i]);
        fixture_init(&fx);
        fx.rf[0].conn_state = s;
        fx.rf[1].conn_state = s == FLOW_CONN_OTH ? FLOW_CONN_S0 : s + 1;
        for (size_t i = 0; i < 2; i++)
            ck_assert_msg(expect_add(l, text[i], "--expect", err, sizeof(err)) == 0, "%s", err);
        ck_assert_uint_eq(expect_evaluate(l, &fx.r, res), 0);
        ck_assert_str_eq(res[0].found, "1 flow: #1");
        ck_assert_str_eq(res[1].found, "1 flow: #1");
        expect_list_free(l);
        flow_table_free(fx.table);
    }
}
END_TEST

START_TEST(test_client_ports)
{
    char found[PS_ERRBUF_SIZE];

    ck_assert(holds("client-ports in 3000-40001", found));
    ck_assert_str_eq(found, "3 client ports, all inside 3000-40001");
    ck_assert(!holds("client-ports in linux", found));
    ck_assert_str_eq(found, "1 of 3 client ports outside 32768-60999: 10.0.0.6:3000 (#5)");
}
END_TEST

Suite *expect_suite(void)
{
    Suite *suite = suite_create("expect");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_parse_valid);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_error_caret);
    tcase_add_test(tc, test_file);
    tcase_add_test(tc, test_counters);
    tcase_add_test(tc, test_presence);
    tcase_add_test(tc, test_app);
    tcase_add_test(tc, test_every_conn_state);
    tcase_add_test(tc, test_client_ports);
    suite_add_tcase(suite, tc);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, expect_suite());
    return 0;
}
