/*
 * test_cli_live.c - unit tests for the live-capture options of src/cli.c: their values, their
 * defaults, the filter words after them, and each usage error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int parse(char **argv, struct ps_options *opts, char *err)
{
    int argc = 0;

    while (argv[argc] != NULL)
        argc++;
    err[0] = '\0';
    return cli_parse(argc, argv, opts, err, PS_ERRBUF_SIZE);
}

static void assert_usage_error(char **argv, const char *needle)
{
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), -1);
    ck_assert_msg(strstr(err, needle) != NULL, "error \"%s\" does not mention \"%s\"", err, needle);
    cli_release(&opts);
}

START_TEST(test_live_defaults)
{
    char *argv[] = {"portscope", "-i", "eth0", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_str_eq(opts.interface, "eth0");
    ck_assert_uint_eq(opts.n_inputs, 0);
    ck_assert_uint_eq(opts.count, 0);
    ck_assert(opts.duration == 0 && opts.interval == 0);
    ck_assert_uint_eq(opts.snaplen, 0);
    ck_assert(!opts.no_promisc && !opts.list_interfaces);
    ck_assert_ptr_null(opts.write_file);
    ck_assert_ptr_null(opts.user);
    ck_assert_ptr_null(opts.filter);
    cli_release(&opts);
}
END_TEST

START_TEST(test_live_options)
{
    char *argv[] = {"portscope",       "--interface", "any",  "-c", "10", "--duration", "1.5",
                    "--interval=0.25", "-s",          "96",   "-p", "-w", "out.pcap",   "-Z",
                    "nobody",          "tcp",         "port", "80", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_str_eq(opts.interface, "any");
    ck_assert_uint_eq(opts.count, 10);
    ck_assert(opts.duration == 1500000000);
    ck_assert(opts.interval == 250000000);
    ck_assert_uint_eq(opts.snaplen, 96);
    ck_assert(opts.no_promisc);
    ck_assert_str_eq(opts.write_file, "out.pcap");
    ck_assert_str_eq(opts.user, "nobody");
    ck_assert_str_eq(opts.filter, "tcp port 80");
    cli_release(&opts);
}
END_TEST

START_TEST(test_list_interfaces)
{
    char *argv[] = {"portscope", "-D", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert(opts.list_interfaces);
    cli_release(&opts);
}
END_TEST

START_TEST(test_live_errors)
{
    char *both[] = {"portscope", "-i", "lo", "-r", "a.pcap", NULL};
    char *none[] = {"portscope", NULL};
    char *count_file[] = {"portscope", "-r", "a.pcap", "-c", "3", NULL};
    char *write_file[] = {"portscope", "-r", "a.pcap", "-w", "x.pcap", NULL};
    char *user_file[] = {"portscope", "-r", "a.pcap", "-Z", "nobody", NULL};
    char *count_zero[] = {"portscope", "-i", "lo", "-c", "0", NULL};
    char *count_word[] = {"portscope", "-i", "lo", "-c", "ten", NULL};
    char *snap_big[] = {"portscope", "-i", "lo", "-s", "262145", NULL};
    char *dur_zero[] = {"portscope", "-i", "lo", "--duration", "0", NULL};
    char *dur_neg[] = {"portscope", "-i", "lo", "--duration", "-1", NULL};
    char *int_word[] = {"portscope", "-i", "lo", "--interval", "soon", NULL};
    char *no_iface[] = {"portscope", "-i", NULL};

    assert_usage_error(both, "-i and -r cannot be combined");
    assert_usage_error(none, "-i IFACE");
    assert_usage_error(count_file, "-c applies to live captures only");
    assert_usage_error(write_file, "-w applies to live captures only");
    assert_usage_error(user_file, "-Z applies to live captures only");
    assert_usage_error(count_zero, "-c: '0'");
    assert_usage_error(count_word, "-c: 'ten'");
    assert_usage_error(snap_big, "-s: '262145'");
    assert_usage_error(dur_zero, "--duration: '0'");
    assert_usage_error(dur_neg, "--duration: '-1'");
    assert_usage_error(int_word, "--interval: 'soon'");
    assert_usage_error(no_iface, "needs a value");
}
END_TEST

START_TEST(test_usage_mentions_live)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    cli_usage(f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "-i, --interface IFACE"));
    ck_assert_ptr_nonnull(strstr(text, "--interval SECONDS"));
    ck_assert_ptr_nonnull(strstr(text, "-Z, --relinquish-privileges USER"));
    ck_assert_ptr_nonnull(strstr(text, "7 a live capture could not start"));
    free(text);
}
END_TEST

static Suite *cli_live_suite(void)
{
    Suite *suite = suite_create("cli-live");
    TCase *tc = tcase_create("options");

    tcase_add_test(tc, test_live_defaults);
    tcase_add_test(tc, test_live_options);
    tcase_add_test(tc, test_list_interfaces);
    tcase_add_test(tc, test_live_errors);
    tcase_add_test(tc, test_usage_mentions_live);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(cli_live_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
