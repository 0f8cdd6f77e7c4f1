/*
 * flow_store.c - the compact form of a finished flow.
 *
 * A record is the flow's key as it is (the addresses at their family's length), then its fields
 * as LEB128 varints: most counters of a short connection fit a byte or two, times are written as
 * distances (from the store's first flow, from the flow's own start), and fields that are zero
 * for most flows (the predecessor, ICMP errors, the tunnel path, retransmissions) only take a
 * bit in the flags when absent. A short IPv4 TCP connection takes about 70 bytes, a DNS exchange
 * about 40, where the live record takes 240.
 */
#include <stdlib.h>
#include <string.h>

#include "flow_store.h"

#define CHUNK_BITS 22
#define CHUNK_SIZE ((size_t)1 << CHUNK_BITS)
/* The most a record can take: a chunk with less room left is closed. */
#define RECORD_MAX 320

/*
 * Bits of a record's flags word, a varint: what most flows have in the first byte. The flow's
 * start is not FLOW_START_FIRST only for a flow that followed another on its key: last.
 */
#define F_FIRST_SENDER  0x1u
#define F_ROLE_SHIFT    1         /* 4 bits of role_seen */
#define F_MICRO         (1u << 5) /* the times are written in microseconds (time_unit()) */
#define F_QUALITY_SHIFT 8         /* 4 bits of quality */
#define F_ENDED         (1u << 12)
#define F_PREV          (1u << 13)
#define F_ICMP          (1u << 14)
#define F_PATH          (1u << 15)
#define F_RETRANS       (1u << 16)
#define F_APP           (1u << 17) /* app, app_state and app_name follow */
#define F_END_SHIFT     18         /* 2 bits of end */
#define F_START_SHIFT   20         /* 3 bits of start */

_Static_assert((FLOW_OPEN_FROM(1) | FLOW_ACCEPT_FROM(1)) <= 0xf, "role_seen fits 4 bits");
_Static_assert(FLOW_START_ACTIVE <= 7, "flow_start fits 3 bits");
_Static_assert(FLOW_END_CLOSED <= 3, "flow_end fits 2 bits");
_Static_assert((FLOW_Q_MIDSTREAM | FLOW_Q_SNAPLEN | FLOW_Q_BACKWARDS | FLOW_Q_NO_IP_LEN) <= 0xf,
               "quality fits 4 bits");
_Static_assert(TCP_RESET <= 7, "a TCP endpoint state fits 3 bits");
_Static_assert((TCP_SEEN_BASE | TCP_SEEN_END | TCP_SEEN_FIN | TCP_SEEN_RST | TCP_SEEN_ZWIN) <= 0x1f,
               "TCP seen bits fit 5 bits");

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static const uint8_t *get_varint(const uint8_t *p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned shift = 0;

    while (*p & 0x80) {
        x |= (uint64_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *v = x | (uint64_t)*p++ << shift;
    return p;
}

static uint32_t get_u32v(const uint8_t **p)
{
    uint64_t v;

    *p = get_varint(*p, &v);
    return (uint32_t)v;
}

static uint64_t get_u64v(const uint8_t **p)
{
    uint64_t v;

    *p = get_varint(*p, &v);
    return v;
}

static ps_time time_plus(ps_time from, uint64_t d)
{
    uint64_t u = (uint64_t)from + d;
    ps_time t;

    memcpy(&t, &u, sizeof(t));
    return t;
}

/*
 * Signed distances between file timestamps, which may be anything: computed in unsigned (wrapping)
 * arithmetic, zigzagged so that small distances either way stay short. In units of `unit`
 * nanoseconds, for a distance that is a whole number of them: divided as a signed number,
 * multiplied back in wrapping arithmetic, exactly the distance it was.
 */
static uint64_t time_distance_in(ps_time from, ps_time to, int64_t unit)
{
    uint64_t d = (uint64_t)to - (uint64_t)from;
    int64_t v;

    memcpy(&v, &d, sizeof(v));
    v /= unit;
    memcpy(&d, &v, sizeof(d));
    return d << 1 ^ (0 - (d >> 63));
}

static ps_time time_after_in(ps_time from, uint64_t zig, int64_t unit)
{
    return time_plus(from, (zig >> 1 ^ (0 - (zig & 1))) * (uint64_t)unit);
}

/* Whether the distance from `from` to `to` is a whole number of microseconds. */
static bool whole_micros(ps_time from, ps_time to)
{
    uint64_t d = (uint64_t)to - (uint64_t)from;
    int64_t v;

    memcpy(&v, &d, sizeof(v));
    return v % 1000 == 0;
}

/*
 * A capture with microsecond timestamps (most pcap files) gives times in whole microseconds: a
 * record whose every time is written a thousand times smaller, its varints a byte or two shorter
 * each (about 5 bytes of a flow's 60 to 70). Checked per record, so that nanosecond captures, and
 * a mix of both, are written as they are.
 */
static int64_t time_unit(const struct flow_store *s, const struct flow *f)
{
    const struct flow_tcp *t = &f->tcp;

    /* The duration is written unsigned (the last time is never before the first). */
    if (!whole_micros(s->base, f->first_seen) ||
        ((uint64_t)f->last_seen - (uint64_t)f->first_seen) % 1000 != 0)
        return 1;
    if (f->key.proto == PS_IPPROTO_TCP &&
        (((t->have & FLOW_TCP_HAVE_SYN) && !whole_micros(f->first_seen, t->syn_at)) ||
         ((t->have & FLOW_TCP_HAVE_SYN_ACK) && !whole_micros(f->first_seen, t->syn_ack_at)) ||
         ((t->have & FLOW_TCP_HAVE_ACK) && !whole_micros(f->first_seen, t->ack_at))))
        return 1;
    return 1000;
}

/* The key's two addresses, 4 or 16 bytes each: a constant length in each branch, so that the
 * copies are moves rather than calls. */
static uint8_t *put_addrs(uint8_t *p, const struct flow_key *k)
{
    if (k->family == 6) {
        memcpy(p, k->addr[0], 16);
        memcpy(p + 16, k->addr[1], 16);
        return p + 32;
    }
    memcpy(p, k->addr[0], 4);
    memcpy(p + 4, k->addr[1], 4);
    return p + 8;
}

static const uint8_t *get_addrs(const uint8_t *p, struct flow_key *k)
{
    if (k->family == 6) {
        memcpy(k->addr[0], p, 16);
        memcpy(k->addr[1], p + 16, 16);
        return p + 32;
    }
    memcpy(k->addr[0], p, 4);
    memcpy(k->addr[1], p + 4, 4);
    return p + 8;
}

static uint8_t *put_key(uint8_t *p, const struct flow_key *k)
{
    *p++ = k->family;
    *p++ = k->proto;
    p = put_varint(p, k->scope);
    p = put_addrs(p, k);
    memcpy(p, k->port, sizeof(k->port));
    return p + sizeof(k->port);
}

static const uint8_t *get_key(const uint8_t *p, struct flow_key *k)
{
    memset(k, 0, sizeof(*k));
    k->family = *p++;
    k->proto = *p++;
    k->scope = (uint16_t)get_u32v(&p);
    p = get_addrs(p, k);
    memcpy(k->port, p, sizeof(k->port));
    return p + sizeof(k->port);
}

static uint8_t *put_tcp(uint8_t *p, const struct flow *f, bool retrans, int64_t unit)
{
    const struct flow_tcp *t = &f->tcp;
    uint64_t word = (uint64_t)t->state[0] | (uint64_t)t->state[1] << 3 | (uint64_t)t->seen[0] << 6 |
                    (uint64_t)t->seen[1] << 11 | (uint64_t)t->have << 16;

    p = put_varint(p, word);
    /* The flags each endpoint sent: as they are, two bytes, cheaper to read than a longer word. */
    *p++ = t->flags[0];
    *p++ = t->flags[1];
    for (int e = 0; e < 2; e++) {
        /* A sequence number is random: as it is. Where it got to is a short way from there. */
        if (t->seen[e] & TCP_SEEN_BASE) {
            memcpy(p, &t->base_seq[e], sizeof(t->base_seq[e]));
            p += sizeof(t->base_seq[e]);
        }
        if (t->seen[e] & TCP_SEEN_END)
            p = put_varint(p, (uint32_t)(t->seq_end[e] - t->base_seq[e]));
    }
    if (retrans)
        for (int e = 0; e < 2; e++) {
            p = put_varint(p, t->retrans[e]);
            p = put_varint(p, t->payload_retrans[e]);
        }
    if (t->have & FLOW_TCP_HAVE_SYN)
        p = put_varint(p, time_distance_in(f->first_seen, t->syn_at, unit));
    if (t->have & FLOW_TCP_HAVE_SYN_ACK)
        p = put_varint(p, time_distance_in(f->first_seen, t->syn_ack_at, unit));
    if (t->have & FLOW_TCP_HAVE_ACK)
        p = put_varint(p, time_distance_in(f->first_seen, t->ack_at, unit));
    p = put_varint(p, t->letters[0]);
    p = put_varint(p, t->letters[1]);
    *p++ = t->history_len;
    memcpy(p, t->history, t->history_len);
    return p + t->history_len;
}

static const uint8_t *get_tcp(const uint8_t *p, struct flow *f, bool retrans, int64_t unit)
{
    struct flow_tcp *t = &f->tcp;
    uint64_t word = get_u64v(&p);

    t->state[0] = word & 7;
    t->state[1] = word >> 3 & 7;
    t->seen[0] = word >> 6 & 0x1f;
    t->seen[1] = word >> 11 & 0x1f;
    t->have = word >> 16 & 7;
    t->flags[0] = *p++;
    t->flags[1] = *p++;
    for (int e = 0; e < 2; e++) {
        if (t->seen[e] & TCP_SEEN_BASE) {
            memcpy(&t->base_seq[e], p, sizeof(t->base_seq[e]));
            p += sizeof(t->base_seq[e]);
        }
        if (t->seen[e] & TCP_SEEN_END)
            t->seq_end[e] = t->base_seq[e] + get_u32v(&p);
    }
    if (retrans)
        for (int e = 0; e < 2; e++) {
            t->retrans[e] = get_u32v(&p);
            t->payload_retrans[e] = get_u32v(&p);
        }
    if (t->have & FLOW_TCP_HAVE_SYN)
        t->syn_at = time_after_in(f->first_seen, get_u64v(&p), unit);
    if (t->have & FLOW_TCP_HAVE_SYN_ACK)
        t->syn_ack_at = time_after_in(f->first_seen, get_u64v(&p), unit);
    if (t->have & FLOW_TCP_HAVE_ACK)
        t->ack_at = time_after_in(f->first_seen, get_u64v(&p), unit);
    t->letters[0] = (uint16_t)get_u32v(&p);
    t->letters[1] = (uint16_t)get_u32v(&p);
    t->history_len = *p++;
    memcpy(t->history, p, t->history_len);
    return p + t->history_len;
}

static uint8_t *encode(const struct flow_store *s, const struct flow *f, uint8_t *p)
{
    const struct flow_tcp *t = &f->tcp;
    bool retrans =
        (t->retrans[0] | t->retrans[1] | t->payload_retrans[0] | t->payload_retrans[1]) != 0;
    int64_t unit = time_unit(s, f);
    uint64_t flags = (uint64_t)(f->first_sender & 1) | (uint64_t)f->role_seen << F_ROLE_SHIFT |
                     (uint64_t)f->start << F_START_SHIFT | (uint64_t)f->quality << F_QUALITY_SHIFT |
                     (uint64_t)f->end << F_END_SHIFT;

    flags |= (f->ended ? F_ENDED : 0) | (f->prev ? F_PREV : 0) | (f->icmp_errors ? F_ICMP : 0) |
             (f->path_id ? F_PATH : 0) | (retrans ? F_RETRANS : 0) |
             ((f->app | f->app_state | f->app_name) ? F_APP : 0) | (unit != 1 ? F_MICRO : 0);
    p = put_key(p, &f->key);
    p = put_varint(p, flags);
    p = put_varint(p, time_distance_in(s->base, f->first_seen, unit));
    p = put_varint(p, ((uint64_t)f->last_seen - (uint64_t)f->first_seen) / (uint64_t)unit);
    for (int e = 0; e < 2; e++) {
        p = put_varint(p, f->packets[e]);
        p = put_varint(p, f->bytes[e]);
        p = put_varint(p, f->ip_bytes[e]);
        p = put_varint(p, f->payload_bytes[e]);
    }
    /* As they are: a TTL is rarely below 128 as a varint would want. */
    *p++ = f->ttl[0];
    *p++ = f->ttl[1];
    if (f->prev)
        p = put_varint(p, f->prev);
    if (f->icmp_errors)
        p = put_varint(p, f->icmp_errors);
    if (f->path_id)
        p = put_varint(p, f->path_id);
    if (f->app | f->app_state | f->app_name) {
        *p++ = f->app;
        *p++ = f->app_state;
        p = put_varint(p, f->app_name);
    }
    if (f->key.proto == PS_IPPROTO_TCP)
        p = put_tcp(p, f, retrans, unit);
    return p;
}

/* Decodes the record at p into f (which it clears first); returns the byte after the record. */
static const uint8_t *decode(const struct flow_store *s, const uint8_t *p, uint32_t id,
                             struct flow *f)
{
    uint64_t flags;
    int64_t unit;

    memset(f, 0, sizeof(*f));
    p = get_key(p, &f->key);
    flags = get_u64v(&p);
    unit = flags & F_MICRO ? 1000 : 1;
    f->first_seen = time_after_in(s->base, get_u64v(&p), unit);
    f->last_seen = time_plus(f->first_seen, get_u64v(&p) * (uint64_t)unit);
    for (int e = 0; e < 2; e++) {
        f->packets[e] = get_u64v(&p);
        f->bytes[e] = get_u64v(&p);
        f->ip_bytes[e] = get_u64v(&p);
        f->payload_bytes[e] = get_u64v(&p);
    }
    f->ttl[0] = *p++;
    f->ttl[1] = *p++;
    f->id = id;
    f->first_sender = flags & F_FIRST_SENDER;
    f->role_seen = flags >> F_ROLE_SHIFT & 0xf;
    f->start = flags >> F_START_SHIFT & 7;
    f->quality = flags >> F_QUALITY_SHIFT & 0xf;
    f->end = flags >> F_END_SHIFT & 3;
    f->ended = (flags & F_ENDED) != 0;
    if (flags & F_PREV)
        f->prev = get_u32v(&p);
    if (flags & F_ICMP)
        f->icmp_errors = get_u32v(&p);
    if (flags & F_PATH)
        f->path_id = (uint16_t)get_u32v(&p);
    if (flags & F_APP) {
        f->app = *p++;
        f->app_state = *p++;
        f->app_name = (uint16_t)get_u32v(&p);
    }
    if (f->key.proto == PS_IPPROTO_TCP)
        p = get_tcp(p, f, (flags & F_RETRANS) != 0, unit);
    return p;
}

void flow_store_init(struct flow_store *s)
{
    memset(s, 0, sizeof(*s));
}

void flow_store_init_like(struct flow_store *s, const struct flow_store *like)
{
    flow_store_init(s);
    s->base = like->base;
    s->have_base = like->have_base;
}

/*
 * Chunks are mapped rather than taken from malloc(): malloc() serves a request below its sliding
 * mmap threshold from the heap, where a block freed in the middle stays resident, and the store
 * frees its chunks one by one while a compaction fills new ones (compact_sealed(), flow_keep.c):
 * on the home-day shape the old ones stayed, 30 MB more than without the compaction.
 */
static uint8_t *chunk_new(void)
{
    /* Filled from its start to its end by the table's thread, so small pages: a fault each 4 KB
     * (37,000 on 10 M packets of the datacentre shape), but each cheap, where clearing a fresh
     * huge page was a third of the thread's time there (include/base.h). */
    return ps_map_in_order(CHUNK_SIZE);
}

static void chunk_free(uint8_t *chunk)
{
    ps_unmap(chunk, CHUNK_SIZE);
}

void flow_store_free(struct flow_store *s)
{
    for (size_t i = 0; i < s->n_alloc; i++)
        chunk_free(s->chunks[i]);
    free(s->chunks);
    flow_store_init(s);
}

static bool add_chunk(struct flow_store *s)
{
    if (s->n_alloc == s->chunks_cap) {
        size_t cap = s->chunks_cap ? s->chunks_cap * 2 : 16;
        uint8_t **grown = realloc(s->chunks, cap * sizeof(*grown));

        if (grown == NULL)
            return false;
        s->chunks = grown;
        s->chunks_cap = cap;
    }
    s->chunks[s->n_alloc] = chunk_new();
    if (s->chunks[s->n_alloc] == NULL)
        return false;
    s->n_alloc++;
    return true;
}

/* Room for one more record of at most `len` bytes: a new chunk when the last one is short. */
static uint8_t *reserve(struct flow_store *s, size_t len)
{
    if (s->n_chunks == 0 || s->used + len > CHUNK_SIZE) {
        if (s->n_chunks == s->n_alloc && !add_chunk(s))
            return NULL;
        s->n_chunks++;
        s->used = 0;
    }
    return s->chunks[s->n_chunks - 1] + s->used;
}

/*
 * Every chunk but the last is closed only by a record that did not fit, so it holds more than
 * CHUNK_SIZE - RECORD_MAX bytes: that bounds the chunks any `bytes` of records need.
 */
bool flow_store_reserve(struct flow_store *s, uint64_t bytes)
{
    uint64_t need = s->n_chunks + bytes / (CHUNK_SIZE - RECORD_MAX) + 2;

    while (s->n_alloc < need)
        if (!add_chunk(s))
            return false;
    return true;
}

/*
 * A location: the record's chunk and offset, and above them its length, so that moving a record
 * (a compaction) need not decode it to know where it ends.
 */
#define LOC_LEN_SHIFT 48
#define LOC_PLACE     (((uint64_t)1 << LOC_LEN_SHIFT) - 1)
_Static_assert(RECORD_MAX < 1 << 15, "a location's length fits above its place, shifted once");

static uint64_t commit(struct flow_store *s, const uint8_t *start, const uint8_t *end)
{
    uint64_t len = (uint64_t)(end - start);
    uint64_t loc = (uint64_t)(s->n_chunks - 1) << CHUNK_BITS | s->used | len << LOC_LEN_SHIFT;

    s->used += (size_t)len;
    s->bytes += len;
    return loc;
}

static const uint8_t *at(const struct flow_store *s, uint64_t loc)
{
    return s->chunks[(loc & LOC_PLACE) >> CHUNK_BITS] + (loc & (CHUNK_SIZE - 1));
}

size_t flow_store_chunk_of(uint64_t loc)
{
    return (size_t)((loc & LOC_PLACE) >> CHUNK_BITS);
}

size_t flow_store_chunks(const struct flow_store *s)
{
    return s->n_chunks;
}

void flow_store_release(struct flow_store *s, size_t chunk)
{
    chunk_free(s->chunks[chunk]);
    s->chunks[chunk] = NULL;
}

uint64_t flow_store_put(struct flow_store *s, const struct flow *f)
{
    uint8_t *p;

    if (!s->have_base) {
        s->base = f->first_seen;
        s->have_base = true;
    }
    p = reserve(s, RECORD_MAX);
    if (p == NULL)
        return FLOW_STORE_NONE;
    return commit(s, p, encode(s, f, p));
}

size_t flow_store_get(const struct flow_store *s, uint64_t loc, uint32_t id, struct flow *f)
{
    const uint8_t *p = at(s, loc);

    return (size_t)(decode(s, p, id, f) - p);
}

void flow_store_prefetch(const struct flow_store *s, uint64_t loc)
{
    const uint8_t *p = at(s, loc);
    size_t len = (size_t)(loc >> LOC_LEN_SHIFT);

    /* A record is shorter than a line or two, and may cross into the next. */
    __builtin_prefetch(p);
    if (len > 0)
        __builtin_prefetch(p + len - 1);
}

void flow_store_key(const struct flow_store *s, uint64_t loc, struct flow_key *key)
{
    get_key(at(s, loc), key);
}

uint8_t flow_store_roles(const struct flow_store *s, uint64_t loc, struct flow_key *key)
{
    const uint8_t *p = get_key(at(s, loc), key);

    return (uint8_t)(get_u64v(&p) >> F_ROLE_SHIFT & 0xf);
}

void flow_store_drop(struct flow_store *s, size_t len)
{
    s->dropped += len;
}

uint64_t flow_store_move(struct flow_store *to, const struct flow_store *from, uint64_t loc)
{
    size_t len = (size_t)(loc >> LOC_LEN_SHIFT);
    uint8_t *p = reserve(to, len);

    if (p == NULL)
        return FLOW_STORE_NONE;
    memcpy(p, at(from, loc), len);
    return commit(to, p, p + len);
}
