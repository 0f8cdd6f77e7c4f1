/*
 * sha1.c - SHA-1 (FIPS 180-4), for the Community ID flow hash (report_community_id.c), which the
 * specification defines over SHA-1. Not used for anything that needs collision resistance, and a
 * few dozen bytes a flow, so the plain one-block-at-a-time form is enough.
 */
#include <string.h>

#include "base.h"

static uint32_t rol32(uint32_t x, unsigned n)
{
    return x << n | x >> (32 - n);
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One round: the state's words move along, the new one from f's value and the round's word. */
#define SHA1_ROUND(f, k, w)                                                                        \
    do {                                                                                           \
        uint32_t tmp_ = rol32(a, 5) + (f) + e + (k) + (w);                                         \
        e = d;                                                                                     \
        d = c;                                                                                     \
        c = rol32(b, 30);                                                                          \
        b = a;                                                                                     \
        a = tmp_;                                                                                  \
    } while (0)

/*
 * One 64-byte block into the state h[5] (FIPS 180-4, 6.1.2). The four kinds of round each have
 * their own loop: a test of the round number in every round costs a fifth of the whole.
 */
static void sha1_block(uint32_t h[5], const uint8_t *block)
{
    uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    int t;

    for (t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (t = 16; t < 80; t++)
        w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    for (t = 0; t < 20; t++)
        SHA1_ROUND((b & c) | (~b & d), 0x5a827999u, w[t]);
    for (; t < 40; t++)
        SHA1_ROUND(b ^ c ^ d, 0x6ed9eba1u, w[t]);
    for (; t < 60; t++)
        SHA1_ROUND((b & c) | (b & d) | (c & d), 0x8f1bbcdcu, w[t]);
    for (; t < 80; t++)
        SHA1_ROUND(b ^ c ^ d, 0xca62c1d6u, w[t]);
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void ps_sha1(const void *data, size_t len, uint8_t digest[PS_SHA1_LEN])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    const uint8_t *p = data;
    uint8_t last[128];
    size_t rest = len % 64, tail;
    uint64_t bits = (uint64_t)len * 8;

    for (size_t done = 0; done + 64 <= len; done += 64)
        sha1_block(h, p + done);
    /* The padding: 0x80, zeros, the message length in bits; one block or two. */
    memset(last, 0, sizeof(last));
    if (rest > 0)
        memcpy(last, p + (len - rest), rest);
    last[rest] = 0x80;
    tail = rest < 56 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < tail; off += 64)
        sha1_block(h, last + off);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}
