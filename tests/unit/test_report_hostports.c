/*
 * test_report_hostports.c - unit tests for src/report/report_hostports.c: how a client host picked
 * its ports, judged from generated sequences of connections (sequential, with a step, per
 * destination, random, wrapping, too few, ports reused), the range most likely in force, and the
 * operating-system hint from the initial TTL and the ports; the sort of keys mostly in order; and
 * the gathering's grouping of the connections by host. The two sources are included, for their
 * static functions.
 */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "../../src/report/report_int.h"
#include "../../src/report/report_gather.c"
#include "../../src/report/report_hostports.c"

#define MAX_USES 256

/* A host's connections under construction, one a second. */
struct host {
    struct report_client c;
    struct report_port_use uses[MAX_USES], scratch[MAX_USES];
    uint64_t keys[MAX_USES];
    size_t n;
};

static void host_init(struct host *h)
{
    memset(h, 0, sizeof(*h));
    h->c.ephemeral_all = UINT32_MAX;
}

static void connect_to(struct host *h, uint32_t dest, uint16_t port, uint8_t proto)
{
    ck_assert_uint_lt(h->n, MAX_USES);
    h->uses[h->n] = (struct report_port_use){
        .order = (uint32_t)h->n + 1,
        .dest = dest,
        .port = port,
        .proto = proto,
    };
    h->c.ephemeral_all &= ports_ephemeral_mask(port);
    h->n++;
}

/* The side parts of the test's judgings, which the fixture's teardown frees. */
static struct report_port_more *judged[8];
static size_t n_judged;

static const struct report_port_choice *judge(struct host *h)
{
    ck_assert_uint_lt(n_judged, sizeof(judged) / sizeof(judged[0]));
    h->c.choice.more = NULL; /* a judging before's side part is in judged[] */
    ck_assert_int_eq(report_ports_judge(&h->c, h->uses, h->n, h->scratch, h->keys), 0);
    judged[n_judged++] = h->c.choice.more;
    return &h->c.choice;
}

static void release_judged(void)
{
    for (size_t i = 0; i < n_judged; i++)
        free(judged[i]);
    n_judged = 0;
}

/* splitmix64: a fixed sequence, so that a failure repeats. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

START_TEST(test_sequential)
{
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    for (uint16_t i = 0; i < 30; i++)
        connect_to(&h, i, (uint16_t)(50000 + i), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "sequential");
    ck_assert_uint_eq(ch->proto, PS_IPPROTO_TCP);
    ck_assert_uint_eq(ch->connections, 30);
    ck_assert_uint_eq(ch->steps, 29);
    ck_assert_uint_eq(ch->steps_up, 29);
    ck_assert_uint_eq(ch->step, 1);
    ck_assert_uint_eq(ch->wraps, 0);
    /* The order of use cut to its first and last ten. */
    ck_assert_uint_eq(ch->n_first, REPORT_PORTS_LISTED);
    ck_assert_uint_eq(ch->n_last, REPORT_PORTS_LISTED);
    ck_assert_uint_eq(ch->first[0], 50000);
    ck_assert_uint_eq(ch->first[9], 50009);
    ck_assert_uint_eq(ch->more->last[0], 50020);
    ck_assert_uint_eq(ch->more->last[9], 50029);
    ck_assert_uint_eq(ch->reused_other_server + ch->reused_same_server, 0);
}
END_TEST

/* A step of 2 (Linux's connect() takes every other port), an odd larger one now and then. */
START_TEST(test_sequential_step)
{
    struct host h;
    const struct report_port_choice *ch;
    uint16_t port = 40000;

    host_init(&h);
    for (int i = 0; i < 12; i++) {
        connect_to(&h, 7, port, PS_IPPROTO_TCP);
        port = (uint16_t)(port + (i % 5 == 4 ? 9 : 2));
    }
    ch = judge(&h);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "sequential");
    ck_assert_uint_eq(ch->step, 2);
    ck_assert_uint_eq(ch->steps_up, 11);
    ck_assert_uint_eq(ch->first[1], 40002);
    ck_assert_uint_eq(ch->n_first, 10);
    ck_assert_uint_eq(ch->n_last, 2);
}
END_TEST

/* Three servers in turn, each with a counter of its own (RFC 6056 algorithm 3): the ports jump
 * from one connection to the next but go up by one towards each server. */
START_TEST(test_per_destination)
{
    static const uint16_t base[3] = {33000, 58000, 45000};
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    for (uint16_t i = 0; i < 8; i++)
        for (uint16_t d = 0; d < 3; d++)
            connect_to(&h, 100 + d, (uint16_t)(base[d] + i), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "per-destination");
    ck_assert_uint_eq(ch->steps, 23);
    ck_assert_uint_lt(ch->steps_up, 5);
    ck_assert_uint_eq(ch->dest_steps, 21);
    ck_assert_uint_eq(ch->dest_steps_up, 21);
    ck_assert_uint_eq(ch->step, 1);
    ck_assert_uint_eq(ch->first[0], 33000);
    ck_assert_uint_eq(ch->first[1], 58000);
}
END_TEST

START_TEST(test_random)
{
    struct host h;
    const struct report_port_choice *ch;
    uint64_t state = 7;

    host_init(&h);
    for (int i = 0; i < 40; i++)
        connect_to(&h, (uint64_t)(i % 2), (uint16_t)(49152 + next_random(&state) % 16384),
                   PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "random");
    ck_assert_uint_eq(ch->step, 0);
    ck_assert_uint_eq(ch->wraps, 0);
    ck_assert_uint_eq(ch->dest_steps, 38);
}
END_TEST

/* 25 connections to one server from a range of ten ports: up to the top, back to the bottom. */
START_TEST(test_wrap)
{
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    for (int i = 0; i < 25; i++)
        connect_to(&h, 1, (uint16_t)(40000 + i % 10), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "sequential");
    ck_assert_uint_eq(ch->connections, 25);
    ck_assert_uint_eq(ch->steps_up, 22);
    ck_assert_uint_eq(ch->wraps, 2);
    ck_assert_uint_eq(ch->more->wrap_from, 40009);
    ck_assert_uint_eq(ch->more->wrap_to, 40000);
    ck_assert_uint_eq(ch->more->wrap_from_id, 10);
    ck_assert_uint_eq(ch->more->wrap_to_id, 11);
    /* Every port came back for the same server. */
    ck_assert_uint_eq(ch->reused_same_server, 10);
    ck_assert_uint_eq(ch->reused_other_server, 0);
}
END_TEST

/* The side part is made only for a host that needs it: ten ports in order of use fit the entry;
 * an eleventh, or a wrap among fewer, needs it. */
START_TEST(test_side_part)
{
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    for (int i = 0; i < REPORT_PORTS_LISTED; i++)
        connect_to(&h, 1, (uint16_t)(50000 + i), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->n_last, 0);
    ck_assert_uint_eq(ch->wraps, 0);
    ck_assert_ptr_null(ch->more);
    connect_to(&h, 1, 50010, PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->n_last, 1);
    ck_assert_ptr_nonnull(ch->more);
    ck_assert_uint_eq(ch->more->last[0], 50010);

    host_init(&h);
    for (int i = 0; i < 8; i++)
        connect_to(&h, 1, (uint16_t)(40000 + i % 4), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->n_last, 0);
    ck_assert_uint_eq(ch->wraps, 1);
    ck_assert_ptr_nonnull(ch->more);
    ck_assert_uint_eq(ch->more->wrap_from, 40003);
    ck_assert_uint_eq(ch->more->wrap_to, 40000);
    ck_assert_uint_eq(ch->more->wrap_from_id, 4);
    ck_assert_uint_eq(ch->more->wrap_to_id, 5);
}
END_TEST

START_TEST(test_too_few)
{
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    for (uint16_t i = 0; i < REPORT_PORTS_PATTERN_MIN - 1; i++)
        connect_to(&h, i, (uint16_t)(50000 + i), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "too-few");
    ck_assert_uint_eq(ch->steps, 2);
    ck_assert_uint_eq(ch->n_first, 3);
    ck_assert_uint_eq(ch->n_last, 0);
}
END_TEST

/* Port 50000 for two servers, 50001 twice for one (after TIME_WAIT), 50002 once: TCP and UDP
 * ports are apart. */
START_TEST(test_reuse)
{
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    connect_to(&h, 1, 50000, PS_IPPROTO_TCP);
    connect_to(&h, 2, 50000, PS_IPPROTO_TCP);
    connect_to(&h, 1, 50001, PS_IPPROTO_TCP);
    connect_to(&h, 1, 50001, PS_IPPROTO_TCP);
    connect_to(&h, 3, 50002, PS_IPPROTO_TCP);
    connect_to(&h, 4, 50002, PS_IPPROTO_UDP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->reused_other_server, 1);
    ck_assert_uint_eq(ch->reused_same_server, 1);
    ck_assert_uint_eq(ch->proto, PS_IPPROTO_TCP);
    ck_assert_uint_eq(ch->connections, 5);
    /* A port used again is no step: 50000, 50001, 50002 are two. */
    ck_assert_uint_eq(ch->steps, 2);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "too-few");
}
END_TEST

/* TCP is judged when it has enough connections, even beside more UDP; UDP when TCP has none. */
START_TEST(test_judged_protocol)
{
    struct host h;
    const struct report_port_choice *ch;

    host_init(&h);
    for (uint16_t i = 0; i < 6; i++)
        connect_to(&h, 9, (uint16_t)(35000 + 997 * i), PS_IPPROTO_UDP);
    for (uint16_t i = 0; i < 4; i++)
        connect_to(&h, i, (uint16_t)(50000 + i), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->proto, PS_IPPROTO_TCP);
    ck_assert_uint_eq(ch->connections, 4);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "sequential");

    host_init(&h);
    for (uint16_t i = 0; i < 6; i++)
        connect_to(&h, 9, (uint16_t)(35000 + 997 * i), PS_IPPROTO_UDP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->proto, PS_IPPROTO_UDP);
    ck_assert_str_eq(report_port_pattern_name(ch->pattern), "random");
}
END_TEST

/* The narrowest of the ranges that hold the most ports; every profile of that range named. */
START_TEST(test_likely_range)
{
    struct host h;
    const struct report_port_choice *ch;
    uint32_t iana = 0;

    host_init(&h);
    for (uint16_t i = 0; i < 5; i++)
        connect_to(&h, i, (uint16_t)(33000 + 500 * i), PS_IPPROTO_TCP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->likely_lo, 32768);
    ck_assert_uint_eq(ch->likely_hi, 60999);
    ck_assert_uint_eq(ch->likely_ports, 5);

    host_init(&h);
    for (uint16_t i = 0; i < 5; i++)
        connect_to(&h, i, (uint16_t)(50000 + i), PS_IPPROTO_TCP);
    connect_to(&h, 9, 5000, PS_IPPROTO_TCP); /* in no range of the others: they decide */
    ch = judge(&h);
    ck_assert_uint_eq(ch->likely_lo, 49152);
    ck_assert_uint_eq(ch->likely_hi, 65535);
    ck_assert_uint_eq(ch->likely_ports, 5);
    for (size_t k = 0; k < ports_ephemeral_profile_count; k++)
        if (ports_ephemeral_profiles[k].lo == 49152 && ports_ephemeral_profiles[k].hi == 65535)
            iana |= UINT32_C(1) << k;
    ck_assert_uint_eq(ch->likely, iana);

    /* A port no range holds: no likely range. */
    host_init(&h);
    connect_to(&h, 1, 123, PS_IPPROTO_UDP);
    ch = judge(&h);
    ck_assert_uint_eq(ch->likely, 0);
    ck_assert_uint_eq(ch->likely_ports, 0);
}
END_TEST

/* A host of `n` connections from `port` up whose client flows' TTLs were `ttls`. */
static const struct report_port_choice *ttl_host(struct host *h, uint16_t port, const uint8_t *ttls,
                                                 size_t n)
{
    host_init(h);
    for (size_t i = 0; i < n; i++) {
        connect_to(h, i, (uint16_t)(port + i), PS_IPPROTO_TCP);
        report_ports_count_ttl(&h->c, ttls[i]);
    }
    return judge(h);
}

START_TEST(test_ttl_hint)
{
    static const uint8_t ttl64[4] = {64, 63, 64, 60}, ttl128[4] = {128, 127, 120, 128};
    static const uint8_t mixed[4] = {64, 128, 64, 64}, ttl255[4] = {255, 254, 250, 255};
    static const uint8_t low[4] = {30, 32, 0, 0};
    struct host h;
    const struct report_port_choice *ch;

    /* Seen TTLs round up to the initial one; ports only in Linux's range. */
    ch = ttl_host(&h, 40000, ttl64, 4);
    ck_assert_uint_eq(ch->initial_ttl, 64);
    ck_assert_uint_eq(ch->ttl_flows[1], 4);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "linux");
    /* In both Linux's and 49152-65535. */
    ch = ttl_host(&h, 50000, ttl64, 4);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "linux-or-macos");
    /* Above Linux's range. */
    ch = ttl_host(&h, 62000, ttl64, 4);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "macos");
    ch = ttl_host(&h, 62000, ttl128, 4);
    ck_assert_uint_eq(ch->initial_ttl, 128);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "windows");
    /* TTL 128 from ports Windows never picks: the evidence disagrees. */
    ch = ttl_host(&h, 40000, ttl128, 4);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "unknown");
    /* TTLs that disagree: no initial TTL. */
    ch = ttl_host(&h, 40000, mixed, 4);
    ck_assert_uint_eq(ch->initial_ttl, 0);
    ck_assert_uint_eq(ch->ttl_flows[1], 3);
    ck_assert_uint_eq(ch->ttl_flows[2], 1);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "unknown");
    ch = ttl_host(&h, 40000, ttl255, 4);
    ck_assert_uint_eq(ch->initial_ttl, 255);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "network-device");
    /* A TTL of 0 is none; 32 hints at nothing. */
    ch = ttl_host(&h, 40000, low, 4);
    ck_assert_uint_eq(ch->initial_ttl, 32);
    ck_assert_uint_eq(ch->ttl_flows[0], 2);
    ck_assert_str_eq(report_os_hint_name(ch->os_hint), "unknown");
}
END_TEST

/* Gathered in any order, judged in one: the connections shuffled judge the same. */
START_TEST(test_order_of_gathering)
{
    static struct host a, b;
    uint64_t state = 3;

    host_init(&a);
    for (uint16_t i = 0; i < 60; i++)
        connect_to(&a, i % 4, (uint16_t)(40000 + next_random(&state) % 64), PS_IPPROTO_TCP);
    /* Ties in time, told apart by destination and port. */
    a.uses[5].order = a.uses[6].order;
    b = a;
    for (size_t i = b.n - 1; i > 0; i--) {
        size_t j = next_random(&state) % (i + 1);
        struct report_port_use t = b.uses[i];

        b.uses[i] = b.uses[j];
        b.uses[j] = t;
    }
    judge(&a);
    judge(&b);
    /* The side parts alike, then the entries without their pointers to them. */
    ck_assert_ptr_nonnull(a.c.choice.more);
    ck_assert_ptr_nonnull(b.c.choice.more);
    ck_assert_mem_eq(a.c.choice.more, b.c.choice.more, sizeof(*a.c.choice.more));
    a.c.choice.more = b.c.choice.more = NULL;
    ck_assert_mem_eq(&a.c, &b.c, sizeof(a.c));
}
END_TEST

/*
 * Many connections (past the few a sort does by insertion; below DEST_TABLE_MAX and above, so
 * that the per-destination steps come from the table and from the sort), few ports and
 * destinations so that they repeat, in shuffled time order: the counts the judging makes from its
 * sorts against the same counts made here pair by pair, without sorting.
 */
START_TEST(test_counts_against_pairs)
{
    static struct host h;
    uint64_t state = 11;

    for (int round = 0; round < 20; round++) {
        const struct report_port_choice *ch;
        uint32_t ports = 0, other = 0, same = 0, dest_steps = 0, dest_up = 0;
        size_t n = 40 + (size_t)(next_random(&state) % (MAX_USES - 40));

        host_init(&h);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = next_random(&state);

            connect_to(&h, (uint32_t)(r % (3 + (size_t)round)),
                       (uint16_t)(40000 + (r >> 8) % (8 + 4 * (size_t)round)),
                       (r >> 20) % 8 == 0 ? PS_IPPROTO_UDP : PS_IPPROTO_TCP);
            /* Report ids in another order than the connections'. */
            h.uses[i].order = (uint32_t)(((r >> 32) % 1000) * MAX_USES + i + 1);
        }
        for (size_t i = 0; i < n; i++) {
            const struct report_port_use *u = &h.uses[i];
            bool first = true, several = false, again = false;

            for (size_t j = 0; j < n && first; j++)
                first = !(j < i && h.uses[j].port == u->port);
            if (!first)
                continue;
            ports++;
            for (size_t j = 0; j < n; j++)
                for (size_t k = j + 1; k < n; k++) {
                    const struct report_port_use *a = &h.uses[j], *b = &h.uses[k];

                    if (a->port != u->port || b->port != u->port || a->proto != b->proto)
                        continue;
                    several |= a->dest != b->dest;
                    again |= a->dest == b->dest;
                }
            other += several;
            same += again;
        }
        /* Each TCP connection and the next TCP one in time to the same destination. */
        for (size_t i = 0; i < n; i++) {
            const struct report_port_use *a = &h.uses[i], *b = NULL;

            if (a->proto != PS_IPPROTO_TCP)
                continue;
            for (size_t j = 0; j < n; j++) {
                const struct report_port_use *x = &h.uses[j];

                if (x->proto == PS_IPPROTO_TCP && x->dest == a->dest && x->order > a->order &&
                    (b == NULL || x->order < b->order))
                    b = x;
            }
            if (b == NULL || b->port == a->port)
                continue;
            dest_steps++;
            dest_up += b->port > a->port && b->port - a->port <= REPORT_PORTS_STEP_MAX;
        }
        ch = judge(&h);
        release_judged();
        ck_assert_uint_eq(ch->proto, PS_IPPROTO_TCP);
        ck_assert_uint_eq(h.c.ports, ports);
        ck_assert_uint_eq(ch->reused_other_server, other);
        ck_assert_uint_eq(ch->reused_same_server, same);
        ck_assert_uint_eq(ch->dest_steps, dest_steps);
        ck_assert_uint_eq(ch->dest_steps_up, dest_up);
    }
}
END_TEST

static int compare_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/*
 * sort_keys_nearly() against qsort() on keys in order, reversed, all equal, random (past its
 * budget of moves, so sorted by sort_keys()), and in order but for a few moved, of every length
 * to 300.
 */
START_TEST(test_sort_keys_nearly)
{
    static uint64_t keys[300], expected[300];
    uint64_t state = 9;

    for (int kind = 0; kind < 5; kind++)
        for (size_t n = 0; n <= 300; n++) {
            for (size_t i = 0; i < n; i++) {
                uint64_t r = next_random(&state);

                keys[i] = kind == 0   ? i * 3
                          : kind == 1 ? (n - i) << 40
                          : kind == 2 ? 7
                          : kind == 3 ? r
                                      : (r % 16 == 0 ? r >> 40 : i << 20);
            }
            memcpy(expected, keys, n * sizeof(*keys));
            qsort(expected, n, sizeof(*expected), compare_keys);
            sort_keys_nearly(keys, n);
            ck_assert_mem_eq(keys, expected, n * sizeof(*keys));
        }
}
END_TEST

/*
 * The grouping by host (place_by_host(), then move_to_places() on each part, split or not): each
 * host's connections together at start[h], in the order they came in, for a few connections (one
 * round) and for many (two), and with the hosts cut in two as the judging's two threads have them.
 */
START_TEST(test_grouping_keeps_order)
{
    static const size_t sizes[] = {1, 7, 255, 256, 5000, 70000};
    uint64_t state = 5;

    for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
        size_t n = sizes[t], n_hosts = 1 + n / 9, mid;
        struct report_port_use *uses = malloc(n * sizeof(*uses));
        size_t *start = calloc(n_hosts + 1, sizeof(*start)),
               *next = malloc(n_hosts * sizeof(*next));

        ck_assert_ptr_nonnull(uses);
        ck_assert_ptr_nonnull(start);
        ck_assert_ptr_nonnull(next);
        for (size_t i = 0; i < n; i++) {
            /* A quarter of the connections to the first four hosts: parts of all sizes. */
            uint64_t r = next_random(&state);
            uint32_t host = (uint32_t)((r >> 8) % (r % 4 == 0 && n_hosts > 4 ? 4 : n_hosts));

            uses[i] = (struct report_port_use){.order = (uint32_t)i, .host = host};
            start[host + 1]++;
        }
        for (size_t h = 0; h < n_hosts; h++)
            start[h + 1] += start[h];
        for (mid = 0; mid < n_hosts && start[mid] < n / 2; mid++)
            ;
        place_by_host(uses, n, start, n_hosts, next);
        /* Remember each connection's host in its order, which is its number. */
        for (size_t i = 0; i < n; i++) {
            size_t h = 0;

            while (start[h + 1] <= uses[i].host)
                h++;
            uses[i].dest = (uint32_t)h;
        }
        if (t % 2 == 1) {
            split_at_place(uses, n, start[mid]);
            move_to_places(uses, 0, start[mid]);
            move_to_places(uses, start[mid], n);
        } else {
            move_to_places(uses, 0, n);
        }
        for (size_t h = 0; h < n_hosts; h++)
            for (size_t i = start[h]; i < start[h + 1]; i++) {
                ck_assert_uint_eq(uses[i].dest, h);
                if (i > start[h])
                    ck_assert_uint_gt(uses[i].order, uses[i - 1].order);
            }
        free(uses);
        free(start);
        free(next);
    }
}
END_TEST

Suite *report_hostports_suite(void)
{
    Suite *suite = suite_create("hostports");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, NULL, release_judged);
    tcase_add_test(tc, test_sequential);
    tcase_add_test(tc, test_sequential_step);
    tcase_add_test(tc, test_per_destination);
    tcase_add_test(tc, test_random);
    tcase_add_test(tc, test_wrap);
    tcase_add_test(tc, test_side_part);
    tcase_add_test(tc, test_too_few);
    tcase_add_test(tc, test_reuse);
    tcase_add_test(tc, test_judged_protocol);
    tcase_add_test(tc, test_likely_range);
    tcase_add_test(tc, test_ttl_hint);
    tcase_add_test(tc, test_order_of_gathering);
    tcase_add_test(tc, test_counts_against_pairs);
    tcase_add_test(tc, test_sort_keys_nearly);
    tcase_add_test(tc, test_grouping_keeps_order);
    suite_add_tcase(suite, tc);
    return suite;
}
