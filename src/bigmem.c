/*
 * bigmem.c - large zeroed blocks, mapped directly and offered for huge pages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bigmem.h"

#define HUGE_PAGE ((size_t)2 << 20)

/* Below this a block would waste most of a huge page: the allocator does better. */
#define BIGMEM_MIN HUGE_PAGE

/* Blocks are mapped in whole huge pages; untouched ones cost no memory. */
static size_t mapped_size(size_t size)
{
    return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *bigmem_alloc(size_t size)
{
    uintptr_t start, aligned;
    size_t span, head;
    void *p;

    if (size < BIGMEM_MIN)
        return calloc(1, size);
    if (size > SIZE_MAX - 2 * HUGE_PAGE)
        return NULL;
    size = mapped_size(size);
    /* Huge pages only cover aligned stretches: map a page more and trim to a boundary. */
    span = size + HUGE_PAGE;
    p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    start = (uintptr_t)p;
    aligned = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    head = aligned - start;
    if (head != 0)
        munmap(p, head);
    if (span - head > size)
        munmap((void *)(aligned + size), span - head - size);
    p = (void *)aligned;
#ifdef MADV_HUGEPAGE
    /* Only advice: where the kernel refuses, the block works with small pages. */
    (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

void bigmem_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    if (size < BIGMEM_MIN)
        free(p);
    else
        munmap(p, mapped_size(size));
}
