/*
 * decode_int.h - the decode module's own: its layers, each reading from the cursor (rd.h) where
 * the layer before it stopped. For the module's files and its unit tests.
 */
#ifndef PS_DECODE_INT_H
#define PS_DECODE_INT_H

#include "decode.h"
#include "rd.h"

/* The layers, for decode_packet() and the unit tests. Each starts at the cursor's position. */
enum ps_skip decode_link(int linktype, struct rd *r, struct pkt_info *out);
enum ps_skip decode_ethertype(uint16_t ethertype, struct rd *r, struct pkt_info *out);
enum ps_skip decode_ipv4(struct rd *r, struct pkt_info *out);
/* IPv4 or IPv6, by the version nibble: raw IP, MPLS and some tunnels have nothing else to go by. */
enum ps_skip decode_ip_by_version(struct rd *r, struct pkt_info *out);
enum ps_skip decode_ipv6(struct rd *r, struct pkt_info *out);
enum ps_skip decode_transport(uint8_t proto, struct rd *r, struct pkt_info *out);
enum ps_skip decode_icmp(struct rd *r, struct pkt_info *out);
enum ps_skip decode_icmpv6(struct rd *r, struct pkt_info *out);
enum ps_skip decode_ppp_protocol(uint16_t protocol, struct rd *r, struct pkt_info *out);

/*
 * Tunnels: called with the cursor after the outer header that announced them. Each returns
 * PS_SKIP_NONE with *out describing the inner packet; when the inner packet cannot be decoded,
 * *out is put back as it was (the outer flow keeps the packet) and PS_SKIP_NONE returned too.
 */
enum ps_skip decode_ip_tunnel(uint8_t proto, struct rd *r, struct pkt_info *out);
enum ps_skip decode_udp_tunnel(struct rd *r, struct pkt_info *out);

/* MACsec (IEEE 802.1AE) and the Network Service Header (RFC 8300), below IP. */
enum ps_skip decode_macsec(struct rd *r, struct pkt_info *out);
enum ps_skip decode_nsh(struct rd *r, struct pkt_info *out);
/* What follows an NSH or VXLAN-GPE header, by their shared next-protocol number. */
enum ps_skip decode_next_protocol(uint8_t next, struct rd *r, struct pkt_info *out);

/* True when tunnels are to be entered (not --no-decap, and not nested too deep). */
bool decode_may_enter_tunnel(const struct pkt_info *out);

/* Records one encapsulation layer on the packet's path. */
void decode_record_encap(struct pkt_info *out, uint8_t kind, bool has_id, uint32_t id);

#endif
