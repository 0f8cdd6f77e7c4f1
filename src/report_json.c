/*
 * report_json.c - the JSON report, schema version 1 (doc/json-schema-v1.json, doc/json-report.md).
 *
 * The document is written piece by piece: each flow's object is built, written and freed before
 * the next, so memory does not grow with the text of the report. The bytes are the same as
 * jansson would write for the whole tree with JSON_INDENT(2) (a unit test holds us to that).
 */
#include <jansson.h>
#include <string.h>

#include "capture.h"
#include "config.h"
#include "report.h"

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Writes `v` (and releases it) as a value nested `depth` levels deep. */
static int emit(FILE *out, json_t *v, int depth)
{
    char *text;
    int rc = 0;

    if (v == NULL)
        return -1;
    text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL)
        return -1;
    for (const char *p = text; *p != '\0' && rc == 0; p++) {
        if (fputc(*p, out) == EOF)
            rc = -1;
        else if (*p == '\n' && fprintf(out, "%*s", depth * 2, "") < 0)
            rc = -1;
    }
    free(text);
    return rc;
}

static json_t *time_value(ps_time t, bool nanosecond)
{
    char buf[64];

    return json_string(report_format_time(t, nanosecond, buf, sizeof(buf)));
}

static json_t *addr_value(uint8_t family, const uint8_t *addr)
{
    char buf[64];

    return json_string(report_format_addr(family, addr, buf, sizeof(buf)));
}

static json_t *proto_value(uint8_t proto)
{
    const char *name = report_proto_name(proto);

    return name != NULL ? json_string(name) : json_integer(proto);
}

static json_t *nullable_string(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* Seconds, rounded to the precision the captures have. */
static json_t *duration_value(ps_time ns, bool nanosecond)
{
    if (!nanosecond)
        ns = ns / 1000 * 1000;
    return json_real((double)ns / 1e9);
}

static json_t *ephemeral_list(uint32_t mask)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < ports_ephemeral_profile_count; i++)
        if (mask & (1u << i))
            json_array_append_new(list, json_string(ports_ephemeral_profiles[i].name));
    return list;
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

static json_t *settings_value(const struct report *r)
{
    json_t *profiles = json_array();

    for (size_t i = 0; profiles != NULL && i < ports_ephemeral_profile_count; i++)
        json_array_append_new(profiles, range_value(&ports_ephemeral_profiles[i]));
    return json_pack("{s:o, s:o}", "ephemeral_range", range_value(&r->settings.ephemeral),
                     "ephemeral_profiles", profiles);
}

static json_t *input_value(const struct report *r, const struct report_input *in)
{
    json_t *linktypes = json_array();
    bool seen = in->packets > 0;

    for (size_t i = 0; linktypes != NULL && i < in->n_linktypes; i++)
        json_array_append_new(linktypes, json_string(capture_linktype_name(in->linktypes[i])));
    return json_pack("{s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:b, s:o}", "path", in->path, "format",
                     nullable_string(in->format), "link_types", linktypes, "packets",
                     (json_int_t)in->packets, "bytes", (json_int_t)in->bytes, "first_seen",
                     seen ? time_value(in->first_seen, r->nanosecond) : json_null(), "last_seen",
                     seen ? time_value(in->last_seen, r->nanosecond) : json_null(), "complete",
                     in->complete, "error", nullable_string(in->error[0] ? in->error : NULL));
}

static json_t *counts_by_reason(const uint64_t *counts)
{
    json_t *o = json_object();

    for (int i = PS_SKIP_NONE + 1; o != NULL && i < PS_SKIP__COUNT; i++)
        json_object_set_new(o, ps_skip_name((enum ps_skip)i), json_integer((json_int_t)counts[i]));
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
    return json_pack("{s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:o, s:o}}",
                     "packets", (json_int_t)t->packets, "bytes", (json_int_t)t->bytes, "in_flows",
                     "packets", (json_int_t)t->flow_packets, "bytes", (json_int_t)t->flow_bytes,
                     "flows", "total", (json_int_t)r->n_flows, "tcp", (json_int_t)r->flows_tcp,
                     "udp", (json_int_t)r->flows_udp, "other", (json_int_t)r->flows_other,
                     "skipped", "packets", (json_int_t)skipped_packets, "bytes",
                     (json_int_t)skipped_bytes, "reasons", counts_by_reason(t->skipped_packets),
                     "reason_bytes", counts_by_reason(t->skipped_bytes));
}

static json_t *encap_list(const struct report *r, const struct flow *f)
{
    json_t *list = json_array();
    size_t len;
    const struct encap *hops = flow_table_path(r->table, f->path_id, &len);

    for (size_t i = 0; list != NULL && i < len; i++) {
        char buf[32];

        snprintf(buf, sizeof(buf), "vlan:%u", (unsigned)hops[i].id);
        json_array_append_new(list, json_string(buf));
    }
    return list;
}

static json_t *flow_value(const struct report *r, const struct report_flow *rf, size_t id)
{
    const struct flow *f = rf->flow;
    uint8_t c = rf->client, s = !rf->client;
    bool ports = report_proto_has_ports(f->key.proto);
    json_t *client, *server;

    client =
        json_pack("{s:o, s:i, s:o, s:o, s:b}", "ip", addr_value(f->key.family, f->key.addr[c]),
                  "port", (int)f->key.port[c], "port_class",
                  ports ? json_string(ports_class_name(ports_class(f->key.port[c]))) : json_null(),
                  "ephemeral", ephemeral_list(rf->client_ephemeral), "in_ephemeral_range",
                  ports && port_range_contains(&r->settings.ephemeral, f->key.port[c]));
    server = json_pack(
        "{s:o, s:i, s:o, s:o, s:o}", "ip", addr_value(f->key.family, f->key.addr[s]), "port",
        (int)f->key.port[s], "port_class",
        ports ? json_string(ports_class_name(ports_class(f->key.port[s]))) : json_null(), "service",
        nullable_string(rf->service), "service_alias", nullable_string(rf->service_alias));
    return json_pack(
        "{s:I, s:o, s:i, s:o, s:o, s:s, s:o, s:o, s:o, s:{s:I, s:I}, s:{s:I, s:I}, "
        "s:o}",
        "id", (json_int_t)id, "proto", proto_value(f->key.proto), "ip_version", (int)f->key.family,
        "client", client, "server", server, "role_reason", report_role_reason_name(rf->reason),
        "first_seen", time_value(f->first_seen, r->nanosecond), "last_seen",
        time_value(f->last_seen, r->nanosecond), "duration",
        duration_value(f->last_seen - f->first_seen, r->nanosecond), "packets", "c2s",
        (json_int_t)f->packets[c], "s2c", (json_int_t)f->packets[s], "bytes", "c2s",
        (json_int_t)f->bytes[c], "s2c", (json_int_t)f->bytes[s], "encap", encap_list(r, f));
}

static json_t *service_value(const struct report_service *s)
{
    return json_pack("{s:i, s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "port", (int)s->port, "proto",
                     proto_value(s->proto), "service", nullable_string(s->service), "service_alias",
                     nullable_string(s->service_alias), "flows", (json_int_t)s->flows, "packets",
                     (json_int_t)s->packets, "bytes", (json_int_t)s->bytes, "clients",
                     (json_int_t)s->clients);
}

static json_t *client_value(const struct report_client *c)
{
    return json_pack("{s:o, s:I, s:I, s:i, s:i, s:o, s:I}", "ip", addr_value(c->family, c->addr),
                     "flows", (json_int_t)c->flows, "ports", (json_int_t)c->ports, "port_lo",
                     (int)c->port_lo, "port_hi", (int)c->port_hi, "ephemeral",
                     ephemeral_list(c->ephemeral_all), "in_ephemeral_range",
                     (json_int_t)c->in_range);
}

/* Writes `"key": ` at the top level; `first` says whether a comma must come before it. */
static int emit_key(FILE *out, const char *key, bool first)
{
    return fprintf(out, "%s  \"%s\": ", first ? "" : ",\n", key) < 0 ? -1 : 0;
}

enum array_kind { ARRAY_INPUTS, ARRAY_FLOWS, ARRAY_SERVICES, ARRAY_CLIENTS };

static json_t *array_item(const struct report *r, enum array_kind kind, size_t i)
{
    switch (kind) {
    case ARRAY_INPUTS:
        return input_value(r, &r->inputs[i]);
    case ARRAY_FLOWS:
        return flow_value(r, &r->flows[i], i + 1);
    case ARRAY_SERVICES:
        return service_value(&r->services[i]);
    case ARRAY_CLIENTS:
        return client_value(&r->clients[i]);
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
    if (emit_key(out, "flows", false) != 0 || emit_array(out, r, ARRAY_FLOWS, r->n_flows) != 0)
        return -1;
    if (emit_key(out, "services", false) != 0 ||
        emit_array(out, r, ARRAY_SERVICES, r->n_services) != 0)
        return -1;
    if (emit_key(out, "clients", false) != 0 ||
        emit_array(out, r, ARRAY_CLIENTS, r->n_clients) != 0)
        return -1;
    return fputs("\n}\n", out) == EOF ? -1 : 0;
}
