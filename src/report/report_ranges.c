/*
 * report_ranges.c - --ephemeral auto: the range in force for each client host, so that a Linux
 * host's ports are judged against Linux's range and a Windows host's against Windows'. Found by a
 * first pass over the flows, before any flow's role is final: only the rungs of the role ladder
 * that rest on evidence (who opened, who accepted, which port has a service name) say which host
 * was a client on which port, so the ranges never depend on the rung they then help decide. The
 * pass reads the table in its order and nothing else: the same ranges with --threads 1 and 2.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Fewer flows are counted on one thread in less time than a second one takes to start. */
#define RANGES_SPLIT_MIN 16384

#define PROFILES REPORT_RANGES_PROFILES

/*
 * A client host and how many of its certain client flows each profile's range holds: one cache
 * line, at the start of one. A capture of many hosts has their table beyond the cache, so each
 * count waits for the host's slot and entry; at 84 bytes an entry spanned two lines, three
 * misses a flow where there are now two.
 */
struct host_range {
    _Alignas(64) uint8_t family;
    uint8_t profile; /* index in ports_ephemeral_profiles + 1; 0: none holds any of its ports */
    uint8_t addr[16];
    uint32_t in_profile[PROFILES];
};

_Static_assert(sizeof(struct host_range) == 64, "a host's counts fill one cache line");

/* A host's range once chosen: what every flow's lookup reads, small enough to stay cached. */
struct host_choice {
    uint8_t family;
    uint8_t profile; /* as host_range.profile */
    uint8_t addr[16];
};

struct report_host_ranges {
    uint64_t secret[2];
    struct host_range *entries; /* while counting (entries_alloc()); NULL once chosen */
    struct host_choice *chosen; /* once chosen, by the same numbers */
    size_t n_entries, room;
    /* The hash's low 32 bits << 32 | entry + 1; 0 is empty. A probe compares the hashes first:
     * at four fifths full, a lookup passes a few other hosts' slots, and reading each one's entry
     * was a cache miss that nothing fetched ahead (84% of find_slot()'s samples on datacentre). */
    uint64_t *slots;
    size_t n_slots;
    /* By flow number: its client host's profile + 1 (host_range.profile + 1) when the flow was
     * counted, 0 when not. A flow's row then reads its range here, in the table's order, rather
     * than hashing its client's address into the host table again: that lookup missed the cache
     * for most flows of a capture with many hosts. */
    uint8_t *flow_profile;
    /* By flow number: its client host's number + 1 when the flow was counted, 0 when not. The
     * gathering of client hosts indexes its entries by it (report_ranges_flow_host()) rather
     * than hashing each flow's client into a table of its own. */
    uint32_t *flow_host;
    size_t n_flows;
};

/* Where the probe for a host of hash `hash` starts: report_host_home()'s slot. */
static size_t home_of(const struct report_host_ranges *h, uint64_t hash)
{
    return report_hash_slot(hash, h->n_slots);
}

/* A slot's entry number + 1 (0: empty), and the part of its host's hash it keeps. */
static uint32_t slot_entry(uint64_t slot)
{
    return (uint32_t)slot;
}

static uint64_t slot_tag(uint64_t hash)
{
    return hash << 32;
}

/* The slot of (family, addr), whose report_host_hash() is `hash`, or the empty one where it
 * goes: while counting. */
static uint64_t *find_slot(const struct report_host_ranges *h, uint8_t family, const uint8_t *addr,
                           uint64_t hash)
{
    size_t i = home_of(h, hash);

    for (; h->slots[i] != 0; i = i + 1 < h->n_slots ? i + 1 : 0) {
        const struct host_range *e;

        if ((h->slots[i] & ~(uint64_t)UINT32_MAX) != slot_tag(hash))
            continue;
        e = &h->entries[slot_entry(h->slots[i]) - 1];
        if (e->family == family && memcmp(e->addr, addr, sizeof(e->addr)) == 0)
            break;
    }
    return &h->slots[i];
}

/*
 * How many hosts ahead of its turn a host's slot (and entry) is fetched, in the first pass's
 * count and wherever every host is placed again: a capture with thousands of client hosts has its
 * table beyond the cache, and each lookup waited for two misses, the slot and then the entry
 * (find_slot() was an eighth of the report phase's samples on the 10 M-packet bench trace).
 */
#define COUNT_AHEAD 16

/* Every entry given its slot in empty slots: each goes into the first empty one from its home
 * (the entries are distinct, so none is compared), which is fetched COUNT_AHEAD entries before. */
static void place_all(struct report_host_ranges *h)
{
    uint64_t hash[COUNT_AHEAD];

    for (size_t i = 0; i < h->n_entries + COUNT_AHEAD; i++) {
        /* The oldest first: its place in the ring is the one the newest takes. */
        if (i >= COUNT_AHEAD) {
            size_t j = home_of(h, hash[i % COUNT_AHEAD]);

            while (h->slots[j] != 0)
                j = j + 1 < h->n_slots ? j + 1 : 0;
            h->slots[j] = slot_tag(hash[i % COUNT_AHEAD]) | (uint32_t)(i - COUNT_AHEAD + 1);
        }
        if (i < h->n_entries) {
            const struct host_range *e = &h->entries[i];

            hash[i % COUNT_AHEAD] = report_host_hash(h->secret, e->family, e->addr);
            __builtin_prefetch(&h->slots[home_of(h, hash[i % COUNT_AHEAD])], 1);
        }
    }
}

/*
 * Room for `room` entries, each at the start of a cache line. Mapped (ps_map()) rather than taken
 * from malloc(): below malloc()'s sliding mmap threshold a block comes from the heap, where it
 * stays resident once freed (as flow_store.c's chunks found), and the counting tables are freed
 * before the report's largest allocations: from the heap, datacentre 10 M's peak was 25 MB higher.
 * NULL when out of memory.
 */
static struct host_range *entries_alloc(size_t room)
{
    return ps_map(room * sizeof(struct host_range));
}

static void entries_free(struct host_range *entries, size_t room)
{
    ps_unmap(entries, room * sizeof(*entries));
}

/* Room for twice the entries. -1 when out of memory. */
static int grow_entries(struct report_host_ranges *h)
{
    struct host_range *entries = entries_alloc(2 * h->room);

    if (entries == NULL)
        return -1;
    memcpy(entries, h->entries, h->n_entries * sizeof(*entries));
    entries_free(h->entries, h->room);
    h->entries = entries;
    return 0;
}

/* Twice the slots (and entries), kept under four fifths full. -1 when out of memory. */
static int grow(struct report_host_ranges *h)
{
    uint64_t *old = h->slots;
    size_t n_old = h->n_slots;

    if (grow_entries(h) != 0)
        return -1;
    h->room *= 2;
    h->n_slots = h->room + h->room / 4 + 1;
    h->slots = calloc(h->n_slots, sizeof(*h->slots));
    if (h->slots == NULL) {
        h->slots = old;
        h->n_slots = n_old;
        return -1;
    }
    /* Not one find_slot() after the other: on a capture of many hosts, each waited for a miss,
     * and the rehashes of the last growths are as many lookups as the hosts. */
    place_all(h);
    free(old);
    return 0;
}

/* The entry of host (family, addr), of report_host_hash() `hash`, made with no counts if new;
 * its number + 1 in *entry. NULL when out of memory. */
static struct host_range *host_entry(struct report_host_ranges *h, uint8_t family,
                                     const uint8_t *addr, uint64_t hash, uint32_t *entry)
{
    uint64_t *slot;
    struct host_range *e;

    if (h->n_entries == h->room && grow(h) != 0)
        return NULL;
    slot = find_slot(h, family, addr, hash);
    if (*slot == 0) {
        e = &h->entries[h->n_entries++];
        memset(e, 0, sizeof(*e));
        e->family = family;
        memcpy(e->addr, addr, sizeof(e->addr));
        *slot = slot_tag(hash) | (uint32_t)h->n_entries;
    }
    *entry = slot_entry(*slot);
    return &h->entries[*entry - 1];
}

/* Counts client port `port` of host (family, addr); its entry + 1 in *entry. -1 when out of
 * memory. */
static int count_port(struct report_host_ranges *h, uint8_t family, const uint8_t *addr,
                      uint64_t hash, uint16_t port, uint32_t *entry)
{
    uint32_t mask = ports_ephemeral_mask(port) & ((1u << PROFILES) - 1);
    struct host_range *e = host_entry(h, family, addr, hash, entry);

    if (e == NULL)
        return -1;
    for (; mask != 0; mask &= mask - 1)
        e->in_profile[__builtin_ctz(mask)]++;
    return 0;
}

/* Of the profiles holding the most of the host's ports, the narrowest; the first of equals. */
static void choose(struct host_range *e)
{
    size_t best = 0;

    for (size_t k = 1; k < ports_ephemeral_profile_count && k < PROFILES; k++) {
        const struct port_range *a = &ports_ephemeral_profiles[k];
        const struct port_range *b = &ports_ephemeral_profiles[best];

        if (e->in_profile[k] > e->in_profile[best] ||
            (e->in_profile[k] == e->in_profile[best] && a->hi - a->lo < b->hi - b->lo))
            best = k;
    }
    e->profile = e->in_profile[best] != 0 ? (uint8_t)(best + 1) : 0;
}

void report_ranges_free(struct report_host_ranges *h)
{
    if (h == NULL)
        return;
    entries_free(h->entries, h->room);
    free(h->chosen);
    free(h->slots);
    free(h->flow_profile);
    free(h->flow_host);
    free(h);
}

size_t report_ranges_hosts(const struct report_host_ranges *h)
{
    return h != NULL ? h->n_entries : 0;
}

/* A table of hosts to count into, empty, with the hash's secret. NULL when out of memory. */
static struct report_host_ranges *ranges_new(const uint64_t secret[2])
{
    struct report_host_ranges *h = calloc(1, sizeof(*h));

    if (h == NULL)
        return NULL;
    memcpy(h->secret, secret, sizeof(h->secret));
    h->room = 16;
    h->n_slots = h->room + h->room / 4 + 1;
    h->entries = entries_alloc(h->room);
    h->slots = calloc(h->n_slots, sizeof(*h->slots));
    if (h->entries == NULL || h->slots == NULL) {
        report_ranges_free(h);
        return NULL;
    }
    return h;
}

/* Flows [from, to) of the table counted into h, each counted flow's entry + 1 in entry_of. */
struct count_job {
    struct report_host_ranges *h;
    const struct flow_table *table;
    const struct report_settings *settings;
    size_t from, to;
    uint32_t *entry_of;
    int rc; /* -1: out of memory */
};

/* A flow read, waiting for its count: its client's address and port alone, not the whole key. */
struct count_pending {
    uint8_t addr[16];
    uint64_t hash; /* report_host_hash() */
    uint16_t port;
    uint8_t family;
    bool counted; /* whether its client is certain: else it is not counted */
};

static void *count_flows(void *arg)
{
    struct count_job *job = arg;
    struct report_host_ranges *h = job->h;
    struct count_pending ring[COUNT_AHEAD];
    size_t from = job->from, to = job->to;

    job->rc = 0;
    /* Only each flow's key and role bits: a stored flow is not decoded whole for them. */
    for (size_t i = from; i < to + COUNT_AHEAD; i++) {
        /* The oldest first: its place in the ring is the one the newest takes. */
        if (i >= from + COUNT_AHEAD) {
            const struct count_pending *p = &ring[(i - COUNT_AHEAD) % COUNT_AHEAD];

            if (p->counted && count_port(h, p->family, p->addr, p->hash, p->port,
                                         &job->entry_of[i - COUNT_AHEAD]) != 0) {
                job->rc = -1;
                break;
            }
        }
        /* The table may have grown since: its slot fetched then was of the smaller table, and
         * a wrong guess costs a useless fetch, not a wrong count. */
        if (i >= from + COUNT_AHEAD / 2 && i - COUNT_AHEAD / 2 < to) {
            const struct count_pending *p = &ring[(i - COUNT_AHEAD / 2) % COUNT_AHEAD];
            uint64_t slot = p->counted ? h->slots[home_of(h, p->hash)] : 0;

            if (slot != 0)
                __builtin_prefetch(&h->entries[slot_entry(slot) - 1], 1);
        }
        if (i + COUNT_AHEAD < to)
            flow_table_prefetch_kept(job->table, i + COUNT_AHEAD);
        if (i < to) {
            struct count_pending *p = &ring[i % COUNT_AHEAD];
            struct flow_key key;
            uint8_t roles = flow_table_roles(job->table, i, &key);
            struct report_flow rf;

            p->counted = ipproto_has_ports(key.proto) &&
                         report_roles_by_evidence(&rf, &key, roles, job->settings);
            if (p->counted) {
                memcpy(p->addr, key.addr[rf.client], sizeof(p->addr));
                p->port = key.port[rf.client];
                p->family = key.family;
                p->hash = report_host_hash(h->secret, p->family, p->addr);
                __builtin_prefetch(&h->slots[home_of(h, p->hash)]);
            }
        }
    }
    return NULL;
}

/* The second half's counts added to the first's, and its flows' entries renumbered as the
 * first's: the sums, and so the choices, are those of one pass in the table's order. */
static int merge_counts(struct report_host_ranges *h, const struct report_host_ranges *other,
                        uint32_t *entry_of, size_t from, size_t to)
{
    uint32_t *renumber = malloc((other->n_entries ? other->n_entries : 1) * sizeof(*renumber));

    uint64_t hash[COUNT_AHEAD];

    if (renumber == NULL)
        return -1;
    /* Each host's slot in h fetched ahead, then its entry, as the count does. */
    for (size_t k = 0; k < other->n_entries + COUNT_AHEAD; k++) {
        if (k >= COUNT_AHEAD) {
            const struct host_range *o = &other->entries[k - COUNT_AHEAD];
            struct host_range *e = host_entry(h, o->family, o->addr, hash[k % COUNT_AHEAD],
                                              &renumber[k - COUNT_AHEAD]);

            if (e == NULL) {
                free(renumber);
                return -1;
            }
            for (size_t p = 0; p < PROFILES; p++)
                e->in_profile[p] += o->in_profile[p];
        }
        if (k >= COUNT_AHEAD / 2 && k - COUNT_AHEAD / 2 < other->n_entries) {
            uint64_t slot = h->slots[home_of(h, hash[(k - COUNT_AHEAD / 2) % COUNT_AHEAD])];

            if (slot != 0)
                __builtin_prefetch(&h->entries[slot_entry(slot) - 1], 1);
        }
        if (k < other->n_entries) {
            const struct host_range *o = &other->entries[k];

            hash[k % COUNT_AHEAD] = report_host_hash(h->secret, o->family, o->addr);
            __builtin_prefetch(&h->slots[home_of(h, hash[k % COUNT_AHEAD])]);
        }
    }
    for (size_t i = from; i < to; i++) {
        if (entry_of[i] != 0)
            entry_of[i] = renumber[entry_of[i] - 1];
    }
    free(renumber);
    return 0;
}

int report_ranges_find(struct report *r, const struct flow_table *table)
{
    uint64_t secret[2];
    struct report_host_ranges *h, *other = NULL;
    size_t n = flow_table_count(table), half = n;
    uint32_t *entry_of; /* by flow number: its client host's entry + 1, 0 if not counted */
    struct count_job jobs[2];
    pthread_t helper;
    bool helped = false;

    ps_hash2_secrets(ps_hash_seed(), secret);
    h = ranges_new(secret);
    entry_of = calloc(n ? n : 1, sizeof(*entry_of));
    if (h == NULL || entry_of == NULL)
        goto fail;
    /* On two threads, the second half of the flows is counted into a table of its own. */
    if (r->settings.threads > 1 && n >= RANGES_SPLIT_MIN && (other = ranges_new(secret)) != NULL) {
        jobs[1] = (struct count_job){other, table, &r->settings, n / 2, n, entry_of, 0};
        helped = pthread_create(&helper, NULL, count_flows, &jobs[1]) == 0;
        if (helped)
            half = n / 2;
    }
    jobs[0] = (struct count_job){h, table, &r->settings, 0, half, entry_of, 0};
    count_flows(&jobs[0]);
    if (helped && (pthread_join(helper, NULL) != 0 || jobs[1].rc != 0 ||
                   merge_counts(h, other, entry_of, half, n) != 0))
        goto fail;
    report_ranges_free(other);
    other = NULL;
    if (jobs[0].rc != 0)
        goto fail;
    /* The counts are done with: each host's choice, in an array a fifth of their size. */
    h->chosen = malloc((h->n_entries ? h->n_entries : 1) * sizeof(*h->chosen));
    h->flow_profile = malloc(n ? n : 1);
    if (h->chosen == NULL || h->flow_profile == NULL)
        goto fail;
    for (size_t i = 0; i < h->n_entries; i++) {
        choose(&h->entries[i]);
        h->chosen[i].family = h->entries[i].family;
        h->chosen[i].profile = h->entries[i].profile;
        memcpy(h->chosen[i].addr, h->entries[i].addr, sizeof(h->chosen[i].addr));
    }
    entries_free(h->entries, h->room);
    h->entries = NULL;
    for (size_t i = 0; i < n; i++)
        h->flow_profile[i] = entry_of[i] != 0 ? h->chosen[entry_of[i] - 1].profile + 1 : 0;
    h->n_flows = n;
    h->flow_host = entry_of;
    r->host_ranges = h;
    r->settings.host_ranges = h;
    return 0;

fail:
    free(entry_of);
    report_ranges_free(other);
    report_ranges_free(h);
    return -1;
}

/* The range of a chosen profile (host_choice.profile). */
static const struct port_range *range_of_profile(uint8_t profile)
{
    if (profile == 0)
        return &ports_ephemeral_profiles[0]; /* iana's, as ports_ephemeral_auto */
    return &ports_ephemeral_profiles[profile - 1];
}

uint32_t report_ranges_flow_host(const struct report_host_ranges *h, uint32_t flow)
{
    return h != NULL && h->flow_host != NULL && flow < h->n_flows ? h->flow_host[flow] : 0;
}

void report_ranges_gathered(struct report_host_ranges *h)
{
    if (h == NULL)
        return;
    free(h->flow_host);
    h->flow_host = NULL;
}

uint32_t report_ranges_addr_host(const struct report_host_ranges *h, uint8_t family,
                                 const uint8_t *addr)
{
    uint8_t key[16] = {0};
    uint64_t hash;
    size_t i;

    if (h == NULL)
        return 0;
    memcpy(key, addr, family == 4 ? 4 : 16);
    hash = report_host_hash(h->secret, family, key);
    for (i = home_of(h, hash); h->slots[i] != 0; i = i + 1 < h->n_slots ? i + 1 : 0) {
        const struct host_choice *e;

        if ((h->slots[i] & ~(uint64_t)UINT32_MAX) != slot_tag(hash))
            continue;
        e = &h->chosen[slot_entry(h->slots[i]) - 1];
        if (e->family == family && memcmp(e->addr, key, sizeof(e->addr)) == 0)
            return slot_entry(h->slots[i]);
    }
    return 0;
}

void report_ranges_fill_client(const struct report_host_ranges *h, uint32_t host,
                               struct report_client *c)
{
    const struct host_choice *e = &h->chosen[host];

    c->family = e->family;
    memcpy(c->addr, e->addr, sizeof(c->addr));
    c->in_force = *range_of_profile(e->profile);
}

const struct port_range *report_range_of(const struct report_settings *s, uint8_t family,
                                         const uint8_t *addr)
{
    const struct report_host_ranges *h = s->host_ranges;
    uint32_t host;

    if (h == NULL)
        return &s->ephemeral;
    host = report_ranges_addr_host(h, family, addr);
    return range_of_profile(host != 0 ? h->chosen[host - 1].profile : 0);
}

const struct port_range *report_range_of_client(const struct report_settings *s, uint32_t flow,
                                                uint8_t family, const uint8_t *addr)
{
    const struct report_host_ranges *h = s->host_ranges;

    if (h != NULL && flow < h->n_flows && h->flow_profile[flow] != 0)
        return range_of_profile(h->flow_profile[flow] - 1);
    return report_range_of(s, family, addr);
}
