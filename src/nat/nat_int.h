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

/* "2026-12-07T04:40:01.123456Z"; an address as inet_ntop() writes it. */
void nat_put_time(char *buf, size_t len, ps_time t);
void nat_put_addr(char *buf, size_t len, uint8_t family, const uint8_t *addr);

/* The text report (nat_text.c), and its sentences for the JSON (a json_t *, as void *). */
int nat_write_text(FILE *out, bool explain, const struct nat_side *in,
                   const struct nat_side *outside, const struct nat_result *r);
struct json_t;
struct json_t *nat_explain_json(const struct nat_result *r);

#endif
