/*
 * export.h - flows sent to the systems people already run for flow data, as they end: IPFIX
 * (RFC 7011) over UDP to a collector (nfcapd, nfacctd, ...), each flow one bidirectional record
 * (RFC 5103) whose forward direction is the client the report names.
 *
 * Two layers: the encoder (ipfix.c) turns flows into IPFIX messages and hands each finished
 * message to a function, touching nothing else, so that it is tested byte by byte; the exporter
 * (ipfix_udp.c) resolves the collector, sends the messages on a connected UDP socket and notices
 * when the collector's host refuses them.
 */
#ifndef PS_EXPORT_H
#define PS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "base.h"
#include "report.h"

#define IPFIX_VERSION    10
#define IPFIX_HEADER_LEN 16
/* The templates (and their data sets): flows with ports, and ICMP flows, of each family. */
#define IPFIX_TEMPLATE_V4      256
#define IPFIX_TEMPLATE_V6      257
#define IPFIX_TEMPLATE_ICMP_V4 258
#define IPFIX_TEMPLATE_ICMP_V6 259
#define IPFIX_PEN_REVERSE      29305 /* RFC 5103: the enterprise number of reverse elements */

/*
 * A message stays within this many bytes (a UDP payload that passes a 1500-byte MTU path with
 * room for tunnels), and the templates go again every IPFIX_REFRESH_MESSAGES messages or
 * IPFIX_REFRESH_SECONDS of capture time, whichever comes first (RFC 7011 section 8.4: over UDP,
 * a collector that restarted learns them again).
 */
#define IPFIX_MESSAGE_MAX      1400
#define IPFIX_REFRESH_MESSAGES 64
#define IPFIX_REFRESH_SECONDS  60

/* flowEndReason (RFC 7012, IANA's registry). */
enum ipfix_end_reason {
    IPFIX_END_IDLE = 1,      /* idle timeout */
    IPFIX_END_ACTIVE = 2,    /* active timeout */
    IPFIX_END_DETECTED = 3,  /* end of flow detected (TCP FIN both ways or RST, a new SYN) */
    IPFIX_END_FORCED = 4,    /* forced end: the input ended */
    IPFIX_END_RESOURCES = 5, /* lack of resources: portscope never ends a flow for that */
};

/* One biflow record: forward is the client's direction, reverse the server's. */
struct ipfix_record {
    uint8_t family; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t src_port, dst_port; /* 0 for ICMP, whose message is in icmp_type_code */
    uint8_t proto;
    uint64_t start_ms, end_ms; /* since the epoch; times before it are 0 */
    uint64_t octets[2];        /* IP bytes, [0] forward, [1] reverse */
    uint64_t packets[2];
    uint16_t tcp_flags[2];
    uint8_t end_reason;      /* enum ipfix_end_reason */
    uint16_t icmp_type_code; /* type << 8 | code of the client's message */
    uint16_t vlan;           /* under --vlan-in-key, else 0 */
    uint8_t direction;       /* biflowDirection: 1 initiator (handshake seen), 0 arbitrary */
};

/*
 * flowEndReason of a flow: why it ended; one that lasted to the end of the input: end of flow
 * detected when it is a TCP connection closed by then, else forced.
 */
enum ipfix_end_reason ipfix_end_reason(const struct flow *f);

/* The record of `f` with endpoint `client` as its forward direction. */
void ipfix_record_from_flow(const struct flow *f, const struct report_flow *rf,
                            struct ipfix_record *r);

/* The bytes of one data record of a template (0 for an id that is none of them). */
size_t ipfix_record_len(uint16_t template_id);

/* Takes a finished message; returns 0, or -1 to stop the encoder (it sends nothing more). */
typedef int (*ipfix_send_fn)(void *arg, const uint8_t *msg, size_t len);

/* A template's record as the encoder writes it: which fields (of ipfix.c's table), how long. */
#define IPFIX_MAX_FIELDS 24
struct ipfix_layout {
    uint16_t id;
    uint16_t len;
    uint8_t n;
    uint8_t field[IPFIX_MAX_FIELDS];
};

struct ipfix_encoder {
    struct ipfix_layout layout[4]; /* of each template, worked out once by ipfix_encoder_init() */
    uint32_t domain;               /* observation domain id */
    uint32_t export_time; /* seconds since the epoch, stamped on each message as it is finished */
    uint32_t sequence;    /* data records in the messages finished so far */
    ipfix_send_fn send;
    void *send_arg;
    bool failed; /* send returned -1 */

    /* The message being built. */
    uint8_t msg[IPFIX_MESSAGE_MAX];
    size_t len;          /* 0: none begun */
    size_t set_at;       /* where the open data set's header is; 0: none open */
    uint16_t set_id;     /* its template id */
    uint32_t records;    /* data records in it */
    unsigned since_sent; /* messages finished since the one that carried the templates */
    bool templates_sent;
    ps_time templates_at; /* capture time of the last templates */
    ps_time clock;        /* capture time: the latest end of a flow added */
};

void ipfix_encoder_init(struct ipfix_encoder *e, uint32_t domain, ipfix_send_fn send, void *arg);

/* Adds a record: the message is sent first when it has no room for it. Returns 0 or -1. */
int ipfix_encoder_add(struct ipfix_encoder *e, const struct ipfix_record *r);

/* Sends a message of the templates alone (an exporter's first). 0 or -1. */
int ipfix_encoder_templates(struct ipfix_encoder *e);

/* Sends the message being built, if any (with the templates, when they are due). 0 or -1. */
int ipfix_encoder_flush(struct ipfix_encoder *e);

/*
 * The exporter: --ipfix HOST:PORT. HOST is an IPv4 address, an IPv6 address in brackets
 * ([::1]:4739) or a name; PORT 1-65535.
 */
struct export_ipfix;

/* Checks the form of HOST:PORT; 0, or -1 with err (a usage error). Host into host (hostlen). */
int export_parse_destination(const char *arg, char *host, size_t hostlen, uint16_t *port, char *err,
                             size_t errlen);

/*
 * Resolves the destination and connects a UDP socket to it, then sends the templates, so that
 * a port nothing listens on is noticed before the first flow when the host says so at once
 * (loopback does). `settings` decides each flow's client (report_flow_init()). NULL with err.
 */
struct export_ipfix *export_ipfix_open(const char *dest, uint32_t domain,
                                       const struct report_settings *settings, char *err,
                                       size_t errlen);

/* Sends one ended flow (in a message that goes when full or at export_ipfix_flush()). */
void export_ipfix_flow(struct export_ipfix *x, const struct flow *f);

/* Sends the message being built; live captures call it after each batch of ended flows. */
void export_ipfix_flush(struct export_ipfix *x);

/* Sends what is left and closes. 0, or -1 with err when a message could not be sent. */
int export_ipfix_close(struct export_ipfix *x, char *err, size_t errlen);

#endif
