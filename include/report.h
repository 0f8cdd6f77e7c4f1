/*
 * report.h - the report: what was read, the flows with their roles and labels, the services and
 * the client hosts, and the view of them the report shows; built once at the end from the
 * analysis (analyze.h), then handed to a writer (output.h).
 *
 * The view is made once, by report_build(): the flows the selection keeps (--service, --port,
 * --host) in first-seen order, which the JSON document lists and the expectations check, and of
 * those the rows of the text flow table and the CSV, in --sort order and cut to --top
 * (report_shown()). The services and client hosts are those of the selected flows. No writer
 * selects or orders flows itself; the jsonl stream, which writes flows before there is a report,
 * asks report_flow_selected(), the one predicate the view uses.
 */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "flow.h"
#include "ports.h"
#include "base.h"

/*
 * What the report shows, as opposed to what is analysed (the BPF filter): which flows (--service,
 * --port, --host), in which order and how many (--sort, --top). The option values, parsed and
 * matched in select.c.
 */

/* --sort: the order of the text flow table and the CSV rows. */
enum report_sort {
    REPORT_SORT_START,    /* first seen, then key: the JSON order (default) */
    REPORT_SORT_PACKETS,  /* most packets first */
    REPORT_SORT_BYTES,    /* most bytes first */
    REPORT_SORT_DURATION, /* longest first */
};

/* An address, or a network in CIDR notation. */
struct report_host {
    const char *text; /* as given */
    uint8_t family;   /* 4 or 6 */
    uint8_t addr[16];
    uint8_t prefix; /* bits that must match: 32 or 128 for a single address */
};

/*
 * Which flows are reported. Values of one option are alternatives; different options must all
 * match. No value at all selects every flow.
 */
struct report_select {
    const char **services; /* service names or their common names ("domain", "dns") */
    size_t n_services;
    uint16_t *ports; /* either endpoint's port */
    size_t n_ports;
    struct report_host *hosts; /* either endpoint's address */
    size_t n_hosts;
};

/* Parsers for the option values; 0, or -1 with a message in err. */
int report_parse_host(const char *text, struct report_host *out, char *err, size_t errlen);
int report_parse_port(const char *text, uint16_t *out, char *err, size_t errlen);
int report_parse_sort(const char *text, enum report_sort *out, char *err, size_t errlen);
/* Adders for repeated options; -1 when out of memory. */
int report_select_add_service(struct report_select *s, const char *name);
int report_select_add_port(struct report_select *s, uint16_t port);
int report_select_add_host(struct report_select *s, const struct report_host *host);

/* True when any of --service, --port or --host was given. */
bool report_select_active(const struct report_select *s);
void report_select_release(struct report_select *s);

/* Whether the address is the host or inside the network. */
bool report_host_matches(const struct report_host *h, uint8_t family, const uint8_t *addr);

/* Whether a service name (with its common name, either may be NULL) is `name`, ignoring case. */
bool report_service_matches(const char *name, const char *service, const char *alias);

/* How a flow's client and server were told apart: the rung of the ladder that decided. */
enum report_role_reason {
    REPORT_ROLE_OPEN,         /* the client opened: TCP SYN, SCTP INIT, ICMP echo request */
    REPORT_ROLE_ACCEPT,       /* the server accepted: TCP SYN+ACK, SCTP INIT ACK, ICMP echo reply */
    REPORT_ROLE_SERVICE,      /* only the server's port has a service name */
    REPORT_ROLE_EPHEMERAL,    /* only the client's port is in the ephemeral range in force */
    REPORT_ROLE_LOWER_PORT,   /* the server's port is the lower one */
    REPORT_ROLE_SYMMETRIC,    /* both ports are equal: the first sender is taken as client */
    REPORT_ROLE_FIRST_SENDER, /* the protocol has no ports: the first sender is taken as client */
};

/* "syn", "syn-ack", "init", "init-ack", "echo-request", "echo-reply", "service", ... */
const char *report_role_reason_name(enum report_role_reason r, uint8_t proto);

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
    uint8_t reason;            /* enum report_role_reason */
    uint8_t conn_state;        /* enum flow_conn_state */
    bool client_in_range; /* the client port is in its host's range in force (report_range_of()) */
};

_Static_assert(sizeof(struct report_flow) <= 20, "a report_flow is kept for every flow");

/* One server port and protocol, with what was seen on it. */
struct report_service {
    uint8_t proto;
    uint16_t port;
    const char *service, *service_alias;
    const char *const *service_other; /* ports_service_other(): never NULL */
    uint64_t flows, packets, bytes, clients;
};

/*
 * How a client host picked its client ports (report_hostports.c), judged on the connections of one
 * protocol in order of use (first seen): each new port the one before + a small step (sequential),
 * only so among connections to the same server address, port and protocol (per destination: RFC
 * 6056 algorithms 3 to 5, Linux's), neither (random), or too few connections to tell.
 */
enum report_port_pattern {
    REPORT_PORTS_TOO_FEW,
    REPORT_PORTS_SEQUENTIAL,
    REPORT_PORTS_PER_DESTINATION,
    REPORT_PORTS_RANDOM,
};

/* "too-few", "sequential", "per-destination", "random". */
const char *report_port_pattern_name(enum report_port_pattern p);

/* What the initial TTL and the ports hint at: a hint, never a fact; unknown when they disagree. */
enum report_os_hint {
    REPORT_OS_UNKNOWN,
    REPORT_OS_LINUX,          /* TTL 64, ports only in Linux's range (32768-60999) */
    REPORT_OS_MACOS,          /* TTL 64, ports only in 49152-65535 */
    REPORT_OS_LINUX_OR_MACOS, /* TTL 64, ports in both ranges */
    REPORT_OS_WINDOWS,        /* TTL 128, ports in a Windows range */
    REPORT_OS_NETWORK_DEVICE, /* TTL 255: routers, switches (and Solaris) */
};

/* "unknown", "linux", "macos", "linux-or-macos", "windows", "network-device". */
const char *report_os_hint_name(enum report_os_hint h);

/* Connections a pattern needs: three steps between them to another port; fewer are too few. */
#define REPORT_PORTS_PATTERN_MIN 4
/* The largest step up that counts as sequential (Linux adds 2 and a small random increment). */
#define REPORT_PORTS_STEP_MAX 32
/* How many ports of the order of use are kept from its start and from its end. */
#define REPORT_PORTS_LISTED 10
/* Initial TTL classes: 32, 64, 128, 255 (a TTL seen is rounded up to the next of them). */
#define REPORT_TTL_CLASSES 4

/*
 * What few client hosts have, kept apart so that the others do not carry its room: the last ports
 * of an order of use longer than REPORT_PORTS_LISTED, and the first wrap.
 */
struct report_port_more {
    ps_time wrap_from_seen,
        wrap_to_seen;                  /* the first wrap's flows' first packets (the gathering's) */
    uint32_t wrap_from_id, wrap_to_id; /* their flows' report ids */
    uint16_t wrap_from, wrap_to;       /* the first wrap: the port before it and the one after */
    uint16_t last[REPORT_PORTS_LISTED]; /* see report_port_choice.first */
};

struct report_port_choice {
    /* Widest first, so that no padding is kept for every client host. */
    struct report_port_more *more; /* NULL when n_last and wraps are 0; the report's to free */
    uint32_t connections;          /* the connections judged: the host's client flows of `proto` */
    uint32_t steps, steps_up;      /* between connections on different ports; up by 1 to STEP_MAX */
    uint32_t dest_steps, dest_steps_up; /* the same between connections to one destination */
    uint32_t wraps; /* drops from the top of the ports to the bottom in the sequence judged */
    uint32_t reused_other_server; /* client ports used for more than one destination */
    uint32_t reused_same_server;  /* client ports used again for the same destination */
    /* The range most likely in force: of the profiles holding the most of the host's distinct
     * ports, the narrowest (the likeliest to have drawn them); `likely` has every profile of that
     * range (iana, windows, macos share one). */
    uint32_t likely;
    uint32_t likely_ports;                  /* the host's distinct ports in it (at most 65536) */
    uint32_t ttl_flows[REPORT_TTL_CLASSES]; /* client flows by the class of the client's TTL */
    /* The ports in order of use: the first REPORT_PORTS_LISTED, and the last ones after those
     * (more->last: at most REPORT_PORTS_LISTED, the middle of a longer order left out). */
    uint16_t first[REPORT_PORTS_LISTED];
    uint16_t step; /* the commonest step up among the steps judged; 0: none */
    uint16_t likely_lo, likely_hi;
    uint8_t proto;       /* the protocol judged: TCP with enough connections, else the most used */
    uint8_t pattern;     /* enum report_port_pattern */
    uint8_t os_hint;     /* enum report_os_hint */
    uint8_t initial_ttl; /* 32, 64, 128 or 255 when every flow agrees; 0: unknown */
    uint8_t n_first, n_last; /* ports in first[] and more->last[] */
};

/*
 * One client host and the ports it used as a client, kept for every client host: counts are 32
 * bits, since a report's flows are at most the flow table's limit (below UINT32_MAX,
 * flow_table_new()) and its distinct ports at most 65536.
 */
struct report_client {
    uint8_t addr[16];
    struct port_range in_force; /* the range in force for it (report_range_of()) */
    uint32_t flows;
    uint32_t ports;         /* distinct client ports */
    uint32_t in_range;      /* flows whose client port is in the range in force */
    uint32_t ephemeral_all; /* profiles that contain every one of its client ports */
    uint16_t port_lo, port_hi;
    uint8_t family;
    struct report_port_choice choice;
};

_Static_assert(sizeof(struct report_client) <= 152,
               "a report_client is kept for every client host");

struct report_host_ranges;

struct report_settings {
    struct port_range ephemeral; /* --ephemeral; port_range_is_auto(): for hosts without evidence */
    /* --ephemeral auto: each client host's range, found by a first pass over the flows
     * (report_build(), report_gathering_begin()); NULL: `ephemeral` for every host. */
    const struct report_host_ranges *host_ranges;
    const struct ports_services *services;
    bool decap;       /* tunnels decoded to their inner packets (no --no-decap) */
    bool vlan_in_key; /* --vlan-in-key */
    size_t max_flows; /* --max-flows; 0: auto, chosen from the memory available */
    size_t max_fragments;
    const char *filter;                 /* the BPF filter expression, or NULL */
    const struct report_select *select; /* --service/--port/--host, or NULL: every flow */
    enum report_sort sort;              /* --sort: the view's rows (text table, CSV) */
    size_t top;                         /* --top; 0: every row */
    const char *profile;                /* --profile */
    struct flow_lifecycle lifecycle;    /* the timeouts in force */
    unsigned threads;                   /* --threads: 2 builds and writes the report on two */
    uint16_t community_id_seed;         /* --community-id-seed */
    bool community_id_hex;              /* --community-id-format hex */
};

/* An --expect expectation and how it turned out (expect.c). */
struct report_expectation {
    const char *expression; /* as written */
    const char *source;     /* "--expect", or "FILE:LINE" for --expect-file */
    bool holds;
    char found[PS_ERRBUF_SIZE]; /* what the report has: "2", "none", "2 flows: #4, #7" */
};

struct report {
    /* The model: what was read and counted, the settings in force, every flow counted. */
    const struct analyze_input *inputs;
    size_t n_inputs;
    struct analyze_totals totals;
    struct report_settings settings;
    const struct flow_table *table;
    bool nanosecond; /* any input has nanosecond timestamps: times are written with 9 digits */

    size_t n_flows_all; /* every flow, selected or not: the summary counts these */
    size_t flows_tcp, flows_udp, flows_other;

    /* The view (report_build()): what is shown. */
    struct report_flow *flows; /* the selected flows (settings.select), first seen, then key;
                                  NULL after report_init() alone: every flow, rows made by
                                  the JSON writer */
    size_t n_flows;
    uint32_t *order; /* the shown rows: indices of `flows` in settings.sort order, ties in
                        first-seen order; NULL: first-seen order (report_shown()) */
    size_t n_shown;  /* how many rows are shown: n_flows cut to settings.top */
    struct report_service *services; /* of the selected flows, by port, then protocol */
    size_t n_services;
    struct report_client *clients; /* of the selected flows, by address */
    size_t n_clients;

    /* A report_init() report's writers hand each flow they write to this (NULL: none). */
    struct report_gathering *gathering;
    struct report_host_ranges *host_ranges; /* settings.host_ranges, which the report owns */

    /* Filled in by the caller after report_build(), before writing. */
    const struct report_expectation *expectations; /* NULL without --expect */
    size_t n_expectations;
};

/*
 * A report without its rows, services and clients: what the JSON document has before its flows,
 * whose rows its writer then makes as it goes (r->flows NULL: every flow, in the table's order,
 * which must be the report's: flow_table_in_order()).
 */
void report_init(struct report *r, const struct analyze_input *inputs, size_t n_inputs,
                 const struct analyze_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table);

/* The capture's span: the first and last packet of the inputs that had any (0 and 0, and false,
 * when none had). */
bool report_time_span(const struct report *r, ps_time *first, ps_time *last);

/*
 * Builds the report's derived parts (roles, labels, services, clients) from the table, and its
 * view. `inputs`, `table`, `settings.services` and `settings.select` must outlive the report.
 * Returns 0, or -1 when out of memory.
 */
int report_build(struct report *r, const struct analyze_input *inputs, size_t n_inputs,
                 const struct analyze_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table);

/* Row `k` (0 to r->n_shown - 1) of the view: the text flow table's and the CSV's k-th flow. */
static inline const struct report_flow *report_shown(const struct report *r, size_t k)
{
    return &r->flows[r->order != NULL ? r->order[k] : k];
}

/*
 * Whether the report shows the flow `rf`, whose flow is `f`: whether r->settings.select keeps
 * it (no selection keeps every flow). The view's one predicate, for the jsonl stream too.
 */
bool report_flow_selected(const struct report *r, const struct report_flow *rf,
                          const struct flow *f);

/*
 * The range in force for client host (family, addr): under --ephemeral auto, the range its ports
 * fit as the flows whose roles are certain (who opened, who accepted, which port has a service)
 * show it: of the profiles' ranges holding most of those flows' client ports, the narrowest;
 * s->ephemeral for a host without such flows, and for every host under another --ephemeral.
 */
const struct port_range *report_range_of(const struct report_settings *s, uint8_t family,
                                         const uint8_t *addr);

/*
 * report_range_of() for flow number `flow` of the table (its place in the table's order), whose
 * client host is (family, addr) as its roles say: the same range, read from what the first pass
 * kept of the flow when its roles rest on evidence, looked up otherwise.
 */
const struct port_range *report_range_of_client(const struct report_settings *s, uint32_t flow,
                                                uint8_t family, const uint8_t *addr);

/* What gathering takes of a flow: its key, both ways' counts and its client's labels. */
struct report_gather_item {
    struct flow_key key;
    uint64_t packets, bytes;
    uint32_t id;   /* the row's report id */
    uint32_t dest; /* report_port_dest() of its server: hashed before the gathering's lock */
    uint32_t flow; /* its number in the table (report_flow.flow) */
    uint8_t client;
    uint8_t client_ttl; /* the TTL of the client's first packet; 0: none */
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
struct report_gathering *report_gathering_begin(struct report *r,
                                                const struct analyze_input *inputs, size_t n_inputs,
                                                const struct analyze_totals *totals,
                                                const struct report_settings *settings,
                                                const struct flow_table *table);
void report_gathering_add(struct report_gathering *g, const struct report_gather_item *items,
                          size_t n);
int report_gathering_end(struct report_gathering *g);

void report_release(struct report *r);

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
 * The Community ID, version 1 (report_community_id.c; doc/community-id.md): "1:" and the SHA-1 of
 * the flow's tuple in base64 (28 characters) or, with `hex`, in hexadecimal (40).
 */
#define REPORT_COMMUNITY_ID_LEN 43 /* "1:", 40 hex digits, NUL */

/* One packet's tuple, as the specification takes it; for ICMP and ICMPv6 the ports are the
 * message's type and code. Addresses in network order, 4 or 16 bytes by family. */
struct report_cid_tuple {
    uint8_t family, proto;
    const uint8_t *src, *dst;
    uint16_t sport, dport;
};

char *report_community_id(const struct report_cid_tuple *t, uint16_t seed, bool hex,
                          char out[REPORT_COMMUNITY_ID_LEN]);

/* A flow's Community ID: the one every packet its key stands for hashes to (doc/community-id.md
 * says where an ICMP flow's packets differ). Returns out. */
char *report_flow_community_id(const struct flow *f, uint16_t seed, bool hex,
                               char out[REPORT_COMMUNITY_ID_LEN]);
/* Two flows' Community IDs, as report_flow_community_id() writes them, at once: their SHA-1
 * blocks hashed interleaved (ps_sha1_short2()), in not much more time than one. */
void report_flow_community_id2(const struct flow *f0, const struct flow *f1, uint16_t seed,
                               bool hex, char out[2][REPORT_COMMUNITY_ID_LEN]);

/*
 * What runs on a flow's server port, as its first payload bytes show it (report_app.c). Derived
 * when asked, like the service: nothing of it is kept per flow in the report.
 */
struct report_app {
    uint8_t proto;          /* enum app_proto: the server's, else the client's; APP_NONE: none */
    uint8_t client, server; /* what each side's bytes showed */
    const char *why;        /* with APP_NONE: "no payload", "payload cut by snaplen",
                               "not recognised"; else NULL */
    const char *sni;        /* the TLS server name, sanitised (flow_table_app_name()), or NULL */
    bool mismatch;          /* the protocol is not one the server port's service speaks */
    /* "port 443 (https), traffic is SSH", "HTTP on port 8081 (no service registered)" */
    char mismatch_text[160];
};

/*
 * Fills *out for flow `f` of row `rf`, whose server port's service is `service`
 * (report_flow_service(): the writers have it already); false for flows neither TCP nor UDP.
 */
bool report_flow_app(const struct report *r, const struct report_flow *rf, const struct flow *f,
                     const char *service, struct report_app *out);

/* The protocols (bits 1 << enum app_proto) service `service` speaks; 0 when unknown or NULL. */
unsigned report_app_expected(const char *service);

/* Names and formats shared by the writers (report_labels.c). */
/* A name for an ICMP (family 4) or ICMPv6 (6) message ("port-unreachable"), or NULL. */
const char *report_icmp_name(uint8_t family, uint8_t type, uint8_t code);
/*
 * The date and time of second `secs` since 1970 in UTC, "%Y-%m-%dT%H:%M:%S" as strftime() writes
 * gmtime_r()'s, or the number when gmtime_r() cannot; returns its length. Computed without libc
 * for four-digit years (every time a ps_time can hold).
 */
#define REPORT_DATE_SIZE 32
size_t report_format_date(int64_t secs, char out[REPORT_DATE_SIZE]);
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
