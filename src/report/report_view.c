/*
 * report_view.c - what the report shows, decided once for every writer: the flows the selection
 * keeps, and the rows of the text flow table and the CSV among them, in --sort order and cut to
 * --top.
 */
#include <stdlib.h>

#include "report_int.h"

bool report_flow_selected(const struct report *r, const struct report_flow *rf,
                          const struct flow *f)
{
    const struct report_select *s = r->settings.select;
    const struct flow_key *k = &f->key;
    bool ports = ipproto_has_ports(k->proto);
    bool ok;
    size_t i;

    if (s == NULL || !report_select_active(s))
        return true;
    if (s->n_services > 0) {
        const char *alias, *service = report_flow_service(r, rf, f, &alias);

        for (i = 0, ok = false; !ok && i < s->n_services; i++)
            ok = report_service_matches(s->services[i], service, alias);
        if (!ok)
            return false;
    }
    for (i = 0, ok = s->n_ports == 0; !ok && i < s->n_ports; i++)
        ok = ports && (k->port[0] == s->ports[i] || k->port[1] == s->ports[i]);
    if (!ok)
        return false;
    for (i = 0, ok = s->n_hosts == 0; !ok && i < s->n_hosts; i++)
        ok = report_host_matches(&s->hosts[i], k->family, k->addr[0]) ||
             report_host_matches(&s->hosts[i], k->family, k->addr[1]);
    return ok;
}

static uint64_t sort_value(const struct flow *f, enum report_sort sort)
{
    switch (sort) {
    case REPORT_SORT_PACKETS:
        return f->packets[0] + f->packets[1];
    case REPORT_SORT_BYTES:
        return f->bytes[0] + f->bytes[1];
    case REPORT_SORT_DURATION:
        return (uint64_t)f->last_seen - (uint64_t)f->first_seen;
    case REPORT_SORT_START:
        break;
    }
    return 0;
}

/*
 * qsort() is not stable: sorting (value, index) pairs keeps ties in first-seen order. The values
 * are taken once per flow, as getting a flow from the table may mean decoding it.
 */
struct keyed {
    uint64_t value;
    size_t index;
};

static int compare_keyed(const void *a, const void *b)
{
    const struct keyed *ka = a, *kb = b;

    if (ka->value != kb->value)
        return ka->value > kb->value ? -1 : 1;
    return ka->index < kb->index ? -1 : ka->index > kb->index;
}

int report_view_order(struct report *r)
{
    size_t n = r->n_flows, top = r->settings.top;
    struct keyed *keyed;

    free(r->order);
    r->order = NULL;
    r->n_shown = top != 0 && top < n ? top : n;
    /* First-seen order is the rows' own: no indices to keep. */
    if (r->settings.sort == REPORT_SORT_START)
        return 0;
    r->order = malloc((n ? n : 1) * sizeof(*r->order));
    keyed = malloc((n ? n : 1) * sizeof(*keyed));
    if (r->order == NULL || keyed == NULL) {
        free(keyed);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct flow buf;

        keyed[i].value = sort_value(report_flow_data(r, &r->flows[i], &buf), r->settings.sort);
        keyed[i].index = i;
    }
    qsort(keyed, n, sizeof(*keyed), compare_keyed);
    for (size_t i = 0; i < n; i++)
        r->order[i] = (uint32_t)keyed[i].index;
    free(keyed);
    return 0;
}

int report_view_build(struct report *r, const uint8_t *selected)
{
    if (selected != NULL) {
        size_t kept = 0;

        for (size_t i = 0; i < r->n_flows; i++) {
            uint32_t k = r->flows[i].flow;

            if (selected[k / 8] & (1u << (k % 8)))
                r->flows[kept++] = r->flows[i];
        }
        r->n_flows = kept;
    }
    return report_view_order(r);
}
