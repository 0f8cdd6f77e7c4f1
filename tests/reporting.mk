# Tests of the reports for people and for CI: expectations, selections, the view, CSV, the
# filter, the man page, the bash completion and the installation.
check_PROGRAMS += tests/unit/test_expect tests/unit/test_select tests/unit/test_csv \
	tests/unit/test_view
TESTS += tests/unit/test_expect tests/unit/test_select tests/unit/test_csv tests/unit/test_view
tests_unit_test_expect_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_expect_LDADD = $(UNIT_LDADD)
tests_unit_test_select_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_select_LDADD = $(UNIT_LDADD)
tests_unit_test_csv_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_csv_LDADD = $(UNIT_LDADD)
tests_unit_test_view_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_view_LDADD = $(UNIT_LDADD)

REPORTING_TESTS = tests/filter.sh tests/reports.sh tests/manpage.sh tests/completion.sh \
	tests/install.sh tests/threads.sh
TESTS += $(REPORTING_TESTS)
EXTRA_DIST += $(REPORTING_TESTS) tests/reporting.mk
