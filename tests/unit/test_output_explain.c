/*
 * test_output_explain.c - the report in plain sentences (--explain): flows grouped by server
 * port, many servers grouped by port, the client lines, and the unusual flows, on reports built
 * over tables fed packet by packet.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "report.h"
#include "unit.h"

#define TCP PS_IPPROTO_TCP
#define UDP PS_IPPROTO_UDP

struct fixture {
    struct flow_table *table;
    struct analyze_input input;
    struct analyze_totals totals;
    struct report_settings settings;
    struct report report;
    struct output_explanation e;
};

static void setup(struct fixture *fx)
{
    char err[PS_ERRBUF_SIZE];

    memset(fx, 0, sizeof(*fx));
    fx->table = flow_table_new(0, 7, NULL);
    ck_assert_ptr_nonnull(fx->table);
    fx->input.path = "test.pcap";
    fx->input.format = "pcap";
    fx->input.complete = true;
    ck_assert_int_eq(ports_parse_ephemeral("linux", &fx->settings.ephemeral, err, sizeof(err)), 0);
}

static void teardown(struct fixture *fx)
{
    output_explain_release(&fx->e);
    report_release(&fx->report);
    flow_table_free(fx->table);
}

/* One IPv4 packet into the table, as the analyzer adds it, counted in the totals. */
static void packet(struct fixture *fx, uint8_t proto, const char *src, uint16_t sport,
                   const char *dst, uint16_t dport, uint8_t flags, ps_time ts)
{
    struct flow_packet fp = {ts, 100, false};
    struct pkt_info p;
    uint8_t sender;

    memset(&p, 0, sizeof(p));
    p.family = 4;
    p.proto = proto;
    p.tcp_flags = flags;
    p.hint = flags == PS_TCP_SYN                  ? PKT_HINT_OPEN
             : flags == (PS_TCP_SYN | PS_TCP_ACK) ? PKT_HINT_ACCEPT
                                                  : PKT_HINT_NONE;
    p.sport = sport;
    p.dport = dport;
    ck_assert_int_eq(inet_pton(AF_INET, src, p.src), 1);
    ck_assert_int_eq(inet_pton(AF_INET, dst, p.dst), 1);
    ck_assert_ptr_nonnull(flow_table_add_packet(fx->table, &p, &fp, &sender));
    if (fx->input.packets == 0)
        fx->input.first_seen = ts;
    fx->input.last_seen = ts;
    fx->input.packets++;
    fx->totals.packets++;
    fx->totals.flow_packets++;
}

/* A question and its answer over UDP. */
static void exchange(struct fixture *fx, const char *client, uint16_t cport, const char *server,
                     uint16_t sport, ps_time ts)
{
    packet(fx, UDP, client, cport, server, sport, 0, ts);
    packet(fx, UDP, server, sport, client, cport, 0, ts + 1000);
}

/* Builds the report and its explanation, and returns the paragraphs joined by newlines. */
static char *explain(struct fixture *fx)
{
    size_t len = 1;
    char *all;

    ck_assert_int_eq(
        report_build(&fx->report, &fx->input, 1, &fx->totals, &fx->settings, fx->table), 0);
    ck_assert_int_eq(output_explain_build(&fx->report, &fx->e), 0);
    for (size_t i = 0; i < fx->e.n; i++)
        len += strlen(fx->e.paras[i].text) + 3;
    all = calloc(1, len);
    ck_assert_ptr_nonnull(all);
    for (size_t i = 0; i < fx->e.n; i++) {
        strcat(all, fx->e.paras[i].item ? "- " : "");
        strcat(all, fx->e.paras[i].text);
        strcat(all, "\n");
    }
    return all;
}

#define assert_has(text, want)                                                                     \
    ck_assert_msg(strstr(text, want) != NULL, "missing: %s\nin:\n%s", want, text)
#define assert_lacks(text, no)                                                                     \
    ck_assert_msg(strstr(text, no) == NULL, "unexpected: %s\nin:\n%s", no, text)

/* Fourteen DNS queries to one server from fourteen ports: one line, not fourteen. */
START_TEST(test_groups_a_server_port)
{
    struct fixture fx;
    char *text;

    setup(&fx);
    for (uint16_t i = 0; i < 14; i++)
        exchange(&fx, "10.0.0.2", (uint16_t)(40000 + i * 7), "10.0.0.1", 53, (ps_time)i * 1000000);
    text = explain(&fx);
    assert_has(text, "The capture holds 28 packets");
    assert_has(text, "make up 14 conversations (flows) between 2 hosts: 14 UDP.");
    assert_has(text, "Conversations by service: 14 dns.");
    assert_has(text, "- 10.0.0.1 offered dns on port 53/udp (a well-known port): 14 "
                     "conversations, all with 10.0.0.2, from client ports 40000 to 40091.\n");
    assert_has(text, "- 10.0.0.2 was the client of 14 conversations, from 14 different ports "
                     "between 40000 and 40091: a new port for each. All of them are in the "
                     "ephemeral range in force (linux 32768-60999)");
    assert_lacks(text, "Worth a look");
    free(text);
    teardown(&fx);
}
END_TEST

/* Beyond eight servers, the lines are per port across servers, with the rest counted. */
START_TEST(test_many_servers_by_port)
{
    struct fixture fx;
    char server[32], *text;

    setup(&fx);
    for (int i = 0; i < 20; i++) {
        snprintf(server, sizeof(server), "192.0.2.%d", 10 + i);
        exchange(&fx, "10.0.0.2", (uint16_t)(50000 + i), server, 123, (ps_time)i * 1000000);
        exchange(&fx, "10.0.0.3", (uint16_t)(50000 + i), server, 123, (ps_time)i * 1000000 + 10);
    }
    for (int i = 0; i < 10; i++)
        exchange(&fx, "10.0.0.2", (uint16_t)(51000 + i), "192.0.2.200", (uint16_t)(7050 + i),
                 30000000);
    text = explain(&fx);
    assert_has(text, "- ntp on port 123/udp (a well-known port): 20 servers, 40 conversations "
                     "with 2 clients.\n");
    assert_has(text, "- Port 7050/udp, a registered port with no registered service: 1 server, "
                     "1 conversation with 1 client.\n");
    assert_has(text, "- And 3 more server ports with 3 conversations.\n");
    assert_lacks(text, "192.0.2.10 offered");
    free(text);
    teardown(&fx);
}
END_TEST

/* A refused connection, an unanswered one, and a client port below 1024. */
START_TEST(test_unusual)
{
    struct fixture fx;
    char *text;

    setup(&fx);
    packet(&fx, TCP, "10.0.0.2", 40000, "10.0.0.1", 81, PS_TCP_SYN, 1000);
    packet(&fx, TCP, "10.0.0.1", 81, "10.0.0.2", 40000, PS_TCP_RST | PS_TCP_ACK, 2000);
    packet(&fx, TCP, "10.0.0.2", 40001, "10.0.0.9", 80, PS_TCP_SYN, 3000);
    exchange(&fx, "10.0.0.2", 123, "10.0.0.1", 123, 4000);
    text = explain(&fx);
    assert_has(text, "Worth a look:\n");
    assert_has(text, "- 1 connection attempt was refused: the server answered the SYN with a "
                     "reset (REJ), so no program listened on the port: 1 to 10.0.0.1:81/tcp.\n");
    assert_has(text, "- 1 connection attempt got no answer at all (S0)");
    assert_has(text, ": 1 to 10.0.0.9:80/tcp.\n");
    assert_has(text, "- 1 conversation used a client port below 1024");
    assert_has(text, ": 10.0.0.2:123/udp to 10.0.0.1:123/udp.\n");
    /* Refused and unanswered ports are not servers that offered anything. */
    assert_lacks(text, "offered http");
    assert_lacks(text, "answered on port 81");
    free(text);
    teardown(&fx);
}
END_TEST

Suite *output_explain_suite(void)
{
    Suite *suite = suite_create("explain");
    TCase *tc = tcase_create("sentences");

    tcase_add_test(tc, test_groups_a_server_port);
    tcase_add_test(tc, test_many_servers_by_port);
    tcase_add_test(tc, test_unusual);
    suite_add_tcase(suite, tc);
    return suite;
}
