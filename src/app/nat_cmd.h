/*
 * nat_cmd.h - portscope nat: the two sides read, paired, and the table written.
 */
#ifndef PS_NAT_CMD_H
#define PS_NAT_CMD_H

#include "app.h"

/* Runs portscope nat as the options say; returns the exit status (enum ps_exit). */
int nat_cmd_run(const struct ps_options *opts);

#endif
