/*
 * capture_int.h - the capture handle, shared by the file reader (capture.c) and the live reader
 * (capture_live.c) so that one struct capture serves both and functions such as capture_next()
 * and capture_set_filter() work on either.
 */
#ifndef PS_CAPTURE_INT_H
#define PS_CAPTURE_INT_H

#include <pcap/pcap.h>

#include "capture.h"

struct capture {
    pcap_t *pcap;      /* pcap files and live captures */
    struct pcapng *ng; /* pcapng files, read from fp */
    FILE *fp;
    enum capture_format format;
    bool nanosecond;
    uint64_t packets; /* records read so far, for error messages */
    /* pcap files: where the next record starts, relative to the start of the file, counted
     * instead of asked with ftell() (a system call per packet). A record longer than the
     * snapshot length comes back cut to it, so after one that may have been cut the count is
     * recounted from the file when an error needs it (`recount`), or asked of a stream that
     * cannot seek back. */
    uint64_t offset;
    long start;      /* ftell() of the file's first byte; -1 when the stream cannot seek */
    bool recount;    /* `offset` may be wrong: recount it before using it */
    uint8_t hdrsize; /* bytes of a record header: 16, or 24 in Kuznetzov's format */
    char *buffer;    /* the stdio buffer of a file capture_open_file() opened, or NULL */
    /* pcap files read by capture.c itself rather than libpcap (next_direct()). */
    bool direct;
    uint8_t *records; /* what was read of the file and not handed over yet */
    size_t rec_pos, rec_len;
    uint32_t direct_caplen; /* records up to this long need nothing libpcap does */
    int linktype;
    char error[PS_ERRBUF_SIZE];
    struct capture_filter *filter; /* files: the BPF filter (capture_filter.c), or NULL */
    /* capture_copy_exactly(): each packet handed over in a buffer of its own size, so that a
     * read past its end is one past an allocation, which ASan sees (a record in the middle of
     * `records` or of libpcap's buffer has bytes after it). */
    bool copy_exactly;
    uint8_t *copy;

    /* Live captures only. */
    bool live;
    pcap_dumper_t *dump; /* -w: every packet read is also written here */
    const char *dump_path;
};

/* capture_live.c: the live side of capture_next() and capture_close(). */
int capture_live_next(struct capture *c, struct capture_packet *pkt);
void capture_live_release(struct capture *c);

/*
 * capture_filter.c: whether a packet read from a file passes its filter. 1 yes, 0 no (counted as
 * rejected), -1 when the filter cannot be compiled for the packet's link type (c->error says why).
 */
int capture_filter_accepts(struct capture *c, const struct capture_packet *pkt);
void capture_filter_free(struct capture_filter *f);

#endif
