/*
 * flow_store.h - finished flows kept compact: each one encoded into a few dozen bytes instead of
 * the record it had while packets came, so that a capture's memory follows its live flows.
 *
 * A record decodes back to exactly the struct flow it was made from, so the flow table can hand
 * a finished flow back to the packet path (a late packet, an ICMP error, a fragment) as if it had
 * never left.
 */
#ifndef PS_FLOW_STORE_H
#define PS_FLOW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Records live in chunks that never move; a location is the record's place in the store, with its
 * length. */
struct flow_store {
    uint8_t **chunks;
    size_t n_chunks; /* chunks in use; the last one takes new records */
    size_t n_alloc;  /* chunks allocated, some of them maybe ahead of use */
    size_t chunks_cap;
    size_t used;      /* bytes taken in the last chunk */
    uint64_t bytes;   /* bytes of every record put */
    uint64_t dropped; /* bytes of records no longer wanted (their flows went back to the table) */
    ps_time base;     /* times are written relative to the first flow's start */
    bool have_base;
};

#define FLOW_STORE_NONE UINT64_MAX

void flow_store_init(struct flow_store *s);
void flow_store_free(struct flow_store *s);

/* Appends a copy of `f`; returns its location, or FLOW_STORE_NONE when out of memory. */
uint64_t flow_store_put(struct flow_store *s, const struct flow *f);

/* The flow at `loc`, whose id is `id` (the store keeps no ids: the caller knows them); returns
 * the bytes its record takes. */
size_t flow_store_get(const struct flow_store *s, uint64_t loc, uint32_t id, struct flow *f);

/* Asks for the lines of the record at `loc` to be brought into the cache. */
void flow_store_prefetch(const struct flow_store *s, uint64_t loc);

/* Only the key of the flow at `loc`: what an index compare needs, at a fraction of the cost. */
void flow_store_key(const struct flow_store *s, uint64_t loc, struct flow_key *key);

/* The key and role_seen of the flow at `loc`: the flags follow the key, the rest is not read. */
uint8_t flow_store_roles(const struct flow_store *s, uint64_t loc, struct flow_key *key);

/* Records that a record of `len` bytes (flow_store_get()'s) is no longer wanted; its bytes stay
 * until a compaction. */
void flow_store_drop(struct flow_store *s, size_t len);

/* Copies the record at `loc` in `from` to the end of `to` (a store begun with the same base). */
uint64_t flow_store_move(struct flow_store *to, const struct flow_store *from, uint64_t loc);

/*
 * Takes room for `bytes` of records moved in with flow_store_move() at once, so that those moves
 * cannot fail. Returns false when out of memory.
 */
bool flow_store_reserve(struct flow_store *s, uint64_t bytes);

/* An empty store whose times are relative to the same base as `like`'s, for a compaction. */
void flow_store_init_like(struct flow_store *s, const struct flow_store *like);

/*
 * For a compaction that frees the old store as it goes: the chunk a location is in, the chunks
 * in use, and freeing one whose records are all read (moved) already. A released chunk is not
 * read again; flow_store_free() still frees the rest.
 */
size_t flow_store_chunk_of(uint64_t loc);
size_t flow_store_chunks(const struct flow_store *s);
void flow_store_release(struct flow_store *s, size_t chunk);

#endif
