/*
 * analyze.c - from captured packets to flows and counters.
 */
#include <string.h>

#include "analyze.h"
#include "decode.h"

int analyzer_init(struct analyzer *a, size_t max_flows, uint64_t seed)
{
    memset(a, 0, sizeof(*a));
    a->table = flow_table_new(max_flows, seed);
    return a->table != NULL ? 0 : -1;
}

void analyzer_release(struct analyzer *a)
{
    flow_table_free(a->table);
    a->table = NULL;
}

void analyzer_input_init(struct report_input *in, const char *path)
{
    memset(in, 0, sizeof(*in));
    in->path = path;
}

static void note_linktype(struct report_input *in, int linktype)
{
    for (size_t i = 0; i < in->n_linktypes; i++)
        if (in->linktypes[i] == linktype)
            return;
    if (in->n_linktypes < REPORT_MAX_LINKTYPES)
        in->linktypes[in->n_linktypes++] = linktype;
}

void analyzer_packet(struct analyzer *a, const struct capture_packet *pkt, struct report_input *in)
{
    struct report_totals *t = &a->totals;
    struct pkt_info info;
    enum ps_skip outcome;

    t->packets++;
    t->bytes += pkt->wirelen;
    if (in->packets == 0 || pkt->ts < in->first_seen)
        in->first_seen = pkt->ts;
    if (in->packets == 0 || pkt->ts > in->last_seen)
        in->last_seen = pkt->ts;
    in->packets++;
    in->bytes += pkt->wirelen;
    note_linktype(in, pkt->linktype);

    outcome = decode_packet(pkt->linktype, pkt->data, pkt->caplen, &info);
    if (outcome == PS_SKIP_NONE &&
        flow_table_add_packet(a->table, &info, pkt->ts, pkt->wirelen) == NULL)
        outcome = PS_SKIP_FLOW_LIMIT;
    if (outcome == PS_SKIP_NONE) {
        t->flow_packets++;
        t->flow_bytes += pkt->wirelen;
    } else {
        t->skipped_packets[outcome]++;
        t->skipped_bytes[outcome] += pkt->wirelen;
    }
}

int analyzer_read(struct analyzer *a, struct capture *c, struct report_input *in)
{
    struct capture_packet pkt;
    int rc;

    in->format = capture_format_name(capture_format(c));
    in->nanosecond = capture_nanosecond(c);
    note_linktype(in, capture_linktype(c));
    while ((rc = capture_next(c, &pkt)) == 1)
        analyzer_packet(a, &pkt, in);
    if (rc < 0) {
        snprintf(in->error, sizeof(in->error), "%s", capture_error(c));
        in->complete = false;
        return -1;
    }
    in->complete = true;
    return 0;
}
