/*
 * decode_transport.c - the ports (and TCP flags) of TCP (RFC 9293), UDP (RFC 768) and SCTP
 * (RFC 9260). Other protocols form flows without ports.
 */
#include "decode.h"

#define TCP_MIN_HEADER  20
#define UDP_HEADER      8
#define SCTP_COMMON_HDR 12

static enum ps_skip read_ports(struct rd *r, struct pkt_info *out)
{
    rd_peek_be16(r, 0, &out->sport);
    rd_peek_be16(r, 2, &out->dport);
    return PS_SKIP_NONE;
}

enum ps_skip decode_transport(uint8_t proto, struct rd *r, struct pkt_info *out)
{
    uint8_t data_offset;

    out->proto = proto;
    switch (proto) {
    case PS_IPPROTO_TCP:
        if (!rd_has(r, TCP_MIN_HEADER))
            return PS_SKIP_TRUNC_TRANSPORT;
        rd_peek_u8(r, 12, &data_offset);
        if (data_offset >> 4 < TCP_MIN_HEADER / 4)
            return PS_SKIP_INVALID_TRANSPORT;
        rd_peek_u8(r, 13, &out->tcp_flags);
        return read_ports(r, out);
    case PS_IPPROTO_UDP:
        if (!rd_has(r, UDP_HEADER))
            return PS_SKIP_TRUNC_TRANSPORT;
        return read_ports(r, out);
    case PS_IPPROTO_SCTP:
        if (!rd_has(r, SCTP_COMMON_HDR))
            return PS_SKIP_TRUNC_TRANSPORT;
        return read_ports(r, out);
    default:
        return PS_SKIP_NONE;
    }
}
