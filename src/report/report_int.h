/*
 * report_int.h - what the report module's files share, private to src/report (and to the unit
 * tests that check its parts).
 */
#ifndef PS_REPORT_INT_H
#define PS_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/*
 * The services and client hosts of a report, gathered from its flows one at a time
 * (report_gather.c): for at most `n` flows of `r`; NULL when out of memory.
 */
struct report_aggregation;
struct report_aggregation *report_aggregation_new(struct report *r, size_t n);
/* Counts a flow that has ports in its service and its client host; -1 when out of memory. */
int report_aggregation_add(struct report_aggregation *a, struct report *r,
                           const struct report_gather_item *it);
/* After the last flow: r->services and r->clients complete (each host judged) and in the report's
 * order; frees `a` first, so that what comes next has its memory. -1 when out of memory. */
int report_aggregation_end(struct report_aggregation *a, struct report *r);
/* Frees `a` when gathering stops early (memory ran out); NULL does nothing. */
void report_aggregation_free(struct report_aggregation *a);

/*
 * One client connection as the judging of a host's ports (report_hostports.c) sees it: 24 bytes,
 * kept for every flow with ports while the report gathers, in any order.
 */
struct report_port_use {
    uint32_t order; /* the flow's report id: its rank in first-seen order */
    uint32_t dest;  /* report_port_dest() of the flow's server */
    uint32_t host;  /* the client host's entry in r->clients while gathering; free after */
    uint16_t port;  /* the client port */
    uint8_t proto;
    uint8_t ttl; /* the TTL of the client's first packet; 0: none */
};

/* One per flow while the client hosts are gathered: kept small. */
_Static_assert(sizeof(struct report_port_use) <= 16, "a port use is 16 bytes");

/* The destination of a flow (server address, port, protocol, scope), hashed with fixed keys so
 * that the judging is the same on every run. */
uint32_t report_port_dest(const struct flow_key *key, uint8_t client);

/* The order in which a host's connections are judged: first seen, then destination, port and
 * protocol (qsort()'s comparison of two of them). */
int report_port_uses_compare(const void *a, const void *b);

/*
 * Judges host `c` from its connections `uses` (`n` of them, in any order: judged in
 * report_port_uses_compare() order; `uses` may be left reordered) and its ttl_flows and
 * ephemeral_all: fills c->choice and c->ports. `scratch` and `keys` have room for `n` each.
 * c->choice.more is allocated when the host has a wrap or more ports in order of use than
 * REPORT_PORTS_LISTED (report_ports_release() frees it). Returns 0, or -1 when out of memory.
 */
int report_ports_judge(struct report_client *c, struct report_port_use *uses, size_t n,
                       struct report_port_use *scratch, uint64_t *keys);

/* Frees what report_ports_judge() allocated for `c`. */
void report_ports_release(struct report_client *c);

/* Counts a client flow's TTL (its client's first; 0: none) in host `c`'s choice.ttl_flows. */
void report_ports_count_ttl(struct report_client *c, uint8_t ttl);

/* The ephemeral profiles --ephemeral auto counts a host's ports in (the first of
 * ports_ephemeral_profiles; nine are known): what one cache line per host holds. */
#define REPORT_RANGES_PROFILES 11

/*
 * --ephemeral auto (report_ranges.c): each client host's range from a first pass over `table`'s
 * flows, set in r->settings.host_ranges (which report_release() frees). -1 when out of memory.
 */
int report_ranges_find(struct report *r, const struct flow_table *table);
void report_ranges_free(struct report_host_ranges *h);
/* How many client hosts the first pass found (h NULL: 0): what the gathering's tables start at. */
size_t report_ranges_hosts(const struct report_host_ranges *h);
/* The first pass's number + 1 (below report_ranges_hosts() + 1) of the client host of flow
 * `flow` of the table when the pass counted the flow (its client certain), else 0; h NULL: 0. */
uint32_t report_ranges_flow_host(const struct report_host_ranges *h, uint32_t flow);
/* Frees what only the gathering reads (each flow's host number: 4 bytes a flow), once it has every
 * flow; report_ranges_flow_host() is 0 after. h NULL: nothing. */
void report_ranges_gathered(struct report_host_ranges *h);
/* The number + 1 of host (family, addr) when the first pass counted it, else 0; h NULL: 0. */
uint32_t report_ranges_addr_host(const struct report_host_ranges *h, uint8_t family,
                                 const uint8_t *addr);
/* The first pass's host `host` (its number, not + 1): its family, address and range in force,
 * into `c`. */
void report_ranges_fill_client(const struct report_host_ranges *h, uint32_t host,
                               struct report_client *c);

/*
 * The rungs of the role ladder that rest on evidence (report_roles.c): who opened, who accepted,
 * which port alone has a service name, from a flow's key and role_seen bits. True when one of
 * them decides, with rf->client and rf->reason set.
 */
bool report_roles_by_evidence(struct report_flow *rf, const struct flow_key *key, uint8_t role_seen,
                              const struct report_settings *s);

/*
 * The view (report_view.c), once r->flows are in the report's order with their ids: keeps the rows
 * whose flows `selected` marks (a bit per flow, by its number in the table; NULL: every flow),
 * then orders them (report_view_order()). -1 when out of memory.
 */
int report_view_build(struct report *r, const uint8_t *selected);

/* r->order and r->n_shown from r->flows, r->settings.sort and .top. -1 when out of memory. */
int report_view_order(struct report *r);

/*
 * Where the gathering's probe for client host (family, addr) starts in its table of `n_slots`
 * slots (linear probing from there), and that for a pair of its distinct counts (service << 32 |
 * host) in a set of `n_slots`; keyed with ps_hash2_secrets() of the run's seed.
 * Exposed so that the tests measure the spread of the tables' own hashes rather than of copies.
 */
size_t report_host_home(const uint64_t secret[2], uint8_t family, const uint8_t *addr,
                        size_t n_slots);
size_t report_pair_home(const uint64_t secret[2], uint64_t pair, size_t n_slots);
/* report_host_home() in two steps: the host's hash, then its slot of `n_slots`, for a table that
 * keeps part of the hash in its slots (report_ranges.c). */
uint64_t report_host_hash(const uint64_t secret[2], uint8_t family, const uint8_t *addr);
size_t report_hash_slot(uint64_t hash, size_t n_slots);

#endif
