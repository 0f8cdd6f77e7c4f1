/*
 * decode_ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) headers, including IPv4 options, the IPv6
 * extension-header chain and fragments of both.
 */
#include <string.h>

#include "decode_int.h"

#define IPV4_MIN_HEADER 20
#define IPV6_HEADER     40

/* IPv6 extension headers (IANA "IPv6 Extension Header Types"), besides AH (PS_IPPROTO_AH). */
#define IP6_HOPOPTS  0
#define IP6_ROUTING  43
#define IP6_FRAGMENT 44
#define IP6_DSTOPTS  60
#define IP6_MOBILITY 135
#define IP6_HIP      139
#define IP6_SHIM6    140

/*
 * Remembers the fragmented header. A later fragment always wins, since it decides what happens
 * to the packet; a first fragment only when no outer header was fragmented already (the outer
 * header's later fragments are the ones that will come looking for the flow).
 */
static void note_fragment(struct pkt_info *out, uint8_t state, uint8_t proto, uint32_t id,
                          size_t addr_len)
{
    struct pkt_fragment *f = &out->fragment;

    if (state == PKT_FRAG_FIRST && f->state != PKT_FRAG_NONE)
        return;
    f->state = state;
    f->family = out->family;
    f->proto = proto;
    f->id = id;
    memset(f->src, 0, sizeof(f->src));
    memset(f->dst, 0, sizeof(f->dst));
    memcpy(f->src, out->src, addr_len);
    memcpy(f->dst, out->dst, addr_len);
}

/*
 * Clears what an enclosing header left (a tunnel's outer addresses and ports): this header and
 * the ones after it describe the packet now. Path, VLAN and fragment state stay.
 */
static void reset_layer(struct pkt_info *out)
{
    memset(out->src, 0, sizeof(out->src));
    memset(out->dst, 0, sizeof(out->dst));
    out->sport = out->dport = 0;
    out->tcp_flags = 0;
    out->scope = PKT_SCOPE_PORTS;
    out->hint = PKT_HINT_NONE;
    out->tcp_seq = out->tcp_ack = 0;
    out->tcp_window = 0;
    out->ip_id = 0;
}

/*
 * What comes after the IPv4 header: an authentication header to step over (RFC 4302 section
 * 2.2: its length counts 4-byte units, minus 2), a tunnel, or a transport header.
 */
static enum ps_skip decode_ip_payload(uint8_t proto, struct rd *r, struct pkt_info *out)
{
    uint8_t next, len_field;

    while (proto == PS_IPPROTO_AH) {
        size_t len;

        if (!rd_peek_u8(r, 0, &next) || !rd_peek_u8(r, 1, &len_field))
            return PS_SKIP_TRUNC_NETWORK;
        len = ((size_t)len_field + 2) * 4;
        if (!rd_skip(r, len))
            return PS_SKIP_TRUNC_NETWORK;
        out->l4_len = out->l4_len > len ? out->l4_len - (uint32_t)len : 0;
        proto = next;
        out->proto = proto;
    }
    switch (proto) {
    case PS_IPPROTO_IPIP:
    case PS_IPPROTO_IPV6:
    case PS_IPPROTO_GRE:
    case PS_IPPROTO_PIM: /* whose Register messages carry a whole packet */
        return decode_ip_tunnel(proto, r, out);
    default:
        return decode_transport(proto, r, out);
    }
}

enum ps_skip decode_ipv4(struct rd *r, struct pkt_info *out)
{
    uint8_t version_ihl, proto, ttl;
    uint16_t total_len, id, frag;
    size_t header_len;

    if (!rd_peek_u8(r, 0, &version_ihl))
        return PS_SKIP_TRUNC_NETWORK;
    if (version_ihl >> 4 != 4)
        return PS_SKIP_INVALID_NETWORK;
    header_len = (size_t)(version_ihl & 0x0f) * 4;
    if (header_len < IPV4_MIN_HEADER)
        return PS_SKIP_INVALID_NETWORK;
    if (!rd_has(r, header_len))
        return PS_SKIP_TRUNC_NETWORK;
    rd_peek_be16(r, 2, &total_len);
    rd_peek_be16(r, 4, &id);
    rd_peek_be16(r, 6, &frag);
    rd_peek_u8(r, 8, &ttl);
    rd_peek_u8(r, 9, &proto);

    /*
     * A total length of 0 is what Linux hands to the capture for segments it will split in the
     * NIC (TSO); Wireshark reads on with the captured length, and so do we.
     */
    if (total_len != 0 && total_len < header_len)
        return PS_SKIP_INVALID_NETWORK;

    reset_layer(out);
    out->family = 4;
    out->ttl = ttl;
    out->proto = proto;
    out->ip_id = id;
    rd_peek_bytes(r, 12, out->src, 4);
    rd_peek_bytes(r, 16, out->dst, 4);
    if (total_len != 0)
        rd_limit(r, total_len); /* drop Ethernet padding after the datagram */
    rd_skip(r, header_len);
    out->ip_len = total_len != 0 ? total_len : (uint32_t)(r->left + header_len);
    out->length_from_capture |= total_len == 0;
    out->l4_len = out->ip_len - (uint32_t)header_len;

    /* More-fragments flag or a non-zero offset: this is a fragment. Only offset 0 has ports. */
    if ((frag & 0x3fff) != 0) {
        bool later = (frag & 0x1fff) != 0;

        note_fragment(out, later ? PKT_FRAG_LATER : PKT_FRAG_FIRST, proto, id, 4);
        if (later)
            return PS_SKIP_FRAGMENT;
    }
    return decode_ip_payload(proto, r, out);
}

enum ps_skip decode_ipv6(struct rd *r, struct pkt_info *out)
{
    uint8_t version, next, hop_limit;
    uint16_t payload_len;

    if (!rd_peek_u8(r, 0, &version))
        return PS_SKIP_TRUNC_NETWORK;
    if (version >> 4 != 6)
        return PS_SKIP_INVALID_NETWORK;
    if (!rd_has(r, IPV6_HEADER))
        return PS_SKIP_TRUNC_NETWORK;
    rd_peek_be16(r, 4, &payload_len);
    rd_peek_u8(r, 6, &next);
    rd_peek_u8(r, 7, &hop_limit);
    reset_layer(out);
    out->family = 6;
    out->ttl = hop_limit;
    rd_peek_bytes(r, 8, out->src, 16);
    rd_peek_bytes(r, 24, out->dst, 16);
    rd_skip(r, IPV6_HEADER);
    /* A payload length of 0 announces a jumbogram (RFC 2675) or TSO: keep what was captured. */
    if (payload_len != 0)
        rd_limit(r, payload_len);
    out->l4_len = payload_len != 0 ? payload_len : (uint32_t)r->left;
    out->length_from_capture |= payload_len == 0;
    out->ip_len = IPV6_HEADER + out->l4_len;

    /* Each extension header is at least 8 bytes long, so the walk ends with the captured bytes. */
    for (;;) {
        uint8_t len_field;
        uint16_t frag;
        uint32_t id;
        size_t len;

        switch (next) {
        case IP6_HOPOPTS:
        case IP6_ROUTING:
        case IP6_DSTOPTS:
        case IP6_MOBILITY:
        case IP6_HIP:
        case IP6_SHIM6:
            if (!rd_peek_u8(r, 1, &len_field))
                goto truncated;
            len = ((size_t)len_field + 1) * 8;
            break;
        case PS_IPPROTO_AH:
            /* AH counts its length in 4-byte units, minus 2 (RFC 4302 section 2.2). */
            if (!rd_peek_u8(r, 1, &len_field))
                goto truncated;
            len = ((size_t)len_field + 2) * 4;
            break;
        case IP6_FRAGMENT:
            if (!rd_peek_be16(r, 2, &frag) || !rd_peek_be32(r, 4, &id) || !rd_has(r, 8))
                goto truncated;
            len = 8;
            /* An atomic fragment (offset 0, M clear, RFC 6946) is a whole packet. */
            if ((frag & 0xfff9) != 0) {
                uint8_t inner;
                bool later = (frag & 0xfff8) != 0;

                rd_peek_u8(r, 0, &inner);
                out->proto = inner;
                note_fragment(out, later ? PKT_FRAG_LATER : PKT_FRAG_FIRST, inner, id, 16);
                if (later)
                    return PS_SKIP_FRAGMENT;
            }
            break;
        default:
            out->proto = next;
            return decode_ip_payload(next, r, out);
        }
        if (!rd_peek_u8(r, 0, &next) || !rd_skip(r, len))
            goto truncated;
        out->l4_len = out->l4_len > len ? out->l4_len - (uint32_t)len : 0;
    }

truncated:
    out->proto = next;
    return PS_SKIP_TRUNC_NETWORK;
}
