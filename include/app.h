/*
 * app.h - the application: the command line and the session it asks for, from the inputs through
 * the analysis and the report to the output. What main() and the fuzz targets call.
 *
 * The command line: options in, a struct ps_options out. Every option is one row of the option
 * table (src/app/cli_options.h, cli_options.c): getopt_long()'s options and --help are built from
 * it here, the man page's OPTIONS section and the bash completion by gen-options.
 */
#ifndef PS_APP_H
#define PS_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "flow.h"
#include "ports.h"
#include "base.h"
#include "report.h"

/* Exit statuses, documented in doc/portscope.1. */
enum ps_exit {
    PS_EXIT_OK = 0,         /* report written, every input read to its end */
    PS_EXIT_INCOMPLETE = 1, /* report written, but some input could not be read to its end */
    PS_EXIT_USAGE = 2,      /* bad command line */
    PS_EXIT_NO_INPUT = 3,   /* no input could be read at all: no report */
    PS_EXIT_OUTPUT = 4,     /* the report could not be written */
    PS_EXIT_INTERNAL = 5,   /* out of memory */
    PS_EXIT_EXPECT = 6,     /* report written, but an --expect expectation does not hold */
    PS_EXIT_DEVICE = 7,     /* a live capture could not start: no such interface, not permitted,
                               interface down */
    PS_EXIT_EXPORT = 8,     /* --ipfix: the collector's name did not resolve (no report), or its
                               host refused the flows (report written) */
    PS_EXIT_UNPAIRED = 9,   /* portscope nat: no table: the same capture twice, a side without
                               flows, or captures that share no connection */
};

enum ps_format {
    PS_FORMAT_TEXT,
    PS_FORMAT_JSON,
    PS_FORMAT_CSV,
    PS_FORMAT_JSONL,
    PS_FORMAT_ZEEK,      /* Zeek's conn.log, its TSV form */
    PS_FORMAT_ZEEK_JSON, /* Zeek's conn.log, its JSON form */
    PS_FORMAT_HTML,      /* one self-contained page (doc/html-report.md) */
};

/* --color: auto colours the text report only when it goes to a terminal and NO_COLOR is unset. */
enum ps_color {
    PS_COLOR_AUTO,
    PS_COLOR_ALWAYS,
    PS_COLOR_NEVER,
};

/* One --expect EXPR or --expect-file FILE, in command-line order. */
struct ps_expect_arg {
    const char *value;
    bool file;
};

struct ps_options {
    const char **inputs; /* -r, in order; "-" is standard input */
    size_t n_inputs;
    const char *output; /* -o, NULL for standard output */
    enum ps_format format;
    struct port_range ephemeral;
    const char **services_files; /* --services, in order */
    size_t n_services_files;
    size_t max_flows; /* --max-flows; 0: auto, from the memory available */
    size_t max_fragments;
    size_t threads; /* --threads; 0: as many as help, up to 2 (ps_default_threads()) */
    bool no_decap, vlan_in_key;
    const char *profile;               /* --profile: "zeek" (default) or "wireshark" */
    ps_time timeouts[2][FLOW_CLASSES]; /* --idle-timeout [0], --active-timeout [1], as given */
    unsigned timeouts_set[2];          /* which classes were given, bit per enum flow_class */
    struct flow_lifecycle lifecycle;   /* the profile with the timeouts given applied */
    bool help, version;

    char *filter;                  /* the trailing arguments joined by spaces (BPF), or NULL */
    struct report_select select;   /* --service, --port, --host */
    struct ps_expect_arg *expects; /* --expect and --expect-file */
    size_t n_expects;
    enum report_sort sort; /* --sort */
    size_t top;            /* --top; 0: every flow */
    unsigned sections;     /* --show: OUTPUT_SECTION_* bits */
    bool explain; /* --explain: OUTPUT_SECTION_EXPLAIN added to the sections; nat: its sentences */
    enum ps_color color;        /* --color */
    bool quiet;                 /* -q: no progress display */
    const char *ipfix;          /* --ipfix HOST:PORT, or NULL */
    uint32_t ipfix_domain;      /* --ipfix-domain; 1 by default */
    uint16_t community_id_seed; /* --community-id-seed */
    bool community_id_hex;      /* --community-id-format hex */

    /* Live capture. */
    const char *interface;      /* -i, NULL when reading files */
    bool list_interfaces;       /* -D */
    size_t count;               /* -c: stop after this many packets; 0: no limit */
    ps_time duration, interval; /* --duration, --interval, in nanoseconds; 0: none */
    unsigned snaplen;           /* -s; 0: the default, CAPTURE_SNAPLEN */
    bool no_promisc;            /* -p */
    const char *write_file;     /* -w */
    const char *user;           /* -Z: the user to become once the device is open */

    /* portscope nat: the two sides' files (--inside, --outside); --explain is the report's. */
    bool nat;
    const char **nat_inside, **nat_outside;
    size_t n_nat_inside, n_nat_outside;

    /* Set by programs that run the session themselves (the fuzz targets), by no option. */
    uint64_t seed;     /* the flow hash's seed; 0: a new random one each run */
    bool exact_copies; /* each packet read into a buffer of its exact size (for ASan) */
};

/*
 * Parses argv. Returns 0, or -1 with a message in err for a usage error. The options point into
 * argv; release them with cli_release().
 */
int cli_parse(int argc, char **argv, struct ps_options *opts, char *err, size_t errlen);
void cli_release(struct ps_options *opts);

/* The --help text, written from the option table (cli_doc.c); portscope nat's own. */
void cli_usage(FILE *out);
void cli_usage_nat(FILE *out);

/*
 * Runs what the options ask (everything but --help and --version): lists the interfaces, or reads
 * every input, writes the report and checks the expectations. Diagnostics go to standard error.
 * Returns the exit status, an enum ps_exit.
 */
int app_run(const struct ps_options *opts);

/*
 * --max-flows auto (the default, ps_options.max_flows 0): the flows that fit in three quarters of
 * the memory available when the run starts, at APP_BYTES_PER_FLOW each (a kept flow's compact
 * copy, its share of the indexes and of the report, with room to spare: bench/README.md has the
 * measured figures), within the bounds below; the largest is what flow ids can number.
 */
#define APP_BYTES_PER_FLOW 256
#define APP_MAX_FLOWS_MIN  ((size_t)1000000)
#define APP_MAX_FLOWS_MAX  ((size_t)UINT32_MAX - 1)

/* The memory available now (MemAvailable), in bytes; 0 when it cannot be told (memory.c). */
uint64_t app_available_memory(void);
/* The flow limit --max-flows auto chooses when `available` bytes are available. */
size_t app_max_flows_for(uint64_t available);

#endif
