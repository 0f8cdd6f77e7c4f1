/*
 * pcapng.h - our own pcapng reader, block by block (draft-ietf-opsawg-pcapng).
 *
 * libpcap 1.10 refuses pcapng files whose interfaces differ in link type or snapshot length, and
 * presents every packet with the first interface's link type. This reader gives each packet its
 * own interface's link type and timestamp resolution, across any number of sections, and says
 * where a damaged file stops being readable.
 */
#ifndef PS_PCAPNG_H
#define PS_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "capture.h"

/* Blocks larger than this are taken for corruption rather than read into memory. */
#define PCAPNG_MAX_BLOCK (64u * 1024 * 1024)

struct pcapng;

/*
 * Starts reading a pcapng file at the beginning of `fp`, which must be its first byte (the
 * section header block). Reads the header and every block up to the first packet, so that the
 * first interface's link type is known. Returns NULL with a message in err when the first
 * section header cannot be read; later problems are reported by pcapng_next(). The caller keeps
 * `fp` and closes it after pcapng_close().
 */
struct pcapng *pcapng_open(FILE *fp, char *err, size_t errlen);

/* As capture_next(): 1 with *pkt filled, 0 at a clean end of the file, -1 with pcapng_error(). */
int pcapng_next(struct pcapng *r, struct capture_packet *pkt);

/* What made pcapng_next() return -1, with the packet number and byte offset. */
const char *pcapng_error(const struct pcapng *r);

/* The file's first interface's link type (LINKTYPE_ value), or -1 when none has been seen. */
int pcapng_linktype(const struct pcapng *r);

/* True when an interface seen so far has a timestamp resolution finer than a microsecond. */
bool pcapng_nanosecond(const struct pcapng *r);

void pcapng_close(struct pcapng *r);

#endif
