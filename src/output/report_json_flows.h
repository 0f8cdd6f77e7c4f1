/*
 * report_json_flows.h - the JSON report's flows, services and client hosts, written with the fast
 * writer (json_writer.h) rather than built as jansson values: for the document and the jsonl
 * stream (report_json.c).
 */
#ifndef PS_REPORT_JSON_FLOWS_H
#define PS_REPORT_JSON_FLOWS_H

#include <stdio.h>

#include "json_writer.h"
#include "report.h"

/* The form of a jsonl line, for the writer of the jsonl stream's flow lines. */
extern const struct layout report_json_compact_layout;

/*
 * One flow's object: `rf` of report `r`, whose flow is `f` (got from the table, or handed over by
 * a stream); `type` puts a "type" member first (jsonl lines), or is NULL.
 */
void report_json_put_flow(struct writer *w, const struct report *r, const struct report_flow *rf,
                          const struct flow *f, size_t id, const char *type);

enum table { TABLE_FLOWS, TABLE_SERVICES, TABLE_CLIENTS };

/* The array of flows, services or client hosts, a member of the document: its items at depth 2. */
int report_json_emit_table(FILE *out, const struct report *r, enum table table);

#endif
