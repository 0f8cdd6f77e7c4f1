/*
 * report_roles.c - each flow's client and server, told apart by the first rung of a ladder that
 * decides (who opened, who accepted, which port has a service name, which is ephemeral, ...), and
 * what the report derives of a flow from them: its TCP state, its server's service, its client
 * port's ephemeral profiles.
 */
#include <string.h>

#include "report_int.h"

static const char *const role_reason_names[] = {
    [REPORT_ROLE_OPEN] = "syn",
    [REPORT_ROLE_ACCEPT] = "syn-ack",
    [REPORT_ROLE_SERVICE] = "service",
    [REPORT_ROLE_EPHEMERAL] = "ephemeral",
    [REPORT_ROLE_LOWER_PORT] = "lower-port",
    [REPORT_ROLE_SYMMETRIC] = "symmetric",
    [REPORT_ROLE_FIRST_SENDER] = "first-sender",
};

const char *report_role_reason_name(enum report_role_reason r, uint8_t proto)
{
    bool icmp = proto == PS_IPPROTO_ICMP || proto == PS_IPPROTO_ICMPV6;

    if (r == REPORT_ROLE_OPEN && (icmp || proto == PS_IPPROTO_SCTP))
        return icmp ? "echo-request" : "init";
    if (r == REPORT_ROLE_ACCEPT && (icmp || proto == PS_IPPROTO_SCTP))
        return icmp ? "echo-reply" : "init-ack";
    return role_reason_names[r];
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
    if (!ipproto_has_ports(f->key.proto))
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

bool report_roles_by_evidence(struct report_flow *rf, const struct flow_key *key, uint8_t role_seen,
                              const struct report_settings *s)
{
    bool open0 = role_seen & FLOW_OPEN_FROM(0), open1 = role_seen & FLOW_OPEN_FROM(1);
    bool accept0 = role_seen & FLOW_ACCEPT_FROM(0), accept1 = role_seen & FLOW_ACCEPT_FROM(1);
    uint16_t p0 = key->port[0], p1 = key->port[1];
    bool named0, named1;

    if (open0 != open1) {
        rf->client = open0 ? 0 : 1;
        rf->reason = REPORT_ROLE_OPEN;
        return true;
    }
    if (accept0 != accept1) {
        rf->client = accept0 ? 1 : 0;
        rf->reason = REPORT_ROLE_ACCEPT;
        return true;
    }
    if (!ipproto_has_ports(key->proto) || p0 == p1)
        return false;
    named0 = ports_service_name(s->services, key->proto, p0) != NULL;
    named1 = ports_service_name(s->services, key->proto, p1) != NULL;
    if (named0 == named1)
        return false;
    rf->client = named0 ? 1 : 0;
    rf->reason = REPORT_ROLE_SERVICE;
    return true;
}

/* Whether endpoint `e`'s port is in the range in force for its address. */
static bool in_range(const struct flow *f, uint8_t e, const struct report_settings *s)
{
    return port_range_contains(report_range_of(s, f->key.family, f->key.addr[e]), f->key.port[e]);
}

/* The rungs without evidence: guesses from the first sender and the ports' numbers. */
static void guess_roles(struct report_flow *rf, const struct flow *f,
                        const struct report_settings *s)
{
    uint16_t p0 = f->key.port[0], p1 = f->key.port[1];
    bool eph0, eph1;

    if (!ipproto_has_ports(f->key.proto)) {
        rf->client = f->first_sender;
        rf->reason = REPORT_ROLE_FIRST_SENDER;
        return;
    }
    if (p0 == p1) {
        rf->client = f->first_sender;
        rf->reason = REPORT_ROLE_SYMMETRIC;
        return;
    }
    eph0 = in_range(f, 0, s);
    eph1 = in_range(f, 1, s);
    if (eph0 != eph1) {
        rf->client = eph0 ? 0 : 1;
        rf->reason = REPORT_ROLE_EPHEMERAL;
    } else {
        rf->client = p0 < p1 ? 1 : 0;
        rf->reason = REPORT_ROLE_LOWER_PORT;
    }
}

static void decide_roles(struct report_flow *rf, const struct flow *f,
                         const struct report_settings *s)
{
    if (!report_roles_by_evidence(rf, &f->key, f->role_seen, s))
        guess_roles(rf, f, s);
    if (f->key.proto == PS_IPPROTO_TCP)
        rf->conn_state = (uint8_t)flow_tcp_conn_state(f, rf->client);
    if (ipproto_has_ports(f->key.proto)) {
        rf->client_ephemeral = ports_ephemeral_mask(f->key.port[rf->client]);
        rf->client_in_range = port_range_contains(
            report_range_of_client(s, rf->flow, f->key.family, f->key.addr[rf->client]),
            f->key.port[rf->client]);
    }
}
