/*
 * flow_keep.c - keeping every flow for the report (no streaming): quiet flows to the compact
 * store and back, and the table sealed after the last packet.
 *
 * A flow that has been quiet for a while goes into the compact store (flow_store.h; the timing
 * wheel finds it, flow_lifecycle.c, and keep_store_flow() moves it) and its record is reused: the
 * live records and their index stay small enough to stay in the cache, and memory per flow is
 * what its compact copy takes. A second index finds stored flows by key, for the rare packet that
 * comes back to one (a late retransmission, a key used again): the flow is brought back to a
 * record exactly as it was, so when a flow is stored changes nothing in what is counted.
 */
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"

/* The store is compacted when the records of flows brought back pass this and half of it. */
#define STORE_COMPACT_MIN ((uint64_t)1 << 20)

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

/*
 * One count, for the longest wait the pause outlasts: k with MIN << k < pause <= MIN << (k + 1),
 * the top bit of (pause - 1) / MIN. Counted for each wait it outlasts, a pause cost a loop of up to
 * KEEP_STEPS steps (39 M instructions a million packets on campus-hour, 818,000 long pauses).
 */
void flow_keep_note_pause(struct flow_table *t, uint64_t pause)
{
    uint64_t q = (pause - 1) / (uint64_t)KEEP_STORE_AFTER_MIN; /* >= 1: pause > MIN */
    unsigned k = 63 - (unsigned)__builtin_clzll(q);

    t->pauses_longest[k < KEEP_STEPS - 1 ? k : KEEP_STEPS - 1]++;
    if (++t->window_events == KEEP_WINDOW)
        flow_keep_adapt(t);
}

/* The pauses counted do not depend on the wait (a flow's packets come when they come, stored or
 * not), so the choice is made from them directly, and is not fed back into them. */
void flow_keep_adapt(struct flow_table *t)
{
    uint64_t flows = t->window_flows, over[KEEP_STEPS], sum = 0;
    size_t now = 0, up = 0, down = 0;

    /* The pauses longer than each wait: those whose longest outlasted wait is it or longer. */
    for (size_t k = KEEP_STEPS; k-- > 0;) {
        sum += t->pauses_longest[k];
        over[k] = sum;
    }
    while (now < KEEP_STEPS - 1 && KEEP_STORE_AFTER_MIN << now < t->store_after)
        now++;
    while (up < KEEP_STEPS - 1 && over[up] * KEEP_COMEBACK_HIGH > flows)
        up++;
    while (down < KEEP_STEPS - 1 && over[down] * KEEP_COMEBACK_LOW > flows)
        down++;
    if (up > now)
        t->store_after = KEEP_STORE_AFTER_MIN << up;
    else if (down < now)
        t->store_after = KEEP_STORE_AFTER_MIN << down;
    t->window_flows = t->window_events = 0;
    memset(t->pauses_longest, 0, sizeof(t->pauses_longest));
}

/* A record for stored flow `id`, exactly as it was: the store gives back every field. */
static struct flow *take_back(struct flow_table *t, uint32_t id, uint32_t *rec, size_t *len)
{
    struct flow *f;

    if (!flow_set_reserve(t, &t->live))
        return NULL;
    f = flow_record_new(t, rec);
    if (f == NULL)
        return NULL;
    *len = flow_store_get(&t->store, t->where[id] >> 1, id, f);
    return f;
}

/* The brought-back flow in its record from now on, filed on the wheel again. */
static void settle_back(struct flow_table *t, struct flow *f, uint32_t rec, size_t len)
{
    flow_store_drop(&t->store, len);
    t->where[f->id] = (uint64_t)rec << 1 | 1;
    flow_wheel_file(t, f, rec, f->last_seen);
    compact_store(t);
}

struct flow *flow_keep_bring_back(struct flow_table *t, uint32_t id)
{
    uint64_t hash;
    uint32_t rec;
    size_t len;
    struct flow *f = take_back(t, id, &rec, &len);

    if (f == NULL)
        return NULL;
    hash = hash_key(t, &f->key);
    if (flow_set_remove(t, &t->stored, hash, &f->key, id))
        flow_set_put(&t->live, hash, rec);
    settle_back(t, f, rec, len);
    return f;
}

/*
 * A packet's lookup has the key, its hash and its entry in the stored flows' index already: the
 * entry is removed where it is, without a second lookup (which decoded the stored key once more),
 * and the new live entry is the packet's, without a third.
 */
slot_t *flow_keep_bring_back_found(struct flow_table *t, slot_t *stored, uint64_t hash,
                                   const struct flow_key *key)
{
    uint32_t id = (uint32_t)*stored - 1, rec;
    size_t len;
    struct flow *f = take_back(t, id, &rec, &len);
    slot_t *live;

    if (f == NULL)
        return NULL;
    if (!flow_set_remove_at(t, &t->stored, stored))
        flow_set_remove(t, &t->stored, hash, key, id);
    live = flow_set_put(&t->live, hash, rec);
    settle_back(t, f, rec, len);
    return live;
}

struct flow *flow_table_resume(struct flow_table *t, uint32_t id)
{
    if (!keeping(t) || id >= t->created || t->where == NULL)
        return NULL;
    if (is_live(t->where[id]))
        return flow_at(t, t->where[id] >> 1);
    return flow_keep_bring_back(t, id);
}

/*
 * The sealed store without the copies of flows that were brought back, once they are more than
 * 1 in SEAL_COMPACT_SHARE of its bytes (27 MB of 144 on the campus-hour shape, whose report
 * phase would hold them to the end). Rewritten in order of id, which is the order the report
 * reads, and each old chunk freed as soon as its last record has moved, so that the old store and
 * the new are not held whole together: what is ahead is the flows stored out of their order, about
 * those live at once. The new store's room is taken first (untouched, it costs no memory yet), so
 * that running out of memory leaves the old one as it was.
 */
#define SEAL_COMPACT_SHARE 16

static void compact_sealed(struct flow_table *t)
{
    struct flow_store fresh;
    size_t n = flow_store_chunks(&t->store);
    uint32_t *left;

    if (t->store.dropped * SEAL_COMPACT_SHARE < t->store.bytes || n == 0)
        return;
    left = calloc(n, sizeof(*left));
    if (left == NULL)
        return;
    flow_store_init_like(&fresh, &t->store);
    if (!flow_store_reserve(&fresh, t->store.bytes - t->store.dropped)) {
        flow_store_free(&fresh);
        free(left);
        return;
    }
    for (size_t id = 0; id < t->created; id++)
        if (!is_live(t->where[id]))
            left[flow_store_chunk_of(t->where[id] >> 1)]++;
    for (size_t c = 0; c < n; c++)
        if (left[c] == 0)
            flow_store_release(&t->store, c);
    for (size_t id = 0; id < t->created; id++) {
        uint64_t loc = t->where[id] >> 1;
        size_t c = flow_store_chunk_of(loc);

        if (is_live(t->where[id]))
            continue;
        t->where[id] = flow_store_move(&fresh, &t->store, loc) << 1;
        if (--left[c] == 0)
            flow_store_release(&t->store, c);
    }
    flow_store_free(&t->store);
    t->store = fresh;
    free(left);
}

/*
 * After the last packet. Kept flows all go to the store, where the report reads them; the
 * records, the indexes and the wheel, which only packets need, are freed for the report's use.
 * Each chunk of records is freed as soon as its flows are in the store, not once all are: the
 * records and the copies of the same flows are never held together (35 MB above the packet
 * phase's peak once, when 867,000 flows were live at the end of the datacentre shape). A chunk with
 * a flow the store had no memory for stays, and that flow is read from its record.
 */
void flow_table_seal(struct flow_table *t)
{
    bool all_stored = true;

    if (keeping(t)) {
        for (size_t c = 0; c < t->n_chunks; c++) {
            size_t end = (c + 1) * CHUNK_SIZE < t->count ? (c + 1) * CHUNK_SIZE : t->count;
            bool chunk_stored = true;

            for (size_t rec = c * CHUNK_SIZE; rec < end; rec++) {
                struct flow *f = flow_at(t, rec);
                uint64_t loc;

                if (f->gone)
                    continue;
                loc = flow_store_put(&t->store, f);
                if (loc == FLOW_STORE_NONE)
                    chunk_stored = false;
                else
                    t->where[f->id] = loc << 1;
            }
            if (chunk_stored) {
                free(t->chunks[c]);
                t->chunks[c] = NULL;
            } else {
                all_stored = false;
            }
        }
        if (all_stored) {
            free(t->chunks);
            t->chunks = NULL;
            t->n_chunks = t->chunks_cap = t->count = 0;
            t->free_rec = 0;
        }
    }
    flow_set_free(&t->live);
    flow_set_free(&t->stored);
    flow_wheel_free(t->wheel);
    t->wheel = NULL;
    if (keeping(t))
        compact_sealed(t);
}

uint8_t flow_table_roles(const struct flow_table *t, size_t i, struct flow_key *key)
{
    uint64_t where = t->where[i];
    const struct flow *f;

    if (!is_live(where))
        return flow_store_roles(&t->store, where >> 1, key);
    f = flow_at(t, where >> 1);
    *key = f->key;
    return f->role_seen;
}

void flow_table_prefetch_kept(const struct flow_table *t, size_t i)
{
    uint64_t where;

    /* Streaming keeps no flows, nor their places. */
    if (t->where == NULL || i >= t->created)
        return;
    where = t->where[i];
    if (is_live(where))
        __builtin_prefetch(flow_at(t, where >> 1));
    else
        flow_store_prefetch(&t->store, where >> 1);
}

const struct flow *flow_table_get(const struct flow_table *t, size_t i, struct flow *buf)
{
    uint64_t where = t->where[i];

    if (is_live(where))
        return flow_at(t, where >> 1);
    flow_store_get(&t->store, where >> 1, (uint32_t)i, buf);
    return buf;
}
