/*
 * capture.h - where packets come from: capture files (pcap, pcapng) and standard input.
 */
#ifndef PS_CAPTURE_H
#define PS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ps.h"

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

/* libpcap's name for a link type ("EN10MB"), or "LINKTYPE_<n>" when it has none. */
const char *capture_linktype_name(int linktype);

/* libpcap's description of a link type ("Ethernet"), or "unknown link type". */
const char *capture_linktype_description(int linktype);

#endif
