/*
 * test_report.c - unit tests for src/report/: the client/server role ladder one rung at a time,
 * the services and client-host tables, flow order, times; and of src/output/: the JSON writer's
 * shape and bytes, and the text writer.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream, mkstemp, fdopen */
#endif

#include <arpa/inet.h>
#include "unit.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "output.h"
#include "report.h"
#include "../../src/report/report_int.h"

#define TCP PS_IPPROTO_TCP
#define UDP PS_IPPROTO_UDP
#define GRE 47

#define SYN    PS_TCP_SYN
#define SYNACK (PS_TCP_SYN | PS_TCP_ACK)
#define ACK    PS_TCP_ACK

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* A table, its input and totals, and the report built over them. */
struct fixture {
    struct flow_table *table;
    struct analyze_input input;
    struct analyze_totals totals;
    struct report_settings settings;
    struct report report;
};

static void fixture_init(struct fixture *fx, const char *ephemeral)
{
    char err[PS_ERRBUF_SIZE];

    memset(fx, 0, sizeof(*fx));
    fx->table = flow_table_new(0, 42, NULL);
    ck_assert_ptr_nonnull(fx->table);
    fx->input.path = "test.pcap";
    fx->input.format = "pcap";
    fx->input.linktypes[0] = 1;
    fx->input.n_linktypes = 1;
    fx->input.complete = true;
    if (strcmp(ephemeral, ports_ephemeral_auto.name) == 0)
        fx->settings.ephemeral = ports_ephemeral_auto;
    else
        ck_assert_msg(ports_parse_ephemeral(ephemeral, &fx->settings.ephemeral, err, sizeof(err)) ==
                          0,
                      "%s", err);
}

static void fixture_free(struct fixture *fx)
{
    report_release(&fx->report);
    flow_table_free(fx->table);
}

static void parse_addr(uint8_t family, const char *text, uint8_t *out)
{
    memset(out, 0, 16);
    ck_assert_int_eq(inet_pton(family == 6 ? AF_INET6 : AF_INET, text, out), 1);
}

/* What the decoder concludes from TCP flags: SYN opens, SYN+ACK accepts. */
static uint8_t tcp_hint(uint8_t proto, uint8_t flags)
{
    if (proto != TCP)
        return PKT_HINT_NONE;
    switch (flags & SYNACK) {
    case SYN:
        return PKT_HINT_OPEN;
    case SYNACK:
        return PKT_HINT_ACCEPT;
    default:
        return PKT_HINT_NONE;
    }
}

/* Adds one packet to the table, as the analyzer would, and counts it in the totals. */
static void send_pkt(struct fixture *fx, uint8_t proto, const char *src, uint16_t sport,
                     const char *dst, uint16_t dport, uint8_t flags, ps_time ts, uint32_t len)
{
    struct flow_packet fp = {ts, len, false};
    struct pkt_info p;
    uint8_t sender;

    memset(&p, 0, sizeof(p));
    p.family = strchr(src, ':') != NULL ? 6 : 4;
    p.proto = proto;
    p.tcp_flags = flags;
    p.hint = tcp_hint(proto, flags);
    p.sport = sport;
    p.dport = dport;
    parse_addr(p.family, src, p.src);
    parse_addr(p.family, dst, p.dst);
    ck_assert_ptr_nonnull(flow_table_add_packet(fx->table, &p, &fp, &sender));
    if (fx->input.packets == 0 || ts < fx->input.first_seen)
        fx->input.first_seen = ts;
    if (fx->input.packets == 0 || ts > fx->input.last_seen)
        fx->input.last_seen = ts;
    fx->input.packets++;
    fx->input.bytes += len;
    fx->totals.packets++;
    fx->totals.bytes += len;
    fx->totals.flow_packets++;
    fx->totals.flow_bytes += len;
}

static void build(struct fixture *fx)
{
    ck_assert_int_eq(
        report_build(&fx->report, &fx->input, 1, &fx->totals, &fx->settings, fx->table), 0);
}

/* A report row's flow, got from the table as the writers get it. */
static const struct flow *flow_of(const struct fixture *fx, const struct report_flow *rf)
{
    static struct flow buf;

    return report_flow_data(&fx->report, rf, &buf);
}

/* A report row's service name, and its common name. */
static const char *service_of(const struct fixture *fx, const struct report_flow *rf,
                              const char **alias)
{
    return report_flow_service(&fx->report, rf, flow_of(fx, rf), alias);
}

/* The one flow of the report, with its client and server ports checked. */
static const struct report_flow *only_flow(const struct fixture *fx, uint16_t client_port,
                                           uint16_t server_port, enum report_role_reason reason)
{
    const struct report_flow *rf;
    const struct flow *f;

    ck_assert_uint_eq(fx->report.n_flows, 1);
    rf = &fx->report.flows[0];
    f = flow_of(fx, rf);
    ck_assert_str_eq(report_role_reason_name(rf->reason, f->key.proto),
                     report_role_reason_name(reason, f->key.proto));
    ck_assert_uint_eq(f->key.port[rf->client], client_port);
    ck_assert_uint_eq(f->key.port[!rf->client], server_port);
    return rf;
}

static void assert_client_addr(const struct fixture *fx, const struct report_flow *rf,
                               const char *addr)
{
    const struct flow *f = flow_of(fx, rf);
    char buf[64];

    report_format_addr(f->key.family, f->key.addr[rf->client], buf, sizeof(buf));
    ck_assert_str_eq(buf, addr);
}

static size_t count_bits(uint32_t mask)
{
    size_t n = 0;

    for (; mask != 0; mask &= mask - 1)
        n++;
    return n;
}

static void assert_unnamed(uint8_t proto, uint16_t port)
{
    ck_assert_msg(ports_service_name(NULL, proto, port) == NULL, "%u/%u has a name", port, proto);
}

static void assert_named(uint8_t proto, uint16_t port)
{
    ck_assert_msg(ports_service_name(NULL, proto, port) != NULL, "%u/%u has no name", port, proto);
}

START_TEST(test_role_names)
{
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_OPEN, TCP), "syn");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_ACCEPT, TCP), "syn-ack");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_OPEN, PS_IPPROTO_SCTP), "init");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_ACCEPT, PS_IPPROTO_SCTP), "init-ack");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_OPEN, PS_IPPROTO_ICMP), "echo-request");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_ACCEPT, PS_IPPROTO_ICMPV6), "echo-reply");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_SERVICE, UDP), "service");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_EPHEMERAL, UDP), "ephemeral");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_LOWER_PORT, UDP), "lower-port");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_SYMMETRIC, UDP), "symmetric");
    ck_assert_str_eq(report_role_reason_name(REPORT_ROLE_FIRST_SENDER, GRE), "first-sender");
}
END_TEST

START_TEST(test_role_syn)
{
    struct fixture fx;
    const struct report_flow *rf;
    const char *alias;

    /* Every later rung would call port 80 the server: the SYN outranks them all. */
    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.2", 50000, "10.0.0.1", 80, ACK, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.1", 80, "10.0.0.2", 50000, SYN, 2, 60);
    build(&fx);
    rf = only_flow(&fx, 80, 50000, REPORT_ROLE_OPEN);
    assert_client_addr(&fx, rf, "10.0.0.1");
    ck_assert_ptr_null(service_of(&fx, rf, &alias));
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_syn_ack)
{
    struct fixture fx;
    const struct report_flow *rf;

    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.1", 50000, "10.0.0.2", 80, SYNACK, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 80, "10.0.0.1", 50000, ACK, 2, 60);
    build(&fx);
    rf = only_flow(&fx, 80, 50000, REPORT_ROLE_ACCEPT);
    assert_client_addr(&fx, rf, "10.0.0.2");
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_syn_both_ways)
{
    struct fixture fx;

    /* A simultaneous open is no evidence either way: the next rungs decide. */
    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.1", 22, "10.0.0.2", 40001, SYN, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 40001, "10.0.0.1", 22, SYN, 2, 60);
    assert_named(TCP, 22);
    assert_unnamed(TCP, 40001);
    build(&fx);
    only_flow(&fx, 40001, 22, REPORT_ROLE_SERVICE);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_service)
{
    struct fixture fx;
    const struct report_flow *rf;
    const char *alias;

    assert_named(UDP, 53);
    assert_unnamed(UDP, 40001);
    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.1", 53, "10.0.0.2", 40001, 0, 1, 90);
    build(&fx);
    rf = only_flow(&fx, 40001, 53, REPORT_ROLE_SERVICE);
    assert_client_addr(&fx, rf, "10.0.0.2");
    ck_assert_str_eq(service_of(&fx, rf, &alias), ports_service_name(NULL, UDP, 53));
    ck_assert_str_eq(alias, "dns");
    ck_assert_uint_eq(rf->client_ephemeral, ports_ephemeral_mask(40001));
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_service_from_overlay)
{
    struct fixture fx;
    struct ports_services *services = ports_services_new();
    char path[] = "/tmp/test_report_XXXXXX";
    char err[PS_ERRBUF_SIZE] = "";
    int fd = mkstemp(path);
    FILE *f;
    const struct report_flow *rf;
    const char *alias;

    ck_assert_ptr_nonnull(services);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("mygame 40002/udp\n", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(ports_services_load(services, path, err, sizeof(err)) == 0, "%s", err);
    unlink(path);

    assert_unnamed(UDP, 40001);
    assert_unnamed(UDP, 40002);
    fixture_init(&fx, "iana");
    fx.settings.services = services;
    send_pkt(&fx, UDP, "10.0.0.1", 40002, "10.0.0.2", 40001, 0, 1, 90);
    build(&fx);
    rf = only_flow(&fx, 40001, 40002, REPORT_ROLE_SERVICE);
    ck_assert_str_eq(service_of(&fx, rf, &alias), "mygame");
    ck_assert_str_eq(alias, "mygame");
    fixture_free(&fx);
    ports_services_free(services);
}
END_TEST

START_TEST(test_role_ephemeral)
{
    struct fixture fx;
    const struct report_flow *rf;
    const char *alias;

    /* The ephemeral port is the lower one, so the next rung would pick the other way. */
    assert_unnamed(UDP, 31000);
    assert_unnamed(UDP, 40001);
    fixture_init(&fx, "30000-31500");
    send_pkt(&fx, UDP, "10.0.0.1", 40001, "10.0.0.2", 31000, 0, 1, 90);
    build(&fx);
    rf = only_flow(&fx, 31000, 40001, REPORT_ROLE_EPHEMERAL);
    assert_client_addr(&fx, rf, "10.0.0.2");
    ck_assert_ptr_null(service_of(&fx, rf, &alias));
    ck_assert_ptr_null(alias);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_ephemeral_iana)
{
    struct fixture fx;

    assert_unnamed(TCP, 50001);
    assert_unnamed(TCP, 40001);
    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.1", 40001, "10.0.0.2", 50001, ACK, 1, 90);
    build(&fx);
    only_flow(&fx, 50001, 40001, REPORT_ROLE_EPHEMERAL);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_lower_port)
{
    struct fixture fx;
    const struct report_flow *rf;

    assert_unnamed(UDP, 40001);
    assert_unnamed(UDP, 40002);
    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.2", 40001, "10.0.0.1", 40002, 0, 1, 90);
    build(&fx);
    rf = only_flow(&fx, 40002, 40001, REPORT_ROLE_LOWER_PORT);
    assert_client_addr(&fx, rf, "10.0.0.1");
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_lower_port_both_ephemeral)
{
    struct fixture fx;

    assert_unnamed(UDP, 50001);
    assert_unnamed(UDP, 60001);
    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.1", 50001, "10.0.0.2", 60001, 0, 1, 90);
    build(&fx);
    only_flow(&fx, 60001, 50001, REPORT_ROLE_LOWER_PORT);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_symmetric)
{
    struct fixture fx;
    const struct report_flow *rf;
    const char *alias;

    /* Both ports are named: equal ports are decided before names are looked at. */
    assert_named(UDP, 123);
    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.2", 123, "10.0.0.1", 123, 0, 1, 90);
    send_pkt(&fx, UDP, "10.0.0.1", 123, "10.0.0.2", 123, 0, 2, 90);
    build(&fx);
    rf = only_flow(&fx, 123, 123, REPORT_ROLE_SYMMETRIC);
    assert_client_addr(&fx, rf, "10.0.0.2");
    ck_assert_str_eq(service_of(&fx, rf, &alias), ports_service_name(NULL, UDP, 123));
    fixture_free(&fx);
}
END_TEST

START_TEST(test_role_first_sender)
{
    struct fixture fx;
    const struct report_flow *rf;
    const char *alias;

    fixture_init(&fx, "iana");
    send_pkt(&fx, GRE, "10.0.0.2", 0, "10.0.0.1", 0, 0, 1, 90);
    send_pkt(&fx, GRE, "10.0.0.1", 0, "10.0.0.2", 0, 0, 2, 90);
    build(&fx);
    rf = only_flow(&fx, 0, 0, REPORT_ROLE_FIRST_SENDER);
    assert_client_addr(&fx, rf, "10.0.0.2");
    ck_assert_uint_eq(rf->client, flow_of(&fx, rf)->first_sender);
    ck_assert_ptr_null(service_of(&fx, rf, &alias));
    ck_assert_uint_eq(rf->client_ephemeral, 0);
    ck_assert_uint_eq(fx.report.flows_other, 1);
    ck_assert_uint_eq(fx.report.n_services, 0);
    ck_assert_uint_eq(fx.report.n_clients, 0);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_services)
{
    struct fixture fx;
    const struct report_service *s;

    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.10", 50000, "10.0.0.1", 80, SYN, 1, 100);
    send_pkt(&fx, TCP, "10.0.0.1", 80, "10.0.0.10", 50000, SYNACK, 2, 1500);
    send_pkt(&fx, TCP, "10.0.0.10", 50000, "10.0.0.1", 80, ACK, 3, 100);
    send_pkt(&fx, TCP, "10.0.0.10", 50001, "10.0.0.3", 80, SYN, 4, 60);
    send_pkt(&fx, TCP, "10.0.0.11", 50000, "10.0.0.1", 80, SYN, 5, 60);
    send_pkt(&fx, UDP, "10.0.0.10", 50002, "10.0.0.2", 53, 0, 6, 80);
    send_pkt(&fx, TCP, "10.0.0.11", 50003, "10.0.0.2", 53, SYN, 7, 70);
    send_pkt(&fx, GRE, "10.0.0.10", 0, "10.0.0.1", 0, 0, 8, 500);
    build(&fx);

    ck_assert_uint_eq(fx.report.n_flows, 6);
    ck_assert_uint_eq(fx.report.flows_tcp, 4);
    ck_assert_uint_eq(fx.report.flows_udp, 1);
    ck_assert_uint_eq(fx.report.flows_other, 1);
    ck_assert_uint_eq(fx.report.n_services, 3);

    s = &fx.report.services[0];
    ck_assert_uint_eq(s->port, 53);
    ck_assert_uint_eq(s->proto, TCP);
    ck_assert_uint_eq(s->flows, 1);
    ck_assert_uint_eq(s->packets, 1);
    ck_assert_uint_eq(s->bytes, 70);
    ck_assert_uint_eq(s->clients, 1);
    ck_assert_str_eq(s->service, ports_service_name(NULL, TCP, 53));

    s = &fx.report.services[1];
    ck_assert_uint_eq(s->port, 53);
    ck_assert_uint_eq(s->proto, UDP);
    ck_assert_uint_eq(s->flows, 1);
    ck_assert_uint_eq(s->bytes, 80);
    ck_assert_uint_eq(s->clients, 1);

    s = &fx.report.services[2];
    ck_assert_uint_eq(s->port, 80);
    ck_assert_uint_eq(s->proto, TCP);
    ck_assert_uint_eq(s->flows, 3);
    ck_assert_uint_eq(s->packets, 5);
    ck_assert_uint_eq(s->bytes, 1820);
    ck_assert_uint_eq(s->clients, 2);
    ck_assert_str_eq(s->service, ports_service_name(NULL, TCP, 80));
    ck_assert_str_eq(s->service_alias, ports_service_alias(s->service));
    fixture_free(&fx);
}
END_TEST

START_TEST(test_services_unnamed)
{
    struct fixture fx;

    assert_unnamed(UDP, 40001);
    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.1", 40001, "10.0.0.2", 40002, 0, 1, 90);
    build(&fx);
    ck_assert_uint_eq(fx.report.n_services, 1);
    ck_assert_uint_eq(fx.report.services[0].port, 40001);
    ck_assert_ptr_null(fx.report.services[0].service);
    ck_assert_ptr_null(fx.report.services[0].service_alias);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_clients)
{
    struct fixture fx;
    const struct report_client *c;
    char buf[64];

    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.12", 1025, "10.0.0.1", 80, SYN, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.12", 1025, "10.0.0.2", 80, SYN, 2, 60);
    send_pkt(&fx, TCP, "10.0.0.12", 5000, "10.0.0.1", 443, SYN, 3, 60);
    send_pkt(&fx, TCP, "2001:db8::5", 50000, "2001:db8::1", 443, SYN, 4, 60);
    send_pkt(&fx, TCP, "10.0.0.3", 60001, "10.0.0.1", 22, SYN, 5, 60);
    send_pkt(&fx, TCP, "10.0.0.3", 50000, "10.0.0.1", 22, SYN, 6, 60);
    build(&fx);

    ck_assert_uint_eq(fx.report.n_clients, 3);
    c = &fx.report.clients[0];
    ck_assert_str_eq(report_format_addr(c->family, c->addr, buf, sizeof(buf)), "10.0.0.3");
    ck_assert_uint_eq(c->flows, 2);
    ck_assert_uint_eq(c->ports, 2);
    ck_assert_uint_eq(c->port_lo, 50000);
    ck_assert_uint_eq(c->port_hi, 60001);
    ck_assert_uint_eq(c->in_range, 2);
    ck_assert_uint_eq(c->ephemeral_all, ports_ephemeral_mask(50000) & ports_ephemeral_mask(60001));

    c = &fx.report.clients[1];
    ck_assert_str_eq(report_format_addr(c->family, c->addr, buf, sizeof(buf)), "10.0.0.12");
    ck_assert_uint_eq(c->flows, 3);
    ck_assert_uint_eq(c->ports, 2);
    ck_assert_uint_eq(c->port_lo, 1025);
    ck_assert_uint_eq(c->port_hi, 5000);
    ck_assert_uint_eq(c->in_range, 0);
    ck_assert_uint_eq(c->ephemeral_all, ports_ephemeral_mask(1025) & ports_ephemeral_mask(5000));
    ck_assert_uint_ne(c->ephemeral_all, 0);

    c = &fx.report.clients[2];
    ck_assert_uint_eq(c->family, 6);
    ck_assert_str_eq(report_format_addr(c->family, c->addr, buf, sizeof(buf)), "2001:db8::5");
    ck_assert_uint_eq(c->flows, 1);
    ck_assert_uint_eq(c->ports, 1);
    ck_assert_uint_eq(c->port_lo, 50000);
    ck_assert_uint_eq(c->port_hi, 50000);
    ck_assert_uint_eq(c->in_range, 1);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_clients_range_in_force)
{
    struct fixture fx;

    fixture_init(&fx, "windows-xp");
    send_pkt(&fx, TCP, "10.0.0.12", 1025, "10.0.0.1", 80, SYN, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.12", 50000, "10.0.0.1", 80, SYN, 2, 60);
    build(&fx);
    ck_assert_uint_eq(fx.report.n_clients, 1);
    ck_assert_uint_eq(fx.report.clients[0].in_range, 1);
    ck_assert_uint_eq(fx.report.clients[0].ephemeral_all,
                      ports_ephemeral_mask(1025) & ports_ephemeral_mask(50000));
    fixture_free(&fx);
}
END_TEST

/* The client host of the flow whose client port is `port`, and its row. */
static const struct report_flow *flow_from(const struct fixture *fx, uint16_t port)
{
    for (size_t i = 0; i < fx->report.n_flows; i++) {
        const struct report_flow *rf = &fx->report.flows[i];

        if (flow_of(fx, rf)->key.port[rf->client] == port)
            return rf;
    }
    ck_abort_msg("no flow from client port %u", port);
    return NULL;
}

/*
 * --ephemeral auto: host 10.0.0.5 opened connections from Linux's range, 10.0.0.9 from
 * 49152-65535. A flow between them without evidence is judged with each host's own range: the
 * port 40007 is in 10.0.0.5's, 41000 not in 10.0.0.9's, so 10.0.0.5 is the client, where with
 * iana in force for both neither is, and the higher port's host would be.
 */
static void auto_flows(struct fixture *fx, const char *ephemeral)
{
    fixture_init(fx, ephemeral);
    assert_unnamed(UDP, 40007);
    assert_unnamed(UDP, 41000);
    for (uint16_t i = 0; i < 3; i++)
        send_pkt(fx, TCP, "10.0.0.5", (uint16_t)(40001 + 2 * i), "10.0.0.1", 80, SYN, 1 + i, 60);
    send_pkt(fx, TCP, "10.0.0.9", 50001, "10.0.0.1", 80, SYN, 5, 60);
    send_pkt(fx, TCP, "10.0.0.9", 50003, "10.0.0.1", 80, SYN, 6, 60);
    send_pkt(fx, UDP, "10.0.0.9", 41000, "10.0.0.5", 40007, 0, 7, 60);
    build(fx);
}

START_TEST(test_ephemeral_auto)
{
    struct fixture fx;
    const struct report_flow *rf;

    auto_flows(&fx, "auto");
    rf = flow_from(&fx, 40007);
    ck_assert_uint_eq(rf->reason, REPORT_ROLE_EPHEMERAL);
    ck_assert(rf->client_in_range);
    ck_assert(flow_from(&fx, 40001)->client_in_range);
    ck_assert(flow_from(&fx, 50001)->client_in_range);
    ck_assert_uint_eq(fx.report.n_clients, 2);
    ck_assert_str_eq(fx.report.clients[0].in_force.name, "linux");
    ck_assert_uint_eq(fx.report.clients[0].in_range, 4);
    ck_assert_uint_eq(fx.report.clients[0].flows, 4);
    ck_assert_str_eq(fx.report.clients[1].in_force.name, "iana");
    ck_assert_uint_eq(fx.report.clients[1].in_range, 2);
    fixture_free(&fx);

    /* The same flows with iana in force for every host. */
    auto_flows(&fx, "iana");
    rf = flow_from(&fx, 41000);
    ck_assert_uint_eq(rf->reason, REPORT_ROLE_LOWER_PORT);
    ck_assert(!rf->client_in_range);
    ck_assert(!flow_from(&fx, 40001)->client_in_range);
    ck_assert_str_eq(fx.report.clients[0].in_force.name, "iana");
    ck_assert_uint_eq(fx.report.clients[0].in_range, 0);
    fixture_free(&fx);
}
END_TEST

/*
 * --ephemeral auto over more flows and hosts than the first pass looks ahead: every flow is
 * counted once, in order. Host 10.0.2.1's three ports in 49152-65535 outnumber its last two, in
 * windows-xp's 1025-5000; counted twice, those two would win.
 */
START_TEST(test_ephemeral_auto_many_flows)
{
    struct fixture fx;
    uint8_t addr[16];
    const struct report_client *c = NULL;

    fixture_init(&fx, "auto");
    for (uint16_t i = 0; i < 3; i++)
        send_pkt(&fx, TCP, "10.0.2.1", (uint16_t)(50001 + 2 * i), "10.0.0.1", 80, SYN, 1 + i, 60);
    for (int i = 0; i < 40; i++) {
        char host[32];

        snprintf(host, sizeof(host), "10.0.3.%d", i + 1);
        send_pkt(&fx, TCP, host, 50001, "10.0.0.1", 80, SYN, 10 + i, 60);
    }
    send_pkt(&fx, TCP, "10.0.2.1", 2000, "10.0.0.1", 80, SYN, 100, 60);
    send_pkt(&fx, TCP, "10.0.2.1", 2002, "10.0.0.1", 80, SYN, 101, 60);
    build(&fx);
    parse_addr(4, "10.0.2.1", addr);
    for (size_t i = 0; i < fx.report.n_clients; i++)
        if (memcmp(fx.report.clients[i].addr, addr, 16) == 0)
            c = &fx.report.clients[i];
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->flows, 5);
    ck_assert_str_eq(c->in_force.name, "iana");
    ck_assert_uint_eq(fx.report.n_clients, 41);
    fixture_free(&fx);
}
END_TEST

/*
 * --ephemeral auto: each client host's range in force is its own, read for its first flow by that
 * flow's number; hosts whose flows alternate tell a wrong number from the right one.
 */
START_TEST(test_ephemeral_auto_alternating_hosts)
{
    struct fixture fx;
    uint8_t windows[16];

    fixture_init(&fx, "auto");
    for (uint16_t i = 0; i < 4; i++) {
        send_pkt(&fx, TCP, "10.0.4.1", (uint16_t)(2000 + i), "10.0.0.1", 80, SYN, 1 + 2 * i, 60);
        send_pkt(&fx, TCP, "10.0.4.2", (uint16_t)(33000 + i), "10.0.0.1", 80, SYN, 2 + 2 * i, 60);
    }
    build(&fx);
    parse_addr(4, "10.0.4.1", windows);
    ck_assert_uint_eq(fx.report.n_clients, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct report_client *c = &fx.report.clients[i];
        bool is_windows = memcmp(c->addr, windows, 16) == 0;

        ck_assert_uint_eq(c->flows, 4);
        ck_assert_str_eq(c->in_force.name, is_windows ? "windows-xp" : "linux");
        ck_assert_uint_eq(c->in_range, 4);
    }
    fixture_free(&fx);
}
END_TEST

/* --ephemeral auto counts a host's ports in every profile: a host's counts have room for them. */
START_TEST(test_ephemeral_auto_room_for_profiles)
{
    ck_assert_uint_le(ports_ephemeral_profile_count, REPORT_RANGES_PROFILES);
}
END_TEST

/*
 * --ephemeral auto: the gathering gives the hosts the first pass counted their places before
 * their flows come. A host whose flows never reach it (a document whose output failed part of the
 * way hands over only what it wrote) is left out, and the others' connections stay their own;
 * 10.0.5.9's flow has no evidence (UDP, the same port both ways), so its host was not counted.
 */
START_TEST(test_gathering_hosts_not_seen)
{
    struct fixture fx;
    struct report r;
    struct report_gathering *g;
    uint8_t addr[16];

    fixture_init(&fx, "auto");
    for (uint16_t i = 0; i < 3; i++) {
        send_pkt(&fx, TCP, "10.0.5.1", (uint16_t)(40000 + i), "10.0.0.1", 80, SYN, 1 + 3 * i, 60);
        send_pkt(&fx, TCP, "10.0.5.2", (uint16_t)(41000 + i), "10.0.0.1", 80, SYN, 2 + 3 * i, 60);
        send_pkt(&fx, TCP, "10.0.5.3", (uint16_t)(42000 + i), "10.0.0.1", 80, SYN, 3 + 3 * i, 60);
    }
    send_pkt(&fx, UDP, "10.0.5.9", 45000, "10.0.0.2", 45000, 0, 20, 60);
    g = report_gathering_begin(&r, &fx.input, 1, &fx.totals, &fx.settings, fx.table);
    ck_assert_ptr_nonnull(g);
    parse_addr(4, "10.0.5.2", addr);
    for (size_t i = 0; i < flow_table_count(fx.table); i++) {
        struct flow buf;
        const struct flow *f = flow_table_get(fx.table, i, &buf);
        struct report_flow rf;
        struct report_gather_item it;

        report_flow_init(&rf, (uint32_t)i, f, &r.settings);
        rf.id = f->id + 1;
        if (memcmp(f->key.addr[rf.client], addr, 16) == 0)
            continue;
        report_gather_item(&it, &rf, f);
        report_gathering_add(g, &it, 1);
    }
    ck_assert_int_eq(report_gathering_end(g), 0);
    ck_assert_uint_eq(r.n_clients, 3);
    for (size_t i = 0; i < 3; i++) {
        static const char *const hosts[] = {"10.0.5.1", "10.0.5.3", "10.0.5.9"};

        parse_addr(4, hosts[i], addr);
        ck_assert_msg(memcmp(r.clients[i].addr, addr, 16) == 0, "client %zu is not %s", i,
                      hosts[i]);
        ck_assert_uint_eq(r.clients[i].flows, i < 2 ? 3 : 1);
        ck_assert_uint_eq(r.clients[i].ports, i < 2 ? 3 : 1);
    }
    ck_assert_uint_eq(r.clients[1].port_lo, 42000);
    report_release(&r);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_flow_order)
{
    struct fixture fx;
    const struct report_flow *flows;

    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.1", 50000, "10.0.0.9", 53, 0, 300, 60);
    send_pkt(&fx, UDP, "10.0.0.2", 50000, "10.0.0.9", 53, 0, 100, 60);
    send_pkt(&fx, UDP, "10.0.0.4", 50000, "10.0.0.9", 53, 0, 200, 60);
    send_pkt(&fx, UDP, "10.0.0.3", 50000, "10.0.0.9", 53, 0, 100, 60);
    send_pkt(&fx, UDP, "10.0.0.5", 50000, "10.0.0.9", 53, 0, 500, 60);
    /* A later packet of the last flow is older than all others: it now comes first. */
    send_pkt(&fx, UDP, "10.0.0.9", 53, "10.0.0.5", 50000, 0, 50, 60);
    build(&fx);

    ck_assert_uint_eq(fx.report.n_flows, 5);
    flows = fx.report.flows;
    ck_assert_int_eq(flow_of(&fx, &flows[0])->first_seen, 50);
    ck_assert_uint_eq(flow_of(&fx, &flows[0])->key.addr[0][3], 5);
    ck_assert_int_eq(flow_of(&fx, &flows[1])->first_seen, 100);
    ck_assert_uint_eq(flow_of(&fx, &flows[1])->key.addr[0][3], 2);
    ck_assert_int_eq(flow_of(&fx, &flows[2])->first_seen, 100);
    ck_assert_uint_eq(flow_of(&fx, &flows[2])->key.addr[0][3], 3);
    ck_assert_int_eq(flow_of(&fx, &flows[3])->first_seen, 200);
    ck_assert_int_eq(flow_of(&fx, &flows[4])->first_seen, 300);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_empty_report)
{
    struct fixture fx;

    fixture_init(&fx, "iana");
    build(&fx);
    ck_assert_uint_eq(fx.report.n_flows, 0);
    ck_assert_uint_eq(fx.report.n_services, 0);
    ck_assert_uint_eq(fx.report.n_clients, 0);
    fixture_free(&fx);
}
END_TEST

/*
 * Enough client hosts that the hosts' hash table grows several times, each using one of its ports
 * with two servers: the distinct counts must not count a host or a port twice.
 */
START_TEST(test_tables_many_hosts)
{
    struct fixture fx;
    const struct report_service *s;
    const struct report_client *c;
    char host[32], prev[32];
    ps_time ts = 1;

    fixture_init(&fx, "iana");
    for (int i = 0; i < 300; i++) {
        snprintf(host, sizeof(host), "10.1.%d.%d", i / 100, i % 100 + 1);
        send_pkt(&fx, TCP, host, 40000, "10.9.0.1", 80, SYN, ts++, 60);
        send_pkt(&fx, TCP, host, 40001, "10.9.0.1", 80, SYN, ts++, 60);
        send_pkt(&fx, TCP, host, 40000, "10.9.0.2", 80, SYN, ts++, 60);
        if (i % 3 == 0)
            send_pkt(&fx, UDP, host, 40000, "10.9.0.3", 53, 0, ts++, 80);
    }
    send_pkt(&fx, UDP, "10.1.0.1", 40002, "10.9.0.4", 80, 0, ts++, 80);
    build(&fx);

    /* By port, then protocol. */
    ck_assert_uint_eq(fx.report.n_services, 3);
    s = &fx.report.services[0];
    ck_assert_uint_eq(s->port, 53);
    ck_assert_uint_eq(s->flows, 100);
    ck_assert_uint_eq(s->clients, 100);
    s = &fx.report.services[1];
    ck_assert_uint_eq(s->port, 80);
    ck_assert_uint_eq(s->proto, TCP);
    ck_assert_uint_eq(s->flows, 900);
    ck_assert_uint_eq(s->packets, 900);
    ck_assert_uint_eq(s->bytes, 900 * 60);
    ck_assert_uint_eq(s->clients, 300);
    s = &fx.report.services[2];
    ck_assert_uint_eq(s->port, 80);
    ck_assert_uint_eq(s->proto, UDP);
    ck_assert_uint_eq(s->clients, 1);

    /* By address; 10.1.0.1 has the one flow from port 40002 besides. */
    ck_assert_uint_eq(fx.report.n_clients, 300);
    prev[0] = '\0';
    for (size_t i = 0; i < fx.report.n_clients; i++) {
        uint8_t expect[16];
        bool first = i == 0;

        c = &fx.report.clients[i];
        snprintf(host, sizeof(host), "10.1.%zu.%zu", i / 100, i % 100 + 1);
        parse_addr(4, host, expect);
        ck_assert_msg(memcmp(c->addr, expect, 16) == 0, "client %zu is not %s (after %s)", i, host,
                      prev);
        ck_assert_uint_eq(c->flows, 3 + (i % 3 == 0) + first);
        ck_assert_uint_eq(c->ports, 2 + first);
        ck_assert_uint_eq(c->port_lo, 40000);
        ck_assert_uint_eq(c->port_hi, first ? 40002 : 40001);
        ck_assert_uint_eq(c->in_range, 0);
        snprintf(prev, sizeof(prev), "%s", host);
    }
    fixture_free(&fx);
}
END_TEST

/*
 * More services than a host's word of service bits holds (64): the distinct clients of the later
 * ones are counted through a set of pairs instead, and must come out the same way.
 */
START_TEST(test_services_beyond_host_bits)
{
    enum { SERVICES = 100, HOSTS = 5 };
    struct fixture fx;
    char host[32];
    ps_time ts = 1;

    fixture_init(&fx, "iana");
    /* Each host uses service k from two ports, when (k + h) % 3 != 0; the services are met in
     * port order, so that the first to appear is the first in the report. */
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < SERVICES; k++)
            for (int h = 0; h < HOSTS; h++) {
                if ((k + h) % 3 == 0)
                    continue;
                snprintf(host, sizeof(host), "10.2.0.%d", h + 1);
                send_pkt(&fx, TCP, host, (uint16_t)(40000 + round), "10.9.0.1",
                         (uint16_t)(20000 + k), SYN, ts++, 60);
            }
    build(&fx);

    ck_assert_uint_eq(fx.report.n_services, SERVICES);
    for (int k = 0; k < SERVICES; k++) {
        const struct report_service *s = &fx.report.services[k];
        uint64_t clients = 0;

        for (int h = 0; h < HOSTS; h++)
            clients += (k + h) % 3 != 0;
        ck_assert_uint_eq(s->port, 20000 + k);
        ck_assert_uint_eq(s->flows, 2 * clients);
        ck_assert_msg(s->clients == clients, "service %d: %llu clients, not %llu", k,
                      (unsigned long long)s->clients, (unsigned long long)clients);
    }
    ck_assert_uint_eq(fx.report.n_clients, HOSTS);
    for (size_t i = 0; i < fx.report.n_clients; i++)
        ck_assert_uint_eq(fx.report.clients[i].ports, 2);
    fixture_free(&fx);
}
END_TEST

/* Seeds under which the product alone clustered regular keys (100 to 260 probes per key on
 * average for consecutive addresses). */
static const uint64_t clustering_seeds[] = {0xb418b99ad2e2496bULL, 0x38e2becc053374ebULL,
                                            0x8e4d13c1c4df92f8ULL, 0xf26cf75e8ece21d4ULL};

enum { SPREAD_KEYS = 16384, SPREAD_SLOTS = SPREAD_KEYS + SPREAD_KEYS / 4 + 1 };

/*
 * Places a key whose probe starts at `home` in `used` (SPREAD_SLOTS slots, the table sized for one
 * key per flow: load 0.8) by linear probing; returns the probes past its home.
 */
static uint64_t place(uint8_t *used, size_t home)
{
    uint64_t probes = 0;

    ck_assert_uint_lt(home, SPREAD_SLOTS);
    for (; used[home]; home = home + 1 < SPREAD_SLOTS ? home + 1 : 0)
        probes++;
    used[home] = 1;
    return probes;
}

/*
 * Consecutive IPv4 addresses placed by the report's host table's own home slot, under the
 * clustering seeds: spread, they take about two probes, as random keys do at that load.
 */
START_TEST(test_table_hash_spreads_consecutive_addresses)
{
    static uint8_t used[SPREAD_SLOTS];

    for (size_t k = 0; k < sizeof(clustering_seeds) / sizeof(clustering_seeds[0]); k++) {
        uint64_t secret[2];
        uint64_t probes = 0;

        ps_hash2_secrets(clustering_seeds[k], secret);
        memset(used, 0, sizeof(used));
        for (uint32_t i = 1; i <= SPREAD_KEYS; i++) {
            uint8_t addr[16] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i};

            probes += place(used, report_host_home(secret, 4, addr, SPREAD_SLOTS));
        }
        ck_assert_msg(probes < 4 * SPREAD_KEYS, "seed %zu: %llu probes for %d addresses", k,
                      (unsigned long long)probes, SPREAD_KEYS);
    }
}
END_TEST

/* The same of the distinct counts' pairs: 128 client hosts, each with 128 consecutive ports. */
START_TEST(test_table_hash_spreads_consecutive_pairs)
{
    static uint8_t used[SPREAD_SLOTS];

    for (size_t k = 0; k < sizeof(clustering_seeds) / sizeof(clustering_seeds[0]); k++) {
        uint64_t secret[2];
        uint64_t probes = 0;

        ps_hash2_secrets(clustering_seeds[k], secret);
        memset(used, 0, sizeof(used));
        for (uint64_t host = 0; host < 128; host++)
            for (uint64_t port = 50000; port < 50128; port++)
                probes += place(used, report_pair_home(secret, host << 16 | port, SPREAD_SLOTS));
        ck_assert_msg(probes < 4 * SPREAD_KEYS, "seed %zu: %llu probes for %d pairs", k,
                      (unsigned long long)probes, SPREAD_KEYS);
    }
}
END_TEST

/* The same bytes as an IPv4 and as an IPv6 address are two hosts, the IPv4 one first. */
START_TEST(test_clients_same_bytes_two_families)
{
    struct fixture fx;
    const struct report_client *c;

    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "a00:1::", 50000, "2001:db8::1", 443, SYN, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.1", 50000, "10.0.0.2", 443, SYN, 2, 60);
    send_pkt(&fx, TCP, "10.0.0.1", 50001, "10.0.0.2", 443, SYN, 3, 60);
    build(&fx);

    ck_assert_uint_eq(fx.report.n_services, 1);
    ck_assert_uint_eq(fx.report.services[0].clients, 2);
    ck_assert_uint_eq(fx.report.n_clients, 2);
    c = &fx.report.clients[0];
    ck_assert_uint_eq(c->family, 4);
    ck_assert_uint_eq(c->flows, 2);
    ck_assert_uint_eq(c->ports, 2);
    c = &fx.report.clients[1];
    ck_assert_uint_eq(c->family, 6);
    ck_assert_uint_eq(c->flows, 1);
    ck_assert_uint_eq(c->ports, 1);
    ck_assert_mem_eq(c->addr, fx.report.clients[0].addr, 4);
    fixture_free(&fx);
}
END_TEST

/* A table whose flows end when idle, so that a later flow follows an earlier one on its key. */
static void fixture_with_lifecycle(struct fixture *fx)
{
    struct flow_lifecycle lc;

    fixture_init(fx, "iana");
    flow_table_free(fx->table);
    flow_lifecycle_zeek(&lc);
    fx->table = flow_table_new(0, 42, &lc);
    ck_assert_ptr_nonnull(fx->table);
}

#define SECONDS 1000000000LL

START_TEST(test_follows_in_order)
{
    struct fixture fx;

    fixture_with_lifecycle(&fx);
    send_pkt(&fx, UDP, "10.0.0.1", 50000, "10.0.0.9", 53, 0, 10 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.2", 50000, "10.0.0.9", 53, 0, 20 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.1", 50000, "10.0.0.9", 53, 0, 200 * SECONDS, 60);
    build(&fx);

    ck_assert_uint_eq(fx.report.n_flows, 3);
    ck_assert_uint_eq(fx.report.flows[0].follows, 0);
    ck_assert_uint_eq(fx.report.flows[1].follows, 0);
    ck_assert_uint_eq(fx.report.flows[2].id, 3);
    ck_assert_uint_eq(fx.report.flows[2].follows, 1);
    ck_assert_uint_eq(fx.report.n_clients, 2);
    ck_assert_uint_eq(fx.report.clients[0].flows, 2);
    ck_assert_uint_eq(fx.report.clients[0].ports, 1);
    ck_assert_uint_eq(fx.report.services[0].clients, 2);
    fixture_free(&fx);
}
END_TEST

/* A flow created last but seen first moves ahead: the report ids in `follows` move with it. */
START_TEST(test_follows_after_sort)
{
    struct fixture fx;

    fixture_with_lifecycle(&fx);
    send_pkt(&fx, UDP, "10.0.0.1", 50000, "10.0.0.9", 53, 0, 10 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.1", 50000, "10.0.0.9", 53, 0, 200 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.2", 50000, "10.0.0.9", 53, 0, 5 * SECONDS, 60);
    build(&fx);

    ck_assert_uint_eq(fx.report.n_flows, 3);
    ck_assert_uint_eq(flow_of(&fx, &fx.report.flows[0])->key.addr[0][3], 2);
    ck_assert_uint_eq(fx.report.flows[0].follows, 0);
    ck_assert_uint_eq(fx.report.flows[1].follows, 0);
    ck_assert_uint_eq(fx.report.flows[2].id, 3);
    ck_assert_uint_eq(fx.report.flows[2].follows, 2);
    fixture_free(&fx);
}
END_TEST

/* The conn_state a row keeps as a byte is what flow_tcp_conn_state() says of the flow. */
START_TEST(test_conn_states)
{
    static const char *const want[] = {"S0", "REJ", "SF", NULL};
    struct fixture fx;

    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.2", 50000, "10.0.0.1", 80, SYN, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 50001, "10.0.0.1", 80, SYN, 2, 60);
    send_pkt(&fx, TCP, "10.0.0.1", 80, "10.0.0.2", 50001, PS_TCP_RST | ACK, 3, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 50002, "10.0.0.1", 80, SYN, 4, 60);
    send_pkt(&fx, TCP, "10.0.0.1", 80, "10.0.0.2", 50002, SYNACK, 5, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 50002, "10.0.0.1", 80, ACK, 6, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 50002, "10.0.0.1", 80, PS_TCP_FIN | ACK, 7, 60);
    send_pkt(&fx, TCP, "10.0.0.1", 80, "10.0.0.2", 50002, PS_TCP_FIN | ACK, 8, 60);
    send_pkt(&fx, UDP, "10.0.0.2", 50003, "10.0.0.1", 53, 0, 9, 60);
    build(&fx);
    ck_assert_uint_eq(fx.report.n_flows, 4);
    for (size_t i = 0; i < 4; i++) {
        const struct report_flow *rf = &fx.report.flows[i];
        const char *name = flow_tcp_conn_state_name(rf->conn_state);

        if (want[i] == NULL) {
            ck_assert_uint_eq(rf->conn_state, FLOW_CONN_NONE);
            continue;
        }
        ck_assert_pstr_eq(name, want[i]);
        ck_assert_uint_eq(rf->conn_state, flow_tcp_conn_state(flow_of(&fx, rf), rf->client));
    }
    fixture_free(&fx);
}
END_TEST

/* A row's service is its server port's name, whichever endpoint of the key the server is. */
START_TEST(test_flow_service)
{
    struct fixture fx;
    const char *alias = "unset";

    fixture_init(&fx, "iana");
    send_pkt(&fx, UDP, "10.0.0.1", 50000, "10.0.0.2", 53, 0, 1, 60);
    send_pkt(&fx, UDP, "10.0.0.3", 53, "10.0.0.2", 50000, 0, 2, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 50001, "10.0.0.1", 3389, SYN, 3, 60);
    send_pkt(&fx, GRE, "10.0.0.2", 0, "10.0.0.1", 0, 0, 4, 60);
    build(&fx);
    ck_assert_uint_eq(fx.report.n_flows, 4);
    ck_assert_uint_eq(fx.report.flows[0].client, 0);
    ck_assert_str_eq(service_of(&fx, &fx.report.flows[0], &alias), "domain");
    ck_assert_str_eq(alias, "dns");
    ck_assert_uint_eq(fx.report.flows[1].client, 0);
    ck_assert_str_eq(service_of(&fx, &fx.report.flows[1], &alias), "domain");
    ck_assert_str_eq(service_of(&fx, &fx.report.flows[2], &alias), "ms-wbt-server");
    ck_assert_str_eq(alias, "rdp");
    ck_assert_ptr_null(service_of(&fx, &fx.report.flows[3], &alias));
    ck_assert_ptr_null(alias);
    fixture_free(&fx);
}
END_TEST

/*
 * Merged inputs: flows first seen at the same time go by key whatever order they were created in,
 * and a selection keeps the ids they got among all flows.
 */
START_TEST(test_flow_order_ties)
{
    static const uint8_t want[] = {9, 3, 5, 7};
    struct report_select select = {0};
    struct report_host host;
    struct fixture fx;
    char err[PS_ERRBUF_SIZE];

    fixture_with_lifecycle(&fx);
    send_pkt(&fx, UDP, "10.0.0.7", 50000, "10.0.1.1", 53, 0, 100 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.3", 50000, "10.0.1.1", 53, 0, 100 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.5", 50000, "10.0.1.1", 53, 0, 100 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.5", 50000, "10.0.1.1", 53, 0, 300 * SECONDS, 60);
    send_pkt(&fx, UDP, "10.0.0.9", 50000, "10.0.1.1", 53, 0, 50 * SECONDS, 60);
    build(&fx);
    ck_assert_uint_eq(fx.report.n_flows, 5);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(flow_of(&fx, &fx.report.flows[i])->key.addr[0][3], want[i]);
        ck_assert_uint_eq(fx.report.flows[i].id, i + 1);
    }
    ck_assert_int_eq(flow_of(&fx, &fx.report.flows[4])->first_seen, 300 * SECONDS);
    ck_assert_uint_eq(fx.report.flows[4].follows, 3);
    report_release(&fx.report);

    ck_assert_int_eq(report_parse_host("10.0.0.5", &host, err, sizeof(err)), 0);
    ck_assert_int_eq(report_select_add_host(&select, &host), 0);
    fx.settings.select = &select;
    build(&fx);
    ck_assert_uint_eq(fx.report.n_flows, 2);
    ck_assert_uint_eq(fx.report.n_flows_all, 5);
    ck_assert_uint_eq(fx.report.flows[0].id, 3);
    ck_assert_uint_eq(fx.report.flows[1].id, 5);
    ck_assert_uint_eq(fx.report.flows[1].follows, 3);
    ck_assert_uint_eq(fx.report.n_clients, 1);
    report_select_release(&select);
    fixture_free(&fx);
}
END_TEST

/* Writes the report as JSON into a malloc'd string. */
static char *write_json(const struct report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(output_json_write(r, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

static char *write_text(const struct report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct output_text_style style = {.sections = OUTPUT_SECTION_ALL};

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(output_text_write(r, &style, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

static json_t *parse(const char *text)
{
    json_error_t error;
    json_t *doc = json_loads(text, 0, &error);

    ck_assert_msg(doc != NULL, "line %d: %s", error.line, error.text);
    return doc;
}

/* The writer's bytes must be what jansson writes for the whole document at once. */
static void assert_canonical(const char *text)
{
    json_t *doc = parse(text);
    char *dumped = json_dumps(doc, DUMP_FLAGS);

    ck_assert_ptr_nonnull(dumped);
    ck_assert_uint_eq(strlen(text), strlen(dumped) + 1);
    ck_assert_int_eq(strncmp(text, dumped, strlen(dumped)), 0);
    ck_assert_str_eq(text + strlen(dumped), "\n");
    free(dumped);
    json_decref(doc);
}

static json_t *member(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    ck_assert_msg(v != NULL, "no \"%s\"", key);
    return v;
}

static void assert_keys(const json_t *obj, const char *const *keys, size_t n)
{
    ck_assert(json_is_object(obj));
    ck_assert_uint_eq(json_object_size(obj), n);
    for (size_t i = 0; i < n; i++)
        member(obj, keys[i]);
}

static json_int_t int_member(const json_t *obj, const char *key)
{
    json_t *v = member(obj, key);

    ck_assert_msg(json_is_integer(v), "\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static const char *str_member(const json_t *obj, const char *key)
{
    json_t *v = member(obj, key);

    ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
    return json_string_value(v);
}

/* Three flows: TCP over a VLAN and VXLAN, UDP over IPv6, GRE; and an unnamed protocol. */
static void fill_mixed(struct fixture *fx, ps_time base)
{
    struct pkt_info p;
    struct flow_packet fp = {base, 74, false};
    uint8_t sender;

    memset(&p, 0, sizeof(p));
    p.family = 4;
    p.proto = TCP;
    p.tcp_flags = SYN;
    p.hint = PKT_HINT_OPEN;
    p.sport = 50000;
    p.dport = 443;
    parse_addr(4, "10.0.0.2", p.src);
    parse_addr(4, "10.0.0.1", p.dst);
    p.n_encap = 2;
    p.encap[0].kind = ENCAP_VLAN;
    p.encap[0].has_id = true;
    p.encap[0].id = 10;
    p.encap[1].kind = ENCAP_VXLAN;
    p.encap[1].has_id = true;
    p.encap[1].id = 4242;
    ck_assert_ptr_nonnull(flow_table_add_packet(fx->table, &p, &fp, &sender));
    fx->totals.packets++;
    fx->totals.bytes += 74;
    fx->totals.flow_packets++;
    fx->totals.flow_bytes += 74;
    fx->input.packets++;
    fx->input.bytes += 74;
    fx->input.first_seen = base;

    send_pkt(fx, TCP, "10.0.0.1", 443, "10.0.0.2", 50000, SYNACK, base + 1500000, 74);
    send_pkt(fx, TCP, "10.0.0.2", 50000, "10.0.0.1", 443, ACK, base + 123456789, 1514);
    send_pkt(fx, UDP, "2001:db8::2", 40001, "2001:db8::1", 53, 0, base + 2000000000, 90);
    send_pkt(fx, GRE, "10.0.0.2", 0, "10.0.0.1", 0, 0, base + 2000000001, 120);
    send_pkt(fx, 253, "10.0.0.9", 0, "10.0.0.1", 0, 0, base + 2000000002, 64);
    fx->totals.packets += 3;
    fx->totals.bytes += 300;
    fx->totals.skipped_packets[PS_SKIP_NON_IP] = 2;
    fx->totals.skipped_bytes[PS_SKIP_NON_IP] = 120;
    fx->totals.skipped_packets[PS_SKIP_FRAGMENT] = 1;
    fx->totals.skipped_bytes[PS_SKIP_FRAGMENT] = 180;
}

START_TEST(test_json_shape)
{
    static const char *const top_keys[] = {"schema_version", "generator", "settings", "inputs",
                                           "summary",        "flows",     "services", "clients"};
    static const char *const flow_keys[] = {
        "id",          "proto",      "ip_version",  "community_id",
        "client",      "server",     "role_reason", "start_reason",
        "follows",     "first_seen", "last_seen",   "duration",
        "packets",     "bytes",      "ip_bytes",    "payload_bytes",
        "tcp",         "quality",    "encap",       "icmp",
        "icmp_errors", "app"};
    static const char *const client_keys[] = {"ip", "port", "port_class", "ephemeral",
                                              "in_ephemeral_range"};
    static const char *const server_keys[] = {"ip", "port", "port_class", "service",
                                              "service_alias"};
    static const char *const dir_keys[] = {"c2s", "s2c"};
    struct fixture fx;
    json_t *doc, *flows, *flow, *client, *server, *summary, *reasons, *encap;
    char *text;

    fixture_init(&fx, "iana");
    fill_mixed(&fx, 1700000000000000000);
    fx.totals.fragments_evicted = 2;
    build(&fx);
    text = write_json(&fx.report);
    doc = parse(text);

    assert_keys(doc, top_keys, sizeof(top_keys) / sizeof(top_keys[0]));
    ck_assert_int_eq(int_member(doc, "schema_version"), 1);
    ck_assert_str_eq(str_member(member(doc, "generator"), "name"), PACKAGE_NAME);
    ck_assert_str_eq(str_member(member(doc, "generator"), "version"), PACKAGE_VERSION);
    ck_assert_str_eq(str_member(member(member(doc, "settings"), "ephemeral_range"), "name"),
                     "iana");
    ck_assert_uint_eq(json_array_size(member(member(doc, "settings"), "ephemeral_profiles")),
                      ports_ephemeral_profile_count);
    ck_assert_uint_eq(json_array_size(member(doc, "inputs")), 1);
    ck_assert_str_eq(str_member(json_array_get(member(doc, "inputs"), 0), "path"), "test.pcap");

    summary = member(doc, "summary");
    ck_assert_int_eq(int_member(summary, "packets"), 9);
    ck_assert_int_eq(int_member(summary, "bytes"), 74 + 74 + 1514 + 90 + 120 + 64 + 300);
    ck_assert_int_eq(int_member(member(summary, "in_flows"), "packets"), 6);
    ck_assert_int_eq(int_member(member(summary, "flows"), "total"), 4);
    ck_assert_int_eq(int_member(member(summary, "flows"), "tcp"), 1);
    ck_assert_int_eq(int_member(member(summary, "flows"), "udp"), 1);
    ck_assert_int_eq(int_member(member(summary, "flows"), "other"), 2);
    ck_assert_int_eq(int_member(member(summary, "skipped"), "packets"), 3);
    ck_assert_int_eq(int_member(member(summary, "skipped"), "bytes"), 300);
    reasons = member(member(summary, "skipped"), "reasons");
    ck_assert_uint_eq(json_object_size(reasons), PS_SKIP__COUNT - 1);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        member(reasons, ps_skip_name((enum ps_skip)i));
    ck_assert_int_eq(int_member(reasons, ps_skip_name(PS_SKIP_NON_IP)), 2);
    ck_assert_int_eq(int_member(reasons, ps_skip_name(PS_SKIP_FRAGMENT)), 1);
    ck_assert_int_eq(int_member(member(member(summary, "skipped"), "reason_bytes"),
                                ps_skip_name(PS_SKIP_FRAGMENT)),
                     180);
    ck_assert_int_eq(int_member(member(summary, "fragments"), "evicted"), 2);

    flows = member(doc, "flows");
    ck_assert_uint_eq(json_array_size(flows), 4);
    for (size_t i = 0; i < json_array_size(flows); i++) {
        flow = json_array_get(flows, i);
        assert_keys(flow, flow_keys, sizeof(flow_keys) / sizeof(flow_keys[0]));
        assert_keys(member(flow, "client"), client_keys,
                    sizeof(client_keys) / sizeof(client_keys[0]));
        assert_keys(member(flow, "server"), server_keys,
                    sizeof(server_keys) / sizeof(server_keys[0]));
        assert_keys(member(flow, "packets"), dir_keys, 2);
        assert_keys(member(flow, "bytes"), dir_keys, 2);
        ck_assert_int_eq(int_member(flow, "id"), (json_int_t)i + 1);
        ck_assert(json_is_array(member(flow, "encap")));
    }

    flow = json_array_get(flows, 0);
    client = member(flow, "client");
    server = member(flow, "server");
    ck_assert_str_eq(str_member(flow, "proto"), "tcp");
    ck_assert_int_eq(int_member(flow, "ip_version"), 4);
    ck_assert_str_eq(str_member(client, "ip"), "10.0.0.2");
    ck_assert_int_eq(int_member(client, "port"), 50000);
    ck_assert_str_eq(str_member(client, "port_class"), "dynamic");
    ck_assert_uint_eq(json_array_size(member(client, "ephemeral")),
                      count_bits(ports_ephemeral_mask(50000)));
    ck_assert(json_is_true(member(client, "in_ephemeral_range")));
    ck_assert_str_eq(str_member(server, "ip"), "10.0.0.1");
    ck_assert_int_eq(int_member(server, "port"), 443);
    ck_assert_str_eq(str_member(server, "port_class"), "well-known");
    ck_assert_str_eq(str_member(server, "service"), ports_service_name(NULL, TCP, 443));
    ck_assert_str_eq(str_member(server, "service_alias"),
                     ports_service_alias(ports_service_name(NULL, TCP, 443)));
    ck_assert_str_eq(str_member(flow, "role_reason"), "syn");
    ck_assert_str_eq(str_member(flow, "first_seen"), "2023-11-14T22:13:20.000000Z");
    ck_assert_str_eq(str_member(flow, "last_seen"), "2023-11-14T22:13:20.123456Z");
    ck_assert(json_is_real(member(flow, "duration")));
    ck_assert_double_eq_tol(json_real_value(member(flow, "duration")), 0.123456, 1e-12);
    ck_assert_int_eq(int_member(member(flow, "packets"), "c2s"), 2);
    ck_assert_int_eq(int_member(member(flow, "packets"), "s2c"), 1);
    ck_assert_int_eq(int_member(member(flow, "bytes"), "c2s"), 74 + 1514);
    ck_assert_int_eq(int_member(member(flow, "bytes"), "s2c"), 74);
    encap = member(flow, "encap");
    ck_assert_uint_eq(json_array_size(encap), 2);
    ck_assert_str_eq(json_string_value(json_array_get(encap, 0)), "vlan:10");
    ck_assert_str_eq(json_string_value(json_array_get(encap, 1)), "vxlan:4242");

    flow = json_array_get(flows, 1);
    ck_assert_str_eq(str_member(flow, "proto"), "udp");
    ck_assert_int_eq(int_member(flow, "ip_version"), 6);
    ck_assert_str_eq(str_member(member(flow, "client"), "ip"), "2001:db8::2");
    ck_assert(json_is_false(member(member(flow, "client"), "in_ephemeral_range")));
    ck_assert_str_eq(str_member(flow, "role_reason"), "service");
    ck_assert_uint_eq(json_array_size(member(flow, "encap")), 0);

    flow = json_array_get(flows, 2);
    client = member(flow, "client");
    server = member(flow, "server");
    ck_assert_str_eq(str_member(flow, "proto"), "gre");
    ck_assert_str_eq(str_member(flow, "role_reason"), "first-sender");
    ck_assert_int_eq(int_member(client, "port"), 0);
    ck_assert(json_is_null(member(client, "port_class")));
    ck_assert_uint_eq(json_array_size(member(client, "ephemeral")), 0);
    ck_assert(json_is_false(member(client, "in_ephemeral_range")));
    ck_assert(json_is_null(member(server, "port_class")));
    ck_assert(json_is_null(member(server, "service")));
    ck_assert(json_is_null(member(server, "service_alias")));

    ck_assert_int_eq(int_member(json_array_get(flows, 3), "proto"), 253);

    ck_assert_uint_eq(json_array_size(member(doc, "services")), 2);
    ck_assert_uint_eq(json_array_size(member(doc, "clients")), 2);
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_json_canonical_micro)
{
    struct fixture fx;
    char *text;

    fixture_init(&fx, "linux");
    fill_mixed(&fx, 1700000000000000000);
    build(&fx);
    text = write_json(&fx.report);
    assert_canonical(text);
    free(text);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_json_canonical_nano)
{
    struct fixture fx;
    json_t *doc, *flow;
    char *text;

    fixture_init(&fx, "32768-61000");
    fx.input.nanosecond = true;
    fill_mixed(&fx, 1700000000000000001);
    build(&fx);
    text = write_json(&fx.report);
    assert_canonical(text);
    doc = parse(text);
    flow = json_array_get(member(doc, "flows"), 0);
    ck_assert_str_eq(str_member(flow, "first_seen"), "2023-11-14T22:13:20.000000001Z");
    ck_assert_str_eq(str_member(flow, "last_seen"), "2023-11-14T22:13:20.123456790Z");
    ck_assert_double_eq_tol(json_real_value(member(flow, "duration")), 0.123456789, 1e-12);
    ck_assert(json_is_null(member(member(member(doc, "settings"), "ephemeral_range"), "name")));
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_json_canonical_empty)
{
    struct fixture fx;
    json_t *doc;
    char *text;

    fixture_init(&fx, "iana");
    fx.input.complete = false;
    fx.input.format = NULL;
    fx.input.n_linktypes = 0;
    snprintf(fx.input.error, sizeof(fx.input.error), "truncated \"header\"\tat byte 3");
    build(&fx);
    text = write_json(&fx.report);
    assert_canonical(text);
    doc = parse(text);
    ck_assert_uint_eq(json_array_size(member(doc, "flows")), 0);
    ck_assert(json_is_null(member(json_array_get(member(doc, "inputs"), 0), "first_seen")));
    ck_assert(json_is_null(member(json_array_get(member(doc, "inputs"), 0), "format")));
    ck_assert_str_eq(str_member(json_array_get(member(doc, "inputs"), 0), "error"),
                     "truncated \"header\"\tat byte 3");
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_json_non_utf8_path)
{
    struct fixture fx;
    json_t *doc;
    char *text;

    /* File names on Linux are bytes: a Latin-1 name must not stop the report being written. */
    fixture_init(&fx, "iana");
    fx.input.path = "caf\xe9.pcap";
    send_pkt(&fx, UDP, "10.0.0.1", 40001, "10.0.0.2", 53, 0, 1, 90);
    build(&fx);
    text = write_json(&fx.report);
    doc = parse(text);
    ck_assert_uint_eq(json_array_size(member(doc, "flows")), 1);
    ck_assert_str_eq(str_member(json_array_get(member(doc, "inputs"), 0), "path"),
                     "caf\xef\xbf\xbd.pcap");
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}
END_TEST

START_TEST(test_format_time)
{
    char buf[64];

    ck_assert_str_eq(report_format_time(0, false, buf, sizeof(buf)), "1970-01-01T00:00:00.000000Z");
    ck_assert_str_eq(report_format_time(0, true, buf, sizeof(buf)),
                     "1970-01-01T00:00:00.000000000Z");
    ck_assert_str_eq(report_format_time(1700000000123456789, false, buf, sizeof(buf)),
                     "2023-11-14T22:13:20.123456Z");
    ck_assert_str_eq(report_format_time(1700000000123456789, true, buf, sizeof(buf)),
                     "2023-11-14T22:13:20.123456789Z");
    ck_assert_str_eq(report_format_time(999, false, buf, sizeof(buf)),
                     "1970-01-01T00:00:00.000000Z");
    ck_assert_str_eq(report_format_time(999, true, buf, sizeof(buf)),
                     "1970-01-01T00:00:00.000000999Z");
}
END_TEST

START_TEST(test_format_time_before_1970)
{
    char buf[64];

    ck_assert_str_eq(report_format_time(-1, true, buf, sizeof(buf)),
                     "1969-12-31T23:59:59.999999999Z");
    ck_assert_str_eq(report_format_time(-1, false, buf, sizeof(buf)),
                     "1969-12-31T23:59:59.999999Z");
    ck_assert_str_eq(report_format_time(-1500000000, false, buf, sizeof(buf)),
                     "1969-12-31T23:59:58.500000Z");
    ck_assert_str_eq(report_format_time(-1000000000, true, buf, sizeof(buf)),
                     "1969-12-31T23:59:59.000000000Z");
    ck_assert_str_eq(report_format_time(-86400LL * 365 * 1000000000, false, buf, sizeof(buf)),
                     "1969-01-01T00:00:00.000000Z");
}
END_TEST

/* What gmtime_r() and strftime() write for `secs`, as report_format_date() did before. */
static void libc_date(int64_t secs, char *out)
{
    time_t t = (time_t)secs;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, REPORT_DATE_SIZE, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(out, REPORT_DATE_SIZE, "%lld", (long long)secs);
}

static void check_date(int64_t secs)
{
    char want[REPORT_DATE_SIZE], got[REPORT_DATE_SIZE];
    size_t n = report_format_date(secs, got);

    libc_date(secs, want);
    ck_assert_msg(strcmp(got, want) == 0, "%lld: %s, libc %s", (long long)secs, got, want);
    ck_assert_uint_eq(n, strlen(want));
}

/* The date by arithmetic against libc's over more than a ps_time holds: every day's first and last
 * second around leap years (1900, 2000, 2100 and the years between), both sides of 1970, the ends
 * of four-digit years, and seconds far out where libc's path is taken. */
START_TEST(test_format_date_against_libc)
{
    static const int64_t edges[] = {INT64_MIN,
                                    INT64_MIN + 1,
                                    -INT64_C(67768040609740800),
                                    -INT64_C(62167219200) - 1,
                                    -INT64_C(62167219200),
                                    -INT64_C(30610224000) - 1,
                                    -INT64_C(30610224000),
                                    -INT64_C(9223372037),
                                    -INT64_C(2208988800),
                                    -1,
                                    0,
                                    951782400,
                                    951868799,
                                    4107542400,
                                    INT64_C(9223372036),
                                    INT64_C(253402300799),
                                    INT64_C(253402300800),
                                    INT64_C(67768036191676799),
                                    INT64_MAX};
    uint64_t x = 88172645463325252u;

    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        check_date(edges[i]);
    /* Every day from 1895 to 2105, at its first or last second or at noon in turn. */
    for (int64_t day = -27394; day < 49674; day++)
        check_date(day * 86400 + (day % 3 == 0 ? 0 : day % 3 == 1 ? 43210 : 86399));
    /* Random seconds across years 1000 to 9999 and beyond (xorshift: the same every run). */
    for (int i = 0; i < 50000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check_date((int64_t)(x % UINT64_C(300000000000)) - INT64_C(35000000000));
    }
}
END_TEST

START_TEST(test_format_addr)
{
    uint8_t addr[16];
    char buf[64];

    parse_addr(4, "192.0.2.255", addr);
    ck_assert_str_eq(report_format_addr(4, addr, buf, sizeof(buf)), "192.0.2.255");
    parse_addr(6, "2001:db8::a:1", addr);
    ck_assert_str_eq(report_format_addr(6, addr, buf, sizeof(buf)), "2001:db8::a:1");
}
END_TEST

START_TEST(test_text_writer)
{
    struct fixture fx;
    char *text;

    fixture_init(&fx, "iana");
    fill_mixed(&fx, 1700000000000000000);
    build(&fx);
    text = write_text(&fx.report);
    ck_assert_ptr_nonnull(strstr(text, "test.pcap"));
    ck_assert_ptr_nonnull(strstr(text, "10.0.0.2:50000"));
    ck_assert_ptr_nonnull(strstr(text, "10.0.0.1:443"));
    ck_assert_ptr_nonnull(strstr(text, "[2001:db8::2]:40001"));
    ck_assert_ptr_nonnull(strstr(text, "[2001:db8::1]:53"));
    ck_assert_ptr_nonnull(strstr(text, "Flows (4)"));
    ck_assert_ptr_nonnull(strstr(text, ps_skip_name(PS_SKIP_NON_IP)));
    ck_assert_ptr_nonnull(strstr(text, "first-sender"));
    free(text);
    fixture_free(&fx);
}
END_TEST

/* The other services the registry lists on a port, in the services and under their table. */
START_TEST(test_services_other)
{
    struct fixture fx;
    json_t *doc, *services;
    char *text;

    fixture_init(&fx, "iana");
    send_pkt(&fx, TCP, "10.0.0.2", 50000, "10.0.0.1", 80, SYN, 1, 60);
    send_pkt(&fx, TCP, "10.0.0.2", 50001, "10.0.0.1", 465, SYN, 2, 60);
    build(&fx);
    ck_assert_uint_eq(fx.report.n_services, 2);
    ck_assert_ptr_null(fx.report.services[0].service_other[0]);
    ck_assert_str_eq(fx.report.services[1].service, "submissions");
    ck_assert_str_eq(fx.report.services[1].service_other[0], "urd");
    ck_assert_ptr_null(fx.report.services[1].service_other[1]);

    text = write_json(&fx.report);
    doc = parse(text);
    services = member(doc, "services");
    ck_assert_uint_eq(json_array_size(member(json_array_get(services, 0), "service_other")), 0);
    ck_assert_uint_eq(json_array_size(member(json_array_get(services, 1), "service_other")), 1);
    ck_assert_str_eq(
        json_string_value(json_array_get(member(json_array_get(services, 1), "service_other"), 0)),
        "urd");
    json_decref(doc);
    free(text);

    text = write_text(&fx.report);
    ck_assert_ptr_nonnull(strstr(text, "\n  465/tcp: the IANA registry also lists urd\n"));
    ck_assert_ptr_null(strstr(text, "80/tcp: the IANA registry"));
    free(text);
    fixture_free(&fx);
}
END_TEST

/* --show's values, the text report's sections. */
START_TEST(test_parse_sections)
{
    char err[PS_ERRBUF_SIZE];
    unsigned sections;

    ck_assert_int_eq(output_parse_sections("clients", &sections, err, sizeof(err)), 0);
    ck_assert_uint_eq(sections, OUTPUT_SECTION_CLIENTS);
    ck_assert_int_eq(
        output_parse_sections("summary,flows,services,clients", &sections, err, sizeof(err)), 0);
    ck_assert_uint_eq(sections, OUTPUT_SECTION_ALL);
    ck_assert_int_eq(output_parse_sections("summary,explain", &sections, err, sizeof(err)), 0);
    ck_assert_uint_eq(sections, OUTPUT_SECTION_SUMMARY | OUTPUT_SECTION_EXPLAIN);
    ck_assert_int_eq(output_parse_sections("flows,", &sections, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown section '' (known: flows, services, clients, summary, explain)");
}
END_TEST

START_TEST(test_text_writer_empty)
{
    struct fixture fx;
    char *text;

    fixture_init(&fx, "iana");
    build(&fx);
    text = write_text(&fx.report);
    ck_assert_ptr_nonnull(strstr(text, "Flows (0)"));
    free(text);
    fixture_free(&fx);
}
END_TEST

Suite *report_suite(void)
{
    Suite *suite = suite_create("report");
    TCase *roles = tcase_create("roles");
    TCase *tables = tcase_create("tables");
    TCase *writers = tcase_create("writers");

    tcase_add_test(roles, test_role_names);
    tcase_add_test(roles, test_role_syn);
    tcase_add_test(roles, test_role_syn_ack);
    tcase_add_test(roles, test_role_syn_both_ways);
    tcase_add_test(roles, test_role_service);
    tcase_add_test(roles, test_role_service_from_overlay);
    tcase_add_test(roles, test_role_ephemeral);
    tcase_add_test(roles, test_role_ephemeral_iana);
    tcase_add_test(roles, test_role_lower_port);
    tcase_add_test(roles, test_role_lower_port_both_ephemeral);
    tcase_add_test(roles, test_role_symmetric);
    tcase_add_test(roles, test_role_first_sender);
    suite_add_tcase(suite, roles);

    tcase_add_test(tables, test_services);
    tcase_add_test(tables, test_services_unnamed);
    tcase_add_test(tables, test_clients);
    tcase_add_test(tables, test_clients_range_in_force);
    tcase_add_test(tables, test_ephemeral_auto_many_flows);
    tcase_add_test(tables, test_ephemeral_auto_alternating_hosts);
    tcase_add_test(tables, test_ephemeral_auto);
    tcase_add_test(tables, test_gathering_hosts_not_seen);
    tcase_add_test(tables, test_ephemeral_auto_room_for_profiles);
    tcase_add_test(tables, test_flow_order);
    tcase_add_test(tables, test_empty_report);
    tcase_add_test(tables, test_tables_many_hosts);
    tcase_add_test(tables, test_services_beyond_host_bits);
    tcase_add_test(tables, test_table_hash_spreads_consecutive_addresses);
    tcase_add_test(tables, test_table_hash_spreads_consecutive_pairs);
    tcase_add_test(tables, test_clients_same_bytes_two_families);
    tcase_add_test(tables, test_follows_in_order);
    tcase_add_test(tables, test_follows_after_sort);
    tcase_add_test(tables, test_conn_states);
    tcase_add_test(tables, test_flow_service);
    tcase_add_test(tables, test_flow_order_ties);
    suite_add_tcase(suite, tables);

    tcase_add_test(writers, test_json_shape);
    tcase_add_test(writers, test_json_canonical_micro);
    tcase_add_test(writers, test_json_canonical_nano);
    tcase_add_test(writers, test_json_canonical_empty);
    tcase_add_test(writers, test_json_non_utf8_path);
    tcase_add_test(writers, test_format_time);
    tcase_add_test(writers, test_format_time_before_1970);
    tcase_add_test(writers, test_format_date_against_libc);
    tcase_add_test(writers, test_format_addr);
    tcase_add_test(writers, test_text_writer);
    tcase_add_test(writers, test_text_writer_empty);
    tcase_add_test(writers, test_parse_sections);
    tcase_add_test(writers, test_services_other);
    suite_add_tcase(suite, writers);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, report_suite());
    srunner_add_suite(runner, report_select_suite());
    srunner_add_suite(runner, report_view_suite());
    srunner_add_suite(runner, report_cid_suite());
    srunner_add_suite(runner, report_hostports_suite());
    return 0;
}
