/*
 * json_writer.c - the fast JSON writer's larger primitives: strings with their escapes and UTF-8
 * checks, names kept as written, times, durations and addresses (json_writer.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "base.h"
#include "report.h"

size_t jw_utf8_sequence(const unsigned char *s, size_t left)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xbf;
    size_t len;

    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        len = 2;
    else if (b >= 0xe0 && b <= 0xef)
        len = 3;
    else if (b >= 0xf0 && b <= 0xf4)
        len = 4;
    else
        return 0;
    /* The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF. */
    if (b == 0xe0)
        lo = 0xa0;
    else if (b == 0xed)
        hi = 0x9f;
    else if (b == 0xf0)
        lo = 0x90;
    else if (b == 0xf4)
        hi = 0x8f;
    if (len > left || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

void jw_init(struct jw_writer *w, FILE *out, char *buf, size_t size, const struct jw_layout *layout,
             bool nanosecond)
{
    w->out = out;
    w->buf = w->p = buf;
    w->end = buf + size;
    w->layout = layout;
    w->failed = false;
    w->nanosecond = nanosecond;
    w->flushes = 0;
    for (size_t i = 0; i < JW_DATE_CACHE; i++)
        w->dates[i].len = 0;
    for (size_t i = 0; i < JW_EPHEMERAL_CACHE; i++)
        w->ephemeral[i].len = 0;
    w->names = NULL;
}

void jw_use_buffer(struct jw_writer *w, char *buf, size_t size)
{
    w->buf = w->p = buf;
    w->end = buf + size;
}

/* What is written grows the buffer; the caches' pointers into it are stale after, as after a
 * flush (w->flushes tells them). */
static int grow(struct jw_writer *w)
{
    size_t len = (size_t)(w->p - w->buf), size = (size_t)(w->end - w->buf);
    char *bigger = w->failed ? NULL : realloc(w->buf, 2 * size);

    if (bigger == NULL) {
        w->failed = true;
        errno = ENOMEM;
        w->p = w->buf;
    } else {
        jw_use_buffer(w, bigger, 2 * size);
        w->p = bigger + len;
    }
    w->flushes++;
    return w->failed ? -1 : 0;
}

int jw_flush(struct jw_writer *w)
{
    size_t len = (size_t)(w->p - w->buf);

    if (w->out == NULL)
        return grow(w);

    if (len != 0 && !w->failed && fwrite(w->buf, 1, len, w->out) != len)
        w->failed = true;
    w->p = w->buf;
    w->flushes++;
    return w->failed ? -1 : 0;
}

/* The four digits of v (below 10000), leading zeros kept. */
static char *put_four_digits(char *p, uint32_t v)
{
    memcpy(p, jw_digit_pairs + 2 * (v / 100), 2);
    memcpy(p + 2, jw_digit_pairs + 2 * (v % 100), 2);
    return p + 4;
}

/* A fraction of a second of `ns` nanoseconds in nine digits, or six (microseconds), leading zeros
 * kept. */
static char *put_fraction(char *p, uint32_t ns, bool nanosecond)
{
    if (nanosecond) {
        *p++ = (char)('0' + ns / 100000000);
        p = put_four_digits(p, ns / 10000 % 10000);
    } else {
        ns /= 1000;
        memcpy(p, jw_digit_pairs + 2 * (ns / 10000), 2);
        p += 2;
    }
    return put_four_digits(p, ns % 10000);
}

/* "0." to "255.", the parts of an IPv4 address with the dot after them, each copied whole (4 bytes)
 * and kept in part (`len` with the dot). */
struct octet {
    char text[4];
    uint8_t len;
};

#define OCTET(s)                                                                                   \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
#define OCTETS_10(h)                                                                               \
    OCTET(h "0."), OCTET(h "1."), OCTET(h "2."), OCTET(h "3."), OCTET(h "4."), OCTET(h "5."),      \
        OCTET(h "6."), OCTET(h "7."), OCTET(h "8."), OCTET(h "9.")
#define OCTETS_100(h)                                                                              \
    OCTETS_10(h "0"), OCTETS_10(h "1"), OCTETS_10(h "2"), OCTETS_10(h "3"), OCTETS_10(h "4"),      \
        OCTETS_10(h "5"), OCTETS_10(h "6"), OCTETS_10(h "7"), OCTETS_10(h "8"), OCTETS_10(h "9")

static const struct octet octets[256] = {
    OCTETS_10(""),   OCTETS_10("1"),  OCTETS_10("2"),  OCTETS_10("3"),  OCTETS_10("4"),
    OCTETS_10("5"),  OCTETS_10("6"),  OCTETS_10("7"),  OCTETS_10("8"),  OCTETS_10("9"),
    OCTETS_100("1"), OCTETS_10("20"), OCTETS_10("21"), OCTETS_10("22"), OCTETS_10("23"),
    OCTETS_10("24"), OCTET("250."),   OCTET("251."),   OCTET("252."),   OCTET("253."),
    OCTET("254."),   OCTET("255."),
};

static char *put_octet(char *p, uint8_t v)
{
    memcpy(p, octets[v].text, sizeof(octets[v].text));
    return p + octets[v].len;
}

/* A dotted quad: each part and its dot copied at once (the last part's copy runs up to 3 bytes
 * past the end, not kept). */
static char *put_dotted_quad(char *p, const uint8_t *a)
{
    p = put_octet(p, a[0]);
    p = put_octet(p, a[1]);
    p = put_octet(p, a[2]);
    return put_octet(p, a[3]) - 1;
}

/* What jansson's dump_string() writes for a control character or a quote or backslash. */
static char *escape(char *p, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    *p++ = '\\';
    switch (c) {
    case '"':
    case '\\':
        *p++ = (char)c;
        break;
    case '\b':
        *p++ = 'b';
        break;
    case '\f':
        *p++ = 'f';
        break;
    case '\n':
        *p++ = 'n';
        break;
    case '\r':
        *p++ = 'r';
        break;
    case '\t':
        *p++ = 't';
        break;
    default:
        memcpy(p, "u00", 3);
        p[3] = hex[c >> 4];
        p[4] = hex[c & 15];
        p += 5;
        break;
    }
    return p;
}

/*
 * A string as text_value() makes it and jansson writes it: bytes that are not valid UTF-8 become
 * U+FFFD; quotes, backslashes and control characters are escaped; '/' and the rest pass.
 */
static void put_string(struct jw_writer *w, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;

    *jw_room(w, 1) = '"';
    w->p++;
    while (i < len) {
        /* Pieces small enough for the buffer: each input byte takes at most 6 bytes out, and a
         * UTF-8 sequence started in the piece may run 3 bytes past it. */
        size_t stop = len - i < JW_STRING_PIECE ? len : i + JW_STRING_PIECE;
        char *p = jw_room(w, (stop - i + 3) * 6);

        while (i < stop) {
            unsigned char c = u[i];

            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                *p++ = (char)c;
                i++;
            } else if (c < 0x80) {
                p = escape(p, c);
                i++;
            } else {
                size_t seq = jw_utf8_sequence(u + i, len - i);

                if (seq == 0) {
                    memcpy(p, "\xef\xbf\xbd", 3);
                    p += 3;
                    i++;
                } else {
                    memcpy(p, s + i, seq);
                    p += seq;
                    i += seq;
                }
            }
        }
        w->p = p;
    }
    *jw_room(w, 1) = '"';
    w->p++;
}

char *jw_put_other(struct jw_writer *w, char *p, const char *s)
{
    w->p = p;
    put_string(w, s);
    return jw_room(w, JW_GROUP_ROOM);
}

char *jw_put_new_table_name(struct jw_writer *w, char *p, const char *s)
{
    struct jw_name_entry *e;
    char *end;

    if (w->names == NULL)
        return jw_put_name(w, p, s);
    e = jw_name_slot(w, s);
    end = jw_put_plain(p, s);
    if (end == NULL)
        return jw_put_other(w, p, s);
    if (end - p <= JW_FRAGMENT_SIZE) {
        e->s = s;
        e->quoted.len = (unsigned char)(end - p);
        memcpy(e->quoted.text, p, e->quoted.len);
    }
    return end;
}

/* The date and time of a second as report_format_time() writes it, from a small cache. */
static const struct jw_date_entry *date_of(struct jw_writer *w, int64_t secs)
{
    struct jw_date_entry *e = &w->dates[(uint64_t)secs % JW_DATE_CACHE];

    if (e->len != 0 && e->secs == secs)
        return e;
    e->secs = secs;
    e->len = (uint8_t)report_format_date(secs, e->text);
    return e;
}

char *jw_put_time_text(struct jw_writer *w, char *p, ps_time t)
{
    int64_t secs = t / 1000000000;
    int64_t frac = t % 1000000000;
    const struct jw_date_entry *d;

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    d = date_of(w, secs);
    memcpy(p, d->text, sizeof(d->text));
    p += d->len;
    *p++ = '.';
    p = put_fraction(p, (uint32_t)frac, w->nanosecond);
    *p++ = 'Z';
    return p;
}

char *jw_put_time(struct jw_writer *w, char *p, ps_time t)
{
    *p = '"';
    p = jw_put_time_text(w, p + 1, t);
    *p++ = '"';
    return p;
}

char *jw_put_seconds_text(char *p, uint64_t ns, bool nanosecond)
{
    p = jw_put_uint(p, ns / 1000000000);
    *p++ = '.';
    return put_fraction(p, (uint32_t)(ns % 1000000000), nanosecond);
}

/*
 * A real as jansson 2.14 writes it with JSON_REAL_PRECISION(15): "%.15g", then ".0" when that
 * has neither '.' nor 'e', and the exponent without '+' or leading zeros (jsonp_dtostr).
 */
static char *put_real_printf(char *p, double v)
{
    char buf[64];
    int len = snprintf(buf, sizeof(buf) - 2, "%.15g", v);
    char *e;

    if (len < 0 || len >= (int)sizeof(buf) - 2)
        return p;
    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    e = strchr(buf, 'e');
    if (e != NULL) {
        char *from = e + 2, *to = e + 1;

        if (*to == '-')
            to++;
        while (*from == '0')
            from++;
        memmove(to, from, strlen(from) + 1);
        len = (int)strlen(buf);
    }
    memcpy(p, buf, (size_t)len);
    return p + len;
}

/*
 * A duration of `ns` nanoseconds in seconds, as put_real_printf() writes (double)ns / 1e9. The
 * division is correctly rounded, and a decimal of at most 15 significant digits survives the
 * trip through a double and "%.15g" (DBL_DIG): such a duration is written from its digits.
 */
static char *put_seconds(char *p, uint64_t ns)
{
    uint64_t frac = ns % 1000000000;
    uint32_t f = (uint32_t)frac;
    size_t zeros;

    if (ns == 0) {
        memcpy(p, "0.0", 3);
        return p + 3;
    }
    /* Past 2^53 or with 16 significant digits (ns has at most 16 below 2^53). */
    if (ns >= (UINT64_C(1) << 53) || (ns >= UINT64_C(1000000000000000) && ns % 10 != 0))
        return put_real_printf(p, (double)ns / 1e9);
    if (ns < 100000) {
        /* Below 1e-4 s "%g" has an exponent: d[.ddd]e-N, of -9 to -5 for 1 ns to 99999 ns. */
        char digits[8], *end = jw_put_uint(digits, ns), *last = end;

        while (last[-1] == '0')
            last--;
        *p++ = digits[0];
        if (last - digits > 1) {
            *p++ = '.';
            for (const char *d = digits + 1; d < last; d++)
                *p++ = *d;
        }
        *p++ = 'e';
        *p++ = '-';
        *p++ = (char)('0' + 9 - (end - digits - 1));
        return p;
    }
    p = jw_put_uint(p, ns / 1000000000);
    *p++ = '.';
    if (frac == 0) {
        *p++ = '0';
        return p;
    }
    /* The nine digits of the fraction, less its trailing zeros: counted from the number, each test
     * a multiplication (by the inverse of 10^k), none waiting for another nor for the digits'
     * stores. Taking them back a byte at a time was a loop whose exit was mispredicted as often as
     * not, after the digits just stored. */
    zeros = (f % 10 == 0) + (f % 100 == 0) + (f % 1000 == 0) + (f % 10000 == 0) +
            (f % 100000 == 0) + (f % 1000000 == 0) + (f % 10000000 == 0) + (f % 100000000 == 0);
    return put_fraction(p, f, true) - zeros;
}

char *jw_put_duration(struct jw_writer *w, char *p, ps_time first, ps_time last)
{
    /* Unsigned: timestamps read from a file can be far apart enough to overflow. */
    uint64_t ns = (uint64_t)last - (uint64_t)first;

    if (!w->nanosecond)
        ns = ns / 1000 * 1000;
    return put_seconds(p, ns);
}

/* "00" to "ff": a group of an IPv6 address is written from two of them. */
#define HEX_16(h)                                                                                  \
    h "0", h "1", h "2", h "3", h "4", h "5", h "6", h "7", h "8", h "9", h "a", h "b", h "c",     \
        h "d", h "e", h "f"
static const char hex_pairs[256][2] = {
    HEX_16("0"), HEX_16("1"), HEX_16("2"), HEX_16("3"), HEX_16("4"), HEX_16("5"),
    HEX_16("6"), HEX_16("7"), HEX_16("8"), HEX_16("9"), HEX_16("a"), HEX_16("b"),
    HEX_16("c"), HEX_16("d"), HEX_16("e"), HEX_16("f"),
};

/* A group of an IPv6 address: hex digits without leading zeros, the last `n` of four written at
 * once (with up to 3 bytes after them, not kept). */
static char *put_hex_word(char *p, unsigned v)
{
    char digits[8] = {0};
    size_t n = 1 + (v > 0xf) + (v > 0xff) + (v > 0xfff);

    memcpy(digits, hex_pairs[v >> 8], 2);
    memcpy(digits + 2, hex_pairs[v & 0xff], 2);
    memcpy(p, digits + 4 - n, 4);
    return p + n;
}

/* An IPv6 address as inet_ntop() writes it: the longest run of two or more zero groups (the first
 * of equals) as "::", found from a mask of the zero groups a run at a time. */
static char *put_ipv6(char *p, const uint8_t *a)
{
    uint16_t words[8];
    unsigned zeros = 0;
    int best = -1, best_len = 1;

    for (int i = 0; i < 8; i++) {
        words[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
        zeros |= (unsigned)(words[i] == 0) << i;
    }
    while (zeros != 0) {
        int start = __builtin_ctz(zeros), len = __builtin_ctz(~(zeros >> start));

        if (len > best_len)
            best = start, best_len = len;
        zeros &= ~0u << (start + len);
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i != 0)
            *p++ = ':';
        /* An IPv4-compatible or IPv4-mapped address ends in dotted quad. */
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
            return put_dotted_quad(p, a + 12);
        p = put_hex_word(p, words[i]);
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    return p;
}

char *jw_put_addr_text(char *p, uint8_t family, const uint8_t *a)
{
    return family != 6 ? put_dotted_quad(p, a) : put_ipv6(p, a);
}

char *jw_put_addr(char *p, uint8_t family, const uint8_t *a)
{
    *p++ = '"';
    p = jw_put_addr_text(p, family, a);
    *p++ = '"';
    return p;
}

char *jw_put_proto(struct jw_writer *w, char *p, uint8_t proto)
{
    const char *name = ipproto_name(proto);

    return name != NULL ? jw_put_table_name(w, p, name) : jw_put_uint(p, proto);
}
