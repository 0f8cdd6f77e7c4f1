/*
 * ports.c - port classes, OS ephemeral-port profiles, and service names from the compiled-in IANA
 * registry plus any services(5) files the user loads.
 */
#include "ports.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "ports_iana.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

enum port_class ports_class(uint16_t port)
{
    if (port <= 1023)
        return PORT_CLASS_WELL_KNOWN;
    if (port <= 49151)
        return PORT_CLASS_REGISTERED;
    return PORT_CLASS_DYNAMIC;
}

const char *ports_class_name(enum port_class cls)
{
    switch (cls) {
    case PORT_CLASS_WELL_KNOWN:
        return "well-known";
    case PORT_CLASS_REGISTERED:
        return "registered";
    case PORT_CLASS_DYNAMIC:
        return "dynamic";
    }
    return "unknown";
}

const struct port_range ports_ephemeral_profiles[] = {
    /* RFC 6335 section 6: the dynamic/private range. */
    {"iana", 49152, 65535},
    /* net.ipv4.ip_local_port_range default since Linux 4.2 (an odd top keeps parities split). */
    {"linux", 32768, 60999},
    /* The same sysctl's default from 2.6 kernels up to 4.1. */
    {"linux-old", 32768, 61000},
    /* Vista / Server 2008 and later, per Microsoft KB929851. */
    {"windows", 49152, 65535},
    /* XP / Server 2003: 1025 up to the MaxUserPort default of 5000 (KB929851). */
    {"windows-xp", 1025, 5000},
    /* sysctl net.inet.ip.portrange.first/last defaults. */
    {"macos", 49152, 65535},
    /* sysctl net.inet.ip.portrange.first/last defaults. */
    {"freebsd", 10000, 65535},
    /* sysctl net.inet.ip.portfirst/portlast defaults (the non-"hi" range connect() uses). */
    {"openbsd", 1024, 49151},
    /* tcp_smallest_anon_port/tcp_largest_anon_port defaults. */
    {"solaris", 32768, 65535},
};

const struct port_range ports_ephemeral_auto = {"auto", 49152, 65535};

_Static_assert(sizeof(ports_ephemeral_profiles) / sizeof(ports_ephemeral_profiles[0]) <= 32,
               "ports_ephemeral_mask() returns one bit per profile in a uint32_t");

const size_t ports_ephemeral_profile_count =
    sizeof(ports_ephemeral_profiles) / sizeof(ports_ephemeral_profiles[0]);

/* The mask by looking at every profile: what the block table is made from. */
static uint32_t mask_of_port(uint16_t port)
{
    uint32_t mask = 0;

    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (port_range_contains(&ports_ephemeral_profiles[i], port))
            mask |= UINT32_C(1) << i;
    }
    return mask;
}

/*
 * The mask is asked for several times for each of millions of flows, so it is read from a table
 * of the 256 blocks of 256 ports: a block that no profile's end cuts has one mask for all its
 * ports; the few that one cuts (BLOCK_SPLIT) are worked out port by port.
 */
#define BLOCK_SPLIT UINT32_MAX
static uint32_t block_masks[256];
static pthread_once_t block_masks_once = PTHREAD_ONCE_INIT;

static void make_block_masks(void)
{
    for (unsigned b = 0; b < 256; b++) {
        uint32_t first = mask_of_port((uint16_t)(b << 8));

        block_masks[b] = first;
        for (unsigned p = 1; p < 256; p++) {
            if (mask_of_port((uint16_t)(b << 8 | p)) != first) {
                block_masks[b] = BLOCK_SPLIT;
                break;
            }
        }
    }
}

_Static_assert(sizeof(ports_ephemeral_profiles) / sizeof(ports_ephemeral_profiles[0]) < 32,
               "BLOCK_SPLIT is no profile mask");

uint32_t ports_ephemeral_mask(uint16_t port)
{
    uint32_t mask;

    pthread_once(&block_masks_once, make_block_masks);
    mask = block_masks[port >> 8];
    return mask != BLOCK_SPLIT ? mask : mask_of_port(port);
}

static bool is_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Parses the decimal port at s, which must start with a digit (strtoul would otherwise accept
 * leading spaces and signs). Returns false for no digits; *too_big reports a value above 65535.
 */
static bool parse_port(const char *s, unsigned long *value, const char **end, bool *too_big)
{
    char *stop;

    if (!is_ascii_digit(*s))
        return false;
    errno = 0;
    *value = strtoul(s, &stop, 10);
    *end = stop;
    if (errno == ERANGE || *value > 65535)
        *too_big = true;
    return true;
}

static void unknown_profile(const char *spec, char *err, size_t errlen)
{
    char known[160] = "";
    size_t used = 0;

    for (size_t i = 0; i < ports_ephemeral_profile_count && used < sizeof(known); i++) {
        int n = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
                         ports_ephemeral_profiles[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    set_err(err, errlen, "unknown ephemeral profile '%s' (known: %s)", spec, known);
}

int ports_parse_ephemeral(const char *spec, struct port_range *out, char *err, size_t errlen)
{
    unsigned long lo, hi;
    const char *end;
    bool too_big = false;

    if (spec == NULL || *spec == '\0') {
        set_err(err, errlen, "empty ephemeral range: give a profile name or LO-HI");
        return -1;
    }
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (strcmp(spec, ports_ephemeral_profiles[i].name) == 0) {
            *out = ports_ephemeral_profiles[i];
            return 0;
        }
    }
    /* Anything that starts like a word was meant as a profile name, not a range. */
    if (is_ascii_alpha(*spec)) {
        unknown_profile(spec, err, errlen);
        return -1;
    }
    if (!parse_port(spec, &lo, &end, &too_big) || *end != '-' ||
        !parse_port(end + 1, &hi, &end, &too_big) || *end != '\0') {
        set_err(err, errlen, "bad port range '%s': expected LO-HI, e.g. 32768-60999", spec);
        return -1;
    }
    if (too_big) {
        set_err(err, errlen, "bad port range '%s': ports are 0-65535", spec);
        return -1;
    }
    if (lo > hi) {
        set_err(err, errlen, "bad port range '%s': %lu is above %lu", spec, lo, hi);
        return -1;
    }
    out->name = NULL;
    out->lo = (uint16_t)lo;
    out->hi = (uint16_t)hi;
    return 0;
}

/*
 * The overlay is kept sorted by (proto, port) so lookups are a binary search. `order` only matters
 * while one file is being loaded: it lets the first entry for a port in that file win.
 */
struct overlay_entry {
    uint8_t proto;
    uint16_t port;
    size_t order;
    char *name;
};

struct ports_services {
    struct overlay_entry *entries;
    size_t count;
};

bool ports_services_local(const struct ports_services *s)
{
    return s != NULL && s->count > 0;
}

struct ports_services *ports_services_new(void)
{
    return calloc(1, sizeof(struct ports_services));
}

static void free_entries(struct overlay_entry *entries, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(entries[i].name);
    free(entries);
}

void ports_services_free(struct ports_services *s)
{
    if (s == NULL)
        return;
    free_entries(s->entries, s->count);
    free(s);
}

static int compare_key(uint8_t proto_a, uint16_t port_a, uint8_t proto_b, uint16_t port_b)
{
    if (proto_a != proto_b)
        return proto_a < proto_b ? -1 : 1;
    if (port_a != port_b)
        return port_a < port_b ? -1 : 1;
    return 0;
}

static int compare_overlay_order(const void *a, const void *b)
{
    const struct overlay_entry *x = a, *y = b;
    int c = compare_key(x->proto, x->port, y->proto, y->port);

    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The number of a protocol with ports by its name ("tcp"); 0 for any other name. */
static uint8_t proto_number(const char *name)
{
    int proto = ipproto_by_name(name);

    return proto >= 0 && ipproto_has_ports((uint8_t)proto) ? (uint8_t)proto : 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char *next_field(char **cursor)
{
    char *p = *cursor, *start;

    while (is_space(*p))
        p++;
    if (*p == '\0')
        return NULL;
    start = p;
    while (*p != '\0' && !is_space(*p))
        p++;
    if (*p != '\0')
        *p++ = '\0';
    *cursor = p;
    return start;
}

enum parse_result { PARSE_SKIP, PARSE_ENTRY, PARSE_MALFORMED };

/* Splits one services(5) line in place. Names and protocols are left pointing into `line`. */
static enum parse_result parse_services_line(char *line, char **name, uint8_t *proto,
                                             uint16_t *port)
{
    char *cursor = line, *portproto, *slash;
    const char *end;
    unsigned long value;
    bool too_big = false;

    line[strcspn(line, "#")] = '\0';
    *name = next_field(&cursor);
    if (*name == NULL)
        return PARSE_SKIP;
    portproto = next_field(&cursor);
    if (portproto == NULL || (slash = strchr(portproto, '/')) == NULL)
        return PARSE_MALFORMED;
    *slash = '\0';
    if (!parse_port(portproto, &value, &end, &too_big) || *end != '\0' || too_big ||
        slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
        return PARSE_MALFORMED;
    *proto = proto_number(slash + 1);
    *port = (uint16_t)value;
    /* Other protocols (ddp and the like) are valid in services(5); portscope just has no use. */
    return *proto == 0 ? PARSE_SKIP : PARSE_ENTRY;
}

/* Reads one line of any length into *buf. Returns false at end of file or on a read error. */
static bool read_line(FILE *f, char **buf, size_t *cap)
{
    size_t len = 0;
    int c;

    while ((c = getc(f)) != EOF) {
        if (len + 1 >= *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            char *nbuf = realloc(*buf, ncap);
            if (nbuf == NULL)
                return false;
            *buf = nbuf;
            *cap = ncap;
        }
        if (c == '\n')
            break;
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return false;
    (*buf)[len] = '\0';
    return true;
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);

    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

static int append_entry(struct overlay_entry **v, size_t *count, size_t *cap,
                        const struct overlay_entry *e)
{
    if (*count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        struct overlay_entry *nv = realloc(*v, ncap * sizeof(*nv));
        if (nv == NULL)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*count)++] = *e;
    return 0;
}

/*
 * Parses the whole file before touching `s`, so a file with an error leaves the overlay as it was.
 * Allocation failures are reported as errors, like any other reason the file could not be used.
 */
static int read_services_file(FILE *f, const char *path, struct overlay_entry **out,
                              size_t *out_count, char *err, size_t errlen)
{
    struct overlay_entry *v = NULL;
    size_t count = 0, cap = 0, lineno = 0, linecap = 0;
    char *line = NULL;

    while (read_line(f, &line, &linecap)) {
        struct overlay_entry e = {0};
        char *name;

        lineno++;
        switch (parse_services_line(line, &name, &e.proto, &e.port)) {
        case PARSE_SKIP:
            continue;
        case PARSE_MALFORMED:
            set_err(err, errlen, "%s:%zu: malformed services entry", path, lineno);
            goto fail;
        case PARSE_ENTRY:
            break;
        }
        e.order = count;
        e.name = copy_string(name);
        if (e.name == NULL || append_entry(&v, &count, &cap, &e) != 0) {
            free(e.name);
            set_err(err, errlen, "%s: out of memory", path);
            goto fail;
        }
    }
    if (ferror(f)) {
        set_err(err, errlen, "%s: read error", path);
        goto fail;
    }
    if (!feof(f)) {
        set_err(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    free(line);
    *out = v;
    *out_count = count;
    return 0;

fail:
    free(line);
    free_entries(v, count);
    return -1;
}

/* Sorts a file's entries and keeps the first of each (proto, port), as getservbyport() would. */
static size_t dedup_first_wins(struct overlay_entry *v, size_t count)
{
    size_t kept = 0;

    if (count == 0)
        return 0;
    qsort(v, count, sizeof(*v), compare_overlay_order);
    for (size_t i = 0; i < count; i++) {
        if (kept > 0 &&
            compare_key(v[kept - 1].proto, v[kept - 1].port, v[i].proto, v[i].port) == 0)
            free(v[i].name);
        else
            v[kept++] = v[i];
    }
    return kept;
}

int ports_services_load(struct ports_services *s, const char *path, char *err, size_t errlen)
{
    struct overlay_entry *add, *merged;
    size_t nadd, i = 0, j = 0, n = 0;
    FILE *f;
    int rc;

    if (s == NULL || path == NULL) {
        set_err(err, errlen, "no services table or file to load");
        return -1;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = read_services_file(f, path, &add, &nadd, err, errlen);
    fclose(f);
    if (rc != 0)
        return -1;
    nadd = dedup_first_wins(add, nadd);
    if (nadd == 0) {
        free(add);
        return 0;
    }

    merged = malloc((s->count + nadd) * sizeof(*merged));
    if (merged == NULL) {
        free_entries(add, nadd);
        set_err(err, errlen, "%s: out of memory", path);
        return -1;
    }
    /* Both sides are sorted: merge them, the newly loaded file winning on equal keys. */
    while (i < s->count && j < nadd) {
        const struct overlay_entry *old = &s->entries[i];
        int c = compare_key(old->proto, old->port, add[j].proto, add[j].port);

        if (c < 0) {
            merged[n++] = s->entries[i++];
        } else {
            if (c == 0)
                free(s->entries[i++].name);
            merged[n++] = add[j++];
        }
    }
    while (i < s->count)
        merged[n++] = s->entries[i++];
    while (j < nadd)
        merged[n++] = add[j++];
    free(add);
    free(s->entries);
    s->entries = merged;
    s->count = n;
    return 0;
}

static const char *overlay_lookup(const struct ports_services *s, uint8_t proto, uint16_t port)
{
    size_t lo = 0, hi = s->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_key(s->entries[mid].proto, s->entries[mid].port, proto, port);
        if (c == 0)
            return s->entries[mid].name;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/*
 * The registry by protocol and port: every flow of a report looks its service up, some twice, and
 * one load of this costs less than a binary search of 11,000 entries. Made once, by the first
 * thread to ask; without memory for it, the search it is.
 */
static uint16_t *registry_index; /* [ipproto_port_space() << 16 | port]: entry number + 1, or 0 */
static const char **registry_aliases; /* [entry number]: ports_service_alias() of its name */
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void make_registry_index(void)
{
    uint16_t *ix;
    const char **aliases;

    if (ports_iana_table_count >= UINT16_MAX)
        return;
    ix = calloc(PS_IPPROTO_PORT_SPACES << 16, sizeof(*ix));
    aliases = malloc(ports_iana_table_count * sizeof(*aliases));
    if (ix == NULL || aliases == NULL) {
        free(ix);
        free(aliases);
        return;
    }
    for (size_t i = 0; i < ports_iana_table_count; i++) {
        const struct ports_iana_entry *e = &ports_iana_table[i];

        if (ipproto_has_ports(e->proto))
            ix[(size_t)ipproto_port_space(e->proto) << 16 | e->port] = (uint16_t)(i + 1);
        aliases[i] = ports_service_alias(e->name);
    }
    registry_index = ix;
    registry_aliases = aliases;
}

/* The registry's name for (proto, port), or NULL; with its alias in `*alias` when asked for. */
static const char *registry_lookup(uint8_t proto, uint16_t port, const char **alias)
{
    size_t lo = 0, hi = ports_iana_table_count;

    pthread_once(&registry_once, make_registry_index);
    if (registry_index != NULL) {
        uint16_t entry = registry_index[(size_t)ipproto_port_space(proto) << 16 | port];

        if (entry == 0)
            return NULL;
        if (alias != NULL)
            *alias = registry_aliases[entry - 1];
        return ports_iana_table[entry - 1].name;
    }

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ports_iana_entry *e = &ports_iana_table[mid];
        int c = compare_key(e->proto, e->port, proto, port);
        if (c == 0) {
            if (alias != NULL)
                *alias = ports_service_alias(e->name);
            return e->name;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *ports_service_name(const struct ports_services *s, uint8_t ip_proto, uint16_t port)
{
    return ports_service_lookup(s, ip_proto, port, NULL);
}

const char *ports_service_lookup(const struct ports_services *s, uint8_t ip_proto, uint16_t port,
                                 const char **alias)
{
    const char *name;

    if (alias != NULL)
        *alias = NULL;
    if (!ipproto_has_ports(ip_proto))
        return NULL;
    if (s != NULL && (name = overlay_lookup(s, ip_proto, port)) != NULL) {
        if (alias != NULL)
            *alias = ports_service_alias(name);
        return name;
    }
    return registry_lookup(ip_proto, port, alias);
}

const char *const *ports_service_other(const struct ports_services *s, uint8_t ip_proto,
                                       uint16_t port)
{
    static const char *const none[] = {NULL};
    size_t lo = 0, hi = ports_iana_others_count;
    const char *name;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ports_iana_other *o = &ports_iana_others[mid];
        int c = compare_key(o->proto, o->port, ip_proto, port);

        if (c == 0) {
            if (s != NULL && (name = overlay_lookup(s, ip_proto, port)) != NULL &&
                strcmp(name, registry_lookup(ip_proto, port, NULL)) != 0)
                return none;
            return o->names;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return none;
}

/* Only where the registry's name differs from the one in textbooks, Wireshark and nmap. */
static const struct {
    const char *registry;
    const char *common;
} service_aliases[] = {
    {"bootpc", "dhcp"},
    {"bootps", "dhcp"},
    {"dhcpv6-client", "dhcpv6"},
    {"dhcpv6-server", "dhcpv6"},
    {"domain", "dns"},
    {"epmap", "msrpc"},
    {"ircu", "irc"},
    {"isakmp", "ike"},
    {"memcache", "memcached"},
    {"microsoft-ds", "smb"},
    {"ms-sql-s", "mssql"},
    {"ms-wbt-server", "rdp"},
    {"netbios-dgm", "netbios"},
    {"netbios-ns", "netbios"},
    {"netbios-ssn", "netbios"},
    {"nicname", "whois"},
    {"rfb", "vnc"},
    {"router", "rip"},
    {"submissions", "smtps"},
    {"www", "http"},
    {"www-http", "http"},
    /*
     * Other services the registry records on 2049, 1701 and 465/tcp, which lose to the one it
     * assigns (doc/service-names.md) but which a --services file can still name the port after
     * (netbase's does for 1701/udp); the traffic a student sees is the assigned one.
     */
    {"l2f", "l2tp"},
    {"shilp", "nfs"},
    {"urd", "smtps"},
};

const char *ports_service_alias(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(service_aliases) / sizeof(service_aliases[0]); i++) {
        /* The first letter first: this runs for every flow of the report. */
        if (name[0] == service_aliases[i].registry[0] &&
            strcmp(name, service_aliases[i].registry) == 0)
            return service_aliases[i].common;
    }
    return name;
}
