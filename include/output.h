/*
 * output.h - the writers: a built report as a JSON document, text or CSV, and the jsonl stream,
 * which writes each flow as it ends instead. Every writer reads the report's view (report.h):
 * which flows, in which order and how many are decided there, once, not by each writer.
 */
#ifndef PS_OUTPUT_H
#define PS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze.h"
#include "flow.h"
#include "report.h"

/* Every writer returns 0 on success, -1 when writing failed (errno says why). */

/* The JSON document, schema version 1 (doc/json-report.md): the flows are r->flows. */
int output_json_write(const struct report *r, FILE *out);

/*
 * The JSON document in two parts around its flows, for a caller that writes the flows from a
 * report_init() report while report_build() makes the rest: the head, up to the flows' key; then
 * the flows (output_json_write_flows()); then the rest from the built report.
 */
int output_json_write_head(const struct report *r, FILE *out);
int output_json_write_flows(const struct report *r, FILE *out);
int output_json_write_rest(const struct report *r, FILE *out);

/*
 * The streaming JSON writer (--format jsonl): one object per line, each with a "type": a header
 * (settings, the inputs' paths), a flow as each one ends, and a summary at the end. The flows are
 * numbered in order of creation; nothing of a flow is kept once its line is written. A flow is
 * written when the report's selection keeps it (report_flow_selected()).
 *
 * Flow lines collect in a buffer of the writer's own and reach `out` in large blocks, before any
 * other line and at the end; output_jsonl_release() hands over what is left on a run that stops
 * before output_jsonl_end().
 */
struct output_jsonl_lines; /* the flow lines' buffer and the writer's caches (output_jsonl.c) */

struct output_jsonl {
    FILE *out;
    struct report report; /* settings, table and time precision, for the writers' shared parts */
    uint64_t flows, tcp, udp, other;  /* every flow that ended */
    uint64_t written;                 /* the flow lines written: the selected flows */
    bool failed;                      /* a write failed: errno says why */
    struct output_jsonl_lines *lines; /* NULL before begin and after end or release */
};

/* 0, or -1 when writing failed or memory ran out (errno says which). */
int output_jsonl_begin(struct output_jsonl *w, FILE *out, const struct report_settings *settings,
                       const struct flow_table *table, const char *const *paths, size_t n_paths);
/* Writes one flow's line: a flow as it ends, taken from the table's queue (flow_table_ended()). */
void output_jsonl_flow(struct output_jsonl *w, const struct flow *f);
/*
 * For a live capture or a terminal, where someone may be reading as flows end: the lines so far go
 * to `out`, and from now on each flow line as soon as it is written, so they wait only in `out`'s
 * own buffer, as the other lines do. A failed write is remembered as output_jsonl_flow()'s are.
 */
void output_jsonl_live(struct output_jsonl *w);
/* A live capture's --interval: a line with the totals so far. 0, or -1 when writing failed. */
int output_jsonl_interval(struct output_jsonl *w, uint64_t snapshot, uint64_t elapsed_ms,
                          const struct analyze_totals *totals);
/* The summary line; 0, or -1 when any write failed. Releases the writer's buffer. */
int output_jsonl_end(struct output_jsonl *w, const struct analyze_input *inputs, size_t n_inputs,
                     const struct analyze_totals *totals);
/*
 * Hands the flow lines still buffered to `out` and frees the buffer, for a run that stops without
 * output_jsonl_end(). Does nothing after output_jsonl_end(), or on a writer zeroed and never begun.
 */
void output_jsonl_release(struct output_jsonl *w);

/* --show: sections of the text report. */
#define OUTPUT_SECTION_SUMMARY  0x1u /* inputs, time span, totals */
#define OUTPUT_SECTION_FLOWS    0x2u
#define OUTPUT_SECTION_SERVICES 0x4u
#define OUTPUT_SECTION_CLIENTS  0x8u
#define OUTPUT_SECTION_ALL      0xfu  /* the default: every section but the explanation */
#define OUTPUT_SECTION_EXPLAIN  0x10u /* --explain: the report in plain sentences */

/* A comma-separated list of section names into OUTPUT_SECTION_* bits; 0, or -1 with err. */
int output_parse_sections(const char *text, unsigned *out, char *err, size_t errlen);

/* How the text report looks: --show, --color. */
struct output_text_style {
    unsigned sections; /* OUTPUT_SECTION_* bits */
    bool color;        /* ANSI colours: section titles and table headings in bold */
};

/* The text report: its flow table lists the view's rows (report_shown()). */
int output_text_write(const struct report *r, const struct output_text_style *style, FILE *out);

/*
 * The text format's --interval snapshot of a live capture: one summary line of the run so far,
 * with the kernel's counters when `stats` is not NULL.
 */
struct capture_stats;
int output_text_snapshot(const struct analyze_input *in, const struct analyze_totals *t,
                         const struct flow_table *table, uint64_t elapsed_ms,
                         const struct capture_stats *stats, FILE *out);

/*
 * The report in plain sentences (--explain): what the capture holds, the servers, how each client
 * host chose its ports, what is unusual. Paragraphs in order; an `item` belongs to the list the
 * paragraph before the first of its kind introduces. Every writer that explains uses these.
 */
struct output_explain_para {
    bool item;
    char *text;
};

struct output_explanation {
    struct output_explain_para *paras;
    size_t n, cap;
    bool failed; /* memory ran out while building */
};

/* Builds the explanation of a built report (report_build()); 0, or -1 when out of memory. */
int output_explain_build(const struct report *r, struct output_explanation *e);
void output_explain_release(struct output_explanation *e);

/* CSV (RFC 4180): a header row, then a row for each of the view's rows (report_shown()). */
int output_csv_write(const struct report *r, FILE *out);

/*
 * Zeek's conn.log (doc/zeek-conn-log.md): its TSV form with Zeek's header lines, or with `json`
 * Zeek's JSON form, an object a line; a line for each selected flow, in first-seen order.
 */
int output_zeek_write(const struct report *r, bool json, FILE *out);

/*
 * The report as one self-contained HTML page (doc/html-report.md): the header and totals, the
 * explanation, the services, a timeline, the client hosts' port plots and the flow table, each
 * picture with a table of its numbers; cut to a few thousand rows on large reports.
 */
int output_html_write(const struct report *r, FILE *out);

/*
 * The parts every page shares, for portscope nat's too: the head (with its Content-Security-
 * Policy, which admits only the page's own style and script) up to <body>; the end, with the
 * script; and the escaping of a string for HTML text or a quoted attribute value.
 */
void output_html_begin(FILE *out, const char *title);
int output_html_end(FILE *out);
void output_html_escape(FILE *out, const char *s);

#endif
