/*
 * flow_lifecycle.c - when flows end: the timeouts, the timing wheel that finds flows past theirs,
 * and the queue that ended flows leave the table by.
 *
 * A flow ends when a packet on its key starts another (flow_table.c asks restart_reason()), when
 * the wheel finds it past its timeout, or at the end of the input. Keeping flows for the report,
 * an ended flow stays (and the wheel moves quiet flows to the store instead, flow_keep.c);
 * streaming, a copy of it joins the queue and its record is freed, so that memory follows the
 * live flows. The queue is the table's only way out: whoever writes flows takes them from it
 * (flow_table_ended()), and the calls that end flows report when flows wait. It holds at most
 * FLOW_QUEUE_ROOM flows between takes: a wheel turn or flow_table_end_all() that would end more
 * stops, and goes on once the flows were taken, so a burst of endings costs no more memory.
 */
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"

/*
 * The timing wheel that finds flows past their timeout without a scan: one slot per tick, each a
 * list of (record, id) to look at then. A flow sits in the slot of its deadline as it was when
 * filed; when that comes, a flow that saw packets since is filed again for its new deadline.
 * Packets pay nothing for it: only the deadline's arrival does. Streaming ticks every second,
 * which sets when flows are written; keeping ticks faster, for the wait before storing a quiet
 * flow (flow_table.store_after, which stays within the wheel's 128 s).
 */
#define WHEEL_SLOTS       1024
#define WHEEL_TICK_STREAM ((int64_t)1000000000)
#define WHEEL_TICK_KEEP   ((int64_t)125 * 1000000)
/* Flows of a slot judged together (judge_batch()). */
#define WHEEL_BATCH 16

_Static_assert(FLOW_QUEUE_ROOM >= WHEEL_BATCH, "a wheel turn ends a batch of flows at a time");
_Static_assert(KEEP_STORE_AFTER_MAX < (WHEEL_SLOTS - 2) * WHEEL_TICK_KEEP,
               "a flow waiting to be stored is within the keeping wheel's reach");

/* Streaming: copies of the flows that ended, in the order they ended, until they are taken. */
struct flow_queue {
    struct flow *flows;
    size_t head, n, cap; /* flows[head..n) wait */
};

struct wheel_item {
    uint32_t rec, id;
};

struct wheel {
    struct wheel_item *items[WHEEL_SLOTS];
    size_t n[WHEEL_SLOTS], cap[WHEEL_SLOTS];
    int64_t tick; /* nanoseconds a slot covers */
    struct flow_divider per_tick;
    int64_t done; /* the last tick taken */
    /*
     * When flow_table_advance() has work, so that no packet before pays a division: once the next
     * slot's tick has passed; at once while ended flows wait or a turn is unfinished; never before
     * the first flow is filed (set_ready()).
     */
    ps_time ready;
    bool started;

    /* A turn: the slots up to `last` taken in order, each judged a batch at a time. */
    bool turning;
    int64_t target;             /* the tick of the turn's time */
    int64_t last;               /* the last slot it takes */
    ps_time now;                /* the turn's time */
    struct wheel_item *judging; /* the slot taken, out of the wheel */
    size_t n_judging, judged, judging_cap;
    /*
     * The largest list judged lately, for the next slot that gets its first flow: a tick takes
     * one slot and about one more begins to fill, so lists are used again rather than grown from
     * 16 items by doubling each time (960 reallocations a million packets on datacentre, 5.4 M
     * instructions, the larger ones copied and fresh memory faulted in).
     */
    struct wheel_item *spare;
    size_t spare_cap;
    ps_time judging_end; /* the end of its tick, or the turn's time */

    /* flow_table_end_all(): the live flows in order of creation, and how many have ended. */
    struct wheel_item *ending;
    size_t n_ending, n_ended;
    bool all_ended;
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
    return flow_divide_floor(&w->per_tick, t);
}

static void set_tick(struct wheel *w, int64_t tick)
{
    w->tick = tick;
    flow_divider_init(&w->per_tick, tick);
}

static bool queue_waiting(const struct flow_table *t)
{
    return t->ended != NULL && t->ended->n != 0;
}

/* See wheel.ready. Slot w->done + 1 may be taken once tick w->done + 2 has begun. */
static void set_ready(struct flow_table *t)
{
    struct wheel *w = t->wheel;

    if (w->turning || queue_waiting(t))
        w->ready = INT64_MIN;
    else if (!w->started || w->done >= INT64_MAX / w->tick - 2)
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

    if (keeping(t) && f->last_seen <= INT64_MAX - t->store_after &&
        f->last_seen + t->store_after < when)
        when = f->last_seen + t->store_after;
    return when;
}

struct wheel *flow_wheel_new(void)
{
    struct wheel *w = calloc(1, sizeof(*w));

    if (w != NULL) {
        set_tick(w, WHEEL_TICK_KEEP);
        w->ready = INT64_MAX;
    }
    return w;
}

void flow_wheel_free(struct wheel *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < WHEEL_SLOTS; i++)
        free(w->items[i]);
    free(w->judging);
    free(w->spare);
    free(w->ending);
    free(w);
}

/*
 * Files `f` in the slot of `when`, its due time, or of the wheel's far end when that is further.
 * A flow that cannot be filed (out of memory) simply stays in its record. The caller gives the due
 * time: judge_batch() has it already for a flow it files again, about 1.6 times a flow on the
 * datacentre shape, and working it out twice was a fifth of each refiling's instructions.
 */
static void file_due(struct flow_table *t, const struct flow *f, uint32_t rec, ps_time now,
                     ps_time when)
{
    struct wheel *w = t->wheel;
    ps_time from = f->last_seen > now ? f->last_seen : now;
    int64_t tick;
    size_t slot;

    /*
     * Streaming, an open TCP connection is looked at again a close delay from now rather than at
     * its idle timeout: most close within seconds, and waiting 300 s for them would keep an entry
     * per connection of the last five minutes. Keeping, its due time is at most the wait before
     * storing (64 s at most), and the packet that closes it files it again (flow_table.c): looked
     * at every close delay, campus-hour's flows were filed 7.5 times each.
     */
    if (!keeping(t) && f->key.proto == PS_IPPROTO_TCP && t->lifecycle.tcp_close_delay != 0 &&
        from <= INT64_MAX - t->lifecycle.tcp_close_delay &&
        from + t->lifecycle.tcp_close_delay < when)
        when = from + t->lifecycle.tcp_close_delay;
    if (when == INT64_MAX)
        return;
    tick = tick_of(w, when);
    if (!w->started) {
        w->done = tick_of(w, f->first_seen) - 1;
        w->started = true;
        set_ready(t);
    }
    if (tick <= w->done)
        tick = w->done + 1;
    if (tick > w->done + WHEEL_SLOTS - 1)
        tick = w->done + WHEEL_SLOTS - 1;
    slot = (size_t)(tick & (WHEEL_SLOTS - 1));
    if (w->n[slot] == w->cap[slot]) {
        size_t cap = w->cap[slot] ? w->cap[slot] * 2 : 16;
        struct wheel_item *grown;

        if (w->cap[slot] == 0 && w->spare != NULL) {
            grown = w->spare;
            cap = w->spare_cap;
            w->spare = NULL;
            w->spare_cap = 0;
        } else {
            grown = realloc(w->items[slot], cap * sizeof(*grown));
            if (grown == NULL)
                return;
        }
        w->items[slot] = grown;
        w->cap[slot] = cap;
    }
    w->items[slot][w->n[slot]++] = (struct wheel_item){rec, f->id};
}

void flow_wheel_file(struct flow_table *t, const struct flow *f, uint32_t rec, ps_time now)
{
    file_due(t, f, rec, now, due(t, f));
}

int flow_table_stream(struct flow_table *t)
{
    struct flow_queue *q = calloc(1, sizeof(*q));

    if (q == NULL || (q->flows = malloc(FLOW_QUEUE_ROOM * sizeof(*q->flows))) == NULL) {
        free(q);
        return -1;
    }
    q->cap = FLOW_QUEUE_ROOM;
    t->ended = q;
    set_tick(t->wheel, WHEEL_TICK_STREAM);
    return 0;
}

void flow_queue_free(struct flow_queue *q)
{
    if (q != NULL)
        free(q->flows);
    free(q);
}

static size_t queue_room(const struct flow_queue *q)
{
    return q->cap - q->n;
}

bool flow_queue_reserve(struct flow_table *t)
{
    struct flow_queue *q = t->ended;
    struct flow *grown;

    /* Full only for a caller that adds packets without taking the flows their advance reports. */
    if (queue_room(q) > 0)
        return true;
    grown = realloc(q->flows, q->cap * 2 * sizeof(*grown));
    if (grown == NULL)
        return false;
    q->flows = grown;
    q->cap *= 2;
    return true;
}

void flow_release(struct flow_table *t, struct flow *f, uint32_t rec)
{
    struct flow_queue *q = t->ended;

    q->flows[q->n++] = *f;
    record_free(t, f, rec);
    /* The next flow_table_advance() says that flows wait, whatever the time. */
    t->wheel->ready = INT64_MIN;
}

const struct flow *flow_table_ended(struct flow_table *t)
{
    struct flow_queue *q = t->ended;
    const struct flow *f;

    if (q == NULL || q->head == q->n)
        return NULL;
    f = &q->flows[q->head++];
    /* All taken: the room is free again, the copies stay until flows end again. */
    if (q->head == q->n)
        q->head = q->n = 0;
    return f;
}

/* Which of its timeouts ended `f`: the active one when it came before the idle one. */
static uint8_t timeout_end(const struct flow_table *t, const struct flow *f)
{
    enum flow_class c = ipproto_flow_class(f->key.proto);
    ps_time active = t->lifecycle.active[c];

    if (c == FLOW_CLASS_TCP && tcp_closed(f))
        return FLOW_END_CLOSED;
    if (active != 0 && f->first_seen <= INT64_MAX - active &&
        deadline(t, f) == f->first_seen + active)
        return FLOW_END_ACTIVE;
    return FLOW_END_IDLE;
}

/* Streaming: ends a flow past its timeout (`timeout`; else the input ended), then released. */
static void expire(struct flow_table *t, struct flow *f, uint32_t rec, bool timeout)
{
    if (timeout)
        f->end = timeout_end(t, f);
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

    /*
     * Every line of the next batch's records: a record spans four or five (248 bytes, not aligned
     * to them), and the judging reads most of them (gone and id, then the times, the key and the
     * TCP state; storing reads all). Asking for the first line alone left `gone` a miss away: on
     * busy-udp three quarters of this loop's samples were on it.
     */
    for (size_t i = batch; i < n && i < 2 * WHEEL_BATCH; i++) {
        const char *next = (const char *)flow_at(t, items[i].rec);

        for (size_t off = 0; off < sizeof(struct flow) + 63; off += 64)
            __builtin_prefetch(next + off);
    }
    for (size_t i = 0; i < batch; i++) {
        const struct flow *f = flow_at(t, items[i].rec);
        ps_time when;

        /* Ended or stored already, the record maybe holding another flow now: nothing to do. */
        leaving[i] = false;
        if (f->gone || f->id != items[i].id)
            continue;
        when = due(t, f);
        if (when >= end) {
            file_due(t, f, items[i].rec, end, when);
            continue;
        }
        leaving[i] = true;
        hash[i] = hash_key(t, &f->key);
        prefetch_set(&t->live, hash[i], true);
        if (keeping(t)) {
            prefetch_set(&t->stored, hash[i], true);
            /* Where the flow is, written once it is stored: 8 bytes a flow ever made, a miss. */
            __builtin_prefetch(&t->where[f->id], 1);
        }
    }
    for (size_t i = 0; i < batch; i++) {
        struct flow *f = flow_at(t, items[i].rec);

        /* A flow filed twice (again when its connection closed) may come twice in one batch. */
        if (!leaving[i] || f->gone)
            continue;
        if (keeping(t))
            keep_store_flow(t, f, items[i].rec, hash[i]);
        else
            expire(t, f, items[i].rec, true);
    }
}

/* Takes the next slot out of the wheel, to be judged at the end of its tick. */
static void take_slot(struct wheel *w)
{
    size_t slot = (size_t)((w->done + 1) & (WHEEL_SLOTS - 1));

    w->judging = w->items[slot];
    w->n_judging = w->n[slot];
    w->judging_cap = w->cap[slot];
    w->judged = 0;
    w->items[slot] = NULL;
    w->n[slot] = w->cap[slot] = 0;
    w->done++;
    /* Judged at the end of the slot's tick, so that a long gap ends flows in their order. */
    w->judging_end = w->now;
    if (w->done + 1 < INT64_MAX / w->tick && (w->done + 1) * w->tick < w->now)
        w->judging_end = (w->done + 1) * w->tick;
}

/*
 * A turn of the wheel to time `now`: a slot is taken once its whole tick has passed; a long gap
 * takes each slot once.
 */
static void turn_begin(struct wheel *w, ps_time now)
{
    w->turning = true;
    w->now = now;
    w->target = tick_of(w, now);
    w->last = w->target - 1 < w->done + WHEEL_SLOTS ? w->target - 1 : w->done + WHEEL_SLOTS;
}

/* Goes on with the turn until it is over, or until the queue has no room for another batch. */
static void turn(struct flow_table *t)
{
    struct wheel *w = t->wheel;

    for (;;) {
        while (w->judged < w->n_judging) {
            if (!keeping(t) && queue_room(t->ended) < WHEEL_BATCH)
                return;
            judge_batch(t, w->judging + w->judged, w->n_judging - w->judged, w->judging_end);
            w->judged += WHEEL_BATCH;
        }
        if (w->judging_cap > w->spare_cap) {
            free(w->spare);
            w->spare = w->judging;
            w->spare_cap = w->judging_cap;
        } else {
            free(w->judging);
        }
        w->judging = NULL;
        w->n_judging = w->judged = w->judging_cap = 0;
        if (w->done >= w->last)
            break;
        take_slot(w);
    }
    if (w->done < w->target - 1)
        w->done = w->target - 1;
    w->turning = false;
}

/* The work of flow_table_advance(), once the wheel has some. */
static __attribute__((noinline)) bool advance(struct flow_table *t, ps_time now)
{
    struct wheel *w = t->wheel;

    if (w->started) {
        if (!w->turning)
            turn_begin(w, now);
        turn(t);
    }
    set_ready(t);
    return queue_waiting(t);
}

/*
 * Called for every packet, and nearly always with nothing to do: the turn is out of line, so that
 * the test costs no saving and restoring of the registers a turn uses (16 instructions a packet).
 */
bool flow_table_advance(struct flow_table *t, ps_time now)
{
    const struct wheel *w = t->wheel;

    if (w == NULL || now < w->ready)
        return false;
    return advance(t, now);
}

static int compare_ids(const void *a, const void *b)
{
    uint32_t x = ((const struct wheel_item *)a)->id, y = ((const struct wheel_item *)b)->id;

    return x < y ? -1 : x > y;
}

/* Lists the flows still live, in order of creation, to end; false when out of memory. */
static bool list_live(struct flow_table *t)
{
    struct wheel *w = t->wheel;
    size_t n = 0;

    w->ending = malloc((t->count ? t->count : 1) * sizeof(*w->ending));
    if (w->ending == NULL)
        return false;
    for (size_t i = 0; i < t->count; i++)
        if (!flow_at(t, i)->gone)
            w->ending[n++] = (struct wheel_item){(uint32_t)i, flow_at(t, i)->id};
    qsort(w->ending, n, sizeof(*w->ending), compare_ids);
    w->n_ending = n;
    w->n_ended = 0;
    return true;
}

int flow_table_end_all(struct flow_table *t)
{
    struct wheel *w = t->wheel;

    if (keeping(t))
        return 0;
    if (!w->all_ended) {
        if (w->ending == NULL && !list_live(t))
            return -1;
        for (; w->n_ended < w->n_ending; w->n_ended++) {
            const struct wheel_item *e = &w->ending[w->n_ended];

            if (queue_room(t->ended) == 0)
                return 1;
            expire(t, flow_at(t, e->rec), e->rec, false);
        }
        free(w->ending);
        w->ending = NULL;
        w->all_ended = true;
    }
    return queue_waiting(t) ? 1 : 0;
}
