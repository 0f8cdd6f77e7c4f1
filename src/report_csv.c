/*
 * report_csv.c - the flows as CSV (RFC 4180) for a spreadsheet: a header row, then one row per
 * flow with the JSON report's flow fields flattened (client.ip becomes client_ip). Empty fields
 * stand for JSON's null; lists are joined by spaces. Rows follow --sort and --top.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const columns[] = {
    "id",
    "proto",
    "ip_version",
    "client_ip",
    "client_port",
    "client_port_class",
    "client_ephemeral",
    "client_in_ephemeral_range",
    "server_ip",
    "server_port",
    "server_port_class",
    "server_service",
    "server_service_alias",
    "role_reason",
    "conn_state",
    "first_seen",
    "last_seen",
    "duration",
    "packets_c2s",
    "packets_s2c",
    "bytes_c2s",
    "bytes_s2c",
    "encap",
    "icmp_kind",
    "icmp_id",
    "icmp_type",
    "icmp_code",
    "icmp_name",
    "icmp_errors",
    "start_reason",
    "follows",
    "ip_bytes_c2s",
    "ip_bytes_s2c",
    "payload_bytes_c2s",
    "payload_bytes_s2c",
    "tcp_history",
    "retransmissions_c2s",
    "retransmissions_s2c",
    "rtt_client",
    "rtt_server",
    "quality",
};

#define N_COLUMNS (sizeof(columns) / sizeof(columns[0]))
#define CELL      256

int report_csv_field(FILE *out, const char *s)
{
    if (s == NULL)
        return 0;
    if (strpbrk(s, ",\"\r\n") == NULL)
        return fputs(s, out) == EOF ? -1 : 0;
    if (fputc('"', out) == EOF)
        return -1;
    for (; *s != '\0'; s++) {
        if (*s == '"' && fputc('"', out) == EOF)
            return -1;
        if (fputc(*s, out) == EOF)
            return -1;
    }
    return fputc('"', out) == EOF ? -1 : 0;
}

/* Appends `word` to a space-separated list in buf. */
static void add_word(char *buf, size_t len, const char *word)
{
    size_t used = strlen(buf);

    snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
}

static void endpoint_cells(const struct report *r, const struct report_flow *rf,
                           const struct flow *f, bool client, char cells[][CELL])
{
    uint8_t e = client ? rf->client : !rf->client;
    bool ports = report_proto_has_ports(f->key.proto);

    report_format_addr(f->key.family, f->key.addr[e], cells[0], CELL);
    snprintf(cells[1], CELL, "%u", ports ? (unsigned)f->key.port[e] : 0);
    snprintf(cells[2], CELL, "%s", ports ? ports_class_name(ports_class(f->key.port[e])) : "");
    if (client) {
        for (size_t i = 0; i < ports_ephemeral_profile_count; i++)
            if (rf->client_ephemeral & (1u << i))
                add_word(cells[3], CELL, ports_ephemeral_profiles[i].name);
        snprintf(cells[4], CELL, "%s",
                 ports && port_range_contains(&r->settings.ephemeral, f->key.port[e]) ? "true"
                                                                                      : "false");
    } else {
        const char *alias, *service = report_flow_service(r, rf, f, &alias);

        snprintf(cells[3], CELL, "%s", service != NULL ? service : "");
        snprintf(cells[4], CELL, "%s", alias != NULL ? alias : "");
    }
}

static void icmp_cells(const struct report *r, const struct flow *f, char cells[][CELL])
{
    bool icmp = f->key.proto == PS_IPPROTO_ICMP || f->key.proto == PS_IPPROTO_ICMPV6;
    uint16_t v = f->key.port[0] | f->key.port[1];
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);

    if (icmp && scope == PKT_SCOPE_ECHO) {
        snprintf(cells[0], CELL, "echo");
        snprintf(cells[1], CELL, "%u", (unsigned)v);
    } else if (icmp && scope == PKT_SCOPE_ICMP_OTHER) {
        const char *name = report_icmp_name(f->key.family, (uint8_t)(v >> 8), (uint8_t)(v & 0xff));

        snprintf(cells[0], CELL, "message");
        snprintf(cells[2], CELL, "%u", (unsigned)(v >> 8));
        snprintf(cells[3], CELL, "%u", (unsigned)(v & 0xff));
        snprintf(cells[4], CELL, "%s", name != NULL ? name : "");
    }
    for (uint32_t ref = f->icmp_errors; ref != 0;) {
        const struct flow_icmp_error *e = flow_table_icmp_error(r->table, ref);
        const char *name = report_icmp_name(e->family, e->type, e->code);
        char word[64];

        if (name != NULL)
            snprintf(word, sizeof(word), "%s=%" PRIu64, name, e->packets);
        else
            snprintf(word, sizeof(word), "type%ucode%u=%" PRIu64, (unsigned)e->type,
                     (unsigned)e->code, e->packets);
        add_word(cells[5], CELL, word);
        ref = e->next;
    }
}

/* Seconds between two handshake packets, when both were seen. */
static void rtt_cell(const struct flow_tcp *t, uint8_t from_bit, ps_time from, uint8_t to_bit,
                     ps_time to, bool nanosecond, char *cell)
{
    uint64_t ns;

    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        return;
    ns = (uint64_t)to - (uint64_t)from;
    if (nanosecond)
        snprintf(cell, CELL, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
    else
        snprintf(cell, CELL, "%" PRIu64 ".%06" PRIu64, ns / 1000000000, ns % 1000000000 / 1000);
}

/* The columns of the flow's lifecycle, byte counters, TCP state and capture quality. */
static void lifecycle_cells(const struct report *r, const struct report_flow *rf,
                            const struct flow *f, char cells[][CELL])
{
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    const char *quality[REPORT_QUALITY_MAX];
    size_t n;

    snprintf(cells[0], CELL, "%s", flow_start_name((enum flow_start)f->start));
    if (rf->follows != 0)
        snprintf(cells[1], CELL, "%" PRIu32, rf->follows);
    snprintf(cells[2], CELL, "%" PRIu64, f->ip_bytes[c]);
    snprintf(cells[3], CELL, "%" PRIu64, f->ip_bytes[s]);
    snprintf(cells[4], CELL, "%" PRIu64, f->payload_bytes[c]);
    snprintf(cells[5], CELL, "%" PRIu64, f->payload_bytes[s]);
    if (f->key.proto == PS_IPPROTO_TCP) {
        flow_tcp_history(f, c, cells[6], CELL);
        snprintf(cells[7], CELL, "%" PRIu32, t->retrans[c]);
        snprintf(cells[8], CELL, "%" PRIu32, t->retrans[s]);
        rtt_cell(t, FLOW_TCP_HAVE_SYN, t->syn_at, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at,
                 r->nanosecond, cells[9]);
        rtt_cell(t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at, FLOW_TCP_HAVE_ACK, t->ack_at,
                 r->nanosecond, cells[10]);
    }
    n = report_flow_quality(f, quality);
    for (size_t i = 0; i < n; i++)
        add_word(cells[11], CELL, quality[i]);
}

static void flow_cells(const struct report *r, const struct report_flow *rf, const struct flow *f,
                       char cells[][CELL])
{
    const char *state = report_conn_state_name(rf->conn_state);
    const char *proto = report_proto_name(f->key.proto);
    uint64_t ns = (uint64_t)f->last_seen - (uint64_t)f->first_seen;
    uint8_t c = rf->client, s = !rf->client;
    const struct encap *hops;
    size_t n_hops;

    memset(cells, 0, N_COLUMNS * CELL);
    snprintf(cells[0], CELL, "%" PRIu32, rf->id);
    if (proto != NULL)
        snprintf(cells[1], CELL, "%s", proto);
    else
        snprintf(cells[1], CELL, "%u", (unsigned)f->key.proto);
    snprintf(cells[2], CELL, "%u", (unsigned)f->key.family);
    endpoint_cells(r, rf, f, true, cells + 3);
    endpoint_cells(r, rf, f, false, cells + 8);
    snprintf(cells[13], CELL, "%s", report_role_reason_name(rf->reason, f->key.proto));
    snprintf(cells[14], CELL, "%s", state != NULL ? state : "");
    report_format_time(f->first_seen, r->nanosecond, cells[15], CELL);
    report_format_time(f->last_seen, r->nanosecond, cells[16], CELL);
    /* As precise as the captures, as in the JSON report. */
    if (r->nanosecond)
        snprintf(cells[17], CELL, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
    else
        snprintf(cells[17], CELL, "%" PRIu64 ".%06" PRIu64, ns / 1000000000,
                 ns % 1000000000 / 1000);
    snprintf(cells[18], CELL, "%" PRIu64, f->packets[c]);
    snprintf(cells[19], CELL, "%" PRIu64, f->packets[s]);
    snprintf(cells[20], CELL, "%" PRIu64, f->bytes[c]);
    snprintf(cells[21], CELL, "%" PRIu64, f->bytes[s]);
    hops = flow_table_path(r->table, f->path_id, &n_hops);
    for (size_t i = 0; i < n_hops; i++) {
        char word[32];

        add_word(cells[22], CELL, report_format_encap(&hops[i], word, sizeof(word)));
    }
    icmp_cells(r, f, cells + 23);
    lifecycle_cells(r, rf, f, cells + 29);
}

static int write_row(FILE *out, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && fputc(',', out) == EOF)
            return -1;
        if (report_csv_field(out, fields[i]) != 0)
            return -1;
    }
    return fputs("\r\n", out) == EOF ? -1 : 0;
}

int report_write_csv(const struct report *r, FILE *out)
{
    char(*cells)[CELL] = malloc(N_COLUMNS * CELL);
    const char *fields[N_COLUMNS];
    size_t *order, n;
    int rc;

    order = select_order(r, r->style.sort, r->style.top, &n);
    if (cells == NULL || order == NULL) {
        free(cells);
        free(order);
        return -1;
    }
    rc = write_row(out, columns, N_COLUMNS);
    for (size_t i = 0; i < N_COLUMNS; i++)
        fields[i] = cells[i];
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct report_flow *rf = &r->flows[order[i]];
        struct flow buf;

        flow_cells(r, rf, report_flow_data(r, rf, &buf), cells);
        rc = write_row(out, fields, N_COLUMNS);
    }
    free(cells);
    free(order);
    return rc == 0 && !ferror(out) ? 0 : -1;
}
