/*
 * test_flow_store.c - unit tests for src/flow/flow_store.c: a flow comes back from its compact copy
 * exactly as it went in, whatever its fields hold, and a moved copy reads the same.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "../../src/flow/flow_store.h"

#define RANDOM_FLOWS 20000

/* splitmix64: a fixed sequence, so that a failure repeats. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A value of any size: mostly small, as counters are, sometimes as large as the type allows. */
static uint64_t any_size(uint64_t *state)
{
    uint64_t r = next_random(state);

    return r >> (next_random(state) % 64);
}

static ps_time any_time(uint64_t *state)
{
    uint64_t u = next_random(state) % 4 == 0 ? next_random(state) : any_size(state);
    ps_time t;

    memcpy(&t, &u, sizeof(t));
    return t;
}

/* A flow with random fields, within what the flow table can produce. */
static void random_flow(uint64_t *state, uint32_t id, struct flow *f)
{
    uint64_t r = next_random(state);
    size_t addr_len;
    ps_time duration;

    memset(f, 0, sizeof(*f));
    f->key.family = r % 3 == 0 ? 6 : 4;
    f->key.proto = (uint8_t)(r % 5 == 0 ? next_random(state) : PS_IPPROTO_TCP);
    f->key.scope = (uint16_t)(next_random(state) & 0x7fff);
    addr_len = f->key.family == 6 ? 16 : 4;
    for (int e = 0; e < 2; e++) {
        for (size_t i = 0; i < addr_len; i++)
            f->key.addr[e][i] = (uint8_t)next_random(state);
        f->key.port[e] = (uint16_t)next_random(state);
    }
    f->first_seen = any_time(state);
    duration = (ps_time)(any_size(state) >> 2);
    f->last_seen = f->first_seen <= INT64_MAX - duration ? f->first_seen + duration : INT64_MAX;
    for (int e = 0; e < 2; e++) {
        f->packets[e] = any_size(state);
        f->bytes[e] = any_size(state);
        f->ip_bytes[e] = any_size(state);
        f->payload_bytes[e] = any_size(state);
    }
    f->id = id;
    r = next_random(state);
    f->prev = r & 1 ? (uint32_t)any_size(state) : 0;
    f->icmp_errors = r & 2 ? (uint32_t)any_size(state) : 0;
    f->path_id = r & 4 ? (uint16_t)any_size(state) : 0;
    f->first_sender = r >> 3 & 1;
    f->role_seen = r >> 4 & 0xf;
    f->start = (uint8_t)(r >> 8 & 7) % (FLOW_START_ACTIVE + 1);
    f->quality = r >> 11 & 0xf;
    f->ended = r >> 15 & 1;
    if (r >> 17 & 1) {
        f->app = (uint8_t)next_random(state);
        f->app_state = (uint8_t)next_random(state);
        f->app_name = (uint16_t)any_size(state);
    }
    f->ttl[0] = (uint8_t)next_random(state);
    f->ttl[1] = (uint8_t)next_random(state);
    if (f->key.proto != PS_IPPROTO_TCP)
        return;
    for (int e = 0; e < 2; e++) {
        f->tcp.state[e] = (uint8_t)(next_random(state) % (TCP_RESET + 1));
        f->tcp.seen[e] = next_random(state) & 0x1f;
        if (f->tcp.seen[e] & TCP_SEEN_BASE)
            f->tcp.base_seq[e] = (uint32_t)next_random(state);
        if (f->tcp.seen[e] & TCP_SEEN_END)
            f->tcp.seq_end[e] = (uint32_t)next_random(state);
        if (r >> 16 & 1) {
            f->tcp.retrans[e] = (uint32_t)any_size(state);
            f->tcp.payload_retrans[e] = (uint32_t)any_size(state);
        }
        f->tcp.letters[e] = (uint16_t)next_random(state);
    }
    f->tcp.have = next_random(state) & 7;
    if (f->tcp.have & FLOW_TCP_HAVE_SYN)
        f->tcp.syn_at = any_time(state);
    if (f->tcp.have & FLOW_TCP_HAVE_SYN_ACK)
        f->tcp.syn_ack_at = any_time(state);
    if (f->tcp.have & FLOW_TCP_HAVE_ACK)
        f->tcp.ack_at = any_time(state);
    f->tcp.history_len = (uint8_t)(next_random(state) % (FLOW_HISTORY_MAX + 1));
    for (size_t i = 0; i < f->tcp.history_len; i++)
        f->tcp.history[i] = "SHADFRWIQTshadfrwiqt^"[next_random(state) % 21];
}

START_TEST(test_random_flows_round_trip)
{
    struct flow_store s;
    uint64_t state = 42, *locs = malloc(RANDOM_FLOWS * sizeof(*locs));
    struct flow *flows = malloc(RANDOM_FLOWS * sizeof(*flows)), back;
    struct flow_key key;

    ck_assert_ptr_nonnull(locs);
    ck_assert_ptr_nonnull(flows);
    flow_store_init(&s);
    for (uint32_t i = 0; i < RANDOM_FLOWS; i++) {
        random_flow(&state, i, &flows[i]);
        locs[i] = flow_store_put(&s, &flows[i]);
        ck_assert_uint_ne(locs[i], FLOW_STORE_NONE);
    }
    /* Read back after all were written: no record overwrote another, across chunks too. */
    for (uint32_t i = 0; i < RANDOM_FLOWS; i++) {
        flow_store_get(&s, locs[i], i, &back);
        ck_assert_mem_eq(&back, &flows[i], sizeof(back));
        flow_store_key(&s, locs[i], &key);
        ck_assert_mem_eq(&key, &flows[i].key, sizeof(key));
        memset(&key, 0xff, sizeof(key));
        ck_assert_uint_eq(flow_store_roles(&s, locs[i], &key), flows[i].role_seen);
        ck_assert_mem_eq(&key, &flows[i].key, sizeof(key));
    }
    flow_store_free(&s);
    free(locs);
    free(flows);
}
END_TEST

START_TEST(test_short_connection_is_small)
{
    struct flow_store s;
    struct flow f;
    uint64_t micro;

    memset(&f, 0, sizeof(f));
    f.key.family = 4;
    f.key.proto = PS_IPPROTO_TCP;
    memcpy(f.key.addr[0], "\x0a\x00\x00\x01", 4);
    memcpy(f.key.addr[1], "\x0a\x00\x00\x02", 4);
    f.key.port[0] = 80;
    f.key.port[1] = 51000;
    f.first_seen = (ps_time)1700000000 * 1000000000;
    f.last_seen = f.first_seen + 3000000;
    f.packets[0] = f.packets[1] = 5;
    f.bytes[0] = 1200;
    f.bytes[1] = 600;
    f.tcp.seen[0] = f.tcp.seen[1] = TCP_SEEN_BASE | TCP_SEEN_END | TCP_SEEN_FIN;
    f.tcp.have = FLOW_TCP_HAVE_SYN | FLOW_TCP_HAVE_SYN_ACK | FLOW_TCP_HAVE_ACK;
    f.tcp.syn_at = f.first_seen;
    f.tcp.syn_ack_at = f.first_seen + 500000;
    f.tcp.ack_at = f.first_seen + 1000000;
    f.tcp.history_len = 8;
    memcpy(f.tcp.history, "ShADadFf", 8);
    flow_store_init(&s);
    ck_assert_uint_ne(flow_store_put(&s, &f), FLOW_STORE_NONE);
    /* The point of the store: a fraction of the 240 bytes of a record. */
    ck_assert_uint_le(s.bytes, 80);
    /* Its times are whole microseconds, written as such: a nanosecond more takes 4 bytes more
     * (the start, 3 ms, 0.5 ms and 1 ms a byte each). */
    micro = s.bytes;
    f.last_seen++;
    ck_assert_uint_ne(flow_store_put(&s, &f), FLOW_STORE_NONE);
    ck_assert_uint_ge(s.bytes - micro, micro + 4);
    flow_store_free(&s);
}
END_TEST

static ps_time whole_micro(ps_time t)
{
    return t - t % 1000;
}

/*
 * Times in whole microseconds (as a microsecond capture gives them) are written a thousand times
 * smaller: they come back exactly, before and after the store's first flow, and a flow with one
 * time off by a nanosecond is written in nanoseconds and comes back exactly too.
 */
START_TEST(test_micro_times_round_trip)
{
    struct flow_store s;
    uint64_t state = 7, *locs = malloc(RANDOM_FLOWS * sizeof(*locs));
    struct flow *flows = malloc(RANDOM_FLOWS * sizeof(*flows)), back;

    ck_assert_ptr_nonnull(locs);
    ck_assert_ptr_nonnull(flows);
    flow_store_init(&s);
    for (uint32_t i = 0; i < RANDOM_FLOWS; i++) {
        struct flow *f = &flows[i];

        random_flow(&state, i, f);
        f->first_seen = whole_micro(f->first_seen);
        f->last_seen = f->first_seen + whole_micro((f->last_seen - f->first_seen) / 2);
        f->tcp.syn_at = whole_micro(f->tcp.syn_at);
        f->tcp.syn_ack_at = whole_micro(f->tcp.syn_ack_at);
        f->tcp.ack_at = whole_micro(f->tcp.ack_at);
        /* One flow in eight with one time a nanosecond off. */
        switch (i % 8 == 0 ? next_random(&state) % 3 : 3) {
        case 0:
            f->last_seen += f->last_seen < INT64_MAX;
            break;
        case 1:
            if (f->tcp.have & FLOW_TCP_HAVE_SYN_ACK)
                f->tcp.syn_ack_at += f->tcp.syn_ack_at < INT64_MAX;
            break;
        case 2:
            f->first_seen -= f->first_seen > INT64_MIN && f->first_seen < f->last_seen;
            break;
        }
        locs[i] = flow_store_put(&s, f);
        ck_assert_uint_ne(locs[i], FLOW_STORE_NONE);
    }
    for (uint32_t i = 0; i < RANDOM_FLOWS; i++) {
        flow_store_get(&s, locs[i], i, &back);
        ck_assert_mem_eq(&back, &flows[i], sizeof(back));
    }
    flow_store_free(&s);
    free(locs);
    free(flows);
}
END_TEST

/* Every TCP flag set each endpoint may have sent, and every end reason, come back as they were. */
START_TEST(test_tcp_flags_and_end_round_trip)
{
    struct flow_store s;
    uint64_t state = 3, locs[256];
    struct flow f[256], back;

    flow_store_init(&s);
    for (uint32_t i = 0; i < 256; i++) {
        do
            random_flow(&state, i, &f[i]);
        while (f[i].key.proto != PS_IPPROTO_TCP);
        f[i].tcp.flags[0] = (uint8_t)i;
        f[i].tcp.flags[1] = (uint8_t)(255 - i);
        f[i].end = (uint8_t)(i % (FLOW_END_CLOSED + 1));
        locs[i] = flow_store_put(&s, &f[i]);
        ck_assert_uint_ne(locs[i], FLOW_STORE_NONE);
    }
    for (uint32_t i = 0; i < 256; i++) {
        flow_store_get(&s, locs[i], i, &back);
        ck_assert_uint_eq(back.tcp.flags[0], i);
        ck_assert_uint_eq(back.tcp.flags[1], 255 - i);
        ck_assert_uint_eq(back.end, i % (FLOW_END_CLOSED + 1));
        ck_assert_mem_eq(&back, &f[i], sizeof(back));
    }
    flow_store_free(&s);
}
END_TEST

START_TEST(test_move_to_reserved_store)
{
    struct flow_store from, to;
    uint64_t state = 7, locs[3000], wanted = 0;
    struct flow f, back;

    flow_store_init(&from);
    for (uint32_t i = 0; i < 3000; i++) {
        random_flow(&state, i, &f);
        locs[i] = flow_store_put(&from, &f);
    }
    /* The records' lengths, as getting them says, are the store's bytes. */
    for (uint32_t i = 0; i < 3000; i++)
        wanted += flow_store_get(&from, locs[i], i, &f);
    ck_assert_uint_eq(wanted, from.bytes);
    /* Every other one is dropped, the rest moved to a store with room taken for them. */
    for (uint32_t i = 0; i < 3000; i += 2)
        flow_store_drop(&from, flow_store_get(&from, locs[i], i, &f));
    wanted = from.bytes - from.dropped;
    flow_store_init_like(&to, &from);
    ck_assert(flow_store_reserve(&to, wanted));
    for (uint32_t i = 1; i < 3000; i += 2) {
        uint64_t loc = flow_store_move(&to, &from, locs[i]);

        ck_assert_uint_ne(loc, FLOW_STORE_NONE);
        flow_store_get(&from, locs[i], i, &f);
        flow_store_get(&to, loc, i, &back);
        ck_assert_mem_eq(&back, &f, sizeof(back));
    }
    ck_assert_uint_eq(to.bytes, wanted);
    flow_store_free(&from);
    flow_store_free(&to);
}
END_TEST

Suite *flow_store_suite(void)
{
    Suite *suite = suite_create("flow_store");
    TCase *records = tcase_create("records");

    tcase_add_test(records, test_random_flows_round_trip);
    tcase_add_test(records, test_short_connection_is_small);
    tcase_add_test(records, test_micro_times_round_trip);
    tcase_add_test(records, test_tcp_flags_and_end_round_trip);
    tcase_add_test(records, test_move_to_reserved_store);
    suite_add_tcase(suite, records);
    return suite;
}
