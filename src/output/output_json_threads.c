/*
 * output_json_threads.c - the JSON document's arrays of flows and of client hosts, each written on
 * two threads when the settings allow and there are more than a run's worth of items; and, for a
 * report_init() report, each flow's row made as it is written and handed to the gathering of
 * services and client hosts.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "output_int.h"

/*
 * The document's flows (or client hosts) on two threads: a helper writes every other run of
 * FLOWS_PER_RUN items into memory, and the calling thread writes those out in their turn between
 * its own runs. The helper has two buffers, so that it writes one run while the other waits to go
 * out: at most three runs' text is held at once. The helper's writer has caches of its own; what
 * is written does not depend on them. A run of 128 flows is about 200 KB of text, which stays in
 * the cache from its writing to its copying out (runs of 512 took 6% longer, of 2048 10%); a
 * client host's object is about as long as a flow's.
 */
#define FLOWS_PER_RUN 128

struct helper_run {
    char *text;
    size_t len, size;
    bool ready; /* written by the helper, not yet out */
};

struct flows_helper {
    const struct report *r;
    enum output_json_table table;
    size_t n; /* items */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct helper_run runs[2];
    bool stop;   /* the calling thread gave up: its output failed */
    bool failed; /* the helper ran out of memory */
    struct jw_writer w;
    struct jw_name_entry names[1 << JW_NAME_CACHE_BITS];
};

/* Flow `i`: the report's row, or without rows (report_init()) the table's flow with its row made
 * here, as report_build() makes it for flows in the table's order. */
static void get_flow(const struct report *r, size_t i, struct report_flow *own,
                     const struct report_flow **rf, struct flow *flow, const struct flow **f)
{
    if (r->flows != NULL) {
        *rf = &r->flows[i];
        *f = report_flow_data(r, *rf, flow);
    } else {
        *f = flow_table_get(r->table, i, flow);
        report_flow_init(own, (uint32_t)i, *f, &r->settings);
        own->id = (*f)->id + 1;
        own->follows = (*f)->prev;
        *rf = own;
    }
}

/* Flows fetched ahead of the one written: a stored flow's record is read from wherever the store
 * put it. */
#define FLOWS_AHEAD 8

/* Flows `from` to `to`, two at a time: their Community IDs' SHA-1 blocks are hashed together. */
static void put_flows(struct jw_writer *w, const struct report *r, size_t from, size_t to)
{
    struct report_gather_item items[FLOWS_PER_RUN];
    size_t n_items = 0;

    for (size_t i = from; i < to; i += 2) {
        struct report_flow own[2];
        const struct report_flow *rf[2];
        const struct flow *f[2];
        struct flow flow[2];
        char cid[2][REPORT_COMMUNITY_ID_LEN];
        size_t n = to - i < 2 ? to - i : 2;

        if (r->flows == NULL) {
            flow_table_prefetch_kept(r->table, i + FLOWS_AHEAD);
            flow_table_prefetch_kept(r->table, i + FLOWS_AHEAD + 1);
        }
        for (size_t k = 0; k < n; k++)
            get_flow(r, i + k, &own[k], &rf[k], &flow[k], &f[k]);
        if (n == 2)
            report_flow_community_id2(f[0], f[1], r->settings.community_id_seed,
                                      r->settings.community_id_hex, cid);
        else
            report_flow_community_id(f[0], r->settings.community_id_seed,
                                     r->settings.community_id_hex, cid[0]);
        for (size_t k = 0; k < n; k++) {
            if (i + k == 0)
                JW_PUT_LITERAL(w, "[\n    ");
            else
                JW_PUT_LITERAL(w, ",\n    ");
            output_json_put_flow(w, r, rf[k], f[k], rf[k]->id, NULL, cid[k]);
            if (r->gathering != NULL && ipproto_has_ports(f[k]->key.proto)) {
                report_gather_item(&items[n_items++], rf[k], f[k]);
                if (n_items == FLOWS_PER_RUN) {
                    report_gathering_add(r->gathering, items, n_items);
                    n_items = 0;
                }
            }
        }
    }
    if (n_items > 0)
        report_gathering_add(r->gathering, items, n_items);
}

/* Client hosts `from` to `to`. */
static void put_clients(struct jw_writer *w, const struct report *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (i == 0)
            JW_PUT_LITERAL(w, "[\n    ");
        else
            JW_PUT_LITERAL(w, ",\n    ");
        output_json_put_client(w, &r->clients[i]);
    }
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Run `run` of the array of `table`, which has `n` items. */
static void put_run(struct jw_writer *w, const struct report *r, enum output_json_table table,
                    size_t run, size_t n)
{
    size_t from = run * FLOWS_PER_RUN, to = min_size((run + 1) * FLOWS_PER_RUN, n);

    if (table == OUTPUT_JSON_FLOWS)
        put_flows(w, r, from, to);
    else
        put_clients(w, r, from, to);
}

/* The helper writes runs 1, 3, 5 and so on; its j-th run goes into buffer j % 2. */
static void *write_odd_runs(void *arg)
{
    struct flows_helper *h = arg;
    size_t n = h->n;

    for (size_t run = 1; run * FLOWS_PER_RUN < n; run += 2) {
        struct helper_run *b = &h->runs[run / 2 % 2];
        bool failed, stop;

        pthread_mutex_lock(&h->lock);
        while (b->ready && !h->stop)
            pthread_cond_wait(&h->changed, &h->lock);
        stop = h->stop;
        pthread_mutex_unlock(&h->lock);
        if (stop)
            break;
        jw_use_buffer(&h->w, b->text, b->size);
        put_run(&h->w, h->r, h->table, run, n);
        failed = h->w.failed;
        pthread_mutex_lock(&h->lock);
        b->text = h->w.buf;
        b->size = (size_t)(h->w.end - h->w.buf);
        b->len = (size_t)(h->w.p - h->w.buf);
        b->ready = true;
        h->failed |= failed;
        pthread_cond_broadcast(&h->changed);
        pthread_mutex_unlock(&h->lock);
        if (failed)
            break;
    }
    return NULL;
}

/* Writes out the helper's run `run`, after what `w` holds; -1 when that cannot be done. */
static int put_helper_run(struct jw_writer *w, struct flows_helper *h, size_t run)
{
    struct helper_run *b = &h->runs[run / 2 % 2];
    bool failed;

    if (jw_flush(w) != 0)
        return -1;
    pthread_mutex_lock(&h->lock);
    while (!b->ready && !h->failed)
        pthread_cond_wait(&h->changed, &h->lock);
    failed = h->failed;
    pthread_mutex_unlock(&h->lock);
    if (failed) {
        w->failed = true;
        errno = ENOMEM;
        return -1;
    }
    if (fwrite(b->text, 1, b->len, w->out) != b->len) {
        w->failed = true;
        return -1;
    }
    pthread_mutex_lock(&h->lock);
    b->ready = false;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

/* Starts the helper; false when it cannot be had (the caller writes every flow itself). */
static bool helper_start(struct flows_helper *h, const struct report *r,
                         enum output_json_table table, size_t n, pthread_t *thread)
{
    memset(h, 0, sizeof(*h));
    h->r = r;
    h->table = table;
    h->n = n;
    for (int i = 0; i < 2; i++) {
        h->runs[i].size = JW_DOCUMENT_BUFFER;
        h->runs[i].text = malloc(JW_DOCUMENT_BUFFER);
    }
    jw_init(&h->w, NULL, h->runs[0].text, JW_DOCUMENT_BUFFER, &output_json_document_layout,
            r->nanosecond);
    h->w.names = h->names;
    if (h->runs[0].text != NULL && h->runs[1].text != NULL &&
        pthread_mutex_init(&h->lock, NULL) == 0) {
        if (pthread_cond_init(&h->changed, NULL) == 0) {
            if (pthread_create(thread, NULL, write_odd_runs, h) == 0)
                return true;
            pthread_cond_destroy(&h->changed);
        }
        pthread_mutex_destroy(&h->lock);
    }
    free(h->runs[0].text);
    free(h->runs[1].text);
    return false;
}

static void helper_end(struct flows_helper *h, pthread_t thread)
{
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&h->changed);
    pthread_mutex_destroy(&h->lock);
    free(h->runs[0].text);
    free(h->runs[1].text);
}

void output_json_put_items(struct jw_writer *w, const struct report *r,
                           enum output_json_table table)
{
    size_t n = table == OUTPUT_JSON_FLOWS ? r->n_flows : r->n_clients;
    struct flows_helper *h = NULL;
    pthread_t thread;

    if (r->settings.threads > 1 && n > FLOWS_PER_RUN && (h = malloc(sizeof(*h))) != NULL &&
        !helper_start(h, r, table, n, &thread)) {
        free(h);
        h = NULL;
    }
    for (size_t run = 0; run * FLOWS_PER_RUN < n && !w->failed; run++) {
        if (h != NULL && run % 2 == 1)
            put_helper_run(w, h, run);
        else
            put_run(w, r, table, run, n);
    }
    if (h != NULL) {
        int saved = errno; /* why the output failed, if it did */

        helper_end(h, thread);
        free(h);
        errno = saved;
    }
}
