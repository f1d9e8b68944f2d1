/* sha256.h - SHA-256 (FIPS 180-4) for the certification record's file digests. */
#ifndef XSW_SHA256_H
#define XSW_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct xsw_sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t fill;
};

void xsw_sha256_init(struct xsw_sha256 *s);
void xsw_sha256_update(struct xsw_sha256 *s, const void *data, size_t n);
void xsw_sha256_final(struct xsw_sha256 *s, uint8_t out[32]);
/* Hex digest of a whole file into hex[65]; returns 0 or -1 if it cannot be read. */
int xsw_sha256_file(const char *path, char hex[65]);

#endif
