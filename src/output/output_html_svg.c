/*
 * output_html_svg.c - the HTML report's timeline: a row per flow, its bar from the first packet
 * to the last, coloured by service, with marks where the payload is not what the port's service
 * speaks, where a reset was sent and where an ICMP error came back; or, past HTML_TIMELINE_FLOWS
 * flows, a row per service, its time slots shaded by how many of its flows were active in each.
 * The table after it has the picture's numbers.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_int.h"

#define esc output_html_escape

#define LABEL 300 /* the labels' column */
#define WIDTH 680 /* the time axis */
#define ROW   14

#define TCP_RST 0x04

static double x_of(ps_time t, ps_time first, ps_time last)
{
    double span = last > first ? (double)((uint64_t)last - (uint64_t)first) : 1.0;

    return LABEL + (double)((uint64_t)t - (uint64_t)first) / span * WIDTH;
}

static double secs(ps_time t, ps_time first)
{
    return (double)((uint64_t)t - (uint64_t)first) / 1e9;
}

/* The marks of one flow. */
struct marks {
    bool mismatch, reset, icmp;
};

static struct marks marks_of(const struct report *r, const struct report_flow *rf,
                             const struct flow *f, const char **service)
{
    struct marks m = {false, false, false};
    struct report_app app;
    const char *alias;

    *service = report_flow_service(r, rf, f, &alias);
    m.mismatch = report_flow_app(r, rf, f, *service, &app) && app.mismatch;
    m.reset = f->key.proto == PS_IPPROTO_TCP && ((f->tcp.flags[0] | f->tcp.flags[1]) & TCP_RST);
    m.icmp = f->icmp_errors != 0;
    return m;
}

static void axis(FILE *out, size_t y, ps_time first, ps_time last)
{
    fprintf(out,
            "<line x1=\"%d\" y1=\"%zu\" x2=\"%d\" y2=\"%zu\" stroke=\"#666\"/>"
            "<text x=\"%d\" y=\"%zu\">0 s</text><text x=\"%d\" y=\"%zu\" "
            "text-anchor=\"end\">%.3f s</text>\n",
            LABEL, y, LABEL + WIDTH, y, LABEL, y + 13, LABEL + WIDTH, y + 13, secs(last, first));
}

static const char legend[] =
    "<p class=\"note\">Marks: <span class=\"bad\">&#9650;</span> the payload is not what the "
    "port's service speaks (at the start), <b>|</b> a reset was sent (at the end), "
    "<span class=\"bad\">&#9679;</span> an ICMP error came back (at the end). Hover or focus a "
    "bar for its details.</p>\n";

static void flow_rows(const struct report *r, ps_time first, ps_time last, FILE *out)
{
    char cells[OUTPUT_FLOW_COLS][OUTPUT_CELL_SIZE];
    size_t h = r->n_flows * ROW + 20;

    fprintf(out,
            "<p>One row per flow (%zu), in the order they started.</p>\n%s<figure>\n"
            "<svg id=\"timeline-svg\" viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" "
            "role=\"img\" aria-labelledby=\"timeline-cap\">\n",
            r->n_flows, legend, LABEL + WIDTH + 10, h, LABEL + WIDTH + 10, h);
    for (size_t i = 0; i < r->n_flows; i++) {
        const struct report_flow *rf = &r->flows[i];
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);
        const char *service;
        struct marks m = marks_of(r, rf, f, &service);
        bool ports = ipproto_has_ports(f->key.proto);
        double x0 = x_of(f->first_seen, first, last), x1 = x_of(f->last_seen, first, last);
        size_t y = i * ROW;

        output_text_flow_cells(r, rf, cells);
        fprintf(out, "<g class=\"bar flow\" tabindex=\"0\" data-flow=\"%" PRIu32 "\"><title>",
                rf->id);
        fprintf(out, "flow #%s %s ", cells[0], cells[1]);
        esc(out, cells[2]);
        fputs(" to ", out);
        esc(out, cells[4]);
        fputs(", ", out);
        esc(out, cells[5]);
        fputs(", app ", out);
        esc(out, cells[6]);
        fprintf(out, "; from %.6f s to %.6f s; packets c/s %s, bytes c/s %s; %s%s%s%s</title>",
                secs(f->first_seen, first), secs(f->last_seen, first), cells[7], cells[8],
                cells[10], m.mismatch ? "; port mismatch" : "", m.reset ? "; reset" : "",
                m.icmp ? "; ICMP error" : "");
        fprintf(out, "<text x=\"0\" y=\"%zu\">#%s ", y + 11, cells[0]);
        esc(out, cells[2]);
        fputs(" &#8594; ", out);
        esc(out, cells[4]);
        fprintf(out, "</text><rect x=\"%.1f\" y=\"%zu\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                x0, y + 2, x1 - x0 < 2 ? 2 : x1 - x0, ROW - 4,
                ports ? html_service_colour(f->key.proto, f->key.port[!rf->client]) : "#999");
        if (m.mismatch)
            fprintf(out, "<path class=\"mark mismatch\" d=\"M%.1f %zuh8l-4 -8z\" fill=\"#a00\"/>",
                    x0 - 4, y + ROW - 1);
        if (m.reset)
            fprintf(out,
                    "<rect class=\"mark reset\" x=\"%.1f\" y=\"%zu\" width=\"2\" height=\"%d\" "
                    "fill=\"#000\"/>",
                    (x1 - x0 < 2 ? x0 + 2 : x1) + 1, y, ROW);
        if (m.icmp)
            fprintf(out,
                    "<circle class=\"mark icmp\" cx=\"%.1f\" cy=\"%zu\" r=\"3.5\" fill=\"#a00\"/>",
                    (x1 - x0 < 2 ? x0 + 2 : x1) + 7, y + ROW / 2);
        fputs("</g>\n", out);
    }
    axis(out, r->n_flows * ROW + 2, first, last);
    fputs("</svg>\n<figcaption id=\"timeline-cap\">Each flow from its first packet to its last; "
          "the table below has the same times</figcaption>\n</figure>\n",
          out);
    fputs("<details><summary>The timeline as a table</summary>\n<div class=\"scroll\"><table "
          "id=\"timelinetable\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">start "
          "(s)</th><th scope=\"col\">end (s)</th><th scope=\"col\">service</th><th "
          "scope=\"col\">marks</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < r->n_flows; i++) {
        const struct report_flow *rf = &r->flows[i];
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);
        const char *service;
        struct marks m = marks_of(r, rf, f, &service);

        fprintf(out, "<tr><td>%" PRIu32 "</td><td>%.6f</td><td>%.6f</td><td>", rf->id,
                secs(f->first_seen, first), secs(f->last_seen, first));
        esc(out, service != NULL ? service : "-");
        fprintf(out, "</td><td>%s%s%s</td></tr>\n", m.mismatch ? "mismatch " : "",
                m.reset ? "reset " : "", m.icmp ? "icmp-error" : "");
    }
    fputs("</tbody></table></div></details>\n", out);
}

/* A grouped row: the service (or none), its flows, its marks, its flows active per slot. */
struct group {
    const struct report_service *s; /* NULL: flows on no service port, or the services left */
    uint64_t flows, mismatch, reset, icmp;
    int64_t active[HTML_TIMELINE_BINS + 1]; /* differences, then counts once summed */
};

static int service_cmp(const void *key, const void *elem)
{
    const uint32_t *k = key;
    const struct report_service *s = elem;
    uint32_t v = (uint32_t)s->port << 8 | s->proto;

    return *k < v ? -1 : *k > v;
}

static int group_cmp(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    if (x->s == NULL || y->s == NULL)
        return (x->s == NULL) - (y->s == NULL);
    if (x->flows != y->flows)
        return x->flows > y->flows ? -1 : 1;
    return x->s < y->s ? -1 : 1;
}

static size_t bin_of(ps_time t, ps_time first, ps_time last)
{
    double span = last > first ? (double)((uint64_t)last - (uint64_t)first) : 1.0;
    size_t b = (size_t)((double)((uint64_t)t - (uint64_t)first) / span * HTML_TIMELINE_BINS);

    return b >= HTML_TIMELINE_BINS ? HTML_TIMELINE_BINS - 1 : b;
}

static int grouped_rows(const struct report *r, ps_time first, ps_time last, FILE *out)
{
    /* A group per service first, sorted, then the most active kept and the rest merged. */
    size_t n = r->n_services + 1, rows;
    struct group *g = calloc(n, sizeof(*g));

    if (g == NULL)
        return -1;
    for (size_t i = 0; i < r->n_services; i++)
        g[i].s = &r->services[i];
    for (size_t i = 0; i < r->n_flows; i++) {
        const struct report_flow *rf = &r->flows[i];
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);
        const char *service;
        struct marks m = marks_of(r, rf, f, &service);
        uint32_t key = (uint32_t)f->key.port[!rf->client] << 8 | f->key.proto;
        const struct report_service *s =
            ipproto_has_ports(f->key.proto)
                ? bsearch(&key, r->services, r->n_services, sizeof(*s), service_cmp)
                : NULL;
        struct group *row = &g[s != NULL ? (size_t)(s - r->services) : n - 1];

        row->flows++;
        row->mismatch += m.mismatch;
        row->reset += m.reset;
        row->icmp += m.icmp;
        row->active[bin_of(f->first_seen, first, last)]++;
        row->active[bin_of(f->last_seen, first, last) + 1]--;
    }
    qsort(g, n, sizeof(*g), group_cmp);
    /* The groups past the limit go into the last row, with the flows on no service port. */
    rows = n;
    while (rows > 0 && g[rows - 1].flows == 0)
        rows--;
    if (rows > HTML_TIMELINE_GROUPS) {
        struct group *rest = &g[HTML_TIMELINE_GROUPS - 1];

        for (size_t k = HTML_TIMELINE_GROUPS; k < rows; k++) {
            rest->flows += g[k].flows;
            rest->mismatch += g[k].mismatch;
            rest->reset += g[k].reset;
            rest->icmp += g[k].icmp;
            for (size_t b = 0; b <= HTML_TIMELINE_BINS; b++)
                rest->active[b] += g[k].active[b];
        }
        rest->s = NULL;
        rows = HTML_TIMELINE_GROUPS;
    }
    fprintf(out,
            "<p id=\"timeline-grouped\">%zu flows are too many for a row each: one row per "
            "service (%zu rows%s), each time slot (%d in all) shaded by how many of its flows "
            "were active then.</p>\n%s<figure>\n<svg id=\"timeline-svg\" viewBox=\"0 0 %d %zu\" "
            "width=\"%d\" height=\"%zu\" role=\"img\" aria-labelledby=\"timeline-cap\">\n",
            r->n_flows, rows,
            rows == HTML_TIMELINE_GROUPS ? ", the last one every other service and the flows on "
                                           "no service port"
                                         : "",
            HTML_TIMELINE_BINS, legend, LABEL + WIDTH + 30, rows * ROW + 20, LABEL + WIDTH + 30,
            rows * ROW + 20);
    for (size_t k = 0; k < rows; k++) {
        struct group *row = &g[k];
        int64_t most = 1, now = 0;
        char name[OUTPUT_CELL_SIZE];
        const char *colour = row->s ? html_service_colour(row->s->proto, row->s->port) : "#999";

        if (row->s != NULL)
            snprintf(name, sizeof(name), "%u/%s %s", (unsigned)row->s->port,
                     ipproto_name(row->s->proto) ? ipproto_name(row->s->proto) : "?",
                     row->s->service ? row->s->service : "-");
        else
            snprintf(name, sizeof(name), "%s", "other flows");
        for (size_t b = 0; b < HTML_TIMELINE_BINS; b++) {
            now += row->active[b];
            row->active[b] = now;
            if (now > most)
                most = now;
        }
        fputs("<g class=\"bar group\" tabindex=\"0\"><title>", out);
        esc(out, name);
        fprintf(out,
                ": %" PRIu64 " flows, at most %" PRId64 " active at once; %" PRIu64
                " port mismatches, %" PRIu64 " resets, %" PRIu64
                " ICMP errors</title><text x=\"0\" "
                "y=\"%zu\">",
                row->flows, most, row->mismatch, row->reset, row->icmp, k * ROW + 11);
        esc(out, name);
        fprintf(out, " (%" PRIu64 ")</text>", row->flows);
        for (size_t b = 0; b < HTML_TIMELINE_BINS; b++)
            if (row->active[b] > 0)
                fprintf(out,
                        "<rect x=\"%.1f\" y=\"%zu\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
                        "fill-opacity=\"%.2f\"/>",
                        LABEL + (double)b * WIDTH / HTML_TIMELINE_BINS, k * ROW + 2,
                        (double)WIDTH / HTML_TIMELINE_BINS, ROW - 4, colour,
                        0.25 + 0.75 * (double)row->active[b] / (double)most);
        /* The row's marks after its end: the slots do not say when they happened. */
        if (row->mismatch != 0)
            fprintf(out, "<path class=\"mark mismatch\" d=\"M%d %zuh8l-4 -8z\" fill=\"#a00\"/>",
                    LABEL + WIDTH + 1, k * ROW + ROW - 1);
        if (row->reset != 0)
            fprintf(out,
                    "<rect class=\"mark reset\" x=\"%d\" y=\"%zu\" width=\"2\" height=\"%d\" "
                    "fill=\"#000\"/>",
                    LABEL + WIDTH + 12, k * ROW, ROW);
        if (row->icmp != 0)
            fprintf(out,
                    "<circle class=\"mark icmp\" cx=\"%d\" cy=\"%zu\" r=\"3.5\" fill=\"#a00\"/>",
                    LABEL + WIDTH + 20, k * ROW + ROW / 2);
        fputs("</g>\n", out);
    }
    axis(out, rows * ROW + 2, first, last);
    fputs("</svg>\n<figcaption id=\"timeline-cap\">Flows active over time, by service; the table "
          "below has the same numbers</figcaption>\n</figure>\n<details><summary>The timeline as a "
          "table</summary>\n<div class=\"scroll\"><table id=\"timelinetable\"><thead><tr><th "
          "scope=\"col\">service</th><th scope=\"col\">flows</th><th scope=\"col\">mismatches</th>"
          "<th scope=\"col\">resets</th><th scope=\"col\">ICMP errors</th><th scope=\"col\">flows "
          "active per slot</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t k = 0; k < rows; k++) {
        fputs("<tr><td>", out);
        if (g[k].s != NULL)
            fprintf(out, "%u/%s ", (unsigned)g[k].s->port,
                    ipproto_name(g[k].s->proto) ? ipproto_name(g[k].s->proto) : "?");
        esc(out, g[k].s != NULL ? (g[k].s->service ? g[k].s->service : "-") : "other flows");
        fprintf(out,
                "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64
                "</td><td>",
                g[k].flows, g[k].mismatch, g[k].reset, g[k].icmp);
        for (size_t b = 0; b < HTML_TIMELINE_BINS; b++)
            fprintf(out, "%s%" PRId64, b ? " " : "", g[k].active[b]);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table></div></details>\n", out);
    free(g);
    return 0;
}

int html_timeline(const struct report *r, FILE *out)
{
    ps_time first, last;
    int rc = 0;

    report_time_span(r, &first, &last);
    fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", out);
    if (r->n_flows == 0)
        fputs("<p>No flows.</p>\n", out);
    else if (r->n_flows <= HTML_TIMELINE_FLOWS)
        flow_rows(r, first, last, out);
    else
        rc = grouped_rows(r, first, last, out);
    fputs("</section>\n", out);
    return rc;
}
