/*
 * flow_int.h - what the flow table's files share: the table, its indexes, and the few small
 * functions the packet path needs inlined wherever they are used.
 *
 * The table is split by concern, each part in a file of its own:
 *   flow_table.c      the table and its records, paths and ICMP errors; adding packets;
 *   flow_index.c      keys, their hash, and the indexes that find a key's flow;
 *   flow_lifecycle.c  when flows end: timeouts, the timing wheel, the queue ended flows leave by;
 *   flow_keep.c       keeping every flow: quiet ones to the compact store and back, the seal;
 *   flow_store.c      the compact store itself; flow_tcp.c, a connection's TCP state;
 *   flow_app.c        what the first payload bytes showed, and the TLS server names.
 */
#ifndef PS_FLOW_INT_H
#define PS_FLOW_INT_H

#include "flow.h"
#include "flow_store.h"

/* Records sit in chunks of CHUNK_SIZE, which never move: a record's address stays valid. */
#define CHUNK_BITS 16
#define CHUNK_SIZE ((size_t)1 << CHUNK_BITS)

/*
 * An index slot: high 32 bits of the hash (to skip most key compares), low 32 bits flow number + 1.
 * A key's home slot is taken from those same high bits (home_of_hash()), so that moving a slot to
 * a larger index or back after a deletion needs no look at the flow, which is a cache miss away.
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

/*
 * The bounds of flow_table.store_after. A flow that speaks again after it was stored is brought
 * back, so the wait is a matter of cost, not of results: short, the live records stay few and
 * their memory small; long, a conversation whose packets come seconds apart (a long capture, a
 * busy link with many at once) is not stored and brought back at every packet. Each pause longer
 * than the wait is one flow stored and brought back, so the wait is chosen from the pauses
 * themselves, counted whether the flow was in a record or in the store: the shortest wait that
 * fewer than 1 in KEEP_COMEBACK_HIGH of the flows made would outlast (it is raised at once); it
 * is lowered only to a wait that fewer than 1 in KEEP_COMEBACK_LOW would, so that it does not
 * swing between two. Chosen every KEEP_WINDOW flows made or long pauses. The longest is within
 * the keeping wheel's reach (flow_lifecycle.c).
 * Not from the comebacks per store, which lag the wait they follow from: after a raise, a burst
 * of stores without comebacks lowered it, comebacks raised it again, and each swing left the flows
 * filed under the longer wait in their records (bench/README.md).
 */
#define KEEP_STORE_AFTER_MIN ((ps_time)250 * 1000000)
#define KEEP_STEPS           9 /* waits MIN << 0 .. MIN << 8 */
#define KEEP_STORE_AFTER_MAX (KEEP_STORE_AFTER_MIN << (KEEP_STEPS - 1))
#define KEEP_WINDOW          4096
#define KEEP_COMEBACK_HIGH   8
#define KEEP_COMEBACK_LOW    32

struct path;       /* an encapsulation path (flow_table.c) */
struct flow_names; /* the TLS server names (flow_app.c) */
struct wheel;      /* the timing wheel (flow_lifecycle.c) */
struct flow_queue; /* streaming: the flows that ended (flow_lifecycle.c) */

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

    struct flow_names *names; /* NULL until the first name */

    uint32_t created;         /* flows ever created: the next flow's id */
    uint32_t free_rec;        /* a freed record + 1, chained through flow.prev; 0 = none */
    struct flow_queue *ended; /* streaming: where ended flows go; NULL when flows are kept */
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

    /*
     * Keeping: how long a flow is quiet before it goes to the store, adapted to the traffic
     * (flow_keep_adapt()) from what was seen since it was last chosen: the flows made, and the
     * pauses between a flow's packets longer than KEEP_STORE_AFTER_MIN, by the longest wait each
     * outlasts (KEEP_STORE_AFTER_MIN << k; one count a pause, summed up at the choice).
     */
    ps_time store_after;
    uint32_t window_flows, window_events;
    uint32_t pauses_longest[KEEP_STEPS];
};

static inline struct flow *flow_at(const struct flow_table *t, size_t i)
{
    return &t->chunks[i >> CHUNK_BITS][i & (CHUNK_SIZE - 1)];
}

/* Whether flows are kept to the end (the report's), rather than streamed as they end. */
static inline bool keeping(const struct flow_table *t)
{
    return t->ended == NULL;
}

/* Where kept flow `id` is (flow_table.where): in a record, or in the store. */
static inline bool is_live(uint64_t where)
{
    return (where & 1) != 0;
}

/* The record may hold another flow from now on. */
static inline void record_free(struct flow_table *t, struct flow *f, uint32_t rec)
{
    f->gone = true;
    f->prev = t->free_rec;
    t->free_rec = rec + 1;
}

/* flow_app.c: frees the server names (NULL: none). */
void flow_names_free(struct flow_names *names);

/* flow_table.c: a record, a freed one or a new one. NULL when memory ran out. */
struct flow *flow_record_new(struct flow_table *t, uint32_t *rec);

/* flow_index.c: the key's hash under secrets `s` (the table's, or a copy of them). */
uint64_t flow_hash_with(const uint64_t *s, const struct flow_key *key);
/* flow_index.c: the table's secrets, from its seed. */
void flow_hash_seed(uint64_t *secret, size_t n, uint64_t seed);

static inline uint64_t hash_key(const struct flow_table *t, const struct flow_key *key)
{
    return flow_hash_with(t->secret, key);
}

/*
 * The home slot of a hash: from its high 32 bits, which the slot keeps. An index of more than 2^32
 * slots needs more bits than that: they come from the flow's key, hashed again.
 */
static inline size_t home_of_hash(const struct flow_index *ix, uint64_t hash)
{
    return (size_t)(hash >> 32 | hash << 32) & ix->mask;
}

/* The top seven bits of a hash (of a slot's tag), which the home slot does not use below 2^25. */
static inline uint8_t mark_of(uint64_t hash)
{
    return (uint8_t)(0x80 | hash >> 57);
}

/*
 * flow_index.c: an empty set, of stored flows' ids (`stored`) or of records; false when out of
 * memory.
 */
bool flow_set_init(struct index_set *set, bool stored);
/* flow_index.c: the slot of `ix` that holds `key`, or NULL. */
slot_t *flow_index_find(const struct flow_table *t, const struct index_set *set,
                        const struct flow_index *ix, uint64_t hash, const struct flow_key *key);
/* flow_index.c: frees both indexes of a set. */
void flow_set_free(struct index_set *set);
/*
 * flow_index.c: makes room for one more entry, a step of a running migration with it; false when
 * out of memory.
 */
bool flow_set_reserve(const struct flow_table *t, struct index_set *set);
/*
 * flow_index.c: adds an entry for a key known to be absent, after flow_set_reserve(); returns its
 * slot, valid until the set next changes.
 */
slot_t *flow_set_put(struct index_set *set, uint64_t hash, uint32_t ref);
/* flow_index.c: removes the entry of `key` when it names `ref`; returns whether it did. */
bool flow_set_remove(const struct flow_table *t, struct index_set *set, uint64_t hash,
                     const struct flow_key *key, uint32_t ref);

/*
 * flow_index.c: removes the entry at `slot` (set_find()'s, the set unchanged since) when it is in
 * the index being filled; false, and nothing done, when it is in the one being migrated from.
 */
bool flow_set_remove_at(const struct flow_table *t, struct index_set *set, slot_t *slot);

/* Looks in the index, then in the one being migrated from. */
static inline slot_t *set_find(const struct flow_table *t, const struct index_set *set,
                               uint64_t hash, const struct flow_key *key)
{
    slot_t *slot = flow_index_find(t, set, &set->cur, hash, key);

    if (slot == NULL && set->old.slots != NULL)
        slot = flow_index_find(t, set, &set->old, hash, key);
    return slot;
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

/* A TCP connection closed: FIN both ways, or a RST. */
static inline bool tcp_closed(const struct flow *f)
{
    return (f->tcp.state[0] == TCP_CLOSED && f->tcp.state[1] == TCP_CLOSED) ||
           f->tcp.state[0] == TCP_RESET || f->tcp.state[1] == TCP_RESET;
}

/* Why `f` ended when a packet started the next flow on its key for reason `next`. */
static inline uint8_t flow_end_of(const struct flow *f, enum flow_start next)
{
    if (next == FLOW_START_ACTIVE)
        return FLOW_END_ACTIVE;
    if (next == FLOW_START_IDLE && !(f->key.proto == PS_IPPROTO_TCP && tcp_closed(f)))
        return FLOW_END_IDLE;
    return FLOW_END_CLOSED;
}

/*
 * Floor division by a fixed divisor without a division instruction: the timing wheel turns every
 * time it files a flow (about 650,000 times a million packets on the datacentre shape) into a
 * tick. A multiply by mul = ceil(2^(63 + L) / d), L = ceil(log2 d), then a shift: exact for every
 * n < 2^63, because mul * d exceeds 2^(63 + L) by less than d, so n's error adds less than
 * 2^-L <= 1/d to n / d, whose fraction is at most (d - 1) / d. A negative t is the complement of
 * the non-negative ~t, and floor(t / d) = ~floor(~t / d).
 */
struct flow_divider {
    uint64_t mul;
    unsigned shift; /* L - 1, applied to the product's high word */
};

/* For divisor d >= 2 (the wheel's ticks are 10^8 ns and more). */
static inline void flow_divider_init(struct flow_divider *dv, int64_t d)
{
    __extension__ typedef unsigned __int128 u128;
    unsigned l = 1;

    while (l < 63 && ((uint64_t)1 << l) < (uint64_t)d)
        l++;
    dv->mul = (uint64_t)((((u128)1 << (63 + l)) + (uint64_t)d - 1) / (uint64_t)d);
    dv->shift = l - 1;
}

/* floor(t / d): t / d - (t % d < 0), the same for every t. */
static inline int64_t flow_divide_floor(const struct flow_divider *dv, int64_t t)
{
    __extension__ typedef unsigned __int128 u128;
    int64_t sign = -(int64_t)(t < 0);
    uint64_t n = (uint64_t)(t ^ sign);

    return (int64_t)((uint64_t)(((u128)n * dv->mul) >> 64) >> dv->shift) ^ sign;
}

/* flow_lifecycle.c: the timing wheel, ticking for keeping until flow_table_stream(). */
struct wheel *flow_wheel_new(void);
void flow_wheel_free(struct wheel *w);
void flow_queue_free(struct flow_queue *q);
/*
 * flow_lifecycle.c: files flow `f`, in record `rec`, to be looked at again when its timeout may
 * have passed (keeping: or when it may go to the store). `now`: the time it was last looked at.
 */
void flow_wheel_file(struct flow_table *t, const struct flow *f, uint32_t rec, ps_time now);
/* flow_lifecycle.c: streaming, room in the queue for one more flow; false when out of memory. */
bool flow_queue_reserve(struct flow_table *t);
/*
 * flow_lifecycle.c: streaming, ends flow `f`, in record `rec`, once the queue has room: a copy
 * joins the queue, and the record is freed.
 */
void flow_release(struct flow_table *t, struct flow *f, uint32_t rec);

/* flow_keep.c: after KEEP_WINDOW flows made or long pauses, the wait before storing a quiet flow,
 * chosen again. */
void flow_keep_adapt(struct flow_table *t);

/* flow_keep.c: counts a pause longer than KEEP_STORE_AFTER_MIN between a kept flow's packets. */
void flow_keep_note_pause(struct flow_table *t, uint64_t pause);

/* flow_keep.c: brings stored flow `id` back to a record; NULL when out of memory. */
struct flow *flow_keep_bring_back(struct flow_table *t, uint32_t id);

/*
 * flow_keep.c: brings back the stored flow whose entry set_find() gave (`stored`) for `key`, whose
 * hash is `hash`; returns its entry in the live index, or NULL when out of memory.
 */
slot_t *flow_keep_bring_back_found(struct flow_table *t, slot_t *stored, uint64_t hash,
                                   const struct flow_key *key);

/*
 * Keeping: moves a quiet flow from its record to the store, its index entry along with it.
 * Here, not in flow_keep.c: a wheel tick stores thousands at once, each inlined in the loop.
 */
static inline void keep_store_flow(struct flow_table *t, struct flow *f, uint32_t rec,
                                   uint64_t hash)
{
    uint64_t loc;

    if (!flow_set_reserve(t, &t->stored))
        return;
    loc = flow_store_put(&t->store, f);
    if (loc == FLOW_STORE_NONE)
        return;
    /* A flow that a later one took over from is in no index: it is only found by its id. */
    if (flow_set_remove(t, &t->live, hash, &f->key, rec))
        flow_set_put(&t->stored, hash, f->id);
    t->where[f->id] = loc << 1;
    record_free(t, f, rec);
}

#endif
