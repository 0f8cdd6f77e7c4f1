# Unit tests: one Check suite per module.
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_LDADD = $(LIBS_ALL) $(CHECK_LIBS)

UNIT_TESTS = tests/unit/test_ports tests/unit/test_netbase tests/unit/test_decode \
	tests/unit/test_flow tests/unit/test_flow_store tests/unit/test_frag \
	tests/unit/test_report tests/unit/test_cli tests/unit/test_pcapng \
	tests/unit/test_json_fast tests/unit/test_facts
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_ports_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ports_LDADD = $(UNIT_LDADD)
tests_unit_test_netbase_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_netbase_LDADD = $(UNIT_LDADD)
tests_unit_test_decode_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_decode_LDADD = $(UNIT_LDADD)
tests_unit_test_flow_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_flow_LDADD = $(UNIT_LDADD)
tests_unit_test_flow_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_flow_store_LDADD = $(UNIT_LDADD)
tests_unit_test_frag_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_frag_LDADD = $(UNIT_LDADD)
tests_unit_test_report_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_report_LDADD = $(UNIT_LDADD)
tests_unit_test_cli_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cli_LDADD = $(UNIT_LDADD)
tests_unit_test_pcapng_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pcapng_LDADD = $(UNIT_LDADD)
tests_unit_test_json_fast_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_fast_LDADD = $(UNIT_LDADD)
tests_unit_test_facts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_facts_LDADD = $(UNIT_LDADD)
