/*
 * nat_output.c - the translation table written as text, a JSON document, jsonl lines or CSV
 * (doc/nat.md). Every format writes the same rows, in the same order, with the same names.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nat.h"
#include "nat_int.h"

#define NAT_REPORT_VERSION 1

/* "2026-12-07T04:40:01.123456Z" */
void nat_put_time(char *buf, size_t len, ps_time t)
{
    time_t secs = (time_t)(t / 1000000000);
    long usec = (long)(t % 1000000000) / 1000;
    struct tm tm;

    if (usec < 0) {
        usec += 1000000;
        secs--;
    }
    /* The date of the second before is most often this one's: a million rows, few seconds. */
    static _Thread_local time_t last = -1;
    static _Thread_local char date[32];
    if (secs != last) {
        gmtime_r(&secs, &tm);
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
        last = secs;
    }
    snprintf(buf, len, "%s.%06ldZ", date, usec);
}

void nat_put_addr(char *buf, size_t len, uint8_t family, const uint8_t *addr)
{
    if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
}

/* "10.0.0.2:40000", "[fd00::2]:80"; ICMP echo: the client with its identifier ("10.0.0.2 id
 * 7"), the server alone; protocols without ports: the address alone. */
static void put_endpoint(char *buf, size_t len, const struct nat_conn *c, bool client)
{
    char a[64];
    uint16_t port = client ? c->client_port : c->server_port;
    bool icmp = c->proto == PS_IPPROTO_ICMP || c->proto == PS_IPPROTO_ICMPV6;

    nat_put_addr(a, sizeof(a), c->family, client ? c->client_addr : c->server_addr);
    if (icmp && client)
        snprintf(buf, len, "%s id %u", a, port);
    else if (icmp || (c->proto != PS_IPPROTO_TCP && c->proto != PS_IPPROTO_UDP &&
                      c->proto != PS_IPPROTO_SCTP))
        snprintf(buf, len, "%s", a);
    else
        snprintf(buf, len, c->family == 6 ? "[%s]:%u" : "%s:%u", a, port);
}

static void put_evidence(char *buf, size_t len, uint8_t ev)
{
    size_t n = 0;

    buf[0] = '\0';
    for (unsigned b = 0; b < NAT_EV_COUNT; b++)
        if (ev & (1u << b))
            n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "+" : "",
                                  nat_evidence_name(b));
}

static const char *proto_name(uint8_t proto)
{
    const char *n = ipproto_name(proto);
    return n != NULL ? n : "other";
}

void nat_row_cells(const struct nat_side *in, const struct nat_side *out, const struct nat_row *row,
                   struct nat_cells *c)
{
    const struct nat_conn *a = row->inside != NAT_NONE ? &in->conns[row->inside] : NULL;
    const struct nat_conn *b = row->outside != NAT_NONE ? &out->conns[row->outside] : NULL;
    bool paired = row->status == NAT_PAIRED;

    memset(c, 0, sizeof(*c));
    snprintf(c->proto, sizeof(c->proto), "%s", proto_name(a != NULL ? a->proto : b->proto));
    if (a != NULL) {
        put_endpoint(c->in_client, sizeof(c->in_client), a, true);
        put_endpoint(c->in_server, sizeof(c->in_server), a, false);
        nat_put_time(c->in_first, sizeof(c->in_first), a->first_seen);
    }
    if (b != NULL) {
        put_endpoint(c->out_client, sizeof(c->out_client), b, true);
        put_endpoint(c->out_server, sizeof(c->out_server), b, false);
        nat_put_time(c->out_first, sizeof(c->out_first), b->first_seen);
    }
    put_evidence(c->evidence, sizeof(c->evidence), row->evidence);
    c->status = nat_status_name(row->status);
    c->kind = paired ? nat_kind_name(row->kind) : "";
    c->change = paired ? nat_change_name(row->change) : "";
    c->strength = paired ? nat_strength_name(row->strength) : "";
    c->reason = nat_reason_name(row->reason);
}

/* A row as one line of JSON, written directly: a million rows must not become a million
 * jansson trees. Every string in it is an address, a time or a name: nothing to escape. */
static void put_side_conn(FILE *out, const char *name, const struct nat_conn *c)
{
    char ca[64], sa[64], f[40], l[40];

    nat_put_addr(ca, sizeof(ca), c->family, c->client_addr);
    nat_put_addr(sa, sizeof(sa), c->family, c->server_addr);
    nat_put_time(f, sizeof(f), c->first_seen);
    nat_put_time(l, sizeof(l), c->last_seen);
    fprintf(out,
            ",\"%s\":{\"flow\":%u,\"client\":{\"addr\":\"%s\",\"port\":%u},\"server\":{\"addr\":"
            "\"%s\",\"port\":%u},\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"packets_c2s\":%llu,"
            "\"packets_s2c\":%llu}",
            name, c->flow_id + 1, ca, c->client_port, sa, c->server_port, f, l,
            (unsigned long long)c->packets[0], (unsigned long long)c->packets[1]);
}

static void put_row_json(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                         const struct nat_row *row, bool typed)
{
    struct nat_cells c;

    nat_row_cells(in, outs, row, &c);
    fprintf(out, "{%s\"status\":\"%s\",\"proto\":\"%s\"", typed ? "\"type\":\"connection\"," : "",
            c.status, c.proto);
    if (row->inside != NAT_NONE)
        put_side_conn(out, "inside", &in->conns[row->inside]);
    if (row->outside != NAT_NONE)
        put_side_conn(out, "outside", &outs->conns[row->outside]);
    if (row->status == NAT_PAIRED) {
        fprintf(out, ",\"kind\":\"%s\",\"change\":\"%s\",\"evidence\":[", c.kind, c.change);
        for (unsigned b = 0, n = 0; b < NAT_EV_COUNT; b++)
            if (row->evidence & (1u << b))
                fprintf(out, "%s\"%s\"", n++ ? "," : "", nat_evidence_name(b));
        fprintf(out, "],\"strength\":\"%s\"}", c.strength);
    } else if (row->status == NAT_AMBIGUOUS) {
        fprintf(out, ",\"reason\":\"%s\",\"candidates\":%u}", c.reason, row->candidates);
    } else {
        fprintf(out, ",\"reason\":\"%s\"}", c.reason);
    }
}

static json_t *side_json(const struct nat_side *s)
{
    json_t *files = json_array();
    char f[40] = "", l[40] = "";

    for (size_t i = 0; i < s->n_paths; i++)
        json_array_append_new(files, json_string(s->paths[i]));
    if (s->packets > 0) {
        nat_put_time(f, sizeof(f), s->first);
        nat_put_time(l, sizeof(l), s->last);
    }
    return json_pack("{s:o, s:I, s:I, s:I, s:s?, s:s?, s:b}", "files", files, "packets",
                     (json_int_t)s->packets, "packets_without_flow", (json_int_t)s->skipped,
                     "flows", (json_int_t)s->n_conns, "first_seen", s->packets ? f : NULL,
                     "last_seen", s->packets ? l : NULL, "complete", !s->incomplete);
}

static json_t *summary_json(const struct nat_result *r)
{
    json_t *pubs = json_array();

    for (size_t i = 0; i < r->n_publics; i++) {
        char a[64];
        nat_put_addr(a, sizeof(a), r->publics[i].family, r->publics[i].addr);
        json_array_append_new(pubs, json_pack("{s:s, s:I, s:I, s:I}", "addr", a, "inside_hosts",
                                              (json_int_t)r->publics[i].inside_hosts, "connections",
                                              (json_int_t)r->publics[i].connections, "forwards",
                                              (json_int_t)r->publics[i].forwards));
    }
    json_t *off =
        r->offset_known
            ? json_pack("{s:b, s:I, s:f, s:I}", "known", 1, "ns", (json_int_t)r->offset, "seconds",
                        (double)r->offset / 1e9, "pairs", (json_int_t)r->offset_samples)
            : json_pack("{s:b}", "known", 0);
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:{s:s, s:I, s:I}}", "clock_offset",
                     off, "paired", (json_int_t)r->count[NAT_PAIRED], "forwards",
                     (json_int_t)r->forwards, "ambiguous_inside", (json_int_t)r->ambiguous_inside,
                     "ambiguous_outside", (json_int_t)r->ambiguous_outside, "inside_only",
                     (json_int_t)r->count[NAT_INSIDE_ONLY], "outside_only",
                     (json_int_t)r->count[NAT_OUTSIDE_ONLY], "public_addresses", pubs,
                     "client_ports", "policy", nat_ports_name(r->ports), "preserved",
                     (json_int_t)r->ports_kept, "rewritten", (json_int_t)r->ports_rewritten);
}

static int write_json(FILE *out, bool explain, const struct nat_side *in,
                      const struct nat_side *outs, const struct nat_result *r)
{
    json_t *parts[4] = {side_json(in), side_json(outs), summary_json(r),
                        explain ? nat_explain_json(r) : json_null()};
    static const char *const names[4] = {"inside", "outside", "summary", "explain"};
    int rc = 0;

    fprintf(out, "{\n  \"version\": %d", NAT_REPORT_VERSION);
    for (int i = 0; i < 4; i++) {
        if (i == 3 && !explain)
            break;
        fprintf(out, ",\n  \"%s\": ", names[i]);
        if (parts[i] == NULL || json_dumpf(parts[i], out, JSON_COMPACT | JSON_REAL_PRECISION(15)))
            rc = -1;
    }
    for (int i = 0; i < 4; i++)
        json_decref(parts[i]);
    fprintf(out, ",\n  \"connections\": [");
    for (size_t i = 0; i < r->n_rows; i++) {
        fputs(i > 0 ? ",\n    " : "\n    ", out);
        put_row_json(out, in, outs, &r->rows[i], false);
    }
    fputs(r->n_rows > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
    return rc != 0 || ferror(out) ? -1 : 0;
}

static int write_jsonl(FILE *out, bool explain, const struct nat_side *in,
                       const struct nat_side *outs, const struct nat_result *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        put_row_json(out, in, outs, &r->rows[i], true);
        fputc('\n', out);
    }
    json_t *s =
        json_pack("{s:s, s:i, s:o, s:o, s:o}", "type", "summary", "version", NAT_REPORT_VERSION,
                  "inside", side_json(in), "outside", side_json(outs), "summary", summary_json(r));
    if (explain && s != NULL)
        json_object_set_new(s, "explain", nat_explain_json(r));
    int rc = s != NULL ? json_dumpf(s, out, JSON_COMPACT | JSON_REAL_PRECISION(15)) : -1;
    json_decref(s);
    return rc == 0 && fputc('\n', out) != EOF && !ferror(out) ? 0 : -1;
}

static int write_csv(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                     const struct nat_result *r)
{
    fputs("status,proto,kind,change,inside_client,inside_server,outside_client,outside_server,"
          "evidence,strength,reason,candidates,inside_first_seen,outside_first_seen,inside_flow,"
          "outside_flow\n",
          out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct nat_row *row = &r->rows[i];
        struct nat_cells c;

        nat_row_cells(in, outs, row, &c);
        fprintf(out, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,", c.status, c.proto, c.kind, c.change,
                c.in_client, c.in_server, c.out_client, c.out_server, c.evidence, c.strength,
                c.reason);
        if (row->status == NAT_AMBIGUOUS)
            fprintf(out, "%u", row->candidates);
        fprintf(out, ",%s,%s,", c.in_first, c.out_first);
        if (row->inside != NAT_NONE)
            fprintf(out, "%u", in->conns[row->inside].flow_id + 1);
        fputc(',', out);
        if (row->outside != NAT_NONE)
            fprintf(out, "%u", outs->conns[row->outside].flow_id + 1);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int nat_write(FILE *out, enum nat_format format, bool explain, const struct nat_side *inside,
              const struct nat_side *outside, const struct nat_result *r)
{
    switch (format) {
    case NAT_FORMAT_JSON:
        return write_json(out, explain, inside, outside, r);
    case NAT_FORMAT_JSONL:
        return write_jsonl(out, explain, inside, outside, r);
    case NAT_FORMAT_CSV:
        return write_csv(out, inside, outside, r);
    case NAT_FORMAT_HTML:
        return nat_write_html(out, inside, outside, r);
    default:
        return nat_write_text(out, explain, inside, outside, r);
    }
}
