/*
 * main.c - wiring: options, inputs, analysis, report. The one file that prints diagnostics and
 * chooses the exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "capture.h"
#include "cli.h"
#include "config.h"
#include "decode.h"
#include "ports.h"
#include "report.h"

static const char *prog = "portscope";

/* The hash seed only needs to be unpredictable to whoever crafts the traffic. */
static uint64_t hash_seed(void)
{
    uint64_t seed;

    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
        return seed;
    return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
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
                    prog, display_name(in->path), capture_linktype_name(in->linktypes[i]),
                    capture_linktype_description(in->linktypes[i]));
}

static int write_report(const struct report *r, const struct ps_options *opts)
{
    FILE *out = stdout;
    int rc;

    if (opts->output != NULL) {
        out = fopen(opts->output, "w");
        if (out == NULL) {
            fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", prog, opts->output,
                    strerror(errno));
            return -1;
        }
    }
    rc = opts->format == PS_FORMAT_JSON ? report_write_json(r, out) : report_write_text(r, out);
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

static int run(const struct ps_options *opts, struct ports_services *services)
{
    struct report_input *inputs = calloc(opts->n_inputs, sizeof(*inputs));
    struct report_settings settings = {
        .ephemeral = opts->ephemeral,
        .services = services,
        .decap = !opts->no_decap,
        .vlan_in_key = opts->vlan_in_key,
        .max_flows = opts->max_flows,
        .max_fragments = opts->max_fragments,
    };
    struct analyzer_config config = {
        .decode = {.no_decap = opts->no_decap, .vlan_in_key = opts->vlan_in_key},
        .max_flows = opts->max_flows,
        .max_fragments = opts->max_fragments,
        .seed = hash_seed(),
    };
    struct analyzer a;
    struct report report;
    size_t opened = 0;
    bool incomplete = false;
    int status;

    if (inputs == NULL || analyzer_init(&a, &config) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        free(inputs);
        return PS_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < opts->n_inputs; i++) {
        struct report_input *in = &inputs[i];
        char err[PS_ERRBUF_SIZE];
        struct capture *c;

        analyzer_input_init(in, opts->inputs[i]);
        c = capture_open_file(in->path, err, sizeof(err));
        if (c == NULL) {
            fprintf(stderr, "%s: cannot read '%s': %s\n", prog, display_name(in->path), err);
            snprintf(in->error, sizeof(in->error), "%s", err);
            incomplete = true;
            continue;
        }
        opened++;
        if (analyzer_read(&a, c, in) != 0) {
            fprintf(stderr, "%s: '%s': %s; the report covers the %llu packets before it\n", prog,
                    display_name(in->path), in->error, (unsigned long long)in->packets);
            incomplete = true;
        }
        warn_unsupported_linktypes(in);
        capture_close(c);
    }

    analyzer_finish(&a);
    if (opened == 0) {
        status = PS_EXIT_NO_INPUT;
    } else if (report_build(&report, inputs, opts->n_inputs, &a.totals, &settings, a.table) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        status = PS_EXIT_INTERNAL;
    } else {
        status = write_report(&report, opts) != 0 ? PS_EXIT_OUTPUT
                 : incomplete                     ? PS_EXIT_INCOMPLETE
                                                  : PS_EXIT_OK;
        report_release(&report);
    }
    if (a.totals.skipped_packets[PS_SKIP_FLOW_LIMIT] != 0)
        fprintf(stderr, "%s: the flow table was full (--max-flows %zu): %llu packets skipped\n",
                prog, opts->max_flows,
                (unsigned long long)a.totals.skipped_packets[PS_SKIP_FLOW_LIMIT]);
    analyzer_release(&a);
    free(inputs);
    return status;
}

int main(int argc, char **argv)
{
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
    status = run(&opts, services);
    ports_services_free(services);
    cli_release(&opts);
    return status;
}
