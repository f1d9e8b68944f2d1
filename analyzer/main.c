/*
 * main.c - xsw-analyze, the offline streaming trace analyzer (docs/analyzer.md).
 *
 *   xsw-analyze [--spec DIR] [--rule ID]... [--class N=capture|filter|forward]...
 *               [--json FILE] [--junit FILE] [--annotate OUT.pcap]
 *               [--max-violations N] [--strict] [-q] TRACE...
 *   xsw-analyze --list-rules [--spec DIR]
 *
 * Each TRACE is an xsw trace (pcap or pcapng, link type 252) or Linux
 * hv_netvsc tracepoint text (ftrace, trace-cmd report, perf script); the
 * format is recognized from the content. xsw traces are checked against the
 * suite's YAML specs with the same checker engine xsw-suite runs online
 * (include/xsw/check.h) and against the built-in guest NVSP rules for the
 * VMBus packets they carry; netvsc text against the guest NVSP rules.
 *
 * Exit status: 0 clean (no MUST violation, and no SHOULD one with --strict),
 * 1 violations, 2 usage or input error (an input that could not be read,
 * was not read to its end, or had frames that did not decode) - the
 * summary is printed in every case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "xsw/version.h"

#ifndef XSW_DEFAULT_SPEC_DIR
#define XSW_DEFAULT_SPEC_DIR "suite/specs"
#endif

#define MAX_RULE_FILTER 256

static void usage(FILE *f)
{
    fputs("usage: xsw-analyze [options] TRACE...\n"
          "       xsw-analyze --list-rules [--spec DIR]\n"
          "  TRACE                 xsw trace (pcap or pcapng, link type 252) or Linux netvsc\n"
          "                        tracepoint text (ftrace, trace-cmd report, perf script)\n"
          "  --spec DIR            rule specs (default $XSW_SPEC_DIR, else " XSW_DEFAULT_SPEC_DIR ")\n"
          "  --rule ID             check only this rule (repeatable)\n"
          "  --class N=CLASS       class of extension N (capture, filter or forward), overriding META\n"
          "  --json FILE           write the analysis as JSON\n"
          "  --junit FILE          write JUnit XML (one test case per rule)\n"
          "  --annotate OUT.pcap   copy of the (one) xsw trace with VERDICT records after judged frames\n"
          "  --max-violations N    violations listed with their text (default 1000; all are counted)\n"
          "  --strict              SHOULD violations fail as well\n"
          "  --no-check            summary only: do not load or evaluate the spec rules\n"
          "  -q, --quiet           one result line per input instead of the summary\n"
          "  --version, --help\n"
          "exit status: 0 clean, 1 violations, 2 usage or input error\n",
          f);
}

static int parse_class(const char *v, struct xan_options *o)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (end == v || *end != '=' || n >= XSW_CHECK_MAX_DEPTH)
        return -1;
    const char *c = end + 1;
    uint8_t cls;
    if (strcmp(c, "capture") == 0)
        cls = 1;
    else if (strcmp(c, "filter") == 0)
        cls = 2;
    else if (strcmp(c, "forward") == 0)
        cls = 3;
    else
        return -1;
    o->class_set[n] = 1;
    o->class_of[n] = cls;
    return 0;
}

static int builtin_rule(const char *id)
{
    static const char *const ids[] = {
#define XAN_NVSP_RULE(e, id, level, text, source) id,
#include "nvsp_rules.def"
#undef XAN_NVSP_RULE
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

static struct xsw_spec *load_spec(const char *dir)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    if (!s) {
        fprintf(stderr, "xsw-analyze: out of memory\n");
        return NULL;
    }
    if (xsw_spec_load_dir(s, dir, err, sizeof err)) {
        fprintf(stderr, "xsw-analyze: %s\n", err);
        xsw_spec_free(s);
        return NULL;
    }
    if (!xsw_spec_rule_count(s)) {
        fprintf(stderr, "xsw-analyze: %s: no rules (expected *.yaml spec files)\n", dir);
        xsw_spec_free(s);
        return NULL;
    }
    return s;
}

static int list_rules(const char *dir)
{
    struct xsw_spec *s = load_spec(dir);
    if (!s)
        return 2;
    printf("Rules from %s (%zu):\n", dir, xsw_spec_rule_count(s));
    for (size_t i = 0; i < xsw_spec_rule_count(s); i++) {
        const struct xsw_rule_info *r = xsw_spec_rule(s, i);
        printf("  %-14s %-6s %s\n", r->id, r->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD", r->text);
    }
    xsw_spec_free(s);
    struct xan_nvsp *n = xan_nvsp_new("line", NULL, NULL);
    if (!n)
        return 2;
    printf("Built-in guest NVSP rules (%d):\n", XNR__N);
    for (unsigned i = 0; i < XNR__N; i++) {
        struct xan_rule r;
        xan_nvsp_rule(n, i, &r);
        printf("  %-14s %-6s %s\n", r.id, r.level == XSW_LEVEL_MUST ? "MUST" : "SHOULD", r.text);
    }
    xan_nvsp_free(n);
    return 0;
}

int main(int argc, char **argv)
{
    struct xan_options o;
    memset(&o, 0, sizeof o);
    o.max_detail = XAN_DEFAULT_MAX_DETAIL;
    o.spec_dir = getenv("XSW_SPEC_DIR") && *getenv("XSW_SPEC_DIR") ? getenv("XSW_SPEC_DIR") : XSW_DEFAULT_SPEC_DIR;
    static const char *rule_ids[MAX_RULE_FILTER];
    const char *json = NULL, *junit = NULL;
    /* The inputs are gathered at the front of argv (never past what was read). */
    const char **inputs = (const char **)argv + 1;
    size_t ninputs = 0;
    int do_list = 0;
    o.rules = rule_ids;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int takes = !strcmp(a, "--spec") || !strcmp(a, "--rule") || !strcmp(a, "--class") || !strcmp(a, "--json") ||
                    !strcmp(a, "--junit") || !strcmp(a, "--annotate") || !strcmp(a, "--max-violations");
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "xsw-analyze: %s needs a value\n", a);
            return 2;
        }
        const char *v = takes ? argv[++i] : NULL;
        if (!strcmp(a, "--spec")) {
            o.spec_dir = v;
        } else if (!strcmp(a, "--rule")) {
            if (o.nrules == MAX_RULE_FILTER) {
                fprintf(stderr, "xsw-analyze: at most %d --rule options\n", MAX_RULE_FILTER);
                return 2;
            }
            rule_ids[o.nrules++] = v;
        } else if (!strcmp(a, "--class")) {
            if (parse_class(v, &o)) {
                fprintf(stderr, "xsw-analyze: --class %s: expected N=capture|filter|forward with N < %u\n", v,
                        XSW_CHECK_MAX_DEPTH);
                return 2;
            }
        } else if (!strcmp(a, "--json")) {
            json = v;
        } else if (!strcmp(a, "--junit")) {
            junit = v;
        } else if (!strcmp(a, "--annotate")) {
            o.annotate = v;
        } else if (!strcmp(a, "--max-violations")) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (end == v || *end || n > 10000000ul) {
                fprintf(stderr, "xsw-analyze: --max-violations %s: expected a number up to 10000000\n", v);
                return 2;
            }
            o.max_detail = n;
        } else if (!strcmp(a, "--no-check")) {
            o.no_check = 1;
        } else if (!strcmp(a, "--strict")) {
            o.strict = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--list-rules")) {
            do_list = 1;
        } else if (!strcmp(a, "--version")) {
            printf("xsw-analyze %s\n", XSW_VERSION);
            return 0;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xsw-analyze: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            inputs[ninputs++] = a;
        }
    }
    if (do_list)
        return list_rules(o.spec_dir);
    if (!ninputs) {
        usage(stderr);
        return 2;
    }

    /* Recognize every input first: the spec is needed only for xsw traces. */
    int status = 2;
    struct xsw_spec *spec = NULL;
    enum xan_format *fmt = calloc(ninputs, sizeof *fmt);
    struct xan_trace **tr = calloc(ninputs, sizeof *tr);
    if (!fmt || !tr) {
        fprintf(stderr, "xsw-analyze: out of memory\n");
        goto out;
    }
    size_t ntraces = 0;
    for (size_t i = 0; i < ninputs; i++) {
        fmt[i] = xan_sniff_file(inputs[i]);
        if (fmt[i] == XAN_FMT_PCAP || fmt[i] == XAN_FMT_PCAPNG)
            ntraces++;
    }
    if (o.annotate && (ninputs != 1 || ntraces != 1)) {
        fprintf(stderr, "xsw-analyze: --annotate takes exactly one xsw trace (pcap or pcapng)\n");
        goto out;
    }
    if (ntraces && !o.no_check) {
        spec = load_spec(o.spec_dir);
        if (!spec)
            goto out;
    }
    for (unsigned i = 0; i < o.nrules; i++)
        if (!builtin_rule(rule_ids[i]) && (!spec || xsw_spec_find(spec, rule_ids[i]) < 0)) {
            fprintf(stderr, "xsw-analyze: --rule %s: no such rule in %s or the built-in NVSP rules\n", rule_ids[i],
                    spec ? o.spec_dir : "(no spec loaded)");
            goto out;
        }

    status = 0;
    for (size_t i = 0; i < ninputs; i++) {
        struct xan_trace *t = calloc(1, sizeof *t);
        if (!t) {
            fprintf(stderr, "xsw-analyze: out of memory\n");
            status = 2;
            goto out;
        }
        tr[i] = t;
        t->path = inputs[i];
        t->max_detail = o.max_detail;
        t->format = fmt[i];
        switch (fmt[i]) {
        case XAN_FMT_PCAP:
        case XAN_FMT_PCAPNG:
            xan_run_trace(&o, spec, t);
            break;
        case XAN_FMT_NETVSC_TEXT:
            xan_run_text(&o, t);
            break;
        case XAN_FMT_UNKNOWN: {
            FILE *f = fopen(inputs[i], "rb");
            if (!f) {
                xan_error(t, "%s: cannot open: %s", inputs[i], strerror(errno));
            } else {
                uint8_t b[8] = {0};
                size_t n = fread(b, 1, sizeof b, f);
                fclose(f);
                if (n == 0)
                    xan_error(t, "%s offset 0: empty file: not a pcap, pcapng or netvsc trace text", inputs[i]);
                else
                    xan_error(t, "%s offset 0: not a pcap, pcapng or netvsc trace text (first bytes %02x %02x %02x %02x)",
                              inputs[i], b[0], b[1], b[2], b[3]);
            }
            break;
        }
        }
        xan_print_summary(stdout, t, &o);
        int s = xan_status(t, &o);
        if (s == 2 || (s == 1 && status == 0))
            status = s;
    }
    fflush(stdout);
    if (json && xan_write_json(json, tr, ninputs, &o, status)) {
        fprintf(stderr, "xsw-analyze: --json %s: %s\n", json, strerror(errno));
        status = 2;
    }
    if (junit && xan_write_junit(junit, tr, ninputs, &o)) {
        fprintf(stderr, "xsw-analyze: --junit %s: %s\n", junit, strerror(errno));
        status = 2;
    }
out:
    for (size_t i = 0; tr && i < ninputs; i++)
        xan_trace_free(tr[i]);
    free(tr);
    free(fmt);
    xsw_spec_free(spec);
    return status;
}
