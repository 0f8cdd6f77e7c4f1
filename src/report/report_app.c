/*
 * report_app.c - what runs on a flow's server port, as its first payload bytes show it, against
 * what the port's service says should: the protocols each service name is expected to speak
 * (doc/app-protocols.md), and the mark when the bytes say otherwise.
 */
#include <stdint.h>
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
    /*
     * Asked once per flow written, with the few names a capture's ports have: the answer for a
     * name's pointer is remembered, per writing thread. Names live as long as the run (the
     * registry's are static; those of --services files are freed only at its end).
     */
    static _Thread_local struct {
        const char *service;
        unsigned protocols;
    } seen[64];
    size_t slot;
    unsigned protocols = 0;

    if (service == NULL)
        return 0;
    slot = ((uintptr_t)service >> 3) % (sizeof(seen) / sizeof(seen[0]));
    if (seen[slot].service == service)
        return seen[slot].protocols;
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        if (expected[i].service[0] == service[0] && strcmp(expected[i].service, service) == 0) {
            protocols = expected[i].protocols;
            break;
        }
    }
    seen[slot].service = service;
    seen[slot].protocols = protocols;
    return protocols;
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

/* Appends `s` to the text at p, within end; returns the new end of the text. */
static char *put(char *p, const char *end, const char *s)
{
    size_t n = strlen(s);

    if (n > (size_t)(end - p))
        n = (size_t)(end - p);
    memcpy(p, s, n);
    return p + n;
}

/*
 * "port 443 (https), traffic is SSH" or "HTTP on port 8089 (no service registered)": made for
 * every marked flow written, so by hand rather than by printf().
 */
static void mismatch_text(struct report_app *out, const char *service, uint16_t port)
{
    char *p = out->mismatch_text, *end = p + sizeof(out->mismatch_text) - 1, buf[6];
    char *digits = buf + sizeof(buf) - 1;
    unsigned v = port;

    *digits = '\0';
    do
        *--digits = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    if (service == NULL) {
        p = put(p, end, decode_app_label(out->proto));
        p = put(p, end, " on port ");
        p = put(p, end, digits);
        p = put(p, end, " (no service registered)");
    } else {
        p = put(p, end, "port ");
        p = put(p, end, digits);
        p = put(p, end, " (");
        p = put(p, end, service);
        p = put(p, end, "), traffic is ");
        p = put(p, end, decode_app_label(out->proto));
    }
    *p = '\0';
}

bool report_flow_app(const struct report *r, const struct report_flow *rf, const struct flow *f,
                     const char *service, struct report_app *out)
{
    uint8_t c = rf->client, s = !rf->client;
    uint16_t port = f->key.port[s];
    unsigned expect;

    /* Field by field: made for every flow written, and the text is made only for a mismatch. */
    out->proto = out->client = out->server = APP_NONE;
    out->why = out->sni = NULL;
    out->mismatch = false;
    out->mismatch_text[0] = '\0';
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
    expect = report_app_expected(service);
    /* A local name (--services) this table does not know: the registry's name for the port. */
    if (expect == 0 && ports_services_local(r->settings.services))
        expect = report_app_expected(ports_service_name(NULL, f->key.proto, port));
    if (expect & P(out->proto))
        return true;
    out->mismatch = true;
    mismatch_text(out, service, port);
    return true;
}
