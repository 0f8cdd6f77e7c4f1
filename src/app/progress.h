/*
 * progress.h - the one-line progress display for long reads: when to draw it and what it says.
 * The caller prints it (to standard error, when that is a terminal and -q was not given).
 */
#ifndef PS_PROGRESS_H
#define PS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_DELAY  1.0  /* seconds of reading before the line first shows */
#define PROGRESS_PERIOD 0.25 /* seconds between redraws */

struct progress {
    const char *name;
    long long total; /* bytes of the input, or -1 when unknown (a pipe) */
    double start, last_draw;
    uint64_t packets_at_start;
    bool drawn; /* a line is on the screen: clear it when done */
};

/* Seconds on a monotonic clock. */
double progress_now(void);

/* Starts a new input, `packets` having been analysed before it. */
void progress_begin(struct progress *p, const char *name, long long total, uint64_t packets,
                    double now);

/*
 * Returns true, with the line in buf (at most `columns` - 1 characters), when it is time to draw
 * it: `done` bytes read (-1 unknown), `packets` analysed in all, `flows` so far.
 */
bool progress_line(struct progress *p, double now, long long done, uint64_t packets, size_t flows,
                   size_t columns, char *buf, size_t len);

#endif
