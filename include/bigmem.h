/*
 * bigmem.h - large zeroed blocks for the tables that hold millions of entries.
 *
 * The flow table and its index are touched at random: with 4 KiB pages nearly every access to
 * them also misses the TLB. Blocks from here are mapped directly and offered to the kernel for
 * transparent huge pages, which it grants where configured ("madvise" or "always").
 */
#ifndef PS_BIGMEM_H
#define PS_BIGMEM_H

#include <stddef.h>

/* A zeroed block of `size` bytes, or NULL when out of memory. */
void *bigmem_alloc(size_t size);

/* Frees a block from bigmem_alloc(); `size` as it was asked for. NULL is ignored. */
void bigmem_free(void *p, size_t size);

#endif
