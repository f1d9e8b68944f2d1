/*
 * records.h - the input format of the fuzz targets that consume a stream of
 * xsw records (fuzz_checker.c, fuzz_analyzer_stats.c): a sequence of
 *   u32 LE length, then that many bytes of one xsw record
 * (include/xsw/trace.h, without the exported-PDU tags), as the trace reader
 * hands records to the checker and the analyzer. A length past the end of
 * the input is clamped to what is left. Each record is decoded with
 * xsw_rec_decode; one that does not decode is skipped, as the analyzer
 * skips a bad frame, but still counts as a frame.
 *
 * Every record is copied to a heap block of exactly its length before it is
 * decoded, so that AddressSanitizer catches a consumer that reads past the
 * record it was given (into the next one, in the input) or keeps a pointer
 * into it after the call.
 *
 * The seeds (fixtures/fuzz/checker/ and fixtures/fuzz/analyzer_stats/) are
 * windows of records from the traces xsw-suite writes for the reference and
 * the deliberately broken extensions.
 */
#ifndef XSW_FUZZ_RECORDS_H
#define XSW_FUZZ_RECORDS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/trace.h"

/* Called for every record that decodes; "frame" counts every record from 1. */
typedef void (*xsw_fuzz_rec_fn)(void *arg, const struct xsw_rec *r, uint64_t frame);

/* Returns the number of records in the input (decoded or not). */
static uint64_t xsw_fuzz_records(const uint8_t *data, size_t size, xsw_fuzz_rec_fn fn, void *arg)
{
    size_t off = 0;
    uint64_t frame = 0;
    while (size - off >= 4) {
        uint32_t n = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8 | (uint32_t)data[off + 2] << 16 |
                     (uint32_t)data[off + 3] << 24;
        off += 4;
        if (n > size - off)
            n = (uint32_t)(size - off);
        uint8_t *copy = malloc(n ? n : 1);
        if (!copy)
            break;
        memcpy(copy, data + off, n);
        off += n;
        frame++;
        struct xsw_rec r;
        char err[XSW_ERRBUF_SIZE];
        if (xsw_rec_decode(copy, n, &r, err, sizeof err) == 0)
            fn(arg, &r, frame);
        free(copy);
    }
    return frame;
}

#endif
