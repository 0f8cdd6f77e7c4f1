/*
 * output_zeek.c - the flows as Zeek's conn.log, in Zeek's TSV form (--format zeek: the header
 * lines, a tab between fields, "-" for unset, "(empty)" for an empty set) or its JSON form
 * (--format zeek-json: an object a line, unset fields left out), so that zeek-cut and the tools
 * that read Zeek's logs read portscope's flows. doc/zeek-conn-log.md says where each field comes
 * from and where its meaning differs from Zeek's.
 *
 * The header's #open and #close are the capture's first and last packet times, not the wall
 * clock, and each uid is a hash of the flow: the same capture gives the same bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output_int.h"

/* Zeek's conn.log columns (base/protocols/conn/main.zeek, with policy/protocols/conn/
 * community-id-logging.zeek's community_id) and their Zeek types, in Zeek's order. */
enum zeek_field {
    ZF_TS,
    ZF_UID,
    ZF_ORIG_H,
    ZF_ORIG_P,
    ZF_RESP_H,
    ZF_RESP_P,
    ZF_PROTO,
    ZF_SERVICE,
    ZF_DURATION,
    ZF_ORIG_BYTES,
    ZF_RESP_BYTES,
    ZF_CONN_STATE,
    ZF_LOCAL_ORIG,
    ZF_LOCAL_RESP,
    ZF_MISSED_BYTES,
    ZF_HISTORY,
    ZF_ORIG_PKTS,
    ZF_ORIG_IP_BYTES,
    ZF_RESP_PKTS,
    ZF_RESP_IP_BYTES,
    ZF_TUNNEL_PARENTS,
    ZF_COMMUNITY_ID,
    ZF__COUNT
};

static const struct {
    const char *name, *type;
} zeek_fields[ZF__COUNT] = {
    {"ts", "time"},
    {"uid", "string"},
    {"id.orig_h", "addr"},
    {"id.orig_p", "port"},
    {"id.resp_h", "addr"},
    {"id.resp_p", "port"},
    {"proto", "enum"},
    {"service", "string"},
    {"duration", "interval"},
    {"orig_bytes", "count"},
    {"resp_bytes", "count"},
    {"conn_state", "string"},
    {"local_orig", "bool"},
    {"local_resp", "bool"},
    {"missed_bytes", "count"},
    {"history", "string"},
    {"orig_pkts", "count"},
    {"orig_ip_bytes", "count"},
    {"resp_pkts", "count"},
    {"resp_ip_bytes", "count"},
    {"tunnel_parents", "set[string]"},
    {"community_id", "string"},
};

#define ZEEK_EMPTY_SET "(empty)"
#define ZEEK_UNSET     "-"
#define VALUE_LEN      64

/* One line's values as text; unset[] marks the fields Zeek would leave unset. */
struct zeek_row {
    char value[ZF__COUNT][VALUE_LEN];
    bool unset[ZF__COUNT];
};

/* Seconds since the epoch with microseconds, as Zeek writes time and interval. */
static void put_seconds(char *buf, ps_time t)
{
    int64_t us = t >= 0 ? (t + 500) / 1000 : (t - 500) / 1000;
    uint64_t mag = us < 0 ? (uint64_t)-us : (uint64_t)us;

    snprintf(buf, VALUE_LEN, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "", mag / 1000000,
             mag % 1000000);
}

static void put_count(struct zeek_row *row, enum zeek_field f, uint64_t v)
{
    snprintf(row->value[f], VALUE_LEN, "%" PRIu64, v);
}

/*
 * A uid as Zeek's look ("C" and base62 digits), but made from the flow rather than drawn at
 * random: the first 128 bits of the SHA-1 of its key, first packet time and report id.
 */
static void put_uid(char *buf, const struct report_flow *rf, const struct flow *f)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const struct flow_key *k = &f->key;
    uint8_t in[2 + 32 + 6 + 8 + 4], digest[PS_SHA1_LEN];
    uint16_t words[3] = {k->port[0], k->port[1], k->scope};
    char out[24];
    size_t n = sizeof(out) - 1, at = 0;

    /* Byte by byte, in network order: the same uid on any machine. */
    in[at++] = k->family;
    in[at++] = k->proto;
    memcpy(in + at, k->addr, 32);
    at += 32;
    for (int i = 0; i < 3; i++) {
        in[at++] = (uint8_t)(words[i] >> 8);
        in[at++] = (uint8_t)words[i];
    }
    for (int i = 0; i < 8; i++)
        in[at++] = (uint8_t)((uint64_t)f->first_seen >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        in[at++] = (uint8_t)(rf->id >> (24 - 8 * i));
    ps_sha1(in, sizeof(in), digest);
    out[n] = '\0';
    /* The low 17 base62 digits of the first 16 bytes (big-endian), as Zeek's 17 digits. */
    for (int k = 0; k < 17; k++) {
        unsigned rem = 0;

        for (int i = 0; i < 16; i++) {
            unsigned cur = rem << 8 | digest[i];

            digest[i] = (uint8_t)(cur / 62);
            rem = cur % 62;
        }
        out[--n] = digits[rem];
    }
    out[--n] = 'C';
    snprintf(buf, VALUE_LEN, "%s", out + n);
}

static bool is_icmp(uint8_t proto)
{
    return proto == 1 || proto == 58;
}

/* Zeek's transport_proto names: ICMPv6 is "icmp" too; what Zeek does not track, unknown. */
static const char *zeek_proto(uint8_t proto)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
    case 58:
        return "icmp";
    default:
        return "unknown_transport";
    }
}

/*
 * The ports: the key's, but for ICMP Zeek's type (originator) and code (responder). An echo
 * flow's key holds the identifier and the other ICMP flows' type << 8 | code (decode.h).
 */
static void put_ports(struct zeek_row *row, const struct report_flow *rf, const struct flow *f)
{
    uint16_t orig = f->key.port[rf->client], resp = f->key.port[!rf->client];

    if (is_icmp(f->key.proto)) {
        uint16_t msg = f->key.port[0] | f->key.port[1];

        if (FLOW_KEY_SCOPE(&f->key) == PKT_SCOPE_ECHO) {
            orig = f->key.proto == 1 ? 8 : 128;
            resp = 0;
        } else {
            orig = msg >> 8;
            resp = msg & 0xff;
        }
    }
    put_count(row, ZF_ORIG_P, orig);
    put_count(row, ZF_RESP_P, resp);
}

/*
 * conn_state: TCP's from the flow's TCP state; UDP's as Zeek's (S0, SF, SHR, OTH by which sides
 * sent UDP: an ICMP error joined to the flow counts its frame but no IP bytes); OTH otherwise.
 */
static const char *conn_state(const struct report_flow *rf, const struct flow *f)
{
    bool orig, resp;

    if (f->key.proto == 6)
        return flow_tcp_conn_state_name(rf->conn_state);
    if (f->key.proto != 17)
        return "OTH";
    orig = f->ip_bytes[rf->client] > 0;
    resp = f->ip_bytes[!rf->client] > 0;
    return orig ? (resp ? "SF" : "S0") : (resp ? "SHR" : "OTH");
}

/* history: TCP's letters; UDP's D and d, for data each way, in the order first sent. */
static void put_history(struct zeek_row *row, const struct report_flow *rf, const struct flow *f)
{
    char *h = row->value[ZF_HISTORY];
    uint8_t first = f->first_sender;

    if (f->key.proto == 6) {
        flow_tcp_history(f, rf->client, h, VALUE_LEN);
        row->unset[ZF_HISTORY] = h[0] == '\0';
        return;
    }
    if (f->key.proto != 17) {
        row->unset[ZF_HISTORY] = true;
        return;
    }
    for (int k = 0; k < 2; k++) {
        uint8_t e = k == 0 ? first : !first;

        if (f->payload_bytes[e] > 0)
            *h++ = e == rf->client ? 'D' : 'd';
    }
    *h = '\0';
    row->unset[ZF_HISTORY] = row->value[ZF_HISTORY][0] == '\0';
}

/* Zeek's tunnels (not VLAN, MPLS, PPPoE, which are links): the flow was carried in one. */
static bool tunnelled(const struct report *r, const struct flow *f)
{
    size_t n;
    const struct encap *hops = flow_table_path(r->table, f->path_id, &n);

    for (size_t i = 0; i < n; i++)
        if (hops[i].kind >= ENCAP_GRE && hops[i].kind <= ENCAP_VXLAN_GPE)
            return true;
    return false;
}

static void fill_row(struct zeek_row *row, const struct report *r, const struct report_flow *rf,
                     const struct flow *f)
{
    uint8_t c = rf->client, s = !rf->client;
    const char *alias, *service = report_flow_service(r, rf, f, &alias);
    bool lasted = f->last_seen > f->first_seen;

    memset(row->unset, 0, sizeof(row->unset));
    put_seconds(row->value[ZF_TS], f->first_seen);
    put_uid(row->value[ZF_UID], rf, f);
    report_format_addr(f->key.family, f->key.addr[c], row->value[ZF_ORIG_H], VALUE_LEN);
    report_format_addr(f->key.family, f->key.addr[s], row->value[ZF_RESP_H], VALUE_LEN);
    put_ports(row, rf, f);
    snprintf(row->value[ZF_PROTO], VALUE_LEN, "%s", zeek_proto(f->key.proto));
    /* The common name where there is one ("dns", not the registry's "domain"), as Zeek's. */
    if (alias != NULL)
        service = alias;
    row->unset[ZF_SERVICE] = service == NULL;
    snprintf(row->value[ZF_SERVICE], VALUE_LEN, "%s", service != NULL ? service : "");
    /* Zeek sets duration and the byte counts only for a connection that lasted. */
    put_seconds(row->value[ZF_DURATION], f->last_seen - f->first_seen);
    put_count(row, ZF_ORIG_BYTES, f->payload_bytes[c]);
    put_count(row, ZF_RESP_BYTES, f->payload_bytes[s]);
    row->unset[ZF_DURATION] = row->unset[ZF_ORIG_BYTES] = row->unset[ZF_RESP_BYTES] = !lasted;
    snprintf(row->value[ZF_CONN_STATE], VALUE_LEN, "%s", conn_state(rf, f));
    /* No local networks are configured, and portscope reassembles no stream to miss bytes in. */
    row->unset[ZF_LOCAL_ORIG] = row->unset[ZF_LOCAL_RESP] = row->unset[ZF_MISSED_BYTES] = true;
    put_history(row, rf, f);
    put_count(row, ZF_ORIG_PKTS, f->packets[c]);
    put_count(row, ZF_ORIG_IP_BYTES, f->ip_bytes[c]);
    put_count(row, ZF_RESP_PKTS, f->packets[s]);
    put_count(row, ZF_RESP_IP_BYTES, f->ip_bytes[s]);
    /* Tunnels are decoded, not kept as flows: there is no parent uid to name. */
    row->unset[ZF_TUNNEL_PARENTS] = !tunnelled(r, f);
    row->value[ZF_TUNNEL_PARENTS][0] = '\0';
    report_flow_community_id(f, r->settings.community_id_seed, r->settings.community_id_hex,
                             row->value[ZF_COMMUNITY_ID]);
}

/* A TSV value as Zeek escapes it: the separator, backslash and bytes not printable as \xNN. */
static void tsv_put(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\')
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

static void tsv_row(FILE *out, const struct zeek_row *row)
{
    for (int i = 0; i < ZF__COUNT; i++) {
        if (i > 0)
            fputc('\t', out);
        if (row->unset[i])
            fputs(ZEEK_UNSET, out);
        else if (i == ZF_TUNNEL_PARENTS)
            fputs(ZEEK_EMPTY_SET, out);
        else
            tsv_put(out, row->value[i]);
    }
    fputc('\n', out);
}

/* A JSON string's bytes: ASCII as it is, the rest escaped (values are ASCII but for names). */
static void json_put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Zeek's JSON log line: unset fields left out; numbers bare; a set an array. */
static void json_row(FILE *out, const struct zeek_row *row)
{
    bool first = true;

    fputc('{', out);
    for (int i = 0; i < ZF__COUNT; i++) {
        const char *type = zeek_fields[i].type;

        if (row->unset[i])
            continue;
        if (!first)
            fputc(',', out);
        first = false;
        json_put_string(out, zeek_fields[i].name);
        fputc(':', out);
        if (i == ZF_TUNNEL_PARENTS)
            fputs("[]", out);
        else if (strcmp(type, "string") == 0 || strcmp(type, "addr") == 0 ||
                 strcmp(type, "enum") == 0)
            json_put_string(out, row->value[i]);
        else
            fputs(row->value[i], out);
    }
    fputs("}\n", out);
}

/* #open and #close: Zeek's local-time stamp, here the capture's first or last packet in UTC. */
static void header_time(FILE *out, const char *tag, ps_time t)
{
    time_t secs = (time_t)(t / 1000000000);
    struct tm tm;
    char buf[32];

    gmtime_r(&secs, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tm);
    fprintf(out, "#%s\t%s\n", tag, buf);
}

static void tsv_header(FILE *out, ps_time open)
{
    fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t" ZEEK_EMPTY_SET
          "\n#unset_field\t" ZEEK_UNSET "\n#path\tconn\n",
          out);
    header_time(out, "open", open);
    fputs("#fields", out);
    for (int i = 0; i < ZF__COUNT; i++)
        fprintf(out, "\t%s", zeek_fields[i].name);
    fputs("\n#types", out);
    for (int i = 0; i < ZF__COUNT; i++)
        fprintf(out, "\t%s", zeek_fields[i].type);
    fputc('\n', out);
}

int output_zeek_write(const struct report *r, bool json, FILE *out)
{
    struct zeek_row row;
    ps_time first, last;

    report_time_span(r, &first, &last);
    if (!json)
        tsv_header(out, first);
    for (size_t k = 0; k < r->n_flows && !ferror(out); k++) {
        const struct report_flow *rf = &r->flows[k];
        struct flow flow_buf;

        fill_row(&row, r, rf, report_flow_data(r, rf, &flow_buf));
        if (json)
            json_row(out, &row);
        else
            tsv_row(out, &row);
    }
    if (!json)
        header_time(out, "close", last);
    return ferror(out) ? -1 : 0;
}
