/*
 * fuzz_analyzer_stats.c - fuzz target for what xsw-analyze decodes from
 * records itself, besides the checker: the summary statistics of
 * analyzer/stats.c, which read META "key=value" lines (scenario, version,
 * extension names and classes), ReportFilteredNetBufferLists reasons
 * (HANDLER_CALL text), NBL destination lists, OID request/completion pairs,
 * FILTER_STATE and FINDING records, and the NVSP message inside VMBUS
 * records (xan_nvsp_from_vmbus, fuzzed on its own by fuzz_netvsc_text.c).
 * One input is a stream of xsw records (fuzz/records.h); the summary is then
 * printed as text and as JSON, as `xsw-analyze --json` does.
 *
 * Built two ways (fuzz/fuzz.mk): as a libFuzzer target with clang
 * -DXSW_LIBFUZZER, and as a replay program (fuzz/replay.h) that `make test`
 * runs over fixtures/fuzz/analyzer_stats/ through tests/fuzz_replay.sh.
 *
 * Besides not crashing, the target checks that every record fed is counted
 * and that the JSON summary is one balanced object with valid string
 * escapes (the bytes of META values and drop reasons are hostile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "records.h"

static void die(const char *msg)
{
    fprintf(stderr, "fuzz_analyzer_stats: %s\n", msg);
    abort();
}

static void feed(void *arg, const struct xsw_rec *r, uint64_t frame)
{
    xan_stats_feed(arg, r, frame, 1767225600000000000ull + frame * 1000u, NULL, 0);
}

/* Braces and brackets outside strings balance; strings hold no raw control bytes. */
static void check_json(const char *s, size_t n)
{
    long depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (in_str) {
            if (ch < 0x20)
                die("raw control byte inside a JSON string");
            if (ch == '\\') {
                if (i + 1 >= n || !strchr("\"\\/bfnrtu", s[i + 1]))
                    die("invalid escape in a JSON string");
                i++;
            } else if (ch == '"') {
                in_str = 0;
            }
            continue;
        }
        if (ch == '"')
            in_str = 1;
        else if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && --depth < 0)
            die("unbalanced JSON");
    }
    if (in_str || depth != 0)
        die("unterminated JSON");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xan_stats *s = xan_stats_new();
    if (!s)
        return 0;
    uint64_t frames = xsw_fuzz_records(data, size, feed, s);
    if (xan_stats_records(s) > frames)
        die("more records counted than fed");
    char *text = NULL, *json = NULL;
    size_t tlen = 0, jlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    if (f) {
        xan_stats_print(s, f);
        fclose(f);
    }
    f = open_memstream(&json, &jlen);
    if (f) {
        xan_stats_json(s, f);
        fclose(f);
        if (json)
            check_json(json, jlen);
    }
    free(text);
    free(json);
    xan_stats_free(s);
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_analyzer_stats"
#include "replay.h"
#endif
