/*
 * output_explain.c - the report in plain sentences (--explain): what the capture holds, which
 * server offered which service on which port, how each client host chose its ports, and what
 * is unusual. Built from the report's view only, so it says nothing the tables do not show; it
 * groups similar flows so that a capture of a million flows still reads in a minute.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "json_writer.h"
#include "explain_int.h"
#include "output.h"

void explain_add(struct para *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->failed)
        return;
    for (;;) {
        size_t room = p->cap - p->len;

        va_start(ap, fmt);
        n = vsnprintf(p->text != NULL ? p->text + p->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            p->failed = true;
            return;
        }
        if ((size_t)n < room) {
            p->len += (size_t)n;
            return;
        }
        size_t cap = p->cap ? p->cap * 2 : 256;
        while (cap - p->len <= (size_t)n)
            cap *= 2;
        char *text = realloc(p->text, cap);
        if (text == NULL) {
            p->failed = true;
            return;
        }
        p->text = text;
        p->cap = cap;
    }
}

/* Hands a finished paragraph to the explanation (which owns its text from then on). */
void explain_push(struct output_explanation *e, struct para *p, bool item)
{
    if (!p->failed && e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        struct output_explain_para *paras = realloc(e->paras, cap * sizeof(*paras));

        if (paras == NULL) {
            p->failed = true;
        } else {
            e->paras = paras;
            e->cap = cap;
        }
    }
    if (p->failed || p->text == NULL) {
        e->failed |= p->failed;
        free(p->text);
    } else {
        e->paras[e->n++] = (struct output_explain_para){.item = item, .text = p->text};
    }
    *p = (struct para){0};
}

const char *explain_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void explain_addr(uint8_t family, const uint8_t *addr, char *buf)
{
    *jw_put_addr_text(buf, family, addr) = '\0';
}

/* "53/udp", or the protocol's name alone for protocols without ports. */
void explain_port(uint8_t proto, uint16_t port, bool ports, char *buf, size_t len)
{
    const char *name = ipproto_name(proto);
    char num[8];

    *jw_put_uint(num, proto) = '\0';
    if (ports)
        snprintf(buf, len, "%u/%s", (unsigned)port, name != NULL ? name : num);
    else
        snprintf(buf, len, "%s", name != NULL ? name : num);
}

/* The service a student knows: the common name when there is one ("dns", not "domain"). */
const char *explain_service(const struct report *r, uint8_t proto, uint16_t port)
{
    const char *alias, *name = ports_service_lookup(r->settings.services, proto, port, &alias);

    return alias != NULL ? alias : name;
}

static int cmp_addr(uint8_t fa, const uint8_t *a, uint8_t fb, const uint8_t *b)
{
    if (fa != fb)
        return fa < fb ? -1 : 1;
    return ps_addr_compare(a, b, fa == 6 ? 16 : 4);
}

/* Servers first: (server address, protocol, port), then client address and port. */
static int cmp_by_server(const void *pa, const void *pb)
{
    const struct conv *a = pa, *b = pb;
    int c = cmp_addr(a->family, a->server_addr, b->family, b->server_addr);

    if (c != 0)
        return c;
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->server_port != b->server_port)
        return a->server_port < b->server_port ? -1 : 1;
    c = ps_addr_compare(a->client_addr, b->client_addr, 16);
    if (c != 0)
        return c;
    if (a->client_port != b->client_port)
        return a->client_port < b->client_port ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The flows of the view, one conv each; NULL when out of memory (or no flows: *n == 0). */
static struct conv *convs_of(const struct report *r, size_t *n)
{
    struct conv *convs = calloc(r->n_flows ? r->n_flows : 1, sizeof(*convs));

    *n = 0;
    if (convs == NULL)
        return NULL;
    for (size_t i = 0; i < r->n_flows; i++) {
        const struct report_flow *rf = &r->flows[i];
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);
        struct conv *cv = &convs[i];
        uint8_t c = rf->client;

        memcpy(cv->client_addr, f->key.addr[c], 16);
        memcpy(cv->server_addr, f->key.addr[!c], 16);
        cv->family = f->key.family;
        cv->proto = f->key.proto;
        cv->conn_state = rf->conn_state;
        cv->client_port = f->key.port[c];
        cv->server_port = f->key.port[!c];
        cv->row = (uint32_t)i;
        if (ipproto_has_ports(f->key.proto))
            cv->bits |= CONV_PORTS;
        if (f->packets[0] == 0 || f->packets[1] == 0)
            cv->bits |= CONV_ONE_SIDED;
        if (f->quality & FLOW_Q_MIDSTREAM)
            cv->bits |= CONV_MIDSTREAM;
        if (ipproto_has_ports(f->key.proto)) {
            const char *alias, *service = report_flow_service(r, rf, f, &alias);
            struct report_app app;

            if (report_flow_app(r, rf, f, service, &app)) {
                cv->app = app.proto;
                cv->bits |= app.mismatch ? CONV_MISMATCH : 0;
            }
        }
        if (f->icmp_errors != 0) {
            uint64_t errors = 0;

            for (uint32_t ref = f->icmp_errors; ref != 0;) {
                const struct flow_icmp_error *err = flow_table_icmp_error(r->table, ref);

                errors += err->packets;
                ref = err->next;
            }
            cv->bits |= CONV_ICMP_ERROR | (f->packets[!c] <= errors ? CONV_ONLY_ERROR : 0);
        }
    }
    *n = r->n_flows;
    return convs;
}

int explain_cmp_host(const void *pa, const void *pb)
{
    const struct host *a = pa, *b = pb;

    return cmp_addr(a->family, a->addr, b->family, b->addr);
}

/* Endpoint k of the flows: flow k / 2's client (k even) or server (k odd). */
static const uint8_t *endpoint_addr(const struct conv *convs, size_t k)
{
    return k % 2 == 0 ? convs[k / 2].client_addr : convs[k / 2].server_addr;
}

/*
 * The hosts at either end of any flow, each counted once; 0 when out of memory. A set of them by
 * hash (endpoint + 1 in each slot, at most half full), not a sort of every endpoint: a capture of
 * a million flows has two million of them.
 */
static size_t count_hosts(const struct conv *convs, size_t n)
{
    size_t n_slots = 16, count = 0;
    uint32_t *slots;
    uint64_t secret[2];

    while (n_slots < 4 * n)
        n_slots *= 2;
    if ((slots = calloc(n_slots, sizeof(*slots))) == NULL)
        return 0;
    ps_hash2_secrets(ps_hash_seed(), secret);
    for (size_t k = 0; k < 2 * n; k++) {
        const uint8_t *addr = endpoint_addr(convs, k);
        uint8_t family = convs[k / 2].family;
        uint64_t w[2];
        size_t i;

        memcpy(w, addr, sizeof(w));
        i = ps_hash2(w[0], w[1] ^ family, secret) & (n_slots - 1);
        for (; slots[i] != 0; i = (i + 1) & (n_slots - 1)) {
            size_t other = slots[i] - 1;

            if (convs[other / 2].family == family &&
                memcmp(endpoint_addr(convs, other), addr, 16) == 0)
                break;
        }
        if (slots[i] == 0) {
            slots[i] = (uint32_t)(k + 1);
            count++;
        }
    }
    free(slots);
    return count;
}

/* "0.082 seconds", "4 minutes 10 seconds", "2 hours 5 minutes". */
static void span_text(ps_time first, ps_time last, char *buf, size_t len)
{
    uint64_t ns = (uint64_t)last - (uint64_t)first, s = ns / 1000000000u;

    if (s < 60)
        snprintf(buf, len, "%.3f seconds", (double)ns / 1e9);
    else if (s < 3600)
        snprintf(buf, len, "%" PRIu64 " %s %" PRIu64 " %s", s / 60,
                 explain_plural(s / 60, "minute", "minutes"), s % 60,
                 explain_plural(s % 60, "second", "seconds"));
    else
        snprintf(buf, len, "%" PRIu64 " %s %" PRIu64 " %s", s / 3600,
                 explain_plural(s / 3600, "hour", "hours"), s / 60 % 60,
                 explain_plural(s / 60 % 60, "minute", "minutes"));
}

/* What the capture holds: packets, time, conversations, hosts, and what is in none. */
static void explain_overview(const struct report *r, const struct conv *convs, size_t n,
                             struct output_explanation *e)
{
    const struct analyze_totals *t = &r->totals;
    struct para p = {0};
    ps_time first = 0, last = 0;
    bool any = false, some = false;
    uint64_t skipped = 0;
    char span[64], when[64];
    size_t hosts;

    any = report_time_span(r, &first, &last);
    explain_add(&p, "The capture holds %" PRIu64 " %s", t->packets,
                explain_plural(t->packets, "packet", "packets"));
    if (any) {
        span_text(first, last, span, sizeof(span));
        report_format_time(first, false, when, sizeof(when));
        when[10] = ' ';  /* 2026-11-24 02:35:54 */
        when[19] = '\0'; /* whole seconds */
        explain_add(&p, " over %s, starting %s UTC", span, when);
    }
    hosts = count_hosts(convs, n);
    if (hosts == 0 && n > 0)
        e->failed = true; /* out of memory */
    explain_add(&p, ". %" PRIu64 " of them make up %zu %s (flows) between %zu %s:", t->flow_packets,
                r->n_flows_all, explain_plural(r->n_flows_all, "conversation", "conversations"),
                hosts, explain_plural(hosts, "host", "hosts"));
    for (size_t i = 0; i < 3; i++) {
        static const char *const names[] = {"TCP", "UDP", "other"};
        size_t counts[] = {r->flows_tcp, r->flows_udp, r->flows_other};

        if (counts[i] == 0)
            continue;
        explain_add(&p, "%s %zu %s", some ? "," : "", counts[i], names[i]);
        some = true;
    }
    explain_add(&p, ".");
    some = false;
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        skipped += t->skipped_packets[i];
    if (skipped != 0) {
        explain_add(&p, " %" PRIu64 " %s in no conversation (", skipped,
                    explain_plural(skipped, "packet is", "packets are"));
        for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
            if (t->skipped_packets[i] == 0)
                continue;
            explain_add(&p, "%s%" PRIu64 " %s", some ? ", " : "", t->skipped_packets[i],
                        ps_skip_name((enum ps_skip)i));
            some = true;
        }
        explain_add(&p, "); the totals above say why.");
    }
    if (r->n_flows != r->n_flows_all)
        explain_add(&p, " What follows is about the %zu %s the selection keeps.", r->n_flows,
                    explain_plural(r->n_flows, "conversation", "conversations"));
    explain_push(e, &p, false);
}

int explain_cmp_named_count(const void *pa, const void *pb)
{
    const struct named_count *a = pa, *b = pb;

    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    if (a->name == NULL || b->name == NULL)
        return (a->name == NULL) - (b->name == NULL);
    return strcmp(a->name, b->name);
}

/* "Conversations by service: 5 dns, 2 https and 1 on a port with no registered service." */
static void explain_services(const struct report *r, const struct conv *convs, size_t n,
                             struct output_explanation *e)
{
    struct named_count *counts = calloc(r->n_services + 1, sizeof(*counts));
    struct para p = {0};
    size_t k = 0, unnamed = 0, icmp = 0;

    if (counts == NULL) {
        e->failed = true;
        return;
    }
    for (size_t i = 0; i < r->n_services; i++) {
        const struct report_service *s = &r->services[i];
        const char *name = s->service_alias != NULL ? s->service_alias : s->service;
        size_t j;

        if (name == NULL) {
            unnamed += s->flows;
            continue;
        }
        for (j = 0; j < k && strcmp(counts[j].name, name) != 0; j++)
            ;
        if (j == k)
            counts[k++].name = name;
        counts[j].flows += s->flows;
    }
    for (size_t i = 0; i < n; i++)
        icmp += convs[i].proto == PS_IPPROTO_ICMP || convs[i].proto == PS_IPPROTO_ICMPV6;
    qsort(counts, k, sizeof(*counts), explain_cmp_named_count);
    if (k + unnamed + icmp > 0) {
        explain_add(&p, "Conversations by service:");
        for (size_t i = 0; i < k && i < LIST_MAX; i++)
            explain_add(&p, "%s %" PRIu64 " %s", i ? "," : "", counts[i].flows, counts[i].name);
        if (k > LIST_MAX)
            explain_add(&p, ", %zu more services", k - LIST_MAX);
        if (unnamed)
            explain_add(&p, "%s %zu on %s with no registered service", k ? "," : "", unnamed,
                        explain_plural(unnamed, "a port", "ports"));
        if (icmp)
            explain_add(&p, "%s %zu ICMP (ping and error messages have no ports)",
                        k || unnamed ? "," : "", icmp);
        explain_add(&p, ".");
        explain_push(e, &p, false);
    }
    free(counts);
}

/* "linux, freebsd and solaris": the profiles of a mask. */
static void profiles_text(uint32_t mask, struct para *p)
{
    size_t n = 0, k = 0;

    for (size_t i = 0; i < ports_ephemeral_profile_count; i++)
        n += (mask >> i) & 1u;
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (!((mask >> i) & 1u))
            continue;
        explain_add(p, "%s%s",
                    k == 0       ? ""
                    : k + 1 == n ? " and "
                                 : ", ",
                    ports_ephemeral_profiles[i].name);
        k++;
    }
}

static int cmp_client_flows(const void *pa, const void *pb)
{
    const struct report_client *a = *(const struct report_client *const *)pa;
    const struct report_client *b = *(const struct report_client *const *)pb;

    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    return cmp_addr(a->family, a->addr, b->family, b->addr);
}

/* How the host went from port to port, with the evidence: the lesson "counts up and wraps". */
static void pattern_sentence(const struct report_port_choice *ch, struct para *p)
{
    const char *proto = ipproto_name(ch->proto);

    switch ((enum report_port_pattern)ch->pattern) {
    case REPORT_PORTS_SEQUENTIAL:
        explain_add(p,
                    " Its operating system counted up: %" PRIu32 " of the %" PRIu32
                    " steps from one %s connection's port to the next went up by 1 to %d",
                    ch->steps_up, ch->steps, proto != NULL ? proto : "", REPORT_PORTS_STEP_MAX);
        if (ch->step != 0)
            explain_add(p, " (most often +%u)", (unsigned)ch->step);
        explain_add(p, ".");
        break;
    case REPORT_PORTS_PER_DESTINATION:
        explain_add(p,
                    " It counted up for each destination on its own, as Linux does (RFC 6056): "
                    "%" PRIu32 " of %" PRIu32 " steps between connections to the same server "
                    "went up, while from one server to another the port jumped.",
                    ch->dest_steps_up, ch->dest_steps);
        break;
    case REPORT_PORTS_RANDOM:
        if (ch->steps_up == 0)
            explain_add(p,
                        " Its ports look random: none of the %" PRIu32
                        " steps between connections went up by a little.",
                        ch->steps);
        else
            explain_add(p,
                        " Its ports look random: only %" PRIu32 " of %" PRIu32
                        " steps between connections went up by a little.",
                        ch->steps_up, ch->steps);
        break;
    case REPORT_PORTS_TOO_FEW:
        if (ch->connections > 1)
            explain_add(p, " Too few connections to tell how it picks its ports.");
        break;
    }
    if (ch->wraps > 0) {
        char when[64];

        report_format_time(ch->more->wrap_from_seen, false, when, sizeof(when));
        explain_add(p,
                    " It reached the top of its range and started over: after port %u (%s) came %u",
                    (unsigned)ch->more->wrap_from, when, (unsigned)ch->more->wrap_to);
        if (ch->wraps > 1)
            explain_add(p, ", %" PRIu32 " times in all", ch->wraps);
        explain_add(p, ".");
    }
    if (ch->reused_same_server > 0)
        explain_add(p,
                    " It used %" PRIu32 " %s again for the same server once the connection "
                    "before had closed.",
                    ch->reused_same_server,
                    explain_plural(ch->reused_same_server, "port", "ports"));
    if (ch->reused_other_server > 0)
        explain_add(p, " It used %" PRIu32 " %s with more than one server.",
                    ch->reused_other_server,
                    explain_plural(ch->reused_other_server, "port", "ports"));
}

/* The operating system the initial TTL and the ports hint at, worded as the hint it is. */
static void os_sentence(const struct report_port_choice *ch, struct para *p)
{
    static const char *const names[] = {
        [REPORT_OS_LINUX] = "Linux",
        [REPORT_OS_MACOS] = "macOS",
        [REPORT_OS_LINUX_OR_MACOS] = "Linux or macOS",
        [REPORT_OS_WINDOWS] = "Windows",
        [REPORT_OS_NETWORK_DEVICE] = "a router or other network device",
    };

    if (ch->os_hint == REPORT_OS_UNKNOWN || ch->os_hint >= sizeof(names) / sizeof(names[0])) {
        if (ch->initial_ttl != 0)
            explain_add(p, " Its packets started with a TTL of %u, which alone names no system.",
                        (unsigned)ch->initial_ttl);
        return;
    }
    explain_add(p,
                " Its packets started with a TTL of %u and its ports fit that system's range: "
                "perhaps %s (a hint from the evidence, not a fact).",
                (unsigned)ch->initial_ttl, names[ch->os_hint]);
}

/* One client host: how many ports, in which range, how it went on, and what system it may be. */
static void client_line(const struct report_client *c, struct para *p)
{
    const struct port_range *eph = &c->in_force;
    char addr[64];

    explain_addr(c->family, c->addr, addr);
    explain_add(p, "%s was the client of %" PRIu32 " %s", addr, c->flows,
                explain_plural(c->flows, "conversation", "conversations"));
    if (c->ports == 1)
        explain_add(p, ", always from port %u.", (unsigned)c->port_lo);
    else if (c->ports == c->flows)
        explain_add(p, ", from %" PRIu32 " different ports between %u and %u: a new port for each.",
                    c->ports, (unsigned)c->port_lo, (unsigned)c->port_hi);
    else
        explain_add(p, ", from %" PRIu32 " different ports between %u and %u (some used again).",
                    c->ports, (unsigned)c->port_lo, (unsigned)c->port_hi);
    if (c->in_range == c->flows)
        explain_add(p, " All of them are in the ephemeral range in force");
    else if (c->in_range == 0)
        explain_add(p, " None of them is in the ephemeral range in force");
    else
        explain_add(p, " %" PRIu32 " of the %" PRIu32 " %s in the ephemeral range in force",
                    c->in_range, c->flows, explain_plural(c->in_range, "is", "are"));
    explain_add(p, " (%s%s%u-%u)", eph->name ? eph->name : "", eph->name ? " " : "",
                (unsigned)eph->lo, (unsigned)eph->hi);
    if (c->ephemeral_all == 0) {
        explain_add(p, "; no operating system's range holds them all, so a program or a NAT "
                       "router chose some of them.");
    } else {
        explain_add(p, "; the ranges of ");
        profiles_text(c->ephemeral_all, p);
        explain_add(p, " hold them all.");
    }
    pattern_sentence(&c->choice, p);
    os_sentence(&c->choice, p);
}

static void explain_clients(const struct report *r, struct output_explanation *e)
{
    const struct report_client **order = malloc((r->n_clients + 1) * sizeof(*order));
    struct para p = {0};
    size_t n = r->n_clients, more_flows = 0;

    if (order == NULL) {
        e->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &r->clients[i];
    qsort(order, n, sizeof(*order), cmp_client_flows);
    if (n > 0) {
        explain_add(&p, "A client does not choose its port: its operating system picks a free one "
                        "from its ephemeral range for each new conversation:");
        explain_push(e, &p, false);
    }
    for (size_t i = 0; i < n && i < LIST_MAX; i++) {
        client_line(order[i], &p);
        explain_push(e, &p, true);
    }
    for (size_t i = LIST_MAX; i < n; i++)
        more_flows += order[i]->flows;
    if (n > LIST_MAX) {
        explain_add(&p, "And %zu more client hosts with %zu %s.", n - LIST_MAX, more_flows,
                    explain_plural(more_flows, "conversation", "conversations"));
        explain_push(e, &p, true);
    }
    free(order);
}

int output_explain_build(const struct report *r, struct output_explanation *e)
{
    size_t n, n_groups;
    struct conv *convs;
    struct server_group *groups;

    *e = (struct output_explanation){0};
    convs = convs_of(r, &n);
    if (convs == NULL)
        return -1;
    explain_overview(r, convs, n, e);
    explain_services(r, convs, n, e);
    qsort(convs, n, sizeof(*convs), cmp_by_server);
    groups = explain_server_groups(convs, n, &n_groups);
    if (groups == NULL) {
        e->failed = true;
    } else {
        explain_servers(r, convs, groups, n_groups, e);
        explain_clients(r, e);
        explain_unusual(r, convs, n, groups, n_groups, e);
    }
    free(groups);
    free(convs);
    if (e->failed) {
        output_explain_release(e);
        return -1;
    }
    return 0;
}

void output_explain_release(struct output_explanation *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->paras[i].text);
    free(e->paras);
    *e = (struct output_explanation){0};
}
