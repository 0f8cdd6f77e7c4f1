/*
 * nat_cmd.c - portscope nat: each side read with the decoding and flow settings of the options,
 * the sides paired, and the table written where -o says, in the format --format says; or, when
 * there is nothing to pair, why, and exit status 9 (PS_EXIT_UNPAIRED).
 */
#include <errno.h>
#include <string.h>

#include "app.h"
#include "nat.h"
#include "nat_cmd.h"
#include "session.h"

static enum nat_format nat_format_of(enum ps_format f)
{
    switch (f) {
    case PS_FORMAT_JSON:
        return NAT_FORMAT_JSON;
    case PS_FORMAT_JSONL:
        return NAT_FORMAT_JSONL;
    case PS_FORMAT_CSV:
        return NAT_FORMAT_CSV;
    case PS_FORMAT_HTML:
        return NAT_FORMAT_HTML;
    default:
        return NAT_FORMAT_TEXT;
    }
}

/* Reads one side; a file cut short is a warning, a file not read at all an error. */
static int read_side(struct nat_side *side, const char **paths, size_t n,
                     const struct nat_read_config *cfg)
{
    char err[PS_ERRBUF_SIZE];

    if (nat_side_read(side, paths, n, cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", session_prog, err);
        return strstr(err, "out of memory") != NULL ? PS_EXIT_INTERNAL : PS_EXIT_NO_INPUT;
    }
    if (side->incomplete)
        fprintf(stderr, "%s: warning: %s\n", session_prog, err);
    return PS_EXIT_OK;
}

static int write_table(const struct ps_options *opts, const struct nat_side *in,
                       const struct nat_side *out, const struct nat_result *r)
{
    FILE *f = opts->output != NULL ? fopen(opts->output, "w") : stdout;
    int rc;

    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", session_prog, opts->output, strerror(errno));
        return PS_EXIT_OUTPUT;
    }
    rc = nat_write(f, nat_format_of(opts->format), opts->explain, in, out, r);
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "%s: %s: the table could not be written\n", session_prog,
                opts->output != NULL ? opts->output : "standard output");
        return PS_EXIT_OUTPUT;
    }
    return in->incomplete || out->incomplete ? PS_EXIT_INCOMPLETE : PS_EXIT_OK;
}

int nat_cmd_run(const struct ps_options *opts)
{
    struct decode_config dc = {opts->no_decap, opts->vlan_in_key};
    struct nat_read_config cfg = {&dc, &opts->lifecycle, opts->max_flows};
    struct nat_side in, out;
    struct nat_result r;
    enum nat_verdict v;
    char why[PS_ERRBUF_SIZE * 2];
    int status;

    memset(&out, 0, sizeof(out));
    status = read_side(&in, opts->nat_inside, opts->n_nat_inside, &cfg);
    if (status == PS_EXIT_OK)
        status = read_side(&out, opts->nat_outside, opts->n_nat_outside, &cfg);
    if (status != PS_EXIT_OK) {
        nat_side_release(&in);
        nat_side_release(&out);
        return status;
    }
    v = nat_pair(&in, &out, &r);
    if (v == NAT_OK) {
        status = write_table(opts, &in, &out, &r);
    } else {
        nat_verdict_message(v, &in, &out, &r, why, sizeof(why));
        fprintf(stderr, "%s: nat: %s\n", session_prog, why);
        status = v == NAT_ERR_MEMORY ? PS_EXIT_INTERNAL : PS_EXIT_UNPAIRED;
    }
    nat_result_release(&r);
    nat_side_release(&in);
    nat_side_release(&out);
    return status;
}
