/*
 * unit_main.c - the one main() of the unit test programs: runs the suites the program gives
 * (unit_suites()) and exits 0 when every check passed, 1 when one failed, 77 to be skipped; and
 * the walk over the sample captures that several suites make.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

size_t unit_each_sample(void (*each)(const char *path, void *arg), void *arg)
{
    const char *srcdir = getenv("srcdir");
    char dir[PATH_MAX];
    struct dirent *e;
    size_t files = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/samples", srcdir != NULL ? srcdir : ".");
    d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX + 300];
        const char *dot = strrchr(e->d_name, '.');

        if (dot == NULL || (strcmp(dot, ".pcap") != 0 && strcmp(dot, ".pcapng") != 0))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        each(path, arg);
        files++;
    }
    closedir(d);
    return files;
}

int main(void)
{
    SRunner *runner = srunner_create(NULL);
    int failed;

    if (unit_suites(runner) == UNIT_SKIP) {
        srunner_free(runner);
        return UNIT_SKIP;
    }
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
