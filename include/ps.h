/*
 * ps.h - types and limits shared by every portscope module.
 */
#ifndef PS_H
#define PS_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Room for one error message; every module that can fail fills one the caller owns. */
#define PS_ERRBUF_SIZE 256

/*
 * libpcap's MAXIMUM_SNAPLEN: the default and the largest snapshot length (-s), so also the most
 * bytes a sane capture record holds (libpcap's max_snaplen_for_dlt() gives no link type less).
 */
#define PS_SNAPLEN_MAX 262144

/* Nanoseconds since the Unix epoch: fits any capture until the year 2262. */
typedef int64_t ps_time;

/*
 * Why a packet did not join a flow. Every packet read ends either in a flow or under exactly one
 * of these reasons, so the report's totals reconcile. The report lists them in this order.
 */
enum ps_skip {
    PS_SKIP_NONE = 0,          /* not skipped: the packet joined a flow */
    PS_SKIP_LINKTYPE,          /* the input's link type is not one we decode */
    PS_SKIP_NON_IP,            /* the link layer carried something other than IP (ARP, LLDP, ...) */
    PS_SKIP_TRUNC_LINK,        /* captured bytes end inside the link-layer header */
    PS_SKIP_TRUNC_NETWORK,     /* captured bytes end inside the IPv4/IPv6 header or its options */
    PS_SKIP_TRUNC_TRANSPORT,   /* captured bytes end inside the TCP/UDP header */
    PS_SKIP_INVALID_LINK,      /* link-layer header holds impossible values */
    PS_SKIP_INVALID_NETWORK,   /* IP header holds impossible values (version, header length, ...) */
    PS_SKIP_INVALID_TRANSPORT, /* TCP/UDP header holds impossible values (data offset < 5, ...) */
    PS_SKIP_FRAGMENT,          /* a later IP fragment whose first fragment never came */
    PS_SKIP_FLOW_LIMIT,        /* the flow table is full (--max-flows) */
    PS_SKIP__COUNT
};

/* The report's name for a skip reason ("non_ip", "truncated_network", ...). */
const char *ps_skip_name(enum ps_skip reason);

/* One sentence a student can read, for the text report and the documentation. */
const char *ps_skip_description(enum ps_skip reason);

/*
 * A seed for the hash tables, so that crafted traffic cannot force collisions: it only needs to be
 * unpredictable to whoever crafts the traffic.
 */
uint64_t ps_hash_seed(void);

/*
 * malloc() for a large block used at random places: on huge pages where the system offers them
 * (transparent huge pages, asked for with madvise()), so that its accesses do not each miss the
 * TLB as well as the cache. Freed with free().
 */
void *ps_alloc_huge(size_t bytes);

/*
 * calloc() for a table whose memory is read before it is written (open addressing), on huge pages
 * when large: zeroed here, written, so that later first writes to its pages are not copy-on-write
 * faults from the shared zero page, each of which, while another thread runs, interrupts every
 * core to flush its TLB.
 */
void *ps_zalloc(size_t n, size_t size);

/*
 * The 128-bit product of a and b folded to 64 bits (wyhash's mum): the mixing step of the hashes
 * of the flow table and the report's tables.
 */
static inline uint64_t ps_mum(uint64_t a, uint64_t b)
{
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)a * b;

    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/*
 * A keyed hash of two words, for the report's tables. The product with the secrets alone is not
 * enough: for some secrets it maps regular keys (consecutive addresses, ports) onto a few clusters
 * of slots (about one seed in 36 made the benchmark trace's 20,480 client hosts probe more than 5
 * slots each on average, up to 900); a second product, with a fixed odd constant (Fibonacci
 * hashing's), spreads them.
 */
static inline uint64_t ps_hash2(uint64_t a, uint64_t b, const uint64_t secret[2])
{
    return ps_mum(ps_mum(a ^ secret[0], b ^ secret[1]), 0x9e3779b97f4a7c15ULL);
}

/* ps_hash2()'s two secrets, from a seed (ps_hash_seed()). */
static inline void ps_hash2_secrets(uint64_t seed, uint64_t secret[2])
{
    secret[0] = seed;
    secret[1] = ps_mum(seed ^ 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL);
}

/*
 * memcmp()'s order of two 4- or 16-byte addresses, read as big-endian words: the flow table orders
 * every packet's endpoints by it, and the report sorts its client hosts, without a call each time.
 */
static inline int ps_addr_compare(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 4) {
        uint32_t x, y;

        memcpy(&x, a, sizeof(x));
        memcpy(&y, b, sizeof(y));
        x = be32toh(x);
        y = be32toh(y);
        return (x > y) - (x < y);
    }
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x, y;

        memcpy(&x, a + i, sizeof(x));
        memcpy(&y, b + i, sizeof(y));
        if (x != y)
            return be64toh(x) < be64toh(y) ? -1 : 1;
    }
    return 0;
}

#endif
