/*
 * expect.c - parses --expect expressions and checks them against the report (see expect.h for
 * the grammar).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expect.h"

#define MAX_TOKENS 8 /* the longest expectation has 5; more only serve the error message */

/* Appends to buf (of `len` bytes, holding a string) without overflowing it. */
static void append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum counter {
    C_PACKETS,
    C_BYTES,
    C_IN_FLOWS_PACKETS,
    C_IN_FLOWS_BYTES,
    C_FLOWS,
    C_FLOWS_TCP,
    C_FLOWS_UDP,
    C_FLOWS_OTHER,
    C_FLOWS_SHOWN,
    C_SKIPPED,
    C_SKIPPED_BYTES,
    C_SKIPPED_TRUNCATED,
    C_SKIPPED_INVALID,
    C_SKIPPED_REASON, /* one reason by its name: skipped.non_ip */
    C_SERVICES,
    C_CLIENTS,
    C_FILTERED,
    C_FRAGMENTS_EVICTED,
};

static const struct {
    const char *name;
    enum counter counter;
} counters[] = {
    {"packets", C_PACKETS},
    {"bytes", C_BYTES},
    {"in_flows.packets", C_IN_FLOWS_PACKETS},
    {"in_flows.bytes", C_IN_FLOWS_BYTES},
    {"flows", C_FLOWS},
    {"flows.total", C_FLOWS},
    {"flows.tcp", C_FLOWS_TCP},
    {"flows.udp", C_FLOWS_UDP},
    {"flows.other", C_FLOWS_OTHER},
    {"flows.shown", C_FLOWS_SHOWN},
    {"skipped", C_SKIPPED},
    {"skipped.packets", C_SKIPPED},
    {"skipped.bytes", C_SKIPPED_BYTES},
    {"skipped.truncated", C_SKIPPED_TRUNCATED},
    {"skipped.invalid", C_SKIPPED_INVALID},
    {"services", C_SERVICES},
    {"clients", C_CLIENTS},
    {"filtered", C_FILTERED},
    {"fragments.evicted", C_FRAGMENTS_EVICTED},
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

static const struct {
    const char *text;
    enum op op;
} ops[] = {
    {"==", OP_EQ}, {"=", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT},
    {"<=", OP_LE}, {">", OP_GT}, {">=", OP_GE},
};

enum kind { K_COUNTER, K_SERVICE, K_PORT, K_HOST, K_STATE, K_CLIENT_PORTS, K_APP, K_MISMATCH };

struct expectation {
    char *text, *source;
    enum kind kind;
    bool negated; /* "no ..." */
    enum counter counter;
    enum ps_skip reason; /* C_SKIPPED_REASON */
    enum op op;
    uint64_t value;
    char *name;              /* K_SERVICE, K_HOST: the argument */
    uint8_t conn_state;      /* K_STATE: enum flow_conn_state */
    uint16_t port;           /* K_PORT; K_APP with `on_port` */
    uint8_t app;             /* K_APP: enum app_proto */
    bool on_port;            /* K_APP: "on port N", the server's port */
    struct report_host host; /* K_HOST */
    struct port_range range; /* K_CLIENT_PORTS */
};

struct expect_list {
    struct expectation *items;
    size_t n;
};

struct token {
    const char *s;
    size_t len;
    size_t col; /* 1-based */
};

struct expect_list *expect_list_new(void)
{
    return calloc(1, sizeof(struct expect_list));
}

void expect_list_free(struct expect_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].text);
        free(l->items[i].source);
        free(l->items[i].name);
    }
    free(l->items);
    free(l);
}

size_t expect_count(const struct expect_list *l)
{
    return l->n;
}

static bool is_op_char(char c)
{
    return c == '<' || c == '>' || c == '=' || c == '!';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Words and runs of operator characters; returns how many tokens (at most MAX_TOKENS). */
static size_t tokenize(const char *text, struct token *t)
{
    size_t n = 0;
    const char *p = text;

    while (n < MAX_TOKENS) {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        t[n].s = p;
        t[n].col = (size_t)(p - text) + 1;
        if (is_op_char(*p))
            while (is_op_char(*p))
                p++;
        else
            while (*p != '\0' && !is_space(*p) && !is_op_char(*p))
                p++;
        t[n].len = (size_t)(p - t[n].s);
        n++;
    }
    return n;
}

static bool token_is(const struct token *t, const char *word)
{
    return t->len == strlen(word) && strncmp(t->s, word, t->len) == 0;
}

/* A copy of the token's text; NULL when out of memory. */
static char *token_dup(const struct token *t)
{
    char *s = malloc(t->len + 1);

    if (s != NULL) {
        memcpy(s, t->s, t->len);
        s[t->len] = '\0';
    }
    return s;
}

/* "column N: <message>", then the expression and a caret under column N. */
static int syntax_error(char *err, size_t errlen, const char *text, size_t col, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));

static int syntax_error(char *err, size_t errlen, const char *text, size_t col, const char *fmt,
                        ...)
{
    char message[PS_ERRBUF_SIZE], pad[PS_ERRBUF_SIZE];
    size_t i;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    /* Tabs stay tabs so that the caret lines up under them. */
    for (i = 0; i + 1 < col && i + 1 < sizeof(pad) && text[i] != '\0'; i++)
        pad[i] = text[i] == '\t' ? '\t' : ' ';
    pad[i] = '\0';
    snprintf(err, errlen, "column %zu: %s\n  %s\n  %s^", col, message, text, pad);
    return -1;
}

/* The column just past the expression's last character, where a missing word would go. */
static size_t end_column(const char *text)
{
    size_t len = strlen(text);

    while (len > 0 && is_space(text[len - 1]))
        len--;
    return len + 2;
}

static bool parse_number(const struct token *t, uint64_t *out)
{
    char buf[32], *end;

    if (t->len == 0 || t->len >= sizeof(buf) || t->s[0] < '0' || t->s[0] > '9')
        return false;
    memcpy(buf, t->s, t->len);
    buf[t->len] = '\0';
    errno = 0;
    *out = strtoull(buf, &end, 10);
    return errno == 0 && *end == '\0';
}

static int parse_counter(struct expectation *e, const char *text, const struct token *t, size_t n,
                         char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
        if (token_is(&t[0], counters[i].name))
            break;
    if (i < sizeof(counters) / sizeof(counters[0])) {
        e->counter = counters[i].counter;
    } else {
        bool found = false;

        if (t[0].len > 8 && strncmp(t[0].s, "skipped.", 8) == 0) {
            for (int r = PS_SKIP_NONE + 1; !found && r < PS_SKIP__COUNT; r++) {
                const char *name = ps_skip_name((enum ps_skip)r);

                if (t[0].len - 8 == strlen(name) && strncmp(t[0].s + 8, name, t[0].len - 8) == 0) {
                    e->counter = C_SKIPPED_REASON;
                    e->reason = (enum ps_skip)r;
                    found = true;
                }
            }
        }
        if (!found)
            return syntax_error(err, errlen, text, t[0].col,
                                "unknown counter or check '%.*s' (checks: service, port, host, "
                                "state, client-ports, app, port-mismatch; counters: see "
                                "portscope(1))",
                                (int)t[0].len, t[0].s);
    }
    e->kind = K_COUNTER;
    if (n < 2)
        return syntax_error(err, errlen, text, end_column(text),
                            "expected a comparison (==, !=, <, <=, >, >=) after '%.*s'",
                            (int)t[0].len, t[0].s);
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (token_is(&t[1], ops[i].text))
            break;
    if (i == sizeof(ops) / sizeof(ops[0]))
        return syntax_error(err, errlen, text, t[1].col,
                            "expected a comparison (==, !=, <, <=, >, >=), found '%.*s'",
                            (int)t[1].len, t[1].s);
    e->op = ops[i].op;
    if (n < 3)
        return syntax_error(err, errlen, text, end_column(text), "expected a number after '%.*s'",
                            (int)t[1].len, t[1].s);
    if (!parse_number(&t[2], &e->value))
        return syntax_error(err, errlen, text, t[2].col, "expected a number, found '%.*s'",
                            (int)t[2].len, t[2].s);
    return 3;
}

/* A connection state by its name (flow_tcp_conn_state_name()) in any case: 0, or -1 with why. */
static int parse_conn_state(const char *arg, uint8_t *state, char *why, size_t len)
{
    for (uint8_t s = FLOW_CONN_NONE + 1; s < FLOW_CONN__COUNT; s++) {
        if (strcasecmp(arg, flow_tcp_conn_state_name(s)) == 0) {
            *state = s;
            return 0;
        }
    }
    snprintf(why, len, "unknown connection state '%s' (known: ", arg);
    for (uint8_t s = FLOW_CONN_NONE + 1; s < FLOW_CONN__COUNT; s++)
        append(why, len, "%s%s", s > FLOW_CONN_NONE + 1 ? ", " : "", flow_tcp_conn_state_name(s));
    append(why, len, ")");
    return -1;
}

/* "service NAME", "port N", "host ADDR", "state S" from t[0]; returns tokens used or -1. */
static int parse_presence(struct expectation *e, const char *text, const struct token *t, size_t n,
                          char *err, size_t errlen)
{
    static const char *const what[] = {
        [K_SERVICE] = "a service name",
        [K_PORT] = "a port number",
        [K_HOST] = "an address",
        [K_STATE] = "a connection state",
    };
    char why[PS_ERRBUF_SIZE], *arg;
    int rc = 0;

    if (token_is(&t[0], "service"))
        e->kind = K_SERVICE;
    else if (token_is(&t[0], "port"))
        e->kind = K_PORT;
    else if (token_is(&t[0], "host"))
        e->kind = K_HOST;
    else
        e->kind = K_STATE;
    if (n < 2 || is_op_char(t[1].s[0]))
        return syntax_error(err, errlen, text, n < 2 ? end_column(text) : t[1].col,
                            "expected %s after '%.*s'", what[e->kind], (int)t[0].len, t[0].s);
    arg = token_dup(&t[1]);
    if (arg == NULL)
        return -2;
    switch (e->kind) {
    case K_SERVICE:
        e->name = arg;
        return 2;
    case K_PORT:
        rc = report_parse_port(arg, &e->port, why, sizeof(why));
        break;
    case K_HOST:
        /* The host keeps pointing at its text: keep the copy for as long as the expectation. */
        rc = report_parse_host(arg, &e->host, why, sizeof(why));
        if (rc == 0) {
            e->name = arg;
            return 2;
        }
        break;
    default:
        rc = parse_conn_state(arg, &e->conn_state, why, sizeof(why));
        break;
    }
    free(arg);
    if (rc != 0)
        return syntax_error(err, errlen, text, t[1].col, "%s", why);
    return 2;
}

static int parse_client_ports(struct expectation *e, const char *text, const struct token *t,
                              size_t n, char *err, size_t errlen)
{
    char why[PS_ERRBUF_SIZE], *arg;
    int rc;

    e->kind = K_CLIENT_PORTS;
    if (n < 2 || !token_is(&t[1], "in"))
        return syntax_error(err, errlen, text, n < 2 ? end_column(text) : t[1].col,
                            "expected 'in' after 'client-ports'");
    if (n < 3)
        return syntax_error(err, errlen, text, end_column(text),
                            "expected a profile (linux, windows, ...) or LO-HI after 'in'");
    arg = token_dup(&t[2]);
    if (arg == NULL)
        return -2;
    rc = ports_parse_ephemeral(arg, &e->range, why, sizeof(why));
    free(arg);
    if (rc != 0)
        return syntax_error(err, errlen, text, t[2].col, "%s", why);
    return 3;
}

/* "app PROTO [on port N]" from t[0]; returns tokens used or -1. */
static int parse_app(struct expectation *e, const char *text, const struct token *t, size_t n,
                     char *err, size_t errlen)
{
    char known[PS_ERRBUF_SIZE] = "", why[PS_ERRBUF_SIZE], *arg;
    int rc;

    e->kind = K_APP;
    for (uint8_t p = APP_NONE + 1; p < APP__COUNT; p++)
        append(known, sizeof(known), "%s%s", p > APP_NONE + 1 ? ", " : "", decode_app_name(p));
    if (n < 2 || is_op_char(t[1].s[0]))
        return syntax_error(err, errlen, text, n < 2 ? end_column(text) : t[1].col,
                            "expected a protocol (%s) after 'app'", known);
    for (uint8_t p = APP_NONE + 1; p < APP__COUNT && e->app == APP_NONE; p++)
        if (t[1].len == strlen(decode_app_name(p)) &&
            strncasecmp(t[1].s, decode_app_name(p), t[1].len) == 0)
            e->app = p;
    if (e->app == APP_NONE)
        return syntax_error(err, errlen, text, t[1].col, "unknown protocol '%.*s' (known: %s)",
                            (int)t[1].len, t[1].s, known);
    if (n < 3)
        return 2;
    if (!token_is(&t[2], "on"))
        return syntax_error(err, errlen, text, t[2].col,
                            "expected 'on port N' or the end after 'app %.*s'", (int)t[1].len,
                            t[1].s);
    if (n < 5 || !token_is(&t[3], "port"))
        return syntax_error(err, errlen, text,
                            n >= 4 && !token_is(&t[3], "port") ? t[3].col : end_column(text),
                            "expected 'port N' after 'on'");
    arg = token_dup(&t[4]);
    if (arg == NULL)
        return -2;
    e->on_port = true;
    rc = report_parse_port(arg, &e->port, why, sizeof(why));
    free(arg);
    return rc == 0 ? 5 : syntax_error(err, errlen, text, t[4].col, "%s", why);
}

/* "port-mismatch": no argument. */
static int parse_mismatch(struct expectation *e)
{
    e->kind = K_MISMATCH;
    return 1;
}

/* The checks "no" may come before. */
static bool is_presence(const struct token *t)
{
    return token_is(t, "service") || token_is(t, "port") || token_is(t, "host") ||
           token_is(t, "state") || token_is(t, "app") || token_is(t, "port-mismatch");
}

static int parse(struct expectation *e, const char *text, char *err, size_t errlen)
{
    struct token t[MAX_TOKENS];
    size_t n = tokenize(text, t), first = 0;
    int used;

    if (n == 0)
        return syntax_error(err, errlen, text, 1, "empty expectation");
    if (token_is(&t[0], "no")) {
        e->negated = true;
        first = 1;
        if (n < 2 || !is_presence(&t[1]))
            return syntax_error(err, errlen, text, n < 2 ? end_column(text) : t[1].col,
                                "expected service, port, host, state, app or port-mismatch "
                                "after 'no'");
    }
    if (token_is(&t[first], "service") || token_is(&t[first], "port") ||
        token_is(&t[first], "host") || token_is(&t[first], "state"))
        used = parse_presence(e, text, t + first, n - first, err, errlen);
    else if (token_is(&t[first], "client-ports"))
        used = parse_client_ports(e, text, t + first, n - first, err, errlen);
    else if (token_is(&t[first], "app"))
        used = parse_app(e, text, t + first, n - first, err, errlen);
    else if (token_is(&t[first], "port-mismatch"))
        used = parse_mismatch(e);
    else
        used = parse_counter(e, text, t + first, n - first, err, errlen);
    if (used < 0)
        return used;
    if (first + (size_t)used < n)
        return syntax_error(err, errlen, text, t[first + (size_t)used].col,
                            "unexpected '%.*s' after the end of the expectation",
                            (int)t[first + (size_t)used].len, t[first + (size_t)used].s);
    return 0;
}

int expect_add(struct expect_list *l, const char *text, const char *source, char *err,
               size_t errlen)
{
    struct expectation e = {0}, *grown;
    int rc = parse(&e, text, err, errlen);

    if (rc == 0) {
        e.text = strdup(text);
        e.source = strdup(source);
        grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
        if (e.text != NULL && e.source != NULL && grown != NULL) {
            l->items = grown;
            l->items[l->n++] = e;
            return 0;
        }
        if (grown != NULL)
            l->items = grown;
        rc = -2;
    }
    free(e.text);
    free(e.source);
    free(e.name);
    if (rc == -2)
        snprintf(err, errlen, "out of memory");
    return rc;
}

static uint64_t counter_value(const struct expectation *e, const struct report *r)
{
    const struct analyze_totals *t = &r->totals;
    uint64_t sum = 0;

    switch (e->counter) {
    case C_PACKETS:
        return t->packets;
    case C_BYTES:
        return t->bytes;
    case C_IN_FLOWS_PACKETS:
        return t->flow_packets;
    case C_IN_FLOWS_BYTES:
        return t->flow_bytes;
    case C_FLOWS:
        return r->n_flows_all;
    case C_FLOWS_TCP:
        return r->flows_tcp;
    case C_FLOWS_UDP:
        return r->flows_udp;
    case C_FLOWS_OTHER:
        return r->flows_other;
    case C_FLOWS_SHOWN:
        return r->n_flows;
    case C_SKIPPED:
    case C_SKIPPED_BYTES:
        for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
            sum += e->counter == C_SKIPPED ? t->skipped_packets[i] : t->skipped_bytes[i];
        return sum;
    case C_SKIPPED_TRUNCATED:
        return t->skipped_packets[PS_SKIP_TRUNC_LINK] + t->skipped_packets[PS_SKIP_TRUNC_NETWORK] +
               t->skipped_packets[PS_SKIP_TRUNC_TRANSPORT];
    case C_SKIPPED_INVALID:
        return t->skipped_packets[PS_SKIP_INVALID_LINK] +
               t->skipped_packets[PS_SKIP_INVALID_NETWORK] +
               t->skipped_packets[PS_SKIP_INVALID_TRANSPORT];
    case C_SKIPPED_REASON:
        return t->skipped_packets[e->reason];
    case C_SERVICES:
        return r->n_services;
    case C_CLIENTS:
        return r->n_clients;
    case C_FILTERED:
        for (size_t i = 0; i < r->n_inputs; i++)
            sum += r->inputs[i].filtered_packets;
        return sum;
    case C_FRAGMENTS_EVICTED:
        return t->fragments_evicted;
    }
    return 0;
}

static bool compare(uint64_t a, enum op op, uint64_t b)
{
    switch (op) {
    case OP_EQ:
        return a == b;
    case OP_NE:
        return a != b;
    case OP_LT:
        return a < b;
    case OP_LE:
        return a <= b;
    case OP_GT:
        return a > b;
    case OP_GE:
        return a >= b;
    }
    return false;
}

static bool flow_matches(const struct expectation *e, const struct report *r,
                         const struct report_flow *rf)
{
    const char *service, *alias;
    struct flow buf;
    const struct flow *f;
    const struct flow_key *k;

    /* The state is in the row: the flow need not be got from the table for it. */
    if (e->kind == K_STATE)
        return rf->conn_state == e->conn_state;
    f = report_flow_data(r, rf, &buf);
    k = &f->key;
    if (e->kind == K_APP || e->kind == K_MISMATCH) {
        struct report_app app;

        service = report_flow_service(r, rf, f, &alias);
        if (!report_flow_app(r, rf, f, service, &app))
            return false;
        if (e->kind == K_MISMATCH)
            return app.mismatch;
        return app.proto == e->app && (!e->on_port || k->port[!rf->client] == e->port);
    }
    switch (e->kind) {
    case K_SERVICE:
        service = report_flow_service(r, rf, f, &alias);
        return report_service_matches(e->name, service, alias);
    case K_PORT:
        return ipproto_has_ports(k->proto) && (k->port[0] == e->port || k->port[1] == e->port);
    case K_HOST:
        return report_host_matches(&e->host, k->family, k->addr[0]) ||
               report_host_matches(&e->host, k->family, k->addr[1]);
    default:
        return false;
    }
}

static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    va_start(ap, fmt);
    if (used < len)
        vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

#define LISTED 5 /* flows named in a "found" text; the rest are counted */

/* One pass over the flows, as each match may mean getting a flow from the table. */
static bool check_presence(const struct expectation *e, const struct report *r, char *found,
                           size_t len)
{
    size_t matches = 0;
    char list[PS_ERRBUF_SIZE] = "";

    for (size_t i = 0; i < r->n_flows; i++) {
        if (!flow_matches(e, r, &r->flows[i]))
            continue;
        if (matches < LISTED)
            append(list, sizeof(list), "%s#%" PRIu32, matches ? ", " : "", r->flows[i].id);
        matches++;
    }
    if (matches == 0) {
        snprintf(found, len, "no such flow");
        return e->negated;
    }
    snprintf(found, len, "%zu flow%s: %s%s", matches, matches == 1 ? "" : "s", list,
             matches > LISTED ? ", ..." : "");
    return e->negated ? matches == 0 : matches > 0;
}

static bool check_client_ports(const struct expectation *e, const struct report *r, char *found,
                               size_t len)
{
    size_t outside = 0, with_ports = 0;
    char list[PS_ERRBUF_SIZE] = "";

    for (size_t i = 0; i < r->n_flows; i++) {
        const struct report_flow *rf = &r->flows[i];
        struct flow buf;
        const struct flow_key *k = &report_flow_data(r, rf, &buf)->key;
        char addr[64];

        if (!ipproto_has_ports(k->proto))
            continue;
        with_ports++;
        if (port_range_contains(&e->range, k->port[rf->client]))
            continue;
        if (outside < LISTED)
            append(list, sizeof(list), "%s%s%s%s:%u (#%" PRIu32 ")", outside ? ", " : "",
                   k->family == 6 ? "[" : "",
                   report_format_addr(k->family, k->addr[rf->client], addr, sizeof(addr)),
                   k->family == 6 ? "]" : "", (unsigned)k->port[rf->client], rf->id);
        outside++;
    }
    if (outside == 0)
        snprintf(found, len, "%zu client port%s, all inside %u-%u", with_ports,
                 with_ports == 1 ? "" : "s", (unsigned)e->range.lo, (unsigned)e->range.hi);
    else
        snprintf(found, len, "%zu of %zu client ports outside %u-%u: %s%s", outside, with_ports,
                 (unsigned)e->range.lo, (unsigned)e->range.hi, list,
                 outside > LISTED ? ", ..." : "");
    return outside == 0;
}

size_t expect_evaluate(const struct expect_list *l, const struct report *r,
                       struct report_expectation *results)
{
    size_t failed = 0;

    for (size_t i = 0; i < l->n; i++) {
        const struct expectation *e = &l->items[i];
        struct report_expectation *res = &results[i];

        res->expression = e->text;
        res->source = e->source;
        if (e->kind == K_COUNTER) {
            uint64_t v = counter_value(e, r);

            res->holds = compare(v, e->op, e->value);
            snprintf(res->found, sizeof(res->found), "%" PRIu64, v);
        } else if (e->kind == K_CLIENT_PORTS) {
            res->holds = check_client_ports(e, r, res->found, sizeof(res->found));
        } else {
            res->holds = check_presence(e, r, res->found, sizeof(res->found));
        }
        failed += !res->holds;
    }
    return failed;
}
