/*
 * analyze.c - from captured packets to flows and counters.
 */
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

int analyzer_init(struct analyzer *a, const struct analyzer_config *config)
{
    memset(a, 0, sizeof(*a));
    a->config = *config;
    a->table = flow_table_new(config->max_flows, config->seed, &config->lifecycle);
    a->frags = frag_table_new(config->max_fragments, FRAG_TIMEOUT_NS, config->seed);
    a->app_slots = calloc(ANALYZER_APP_SLOTS, sizeof(*a->app_slots));
    /* Fixed, not seeded per run: which directions share a slot must be the same every run. */
    ps_hash2_secrets(ANALYZER_APP_SEED, a->app_secret);
    /* The shortest idle timeout of TCP and UDP: a silence longer than it may end a flow. */
    a->app_idle = UINT64_MAX;
    for (int c = FLOW_CLASS_TCP; c <= FLOW_CLASS_UDP; c++)
        if (config->lifecycle.idle[c] > 0 && (uint64_t)config->lifecycle.idle[c] < a->app_idle)
            a->app_idle = (uint64_t)config->lifecycle.idle[c];
    if (a->table == NULL || a->frags == NULL || a->app_slots == NULL ||
        (config->take_ended != NULL && flow_table_stream(a->table) != 0)) {
        analyzer_release(a);
        return -1;
    }
    return 0;
}

void analyzer_release(struct analyzer *a)
{
    flow_table_free(a->table);
    frag_table_free(a->frags);
    free(a->app_slots);
    a->table = NULL;
    a->frags = NULL;
    a->app_slots = NULL;
}

void analyzer_input_init(struct analyze_input *in, const char *path)
{
    memset(in, 0, sizeof(*in));
    in->path = path;
}

static void note_linktype(struct analyze_input *in, int linktype)
{
    for (size_t i = 0; i < in->n_linktypes; i++)
        if (in->linktypes[i] == linktype)
            return;
    if (in->n_linktypes < ANALYZE_MAX_LINKTYPES)
        in->linktypes[in->n_linktypes++] = linktype;
}

static void count_skipped_linktype(struct analyze_totals *t, int linktype, uint32_t wire_len)
{
    size_t i;

    for (i = 0; i < t->n_skipped_linktypes; i++)
        if (t->skipped_linktypes[i].linktype == linktype)
            break;
    if (i == t->n_skipped_linktypes) {
        if (i == ANALYZE_MAX_LINKTYPES)
            return; /* still counted under unsupported_link_type, just not by name */
        t->skipped_linktypes[i].linktype = linktype;
        t->n_skipped_linktypes++;
    }
    t->skipped_linktypes[i].packets++;
    t->skipped_linktypes[i].bytes += wire_len;
}

/*
 * An ICMP error joins the flow of the packet it quotes, counted as sent by the side whose answer
 * it stands in for. Returns false when that flow is unknown: the error is then a flow of its own.
 */
static bool attribute_icmp_error(struct analyzer *a, const struct pkt_info *info,
                                 const struct flow_packet *fp)
{
    struct flow_key key;
    uint8_t answering;
    struct flow *f;

    flow_key_from_quote(&info->quote, info->vlan, &key, &answering);
    f = flow_table_lookup(a->table, &key);
    if (f == NULL || flow_table_add_icmp_error(a->table, f, info->family, info->icmp_type,
                                               info->icmp_code, fp->wire_len) != 0)
        return false;
    /* The error's own IP and payload bytes are not the flow's: count the frame only. */
    flow_table_account(a->table, f, answering, fp, NULL);
    return true;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

/*
 * A hash of the captured bytes and lengths: every packet pays for it, and it only needs to tell a
 * packet captured twice from its neighbours. wyhash's step, a 64 x 64 -> 128-bit product folded,
 * takes 16 bytes per multiplication; two lanes of it, independent of each other, overlap. (Plain
 * 64-bit products in four lanes cost twice as much here: compilers turn them into vector code
 * that has no 64-bit multiply.)
 */
static uint64_t packet_hash(const struct capture_packet *pkt)
{
    const uint8_t *p = pkt->data;
    uint32_t n = pkt->caplen, i = 0;
    uint64_t a = 0x9e3779b97f4a7c15ULL ^ n ^ ((uint64_t)pkt->wirelen << 32);
    uint64_t b = 0xc2b2ae3d27d4eb4fULL;
    uint64_t tail[2] = {0, 0};

    for (; i + 32 <= n; i += 32) {
        a = ps_mum(load64(p + i) ^ a, load64(p + i + 8) ^ 0x165667b19e3779f9ULL);
        b = ps_mum(load64(p + i + 16) ^ b, load64(p + i + 24) ^ 0x27d4eb2f165667c5ULL);
    }
    for (; i + 16 <= n; i += 16)
        a = ps_mum(load64(p + i) ^ a, load64(p + i + 8) ^ 0x165667b19e3779f9ULL);
    /* The last bytes as the packet's last 16, hashed again in part: two loads rather than a copy
     * of a variable length, whose bytes the loads could not take from the stores. */
    if (i < n && n >= 16) {
        tail[0] = load64(p + n - 16);
        tail[1] = load64(p + n - 8);
    } else {
        memcpy(tail, p + i, n - i);
    }
    return ps_mum(ps_mum(tail[0] ^ a, tail[1] ^ b), 0xff51afd7ed558ccdULL ^ (n - i));
}

/*
 * Per input: timestamps that go backwards, and duplicates (the same bytes as one of the last
 * few packets, as a capture on a mirror port or on both ends of a bridge produces).
 */
static void note_capture_quality(struct analyzer *a, const struct capture_packet *pkt,
                                 struct analyze_input *in)
{
    uint64_t h = packet_hash(pkt);

    if (in->packets == 0) {
        memset(a->recent, 0, sizeof(a->recent));
    } else {
        if (pkt->ts < a->last_ts)
            in->ts_backwards++;
        for (size_t i = 0; i < ANALYZER_DUP_WINDOW; i++) {
            if (a->recent[i] == h) {
                in->duplicates++;
                break;
            }
        }
    }
    a->recent[a->recent_next] = h;
    a->recent_next = (a->recent_next + 1) % ANALYZER_DUP_WINDOW;
    a->last_ts = pkt->ts;
}

/*
 * What the payload of a TCP or UDP packet shows (decode_app()), for the flow table: looked at on
 * the reading side, while the captured bytes are still there, and only for the first payload
 * packets of a flow direction (the reader's slots, analyze.h). `looked`: how many were already.
 */
static __attribute__((noinline)) void
look_into(struct analyzer_pending *p, struct analyzer_app_slot *slot, uint64_t tag, unsigned looked)
{
    const struct pkt_info *info = &p->info;
    const uint8_t *payload;
    uint32_t caplen;
    struct app_match m;

    if (info->proto != PS_IPPROTO_TCP && info->proto != PS_IPPROTO_UDP)
        return;
    if (info->payload_len == 0 || looked >= FLOW_APP_LOOKS) {
        slot->tag = tag | looked;
        return;
    }
    slot->tag = tag | (looked + 1);
    payload = decode_payload(info, &caplen);
    decode_app(payload, caplen, info->proto, &m);
    p->app = (uint8_t)(FLOW_PKT_APP_LOOKED | m.proto |
                       (m.cut_short && caplen < info->payload_len ? FLOW_PKT_APP_CUT : 0));
    p->app_name_len = (uint8_t)(m.name_len < FLOW_APP_NAME_MAX ? m.name_len : FLOW_APP_NAME_MAX);
    if (p->app_name_len > 0)
        memcpy(p->app_name, payload + m.name_off, p->app_name_len);
}

/* The hash of a packet's direction: its addresses, ports, protocol, scope and VLAN as decoded.
 * Two directions share it only by a collision of 62 bits. */
static inline uint64_t direction_hash(const struct analyzer *a, const struct pkt_info *info)
{
    const uint64_t *s = a->app_secret;
    uint64_t src[2] = {0, 0}, dst[2] = {0, 0};
    uint64_t rest = (uint64_t)info->sport | (uint64_t)info->dport << 16 |
                    (uint64_t)info->vlan << 32 | (uint64_t)info->proto << 48 |
                    (uint64_t)(info->scope & 0x3f) << 56 | (uint64_t)(info->family == 6) << 62;

    if (info->family == 6) {
        memcpy(src, info->src, 16);
        memcpy(dst, info->dst, 16);
    } else {
        memcpy(src, info->src, 4);
        memcpy(dst, info->dst, 4);
    }
    /* The source's words and the destination's are masked with the secrets in turn, so that the
     * two directions of a flow hash apart. */
    return ps_mum(ps_mum(src[0] ^ s[0], src[1] ^ s[1]) ^ rest,
                  ps_mum(dst[0] ^ s[1], dst[1] ^ s[0]) ^ 0x9e3779b97f4a7c15ULL);
}

/*
 * For a packet with payload, or a SYN, on either thread: the direction's slot,
 * and a look into the payload unless the direction had its looks. A SYN, or a silence longer than
 * an idle timeout, may begin a new flow on the key, with new first bytes: the looks start again.
 * The common case, a direction looked into already, costs a slot's compare.
 */
static inline void look_at_payload(struct analyzer *a, struct analyzer_pending *p)
{
    uint64_t hash = direction_hash(a, &p->info), tag = hash & ~(uint64_t)3;
    struct analyzer_app_slot *slot = &a->app_slots[(hash >> 2) & (ANALYZER_APP_SLOTS - 1)];
    uint64_t quiet = (uint64_t)p->fp.ts - (uint64_t)slot->last; /* huge when time went back */
    bool fresh;

    slot->last = p->fp.ts;
    if (slot->tag == (tag | FLOW_APP_LOOKS) && quiet <= a->app_idle &&
        !(p->info.tcp_flags & PS_TCP_SYN))
        return;
    fresh = (p->info.tcp_flags & PS_TCP_SYN) || quiet > a->app_idle;
    look_into(p, slot, tag,
              !fresh && (slot->tag & ~(uint64_t)3) == tag ? (unsigned)(slot->tag & 3) : 0);
}

/* Whether look_at_payload() has anything to do with a prepared packet: one test for most. */
static inline bool may_look(const struct analyzer_pending *p)
{
    return (p->info.payload_len | (p->info.tcp_flags & PS_TCP_SYN)) != 0;
}

/*
 * The first half of a packet's way: what needs only the packet (the input's record, decoding).
 * The totals' packets and bytes are the inputs' sums, added when an input ends.
 */
static void stage_packet(struct analyzer *a, const struct capture_packet *pkt,
                         struct analyze_input *in, struct analyzer_pending *p)
{
    note_capture_quality(a, pkt, in);
    if (in->packets == 0 || pkt->ts < in->first_seen)
        in->first_seen = pkt->ts;
    if (in->packets == 0 || pkt->ts > in->last_seen)
        in->last_seen = pkt->ts;
    in->packets++;
    in->bytes += pkt->wirelen;
    note_linktype(in, pkt->linktype);

    p->fp = (struct flow_packet){pkt->ts, pkt->wirelen, pkt->caplen < pkt->wirelen};
    p->linktype = pkt->linktype;
    p->outcome =
        (uint8_t)decode_packet(&a->config.decode, pkt->linktype, pkt->data, pkt->caplen, &p->info);
    p->prepared = p->outcome == PS_SKIP_NONE && p->info.scope != PKT_SCOPE_ICMP_ERROR;
    p->app = 0;
    p->first_fragment = p->outcome == PS_SKIP_NONE && p->info.fragment.state == PKT_FRAG_FIRST;
}

/* Puts a decoded packet in its flow; returns why it could not, or PS_SKIP_NONE. */
static enum ps_skip place_packet(struct analyzer *a, struct analyzer_pending *p)
{
    struct analyze_totals *t = &a->totals;
    struct pkt_info *info = &p->info;
    struct flow *f;
    uint8_t sender;

    if (p->outcome == PS_SKIP_FRAGMENT) {
        /* A later fragment's bytes all belong to the datagram's IP length and payload. */
        info->payload_len = info->l4_len;
        f = frag_table_later(a->frags, a->table, info, p->fp.ts, p->fp.wire_len, &sender);
        if (f == NULL)
            return PS_SKIP_FRAGMENT; /* held: counted when its first fragment comes, or never */
        flow_table_account(a->table, f, sender, &p->fp, info);
        return PS_SKIP_NONE;
    }
    if (p->outcome != PS_SKIP_NONE)
        return p->outcome;
    if (!p->prepared) {
        if (attribute_icmp_error(a, info, &p->fp))
            return PS_SKIP_NONE;
        info->scope = PKT_SCOPE_ICMP_OTHER;
        flow_table_prepare(a->table, info, &p->lookup);
    }
    f = flow_table_add_prepared(a->table, info, &p->lookup, &p->fp);
    if (f == NULL)
        return PS_SKIP_FLOW_LIMIT;
    /* A flow's first payload packets only: once both endpoints are decided, this one test. */
    if (p->app != 0 && !(f->app_state & FLOW_APP_DONE(p->lookup.sender)))
        flow_table_note_app(a->table, f, p->lookup.sender, info, p->app, p->app_name,
                            p->app_name_len);
    if (p->first_fragment) {
        ps_time first = f->first_seen;

        frag_table_first(a->frags, &info->fragment, f, p->lookup.sender, p->fp.ts, &t->flow_packets,
                         &t->flow_bytes);
        if (f->first_seen != first)
            flow_table_first_seen_moved(a->table);
    }
    return PS_SKIP_NONE;
}

/* Streaming: the flows that ended go to the taker, if any wait. */
static void take_ended(struct analyzer *a)
{
    if (a->config.take_ended != NULL)
        a->config.take_ended(a->config.take_ended_arg, a->table);
}

/*
 * Streaming, when flow_table_advance() said flows wait: they go to the taker, and a wheel turn
 * that filled the queue goes on, as often as it takes. A packet pays one branch for it: whether
 * flow_table_advance() said so.
 */
static void take_ended_until(struct analyzer *a, ps_time now)
{
    do
        take_ended(a);
    while (flow_table_advance(a->table, now));
}

/*
 * The second half: the flow table, in the order the packets were read. A flow this packet ends
 * waits in the queue until the next packet's flow_table_advance(), or the end of the input.
 */
static void finish_packet(struct analyzer *a, struct analyzer_pending *p)
{
    struct analyze_totals *t = &a->totals;
    enum ps_skip outcome;

    if (flow_table_advance(a->table, p->fp.ts))
        take_ended_until(a, p->fp.ts);
    outcome = place_packet(a, p);
    switch (outcome) {
    case PS_SKIP_NONE:
        t->flow_packets++;
        t->flow_bytes += p->fp.wire_len;
        break;
    case PS_SKIP_FRAGMENT:
        break;
    case PS_SKIP_LINKTYPE:
        count_skipped_linktype(t, p->linktype, p->fp.wire_len);
        /* fall through */
    default:
        t->skipped_packets[outcome]++;
        t->skipped_bytes[outcome] += p->fp.wire_len;
        break;
    }
}

void analyzer_packet(struct analyzer *a, const struct capture_packet *pkt, struct analyze_input *in)
{
    struct analyzer_pending *p = &a->pending[0];

    a->totals.packets++;
    a->totals.bytes += pkt->wirelen;
    stage_packet(a, pkt, in, p);
    if (p->prepared) {
        flow_table_prepare(a->table, &p->info, &p->lookup);
        if (may_look(p))
            look_at_payload(a, p);
    }
    finish_packet(a, p);
    /* A live capture's reader may be watching: the flow this packet ended, now. */
    take_ended(a);
}

static void tick(struct analyzer *a, long long offset, uint64_t packets)
{
    a->config.tick(a->config.tick_arg, offset, packets, flow_table_count(a->table));
}

/* One thread: decoding runs ANALYZER_AHEAD packets ahead of the flow table. */
static int read_alone(struct analyzer *a, struct capture *c, struct analyze_input *in)
{
    struct capture_packet pkt;
    uint64_t read = 0, done = 0, base = a->totals.packets;
    int rc;

    while ((rc = capture_next(c, &pkt)) == 1) {
        struct analyzer_pending *p, *half;

        if (read - done == ANALYZER_AHEAD)
            finish_packet(a, &a->pending[done++ % ANALYZER_AHEAD]);
        p = &a->pending[read++ % ANALYZER_AHEAD];
        stage_packet(a, &pkt, in, p);
        if (p->prepared) {
            flow_table_prepare(a->table, &p->info, &p->lookup);
            if (may_look(p))
                look_at_payload(a, p);
        }
        /* Halfway to its turn, a packet's index slot has arrived: its flow can be asked for. */
        if (read - done > ANALYZER_AHEAD / 2) {
            half = &a->pending[(read - 1 - ANALYZER_AHEAD / 2) % ANALYZER_AHEAD];
            if (half->prepared)
                flow_table_prefetch_flow(a->table, &half->lookup);
        }
        if (a->config.tick != NULL && (in->packets & (ANALYZER_TICK - 1)) == 0)
            tick(a, capture_offset(c), base + in->packets);
    }
    while (done < read)
        finish_packet(a, &a->pending[done++ % ANALYZER_AHEAD]);
    return rc;
}

/*
 * Two threads: a reader thread reads and decodes into a ring of pending packets, the calling
 * thread takes them from the ring in order into the flow table. Each side tells the other how
 * far it got once per PIPE_BATCH packets, not per packet: a counter written per packet would
 * bounce between the cores. Everything the reader writes (the input's record, the duplicate
 * window, the ring's entries) the table thread reads only after the reader has published it.
 */
#define PIPE_BATCH 32
/*
 * A power of two. The ring absorbs the table thread's bursts, so that the reader need not wait
 * through them: a timing-wheel tick that stores thousands of quiet flows at once takes the table
 * about a millisecond, some 10,000 packets of reading. 9.4 MB (576 bytes an entry, 256 of them
 * a TLS server name that is rarely written and never read otherwise); 4096 entries cost 7% more
 * time.
 */
#define PIPE_RING 16384

struct pipe {
    struct analyzer *a;
    struct capture *c;
    struct analyze_input *in;
    struct analyzer_pending *ring;
    struct flow_hasher hasher;
    int rc; /* the reader's last capture_next(), once `done` */
    alignas(64) atomic_uint_fast64_t produced;
    atomic_bool done;
    atomic_llong offset; /* of the capture, for the progress display */
    alignas(64) atomic_uint_fast64_t consumed;
};

static void pause_briefly(unsigned *spins)
{
    if (++*spins < 256) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        sched_yield();
    }
}

/*
 * The lines of a pending packet that the table's thread reads (its hot part) cross between the
 * cores twice: to the table's thread, and back to the reader that writes the entry again a ring
 * later. Each side asks for them ahead of its use, so that the wait for the other core to let them
 * go overlaps with other work: the reader PIPE_LEAD packets before it writes an entry, the table's
 * thread PIPE_FETCH packets before it takes one (without that, on some hosts, a fifth of its time
 * went to waiting for the reader's lines).
 */
#define PIPE_LEAD  8
#define PIPE_FETCH 64

/* What the table's thread reads of every packet is in the lines prefetch_hot_part() asks for. */
_Static_assert(offsetof(struct analyzer_pending, app_name_len) <
                   offsetof(struct analyzer_pending, info),
               "app_name_len is read for every packet looked into");
_Static_assert(sizeof(struct analyzer_pending) % 64 == 0, "ring entries start cache lines");

static void prefetch_hot_part(const struct analyzer_pending *e, bool for_writing)
{
    const char *at = (const char *)e;

    for (size_t off = 0; off < offsetof(struct analyzer_pending, info) + 64; off += 64) {
#if defined(__x86_64__) || defined(__i386__)
        /* PREFETCHW, which __builtin_prefetch() gives only when built for a CPU that has it. An
         * asm statement, too, is never dropped as a call without effects could be. */
        if (for_writing)
            __asm__ volatile("prefetchw %0" : : "m"(at[off]));
        else
            __asm__ volatile("prefetcht0 %0" : : "m"(at[off]));
#else
        __builtin_prefetch(at + off, for_writing);
#endif
    }
}

static void *read_ahead(void *arg)
{
    struct pipe *p = arg;
    struct capture_packet pkt;
    uint64_t written = 0, room = PIPE_RING;
    bool behind = false; /* the table's thread has more than half the ring to go */
    bool look;
    int rc;

    while ((rc = capture_next(p->c, &pkt)) == 1) {
        struct analyzer_pending *e;

        if (written == room) {
            unsigned spins = 0;

            atomic_store_explicit(&p->produced, written, memory_order_release);
            while ((room = atomic_load_explicit(&p->consumed, memory_order_acquire) + PIPE_RING) ==
                   written)
                pause_briefly(&spins);
        }
        e = &p->ring[written & (PIPE_RING - 1)];
        prefetch_hot_part(&p->ring[(written + PIPE_LEAD) & (PIPE_RING - 1)], true);
        stage_packet(p->a, &pkt, p->in, e);
        /* The key and its hash are made by whichever thread has time for them: here when the
         * table's thread is behind, there when it is waiting for packets. Either makes the same.
         * A look into the payload, which needs its bytes, needs neither (direction_hash()). */
        look = e->prepared && may_look(e);
        e->hashed = e->prepared && behind;
        if (e->hashed)
            flow_hasher_prepare(&p->hasher, &e->info, &e->lookup);
        if (look)
            look_at_payload(p->a, e);
        written++;
        if (written % PIPE_BATCH == 0) {
            atomic_store_explicit(&p->produced, written, memory_order_release);
            behind =
                written - atomic_load_explicit(&p->consumed, memory_order_relaxed) > PIPE_RING / 2;
        }
        if ((p->in->packets & (ANALYZER_TICK - 1)) == 0)
            atomic_store_explicit(&p->offset, capture_offset(p->c), memory_order_relaxed);
    }
    p->rc = rc;
    atomic_store_explicit(&p->produced, written, memory_order_release);
    atomic_store_explicit(&p->done, true, memory_order_release);
    return NULL;
}

/* The table thread's side; returns the reader's last capture_next(). */
static int read_in_pipe(struct analyzer *a, struct capture *c, struct analyze_input *in)
{
    struct pipe p = {.a = a, .c = c, .in = in};
    uint64_t next = 0, avail = 0, slot_ahead = 0, flow_ahead = 0, fetch_ahead = 0;
    uint64_t base = a->totals.packets;
    pthread_t reader;

    /* On huge pages: both threads walk it, each its own part, and 4 KB pages missed the TLB. */
    p.ring = ps_alloc_huge(PIPE_RING * sizeof(*p.ring));
    if (p.ring == NULL)
        return read_alone(a, c, in);
    flow_table_hasher(a->table, &p.hasher);
    atomic_init(&p.produced, 0);
    atomic_init(&p.done, false);
    atomic_init(&p.offset, 0);
    atomic_init(&p.consumed, 0);
    if (pthread_create(&reader, NULL, read_ahead, &p) != 0) {
        free(p.ring);
        return read_alone(a, c, in);
    }
    for (;;) {
        if (next == avail) {
            unsigned spins = 0;

            atomic_store_explicit(&p.consumed, next, memory_order_release);
            while ((avail = atomic_load_explicit(&p.produced, memory_order_acquire)) == next) {
                if (atomic_load_explicit(&p.done, memory_order_acquire)) {
                    avail = atomic_load_explicit(&p.produced, memory_order_acquire);
                    break;
                }
                pause_briefly(&spins);
            }
            if (avail == next)
                break;
        }
        for (; fetch_ahead < avail && fetch_ahead < next + PIPE_FETCH; fetch_ahead++)
            prefetch_hot_part(&p.ring[fetch_ahead & (PIPE_RING - 1)], false);
        for (; slot_ahead < avail && slot_ahead < next + ANALYZER_AHEAD; slot_ahead++) {
            struct analyzer_pending *e = &p.ring[slot_ahead & (PIPE_RING - 1)];

            if (!e->prepared)
                continue;
            /* A server name is in lines of the entry the hot part's prefetch left out. */
            if (e->app != 0 && e->app_name_len > 0) {
                const uint8_t *last = e->app_name + e->app_name_len - 1;

                for (const uint8_t *at = e->app_name; at < last; at += 64)
                    __builtin_prefetch(at);
                __builtin_prefetch(last);
            }
            if (!e->hashed)
                flow_hasher_prepare(&p.hasher, &e->info, &e->lookup);
            flow_table_prefetch_slot(a->table, &e->lookup);
        }
        for (; flow_ahead < slot_ahead && flow_ahead < next + ANALYZER_AHEAD / 2; flow_ahead++) {
            struct analyzer_pending *e = &p.ring[flow_ahead & (PIPE_RING - 1)];

            if (e->prepared)
                flow_table_prefetch_flow(a->table, &e->lookup);
        }
        finish_packet(a, &p.ring[next & (PIPE_RING - 1)]);
        next++;
        if (next % PIPE_BATCH == 0)
            atomic_store_explicit(&p.consumed, next, memory_order_release);
        if (a->config.tick != NULL && (next & (ANALYZER_TICK - 1)) == 0)
            tick(a, atomic_load_explicit(&p.offset, memory_order_relaxed), base + next);
    }
    pthread_join(reader, NULL);
    free(p.ring);
    return p.rc;
}

int analyzer_read(struct analyzer *a, struct capture *c, struct analyze_input *in)
{
    int rc;

    in->format = capture_format_name(capture_format(c));
    in->nanosecond = capture_nanosecond(c);
    if (capture_linktype(c) >= 0)
        note_linktype(in, capture_linktype(c));
    rc = a->config.threads > 1 ? read_in_pipe(a, c, in) : read_alone(a, c, in);
    /* The flow the last packet ended, while its line is written as the ones before it were: the
     * caller may change that next (an input's time precision). */
    take_ended(a);
    a->totals.packets += in->packets;
    a->totals.bytes += in->bytes;
    in->nanosecond = capture_nanosecond(c);
    if (rc < 0) {
        snprintf(in->error, sizeof(in->error), "%s", capture_error(c));
        in->complete = false;
        return -1;
    }
    in->complete = true;
    return 0;
}

int analyzer_finish(struct analyzer *a)
{
    const struct frag_stats *s;
    int rc;

    if (a->finished)
        return 0;
    a->finished = true;
    frag_table_flush(a->frags);
    s = frag_table_stats(a->frags);
    a->totals.skipped_packets[PS_SKIP_FRAGMENT] = s->orphan_packets;
    a->totals.skipped_bytes[PS_SKIP_FRAGMENT] = s->orphan_bytes;
    a->totals.fragments_evicted = s->evicted;
    a->totals.fragment_capacity = frag_table_capacity(a->frags);
    while ((rc = flow_table_end_all(a->table)) > 0)
        take_ended(a);
    if (rc < 0)
        return -1;
    flow_table_seal(a->table);
    return 0;
}
