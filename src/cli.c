/*
 * cli.c - command-line parsing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_MAX_FLOWS     10000000
#define DEFAULT_MAX_FRAGMENTS 65536

enum long_only {
    OPT_JSON = 256,
    OPT_FORMAT,
    OPT_EPHEMERAL,
    OPT_SERVICES,
    OPT_MAX_FLOWS,
    OPT_MAX_FRAGMENTS,
    OPT_THREADS,
    OPT_NO_DECAP,
    OPT_VLAN_IN_KEY,
    OPT_PROFILE,
    OPT_IDLE_TIMEOUT,
    OPT_ACTIVE_TIMEOUT,
    OPT_TOP,
    OPT_SORT,
    OPT_COLOR,
    OPT_SHOW,
    OPT_SERVICE,
    OPT_PORT,
    OPT_HOST,
    OPT_EXPECT,
    OPT_EXPECT_FILE,
    OPT_DURATION,
    OPT_INTERVAL,
};

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"ephemeral", required_argument, NULL, OPT_EPHEMERAL},
    {"services", required_argument, NULL, OPT_SERVICES},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"max-fragments", required_argument, NULL, OPT_MAX_FRAGMENTS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"no-decap", no_argument, NULL, OPT_NO_DECAP},
    {"vlan-in-key", no_argument, NULL, OPT_VLAN_IN_KEY},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"active-timeout", required_argument, NULL, OPT_ACTIVE_TIMEOUT},
    {"top", required_argument, NULL, OPT_TOP},
    {"sort", required_argument, NULL, OPT_SORT},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"show", required_argument, NULL, OPT_SHOW},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"port", required_argument, NULL, OPT_PORT},
    {"host", required_argument, NULL, OPT_HOST},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"expect-file", required_argument, NULL, OPT_EXPECT_FILE},
    {"quiet", no_argument, NULL, 'q'},
    {"interface", required_argument, NULL, 'i'},
    {"list-interfaces", no_argument, NULL, 'D'},
    {"count", required_argument, NULL, 'c'},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"snaplen", required_argument, NULL, 's'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"write", required_argument, NULL, 'w'},
    {"relinquish-privileges", required_argument, NULL, 'Z'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
    fputs(
        "Usage: portscope -r FILE [-r FILE ...] [options] [FILTER]\n"
        "       portscope -i IFACE [options] [FILTER]\n"
        "       portscope -D\n"
        "\n"
        "Reads packet captures (pcap or pcapng) and reports the conversations in them: each\n"
        "flow's client and server, their ports, and what those ports mean.\n"
        "\n"
        "Input:\n"
        "  -r, --read FILE        read a capture file; '-' reads standard input. Repeat to\n"
        "                         report over several files at once.\n"
        "  FILTER                 a BPF filter expression, as tcpdump takes it\n"
        "                         ('tcp port 443'): only the packets it accepts are analysed\n"
        "  -q, --quiet            no progress display on standard error\n"
        "\n"
        "Live capture (instead of -r; stops on Ctrl-C, SIGTERM, -c or --duration, and\n"
        "writes the full report then):\n"
        "  -i, --interface IFACE  capture on a network interface; 'any' for all (Linux)\n"
        "  -D, --list-interfaces  list the interfaces that can be captured on and exit\n"
        "  -c, --count N          stop after N packets\n"
        "      --duration SECONDS stop after that long (decimals allowed: 0.5)\n"
        "      --interval SECONDS every interval, a one-line summary of the capture so far on\n"
        "                         standard output (text format; with json, only the final\n"
        "                         report is written)\n"
        "  -s, --snaplen N        keep at most N bytes of each packet (default 262144)\n"
        "  -p, --no-promiscuous-mode  do not put the interface in promiscuous mode\n"
        "  -w, --write FILE       also save the packets to a pcap file (read it with -r)\n"
        "  -Z, --relinquish-privileges USER  when started as root, become USER once the\n"
        "                         device is open, before the first packet is decoded\n"
        "                         (default: no change)\n"
        "\n"
        "Output:\n"
        "  -o, --output FILE      write the report to FILE instead of standard output\n"
        "      --format FORMAT    text (default), json, jsonl (one line per flow, written as\n"
        "                         each flow ends) or csv (one row per flow)\n"
        "      --json             same as --format json\n"
        "\n"
        "Selecting what is reported (the summary still covers every packet analysed):\n"
        "      --service NAME     flows whose server port has this service name (http, dns)\n"
        "      --port N           flows with N as either port\n"
        "      --host ADDR        flows with ADDR (or a network ADDR/LEN) as either address\n"
        "                         Each may be repeated: any value of one option, all options.\n"
        "\n"
        "Text report:\n"
        "      --sort KEY         order of the flow table (and CSV rows): start (default),\n"
        "                         packets, bytes or duration (largest first)\n"
        "      --top N            only the first N flows of that order (text and CSV)\n"
        "      --show LIST        sections to print, of flows,services,clients,summary\n"
        "                         (default: all)\n"
        "      --color[=WHEN]     colour the text report: auto (default: when standard output\n"
        "                         is a terminal and NO_COLOR is not set), always, never\n"
        "\n"
        "Assertions for CI:\n"
        "      --expect EXPR      check the report, e.g. 'flows.tcp >= 3', 'service http',\n"
        "                         'no port 23', 'client-ports in linux'; may be repeated\n"
        "      --expect-file FILE one expectation a line ('#' starts a comment)\n"
        "\n"
        "Port labels:\n"
        "      --ephemeral RANGE  the client-port range in force: a profile (iana, linux,\n"
        "                         linux-old, windows, windows-xp, macos, freebsd, openbsd,\n"
        "                         solaris) or LO-HI; default iana (49152-65535)\n"
        "      --services FILE    add or override service names from a services(5) file\n"
        "                         (as /etc/services); may be repeated\n"
        "\n"
        "Decoding:\n"
        "      --no-decap         keep tunnelled packets (GRE, VXLAN, Geneve, GTP-U, IP in IP)\n"
        "                         in the tunnel's own flow instead of their inner flow\n"
        "      --vlan-in-key      make the VLAN id part of the flow key: the same conversation\n"
        "                         on two VLANs is two flows\n"
        "\n"
        "Flows:\n"
        "      --profile NAME     when a flow ends: zeek (default; idle timeouts tcp 300 s,\n"
        "                         udp, icmp and other 60 s, a closed TCP connection 5 s) or\n"
        "                         wireshark (no timeouts); in both a SYN with a new ISN\n"
        "                         starts a new flow\n"
        "      --idle-timeout T   end a flow idle for longer than T seconds; T is SECONDS for\n"
        "                         every protocol or PROTO=SECONDS[,...] (tcp, udp, icmp, other);\n"
        "                         0 means never\n"
        "      --active-timeout T end a flow that lasted longer than T seconds (same syntax);\n"
        "                         default never\n"
        "\n"
        "Limits:\n"
        "      --max-flows N      keep at most N flows; packets of further flows are counted\n"
        "                         as skipped (flow_limit); default 10000000\n"
        "      --max-fragments N  follow at most N fragmented datagrams at once; default 65536\n"
        "      --threads N        1: do everything on one thread; 2: read and decode capture\n"
        "                         files on a second thread and write JSON flows on two;\n"
        "                         default 2 when two processors are available, else 1\n"
        "\n"
        "  -h, --help             show this help and exit\n"
        "  -V, --version          show the version and exit\n"
        "\n"
        "Exit status: 0 report complete; 1 report written but an input could not be read to\n"
        "its end; 2 usage error; 3 no input could be read; 4 the report could not be written;\n"
        "5 out of memory; 6 report written but an --expect expectation does not hold;\n"
        "7 a live capture could not start (no such interface, not permitted, interface down).\n"
        "See portscope(1).\n",
        out);
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
static int parse_view_option(int c, const char *arg, struct ps_options *opts, char *err,
                             size_t errlen)
{
    char why[PS_ERRBUF_SIZE];
    struct select_host host;
    uint16_t port;
    int rc = 0;

    switch (c) {
    case OPT_TOP:
        if (!parse_size(arg, 1, SIZE_MAX, &opts->top)) {
            snprintf(err, errlen, "--top: '%s' is not a number of flows (1 or more)", arg);
            return -1;
        }
        return 0;
    case OPT_SORT:
        rc = select_parse_sort(arg, &opts->sort, why, sizeof(why));
        break;
    case OPT_SHOW:
        rc = select_parse_sections(arg, &opts->sections, why, sizeof(why));
        break;
    case OPT_COLOR:
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
    case OPT_SERVICE:
        if (select_add_service(&opts->select, arg) != 0)
            goto nomem;
        return 0;
    case OPT_PORT:
        rc = select_parse_port(arg, &port, why, sizeof(why));
        if (rc == 0 && select_add_port(&opts->select, port) != 0)
            goto nomem;
        break;
    case OPT_HOST:
        rc = select_parse_host(arg, &host, why, sizeof(why));
        if (rc == 0 && select_add_host(&opts->select, &host) != 0)
            goto nomem;
        break;
    default: /* OPT_EXPECT, OPT_EXPECT_FILE: parsed by main, which reads the files */
        if (!append_expect(opts, arg, c == OPT_EXPECT_FILE))
            goto nomem;
        return 0;
    }
    if (rc != 0) {
        for (const struct option *o = long_options; o->name != NULL; o++)
            if (o->val == c)
                snprintf(err, errlen, "--%s: %s", o->name, why);
    }
    return rc;

nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/*
 * The option getopt_long() just refused. The argument before optind is it when it was a long
 * option, or a short one standing alone; inside a cluster ("-zV") optind has not moved on, and
 * only optopt knows the letter.
 */
static const char *culprit(char **argv, char *buf, size_t len)
{
    const char *last = argv[optind - 1];

    if (strncmp(last, "--", 2) == 0) {
        for (const struct option *o = long_options; o->name != NULL; o++)
            if (o->val == optopt && strncmp(last + 2, o->name, strlen(o->name)) == 0)
                return last;
        if (optopt == 0)
            return last;
    }
    snprintf(buf, len, "-%c", optopt);
    return buf;
}

/* The value of a live-capture option; 0, or -1 with err. */
static int parse_live_option(int c, const char *arg, struct ps_options *opts, char *err,
                             size_t errlen)
{
    ps_time *seconds = c == OPT_DURATION ? &opts->duration : &opts->interval;
    size_t snaplen;

    switch (c) {
    case 'i':
        opts->interface = arg;
        return 0;
    case 'D':
        opts->list_interfaces = true;
        return 0;
    case 'c':
        if (!parse_size(arg, 1, SIZE_MAX, &opts->count)) {
            snprintf(err, errlen, "-c: '%s' is not a number of packets (1 or more)", arg);
            return -1;
        }
        return 0;
    case 's':
        if (!parse_size(arg, 0, PS_SNAPLEN_MAX, &snaplen)) {
            snprintf(err, errlen, "-s: '%s' is not a snapshot length from 0 to %d", arg,
                     PS_SNAPLEN_MAX);
            return -1;
        }
        opts->snaplen = (unsigned)snaplen;
        return 0;
    case 'p':
        opts->no_promisc = true;
        return 0;
    case 'w':
        opts->write_file = arg;
        return 0;
    case 'Z':
        opts->user = arg;
        return 0;
    default: /* OPT_DURATION, OPT_INTERVAL */
        /* Below a millisecond the timers could not honour it. */
        if (!parse_seconds(arg, seconds) || *seconds < 1000000) {
            snprintf(err, errlen, "--%s: '%s' is not a number of seconds (0.001 or more)",
                     c == OPT_DURATION ? "duration" : "interval", arg);
            *seconds = 0;
            return -1;
        }
        return 0;
    }
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

int cli_parse(int argc, char **argv, struct ps_options *opts, char *err, size_t errlen)
{
    char range_err[PS_ERRBUF_SIZE], buf[8];
    bool stdin_used = false;
    int c;

    memset(opts, 0, sizeof(*opts));
    opts->format = PS_FORMAT_TEXT;
    opts->max_flows = DEFAULT_MAX_FLOWS;
    opts->max_fragments = DEFAULT_MAX_FRAGMENTS;
    opts->profile = "zeek";
    opts->sections = SELECT_SECTION_ALL;
    ports_parse_ephemeral("iana", &opts->ephemeral, range_err, sizeof(range_err));

    opterr = 0;
    optind = 0; /* glibc: 0, not 1, also forgets a half-read cluster such as "-hV" */
    while ((c = getopt_long(argc, argv, ":r:o:qhVi:Dc:s:pw:Z:", long_options, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (strcmp(optarg, "-") == 0) {
                if (stdin_used) {
                    snprintf(err, errlen, "standard input can be read only once ('-r -')");
                    return -1;
                }
                stdin_used = true;
            }
            if (!append(&opts->inputs, &opts->n_inputs, optarg)) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            break;
        case 'o':
            opts->output = optarg;
            break;
        case OPT_JSON:
            opts->format = PS_FORMAT_JSON;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) {
                opts->format = PS_FORMAT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                opts->format = PS_FORMAT_JSON;
            } else if (strcmp(optarg, "csv") == 0) {
                opts->format = PS_FORMAT_CSV;
            } else if (strcmp(optarg, "jsonl") == 0) {
                opts->format = PS_FORMAT_JSONL;
            } else {
                snprintf(err, errlen, "unknown format '%s' (known: text, json, jsonl, csv)",
                         optarg);
                return -1;
            }
            break;
        case OPT_EPHEMERAL:
            if (ports_parse_ephemeral(optarg, &opts->ephemeral, range_err, sizeof(range_err)) !=
                0) {
                snprintf(err, errlen, "--ephemeral: %s", range_err);
                return -1;
            }
            break;
        case OPT_SERVICES:
            if (!append(&opts->services_files, &opts->n_services_files, optarg)) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            break;
        case OPT_MAX_FLOWS:
            if (!parse_size(optarg, 1, UINT32_MAX - 1, &opts->max_flows)) {
                snprintf(err, errlen, "--max-flows: '%s' is not a number from 1 to %u", optarg,
                         UINT32_MAX - 1);
                return -1;
            }
            break;
        case OPT_MAX_FRAGMENTS:
            if (!parse_size(optarg, 1, UINT32_MAX - 1, &opts->max_fragments)) {
                snprintf(err, errlen, "--max-fragments: '%s' is not a number from 1 to %u", optarg,
                         UINT32_MAX - 1);
                return -1;
            }
            break;
        case OPT_THREADS:
            if (!parse_size(optarg, 1, 2, &opts->threads)) {
                snprintf(err, errlen, "--threads: '%s' is not 1 or 2", optarg);
                return -1;
            }
            break;
        case OPT_NO_DECAP:
            opts->no_decap = true;
            break;
        case OPT_VLAN_IN_KEY:
            opts->vlan_in_key = true;
            break;
        case OPT_PROFILE:
            if (strcmp(optarg, "zeek") != 0 && strcmp(optarg, "wireshark") != 0) {
                snprintf(err, errlen, "--profile: unknown profile '%s' (known: zeek, wireshark)",
                         optarg);
                return -1;
            }
            opts->profile = optarg;
            break;
        case OPT_IDLE_TIMEOUT:
        case OPT_ACTIVE_TIMEOUT:
            if (parse_timeouts(optarg, c == OPT_ACTIVE_TIMEOUT, opts, err, errlen) != 0)
                return -1;
            break;
        case OPT_TOP:
        case OPT_SORT:
        case OPT_COLOR:
        case OPT_SHOW:
        case OPT_SERVICE:
        case OPT_PORT:
        case OPT_HOST:
        case OPT_EXPECT:
        case OPT_EXPECT_FILE:
            if (parse_view_option(c, optarg, opts, err, errlen) != 0)
                return -1;
            break;
        case 'i':
        case 'D':
        case 'c':
        case 's':
        case 'p':
        case 'w':
        case 'Z':
        case OPT_DURATION:
        case OPT_INTERVAL:
            if (parse_live_option(c, optarg, opts, err, errlen) != 0)
                return -1;
            break;
        case 'q':
            opts->quiet = true;
            break;
        case 'h':
            opts->help = true;
            return 0;
        case 'V':
            opts->version = true;
            return 0;
        case ':':
            snprintf(err, errlen, "option '%s' needs a value", culprit(argv, buf, sizeof(buf)));
            return -1;
        default:
            if (optopt >= 256)
                snprintf(err, errlen, "option '%s' takes no value", argv[optind - 1]);
            else
                snprintf(err, errlen, "unknown option '%s'", culprit(argv, buf, sizeof(buf)));
            return -1;
        }
    }
    if (optind < argc) {
        opts->filter = join_filter(argc, argv, optind);
        if (opts->filter == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    apply_lifecycle(opts);
    /* A stream forgets each flow once written: nothing is left to check expectations against. */
    if (opts->format == PS_FORMAT_JSONL && opts->n_expects > 0) {
        snprintf(err, errlen, "--expect needs the whole report: use --format text, json or csv");
        return -1;
    }
    return check_sources(opts, err, errlen);
}

void cli_release(struct ps_options *opts)
{
    free(opts->inputs);
    free(opts->services_files);
    free(opts->filter);
    free(opts->expects);
    select_release(&opts->select);
    memset(opts, 0, sizeof(*opts));
}
