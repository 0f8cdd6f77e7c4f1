/*
 * report.h - the report: what was read, the flows with their roles and labels, the services and
 * the client hosts; built once at the end, then handed to a writer (JSON or text).
 */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "ports.h"
#include "ps.h"
#include "select.h"

#define REPORT_SCHEMA_VERSION 1
#define REPORT_MAX_LINKTYPES  8

/* One input capture, as the reader saw it. */
struct report_input {
    const char *path;   /* as the user gave it */
    const char *format; /* "pcap", "pcapng", or NULL when the file could not be opened */
    int linktypes[REPORT_MAX_LINKTYPES];
    size_t n_linktypes;
    uint64_t packets, bytes;       /* bytes: original (wire) lengths */
    ps_time first_seen, last_seen; /* valid when packets > 0 */
    bool nanosecond;
    uint64_t ts_backwards;      /* packets whose timestamp is earlier than the packet before */
    uint64_t duplicates;        /* packets identical to one of the few just before them */
    bool complete;              /* read to a clean end */
    char error[PS_ERRBUF_SIZE]; /* empty when there was none */
    /* A live capture (format "live", path the interface): the kernel's counters at the end. */
    bool live;
    uint64_t received, dropped, if_dropped;
    /* Records the BPF filter (settings.filter) rejected: not analysed, not in packets/bytes. */
    uint64_t filtered_packets, filtered_bytes;
};

/* Where every packet read went. packets == flow_packets + sum(skipped_packets); bytes likewise. */
struct report_totals {
    uint64_t packets, bytes;
    uint64_t flow_packets, flow_bytes;
    uint64_t skipped_packets[PS_SKIP__COUNT];
    uint64_t skipped_bytes[PS_SKIP__COUNT];
    /* The packets under PS_SKIP_LINKTYPE, by link type (the first REPORT_MAX_LINKTYPES types). */
    struct {
        int linktype;
        uint64_t packets, bytes;
    } skipped_linktypes[REPORT_MAX_LINKTYPES];
    size_t n_skipped_linktypes;
    uint64_t fragments_evicted; /* datagrams the full fragment table had to forget */
    size_t fragment_capacity;
};

/* How a flow's client and server were told apart: the rung of the ladder that decided. */
enum role_reason {
    ROLE_OPEN,         /* the client opened: TCP SYN, SCTP INIT, ICMP echo request */
    ROLE_ACCEPT,       /* the server accepted: TCP SYN+ACK, SCTP INIT ACK, ICMP echo reply */
    ROLE_SERVICE,      /* only the server's port has a service name */
    ROLE_EPHEMERAL,    /* only the client's port is in the ephemeral range in force */
    ROLE_LOWER_PORT,   /* the server's port is the lower one */
    ROLE_SYMMETRIC,    /* both ports are equal: the first sender is taken as client */
    ROLE_FIRST_SENDER, /* the protocol has no ports: the first sender is taken as client */
};

/* "syn", "syn-ack", "init", "init-ack", "echo-request", "echo-reply", "service", ... */
const char *report_role_reason_name(enum role_reason r, uint8_t proto);

/* Zeek's conn_state of a TCP flow (base/protocols/conn/main.zeek), as a report_flow keeps it. */
enum report_conn_state {
    REPORT_CONN_NONE, /* not TCP */
    REPORT_CONN_S0,
    REPORT_CONN_S1,
    REPORT_CONN_SF,
    REPORT_CONN_REJ,
    REPORT_CONN_S2,
    REPORT_CONN_S3,
    REPORT_CONN_RSTO,
    REPORT_CONN_RSTR,
    REPORT_CONN_RSTOS0,
    REPORT_CONN_RSTRH,
    REPORT_CONN_SH,
    REPORT_CONN_SHR,
    REPORT_CONN_OTH,
    REPORT_CONN__COUNT
};

/* "S0", "SF", "REJ", ...; NULL for REPORT_CONN_NONE. */
const char *report_conn_state_name(uint8_t state);

/*
 * One per flow of the report, millions of them: what the report derives of a flow, not the flow
 * itself, which stays in the table (report_flow_data()), nor what is cheap to derive again from
 * it (report_flow_service()): 20 bytes.
 */
struct report_flow {
    uint32_t flow;    /* the flow's number in the table, for flow_table_get() */
    uint32_t follows; /* report id of the flow this one follows on its key; 0 = none */
    uint32_t id;      /* 1-based rank in first-seen order among all flows; kept under a selection */
    uint32_t client_ephemeral; /* ports_ephemeral_mask() of the client port */
    uint8_t client;            /* endpoint index (0/1) of the client in the flow's key */
    uint8_t reason;            /* enum role_reason */
    uint8_t conn_state;        /* enum report_conn_state */
};

_Static_assert(sizeof(struct report_flow) <= 20, "a report_flow is kept for every flow");

/* One server port and protocol, with what was seen on it. */
struct report_service {
    uint8_t proto;
    uint16_t port;
    const char *service, *service_alias;
    uint64_t flows, packets, bytes, clients;
};

/* One client host and the ports it used as a client. */
struct report_client {
    uint8_t family;
    uint8_t addr[16];
    uint64_t flows;
    uint64_t ports; /* distinct client ports */
    uint16_t port_lo, port_hi;
    uint32_t ephemeral_all; /* profiles that contain every one of its client ports */
    uint64_t in_range;      /* flows whose client port is in the range in force */
};

struct report_settings {
    struct port_range ephemeral;
    const struct ports_services *services;
    bool decap;       /* tunnels decoded to their inner packets (no --no-decap) */
    bool vlan_in_key; /* --vlan-in-key */
    size_t max_flows, max_fragments;
    const char *filter;               /* the BPF filter expression, or NULL */
    const struct select_spec *select; /* --service/--port/--host, or NULL: every flow */
    const char *profile;              /* --profile */
    struct flow_lifecycle lifecycle;  /* the timeouts in force */
    unsigned threads;                 /* --threads: 2 builds and writes the report on two */
};

/* An --expect expectation and how it turned out (expect.c). */
struct report_expectation {
    const char *expression; /* as written */
    const char *source;     /* "--expect", or "FILE:LINE" for --expect-file */
    bool holds;
    char found[PS_ERRBUF_SIZE]; /* what the report has: "2", "none", "2 flows: #4, #7" */
};

/* How the text and CSV writers present the report: --sort, --top, --show, --color. */
struct report_style {
    enum select_sort sort;
    size_t top;        /* 0: every flow */
    unsigned sections; /* SELECT_SECTION_* bits of the text report; report_build() sets all */
    bool color;        /* ANSI colours in the text report */
};

struct report {
    const struct report_input *inputs;
    size_t n_inputs;
    struct report_totals totals;
    struct report_settings settings;
    const struct flow_table *table;
    bool nanosecond; /* any input has nanosecond timestamps: times are written with 9 digits */

    struct report_flow *flows; /* first seen, then key; only the selected ones (settings.select);
                                  NULL after report_init() alone */
    size_t n_flows;
    size_t n_flows_all; /* every flow, selected or not: the summary counts these */
    size_t flows_tcp, flows_udp, flows_other;
    struct report_service *services; /* by port, then protocol */
    size_t n_services;
    struct report_client *clients; /* by address */
    size_t n_clients;

    /* A report_init() report's writers hand each flow they write to this (NULL: none). */
    struct report_gathering *gathering;

    /* Filled in by the caller after report_build(), before writing. */
    struct report_style style;
    const struct report_expectation *expectations; /* NULL without --expect */
    size_t n_expectations;
};

/*
 * A report without its rows, services and clients: what the JSON document has before its flows,
 * whose rows its writer then makes as it goes (r->flows NULL: every flow, in the table's order,
 * which must be the report's: flow_table_in_order()).
 */
void report_init(struct report *r, const struct report_input *inputs, size_t n_inputs,
                 const struct report_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table);

/*
 * Builds the report's derived parts (roles, labels, services, clients) from the table.
 * `inputs`, `table` and `settings.services` must outlive the report. Returns 0, or -1 when out of
 * memory.
 */
int report_build(struct report *r, const struct report_input *inputs, size_t n_inputs,
                 const struct report_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table);

/* What gathering takes of a flow: its key, both ways' counts and its client's labels. */
struct report_gather_item {
    struct flow_key key;
    uint64_t packets, bytes;
    uint32_t client_ephemeral;
    uint8_t client;
};

void report_gather_item(struct report_gather_item *it, const struct report_flow *rf,
                        const struct flow *f);

/*
 * The services and clients of report `r` gathered from flows handed over by whoever has them, in
 * any order, from several threads (a run at a time under a lock): the JSON writers, which make
 * each flow's row as they write it (report_init() reports with `gathering` set). begin() makes
 * `r` a report_init() report; end() completes it (0), or releases it when memory ran out (-1).
 */
struct report_gathering;
struct report_gathering *report_gathering_begin(struct report *r, const struct report_input *inputs,
                                                size_t n_inputs, const struct report_totals *totals,
                                                const struct report_settings *settings,
                                                const struct flow_table *table);
void report_gathering_add(struct report_gathering *g, const struct report_gather_item *items,
                          size_t n);
int report_gathering_end(struct report_gathering *g);

/*
 * Where the gathering's probe for client host (family, addr) starts in its table of `n_slots`
 * slots (linear probing from there), and that for a pair of its distinct counts (service << 32 |
 * host, host << 16 | port) in a set of `n_slots`; keyed with ps_hash2_secrets() of the run's seed.
 * Exposed so that the tests measure the spread of the tables' own hashes rather than of copies.
 */
size_t report_host_home(const uint64_t secret[2], uint8_t family, const uint8_t *addr,
                        size_t n_slots);
size_t report_pair_home(const uint64_t secret[2], uint64_t pair, size_t n_slots);

void report_release(struct report *r);

/* Writers: 0 on success, -1 when writing failed (errno says why). */
int report_write_json(const struct report *r, FILE *out);

/*
 * The JSON document in two parts around its flows, for a caller that writes the flows from a
 * report_init() report while report_build() makes the rest: the head, up to the flows' key; then
 * the flows (report_json_write_flows()); then the rest from the built report.
 */
int report_json_write_head(const struct report *r, FILE *out);
int report_json_write_flows(const struct report *r, FILE *out);
int report_json_write_rest(const struct report *r, FILE *out);

/*
 * Writes one flow's object as report_write_json() does (the document's own indentation aside), or
 * on one line (`compact`) as a jsonl line has it but without its "type"; 0, or -1 when writing
 * failed. The tests compare it with what jansson writes.
 */
int report_json_flow(const struct report *r, const struct report_flow *rf, size_t id, bool compact,
                     FILE *out);

/*
 * Fills one flow's roles and labels, as report_build() does for every flow: `f` is flow number
 * `flow` of the table (in a stream, whose flows are not in the table: its creation number).
 */
void report_flow_init(struct report_flow *rf, uint32_t flow, const struct flow *f,
                      const struct report_settings *s);

/*
 * The flow a report row is about, from r->table: its record, or `buf` filled in. Good until the
 * next call with the same `buf` (flow_table_get()).
 */
const struct flow *report_flow_data(const struct report *r, const struct report_flow *rf,
                                    struct flow *buf);

/*
 * The registry (or --services) name of the flow's server port, or NULL for none or a protocol
 * without ports; *alias gets its common name (NULL with it). `f` is the row's flow.
 */
const char *report_flow_service(const struct report *r, const struct report_flow *rf,
                                const struct flow *f, const char **alias);

/*
 * The streaming JSON writer (--format jsonl): one object per line, each with a "type": a header
 * (settings, the inputs' paths), a flow as each one ends, and a summary at the end. The flows are
 * numbered in order of creation; nothing of a flow is kept once its line is written.
 *
 * Flow lines collect in a buffer of the writer's own and reach `out` in large blocks, before any
 * other line and at the end; report_jsonl_release() hands over what is left on a run that stops
 * before report_jsonl_end().
 */
struct report_jsonl_lines; /* the flow lines' buffer and the writer's caches (report_json.c) */

struct report_jsonl {
    FILE *out;
    struct report view; /* settings, table and time precision, for the writers' shared parts */
    uint64_t flows, tcp, udp, other;  /* every flow that ended */
    uint64_t written;                 /* the flow lines written: the selected flows */
    bool failed;                      /* a write failed: errno says why */
    struct report_jsonl_lines *lines; /* NULL before begin and after end or release */
};

/* 0, or -1 when writing failed or memory ran out (errno says which). */
int report_jsonl_begin(struct report_jsonl *w, FILE *out, const struct report_settings *settings,
                       const struct flow_table *table, const char *const *paths, size_t n_paths);
/* A flow_end_fn: writes one flow's line. `ctx` is the struct report_jsonl. */
void report_jsonl_flow(void *ctx, const struct flow *f);
/*
 * For a live capture or a terminal, where someone may be reading as flows end: the lines so far go
 * to `out`, and from now on each flow line as soon as it is written, so they wait only in `out`'s
 * own buffer, as the other lines do. A failed write is remembered as report_jsonl_flow()'s are.
 */
void report_jsonl_live(struct report_jsonl *w);
/* A live capture's --interval: a line with the totals so far. 0, or -1 when writing failed. */
int report_jsonl_interval(struct report_jsonl *w, uint64_t snapshot, uint64_t elapsed_ms,
                          const struct report_totals *totals);
/* The summary line; 0, or -1 when any write failed. Releases the writer's buffer. */
int report_jsonl_end(struct report_jsonl *w, const struct report_input *inputs, size_t n_inputs,
                     const struct report_totals *totals);
/*
 * Hands the flow lines still buffered to `out` and frees the buffer, for a run that stops without
 * report_jsonl_end(). Does nothing after report_jsonl_end(), or on a writer zeroed and never begun.
 */
void report_jsonl_release(struct report_jsonl *w);
int report_write_text(const struct report *r, FILE *out);
/* CSV (RFC 4180): a header row, then one row per flow in r->style's order (report_csv.c). */
int report_write_csv(const struct report *r, FILE *out);
/* Writes one CSV field, quoted when it holds a comma, a quote, CR or LF; `s` may be NULL (empty).
 */
int report_csv_field(FILE *out, const char *s);

/* Shared by the writers. */
const char *report_proto_name(uint8_t proto); /* "tcp", "udp", ... or NULL when unnamed */
bool report_proto_has_ports(uint8_t proto);
/* A name for an ICMP (family 4) or ICMPv6 (6) message ("port-unreachable"), or NULL. */
const char *report_icmp_name(uint8_t family, uint8_t type, uint8_t code);
/* Formats a time as ISO 8601 UTC with 6 or 9 fractional digits; returns buf. */
char *report_format_time(ps_time t, bool nanosecond, char *buf, size_t len);
/* What the capture missed or garbled of a flow ("midstream", "one-sided", ...): their names. */
#define REPORT_QUALITY_MAX 5
size_t report_flow_quality(const struct flow *f, const char *names[REPORT_QUALITY_MAX]);
/* Formats one encapsulation layer ("vlan:10", "6in4"); returns buf. */
char *report_format_encap(const struct encap *hop, char *buf, size_t len);
/* Formats an address (4 or 6) into buf (at least 46 bytes); returns buf. */
char *report_format_addr(uint8_t family, const uint8_t *addr, char *buf, size_t len);

#endif
