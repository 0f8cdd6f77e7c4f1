/*
 * capture_filter.c - BPF filters (tcpdump's expressions) on captures.
 *
 * A live capture hands its filter to the kernel (pcap_setfilter). A file's filter runs here, on
 * each packet as it is read, so that the packets it rejects can be counted: the report says how
 * many each input had. pcapng files mix link types, so the expression is compiled once for each
 * link type met; a pcap file has one.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "capture_int.h"
#include "base.h"

struct filter_program {
    int linktype; /* as capture_packet.linktype */
    struct bpf_program prog;
};

struct capture_filter {
    char *expression;
    struct filter_program *programs;
    size_t n_programs;
    uint64_t rejected_packets, rejected_bytes;
};

static int compile(const char *expression, int linktype, struct bpf_program *prog, char *err,
                   size_t errlen)
{
    /* The snapshot length only sets what the program returns for a packet it accepts. */
    pcap_t *dead = pcap_open_dead(linktype_dlt(linktype), CAPTURE_SNAPLEN);
    int rc;

    if (dead == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = pcap_compile(dead, prog, expression, 1, PCAP_NETMASK_UNKNOWN);
    if (rc != 0)
        snprintf(err, errlen, "%s", pcap_geterr(dead));
    pcap_close(dead);
    return rc == 0 ? 0 : -1;
}

/* The program for a link type, compiled on first use; NULL with err when it cannot be. */
static const struct bpf_program *program_for(struct capture_filter *f, int linktype, char *err,
                                             size_t errlen)
{
    struct filter_program *grown;
    struct bpf_program prog;

    for (size_t i = 0; i < f->n_programs; i++)
        if (f->programs[i].linktype == linktype)
            return &f->programs[i].prog;
    if (compile(f->expression, linktype, &prog, err, errlen) != 0)
        return NULL;
    grown = realloc(f->programs, (f->n_programs + 1) * sizeof(*grown));
    if (grown == NULL) {
        pcap_freecode(&prog);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->programs = grown;
    f->programs[f->n_programs] = (struct filter_program){linktype, prog};
    return &f->programs[f->n_programs++].prog;
}

void capture_filter_free(struct capture_filter *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_programs; i++)
        pcap_freecode(&f->programs[i].prog);
    free(f->programs);
    free(f->expression);
    free(f);
}

static int set_live_filter(struct capture *c, const char *expression, char *err, size_t errlen)
{
    struct bpf_program prog;
    int rc;

    /* The netmask only matters for "ip broadcast", which then fails with libpcap's message. */
    if (pcap_compile(c->pcap, &prog, expression, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
        return -1;
    }
    rc = pcap_setfilter(c->pcap, &prog);
    if (rc != 0)
        snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
    pcap_freecode(&prog);
    return rc == 0 ? 0 : -1;
}

int capture_set_filter(struct capture *c, const char *expression, char *err, size_t errlen)
{
    struct capture_filter *f;
    int linktype = capture_linktype(c);

    if (c->ng == NULL && pcap_file(c->pcap) == NULL)
        return set_live_filter(c, expression, err, errlen);
    f = calloc(1, sizeof(*f));
    if (f == NULL || (f->expression = strdup(expression)) == NULL) {
        free(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /*
     * Compiled now for the link type known so far, so that a bad expression is caught before
     * reading; a pcapng file whose first interface comes later is checked as Ethernet.
     */
    if (program_for(f, linktype >= 0 ? linktype : PS_DLT_EN10MB, err, errlen) == NULL) {
        capture_filter_free(f);
        return -1;
    }
    capture_filter_free(c->filter);
    c->filter = f;
    return 0;
}

int capture_filter_accepts(struct capture *c, const struct capture_packet *pkt)
{
    struct capture_filter *f = c->filter;
    struct pcap_pkthdr hdr = {.caplen = pkt->caplen, .len = pkt->wirelen};
    char why[PS_ERRBUF_SIZE / 2];
    const struct bpf_program *prog = program_for(f, pkt->linktype, why, sizeof(why));

    if (prog == NULL) {
        snprintf(c->error, sizeof(c->error), "the filter cannot be used on link type %s: %s",
                 linktype_name(pkt->linktype), why);
        return -1;
    }
    if (pcap_offline_filter(prog, &hdr, pkt->data) != 0)
        return 1;
    f->rejected_packets++;
    f->rejected_bytes += pkt->wirelen;
    return 0;
}

void capture_filtered(const struct capture *c, uint64_t *packets, uint64_t *bytes)
{
    *packets = c->filter != NULL ? c->filter->rejected_packets : 0;
    *bytes = c->filter != NULL ? c->filter->rejected_bytes : 0;
}

long long capture_offset(const struct capture *c)
{
    FILE *fp = c->ng != NULL ? c->fp : pcap_file(c->pcap);

    return fp != NULL ? (long long)ftell(fp) : -1;
}
