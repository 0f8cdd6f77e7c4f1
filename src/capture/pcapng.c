/*
 * pcapng.c - reads pcapng files block by block (draft-ietf-opsawg-pcapng, cited as "spec" with
 * its section numbers and titles).
 *
 * Each block is read whole into one buffer that grows to the largest block seen, so reading a
 * packet costs no allocation and only buffered fread calls. Every length in the file is checked
 * against the block that holds it before it is used.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"

/* Block types (spec, "Block Type Codes"). */
#define BLOCK_SHB 0x0a0d0d0au
#define BLOCK_IDB 1u
#define BLOCK_PB  2u /* spec appendix, "Packet Block (obsolete!)" */
#define BLOCK_SPB 3u
#define BLOCK_NRB 4u
#define BLOCK_ISB 5u
#define BLOCK_EPB 6u

#define BYTE_ORDER_MAGIC 0x1a2b3c4du

/* Type, total length, and the copy of the length that ends every block (spec 3.1). */
#define BLOCK_HEAD     8u
#define BLOCK_OVERHEAD 12u

/* Fixed fields before the options or packet data (spec 4.1-4.4 and the Packet Block appendix). */
#define SHB_FIXED 16u /* byte-order magic, major, minor, section length */
#define IDB_FIXED 8u  /* link type, reserved, snaplen */
/* Interface (16 bits and drops, in the obsolete block), timestamp high and low, both lengths. */
#define EPB_FIXED 20u
#define SPB_FIXED 4u /* original length */

/* Option codes (spec 3.5, Options; 4.2, Interface Description Block). */
#define OPT_ENDOFOPT 0
#define IF_TSRESOL   9
#define IF_TSOFFSET  14

/* One interface array per section; more interfaces than this are taken for corruption. */
#define MAX_INTERFACES (1u << 20)

#define NS_PER_S UINT64_C(1000000000)
#define US_PER_S UINT64_C(1000000)

/* Whole seconds that leave room in a ps_time for the fraction: the years 1677 to 2262. */
#define MAX_SECONDS (INT64_MAX / (int64_t)NS_PER_S - 1)

struct interface {
    int linktype;
    uint32_t snaplen;
    uint64_t units; /* timestamp units per second: 10^exp or 2^exp */
    uint8_t exp;
    bool binary;
    uint64_t mul, div; /* for 10^exp: nanoseconds = count of units * mul / div, one of them 1 */
    int64_t offset_s;  /* if_tsoffset: seconds added to every timestamp */
};

struct pcapng {
    FILE *fp;
    bool big; /* the current section is big-endian */

    uint8_t *buf; /* the current block, whole */
    size_t cap;
    uint32_t type, len;
    uint64_t offset, next_offset; /* byte offsets of the current and the next block */

    struct interface *ifaces; /* the current section's interfaces, by id */
    size_t n_ifaces, cap_ifaces;
    int first_linktype;
    bool nanosecond;

    uint64_t packets;
    ps_time last_ts; /* given to simple packet blocks, which carry no timestamp */

    bool has_pending; /* pcapng_open read ahead to the first packet: hand that over first */
    int pending_rc;
    struct capture_packet pending;
    bool failed;
    char error[PS_ERRBUF_SIZE];
};

static uint16_t get16(const struct pcapng *r, const uint8_t *p)
{
    return r->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get32(const struct pcapng *r, const uint8_t *p)
{
    if (r->big)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const struct pcapng *r, const uint8_t *p)
{
    uint64_t first = get32(r, p), second = get32(r, p + 4);

    return r->big ? first << 32 | second : second << 32 | first;
}

static bool is_packet_block(uint32_t type)
{
    return type == BLOCK_EPB || type == BLOCK_SPB || type == BLOCK_PB;
}

static const char *block_name(uint32_t type)
{
    switch (type) {
    case BLOCK_SHB:
        return "a section header block";
    case BLOCK_IDB:
        return "an interface description block";
    case BLOCK_EPB:
        return "an enhanced packet block";
    case BLOCK_SPB:
        return "a simple packet block";
    case BLOCK_PB:
        return "a packet block";
    case BLOCK_NRB:
        return "a name resolution block";
    case BLOCK_ISB:
        return "an interface statistics block";
    default:
        return "a block";
    }
}

/* Records an error about the current block, saying where it is; returns -1. */
static int fail(struct pcapng *r, const char *fmt, ...)
{
    char what[PS_ERRBUF_SIZE - 80]; /* leaves room for where it happened */
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (is_packet_block(r->type))
        snprintf(r->error, sizeof(r->error),
                 "%s (reading packet %" PRIu64 " at byte offset %" PRIu64 ")", what, r->packets + 1,
                 r->offset);
    else
        snprintf(r->error, sizeof(r->error), "%s at byte offset %" PRIu64, what, r->offset);
    r->failed = true;
    return -1;
}

/* Records why fewer bytes came than asked for: the file ended (`done` bytes into `part`). */
static int short_read(struct pcapng *r, size_t done, const char *part)
{
    if (ferror(r->fp))
        return fail(r, "cannot read: %s", strerror(errno));
    return fail(r, "truncated block: the file ends %zu bytes into %s", done, part);
}

/* The byte-order magic of a section header decides the byte order of its section (spec 4.1). */
static bool set_byte_order(struct pcapng *r, const uint8_t *magic)
{
    r->big = true;
    if (get32(r, magic) == BYTE_ORDER_MAGIC)
        return true;
    r->big = false;
    if (get32(r, magic) == BYTE_ORDER_MAGIC)
        return true;
    fail(r,
         "section header block has byte-order magic %02x %02x %02x %02x, not 1A2B3C4D in "
         "either byte order",
         magic[0], magic[1], magic[2], magic[3]);
    return false;
}

static bool check_length(struct pcapng *r)
{
    /* Spec 3.1: the total length counts the whole block and is a multiple of 4. */
    if (r->len < BLOCK_OVERHEAD || r->len % 4 != 0) {
        fail(r, "impossible block length %" PRIu32 " (not a multiple of 4 of at least 12)", r->len);
        return false;
    }
    if (r->len > PCAPNG_MAX_BLOCK) {
        fail(r, "impossible block length %" PRIu32 " (more than %u MiB)", r->len,
             PCAPNG_MAX_BLOCK >> 20);
        return false;
    }
    return true;
}

static bool reserve(struct pcapng *r, size_t len)
{
    size_t cap = r->cap != 0 ? r->cap : 2048;
    uint8_t *buf;

    if (len <= r->cap)
        return true;
    while (cap < len)
        cap *= 2;
    buf = realloc(r->buf, cap);
    if (buf == NULL) {
        fail(r, "out of memory for a block of %zu bytes", len);
        return false;
    }
    r->buf = buf;
    r->cap = cap;
    return true;
}

static int truncated_body(struct pcapng *r, size_t done)
{
    char part[96];

    snprintf(part, sizeof(part), "%s of %" PRIu32 " bytes", block_name(r->type), r->len);
    return short_read(r, done, part);
}

/* Reads the rest of the block whose first head_len bytes are in `head`, and checks its end. */
static int read_body(struct pcapng *r, const uint8_t *head, size_t head_len)
{
    size_t got;

    if (!check_length(r) || !reserve(r, r->len))
        return -1;
    memcpy(r->buf, head, head_len);
    got = fread(r->buf + head_len, 1, r->len - head_len, r->fp);
    if (got < r->len - head_len)
        return truncated_body(r, head_len + got);
    r->next_offset += r->len;
    if (get32(r, r->buf + r->len - 4) != r->len)
        return fail(
            r, "block length %" PRIu32 " at the end of %s differs from %" PRIu32 " at its start",
            get32(r, r->buf + r->len - 4), block_name(r->type), r->len);
    return 1;
}

/*
 * Reads the next block whole into r->buf: 1, 0 at a clean end of the file, -1 on error. A
 * section header's length is in its section's byte order, which its byte-order magic (the 4
 * bytes after the length) tells, so that block's head is read 4 bytes further.
 */
static int read_block(struct pcapng *r)
{
    uint8_t head[BLOCK_OVERHEAD];
    size_t head_len = BLOCK_HEAD;
    size_t got;

    r->offset = r->next_offset;
    r->type = 0;
    got = fread(head, 1, BLOCK_HEAD, r->fp);
    if (got == 0 && !ferror(r->fp))
        return 0;
    if (got < BLOCK_HEAD)
        return short_read(r, got, "a block header");
    r->type = get32(r, head); /* the section header's type reads the same in both byte orders */
    if (r->type == BLOCK_SHB) {
        head_len = BLOCK_OVERHEAD;
        got = fread(head + BLOCK_HEAD, 1, 4, r->fp);
        if (got < 4)
            return short_read(r, BLOCK_HEAD + got, "a section header block");
        if (!set_byte_order(r, head + BLOCK_HEAD))
            return -1;
    }
    r->len = get32(r, head + 4);
    return read_body(r, head, head_len);
}

/* The block's contents between its length and its trailing length copy. */
static const uint8_t *body(const struct pcapng *r)
{
    return r->buf + BLOCK_HEAD;
}

static size_t body_len(const struct pcapng *r)
{
    return r->len - BLOCK_OVERHEAD;
}

static int too_short(struct pcapng *r, size_t need)
{
    return fail(r, "%s of %" PRIu32 " bytes is too short: its fixed fields need %zu",
                block_name(r->type), r->len, need + BLOCK_OVERHEAD);
}

/* A new section: its own byte order (already set) and interface numbering (spec 4.1). */
static int handle_shb(struct pcapng *r)
{
    uint16_t major, minor;

    if (body_len(r) < SHB_FIXED)
        return too_short(r, SHB_FIXED);
    major = get16(r, body(r) + 4);
    minor = get16(r, body(r) + 6);
    /* Version 1.0 (spec 4.1); some old writers put 1.2 on 1.0 files, which libpcap and Wireshark
     * read as 1.0 too. */
    if (major != 1 || (minor != 0 && minor != 2))
        return fail(r, "unsupported pcapng version %u.%u", major, minor);
    r->n_ifaces = 0;
    return 0;
}

/* if_tsresol (spec 4.2): high bit clear, 10^-n seconds; set, 2^-n seconds. */
static int set_tsresol(struct pcapng *r, const uint8_t *v, uint16_t len, struct interface *ifc)
{
    if (len != 1)
        return fail(r, "if_tsresol option of %u bytes (it has 1)", len);
    ifc->binary = (v[0] & 0x80) != 0;
    ifc->exp = v[0] & 0x7f;
    /* The timestamp is 64 bits: a finer unit than 10^-19 or 2^-63 s cannot count one second. */
    if (ifc->exp > (ifc->binary ? 63 : 19))
        return fail(r, "if_tsresol of %s^-%u seconds is finer than a 64-bit timestamp holds",
                    ifc->binary ? "2" : "10", ifc->exp);
    if (ifc->binary) {
        ifc->units = UINT64_C(1) << ifc->exp;
        return 0;
    }
    ifc->units = 1;
    for (unsigned i = 0; i < ifc->exp; i++)
        ifc->units *= 10;
    ifc->mul = ifc->units < NS_PER_S ? NS_PER_S / ifc->units : 1;
    ifc->div = ifc->units > NS_PER_S ? ifc->units / NS_PER_S : 1;
    return 0;
}

/* if_tsoffset (spec 4.2): whole seconds to add to every timestamp of the interface. */
static int set_tsoffset(struct pcapng *r, const uint8_t *v, uint16_t len, struct interface *ifc)
{
    if (len != 8)
        return fail(r, "if_tsoffset option of %u bytes (it has 8)", len);
    ifc->offset_s = (int64_t)get64(r, v);
    return 0;
}

/*
 * Options (spec 3.5): code, length, value padded to 32 bits, until opt_endofopt or the end of the
 * block. Bytes too few to hold another option's header are ignored. The last option may lack its
 * padding when the block ends right after its value.
 */
static int parse_idb_options(struct pcapng *r, const uint8_t *p, size_t len, struct interface *ifc)
{
    size_t off = 0;

    while (len - off >= 4) {
        uint16_t code = get16(r, p + off), olen = get16(r, p + off + 2);
        size_t padded = ((size_t)olen + 3) & ~(size_t)3;

        off += 4;
        if (code == OPT_ENDOFOPT)
            break;
        if (olen > len - off)
            return fail(r, "option %u of %u bytes runs past the end of %s", code, olen,
                        block_name(r->type));
        if (code == IF_TSRESOL && set_tsresol(r, p + off, olen, ifc) < 0)
            return -1;
        if (code == IF_TSOFFSET && set_tsoffset(r, p + off, olen, ifc) < 0)
            return -1;
        off += padded < len - off ? padded : len - off;
    }
    return 0;
}

static struct interface *new_interface(struct pcapng *r)
{
    size_t cap = r->cap_ifaces != 0 ? r->cap_ifaces * 2 : 4;
    struct interface *ifaces;

    if (r->n_ifaces == MAX_INTERFACES) {
        fail(r, "more than %u interfaces in one section", MAX_INTERFACES);
        return NULL;
    }
    if (r->n_ifaces == r->cap_ifaces) {
        ifaces = realloc(r->ifaces, cap * sizeof(*ifaces));
        if (ifaces == NULL) {
            fail(r, "out of memory for %zu interfaces", cap);
            return NULL;
        }
        r->ifaces = ifaces;
        r->cap_ifaces = cap;
    }
    return &r->ifaces[r->n_ifaces];
}

/* An interface: the next id in its section (spec 4.2). */
static int handle_idb(struct pcapng *r)
{
    struct interface *ifc;

    if (body_len(r) < IDB_FIXED)
        return too_short(r, IDB_FIXED);
    ifc = new_interface(r);
    if (ifc == NULL)
        return -1;
    *ifc = (struct interface){.linktype = get16(r, body(r)),
                              .snaplen = get32(r, body(r) + 4),
                              .units = US_PER_S, /* default: microseconds (spec 4.2) */
                              .exp = 6,
                              .mul = NS_PER_S / US_PER_S,
                              .div = 1};
    if (parse_idb_options(r, body(r) + IDB_FIXED, body_len(r) - IDB_FIXED, ifc) < 0)
        return -1;
    r->n_ifaces++;
    if (r->first_linktype < 0)
        r->first_linktype = ifc->linktype;
    if (ifc->units > US_PER_S)
        r->nanosecond = true;
    return 0;
}

/* floor(rem * 10^9 / 2^exp) for 34 <= exp <= 63: the product needs up to 93 bits. */
static uint64_t wide_binary_fraction(uint64_t rem, unsigned exp)
{
    uint64_t low_prod = (rem & 0xffffffffu) * NS_PER_S;
    uint64_t high_prod = (rem >> 32) * NS_PER_S;
    uint64_t lo = low_prod + (high_prod << 32);
    uint64_t hi = (high_prod >> 32) + (lo < low_prod);

    return hi << (64 - exp) | lo >> exp;
}

/* Nanoseconds in `rem` units, rem < units: exact, rounding down. */
static uint64_t fraction_ns(const struct interface *ifc, uint64_t rem)
{
    if (!ifc->binary)
        return rem * ifc->mul / ifc->div;
    if (ifc->exp <= 33) /* rem < 2^33, so rem * 10^9 < 2^63 */
        return rem * NS_PER_S >> ifc->exp;
    return wide_binary_fraction(rem, ifc->exp);
}

/* sec + off as ps_time seconds, false when outside what a ps_time holds. */
static bool add_offset(uint64_t sec, int64_t off, int64_t *out)
{
    uint64_t back = 0 - (uint64_t)off; /* |off| when off < 0, INT64_MIN included */

    if (off >= 0) {
        if (sec > MAX_SECONDS || (uint64_t)off > MAX_SECONDS - sec)
            return false;
        *out = (int64_t)(sec + (uint64_t)off);
    } else if (sec >= back) {
        if (sec - back > MAX_SECONDS)
            return false;
        *out = (int64_t)(sec - back);
    } else {
        if (back - sec > MAX_SECONDS)
            return false;
        *out = -(int64_t)(back - sec);
    }
    return true;
}

static bool to_ps_time(const struct interface *ifc, uint64_t ts, ps_time *out)
{
    int64_t sec;

    if (!add_offset(ts / ifc->units, ifc->offset_s, &sec))
        return false;
    *out = sec * (int64_t)NS_PER_S + (int64_t)fraction_ns(ifc, ts % ifc->units);
    return true;
}

static int no_interface(struct pcapng *r, uint32_t id)
{
    if (r->n_ifaces == 0)
        return fail(r,
                    "packet block refers to interface %" PRIu32 ", but the section has none "
                    "(no interface description block comes before it)",
                    id);
    return fail(r, "packet block refers to interface %" PRIu32 ", but the section has %zu", id,
                r->n_ifaces);
}

/* The fields enhanced and obsolete packet blocks share. */
struct packet_fields {
    uint32_t iface;
    uint64_t ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;
    size_t room; /* bytes the block has for the packet data and options */
};

/*
 * Hands over a packet whose fields were read from the block. A captured length greater than the
 * original length is impossible on the wire but harmless here: both are passed on as given,
 * decoding reads only captured bytes and byte counts use the original length.
 */
static int deliver(struct pcapng *r, const struct packet_fields *f, struct capture_packet *pkt)
{
    const struct interface *ifc;

    if (f->iface >= r->n_ifaces)
        return no_interface(r, f->iface);
    if (f->caplen > f->room)
        return fail(r, "captured length %" PRIu32 " is more than the %zu bytes the block holds",
                    f->caplen, f->room);
    ifc = &r->ifaces[f->iface];
    if (!to_ps_time(ifc, f->ts, &pkt->ts))
        return fail(r,
                    "timestamp %" PRIu64 " (1/%" PRIu64 " s units, offset %" PRId64
                    " s) is outside the years 1677 to 2262",
                    f->ts, ifc->units, ifc->offset_s);
    pkt->data = f->data;
    pkt->caplen = f->caplen;
    pkt->wirelen = f->wirelen;
    pkt->linktype = ifc->linktype;
    r->last_ts = pkt->ts;
    r->packets++;
    return 1;
}

/*
 * Enhanced packet block (spec 4.3) and the obsolete packet block (spec appendix): the same
 * layout but for the interface id, 32 bits in the one, 16 bits and a drops count in the other.
 */
static int handle_epb_or_pb(struct pcapng *r, struct capture_packet *pkt, bool obsolete)
{
    const uint8_t *b = body(r);
    struct packet_fields f;

    if (body_len(r) < EPB_FIXED)
        return too_short(r, EPB_FIXED);
    f.iface = obsolete ? get16(r, b) : get32(r, b);
    f.ts = (uint64_t)get32(r, b + 4) << 32 | get32(r, b + 8);
    f.caplen = get32(r, b + 12);
    f.wirelen = get32(r, b + 16);
    f.data = b + EPB_FIXED;
    f.room = body_len(r) - EPB_FIXED;
    return deliver(r, &f, pkt);
}

/*
 * Simple packet block (spec 4.4): interface 0, no timestamp, no captured length. The captured
 * length is the original length cut to the interface's snaplen (0: no limit) and to the block.
 * Having no time, the packet takes the previous packet's.
 */
static int handle_spb(struct pcapng *r, struct capture_packet *pkt)
{
    const struct interface *ifc;
    size_t room;
    uint32_t caplen;

    if (body_len(r) < SPB_FIXED)
        return too_short(r, SPB_FIXED);
    if (r->n_ifaces == 0)
        return no_interface(r, 0);
    ifc = &r->ifaces[0];
    room = body_len(r) - SPB_FIXED;
    caplen = get32(r, body(r));
    pkt->wirelen = caplen;
    if (ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (caplen > room)
        caplen = (uint32_t)room;
    pkt->data = body(r) + SPB_FIXED;
    pkt->caplen = caplen;
    pkt->ts = r->last_ts;
    pkt->linktype = ifc->linktype;
    r->packets++;
    return 1;
}

/* 1 with a packet, 0 for a block that holds none, -1 on error. */
static int handle_block(struct pcapng *r, struct capture_packet *pkt)
{
    switch (r->type) {
    case BLOCK_SHB:
        return handle_shb(r);
    case BLOCK_IDB:
        return handle_idb(r);
    case BLOCK_EPB:
        return handle_epb_or_pb(r, pkt, false);
    case BLOCK_SPB:
        return handle_spb(r, pkt);
    case BLOCK_PB:
        return handle_epb_or_pb(r, pkt, true);
    default:
        /* Name resolution, statistics, decryption secrets, custom blocks...: no packets. */
        return 0;
    }
}

static int read_packet(struct pcapng *r, struct capture_packet *pkt)
{
    int rc;

    while ((rc = read_block(r)) == 1) {
        rc = handle_block(r, pkt);
        if (rc != 0)
            return rc;
    }
    return rc;
}

struct pcapng *pcapng_open(FILE *fp, char *err, size_t errlen)
{
    struct pcapng *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->fp = fp;
    r->first_linktype = -1;
    if (read_block(r) != 1 || r->type != BLOCK_SHB || handle_shb(r) < 0) {
        if (!r->failed)
            fail(r, "not a pcapng file: it does not start with a section header block");
        snprintf(err, errlen, "%s", r->error);
        pcapng_close(r);
        return NULL;
    }
    r->pending_rc = read_packet(r, &r->pending);
    r->has_pending = true;
    return r;
}

int pcapng_next(struct pcapng *r, struct capture_packet *pkt)
{
    if (r->has_pending) {
        r->has_pending = false;
        *pkt = r->pending;
        return r->pending_rc;
    }
    if (r->failed)
        return -1;
    return read_packet(r, pkt);
}

const char *pcapng_error(const struct pcapng *r)
{
    return r->error;
}

int pcapng_linktype(const struct pcapng *r)
{
    return r->first_linktype;
}

bool pcapng_nanosecond(const struct pcapng *r)
{
    return r->nanosecond;
}

void pcapng_close(struct pcapng *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r->ifaces);
    free(r);
}
