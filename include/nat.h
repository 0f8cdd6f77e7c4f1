/*
 * nat.h - NAT pairing: the flows of a capture taken inside a NAT router and of one taken outside
 * it, paired by what the router does not change (TCP sequence numbers, payload bytes, IPv4
 * identification, ICMP echo sequence numbers), so that what it did change (addresses, ports) can
 * be read off each pair. doc/nat.md describes the report.
 *
 * Each side is read with its own pass (capture -> decode -> flow table), which keeps the evidence
 * beside the flow table, in one record per flow (struct nat_conn); nat_pair() joins the two
 * sides' records by hash on that evidence, never pair by pair.
 */
#ifndef PS_NAT_H
#define PS_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "flow.h"

/* Bits of nat_conn.have: which evidence a flow carries. [0] is client to server, [1] back. */
#define NAT_HAVE_ISN_C  0x01 /* isn[0]: the client's SYN */
#define NAT_HAVE_ISN_S  0x02 /* isn[1]: the server's SYN+ACK */
#define NAT_HAVE_PAY_C  0x04 /* pay_*[0]: the client's first payload */
#define NAT_HAVE_PAY_S  0x08 /* pay_*[1]: the server's first payload */
#define NAT_HAVE_IPID_C 0x10 /* ip_id[0]: IPv4 id of the client's first payload packet */
#define NAT_HAVE_ECHO   0x20 /* echo_seq: the first ICMP echo request's sequence number */

/* One flow of one side, with the evidence pairing reads. Addresses in network order. */
struct nat_conn {
    uint32_t flow_id; /* the flow's id in its side's flow table (creation order) */
    uint8_t family, proto;
    uint8_t scope;     /* enum pkt_scope: ICMP echo or ports */
    uint8_t have;      /* NAT_HAVE_* */
    uint8_t client_ep; /* the endpoint of the flow's key that is the client (0 or 1) */
    uint8_t client_addr[16], server_addr[16];
    uint16_t client_port, server_port; /* ICMP echo: the identifier, 0 */
    ps_time first_seen, last_seen;
    uint64_t packets[2];
    uint32_t isn[2];
    uint32_t pay_seq[2];  /* TCP: sequence number of the first payload byte */
    uint32_t pay_len[2];  /* payload length of that packet */
    uint64_t pay_hash[2]; /* hash of its first NAT_PAYLOAD_HASHED bytes (and its length) */
    uint16_t ip_id[2];
    uint16_t echo_seq;
};

/* Payload bytes hashed per packet: enough to tell requests apart, little to read. */
#define NAT_PAYLOAD_HASHED 64

/* One capture side: its files, their flows and evidence. */
struct nat_side {
    const char *const *paths;
    size_t n_paths;
    struct nat_conn *conns;
    size_t n_conns;
    uint64_t packets, skipped; /* read; not joined to a flow (undecodable, fragments, errors) */
    ps_time first, last;       /* of the packets read; valid when packets > 0 */
    uint64_t fingerprint;      /* of every packet's time and bytes: the same capture twice */
    bool incomplete;           /* some file could not be read to its end */
};

struct nat_read_config {
    const struct decode_config *decode;
    const struct flow_lifecycle *lifecycle;
    size_t max_flows;
};

/* Reads the files of one side. Returns 0, or -1 with err naming the file (nothing was read of
 * it, or memory ran out); a file cut short sets side->incomplete and a warning in err. */
int nat_side_read(struct nat_side *side, const char *const *paths, size_t n_paths,
                  const struct nat_read_config *cfg, char *err, size_t errlen);
void nat_side_release(struct nat_side *side);

enum nat_status {
    NAT_PAIRED,
    NAT_AMBIGUOUS,    /* more than one flow of the other side fits; not guessed */
    NAT_INSIDE_ONLY,  /* no flow outside fits */
    NAT_OUTSIDE_ONLY, /* no flow inside fits */
};

/* What the router did, read off a pair (nat_kind_name()). */
enum nat_kind {
    NAT_KIND_SOURCE,  /* the client's address or port changed: masquerade, SNAT */
    NAT_KIND_FORWARD, /* the server's changed: a port forward, DNAT */
    NAT_KIND_BOTH,    /* both changed */
    NAT_KIND_ROUTED,  /* nothing changed */
};

/* What changed of the translated endpoint (nat_change_name()). */
enum nat_change {
    NAT_CHANGE_NOTHING,
    NAT_CHANGE_ADDRESS,
    NAT_CHANGE_PORT,
    NAT_CHANGE_BOTH,
};

/* Evidence bits of a pairing, strongest first (nat_evidence_name()). */
#define NAT_EV_ISN     0x01 /* the same TCP initial sequence number(s) */
#define NAT_EV_PAYLOAD 0x02 /* the same payload bytes (TCP: at the same sequence number) */
#define NAT_EV_IPID    0x04 /* the same IPv4 identification with that payload */
#define NAT_EV_ECHO    0x08 /* the same ICMP echo sequence number */
#define NAT_EV_TIMING  0x10 /* the same remote endpoint at the same time, after the clock offset */
#define NAT_EV_COUNT   5

enum nat_strength { NAT_WEAK, NAT_MEDIUM, NAT_STRONG };

/* Why a flow stayed unpaired (nat_reason_name()). */
enum nat_reason {
    NAT_REASON_NONE,
    NAT_REASON_BEFORE_OTHER, /* it ended before the other capture began (after the offset) */
    NAT_REASON_AFTER_OTHER,  /* it began after the other capture ended */
    NAT_REASON_NOT_ROUTED,   /* inside only, during the outside capture: blocked or local */
    NAT_REASON_TO_ROUTER,    /* outside only, to a public address of the router: not forwarded */
    NAT_REASON_UNSOLICITED,  /* outside only, to another address */
    NAT_REASON_CANDIDATES,   /* ambiguous: several flows fit */
    NAT_REASON_LOCAL,        /* never crosses a router: link-local, multicast, broadcast, or
                                a protocol without ports other than ICMP echo */
};

/* A row of the translation table: a pair, or one flow of one side. */
struct nat_row {
    size_t inside, outside; /* indexes into the sides' conns; NAT_NONE when absent */
    uint8_t status;         /* enum nat_status */
    uint8_t kind, change;   /* enum nat_kind, nat_change (paired rows) */
    uint8_t evidence;       /* NAT_EV_* (paired rows) */
    uint8_t strength;       /* enum nat_strength (paired rows) */
    uint8_t reason;         /* enum nat_reason (unpaired and ambiguous rows) */
    uint32_t candidates;    /* ambiguous rows: the flows of the other side that fit */
};
#define NAT_NONE ((size_t)-1)

/* How the router chose outside ports for clients (nat_ports_name()). */
enum nat_ports {
    NAT_PORTS_UNKNOWN,    /* no source NAT pair */
    NAT_PORTS_PRESERVED,  /* every client kept its port */
    NAT_PORTS_MOSTLY,     /* kept, but rewritten when the port was taken */
    NAT_PORTS_SEQUENTIAL, /* rewritten, to ports close to the one before */
    NAT_PORTS_RANDOM,     /* rewritten, to ports with no order */
};

/* A public address of the router: an outside address an inside flow became or came in at. */
struct nat_public {
    uint8_t family;
    uint8_t addr[16];
    size_t inside_hosts; /* inside clients seen behind it */
    size_t connections;  /* source NAT pairs through it */
    size_t forwards;     /* port forwards arriving at it */
};

struct nat_result {
    struct nat_row *rows; /* by inside first seen, then outside-only rows by first seen */
    size_t n_rows;
    bool offset_known;
    ps_time offset;        /* outside clock minus inside clock */
    size_t offset_samples; /* strong pairs it is the median of */
    ps_time tolerance;     /* timing evidence's window around the offset */
    size_t count[4];       /* rows by enum nat_status */
    size_t ambiguous_inside, ambiguous_outside;
    size_t forwards;
    struct nat_public *publics;
    size_t n_publics;
    uint8_t ports; /* enum nat_ports */
    size_t ports_kept, ports_rewritten;
};

/* Why there is no table (nat_pair()'s return). */
enum nat_verdict {
    NAT_OK = 0,
    NAT_ERR_MEMORY,
    NAT_ERR_SAME,       /* both sides hold the same packets */
    NAT_ERR_SAME_POINT, /* every pair unchanged and at the same instant: one capture point */
    NAT_ERR_EMPTY,      /* a side has no flow */
    NAT_ERR_UNRELATED,  /* no flow pairs: no overlap in time, or two unrelated networks */
};

/* The window timing evidence accepts around the clock offset. */
#define NAT_TIME_TOLERANCE_NS 2000000000LL

/* Pairs the flows of two sides. On NAT_OK, *r holds the table; release it with nat_result_release()
 * (also after an error). */
enum nat_verdict nat_pair(const struct nat_side *inside, const struct nat_side *outside,
                          struct nat_result *r);
void nat_result_release(struct nat_result *r);

/* A sentence saying why nat_pair() gave no table (r: what it found), into buf. */
void nat_verdict_message(enum nat_verdict v, const struct nat_side *inside,
                         const struct nat_side *outside, const struct nat_result *r, char *buf,
                         size_t len);

enum nat_format {
    NAT_FORMAT_TEXT,
    NAT_FORMAT_JSON,
    NAT_FORMAT_JSONL,
    NAT_FORMAT_CSV,
    NAT_FORMAT_HTML, /* one page (nat_html.c); --explain's sentences always on it */
};

/* Writes the report. Returns 0, or -1 when writing failed. */
int nat_write(FILE *out, enum nat_format format, bool explain, const struct nat_side *inside,
              const struct nat_side *outside, const struct nat_result *r);

const char *nat_kind_name(uint8_t kind);
const char *nat_change_name(uint8_t change);
const char *nat_status_name(uint8_t status);
const char *nat_reason_name(uint8_t reason);
const char *nat_strength_name(uint8_t strength);
const char *nat_ports_name(uint8_t ports);
const char *nat_evidence_name(unsigned bit_index); /* of bit 1 << bit_index */

#endif
