/*
 * test_decode.c - unit tests for the decoders (src/decode/) on packets built byte by byte:
 * every link type, IPv4 options, IPv6 extension headers, TCP/UDP/SCTP, truncation at every byte,
 * malformed headers, fragments and non-IP payloads.
 */
#include "unit.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#include "../../src/decode/decode_int.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_9100 0x9100

#define TCP_ECE_CWR 0xc0

#define PROTO_ESP  50
#define PROTO_OSPF 89
#define PROTO_PIM  103

#define IP6_HOPOPTS  0
#define IP6_ROUTING  43
#define IP6_FRAGMENT 44
#define IP6_AH       51
#define IP6_DSTOPTS  60

#define ETH_LEN  14
#define IPV4_LEN 20
#define IPV6_LEN 40
#define TCP_LEN  20
#define UDP_LEN  8
#define SCTP_LEN 12

static const uint8_t v4_src[4] = {192, 0, 2, 1};
static const uint8_t v4_dst[4] = {198, 51, 100, 7};
static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* A packet under construction. */
struct pkt {
    uint8_t b[2048];
    size_t len;
};

static void put(struct pkt *p, const void *data, size_t n)
{
    ck_assert_uint_le(p->len + n, sizeof(p->b));
    memcpy(p->b + p->len, data, n);
    p->len += n;
}

static void put_u8(struct pkt *p, uint8_t v)
{
    put(p, &v, 1);
}

static void put_be16(struct pkt *p, uint16_t v)
{
    put_u8(p, (uint8_t)(v >> 8));
    put_u8(p, (uint8_t)v);
}

static void put_be32(struct pkt *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p, (uint16_t)v);
}

static void put_le32(struct pkt *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put_u8(p, (uint8_t)(v >> (8 * i)));
}

static void put_fill(struct pkt *p, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u8(p, v);
}

static void set_be16(struct pkt *p, size_t off, uint16_t v)
{
    p->b[off] = (uint8_t)(v >> 8);
    p->b[off + 1] = (uint8_t)v;
}

static void put_eth(struct pkt *p, uint16_t ethertype)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

    put(p, macs, sizeof(macs));
    put_be16(p, ethertype);
}

/* A VLAN tag after a tag type: the tag control word, then the type of what follows. */
static void put_vlan(struct pkt *p, uint16_t tci, uint16_t ethertype)
{
    put_be16(p, tci);
    put_be16(p, ethertype);
}

/* Linux cooked capture v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
static void put_sll(struct pkt *p, uint16_t protocol)
{
    put_be16(p, 0);
    put_be16(p, 1);
    put_be16(p, 6);
    put_fill(p, 0x22, 8);
    put_be16(p, protocol);
}

/* Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, type, address length, address. */
static void put_sll2(struct pkt *p, uint16_t protocol)
{
    put_be16(p, protocol);
    put_be16(p, 0);
    put_be32(p, 3);
    put_be16(p, 1);
    put_u8(p, 0);
    put_u8(p, 6);
    put_fill(p, 0x22, 8);
}

/* 802.2 LLC with a SNAP header (RFC 1042) carrying `ethertype`. */
static void put_snap(struct pkt *p, uint16_t ethertype)
{
    static const uint8_t llc[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};

    put(p, llc, sizeof(llc));
    put_be16(p, ethertype);
}

/*
 * An IPv4 header with `opt_len` bytes of options (a multiple of 4: NOPs, then end of list).
 * Returns the header's offset for finish_ipv4(); the total length is left 0 until then.
 */
static size_t put_ipv4(struct pkt *p, uint8_t proto, size_t opt_len)
{
    size_t off = p->len;

    ck_assert_uint_eq(opt_len % 4, 0);
    put_u8(p, (uint8_t)(0x40 | ((IPV4_LEN + opt_len) / 4)));
    put_u8(p, 0);
    put_be16(p, 0);
    put_be16(p, 0x1234);
    put_be16(p, 0);
    put_u8(p, 64);
    put_u8(p, proto);
    put_be16(p, 0);
    put(p, v4_src, 4);
    put(p, v4_dst, 4);
    if (opt_len > 0) {
        put_fill(p, 0x01, opt_len - 1);
        put_u8(p, 0x00);
    }
    return off;
}

/* Sets the total length of the IPv4 header at `off` to end where the packet ends now. */
static void finish_ipv4(struct pkt *p, size_t off)
{
    set_be16(p, off + 2, (uint16_t)(p->len - off));
}

static size_t put_ipv6(struct pkt *p, uint8_t next)
{
    size_t off = p->len;

    put_be32(p, 0x60000000);
    put_be16(p, 0);
    put_u8(p, next);
    put_u8(p, 64);
    put(p, v6_src, 16);
    put(p, v6_dst, 16);
    return off;
}

static void finish_ipv6(struct pkt *p, size_t off)
{
    set_be16(p, off + 4, (uint16_t)(p->len - off - IPV6_LEN));
}

/* A hop-by-hop, routing or destination-options header: (len_field + 1) * 8 bytes. */
static void put_ext6(struct pkt *p, uint8_t next, uint8_t len_field)
{
    put_u8(p, next);
    put_u8(p, len_field);
    put_fill(p, 0, (size_t)(len_field + 1) * 8 - 2);
}

/* An IPv6 fragment header; `offset` is in 8-byte units. */
static void put_frag6(struct pkt *p, uint8_t next, uint16_t offset, bool more)
{
    put_u8(p, next);
    put_u8(p, 0);
    put_be16(p, (uint16_t)(offset << 3 | (more ? 1 : 0)));
    put_be32(p, 0xdeadbeef);
}

/* An authentication header: (len_field + 2) * 4 bytes. */
static void put_ah(struct pkt *p, uint8_t next, uint8_t len_field)
{
    put_u8(p, next);
    put_u8(p, len_field);
    put_fill(p, 0, (size_t)(len_field + 2) * 4 - 2);
}

static void put_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
    put_be16(p, sport);
    put_be16(p, dport);
    put_be32(p, 1000);
    put_be32(p, 0);
    put_u8(p, 5 << 4);
    put_u8(p, flags);
    put_be16(p, 65535);
    put_be32(p, 0);
}

static void put_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
    put_be16(p, sport);
    put_be16(p, dport);
    put_be16(p, UDP_LEN);
    put_be16(p, 0);
}

static void put_sctp(struct pkt *p, uint16_t sport, uint16_t dport)
{
    put_be16(p, sport);
    put_be16(p, dport);
    put_be32(p, 0x01020304);
    put_be32(p, 0);
}

/*
 * Decodes the first `caplen` bytes from a heap copy of exactly that size, so a read past the
 * captured bytes shows under AddressSanitizer.
 */
static enum ps_skip decode_len(int linktype, const struct pkt *p, size_t caplen,
                               struct pkt_info *out)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    enum ps_skip rc;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, p->b, caplen);
    rc = decode_packet(NULL, linktype, copy, caplen, out);
    free(copy);
    return rc;
}

static enum ps_skip decode(int linktype, const struct pkt *p, struct pkt_info *out)
{
    return decode_len(linktype, p, p->len, out);
}

static void assert_v4_addrs(const struct pkt_info *info)
{
    ck_assert_uint_eq(info->family, 4);
    ck_assert_mem_eq(info->src, v4_src, 4);
    ck_assert_mem_eq(info->dst, v4_dst, 4);
}

static void assert_v6_addrs(const struct pkt_info *info)
{
    ck_assert_uint_eq(info->family, 6);
    ck_assert_mem_eq(info->src, v6_src, 16);
    ck_assert_mem_eq(info->dst, v6_dst, 16);
}

static void assert_ports(const struct pkt_info *info, uint8_t proto, uint16_t sport, uint16_t dport)
{
    ck_assert_uint_eq(info->proto, proto);
    ck_assert_uint_eq(info->sport, sport);
    ck_assert_uint_eq(info->dport, dport);
}

/* Appends IPv4 + UDP 5353 -> 53 to what the link layer wrote. */
static void put_ipv4_udp(struct pkt *p)
{
    size_t ip = put_ipv4(p, PS_IPPROTO_UDP, 0);

    put_udp(p, 5353, 53);
    finish_ipv4(p, ip);
}

/* Appends IPv6 + TCP 40000 -> 443 (SYN) to what the link layer wrote. */
static void put_ipv6_tcp(struct pkt *p)
{
    size_t ip = put_ipv6(p, PS_IPPROTO_TCP);

    put_tcp(p, 40000, 443, PS_TCP_SYN);
    finish_ipv6(p, ip);
}

static void build_eth_ipv4_tcp(struct pkt *p, uint8_t flags)
{
    size_t ip;

    memset(p, 0, sizeof(*p));
    put_eth(p, ETHERTYPE_IPV4);
    ip = put_ipv4(p, PS_IPPROTO_TCP, 0);
    put_tcp(p, 51000, 80, flags);
    finish_ipv4(p, ip);
}

START_TEST(test_eth_ipv4_tcp)
{
    struct pkt p;
    struct pkt_info info;

    build_eth_ipv4_tcp(&p, PS_TCP_SYN | PS_TCP_ACK);
    ck_assert_uint_eq(p.len, ETH_LEN + IPV4_LEN + TCP_LEN);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_TCP, 51000, 80);
    ck_assert_uint_eq(info.tcp_flags, PS_TCP_SYN | PS_TCP_ACK);
    ck_assert_uint_eq(info.hint, PKT_HINT_ACCEPT);
    ck_assert_uint_eq(info.n_encap, 0);
}
END_TEST

/* Where the transport header starts, for the NAT pairing's evidence, and the IPv4 id. */
START_TEST(test_l4_and_ip_id)
{
    struct pkt p;
    struct pkt_info info;

    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    p.b[ETH_LEN + 4] = 0x12;
    p.b[ETH_LEN + 5] = 0x34;
    ck_assert_int_eq(decode_packet(NULL, PS_DLT_EN10MB, p.b, p.len, &info), PS_SKIP_NONE);
    ck_assert_ptr_eq(info.l4, p.b + ETH_LEN + IPV4_LEN);
    ck_assert_uint_eq(info.ip_id, 0x1234);
    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    ck_assert_int_eq(decode_packet(NULL, PS_DLT_EN10MB, p.b, p.len, &info), PS_SKIP_NONE);
    ck_assert_ptr_eq(info.l4, p.b + ETH_LEN + 40);
    ck_assert_uint_eq(info.ip_id, 0);
}
END_TEST

/*
 * decode_payload(): a TCP payload after options, whole, cut by the snaplen, with an Ethernet
 * trailer past the IP length (not payload), and a UDP payload.
 */
START_TEST(test_payload_bytes)
{
    struct pkt p;
    struct pkt_info info;
    const uint8_t *payload;
    uint32_t caplen;
    size_t ip, tcp;

    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_TCP, 0);
    tcp = p.len;
    put_tcp(&p, 40000, 443, PS_TCP_PSH | PS_TCP_ACK);
    p.b[tcp + 12] = 8 << 4; /* 12 bytes of options */
    put_fill(&p, 0x01, 12);
    put(&p, "GET / HTTP/1.1\r\n", 16);
    finish_ipv4(&p, ip);
    put_fill(&p, 0xee, 6); /* the Ethernet trailer */
    ck_assert_int_eq(decode_packet(NULL, PS_DLT_EN10MB, p.b, p.len, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.payload_len, 16);
    payload = decode_payload(&info, &caplen);
    ck_assert_ptr_eq(payload, p.b + tcp + 32);
    ck_assert_uint_eq(caplen, 16);
    /* Cut 10 bytes into the payload, then before it. */
    ck_assert_int_eq(decode_packet(NULL, PS_DLT_EN10MB, p.b, tcp + 42, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.payload_len, 16);
    ck_assert_ptr_eq(decode_payload(&info, &caplen), p.b + tcp + 32);
    ck_assert_uint_eq(caplen, 10);
    ck_assert_int_eq(decode_packet(NULL, PS_DLT_EN10MB, p.b, tcp + 32, &info), PS_SKIP_NONE);
    ck_assert_ptr_null(decode_payload(&info, &caplen));
    ck_assert_uint_eq(caplen, 0);

    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_UDP, 0);
    put_udp(&p, 5353, 53);
    put(&p, "abcd", 4);
    set_be16(&p, ip + IPV4_LEN + 4, UDP_LEN + 4);
    finish_ipv4(&p, ip);
    ck_assert_int_eq(decode_packet(NULL, PS_DLT_EN10MB, p.b, p.len, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.payload_len, 4);
    ck_assert_ptr_eq(decode_payload(&info, &caplen), p.b + ip + IPV4_LEN + UDP_LEN);
    ck_assert_uint_eq(caplen, 4);
}
END_TEST

START_TEST(test_tcp_hints)
{
    static const struct {
        uint8_t flags, hint;
    } cases[] = {
        {PS_TCP_SYN, PKT_HINT_OPEN},
        {PS_TCP_SYN | TCP_ECE_CWR, PKT_HINT_OPEN},
        {PS_TCP_SYN | PS_TCP_ACK, PKT_HINT_ACCEPT},
        {PS_TCP_ACK, PKT_HINT_NONE},
        {PS_TCP_ACK | PS_TCP_PSH | PS_TCP_FIN, PKT_HINT_NONE},
        {PS_TCP_RST, PKT_HINT_NONE},
        {0, PKT_HINT_NONE},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pkt p;
        struct pkt_info info;

        build_eth_ipv4_tcp(&p, cases[i].flags);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        ck_assert_uint_eq(info.tcp_flags, cases[i].flags);
        ck_assert_msg(info.hint == cases[i].hint, "flags 0x%02x: hint %u, want %u", cases[i].flags,
                      info.hint, cases[i].hint);
    }
}
END_TEST

START_TEST(test_tcp_flags_byte)
{
    struct pkt p;
    struct pkt_info info;

    build_eth_ipv4_tcp(&p, PS_TCP_FIN | PS_TCP_RST | PS_TCP_PSH | 0xc0);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.tcp_flags, PS_TCP_FIN | PS_TCP_RST | PS_TCP_PSH | 0xc0);
}
END_TEST

START_TEST(test_eth_ipv4_udp)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
    ck_assert_uint_eq(info.tcp_flags, 0);
}
END_TEST

START_TEST(test_eth_ipv4_sctp)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_SCTP, 0);
    put_sctp(&p, 2905, 36412);
    finish_ipv4(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_SCTP, 2905, 36412);
}
END_TEST

START_TEST(test_sctp_hints)
{
    static const struct {
        uint8_t chunk, hint;
    } cases[] = {{1, PKT_HINT_OPEN}, {2, PKT_HINT_ACCEPT}, {0, PKT_HINT_NONE}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t ip;

        put_eth(&p, ETHERTYPE_IPV4);
        ip = put_ipv4(&p, PS_IPPROTO_SCTP, 0);
        put_sctp(&p, 40000, 3868);
        put_u8(&p, cases[i].chunk);
        put_fill(&p, 0, 3);
        finish_ipv4(&p, ip);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_ports(&info, PS_IPPROTO_SCTP, 40000, 3868);
        ck_assert_uint_eq(info.hint, cases[i].hint);
    }
}
END_TEST

START_TEST(test_portless_protocols)
{
    static const uint8_t protos[] = {PROTO_ESP, PROTO_OSPF, PROTO_PIM, 255};

    for (size_t i = 0; i < sizeof(protos); i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t ip;

        put_eth(&p, ETHERTYPE_IPV4);
        ip = put_ipv4(&p, protos[i], 0);
        put_fill(&p, 0xee, 4);
        finish_ipv4(&p, ip);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_v4_addrs(&info);
        assert_ports(&info, protos[i], 0, 0);
        ck_assert_uint_eq(info.tcp_flags, 0);
    }
}
END_TEST

START_TEST(test_ipv4_options)
{
    static const size_t opt_lens[] = {4, 8, 20, 40};

    for (size_t i = 0; i < sizeof(opt_lens) / sizeof(opt_lens[0]); i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t ip;

        put_eth(&p, ETHERTYPE_IPV4);
        ip = put_ipv4(&p, PS_IPPROTO_TCP, opt_lens[i]);
        put_tcp(&p, 1234, 22, PS_TCP_ACK);
        finish_ipv4(&p, ip);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_v4_addrs(&info);
        assert_ports(&info, PS_IPPROTO_TCP, 1234, 22);
        ck_assert_uint_eq(info.tcp_flags, PS_TCP_ACK);
    }
}
END_TEST

START_TEST(test_eth_ipv6_tcp)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);
    ck_assert_uint_eq(info.tcp_flags, PS_TCP_SYN);
}
END_TEST

/* The TTL (IPv4) or hop limit (IPv6) is the innermost IP header's: the host's, not a tunnel's. */
START_TEST(test_ip_ttl)
{
    struct pkt p;
    struct pkt_info info;
    size_t ip;

    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    p.b[ETH_LEN + 8] = 128;
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.ttl, 128);

    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    p.b[ETH_LEN + 7] = 255;
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.ttl, 255);

    /* 6in4: the outer IPv4 header's TTL 200, the inner IPv6 header's hop limit 57. */
    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_IPV6, 0);
    p.b[ip + 8] = 200;
    put_ipv6_tcp(&p);
    p.b[ip + IPV4_LEN + 7] = 57;
    finish_ipv4(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    ck_assert_uint_eq(info.ttl, 57);
}
END_TEST

START_TEST(test_eth_ipv6_udp_sctp)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    put_eth(&p, ETHERTYPE_IPV6);
    ip = put_ipv6(&p, PS_IPPROTO_UDP);
    put_udp(&p, 546, 547);
    finish_ipv6(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 546, 547);

    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV6);
    ip = put_ipv6(&p, PS_IPPROTO_SCTP);
    put_sctp(&p, 3868, 3868);
    finish_ipv6(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_SCTP, 3868, 3868);
}
END_TEST

/* Ethernet + IPv6 + hop-by-hop + routing + fragment (first) + destination options + UDP. */
static void build_ipv6_ext_chain(struct pkt *p)
{
    size_t ip;

    memset(p, 0, sizeof(*p));
    put_eth(p, ETHERTYPE_IPV6);
    ip = put_ipv6(p, IP6_HOPOPTS);
    put_ext6(p, IP6_ROUTING, 0);
    put_ext6(p, IP6_FRAGMENT, 2);
    put_frag6(p, IP6_DSTOPTS, 0, true);
    put_ext6(p, PS_IPPROTO_UDP, 1);
    put_udp(p, 33434, 4500);
    finish_ipv6(p, ip);
}

START_TEST(test_ipv6_ext_headers)
{
    struct pkt p;
    struct pkt_info info;

    build_ipv6_ext_chain(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 33434, 4500);
}
END_TEST

START_TEST(test_ipv6_each_ext_header)
{
    static const uint8_t kinds[] = {IP6_HOPOPTS, IP6_ROUTING, IP6_DSTOPTS};

    for (size_t i = 0; i < sizeof(kinds); i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t ip;

        put_eth(&p, ETHERTYPE_IPV6);
        ip = put_ipv6(&p, kinds[i]);
        put_ext6(&p, PS_IPPROTO_TCP, (uint8_t)i);
        put_tcp(&p, 1111, 2222, PS_TCP_SYN);
        finish_ipv6(&p, ip);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_ports(&info, PS_IPPROTO_TCP, 1111, 2222);
        ck_assert_uint_eq(info.tcp_flags, PS_TCP_SYN);
    }
}
END_TEST

START_TEST(test_ipv6_ah)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    put_eth(&p, ETHERTYPE_IPV6);
    ip = put_ipv6(&p, IP6_AH);
    put_ah(&p, PS_IPPROTO_TCP, 4);
    put_tcp(&p, 500, 4500, PS_TCP_ACK);
    finish_ipv6(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_TCP, 500, 4500);
}
END_TEST

START_TEST(test_ipv6_first_fragment)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    put_eth(&p, ETHERTYPE_IPV6);
    ip = put_ipv6(&p, IP6_FRAGMENT);
    put_frag6(&p, PS_IPPROTO_UDP, 0, true);
    put_udp(&p, 7000, 7001);
    finish_ipv6(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_UDP, 7000, 7001);
}
END_TEST

START_TEST(test_ipv6_later_fragment)
{
    static const uint16_t offsets[] = {1, 185, 0x1fff};

    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t ip;

        put_eth(&p, ETHERTYPE_IPV6);
        ip = put_ipv6(&p, IP6_HOPOPTS);
        put_ext6(&p, IP6_FRAGMENT, 0);
        put_frag6(&p, PS_IPPROTO_UDP, offsets[i], i % 2 == 0);
        put_fill(&p, 0x55, 16);
        finish_ipv6(&p, ip);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_FRAGMENT);
    }
}
END_TEST

START_TEST(test_ipv6_no_next_header)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    put_eth(&p, ETHERTYPE_IPV6);
    ip = put_ipv6(&p, 59);
    finish_ipv6(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    assert_ports(&info, 59, 0, 0);
}
END_TEST

/*
 * Asserts the outcome of decoding every prefix of `p`, whose link-layer header ends at `link_end`
 * and network headers at `network_end`; the transport header runs to the end.
 */
static void check_prefixes(int linktype, const struct pkt *p, size_t link_end, size_t network_end)
{
    for (size_t caplen = 0; caplen <= p->len; caplen++) {
        struct pkt_info info;
        enum ps_skip want, got;

        if (caplen < link_end)
            want = PS_SKIP_TRUNC_LINK;
        else if (caplen < network_end)
            want = PS_SKIP_TRUNC_NETWORK;
        else if (caplen < p->len)
            want = PS_SKIP_TRUNC_TRANSPORT;
        else
            want = PS_SKIP_NONE;
        got = decode_len(linktype, p, caplen, &info);
        ck_assert_msg(got == want, "caplen %zu of %zu: got %s, want %s", caplen, p->len,
                      ps_skip_name(got), ps_skip_name(want));
    }
}

START_TEST(test_truncated_eth_ipv4_tcp)
{
    struct pkt p;

    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    check_prefixes(PS_DLT_EN10MB, &p, ETH_LEN, ETH_LEN + IPV4_LEN);
}
END_TEST

START_TEST(test_truncated_vlan_ipv4_options_udp)
{
    struct pkt p = {0};
    size_t ip;

    put_eth(&p, ETHERTYPE_QINQ);
    put_vlan(&p, 100, ETHERTYPE_VLAN);
    put_vlan(&p, 200, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_UDP, 12);
    put_udp(&p, 68, 67);
    finish_ipv4(&p, ip);
    check_prefixes(PS_DLT_EN10MB, &p, ETH_LEN + 8, ETH_LEN + 8 + IPV4_LEN + 12);
}
END_TEST

START_TEST(test_truncated_ipv6_ext_chain)
{
    struct pkt p;

    build_ipv6_ext_chain(&p);
    check_prefixes(PS_DLT_EN10MB, &p, ETH_LEN, p.len - UDP_LEN);
}
END_TEST

START_TEST(test_truncated_sctp)
{
    struct pkt p = {0};
    size_t ip;

    ip = put_ipv4(&p, PS_IPPROTO_SCTP, 0);
    put_sctp(&p, 9, 10);
    finish_ipv4(&p, ip);
    check_prefixes(PS_DLT_RAW, &p, 0, IPV4_LEN);
}
END_TEST

START_TEST(test_truncated_cooked)
{
    struct pkt p = {0};

    put_sll(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    check_prefixes(PS_DLT_LINUX_SLL, &p, 16, 16 + IPV6_LEN);

    memset(&p, 0, sizeof(p));
    put_sll2(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    check_prefixes(PS_DLT_LINUX_SLL2, &p, 20, 20 + IPV6_LEN);
}
END_TEST

START_TEST(test_truncated_null_loop)
{
    struct pkt p = {0};

    put_le32(&p, 2);
    put_ipv4_udp(&p);
    check_prefixes(PS_DLT_NULL, &p, 4, 4 + IPV4_LEN);

    memset(&p, 0, sizeof(p));
    put_be32(&p, 2);
    put_ipv4_udp(&p);
    check_prefixes(PS_DLT_LOOP, &p, 4, 4 + IPV4_LEN);
}
END_TEST

START_TEST(test_ipv4_bad_version)
{
    static const uint8_t versions[] = {0, 5, 6, 15};

    for (size_t i = 0; i < sizeof(versions); i++) {
        struct pkt p;
        struct pkt_info info;

        build_eth_ipv4_tcp(&p, PS_TCP_SYN);
        p.b[ETH_LEN] = (uint8_t)(versions[i] << 4 | 5);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_INVALID_NETWORK);
    }
}
END_TEST

START_TEST(test_ipv6_bad_version)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    p.b[ETH_LEN] = 0x40;
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_INVALID_NETWORK);
}
END_TEST

START_TEST(test_ipv4_short_ihl)
{
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        struct pkt p;
        struct pkt_info info;

        build_eth_ipv4_tcp(&p, PS_TCP_SYN);
        p.b[ETH_LEN] = (uint8_t)(0x40 | ihl);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_INVALID_NETWORK);
        /* The header length is known wrong from its first byte: no more is needed to say so. */
        ck_assert_int_eq(decode_len(PS_DLT_EN10MB, &p, ETH_LEN + 1, &info),
                         PS_SKIP_INVALID_NETWORK);
    }
}
END_TEST

START_TEST(test_ipv4_ihl_beyond_capture)
{
    struct pkt p;
    struct pkt_info info;

    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    p.b[ETH_LEN] = 0x4f;
    set_be16(&p, ETH_LEN + 2, 60);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_TRUNC_NETWORK);
}
END_TEST

START_TEST(test_ipv4_total_length_below_header)
{
    static const uint16_t lengths[] = {1, 19};
    struct pkt p;
    struct pkt_info info;
    size_t ip;

    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        build_eth_ipv4_tcp(&p, PS_TCP_SYN);
        set_be16(&p, ETH_LEN + 2, lengths[i]);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_INVALID_NETWORK);
    }

    /* With options, the header is longer than 20 bytes: 20 is then too short as well. */
    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_TCP, 8);
    put_tcp(&p, 1, 2, 0);
    set_be16(&p, ip + 2, IPV4_LEN);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_INVALID_NETWORK);
}
END_TEST

START_TEST(test_ipv4_total_length_zero_is_tso)
{
    struct pkt p;
    struct pkt_info info;

    build_eth_ipv4_tcp(&p, PS_TCP_ACK);
    put_fill(&p, 0x77, 1400);
    set_be16(&p, ETH_LEN + 2, 0);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_TCP, 51000, 80);
}
END_TEST

START_TEST(test_ipv4_total_length_equal_header)
{
    struct pkt p;
    struct pkt_info info;

    /* The datagram ends with its header; the TCP bytes after it are not part of it. */
    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    set_be16(&p, ETH_LEN + 2, IPV4_LEN);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_TRUNC_TRANSPORT);
}
END_TEST

START_TEST(test_tcp_bad_data_offset)
{
    for (uint8_t off = 0; off < 5; off++) {
        struct pkt p;
        struct pkt_info info;

        build_eth_ipv4_tcp(&p, PS_TCP_SYN);
        p.b[ETH_LEN + IPV4_LEN + 12] = (uint8_t)(off << 4);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_INVALID_TRANSPORT);
    }
}
END_TEST

START_TEST(test_tcp_data_offset_with_options)
{
    struct pkt p;
    struct pkt_info info;

    /* A data offset past the captured bytes is fine: only the first 20 bytes are read. */
    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    p.b[ETH_LEN + IPV4_LEN + 12] = 0xf0;
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_TCP, 51000, 80);
}
END_TEST

START_TEST(test_ipv4_later_fragment)
{
    static const uint16_t frag_fields[] = {0x0001, 0x2001, 0x00b9, 0x1fff, 0x4001};

    for (size_t i = 0; i < sizeof(frag_fields) / sizeof(frag_fields[0]); i++) {
        struct pkt p;
        struct pkt_info info;

        build_eth_ipv4_tcp(&p, PS_TCP_SYN);
        set_be16(&p, ETH_LEN + 6, frag_fields[i]);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_FRAGMENT);
        /* A later fragment carries no transport header, so even a short one is a fragment. */
        ck_assert_int_eq(decode_len(PS_DLT_EN10MB, &p, ETH_LEN + IPV4_LEN, &info),
                         PS_SKIP_FRAGMENT);
    }
}
END_TEST

START_TEST(test_ipv4_first_fragment_and_df)
{
    static const uint16_t frag_fields[] = {0x2000, 0x4000, 0x8000};

    for (size_t i = 0; i < sizeof(frag_fields) / sizeof(frag_fields[0]); i++) {
        struct pkt p;
        struct pkt_info info;

        build_eth_ipv4_tcp(&p, PS_TCP_SYN);
        set_be16(&p, ETH_LEN + 6, frag_fields[i]);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_ports(&info, PS_IPPROTO_TCP, 51000, 80);
    }
}
END_TEST

START_TEST(test_ethernet_padding)
{
    struct pkt p = {0};
    struct pkt_info info;

    /* A 28-byte datagram in a minimum-size frame: 18 bytes of padding follow it. */
    put_eth(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    put_fill(&p, 0xa5, 18);
    ck_assert_uint_eq(p.len, 60);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
}
END_TEST

START_TEST(test_ethernet_padding_not_transport)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    /* A bare header claiming TCP: the 26 padding bytes after it must not be read as TCP. */
    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PS_IPPROTO_TCP, 0);
    finish_ipv4(&p, ip);
    put_fill(&p, 0x50, 26);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_TRUNC_TRANSPORT);

    memset(&p, 0, sizeof(p));
    put_eth(&p, ETHERTYPE_IPV6);
    ip = put_ipv6(&p, PS_IPPROTO_UDP);
    put_be32(&p, 0x12345678);
    finish_ipv6(&p, ip);
    put_fill(&p, 0x50, 8);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_TRUNC_TRANSPORT);
}
END_TEST

START_TEST(test_ipv6_payload_length_zero)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_IPV6);
    put_ipv6(&p, PS_IPPROTO_TCP);
    put_tcp(&p, 40000, 443, PS_TCP_SYN);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);
}
END_TEST

START_TEST(test_vlan)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_VLAN);
    put_vlan(&p, 0xe000 | 42, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
    ck_assert_uint_eq(info.n_encap, 1);
    ck_assert_uint_eq(info.encap[0].kind, ENCAP_VLAN);
    ck_assert(info.encap[0].has_id);
    ck_assert_uint_eq(info.encap[0].id, 42);
    /* Without --vlan-in-key the VLAN id stays out of the flow key. */
    ck_assert_uint_eq(info.vlan, 0);
}
END_TEST

START_TEST(test_qinq)
{
    static const uint16_t outer_types[] = {ETHERTYPE_QINQ, ETHERTYPE_9100, ETHERTYPE_VLAN};

    for (size_t i = 0; i < sizeof(outer_types) / sizeof(outer_types[0]); i++) {
        struct pkt p = {0};
        struct pkt_info info;

        put_eth(&p, outer_types[i]);
        put_vlan(&p, 0x1000 | 4094, ETHERTYPE_VLAN);
        put_vlan(&p, 7, ETHERTYPE_IPV6);
        put_ipv6_tcp(&p);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_v6_addrs(&info);
        assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);
        ck_assert_uint_eq(info.n_encap, 2);
        ck_assert_uint_eq(info.encap[0].kind, ENCAP_VLAN);
        ck_assert_uint_eq(info.encap[0].id, 4094);
        ck_assert_uint_eq(info.encap[1].kind, ENCAP_VLAN);
        ck_assert_uint_eq(info.encap[1].id, 7);
        ck_assert(info.encap[0].has_id && info.encap[1].has_id);
    }
}
END_TEST

START_TEST(test_vlan_in_key)
{
    static const struct decode_config config = {.vlan_in_key = true};
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_QINQ);
    put_vlan(&p, 100, ETHERTYPE_VLAN);
    put_vlan(&p, 0x2000 | 7, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode_packet(&config, PS_DLT_EN10MB, p.b, p.len, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.vlan, 7);
    ck_assert_uint_eq(info.n_encap, 2);
}
END_TEST

START_TEST(test_vlan_deeper_than_recorded)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_VLAN);
    for (uint16_t i = 1; i <= PS_ENCAP_MAX + 2; i++)
        put_vlan(&p, i, i <= PS_ENCAP_MAX + 1 ? ETHERTYPE_VLAN : ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
    ck_assert_uint_eq(info.n_encap, PS_ENCAP_MAX);
    for (size_t i = 0; i < PS_ENCAP_MAX; i++)
        ck_assert_uint_eq(info.encap[i].id, i + 1);
}
END_TEST

START_TEST(test_vlan_non_ip)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_VLAN);
    put_vlan(&p, 5, ETHERTYPE_ARP);
    put_fill(&p, 0, 28);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_arp)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, ETHERTYPE_ARP);
    put_be16(&p, 1);
    put_be16(&p, ETHERTYPE_IPV4);
    put_u8(&p, 6);
    put_u8(&p, 4);
    put_be16(&p, 1);
    put_fill(&p, 0x11, 20);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_llc_not_snap)
{
    struct pkt p = {0};
    struct pkt_info info;

    /* Spanning tree: an 802.3 length, then LLC 42 42 03. */
    put_eth(&p, 38);
    put_u8(&p, 0x42);
    put_u8(&p, 0x42);
    put_u8(&p, 0x03);
    put_fill(&p, 0, 35);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_llc_snap_ipv4)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, 8 + IPV4_LEN + UDP_LEN);
    put_snap(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
}
END_TEST

START_TEST(test_llc_snap_other_oui)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, 8 + IPV4_LEN + UDP_LEN);
    put_snap(&p, ETHERTYPE_IPV4);
    p.b[ETH_LEN + 5] = 0x0c; /* Cisco's OUI 00-00-0c: its types are not Ethernet types */
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_llc_truncated)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, 8 + IPV4_LEN + UDP_LEN);
    put_snap(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    for (size_t caplen = ETH_LEN; caplen < ETH_LEN + 8; caplen++)
        ck_assert_int_eq(decode_len(PS_DLT_EN10MB, &p, caplen, &info), PS_SKIP_TRUNC_LINK);
    ck_assert_int_eq(decode_len(PS_DLT_EN10MB, &p, ETH_LEN + 8, &info), PS_SKIP_TRUNC_NETWORK);
}
END_TEST

START_TEST(test_sll)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_sll(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);

    memset(&p, 0, sizeof(p));
    put_sll(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);
}
END_TEST

START_TEST(test_sll_llc_and_non_ip)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_sll(&p, 0x0004);
    put_snap(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);

    memset(&p, 0, sizeof(p));
    put_sll(&p, ETHERTYPE_ARP);
    put_fill(&p, 0, 28);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL, &p, &info), PS_SKIP_NON_IP);

    memset(&p, 0, sizeof(p));
    put_sll(&p, 0x0001); /* LINUX_SLL_P_802_3: Novell 802.3 frames */
    put_fill(&p, 0xff, 30);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_sll2)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_sll2(&p, ETHERTYPE_IPV6);
    put_ipv6_tcp(&p);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL2, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);

    memset(&p, 0, sizeof(p));
    put_sll2(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL2, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);

    memset(&p, 0, sizeof(p));
    put_sll2(&p, ETHERTYPE_ARP);
    put_fill(&p, 0, 28);
    ck_assert_int_eq(decode(PS_DLT_LINUX_SLL2, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_raw)
{
    static const int linktypes[] = {PS_DLT_RAW, PS_DLT_RAW_OBSD, PS_DLT_RAW_PCAP};

    for (size_t i = 0; i < sizeof(linktypes) / sizeof(linktypes[0]); i++) {
        struct pkt p = {0};
        struct pkt_info info;

        put_ipv4_udp(&p);
        ck_assert_int_eq(decode(linktypes[i], &p, &info), PS_SKIP_NONE);
        assert_v4_addrs(&info);
        assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);

        memset(&p, 0, sizeof(p));
        put_ipv6_tcp(&p);
        ck_assert_int_eq(decode(linktypes[i], &p, &info), PS_SKIP_NONE);
        assert_v6_addrs(&info);
        assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);

        p.b[0] = 0x50;
        ck_assert_int_eq(decode(linktypes[i], &p, &info), PS_SKIP_INVALID_NETWORK);
        ck_assert_int_eq(decode_len(linktypes[i], &p, 0, &info), PS_SKIP_TRUNC_NETWORK);
    }
}
END_TEST

START_TEST(test_ipv4_ipv6_linktypes)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_IPV4, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    ck_assert_int_eq(decode(PS_DLT_IPV6, &p, &info), PS_SKIP_INVALID_NETWORK);

    memset(&p, 0, sizeof(p));
    put_ipv6_tcp(&p);
    ck_assert_int_eq(decode(PS_DLT_IPV6, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);
    ck_assert_int_eq(decode(PS_DLT_IPV4, &p, &info), PS_SKIP_INVALID_NETWORK);
}
END_TEST

START_TEST(test_null_ipv4_both_orders)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_le32(&p, 2);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_NULL, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);

    memset(&p, 0, sizeof(p));
    put_be32(&p, 2);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_NULL, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
}
END_TEST

START_TEST(test_null_ipv6_families)
{
    /* AF_INET6 as NetBSD/OpenBSD, FreeBSD, Darwin, Linux and Windows number it. */
    static const uint32_t families[] = {24, 28, 30, 10, 23};

    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        for (int big_endian = 0; big_endian <= 1; big_endian++) {
            struct pkt p = {0};
            struct pkt_info info;

            if (big_endian)
                put_be32(&p, families[i]);
            else
                put_le32(&p, families[i]);
            put_ipv6_tcp(&p);
            ck_assert_msg(decode(PS_DLT_NULL, &p, &info) == PS_SKIP_NONE, "family %u, %s",
                          families[i], big_endian ? "big-endian" : "little-endian");
            assert_v6_addrs(&info);
            assert_ports(&info, PS_IPPROTO_TCP, 40000, 443);
        }
    }
}
END_TEST

START_TEST(test_null_other_family)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_le32(&p, 7);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_NULL, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_loop)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_be32(&p, 2);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_LOOP, &p, &info), PS_SKIP_NONE);
    assert_v4_addrs(&info);

    memset(&p, 0, sizeof(p));
    put_be32(&p, 30);
    put_ipv6_tcp(&p);
    ck_assert_int_eq(decode(PS_DLT_LOOP, &p, &info), PS_SKIP_NONE);
    assert_v6_addrs(&info);

    /* DLT_LOOP is always big-endian: a little-endian family is some other value. */
    memset(&p, 0, sizeof(p));
    put_le32(&p, 2);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_LOOP, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

START_TEST(test_unsupported_linktype)
{
    static const int unsupported[] = {2, 6, 147, 1000, -1};
    static const int supported[] = {
        PS_DLT_NULL, PS_DLT_EN10MB,    PS_DLT_RAW,  PS_DLT_RAW_OBSD, PS_DLT_RAW_PCAP,
        PS_DLT_LOOP, PS_DLT_LINUX_SLL, PS_DLT_IPV4, PS_DLT_IPV6,     PS_DLT_LINUX_SLL2};
    struct pkt p;
    struct pkt_info info;

    build_eth_ipv4_tcp(&p, PS_TCP_SYN);
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        ck_assert(!decode_linktype_supported(unsupported[i]));
        ck_assert_int_eq(decode(unsupported[i], &p, &info), PS_SKIP_LINKTYPE);
        ck_assert_int_eq(decode_len(unsupported[i], &p, 0, &info), PS_SKIP_LINKTYPE);
    }
    for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
        ck_assert(decode_linktype_supported(supported[i]));
}
END_TEST

START_TEST(test_decode_packet_clears_info)
{
    struct pkt p = {0};
    struct pkt_info info;
    size_t ip;

    memset(&info, 0xa5, sizeof(info));
    put_eth(&p, ETHERTYPE_IPV4);
    ip = put_ipv4(&p, PROTO_OSPF, 0);
    put_fill(&p, 0, 8);
    finish_ipv4(&p, ip);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
    assert_ports(&info, PROTO_OSPF, 0, 0);
    ck_assert_uint_eq(info.tcp_flags, 0);
    ck_assert_uint_eq(info.hint, PKT_HINT_NONE);
    ck_assert_uint_eq(info.scope, PKT_SCOPE_PORTS);
    ck_assert_uint_eq(info.n_encap, 0);
    ck_assert_uint_eq(info.vlan, 0);
    for (size_t i = 4; i < 16; i++) {
        ck_assert_uint_eq(info.src[i], 0);
        ck_assert_uint_eq(info.dst[i], 0);
    }
}
END_TEST

/* The fields of `a` and `b` that describe the packet (struct pkt_info) are the same. */
static bool same_description(const struct pkt_info *a, const struct pkt_info *b)
{
    /* Before the addresses decode_packet() zeroed both, padding too; the addresses are whole. */
    if (memcmp(a, b, offsetof(struct pkt_info, fragment)) != 0 || a->n_encap > PS_ENCAP_MAX)
        return false;
    for (size_t i = 0; i < a->n_encap; i++)
        if (a->encap[i].kind != b->encap[i].kind || a->encap[i].has_id != b->encap[i].has_id ||
            a->encap[i].id != b->encap[i].id)
            return false;
    if (a->fragment.state != b->fragment.state ||
        (a->fragment.state != PKT_FRAG_NONE &&
         (a->fragment.family != b->fragment.family || a->fragment.proto != b->fragment.proto ||
          a->fragment.id != b->fragment.id ||
          memcmp(a->fragment.src, b->fragment.src, sizeof(a->fragment.src)) != 0 ||
          memcmp(a->fragment.dst, b->fragment.dst, sizeof(a->fragment.dst)) != 0)))
        return false;
    return a->scope != PKT_SCOPE_ICMP_ERROR ||
           (a->quote.valid && b->quote.valid &&
            (a->quote.family == b->quote.family && a->quote.proto == b->quote.proto &&
             a->quote.scope == b->quote.scope && a->quote.sport == b->quote.sport &&
             a->quote.dport == b->quote.dport &&
             memcmp(a->quote.src, b->quote.src, sizeof(a->quote.src)) == 0 &&
             memcmp(a->quote.dst, b->quote.dst, sizeof(a->quote.dst)) == 0));
}

/*
 * decode_packet() zeroes only part of the struct (struct pkt_info): every packet of every sample
 * capture, decoded into a struct full of other bytes, is described as when decoded into a zeroed
 * one. A field that some path leaves as it was, and that was not zeroed, shows here.
 */
/* Every packet of the capture at `path`, decoded clean and dirty; counts them in *(size_t *)arg. */
static void decode_clean_and_dirty(const char *path, void *arg)
{
    static const struct decode_config configs[] = {{false, false}, {false, true}, {true, false}};
    char err[PS_ERRBUF_SIZE];
    struct capture_packet pkt;
    struct capture *c = capture_open_file(path, err, sizeof(err));
    size_t *packets = arg;

    ck_assert_msg(c != NULL, "%s: %s", path, err);
    while (capture_next(c, &pkt) == 1) {
        for (size_t k = 0; k < sizeof(configs) / sizeof(configs[0]); k++) {
            struct pkt_info clean, dirty;
            enum ps_skip a, b;

            memset(&clean, 0, sizeof(clean));
            memset(&dirty, 0xa5, sizeof(dirty));
            a = decode_packet(&configs[k], pkt.linktype, pkt.data, pkt.caplen, &clean);
            b = decode_packet(&configs[k], pkt.linktype, pkt.data, pkt.caplen, &dirty);
            ck_assert_int_eq(a, b);
            if (a == PS_SKIP_NONE || a == PS_SKIP_FRAGMENT)
                ck_assert_msg(same_description(&clean, &dirty), "%s: packet %zu", path, *packets);
        }
        (*packets)++;
    }
    capture_close(c);
}

START_TEST(test_decode_ignores_old_contents)
{
    size_t packets = 0;

    unit_each_sample(decode_clean_and_dirty, &packets);
    ck_assert_uint_gt(packets, 1000);
}
END_TEST

START_TEST(test_transport_layer)
{
    static const uint8_t bytes[TCP_LEN] = {0, 80, 0x1f, 0x90, 0, 0,    0,
                                           0, 0,  0,    0,    0, 0x50, PS_TCP_SYN};
    struct pkt_info info;
    struct rd r;

    memset(&info, 0, sizeof(info));
    r = rd_make(bytes, UDP_LEN - 1);
    ck_assert_int_eq(decode_transport(PS_IPPROTO_UDP, &r, &info), PS_SKIP_TRUNC_TRANSPORT);
    r = rd_make(bytes, SCTP_LEN - 1);
    ck_assert_int_eq(decode_transport(PS_IPPROTO_SCTP, &r, &info), PS_SKIP_TRUNC_TRANSPORT);
    r = rd_make(bytes, TCP_LEN - 1);
    ck_assert_int_eq(decode_transport(PS_IPPROTO_TCP, &r, &info), PS_SKIP_TRUNC_TRANSPORT);
    r = rd_make(bytes, 0);
    ck_assert_int_eq(decode_transport(PROTO_OSPF, &r, &info), PS_SKIP_NONE);
    ck_assert_uint_eq(info.proto, PROTO_OSPF);
    r = rd_make(bytes, TCP_LEN);
    ck_assert_int_eq(decode_transport(PS_IPPROTO_TCP, &r, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_TCP, 80, 8080);
    ck_assert_uint_eq(info.tcp_flags, PS_TCP_SYN);
}
END_TEST

START_TEST(test_ethertype_layer)
{
    struct pkt p = {0};
    struct pkt_info info;
    struct rd r;

    put_ipv4_udp(&p);
    memset(&info, 0, sizeof(info));
    r = rd_make(p.b, p.len);
    ck_assert_int_eq(decode_ethertype(ETHERTYPE_IPV4, &r, &info), PS_SKIP_NONE);
    assert_ports(&info, PS_IPPROTO_UDP, 5353, 53);
    r = rd_make(p.b, p.len);
    ck_assert_int_eq(decode_ethertype(ETHERTYPE_IPV6, &r, &info), PS_SKIP_INVALID_NETWORK);
    r = rd_make(p.b, p.len);
    ck_assert_int_eq(decode_ethertype(0x88cc, &r, &info), PS_SKIP_NON_IP);
}
END_TEST

/*
 * Tunnels: the inner packet's flow when the tunnel's header is read right, the outer one when it
 * is not a tunnel to enter. The inner packet is IPv4 + UDP 5353 -> 53 throughout.
 */
#define PORT_VXLAN  4789
#define PORT_GENEVE 6081
#define PORT_GTPU   2152

/* Ethernet, then the outer IPv4 header of protocol `proto`; returns its offset for finish_ipv4().
 */
static size_t put_outer_ipv4(struct pkt *p, uint8_t proto)
{
    put_eth(p, ETHERTYPE_IPV4);
    return put_ipv4(p, proto, 0);
}

/* Ethernet, outer IPv4 and UDP 40000 -> `dport`; returns the IPv4 header's offset. */
static size_t put_outer_udp(struct pkt *p, uint16_t dport)
{
    size_t ip = put_outer_ipv4(p, PS_IPPROTO_UDP);

    put_udp(p, 40000, dport);
    return ip;
}

/* The inner packet decoded, under one encapsulation of `kind`. */
static void assert_inner(const struct pkt_info *info, uint8_t kind, bool has_id, uint32_t id)
{
    assert_v4_addrs(info);
    assert_ports(info, PS_IPPROTO_UDP, 5353, 53);
    ck_assert_uint_eq(info->n_encap, 1);
    ck_assert_uint_eq(info->encap[0].kind, kind);
    ck_assert_uint_eq(info->encap[0].has_id, has_id);
    ck_assert_uint_eq(info->encap[0].id, id);
}

/* Not entered: the packet stays in the outer UDP flow. */
static void assert_outer_udp(const struct pkt_info *info, uint16_t dport)
{
    assert_ports(info, PS_IPPROTO_UDP, 40000, dport);
    ck_assert_uint_eq(info->n_encap, 0);
    ck_assert_uint_eq(info->depth, 0);
}

/* RFC 2784 and RFC 2890: the checksum, key and sequence number fields, each there or not. */
START_TEST(test_gre_optional_fields)
{
    static const uint16_t flag_sets[] = {0, 0x8000, 0x2000, 0x1000, 0xb000};

    for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
        uint16_t flags = flag_sets[i];
        struct pkt p = {0};
        struct pkt_info info;
        size_t outer = put_outer_ipv4(&p, 47);

        put_be16(&p, flags);
        put_be16(&p, ETHERTYPE_IPV4);
        if (flags & 0x8000)
            put_be32(&p, 0xc5c50000); /* checksum and reserved */
        if (flags & 0x2000)
            put_be32(&p, 42);
        if (flags & 0x1000)
            put_be32(&p, 7);
        put_ipv4_udp(&p);
        finish_ipv4(&p, outer);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_inner(&info, ENCAP_GRE, flags & 0x2000, flags & 0x2000 ? 42 : 0);
    }
}
END_TEST

/* PPTP's enhanced GRE (RFC 2637 section 4.1): version 1, the call id in the key, an optional
 * sequence and acknowledgment number, then PPP with or without its address and control bytes. */
START_TEST(test_gre_enhanced)
{
    static const uint16_t flag_sets[] = {0x2001, 0x3001, 0x2081, 0x3081};

    for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
        uint16_t flags = flag_sets[i];
        struct pkt p = {0};
        struct pkt_info info;
        size_t outer = put_outer_ipv4(&p, 47);

        put_be16(&p, flags);
        put_be16(&p, 0x880b);
        put_be16(&p, IPV4_LEN + UDP_LEN + 4); /* payload length */
        put_be16(&p, 0x1234);                 /* call id */
        if (flags & 0x1000)
            put_be32(&p, 1);
        if (flags & 0x0080)
            put_be32(&p, 2);
        if (i % 2 == 0)
            put_be16(&p, 0xff03);
        put_be16(&p, 0x0021);
        put_ipv4_udp(&p);
        finish_ipv4(&p, outer);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_inner(&info, ENCAP_GRE, true, 0x1234);
    }
}
END_TEST

/* RFC 7348 section 5: without the I flag the header is not VXLAN's, and the UDP flow keeps it. */
START_TEST(test_vxlan_i_flag)
{
    for (int with_i = 0; with_i < 2; with_i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t outer = put_outer_udp(&p, PORT_VXLAN);

        put_be32(&p, with_i ? 0x08000000 : 0);
        put_be32(&p, 42 << 8);
        put_eth(&p, ETHERTYPE_IPV4);
        put_ipv4_udp(&p);
        finish_ipv4(&p, outer);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        if (with_i)
            assert_inner(&info, ENCAP_VXLAN, true, 42);
        else
            assert_outer_udp(&info, PORT_VXLAN);
    }
}
END_TEST

/* RFC 8926 section 3.4: version 0 is the only one; another stays in the UDP flow. */
START_TEST(test_geneve_version)
{
    for (uint8_t version = 0; version < 2; version++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t outer = put_outer_udp(&p, PORT_GENEVE);

        put_u8(&p, (uint8_t)(version << 6));
        put_u8(&p, 0);
        put_be16(&p, ETHERTYPE_IPV4);
        put_be32(&p, 7 << 8);
        put_ipv4_udp(&p);
        finish_ipv4(&p, outer);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        if (version == 0)
            assert_inner(&info, ENCAP_GENEVE, true, 7);
        else
            assert_outer_udp(&info, PORT_GENEVE);
    }
}
END_TEST

/*
 * 3GPP TS 29.281 section 5.1: the sequence number, N-PDU number and next extension header type
 * are there when any of S, PN or E is set, but the next extension type counts only with E: with S
 * alone, whatever that byte holds is no extension header.
 */
START_TEST(test_gtpu_next_extension_only_with_e)
{
    static const struct {
        uint8_t flags, next;
    } cases[] = {{0x32, 0x85}, {0x31, 0xff}, {0x34, 0x85}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t outer = put_outer_udp(&p, PORT_GTPU);

        put_u8(&p, cases[i].flags);
        put_u8(&p, 0xff); /* G-PDU */
        put_be16(&p, 0);  /* length: not read */
        put_be32(&p, 0x1000);
        put_be16(&p, 1); /* sequence number */
        put_u8(&p, 0);   /* N-PDU number */
        put_u8(&p, cases[i].next);
        if (cases[i].flags & 0x04)
            put_be32(&p, 0x01100900); /* a PDU session container, 1 word, none after it */
        put_ipv4_udp(&p);
        finish_ipv4(&p, outer);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        assert_inner(&info, ENCAP_GTPU, true, 0x1000);
    }
}
END_TEST

/* What follows a label stack without an IP version nibble (a pseudowire's control word) is not IP,
 * rather than an invalid IP header. */
START_TEST(test_mpls_not_ip)
{
    struct pkt p = {0};
    struct pkt_info info;

    put_eth(&p, 0x8847);
    put_be32(&p, 1000 << 12 | 0x100 | 64);
    put_be32(&p, 0); /* the control word of an Ethernet pseudowire (RFC 4385) */
    put_eth(&p, ETHERTYPE_IPV4);
    put_ipv4_udp(&p);
    ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NON_IP);
}
END_TEST

/*
 * RFC 7761 section 4.9.3: a PIM Register (version 2, type 1) carries the packet after 8 bytes;
 * other PIM messages stay in the PIM flow, whatever follows their first 8 bytes.
 */
START_TEST(test_pim_register_only)
{
    for (uint8_t type = 0; type < 4; type++) {
        struct pkt p = {0};
        struct pkt_info info;
        size_t outer = put_outer_ipv4(&p, PROTO_PIM);

        put_u8(&p, (uint8_t)(0x20 | type));
        put_u8(&p, 0);
        put_be16(&p, 0); /* checksum: not checked */
        put_be32(&p, 0); /* a Register's flags */
        put_ipv4_udp(&p);
        finish_ipv4(&p, outer);
        ck_assert_int_eq(decode(PS_DLT_EN10MB, &p, &info), PS_SKIP_NONE);
        if (type == 1) {
            assert_inner(&info, ENCAP_PIM, false, 0);
        } else {
            assert_ports(&info, PROTO_PIM, 0, 0);
            ck_assert_uint_eq(info.n_encap, 0);
        }
    }
}
END_TEST

Suite *decode_suite(void)
{
    Suite *suite = suite_create("decode");
    TCase *ok = tcase_create("well-formed");
    TCase *link = tcase_create("link");
    TCase *tunnels = tcase_create("tunnels");
    TCase *bad = tcase_create("malformed");

    tcase_add_test(ok, test_eth_ipv4_tcp);
    tcase_add_test(ok, test_l4_and_ip_id);
    tcase_add_test(ok, test_payload_bytes);
    tcase_add_test(ok, test_ip_ttl);
    tcase_add_test(ok, test_tcp_flags_byte);
    tcase_add_test(ok, test_tcp_hints);
    tcase_add_test(ok, test_sctp_hints);
    tcase_add_test(ok, test_eth_ipv4_udp);
    tcase_add_test(ok, test_eth_ipv4_sctp);
    tcase_add_test(ok, test_portless_protocols);
    tcase_add_test(ok, test_ipv4_options);
    tcase_add_test(ok, test_eth_ipv6_tcp);
    tcase_add_test(ok, test_eth_ipv6_udp_sctp);
    tcase_add_test(ok, test_ipv6_ext_headers);
    tcase_add_test(ok, test_ipv6_each_ext_header);
    tcase_add_test(ok, test_ipv6_ah);
    tcase_add_test(ok, test_ipv6_first_fragment);
    tcase_add_test(ok, test_ipv6_no_next_header);
    tcase_add_test(ok, test_ipv4_first_fragment_and_df);
    tcase_add_test(ok, test_ethernet_padding);
    tcase_add_test(ok, test_ipv6_payload_length_zero);
    tcase_add_test(ok, test_ipv4_total_length_zero_is_tso);
    tcase_add_test(ok, test_tcp_data_offset_with_options);
    tcase_add_test(ok, test_decode_packet_clears_info);
    tcase_add_test(ok, test_decode_ignores_old_contents);
    tcase_add_test(ok, test_transport_layer);
    tcase_add_test(ok, test_ethertype_layer);
    suite_add_tcase(suite, ok);

    tcase_add_test(link, test_vlan);
    tcase_add_test(link, test_qinq);
    tcase_add_test(link, test_vlan_in_key);
    tcase_add_test(link, test_vlan_deeper_than_recorded);
    tcase_add_test(link, test_vlan_non_ip);
    tcase_add_test(link, test_arp);
    tcase_add_test(link, test_llc_not_snap);
    tcase_add_test(link, test_llc_snap_ipv4);
    tcase_add_test(link, test_llc_snap_other_oui);
    tcase_add_test(link, test_llc_truncated);
    tcase_add_test(link, test_sll);
    tcase_add_test(link, test_sll_llc_and_non_ip);
    tcase_add_test(link, test_sll2);
    tcase_add_test(link, test_raw);
    tcase_add_test(link, test_ipv4_ipv6_linktypes);
    tcase_add_test(link, test_null_ipv4_both_orders);
    tcase_add_test(link, test_null_ipv6_families);
    tcase_add_test(link, test_null_other_family);
    tcase_add_test(link, test_loop);
    tcase_add_test(link, test_unsupported_linktype);
    suite_add_tcase(suite, link);

    tcase_add_test(tunnels, test_gre_optional_fields);
    tcase_add_test(tunnels, test_gre_enhanced);
    tcase_add_test(tunnels, test_vxlan_i_flag);
    tcase_add_test(tunnels, test_geneve_version);
    tcase_add_test(tunnels, test_gtpu_next_extension_only_with_e);
    tcase_add_test(tunnels, test_mpls_not_ip);
    tcase_add_test(tunnels, test_pim_register_only);
    suite_add_tcase(suite, tunnels);

    tcase_add_test(bad, test_truncated_eth_ipv4_tcp);
    tcase_add_test(bad, test_truncated_vlan_ipv4_options_udp);
    tcase_add_test(bad, test_truncated_ipv6_ext_chain);
    tcase_add_test(bad, test_truncated_sctp);
    tcase_add_test(bad, test_truncated_cooked);
    tcase_add_test(bad, test_truncated_null_loop);
    tcase_add_test(bad, test_ipv4_bad_version);
    tcase_add_test(bad, test_ipv6_bad_version);
    tcase_add_test(bad, test_ipv4_short_ihl);
    tcase_add_test(bad, test_ipv4_ihl_beyond_capture);
    tcase_add_test(bad, test_ipv4_total_length_below_header);
    tcase_add_test(bad, test_ipv4_total_length_equal_header);
    tcase_add_test(bad, test_tcp_bad_data_offset);
    tcase_add_test(bad, test_ipv4_later_fragment);
    tcase_add_test(bad, test_ipv6_later_fragment);
    tcase_add_test(bad, test_ethernet_padding_not_transport);
    suite_add_tcase(suite, bad);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, decode_suite());
    srunner_add_suite(runner, decode_app_suite());
    return 0;
}
