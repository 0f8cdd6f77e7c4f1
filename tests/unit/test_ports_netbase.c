/*
 * test_ports_netbase.c - the compiled-in service names against netbase's /etc/services (Debian
 * package netbase): on every port and protocol both name, the names agree or the difference is a
 * row of the table in doc/service-names.md, which gives its reason; and every row there still
 * differs. Skipped (exit status 77) without /etc/services.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* access */
#endif

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ports.h"

#define SERVICES "/etc/services"
#define SECTION  "## Differences from netbase's /etc/services"
#define MAX_ROWS 128

struct difference {
    unsigned port;
    char proto[8], registry[64], netbase[64];
    bool seen;
};

/* Copies a table cell without its blanks and backquotes. */
static void cell(char *dst, size_t size, const char *start, const char *end)
{
    size_t n;

    while (start < end && (*start == ' ' || *start == '`'))
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '`'))
        end--;
    n = (size_t)(end - start) < size - 1 ? (size_t)(end - start) : size - 1;
    memcpy(dst, start, n);
    dst[n] = '\0';
}

/* The rows of SECTION's table in doc/service-names.md: port, proto, registry, netbase, ... */
static size_t read_differences(struct difference *rows)
{
    const char *dir = getenv("srcdir");
    char path[4096], line[1024];
    bool in_section = false;
    size_t n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/doc/service-names.md", dir != NULL ? dir : ".");
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *bar[5];

        if (strncmp(line, "## ", 3) == 0)
            in_section = strncmp(line, SECTION, strlen(SECTION)) == 0;
        if (!in_section || line[0] != '|' || line[2] < '0' || line[2] > '9')
            continue;
        bar[0] = line;
        for (size_t i = 1; i < 5; i++) {
            bar[i] = strchr(bar[i - 1] + 1, '|');
            ck_assert_msg(bar[i] != NULL, "%s: short table row: %s", path, line);
        }
        ck_assert_uint_lt(n, MAX_ROWS);
        rows[n].port = (unsigned)atoi(bar[0] + 1);
        cell(rows[n].proto, sizeof(rows[n].proto), bar[1] + 1, bar[2]);
        cell(rows[n].registry, sizeof(rows[n].registry), bar[2] + 1, bar[3]);
        cell(rows[n].netbase, sizeof(rows[n].netbase), bar[3] + 1, bar[4]);
        rows[n].seen = false;
        n++;
    }
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(n > 0, "%s: no table under \"%s\"", path, SECTION);
    return n;
}

START_TEST(test_names_agree_or_differ_as_listed)
{
    static const struct {
        uint8_t number;
        const char *name;
    } protos[] = {{6, "tcp"}, {17, "udp"}, {132, "sctp"}};
    struct difference rows[MAX_ROWS];
    size_t n = read_differences(rows), compared = 0;
    struct ports_services *netbase = ports_services_new();
    char err[PS_ERRBUF_SIZE] = "", unlisted[4096] = "", stale[4096] = "";
    size_t used = 0;

    ck_assert_ptr_nonnull(netbase);
    ck_assert_msg(ports_services_load(netbase, SERVICES, err, sizeof(err)) == 0, "%s", err);
    for (size_t p = 0; p < 3; p++) {
        for (uint32_t port = 0; port <= UINT16_MAX; port++) {
            const char *ours = ports_service_name(NULL, protos[p].number, (uint16_t)port);
            const char *theirs = ports_service_name(netbase, protos[p].number, (uint16_t)port);
            bool listed = false;

            /* Where netbase has no name, the lookup falls back to the registry's. */
            if (ours == NULL || theirs == ours)
                continue;
            compared++;
            if (strcmp(ours, theirs) == 0)
                continue;
            for (size_t i = 0; i < n && !listed; i++) {
                struct difference *d = &rows[i];

                if (d->port == port && strcmp(d->proto, protos[p].name) == 0 &&
                    strcmp(d->registry, ours) == 0 && strcmp(d->netbase, theirs) == 0)
                    listed = d->seen = true;
            }
            if (!listed && used < sizeof(unlisted))
                used += (size_t)snprintf(unlisted + used, sizeof(unlisted) - used,
                                         " %u/%s %s (netbase %s);", (unsigned)port, protos[p].name,
                                         ours, theirs);
        }
    }
    used = 0;
    for (size_t i = 0; i < n; i++)
        if (!rows[i].seen && used < sizeof(stale))
            used += (size_t)snprintf(stale + used, sizeof(stale) - used, " %u/%s;", rows[i].port,
                                     rows[i].proto);
    ck_assert_msg(compared > 0, "no port named by both");
    ck_assert_msg(unlisted[0] == '\0', "differences not in doc/service-names.md:%s", unlisted);
    ck_assert_msg(stale[0] == '\0', "rows of doc/service-names.md that do not differ:%s", stale);
    ports_services_free(netbase);
}
END_TEST

Suite *ports_netbase_suite(void)
{
    Suite *suite = suite_create("netbase");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_names_agree_or_differ_as_listed);
    suite_add_tcase(suite, tc);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    if (access(SERVICES, R_OK) != 0) {
        printf("%s not found (Debian package netbase): skipped\n", SERVICES);
        return UNIT_SKIP;
    }
    srunner_add_suite(runner, ports_netbase_suite());
    return 0;
}
