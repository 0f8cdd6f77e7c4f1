/*
 * main.c - the program: the command line parsed, --help and --version answered, everything else
 * run by the app module's session (app_run()), whose exit status is the program's.
 */
#include <stdio.h>

#include "app.h"
#include "config.h"

int main(int argc, char **argv)
{
    struct ps_options opts;
    char err[PS_ERRBUF_SIZE];
    int status;

    if (cli_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s%s --help' for more information.\n", PACKAGE_NAME, err,
                PACKAGE_NAME, opts.nat ? " nat" : "");
        cli_release(&opts);
        return PS_EXIT_USAGE;
    }
    if (opts.help || opts.version) {
        if (opts.help && opts.nat)
            cli_usage_nat(stdout);
        else if (opts.help)
            cli_usage(stdout);
        else
            printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        status = fflush(stdout) == 0 ? PS_EXIT_OK : PS_EXIT_OUTPUT;
    } else {
        status = app_run(&opts);
    }
    cli_release(&opts);
    return status;
}
