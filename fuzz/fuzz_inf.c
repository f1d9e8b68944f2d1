/*
 * fuzz_inf.c - fuzz target for the INF reader of xsw-suite (suite/inf.c),
 * which reads a vendor's INF file (--inf) for its FilterClass and
 * FilterMediaTypes: sections, ';' comments, '\' continuations, quoted
 * fields with "" escapes, UTF-8 and UTF-16LE byte order marks
 * (learn.microsoft.com: general-syntax-rules-for-inf-files). One input is
 * one INF file.
 *
 * The reader takes a path, so each input is written to a temporary file
 * first (created once per process under $TMPDIR, removed at exit).
 *
 * Built two ways (fuzz/fuzz.mk): as a libFuzzer target with clang
 * -DXSW_LIBFUZZER, and as a replay program (fuzz/replay.h) that `make test`
 * runs over fixtures/fuzz/inf/ through tests/fuzz_replay.sh.
 *
 * Besides not crashing, the target checks the reader's promises: a success
 * gives a NUL-terminated class within the caller's buffer and sets the
 * media flag, a failure comes with a message that starts with the file name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inf.h"

static char path[4096];

static void cleanup(void)
{
    if (path[0])
        unlink(path);
}

/* Write "data" to the temporary file; returns 0 or -1. */
static int put_file(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/xsw-fuzz-inf-XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0) {
            path[0] = 0;
            return -1;
        }
        close(fd);
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = size ? fwrite(data, 1, size, f) : 0;
    return fclose(f) == 0 && w == size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (put_file(data, size))
        return 0;
    char cls[64], err[2048];
    int media = -1;
    memset(cls, 0x55, sizeof cls);
    err[0] = 0;
    int rc = xsw_inf_read_class(path, cls, sizeof cls, &media, err, sizeof err);
    if (rc == 0) {
        if (!memchr(cls, 0, sizeof cls) || (media != 0 && media != 1)) {
            fprintf(stderr, "fuzz_inf: success without a terminated class or a media flag\n");
            abort();
        }
    } else if (rc != -1 || strncmp(err, path, strlen(path)) != 0 || err[strlen(path)] != ':') {
        fprintf(stderr, "fuzz_inf: failure %d without the file name: \"%s\"\n", rc, err);
        abort();
    }
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_inf"
#include "replay.h"
#endif
