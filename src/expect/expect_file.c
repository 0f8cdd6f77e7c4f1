/*
 * expect_file.c - --expect-file: expectations read one a line from a file, with comments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int expect_add_file(struct expect_list *l, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL, source[PS_ERRBUF_SIZE], why[PS_ERRBUF_SIZE * 2];
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;

    if (fp == NULL) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
        char *p = line, *hash;

        lineno++;
        /* A comment starts a line or follows a blank. */
        for (hash = strchr(p, '#'); hash != NULL; hash = strchr(hash + 1, '#')) {
            if (hash == p || is_space(hash[-1])) {
                *hash = '\0';
                break;
            }
        }
        while (is_space(*p))
            p++;
        len = (ssize_t)strlen(p);
        while (len > 0 && is_space(p[len - 1]))
            p[--len] = '\0';
        if (*p == '\0')
            continue;
        snprintf(source, sizeof(source), "%s:%zu", path, lineno);
        rc = expect_add(l, p, source, why, sizeof(why));
        if (rc == -1)
            snprintf(err, errlen, "%s: %s", source, why);
        else if (rc == -2)
            snprintf(err, errlen, "out of memory");
    }
    if (rc == 0 && ferror(fp)) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(fp);
    return rc;
}
