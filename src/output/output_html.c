/*
 * output_html.c - the report as one HTML page (--format html, doc/html-report.md): the header and
 * totals, the explanation, the services as bars, the timeline and the client hosts' port plots
 * (output_html_svg.c, output_html_ports.c), and the flow table with the text report's columns.
 * Every picture has a table of its numbers beside it; every string is escaped
 * (output_html_escape()); the page's skeleton is output_html_page.c's. Large reports are cut to
 * the bounds of html_int.h, and the page says where.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "config.h"
#include "html_int.h"

#define esc output_html_escape

static const char *const palette[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
};

const char *html_service_colour(uint8_t proto, uint16_t port)
{
    /* By the port, not by the service's place in the list: the same colour in every report. */
    uint32_t h = ((uint32_t)port * 2654435761u) ^ proto;

    return palette[(h >> 7) % (sizeof(palette) / sizeof(palette[0]))];
}

static void put_inputs_title(const struct report *r, FILE *out)
{
    for (size_t i = 0; i < r->n_inputs; i++) {
        fputs(i ? ", " : "", out);
        esc(out, strcmp(r->inputs[i].path, "-") == 0 ? "(standard input)" : r->inputs[i].path);
    }
}

static void put_summary(const struct report *r, FILE *out)
{
    const struct analyze_totals *t = &r->totals;
    char size[32], when[2][64];
    ps_time first, last;
    uint64_t skipped = 0;

    fputs("<section id=\"summary\">\n<h2>Inputs</h2>\n<ul>\n", out);
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct analyze_input *in = &r->inputs[i];

        output_human_bytes(in->bytes, size, sizeof(size));
        fputs("<li>", out);
        esc(out, strcmp(in->path, "-") == 0 ? "(standard input)" : in->path);
        fputs(": ", out);
        esc(out, in->format ? in->format : "unreadable");
        for (size_t k = 0; k < in->n_linktypes; k++) {
            fputs(k ? ", " : ", link type ", out);
            esc(out, linktype_name(in->linktypes[k]));
        }
        fprintf(out, ", %" PRIu64 " packets, %s", in->packets, size);
        if (r->settings.filter != NULL)
            fprintf(out, ", %" PRIu64 " rejected by the filter", in->filtered_packets);
        fputs(in->complete ? "" : " <strong class=\"bad\">(incomplete)</strong>", out);
        if (in->error[0] != '\0') {
            fputs("<br>error: ", out);
            esc(out, in->error);
        }
        if (in->live)
            fprintf(out,
                    "<br>kernel: %" PRIu64 " packets received, %" PRIu64 " dropped, %" PRIu64
                    " dropped by the interface",
                    in->received, in->dropped, in->if_dropped);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
    if (r->settings.filter != NULL) {
        fputs("<p>Filter: <code>", out);
        esc(out, r->settings.filter);
        fputs("</code> (only the packets it accepts are analysed)</p>\n", out);
    }
    if (report_time_span(r, &first, &last))
        fprintf(out, "<p>Time span: %s to %s (%.3f s)</p>\n",
                report_format_time(first, r->nanosecond, when[0], sizeof(when[0])),
                report_format_time(last, r->nanosecond, when[1], sizeof(when[1])),
                (double)((uint64_t)last - (uint64_t)first) / 1e9);
    output_human_bytes(t->bytes, size, sizeof(size));
    fprintf(out,
            "<h2>Totals</h2>\n<table id=\"totals\">\n<tbody>\n"
            "<tr><th scope=\"row\">packets %s</th><td class=\"n\" data-v=\"%" PRIu64 "\">%" PRIu64
            " (%s)</td></tr>\n",
            r->settings.filter != NULL ? "analysed" : "read", t->packets, t->packets, size);
    output_human_bytes(t->flow_bytes, size, sizeof(size));
    fprintf(out,
            "<tr><th scope=\"row\">in flows</th><td class=\"n\">%" PRIu64
            " packets (%s)</td></tr>\n"
            "<tr><th scope=\"row\">flows</th><td class=\"n\" id=\"flowcount\">%zu</td></tr>\n"
            "<tr><th scope=\"row\">tcp, udp, other</th><td class=\"n\">%zu, %zu, %zu</td></tr>\n",
            t->flow_packets, size, r->n_flows_all, r->flows_tcp, r->flows_udp, r->flows_other);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++)
        skipped += t->skipped_packets[i];
    fprintf(out,
            "<tr><th scope=\"row\">skipped</th><td class=\"n\">%" PRIu64 " packets</td></tr>\n",
            skipped);
    for (int i = PS_SKIP_NONE + 1; i < PS_SKIP__COUNT; i++) {
        if (t->skipped_packets[i] == 0)
            continue;
        output_human_bytes(t->skipped_bytes[i], size, sizeof(size));
        fprintf(out,
                "<tr><th scope=\"row\">skipped: %s</th><td class=\"n\">%" PRIu64
                " packets (%s): %s</td></tr>\n",
                ps_skip_name((enum ps_skip)i), t->skipped_packets[i], size,
                ps_skip_description((enum ps_skip)i));
    }
    if (t->fragments_evicted != 0)
        fprintf(
            out,
            "<tr><th scope=\"row\">fragment table full (%zu datagrams)</th><td class=\"n\">%" PRIu64
            " forgotten early</td></tr>\n",
            t->fragment_capacity, t->fragments_evicted);
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static int put_explanation(const struct report *r, FILE *out)
{
    struct output_explanation e;
    bool in_list = false;

    if (output_explain_build(r, &e) != 0)
        return -1;
    fputs("<section id=\"explain\">\n<h2>In plain words</h2>\n", out);
    for (size_t i = 0; i < e.n; i++) {
        if (e.paras[i].item && !in_list)
            fputs("<ul>\n", out);
        else if (!e.paras[i].item && in_list)
            fputs("</ul>\n", out);
        in_list = e.paras[i].item;
        fputs(in_list ? "<li>" : "<p>", out);
        esc(out, e.paras[i].text);
        fputs(in_list ? "</li>\n" : "</p>\n", out);
    }
    fputs(in_list ? "</ul>\n</section>\n" : "</section>\n", out);
    output_explain_release(&e);
    return 0;
}

/* A table's head: `numeric` columns right-aligned. */
static void put_thead(FILE *out, const char *const *headers, const bool *numeric, size_t n)
{
    fputs("<thead><tr>", out);
    for (size_t c = 0; c < n; c++) {
        fputs(numeric[c] ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">", out);
        esc(out, headers[c]);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n", out);
}

static void put_cell(FILE *out, const char *text, bool numeric, const uint64_t *v)
{
    if (v != NULL)
        fprintf(out, "<td class=\"n\" data-v=\"%" PRIu64 "\">", *v);
    else
        fputs(numeric ? "<td class=\"n\">" : "<td>", out);
    esc(out, text);
    fputs("</td>", out);
}

/* One measure of every service as a bar: flows, packets or bytes. */
static void put_service_bars(const struct report *r, const size_t *pick, size_t n, int measure,
                             FILE *out)
{
    static const char *const names[] = {"flows", "packets", "bytes"};
    uint64_t most = 1;
    const int row = 18, label = 230, width = 460;

    for (size_t k = 0; k < n; k++) {
        const struct report_service *s = &r->services[pick[k]];
        uint64_t v = measure == 0 ? s->flows : measure == 1 ? s->packets : s->bytes;

        if (v > most)
            most = v;
    }
    fprintf(out,
            "<figure>\n<svg id=\"svc-%s\" viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" "
            "role=\"img\" aria-labelledby=\"svc-%s-cap\">\n",
            names[measure], label + width + 90, n * row + 4, label + width + 90, n * row + 4,
            names[measure]);
    for (size_t k = 0; k < n; k++) {
        const struct report_service *s = &r->services[pick[k]];
        uint64_t v = measure == 0 ? s->flows : measure == 1 ? s->packets : s->bytes;
        double w = (double)v / (double)most * width;
        char proto[OUTPUT_CELL_SIZE], size[32];
        const char *cls = ports_class_name(ports_class(s->port));

        if (measure == 2)
            output_human_bytes(v, size, sizeof(size));
        else
            snprintf(size, sizeof(size), "%" PRIu64, v);
        snprintf(proto, sizeof(proto), "%s", ipproto_name(s->proto) ? ipproto_name(s->proto) : "?");
        fprintf(out, "<g class=\"bar\" tabindex=\"0\"><title>%u/%s ", (unsigned)s->port, proto);
        esc(out, s->service ? s->service : "-");
        fprintf(out, " (%s): %s %s</title>", cls, size, names[measure]);
        fprintf(out, "<text x=\"0\" y=\"%zu\">%u/%s ", k * row + 14, (unsigned)s->port, proto);
        esc(out, s->service ? s->service : "-");
        fprintf(out, " (%s)</text>", cls);
        fprintf(out,
                "<rect x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                "class=\"%s\"/>",
                label, k * row + 3, w < 1 ? 1 : w, row - 5, html_service_colour(s->proto, s->port),
                cls);
        fprintf(out, "<text x=\"%.1f\" y=\"%zu\">%s</text></g>\n", label + (w < 1 ? 1 : w) + 4,
                k * row + 14, size);
    }
    fprintf(out,
            "</svg>\n<figcaption id=\"svc-%s-cap\">%s per service (port/protocol, name, "
            "port class); the numbers are in the table below</figcaption>\n</figure>\n",
            names[measure],
            measure == 0   ? "Flows"
            : measure == 1 ? "Packets"
                           : "Bytes");
}

/* Service a before service b: more flows first, then the report's order (by port). */
static int by_flows(const struct report *r, size_t a, size_t b)
{
    const struct report_service *x = &r->services[a], *y = &r->services[b];

    if (x->flows != y->flows)
        return x->flows > y->flows ? -1 : 1;
    return a < b ? -1 : 1;
}

/* The `max` services with the most flows, most first: each inserted into its place. */
static size_t pick_services(const struct report *r, size_t *pick, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_services; i++) {
        size_t at = n < max ? n++ : max;

        if (at == max) {
            if (by_flows(r, i, pick[max - 1]) > 0)
                continue;
            at = max - 1;
        }
        while (at > 0 && by_flows(r, i, pick[at - 1]) < 0) {
            pick[at] = pick[at - 1];
            at--;
        }
        pick[at] = i;
    }
    return n;
}

static void put_services(const struct report *r, FILE *out)
{
    static const char *const headers[] = {OUTPUT_SERVICE_HEADERS};
    static const bool numeric[] = {true, false, false, false, true, true, true, true};
    size_t pick[HTML_SERVICE_BARS], n = pick_services(r, pick, HTML_SERVICE_BARS);
    char cells[OUTPUT_SERVICE_COLS][OUTPUT_CELL_SIZE];

    fprintf(out, "<section id=\"services\">\n<h2>Services (%zu)</h2>\n", r->n_services);
    if (r->n_services > n)
        fprintf(out,
                "<p class=\"note\">The pictures show the %zu services with the most flows; "
                "the table has all %zu.</p>\n",
                n, r->n_services);
    if (n > 0)
        fputs("<p class=\"note\">Bars coloured by service; the port class is named beside "
              "each.</p>\n",
              out);
    for (int m = 0; m < 3 && n > 0; m++)
        put_service_bars(r, pick, n, m, out);
    fputs("<div class=\"scroll\">\n<table class=\"sortable\" id=\"servicetable\">\n"
          "<caption>Services: flows, packets and bytes by server port</caption>\n",
          out);
    put_thead(out, headers, numeric, OUTPUT_SERVICE_COLS);
    fputs("<tbody>\n", out);
    for (size_t i = 0; i < r->n_services; i++) {
        const struct report_service *s = &r->services[i];
        uint64_t port = s->port;

        output_text_service_cells(r, i, cells);
        fputs("<tr>", out);
        for (size_t c = 0; c < OUTPUT_SERVICE_COLS; c++)
            put_cell(out, cells[c], numeric[c],
                     c == 0   ? &port
                     : c == 4 ? &s->flows
                     : c == 5 ? &s->packets
                     : c == 6 ? &s->bytes
                     : c == 7 ? &s->clients
                              : NULL);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</div>\n</section>\n", out);
}

static void put_clients_table(const struct report *r, FILE *out)
{
    static const char *const headers[] = {OUTPUT_CLIENT_HEADERS};
    static const bool numeric[] = {false, true, true, true, true, true, false, false, false, false};
    char cells[OUTPUT_CLIENT_COLS][OUTPUT_CELL_SIZE];
    size_t n = r->n_clients < HTML_CLIENT_ROWS ? r->n_clients : HTML_CLIENT_ROWS;

    if (n < r->n_clients)
        fprintf(out,
                "<p class=\"note\" id=\"clientcut\">The table shows the first %zu of %zu client "
                "hosts, by address (the JSON report has them all).</p>\n",
                n, r->n_clients);
    fputs("<div class=\"scroll\">\n<table class=\"sortable\" id=\"clienttable\">\n"
          "<caption>Client ports by host</caption>\n",
          out);
    put_thead(out, headers, numeric, OUTPUT_CLIENT_COLS);
    fputs("<tbody>\n", out);
    for (size_t i = 0; i < n; i++) {
        const struct report_client *c = &r->clients[i];
        uint64_t v[5] = {c->flows, c->ports, c->port_lo, c->port_hi, c->in_range};

        output_text_client_cells(r, i, cells);
        fputs("<tr>", out);
        for (size_t k = 0; k < OUTPUT_CLIENT_COLS; k++)
            put_cell(out, cells[k], numeric[k], k >= 1 && k <= 5 ? &v[k - 1] : NULL);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</div>\n", out);
}

/* The text report's notes under its table, of the rows shown here, each line an item. */
static int put_notes(const struct report *r, size_t rows, FILE *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    bool list = false;

    if (mem == NULL)
        return -1;
    output_text_flow_notes(r, rows, mem);
    if (fclose(mem) != 0) {
        free(text);
        return -1;
    }
    for (char *line = text; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');

        if (nl != NULL)
            *nl = '\0';
        if (*line == '\0') {
            line = nl != NULL ? nl + 1 : NULL;
            continue;
        }
        /* "  flow 3 ..." lines are items; a line at the margin ("Port mismatches (2)") heads
         * the list after it. */
        if (*line != ' ') {
            fputs(list ? "</ul>\n<h3>" : "<h3>", out);
            esc(out, line);
            fputs("</h3>\n<ul class=\"notes\">\n", out);
        } else {
            if (!list)
                fputs("<ul class=\"notes\">\n", out);
            fputs("<li>", out);
            esc(out, line + strspn(line, " "));
            fputs("</li>\n", out);
        }
        list = true;
        line = nl != NULL ? nl + 1 : NULL;
    }
    if (list)
        fputs("</ul>\n", out);
    free(text);
    return 0;
}

static int put_flows(const struct report *r, FILE *out)
{
    static const char *const headers[] = {OUTPUT_FLOW_HEADERS};
    static const bool numeric[] = {true,  false, false, false, false, false,
                                   false, true,  true,  true,  false, false};
    char cells[OUTPUT_FLOW_COLS][OUTPUT_CELL_SIZE];
    size_t n = r->n_shown < HTML_FLOW_ROWS ? r->n_shown : HTML_FLOW_ROWS;

    fprintf(out, "<section id=\"flows\">\n<h2>Flows (%zu)</h2>\n", r->n_flows);
    if (n < r->n_shown)
        fprintf(out,
                "<p class=\"note\" id=\"flowcut\">The table shows the first %zu of %zu flows "
                "(the JSON and CSV reports have them all).</p>\n",
                n, r->n_shown);
    fputs("<p id=\"flowfilter\" hidden><label>Filter the flows: <input type=\"search\"></label> "
          "<output>all rows</output></p>\n<div class=\"scroll\">\n"
          "<table class=\"sortable\" id=\"flowtable\">\n<caption>Flows: client, server, service, "
          "what the payload shows, packets and bytes client/server</caption>\n",
          out);
    put_thead(out, headers, numeric, OUTPUT_FLOW_COLS);
    fputs("<tbody>\n", out);
    for (size_t k = 0; k < n; k++) {
        const struct report_flow *rf = report_shown(r, k);
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);
        uint64_t v[4] = {rf->id, f->packets[0] + f->packets[1], f->bytes[0] + f->bytes[1],
                         (uint64_t)f->last_seen - (uint64_t)f->first_seen};

        output_text_flow_cells(r, rf, cells);
        fputs("<tr>", out);
        for (size_t c = 0; c < OUTPUT_FLOW_COLS; c++)
            put_cell(out, cells[c], numeric[c],
                     c == 0   ? &v[0]
                     : c == 7 ? &v[1]
                     : c == 8 ? &v[2]
                     : c == 9 ? &v[3]
                              : NULL);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</div>\n", out);
    if (put_notes(r, n, out) != 0)
        return -1;
    if (r->n_flows > 0)
        fputs("<p class=\"note\">EPH * = client port inside its host's ephemeral range in force; "
              "APP = what the first payload bytes show (TLS: and the server name); ! = not what "
              "the port's service speaks.</p>\n",
              out);
    fputs("</section>\n", out);
    return 0;
}

static void put_expectations(const struct report *r, FILE *out)
{
    fputs("<section id=\"expectations\">\n<h2>Expectations</h2>\n<ul>\n", out);
    for (size_t i = 0; i < r->n_expectations; i++) {
        fputs(r->expectations[i].holds ? "<li>ok: " : "<li class=\"bad\">FAILED: ", out);
        esc(out, r->expectations[i].expression);
        fputs(": found ", out);
        esc(out, r->expectations[i].found);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</section>\n", out);
}

int output_html_write(const struct report *r, FILE *out)
{
    char title[PS_ERRBUF_SIZE];

    snprintf(title, sizeof(title), "%s report", PACKAGE_NAME);
    output_html_begin(out, title);
    fprintf(out, "<header>\n<h1>%s %s report: ", PACKAGE_NAME, PACKAGE_VERSION);
    put_inputs_title(r, out);
    fputs("</h1>\n<nav><ul><li><a href=\"#summary\">Totals</a></li>"
          "<li><a href=\"#explain\">In plain words</a></li>"
          "<li><a href=\"#services\">Services</a></li><li><a href=\"#timeline\">Timeline</a></li>"
          "<li><a href=\"#clients\">Client ports</a></li><li><a href=\"#flows\">Flows</a></li>"
          "</ul></nav>\n</header>\n<main>\n",
          out);
    put_summary(r, out);
    if (put_explanation(r, out) != 0)
        return -1;
    put_services(r, out);
    if (html_timeline(r, out) != 0)
        return -1;
    fprintf(out, "<section id=\"clients\">\n<h2>Client ports by host (%zu)</h2>\n", r->n_clients);
    if (html_port_plots(r, out) != 0)
        return -1;
    put_clients_table(r, out);
    fputs("</section>\n", out);
    if (put_flows(r, out) != 0)
        return -1;
    if (r->n_expectations > 0)
        put_expectations(r, out);
    fputs("</main>\n", out);
    return output_html_end(out);
}
