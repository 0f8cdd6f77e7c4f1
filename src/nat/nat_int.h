/*
 * nat_int.h - what the nat module's files share and nothing else reads.
 */
#ifndef PS_NAT_INT_H
#define PS_NAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "nat.h"

/* A hash of n bytes, continuing from h: payloads are compared by it. */
uint64_t nat_hash_bytes(const uint8_t *p, size_t n, uint64_t h);

/* The kinds of evidence an inside flow looks for its outside flow by, strongest first. */
enum nat_sig_kind {
    NAT_SIG_ISN,
    NAT_SIG_PAY_C,
    NAT_SIG_PAY_S,
    NAT_SIG_SERVER,
    NAT_SIG_CLIENT,
    NAT_SIG__COUNT
};
#define NAT_SIG_FIRST_TIMED NAT_SIG_SERVER /* from here on only asked with the offset known */

/* The signature of record c by kind k; false when c has no evidence of that kind. */
bool nat_signature(const struct nat_conn *c, int k, uint64_t *sig);

/* Whether a flow can cross a NAT router as a connection of its own: ports or ICMP echo, between
 * routable addresses. Router solicitations and multicast reports carry the same bytes on both
 * sides of a router, and must not pair by them. */
bool nat_crosses(const struct nat_conn *c);

struct nat_sig_entry {
    uint64_t sig;
    ps_time first; /* the flow's start: entries of one signature in time order */
    uint32_t idx;  /* into the side's conns */
};

/* One side's flows by signature, per kind (nat_index.c). */
struct nat_index {
    const struct nat_side *side;
    bool built[NAT_SIG__COUNT];
    struct nat_sig_entry *e[NAT_SIG__COUNT];
    size_t n[NAT_SIG__COUNT];
    uint32_t *dir[NAT_SIG__COUNT]; /* bucket b (signature >> shift) is [dir[b], dir[b + 1]) */
    unsigned shift[NAT_SIG__COUNT];
    bool failed; /* memory ran out building one */
};

int nat_index_init(struct nat_index *ix, const struct nat_side *side);
void nat_index_free(struct nat_index *ix);

/* The first entry of kind k at or after (sig, first), building the kind's index on first use;
 * *end bounds the entries that may share sig. */
size_t nat_index_lower(struct nat_index *ix, int k, uint64_t sig, ps_time first, size_t *end);

/* Whether two records' client (server) endpoints are the same address and port. */
bool nat_same_client(const struct nat_conn *a, const struct nat_conn *b);
bool nat_same_server(const struct nat_conn *a, const struct nat_conn *b);

/* The summary of a table whose rows are made: public addresses and the port policy. */
int nat_summarise(const struct nat_side *inside, const struct nat_side *outside,
                  struct nat_result *r);

/* The cells of one row, as text: what every format writes. */
struct nat_cells {
    char proto[16], in_client[80], in_server[80], out_client[80], out_server[80];
    char evidence[64], in_first[40], out_first[40];
    const char *status, *kind, *change, *strength, *reason;
};
void nat_row_cells(const struct nat_side *in, const struct nat_side *out, const struct nat_row *row,
                   struct nat_cells *c);

/* The table's columns, shared by the text and HTML tables; NAT_SENTENCE: room for a sentence. */
#define NAT_COLUMNS  12
#define NAT_SENTENCE 640
extern const char *const nat_headings[NAT_COLUMNS];

/* Room for one row's cells that nat_columns() makes: the reason, the two times. */
struct nat_made {
    char why[64], in_time[24], out_time[24];
};

/* The cells of a row in column order; the evidence column holds the reason of an unpaired row. */
void nat_columns(const struct nat_cells *c, const struct nat_row *row, const char *col[],
                 struct nat_made *m);

/* The --explain sentences, one at a time: n from 0 until it returns false (nat_text.c). */
bool nat_sentence(const struct nat_result *r, size_t n, char *buf, size_t len);
/* "+3600.000123 s" */
void nat_put_offset(char *buf, size_t len, ps_time off);

/* The HTML page (nat_html.c): the sides, the picture of the pairs, the table, the summary. */
int nat_write_html(FILE *out, const struct nat_side *in, const struct nat_side *outside,
                   const struct nat_result *r);

/* "2026-12-07T04:40:01.123456Z"; an address as inet_ntop() writes it. */
void nat_put_time(char *buf, size_t len, ps_time t);
void nat_put_addr(char *buf, size_t len, uint8_t family, const uint8_t *addr);

/* The text report (nat_text.c), and its sentences for the JSON (a json_t *, as void *). */
int nat_write_text(FILE *out, bool explain, const struct nat_side *in,
                   const struct nat_side *outside, const struct nat_result *r);
struct json_t;
struct json_t *nat_explain_json(const struct nat_result *r);

#endif
