/*
 * output_html_ports.c - the HTML report's port plots: for each client host (the HTML_PLOT_HOSTS
 * with the most flows), its client ports over time, a point per flow joined in order of use, over
 * the OS ephemeral ranges drawn as bands, so a host counting up and starting over at the bottom of
 * its range is seen. Past HTML_PLOT_POINTS flows a host's plot takes every k-th, and says so; a
 * table after each plot has its points.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_int.h"

#define esc output_html_escape

#define LEFT   60
#define WIDTH  640
#define TOP    10
#define HEIGHT 240

struct point {
    ps_time t;
    uint32_t id;
    uint16_t port;
};

struct plot {
    const struct report_client *c;
    double lo, hi;        /* the ports the plot's height spans: the host's, with a margin */
    uint64_t every, seen; /* every `every`-th flow of the host is drawn */
    struct point *points;
    size_t n;
};

static int host_cmp(const void *key, const void *elem)
{
    const struct report_client *k = key;
    const struct plot *p = elem;

    if (k->family != p->c->family)
        return k->family < p->c->family ? -1 : 1;
    return memcmp(k->addr, p->c->addr, k->family == 4 ? 4 : 16);
}

/* The hosts to plot, in r->clients' order (by address): those with the most flows. */
static size_t pick_hosts(const struct report *r, struct plot *plots)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_clients; i++) {
        size_t fewer = 0;

        /* Hosts are few enough on a page that a count of those ahead of each is cheap. */
        for (size_t k = 0; k < r->n_clients && fewer < HTML_PLOT_HOSTS; k++)
            if (r->clients[k].flows > r->clients[i].flows ||
                (r->clients[k].flows == r->clients[i].flows && k < i))
                fewer++;
        if (fewer < HTML_PLOT_HOSTS)
            plots[n++].c = &r->clients[i];
    }
    return n;
}

/* The height spans the host's ports, not all 65536: a step of one port must show. */
static double y_of(const struct plot *p, double port)
{
    if (port < p->lo)
        port = p->lo;
    if (port > p->hi)
        port = p->hi;
    return TOP + HEIGHT - (port - p->lo) / (p->hi - p->lo) * HEIGHT;
}

/* The distinct ranges of the profiles, each named by every profile it is. */
static void bands(const struct plot *pl, FILE *out)
{
    static const char *const fill[] = {"#e8f0ff", "#eafbe8", "#fff3e0", "#f6e8ff", "#fffbd6"};
    size_t shown = 0;

    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        const struct port_range *p = &ports_ephemeral_profiles[i];
        bool first = true;

        for (size_t k = 0; k < i; k++)
            if (ports_ephemeral_profiles[k].lo == p->lo && ports_ephemeral_profiles[k].hi == p->hi)
                first = false;
        if (!first || p->hi < pl->lo || p->lo > pl->hi)
            continue;
        fprintf(out, "<g class=\"band\"><title>%u-%u:", (unsigned)p->lo, (unsigned)p->hi);
        for (size_t k = i; k < ports_ephemeral_profile_count; k++)
            if (ports_ephemeral_profiles[k].lo == p->lo && ports_ephemeral_profiles[k].hi == p->hi)
                fprintf(out, " %s", ports_ephemeral_profiles[k].name);
        fprintf(out,
                "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\"0.6\" stroke=\"#99a\" stroke-dasharray=\"3 2\"/>",
                (double)LEFT, y_of(pl, p->hi), (double)WIDTH, y_of(pl, p->lo) - y_of(pl, p->hi),
                fill[shown % 5]);
        /* Its edges inside the plot, named at the right. */
        if (p->hi <= pl->hi)
            fprintf(out, "<text x=\"%d\" y=\"%.1f\">%u</text>", LEFT + WIDTH + 4,
                    y_of(pl, p->hi) + 4, (unsigned)p->hi);
        if (p->lo >= pl->lo)
            fprintf(out, "<text x=\"%d\" y=\"%.1f\">%u</text>", LEFT + WIDTH + 4,
                    y_of(pl, p->lo) + 4, (unsigned)p->lo);
        fputs("</g>\n", out);
        shown++;
    }
}

static void axes(const struct plot *p, FILE *out, ps_time first, ps_time last)
{
    fprintf(out,
            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%u</text>"
            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%u</text>",
            LEFT - 4, y_of(p, p->c->port_lo) + 4, (unsigned)p->c->port_lo, LEFT - 4,
            y_of(p, p->c->port_hi) + 4, (unsigned)p->c->port_hi);
    fprintf(out,
            "\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#666\"/>"
            "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3f "
            "s</text>\n",
            LEFT, TOP + HEIGHT, LEFT + WIDTH, TOP + HEIGHT, LEFT, TOP + HEIGHT + 14, LEFT + WIDTH,
            TOP + HEIGHT + 14, (double)((uint64_t)last - (uint64_t)first) / 1e9);
}

static double x_of(ps_time t, ps_time first, ps_time last)
{
    double span = last > first ? (double)((uint64_t)last - (uint64_t)first) : 1.0;

    return LEFT + (double)((uint64_t)t - (uint64_t)first) / span * WIDTH;
}

static void put_plot(const struct plot *p, size_t k, ps_time first, ps_time last, FILE *out)
{
    const struct report_port_choice *ch = &p->c->choice;
    char addr[64];

    report_format_addr(p->c->family, p->c->addr, addr, sizeof(addr));
    fprintf(out, "<div class=\"hostplot\" id=\"host-%zu\" data-host=\"%s\">\n<h3>%s</h3>\n", k,
            addr, addr);
    fprintf(out, "<p>%" PRIu32 " flows as a client, %" PRIu32 " ports from %u to %u; pattern %s",
            p->c->flows, p->c->ports, (unsigned)p->c->port_lo, (unsigned)p->c->port_hi,
            report_port_pattern_name(ch->pattern));
    if (ch->wraps != 0)
        fprintf(out,
                "; wrapped %" PRIu32 " time%s: reached %u (flow %" PRIu32 "), next port %u "
                "(flow %" PRIu32 ")",
                ch->wraps, ch->wraps == 1 ? "" : "s", (unsigned)ch->more->wrap_from,
                ch->more->wrap_from_id, (unsigned)ch->more->wrap_to, ch->more->wrap_to_id);
    if (p->c->in_force.name != NULL)
        fprintf(out, "; range in force %s %u-%u", p->c->in_force.name, (unsigned)p->c->in_force.lo,
                (unsigned)p->c->in_force.hi);
    else
        fprintf(out, "; range in force %u-%u", (unsigned)p->c->in_force.lo,
                (unsigned)p->c->in_force.hi);
    fputs(".</p>\n", out);
    if (p->every > 1)
        fprintf(out,
                "<p class=\"note\">Every %" PRIu64 "th flow drawn: %zu points of %" PRIu32
                ".</p>\n",
                p->every, p->n, p->c->flows);
    fprintf(out,
            "<svg class=\"ports\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"Client ports of %s over time: %zu points; the table after the picture "
            "has them\">\n",
            LEFT + WIDTH + 50, TOP + HEIGHT + 20, LEFT + WIDTH + 50, TOP + HEIGHT + 20, addr, p->n);
    bands(p, out);
    axes(p, out, first, last);
    if (p->n > 1) {
        fputs("<polyline fill=\"none\" stroke=\"#555\" stroke-width=\"0.6\" points=\"", out);
        for (size_t i = 0; i < p->n; i++)
            fprintf(out, "%s%.1f,%.1f", i ? " " : "", x_of(p->points[i].t, first, last),
                    y_of(p, p->points[i].port));
        fputs("\"/>\n", out);
    }
    for (size_t i = 0; i < p->n; i++) {
        fprintf(out, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#1f4e9a\">",
                x_of(p->points[i].t, first, last), y_of(p, p->points[i].port));
        if (p->n <= 200)
            fprintf(out, "<title>flow %" PRIu32 ": port %u at %.6f s</title>", p->points[i].id,
                    (unsigned)p->points[i].port,
                    (double)((uint64_t)p->points[i].t - (uint64_t)first) / 1e9);
        fputs("</circle>\n", out);
    }
    fputs("</svg>\n<details><summary>The points as a table</summary>\n<div class=\"scroll\">"
          "<table class=\"points\"><thead><tr><th scope=\"col\">flow</th><th scope=\"col\">time "
          "(s)</th><th scope=\"col\">client port</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < p->n; i++)
        fprintf(out, "<tr><td>%" PRIu32 "</td><td>%.6f</td><td>%u</td></tr>\n", p->points[i].id,
                (double)((uint64_t)p->points[i].t - (uint64_t)first) / 1e9,
                (unsigned)p->points[i].port);
    fputs("</tbody></table></div></details>\n</div>\n", out);
}

int html_port_plots(const struct report *r, FILE *out)
{
    struct plot plots[HTML_PLOT_HOSTS];
    size_t n = pick_hosts(r, plots);
    ps_time first, last;
    int rc = 0;

    report_time_span(r, &first, &last);
    for (size_t k = 0; k < n; k++) {
        uint64_t cap = plots[k].c->flows < HTML_PLOT_POINTS ? plots[k].c->flows : HTML_PLOT_POINTS;

        double pad = (plots[k].c->port_hi - plots[k].c->port_lo) / 8.0 + 8;

        plots[k].lo = plots[k].c->port_lo - pad < 0 ? 0 : plots[k].c->port_lo - pad;
        plots[k].hi = plots[k].c->port_hi + pad > 65535 ? 65535 : plots[k].c->port_hi + pad;
        plots[k].every = ((uint64_t)plots[k].c->flows + HTML_PLOT_POINTS - 1) / HTML_PLOT_POINTS;
        plots[k].seen = 0;
        plots[k].n = 0;
        plots[k].points = malloc((cap + 1) * sizeof(struct point));
        if (plots[k].points == NULL)
            rc = -1;
    }
    if (n < r->n_clients)
        fprintf(out,
                "<p class=\"note\">Port plots of the %zu client hosts with the most flows, "
                "of %zu.</p>\n",
                n, r->n_clients);
    if (n > 0)
        fputs("<p class=\"note\">Each point is a flow: when it started (across) and its client "
              "port (up). The bands are the OS ephemeral ranges; hover a band for its "
              "profiles.</p>\n",
              out);
    /* Each flow's client found among the hosts plotted, in first-seen order: the order of use. */
    for (size_t i = 0; i < r->n_flows && rc == 0 && n > 0; i++) {
        const struct report_flow *rf = &r->flows[i];
        struct flow buf;
        const struct flow *f = report_flow_data(r, rf, &buf);
        struct report_client key;
        struct plot *p;

        if (!ipproto_has_ports(f->key.proto))
            continue;
        key.family = f->key.family;
        memcpy(key.addr, f->key.addr[rf->client], 16);
        p = bsearch(&key, plots, n, sizeof(plots[0]), host_cmp);
        if (p == NULL || p->seen++ % p->every != 0 || p->n >= HTML_PLOT_POINTS)
            continue;
        p->points[p->n++] = (struct point){f->first_seen, rf->id, f->key.port[rf->client]};
    }
    for (size_t k = 0; k < n && rc == 0; k++)
        put_plot(&plots[k], k, first, last, out);
    for (size_t k = 0; k < n; k++)
        free(plots[k].points);
    return rc;
}
