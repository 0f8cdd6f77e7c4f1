/*
 * rd.h - a bounds-checked read cursor over captured packet bytes.
 *
 * Every read of packet bytes goes through one of these helpers. Each returns false, and leaves the
 * cursor where it was, when the bytes asked for are not all there; nothing ever reads past the
 * end of what was captured.
 */
#ifndef PS_RD_H
#define PS_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
    const uint8_t *p; /* next byte to read */
    size_t left;      /* bytes captured from p on */
};

static inline struct rd rd_make(const uint8_t *p, size_t len)
{
    struct rd r = {p, len};
    return r;
}

static inline bool rd_has(const struct rd *r, size_t n)
{
    return n <= r->left;
}

static inline bool rd_skip(struct rd *r, size_t n)
{
    if (n > r->left)
        return false;
    r->p += n;
    r->left -= n;
    return true;
}

/* Peek at byte `off` without moving. */
static inline bool rd_peek_u8(const struct rd *r, size_t off, uint8_t *v)
{
    if (off >= r->left)
        return false;
    *v = r->p[off];
    return true;
}

/* Peek at a big-endian 16-bit value at `off` without moving. */
static inline bool rd_peek_be16(const struct rd *r, size_t off, uint16_t *v)
{
    if (off > r->left || 2 > r->left - off)
        return false;
    *v = (uint16_t)((r->p[off] << 8) | r->p[off + 1]);
    return true;
}

static inline bool rd_peek_be32(const struct rd *r, size_t off, uint32_t *v)
{
    if (off > r->left || 4 > r->left - off)
        return false;
    *v = ((uint32_t)r->p[off] << 24) | ((uint32_t)r->p[off + 1] << 16) |
         ((uint32_t)r->p[off + 2] << 8) | (uint32_t)r->p[off + 3];
    return true;
}

static inline bool rd_peek_le32(const struct rd *r, size_t off, uint32_t *v)
{
    if (off > r->left || 4 > r->left - off)
        return false;
    *v = ((uint32_t)r->p[off + 3] << 24) | ((uint32_t)r->p[off + 2] << 16) |
         ((uint32_t)r->p[off + 1] << 8) | (uint32_t)r->p[off];
    return true;
}

/* Copy `n` bytes at `off` into `dst` without moving. */
static inline bool rd_peek_bytes(const struct rd *r, size_t off, void *dst, size_t n)
{
    if (off > r->left || n > r->left - off)
        return false;
    memcpy(dst, r->p + off, n);
    return true;
}

static inline bool rd_u8(struct rd *r, uint8_t *v)
{
    return rd_peek_u8(r, 0, v) && rd_skip(r, 1);
}

static inline bool rd_be16(struct rd *r, uint16_t *v)
{
    return rd_peek_be16(r, 0, v) && rd_skip(r, 2);
}

static inline bool rd_be32(struct rd *r, uint32_t *v)
{
    return rd_peek_be32(r, 0, v) && rd_skip(r, 4);
}

/* Shorten the cursor to at most `n` bytes: a header's length field bounds what follows it. */
static inline void rd_limit(struct rd *r, size_t n)
{
    if (n < r->left)
        r->left = n;
}

#endif
