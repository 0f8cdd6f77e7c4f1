/*
 * test_nat.c - unit tests for src/nat/: the matcher on generated pairs of sides (a clock offset,
 * flows lost on one side, a first payload the other side lost, identical payloads on two flows,
 * contradicting sequence numbers, port forwards, rewritten ICMP identifiers, the port policies,
 * the verdicts), and one side read from a capture with retransmissions.
 */
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nat.h"

#define SECOND ((ps_time)1000000000)
#define T0     ((ps_time)1700000000 * SECOND)

static uint64_t rng = 1;

static uint32_t next_rand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 32);
}

static void set4(uint8_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
    memset(a, 0, 16);
    a[0] = x, a[1] = y, a[2] = z, a[3] = w;
}

/* Inside flow i: TCP from 10.0.0.(2 + i % 50) to 198.51.100.2:80, with both ISNs and payloads,
 * starting i seconds / 10 after T0. */
static void make_tcp(struct nat_conn *c, size_t i)
{
    memset(c, 0, sizeof(*c));
    c->flow_id = (uint32_t)i;
    c->family = 4;
    c->proto = PS_IPPROTO_TCP;
    set4(c->client_addr, 10, 0, 0, (uint8_t)(2 + i % 50));
    set4(c->server_addr, 198, 51, 100, 2);
    c->client_port = (uint16_t)(40000 + i);
    c->server_port = 80;
    c->first_seen = T0 + (ps_time)i * SECOND / 10;
    c->last_seen = c->first_seen + SECOND;
    c->have = NAT_HAVE_ISN_C | NAT_HAVE_ISN_S | NAT_HAVE_PAY_C | NAT_HAVE_PAY_S | NAT_HAVE_IPID_C;
    c->isn[0] = next_rand();
    c->isn[1] = next_rand();
    c->pay_seq[0] = c->isn[0] + 1;
    c->pay_seq[1] = c->isn[1] + 1;
    c->pay_len[0] = 100;
    c->pay_len[1] = 500;
    c->pay_hash[0] = (uint64_t)next_rand() << 32 | next_rand();
    c->pay_hash[1] = (uint64_t)next_rand() << 32 | next_rand();
    c->ip_id[0] = (uint16_t)next_rand();
}

/* A UDP flow with one payload each way (no sequence numbers). */
static void make_udp(struct nat_conn *c, size_t i, uint64_t hash)
{
    make_tcp(c, i);
    c->proto = PS_IPPROTO_UDP;
    c->server_port = 53;
    c->have = NAT_HAVE_PAY_C | NAT_HAVE_IPID_C;
    c->pay_seq[0] = 0;
    c->pay_len[0] = 30;
    c->pay_hash[0] = hash;
}

/* The outside copy of inside flow a: from 198.51.100.1, port kept or given, clock shifted. */
static void translate(struct nat_conn *b, const struct nat_conn *a, int port, ps_time offset)
{
    *b = *a;
    set4(b->client_addr, 198, 51, 100, 1);
    if (port >= 0)
        b->client_port = (uint16_t)port;
    b->first_seen += offset + 150000; /* the router's own delay: 150 us */
    b->last_seen += offset + 150000;
}

struct pair_fixture {
    struct nat_side in, out;
    struct nat_conn *a, *b;
    struct nat_result r;
};

static void fixture_init(struct pair_fixture *f, size_t n_in, size_t n_out)
{
    memset(f, 0, sizeof(*f));
    f->a = calloc(n_in + 1, sizeof(*f->a));
    f->b = calloc(n_out + 1, sizeof(*f->b));
    ck_assert(f->a != NULL && f->b != NULL);
    f->in.conns = f->a, f->in.n_conns = n_in, f->in.packets = n_in * 10;
    f->out.conns = f->b, f->out.n_conns = n_out, f->out.packets = n_out * 10 + 1;
    f->in.fingerprint = 1, f->out.fingerprint = 2;
    f->in.first = T0, f->in.last = T0 + 1000 * SECOND;
    f->out.first = T0 - 1000 * SECOND, f->out.last = T0 + 100000 * SECOND;
}

static void fixture_free(struct pair_fixture *f)
{
    nat_result_release(&f->r);
    free(f->a);
    free(f->b);
}

static const struct nat_row *row_of_inside(const struct nat_result *r, size_t i)
{
    for (size_t k = 0; k < r->n_rows; k++)
        if (r->rows[k].inside == i)
            return &r->rows[k];
    return NULL;
}

static void assert_reconciles(const struct pair_fixture *f)
{
    const struct nat_result *r = &f->r;

    ck_assert_uint_eq(f->in.n_conns,
                      r->count[NAT_PAIRED] + r->ambiguous_inside + r->count[NAT_INSIDE_ONLY]);
    ck_assert_uint_eq(f->out.n_conns,
                      r->count[NAT_PAIRED] + r->ambiguous_outside + r->count[NAT_OUTSIDE_ONLY]);
}

START_TEST(test_offset_found_and_all_paired)
{
    struct pair_fixture f;
    ps_time offset = 3600 * SECOND + 123456789;

    fixture_init(&f, 200, 200);
    for (size_t i = 0; i < 200; i++) {
        make_tcp(&f.a[i], i);
        translate(&f.b[199 - i], &f.a[i], -1, offset); /* the outside in another order */
        f.b[199 - i].flow_id = (uint32_t)(199 - i);
    }
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert(f.r.offset_known);
    ck_assert_int_eq(f.r.offset, offset + 150000);
    ck_assert_uint_eq(f.r.offset_samples, 200);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 200);
    for (size_t i = 0; i < 200; i++) {
        const struct nat_row *row = row_of_inside(&f.r, i);
        ck_assert_uint_eq(row->outside, 199 - i);
        ck_assert_uint_eq(row->kind, NAT_KIND_SOURCE);
        ck_assert_uint_eq(row->change, NAT_CHANGE_ADDRESS);
        ck_assert_uint_eq(row->strength, NAT_STRONG);
        ck_assert(row->evidence & NAT_EV_ISN);
        ck_assert(row->evidence & NAT_EV_PAYLOAD);
        ck_assert(row->evidence & NAT_EV_TIMING);
    }
    ck_assert_uint_eq(f.r.n_publics, 1);
    ck_assert_uint_eq(f.r.publics[0].inside_hosts, 50);
    ck_assert_uint_eq(f.r.ports, NAT_PORTS_PRESERVED);
    assert_reconciles(&f);
    fixture_free(&f);
}
END_TEST

START_TEST(test_loss_on_one_side)
{
    struct pair_fixture f;
    size_t n_out = 0;

    fixture_init(&f, 100, 100);
    for (size_t i = 0; i < 100; i++) {
        make_tcp(&f.a[i], i);
        if (i % 10 != 3)
            translate(&f.b[n_out++], &f.a[i], -1, 0);
    }
    /* One more outside only, to the router's public address. */
    make_tcp(&f.b[n_out], 500);
    set4(f.b[n_out].server_addr, 198, 51, 100, 1);
    f.out.n_conns = ++n_out;
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 90);
    ck_assert_uint_eq(f.r.count[NAT_INSIDE_ONLY], 10);
    ck_assert_uint_eq(f.r.count[NAT_OUTSIDE_ONLY], 1);
    ck_assert_uint_eq(row_of_inside(&f.r, 13)->status, NAT_INSIDE_ONLY);
    ck_assert_uint_eq(row_of_inside(&f.r, 13)->reason, NAT_REASON_NOT_ROUTED);
    ck_assert_uint_eq(f.r.rows[f.r.n_rows - 1].reason, NAT_REASON_TO_ROUTER);
    assert_reconciles(&f);
    fixture_free(&f);
}
END_TEST

/* The outside capture lost the first data segment (its first payload is the next one) and the
 * SYN+ACK: the client's ISN still pairs them, and nothing it has contradicts. */
START_TEST(test_first_payload_lost_outside)
{
    struct pair_fixture f;

    fixture_init(&f, 3, 3);
    for (size_t i = 0; i < 3; i++) {
        make_tcp(&f.a[i], i);
        translate(&f.b[i], &f.a[i], -1, 0);
    }
    f.b[1].pay_seq[0] += 100;
    f.b[1].pay_hash[0] ^= 1;
    f.b[1].have &= (uint8_t)~NAT_HAVE_ISN_S;
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 3);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->outside, 1);
    ck_assert(row_of_inside(&f.r, 1)->evidence & NAT_EV_ISN);
    fixture_free(&f);
}
END_TEST

/* The same payload at the same sequence number, but the ISNs differ: not the same connection. */
START_TEST(test_contradicting_isn)
{
    struct pair_fixture f;

    fixture_init(&f, 2, 2);
    make_tcp(&f.a[0], 0);
    make_tcp(&f.a[1], 1);
    translate(&f.b[0], &f.a[0], -1, 0);
    translate(&f.b[1], &f.a[1], -1, 0);
    f.b[1].isn[1] ^= 0x100; /* another answer */
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 1);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->status, NAT_INSIDE_ONLY);
    fixture_free(&f);
}
END_TEST

/* Two inside clients send the same query at the same time: each outside flow fits both. */
START_TEST(test_identical_payloads_ambiguous)
{
    struct pair_fixture f;

    fixture_init(&f, 4, 4);
    make_tcp(&f.a[0], 0);
    make_udp(&f.a[1], 1, 0xabcdef);
    make_udp(&f.a[2], 2, 0xabcdef);
    f.a[2].first_seen = f.a[1].first_seen;
    make_tcp(&f.a[3], 3);
    for (size_t i = 0; i < 4; i++)
        translate(&f.b[i], &f.a[i], 50000 + (int)i, 0);
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 2);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->status, NAT_AMBIGUOUS);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->candidates, 2);
    ck_assert_uint_eq(row_of_inside(&f.r, 2)->status, NAT_AMBIGUOUS);
    ck_assert_uint_eq(f.r.ambiguous_inside, 2);
    ck_assert_uint_eq(f.r.ambiguous_outside, 2);
    assert_reconciles(&f);
    fixture_free(&f);
}
END_TEST

/* The same query ten seconds apart: once the offset is known, timing tells them apart. */
START_TEST(test_identical_payloads_told_apart_by_time)
{
    struct pair_fixture f;

    fixture_init(&f, 4, 4);
    make_tcp(&f.a[0], 0);
    make_udp(&f.a[1], 1, 0xabcdef);
    make_udp(&f.a[2], 100, 0xabcdef);
    make_tcp(&f.a[3], 3);
    for (size_t i = 0; i < 4; i++)
        translate(&f.b[i], &f.a[i], -1, -7 * SECOND);
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 4);
    ck_assert_uint_eq(row_of_inside(&f.r, 2)->outside, 2);
    ck_assert_uint_eq(row_of_inside(&f.r, 2)->evidence,
                      NAT_EV_PAYLOAD | NAT_EV_IPID | NAT_EV_TIMING);
    ck_assert_uint_eq(row_of_inside(&f.r, 2)->strength, NAT_STRONG);
    fixture_free(&f);
}
END_TEST

/* Outside 198.51.100.3 -> 198.51.100.1:8080 is inside 198.51.100.3 -> 10.0.0.10:80. */
START_TEST(test_port_forward)
{
    struct pair_fixture f;

    fixture_init(&f, 2, 2);
    make_tcp(&f.a[0], 0);
    translate(&f.b[0], &f.a[0], -1, 0);
    make_tcp(&f.a[1], 1);
    set4(f.a[1].client_addr, 198, 51, 100, 3);
    set4(f.a[1].server_addr, 10, 0, 0, 10);
    f.b[1] = f.a[1];
    set4(f.b[1].server_addr, 198, 51, 100, 1);
    f.b[1].server_port = 8080;
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->kind, NAT_KIND_FORWARD);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->change, NAT_CHANGE_BOTH);
    ck_assert_uint_eq(f.r.forwards, 1);
    ck_assert_uint_eq(f.r.n_publics, 1);
    ck_assert_uint_eq(f.r.publics[0].forwards, 1);
    ck_assert_uint_eq(f.r.publics[0].connections, 1);
    fixture_free(&f);
}
END_TEST

/* A router that rewrites the echo identifier: the sequence number and payload still pair. */
START_TEST(test_icmp_identifier_rewritten)
{
    struct pair_fixture f;

    fixture_init(&f, 1, 1);
    make_udp(&f.a[0], 0, 0x1234);
    f.a[0].proto = PS_IPPROTO_ICMP;
    f.a[0].scope = PKT_SCOPE_ECHO;
    f.a[0].server_port = 0;
    f.a[0].have |= NAT_HAVE_ECHO;
    f.a[0].echo_seq = 1;
    translate(&f.b[0], &f.a[0], 777, 0);
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.rows[0].status, NAT_PAIRED);
    ck_assert_uint_eq(f.r.rows[0].change, NAT_CHANGE_BOTH);
    ck_assert(f.r.rows[0].evidence & NAT_EV_ECHO);
    ck_assert_uint_eq(f.r.ports, NAT_PORTS_UNKNOWN); /* an identifier is no client port */
    fixture_free(&f);
}
END_TEST

/* Router solicitations and multicast reports carry the same bytes on both sides: never paired. */
START_TEST(test_link_local_not_paired)
{
    struct pair_fixture f;

    fixture_init(&f, 2, 2);
    make_tcp(&f.a[0], 0);
    translate(&f.b[0], &f.a[0], -1, 0);
    make_udp(&f.a[1], 1, 0x99);
    set4(f.a[1].server_addr, 224, 0, 0, 251);
    f.b[1] = f.a[1];
    set4(f.b[1].client_addr, 198, 51, 100, 1);
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 1);
    ck_assert_uint_eq(row_of_inside(&f.r, 1)->reason, NAT_REASON_LOCAL);
    fixture_free(&f);
}
END_TEST

/* IPv6 behind a NAT66 masquerade: no IP id, the rest pairs as for IPv4. */
START_TEST(test_ipv6_pairs)
{
    struct pair_fixture f;

    fixture_init(&f, 2, 2);
    for (size_t i = 0; i < 2; i++) {
        make_tcp(&f.a[i], i);
        f.a[i].family = 6;
        f.a[i].have &= (uint8_t)~NAT_HAVE_IPID_C;
        memset(f.a[i].client_addr, 0, 16);
        f.a[i].client_addr[0] = 0xfd, f.a[i].client_addr[15] = (uint8_t)(2 + i);
        memset(f.a[i].server_addr, 0, 16);
        f.a[i].server_addr[0] = 0x20, f.a[i].server_addr[1] = 0x01, f.a[i].server_addr[15] = 1;
        f.b[i] = f.a[i];
        f.b[i].client_addr[0] = 0x20, f.b[i].client_addr[1] = 0x01, f.b[i].client_addr[15] = 9;
    }
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.count[NAT_PAIRED], 2);
    ck_assert_uint_eq(f.r.rows[0].kind, NAT_KIND_SOURCE);
    ck_assert_uint_eq(f.r.rows[0].evidence, NAT_EV_ISN | NAT_EV_PAYLOAD | NAT_EV_TIMING);
    ck_assert_uint_eq(f.r.n_publics, 1);
    ck_assert_uint_eq(f.r.publics[0].family, 6);
    ck_assert_uint_eq(f.r.publics[0].inside_hosts, 2);
    fixture_free(&f);
}
END_TEST

/* The offset is the median of the strong pairs' start differences, not their mean: one pair
 * the router held back a second does not move it. */
START_TEST(test_offset_is_median)
{
    static const ps_time delay_us[] = {300, 100, 1000000, 200, 500, 400, 250};
    struct pair_fixture f;

    fixture_init(&f, 7, 7);
    for (size_t i = 0; i < 7; i++) {
        make_tcp(&f.a[i], i);
        translate(&f.b[i], &f.a[i], -1, 0);
        f.b[i].first_seen = f.a[i].first_seen + 60 * SECOND + delay_us[i] * 1000;
    }
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_int_eq(f.r.offset, 60 * SECOND + 300 * 1000);
    ck_assert_uint_eq(f.r.offset_samples, 7);
    fixture_free(&f);
}
END_TEST

static uint8_t policy_of(const int *ports, size_t n)
{
    struct pair_fixture f;
    uint8_t p;

    fixture_init(&f, n, n);
    for (size_t i = 0; i < n; i++) {
        make_tcp(&f.a[i], i);
        translate(&f.b[i], &f.a[i], ports[i], 0);
    }
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    p = f.r.ports;
    fixture_free(&f);
    return p;
}

START_TEST(test_port_policies)
{
    static const int kept[] = {-1, -1, -1, -1};
    static const int taken[] = {-1, -1, 61000, -1};
    static const int sequential[] = {1024, 1025, 1027, 1028, 1030};
    static const int random[] = {33012, 5120, 60999, 17000, 44444};

    ck_assert_uint_eq(policy_of(kept, 4), NAT_PORTS_PRESERVED);
    ck_assert_uint_eq(policy_of(taken, 4), NAT_PORTS_MOSTLY);
    ck_assert_uint_eq(policy_of(sequential, 5), NAT_PORTS_SEQUENTIAL);
    ck_assert_uint_eq(policy_of(random, 5), NAT_PORTS_RANDOM);
}
END_TEST

START_TEST(test_verdicts)
{
    struct pair_fixture f;
    char msg[512];

    fixture_init(&f, 2, 2);
    make_tcp(&f.a[0], 0);
    make_tcp(&f.a[1], 1);
    make_tcp(&f.b[0], 2);
    make_tcp(&f.b[1], 3);
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_ERR_UNRELATED);
    nat_verdict_message(NAT_ERR_UNRELATED, &f.in, &f.out, &f.r, msg, sizeof(msg));
    ck_assert(strstr(msg, "unrelated networks") != NULL);
    nat_result_release(&f.r);
    f.out.first = f.in.last + SECOND, f.out.last = f.in.last + 2 * SECOND;
    nat_verdict_message(NAT_ERR_UNRELATED, &f.in, &f.out, &f.r, msg, sizeof(msg));
    ck_assert(strstr(msg, "times do not overlap") != NULL);
    ck_assert_int_eq(nat_pair(&f.in, &f.in, &f.r), NAT_ERR_SAME);
    nat_result_release(&f.r);
    /* Other files, but the same packets at the same instants: one capture point. */
    f.b[0] = f.a[0];
    f.b[1] = f.a[1];
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_ERR_SAME_POINT);
    nat_verdict_message(NAT_ERR_SAME_POINT, &f.in, &f.out, &f.r, msg, sizeof(msg));
    ck_assert(strstr(msg, "one point") != NULL);
    nat_result_release(&f.r);
    f.b[1].first_seen += 20000; /* a router's delay: a plain router, reported */
    f.b[0].first_seen += 20000;
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_OK);
    ck_assert_uint_eq(f.r.rows[0].kind, NAT_KIND_ROUTED);
    nat_result_release(&f.r);
    /* Every flow fits both of the other side: nothing pairs, and the message says why. */
    make_udp(&f.a[0], 0, 0x77);
    make_udp(&f.a[1], 1, 0x77);
    translate(&f.b[0], &f.a[0], 5000, 0);
    translate(&f.b[1], &f.a[1], 5001, 0);
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_ERR_UNRELATED);
    nat_verdict_message(NAT_ERR_UNRELATED, &f.in, &f.out, &f.r, msg, sizeof(msg));
    ck_assert(strstr(msg, "2 fit several flows") != NULL);
    nat_result_release(&f.r);
    f.out.n_conns = 0;
    ck_assert_int_eq(nat_pair(&f.in, &f.out, &f.r), NAT_ERR_EMPTY);
    fixture_free(&f);
}
END_TEST

/* A TCP connection in a pcap file: SYN sent twice, SYN+ACK, ACK, data sent twice, the answer. */
static void put_tcp(FILE *fp, uint32_t sec, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                    uint16_t dport, uint32_t seq, uint8_t flags, const char *data, uint16_t ip_id)
{
    uint8_t p[14 + 20 + 20 + 64] = {0};
    size_t dlen = data != NULL ? strlen(data) : 0, len = 14 + 20 + 20 + dlen;
    uint32_t hdr[4] = {sec, 0, (uint32_t)len, (uint32_t)len};

    p[12] = 0x08;
    p[14] = 0x45;
    p[16] = (uint8_t)((len - 14) >> 8), p[17] = (uint8_t)(len - 14);
    p[18] = (uint8_t)(ip_id >> 8), p[19] = (uint8_t)ip_id;
    p[22] = 64, p[23] = 6;
    memcpy(p + 26, src, 4);
    memcpy(p + 30, dst, 4);
    p[34] = (uint8_t)(sport >> 8), p[35] = (uint8_t)sport;
    p[36] = (uint8_t)(dport >> 8), p[37] = (uint8_t)dport;
    p[38] = (uint8_t)(seq >> 24), p[39] = (uint8_t)(seq >> 16);
    p[40] = (uint8_t)(seq >> 8), p[41] = (uint8_t)seq;
    p[46] = 0x50, p[47] = flags;
    if (dlen > 0)
        memcpy(p + 54, data, dlen);
    fwrite(hdr, sizeof(hdr), 1, fp);
    fwrite(p, len, 1, fp);
}

START_TEST(test_side_read_with_retransmissions)
{
    static const uint8_t cli[4] = {10, 0, 0, 2}, srv[4] = {198, 51, 100, 2};
    char path[] = "/tmp/test_nat_XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "wb");
    uint32_t head[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    struct decode_config dc = {false, false};
    struct nat_read_config cfg = {&dc, NULL, 0};
    const char *paths[1] = {path};
    struct nat_side s;
    char err[256];

    ck_assert(fp != NULL);
    fwrite(head, sizeof(head), 1, fp);
    put_tcp(fp, 1, cli, 40000, srv, 80, 1000, 0x02, NULL, 1);
    put_tcp(fp, 2, cli, 40000, srv, 80, 1000, 0x02, NULL, 2);
    put_tcp(fp, 2, srv, 80, cli, 40000, 5000, 0x12, NULL, 0);
    put_tcp(fp, 2, cli, 40000, srv, 80, 1001, 0x10, NULL, 3);
    put_tcp(fp, 2, cli, 40000, srv, 80, 1001, 0x18, "GET / HTTP/1.0\r\n\r\n", 4);
    put_tcp(fp, 3, cli, 40000, srv, 80, 1001, 0x18, "GET / HTTP/1.0\r\n\r\n", 5);
    put_tcp(fp, 3, srv, 80, cli, 40000, 5001, 0x18, "HTTP/1.0 200 OK\r\n\r\n", 0);
    fclose(fp);
    ck_assert_int_eq(nat_side_read(&s, paths, 1, &cfg, err, sizeof(err)), 0);
    unlink(path);
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(s.packets, 7);
    const struct nat_conn *c = &s.conns[0];
    ck_assert_uint_eq(c->have, NAT_HAVE_ISN_C | NAT_HAVE_ISN_S | NAT_HAVE_PAY_C | NAT_HAVE_PAY_S |
                                   NAT_HAVE_IPID_C);
    ck_assert_uint_eq(c->isn[0], 1000);
    ck_assert_uint_eq(c->isn[1], 5000);
    ck_assert_uint_eq(c->pay_seq[0], 1001);
    ck_assert_uint_eq(c->pay_len[0], 18);
    ck_assert_uint_eq(c->ip_id[0], 4); /* the first sending, not the retransmission */
    ck_assert_uint_eq(c->packets[0], 5);
    ck_assert_uint_eq(c->packets[1], 2);
    ck_assert_uint_eq(c->client_port, 40000);
    ck_assert_int_eq(c->first_seen, (ps_time)1 * SECOND);
    nat_side_release(&s);
}
END_TEST

/* An IP-in-IP packet read under --no-decap: the tunnel is the flow, with no transport header to
 * read evidence from; it is counted and nothing else. */
START_TEST(test_side_read_tunnel_kept)
{
    char path[] = "/tmp/test_nat_XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "wb");
    uint32_t head[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    uint8_t p[14 + 20 + 20 + 20] = {0};
    uint32_t rec[4] = {5, 0, sizeof(p), sizeof(p)};
    struct decode_config dc = {true, false};
    struct nat_read_config cfg = {&dc, NULL, 0};
    const char *paths[1] = {path};
    struct nat_side s;
    char err[256];

    ck_assert(fp != NULL);
    p[12] = 0x08;
    p[14] = 0x45, p[17] = 60, p[22] = 64, p[23] = 4; /* outer: IPv4 carrying IPv4 */
    p[26] = 192, p[29] = 1, p[30] = 192, p[33] = 2;
    p[34] = 0x45, p[37] = 40, p[42] = 64, p[43] = 6; /* inner: IPv4 carrying TCP */
    p[46] = 10, p[49] = 1, p[50] = 10, p[53] = 2;
    p[54] = 0x9c, p[56] = 0x00, p[57] = 80, p[66] = 0x50, p[67] = 0x02;
    fwrite(head, sizeof(head), 1, fp);
    fwrite(rec, sizeof(rec), 1, fp);
    fwrite(p, sizeof(p), 1, fp);
    fclose(fp);
    ck_assert_int_eq(nat_side_read(&s, paths, 1, &cfg, err, sizeof(err)), 0);
    unlink(path);
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(s.conns[0].proto, 4);
    ck_assert_uint_eq(s.conns[0].have, 0);
    ck_assert_uint_eq(s.conns[0].packets[0] + s.conns[0].packets[1], 1);
    nat_side_release(&s);
}
END_TEST

static Suite *nat_suite(void)
{
    Suite *s = suite_create("nat");
    TCase *tc = tcase_create("match");

    tcase_add_test(tc, test_offset_found_and_all_paired);
    tcase_add_test(tc, test_loss_on_one_side);
    tcase_add_test(tc, test_first_payload_lost_outside);
    tcase_add_test(tc, test_contradicting_isn);
    tcase_add_test(tc, test_identical_payloads_ambiguous);
    tcase_add_test(tc, test_identical_payloads_told_apart_by_time);
    tcase_add_test(tc, test_port_forward);
    tcase_add_test(tc, test_icmp_identifier_rewritten);
    tcase_add_test(tc, test_link_local_not_paired);
    tcase_add_test(tc, test_port_policies);
    tcase_add_test(tc, test_ipv6_pairs);
    tcase_add_test(tc, test_offset_is_median);
    tcase_add_test(tc, test_verdicts);
    tcase_add_test(tc, test_side_read_with_retransmissions);
    tcase_add_test(tc, test_side_read_tunnel_kept);
    suite_add_tcase(s, tc);
    return s;
}

int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, nat_suite());
    return 0;
}
