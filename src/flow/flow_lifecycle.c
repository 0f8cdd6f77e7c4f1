/*
 * flow_lifecycle.c - when flows end: the timeouts, and the timing wheel that finds flows past
 * theirs.
 *
 * A flow ends when a packet on its key starts another (flow_table.c asks restart_reason()), when
 * the wheel finds it past its timeout, or at the end of the input. Keeping flows for the report,
 * an ended flow stays (and the wheel moves quiet flows to the store instead, flow_keep.c);
 * streaming, it is handed to the callback and its record freed, so that memory follows the live
 * flows.
 */
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"

/*
 * Without streaming, a flow with no packet for this long goes to the store. A flow that speaks
 * again is brought back, so this is a matter of cost, not of results: short enough that the live
 * records stay few enough to stay in the cache, long enough that a pause in a conversation rarely
 * costs a round trip to the store.
 */
#define STORE_AFTER ((ps_time)250 * 1000000)

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

struct wheel *flow_wheel_new(void)
{
    struct wheel *w = calloc(1, sizeof(*w));

    if (w != NULL)
        w->tick = WHEEL_TICK_KEEP;
    return w;
}

void flow_wheel_free(struct wheel *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < WHEEL_SLOTS; i++)
        free(w->items[i]);
    free(w);
}

/*
 * Files `f` in the slot of its due time, or of the wheel's far end when that is further. A flow
 * that cannot be filed (out of memory) simply stays in its record.
 */
void flow_wheel_file(struct flow_table *t, const struct flow *f, uint32_t rec, ps_time now)
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

int flow_table_stream(struct flow_table *t, flow_end_fn fn, void *ctx)
{
    t->wheel->tick = WHEEL_TICK_STREAM;
    t->on_end = fn;
    t->on_end_ctx = ctx;
    return 0;
}

void flow_release(struct flow_table *t, struct flow *f, uint32_t rec)
{
    t->on_end(t->on_end_ctx, f);
    record_free(t, f, rec);
}

/* Streaming: ends a flow past its timeout, out of the index, then released. */
static void expire(struct flow_table *t, struct flow *f, uint32_t rec)
{
    flow_set_remove(t, &t->live, hash_key(t, &f->key), &f->key, rec);
    flow_release(t, f, rec);
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
            flow_wheel_file(t, f, items[i].rec, end);
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
            keep_store_flow(t, f, items[i].rec, hash[i]);
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
