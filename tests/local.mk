# Script tests: the whole tool run from the build directory with the binary named in PORTSCOPE,
# each a script that exits 0 (pass), 1 (fail) or 77 (skipped). The one place they are
# registered; they share tests/lib.sh. The unit suites are registered in tests/unit/local.mk, the
# golden cases in tests/golden/TESTLIST, the fuzz replays in fuzz/local.mk. tests/README.md says
# which kind a new test is.
AM_TESTS_ENVIRONMENT = PORTSCOPE=$(abs_builddir)/portscope; export PORTSCOPE; \
	GEN_TRACE=$(abs_builddir)/bench/gen-trace; export GEN_TRACE; \
	GEN_NAT=$(abs_builddir)/bench/gen-nat; export GEN_NAT; \
	GEN_OPTIONS=$(abs_builddir)/contrib/gen-options; export GEN_OPTIONS;

# What a report says: golden outputs, accounting, agreement with tshark, the JSON schema.
SCRIPT_TESTS = tests/golden/run.sh tests/accounting.sh tests/tshark-conv.sh \
	tests/validate-schema.sh tests/anchors.sh tests/community-id.sh tests/zeek-log.sh
# The reports for people and for CI: the filter, CSV and jsonl on terminals, expectations, two
# threads, the man page, the completion, the option table's generated files, the installation.
SCRIPT_TESTS += tests/filter.sh tests/reports.sh tests/threads.sh tests/manpage.sh \
	tests/completion.sh tests/options.sh tests/install.sh tests/nat-report.sh
# The HTML report in headless Chromium, tidy, the crafted capture.
SCRIPT_TESTS += tests/html-report.sh
# The project itself: the package list, the generated service names, the modules' boundaries.
SCRIPT_TESTS += tests/commands.sh tests/iana-generated.sh tests/layers.sh
# Other systems: IPFIX export to real collectors (nfcapd, nfacctd) on 127.0.0.1, read back;
# doc/at-scale.md's recipes (xargs -P, jq, nfcapd, SQLite, PostgreSQL) run as written.
SCRIPT_TESTS += tests/ipfix.sh tests/at-scale.sh
# Live captures: real traffic between network namespaces joined by a veth pair, or on a
# namespace's own loopback; they need root (CI runs as root) and are skipped without it.
SCRIPT_TESTS += tests/live/flows.sh tests/live/sigint.sh tests/live/write.sh \
	tests/live/errors.sh tests/live/privdrop.sh tests/live/apps.sh tests/live/ipfix.sh tests/live/nat.sh tests/live/hostports.sh
TESTS += $(SCRIPT_TESTS)

EXTRA_DIST += $(SCRIPT_TESTS) tests/local.mk tests/lib.sh tests/live/lib.sh tests/live/peers.py \
	tests/live/natpeers.py tests/live/natcheck.py \
	tests/check-accounting.py tests/anchors.py tests/community-id.py \
	tests/community-id-exceptions.tsv tests/zeek-log.py tests/data tests/ipfix-compare.py tests/ipfix-nfacctd.py tests/at-scale.py tests/commands.py tests/layers.py tests/html-report.py \
	tests/leftovers.py tests/mutate.py tests/README.md tests/run-all.sh tests/golden tests/crash
