/*
 * replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over files without libFuzzer, so that
 * `make check` (with gcc, and with the sanitizers when configured with them) replays the samples
 * and the crash captures through the same code the fuzzers run.
 *
 * Usage: replay_TARGET PATH...   (a directory stands for the regular files directly in it)
 * Exit status 0 when every file was read; 1 when one could not be.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;

    if (fp == NULL) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (size == cap) {
            uint8_t *grown;

            cap = cap == 0 ? 65536 : cap * 2;
            grown = realloc(data, cap);
            if (grown == NULL) {
                fprintf(stderr, "replay: '%s': out of memory\n", path);
                free(data);
                fclose(fp);
                return -1;
            }
            data = grown;
        }
        size_t got = fread(data + size, 1, cap - size, fp);

        size += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
        free(data);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    /* Named before the run, so a crash's output says which file caused it. */
    printf("replay: %s (%zu bytes)\n", path, size);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files directly in `dir`, in name order so runs are comparable. */
static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **paths = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        char *path;

        if (e->d_name[0] == '.')
            continue;
        path = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (path == NULL) {
            rc = -1;
            break;
        }
        sprintf(path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (n == cap) {
            char **grown = realloc(paths, (cap = cap == 0 ? 64 : cap * 2) * sizeof(*paths));

            if (grown == NULL) {
                free(path);
                rc = -1;
                break;
            }
            paths = grown;
        }
        paths[n++] = path;
    }
    closedir(d);
    if (rc != 0)
        fprintf(stderr, "replay: '%s': out of memory\n", dir);
    qsort(paths, n, sizeof(*paths), compare_names);
    for (size_t i = 0; i < n; i++) {
        if (replay_file(paths[i]) != 0)
            rc = -1;
        free(paths[i]);
    }
    free(paths);
    return rc;
}

int main(int argc, char **argv)
{
    int status = 0;

    if (argc < 2) {
        fprintf(stderr, "Usage: %s PATH...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int rc;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = replay_dir(argv[i]);
        else
            rc = replay_file(argv[i]);
        if (rc != 0)
            status = 1;
    }
    return status;
}
