/*
 * test_spec_loader.c - the YAML spec loader (suite/spec.c, suite/expr.c).
 *
 * Every file in fixtures/specs/bad/ must be rejected with exactly the
 * message in the .expected file next to it (file:line:col, the quoted line,
 * the caret); the limits that would need huge files are built in memory; the
 * shipped specs and fixtures/specs/good.yaml must load.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../suite/check_int.h"
#include "unit.h"
#include "xsw/check.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = 0;
    fclose(f);
    return b;
}

static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = 0;
}

XSW_SUITE(spec_loader, NULL, NULL)

XSW_TEST(spec_loader, bad_fixtures_rejected_with_expected_message)
{
    const char *dir = "fixtures/specs/bad";
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    unsigned seen = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml"))
            continue;
        char path[512], exp_path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(exp_path, sizeof exp_path, "%s/%.*s.expected", dir, (int)(l - 5), e->d_name);
        char *expected = slurp(exp_path);
        if (!expected) {
            fprintf(stderr, "\n%s: missing %s\n", path, exp_path);
            CU_FAIL("bad fixture without .expected");
            continue;
        }
        rstrip(expected);
        struct xsw_spec *s = xsw_spec_new();
        char err[XSW_ERRBUF_SIZE];
        int rc = xsw_spec_load_file(s, path, err, sizeof err);
        CU_ASSERT(rc < 0);
        CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 0);
        rstrip(err);
        if (strcmp(err, expected) != 0) {
            fprintf(stderr, "\n%s:\n--- expected\n%s\n--- got\n%s\n", path, expected, err);
            CU_FAIL("message differs");
        }
        free(expected);
        xsw_spec_free(s);
        seen++;
    }
    closedir(d);
    CU_ASSERT(seen >= 20);
}

XSW_TEST(spec_loader, typo_names_file_line_col)
{
    struct xsw_spec *s = xsw_spec_new();
    char err[XSW_ERRBUF_SIZE];
    const char *y = "version: 1\nrules:\n  - id: XSW-TST-001\n    level: MUST\n    text: t\n    source: s\n"
                    "    classes: all\n    on: {kind: OID_COMPLETE}\n    reqire: oid.found\n";
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "mem.yaml", y, strlen(y), err, sizeof err), XSW_EINVAL);
    CU_ASSERT(strncmp(err, "mem.yaml:9:5: unknown key 'reqire' in rule (did you mean 'require'?", 66) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "\n 9 |     reqire: oid.found\n   |     ^"));
    xsw_spec_free(s);
}

XSW_TEST(spec_loader, limits)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    /* File size. */
    size_t big = XSW_SPEC_MAX_FILE + 1;
    char *b = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    memset(b, '#', big);
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "big.yaml", b, big, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "XSW_SPEC_MAX_FILE"));
    /* Scalar size. */
    size_t n = (size_t)snprintf(b, big, "version: 1\nrules:\n  - id: XSW-TST-001\n    text: ");
    memset(b + n, 'x', XSW_SPEC_MAX_SCALAR + 1);
    n += XSW_SPEC_MAX_SCALAR + 1;
    b[n++] = '\n';
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "scalar.yaml", b, n, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT(strncmp(err, "scalar.yaml:4:11: scalar of 8193 bytes exceeds the limit of 8192 bytes", 70) == 0);
    /* Items of one sequence. */
    n = (size_t)snprintf(b, big, "version: 1\nrules:\n  - id: XSW-TST-001\n    classes: [");
    for (unsigned i = 0; i <= XSW_SPEC_MAX_ITEMS; i++)
        n += (size_t)snprintf(b + n, big - n, "%sall", i ? ", " : "");
    n += (size_t)snprintf(b + n, big - n, "]\n");
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "items.yaml", b, n, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 256 (XSW_SPEC_MAX_ITEMS)"));
    /* Rules in one spec: four files of 256 rules fit, one more rule does not. */
    for (unsigned f = 0; f < 5; f++) {
        n = (size_t)snprintf(b, big, "version: 1\nrules:\n");
        unsigned count = f < 4 ? 256 : 1;
        for (unsigned i = 0; i < count; i++)
            n += (size_t)snprintf(b + n, big - n,
                                  "  - {id: XSW-T%c-%03u, level: MUST, text: t, source: s, classes: all, "
                                  "on: {kind: FINDING}, require: 'false'}\n",
                                  'A' + f, i);
        char name[32];
        snprintf(name, sizeof name, "r%u.yaml", f);
        int rc = xsw_spec_load_buffer(s, name, b, n, err, sizeof err);
        if (f < 4) {
            CU_ASSERT_EQUAL(rc, 0);
        } else {
            CU_ASSERT_EQUAL(rc, XSW_ELIMIT);
            CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 1024 rules (XSW_SPEC_MAX_RULES)"));
        }
    }
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 1024);
    /* Expression size. */
    struct xsw_spec *s2 = xsw_spec_new();
    n = (size_t)snprintf(b, big, "version: 1\nrules:\n  - {id: XSW-TST-001, level: MUST, text: t, source: s, "
                                 "classes: all, on: {kind: FINDING}, require: '1");
    for (unsigned i = 0; i < XSW_SPEC_MAX_EXPR_NODES; i++)
        n += (size_t)snprintf(b + n, big - n, " + 1");
    n += (size_t)snprintf(b + n, big - n, " == 0'}\n");
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s2, "expr.yaml", b, n, err, sizeof err), XSW_ELIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "XSW_SPEC_MAX_EXPR_NODES"));
    free(b);
    xsw_spec_free(s);
    xsw_spec_free(s2);
}

XSW_TEST(spec_loader, failed_file_keeps_nothing)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    const char *y = "version: 1\nrules:\n"
                    "  - {id: XSW-TST-001, level: MUST, text: t, source: s, classes: all, on: {kind: FINDING}, "
                    "require: 'false'}\n"
                    "  - {id: XSW-TST-002, level: MUST, text: t, source: s, classes: all, on: {kind: FINDING}, "
                    "require: 'rec.nothing'}\n";
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "half.yaml", y, strlen(y), err, sizeof err), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 0);
    /* An id already loaded from another file is a duplicate too. */
    const char *ok = "version: 1\nrules:\n  - {id: XSW-TST-001, level: MUST, text: t, source: s, classes: all, "
                     "on: {kind: FINDING}, require: 'false'}\n";
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "a.yaml", ok, strlen(ok), err, sizeof err), 0);
    CU_ASSERT_EQUAL(xsw_spec_load_buffer(s, "b.yaml", ok, strlen(ok), err, sizeof err), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "b.yaml:3:10: duplicate rule id 'XSW-TST-001' (already defined at a.yaml:3)"));
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 1);
    xsw_spec_free(s);
}

XSW_TEST(spec_loader, valid_files_load)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    int rc = xsw_spec_load_file(s, "fixtures/specs/good.yaml", err, sizeof err);
    if (rc)
        fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 3);
    const struct xsw_rule_info *r = xsw_spec_rule(s, 0);
    CU_ASSERT_STRING_EQUAL(r->id, "XSW-EXA-001");
    CU_ASSERT_EQUAL(r->level, XSW_LEVEL_MUST);
    CU_ASSERT_STRING_EQUAL(r->text, "An extension forwards OID_SWITCH_NIC_CONNECT and passes the status from below up.");
    CU_ASSERT_STRING_EQUAL(r->source, "learn.microsoft.com: oid-switch-nic-connect; extensible-switch.md §4.4");
    CU_ASSERT_STRING_EQUAL(r->classes, "capture,filter");
    CU_ASSERT_EQUAL(r->line, 5);
    CU_ASSERT_EQUAL(xsw_spec_rule(s, 1)->level, XSW_LEVEL_SHOULD);
    CU_ASSERT_EQUAL(xsw_spec_find(s, "XSW-EXA-003"), 2);
    CU_ASSERT_EQUAL(xsw_spec_find(s, "XSW-EXA-004"), -1);
    xsw_spec_free(s);

    s = xsw_spec_new();
    rc = xsw_spec_load_dir(s, "suite/specs", err, sizeof err);
    if (rc)
        fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT(xsw_spec_rule_count(s) >= 90);
    /* Every rule says where it comes from and whom it judges. */
    for (size_t i = 0; i < xsw_spec_rule_count(s); i++) {
        r = xsw_spec_rule(s, i);
        CU_ASSERT(strlen(r->text) > 20);
        CU_ASSERT(strlen(r->source) > 5);
        CU_ASSERT(r->classes && r->classes[0]);
        /* A SHOULD rule says why it is not a MUST. */
        if (r->level == XSW_LEVEL_SHOULD && !strstr(r->text, "SHOULD")) {
            fprintf(stderr, "\n%s is SHOULD without saying why\n", r->id);
            CU_FAIL("SHOULD rule without its reason");
        }
    }
    xsw_spec_free(s);
}

XSW_TEST(spec_loader, every_name_is_documented)
{
    /* docs/spec-format.md must describe the whole vocabulary the compiler accepts. */
    char *doc = slurp("docs/spec-format.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const char *name;
    for (size_t i = 0; (name = xname_vocab(i)); i++) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "`%s", name);
        if (!strstr(doc, quoted)) {
            fprintf(stderr, "\n%s is not in docs/spec-format.md\n", name);
            CU_FAIL("undocumented name");
        }
    }
    free(doc);
}
