/*
 * test_app.c - unit tests for src/app/cli.c: every option, its defaults, and each usage error; and
 * for the option table (src/app/cli_options.c) everything is written from: each row well formed,
 * each parsed, each value it lists accepted, each in the man page written from it.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "output.h"
#include "../../src/app/cli_options.h"

/* Parses a NULL-terminated argv; argv[0] is the program name. */
static int parse(char **argv, struct ps_options *opts, char *err)
{
    int argc = 0;

    while (argv[argc] != NULL)
        argc++;
    err[0] = '\0';
    return cli_parse(argc, argv, opts, err, PS_ERRBUF_SIZE);
}

/* Whether two lists of space-separated words hold the same words, in any order. */
static int compare_words(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool same_words(const char *a, const char *b)
{
    char copies[2][PS_ERRBUF_SIZE], *words[2][32], *save;
    size_t n[2] = {0, 0};

    snprintf(copies[0], sizeof(copies[0]), "%s", a);
    snprintf(copies[1], sizeof(copies[1]), "%s", b);
    for (int l = 0; l < 2; l++) {
        for (char *w = strtok_r(copies[l], " ", &save); w != NULL && n[l] < 32;
             w = strtok_r(NULL, " ", &save))
            words[l][n[l]++] = w;
        qsort(words[l], n[l], sizeof(words[l][0]), compare_words);
    }
    if (n[0] != n[1])
        return false;
    for (size_t i = 0; i < n[0]; i++)
        if (strcmp(words[0][i], words[1][i]) != 0)
            return false;
    return true;
}

/* Asserts a usage error whose message mentions `needle`. */
static void assert_usage_error(char **argv, const char *needle)
{
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), -1);
    ck_assert_msg(strstr(err, needle) != NULL, "error \"%s\" does not mention \"%s\"", err, needle);
    cli_release(&opts);
}

START_TEST(test_defaults)
{
    char *argv[] = {"portscope", "-r", "a.pcap", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_uint_eq(opts.n_inputs, 1);
    ck_assert_str_eq(opts.inputs[0], "a.pcap");
    ck_assert_ptr_null(opts.output);
    ck_assert_int_eq(opts.format, PS_FORMAT_TEXT);
    /* auto: each client host's own range, iana's where a host has no evidence. */
    ck_assert_str_eq(opts.ephemeral.name, "auto");
    ck_assert(port_range_is_auto(&opts.ephemeral));
    ck_assert_uint_eq(opts.ephemeral.lo, 49152);
    ck_assert_uint_eq(opts.ephemeral.hi, 65535);
    ck_assert_uint_eq(opts.n_services_files, 0);
    ck_assert_uint_eq(opts.max_flows, 0); /* auto */
    ck_assert_uint_eq(opts.max_fragments, 65536);
    ck_assert(!opts.no_decap);
    ck_assert(!opts.vlan_in_key);
    ck_assert(!opts.help);
    ck_assert(!opts.version);
    cli_release(&opts);
    ck_assert_ptr_null(opts.inputs);
    ck_assert_uint_eq(opts.n_inputs, 0);
}
END_TEST

START_TEST(test_read_repeated)
{
    char *argv[] = {"portscope",     "-r", "a.pcap", "--read", "b.pcapng", "-rc.pcap",
                    "--read=d.pcap", "-r", "-",      NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_uint_eq(opts.n_inputs, 5);
    ck_assert_str_eq(opts.inputs[0], "a.pcap");
    ck_assert_str_eq(opts.inputs[1], "b.pcapng");
    ck_assert_str_eq(opts.inputs[2], "c.pcap");
    ck_assert_str_eq(opts.inputs[3], "d.pcap");
    ck_assert_str_eq(opts.inputs[4], "-");
    cli_release(&opts);
}
END_TEST

START_TEST(test_stdin_twice)
{
    char *argv[] = {"portscope", "-r", "-", "-r", "a.pcap", "--read", "-", NULL};

    assert_usage_error(argv, "standard input");
}
END_TEST

START_TEST(test_output)
{
    char *argv[] = {"portscope", "-o", "report.txt", "-r", "a.pcap", NULL};
    char *argv_long[] = {"portscope", "-r", "a.pcap", "--output=r.json", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_str_eq(opts.output, "report.txt");
    cli_release(&opts);
    ck_assert_int_eq(parse(argv_long, &opts, err), 0);
    ck_assert_str_eq(opts.output, "r.json");
    cli_release(&opts);
}
END_TEST

START_TEST(test_json)
{
    char *argv[] = {"portscope", "--json", "-r", "a.pcap", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_int_eq(opts.format, PS_FORMAT_JSON);
    cli_release(&opts);
}
END_TEST

START_TEST(test_format)
{
    char *json[] = {"portscope", "-r", "a.pcap", "--format", "json", NULL};
    char *text_last[] = {"portscope", "--json", "-r", "a.pcap", "--format=text", NULL};
    char *json_last[] = {"portscope", "--format", "text", "--json", "-r", "a.pcap", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(json, &opts, err), 0);
    ck_assert_int_eq(opts.format, PS_FORMAT_JSON);
    cli_release(&opts);
    ck_assert_int_eq(parse(text_last, &opts, err), 0);
    ck_assert_int_eq(opts.format, PS_FORMAT_TEXT);
    cli_release(&opts);
    ck_assert_int_eq(parse(json_last, &opts, err), 0);
    ck_assert_int_eq(opts.format, PS_FORMAT_JSON);
    cli_release(&opts);
}
END_TEST

START_TEST(test_format_bad)
{
    char *argv[] = {"portscope", "-r", "a.pcap", "--format", "xml", NULL};
    char *upper[] = {"portscope", "-r", "a.pcap", "--format", "JSON", NULL};

    assert_usage_error(argv, "'xml'");
    assert_usage_error(upper, "'JSON'");
}
END_TEST

START_TEST(test_ephemeral_profile)
{
    char *argv[] = {"portscope", "-r", "a.pcap", "--ephemeral", "linux", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_str_eq(opts.ephemeral.name, "linux");
    ck_assert_uint_eq(opts.ephemeral.lo, 32768);
    ck_assert_uint_eq(opts.ephemeral.hi, 60999);
    cli_release(&opts);
}
END_TEST

START_TEST(test_ephemeral_range)
{
    char *argv[] = {"portscope", "-r", "a.pcap", "--ephemeral=1024-5000", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_ptr_null(opts.ephemeral.name);
    ck_assert_uint_eq(opts.ephemeral.lo, 1024);
    ck_assert_uint_eq(opts.ephemeral.hi, 5000);
    cli_release(&opts);
}
END_TEST

START_TEST(test_ephemeral_bad)
{
    char *name[] = {"portscope", "-r", "a.pcap", "--ephemeral", "bad", NULL};
    char *reversed[] = {"portscope", "-r", "a.pcap", "--ephemeral", "5000-1024", NULL};
    char *too_big[] = {"portscope", "-r", "a.pcap", "--ephemeral", "1-70000", NULL};
    char *empty[] = {"portscope", "-r", "a.pcap", "--ephemeral", "", NULL};

    assert_usage_error(name, "--ephemeral");
    assert_usage_error(name, "'bad'");
    assert_usage_error(reversed, "--ephemeral");
    assert_usage_error(too_big, "--ephemeral");
    assert_usage_error(empty, "--ephemeral");
}
END_TEST

START_TEST(test_services)
{
    char *argv[] = {"portscope", "--services", "a.services", "-r", "a.pcap", "--services=b", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_uint_eq(opts.n_services_files, 2);
    ck_assert_str_eq(opts.services_files[0], "a.services");
    ck_assert_str_eq(opts.services_files[1], "b");
    cli_release(&opts);
}
END_TEST

START_TEST(test_max_flows)
{
    char *five[] = {"portscope", "-r", "a.pcap", "--max-flows", "5", NULL};
    char *top[] = {"portscope", "-r", "a.pcap", "--max-flows=4294967294", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(five, &opts, err), 0);
    ck_assert_uint_eq(opts.max_flows, 5);
    cli_release(&opts);
    ck_assert_int_eq(parse(top, &opts, err), 0);
    ck_assert_uint_eq(opts.max_flows, 4294967294u);
    cli_release(&opts);
    ck_assert_int_eq(parse((char *[]){"portscope", "-r", "a.pcap", "--max-flows", "5",
                                      "--max-flows", "auto", NULL},
                           &opts, err),
                     0);
    ck_assert_uint_eq(opts.max_flows, 0);
    cli_release(&opts);
}
END_TEST

/* --max-flows auto: three quarters of the memory available, at APP_BYTES_PER_FLOW a flow. */
START_TEST(test_max_flows_from_memory)
{
    const uint64_t gb = 1000000000;

    /* 24 GB available: 18 GB for flows. */
    ck_assert_uint_eq(app_max_flows_for(24 * gb), 18 * gb / APP_BYTES_PER_FLOW);
    /* 20 M flows, the capture that once lost packets to a fixed 10 M, fit in 8 GB. */
    ck_assert_uint_ge(app_max_flows_for(8 * gb), 20000000);
    /* A tiny or unknown amount still keeps a million; a huge one stops where ids do. */
    ck_assert_uint_eq(app_max_flows_for(0), APP_MAX_FLOWS_MIN);
    ck_assert_uint_eq(app_max_flows_for(UINT64_MAX), APP_MAX_FLOWS_MAX);
    /* This machine has some memory, and /proc/meminfo says how much. */
    ck_assert_uint_gt(app_available_memory(), 0);
}
END_TEST

START_TEST(test_max_flows_bad)
{
    static const char *const values[] = {
        "0", "abc", "-1", "+5", " 5", "5x", "", "4294967295", "99999999999999999999999"};

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char value[64];
        char *argv[] = {"portscope", "-r", "a.pcap", "--max-flows", value, NULL};

        snprintf(value, sizeof(value), "%s", values[i]);
        assert_usage_error(argv, "--max-flows");
    }
}
END_TEST

START_TEST(test_decoding_options)
{
    char *argv[] = {"portscope",     "--no-decap",      "-r", "a.pcap",
                    "--vlan-in-key", "--max-fragments", "7",  NULL};
    char *bad[] = {"portscope", "-r", "a.pcap", "--max-fragments", "0", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert(opts.no_decap);
    ck_assert(opts.vlan_in_key);
    ck_assert_uint_eq(opts.max_fragments, 7);
    cli_release(&opts);
    assert_usage_error(bad, "--max-fragments");
}
END_TEST

/* --ipfix: the destination's form is checked when parsing; --ipfix-domain defaults to 1. */
START_TEST(test_ipfix_options)
{
    char *argv[] = {"portscope",      "-r", "a.pcap", "--ipfix", "[::1]:4739",
                    "--ipfix-domain", "0",  NULL};
    char *plain[] = {"portscope", "-r", "a.pcap", NULL};
    char *bad_port[] = {"portscope", "-r", "a.pcap", "--ipfix", "localhost:65536", NULL};
    char *bad_v6[] = {"portscope", "-r", "a.pcap", "--ipfix", "::1:4739", NULL};
    char *bad_domain[] = {"portscope", "-r", "a.pcap", "--ipfix-domain", "4294967296", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(plain, &opts, err), 0);
    ck_assert_ptr_null(opts.ipfix);
    ck_assert_uint_eq(opts.ipfix_domain, 1);
    cli_release(&opts);
    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_str_eq(opts.ipfix, "[::1]:4739");
    ck_assert_uint_eq(opts.ipfix_domain, 0);
    cli_release(&opts);
    assert_usage_error(bad_port, "--ipfix: 'localhost:65536': the port must be");
    assert_usage_error(bad_v6, "brackets");
    assert_usage_error(bad_domain, "--ipfix-domain");
}
END_TEST

START_TEST(test_missing_input)
{
    char *none[] = {"portscope", NULL};
    char *options_only[] = {"portscope", "--json", "-o", "out.json", NULL};

    assert_usage_error(none, "-r");
    assert_usage_error(options_only, "-r");
}
END_TEST

START_TEST(test_unknown_option)
{
    char *long_opt[] = {"portscope", "-r", "a.pcap", "--bogus", NULL};
    char *short_opt[] = {"portscope", "-x", "-r", "a.pcap", NULL};

    assert_usage_error(long_opt, "'--bogus'");
    assert_usage_error(short_opt, "'-x'");
}
END_TEST

START_TEST(test_unknown_option_in_cluster)
{
    char *argv[] = {"portscope", "-r", "a.pcap", "-zV", NULL};

    /* The message must name the option, not the argument before it. */
    assert_usage_error(argv, "-z");
}
END_TEST

START_TEST(test_option_without_value)
{
    char *read[] = {"portscope", "-r", NULL};
    char *read_long[] = {"portscope", "--read", NULL};
    char *format[] = {"portscope", "-r", "a.pcap", "--format", NULL};
    char *output[] = {"portscope", "-r", "a.pcap", "-o", NULL};
    char *max_flows[] = {"portscope", "-r", "a.pcap", "--max-flows", NULL};

    assert_usage_error(read, "'-r' needs a value");
    assert_usage_error(read_long, "'--read' needs a value");
    assert_usage_error(format, "'--format' needs a value");
    assert_usage_error(output, "'-o' needs a value");
    assert_usage_error(max_flows, "'--max-flows' needs a value");
    /* An abbreviated long option without a letter is named as typed, not as a control byte. */
    assert_usage_error((char *[]){"portscope", "-i", "lo", "--dur", NULL}, "'--dur' needs a value");
}
END_TEST

START_TEST(test_help)
{
    char *short_opt[] = {"portscope", "-h", NULL};
    char *long_opt[] = {"portscope", "-r", "a.pcap", "--help", "--format", "bad", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(short_opt, &opts, err), 0);
    ck_assert(opts.help);
    ck_assert(!opts.version);
    cli_release(&opts);
    /* Help is answered at once: later options are not looked at. */
    ck_assert_int_eq(parse(long_opt, &opts, err), 0);
    ck_assert(opts.help);
    cli_release(&opts);
}
END_TEST

START_TEST(test_version)
{
    char *short_opt[] = {"portscope", "-V", NULL};
    char *long_opt[] = {"portscope", "--version", "stray", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(short_opt, &opts, err), 0);
    ck_assert(opts.version);
    ck_assert(!opts.help);
    cli_release(&opts);
    ck_assert_int_eq(parse(long_opt, &opts, err), 0);
    ck_assert(opts.version);
    cli_release(&opts);
}
END_TEST

START_TEST(test_parse_again_after_cluster)
{
    char *first[] = {"portscope", "-hV", NULL};
    char *second[] = {"portscope", "-r", "a.pcap", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    /* Each call parses its own argv afresh, whatever the previous call stopped in the middle of. */
    ck_assert_int_eq(parse(first, &opts, err), 0);
    ck_assert(opts.help);
    cli_release(&opts);
    ck_assert_int_eq(parse(second, &opts, err), 0);
    ck_assert(!opts.version);
    ck_assert(!opts.help);
    ck_assert_uint_eq(opts.n_inputs, 1);
    cli_release(&opts);
}
END_TEST

/* As tcpdump: the arguments left after the options are one filter expression, joined by spaces. */
START_TEST(test_filter_words)
{
    char *after[] = {"portscope", "-r", "a.pcap", "tcp", "port", "443", NULL};
    char *quoted[] = {"portscope", "-r", "a.pcap", "tcp port 443", "--json", NULL};
    char *before[] = {"portscope", "udp", "-r", "a.pcap", NULL};
    char *none[] = {"portscope", "-r", "a.pcap", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(after, &opts, err), 0);
    ck_assert_str_eq(opts.filter, "tcp port 443");
    cli_release(&opts);
    ck_assert_int_eq(parse(quoted, &opts, err), 0);
    ck_assert_str_eq(opts.filter, "tcp port 443");
    ck_assert_int_eq(opts.format, PS_FORMAT_JSON);
    cli_release(&opts);
    ck_assert_int_eq(parse(before, &opts, err), 0);
    ck_assert_str_eq(opts.filter, "udp");
    cli_release(&opts);
    ck_assert_int_eq(parse(none, &opts, err), 0);
    ck_assert_ptr_null(opts.filter);
    cli_release(&opts);
}
END_TEST

START_TEST(test_double_dash)
{
    char *argv[] = {"portscope", "-r", "a.pcap", "--", "-r", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    /* After "--" even an option's spelling is filter text (libpcap then refuses it). */
    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_str_eq(opts.filter, "-r");
    ck_assert_uint_eq(opts.n_inputs, 1);
    cli_release(&opts);
}
END_TEST

START_TEST(test_report_options)
{
    char *argv[] = {"portscope", "-r",     "a.pcap", "--format", "csv",           "--top",
                    "5",         "--sort", "bytes",  "--show",   "flows,summary", "--color=never",
                    "-q",        NULL};
    char *color[] = {"portscope", "-r", "a.pcap", "--color", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_int_eq(opts.format, PS_FORMAT_CSV);
    ck_assert_uint_eq(opts.top, 5);
    ck_assert_int_eq(opts.sort, REPORT_SORT_BYTES);
    ck_assert_uint_eq(opts.sections, OUTPUT_SECTION_FLOWS | OUTPUT_SECTION_SUMMARY);
    ck_assert_int_eq(opts.color, PS_COLOR_NEVER);
    ck_assert(opts.quiet);
    cli_release(&opts);
    ck_assert_int_eq(parse(color, &opts, err), 0);
    ck_assert_int_eq(opts.color, PS_COLOR_ALWAYS);
    cli_release(&opts);
    ck_assert_int_eq(parse((char *[]){"portscope", "-r", "a.pcap", NULL}, &opts, err), 0);
    ck_assert_int_eq(opts.color, PS_COLOR_AUTO);
    ck_assert_int_eq(opts.sort, REPORT_SORT_START);
    ck_assert_uint_eq(opts.top, 0);
    ck_assert_uint_eq(opts.sections, OUTPUT_SECTION_ALL);
    ck_assert(!opts.quiet);
    cli_release(&opts);
}
END_TEST

/* --explain adds its section to whatever --show chose, before or after it; text only. */
START_TEST(test_explain)
{
    char *before[] = {"portscope", "--explain", "--show", "flows", "-r", "a.pcap", NULL};
    char *after[] = {"portscope", "-r", "a.pcap", "--explain", NULL};
    char *shown[] = {"portscope", "-r", "a.pcap", "--show", "summary,explain", NULL};
    char *json[] = {"portscope", "-r", "a.pcap", "--explain", "--json", NULL};
    char *csv[] = {"portscope", "-r", "a.pcap", "--format", "csv", "--explain", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(before, &opts, err), 0);
    ck_assert_uint_eq(opts.sections, OUTPUT_SECTION_FLOWS | OUTPUT_SECTION_EXPLAIN);
    cli_release(&opts);
    ck_assert_int_eq(parse(after, &opts, err), 0);
    ck_assert_uint_eq(opts.sections, OUTPUT_SECTION_ALL | OUTPUT_SECTION_EXPLAIN);
    cli_release(&opts);
    ck_assert_int_eq(parse(shown, &opts, err), 0);
    ck_assert_uint_eq(opts.sections, OUTPUT_SECTION_SUMMARY | OUTPUT_SECTION_EXPLAIN);
    cli_release(&opts);
    assert_usage_error(json, "--explain");
    assert_usage_error(csv, "--explain");
}
END_TEST

START_TEST(test_report_options_bad)
{
    assert_usage_error((char *[]){"portscope", "-r", "a", "--top", "0", NULL}, "--top");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--top", "-3", NULL}, "--top");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--sort", "size", NULL},
                       "--sort: unknown sort key 'size'");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--show", "flows,bogus", NULL},
                       "--show: unknown section 'bogus'");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--show", "", NULL}, "--show");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--color=sometimes", NULL}, "--color");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--format", "xml", NULL}, "csv");
}
END_TEST

START_TEST(test_selection_options)
{
    char *argv[] = {"portscope", "-r",  "a.pcap", "--service", "http",   "--service",     "dns",
                    "--port",    "443", "--host", "10.0.0.5",  "--host", "2001:db8::/32", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_uint_eq(opts.select.n_services, 2);
    ck_assert_str_eq(opts.select.services[1], "dns");
    ck_assert_uint_eq(opts.select.n_ports, 1);
    ck_assert_uint_eq(opts.select.ports[0], 443);
    ck_assert_uint_eq(opts.select.n_hosts, 2);
    ck_assert_uint_eq(opts.select.hosts[0].family, 4);
    ck_assert_uint_eq(opts.select.hosts[0].prefix, 32);
    ck_assert_uint_eq(opts.select.hosts[1].family, 6);
    ck_assert_uint_eq(opts.select.hosts[1].prefix, 32);
    cli_release(&opts);
    assert_usage_error((char *[]){"portscope", "-r", "a", "--port", "65536", NULL},
                       "--port: '65536' is not a port number");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--host", "10.0.0", NULL},
                       "--host: '10.0.0' is not an IPv4 or IPv6 address");
    assert_usage_error((char *[]){"portscope", "-r", "a", "--host", "10.0.0.0/33", NULL},
                       "--host: '10.0.0.0/33': the prefix length must be 0 to 32");
}
END_TEST

START_TEST(test_expect_options)
{
    char *argv[] = {"portscope",     "-r",         "a.pcap",   "--expect",     "flows >= 1",
                    "--expect-file", "checks.txt", "--expect", "service http", NULL};
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];

    /* Kept in command-line order, unparsed: main parses them (and reads the files). */
    ck_assert_int_eq(parse(argv, &opts, err), 0);
    ck_assert_uint_eq(opts.n_expects, 3);
    ck_assert_str_eq(opts.expects[0].value, "flows >= 1");
    ck_assert(!opts.expects[0].file);
    ck_assert_str_eq(opts.expects[1].value, "checks.txt");
    ck_assert(opts.expects[1].file);
    ck_assert_str_eq(opts.expects[2].value, "service http");
    cli_release(&opts);
    ck_assert_ptr_null(opts.expects);
}
END_TEST

START_TEST(test_usage_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    cli_usage(f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(strstr(text, "Usage: portscope"));
    ck_assert_ptr_nonnull(strstr(text, "--read"));
    ck_assert_ptr_nonnull(strstr(text, "--max-flows"));
    free(text);
}
END_TEST

/* Each row complete, and no id, long name or letter twice. */
START_TEST(test_table_rows)
{
    bool seen[CLI_OPTIONS] = {false};
    int operands = 0;

    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        bool listed = o->complete == CLI_COMPLETE_WORD || o->complete == CLI_COMPLETE_WORD_LIST;

        ck_assert_msg(!seen[o->id], "row %d: id %d twice", i, o->id);
        seen[o->id] = true;
        ck_assert_msg(o->help != NULL && o->man != NULL, "row %d: no help or man text", i);
        ck_assert_msg((o->arg_name != NULL) == (o->arg != CLI_ARG_NONE || o->name == NULL),
                      "row %d: a value name without a value, or the other way round", i);
        ck_assert_msg((o->values != NULL) == listed, "row %d: values without word completion", i);
        ck_assert_msg(o->complete == CLI_COMPLETE_NONE || o->arg != CLI_ARG_NONE || o->name == NULL,
                      "row %d: completion for an option without a value", i);
        if (o->name == NULL) {
            operands++;
            continue;
        }
        for (int j = 0; j < i; j++) {
            ck_assert_msg(cli_options[j].name == NULL || strcmp(cli_options[j].name, o->name) != 0,
                          "--%s twice", o->name);
            ck_assert_msg(o->letter == 0 || cli_options[j].letter != o->letter, "-%c twice",
                          o->letter);
        }
    }
    ck_assert_int_eq(operands, 1);
}
END_TEST

/* getopt_long() knows each row by its long name and its letter, with or without its value. */
START_TEST(test_table_options_parse)
{
    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        char spelling[2][64], want[PS_ERRBUF_SIZE], err[PS_ERRBUF_SIZE];
        struct ps_options opts;

        if (o->name == NULL)
            continue;
        snprintf(spelling[0], sizeof(spelling[0]), "--%s", o->name);
        snprintf(spelling[1], sizeof(spelling[1]), "-%c", o->letter);
        for (int s = 0; s < (o->letter != 0 ? 2 : 1); s++) {
            char *argv[] = {"portscope", "-r", "a.pcap", spelling[s], NULL};
            int rc = parse(argv, &opts, err);

            if (o->arg == CLI_ARG_REQUIRED) {
                snprintf(want, sizeof(want), "option '%s' needs a value", spelling[s]);
                ck_assert_msg(rc == -1 && strcmp(err, want) == 0, "%s: \"%s\"", spelling[s], err);
            } else {
                ck_assert_msg(rc == 0 || strstr(err, "unknown option") == NULL, "%s: \"%s\"",
                              spelling[s], err);
            }
            cli_release(&opts);
        }
    }
}
END_TEST

/* Each value a row lists (for the completion) is accepted. */
START_TEST(test_table_values_accepted)
{
    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        const char *p = o->values;

        if (o->name == NULL || p == NULL)
            continue;
        while (*p != '\0') {
            size_t len = strcspn(p, " ");
            char arg[64], err[PS_ERRBUF_SIZE];
            char *argv[] = {"portscope", "-r", "a.pcap", arg, NULL};
            struct ps_options opts;

            snprintf(arg, sizeof(arg), "--%s=%.*s", o->name, (int)len, p);
            ck_assert_msg(parse(argv, &opts, err) == 0, "%s: \"%s\"", arg, err);
            cli_release(&opts);
            p += len + strspn(p + len, " ");
        }
    }
}
END_TEST

/* Where the parser lists the values it knows in its error, those are the row's values. */
START_TEST(test_table_values_complete)
{
    int compared = 0;

    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        char arg[64], err[PS_ERRBUF_SIZE], known[PS_ERRBUF_SIZE];
        char *argv[] = {"portscope", "-r", "a.pcap", arg, NULL};
        struct ps_options opts;
        const char *k;
        size_t n = 0;

        if (o->name == NULL || o->values == NULL)
            continue;
        snprintf(arg, sizeof(arg), "--%s=nosuchvalue", o->name);
        ck_assert_int_eq(parse(argv, &opts, err), -1);
        cli_release(&opts);
        k = strstr(err, "(known: ");
        if (k == NULL)
            continue;
        /* "(known: a, b, c)" against "a b c", both sorted word by word. */
        for (k += strlen("(known: "); *k != ')' && *k != '\0'; k++)
            if (*k != ',')
                known[n++] = *k;
        known[n] = '\0';
        ck_assert_msg(same_words(known, o->values),
                      "--%s: the parser knows \"%s\", the table \"%s\"", o->name, known, o->values);
        compared++;
    }
    ck_assert_int_ge(compared, 6); /* format, sort, show, color, ephemeral, profile */
}
END_TEST

/* The man page's OPTIONS section has a paragraph for each row, under its group's title. */
START_TEST(test_table_in_man_page)
{
    char *text = NULL, name[64];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    cli_write_man(f);
    ck_assert_int_eq(fclose(f), 0);
    for (int g = 0; g < CLI_GROUPS; g++)
        ck_assert_ptr_nonnull(strstr(text, cli_groups[g].title));
    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        size_t n = 0;

        /* The roff spelling, "\-\-max\-flows". */
        for (const char *c = o->name != NULL ? o->name : ""; *c != '\0' && n + 3 < sizeof(name);
             c++) {
            if (*c == '-')
                name[n++] = '\\';
            name[n++] = *c;
        }
        name[n] = '\0';
        if (o->name != NULL)
            ck_assert_msg(strstr(text, name) != NULL, "no --%s in the man page", o->name);
        ck_assert_ptr_nonnull(strstr(text, o->man));
    }
    free(text);
}
END_TEST

/* Live capture options (-i and its companions). */
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

Suite *app_suite(void)
{
    Suite *suite = suite_create("cli");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_read_repeated);
    tcase_add_test(tc, test_stdin_twice);
    tcase_add_test(tc, test_output);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_format_bad);
    tcase_add_test(tc, test_ephemeral_profile);
    tcase_add_test(tc, test_ephemeral_range);
    tcase_add_test(tc, test_ephemeral_bad);
    tcase_add_test(tc, test_services);
    tcase_add_test(tc, test_max_flows);
    tcase_add_test(tc, test_max_flows_bad);
    tcase_add_test(tc, test_max_flows_from_memory);
    tcase_add_test(tc, test_decoding_options);
    tcase_add_test(tc, test_ipfix_options);
    tcase_add_test(tc, test_missing_input);
    tcase_add_test(tc, test_unknown_option);
    tcase_add_test(tc, test_option_without_value);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_filter_words);
    tcase_add_test(tc, test_double_dash);
    tcase_add_test(tc, test_report_options);
    tcase_add_test(tc, test_explain);
    tcase_add_test(tc, test_report_options_bad);
    tcase_add_test(tc, test_selection_options);
    tcase_add_test(tc, test_expect_options);
    tcase_add_test(tc, test_usage_text);
    /* Last: under CK_FORK=no these leave getopt in the middle of an argument (see the test). */
    tcase_add_test(tc, test_unknown_option_in_cluster);
    tcase_add_test(tc, test_parse_again_after_cluster);
    suite_add_tcase(suite, tc);
    tc = tcase_create("live");
    tcase_add_test(tc, test_live_defaults);
    tcase_add_test(tc, test_live_options);
    tcase_add_test(tc, test_list_interfaces);
    tcase_add_test(tc, test_live_errors);
    tcase_add_test(tc, test_usage_mentions_live);
    suite_add_tcase(suite, tc);
    tc = tcase_create("table");
    tcase_add_test(tc, test_table_rows);
    tcase_add_test(tc, test_table_options_parse);
    tcase_add_test(tc, test_table_values_accepted);
    tcase_add_test(tc, test_table_values_complete);
    tcase_add_test(tc, test_table_in_man_page);
    suite_add_tcase(suite, tc);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, app_suite());
    return 0;
}
