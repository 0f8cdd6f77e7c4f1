/*
 * test_ports.c - unit tests for src/ports/ports.c: classes, ephemeral profiles, --ephemeral
 * parsing, service names from the registry and from services(5) overlays, and aliases.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, unlink */
#endif

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ports.h"
#include "../../src/ports/ports_iana.h"

#define TCP  6
#define UDP  17
#define SCTP 132

static size_t profile_index(const char *name)
{
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        if (strcmp(ports_ephemeral_profiles[i].name, name) == 0)
            return i;
    }
    ck_abort_msg("no ephemeral profile named %s", name);
    return 0;
}

static uint32_t bit(const char *name)
{
    return UINT32_C(1) << profile_index(name);
}

static bool in_profile(const char *name, uint16_t port)
{
    return port_range_contains(&ports_ephemeral_profiles[profile_index(name)], port);
}

/* Writes `text` to a new temporary file and returns its malloc'd path. */
static char *write_temp(const char *text)
{
    char tmpl[] = "/tmp/test_ports_XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *f;

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return strdup(tmpl);
}

/* Opens a file of the source tree: `srcdir` is where make check runs the tests from. */
static FILE *open_source_file(const char *name)
{
    const char *dir = getenv("srcdir");
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : ".", name);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    return f;
}

/* Splits `line` in place at tabs into at most `max` fields; returns how many there are. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        char *tab = strchr(line, '\t');

        fields[n++] = line;
        if (tab == NULL)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

static uint8_t proto_of(const char *name)
{
    if (strcmp(name, "tcp") == 0)
        return TCP;
    if (strcmp(name, "udp") == 0)
        return UDP;
    ck_assert_str_eq(name, "sctp");
    return SCTP;
}

/* `list` as the list file writes it: names joined by commas, "-" for none. */
static void assert_names(const char *const *names, const char *list, uint8_t proto, uint16_t port)
{
    char want[512], got[512] = "";
    size_t used = 0;

    snprintf(want, sizeof(want), "%s", strcmp(list, "-") == 0 ? "" : list);
    for (; *names != NULL; names++)
        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", used ? "," : "", *names);
    ck_assert_msg(strcmp(got, want) == 0, "%u/%u: service_other \"%s\", the list says \"%s\"",
                  (unsigned)port, (unsigned)proto, got, want);
}

START_TEST(test_class_edges)
{
    ck_assert_int_eq(ports_class(0), PORT_CLASS_WELL_KNOWN);
    ck_assert_int_eq(ports_class(1023), PORT_CLASS_WELL_KNOWN);
    ck_assert_int_eq(ports_class(1024), PORT_CLASS_REGISTERED);
    ck_assert_int_eq(ports_class(49151), PORT_CLASS_REGISTERED);
    ck_assert_int_eq(ports_class(49152), PORT_CLASS_DYNAMIC);
    ck_assert_int_eq(ports_class(65535), PORT_CLASS_DYNAMIC);
}
END_TEST

START_TEST(test_class_names)
{
    ck_assert_str_eq(ports_class_name(PORT_CLASS_WELL_KNOWN), "well-known");
    ck_assert_str_eq(ports_class_name(PORT_CLASS_REGISTERED), "registered");
    ck_assert_str_eq(ports_class_name(PORT_CLASS_DYNAMIC), "dynamic");
}
END_TEST

START_TEST(test_profile_table)
{
    static const struct port_range want[] = {
        {"iana", 49152, 65535},    {"linux", 32768, 60999},    {"linux-old", 32768, 61000},
        {"windows", 49152, 65535}, {"windows-xp", 1025, 5000}, {"macos", 49152, 65535},
        {"freebsd", 10000, 65535}, {"openbsd", 1024, 49151},   {"solaris", 32768, 65535},
    };

    ck_assert_uint_eq(ports_ephemeral_profile_count, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        ck_assert_str_eq(ports_ephemeral_profiles[i].name, want[i].name);
        ck_assert_uint_eq(ports_ephemeral_profiles[i].lo, want[i].lo);
        ck_assert_uint_eq(ports_ephemeral_profiles[i].hi, want[i].hi);
    }
}
END_TEST

START_TEST(test_profile_edges)
{
    ck_assert(!in_profile("iana", 49151));
    ck_assert(in_profile("iana", 49152));
    ck_assert(in_profile("iana", 65535));
    ck_assert(!in_profile("linux", 32767));
    ck_assert(in_profile("linux", 32768));
    ck_assert(in_profile("linux", 60999));
    ck_assert(!in_profile("linux", 61000));
    ck_assert(!in_profile("linux-old", 32767));
    ck_assert(in_profile("linux-old", 61000));
    ck_assert(!in_profile("linux-old", 61001));
    ck_assert(!in_profile("windows", 49151));
    ck_assert(in_profile("windows", 49152));
    ck_assert(!in_profile("windows-xp", 1024));
    ck_assert(in_profile("windows-xp", 1025));
    ck_assert(in_profile("windows-xp", 5000));
    ck_assert(!in_profile("windows-xp", 5001));
    ck_assert(!in_profile("macos", 49151));
    ck_assert(in_profile("macos", 49152));
    ck_assert(!in_profile("freebsd", 9999));
    ck_assert(in_profile("freebsd", 10000));
    ck_assert(in_profile("freebsd", 65535));
    ck_assert(!in_profile("openbsd", 1023));
    ck_assert(in_profile("openbsd", 1024));
    ck_assert(in_profile("openbsd", 49151));
    ck_assert(!in_profile("openbsd", 49152));
    ck_assert(!in_profile("solaris", 32767));
    ck_assert(in_profile("solaris", 32768));
    ck_assert(in_profile("solaris", 65535));
}
END_TEST

START_TEST(test_profile_edges_match_mask)
{
    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        const struct port_range *r = &ports_ephemeral_profiles[i];
        uint32_t b = UINT32_C(1) << i;

        ck_assert_uint_eq(ports_ephemeral_mask(r->lo) & b, b);
        ck_assert_uint_eq(ports_ephemeral_mask(r->hi) & b, b);
        if (r->lo > 0)
            ck_assert_uint_eq(ports_ephemeral_mask((uint16_t)(r->lo - 1)) & b, 0);
        if (r->hi < 65535)
            ck_assert_uint_eq(ports_ephemeral_mask((uint16_t)(r->hi + 1)) & b, 0);
    }
}
END_TEST

START_TEST(test_mask_bits)
{
    uint32_t high = bit("iana") | bit("windows") | bit("macos") | bit("freebsd") | bit("solaris");

    ck_assert_uint_eq(ports_ephemeral_mask(0), 0);
    ck_assert_uint_eq(ports_ephemeral_mask(80), 0);
    ck_assert_uint_eq(ports_ephemeral_mask(1024), bit("openbsd"));
    ck_assert_uint_eq(ports_ephemeral_mask(3000), bit("windows-xp") | bit("openbsd"));
    ck_assert_uint_eq(ports_ephemeral_mask(40000), bit("linux") | bit("linux-old") |
                                                       bit("freebsd") | bit("openbsd") |
                                                       bit("solaris"));
    ck_assert_uint_eq(ports_ephemeral_mask(55000), high | bit("linux") | bit("linux-old"));
    ck_assert_uint_eq(ports_ephemeral_mask(61000), high | bit("linux-old"));
    ck_assert_uint_eq(ports_ephemeral_mask(65535), high);
}
END_TEST

/* Every port's mask (read from a table of blocks) against the profiles' ranges themselves. */
START_TEST(test_mask_every_port)
{
    for (uint32_t port = 0; port <= 65535; port++) {
        uint32_t want = 0;

        for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
            const struct port_range *r = &ports_ephemeral_profiles[i];

            if (port >= r->lo && port <= r->hi)
                want |= UINT32_C(1) << i;
        }
        ck_assert_uint_eq(ports_ephemeral_mask((uint16_t)port), want);
    }
}
END_TEST

START_TEST(test_parse_profiles)
{
    struct port_range r;
    char err[PS_ERRBUF_SIZE];

    for (size_t i = 0; i < ports_ephemeral_profile_count; i++) {
        const struct port_range *p = &ports_ephemeral_profiles[i];

        ck_assert_int_eq(ports_parse_ephemeral(p->name, &r, err, sizeof(err)), 0);
        ck_assert_str_eq(r.name, p->name);
        ck_assert_uint_eq(r.lo, p->lo);
        ck_assert_uint_eq(r.hi, p->hi);
    }
}
END_TEST

START_TEST(test_parse_ranges)
{
    struct port_range r;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(ports_parse_ephemeral("1024-5000", &r, err, sizeof(err)), 0);
    ck_assert_ptr_null(r.name);
    ck_assert_uint_eq(r.lo, 1024);
    ck_assert_uint_eq(r.hi, 5000);

    ck_assert_int_eq(ports_parse_ephemeral("0-65535", &r, err, sizeof(err)), 0);
    ck_assert_uint_eq(r.lo, 0);
    ck_assert_uint_eq(r.hi, 65535);

    ck_assert_int_eq(ports_parse_ephemeral("7-7", &r, err, sizeof(err)), 0);
    ck_assert_uint_eq(r.lo, 7);
    ck_assert_uint_eq(r.hi, 7);
}
END_TEST

static void expect_parse_error(const char *spec, const char *want)
{
    struct port_range r = {"untouched", 1, 2};
    char err[PS_ERRBUF_SIZE] = "";

    ck_assert_msg(ports_parse_ephemeral(spec, &r, err, sizeof(err)) == -1, "'%s' parsed", spec);
    ck_assert_msg(strstr(err, want) != NULL, "'%s': error \"%s\" lacks \"%s\"", spec, err, want);
    ck_assert_str_eq(r.name, "untouched");
}

START_TEST(test_parse_errors)
{
    expect_parse_error("5000-1024", "bad port range '5000-1024'");
    expect_parse_error("-5", "bad port range '-5'");
    expect_parse_error("1-70000", "bad port range '1-70000': ports are 0-65535");
    expect_parse_error("70000-1", "bad port range '70000-1': ports are 0-65535");
    expect_parse_error("1-99999999999999999999999", "ports are 0-65535");
    expect_parse_error("abc", "unknown ephemeral profile 'abc' (known: iana, linux, linux-old, "
                              "windows, windows-xp, macos, freebsd, openbsd, solaris)");
    expect_parse_error("Linux", "unknown ephemeral profile 'Linux'");
    expect_parse_error("", "empty");
    expect_parse_error("10-", "bad port range '10-'");
    expect_parse_error("1 - 2", "bad port range '1 - 2'");
    expect_parse_error(" 1-2", "bad port range");
    expect_parse_error("1-2 ", "bad port range");
    expect_parse_error("+1-2", "bad port range");
    expect_parse_error("1-+2", "bad port range");
    expect_parse_error("1--2", "bad port range");
    expect_parse_error("1-2-3", "bad port range");
    expect_parse_error("5000", "bad port range '5000'");
    expect_parse_error("0x10-0x20", "bad port range");
}
END_TEST

START_TEST(test_parse_error_small_buffer)
{
    struct port_range r;
    char err[8];

    ck_assert_int_eq(ports_parse_ephemeral("nosuchprofile", &r, err, sizeof(err)), -1);
    ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
    ck_assert_int_eq(ports_parse_ephemeral("nosuchprofile", &r, NULL, 0), -1);
}
END_TEST

START_TEST(test_registry_names)
{
    ck_assert_str_eq(ports_service_name(NULL, TCP, 80), "http");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 80), "http");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 53), "domain");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 53), "domain");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 443), "https");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 22), "ssh");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 3389), "ms-wbt-server");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 1), "tcpmux");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 514), "syslog");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 514), "shell");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 27017), "mongodb");
    /* Several names, the first row not the assignment (doc/service-names.md). */
    ck_assert_str_eq(ports_service_name(NULL, TCP, 465), "submissions");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 113), "auth");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 2049), "nfs");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 1701), "l2tp");
    /* Registered for tcp only. */
    ck_assert_ptr_null(ports_service_name(NULL, UDP, 27017));
}
END_TEST

/* Every entry of the registry, looked up by its protocol and port, and nothing else found:
 * ports_service_name() answers from an index of the registry, made once. */
START_TEST(test_registry_every_entry)
{
    static const uint8_t protos[] = {TCP, UDP, SCTP};
    size_t found = 0;

    for (size_t i = 0; i < ports_iana_table_count; i++) {
        const struct ports_iana_entry *e = &ports_iana_table[i];

        ck_assert_str_eq(ports_service_name(NULL, e->proto, e->port), e->name);
    }
    for (size_t p = 0; p < 3; p++)
        for (uint32_t port = 0; port <= UINT16_MAX; port++)
            found += ports_service_name(NULL, protos[p], (uint16_t)port) != NULL;
    ck_assert_uint_eq(found, ports_iana_table_count);
}
END_TEST

/* ports_service_lookup() gives each entry's name with the alias ports_service_alias() gives it:
 * the registry's aliases are computed once, with its index. */
START_TEST(test_lookup_every_entry_alias)
{
    const char *alias = "unset";

    for (size_t i = 0; i < ports_iana_table_count; i++) {
        const struct ports_iana_entry *e = &ports_iana_table[i];

        ck_assert_str_eq(ports_service_lookup(NULL, e->proto, e->port, &alias), e->name);
        ck_assert_str_eq(alias, ports_service_alias(e->name));
    }
    ck_assert_str_eq(ports_service_lookup(NULL, UDP, 53, &alias), "domain");
    ck_assert_str_eq(alias, "dns");
    ck_assert_ptr_null(ports_service_lookup(NULL, TCP, 4, &alias));
    ck_assert_ptr_null(alias);
    ck_assert_ptr_null(ports_service_lookup(NULL, 1, 53, &alias));
    ck_assert_ptr_null(alias);
    ck_assert_str_eq(ports_service_lookup(NULL, TCP, 80, NULL), "http");
}
END_TEST

/*
 * Every pair the registry gives several names (doc/iana-several-names.tsv, the reviewed output of
 * scripts/gen-iana-services.py) gets the name the list chose and the other services it lists, and
 * no other pair has other services.
 */
START_TEST(test_several_names_list)
{
    static const uint8_t protos[] = {TCP, UDP, SCTP};
    FILE *f = open_source_file("doc/iana-several-names.tsv");
    char line[1024], *field[5];
    size_t pairs = 0, with_other = 0, found = 0;

    while (fgets(line, sizeof(line), f) != NULL) {
        uint8_t proto;
        uint16_t port;

        if (line[0] == '#')
            continue;
        ck_assert_uint_eq(split_tabs(line, field, 5), 5);
        proto = proto_of(field[1]);
        port = (uint16_t)atoi(field[0]);
        ck_assert_msg(ports_service_name(NULL, proto, port) != NULL, "%s/%s: no name", field[0],
                      field[1]);
        ck_assert_msg(strcmp(ports_service_name(NULL, proto, port), field[2]) == 0,
                      "%s/%s: service %s, the list says %s", field[0], field[1],
                      ports_service_name(NULL, proto, port), field[2]);
        assert_names(ports_service_other(NULL, proto, port), field[3], proto, port);
        pairs++;
        with_other += strcmp(field[3], "-") != 0;
    }
    ck_assert_int_eq(fclose(f), 0);
    /* The registry of June 2024 (../shared/data/iana/README.md): a list cut short fails. */
    ck_assert_uint_eq(pairs, 226);
    for (size_t p = 0; p < 3; p++)
        for (uint32_t port = 0; port <= UINT16_MAX; port++)
            found += ports_service_other(NULL, protos[p], (uint16_t)port)[0] != NULL;
    ck_assert_uint_eq(found, with_other);
}
END_TEST

/* A services file's name replaces the registry's names with the other services they come with,
 * unless it is the registry's own name. */
START_TEST(test_other_under_overlay)
{
    char *path = write_temp("smtps 465/tcp\nnfs 2049/tcp\nmine 3478/udp\n");
    struct ports_services *s = ports_services_new();
    char err[PS_ERRBUF_SIZE] = "";

    ck_assert_ptr_nonnull(s);
    ck_assert_msg(ports_services_load(s, path, err, sizeof(err)) == 0, "%s", err);
    assert_names(ports_service_other(s, TCP, 465), "-", TCP, 465);
    assert_names(ports_service_other(s, TCP, 2049), "shilp", TCP, 2049);
    assert_names(ports_service_other(s, UDP, 2049), "shilp", UDP, 2049);
    assert_names(ports_service_other(s, UDP, 3478), "-", UDP, 3478);
    assert_names(ports_service_other(s, TCP, 3478), "turn,stun-behavior", TCP, 3478);
    assert_names(ports_service_other(NULL, TCP, 465), "urd", TCP, 465);
    assert_names(ports_service_other(s, TCP, 80), "-", TCP, 80);
    assert_names(ports_service_other(NULL, 1, 465), "-", 1, 465);
    ports_services_free(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_registry_ranges_expanded)
{
    ck_assert_str_eq(ports_service_name(NULL, TCP, 6000), "x11");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 6031), "x11");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 6063), "x11");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 6667), "ircu");
}
END_TEST

START_TEST(test_registry_no_name)
{
    /* 4/tcp and 4/udp are Unassigned in the registry; 0 is Reserved. */
    ck_assert_ptr_null(ports_service_name(NULL, TCP, 4));
    ck_assert_ptr_null(ports_service_name(NULL, UDP, 4));
    ck_assert_ptr_null(ports_service_name(NULL, TCP, 0));
    ck_assert_ptr_null(ports_service_name(NULL, 1, 80));
    ck_assert_ptr_null(ports_service_name(NULL, 0, 80));
    /* dccp is not compiled in. */
    ck_assert_ptr_null(ports_service_name(NULL, 33, 5004));
}
END_TEST

START_TEST(test_registry_sctp)
{
    ck_assert_str_eq(ports_service_name(NULL, SCTP, 2905), "m3ua");
    ck_assert_str_eq(ports_service_name(NULL, SCTP, 80), "http");
    ck_assert_str_eq(ports_service_name(NULL, SCTP, 5060), "sip");
    ck_assert_ptr_null(ports_service_name(NULL, UDP, 2905));
    ck_assert_ptr_null(ports_service_name(NULL, SCTP, 53));
}
END_TEST

START_TEST(test_aliases)
{
    ck_assert_str_eq(ports_service_alias("domain"), "dns");
    ck_assert_str_eq(ports_service_alias("bootps"), "dhcp");
    ck_assert_str_eq(ports_service_alias("bootpc"), "dhcp");
    ck_assert_str_eq(ports_service_alias("dhcpv6-client"), "dhcpv6");
    ck_assert_str_eq(ports_service_alias("dhcpv6-server"), "dhcpv6");
    ck_assert_str_eq(ports_service_alias("ms-wbt-server"), "rdp");
    ck_assert_str_eq(ports_service_alias("microsoft-ds"), "smb");
    ck_assert_str_eq(ports_service_alias("netbios-ns"), "netbios");
    ck_assert_str_eq(ports_service_alias("netbios-dgm"), "netbios");
    ck_assert_str_eq(ports_service_alias("netbios-ssn"), "netbios");
    ck_assert_str_eq(ports_service_alias("isakmp"), "ike");
    ck_assert_str_eq(ports_service_alias("ms-sql-s"), "mssql");
    ck_assert_str_eq(ports_service_alias("www-http"), "http");
    ck_assert_str_eq(ports_service_alias("shilp"), "nfs");

    const char *name = "ntp";
    ck_assert_ptr_eq(ports_service_alias(name), name);
    ck_assert_str_eq(ports_service_alias("http-alt"), "http-alt");
    ck_assert_str_eq(ports_service_alias("postgresql"), "postgresql");
    ck_assert_str_eq(ports_service_alias("not-a-service"), "not-a-service");
    ck_assert_ptr_null(ports_service_alias(NULL));
}
END_TEST

START_TEST(test_aliases_of_registry_lookups)
{
    ck_assert_str_eq(ports_service_alias(ports_service_name(NULL, UDP, 53)), "dns");
    ck_assert_str_eq(ports_service_alias(ports_service_name(NULL, TCP, 3389)), "rdp");
    ck_assert_str_eq(ports_service_alias(ports_service_name(NULL, TCP, 445)), "smb");
    ck_assert_str_eq(ports_service_alias(ports_service_name(NULL, UDP, 67)), "dhcp");
    ck_assert_str_eq(ports_service_alias(ports_service_name(NULL, TCP, 2049)), "nfs");
    ck_assert_ptr_null(ports_service_alias(ports_service_name(NULL, TCP, 4)));
}
END_TEST

START_TEST(test_overlay)
{
    char *first = write_temp("# local services\n"
                             "\n"
                             "myweb\t80/tcp\twww2 web  # our web server\n"
                             "http 80/tcp\n"
                             "   newsvc   40000/udp\n"
                             "zero 4/udp # unassigned in the registry\n"
                             "crlf 9/sctp\r\n"
                             "appletalk 4/ddp\n"
                             "  # indented comment\n"
                             "nonewline 5/tcp");
    char *second = write_temp("later 80/tcp\n");
    char *bad = write_temp("early 6/tcp\nlater 80/tcp\nbroken\n");
    struct ports_services *s = ports_services_new();
    char err[PS_ERRBUF_SIZE] = "";

    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(ports_service_name(s, UDP, 4));

    ck_assert_msg(ports_services_load(s, first, err, sizeof(err)) == 0, "%s", err);
    /* First wins within one file, as getservbyport() does. */
    ck_assert_str_eq(ports_service_name(s, TCP, 80), "myweb");
    ck_assert_str_eq(ports_service_name(s, UDP, 80), "http");
    ck_assert_str_eq(ports_service_name(s, UDP, 40000), "newsvc");
    ck_assert_str_eq(ports_service_name(s, UDP, 4), "zero");
    ck_assert_str_eq(ports_service_name(s, SCTP, 9), "crlf");
    ck_assert_str_eq(ports_service_name(s, TCP, 5), "nonewline");
    ck_assert_ptr_null(ports_service_name(s, TCP, 4));
    ck_assert_ptr_null(ports_service_name(s, 1, 80));
    ck_assert_str_eq(ports_service_name(s, TCP, 443), "https");

    /* A later file overrides an earlier one; the registry itself is untouched. */
    ck_assert_msg(ports_services_load(s, second, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(ports_service_name(s, TCP, 80), "later");
    ck_assert_str_eq(ports_service_name(s, UDP, 40000), "newsvc");
    ck_assert_str_eq(ports_service_name(NULL, TCP, 80), "http");
    ck_assert_str_eq(ports_service_name(NULL, UDP, 40000), "safetynetp");
    {
        const char *alias = NULL;

        /* An overlay's names have aliases too, looked up by name. */
        ck_assert_str_eq(ports_service_lookup(s, TCP, 80, &alias), "later");
        ck_assert_str_eq(alias, "later");
        ck_assert_str_eq(ports_service_lookup(s, TCP, 443, &alias), "https");
        ck_assert_str_eq(alias, "https");
    }

    /* A file that fails to load leaves what was loaded before in place. */
    ck_assert_int_eq(ports_services_load(s, bad, err, sizeof(err)), -1);
    ck_assert_str_eq(ports_service_name(s, TCP, 80), "later");
    ck_assert_ptr_null(ports_service_name(s, TCP, 6));

    ports_services_free(s);
    unlink(first);
    unlink(second);
    unlink(bad);
    free(first);
    free(second);
    free(bad);
}
END_TEST

static void expect_malformed(const char *bad_line)
{
    char *path, text[256], want[PS_ERRBUF_SIZE];
    struct ports_services *s = ports_services_new();
    char err[PS_ERRBUF_SIZE] = "";

    snprintf(text, sizeof(text), "# header\n\nok 1234/tcp\n%s\nfine 8/tcp\n", bad_line);
    path = write_temp(text);
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(ports_services_load(s, path, err, sizeof(err)) == -1, "'%s' loaded", bad_line);
    snprintf(want, sizeof(want), "%s:4: malformed services entry", path);
    ck_assert_str_eq(err, want);
    /* A file with an error adds nothing, not even its good lines. */
    ck_assert_ptr_null(ports_service_name(s, TCP, 8));
    ck_assert_str_eq(ports_service_name(s, TCP, 1234), "search-agent");

    ports_services_free(s);
    unlink(path);
    free(path);
}

START_TEST(test_malformed_lines)
{
    expect_malformed("noport");
    expect_malformed("name 80");
    expect_malformed("name abc/tcp");
    expect_malformed("name 70000/tcp");
    expect_malformed("name 99999999999999999999/tcp");
    expect_malformed("name /tcp");
    expect_malformed("name 80/");
    expect_malformed("name -1/tcp");
    expect_malformed("name +80/tcp");
    expect_malformed("name 80x/tcp");
    expect_malformed("name 80/tcp/udp extra");
    expect_malformed("name # 80/tcp");
}
END_TEST

START_TEST(test_overlay_errors)
{
    struct ports_services *s = ports_services_new();
    char err[PS_ERRBUF_SIZE] = "";
    const char *missing = "/nonexistent/portscope-test/services";

    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(ports_services_load(s, missing, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, missing) == err, "error \"%s\" does not name the file", err);
    ck_assert_int_eq(ports_services_load(s, missing, NULL, 0), -1);
    ck_assert_int_eq(ports_services_load(NULL, missing, err, sizeof(err)), -1);
    ports_services_free(s);
    ports_services_free(NULL);
}
END_TEST

START_TEST(test_overlay_empty_file)
{
    char *path = write_temp("");
    struct ports_services *s = ports_services_new();
    char err[PS_ERRBUF_SIZE] = "";

    ck_assert_ptr_nonnull(s);
    ck_assert_msg(ports_services_load(s, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(ports_service_name(s, TCP, 80), "http");
    ports_services_free(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_system_services)
{
    const char *path = "/etc/services";
    struct ports_services *s;
    char err[PS_ERRBUF_SIZE] = "";

    if (access(path, R_OK) != 0)
        return;
    s = ports_services_new();
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(ports_services_load(s, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert_ptr_nonnull(ports_service_name(s, TCP, 22));
    ports_services_free(s);
}
END_TEST

Suite *ports_suite(void)
{
    Suite *suite = suite_create("ports");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_class_edges);
    tcase_add_test(tc, test_class_names);
    tcase_add_test(tc, test_profile_table);
    tcase_add_test(tc, test_profile_edges);
    tcase_add_test(tc, test_profile_edges_match_mask);
    tcase_add_test(tc, test_mask_bits);
    tcase_add_test(tc, test_mask_every_port);
    tcase_add_test(tc, test_parse_profiles);
    tcase_add_test(tc, test_parse_ranges);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_parse_error_small_buffer);
    tcase_add_test(tc, test_registry_names);
    tcase_add_test(tc, test_registry_every_entry);
    tcase_add_test(tc, test_lookup_every_entry_alias);
    tcase_add_test(tc, test_several_names_list);
    tcase_add_test(tc, test_other_under_overlay);
    tcase_add_test(tc, test_registry_ranges_expanded);
    tcase_add_test(tc, test_registry_no_name);
    tcase_add_test(tc, test_registry_sctp);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_aliases_of_registry_lookups);
    tcase_add_test(tc, test_overlay);
    tcase_add_test(tc, test_malformed_lines);
    tcase_add_test(tc, test_overlay_errors);
    tcase_add_test(tc, test_overlay_empty_file);
    tcase_add_test(tc, test_system_services);
    suite_add_tcase(suite, tc);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, ports_suite());
    return 0;
}
