/*
 * decode_link.c - link layers: Ethernet (with 802.1Q/802.1ad tags), Linux cooked capture v1 and
 * v2, raw IP, and BSD loopback (NULL and LOOP).
 */
#include "decode.h"

#define ETHERTYPE_IPV4     0x0800
#define ETHERTYPE_IPV6     0x86dd
#define ETHERTYPE_VLAN     0x8100 /* IEEE 802.1Q */
#define ETHERTYPE_QINQ     0x88a8 /* IEEE 802.1ad service tag */
#define ETHERTYPE_QINQ_OLD 0x9100 /* pre-standard QinQ, still seen on real switches */

/* Values below this in the Ethernet type field are an 802.3 length, not a type (IEEE 802.3 3.2.6).
 */
#define ETHERTYPE_MIN 0x0600

/* Address family values BSD loopback headers carry for IPv6: they differ per OS. */
#define BSD_AF_INET          2
#define BSD_AF_INET6_BSD     24 /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30
#define BSD_AF_INET6_LINUX   10
#define BSD_AF_INET6_WIN     23

static void record_encap(struct pkt_info *out, uint8_t kind, uint32_t id)
{
    if (out->n_encap < PS_ENCAP_MAX) {
        out->encap[out->n_encap].kind = kind;
        out->encap[out->n_encap].id = id;
        out->n_encap++;
    }
}

bool decode_linktype_supported(int linktype)
{
    switch (linktype) {
    case PS_DLT_NULL:
    case PS_DLT_EN10MB:
    case PS_DLT_RAW:
    case PS_DLT_RAW_OBSD:
    case PS_DLT_RAW_PCAP:
    case PS_DLT_LOOP:
    case PS_DLT_LINUX_SLL:
    case PS_DLT_IPV4:
    case PS_DLT_IPV6:
    case PS_DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

enum ps_skip decode_ethertype(uint16_t ethertype, struct rd *r, struct pkt_info *out)
{
    switch (ethertype) {
    case ETHERTYPE_IPV4:
        return decode_ipv4(r, out);
    case ETHERTYPE_IPV6:
        return decode_ipv6(r, out);
    default:
        return PS_SKIP_NON_IP;
    }
}

/*
 * 802.2 LLC with a SNAP header whose OUI is 0 carries an Ethernet type (RFC 1042); any other LLC
 * payload (spanning tree, NetBIOS, ...) is not IP.
 */
static enum ps_skip decode_llc(struct rd *r, struct pkt_info *out)
{
    uint8_t llc[8];

    if (!rd_peek_bytes(r, 0, llc, 3))
        return PS_SKIP_TRUNC_LINK;
    if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
        return PS_SKIP_NON_IP;
    if (!rd_peek_bytes(r, 0, llc, sizeof(llc)))
        return PS_SKIP_TRUNC_LINK;
    if (llc[3] != 0 || llc[4] != 0 || llc[5] != 0)
        return PS_SKIP_NON_IP;
    rd_skip(r, sizeof(llc));
    return decode_ethertype((uint16_t)((llc[6] << 8) | llc[7]), r, out);
}

static enum ps_skip decode_ethernet(struct rd *r, struct pkt_info *out)
{
    uint16_t type;

    if (!rd_skip(r, 12) || !rd_be16(r, &type))
        return PS_SKIP_TRUNC_LINK;
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
        uint16_t tci;

        if (!rd_be16(r, &tci) || !rd_be16(r, &type))
            return PS_SKIP_TRUNC_LINK;
        record_encap(out, ENCAP_VLAN, tci & 0x0fff);
    }
    if (type < ETHERTYPE_MIN)
        return decode_llc(r, out);
    return decode_ethertype(type, r, out);
}

/* The protocol field of a cooked header is an Ethernet type, except for the few values below it. */
static enum ps_skip decode_cooked_protocol(uint16_t protocol, struct rd *r, struct pkt_info *out)
{
    if (protocol < ETHERTYPE_MIN) {
        /* LINUX_SLL_P_802_2: the payload starts with an 802.2 LLC header. */
        if (protocol == 0x0004)
            return decode_llc(r, out);
        return PS_SKIP_NON_IP;
    }
    return decode_ethertype(protocol, r, out);
}

/* Linux cooked capture v1: 16 bytes, protocol last (libpcap's pcap-linktype(7)). */
static enum ps_skip decode_sll(struct rd *r, struct pkt_info *out)
{
    uint16_t protocol;

    if (!rd_peek_be16(r, 14, &protocol) || !rd_skip(r, 16))
        return PS_SKIP_TRUNC_LINK;
    return decode_cooked_protocol(protocol, r, out);
}

/* Linux cooked capture v2: 20 bytes, protocol first. */
static enum ps_skip decode_sll2(struct rd *r, struct pkt_info *out)
{
    uint16_t protocol;

    if (!rd_peek_be16(r, 0, &protocol) || !rd_skip(r, 20))
        return PS_SKIP_TRUNC_LINK;
    return decode_cooked_protocol(protocol, r, out);
}

/* Raw IP: the version nibble is all there is to tell IPv4 from IPv6. */
static enum ps_skip decode_raw(struct rd *r, struct pkt_info *out)
{
    uint8_t first;

    if (!rd_peek_u8(r, 0, &first))
        return PS_SKIP_TRUNC_NETWORK;
    switch (first >> 4) {
    case 4:
        return decode_ipv4(r, out);
    case 6:
        return decode_ipv6(r, out);
    default:
        return PS_SKIP_INVALID_NETWORK;
    }
}

static enum ps_skip decode_bsd_family(uint32_t family, struct rd *r, struct pkt_info *out)
{
    switch (family) {
    case BSD_AF_INET:
        return decode_ipv4(r, out);
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
    case BSD_AF_INET6_LINUX:
    case BSD_AF_INET6_WIN:
        return decode_ipv6(r, out);
    default:
        return PS_SKIP_NON_IP;
    }
}

/*
 * DLT_NULL's family is in the byte order of the machine that captured, which the file does not
 * record. Family values are small, so whichever reading fits in the low byte is the right one.
 */
static enum ps_skip decode_null(struct rd *r, struct pkt_info *out)
{
    uint32_t le, be;

    if (!rd_peek_le32(r, 0, &le) || !rd_peek_be32(r, 0, &be))
        return PS_SKIP_TRUNC_LINK;
    rd_skip(r, 4);
    return decode_bsd_family(le <= 0xff ? le : be, r, out);
}

/* DLT_LOOP: like DLT_NULL, but the family is always in network byte order. */
static enum ps_skip decode_loop(struct rd *r, struct pkt_info *out)
{
    uint32_t family;

    if (!rd_be32(r, &family))
        return PS_SKIP_TRUNC_LINK;
    return decode_bsd_family(family, r, out);
}

enum ps_skip decode_link(int linktype, struct rd *r, struct pkt_info *out)
{
    switch (linktype) {
    case PS_DLT_EN10MB:
        return decode_ethernet(r, out);
    case PS_DLT_LINUX_SLL:
        return decode_sll(r, out);
    case PS_DLT_LINUX_SLL2:
        return decode_sll2(r, out);
    case PS_DLT_RAW:
    case PS_DLT_RAW_OBSD:
    case PS_DLT_RAW_PCAP:
        return decode_raw(r, out);
    case PS_DLT_IPV4:
        return decode_ipv4(r, out);
    case PS_DLT_IPV6:
        return decode_ipv6(r, out);
    case PS_DLT_NULL:
        return decode_null(r, out);
    case PS_DLT_LOOP:
        return decode_loop(r, out);
    default:
        return PS_SKIP_LINKTYPE;
    }
}
