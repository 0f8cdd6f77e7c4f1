/*
 * cli_doc.c - the option table written out for people: --help, the man page's OPTIONS section and
 * the bash completion. Each walks the groups in order and, in each, the rows of the table.
 */
#include <string.h>

#include "app.h"
#include "cli_options.h"

/* --help: the column the option's text starts in, and the lines around the options. */
#define HELP_COLUMN 25
#define HELP_HEAD                                                                                  \
    "Usage: portscope -r FILE [-r FILE ...] [options] [FILTER]\n"                                  \
    "       portscope -i IFACE [options] [FILTER]\n"                                               \
    "       portscope -D\n"                                                                        \
    "       portscope nat --inside FILE --outside FILE [options]\n"                                \
    "\n"                                                                                           \
    "Reads packet captures (pcap or pcapng) and reports the conversations in them: each\n"         \
    "flow's client and server, their ports, and what those ports mean.\n"
#define HELP_TAIL                                                                                  \
    "\n"                                                                                           \
    "Exit status: 0 report complete; 1 report written but an input could not be read to\n"         \
    "its end; 2 usage error; 3 no input could be read; 4 the report could not be written;\n"       \
    "5 out of memory; 6 report written but an --expect expectation does not hold;\n"               \
    "7 a live capture could not start (no such interface, not permitted, interface down);\n"       \
    "8 --ipfix could not send the flows; 9 portscope nat found nothing to pair.\n"                 \
    "See portscope(1).\n"

/* Lines separated by '\n', each after the first indented to HELP_COLUMN. */
static void put_help_lines(FILE *out, const char *text)
{
    for (const char *line = text, *end; line != NULL; line = end != NULL ? end + 1 : NULL) {
        end = strchr(line, '\n');
        if (line != text)
            fprintf(out, "%*s", HELP_COLUMN, "");
        fprintf(out, "%.*s\n", end != NULL ? (int)(end - line) : (int)strlen(line), line);
    }
}

/* "  -r, --read FILE", "      --color[=WHEN]" or "  FILTER", then the text from HELP_COLUMN. */
static void put_help_row(FILE *out, const struct cli_option *o)
{
    int len;

    if (o->name == NULL)
        len = fprintf(out, "  %s", o->arg_name);
    else if (o->letter != 0)
        len = fprintf(out, "  -%c, --%s", o->letter, o->name);
    else
        len = fprintf(out, "      --%s", o->name);
    if (o->arg == CLI_ARG_REQUIRED)
        len += fprintf(out, " %s", o->arg_name);
    else if (o->arg == CLI_ARG_OPTIONAL)
        len += fprintf(out, "[=%s]", o->arg_name);
    /* A spelling too long for the column keeps two spaces before its text. */
    fprintf(out, "%*s", len < HELP_COLUMN ? HELP_COLUMN - len : 2, "");
    put_help_lines(out, o->help);
}

void cli_usage(FILE *out)
{
    fputs(HELP_HEAD, out);
    for (int g = 0; g < CLI_GROUPS; g++) {
        fputc('\n', out);
        if (cli_groups[g].heading != NULL)
            fprintf(out, "%s\n", cli_groups[g].heading);
        for (int i = 0; i < CLI_OPTIONS; i++)
            if (cli_options[i].group == (enum cli_group_id)g)
                put_help_row(out, &cli_options[i]);
        if (cli_groups[g].note != NULL) {
            fprintf(out, "%*s", HELP_COLUMN, "");
            put_help_lines(out, cli_groups[g].note);
        }
    }
    fputs(HELP_TAIL, out);
}

#define HELP_NAT_HEAD                                                                              \
    "Usage: portscope nat --inside FILE [--inside FILE ...] --outside FILE [--outside FILE ...]\n" \
    "                     [options]\n"                                                             \
    "\n"                                                                                           \
    "Pairs the flows of a capture taken inside a NAT router with those of one taken\n"             \
    "outside it, and prints the translation table: what the router rewrote of each\n"              \
    "connection, on what evidence, and the clock offset between the captures.\n"                   \
    "\n"                                                                                           \
    "Options:\n"
#define HELP_NAT_TAIL                                                                              \
    "\n"                                                                                           \
    "For nat, --format jsonl writes a line per connection, then one summary line, and\n"           \
    "csv a row per connection.\n"                                                                  \
    "\n"                                                                                           \
    "Exit status: 0 table written; 1 written but a file could not be read to its end;\n"           \
    "2 usage error; 3 a file could not be read; 4 the table could not be written;\n"               \
    "5 out of memory; 9 no table: the same capture twice, two captures of one point, a side\n"     \
    "without flows, or captures that share no connection. See portscope(1) and doc/nat.md.\n"

void cli_usage_nat(FILE *out)
{
    fputs(HELP_NAT_HEAD, out);
    for (int i = 0; i < CLI_OPTIONS; i++)
        if (cli_options[i].nat)
            put_help_row(out, &cli_options[i]);
    fputs(HELP_NAT_TAIL, out);
}

/* A name in roff, where a plain '-' may become a hyphen: "\-\-max\-flows". */
static void put_roff_name(FILE *out, const char *dashes, const char *name)
{
    fputs(dashes, out);
    for (; *name != '\0'; name++) {
        if (*name == '-')
            fputs("\\-", out);
        else
            fputc(*name, out);
    }
}

/* The line under .TP: ".BR \-r ", " \-\-read " \fIFILE\fR"", ".BI \-\-top " N", ".I FILTER". */
static void put_man_spelling(FILE *out, const struct cli_option *o)
{
    if (o->name == NULL) {
        fprintf(out, ".I %s\n", o->arg_name);
        return;
    }
    if (o->letter != 0) {
        fprintf(out, ".BR \\-%c \", \" ", o->letter);
        put_roff_name(out, "\\-\\-", o->name);
        if (o->arg == CLI_ARG_REQUIRED)
            fprintf(out, " \" \\fI%s\\fR\"", o->arg_name);
    } else if (o->arg == CLI_ARG_REQUIRED) {
        put_roff_name(out, ".BI \\-\\-", o->name);
        fprintf(out, " \" %s\"", o->arg_name);
    } else {
        put_roff_name(out, o->arg == CLI_ARG_OPTIONAL ? ".BR \\-\\-" : ".B \\-\\-", o->name);
    }
    if (o->arg == CLI_ARG_OPTIONAL)
        fprintf(out, " [ =\\fI%s\\fR ]", o->arg_name);
    fputc('\n', out);
}

void cli_write_man(FILE *out)
{
    for (int g = 0; g < CLI_GROUPS; g++) {
        fprintf(out, ".SS \"%s\"\n", cli_groups[g].title);
        for (int i = 0; i < CLI_OPTIONS; i++) {
            if (cli_options[i].group != (enum cli_group_id)g)
                continue;
            fputs(".TP\n", out);
            put_man_spelling(out, &cli_options[i]);
            fprintf(out, "%s\n", cli_options[i].man);
        }
    }
}

/* The completion script around its generated parts. */
#define COMPLETION_HEAD                                                                            \
    "# bash completion for portscope(1)                                  -*- shell-script -*-\n"   \
    "# Written from the option table (src/app/cli_options.c) by `make update-options`: edit the\n" \
    "# table, not this file. Installed by `make install` under\n"                                  \
    "# $(datadir)/bash-completion/completions.\n"                                                  \
    "\n"                                                                                           \
    "_portscope()\n"                                                                               \
    "{\n"                                                                                          \
    "    local cur prev words cword\n"                                                             \
    "    if declare -F _init_completion >/dev/null 2>&1; then\n"                                   \
    "        _init_completion -n = || return\n"                                                    \
    "    else\n"                                                                                   \
    "        cur=${COMP_WORDS[COMP_CWORD]}\n"                                                      \
    "        prev=${COMP_WORDS[COMP_CWORD - 1]}\n"                                                 \
    "    fi\n"                                                                                     \
    "\n"                                                                                           \
    "    # --option=value: complete the value.\n"                                                  \
    "    if [[ $cur == --*=* ]]; then\n"                                                           \
    "        prev=${cur%%=*}\n"                                                                    \
    "        cur=${cur#*=}\n"                                                                      \
    "    fi\n"                                                                                     \
    "\n"                                                                                           \
    "    case $prev in\n"
#define SCRIPT_WIDTH 96 /* and a few characters to close the line */

/*
 * Words written one after the other: `sep` between two on one line; past SCRIPT_WIDTH, `brk` then
 * a new line indented by `indent`.
 */
struct word_line {
    FILE *out;
    int column;
    int words;
    const char *sep, *brk;
    int indent;
};

static void put_word(struct word_line *w, const char *prefix, const char *word, size_t len)
{
    int width = (int)(strlen(prefix) + len);

    if (w->words++ > 0 && w->column + (int)strlen(w->sep) + width > SCRIPT_WIDTH)
        w->column = fprintf(w->out, "%s\n%*s", w->brk, w->indent, "") - (int)strlen(w->brk) - 1;
    else if (w->words > 1)
        w->column += fprintf(w->out, "%s", w->sep);
    w->column += fprintf(w->out, "%s%.*s", prefix, (int)len, word);
}

/* Each word of a space-separated list. */
static void put_words(struct word_line *w, const char *list)
{
    for (const char *p = list + strspn(list, " "); *p != '\0'; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");

        put_word(w, "", p, len);
        p += len;
    }
}

/* Whether the branch for `kind` (or for the row `only`) completes the row's value. */
static bool in_case(const struct cli_option *o, enum cli_complete kind,
                    const struct cli_option *only)
{
    return o->name != NULL && o->arg != CLI_ARG_NONE && o->complete == kind &&
           (only == NULL || o == only);
}

/* The pattern of a case branch, "    -r | --read | ...)"; false, and nothing, when it has none. */
static bool put_pattern(FILE *out, enum cli_complete kind, const struct cli_option *only)
{
    struct word_line w = {out, 4, 0, " | ", " | \\", 8};
    int n = 0;

    for (int i = 0; i < CLI_OPTIONS; i++)
        n += in_case(&cli_options[i], kind, only);
    if (n == 0)
        return false;
    fputs("    ", out);
    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];

        if (!in_case(o, kind, only))
            continue;
        if (o->letter != 0)
            put_word(&w, "-", &o->letter, 1);
        put_word(&w, "--", o->name, strlen(o->name));
    }
    fputs(")\n", out);
    return true;
}

/* `compgen -W "VALUES"`, the values wrapped inside the quotes, 4 columns in from `before`. */
static void put_compgen(FILE *out, const char *before, const char *values, const char *after)
{
    struct word_line w = {out, 0, 0, " ", "", (int)strspn(before, " ") + 4};

    w.column = fprintf(out, "%s", before);
    put_words(&w, values);
    fputs(after, out);
}

/* One branch of `case $prev in` for each way of completing a value. */
static void put_value_cases(FILE *out)
{
    static const char *const bodies[] = {
        [CLI_COMPLETE_FILE] = "        compopt -o filenames 2>/dev/null\n"
                              "        COMPREPLY=($(compgen -f -- \"$cur\"))\n",
        [CLI_COMPLETE_INTERFACE] = "        COMPREPLY=($(compgen -W \"$(ls /sys/class/net "
                                   "2>/dev/null) any\" -- \"$cur\"))\n",
        [CLI_COMPLETE_USER] = "        COMPREPLY=($(compgen -u -- \"$cur\"))\n",
    };

    for (enum cli_complete k = CLI_COMPLETE_FILE; k <= CLI_COMPLETE_USER; k++)
        if (put_pattern(out, k, NULL))
            fprintf(out, "%s        return\n        ;;\n", bodies[k]);
    for (int i = 0; i < CLI_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];

        /* The other kinds share their branch, written above and below. */
        if ((o->complete != CLI_COMPLETE_WORD && o->complete != CLI_COMPLETE_WORD_LIST) ||
            !put_pattern(out, o->complete, o))
            continue;
        if (o->complete == CLI_COMPLETE_WORD) {
            put_compgen(out, "        COMPREPLY=($(compgen -W \"", o->values, "\" -- \"$cur\"))\n");
        } else if (o->complete == CLI_COMPLETE_WORD_LIST) {
            fputs("        # A comma-separated list: complete the last item.\n"
                  "        local done_items=${cur%\"${cur##*,}\"}\n",
                  out);
            put_compgen(out, "        COMPREPLY=($(compgen -P \"$done_items\" -W \"", o->values,
                        "\" -- \"${cur##*,}\"))\n        compopt -o nospace 2>/dev/null\n");
        }
        fputs("        return\n        ;;\n", out);
    }
    if (put_pattern(out, CLI_COMPLETE_NONE, NULL))
        fputs("        return # a value portscope cannot guess\n        ;;\n", out);
}

void cli_write_completion(FILE *out)
{
    struct word_line w = {out, 0, 0, " ", "", 8};

    fputs(COMPLETION_HEAD, out);
    put_value_cases(out);
    fputs("    esac\n\n"
          "    # The subcommand, as the first word.\n"
          "    if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"nat\" -- \"$cur\"))\n"
          "        return\n"
          "    fi\n\n"
          "    if [[ $cur == -* ]]; then\n",
          out);
    w.column = fprintf(out, "        COMPREPLY=($(compgen -W \"");
    for (int i = 0; i < CLI_OPTIONS; i++)
        if (cli_options[i].name != NULL)
            put_word(&w, "--", cli_options[i].name, strlen(cli_options[i].name));
    for (int i = 0; i < CLI_OPTIONS; i++)
        if (cli_options[i].letter != 0)
            put_word(&w, "-", &cli_options[i].letter, 1);
    fputs("\" -- \"$cur\"))\n        return\n    fi\n"
          "    # Anything else is a word of the BPF filter expression.\n",
          out);
    for (int i = 0; i < CLI_OPTIONS; i++)
        if (cli_options[i].name == NULL)
            put_compgen(out, "    COMPREPLY=($(compgen -W \"", cli_options[i].values,
                        "\" -- \"$cur\"))\n");
    fputs("}\ncomplete -F _portscope portscope\n", out);
}
