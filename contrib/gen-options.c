/*
 * gen-options - writes what the option table (src/app/cli_options.c) says for the man page and the
 * bash completion: `gen-options man` the OPTIONS section of doc/portscope.1 (between its
 * "generated" comments), `gen-options completion` contrib/bash-completion/portscope. A program of
 * its own rather than a hidden option of portscope, which would change what portscope accepts
 * (abbreviations such as --du would become ambiguous). `make update-options` runs it.
 */
#include <stdio.h>
#include <string.h>

#include "../src/app/cli_options.h"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "man") == 0)
        cli_write_man(stdout);
    else if (argc == 2 && strcmp(argv[1], "completion") == 0)
        cli_write_completion(stdout);
    else {
        fprintf(stderr, "usage: gen-options man|completion\n");
        return 2;
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
