/*
 * nat_html.c - portscope nat's table as one HTML page (--format html; doc/html-report.md): the
 * two captures and the clock offset, a picture of the inside and outside flows joined across the
 * router, the translation table with the text table's columns, the summary and the sentences.
 * The page's head, script and escaping are the report's (output.h), so it is as closed: it
 * fetches nothing and runs only its own script.
 */
#include <string.h>

#include "nat_int.h"
#include "output.h"

#define esc output_html_escape

#define PICTURE_ROWS 300  /* pairs drawn; the rest are in the table */
#define TABLE_ROWS   2000 /* rows of the table; the JSON has them all */
#define ROW          16
#define SIDE_W       380 /* each side's labels */
#define ROUTER_X     470 /* the router's box: from here */
#define ROUTER_W     100

static const char *kind_colour(const struct nat_row *row)
{
    static const char *const colours[] = {
        [NAT_KIND_SOURCE] = "#1f77b4",
        [NAT_KIND_FORWARD] = "#ff7f0e",
        [NAT_KIND_BOTH] = "#9467bd",
        [NAT_KIND_ROUTED] = "#7f7f7f",
    };

    return row->status == NAT_PAIRED && row->kind < 4 ? colours[row->kind] : "#aaa";
}

static void put_side(FILE *out, const char *name, const struct nat_side *s)
{
    char f[40], l[40];

    fprintf(out, "<li>%s: ", name);
    for (size_t i = 0; i < s->n_paths; i++) {
        fputs(i ? ", " : "", out);
        esc(out, s->paths[i]);
    }
    fprintf(out, " (%llu packets, %zu flows", (unsigned long long)s->packets, s->n_conns);
    if (s->packets > 0) {
        nat_put_time(f, sizeof(f), s->first);
        nat_put_time(l, sizeof(l), s->last);
        fprintf(out, ", %s to %s", f, l);
    }
    fprintf(out, "%s)</li>\n", s->incomplete ? ", not read to its end" : "");
}

/* One row of the picture: the inside flow at the left, the outside one at the right, joined
 * through the router when they are a pair. */
static void put_picture_row(FILE *out, const struct nat_cells *c, const struct nat_row *row,
                            const char *const col[], size_t k)
{
    size_t y = k * ROW + 30;
    bool in = row->inside != NAT_NONE, outs = row->outside != NAT_NONE;
    const char *colour = kind_colour(row);

    fprintf(out, "<g class=\"bar %s\" tabindex=\"0\"><title>",
            row->status == NAT_PAIRED ? "pair" : "single");
    for (int i = 0; i < NAT_COLUMNS; i++) {
        fprintf(out, "%s%s ", i ? "; " : "", nat_headings[i]);
        esc(out, col[i][0] != '\0' ? col[i] : "-");
    }
    fputs("</title>", out);
    if (in) {
        fprintf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", SIDE_W, y + 4);
        esc(out, c->in_client);
        fputs(" &#8594; ", out);
        esc(out, c->in_server);
        fputs("</text>", out);
    }
    if (outs) {
        fprintf(out, "<text x=\"%d\" y=\"%zu\">", ROUTER_X + ROUTER_W + 90, y + 4);
        esc(out, c->out_client);
        fputs(" &#8594; ", out);
        esc(out, c->out_server);
        fputs("</text>", out);
    }
    if (row->status == NAT_PAIRED)
        fprintf(out, "<path d=\"M%d %zuH%d\" stroke=\"%s\" stroke-width=\"2.5\" fill=\"none\"/>",
                SIDE_W + 4, y, ROUTER_X + ROUTER_W + 86, colour);
    else if (in)
        fprintf(
            out,
            "<path d=\"M%d %zuH%d\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" "
            "fill=\"none\"/><text x=\"%d\" y=\"%zu\" class=\"bad\">&#215;</text>",
            SIDE_W + 4, y, ROUTER_X - 6, colour, ROUTER_X - 5, y + 4);
    else
        fprintf(
            out,
            "<path d=\"M%d %zuH%d\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" "
            "fill=\"none\"/><text x=\"%d\" y=\"%zu\" class=\"bad\">&#215;</text>",
            ROUTER_X + ROUTER_W + 6, y, ROUTER_X + ROUTER_W + 86, colour, ROUTER_X + ROUTER_W - 2,
            y + 4);
    fputs("</g>\n", out);
}

static void put_picture(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                        const struct nat_result *r)
{
    size_t n = r->n_rows < PICTURE_ROWS ? r->n_rows : PICTURE_ROWS;
    size_t h = n * ROW + 40;
    const char *col[NAT_COLUMNS];
    struct nat_made m;
    struct nat_cells c;

    fputs("<section id=\"picture\">\n<h2>Across the router</h2>\n", out);
    if (n < r->n_rows)
        fprintf(out,
                "<p class=\"note\" id=\"picturecut\">The picture shows the first %zu of %zu "
                "rows; the table has more.</p>\n",
                n, r->n_rows);
    fputs("<p class=\"note\">Each inside flow (left) joined to the outside flow it became (right) "
          "through the router: source NAT blue, port forward orange, "
          "both purple, routed unchanged grey; &#215; a flow seen on one side only. Hover or focus "
          "a row for its details.</p>\n<figure>\n",
          out);
    fprintf(out,
            "<svg id=\"nat-svg\" viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" role=\"img\" "
            "aria-labelledby=\"nat-cap\">\n"
            "<text x=\"%d\" y=\"14\" text-anchor=\"end\">inside</text>"
            "<text x=\"%d\" y=\"14\" text-anchor=\"middle\">router</text>"
            "<text x=\"%d\" y=\"14\">outside</text>\n"
            "<rect x=\"%d\" y=\"20\" width=\"%d\" height=\"%zu\" fill=\"#eee\" stroke=\"#666\"/>\n",
            ROUTER_X + ROUTER_W + 420, h, ROUTER_X + ROUTER_W + 420, h, SIDE_W,
            ROUTER_X + ROUTER_W / 2, ROUTER_X + ROUTER_W + 90, ROUTER_X, ROUTER_W, n * ROW + 4);
    for (size_t i = 0; i < n; i++) {
        nat_row_cells(in, outs, &r->rows[i], &c);
        nat_columns(&c, &r->rows[i], col, &m);
        put_picture_row(out, &c, &r->rows[i], col, i);
    }
    fputs("</svg>\n<figcaption id=\"nat-cap\">Inside and outside flows joined across the router; "
          "the translation table below has the same rows</figcaption>\n</figure>\n</section>\n",
          out);
}

static void put_table(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                      const struct nat_result *r)
{
    size_t n = r->n_rows < TABLE_ROWS ? r->n_rows : TABLE_ROWS;
    const char *col[NAT_COLUMNS];
    struct nat_made m;
    struct nat_cells c;

    fprintf(out, "<section id=\"table\">\n<h2>Translation table (%zu rows)</h2>\n", r->n_rows);
    if (n < r->n_rows)
        fprintf(out,
                "<p class=\"note\" id=\"tablecut\">The table shows the first %zu of %zu rows "
                "(the JSON and CSV have them all).</p>\n",
                n, r->n_rows);
    fputs("<div class=\"scroll\">\n<table class=\"sortable\" id=\"nattable\">\n<caption>Each "
          "inside flow and the outside flow it became</caption>\n<thead><tr>",
          out);
    for (int k = 0; k < NAT_COLUMNS; k++)
        fprintf(out, "<th scope=\"col\">%s</th>", nat_headings[k]);
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < n; i++) {
        nat_row_cells(in, outs, &r->rows[i], &c);
        nat_columns(&c, &r->rows[i], col, &m);
        fputs("<tr>", out);
        for (int k = 0; k < NAT_COLUMNS; k++) {
            fputs("<td>", out);
            esc(out, col[k][0] != '\0' ? col[k] : "-");
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</div>\n</section>\n", out);
}

static void put_summary(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                        const struct nat_result *r)
{
    char buf[NAT_SENTENCE];

    fprintf(out,
            "<section id=\"summary\">\n<h2>Summary</h2>\n<table id=\"natsummary\"><tbody>\n"
            "<tr><th scope=\"row\">paired</th><td id=\"paired\">%zu</td></tr>\n"
            "<tr><th scope=\"row\">port forwards</th><td>%zu</td></tr>\n"
            "<tr><th scope=\"row\">inside flows</th><td>%zu = %zu paired + %zu ambiguous + %zu "
            "inside only</td></tr>\n"
            "<tr><th scope=\"row\">outside flows</th><td>%zu = %zu paired + %zu ambiguous + %zu "
            "outside only</td></tr>\n",
            r->count[NAT_PAIRED], r->forwards, in->n_conns, r->count[NAT_PAIRED],
            r->ambiguous_inside, r->count[NAT_INSIDE_ONLY], outs->n_conns, r->count[NAT_PAIRED],
            r->ambiguous_outside, r->count[NAT_OUTSIDE_ONLY]);
    for (size_t i = 0; i < r->n_publics; i++) {
        char a[64];

        nat_put_addr(a, sizeof(a), r->publics[i].family, r->publics[i].addr);
        fprintf(out,
                "<tr><th scope=\"row\">public address</th><td>%s: %zu inside hosts, %zu "
                "connections, %zu forwards</td></tr>\n",
                a, r->publics[i].inside_hosts, r->publics[i].connections, r->publics[i].forwards);
    }
    fprintf(out,
            "<tr><th scope=\"row\">client ports</th><td>%s (%zu preserved, %zu rewritten)</td>"
            "</tr>\n</tbody></table>\n<h2>In plain words</h2>\n",
            nat_ports_name(r->ports), r->ports_kept, r->ports_rewritten);
    for (size_t n = 0; nat_sentence(r, n, buf, sizeof(buf)); n++) {
        fputs("<p>", out);
        esc(out, buf);
        fputs("</p>\n", out);
    }
    fputs("</section>\n", out);
}

int nat_write_html(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                   const struct nat_result *r)
{
    char off[40];

    output_html_begin(out, "portscope nat report");
    fputs("<header>\n<h1>portscope nat report</h1>\n<nav><ul><li><a href=\"#picture\">Across the "
          "router</a></li><li><a href=\"#table\">Translation table</a></li><li><a "
          "href=\"#summary\">Summary</a></li></ul></nav>\n</header>\n<main>\n<section "
          "id=\"sides\">\n<h2>Captures</h2>\n<ul>\n",
          out);
    put_side(out, "inside", in);
    put_side(out, "outside", outs);
    nat_put_offset(off, sizeof(off), r->offset);
    if (r->offset_known)
        fprintf(out, "</ul>\n<p>Clock offset: outside = inside %s (median of %zu pairs)</p>\n", off,
                r->offset_samples);
    else
        fputs("</ul>\n<p>Clock offset: unknown</p>\n", out);
    fputs("</section>\n", out);
    put_picture(out, in, outs, r);
    put_table(out, in, outs, r);
    put_summary(out, in, outs, r);
    fputs("</main>\n", out);
    return output_html_end(out);
}
