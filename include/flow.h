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
#include "ps.h"

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
#define FLOW_OPEN_FROM(e)   (0x01u << (e)) /* endpoint e opened: SYN, INIT, echo request */
#define FLOW_ACCEPT_FROM(e) (0x04u << (e)) /* endpoint e accepted: SYN+ACK, INIT ACK, echo reply   \
                                            */

struct flow {
    struct flow_key key;
    ps_time first_seen, last_seen;
    uint64_t packets[2];  /* sent by endpoint 0, by endpoint 1 */
    uint64_t bytes[2];    /* frame bytes as on the wire (original length) */
    uint8_t first_sender; /* endpoint that sent the first packet */
    uint8_t role_seen;    /* FLOW_OPEN_FROM / FLOW_ACCEPT_FROM bits */
    uint16_t path_id;     /* encapsulation path, interned by the table; 0 = none */
    uint32_t icmp_errors; /* first of the flow's ICMP error records, + 1; 0 = none */
};

/* ICMP errors counted on a flow, one record per (type, code). */
struct flow_icmp_error {
    uint32_t next;  /* next record of the same flow, + 1; 0 = none */
    uint8_t family; /* 4: ICMP, 6: ICMPv6 */
    uint8_t type, code;
    uint64_t packets;
};

/*
 * Builds the canonical key for a decoded packet and tells which endpoint sent it (0 or 1).
 */
void flow_key_from_packet(const struct pkt_info *pkt, struct flow_key *key, uint8_t *sender);

struct flow_table;

/*
 * A table that holds at most `max_flows` flows (0: no limit but memory). `seed` randomises the
 * hash so crafted traffic cannot force collisions; the report never depends on it.
 * Returns NULL when out of memory.
 */
struct flow_table *flow_table_new(size_t max_flows, uint64_t seed);
void flow_table_free(struct flow_table *t);

/*
 * Adds one packet to its flow, creating the flow on first sight. `wire_len` is the frame's
 * original length; *sender is set to the endpoint that sent it. Returns the flow, or NULL when a
 * new flow was needed and the table is full or memory ran out (the caller counts the packet as
 * skipped).
 */
struct flow *flow_table_add_packet(struct flow_table *t, const struct pkt_info *pkt, ps_time ts,
                                   uint32_t wire_len, uint8_t *sender);

/* Counts a packet known to belong to `f`, sent by endpoint `sender` (fragments, ICMP errors). */
void flow_account(struct flow *f, uint8_t sender, ps_time ts, uint32_t wire_len);

/*
 * Builds the key of the flow an ICMP error's quoted packet belongs to, and which endpoint of it
 * the error speaks for (the quoted packet's destination, whose answer the error stands in for).
 */
void flow_key_from_quote(const struct pkt_quote *quote, uint16_t vlan, struct flow_key *key,
                         uint8_t *answering);

/* Counts one ICMP error of (family, type, code) on `f`. Returns -1 when out of memory. */
int flow_table_add_icmp_error(struct flow_table *t, struct flow *f, uint8_t family, uint8_t type,
                              uint8_t code);

/* The ICMP error record numbered `ref` (flow.icmp_errors or a record's next), or NULL for 0. */
const struct flow_icmp_error *flow_table_icmp_error(const struct flow_table *t, uint32_t ref);

/* Finds a flow without creating one; NULL when absent. Flows never move: pointers stay valid. */
struct flow *flow_table_lookup(const struct flow_table *t, const struct flow_key *key);

/* Number of flows, and flow i in order of creation (0 <= i < count). */
size_t flow_table_count(const struct flow_table *t);
const struct flow *flow_table_at(const struct flow_table *t, size_t i);

/* The encapsulation path interned as `path_id` (NULL, 0 for id 0). */
const struct encap *flow_table_path(const struct flow_table *t, uint16_t path_id, size_t *len);

#endif
