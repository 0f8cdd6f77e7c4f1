/*
 * nat_side.c - one side of a NAT pairing read: each packet decoded and added to a flow table of
 * the side's own, as the main report does it, so that the side's flows are the report's flows;
 * beside the table, one record per flow (struct nat_conn, indexed by flow id) keeps what pairing
 * reads and the flow table does not keep: the first payload of each direction (its hash, its
 * sequence number, its IPv4 id) and ICMP echo sequence numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "flow.h"
#include "nat.h"
#include "nat_int.h"

#define ICMP_HEADER 8 /* type, code, checksum, identifier, sequence number */

uint64_t nat_hash_bytes(const uint8_t *p, size_t n, uint64_t h)
{
    static const uint64_t secret[2] = {0x2d358dccaa6c78a5ULL, 0x8bb84b93962eacc9ULL};
    uint64_t w;

    while (n >= 8) {
        memcpy(&w, p, 8);
        h = ps_hash2(h, w, secret);
        p += 8;
        n -= 8;
    }
    w = 0;
    memcpy(&w, p, n);
    return ps_hash2(h, w ^ ((uint64_t)n << 56), secret);
}

/* The record of flow `f`, made when the flow is new: the client is the endpoint that opened
 * (SYN, echo request), or the one that sent first unless that was an answer (SYN+ACK). */
static struct nat_conn *conn_of(struct nat_side *s, size_t *cap, const struct flow *f,
                                const struct pkt_info *pkt, uint8_t sender, ps_time ts)
{
    struct nat_conn *c;

    if (f->id < s->n_conns)
        return &s->conns[f->id];
    if (f->id != s->n_conns)
        return NULL; /* ids are handed out in order; anything else is not ours to guess */
    if (s->n_conns == *cap) {
        size_t ncap = *cap != 0 ? *cap * 2 : 1024;
        struct nat_conn *n = realloc(s->conns, ncap * sizeof(*n));

        if (n == NULL)
            return NULL;
        s->conns = n;
        *cap = ncap;
    }
    c = &s->conns[s->n_conns++];
    memset(c, 0, sizeof(*c));
    c->flow_id = f->id;
    c->family = pkt->family;
    c->proto = pkt->proto;
    c->scope = pkt->scope;
    c->client_ep = pkt->hint == PKT_HINT_ACCEPT ? !sender : sender;
    bool from_client = sender == c->client_ep;
    memcpy(c->client_addr, from_client ? pkt->src : pkt->dst, 16);
    memcpy(c->server_addr, from_client ? pkt->dst : pkt->src, 16);
    c->client_port = from_client ? pkt->sport : pkt->dport;
    c->server_port = from_client ? pkt->dport : pkt->sport;
    c->first_seen = c->last_seen = ts;
    return c;
}

/* The evidence one packet adds to its flow's record: only the first of each kind counts. */
static void note_evidence(struct nat_conn *c, const struct pkt_info *pkt, uint8_t sender,
                          const struct capture_packet *p, bool fragment)
{
    int d = sender == c->client_ep ? 0 : 1;

    c->packets[d]++;
    if (pkt->l4 == NULL)
        return; /* a tunnel kept as its own flow (--no-decap): no transport header was read */
    size_t left = (size_t)(p->data + p->caplen - pkt->l4); /* l4 lies in the captured bytes */
    uint32_t l4_caplen = left < pkt->l4_len ? (uint32_t)left : pkt->l4_len;
    uint32_t header = pkt->l4_len - pkt->payload_len; /* payload_len <= l4_len */
    const uint8_t *pay = pkt->l4 + header;
    uint32_t captured = l4_caplen > header ? l4_caplen - header : 0;

    if (pkt->proto == PS_IPPROTO_TCP && (pkt->tcp_flags & PS_TCP_SYN)) {
        bool ack = pkt->tcp_flags & PS_TCP_ACK;
        uint8_t bit = ack ? NAT_HAVE_ISN_S : NAT_HAVE_ISN_C;

        if (ack == (d == 1) && !(c->have & bit)) {
            c->have |= bit;
            c->isn[d] = pkt->tcp_seq;
        }
    }
    if (pkt->scope == PKT_SCOPE_ECHO) {
        if (d == 0 && !(c->have & NAT_HAVE_ECHO) && l4_caplen >= ICMP_HEADER) {
            c->have |= NAT_HAVE_ECHO;
            c->echo_seq = (uint16_t)(pkt->l4[6] << 8 | pkt->l4[7]);
        }
        pay = pkt->l4 + ICMP_HEADER;
        captured = l4_caplen > ICMP_HEADER ? l4_caplen - ICMP_HEADER : 0;
        header = ICMP_HEADER;
    }
    /* A first fragment's payload is the fragment's: a router that reassembles and fragments
     * again (Linux conntrack does) may cut it elsewhere. */
    if (pkt->payload_len <= (pkt->scope == PKT_SCOPE_ECHO ? ICMP_HEADER : 0) || captured == 0 ||
        fragment)
        return;
    uint8_t bit = d == 0 ? NAT_HAVE_PAY_C : NAT_HAVE_PAY_S;
    if (c->have & bit)
        return;
    c->have |= bit;
    c->pay_seq[d] = pkt->proto == PS_IPPROTO_TCP ? pkt->tcp_seq : 0;
    c->pay_len[d] = pkt->l4_len - header;
    c->pay_hash[d] = nat_hash_bytes(
        pay, captured < NAT_PAYLOAD_HASHED ? captured : NAT_PAYLOAD_HASHED, c->pay_len[d]);
    c->ip_id[d] = pkt->ip_id;
    if (d == 0 && pkt->family == 4)
        c->have |= NAT_HAVE_IPID_C;
}

struct side_reader {
    struct nat_side *side;
    struct flow_table *table;
    const struct nat_read_config *cfg;
    size_t cap;
};

/* One packet: its flow, and what it tells. Returns -1 when memory ran out. */
static int read_packet(struct side_reader *rd, const struct capture_packet *p)
{
    struct nat_side *s = rd->side;
    struct pkt_info pkt;
    struct flow_packet fp = {p->ts, p->wirelen, p->caplen < p->wirelen};
    static const uint64_t secret[2] = {0x4f1bbcdcbfa53e0bULL, 0x1d8e4e27c47d124fULL};
    uint8_t sender;

    s->fingerprint = ps_hash2(s->fingerprint, (uint64_t)p->ts, secret);
    s->fingerprint = nat_hash_bytes(p->data, p->caplen < 64 ? p->caplen : 64, s->fingerprint);
    if (s->packets == 0 || p->ts < s->first)
        s->first = p->ts;
    if (s->packets == 0 || p->ts > s->last)
        s->last = p->ts;
    s->packets++;
    if (decode_packet(rd->cfg->decode, p->linktype, p->data, p->caplen, &pkt) != PS_SKIP_NONE ||
        pkt.scope == PKT_SCOPE_ICMP_ERROR) {
        s->skipped++; /* no flow of its own: later fragments, errors, what does not decode */
        return 0;
    }
    struct flow *f = flow_table_add_packet(rd->table, &pkt, &fp, &sender);
    if (f == NULL) {
        s->skipped++;
        return 0;
    }
    struct nat_conn *c = conn_of(s, &rd->cap, f, &pkt, sender, p->ts);
    if (c == NULL)
        return -1;
    if (p->ts < c->first_seen)
        c->first_seen = p->ts;
    if (p->ts > c->last_seen)
        c->last_seen = p->ts;
    note_evidence(c, &pkt, sender, p, pkt.fragment.state == PKT_FRAG_FIRST);
    return 0;
}

static int read_file(struct side_reader *rd, const char *path, char *err, size_t errlen)
{
    char cerr[PS_ERRBUF_SIZE];
    struct capture *cap = capture_open_file(path, cerr, sizeof(cerr));
    struct capture_packet p;
    int rc;

    if (cap == NULL) {
        snprintf(err, errlen, "%s: %s", path, cerr);
        return -1;
    }
    while ((rc = capture_next(cap, &p)) == 1)
        if (read_packet(rd, &p) != 0) {
            capture_close(cap);
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }
    if (rc < 0) {
        rd->side->incomplete = true;
        snprintf(err, errlen, "%s: %s", path, capture_error(cap));
    }
    capture_close(cap);
    return 0;
}

int nat_side_read(struct nat_side *side, const char *const *paths, size_t n_paths,
                  const struct nat_read_config *cfg, char *err, size_t errlen)
{
    struct side_reader rd = {side, NULL, cfg, 0};
    int rc = 0;

    memset(side, 0, sizeof(*side));
    side->paths = paths;
    side->n_paths = n_paths;
    err[0] = '\0';
    rd.table = flow_table_new(cfg->max_flows, ps_hash_seed(), cfg->lifecycle);
    if (rd.table == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n_paths && rc == 0; i++)
        rc = read_file(&rd, paths[i], err, errlen);
    flow_table_free(rd.table);
    return rc;
}

void nat_side_release(struct nat_side *side)
{
    free(side->conns);
    side->conns = NULL;
    side->n_conns = 0;
}
