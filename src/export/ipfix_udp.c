/*
 * ipfix_udp.c - the IPFIX exporter: the encoder's messages to a collector on a connected UDP
 * socket. Connected, so that the ICMP port unreachable a host answers to a port nothing listens
 * on comes back as ECONNREFUSED on the socket, and a wrong destination is said, not silently
 * lost. UDP cannot say more: messages a collector does not read in time are dropped unseen.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "export.h"

struct export_ipfix {
    struct ipfix_encoder enc;
    struct report_settings settings;
    int fd;
    int error; /* the first errno a send met; 0 = none */
};

int export_parse_destination(const char *arg, char *host, size_t hostlen, uint16_t *port, char *err,
                             size_t errlen)
{
    const char *colon = strrchr(arg, ':'), *h = arg;
    size_t len = colon != NULL ? (size_t)(colon - arg) : 0;
    char *end;
    long p;

    if (colon == NULL || colon[1] == '\0') {
        snprintf(err, errlen, "'%s' is not HOST:PORT", arg);
        return -1;
    }
    if (arg[0] == '[') {
        if (len < 2 || arg[len - 1] != ']') {
            snprintf(err, errlen, "'%s': an IPv6 address goes in brackets, as [::1]:4739", arg);
            return -1;
        }
        h = arg + 1;
        len -= 2;
    } else if (memchr(arg, ':', len) != NULL) {
        snprintf(err, errlen, "'%s': an IPv6 address goes in brackets, as [::1]:4739", arg);
        return -1;
    }
    if (len == 0 || len >= hostlen) {
        snprintf(err, errlen, "'%s': no host, or one too long", arg);
        return -1;
    }
    errno = 0;
    p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || errno != 0 || p < 1 || p > 65535 || colon[1] == '-' || colon[1] == '+') {
        snprintf(err, errlen, "'%s': the port must be a number from 1 to 65535", arg);
        return -1;
    }
    memcpy(host, h, len);
    host[len] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int send_message(void *arg, const uint8_t *msg, size_t len)
{
    struct export_ipfix *x = arg;

    if (send(x->fd, msg, len, 0) >= 0)
        return 0;
    /* A full socket buffer on a local burst: the message is lost, as any UDP loss; go on. */
    if (errno == ENOBUFS || errno == EAGAIN)
        return 0;
    x->error = errno;
    return -1;
}

/* The error the host reported on the socket since (ECONNREFUSED after a port unreachable). */
static int pending_error(const struct export_ipfix *x)
{
    int e = 0;
    socklen_t len = sizeof(e);

    if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        return errno;
    return e;
}

static void describe(int error, char *err, size_t errlen)
{
    if (error == ECONNREFUSED)
        snprintf(err, errlen, "connection refused: no collector listens on that port");
    else
        snprintf(err, errlen, "cannot send: %s", strerror(error));
}

static int connect_to(const char *host, uint16_t port, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV}, *res, *ai;
    char service[8];
    int rc, fd = -1, saved = 0;

    snprintf(service, sizeof(service), "%u", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve '%s': %s", host,
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        } else if (fd < 0) {
            saved = errno;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot connect a UDP socket: %s", strerror(saved));
    return fd;
}

struct export_ipfix *export_ipfix_open(const char *dest, uint32_t domain,
                                       const struct report_settings *settings, char *err,
                                       size_t errlen)
{
    char host[256];
    uint16_t port;
    struct export_ipfix *x;

    if (export_parse_destination(dest, host, sizeof(host), &port, err, errlen) != 0)
        return NULL;
    x = calloc(1, sizeof(*x));
    if (x == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    x->settings = *settings;
    x->fd = connect_to(host, port, err, errlen);
    if (x->fd < 0) {
        free(x);
        return NULL;
    }
    ipfix_encoder_init(&x->enc, domain, send_message, x);
    x->enc.export_time = (uint32_t)time(NULL);
    if (ipfix_encoder_templates(&x->enc) != 0 || (x->error = pending_error(x)) != 0) {
        describe(x->error, err, errlen);
        close(x->fd);
        free(x);
        return NULL;
    }
    return x;
}

void export_ipfix_flow(struct export_ipfix *x, const struct flow *f)
{
    struct report_flow rf;
    struct ipfix_record r;

    if (x->enc.failed)
        return;
    report_flow_init(&rf, f->id, f, &x->settings);
    ipfix_record_from_flow(f, &rf, &r);
    x->enc.export_time = (uint32_t)time(NULL);
    ipfix_encoder_add(&x->enc, &r);
}

void export_ipfix_flush(struct export_ipfix *x)
{
    x->enc.export_time = (uint32_t)time(NULL);
    ipfix_encoder_flush(&x->enc);
}

int export_ipfix_close(struct export_ipfix *x, char *err, size_t errlen)
{
    int rc = 0;

    export_ipfix_flush(x);
    if (x->error == 0)
        x->error = pending_error(x);
    if (x->error != 0) {
        describe(x->error, err, errlen);
        rc = -1;
    }
    close(x->fd);
    free(x);
    return rc;
}
