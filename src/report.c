/*
 * report.c - derives what the writers print: each flow's client and server, port labels, the
 * services seen and the client hosts. Nothing here depends on hash order: flows are sorted by
 * first sight, then key, services by port and client hosts by address.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

static const char *const role_reason_names[] = {
    [ROLE_OPEN] = "syn",
    [ROLE_ACCEPT] = "syn-ack",
    [ROLE_SERVICE] = "service",
    [ROLE_EPHEMERAL] = "ephemeral",
    [ROLE_LOWER_PORT] = "lower-port",
    [ROLE_SYMMETRIC] = "symmetric",
    [ROLE_FIRST_SENDER] = "first-sender",
};

const char *report_role_reason_name(enum role_reason r, uint8_t proto)
{
    bool icmp = proto == PS_IPPROTO_ICMP || proto == PS_IPPROTO_ICMPV6;

    if (r == ROLE_OPEN && (icmp || proto == PS_IPPROTO_SCTP))
        return icmp ? "echo-request" : "init";
    if (r == ROLE_ACCEPT && (icmp || proto == PS_IPPROTO_SCTP))
        return icmp ? "echo-reply" : "init-ack";
    return role_reason_names[r];
}

const char *report_proto_name(uint8_t proto)
{
    /* Our own table, not getprotobynumber(): output must not depend on the machine's files. */
    switch (proto) {
    case 1:
        return "icmp";
    case 2:
        return "igmp";
    case 4:
        return "ipip";
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 41:
        return "ipv6";
    case 47:
        return "gre";
    case 50:
        return "esp";
    case 51:
        return "ah";
    case 58:
        return "icmpv6";
    case 59:
        return "ipv6-nonxt";
    case 89:
        return "ospf";
    case 103:
        return "pim";
    case 112:
        return "vrrp";
    case 115:
        return "l2tp";
    case 132:
        return "sctp";
    case 136:
        return "udplite";
    default:
        return NULL;
    }
}

struct icmp_name {
    uint8_t family, type;
    int code; /* -1: any code */
    const char *name;
};

/* RFC 792, RFC 4443, RFC 4861, RFC 3810 and the IANA ICMP parameter registries. */
static const struct icmp_name icmp_names[] = {
    {4, 0, -1, "echo-reply"},
    {4, 3, 0, "net-unreachable"},
    {4, 3, 1, "host-unreachable"},
    {4, 3, 2, "protocol-unreachable"},
    {4, 3, 3, "port-unreachable"},
    {4, 3, 4, "fragmentation-needed"},
    {4, 3, 9, "net-prohibited"},
    {4, 3, 10, "host-prohibited"},
    {4, 3, 13, "admin-prohibited"},
    {4, 3, -1, "destination-unreachable"},
    {4, 4, -1, "source-quench"},
    {4, 5, -1, "redirect"},
    {4, 8, -1, "echo-request"},
    {4, 9, -1, "router-advertisement"},
    {4, 10, -1, "router-solicitation"},
    {4, 11, 0, "ttl-exceeded"},
    {4, 11, 1, "reassembly-time-exceeded"},
    {4, 12, -1, "parameter-problem"},
    {4, 13, -1, "timestamp-request"},
    {4, 14, -1, "timestamp-reply"},
    {6, 1, 0, "no-route"},
    {6, 1, 1, "admin-prohibited"},
    {6, 1, 3, "address-unreachable"},
    {6, 1, 4, "port-unreachable"},
    {6, 1, -1, "destination-unreachable"},
    {6, 2, -1, "packet-too-big"},
    {6, 3, 0, "hop-limit-exceeded"},
    {6, 3, 1, "reassembly-time-exceeded"},
    {6, 4, -1, "parameter-problem"},
    {6, 128, -1, "echo-request"},
    {6, 129, -1, "echo-reply"},
    {6, 130, -1, "mld-query"},
    {6, 131, -1, "mld-report"},
    {6, 132, -1, "mld-done"},
    {6, 133, -1, "router-solicitation"},
    {6, 134, -1, "router-advertisement"},
    {6, 135, -1, "neighbor-solicitation"},
    {6, 136, -1, "neighbor-advertisement"},
    {6, 137, -1, "redirect"},
    {6, 143, -1, "mldv2-report"},
};

const char *report_icmp_name(uint8_t family, uint8_t type, uint8_t code)
{
    for (size_t i = 0; i < sizeof(icmp_names) / sizeof(icmp_names[0]); i++) {
        const struct icmp_name *n = &icmp_names[i];

        if (n->family == family && n->type == type && (n->code < 0 || n->code == code))
            return n->name;
    }
    return NULL;
}

/* The protocols whose flows have ports, numbered for the table of services. */
enum { PORTED_TCP, PORTED_UDP, PORTED_SCTP, PORTED_PROTOS };

static int ported_proto(uint8_t proto)
{
    switch (proto) {
    case PS_IPPROTO_TCP:
        return PORTED_TCP;
    case PS_IPPROTO_UDP:
        return PORTED_UDP;
    case PS_IPPROTO_SCTP:
        return PORTED_SCTP;
    default:
        return -1;
    }
}

bool report_proto_has_ports(uint8_t proto)
{
    return ported_proto(proto) >= 0;
}

char *report_format_time(ps_time t, bool nanosecond, char *buf, size_t len)
{
    /* Floor division: a time before 1970 still gets a fraction in [0, 1) s. */
    time_t secs = (time_t)(t / 1000000000);
    long frac = (long)(t % 1000000000);
    struct tm tm;
    char date[32];

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    if (gmtime_r(&secs, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(date, sizeof(date), "%lld", (long long)secs);
    if (nanosecond)
        snprintf(buf, len, "%s.%09ldZ", date, frac);
    else
        snprintf(buf, len, "%s.%06ldZ", date, frac / 1000);
    return buf;
}

size_t report_flow_quality(const struct flow *f, const char *names[REPORT_QUALITY_MAX])
{
    size_t n = 0;

    if (f->quality & FLOW_Q_MIDSTREAM)
        names[n++] = "midstream";
    if (f->packets[0] == 0 || f->packets[1] == 0)
        names[n++] = "one-sided";
    if (f->quality & FLOW_Q_SNAPLEN)
        names[n++] = "snaplen-cut";
    if (f->quality & FLOW_Q_BACKWARDS)
        names[n++] = "timestamps-backwards";
    if (f->quality & FLOW_Q_NO_IP_LEN)
        names[n++] = "ip-length-zero";
    return n;
}

char *report_format_encap(const struct encap *hop, char *buf, size_t len)
{
    if (hop->has_id)
        snprintf(buf, len, "%s:%lu", decode_encap_name(hop->kind), (unsigned long)hop->id);
    else
        snprintf(buf, len, "%s", decode_encap_name(hop->kind));
    return buf;
}

char *report_format_addr(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
    if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}

static const char *const conn_state_names[REPORT_CONN__COUNT] = {
    [REPORT_CONN_S0] = "S0",       [REPORT_CONN_S1] = "S1",     [REPORT_CONN_SF] = "SF",
    [REPORT_CONN_REJ] = "REJ",     [REPORT_CONN_S2] = "S2",     [REPORT_CONN_S3] = "S3",
    [REPORT_CONN_RSTO] = "RSTO",   [REPORT_CONN_RSTR] = "RSTR", [REPORT_CONN_RSTOS0] = "RSTOS0",
    [REPORT_CONN_RSTRH] = "RSTRH", [REPORT_CONN_SH] = "SH",     [REPORT_CONN_SHR] = "SHR",
    [REPORT_CONN_OTH] = "OTH",
};

const char *report_conn_state_name(uint8_t state)
{
    return state < REPORT_CONN__COUNT ? conn_state_names[state] : NULL;
}

/* flow_tcp_conn_state() gives a name; a report_flow keeps a byte. The first letter first. */
static uint8_t conn_state_code(const char *name)
{
    for (uint8_t i = REPORT_CONN_NONE + 1; i < REPORT_CONN__COUNT; i++)
        if (name[0] == conn_state_names[i][0] && strcmp(name, conn_state_names[i]) == 0)
            return i;
    return REPORT_CONN_NONE;
}

const struct flow *report_flow_data(const struct report *r, const struct report_flow *rf,
                                    struct flow *buf)
{
    return flow_table_get(r->table, rf->flow, buf);
}

/*
 * Looked up each time rather than kept per flow: a load from the registry's index (a binary search
 * of a --services overlay first), against two pointers for each of millions of flows. Each
 * writer looks up a flow once, as report_build() did before.
 */
const char *report_flow_service(const struct report *r, const struct report_flow *rf,
                                const struct flow *f, const char **alias)
{
    *alias = NULL;
    if (!report_proto_has_ports(f->key.proto))
        return NULL;
    return ports_service_lookup(r->settings.services, f->key.proto, f->key.port[!rf->client],
                                alias);
}

static void decide_roles(struct report_flow *rf, const struct flow *f,
                         const struct report_settings *s);

void report_flow_init(struct report_flow *rf, uint32_t flow, const struct flow *f,
                      const struct report_settings *s)
{
    memset(rf, 0, sizeof(*rf));
    rf->flow = flow;
    decide_roles(rf, f, s);
}

static void decide_roles(struct report_flow *rf, const struct flow *f,
                         const struct report_settings *s)
{
    bool open0 = f->role_seen & FLOW_OPEN_FROM(0), open1 = f->role_seen & FLOW_OPEN_FROM(1);
    bool accept0 = f->role_seen & FLOW_ACCEPT_FROM(0);
    bool accept1 = f->role_seen & FLOW_ACCEPT_FROM(1);
    uint16_t p0 = f->key.port[0], p1 = f->key.port[1];

    if (open0 != open1) {
        rf->client = open0 ? 0 : 1;
        rf->reason = ROLE_OPEN;
    } else if (accept0 != accept1) {
        rf->client = accept0 ? 1 : 0;
        rf->reason = ROLE_ACCEPT;
    } else if (!report_proto_has_ports(f->key.proto)) {
        rf->client = f->first_sender;
        rf->reason = ROLE_FIRST_SENDER;
    } else if (p0 == p1) {
        rf->client = f->first_sender;
        rf->reason = ROLE_SYMMETRIC;
    } else {
        bool named0 = ports_service_name(s->services, f->key.proto, p0) != NULL;
        bool named1 = ports_service_name(s->services, f->key.proto, p1) != NULL;
        bool eph0 = port_range_contains(&s->ephemeral, p0);
        bool eph1 = port_range_contains(&s->ephemeral, p1);

        if (named0 != named1) {
            rf->client = named0 ? 1 : 0;
            rf->reason = ROLE_SERVICE;
        } else if (eph0 != eph1) {
            rf->client = eph0 ? 0 : 1;
            rf->reason = ROLE_EPHEMERAL;
        } else {
            rf->client = p0 < p1 ? 1 : 0;
            rf->reason = ROLE_LOWER_PORT;
        }
    }
    if (f->key.proto == PS_IPPROTO_TCP)
        rf->conn_state = conn_state_code(flow_tcp_conn_state(f, rf->client));
    if (report_proto_has_ports(f->key.proto))
        rf->client_ephemeral = ports_ephemeral_mask(f->key.port[rf->client]);
}

/* Field by field, so the order is the same on machines of either byte order. */
/* The report's order of flows: first seen, then key. */
static int compare_flows(const struct flow *a, const struct flow *b)
{
    if (a->first_seen != b->first_seen)
        return a->first_seen < b->first_seen ? -1 : 1;
    return flow_key_compare(&a->key, &b->key);
}

/*
 * Services and client hosts are gathered through hash tables as the flows are read, and their
 * distinct counts through sets of pairs (and bits per host for the first services): only the
 * final tables, one entry per service or host, are sorted. The tables hash with secrets from
 * ps_hash_seed(), so crafted addresses cannot force collisions; nothing written depends on them,
 * nor on the order the flows are gathered in.
 */

/* A hash onto [0, n) by multiplication rather than a mask: tables are sized to need, not 2^k. */
static size_t hash_slot(uint64_t hash, size_t n)
{
    __extension__ typedef unsigned __int128 u128;

    return (size_t)(((u128)hash * n) >> 64);
}

/* Slots for `max` entries with a fifth of them left empty, so that probes stay short. */
static size_t slots_for(size_t max)
{
    return max + max / 4 + 1;
}

static bool table_full(size_t entries, size_t slots)
{
    return (entries + 1) * 5 > slots * 4;
}

/*
 * A set of pairs, each packed into 64 bits (service << 32 | host, host << 16 | port), for the
 * distinct counts: it is sized once for the most it can hold, as many as the flows at worst, so
 * it never needs the room of a rehash.
 */
struct pair_set {
    uint64_t *slots; /* pair + 1; 0 is empty */
    size_t n_slots;
    const uint64_t *secret;
};

size_t report_pair_home(const uint64_t secret[2], uint64_t pair, size_t n_slots)
{
    return hash_slot(ps_hash2(pair, 0, secret), n_slots);
}

/* Where a pair's probe starts. */
static size_t pair_set_home(const struct pair_set *s, uint64_t pair)
{
    return report_pair_home(s->secret, pair, s->n_slots);
}

/* Adds a pair, probing from its home; true when it was not in the set yet. */
static bool pair_set_add(struct pair_set *s, uint64_t pair, size_t home)
{
    size_t i = home;

    for (pair++; s->slots[i] != 0; i = i + 1 < s->n_slots ? i + 1 : 0)
        if (s->slots[i] == pair)
            return false;
    s->slots[i] = pair;
    return true;
}

#define NO_PAIR UINT64_MAX

/* How many pairs ahead of its probe a pair's slot is fetched: most slots are cache misses. */
#define PAIRS_AHEAD 8

/* A pair set fed through a queue, so that each probe finds its slot fetched already. */
struct pair_queue {
    struct pair_set set;
    uint64_t pairs[PAIRS_AHEAD]; /* NO_PAIR: none */
    size_t homes[PAIRS_AHEAD];
    size_t next;
};

static int pair_queue_init(struct pair_queue *q, size_t max, const uint64_t *secret)
{
    q->set.n_slots = slots_for(max);
    q->set.slots = ps_zalloc(q->set.n_slots, sizeof(*q->set.slots));
    q->set.secret = secret;
    for (size_t k = 0; k < PAIRS_AHEAD; k++)
        q->pairs[k] = NO_PAIR;
    q->next = 0;
    return q->set.slots != NULL ? 0 : -1;
}

/*
 * Queues a pair, or NO_PAIR to drain the queue. Returns the pair this pushes out of the queue when
 * that one was new to the set, else NO_PAIR.
 */
static uint64_t pair_queue_push(struct pair_queue *q, uint64_t pair)
{
    size_t k = q->next;
    uint64_t out = q->pairs[k];

    if (out != NO_PAIR && !pair_set_add(&q->set, out, q->homes[k]))
        out = NO_PAIR;
    q->pairs[k] = pair;
    if (pair != NO_PAIR) {
        q->homes[k] = pair_set_home(&q->set, pair);
        __builtin_prefetch(&q->set.slots[q->homes[k]]);
    }
    q->next = k + 1 < PAIRS_AHEAD ? k + 1 : 0;
    return out;
}

static void pair_queue_free(struct pair_queue *q)
{
    free(q->set.slots);
    q->set.slots = NULL;
}

/* What gathering the services and client hosts needs until the report is built. */
struct aggregation {
    uint64_t secret[2];
    uint32_t *service_of;  /* [ported_proto() << 16 | port]: number in r->services + 1; 0 = none */
    uint32_t *host_slots;  /* open addressing: number in r->clients + 1; 0 is empty */
    size_t n_host_slots;   /* grows with the hosts, up to max_host_slots */
    size_t max_host_slots; /* enough for every flow to have a client host of its own */
    size_t services_room, clients_room;
    /*
     * The distinct client hosts of each service: a bit per service for the first
     * HOST_SERVICE_BITS services (a trace rarely has more), in a word per host beside its entry,
     * and beyond those a set of (service, client host) pairs, made when first needed.
     */
    uint64_t *host_services; /* [client host]: bit s set when service s has had it as client */
    struct pair_queue service_hosts;
    size_t max_flows;             /* what the pair set is sized for */
    struct pair_queue host_ports; /* (client host, client port) pairs */
};

static void aggregation_free(struct aggregation *a)
{
    free(a->service_of);
    free(a->host_slots);
    free(a->host_services);
    pair_queue_free(&a->service_hosts);
    pair_queue_free(&a->host_ports);
    memset(a, 0, sizeof(*a));
}

/* For at most `n` flows. Returns -1 when out of memory. */
static int aggregation_init(struct aggregation *a, struct report *r, size_t n)
{
    memset(a, 0, sizeof(*a));
    ps_hash2_secrets(ps_hash_seed(), a->secret);
    a->services_room = a->clients_room = 16;
    a->max_host_slots = slots_for(n);
    a->n_host_slots = a->max_host_slots < 64 ? a->max_host_slots : 64;
    r->services = malloc(a->services_room * sizeof(*r->services));
    r->clients = malloc(a->clients_room * sizeof(*r->clients));
    a->host_services = malloc(a->clients_room * sizeof(*a->host_services));
    a->max_flows = n;
    a->service_of = ps_zalloc((size_t)PORTED_PROTOS << 16, sizeof(*a->service_of));
    a->host_slots = ps_zalloc(a->n_host_slots, sizeof(*a->host_slots));
    if (r->services == NULL || r->clients == NULL || a->host_services == NULL ||
        a->service_of == NULL || a->host_slots == NULL ||
        pair_queue_init(&a->host_ports, n, a->secret) != 0)
        return -1;
    return 0;
}

size_t report_host_home(const uint64_t secret[2], uint8_t family, const uint8_t *addr,
                        size_t n_slots)
{
    uint64_t w[2];

    memcpy(w, addr, sizeof(w));
    return hash_slot(ps_hash2(w[0], w[1] ^ family, secret), n_slots);
}

/* Whole words, without a call to memcmp(). */
static bool same_host(const struct report_client *c, uint8_t family, const uint8_t *addr)
{
    uint64_t x[2], y[2];

    memcpy(x, c->addr, sizeof(x));
    memcpy(y, addr, sizeof(y));
    return c->family == family && ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* The slot of (family, addr) in host_slots, or the empty one where it goes. */
static uint32_t *host_slot(const struct aggregation *a, const struct report *r, uint8_t family,
                           const uint8_t *addr)
{
    size_t i = report_host_home(a->secret, family, addr, a->n_host_slots);

    for (; a->host_slots[i] != 0; i = i + 1 < a->n_host_slots ? i + 1 : 0)
        if (same_host(&r->clients[a->host_slots[i] - 1], family, addr))
            break;
    return &a->host_slots[i];
}

static int grow_host_slots(struct aggregation *a, const struct report *r)
{
    uint32_t *old = a->host_slots;
    size_t n_old = a->n_host_slots;

    a->n_host_slots = n_old * 2 < a->max_host_slots ? n_old * 2 : a->max_host_slots;
    a->host_slots = ps_zalloc(a->n_host_slots, sizeof(*a->host_slots));
    if (a->host_slots == NULL) {
        a->host_slots = old;
        a->n_host_slots = n_old;
        return -1;
    }
    for (size_t i = 0; i < n_old; i++) {
        const struct report_client *c;

        if (old[i] == 0)
            continue;
        c = &r->clients[old[i] - 1];
        *host_slot(a, r, c->family, c->addr) = old[i];
    }
    free(old);
    return 0;
}

/* Doubles an array's room; NULL when out of memory (the array stays as it was). */
static void *grow_array(void *array, size_t *room, size_t size)
{
    void *p = realloc(array, 2 * *room * size);

    if (p != NULL)
        *room *= 2;
    return p;
}

static struct report_service *add_service(struct aggregation *a, struct report *r,
                                          const struct flow_key *key, uint8_t client)
{
    uint32_t *entry = &a->service_of[(size_t)ported_proto(key->proto) << 16 | key->port[!client]];
    struct report_service *s;

    if (*entry != 0)
        return &r->services[*entry - 1];
    if (r->n_services == a->services_room) {
        s = grow_array(r->services, &a->services_room, sizeof(*s));
        if (s == NULL)
            return NULL;
        r->services = s;
    }
    s = &r->services[r->n_services++];
    *entry = (uint32_t)r->n_services;
    memset(s, 0, sizeof(*s));
    s->proto = key->proto;
    s->port = key->port[!client];
    s->service = ports_service_lookup(r->settings.services, key->proto, s->port, &s->service_alias);
    return s;
}

static struct report_client *add_client(struct aggregation *a, struct report *r,
                                        const struct flow_key *key, uint8_t client)
{
    uint32_t *slot;
    struct report_client *c;

    if (table_full(r->n_clients, a->n_host_slots) && a->n_host_slots < a->max_host_slots &&
        grow_host_slots(a, r) != 0)
        return NULL;
    slot = host_slot(a, r, key->family, key->addr[client]);
    if (*slot != 0)
        return &r->clients[*slot - 1];
    if (r->n_clients == a->clients_room) {
        size_t room = a->clients_room;
        uint64_t *services = grow_array(a->host_services, &room, sizeof(*services));

        if (services == NULL)
            return NULL;
        a->host_services = services;
        c = grow_array(r->clients, &a->clients_room, sizeof(*c));
        if (c == NULL)
            return NULL;
        r->clients = c;
    }
    a->host_services[r->n_clients] = 0;
    c = &r->clients[r->n_clients++];
    *slot = (uint32_t)r->n_clients;
    memset(c, 0, sizeof(*c));
    c->family = key->family;
    memcpy(c->addr, key->addr[client], sizeof(c->addr));
    c->port_lo = c->port_hi = key->port[client];
    c->ephemeral_all = UINT32_MAX;
    return c;
}

#define HOST_SERVICE_BITS 64

/* Queues a (service, client host) pair, or NO_PAIR to drain: a new one is a client more. */
static void add_service_host(struct aggregation *a, struct report *r, uint64_t pair)
{
    uint64_t added = pair_queue_push(&a->service_hosts, pair);

    if (added != NO_PAIR)
        r->services[added >> 32].clients++;
}

/* Queues a (client host, client port) pair, or NO_PAIR to drain: a new one is a port more. */
static void add_host_port(struct aggregation *a, struct report *r, uint64_t pair)
{
    uint64_t added = pair_queue_push(&a->host_ports, pair);

    if (added != NO_PAIR)
        r->clients[added >> 16].ports++;
}

/* Service `s` has had client host `host`: a client more for it the first time. -1: no memory. */
static int add_service_client(struct aggregation *a, struct report *r, size_t s, uint32_t host)
{
    if (s < HOST_SERVICE_BITS) {
        uint64_t bit = (uint64_t)1 << s;

        r->services[s].clients += (a->host_services[host] & bit) == 0;
        a->host_services[host] |= bit;
        return 0;
    }
    if (a->service_hosts.set.slots == NULL &&
        pair_queue_init(&a->service_hosts, a->max_flows, a->secret) != 0)
        return -1;
    add_service_host(a, r, (uint64_t)s << 32 | host);
    return 0;
}

/* Counts a flow that has ports in its service and its client host. */
static int gather_flow(struct aggregation *a, struct report *r, const struct report_gather_item *it)
{
    uint16_t port = it->key.port[it->client];
    struct report_service *s = add_service(a, r, &it->key, it->client);
    struct report_client *c = s != NULL ? add_client(a, r, &it->key, it->client) : NULL;
    uint32_t host;

    if (c == NULL)
        return -1;
    host = (uint32_t)(c - r->clients);
    if (add_service_client(a, r, (size_t)(s - r->services), host) != 0)
        return -1;
    s->flows++;
    s->packets += it->packets;
    s->bytes += it->bytes;
    c->flows++;
    if (port < c->port_lo)
        c->port_lo = port;
    if (port > c->port_hi)
        c->port_hi = port;
    c->ephemeral_all &= it->client_ephemeral;
    if (port_range_contains(&r->settings.ephemeral, port))
        c->in_range++;
    add_host_port(a, r, (uint64_t)host << 16 | port);
    return 0;
}

/*
 * How many flows ahead of its gathering a flow's host slot is fetched (its client entry half that):
 * the client hosts of a large trace are beyond the cache, and each lookup would wait for a miss.
 */
#define HOSTS_AHEAD 16

/* Gathers `n` flows, asking for each one's host slot and client entry before it is its turn. */
static int gather_run(struct aggregation *a, struct report *r, const struct report_gather_item *it,
                      size_t n)
{
    size_t home[HOSTS_AHEAD];

    for (size_t i = 0; i < n + HOSTS_AHEAD; i++) {
        if (i < n) {
            const struct flow_key *key = &it[i].key;

            home[i % HOSTS_AHEAD] =
                report_host_home(a->secret, key->family, key->addr[it[i].client], a->n_host_slots);
            __builtin_prefetch(&a->host_slots[home[i % HOSTS_AHEAD]]);
        }
        /* The slots may have grown since: a home of the smaller table is still a slot of this
         * one, and a wrong guess costs a useless fetch, not a wrong count. */
        if (i >= HOSTS_AHEAD / 2 && i - HOSTS_AHEAD / 2 < n) {
            uint32_t c = a->host_slots[home[(i - HOSTS_AHEAD / 2) % HOSTS_AHEAD]];

            if (c != 0) {
                __builtin_prefetch(&r->clients[c - 1]);
                __builtin_prefetch(&a->host_services[c - 1]);
            }
        }
        if (i >= HOSTS_AHEAD && gather_flow(a, r, &it[i - HOSTS_AHEAD]) != 0)
            return -1;
    }
    return 0;
}

static int compare_services(const void *a, const void *b)
{
    const struct report_service *sa = a, *sb = b;

    if (sa->port != sb->port)
        return sa->port < sb->port ? -1 : 1;
    if (sa->proto != sb->proto)
        return sa->proto < sb->proto ? -1 : 1;
    return 0;
}

static int compare_clients(const void *a, const void *b)
{
    const struct report_client *ca = a, *cb = b;

    if (ca->family != cb->family)
        return ca->family < cb->family ? -1 : 1;
    return ps_addr_compare(ca->addr, cb->addr, sizeof(ca->addr));
}

/* After the last flow: the pairs still queued; the tables in the report's order. */
static void gather_end(struct aggregation *a, struct report *r)
{
    for (size_t k = 0; k < PAIRS_AHEAD; k++) {
        if (a->service_hosts.set.slots != NULL)
            add_service_host(a, r, NO_PAIR);
        add_host_port(a, r, NO_PAIR);
    }
    aggregation_free(a);
    qsort(r->services, r->n_services, sizeof(*r->services), compare_services);
    qsort(r->clients, r->n_clients, sizeof(*r->clients), compare_clients);
}

/*
 * Merged inputs: the flows in the report's order. Getting a flow from the table may mean decoding
 * it, so each is got once for its first-seen time, and again only when another flow shares that
 * time and their keys must decide.
 */
struct flow_when {
    ps_time first_seen;
    uint32_t pos; /* in r->flows */
};

struct flow_keyed {
    struct flow_key key;
    uint32_t pos;
};

static int compare_when(const void *a, const void *b)
{
    const struct flow_when *x = a, *y = b;

    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int compare_keyed(const void *a, const void *b)
{
    const struct flow_keyed *x = a, *y = b;
    int c = flow_key_compare(&x->key, &y->key);

    if (c != 0)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Orders a run of flows first seen at the same time by key; `keyed` has room for `n`. */
static void order_by_key(const struct report *r, struct flow_when *run, size_t n,
                         struct flow_keyed *keyed)
{
    for (size_t i = 0; i < n; i++) {
        struct flow buf;

        keyed[i].key = report_flow_data(r, &r->flows[run[i].pos], &buf)->key;
        keyed[i].pos = run[i].pos;
    }
    qsort(keyed, n, sizeof(*keyed), compare_keyed);
    for (size_t i = 0; i < n; i++)
        run[i].pos = keyed[i].pos;
}

static int sort_flows(struct report *r)
{
    size_t n = r->n_flows, room = 0;
    struct flow_when *when = malloc((n ? n : 1) * sizeof(*when));
    struct flow_keyed *keyed = NULL;

    if (when == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct flow buf;

        when[i].first_seen = report_flow_data(r, &r->flows[i], &buf)->first_seen;
        when[i].pos = (uint32_t)i;
    }
    qsort(when, n, sizeof(*when), compare_when);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && when[j].first_seen == when[i].first_seen; j++)
            continue;
        if (j - i < 2)
            continue;
        if (j - i > room) {
            free(keyed);
            room = j - i;
            keyed = malloc(room * sizeof(*keyed));
            if (keyed == NULL) {
                free(when);
                return -1;
            }
        }
        order_by_key(r, when + i, j - i, keyed);
    }
    free(keyed);
    /* In place, a cycle of the permutation at a time: no second array of flows. */
    for (size_t k = 0; k < n; k++) {
        struct report_flow first;
        size_t j = k;

        if (when[k].pos == k)
            continue;
        first = r->flows[k];
        while (when[j].pos != k) {
            size_t from = when[j].pos;

            r->flows[j] = r->flows[from];
            when[j].pos = (uint32_t)j;
            j = from;
        }
        r->flows[j] = first;
        when[j].pos = (uint32_t)j;
    }
    free(when);
    return 0;
}

/*
 * Each flow that took over a key from another names that one by its report id, and gets its own:
 * until here `id` is the flow's creation number + 1, and `follows` its predecessor's.
 */
static int link_follows(struct report *r)
{
    uint32_t *report_id = malloc((r->n_flows ? r->n_flows : 1) * sizeof(*report_id));

    if (report_id == NULL)
        return -1;
    for (size_t i = 0; i < r->n_flows; i++)
        report_id[r->flows[i].id - 1] = (uint32_t)(i + 1);
    for (size_t i = 0; i < r->n_flows; i++) {
        if (r->flows[i].follows != 0)
            r->flows[i].follows = report_id[r->flows[i].follows - 1];
        r->flows[i].id = (uint32_t)(i + 1);
    }
    free(report_id);
    return 0;
}

void report_init(struct report *r, const struct report_input *inputs, size_t n_inputs,
                 const struct report_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table)
{
    memset(r, 0, sizeof(*r));
    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->settings = *settings;
    r->table = table;
    for (size_t i = 0; i < n_inputs; i++)
        r->nanosecond |= inputs[i].nanosecond;
    r->n_flows = r->n_flows_all = flow_table_count(table);
    r->flows_tcp = flow_table_count_class(table, FLOW_CLASS_TCP);
    r->flows_udp = flow_table_count_class(table, FLOW_CLASS_UDP);
    r->flows_other = r->n_flows_all - r->flows_tcp - r->flows_udp;
    r->style.sections = SELECT_SECTION_ALL;
}

void report_gather_item(struct report_gather_item *it, const struct report_flow *rf,
                        const struct flow *f)
{
    it->key = f->key;
    it->packets = f->packets[0] + f->packets[1];
    it->bytes = f->bytes[0] + f->bytes[1];
    it->client_ephemeral = rf->client_ephemeral;
    it->client = rf->client;
}

/* A report's services and clients gathered from items handed over as they come (by the JSON
 * writers' threads: under a lock, a run of them at a time). */
struct report_gathering {
    struct report *r;
    struct aggregation agg;
    pthread_mutex_t lock;
    int rc;
};

struct report_gathering *report_gathering_begin(struct report *r, const struct report_input *inputs,
                                                size_t n_inputs, const struct report_totals *totals,
                                                const struct report_settings *settings,
                                                const struct flow_table *table)
{
    struct report_gathering *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    report_init(r, inputs, n_inputs, totals, settings, table);
    g->r = r;
    if (aggregation_init(&g->agg, r, flow_table_count(table)) != 0 ||
        pthread_mutex_init(&g->lock, NULL) != 0) {
        aggregation_free(&g->agg);
        report_release(r);
        free(g);
        return NULL;
    }
    return g;
}

void report_gathering_add(struct report_gathering *g, const struct report_gather_item *items,
                          size_t n)
{
    pthread_mutex_lock(&g->lock);
    if (g->rc == 0)
        g->rc = gather_run(&g->agg, g->r, items, n);
    pthread_mutex_unlock(&g->lock);
}

int report_gathering_end(struct report_gathering *g)
{
    int rc = g->rc;

    if (rc == 0)
        gather_end(&g->agg, g->r);
    aggregation_free(&g->agg);
    pthread_mutex_destroy(&g->lock);
    if (rc != 0)
        report_release(g->r);
    free(g);
    return rc;
}

int report_build(struct report *r, const struct report_input *inputs, size_t n_inputs,
                 const struct report_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table)
{
    /* The selection narrows what is shown, services and clients included; the flow counts stay. */
    const struct select_spec *select =
        settings->select != NULL && select_active(settings->select) ? settings->select : NULL;
    size_t n = flow_table_count(table);
    bool sorted = true, ids_in_order = true;
    struct aggregation agg = {0};
    uint8_t *shown = NULL; /* under a selection: a bit per flow, by its number in the table */
    struct flow buf[2];
    const struct flow *prev = NULL;

    report_init(r, inputs, n_inputs, totals, settings, table);
    if ((r->flows = calloc(n ? n : 1, sizeof(*r->flows))) == NULL)
        goto fail;
    if (select != NULL && (shown = calloc(n / 8 + 1, 1)) == NULL)
        goto fail;
    if (aggregation_init(&agg, r, n) != 0)
        goto fail;
    r->n_flows = n;
    /* Each flow is got from the table once here, into one of two buffers so that the one before
     * stays good for the order check. */
    for (size_t i = 0; i < n; i++) {
        struct report_flow *rf = &r->flows[i];
        const struct flow *f = flow_table_get(table, i, &buf[i & 1]);
        bool selected;

        report_flow_init(rf, (uint32_t)i, f, settings);
        if (prev != NULL && compare_flows(prev, f) > 0)
            sorted = false;
        prev = f;
        ids_in_order &= f->id == i;
        /* The flow's own id + 1, and its predecessor's: the report ids while the report keeps the
         * table's order. */
        rf->id = f->id + 1;
        rf->follows = f->prev;
        selected = select == NULL || select_flow(select, r, rf, f);
        if (select != NULL && selected)
            shown[i / 8] |= (uint8_t)(1u << (i % 8));
        if (report_proto_has_ports(f->key.proto) && selected) {
            struct report_gather_item it;

            report_gather_item(&it, rf, f);
            if (gather_flow(&agg, r, &it) != 0)
                goto fail;
        }
    }
    /* Gathering frees its memory before the sort, which takes room of its own. */
    gather_end(&agg, r);
    /* Flows are created in packet order, so one input is already sorted; merged inputs may not be.
     */
    if (!sorted && sort_flows(r) != 0)
        goto fail;
    if ((!sorted || !ids_in_order) && link_follows(r) != 0)
        goto fail;

    if (select != NULL) {
        size_t kept = 0;

        for (size_t i = 0; i < n; i++) {
            uint32_t k = r->flows[i].flow;

            if (shown[k / 8] & (1u << (k % 8)))
                r->flows[kept++] = r->flows[i];
        }
        r->n_flows = kept;
        free(shown);
    }
    return 0;

fail:
    free(shown);
    aggregation_free(&agg);
    report_release(r);
    return -1;
}

void report_release(struct report *r)
{
    free(r->flows);
    free(r->services);
    free(r->clients);
    memset(r, 0, sizeof(*r));
}
