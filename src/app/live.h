/*
 * live.h - the live capture run: reads an interface into the analyzer until a signal (SIGINT,
 * SIGTERM), a packet count (-c) or a duration (--duration) stops it, calling a hook at every
 * --interval; and the privilege drop (-Z) that comes between opening the device and reading it.
 */
#ifndef PS_LIVE_H
#define PS_LIVE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "analyze.h"
#include "capture.h"
#include "session.h"

struct live_limits {
    uint64_t count;       /* -c: stop after this many packets; 0: no limit */
    uint64_t duration_ms; /* --duration; 0: none */
    uint64_t interval_ms; /* --interval; 0: no snapshots */
};

/* What the interval hook sees: the run so far. */
struct live_progress {
    uint64_t elapsed_ms; /* since the capture started */
    uint64_t snapshot;   /* 1 for the first interval */
    const struct analyzer *analyzer;
    const struct analyze_input *input;
    struct capture_stats stats; /* the kernel's counters now; valid when have_stats */
    bool have_stats;
};

/*
 * Called at the end of every interval, and only then: the place where a format writes what it
 * shows while the capture goes on (text: a summary line; jsonl: the flows that ended and a
 * running summary). Returns 0, or -1 to stop the capture (it could not write).
 */
typedef int (*live_interval_fn)(void *ctx, const struct live_progress *p);

enum live_stop {
    LIVE_STOP_SIGNAL,   /* SIGINT or SIGTERM */
    LIVE_STOP_COUNT,    /* -c packets were read */
    LIVE_STOP_DURATION, /* --duration is over */
    LIVE_STOP_ERROR,    /* the capture failed: in->error says why */
    LIVE_STOP_HOOK,     /* the interval hook asked to stop */
};

/*
 * Installs the SIGINT and SIGTERM handlers that stop live_run() cleanly, also when the signal
 * comes after it ended (while the report is written: it is finished). The first signal gives
 * SIGINT back its default action, so a second Ctrl-C ends the process at once; SIGTERM only ever
 * asks to stop. Returns 0, or -1 with err.
 */
int live_signals_install(char *err, size_t errlen);

/*
 * Reads the capture into the analyzer until something stops it; `in` records the input (format
 * "live", complete unless the capture failed, and the kernel's counters when it stopped). Packets
 * already captured when a signal or the duration stops the run are still read.
 */
enum live_stop live_run(struct capture *c, struct analyzer *a, struct analyze_input *in,
                        const struct live_limits *limits, live_interval_fn hook, void *ctx);

/* -D: the interfaces, numbered as tcpdump -D numbers them. Returns the exit status. */
int live_list_interfaces(void);

/*
 * -i: captures into the analyzer until a signal, -c or --duration stops it, with -Z, -w and
 * --interval. Returns PS_EXIT_OK when there is a report to write (in->complete false when the
 * capture failed part way), or the exit status when the capture could not start.
 */
int live_capture_interface(const struct session_output *o, struct analyzer *a,
                           struct analyze_input *in);

#endif
