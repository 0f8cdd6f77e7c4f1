/*
 * decode_link.c - link layers: Ethernet (802.1Q/802.1ad tags, MPLS, PPPoE, LLC/SNAP), Linux
 * cooked capture v1 and v2, raw IP, BSD loopback (NULL and LOOP), PPP and its framings, Cisco
 * HDLC, IEEE 802.11 (plain and with radiotap), OpenBSD pflog, Solaris IPNET and Linux NFLOG.
 */
#include "decode_int.h"

#define ETHERTYPE_IPV4       0x0800
#define ETHERTYPE_IPV6       0x86dd
#define ETHERTYPE_VLAN       0x8100 /* IEEE 802.1Q */
#define ETHERTYPE_QINQ       0x88a8 /* IEEE 802.1ad service tag */
#define ETHERTYPE_QINQ_OLD   0x9100 /* pre-standard QinQ, still seen on real switches */
#define ETHERTYPE_MPLS       0x8847
#define ETHERTYPE_MPLS_MCAST 0x8848
#define ETHERTYPE_PPPOE_SESS 0x8864
#define ETHERTYPE_MACSEC     0x88e5
#define ETHERTYPE_NSH        0x894f

/* Values below this in the Ethernet type field are an 802.3 length, not a type (IEEE 802.3 3.2.6).
 */
#define ETHERTYPE_MIN 0x0600

/* PPP protocol numbers (RFC 1661, IANA "PPP DLL Protocol Numbers"). */
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS 0x0281

/* Address family values BSD loopback and pflog headers carry: IPv6's differs per OS. */
#define BSD_AF_INET          2
#define BSD_AF_INET6_BSD     24 /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30
#define BSD_AF_INET6_LINUX   10
#define BSD_AF_INET6_WIN     23

/* Raw IP: the version nibble is all there is to tell IPv4 from IPv6. */
enum ps_skip decode_ip_by_version(struct rd *r, struct pkt_info *out)
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

/*
 * An MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit. What follows has
 * no type field; an IP version nibble is the only clue, as in every MPLS decoder.
 */
static enum ps_skip decode_mpls(struct rd *r, struct pkt_info *out)
{
    uint32_t entry;
    uint8_t first;

    do {
        if (!rd_be32(r, &entry))
            return PS_SKIP_TRUNC_LINK;
        decode_record_encap(out, ENCAP_MPLS, true, entry >> 12);
    } while (!(entry & 0x100));
    if (!rd_peek_u8(r, 0, &first))
        return PS_SKIP_TRUNC_NETWORK;
    if (first >> 4 != 4 && first >> 4 != 6)
        return PS_SKIP_NON_IP;
    return decode_ip_by_version(r, out);
}

enum ps_skip decode_ppp_protocol(uint16_t protocol, struct rd *r, struct pkt_info *out)
{
    switch (protocol) {
    case PPP_IPV4:
        return decode_ipv4(r, out);
    case PPP_IPV6:
        return decode_ipv6(r, out);
    case PPP_MPLS:
        return decode_mpls(r, out);
    default:
        return PS_SKIP_NON_IP;
    }
}

/* A PPPoE session header (RFC 2516 section 4): version/type, code, session id, length; then PPP. */
static enum ps_skip decode_pppoe_session(struct rd *r, struct pkt_info *out)
{
    uint16_t session, length, protocol;

    if (!rd_peek_be16(r, 2, &session) || !rd_peek_be16(r, 4, &length) || !rd_skip(r, 6))
        return PS_SKIP_TRUNC_LINK;
    decode_record_encap(out, ENCAP_PPPOE, true, session);
    rd_limit(r, length);
    if (!rd_be16(r, &protocol))
        return PS_SKIP_TRUNC_LINK;
    return decode_ppp_protocol(protocol, r, out);
}

enum ps_skip decode_ethertype(uint16_t ethertype, struct rd *r, struct pkt_info *out)
{
    switch (ethertype) {
    case ETHERTYPE_IPV4:
        return decode_ipv4(r, out);
    case ETHERTYPE_IPV6:
        return decode_ipv6(r, out);
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MCAST:
        return decode_mpls(r, out);
    case ETHERTYPE_PPPOE_SESS:
        return decode_pppoe_session(r, out);
    case ETHERTYPE_MACSEC:
        return decode_macsec(r, out);
    case ETHERTYPE_NSH:
        return decode_nsh(r, out);
    default:
        return PS_SKIP_NON_IP;
    }
}

/*
 * MACsec (IEEE 802.1AE section 9.3): a SecTAG of 6 bytes, 14 with the SCI, then the frame's type
 * and payload, readable only when neither encrypted (E) nor changed (C).
 */
enum ps_skip decode_macsec(struct rd *r, struct pkt_info *out)
{
    uint8_t tci;
    uint16_t type;

    if (!rd_peek_u8(r, 0, &tci))
        return PS_SKIP_TRUNC_LINK;
    if (tci & 0x80)
        return PS_SKIP_INVALID_LINK; /* the version bit is 0 in every MACsec there is */
    if (tci & 0x0c)
        return PS_SKIP_NON_IP; /* encrypted: nothing to read */
    if (!rd_skip(r, tci & 0x20 ? 14 : 6) || !rd_be16(r, &type))
        return PS_SKIP_TRUNC_LINK;
    decode_record_encap(out, ENCAP_MACSEC, false, 0);
    return decode_ethertype(type, r, out);
}

/*
 * The Network Service Header (RFC 8300 section 2): the base header gives the whole header's
 * length in 4-byte words and the next protocol (1 IPv4, 2 IPv6, 3 Ethernet); the service path
 * header names the path.
 */
enum ps_skip decode_nsh(struct rd *r, struct pkt_info *out)
{
    uint8_t b0, b1, next;
    uint32_t path;
    size_t len;

    if (!rd_peek_u8(r, 0, &b0) || !rd_peek_u8(r, 1, &b1) || !rd_peek_u8(r, 3, &next) ||
        !rd_peek_be32(r, 4, &path))
        return PS_SKIP_TRUNC_LINK;
    if (b0 >> 6 != 0)
        return PS_SKIP_INVALID_LINK;
    len = (size_t)(b1 & 0x3f) * 4; /* after 2 version bits, O, U and a 6-bit TTL */
    if (len < 8)
        return PS_SKIP_INVALID_LINK;
    if (!rd_skip(r, len))
        return PS_SKIP_TRUNC_LINK;
    decode_record_encap(out, ENCAP_NSH, true, path >> 8);
    return decode_next_protocol(next, r, out);
}

/*
 * The next-protocol numbers NSH and VXLAN-GPE share (IANA "NSH Next Protocol" and
 * draft-ietf-nvo3-vxlan-gpe): 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH.
 */
enum ps_skip decode_next_protocol(uint8_t next, struct rd *r, struct pkt_info *out)
{
    switch (next) {
    case 1:
        return decode_ipv4(r, out);
    case 2:
        return decode_ipv6(r, out);
    case 3:
        return decode_link(PS_DLT_EN10MB, r, out);
    case 4:
        if (out->depth >= PS_TUNNEL_DEPTH_MAX)
            return PS_SKIP_INVALID_LINK;
        out->depth++;
        return decode_nsh(r, out);
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
        decode_record_encap(out, ENCAP_VLAN, true, tci & 0x0fff);
        if (out->config != NULL && out->config->vlan_in_key)
            out->vlan = tci & 0x0fff;
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

/* Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control, then an Ethernet type. */
static enum ps_skip decode_chdlc(struct rd *r, struct pkt_info *out)
{
    uint16_t protocol;

    if (!rd_peek_be16(r, 2, &protocol) || !rd_skip(r, 4))
        return PS_SKIP_TRUNC_LINK;
    return decode_ethertype(protocol, r, out);
}

/*
 * PPP in HDLC-like framing (RFC 1662): address 0xff and control 0x03 may be there or not, and
 * the protocol field may be compressed to one byte (RFC 1661 section 6.5: odd first byte).
 */
static enum ps_skip decode_ppp(struct rd *r, struct pkt_info *out)
{
    uint8_t b0, b1;
    uint16_t protocol;

    if (!rd_peek_u8(r, 0, &b0) || !rd_peek_u8(r, 1, &b1))
        return PS_SKIP_TRUNC_LINK;
    if (b0 == 0xff && b1 == 0x03)
        rd_skip(r, 2);
    if (!rd_peek_u8(r, 0, &b0))
        return PS_SKIP_TRUNC_LINK;
    if (b0 & 0x01) {
        rd_skip(r, 1);
        protocol = b0;
    } else if (!rd_be16(r, &protocol)) {
        return PS_SKIP_TRUNC_LINK;
    }
    return decode_ppp_protocol(protocol, r, out);
}

/* DLT_PPP_SERIAL holds PPP in HDLC framing, or Cisco HDLC frames on the same line. */
static enum ps_skip decode_ppp_serial(struct rd *r, struct pkt_info *out)
{
    uint8_t address;

    if (!rd_peek_u8(r, 0, &address))
        return PS_SKIP_TRUNC_LINK;
    if (address == 0x0f || address == 0x8f)
        return decode_chdlc(r, out);
    return decode_ppp(r, out);
}

/*
 * IEEE 802.11 data frames (802.11-2020 section 9.2): a 24-byte header, 30 with four addresses,
 * plus QoS control and HT control when present, then LLC/SNAP. Management and control frames,
 * null data and protected (encrypted) bodies carry no IP we can read.
 */
static enum ps_skip decode_80211(struct rd *r, struct pkt_info *out)
{
    uint8_t fc0, fc1;
    size_t header = 24;
    bool qos;

    if (!rd_peek_u8(r, 0, &fc0) || !rd_peek_u8(r, 1, &fc1))
        return PS_SKIP_TRUNC_LINK;
    if (((fc0 >> 2) & 0x3) != 2 || (fc0 & 0x40) || (fc1 & 0x40))
        return PS_SKIP_NON_IP;
    qos = fc0 & 0x80;
    if ((fc1 & 0x03) == 0x03)
        header += 6;
    if (qos)
        header += 2;
    if (qos && (fc1 & 0x80))
        header += 4;
    if (!rd_skip(r, header))
        return PS_SKIP_TRUNC_LINK;
    return decode_llc(r, out);
}

/* Radiotap (radiotap.org): version 0, then its own little-endian length, then the 802.11 frame. */
static enum ps_skip decode_radiotap(struct rd *r, struct pkt_info *out)
{
    uint8_t version, lo, hi;
    size_t length;

    if (!rd_peek_u8(r, 0, &version) || !rd_peek_u8(r, 2, &lo) || !rd_peek_u8(r, 3, &hi))
        return PS_SKIP_TRUNC_LINK;
    length = (size_t)lo | (size_t)hi << 8;
    if (version != 0 || length < 8)
        return PS_SKIP_INVALID_LINK;
    if (!rd_skip(r, length))
        return PS_SKIP_TRUNC_LINK;
    return decode_80211(r, out);
}

/* OpenBSD pflog: the header gives its own length, padded to 4 bytes, and an address family. */
static enum ps_skip decode_pflog(struct rd *r, struct pkt_info *out)
{
    uint8_t length, family;

    if (!rd_peek_u8(r, 0, &length) || !rd_peek_u8(r, 1, &family))
        return PS_SKIP_TRUNC_LINK;
    if (length < 4)
        return PS_SKIP_INVALID_LINK;
    if (!rd_skip(r, ((size_t)length + 3) & ~(size_t)3))
        return PS_SKIP_TRUNC_LINK;
    return decode_bsd_family(family, r, out);
}

/* Solaris IPNET: a 24-byte header whose second byte is the family (2 IPv4, 26 IPv6). */
static enum ps_skip decode_ipnet(struct rd *r, struct pkt_info *out)
{
    uint8_t family;

    if (!rd_peek_u8(r, 1, &family) || !rd_skip(r, 24))
        return PS_SKIP_TRUNC_LINK;
    if (family == 2)
        return decode_ipv4(r, out);
    if (family == 26)
        return decode_ipv6(r, out);
    return PS_SKIP_NON_IP;
}

/*
 * Linux NFLOG: a 4-byte header, then type-length-value attributes until NFULA_PAYLOAD (9), which
 * holds the IP packet. Attribute lengths are in the byte order of the capturing host; the reading
 * that gives a plausible length wins.
 */
static enum ps_skip decode_nflog(struct rd *r, struct pkt_info *out)
{
    uint8_t family;

    if (!rd_peek_u8(r, 0, &family) || !rd_skip(r, 4))
        return PS_SKIP_TRUNC_LINK;
    for (;;) {
        uint8_t b[4];
        size_t le_len, be_len, len;
        uint16_t type;

        if (!rd_peek_bytes(r, 0, b, sizeof(b)))
            return PS_SKIP_TRUNC_LINK;
        le_len = (size_t)b[0] | (size_t)b[1] << 8;
        be_len = (size_t)b[0] << 8 | b[1];
        if (le_len >= 4 && le_len <= r->left) {
            len = le_len;
            type = (uint16_t)(b[2] | b[3] << 8);
        } else if (be_len >= 4 && be_len <= r->left) {
            len = be_len;
            type = (uint16_t)(b[2] << 8 | b[3]);
        } else {
            return le_len < 4 && be_len < 4 ? PS_SKIP_INVALID_LINK : PS_SKIP_TRUNC_LINK;
        }
        if ((type & 0x7fff) == 9) {
            rd_skip(r, 4);
            rd_limit(r, len - 4);
            return family == 10 ? decode_ipv6(r, out) : decode_ipv4(r, out);
        }
        if (!rd_skip(r, (len + 3) & ~(size_t)3))
            return PS_SKIP_NON_IP;
    }
}

/* How deep link types may wrap one another (PPI and PKTAP name the link type that follows). */
#define LINK_DEPTH_MAX 4

/*
 * PPI (the Per-Packet Information header, CACE Technologies' spec) and Apple's PKTAP: a
 * little-endian header length and the link type of the frame after it.
 */
static enum ps_skip decode_wrapped_link(struct rd *r, struct pkt_info *out, size_t len_off,
                                        size_t len_size, size_t dlt_off)
{
    uint32_t header_len, dlt;
    uint8_t b[2];

    if (len_size == 2) {
        if (!rd_peek_bytes(r, len_off, b, 2))
            return PS_SKIP_TRUNC_LINK;
        header_len = (uint32_t)b[0] | (uint32_t)b[1] << 8;
    } else if (!rd_peek_le32(r, len_off, &header_len)) {
        return PS_SKIP_TRUNC_LINK;
    }
    if (!rd_peek_le32(r, dlt_off, &dlt))
        return PS_SKIP_TRUNC_LINK;
    if (header_len < dlt_off + 4 || out->depth >= LINK_DEPTH_MAX)
        return PS_SKIP_INVALID_LINK;
    if (!rd_skip(r, header_len))
        return PS_SKIP_TRUNC_LINK;
    out->depth++;
    return decode_link((int)dlt, r, out);
}

/*
 * IP over InfiniBand as libpcap captures it (LINKTYPE_IPOIB): a 40-byte pseudo-header with the
 * hardware addresses, then RFC 4391's 4-byte header, whose first half is an Ethernet type.
 */
static enum ps_skip decode_ipoib(struct rd *r, struct pkt_info *out)
{
    uint16_t type;

    if (!rd_skip(r, 40) || !rd_be16(r, &type) || !rd_skip(r, 2))
        return PS_SKIP_TRUNC_LINK;
    return decode_ethertype(type, r, out);
}

/* PPI: a 2-byte header length at offset 2, the link type at 4. */
static enum ps_skip decode_ppi(struct rd *r, struct pkt_info *out)
{
    return decode_wrapped_link(r, out, 2, 2, 4);
}

/* PKTAP: a 4-byte header length first, the link type at 4. */
static enum ps_skip decode_pktap(struct rd *r, struct pkt_info *out)
{
    return decode_wrapped_link(r, out, 0, 4, 4);
}

/* The table of link types (base.h), one case for each row: its decoder, or true. */
#define DISPATCH(linktype, name, description, decoder)                                             \
    case linktype:                                                                                 \
        return decoder(r, out);
#define SUPPORTED(linktype, name, description, decoder) case linktype:

enum ps_skip decode_link(int linktype, struct rd *r, struct pkt_info *out)
{
    switch (linktype) {
        LINKTYPE_ROWS(DISPATCH)
    default:
        return PS_SKIP_LINKTYPE;
    }
}

bool decode_linktype_supported(int linktype)
{
    switch (linktype) {
        LINKTYPE_ROWS(SUPPORTED)
        return true;
    default:
        return false;
    }
}
