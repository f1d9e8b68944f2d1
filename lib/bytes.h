/*
 * bytes.h - bounds-checked byte cursor for every xsw decoder.
 *
 * Captured and loaded bytes (trace records, NVSP and RNDIS messages, NDIS
 * structures in OID information buffers) are hostile input: a decoder must
 * never read past what was captured and must never cast a struct over the
 * bytes (project style, practice 2; the model is tcpdump's extract.h). Every
 * read therefore goes through a cursor { buf, len, off } whose accessors
 * check the length first and report a short read instead of performing it.
 *
 * Conventions:
 *  - xsw_cur_<type>() reads at the cursor and advances it; xsw_cur_peek_<type>()
 *    reads at cursor + "rel" without moving; xsw_get_<type>() reads at an
 *    absolute offset of a plain (buf, len) pair.
 *  - Names without "be" are little-endian (the xsw record format, NVSP, RNDIS
 *    and NDIS are all little-endian); xsw_cur_be16/be32 serve the few
 *    big-endian fields (pcap exported-PDU tags, network headers).
 *  - Every accessor returns 0 on success or -1 when the bytes are not there.
 *    On failure the output is set to 0, the cursor does not move, and the
 *    cursor remembers the failure: c->err becomes 1 and c->err_off the
 *    offset of the first short read. A decoder can therefore read a run of
 *    fields and test c->err once, and still name the place that failed.
 *  - The invariant off <= len holds at all times, so "len - off" never wraps.
 *
 * Everything is static inline: decoders run over millions of records.
 */
#ifndef XSW_BYTES_H
#define XSW_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct xsw_cur {
    const uint8_t *buf; /* first byte of the decoded object */
    size_t len;         /* bytes available at buf */
    size_t off;         /* next byte to read, 0 <= off <= len */
    int err;            /* set once any read came up short */
    size_t err_off;     /* offset of the first short read */
};

/* Unchecked loads for callers that already proved the bytes are there. */
static inline uint16_t xsw_ld_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t xsw_ld_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t xsw_ld_le64(const uint8_t *p)
{
    return (uint64_t)xsw_ld_le32(p) | (uint64_t)xsw_ld_le32(p + 4) << 32;
}

static inline uint16_t xsw_ld_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t xsw_ld_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Unchecked stores, the writer-side mirror of the loads above. */
static inline void xsw_st_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void xsw_st_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void xsw_st_le64(uint8_t *p, uint64_t v)
{
    xsw_st_le32(p, (uint32_t)v);
    xsw_st_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void xsw_st_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Start a cursor over "len" bytes at "buf" (buf may be NULL when len is 0). */
static inline void xsw_cur_init(struct xsw_cur *c, const void *buf, size_t len)
{
    c->buf = (const uint8_t *)buf;
    c->len = len;
    c->off = 0;
    c->err = 0;
    c->err_off = 0;
}

/* Bytes left after the cursor. */
static inline size_t xsw_cur_left(const struct xsw_cur *c)
{
    return c->len - c->off;
}

/* Whether "n" bytes starting "rel" bytes after the cursor are available. */
static inline int xsw_cur_has(const struct xsw_cur *c, size_t rel, size_t n)
{
    size_t left = c->len - c->off;
    return rel <= left && n <= left - rel;
}

/*
 * Record a short read of "n" bytes at cursor + "rel". Only the first failure
 * is kept: it is the one that names the field the decoder could not read.
 */
static inline int xsw_cur_fail(struct xsw_cur *c, size_t rel)
{
    if (!c->err) {
        c->err = 1;
        c->err_off = c->off + rel;
    }
    return -1;
}

/* Fixed-size peeks at cursor + "rel"; the cursor does not move. */
static inline int xsw_cur_peek_u8(struct xsw_cur *c, size_t rel, uint8_t *v)
{
    if (!xsw_cur_has(c, rel, 1)) {
        *v = 0;
        return xsw_cur_fail(c, rel);
    }
    *v = c->buf[c->off + rel];
    return 0;
}

static inline int xsw_cur_peek_u16(struct xsw_cur *c, size_t rel, uint16_t *v)
{
    if (!xsw_cur_has(c, rel, 2)) {
        *v = 0;
        return xsw_cur_fail(c, rel);
    }
    *v = xsw_ld_le16(c->buf + c->off + rel);
    return 0;
}

static inline int xsw_cur_peek_u32(struct xsw_cur *c, size_t rel, uint32_t *v)
{
    if (!xsw_cur_has(c, rel, 4)) {
        *v = 0;
        return xsw_cur_fail(c, rel);
    }
    *v = xsw_ld_le32(c->buf + c->off + rel);
    return 0;
}

static inline int xsw_cur_peek_u64(struct xsw_cur *c, size_t rel, uint64_t *v)
{
    if (!xsw_cur_has(c, rel, 8)) {
        *v = 0;
        return xsw_cur_fail(c, rel);
    }
    *v = xsw_ld_le64(c->buf + c->off + rel);
    return 0;
}

static inline int xsw_cur_peek_be16(struct xsw_cur *c, size_t rel, uint16_t *v)
{
    if (!xsw_cur_has(c, rel, 2)) {
        *v = 0;
        return xsw_cur_fail(c, rel);
    }
    *v = xsw_ld_be16(c->buf + c->off + rel);
    return 0;
}

static inline int xsw_cur_peek_be32(struct xsw_cur *c, size_t rel, uint32_t *v)
{
    if (!xsw_cur_has(c, rel, 4)) {
        *v = 0;
        return xsw_cur_fail(c, rel);
    }
    *v = xsw_ld_be32(c->buf + c->off + rel);
    return 0;
}

/* Reads at the cursor that advance it on success. */
static inline int xsw_cur_u8(struct xsw_cur *c, uint8_t *v)
{
    if (xsw_cur_peek_u8(c, 0, v))
        return -1;
    c->off += 1;
    return 0;
}

static inline int xsw_cur_u16(struct xsw_cur *c, uint16_t *v)
{
    if (xsw_cur_peek_u16(c, 0, v))
        return -1;
    c->off += 2;
    return 0;
}

static inline int xsw_cur_u32(struct xsw_cur *c, uint32_t *v)
{
    if (xsw_cur_peek_u32(c, 0, v))
        return -1;
    c->off += 4;
    return 0;
}

static inline int xsw_cur_u64(struct xsw_cur *c, uint64_t *v)
{
    if (xsw_cur_peek_u64(c, 0, v))
        return -1;
    c->off += 8;
    return 0;
}

static inline int xsw_cur_be16(struct xsw_cur *c, uint16_t *v)
{
    if (xsw_cur_peek_be16(c, 0, v))
        return -1;
    c->off += 2;
    return 0;
}

static inline int xsw_cur_be32(struct xsw_cur *c, uint32_t *v)
{
    if (xsw_cur_peek_be32(c, 0, v))
        return -1;
    c->off += 4;
    return 0;
}

/* Skip "n" bytes (padding, reserved fields, parts decoded elsewhere). */
static inline int xsw_cur_skip(struct xsw_cur *c, size_t n)
{
    if (!xsw_cur_has(c, 0, n))
        return xsw_cur_fail(c, 0);
    c->off += n;
    return 0;
}

/*
 * Take "n" bytes as a pointer into the buffer and advance past them. The
 * pointer is only valid as long as the buffer is; it is NULL on failure.
 */
static inline int xsw_cur_bytes(struct xsw_cur *c, size_t n, const uint8_t **p)
{
    if (!xsw_cur_has(c, 0, n)) {
        *p = NULL;
        return xsw_cur_fail(c, 0);
    }
    *p = c->buf + c->off;
    c->off += n;
    return 0;
}

/* Copy "n" bytes out and advance; "dst" is zeroed on failure. */
static inline int xsw_cur_copy(struct xsw_cur *c, void *dst, size_t n)
{
    if (!xsw_cur_has(c, 0, n)) {
        memset(dst, 0, n);
        return xsw_cur_fail(c, 0);
    }
    memcpy(dst, c->buf + c->off, n);
    c->off += n;
    return 0;
}

/*
 * Split off the next "n" bytes as a cursor of their own (a nested structure
 * whose length field was read from the parent) and advance the parent past
 * them. Offsets in "sub" count from its own start. On failure "sub" is an
 * empty cursor and the parent records the short read.
 */
static inline int xsw_cur_sub(struct xsw_cur *c, size_t n, struct xsw_cur *sub)
{
    const uint8_t *p;
    if (xsw_cur_bytes(c, n, &p)) {
        xsw_cur_init(sub, NULL, 0);
        return -1;
    }
    xsw_cur_init(sub, p, n);
    return 0;
}

/* Reads at an absolute offset of a plain (buf, len) pair, without a cursor. */
static inline int xsw_get_u8(const uint8_t *buf, size_t len, size_t off, uint8_t *v)
{
    if (off >= len) {
        *v = 0;
        return -1;
    }
    *v = buf[off];
    return 0;
}

static inline int xsw_get_u16(const uint8_t *buf, size_t len, size_t off, uint16_t *v)
{
    if (off > len || len - off < 2) {
        *v = 0;
        return -1;
    }
    *v = xsw_ld_le16(buf + off);
    return 0;
}

static inline int xsw_get_u32(const uint8_t *buf, size_t len, size_t off, uint32_t *v)
{
    if (off > len || len - off < 4) {
        *v = 0;
        return -1;
    }
    *v = xsw_ld_le32(buf + off);
    return 0;
}

static inline int xsw_get_u64(const uint8_t *buf, size_t len, size_t off, uint64_t *v)
{
    if (off > len || len - off < 8) {
        *v = 0;
        return -1;
    }
    *v = xsw_ld_le64(buf + off);
    return 0;
}

#endif
