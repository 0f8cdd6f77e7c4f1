/*
 * select.h - what the report shows, as opposed to what is analysed (the BPF filter): which flows
 * (--service, --port, --host), in which order and how many (--sort, --top), and which sections of
 * the text report (--show).
 */
#ifndef PS_SELECT_H
#define PS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flow;
struct report;
struct report_flow;

/* --sort: the order of the text flow table and the CSV rows. */
enum select_sort {
    SELECT_SORT_START,    /* first seen, then key: the JSON order (default) */
    SELECT_SORT_PACKETS,  /* most packets first */
    SELECT_SORT_BYTES,    /* most bytes first */
    SELECT_SORT_DURATION, /* longest first */
};

/* --show: sections of the text report. */
#define SELECT_SECTION_SUMMARY  0x1u /* inputs, time span, totals */
#define SELECT_SECTION_FLOWS    0x2u
#define SELECT_SECTION_SERVICES 0x4u
#define SELECT_SECTION_CLIENTS  0x8u
#define SELECT_SECTION_ALL      0xfu

/* An address, or a network in CIDR notation. */
struct select_host {
    const char *text; /* as given */
    uint8_t family;   /* 4 or 6 */
    uint8_t addr[16];
    uint8_t prefix; /* bits that must match: 32 or 128 for a single address */
};

/*
 * Which flows are reported. Values of one option are alternatives; different options must all
 * match. No value at all selects every flow.
 */
struct select_spec {
    const char **services; /* service names or their common names ("domain", "dns") */
    size_t n_services;
    uint16_t *ports; /* either endpoint's port */
    size_t n_ports;
    struct select_host *hosts; /* either endpoint's address */
    size_t n_hosts;
};

/* Parsers for the option values; 0, or -1 with a message in err. */
int select_parse_host(const char *text, struct select_host *out, char *err, size_t errlen);
int select_parse_port(const char *text, uint16_t *out, char *err, size_t errlen);
int select_parse_sort(const char *text, enum select_sort *out, char *err, size_t errlen);
/* A comma-separated list of section names into SELECT_SECTION_* bits. */
int select_parse_sections(const char *text, unsigned *out, char *err, size_t errlen);

/* Adders for repeated options; -1 when out of memory. */
int select_add_service(struct select_spec *s, const char *name);
int select_add_port(struct select_spec *s, uint16_t port);
int select_add_host(struct select_spec *s, const struct select_host *host);

/* True when any of --service, --port or --host was given. */
bool select_active(const struct select_spec *s);
void select_release(struct select_spec *s);

/* Whether the address is the host or inside the network. */
bool select_host_matches(const struct select_host *h, uint8_t family, const uint8_t *addr);

/* Whether a service name (with its common name, either may be NULL) is `name`, ignoring case. */
bool select_service_matches(const char *name, const char *service, const char *alias);

/* Whether the flow `rf` of report `r`, whose flow is `f`, is reported under `s`. */
bool select_flow(const struct select_spec *s, const struct report *r, const struct report_flow *rf,
                 const struct flow *f);

/*
 * The indices of r->flows (in first-seen order) in `sort` order, ties in first-seen order, cut to
 * the first `top` (0: all); *n_out gets how many. NULL when out of memory.
 */
size_t *select_order(const struct report *r, enum select_sort sort, size_t top, size_t *n_out);

#endif
