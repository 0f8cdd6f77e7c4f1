/*
 * linktype.h - link types, the number a capture gives its link layer (libpcap's DLT_ values,
 * pcap-linktype(7)), and one table of those portscope decodes: their names and their decoders.
 */
#ifndef PS_LINKTYPE_H
#define PS_LINKTYPE_H

/* Link types we decode, as libpcap's DLT_ values (pcap_datalink() returns these). */
#define PS_DLT_NULL             0
#define PS_DLT_EN10MB           1
#define PS_DLT_PPP              9
#define PS_DLT_RAW              12 /* DLT_RAW on Linux and most; LINKTYPE_RAW (101) maps here */
#define PS_DLT_RAW_OBSD         14 /* DLT_RAW as OpenBSD numbers it */
#define PS_DLT_PPP_SERIAL       50
#define PS_DLT_PPP_ETHER        51
#define PS_DLT_RAW_PCAP         101 /* LINKTYPE_RAW, when a reader hands it through unmapped */
#define PS_DLT_C_HDLC           104
#define PS_DLT_IEEE802_11       105
#define PS_DLT_LOOP             108
#define PS_DLT_LINUX_SLL        113
#define PS_DLT_PFLOG            117
#define PS_DLT_IEEE802_11_RADIO 127
#define PS_DLT_PPI              192
#define PS_DLT_IPNET            226
#define PS_DLT_IPV4             228
#define PS_DLT_IPV6             229
#define PS_DLT_NFLOG            239
#define PS_DLT_IPOIB            242
#define PS_DLT_PKTAP            258
#define PS_DLT_LINUX_SLL2       276

/*
 * The link types portscope decodes, one row each:
 *
 *     X(link type, name, description, decoder)
 *
 * decode_link() dispatches on the rows, each to its decoder (a function of decode_link.c), and
 * decode_linktype_supported() is true for them and no others; linktype_name() and
 * linktype_description() give their names. The names are libpcap's (pcap_datalink_val_to_name()
 * and pcap_datalink_val_to_description() of linktype_dlt()), which the reports have always
 * printed; NULL where libpcap has none but on some systems.
 */
#define LINKTYPE_ROWS(X)                                                                           \
    X(PS_DLT_NULL, "NULL", "BSD loopback", decode_null)                                            \
    X(PS_DLT_EN10MB, "EN10MB", "Ethernet", decode_ethernet)                                        \
    X(PS_DLT_PPP, "PPP", "PPP", decode_ppp)                                                        \
    X(PS_DLT_RAW, "RAW", "Raw IP", decode_ip_by_version)                                           \
    X(PS_DLT_RAW_OBSD, NULL, NULL, decode_ip_by_version) /* named by OpenBSD's libpcap only */     \
    X(PS_DLT_PPP_SERIAL, "PPP_SERIAL", "PPP over serial", decode_ppp_serial)                       \
    X(PS_DLT_PPP_ETHER, "PPP_ETHER", "PPPoE", decode_pppoe_session)                                \
    X(PS_DLT_RAW_PCAP, "RAW", "Raw IP", decode_ip_by_version)                                      \
    X(PS_DLT_C_HDLC, "C_HDLC", "Cisco HDLC", decode_chdlc)                                         \
    X(PS_DLT_IEEE802_11, "IEEE802_11", "802.11", decode_80211)                                     \
    X(PS_DLT_LOOP, "LOOP", "OpenBSD loopback", decode_loop)                                        \
    X(PS_DLT_LINUX_SLL, "LINUX_SLL", "Linux cooked v1", decode_sll)                                \
    X(PS_DLT_PFLOG, "PFLOG", "OpenBSD pflog file", decode_pflog)                                   \
    X(PS_DLT_IEEE802_11_RADIO, "IEEE802_11_RADIO", "802.11 plus radiotap header", decode_radiotap) \
    X(PS_DLT_PPI, "PPI", "Per-Packet Information", decode_ppi)                                     \
    X(PS_DLT_IPNET, "IPNET", "Solaris ipnet", decode_ipnet)                                        \
    X(PS_DLT_IPV4, "IPV4", "Raw IPv4", decode_ipv4)                                                \
    X(PS_DLT_IPV6, "IPV6", "Raw IPv6", decode_ipv6)                                                \
    X(PS_DLT_NFLOG, "NFLOG", "Linux netfilter log messages", decode_nflog)                         \
    X(PS_DLT_IPOIB, "IPOIB", "RFC 4391 IP-over-Infiniband", decode_ipoib)                          \
    X(PS_DLT_PKTAP, "PKTAP", "Apple DLT_PKTAP", decode_pktap)                                      \
    X(PS_DLT_LINUX_SLL2, "LINUX_SLL2", "Linux cooked v2", decode_sll2)

/*
 * The name of a link type ("EN10MB"): the table's; for a link type we do not decode, libpcap's;
 * "LINKTYPE_<n>" when neither has one.
 */
const char *linktype_name(int linktype);

/* The description of a link type ("Ethernet"), found as its name is; or "unknown link type". */
const char *linktype_description(int linktype);

/*
 * The DLT_ value libpcap knows a link type by, for its name tables and pcap_open_dead(): pcapng
 * files carry LINKTYPE_ values, which differ from DLT_ values for raw IP only among the types we
 * see (LINKTYPE_RAW, 101, is DLT_RAW).
 */
int linktype_dlt(int linktype);

#endif
