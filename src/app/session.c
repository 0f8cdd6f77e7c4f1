/*
 * session.c - one run of portscope, as the options ask: the interfaces listed, or the inputs
 * read into the analysis, the report built, checked against the expectations and written. The
 * one place that prints diagnostics and chooses the exit status.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "capture.h"
#include "app.h"
#include "decode.h"
#include "expect.h"
#include "export.h"
#include "base.h"
#include "live.h"
#include "ports.h"
#include "progress.h"
#include "output.h"
#include "report.h"
#include "nat_cmd.h"
#include "session.h"

const char session_prog[] = "portscope";

/* --color: auto means a terminal on standard output and no NO_COLOR (https://no-color.org). */
static bool want_color(const struct ps_options *opts)
{
    const char *no_color = getenv("NO_COLOR");

    if (opts->color != PS_COLOR_AUTO)
        return opts->color == PS_COLOR_ALWAYS;
    return opts->output == NULL && isatty(STDOUT_FILENO) && (no_color == NULL || *no_color == '\0');
}

/* The size of an input, for the progress display; -1 when it has none (a pipe). */
static long long input_size(const char *path)
{
    struct stat st;
    int rc = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(path, &st);

    return rc == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

/* The analyzer's tick: redraws the progress line on standard error when it is time. */
static void show_read_progress(void *arg, long long offset, uint64_t packets, size_t flows)
{
    struct winsize ws;
    size_t columns = 80;
    char line[512];

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        columns = ws.ws_col;
    if (progress_line(arg, progress_now(), offset, packets, flows, columns, line, sizeof(line)))
        fprintf(stderr, "\r%s\033[K", line);
}

/* Erases the progress line, if one was drawn, before anything else goes to standard error. */
static void clear_read_progress(struct progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = false;
}

/*
 * Parses every --expect and --expect-file, in command-line order. Returns NULL after printing
 * the usage error (*status PS_EXIT_USAGE) or running out of memory (PS_EXIT_INTERNAL).
 */
static struct expect_list *load_expectations(const struct ps_options *opts, int *status)
{
    struct expect_list *l = expect_list_new();
    char err[PS_ERRBUF_SIZE * 4];
    int rc = 0;

    for (size_t i = 0; l != NULL && rc == 0 && i < opts->n_expects; i++) {
        const struct ps_expect_arg *e = &opts->expects[i];

        rc = e->file ? expect_add_file(l, e->value, err, sizeof(err))
                     : expect_add(l, e->value, "--expect", err, sizeof(err));
        if (rc == -1)
            fprintf(stderr, "%s: %s: %s\nTry '%s --help' for more information.\n", session_prog,
                    e->file ? "--expect-file" : "--expect", err, session_prog);
    }
    if (l == NULL || rc == -2) {
        fprintf(stderr, "%s: out of memory\n", session_prog);
        *status = PS_EXIT_INTERNAL;
    } else if (rc != 0) {
        *status = PS_EXIT_USAGE;
    }
    if (l == NULL || rc != 0) {
        expect_list_free(l);
        return NULL;
    }
    return l;
}

/* One line on standard error per expectation that does not hold; returns how many. */
static size_t report_failed_expectations(const struct report_expectation *results, size_t n)
{
    size_t failed = 0;

    for (size_t i = 0; i < n; i++) {
        if (results[i].holds)
            continue;
        failed++;
        if (strcmp(results[i].source, "--expect") == 0)
            fprintf(stderr, "%s: expected %s, found %s\n", session_prog, results[i].expression,
                    results[i].found);
        else
            fprintf(stderr, "%s: %s: expected %s, found %s\n", session_prog, results[i].source,
                    results[i].expression, results[i].found);
    }
    return failed;
}

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

void session_warn_unsupported_linktypes(const struct analyze_input *in)
{
    for (size_t i = 0; i < in->n_linktypes; i++)
        if (!decode_linktype_supported(in->linktypes[i]))
            fprintf(stderr,
                    "%s: '%s': link type %s (%s) is not supported; its packets are counted as "
                    "skipped\n",
                    session_prog, display_name(in->path), linktype_name(in->linktypes[i]),
                    linktype_description(in->linktypes[i]));
}

/* The report's stream: -o's file, or standard output; NULL after a message when it cannot open. */
static FILE *open_report(const struct ps_options *opts)
{
    FILE *out = stdout;

    if (opts->output != NULL) {
        out = fopen(opts->output, "w");
        if (out == NULL)
            fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", session_prog, opts->output,
                    strerror(errno));
    }
    return out;
}

/* Ends the report's stream after writing returned `rc`; -1 after a message when it failed. */
static int close_report(FILE *out, const struct ps_options *opts, int rc)
{
    if (rc == 0 && fflush(out) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "%s: cannot write the report to '%s': %s\n", session_prog,
                opts->output != NULL ? opts->output : "standard output", strerror(errno));
    if (out != stdout && fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "%s: cannot write the report to '%s': %s\n", session_prog, opts->output,
                strerror(errno));
        rc = -1;
    }
    return rc;
}

static int write_report(const struct report *r, const struct ps_options *opts)
{
    FILE *out = open_report(opts);
    int rc;

    if (out == NULL)
        return -1;
    switch (opts->format) {
    case PS_FORMAT_JSON:
        rc = output_json_write(r, out);
        break;
    case PS_FORMAT_CSV:
        rc = output_csv_write(r, out);
        break;
    case PS_FORMAT_ZEEK:
    case PS_FORMAT_ZEEK_JSON:
        rc = output_zeek_write(r, opts->format == PS_FORMAT_ZEEK_JSON, out);
        break;
    case PS_FORMAT_HTML:
        rc = output_html_write(r, out);
        break;
    default: {
        struct output_text_style style = {.sections = opts->sections, .color = want_color(opts)};

        rc = output_text_write(r, &style, out);
        break;
    }
    }
    return close_report(out, opts, rc);
}

/*
 * The exit status once a report is written (`written` 0) or not: a failed expectation (6)
 * outranks an incomplete input (1), which the report shows anyway.
 */
static int report_status(int written, size_t failed_expectations, bool incomplete)
{
    return written != 0              ? PS_EXIT_OUTPUT
           : failed_expectations > 0 ? PS_EXIT_EXPECT
           : incomplete              ? PS_EXIT_INCOMPLETE
                                     : PS_EXIT_OK;
}

/* Checks the expectations, writes the report and picks the exit status. */
static int finish_report(struct report *r, const struct ps_options *opts,
                         const struct expect_list *expects, bool incomplete)
{
    size_t n = expect_count(expects);
    struct report_expectation *results = NULL;
    size_t failed;
    int written;

    if (n > 0) {
        results = calloc(n, sizeof(*results));
        if (results == NULL) {
            fprintf(stderr, "%s: out of memory\n", session_prog);
            return PS_EXIT_INTERNAL;
        }
        expect_evaluate(expects, r, results);
        r->expectations = results;
        r->n_expectations = n;
    }
    written = write_report(r, opts);
    failed = report_failed_expectations(results, n);
    r->expectations = NULL;
    r->n_expectations = 0;
    free(results);
    return report_status(written, failed, incomplete);
}

/*
 * --json, when the table's flows are in the report's order and all are shown: the document's
 * flows need only the table (report_init()), and the thread or threads that write them gather
 * the services and clients as they go (report_gathering), so no row is kept per flow and each
 * flow is got from the table once, not once for its row and again to write it. Not with
 * --expect, whose evaluation reads the rows.
 */
#define GATHER_WHILE_WRITING_MIN 4096 /* fewer flows are written before a thread would start */

static bool json_while_gathering(const struct ps_options *opts, const struct flow_table *table,
                                 const struct expect_list *expects)
{
    return opts->format == PS_FORMAT_JSON && !report_select_active(&opts->select) &&
           expect_count(expects) == 0 && flow_table_in_order(table) &&
           flow_table_count(table) >= GATHER_WHILE_WRITING_MIN;
}

static int write_json_while_gathering(struct report *r, const struct analyze_input *inputs,
                                      size_t n_inputs, const struct analyze_totals *totals,
                                      const struct report_settings *settings,
                                      const struct flow_table *table, const struct ps_options *opts,
                                      bool incomplete)
{
    struct report head;
    struct report_gathering *g;
    FILE *out = open_report(opts);
    int rc;

    if (out == NULL)
        return PS_EXIT_OUTPUT;
    g = report_gathering_begin(r, inputs, n_inputs, totals, settings, table);
    if (g == NULL)
        goto out_of_memory;
    report_init(&head, inputs, n_inputs, totals, settings, table);
    head.gathering = g;
    /* The flows' rows are made by the writers from head's settings: with r's host ranges
     * (--ephemeral auto), which r owns. */
    head.settings.host_ranges = r->settings.host_ranges;
    rc = output_json_write_head(&head, out) == 0 && output_json_write_flows(&head, out) == 0 ? 0
                                                                                             : -1;
    /* A document cut short by the output matters less than memory that ran out. */
    if (report_gathering_end(g) != 0)
        goto out_of_memory;
    if (rc == 0)
        rc = output_json_write_rest(r, out);
    rc = close_report(out, opts, rc);
    report_release(r);
    return report_status(rc, 0, incomplete);

out_of_memory:
    fprintf(stderr, "%s: out of memory\n", session_prog);
    if (out != stdout)
        fclose(out);
    return PS_EXIT_INTERNAL;
}

/* Closes a jsonl output opened by run(), with the lines its writer still holds on a run that
 * stopped early; standard output stays open. */
static int close_stream(FILE *stream, struct output_jsonl *jsonl)
{
    if (stream == NULL)
        return 0;
    output_jsonl_release(jsonl);
    return stream != stdout ? fclose(stream) : 0;
}

/*
 * Whether the report's view is to order and cut its rows for the format: --sort and --top apply to
 * the text flow table and the CSV rows; the JSON document lists every selected flow in first-seen
 * order, and an order made for it would cost a pass over every flow for nothing.
 */
static bool shows_order(enum ps_format format)
{
    return format == PS_FORMAT_TEXT || format == PS_FORMAT_CSV || format == PS_FORMAT_HTML;
}

/* Threads worth running: two when this process may run on two processors, one otherwise. */
static unsigned default_threads(void)
{
    cpu_set_t cpus;

    if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
        return 1;
    return CPU_COUNT(&cpus) >= 2 ? 2 : 1;
}

/* One run's state, from its first input to its exit status. */
struct session {
    const struct ps_options *opts;
    const struct expect_list *expects;
    unsigned threads;
    struct analyze_input *inputs; /* the files, then the interface (-i) */
    size_t n_inputs;
    struct report_settings settings;
    struct progress progress;
    struct analyzer a;
    struct output_jsonl jsonl; /* close_stream() may release it before it is begun */
    FILE *stream;              /* jsonl's output, open before the first packet; else NULL */
    bool stream_failed;
    size_t opened; /* inputs that could be read */
    bool incomplete;
    size_t max_flows;           /* the flow limit in force: --max-flows, or chosen from memory */
    uint64_t available;         /* --max-flows auto: the memory available it was chosen from */
    struct export_ipfix *ipfix; /* --ipfix, or NULL */
};

/* Says that flows were lost to the limit, what the limit was, and the way around it. */
static void warn_flow_limit(const struct session *s)
{
    unsigned long long skipped = s->a.totals.skipped_packets[PS_SKIP_FLOW_LIMIT];

    if (s->opts->max_flows != 0)
        fprintf(stderr, "%s: the flow table was full (--max-flows %zu): %llu packets skipped",
                session_prog, s->max_flows, skipped);
    else
        fprintf(stderr,
                "%s: the flow table was full (--max-flows auto chose %zu flows, what three "
                "quarters of the %.1f GB of memory available hold): %llu packets skipped",
                session_prog, s->max_flows, (double)s->available / 1e9, skipped);
    if (s->opts->format != PS_FORMAT_JSONL)
        fputs("; --format jsonl reports a capture of any size, as its memory follows the flows "
              "alive at once",
              stderr);
    fputc('\n', stderr);
}

/*
 * jsonl: the lines of the flows that ended, in the order they ended (the analyzer's take_ended),
 * and their IPFIX records; a live capture sends those at once rather than when a message is full.
 */
static void write_ended_flows(void *arg, struct flow_table *table)
{
    struct session *s = arg;
    const struct flow *f;

    while ((f = flow_table_ended(table)) != NULL) {
        output_jsonl_flow(&s->jsonl, f);
        if (s->ipfix != NULL)
            export_ipfix_flow(s->ipfix, f);
    }
    if (s->ipfix != NULL && s->opts->interface != NULL)
        export_ipfix_flush(s->ipfix);
}

/* --ipfix with a format that keeps flows: every flow, once the input has ended. */
static void export_kept_flows(struct session *s)
{
    struct flow buf;

    for (size_t i = 0; i < flow_table_count(s->a.table); i++)
        export_ipfix_flow(s->ipfix, flow_table_get(s->a.table, i, &buf));
}

/* --ipfix: the collector resolved and connected; PS_EXIT_EXPORT after a message when not. */
static int open_export(struct session *s)
{
    char err[PS_ERRBUF_SIZE];

    if (s->opts->ipfix == NULL)
        return PS_EXIT_OK;
    s->ipfix =
        export_ipfix_open(s->opts->ipfix, s->opts->ipfix_domain, &s->settings, err, sizeof(err));
    if (s->ipfix != NULL)
        return PS_EXIT_OK;
    fprintf(stderr, "%s: --ipfix %s: %s\n", session_prog, s->opts->ipfix, err);
    return PS_EXIT_EXPORT;
}

/* Sends the last flows; a collector that refused them outranks all but an unwritten report. */
static int close_export(struct session *s, int status)
{
    char err[PS_ERRBUF_SIZE];

    if (s->ipfix == NULL || export_ipfix_close(s->ipfix, err, sizeof(err)) == 0)
        return status;
    fprintf(stderr, "%s: --ipfix %s: %s; the flows were not all exported\n", session_prog,
            s->opts->ipfix, err);
    return status == PS_EXIT_OK || status == PS_EXIT_INCOMPLETE || status == PS_EXIT_EXPECT
               ? PS_EXIT_EXPORT
               : status;
}

/* jsonl: the stream's head, once the analyzer's table exists. */
static void begin_stream(struct session *s)
{
    const struct ps_options *opts = s->opts;
    const char **paths = calloc(s->n_inputs, sizeof(*paths));

    for (size_t i = 0; paths != NULL && i < opts->n_inputs; i++)
        paths[i] = opts->inputs[i];
    if (paths != NULL && opts->interface != NULL)
        paths[opts->n_inputs] = opts->interface;
    if (paths == NULL || output_jsonl_begin(&s->jsonl, s->stream, &s->settings, s->a.table, paths,
                                            s->n_inputs) != 0) {
        s->incomplete = s->stream_failed = true;
        /* Without a begun stream, the flow lines and the summary must not be written. */
        s->jsonl.failed = true;
    } else if (isatty(fileno(s->stream))) {
        /* Someone is watching: each line as its flow ends, as stdio shows a terminal. */
        output_jsonl_live(&s->jsonl);
    }
    free(paths);
}

/* Reads the -r files into the analysis. PS_EXIT_OK, or PS_EXIT_USAGE for a bad filter. */
static int read_files(struct session *s)
{
    const struct ps_options *opts = s->opts;

    for (size_t i = 0; i < opts->n_inputs; i++) {
        struct analyze_input *in = &s->inputs[i];
        char err[PS_ERRBUF_SIZE];
        struct capture *c;
        int rc;

        analyzer_input_init(in, opts->inputs[i]);
        c = capture_open_file(in->path, err, sizeof(err));
        if (c == NULL) {
            fprintf(stderr, "%s: cannot read '%s': %s\n", session_prog, display_name(in->path),
                    err);
            snprintf(in->error, sizeof(in->error), "%s", err);
            s->incomplete = true;
            continue;
        }
        if (opts->filter != NULL && capture_set_filter(c, opts->filter, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: bad filter '%s': %s\n", session_prog, opts->filter, err);
            capture_close(c);
            return PS_EXIT_USAGE;
        }
        if (opts->exact_copies)
            capture_copy_exactly(c);
        s->opened++;
        if (s->stream != NULL)
            s->jsonl.report.nanosecond |= capture_nanosecond(c);
        progress_begin(&s->progress, display_name(in->path), input_size(in->path),
                       s->a.totals.packets, progress_now());
        rc = analyzer_read(&s->a, c, in);
        /* pcapng may bring nanosecond interfaces in a later section. */
        if (s->stream != NULL)
            s->jsonl.report.nanosecond |= in->nanosecond;
        clear_read_progress(&s->progress);
        capture_filtered(c, &in->filtered_packets, &in->filtered_bytes);
        if (rc != 0) {
            fprintf(stderr, "%s: '%s': %s; the report covers the %llu packets before it\n",
                    session_prog, display_name(in->path), in->error,
                    (unsigned long long)in->packets);
            s->incomplete = true;
        }
        session_warn_unsupported_linktypes(in);
        capture_close(c);
    }
    return PS_EXIT_OK;
}

/* After the last packet: the stream's end, or the report built and written. The exit status. */
static int finish(struct session *s)
{
    const struct ps_options *opts = s->opts;
    struct report report;
    int status;

    if (analyzer_finish(&s->a) != 0) {
        fprintf(stderr, "%s: out of memory\n", session_prog);
        return PS_EXIT_INTERNAL;
    }
    if (s->opened == 0)
        return PS_EXIT_NO_INPUT;
    if (s->ipfix != NULL && s->stream == NULL)
        export_kept_flows(s);
    if (s->stream != NULL) {
        if (output_jsonl_end(&s->jsonl, s->inputs, s->n_inputs, &s->a.totals) != 0 ||
            s->stream_failed || fflush(s->stream) != 0) {
            fprintf(stderr, "%s: cannot write the report to '%s': %s\n", session_prog,
                    opts->output != NULL ? opts->output : "standard output", strerror(errno));
            return PS_EXIT_OUTPUT;
        }
        return s->incomplete ? PS_EXIT_INCOMPLETE : PS_EXIT_OK;
    }
    if (json_while_gathering(opts, s->a.table, s->expects))
        return write_json_while_gathering(&report, s->inputs, s->n_inputs, &s->a.totals,
                                          &s->settings, s->a.table, opts, s->incomplete);
    if (report_build(&report, s->inputs, s->n_inputs, &s->a.totals, &s->settings, s->a.table) !=
        0) {
        fprintf(stderr, "%s: out of memory\n", session_prog);
        return PS_EXIT_INTERNAL;
    }
    status = finish_report(&report, opts, s->expects, s->incomplete);
    report_release(&report);
    return status;
}

/* The report's settings and the analysis's, from the options. */
static void session_settings(struct session *s, struct ports_services *services,
                             struct analyzer_config *config)
{
    const struct ps_options *opts = s->opts;

    /* A stream writes each flow before it has seen the rest of its host's: --ephemeral auto has
     * no ranges of hosts to find there, and the range in force is iana's, as its header says. */
    bool stream_auto = opts->format == PS_FORMAT_JSONL && port_range_is_auto(&opts->ephemeral);

    s->settings = (struct report_settings){
        .ephemeral = stream_auto ? ports_ephemeral_profiles[0] : opts->ephemeral,
        .services = services,
        .decap = !opts->no_decap,
        .vlan_in_key = opts->vlan_in_key,
        .max_flows = opts->max_flows,
        .max_fragments = opts->max_fragments,
        .profile = opts->profile,
        .lifecycle = opts->lifecycle,
        .filter = opts->filter,
        .select = &opts->select,
        .sort = shows_order(opts->format) ? opts->sort : REPORT_SORT_START,
        .top = shows_order(opts->format) ? opts->top : 0,
        .threads = s->threads,
        .community_id_seed = opts->community_id_seed,
        .community_id_hex = opts->community_id_hex,
    };
    *config = (struct analyzer_config){
        .decode = {.no_decap = opts->no_decap, .vlan_in_key = opts->vlan_in_key},
        .lifecycle = opts->lifecycle,
        .max_flows = s->max_flows,
        .max_fragments = opts->max_fragments,
        .seed = opts->seed != 0 ? opts->seed : ps_hash_seed(),
        .threads = s->threads,
        /* Progress only for a person watching: never in pipes, logs or CI. */
        .tick = !opts->quiet && isatty(STDERR_FILENO) ? show_read_progress : NULL,
        .tick_arg = &s->progress,
    };
}

static int run(const struct ps_options *opts, struct ports_services *services,
               const struct expect_list *expects)
{
    struct session session = {0}, *s = &session; /* the analyzer in it is aligned for its threads */
    struct analyzer_config config;
    int status;

    s->opts = opts;
    s->expects = expects;
    s->max_flows = opts->max_flows;
    if (s->max_flows == 0) {
        s->available = app_available_memory();
        s->max_flows = app_max_flows_for(s->available);
    }
    s->threads = opts->threads != 0 ? (unsigned)opts->threads : default_threads();
    s->n_inputs = opts->n_inputs + (opts->interface != NULL); /* -i is the last input */
    s->inputs = calloc(s->n_inputs, sizeof(*s->inputs));
    session_settings(s, services, &config);
    struct session_output out = {opts, NULL};

    /* A collector that cannot be reached: said before any output file is created. */
    if (open_export(s) != PS_EXIT_OK) {
        free(s->inputs);
        return PS_EXIT_EXPORT;
    }
    /* A stream is written as flows end: its output must be open before the first packet. */
    if (opts->format == PS_FORMAT_JSONL) {
        s->stream = opts->output != NULL ? fopen(opts->output, "w") : stdout;
        if (s->stream == NULL) {
            fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", session_prog, opts->output,
                    strerror(errno));
            free(s->inputs);
            return close_export(s, PS_EXIT_OUTPUT);
        }
        out.jsonl = &s->jsonl;
        config.take_ended = write_ended_flows;
        config.take_ended_arg = s;
    }
    if (s->inputs == NULL || analyzer_init(&s->a, &config) != 0) {
        fprintf(stderr, "%s: out of memory\n", session_prog);
        close_stream(s->stream, &s->jsonl);
        free(s->inputs);
        return close_export(s, PS_EXIT_INTERNAL);
    }
    if (s->stream != NULL)
        begin_stream(s);
    status = read_files(s);
    if (status == PS_EXIT_OK && opts->interface != NULL) {
        status = live_capture_interface(&out, &s->a, &s->inputs[opts->n_inputs]);
        if (status == PS_EXIT_OK) {
            s->opened++;
            s->incomplete = !s->inputs[opts->n_inputs].complete;
        }
    }
    if (status == PS_EXIT_OK) {
        status = finish(s);
        if (s->a.totals.skipped_packets[PS_SKIP_FLOW_LIMIT] != 0)
            warn_flow_limit(s);
    }
    status = close_export(s, status);
    analyzer_release(&s->a);
    if (close_stream(s->stream, &s->jsonl) != 0 && status == PS_EXIT_OK) {
        fprintf(stderr, "%s: cannot write the report to '%s': %s\n", session_prog, opts->output,
                strerror(errno));
        status = PS_EXIT_OUTPUT;
    }
    free(s->inputs);
    return status;
}

int app_run(const struct ps_options *opts)
{
    struct expect_list *expects;
    struct ports_services *services;
    char err[PS_ERRBUF_SIZE];
    int status;

    if (opts->list_interfaces)
        return live_list_interfaces();
    if (opts->nat)
        return nat_cmd_run(opts);
    services = ports_services_new();
    if (services == NULL) {
        fprintf(stderr, "%s: out of memory\n", session_prog);
        return PS_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < opts->n_services_files; i++) {
        if (ports_services_load(services, opts->services_files[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: %s\n", session_prog, err);
            ports_services_free(services);
            return PS_EXIT_USAGE;
        }
    }
    expects = load_expectations(opts, &status);
    if (expects != NULL)
        status = run(opts, services, expects);
    expect_list_free(expects);
    ports_services_free(services);
    return status;
}
