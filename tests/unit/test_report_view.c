/*
 * test_report_view.c - the report's view is made once, by report_build(), and every writer reads
 * it: the text flow table and the CSV list the view's rows (report_shown()) in its order, the JSON
 * document and the expectations its selected flows. A view changed after the build is what the
 * writers then show, so none of them selects or orders the flows again itself.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include <arpa/inet.h>
#include "unit.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "output.h"
#include "report.h"

#define N_FLOWS 8

/* Eight TCP flows from 10.0.0.9 to 10.0.0.1, to port 80 or 443, ids 1 to 8 in first-seen order. */
static const struct {
    uint16_t port;
    uint64_t packets, bytes;
} spec[N_FLOWS] = {
    {80, 4, 400}, {443, 9, 300}, {80, 2, 900},  {443, 7, 800},
    {80, 5, 100}, {80, 8, 700},  {443, 1, 600}, {80, 3, 500},
};

static struct flow_table *table;
static struct analyze_input input;
static struct analyze_totals totals;
static struct report_select port80;
static struct report report;

static void setup(void)
{
    table = flow_table_new(0, 1, NULL);
    ck_assert_ptr_nonnull(table);
    for (size_t i = 0; i < N_FLOWS; i++) {
        struct flow_packet fp = {(ps_time)(i + 1) * 1000, 60, false};
        struct pkt_info p;
        struct flow *f;
        uint8_t client;

        memset(&p, 0, sizeof(p));
        p.family = 4;
        p.proto = PS_IPPROTO_TCP;
        inet_pton(AF_INET, "10.0.0.9", p.src);
        inet_pton(AF_INET, "10.0.0.1", p.dst);
        p.sport = (uint16_t)(50000 + i);
        p.dport = spec[i].port;
        f = flow_table_add_packet(table, &p, &fp, &client);
        ck_assert_ptr_nonnull(f);
        f->packets[client] = spec[i].packets;
        f->bytes[client] = spec[i].bytes;
    }
    memset(&input, 0, sizeof(input));
    input.path = "test.pcap";
    input.format = "pcap";
    input.complete = true;
    memset(&totals, 0, sizeof(totals));
    memset(&port80, 0, sizeof(port80));
    ck_assert_int_eq(report_select_add_port(&port80, 80), 0);
}

static void teardown(void)
{
    report_release(&report);
    report_select_release(&port80);
    flow_table_free(table);
}

/* --port 80 --sort bytes --top 3, as the session would ask for a text or CSV report. */
static void build(void)
{
    struct report_settings settings = {.select = &port80, .sort = REPORT_SORT_BYTES, .top = 3};
    char err[PS_ERRBUF_SIZE];

    ck_assert_int_eq(ports_parse_ephemeral("iana", &settings.ephemeral, err, sizeof(err)), 0);
    ck_assert_int_eq(report_build(&report, &input, 1, &totals, &settings, table), 0);
}

/* The ids of the view's rows, as a string "3,6,8". */
static void view_ids(char *buf)
{
    buf[0] = '\0';
    for (size_t k = 0; k < report.n_shown; k++)
        sprintf(buf + strlen(buf), "%s%" PRIu32, k ? "," : "", report_shown(&report, k)->id);
}

/* A writer's output, NUL-terminated. */
enum writer { TEXT, CSV, JSON };

static char *write_report(enum writer which)
{
    struct output_text_style style = {.sections = OUTPUT_SECTION_FLOWS};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int rc;

    ck_assert_ptr_nonnull(f);
    rc = which == TEXT  ? output_text_write(&report, &style, f)
         : which == CSV ? output_csv_write(&report, f)
                        : output_json_write(&report, f);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

/* The ids the text flow table lists: the first column of the rows under its title and heading. */
static void text_ids(char *buf)
{
    char *text = write_report(TEXT), *line = strchr(text, '\n');

    ck_assert_ptr_nonnull(line);
    line = strchr(line + 1, '\n'); /* the heading */
    ck_assert_ptr_nonnull(line);
    buf[0] = '\0';
    for (size_t k = 0; k < report.n_shown; k++) {
        unsigned id;

        ck_assert_int_eq(sscanf(line + 1, "%u", &id), 1);
        sprintf(buf + strlen(buf), "%s%u", k ? "," : "", id);
        line = strchr(line + 1, '\n');
        ck_assert_ptr_nonnull(line);
    }
    /* Then the rows' notes and the legend: no other row. */
    ck_assert(strncmp(line + 1, "  flow ", 7) == 0 || strncmp(line + 1, "  EPH *", 7) == 0);
    free(text);
}

/* The ids in the CSV's first column, below its header. */
static void csv_ids(char *buf)
{
    char *text = write_report(CSV), *line = strstr(text, "\r\n");

    buf[0] = '\0';
    while (line != NULL && line[2] != '\0') {
        unsigned id;

        ck_assert_int_eq(sscanf(line + 2, "%u,", &id), 1);
        sprintf(buf + strlen(buf), "%s%u", buf[0] ? "," : "", id);
        line = strstr(line + 2, "\r\n");
    }
    free(text);
}

/* The ids of the JSON document's flows, and the flows counted by its one service. */
static void json_ids(char *buf, json_int_t *service_flows)
{
    char *text = write_report(JSON);
    json_t *doc = json_loads(text, 0, NULL), *flows, *services;

    ck_assert_ptr_nonnull(doc);
    flows = json_object_get(doc, "flows");
    services = json_object_get(doc, "services");
    buf[0] = '\0';
    for (size_t i = 0; i < json_array_size(flows); i++)
        sprintf(buf + strlen(buf), "%s%" JSON_INTEGER_FORMAT, i ? "," : "",
                json_integer_value(json_object_get(json_array_get(flows, i), "id")));
    ck_assert_uint_eq(json_array_size(services), 1);
    *service_flows = json_integer_value(json_object_get(json_array_get(services, 0), "flows"));
    json_decref(doc);
    free(text);
}

START_TEST(test_view_built_once)
{
    char want[64], got[64];
    json_int_t service_flows;

    build();
    /* Port 80's flows are 1, 3, 5, 6 and 8; by bytes: 3 (900), 6 (700), 8 (500), 1, 5. */
    ck_assert_uint_eq(report.n_flows, 5);
    ck_assert_uint_eq(report.n_flows_all, N_FLOWS);
    ck_assert_uint_eq(report.n_shown, 3);
    view_ids(want);
    ck_assert_str_eq(want, "3,6,8");
    text_ids(got);
    ck_assert_str_eq(got, want);
    csv_ids(got);
    ck_assert_str_eq(got, want);
    /* The document lists the selected flows in first-seen order: --sort and --top are the text
     * table's and the CSV's. */
    json_ids(got, &service_flows);
    ck_assert_str_eq(got, "1,3,5,6,8");
    ck_assert_int_eq(service_flows, 5);
}
END_TEST

/* The writers show the view as it is, not an order of their own from the settings. */
START_TEST(test_writers_read_the_view)
{
    char got[64];
    uint32_t *order = malloc(3 * sizeof(*order));

    build();
    ck_assert_ptr_nonnull(order);
    order[0] = 4; /* id 8 */
    order[1] = 0; /* id 1 */
    order[2] = 2; /* id 5 */
    free(report.order);
    report.order = order;
    text_ids(got);
    ck_assert_str_eq(got, "8,1,5");
    csv_ids(got);
    ck_assert_str_eq(got, "8,1,5");

    free(report.order);
    report.order = NULL; /* first-seen order */
    report.n_shown = 2;
    text_ids(got);
    ck_assert_str_eq(got, "1,3");
    csv_ids(got);
    ck_assert_str_eq(got, "1,3");
}
END_TEST

/* What one expectation finds in the report. */
static bool holds(const char *text, char *found)
{
    struct expect_list *l = expect_list_new();
    struct report_expectation res;
    char err[PS_ERRBUF_SIZE * 4];

    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(expect_add(l, text, "--expect", err, sizeof(err)), 0);
    expect_evaluate(l, &report, &res);
    strcpy(found, res.found);
    expect_list_free(l);
    return res.holds;
}

/* The expectations check the view's selected flows, whatever --top cuts from the table. */
START_TEST(test_expectations_read_the_view)
{
    char found[PS_ERRBUF_SIZE];

    build();
    ck_assert(holds("flows.shown == 5", found));
    ck_assert(holds("flows == 8", found));
    ck_assert(!holds("port 443", found));
    ck_assert_str_eq(found, "no such flow");
    ck_assert(holds("port 80", found));
    ck_assert_str_eq(found, "5 flows: #1, #3, #5, #6, #8");
}
END_TEST

Suite *report_view_suite(void)
{
    Suite *suite = suite_create("view");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_view_built_once);
    tcase_add_test(tc, test_writers_read_the_view);
    tcase_add_test(tc, test_expectations_read_the_view);
    suite_add_tcase(suite, tc);
    return suite;
}
