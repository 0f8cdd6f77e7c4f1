# Live capture tests: real traffic between network namespaces joined by a veth pair, or on a
# namespace's own loopback. They need root (CI runs as root) and exit 77 (skipped) without it.
LIVE_TESTS = tests/live/flows.sh tests/live/sigint.sh tests/live/write.sh \
	tests/live/errors.sh tests/live/privdrop.sh
TESTS += $(LIVE_TESTS)
EXTRA_DIST += $(LIVE_TESTS) tests/live/lib.sh tests/live/peers.py
