/*
 * output_text.c - the report for a person at a terminal: a header with what was read, then the
 * flows, the services and the client hosts as aligned tables, sizes in human units.
 */
#include <inttypes.h>
#include <string.h>

#include "capture.h"
#include "config.h"
#include "base.h"
#include "output_int.h"

#define CELL_SIZE OUTPUT_CELL_SIZE
#define MAX_COLS  12

static const struct {
    const char *name;
    unsigned bit;
} section_names[] = {
    {"summary", OUTPUT_SECTION_SUMMARY},   {"flows", OUTPUT_SECTION_FLOWS},
    {"services", OUTPUT_SECTION_SERVICES}, {"clients", OUTPUT_SECTION_CLIENTS},
    {"explain", OUTPUT_SECTION_EXPLAIN},
};

int output_parse_sections(const char *text, unsigned *out, char *err, size_t errlen)
{
    unsigned bits = 0;

    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        size_t i, n = sizeof(section_names) / sizeof(section_names[0]);

        for (i = 0; i < n; i++)
            if (strlen(section_names[i].name) == len && strncmp(p, section_names[i].name, len) == 0)
                break;
        if (i == n) {
            snprintf(err, errlen,
                     "unknown section '%.*s' (known: flows, services, clients, summary, explain)",
                     (int)len, p);
            return -1;
        }
        bits |= section_names[i].bit;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *out = bits;
    return 0;
}

/* A table is printed in two passes over its rows: one to size the columns, one to print. */
struct table {
    const char *headers[MAX_COLS];
    bool right[MAX_COLS]; /* right-aligned (numbers) */
    size_t ncols, nrows;
    void (*fill)(const struct report *r, size_t row, char cells[][CELL_SIZE]);
};

/* --color: section titles and table headings in bold. */
static const char *bold(bool color)
{
    return color ? "\033[1m" : "";
}

static const char *plain(bool color)
{
    return color ? "\033[0m" : "";
}

void output_human_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    double v = (double)bytes;
    size_t u = 0;

    if (bytes < 1000) {
        strcpy(jw_put_uint(buf, bytes), " B");
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

static void endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool ports, char *buf)
{
    char *p = buf;

    if (ports && family == 6)
        *p++ = '[';
    p = jw_put_addr_text(p, family, addr);
    if (ports) {
        if (family == 6)
            *p++ = ']';
        *p++ = ':';
        p = jw_put_uint(p, port);
    }
    *p = '\0';
}

static void proto_cell(uint8_t proto, char *buf)
{
    const char *name = ipproto_name(proto);

    if (name != NULL)
        snprintf(buf, CELL_SIZE, "%s", name);
    else
        *jw_put_uint(buf, proto) = '\0';
}

static void service_name_cell(const char *service, const char *alias, char *buf)
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

/* The protocol the payload shows, its TLS server name, and "!" when the port's service differs. */
static void app_cell(const struct report *r, const struct report_flow *rf, const struct flow *f,
                     const char *service, char *buf)
{
    struct report_app app;

    if (!report_flow_app(r, rf, f, service, &app) || app.proto == APP_NONE) {
        strcpy(buf, "-");
        return;
    }
    snprintf(buf, CELL_SIZE, "%s%s%s%s", decode_app_name(app.proto), app.mismatch ? " !" : "",
             app.sni != NULL ? " " : "", app.sni != NULL ? app.sni : "");
}

/*
 * Made twice for every flow shown (to size the columns, then to print them): by hand but for the
 * sizes and the duration, whose rounding is printf()'s.
 */
void output_text_flow_cells(const struct report *r, const struct report_flow *rf,
                            char cells[][OUTPUT_CELL_SIZE])
{
    struct flow buf;
    const struct flow *f = report_flow_data(r, rf, &buf);
    uint8_t c = rf->client, s = !rf->client;
    bool ports = ipproto_has_ports(f->key.proto);
    const char *state = flow_tcp_conn_state_name(rf->conn_state);
    /* Looked up once: the service cell and the app cell's mismatch both need it. */
    const char *alias, *service = report_flow_service(r, rf, f, &alias);
    char b[2][32], *p;

    *jw_put_uint(cells[0], rf->id) = '\0';
    proto_cell(f->key.proto, cells[1]);
    endpoint(f->key.family, f->key.addr[c], f->key.port[c], ports, cells[2]);
    strcpy(cells[3], rf->client_in_range ? "*" : "");
    endpoint(f->key.family, f->key.addr[s], f->key.port[s], ports, cells[4]);
    if (f->key.proto == PS_IPPROTO_ICMP || f->key.proto == PS_IPPROTO_ICMPV6)
        icmp_cell(f, cells[5]);
    else
        service_name_cell(service, alias, cells[5]);
    app_cell(r, rf, f, service, cells[6]);
    p = jw_put_uint(cells[7], f->packets[c]);
    *p++ = '/';
    *jw_put_uint(p, f->packets[s]) = '\0';
    output_human_bytes(f->bytes[c], b[0], sizeof(b[0]));
    output_human_bytes(f->bytes[s], b[1], sizeof(b[1]));
    stpcpy(stpcpy(stpcpy(cells[8], b[0]), "/"), b[1]);
    human_duration(f->first_seen, f->last_seen, cells[9], CELL_SIZE);
    strcpy(cells[10], state != NULL ? state : "-");
    strcpy(cells[11], report_role_reason_name(rf->reason, f->key.proto));
}

static void flow_row(const struct report *r, size_t row, char cells[][CELL_SIZE])
{
    output_text_flow_cells(r, report_shown(r, row), cells);
}

void output_text_service_cells(const struct report *r, size_t row, char cells[][CELL_SIZE])
{
    const struct report_service *s = &r->services[row];

    snprintf(cells[0], CELL_SIZE, "%u", (unsigned)s->port);
    proto_cell(s->proto, cells[1]);
    service_name_cell(s->service, s->service_alias, cells[2]);
    snprintf(cells[3], CELL_SIZE, "%s", ports_class_name(ports_class(s->port)));
    snprintf(cells[4], CELL_SIZE, "%" PRIu64, s->flows);
    snprintf(cells[5], CELL_SIZE, "%" PRIu64, s->packets);
    output_human_bytes(s->bytes, cells[6], CELL_SIZE);
    snprintf(cells[7], CELL_SIZE, "%" PRIu64, s->clients);
}

/* Under the services table: the other services the registry lists on a port, which its name
 * alone would hide (465/tcp is submissions, and also urd). */
static void print_service_notes(const struct report *r, FILE *out)
{
    for (size_t i = 0; i < r->n_services; i++) {
        const struct report_service *s = &r->services[i];
        char proto[CELL_SIZE];

        if (s->service_other[0] == NULL)
            continue;
        proto_cell(s->proto, proto);
        fprintf(out, "  %u/%s: the IANA registry also lists ", (unsigned)s->port, proto);
        for (const char *const *name = s->service_other; *name != NULL; name++)
            fprintf(out, "%s%s", name == s->service_other ? "" : ", ", *name);
        fputc('\n', out);
    }
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

/*
 * "sequential +1 (tcp 22/24)": the pattern, its commonest step, the steps up of those judged. The
 * client table's cells are written with stpcpy() and jw_put_uint() rather than snprintf(): a table
 * of a hundred thousand hosts makes each of them twice (widths, then rows).
 */
static void pattern_cell(const struct report_port_choice *ch, char *cell)
{
    char proto[CELL_SIZE], *p = cell;
    bool per_dest = ch->pattern == REPORT_PORTS_PER_DESTINATION;

    proto_cell(ch->proto, proto);
    proto[16] = '\0';
    if (ch->pattern == REPORT_PORTS_TOO_FEW) {
        p = stpcpy(stpcpy(stpcpy(p, "too few ("), proto), " ");
        p = jw_put_uint(p, ch->connections);
        strcpy(p, ")");
        return;
    }
    p = stpcpy(p, report_port_pattern_name(ch->pattern));
    if (ch->step != 0)
        p = jw_put_uint(stpcpy(p, " +"), ch->step);
    p = stpcpy(stpcpy(stpcpy(p, " ("), proto), " ");
    p = jw_put_uint(p, per_dest ? ch->dest_steps_up : ch->steps_up);
    p = jw_put_uint(stpcpy(p, "/"), per_dest ? ch->dest_steps : ch->steps);
    strcpy(p, per_dest ? " to one server)" : ")");
}

/* "32768-60999 (214/214)": the likely range, its ports of all; "- (0/3)" without one. */
static void likely_cell(const struct report_client *c, char *cell)
{
    char *p = cell;

    if (c->choice.likely != 0) {
        p = jw_put_uint(p, c->choice.likely_lo);
        p = jw_put_uint(stpcpy(p, "-"), c->choice.likely_hi);
        p = stpcpy(p, " (");
    } else {
        p = stpcpy(p, "- (");
    }
    p = jw_put_uint(p, c->choice.likely_ports);
    p = jw_put_uint(stpcpy(p, "/"), c->ports);
    strcpy(p, ")");
}

/* "linux (ttl 64)", "unknown (ttl 64,128)": the hint and the initial TTLs seen. */
static void hint_cell(const struct report_port_choice *ch, char *cell)
{
    static const char *const ttl[REPORT_TTL_CLASSES] = {"32", "64", "128", "255"};
    char *p = stpcpy(stpcpy(cell, report_os_hint_name(ch->os_hint)), " (ttl ");
    bool any = false;

    for (size_t k = 0; k < REPORT_TTL_CLASSES; k++)
        if (ch->ttl_flows[k] != 0) {
            p = stpcpy(stpcpy(p, any ? "," : ""), ttl[k]);
            any = true;
        }
    strcpy(p, any ? ")" : "-)");
}

void output_text_client_cells(const struct report *r, size_t row, char cells[][CELL_SIZE])
{
    const struct report_client *c = &r->clients[row];
    char *p;

    report_format_addr(c->family, c->addr, cells[0], CELL_SIZE);
    *jw_put_uint(cells[1], c->flows) = '\0';
    *jw_put_uint(cells[2], c->ports) = '\0';
    *jw_put_uint(cells[3], c->port_lo) = '\0';
    *jw_put_uint(cells[4], c->port_hi) = '\0';
    p = jw_put_uint(cells[5], c->in_range);
    p = jw_put_uint(stpcpy(p, "/"), c->flows);
    /* Under --ephemeral auto, each host's own range: named beside its count. */
    if (port_range_is_auto(&r->settings.ephemeral) && c->in_force.name != NULL)
        p = stpcpy(stpcpy(p, " "), c->in_force.name);
    *p = '\0';
    profile_list(c->ephemeral_all, cells[6], CELL_SIZE);
    pattern_cell(&c->choice, cells[7]);
    likely_cell(c, cells[8]);
    hint_cell(&c->choice, cells[9]);
}

static int print_table(const struct report *r, const struct table *t, bool color, FILE *out)
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
        /* A row is padded and joined here and written at once: a stdio call per cell cost more
         * than making the cells. */
        char line[2 + MAX_COLS * (CELL_SIZE + 2) + 16], *p = line;

        if (row > 0)
            t->fill(r, row - 1, cells);
        else
            p = stpcpy(p, bold(color));
        *p++ = ' ';
        *p++ = ' ';
        for (size_t c = 0; c < t->ncols; c++) {
            const char *text = row == 0 ? t->headers[c] : cells[c];
            size_t len = strlen(text), pad = width[c] - len;
            bool last = c + 1 == t->ncols;

            if (t->right[c]) {
                memset(p, ' ', pad);
                p += pad;
            }
            memcpy(p, text, len);
            p += len;
            if (last) {
                if (row == 0)
                    p = stpcpy(p, plain(color));
                *p++ = '\n';
            } else {
                if (!t->right[c]) {
                    memset(p, ' ', pad);
                    p += pad;
                }
                *p++ = ' ';
                *p++ = ' ';
            }
        }
        fwrite(line, 1, (size_t)(p - line), out);
    }
    return ferror(out) ? -1 : 0;
}

static void print_header(const struct report *r, bool color, FILE *out)
{
    const struct analyze_totals *t = &r->totals;
    char when[2][64], size[32];
    ps_time first, last;
    uint64_t skipped = 0;

    fprintf(out, "%s %s report\n\n%sInputs%s\n", PACKAGE_NAME, PACKAGE_VERSION, bold(color),
            plain(color));
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct analyze_input *in = &r->inputs[i];

        output_human_bytes(in->bytes, size, sizeof(size));
        fprintf(out, "  %s: %s", strcmp(in->path, "-") == 0 ? "(standard input)" : in->path,
                in->format ? in->format : "unreadable");
        for (size_t k = 0; k < in->n_linktypes; k++)
            fprintf(out, "%s%s", k ? ", " : ", link type ", linktype_name(in->linktypes[k]));
        fprintf(out, ", %" PRIu64 " packets, %s", in->packets, size);
        if (r->settings.filter != NULL)
            fprintf(out, ", %" PRIu64 " rejected by the filter", in->filtered_packets);
        fprintf(out, "%s\n", in->complete ? "" : " (incomplete)");
        if (in->error[0] != '\0')
            fprintf(out, "    error: %s\n", in->error);
        if (in->live)
            fprintf(out,
                    "    kernel: %" PRIu64 " packets received, %" PRIu64 " dropped, %" PRIu64
                    " dropped by the interface\n",
                    in->received, in->dropped, in->if_dropped);
        if (in->live && in->dropped != 0)
            fprintf(out, "    warning: the %" PRIu64 " dropped packets are not in this report\n",
                    in->dropped);
    }
    if (r->settings.filter != NULL)
        fprintf(out, "\nFilter: %s (only the packets it accepts are analysed)\n",
                r->settings.filter);
    if (report_time_span(r, &first, &last)) {
        human_duration(first, last, size, sizeof(size));
        fprintf(out, "\nTime span: %s to %s (%s)\n",
                report_format_time(first, r->nanosecond, when[0], sizeof(when[0])),
                report_format_time(last, r->nanosecond, when[1], sizeof(when[1])), size);
    }
    output_human_bytes(t->bytes, size, sizeof(size));
    fprintf(out, "\nTotals: %" PRIu64 " packets (%s) %s\n", t->packets, size,
            r->settings.filter != NULL ? "analysed" : "read");
    output_human_bytes(t->flow_bytes, size, sizeof(size));
    fprintf(out, "  in flows: %" PRIu64 " packets (%s) in %zu flows: %zu tcp, %zu udp, %zu other\n",
            t->flow_packets, size, r->n_flows_all, r->flows_tcp, r->flows_udp, r->flows_other);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        skipped += t->skipped_packets[i];
    fprintf(out, "  skipped:  %" PRIu64 " packets\n", skipped);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
        if (t->skipped_packets[i] == 0)
            continue;
        output_human_bytes(t->skipped_bytes[i], size, sizeof(size));
        fprintf(out, "    %-22s %8" PRIu64 " packets %10s  %s\n", ps_skip_name((enum ps_skip)i),
                t->skipped_packets[i], size, ps_skip_description((enum ps_skip)i));
    }
    for (size_t i = 0; i < t->n_skipped_linktypes; i++)
        fprintf(out, "      link type %s (%s): %" PRIu64 " packets\n",
                linktype_name(t->skipped_linktypes[i].linktype),
                linktype_description(t->skipped_linktypes[i].linktype),
                t->skipped_linktypes[i].packets);
    if (t->fragments_evicted != 0)
        fprintf(out, "  fragment table full (%zu datagrams): %" PRIu64 " forgotten early\n",
                t->fragment_capacity, t->fragments_evicted);
}

/* The ICMP errors each flow received, under the flow table. */
/* What a student should notice about a flow beyond its row: where it came from, what went wrong. */
static void print_flow_notes(const struct report_flow *rf, const struct flow *f, size_t number,
                             FILE *out)
{
    uint8_t c = rf->client;

    if (rf->follows != 0)
        fprintf(out, "  flow %zu follows flow %" PRIu32 " on the same addresses and ports (%s)\n",
                number, rf->follows, flow_start_name((enum flow_start)f->start));
    if (f->quality & FLOW_Q_MIDSTREAM)
        fprintf(out, "  flow %zu started before the capture did (no SYN seen)\n", number);
    if (f->tcp.retrans[0] != 0 || f->tcp.retrans[1] != 0)
        fprintf(out,
                "  flow %zu retransmitted %" PRIu32 " segments client to server, %" PRIu32
                " server to client\n",
                number, f->tcp.retrans[c], f->tcp.retrans[!c]);
    if (f->quality & FLOW_Q_BACKWARDS)
        fprintf(out, "  flow %zu has timestamps that go backwards\n", number);
}

/* The notes of the first `rows` flows the table shows, in its order. */
static void print_flow_details(const struct report *r, size_t rows, FILE *out)
{
    for (size_t k = 0; k < rows; k++) {
        const struct report_flow *rf = report_shown(r, k);
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);

        print_flow_notes(rf, f, rf->id, out);
        for (uint32_t ref = f->icmp_errors; ref != 0;) {
            const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);
            const char *name = report_icmp_name(e->family, e->type, e->code);

            fprintf(out, "  flow %" PRIu32 " got %" PRIu64 " %s %s (type %u code %u)\n", rf->id,
                    e->packets, e->family == 6 ? "ICMPv6" : "ICMP", name != NULL ? name : "error",
                    (unsigned)e->type, (unsigned)e->code);
            ref = e->next;
        }
    }
}

/*
 * "Flows (8)", or with a selection, --top or --sort, how many of how many are shown and why:
 * "Flows (showing 2 of 8: service http, host 192.0.2.1; top 2 by bytes)".
 */
static void flows_title(const struct report *r, size_t shown, char *buf, size_t len)
{
    static const char *const sort_names[] = {
        [REPORT_SORT_START] = "start",
        [REPORT_SORT_PACKETS] = "packets",
        [REPORT_SORT_BYTES] = "bytes",
        [REPORT_SORT_DURATION] = "duration",
    };
    const struct report_select *s = r->settings.select;
    char why[PS_ERRBUF_SIZE] = "";
    size_t used = 0;

    if (s != NULL && report_select_active(s)) {
        for (size_t i = 0; i < s->n_services; i++)
            used += (size_t)snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0,
                                     "%s%s", i ? " or " : "service ", s->services[i]);
        for (size_t i = 0; i < s->n_ports; i++)
            used +=
                (size_t)snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0, "%s%u",
                                 i      ? " or "
                                 : used ? ", port "
                                        : "port ",
                                 (unsigned)s->ports[i]);
        for (size_t i = 0; i < s->n_hosts; i++)
            used +=
                (size_t)snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0, "%s%s",
                                 i      ? " or "
                                 : used ? ", host "
                                        : "host ",
                                 s->hosts[i].text);
    }
    if (r->settings.top != 0 && r->settings.top < r->n_flows)
        used += (size_t)snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0,
                                 "%stop %zu by %s", used ? "; " : "", r->settings.top,
                                 sort_names[r->settings.sort]);
    else if (r->settings.sort != REPORT_SORT_START)
        snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0, "%ssorted by %s",
                 used ? "; " : "", sort_names[r->settings.sort]);
    if (why[0] == '\0')
        snprintf(buf, len, "Flows (%zu)", r->n_flows);
    else
        snprintf(buf, len, "Flows (showing %zu of %zu: %s)", shown, r->n_flows_all, why);
}

static void print_expectations(const struct report *r, bool any, bool color, FILE *out)
{
    size_t failed = 0;

    for (size_t i = 0; i < r->n_expectations; i++)
        failed += !r->expectations[i].holds;
    fprintf(out, "%s%sExpectations (%zu, %zu failed)%s\n", any ? "\n" : "", bold(color),
            r->n_expectations, failed, plain(color));
    for (size_t i = 0; i < r->n_expectations; i++)
        fprintf(out, "  %-6s  %s: found %s\n", r->expectations[i].holds ? "ok" : "FAILED",
                r->expectations[i].expression, r->expectations[i].found);
}

/* "Port mismatches": the shown flows whose bytes are not what their server port's service speaks.
 */
static void print_mismatches(const struct report *r, size_t rows, FILE *out)
{
    size_t n = 0;

    /* Counted first, for the title; listed second. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < rows; k++) {
            const struct report_flow *rf = report_shown(r, k);
            struct flow buf;
            const struct flow *f = report_flow_data(r, rf, &buf);
            struct report_app app;
            const char *alias, *service = report_flow_service(r, rf, f, &alias);

            if (!report_flow_app(r, rf, f, service, &app) || !app.mismatch)
                continue;
            if (pass == 0)
                n++;
            else
                fprintf(out, "  flow %" PRIu32 ": %s\n", rf->id, app.mismatch_text);
        }
        if (n == 0)
            return;
        if (pass == 0)
            fprintf(out, "\nPort mismatches (%zu)\n", n);
    }
}

void output_text_flow_notes(const struct report *r, size_t rows, FILE *out)
{
    print_flow_details(r, rows, out);
    print_mismatches(r, rows, out);
}

/* The flow table: the view's rows (report_shown()), then their notes. */
static int print_flows(const struct report *r, bool color, bool any, FILE *out)
{
    const struct table flows = {
        {OUTPUT_FLOW_HEADERS},
        {true, false, false, false, false, false, false, true, true, true, false, false},
        OUTPUT_FLOW_COLS,
        r->n_shown,
        flow_row,
    };
    const struct port_range *eph = &r->settings.ephemeral;
    char what[PS_ERRBUF_SIZE * 2];

    flows_title(r, r->n_shown, what, sizeof(what));
    fprintf(out, "%s%s%s%s\n", any ? "\n" : "", bold(color), what, plain(color));
    if (r->n_shown > 0 && print_table(r, &flows, color, out) != 0)
        return -1;
    print_flow_details(r, r->n_shown, out);
    if (r->n_flows > 0) {
        if (port_range_is_auto(eph))
            fputs("  EPH * = client port inside its host's ephemeral range in force (auto: the "
                  "range its ports fit, named under IN RANGE)\n",
                  out);
        else
            fprintf(out, "  EPH * = client port inside the ephemeral range in force (%s%s%u-%u)\n",
                    eph->name ? eph->name : "", eph->name ? " " : "", (unsigned)eph->lo,
                    (unsigned)eph->hi);
        fprintf(out, "  APP = what the first payload bytes show (TLS: and the server name); "
                     "! = not what the port's service speaks\n");
    }
    print_mismatches(r, r->n_shown, out);
    return 0;
}

static int print_services(const struct report *r, bool color, bool any, FILE *out)
{
    const struct table services = {
        {OUTPUT_SERVICE_HEADERS},  {true, false, false, false, true, true, true, true},
        OUTPUT_SERVICE_COLS,       r->n_services,
        output_text_service_cells,
    };

    fprintf(out, "%s%sServices (%zu)%s\n", any ? "\n" : "", bold(color), r->n_services,
            plain(color));
    if (r->n_services > 0 && print_table(r, &services, color, out) != 0)
        return -1;
    print_service_notes(r, out);
    return 0;
}

/* Under the table, a line for each host that wrapped around its range or used a port again. */
static void print_client_notes(const struct report *r, const struct report_client *c, FILE *out)
{
    const struct report_port_choice *ch = &c->choice;
    char addr[64], from[48], to[48];

    if (ch->wraps == 0 && ch->reused_other_server == 0 && ch->reused_same_server == 0)
        return;
    report_format_addr(c->family, c->addr, addr, sizeof(addr));
    if (ch->wraps != 0)
        fprintf(out, "  %s wrapped %" PRIu32 " time%s: reached %u at %s, next port %u at %s\n",
                addr, ch->wraps, ch->wraps == 1 ? "" : "s", (unsigned)ch->more->wrap_from,
                report_format_time(ch->more->wrap_from_seen, r->nanosecond, from, sizeof(from)),
                (unsigned)ch->more->wrap_to,
                report_format_time(ch->more->wrap_to_seen, r->nanosecond, to, sizeof(to)));
    if (ch->reused_other_server != 0 || ch->reused_same_server != 0)
        fprintf(out,
                "  %s used ports again: %" PRIu32 " for another server, %" PRIu32
                " for the same server after the connection before\n",
                addr, ch->reused_other_server, ch->reused_same_server);
}

static int print_clients(const struct report *r, bool color, bool any, FILE *out)
{
    const struct table clients = {
        {OUTPUT_CLIENT_HEADERS},  {false, true, true, true, true, true, false, false, false, false},
        OUTPUT_CLIENT_COLS,       r->n_clients,
        output_text_client_cells,
    };

    fprintf(out, "%s%sClient ports by host (%zu)%s\n", any ? "\n" : "", bold(color), r->n_clients,
            plain(color));
    if (r->n_clients > 0 && print_table(r, &clients, color, out) != 0)
        return -1;
    if (r->n_clients > 0)
        fprintf(
            out,
            "  EPHEMERAL RANGES = OS ranges that hold every client port of the host\n"
            "  PATTERN = how the ports went on in order of use (steps up by at most %d/steps)\n"
            "  LIKELY RANGE = the narrowest range that holds the most of them (ports in it/all)\n"
            "  OS HINT = a guess from the initial TTL and the ports, not a fact\n",
            REPORT_PORTS_STEP_MAX);
    for (size_t i = 0; i < r->n_clients; i++)
        print_client_notes(r, &r->clients[i], out);
    return 0;
}

/* Writes `text` wrapped to WRAP_WIDTH columns: the first line after `lead`, the others after
 * `indent` spaces. */
#define WRAP_WIDTH 78
static void print_wrapped(const char *text, const char *lead, size_t indent, FILE *out)
{
    size_t col = strlen(lead);

    fputs(lead, out);
    for (const char *p = text; *p != '\0';) {
        size_t word = strcspn(p, " ");

        if (col > indent && col + 1 + word > WRAP_WIDTH) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, word, out);
        col += word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

/* --explain: the same report in plain sentences, after the tables. */
static int print_explanation(const struct report *r, bool color, bool any, FILE *out)
{
    struct output_explanation e;

    if (output_explain_build(r, &e) != 0)
        return -1;
    fprintf(out, "%s%sIn plain words%s\n", any ? "\n" : "", bold(color), plain(color));
    for (size_t i = 0; i < e.n; i++) {
        if (!e.paras[i].item && i > 0)
            fputc('\n', out);
        print_wrapped(e.paras[i].text, e.paras[i].item ? "  - " : "  ", e.paras[i].item ? 4 : 2,
                      out);
    }
    output_explain_release(&e);
    return ferror(out) ? -1 : 0;
}

int output_text_write(const struct report *r, const struct output_text_style *style, FILE *out)
{
    bool color = style->color, any = false;

    if (style->sections & OUTPUT_SECTION_SUMMARY) {
        print_header(r, color, out);
        any = true;
    }
    if (style->sections & OUTPUT_SECTION_FLOWS) {
        if (print_flows(r, color, any, out) != 0)
            return -1;
        any = true;
    }
    if (style->sections & OUTPUT_SECTION_SERVICES) {
        if (print_services(r, color, any, out) != 0)
            return -1;
        any = true;
    }
    if (style->sections & OUTPUT_SECTION_CLIENTS) {
        if (print_clients(r, color, any, out) != 0)
            return -1;
        any = true;
    }
    if (style->sections & OUTPUT_SECTION_EXPLAIN) {
        if (print_explanation(r, color, any, out) != 0)
            return -1;
        any = true;
    }
    if (r->n_expectations > 0)
        print_expectations(r, any, color, out);
    return ferror(out) ? -1 : 0;
}

int output_text_snapshot(const struct analyze_input *in, const struct analyze_totals *t,
                         const struct flow_table *table, uint64_t elapsed_ms,
                         const struct capture_stats *stats, FILE *out)
{
    size_t n = flow_table_count(table);
    size_t tcp = flow_table_count_class(table, FLOW_CLASS_TCP);
    size_t udp = flow_table_count_class(table, FLOW_CLASS_UDP);
    uint64_t skipped = 0;

    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        skipped += t->skipped_packets[i];
    fprintf(out,
            "[%" PRIu64 ".%01" PRIu64 " s] %s: %" PRIu64 " packets (%" PRIu64
            " bytes) in %zu flows: %zu tcp, %zu udp, %zu other; %" PRIu64 " skipped",
            elapsed_ms / 1000, elapsed_ms % 1000 / 100, in->path, t->packets, t->bytes, n, tcp, udp,
            n - tcp - udp, skipped);
    if (stats != NULL)
        fprintf(out, "; kernel: %" PRIu64 " received, %" PRIu64 " dropped", stats->received,
                stats->dropped);
    fputc('\n', out);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
