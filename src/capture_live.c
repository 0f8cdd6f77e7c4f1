/*
 * capture_live.c - live capture from a network interface through libpcap.
 *
 * A live capture is a struct capture like a file, so the analyzer and the BPF filter treat both
 * alike. The handle is non-blocking: the run loop (live.c) waits in poll(2) on its descriptor
 * together with the signal pipe and its timers, which a blocking read could not do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "capture_int.h"

#define READ_TIMEOUT_MS 100 /* batching delay when immediate mode is off */

/* Names what pcap_activate() refused, in the words the user needs to fix it. */
static enum capture_live_status activate_error(pcap_t *p, int rc, char *err, size_t errlen)
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, errlen, "no such interface");
        return CAPTURE_LIVE_NO_DEVICE;
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, errlen,
                 "not permitted: capturing needs the CAP_NET_RAW capability (run as root)");
        return CAPTURE_LIVE_PERMISSION;
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        snprintf(err, errlen, "not permitted to enable promiscuous mode (run without it: -p)");
        return CAPTURE_LIVE_PERMISSION;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "interface is down");
        return CAPTURE_LIVE_DOWN;
    default:
        /* pcap_geterr() is empty for some codes; the generic text is better than nothing. */
        snprintf(err, errlen, "%s",
                 pcap_geterr(p)[0] != '\0' ? pcap_geterr(p) : pcap_statustostr(rc));
        return CAPTURE_LIVE_FAILED;
    }
}

struct capture *capture_open_live(const struct capture_live_options *o,
                                  enum capture_live_status *status, char *warning,
                                  size_t warninglen, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    struct capture *c = calloc(1, sizeof(*c));
    pcap_t *p;
    int rc;

    warning[0] = '\0';
    if (c == NULL) {
        *status = CAPTURE_LIVE_NOMEM;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p = pcap_create(o->device, pcap_err);
    if (p == NULL) {
        *status = CAPTURE_LIVE_FAILED;
        snprintf(err, errlen, "%s", pcap_err);
        free(c);
        return NULL;
    }
    pcap_set_snaplen(p, o->snaplen != 0 ? (int)o->snaplen : PS_SNAPLEN_MAX);
    pcap_set_promisc(p, o->promisc);
    pcap_set_immediate_mode(p, o->immediate);
    pcap_set_timeout(p, READ_TIMEOUT_MS);
    /* Nanoseconds where the kernel has them, so that a -w file keeps the exact times. */
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    rc = pcap_activate(p);
    if (rc < 0) {
        *status = activate_error(p, rc, err, errlen);
        pcap_close(p);
        free(c);
        return NULL;
    }
    if (rc == PCAP_WARNING_PROMISC_NOTSUP)
        snprintf(warning, warninglen, "promiscuous mode is not supported: %s", pcap_geterr(p));
    else if (rc > 0)
        snprintf(warning, warninglen, "%s",
                 pcap_geterr(p)[0] != '\0' ? pcap_geterr(p) : pcap_statustostr(rc));
    if (pcap_setnonblock(p, 1, pcap_err) != 0) {
        *status = CAPTURE_LIVE_FAILED;
        snprintf(err, errlen, "%s", pcap_err);
        pcap_close(p);
        free(c);
        return NULL;
    }
    c->pcap = p;
    c->live = true;
    c->format = CAPTURE_FORMAT_LIVE;
    c->nanosecond = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    *status = CAPTURE_LIVE_OK;
    return c;
}

int capture_live_next(struct capture *c, struct capture_packet *pkt)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc = pcap_next_ex(c->pcap, &hdr, &data);

    if (rc == 0 || rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc < 0) {
        snprintf(c->error, sizeof(c->error), "capture failed after %llu packets: %s",
                 (unsigned long long)c->packets, pcap_geterr(c->pcap));
        return -1;
    }
    c->packets++;
    if (c->dump != NULL) {
        pcap_dump((u_char *)c->dump, hdr, data);
        if (ferror(pcap_dump_file(c->dump))) {
            snprintf(c->error, sizeof(c->error), "cannot write '%s': %s", c->dump_path,
                     strerror(errno));
            return -1;
        }
    }
    pkt->data = data;
    pkt->caplen = hdr->caplen;
    pkt->wirelen = hdr->len;
    pkt->ts = (ps_time)hdr->ts.tv_sec * 1000000000 +
              (ps_time)hdr->ts.tv_usec * (c->nanosecond ? 1 : 1000);
    pkt->linktype = pcap_datalink(c->pcap);
    return 1;
}

void capture_live_release(struct capture *c)
{
    if (c->dump != NULL)
        pcap_dump_close(c->dump);
    c->dump = NULL;
}

int capture_live_fd(const struct capture *c)
{
    return pcap_get_selectable_fd(c->pcap);
}

int capture_live_snaplen(const struct capture *c)
{
    return pcap_snapshot(c->pcap);
}

int capture_live_dump_open(struct capture *c, const char *path, char *err, size_t errlen)
{
    pcap_dumper_t *d = pcap_dump_open(c->pcap, path);

    if (d == NULL) {
        snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
        return -1;
    }
    c->dump = d;
    c->dump_path = path;
    return 0;
}

int capture_live_dump_flush(struct capture *c)
{
    if (c->dump == NULL)
        return 0;
    if (pcap_dump_flush(c->dump) != 0) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

int capture_live_stats(struct capture *c, struct capture_stats *st, char *err, size_t errlen)
{
    struct pcap_stat ps;

    if (pcap_stats(c->pcap, &ps) != 0) {
        snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
        return -1;
    }
    st->received = ps.ps_recv;
    st->dropped = ps.ps_drop;
    st->if_dropped = ps.ps_ifdrop;
    return 0;
}

void capture_free_devices(struct capture_device *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].description);
    }
    free(list);
}

int capture_list_devices(struct capture_device **list, size_t *n, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE];
    pcap_if_t *all, *d;
    size_t count = 0, i = 0;
    struct capture_device *out;

    *list = NULL;
    *n = 0;
    if (pcap_findalldevs(&all, pcap_err) != 0) {
        snprintf(err, errlen, "%s", pcap_err);
        return -1;
    }
    for (d = all; d != NULL; d = d->next)
        count++;
    out = calloc(count != 0 ? count : 1, sizeof(*out));
    for (d = all; out != NULL && d != NULL; d = d->next, i++) {
        out[i].name = strdup(d->name);
        out[i].description = d->description != NULL ? strdup(d->description) : NULL;
        out[i].up = (d->flags & PCAP_IF_UP) != 0;
        out[i].running = (d->flags & PCAP_IF_RUNNING) != 0;
        out[i].loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
        if (out[i].name == NULL || (d->description != NULL && out[i].description == NULL)) {
            capture_free_devices(out, i + 1);
            out = NULL;
        }
    }
    pcap_freealldevs(all);
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *list = out;
    *n = count;
    return 0;
}
