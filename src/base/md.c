/*
 * md.c - the padding and block loop SHA-1 and SHA-256 share (md_int.h).
 */
#include "md_int.h"

#include <string.h>

void md_hash(uint32_t *h, size_t words, md_block_fn *block, const void *data, size_t len,
             uint8_t *digest)
{
    const uint8_t *p = data;
    uint8_t last[128];
    size_t rest = len % 64, tail;
    uint64_t bits = (uint64_t)len * 8;

    for (size_t done = 0; done + 64 <= len; done += 64)
        block(h, p + done);
    /* The padding: 0x80, zeros, the message length in bits; one block or two. */
    memset(last, 0, sizeof(last));
    if (rest > 0)
        memcpy(last, p + (len - rest), rest);
    last[rest] = 0x80;
    tail = rest < 56 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < tail; off += 64)
        block(h, last + off);
    for (size_t i = 0; i < words; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}
