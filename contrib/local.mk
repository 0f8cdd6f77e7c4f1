# The bash completion, installed where bash-completion looks for it under the prefix.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = contrib/bash-completion/portscope
EXTRA_DIST += contrib/local.mk
