/*
 * report.c - builds the report from the flow table: each flow's row (report_roles.c), the flows in
 * the report's order (first seen, then key) with their ids, the services and client hosts
 * (report_gather.c). Nothing here depends on hash order.
 */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Flows fetched ahead of the one made into a row: a stored flow is read from wherever the store
 * put it, a cache miss the row would otherwise wait for. */
#define BUILD_AHEAD 8

/* Field by field, so the order is the same on machines of either byte order. */
/* The report's order of flows: first seen, then key. */
static int compare_flows(const struct flow *a, const struct flow *b)
{
    if (a->first_seen != b->first_seen)
        return a->first_seen < b->first_seen ? -1 : 1;
    return flow_key_compare(&a->key, &b->key);
}

/*
 * Merged inputs: the flows in the report's order. Getting a flow from the table may mean decoding
 * it, so each is got once for its first-seen time, and again only when another flow shares that
 * time and their keys must decide.
 */
struct flow_when {
    ps_time first_seen;
    uint32_t pos; /* in r->flows */
};

struct flow_keyed {
    struct flow_key key;
    uint32_t pos;
};

static int compare_when(const void *a, const void *b)
{
    const struct flow_when *x = a, *y = b;

    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int compare_keyed(const void *a, const void *b)
{
    const struct flow_keyed *x = a, *y = b;
    int c = flow_key_compare(&x->key, &y->key);

    if (c != 0)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Orders a run of flows first seen at the same time by key; `keyed` has room for `n`. */
static void order_by_key(const struct report *r, struct flow_when *run, size_t n,
                         struct flow_keyed *keyed)
{
    for (size_t i = 0; i < n; i++) {
        struct flow buf;

        keyed[i].key = report_flow_data(r, &r->flows[run[i].pos], &buf)->key;
        keyed[i].pos = run[i].pos;
    }
    qsort(keyed, n, sizeof(*keyed), compare_keyed);
    for (size_t i = 0; i < n; i++)
        run[i].pos = keyed[i].pos;
}

static int sort_flows(struct report *r)
{
    size_t n = r->n_flows, room = 0;
    struct flow_when *when = malloc((n ? n : 1) * sizeof(*when));
    struct flow_keyed *keyed = NULL;

    if (when == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct flow buf;

        when[i].first_seen = report_flow_data(r, &r->flows[i], &buf)->first_seen;
        when[i].pos = (uint32_t)i;
    }
    qsort(when, n, sizeof(*when), compare_when);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && when[j].first_seen == when[i].first_seen; j++)
            continue;
        if (j - i < 2)
            continue;
        if (j - i > room) {
            free(keyed);
            room = j - i;
            keyed = malloc(room * sizeof(*keyed));
            if (keyed == NULL) {
                free(when);
                return -1;
            }
        }
        order_by_key(r, when + i, j - i, keyed);
    }
    free(keyed);
    /* In place, a cycle of the permutation at a time: no second array of flows. */
    for (size_t k = 0; k < n; k++) {
        struct report_flow first;
        size_t j = k;

        if (when[k].pos == k)
            continue;
        first = r->flows[k];
        while (when[j].pos != k) {
            size_t from = when[j].pos;

            r->flows[j] = r->flows[from];
            when[j].pos = (uint32_t)j;
            j = from;
        }
        r->flows[j] = first;
        when[j].pos = (uint32_t)j;
    }
    free(when);
    return 0;
}

/*
 * Each flow that took over a key from another names that one by its report id, and gets its own:
 * until here `id` is the flow's creation number + 1, and `follows` its predecessor's.
 */
static int link_follows(struct report *r)
{
    uint32_t *report_id = malloc((r->n_flows ? r->n_flows : 1) * sizeof(*report_id));

    if (report_id == NULL)
        return -1;
    for (size_t i = 0; i < r->n_flows; i++)
        report_id[r->flows[i].id - 1] = (uint32_t)(i + 1);
    for (size_t i = 0; i < r->n_flows; i++) {
        if (r->flows[i].follows != 0)
            r->flows[i].follows = report_id[r->flows[i].follows - 1];
        r->flows[i].id = (uint32_t)(i + 1);
    }
    free(report_id);
    return 0;
}

bool report_time_span(const struct report *r, ps_time *first, ps_time *last)
{
    bool any = false;

    *first = *last = 0;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct analyze_input *in = &r->inputs[i];

        if (in->packets == 0)
            continue;
        if (!any || in->first_seen < *first)
            *first = in->first_seen;
        if (!any || in->last_seen > *last)
            *last = in->last_seen;
        any = true;
    }
    return any;
}

void report_init(struct report *r, const struct analyze_input *inputs, size_t n_inputs,
                 const struct analyze_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table)
{
    memset(r, 0, sizeof(*r));
    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->settings = *settings;
    r->table = table;
    for (size_t i = 0; i < n_inputs; i++)
        r->nanosecond |= inputs[i].nanosecond;
    r->n_flows = r->n_shown = r->n_flows_all = flow_table_count(table);
    r->flows_tcp = flow_table_count_class(table, FLOW_CLASS_TCP);
    r->flows_udp = flow_table_count_class(table, FLOW_CLASS_UDP);
    r->flows_other = r->n_flows_all - r->flows_tcp - r->flows_udp;
}

int report_build(struct report *r, const struct analyze_input *inputs, size_t n_inputs,
                 const struct analyze_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table)
{
    /* The selection narrows what is shown, services and clients included; the flow counts stay. */
    bool selecting = settings->select != NULL && report_select_active(settings->select);
    size_t n = flow_table_count(table);
    bool sorted = true, ids_in_order = true;
    struct report_aggregation *agg = NULL;
    uint8_t *selected = NULL; /* under a selection: a bit per flow, by its number in the table */
    struct flow buf[2];
    const struct flow *prev = NULL;
    int rc;

    report_init(r, inputs, n_inputs, totals, settings, table);
    /* Under --ephemeral auto, each host's range before any flow's role (report_ranges.c). */
    if (port_range_is_auto(&settings->ephemeral) && report_ranges_find(r, table) != 0)
        goto fail;
    if ((r->flows = calloc(n ? n : 1, sizeof(*r->flows))) == NULL)
        goto fail;
    if (selecting && (selected = calloc(n / 8 + 1, 1)) == NULL)
        goto fail;
    if ((agg = report_aggregation_new(r, n)) == NULL)
        goto fail;
    r->n_flows = n;
    /* Each flow is got from the table once here, into one of two buffers so that the one before
     * stays good for the order check. */
    for (size_t i = 0; i < n; i++) {
        struct report_flow *rf = &r->flows[i];
        const struct flow *f;
        bool shown;

        flow_table_prefetch_kept(table, i + BUILD_AHEAD);
        f = flow_table_get(table, i, &buf[i & 1]);

        report_flow_init(rf, (uint32_t)i, f, &r->settings);
        if (prev != NULL && compare_flows(prev, f) > 0)
            sorted = false;
        prev = f;
        ids_in_order &= f->id == i;
        /* The flow's own id + 1, and its predecessor's: the report ids while the report keeps the
         * table's order. */
        rf->id = f->id + 1;
        rf->follows = f->prev;
        shown = !selecting || report_flow_selected(r, rf, f);
        if (selecting && shown)
            selected[i / 8] |= (uint8_t)(1u << (i % 8));
        if (ipproto_has_ports(f->key.proto) && shown) {
            struct report_gather_item it;

            report_gather_item(&it, rf, f);
            if (report_aggregation_add(agg, r, &it) != 0)
                goto fail;
        }
    }
    /* Gathering frees its memory before the sort, which takes room of its own. */
    rc = report_aggregation_end(agg, r);
    agg = NULL;
    if (rc != 0)
        goto fail;
    /* Flows are created in packet order, so one input is already sorted; merged ones may not be. */
    if (!sorted && sort_flows(r) != 0)
        goto fail;
    if ((!sorted || !ids_in_order) && link_follows(r) != 0)
        goto fail;
    if (report_view_build(r, selected) != 0)
        goto fail;
    free(selected);
    return 0;

fail:
    free(selected);
    report_aggregation_free(agg);
    report_release(r);
    return -1;
}

void report_release(struct report *r)
{
    report_ranges_free(r->host_ranges);
    free(r->flows);
    free(r->order);
    free(r->services);
    for (size_t i = 0; i < r->n_clients; i++)
        report_ports_release(&r->clients[i]);
    free(r->clients);
    memset(r, 0, sizeof(*r));
}
