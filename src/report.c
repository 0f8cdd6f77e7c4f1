/*
 * report.c - derives what the writers print: each flow's client and server, port labels, the
 * services seen and the client hosts. Nothing here depends on hash order: flows are sorted by
 * first sight, then key.
 */
#include <arpa/inet.h>
#include <endian.h>
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

bool report_proto_has_ports(uint8_t proto)
{
    return proto == PS_IPPROTO_TCP || proto == PS_IPPROTO_UDP || proto == PS_IPPROTO_SCTP;
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

static void decide_roles(struct report_flow *rf, const struct report_settings *s);

void report_flow_init(struct report_flow *rf, const struct flow *f, const struct report_settings *s)
{
    memset(rf, 0, sizeof(*rf));
    rf->flow = f;
    decide_roles(rf, s);
}

static void decide_roles(struct report_flow *rf, const struct report_settings *s)
{
    const struct flow *f = rf->flow;
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
        rf->conn_state = flow_tcp_conn_state(f, rf->client);
    if (report_proto_has_ports(f->key.proto)) {
        uint16_t server_port = f->key.port[!rf->client];

        rf->service = ports_service_name(s->services, f->key.proto, server_port);
        rf->service_alias = ports_service_alias(rf->service);
        rf->client_ephemeral = ports_ephemeral_mask(f->key.port[rf->client]);
    }
}

/* Field by field, so the order is the same on machines of either byte order. */
static int compare_keys(const struct flow_key *a, const struct flow_key *b)
{
    int c;

    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (int e = 0; e < 2; e++) {
        c = memcmp(a->addr[e], b->addr[e], sizeof(a->addr[e]));
        if (c != 0)
            return c;
        if (a->port[e] != b->port[e])
            return a->port[e] < b->port[e] ? -1 : 1;
    }
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return 0;
}

static int compare_flows(const void *a, const void *b)
{
    const struct flow *fa = ((const struct report_flow *)a)->flow;
    const struct flow *fb = ((const struct report_flow *)b)->flow;

    if (fa->first_seen != fb->first_seen)
        return fa->first_seen < fb->first_seen ? -1 : 1;
    return compare_keys(&fa->key, &fb->key);
}

/* One (server port, client) or (client host, port) pair, sorted to aggregate without hashing. */
struct pair {
    uint16_t port;
    uint8_t proto;
    uint8_t family;
    uint8_t addr[16];
    uint32_t flow; /* index into report.flows */
};

/* memcmp()'s order of two addresses, as two big-endian words each: no call per comparison. */
static int compare_addrs(const uint8_t *a, const uint8_t *b)
{
    uint64_t x[2], y[2];

    memcpy(x, a, sizeof(x));
    memcpy(y, b, sizeof(y));
    for (int i = 0; i < 2; i++) {
        if (x[i] != y[i])
            return be64toh(x[i]) < be64toh(y[i]) ? -1 : 1;
    }
    return 0;
}

static int compare_service_pairs(const struct pair *pa, const struct pair *pb)
{
    if (pa->port != pb->port)
        return pa->port < pb->port ? -1 : 1;
    if (pa->proto != pb->proto)
        return pa->proto < pb->proto ? -1 : 1;
    if (pa->family != pb->family)
        return pa->family < pb->family ? -1 : 1;
    return compare_addrs(pa->addr, pb->addr);
}

static int compare_client_pairs(const struct pair *pa, const struct pair *pb)
{
    int c;

    if (pa->family != pb->family)
        return pa->family < pb->family ? -1 : 1;
    c = compare_addrs(pa->addr, pb->addr);
    if (c != 0)
        return c;
    if (pa->port != pb->port)
        return pa->port < pb->port ? -1 : 1;
    return 0;
}

static bool same_host(const struct pair *a, const struct pair *b)
{
    return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/*
 * Sorts pairs in place: introsort (quicksort, heapsort when it goes too deep, insertion sort for
 * short runs) with the comparison inlined. qsort() would take a temporary copy of the array
 * (glibc's merge sort) and a call per comparison, for millions of pairs. Pairs that compare
 * equal may end in any order: the tables built from them do not depend on it.
 */
static int compare_pairs(const struct pair *a, const struct pair *b, bool by_client)
{
    return by_client ? compare_client_pairs(a, b) : compare_service_pairs(a, b);
}

static void swap_pairs(struct pair *a, struct pair *b)
{
    struct pair t = *a;

    *a = *b;
    *b = t;
}

static void sift_down(struct pair *p, size_t root, size_t n, bool by_client)
{
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && compare_pairs(&p[child], &p[child + 1], by_client) < 0)
            child++;
        if (compare_pairs(&p[root], &p[child], by_client) >= 0)
            return;
        swap_pairs(&p[root], &p[child]);
    }
}

static void heap_sort(struct pair *p, size_t n, bool by_client)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(p, i, n, by_client);
    for (size_t i = n; i-- > 1;) {
        swap_pairs(&p[0], &p[i]);
        sift_down(p, 0, i, by_client);
    }
}

static void intro_sort(struct pair *p, size_t n, int depth, bool by_client)
{
    while (n > 16) {
        size_t mid = n / 2, i = 0, j = n - 1;
        struct pair pivot;

        if (depth-- == 0) {
            heap_sort(p, n, by_client);
            return;
        }
        /* Median of three as the pivot (Hoare's partition keeps runs of equal keys balanced). */
        if (compare_pairs(&p[mid], &p[0], by_client) < 0)
            swap_pairs(&p[mid], &p[0]);
        if (compare_pairs(&p[n - 1], &p[mid], by_client) < 0) {
            swap_pairs(&p[n - 1], &p[mid]);
            if (compare_pairs(&p[mid], &p[0], by_client) < 0)
                swap_pairs(&p[mid], &p[0]);
        }
        pivot = p[mid];
        for (;;) {
            while (compare_pairs(&p[i], &pivot, by_client) < 0)
                i++;
            while (compare_pairs(&pivot, &p[j], by_client) < 0)
                j--;
            if (i >= j)
                break;
            swap_pairs(&p[i++], &p[j--]);
        }
        /* Recurse into the smaller side, loop on the larger: the stack stays O(log n). */
        if (j + 1 < n - j - 1) {
            intro_sort(p, j + 1, depth, by_client);
            p += j + 1;
            n -= j + 1;
        } else {
            intro_sort(p + j + 1, n - j - 1, depth, by_client);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        struct pair t = p[i];
        size_t k = i;

        for (; k > 0 && compare_pairs(&t, &p[k - 1], by_client) < 0; k--)
            p[k] = p[k - 1];
        p[k] = t;
    }
}

static void sort_pairs(struct pair *pairs, size_t n, bool by_client)
{
    int depth = 0;

    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_sort(pairs, n, depth, by_client);
}

/* `pairs` has room for the flows that have ports: services and client hosts count only those. */
static int build_services(struct report *r, struct pair *pairs, size_t *n_pairs)
{
    const struct report_flow *view = r->flows;
    size_t groups = 0, n = 0;

    for (size_t i = 0; i < r->n_flows; i++) {
        const struct report_flow *rf = &view[i];
        const struct flow *f = rf->flow;

        if (!report_proto_has_ports(f->key.proto))
            continue;
        pairs[n].port = f->key.port[!rf->client];
        pairs[n].proto = f->key.proto;
        pairs[n].family = f->key.family;
        memcpy(pairs[n].addr, f->key.addr[rf->client], 16);
        pairs[n].flow = (uint32_t)i;
        n++;
    }
    *n_pairs = n;
    sort_pairs(pairs, n, false);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || pairs[i].port != pairs[i - 1].port || pairs[i].proto != pairs[i - 1].proto)
            groups++;
    r->services = calloc(groups ? groups : 1, sizeof(*r->services));
    if (r->services == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct report_flow *rf = &view[pairs[i].flow];
        struct report_service *s;

        if (i == 0 || pairs[i].port != pairs[i - 1].port || pairs[i].proto != pairs[i - 1].proto) {
            s = &r->services[r->n_services++];
            s->port = pairs[i].port;
            s->proto = pairs[i].proto;
            s->service = rf->service;
            s->service_alias = rf->service_alias;
        }
        s = &r->services[r->n_services - 1];
        s->flows++;
        s->packets += rf->flow->packets[0] + rf->flow->packets[1];
        s->bytes += rf->flow->bytes[0] + rf->flow->bytes[1];
        if (s->flows == 1 || !same_host(&pairs[i], &pairs[i - 1]))
            s->clients++;
    }
    return 0;
}

/* Reuses the pairs build_services() filled: same flows, now keyed by client host and port. */
static int build_clients(struct report *r, struct pair *pairs, size_t n)
{
    const struct report_flow *view = r->flows;
    size_t hosts = 0;

    for (size_t i = 0; i < n; i++) {
        const struct report_flow *rf = &view[pairs[i].flow];

        pairs[i].port = rf->flow->key.port[rf->client];
    }
    sort_pairs(pairs, n, true);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || !same_host(&pairs[i], &pairs[i - 1]))
            hosts++;
    r->clients = calloc(hosts ? hosts : 1, sizeof(*r->clients));
    if (r->clients == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct report_flow *rf = &view[pairs[i].flow];
        struct report_client *c;

        if (i == 0 || !same_host(&pairs[i], &pairs[i - 1])) {
            c = &r->clients[r->n_clients++];
            c->family = pairs[i].family;
            memcpy(c->addr, pairs[i].addr, 16);
            c->port_lo = pairs[i].port;
            c->ephemeral_all = UINT32_MAX;
        }
        c = &r->clients[r->n_clients - 1];
        c->flows++;
        if (c->flows == 1 || pairs[i].port != pairs[i - 1].port)
            c->ports++;
        c->port_hi = pairs[i].port;
        c->ephemeral_all &= rf->client_ephemeral;
        if (port_range_contains(&r->settings.ephemeral, pairs[i].port))
            c->in_range++;
    }
    return 0;
}

/* Each flow that took over a key from another names that one by its report id. */
static int link_follows(struct report *r)
{
    uint32_t *report_id = malloc((r->n_flows ? r->n_flows : 1) * sizeof(*report_id));

    if (report_id == NULL)
        return -1;
    for (size_t i = 0; i < r->n_flows; i++)
        report_id[r->flows[i].flow->id] = (uint32_t)(i + 1);
    for (size_t i = 0; i < r->n_flows; i++)
        if (r->flows[i].flow->prev != 0)
            r->flows[i].follows = report_id[r->flows[i].flow->prev - 1];
    free(report_id);
    return 0;
}

int report_build(struct report *r, const struct report_input *inputs, size_t n_inputs,
                 const struct report_totals *totals, const struct report_settings *settings,
                 const struct flow_table *table)
{
    size_t n = flow_table_count(table), with_ports = 0;
    bool sorted = true;
    struct pair *pairs;
    int rc;

    memset(r, 0, sizeof(*r));
    r->inputs = inputs;
    r->n_inputs = n_inputs;
    r->totals = *totals;
    r->settings = *settings;
    r->table = table;
    for (size_t i = 0; i < n_inputs; i++)
        r->nanosecond |= inputs[i].nanosecond;

    r->flows = calloc(n ? n : 1, sizeof(*r->flows));
    if (r->flows == NULL)
        return -1;
    r->n_flows = n;
    for (size_t i = 0; i < n; i++) {
        r->flows[i].flow = flow_table_at(table, i);
        decide_roles(&r->flows[i], settings);
        if (i > 0 && compare_flows(&r->flows[i - 1], &r->flows[i]) > 0)
            sorted = false;
    }
    /* Flows are created in packet order, so one input is already sorted; merged inputs may not be.
     */
    if (!sorted)
        qsort(r->flows, n, sizeof(*r->flows), compare_flows);

    for (size_t i = 0; i < n; i++) {
        uint8_t proto = r->flows[i].flow->key.proto;

        r->flows[i].id = i + 1;
        if (proto == PS_IPPROTO_TCP)
            r->flows_tcp++;
        else if (proto == PS_IPPROTO_UDP)
            r->flows_udp++;
        else
            r->flows_other++;
    }
    if (link_follows(r) != 0)
        return -1;
    r->n_flows_all = n;
    r->style.sections = SELECT_SECTION_ALL;

    /* The selection narrows what is shown, services and clients included; the counts above stay. */
    if (settings->select != NULL && select_active(settings->select)) {
        size_t kept = 0;

        for (size_t i = 0; i < n; i++)
            if (select_flow(settings->select, &r->flows[i]))
                r->flows[kept++] = r->flows[i];
        r->n_flows = n = kept;
    }

    pairs = malloc((n ? n : 1) * sizeof(*pairs));
    rc = pairs != NULL ? build_services(r, pairs, &with_ports) : -1;
    if (rc == 0)
        rc = build_clients(r, pairs, with_ports);
    free(pairs);
    return rc;
}

void report_release(struct report *r)
{
    free(r->flows);
    free(r->services);
    free(r->clients);
    memset(r, 0, sizeof(*r));
}
