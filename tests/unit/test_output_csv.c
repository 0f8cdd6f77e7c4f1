/*
 * test_output_csv.c - unit tests for the CSV writer's quoting (RFC 4180, section 2).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>

#include "../../src/output/output_int.h"

/* The bytes output_csv_field() writes for `s`. */
static char *field(const char *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(output_csv_field(f, s), 0);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

static void assert_field(const char *s, const char *want)
{
    char *got = field(s);

    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_plain)
{
    assert_field("192.0.2.1", "192.0.2.1");
    assert_field("linux freebsd", "linux freebsd");
    assert_field("", "");
    assert_field(NULL, "");
    /* Only ',', '"', CR and LF call for quotes; spaces and ';' do not. */
    assert_field(" a;b ", " a;b ");
}
END_TEST

START_TEST(test_quoted)
{
    assert_field("a,b", "\"a,b\"");
    assert_field("say \"hi\"", "\"say \"\"hi\"\"\"");
    assert_field("\"", "\"\"\"\"");
    assert_field("two\nlines", "\"two\nlines\"");
    assert_field("cr\r", "\"cr\r\"");
}
END_TEST

Suite *output_csv_suite(void)
{
    Suite *suite = suite_create("csv");
    TCase *tc = tcase_create("quoting");

    tcase_add_test(tc, test_plain);
    tcase_add_test(tc, test_quoted);
    suite_add_tcase(suite, tc);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, output_csv_suite());
    srunner_add_suite(runner, output_json_suite());
    srunner_add_suite(runner, output_explain_suite());
    srunner_add_suite(runner, output_html_suite());
    return 0;
}
