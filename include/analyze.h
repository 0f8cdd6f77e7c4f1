/*
 * analyze.h - the packet path: each packet from a capture is decoded, then either joins its flow
 * or is counted under the reason it could not. Shared by the program and the fuzz targets.
 */
#ifndef PS_ANALYZE_H
#define PS_ANALYZE_H

#include <stdalign.h>

#include "capture.h"
#include "decode.h"
#include "flow.h"
#include "frag.h"
#include "base.h"

/* Link types an input, or the skipped packets, name one by one; more are not told apart. */
#define ANALYZE_MAX_LINKTYPES 8

/* One input capture, as the reader saw it. */
struct analyze_input {
    const char *path;   /* as the user gave it */
    const char *format; /* "pcap", "pcapng", or NULL when the file could not be opened */
    int linktypes[ANALYZE_MAX_LINKTYPES];
    size_t n_linktypes;
    uint64_t packets, bytes;       /* bytes: original (wire) lengths */
    ps_time first_seen, last_seen; /* valid when packets > 0 */
    bool nanosecond;
    uint64_t ts_backwards;      /* packets whose timestamp is earlier than the packet before */
    uint64_t duplicates;        /* packets identical to one of the few just before them */
    bool complete;              /* read to a clean end */
    char error[PS_ERRBUF_SIZE]; /* empty when there was none */
    /* A live capture (format "live", path the interface): the kernel's counters at the end. */
    bool live;
    uint64_t received, dropped, if_dropped;
    /* Records the BPF filter (settings.filter) rejected: not analysed, not in packets/bytes. */
    uint64_t filtered_packets, filtered_bytes;
};

/* Where every packet read went. packets == flow_packets + sum(skipped_packets); bytes likewise. */
struct analyze_totals {
    uint64_t packets, bytes;
    uint64_t flow_packets, flow_bytes;
    uint64_t skipped_packets[PS_SKIP__COUNT];
    uint64_t skipped_bytes[PS_SKIP__COUNT];
    /* The packets under PS_SKIP_LINKTYPE, by link type (the first ANALYZE_MAX_LINKTYPES types). */
    struct {
        int linktype;
        uint64_t packets, bytes;
    } skipped_linktypes[ANALYZE_MAX_LINKTYPES];
    size_t n_skipped_linktypes;
    uint64_t fragments_evicted; /* datagrams the full fragment table had to forget */
    size_t fragment_capacity;
};

struct analyzer;

struct analyzer_config {
    struct decode_config decode;
    struct flow_lifecycle lifecycle;
    size_t max_flows;     /* 0: no limit but memory */
    size_t max_fragments; /* datagrams the fragment table follows at once */
    uint64_t seed;        /* flow hash seed */
    unsigned threads;     /* analyzer_read(): 2 reads and decodes on a thread of its own */
    /* Called every ANALYZER_TICK packets analyzer_read() analyses (a progress display), or NULL,
     * with the bytes of the capture read, the packets and the flows so far. */
    void (*tick)(void *arg, long long offset, uint64_t packets, size_t flows);
    void *tick_arg;
    /*
     * Streaming, or NULL: flows are not kept but leave the table as they end, through its queue
     * (flow_table_stream()). This takes them (flow_table_ended()): the analyzer calls it whenever
     * flows wait, before the next packet joins its flow, and before it returns.
     */
    void (*take_ended)(void *arg, struct flow_table *table);
    void *take_ended_arg;
};

#define ANALYZER_TICK 4096 /* a power of two */

/* Recent packets of the input being read, to notice a packet captured twice. */
#define ANALYZER_DUP_WINDOW 4

/*
 * analyzer_read() decodes this many packets ahead of the one it adds to the flow table, so that
 * each packet's table memory is requested early (flow_table_prepare()) and has arrived by then.
 */
#define ANALYZER_AHEAD 16

/*
 * A packet decoded and waiting for its turn at the flow table. What the table reads of every
 * packet comes first, with the head of `info`, so that a packet handed between threads moves
 * three cache lines, not all of it. Whole cache lines, so that each entry of a ring starts one.
 */
struct analyzer_pending {
    alignas(64) struct flow_lookup lookup; /* valid when `prepared` and `hashed` */
    struct flow_packet fp;
    int linktype;
    uint8_t outcome; /* enum ps_skip, from decoding */
    bool prepared;
    bool first_fragment; /* info.fragment describes the first fragment of a datagram */
    bool hashed;         /* `lookup` holds the key and hash; else the table's thread makes them */
    uint8_t app;         /* FLOW_PKT_APP_*: what the payload showed; 0 when not looked at */
    /* The length of app_name: here, where the table's thread reads it for every packet looked
     * into; after `info` (in the fifth cache line) reading it missed the cache. */
    uint8_t app_name_len;
    struct pkt_info info;
    /* A TLS ClientHello's server name (with `app`), copied: the payload's bytes are gone by the
     * table's turn. */
    uint8_t app_name[FLOW_APP_NAME_MAX];
};
_Static_assert(FLOW_APP_NAME_MAX <= UINT8_MAX, "app_name_len holds a name's length");

/*
 * The reader's memory of which flow directions it has looked into the payload of lately: by a
 * hash of the packet's direction (its decoded endpoints as they are, source first, and all else
 * the flow's key holds), how many payload packets it handed to the table with what decode_app()
 * said, and when it last saw one. Not by the flow's key: that orders the endpoints, and on two
 * threads the table's thread makes it when it has time; the reader making it for every payload
 * packet made the reader the slower thread. A direction's packets are
 * looked into until FLOW_APP_LOOKS were, and again after a SYN or an idle gap (a new flow on the
 * key may have begun). A slot another direction takes over mostly means more looks: the flow
 * table keeps the answer and decides which count (flow_table_note_app()). Not always: a flow the
 * table begins with neither (an active timeout while streaming, a late packet after a closed
 * connection's close delay) is looked into only when its direction's slot was taken over. So the
 * slots' hash has a fixed secret (ANALYZER_APP_SEED), the same on one thread and two, and which
 * directions share a slot is the same in every run: the report stays the same bytes. An
 * adversary who makes directions share slots gains more looks (each a decode_app()), or a flow
 * like those not looked into, nothing more: the slots are a cache of one entry each.
 */
#define ANALYZER_APP_SLOTS 16384
#define ANALYZER_APP_SEED  UINT64_C(0x706f727473636f70) /* "portscop" */
struct analyzer_app_slot {
    uint64_t tag; /* the direction's hash with the looks in bits 0-1 */
    ps_time last;
};

struct analyzer {
    struct analyzer_config config;
    struct flow_table *table;
    struct frag_table *frags;
    struct analyze_totals totals;
    /* The reader's (the reading thread's under --threads 2), on cache lines of their own. */
    alignas(
        64) uint64_t recent[ANALYZER_DUP_WINDOW]; /* hashes of the current input's last packets */
    size_t recent_next;                  /* the oldest of them, which the next one replaces */
    ps_time last_ts;                     /* of the current input's previous packet */
    struct analyzer_app_slot *app_slots; /* ANALYZER_APP_SLOTS: payload looks (analyze.c) */
    uint64_t app_idle;      /* ns of silence after which a direction's looks start again */
    uint64_t app_secret[2]; /* of the directions' hash */
    alignas(64) struct analyzer_pending pending[ANALYZER_AHEAD];
    bool finished;
};

/* Returns 0, or -1 when out of memory. */
int analyzer_init(struct analyzer *a, const struct analyzer_config *config);
void analyzer_release(struct analyzer *a);

/* Prepares the record of one input before it is read. */
void analyzer_input_init(struct analyze_input *in, const char *path);

/* Accounts one packet to the totals, the input and its flow. */
void analyzer_packet(struct analyzer *a, const struct capture_packet *pkt,
                     struct analyze_input *in);

/*
 * Reads a capture to its end. Returns 0 when it ended cleanly, -1 when it could not be read
 * further (in->complete false, in->error says why).
 */
int analyzer_read(struct analyzer *a, struct capture *c, struct analyze_input *in);

/*
 * Ends the analysis: fragments still waiting for their first become orphans, so the totals
 * reconcile; when streaming, every flow still live ends and is taken. Call once, after the last
 * packet and before building the report. Returns -1 when out of memory.
 */
int analyzer_finish(struct analyzer *a);

#endif
