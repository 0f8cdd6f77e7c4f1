/*
 * decode_transport.c - the ports (and what opens a conversation) of TCP (RFC 9293), UDP
 * (RFC 768) and SCTP (RFC 9260); ICMP has its own file. Other protocols form flows without ports.
 */
#include "decode_int.h"

#define TCP_MIN_HEADER  20
#define UDP_HEADER      8
#define SCTP_COMMON_HDR 12
#define PORTS_LEN       4 /* what an ICMP error must quote at least (RFC 792: 64 bits of data) */

#define SCTP_CHUNK_INIT     1
#define SCTP_CHUNK_INIT_ACK 2

static void read_ports(struct rd *r, struct pkt_info *out)
{
    rd_peek_be16(r, 0, &out->sport);
    rd_peek_be16(r, 2, &out->dport);
}

static enum ps_skip decode_tcp(struct rd *r, struct pkt_info *out)
{
    uint8_t data_offset;
    uint32_t header;

    if (out->in_quote) {
        if (!rd_has(r, PORTS_LEN))
            return PS_SKIP_TRUNC_TRANSPORT;
        read_ports(r, out);
        return PS_SKIP_NONE;
    }
    if (!rd_has(r, TCP_MIN_HEADER))
        return PS_SKIP_TRUNC_TRANSPORT;
    rd_peek_u8(r, 12, &data_offset);
    if (data_offset >> 4 < TCP_MIN_HEADER / 4)
        return PS_SKIP_INVALID_TRANSPORT;
    rd_peek_u8(r, 13, &out->tcp_flags);
    rd_peek_be32(r, 4, &out->tcp_seq);
    rd_peek_be32(r, 8, &out->tcp_ack);
    rd_peek_be16(r, 14, &out->tcp_window);
    read_ports(r, out);
    header = (uint32_t)(data_offset >> 4) * 4;
    out->payload_len = out->l4_len > header ? out->l4_len - header : 0;
    switch (out->tcp_flags & (PS_TCP_SYN | PS_TCP_ACK)) {
    case PS_TCP_SYN:
        out->hint = PKT_HINT_OPEN;
        break;
    case PS_TCP_SYN | PS_TCP_ACK:
        out->hint = PKT_HINT_ACCEPT;
        break;
    default:
        break;
    }
    return PS_SKIP_NONE;
}

static enum ps_skip decode_udp(struct rd *r, struct pkt_info *out)
{
    if (!rd_has(r, out->in_quote ? PORTS_LEN : UDP_HEADER))
        return PS_SKIP_TRUNC_TRANSPORT;
    read_ports(r, out);
    if (out->in_quote)
        return PS_SKIP_NONE;
    out->payload_len = out->l4_len > UDP_HEADER ? out->l4_len - UDP_HEADER : 0;
    rd_skip(r, UDP_HEADER);
    return decode_udp_tunnel(r, out);
}

static enum ps_skip decode_sctp(struct rd *r, struct pkt_info *out)
{
    uint8_t chunk;

    if (!rd_has(r, out->in_quote ? PORTS_LEN : SCTP_COMMON_HDR))
        return PS_SKIP_TRUNC_TRANSPORT;
    read_ports(r, out);
    out->payload_len = out->l4_len > SCTP_COMMON_HDR ? out->l4_len - SCTP_COMMON_HDR : 0;
    /* INIT and INIT ACK travel alone in their packet (RFC 9260 section 6.10). */
    if (rd_peek_u8(r, SCTP_COMMON_HDR, &chunk)) {
        if (chunk == SCTP_CHUNK_INIT)
            out->hint = PKT_HINT_OPEN;
        else if (chunk == SCTP_CHUNK_INIT_ACK)
            out->hint = PKT_HINT_ACCEPT;
    }
    return PS_SKIP_NONE;
}

enum ps_skip decode_transport(uint8_t proto, struct rd *r, struct pkt_info *out)
{
    out->proto = proto;
    /* Protocols without a header of their own here carry everything after IP as payload. */
    out->payload_len = out->l4_len;
    out->l4 = r->p;
    out->l4_caplen = (uint32_t)r->left;
    switch (proto) {
    case PS_IPPROTO_TCP:
        return decode_tcp(r, out);
    case PS_IPPROTO_UDP:
        return decode_udp(r, out);
    case PS_IPPROTO_SCTP:
        return decode_sctp(r, out);
    case PS_IPPROTO_ICMP:
        return decode_icmp(r, out);
    case PS_IPPROTO_ICMPV6:
        return decode_icmpv6(r, out);
    default:
        return PS_SKIP_NONE;
    }
}
