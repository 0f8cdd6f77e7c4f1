/*
 * ipproto.c - the table of IP protocols (base.h). Our own table, not getprotobynumber():
 * output must not depend on the machine's files.
 */
#include <stddef.h>
#include <string.h>

#include "base.h"

/*
 * Every number first, then the protocols we know, whose rows override theirs: a range of
 * elements is a GNU C extension (GCC and Clang), hence __extension__ and the pragma.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
__extension__ const struct ipproto ipproto_table[256] = {
    [0 ... 255] = {NULL, -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_ICMP] = {"icmp", -1, FLOW_CLASS_ICMP},
    [2] = {"igmp", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_IPIP] = {"ipip", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_TCP] = {"tcp", 0, FLOW_CLASS_TCP},
    [PS_IPPROTO_UDP] = {"udp", 1, FLOW_CLASS_UDP},
    [PS_IPPROTO_IPV6] = {"ipv6", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_GRE] = {"gre", -1, FLOW_CLASS_OTHER},
    [50] = {"esp", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_AH] = {"ah", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_ICMPV6] = {"icmpv6", -1, FLOW_CLASS_ICMP},
    [59] = {"ipv6-nonxt", -1, FLOW_CLASS_OTHER},
    [89] = {"ospf", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_PIM] = {"pim", -1, FLOW_CLASS_OTHER},
    [112] = {"vrrp", -1, FLOW_CLASS_OTHER},
    [115] = {"l2tp", -1, FLOW_CLASS_OTHER},
    [PS_IPPROTO_SCTP] = {"sctp", 2, FLOW_CLASS_OTHER},
    [136] = {"udplite", -1, FLOW_CLASS_OTHER},
};
#pragma GCC diagnostic pop

int ipproto_by_name(const char *name)
{
    for (int p = 0; p < 256; p++)
        if (ipproto_table[p].name != NULL && strcmp(ipproto_table[p].name, name) == 0)
            return p;
    return -1;
}
