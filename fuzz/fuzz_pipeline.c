/*
 * fuzz_pipeline.c - the whole path a capture file takes through portscope, by the program's own
 * entry points: the command line (cli_parse()) and the session (app_run()) read the input,
 * analyse it, build the report and write it. The input is the capture file's bytes; its last byte
 * picks the report's format, so that every writer is fuzzed.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed seed: a crash must reproduce from the input alone. */
#define FUZZ_SEED 0x5eed5eed5eed5eedull

/* The input as a file the session can open by name: a memory file, named through /proc. */
static int input_file(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("fuzz.pcap", 0);

    if (fd < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);

        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const formats[] = {"json", "text", "csv", "jsonl", "html"};
    char path[64], err[PS_ERRBUF_SIZE];
    struct ps_options opts;
    int fd;

    if (size == 0)
        return 0;
    fd = input_file(data, size, path, sizeof(path));
    /* Small tables, so that the fuzzer reaches the full-table paths with a few dozen packets;
     * one thread, so that a run is the same every time; not the default range of ephemeral
     * ports, so that the ephemeral labels differ from the port classes. */
    char *argv[] = {"portscope",
                    "-q",
                    "--threads",
                    "1",
                    "--max-flows",
                    "64",
                    "--max-fragments",
                    "8",
                    "--ephemeral",
                    "linux",
                    "--format",
                    (char *)formats[data[size - 1] % (sizeof(formats) / sizeof(formats[0]))],
                    "-o",
                    "/dev/null",
                    "-r",
                    path,
                    NULL};
    if (cli_parse((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, &opts, err, sizeof(err)) != 0)
        abort();
    opts.seed = FUZZ_SEED;
    opts.exact_copies = true;
    app_run(&opts);
    cli_release(&opts);
    close(fd);
    return 0;
}
