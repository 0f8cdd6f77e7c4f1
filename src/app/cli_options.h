/*
 * cli_options.h - the option table: one row per option (and one for the FILTER operand), with
 * everything said about it anywhere: its spellings, its value, its --help lines, its man page
 * paragraph and what the bash completion offers for it. cli_parse() builds getopt_long()'s
 * options from it and cli_usage() writes --help from it; gen-options (contrib/gen-options.c)
 * writes the man page's OPTIONS section and the bash completion from it, which are committed and
 * which tests/options.sh holds to what it writes.
 */
#ifndef PS_CLI_OPTIONS_H
#define PS_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

/* Defaults the parser sets and the help text states: each named once, here or by its module. */
#define CLI_DEFAULT_MAX_FRAGMENTS 65536
#define CLI_DEFAULT_EPHEMERAL     "auto"
#define CLI_DEFAULT_PROFILE       "zeek"

/* A numeric constant as a string literal, for the help text: CLI_STR(CAPTURE_SNAPLEN). */
#define CLI_STR(x)  CLI_STR_(x)
#define CLI_STR_(x) #x

/* Which row is which, for cli.c's switch (the table's order is the order they are listed in). */
enum cli_option_id {
    CLI_OPT_READ,
    CLI_OPT_FILTER, /* the operand: the arguments left after the options */
    CLI_OPT_QUIET,
    CLI_OPT_INTERFACE,
    CLI_OPT_LIST_INTERFACES,
    CLI_OPT_COUNT,
    CLI_OPT_DURATION,
    CLI_OPT_INTERVAL,
    CLI_OPT_SNAPLEN,
    CLI_OPT_NO_PROMISCUOUS_MODE,
    CLI_OPT_WRITE,
    CLI_OPT_RELINQUISH_PRIVILEGES,
    CLI_OPT_OUTPUT,
    CLI_OPT_FORMAT,
    CLI_OPT_JSON,
    CLI_OPT_COMMUNITY_ID_SEED,
    CLI_OPT_COMMUNITY_ID_FORMAT,
    CLI_OPT_IPFIX,
    CLI_OPT_IPFIX_DOMAIN,
    CLI_OPT_SERVICE,
    CLI_OPT_PORT,
    CLI_OPT_HOST,
    CLI_OPT_SORT,
    CLI_OPT_TOP,
    CLI_OPT_SHOW,
    CLI_OPT_EXPLAIN,
    CLI_OPT_COLOR,
    CLI_OPT_EXPECT,
    CLI_OPT_EXPECT_FILE,
    CLI_OPT_EPHEMERAL,
    CLI_OPT_SERVICES,
    CLI_OPT_NO_DECAP,
    CLI_OPT_VLAN_IN_KEY,
    CLI_OPT_PROFILE,
    CLI_OPT_IDLE_TIMEOUT,
    CLI_OPT_ACTIVE_TIMEOUT,
    CLI_OPT_MAX_FLOWS,
    CLI_OPT_MAX_FRAGMENTS,
    CLI_OPT_THREADS,
    CLI_OPT_INSIDE,
    CLI_OPT_OUTSIDE,
    CLI_OPT_HELP,
    CLI_OPT_VERSION,
};
#define CLI_OPTIONS (CLI_OPT_VERSION + 1)

/* The headed groups --help and the man page's OPTIONS section list the options in. */
enum cli_group_id {
    CLI_GROUP_INPUT,
    CLI_GROUP_LIVE,
    CLI_GROUP_OUTPUT,
    CLI_GROUP_SELECT,
    CLI_GROUP_TEXT,
    CLI_GROUP_EXPECT,
    CLI_GROUP_PORTS,
    CLI_GROUP_DECODING,
    CLI_GROUP_FLOWS,
    CLI_GROUP_LIMITS,
    CLI_GROUP_NAT,
    CLI_GROUP_INFO,
};
#define CLI_GROUPS (CLI_GROUP_INFO + 1)

struct cli_group {
    const char *title;   /* the man page's subsection */
    const char *heading; /* --help's line(s) above the group; NULL: none */
    const char *note;    /* --help's line(s) below the group; NULL: none */
};

/* The option's value, as getopt_long()'s has_arg says it (cli.c checks the numbers agree). */
enum cli_arg {
    CLI_ARG_NONE = 0,
    CLI_ARG_REQUIRED = 1,
    CLI_ARG_OPTIONAL = 2, /* only as --name=VALUE */
};

/* What the bash completion offers for the value. */
enum cli_complete {
    CLI_COMPLETE_NONE, /* nothing: a value portscope cannot guess, or no value */
    CLI_COMPLETE_FILE,
    CLI_COMPLETE_INTERFACE, /* the network interfaces, and "any" */
    CLI_COMPLETE_USER,
    CLI_COMPLETE_WORD,      /* one of .values */
    CLI_COMPLETE_WORD_LIST, /* a comma-separated list of .values */
};

struct cli_option {
    enum cli_option_id id;
    const char *name; /* the long option without "--"; NULL for the operand */
    char letter;      /* the short option; 0: none */
    enum cli_arg arg;
    const char *arg_name; /* the value (or the operand) in --help and the man page: "FILE" */
    enum cli_group_id group;
    enum cli_complete complete;
    const char *values; /* the values it takes, space-separated, when they are a list */
    const char *help;   /* --help: lines after the spelling, '\n' between them */
    const char *man;    /* the man page: roff, the paragraph under the spelling */
    bool nat;           /* `portscope nat` takes it too (its group's options it alone takes) */
};

extern const struct cli_group cli_groups[CLI_GROUPS];
extern const struct cli_option cli_options[CLI_OPTIONS];

/* The man page's OPTIONS section, without its .SH line (cli_doc.c). */
void cli_write_man(FILE *out);

/* The bash completion script (cli_doc.c). */
void cli_write_completion(FILE *out);

#endif
