# The bash completion, installed where bash-completion looks for it under the prefix.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = contrib/bash-completion/portscope
EXTRA_DIST += contrib/local.mk

# The completion and the man page's OPTIONS section are written from the option table
# (src/app/cli_options.c) by gen-options and committed, so that building needs no program run and
# distributions install them as they are. `make update-options` rewrites them after a change of
# the table; tests/options.sh fails while they are not what the table gives.
check_PROGRAMS += contrib/gen-options
contrib_gen_options_SOURCES = contrib/gen-options.c
contrib_gen_options_LDADD = $(LIBS_ALL)

update-options: contrib/gen-options$(EXEEXT)
	$(srcdir)/scripts/update-options.sh $(builddir)/contrib/gen-options$(EXEEXT)
.PHONY: update-options
