/*
 * output_csv.c - the flows as CSV (RFC 4180) for a spreadsheet: a header row, then one row per
 * flow with the JSON report's flow fields flattened (client.ip becomes client_ip). Empty fields
 * stand for JSON's null; lists are joined by spaces. The rows are the view's (report_shown()):
 * the selected flows in --sort order, cut to --top.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output_int.h"

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
    "app_protocol",
    "app_client",
    "app_server",
    "app_sni",
    "app_why",
    "app_mismatch",
    "community_id",
};

#define N_COLUMNS  (sizeof(columns) / sizeof(columns[0]))
#define CELL       256         /* room of a list's cell: words past it are left out */
#define OUT_BUFFER (64 * 1024) /* rows go out in blocks of this size */

/*
 * Rows are written cell by cell through the JSON writer's buffer and its primitives: a stdio call
 * and a snprintf() per cell cost five times what the JSON writer spends on a flow.
 */
struct csv_out {
    struct jw_writer w;
    bool row_open; /* a cell has been written on this row: the next one needs a comma */
};

/* Text of any length, a piece at a time (jw_put() takes no more than the buffer holds). */
static void csv_put(struct csv_out *o, const char *s, size_t len)
{
    while (len > 0) {
        size_t n = len < JW_STRING_PIECE ? len : JW_STRING_PIECE;

        jw_put(&o->w, s, n);
        s += n;
        len -= n;
    }
}

static void csv_cell_begin(struct csv_out *o)
{
    if (o->row_open)
        csv_put(o, ",", 1);
    o->row_open = true;
}

static void csv_row_end(struct csv_out *o)
{
    csv_put(o, "\r\n", 2);
    o->row_open = false;
}

/* Quoted, its quotes doubled, when it holds a comma, a quote or a line break; NULL is empty. */
static void csv_cell(struct csv_out *o, const char *s)
{
    const char *quote;

    csv_cell_begin(o);
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        csv_put(o, s, strlen(s));
        return;
    }
    csv_put(o, "\"", 1);
    while ((quote = strchr(s, '"')) != NULL) {
        csv_put(o, s, (size_t)(quote - s) + 1);
        csv_put(o, "\"", 1);
        s = quote + 1;
    }
    csv_put(o, s, strlen(s));
    csv_put(o, "\"", 1);
}

static void csv_empty(struct csv_out *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_cell_begin(o);
}

static void csv_uint(struct csv_out *o, uint64_t v)
{
    csv_cell_begin(o);
    o->w.p = jw_put_uint(jw_room(&o->w, 20), v);
}

/* Nanoseconds as seconds, as precise as the captures (as in the JSON report). */
static void csv_seconds(struct csv_out *o, uint64_t ns)
{
    csv_cell_begin(o);
    o->w.p = jw_put_seconds_text(jw_room(&o->w, 32), ns, o->w.nanosecond);
}

static void csv_time(struct csv_out *o, ps_time t)
{
    csv_cell_begin(o);
    o->w.p = jw_put_time_text(&o->w, jw_room(&o->w, 48), t);
}

static void csv_addr(struct csv_out *o, uint8_t family, const uint8_t *addr)
{
    csv_cell_begin(o);
    o->w.p = jw_put_addr_text(jw_room(&o->w, 46), family, addr);
}

static void csv_out_init(struct csv_out *o, FILE *out, char *buf, size_t size, bool nanosecond)
{
    jw_init(&o->w, out, buf, size, NULL, nanosecond);
    o->row_open = false;
}

int output_csv_field(FILE *out, const char *s)
{
    char buf[256];
    struct csv_out o;

    csv_out_init(&o, out, buf, sizeof(buf), false);
    csv_cell(&o, s);
    return jw_flush(&o.w);
}

/* Appends `word` to a space-separated list in buf, as much of it as fits. */
static void add_word(char *buf, size_t len, const char *word)
{
    size_t used = strlen(buf), n = strlen(word);

    if (used > 0 && used + 1 < len)
        buf[used++] = ' ';
    if (n > len - 1 - used)
        n = len - 1 - used;
    memcpy(buf + used, word, n);
    buf[used + n] = '\0';
}

static void endpoint_cells(struct csv_out *o, const struct report *r, const struct report_flow *rf,
                           const struct flow *f, bool client)
{
    uint8_t e = client ? rf->client : !rf->client;
    bool ports = ipproto_has_ports(f->key.proto);
    char text[CELL];

    csv_addr(o, f->key.family, f->key.addr[e]);
    csv_uint(o, ports ? f->key.port[e] : 0);
    csv_cell(o, ports ? ports_class_name(ports_class(f->key.port[e])) : NULL);
    if (client) {
        text[0] = '\0';
        for (size_t i = 0; i < ports_ephemeral_profile_count; i++)
            if (rf->client_ephemeral & (1u << i))
                add_word(text, sizeof(text), ports_ephemeral_profiles[i].name);
        csv_cell(o, text);
        csv_cell(o, rf->client_in_range ? "true" : "false");
    } else {
        const char *alias, *service = report_flow_service(r, rf, f, &alias);

        csv_cell(o, service);
        csv_cell(o, alias);
    }
}

static void icmp_cells(struct csv_out *o, const struct report *r, const struct flow *f)
{
    bool icmp = f->key.proto == PS_IPPROTO_ICMP || f->key.proto == PS_IPPROTO_ICMPV6;
    uint16_t v = f->key.port[0] | f->key.port[1];
    uint8_t scope = FLOW_KEY_SCOPE(&f->key);
    char errors[CELL] = "";

    if (icmp && scope == PKT_SCOPE_ECHO) {
        csv_cell(o, "echo");
        csv_uint(o, v);
        csv_empty(o, 3);
    } else if (icmp && scope == PKT_SCOPE_ICMP_OTHER) {
        csv_cell(o, "message");
        csv_empty(o, 1);
        csv_uint(o, v >> 8);
        csv_uint(o, v & 0xff);
        csv_cell(o, report_icmp_name(f->key.family, (uint8_t)(v >> 8), (uint8_t)(v & 0xff)));
    } else {
        csv_empty(o, 5);
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
        add_word(errors, sizeof(errors), word);
        ref = e->next;
    }
    csv_cell(o, errors);
}

/* Seconds between two handshake packets, when both were seen. */
static void rtt_cell(struct csv_out *o, const struct flow_tcp *t, uint8_t from_bit, ps_time from,
                     uint8_t to_bit, ps_time to)
{
    if (!(t->have & from_bit) || !(t->have & to_bit) || to < from)
        csv_empty(o, 1);
    else
        csv_seconds(o, (uint64_t)to - (uint64_t)from);
}

/* The columns of the flow's lifecycle, byte counters, TCP state and capture quality. */
static void lifecycle_cells(struct csv_out *o, const struct report_flow *rf, const struct flow *f)
{
    const struct flow_tcp *t = &f->tcp;
    uint8_t c = rf->client, s = !rf->client;
    const char *quality[REPORT_QUALITY_MAX];
    char text[CELL] = "";
    size_t n;

    csv_cell(o, flow_start_name((enum flow_start)f->start));
    if (rf->follows != 0)
        csv_uint(o, rf->follows);
    else
        csv_empty(o, 1);
    csv_uint(o, f->ip_bytes[c]);
    csv_uint(o, f->ip_bytes[s]);
    csv_uint(o, f->payload_bytes[c]);
    csv_uint(o, f->payload_bytes[s]);
    if (f->key.proto == PS_IPPROTO_TCP) {
        flow_tcp_history(f, c, text, sizeof(text));
        csv_cell(o, text);
        csv_uint(o, t->retrans[c]);
        csv_uint(o, t->retrans[s]);
        rtt_cell(o, t, FLOW_TCP_HAVE_SYN, t->syn_at, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at);
        rtt_cell(o, t, FLOW_TCP_HAVE_SYN_ACK, t->syn_ack_at, FLOW_TCP_HAVE_ACK, t->ack_at);
    } else {
        csv_empty(o, 5);
    }
    text[0] = '\0';
    n = report_flow_quality(f, quality);
    for (size_t i = 0; i < n; i++)
        add_word(text, sizeof(text), quality[i]);
    csv_cell(o, text);
}

/* What the first payload bytes showed (report_flow_app()); all empty when not TCP or UDP. */
static void app_cells(struct csv_out *o, const struct report *r, const struct report_flow *rf,
                      const struct flow *f)
{
    struct report_app app;
    const char *alias, *service = report_flow_service(r, rf, f, &alias);

    if (!report_flow_app(r, rf, f, service, &app)) {
        csv_empty(o, 6);
        return;
    }
    csv_cell(o, decode_app_name(app.proto));
    csv_cell(o, decode_app_name(app.client));
    csv_cell(o, decode_app_name(app.server));
    csv_cell(o, app.sni);
    csv_cell(o, app.why);
    csv_cell(o, app.mismatch ? app.mismatch_text : NULL);
}

static void flow_row(struct csv_out *o, const struct report *r, const struct report_flow *rf,
                     const struct flow *f)
{
    const char *proto = ipproto_name(f->key.proto);
    uint8_t c = rf->client, s = !rf->client;
    const struct encap *hops;
    size_t n_hops;
    char encap[CELL] = "", cid[REPORT_COMMUNITY_ID_LEN];

    csv_uint(o, rf->id);
    if (proto != NULL)
        csv_cell(o, proto);
    else
        csv_uint(o, f->key.proto);
    csv_uint(o, f->key.family);
    endpoint_cells(o, r, rf, f, true);
    endpoint_cells(o, r, rf, f, false);
    csv_cell(o, report_role_reason_name(rf->reason, f->key.proto));
    csv_cell(o, flow_tcp_conn_state_name(rf->conn_state));
    csv_time(o, f->first_seen);
    csv_time(o, f->last_seen);
    csv_seconds(o, (uint64_t)f->last_seen - (uint64_t)f->first_seen);
    csv_uint(o, f->packets[c]);
    csv_uint(o, f->packets[s]);
    csv_uint(o, f->bytes[c]);
    csv_uint(o, f->bytes[s]);
    hops = flow_table_path(r->table, f->path_id, &n_hops);
    for (size_t i = 0; i < n_hops; i++) {
        char word[32];

        add_word(encap, sizeof(encap), report_format_encap(&hops[i], word, sizeof(word)));
    }
    csv_cell(o, encap);
    icmp_cells(o, r, f);
    lifecycle_cells(o, rf, f);
    app_cells(o, r, rf, f);
    csv_cell(o, report_flow_community_id(f, r->settings.community_id_seed,
                                         r->settings.community_id_hex, cid));
    csv_row_end(o);
}

int output_csv_write(const struct report *r, FILE *out)
{
    char *buf = malloc(OUT_BUFFER);
    struct csv_out o;

    if (buf == NULL)
        return -1;
    csv_out_init(&o, out, buf, OUT_BUFFER, r->nanosecond);
    for (size_t i = 0; i < N_COLUMNS; i++)
        csv_cell(&o, columns[i]);
    csv_row_end(&o);
    for (size_t k = 0; !o.w.failed && k < r->n_shown; k++) {
        const struct report_flow *rf = report_shown(r, k);
        struct flow flow_buf;

        flow_row(&o, r, rf, report_flow_data(r, rf, &flow_buf));
    }
    jw_flush(&o.w);
    free(buf);
    return !o.w.failed && !ferror(out) ? 0 : -1;
}
