/*
 * nat_match.c - pairing the flows of the inside capture with those of the outside capture.
 *
 * Every outside flow is indexed by each kind of evidence it has (a sorted array of signatures
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

/* The kinds of evidence an inside flow looks for its outside flow by, strongest first. */
enum sig_kind { SIG_ISN, SIG_PAY_C, SIG_PAY_S, SIG_SERVER, SIG_CLIENT, SIG__COUNT };
#define SIG_FIRST_TIMED SIG_SERVER /* kinds from here on are only asked with the offset known */

/* Fits looked at per inside flow at most: beyond, it is ambiguous anyway. */
#define NAT_MAX_FITS 64

struct sig_entry {
    uint64_t sig;
    ps_time first; /* the outside flow's start: entries of one signature in time order */
    uint32_t idx;
};

struct sig_index {
    struct sig_entry *e[SIG__COUNT];
    size_t n[SIG__COUNT];
};

static uint64_t mix(uint64_t a, uint64_t b)
{
    static const uint64_t secret[2] = {0x94d049bb133111ebULL, 0xbf58476d1ce4e5b9ULL};
    return ps_hash2(a, b, secret);
}

/* The signature of record c by kind k; false when c has no evidence of that kind. */
static bool signature(const struct nat_conn *c, int k, uint64_t *sig)
{
    uint64_t h = (uint64_t)c->proto << 8 | c->family;

    switch (k) {
    case SIG_ISN:
        if (!(c->have & NAT_HAVE_ISN_C))
            return false;
        *sig = mix(h, c->isn[0]);
        return true;
    case SIG_PAY_C:
    case SIG_PAY_S: {
        int d = k == SIG_PAY_C ? 0 : 1;
        if (!(c->have & (d == 0 ? NAT_HAVE_PAY_C : NAT_HAVE_PAY_S)))
            return false;
        *sig = mix(mix(h ^ (uint64_t)(d + 1) << 16, (uint64_t)c->pay_seq[d] << 32 | c->pay_len[d]),
                   c->pay_hash[d]);
        return true;
    }
    case SIG_SERVER:
    case SIG_CLIENT: {
        const uint8_t *a = k == SIG_SERVER ? c->server_addr : c->client_addr;
        uint16_t port = k == SIG_SERVER ? c->server_port : c->client_port;
        uint64_t w[2];

        memcpy(w, a, 16);
        *sig = mix(mix(h ^ (uint64_t)k << 16 ^ (uint64_t)port << 32, w[0]), w[1]);
        return true;
    }
    default:
        return false;
    }
}

/* Whether an address is of one link only (or of many hosts at once): link-local, multicast,
 * IPv4 broadcast. */
static bool link_only(uint8_t family, const uint8_t *a)
{
    if (family == 6)
        return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
    return (a[0] & 0xf0) == 0xe0 || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) || a[0] == 0;
}

/* Whether a flow can cross a NAT router as a connection of its own: ports or ICMP echo, between
 * routable addresses. Router solicitations and multicast reports carry the same bytes on both
 * sides of a router, and must not pair by them. */
static bool crosses(const struct nat_conn *c)
{
    if (c->scope != PKT_SCOPE_ECHO && c->proto != PS_IPPROTO_TCP && c->proto != PS_IPPROTO_UDP &&
        c->proto != PS_IPPROTO_SCTP)
        return false;
    return !link_only(c->family, c->client_addr) && !link_only(c->family, c->server_addr);
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct sig_entry *a = pa, *b = pb;

    if (a->sig != b->sig)
        return a->sig < b->sig ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int index_build(struct sig_index *ix, const struct nat_side *out)
{
    memset(ix, 0, sizeof(*ix));
    for (int k = 0; k < SIG__COUNT; k++) {
        ix->e[k] = malloc((out->n_conns + 1) * sizeof(struct sig_entry));
        if (ix->e[k] == NULL)
            return -1;
        for (size_t i = 0; i < out->n_conns; i++) {
            uint64_t sig;

            if (crosses(&out->conns[i]) && signature(&out->conns[i], k, &sig))
                ix->e[k][ix->n[k]++] =
                    (struct sig_entry){sig, out->conns[i].first_seen, (uint32_t)i};
        }
        qsort(ix->e[k], ix->n[k], sizeof(struct sig_entry), entry_cmp);
    }
    return 0;
}

static void index_free(struct sig_index *ix)
{
    for (int k = 0; k < SIG__COUNT; k++)
        free(ix->e[k]);
}

/* The first entry of kind k not before (sig, first). */
static size_t index_lower(const struct sig_index *ix, int k, uint64_t sig, ps_time first)
{
    size_t lo = 0, hi = ix->n[k];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sig_entry *e = &ix->e[k][mid];

        if (e->sig < sig || (e->sig == sig && e->first < first))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

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
                            const struct sig_index *ix, const struct fit_ctx *x, uint32_t *claims)
{
    struct found f = {0, 0, 0};
    int kinds = x->timed ? SIG__COUNT : SIG_FIRST_TIMED;

    for (int k = 0; k < kinds && f.fits == 0 && crosses(a); k++) {
        uint64_t sig;

        if (!signature(a, k, &sig))
            continue;
        ps_time from = x->timed ? a->first_seen + x->offset - x->tolerance : INT64_MIN;
        for (size_t j = index_lower(ix, k, sig, from); j < ix->n[k] && ix->e[k][j].sig == sig;
             j++) {
            const struct sig_entry *e = &ix->e[k][j];
            int ev;

            if (x->timed && e->first > a->first_seen + x->offset + x->tolerance)
                break;
            if ((ev = nat_fit(a, &out->conns[e->idx], x)) < 0)
                continue;
            if (k >= SIG_FIRST_TIMED && (ev & ~NAT_EV_TIMING) == 0 &&
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

static int time_cmp(const void *pa, const void *pb)
{
    ps_time a = *(const ps_time *)pa, b = *(const ps_time *)pb;
    return a < b ? -1 : a > b;
}

/* The first round: the offset, as the median start difference of the strong (else medium)
 * pairs found without timing. */
static int estimate_offset(const struct nat_side *in, const struct nat_side *out,
                           const struct sig_index *ix, struct nat_result *r)
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
        qsort(d[use], n[use], sizeof(ps_time), time_cmp);
        r->offset_known = true;
        r->offset = d[use][n[use] / 2];
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
            if (!crosses(&in->conns[i]))
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
            row.reason = crosses(&out->conns[j])
                             ? reason_of(&out->conns[j], r->offset_known ? -r->offset : 0, in)
                             : NAT_REASON_LOCAL;
        }
        if (add_row(r, cap, row) != 0)
            return -1;
    }
    return 0;
}

/* The second round: every inside record looked up again, now with timing, and the rows. */
static int make_rows(const struct nat_side *in, const struct nat_side *out,
                     const struct sig_index *ix, struct nat_result *r)
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

enum nat_verdict nat_pair(const struct nat_side *inside, const struct nat_side *outside,
                          struct nat_result *r)
{
    struct sig_index ix;
    enum nat_verdict v = NAT_OK;

    memset(r, 0, sizeof(*r));
    r->tolerance = NAT_TIME_TOLERANCE_NS;
    if (inside->packets > 0 && inside->packets == outside->packets &&
        inside->fingerprint == outside->fingerprint)
        return NAT_ERR_SAME;
    if (inside->n_conns == 0 || outside->n_conns == 0)
        return NAT_ERR_EMPTY;
    if (index_build(&ix, outside) != 0 || estimate_offset(inside, outside, &ix, r) != 0 ||
        make_rows(inside, outside, &ix, r) != 0 || nat_summarise(inside, outside, r) != 0)
        v = NAT_ERR_MEMORY;
    else if (r->count[NAT_PAIRED] == 0)
        v = NAT_ERR_UNRELATED;
    index_free(&ix);
    return v;
}

void nat_result_release(struct nat_result *r)
{
    free(r->rows);
    free(r->publics);
    memset(r, 0, sizeof(*r));
}
