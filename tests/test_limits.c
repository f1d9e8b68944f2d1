/*
 * test_limits.c - the input limits of the decoders and loaders that read
 * untrusted input, each hit once: the error code, and a message that names
 * the limit and the place. Limits tested in their own area's tests are not
 * repeated here (spec file, scalar, sequence items, rules and expression
 * nodes in test_spec_loader.c, YAML nesting by fixtures/specs/bad/nesting,
 * the netvsc line length by analyzer/tests/run.sh).
 *
 *   trace decoder  record longer than XSW_SNAPLEN allows (XSW_ELIMIT)
 *   trace reader   pcap frame longer than libpcap's maximum snapshot length
 *   spec loader    expression nesting (XSW_SPEC_MAX_EXPR_DEPTH), entries of a
 *                  mapping (XSW_SPEC_MAX_ITEMS), length of a name in an expression
 *   checker        live objects per tracker (max_objects), violations kept (max_collected)
 *   INF reader     file size, fields per line, field length, logical line length
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../suite/inf.h"
#include "unit.h"
#include "xsw/check.h"
#include "xsw/trace.h"

static char tmpdir[64];

static int suite_init(void)
{
    strcpy(tmpdir, "/tmp/xsw-test-limits-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
    char cmd[128];
    /* The directory holds only files this suite wrote. */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

XSW_SUITE(limits, suite_init, suite_clean)

static void put_le(uint8_t *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- Trace --------------------------------------------------------------------- */

/* A META record of "len" bytes (header + text body) in "buf". */
static void meta_record(uint8_t *buf, size_t len)
{
    memset(buf, 'a', len);
    buf[XSW_OFF_VERSION] = XSW_TRACE_VERSION;
    buf[XSW_OFF_KIND] = XSW_K_META;
    put_le(buf + XSW_OFF_HDR_LEN, 2, XSW_REC_HDR_LEN);
    put_le(buf + XSW_OFF_REC_LEN, 4, len);
    memset(buf + XSW_OFF_SEQ, 0, XSW_REC_HDR_LEN - XSW_OFF_SEQ);
}

XSW_TEST(limits, trace_record_size)
{
    const size_t max = XSW_SNAPLEN - XSW_EXP_PDU_PREFIX_LEN;
    uint8_t *buf = malloc(max + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    struct xsw_rec r;
    char err[XSW_ERRBUF_SIZE], want[160];
    /* The largest record the writer can produce decodes. */
    meta_record(buf, max);
    CU_ASSERT_EQUAL(xsw_rec_decode(buf, max, &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(r.u.meta.text_len, max - XSW_REC_HDR_LEN);
    /* One byte more is refused, naming the field, its offset and the limit. */
    meta_record(buf, max + 1);
    err[0] = 0;
    CU_ASSERT_EQUAL(xsw_rec_decode(buf, max + 1, &r, err, sizeof err), XSW_ELIMIT);
    snprintf(want, sizeof want, "field rec_len at offset 4: record of %zu bytes exceeds the limit of %zu bytes (XSW_SNAPLEN",
             max + 1, max);
    CU_ASSERT_NSTRING_EQUAL(err, want, strlen(want));
    /* A record that claims more than it has is still truncated first. */
    CU_ASSERT_EQUAL(xsw_rec_decode(buf, max, &r, err, sizeof err), XSW_ETRUNC);
    free(buf);
}

/* A pcap file with one frame of "caplen" bytes of link type 252. */
static int write_big_frame(const char *path, uint32_t caplen)
{
    uint8_t fh[24], rh[16];
    put_le(fh, 4, 0xa1b2c3d4u);
    put_le(fh + 4, 2, 2);
    put_le(fh + 6, 2, 4);
    put_le(fh + 8, 8, 0);
    put_le(fh + 16, 4, XSW_SNAPLEN);
    put_le(fh + 20, 4, XSW_LINKTYPE);
    put_le(rh, 4, 1767225600u);
    put_le(rh + 4, 4, 0);
    put_le(rh + 8, 4, caplen);
    put_le(rh + 12, 4, caplen);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint8_t *body = calloc(1, caplen);
    int ok = body && fwrite(fh, 1, sizeof fh, f) == sizeof fh && fwrite(rh, 1, sizeof rh, f) == sizeof rh &&
             fwrite(body, 1, caplen, f) == caplen;
    free(body);
    return fclose(f) == 0 && ok ? 0 : -1;
}

XSW_TEST(limits, trace_frame_size)
{
    char path[128], err[XSW_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/big.pcap", tmpdir);
    CU_ASSERT_FATAL(write_big_frame(path, XSW_SNAPLEN + 1) == 0);
    struct xsw_trace_reader *r = xsw_trace_reader_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame = 0;
    int rc = xsw_trace_read(r, &rec, &frame, NULL, err, sizeof err);
    /* libpcap refuses the frame: a file-level error naming the frame and the maximum. */
    CU_ASSERT(rc == XSW_EIO || rc == XSW_ETRUNC);
    CU_ASSERT_EQUAL(frame, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, " frame 1 offset "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "262144"));
    CU_ASSERT_EQUAL(xsw_trace_read(r, &rec, &frame, NULL, err, sizeof err), XSW_EEOF);
    xsw_trace_reader_close(r);
}

/* ---- Spec loader ------------------------------------------------------------------ */

/* Load one rule whose require is "expr"; returns the loader's result. */
static int load_require(const char *expr, char *err, size_t errlen)
{
    size_t cap = strlen(expr) + 512;
    char *y = malloc(cap);
    if (!y)
        return XSW_ENOMEM;
    int n = snprintf(y, cap,
                     "version: 1\nrules:\n  - id: XSW-TST-001\n    level: MUST\n    text: t\n    source: s\n"
                     "    classes: all\n    on: {kind: FINDING}\n    require: '%s'\n",
                     expr);
    struct xsw_spec *s = xsw_spec_new();
    int rc = s ? xsw_spec_load_buffer(s, "depth.yaml", y, (size_t)n, err, errlen) : XSW_ENOMEM;
    xsw_spec_free(s);
    free(y);
    return rc;
}

/* "(" x n, "rec.value", ")" x n, " == 1"; or "!" x n before "rec.value". */
static char *nested(unsigned n, int unary)
{
    char *e = malloc(2 * n + 32);
    if (!e)
        return NULL;
    size_t o = 0;
    for (unsigned i = 0; i < n; i++)
        e[o++] = unary ? '!' : '(';
    o += (size_t)sprintf(e + o, "rec.value");
    for (unsigned i = 0; !unary && i < n; i++)
        e[o++] = ')';
    sprintf(e + o, " == 1");
    return e;
}

XSW_TEST(limits, spec_expression_depth)
{
    char err[XSW_ERRBUF_SIZE];
    /* Parentheses: the whole expression is one level, each pair one more. */
    char *e = nested(XSW_SPEC_MAX_EXPR_DEPTH - 1, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(load_require(e, err, sizeof err), 0);
    free(e);
    e = nested(XSW_SPEC_MAX_EXPR_DEPTH, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(load_require(e, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "expression nested more than 64 deep (XSW_SPEC_MAX_EXPR_DEPTH)"));
    /* The place: line 9 of the file, the column of the parenthesis that went too deep. */
    CU_ASSERT(strncmp(err, "depth.yaml:9:", 13) == 0);
    free(e);
    /* Unary operators nest the same way. */
    e = nested(XSW_SPEC_MAX_EXPR_DEPTH + 1, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(load_require(e, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "(XSW_SPEC_MAX_EXPR_DEPTH)"));
    free(e);
    /* A deep expression well past the limit is refused, not a stack overflow. */
    e = nested(4000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(load_require(e, err, sizeof err), XSW_ELIMIT);
    free(e);
}

XSW_TEST(limits, spec_name_length)
{
    char err[XSW_ERRBUF_SIZE], name[200];
    memset(name, 'x', 128);
    strcpy(name + 128, " == 1");
    CU_ASSERT_EQUAL(load_require(name, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "name longer than 127 characters"));
    CU_ASSERT(strncmp(err, "depth.yaml:9:", 13) == 0);
}

XSW_TEST(limits, spec_mapping_entries)
{
    char err[XSW_ERRBUF_SIZE];
    size_t cap = 64 + (XSW_SPEC_MAX_ITEMS + 1) * 16;
    char *y = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    size_t n = (size_t)snprintf(y, cap, "version: 1\nrules:\n  - {");
    for (unsigned i = 0; i <= XSW_SPEC_MAX_ITEMS; i++)
        n += (size_t)snprintf(y + n, cap - n, "%sk%u: v", i ? ", " : "", i);
    n += (size_t)snprintf(y + n, cap - n, "}\n");
    struct xsw_spec *s = xsw_spec_new();
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "map.yaml", y, n, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "too many entries in this mapping: at most 256 (XSW_SPEC_MAX_ITEMS)"));
    CU_ASSERT(strncmp(err, "map.yaml:3:", 11) == 0);
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 0);
    xsw_spec_free(s);
    free(y);
}

/* ---- Checker --------------------------------------------------------------------------- */

/*
 * A trace may create objects without end (NBLs never completed): past
 * max_objects live objects per tracker, new ones are counted as untracked
 * instead of stored, and violations past max_collected are counted only.
 */
XSW_TEST(limits, checker_tracked_objects)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *spec = xsw_spec_new();
    CU_ASSERT_FATAL(spec && xsw_spec_load_dir(spec, "suite/specs", err, sizeof err) == 0);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    cfg.max_objects = 4;
    cfg.max_collected = 2;
    struct xsw_checker *c = xsw_checker_new(spec, &cfg);
    struct xsw_rectext *st = malloc(sizeof *st);
    CU_ASSERT_FATAL(c && st);
    xsw_rectext_init(st);
    struct xsw_rec rec;
    char line[200];
    uint64_t frame = 0;
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "META depth=1 ext.0.class=capture", &rec, err, sizeof err), 1);
    xsw_checker_feed(c, &rec, ++frame);
    for (unsigned i = 1; i <= 10; i++) {
        snprintf(line, sizeof line, "NBL_SEND point=0 actor=sw id=0x%x src_port=5 frame=64", 0x100 + i);
        CU_ASSERT_EQUAL_FATAL(xsw_rectext_parse(st, line, &rec, err, sizeof err), 1);
        CU_ASSERT(xsw_checker_feed(c, &rec, ++frame) >= 0);
    }
    struct xsw_check_stats s;
    xsw_checker_stats(c, &s);
    CU_ASSERT_EQUAL(s.live_nbls, 4);
    CU_ASSERT_EQUAL(s.untracked, 6);
    /* The four tracked NBLs are still with the extension at the end: at most two violations kept. */
    CU_ASSERT(xsw_checker_finish(c) >= 4);
    const struct xsw_violation *v;
    CU_ASSERT_EQUAL(xsw_checker_collected(c, &v), 2);
    xsw_checker_free(c);
    xsw_spec_free(spec);
    free(st);
}

/* ---- INF reader --------------------------------------------------------------------- */

static const char *write_inf(const char *name, const char *text, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    size_t w = fwrite(text, 1, len, f);
    if (fclose(f) || w != len)
        return NULL;
    return path;
}

static int read_inf(const char *name, const char *text, size_t len, char *cls, char *err, size_t errlen)
{
    const char *path = write_inf(name, text, len);
    int media = 0;
    if (!path)
        return -2;
    return xsw_inf_read_class(path, cls, 64, &media, err, errlen);
}

XSW_TEST(limits, inf_limits)
{
    char cls[64], err[1024], *t;
    size_t n;
    const char *ok = "[Ndi]\nHKR, Ndi, FilterClass,, ms_switch_filter\n";
    CU_ASSERT_EQUAL(read_inf("ok.inf", ok, strlen(ok), cls, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(cls, "ms_switch_filter");

    /* Fields per line: 16 pass, 17 do not. */
    const char *f16 = "HKR, Ndi, FilterClass,, ms_switch_filter,6,7,8,9,10,11,12,13,14,15,16\n";
    CU_ASSERT_EQUAL(read_inf("f16.inf", f16, strlen(f16), cls, err, sizeof err), 0);
    const char *f17 = "\nHKR, Ndi, FilterClass,, ms_switch_filter,6,7,8,9,10,11,12,13,14,15,16,17\n";
    CU_ASSERT_EQUAL(read_inf("f17.inf", f17, strlen(f17), cls, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "f17.inf:2:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 16 comma-separated fields (INF_MAX_FIELDS)"));

    /* One field of 511 bytes passes, 512 do not (also when made of "" escapes). */
    t = malloc(2048);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    n = (size_t)sprintf(t, "HKR, Ndi, FilterClass,, ms_switch_filter, ");
    memset(t + n, 'x', 511);
    strcpy(t + n + 511, "\n");
    CU_ASSERT_EQUAL(read_inf("l511.inf", t, strlen(t), cls, err, sizeof err), 0);
    memset(t + n, 'x', 512);
    strcpy(t + n + 512, "\n");
    CU_ASSERT_EQUAL(read_inf("l512.inf", t, strlen(t), cls, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "field longer than 511 bytes (INF_MAX_FIELD)"));
    n = (size_t)sprintf(t, "HKR, Ndi, FilterClass,, ms_switch_filter, \"");
    for (unsigned i = 0; i < 600; i++)
        n += (size_t)sprintf(t + n, "\"\"");
    strcpy(t + n, "\"\n");
    CU_ASSERT_EQUAL(read_inf("q600.inf", t, strlen(t), cls, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "(INF_MAX_FIELD)"));
    free(t);

    /* A logical line (continuations joined) of more than 4095 bytes. */
    t = malloc(8192);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    n = 0;
    for (unsigned i = 0; i < 300; i++)
        n += (size_t)sprintf(t + n, "aaaaaaaaaaaaaaa\\\n");
    n += (size_t)sprintf(t + n, "b\n");
    CU_ASSERT_EQUAL(read_inf("cont.inf", t, n, cls, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "logical line longer than 4095 bytes (INF_MAX_LINE)"));
    free(t);

    /* The file itself: 4 MiB pass (comments), one byte more does not. */
    size_t big = (size_t)4 << 20;
    t = malloc(big + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    memset(t, ';', big + 1);
    n = strlen(ok);
    memcpy(t, ok, n);
    CU_ASSERT_EQUAL(read_inf("4m.inf", t, big, cls, err, sizeof err), 0);
    CU_ASSERT_EQUAL(read_inf("4m1.inf", t, big + 1, cls, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "4m1.inf: INF file larger than 4194304 bytes (INF_MAX_SIZE)"));
    free(t);
}
