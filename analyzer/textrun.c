/*
 * textrun.c - analysis of Linux netvsc tracepoint text (ftrace "trace" file,
 * trace-cmd report, perf script; parsed by nvtext.c) with the built-in guest
 * NVSP rules (nvsp.c). Lines are read in a fixed buffer, so a text trace of
 * any length runs in constant memory; a line longer than XAN_LINE_MAX bytes
 * or holding a NUL byte is reported with its line number and skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"

struct trun {
    const struct xan_options *o;
    struct xan_trace *t;
};

static void on_violation(void *arg, const struct xan_viol *v)
{
    struct trun *r = arg;
    if (!xan_rule_selected(r->o, v->rule))
        return;
    if (xan_add_violation(r->t, v))
        xan_error(r->t, "%s line %llu: out of memory for a violation", r->t->path, (unsigned long long)v->frame);
}

static void line(struct trun *r, const char *s, size_t n, uint64_t lineno)
{
    struct xan_trace *t = r->t;
    const char *nul = memchr(s, 0, n);
    if (nul) {
        t->bad_records++;
        xan_error(t, "%s line %" PRIu64 " col %zu: NUL byte in a text trace; line skipped", t->path, lineno,
                  (size_t)(nul - s) + 1);
        return;
    }
    if (n && s[n - 1] == '\r')
        n--;
    struct xan_nv_event ev;
    size_t col;
    char msg[200];
    int rc = xan_nvtext_parse(s, n, lineno, &ev, &col, msg, sizeof msg);
    if (rc < 0) {
        t->bad_records++;
        xan_error(t, "%s line %" PRIu64 " col %zu: %s; event skipped", t->path, lineno, col, msg);
        return;
    }
    if (rc == 0)
        return;
    t->records++;
    xan_nvsp_feed(t->nvsp, &ev);
}

int xan_run_text(const struct xan_options *o, struct xan_trace *t)
{
    struct trun r = {o, t};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    t->format = XAN_FMT_NETVSC_TEXT;
    t->nvsp = xan_nvsp_new("line", on_violation, &r);
    char *buf = malloc(XAN_LINE_MAX + 1);
    if (!t->nvsp || !buf) {
        free(buf);
        xan_error(t, "%s: out of memory", t->path);
        return XSW_ENOMEM;
    }
    FILE *f = fopen(t->path, "rb");
    if (!f) {
        free(buf);
        xan_error(t, "%s: cannot open: %s", t->path, strerror(errno));
        goto rules;
    }
    t->opened = 1;
    size_t have = 0;     /* bytes in buf */
    int skipping = 0;    /* inside a line that was too long */
    uint64_t lineno = 0;
    for (;;) {
        size_t got = fread(buf + have, 1, XAN_LINE_MAX - have, f);
        have += got;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', have - start);
            if (!nl)
                break;
            size_t len = (size_t)(nl - (buf + start));
            if (skipping) {
                skipping = 0; /* the end of a line already reported as too long */
            } else {
                lineno++;
                line(&r, buf + start, len, lineno);
            }
            start += len + 1;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (got == 0) {
            if (ferror(f)) {
                xan_error(t, "%s line %" PRIu64 ": read error: %s", t->path, lineno + 1, strerror(errno));
                break;
            }
            /* The last line may lack its newline. */
            if (have && !skipping) {
                lineno++;
                line(&r, buf, have, lineno);
            }
            t->complete = 1;
            break;
        }
        if (have == XAN_LINE_MAX) {
            /* No newline in a full buffer: report the line once and drop it up to its end. */
            if (!skipping) {
                lineno++;
                t->bad_records++;
                xan_error(t, "%s line %" PRIu64 " col 1: line longer than %d bytes; skipped", t->path, lineno,
                          XAN_LINE_MAX);
            }
            skipping = 1;
            have = 0;
        }
    }
    fclose(f);
    free(buf);
    t->units = lineno;
    xan_nvsp_finish(t->nvsp, lineno);
rules:
    t->rules = calloc(XNR__N + 1, sizeof *t->rules);
    for (unsigned i = 0; t->rules && i < XNR__N; i++) {
        struct xan_rule k;
        xan_nvsp_rule(t->nvsp, i, &k);
        if (xan_rule_selected(o, k.id))
            t->rules[t->nrules++] = k;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    t->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return t->complete ? 0 : XSW_EIO;
}
