/*
 * json_writer.h - the fast JSON writer: JSON text written straight into a buffer that goes out in
 * large blocks, byte for byte what json_dumps() writes for the same values, without building them
 * as jansson values first. The flows, services and client hosts of the report (output_json_flows.c)
 * are written with it.
 *
 * Between two values, everything (commas, line breaks, indentation, keys, braces) depends only on
 * the form and the depth: it is spelled out once per form as fragments, and copied, not composed,
 * for each record.
 *
 * The small primitives are here, inline, because they are called for every value of every flow and
 * a call into another file for each would cost the writer about 5%.
 */
#ifndef PS_JSON_WRITER_H
#define PS_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

#define JW_DOCUMENT_BUFFER (256 * 1024) /* flows go out in blocks of this size (--json, jsonl) */
#define JW_LINE_BUFFER     4096         /* a single object's */
#define JW_STRING_PIECE    256          /* bytes of a string escaped at a time */
#define JW_DATE_CACHE      4  /* dates of distinct seconds kept: a flow's times are mostly in one */
#define JW_EPHEMERAL_CACHE 16 /* "ephemeral" lists kept as written, 8 per level: few occur */
#define JW_EPHEMERAL_TEXT  384
/* The document's names kept as written: 256, for a few dozen in use. */
#define JW_NAME_CACHE_BITS 8
#define JW_FRAGMENT_SIZE   64 /* the longest fragment, and what is copied of each */
#define JW_SHORT_NAME      64 /* strings up to this long are written without the general path */
/*
 * Room is made once for a group of at most JW_GROUP_ITEMS items: fragments, and values of which the
 * longest are short names (JW_SHORT_NAME and quotes). What can be longer (lists, other strings)
 * makes room for itself, then again for the rest of its group.
 */
#define JW_GROUP_ITEMS 15
#define JW_GROUP_ROOM  (JW_GROUP_ITEMS * (JW_SHORT_NAME + 2))

_Static_assert(JW_FRAGMENT_SIZE <= JW_SHORT_NAME + 2, "a fragment must fit in an item's room");
_Static_assert(JW_LINE_BUFFER >= JW_GROUP_ROOM + JW_EPHEMERAL_TEXT &&
                   JW_LINE_BUFFER >= JW_STRING_PIECE * 6 + 18,
               "a single object's buffer must hold what is written between two checks of room");

/* Text between two values, copied JW_FRAGMENT_SIZE bytes at once (a copy of constant size, which is
 * cheap), of which the first `len` stay. */
struct jw_fragment {
    char text[JW_FRAGMENT_SIZE];
    unsigned char len;
};

#define JW_FRAGMENT(s)                                                                             \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }

/* An array of items: before the first, between two, after the last. */
struct jw_list {
    struct jw_fragment first, next, close;
};

/* What comes before each value of a record, in one form (output_json_flows.c). */
struct jw_layout;

/* The writer's caches: what it wrote for a value, to copy the next time the value comes. */
struct jw_date_entry {
    int64_t secs;
    char text[32]; /* REPORT_DATE_SIZE */
    uint8_t len;   /* 0: unused */
};

struct jw_ephemeral_entry {
    uint32_t mask;
    const struct jw_list *list;
    uint16_t len; /* 0: unused */
    char text[JW_EPHEMERAL_TEXT];
};

struct jw_name_entry {
    const char *s; /* NULL: unused */
    struct jw_fragment quoted;
};

/* A buffer being filled with JSON text for `out`, in the form of `layout`, and its caches. */
struct jw_writer {
    FILE *out;
    char *p, *end; /* the free part of buf */
    const struct jw_layout *layout;
    bool failed; /* a write failed: errno says why */
    bool nanosecond;
    unsigned long flushes;
    struct jw_date_entry dates[JW_DATE_CACHE];
    struct jw_ephemeral_entry ephemeral[JW_EPHEMERAL_CACHE];
    struct jw_name_entry *names; /* 1 << JW_NAME_CACHE_BITS, or NULL: a writer of a single object */
    char *buf;
};

/* Starts a writer into `buf` of `size` bytes, for `out`, that writes values placed by `layout`,
 * times to the nanosecond or the microsecond; without a name cache (w->names) until given one. */
void jw_init(struct jw_writer *w, FILE *out, char *buf, size_t size, const struct jw_layout *layout,
             bool nanosecond);

/*
 * Writes out what the buffer holds; -1 once a write has failed (w->failed, errno says why). A
 * writer without a stream (`out` NULL) writes into memory: its buffer, which must then come from
 * malloc(), grows instead (realloc(); failed and ENOMEM when it cannot, and what it held is lost).
 */
int jw_flush(struct jw_writer *w);

/* A writer into memory takes `buf` of `size` bytes (from malloc()) as its buffer, keeping its
 * caches; the one it had is the caller's again. */
void jw_use_buffer(struct jw_writer *w, char *buf, size_t size);

/*
 * Makes room for `n` bytes (at most the buffer's size) at `p`, where the writer has got to without
 * telling it yet, and returns where they go.
 */
static inline char *jw_reserve(struct jw_writer *w, char *p, size_t n)
{
    if ((size_t)(w->end - p) < n) {
        w->p = p;
        jw_flush(w);
        p = w->p;
    }
    return p;
}

/* jw_reserve() at where the writer has got to. */
static inline char *jw_room(struct jw_writer *w, size_t n)
{
    return jw_reserve(w, w->p, n);
}

/* Text of any length up to the buffer's, where the writer has got to (JW_PUT_LITERAL: a literal).
 */
static inline void jw_put(struct jw_writer *w, const char *s, size_t len)
{
    memcpy(jw_room(w, len), s, len);
    w->p += len;
}

#define JW_PUT_LITERAL(w, s) jw_put((w), (s), sizeof(s) - 1)

/* Text between two values, of a layout. */
static inline char *jw_put_fragment(char *p, const struct jw_fragment *f)
{
    memcpy(p, f->text, sizeof(f->text));
    return p + f->len;
}

/* "00" to "99": numbers are written two digits at a time. */
static const char jw_digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                        "25262728293031323334353637383940414243444546474849"
                                        "50515253545556575859606162636465666768697071727374"
                                        "75767778798081828384858687888990919293949596979899";

/* Decimal digits of v, right-aligned to end at `end`; returns where they begin. */
static inline char *jw_digits_before(char *end, uint64_t v)
{
    while (v >= 100) {
        end -= 2;
        memcpy(end, jw_digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, jw_digit_pairs + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

/* Counted first, so that the digits go straight to their place. */
static inline char *jw_put_uint(char *p, uint64_t v)
{
    static const uint64_t powers_of_ten[] = {UINT64_C(10),
                                             UINT64_C(100),
                                             UINT64_C(1000),
                                             UINT64_C(10000),
                                             UINT64_C(100000),
                                             UINT64_C(1000000),
                                             UINT64_C(10000000),
                                             UINT64_C(100000000),
                                             UINT64_C(1000000000),
                                             UINT64_C(10000000000),
                                             UINT64_C(100000000000),
                                             UINT64_C(1000000000000),
                                             UINT64_C(10000000000000),
                                             UINT64_C(100000000000000),
                                             UINT64_C(1000000000000000),
                                             UINT64_C(10000000000000000),
                                             UINT64_C(100000000000000000),
                                             UINT64_C(1000000000000000000),
                                             UINT64_C(10000000000000000000)};
    size_t n = 1;

    while (n < 20 && v >= powers_of_ten[n - 1])
        n++;
    jw_digits_before(p + n, v);
    return p + n;
}

/* A json_int_t as jansson prints it ("%lld"): counters past INT64_MAX come out negative. */
static inline char *jw_put_int(char *p, int64_t v)
{
    if (v >= 0)
        return jw_put_uint(p, (uint64_t)v);
    *p = '-';
    return jw_put_uint(p + 1, 0 - (uint64_t)v);
}

/* true or false, as jansson writes them. */
static inline char *jw_put_bool(char *p, bool b)
{
    memcpy(p, b ? "true" : "false", 5);
    return p + (b ? 4 : 5);
}

/* null, for a value that is absent. */
static inline char *jw_put_null(char *p)
{
    memcpy(p, "null", 4);
    return p + 4;
}

/* A string that is not plain, or long, at p; and room for the rest of its group. */
char *jw_put_other(struct jw_writer *w, char *p, const char *s);

/* A string quoted as put_string() writes it, when it is short and plain ASCII (a name from the
 * program's own tables, mostly) and so is copied as it is; NULL when it is not. */
static inline char *jw_put_plain(char *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    *p++ = '"';
    while (i < JW_SHORT_NAME && u[i] - 0x20u < 0x60u && u[i] != '"' && u[i] != '\\') {
        p[i] = (char)u[i];
        i++;
    }
    if (u[i] != '\0')
        return NULL;
    p[i] = '"';
    return p + i + 1;
}

/* A string of len bytes the caller knows to be plain ASCII and short (a Community ID, say),
 * quoted at p without looking at each byte. */
static inline char *jw_put_known_plain(char *p, const char *s, size_t len)
{
    *p++ = '"';
    memcpy(p, s, len);
    p[len] = '"';
    return p + len + 1;
}

/* A string, as put_string() writes it, the short plain ones straight into their group's room. */
static inline char *jw_put_name(struct jw_writer *w, char *p, const char *s)
{
    char *end = jw_put_plain(p, s);

    return end != NULL ? end : jw_put_other(w, p, s);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 section 4), or 0 when it is not one. */
size_t jw_utf8_sequence(const unsigned char *s, size_t left);

/* jw_put_table_name() when the name is not in the writer's cache: written, and kept. */
char *jw_put_new_table_name(struct jw_writer *w, char *p, const char *s);

/* Where a name is kept in the writer's cache, by its address. */
static inline struct jw_name_entry *jw_name_slot(struct jw_writer *w, const char *s)
{
    return &w->names[(uint64_t)(uintptr_t)s * UINT64_C(0x9e3779b97f4a7c15) >>
                     (64 - JW_NAME_CACHE_BITS)];
}

/*
 * A string that stays where it is, as it is, while the writer lives (a name from a table): kept
 * as written by its address, for the next time. The copy of a kept one is here, inline: a flow
 * writes eight or so.
 */
static inline char *jw_put_table_name(struct jw_writer *w, char *p, const char *s)
{
    const struct jw_name_entry *e;

    if (w->names != NULL && (e = jw_name_slot(w, s))->s == s)
        return jw_put_fragment(p, &e->quoted);
    return jw_put_new_table_name(w, p, s);
}

/* As jw_put_table_name(), or null for NULL. */
static inline char *jw_put_nullable_table_name(struct jw_writer *w, char *p, const char *s)
{
    return s != NULL ? jw_put_table_name(w, p, s) : jw_put_null(p);
}

/*
 * A time as report_format_time() formats it, its date from the writer's cache; needs room for 43
 * bytes (the CSV writer uses it too).
 */
char *jw_put_time_text(struct jw_writer *w, char *p, ps_time t);

/* jw_put_time_text(), quoted. */
char *jw_put_time(struct jw_writer *w, char *p, ps_time t);

/* Nanoseconds as whole seconds, a point and a fraction of nine digits, or six. */
char *jw_put_seconds_text(char *p, uint64_t ns, bool nanosecond);

/* The seconds from `first` to `last` as jansson writes (double)ns / 1e9, to the writer's
 * precision. */
char *jw_put_duration(struct jw_writer *w, char *p, ps_time first, ps_time last);

/*
 * An address as inet_ntop() writes it (glibc's inet_ntop4 and inet_ntop6); at most 45 bytes
 * written, counting up to 3 after the text that are not kept (its longest is 39). The CSV and
 * text writers use it too.
 */
char *jw_put_addr_text(char *p, uint8_t family, const uint8_t *a);

/* jw_put_addr_text(), quoted. */
char *jw_put_addr(char *p, uint8_t family, const uint8_t *a);

/* A protocol by its name, or its number when it has none (ipproto_name()). */
char *jw_put_proto(struct jw_writer *w, char *p, uint8_t proto);

#endif
