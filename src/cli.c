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
    OPT_NO_DECAP,
    OPT_VLAN_IN_KEY,
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
    {"no-decap", no_argument, NULL, OPT_NO_DECAP},
    {"vlan-in-key", no_argument, NULL, OPT_VLAN_IN_KEY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
    fputs("Usage: portscope -r FILE [-r FILE ...] [options]\n"
          "\n"
          "Reads packet captures (pcap or pcapng) and reports the conversations in them: each\n"
          "flow's client and server, their ports, and what those ports mean.\n"
          "\n"
          "Input:\n"
          "  -r, --read FILE        read a capture file; '-' reads standard input. Repeat to\n"
          "                         report over several files at once.\n"
          "\n"
          "Output:\n"
          "  -o, --output FILE      write the report to FILE instead of standard output\n"
          "      --format FORMAT    text (default) or json\n"
          "      --json             same as --format json\n"
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
          "Limits:\n"
          "      --max-flows N      keep at most N flows; packets of further flows are counted\n"
          "                         as skipped (flow_limit); default 10000000\n"
          "      --max-fragments N  follow at most N fragmented datagrams at once; default 65536\n"
          "\n"
          "  -h, --help             show this help and exit\n"
          "  -V, --version          show the version and exit\n"
          "\n"
          "Exit status: 0 report complete; 1 report written but an input could not be read to\n"
          "its end; 2 usage error; 3 no input could be read; 4 the report could not be written;\n"
          "5 out of memory. See portscope(1).\n",
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

int cli_parse(int argc, char **argv, struct ps_options *opts, char *err, size_t errlen)
{
    char range_err[PS_ERRBUF_SIZE], buf[8];
    bool stdin_used = false;
    int c;

    memset(opts, 0, sizeof(*opts));
    opts->format = PS_FORMAT_TEXT;
    opts->max_flows = DEFAULT_MAX_FLOWS;
    opts->max_fragments = DEFAULT_MAX_FRAGMENTS;
    ports_parse_ephemeral("iana", &opts->ephemeral, range_err, sizeof(range_err));

    opterr = 0;
    optind = 0; /* glibc: 0, not 1, also forgets a half-read cluster such as "-hV" */
    while ((c = getopt_long(argc, argv, ":r:o:hV", long_options, NULL)) != -1) {
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
            } else {
                snprintf(err, errlen, "unknown format '%s' (known: text, json)", optarg);
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
        case OPT_NO_DECAP:
            opts->no_decap = true;
            break;
        case OPT_VLAN_IN_KEY:
            opts->vlan_in_key = true;
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
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (opts->n_inputs == 0) {
        snprintf(err, errlen, "no input: give a capture file with -r FILE");
        return -1;
    }
    return 0;
}

void cli_release(struct ps_options *opts)
{
    free(opts->inputs);
    free(opts->services_files);
    memset(opts, 0, sizeof(*opts));
}
