/*
 * test_facts.c - unit tests for the tables of shared facts, one per fact: Zeek's conn_state
 * (flow.h), IP protocols (ipproto.h) and link types (linktype.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

/* Zeek's conn_state values (base/protocols/conn/main.zeek), as the reports have named them. */
START_TEST(test_conn_state_names)
{
    static const char *const zeek[] = {"S0",   "S1",     "SF",    "REJ", "S2",  "S3", "RSTO",
                                       "RSTR", "RSTOS0", "RSTRH", "SH",  "SHR", "OTH"};

    ck_assert_uint_eq(FLOW_CONN__COUNT, 1 + sizeof(zeek) / sizeof(zeek[0]));
    ck_assert_ptr_null(flow_tcp_conn_state_name(FLOW_CONN_NONE));
    ck_assert_ptr_null(flow_tcp_conn_state_name(FLOW_CONN__COUNT));
    ck_assert_ptr_null(flow_tcp_conn_state_name(UINT8_MAX));
    for (uint8_t s = FLOW_CONN_NONE + 1; s < FLOW_CONN__COUNT; s++) {
        ck_assert_pstr_eq(flow_tcp_conn_state_name(s), zeek[s - 1]);
        for (uint8_t t = FLOW_CONN_NONE + 1; t < s; t++)
            ck_assert_str_ne(flow_tcp_conn_state_name(s), flow_tcp_conn_state_name(t));
    }
    ck_assert_str_eq(flow_tcp_conn_state_name(FLOW_CONN_SF), "SF");
    ck_assert_str_eq(flow_tcp_conn_state_name(FLOW_CONN_RSTOS0), "RSTOS0");
}
END_TEST

static Suite *facts_suite(void)
{
    Suite *suite = suite_create("facts");
    TCase *tables = tcase_create("tables");

    tcase_add_test(tables, test_conn_state_names);
    suite_add_tcase(suite, tables);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(facts_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
