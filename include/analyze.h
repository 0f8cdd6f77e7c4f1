/*
 * analyze.h - the packet path: each packet from a capture is decoded, then either joins its flow
 * or is counted under the reason it could not. Shared by the program and the fuzz targets.
 */
#ifndef PS_ANALYZE_H
#define PS_ANALYZE_H

#include "capture.h"
#include "flow.h"
#include "report.h"

struct analyzer {
    struct flow_table *table;
    struct report_totals totals;
};

/* Returns 0, or -1 when out of memory. */
int analyzer_init(struct analyzer *a, size_t max_flows, uint64_t seed);
void analyzer_release(struct analyzer *a);

/* Prepares the record of one input before it is read. */
void analyzer_input_init(struct report_input *in, const char *path);

/* Accounts one packet to the totals, the input and its flow. */
void analyzer_packet(struct analyzer *a, const struct capture_packet *pkt, struct report_input *in);

/*
 * Reads a capture to its end. Returns 0 when it ended cleanly, -1 when it could not be read
 * further (in->complete false, in->error says why).
 */
int analyzer_read(struct analyzer *a, struct capture *c, struct report_input *in);

#endif
