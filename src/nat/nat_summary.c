/*
 * nat_summary.c - what a student copies from the table: the router's public addresses and the
 * inside hosts behind each, how it chose client ports; why flows stayed unpaired; the names.
 */
#include <stdlib.h>
#include <string.h>

#include "nat.h"
#include "nat_int.h"

/* Rewritten ports this close to the one before count as sequential (Linux picks the next free). */
#define NAT_SEQUENTIAL_STEP 64

static struct nat_public *public_of(struct nat_result *r, size_t *cap, uint8_t family,
                                    const uint8_t *addr)
{
    for (size_t i = 0; i < r->n_publics; i++)
        if (r->publics[i].family == family && memcmp(r->publics[i].addr, addr, 16) == 0)
            return &r->publics[i];
    if (r->n_publics == *cap) {
        size_t ncap = *cap != 0 ? *cap * 2 : 4;
        struct nat_public *n = realloc(r->publics, ncap * sizeof(*n));
        if (n == NULL)
            return NULL;
        r->publics = n;
        *cap = ncap;
    }
    struct nat_public *p = &r->publics[r->n_publics++];
    memset(p, 0, sizeof(*p));
    p->family = family;
    memcpy(p->addr, addr, 16);
    return p;
}

/* The inside clients seen behind each public address, each counted once: a set of (public
 * address, client address) by open addressing, sized for every pair. */
struct host_set {
    struct host_of {
        size_t pub;
        uint8_t addr[16];
    } * slot;
    size_t mask;
};

static int host_set_init(struct host_set *h, size_t n)
{
    size_t cap = 16;

    while (cap < 2 * n)
        cap *= 2;
    h->mask = cap - 1;
    h->slot = calloc(cap, sizeof(*h->slot)); /* pub 0 marks a free slot: publics count from 1 */
    return h->slot != NULL ? 0 : -1;
}

/* Adds (pub, addr); true when it was not there. */
static bool host_set_add(struct host_set *h, size_t pub, const uint8_t *addr)
{
    static const uint64_t secret[2] = {0x5851f42d4c957f2dULL, 0x14057b7ef767814fULL};
    uint64_t w[2];

    memcpy(w, addr, 16);
    for (size_t i = ps_hash2(ps_hash2(pub, w[0], secret), w[1], secret) & h->mask;;
         i = (i + 1) & h->mask) {
        struct host_of *s = &h->slot[i];
        if (s->pub == 0) {
            s->pub = pub + 1;
            memcpy(s->addr, addr, 16);
            return true;
        }
        if (s->pub == pub + 1 && memcmp(s->addr, addr, 16) == 0)
            return false;
    }
}

/* port[j]: the port the router gave outside flow j when it rewrote one, else NAT_PORT_KEPT.
 * In outside flow order, which is the order the router chose them in. */
#define NAT_PORT_KEPT UINT32_MAX

static uint8_t port_policy(const uint32_t *port, size_t n, size_t kept, size_t rewritten)
{
    size_t close = 0;
    uint32_t prev = NAT_PORT_KEPT;

    if (kept + rewritten == 0)
        return NAT_PORTS_UNKNOWN;
    if (rewritten == 0)
        return NAT_PORTS_PRESERVED;
    if (kept >= rewritten)
        return NAT_PORTS_MOSTLY;
    for (size_t j = 0; j < n; j++) {
        if (port[j] == NAT_PORT_KEPT)
            continue;
        int step = (int)port[j] - (int)prev;
        close +=
            prev != NAT_PORT_KEPT && step >= -NAT_SEQUENTIAL_STEP && step <= NAT_SEQUENTIAL_STEP;
        prev = port[j];
    }
    /* Three ports make two steps: fewer tell nothing. */
    return rewritten >= 3 && close * 4 >= (rewritten - 1) * 3 ? NAT_PORTS_SEQUENTIAL
                                                              : NAT_PORTS_RANDOM;
}

/* The public addresses, the hosts behind them, the ports. */
static int gather(const struct nat_side *in, const struct nat_side *out, struct nat_result *r,
                  struct host_set *hosts, uint32_t *port)
{
    size_t cap = 0;

    for (size_t i = 0; i < r->n_rows; i++) {
        const struct nat_row *row = &r->rows[i];
        if (row->status != NAT_PAIRED || row->kind == NAT_KIND_ROUTED)
            continue;
        const struct nat_conn *a = &in->conns[row->inside], *b = &out->conns[row->outside];
        bool forward = row->kind == NAT_KIND_FORWARD;
        struct nat_public *p =
            public_of(r, &cap, b->family, forward ? b->server_addr : b->client_addr);
        if (p == NULL)
            return -1;
        if (forward) {
            p->forwards++;
            r->forwards++;
            continue;
        }
        p->connections++;
        p->inside_hosts += host_set_add(hosts, (size_t)(p - r->publics), a->client_addr);
        if (a->proto == PS_IPPROTO_ICMP || a->proto == PS_IPPROTO_ICMPV6)
            continue; /* an echo identifier is no port a client chose */
        if (a->client_port == b->client_port) {
            r->ports_kept++;
        } else {
            r->ports_rewritten++;
            port[row->outside] = b->client_port;
        }
    }
    return 0;
}

/* Outside-only flows at the router's own addresses were not forwarded, whenever they came;
 * others came before or after the inside capture, or unsolicited. */
static void outside_reasons(const struct nat_side *out, struct nat_result *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        struct nat_row *row = &r->rows[i];
        if (row->status != NAT_OUTSIDE_ONLY || row->reason == NAT_REASON_LOCAL)
            continue;
        const struct nat_conn *b = &out->conns[row->outside];
        for (size_t k = 0; k < r->n_publics; k++)
            if (r->publics[k].family == b->family &&
                memcmp(r->publics[k].addr, b->server_addr, 16) == 0)
                row->reason = NAT_REASON_TO_ROUTER;
        if (row->reason == NAT_REASON_NONE)
            row->reason = NAT_REASON_UNSOLICITED;
    }
}

int nat_summarise(const struct nat_side *in, const struct nat_side *out, struct nat_result *r)
{
    struct host_set hosts = {NULL, 0};
    uint32_t *port = malloc((out->n_conns + 1) * sizeof(*port));
    int rc = -1;

    if (port != NULL && host_set_init(&hosts, r->count[NAT_PAIRED]) == 0) {
        for (size_t j = 0; j < out->n_conns; j++)
            port[j] = NAT_PORT_KEPT;
        if (gather(in, out, r, &hosts, port) == 0) {
            r->ports = port_policy(port, out->n_conns, r->ports_kept, r->ports_rewritten);
            outside_reasons(out, r);
            rc = 0;
        }
    }
    free(hosts.slot);
    free(port);
    return rc;
}

void nat_verdict_message(enum nat_verdict v, const struct nat_side *in, const struct nat_side *out,
                         const struct nat_result *r, char *buf, size_t len)
{
    bool overlap =
        in->packets > 0 && out->packets > 0 && in->first <= out->last && out->first <= in->last;

    switch (v) {
    case NAT_ERR_SAME:
        snprintf(buf, len,
                 "the inside and the outside capture hold the same packets: give the "
                 "capture of each side of the router");
        break;
    case NAT_ERR_SAME_POINT:
        snprintf(buf, len,
                 "every connection in both captures is unchanged and seen at the same "
                 "instant: the captures were taken at one point, not on the two sides "
                 "of a router");
        break;
    case NAT_ERR_EMPTY:
        snprintf(buf, len, "the %s capture has no flow to pair",
                 in->n_conns == 0 ? "inside" : "outside");
        break;
    case NAT_ERR_UNRELATED:
        if (r->ambiguous_inside > 0) {
            snprintf(buf, len,
                     "no flow of the inside capture (%zu flows) pairs with one of the outside "
                     "capture (%zu flows) alone: %zu fit several flows of the other capture (the "
                     "same sequence numbers and payloads) and none is guessed",
                     in->n_conns, out->n_conns, r->ambiguous_inside);
            break;
        }
        snprintf(buf, len,
                 "no flow of the inside capture (%zu flows) pairs with one of the outside "
                 "capture (%zu flows): no TCP sequence number, payload or ICMP echo is in "
                 "both%s",
                 in->n_conns, out->n_conns,
                 overlap ? "; captures of two unrelated networks?"
                         : ", and their times do not overlap (if the clocks agree, they were "
                           "not taken at the same time)");
        break;
    case NAT_ERR_MEMORY:
        snprintf(buf, len, "out of memory");
        break;
    default:
        snprintf(buf, len, "paired");
        break;
    }
}

const char *nat_kind_name(uint8_t kind)
{
    static const char *const names[] = {"source-nat", "forward", "both", "routed"};
    return kind < 4 ? names[kind] : "?";
}

const char *nat_change_name(uint8_t change)
{
    static const char *const names[] = {"nothing", "address", "port", "address+port"};
    return change < 4 ? names[change] : "?";
}

const char *nat_status_name(uint8_t status)
{
    static const char *const names[] = {"paired", "ambiguous", "inside-only", "outside-only"};
    return status < 4 ? names[status] : "?";
}

const char *nat_reason_name(uint8_t reason)
{
    static const char *const names[] = {
        "",          "before-other-capture", "after-other-capture", "not-routed-out",
        "to-router", "unsolicited",          "several-fit",         "local"};
    return reason < 8 ? names[reason] : "?";
}

const char *nat_strength_name(uint8_t strength)
{
    static const char *const names[] = {"weak", "medium", "strong"};
    return strength < 3 ? names[strength] : "?";
}

const char *nat_ports_name(uint8_t ports)
{
    static const char *const names[] = {"unknown", "preserved", "preserved-unless-taken",
                                        "sequential", "random"};
    return ports < 5 ? names[ports] : "?";
}

const char *nat_evidence_name(unsigned bit_index)
{
    static const char *const names[NAT_EV_COUNT] = {"isn", "payload", "ip-id", "icmp-seq",
                                                    "timing"};
    return bit_index < NAT_EV_COUNT ? names[bit_index] : "?";
}
