/*
 * live.c - the live capture run: the device opened, -Z, -w and the filter applied, then the
 * poll loop, its stop conditions and timers, the signal handlers that end it cleanly, and the
 * --interval snapshots; and -D's list of interfaces.
 *
 * The loop waits in poll(2) on the capture's descriptor and on a pipe the signal handler writes
 * to (the self-pipe trick), with a timeout that ends at the next interval or at the end of
 * --duration. A signal that arrives between the check of the stop flag and poll() still wakes
 * poll(), through the pipe.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "live.h"
#include "privileges.h"

/* Packets read between two looks at the clock and the stop flag, so a busy link cannot starve
   them. */
#define BATCH 256

static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    struct sigaction dfl;
    int saved = errno;
    ssize_t n;

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    if (stop_signal == 0)
        stop_signal = sig;
    /*
     * A second Ctrl-C ends us at once: SIGINT takes its default action from now on. SIGTERM does
     * not, because senders such as timeout(1) deliver it twice (to us and to our process group),
     * and the second must not cost the report.
     */
    sigaction(SIGINT, &dfl, NULL);
    n = write(wake_pipe[1], "", 1); /* full pipe: a wake-up is already pending */
    (void)n;
    errno = saved;
}

int live_signals_install(char *err, size_t errlen)
{
    struct sigaction sa;

    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    stop_signal = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        snprintf(err, errlen, "cannot install the signal handlers: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Reads up to `max` packets that are ready (0: no limit but the batch). Returns 1 when it
 * stopped at its limit (more may be ready), 0 when none is ready, -1 when the capture failed.
 */
static int read_ready(struct capture *c, struct analyzer *a, struct analyze_input *in, uint64_t max)
{
    struct capture_packet pkt;
    uint64_t n = 0;
    int rc = 0;

    if (max == 0 || max > BATCH)
        max = BATCH;
    while (n < max && (rc = capture_next(c, &pkt)) == 1) {
        analyzer_packet(a, &pkt, in);
        n++;
    }
    if (n == max)
        return 1;
    return rc < 0 ? -1 : 0;
}

/* Packets still allowed by -c (UINT64_MAX without -c); at least 1 while the run goes on. */
static uint64_t allowed(const struct live_limits *limits, const struct analyze_input *in)
{
    return limits->count == 0 ? UINT64_MAX : limits->count - in->packets;
}

static void record_stats(struct analyze_input *in, const struct capture_stats *st)
{
    in->received = st->received;
    in->dropped = st->dropped;
    in->if_dropped = st->if_dropped;
}

/*
 * Reads what the kernel had already captured when the run was told to stop: the packets it
 * counted as received and did not drop, less those read. Stops early when the buffer runs dry
 * (the counters can include packets libpcap discarded while it installed the filter).
 */
static int drain(struct capture *c, struct analyzer *a, struct analyze_input *in,
                 const struct live_limits *limits, const struct capture_stats *st)
{
    uint64_t kept = st->received - (st->dropped < st->received ? st->dropped : st->received);
    int rc = 1;

    while (rc == 1 && in->packets < kept && allowed(limits, in) > 0) {
        uint64_t want = kept - in->packets;

        if (want > allowed(limits, in))
            want = allowed(limits, in);
        rc = read_ready(c, a, in, want);
    }
    return rc < 0 ? -1 : 0;
}

static int poll_timeout(uint64_t now, uint64_t deadline, uint64_t next_snapshot)
{
    uint64_t wait = UINT64_MAX;

    if (deadline != 0)
        wait = deadline > now ? deadline - now : 0;
    if (next_snapshot != 0 && (next_snapshot > now ? next_snapshot - now : 0) < wait)
        wait = next_snapshot > now ? next_snapshot - now : 0;
    if (wait == UINT64_MAX)
        return -1;
    return wait > INT_MAX ? INT_MAX : (int)wait;
}

enum live_stop live_run(struct capture *c, struct analyzer *a, struct analyze_input *in,
                        const struct live_limits *limits, live_interval_fn hook, void *ctx)
{
    uint64_t start = now_ms(), snapshots = 0;
    uint64_t deadline = limits->duration_ms != 0 ? start + limits->duration_ms : 0;
    uint64_t next_snapshot = limits->interval_ms != 0 ? start + limits->interval_ms : 0;
    struct pollfd fds[2] = {
        {.fd = capture_live_fd(c), .events = POLLIN},
        {.fd = wake_pipe[0], .events = POLLIN},
    };
    struct capture_stats st;
    char err[PS_ERRBUF_SIZE];
    enum live_stop stop;

    in->format = capture_format_name(CAPTURE_FORMAT_LIVE);
    in->live = true;
    in->nanosecond = capture_nanosecond(c);
    in->linktypes[0] = capture_linktype(c);
    in->n_linktypes = 1;
    for (;;) {
        int rc = read_ready(c, a, in, allowed(limits, in));
        uint64_t now;

        if (rc < 0) {
            stop = LIVE_STOP_ERROR;
            break;
        }
        if (allowed(limits, in) == 0) {
            stop = LIVE_STOP_COUNT;
            break;
        }
        if (stop_signal != 0) {
            stop = LIVE_STOP_SIGNAL;
            break;
        }
        now = now_ms();
        if (deadline != 0 && now >= deadline) {
            stop = LIVE_STOP_DURATION;
            break;
        }
        if (next_snapshot != 0 && now >= next_snapshot) {
            struct live_progress p = {
                .elapsed_ms = now - start,
                .snapshot = ++snapshots,
                .analyzer = a,
                .input = in,
            };

            p.have_stats = capture_live_stats(c, &p.stats, err, sizeof(err)) == 0;
            if (hook(ctx, &p) != 0) {
                stop = LIVE_STOP_HOOK;
                break;
            }
            /* A slow hook skips the intervals it overran rather than bunching them up. */
            while (next_snapshot <= now)
                next_snapshot += limits->interval_ms;
        }
        if (rc == 1)
            continue;
        if (poll(fds, 2, poll_timeout(now, deadline, next_snapshot)) < 0 && errno != EINTR) {
            snprintf(in->error, sizeof(in->error), "cannot wait for packets: %s", strerror(errno));
            in->complete = false;
            return LIVE_STOP_ERROR;
        }
    }

    if (capture_live_stats(c, &st, err, sizeof(err)) == 0)
        record_stats(in, &st);
    else
        st = (struct capture_stats){.received = UINT64_MAX}; /* unknown: drain till empty */
    if ((stop == LIVE_STOP_SIGNAL || stop == LIVE_STOP_DURATION) &&
        drain(c, a, in, limits, &st) != 0)
        stop = LIVE_STOP_ERROR;
    if (stop == LIVE_STOP_ERROR) {
        snprintf(in->error, sizeof(in->error), "%s", capture_error(c));
        in->complete = false;
    } else {
        in->complete = true;
    }
    return stop;
}

int live_list_interfaces(void)
{
    struct capture_device *devs;
    char err[PS_ERRBUF_SIZE];
    size_t n;

    if (capture_list_devices(&devs, &n, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: cannot list the interfaces: %s\n", session_prog, err);
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
static int show_progress(void *ctx, const struct live_progress *p)
{
    const struct session_output *o = ctx;
    const struct ps_options *opts = o->opts;

    if (opts->format == PS_FORMAT_JSONL) {
        if (output_jsonl_interval(o->jsonl, p->snapshot, p->elapsed_ms, &p->analyzer->totals) == 0)
            return 0;
        fprintf(stderr, "%s: cannot write the report: %s\n", session_prog, strerror(errno));
        return -1;
    }
    if (opts->format != PS_FORMAT_TEXT)
        return 0;
    if (output_text_snapshot(p->input, &p->analyzer->totals, p->analyzer->table, p->elapsed_ms,
                             p->have_stats ? &p->stats : NULL, stdout) != 0) {
        fprintf(stderr, "%s: cannot write to standard output: %s\n", session_prog, strerror(errno));
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
        fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", session_prog, path,
                strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * The open device made ready: the filter applied, -Z's user become, the -w file and -o's report
 * opened, the signals caught. PS_EXIT_OK, or the exit status after a message.
 */
static int prepare_capture(const struct ps_options *opts, struct capture *c,
                           const struct privileges_user *user)
{
    char err[PS_ERRBUF_SIZE];

    if (opts->filter != NULL && capture_set_filter(c, opts->filter, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: bad filter '%s': %s\n", session_prog, opts->filter, err);
        return PS_EXIT_USAGE;
    }
    /* As tcpdump: files are created by the user we become, so that user must be able to. */
    if (opts->user != NULL && geteuid() == 0 && privileges_drop(user, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: -Z: %s\n", session_prog, err);
        return PS_EXIT_DEVICE;
    }
    if (opts->write_file != NULL &&
        capture_live_dump_open(c, opts->write_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: cannot open '%s' for writing: %s\n", session_prog, opts->write_file,
                err);
        return PS_EXIT_OUTPUT;
    }
    if (opts->output != NULL && check_output(opts->output) != 0)
        return PS_EXIT_OUTPUT;
    if (live_signals_install(err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", session_prog, err);
        return PS_EXIT_INTERNAL;
    }
    return PS_EXIT_OK;
}

/* What went wrong or was lost during the capture, on standard error. */
static void warn_capture_end(const struct ps_options *opts, struct analyze_input *in)
{
    if (in->error[0] != '\0') {
        in->complete = false;
        fprintf(stderr, "%s: '%s': %s; the report covers the %llu packets before it\n",
                session_prog, opts->interface, in->error, (unsigned long long)in->packets);
    }
    if (in->dropped != 0)
        fprintf(stderr,
                "%s: '%s': the kernel dropped %llu of %llu packets; the report does not cover "
                "them (a filter or -s can help)\n",
                session_prog, opts->interface, (unsigned long long)in->dropped,
                (unsigned long long)in->received);
    session_warn_unsupported_linktypes(in);
}

int live_capture_interface(const struct session_output *o, struct analyzer *a,
                           struct analyze_input *in)
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
    struct privileges_user user;
    struct capture *c;
    int status;

    analyzer_input_init(in, opts->interface);
    if (opts->user != NULL && privileges_lookup_user(opts->user, &user, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: -Z: %s\n", session_prog, err);
        return PS_EXIT_USAGE;
    }
    c = capture_open_live(&options, &why, warning, sizeof(warning), err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "%s: cannot capture on '%s': %s\n", session_prog, opts->interface, err);
        return why == CAPTURE_LIVE_NOMEM ? PS_EXIT_INTERNAL : PS_EXIT_DEVICE;
    }
    if (warning[0] != '\0')
        fprintf(stderr, "%s: '%s': %s\n", session_prog, opts->interface, warning);
    status = prepare_capture(opts, c, &user);
    if (status != PS_EXIT_OK) {
        capture_close(c);
        return status;
    }
    if (!opts->quiet)
        fprintf(stderr, "%s: listening on %s, link type %s (%s), snapshot length %d bytes\n",
                session_prog, opts->interface, linktype_name(capture_linktype(c)),
                linktype_description(capture_linktype(c)), capture_live_snaplen(c));
    if (o->jsonl != NULL) {
        o->jsonl->report.nanosecond |= capture_nanosecond(c);
        output_jsonl_live(o->jsonl);
    }
    if (live_run(c, a, in, &limits, show_progress, (void *)o) == LIVE_STOP_HOOK)
        snprintf(in->error, sizeof(in->error),
                 "stopped: the --interval summary could not be written");
    if (capture_live_dump_flush(c) != 0)
        snprintf(in->error, sizeof(in->error), "cannot write '%s': %s", opts->write_file,
                 strerror(errno));
    warn_capture_end(opts, in);
    capture_close(c);
    return PS_EXIT_OK;
}
