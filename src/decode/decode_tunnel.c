/*
 * decode_tunnel.c - tunnels, decoded down to the packet they carry: IP in IP (RFC 2003,
 * RFC 4213, RFC 2473), GRE (RFC 2784, RFC 2890, and PPTP's enhanced GRE of RFC 2637), VXLAN
 * (RFC 7348), Geneve (RFC 8926) and GTP-U (3GPP TS 29.281).
 *
 * The inner packet's flow is the one that counts. When what a tunnel carries cannot be decoded,
 * the packet stays in the tunnel's own (outer) flow rather than being lost.
 */
#include "decode_int.h"

#define ETHERTYPE_IPV4    0x0800
#define ETHERTYPE_IPV6    0x86dd
#define ETHERTYPE_TEB     0x6558 /* transparent Ethernet bridging: an Ethernet frame follows */
#define ETHERTYPE_PPP     0x880b
#define ETHERTYPE_ERSPAN2 0x88be
#define ETHERTYPE_WCCP    0x883e

#define PORT_VXLAN     4789
#define PORT_GENEVE    6081
#define PORT_GTPU      2152
#define PORT_VXLAN_GPE 4790

#define GRE_CHECKSUM 0x8000
#define GRE_ROUTING  0x4000
#define GRE_KEY      0x2000
#define GRE_SEQ      0x1000
#define GRE_ACK      0x0080 /* enhanced GRE only */

/* Runs `inner` on the payload; on failure puts the outer packet back, so its flow keeps it. */
static enum ps_skip enter(struct rd *r, struct pkt_info *out,
                          enum ps_skip (*inner)(struct rd *r, struct pkt_info *out))
{
    struct pkt_info outer = *out;
    struct rd saved = *r;
    enum ps_skip outcome;

    out->depth++;
    outcome = inner(r, out);
    if (outcome == PS_SKIP_NONE || outcome == PS_SKIP_FRAGMENT)
        return outcome;
    *out = outer;
    *r = saved;
    return PS_SKIP_NONE;
}

static enum ps_skip inner_ipv4(struct rd *r, struct pkt_info *out)
{
    decode_record_encap(out, out->family == 6 ? ENCAP_4IN6 : ENCAP_4IN4, false, 0);
    return decode_ipv4(r, out);
}

static enum ps_skip inner_ipv6(struct rd *r, struct pkt_info *out)
{
    decode_record_encap(out, out->family == 6 ? ENCAP_6IN6 : ENCAP_6IN4, false, 0);
    return decode_ipv6(r, out);
}

static enum ps_skip inner_ethernet(struct rd *r, struct pkt_info *out)
{
    return decode_link(PS_DLT_EN10MB, r, out);
}

/* What a GRE or Geneve header's protocol type announces. */
static enum ps_skip inner_by_ethertype(uint16_t type, struct rd *r, struct pkt_info *out)
{
    uint16_t ppp_protocol;

    switch (type) {
    case ETHERTYPE_TEB:
        return inner_ethernet(r, out);
    case ETHERTYPE_PPP:
        /* PPTP's PPP frames may keep the 0xff 0x03 address and control bytes. */
        if (rd_peek_be16(r, 0, &ppp_protocol) && ppp_protocol == 0xff03)
            rd_skip(r, 2);
        if (!rd_be16(r, &ppp_protocol))
            return PS_SKIP_TRUNC_LINK;
        return decode_ppp_protocol(ppp_protocol, r, out);
    default:
        return decode_ethertype(type, r, out);
    }
}

static enum ps_skip inner_gre(struct rd *r, struct pkt_info *out)
{
    uint16_t flags, type, call_id = 0;
    uint32_t key = 0;
    size_t header = 4;
    uint8_t version;

    if (!rd_peek_be16(r, 0, &flags) || !rd_peek_be16(r, 2, &type))
        return PS_SKIP_TRUNC_TRANSPORT;
    version = flags & 0x7;
    if (version == 0) {
        /* RFC 1701 source routing is obsolete; nothing sends it any more. */
        if (flags & GRE_ROUTING)
            return PS_SKIP_INVALID_TRANSPORT;
        if (flags & GRE_CHECKSUM)
            header += 4;
        if ((flags & GRE_KEY) && !rd_peek_be32(r, header, &key))
            return PS_SKIP_TRUNC_TRANSPORT;
        header += flags & GRE_KEY ? 4 : 0;
        header += flags & GRE_SEQ ? 4 : 0;
        decode_record_encap(out, ENCAP_GRE, flags & GRE_KEY, key);
    } else if (version == 1) {
        /* Enhanced GRE (RFC 2637 section 4.1): the key holds payload length and call id. */
        if (!(flags & GRE_KEY) || type != ETHERTYPE_PPP)
            return PS_SKIP_INVALID_TRANSPORT;
        if (!rd_peek_be16(r, 6, &call_id))
            return PS_SKIP_TRUNC_TRANSPORT;
        header += 4 + (flags & GRE_SEQ ? 4 : 0) + (flags & GRE_ACK ? 4 : 0);
        decode_record_encap(out, ENCAP_GRE, true, call_id);
    } else {
        return PS_SKIP_INVALID_TRANSPORT;
    }
    if (!rd_skip(r, header))
        return PS_SKIP_TRUNC_TRANSPORT;
    /*
     * WCCP redirection (draft-mclaggan-wccp-v2rev1 section 4.12): version 2 puts a 4-byte
     * redirect header before the IP packet, version 1 does not; the IP version nibble tells.
     */
    if (type == ETHERTYPE_WCCP) {
        uint8_t first;

        if (rd_peek_u8(r, 0, &first) && first >> 4 != 4 && first >> 4 != 6 && !rd_skip(r, 4))
            return PS_SKIP_TRUNC_TRANSPORT;
        return decode_ip_by_version(r, out);
    }
    /* ERSPAN type II (0x88be with a sequence number) puts an 8-byte header before the frame. */
    if (type == ETHERTYPE_ERSPAN2) {
        if ((flags & GRE_SEQ) && !rd_skip(r, 8))
            return PS_SKIP_TRUNC_LINK;
        return inner_ethernet(r, out);
    }
    return inner_by_ethertype(type, r, out);
}

/*
 * PIM Register (RFC 7761 section 4.9.3): a 4-byte PIM header of version 2 and type 1, 4 bytes of
 * flags, then the multicast packet the first-hop router is forwarding to the rendezvous point.
 */
static enum ps_skip inner_pim(struct rd *r, struct pkt_info *out)
{
    uint8_t ver_type;

    if (!rd_peek_u8(r, 0, &ver_type))
        return PS_SKIP_TRUNC_TRANSPORT;
    if (ver_type != 0x21)
        return PS_SKIP_INVALID_TRANSPORT; /* other PIM messages: the PIM flow keeps them */
    if (!rd_skip(r, 8))
        return PS_SKIP_TRUNC_TRANSPORT;
    decode_record_encap(out, ENCAP_PIM, false, 0);
    return decode_ip_by_version(r, out);
}

enum ps_skip decode_ip_tunnel(uint8_t proto, struct rd *r, struct pkt_info *out)
{
    out->proto = proto;
    out->payload_len = out->l4_len;
    if (!decode_may_enter_tunnel(out))
        return PS_SKIP_NONE;
    switch (proto) {
    case PS_IPPROTO_IPIP:
        return enter(r, out, inner_ipv4);
    case PS_IPPROTO_IPV6:
        return enter(r, out, inner_ipv6);
    case PS_IPPROTO_GRE:
        return enter(r, out, inner_gre);
    default:
        return enter(r, out, inner_pim);
    }
}

/*
 * VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe): VXLAN's header with a next-protocol byte: 1 IPv4,
 * 2 IPv6, 3 Ethernet, 4 NSH.
 */
static enum ps_skip inner_vxlan_gpe(struct rd *r, struct pkt_info *out)
{
    uint8_t flags, next;
    uint32_t word;

    if (!rd_peek_u8(r, 0, &flags) || !rd_peek_u8(r, 3, &next) || !rd_peek_be32(r, 4, &word))
        return PS_SKIP_TRUNC_TRANSPORT;
    /* The P flag says the next-protocol byte is there; without it this is plain VXLAN. */
    if (!(flags & 0x04))
        return PS_SKIP_INVALID_TRANSPORT;
    decode_record_encap(out, ENCAP_VXLAN_GPE, true, word >> 8);
    rd_skip(r, 8);
    return decode_next_protocol(next, r, out);
}

static enum ps_skip inner_vxlan(struct rd *r, struct pkt_info *out)
{
    uint8_t flags;
    uint32_t word;

    /* The I flag says the VNI is valid (RFC 7348 section 5); without it this is not VXLAN. */
    if (!rd_peek_u8(r, 0, &flags) || !rd_peek_be32(r, 4, &word))
        return PS_SKIP_TRUNC_TRANSPORT;
    if (!(flags & 0x08))
        return PS_SKIP_INVALID_TRANSPORT;
    decode_record_encap(out, ENCAP_VXLAN, true, word >> 8);
    rd_skip(r, 8);
    return inner_ethernet(r, out);
}

static enum ps_skip inner_geneve(struct rd *r, struct pkt_info *out)
{
    uint8_t ver_optlen;
    uint16_t type;
    uint32_t word;

    if (!rd_peek_u8(r, 0, &ver_optlen) || !rd_peek_be16(r, 2, &type) || !rd_peek_be32(r, 4, &word))
        return PS_SKIP_TRUNC_TRANSPORT;
    if (ver_optlen >> 6 != 0)
        return PS_SKIP_INVALID_TRANSPORT;
    decode_record_encap(out, ENCAP_GENEVE, true, word >> 8);
    if (!rd_skip(r, 8 + (size_t)(ver_optlen & 0x3f) * 4))
        return PS_SKIP_TRUNC_TRANSPORT;
    return inner_by_ethertype(type, r, out);
}

/*
 * GTP-U version 1: an 8-byte header, 4 more when any of the E, S or PN flags is set, then a chain
 * of extension headers (each counting its length in 4-byte units, its last byte naming the next).
 * Only G-PDU messages (type 255) carry user packets.
 */
static enum ps_skip inner_gtpu(struct rd *r, struct pkt_info *out)
{
    uint8_t flags, type, next = 0;
    uint32_t teid;

    if (!rd_peek_u8(r, 0, &flags) || !rd_peek_u8(r, 1, &type) || !rd_peek_be32(r, 4, &teid))
        return PS_SKIP_TRUNC_TRANSPORT;
    if (flags >> 5 != 1 || !(flags & 0x10) || type != 0xff)
        return PS_SKIP_INVALID_TRANSPORT;
    decode_record_encap(out, ENCAP_GTPU, true, teid);
    if (flags & 0x07) {
        if (!rd_peek_u8(r, 11, &next) || !rd_skip(r, 12))
            return PS_SKIP_TRUNC_TRANSPORT;
        if (!(flags & 0x04))
            next = 0;
    } else if (!rd_skip(r, 8)) {
        return PS_SKIP_TRUNC_TRANSPORT;
    }
    while (next != 0) {
        uint8_t units;

        if (!rd_peek_u8(r, 0, &units))
            return PS_SKIP_TRUNC_TRANSPORT;
        if (units == 0)
            return PS_SKIP_INVALID_TRANSPORT;
        if (!rd_peek_u8(r, (size_t)units * 4 - 1, &next) || !rd_skip(r, (size_t)units * 4))
            return PS_SKIP_TRUNC_TRANSPORT;
    }
    return decode_ip_by_version(r, out);
}

enum ps_skip decode_udp_tunnel(struct rd *r, struct pkt_info *out)
{
    if (!decode_may_enter_tunnel(out))
        return PS_SKIP_NONE;
    switch (out->dport) {
    case PORT_VXLAN:
        return enter(r, out, inner_vxlan);
    case PORT_GENEVE:
        return enter(r, out, inner_geneve);
    case PORT_GTPU:
        return enter(r, out, inner_gtpu);
    case PORT_VXLAN_GPE:
        return enter(r, out, inner_vxlan_gpe);
    default:
        return PS_SKIP_NONE;
    }
}
