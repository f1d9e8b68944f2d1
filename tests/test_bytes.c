/*
 * test_bytes.c - unit tests of the bounds-checked cursor (lib/bytes.h) that
 * every decoder reads captured bytes through: byte order, short reads that
 * fail without moving, the sticky first-failure offset, sub-cursors.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../lib/bytes.h"

XSW_SUITE(bytes, NULL, NULL)

static const uint8_t sample[15] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F };

XSW_TEST(bytes, little_and_big_endian)
{
    struct xsw_cur c;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    xsw_cur_init(&c, sample, sizeof sample);
    CU_ASSERT_EQUAL(xsw_cur_u8(&c, &v8), 0);
    CU_ASSERT_EQUAL(v8, 0x01);
    CU_ASSERT_EQUAL(xsw_cur_u16(&c, &v16), 0);
    CU_ASSERT_EQUAL(v16, 0x0302);
    CU_ASSERT_EQUAL(xsw_cur_u32(&c, &v32), 0);
    CU_ASSERT_EQUAL(v32, 0x07060504u);
    CU_ASSERT_EQUAL(xsw_cur_u64(&c, &v64), 0);
    CU_ASSERT_EQUAL(v64, 0x0F0E0D0C0B0A0908ull);
    CU_ASSERT_EQUAL(c.off, 15);
    CU_ASSERT_EQUAL(xsw_cur_left(&c), 0);
    CU_ASSERT_FALSE(c.err);

    xsw_cur_init(&c, sample, sizeof sample);
    CU_ASSERT_EQUAL(xsw_cur_be16(&c, &v16), 0);
    CU_ASSERT_EQUAL(v16, 0x0102);
    CU_ASSERT_EQUAL(xsw_cur_be32(&c, &v32), 0);
    CU_ASSERT_EQUAL(v32, 0x03040506u);
    CU_ASSERT_EQUAL(xsw_cur_peek_u16(&c, 1, &v16), 0);
    CU_ASSERT_EQUAL(v16, 0x0908);
    CU_ASSERT_EQUAL(xsw_cur_peek_be16(&c, 1, &v16), 0);
    CU_ASSERT_EQUAL(v16, 0x0809);
    CU_ASSERT_EQUAL(c.off, 6);
}

XSW_TEST(bytes, short_reads_fail_in_place)
{
    struct xsw_cur c;
    uint32_t v32 = 0xAAAA;
    uint64_t v64 = 0xAAAA;
    uint8_t v8;
    xsw_cur_init(&c, sample, 6);
    CU_ASSERT_EQUAL(xsw_cur_u16(&c, &(uint16_t){ 0 }), 0);
    CU_ASSERT_EQUAL(xsw_cur_u64(&c, &v64), -1);
    CU_ASSERT_EQUAL(v64, 0);
    CU_ASSERT_EQUAL(c.off, 2);
    CU_ASSERT(c.err);
    CU_ASSERT_EQUAL(c.err_off, 2);
    /* The cursor still reads what is there, and keeps the first failure. */
    CU_ASSERT_EQUAL(xsw_cur_u32(&c, &v32), 0);
    CU_ASSERT_EQUAL(v32, 0x06050403u);
    CU_ASSERT_EQUAL(xsw_cur_u8(&c, &v8), -1);
    CU_ASSERT_EQUAL(c.err_off, 2);
    CU_ASSERT_EQUAL(xsw_cur_peek_u32(&c, (size_t)-1, &v32), -1);
    CU_ASSERT_EQUAL(xsw_cur_skip(&c, 1), -1);
    CU_ASSERT_EQUAL(c.off, 6);

    /* Huge offsets and lengths must not wrap. */
    xsw_cur_init(&c, sample, sizeof sample);
    const uint8_t *p = sample;
    CU_ASSERT_EQUAL(xsw_cur_bytes(&c, (size_t)-1, &p), -1);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(xsw_cur_peek_u16(&c, (size_t)-1, &(uint16_t){ 0 }), -1);
    CU_ASSERT_EQUAL(xsw_cur_peek_u8(&c, 15, &v8), -1);
    CU_ASSERT_EQUAL(xsw_cur_peek_u8(&c, 14, &v8), 0);
    CU_ASSERT_EQUAL(v8, 0x0F);

    /* An empty cursor over NULL. */
    xsw_cur_init(&c, NULL, 0);
    CU_ASSERT_EQUAL(xsw_cur_u8(&c, &v8), -1);
    CU_ASSERT_EQUAL(xsw_cur_skip(&c, 0), 0);
    CU_ASSERT_EQUAL(xsw_cur_bytes(&c, 0, &p), 0);
}

XSW_TEST(bytes, sub_cursor_and_copy)
{
    struct xsw_cur c, sub;
    uint8_t out[4];
    uint16_t v16;
    xsw_cur_init(&c, sample, sizeof sample);
    CU_ASSERT_EQUAL(xsw_cur_skip(&c, 3), 0);
    CU_ASSERT_EQUAL(xsw_cur_sub(&c, 4, &sub), 0);
    CU_ASSERT_EQUAL(c.off, 7);
    CU_ASSERT_EQUAL(sub.len, 4);
    CU_ASSERT_EQUAL(xsw_cur_u16(&sub, &v16), 0);
    CU_ASSERT_EQUAL(v16, 0x0504);
    CU_ASSERT_EQUAL(xsw_cur_u32(&sub, &(uint32_t){ 0 }), -1);
    CU_ASSERT_EQUAL(sub.err_off, 2);
    CU_ASSERT_FALSE(c.err);
    CU_ASSERT_EQUAL(xsw_cur_sub(&c, 9, &sub), -1);
    CU_ASSERT_EQUAL(sub.len, 0);
    CU_ASSERT_EQUAL(c.err_off, 7);

    xsw_cur_init(&c, sample, 5);
    CU_ASSERT_EQUAL(xsw_cur_copy(&c, out, 4), 0);
    CU_ASSERT(memcmp(out, sample, 4) == 0);
    CU_ASSERT_EQUAL(xsw_cur_copy(&c, out, 4), -1);
    CU_ASSERT_EQUAL(out[0], 0);
}

XSW_TEST(bytes, absolute_gets)
{
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    uint8_t v8;
    CU_ASSERT_EQUAL(xsw_get_u32(sample, sizeof sample, 11, &v32), 0);
    CU_ASSERT_EQUAL(v32, 0x0F0E0D0Cu);
    CU_ASSERT_EQUAL(xsw_get_u32(sample, sizeof sample, 12, &v32), -1);
    CU_ASSERT_EQUAL(xsw_get_u64(sample, sizeof sample, 7, &v64), 0);
    CU_ASSERT_EQUAL(xsw_get_u64(sample, sizeof sample, 8, &v64), -1);
    CU_ASSERT_EQUAL(xsw_get_u16(sample, sizeof sample, 13, &v16), 0);
    CU_ASSERT_EQUAL(xsw_get_u16(sample, sizeof sample, (size_t)-1, &v16), -1);
    CU_ASSERT_EQUAL(xsw_get_u8(sample, sizeof sample, 15, &v8), -1);

    uint8_t buf[8];
    xsw_st_le64(buf, 0x0102030405060708ull);
    CU_ASSERT_EQUAL(buf[0], 8);
    CU_ASSERT_EQUAL(xsw_ld_le64(buf), 0x0102030405060708ull);
    xsw_st_be16(buf, 0x0A0B);
    CU_ASSERT_EQUAL(buf[0], 0x0A);
    CU_ASSERT_EQUAL(xsw_ld_be16(buf), 0x0A0B);
}
