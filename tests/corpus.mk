# The robustness corpus run: see tests/corpus.sh. Not part of `make check`: the corpus lives
# outside the repository. Its result is written as tests/corpus.trs, as automake writes one per
# test, so that tests/run-all.sh counts it with the rest.
CORPUS_DIR = $(abs_top_srcdir)/../shared/corpus
EXTRA_DIST += tests/corpus.sh
CLEANFILES = tests/corpus.log tests/corpus.trs tests/corpus.rc

.PHONY: check-corpus
check-corpus: portscope
	@$(MKDIR_P) tests
	@{ PORTSCOPE=$(abs_builddir)/portscope CORPUS=$(CORPUS_DIR) \
	  bash $(srcdir)/tests/corpus.sh; echo $$? >tests/corpus.rc; } 2>&1 | tee tests/corpus.log
	@case `cat tests/corpus.rc` in 0) r=PASS;; 77) r=SKIP;; *) r=FAIL;; esac; \
	rm -f tests/corpus.rc; \
	printf ':test-result: %s\n:global-test-result: %s\n:recheck: no\n:copy-in-global-log: no\n' \
	  $$r $$r >tests/corpus.trs; \
	test $$r != FAIL

# The Community ID of every corpus capture's flows against tshark's (tests/community-id.sh with
# COMMUNITY_ID_CORPUS): several minutes, so not part of check-corpus.
.PHONY: check-community-id-corpus
check-community-id-corpus: portscope
	PORTSCOPE=$(abs_builddir)/portscope COMMUNITY_ID_CORPUS=$(CORPUS_DIR) \
	  bash $(srcdir)/tests/community-id.sh
