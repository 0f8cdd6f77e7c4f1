/*
 * md_int.h - what SHA-1 and SHA-256 share (FIPS 180-4 sections 5.1.1 and 6): the message in 64-byte
 * blocks, padded with 0x80, zeros and its length in bits, each block through the hash's own block
 * function, the state's words out big-endian. For sha1.c and sha256.c only.
 */
#ifndef PS_MD_INT_H
#define PS_MD_INT_H

#include <stddef.h>
#include <stdint.h>

/* Mixes one 64-byte block into the state h. */
typedef void md_block_fn(uint32_t *h, const uint8_t *block);

/* The hash of data[0..len) from the initial state h (`words` of them), into digest (4 * words
 * bytes). */
void md_hash(uint32_t *h, size_t words, md_block_fn *block, const void *data, size_t len,
             uint8_t *digest);

#endif
