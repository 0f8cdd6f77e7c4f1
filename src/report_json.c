/*
 * report_json.c - the JSON report, schema version 1 (doc/json-schema-v1.json, doc/json-report.md).
 *
 * The document is written piece by piece: each flow's object is built, written and freed before
 * the next, so memory does not grow with the text of the report. The bytes are the same as
 * jansson would write for the whole tree with JSON_INDENT(2) (a unit test holds us to that).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "config.h"
#include "report.h"
#include "select.h"

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Writes `v` (and releases it) as a value nested `depth` (at most 2) levels deep. */
static int emit(FILE *out, json_t *v, int depth)
{
    static const char spaces[] = "    ";
    char *text;
    int rc = 0;

    if (v == NULL)
        return -1;
    text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL)
        return -1;
    /* Line by line, each line after the first indented by the depth the value sits at. */
    for (const char *p = text; rc == 0;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

        if (fwrite(p, 1, len, out) != len ||
            (nl != NULL && fwrite(spaces, 1, (size_t)depth * 2, out) != (size_t)depth * 2))
            rc = -1;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    free(text);
    return rc;
}

static json_t *time_value(ps_time t, bool nanosecond)
{
    char buf[64];

    return json_string(report_format_time(t, nanosecond, buf, sizeof(buf)));
}

/* Length of the valid UTF-8 sequence at s (RFC 3629 section 4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
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

/*
 * A JSON string from bytes that need not be UTF-8 (a path, a name from a services file): bytes
 * that are not valid UTF-8 become U+FFFD, so the document stays valid and nothing is dropped.
 */
static json_t *text_value(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), n = 0;
    char *clean;
    json_t *v;

    clean = malloc(len * 3 + 1);
    if (clean == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t seq = utf8_sequence(u + i, len - i);

        if (seq == 0) {
            memcpy(clean + n, "\xef\xbf\xbd", 3);
            n += 3;
            i++;
        } else {
            memcpy(clean + n, s + i, seq);
            n += seq;
            i += seq;
        }
    }
    v = json_stringn(clean, n);
    free(clean);
    return v;
}

static json_t *nullable_string(const char *s)
{
    return s != NULL ? text_value(s) : json_null();
}

static json_t *range_value(const struct port_range *range)
{
    return json_pack("{s:o, s:i, s:i}", "name", nullable_string(range->name), "lo",
                     (json_int_t)range->lo, "hi", (json_int_t)range->hi);
}

static json_t *generator_value(void)
{
    return json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION);
}

/* Seconds per protocol class, null where there is no timeout. */
static json_t *timeouts_value(const ps_time *per_class)
{
    json_t *o = json_object();

    for (int c = 0; o != NULL && c < FLOW_CLASSES; c++)
        json_object_set_new(o, flow_class_name((enum flow_class)c),
                            per_class[c] != 0 ? json_real((double)per_class[c] / 1e9)
                                              : json_null());
    return o;
}

static void add_lifecycle(json_t *settings, const struct report_settings *set)
{
    if (settings == NULL)
        return;
    json_object_set_new(settings, "profile", nullable_string(set->profile));
    json_object_set_new(settings, "idle_timeouts", timeouts_value(set->lifecycle.idle));
    json_object_set_new(settings, "active_timeouts", timeouts_value(set->lifecycle.active));
    json_object_set_new(settings, "tcp_close_delay",
                        set->lifecycle.tcp_close_delay != 0
                            ? json_real((double)set->lifecycle.tcp_close_delay / 1e9)
                            : json_null());
    json_object_set_new(settings, "syn_new_isn_starts_flow",
                        json_boolean(set->lifecycle.syn_new_isn));
}

/* settings.filter and settings.select, present only when given: reports without them stay as
 * they were. */
static void add_view_settings(json_t *settings, const struct report_settings *set)
{
    const struct select_spec *s = set->select;
    json_t *services, *ports, *hosts;

    if (settings == NULL)
        return;
    if (set->filter != NULL)
        json_object_set_new(settings, "filter", text_value(set->filter));
    if (s == NULL || !select_active(s))
        return;
    services = json_array();
    ports = json_array();
    hosts = json_array();
    for (size_t i = 0; services != NULL && i < s->n_services; i++)
        json_array_append_new(services, text_value(s->services[i]));
    for (size_t i = 0; ports != NULL && i < s->n_ports; i++)
        json_array_append_new(ports, json_integer(s->ports[i]));
    for (size_t i = 0; hosts != NULL && i < s->n_hosts; i++)
        json_array_append_new(hosts, text_value(s->hosts[i].text));
    json_object_set_new(
        settings, "select",
        json_pack("{s:o, s:o, s:o}", "services", services, "ports", ports, "hosts", hosts));
}

static json_t *expectation_value(const struct report_expectation *e)
{
    return json_pack("{s:o, s:o, s:b, s:o}", "expression", text_value(e->expression), "source",
                     text_value(e->source), "holds", e->holds, "found", text_value(e->found));
}

static json_t *settings_value(const struct report *r)
{
    const struct report_settings *set = &r->settings;
    json_t *profiles = json_array();

    for (size_t i = 0; profiles != NULL && i < ports_ephemeral_profile_count; i++)
        json_array_append_new(profiles, range_value(&ports_ephemeral_profiles[i]));
    json_t *o = json_pack(
        "{s:o, s:o, s:b, s:b, s:I, s:I}", "ephemeral_range", range_value(&set->ephemeral),
        "ephemeral_profiles", profiles, "decap", set->decap, "vlan_in_key", set->vlan_in_key,
        "max_flows", (json_int_t)set->max_flows, "max_fragments", (json_int_t)set->max_fragments);

    add_lifecycle(o, set);
    add_view_settings(o, set);
    return o;
}

static json_t *input_value(const struct report *r, const struct report_input *in)
{
    json_t *linktypes = json_array();
    bool seen = in->packets > 0;

    for (size_t i = 0; linktypes != NULL && i < in->n_linktypes; i++)
        json_array_append_new(linktypes, json_string(capture_linktype_name(in->linktypes[i])));
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:b, s:o}", "path", text_value(in->path),
                  "format", nullable_string(in->format), "link_types", linktypes, "packets",
                  (json_int_t)in->packets, "bytes", (json_int_t)in->bytes, "first_seen",
                  seen ? time_value(in->first_seen, r->nanosecond) : json_null(), "last_seen",
                  seen ? time_value(in->last_seen, r->nanosecond) : json_null(), "complete",
                  in->complete, "error", nullable_string(in->error[0] ? in->error : NULL));

    if (o != NULL) {
        json_object_set_new(o, "timestamps_backwards", json_integer((json_int_t)in->ts_backwards));
        json_object_set_new(o, "duplicates", json_integer((json_int_t)in->duplicates));
    }
    if (o != NULL && r->settings.filter != NULL)
        json_object_set_new(o, "filtered",
                            json_pack("{s:I, s:I}", "packets", (json_int_t)in->filtered_packets,
                                      "bytes", (json_int_t)in->filtered_bytes));
    if (o != NULL && in->live)
        json_object_set_new(o, "capture_stats",
                            json_pack("{s:I, s:I, s:I}", "received", (json_int_t)in->received,
                                      "dropped", (json_int_t)in->dropped, "if_dropped",
                                      (json_int_t)in->if_dropped));
    return o;
}

static json_t *counts_by_reason(const uint64_t *counts)
{
    json_t *o = json_object();

    for (int i = PS_SKIP_NONE + 1; o != NULL && i < PS_SKIP__COUNT; i++)
        json_object_set_new(o, ps_skip_name((enum ps_skip)i), json_integer((json_int_t)counts[i]));
    return o;
}

static json_t *skipped_linktypes_value(const struct report_totals *t)
{
    json_t *o = json_object();

    for (size_t i = 0; o != NULL && i < t->n_skipped_linktypes; i++)
        json_object_set_new(o, capture_linktype_name(t->skipped_linktypes[i].linktype),
                            json_integer((json_int_t)t->skipped_linktypes[i].packets));
    return o;
}

static json_t *summary_value(const struct report *r)
{
    const struct report_totals *t = &r->totals;
    uint64_t skipped_packets = 0, skipped_bytes = 0;

    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
        skipped_packets += t->skipped_packets[i];
        skipped_bytes += t->skipped_bytes[i];
    }
    return json_pack("{s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, "
                     "s:{s:I, s:I, s:o, s:o, s:o}, s:{s:I}}",
                     "packets", (json_int_t)t->packets, "bytes", (json_int_t)t->bytes, "in_flows",
                     "packets", (json_int_t)t->flow_packets, "bytes", (json_int_t)t->flow_bytes,
                     "flows", "total", (json_int_t)r->n_flows_all, "tcp", (json_int_t)r->flows_tcp,
                     "udp", (json_int_t)r->flows_udp, "other", (json_int_t)r->flows_other,
                     "skipped", "packets", (json_int_t)skipped_packets, "bytes",
                     (json_int_t)skipped_bytes, "reasons", counts_by_reason(t->skipped_packets),
                     "reason_bytes", counts_by_reason(t->skipped_bytes), "link_types",
                     skipped_linktypes_value(t), "fragments", "evicted",
                     (json_int_t)t->fragments_evicted);
}

/*
 * The flows: most of the report, written without jansson. A flow's object is rendered straight
 * into a buffer that goes out in large blocks, byte for byte what json_dumps() writes for the
 * object jansson would build (tests/unit/test_json_fast.c holds us to that): JSON_INDENT(2) at
 * the depth the flow sits at in the document, or JSON_COMPACT for a jsonl line.
 */

#define DOCUMENT_BUFFER (256 * 1024) /* the document's flows go out in blocks of this size */
#define LINE_BUFFER     4096         /* a jsonl line's (at least STRING_PIECE * 6 + 18) */
#define STRING_PIECE    256          /* bytes of a string escaped at a time */
#define DATE_CACHE      4 /* dates of distinct seconds kept: a flow's times are mostly in one */
#define EPHEMERAL_CACHE 8 /* "ephemeral" lists kept as written: few distinct ones occur */
#define EPHEMERAL_TEXT  384

struct date_entry {
    int64_t secs;
    char text[32];
    uint8_t len; /* 0: unused */
};

struct ephemeral_entry {
    uint32_t mask;
    int depth;
    uint16_t len; /* 0: unused */
    char text[EPHEMERAL_TEXT];
};

struct writer {
    FILE *out;
    char *p, *end; /* the free part of buf */
    bool pretty;   /* JSON_INDENT(2), else JSON_COMPACT */
    bool first;    /* nothing written yet in the innermost object or array */
    bool failed;   /* a write failed: errno says why */
    int depth;     /* nesting of the innermost object or array, counting the document's */
    bool nanosecond;
    unsigned long flushes;
    struct date_entry dates[DATE_CACHE];
    struct ephemeral_entry ephemeral[EPHEMERAL_CACHE];
    char *buf;
};

static void writer_init(struct writer *w, FILE *out, char *buf, size_t size, bool pretty, int depth,
                        bool nanosecond)
{
    w->out = out;
    w->buf = w->p = buf;
    w->end = buf + size;
    w->pretty = pretty;
    w->first = true;
    w->failed = false;
    w->depth = depth;
    w->nanosecond = nanosecond;
    w->flushes = 0;
    for (size_t i = 0; i < DATE_CACHE; i++)
        w->dates[i].len = 0;
    for (size_t i = 0; i < EPHEMERAL_CACHE; i++)
        w->ephemeral[i].len = 0;
}

static int writer_flush(struct writer *w)
{
    size_t len = (size_t)(w->p - w->buf);

    if (len != 0 && !w->failed && fwrite(w->buf, 1, len, w->out) != len)
        w->failed = true;
    w->p = w->buf;
    w->flushes++;
    return w->failed ? -1 : 0;
}

/* Makes room for `n` bytes (at most the buffer's size) and returns where they go. */
static char *room(struct writer *w, size_t n)
{
    if ((size_t)(w->end - w->p) < n)
        writer_flush(w);
    return w->p;
}

static void put(struct writer *w, const char *s, size_t len)
{
    memcpy(room(w, len), s, len);
    w->p += len;
}

#define PUT_LITERAL(w, s) put((w), (s), sizeof(s) - 1)

/* 32 spaces after a newline: jansson's separator before a member at depth up to 16. */
static const char newline_indent[] = "\n                                ";

/* What jansson writes before a member or an item: a comma after the first, then a newline and
 * the indentation of its depth. */
/* The separator, with room for `n` more bytes after it (one check for both): where they go. */
static char *key_begin(struct writer *w, size_t n)
{
    char *p = room(w, sizeof(newline_indent) + 1 + n);

    if (!w->first)
        *p++ = ',';
    if (w->pretty) {
        /* All of it, a copy of fixed size, which is cheaper; only the depth's part is kept. */
        memcpy(p, newline_indent, sizeof(newline_indent) - 1);
        p += 1 + 2 * w->depth;
    }
    w->first = false;
    return p;
}

static void separator(struct writer *w)
{
    w->p = key_begin(w, 0);
}

/*
 * `"k": ` (`"k":` compact) for a literal key, a plain identifier: a macro, so that the copy has a
 * constant size. Compact, the space is written too and overwritten by what follows.
 */
#define KEY(w, k)                                                                                  \
    do {                                                                                           \
        char *key_at_ = key_begin((w), sizeof(k) + 3);                                             \
        memcpy(key_at_, "\"" k "\": ", sizeof(k) + 3);                                             \
        (w)->p = key_at_ + sizeof(k) + ((w)->pretty ? 3 : 2);                                      \
    } while (0)

static void open_container(struct writer *w, char c)
{
    *room(w, 1) = c;
    w->p++;
    w->depth++;
    w->first = true;
}

/* Closes an object or array: on a line of its own unless it is empty ("{}", "[]"). */
static void close_container(struct writer *w, char c)
{
    w->depth--;
    if (!w->first && w->pretty) {
        size_t n = 1 + 2 * (size_t)w->depth;

        memcpy(room(w, n), newline_indent, n);
        w->p += n;
    }
    *room(w, 1) = c;
    w->p++;
    w->first = false;
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* Decimal digits of v, right-aligned to end at `end`; returns where they begin. */
static char *digits_before(char *end, uint64_t v)
{
    while (v >= 100) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * v, 2);
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

static void put_uint(struct writer *w, uint64_t v)
{
    char tmp[24], *end = tmp + sizeof(tmp), *begin = digits_before(end, v);

    put(w, begin, (size_t)(end - begin));
}

/* A json_int_t as jansson prints it ("%lld"): counters past INT64_MAX come out negative. */
static void put_int(struct writer *w, int64_t v)
{
    if (v < 0) {
        *room(w, 1) = '-';
        w->p++;
        put_uint(w, 0 - (uint64_t)v);
    } else {
        put_uint(w, (uint64_t)v);
    }
}

static void put_bool(struct writer *w, bool b)
{
    if (b)
        PUT_LITERAL(w, "true");
    else
        PUT_LITERAL(w, "false");
}

static void put_null(struct writer *w)
{
    PUT_LITERAL(w, "null");
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
static void put_string(struct writer *w, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = 0, i = 0;
    bool plain = true;
    char *p;

    /* Mostly names in plain ASCII: those are copied whole. */
    for (; u[len] != '\0'; len++)
        plain &= u[len] >= 0x20 && u[len] < 0x80 && u[len] != '"' && u[len] != '\\';
    if (plain && len <= STRING_PIECE) {
        p = room(w, len + 2);
        *p++ = '"';
        memcpy(p, s, len);
        p[len] = '"';
        w->p = p + len + 1;
        return;
    }
    *room(w, 1) = '"';
    w->p++;
    while (i < len) {
        /* Pieces small enough for the buffer: each input byte takes at most 6 bytes out, and a
         * UTF-8 sequence started in the piece may run 3 bytes past it. */
        size_t stop = len - i < STRING_PIECE ? len : i + STRING_PIECE;
        char *p = room(w, (stop - i + 3) * 6);

        while (i < stop) {
            unsigned char c = u[i];

            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                *p++ = (char)c;
                i++;
            } else if (c < 0x80) {
                p = escape(p, c);
                i++;
            } else {
                size_t seq = utf8_sequence(u + i, len - i);

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
    *room(w, 1) = '"';
    w->p++;
}

static void put_nullable_string(struct writer *w, const char *s)
{
    if (s != NULL)
        put_string(w, s);
    else
        put_null(w);
}

/* The date and time of a second as report_format_time() writes it, from a small cache. */
static const struct date_entry *date_of(struct writer *w, int64_t secs)
{
    struct date_entry *e = &w->dates[(uint64_t)secs % DATE_CACHE];
    time_t t = (time_t)secs;
    struct tm tm;
    size_t n;

    if (e->len != 0 && e->secs == secs)
        return e;
    e->secs = secs;
    n = gmtime_r(&t, &tm) != NULL ? strftime(e->text, sizeof(e->text), "%Y-%m-%dT%H:%M:%S", &tm)
                                  : 0;
    if (n == 0)
        n = (size_t)snprintf(e->text, sizeof(e->text), "%lld", (long long)secs);
    e->len = (uint8_t)n;
    return e;
}

/* The first `n` (at most 9) of the nine digits of a fraction of a second, leading zeros kept. */
static char *put_fraction(char *p, uint64_t ns, int n)
{
    char tmp[10];

    digits_before(tmp + sizeof(tmp), ns + 1000000000); /* "1" and the nine digits */
    memcpy(p, tmp + 1, (size_t)n);
    return p + n;
}

/* A time as report_format_time() formats it, quoted. */
static void put_time(struct writer *w, ps_time t)
{
    int64_t secs = t / 1000000000;
    int64_t frac = t % 1000000000;
    const struct date_entry *d;
    char *p;

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    d = date_of(w, secs);
    p = room(w, (size_t)d->len + 14);
    *p++ = '"';
    memcpy(p, d->text, d->len);
    p += d->len;
    *p++ = '.';
    p = put_fraction(p, (uint64_t)frac, w->nanosecond ? 9 : 6);
    *p++ = 'Z';
    *p++ = '"';
    w->p = p;
}

/*
 * A real as jansson 2.14 writes it with JSON_REAL_PRECISION(15): "%.15g", then ".0" when that
 * has neither '.' nor 'e', and the exponent without '+' or leading zeros (jsonp_dtostr).
 */
static void put_real_printf(struct writer *w, double v)
{
    char buf[64];
    int len = snprintf(buf, sizeof(buf) - 2, "%.15g", v);
    char *e;

    if (len < 0 || len >= (int)sizeof(buf) - 2)
        return;
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
    put(w, buf, (size_t)len);
}

/*
 * A duration of `ns` nanoseconds in seconds, as put_real_printf() writes (double)ns / 1e9. The
 * division is correctly rounded, and a decimal of at most 15 significant digits survives the
 * trip through a double and "%.15g" (DBL_DIG): such a duration is written from its digits.
 */
static void put_seconds(struct writer *w, uint64_t ns)
{
    char tmp[24], *end = tmp + sizeof(tmp), *begin;
    char whole_digits[24], *whole_end = whole_digits + sizeof(whole_digits), *whole_begin;
    uint64_t stripped = ns;
    int zeros = 0, ndigits;
    char *p;

    if (ns == 0) {
        PUT_LITERAL(w, "0.0");
        return;
    }
    while (stripped % 10 == 0) {
        stripped /= 10;
        zeros++;
    }
    begin = digits_before(end, stripped);
    ndigits = (int)(end - begin);
    if (ns >= (UINT64_C(1) << 53) || ndigits > 15) {
        put_real_printf(w, (double)ns / 1e9);
        return;
    }
    p = room(w, 40);
    if (ns < 100000) {
        /* Below 1e-4 s "%g" has an exponent: d[.ddd]e-N. */
        int exponent = ndigits + zeros - 1 - 9;

        *p++ = begin[0];
        if (ndigits > 1) {
            *p++ = '.';
            memcpy(p, begin + 1, (size_t)ndigits - 1);
            p += ndigits - 1;
        }
        /* 1 ns to 99999 ns: the exponent is -9 to -5, one digit. */
        *p++ = 'e';
        *p++ = '-';
        *p++ = (char)('0' - exponent);
    } else {
        whole_begin = digits_before(whole_end, ns / 1000000000);
        memcpy(p, whole_begin, (size_t)(whole_end - whole_begin));
        p += whole_end - whole_begin;
        *p++ = '.';
        if (ns % 1000000000 == 0)
            *p++ = '0';
        else /* the nine digits of the fraction without its trailing zeros */
            p = put_fraction(p, ns % 1000000000, 9 - zeros);
    }
    w->p = p;
}

static void put_duration(struct writer *w, ps_time first, ps_time last)
{
    /* Unsigned: timestamps read from a file can be far apart enough to overflow. */
    uint64_t ns = (uint64_t)last - (uint64_t)first;

    if (!w->nanosecond)
        ns = ns / 1000 * 1000;
    put_seconds(w, ns);
}

/* An address as inet_ntop() writes it (glibc's inet_ntop4 and inet_ntop6), quoted. */
static void put_addr(struct writer *w, uint8_t family, const uint8_t *a)
{
    char *p = room(w, 64);

    *p++ = '"';
    if (family != 6) {
        for (int i = 0; i < 4; i++) {
            char tmp[4], *e = tmp + sizeof(tmp), *b = digits_before(e, a[i]);

            if (i > 0)
                *p++ = '.';
            memcpy(p, b, (size_t)(e - b));
            p += e - b;
        }
    } else {
        static const char hex[] = "0123456789abcdef";
        uint16_t words[8];
        int best = -1, best_len = 0, cur = -1, cur_len = 0;

        for (int i = 0; i < 8; i++)
            words[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
        /* The longest run of zero words, the first of equals, if it has two or more. */
        for (int i = 0; i <= 8; i++) {
            if (i < 8 && words[i] == 0) {
                if (cur < 0)
                    cur = i, cur_len = 0;
                cur_len++;
            } else if (cur >= 0) {
                if (best < 0 || cur_len > best_len)
                    best = cur, best_len = cur_len;
                cur = -1;
            }
        }
        if (best >= 0 && best_len < 2)
            best = -1;
        for (int i = 0; i < 8; i++) {
            if (best >= 0 && i >= best && i < best + best_len) {
                if (i == best)
                    *p++ = ':';
                continue;
            }
            if (i != 0)
                *p++ = ':';
            /* An IPv4-compatible or IPv4-mapped address ends in dotted quad. */
            if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
                for (int j = 12; j < 16; j++) {
                    char tmp[4], *e = tmp + sizeof(tmp), *b = digits_before(e, a[j]);

                    if (j > 12)
                        *p++ = '.';
                    memcpy(p, b, (size_t)(e - b));
                    p += e - b;
                }
                break;
            }
            for (int shift = 12, started = 0; shift >= 0; shift -= 4) {
                unsigned nibble = (unsigned)(words[i] >> shift) & 15;

                if (nibble != 0 || started || shift == 0) {
                    *p++ = hex[nibble];
                    started = 1;
                }
            }
        }
        if (best >= 0 && best + best_len == 8)
            *p++ = ':';
    }
    *p++ = '"';
    w->p = p;
}

static void put_proto(struct writer *w, uint8_t proto)
{
    const char *name = report_proto_name(proto);

    if (name != NULL)
        put_string(w, name);
    else
        put_uint(w, proto);
}

/* {"c2s": .., "s2c": ..} of a per-endpoint counter. */
static void put_pair(struct writer *w, const uint64_t *by_endpoint, uint8_t client)
{
    open_container(w, '{');
    KEY(w, "c2s");
    put_int(w, (int64_t)by_endpoint[client]);
    KEY(w, "s2c");
    put_int(w, (int64_t)by_endpoint[!client]);
    close_container(w, '}');
}

/* The names of the ephemeral profiles in `mask`: a list that most flows repeat, so it is written
 * once per mask and depth and copied from then on. */
static void put_ephemeral(struct writer *w, uint32_t mask)
{
    struct ephemeral_entry *e = &w->ephemeral[mask % EPHEMERAL_CACHE];
    unsigned long flushes;
    char *start;

    if (e->len != 0 && e->mask == mask && e->depth == w->depth) {
        put(w, e->text, e->len);
        w->first = false;
        return;
    }
    start = room(w, EPHEMERAL_TEXT);
    flushes = w->flushes;
    open_container(w, '[');
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (mask & (1u << i)) {
            separator(w);
            put_string(w, ports_ephemeral_profiles[i].name);
        }
    }
    close_container(w, ']');
    if (w->flushes == flushes && (size_t)(w->p - start) <= EPHEMERAL_TEXT) {
        e->mask = mask;
        e->depth = w->depth;
        e->len = (uint16_t)(w->p - start);
        memcpy(e->text, start, e->len);
    }
}

static void put_port_class(struct writer *w, bool ports, uint16_t port)
{
    if (ports)
        put_string(w, ports_class_name(ports_class(port)));
    else
        put_null(w);
}

static void put_endpoint(struct writer *w, const struct report *r, const struct report_flow *rf,
                         uint8_t e)
{
    const struct flow *f = rf->flow;
    bool ports = report_proto_has_ports(f->key.proto);

    open_container(w, '{');
    KEY(w, "ip");
    put_addr(w, f->key.family, f->key.addr[e]);
    KEY(w, "port");
    put_uint(w, ports ? f->key.port[e] : 0);
    KEY(w, "port_class");
    put_port_class(w, ports, f->key.port[e]);
    if (e == rf->client) {
        KEY(w, "ephemeral");
        put_ephemeral(w, rf->client_ephemeral);
        KEY(w, "in_ephemeral_range");
        put_bool(w, ports && port_range_contains(&r->settings.ephemeral, f->key.port[e]));
    } else {
        KEY(w, "service");
        put_nullable_string(w, rf->service);
        KEY(w, "service_alias");
        put_nullable_string(w, rf->service_alias);
    }
    close_container(w, '}');
}

/* A time of the handshake, or null when that packet was not seen. */
static void put_handshake_time(struct writer *w, const struct flow_tcp *t, uint8_t bit, ps_time at)
{
    if (t->have & bit)
        put_time(w, at);
    else
        put_null(w);
}

static void put_rtt(struct writer *w, const struct flow_tcp *t, uint8_t from_bit, ps_time from,
                    uint8_t to_bit, ps_time to)
{
    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        put_null(w);
    else
        put_duration(w, from, to);
}

static void put_client_server_bools(struct writer *w, bool client, bool server)
{
    open_container(w, '{');
    KEY(w, "client");
    put_bool(w, client);
    KEY(w, "server");
    put_bool(w, server);
    close_container(w, '}');
}

static void put_tcp(struct writer *w, const struct report_flow *rf)
{
    const struct flow *f = rf->flow;
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    char history[FLOW_HISTORY_MAX + 2];

    if (f->key.proto != PS_IPPROTO_TCP) {
        put_null(w);
        return;
    }
    flow_tcp_history(f, c, history, sizeof(history));
    open_container(w, '{');
    KEY(w, "conn_state");
    put_string(w, rf->conn_state);
    KEY(w, "history");
    put_string(w, history);
    KEY(w, "handshake");
    open_container(w, '{');
    KEY(w, "syn");
    put_handshake_time(w, t, FLOW_TCP_HAVE_SYN, t->syn_at);
    KEY(w, "syn_ack");
    put_handshake_time(w, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
    KEY(w, "ack");
    put_handshake_time(w, t, FLOW_TCP_HAVE_ACK, t->ack_at);
    KEY(w, "rtt_client");
    put_rtt(w, t, FLOW_TCP_HAVE_SYN, t->syn_at, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
    KEY(w, "rtt_server");
    put_rtt(w, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at, FLOW_TCP_HAVE_ACK, t->ack_at);
    close_container(w, '}');
    KEY(w, "fin");
    put_client_server_bools(w, t->seen[c] & TCP_SEEN_FIN, t->seen[s] & TCP_SEEN_FIN);
    KEY(w, "rst");
    put_client_server_bools(w, t->seen[c] & TCP_SEEN_RST, t->seen[s] & TCP_SEEN_RST);
    KEY(w, "retransmissions");
    open_container(w, '{');
    /* As an int, which is what json_pack() was given. */
    KEY(w, "c2s");
    put_int(w, (int)t->retrans[c]);
    KEY(w, "s2c");
    put_int(w, (int)t->retrans[s]);
    close_container(w, '}');
    close_container(w, '}');
}

static void put_quality(struct writer *w, const struct flow *f)
{
    const char *names[REPORT_QUALITY_MAX];
    size_t n = report_flow_quality(f, names);

    open_container(w, '[');
    for (size_t i = 0; i < n; i++) {
        separator(w);
        put_string(w, names[i]);
    }
    close_container(w, ']');
}

static void put_encap(struct writer *w, const struct report *r, const struct flow *f)
{
    size_t len;
    const struct encap *hops = flow_table_path(r->table, f->path_id, &len);

    open_container(w, '[');
    for (size_t i = 0; i < len; i++) {
        char buf[32];

        separator(w);
        put_string(w, report_format_encap(&hops[i], buf, sizeof(buf)));
    }
    close_container(w, ']');
}

static bool is_icmp(uint8_t proto)
{
    return proto == PS_IPPROTO_ICMP || proto == PS_IPPROTO_ICMPV6;
}

/* What an ICMP flow is keyed on: the echo identifier, or the message's type and code. */
static void put_icmp(struct writer *w, const struct flow *f)
{
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);
    uint16_t tc = f->key.port[0] | f->key.port[1];

    if (!is_icmp(f->key.proto) || (scope != PKT_SCOPE_ECHO && scope != PKT_SCOPE_ICMP_OTHER)) {
        put_null(w);
        return;
    }
    open_container(w, '{');
    KEY(w, "kind");
    if (scope == PKT_SCOPE_ECHO) {
        PUT_LITERAL(w, "\"echo\"");
        KEY(w, "id");
        put_uint(w, tc);
    } else {
        PUT_LITERAL(w, "\"message\"");
        KEY(w, "type");
        put_uint(w, tc >> 8);
        KEY(w, "code");
        put_uint(w, tc & 0xff);
        KEY(w, "name");
        put_nullable_string(
            w, report_icmp_name(f->key.family, (uint8_t)(tc >> 8), (uint8_t)(tc & 0xff)));
    }
    close_container(w, '}');
}

static void put_icmp_errors(struct writer *w, const struct report *r, const struct flow *f)
{
    open_container(w, '[');
    for (uint32_t ref = f->icmp_errors; ref != 0;) {
        const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);

        separator(w);
        open_container(w, '{');
        KEY(w, "proto");
        put_string(w, e->family == 6 ? "icmpv6" : "icmp");
        KEY(w, "type");
        put_uint(w, e->type);
        KEY(w, "code");
        put_uint(w, e->code);
        KEY(w, "name");
        put_nullable_string(w, report_icmp_name(e->family, e->type, e->code));
        KEY(w, "packets");
        put_int(w, (int64_t)e->packets);
        KEY(w, "bytes");
        put_int(w, (int64_t)e->bytes);
        close_container(w, '}');
        ref = e->next;
    }
    close_container(w, ']');
}

/* One flow's object; `type` puts a "type" member first (jsonl lines), or is NULL. */
static void put_flow(struct writer *w, const struct report *r, const struct report_flow *rf,
                     size_t id, const char *type)
{
    const struct flow *f = rf->flow;
    uint8_t c = rf->client;

    open_container(w, '{');
    if (type != NULL) {
        KEY(w, "type");
        put_string(w, type);
    }
    KEY(w, "id");
    put_int(w, (int64_t)id);
    KEY(w, "proto");
    put_proto(w, f->key.proto);
    KEY(w, "ip_version");
    put_uint(w, f->key.family);
    KEY(w, "client");
    put_endpoint(w, r, rf, c);
    KEY(w, "server");
    put_endpoint(w, r, rf, !c);
    KEY(w, "role_reason");
    put_string(w, report_role_reason_name(rf->reason, f->key.proto));
    KEY(w, "start_reason");
    put_string(w, flow_start_name((enum flow_start)f->start));
    KEY(w, "follows");
    if (rf->follows != 0)
        put_int(w, (int64_t)rf->follows);
    else
        put_null(w);
    KEY(w, "first_seen");
    put_time(w, f->first_seen);
    KEY(w, "last_seen");
    put_time(w, f->last_seen);
    KEY(w, "duration");
    put_duration(w, f->first_seen, f->last_seen);
    KEY(w, "packets");
    put_pair(w, f->packets, c);
    KEY(w, "bytes");
    put_pair(w, f->bytes, c);
    KEY(w, "ip_bytes");
    put_pair(w, f->ip_bytes, c);
    KEY(w, "payload_bytes");
    put_pair(w, f->payload_bytes, c);
    KEY(w, "tcp");
    put_tcp(w, rf);
    KEY(w, "quality");
    put_quality(w, f);
    KEY(w, "encap");
    put_encap(w, r, f);
    KEY(w, "icmp");
    put_icmp(w, f);
    KEY(w, "icmp_errors");
    put_icmp_errors(w, r, f);
    close_container(w, '}');
}

static void put_service(struct writer *w, const struct report_service *s)
{
    open_container(w, '{');
    KEY(w, "port");
    put_uint(w, s->port);
    KEY(w, "proto");
    put_proto(w, s->proto);
    KEY(w, "service");
    put_nullable_string(w, s->service);
    KEY(w, "service_alias");
    put_nullable_string(w, s->service_alias);
    KEY(w, "flows");
    put_int(w, (int64_t)s->flows);
    KEY(w, "packets");
    put_int(w, (int64_t)s->packets);
    KEY(w, "bytes");
    put_int(w, (int64_t)s->bytes);
    KEY(w, "clients");
    put_int(w, (int64_t)s->clients);
    close_container(w, '}');
}

static void put_client(struct writer *w, const struct report_client *c)
{
    open_container(w, '{');
    KEY(w, "ip");
    put_addr(w, c->family, c->addr);
    KEY(w, "flows");
    put_int(w, (int64_t)c->flows);
    KEY(w, "ports");
    put_int(w, (int64_t)c->ports);
    KEY(w, "port_lo");
    put_uint(w, c->port_lo);
    KEY(w, "port_hi");
    put_uint(w, c->port_hi);
    KEY(w, "ephemeral");
    put_ephemeral(w, c->ephemeral_all);
    KEY(w, "flows_in_ephemeral_range");
    put_int(w, (int64_t)c->in_range);
    close_container(w, '}');
}

enum table { TABLE_FLOWS, TABLE_SERVICES, TABLE_CLIENTS };

/* The array of flows, services or client hosts, its members at depth 2 as emit_array() places
 * them. */
static int emit_table(FILE *out, const struct report *r, enum table table)
{
    size_t n = table == TABLE_FLOWS      ? r->n_flows
               : table == TABLE_SERVICES ? r->n_services
                                         : r->n_clients;
    struct writer w;
    char *buf;

    if (n == 0)
        return fputs("[]", out) == EOF ? -1 : 0;
    buf = malloc(DOCUMENT_BUFFER);
    if (buf == NULL)
        return -1;
    writer_init(&w, out, buf, DOCUMENT_BUFFER, true, 1, r->nanosecond);
    open_container(&w, '[');
    for (size_t i = 0; i < n; i++) {
        separator(&w);
        if (table == TABLE_FLOWS)
            put_flow(&w, r, &r->flows[i], r->flows[i].id, NULL);
        else if (table == TABLE_SERVICES)
            put_service(&w, &r->services[i]);
        else
            put_client(&w, &r->clients[i]);
    }
    close_container(&w, ']');
    writer_flush(&w);
    free(buf);
    return w.failed ? -1 : 0;
}

int report_json_flow(const struct report *r, const struct report_flow *rf, size_t id, bool compact,
                     FILE *out)
{
    struct writer w;
    char buf[LINE_BUFFER];

    writer_init(&w, out, buf, sizeof(buf), !compact, 0, r->nanosecond);
    put_flow(&w, r, rf, id, NULL);
    return writer_flush(&w);
}

/* Writes `"key": ` at the top level; `first` says whether a comma must come before it. */
static int emit_key(FILE *out, const char *key, bool first)
{
    return fprintf(out, "%s  \"%s\": ", first ? "" : ",\n", key) < 0 ? -1 : 0;
}

enum array_kind { ARRAY_INPUTS, ARRAY_EXPECTATIONS };

static json_t *array_item(const struct report *r, enum array_kind kind, size_t i)
{
    switch (kind) {
    case ARRAY_INPUTS:
        return input_value(r, &r->inputs[i]);
    case ARRAY_EXPECTATIONS:
        return expectation_value(&r->expectations[i]);
    }
    return NULL;
}

static int emit_array(FILE *out, const struct report *r, enum array_kind kind, size_t n)
{
    if (n == 0)
        return fputs("[]", out) == EOF ? -1 : 0;
    if (fputs("[\n", out) == EOF)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (fputs("    ", out) == EOF || emit(out, array_item(r, kind, i), 2) != 0)
            return -1;
        if (fputs(i + 1 < n ? ",\n" : "\n", out) == EOF)
            return -1;
    }
    return fputs("  ]", out) == EOF ? -1 : 0;
}

int report_write_json(const struct report *r, FILE *out)
{
    if (fputs("{\n", out) == EOF)
        return -1;
    if (emit_key(out, "schema_version", true) != 0 ||
        emit(out, json_integer(REPORT_SCHEMA_VERSION), 1) != 0)
        return -1;
    if (emit_key(out, "generator", false) != 0 || emit(out, generator_value(), 1) != 0)
        return -1;
    if (emit_key(out, "settings", false) != 0 || emit(out, settings_value(r), 1) != 0)
        return -1;
    if (emit_key(out, "inputs", false) != 0 || emit_array(out, r, ARRAY_INPUTS, r->n_inputs) != 0)
        return -1;
    if (emit_key(out, "summary", false) != 0 || emit(out, summary_value(r), 1) != 0)
        return -1;
    if (emit_key(out, "flows", false) != 0 || emit_table(out, r, TABLE_FLOWS) != 0)
        return -1;
    if (emit_key(out, "services", false) != 0 || emit_table(out, r, TABLE_SERVICES) != 0)
        return -1;
    if (emit_key(out, "clients", false) != 0 || emit_table(out, r, TABLE_CLIENTS) != 0)
        return -1;
    /* Only with --expect, so that other reports are unchanged. */
    if (r->expectations != NULL && (emit_key(out, "expectations", false) != 0 ||
                                    emit_array(out, r, ARRAY_EXPECTATIONS, r->n_expectations) != 0))
        return -1;
    return fputs("\n}\n", out) == EOF ? -1 : 0;
}

/* One object on one line: the jsonl framing. Releases `v`; returns -1 when writing failed. */
static int emit_line(FILE *out, json_t *v)
{
    char *text;
    int rc;

    if (v == NULL)
        return -1;
    text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(v);
    if (text == NULL)
        return -1;
    rc = fputs(text, out) == EOF || fputc('\n', out) == EOF ? -1 : 0;
    free(text);
    return rc;
}

/* An object whose first member is its "type", then the members of `body` (released). */
static json_t *typed(const char *type, json_t *body)
{
    json_t *o = json_pack("{s:s}", "type", type);

    if (o == NULL || body == NULL || json_object_update(o, body) != 0) {
        json_decref(o);
        o = NULL;
    }
    json_decref(body);
    return o;
}

int report_jsonl_begin(struct report_jsonl *w, FILE *out, const struct report_settings *settings,
                       const struct flow_table *table, const char *const *paths, size_t n_paths)
{
    json_t *list = json_array();

    memset(w, 0, sizeof(*w));
    w->out = out;
    w->view.settings = *settings;
    w->view.table = table;
    for (size_t i = 0; list != NULL && i < n_paths; i++)
        json_array_append_new(list, text_value(paths[i]));
    if (emit_line(out, typed("header",
                             json_pack("{s:i, s:o, s:o, s:o}", "schema_version",
                                       REPORT_SCHEMA_VERSION, "generator", generator_value(),
                                       "settings", settings_value(&w->view), "inputs", list))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}

void report_jsonl_flow(void *ctx, const struct flow *f)
{
    struct report_jsonl *w = ctx;
    struct report_flow rf;
    struct writer line;
    char buf[LINE_BUFFER];

    if (w->failed)
        return;
    report_flow_init(&rf, f, &w->view.settings);
    /* In a stream flows are numbered in order of creation, and name their predecessor so. */
    rf.follows = f->prev;
    w->flows++;
    if (f->key.proto == PS_IPPROTO_TCP)
        w->tcp++;
    else if (f->key.proto == PS_IPPROTO_UDP)
        w->udp++;
    else
        w->other++;
    /* As in the report: the selection narrows the flows shown, the counts cover them all. */
    if (w->view.settings.select != NULL && select_active(w->view.settings.select) &&
        !select_flow(w->view.settings.select, &rf))
        return;
    writer_init(&line, w->out, buf, sizeof(buf), false, 0, w->view.nanosecond);
    put_flow(&line, &w->view, &rf, (size_t)f->id + 1, "flow");
    *room(&line, 1) = '\n';
    line.p++;
    if (writer_flush(&line) != 0)
        w->failed = true;
    w->written++;
}

int report_jsonl_interval(struct report_jsonl *w, uint64_t snapshot, uint64_t elapsed_ms,
                          const struct report_totals *totals)
{
    if (!w->failed &&
        (emit_line(w->out,
                   typed("interval",
                         json_pack("{s:I, s:I, s:I, s:I, s:I}", "snapshot", (json_int_t)snapshot,
                                   "elapsed_ms", (json_int_t)elapsed_ms, "packets",
                                   (json_int_t)totals->packets, "bytes", (json_int_t)totals->bytes,
                                   "flows_written", (json_int_t)w->written))) != 0 ||
         fflush(w->out) != 0))
        w->failed = true;
    return w->failed ? -1 : 0;
}

int report_jsonl_end(struct report_jsonl *w, const struct report_input *inputs, size_t n_inputs,
                     const struct report_totals *totals)
{
    json_t *list = json_array();
    struct report *r = &w->view;

    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->n_flows = r->n_flows_all = (size_t)w->flows;
    r->flows_tcp = (size_t)w->tcp;
    r->flows_udp = (size_t)w->udp;
    r->flows_other = (size_t)w->other;
    if (w->failed) {
        json_decref(list);
        return -1;
    }
    for (size_t i = 0; list != NULL && i < n_inputs; i++)
        json_array_append_new(list, input_value(r, &inputs[i]));
    if (emit_line(w->out, typed("summary", json_pack("{s:o, s:o}", "inputs", list, "summary",
                                                     summary_value(r)))) != 0)
        w->failed = true;
    return w->failed ? -1 : 0;
}
