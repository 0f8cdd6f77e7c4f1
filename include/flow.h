/*
 * flow.h - bidirectional flows keyed by 5-tuple, in a table built for millions of them.
 *
 * A flow's two endpoints are kept in canonical order (the lower address/port first), so both
 * directions of a conversation find the same record. Counters are kept per endpoint ("sent by
 * endpoint 0/1"); who is client and who is server is decided when the report is built, from the
 * evidence each flow keeps (see report.h).
 */
#ifndef PS_FLOW_H
#define PS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "base.h"

/*
 * Fixed size and zeroed before it is filled: hashing and comparing see only defined bytes.
 */
struct flow_key {
    uint8_t addr[2][16]; /* [0] is the endpoint that sorts first (address, then port) */
    uint16_t port[2];
    uint8_t proto;
    uint8_t family;
    uint16_t scope; /* enum pkt_scope << 12 | VLAN id (under --vlan-in-key, else 0) */
};

/* The two parts of flow_key.scope. */
#define FLOW_KEY_SCOPE(k) ((uint8_t)((k)->scope >> 12))
#define FLOW_KEY_VLAN(k)  ((uint16_t)((k)->scope & 0x0fff))

/* Bits of flow.role_seen: what role evidence each endpoint showed. */
#define FLOW_OPEN_FROM(e) (0x01u << (e)) /* endpoint e opened: SYN, INIT, echo request */
#define FLOW_ACCEPT_FROM(e)                                                                        \
    (0x04u << (e)) /* endpoint e accepted: SYN+ACK, INIT ACK, echo reply                           \
                    */

/* Why a flow began: its first packet, or a rule that ended the flow before it on the same key. */
enum flow_start {
    FLOW_START_FIRST = 0,       /* the first packet of this key */
    FLOW_START_SYN_AFTER_CLOSE, /* a SYN with a new sequence number after FIN both ways or a RST */
    FLOW_START_SYN_NEW_ISN,     /* a SYN with a new sequence number on an open connection (--profile
                                   wireshark: Wireshark's "port numbers reused") */
    FLOW_START_IDLE,            /* the flow before it was idle longer than its idle timeout */
    FLOW_START_ACTIVE,          /* the flow before it lasted longer than the active timeout */
};

/* Why a flow ended (flow.end), for exporters (IPFIX flowEndReason). */
enum flow_end {
    FLOW_END_NONE = 0, /* it lasted to the end of the input */
    FLOW_END_IDLE,     /* idle longer than its idle timeout */
    FLOW_END_ACTIVE,   /* lasted longer than the active timeout */
    FLOW_END_CLOSED,   /* TCP: closed (FIN both ways or a RST), or a new SYN started the next */
};

/* TCP endpoint states, after Zeek's TCP analyzer; conn_state is derived from the pair. */
enum tcp_endpoint {
    TCP_INACTIVE = 0,
    TCP_SYN_SENT,
    TCP_SYN_ACK_SENT,
    TCP_PARTIAL, /* sent something, but no SYN was seen */
    TCP_ESTABLISHED,
    TCP_CLOSED, /* sent a FIN */
    TCP_RESET,  /* sent a RST */
};

/* Bits of flow_tcp.seen[e]. */
#define TCP_SEEN_BASE 0x01 /* base_seq[e] holds endpoint e's first sequence number */
#define TCP_SEEN_END  0x02 /* seq_end[e] holds the highest sequence end sent */
#define TCP_SEEN_FIN  0x04
#define TCP_SEEN_RST  0x08
#define TCP_SEEN_ZWIN 0x10 /* advertised a zero window */

#define FLOW_HISTORY_MAX 23

struct flow_tcp {
    uint32_t base_seq[2]; /* first sequence number each endpoint sent (its ISN after a SYN) */
    uint32_t seq_end[2];  /* highest sequence number + segment length each endpoint sent */
    uint32_t retrans[2];  /* segments that resent sequence space already seen */
    uint32_t payload_retrans[2];        /* those of them that carried payload */
    ps_time syn_at, syn_ack_at, ack_at; /* the handshake, when seen (FLOW_TCP_HAVE_*) */
    uint8_t state[2];                   /* enum tcp_endpoint */
    uint8_t seen[2];                    /* TCP_SEEN_* */
    uint8_t have;                       /* FLOW_TCP_HAVE_* */
    uint8_t history_len;
    uint8_t flags[2];    /* the union of the TCP flags each endpoint sent (IPFIX tcpControlBits) */
    uint16_t letters[2]; /* history letters each endpoint has recorded already */
    /* Zeek history letters in order of first sight, upper case for endpoint 0, lower case for
     * endpoint 1; the report turns them into originator (upper) and responder (lower). */
    char history[FLOW_HISTORY_MAX];
};

#define FLOW_TCP_HAVE_SYN     0x01
#define FLOW_TCP_HAVE_SYN_ACK 0x02
#define FLOW_TCP_HAVE_ACK     0x04

/* Bits of flow.quality: what the capture missed or garbled of this flow. */
#define FLOW_Q_MIDSTREAM 0x01 /* TCP whose first packet was no SYN or SYN+ACK */
#define FLOW_Q_SNAPLEN   0x02 /* some packet was cut short by the snapshot length */
#define FLOW_Q_BACKWARDS 0x04 /* some packet's timestamp was earlier than the one before it */
#define FLOW_Q_NO_IP_LEN 0x08 /* some packet's IP length field was 0 (TSO, BIG TCP) */

struct flow {
    struct flow_key key;
    ps_time first_seen, last_seen;
    uint64_t packets[2];       /* sent by endpoint 0, by endpoint 1 */
    uint64_t bytes[2];         /* frame bytes as on the wire (original length) */
    uint64_t ip_bytes[2];      /* the IP datagrams' lengths, as their headers give them */
    uint64_t payload_bytes[2]; /* transport payload, from the headers' lengths */
    uint32_t id;               /* position in creation order */
    uint32_t prev;             /* id + 1 of the flow this one follows on the same key; 0 = none */
    uint32_t icmp_errors;      /* first of the flow's ICMP error records, + 1; 0 = none */
    uint16_t path_id;          /* encapsulation path, interned by the table; 0 = none */
    uint8_t first_sender;      /* endpoint that sent the first packet */
    uint8_t role_seen;         /* FLOW_OPEN_FROM / FLOW_ACCEPT_FROM bits */
    uint8_t start;             /* enum flow_start */
    uint8_t quality;           /* FLOW_Q_* */
    uint8_t end;               /* enum flow_end */
    bool ended;                /* a later flow took over the key */
    bool gone;                 /* stored, or ended while streaming: its record is reusable */
    uint8_t app;               /* enum app_proto each endpoint's payload showed: FLOW_APP_OF() */
    uint8_t app_state;         /* per endpoint: payload packets looked at, FLOW_APP_CUT, _DONE */
    uint16_t app_name;         /* the TLS server name, interned by the table; 0 = none */
    /* IP TTL / hop limit of each endpoint's first packet with a non-zero one; 0 = none yet. In
     * what was padding before `tcp`: the record keeps its size. */
    uint8_t ttl[2];
    struct flow_tcp tcp; /* all zero unless the protocol is TCP */
};

/*
 * What a flow's first payload bytes showed, per endpoint (flow_app.c): the protocol in 4 bits
 * each, and in flow.app_state 4 bits each: how many payload packets were looked at (2 bits), and
 * whether any was cut short by the snapshot length or the endpoint is decided (no more looks).
 */
#define FLOW_APP_OF(f, e)  ((uint8_t)((f)->app >> ((e)*4) & 0xf))
#define FLOW_APP_LOOKED(e) (0x03u << ((e)*4))
#define FLOW_APP_CUT(e)    (0x04u << ((e)*4))
#define FLOW_APP_DONE(e)   (0x08u << ((e)*4))
#define FLOW_APP_LOOKS     2 /* payload packets looked at per endpoint, at most */

/* Bits of what decode_app() said of a packet's payload, for flow_table_note_app(). */
#define FLOW_PKT_APP_LOOKED 0x80 /* a TCP or UDP packet with payload was looked at */
#define FLOW_PKT_APP_CUT    0x40 /* not recognised: its bytes ended early, cut by the snaplen */
#define FLOW_PKT_APP_PROTO  0x0f /* enum app_proto */
_Static_assert(APP__COUNT <= 16, "an app_proto fits 4 bits");

/* The longest TLS server name kept, in bytes as sent (a DNS name has at most 253). */
#define FLOW_APP_NAME_MAX 255

/* ICMP errors counted on a flow, one record per (type, code). */
struct flow_icmp_error {
    uint32_t next;  /* next record of the same flow, + 1; 0 = none */
    uint8_t family; /* 4: ICMP, 6: ICMPv6 */
    uint8_t type, code;
    uint64_t packets, bytes;
};

/* "tcp", "udp", "icmp", "other": a class of protocols (ipproto_flow_class()) as options name it. */
const char *flow_class_name(enum flow_class c);

/* When a flow ends and the next packet on its key starts another. */
struct flow_lifecycle {
    ps_time idle[FLOW_CLASSES];   /* idle timeout per class; 0 = none */
    ps_time active[FLOW_CLASSES]; /* active timeout per class; 0 = none */
    ps_time tcp_close_delay;      /* idle timeout of a TCP connection once closed; 0 = none */
    bool syn_new_isn;             /* a SYN with a new ISN always starts a new flow (Wireshark) */
};

/*
 * Zeek's timeouts in seconds (base/init-bare.zeek), the --profile zeek defaults: named once here,
 * for flow_lifecycle_zeek() and for the text --help and the man page give of them.
 */
#define FLOW_ZEEK_IDLE_TCP    300 /* tcp_inactivity_timeout */
#define FLOW_ZEEK_IDLE_OTHER  60  /* udp_ and icmp_inactivity_timeout; other protocols as UDP */
#define FLOW_ZEEK_CLOSE_DELAY 5   /* tcp_close_delay */

/* The presets: Zeek's timeouts (above), or Wireshark's (none). */
void flow_lifecycle_zeek(struct flow_lifecycle *lc);
void flow_lifecycle_wireshark(struct flow_lifecycle *lc);

/*
 * Builds the canonical key for a decoded packet and tells which endpoint sent it (0 or 1).
 */
void flow_key_from_packet(const struct pkt_info *pkt, struct flow_key *key, uint8_t *sender);

struct flow_table;

/*
 * A table that holds at most `max_flows` flows (0: no limit but memory). `seed` randomises the
 * hash so crafted traffic cannot force collisions; the report never depends on it. `lifecycle`
 * (NULL: never end a flow) says when a packet starts a new flow on a key that has one.
 * Returns NULL when out of memory.
 */
struct flow_table *flow_table_new(size_t max_flows, uint64_t seed,
                                  const struct flow_lifecycle *lifecycle);
void flow_table_free(struct flow_table *t);

/* What a packet brings to its flow besides its headers. */
struct flow_packet {
    ps_time ts;
    uint32_t wire_len; /* the frame's original length */
    bool snap_cut;     /* captured length below the original length */
};

/*
 * Adds one packet to its flow, creating the flow on first sight, or a new one when the
 * lifecycle ends the flow its key has. *sender is set to the endpoint that sent it. Returns the
 * flow, or NULL when a new flow was needed and the table is full or memory ran out (the caller
 * counts the packet as skipped).
 */
struct flow *flow_table_add_packet(struct flow_table *t, const struct pkt_info *pkt,
                                   const struct flow_packet *fp, uint8_t *sender);

/*
 * The same in steps, for a reader that looks a few packets ahead: a packet's lookup is prepared
 * (its key hashed and the index memory it will need requested from RAM) well before it is added,
 * so that the cache misses of several packets overlap instead of following one another.
 */
struct flow_lookup {
    struct flow_key key;
    uint64_t hash;
    uint8_t sender;
};

/* Builds the packet's key and hash and prefetches its index slot. */
void flow_table_prepare(const struct flow_table *t, const struct pkt_info *pkt,
                        struct flow_lookup *lk);

/*
 * flow_table_prepare() in two steps, for a reader on another thread: the key and hash, with a
 * copy of the table's hash secrets (the table itself is the other thread's), then the prefetch of
 * the index slot, on the table's own thread.
 */
struct flow_hasher {
    uint64_t secret[6];
};
void flow_table_hasher(const struct flow_table *t, struct flow_hasher *h);
void flow_hasher_prepare(const struct flow_hasher *h, const struct pkt_info *pkt,
                         struct flow_lookup *lk);
void flow_table_prefetch_slot(const struct flow_table *t, const struct flow_lookup *lk);

/* Later, once the slot is likely cached: prefetches the flow record the slot points to. */
void flow_table_prefetch_flow(const struct flow_table *t, const struct flow_lookup *lk);

/* flow_table_add_packet() for a prepared lookup (prepared on this table, for this packet). */
struct flow *flow_table_add_prepared(struct flow_table *t, const struct pkt_info *pkt,
                                     const struct flow_lookup *lk, const struct flow_packet *fp);

/* Counts a packet known to belong to `f`, sent by endpoint `sender` (fragments, ICMP errors). */
void flow_account(struct flow *f, uint8_t sender, const struct flow_packet *fp,
                  const struct pkt_info *pkt);

/* flow_account() for a flow of table `t`, which notes when the packet moves its first time back. */
void flow_table_account(struct flow_table *t, struct flow *f, uint8_t sender,
                        const struct flow_packet *fp, const struct pkt_info *pkt);

/* Tells the table a flow's first packet time moved back otherwise (held fragments). */
void flow_table_first_seen_moved(struct flow_table *t);

/*
 * Whether the flows, in order of creation, are in the report's order too: by first packet time,
 * then by key (flow_key_compare()). So they are when timestamps never go back, unless two flows
 * start at the same time in the other order of their keys.
 */
bool flow_table_in_order(const struct flow_table *t);

/* The order of keys in the report, among flows first seen at the same time. */
int flow_key_compare(const struct flow_key *a, const struct flow_key *b);

/* TCP: what one segment from endpoint `sender` changes in the connection's state. */
void flow_tcp_update(struct flow *f, uint8_t sender, const struct pkt_info *pkt, ps_time ts);

/*
 * Zeek's conn_state of a TCP flow (base/protocols/conn/main.zeek): computed once per flow by
 * flow_tcp_conn_state(), kept as a byte by the report, named by flow_tcp_conn_state_name().
 */
enum flow_conn_state {
    FLOW_CONN_NONE, /* not TCP */
    FLOW_CONN_S0,
    FLOW_CONN_S1,
    FLOW_CONN_SF,
    FLOW_CONN_REJ,
    FLOW_CONN_S2,
    FLOW_CONN_S3,
    FLOW_CONN_RSTO,
    FLOW_CONN_RSTR,
    FLOW_CONN_RSTOS0,
    FLOW_CONN_RSTRH,
    FLOW_CONN_SH,
    FLOW_CONN_SHR,
    FLOW_CONN_OTH,
    FLOW_CONN__COUNT
};

/* The conn_state of a TCP flow whose originator is endpoint `client` (never FLOW_CONN_NONE). */
enum flow_conn_state flow_tcp_conn_state(const struct flow *f, uint8_t client);

/* "S0", "SF", "REJ", ...; NULL for FLOW_CONN_NONE and for values past the last state. */
const char *flow_tcp_conn_state_name(uint8_t state);

/* Zeek's history string with `client` as originator, into buf (at least FLOW_HISTORY_MAX + 2). */
void flow_tcp_history(const struct flow *f, uint8_t client, char *buf, size_t len);

const char *flow_start_name(enum flow_start s);

/*
 * Builds the key of the flow an ICMP error's quoted packet belongs to, and which endpoint of it
 * the error speaks for (the quoted packet's destination, whose answer the error stands in for).
 */
void flow_key_from_quote(const struct pkt_quote *quote, uint16_t vlan, struct flow_key *key,
                         uint8_t *answering);

/* Counts one ICMP error of (family, type, code) on `f`. Returns -1 when out of memory. */
int flow_table_add_icmp_error(struct flow_table *t, struct flow *f, uint8_t family, uint8_t type,
                              uint8_t code, uint32_t wire_len);

/* The ICMP error record numbered `ref` (flow.icmp_errors or a record's next), or NULL for 0. */
const struct flow_icmp_error *flow_table_icmp_error(const struct flow_table *t, uint32_t ref);

/*
 * After the last packet: puts every kept flow in the compact store and frees what only adding
 * packets needs (records, indexes), so that the report is built in that memory. Neither adding
 * nor lookups may follow; flow_table_get() reads the flows.
 */
void flow_table_seal(struct flow_table *t);

/*
 * Finds the latest flow of a key without creating one, to count more on it; NULL when absent.
 * A flow's record stays where it is while the flow is live; a kept flow that went quiet may be
 * moved to the compact store, and comes back to a record when a lookup finds it.
 */
struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *key);

/*
 * The record of kept flow `id` (a pointer held since may be stale once the flow went to the
 * store: compare its id), brought back from the store when needed. NULL while streaming, for a
 * flow already handed out, or when memory ran out.
 */
struct flow *flow_table_resume(struct flow_table *t, uint32_t id);

/*
 * Streaming (--format jsonl): before the first packet, makes the flows leave the table as they
 * end: a copy of each joins the table's queue of ended flows, in the order they ended, and its
 * record is freed, so that memory follows the live flows. A flow ends when a packet on its key
 * starts a later one (flow_table_add_*()), when flow_table_advance() finds it past its timeout,
 * or at flow_table_end_all(). Returns -1 when out of memory.
 */
int flow_table_stream(struct flow_table *t);

/*
 * The queue holds this many flows between takes: flow_table_advance() and flow_table_end_all()
 * stop when it is full and go on once it was taken. Adding a packet may end one flow more.
 */
#define FLOW_QUEUE_ROOM 1024

/*
 * Streaming: takes the next ended flow from the queue, the first to end first; NULL when none
 * waits (and always when keeping). The flow is good until the table changes next.
 */
const struct flow *flow_table_ended(struct flow_table *t);

/*
 * With each packet's time, before the packet is added: streaming, ends the flows whose idle or
 * active timeout has passed; keeping, moves flows quiet for a while to the compact store.
 * Returns true when ended flows wait in the queue, from this call or from packets added since the
 * last: take them all (flow_table_ended()), then call again with the same time, which goes on
 * where a full queue stopped it, until it returns false. Keeping: always false.
 */
bool flow_table_advance(struct flow_table *t, ps_time now);

/*
 * Streaming, after the last packet: ends every flow still live, in order of creation. Returns 1
 * when ended flows wait in the queue: take them all, then call again; 0 once every flow has
 * ended and been taken (keeping: at once); -1 when out of memory.
 */
int flow_table_end_all(struct flow_table *t);

/* Flows created so far, in all and by protocol class. */
size_t flow_table_count(const struct flow_table *t);
size_t flow_table_count_class(const struct flow_table *t, enum flow_class c);

/*
 * Kept flow i (0 <= i < flow_table_count()), in order of creation: a pointer to its live record,
 * or to `buf` filled in from the compact store. The pointer is good until the next call with the
 * same `buf`, or until the table changes. Not while streaming: streamed flows leave by the queue.
 */
const struct flow *flow_table_get(const struct flow_table *t, size_t i, struct flow *buf);

/* Asks for kept flow i's record to be brought into the cache, some flows before
 * flow_table_get() or flow_table_roles() reads it; i past the end does nothing. */
void flow_table_prefetch_kept(const struct flow_table *t, size_t i);

/*
 * A packet whose payload was looked at (`app`: FLOW_PKT_APP_*), from endpoint `sender` of `f` (just
 * added): counted among the endpoint's first payload packets until the endpoint is decided, its
 * protocol and the server `name` (name_len bytes, may be 0) kept. Only a TCP segment at the start
 * of its stream is looked into. Cheap to call once an endpoint is decided (one test).
 */
void flow_table_note_app(struct flow_table *t, struct flow *f, uint8_t sender,
                         const struct pkt_info *pkt, uint8_t app, const uint8_t *name,
                         size_t name_len);

/*
 * The server name interned as `id` (flow.app_name): printable ASCII, other bytes and the backslash
 * as \xHH; NULL for 0 and for ids not given out.
 */
const char *flow_table_app_name(const struct flow_table *t, uint16_t id);

/*
 * Kept flow i's key (into *key) and its role_seen bits, without decoding the rest of a stored flow:
 * for a pass over every flow that needs no more (the report's --ephemeral auto).
 */
uint8_t flow_table_roles(const struct flow_table *t, size_t i, struct flow_key *key);

/* The encapsulation path interned as `path_id` (NULL, 0 for id 0). */
const struct encap *flow_table_path(const struct flow_table *t, uint16_t path_id, size_t *len);

#endif
