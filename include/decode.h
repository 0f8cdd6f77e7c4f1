/*
 * decode.h - from captured bytes to the facts a flow needs: addresses, protocol, ports, TCP flags.
 *
 * Decoding goes down by layer (link -> network -> transport), each layer reading through a
 * bounds-checked cursor and ending in an outcome (the layers and the cursor are the module's own:
 * src/decode/decode_int.h, rd.h). An outcome other than PS_SKIP_NONE names the reason the packet
 * cannot join a flow; the caller counts it.
 */
#ifndef PS_DECODE_H
#define PS_DECODE_H

#include <stdint.h>

#include "base.h"

/* TCP flag bits, as in the header's 13th byte. */
#define PS_TCP_FIN 0x01
#define PS_TCP_SYN 0x02
#define PS_TCP_RST 0x04
#define PS_TCP_PSH 0x08
#define PS_TCP_ACK 0x10

/* The most encapsulation layers recorded per packet; deeper ones are decoded but not named. */
#define PS_ENCAP_MAX 6

/* How deep tunnels may nest before the packet stays in the flow of the tunnel it is in. */
#define PS_TUNNEL_DEPTH_MAX 8

/* Encapsulations, as the report names them ("vlan:10", "vxlan:42", "6in4"). */
enum encap_kind {
    ENCAP_VLAN = 1, /* 802.1Q or 802.1ad tag; id: VLAN id */
    ENCAP_MPLS,     /* id: label */
    ENCAP_PPPOE,    /* id: session id */
    ENCAP_GRE,      /* id: key, when the header has one */
    ENCAP_VXLAN,    /* id: VNI */
    ENCAP_GENEVE,   /* id: VNI */
    ENCAP_GTPU,     /* id: TEID */
    ENCAP_4IN4,     /* IPv4 in IPv4, no id */
    ENCAP_6IN4,
    ENCAP_4IN6,
    ENCAP_6IN6,
    ENCAP_VXLAN_GPE, /* id: VNI */
    ENCAP_NSH,       /* id: service path identifier */
    ENCAP_MACSEC,    /* no id */
    ENCAP_PIM,       /* a PIM Register message; no id */
};

struct encap {
    uint8_t kind; /* enum encap_kind */
    bool has_id;
    uint32_t id;
};

/* The report's name for an encapsulation kind ("vlan", "vxlan", "6in4", ...). */
const char *decode_encap_name(uint8_t kind);

/* Settings decoding runs under. */
struct decode_config {
    bool no_decap;    /* stay on the outer flow of GRE, VXLAN, Geneve, GTP-U and IP-in-IP tunnels */
    bool vlan_in_key; /* fill pkt_info.vlan, which makes the VLAN id part of the flow key */
};

/* How a packet's ports were filled, for protocols without real ports. */
enum pkt_scope {
    PKT_SCOPE_PORTS = 0,  /* TCP, UDP, SCTP ports; or none (0, 0) */
    PKT_SCOPE_ECHO,       /* ICMP echo: the requester's "port" is the identifier, the other 0 */
    PKT_SCOPE_ICMP_OTHER, /* other ICMP: the sender's "port" is type << 8 | code, the other 0 */
    PKT_SCOPE_ICMP_ERROR, /* an ICMP error: see pkt_info.quote */
};

/* What a packet says about who opened the conversation. */
enum pkt_hint {
    PKT_HINT_NONE = 0,
    PKT_HINT_OPEN,   /* TCP SYN without ACK, SCTP INIT, ICMP echo request */
    PKT_HINT_ACCEPT, /* TCP SYN+ACK, SCTP INIT ACK, ICMP echo reply */
};

enum pkt_frag {
    PKT_FRAG_NONE = 0,
    PKT_FRAG_FIRST, /* offset 0, more fragments follow: carries the transport header */
    PKT_FRAG_LATER, /* offset > 0: no transport header; found through the fragment table */
};

/* The packet an ICMP error quotes: enough to find the flow it belongs to. */
struct pkt_quote {
    bool valid;
    uint8_t family, proto, scope;
    uint16_t sport, dport;
    uint8_t src[16], dst[16];
};

/* The IP header that was fragmented, for the fragment table. */
struct pkt_fragment {
    uint8_t state; /* enum pkt_frag */
    uint8_t family, proto;
    uint32_t id; /* IPv4 identification or IPv6 fragment header identification */
    uint8_t src[16], dst[16];
};

/*
 * What decoding learnt of one packet. Addresses are in network order; IPv4 uses the first 4 bytes.
 * decode_packet() zeroes the fields before `src` and fragment.state, and every IP header writes
 * `src` and `dst` whole; the rest is written only as far as it holds something: `fragment` when
 * its state is not PKT_FRAG_NONE, encap[] up to n_encap, `quote` when `scope` is
 * PKT_SCOPE_ICMP_ERROR. Beyond that they keep what the struct held before. So a packet writes
 * the first 104 bytes: with the head of struct analyzer_pending, the three cache lines a ring
 * entry hands between threads (bench/README.md, "The reader thread").
 */
struct pkt_info {
    const struct decode_config *config; /* set by decode_packet(); NULL means the defaults */
    uint8_t family;                     /* 4 or 6 */
    uint8_t proto;                      /* IP protocol of the innermost transport header */
    uint8_t tcp_flags;
    uint8_t n_encap;
    uint8_t scope; /* enum pkt_scope */
    uint8_t hint;  /* enum pkt_hint */
    uint8_t depth; /* tunnels entered */
    uint8_t ttl;   /* the innermost IP header's TTL (IPv4) or hop limit (IPv6) */
    bool in_quote; /* decoding the packet an ICMP error quotes: ports suffice, no tunnels */
    bool length_from_capture; /* an IP length field was 0 (TSO, BIG TCP): the capture's was used */
    uint8_t icmp_type, icmp_code; /* for PKT_SCOPE_ICMP_ERROR */
    uint16_t vlan;                /* innermost VLAN id, 0 when untagged */
    uint16_t sport, dport;        /* 0 for protocols without ports */
    uint16_t tcp_window;
    uint32_t tcp_seq, tcp_ack;
    uint32_t ip_len;      /* the innermost IP datagram's length, as its header gives it */
    uint32_t payload_len; /* transport payload bytes, from the headers' lengths */
    uint32_t l4_len;      /* bytes after the IP headers, as the IP header gives it */
    /* The innermost transport header in the captured bytes, for readers of its contents (NAT
     * pairing): it starts at l4 (its captured bytes end with the capture's, or after l4_len);
     * the payload is its last payload_len bytes. ip_id: the innermost IPv4 identification (0 for
     * IPv6). */
    const uint8_t *l4;
    uint16_t ip_id;
    /* How many bytes from l4 on decoding could read (the captured ones, cut at the IP length):
     * where decode_payload() finds the payload's captured bytes. */
    uint32_t l4_caplen;
    uint8_t src[16], dst[16];
    struct pkt_fragment fragment;
    /* Rarely written, so not zeroed for every packet (above). */
    struct encap encap[PS_ENCAP_MAX];
    struct pkt_quote quote;
};

/*
 * The transport payload's captured bytes of a TCP or UDP packet with payload (payload_len > 0):
 * where they begin (NULL when none was captured), and in *caplen how many. Valid only as long as
 * the bytes given to decode_packet() are, so looked at before the next packet is read. Worked
 * out here, for the few packets whose payload is looked at, rather than by every packet's decoding.
 */
static inline const uint8_t *decode_payload(const struct pkt_info *p, uint32_t *caplen)
{
    uint32_t header = p->l4_len - p->payload_len; /* payload_len <= l4_len */
    uint32_t captured = p->l4_caplen > header ? p->l4_caplen - header : 0;

    *caplen = captured < p->payload_len ? captured : p->payload_len;
    return captured != 0 ? p->l4 + header : NULL;
}

/*
 * Application protocols, as the first payload bytes of a direction show them (decode_app.c). The
 * numbers are kept in flows (5 bits); APP_NONE: not recognised.
 */
enum app_proto {
    APP_NONE = 0,
    APP_HTTP,
    APP_TLS,
    APP_SSH,
    APP_DNS,
    APP_QUIC,
    APP_SMTP,
    APP_FTP,
    APP_POP3,
    APP_IMAP,
    APP_RDP,
    APP__COUNT
};

/* What decode_app() found in one packet's payload. */
struct app_match {
    uint8_t proto;  /* enum app_proto */
    bool cut_short; /* not recognised, and the bytes ended while a signature still agreed */
    uint16_t name_len;
    uint32_t
        name_off; /* a TLS ClientHello's server name (SNI): payload[name_off], name_len bytes */
};

/*
 * Recognises the protocol of the first payload bytes of a direction (`caplen` bytes captured, of
 * transport `transport`: TCP or UDP; other transports are never recognised). Pure: reads nothing
 * beyond payload[caplen - 1] and keeps nothing.
 */
void decode_app(const uint8_t *payload, size_t caplen, uint8_t transport, struct app_match *out);

/* "http", "tls", ... (as JSON, CSV and --expect name them), "HTTP", "TLS", ... (as sentences do);
 * NULL for APP_NONE and unknown numbers. */
const char *decode_app_name(uint8_t proto);
const char *decode_app_label(uint8_t proto);
/* The protocol named `name` (decode_app_name()), or APP_NONE. */
uint8_t decode_app_by_name(const char *name);

/* True when decode_packet() understands this link type: one of LINKTYPE_ROWS (base.h). */
bool decode_linktype_supported(int linktype);

/*
 * Decodes one packet captured with `linktype` under `config` (NULL: defaults). `caplen` is the
 * number of bytes captured; nothing beyond it is read. On PS_SKIP_NONE, *out describes the
 * packet (struct pkt_info says which of its fields). PS_SKIP_FRAGMENT is not final: out->fragment
 * describes a non-first fragment, for the fragment table. On other outcomes *out is unspecified.
 */
enum ps_skip decode_packet(const struct decode_config *config, int linktype, const uint8_t *data,
                           size_t caplen, struct pkt_info *out);

#endif
