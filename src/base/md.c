/*
 * md.c - the padding and block loop SHA-1 and SHA-256 share (md_int.h).
 */
#include "md_int.h"

#include <endian.h>
#include <string.h>

void md_hash(uint32_t *h, size_t words, md_block_fn *block, const void *data, size_t len,
             uint8_t *digest)
{
    const uint8_t *p = data;
    uint8_t last[128];
    size_t rest = len % 64, tail = rest < 56 ? 64 : 128;
    uint64_t bits = htobe64((uint64_t)len * 8);

    for (size_t done = 0; done + 64 <= len; done += 64)
        block(h, p + done);
    /* The padding: 0x80, zeros, the message length in bits; one block or two. Cleared by a
     * constant size, which the compiler does without a call: the Community ID hashes a short
     * message for every flow written, and this was a tenth of its cost. */
    if (tail == 64)
        memset(last, 0, 64);
    else
        memset(last, 0, 128);
    memcpy(last, p + (len - rest), rest);
    last[rest] = 0x80;
    memcpy(last + tail - 8, &bits, 8);
    block(h, last);
    if (tail == 128)
        block(h, last + 64);
    for (size_t i = 0; i < words; i++) {
        uint32_t v = htobe32(h[i]);

        memcpy(digest + 4 * i, &v, 4);
    }
}
