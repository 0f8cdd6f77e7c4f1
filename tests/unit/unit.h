/*
 * unit.h - what the unit suites share: Check, the one main() (unit_main.c), and the suites of the
 * programs made of several files. A program is test_<module>: its first file gives its suites to
 * main() through unit_suites().
 */
#ifndef PS_UNIT_H
#define PS_UNIT_H

#include <check.h>
#include <stddef.h>

/* unit_suites()'s answer when the program has nothing to test here (automake's skip). */
#define UNIT_SKIP 77

/* Adds the program's suites to `runner`; 0, or UNIT_SKIP. Each program defines it once. */
int unit_suites(SRunner *runner);

/* Calls `each(path, arg)` for every capture (.pcap, .pcapng) in $srcdir/samples; how many. */
size_t unit_each_sample(void (*each)(const char *path, void *arg), void *arg);

/* Suites of the second and later files of a program. */
Suite *flow_store_suite(void);
Suite *flow_app_suite(void);
Suite *decode_app_suite(void);
Suite *report_select_suite(void);
Suite *report_view_suite(void);
Suite *report_cid_suite(void);
Suite *report_hostports_suite(void);
Suite *output_csv_suite(void);
Suite *output_html_suite(void);
Suite *output_json_suite(void);
Suite *output_explain_suite(void);

#endif
