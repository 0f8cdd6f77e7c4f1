/*
 * session.h - what the session (session.c) shares with the live run (live.c): the program's name
 * for diagnostics, where the report goes, and the warning about link types not decoded.
 */
#ifndef PS_SESSION_H
#define PS_SESSION_H

#include "app.h"
#include "output.h"

/* The name diagnostics start with. */
extern const char session_prog[];

/* Where a run's report goes: the options, and the stream writer when the format is jsonl. */
struct session_output {
    const struct ps_options *opts;
    struct output_jsonl *jsonl;
};

/* One line on standard error for each of the input's link types that is not decoded. */
void session_warn_unsupported_linktypes(const struct analyze_input *in);

#endif
