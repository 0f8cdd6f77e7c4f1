# Fuzz targets: see fuzz/README.md.
#
# `make check` builds each target with the configured compiler and a small main() that replays
# files through it (fuzz/replay.c), and runs them over the samples and the crash captures.

check_PROGRAMS += fuzz/replay_pipeline fuzz/replay_decode
TESTS += fuzz/replay.sh
EXTRA_DIST += fuzz/replay.sh fuzz/run-fuzzers.sh fuzz/README.md

fuzz_replay_pipeline_SOURCES = fuzz/fuzz_pipeline.c fuzz/replay.c
fuzz_replay_pipeline_LDADD = $(LIBS_ALL)
fuzz_replay_decode_SOURCES = fuzz/fuzz_decode.c fuzz/replay.c
fuzz_replay_decode_LDADD = $(LIBS_ALL)

# The libFuzzer binaries, with ./configure --enable-fuzzing CC=clang. The library sources are
# compiled again with the fuzzer's coverage instrumentation rather than taken from
# libportscope.a, whose objects have none. fuzz/run-fuzzers.sh builds the same without
# configure, which is what CI uses.
if ENABLE_FUZZING
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
noinst_PROGRAMS = fuzz/fuzz_pipeline fuzz/fuzz_decode

fuzz_fuzz_pipeline_SOURCES = fuzz/fuzz_pipeline.c $(libportscope_a_SOURCES)
fuzz_fuzz_pipeline_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
fuzz_fuzz_pipeline_LDFLAGS = $(FUZZ_FLAGS)
fuzz_fuzz_pipeline_LDADD = $(PCAP_LIBS) $(JANSSON_LIBS)

fuzz_fuzz_decode_SOURCES = fuzz/fuzz_decode.c $(libportscope_a_SOURCES)
fuzz_fuzz_decode_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
fuzz_fuzz_decode_LDFLAGS = $(FUZZ_FLAGS)
fuzz_fuzz_decode_LDADD = $(PCAP_LIBS) $(JANSSON_LIBS)
endif
