/*
 * explain_int.h - what the files of the explanation (--explain) share: the flows as it groups
 * them, the paragraph being written, and the sections each file writes.
 *
 *   output_explain.c          the build; what the capture holds, the services, the client hosts;
 *   output_explain_servers.c  the flows grouped by server port, and by port across servers;
 *   output_explain_unusual.c  refused, unanswered and one-sided flows, ICMP errors, low ports.
 */
#ifndef PS_EXPLAIN_INT_H
#define PS_EXPLAIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* At most this many lines in a list (servers, clients), and examples in a sentence. */
#define LIST_MAX     8
#define EXAMPLES_MAX 3

/* One flow as the explanation groups it: who talked to whom on which port, and how it went. */
struct conv {
    uint8_t client_addr[16], server_addr[16];
    uint8_t family, proto, conn_state, bits;
    uint8_t app; /* enum app_proto: what the first payload bytes showed; APP_NONE: nothing */
    uint16_t client_port, server_port;
    uint32_t row; /* index of its report_flow in r->flows */
};

#define CONV_PORTS      0x01 /* the protocol has ports */
#define CONV_ONE_SIDED  0x02
#define CONV_MIDSTREAM  0x04
#define CONV_ICMP_ERROR 0x08
#define CONV_ONLY_ERROR 0x10 /* the server's side sent nothing but ICMP errors */
#define CONV_MISMATCH   0x20 /* its bytes are not what the server port's service speaks */

/* A paragraph being written: explain_add() appends, the text grows as needed. */
struct para {
    char *text;
    size_t len, cap;
    bool failed;
};

void explain_add(struct para *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands a finished paragraph to the explanation, which owns its text from then on. */
void explain_push(struct output_explanation *e, struct para *p, bool item);
const char *explain_plural(uint64_t n, const char *one, const char *many);
void explain_addr(uint8_t family, const uint8_t *addr, char *buf);
/* "53/udp", or the protocol's name alone (ports false). */
void explain_port(uint8_t proto, uint16_t port, bool ports, char *buf, size_t len);
/* "10.0.0.1:81/tcp", "[2001:db8::1]:53/udp": the flow's server or client end. */
void explain_endpoint(const struct conv *cv, bool server, char *buf, size_t len);
/* The service a student knows: the common name when there is one ("dns", not "domain"). */
const char *explain_service(const struct report *r, uint8_t proto, uint16_t port);

struct host {
    uint8_t family;
    uint8_t addr[16];
};

int explain_cmp_host(const void *pa, const void *pb);

/* A name with a count, listed the largest first (explain_cmp_named_count()). */
struct named_count {
    const char *name; /* NULL: no name, listed last */
    uint64_t flows;
};

int explain_cmp_named_count(const void *pa, const void *pb);

/* The flows to one server port (address, protocol, port): a run of the by-server order. */
struct server_group {
    size_t first, n;   /* convs[first .. first + n - 1] */
    size_t answered;   /* flows the server took part in: neither refused nor unanswered */
    size_t clients;    /* distinct client addresses */
    uint16_t lo, hi;   /* client ports */
    size_t mismatches; /* flows whose bytes are not what the port's service speaks */
    uint8_t app;       /* the protocol every flow's bytes that showed one showed; APP_NONE: none
                          showed one, GROUP_APP_MIXED: not all the same */
};

#define GROUP_APP_MIXED 0xff

/* The server groups of convs sorted by server, the largest first; NULL when out of memory. */
struct server_group *explain_server_groups(const struct conv *convs, size_t n, size_t *n_groups);

typedef bool conv_pred(const struct conv *cv);

/*
 * How many flows `pred` picks, and when `write`, the server ports most of them went to: ": 2 to
 * 10.0.0.1:81/tcp, 1 to 10.0.0.3:22/tcp and 3 to 2 other server ports".
 */
size_t explain_examples(const struct conv *convs, const struct server_group *g, size_t n_groups,
                        conv_pred *pred, struct para *p, bool write);

/* The sections of the other files. */
void explain_servers(const struct report *r, const struct conv *convs, const struct server_group *g,
                     size_t n_groups, struct output_explanation *e);
void explain_unusual(const struct report *r, const struct conv *convs, size_t n,
                     const struct server_group *g, size_t n_groups, struct output_explanation *e);

#endif
