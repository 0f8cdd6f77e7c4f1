/*
 * flow_index.c - keys, their hash, and the indexes that find a key's flow.
 *
 * A key is built in canonical order, so that both directions of a conversation find the same
 * flow, and hashed with secrets from the table's seed. An index is open addressing with linear
 * probing over a power-of-two array of slots; when it fills, a twice larger index is allocated and
 * entries move over a few at a time with each insertion, so no single packet pays for a rehash.
 * Deleting moves later entries of the probe run back (Knuth's algorithm R) instead of leaving
 * tombstones. The table has two: the live flows' records, and (keeping) the stored flows' ids.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"

/* The smallest index; each grows by doubling. */
#define INDEX_MIN 1024
/* Old index slots moved per insertion while growing: enough to finish before the new one fills. */
#define MIGRATE_STEP 8

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void flow_hash_seed(uint64_t *secret, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        secret[i] = mix64(seed ^ (0x2545f4914f6cdd1dULL * (i + 1))) | 1;
}

_Static_assert(sizeof(struct flow_key) == 40, "flow keys are hashed as five 64-bit words");

/* The 8 bytes at `p` as one word, in memory's order. */
static inline uint64_t word_at(const void *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

/*
 * wyhash's construction over the key's five words: products of pairs, each word masked with its
 * own secret from the seed, computed side by side rather than one after another. The words are
 * loaded one by one, as fill_key() stores them: a load of 16 bytes across two of its stores
 * could not take them from the store buffer.
 */
uint64_t flow_hash_with(const uint64_t *s, const struct flow_key *key)
{
    const uint8_t *k = (const uint8_t *)key;

    return ps_mum(ps_mum(word_at(k) ^ s[0], word_at(k + 8) ^ s[1]) ^
                      ps_mum(word_at(k + 16) ^ s[2], word_at(k + 24) ^ s[3]),
                  ps_mum(word_at(k + 32) ^ s[4], s[5]));
}

/*
 * Whole words, without a call to memcmp(): the keys have no padding and are zeroed first. Written
 * out word by word: GCC kept the loop over copies on the stack, twice the instructions.
 */
static bool keys_equal(const struct flow_key *a, const struct flow_key *b)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;

    return ((word_at(x) ^ word_at(y)) | (word_at(x + 8) ^ word_at(y + 8)) |
            (word_at(x + 16) ^ word_at(y + 16)) | (word_at(x + 24) ^ word_at(y + 24)) |
            (word_at(x + 32) ^ word_at(y + 32))) == 0;
}

_Static_assert(offsetof(struct flow_key, port) == 32 && offsetof(struct flow_key, proto) == 36 &&
                   offsetof(struct flow_key, family) == 37 &&
                   offsetof(struct flow_key, scope) == 38,
               "key_tail() builds the key's last word");

/* The key's last word, as memory holds port[0], port[1], proto, family and scope. */
static inline uint64_t key_tail(uint16_t port0, uint16_t port1, uint8_t proto, uint8_t family,
                                uint16_t scope)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return port0 | (uint64_t)port1 << 16 | (uint64_t)proto << 32 | (uint64_t)family << 40 |
           (uint64_t)scope << 48;
#else
    return (uint64_t)port0 << 48 | (uint64_t)port1 << 32 | (uint64_t)proto << 24 |
           (uint64_t)family << 16 | scope;
#endif
}

/*
 * Endpoint 0 is the one whose (address, port) sorts first; `sender` says which one `src` is. The
 * key is made in registers and stored as its five words: the hash that reads it back at once
 * takes each word from one store. (Stored field by field over a zeroed key, each word it loaded
 * came from two or more stores and waited for them to reach the cache: on two threads, where the
 * key is in a ring entry the other thread had, that was most of the reader's time in it.)
 */
static inline __attribute__((always_inline)) void
fill_key(struct flow_key *key, uint8_t family, uint8_t proto, uint8_t scope, uint16_t vlan,
         const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport, uint8_t *sender)
{
    uint64_t s0 = 0, s1 = 0, d0 = 0, d1 = 0;
    uint8_t *k = (uint8_t *)key;
    int order;
    bool swap;

    /* The addresses' length is a constant in each branch: their copies are loads, not calls. */
    if (family == 6) {
        memcpy(&s0, src, 8);
        memcpy(&s1, src + 8, 8);
        memcpy(&d0, dst, 8);
        memcpy(&d1, dst + 8, 8);
        order = ps_addr_compare(src, dst, 16);
    } else {
        memcpy(&s0, src, 4);
        memcpy(&d0, dst, 4);
        order = ps_addr_compare(src, dst, 4);
    }
    if (order == 0)
        order = (int)sport - (int)dport;
    swap = order > 0;
    *sender = swap;
    uint64_t a0 = swap ? d0 : s0, a1 = swap ? d1 : s1, b0 = swap ? s0 : d0, b1 = swap ? s1 : d1;
    uint64_t tail = key_tail(swap ? dport : sport, swap ? sport : dport, proto, family,
                             (uint16_t)(scope << 12 | (vlan & 0x0fff)));

    memcpy(k, &a0, 8);
    memcpy(k + 8, &a1, 8);
    memcpy(k + 16, &b0, 8);
    memcpy(k + 24, &b1, 8);
    memcpy(k + 32, &tail, 8);
}

void flow_key_from_packet(const struct pkt_info *pkt, struct flow_key *key, uint8_t *sender)
{
    fill_key(key, pkt->family, pkt->proto, pkt->scope, pkt->vlan, pkt->src, pkt->sport, pkt->dst,
             pkt->dport, sender);
}

void flow_key_from_quote(const struct pkt_quote *quote, uint16_t vlan, struct flow_key *key,
                         uint8_t *answering)
{
    uint8_t quoted_sender;

    fill_key(key, quote->family, quote->proto, quote->scope, vlan, quote->src, quote->sport,
             quote->dst, quote->dport, &quoted_sender);
    *answering = !quoted_sender;
}

int flow_key_compare(const struct flow_key *a, const struct flow_key *b)
{
    int c;

    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (int e = 0; e < 2; e++) {
        c = memcmp(a->addr[e], b->addr[e], sizeof(a->addr[e]));
        if (c != 0)
            return c;
        if (a->port[e] != b->port[e])
            return a->port[e] < b->port[e] ? -1 : 1;
    }
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return 0;
}

/* The key a slot of `set` names; `buf` holds it when the flow is in the store. */
static const struct flow_key *slot_key(const struct flow_table *t, const struct index_set *set,
                                       slot_t s, struct flow_key *buf)
{
    uint32_t ref = (uint32_t)s - 1;

    if (!set->stored)
        return &flow_at(t, ref)->key;
    flow_store_key(&t->store, t->where[ref] >> 1, buf);
    return buf;
}

static size_t home(const struct flow_table *t, const struct index_set *set,
                   const struct flow_index *ix, slot_t s)
{
    struct flow_key buf;

    if (ix->mask <= UINT32_MAX)
        return (size_t)(s >> 32) & ix->mask;
    return home_of_hash(ix, hash_key(t, slot_key(t, set, s, &buf)));
}

/* An index's array from this size is mapped (index_alloc()); a smaller one comes from malloc(). */
#define INDEX_MAP_MIN ((size_t)2 << 20)

/*
 * Zeroed memory for an index's slots or marks. A large array is mapped fresh, on huge pages where
 * the kernel gives them: it comes zeroed, a page at a time as insertions first touch it, where
 * cleared with memset() (ps_zalloc()) it was written whole once more first: 72 MB on 10 M
 * packets of the datacentre shape, in the table's thread. Unmapped when freed, it goes back at
 * once, where free() could keep a large block in the heap for later.
 */
static void *index_alloc(size_t bytes)
{
    return bytes >= INDEX_MAP_MIN ? ps_map(bytes) : ps_zalloc(bytes, 1);
}

static void index_release(void *p, size_t bytes)
{
    if (bytes >= INDEX_MAP_MIN)
        ps_unmap(p, bytes);
    else
        free(p);
}

static void index_free(struct flow_index *ix)
{
    index_release(ix->slots, (ix->mask + 1) * sizeof(slot_t));
    index_release(ix->marks, ix->mask + 1);
    ix->slots = NULL;
    ix->marks = NULL;
}

static bool index_init(struct flow_index *ix, size_t capacity)
{
    if (capacity > SIZE_MAX / sizeof(slot_t))
        return false;
    ix->mask = capacity - 1;
    ix->slots = index_alloc(capacity * sizeof(slot_t));
    ix->marks = index_alloc(capacity);
    if (ix->slots != NULL && ix->marks != NULL)
        return true;
    index_free(ix);
    return false;
}

static slot_t *index_put(struct flow_index *ix, size_t i, slot_t slot)
{
    while (ix->marks[i] != 0)
        i = (i + 1) & ix->mask;
    ix->slots[i] = slot;
    ix->marks[i] = mark_of(slot);
    return &ix->slots[i];
}

/* Whether the stored flow a slot names has `key`: decoded, so out of the lookup's line. */
static __attribute__((noinline)) bool stored_key_is(const struct flow_table *t, slot_t s,
                                                    const struct flow_key *key)
{
    struct flow_key buf;

    flow_store_key(&t->store, t->where[(uint32_t)s - 1] >> 1, &buf);
    return keys_equal(&buf, key);
}

/*
 * The slot that holds `key`, or NULL. Every packet looks into the live index: a stored flow's key,
 * decoded into a buffer, is compared elsewhere, so that this loop keeps no buffer on its stack.
 */
slot_t *flow_index_find(const struct flow_table *t, const struct index_set *set,
                        const struct flow_index *ix, uint64_t hash, const struct flow_key *key)
{
    uint32_t tag = (uint32_t)(hash >> 32);
    uint8_t mark = mark_of(hash);

    for (size_t i = home_of_hash(ix, hash); ix->marks[i] != 0; i = (i + 1) & ix->mask) {
        slot_t s;

        if (ix->marks[i] != mark)
            continue;
        s = ix->slots[i];
        if ((uint32_t)(s >> 32) != tag)
            continue;
        if (set->stored ? stored_key_is(t, s, key)
                        : keys_equal(&flow_at(t, (uint32_t)s - 1)->key, key))
            return &ix->slots[i];
    }
    return NULL;
}

bool flow_set_init(struct index_set *set, bool stored)
{
    memset(set, 0, sizeof(*set));
    set->stored = stored;
    return index_init(&set->cur, INDEX_MIN);
}

void flow_set_free(struct index_set *set)
{
    index_free(&set->cur);
    index_free(&set->old);
}

static void migrate_some(const struct flow_table *t, struct index_set *set)
{
    size_t capacity = set->old.mask + 1, end = set->migrate_pos + MIGRATE_STEP, homes[MIGRATE_STEP];

    if (end > capacity)
        end = capacity;
    /* The new homes are all over the bigger index: ask for them together, then fill them. */
    for (size_t i = set->migrate_pos; i < end; i++) {
        size_t h;

        if (set->old.marks[i] == 0)
            continue;
        h = home(t, set, &set->cur, set->old.slots[i]);
        homes[i - set->migrate_pos] = h;
        __builtin_prefetch(&set->cur.marks[h], 1);
        __builtin_prefetch(&set->cur.slots[h], 1);
    }
    for (size_t i = set->migrate_pos; i < end; i++)
        if (set->old.marks[i] != 0)
            index_put(&set->cur, homes[i - set->migrate_pos], set->old.slots[i]);
    set->migrate_pos = end;
    if (set->migrate_pos == capacity)
        index_free(&set->old);
}

/*
 * Makes room for one more entry; returns false when out of memory. The live index is kept at most
 * half full, for short probes on every packet; the stored one, looked at once per new flow but
 * holding nearly every flow, three quarters, for its memory.
 */
bool flow_set_reserve(const struct flow_table *t, struct index_set *set)
{
    struct flow_index bigger;
    size_t capacity = set->cur.mask + 1;

    if (set->old.slots != NULL)
        migrate_some(t, set);
    if (set->stored ? (set->entries + 1) * 4 <= capacity * 3 : (set->entries + 1) * 2 <= capacity)
        return true;
    /* The previous migration must end before another starts; it is near its end by now. */
    while (set->old.slots != NULL)
        migrate_some(t, set);
    if (!index_init(&bigger, capacity * 2))
        return false;
    set->old = set->cur;
    set->cur = bigger;
    set->migrate_pos = 0;
    migrate_some(t, set);
    return true;
}

/* Adds an entry for a key known to be absent, after flow_set_reserve(); returns its slot. */
slot_t *flow_set_put(struct index_set *set, uint64_t hash, uint32_t ref)
{
    set->entries++;
    return index_put(&set->cur, home_of_hash(&set->cur, hash),
                     (hash & 0xffffffff00000000ULL) | (slot_t)(ref + 1));
}

/*
 * Removes the slot at `pos` from a linear-probing index, moving later entries of the same probe
 * run back so that every key stays reachable (Knuth's algorithm R).
 */
static void index_delete(const struct flow_table *t, const struct index_set *set,
                         struct flow_index *ix, size_t pos)
{
    size_t i = pos, j = pos;

    ix->slots[i] = 0;
    ix->marks[i] = 0;
    for (;;) {
        size_t home_slot;

        j = (j + 1) & ix->mask;
        if (ix->marks[j] == 0)
            return;
        home_slot = home(t, set, ix, ix->slots[j]);
        /* The entry at j may move to i when i lies cyclically between its home and j. */
        if ((i <= j) ? (home_slot <= i || home_slot > j) : (home_slot <= i && home_slot > j)) {
            ix->slots[i] = ix->slots[j];
            ix->marks[i] = ix->marks[j];
            ix->slots[j] = 0;
            ix->marks[j] = 0;
            i = j;
        }
    }
}

/* Removes the entry of `key` when it names `ref`; returns whether it did. */
bool flow_set_remove(const struct flow_table *t, struct index_set *set, uint64_t hash,
                     const struct flow_key *key, uint32_t ref)
{
    slot_t *slot;

    /* Deleting from an index being migrated could strand entries: finish the move first. */
    while (set->old.slots != NULL)
        migrate_some(t, set);
    slot = flow_index_find(t, set, &set->cur, hash, key);
    if (slot == NULL || (uint32_t)*slot - 1 != ref)
        return false;
    index_delete(t, set, &set->cur, (size_t)(slot - set->cur.slots));
    set->entries--;
    return true;
}

/*
 * Removes the entry at `slot`, found in `set` since its last change, when it is in the index a
 * migration fills (or no migration runs): deleting there strands nothing. Returns whether it did;
 * an entry in the index being migrated from is left to flow_set_remove().
 */
bool flow_set_remove_at(const struct flow_table *t, struct index_set *set, slot_t *slot)
{
    /* As addresses: the slot may be in the other index, not an array to subtract within. */
    uintptr_t at = (uintptr_t)slot, first = (uintptr_t)set->cur.slots;

    if (at < first || (at - first) / sizeof(slot_t) > set->cur.mask)
        return false;
    index_delete(t, set, &set->cur, (at - first) / sizeof(slot_t));
    set->entries--;
    return true;
}

void flow_table_prepare(const struct flow_table *t, const struct pkt_info *pkt,
                        struct flow_lookup *lk)
{
    flow_key_from_packet(pkt, &lk->key, &lk->sender);
    lk->hash = hash_key(t, &lk->key);
    prefetch_set(&t->live, lk->hash, true);
}

void flow_table_hasher(const struct flow_table *t, struct flow_hasher *h)
{
    memcpy(h->secret, t->secret, sizeof(h->secret));
}

void flow_hasher_prepare(const struct flow_hasher *h, const struct pkt_info *pkt,
                         struct flow_lookup *lk)
{
    flow_key_from_packet(pkt, &lk->key, &lk->sender);
    lk->hash = flow_hash_with(h->secret, &lk->key);
}

void flow_table_prefetch_slot(const struct flow_table *t, const struct flow_lookup *lk)
{
    prefetch_set(&t->live, lk->hash, true);
}

void flow_table_prefetch_flow(const struct flow_table *t, const struct flow_lookup *lk)
{
    const struct flow_index *ix = &t->live.cur;
    uint32_t tag = (uint32_t)(lk->hash >> 32);

    /* A hint only: the first slot with the key's tag, without comparing keys. */
    for (size_t i = home_of_hash(ix, lk->hash); ix->marks[i] != 0; i = (i + 1) & ix->mask) {
        if ((uint32_t)(ix->slots[i] >> 32) == tag) {
            const char *f = (const char *)flow_at(t, (uint32_t)ix->slots[i] - 1);

            for (size_t off = 0; off < sizeof(struct flow); off += 64)
                __builtin_prefetch(f + off, 1);
            return;
        }
    }
    /* Not live (or still migrating): a new flow, which must ask the stored flows' index. */
    if (keeping(t))
        prefetch_set(&t->stored, lk->hash, false);
}
