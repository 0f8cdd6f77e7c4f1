/*
 * report_labels.c - the names and formats the writers (and the expectations) share: ICMP messages,
 * what a capture missed of a flow, times, addresses and encapsulation layers.
 */
#include <arpa/inet.h>
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

char *report_format_time(ps_time t, bool nanosecond, char *buf, size_t len)
{
    /* Floor division: a time before 1970 still gets a fraction in [0, 1) s. */
    time_t secs = (time_t)(t / 1000000000);
    long frac = (long)(t % 1000000000);
    struct tm tm;
    char date[32];

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    if (gmtime_r(&secs, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(date, sizeof(date), "%lld", (long long)secs);
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
