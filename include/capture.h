/*
 * capture.h - where packets come from: capture files (pcap, pcapng) and standard input.
 */
#ifndef PS_CAPTURE_H
#define PS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"

/* One packet as the source hands it over; `data` is valid until the next capture_next(). */
struct capture_packet {
    const uint8_t *data;
    uint32_t caplen;  /* bytes captured */
    uint32_t wirelen; /* bytes on the wire (original length) */
    ps_time ts;
    int linktype; /* link type of the interface the packet came from: libpcap's DLT_ value for
                     pcap, the file's LINKTYPE_ value for pcapng (LINKTYPE_RAW stays 101) */
};

enum capture_format {
    CAPTURE_FORMAT_PCAP,
    CAPTURE_FORMAT_PCAPNG,
    CAPTURE_FORMAT_LIVE, /* a network interface (capture_live.c) */
};

struct capture;

/*
 * Opens a capture file, or standard input for "-". Returns NULL with a message in err (which
 * does not repeat the path: the caller names it) when the file cannot be opened or is not a
 * capture file.
 */
struct capture *capture_open_file(const char *path, char *err, size_t errlen);

/*
 * Opens a capture held by an already open stream (the fuzz targets use fmemopen). The capture
 * owns `fp` from then on, even when this fails.
 */
struct capture *capture_open_stream(FILE *fp, char *err, size_t errlen);

/*
 * Reads the next packet: 1 and *pkt filled, 0 at a clean end of the file, -1 when the file
 * cannot be read further (truncated or corrupt); capture_error() then says what and where.
 */
int capture_next(struct capture *c, struct capture_packet *pkt);

/*
 * From now on capture_next() hands each packet of this file over in a buffer of exactly its
 * captured length, so that a memory checker sees any read past its end (the fuzz targets).
 */
void capture_copy_exactly(struct capture *c);

/* Why the last capture_next() returned -1, naming the packet number and byte offset. */
const char *capture_error(const struct capture *c);

enum capture_format capture_format(const struct capture *c);
const char *capture_format_name(enum capture_format f);

/*
 * The link type of the file. For pcapng, that of the file's first interface when an interface
 * description block comes before the first packet (opening reads that far), else -1; each packet
 * carries its own interface's link type.
 */
int capture_linktype(const struct capture *c);

/*
 * True when the file's timestamps have nanosecond resolution. For pcapng: when an interface read
 * so far has a resolution finer than a microsecond; opening reads up to the first packet.
 */
bool capture_nanosecond(const struct capture *c);

void capture_close(struct capture *c);

/*
 * Applies a BPF filter expression (pcap-filter(7)): capture_next() then returns only the packets
 * it accepts. A live capture has the kernel filter; a file's packets are filtered as they are
 * read, and the rejected ones counted (capture_filtered()). Returns 0, or -1 with libpcap's
 * message in err when the expression does not compile for the capture's link type.
 */
int capture_set_filter(struct capture *c, const char *expression, char *err, size_t errlen);

/* The records of a file that its filter rejected so far (0 without a filter, or when live). */
void capture_filtered(const struct capture *c, uint64_t *packets, uint64_t *bytes);

/* Bytes of a file read so far, for a progress display; -1 when unknown (a live capture). */
long long capture_offset(const struct capture *c);

/*
 * libpcap's MAXIMUM_SNAPLEN: its and tcpdump's default snapshot length and the largest -s takes,
 * so also the most bytes a sane capture record holds (libpcap's max_snaplen_for_dlt() gives no
 * link type less).
 */
#define CAPTURE_SNAPLEN 262144

/*
 * Live capture (capture_live.c). A live capture is a struct capture like a file: capture_next()
 * reads it, without waiting: it returns 0 when no packet is ready yet (poll capture_live_fd()),
 * and -1 when the capture failed (the interface went away).
 */
struct capture_live_options {
    const char *device; /* interface name, "any" for all */
    unsigned snaplen;   /* bytes kept of each packet; 0: CAPTURE_SNAPLEN */
    bool promisc;       /* put the interface in promiscuous mode */
    bool immediate;     /* hand each packet over as it arrives instead of in batches */
};

/* Why a live capture could not start. */
enum capture_live_status {
    CAPTURE_LIVE_OK,
    CAPTURE_LIVE_NO_DEVICE,  /* no such interface */
    CAPTURE_LIVE_PERMISSION, /* not permitted: CAP_NET_RAW is missing */
    CAPTURE_LIVE_DOWN,       /* the interface is down */
    CAPTURE_LIVE_FAILED,     /* anything else libpcap refused; err says what */
    CAPTURE_LIVE_NOMEM,
};

/* Kernel counters for a live capture, as pcap_stats(3PCAP) gives them. */
struct capture_stats {
    uint64_t received;   /* packets that passed the filter */
    uint64_t dropped;    /* dropped for lack of buffer space */
    uint64_t if_dropped; /* dropped by the interface or its driver */
};

/*
 * Opens and activates a live capture. On failure returns NULL, *status says which kind of
 * failure and err the details (without the device name: the caller names it). *warning gets
 * libpcap's warning when activation succeeded with one (promiscuous mode not supported, ...),
 * else an empty string.
 */
struct capture *capture_open_live(const struct capture_live_options *o,
                                  enum capture_live_status *status, char *warning,
                                  size_t warninglen, char *err, size_t errlen);

/* A descriptor that poll(2) reports readable when capture_next() may have a packet. */
int capture_live_fd(const struct capture *c);

/* The snapshot length in force. */
int capture_live_snaplen(const struct capture *c);

/*
 * Also writes every packet capture_next() reads from now on to the pcap file `path`, with the
 * capture's link type, snapshot length and timestamp precision. Returns 0, or -1 with err.
 */
int capture_live_dump_open(struct capture *c, const char *path, char *err, size_t errlen);

/* Pushes packets written so far to the -w file; 0, or -1 (errno) when writing failed. */
int capture_live_dump_flush(struct capture *c);

/* The kernel's counters so far; 0, or -1 with err. */
int capture_live_stats(struct capture *c, struct capture_stats *st, char *err, size_t errlen);

/* One interface that can be captured on (-D). */
struct capture_device {
    char *name;
    char *description; /* NULL when there is none */
    bool up, running, loopback;
};

/* Lists the interfaces libpcap can capture on. Returns 0, or -1 with err. */
int capture_list_devices(struct capture_device **list, size_t *n, char *err, size_t errlen);
void capture_free_devices(struct capture_device *list, size_t n);

#endif
