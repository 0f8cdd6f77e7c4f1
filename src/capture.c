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
#include "decode.h"
#include "pcapng.h"

#define MAGIC_PCAP_US     0xa1b2c3d4u
#define MAGIC_PCAP_NS     0xa1b23c4du
#define MAGIC_PCAP_KUZNET 0xa1b2cd34u /* Alexey Kuznetzov's extended pcap, which libpcap reads */
#define MAGIC_PCAPNG_SHB  0x0a0d0d0au


/*
 * A stream that first replays the bytes read to identify the file, then continues with the
 * underlying stream: pipes cannot seek back, and the readers need to read the magic themselves.
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
    if (be == MAGIC_PCAP_US || le == MAGIC_PCAP_US || be == MAGIC_PCAP_KUZNET ||
        le == MAGIC_PCAP_KUZNET) {
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

static struct capture *open_pcapng(struct capture *c, FILE *fp, char *err, size_t errlen)
{
    c->ng = pcapng_open(fp, err, errlen);
    if (c->ng == NULL) {
        fclose(fp);
        free(c);
        return NULL;
    }
    c->fp = fp;
    return c;
}

struct capture *capture_open_stream(FILE *fp, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    unsigned char head[4];
    struct capture *c;
    size_t got;
    FILE *replayed;

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
    replayed = replay_open(fp, head, got);
    if (replayed == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    fp = replayed; /* closing it closes the original too */
    if (c->format == CAPTURE_FORMAT_PCAPNG)
        return open_pcapng(c, fp, err, errlen);
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (c->pcap == NULL) {
        snprintf(err, errlen, "%s", pcap_err);
        fclose(fp);
        free(c);
        return NULL;
    }
    return c;

fail:
    if (fp != stdin)
        fclose(fp);
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
    return capture_open_stream(fp, err, errlen);
}

static int next_pcap(struct capture *c, struct capture_packet *pkt)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    long offset = ftell(pcap_file(c->pcap));
    int rc = pcap_next_ex(c->pcap, &hdr, &data);

    if (rc == 1) {
        c->packets++;
        pkt->data = data;
        pkt->caplen = hdr->caplen;
        pkt->wirelen = hdr->len;
        pkt->ts = (ps_time)hdr->ts.tv_sec * 1000000000 + (ps_time)hdr->ts.tv_usec;
        pkt->linktype = pcap_datalink(c->pcap);
        return 1;
    }
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (offset >= 0)
        snprintf(c->error, sizeof(c->error), "%s (reading packet %" PRIu64 " at byte offset %ld)",
                 pcap_geterr(c->pcap), c->packets + 1, offset);
    else
        snprintf(c->error, sizeof(c->error), "%s (reading packet %" PRIu64 ")",
                 pcap_geterr(c->pcap), c->packets + 1);
    return -1;
}

int capture_next(struct capture *c, struct capture_packet *pkt)
{
    if (c->live)
        return capture_live_next(c, pkt);
    int rc;

    /* Files are filtered here rather than by pcap_setfilter(), so rejected packets are counted. */
    do
        rc = c->ng != NULL ? pcapng_next(c->ng, pkt) : next_pcap(c, pkt);
    while (rc == 1 && c->filter != NULL && (rc = capture_filter_accepts(c, pkt)) == 0);
    return rc;
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
        fclose(c->fp);
    } else {
        capture_live_release(c);
        pcap_close(c->pcap);
    }
    capture_filter_free(c->filter);
    free(c);
}

/*
 * pcapng files carry LINKTYPE_ values, which libpcap's name tables know by their DLT_ number;
 * the two differ for raw IP only, among the types we see (pcap-linktype(7)).
 */
static int linktype_as_dlt(int linktype)
{
    return linktype == PS_DLT_RAW_PCAP ? PS_DLT_RAW : linktype;
}

const char *capture_linktype_name(int linktype)
{
    static _Thread_local char unnamed[32];
    const char *name = pcap_datalink_val_to_name(linktype_as_dlt(linktype));

    if (name != NULL)
        return name;
    snprintf(unnamed, sizeof(unnamed), "LINKTYPE_%d", linktype);
    return unnamed;
}

const char *capture_linktype_description(int linktype)
{
    const char *d = pcap_datalink_val_to_description(linktype_as_dlt(linktype));

    return d != NULL ? d : "unknown link type";
}
