/*
 * flow_table.c - flows in creation order, found through seeded open-addressing indexes.
 *
 * A flow lives in a fixed-size record while packets come. Records sit in chunks that never move,
 * so growing the table copies no flow and pointers to records stay valid while their flow lives.
 * An index maps a key's hash to a record; when it fills, a twice larger index is allocated and
 * entries move over a few at a time with each insertion, so no single packet pays for a rehash.
 *
 * Without streaming, a flow that has been quiet for a while goes into the compact store
 * (flow_store.h) and its record is reused: the live records and their index stay small enough to
 * stay in the cache, and memory per flow is what its compact copy takes. A second index finds
 * stored flows by key, for the rare packet that comes back to one (a late retransmission, a key
 * used again): the flow is brought back to a record exactly as it was, so when a flow is stored
 * changes nothing in what is counted.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "flow_store.h"

#define CHUNK_BITS 16
#define CHUNK_SIZE ((size_t)1 << CHUNK_BITS)
#define INDEX_MIN  1024
/* Old index slots moved per insertion while growing: enough to finish before the new one fills. */
#define MIGRATE_STEP 8
#define PATHS_MAX    UINT16_MAX
/*
 * Without streaming, a flow with no packet for this long goes to the store. A flow that speaks
 * again is brought back, so this is a matter of cost, not of results: short enough that the live
 * records stay few enough to stay in the cache, long enough that a pause in a conversation rarely
 * costs a round trip to the store.
 */
#define STORE_AFTER ((ps_time)250 * 1000000)
/* The store is compacted when the records of flows brought back pass this and half of it. */
#define STORE_COMPACT_MIN ((uint64_t)1 << 20)

/*
 * An index slot: high 32 bits of the hash (to skip most key compares), low 32 bits flow number + 1.
 * A key's home slot is taken from those same high bits (home()), so that moving a slot to a larger
 * index or back after a deletion needs no look at the flow, which is a cache miss away.
 */
typedef uint64_t slot_t;

struct flow_index {
    slot_t *slots;
    /*
     * One byte per slot: 0 when it is empty, else mark_of() its hash. A probe reads these first,
     * an eighth of the memory of the slots, and a slot only when its mark matches: looking for a
     * key that is absent, as every new flow does in the stored flows' index, rarely needs more.
     */
    uint8_t *marks;
    size_t mask; /* capacity - 1; capacity is a power of two */
};

/* An index with the one it is migrating from. */
struct index_set {
    struct flow_index cur;
    struct flow_index old; /* slots == NULL when no migration runs */
    size_t migrate_pos;
    size_t entries;
    bool stored; /* slots name stored flows by id + 1, else live records by record number + 1 */
};

struct path {
    struct encap hops[PS_ENCAP_MAX];
    uint8_t len;
};

struct flow_table {
    struct flow **chunks;
    size_t n_chunks, chunks_cap;
    size_t count, max_flows; /* count: records ever allocated */
    uint64_t secret[6];      /* the hash's secrets, from the seed */
    struct flow_lifecycle lifecycle;

    struct index_set live;   /* keys of flows in records */
    struct index_set stored; /* keys of flows in the store that are still their key's latest */

    struct path *paths; /* paths[0] is the empty path */
    size_t n_paths, paths_cap;

    struct flow_icmp_error *icmp_errors;
    size_t n_icmp_errors, icmp_errors_cap;

    uint32_t created;   /* flows ever created: the next flow's id */
    uint32_t free_rec;  /* a freed record + 1, chained through flow.prev; 0 = none */
    flow_end_fn on_end; /* streaming: where ended flows go; NULL when flows are kept */
    void *on_end_ctx;
    struct wheel *wheel;
    size_t by_class[FLOW_CLASSES]; /* flows created, by protocol class */
    /* Whether the flows so far were made in the report's order (flow_table_in_order()): the
     * last one made's first packet time and key, to compare the next one with. */
    bool out_of_order;
    ps_time last_made;
    struct flow_key last_key;

    /*
     * Kept flows (no streaming), by id: in record r (r << 1 | 1), or in the store at location l
     * (l << 1).
     */
    uint64_t *where;
    size_t where_cap;
    struct flow_store store;
};

/*
 * The timing wheel that finds flows past their timeout without a scan: one slot per tick, each a
 * list of (record, id) to look at then. A flow sits in the slot of its deadline as it was when
 * filed; when that comes, a flow that saw packets since is filed again for its new deadline.
 * Packets pay nothing for it: only the deadline's arrival does. Streaming ticks every second,
 * which sets when flows are written; keeping ticks faster, for STORE_AFTER.
 */
#define WHEEL_SLOTS       1024
#define WHEEL_TICK_STREAM ((int64_t)1000000000)
#define WHEEL_TICK_KEEP   ((int64_t)125 * 1000000)
/* Flows of a slot judged together (judge_batch()). */
#define WHEEL_BATCH 16

struct wheel_item {
    uint32_t rec, id;
};

struct wheel {
    struct wheel_item *items[WHEEL_SLOTS];
    size_t n[WHEEL_SLOTS], cap[WHEEL_SLOTS];
    int64_t tick;  /* nanoseconds a slot covers */
    int64_t done;  /* the last tick processed */
    ps_time ready; /* when the next slot's tick has passed: no packet before pays a division */
    bool started;
};

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

#define KEY_WORDS (sizeof(struct flow_key) / 8)

_Static_assert(sizeof(struct flow_key) == 40, "flow keys are hashed as five 64-bit words");

/*
 * wyhash's construction over the key's five words: products of pairs, each word masked with its
 * own secret from the seed, computed side by side rather than one after another.
 */
static uint64_t hash_with(const uint64_t *s, const struct flow_key *key)
{
    uint64_t w[KEY_WORDS];

    memcpy(w, key, sizeof(w));
    return ps_mum(ps_mum(w[0] ^ s[0], w[1] ^ s[1]) ^ ps_mum(w[2] ^ s[2], w[3] ^ s[3]),
                  ps_mum(w[4] ^ s[4], s[5]));
}

static uint64_t hash_key(const struct flow_table *t, const struct flow_key *key)
{
    return hash_with(t->secret, key);
}

/* Whole words, without a call to memcmp(): the keys have no padding and are zeroed first. */
static bool keys_equal(const struct flow_key *a, const struct flow_key *b)
{
    uint64_t x[KEY_WORDS], y[KEY_WORDS], diff = 0;

    memcpy(x, a, sizeof(x));
    memcpy(y, b, sizeof(y));
    for (size_t i = 0; i < KEY_WORDS; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

/* Endpoint 0 is the one whose (address, port) sorts first; `sender` says which one `src` is. */
static void fill_key(struct flow_key *key, uint8_t family, uint8_t proto, uint8_t scope,
                     uint16_t vlan, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                     uint16_t dport, uint8_t *sender)
{
    size_t addr_len = family == 6 ? 16 : 4;
    int order;

    memset(key, 0, sizeof(*key));
    key->proto = proto;
    key->family = family;
    key->scope = (uint16_t)(scope << 12 | (vlan & 0x0fff));
    order = ps_addr_compare(src, dst, addr_len);
    if (order == 0)
        order = (int)sport - (int)dport;
    *sender = order > 0;
    memcpy(key->addr[*sender], src, addr_len);
    memcpy(key->addr[!*sender], dst, addr_len);
    key->port[*sender] = sport;
    key->port[!*sender] = dport;
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

static struct flow *flow_at(const struct flow_table *t, size_t i)
{
    return &t->chunks[i >> CHUNK_BITS][i & (CHUNK_SIZE - 1)];
}

/* Where flow `id` is kept: in a record, or in the store. */
static bool is_live(uint64_t where)
{
    return (where & 1) != 0;
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

/*
 * The home slot of a hash: from its high 32 bits, which the slot keeps. An index of more than 2^32
 * slots needs more bits than that: they come from the flow's key, hashed again.
 */
static size_t home_of_hash(const struct flow_index *ix, uint64_t hash)
{
    return (size_t)(hash >> 32 | hash << 32) & ix->mask;
}

static size_t home(const struct flow_table *t, const struct index_set *set,
                   const struct flow_index *ix, slot_t s)
{
    struct flow_key buf;

    if (ix->mask <= UINT32_MAX)
        return (size_t)(s >> 32) & ix->mask;
    return home_of_hash(ix, hash_key(t, slot_key(t, set, s, &buf)));
}

/* The top seven bits of a hash (of a slot's tag), which the home slot does not use below 2^25. */
static uint8_t mark_of(uint64_t hash)
{
    return (uint8_t)(0x80 | hash >> 57);
}

static void index_free(struct flow_index *ix)
{
    free(ix->slots);
    free(ix->marks);
    ix->slots = NULL;
    ix->marks = NULL;
}

static bool index_init(struct flow_index *ix, size_t capacity)
{
    ix->slots = ps_zalloc(capacity, sizeof(slot_t));
    ix->marks = ps_zalloc(capacity, 1);
    ix->mask = capacity - 1;
    if (ix->slots != NULL && ix->marks != NULL)
        return true;
    index_free(ix);
    return false;
}

static void index_put(struct flow_index *ix, size_t i, slot_t slot)
{
    while (ix->marks[i] != 0)
        i = (i + 1) & ix->mask;
    ix->slots[i] = slot;
    ix->marks[i] = mark_of(slot);
}

/* The slot that holds `key`, or NULL. */
static slot_t *index_find(const struct flow_table *t, const struct index_set *set,
                          const struct flow_index *ix, uint64_t hash, const struct flow_key *key)
{
    uint32_t tag = (uint32_t)(hash >> 32);
    uint8_t mark = mark_of(hash);
    struct flow_key buf;

    for (size_t i = home_of_hash(ix, hash); ix->marks[i] != 0; i = (i + 1) & ix->mask) {
        slot_t s;

        if (ix->marks[i] != mark)
            continue;
        s = ix->slots[i];
        if ((uint32_t)(s >> 32) == tag && keys_equal(slot_key(t, set, s, &buf), key))
            return &ix->slots[i];
    }
    return NULL;
}

/* Looks in the index, then in the one being migrated from. */
static slot_t *set_find(const struct flow_table *t, const struct index_set *set, uint64_t hash,
                        const struct flow_key *key)
{
    slot_t *slot = index_find(t, set, &set->cur, hash, key);

    if (slot == NULL && set->old.slots != NULL)
        slot = index_find(t, set, &set->old, hash, key);
    return slot;
}

static void set_free(struct index_set *set)
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
static bool set_reserve(const struct flow_table *t, struct index_set *set)
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

/* Adds an entry for a key known to be absent, after set_reserve(). */
static void set_put(struct index_set *set, uint64_t hash, uint32_t ref)
{
    index_put(&set->cur, home_of_hash(&set->cur, hash),
              (hash & 0xffffffff00000000ULL) | (slot_t)(ref + 1));
    set->entries++;
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

/*
 * The marks a probe for `hash` starts with; the slots too (`slots`) when a match is likely.
 * Inlined always: GCC takes a function that only reads memory and prefetches for one without
 * effects (pure) and drops the calls to it, prefetches and all; it did, until this attribute.
 */
static inline __attribute__((always_inline)) void prefetch_set(const struct index_set *set,
                                                               uint64_t hash, bool slots)
{
    size_t home = home_of_hash(&set->cur, hash);

    __builtin_prefetch(&set->cur.marks[home]);
    if (slots)
        __builtin_prefetch(&set->cur.slots[home]);
    if (set->old.slots != NULL) {
        home = home_of_hash(&set->old, hash);
        __builtin_prefetch(&set->old.marks[home]);
        if (slots)
            __builtin_prefetch(&set->old.slots[home]);
    }
}

/* Removes the entry of `key` when it names `ref`; returns whether it did. */
static bool set_remove(const struct flow_table *t, struct index_set *set, uint64_t hash,
                       const struct flow_key *key, uint32_t ref)
{
    slot_t *slot;

    /* Deleting from an index being migrated could strand entries: finish the move first. */
    while (set->old.slots != NULL)
        migrate_some(t, set);
    slot = index_find(t, set, &set->cur, hash, key);
    if (slot == NULL || (uint32_t)*slot - 1 != ref)
        return false;
    index_delete(t, set, &set->cur, (size_t)(slot - set->cur.slots));
    set->entries--;
    return true;
}

static uint16_t path_intern(struct flow_table *t, const struct pkt_info *pkt)
{
    struct path p;

    if (pkt->n_encap == 0)
        return 0;
    memset(&p, 0, sizeof(p));
    for (size_t i = 0; i < pkt->n_encap; i++) {
        p.hops[i].kind = pkt->encap[i].kind;
        p.hops[i].has_id = pkt->encap[i].has_id;
        p.hops[i].id = pkt->encap[i].id;
    }
    p.len = pkt->n_encap;
    /* Few distinct paths exist in real captures; newest first finds the common case at once. */
    for (size_t i = t->n_paths; i-- > 1;)
        if (memcmp(&t->paths[i], &p, sizeof(p)) == 0)
            return (uint16_t)i;
    if (t->n_paths == PATHS_MAX)
        return 0;
    if (t->n_paths == t->paths_cap) {
        size_t cap = t->paths_cap * 2;
        struct path *grown = realloc(t->paths, cap * sizeof(*grown));

        if (grown == NULL)
            return 0;
        t->paths = grown;
        t->paths_cap = cap;
    }
    t->paths[t->n_paths] = p;
    return (uint16_t)t->n_paths++;
}

static void wheel_free(struct wheel *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < WHEEL_SLOTS; i++)
        free(w->items[i]);
    free(w);
}

struct flow_table *flow_table_new(size_t max_flows, uint64_t seed,
                                  const struct flow_lifecycle *lifecycle)
{
    struct flow_table *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    if (lifecycle != NULL)
        t->lifecycle = *lifecycle;
    t->max_flows = max_flows != 0 && max_flows < UINT32_MAX ? max_flows : UINT32_MAX - 1;
    for (size_t i = 0; i < sizeof(t->secret) / sizeof(t->secret[0]); i++)
        t->secret[i] = mix64(seed ^ (0x2545f4914f6cdd1dULL * (i + 1))) | 1;
    t->paths_cap = 16;
    t->paths = calloc(t->paths_cap, sizeof(*t->paths));
    t->n_paths = 1;
    t->stored.stored = true;
    flow_store_init(&t->store);
    /* Streaming ends flows by the wheel; keeping stores quiet flows by it. */
    t->wheel = calloc(1, sizeof(*t->wheel));
    if (t->paths == NULL || t->wheel == NULL || !index_init(&t->live.cur, INDEX_MIN) ||
        !index_init(&t->stored.cur, INDEX_MIN)) {
        flow_table_free(t);
        return NULL;
    }
    t->wheel->tick = WHEEL_TICK_KEEP;
    return t;
}

void flow_table_free(struct flow_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_chunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    set_free(&t->live);
    set_free(&t->stored);
    free(t->paths);
    free(t->icmp_errors);
    wheel_free(t->wheel);
    free(t->where);
    flow_store_free(&t->store);
    free(t);
}

static bool keeping(const struct flow_table *t)
{
    return t->on_end == NULL;
}

/* A record: a freed one, or a new one. NULL when memory ran out. */
static struct flow *record_new(struct flow_table *t, uint32_t *rec)
{
    struct flow *f;

    if (t->free_rec != 0) {
        *rec = t->free_rec - 1;
        f = flow_at(t, *rec);
        t->free_rec = f->prev;
        /* The next new flow's record, which it will clear whole, and the link after it. */
        if (t->free_rec != 0) {
            const char *next = (const char *)flow_at(t, t->free_rec - 1);

            for (size_t off = 0; off < sizeof(struct flow) + 63; off += 64)
                __builtin_prefetch(next + off, 1);
        }
        return f;
    }
    if (t->count == t->n_chunks * CHUNK_SIZE) {
        if (t->count >= UINT32_MAX - 1)
            return NULL; /* records are numbered in 32 bits */
        if (t->n_chunks == t->chunks_cap) {
            size_t cap = t->chunks_cap ? t->chunks_cap * 2 : 8;
            struct flow **grown = realloc(t->chunks, cap * sizeof(*grown));

            if (grown == NULL)
                return NULL;
            t->chunks = grown;
            t->chunks_cap = cap;
        }
        t->chunks[t->n_chunks] = ps_alloc_huge(CHUNK_SIZE * sizeof(struct flow));
        if (t->chunks[t->n_chunks] == NULL)
            return NULL;
        t->n_chunks++;
    }
    *rec = (uint32_t)t->count++;
    return flow_at(t, *rec);
}

/* The record may hold another flow from now on. */
static void record_free(struct flow_table *t, struct flow *f, uint32_t rec)
{
    f->gone = true;
    f->prev = t->free_rec;
    t->free_rec = rec + 1;
}

/*
 * A new flow in a record, not yet in the index. NULL when the table is full or memory ran out.
 * Kept flows count against max_flows; streamed ones only while they live.
 */
static struct flow *flow_create(struct flow_table *t, const struct flow_key *key,
                                const struct pkt_info *pkt, ps_time ts, uint32_t *rec)
{
    struct flow *f;

    if (keeping(t) ? t->created >= t->max_flows : t->free_rec == 0 && t->count >= t->max_flows)
        return NULL;
    if (keeping(t) && t->created == t->where_cap) {
        size_t cap = t->where_cap ? t->where_cap * 2 : 1024;
        uint64_t *grown = realloc(t->where, cap * sizeof(*grown));

        if (grown == NULL)
            return NULL;
        t->where = grown;
        t->where_cap = cap;
    }
    f = record_new(t, rec);
    if (f == NULL)
        return NULL;
    memset(f, 0, sizeof(*f));
    if (t->created > 0 &&
        (ts < t->last_made || (ts == t->last_made && flow_key_compare(&t->last_key, key) > 0)))
        t->out_of_order = true;
    t->last_made = ts;
    t->last_key = *key;
    f->key = *key;
    f->id = t->created++;
    f->path_id = path_intern(t, pkt);
    t->by_class[ipproto_flow_class(key->proto)]++;
    if (keeping(t))
        t->where[f->id] = (uint64_t)*rec << 1 | 1;
    return f;
}

/*
 * After the last packet. Kept flows all go to the store, where the report reads them; the
 * records, the indexes and the wheel, which only packets need, are freed for the report's use.
 */
void flow_table_seal(struct flow_table *t)
{
    bool all_stored = true;

    if (keeping(t)) {
        for (size_t rec = 0; rec < t->count; rec++) {
            struct flow *f = flow_at(t, rec);
            uint64_t loc;

            if (f->gone)
                continue;
            loc = flow_store_put(&t->store, f);
            if (loc == FLOW_STORE_NONE)
                all_stored = false;
            else
                t->where[f->id] = loc << 1;
        }
        if (all_stored) {
            for (size_t i = 0; i < t->n_chunks; i++)
                free(t->chunks[i]);
            free(t->chunks);
            t->chunks = NULL;
            t->n_chunks = t->chunks_cap = t->count = 0;
            t->free_rec = 0;
        }
    }
    set_free(&t->live);
    set_free(&t->stored);
    wheel_free(t->wheel);
    t->wheel = NULL;
}

const char *flow_class_name(enum flow_class c)
{
    static const char *const names[FLOW_CLASSES] = {"tcp", "udp", "icmp", "other"};

    return names[c];
}

/*
 * Zeek's defaults (base/init-bare.zeek): tcp_inactivity_timeout 5 min, udp and icmp 1 min. Its
 * TCP analyzer also takes a SYN with a new ISN for a new connection, open or not (IsReuse()).
 */
void flow_lifecycle_zeek(struct flow_lifecycle *lc)
{
    memset(lc, 0, sizeof(*lc));
    lc->syn_new_isn = true;
    lc->idle[FLOW_CLASS_TCP] = (ps_time)FLOW_ZEEK_IDLE_TCP * 1000000000;
    lc->idle[FLOW_CLASS_UDP] = (ps_time)FLOW_ZEEK_IDLE_OTHER * 1000000000;
    lc->idle[FLOW_CLASS_ICMP] = (ps_time)FLOW_ZEEK_IDLE_OTHER * 1000000000;
    lc->idle[FLOW_CLASS_OTHER] = (ps_time)FLOW_ZEEK_IDLE_OTHER * 1000000000;
    /* tcp_close_delay: a connection closed by FIN both ways or a RST is kept that much longer. */
    lc->tcp_close_delay = (ps_time)FLOW_ZEEK_CLOSE_DELAY * 1000000000;
}

/* Wireshark keeps a conversation forever, but starts a new one when a SYN brings a new ISN. */
void flow_lifecycle_wireshark(struct flow_lifecycle *lc)
{
    memset(lc, 0, sizeof(*lc));
    lc->syn_new_isn = true;
}

/* b - a for file timestamps, which may be anything: never a signed overflow. */
static uint64_t elapsed(ps_time a, ps_time b)
{
    return b > a ? (uint64_t)b - (uint64_t)a : 0;
}

static bool tcp_closed(const struct flow *f)
{
    return (f->tcp.state[0] == TCP_CLOSED && f->tcp.state[1] == TCP_CLOSED) ||
           f->tcp.state[0] == TCP_RESET || f->tcp.state[1] == TCP_RESET;
}

/* Whether this packet ends flow `f` and starts the next on its key, and why. */
static enum flow_start restart_reason(const struct flow_table *t, const struct flow *f,
                                      const struct pkt_info *pkt, uint8_t sender, ps_time ts)
{
    const struct flow_lifecycle *lc = &t->lifecycle;
    enum flow_class c = ipproto_flow_class(f->key.proto);

    if (lc->idle[c] != 0 && elapsed(f->last_seen, ts) > (uint64_t)lc->idle[c])
        return FLOW_START_IDLE;
    if (c == FLOW_CLASS_TCP && lc->tcp_close_delay != 0 && tcp_closed(f) &&
        elapsed(f->last_seen, ts) > (uint64_t)lc->tcp_close_delay)
        return FLOW_START_IDLE;
    if (lc->active[c] != 0 && elapsed(f->first_seen, ts) > (uint64_t)lc->active[c])
        return FLOW_START_ACTIVE;
    /* A retransmitted SYN repeats its sequence number; a new connection brings a new one. */
    if (pkt->proto == PS_IPPROTO_TCP && pkt->hint == PKT_HINT_OPEN &&
        (f->tcp.seen[sender] & TCP_SEEN_BASE) && pkt->tcp_seq != f->tcp.base_seq[sender]) {
        if (tcp_closed(f))
            return FLOW_START_SYN_AFTER_CLOSE;
        if (lc->syn_new_isn)
            return FLOW_START_SYN_NEW_ISN;
    }
    return FLOW_START_FIRST;
}

void flow_account(struct flow *f, uint8_t sender, const struct flow_packet *fp,
                  const struct pkt_info *pkt)
{
    if (fp->ts < f->last_seen)
        f->quality |= FLOW_Q_BACKWARDS;
    if (fp->ts < f->first_seen)
        f->first_seen = fp->ts;
    if (fp->ts > f->last_seen)
        f->last_seen = fp->ts;
    if (fp->snap_cut)
        f->quality |= FLOW_Q_SNAPLEN;
    f->packets[sender]++;
    f->bytes[sender] += fp->wire_len;
    if (pkt != NULL) {
        f->ip_bytes[sender] += pkt->ip_len;
        f->payload_bytes[sender] += pkt->payload_len;
        if (pkt->length_from_capture)
            f->quality |= FLOW_Q_NO_IP_LEN;
    }
}

void flow_table_account(struct flow_table *t, struct flow *f, uint8_t sender,
                        const struct flow_packet *fp, const struct pkt_info *pkt)
{
    if (fp->ts < f->first_seen)
        t->out_of_order = true;
    flow_account(f, sender, fp, pkt);
}

void flow_table_first_seen_moved(struct flow_table *t)
{
    t->out_of_order = true;
}

bool flow_table_in_order(const struct flow_table *t)
{
    return !t->out_of_order;
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

/* When `f` ends by timeout, or INT64_MAX when no timeout applies to it. */
static ps_time deadline(const struct flow_table *t, const struct flow *f)
{
    enum flow_class c = ipproto_flow_class(f->key.proto);
    ps_time when = INT64_MAX;

    if (t->lifecycle.idle[c] != 0 && f->last_seen <= INT64_MAX - t->lifecycle.idle[c])
        when = f->last_seen + t->lifecycle.idle[c];
    if (t->lifecycle.active[c] != 0 && f->first_seen <= INT64_MAX - t->lifecycle.active[c] &&
        f->first_seen + t->lifecycle.active[c] < when)
        when = f->first_seen + t->lifecycle.active[c];
    if (c == FLOW_CLASS_TCP && t->lifecycle.tcp_close_delay != 0 && tcp_closed(f) &&
        f->last_seen <= INT64_MAX - t->lifecycle.tcp_close_delay &&
        f->last_seen + t->lifecycle.tcp_close_delay < when)
        when = f->last_seen + t->lifecycle.tcp_close_delay;
    return when;
}

static int64_t tick_of(const struct wheel *w, ps_time t)
{
    return t / w->tick - (t % w->tick < 0);
}

/* When slot w->done + 1 may be processed: once tick w->done + 2 has begun. */
static void wheel_set_ready(struct wheel *w)
{
    if (w->done >= INT64_MAX / w->tick - 2)
        w->ready = INT64_MAX;
    else if (w->done <= INT64_MIN / w->tick)
        w->ready = INT64_MIN;
    else
        w->ready = (w->done + 2) * w->tick;
}

/* When the wheel must look at `f` again: its deadline, or sooner when keeping stores it. */
static ps_time due(const struct flow_table *t, const struct flow *f)
{
    ps_time when = deadline(t, f);

    if (keeping(t) && f->last_seen <= INT64_MAX - STORE_AFTER && f->last_seen + STORE_AFTER < when)
        when = f->last_seen + STORE_AFTER;
    return when;
}

/*
 * Files `f` in the slot of its due time, or of the wheel's far end when that is further. A flow
 * that cannot be filed (out of memory) simply stays in its record.
 */
static void wheel_file(struct flow_table *t, const struct flow *f, uint32_t rec, ps_time now)
{
    struct wheel *w = t->wheel;
    ps_time when = due(t, f), from = f->last_seen > now ? f->last_seen : now;
    int64_t tick;
    size_t slot;

    /*
     * An open TCP connection is looked at again a close delay from now rather than at its idle
     * timeout: most close within seconds, and waiting 300 s for them would keep an entry per
     * connection of the last five minutes.
     */
    if (f->key.proto == PS_IPPROTO_TCP && t->lifecycle.tcp_close_delay != 0 &&
        from <= INT64_MAX - t->lifecycle.tcp_close_delay &&
        from + t->lifecycle.tcp_close_delay < when)
        when = from + t->lifecycle.tcp_close_delay;
    if (when == INT64_MAX)
        return;
    tick = tick_of(w, when);
    if (!w->started) {
        w->done = tick_of(w, f->first_seen) - 1;
        w->started = true;
        wheel_set_ready(w);
    }
    if (tick <= w->done)
        tick = w->done + 1;
    if (tick > w->done + WHEEL_SLOTS - 1)
        tick = w->done + WHEEL_SLOTS - 1;
    slot = (size_t)(tick & (WHEEL_SLOTS - 1));
    if (w->n[slot] == w->cap[slot]) {
        size_t cap = w->cap[slot] ? w->cap[slot] * 2 : 16;
        struct wheel_item *grown = realloc(w->items[slot], cap * sizeof(*grown));

        if (grown == NULL)
            return;
        w->items[slot] = grown;
        w->cap[slot] = cap;
    }
    w->items[slot][w->n[slot]++] = (struct wheel_item){rec, f->id};
}

/* Streaming: hands a flow to the callback and frees its record for reuse. */
static void release(struct flow_table *t, struct flow *f, uint32_t rec)
{
    t->on_end(t->on_end_ctx, f);
    record_free(t, f, rec);
}

/* Streaming: ends a flow past its timeout, out of the index, then released. */
static void expire(struct flow_table *t, struct flow *f, uint32_t rec)
{
    set_remove(t, &t->live, hash_key(t, &f->key), &f->key, rec);
    release(t, f, rec);
}

/* Keeping: moves a quiet flow from its record to the store, its index entry along with it. */
static void store_flow(struct flow_table *t, struct flow *f, uint32_t rec, uint64_t hash)
{
    uint64_t loc;

    if (!set_reserve(t, &t->stored))
        return;
    loc = flow_store_put(&t->store, f);
    if (loc == FLOW_STORE_NONE)
        return;
    /* A flow that a later one took over from is in no index: it is only found by its id. */
    if (set_remove(t, &t->live, hash, &f->key, rec))
        set_put(&t->stored, hash, f->id);
    t->where[f->id] = loc << 1;
    record_free(t, f, rec);
}

/*
 * Rewrites the store without the records of flows that came back, once they are most of it. The
 * new store's room is taken first, so that running out of memory leaves the old one as it was.
 */
static void compact_store(struct flow_table *t)
{
    struct flow_store fresh;
    uint64_t wanted = t->store.bytes - t->store.dropped;

    if (t->store.dropped < STORE_COMPACT_MIN || t->store.dropped < wanted)
        return;
    flow_store_init_like(&fresh, &t->store);
    if (!flow_store_reserve(&fresh, wanted)) {
        flow_store_free(&fresh);
        return;
    }
    for (size_t id = 0; id < t->created; id++)
        if (!is_live(t->where[id]))
            t->where[id] = flow_store_move(&fresh, &t->store, t->where[id] >> 1) << 1;
    flow_store_free(&t->store);
    t->store = fresh;
}

/* Keeping: brings stored flow `id` back to a record, exactly as it was. NULL when out of memory. */
static struct flow *bring_back(struct flow_table *t, uint32_t id)
{
    uint64_t loc = t->where[id] >> 1, hash;
    uint32_t rec;
    struct flow *f;

    if (!set_reserve(t, &t->live))
        return NULL;
    f = record_new(t, &rec);
    if (f == NULL)
        return NULL;
    flow_store_get(&t->store, loc, id, f);
    hash = hash_key(t, &f->key);
    if (set_remove(t, &t->stored, hash, &f->key, id))
        set_put(&t->live, hash, rec);
    flow_store_drop(&t->store, loc);
    t->where[id] = (uint64_t)rec << 1 | 1;
    wheel_file(t, f, rec, f->last_seen);
    compact_store(t);
    return f;
}

struct flow *flow_table_resume(struct flow_table *t, uint32_t id)
{
    if (!keeping(t) || id >= t->created || t->where == NULL)
        return NULL;
    if (is_live(t->where[id]))
        return flow_at(t, t->where[id] >> 1);
    return bring_back(t, id);
}

struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *key)
{
    uint64_t hash = hash_key(t, key);
    slot_t *slot = set_find(t, &t->live, hash, key);

    if (slot != NULL)
        return flow_at(t, (uint32_t)*slot - 1);
    if (keeping(t) && (slot = set_find(t, &t->stored, hash, key)) != NULL)
        return bring_back(t, (uint32_t)*slot - 1);
    return NULL;
}

int flow_table_stream(struct flow_table *t, flow_end_fn fn, void *ctx)
{
    t->wheel->tick = WHEEL_TICK_STREAM;
    t->on_end = fn;
    t->on_end_ctx = ctx;
    return 0;
}

/*
 * Judges the first WHEEL_BATCH (or fewer) of the `n` flows at `items` at time `end`: those whose
 * time has come are stored (or ended), the others filed again. Each stored flow's entry leaves
 * the live index and goes to a random place in the stored flows' index, and each record is a miss
 * away: those places are asked for a batch ahead, so that their misses overlap.
 */
static void judge_batch(struct flow_table *t, const struct wheel_item *items, size_t n, ps_time end)
{
    uint64_t hash[WHEEL_BATCH];
    bool leaving[WHEEL_BATCH];
    size_t batch = n < WHEEL_BATCH ? n : WHEEL_BATCH;

    for (size_t i = batch; i < n && i < 2 * WHEEL_BATCH; i++)
        __builtin_prefetch(flow_at(t, items[i].rec));
    for (size_t i = 0; i < batch; i++) {
        const struct flow *f = flow_at(t, items[i].rec);

        /* Ended or stored already, the record maybe holding another flow now: nothing to do. */
        leaving[i] = false;
        if (f->gone || f->id != items[i].id)
            continue;
        if (due(t, f) >= end) {
            wheel_file(t, f, items[i].rec, end);
            continue;
        }
        leaving[i] = true;
        hash[i] = hash_key(t, &f->key);
        prefetch_set(&t->live, hash[i], true);
        if (keeping(t))
            prefetch_set(&t->stored, hash[i], true);
    }
    for (size_t i = 0; i < batch; i++) {
        struct flow *f = flow_at(t, items[i].rec);

        if (!leaving[i])
            continue;
        if (keeping(t))
            store_flow(t, f, items[i].rec, hash[i]);
        else
            expire(t, f, items[i].rec);
    }
}

void flow_table_advance(struct flow_table *t, ps_time now)
{
    struct wheel *w = t->wheel;
    int64_t target, steps = 0;

    if (w == NULL || !w->started || now < w->ready)
        return;
    target = tick_of(w, now);
    /* A slot is processed once its whole tick has passed; a long gap visits each slot once. */
    while (w->done < target - 1 && steps++ < WHEEL_SLOTS) {
        size_t slot = (size_t)((w->done + 1) & (WHEEL_SLOTS - 1));
        struct wheel_item *items = w->items[slot];
        size_t n = w->n[slot];

        ps_time end_of_slot;

        w->items[slot] = NULL;
        w->n[slot] = w->cap[slot] = 0;
        w->done++;
        /* Judged at the end of the slot's tick, so that a long gap ends flows in their order. */
        end_of_slot = now;
        if (w->done + 1 < INT64_MAX / w->tick && (w->done + 1) * w->tick < now)
            end_of_slot = (w->done + 1) * w->tick;
        for (size_t i = 0; i < n; i += WHEEL_BATCH)
            judge_batch(t, items + i, n - i, end_of_slot);
        free(items);
    }
    if (w->done < target - 1)
        w->done = target - 1;
    wheel_set_ready(w);
}

static int compare_ids(const void *a, const void *b)
{
    uint32_t x = ((const struct wheel_item *)a)->id, y = ((const struct wheel_item *)b)->id;

    return x < y ? -1 : x > y;
}

int flow_table_drain(struct flow_table *t)
{
    struct wheel_item *live;
    size_t n = 0;

    if (keeping(t))
        return 0;
    live = malloc((t->count ? t->count : 1) * sizeof(*live));
    if (live == NULL)
        return -1;
    for (size_t i = 0; i < t->count; i++)
        if (!flow_at(t, i)->gone)
            live[n++] = (struct wheel_item){(uint32_t)i, flow_at(t, i)->id};
    qsort(live, n, sizeof(*live), compare_ids);
    for (size_t i = 0; i < n; i++)
        expire(t, flow_at(t, live[i].rec), live[i].rec);
    free(live);
    return 0;
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
    lk->hash = hash_with(h->secret, &lk->key);
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

struct flow *flow_table_add_packet(struct flow_table *t, const struct pkt_info *pkt,
                                   const struct flow_packet *fp, uint8_t *sender_out)
{
    struct flow_lookup lk;

    flow_table_prepare(t, pkt, &lk);
    *sender_out = lk.sender;
    return flow_table_add_prepared(t, pkt, &lk, fp);
}

struct flow *flow_table_add_prepared(struct flow_table *t, const struct pkt_info *pkt,
                                     const struct flow_lookup *lk, const struct flow_packet *fp)
{
    enum flow_start start = FLOW_START_FIRST;
    const struct flow_key *key = &lk->key;
    uint8_t sender = lk->sender;
    uint64_t hash = lk->hash;
    slot_t *slot;
    struct flow *f = NULL, *prev = NULL;
    uint32_t rec, prev_rec = 0;

    slot = set_find(t, &t->live, hash, key);
    if (slot == NULL && keeping(t)) {
        slot_t *stored = set_find(t, &t->stored, hash, key);

        /* The key's latest flow is in the store: back to a record, to be judged as any other. */
        if (stored != NULL) {
            if (bring_back(t, (uint32_t)*stored - 1) == NULL)
                return NULL;
            slot = set_find(t, &t->live, hash, key);
        }
    }
    if (slot != NULL) {
        f = flow_at(t, (uint32_t)*slot - 1);
        start = restart_reason(t, f, pkt, sender, fp->ts);
        if (start != FLOW_START_FIRST) {
            prev = f;
            prev_rec = (uint32_t)*slot - 1;
            f = NULL;
        }
    }
    if (f == NULL) {
        /* Growing the index may move slots: make room before taking the slot's address. */
        if (slot == NULL && !set_reserve(t, &t->live))
            return NULL;
        f = flow_create(t, key, pkt, fp->ts, &rec);
        if (f == NULL)
            return NULL;
        f->first_seen = fp->ts;
        f->last_seen = fp->ts;
        f->first_sender = sender;
        f->start = (uint8_t)start;
        if (pkt->proto == PS_IPPROTO_TCP && pkt->hint == PKT_HINT_NONE)
            f->quality |= FLOW_Q_MIDSTREAM;
        if (prev != NULL) {
            /* The key now leads to the new flow; the old one stays in the report. */
            prev->ended = true;
            f->prev = prev->id + 1;
            *slot = (*slot & 0xffffffff00000000ULL) | (slot_t)(rec + 1);
            if (!keeping(t))
                release(t, prev, prev_rec);
        } else {
            set_put(&t->live, hash, rec);
        }
        if (t->wheel != NULL)
            wheel_file(t, f, rec, fp->ts);
    }
    flow_table_account(t, f, sender, fp, pkt);
    if (pkt->hint == PKT_HINT_OPEN)
        f->role_seen |= FLOW_OPEN_FROM(sender);
    else if (pkt->hint == PKT_HINT_ACCEPT)
        f->role_seen |= FLOW_ACCEPT_FROM(sender);
    if (pkt->proto == PS_IPPROTO_TCP)
        flow_tcp_update(f, sender, pkt, fp->ts);
    return f;
}

int flow_table_add_icmp_error(struct flow_table *t, struct flow *f, uint8_t family, uint8_t type,
                              uint8_t code, uint32_t wire_len)
{
    uint32_t *link = &f->icmp_errors;
    struct flow_icmp_error *e;

    /* The list stays in order of first sight, which is the order the report gives. */
    for (; *link != 0; link = &t->icmp_errors[*link - 1].next) {
        e = &t->icmp_errors[*link - 1];
        if (e->family == family && e->type == type && e->code == code) {
            e->packets++;
            e->bytes += wire_len;
            return 0;
        }
    }
    if (t->n_icmp_errors == UINT32_MAX - 1)
        return -1;
    if (t->n_icmp_errors == t->icmp_errors_cap) {
        size_t cap = t->icmp_errors_cap ? t->icmp_errors_cap * 2 : 64;
        struct flow_icmp_error *grown = realloc(t->icmp_errors, cap * sizeof(*grown));

        if (grown == NULL)
            return -1;
        t->icmp_errors = grown;
        t->icmp_errors_cap = cap;
        /* `link` may point into the array that just moved: find the list's end again. */
        for (link = &f->icmp_errors; *link != 0; link = &t->icmp_errors[*link - 1].next)
            ;
    }
    e = &t->icmp_errors[t->n_icmp_errors++];
    e->family = family;
    e->type = type;
    e->code = code;
    e->packets = 1;
    e->bytes = wire_len;
    e->next = 0;
    *link = (uint32_t)t->n_icmp_errors;
    return 0;
}

const struct flow_icmp_error *flow_table_icmp_error(const struct flow_table *t, uint32_t ref)
{
    return ref != 0 && ref <= t->n_icmp_errors ? &t->icmp_errors[ref - 1] : NULL;
}

size_t flow_table_count(const struct flow_table *t)
{
    return t->created;
}

size_t flow_table_count_class(const struct flow_table *t, enum flow_class c)
{
    return t->by_class[c];
}

const struct flow *flow_table_get(const struct flow_table *t, size_t i, struct flow *buf)
{
    uint64_t where = t->where[i];

    if (is_live(where))
        return flow_at(t, where >> 1);
    flow_store_get(&t->store, where >> 1, (uint32_t)i, buf);
    return buf;
}

const struct encap *flow_table_path(const struct flow_table *t, uint16_t path_id, size_t *len)
{
    if (path_id == 0 || path_id >= t->n_paths) {
        *len = 0;
        return NULL;
    }
    *len = t->paths[path_id].len;
    return t->paths[path_id].hops;
}
