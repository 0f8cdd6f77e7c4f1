/*
 * main.c - wiring: options, inputs, analysis, report. The one file that prints diagnostics and
 * chooses the exit status.
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
#include "cli.h"
#include "config.h"
#include "decode.h"
#include "expect.h"
#include "linktype.h"
#include "live.h"
#include "ports.h"
#include "progress.h"
#include "report.h"

static const char *prog = "portscope";

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
            fprintf(stderr, "%s: %s: %s\nTry '%s --help' for more information.\n", prog,
                    e->file ? "--expect-file" : "--expect", err, prog);
    }
    if (l == NULL || rc == -2) {
        fprintf(stderr, "%s: out of memory\n", prog);
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
            fprintf(stderr, "%s: expected %s, found %s\n", prog, results[i].expression,
                    results[i].found);
        else
            fprintf(stderr, "%s: %s: expected %s, found %s\n", prog, results[i].source,
                    results[i].expression, results[i].found);
    }
    return failed;
}

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

static void warn_unsupported_linktypes(const struct report_input *in)
{
    for (size_t i = 0; i < in->n_linktypes; i++)
        if (!decode_linktype_supported(in->linktypes[i]))
            fprintf(stderr,
                    "%s: '%s': link type %s (%s) is not supported; its packets are counted as "
                    "skipped\n",
                    prog, display_name(in->path), linktype_name(in->linktypes[i]),
                    linktype_description(in->linktypes[i]));
}

/* The report's stream: -o's file, or standard output; NULL after a message when it cannot open. */
static FILE *open_report(const struct ps_options *opts)
{
    FILE *out = stdout;

    if (opts->output != NULL) {
        out = fopen(opts->output, "w");
        if (out == NULL)
            fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", prog, opts->output,
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
        fprintf(stderr, "%s: cannot write the report to '%s': %s\n", prog,
                opts->output != NULL ? opts->output : "standard output", strerror(errno));
    if (out != stdout && fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "%s: cannot write the report to '%s': %s\n", prog, opts->output,
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
        rc = report_write_json(r, out);
        break;
    case PS_FORMAT_CSV:
        rc = report_write_csv(r, out);
        break;
    default:
        rc = report_write_text(r, out);
        break;
    }
    return close_report(out, opts, rc);
}

/* -D: the interfaces, numbered as tcpdump -D numbers them. */
static int list_interfaces(void)
{
    struct capture_device *devs;
    char err[PS_ERRBUF_SIZE];
    size_t n;

    if (capture_list_devices(&devs, &n, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: cannot list the interfaces: %s\n", prog, err);
        return PS_EXIT_DEVICE;
    }
    for (size_t i = 0; i < n; i++) {
        printf("%zu.%s", i + 1, devs[i].name);
        if (devs[i].description != NULL)
            printf(" (%s)", devs[i].description);
        printf(" [%s%s%s]\n", devs[i].up ? "up" : "down", devs[i].running ? ", running" : "",
               devs[i].loopback ? ", loopback" : "");
    }
    capture_free_devices(devs, n);
    return fflush(stdout) == 0 ? PS_EXIT_OK : PS_EXIT_OUTPUT;
}

/*
 * The --interval hook. Text shows a summary line of the capture so far on standard output; JSON
 * and CSV write only their final report, since a document per interval would not make one valid
 * document. A streaming format (jsonl) writes its flows that ended here.
 */
/* Where a run's report goes: the options, and the stream writer when the format is jsonl. */
struct output {
    const struct ps_options *opts;
    struct report_jsonl *jsonl;
};

static int show_progress(void *ctx, const struct live_progress *p)
{
    const struct output *o = ctx;
    const struct ps_options *opts = o->opts;

    if (opts->format == PS_FORMAT_JSONL) {
        if (report_jsonl_interval(o->jsonl, p->snapshot, p->elapsed_ms, &p->analyzer->totals) == 0)
            return 0;
        fprintf(stderr, "%s: cannot write the report: %s\n", prog, strerror(errno));
        return -1;
    }
    if (opts->format != PS_FORMAT_TEXT)
        return 0;
    if (live_write_snapshot_text(p, stdout) != 0) {
        fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, strerror(errno));
        return -1;
    }
    return 0;
}

static uint64_t ns_to_ms(ps_time ns)
{
    return (uint64_t)(ns + 999999) / 1000000;
}

/* Fails early, not after the capture, when the report cannot be written where -o says. */
static int check_output(const char *path)
{
    FILE *f = fopen(path, "a");

    if (f == NULL || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", prog, path, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * -i: captures into the analyzer until a signal, -c or --duration stops it. Returns PS_EXIT_OK
 * when there is a report to write (in->complete false when the capture failed part way), or the
 * exit status when the capture could not start.
 */
static int capture_interface(const struct output *o, struct analyzer *a, struct report_input *in)
{
    const struct ps_options *opts = o->opts;
    const struct capture_live_options options = {
        .device = opts->interface,
        .snaplen = opts->snaplen,
        .promisc = !opts->no_promisc,
        .immediate = true, /* small captures report at once, not when a buffer fills */
    };
    const struct live_limits limits = {
        .count = opts->count,
        .duration_ms = ns_to_ms(opts->duration),
        .interval_ms = ns_to_ms(opts->interval),
    };
    char err[PS_ERRBUF_SIZE], warning[PS_ERRBUF_SIZE];
    enum capture_live_status why;
    struct live_user user;
    struct capture *c;
    int status = PS_EXIT_OK;

    analyzer_input_init(in, opts->interface);
    if (opts->user != NULL && live_lookup_user(opts->user, &user, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: -Z: %s\n", prog, err);
        return PS_EXIT_USAGE;
    }
    c = capture_open_live(&options, &why, warning, sizeof(warning), err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "%s: cannot capture on '%s': %s\n", prog, opts->interface, err);
        return why == CAPTURE_LIVE_NOMEM ? PS_EXIT_INTERNAL : PS_EXIT_DEVICE;
    }
    if (warning[0] != '\0')
        fprintf(stderr, "%s: '%s': %s\n", prog, opts->interface, warning);
    if (opts->filter != NULL && capture_set_filter(c, opts->filter, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: bad filter '%s': %s\n", prog, opts->filter, err);
        status = PS_EXIT_USAGE;
        goto out;
    }
    /* As tcpdump: files are created by the user we become, so that user must be able to. */
    if (opts->user != NULL && geteuid() == 0 &&
        live_drop_privileges(&user, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: -Z: %s\n", prog, err);
        status = PS_EXIT_DEVICE;
        goto out;
    }
    if (opts->write_file != NULL &&
        capture_live_dump_open(c, opts->write_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", prog, opts->write_file, err);
        status = PS_EXIT_OUTPUT;
        goto out;
    }
    if (opts->output != NULL && check_output(opts->output) != 0) {
        status = PS_EXIT_OUTPUT;
        goto out;
    }
    if (live_signals_install(err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        status = PS_EXIT_INTERNAL;
        goto out;
    }
    if (!opts->quiet)
        fprintf(stderr, "%s: listening on %s, link type %s (%s), snapshot length %d bytes\n", prog,
                opts->interface, linktype_name(capture_linktype(c)),
                linktype_description(capture_linktype(c)), capture_live_snaplen(c));
    if (o->jsonl != NULL) {
        o->jsonl->view.nanosecond |= capture_nanosecond(c);
        report_jsonl_live(o->jsonl);
    }
    if (live_run(c, a, in, &limits, show_progress, (void *)o) == LIVE_STOP_HOOK)
        snprintf(in->error, sizeof(in->error),
                 "stopped: the --interval summary could not be "
                 "written");
    if (capture_live_dump_flush(c) != 0)
        snprintf(in->error, sizeof(in->error), "cannot write '%s': %s", opts->write_file,
                 strerror(errno));
    if (in->error[0] != '\0') {
        in->complete = false;
        fprintf(stderr, "%s: '%s': %s; the report covers the %llu packets before it\n", prog,
                opts->interface, in->error, (unsigned long long)in->packets);
    }
    if (in->dropped != 0)
        fprintf(stderr,
                "%s: '%s': the kernel dropped %llu of %llu packets; the report does not cover "
                "them (a filter or -s can help)\n",
                prog, opts->interface, (unsigned long long)in->dropped,
                (unsigned long long)in->received);
    warn_unsupported_linktypes(in);
out:
    capture_close(c);
    return status;
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
            fprintf(stderr, "%s: out of memory\n", prog);
            return PS_EXIT_INTERNAL;
        }
        expect_evaluate(expects, r, results);
        r->expectations = results;
        r->n_expectations = n;
    }
    r->style = (struct report_style){.sort = opts->sort,
                                     .top = opts->top,
                                     .sections = opts->sections,
                                     .color = want_color(opts)};
    written = write_report(r, opts);
    failed = report_failed_expectations(results, n);
    r->expectations = NULL;
    r->n_expectations = 0;
    free(results);
    return report_status(written, failed, incomplete);
}

/*
 * --json on two threads, when the table's flows are in the report's order and all are shown: the
 * document's flows need only the table (report_init()), and the threads that write them gather
 * the services and clients as they go (report_gathering), so no row is kept per flow. Not with
 * --expect, whose evaluation reads the rows.
 */
#define GATHER_WHILE_WRITING_MIN 4096 /* fewer flows are written before a thread would start */

static bool json_while_gathering(const struct ps_options *opts, unsigned threads,
                                 const struct flow_table *table, const struct expect_list *expects)
{
    return opts->format == PS_FORMAT_JSON && threads > 1 && !select_active(&opts->select) &&
           expect_count(expects) == 0 && flow_table_in_order(table) &&
           flow_table_count(table) >= GATHER_WHILE_WRITING_MIN;
}

static int write_json_while_gathering(struct report *r, const struct report_input *inputs,
                                      size_t n_inputs, const struct report_totals *totals,
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
    rc = report_json_write_head(&head, out) == 0 && report_json_write_flows(&head, out) == 0 ? 0
                                                                                             : -1;
    /* A document cut short by the output matters less than memory that ran out. */
    if (report_gathering_end(g) != 0)
        goto out_of_memory;
    if (rc == 0)
        rc = report_json_write_rest(r, out);
    rc = close_report(out, opts, rc);
    report_release(r);
    return report_status(rc, 0, incomplete);

out_of_memory:
    fprintf(stderr, "%s: out of memory\n", prog);
    if (out != stdout)
        fclose(out);
    return PS_EXIT_INTERNAL;
}

/* Closes a jsonl output opened by run(), with the lines its writer still holds on a run that
 * stopped early; standard output stays open. */
static int close_stream(FILE *stream, struct report_jsonl *jsonl)
{
    if (stream == NULL)
        return 0;
    report_jsonl_release(jsonl);
    return stream != stdout ? fclose(stream) : 0;
}

/* Threads worth running: two when this process may run on two processors, one otherwise. */
static unsigned default_threads(void)
{
    cpu_set_t cpus;

    if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
        return 1;
    return CPU_COUNT(&cpus) >= 2 ? 2 : 1;
}

static int run(const struct ps_options *opts, struct ports_services *services,
               const struct expect_list *expects)
{
    unsigned threads = opts->threads != 0 ? (unsigned)opts->threads : default_threads();
    size_t n_inputs = opts->n_inputs + (opts->interface != NULL); /* -i is the last input */
    struct report_input *inputs = calloc(n_inputs, sizeof(*inputs));
    struct report_settings settings = {
        .ephemeral = opts->ephemeral,
        .services = services,
        .decap = !opts->no_decap,
        .vlan_in_key = opts->vlan_in_key,
        .max_flows = opts->max_flows,
        .max_fragments = opts->max_fragments,
        .profile = opts->profile,
        .lifecycle = opts->lifecycle,
        .filter = opts->filter,
        .select = &opts->select,
        .threads = threads,
    };
    struct progress progress = {0};
    struct analyzer_config config = {
        .decode = {.no_decap = opts->no_decap, .vlan_in_key = opts->vlan_in_key},
        .lifecycle = opts->lifecycle,
        .max_flows = opts->max_flows,
        .max_fragments = opts->max_fragments,
        .seed = ps_hash_seed(),
        .threads = threads,
        /* Progress only for a person watching: never in pipes, logs or CI. */
        .tick = !opts->quiet && isatty(STDERR_FILENO) ? show_read_progress : NULL,
        .tick_arg = &progress,
    };
    struct report_jsonl jsonl = {0}; /* close_stream() may release it before it is begun */
    struct output out = {opts, NULL};
    bool stream_failed = false;
    FILE *stream = NULL;
    struct analyzer a;
    struct report report;
    size_t opened = 0;
    bool incomplete = false;
    int status;

    /* A stream is written as flows end: its output must be open before the first packet. */
    if (opts->format == PS_FORMAT_JSONL) {
        stream = opts->output != NULL ? fopen(opts->output, "w") : stdout;
        if (stream == NULL) {
            fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", prog, opts->output,
                    strerror(errno));
            free(inputs);
            return PS_EXIT_OUTPUT;
        }
        out.jsonl = &jsonl;
        config.on_flow_end = report_jsonl_flow;
        config.on_flow_end_ctx = &jsonl;
    }
    if (inputs == NULL || analyzer_init(&a, &config) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        free(inputs);
        close_stream(stream, &jsonl);
        return PS_EXIT_INTERNAL;
    }
    if (stream != NULL) {
        const char **paths = calloc(n_inputs, sizeof(*paths));

        for (size_t i = 0; paths != NULL && i < opts->n_inputs; i++)
            paths[i] = opts->inputs[i];
        if (paths != NULL && opts->interface != NULL)
            paths[opts->n_inputs] = opts->interface;
        if (paths == NULL ||
            report_jsonl_begin(&jsonl, stream, &settings, a.table, paths, n_inputs) != 0) {
            incomplete = stream_failed = true;
            /* Without a begun stream, the flow lines and the summary must not be written. */
            jsonl.failed = true;
        } else if (isatty(fileno(stream))) {
            /* Someone is watching: each line as its flow ends, as stdio shows a terminal. */
            report_jsonl_live(&jsonl);
        }
        free(paths);
    }
    for (size_t i = 0; i < opts->n_inputs; i++) {
        struct report_input *in = &inputs[i];
        char err[PS_ERRBUF_SIZE];
        struct capture *c;
        int rc;

        analyzer_input_init(in, opts->inputs[i]);
        c = capture_open_file(in->path, err, sizeof(err));
        if (c == NULL) {
            fprintf(stderr, "%s: cannot read '%s': %s\n", prog, display_name(in->path), err);
            snprintf(in->error, sizeof(in->error), "%s", err);
            incomplete = true;
            continue;
        }
        if (opts->filter != NULL && capture_set_filter(c, opts->filter, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: bad filter '%s': %s\n", prog, opts->filter, err);
            capture_close(c);
            analyzer_release(&a);
            close_stream(stream, &jsonl);
            free(inputs);
            return PS_EXIT_USAGE;
        }
        opened++;
        if (stream != NULL)
            jsonl.view.nanosecond |= capture_nanosecond(c);
        progress_begin(&progress, display_name(in->path), input_size(in->path), a.totals.packets,
                       progress_now());
        rc = analyzer_read(&a, c, in);
        /* pcapng may bring nanosecond interfaces in a later section. */
        if (stream != NULL)
            jsonl.view.nanosecond |= in->nanosecond;
        clear_read_progress(&progress);
        capture_filtered(c, &in->filtered_packets, &in->filtered_bytes);
        if (rc != 0) {
            fprintf(stderr, "%s: '%s': %s; the report covers the %llu packets before it\n", prog,
                    display_name(in->path), in->error, (unsigned long long)in->packets);
            incomplete = true;
        }
        warn_unsupported_linktypes(in);
        capture_close(c);
    }
    if (opts->interface != NULL) {
        status = capture_interface(&out, &a, &inputs[opts->n_inputs]);
        if (status != PS_EXIT_OK) {
            analyzer_release(&a);
            close_stream(stream, &jsonl);
            free(inputs);
            return status;
        }
        opened++;
        incomplete = !inputs[opts->n_inputs].complete;
    }

    if (analyzer_finish(&a) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        status = PS_EXIT_INTERNAL;
    } else if (opened == 0) {
        status = PS_EXIT_NO_INPUT;
    } else if (stream != NULL) {
        if (report_jsonl_end(&jsonl, inputs, n_inputs, &a.totals) != 0 || stream_failed ||
            fflush(stream) != 0) {
            fprintf(stderr, "%s: cannot write the report to '%s': %s\n", prog,
                    opts->output != NULL ? opts->output : "standard output", strerror(errno));
            status = PS_EXIT_OUTPUT;
        } else {
            status = incomplete ? PS_EXIT_INCOMPLETE : PS_EXIT_OK;
        }
    } else if (json_while_gathering(opts, threads, a.table, expects)) {
        status = write_json_while_gathering(&report, inputs, n_inputs, &a.totals, &settings,
                                            a.table, opts, incomplete);
    } else if (report_build(&report, inputs, n_inputs, &a.totals, &settings, a.table) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        status = PS_EXIT_INTERNAL;
    } else {
        status = finish_report(&report, opts, expects, incomplete);
        report_release(&report);
    }
    if (a.totals.skipped_packets[PS_SKIP_FLOW_LIMIT] != 0)
        fprintf(stderr, "%s: the flow table was full (--max-flows %zu): %llu packets skipped\n",
                prog, opts->max_flows,
                (unsigned long long)a.totals.skipped_packets[PS_SKIP_FLOW_LIMIT]);
    analyzer_release(&a);
    if (close_stream(stream, &jsonl) != 0 && status == PS_EXIT_OK) {
        fprintf(stderr, "%s: cannot write the report to '%s': %s\n", prog, opts->output,
                strerror(errno));
        status = PS_EXIT_OUTPUT;
    }
    free(inputs);
    return status;
}

int main(int argc, char **argv)
{
    struct expect_list *expects;
    struct ps_options opts;
    struct ports_services *services;
    char err[PS_ERRBUF_SIZE];
    int status;

    if (cli_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, err, prog);
        cli_release(&opts);
        return PS_EXIT_USAGE;
    }
    if (opts.help || opts.version) {
        if (opts.help)
            cli_usage(stdout);
        else
            printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        cli_release(&opts);
        return fflush(stdout) == 0 ? PS_EXIT_OK : PS_EXIT_OUTPUT;
    }
    if (opts.list_interfaces) {
        status = list_interfaces();
        cli_release(&opts);
        return status;
    }
    services = ports_services_new();
    if (services == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        cli_release(&opts);
        return PS_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < opts.n_services_files; i++) {
        if (ports_services_load(services, opts.services_files[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            ports_services_free(services);
            cli_release(&opts);
            return PS_EXIT_USAGE;
        }
    }
    expects = load_expectations(&opts, &status);
    if (expects != NULL)
        status = run(&opts, services, expects);
    expect_list_free(expects);
    ports_services_free(services);
    cli_release(&opts);
    return status;
}
