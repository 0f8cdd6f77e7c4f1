/*
 * frag_table.c - a bounded hash of datagrams being fragmented, with least-recently-used
 * eviction, so a capture full of fragments cannot grow memory without limit.
 */
#include <stdlib.h>
#include <string.h>

#include "frag.h"

#define NONE UINT32_MAX

struct frag_key {
    uint8_t family, proto;
    uint16_t zero; /* keeps the key free of padding: hashed and compared as bytes */
    uint32_t id;
    uint8_t src[16], dst[16];
};

struct frag_entry {
    struct frag_key key;
    struct flow *flow; /* NULL while only later fragments have been seen */
    uint32_t flow_id;  /* the flow's id: when streaming frees it, the record may hold another */
    uint8_t sender;
    ps_time last_seen;
    uint64_t held_packets, held_bytes, held_ip_bytes, held_payload_bytes;
    ps_time held_first, held_last;
    uint32_t chain;        /* next entry in the same bucket */
    uint32_t newer, older; /* the LRU list; `older` also links the free list */
};

struct frag_table {
    struct frag_entry *entries;
    uint32_t *buckets;
    size_t capacity, mask, used;
    uint64_t secret[2]; /* the hash's keys, from the seed */
    uint32_t newest, oldest, free_list;
    ps_time timeout;
    struct frag_stats stats;
};

/*
 * Keyed with the table's secrets, as the flow table is: the identification field is the sender's
 * to choose, so with a fixed hash, crafted fragments could fill one bucket and make every
 * fragment walk the whole table.
 */
static uint32_t hash_frag_key(const struct frag_key *k, const uint64_t secret[2], size_t mask)
{
    uint64_t w[sizeof(*k) / sizeof(uint64_t)], h;

    _Static_assert(sizeof(*k) == sizeof(w), "the key is hashed as whole words");
    memcpy(w, k, sizeof(w));
    h = ps_hash2(w[0], w[1], secret);
    h = ps_hash2(h ^ w[2], w[3], secret);
    h = ps_hash2(h, w[4], secret);
    return (uint32_t)(h & mask);
}

struct frag_table *frag_table_new(size_t capacity, ps_time timeout, uint64_t seed)
{
    struct frag_table *t = calloc(1, sizeof(*t));
    size_t buckets = 1;

    if (t == NULL)
        return NULL;
    if (capacity == 0)
        capacity = 1;
    while (buckets < capacity)
        buckets <<= 1;
    t->entries = calloc(capacity, sizeof(*t->entries));
    t->buckets = malloc(buckets * sizeof(*t->buckets));
    if (t->entries == NULL || t->buckets == NULL) {
        frag_table_free(t);
        return NULL;
    }
    for (size_t i = 0; i < buckets; i++)
        t->buckets[i] = NONE;
    for (size_t i = 0; i < capacity; i++)
        t->entries[i].older = i + 1 < capacity ? (uint32_t)(i + 1) : NONE;
    t->capacity = capacity;
    t->mask = buckets - 1;
    t->newest = t->oldest = NONE;
    t->free_list = 0;
    t->timeout = timeout;
    ps_hash2_secrets(seed, t->secret);
    return t;
}

void frag_table_free(struct frag_table *t)
{
    if (t == NULL)
        return;
    free(t->entries);
    free(t->buckets);
    free(t);
}

static void make_key(struct frag_key *k, const struct pkt_fragment *frag)
{
    memset(k, 0, sizeof(*k));
    k->family = frag->family;
    k->proto = frag->proto;
    k->id = frag->id;
    memcpy(k->src, frag->src, sizeof(k->src));
    memcpy(k->dst, frag->dst, sizeof(k->dst));
}

static void lru_unlink(struct frag_table *t, uint32_t i)
{
    struct frag_entry *e = &t->entries[i];

    if (e->newer != NONE)
        t->entries[e->newer].older = e->older;
    else
        t->newest = e->older;
    if (e->older != NONE)
        t->entries[e->older].newer = e->newer;
    else
        t->oldest = e->newer;
}

static void lru_push(struct frag_table *t, uint32_t i)
{
    struct frag_entry *e = &t->entries[i];

    e->newer = NONE;
    e->older = t->newest;
    if (t->newest != NONE)
        t->entries[t->newest].newer = i;
    t->newest = i;
    if (t->oldest == NONE)
        t->oldest = i;
}

/* Forgets entry i; whatever it still held is orphaned. */
static void drop(struct frag_table *t, uint32_t i)
{
    struct frag_entry *e = &t->entries[i];
    uint32_t *link = &t->buckets[hash_frag_key(&e->key, t->secret, t->mask)];

    while (*link != i)
        link = &t->entries[*link].chain;
    *link = e->chain;
    lru_unlink(t, i);
    t->stats.held_packets -= e->held_packets;
    t->stats.held_bytes -= e->held_bytes;
    t->stats.orphan_packets += e->held_packets;
    t->stats.orphan_bytes += e->held_bytes;
    e->older = t->free_list;
    t->free_list = i;
    t->used--;
}

/* Finds the live entry for a key, dropping it instead when it has timed out. */
static uint32_t find(struct frag_table *t, const struct frag_key *k, ps_time ts)
{
    for (uint32_t i = t->buckets[hash_frag_key(k, t->secret, t->mask)]; i != NONE;
         i = t->entries[i].chain) {
        struct frag_entry *e = &t->entries[i];

        if (memcmp(&e->key, k, sizeof(*k)) != 0)
            continue;
        /* Unsigned: file timestamps can be anything, and must not overflow a subtraction. */
        if (ts > e->last_seen && (uint64_t)ts - (uint64_t)e->last_seen > (uint64_t)t->timeout) {
            drop(t, i);
            return NONE;
        }
        lru_unlink(t, i);
        lru_push(t, i);
        e->last_seen = ts > e->last_seen ? ts : e->last_seen;
        return i;
    }
    return NONE;
}

static uint32_t insert(struct frag_table *t, const struct frag_key *k, ps_time ts)
{
    uint32_t i, *bucket;
    struct frag_entry *e;

    if (t->used == t->capacity) {
        t->stats.evicted++;
        drop(t, t->oldest);
    }
    i = t->free_list;
    e = &t->entries[i];
    t->free_list = e->older;
    memset(e, 0, sizeof(*e));
    e->key = *k;
    e->last_seen = ts;
    bucket = &t->buckets[hash_frag_key(k, t->secret, t->mask)];
    e->chain = *bucket;
    *bucket = i;
    lru_push(t, i);
    t->used++;
    return i;
}

/* The entry of a fragment's datagram, made when it is the first fragment seen of it. */
static struct frag_entry *entry_for(struct frag_table *t, const struct pkt_fragment *frag,
                                    ps_time ts)
{
    struct frag_key k;
    uint32_t i;

    make_key(&k, frag);
    i = find(t, &k, ts);
    if (i == NONE)
        i = insert(t, &k, ts);
    return &t->entries[i];
}

void frag_table_first(struct frag_table *t, const struct pkt_fragment *frag, struct flow *f,
                      uint8_t sender, ps_time ts, uint64_t *moved_packets, uint64_t *moved_bytes)
{
    struct frag_entry *e = entry_for(t, frag, ts);

    e->flow = f;
    e->flow_id = f->id;
    e->sender = sender;
    if (e->held_packets == 0)
        return;
    f->packets[sender] += e->held_packets;
    f->bytes[sender] += e->held_bytes;
    f->ip_bytes[sender] += e->held_ip_bytes;
    f->payload_bytes[sender] += e->held_payload_bytes;
    if (e->held_first < f->first_seen)
        f->first_seen = e->held_first;
    if (e->held_last > f->last_seen)
        f->last_seen = e->held_last;
    *moved_packets += e->held_packets;
    *moved_bytes += e->held_bytes;
    t->stats.held_packets -= e->held_packets;
    t->stats.held_bytes -= e->held_bytes;
    e->held_packets = e->held_bytes = e->held_ip_bytes = e->held_payload_bytes = 0;
}

struct flow *frag_table_later(struct frag_table *t, struct flow_table *flows,
                              const struct pkt_info *pkt, ps_time ts, uint32_t wire_len,
                              uint8_t *sender)
{
    struct frag_entry *e = entry_for(t, &pkt->fragment, ts);

    /* The datagram's flow left its record: kept, it comes back; streamed, it was written out. */
    if (e->flow != NULL && (e->flow->gone || e->flow->id != e->flow_id))
        e->flow = flow_table_resume(flows, e->flow_id);
    if (e->flow != NULL) {
        *sender = e->sender;
        return e->flow;
    }
    if (e->held_packets == 0 || ts < e->held_first)
        e->held_first = ts;
    if (e->held_packets == 0 || ts > e->held_last)
        e->held_last = ts;
    e->held_packets++;
    e->held_bytes += wire_len;
    e->held_ip_bytes += pkt->ip_len;
    e->held_payload_bytes += pkt->payload_len;
    t->stats.held_packets++;
    t->stats.held_bytes += wire_len;
    return NULL;
}

void frag_table_flush(struct frag_table *t)
{
    while (t->oldest != NONE)
        drop(t, t->oldest);
}

const struct frag_stats *frag_table_stats(const struct frag_table *t)
{
    return &t->stats;
}

size_t frag_table_capacity(const struct frag_table *t)
{
    return t->capacity;
}
