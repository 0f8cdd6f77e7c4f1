# Live capture tests: real traffic between network namespaces joined by a veth pair, or on a
# namespace's own loopback. They need root (CI runs as root) and exit 77 (skipped) without it.
LIVE_TESTS = tests/live/flows.sh tests/live/sigint.sh tests/live/write.sh \
	tests/live/errors.sh tests/live/privdrop.sh
TESTS += $(LIVE_TESTS)
EXTRA_DIST += $(LIVE_TESTS) tests/live/lib.sh tests/live/peers.py

# The live-capture options of the command line.
check_PROGRAMS += tests/unit/test_cli_live
TESTS += tests/unit/test_cli_live
tests_unit_test_cli_live_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cli_live_LDADD = $(UNIT_LDADD)
