/*
 * base.h - the facts every module shares: types and limits (time, skip reasons, error buffers),
 * seeded hashing and large allocations; the table of IP protocols; the table of link types.
 */
#ifndef PS_BASE_H
#define PS_BASE_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Room for one error message; every module that can fail fills one the caller owns. */
#define PS_ERRBUF_SIZE 256

/* Nanoseconds since the Unix epoch: fits any capture until the year 2262. */
typedef int64_t ps_time;

/*
 * Why a packet did not join a flow. Every packet read ends either in a flow or under exactly one
 * of these reasons, so the report's totals reconcile. The report lists them in this order.
 */
enum ps_skip {
    PS_SKIP_NONE = 0,          /* not skipped: the packet joined a flow */
    PS_SKIP_LINKTYPE,          /* the input's link type is not one we decode */
    PS_SKIP_NON_IP,            /* the link layer carried something other than IP (ARP, LLDP, ...) */
    PS_SKIP_TRUNC_LINK,        /* captured bytes end inside the link-layer header */
    PS_SKIP_TRUNC_NETWORK,     /* captured bytes end inside the IPv4/IPv6 header or its options */
    PS_SKIP_TRUNC_TRANSPORT,   /* captured bytes end inside the TCP/UDP header */
    PS_SKIP_INVALID_LINK,      /* link-layer header holds impossible values */
    PS_SKIP_INVALID_NETWORK,   /* IP header holds impossible values (version, header length, ...) */
    PS_SKIP_INVALID_TRANSPORT, /* TCP/UDP header holds impossible values (data offset < 5, ...) */
    PS_SKIP_FRAGMENT,          /* a later IP fragment whose first fragment never came */
    PS_SKIP_FLOW_LIMIT,        /* the flow table is full (--max-flows) */
    PS_SKIP__COUNT
};

/* The report's name for a skip reason ("non_ip", "truncated_network", ...). */
const char *ps_skip_name(enum ps_skip reason);

/* One sentence a student can read, for the text report and the documentation. */
const char *ps_skip_description(enum ps_skip reason);

/*
 * A seed for the hash tables, so that crafted traffic cannot force collisions: it only needs to be
 * unpredictable to whoever crafts the traffic.
 */
uint64_t ps_hash_seed(void);

/*
 * malloc() for a large block used at random places: on huge pages where the system offers them
 * (transparent huge pages, asked for with madvise()), so that its accesses do not each miss the
 * TLB as well as the cache. Freed with free().
 */
void *ps_alloc_huge(size_t bytes);

/*
 * Zeroed memory straight from the system (an anonymous mapping), for a block that is large or
 * freed out of order: it arrives a page at a time as it is first touched, with no memset(), on
 * huge pages where the system gives them (from 2 MB), and ps_unmap() gives it back at once, where
 * free() can keep a block below malloc()'s sliding mmap threshold resident in the heap. Aligned to
 * a page (to a cache line on systems without anonymous mappings, where it comes from
 * aligned_alloc()). NULL when out of memory.
 */
void *ps_map(size_t bytes);

/*
 * ps_map() without the huge-page advice, for a block filled from its start to its end (the flow
 * store's chunks). Such a block gains little from huge pages, and a fresh huge page can cost far
 * more than the 512 small ones it replaces: on the virtual machines measured (bench/README.md) the
 * kernel's clearing of each new 2 MB page waited on the host, a third of the table thread's time
 * on the datacentre shape.
 */
void *ps_map_in_order(size_t bytes);

/* Gives back a block of `bytes` from ps_map() or ps_map_in_order(); NULL does nothing. */
void ps_unmap(void *p, size_t bytes);

/*
 * calloc() for a table whose memory is read before it is written (open addressing), on huge pages
 * when large: zeroed here, written, so that later first writes to its pages are not copy-on-write
 * faults from the shared zero page, each of which, while another thread runs, interrupts every
 * core to flush its TLB.
 */
void *ps_zalloc(size_t n, size_t size);

/*
 * SHA-1 (FIPS 180-4) of `len` bytes: the Community ID's hash (report.h), nothing secret. With the
 * processor's SHA instructions where it has them (x86's SHA extensions): a flow's hash is then a
 * tenth of its cost in plain code.
 */
#define PS_SHA1_LEN 20
void ps_sha1(const void *data, size_t len, uint8_t digest[PS_SHA1_LEN]);
/* The same in plain C whatever the processor, for the tests; and whether ps_sha1() has hardware. */
void ps_sha1_plain(const void *data, size_t len, uint8_t digest[PS_SHA1_LEN]);
bool ps_sha1_hardware(void);
/*
 * SHA-1 of a message of at most PS_SHA1_SHORT_MAX bytes that the caller wrote at the start of
 * `block`, every byte after it zero: one block, padded in place. For the Community ID, a short
 * message for every flow written, where the general padding's copies cost as much as the block.
 */
#define PS_SHA1_BLOCK     64
#define PS_SHA1_SHORT_MAX 55
void ps_sha1_short(uint8_t block[PS_SHA1_BLOCK], size_t len, uint8_t digest[PS_SHA1_LEN]);
/* Two such messages at once, each as ps_sha1_short() would: with the SHA extensions the two
 * blocks' rounds interleaved, each block's chain of rounds waited on in the other's time. */
void ps_sha1_short2(uint8_t block[2][PS_SHA1_BLOCK], const size_t len[2],
                    uint8_t digest[2][PS_SHA1_LEN]);

/* SHA-256 (FIPS 180-4) of `len` bytes: the HTML report's Content-Security-Policy hashes. */
#define PS_SHA256_LEN 32
void ps_sha256(const void *data, size_t len, uint8_t digest[PS_SHA256_LEN]);

/*
 * The 128-bit product of a and b folded to 64 bits (wyhash's mum): the mixing step of the hashes
 * of the flow table and the report's tables.
 */
static inline uint64_t ps_mum(uint64_t a, uint64_t b)
{
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)a * b;

    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/*
 * A keyed hash of two words, for the report's tables. The product with the secrets alone is not
 * enough: for some secrets it maps regular keys (consecutive addresses, ports) onto a few clusters
 * of slots (about one seed in 36 made the benchmark trace's 20,480 client hosts probe more than 5
 * slots each on average, up to 900); a second product, with a fixed odd constant (Fibonacci
 * hashing's), spreads them.
 */
static inline uint64_t ps_hash2(uint64_t a, uint64_t b, const uint64_t secret[2])
{
    return ps_mum(ps_mum(a ^ secret[0], b ^ secret[1]), 0x9e3779b97f4a7c15ULL);
}

/* ps_hash2()'s two secrets, from a seed (ps_hash_seed()). */
static inline void ps_hash2_secrets(uint64_t seed, uint64_t secret[2])
{
    secret[0] = seed;
    secret[1] = ps_mum(seed ^ 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL);
}

/*
 * memcmp()'s order of two 4- or 16-byte addresses, read as big-endian words: the flow table orders
 * every packet's endpoints by it, and the report sorts its client hosts, without a call each time.
 */
static inline int ps_addr_compare(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 4) {
        uint32_t x, y;

        memcpy(&x, a, sizeof(x));
        memcpy(&y, b, sizeof(y));
        x = be32toh(x);
        y = be32toh(y);
        return (x > y) - (x < y);
    }
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x, y;

        memcpy(&x, a + i, sizeof(x));
        memcpy(&y, b + i, sizeof(y));
        if (x != y)
            return be64toh(x) < be64toh(y) ? -1 : 1;
    }
    return 0;
}

/*
 * IP protocols (IANA "Assigned Internet Protocol Numbers"): the numbers decoders and flows go by,
 * and one table of what portscope knows of each protocol (src/base/ipproto.c): the name the
 * reports give it, whether its flows have ports, and the class that sets its flows' timeouts.
 */

#define PS_IPPROTO_ICMP   1
#define PS_IPPROTO_IPIP   4 /* IPv4 encapsulation (RFC 2003) */
#define PS_IPPROTO_TCP    6
#define PS_IPPROTO_UDP    17
#define PS_IPPROTO_IPV6   41 /* IPv6 encapsulation (RFC 2473, RFC 4213) */
#define PS_IPPROTO_GRE    47
#define PS_IPPROTO_AH     51 /* authentication header (RFC 4302), IPv4's or IPv6's */
#define PS_IPPROTO_ICMPV6 58
#define PS_IPPROTO_PIM    103
#define PS_IPPROTO_SCTP   132

/* Protocol classes that have timeouts of their own (--idle-timeout tcp=5m). */
enum flow_class { FLOW_CLASS_TCP, FLOW_CLASS_UDP, FLOW_CLASS_ICMP, FLOW_CLASS_OTHER, FLOW_CLASSES };

/*
 * The protocols whose flows have ports each have a port space, numbered from 0 (TCP 0, UDP 1,
 * SCTP 2), for the tables indexed by protocol and port: [port space << 16 | port].
 */
#define PS_IPPROTO_PORT_SPACES 3

/* What portscope knows of one IP protocol. */
struct ipproto {
    const char *name;   /* the reports' name ("tcp"); NULL: they write the number */
    int8_t port_space;  /* below PS_IPPROTO_PORT_SPACES; -1: its flows have no ports */
    uint8_t flow_class; /* enum flow_class */
};

/* The table: a row for each of the 256 protocol numbers, read in place on the hot paths. */
extern const struct ipproto ipproto_table[256];

/* "tcp", "udp", "icmpv6", ...; NULL for a protocol the reports write as a number. */
static inline const char *ipproto_name(uint8_t proto)
{
    return ipproto_table[proto].name;
}

/* TCP, UDP and SCTP: the protocols whose flows have ports. */
static inline bool ipproto_has_ports(uint8_t proto)
{
    return ipproto_table[proto].port_space >= 0;
}

/* The port space of a protocol with ports (ipproto_has_ports()); -1 for the others. */
static inline int ipproto_port_space(uint8_t proto)
{
    return ipproto_table[proto].port_space;
}

static inline enum flow_class ipproto_flow_class(uint8_t proto)
{
    return (enum flow_class)ipproto_table[proto].flow_class;
}

/* The number of the protocol named `name` (exactly, as ipproto_name() gives it); -1: none. */
int ipproto_by_name(const char *name);

/*
 * Link types, the number a capture gives its link layer (libpcap's DLT_ values, pcap-linktype(7)),
 * and one table of those portscope decodes: their names and their decoders (src/base/linktype.c
 * names them, src/decode/decode_link.c dispatches on them).
 */

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
