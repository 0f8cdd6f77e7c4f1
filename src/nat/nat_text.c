/*
 * nat_text.c - the text report: the two captures, the clock offset, the translation table in
 * aligned columns, the summary; with --explain, the sentences (also given to the JSON).
 */
#include <jansson.h>
#include <string.h>

#include "nat.h"
#include "nat_int.h"

const char *const nat_headings[NAT_COLUMNS] = {
    "PROTO",          "STATUS", "KIND",     "INSIDE CLIENT", "INSIDE SERVER", "OUTSIDE CLIENT",
    "OUTSIDE SERVER", "CHANGE", "EVIDENCE", "STRENGTH",      "INSIDE TIME",   "OUTSIDE TIME"};

/* The time of day of "2026-12-07T04:40:01.123456Z" (the dates are in the head): "04:40:01.123456".
 */
static const char *time_of_day(const char *iso, char *buf, size_t len)
{
    const char *t = strchr(iso, 'T');

    snprintf(buf, len, "%.*s", t != NULL ? (int)strcspn(t + 1, "Z") : 0, t != NULL ? t + 1 : "");
    return buf;
}

void nat_columns(const struct nat_cells *c, const struct nat_row *row, const char *col[],
                 struct nat_made *m)
{
    const char *cells[NAT_COLUMNS] = {c->proto,
                                      c->status,
                                      c->kind,
                                      c->in_client,
                                      c->in_server,
                                      c->out_client,
                                      c->out_server,
                                      c->change,
                                      c->evidence,
                                      c->strength,
                                      time_of_day(c->in_first, m->in_time, sizeof(m->in_time)),
                                      time_of_day(c->out_first, m->out_time, sizeof(m->out_time))};

    memcpy(col, cells, sizeof(cells));
    if (row->status != NAT_PAIRED) {
        if (row->status == NAT_AMBIGUOUS)
            snprintf(m->why, sizeof(m->why), "%s (%u)", c->reason, row->candidates);
        else
            snprintf(m->why, sizeof(m->why), "%s", c->reason);
        col[8] = m->why;
    }
}

static void put_row(FILE *out, const char *const col[], const size_t width[])
{
    for (int k = 0; k + 1 < NAT_COLUMNS; k++)
        fprintf(out, "%-*s  ", (int)width[k], col[k][0] != '\0' ? col[k] : "-");
    fprintf(out, "%s\n", col[NAT_COLUMNS - 1][0] != '\0' ? col[NAT_COLUMNS - 1] : "-");
}

static void put_table(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                      const struct nat_result *r)
{
    size_t width[NAT_COLUMNS];
    const char *col[NAT_COLUMNS];
    struct nat_made m;
    struct nat_cells c;

    for (int k = 0; k < NAT_COLUMNS; k++)
        width[k] = strlen(nat_headings[k]);
    for (size_t i = 0; i < r->n_rows; i++) {
        nat_row_cells(in, outs, &r->rows[i], &c);
        nat_columns(&c, &r->rows[i], col, &m);
        for (int k = 0; k < NAT_COLUMNS; k++)
            if (strlen(col[k]) > width[k])
                width[k] = strlen(col[k]);
    }
    put_row(out, nat_headings, width);
    for (size_t i = 0; i < r->n_rows; i++) {
        nat_row_cells(in, outs, &r->rows[i], &c);
        nat_columns(&c, &r->rows[i], col, &m);
        put_row(out, col, width);
    }
}

static void put_side(FILE *out, const char *name, const struct nat_side *s)
{
    char f[40], l[40];

    fprintf(out, "%-8s", name);
    for (size_t i = 0; i < s->n_paths; i++)
        fprintf(out, " %s", s->paths[i]);
    fprintf(out, " (%llu packets, %zu flows", (unsigned long long)s->packets, s->n_conns);
    if (s->packets > 0) {
        nat_put_time(f, sizeof(f), s->first);
        nat_put_time(l, sizeof(l), s->last);
        fprintf(out, ", %s to %s", f, l);
    }
    fprintf(out, "%s)\n", s->incomplete ? ", not read to its end" : "");
}

void nat_put_offset(char *buf, size_t len, ps_time off)
{
    ps_time a = off < 0 ? -off : off;
    snprintf(buf, len, "%c%lld.%06lld s", off < 0 ? '-' : '+', (long long)(a / 1000000000),
             (long long)(a % 1000000000 / 1000));
}

bool nat_sentence(const struct nat_result *r, size_t n, char *buf, size_t len)
{
    char off[40];
    size_t k = 0;

    if (n == k++) {
        nat_put_offset(off, sizeof(off), r->offset);
        if (r->offset_known)
            snprintf(buf, len,
                     "The outside capture's clock reads %s against the inside capture's: the "
                     "median over %zu connections found in both by their contents.",
                     off, r->offset_samples);
        else
            snprintf(buf, len,
                     "No connection was found in both captures by its contents alone, "
                     "so the clocks' offset is unknown and no pairing rests on timing.");
        return true;
    }
    if (n >= k && n < k + r->n_publics) {
        const struct nat_public *p = &r->publics[n - k];
        char a[64];
        nat_put_addr(a, sizeof(a), p->family, p->addr);
        snprintf(buf, len,
                 "The router's public address %s stands for %zu inside host(s) in %zu "
                 "connection(s) and takes in %zu port forward(s).",
                 a, p->inside_hosts, p->connections, p->forwards);
        return true;
    }
    k += r->n_publics;
    if (n == k++) {
        static const char *const ports[] = {
            "No connection from inside went out through source NAT, so nothing shows how the "
            "router picks client ports.",
            "The router kept every client's source port (%zu kept): it rewrote addresses only.",
            "The router kept client ports (%zu kept) but rewrote %zu, where the port was "
            "already in use at the public address.",
            "The router rewrote client ports (%zu kept, %zu rewritten) to ports that follow "
            "one another.",
            "The router rewrote client ports (%zu kept, %zu rewritten) to ports in no order "
            "(random).",
        };
        snprintf(buf, len, ports[r->ports], r->ports_kept, r->ports_rewritten);
        return true;
    }
    if (n == k++) {
        snprintf(buf, len,
                 "%zu flow(s) inside and %zu outside fit more than one flow of the other capture, "
                 "or the same one as another flow: they are left unpaired rather than guessed. "
                 "%zu inside flow(s) do not appear outside (blocked, local, or outside the time "
                 "of the other capture); %zu outside flow(s) do not appear inside (unsolicited, "
                 "or to the router itself).",
                 r->ambiguous_inside, r->ambiguous_outside, r->count[NAT_INSIDE_ONLY],
                 r->count[NAT_OUTSIDE_ONLY]);
        return true;
    }
    return false;
}

struct json_t *nat_explain_json(const struct nat_result *r)
{
    json_t *a = json_array();
    char buf[NAT_SENTENCE];

    for (size_t n = 0; nat_sentence(r, n, buf, sizeof(buf)); n++)
        json_array_append_new(a, json_string(buf));
    return a;
}

static void put_summary(FILE *out, const struct nat_side *in, const struct nat_side *outs,
                        const struct nat_result *r)
{
    fprintf(out, "\nSummary\n");
    fprintf(out, "  paired          %zu (%zu port forwards)\n", r->count[NAT_PAIRED], r->forwards);
    fprintf(out, "  inside flows    %zu = %zu paired + %zu ambiguous + %zu inside only\n",
            in->n_conns, r->count[NAT_PAIRED], r->ambiguous_inside, r->count[NAT_INSIDE_ONLY]);
    fprintf(out, "  outside flows   %zu = %zu paired + %zu ambiguous + %zu outside only\n",
            outs->n_conns, r->count[NAT_PAIRED], r->ambiguous_outside, r->count[NAT_OUTSIDE_ONLY]);
    for (size_t i = 0; i < r->n_publics; i++) {
        char a[64];
        nat_put_addr(a, sizeof(a), r->publics[i].family, r->publics[i].addr);
        fprintf(out, "  public address  %s: %zu inside hosts, %zu connections, %zu forwards\n", a,
                r->publics[i].inside_hosts, r->publics[i].connections, r->publics[i].forwards);
    }
    fprintf(out, "  client ports    %s (%zu preserved, %zu rewritten)\n", nat_ports_name(r->ports),
            r->ports_kept, r->ports_rewritten);
}

int nat_write_text(FILE *out, bool explain, const struct nat_side *in, const struct nat_side *outs,
                   const struct nat_result *r)
{
    char off[40], buf[NAT_SENTENCE];

    put_side(out, "inside", in);
    put_side(out, "outside", outs);
    nat_put_offset(off, sizeof(off), r->offset);
    if (r->offset_known)
        fprintf(out, "clock offset: outside = inside %s (median of %zu pairs)\n\n", off,
                r->offset_samples);
    else
        fprintf(out, "clock offset: unknown\n\n");
    put_table(out, in, outs, r);
    put_summary(out, in, outs, r);
    if (explain) {
        fputc('\n', out);
        for (size_t n = 0; nat_sentence(r, n, buf, sizeof(buf)); n++)
            fprintf(out, "%s\n", buf);
    }
    return ferror(out) ? -1 : 0;
}
