#!/bin/bash
# The man page's OPTIONS section and the bash completion are what the option table
# (src/app/cli_options.c) gives, as gen-options writes them: `make update-options` after a change of
# the table. GEN_OPTIONS names the generator (default: contrib/gen-options in the build directory).
. "$(dirname "$0")/lib.sh"
gen=${GEN_OPTIONS:-$PWD/contrib/gen-options}
"$top/scripts/update-options.sh" --check "$gen"
