/*
 * cli.c - command-line parsing, with getopt_long() given the option table (cli_options.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "app.h"
#include "cli_options.h"
#include "export.h"
#include "output.h"

_Static_assert(CLI_ARG_NONE == no_argument && CLI_ARG_REQUIRED == required_argument &&
                   CLI_ARG_OPTIONAL == optional_argument,
               "a row's arg is getopt_long()'s has_arg");

/*
 * What getopt_long() returns for a row: its letter, or for a long option without one CLI_KEY_LONG
 * plus the row's index. Above any letter, so that "takes no value" can be told from an unknown
 * option by optopt alone.
 */
#define CLI_KEY_LONG 256

/* getopt_long()'s view of the table, built for each parse: a few dozen rows, no allocation. */
struct getopt_spec {
    struct option longopts[CLI_OPTIONS + 1];
    char shortopts[1 + 3 * CLI_OPTIONS + 1]; /* ':' first, then "r:", "q" or "x::" by letter */
};

static void build_getopt(struct getopt_spec *g)
{
    size_t n = 0, s = 0;

    /* A leading ':' makes a missing value ':' instead of '?', to say which of the two it was. */
    g->shortopts[s++] = ':';
    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];

        if (o->name == NULL)
            continue; /* the operand */
        g->longopts[n++] = (struct option){o->name, (int)o->arg, NULL,
                                           o->letter != 0 ? o->letter : CLI_KEY_LONG + i};
        if (o->letter != 0) {
            g->shortopts[s++] = o->letter;
            if (o->arg != CLI_ARG_NONE)
                g->shortopts[s++] = ':';
            if (o->arg == CLI_ARG_OPTIONAL)
                g->shortopts[s++] = ':';
        }
    }
    g->longopts[n] = (struct option){NULL, 0, NULL, 0};
    g->shortopts[s] = '\0';
}

/* The row getopt_long() returned `key` for, or NULL for a letter no row has. */
static const struct cli_option *option_of(int key)
{
    if (key >= CLI_KEY_LONG)
        return &cli_options[key - CLI_KEY_LONG];
    for (int i = 0; i < CLI_OPTIONS; i++)
        if (key != 0 && cli_options[i].letter == key)
            return &cli_options[i];
    return NULL;
}

/* Strict decimal: digits only, no sign, no spaces, within [min, max]. */
static bool parse_size(const char *s, size_t min, size_t max, size_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = (size_t)v;
    return true;
}

static bool append(const char ***list, size_t *n, const char *item)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof(*grown));

    if (grown == NULL)
        return false;
    grown[(*n)++] = item;
    *list = grown;
    return true;
}

static bool append_expect(struct ps_options *opts, const char *value, bool file)
{
    struct ps_expect_arg *grown = realloc(opts->expects, (opts->n_expects + 1) * sizeof(*grown));

    if (grown == NULL)
        return false;
    grown[opts->n_expects++] = (struct ps_expect_arg){value, file};
    opts->expects = grown;
    return true;
}

/* Seconds, as a decimal with up to nine fractional digits; 0 means no timeout. */
static bool parse_seconds(const char *s, ps_time *out)
{
    unsigned long long whole = 0, frac = 0;
    int digits = 0;

    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (whole > 9000000000ULL)
            return false; /* past what ps_time holds in nanoseconds */
        whole = whole * 10 + (unsigned long long)(*s - '0');
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, digits++)
            if (digits < 9)
                frac = frac * 10 + (unsigned long long)(*s - '0');
        if (digits == 0)
            return false;
        for (int d = digits < 9 ? digits : 9; d < 9; d++)
            frac *= 10;
    }
    if (*s != '\0')
        return false;
    *out = (ps_time)(whole * 1000000000ULL + frac);
    return true;
}

/*
 * --idle-timeout and --active-timeout: "SECONDS" for every protocol, or "PROTO=SECONDS[,...]"
 * for some (tcp, udp, icmp, other). Values land in opts->timeouts[which] with their set bits.
 */
static int parse_timeouts(const char *arg, int which, struct ps_options *opts, char *err,
                          size_t errlen)
{
    const char *name = which == 0 ? "--idle-timeout" : "--active-timeout";
    char *copy = strdup(arg), *save = NULL;
    int rc = 0;

    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (char *item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        ps_time value;
        int cls = -1;

        if (eq != NULL) {
            *eq = '\0';
            for (int c = 0; c < FLOW_CLASSES; c++)
                if (strcmp(item, flow_class_name((enum flow_class)c)) == 0)
                    cls = c;
            if (cls < 0) {
                snprintf(err, errlen, "%s: unknown protocol '%s' (known: tcp, udp, icmp, other)",
                         name, item);
                rc = -1;
                break;
            }
        }
        if (!parse_seconds(eq != NULL ? eq + 1 : item, &value)) {
            snprintf(err, errlen, "%s: '%s' is not a number of seconds", name, arg);
            rc = -1;
            break;
        }
        for (int c = 0; c < FLOW_CLASSES; c++) {
            if (cls >= 0 && c != cls)
                continue;
            opts->timeouts[which][c] = value;
            opts->timeouts_set[which] |= 1u << c;
        }
    }
    free(copy);
    return rc;
}

/* The profile first, then any timeout given on its own: the order on the command line is free. */
static void apply_lifecycle(struct ps_options *opts)
{
    if (strcmp(opts->profile, "wireshark") == 0)
        flow_lifecycle_wireshark(&opts->lifecycle);
    else
        flow_lifecycle_zeek(&opts->lifecycle);
    for (int c = 0; c < FLOW_CLASSES; c++) {
        if (opts->timeouts_set[0] & (1u << c))
            opts->lifecycle.idle[c] = opts->timeouts[0][c];
        if (opts->timeouts_set[1] & (1u << c))
            opts->lifecycle.active[c] = opts->timeouts[1][c];
    }
}

/* tcpdump's way: the arguments after the options, joined by spaces, are one filter expression. */
static char *join_filter(int argc, char **argv, int first)
{
    size_t len = 1;
    char *filter;

    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    filter = malloc(len);
    if (filter == NULL)
        return NULL;
    filter[0] = '\0';
    for (int i = first; i < argc; i++) {
        if (i > first)
            strcat(filter, " ");
        strcat(filter, argv[i]);
    }
    return filter;
}

/* The value of one of the selection and presentation options; 0, or -1 with err. */
static int parse_view_option(const struct cli_option *o, const char *arg, struct ps_options *opts,
                             char *err, size_t errlen)
{
    char why[PS_ERRBUF_SIZE];
    struct report_host host;
    uint16_t port;
    int rc = 0;

    switch (o->id) {
    case CLI_OPT_TOP:
        if (!parse_size(arg, 1, SIZE_MAX, &opts->top)) {
            snprintf(err, errlen, "--top: '%s' is not a number of flows (1 or more)", arg);
            return -1;
        }
        return 0;
    case CLI_OPT_SORT:
        rc = report_parse_sort(arg, &opts->sort, why, sizeof(why));
        break;
    case CLI_OPT_SHOW:
        rc = output_parse_sections(arg, &opts->sections, why, sizeof(why));
        break;
    case CLI_OPT_COLOR:
        if (arg == NULL || strcmp(arg, "always") == 0) {
            opts->color = PS_COLOR_ALWAYS;
        } else if (strcmp(arg, "auto") == 0) {
            opts->color = PS_COLOR_AUTO;
        } else if (strcmp(arg, "never") == 0) {
            opts->color = PS_COLOR_NEVER;
        } else {
            snprintf(err, errlen, "--color: unknown value '%s' (known: auto, always, never)", arg);
            return -1;
        }
        return 0;
    case CLI_OPT_SERVICE:
        if (report_select_add_service(&opts->select, arg) != 0)
            goto nomem;
        return 0;
    case CLI_OPT_PORT:
        rc = report_parse_port(arg, &port, why, sizeof(why));
        if (rc == 0 && report_select_add_port(&opts->select, port) != 0)
            goto nomem;
        break;
    case CLI_OPT_HOST:
        rc = report_parse_host(arg, &host, why, sizeof(why));
        if (rc == 0 && report_select_add_host(&opts->select, &host) != 0)
            goto nomem;
        break;
    default: /* --expect, --expect-file: parsed by main, which reads the files */
        if (!append_expect(opts, arg, o->id == CLI_OPT_EXPECT_FILE))
            goto nomem;
        return 0;
    }
    if (rc != 0)
        snprintf(err, errlen, "--%s: %s", o->name, why);
    return rc;

nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/*
 * The option getopt_long() just refused. The argument before optind is it when it was a long
 * option, or a short one standing alone; inside a cluster ("-zV") optind has not moved on, and
 * only optopt knows the letter. A long option without a letter (optopt CLI_KEY_LONG and up) is
 * named as typed, abbreviated or not: it has no letter to show.
 */
static const char *culprit(char **argv, char *buf, size_t len)
{
    const char *last = argv[optind - 1];

    if (strncmp(last, "--", 2) == 0) {
        const struct cli_option *o = option_of(optopt);

        if (o != NULL && o->letter != 0 && strncmp(last + 2, o->name, strlen(o->name)) == 0)
            return last;
        if (optopt == 0 || optopt >= CLI_KEY_LONG)
            return last;
    }
    snprintf(buf, len, "-%c", optopt);
    return buf;
}

/* The value of a live-capture option; 0, or -1 with err. */
static int parse_live_option(enum cli_option_id id, const char *arg, struct ps_options *opts,
                             char *err, size_t errlen)
{
    ps_time *seconds = id == CLI_OPT_DURATION ? &opts->duration : &opts->interval;
    size_t snaplen;

    switch (id) {
    case CLI_OPT_INTERFACE:
        opts->interface = arg;
        return 0;
    case CLI_OPT_LIST_INTERFACES:
        opts->list_interfaces = true;
        return 0;
    case CLI_OPT_COUNT:
        if (!parse_size(arg, 1, SIZE_MAX, &opts->count)) {
            snprintf(err, errlen, "-c: '%s' is not a number of packets (1 or more)", arg);
            return -1;
        }
        return 0;
    case CLI_OPT_SNAPLEN:
        if (!parse_size(arg, 0, CAPTURE_SNAPLEN, &snaplen)) {
            snprintf(err, errlen, "-s: '%s' is not a snapshot length from 0 to %d", arg,
                     CAPTURE_SNAPLEN);
            return -1;
        }
        opts->snaplen = (unsigned)snaplen;
        return 0;
    case CLI_OPT_NO_PROMISCUOUS_MODE:
        opts->no_promisc = true;
        return 0;
    case CLI_OPT_WRITE:
        opts->write_file = arg;
        return 0;
    case CLI_OPT_RELINQUISH_PRIVILEGES:
        opts->user = arg;
        return 0;
    default: /* --duration, --interval */
        /* Below a millisecond the timers could not honour it. */
        if (!parse_seconds(arg, seconds) || *seconds < 1000000) {
            snprintf(err, errlen, "--%s: '%s' is not a number of seconds (0.001 or more)",
                     id == CLI_OPT_DURATION ? "duration" : "interval", arg);
            *seconds = 0;
            return -1;
        }
        return 0;
    }
}

/* The value of an option of the analysis: flow lifecycle and limits; 0, or -1 with err. */
static int parse_flow_option(enum cli_option_id id, const char *arg, struct ps_options *opts,
                             char *err, size_t errlen)
{
    switch (id) {
    case CLI_OPT_PROFILE:
        if (strcmp(arg, "zeek") != 0 && strcmp(arg, "wireshark") != 0) {
            snprintf(err, errlen, "--profile: unknown profile '%s' (known: zeek, wireshark)", arg);
            return -1;
        }
        opts->profile = arg;
        return 0;
    case CLI_OPT_MAX_FLOWS:
        if (strcmp(arg, "auto") == 0) {
            opts->max_flows = 0;
        } else if (!parse_size(arg, 1, UINT32_MAX - 1, &opts->max_flows)) {
            snprintf(err, errlen, "--max-flows: '%s' is neither auto nor a number from 1 to %u",
                     arg, UINT32_MAX - 1);
            return -1;
        }
        return 0;
    case CLI_OPT_MAX_FRAGMENTS:
        if (!parse_size(arg, 1, UINT32_MAX - 1, &opts->max_fragments)) {
            snprintf(err, errlen, "--max-fragments: '%s' is not a number from 1 to %u", arg,
                     UINT32_MAX - 1);
            return -1;
        }
        return 0;
    case CLI_OPT_THREADS:
        if (!parse_size(arg, 1, 2, &opts->threads)) {
            snprintf(err, errlen, "--threads: '%s' is not 1 or 2", arg);
            return -1;
        }
        return 0;
    default: /* --idle-timeout, --active-timeout */
        return parse_timeouts(arg, id == CLI_OPT_ACTIVE_TIMEOUT, opts, err, errlen);
    }
}

/* --ipfix and --ipfix-domain: the destination's form now, a usage error; the rest when sending. */
static int parse_export_option(enum cli_option_id id, const char *arg, struct ps_options *opts,
                               char *err, size_t errlen)
{
    char host[256], why[PS_ERRBUF_SIZE];
    uint16_t port;
    size_t domain;

    if (id == CLI_OPT_IPFIX_DOMAIN) {
        if (!parse_size(arg, 0, UINT32_MAX, &domain)) {
            snprintf(err, errlen, "--ipfix-domain: '%s' is not a number from 0 to %u", arg,
                     UINT32_MAX);
            return -1;
        }
        opts->ipfix_domain = (uint32_t)domain;
        return 0;
    }
    if (export_parse_destination(arg, host, sizeof(host), &port, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "--ipfix: %s", why);
        return -1;
    }
    opts->ipfix = arg;
    return 0;
}

/* --read: one more input, standard input at most once. */
static int add_input(const char *arg, struct ps_options *opts, char *err, size_t errlen)
{
    for (size_t i = 0; strcmp(arg, "-") == 0 && i < opts->n_inputs; i++) {
        if (strcmp(opts->inputs[i], "-") == 0) {
            snprintf(err, errlen, "standard input can be read only once ('-r -')");
            return -1;
        }
    }
    if (!append(&opts->inputs, &opts->n_inputs, arg)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* --community-id-seed and --community-id-format. */
static int parse_community_id(enum cli_option_id id, const char *arg, struct ps_options *opts,
                              char *err, size_t errlen)
{
    size_t seed;

    if (id == CLI_OPT_COMMUNITY_ID_SEED) {
        if (!parse_size(arg, 0, UINT16_MAX, &seed)) {
            snprintf(err, errlen, "--community-id-seed: '%s' is not a number from 0 to 65535", arg);
            return -1;
        }
        opts->community_id_seed = (uint16_t)seed;
    } else if (strcmp(arg, "base64") == 0 || strcmp(arg, "hex") == 0) {
        opts->community_id_hex = arg[0] == 'h';
    } else {
        snprintf(err, errlen, "--community-id-format: unknown format '%s' (known: base64, hex)",
                 arg);
        return -1;
    }
    return 0;
}

/* --format's names, by enum ps_format: what --format takes and what messages call a format. */
static const char *const format_names[] = {
    [PS_FORMAT_TEXT] = "text",   [PS_FORMAT_JSON] = "json", [PS_FORMAT_CSV] = "csv",
    [PS_FORMAT_JSONL] = "jsonl", [PS_FORMAT_ZEEK] = "zeek", [PS_FORMAT_ZEEK_JSON] = "zeek-json",
    [PS_FORMAT_HTML] = "html",
};

/* --format's value (--json is --format json for short). */
static int parse_format(const char *arg, struct ps_options *opts, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
        if (strcmp(arg, format_names[i]) == 0) {
            opts->format = (enum ps_format)i;
            return 0;
        }
    }
    snprintf(err, errlen,
             "unknown format '%s' (known: text, json, jsonl, csv, zeek, zeek-json, html)", arg);
    return -1;
}

/*
 * --ephemeral's value: auto, which only the command line takes (a stream or an expectation has
 * no hosts' ranges to find), or what ports_parse_ephemeral() takes. -1 with a message in err.
 */
static int parse_ephemeral(const char *arg, struct port_range *out, char *err, size_t errlen)
{
    char why[PS_ERRBUF_SIZE];
    const char *known;

    if (strcmp(arg, ports_ephemeral_auto.name) == 0) {
        *out = ports_ephemeral_auto;
        return 0;
    }
    if (ports_parse_ephemeral(arg, out, why, sizeof(why)) == 0)
        return 0;
    /* The profiles the parser knows, and auto. */
    known = strstr(why, "(known: ");
    if (known != NULL)
        snprintf(err, errlen, "%.*s(known: %s, %s", (int)(known - why), why,
                 ports_ephemeral_auto.name, known + strlen("(known: "));
    else
        snprintf(err, errlen, "%s", why);
    return -1;
}

/*
 * One option with its value (NULL for none): 0, 1 when parsing ends here (--help and --version
 * are answered whatever follows), or -1 with err. Every row has its case: the compiler says when
 * one is missing.
 */
static int apply_option(const struct cli_option *o, const char *arg, struct ps_options *opts,
                        char *err, size_t errlen)
{
    char range_err[PS_ERRBUF_SIZE];

    switch (o->id) {
    case CLI_OPT_READ:
        return add_input(arg, opts, err, errlen);
    case CLI_OPT_FILTER: /* the operand: getopt_long() leaves it in argv */
        return 0;
    case CLI_OPT_QUIET:
        opts->quiet = true;
        return 0;
    case CLI_OPT_INTERFACE:
    case CLI_OPT_LIST_INTERFACES:
    case CLI_OPT_COUNT:
    case CLI_OPT_DURATION:
    case CLI_OPT_INTERVAL:
    case CLI_OPT_SNAPLEN:
    case CLI_OPT_NO_PROMISCUOUS_MODE:
    case CLI_OPT_WRITE:
    case CLI_OPT_RELINQUISH_PRIVILEGES:
        return parse_live_option(o->id, arg, opts, err, errlen);
    case CLI_OPT_OUTPUT:
        opts->output = arg;
        return 0;
    case CLI_OPT_FORMAT:
        return parse_format(arg, opts, err, errlen);
    case CLI_OPT_JSON:
        opts->format = PS_FORMAT_JSON;
        return 0;
    case CLI_OPT_COMMUNITY_ID_SEED:
    case CLI_OPT_COMMUNITY_ID_FORMAT:
        return parse_community_id(o->id, arg, opts, err, errlen);
    case CLI_OPT_IPFIX:
    case CLI_OPT_IPFIX_DOMAIN:
        return parse_export_option(o->id, arg, opts, err, errlen);
    case CLI_OPT_SERVICE:
    case CLI_OPT_PORT:
    case CLI_OPT_HOST:
    case CLI_OPT_SORT:
    case CLI_OPT_TOP:
    case CLI_OPT_SHOW:
    case CLI_OPT_COLOR:
    case CLI_OPT_EXPECT:
    case CLI_OPT_EXPECT_FILE:
        return parse_view_option(o, arg, opts, err, errlen);
    case CLI_OPT_EPHEMERAL:
        if (parse_ephemeral(arg, &opts->ephemeral, range_err, sizeof(range_err)) != 0) {
            snprintf(err, errlen, "--ephemeral: %s", range_err);
            return -1;
        }
        return 0;
    case CLI_OPT_SERVICES:
        if (!append(&opts->services_files, &opts->n_services_files, arg)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    case CLI_OPT_EXPLAIN:
        opts->explain = true;
        return 0;
    case CLI_OPT_NO_DECAP:
        opts->no_decap = true;
        return 0;
    case CLI_OPT_VLAN_IN_KEY:
        opts->vlan_in_key = true;
        return 0;
    case CLI_OPT_PROFILE:
    case CLI_OPT_IDLE_TIMEOUT:
    case CLI_OPT_ACTIVE_TIMEOUT:
    case CLI_OPT_MAX_FLOWS:
    case CLI_OPT_MAX_FRAGMENTS:
    case CLI_OPT_THREADS:
        return parse_flow_option(o->id, arg, opts, err, errlen);
    case CLI_OPT_INSIDE:
    case CLI_OPT_OUTSIDE: {
        bool in = o->id == CLI_OPT_INSIDE;
        if (!append(in ? &opts->nat_inside : &opts->nat_outside,
                    in ? &opts->n_nat_inside : &opts->n_nat_outside, arg)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    case CLI_OPT_HELP:
        opts->help = true;
        return 1;
    case CLI_OPT_VERSION:
        opts->version = true;
        return 1;
    }
    return 0;
}

/* Where the packets come from: files or one interface, and the options that need -i. */
static int check_sources(const struct ps_options *opts, char *err, size_t errlen)
{
    const char *live_only = opts->count != 0      ? "-c"
                            : opts->duration != 0 ? "--duration"
                            : opts->interval != 0 ? "--interval"
                            : opts->snaplen != 0  ? "-s"
                            : opts->no_promisc    ? "-p"
                            : opts->write_file    ? "-w"
                            : opts->user != NULL  ? "-Z"
                                                  : NULL;

    if (opts->list_interfaces)
        return 0;
    if (opts->interface != NULL && opts->n_inputs != 0) {
        snprintf(err, errlen, "-i and -r cannot be combined: capture live or read files");
        return -1;
    }
    if (opts->interface == NULL && opts->n_inputs == 0) {
        snprintf(err, errlen,
                 "no input: give a capture file with -r FILE or an interface with -i IFACE");
        return -1;
    }
    if (opts->interface == NULL && live_only != NULL) {
        snprintf(err, errlen, "%s applies to live captures only (-i IFACE)", live_only);
        return -1;
    }
    return 0;
}

/* The options' values before any is given. */
static void set_defaults(struct ps_options *opts)
{
    char range_err[PS_ERRBUF_SIZE];

    memset(opts, 0, sizeof(*opts));
    opts->format = PS_FORMAT_TEXT;
    opts->max_fragments = CLI_DEFAULT_MAX_FRAGMENTS;
    opts->profile = CLI_DEFAULT_PROFILE;
    opts->sections = OUTPUT_SECTION_ALL;
    opts->ipfix_domain = 1;
    parse_ephemeral(CLI_DEFAULT_EPHEMERAL, &opts->ephemeral, range_err, sizeof(range_err));
}

/* portscope nat: both sides given, and nothing the main report reads. */
static int check_nat(const struct ps_options *opts, char *err, size_t errlen)
{
    if (opts->filter != NULL) {
        snprintf(err, errlen, "portscope nat takes no FILTER");
        return -1;
    }
    if (opts->n_nat_inside == 0 || opts->n_nat_outside == 0) {
        snprintf(err, errlen, "portscope nat needs both sides: --inside FILE --outside FILE");
        return -1;
    }
    return 0;
}

int cli_parse(int argc, char **argv, struct ps_options *opts, char *err, size_t errlen)
{
    struct getopt_spec spec;
    char buf[8];
    int c, rc = 0;

    set_defaults(opts);
    /* A subcommand is the first word: the options after it are parsed as the rest are. */
    if (argc > 1 && strcmp(argv[1], "nat") == 0) {
        opts->nat = true;
        argc--;
        argv++;
    }
    build_getopt(&spec);
    opterr = 0;
    optind = 0; /* glibc: 0, not 1, also forgets a half-read cluster such as "-hV" */
    while (rc == 0 && (c = getopt_long(argc, argv, spec.shortopts, spec.longopts, NULL)) != -1) {
        const struct cli_option *o = option_of(c);

        if (c == ':') {
            snprintf(err, errlen, "option '%s' needs a value", culprit(argv, buf, sizeof(buf)));
            return -1;
        }
        if (o == NULL) { /* '?' */
            if (optopt >= CLI_KEY_LONG)
                snprintf(err, errlen, "option '%s' takes no value", argv[optind - 1]);
            else
                snprintf(err, errlen, "unknown option '%s'", culprit(argv, buf, sizeof(buf)));
            return -1;
        }
        if (o->nat != opts->nat && (opts->nat || o->group == CLI_GROUP_NAT)) {
            snprintf(err, errlen,
                     opts->nat ? "option '--%s' does not apply to 'portscope nat'"
                               : "option '--%s' is for 'portscope nat'",
                     o->name != NULL ? o->name : "?");
            return -1;
        }
        rc = apply_option(o, optarg, opts, err, errlen);
    }
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (optind < argc) {
        opts->filter = join_filter(argc, argv, optind);
        if (opts->filter == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    apply_lifecycle(opts);
    /* nat's sentences go in any of its formats (JSON: its "explain" array). The HTML page always
     * has them, so --explain changes nothing there. */
    if (opts->explain && !opts->nat && opts->format != PS_FORMAT_TEXT &&
        opts->format != PS_FORMAT_HTML) {
        snprintf(err, errlen,
                 "--explain writes sentences into the text report or the HTML page, not --format "
                 "%s: drop --explain, or use --format text or html",
                 format_names[opts->format]);
        return -1;
    }
    if (opts->explain)
        opts->sections |= OUTPUT_SECTION_EXPLAIN;
    /* A stream forgets each flow once written: nothing is left to check expectations against. */
    if (opts->format == PS_FORMAT_JSONL && opts->n_expects > 0) {
        snprintf(err, errlen, "--expect needs the whole report: use --format text, json or csv");
        return -1;
    }
    return opts->nat ? check_nat(opts, err, errlen) : check_sources(opts, err, errlen);
}

void cli_release(struct ps_options *opts)
{
    free(opts->inputs);
    free(opts->services_files);
    free(opts->filter);
    free(opts->expects);
    free(opts->nat_inside);
    free(opts->nat_outside);
    report_select_release(&opts->select);
    memset(opts, 0, sizeof(*opts));
}
