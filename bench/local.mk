# The benchmark: see bench/README.md. Its programs are built by `make bench` (or by
# bench/run.sh), not by `make`; `make check` builds the trace generator too, for tests/threads.sh.
# The traces the benchmark reads are generated on demand into bench/data/ and not committed.
EXTRA_PROGRAMS = bench/pcap-loop
check_PROGRAMS += bench/gen-trace bench/gen-nat
EXTRA_DIST += bench/run.sh bench/README.md bench/nat.sh

# Built without the sanitizers even under --enable-sanitizers: the baseline must be bare.
BENCH_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra $(WERROR_CFLAGS)
bench_gen_trace_SOURCES = bench/gen-trace.c
bench_gen_trace_CFLAGS = $(BENCH_CFLAGS)
bench_gen_trace_LDFLAGS =
bench_gen_nat_SOURCES = bench/gen-nat.c
bench_gen_nat_CFLAGS = $(BENCH_CFLAGS)
bench_gen_nat_LDFLAGS =
bench_pcap_loop_SOURCES = bench/pcap-loop.c
bench_pcap_loop_CFLAGS = $(BENCH_CFLAGS) $(PCAP_CFLAGS)
bench_pcap_loop_LDFLAGS =
bench_pcap_loop_LDADD = $(PCAP_LIBS)

# `make bench BENCH_ARGS='--check'`, `BENCH_ARGS='--quick'`, ...: see bench/run.sh --help.
BENCH_ARGS =
.PHONY: bench
bench: portscope$(EXEEXT) bench/gen-trace$(EXEEXT) bench/pcap-loop$(EXEEXT)
	PORTSCOPE=$(abs_builddir)/portscope$(EXEEXT) GEN_TRACE=$(abs_builddir)/bench/gen-trace$(EXEEXT) \
	  PCAP_LOOP=$(abs_builddir)/bench/pcap-loop$(EXEEXT) bash $(srcdir)/bench/run.sh $(BENCH_ARGS)
