# Unit tests: one Check suite per module.
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_LDADD = $(LIBS_ALL) $(CHECK_LIBS)

UNIT_TESTS = tests/unit/test_ports
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_ports_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ports_LDADD = $(UNIT_LDADD)
