/*
 * select.c - the values of the options that say what the report shows (--service, --port,
 * --host, --sort): parsed, collected, and matched against a flow's address or service name.
 * The view applies them (report_view.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report.h"

int report_parse_host(const char *text, struct report_host *out, char *err, size_t errlen)
{
    char addr[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(text, '/');
    size_t len = slash != NULL ? (size_t)(slash - text) : strlen(text);
    unsigned max;

    memset(out, 0, sizeof(*out));
    out->text = text;
    if (len >= sizeof(addr)) {
        snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", text);
        return -1;
    }
    memcpy(addr, text, len);
    addr[len] = '\0';
    if (inet_pton(AF_INET, addr, out->addr) == 1) {
        out->family = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
        out->family = 6;
        max = 128;
    } else {
        snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", text);
        return -1;
    }
    out->prefix = (uint8_t)max;
    if (slash != NULL) {
        const char *p = slash + 1;
        char *end;
        unsigned long bits;

        errno = 0;
        bits = *p >= '0' && *p <= '9' ? strtoul(p, &end, 10) : max + 1;
        if (bits > max || errno != 0 || *end != '\0') {
            snprintf(err, errlen, "'%s': the prefix length must be 0 to %u", text, max);
            return -1;
        }
        out->prefix = (uint8_t)bits;
    }
    return 0;
}

int report_parse_port(const char *text, uint16_t *out, char *err, size_t errlen)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = *text >= '0' && *text <= '9' ? strtoul(text, &end, 10) : 65536;
    if (v > 65535 || errno != 0 || *end != '\0') {
        snprintf(err, errlen, "'%s' is not a port number from 0 to 65535", text);
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

static const char *const sort_names[] = {
    [REPORT_SORT_START] = "start",
    [REPORT_SORT_PACKETS] = "packets",
    [REPORT_SORT_BYTES] = "bytes",
    [REPORT_SORT_DURATION] = "duration",
};

int report_parse_sort(const char *text, enum report_sort *out, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++) {
        if (strcmp(text, sort_names[i]) == 0) {
            *out = (enum report_sort)i;
            return 0;
        }
    }
    snprintf(err, errlen, "unknown sort key '%s' (known: packets, bytes, duration, start)", text);
    return -1;
}

int report_select_add_service(struct report_select *s, const char *name)
{
    const char **list = realloc(s->services, (s->n_services + 1) * sizeof(*list));

    if (list == NULL)
        return -1;
    list[s->n_services++] = name;
    s->services = list;
    return 0;
}

int report_select_add_port(struct report_select *s, uint16_t port)
{
    uint16_t *list = realloc(s->ports, (s->n_ports + 1) * sizeof(*list));

    if (list == NULL)
        return -1;
    list[s->n_ports++] = port;
    s->ports = list;
    return 0;
}

int report_select_add_host(struct report_select *s, const struct report_host *host)
{
    struct report_host *list = realloc(s->hosts, (s->n_hosts + 1) * sizeof(*list));

    if (list == NULL)
        return -1;
    list[s->n_hosts++] = *host;
    s->hosts = list;
    return 0;
}

bool report_select_active(const struct report_select *s)
{
    return s->n_services + s->n_ports + s->n_hosts > 0;
}

void report_select_release(struct report_select *s)
{
    free(s->services);
    free(s->ports);
    free(s->hosts);
    memset(s, 0, sizeof(*s));
}

bool report_host_matches(const struct report_host *h, uint8_t family, const uint8_t *addr)
{
    size_t whole = h->prefix / 8;
    unsigned rest = h->prefix % 8;

    if (h->family != family || memcmp(h->addr, addr, whole) != 0)
        return false;
    return rest == 0 || ((h->addr[whole] ^ addr[whole]) & (0xff00u >> rest) & 0xff) == 0;
}

bool report_service_matches(const char *name, const char *service, const char *alias)
{
    return (service != NULL && strcasecmp(name, service) == 0) ||
           (alias != NULL && strcasecmp(name, alias) == 0);
}
