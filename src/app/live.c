/*
 * live.c - the live capture run: the poll loop, its stop conditions and timers, the signal
 * handlers that end it cleanly, and the privilege drop.
 *
 * The loop waits in poll(2) on the capture's descriptor and on a pipe the signal handler writes
 * to (the self-pipe trick), with a timeout that ends at the next interval or at the end of
 * --duration. A signal that arrives between the check of the stop flag and poll() still wakes
 * poll(), through the pipe.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"

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
static int read_ready(struct capture *c, struct analyzer *a, struct report_input *in, uint64_t max)
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
static uint64_t allowed(const struct live_limits *limits, const struct report_input *in)
{
    return limits->count == 0 ? UINT64_MAX : limits->count - in->packets;
}

static void record_stats(struct report_input *in, const struct capture_stats *st)
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
static int drain(struct capture *c, struct analyzer *a, struct report_input *in,
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

enum live_stop live_run(struct capture *c, struct analyzer *a, struct report_input *in,
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

int live_lookup_user(const char *name, struct live_user *u, char *err, size_t errlen)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(name);
    if (pw == NULL) {
        if (errno != 0)
            snprintf(err, errlen, "cannot look up user '%s': %s", name, strerror(errno));
        else
            snprintf(err, errlen, "no such user '%s'", name);
        return -1;
    }
    u->name = name;
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
    return 0;
}

int live_drop_privileges(const struct live_user *u, char *err, size_t errlen)
{
    if (initgroups(u->name, u->gid) != 0) {
        snprintf(err, errlen, "cannot take the groups of user '%s': %s", u->name, strerror(errno));
        return -1;
    }
    if (setgid(u->gid) != 0) {
        snprintf(err, errlen, "cannot change to group %ju: %s", (uintmax_t)u->gid, strerror(errno));
        return -1;
    }
    if (setuid(u->uid) != 0) {
        snprintf(err, errlen, "cannot change to user '%s': %s", u->name, strerror(errno));
        return -1;
    }
    /* setuid() from root to another user is final; make sure, rather than trust it. */
    if (u->uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "root privileges could not be given up");
        return -1;
    }
    return 0;
}

int live_write_snapshot_text(const struct live_progress *p, FILE *out)
{
    const struct report_totals *t = &p->analyzer->totals;
    size_t n = flow_table_count(p->analyzer->table);
    size_t tcp = flow_table_count_class(p->analyzer->table, FLOW_CLASS_TCP);
    size_t udp = flow_table_count_class(p->analyzer->table, FLOW_CLASS_UDP);
    uint64_t skipped = 0;

    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        skipped += t->skipped_packets[i];
    fprintf(out,
            "[%" PRIu64 ".%01" PRIu64 " s] %s: %" PRIu64 " packets (%" PRIu64
            " bytes) in %zu flows: %zu tcp, %zu udp, %zu other; %" PRIu64 " skipped",
            p->elapsed_ms / 1000, p->elapsed_ms % 1000 / 100, p->input->path, t->packets, t->bytes,
            n, tcp, udp, n - tcp - udp, skipped);
    if (p->have_stats)
        fprintf(out, "; kernel: %" PRIu64 " received, %" PRIu64 " dropped", p->stats.received,
                p->stats.dropped);
    fputc('\n', out);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
