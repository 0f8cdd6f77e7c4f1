# The robustness corpus run: see tests/corpus.sh.
