/*
 * decode.h - from captured bytes to the facts a flow needs: addresses, protocol, ports, TCP flags.
 *
 * Decoding goes down by layer (link -> network -> transport), each layer reading through a
 * bounds-checked cursor (rd.h) and ending in an outcome. An outcome other than PS_SKIP_NONE names
 * the reason the packet cannot join a flow; the caller counts it.
 */
#ifndef PS_DECODE_H
#define PS_DECODE_H

#include <stdint.h>

#include "ps.h"
#include "rd.h"

/* IP protocol numbers used across modules. */
#define PS_IPPROTO_ICMP   1
#define PS_IPPROTO_TCP    6
#define PS_IPPROTO_UDP    17
#define PS_IPPROTO_ICMPV6 58
#define PS_IPPROTO_SCTP   132

/* TCP flag bits, as in the header's 13th byte. */
#define PS_TCP_FIN 0x01
#define PS_TCP_SYN 0x02
#define PS_TCP_RST 0x04
#define PS_TCP_PSH 0x08
#define PS_TCP_ACK 0x10

/* The most encapsulation layers recorded per packet; deeper ones are decoded but not named. */
#define PS_ENCAP_MAX 4

enum encap_kind {
    ENCAP_VLAN = 1, /* 802.1Q or 802.1ad tag; id is the VLAN id */
};

struct encap {
    uint8_t kind; /* enum encap_kind */
    uint32_t id;
};

/* What decoding learnt of one packet. Addresses are in network order; IPv4 uses the first 4 bytes.
 */
struct pkt_info {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;  /* IP protocol of the innermost transport header */
    uint8_t tcp_flags;
    uint8_t n_encap;
    uint16_t sport, dport; /* 0 for protocols without ports */
    uint8_t src[16], dst[16];
    struct encap encap[PS_ENCAP_MAX];
};

/* Link types we decode, as libpcap's DLT_ values (pcap_datalink() returns these). */
#define PS_DLT_NULL       0
#define PS_DLT_EN10MB     1
#define PS_DLT_RAW        12 /* DLT_RAW on Linux and most systems; LINKTYPE_RAW (101) maps here */
#define PS_DLT_RAW_OBSD   14 /* DLT_RAW as OpenBSD numbers it */
#define PS_DLT_LOOP       108
#define PS_DLT_LINUX_SLL  113
#define PS_DLT_RAW_PCAP   101 /* LINKTYPE_RAW, when a reader hands it through unmapped */
#define PS_DLT_IPV4       228
#define PS_DLT_IPV6       229
#define PS_DLT_LINUX_SLL2 276

/* True when decode_packet() understands this link type. */
bool decode_linktype_supported(int linktype);

/*
 * Decodes one packet captured with `linktype`. `caplen` is the number of bytes captured; nothing
 * beyond it is read. On PS_SKIP_NONE, *out describes the packet; otherwise *out is unspecified.
 */
enum ps_skip decode_packet(int linktype, const uint8_t *data, size_t caplen, struct pkt_info *out);

/* The layers, for decode_packet() and the unit tests. Each starts at the cursor's position. */
enum ps_skip decode_link(int linktype, struct rd *r, struct pkt_info *out);
enum ps_skip decode_ethertype(uint16_t ethertype, struct rd *r, struct pkt_info *out);
enum ps_skip decode_ipv4(struct rd *r, struct pkt_info *out);
enum ps_skip decode_ipv6(struct rd *r, struct pkt_info *out);
enum ps_skip decode_transport(uint8_t proto, struct rd *r, struct pkt_info *out);

#endif
