/*
 * ps.c - names for the shared enums, the hash tables' seed and memory.
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "base.h"

static const struct {
    const char *name;
    const char *description;
} skip_reasons[PS_SKIP__COUNT] = {
    [PS_SKIP_NONE] = {"none", "joined a flow"},
    [PS_SKIP_LINKTYPE] = {"unsupported_link_type", "link type portscope does not decode"},
    [PS_SKIP_NON_IP] = {"non_ip", "not an IP packet (ARP, LLDP, ...)"},
    [PS_SKIP_TRUNC_LINK] = {"truncated_link", "cut short inside the link-layer header"},
    [PS_SKIP_TRUNC_NETWORK] = {"truncated_network", "cut short inside the IP header"},
    [PS_SKIP_TRUNC_TRANSPORT] = {"truncated_transport", "cut short inside the TCP/UDP header"},
    [PS_SKIP_INVALID_LINK] = {"invalid_link", "impossible link-layer header"},
    [PS_SKIP_INVALID_NETWORK] = {"invalid_network", "impossible IP header"},
    [PS_SKIP_INVALID_TRANSPORT] = {"invalid_transport", "impossible TCP/UDP header"},
    [PS_SKIP_FRAGMENT] = {"orphan_fragment", "IP fragment whose first fragment never came"},
    [PS_SKIP_FLOW_LIMIT] = {"flow_limit", "flow table full (--max-flows)"},
};

const char *ps_skip_name(enum ps_skip reason)
{
    return reason < PS_SKIP__COUNT ? skip_reasons[reason].name : "unknown";
}

const char *ps_skip_description(enum ps_skip reason)
{
    return reason < PS_SKIP__COUNT ? skip_reasons[reason].description : "unknown";
}

uint64_t ps_hash_seed(void)
{
    uint64_t seed;

    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
        return seed;
    return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

/* A huge page on x86-64 and most others that have them; smaller blocks gain nothing. */
#define HUGE_PAGE ((size_t)2 << 20)

void *ps_alloc_huge(size_t bytes)
{
#ifdef MADV_HUGEPAGE
    void *p;

    if (bytes < HUGE_PAGE)
        return malloc(bytes);
    if (bytes > SIZE_MAX - HUGE_PAGE)
        return NULL;
    bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    p = aligned_alloc(HUGE_PAGE, bytes);
    /* Only advice: without huge pages the block works the same. */
    if (p != NULL)
        (void)madvise(p, bytes, MADV_HUGEPAGE);
    return p;
#else
    return malloc(bytes);
#endif
}

/* An anonymous mapping of `bytes`, asked for huge pages (from HUGE_PAGE) when `huge`. */
static void *map_pages(size_t bytes, bool huge)
{
#ifdef MAP_ANONYMOUS
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* Only advice: a kernel that places the mapping off a huge page's boundary, or has none,
     * gives small pages. */
    if (huge && bytes >= HUGE_PAGE)
        (void)madvise(p, bytes, MADV_HUGEPAGE);
#else
    (void)huge;
#endif
    return p;
#else
    /* A cache line's alignment at least, as callers that lay entries on lines expect. */
    void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);

    (void)huge;
    if (p != NULL)
        memset(p, 0, bytes);
    return p;
#endif
}

void *ps_map(size_t bytes)
{
    return map_pages(bytes, true);
}

void *ps_map_in_order(size_t bytes)
{
    return map_pages(bytes, false);
}

void ps_unmap(void *p, size_t bytes)
{
    if (p == NULL)
        return;
#ifdef MAP_ANONYMOUS
    munmap(p, bytes);
#else
    (void)bytes;
    free(p);
#endif
}

void *ps_zalloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    p = ps_alloc_huge(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}
