/*
 * report_gather.c - the services seen and the client hosts, gathered from the flows: in one pass
 * of report_build(), or from the JSON writer's threads as they write the flows (report_gathering).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/*
 * Services and client hosts are gathered through hash tables as the flows are read, and the
 * distinct client hosts of each service through bits per host for the first services and a set
 * of pairs beyond them (each host's distinct ports are counted as it is judged, from its
 * connections sorted by port): only the final tables, one entry per service or host, are sorted.
 * The tables hash with secrets from ps_hash_seed(), so crafted addresses cannot force collisions;
 * nothing written depends on them, nor on the order the flows are gathered in.
 */

/* A hash onto [0, n) by multiplication rather than a mask: tables are sized to need, not 2^k. */
size_t report_hash_slot(uint64_t hash, size_t n)
{
    __extension__ typedef unsigned __int128 u128;

    return (size_t)(((u128)hash * n) >> 64);
}

/* Slots for `max` entries with a fifth of them left empty, so that probes stay short. */
static size_t slots_for(size_t max)
{
    return max + max / 4 + 1;
}

static bool table_full(size_t entries, size_t slots)
{
    return (entries + 1) * 5 > slots * 4;
}

/*
 * A set of pairs, each packed into 64 bits (service << 32 | host), for the distinct counts: it is
 * sized once for the most it can hold, as many as the flows at worst, so it never needs the room of
 * a rehash.
 */
struct pair_set {
    uint64_t *slots; /* pair + 1; 0 is empty */
    size_t n_slots;
    const uint64_t *secret;
};

size_t report_pair_home(const uint64_t secret[2], uint64_t pair, size_t n_slots)
{
    return report_hash_slot(ps_hash2(pair, 0, secret), n_slots);
}

/* Where a pair's probe starts. */
static size_t pair_set_home(const struct pair_set *s, uint64_t pair)
{
    return report_pair_home(s->secret, pair, s->n_slots);
}

/* Adds a pair, probing from its home; true when it was not in the set yet. */
static bool pair_set_add(struct pair_set *s, uint64_t pair, size_t home)
{
    size_t i = home;

    for (pair++; s->slots[i] != 0; i = i + 1 < s->n_slots ? i + 1 : 0)
        if (s->slots[i] == pair)
            return false;
    s->slots[i] = pair;
    return true;
}

#define NO_PAIR UINT64_MAX

/* How many pairs ahead of its probe a pair's slot is fetched: most slots are cache misses. */
#define PAIRS_AHEAD 8

/* A pair set fed through a queue, so that each probe finds its slot fetched already. */
struct pair_queue {
    struct pair_set set;
    uint64_t pairs[PAIRS_AHEAD]; /* NO_PAIR: none */
    size_t homes[PAIRS_AHEAD];
    size_t next;
};

static int pair_queue_init(struct pair_queue *q, size_t max, const uint64_t *secret)
{
    q->set.n_slots = slots_for(max);
    q->set.slots = ps_zalloc(q->set.n_slots, sizeof(*q->set.slots));
    q->set.secret = secret;
    for (size_t k = 0; k < PAIRS_AHEAD; k++)
        q->pairs[k] = NO_PAIR;
    q->next = 0;
    return q->set.slots != NULL ? 0 : -1;
}

/*
 * Queues a pair, or NO_PAIR to drain the queue. Returns the pair this pushes out of the queue when
 * that one was new to the set, else NO_PAIR.
 */
static uint64_t pair_queue_push(struct pair_queue *q, uint64_t pair)
{
    size_t k = q->next;
    uint64_t out = q->pairs[k];

    if (out != NO_PAIR && !pair_set_add(&q->set, out, q->homes[k]))
        out = NO_PAIR;
    q->pairs[k] = pair;
    if (pair != NO_PAIR) {
        q->homes[k] = pair_set_home(&q->set, pair);
        __builtin_prefetch(&q->set.slots[q->homes[k]]);
    }
    q->next = k + 1 < PAIRS_AHEAD ? k + 1 : 0;
    return out;
}

static void pair_queue_free(struct pair_queue *q)
{
    free(q->set.slots);
    q->set.slots = NULL;
}

/* What gathering the services and client hosts needs until the report is built. */
struct report_aggregation {
    uint64_t secret[2];
    uint32_t *service_of; /* [port space << 16 | port]: number in r->services + 1; 0 = none */
    /*
     * The client hosts --ephemeral auto's first pass counted, numbered as it numbered them: they
     * are r->clients' first n_known entries, made zero at the start and filled in from the first
     * pass's table when judged (one with no connections then was not seen). A flow the first pass
     * counted finds its host by its number there (report_ranges_flow_host()), not by a hash of
     * its address: the first pass has hashed it already, and on a capture of many hosts each
     * lookup missed the cache. NULL under a selection, which may keep few of them: then every
     * host is in host_slots.
     */
    const struct report_host_ranges *ranges;
    size_t n_known;
    uint32_t *host_slots;  /* the other hosts: number in r->clients + 1; 0 is empty */
    size_t n_host_slots;   /* grows with the hosts, up to max_host_slots */
    size_t max_host_slots; /* enough for every flow to have a client host of its own */
    size_t services_room, clients_room;
    /*
     * The distinct client hosts of each service: a bit per service for the first
     * HOST_SERVICE_BITS services (a trace rarely has more), in a word per host beside its entry,
     * and beyond those a set of (service, client host) pairs, made when first needed.
     */
    uint64_t *host_services; /* [client host]: bit s set when service s has had it as client */
    struct pair_queue service_hosts;
    size_t max_flows; /* what the pair set is sized for */
    /* Each flow's client connection, for judging how its host picked ports (report_hostports.c):
     * room for max_flows, of which the system commits only the pages written. */
    struct report_port_use *uses;
    size_t n_uses;
};

static void aggregation_free(struct report_aggregation *a)
{
    free(a->service_of);
    free(a->host_slots);
    free(a->host_services);
    pair_queue_free(&a->service_hosts);
    free(a->uses);
    memset(a, 0, sizeof(*a));
}

/* For at most `n` flows. Returns -1 when out of memory. */
static int aggregation_init(struct report_aggregation *a, struct report *r, size_t n)
{
    /* The client hosts --ephemeral auto's first pass found, the most likely count: the tables
     * are made that size at once rather than grown to it, each growth rehashing every host (a
     * cache miss each) and copying the entries. Not under a selection, which may keep few. */
    size_t hosts = r->settings.select != NULL && report_select_active(r->settings.select)
                       ? 0
                       : report_ranges_hosts(r->settings.host_ranges);

    memset(a, 0, sizeof(*a));
    ps_hash2_secrets(ps_hash_seed(), a->secret);
    a->services_room = 16;
    if (hosts > 0 && hosts <= n) {
        a->ranges = r->settings.host_ranges;
        a->n_known = hosts;
    }
    /* Room for the hosts known and a few the first pass did not count (their flows' roles are
     * guesses): most captures have none. */
    a->clients_room = a->n_known + 16;
    a->max_host_slots = slots_for(n);
    a->n_host_slots = 64 < a->max_host_slots ? 64 : a->max_host_slots;
    r->services = malloc(a->services_room * sizeof(*r->services));
    /* calloc(): the kernel's zero pages, not cleared a second time. */
    r->clients = calloc(a->clients_room, sizeof(*r->clients));
    r->n_clients = a->n_known;
    a->host_services = calloc(a->clients_room, sizeof(*a->host_services));
    a->max_flows = n;
    a->service_of = ps_zalloc((size_t)PS_IPPROTO_PORT_SPACES << 16, sizeof(*a->service_of));
    a->host_slots = ps_zalloc(a->n_host_slots, sizeof(*a->host_slots));
    a->uses = malloc((n ? n : 1) * sizeof(*a->uses));
    if (r->services == NULL || r->clients == NULL || a->host_services == NULL || a->uses == NULL ||
        a->service_of == NULL || a->host_slots == NULL)
        return -1;
    return 0;
}

uint64_t report_host_hash(const uint64_t secret[2], uint8_t family, const uint8_t *addr)
{
    uint64_t w[2];

    memcpy(w, addr, sizeof(w));
    return ps_hash2(w[0], w[1] ^ family, secret);
}

size_t report_host_home(const uint64_t secret[2], uint8_t family, const uint8_t *addr,
                        size_t n_slots)
{
    return report_hash_slot(report_host_hash(secret, family, addr), n_slots);
}

/* Whole words, without a call to memcmp(). */
static bool same_host(const struct report_client *c, uint8_t family, const uint8_t *addr)
{
    uint64_t x[2], y[2];

    memcpy(x, c->addr, sizeof(x));
    memcpy(y, addr, sizeof(y));
    return c->family == family && ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* The slot of (family, addr) in host_slots, or the empty one where it goes. */
static uint32_t *host_slot(const struct report_aggregation *a, const struct report *r,
                           uint8_t family, const uint8_t *addr)
{
    size_t i = report_host_home(a->secret, family, addr, a->n_host_slots);

    for (; a->host_slots[i] != 0; i = i + 1 < a->n_host_slots ? i + 1 : 0)
        if (same_host(&r->clients[a->host_slots[i] - 1], family, addr))
            break;
    return &a->host_slots[i];
}

static int grow_host_slots(struct report_aggregation *a, const struct report *r)
{
    uint32_t *old = a->host_slots;
    size_t n_old = a->n_host_slots;

    a->n_host_slots = n_old * 2 < a->max_host_slots ? n_old * 2 : a->max_host_slots;
    a->host_slots = ps_zalloc(a->n_host_slots, sizeof(*a->host_slots));
    if (a->host_slots == NULL) {
        a->host_slots = old;
        a->n_host_slots = n_old;
        return -1;
    }
    for (size_t i = 0; i < n_old; i++) {
        const struct report_client *c;

        if (old[i] == 0)
            continue;
        c = &r->clients[old[i] - 1];
        *host_slot(a, r, c->family, c->addr) = old[i];
    }
    free(old);
    return 0;
}

/* Doubles an array's room; NULL when out of memory (the array stays as it was). */
static void *grow_array(void *array, size_t *room, size_t size)
{
    void *p = realloc(array, 2 * *room * size);

    if (p != NULL)
        *room *= 2;
    return p;
}

static struct report_service *add_service(struct report_aggregation *a, struct report *r,
                                          const struct flow_key *key, uint8_t client)
{
    uint32_t *entry =
        &a->service_of[(size_t)ipproto_port_space(key->proto) << 16 | key->port[!client]];
    struct report_service *s;

    if (*entry != 0)
        return &r->services[*entry - 1];
    if (r->n_services == a->services_room) {
        s = grow_array(r->services, &a->services_room, sizeof(*s));
        if (s == NULL)
            return NULL;
        r->services = s;
    }
    s = &r->services[r->n_services++];
    *entry = (uint32_t)r->n_services;
    memset(s, 0, sizeof(*s));
    s->proto = key->proto;
    s->port = key->port[!client];
    s->service = ports_service_lookup(r->settings.services, key->proto, s->port, &s->service_alias);
    s->service_other = ports_service_other(r->settings.services, key->proto, s->port);
    return s;
}

/* The first pass's number + 1 of the client host of flow `flow` (`key`'s endpoint `client`);
 * 0 when the pass did not count the host (or is not used). */
static uint32_t known_host(const struct report_aggregation *a, const struct flow_key *key,
                           uint8_t client, uint32_t flow)
{
    uint32_t host;

    if (a->ranges == NULL)
        return 0;
    host = report_ranges_flow_host(a->ranges, flow);
    /* A flow whose roles are guesses may still have a host another flow's evidence counted. */
    return host != 0 ? host : report_ranges_addr_host(a->ranges, key->family, key->addr[client]);
}

/*
 * The number in r->clients of the client host of the flow numbered `flow` in the table, found or
 * added (*host). A host the first pass counted is not read here: what the gathering counts of a
 * host's flows is worked out from its connections when it is judged, so a flow's gathering
 * touches none of the hosts' entries (152 bytes, up to four cache lines, each a miss). -1 when
 * out of memory.
 */
static int add_client(struct report_aggregation *a, struct report *r, const struct flow_key *key,
                      uint8_t client, uint32_t flow, uint32_t *host)
{
    uint32_t *slot, known = known_host(a, key, client, flow);
    struct report_client *c;

    if (known != 0) {
        *host = known - 1;
        return 0;
    }
    if (table_full(r->n_clients - a->n_known, a->n_host_slots) &&
        a->n_host_slots < a->max_host_slots && grow_host_slots(a, r) != 0)
        return -1;
    slot = host_slot(a, r, key->family, key->addr[client]);
    if (*slot != 0) {
        *host = *slot - 1;
        return 0;
    }
    if (r->n_clients == a->clients_room) {
        size_t room = a->clients_room;
        uint64_t *services = grow_array(a->host_services, &room, sizeof(*services));

        if (services == NULL)
            return -1;
        a->host_services = services;
        c = grow_array(r->clients, &a->clients_room, sizeof(*c));
        if (c == NULL)
            return -1;
        r->clients = c;
    }
    a->host_services[r->n_clients] = 0;
    c = &r->clients[r->n_clients++];
    *slot = (uint32_t)r->n_clients;
    *host = *slot - 1;
    memset(c, 0, sizeof(*c));
    c->family = key->family;
    memcpy(c->addr, key->addr[client], sizeof(c->addr));
    c->in_force = *report_range_of_client(&r->settings, flow, key->family, key->addr[client]);
    return 0;
}

#define HOST_SERVICE_BITS 64

/* Queues a (service, client host) pair, or NO_PAIR to drain: a new one is a client more. */
static void add_service_host(struct report_aggregation *a, struct report *r, uint64_t pair)
{
    uint64_t added = pair_queue_push(&a->service_hosts, pair);

    if (added != NO_PAIR)
        r->services[added >> 32].clients++;
}

/* Service `s` has had client host `host`: a client more for it the first time. -1: no memory. */
static int add_service_client(struct report_aggregation *a, struct report *r, size_t s,
                              uint32_t host)
{
    if (s < HOST_SERVICE_BITS) {
        uint64_t bit = (uint64_t)1 << s;

        r->services[s].clients += (a->host_services[host] & bit) == 0;
        a->host_services[host] |= bit;
        return 0;
    }
    if (a->service_hosts.set.slots == NULL &&
        pair_queue_init(&a->service_hosts, a->max_flows, a->secret) != 0)
        return -1;
    add_service_host(a, r, (uint64_t)s << 32 | host);
    return 0;
}

/* Counts a flow that has ports in its service and its client host. */
static int gather_flow(struct report_aggregation *a, struct report *r,
                       const struct report_gather_item *it)
{
    struct report_service *s = add_service(a, r, &it->key, it->client);
    uint32_t host;

    if (s == NULL || add_client(a, r, &it->key, it->client, it->flow, &host) != 0 ||
        add_service_client(a, r, (size_t)(s - r->services), host) != 0)
        return -1;
    s->flows++;
    s->packets += it->packets;
    s->bytes += it->bytes;
    a->uses[a->n_uses++] = (struct report_port_use){
        .order = it->id,
        .dest = it->dest,
        .host = host,
        .port = it->key.port[it->client],
        .proto = it->key.proto,
        .ttl = it->client_ttl,
    };
    return 0;
}

/*
 * How many flows ahead of its gathering a flow's host slot is fetched (its client entry half that):
 * the client hosts of a large trace are beyond the cache, and each lookup would wait for a miss.
 */
#define HOSTS_AHEAD 16

/* Asks for what host_slot() compares of a client entry: its address and family, which may lie
 * in two cache lines. */
static void prefetch_client(const struct report_client *c)
{
    __builtin_prefetch(c->addr);
    __builtin_prefetch(&c->family);
}

/* Gathers `n` flows, asking for each one's host slot and client entry before it is its turn. */
static int gather_run(struct report_aggregation *a, struct report *r,
                      const struct report_gather_item *it, size_t n)
{
    size_t home[HOSTS_AHEAD];

    for (size_t i = 0; i < n + HOSTS_AHEAD; i++) {
        if (i < n) {
            const struct flow_key *key = &it[i].key;
            uint32_t known = report_ranges_flow_host(a->ranges, it[i].flow);

            /* A host the first pass numbered has only its services' word written, fetched at
             * once, without a slot to wait for. */
            home[i % HOSTS_AHEAD] = SIZE_MAX;
            if (known != 0) {
                __builtin_prefetch(&a->host_services[known - 1], 1);
            } else {
                home[i % HOSTS_AHEAD] = report_host_home(a->secret, key->family,
                                                         key->addr[it[i].client], a->n_host_slots);
                __builtin_prefetch(&a->host_slots[home[i % HOSTS_AHEAD]]);
            }
        }
        /* The slots may have grown since: a home of the smaller table is still a slot of this
         * one, and a wrong guess costs a useless fetch, not a wrong count. */
        if (i >= HOSTS_AHEAD / 2 && i - HOSTS_AHEAD / 2 < n &&
            home[(i - HOSTS_AHEAD / 2) % HOSTS_AHEAD] != SIZE_MAX) {
            uint32_t c = a->host_slots[home[(i - HOSTS_AHEAD / 2) % HOSTS_AHEAD]];

            if (c != 0) {
                prefetch_client(&r->clients[c - 1]);
                __builtin_prefetch(&a->host_services[c - 1]);
            }
        }
        if (i >= HOSTS_AHEAD && gather_flow(a, r, &it[i - HOSTS_AHEAD]) != 0)
            return -1;
    }
    return 0;
}

static int compare_services(const void *a, const void *b)
{
    const struct report_service *sa = a, *sb = b;

    if (sa->port != sb->port)
        return sa->port < sb->port ? -1 : 1;
    if (sa->proto != sb->proto)
        return sa->proto < sb->proto ? -1 : 1;
    return 0;
}

/* The radix sort's passes: 16 bits at a time of the address's low word, its high word, then
 * the family. */
#define KEY_PASSES 9

/* A client host's place in the report's order (family, then address as big-endian words) as the
 * digits each radix pass sorts by, the least significant first (a pass reads one, not a word it
 * must choose key by key), and its number: sorting these rather than the hosts' 152-byte entries
 * keeps the sort in the cache and moves each entry once. */
struct client_key {
    uint16_t digit[KEY_PASSES];
    uint32_t index;
};

/*
 * Sorts `n` keys (each family and address once, so the order is total) by a radix sort, least
 * significant 16 bits first, through `tmp` (room for n): no comparison calls, and a pass whose
 * digit is the same in every key (the low words of IPv4 addresses) is skipped after its count.
 * Returns the array that holds the result: `keys` or `tmp`.
 */
static struct client_key *radix_sort_keys(struct client_key *keys, struct client_key *tmp, size_t n,
                                          size_t *count)
{
    for (unsigned pass = 0; pass < KEY_PASSES; pass++) {
        struct client_key *t;
        size_t sum = 0;

        memset(count, 0, 65536 * sizeof(*count));
        for (size_t i = 0; i < n; i++)
            count[keys[i].digit[pass]]++;
        if (n == 0 || count[keys[0].digit[pass]] == n)
            continue;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];

            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[keys[i].digit[pass]]++] = keys[i];
        t = keys;
        keys = tmp;
        tmp = t;
    }
    return keys;
}

/* The client hosts in the report's order: by family, then address. -1 when out of memory. */
static int sort_clients(struct report *r)
{
    size_t n = r->n_clients;
    struct client_key *keys = malloc((n ? n : 1) * sizeof(*keys));
    struct client_key *tmp = malloc((n ? n : 1) * sizeof(*tmp)), *sorted;
    size_t *count = malloc(65536 * sizeof(*count));
    struct report_client held;

    if (keys == NULL || tmp == NULL || count == NULL) {
        free(keys);
        free(tmp);
        free(count);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t w[2], hi, lo;

        memcpy(w, r->clients[i].addr, sizeof(w));
        hi = be64toh(w[0]);
        lo = be64toh(w[1]);
        for (unsigned d = 0; d < 4; d++) {
            keys[i].digit[d] = (uint16_t)(lo >> (16 * d));
            keys[i].digit[4 + d] = (uint16_t)(hi >> (16 * d));
        }
        keys[i].digit[8] = r->clients[i].family;
        keys[i].index = (uint32_t)i;
    }
    sorted = radix_sort_keys(keys, tmp, n, count);
    free(count);
    if (sorted != keys) {
        free(keys);
        keys = sorted;
    } else {
        free(tmp);
    }
    /* Place i takes host keys[i].index: each cycle of the permutation followed once, a place
     * marked done by its key's index becoming its own. */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;

        if (keys[i].index == i)
            continue;
        held = r->clients[i];
        while (keys[j].index != i) {
            size_t k = keys[j].index;

            r->clients[j] = r->clients[k];
            keys[j].index = (uint32_t)j;
            j = k;
        }
        r->clients[j] = held;
        keys[j].index = (uint32_t)j;
    }
    free(keys);
    return 0;
}

/* Places moved to at once, fewer than this; more first go into this many buckets of places. */
#define GROUP_BUCKETS 256

/* Asks for the lines of `n` uses from `u`. */
static void prefetch_uses(const struct report_port_use *u, size_t n)
{
    const char *at = (const char *)u, *end = (const char *)(u + n);

    for (; at < end; at += 64)
        __builtin_prefetch(at, 1);
}

/* Uses ahead of a bucket's next place that move_to_places() asks for: four lines. */
#define MOVE_AHEAD 16

/*
 * uses[lo, hi) moved in place to their places (each use's `host` field, which place_by_host() set
 * to one in [lo, hi)), so that no second array of them is needed: in two rounds when they are
 * many, first into GROUP_BUCKETS buckets of consecutive places, then each to its place. With a
 * place each at once, each connection carried goes to one of millions of places, a cache miss
 * that the next one waits for (datacentre's judging spent most of its time there); a round of
 * GROUP_BUCKETS places keeps them all in the cache, and a bucket's connections then fit in it too.
 * A use's host field is its own place after.
 */
static void move_to_places(struct report_port_use *uses, size_t lo, size_t hi)
{
    size_t bucket_start[GROUP_BUCKETS + 1], bucket_next[GROUP_BUCKETS];
    unsigned shift = 0;

    while (((hi - lo) >> shift) >= GROUP_BUCKETS)
        shift++;
    if (shift > 0) {
        size_t n_buckets = ((hi - lo - 1) >> shift) + 1;

        for (size_t b = 0; b <= n_buckets; b++)
            bucket_start[b] = lo + (b << shift) < hi ? lo + (b << shift) : hi;
        memcpy(bucket_next, bucket_start, n_buckets * sizeof(*bucket_next));
        for (size_t b = 0; b < n_buckets; b++) {
            while (bucket_next[b] < bucket_start[b + 1]) {
                struct report_port_use x = uses[bucket_next[b]];
                size_t xb = (x.host - lo) >> shift;

                /* Carry each displaced connection to its own bucket until one of b's turns up. */
                while (xb != b) {
                    struct report_port_use y = uses[bucket_next[xb]];

                    uses[bucket_next[xb]++] = x;
                    /* Each bucket is read and written from its start on, one of hundreds of
                     * streams: its lines a few ahead are asked for before the carry reaches them.
                     */
                    if (bucket_next[xb] + MOVE_AHEAD < hi)
                        __builtin_prefetch(&uses[bucket_next[xb] + MOVE_AHEAD], 1);
                    x = y;
                    xb = (x.host - lo) >> shift;
                }
                uses[bucket_next[b]++] = x;
            }
        }
    }
    /*
     * Each in its bucket now: the places' cycles stay within one. A cycle's every step waits for
     * the one before, and a bucket was last touched in the first round, long out of the cache
     * since: each bucket's lines are asked for all at once while the one before is placed.
     */
    size_t span = shift > 0 ? (size_t)1 << shift : hi - lo;

    prefetch_uses(uses + lo, span);
    for (size_t from = lo; from < hi; from += span) {
        size_t to = hi - from > span ? from + span : hi;

        if (to < hi)
            prefetch_uses(uses + to, hi - to > span ? span : hi - to);
        for (size_t i = from; i < to; i++) {
            struct report_port_use x;

            if (uses[i].host == i) /* most: placed by a cycle before */
                continue;
            x = uses[i];
            do {
                struct report_port_use y = uses[x.host];

                uses[x.host] = x;
                x = y;
            } while (x.host != i);
            uses[i] = x;
        }
    }
}

/*
 * Each connection's place once grouped by host, in its `host` field (free once counted): host h's
 * from start[h] on, in the order they come in, so that the grouping keeps each host's connections
 * in the order they were gathered (the report's, on one thread) and the judging need not sort them
 * back. `next` has room for `n_hosts`.
 */
static void place_by_host(struct report_port_use *uses, size_t n, const size_t *start,
                          size_t n_hosts, size_t *next)
{
    memcpy(next, start, n_hosts * sizeof(*next));
    for (size_t i = 0; i < n; i++)
        uses[i].host = (uint32_t)next[uses[i].host]++;
}

/* The uses whose places (place_by_host()) are below `cut` moved before the others. */
static void split_at_place(struct report_port_use *uses, size_t n, size_t cut)
{
    size_t i = 0, j = cut;
    struct report_port_use t;

    for (;;) {
        while (i < cut && uses[i].host < cut)
            i++;
        while (j < n && uses[j].host >= cut)
            j++;
        if (i == cut || j == n)
            break;
        t = uses[i];
        uses[i++] = uses[j];
        uses[j++] = t;
    }
}

/* The first packet of the flow with report id `id`: a row of the view, or of the table's order. */
static ps_time time_of_id(const struct report *r, uint32_t id)
{
    struct flow buf;
    size_t lo = 0, hi = r->n_flows;

    if (r->flows == NULL) /* a report_init() report: the table's order is the report's */
        return flow_table_get(r->table, id - 1, &buf)->first_seen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->flows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_flows ? report_flow_data(r, &r->flows[lo], &buf)->first_seen : 0;
}

/* A host's first wrap was judged on report ids: the times of its two flows, for the report. */
static void wrap_times(const struct report *r, struct report_port_more *more)
{
    more->wrap_from_seen = time_of_id(r, more->wrap_from_id);
    more->wrap_to_seen = time_of_id(r, more->wrap_to_id);
}

/* One half of the judging: hosts [lo, hi), whose connections are already apart from the others'. */
struct judge_part {
    struct report *r;
    struct report_port_use *uses;
    const size_t *start;
    size_t lo, hi;
    /* Hosts below n_known have their address and range filled in from here first (NULL: all
     * have them already). */
    const struct report_host_ranges *ranges;
    size_t n_known;
    int rc;
};

/* What the gathering counts of a host's flows, from its `n` connections `uses` (in any order) and
 * its range in force: made here, on the judging's threads, and not flow by flow under the
 * gathering's lock, where each flow's count had its host's entry to fetch. */
static void tally_host(struct report_client *c, const struct report_port_use *uses, size_t n)
{
    c->flows = (uint32_t)n;
    c->port_lo = UINT16_MAX;
    c->port_hi = 0;
    c->ephemeral_all = UINT32_MAX;
    c->in_range = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t port = uses[i].port;

        c->port_lo = port < c->port_lo ? port : c->port_lo;
        c->port_hi = port > c->port_hi ? port : c->port_hi;
        c->in_range += port_range_contains(&c->in_force, port);
        report_ports_count_ttl(c, uses[i].ttl);
    }
    /* A profile's range holds every port of the host when it holds the lowest and the highest. */
    if (n > 0)
        c->ephemeral_all = ports_ephemeral_mask(c->port_lo);
    if (c->port_hi > c->port_lo)
        c->ephemeral_all &= ports_ephemeral_mask(c->port_hi);
}

/* Each host of the part grouped, then judged from its connections in the order they came in. */
static void *judge_part(void *arg)
{
    struct judge_part *p = arg;
    size_t most = 0;
    struct report_port_use *scratch;
    uint64_t *keys;

    move_to_places(p->uses, p->start[p->lo], p->start[p->hi]);
    for (size_t h = p->lo; h < p->hi; h++)
        most = p->start[h + 1] - p->start[h] > most ? p->start[h + 1] - p->start[h] : most;
    scratch = malloc((most ? most : 1) * sizeof(*scratch));
    keys = malloc((most ? most : 1) * sizeof(*keys));
    p->rc = scratch != NULL && keys != NULL ? 0 : -1;
    for (size_t h = p->lo; p->rc == 0 && h < p->hi; h++) {
        struct report_client *c = &p->r->clients[h];

        if (p->ranges != NULL && h < p->n_known)
            report_ranges_fill_client(p->ranges, (uint32_t)h, c);
        tally_host(c, p->uses + p->start[h], p->start[h + 1] - p->start[h]);
        p->rc = report_ports_judge(c, p->uses + p->start[h], p->start[h + 1] - p->start[h], scratch,
                                   keys);
        if (p->rc == 0 && c->choice.wraps > 0)
            wrap_times(p->r, c->choice.more);
    }
    free(scratch);
    free(keys);
    return NULL;
}

/*
 * The hosts the first pass knew with no connections (`count[h + 1]`: host h's) taken out, the
 * others moved up and their connections renumbered: when not every flow was gathered (a document
 * whose output failed part of the way). The known hosts' addresses are filled in first, while
 * their numbers are still the first pass's. -1 when out of memory.
 */
static int drop_unseen_hosts(struct report_aggregation *a, struct report *r, size_t *count)
{
    size_t kept = 0, first = 0;
    uint32_t *renumber;

    while (first < a->n_known && count[first + 1] != 0)
        first++;
    if (first == a->n_known)
        return 0;
    renumber = malloc(r->n_clients * sizeof(*renumber));
    if (renumber == NULL)
        return -1;
    for (size_t h = 0; h < a->n_known; h++)
        report_ranges_fill_client(a->ranges, (uint32_t)h, &r->clients[h]);
    a->ranges = NULL;
    a->n_known = 0;
    for (size_t h = 0; h < r->n_clients; h++) {
        renumber[h] = (uint32_t)kept;
        if (count[h + 1] != 0) {
            r->clients[kept] = r->clients[h];
            count[++kept] = count[h + 1];
        }
    }
    for (size_t i = 0; i < a->n_uses; i++)
        a->uses[i].host = renumber[a->uses[i].host];
    r->n_clients = kept;
    free(renumber);
    return 0;
}

/* Fewer connections than this are judged on one thread: a thread would cost more than it saves. */
#define JUDGE_SPLIT_MIN 16384

/*
 * Each client host judged from its connections in the judging's order, whatever order the flows
 * came in (threads, merged inputs): its key is total, so the judgement is the same on every run.
 * With two threads, the hosts are cut where half the connections are (a point that depends on
 * the counts alone), and each half is grouped and judged on its own thread: no host is judged
 * by both, so what either writes does not depend on which finishes first.
 */
static int judge_hosts(struct report_aggregation *a, struct report *r)
{
    size_t n = r->n_clients, mid = n, *start = calloc(n + 1, sizeof(*start));
    size_t *next = malloc((n ? n : 1) * sizeof(*next));
    struct judge_part part[2];
    pthread_t helper;
    bool helped = false;
    int rc;

    if (start == NULL || next == NULL) {
        free(start);
        free(next);
        return -1;
    }
    for (size_t i = 0; i < a->n_uses; i++)
        start[a->uses[i].host + 1]++;
    if (drop_unseen_hosts(a, r, start) != 0) {
        free(start);
        free(next);
        return -1;
    }
    n = mid = r->n_clients;
    for (size_t h = 0; h < n; h++)
        start[h + 1] += start[h];
    place_by_host(a->uses, a->n_uses, start, n, next);
    free(next);
    if (r->settings.threads > 1 && a->n_uses >= JUDGE_SPLIT_MIN) {
        for (mid = 0; mid < n && start[mid] < a->n_uses / 2; mid++)
            ;
        split_at_place(a->uses, a->n_uses, start[mid]);
    }
    part[0] = (struct judge_part){.r = r,
                                  .uses = a->uses,
                                  .start = start,
                                  .lo = 0,
                                  .hi = mid,
                                  .ranges = a->ranges,
                                  .n_known = a->n_known};
    part[1] = part[0];
    part[1].lo = mid;
    part[1].hi = n;
    if (mid < n)
        helped = pthread_create(&helper, NULL, judge_part, &part[1]) == 0;
    judge_part(&part[0]);
    if (helped)
        pthread_join(helper, NULL);
    else
        judge_part(&part[1]);
    rc = part[0].rc | part[1].rc;
    free(start);
    return rc;
}

/* After the last flow: the pairs still queued; each host judged; the tables in the report's
 * order. -1 when out of memory. */
static int gather_end(struct report_aggregation *a, struct report *r)
{
    int rc;

    for (size_t k = 0; k < PAIRS_AHEAD && a->service_hosts.set.slots != NULL; k++)
        add_service_host(a, r, NO_PAIR);
    /* The set and each flow's host number first: the judging's sort takes room of its own. */
    pair_queue_free(&a->service_hosts);
    report_ranges_gathered(r->host_ranges);
    rc = judge_hosts(a, r);
    aggregation_free(a);
    if (rc != 0)
        return -1;
    qsort(r->services, r->n_services, sizeof(*r->services), compare_services);
    return sort_clients(r);
}

struct report_aggregation *report_aggregation_new(struct report *r, size_t n)
{
    struct report_aggregation *a = malloc(sizeof(*a));

    if (a != NULL && aggregation_init(a, r, n) != 0) {
        aggregation_free(a);
        free(a);
        a = NULL;
    }
    return a;
}

int report_aggregation_add(struct report_aggregation *a, struct report *r,
                           const struct report_gather_item *it)
{
    return gather_flow(a, r, it);
}

int report_aggregation_end(struct report_aggregation *a, struct report *r)
{
    int rc = gather_end(a, r);

    free(a);
    return rc;
}

void report_aggregation_free(struct report_aggregation *a)
{
    if (a == NULL)
        return;
    aggregation_free(a);
    free(a);
}

void report_gather_item(struct report_gather_item *it, const struct report_flow *rf,
                        const struct flow *f)
{
    it->key = f->key;
    it->packets = f->packets[0] + f->packets[1];
    it->bytes = f->bytes[0] + f->bytes[1];
    it->id = rf->id;
    it->flow = rf->flow;
    it->dest = report_port_dest(&f->key, rf->client);
    it->client = rf->client;
    it->client_ttl = f->ttl[rf->client];
}

/* A report's services and clients gathered from items handed over as they come (by the JSON
 * writers' threads: under a lock, a run of them at a time). */
struct report_gathering {
    struct report *r;
    struct report_aggregation agg;
    pthread_mutex_t lock;
    int rc;
};

struct report_gathering *report_gathering_begin(struct report *r,
                                                const struct analyze_input *inputs, size_t n_inputs,
                                                const struct analyze_totals *totals,
                                                const struct report_settings *settings,
                                                const struct flow_table *table)
{
    struct report_gathering *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    report_init(r, inputs, n_inputs, totals, settings, table);
    g->r = r;
    if ((port_range_is_auto(&settings->ephemeral) && report_ranges_find(r, table) != 0) ||
        aggregation_init(&g->agg, r, flow_table_count(table)) != 0 ||
        pthread_mutex_init(&g->lock, NULL) != 0) {
        aggregation_free(&g->agg);
        report_release(r);
        free(g);
        return NULL;
    }
    return g;
}

void report_gathering_add(struct report_gathering *g, const struct report_gather_item *items,
                          size_t n)
{
    pthread_mutex_lock(&g->lock);
    if (g->rc == 0)
        g->rc = gather_run(&g->agg, g->r, items, n);
    pthread_mutex_unlock(&g->lock);
}

int report_gathering_end(struct report_gathering *g)
{
    int rc = g->rc;

    if (rc == 0)
        rc = gather_end(&g->agg, g->r);
    aggregation_free(&g->agg);
    pthread_mutex_destroy(&g->lock);
    if (rc != 0)
        report_release(g->r);
    free(g);
    return rc;
}
