/*
 * app.h - the application: the command line (cli.h) and the session it asks for, from the inputs
 * through the analysis and the report to the output. What main() and the fuzz targets call.
 */
#ifndef PS_APP_H
#define PS_APP_H

#include "cli.h"

/*
 * Runs what the options ask (everything but --help and --version): lists the interfaces, or reads
 * every input, writes the report and checks the expectations. Diagnostics go to standard error.
 * Returns the exit status, an enum ps_exit.
 */
int app_run(const struct ps_options *opts);

#endif
