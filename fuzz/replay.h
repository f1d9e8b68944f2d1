/*
 * replay.h - the plain replay program of a fuzz target: the main() that the
 * fuzz/fuzz_NAME.c files built without -DXSW_LIBFUZZER include, so that the
 * target runs as an ordinary program over the files named on its command
 * line. `make test` replays every corpus that way (tests/fuzz_replay.sh runs
 * $(B)/fuzz-replay/fuzz_NAME over fixtures/fuzz/NAME/), under the normal
 * build and under SANITIZE=1. Every target of fuzz/ uses it, whichever
 * fragment builds it (fuzz/fuzz.mk, lib/lib.mk, analyzer/analyzer.mk,
 * reference/vmbus/vmbus.mk), so the loop exists once.
 *
 * Each input is copied to a heap block of exactly its size, so that
 * AddressSanitizer sees any read past its end, as it would under libFuzzer.
 * Include this header once, after LLVMFuzzerTestOneInput, with
 * XSW_FUZZ_NAME defined to the target's name for messages.
 */
#ifndef XSW_FUZZ_REPLAY_H
#define XSW_FUZZ_REPLAY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef XSW_FUZZ_NAME
#error "define XSW_FUZZ_NAME before including fuzz/replay.h"
#endif

/* Read all of "path" into a heap block of its exact size (at least 1 byte). */
static uint8_t *xsw_fuzz_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "%s: %s\n", path, bad ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (exact)
        memcpy(exact, buf, n);
    else
        fprintf(stderr, "%s: out of memory\n", path);
    free(buf);
    *len = n;
    return exact;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        size_t n = 0;
        uint8_t *data = xsw_fuzz_read_file(argv[i], &n);
        if (!data)
            return 1;
        LLVMFuzzerTestOneInput(data, n);
        free(data);
    }
    printf("%s: %d input(s) replayed\n", XSW_FUZZ_NAME, argc - 1);
    return 0;
}

#endif
