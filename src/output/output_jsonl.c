/*
 * output_jsonl.c - the jsonl stream (--format jsonl): a header line, a line per flow as each one
 * ends, the selected ones only, and a summary line; the flow lines are written with the fast
 * writer (output_json_flows.c), the others with jansson.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "output_int.h"

/*
 * The jsonl writer's flow lines: one writer for all of them, so that its caches serve every line
 * and the lines go out in large blocks, as the document's flows do. The names it caches stay put
 * while it lives: they come from the program's tables and the --services registry, which outlive
 * the run.
 */
struct output_jsonl_lines {
    struct jw_writer w;
    bool live; /* each line goes out as soon as it is written (output_jsonl_live()) */
    struct jw_name_entry names[1 << JW_NAME_CACHE_BITS];
    char buf[JW_DOCUMENT_BUFFER];
};

/* One object on one line: the jsonl framing. Releases `v`; returns -1 when writing failed. */
static int emit_line(FILE *out, json_t *v)
{
    char *text;
    int rc;

    if (v == NULL)
        return -1;
    text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(v);
    if (text == NULL)
        return -1;
    rc = fputs(text, out) == EOF || fputc('\n', out) == EOF ? -1 : 0;
    free(text);
    return rc;
}

/* An object whose first member is its "type", then the members of `body` (released). */
static json_t *typed(const char *type, json_t *body)
{
    json_t *o = json_pack("{s:s}", "type", type);

    if (o == NULL || body == NULL || json_object_update(o, body) != 0) {
        json_decref(o);
        o = NULL;
    }
    json_decref(body);
    return o;
}

int output_jsonl_begin(struct output_jsonl *w, FILE *out, const struct report_settings *settings,
                       const struct flow_table *table, const char *const *paths, size_t n_paths)
{
    json_t *list;

    memset(w, 0, sizeof(*w));
    w->out = out;
    w->report.settings = *settings;
    w->report.table = table;
    w->lines = calloc(1, sizeof(*w->lines));
    if (w->lines == NULL) {
        w->failed = true;
        return -1;
    }
    jw_init(&w->lines->w, out, w->lines->buf, sizeof(w->lines->buf), &output_json_compact_layout,
            false);
    w->lines->w.names = w->lines->names;
    list = json_array();
    for (size_t i = 0; list != NULL && i < n_paths; i++)
        json_array_append_new(list, output_text_value(paths[i]));
    if (emit_line(out, typed("header",
                             json_pack("{s:i, s:o, s:o, s:o}", "schema_version",
                                       OUTPUT_JSON_SCHEMA_VERSION, "generator",
                                       output_generator_value(), "settings",
                                       output_settings_value(&w->report), "inputs", list))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}

void output_jsonl_flow(struct output_jsonl *w, const struct flow *f)
{
    struct report_flow rf;
    struct jw_writer *line;

    if (w->failed)
        return;
    report_flow_init(&rf, f->id, f, &w->report.settings);
    /* In a stream flows are numbered in order of creation, and name their predecessor so. */
    rf.follows = f->prev;
    w->flows++;
    if (f->key.proto == PS_IPPROTO_TCP)
        w->tcp++;
    else if (f->key.proto == PS_IPPROTO_UDP)
        w->udp++;
    else
        w->other++;
    /* As in the report: the selection narrows the flows shown, the counts cover them all. */
    if (!report_flow_selected(&w->report, &rf, f))
        return;
    line = &w->lines->w;
    /* An input read since the last line may have brought nanosecond timestamps. */
    line->nanosecond = w->report.nanosecond;
    /* Not from the table: this flow is leaving it. */
    output_json_put_flow(line, &w->report, &rf, f, (size_t)f->id + 1, "flow", NULL);
    *jw_room(line, 1) = '\n';
    line->p++;
    if (w->lines->live)
        jw_flush(line);
    if (line->failed)
        w->failed = true;
    w->written++;
}

/* The flow lines buffered so far go to the FILE: before a line written another way, and at the
 * end. */
static void hand_over_lines(struct output_jsonl *w)
{
    if (w->lines != NULL && jw_flush(&w->lines->w) != 0)
        w->failed = true;
}

void output_jsonl_live(struct output_jsonl *w)
{
    hand_over_lines(w);
    if (w->lines != NULL)
        w->lines->live = true;
}

void output_jsonl_release(struct output_jsonl *w)
{
    hand_over_lines(w);
    free(w->lines);
    w->lines = NULL;
}

int output_jsonl_interval(struct output_jsonl *w, uint64_t snapshot, uint64_t elapsed_ms,
                          const struct analyze_totals *totals)
{
    hand_over_lines(w);
    if (!w->failed &&
        (emit_line(w->out,
                   typed("interval",
                         json_pack("{s:I, s:I, s:I, s:I, s:I}", "snapshot", (json_int_t)snapshot,
                                   "elapsed_ms", (json_int_t)elapsed_ms, "packets",
                                   (json_int_t)totals->packets, "bytes", (json_int_t)totals->bytes,
                                   "flows_written", (json_int_t)w->written))) != 0 ||
         fflush(w->out) != 0))
        w->failed = true;
    return w->failed ? -1 : 0;
}

int output_jsonl_end(struct output_jsonl *w, const struct analyze_input *inputs, size_t n_inputs,
                     const struct analyze_totals *totals)
{
    json_t *list;
    struct report *r = &w->report;

    output_jsonl_release(w);
    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->n_flows = r->n_flows_all = (size_t)w->flows;
    r->flows_tcp = (size_t)w->tcp;
    r->flows_udp = (size_t)w->udp;
    r->flows_other = (size_t)w->other;
    if (w->failed)
        return -1;
    list = json_array();
    for (size_t i = 0; list != NULL && i < n_inputs; i++)
        json_array_append_new(list, output_input_value(r, &inputs[i]));
    if (emit_line(w->out, typed("summary", json_pack("{s:o, s:o}", "inputs", list, "summary",
                                                     output_summary_value(r)))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}
