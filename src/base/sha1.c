/*
 * sha1.c - SHA-1 (FIPS 180-4), for the Community ID flow hash (report_community_id.c), which the
 * specification defines over SHA-1. Not used for anything that needs collision resistance: a few
 * dozen bytes a flow, one block or two. Computed for every flow written, so on x86 processors with
 * the SHA extensions each block takes their instructions (chosen once, by cpuid); elsewhere the
 * plain form.
 */
#include <endian.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

#include "base.h"
#include "md_int.h"

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

#ifdef HAVE_SHA_NI
/* Four rounds of function `f` (0 to 3: rounds 0-19, 20-39, 40-59, 60-79); an immediate. */
#define SHA1_ROUNDS4(abcd, e, f)                                                                   \
    ((f) == 0   ? _mm_sha1rnds4_epu32(abcd, e, 0)                                                  \
     : (f) == 1 ? _mm_sha1rnds4_epu32(abcd, e, 1)                                                  \
     : (f) == 2 ? _mm_sha1rnds4_epu32(abcd, e, 2)                                                  \
                : _mm_sha1rnds4_epu32(abcd, e, 3))

/*
 * One block with the SHA extensions: twenty groups of four rounds. The message words of group i
 * (i >= 4) come from those of groups i-4 to i-1 (msg1, xor, msg2: W[t] = rol1(W[t-3] ^ W[t-8] ^
 * W[t-14] ^ W[t-16]) four words at a time); each group's E is the A of two groups before, rotated
 * (nexte), plus its words.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha1_block_ni(uint32_t h[5],
                                                                      const uint8_t *block)
{
    /* Big-endian words, the first in the highest lane. */
    const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
    __m128i e_start = _mm_set_epi32((int)h[4], 0, 0, 0), abcd_start = abcd, prev = abcd, e, w[4];

    for (int i = 0; i < 4; i++)
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), swap);
    e = _mm_add_epi32(e_start, w[0]);
    /* Unrolled, so that the words are registers and each group's function an immediate. */
#pragma GCC unroll 20
    for (int i = 0; i < 20; i++) {
        if (i >= 4)
            w[i & 3] = _mm_sha1msg2_epu32(
                _mm_xor_si128(_mm_sha1msg1_epu32(w[i & 3], w[(i + 1) & 3]), w[(i + 2) & 3]),
                w[(i + 3) & 3]);
        if (i > 0)
            e = _mm_sha1nexte_epu32(prev, w[i & 3]);
        prev = abcd;
        abcd = SHA1_ROUNDS4(abcd, e, i / 5);
    }
    e = _mm_sha1nexte_epu32(prev, e_start);
    abcd = _mm_add_epi32(abcd, abcd_start);
    _mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
    h[4] = (uint32_t)_mm_extract_epi32(e, 3);
}

/*
 * Two blocks into two states at once, their groups of rounds alternating: each group waits on the
 * one before it of its own block only (sha1rnds4 takes several cycles), so the other block's
 * group runs in that time. For two flows' Community IDs written one after the other.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha1_block_ni2(uint32_t h0[5], const uint8_t *block0, uint32_t h1[5], const uint8_t *block1)
{
    const __m128i swap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    uint32_t *h[2] = {h0, h1};
    const uint8_t *block[2] = {block0, block1};
    __m128i abcd[2], e_start[2], abcd_start[2], prev[2], e[2], w[2][4];

    for (int j = 0; j < 2; j++) {
        abcd[j] = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h[j]), 0x1b);
        e_start[j] = _mm_set_epi32((int)h[j][4], 0, 0, 0);
        abcd_start[j] = prev[j] = abcd[j];
        for (int i = 0; i < 4; i++)
            w[j][i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block[j] + 16 * i)), swap);
        e[j] = _mm_add_epi32(e_start[j], w[j][0]);
    }
    /* Unrolled, so that the arrays are registers and each group's function an immediate. */
#pragma GCC unroll 20
    for (int i = 0; i < 20; i++) {
#pragma GCC unroll 2
        for (int j = 0; j < 2; j++) {
            if (i >= 4)
                w[j][i & 3] = _mm_sha1msg2_epu32(
                    _mm_xor_si128(_mm_sha1msg1_epu32(w[j][i & 3], w[j][(i + 1) & 3]),
                                  w[j][(i + 2) & 3]),
                    w[j][(i + 3) & 3]);
            if (i > 0)
                e[j] = _mm_sha1nexte_epu32(prev[j], w[j][i & 3]);
            prev[j] = abcd[j];
            abcd[j] = SHA1_ROUNDS4(abcd[j], e[j], i / 5);
        }
    }
    for (int j = 0; j < 2; j++) {
        e[j] = _mm_sha1nexte_epu32(prev[j], e_start[j]);
        abcd[j] = _mm_add_epi32(abcd[j], abcd_start[j]);
        _mm_storeu_si128((__m128i *)h[j], _mm_shuffle_epi32(abcd[j], 0x1b));
        h[j][4] = (uint32_t)_mm_extract_epi32(e[j], 3);
    }
}

/* Whether the processor has the SHA extensions and the SSSE3 and SSE4.1 the code around them uses.
 */
static bool cpu_has_sha(void)
{
    unsigned a, b, c, d;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return false;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* The whole hash over blocks made by `block`: the message's, then the padding's. */
static void sha1_with(md_block_fn *block, const void *data, size_t len, uint8_t digest[PS_SHA1_LEN])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

    md_hash(h, 5, block, data, len, digest);
}

void ps_sha1_plain(const void *data, size_t len, uint8_t digest[PS_SHA1_LEN])
{
    sha1_with(sha1_block, data, len, digest);
}

bool ps_sha1_hardware(void)
{
#ifdef HAVE_SHA_NI
    /* Asked once; two threads that both ask first get the same answer. */
    static atomic_int known; /* 0: not asked; 1: no; 2: yes */
    int k = atomic_load_explicit(&known, memory_order_relaxed);

    if (k == 0) {
        k = cpu_has_sha() ? 2 : 1;
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return k == 2;
#else
    return false;
#endif
}

/* The padding of a short message in place: 0x80 after it, the zeros are the caller's, the length.
 */
static void pad_short(uint8_t block[PS_SHA1_BLOCK], size_t len)
{
    uint64_t bits = htobe64((uint64_t)len * 8);

    block[len] = 0x80;
    memcpy(block + PS_SHA1_BLOCK - 8, &bits, 8);
}

static void put_digest(const uint32_t h[5], uint8_t digest[PS_SHA1_LEN])
{
    for (int i = 0; i < 5; i++) {
        uint32_t v = htobe32(h[i]);

        memcpy(digest + 4 * i, &v, 4);
    }
}

void ps_sha1_short(uint8_t block[PS_SHA1_BLOCK], size_t len, uint8_t digest[PS_SHA1_LEN])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

    pad_short(block, len);
#ifdef HAVE_SHA_NI
    if (ps_sha1_hardware())
        sha1_block_ni(h, block);
    else
#endif
        sha1_block(h, block);
    put_digest(h, digest);
}

void ps_sha1_short2(uint8_t block[2][PS_SHA1_BLOCK], const size_t len[2],
                    uint8_t digest[2][PS_SHA1_LEN])
{
    uint32_t h[2][5] = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0},
                        {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}};

    pad_short(block[0], len[0]);
    pad_short(block[1], len[1]);
#ifdef HAVE_SHA_NI
    if (ps_sha1_hardware()) {
        sha1_block_ni2(h[0], block[0], h[1], block[1]);
    } else
#endif
    {
        sha1_block(h[0], block[0]);
        sha1_block(h[1], block[1]);
    }
    put_digest(h[0], digest[0]);
    put_digest(h[1], digest[1]);
}

void ps_sha1(const void *data, size_t len, uint8_t digest[PS_SHA1_LEN])
{
#ifdef HAVE_SHA_NI
    if (ps_sha1_hardware()) {
        sha1_with(sha1_block_ni, data, len, digest);
        return;
    }
#endif
    sha1_with(sha1_block, data, len, digest);
}
