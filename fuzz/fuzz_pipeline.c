/*
 * fuzz_pipeline.c - the whole path a capture file takes through portscope: reader, decoders,
 * flow table, report, both writers. The input is the capture file's bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "capture.h"
#include "ports.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small enough that the fuzzer reaches the full-table paths with a few dozen packets. */
#define FUZZ_MAX_FLOWS     64
#define FUZZ_MAX_FRAGMENTS 8

/* A fixed seed: a crash must reproduce from the input alone. */
#define FUZZ_SEED 0x5eed5eed5eed5eedull

/*
 * Runs one packet with its bytes in a buffer of exactly caplen bytes: libpcap's own buffer is
 * larger than the packet, so an over-read of the packet would go unnoticed by ASan there.
 */
static void feed_packet(struct analyzer *a, const struct capture_packet *pkt,
                        struct report_input *in)
{
    struct capture_packet copy = *pkt;
    uint8_t *bytes = malloc(pkt->caplen > 0 ? pkt->caplen : 1);

    if (bytes == NULL)
        return;
    memcpy(bytes, pkt->data, pkt->caplen);
    copy.data = bytes;
    analyzer_packet(a, &copy, in);
    free(bytes);
}

static void write_reports(const struct report *r)
{
    /* Opened once: the writers' output is not checked, only that they survive the report. */
    static FILE *null_out;

    if (null_out == NULL)
        null_out = fopen("/dev/null", "w");
    if (null_out == NULL)
        abort();
    report_write_json(r, null_out);
    report_write_text(r, null_out);
    fflush(null_out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct analyzer_config config = {
        .max_flows = FUZZ_MAX_FLOWS, .max_fragments = FUZZ_MAX_FRAGMENTS, .seed = FUZZ_SEED};
    struct report_settings settings = {
        .decap = true, .max_flows = FUZZ_MAX_FLOWS, .max_fragments = FUZZ_MAX_FRAGMENTS};
    struct ports_services *services;
    struct report_input in;
    struct analyzer a;
    struct report report;
    struct capture_packet pkt;
    struct capture *c;
    char err[PS_ERRBUF_SIZE];
    FILE *fp;
    int rc;

    /* fmemopen may refuse a zero size, and an empty file is no capture. */
    if (size == 0)
        return 0;
    /* Mode "rb" never writes to the buffer, so dropping const is safe. */
    fp = fmemopen((void *)data, size, "rb");
    if (fp == NULL)
        return 0;
    c = capture_open_stream(fp, err, sizeof(err));
    if (c == NULL)
        return 0;
    if (analyzer_init(&a, &config) != 0) {
        capture_close(c);
        return 0;
    }
    /* Not the default range, so that the ephemeral labels differ from the port classes. */
    if (ports_parse_ephemeral("linux", &settings.ephemeral, err, sizeof(err)) != 0)
        abort();
    services = ports_services_new();
    if (services == NULL) {
        capture_close(c);
        analyzer_release(&a);
        return 0;
    }
    settings.services = services;

    /* analyzer_read(), but for the copy. */
    analyzer_input_init(&in, "fuzz.pcap");
    in.format = capture_format_name(capture_format(c));
    if (capture_linktype(c) >= 0)
        in.linktypes[in.n_linktypes++] = capture_linktype(c);
    while ((rc = capture_next(c, &pkt)) == 1)
        feed_packet(&a, &pkt, &in);
    in.nanosecond = capture_nanosecond(c);
    in.complete = rc == 0;
    if (rc < 0)
        snprintf(in.error, sizeof(in.error), "%s", capture_error(c));
    capture_close(c);
    analyzer_finish(&a);

    if (report_build(&report, &in, 1, &a.totals, &settings, a.table) == 0) {
        write_reports(&report);
        report_release(&report);
    }
    ports_services_free(services);
    analyzer_release(&a);
    return 0;
}
