/*
 * ipproto.h - IP protocols (IANA "Assigned Internet Protocol Numbers"): the numbers decoders and
 * flows go by, and one table of what portscope knows of each protocol: the name the reports give
 * it, whether its flows have ports, and the class that sets its flows' timeouts.
 */
#ifndef PS_IPPROTO_H
#define PS_IPPROTO_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
