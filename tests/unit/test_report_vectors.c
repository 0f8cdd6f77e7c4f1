/*
 * test_report_vectors.c - report_community_id() against every record of the Community ID
 * specification's baseline (corelight/community-id-spec, copied in ../shared/data/community-id/
 * with its licence): baseline_deflt.json (seed 0, base64), baseline_seed1.json (seed 1) and
 * baseline_nob64.json (hex). Each record is one packet's protocol, addresses and ports (for ICMP
 * its type and the port the specification mapped it to, or its code) and its Community ID.
 * Skipped (77) where ../shared is not beside the source tree; COMMUNITY_ID_BASELINE names
 * another directory.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "report.h"

static char baseline_dir[1024];

static void check_record(const json_t *rec, uint16_t seed, bool hex, size_t index)
{
    const char *saddr = json_string_value(json_object_get(rec, "saddr"));
    const char *daddr = json_string_value(json_object_get(rec, "daddr"));
    const char *want = json_string_value(json_object_get(rec, "communityid"));
    const json_t *sport = json_object_get(rec, "sport"), *dport = json_object_get(rec, "dport");
    uint8_t src[16] = {0}, dst[16] = {0};
    struct report_cid_tuple t = {0};
    char got[REPORT_COMMUNITY_ID_LEN];

    ck_assert_msg(saddr != NULL && daddr != NULL && want != NULL, "record %zu: fields", index);
    t.family = strchr(saddr, ':') != NULL ? 6 : 4;
    t.proto = (uint8_t)json_integer_value(json_object_get(rec, "proto"));
    ck_assert_int_eq(inet_pton(t.family == 6 ? AF_INET6 : AF_INET, saddr, src), 1);
    ck_assert_int_eq(inet_pton(t.family == 6 ? AF_INET6 : AF_INET, daddr, dst), 1);
    t.src = src;
    t.dst = dst;
    /* null ports: a protocol without them (RSVP) */
    t.sport = json_is_integer(sport) ? (uint16_t)json_integer_value(sport) : 0;
    t.dport = json_is_integer(dport) ? (uint16_t)json_integer_value(dport) : 0;
    report_community_id(&t, seed, hex, got);
    ck_assert_msg(strcmp(got, want) == 0, "record %zu (%s -> %s, proto %u): %s, want %s", index,
                  saddr, daddr, t.proto, got, want);
}

static void check_file(const char *name, uint16_t seed, bool hex)
{
    char path[1200];
    json_error_t err;
    json_t *all;
    size_t i;
    json_t *rec;

    snprintf(path, sizeof(path), "%s/%s", baseline_dir, name);
    all = json_load_file(path, 0, &err);
    ck_assert_msg(all != NULL && json_is_array(all), "%s: %s", path, err.text);
    ck_assert_uint_gt(json_array_size(all), 20);
    json_array_foreach(all, i, rec)
    {
        check_record(rec, seed, hex, i);
    }
    json_decref(all);
}

START_TEST(test_baseline_default)
{
    check_file("baseline_deflt.json", 0, false);
}
END_TEST

START_TEST(test_baseline_seed1)
{
    check_file("baseline_seed1.json", 1, false);
}
END_TEST

START_TEST(test_baseline_hex)
{
    check_file("baseline_nob64.json", 0, true);
}
END_TEST

int unit_suites(SRunner *runner)
{
    const char *dir = getenv("COMMUNITY_ID_BASELINE");
    const char *srcdir = getenv("srcdir");
    Suite *suite;
    TCase *tc;

    if (dir != NULL)
        snprintf(baseline_dir, sizeof(baseline_dir), "%s", dir);
    else
        snprintf(baseline_dir, sizeof(baseline_dir), "%s/../shared/data/community-id/baseline",
                 srcdir != NULL ? srcdir : ".");
    if (access(baseline_dir, R_OK) != 0) {
        printf("%s not found: skipped\n", baseline_dir);
        return UNIT_SKIP;
    }
    suite = suite_create("community-id-baseline");
    tc = tcase_create("baseline");
    tcase_add_test(tc, test_baseline_default);
    tcase_add_test(tc, test_baseline_seed1);
    tcase_add_test(tc, test_baseline_hex);
    suite_add_tcase(suite, tc);
    srunner_add_suite(runner, suite);
    return 0;
}
