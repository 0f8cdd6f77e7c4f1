/*
 * flow_table.c - flows in creation order, in records that packets are added to.
 *
 * A flow lives in a fixed-size record while packets come. Records sit in chunks that never move,
 * so growing the table copies no flow and pointers to records stay valid while their flow lives.
 * A packet finds its flow's record through the live index (flow_index.c). A packet that its key's
 * flow cannot take (that flow idle or active past its timeout, or a new connection:
 * restart_reason()) ends that flow and starts the next one on the key; the flow that ended stays
 * for the report, or leaves by the queue when streaming (flow_lifecycle.c).
 */
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"

#define PATHS_MAX UINT16_MAX

struct path {
    struct encap hops[PS_ENCAP_MAX];
    uint8_t len;
};

struct flow_table *flow_table_new(size_t max_flows, uint64_t seed,
                                  const struct flow_lifecycle *lifecycle)
{
    struct flow_table *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    if (lifecycle != NULL)
        t->lifecycle = *lifecycle;
    t->max_flows = max_flows != 0 && max_flows < UINT32_MAX ? max_flows : UINT32_MAX - 1;
    flow_hash_seed(t->secret, sizeof(t->secret) / sizeof(t->secret[0]), seed);
    t->paths_cap = 16;
    t->paths = calloc(t->paths_cap, sizeof(*t->paths));
    t->n_paths = 1;
    flow_store_init(&t->store);
    /* Streaming ends flows by the wheel; keeping stores quiet flows by it. */
    t->wheel = flow_wheel_new();
    t->store_after = KEEP_STORE_AFTER_MIN;
    if (t->paths == NULL || t->wheel == NULL || !flow_set_init(&t->live, false) ||
        !flow_set_init(&t->stored, true)) {
        flow_table_free(t);
        return NULL;
    }
    return t;
}

void flow_table_free(struct flow_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_chunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    flow_set_free(&t->live);
    flow_set_free(&t->stored);
    free(t->paths);
    free(t->icmp_errors);
    flow_names_free(t->names);
    flow_wheel_free(t->wheel);
    flow_queue_free(t->ended);
    free(t->where);
    flow_store_free(&t->store);
    free(t);
}

/* Records freed are taken first, newest first, so that the live ones stay few and cached. */
struct flow *flow_record_new(struct flow_table *t, uint32_t *rec)
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
    f = flow_record_new(t, rec);
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
    if (keeping(t)) {
        t->where[f->id] = (uint64_t)*rec << 1 | 1;
        t->window_flows++;
        if (++t->window_events == KEEP_WINDOW)
            flow_keep_adapt(t);
    }
    return f;
}

/* b - a for file timestamps, which may be anything: never a signed overflow. */
static uint64_t elapsed(ps_time a, ps_time b)
{
    return b > a ? (uint64_t)b - (uint64_t)a : 0;
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
        if (stored != NULL && (slot = flow_keep_bring_back_found(t, stored, hash, key)) == NULL)
            return NULL;
    }
    if (slot != NULL) {
        rec = (uint32_t)*slot - 1;
        f = flow_at(t, rec);
        /* Live or brought back, the pause counts towards the wait before storing. */
        if (keeping(t) && elapsed(f->last_seen, fp->ts) > (uint64_t)KEEP_STORE_AFTER_MIN)
            flow_keep_note_pause(t, elapsed(f->last_seen, fp->ts));
        start = restart_reason(t, f, pkt, sender, fp->ts);
        if (start != FLOW_START_FIRST) {
            /* Streaming, the flow it ends leaves by the queue: room first, or nothing changes. */
            if (!keeping(t) && !flow_queue_reserve(t))
                return NULL;
            prev = f;
            prev_rec = (uint32_t)*slot - 1;
            f = NULL;
        }
    }
    if (f == NULL) {
        /* Growing the index may move slots: make room before taking the slot's address. */
        if (slot == NULL && !flow_set_reserve(t, &t->live))
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
            /*
             * An active timeout ends a flow without a SYN or a silence, so the reader's slot
             * (analyze.c) goes on counting that direction's looks into first payloads rather
             * than starting again: the next flow takes the looks and what they showed. Started
             * afresh, it would be looked into or not as the reader's slot happened to be shared
             * (its index comes from a seeded hash), and its protocol would change from run to run.
             */
            if (start == FLOW_START_ACTIVE) {
                f->app = prev->app;
                f->app_state = prev->app_state;
                f->app_name = prev->app_name;
            }
            /* The key now leads to the new flow; the old one stays in the report. */
            prev->ended = true;
            prev->end = flow_end_of(prev, start);
            f->prev = prev->id + 1;
            *slot = (*slot & 0xffffffff00000000ULL) | (slot_t)(rec + 1);
            if (!keeping(t))
                flow_release(t, prev, prev_rec);
        } else {
            flow_set_put(&t->live, hash, rec);
        }
        if (t->wheel != NULL)
            flow_wheel_file(t, f, rec, fp->ts);
    }
    flow_table_account(t, f, sender, fp, pkt);
    if (pkt->hint == PKT_HINT_OPEN)
        f->role_seen |= FLOW_OPEN_FROM(sender);
    else if (pkt->hint == PKT_HINT_ACCEPT)
        f->role_seen |= FLOW_ACCEPT_FROM(sender);
    if (pkt->proto == PS_IPPROTO_TCP) {
        /*
         * Keeping, an open connection is filed for the wait before storing, not every close delay
         * (flow_wheel_file()): when that wait is the longer, the packet that closes it files it
         * again, for its close delay. (A shorter wait finds it soon enough as it is.)
         */
        bool watch = keeping(t) && t->store_after > t->lifecycle.tcp_close_delay &&
                     t->lifecycle.tcp_close_delay != 0 && t->wheel != NULL && !tcp_closed(f);

        flow_tcp_update(f, sender, pkt, fp->ts);
        if (watch && tcp_closed(f))
            flow_wheel_file(t, f, rec, fp->ts);
    }
    return f;
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
        /* Set once per endpoint: after its first packet a branch that is never taken. */
        if (__builtin_expect(f->ttl[sender] == 0, 0))
            f->ttl[sender] = pkt->ttl;
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

struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *key)
{
    uint64_t hash = hash_key(t, key);
    slot_t *slot = set_find(t, &t->live, hash, key);

    if (slot != NULL)
        return flow_at(t, (uint32_t)*slot - 1);
    if (keeping(t) && (slot = set_find(t, &t->stored, hash, key)) != NULL)
        return flow_keep_bring_back(t, (uint32_t)*slot - 1);
    return NULL;
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

const struct encap *flow_table_path(const struct flow_table *t, uint16_t path_id, size_t *len)
{
    if (path_id == 0 || path_id >= t->n_paths) {
        *len = 0;
        return NULL;
    }
    *len = t->paths[path_id].len;
    return t->paths[path_id].hops;
}
