/*
 * output_json.c - the JSON report, schema version 1 (doc/json-schema-v1.json, doc/json-report.md).
 *
 * The document is written piece by piece: each flow's object is built, written and freed before
 * the next, so memory does not grow with the text of the report. The bytes are the same as
 * jansson would write for the whole tree with JSON_INDENT(2) (a unit test holds us to that).
 *
 * Here: the values built with jansson (settings, inputs, summary, expectations; the jsonl stream's
 * lines have some of them too), and the document around the flows, services and client hosts
 * (output_json_flows.c, output_json_threads.c).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "base.h"
#include "output_int.h"

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Writes `v` (and releases it) as a value nested `depth` (at most 2) levels deep. */
static int emit(FILE *out, json_t *v, int depth)
{
    static const char spaces[] = "    ";
    char *text;
    int rc = 0;

    if (v == NULL)
        return -1;
    text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL)
        return -1;
    /* Line by line, each line after the first indented by the depth the value sits at. */
    for (const char *p = text; rc == 0;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

        if (fwrite(p, 1, len, out) != len ||
            (nl != NULL && fwrite(spaces, 1, (size_t)depth * 2, out) != (size_t)depth * 2))
            rc = -1;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    free(text);
    return rc;
}

static json_t *time_value(ps_time t, bool nanosecond)
{
    char buf[64];

    return json_string(report_format_time(t, nanosecond, buf, sizeof(buf)));
}

/*
 * A JSON string from bytes that need not be UTF-8 (a path, a name from a services file): bytes
 * that are not valid UTF-8 become U+FFFD, so the document stays valid and nothing is dropped.
 */
json_t *output_text_value(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), n = 0;
    char *clean;
    json_t *v;

    clean = malloc(len * 3 + 1);
    if (clean == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t seq = jw_utf8_sequence(u + i, len - i);

        if (seq == 0) {
            memcpy(clean + n, "\xef\xbf\xbd", 3);
            n += 3;
            i++;
        } else {
            memcpy(clean + n, s + i, seq);
            n += seq;
            i += seq;
        }
    }
    v = json_stringn(clean, n);
    free(clean);
    return v;
}

static json_t *nullable_string(const char *s)
{
    return s != NULL ? output_text_value(s) : json_null();
}

static json_t *range_value(const struct port_range *range)
{
    return json_pack("{s:o, s:i, s:i}", "name", nullable_string(range->name), "lo",
                     (json_int_t)range->lo, "hi", (json_int_t)range->hi);
}

json_t *output_generator_value(void)
{
    return json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION);
}

/* Seconds per protocol class, null where there is no timeout. */
static json_t *timeouts_value(const ps_time *per_class)
{
    json_t *o = json_object();

    for (int c = 0; o != NULL && c < FLOW_CLASSES; c++)
        json_object_set_new(o, flow_class_name((enum flow_class)c),
                            per_class[c] != 0 ? json_real((double)per_class[c] / 1e9)
                                              : json_null());
    return o;
}

static void add_lifecycle(json_t *settings, const struct report_settings *set)
{
    if (settings == NULL)
        return;
    json_object_set_new(settings, "profile", nullable_string(set->profile));
    json_object_set_new(settings, "idle_timeouts", timeouts_value(set->lifecycle.idle));
    json_object_set_new(settings, "active_timeouts", timeouts_value(set->lifecycle.active));
    json_object_set_new(settings, "tcp_close_delay",
                        set->lifecycle.tcp_close_delay != 0
                            ? json_real((double)set->lifecycle.tcp_close_delay / 1e9)
                            : json_null());
    json_object_set_new(settings, "syn_new_isn_starts_flow",
                        json_boolean(set->lifecycle.syn_new_isn));
}

/* settings.filter and settings.select, present only when given: reports without them stay as
 * they were. */
static void add_view_settings(json_t *settings, const struct report_settings *set)
{
    const struct report_select *s = set->select;
    json_t *services, *ports, *hosts;

    if (settings == NULL)
        return;
    if (set->filter != NULL)
        json_object_set_new(settings, "filter", output_text_value(set->filter));
    if (s == NULL || !report_select_active(s))
        return;
    services = json_array();
    ports = json_array();
    hosts = json_array();
    for (size_t i = 0; services != NULL && i < s->n_services; i++)
        json_array_append_new(services, output_text_value(s->services[i]));
    for (size_t i = 0; ports != NULL && i < s->n_ports; i++)
        json_array_append_new(ports, json_integer(s->ports[i]));
    for (size_t i = 0; hosts != NULL && i < s->n_hosts; i++)
        json_array_append_new(hosts, output_text_value(s->hosts[i].text));
    json_object_set_new(
        settings, "select",
        json_pack("{s:o, s:o, s:o}", "services", services, "ports", ports, "hosts", hosts));
}

static json_t *expectation_value(const struct report_expectation *e)
{
    return json_pack("{s:o, s:o, s:b, s:o}", "expression", output_text_value(e->expression),
                     "source", output_text_value(e->source), "holds", e->holds, "found",
                     output_text_value(e->found));
}

json_t *output_settings_value(const struct report *r)
{
    const struct report_settings *set = &r->settings;
    json_t *profiles = json_array();

    for (size_t i = 0; profiles != NULL && i < ports_ephemeral_profile_count; i++)
        json_array_append_new(profiles, range_value(&ports_ephemeral_profiles[i]));
    /* An automatic limit depends on the machine: null keeps the report the same everywhere. */
    json_t *o = json_pack(
        "{s:o, s:o, s:b, s:b, s:o, s:I}", "ephemeral_range", range_value(&set->ephemeral),
        "ephemeral_profiles", profiles, "decap", set->decap, "vlan_in_key", set->vlan_in_key,
        "max_flows", set->max_flows != 0 ? json_integer((json_int_t)set->max_flows) : json_null(),
        "max_fragments", (json_int_t)set->max_fragments);

    add_lifecycle(o, set);
    add_view_settings(o, set);
    return o;
}

json_t *output_input_value(const struct report *r, const struct analyze_input *in)
{
    json_t *linktypes = json_array();
    bool seen = in->packets > 0;

    for (size_t i = 0; linktypes != NULL && i < in->n_linktypes; i++)
        json_array_append_new(linktypes, json_string(linktype_name(in->linktypes[i])));
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:b, s:o}", "path", output_text_value(in->path),
        "format", nullable_string(in->format), "link_types", linktypes, "packets",
        (json_int_t)in->packets, "bytes", (json_int_t)in->bytes, "first_seen",
        seen ? time_value(in->first_seen, r->nanosecond) : json_null(), "last_seen",
        seen ? time_value(in->last_seen, r->nanosecond) : json_null(), "complete", in->complete,
        "error", nullable_string(in->error[0] ? in->error : NULL));

    if (o != NULL) {
        json_object_set_new(o, "timestamps_backwards", json_integer((json_int_t)in->ts_backwards));
        json_object_set_new(o, "duplicates", json_integer((json_int_t)in->duplicates));
    }
    if (o != NULL && r->settings.filter != NULL)
        json_object_set_new(o, "filtered",
                            json_pack("{s:I, s:I}", "packets", (json_int_t)in->filtered_packets,
                                      "bytes", (json_int_t)in->filtered_bytes));
    if (o != NULL && in->live)
        json_object_set_new(o, "capture_stats",
                            json_pack("{s:I, s:I, s:I}", "received", (json_int_t)in->received,
                                      "dropped", (json_int_t)in->dropped, "if_dropped",
                                      (json_int_t)in->if_dropped));
    return o;
}

static json_t *counts_by_reason(const uint64_t *counts)
{
    json_t *o = json_object();

    for (int i = PS_SKIP_NONE + 1; o != NULL && i < PS_SKIP__COUNT; i++)
        json_object_set_new(o, ps_skip_name((enum ps_skip)i), json_integer((json_int_t)counts[i]));
    return o;
}

static json_t *skipped_linktypes_value(const struct analyze_totals *t)
{
    json_t *o = json_object();

    for (size_t i = 0; o != NULL && i < t->n_skipped_linktypes; i++)
        json_object_set_new(o, linktype_name(t->skipped_linktypes[i].linktype),
                            json_integer((json_int_t)t->skipped_linktypes[i].packets));
    return o;
}

json_t *output_summary_value(const struct report *r)
{
    const struct analyze_totals *t = &r->totals;
    uint64_t skipped_packets = 0, skipped_bytes = 0;

    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
        skipped_packets += t->skipped_packets[i];
        skipped_bytes += t->skipped_bytes[i];
    }
    return json_pack("{s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, "
                     "s:{s:I, s:I, s:o, s:o, s:o}, s:{s:I}}",
                     "packets", (json_int_t)t->packets, "bytes", (json_int_t)t->bytes, "in_flows",
                     "packets", (json_int_t)t->flow_packets, "bytes", (json_int_t)t->flow_bytes,
                     "flows", "total", (json_int_t)r->n_flows_all, "tcp", (json_int_t)r->flows_tcp,
                     "udp", (json_int_t)r->flows_udp, "other", (json_int_t)r->flows_other,
                     "skipped", "packets", (json_int_t)skipped_packets, "bytes",
                     (json_int_t)skipped_bytes, "reasons", counts_by_reason(t->skipped_packets),
                     "reason_bytes", counts_by_reason(t->skipped_bytes), "link_types",
                     skipped_linktypes_value(t), "fragments", "evicted",
                     (json_int_t)t->fragments_evicted);
}

/* Writes `"key": ` at the top level; `first` says whether a comma must come before it. */
static int emit_key(FILE *out, const char *key, bool first)
{
    return fprintf(out, "%s  \"%s\": ", first ? "" : ",\n", key) < 0 ? -1 : 0;
}

enum array_kind { ARRAY_INPUTS, ARRAY_EXPECTATIONS };

static json_t *array_item(const struct report *r, enum array_kind kind, size_t i)
{
    switch (kind) {
    case ARRAY_INPUTS:
        return output_input_value(r, &r->inputs[i]);
    case ARRAY_EXPECTATIONS:
        return expectation_value(&r->expectations[i]);
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

int output_json_write_head(const struct report *r, FILE *out)
{
    if (fputs("{\n", out) == EOF)
        return -1;
    if (emit_key(out, "schema_version", true) != 0 ||
        emit(out, json_integer(OUTPUT_JSON_SCHEMA_VERSION), 1) != 0)
        return -1;
    if (emit_key(out, "generator", false) != 0 || emit(out, output_generator_value(), 1) != 0)
        return -1;
    if (emit_key(out, "settings", false) != 0 || emit(out, output_settings_value(r), 1) != 0)
        return -1;
    if (emit_key(out, "inputs", false) != 0 || emit_array(out, r, ARRAY_INPUTS, r->n_inputs) != 0)
        return -1;
    if (emit_key(out, "summary", false) != 0 || emit(out, output_summary_value(r), 1) != 0)
        return -1;
    return emit_key(out, "flows", false);
}

int output_json_write_flows(const struct report *r, FILE *out)
{
    return output_json_emit_table(out, r, OUTPUT_JSON_FLOWS);
}

int output_json_write_rest(const struct report *r, FILE *out)
{
    if (emit_key(out, "services", false) != 0 ||
        output_json_emit_table(out, r, OUTPUT_JSON_SERVICES) != 0)
        return -1;
    if (emit_key(out, "clients", false) != 0 ||
        output_json_emit_table(out, r, OUTPUT_JSON_CLIENTS) != 0)
        return -1;
    /* Only with --expect, so that other reports are unchanged. */
    if (r->expectations != NULL && (emit_key(out, "expectations", false) != 0 ||
                                    emit_array(out, r, ARRAY_EXPECTATIONS, r->n_expectations) != 0))
        return -1;
    return fputs("\n}\n", out) == EOF ? -1 : 0;
}

int output_json_write(const struct report *r, FILE *out)
{
    if (output_json_write_head(r, out) != 0 || output_json_write_flows(r, out) != 0)
        return -1;
    return output_json_write_rest(r, out);
}
