/*
 * report_labels.c - the names and formats the writers (and the expectations) share: ICMP messages,
 * what a capture missed of a flow, times, addresses and encapsulation layers.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include "report.h"

struct icmp_name {
    uint8_t family, type;
    int code; /* -1: any code */
    const char *name;
};

/* RFC 792, RFC 4443, RFC 4861, RFC 3810 and the IANA ICMP parameter registries. */
static const struct icmp_name icmp_names[] = {
    {4, 0, -1, "echo-reply"},
    {4, 3, 0, "net-unreachable"},
    {4, 3, 1, "host-unreachable"},
    {4, 3, 2, "protocol-unreachable"},
    {4, 3, 3, "port-unreachable"},
    {4, 3, 4, "fragmentation-needed"},
    {4, 3, 9, "net-prohibited"},
    {4, 3, 10, "host-prohibited"},
    {4, 3, 13, "admin-prohibited"},
    {4, 3, -1, "destination-unreachable"},
    {4, 4, -1, "source-quench"},
    {4, 5, -1, "redirect"},
    {4, 8, -1, "echo-request"},
    {4, 9, -1, "router-advertisement"},
    {4, 10, -1, "router-solicitation"},
    {4, 11, 0, "ttl-exceeded"},
    {4, 11, 1, "reassembly-time-exceeded"},
    {4, 12, -1, "parameter-problem"},
    {4, 13, -1, "timestamp-request"},
    {4, 14, -1, "timestamp-reply"},
    {6, 1, 0, "no-route"},
    {6, 1, 1, "admin-prohibited"},
    {6, 1, 3, "address-unreachable"},
    {6, 1, 4, "port-unreachable"},
    {6, 1, -1, "destination-unreachable"},
    {6, 2, -1, "packet-too-big"},
    {6, 3, 0, "hop-limit-exceeded"},
    {6, 3, 1, "reassembly-time-exceeded"},
    {6, 4, -1, "parameter-problem"},
    {6, 128, -1, "echo-request"},
    {6, 129, -1, "echo-reply"},
    {6, 130, -1, "mld-query"},
    {6, 131, -1, "mld-report"},
    {6, 132, -1, "mld-done"},
    {6, 133, -1, "router-solicitation"},
    {6, 134, -1, "router-advertisement"},
    {6, 135, -1, "neighbor-solicitation"},
    {6, 136, -1, "neighbor-advertisement"},
    {6, 137, -1, "redirect"},
    {6, 143, -1, "mldv2-report"},
};

const char *report_icmp_name(uint8_t family, uint8_t type, uint8_t code)
{
    for (size_t i = 0; i < sizeof(icmp_names) / sizeof(icmp_names[0]); i++) {
        const struct icmp_name *n = &icmp_names[i];

        if (n->family == family && n->type == type && (n->code < 0 || n->code == code))
            return n->name;
    }
    return NULL;
}

/* The first and last second whose year has four digits (1000-01-01 and 9999-12-31T23:59:59):
 * what strftime()'s %Y writes without a sign or padding rules to match. */
#define DATE_FIRST INT64_C(-30610224000)
#define DATE_LAST  INT64_C(253402300799)

static char *put_two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/*
 * The civil date of a day counted from 1970-01-01 in the proleptic Gregorian calendar, as
 * gmtime_r() makes it, by arithmetic: years of 400 (146097 days) from 0000-03-01, so that a leap
 * day falls at the end of its year. No libc call: gmtime_r() takes glibc's time-zone lock, which
 * two threads writing flows then contend for.
 */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                    /* March = 0 */

    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

size_t report_format_date(int64_t secs, char out[REPORT_DATE_SIZE])
{
    int64_t days, year;
    unsigned sod, month, day;
    char *p = out;

    if (secs < DATE_FIRST || secs > DATE_LAST) {
        time_t t = (time_t)secs;
        struct tm tm;
        size_t n = gmtime_r(&t, &tm) != NULL
                       ? strftime(out, REPORT_DATE_SIZE, "%Y-%m-%dT%H:%M:%S", &tm)
                       : 0;

        return n != 0 ? n : (size_t)snprintf(out, REPORT_DATE_SIZE, "%lld", (long long)secs);
    }
    days = (secs >= 0 ? secs : secs - 86399) / 86400;
    sod = (unsigned)(secs - days * 86400);
    civil_from_days(days, &year, &month, &day);
    p = put_two(p, (unsigned)(year / 100));
    p = put_two(p, (unsigned)(year % 100));
    *p++ = '-';
    p = put_two(p, month);
    *p++ = '-';
    p = put_two(p, day);
    *p++ = 'T';
    p = put_two(p, sod / 3600);
    *p++ = ':';
    p = put_two(p, sod / 60 % 60);
    *p++ = ':';
    p = put_two(p, sod % 60);
    *p = '\0';
    return (size_t)(p - out);
}

char *report_format_time(ps_time t, bool nanosecond, char *buf, size_t len)
{
    /* Floor division: a time before 1970 still gets a fraction in [0, 1) s. */
    int64_t secs = t / 1000000000;
    long frac = (long)(t % 1000000000);
    char date[REPORT_DATE_SIZE];

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    report_format_date(secs, date);
    if (nanosecond)
        snprintf(buf, len, "%s.%09ldZ", date, frac);
    else
        snprintf(buf, len, "%s.%06ldZ", date, frac / 1000);
    return buf;
}

size_t report_flow_quality(const struct flow *f, const char *names[REPORT_QUALITY_MAX])
{
    size_t n = 0;

    if (f->quality & FLOW_Q_MIDSTREAM)
        names[n++] = "midstream";
    if (f->packets[0] == 0 || f->packets[1] == 0)
        names[n++] = "one-sided";
    if (f->quality & FLOW_Q_SNAPLEN)
        names[n++] = "snaplen-cut";
    if (f->quality & FLOW_Q_BACKWARDS)
        names[n++] = "timestamps-backwards";
    if (f->quality & FLOW_Q_NO_IP_LEN)
        names[n++] = "ip-length-zero";
    return n;
}

char *report_format_encap(const struct encap *hop, char *buf, size_t len)
{
    if (hop->has_id)
        snprintf(buf, len, "%s:%lu", decode_encap_name(hop->kind), (unsigned long)hop->id);
    else
        snprintf(buf, len, "%s", decode_encap_name(hop->kind));
    return buf;
}

char *report_format_addr(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
    if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}
