/*
 * output_int.h - what the output module's files share, private to src/output (and to the unit
 * tests that check the writers' parts): the JSON values the document and the jsonl stream both
 * build with jansson, and the flows, services and client hosts both write with the fast writer
 * (json_writer.h) rather than as jansson values.
 */
#ifndef PS_OUTPUT_INT_H
#define PS_OUTPUT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json_writer.h"
#include "output.h"

#define OUTPUT_JSON_SCHEMA_VERSION 1

/* JSON values of the document's head and summary (output_json.c), for the jsonl lines too. */
json_t *output_generator_value(void);
json_t *output_settings_value(const struct report *r);
json_t *output_input_value(const struct report *r, const struct analyze_input *in);
json_t *output_summary_value(const struct report *r);
/* A string from bytes that need not be UTF-8: bytes that are not become U+FFFD. */
json_t *output_text_value(const char *s);

/* The forms of a flow's object (output_json_flows.c): a jsonl line, an item of the document. */
extern const struct jw_layout output_json_compact_layout;
extern const struct jw_layout output_json_document_layout;

/*
 * One flow's object: `rf` of report `r`, whose flow is `f` (got from the table, or handed over by
 * a stream); `type` puts a "type" member first (jsonl lines), or is NULL; `community_id` is the
 * flow's, made beforehand (two flows' at once: report_flow_community_id2()), or NULL to make it.
 */
void output_json_put_flow(struct jw_writer *w, const struct report *r, const struct report_flow *rf,
                          const struct flow *f, size_t id, const char *type,
                          const char *community_id);

/* One client host's object (output_json_flows.c). */
void output_json_put_client(struct jw_writer *w, const struct report_client *c);

enum output_json_table { OUTPUT_JSON_FLOWS, OUTPUT_JSON_SERVICES, OUTPUT_JSON_CLIENTS };

/*
 * The document's array of flows or of client hosts, its items at depth 2, on two threads when the
 * settings allow (output_json_threads.c). The flows: r->flows, or for a report_init() report the
 * table's flows, their rows made here.
 */
void output_json_put_items(struct jw_writer *w, const struct report *r,
                           enum output_json_table table);

/* The array of flows, services or client hosts, a member of the document: its items at depth 2. */
int output_json_emit_table(FILE *out, const struct report *r, enum output_json_table table);

/*
 * Writes one flow's object as output_json_write() does (the document's own indentation aside), or
 * on one line (`compact`) as a jsonl line has it but without its "type"; 0, or -1 when writing
 * failed. The tests compare it with what jansson writes.
 */
int output_json_flow(const struct report *r, const struct report_flow *rf, size_t id, bool compact,
                     FILE *out);

/* Writes one CSV field, quoted when it holds a comma, a quote, CR or LF; `s` may be NULL (empty).
 * The tests check its quoting. */
int output_csv_field(FILE *out, const char *s);

/*
 * The text report's table cells (output_text.c), which the HTML report shows too: the same
 * columns, the same words. Each cell is a string of at most OUTPUT_CELL_SIZE bytes.
 */
#define OUTPUT_CELL_SIZE 96
#define OUTPUT_FLOW_COLS 12
#define OUTPUT_FLOW_HEADERS                                                                        \
    "#", "PROTO", "CLIENT", "EPH", "SERVER", "SERVICE", "APP", "PACKETS c/s", "BYTES c/s",         \
        "DURATION", "STATE", "ROLE BY"
#define OUTPUT_SERVICE_COLS 8
#define OUTPUT_SERVICE_HEADERS                                                                     \
    "PORT", "PROTO", "SERVICE", "CLASS", "FLOWS", "PACKETS", "BYTES", "CLIENTS"
#define OUTPUT_CLIENT_COLS 10
#define OUTPUT_CLIENT_HEADERS                                                                      \
    "CLIENT HOST", "FLOWS", "PORTS", "LOWEST", "HIGHEST", "IN RANGE", "EPHEMERAL RANGES",          \
        "PATTERN", "LIKELY RANGE", "OS HINT"
void output_text_flow_cells(const struct report *r, const struct report_flow *rf,
                            char cells[][OUTPUT_CELL_SIZE]);
void output_text_service_cells(const struct report *r, size_t row, char cells[][OUTPUT_CELL_SIZE]);
void output_text_client_cells(const struct report *r, size_t row, char cells[][OUTPUT_CELL_SIZE]);
/* What the text report says under its flow table of the first `rows` rows of the view: each
 * flow's notes (what it follows, retransmissions, ICMP errors), then the port mismatches. */
void output_text_flow_notes(const struct report *r, size_t rows, FILE *out);
/* "512 B", "1.5 kB", "2.0 MB": sizes in decimal units as the text report writes them. */
void output_human_bytes(uint64_t bytes, char *buf, size_t len);

#endif
