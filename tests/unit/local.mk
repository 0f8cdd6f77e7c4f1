# Unit tests: one Check program per module, test_<module>, made of tests/unit/test_<module>*.c and
# the one main() (unit_main.c) that runs the suites its first file gives (unit_suites()). The one
# place unit tests are registered.
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_LDADD = $(LIBS_ALL) $(CHECK_LIBS)

UNIT_TESTS = tests/unit/test_base tests/unit/test_ports tests/unit/test_ports_netbase tests/unit/test_capture tests/unit/test_decode tests/unit/test_flow tests/unit/test_frag tests/unit/test_report tests/unit/test_report_vectors tests/unit/test_expect tests/unit/test_output tests/unit/test_export tests/unit/test_nat tests/unit/test_app
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
EXTRA_DIST += tests/unit/local.mk

# base: the IP protocol and link-type tables, conn_state names
tests_unit_test_base_SOURCES = tests/unit/test_base.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_base_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_base_LDADD = $(UNIT_LDADD)

# ports: classes, ephemeral ranges, the registry's names
tests_unit_test_ports_SOURCES = tests/unit/test_ports.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_ports_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ports_LDADD = $(UNIT_LDADD)

# ports against netbase's /etc/services (skipped without it)
tests_unit_test_ports_netbase_SOURCES = tests/unit/test_ports_netbase.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_ports_netbase_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ports_netbase_LDADD = $(UNIT_LDADD)

# capture: pcapng and pcap files built in memory
tests_unit_test_capture_SOURCES = tests/unit/test_capture.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_capture_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_capture_LDADD = $(UNIT_LDADD)

# decode: every layer on packets built byte by byte; the payload signatures (decode_app.c)
tests_unit_test_decode_SOURCES = tests/unit/test_decode.c tests/unit/test_decode_app.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_decode_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_decode_LDADD = $(UNIT_LDADD)

# flow: the table, timeouts, the queue, TCP state; the compact store; payload looks and names
tests_unit_test_flow_SOURCES = tests/unit/test_flow.c tests/unit/test_flow_store.c tests/unit/test_flow_app.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_flow_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_flow_LDADD = $(UNIT_LDADD)

# frag: the fragment table
tests_unit_test_frag_SOURCES = tests/unit/test_frag.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_frag_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_frag_LDADD = $(UNIT_LDADD)

# report: roles, labels, services and clients; the selection; the view
tests_unit_test_report_SOURCES = tests/unit/test_report.c tests/unit/test_report_select.c tests/unit/test_report_view.c tests/unit/test_report_cid.c tests/unit/test_report_hostports.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_report_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_report_LDADD = $(UNIT_LDADD)

# report: the Community ID against the specification's baseline in ../shared (skipped without it)
tests_unit_test_report_vectors_SOURCES = tests/unit/test_report_vectors.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_report_vectors_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_report_vectors_LDADD = $(UNIT_LDADD)

# expect: the grammar and its evaluation
tests_unit_test_expect_SOURCES = tests/unit/test_expect.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_expect_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_expect_LDADD = $(UNIT_LDADD)

# export: the IPFIX encoder's messages, records of flows, --ipfix's HOST:PORT
tests_unit_test_export_SOURCES = tests/unit/test_export.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_export_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_export_LDADD = $(UNIT_LDADD)

# nat: the matcher on generated pairs, one side read from a capture
tests_unit_test_nat_SOURCES = tests/unit/test_nat.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_nat_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_nat_LDADD = $(UNIT_LDADD)

# output: CSV quoting; the fast JSON writer against jansson; the explanation (--explain)
tests_unit_test_output_SOURCES = tests/unit/test_output_csv.c tests/unit/test_output_json.c tests/unit/test_output_explain.c tests/unit/test_output_html.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_output_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_output_LDADD = $(UNIT_LDADD)

# app: every option of the option table, its defaults and usage errors
tests_unit_test_app_SOURCES = tests/unit/test_app.c tests/unit/unit_main.c tests/unit/unit.h
tests_unit_test_app_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_app_LDADD = $(UNIT_LDADD)
