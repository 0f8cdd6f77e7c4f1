/*
 * output_explain_unusual.c - what the explanation points out: refused and unanswered
 * connections, one-sided conversations, TCP connections caught midway, ICMP errors and what they
 * mean, client ports below 1024.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "explain_int.h"
#include "json_writer.h"
#include "output.h"

/* The line the unusual things are listed under, before the first of them. */
static void worth_a_look(bool *first, struct output_explanation *e)
{
    struct para p = {0};

    if (!*first)
        return;
    explain_add(&p, "Worth a look:");
    explain_push(e, &p, false);
    *first = false;
}

static bool is_mismatch(const struct conv *cv)
{
    return (cv->bits & CONV_MISMATCH) != 0;
}

static bool is_refused(const struct conv *cv)
{
    return cv->conn_state == FLOW_CONN_REJ;
}

static bool is_unanswered(const struct conv *cv)
{
    return cv->conn_state == FLOW_CONN_S0 && !(cv->bits & CONV_ICMP_ERROR);
}

static bool is_one_sided(const struct conv *cv)
{
    return (cv->bits & CONV_ONE_SIDED) && !is_refused(cv) && !is_unanswered(cv);
}

static bool is_midstream(const struct conv *cv)
{
    return (cv->bits & CONV_MIDSTREAM) != 0;
}

static bool got_icmp_error(const struct conv *cv)
{
    return (cv->bits & CONV_ICMP_ERROR) != 0;
}

/* One sentence about the flows a predicate picks, when there are any. */
static void unusual_line(const struct conv *convs, const struct server_group *g, size_t n_groups,
                         conv_pred *pred, const char *one, const char *many, const char *why,
                         bool *first, struct output_explanation *e)
{
    struct para p = {0};
    size_t n = explain_examples(convs, g, n_groups, pred, &p, false);

    if (n == 0)
        return;
    worth_a_look(first, e);
    explain_add(&p, "%zu %s %s", n, n == 1 ? one : many, why);
    explain_examples(convs, g, n_groups, pred, &p, true);
    explain_add(&p, ".");
    explain_push(e, &p, true);
}

/*
 * The flows whose bytes are not what their port's service speaks, by server port: "2
 * conversations spoke another protocol than their port's service: port 443 (https), traffic is
 * SSH (1, to 198.51.100.1:443/tcp); ...".
 */
static void mismatches(const struct report *r, const struct conv *convs,
                       const struct server_group *g, size_t n_groups, bool *first,
                       struct output_explanation *e)
{
    struct para p = {0};
    size_t n = explain_examples(convs, g, n_groups, is_mismatch, &p, false), shown = 0;
    char where[96];

    if (n == 0)
        return;
    worth_a_look(first, e);
    explain_add(&p,
                "%zu %s another protocol than %s port's service, which is allowed: a port "
                "number is only a convention",
                n, explain_plural(n, "conversation spoke", "conversations spoke"),
                explain_plural(n, "its", "their"));
    for (size_t i = 0; i < n_groups && shown < EXAMPLES_MAX; i++) {
        const struct conv *cv = NULL;
        struct report_app app;
        struct flow buf;
        const struct flow *f;
        const char *alias, *service;

        if (g[i].mismatches == 0)
            continue;
        for (size_t j = g[i].first; cv == NULL && j < g[i].first + g[i].n; j++)
            cv = is_mismatch(&convs[j]) ? &convs[j] : NULL;
        f = report_flow_data(r, &r->flows[cv->row], &buf);
        service = report_flow_service(r, &r->flows[cv->row], f, &alias);
        if (!report_flow_app(r, &r->flows[cv->row], f, service, &app))
            continue;
        explain_endpoint(cv, true, where, sizeof(where));
        explain_add(&p, "%s%s (%zu, to %s)", shown ? "; " : ": ", app.mismatch_text,
                    g[i].mismatches, where);
        shown++;
    }
    explain_add(&p, shown < n ? "; and more." : ".");
    explain_push(e, &p, true);
}

/* What an ICMP error says, for the ones a student meets. */
static const char *icmp_meaning(const char *name)
{
    static const struct {
        const char *name, *meaning;
    } meanings[] = {
        {"port-unreachable", "no program listened on that port"},
        {"host-unreachable", "no host answered at that address"},
        {"address-unreachable", "no host answered at that address"},
        {"net-unreachable", "no route led to that network"},
        {"no-route", "no route led to that network"},
        {"admin-prohibited", "a firewall refused it"},
        {"host-prohibited", "a firewall refused it"},
        {"net-prohibited", "a firewall refused it"},
        {"ttl-exceeded", "the packet's time to live ran out on the way, as traceroute makes it"},
        {"hop-limit-exceeded", "the packet's hop limit ran out on the way, as traceroute makes it"},
        {"fragmentation-needed", "a link on the path needs smaller packets"},
        {"packet-too-big", "a link on the path needs smaller packets"},
    };

    for (size_t i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
        if (strcmp(meanings[i].name, name) == 0)
            return meanings[i].meaning;
    return NULL;
}

/* The ICMP errors flows got, by kind: "port-unreachable (no program listened on that port)". */
static void icmp_error_kinds(const struct report *r, const struct conv *convs, size_t n,
                             struct para *p)
{
    struct named_count kinds[16];
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        struct flow buf;
        const struct flow *f;

        if (!got_icmp_error(&convs[i]))
            continue;
        f = report_flow_data(r, &r->flows[convs[i].row], &buf);
        for (uint32_t ref = f->icmp_errors; ref != 0;) {
            const struct flow_icmp_error *err = flow_table_icmp_error(r->table, ref);
            const char *name = report_icmp_name(err->family, err->type, err->code);
            size_t j;

            name = name != NULL ? name : "error";
            for (j = 0; j < k && strcmp(kinds[j].name, name) != 0; j++)
                ;
            if (j == k && k < sizeof(kinds) / sizeof(kinds[0]))
                kinds[k++] = (struct named_count){.name = name};
            if (j < k)
                kinds[j].flows += err->packets;
            ref = err->next;
        }
    }
    qsort(kinds, k, sizeof(*kinds), explain_cmp_named_count);
    for (size_t j = 0; j < k; j++) {
        const char *meaning = icmp_meaning(kinds[j].name);

        explain_add(p, "%s%" PRIu64 " %s",
                    j == 0       ? " The errors: "
                    : j + 1 == k ? " and "
                                 : ", ",
                    kinds[j].flows, kinds[j].name);
        if (meaning != NULL)
            explain_add(p, " (%s)", meaning);
    }
    if (k > 0)
        explain_add(p, ".");
}

/* Clients that used a port below 1024, which servers usually have. */
static void low_client_ports(const struct conv *convs, size_t n, bool *first,
                             struct output_explanation *e)
{
    struct para p = {0};
    size_t count = 0, shown = 0;
    char client[96], server[96];

    for (size_t i = 0; i < n; i++)
        count += (convs[i].bits & CONV_PORTS) && convs[i].client_port < 1024;
    if (count == 0)
        return;
    worth_a_look(first, e);
    explain_add(&p,
                "%zu %s a client port below 1024, where servers usually are; some protocols "
                "(NTP, DHCP, DNS between servers) use such ports on both ends",
                count, explain_plural(count, "conversation used", "conversations used"));
    for (size_t i = 0; i < n && shown < EXAMPLES_MAX; i++) {
        if (!(convs[i].bits & CONV_PORTS) || convs[i].client_port >= 1024)
            continue;
        explain_endpoint(&convs[i], false, client, sizeof(client));
        explain_endpoint(&convs[i], true, server, sizeof(server));
        explain_add(&p, "%s%s to %s", shown ? ", " : ": ", client, server);
        shown++;
    }
    if (count > shown)
        explain_add(&p, " and %zu more", count - shown);
    explain_add(&p, ".");
    explain_push(e, &p, true);
}

void explain_unusual(const struct report *r, const struct conv *convs, size_t n,
                     const struct server_group *g, size_t n_groups, struct output_explanation *e)
{
    bool first = true;
    struct para p = {0};
    size_t errors;

    unusual_line(convs, g, n_groups, is_refused, "connection attempt was",
                 "connection attempts were",
                 "refused: the server answered the SYN with a reset (REJ), so no program listened "
                 "on the port",
                 &first, e);
    unusual_line(convs, g, n_groups, is_unanswered, "connection attempt", "connection attempts",
                 "got no answer at all (S0): a firewall may have dropped them, or no host had the "
                 "address",
                 &first, e);
    unusual_line(convs, g, n_groups, is_one_sided, "conversation is", "conversations are",
                 "one-sided: the capture has its packets in one direction only", &first, e);
    mismatches(r, convs, g, n_groups, &first, e);
    unusual_line(convs, g, n_groups, is_midstream, "TCP connection", "TCP connections",
                 "began before the capture did (no SYN seen), so client and server were told "
                 "apart by weaker evidence",
                 &first, e);
    errors = explain_examples(convs, g, n_groups, got_icmp_error, &p, false);
    if (errors > 0) {
        worth_a_look(&first, e);
        explain_add(&p, "%zu %s an ICMP error back", errors,
                    explain_plural(errors, "conversation got", "conversations got"));
        explain_examples(convs, g, n_groups, got_icmp_error, &p, true);
        explain_add(&p, ".");
        icmp_error_kinds(r, convs, n, &p);
        explain_push(e, &p, true);
    }
    low_client_ports(convs, n, &first, e);
}
