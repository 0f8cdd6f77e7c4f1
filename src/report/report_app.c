/*
 * report_app.c - what runs on a flow's server port, as its first payload bytes show it, against
 * what the port's service says should: the protocols each service name is expected to speak
 * (doc/app-protocols.md), and the mark when the bytes say otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define P(x) (1u << (x))

/*
 * Service names (the registry's, as ports.c gives them) and the protocols their first bytes show.
 * A service that runs TLS from the first byte expects TLS; one that starts in plain text and may
 * upgrade (SMTP's, IMAP's STARTTLS) expects its plain protocol.
 */
static const struct {
    const char *service;
    unsigned protocols;
} expected[] = {
    {"http", P(APP_HTTP)},
    {"http-alt", P(APP_HTTP)},
    {"http-mgmt", P(APP_HTTP)},
    {"httpx", P(APP_HTTP)},
    {"http-wmap", P(APP_HTTP)},
    {"https", P(APP_TLS) | P(APP_QUIC)},
    {"pcsync-https", P(APP_TLS)},
    {"https-wmap", P(APP_TLS)},
    {"submissions", P(APP_TLS)},
    {"imaps", P(APP_TLS)},
    {"pop3s", P(APP_TLS)},
    {"ldaps", P(APP_TLS)},
    {"ftps", P(APP_TLS)},
    {"ftps-data", P(APP_TLS)},
    {"nntps", P(APP_TLS)},
    {"telnets", P(APP_TLS)},
    {"ircs-u", P(APP_TLS)},
    {"sips", P(APP_TLS)},
    {"domain-s", P(APP_TLS) | P(APP_QUIC)},
    {"domain", P(APP_DNS)},
    {"mdns", P(APP_DNS)},
    {"llmnr", P(APP_DNS)},
    {"ssh", P(APP_SSH)},
    {"netconf-ssh", P(APP_SSH)},
    {"smtp", P(APP_SMTP)},
    {"submission", P(APP_SMTP)},
    {"ftp", P(APP_FTP)},
    {"pop3", P(APP_POP3)},
    {"imap", P(APP_IMAP)},
    {"imap3", P(APP_IMAP)},
    {"ms-wbt-server", P(APP_RDP)},
};

unsigned report_app_expected(const char *service)
{
    if (service == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        if (strcmp(expected[i].service, service) == 0)
            return expected[i].protocols;
    return 0;
}

/* Why no protocol: nothing to look at, the snapshot length hid it, or no signature matched. */
static const char *why_none(const struct flow *f)
{
    if (f->payload_bytes[0] == 0 && f->payload_bytes[1] == 0)
        return "no payload";
    if (f->app_state & (FLOW_APP_CUT(0) | FLOW_APP_CUT(1)))
        return "payload cut by snaplen";
    return "not recognised";
}

bool report_flow_app(const struct report *r, const struct report_flow *rf, const struct flow *f,
                     struct report_app *out)
{
    uint8_t c = rf->client, s = !rf->client;
    uint16_t port = f->key.port[s];
    const char *alias, *service;
    unsigned expect;

    memset(out, 0, sizeof(*out));
    if (f->key.proto != PS_IPPROTO_TCP && f->key.proto != PS_IPPROTO_UDP)
        return false;
    out->client = FLOW_APP_OF(f, c);
    out->server = FLOW_APP_OF(f, s);
    /* The server's bytes say what it speaks; a client's stand in when the server's said nothing. */
    out->proto = out->server != APP_NONE ? out->server : out->client;
    out->sni = flow_table_app_name(r->table, f->app_name);
    if (out->proto == APP_NONE) {
        out->why = why_none(f);
        return true;
    }
    service = report_flow_service(r, rf, f, &alias);
    expect = report_app_expected(service);
    /* A local name (--services) this table does not know: the registry's name for the port. */
    if (expect == 0)
        expect = report_app_expected(ports_service_name(NULL, f->key.proto, port));
    if (expect & P(out->proto))
        return true;
    out->mismatch = true;
    if (service == NULL)
        snprintf(out->mismatch_text, sizeof(out->mismatch_text),
                 "%s on port %u (no service registered)", decode_app_label(out->proto),
                 (unsigned)port);
    else
        snprintf(out->mismatch_text, sizeof(out->mismatch_text), "port %u (%s), traffic is %s",
                 (unsigned)port, service, decode_app_label(out->proto));
    return true;
}
