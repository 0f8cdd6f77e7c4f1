/*
 * ports.h - what a port number means: its service name, its class, and which operating systems
 * would pick it as an ephemeral (client) port.
 */
#ifndef PS_PORTS_H
#define PS_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* IANA port classes (RFC 6335 section 6). */
enum port_class {
    PORT_CLASS_WELL_KNOWN, /* 0-1023 */
    PORT_CLASS_REGISTERED, /* 1024-49151 */
    PORT_CLASS_DYNAMIC,    /* 49152-65535 */
};

enum port_class ports_class(uint16_t port);

/* "well-known", "registered" or "dynamic". */
const char *ports_class_name(enum port_class cls);

/* An inclusive range of ports, as an OS's ephemeral range or one the user gave. */
struct port_range {
    const char *name; /* profile name, or NULL for a range given as LO-HI */
    uint16_t lo, hi;
};

static inline bool port_range_contains(const struct port_range *r, uint16_t port)
{
    return port >= r->lo && port <= r->hi;
}

/* The known OS ephemeral-port profiles, in the order the report lists them; the first is iana's,
 * the range --ephemeral auto stands on where it has no host's own. */
extern const struct port_range ports_ephemeral_profiles[];
extern const size_t ports_ephemeral_profile_count;

/*
 * --ephemeral auto: each client host is judged against the range its own ports fit (the report
 * finds it, report.h). The range here, iana's, stands for hosts without evidence and in a stream.
 */
extern const struct port_range ports_ephemeral_auto;

static inline bool port_range_is_auto(const struct port_range *r)
{
    return r->name == ports_ephemeral_auto.name;
}

/* Bit i is set when `port` lies in ports_ephemeral_profiles[i]. */
uint32_t ports_ephemeral_mask(uint16_t port);

/*
 * Parses --ephemeral: a profile name ("linux") or "LO-HI" (decimal, LO <= HI, both 0-65535).
 * Returns 0 and fills *out, or -1 with a message in err.
 */
int ports_parse_ephemeral(const char *spec, struct port_range *out, char *err, size_t errlen);

/*
 * Service names: the IANA registry compiled in (src/ports/ports_iana.c), overridden by any files
 * loaded with ports_services_load(). Only tcp (6), udp (17) and sctp (132) have names.
 */
struct ports_services;

struct ports_services *ports_services_new(void);
void ports_services_free(struct ports_services *s);

/*
 * Loads a services(5) file ("name port/proto [aliases...] # comment"); its names override the
 * registry's for the same port and protocol. Returns 0, or -1 with a message naming the file
 * (and the line, for a malformed line) in err.
 */
int ports_services_load(struct ports_services *s, const char *path, char *err, size_t errlen);

/* Whether `s` holds names of its own, from services(5) files (false for NULL). */
bool ports_services_local(const struct ports_services *s);

/* The service name for (IP protocol, port), or NULL. `s` may be NULL: registry only. */
const char *ports_service_name(const struct ports_services *s, uint8_t ip_proto, uint16_t port);

/*
 * The name a student knows for a registry name ("domain" -> "dns", "ms-wbt-server" -> "rdp"), or
 * the name itself when it is already the common one. NULL for NULL.
 */
const char *ports_service_alias(const char *name);

/* ports_service_name() with its ports_service_alias() in `*alias` (NULL with no name): the
 * registry's aliases are looked up once, not per call. */
const char *ports_service_lookup(const struct ports_services *s, uint8_t ip_proto, uint16_t port,
                                 const char **alias);

/*
 * The other services the registry records on (IP protocol, port) besides ports_service_name()'s
 * (465/tcp: "urd" beside "submissions"), in registry order, NULL-terminated. Other spellings of a
 * service ("www" for "http") are not among them. Empty, never NULL, where there are none and where
 * a services(5) file names the port differently: its name replaces the registry's.
 */
const char *const *ports_service_other(const struct ports_services *s, uint8_t ip_proto,
                                       uint16_t port);

#endif
