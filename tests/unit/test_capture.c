/*
 * test_capture.c - unit tests for src/capture/pcapng.c through capture.h: pcapng files built in
 * memory, in either byte order, read with fmemopen + capture_open_stream.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fmemopen */
#endif

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "../../src/capture/pcapng.h"

#define LT_ETHERNET 1
#define LT_RAW      101

#define NS 1000000000LL

/* A pcapng file under construction. */
struct file {
    uint8_t data[4096];
    size_t len;
    bool big; /* byte order of the current section */
};

static void put8(struct file *f, uint8_t v)
{
    ck_assert_uint_lt(f->len, sizeof(f->data));
    f->data[f->len++] = v;
}

static void put16(struct file *f, uint16_t v)
{
    put8(f, f->big ? v >> 8 : v & 0xff);
    put8(f, f->big ? v & 0xff : v >> 8);
}

static void put32(struct file *f, uint32_t v)
{
    put16(f, f->big ? v >> 16 : v & 0xffff);
    put16(f, f->big ? v & 0xffff : v >> 16);
}

static void put64(struct file *f, uint64_t v)
{
    put32(f, f->big ? v >> 32 : v & 0xffffffff);
    put32(f, f->big ? v & 0xffffffff : v >> 32);
}

/* Bytes, then zeros up to a multiple of 4. */
static void put_padded(struct file *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(f, p[i]);
    while (f->len % 4 != 0)
        put8(f, 0);
}

static void patch32(struct file *f, size_t at, uint32_t v)
{
    size_t end = f->len;

    f->len = at;
    put32(f, v);
    f->len = end;
}

/* Starts a block; returns where it starts, for end_block(). */
static size_t begin_block(struct file *f, uint32_t type)
{
    size_t start = f->len;

    put32(f, type);
    put32(f, 0); /* total length, set by end_block() */
    return start;
}

static void end_block(struct file *f, size_t start)
{
    uint32_t total = (uint32_t)(f->len - start + 4);

    put32(f, total);
    patch32(f, start + 4, total);
}

static void shb(struct file *f, bool big)
{
    size_t start;

    f->big = big;
    start = begin_block(f, 0x0a0d0d0a);
    put32(f, 0x1a2b3c4d);
    put16(f, 1);
    put16(f, 0);
    put64(f, UINT64_MAX); /* section length not given */
    end_block(f, start);
}

/* An option: code, length, value padded to 32 bits. */
static void option(struct file *f, uint16_t code, const uint8_t *v, uint16_t len)
{
    put16(f, code);
    put16(f, len);
    put_padded(f, v, len);
}

static void end_of_options(struct file *f)
{
    put32(f, 0);
}

static size_t begin_idb(struct file *f, uint16_t linktype, uint32_t snaplen)
{
    size_t start = begin_block(f, 1);

    put16(f, linktype);
    put16(f, 0);
    put32(f, snaplen);
    return start;
}

static void idb(struct file *f, uint16_t linktype)
{
    end_block(f, begin_idb(f, linktype, 65535));
}

static void idb_tsresol(struct file *f, uint16_t linktype, uint8_t tsresol)
{
    size_t start = begin_idb(f, linktype, 0);

    option(f, 9, &tsresol, 1);
    end_of_options(f);
    end_block(f, start);
}

static void idb_tsoffset(struct file *f, uint16_t linktype, int64_t offset)
{
    size_t start = begin_idb(f, linktype, 0);
    struct file value = {.big = f->big};

    put64(&value, (uint64_t)offset);
    option(f, 14, value.data, 8);
    end_of_options(f);
    end_block(f, start);
}

static const uint8_t payload[64] = {0x45, 0x00, 0x00, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

/* An enhanced packet block holding the first `caplen` bytes of payload. */
static void epb(struct file *f, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t wirelen)
{
    size_t start = begin_block(f, 6);

    put32(f, iface);
    put32(f, (uint32_t)(ts >> 32));
    put32(f, (uint32_t)ts);
    put32(f, caplen);
    put32(f, wirelen);
    put_padded(f, payload, caplen);
    end_block(f, start);
}

/* A simple packet block holding `stored` bytes of payload. */
static void spb(struct file *f, uint32_t wirelen, uint32_t stored)
{
    size_t start = begin_block(f, 3);

    put32(f, wirelen);
    put_padded(f, payload, stored);
    end_block(f, start);
}

/* The obsolete packet block: 16-bit interface id and drops count. */
static void pb(struct file *f, uint16_t iface, uint64_t ts, uint32_t caplen, uint32_t wirelen)
{
    size_t start = begin_block(f, 2);

    put16(f, iface);
    put16(f, 7); /* drops */
    put32(f, (uint32_t)(ts >> 32));
    put32(f, (uint32_t)ts);
    put32(f, caplen);
    put32(f, wirelen);
    put_padded(f, payload, caplen);
    end_block(f, start);
}

static void other_block(struct file *f, uint32_t type, size_t body)
{
    size_t start = begin_block(f, type);

    for (size_t i = 0; i < body; i++)
        put8(f, (uint8_t)i);
    put_padded(f, NULL, 0);
    end_block(f, start);
}

static struct capture *open_file(struct file *f)
{
    char err[PS_ERRBUF_SIZE] = "";
    FILE *fp = fmemopen(f->data, f->len, "rb");
    struct capture *c;

    ck_assert_ptr_nonnull(fp);
    c = capture_open_stream(fp, err, sizeof(err));
    ck_assert_msg(c != NULL, "open failed: %s", err);
    ck_assert_int_eq(capture_format(c), CAPTURE_FORMAT_PCAPNG);
    return c;
}

/* Opening must fail; returns the message. */
static const char *open_error(struct file *f)
{
    static char err[PS_ERRBUF_SIZE];
    FILE *fp = fmemopen(f->data, f->len, "rb");

    ck_assert_ptr_nonnull(fp);
    ck_assert_ptr_null(capture_open_stream(fp, err, sizeof(err)));
    return err;
}

static void next_ok(struct capture *c, struct capture_packet *p)
{
    int rc = capture_next(c, p);

    ck_assert_msg(rc == 1, "capture_next: %d: %s", rc, rc < 0 ? capture_error(c) : "");
}

static void expect_end(struct capture *c)
{
    struct capture_packet p;

    ck_assert_int_eq(capture_next(c, &p), 0);
    ck_assert_int_eq(capture_next(c, &p), 0);
}

/* Reads `n` good packets, then expects an error containing each of the strings given. */
static void expect_error_after(struct file *f, int n, const char *want1, const char *want2)
{
    struct capture *c = open_file(f);
    struct capture_packet p;

    for (int i = 0; i < n; i++)
        next_ok(c, &p);
    ck_assert_int_eq(capture_next(c, &p), -1);
    ck_assert_msg(strstr(capture_error(c), want1) != NULL, "'%s' lacks '%s'", capture_error(c),
                  want1);
    ck_assert_msg(strstr(capture_error(c), want2) != NULL, "'%s' lacks '%s'", capture_error(c),
                  want2);
    ck_assert_int_eq(capture_next(c, &p), -1); /* stays failed */
    capture_close(c);
}

static void check_simple(bool big)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, big);
    idb(&f, LT_ETHERNET);
    epb(&f, 0, 1700000000123456ULL, 14, 60);
    epb(&f, 0, 1700000001000001ULL, 13, 13);
    c = open_file(&f);
    ck_assert_int_eq(capture_linktype(c), LT_ETHERNET);
    ck_assert(!capture_nanosecond(c));
    next_ok(c, &p);
    ck_assert_int_eq(p.ts, 1700000000123456000LL);
    ck_assert_uint_eq(p.caplen, 14);
    ck_assert_uint_eq(p.wirelen, 60);
    ck_assert_int_eq(p.linktype, LT_ETHERNET);
    ck_assert_mem_eq(p.data, payload, 14);
    next_ok(c, &p);
    ck_assert_int_eq(p.ts, 1700000001000001000LL);
    ck_assert_uint_eq(p.caplen, 13);
    ck_assert_uint_eq(p.wirelen, 13);
    ck_assert_mem_eq(p.data, payload, 13);
    expect_end(c);
    capture_close(c);
}

START_TEST(test_simple_little_endian)
{
    check_simple(false);
}
END_TEST

START_TEST(test_simple_big_endian)
{
    check_simple(true);
}
END_TEST

START_TEST(test_interfaces_of_different_link_types)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    idb(&f, LT_RAW);
    for (int i = 0; i < 4; i++)
        epb(&f, (uint32_t)i % 2, 1000000 * (uint64_t)i, 20, 20);
    c = open_file(&f);
    ck_assert_int_eq(capture_linktype(c), LT_ETHERNET);
    for (int i = 0; i < 4; i++) {
        next_ok(c, &p);
        ck_assert_int_eq(p.linktype, i % 2 == 0 ? LT_ETHERNET : LT_RAW);
        ck_assert_int_eq(p.ts, i * NS);
    }
    expect_end(c);
    capture_close(c);
}
END_TEST

START_TEST(test_sections_of_different_byte_order)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    idb(&f, LT_ETHERNET);
    epb(&f, 1, 5000000, 20, 20);
    shb(&f, true);
    idb(&f, LT_RAW);
    epb(&f, 0, 6000000, 21, 40);
    shb(&f, false);
    idb_tsresol(&f, 228, 9);
    epb(&f, 0, 7 * NS, 22, 22);
    c = open_file(&f);
    next_ok(c, &p);
    ck_assert_int_eq(p.linktype, LT_ETHERNET);
    ck_assert_int_eq(p.ts, 5 * NS);
    next_ok(c, &p);
    ck_assert_int_eq(p.linktype, LT_RAW);
    ck_assert_int_eq(p.ts, 6 * NS);
    ck_assert_uint_eq(p.caplen, 21);
    ck_assert_uint_eq(p.wirelen, 40);
    next_ok(c, &p);
    ck_assert_int_eq(p.linktype, 228);
    ck_assert_int_eq(p.ts, 7 * NS);
    expect_end(c);
    ck_assert_int_eq(capture_linktype(c), LT_ETHERNET); /* the file's first interface */
    ck_assert(capture_nanosecond(c));
    capture_close(c);
}
END_TEST

START_TEST(test_new_section_resets_interfaces)
{
    struct file f = {0};

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    idb(&f, LT_ETHERNET);
    epb(&f, 1, 0, 20, 20);
    shb(&f, true);
    idb(&f, LT_RAW);
    epb(&f, 1, 0, 20, 20);
    expect_error_after(&f, 1, "packet block refers to interface 1, but the section has 1",
                       "(reading packet 2 at byte offset");
}
END_TEST

START_TEST(test_tsresol_nanoseconds)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, true);
    idb_tsresol(&f, LT_ETHERNET, 9);
    epb(&f, 0, 1700000000123456789ULL, 20, 20);
    c = open_file(&f);
    ck_assert(capture_nanosecond(c));
    next_ok(c, &p);
    ck_assert_int_eq(p.ts, 1700000000123456789LL);
    capture_close(c);
}
END_TEST

/* Each case: if_tsresol, raw timestamp, expected ps_time, expected nanosecond flag. */
static const struct {
    uint8_t tsresol;
    uint64_t ts;
    int64_t want;
    bool nanosecond;
} resolutions[] = {
    {0, 1700000000, 1700000000 * NS, false},             /* seconds */
    {3, 1500, 1500000000, false},                        /* milliseconds */
    {6, 1000001, NS + 1000, false},                      /* the default, given explicitly */
    {12, 1234567890123ULL, 1234567890, true},            /* picoseconds, rounded down */
    {19, UINT64_MAX, NS + 844674407, true},              /* 10^-19: the finest there is */
    {0x80 | 10, 3 * 1024 + 512, 3 * NS + NS / 2, false}, /* 2^-10: coarser than microseconds */
    {0x80 | 20, (5ULL << 20) + (1 << 19), 5500000000, true},
    {0x80 | 33, (1ULL << 33) - 1, 999999999, true},             /* the last narrow product */
    {0x80 | 34, (7ULL << 34) + (1ULL << 32), 7250000000, true}, /* the first wide one */
    {0x80 | 40, (3ULL << 40) + 1, 3 * NS, true},                /* 1e9 / 2^40 rounds down to 0 */
    {0x80 | 40, (1ULL << 40) - 1, 999999999, true},
    {0x80 | 63, UINT64_MAX, NS + 999999999, true},
};

START_TEST(test_tsresol)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, _i % 2 == 1);
    idb_tsresol(&f, LT_ETHERNET, resolutions[_i].tsresol);
    epb(&f, 0, resolutions[_i].ts, 20, 20);
    c = open_file(&f);
    ck_assert(capture_nanosecond(c) == resolutions[_i].nanosecond);
    next_ok(c, &p);
    ck_assert_int_eq(p.ts, resolutions[_i].want);
    capture_close(c);
}
END_TEST

START_TEST(test_tsresol_too_fine)
{
    struct file f = {0};

    shb(&f, false);
    idb_tsresol(&f, LT_ETHERNET, 20);
    epb(&f, 0, 0, 20, 20);
    expect_error_after(&f, 0, "if_tsresol of 10^-20 seconds", "at byte offset 28");
}
END_TEST

START_TEST(test_tsoffset)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, false);
    idb_tsoffset(&f, LT_ETHERNET, 1000);
    idb_tsoffset(&f, LT_ETHERNET, -2000);
    epb(&f, 0, 1, 20, 20);
    epb(&f, 1, 1000001, 20, 20);
    c = open_file(&f);
    next_ok(c, &p);
    ck_assert_int_eq(p.ts, 1000 * NS + 1000);
    next_ok(c, &p);
    ck_assert_int_eq(p.ts, -1999 * NS + 1000);
    capture_close(c);
}
END_TEST

START_TEST(test_time_out_of_range)
{
    struct file f = {0};

    shb(&f, false);
    idb_tsresol(&f, LT_ETHERNET, 0);
    epb(&f, 0, 10000000000ULL, 20, 20); /* the year 2286 */
    expect_error_after(&f, 0, "outside the years", "(reading packet 1 at byte offset");
}
END_TEST

START_TEST(test_simple_packet_blocks)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, true);
    end_block(&f, begin_idb(&f, LT_RAW, 48));
    idb(&f, LT_ETHERNET);
    epb(&f, 1, 42000000, 20, 20);
    spb(&f, 100, 48); /* cut by the snaplen */
    spb(&f, 10, 10);  /* the block has 2 bytes of padding */
    spb(&f, 60, 40);  /* cut by the block */
    c = open_file(&f);
    next_ok(c, &p);
    next_ok(c, &p);
    ck_assert_int_eq(p.linktype, LT_RAW); /* interface 0, whatever came before */
    ck_assert_int_eq(p.ts, 42 * NS);      /* no time of its own: the previous packet's */
    ck_assert_uint_eq(p.caplen, 48);
    ck_assert_uint_eq(p.wirelen, 100);
    ck_assert_mem_eq(p.data, payload, 48);
    next_ok(c, &p);
    ck_assert_uint_eq(p.caplen, 10);
    ck_assert_uint_eq(p.wirelen, 10);
    next_ok(c, &p);
    ck_assert_uint_eq(p.caplen, 40);
    ck_assert_uint_eq(p.wirelen, 60);
    expect_end(c);
    capture_close(c);
}
END_TEST

START_TEST(test_obsolete_packet_block)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, true);
    idb(&f, LT_ETHERNET);
    idb(&f, LT_RAW);
    pb(&f, 1, 2500000, 30, 31);
    c = open_file(&f);
    next_ok(c, &p);
    ck_assert_int_eq(p.linktype, LT_RAW);
    ck_assert_int_eq(p.ts, 2500000000);
    ck_assert_uint_eq(p.caplen, 30);
    ck_assert_uint_eq(p.wirelen, 31);
    ck_assert_mem_eq(p.data, payload, 30);
    expect_end(c);
    capture_close(c);
}
END_TEST

START_TEST(test_other_blocks_skipped)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, false);
    other_block(&f, 4, 16); /* name resolution */
    idb(&f, LT_ETHERNET);
    other_block(&f, 5, 20);          /* interface statistics */
    other_block(&f, 0x0000000a, 0);  /* decryption secrets, empty */
    other_block(&f, 0x00000bad, 13); /* custom, 3 bytes of padding */
    other_block(&f, 0x40000bad, 8);  /* custom, not to be copied */
    epb(&f, 0, 0, 20, 20);
    other_block(&f, 0x12345678, 4);
    c = open_file(&f);
    next_ok(c, &p);
    ck_assert_uint_eq(p.caplen, 20);
    expect_end(c);
    capture_close(c);
}
END_TEST

START_TEST(test_no_packets)
{
    struct file f = {0};
    struct capture *c;

    shb(&f, false);
    c = open_file(&f);
    ck_assert_int_eq(capture_linktype(c), -1);
    expect_end(c);
    capture_close(c);
}
END_TEST

START_TEST(test_truncated_block)
{
    struct file f = {0};
    size_t second;

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    epb(&f, 0, 0, 20, 20);
    second = f.len;
    epb(&f, 0, 0, 20, 20);
    f.len -= 10;
    expect_error_after(&f, 1,
                       "truncated block: the file ends 42 bytes into an enhanced packet "
                       "block of 52 bytes",
                       "(reading packet 2 at byte offset 100)");
    ck_assert_uint_eq(second, 100);
    f.len = second + 5;
    expect_error_after(&f, 1, "truncated block: the file ends 5 bytes into a block header",
                       "at byte offset 100");
}
END_TEST

START_TEST(test_truncated_section_header)
{
    struct file f = {0};

    shb(&f, false);
    f.len = 10;
    ck_assert_str_eq(open_error(&f), "truncated block: the file ends 10 bytes into a section "
                                     "header block at byte offset 0");
}
END_TEST

START_TEST(test_bad_trailing_length)
{
    struct file f = {0};

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    epb(&f, 0, 0, 20, 20);
    patch32(&f, f.len - 4, 48);
    expect_error_after(&f, 0,
                       "block length 48 at the end of an enhanced packet block differs "
                       "from 52 at its start",
                       "(reading packet 1 at byte offset 48)");
}
END_TEST

START_TEST(test_length_not_multiple_of_4)
{
    struct file f = {0};

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    patch32(&f, 28 + 4, 22);
    expect_error_after(&f, 0, "impossible block length 22", "at byte offset 28");
}
END_TEST

START_TEST(test_length_too_short_or_long)
{
    struct file f = {0};

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    patch32(&f, 28 + 4, 8);
    expect_error_after(&f, 0, "impossible block length 8", "at byte offset 28");
    patch32(&f, 28 + 4, 0xfffffffc);
    expect_error_after(&f, 0, "impossible block length 4294967292 (more than 64 MiB)",
                       "at byte offset 28");
}
END_TEST

START_TEST(test_interface_out_of_range)
{
    struct file f = {0};

    shb(&f, true);
    idb(&f, LT_ETHERNET);
    idb(&f, LT_ETHERNET);
    epb(&f, 0, 0, 20, 20);
    epb(&f, 3, 0, 20, 20);
    expect_error_after(&f, 1, "packet block refers to interface 3, but the section has 2",
                       "(reading packet 2 at byte offset 120)");
}
END_TEST

START_TEST(test_packet_before_interface)
{
    struct file f = {0};

    shb(&f, false);
    spb(&f, 20, 20);
    expect_error_after(&f, 0, "refers to interface 0, but the section has none",
                       "(reading packet 1 at byte offset 28)");
}
END_TEST

START_TEST(test_caplen_larger_than_block)
{
    struct file f = {0};

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    epb(&f, 0, 0, 20, 20);
    patch32(&f, 48 + 8 + 12, 21);
    expect_error_after(&f, 0, "captured length 21 is more than the 20 bytes the block holds",
                       "(reading packet 1 at byte offset 48)");
}
END_TEST

START_TEST(test_caplen_larger_than_wirelen)
{
    struct file f = {0};
    struct capture *c;
    struct capture_packet p;

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    epb(&f, 0, 0, 20, 10);
    c = open_file(&f);
    next_ok(c, &p);
    ck_assert_uint_eq(p.caplen, 20);
    ck_assert_uint_eq(p.wirelen, 10);
    capture_close(c);
}
END_TEST

START_TEST(test_block_too_short_for_its_fields)
{
    struct file f = {0};

    shb(&f, false);
    idb(&f, LT_ETHERNET);
    other_block(&f, 6, 16);
    expect_error_after(&f, 0, "an enhanced packet block of 28 bytes is too short",
                       "(reading packet 1 at byte offset 48)");
}
END_TEST

START_TEST(test_option_past_block)
{
    struct file f = {0};
    size_t start;
    uint8_t v = 9;

    shb(&f, false);
    start = begin_idb(&f, LT_ETHERNET, 0);
    option(&f, 9, &v, 1);
    end_block(&f, start);
    patch32(&f, start + 16, 9 | 9u << 16); /* code 9, now 9 bytes long */
    expect_error_after(&f, 0,
                       "option 9 of 9 bytes runs past the end of an interface description "
                       "block",
                       "at byte offset 28");
}
END_TEST

START_TEST(test_bad_section_header)
{
    struct file f = {0};

    shb(&f, false);
    patch32(&f, 8, 0x1a2b3c4e);
    ck_assert_ptr_nonnull(strstr(open_error(&f), "byte-order magic 4e 3c 2b 1a"));
    f.len = 0;
    shb(&f, true);
    f.data[13] = 2; /* major version 2 */
    ck_assert_str_eq(open_error(&f), "unsupported pcapng version 2.0 at byte offset 0");
}
END_TEST

START_TEST(test_zero_length_file)
{
    struct file f = {0};

    ck_assert_str_eq(open_error(&f), "empty file");
}
END_TEST

/*
 * pcap through libpcap: a record longer than the snapshot length comes back cut, which the byte
 * offset of a later error must not miss (capture.c counts offsets instead of asking ftell()).
 */
static void pcap_put32(uint8_t *p, uint32_t v, bool big)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(big ? v >> (24 - 8 * i) : v >> (8 * i));
}

/* A pcap file of version 2.`minor` with snaplen 64 and records of these lengths; the last one's
 * data stops after `last_got` bytes. */
static size_t pcap_file(uint8_t *buf, bool big, uint16_t minor, const uint32_t (*lens)[2], size_t n,
                        size_t last_got)
{
    size_t len = 24;

    memset(buf, 0, 24);
    pcap_put32(buf, 0xa1b2c3d4u, big);
    buf[big ? 5 : 4] = 2;
    buf[big ? 7 : 6] = (uint8_t)minor;
    pcap_put32(buf + 16, 64, big);
    pcap_put32(buf + 20, 1, big);
    for (size_t i = 0; i < n; i++) {
        uint32_t caplen = lens[i][0], wirelen = lens[i][1];
        size_t data = minor == 3 && caplen > wirelen ? wirelen : caplen;

        memset(buf + len, 0, 16);
        pcap_put32(buf + len + 4, 1, big);
        pcap_put32(buf + len + 8, caplen, big);
        pcap_put32(buf + len + 12, wirelen, big);
        len += 16;
        if (i + 1 == n && last_got < data)
            data = last_got;
        memset(buf + len, 0xab, data);
        len += data;
    }
    return len;
}

static void expect_pcap_error(uint8_t *buf, size_t len, size_t good, const char *want)
{
    char err[PS_ERRBUF_SIZE] = "";
    FILE *fp = fmemopen(buf, len, "rb");
    struct capture_packet p;
    struct capture *c;

    ck_assert_ptr_nonnull(fp);
    c = capture_open_stream(fp, err, sizeof(err));
    ck_assert_msg(c != NULL, "open failed: %s", err);
    ck_assert_int_eq(capture_format(c), CAPTURE_FORMAT_PCAP);
    for (size_t i = 0; i < good; i++)
        next_ok(c, &p);
    ck_assert_int_eq(capture_next(c, &p), -1);
    ck_assert_str_eq(capture_error(c), want);
    capture_close(c);
}

START_TEST(test_pcap_offset_after_cut_record)
{
    static const uint32_t cut[][2] = {{100, 100}, {60, 60}, {64, 64}, {200, 200}};
    static const uint32_t swapped[][2] = {{100, 100}, {200, 80}, {70, 50}, {40, 40}};
    static const uint32_t short_ones[][2] = {{60, 60}, {50, 50}, {200, 200}};
    uint8_t buf[1024];

    expect_pcap_error(buf, pcap_file(buf, false, 4, cut, 4, 30), 3,
                      "truncated dump file; tried to read 64 captured bytes, only got 30 "
                      "(reading packet 4 at byte offset 296)");
    /* Version 2.3, where a captured length above the original one means the two are swapped. */
    expect_pcap_error(buf, pcap_file(buf, true, 3, swapped, 4, 4), 3,
                      "truncated dump file; tried to read 40 captured bytes, only got 4 "
                      "(reading packet 4 at byte offset 302)");
    /* Nothing cut: the offset is counted, not recounted. */
    expect_pcap_error(buf, pcap_file(buf, false, 4, short_ones, 3, 10), 2,
                      "truncated dump file; tried to read 64 captured bytes, only got 10 "
                      "(reading packet 3 at byte offset 166)");
}
END_TEST

Suite *capture_suite(void)
{
    Suite *s = suite_create("pcapng");
    TCase *tc = tcase_create("reader");

    tcase_add_test(tc, test_simple_little_endian);
    tcase_add_test(tc, test_simple_big_endian);
    tcase_add_test(tc, test_interfaces_of_different_link_types);
    tcase_add_test(tc, test_sections_of_different_byte_order);
    tcase_add_test(tc, test_new_section_resets_interfaces);
    tcase_add_test(tc, test_tsresol_nanoseconds);
    tcase_add_loop_test(tc, test_tsresol, 0, sizeof(resolutions) / sizeof(resolutions[0]));
    tcase_add_test(tc, test_tsresol_too_fine);
    tcase_add_test(tc, test_tsoffset);
    tcase_add_test(tc, test_time_out_of_range);
    tcase_add_test(tc, test_simple_packet_blocks);
    tcase_add_test(tc, test_obsolete_packet_block);
    tcase_add_test(tc, test_other_blocks_skipped);
    tcase_add_test(tc, test_no_packets);
    tcase_add_test(tc, test_truncated_block);
    tcase_add_test(tc, test_truncated_section_header);
    tcase_add_test(tc, test_bad_trailing_length);
    tcase_add_test(tc, test_length_not_multiple_of_4);
    tcase_add_test(tc, test_length_too_short_or_long);
    tcase_add_test(tc, test_interface_out_of_range);
    tcase_add_test(tc, test_packet_before_interface);
    tcase_add_test(tc, test_caplen_larger_than_block);
    tcase_add_test(tc, test_caplen_larger_than_wirelen);
    tcase_add_test(tc, test_block_too_short_for_its_fields);
    tcase_add_test(tc, test_option_past_block);
    tcase_add_test(tc, test_bad_section_header);
    tcase_add_test(tc, test_zero_length_file);
    tcase_add_test(tc, test_pcap_offset_after_cut_record);
    suite_add_tcase(s, tc);
    return s;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, capture_suite());
    return 0;
}
