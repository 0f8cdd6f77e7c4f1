/*
 * progress.c - the progress line: shown only once an input has taken PROGRESS_DELAY seconds, so
 * short reads (and the tests) never see it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "progress.h"

double progress_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, const char *name, long long total, uint64_t packets,
                    double now)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    p->total = total;
    p->start = now;
    p->packets_at_start = packets;
}

static void size_text(long long bytes, char *buf, size_t len)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB"};
    double v = (double)bytes / 1000;
    size_t u = 0;

    if (bytes < 1000) {
        snprintf(buf, len, "%lld B", bytes);
        return;
    }
    while (v >= 999.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000;
        u++;
    }
    snprintf(buf, len, "%.1f %s", v, units[u]);
}

bool progress_line(struct progress *p, double now, long long done, uint64_t packets, size_t flows,
                   size_t columns, char *buf, size_t len)
{
    double elapsed = now - p->start;
    char read[32], total[32];
    uint64_t rate;

    if (elapsed < PROGRESS_DELAY || (p->drawn && now - p->last_draw < PROGRESS_PERIOD))
        return false;
    p->drawn = true;
    p->last_draw = now;
    rate = (uint64_t)((double)(packets - p->packets_at_start) / elapsed);
    if (done < 0) {
        snprintf(buf, len, "reading %s: %" PRIu64 " packets/s, %zu flows", p->name, rate, flows);
    } else {
        size_text(done, read, sizeof(read));
        if (p->total > 0) {
            size_text(p->total, total, sizeof(total));
            snprintf(buf, len, "reading %s: %s of %s (%d%%), %" PRIu64 " packets/s, %zu flows",
                     p->name, read, total, (int)(done * 100 / p->total), rate, flows);
        } else {
            snprintf(buf, len, "reading %s: %s, %" PRIu64 " packets/s, %zu flows", p->name, read,
                     rate, flows);
        }
    }
    /* A line longer than the terminal would wrap, and "\r" could not take it back. */
    if (columns > 1 && strlen(buf) > columns - 1)
        buf[columns - 1] = '\0';
    return true;
}
