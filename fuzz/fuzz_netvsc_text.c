/*
 * fuzz_netvsc_text.c - fuzz target for the netvsc tracepoint text reader
 * (analyzer/nvtext.c) and the guest NVSP rules it feeds (analyzer/nvsp.c),
 * and for the NVSP decoder of VMBUS records (xan_nvsp_from_vmbus): one input
 * is a piece of ftrace / trace-cmd / perf text, split into lines as
 * textrun.c does; the same bytes are also decoded as a VMBus packet in both
 * directions.
 *
 * Built two ways (analyzer/analyzer.mk):
 *  - with clang -fsanitize=fuzzer,address,undefined -DXSW_LIBFUZZER as a
 *    libFuzzer target (make fuzz-netvsc; make fuzz-netvsc-run runs it);
 *  - with any compiler as a replay program over the files named on the
 *    command line (fuzz/replay.h), so that `make test` replays the seed corpus and every
 *    saved crash input (fixtures/fuzz/netvsc_text/) through
 *    tests/fuzz_replay.sh, under the normal build and under SANITIZE=1.
 *
 * Besides not crashing, the target checks the reader's promises: a parsed
 * event has a NUL-terminated, non-empty device name; a rejected netvsc event
 * comes with a message and a column inside the line (or just past it); and
 * the rule engine's summaries can be printed for whatever it was fed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

static FILE *sink;

static void on_violation(void *arg, const struct xan_viol *v)
{
    (void)arg;
    if (!v->rule || !v->expected || !v->actual || !v->object) {
        fprintf(stderr, "fuzz_netvsc_text: violation with a missing string\n");
        abort();
    }
}

static void check_line(const char *s, size_t n, uint64_t lineno, struct xan_nvsp *nv)
{
    struct xan_nv_event ev;
    size_t col = 0;
    char msg[200];
    msg[0] = 0;
    int rc = xan_nvtext_parse(s, n, lineno, &ev, &col, msg, sizeof msg);
    if (rc < 0) {
        if (!msg[0] || col < 1 || col > n + 1) {
            fprintf(stderr, "fuzz_netvsc_text: rejection without a place (col %zu of %zu): \"%s\"\n", col, n, msg);
            abort();
        }
        return;
    }
    if (rc == 0)
        return;
    if (rc != 1 || !memchr(ev.dev, 0, sizeof ev.dev) || !ev.dev[0] || ev.frame != lineno) {
        fprintf(stderr, "fuzz_netvsc_text: bad event (rc %d)\n", rc);
        abort();
    }
    xan_nvsp_feed(nv, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sink)
        sink = fopen("/dev/null", "w");
    struct xan_nvsp *nv = xan_nvsp_new("line", on_violation, NULL);
    if (!nv)
        return 0;
    (void)xan_nvtext_sniff(data, size);
    /* Lines as textrun.c splits them (a NUL byte skips the line, CR is trimmed). */
    const char *s = (const char *)data;
    size_t start = 0;
    uint64_t lineno = 0;
    while (start <= size) {
        const char *nl = start < size ? memchr(s + start, '\n', size - start) : NULL;
        size_t len = nl ? (size_t)(nl - (s + start)) : size - start;
        if (!nl && len == 0)
            break;
        lineno++;
        if (!memchr(s + start, 0, len)) {
            size_t l = len && s[start + len - 1] == '\r' ? len - 1 : len;
            /* A heap copy of the exact length, so ASan sees any read past the line. */
            char *line = malloc(l ? l : 1);
            if (line) {
                memcpy(line, s + start, l);
                check_line(line, l, lineno, nv);
                free(line);
            }
        }
        start += len + 1;
    }
    xan_nvsp_finish(nv, lineno);
    if (sink) {
        xan_nvsp_print(nv, sink);
        xan_nvsp_json(nv, sink);
    }
    for (unsigned i = 0; i < XNR__N; i++) {
        struct xan_rule r;
        xan_nvsp_rule(nv, i, &r);
        if (r.violated > r.evaluated) {
            fprintf(stderr, "fuzz_netvsc_text: rule %s violated more often than evaluated\n", r.id);
            abort();
        }
    }
    xan_nvsp_free(nv);

    /* The same bytes as a VMBus packet of a VMBUS record. */
    for (uint8_t dir = 0; dir < 2; dir++) {
        struct xan_nv_event ev;
        int rc = xan_nvsp_from_vmbus(data, size, dir, &ev);
        if (rc < -1 || rc > 1) {
            fprintf(stderr, "fuzz_netvsc_text: xan_nvsp_from_vmbus returned %d\n", rc);
            abort();
        }
    }
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_netvsc_text"
#include "replay.h"
#endif
