/*
 * expect.h - assertions over the report for CI jobs (--expect, --expect-file).
 *
 * Grammar (doc/portscope.1, EXPECTATIONS), one expectation per --expect or per line of a file:
 *
 *   expectation := COUNTER OP NUMBER
 *                | ["no"] "service" NAME | ["no"] "port" PORT | ["no"] "host" ADDR[/LEN]
 *                | ["no"] "state" CONN_STATE
 *                | ["no"] "app" PROTOCOL ["on" "port" PORT] | ["no"] "port-mismatch"
 *                | "client-ports" "in" (PROFILE | LO-HI)
 *   OP          := "==" | "=" | "!=" | "<" | "<=" | ">" | ">="
 *
 * PROTOCOL is a name decode_app_name() gives (http, tls, ssh, ...), in any case; "on port" is the
 * server's port. "port-mismatch": a flow whose bytes are not what its server port's service
 * speaks (report_flow_app()).
 *
 * Counters are the summary's (everything analysed); the other checks look at the flows the
 * report shows (after --service, --port, --host).
 */
#ifndef PS_EXPECT_H
#define PS_EXPECT_H

#include <stddef.h>

#include "report.h"

struct expect_list;

/* NULL when out of memory. */
struct expect_list *expect_list_new(void);
void expect_list_free(struct expect_list *l);

/*
 * Parses one expectation and appends it; `source` says where it came from ("--expect",
 * "FILE:LINE") and is copied. Returns 0; -1 with err "column N: what is wrong", followed by the
 * expression and a caret under column N on two more lines; -2 when out of memory.
 */
int expect_add(struct expect_list *l, const char *text, const char *source, char *err,
               size_t errlen);

/*
 * Reads one expectation a line from `path`; blank lines and lines whose first non-blank
 * character is '#' are skipped, as is anything after " #". Returns 0; -1 with err naming the
 * file and line ("FILE:LINE: column N: ...") or why the file cannot be read; -2 when out of
 * memory.
 */
int expect_add_file(struct expect_list *l, const char *path, char *err, size_t errlen);

size_t expect_count(const struct expect_list *l);

/*
 * Checks every expectation against the report, filling results[0 .. expect_count() - 1], whose
 * expression and source point into the list. Returns how many do not hold.
 */
size_t expect_evaluate(const struct expect_list *l, const struct report *r,
                       struct report_expectation *results);

#endif
