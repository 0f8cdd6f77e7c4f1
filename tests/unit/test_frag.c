/*
 * test_frag.c - unit tests for src/frag/frag_table.c: later fragments find their datagram's flow in
 * either order, also once its record holds another flow, what never finds one is an orphan, the
 * table stays within its capacity, datagrams differ by protocol, and identifications crafted
 * against a fixed hash do not share a bucket. The table's source is included, for its hash.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "../../src/frag/frag_table.c"

#define SECOND ((ps_time)1000000000)

static const uint64_t seeds[] = {0, 1, 0x9e3779b97f4a7c15ULL, UINT64_MAX};

/* A fragment of datagram `id` from 192.0.2.1 to 198.51.100.`host` (UDP). */
static void make_fragment(struct pkt_info *pkt, uint32_t id, uint8_t host, uint32_t ip_len)
{
    static const uint8_t src[4] = {192, 0, 2, 1}, dst[4] = {198, 51, 100, 0};

    memset(pkt, 0, sizeof(*pkt));
    pkt->family = 4;
    pkt->proto = PS_IPPROTO_UDP;
    pkt->ip_len = ip_len;
    pkt->payload_len = ip_len - 20;
    pkt->fragment.family = 4;
    pkt->fragment.proto = PS_IPPROTO_UDP;
    pkt->fragment.id = id;
    memcpy(pkt->fragment.src, src, sizeof(src));
    memcpy(pkt->fragment.dst, dst, sizeof(dst));
    pkt->fragment.dst[3] = host;
}

static void make_flow(struct flow *f, uint32_t id, ps_time first_seen)
{
    memset(f, 0, sizeof(*f));
    f->id = id;
    f->first_seen = f->last_seen = first_seen;
}

START_TEST(test_later_after_first)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info pkt;
    struct flow f;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint8_t sender = 9;

    ck_assert_ptr_nonnull(t);
    make_flow(&f, 1, SECOND);
    make_fragment(&pkt, 77, 1, 1500);
    frag_table_first(t, &pkt.fragment, &f, 1, SECOND, &moved_packets, &moved_bytes);
    ck_assert_uint_eq(moved_packets, 0);
    ck_assert_ptr_eq(frag_table_later(t, NULL, &pkt, 2 * SECOND, 1514, &sender), &f);
    ck_assert_uint_eq(sender, 1);
    make_fragment(&pkt, 78, 1, 1500);
    ck_assert_ptr_null(frag_table_later(t, NULL, &pkt, 2 * SECOND, 1514, &sender));
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 1);
    frag_table_free(t);
}
END_TEST

/* Fragments reordered before their first are held, then counted on the flow when it comes. */
START_TEST(test_later_before_first)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info pkt;
    struct flow f;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint8_t sender = 9;

    make_fragment(&pkt, 5, 2, 600);
    ck_assert_ptr_null(frag_table_later(t, NULL, &pkt, 3 * SECOND, 614, &sender));
    ck_assert_ptr_null(frag_table_later(t, NULL, &pkt, 2 * SECOND, 614, &sender));
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 2);
    ck_assert_uint_eq(frag_table_stats(t)->held_bytes, 2 * 614);

    make_flow(&f, 3, 4 * SECOND);
    f.packets[0] = 1;
    frag_table_first(t, &pkt.fragment, &f, 0, 4 * SECOND, &moved_packets, &moved_bytes);
    ck_assert_uint_eq(moved_packets, 2);
    ck_assert_uint_eq(moved_bytes, 2 * 614);
    ck_assert_uint_eq(f.packets[0], 3);
    ck_assert_uint_eq(f.bytes[0], 2 * 614);
    ck_assert_uint_eq(f.ip_bytes[0], 2 * 600);
    ck_assert_uint_eq(f.payload_bytes[0], 2 * 580);
    ck_assert_int_eq(f.first_seen, 2 * SECOND);
    ck_assert_int_eq(f.last_seen, 4 * SECOND);
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 0);
    ck_assert_uint_eq(frag_table_stats(t)->held_bytes, 0);
    frag_table_flush(t);
    ck_assert_uint_eq(frag_table_stats(t)->orphan_packets, 0);
    frag_table_free(t);
}
END_TEST

START_TEST(test_orphans_at_flush)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info pkt;
    uint8_t sender;

    for (uint32_t id = 0; id < 3; id++) {
        make_fragment(&pkt, id, 3, 100);
        ck_assert_ptr_null(frag_table_later(t, NULL, &pkt, SECOND, 114, &sender));
    }
    frag_table_flush(t);
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 0);
    ck_assert_uint_eq(frag_table_stats(t)->orphan_packets, 3);
    ck_assert_uint_eq(frag_table_stats(t)->orphan_bytes, 3 * 114);
    frag_table_flush(t);
    ck_assert_uint_eq(frag_table_stats(t)->orphan_packets, 3);
    frag_table_free(t);
}
END_TEST

/* A datagram not seen for longer than the timeout is forgotten: its identification comes again. */
START_TEST(test_timeout_forgets)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info pkt;
    struct flow f;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint8_t sender;

    make_flow(&f, 1, 0);
    make_fragment(&pkt, 9, 4, 100);
    frag_table_first(t, &pkt.fragment, &f, 0, 0, &moved_packets, &moved_bytes);
    ck_assert_ptr_eq(frag_table_later(t, NULL, &pkt, FRAG_TIMEOUT_NS, 114, &sender), &f);
    ck_assert_ptr_null(frag_table_later(t, NULL, &pkt, 2 * FRAG_TIMEOUT_NS + 1, 114, &sender));
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 1);
    frag_table_free(t);
}
END_TEST

/* A full table drops the datagram used least recently, and counts it. */
START_TEST(test_full_table_evicts_least_recent)
{
    struct frag_table *t = frag_table_new(2, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info a, b, c;
    uint8_t sender;

    ck_assert_uint_eq(frag_table_capacity(t), 2);
    make_fragment(&a, 1, 5, 100);
    make_fragment(&b, 2, 5, 100);
    make_fragment(&c, 3, 5, 100);
    frag_table_later(t, NULL, &a, 1 * SECOND, 114, &sender);
    frag_table_later(t, NULL, &b, 2 * SECOND, 114, &sender);
    frag_table_later(t, NULL, &a, 3 * SECOND, 114, &sender);
    frag_table_later(t, NULL, &c, 4 * SECOND, 114, &sender);
    ck_assert_uint_eq(frag_table_stats(t)->evicted, 1);
    ck_assert_uint_eq(frag_table_stats(t)->orphan_packets, 1); /* b's one fragment */
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 3);   /* a's two and c's */
    frag_table_free(t);
}
END_TEST

/*
 * Datagrams that differ only in their identification, as one sender's are, each find their own
 * flow when the table is full, under every seed.
 */
START_TEST(test_full_table_finds_every_datagram)
{
    enum { DATAGRAMS = 4096 };
    struct frag_table *t = frag_table_new(DATAGRAMS, FRAG_TIMEOUT_NS, seeds[_i]);
    struct flow *flows = calloc(DATAGRAMS, sizeof(*flows));
    struct pkt_info pkt;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint8_t sender;

    ck_assert_ptr_nonnull(flows);
    for (uint32_t i = 0; i < DATAGRAMS; i++) {
        make_flow(&flows[i], i + 1, SECOND);
        make_fragment(&pkt, i * 65536, (uint8_t)(i & 1), 100);
        frag_table_first(t, &pkt.fragment, &flows[i], (uint8_t)(i & 1), SECOND, &moved_packets,
                         &moved_bytes);
    }
    for (uint32_t i = 0; i < DATAGRAMS; i++) {
        make_fragment(&pkt, i * 65536, (uint8_t)(i & 1), 100);
        ck_assert_ptr_eq(frag_table_later(t, NULL, &pkt, SECOND, 114, &sender), &flows[i]);
        ck_assert_uint_eq(sender, i & 1);
    }
    ck_assert_uint_eq(frag_table_stats(t)->evicted, 0);
    ck_assert_uint_eq(frag_table_stats(t)->held_packets, 0);
    frag_table_free(t);
    free(flows);
}
END_TEST

/* Datagrams are told apart by protocol too (RFC 791): a UDP and a TCP one of the same
 * identification between the same hosts are two. */
START_TEST(test_protocol_in_key)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info udp, tcp;
    struct flow fu, ft;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint8_t sender;

    make_flow(&fu, 1, SECOND);
    make_flow(&ft, 2, SECOND);
    make_fragment(&udp, 300, 7, 100);
    make_fragment(&tcp, 300, 7, 100);
    tcp.proto = tcp.fragment.proto = PS_IPPROTO_TCP;
    frag_table_first(t, &udp.fragment, &fu, 0, SECOND, &moved_packets, &moved_bytes);
    frag_table_first(t, &tcp.fragment, &ft, 1, SECOND, &moved_packets, &moved_bytes);
    ck_assert_ptr_eq(frag_table_later(t, NULL, &udp, SECOND, 114, &sender), &fu);
    ck_assert_uint_eq(sender, 0);
    ck_assert_ptr_eq(frag_table_later(t, NULL, &tcp, SECOND, 114, &sender), &ft);
    ck_assert_uint_eq(sender, 1);
    frag_table_free(t);
}
END_TEST

/* A fragment with an earlier time than the last does not move the datagram's last sight back,
 * which would make it time out sooner. */
START_TEST(test_earlier_fragment_keeps_last_sight)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct pkt_info pkt;
    struct flow f;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint8_t sender;

    make_flow(&f, 1, 10 * SECOND);
    make_fragment(&pkt, 11, 8, 100);
    frag_table_first(t, &pkt.fragment, &f, 0, 10 * SECOND, &moved_packets, &moved_bytes);
    ck_assert_ptr_eq(frag_table_later(t, NULL, &pkt, 60 * SECOND, 114, &sender), &f);
    ck_assert_ptr_eq(frag_table_later(t, NULL, &pkt, 5 * SECOND, 114, &sender), &f);
    /* 40 s after the last sight (60 s), 95 s after the earlier fragment: still the datagram's. */
    ck_assert_ptr_eq(frag_table_later(t, NULL, &pkt, 100 * SECOND, 114, &sender), &f);
    frag_table_free(t);
}
END_TEST

/* A UDP packet 192.0.2.1:`sport` -> 198.51.100.1:53 of datagram `id`, added to `flows` at `ts`. */
static struct flow *add_first_fragment(struct flow_table *flows, struct pkt_info *pkt, uint32_t id,
                                       uint16_t sport, ps_time ts, uint8_t *sender)
{
    struct flow_packet fp = {ts, 114, false};

    make_fragment(pkt, id, 1, 100);
    pkt->sport = sport;
    pkt->dport = 53;
    memcpy(pkt->src, pkt->fragment.src, sizeof(pkt->src));
    memcpy(pkt->dst, pkt->fragment.dst, sizeof(pkt->dst));
    return flow_table_add_packet(flows, pkt, &fp, sender);
}

/*
 * A quiet flow leaves its record for the flow table's store, and a new flow may take the record
 * over: a later fragment of the quiet flow's datagram still finds that flow, brought back, not the
 * record's new flow.
 */
START_TEST(test_flow_record_taken_over)
{
    struct frag_table *t = frag_table_new(16, FRAG_TIMEOUT_NS, seeds[_i]);
    struct flow_lifecycle lc;
    struct flow_table *flows;
    struct pkt_info a, b;
    struct flow *fa, *fb, *found;
    uint64_t moved_packets = 0, moved_bytes = 0;
    uint32_t a_id;
    uint8_t sender;

    flow_lifecycle_zeek(&lc);
    flows = flow_table_new(0, seeds[_i], &lc);
    ck_assert_ptr_nonnull(flows);
    fa = add_first_fragment(flows, &a, 21, 1000, SECOND, &sender);
    ck_assert_ptr_nonnull(fa);
    a_id = fa->id;
    frag_table_first(t, &a.fragment, fa, sender, SECOND, &moved_packets, &moved_bytes);
    flow_table_advance(flows, 10 * SECOND);
    ck_assert(fa->gone);
    fb = add_first_fragment(flows, &b, 22, 2000, 10 * SECOND, &sender);
    /* What the test is about: the new flow in the quiet flow's record. */
    ck_assert_ptr_eq(fb, fa);
    ck_assert_uint_ne(fb->id, a_id);
    found = frag_table_later(t, flows, &a, 11 * SECOND, 114, &sender);
    ck_assert_ptr_nonnull(found);
    ck_assert_uint_eq(found->id, a_id);
    flow_table_free(flows);
    frag_table_free(t);
}
END_TEST

/* FNV-1a over the key, masked: the fixed hash the table had, as whoever crafts traffic sees it. */
static uint32_t fixed_bucket(const struct frag_key *k, size_t mask)
{
    const uint8_t *b = (const uint8_t *)k;
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < sizeof(*k); i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return (uint32_t)((h ^ (h >> 32)) & mask);
}

/* Datagrams whose identifications all fall in one bucket of a fixed hash spread over many. */
START_TEST(test_crafted_identifications_spread)
{
    enum { KEYS = 256 };
    struct frag_table *t = frag_table_new(KEYS, FRAG_TIMEOUT_NS, seeds[_i]);
    struct frag_key keys[KEYS];
    unsigned load[KEYS] = {0}, used = 0, longest = 0;
    struct pkt_info pkt;
    size_t n = 0;

    ck_assert_uint_eq(t->mask, KEYS - 1);
    for (uint32_t id = 0; n < KEYS; id++) {
        make_fragment(&pkt, id, 6, 100);
        make_key(&keys[n], &pkt.fragment);
        if (fixed_bucket(&keys[n], t->mask) == 0)
            n++;
    }
    for (size_t i = 0; i < KEYS; i++) {
        unsigned *l = &load[hash_frag_key(&keys[i], t->secret, t->mask)];

        used += *l == 0;
        if (++*l > longest)
            longest = *l;
    }
    /* 256 keys thrown at random into 256 buckets fill about 162, the fullest holding about 5. */
    ck_assert_uint_ge(used, KEYS / 2);
    ck_assert_uint_le(longest, 16);
    frag_table_free(t);
}
END_TEST

Suite *frag_suite(void)
{
    Suite *suite = suite_create("frag");
    TCase *table = tcase_create("table");
    int n = (int)(sizeof(seeds) / sizeof(seeds[0]));

    tcase_add_loop_test(table, test_later_after_first, 0, n);
    tcase_add_loop_test(table, test_later_before_first, 0, n);
    tcase_add_loop_test(table, test_orphans_at_flush, 0, n);
    tcase_add_loop_test(table, test_timeout_forgets, 0, n);
    tcase_add_loop_test(table, test_full_table_evicts_least_recent, 0, n);
    tcase_add_loop_test(table, test_full_table_finds_every_datagram, 0, n);
    tcase_add_loop_test(table, test_crafted_identifications_spread, 0, n);
    tcase_add_loop_test(table, test_protocol_in_key, 0, n);
    tcase_add_loop_test(table, test_earlier_fragment_keeps_last_sight, 0, n);
    tcase_add_loop_test(table, test_flow_record_taken_over, 0, n);
    suite_add_tcase(suite, table);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, frag_suite());
    return 0;
}
