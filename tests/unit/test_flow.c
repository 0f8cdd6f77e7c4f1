/*
 * test_flow.c - unit tests for the flow table (src/flow/): canonical keys, per-endpoint counters,
 * role evidence, the --max-flows limit, growth of the index, encapsulation paths, timeouts, the
 * queue streamed flows leave by, quiet flows moved to the compact store and back, and TCP's
 * conn_state and history.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "../../src/flow/flow_int.h" /* store_after, to see it adapt */

#define PROTO_GRE  47
#define MANY_FLOWS 200000

/* What the decoder concludes from TCP flags: SYN opens, SYN+ACK accepts. */
static uint8_t tcp_hint(uint8_t proto, uint8_t flags)
{
    if (proto != PS_IPPROTO_TCP)
        return PKT_HINT_NONE;
    switch (flags & (PS_TCP_SYN | PS_TCP_ACK)) {
    case PS_TCP_SYN:
        return PKT_HINT_OPEN;
    case PS_TCP_SYN | PS_TCP_ACK:
        return PKT_HINT_ACCEPT;
    default:
        return PKT_HINT_NONE;
    }
}

static struct pkt_info v4(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                          uint8_t flags)
{
    struct pkt_info p;

    memset(&p, 0, sizeof(p));
    p.family = 4;
    p.proto = proto;
    p.tcp_flags = flags;
    p.hint = tcp_hint(proto, flags);
    p.sport = sport;
    p.dport = dport;
    for (int i = 0; i < 4; i++) {
        p.src[i] = (uint8_t)(src >> (24 - 8 * i));
        p.dst[i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    return p;
}

/* 2001:db8::<src> and 2001:db8::<dst>. */
static struct pkt_info v6(uint8_t proto, uint16_t src, uint16_t sport, uint16_t dst, uint16_t dport,
                          uint8_t flags)
{
    static const uint8_t prefix[4] = {0x20, 0x01, 0x0d, 0xb8};
    struct pkt_info p;

    memset(&p, 0, sizeof(p));
    p.family = 6;
    p.proto = proto;
    p.tcp_flags = flags;
    p.hint = tcp_hint(proto, flags);
    p.sport = sport;
    p.dport = dport;
    memcpy(p.src, prefix, 4);
    memcpy(p.dst, prefix, 4);
    p.src[14] = (uint8_t)(src >> 8);
    p.src[15] = (uint8_t)src;
    p.dst[14] = (uint8_t)(dst >> 8);
    p.dst[15] = (uint8_t)dst;
    return p;
}

static struct pkt_info reversed(const struct pkt_info *p)
{
    struct pkt_info r = *p;

    memcpy(r.src, p->dst, sizeof(r.src));
    memcpy(r.dst, p->src, sizeof(r.dst));
    r.sport = p->dport;
    r.dport = p->sport;
    return r;
}

static void add_vlans(struct pkt_info *p, const uint32_t *ids, size_t n)
{
    p->n_encap = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        p->encap[i].kind = ENCAP_VLAN;
        p->encap[i].has_id = true;
        p->encap[i].id = ids[i];
    }
}

/* Adds a packet, checking that the sender it reports is the one its key says. */
static struct flow *add(struct flow_table *t, const struct pkt_info *p, ps_time ts, uint32_t len)
{
    struct flow_key key;
    uint8_t want, sender = 0xff;
    struct flow_packet fp = {ts, len, false};
    struct flow *f = flow_table_add_packet(t, p, &fp, &sender);

    flow_key_from_packet(p, &key, &want);
    ck_assert_uint_eq(sender, want);
    return f;
}

static struct flow_table *new_table(size_t max_flows)
{
    struct flow_table *t = flow_table_new(max_flows, 0x1234, NULL);

    ck_assert_ptr_nonnull(t);
    return t;
}

START_TEST(test_key_both_directions)
{
    struct pkt_info a = v4(PS_IPPROTO_TCP, 0x0a000002, 40000, 0x0a000001, 80, PS_TCP_SYN);
    struct pkt_info b = reversed(&a);
    struct flow_key ka, kb;
    uint8_t sa, sb;

    flow_key_from_packet(&a, &ka, &sa);
    flow_key_from_packet(&b, &kb, &sb);
    ck_assert_mem_eq(&ka, &kb, sizeof(ka));
    ck_assert_uint_eq(sa, 1);
    ck_assert_uint_eq(sb, 0);
    ck_assert_mem_eq(ka.addr[0], b.src, 4);
    ck_assert_mem_eq(ka.addr[1], a.src, 4);
    ck_assert_uint_eq(ka.port[0], 80);
    ck_assert_uint_eq(ka.port[1], 40000);
    ck_assert_uint_eq(ka.proto, PS_IPPROTO_TCP);
    ck_assert_uint_eq(ka.family, 4);
    ck_assert_uint_eq(ka.scope, 0);
}
END_TEST

START_TEST(test_key_ipv6_both_directions)
{
    struct pkt_info a = v6(PS_IPPROTO_UDP, 0x0100, 5353, 0x00ff, 5353, 0);
    struct pkt_info b = reversed(&a);
    struct flow_key ka, kb;
    uint8_t sa, sb;

    flow_key_from_packet(&a, &ka, &sa);
    flow_key_from_packet(&b, &kb, &sb);
    ck_assert_mem_eq(&ka, &kb, sizeof(ka));
    ck_assert_uint_ne(sa, sb);
    /* ::ff sorts before ::100 when compared byte by byte in network order. */
    ck_assert_uint_eq(sa, 1);
    ck_assert_mem_eq(ka.addr[0], a.dst, 16);
    ck_assert_mem_eq(ka.addr[1], a.src, 16);
    ck_assert_uint_eq(ka.family, 6);
}
END_TEST

START_TEST(test_key_ipv4_tail_zero)
{
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0xc0000201, 1000, 0xc0000202, 2000, 0);
    struct flow_key k;
    uint8_t s;

    /* Only the first 4 address bytes of an IPv4 packet mean anything. */
    memset(a.src + 4, 0xaa, 12);
    memset(a.dst + 4, 0x55, 12);
    flow_key_from_packet(&a, &k, &s);
    ck_assert_uint_eq(s, 0);
    for (size_t i = 4; i < 16; i++) {
        ck_assert_uint_eq(k.addr[0][i], 0);
        ck_assert_uint_eq(k.addr[1][i], 0);
    }
    ck_assert_mem_eq(k.addr[0], a.src, 4);
    ck_assert_mem_eq(k.addr[1], a.dst, 4);
}
END_TEST

START_TEST(test_key_equal_addresses_by_port)
{
    struct pkt_info a = v4(PS_IPPROTO_TCP, 0x7f000001, 50000, 0x7f000001, 8080, 0);
    struct pkt_info b = reversed(&a);
    struct flow_key ka, kb;
    uint8_t sa, sb;

    flow_key_from_packet(&a, &ka, &sa);
    flow_key_from_packet(&b, &kb, &sb);
    ck_assert_mem_eq(&ka, &kb, sizeof(ka));
    ck_assert_uint_eq(ka.port[0], 8080);
    ck_assert_uint_eq(ka.port[1], 50000);
    ck_assert_uint_eq(sa, 1);
    ck_assert_uint_eq(sb, 0);
}
END_TEST

START_TEST(test_key_equal_addresses_and_ports)
{
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x7f000001, 7, 0x7f000001, 7, 0);
    struct flow_key k;
    uint8_t s;

    flow_key_from_packet(&a, &k, &s);
    ck_assert_uint_eq(s, 0);
    ck_assert_uint_eq(k.port[0], 7);
    ck_assert_uint_eq(k.port[1], 7);
}
END_TEST

START_TEST(test_keys_differ_by_proto_and_family)
{
    struct pkt_info tcp = v4(PS_IPPROTO_TCP, 0x0a000001, 1, 0x0a000002, 2, 0);
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 1, 0x0a000002, 2, 0);
    struct pkt_info six = tcp;
    struct flow_table *t = new_table(0);

    six.family = 6;
    ck_assert_ptr_nonnull(add(t, &tcp, 1, 60));
    ck_assert_ptr_nonnull(add(t, &udp, 2, 60));
    ck_assert_ptr_nonnull(add(t, &six, 3, 60));
    ck_assert_uint_eq(flow_table_count(t), 3);
    flow_table_free(t);
}
END_TEST

START_TEST(test_key_vlan_scope)
{
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x0a000001, 1000, 0x0a000002, 53, 0);
    struct pkt_info b = a;
    struct flow_table *t = new_table(0);
    struct flow_key k;
    uint8_t s;

    /* Under --vlan-in-key the decoder fills pkt_info.vlan: the same 5-tuple on two VLANs. */
    a.vlan = 10;
    b.vlan = 20;
    flow_key_from_packet(&a, &k, &s);
    ck_assert_uint_eq(FLOW_KEY_VLAN(&k), 10);
    ck_assert_uint_eq(FLOW_KEY_SCOPE(&k), PKT_SCOPE_PORTS);
    ck_assert_ptr_ne(add(t, &a, 1, 60), add(t, &b, 2, 60));
    ck_assert_uint_eq(flow_table_count(t), 2);
    flow_table_free(t);
}
END_TEST

START_TEST(test_counters_per_endpoint)
{
    struct pkt_info c2s = v4(PS_IPPROTO_TCP, 0x0a000002, 40000, 0x0a000001, 443, PS_TCP_ACK);
    struct pkt_info s2c = reversed(&c2s);
    struct flow_table *t = new_table(0);
    struct flow *f, *g, buf;

    f = add(t, &c2s, 5000, 100);
    ck_assert_ptr_nonnull(f);
    g = add(t, &s2c, 7000, 1500);
    ck_assert_ptr_eq(f, g);
    ck_assert_ptr_eq(add(t, &s2c, 6000, 1500), f);
    ck_assert_ptr_eq(add(t, &c2s, 9000, 40), f);
    ck_assert_ptr_eq(add(t, &c2s, 1000, 60), f);

    /* The client 10.0.0.2 sorts second: it is endpoint 1. */
    ck_assert_uint_eq(f->first_sender, 1);
    ck_assert_uint_eq(f->packets[1], 3);
    ck_assert_uint_eq(f->bytes[1], 200);
    ck_assert_uint_eq(f->packets[0], 2);
    ck_assert_uint_eq(f->bytes[0], 3000);
    ck_assert_int_eq(f->first_seen, 1000);
    ck_assert_int_eq(f->last_seen, 9000);
    ck_assert_uint_eq(f->role_seen, 0);
    ck_assert_uint_eq(f->path_id, 0);
    ck_assert_uint_eq(flow_table_count(t), 1);
    ck_assert_ptr_eq(flow_table_get(t, 0, &buf), f);
    flow_table_free(t);
}
END_TEST

/* Each endpoint's TTL is that of the first packet it sent; later packets do not change it. */
START_TEST(test_first_ttl_per_endpoint)
{
    struct pkt_info c2s = v4(PS_IPPROTO_TCP, 0x0a000002, 40000, 0x0a000001, 443, PS_TCP_SYN);
    struct pkt_info s2c = reversed(&c2s);
    struct flow_table *t = new_table(0);
    struct flow *f;

    c2s.ttl = 64;
    s2c.ttl = 0; /* a TTL of 0 counts as none: the next packet's is kept */
    f = add(t, &c2s, 1000, 60);
    ck_assert_ptr_eq(add(t, &s2c, 2000, 60), f);
    ck_assert_uint_eq(f->ttl[1], 64);
    ck_assert_uint_eq(f->ttl[0], 0);
    s2c.ttl = 119;
    c2s.ttl = 63;
    ck_assert_ptr_eq(add(t, &s2c, 3000, 60), f);
    ck_assert_ptr_eq(add(t, &c2s, 4000, 60), f);
    ck_assert_uint_eq(f->ttl[1], 64);
    ck_assert_uint_eq(f->ttl[0], 119);
    flow_table_free(t);
}
END_TEST

/* flow_table_roles(): a live flow's key and role bits, as flow_table_get() has them. */
START_TEST(test_roles_of_live_flow)
{
    struct pkt_info syn = v4(PS_IPPROTO_TCP, 0x0a000002, 40000, 0x0a000001, 443, PS_TCP_SYN);
    struct flow_table *t = new_table(0);
    struct flow_key key;
    struct flow *f = add(t, &syn, 1000, 60);

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(flow_table_roles(t, 0, &key), FLOW_OPEN_FROM(1));
    ck_assert_mem_eq(&key, &f->key, sizeof(key));
    flow_table_free(t);
}
END_TEST

START_TEST(test_first_sender_endpoint_zero)
{
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x0a000001, 53, 0x0a000002, 40001, 0);
    struct pkt_info b = reversed(&a);
    struct flow_table *t = new_table(0);
    struct flow *f = add(t, &a, -5, 80);

    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(add(t, &b, -10, 90), f);
    ck_assert_uint_eq(f->first_sender, 0);
    ck_assert_int_eq(f->first_seen, -10);
    ck_assert_int_eq(f->last_seen, -5);
    ck_assert_uint_eq(f->packets[0], 1);
    ck_assert_uint_eq(f->packets[1], 1);
    flow_table_free(t);
}
END_TEST

START_TEST(test_syn_evidence)
{
    struct pkt_info syn = v4(PS_IPPROTO_TCP, 0x0a000002, 40000, 0x0a000001, 22, PS_TCP_SYN);
    struct pkt_info synack = reversed(&syn);
    struct pkt_info ack = v4(PS_IPPROTO_TCP, 0x0a000002, 40000, 0x0a000001, 22, PS_TCP_ACK);
    struct flow_table *t = new_table(0);
    struct flow *f;

    synack.tcp_flags = PS_TCP_SYN | PS_TCP_ACK;
    synack.hint = PKT_HINT_ACCEPT;
    f = add(t, &ack, 1, 60);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->role_seen, 0);
    add(t, &synack, 2, 60);
    ck_assert_uint_eq(f->role_seen, FLOW_ACCEPT_FROM(0));
    add(t, &syn, 3, 60);
    ck_assert_uint_eq(f->role_seen, FLOW_ACCEPT_FROM(0) | FLOW_OPEN_FROM(1));
    add(t, &ack, 4, 60);
    ck_assert_uint_eq(f->role_seen, FLOW_ACCEPT_FROM(0) | FLOW_OPEN_FROM(1));
    flow_table_free(t);
}
END_TEST

START_TEST(test_evidence_from_hint)
{
    struct pkt_info init = v4(PS_IPPROTO_SCTP, 0x0a000001, 3868, 0x0a000002, 3868, 0);
    struct pkt_info init_ack = reversed(&init);
    struct pkt_info data = init;
    struct flow_table *t = new_table(0);
    struct flow *f;

    /* The decoder's hint is the evidence, whatever the protocol (here SCTP INIT, INIT ACK). */
    init.hint = PKT_HINT_OPEN;
    init_ack.hint = PKT_HINT_ACCEPT;
    f = add(t, &init, 1, 60);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->role_seen, FLOW_OPEN_FROM(0));
    ck_assert_ptr_eq(add(t, &init_ack, 2, 60), f);
    ck_assert_uint_eq(f->role_seen, FLOW_OPEN_FROM(0) | FLOW_ACCEPT_FROM(1));
    ck_assert_ptr_eq(add(t, &data, 3, 60), f);
    ck_assert_uint_eq(f->role_seen, FLOW_OPEN_FROM(0) | FLOW_ACCEPT_FROM(1));
    flow_table_free(t);
}
END_TEST

START_TEST(test_max_flows)
{
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x0a000001, 1000, 0x0a000009, 53, 0);
    struct pkt_info b = v4(PS_IPPROTO_UDP, 0x0a000002, 1000, 0x0a000009, 53, 0);
    struct pkt_info c = v4(PS_IPPROTO_UDP, 0x0a000003, 1000, 0x0a000009, 53, 0);
    struct pkt_info a_back = reversed(&a);
    struct flow_table *t = new_table(2);
    struct flow_key kc;
    uint8_t sender;
    struct flow *fa, *fb;

    fa = add(t, &a, 1, 100);
    fb = add(t, &b, 2, 100);
    ck_assert_ptr_nonnull(fa);
    ck_assert_ptr_nonnull(fb);
    ck_assert_ptr_null(add(t, &c, 3, 100));
    ck_assert_ptr_null(add(t, &c, 4, 100));
    ck_assert_uint_eq(flow_table_count(t), 2);
    flow_key_from_packet(&c, &kc, &sender);
    ck_assert_ptr_null(flow_table_lookup(t, &kc));

    ck_assert_ptr_eq(add(t, &a_back, 5, 300), fa);
    ck_assert_ptr_eq(add(t, &b, 6, 100), fb);
    ck_assert_uint_eq(fa->packets[0] + fa->packets[1], 2);
    ck_assert_uint_eq(fa->bytes[0] + fa->bytes[1], 400);
    ck_assert_int_eq(fa->last_seen, 5);
    ck_assert_uint_eq(fb->packets[0] + fb->packets[1], 2);
    ck_assert_uint_eq(flow_table_count(t), 2);
    flow_table_free(t);
}
END_TEST

/* Flow i of the growth test: distinct source address and port for every i. */
static struct pkt_info nth_flow(uint32_t i)
{
    return v4(i % 3 == 0 ? PS_IPPROTO_UDP : PS_IPPROTO_TCP, 0x0a000000 + i / 7,
              (uint16_t)(1024 + i % 7), 0xc0a80001, 443, 0);
}

START_TEST(test_growth)
{
    struct pkt_info absent = v4(PS_IPPROTO_SCTP, 0x0a000000, 1024, 0xc0a80001, 443, 0);
    struct flow_table *t = new_table(0);
    struct flow_key k;
    struct flow buf;
    uint8_t sender;

    for (uint32_t i = 0; i < MANY_FLOWS; i++) {
        struct pkt_info p = nth_flow(i);
        struct pkt_info earlier = nth_flow(i / 2);

        ck_assert_ptr_nonnull(add(t, &p, (ps_time)i, 100));
        ck_assert_uint_eq(flow_table_count(t), i + 1);
        /* An earlier flow stays findable while the index moves to a bigger one. */
        flow_key_from_packet(&earlier, &k, &sender);
        ck_assert_ptr_nonnull(flow_table_lookup(t, &k));
    }
    for (uint32_t i = 0; i < MANY_FLOWS; i++) {
        struct pkt_info p = nth_flow(i);
        const struct flow *f = flow_table_get(t, i, &buf);

        flow_key_from_packet(&p, &k, &sender);
        ck_assert_mem_eq(&f->key, &k, sizeof(k));
        ck_assert_ptr_eq(flow_table_lookup(t, &k), f);
        ck_assert_int_eq(f->first_seen, (ps_time)i);
    }
    for (uint32_t i = 0; i < MANY_FLOWS; i++) {
        struct pkt_info p = nth_flow(i);
        struct pkt_info back = reversed(&p);

        ck_assert_ptr_eq(add(t, &back, MANY_FLOWS, 50), flow_table_get(t, i, &buf));
    }
    ck_assert_uint_eq(flow_table_count(t), MANY_FLOWS);
    for (uint32_t i = 0; i < MANY_FLOWS; i++) {
        const struct flow *f = flow_table_get(t, i, &buf);

        ck_assert_uint_eq(f->packets[0] + f->packets[1], 2);
        ck_assert_uint_eq(f->bytes[0] + f->bytes[1], 150);
    }
    flow_key_from_packet(&absent, &k, &sender);
    ck_assert_ptr_null(flow_table_lookup(t, &k));
    flow_table_free(t);
}
END_TEST

START_TEST(test_order_independent_of_seed)
{
    struct flow_table *t1 = flow_table_new(0, 1, NULL), *t2 = flow_table_new(0, 0xfeedface, NULL);
    struct flow b1, b2;

    ck_assert_ptr_nonnull(t1);
    ck_assert_ptr_nonnull(t2);
    for (uint32_t i = 0; i < 5000; i++) {
        struct pkt_info p = nth_flow(i * 7919 % 5000);

        add(t1, &p, i, 60);
        add(t2, &p, i, 60);
    }
    ck_assert_uint_eq(flow_table_count(t1), 5000);
    ck_assert_uint_eq(flow_table_count(t2), 5000);
    for (size_t i = 0; i < 5000; i++)
        ck_assert_mem_eq(&flow_table_get(t1, i, &b1)->key, &flow_table_get(t2, i, &b2)->key,
                         sizeof(struct flow_key));
    flow_table_free(t1);
    flow_table_free(t2);
}
END_TEST

START_TEST(test_paths)
{
    static const uint32_t vlan10[] = {10};
    static const uint32_t qinq[] = {100, 10};
    struct pkt_info bare = v4(PS_IPPROTO_UDP, 0x0a000001, 1, 0x0a000002, 2, 0);
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x0a000001, 3, 0x0a000002, 4, 0);
    struct pkt_info b = v4(PS_IPPROTO_TCP, 0x0a000003, 5, 0x0a000004, 6, 0);
    struct pkt_info c = v4(PS_IPPROTO_UDP, 0x0a000001, 7, 0x0a000002, 8, 0);
    struct flow_table *t = new_table(0);
    struct flow *fbare, *fa, *fb, *fc;
    const struct encap *hops;
    size_t len = 99;

    add_vlans(&a, vlan10, 1);
    add_vlans(&b, vlan10, 1);
    add_vlans(&c, qinq, 2);
    fbare = add(t, &bare, 1, 60);
    fa = add(t, &a, 2, 60);
    fb = add(t, &b, 3, 60);
    fc = add(t, &c, 4, 60);
    ck_assert_ptr_nonnull(fbare);
    ck_assert_ptr_nonnull(fa);
    ck_assert_ptr_nonnull(fb);
    ck_assert_ptr_nonnull(fc);

    ck_assert_uint_eq(fbare->path_id, 0);
    ck_assert_ptr_null(flow_table_path(t, 0, &len));
    ck_assert_uint_eq(len, 0);

    ck_assert_uint_ne(fa->path_id, 0);
    ck_assert_uint_eq(fa->path_id, fb->path_id);
    hops = flow_table_path(t, fa->path_id, &len);
    ck_assert_ptr_nonnull(hops);
    ck_assert_uint_eq(len, 1);
    ck_assert_uint_eq(hops[0].kind, ENCAP_VLAN);
    ck_assert(hops[0].has_id);
    ck_assert_uint_eq(hops[0].id, 10);

    ck_assert_uint_ne(fc->path_id, 0);
    ck_assert_uint_ne(fc->path_id, fa->path_id);
    hops = flow_table_path(t, fc->path_id, &len);
    ck_assert_ptr_nonnull(hops);
    ck_assert_uint_eq(len, 2);
    ck_assert_uint_eq(hops[0].id, 100);
    ck_assert_uint_eq(hops[1].id, 10);

    len = 99;
    ck_assert_ptr_null(flow_table_path(t, (uint16_t)(fc->path_id + 1), &len));
    ck_assert_uint_eq(len, 0);
    flow_table_free(t);
}
END_TEST

START_TEST(test_path_of_first_packet)
{
    static const uint32_t first[] = {20};
    static const uint32_t later[] = {30};
    struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000001, 1, 0x0a000002, 2, 0);
    struct pkt_info q = reversed(&p);
    struct flow_table *t = new_table(0);
    struct flow *f;
    const struct encap *hops;
    size_t len;

    add_vlans(&p, first, 1);
    add_vlans(&q, later, 1);
    f = add(t, &p, 1, 60);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(add(t, &q, 2, 60), f);
    ck_assert_uint_eq(flow_table_count(t), 1);
    hops = flow_table_path(t, f->path_id, &len);
    ck_assert_uint_eq(len, 1);
    ck_assert_uint_eq(hops[0].id, 20);
    flow_table_free(t);
}
END_TEST

START_TEST(test_many_paths)
{
    struct flow_table *t = new_table(0);

    /* More distinct paths than the first allocation of the path list holds. */
    for (uint32_t round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < 100; i++) {
            uint32_t id = i + 1;
            struct pkt_info p =
                v4(PS_IPPROTO_UDP, 0x0a000001 + round, (uint16_t)i, 0x0a0000ff, 53, 0);
            struct flow *f;
            const struct encap *hops;
            size_t len;

            add_vlans(&p, &id, 1);
            f = add(t, &p, i, 60);
            ck_assert_ptr_nonnull(f);
            ck_assert_uint_eq(f->path_id, i + 1);
            hops = flow_table_path(t, f->path_id, &len);
            ck_assert_uint_eq(len, 1);
            ck_assert_uint_eq(hops[0].id, id);
        }
    }
    flow_table_free(t);
}
END_TEST

START_TEST(test_path_ignores_unused_bytes)
{
    static const uint32_t vlan10[] = {10};
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x0a000001, 1, 0x0a000002, 2, 0);
    struct pkt_info b = v4(PS_IPPROTO_UDP, 0x0a000001, 3, 0x0a000002, 4, 0);
    struct flow_table *t = new_table(0);
    struct flow *fa, *fb;

    /*
     * The same path from hops that were not zeroed first: only the fields (kind, id) of the
     * n_encap hops in use may decide which path it is, not the padding between them.
     */
    memset(b.encap, 0xff, sizeof(b.encap));
    add_vlans(&a, vlan10, 1);
    add_vlans(&b, vlan10, 1);
    fa = add(t, &a, 1, 60);
    fb = add(t, &b, 2, 60);
    ck_assert_ptr_nonnull(fa);
    ck_assert_ptr_nonnull(fb);
    ck_assert_ptr_ne(fa, fb);
    ck_assert_uint_eq(fa->path_id, fb->path_id);
    flow_table_free(t);
}
END_TEST

START_TEST(test_portless_flow)
{
    struct pkt_info gre = v4(PROTO_GRE, 0x0a000002, 0, 0x0a000001, 0, 0);
    struct pkt_info back = reversed(&gre);
    struct flow_table *t = new_table(0);
    struct flow *f = add(t, &gre, 1, 100);

    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(add(t, &back, 2, 100), f);
    ck_assert_uint_eq(f->first_sender, 1);
    ck_assert_uint_eq(f->key.port[0], 0);
    ck_assert_uint_eq(f->key.port[1], 0);
    flow_table_free(t);
}
END_TEST

#define SEC ((ps_time)1000000000)

static struct flow_table *zeek_table(void)
{
    struct flow_lifecycle lc;

    flow_lifecycle_zeek(&lc);
    return flow_table_new(0, 7, &lc);
}

/* A TCP segment from 10.0.0.1:40000 (client) or 10.0.0.2:80, with a sequence number. */
static struct pkt_info segment(bool from_client, uint8_t flags, uint32_t seq)
{
    struct pkt_info p = from_client ? v4(PS_IPPROTO_TCP, 0x0a000001, 40000, 0x0a000002, 80, flags)
                                    : v4(PS_IPPROTO_TCP, 0x0a000002, 80, 0x0a000001, 40000, flags);

    p.tcp_seq = seq;
    return p;
}

/* Handshake and FIN both ways, from t = 0 to t = 4 ms. */
static struct flow *closed_connection(struct flow_table *t)
{
    struct pkt_info p;
    struct flow *f;

    p = segment(true, PS_TCP_SYN, 100);
    f = add(t, &p, 0, 60);
    p = segment(false, PS_TCP_SYN | PS_TCP_ACK, 500);
    add(t, &p, 1000000, 60);
    p = segment(true, PS_TCP_ACK, 101);
    add(t, &p, 2000000, 60);
    p = segment(true, PS_TCP_FIN | PS_TCP_ACK, 101);
    add(t, &p, 3000000, 60);
    p = segment(false, PS_TCP_FIN | PS_TCP_ACK, 501);
    add(t, &p, 4000000, 60);
    return f;
}

START_TEST(test_close_delay)
{
    struct flow_table *t = zeek_table();
    struct flow *first = closed_connection(t), *f;
    struct pkt_info ack = segment(true, PS_TCP_ACK, 102);

    ck_assert_uint_eq(flow_tcp_conn_state(first, 0), FLOW_CONN_SF);
    /* Within Zeek's 5 s close delay a late ACK still belongs to the connection... */
    ck_assert_ptr_eq(add(t, &ack, 4 * SEC, 60), first);
    /* ...after it, the same addresses and ports start a new flow. */
    f = add(t, &ack, 10 * SEC, 60);
    ck_assert_ptr_ne(f, first);
    ck_assert_uint_eq(f->start, FLOW_START_IDLE);
    ck_assert_uint_eq(f->prev, first->id + 1);
    ck_assert(first->ended);
    flow_table_free(t);
}
END_TEST

/* A connection closed one way only is half-closed, not closed: it waits its idle timeout. */
START_TEST(test_half_closed_waits_idle)
{
    struct flow_table *t = zeek_table();
    struct pkt_info p;
    struct flow *f;

    p = segment(true, PS_TCP_SYN, 100);
    f = add(t, &p, 0, 60);
    p = segment(false, PS_TCP_SYN | PS_TCP_ACK, 500);
    add(t, &p, 1000000, 60);
    p = segment(true, PS_TCP_FIN | PS_TCP_ACK, 101);
    add(t, &p, 2000000, 60);
    p = segment(false, PS_TCP_ACK, 501);
    ck_assert_ptr_eq(add(t, &p, 60 * SEC, 60), f);
    ck_assert_str_eq(flow_tcp_conn_state_name(flow_tcp_conn_state(f, 0)), "S2");
    flow_table_free(t);
}
END_TEST

/* A table with no timeout but an active timeout of 100 s for UDP. */
static struct flow_table *active_table(void)
{
    struct flow_lifecycle lc;

    flow_lifecycle_wireshark(&lc);
    lc.active[FLOW_CLASS_UDP] = 100 * SEC;
    return flow_table_new(0, 7, &lc);
}

/* The active timeout counts from a flow's first packet, however busy the flow stays. */
START_TEST(test_active_timeout_from_first_packet)
{
    struct flow_table *t = active_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct flow *f = add(t, &udp, 0, 60), *g;

    for (ps_time s = 10; s <= 100; s += 10)
        ck_assert_ptr_eq(add(t, &udp, s * SEC, 60), f);
    g = add(t, &udp, 101 * SEC, 60);
    ck_assert_ptr_ne(g, f);
    ck_assert_uint_eq(g->start, FLOW_START_ACTIVE);
    flow_table_free(t);
}
END_TEST

START_TEST(test_idle_timeout_per_protocol)
{
    struct flow_table *t = zeek_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info syn = segment(true, PS_TCP_SYN, 100), ack = segment(true, PS_TCP_ACK, 101);
    struct flow *u, *tcp;

    u = add(t, &udp, 0, 60);
    ck_assert_ptr_eq(add(t, &udp, 60 * SEC, 60), u); /* exactly the timeout: not past it */
    ck_assert_ptr_ne(add(t, &udp, 121 * SEC, 60), u);
    tcp = add(t, &syn, 0, 60);
    ck_assert_ptr_eq(add(t, &ack, 299 * SEC, 60), tcp); /* TCP waits 300 s */
    ck_assert_ptr_ne(add(t, &ack, 600 * SEC, 60), tcp);
    flow_table_free(t);
}
END_TEST

START_TEST(test_syn_with_new_isn)
{
    struct flow_lifecycle lc;
    struct flow_table *t;
    struct pkt_info syn = segment(true, PS_TCP_SYN, 100), again = segment(true, PS_TCP_SYN, 900);
    struct flow *f, *g;

    flow_lifecycle_wireshark(&lc);
    t = flow_table_new(0, 7, &lc);
    f = add(t, &syn, 0, 60);
    ck_assert_ptr_eq(add(t, &syn, SEC, 60), f); /* a retransmitted SYN: same ISN */
    ck_assert_uint_eq(f->tcp.retrans[0], 1);
    g = add(t, &again, 2 * SEC, 60);
    ck_assert_ptr_ne(g, f);
    ck_assert_uint_eq(g->start, FLOW_START_SYN_NEW_ISN);
    /* Wireshark never times a conversation out. */
    ck_assert_ptr_eq(add(t, &again, 100000 * SEC, 60), g);
    flow_table_free(t);
}
END_TEST

static struct flow_table *streaming_table(void)
{
    struct flow_table *t = zeek_table();

    ck_assert_int_eq(flow_table_stream(t), 0);
    return t;
}

/*
 * Takes every flow waiting in the queue, appending their ids to ids[*n] (NULL: only counts);
 * returns how many it took.
 */
static size_t take_ended(struct flow_table *t, uint32_t *ids, size_t *n)
{
    const struct flow *f;
    size_t taken = 0;

    while ((f = flow_table_ended(t)) != NULL) {
        ck_assert(!f->gone); /* a copy as the flow was when it ended, not the freed record */
        if (ids != NULL)
            ids[(*n)++] = f->id;
        taken++;
    }
    return taken;
}

START_TEST(test_stream_writes_and_forgets)
{
    struct flow_table *t = streaming_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct flow_key key;
    uint8_t sender;
    struct flow *f;

    f = add(t, &udp, 0, 60);
    closed_connection(t);
    ck_assert(!flow_table_advance(t, 2 * SEC));
    ck_assert(flow_table_advance(t, 30 * SEC)); /* the closed connection is past its 5 s */
    ck_assert_uint_eq(take_ended(t, NULL, NULL), 1);
    ck_assert(!flow_table_advance(t, 30 * SEC));
    ck_assert(flow_table_advance(t, 62 * SEC)); /* and the UDP flow past its 60 s */
    ck_assert_uint_eq(take_ended(t, NULL, NULL), 1);
    ck_assert(!flow_table_advance(t, 62 * SEC));
    ck_assert(f->gone);
    flow_key_from_packet(&udp, &key, &sender);
    ck_assert_ptr_null(flow_table_lookup(t, &key));
    /* Forgotten: the next packet starts afresh, in a reused record. */
    f = add(t, &udp, 63 * SEC, 60);
    ck_assert_uint_eq(f->start, FLOW_START_FIRST);
    ck_assert_int_eq(flow_table_end_all(t), 1);
    ck_assert_uint_eq(take_ended(t, NULL, NULL), 1);
    ck_assert_int_eq(flow_table_end_all(t), 0);
    ck_assert_ptr_null(flow_table_ended(t));
    flow_table_free(t);
}
END_TEST

/*
 * Flows leave in the order they end, whichever way they end: past a timeout on the wheel, taken
 * over by a packet on their key, or at the end.
 */
START_TEST(test_queue_in_end_order)
{
    struct flow_table *t = streaming_table();
    struct pkt_info x0 = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info x1 = v4(PS_IPPROTO_UDP, 0x0a000001, 5001, 0x0a000002, 53, 0);
    uint32_t ids[8], want[4], again;
    size_t n = 0;

    want[2] = add(t, &x0, 0, 60)->id;
    want[1] = add(t, &x1, 2 * SEC, 60)->id;
    want[0] = closed_connection(t)->id;
    ck_assert(flow_table_advance(t, 30 * SEC)); /* the connection, past its close delay */
    take_ended(t, ids, &n);
    /* x1's next packet, past its idle timeout, ends it before the wheel's turn ends x0. */
    again = add(t, &x1, 70 * SEC, 60)->id;
    want[3] = again;
    ck_assert(flow_table_advance(t, 70 * SEC));
    take_ended(t, ids, &n);
    ck_assert(!flow_table_advance(t, 70 * SEC));
    ck_assert_int_eq(flow_table_end_all(t), 1);
    take_ended(t, ids, &n);
    ck_assert_int_eq(flow_table_end_all(t), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_mem_eq(ids, want, sizeof(want));
    flow_table_free(t);
}
END_TEST

/* A flow a packet ends is reported by the next advance, even when no timeout is near. */
START_TEST(test_queue_reports_taken_over_flow)
{
    struct flow_lifecycle lc;
    struct flow_table *t;
    struct pkt_info syn = segment(true, PS_TCP_SYN, 100), again = segment(true, PS_TCP_SYN, 900);
    uint32_t first, id;
    size_t n = 0;

    flow_lifecycle_wireshark(&lc); /* no timeouts: the wheel never turns */
    t = flow_table_new(0, 7, &lc);
    ck_assert_int_eq(flow_table_stream(t), 0);
    first = add(t, &syn, 0, 60)->id;
    ck_assert(!flow_table_advance(t, SEC));
    add(t, &again, 2 * SEC, 60); /* a new ISN: a new connection */
    ck_assert(flow_table_advance(t, 2 * SEC));
    ck_assert_uint_eq(take_ended(t, &id, &n), 1);
    ck_assert_uint_eq(id, first);
    ck_assert(!flow_table_advance(t, 2 * SEC));
    flow_table_free(t);
}
END_TEST

#define QUEUE_FLOWS (3 * FLOW_QUEUE_ROOM + 5)

/* QUEUE_FLOWS UDP flows, one a millisecond from `start`, from port `port` on. */
static void add_queue_flows(struct flow_table *t, ps_time start, uint16_t port)
{
    for (uint32_t i = 0; i < QUEUE_FLOWS; i++) {
        struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000000 + i, port, 0x0a000001, 53, 0);

        ck_assert_ptr_nonnull(add(t, &p, start + i * (SEC / 1000), 100));
    }
}

/*
 * More flows end at once than the queue holds: the wheel's turn and the end stop when it is full
 * and go on once it was taken, never holding more than FLOW_QUEUE_ROOM, none lost or reordered.
 */
START_TEST(test_queue_bounded)
{
    struct flow_table *t = streaming_table();
    uint32_t *ids = malloc(2 * QUEUE_FLOWS * sizeof(*ids));
    size_t n = 0, takes = 0;

    ck_assert_ptr_nonnull(ids);
    add_queue_flows(t, 0, 5000);
    while (flow_table_advance(t, 200 * SEC)) { /* every one past its 60 s */
        ck_assert_uint_le(take_ended(t, ids, &n), FLOW_QUEUE_ROOM);
        takes++;
    }
    ck_assert_uint_eq(n, QUEUE_FLOWS);
    ck_assert_uint_ge(takes, 4);
    add_queue_flows(t, 300 * SEC, 6000);
    while (flow_table_end_all(t) == 1)
        ck_assert_uint_le(take_ended(t, ids, &n), FLOW_QUEUE_ROOM);
    ck_assert_uint_eq(n, 2 * QUEUE_FLOWS);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_uint_eq(ids[i], i);
    ck_assert_ptr_null(flow_table_ended(t));
    free(ids);
    flow_table_free(t);
}
END_TEST

/* Streaming ends a flow at its active timeout from its first packet, busy or not. */
START_TEST(test_active_timeout_streaming)
{
    struct flow_table *t = active_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);

    ck_assert_int_eq(flow_table_stream(t), 0);
    add(t, &udp, 0, 60);
    add(t, &udp, 50 * SEC, 60);
    flow_table_advance(t, 90 * SEC);
    ck_assert_uint_eq(take_ended(t, NULL, NULL), 0);
    flow_table_advance(t, 110 * SEC);
    ck_assert_uint_eq(take_ended(t, NULL, NULL), 1);
    flow_table_free(t);
}
END_TEST

/* The union of the TCP flags each endpoint sent (IPFIX tcpControlBits, one per direction). */
START_TEST(test_tcp_flags_per_endpoint)
{
    struct flow_table *t = zeek_table();
    struct flow *f = closed_connection(t);
    struct pkt_info data = segment(true, PS_TCP_PSH | PS_TCP_ACK, 102);

    ck_assert_ptr_eq(add(t, &data, 4500000, 100), f);
    ck_assert_uint_eq(f->tcp.flags[0], PS_TCP_SYN | PS_TCP_ACK | PS_TCP_FIN | PS_TCP_PSH);
    ck_assert_uint_eq(f->tcp.flags[1], PS_TCP_SYN | PS_TCP_ACK | PS_TCP_FIN);
    flow_table_free(t);
}
END_TEST

/* Why a flow ended, when a packet starts the next on its key; none while it lasts. */
START_TEST(test_end_reasons)
{
    struct flow_table *t = zeek_table(), *a = active_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info ack = segment(true, PS_TCP_ACK, 102), syn = segment(true, PS_TCP_SYN, 7);
    struct flow *closed = closed_connection(t), *u = add(t, &udp, 0, 60), *g;

    ck_assert_uint_eq(closed->end, FLOW_END_NONE);
    g = add(t, &ack, 10 * SEC, 60); /* past the close delay */
    ck_assert_uint_eq(closed->end, FLOW_END_CLOSED);
    add(t, &udp, 100 * SEC, 60);
    ck_assert_uint_eq(u->end, FLOW_END_IDLE);
    add(t, &syn, 11 * SEC, 60); /* a new ISN on an open connection */
    ck_assert_uint_eq(g->end, FLOW_END_CLOSED);
    u = add(a, &udp, 0, 60);
    add(a, &udp, 101 * SEC, 60);
    ck_assert_uint_eq(u->end, FLOW_END_ACTIVE);
    flow_table_free(t);
    flow_table_free(a);
}
END_TEST

/* Streaming: the reason travels with the copy in the queue; the input's end leaves none. */
START_TEST(test_end_reasons_streaming)
{
    struct flow_table *t = streaming_table(), *a = active_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info other = v4(PS_IPPROTO_UDP, 0x0a000001, 5001, 0x0a000002, 53, 0);
    const struct flow *f;

    closed_connection(t);
    add(t, &udp, 0, 60);
    add(t, &other, 50 * SEC, 60);
    while (flow_table_advance(t, 70 * SEC))
        while ((f = flow_table_ended(t)) != NULL)
            ck_assert_uint_eq(f->end,
                              f->key.proto == PS_IPPROTO_TCP ? FLOW_END_CLOSED : FLOW_END_IDLE);
    ck_assert_int_eq(flow_table_end_all(t), 1);
    f = flow_table_ended(t);
    ck_assert_uint_eq(f->key.port[0], 5001);
    ck_assert_uint_eq(f->end, FLOW_END_NONE);
    ck_assert_int_eq(flow_table_stream(a), 0);
    add(a, &udp, 0, 60);
    add(a, &udp, 50 * SEC, 60);
    ck_assert(flow_table_advance(a, 110 * SEC));
    ck_assert_uint_eq(flow_table_ended(a)->end, FLOW_END_ACTIVE);
    flow_table_free(t);
    flow_table_free(a);
}
END_TEST

/*
 * Zeek's conn_state from the two endpoints' states (base/protocols/conn/main.zeek), originator
 * first, each way round: what flow_tcp_conn_state() maps, branch by branch.
 */
START_TEST(test_conn_state_of_endpoint_states)
{
    static const struct {
        uint8_t os, rs;
        bool payload;
        const char *state;
    } cases[] = {
        {TCP_SYN_SENT, TCP_RESET, false, "REJ"},    {TCP_SYN_ACK_SENT, TCP_RESET, false, "REJ"},
        {TCP_RESET, TCP_RESET, false, "REJ"},       {TCP_RESET, TCP_RESET, true, "RSTR"},
        {TCP_ESTABLISHED, TCP_RESET, true, "RSTR"}, {TCP_INACTIVE, TCP_RESET, false, "RSTRH"},
        {TCP_PARTIAL, TCP_RESET, true, "RSTRH"},    {TCP_RESET, TCP_ESTABLISHED, true, "RSTO"},
        {TCP_RESET, TCP_INACTIVE, false, "RSTOS0"}, {TCP_RESET, TCP_PARTIAL, true, "RSTOS0"},
        {TCP_CLOSED, TCP_CLOSED, true, "SF"},       {TCP_CLOSED, TCP_ESTABLISHED, true, "S2"},
        {TCP_CLOSED, TCP_INACTIVE, false, "SH"},    {TCP_ESTABLISHED, TCP_CLOSED, true, "S3"},
        {TCP_PARTIAL, TCP_CLOSED, true, "SHR"},     {TCP_SYN_SENT, TCP_INACTIVE, false, "S0"},
        {TCP_SYN_SENT, TCP_PARTIAL, true, "OTH"},   {TCP_ESTABLISHED, TCP_ESTABLISHED, true, "S1"},
        {TCP_PARTIAL, TCP_PARTIAL, true, "OTH"},    {TCP_SYN_ACK_SENT, TCP_INACTIVE, false, "OTH"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (uint8_t client = 0; client < 2; client++) {
            struct flow f;

            memset(&f, 0, sizeof(f));
            f.tcp.state[client] = cases[i].os;
            f.tcp.state[!client] = cases[i].rs;
            f.payload_bytes[!client] = cases[i].payload ? 100 : 0;
            const char *state = flow_tcp_conn_state_name(flow_tcp_conn_state(&f, client));

            ck_assert_msg(strcmp(state, cases[i].state) == 0, "case %zu, client %u: %s, not %s", i,
                          (unsigned)client, state, cases[i].state);
        }
    }
}
END_TEST

/* A FIN after a RST from the same side leaves it reset: the connection was aborted. */
START_TEST(test_fin_after_rst)
{
    struct flow_table *t = zeek_table();
    struct pkt_info p;
    struct flow *f;

    p = segment(true, PS_TCP_SYN, 100);
    f = add(t, &p, 0, 60);
    p = segment(false, PS_TCP_SYN | PS_TCP_ACK, 500);
    add(t, &p, 1000000, 60);
    p = segment(true, PS_TCP_RST, 101);
    add(t, &p, 2000000, 60);
    p = segment(true, PS_TCP_FIN | PS_TCP_ACK, 101);
    ck_assert_ptr_eq(add(t, &p, 3000000, 60), f);
    ck_assert_str_eq(flow_tcp_conn_state_name(flow_tcp_conn_state(f, 0)), "RSTO");
    flow_table_free(t);
}
END_TEST

/* Zeek letters payload sent again (T) at its 1st, 10th, 100th, ... time, not each time. */
START_TEST(test_history_retransmissions_log_scale)
{
    struct flow_table *t = zeek_table();
    struct pkt_info p;
    struct flow *f;
    char history[FLOW_HISTORY_MAX + 2];

    p = segment(true, PS_TCP_SYN, 100);
    p.tcp_window = 64240;
    f = add(t, &p, 0, 60);
    p = segment(false, PS_TCP_SYN | PS_TCP_ACK, 500);
    p.tcp_window = 65160;
    add(t, &p, 1000000, 60);
    p = segment(true, PS_TCP_ACK, 101);
    p.tcp_window = 502;
    p.payload_len = 10;
    for (int sent = 0; sent <= 100; sent++)
        ck_assert_ptr_eq(add(t, &p, (2 + sent) * 1000000, 70), f);
    ck_assert_uint_eq(f->tcp.retrans[0], 100);
    flow_tcp_history(f, 0, history, sizeof(history));
    ck_assert_str_eq(history, "ShDTTT");
    flow_table_free(t);
}
END_TEST

/* A copy of flow `id` as the table gives it now, whether live or stored. */
static struct flow flow_copy(const struct flow_table *t, uint32_t id)
{
    struct flow buf, copy;

    copy = *flow_table_get(t, id, &buf);
    copy.gone = false;
    return copy;
}

START_TEST(test_quiet_flow_stored_and_back)
{
    struct flow_table *t = zeek_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info reply = reversed(&udp);
    struct flow *u, *closed, buf, before_u, before_c;
    struct flow_key key;
    uint8_t sender;

    u = add(t, &udp, 0, 60);
    add(t, &reply, SEC / 2, 90);
    closed = closed_connection(t);
    before_u = *u;
    before_c = *closed;
    /* Quiet for more than a few seconds: both leave their records for the store... */
    flow_table_advance(t, 10 * SEC);
    ck_assert(u->gone);
    ck_assert(closed->gone);
    ck_assert_ptr_eq(flow_table_get(t, before_u.id, &buf), &buf);
    ck_assert_mem_eq(&buf, &before_u, sizeof(buf));
    ck_assert_ptr_eq(flow_table_get(t, before_c.id, &buf), &buf);
    ck_assert_mem_eq(&buf, &before_c, sizeof(buf));
    /* ...and a late packet brings the UDP flow back, within its 60 s: the same flow. */
    u = add(t, &udp, 20 * SEC, 70);
    ck_assert_uint_eq(u->id, before_u.id);
    ck_assert_uint_eq(u->start, FLOW_START_FIRST);
    ck_assert_uint_eq(u->packets[0] + u->packets[1], 3);
    ck_assert_uint_eq(u->bytes[0] + u->bytes[1], 220);
    ck_assert_int_eq(u->last_seen, 20 * SEC);
    ck_assert_uint_eq(flow_table_count(t), 2);
    /* An ICMP error's lookup finds a stored flow too. */
    flow_table_advance(t, 30 * SEC);
    flow_key_from_packet(&udp, &key, &sender);
    u = flow_table_lookup(t, &key);
    ck_assert_ptr_nonnull(u);
    ck_assert_uint_eq(u->id, before_u.id);
    ck_assert_uint_eq(u->packets[0] + u->packets[1], 3);
    flow_table_free(t);
}
END_TEST

/* flow_table_prefetch_kept() of a stored flow, a live one and ids past the end (the largest
 * too): it reads nothing out of bounds and changes nothing the table gives. */
START_TEST(test_prefetch_kept_any_id)
{
    struct flow_table *t = zeek_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info later = v4(PS_IPPROTO_UDP, 0x0a000003, 5001, 0x0a000002, 53, 0);
    struct flow stored, live, again, buf;

    add(t, &udp, 0, 60);
    flow_table_advance(t, 10 * SEC);
    add(t, &later, 10 * SEC, 60);
    ck_assert_ptr_eq(flow_table_get(t, 0, &buf), &buf);
    ck_assert_ptr_ne(flow_table_get(t, 1, &buf), &buf);
    stored = flow_copy(t, 0);
    live = flow_copy(t, 1);
    for (size_t id = 0; id < 4; id++)
        flow_table_prefetch_kept(t, id);
    flow_table_prefetch_kept(t, (size_t)1 << 40);
    flow_table_prefetch_kept(t, SIZE_MAX);
    ck_assert_uint_eq(flow_table_count(t), 2);
    again = flow_copy(t, 0);
    ck_assert_mem_eq(&again, &stored, sizeof(again));
    again = flow_copy(t, 1);
    ck_assert_mem_eq(&again, &live, sizeof(again));
    flow_table_free(t);
}
END_TEST

/*
 * Keeping, an open connection is not looked at every close delay: with a long wait before
 * storing, the packet that closes it files it again, and it is stored a close delay after.
 */
START_TEST(test_closed_stored_after_close_delay)
{
    struct flow_table *t = zeek_table();
    struct pkt_info p = segment(true, PS_TCP_SYN, 100);
    struct flow *f;

    t->store_after = 32 * SEC;
    f = add(t, &p, 0, 60);
    p = segment(false, PS_TCP_SYN | PS_TCP_ACK, 500);
    add(t, &p, SEC / 100, 60);
    p = segment(true, PS_TCP_ACK, 101);
    add(t, &p, SEC, 60);
    p = segment(true, PS_TCP_FIN | PS_TCP_ACK, 101);
    add(t, &p, 18 * SEC, 60);
    p = segment(false, PS_TCP_FIN | PS_TCP_ACK, 501);
    add(t, &p, 18 * SEC, 60);
    flow_table_advance(t, 22 * SEC);
    ck_assert(!f->gone);
    flow_table_advance(t, 28 * SEC);
    ck_assert(f->gone);
    flow_table_free(t);
}
END_TEST

START_TEST(test_stored_key_used_again)
{
    struct flow_table *t = zeek_table();
    struct flow *first = closed_connection(t), *f, stored;
    struct pkt_info syn = segment(true, PS_TCP_SYN, 7000);
    uint32_t first_id = first->id, next_id;

    flow_table_advance(t, 20 * SEC);
    ck_assert(first->gone);
    f = add(t, &syn, 21 * SEC, 60);
    ck_assert_uint_ne(f->id, first_id);
    ck_assert_uint_eq(f->start, FLOW_START_IDLE);
    ck_assert_uint_eq(f->prev, first_id + 1);
    next_id = f->id;
    stored = flow_copy(t, first_id);
    ck_assert(stored.ended);
    ck_assert_uint_eq(flow_tcp_conn_state(&stored, 0), FLOW_CONN_SF);
    ck_assert_uint_eq(stored.packets[0] + stored.packets[1], 5);
    /* The key leads to the new flow now, stored or not. */
    flow_table_advance(t, 40 * SEC);
    syn = segment(true, PS_TCP_ACK, 7001);
    f = add(t, &syn, 41 * SEC, 60);
    ck_assert_uint_eq(f->id, next_id);
    ck_assert_uint_eq(f->packets[0] + f->packets[1], 2);
    flow_table_free(t);
}
END_TEST

/*
 * Flows brought back while the stored flows' index grows: a packet's lookup finds the stored entry
 * in the new index or in the one being migrated from, and it leaves from where it is (or, in the
 * old one, once the migration is over). Every key keeps one entry in all: none is left behind to
 * name a flow that is live again.
 */
START_TEST(test_comeback_while_stored_index_grows)
{
    struct flow_table *t = zeek_table();
    struct flow buf;
    enum { FLOWS = 800 }; /* past three quarters of the first index, 1024 slots */

    for (int round = 0; round < 4; round++) {
        for (uint32_t i = 0; i < FLOWS; i++) {
            struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000000 + i, 5000, 0x0a100001, 53, 0);
            struct flow *f = add(t, &p, round * 2 * SEC + i, 100);

            ck_assert_ptr_nonnull(f);
            ck_assert_uint_eq(f->id, i);
            ck_assert_uint_eq(f->packets[0], (uint64_t)round + 1);
            ck_assert_uint_eq(t->live.entries + t->stored.entries, round > 0 ? FLOWS : i + 1);
        }
        /* All quiet: stored, the index growing as they go (a migration is under way after). */
        flow_table_advance(t, round * 2 * SEC + SEC);
        ck_assert_uint_eq(t->stored.entries, FLOWS);
        if (round == 0)
            ck_assert_ptr_nonnull(t->stored.old.slots);
    }
    ck_assert_uint_eq(flow_table_count(t), FLOWS);
    for (uint32_t i = 0; i < FLOWS; i++)
        ck_assert_uint_eq(flow_table_get(t, i, &buf)->packets[0], 4);
    flow_table_free(t);
}
END_TEST

START_TEST(test_resume_by_id)
{
    struct flow_table *t = zeek_table();
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct flow *u = add(t, &udp, 0, 60), before = *u, *back;

    ck_assert_ptr_eq(flow_table_resume(t, u->id), u);
    flow_table_advance(t, 10 * SEC);
    ck_assert(u->gone);
    back = flow_table_resume(t, before.id);
    ck_assert_ptr_nonnull(back);
    ck_assert_mem_eq(back, &before, sizeof(before));
    ck_assert_ptr_null(flow_table_resume(t, before.id + 1));
    flow_table_free(t);

    /* Streaming hands flows out: nothing to come back. */
    t = streaming_table();
    u = add(t, &udp, 0, 60);
    ck_assert_ptr_null(flow_table_resume(t, u->id));
    flow_table_free(t);
}
END_TEST

START_TEST(test_seal_stores_every_flow)
{
    struct flow_table *t = zeek_table();
    struct pkt_info p = v6(PS_IPPROTO_UDP, 1, 5000, 2, 53, 0);
    struct flow before[3], buf;

    before[0] = *closed_connection(t);
    before[1] = *add(t, &p, SEC, 60);
    p = v4(PS_IPPROTO_ICMP, 0x0a000001, 0, 0x0a000002, 0, 0);
    before[2] = *add(t, &p, 2 * SEC, 84);
    flow_table_seal(t);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_ptr_eq(flow_table_get(t, i, &buf), &buf);
        ck_assert_mem_eq(&buf, &before[i], sizeof(buf));
    }
    flow_table_free(t);
}
END_TEST

/* Flows made in the report's order (first seen, then key) until one is not, or one's first packet
 * time moves back: the JSON writer takes the table's order for the report's only while it is. */
START_TEST(test_in_order)
{
    struct pkt_info a = v4(PS_IPPROTO_UDP, 0x0a000001, 40000, 0x0a000002, 53, 0);
    struct pkt_info b = v4(PS_IPPROTO_UDP, 0x0a000001, 40001, 0x0a000002, 53, 0);
    struct pkt_info c = v4(PS_IPPROTO_UDP, 0x0a000003, 40000, 0x0a000002, 53, 0);
    struct flow_key ka, kb;
    uint8_t sender;
    struct flow_table *t = new_table(0);
    struct flow_packet early = {50, 60, false};
    struct flow *f;

    flow_key_from_packet(&a, &ka, &sender);
    flow_key_from_packet(&b, &kb, &sender);
    ck_assert_int_lt(flow_key_compare(&ka, &kb), 0);
    ck_assert_int_gt(flow_key_compare(&kb, &ka), 0);
    ck_assert_int_eq(flow_key_compare(&ka, &ka), 0);

    /* Later, then at the same time in key order, then a packet of a known flow: in order. */
    ck_assert(flow_table_in_order(t));
    add(t, &a, 100, 60);
    add(t, &b, 100, 60);
    add(t, &a, 90 + 20, 60);
    ck_assert(flow_table_in_order(t));
    flow_table_free(t);

    /* At the same time, keys the other way round. */
    t = new_table(0);
    add(t, &b, 100, 60);
    add(t, &a, 100, 60);
    ck_assert(!flow_table_in_order(t));
    flow_table_free(t);

    /* A new flow first seen before the one made before it. */
    t = new_table(0);
    add(t, &a, 100, 60);
    add(t, &c, 99, 60);
    ck_assert(!flow_table_in_order(t));
    flow_table_free(t);

    /* A known flow's first packet time moving back, by a packet or otherwise (fragments). */
    t = new_table(0);
    f = add(t, &a, 100, 60);
    add(t, &c, 100, 60);
    ck_assert(flow_table_in_order(t));
    flow_table_account(t, f, 0, &early, NULL);
    ck_assert(!flow_table_in_order(t));
    flow_table_free(t);
    t = new_table(0);
    add(t, &a, 100, 60);
    flow_table_first_seen_moved(t);
    ck_assert(!flow_table_in_order(t));
    flow_table_free(t);
}
END_TEST

START_TEST(test_count_by_class)
{
    struct flow_table *t = zeek_table();
    struct pkt_info tcp = segment(true, PS_TCP_SYN, 1);
    struct pkt_info udp = v4(PS_IPPROTO_UDP, 0x0a000001, 5000, 0x0a000002, 53, 0);
    struct pkt_info icmp = v4(PS_IPPROTO_ICMP, 0x0a000001, 0, 0x0a000002, 0, 0);
    struct pkt_info udp6 = v6(PS_IPPROTO_UDP, 1, 5000, 2, 53, 0);

    add(t, &tcp, 0, 60);
    add(t, &udp, 0, 60);
    add(t, &udp6, 0, 60);
    add(t, &icmp, 0, 60);
    add(t, &udp, SEC, 60); /* the same flow: not counted again */
    /* Stored flows still count: the snapshot of a live capture shows every flow so far. */
    flow_table_advance(t, 10 * SEC);
    ck_assert_uint_eq(flow_table_count(t), 4);
    ck_assert_uint_eq(flow_table_count_class(t, FLOW_CLASS_TCP), 1);
    ck_assert_uint_eq(flow_table_count_class(t, FLOW_CLASS_UDP), 2);
    ck_assert_uint_eq(flow_table_count_class(t, FLOW_CLASS_ICMP), 1);
    ck_assert_uint_eq(flow_table_count_class(t, FLOW_CLASS_OTHER), 0);
    flow_table_free(t);
}
END_TEST

#define CHURN_FLOWS 20000

/*
 * Flows that go quiet and come back again and again leave their old copies in the store, until it
 * is rewritten without them: every flow still reads as it should after that.
 */
START_TEST(test_store_compaction)
{
    struct flow_table *t = zeek_table();
    struct flow buf;

    for (int round = 0; round < 5; round++) {
        for (uint32_t i = 0; i < CHURN_FLOWS; i++) {
            struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000000 + i, 5000, 0x0a000001, 53, 0);

            ck_assert_ptr_nonnull(add(t, &p, round * 10 * SEC, 100));
        }
        flow_table_advance(t, (round * 10 + 5) * SEC);
    }
    ck_assert_uint_eq(flow_table_count(t), CHURN_FLOWS);
    for (uint32_t i = 0; i < CHURN_FLOWS; i++) {
        const struct flow *f = flow_table_get(t, i, &buf);

        ck_assert_uint_eq(f->id, i);
        ck_assert_uint_eq(f->packets[0] + f->packets[1], 5);
        ck_assert_uint_eq(f->bytes[0] + f->bytes[1], 500);
        ck_assert_int_eq(f->last_seen, 40 * SEC);
    }
    /* The copies of flows brought back since the last compaction are dropped by the seal. */
    ck_assert_uint_gt(t->store.dropped, 0);
    flow_table_seal(t);
    ck_assert_uint_eq(t->store.dropped, 0);
    for (uint32_t i = 0; i < CHURN_FLOWS; i++) {
        const struct flow *f = flow_table_get(t, i, &buf);

        ck_assert_uint_eq(f->id, i);
        ck_assert_uint_eq(f->packets[0] + f->packets[1], 5);
        ck_assert_int_eq(f->last_seen, 40 * SEC);
    }
    flow_table_free(t);
}
END_TEST

/*
 * Conversations whose packets come a second apart are not stored and brought back at every packet
 * for long: the wait before storing grows while stored flows keep coming back, and shrinks again
 * once flows that go quiet stay quiet. What is counted is the same either way.
 */
START_TEST(test_store_wait_adapts)
{
    struct flow_table *t = zeek_table();
    struct flow *f = NULL, buf;
    enum { TALKERS = 5000, ROUNDS = 12, ONCE = 40000 };

    ck_assert_int_eq(t->store_after, KEEP_STORE_AFTER_MIN);
    for (int round = 0; round < ROUNDS; round++) {
        for (uint32_t i = 0; i < TALKERS; i++) {
            struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000000 + i, 5000, 0x0a100001, 53, 0);

            f = add(t, &p, round * SEC + i, 100);
            ck_assert_ptr_nonnull(f);
        }
        flow_table_advance(t, round * SEC + 9 * SEC / 10);
    }
    /* Each came back at every packet at first; now the wait outlasts their pauses. */
    ck_assert_int_ge(t->store_after, SEC);
    ck_assert(!f->gone);
    ck_assert_uint_eq(f->packets[0], ROUNDS);
    /* Flows seen once, a few milliseconds apart, never come back: the wait shrinks again. */
    for (uint32_t i = 0; i < ONCE; i++) {
        struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0b000000 + i, 6000, 0x0a100001, 53, 0);
        ps_time at = ROUNDS * SEC + (ps_time)i * 5000000;

        ck_assert_ptr_nonnull(add(t, &p, at, 100));
        if (i % 1000 == 999)
            flow_table_advance(t, at);
    }
    ck_assert_int_eq(t->store_after, KEEP_STORE_AFTER_MIN);
    ck_assert_uint_eq(flow_table_count(t), TALKERS + ONCE);
    for (uint32_t i = 0; i < TALKERS; i += 499)
        ck_assert_uint_eq(flow_table_get(t, i, &buf)->packets[0], ROUNDS);
    flow_table_free(t);
}
END_TEST

/*
 * Steady traffic, each flow's packets 0.6 s apart: the wait before storing settles on the shortest
 * that outlasts the pauses (1 s) and stays there. Chosen from comebacks per store, it swung: once
 * raised, a burst of stores without comebacks lowered it, and comebacks raised it again.
 */
/*
 * A pause of exactly a wait does not outlast it: talkers that speak every second exactly settle
 * the wait at 1 s, not 2 s (each pause is counted once, by the longest wait it outlasts).
 */
START_TEST(test_store_wait_exact_pause)
{
    struct flow_table *t = zeek_table();
    enum { TALKERS = 5000, ROUNDS = 8 };

    for (int round = 0; round < ROUNDS; round++) {
        for (uint32_t i = 0; i < TALKERS; i++) {
            struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000000 + i, 5000, 0x0a100001, 53, 0);

            ck_assert_ptr_nonnull(add(t, &p, round * SEC + i, 100));
        }
        flow_table_advance(t, round * SEC + 9 * SEC / 10);
    }
    ck_assert_int_eq(t->store_after, SEC);
    flow_table_free(t);
}
END_TEST

START_TEST(test_store_wait_steady)
{
    struct flow_table *t = zeek_table();
    struct flow buf;
    enum { PER_STEP = 20, STEPS = 4000, PACKETS = 4, APART = 60 }; /* steps of 10 ms */
    const ps_time step = SEC / 100;

    for (uint32_t s = 0; s < STEPS; s++) {
        for (uint32_t k = 0; k < PACKETS; k++) {
            if (s < k * APART)
                break;
            for (uint32_t j = 0; j < PER_STEP; j++) {
                uint32_t n = (s - k * APART) * PER_STEP + j;
                struct pkt_info p = v4(PS_IPPROTO_UDP, 0x0a000000 + n, 5000, 0x0a100001, 53, 0);

                ck_assert_ptr_nonnull(add(t, &p, s * step, 100));
            }
        }
        flow_table_advance(t, s * step);
        if (s >= 1000)
            ck_assert_int_eq(t->store_after, SEC);
    }
    /* Records ever used: 2,000 flows a second, each live 1.8 s, then the wait and a tick or two. */
    ck_assert_uint_le(t->count, 2000 * 33 / 10);
    for (uint32_t n = 0; n < (STEPS - PACKETS * APART) * PER_STEP; n += 97)
        ck_assert_uint_eq(flow_table_get(t, n, &buf)->packets[0], PACKETS);
    flow_table_free(t);
}
END_TEST

/* floor(t / d) as the division gives it, for the divider's test. */
static int64_t floor_div(int64_t t, int64_t d)
{
    return t / d - (t % d < 0);
}

/*
 * The wheel's tick without a division (flow_divide_floor()) agrees with the division: for the two
 * ticks the wheel uses and divisors of every size, at the ends of the range, around multiples of
 * the divisor and at pseudo-random times.
 */
START_TEST(test_divider_matches_division)
{
    const int64_t divisors[] = {2,
                                3,
                                7,
                                10,
                                1000,
                                (int64_t)125 * 1000000,
                                (int64_t)1000 * 1000000,
                                (int64_t)1 << 20,
                                ((int64_t)1 << 31) - 1,
                                ((int64_t)1 << 32) + 1,
                                ((int64_t)1 << 62) - 1,
                                (int64_t)1 << 62,
                                ((int64_t)1 << 62) + 1,
                                INT64_MAX - 1,
                                INT64_MAX};
    uint64_t x = 0x9e3779b97f4a7c15ULL;

    for (size_t i = 0; i < sizeof(divisors) / sizeof(divisors[0]); i++) {
        int64_t d = divisors[i];
        struct flow_divider dv;
        const int64_t edges[] = {INT64_MIN,
                                 INT64_MIN + 1,
                                 -d - 1,
                                 -d,
                                 -d + 1,
                                 -1,
                                 0,
                                 1,
                                 d - 1,
                                 d,
                                 d < INT64_MAX ? d + 1 : d,
                                 INT64_MAX - 1,
                                 INT64_MAX};

        flow_divider_init(&dv, d);
        /* Checked with an if, failing with ck_abort_msg(): an assertion per value writes a mark
         * each, and 3.5 million of them ran past the test's timeout. */
        for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++)
            if (flow_divide_floor(&dv, edges[e]) != floor_div(edges[e], d))
                ck_abort_msg("d %lld t %lld: %lld, not %lld", (long long)d, (long long)edges[e],
                             (long long)flow_divide_floor(&dv, edges[e]),
                             (long long)floor_div(edges[e], d));
        for (int64_t k = -1000; k <= 1000; k++) {
            int64_t m = k * (d > INT64_MAX / 1001 ? 1 : d);

            for (int64_t t = m - 1; t <= m + 1; t++)
                if (flow_divide_floor(&dv, t) != floor_div(t, d))
                    ck_abort_msg("d %lld t %lld: %lld, not %lld", (long long)d, (long long)t,
                                 (long long)flow_divide_floor(&dv, t), (long long)floor_div(t, d));
        }
        for (int n = 0; n < 100000; n++) {
            int64_t t;

            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Of every magnitude: the word shifted right by 0 to 63 bits, either sign. */
            t = (int64_t)(x >> (x & 63));
            if (x & 64)
                t = -t - 1;
            if (flow_divide_floor(&dv, t) != floor_div(t, d))
                ck_abort_msg("d %lld t %lld: %lld, not %lld", (long long)d, (long long)t,
                             (long long)flow_divide_floor(&dv, t), (long long)floor_div(t, d));
        }
    }
}
END_TEST

Suite *flow_suite(void)
{
    Suite *suite = suite_create("flow");
    TCase *keys = tcase_create("keys");
    TCase *table = tcase_create("table");
    TCase *paths = tcase_create("paths");
    TCase *lifecycle = tcase_create("lifecycle");
    TCase *tcp = tcase_create("tcp");

    tcase_add_test(keys, test_key_both_directions);
    tcase_add_test(keys, test_key_ipv6_both_directions);
    tcase_add_test(keys, test_key_ipv4_tail_zero);
    tcase_add_test(keys, test_key_equal_addresses_by_port);
    tcase_add_test(keys, test_key_equal_addresses_and_ports);
    tcase_add_test(keys, test_keys_differ_by_proto_and_family);
    tcase_add_test(keys, test_key_vlan_scope);
    suite_add_tcase(suite, keys);

    tcase_set_timeout(table, 120);
    tcase_add_test(table, test_counters_per_endpoint);
    tcase_add_test(table, test_first_ttl_per_endpoint);
    tcase_add_test(table, test_roles_of_live_flow);
    tcase_add_test(table, test_first_sender_endpoint_zero);
    tcase_add_test(table, test_syn_evidence);
    tcase_add_test(table, test_evidence_from_hint);
    tcase_add_test(table, test_max_flows);
    tcase_add_test(table, test_growth);
    tcase_add_test(table, test_order_independent_of_seed);
    tcase_add_test(table, test_portless_flow);
    suite_add_tcase(suite, table);

    tcase_add_test(paths, test_paths);
    tcase_add_test(paths, test_path_of_first_packet);
    tcase_add_test(paths, test_many_paths);
    tcase_add_test(paths, test_path_ignores_unused_bytes);
    suite_add_tcase(suite, paths);

    tcase_add_test(lifecycle, test_divider_matches_division);
    tcase_add_test(lifecycle, test_close_delay);
    tcase_add_test(lifecycle, test_idle_timeout_per_protocol);
    tcase_add_test(lifecycle, test_half_closed_waits_idle);
    tcase_add_test(lifecycle, test_active_timeout_from_first_packet);
    tcase_add_test(lifecycle, test_active_timeout_streaming);
    tcase_add_test(lifecycle, test_syn_with_new_isn);
    tcase_add_test(lifecycle, test_stream_writes_and_forgets);
    tcase_add_test(lifecycle, test_queue_in_end_order);
    tcase_add_test(lifecycle, test_queue_reports_taken_over_flow);
    tcase_add_test(lifecycle, test_queue_bounded);
    tcase_add_test(lifecycle, test_quiet_flow_stored_and_back);
    tcase_add_test(lifecycle, test_prefetch_kept_any_id);
    tcase_add_test(lifecycle, test_stored_key_used_again);
    tcase_add_test(lifecycle, test_closed_stored_after_close_delay);
    tcase_add_test(lifecycle, test_comeback_while_stored_index_grows);
    tcase_add_test(lifecycle, test_resume_by_id);
    tcase_add_test(lifecycle, test_seal_stores_every_flow);
    tcase_add_test(lifecycle, test_store_compaction);
    tcase_add_test(lifecycle, test_store_wait_adapts);
    tcase_add_test(lifecycle, test_store_wait_exact_pause);
    tcase_add_test(lifecycle, test_store_wait_steady);
    tcase_add_test(lifecycle, test_count_by_class);
    tcase_add_test(lifecycle, test_in_order);
    tcase_add_test(lifecycle, test_end_reasons);
    tcase_add_test(lifecycle, test_end_reasons_streaming);
    suite_add_tcase(suite, lifecycle);

    tcase_add_test(tcp, test_conn_state_of_endpoint_states);
    tcase_add_test(tcp, test_fin_after_rst);
    tcase_add_test(tcp, test_tcp_flags_per_endpoint);
    tcase_add_test(tcp, test_history_retransmissions_log_scale);
    suite_add_tcase(suite, tcp);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, flow_suite());
    srunner_add_suite(runner, flow_store_suite());
    srunner_add_suite(runner, flow_app_suite());
    return 0;
}
