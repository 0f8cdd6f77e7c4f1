/*
 * frag.h - the fragment table: how fragments after the first find the flow of their datagram.
 *
 * Only the first fragment of an IP datagram carries ports, so it is the one that names the flow.
 * The table remembers, per (source, destination, protocol, identification), which flow that was;
 * later fragments are counted there. Later fragments that arrive before their first are held
 * (as counts) until it comes; if it never does, within the timeout, they are orphans.
 */
#ifndef PS_FRAG_H
#define PS_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "base.h"

/* Linux forgets fragments after 30 s (net.ipv4.ipfrag_time); we allow a captured datagram twice
 * that. */
#define FRAG_TIMEOUT_NS       ((ps_time)60 * 1000000000)
#define FRAG_DEFAULT_CAPACITY 65536

struct frag_stats {
    uint64_t held_packets, held_bytes;     /* later fragments waiting for their first, now */
    uint64_t orphan_packets, orphan_bytes; /* later fragments whose first never came */
    uint64_t evicted;                      /* entries dropped because the table was full */
};

struct frag_table;

/*
 * A table of at most `capacity` datagrams; `seed` (ps_hash_seed()) keys its hash. NULL when out of
 * memory.
 */
struct frag_table *frag_table_new(size_t capacity, ps_time timeout, uint64_t seed);
void frag_table_free(struct frag_table *t);

/*
 * A first fragment that joined flow `f` as endpoint `sender`. Later fragments held for it are
 * counted on the flow now; their number and bytes are added to the two counters given.
 */
void frag_table_first(struct frag_table *t, const struct pkt_fragment *frag, struct flow *f,
                      uint8_t sender, ps_time ts, uint64_t *moved_packets, uint64_t *moved_bytes);

/*
 * A later fragment (pkt->fragment names its datagram; pkt->ip_len and payload_len are its share
 * of the datagram's bytes). Returns the flow its datagram belongs to, and sets the sender, when the
 * first fragment was seen (`flows` is the table that flow is in); otherwise holds it and returns
 * NULL.
 */
struct flow *frag_table_later(struct frag_table *t, struct flow_table *flows,
                              const struct pkt_info *pkt, ps_time ts, uint32_t wire_len,
                              uint8_t *sender);

/* Ends the input: every fragment still held becomes an orphan. */
void frag_table_flush(struct frag_table *t);

const struct frag_stats *frag_table_stats(const struct frag_table *t);
size_t frag_table_capacity(const struct frag_table *t);

#endif
