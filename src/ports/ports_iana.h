/*
 * ports_iana.h - the IANA service-name table that scripts/gen-iana-services.py generates into
 * ports_iana.c. Private to src/.
 */
#ifndef PS_PORTS_IANA_H
#define PS_PORTS_IANA_H

#include <stddef.h>
#include <stdint.h>

struct ports_iana_entry {
    uint8_t proto; /* IP protocol number: 6, 17 or 132 */
    uint16_t port;
    const char *name;
};

/* Sorted by (proto, port), one entry per pair: ports_service_name() binary-searches it. */
extern const struct ports_iana_entry ports_iana_table[];
extern const size_t ports_iana_table_count;

/* The other services the registry records on a pair besides the table's name for it. */
struct ports_iana_other {
    uint8_t proto;
    uint16_t port;
    const char *const *names; /* in registry order, NULL-terminated */
};

/* Sorted by (proto, port); only the pairs that have other services. */
extern const struct ports_iana_other ports_iana_others[];
extern const size_t ports_iana_others_count;

#endif
