/*
 * output_explain_servers.c - the explanation's servers: the flows grouped by server port
 * (address, protocol, port), or by port across servers when there are many, and the examples
 * other sentences give of where flows went.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "explain_int.h"
#include "json_writer.h"
#include "output.h"

static bool same_server(const struct conv *a, const struct conv *b)
{
    return a->family == b->family && a->proto == b->proto && a->server_port == b->server_port &&
           memcmp(a->server_addr, b->server_addr, 16) == 0;
}

static bool answered(const struct conv *cv)
{
    return cv->conn_state != FLOW_CONN_REJ && cv->conn_state != FLOW_CONN_S0 &&
           !(cv->bits & (CONV_ONE_SIDED | CONV_ONLY_ERROR));
}

static int cmp_group_size(const void *pa, const void *pb)
{
    const struct server_group *a = pa, *b = pb;

    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* The server groups of convs sorted by server (only protocols with ports); NULL, *n 0 if none. */
struct server_group *explain_server_groups(const struct conv *convs, size_t n, size_t *n_groups)
{
    struct server_group *g = calloc(n + 1, sizeof(*g));
    size_t k = 0;

    *n_groups = 0;
    if (g == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct conv *cv = &convs[i];
        struct server_group *cur = &g[k > 0 ? k - 1 : 0];

        if (!(cv->bits & CONV_PORTS))
            continue;
        if (k == 0 || !same_server(&convs[cur->first], cv)) {
            cur = &g[k++];
            *cur = (struct server_group){
                .first = i, .lo = cv->client_port, .hi = cv->client_port, .app = APP_NONE};
        }
        if (cur->n == 0 || memcmp(convs[i - 1].client_addr, cv->client_addr, 16) != 0)
            cur->clients++;
        cur->n++;
        cur->answered += answered(cv);
        cur->mismatches += (cv->bits & CONV_MISMATCH) != 0;
        if (cv->app != APP_NONE && cur->app != cv->app)
            cur->app = cur->app == APP_NONE ? cv->app : GROUP_APP_MIXED;
        if (cv->client_port < cur->lo)
            cur->lo = cv->client_port;
        if (cv->client_port > cur->hi)
            cur->hi = cv->client_port;
    }
    qsort(g, k, sizeof(*g), cmp_group_size);
    *n_groups = k;
    return g;
}

/* "a well-known port", with the service when the port has one. */
static void server_port_line(const struct report *r, const struct conv *cv, struct para *p)
{
    const char *service = explain_service(r, cv->proto, cv->server_port);
    const char *cls = ports_class_name(ports_class(cv->server_port));
    char addr[64], port[32];

    explain_addr(cv->family, cv->server_addr, addr);
    explain_port(cv->proto, cv->server_port, true, port, sizeof(port));
    if (service != NULL)
        explain_add(p, "%s offered %s on port %s (a %s port)", addr, service, port, cls);
    else
        explain_add(p, "%s answered on port %s, a %s port with no registered service", addr, port,
                    cls);
}

_Static_assert(APP__COUNT <= 32, "a bit per protocol in what_it_spoke()");

/* What the bytes showed the server speak, against what its port's service says it should. */
static void what_it_spoke(const struct report *r, const struct conv *convs,
                          const struct server_group *sg, struct para *p)
{
    const struct conv *cv = &convs[sg->first];
    const char *service = explain_service(r, cv->proto, cv->server_port);

    if (sg->app == APP_NONE)
        return;
    if (sg->app == GROUP_APP_MIXED) {
        /* Each protocol once, in the order first seen: a bit per protocol. */
        uint32_t seen = 0;

        explain_add(p, " Its conversations' bytes show more than one protocol:");
        for (size_t j = sg->first; j < sg->first + sg->n; j++) {
            uint8_t app = convs[j].app;

            if (app == APP_NONE || (seen & (1u << app)))
                continue;
            explain_add(p, "%s %s", seen ? "," : "", decode_app_label(app));
            seen |= 1u << app;
        }
        explain_add(p, ".");
    } else if (sg->mismatches > 0 && service != NULL)
        explain_add(p,
                    " Its bytes show %s, which %s does not speak: a port number is only a "
                    "convention.",
                    decode_app_label(sg->app), service);
    else
        explain_add(p, " Its bytes show %s.", decode_app_label(sg->app));
}

/* A port servers answered on, across every server that did, for captures with many servers. */
struct port_group {
    uint8_t proto;
    uint16_t port;
    size_t servers, flows, clients;
};

struct port_client {
    uint8_t proto;
    uint16_t port;
    struct host client;
};

static int cmp_port_client(const void *pa, const void *pb)
{
    const struct port_client *a = pa, *b = pb;

    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return explain_cmp_host(&a->client, &b->client);
}

static int cmp_port_group(const void *pa, const void *pb)
{
    const struct port_group *a = pa, *b = pb;

    if (a->flows != b->flows)
        return a->flows > b->flows ? -1 : 1;
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    return a->port < b->port ? -1 : a->port > b->port;
}

/*
 * The server ports that answered, by (protocol, port) across servers, the busiest first: what
 * many servers offered ("https on port 443/tcp: 312 servers, 20623 conversations with 9120
 * clients"). NULL when out of memory.
 */
static struct port_group *port_groups(const struct conv *convs, const struct server_group *g,
                                      size_t n_groups, size_t *n_ports)
{
    size_t n = 0, k = 0;
    struct port_client *pc;
    struct port_group *pg;

    for (size_t i = 0; i < n_groups; i++)
        n += g[i].answered;
    pc = malloc((n + 1) * sizeof(*pc));
    pg = calloc(n + 1, sizeof(*pg));
    if (pc == NULL || pg == NULL) {
        free(pc);
        free(pg);
        return NULL;
    }
    n = 0;
    for (size_t i = 0; i < n_groups; i++) {
        for (size_t j = g[i].first; j < g[i].first + g[i].n; j++) {
            if (!answered(&convs[j]))
                continue;
            pc[n].proto = convs[j].proto;
            pc[n].port = convs[j].server_port;
            pc[n].client.family = convs[j].family;
            memcpy(pc[n].client.addr, convs[j].client_addr, 16);
            n++;
        }
    }
    qsort(pc, n, sizeof(*pc), cmp_port_client);
    for (size_t i = 0; i < n; i++) {
        bool new_port = i == 0 || pc[i].proto != pc[i - 1].proto || pc[i].port != pc[i - 1].port;

        if (new_port)
            pg[k++] = (struct port_group){.proto = pc[i].proto, .port = pc[i].port};
        pg[k - 1].flows++;
        pg[k - 1].clients += new_port || explain_cmp_host(&pc[i].client, &pc[i - 1].client) != 0;
    }
    /* pg is in (protocol, port) order here: each server's port is found by bisection. */
    for (size_t i = 0; i < n_groups; i++) {
        const struct conv *cv = &convs[g[i].first];
        size_t lo = 0, hi = k;

        if (g[i].answered == 0)
            continue;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (pg[mid].proto < cv->proto ||
                (pg[mid].proto == cv->proto && pg[mid].port < cv->server_port))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < k && pg[lo].proto == cv->proto && pg[lo].port == cv->server_port)
            pg[lo].servers++;
    }
    free(pc);
    qsort(pg, k, sizeof(*pg), cmp_port_group);
    *n_ports = k;
    return pg;
}

static void servers_intro(struct output_explanation *e)
{
    struct para p = {0};

    explain_add(&p, "Servers wait on a port that clients know in advance. IANA assigns the "
                    "well-known ports (0-1023) and registered ports (1024-49151) to services, but "
                    "a port number is only a convention:");
    explain_push(e, &p, false);
}

/* Many servers: one line per port they answered on, the busiest first. */
static void explain_server_ports(const struct report *r, const struct port_group *pg, size_t k,
                                 struct output_explanation *e)
{
    size_t more_flows = 0;
    struct para p = {0};

    servers_intro(e);
    for (size_t i = 0; i < k && i < LIST_MAX; i++) {
        const char *service = explain_service(r, pg[i].proto, pg[i].port);
        const char *cls = ports_class_name(ports_class(pg[i].port));
        char port[32];

        explain_port(pg[i].proto, pg[i].port, true, port, sizeof(port));
        if (service != NULL)
            explain_add(&p, "%s on port %s (a %s port)", service, port, cls);
        else
            explain_add(&p, "Port %s, a %s port with no registered service", port, cls);
        explain_add(&p, ": %zu %s, %zu %s with %zu %s.", pg[i].servers,
                    explain_plural(pg[i].servers, "server", "servers"), pg[i].flows,
                    explain_plural(pg[i].flows, "conversation", "conversations"), pg[i].clients,
                    explain_plural(pg[i].clients, "client", "clients"));
        explain_push(e, &p, true);
    }
    for (size_t i = LIST_MAX; i < k; i++)
        more_flows += pg[i].flows;
    if (k > LIST_MAX) {
        explain_add(&p, "And %zu more server %s with %zu %s.", k - LIST_MAX,
                    explain_plural(k - LIST_MAX, "port", "ports"), more_flows,
                    explain_plural(more_flows, "conversation", "conversations"));
        explain_push(e, &p, true);
    }
}

/* One line per server port that answered, the busiest first; by port when there are many. */
void explain_servers(const struct report *r, const struct conv *convs, const struct server_group *g,
                     size_t n_groups, struct output_explanation *e)
{
    struct para p = {0};
    size_t servers = 0, ports = 0, shown = 0, more_flows = 0;
    struct port_group *pg = NULL;

    for (size_t i = 0; i < n_groups; i++)
        servers += g[i].answered > 0;
    if (servers == 0)
        return;
    if (servers > LIST_MAX) {
        pg = port_groups(convs, g, n_groups, &ports);
        if (pg == NULL) {
            e->failed = true;
            return;
        }
    }
    /* By port across servers when that says it in fewer lines: many servers of a few ports. */
    if (pg != NULL && ports * 2 <= servers) {
        explain_server_ports(r, pg, ports, e);
        free(pg);
        return;
    }
    free(pg);
    servers_intro(e);
    for (size_t i = 0; i < n_groups; i++) {
        const struct server_group *sg = &g[i];
        const struct conv *cv = &convs[sg->first];
        char client[64];

        if (sg->answered == 0)
            continue;
        if (shown++ == LIST_MAX) {
            shown--;
            more_flows += sg->n;
            continue;
        }
        server_port_line(r, cv, &p);
        explain_add(&p, ": %zu %s", sg->n, explain_plural(sg->n, "conversation", "conversations"));
        if (sg->clients == 1) {
            explain_addr(cv->family, cv->client_addr, client);
            explain_add(&p, "%s %s", sg->n == 1 ? " with" : ", all with", client);
        } else {
            explain_add(&p, " with %zu clients", sg->clients);
        }
        if (sg->lo == sg->hi)
            explain_add(&p, ", from client port %u.", (unsigned)sg->lo);
        else
            explain_add(&p, ", from client ports %u to %u.", (unsigned)sg->lo, (unsigned)sg->hi);
        what_it_spoke(r, convs, sg, &p);
        explain_push(e, &p, true);
    }
    if (servers > shown) {
        explain_add(&p, "And %zu more server %s with %zu %s.", servers - shown,
                    explain_plural(servers - shown, "port", "ports"), more_flows,
                    explain_plural(more_flows, "conversation", "conversations"));
        explain_push(e, &p, true);
    }
}

/* "10.0.0.1:81/tcp", "[2001:db8::1]:53/udp". */
void explain_endpoint(const struct conv *cv, bool server, char *buf, size_t len)
{
    char addr[64], port[32];

    explain_addr(cv->family, server ? cv->server_addr : cv->client_addr, addr);
    explain_port(cv->proto, server ? cv->server_port : cv->client_port, false, port, sizeof(port));
    snprintf(buf, len, cv->family == 6 ? "[%s]:%u/%s" : "%s:%u/%s", addr,
             (unsigned)(server ? cv->server_port : cv->client_port), port);
}

struct group_count {
    size_t group, count;
};

static int cmp_group_count(const void *pa, const void *pb)
{
    const struct group_count *a = pa, *b = pb;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->group < b->group ? -1 : a->group > b->group;
}

/*
 * How many flows match, and the server ports most of them went to: ": 2 to 10.0.0.1:81/tcp, 1 to
 * 10.0.0.3:22/tcp and 3 more". Returns the number of flows that match.
 */
size_t explain_examples(const struct conv *convs, const struct server_group *g, size_t n_groups,
                        conv_pred *pred, struct para *p, bool write)
{
    struct group_count *counts = calloc(n_groups + 1, sizeof(*counts));
    size_t k = 0, total = 0, shown = 0;
    char where[96];

    if (counts == NULL) {
        p->failed = true;
        return 0;
    }
    for (size_t i = 0; i < n_groups; i++) {
        size_t c = 0;

        for (size_t j = g[i].first; j < g[i].first + g[i].n; j++)
            c += pred(&convs[j]);
        if (c > 0)
            counts[k++] = (struct group_count){.group = i, .count = c};
        total += c;
    }
    qsort(counts, k, sizeof(*counts), cmp_group_count);
    for (size_t i = 0; write && i < k && i < EXAMPLES_MAX; i++) {
        bool last = i + 1 == k;

        explain_endpoint(&convs[g[counts[i].group].first], true, where, sizeof(where));
        explain_add(p, "%s%zu to %s",
                    i == 0 ? ": "
                    : last ? " and "
                           : ", ",
                    counts[i].count, where);
        shown += counts[i].count;
    }
    if (write && k > EXAMPLES_MAX)
        explain_add(p, " and %zu to %zu other server %s", total - shown, k - EXAMPLES_MAX,
                    explain_plural(k - EXAMPLES_MAX, "port", "ports"));
    free(counts);
    return total;
}
