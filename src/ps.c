/*
 * ps.c - names for the shared enums, and the hash tables' seed.
 */
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "ps.h"

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
