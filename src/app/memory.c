/*
 * memory.c - the flow limit that follows the machine (--max-flows auto, the default): a share of
 * the memory available when the run starts, at what a kept flow costs.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

uint64_t app_available_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    unsigned long long kb;
    long pages, page_size;

    if (f != NULL) {
        while (fgets(line, sizeof(line), f) != NULL) {
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
                fclose(f);
                return (uint64_t)kb * 1024;
            }
        }
        fclose(f);
    }
    /* Without /proc (or on a kernel before 3.14): half the physical memory. */
    pages = sysconf(_SC_PHYS_PAGES);
    page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0)
        return 0;
    return (uint64_t)pages * (uint64_t)page_size / 2;
}

size_t app_max_flows_for(uint64_t available)
{
    uint64_t flows = available / 4 * 3 / APP_BYTES_PER_FLOW;

    if (flows < APP_MAX_FLOWS_MIN)
        return APP_MAX_FLOWS_MIN;
    if (flows > APP_MAX_FLOWS_MAX)
        return APP_MAX_FLOWS_MAX;
    return (size_t)flows;
}
