/*
 * nat_index.c - the outside flows indexed by each kind of evidence: per kind, an array of
 * (signature, start, flow) sorted by signature then start, and a directory by the signature's
 * top bits, so that a lookup reads one bucket (signatures are hashes: about one entry a bucket)
 * instead of searching the whole array. A kind's index is built the first time it is asked:
 * most flows pair by their first kind, and the timing kinds are rarely needed.
 */
#include <stdlib.h>
#include <string.h>

#include "nat.h"
#include "nat_int.h"

static uint64_t mix(uint64_t a, uint64_t b)
{
    static const uint64_t secret[2] = {0x94d049bb133111ebULL, 0xbf58476d1ce4e5b9ULL};
    return ps_hash2(a, b, secret);
}

bool nat_signature(const struct nat_conn *c, int k, uint64_t *sig)
{
    uint64_t h = (uint64_t)c->proto << 8 | c->family;

    switch (k) {
    case NAT_SIG_ISN:
        if (!(c->have & NAT_HAVE_ISN_C))
            return false;
        *sig = mix(h, c->isn[0]);
        return true;
    case NAT_SIG_PAY_C:
    case NAT_SIG_PAY_S: {
        int d = k == NAT_SIG_PAY_C ? 0 : 1;
        if (!(c->have & (d == 0 ? NAT_HAVE_PAY_C : NAT_HAVE_PAY_S)))
            return false;
        *sig = mix(mix(h ^ (uint64_t)(d + 1) << 16, (uint64_t)c->pay_seq[d] << 32 | c->pay_len[d]),
                   c->pay_hash[d]);
        return true;
    }
    case NAT_SIG_SERVER:
    case NAT_SIG_CLIENT: {
        const uint8_t *a = k == NAT_SIG_SERVER ? c->server_addr : c->client_addr;
        uint16_t port = k == NAT_SIG_SERVER ? c->server_port : c->client_port;
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
 * IPv4 broadcast, unspecified. */
static bool link_only(uint8_t family, const uint8_t *a)
{
    if (family == 6)
        return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
    return (a[0] & 0xf0) == 0xe0 || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) || a[0] == 0;
}

bool nat_crosses(const struct nat_conn *c)
{
    if (c->scope != PKT_SCOPE_ECHO && c->proto != PS_IPPROTO_TCP && c->proto != PS_IPPROTO_UDP &&
        c->proto != PS_IPPROTO_SCTP)
        return false;
    return !link_only(c->family, c->client_addr) && !link_only(c->family, c->server_addr);
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct nat_sig_entry *a = pa, *b = pb;

    if (a->sig != b->sig)
        return a->sig < b->sig ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int nat_index_init(struct nat_index *ix, const struct nat_side *side)
{
    memset(ix, 0, sizeof(*ix));
    ix->side = side;
    return 0;
}

/* Entries in signature order, then start order: a stable radix sort on the signature (the
 * entries come in flow order, which is nearly start order), then each run of one signature put in
 * start order, which it nearly is already. qsort() on a million entries took a second. */
static int sort_entries(struct nat_sig_entry *e, size_t n)
{
    struct nat_sig_entry *tmp = malloc((n + 1) * sizeof(*tmp)), *from = e, *to = tmp;
    size_t count[256];

    if (tmp == NULL)
        return -1;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t sum = 0;

        memset(count, 0, sizeof(count));
        for (size_t i = 0; i < n; i++)
            count[(from[i].sig >> shift) & 0xff]++;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].sig >> shift) & 0xff]++] = from[i];
        struct nat_sig_entry *t = from;
        from = to, to = t;
    }
    free(tmp); /* eight passes: the sorted entries are back in e */
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && e[j].sig == e[i].sig;)
            j++;
        if (j - i > 32) {
            qsort(e + i, j - i, sizeof(*e), entry_cmp);
            continue;
        }
        for (size_t k = i + 1; k < j; k++) /* insertion: the run is short */
            for (size_t m = k; m > i && entry_cmp(&e[m - 1], &e[m]) > 0; m--) {
                struct nat_sig_entry t = e[m];
                e[m] = e[m - 1], e[m - 1] = t;
            }
    }
    return 0;
}

/* Kind k's entries and directory. Returns -1 when memory ran out. */
static int build(struct nat_index *ix, int k)
{
    const struct nat_side *s = ix->side;
    unsigned bits = 1;

    ix->built[k] = true;
    ix->e[k] = malloc((s->n_conns + 1) * sizeof(struct nat_sig_entry));
    if (ix->e[k] == NULL)
        return -1;
    for (size_t i = 0; i < s->n_conns; i++) {
        uint64_t sig;

        if (nat_crosses(&s->conns[i]) && nat_signature(&s->conns[i], k, &sig))
            ix->e[k][ix->n[k]++] = (struct nat_sig_entry){sig, s->conns[i].first_seen, (uint32_t)i};
    }
    if (sort_entries(ix->e[k], ix->n[k]) != 0)
        return -1;
    while (bits < 30 && ((size_t)1 << bits) < ix->n[k])
        bits++;
    ix->shift[k] = 64 - bits;
    ix->dir[k] = malloc((((size_t)1 << bits) + 1) * sizeof(uint32_t));
    if (ix->dir[k] == NULL)
        return -1;
    size_t j = 0;
    for (size_t b = 0; b <= ((size_t)1 << bits); b++) {
        while (j < ix->n[k] && (ix->e[k][j].sig >> ix->shift[k]) < b)
            j++;
        ix->dir[k][b] = (uint32_t)j;
    }
    return 0;
}

size_t nat_index_lower(struct nat_index *ix, int k, uint64_t sig, ps_time first, size_t *end)
{
    if (!ix->built[k] && build(ix, k) != 0)
        ix->failed = true;
    if (ix->dir[k] == NULL) {
        *end = 0;
        return 0;
    }
    size_t b = (size_t)(sig >> ix->shift[k]), lo = ix->dir[k][b], hi = ix->dir[k][b + 1];

    *end = hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct nat_sig_entry *e = &ix->e[k][mid];

        if (e->sig < sig || (e->sig == sig && e->first < first))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void nat_index_free(struct nat_index *ix)
{
    for (int k = 0; k < NAT_SIG__COUNT; k++) {
        free(ix->e[k]);
        free(ix->dir[k]);
    }
}
