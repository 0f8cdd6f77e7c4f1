/*
 * report_text.c - the report for a person at a terminal: a header with what was read, then the
 * flows, the services and the client hosts as aligned tables, sizes in human units.
 */
#include <inttypes.h>
#include <string.h>

#include "capture.h"
#include "config.h"
#include "report.h"

#define CELL_SIZE 96
#define MAX_COLS  10

/* A table is printed in two passes over its rows: one to size the columns, one to print. */
struct table {
    const char *headers[MAX_COLS];
    bool right[MAX_COLS]; /* right-aligned (numbers) */
    size_t ncols, nrows;
    void (*fill)(const struct report *r, size_t row, char cells[][CELL_SIZE]);
};

static void human_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    double v = (double)bytes;
    size_t u = 0;

    if (bytes < 1000) {
        snprintf(buf, len, "%" PRIu64 " B", bytes);
        return;
    }
    v /= 1000;
    while (v >= 999.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000;
        u++;
    }
    snprintf(buf, len, "%.1f %s", v, units[u]);
}

static void human_duration(ps_time first, ps_time last, char *buf, size_t len)
{
    /* Unsigned: timestamps read from a file can be far apart enough to overflow. */
    snprintf(buf, len, "%.3f s", (double)((uint64_t)last - (uint64_t)first) / 1e9);
}

static void endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool ports, char *buf,
                     size_t len)
{
    char a[64];

    report_format_addr(family, addr, a, sizeof(a));
    if (!ports)
        snprintf(buf, len, "%s", a);
    else if (family == 6)
        snprintf(buf, len, "[%s]:%u", a, (unsigned)port);
    else
        snprintf(buf, len, "%s:%u", a, (unsigned)port);
}

static void proto_cell(uint8_t proto, char *buf)
{
    const char *name = report_proto_name(proto);

    if (name != NULL)
        snprintf(buf, CELL_SIZE, "%s", name);
    else
        snprintf(buf, CELL_SIZE, "%u", (unsigned)proto);
}

static void service_cell(const char *service, const char *alias, char *buf)
{
    if (service == NULL)
        snprintf(buf, CELL_SIZE, "-");
    else if (alias != NULL && strcmp(alias, service) != 0)
        snprintf(buf, CELL_SIZE, "%s (%s)", service, alias);
    else
        snprintf(buf, CELL_SIZE, "%s", service);
}

/* ICMP flows have no service: say what they are keyed on instead. */
static void icmp_cell(const struct flow *f, char *buf)
{
    uint16_t v = f->key.port[0] | f->key.port[1];
    const char *name;

    if (FLOW_KEY_SCOPE(&f->key) == PKT_SCOPE_ECHO) {
        snprintf(buf, CELL_SIZE, "echo id %u", (unsigned)v);
        return;
    }
    name = report_icmp_name(f->key.family, (uint8_t)(v >> 8), (uint8_t)(v & 0xff));
    if (name != NULL)
        snprintf(buf, CELL_SIZE, "%s", name);
    else
        snprintf(buf, CELL_SIZE, "type %u code %u", (unsigned)(v >> 8), (unsigned)(v & 0xff));
}

static void flow_row(const struct report *r, size_t row, char cells[][CELL_SIZE])
{
    const struct report_flow *rf = &r->flows[row];
    const struct flow *f = rf->flow;
    uint8_t c = rf->client, s = !rf->client;
    bool ports = report_proto_has_ports(f->key.proto);
    char b[2][32];

    snprintf(cells[0], CELL_SIZE, "%zu", row + 1);
    proto_cell(f->key.proto, cells[1]);
    endpoint(f->key.family, f->key.addr[c], f->key.port[c], ports, cells[2], CELL_SIZE);
    snprintf(cells[3], CELL_SIZE, "%s",
             ports && port_range_contains(&r->settings.ephemeral, f->key.port[c]) ? "*" : "");
    endpoint(f->key.family, f->key.addr[s], f->key.port[s], ports, cells[4], CELL_SIZE);
    if (f->key.proto == PS_IPPROTO_ICMP || f->key.proto == PS_IPPROTO_ICMPV6)
        icmp_cell(f, cells[5]);
    else
        service_cell(rf->service, rf->service_alias, cells[5]);
    snprintf(cells[6], CELL_SIZE, "%" PRIu64 "/%" PRIu64, f->packets[c], f->packets[s]);
    human_bytes(f->bytes[c], b[0], sizeof(b[0]));
    human_bytes(f->bytes[s], b[1], sizeof(b[1]));
    snprintf(cells[7], CELL_SIZE, "%s/%s", b[0], b[1]);
    human_duration(f->first_seen, f->last_seen, cells[8], CELL_SIZE);
    snprintf(cells[9], CELL_SIZE, "%s", report_role_reason_name(rf->reason, f->key.proto));
}

static void service_row(const struct report *r, size_t row, char cells[][CELL_SIZE])
{
    const struct report_service *s = &r->services[row];

    snprintf(cells[0], CELL_SIZE, "%u", (unsigned)s->port);
    proto_cell(s->proto, cells[1]);
    service_cell(s->service, s->service_alias, cells[2]);
    snprintf(cells[3], CELL_SIZE, "%s", ports_class_name(ports_class(s->port)));
    snprintf(cells[4], CELL_SIZE, "%" PRIu64, s->flows);
    snprintf(cells[5], CELL_SIZE, "%" PRIu64, s->packets);
    human_bytes(s->bytes, cells[6], CELL_SIZE);
    snprintf(cells[7], CELL_SIZE, "%" PRIu64, s->clients);
}

static void profile_list(uint32_t mask, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (!(mask & (1u << i)))
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
                         ports_ephemeral_profiles[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, len, "-");
}

static void client_row(const struct report *r, size_t row, char cells[][CELL_SIZE])
{
    const struct report_client *c = &r->clients[row];

    report_format_addr(c->family, c->addr, cells[0], CELL_SIZE);
    snprintf(cells[1], CELL_SIZE, "%" PRIu64, c->flows);
    snprintf(cells[2], CELL_SIZE, "%" PRIu64, c->ports);
    snprintf(cells[3], CELL_SIZE, "%u", (unsigned)c->port_lo);
    snprintf(cells[4], CELL_SIZE, "%u", (unsigned)c->port_hi);
    snprintf(cells[5], CELL_SIZE, "%" PRIu64 "/%" PRIu64, c->in_range, c->flows);
    profile_list(c->ephemeral_all, cells[6], CELL_SIZE);
}

static int print_table(const struct report *r, const struct table *t, FILE *out)
{
    char cells[MAX_COLS][CELL_SIZE];
    size_t width[MAX_COLS];

    for (size_t c = 0; c < t->ncols; c++)
        width[c] = strlen(t->headers[c]);
    for (size_t row = 0; row < t->nrows; row++) {
        t->fill(r, row, cells);
        for (size_t c = 0; c < t->ncols; c++)
            if (strlen(cells[c]) > width[c])
                width[c] = strlen(cells[c]);
    }
    for (size_t row = 0; row <= t->nrows; row++) {
        if (row > 0)
            t->fill(r, row - 1, cells);
        fputs("  ", out);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *text = row == 0 ? t->headers[c] : cells[c];
            bool last = c + 1 == t->ncols;

            if (t->right[c])
                fprintf(out, "%*s", (int)width[c], text);
            else if (last)
                fputs(text, out);
            else
                fprintf(out, "%-*s", (int)width[c], text);
            fputs(last ? "\n" : "  ", out);
        }
    }
    return ferror(out) ? -1 : 0;
}

static void print_header(const struct report *r, FILE *out)
{
    const struct report_totals *t = &r->totals;
    char when[2][64], size[32];
    ps_time first = 0, last = 0;
    bool any = false;
    uint64_t skipped = 0;

    fprintf(out, "%s %s report\n\nInputs\n", PACKAGE_NAME, PACKAGE_VERSION);
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct report_input *in = &r->inputs[i];

        human_bytes(in->bytes, size, sizeof(size));
        fprintf(out, "  %s: %s", strcmp(in->path, "-") == 0 ? "(standard input)" : in->path,
                in->format ? in->format : "unreadable");
        for (size_t k = 0; k < in->n_linktypes; k++)
            fprintf(out, "%s%s", k ? ", " : ", link type ",
                    capture_linktype_name(in->linktypes[k]));
        fprintf(out, ", %" PRIu64 " packets, %s%s\n", in->packets, size,
                in->complete ? "" : " (incomplete)");
        if (in->error[0] != '\0')
            fprintf(out, "    error: %s\n", in->error);
        if (in->packets > 0) {
            if (!any || in->first_seen < first)
                first = in->first_seen;
            if (!any || in->last_seen > last)
                last = in->last_seen;
            any = true;
        }
    }
    if (any) {
        human_duration(first, last, size, sizeof(size));
        fprintf(out, "\nTime span: %s to %s (%s)\n",
                report_format_time(first, r->nanosecond, when[0], sizeof(when[0])),
                report_format_time(last, r->nanosecond, when[1], sizeof(when[1])), size);
    }
    human_bytes(t->bytes, size, sizeof(size));
    fprintf(out, "\nTotals: %" PRIu64 " packets (%s) read\n", t->packets, size);
    human_bytes(t->flow_bytes, size, sizeof(size));
    fprintf(out, "  in flows: %" PRIu64 " packets (%s) in %zu flows: %zu tcp, %zu udp, %zu other\n",
            t->flow_packets, size, r->n_flows, r->flows_tcp, r->flows_udp, r->flows_other);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        skipped += t->skipped_packets[i];
    fprintf(out, "  skipped:  %" PRIu64 " packets\n", skipped);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
        if (t->skipped_packets[i] == 0)
            continue;
        human_bytes(t->skipped_bytes[i], size, sizeof(size));
        fprintf(out, "    %-22s %8" PRIu64 " packets %10s  %s\n", ps_skip_name((enum ps_skip)i),
                t->skipped_packets[i], size, ps_skip_description((enum ps_skip)i));
    }
    for (size_t i = 0; i < t->n_skipped_linktypes; i++)
        fprintf(out, "      link type %s (%s): %" PRIu64 " packets\n",
                capture_linktype_name(t->skipped_linktypes[i].linktype),
                capture_linktype_description(t->skipped_linktypes[i].linktype),
                t->skipped_linktypes[i].packets);
    if (t->fragments_evicted != 0)
        fprintf(out, "  fragment table full (%zu datagrams): %" PRIu64 " forgotten early\n",
                t->fragment_capacity, t->fragments_evicted);
}

/* The ICMP errors each flow received, under the flow table. */
static void print_icmp_errors(const struct report *r, FILE *out)
{
    for (size_t i = 0; i < r->n_flows; i++) {
        const struct flow *f = r->flows[i].flow;

        for (uint32_t ref = f->icmp_errors; ref != 0;) {
            const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);
            const char *name = report_icmp_name(e->family, e->type, e->code);

            fprintf(out, "  flow %zu got %" PRIu64 " %s %s (type %u code %u)\n", i + 1, e->packets,
                    e->family == 6 ? "ICMPv6" : "ICMP", name != NULL ? name : "error",
                    (unsigned)e->type, (unsigned)e->code);
            ref = e->next;
        }
    }
}

int report_write_text(const struct report *r, FILE *out)
{
    const struct table flows = {
        {"#", "PROTO", "CLIENT", "EPH", "SERVER", "SERVICE", "PACKETS c/s", "BYTES c/s", "DURATION",
         "ROLE BY"},
        {true, false, false, false, false, false, true, true, true, false},
        10,
        r->n_flows,
        flow_row,
    };
    const struct table services = {
        {"PORT", "PROTO", "SERVICE", "CLASS", "FLOWS", "PACKETS", "BYTES", "CLIENTS"},
        {true, false, false, false, true, true, true, true},
        8,
        r->n_services,
        service_row,
    };
    const struct table clients = {
        {"CLIENT HOST", "FLOWS", "PORTS", "LOWEST", "HIGHEST", "IN RANGE", "EPHEMERAL RANGES"},
        {false, true, true, true, true, true, false},
        7,
        r->n_clients,
        client_row,
    };
    const struct port_range *eph = &r->settings.ephemeral;

    print_header(r, out);
    fprintf(out, "\nFlows (%zu)\n", r->n_flows);
    if (r->n_flows > 0 && print_table(r, &flows, out) != 0)
        return -1;
    print_icmp_errors(r, out);
    if (r->n_flows > 0)
        fprintf(out, "  EPH * = client port inside the ephemeral range in force (%s%s%u-%u)\n",
                eph->name ? eph->name : "", eph->name ? " " : "", (unsigned)eph->lo,
                (unsigned)eph->hi);
    fprintf(out, "\nServices (%zu)\n", r->n_services);
    if (r->n_services > 0 && print_table(r, &services, out) != 0)
        return -1;
    fprintf(out, "\nClient ports by host (%zu)\n", r->n_clients);
    if (r->n_clients > 0 && print_table(r, &clients, out) != 0)
        return -1;
    if (r->n_clients > 0)
        fputs("  EPHEMERAL RANGES = OS ranges that hold every client port of the host\n", out);
    return ferror(out) ? -1 : 0;
}
