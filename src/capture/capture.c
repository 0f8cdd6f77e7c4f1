/*
 * capture.c - capture files and standard input: pcap through libpcap, pcapng through pcapng.c.
 *
 * libpcap reads pcap files; this module adds what a report needs around it: the file's format,
 * nanosecond timestamps for every file, and errors that say where in the file reading stopped.
 * pcapng files go to our own reader, because libpcap 1.10 refuses those whose interfaces differ
 * in link type and gives every packet the first interface's link type.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "capture.h"
#include "capture_int.h"
#include "pcapng.h"

#define MAGIC_PCAP_US     0xa1b2c3d4u
#define MAGIC_PCAP_NS     0xa1b23c4du
#define MAGIC_PCAP_KUZNET 0xa1b2cd34u /* Alexey Kuznetzov's extended pcap, which libpcap reads */
#define MAGIC_PCAPNG_SHB  0x0a0d0d0au

/* pcap's file header, and its record headers: 16 bytes, 24 in Kuznetzov's format. */
#define PCAP_FILE_HEADER     24
#define PCAP_RECORD_HEADER   16
#define KUZNET_RECORD_HEADER 24

/* stdio buffer of a capture file: fewer, larger reads than the default of a page. */
#define FILE_BUFFER (256 * 1024)

/* Bytes of a pcap file read at a time when its records are parsed here (next_direct()). */
#define RECORD_BUFFER (1024 * 1024)

/*
 * A stream that first replays the bytes read to identify the file, then continues with the
 * underlying stream: pipes cannot seek back, and the readers need to read the magic themselves.
 * Only for streams that cannot seek: it copies every byte once more.
 */
struct replay {
    FILE *under;
    unsigned char head[4];
    size_t head_len, head_pos;
    off_t pos;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    struct replay *rp = cookie;
    size_t n = 0;

    while (n < size && rp->head_pos < rp->head_len)
        buf[n++] = (char)rp->head[rp->head_pos++];
    if (n < size) {
        size_t got = fread(buf + n, 1, size - n, rp->under);

        if (got == 0 && ferror(rp->under) && n == 0)
            return -1;
        n += got;
    }
    rp->pos += (off_t)n;
    return (ssize_t)n;
}

/* Only telling the position is supported: that is what ftell() asks for. */
static int replay_seek(void *cookie, off64_t *offset, int whence)
{
    struct replay *rp = cookie;

    if (whence != SEEK_CUR || *offset != 0) {
        errno = ESPIPE;
        return -1;
    }
    *offset = rp->pos;
    return 0;
}

static int replay_close(void *cookie)
{
    struct replay *rp = cookie;
    int rc = rp->under == stdin ? 0 : fclose(rp->under);

    free(rp);
    return rc;
}

static FILE *replay_open(FILE *under, const unsigned char *head, size_t head_len)
{
    cookie_io_functions_t io = {
        .read = replay_read, .write = NULL, .seek = replay_seek, .close = replay_close};
    struct replay *rp = calloc(1, sizeof(*rp));
    FILE *fp;

    if (rp == NULL)
        return NULL;
    rp->under = under;
    memcpy(rp->head, head, head_len);
    rp->head_len = head_len;
    fp = fopencookie(rp, "rb", io);
    if (fp == NULL)
        free(rp);
    return fp;
}

static uint32_t magic_be(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t byte_swap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

/* Identifies the file from its first four bytes; false with a message when it is no capture. */
static bool identify(const unsigned char *head, size_t len, struct capture *c, char *err,
                     size_t errlen)
{
    uint32_t be, le;

    if (len == 0) {
        snprintf(err, errlen, "empty file");
        return false;
    }
    if (len < 4) {
        snprintf(err, errlen, "file too short to be a capture (%zu bytes)", len);
        return false;
    }
    be = magic_be(head);
    le = byte_swap32(be);
    if (be == MAGIC_PCAPNG_SHB) {
        c->format = CAPTURE_FORMAT_PCAPNG;
        return true;
    }
    c->hdrsize = PCAP_RECORD_HEADER;
    if (be == MAGIC_PCAP_KUZNET || le == MAGIC_PCAP_KUZNET)
        c->hdrsize = KUZNET_RECORD_HEADER;
    if (be == MAGIC_PCAP_US || le == MAGIC_PCAP_US || c->hdrsize == KUZNET_RECORD_HEADER) {
        c->format = CAPTURE_FORMAT_PCAP;
        return true;
    }
    if (be == MAGIC_PCAP_NS || le == MAGIC_PCAP_NS) {
        c->format = CAPTURE_FORMAT_PCAP;
        c->nanosecond = true;
        return true;
    }
    snprintf(err, errlen, "not a pcap or pcapng capture file (starts with %02x %02x %02x %02x)",
             head[0], head[1], head[2], head[3]);
    return false;
}

/* Closes a stream the capture owns; standard input stays open. */
static void close_stream(FILE *fp)
{
    if (fp != stdin)
        fclose(fp);
}

static struct capture *open_pcapng(struct capture *c, FILE *fp, char *err, size_t errlen)
{
    c->ng = pcapng_open(fp, err, errlen);
    if (c->ng == NULL) {
        close_stream(fp);
        free(c);
        return NULL;
    }
    c->fp = fp;
    return c;
}

/*
 * pcap files are mostly read here rather than by libpcap, whose two fread() calls and copy per
 * record cost more than everything else a packet takes. Only files libpcap would hand over as
 * they are: seekable, in this machine's byte order (libpcap fixes some link types' headers in the
 * others), with the usual record header and the lengths where they belong (see
 * recount_offset()). At the first record that is longer than the snapshot length or than any link
 * type allows, cut short or unreadable, libpcap takes over from that record to the end of the
 * file: it reads it exactly as it always did, errors and their messages included.
 */
static void direct_begin(struct capture *c)
{
    int major = pcap_major_version(c->pcap), minor = pcap_minor_version(c->pcap);
    int snaplen = pcap_snapshot(c->pcap);

    if (c->start < 0 || c->hdrsize != PCAP_RECORD_HEADER || pcap_is_swapped(c->pcap) != 0 ||
        (major == 2 && minor <= 3) || major == 543 || snaplen <= 0)
        return;
    c->records = malloc(RECORD_BUFFER);
    if (c->records == NULL)
        return; /* libpcap reads it all */
    c->direct = true;
    c->linktype = pcap_datalink(c->pcap);
    c->direct_caplen = (uint32_t)snaplen < CAPTURE_SNAPLEN ? (uint32_t)snaplen : CAPTURE_SNAPLEN;
}

struct capture *capture_open_stream(FILE *fp, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    unsigned char head[4];
    struct capture *c;
    size_t got;
    FILE *replayed;
    long start = ftell(fp);

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        if (fp != stdin)
            fclose(fp);
        return NULL;
    }
    got = fread(head, 1, sizeof(head), fp);
    if (got < sizeof(head) && ferror(fp)) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        goto fail;
    }
    if (!identify(head, got, c, err, errlen))
        goto fail;
    /* A stream that can seek goes back to where it started: the readers read it directly. */
    if (start < 0 || fseek(fp, start, SEEK_SET) != 0) {
        start = -1;
        replayed = replay_open(fp, head, got);
        if (replayed == NULL) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        fp = replayed; /* closing it closes the original too */
    }
    c->start = start;
    if (c->format == CAPTURE_FORMAT_PCAPNG)
        return open_pcapng(c, fp, err, errlen);
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (c->pcap == NULL) {
        snprintf(err, errlen, "%s", pcap_err);
        close_stream(fp);
        free(c);
        return NULL;
    }
    c->offset = PCAP_FILE_HEADER;
    direct_begin(c);
    return c;

fail:
    close_stream(fp);
    free(c);
    return NULL;
}

struct capture *capture_open_file(const char *path, char *err, size_t errlen)
{
    FILE *fp;

    if (strcmp(path, "-") == 0)
        return capture_open_stream(stdin, err, errlen);
    fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    /* Without a buffer of our own glibc ignores the size and reads a page at a time. The buffer
     * must outlive the stream, which libpcap closes: it is freed with the capture. */
    char *buffer = malloc(FILE_BUFFER);

    if (buffer != NULL && setvbuf(fp, buffer, _IOFBF, FILE_BUFFER) != 0) {
        free(buffer);
        buffer = NULL;
    }
    struct capture *c = capture_open_stream(fp, err, errlen);

    if (c == NULL)
        free(buffer);
    else
        c->buffer = buffer;
    return c;
}

static uint32_t get32(const unsigned char *p, bool swapped)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return swapped ? byte_swap32(v) : v;
}

/*
 * Counts where the record after the first c->packets ones starts, from their headers, as libpcap
 * reads them (sf-pcap.c): the captured and original lengths trade places in files of version
 * 2.2 and earlier, and may in version 2.3, where a captured length above the original one tells
 * they did. Only when reading failed, so a file of millions of packets pays nothing for it.
 */
static bool recount_offset(struct capture *c)
{
    FILE *fp = pcap_file(c->pcap);
    int major = pcap_major_version(c->pcap), minor = pcap_minor_version(c->pcap);
    bool swapped = pcap_is_swapped(c->pcap) == 1;
    bool always = (major == 2 && minor < 3) || major == 543, maybe = major == 2 && minor == 3;
    uint64_t offset = PCAP_FILE_HEADER;
    unsigned char hdr[KUZNET_RECORD_HEADER];

    if (fp == NULL || fseek(fp, c->start + PCAP_FILE_HEADER, SEEK_SET) != 0)
        return false;
    for (uint64_t i = 0; i < c->packets; i++) {
        uint32_t caplen, len;

        if (fread(hdr, 1, c->hdrsize, fp) != c->hdrsize)
            return false;
        caplen = get32(hdr + 8, swapped);
        len = get32(hdr + 12, swapped);
        if (always || (maybe && caplen > len))
            caplen = len;
        if (fseeko(fp, (off_t)caplen, SEEK_CUR) != 0)
            return false;
        offset += c->hdrsize + (uint64_t)caplen;
    }
    c->offset = offset;
    c->recount = false;
    return true;
}

static int next_pcap(struct capture *c, struct capture_packet *pkt)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc = pcap_next_ex(c->pcap, &hdr, &data);

    if (rc == 1) {
        c->packets++;
        if (hdr->caplen < (uint32_t)pcap_snapshot(c->pcap)) {
            c->offset += c->hdrsize + hdr->caplen;
        } else if (c->start >= 0) {
            c->recount = true; /* the record may have been longer */
        } else {
            long at = ftell(pcap_file(c->pcap)); /* a pipe: count from here */

            c->offset = at >= 0 ? (uint64_t)at : 0;
            c->recount = at < 0;
        }
        pkt->data = data;
        pkt->caplen = hdr->caplen;
        pkt->wirelen = hdr->len;
        pkt->ts = (ps_time)hdr->ts.tv_sec * 1000000000 + (ps_time)hdr->ts.tv_usec;
        pkt->linktype = pcap_datalink(c->pcap);
        return 1;
    }
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (!c->recount || (c->start >= 0 && recount_offset(c)))
        snprintf(c->error, sizeof(c->error),
                 "%s (reading packet %" PRIu64 " at byte offset %" PRIu64 ")", pcap_geterr(c->pcap),
                 c->packets + 1, c->offset);
    else
        snprintf(c->error, sizeof(c->error), "%s (reading packet %" PRIu64 ")",
                 pcap_geterr(c->pcap), c->packets + 1);
    return -1;
}

/* libpcap reads on from the record at c->offset, where this reader stopped. */
static int direct_end(struct capture *c, struct capture_packet *pkt)
{
    c->direct = false;
    if (fseeko(pcap_file(c->pcap), (off_t)c->start + (off_t)c->offset, SEEK_SET) != 0) {
        snprintf(c->error, sizeof(c->error),
                 "cannot seek: %s (reading packet %" PRIu64 " at byte offset %" PRIu64 ")",
                 strerror(errno), c->packets + 1, c->offset);
        return -1;
    }
    return next_pcap(c, pkt);
}

/* Reads more records until `need` bytes are buffered; false when the file ends first. */
static __attribute__((noinline)) bool direct_refill(struct capture *c, size_t need)
{
    FILE *fp = pcap_file(c->pcap);

    memmove(c->records, c->records + c->rec_pos, c->rec_len - c->rec_pos);
    c->rec_len -= c->rec_pos;
    c->rec_pos = 0;
    while (c->rec_len < need) {
        size_t got = fread(c->records + c->rec_len, 1, RECORD_BUFFER - c->rec_len, fp);

        if (got == 0)
            return false;
        c->rec_len += got;
    }
    return true;
}

/* Whether `need` bytes are buffered, reading more when they are not: a compare for most packets. */
static inline bool direct_have(struct capture *c, size_t need)
{
    return c->rec_len - c->rec_pos >= need || direct_refill(c, need);
}

static uint32_t native32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static int next_direct(struct capture *c, struct capture_packet *pkt)
{
    const uint8_t *rec;
    uint32_t caplen;

    if (!direct_have(c, PCAP_RECORD_HEADER)) {
        if (c->rec_len == c->rec_pos && !ferror(pcap_file(c->pcap)))
            return 0; /* the file ends after a whole record */
        return direct_end(c, pkt);
    }
    caplen = native32(c->records + c->rec_pos + 8);
    if (caplen > c->direct_caplen || !direct_have(c, PCAP_RECORD_HEADER + (size_t)caplen))
        return direct_end(c, pkt);
    rec = c->records + c->rec_pos;
    /* As libpcap makes them: seconds and fraction are signed 32-bit fields, the fraction in
     * microseconds unless the file has nanoseconds. */
    pkt->ts = (ps_time)(int32_t)native32(rec) * 1000000000 +
              (ps_time)(int32_t)native32(rec + 4) * (c->nanosecond ? 1 : 1000);
    pkt->caplen = caplen;
    pkt->wirelen = native32(rec + 12);
    pkt->data = rec + PCAP_RECORD_HEADER;
    pkt->linktype = c->linktype;
    c->rec_pos += PCAP_RECORD_HEADER + (size_t)caplen;
    c->offset += PCAP_RECORD_HEADER + (uint64_t)caplen;
    c->packets++;
    return 1;
}

/* The packet moved to a buffer of exactly its captured length (at least a byte: malloc(0) may
 * give NULL). */
static int copy_packet(struct capture *c, struct capture_packet *pkt)
{
    free(c->copy);
    c->copy = malloc(pkt->caplen > 0 ? pkt->caplen : 1);
    if (c->copy == NULL) {
        snprintf(c->error, sizeof(c->error), "out of memory");
        return -1;
    }
    memcpy(c->copy, pkt->data, pkt->caplen);
    pkt->data = c->copy;
    return 1;
}

int capture_next(struct capture *c, struct capture_packet *pkt)
{
    if (c->live)
        return capture_live_next(c, pkt);
    int rc;

    /* Files are filtered here rather than by pcap_setfilter(), so rejected packets are counted. */
    do
        rc = c->ng != NULL ? pcapng_next(c->ng, pkt)
             : c->direct   ? next_direct(c, pkt)
                           : next_pcap(c, pkt);
    while (rc == 1 && c->filter != NULL && (rc = capture_filter_accepts(c, pkt)) == 0);
    if (rc == 1 && c->copy_exactly)
        return copy_packet(c, pkt);
    return rc;
}

void capture_copy_exactly(struct capture *c)
{
    c->copy_exactly = true;
}

const char *capture_error(const struct capture *c)
{
    /* c->error holds a pcapng file's error only when the filter failed. */
    return c->ng != NULL && c->error[0] == '\0' ? pcapng_error(c->ng) : c->error;
}

enum capture_format capture_format(const struct capture *c)
{
    return c->format;
}

const char *capture_format_name(enum capture_format f)
{
    return f == CAPTURE_FORMAT_PCAPNG ? "pcapng" : f == CAPTURE_FORMAT_LIVE ? "live" : "pcap";
}

int capture_linktype(const struct capture *c)
{
    return c->ng != NULL ? pcapng_linktype(c->ng) : pcap_datalink(c->pcap);
}

bool capture_nanosecond(const struct capture *c)
{
    return c->ng != NULL ? pcapng_nanosecond(c->ng) : c->nanosecond;
}

void capture_close(struct capture *c)
{
    if (c == NULL)
        return;
    if (c->ng != NULL) {
        pcapng_close(c->ng);
        close_stream(c->fp);
    } else {
        capture_live_release(c);
        pcap_close(c->pcap);
    }
    free(c->buffer); /* after the stream that used it is closed */
    free(c->records);
    free(c->copy);
    capture_filter_free(c->filter);
    free(c);
}
