/*
 * nat_match.c - pairing the flows of the inside capture with those of the outside capture.
 *
 * Every outside flow is indexed by each kind of evidence it has (nat_index.c: sorted signatures
 * per kind: a hash join, never all pairs). Each inside flow looks itself up by its strongest
 * kind first; the flows found are kept when nothing else they carry contradicts (nat_fit()), and
 * the first kind that finds any decides. A pair is made only when each of its two flows is the
 * other's one fit; anything else that fits is ambiguous, and is reported so.
 *
 * Clocks: a first round without timing finds the strong pairs; the median of their start-time
 * differences is the clock offset. A second round then also asks every fit to start at the same
 * time after the offset, which tells apart flows whose contents are the same, and pairs flows
 * without contents by their unchanged remote endpoint and time alone (weak evidence).
 */
#include <stdlib.h>
#include <string.h>

#include "nat.h"
#include "nat_int.h"

/* Fits looked at per inside flow at most: beyond, it is ambiguous anyway. */
#define NAT_MAX_FITS 64

bool nat_same_client(const struct nat_conn *a, const struct nat_conn *b)
{
    return a->client_port == b->client_port && memcmp(a->client_addr, b->client_addr, 16) == 0;
}

bool nat_same_server(const struct nat_conn *a, const struct nat_conn *b)
{
    return a->server_port == b->server_port && memcmp(a->server_addr, b->server_addr, 16) == 0;
}

/* Payload of direction d: -1 contradicts, 1 agrees, 0 not comparable. */
static int payload_agrees(const struct nat_conn *a, const struct nat_conn *b, int d)
{
    uint8_t bit = d == 0 ? NAT_HAVE_PAY_C : NAT_HAVE_PAY_S;

    if (!(a->have & b->have & bit) || a->pay_seq[d] != b->pay_seq[d])
        return 0; /* TCP: a first payload the other capture lost is at another sequence number */
    return a->pay_len[d] == b->pay_len[d] && a->pay_hash[d] == b->pay_hash[d] ? 1 : -1;
}

struct fit_ctx {
    bool timed; /* the offset is known: fits must start at the same time after it */
    ps_time offset, tolerance;
};

/* The evidence that inside record a and outside record b are one connection (NAT_EV_* bits),
 * or -1 when anything they carry contradicts it. */
static int nat_fit(const struct nat_conn *a, const struct nat_conn *b, const struct fit_ctx *x)
{
    int ev = 0, p;

    if (a->proto != b->proto || a->family != b->family)
        return -1;
    for (int d = 0; d < 2; d++) {
        uint8_t bit = d == 0 ? NAT_HAVE_ISN_C : NAT_HAVE_ISN_S;
        if (a->have & b->have & bit)
            ev |= a->isn[d] == b->isn[d] ? NAT_EV_ISN : -1;
        if ((p = payload_agrees(a, b, d)) != 0)
            ev |= p > 0 ? NAT_EV_PAYLOAD : -1;
    }
    if (ev < 0)
        return -1;
    if (payload_agrees(a, b, 0) > 0 && (a->have & b->have & NAT_HAVE_IPID_C) &&
        a->ip_id[0] == b->ip_id[0])
        ev |= NAT_EV_IPID; /* a router may renumber; only agreement counts */
    if (a->have & b->have & NAT_HAVE_ECHO) {
        if (a->echo_seq != b->echo_seq)
            return -1;
        ev |= NAT_EV_ECHO;
    }
    if (x->timed) {
        ps_time skew = b->first_seen - a->first_seen - x->offset;
        if (skew > x->tolerance || skew < -x->tolerance)
            return -1;
        ev |= NAT_EV_TIMING;
    }
    return ev;
}

/* What one inside record found: how many outside records fit, the first of them, and how. */
struct found {
    uint32_t fits;
    uint32_t first;
    uint8_t evidence;
};

/* Looks inside record a up, strongest kind first; `claims` counts the inside records each
 * outside record fits. */
static struct found look_up(const struct nat_conn *a, const struct nat_side *out,
                            struct nat_index *ix, const struct fit_ctx *x, uint32_t *claims)
{
    struct found f = {0, 0, 0};
    int kinds = x->timed ? NAT_SIG__COUNT : NAT_SIG_FIRST_TIMED;

    for (int k = 0; k < kinds && f.fits == 0 && nat_crosses(a); k++) {
        uint64_t sig;

        if (!nat_signature(a, k, &sig))
            continue;
        ps_time from = x->timed ? a->first_seen + x->offset - x->tolerance : INT64_MIN;
        size_t end, j = nat_index_lower(ix, k, sig, from, &end);
        for (; j < end && ix->e[k][j].sig == sig; j++) {
            const struct nat_sig_entry *e = &ix->e[k][j];
            int ev;

            if (x->timed && e->first > a->first_seen + x->offset + x->tolerance)
                break;
            if ((ev = nat_fit(a, &out->conns[e->idx], x)) < 0)
                continue;
            if (k >= NAT_SIG_FIRST_TIMED && (ev & ~NAT_EV_TIMING) == 0 &&
                (a->have & out->conns[e->idx].have & (NAT_HAVE_ISN_C | NAT_HAVE_PAY_C)))
                continue; /* both carry contents that did not match: not the same flow */
            if (f.fits++ == 0) {
                f.first = e->idx;
                f.evidence = (uint8_t)ev;
            }
            if (claims != NULL)
                claims[e->idx]++;
            if (f.fits == NAT_MAX_FITS)
                break;
        }
    }
    return f;
}

static uint8_t strength_of(const struct nat_conn *a, uint8_t ev)
{
    int score = 0;

    if (ev & NAT_EV_ISN)
        score += (a->have & NAT_HAVE_ISN_C) && (a->have & NAT_HAVE_ISN_S) ? 3 : 2;
    if (ev & NAT_EV_PAYLOAD)
        score += a->pay_len[0] >= 16 || a->pay_len[1] >= 16 ? 2 : 1;
    if (ev & NAT_EV_IPID)
        score++;
    if (ev & NAT_EV_ECHO)
        score++;
    return score >= 3 ? NAT_STRONG : score == 2 ? NAT_MEDIUM : NAT_WEAK;
}

/* The median of v[0..n) (the upper one of an even count), found in place without sorting: a
 * quickselect with a three-way partition, since offsets often repeat to the microsecond. */
static ps_time median(ps_time *v, size_t n)
{
    size_t lo = 0, hi = n - 1, k = n / 2;

    while (lo < hi) {
        ps_time pivot = v[lo + (hi - lo) / 2], t;
        size_t lt = lo, i = lo, gt = hi; /* [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > */

        while (i <= gt) {
            if (v[i] < pivot) {
                t = v[lt], v[lt++] = v[i], v[i++] = t;
            } else if (v[i] > pivot) {
                t = v[gt], v[gt] = v[i], v[i] = t;
                gt--; /* the pivot's own value stays at or above lt: gt never passes 0 */
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt - 1;
        else if (k > gt)
            lo = gt + 1;
        else
            return pivot;
    }
    return v[k];
}

/* The first round: the offset, as the median start difference of the strong (else medium)
 * pairs found without timing. */
static int estimate_offset(const struct nat_side *in, const struct nat_side *out,
                           struct nat_index *ix, struct nat_result *r)
{
    struct fit_ctx x = {false, 0, 0};
    ps_time *d[2];
    size_t n[2] = {0, 0};
    uint32_t *claims = calloc(out->n_conns + 1, sizeof(*claims));
    struct found *fs = malloc((in->n_conns + 1) * sizeof(*fs));

    d[0] = malloc((in->n_conns + 1) * sizeof(ps_time));
    d[1] = malloc((in->n_conns + 1) * sizeof(ps_time));
    if (claims == NULL || fs == NULL || d[0] == NULL || d[1] == NULL) {
        free(claims), free(fs), free(d[0]), free(d[1]);
        return -1;
    }
    for (size_t i = 0; i < in->n_conns; i++)
        fs[i] = look_up(&in->conns[i], out, ix, &x, claims);
    for (size_t i = 0; i < in->n_conns; i++) {
        if (fs[i].fits != 1 || claims[fs[i].first] != 1)
            continue;
        uint8_t s = strength_of(&in->conns[i], fs[i].evidence);
        if (s == NAT_WEAK)
            continue;
        d[s == NAT_STRONG ? 0 : 1][n[s == NAT_STRONG ? 0 : 1]++] =
            out->conns[fs[i].first].first_seen - in->conns[i].first_seen;
    }
    int use = n[0] > 0 ? 0 : 1;
    if (n[use] > 0) {
        r->offset_known = true;
        r->offset = median(d[use], n[use]);
        r->offset_samples = n[use];
    }
    free(claims), free(fs), free(d[0]), free(d[1]);
    return 0;
}

static void classify(struct nat_row *row, const struct nat_conn *a, const struct nat_conn *b)
{
    bool cli = nat_same_client(a, b), srv = nat_same_server(a, b);
    const uint8_t *aa = cli ? a->server_addr : a->client_addr;
    const uint8_t *ba = cli ? b->server_addr : b->client_addr;
    uint16_t ap = cli ? a->server_port : a->client_port;
    uint16_t bp = cli ? b->server_port : b->client_port;
    bool addr = memcmp(aa, ba, 16) != 0, port = ap != bp;

    row->kind =
        cli ? (srv ? NAT_KIND_ROUTED : NAT_KIND_FORWARD) : (srv ? NAT_KIND_SOURCE : NAT_KIND_BOTH);
    if (row->kind == NAT_KIND_BOTH) {
        addr |= memcmp(a->server_addr, b->server_addr, 16) != 0;
        port |= a->server_port != b->server_port;
    }
    row->change = addr ? (port ? NAT_CHANGE_BOTH : NAT_CHANGE_ADDRESS)
                       : (port ? NAT_CHANGE_PORT : NAT_CHANGE_NOTHING);
}

/* Why a record of one side has no pair: its time against the other capture's, with the timing
 * window to spare (a capture's first and last packets are not when it started and ended).
 * `shift` brings its time to the other capture's clock. */
static uint8_t reason_of(const struct nat_conn *c, ps_time shift, const struct nat_side *other)
{
    if (other->packets > 0 && c->last_seen + shift < other->first - NAT_TIME_TOLERANCE_NS)
        return NAT_REASON_BEFORE_OTHER;
    if (other->packets > 0 && c->first_seen + shift > other->last + NAT_TIME_TOLERANCE_NS)
        return NAT_REASON_AFTER_OTHER;
    return NAT_REASON_NONE;
}

static int add_row(struct nat_result *r, size_t *cap, struct nat_row row)
{
    if (r->n_rows == *cap) {
        size_t ncap = *cap != 0 ? *cap * 2 : 256;
        struct nat_row *n = realloc(r->rows, ncap * sizeof(*n));
        if (n == NULL)
            return -1;
        r->rows = n;
        *cap = ncap;
    }
    r->rows[r->n_rows++] = row;
    r->count[row.status]++;
    return 0;
}

/* The rows of the inside records, in their order, each paired, ambiguous or alone. */
static int inside_rows(const struct nat_side *in, const struct nat_side *out,
                       const struct found *fs, const uint32_t *claims, uint8_t *taken,
                       struct nat_result *r, size_t *cap)
{
    for (size_t i = 0; i < in->n_conns; i++) {
        struct nat_row row = {i, NAT_NONE, NAT_INSIDE_ONLY, 0, 0, 0, 0, 0, 0};
        const struct found *f = &fs[i];

        if (f->fits == 1 && claims[f->first] == 1) {
            row.outside = f->first;
            row.status = NAT_PAIRED;
            row.evidence = f->evidence;
            row.strength =
                f->evidence == NAT_EV_TIMING ? NAT_WEAK : strength_of(&in->conns[i], f->evidence);
            classify(&row, &in->conns[i], &out->conns[f->first]);
            taken[f->first] = 1;
        } else if (f->fits > 0) {
            row.status = NAT_AMBIGUOUS;
            row.reason = NAT_REASON_CANDIDATES;
            row.candidates = f->fits > 1 ? f->fits : claims[f->first];
            r->ambiguous_inside++;
        } else {
            row.reason = reason_of(&in->conns[i], r->offset_known ? r->offset : 0, out);
            if (!nat_crosses(&in->conns[i]))
                row.reason = NAT_REASON_LOCAL;
            else if (row.reason == NAT_REASON_NONE)
                row.reason = NAT_REASON_NOT_ROUTED;
        }
        if (add_row(r, cap, row) != 0)
            return -1;
    }
    return 0;
}

static int outside_rows(const struct nat_side *in, const struct nat_side *out,
                        const uint32_t *claims, const uint8_t *taken, struct nat_result *r,
                        size_t *cap)
{
    for (size_t j = 0; j < out->n_conns; j++) {
        struct nat_row row = {NAT_NONE, j, NAT_OUTSIDE_ONLY, 0, 0, 0, 0, 0, 0};

        if (taken[j])
            continue;
        if (claims[j] > 0) {
            row.status = NAT_AMBIGUOUS;
            row.reason = NAT_REASON_CANDIDATES;
            row.candidates = claims[j];
            r->ambiguous_outside++;
        } else {
            row.reason = nat_crosses(&out->conns[j])
                             ? reason_of(&out->conns[j], r->offset_known ? -r->offset : 0, in)
                             : NAT_REASON_LOCAL;
        }
        if (add_row(r, cap, row) != 0)
            return -1;
    }
    return 0;
}

/* The second round: every inside record looked up again, now with timing, and the rows. */
static int make_rows(const struct nat_side *in, const struct nat_side *out, struct nat_index *ix,
                     struct nat_result *r)
{
    struct fit_ctx x = {r->offset_known, r->offset, r->tolerance};
    uint32_t *claims = calloc(out->n_conns + 1, sizeof(*claims));
    uint8_t *taken = calloc(out->n_conns + 1, 1);
    struct found *fs = malloc((in->n_conns + 1) * sizeof(*fs));
    size_t cap = 0;
    int rc = -1;

    if (claims != NULL && taken != NULL && fs != NULL) {
        for (size_t i = 0; i < in->n_conns; i++)
            fs[i] = look_up(&in->conns[i], out, ix, &x, claims);
        rc = inside_rows(in, out, fs, claims, taken, r, &cap) != 0 ||
                     outside_rows(in, out, claims, taken, r, &cap) != 0
                 ? -1
                 : 0;
    }
    free(claims), free(taken), free(fs);
    return rc;
}

/* Whether the two sides were captured at one point: every pair unchanged, and not a nanosecond
 * apart (a router, even one that translates nothing, takes microseconds to forward). */
static bool one_point(const struct nat_result *r)
{
    if (!r->offset_known || r->offset != 0)
        return false;
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].status == NAT_PAIRED && r->rows[i].kind != NAT_KIND_ROUTED)
            return false;
    return true;
}

enum nat_verdict nat_pair(const struct nat_side *inside, const struct nat_side *outside,
                          struct nat_result *r)
{
    struct nat_index ix;
    enum nat_verdict v = NAT_OK;

    memset(r, 0, sizeof(*r));
    r->tolerance = NAT_TIME_TOLERANCE_NS;
    if (inside->packets > 0 && inside->packets == outside->packets &&
        inside->fingerprint == outside->fingerprint)
        return NAT_ERR_SAME;
    if (inside->n_conns == 0 || outside->n_conns == 0)
        return NAT_ERR_EMPTY;
    if (nat_index_init(&ix, outside) != 0 || estimate_offset(inside, outside, &ix, r) != 0 ||
        make_rows(inside, outside, &ix, r) != 0 || ix.failed ||
        nat_summarise(inside, outside, r) != 0)
        v = NAT_ERR_MEMORY;
    else if (r->count[NAT_PAIRED] == 0)
        v = NAT_ERR_UNRELATED;
    else if (one_point(r))
        v = NAT_ERR_SAME_POINT;
    nat_index_free(&ix);
    return v;
}

void nat_result_release(struct nat_result *r)
{
    free(r->rows);
    free(r->publics);
    memset(r, 0, sizeof(*r));
}
