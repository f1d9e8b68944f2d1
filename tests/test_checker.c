/*
 * test_checker.c - the checker engine (suite/check.c) against the rules of
 * suite/specs/: every rule has fixtures/checker/<RULE-ID>.pass, a record
 * stream that must raise no violation at all, and <RULE-ID>.fail, which
 * must raise exactly that rule (or the rules its "expect" lines name).
 *
 * Fixture lines are records in the text form of suite/rectext.c, plus
 *   include NAME                 records of fixtures/checker/common/NAME
 *   expect RULE-ID [frame=N]     the rules that must fire (default: the file's rule);
 *                                with frames, that rule fires exactly there
 *   config oid_timeout=N         checker configuration
 * Frame numbers count records, META included, from 1.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"
#include "xsw/check.h"

#define MAX_FIRED 64

struct fired {
    char id[32];
    uint64_t frame;
    int at_end;
    char text[1024];
};

struct run {
    struct fired f[MAX_FIRED];
    unsigned n;
};

static void on_violation(void *arg, const struct xsw_violation *v)
{
    struct run *r = arg;
    if (r->n >= MAX_FIRED)
        return;
    struct fired *f = &r->f[r->n++];
    snprintf(f->id, sizeof f->id, "%s", v->rule->id);
    f->frame = v->frame;
    f->at_end = v->at_end;
    xsw_violation_format(v, f->text, sizeof f->text);
}

struct expect {
    char id[32];
    uint64_t frame; /* 0: any */
};

struct fixture {
    struct expect ex[16];
    unsigned nex;
    uint64_t oid_timeout;
};

static struct xsw_spec *spec;

static int spec_init(void)
{
    char err[XSW_ERRBUF_SIZE];
    spec = xsw_spec_new();
    if (!spec || xsw_spec_load_dir(spec, "suite/specs", err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return 0;
}

static int spec_clean(void)
{
    xsw_spec_free(spec);
    return 0;
}

/* A fixture's records go to the checker (none in the first pass), its directives to the fixture. */
struct feed {
    struct xsw_checker *c;
    struct fixture *fx;
    uint64_t frame;
};

static int feed_record(void *arg, const struct xsw_rec *r)
{
    struct feed *fd = arg;
    fd->frame++;
    return fd->c && xsw_checker_feed(fd->c, r, fd->frame) < 0 ? -1 : 0;
}

static void feed_directive(void *arg, const char *line)
{
    struct fixture *fx = ((struct feed *)arg)->fx;
    unsigned long long v = 0;
    if (!fx)
        return;
    if (strncmp(line, "expect ", 7) == 0 && fx->nex < 16) {
        struct expect *e = &fx->ex[fx->nex++];
        e->frame = 0;
        if (sscanf(line + 7, "%31s frame=%llu", e->id, &v) >= 1)
            e->frame = v;
    } else if (sscanf(line, "config oid_timeout=%llu", &v) == 1) {
        fx->oid_timeout = v;
    }
}

/* Feed the records of "path" (and its includes) to "c". Returns -1 on a parse error. */
static int feed_file(struct xsw_checker *c, struct xsw_rectext *st, const char *path, struct fixture *fx)
{
    struct feed fd = {c, fx, 0};
    const struct xsw_rectext_file_cb cb = {feed_record, feed_directive, &fd};
    char err[512];
    if (xsw_rectext_feed_file(st, path, "fixtures/checker/common", &cb, err, sizeof err) != 0) {
        fprintf(stderr, "\n%s\n", err);
        return -1;
    }
    return 0;
}

/* Run one fixture; on mismatch print what fired. Returns 1 if as expected. */
static int check_fixture(const char *rule_id, const char *path, int should_fail)
{
    struct fixture fx;
    memset(&fx, 0, sizeof fx);
    /* A first pass collects expect/config lines. */
    struct xsw_rectext *st = malloc(sizeof *st);
    if (!st)
        return 0;
    xsw_rectext_init(st);
    if (feed_file(NULL, st, path, &fx)) {
        free(st);
        return 0;
    }
    if (should_fail && fx.nex == 0) {
        snprintf(fx.ex[0].id, sizeof fx.ex[0].id, "%s", rule_id);
        fx.nex = 1;
    }
    struct run run;
    memset(&run, 0, sizeof run);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    cfg.on_violation = on_violation;
    cfg.arg = &run;
    cfg.oid_timeout = fx.oid_timeout;
    struct xsw_checker *c = xsw_checker_new(spec, &cfg);
    xsw_rectext_init(st);
    int ok = c && feed_file(c, st, path, NULL) == 0 && xsw_checker_finish(c) >= 0;
    /* Every fired rule must be expected and every expected rule must fire. */
    for (unsigned i = 0; ok && i < run.n; i++) {
        int hit = 0;
        for (unsigned j = 0; j < fx.nex; j++)
            hit |= strcmp(run.f[i].id, fx.ex[j].id) == 0;
        ok = hit;
    }
    for (unsigned j = 0; ok && j < fx.nex; j++) {
        int hit = 0;
        for (unsigned i = 0; i < run.n; i++)
            hit |= strcmp(run.f[i].id, fx.ex[j].id) == 0 && (!fx.ex[j].frame || run.f[i].frame == fx.ex[j].frame);
        ok = hit;
    }
    /* Expectations with frames are exact: that rule fires at those frames and nowhere else. */
    for (unsigned i = 0; ok && i < run.n; i++) {
        int framed = 0, hit = 0;
        for (unsigned j = 0; j < fx.nex; j++)
            if (strcmp(run.f[i].id, fx.ex[j].id) == 0 && fx.ex[j].frame) {
                framed = 1;
                hit |= run.f[i].frame == fx.ex[j].frame;
            }
        ok = !framed || hit;
    }
    if (!ok) {
        fprintf(stderr, "\n%s: expected", path);
        for (unsigned j = 0; j < fx.nex; j++)
            fprintf(stderr, " %s", fx.ex[j].id);
        if (!fx.nex)
            fprintf(stderr, " no violation");
        fprintf(stderr, ", got %u:\n", run.n);
        for (unsigned i = 0; i < run.n; i++)
            fprintf(stderr, "  %s\n", run.f[i].text);
    }
    xsw_checker_free(c);
    free(st);
    return ok;
}

XSW_SUITE(checker, spec_init, spec_clean)

XSW_TEST(checker, every_rule_has_passing_and_failing_fixture)
{
    size_t n = xsw_spec_rule_count(spec);
    CU_ASSERT_FATAL(n > 0);
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = xsw_spec_rule(spec, i)->id;
        char path[256];
        snprintf(path, sizeof path, "fixtures/checker/%s.pass", id);
        if (!check_fixture(id, path, 0))
            bad++;
        snprintf(path, sizeof path, "fixtures/checker/%s.fail", id);
        if (!check_fixture(id, path, 1))
            bad++;
    }
    if (bad)
        fprintf(stderr, "\n%u fixture(s) did not give the expected violations\n", bad);
    CU_ASSERT_EQUAL(bad, 0);
    /* No fixture for a rule that does not exist (renamed or removed). */
    DIR *d = opendir("fixtures/checker");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        char id[64];
        size_t l = strlen(de->d_name);
        if (l < 6 || l >= sizeof id || (strcmp(de->d_name + l - 5, ".pass") && strcmp(de->d_name + l - 5, ".fail")))
            continue;
        snprintf(id, sizeof id, "%.*s", (int)(l - 5), de->d_name);
        if (xsw_spec_find(spec, id) < 0) {
            fprintf(stderr, "\nfixtures/checker/%s: no rule %s\n", de->d_name, id);
            CU_FAIL("fixture for an unknown rule");
        }
    }
    closedir(d);
}

/* Build a checker over the text records "lines" (separated by '\n'). */
static struct xsw_checker *run_text(const char *lines, struct xsw_check_config *cfg, struct run *run, int finish)
{
    struct xsw_rectext *st = malloc(sizeof *st);
    if (!st)
        return NULL;
    xsw_rectext_init(st);
    if (run) {
        cfg->on_violation = on_violation;
        cfg->arg = run;
    }
    struct xsw_checker *c = xsw_checker_new(spec, cfg);
    char line[2048], err[256];
    uint64_t frame = 0;
    for (const char *p = lines; c && *p;) {
        size_t l = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)l, p);
        p += l + (p[l] == '\n');
        struct xsw_rec rec;
        int k = xsw_rectext_parse(st, line, &rec, err, sizeof err);
        CU_ASSERT(k >= 0);
        if (k == 1)
            CU_ASSERT(xsw_checker_feed(c, &rec, ++frame) >= 0);
    }
    if (c && finish)
        CU_ASSERT(xsw_checker_finish(c) >= 0);
    free(st);
    return c;
}

XSW_TEST(checker, oid_timeout_reports_once_at_the_deadline)
{
    struct run run;
    memset(&run, 0, sizeof run);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    cfg.oid_timeout = 3;
    const char *t = "META depth=1 ext.0.class=filter\n"
                    "OID_REQUEST point=0 actor=sw id=7 oid=OID_SWITCH_PORT_UPDATED type=set port=5 data=1056\n"
                    "FILTER_STATE actor=0 event=RESTART\n"
                    "FILTER_STATE actor=0 event=RESTART\n"
                    "FILTER_STATE actor=0 event=RESTART\n"
                    "FILTER_STATE actor=0 event=RESTART\n";
    struct xsw_checker *c = run_text(t, &cfg, &run, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    /* Request seq 2 + timeout 3 = due at the record with seq 5, frame 5; not again at the end. */
    CU_ASSERT_EQUAL_FATAL(run.n, 1);
    CU_ASSERT_STRING_EQUAL(run.f[0].id, "XSW-OID-036");
    CU_ASSERT_EQUAL(run.f[0].frame, 5);
    CU_ASSERT_EQUAL(run.f[0].at_end, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(run.f[0].text, "OID request 0x7 (OID_SWITCH_PORT_UPDATED) at point 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(run.f[0].text, "related: request frame 2"));
    xsw_checker_free(c);
}

XSW_TEST(checker, meta_starts_a_new_scenario)
{
    struct run run;
    memset(&run, 0, sizeof run);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    /* Scenario 1 leaks a port reference; scenario 2 starts clean and balances its own. */
    const char *t = "META depth=1 ext.0.class=forward\n"
                    "OID_REQUEST  point=0 actor=sw id=1 oid=OID_SWITCH_PORT_CREATE type=set port=5 data=1056,u32@8=5\n"
                    "OID_REQUEST  point=1 actor=0 id=2 parent=1 oid=OID_SWITCH_PORT_CREATE type=set port=5 data=1056,u32@8=5\n"
                    "OID_COMPLETE point=1 actor=sw id=2 oid=OID_SWITCH_PORT_CREATE type=set port=5 data=1056,u32@8=5\n"
                    "OID_COMPLETE point=0 actor=0 id=1 oid=OID_SWITCH_PORT_CREATE type=set port=5 data=1056,u32@8=5\n"
                    "HANDLER_CALL actor=0 handler=ReferenceSwitchPort port=5\n"
                    "META depth=1 ext.0.class=forward\n"
                    "HANDLER_CALL actor=0 handler=ReferenceSwitchPort port=5\n";
    struct xsw_checker *c = run_text(t, &cfg, &run, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    /* End of scenario 1 at the second META (last frame 6); in scenario 2 port 5 does not exist. */
    CU_ASSERT_EQUAL_FATAL(run.n, 3);
    CU_ASSERT_STRING_EQUAL(run.f[0].id, "XSW-REF-007");
    CU_ASSERT_EQUAL(run.f[0].frame, 6);
    CU_ASSERT_STRING_EQUAL(run.f[1].id, "XSW-REF-003");
    CU_ASSERT_EQUAL(run.f[1].frame, 8);
    CU_ASSERT_PTR_NOT_NULL(strstr(run.f[1].text, "expected: port.state == created"));
    CU_ASSERT_PTR_NOT_NULL(strstr(run.f[1].text, "actual: port.state=none"));
    CU_ASSERT_STRING_EQUAL(run.f[2].id, "XSW-REF-007");
    xsw_checker_free(c);
}

XSW_TEST(checker, violation_names_expected_actual_and_related_frames)
{
    struct run run;
    memset(&run, 0, sizeof run);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    const char *t = "META depth=1 ext.0.class=filter\n"
                    "OID_REQUEST  point=0 actor=sw id=1 oid=OID_SWITCH_NIC_DISCONNECT type=set port=5 data=2224\n"
                    "OID_REQUEST  point=1 actor=0 id=2 parent=1 oid=OID_SWITCH_NIC_DISCONNECT type=set port=5 data=2224\n"
                    "OID_COMPLETE point=1 actor=sw id=2 oid=OID_SWITCH_NIC_DISCONNECT type=set port=5 data=2224\n"
                    "OID_COMPLETE point=0 actor=0 id=1 oid=OID_SWITCH_NIC_DISCONNECT type=set port=5 "
                    "status=NDIS_STATUS_FAILURE data=2224\n";
    struct xsw_checker *c = run_text(t, &cfg, &run, 1);
    CU_ASSERT_EQUAL_FATAL(run.n, 1);
    const char *x = run.f[0].text;
    CU_ASSERT(strncmp(x, "rule XSW-OID-003 (MUST): extension 0 (filter) at frame 5, OID request 0x1 "
                         "(OID_SWITCH_NIC_DISCONNECT) at point 0: ", 110) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "\n  expected: oid.passed_through\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "\n  actual: oid.passed_through=false\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "related: request frame 2, forwarded request frame 3, completion from below frame 4"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "source: learn.microsoft.com: oid-switch-nic-disconnect"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "suite/specs/oid.yaml:"));
    xsw_checker_free(c);
}

XSW_TEST(checker, actual_shows_the_values_of_a_comparison)
{
    struct run run;
    memset(&run, 0, sizeof run);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    const char *t = "META depth=1 ext.0.class=forward\n"
                    "NBL_SEND point=0 actor=sw id=9 src_port=5\n"
                    "NBL_SEND point=1 actor=0 id=9 src_port=6\n"
                    "NBL_SEND_COMPLETE point=1 actor=sw id=9 src_port=6\n"
                    "NBL_SEND_COMPLETE point=0 actor=0 id=9 src_port=6\n";
    struct xsw_checker *c = run_text(t, &cfg, &run, 1);
    CU_ASSERT_EQUAL_FATAL(run.n, 1);
    CU_ASSERT_STRING_EQUAL(run.f[0].id, "XSW-DP-016");
    CU_ASSERT_PTR_NOT_NULL(strstr(run.f[0].text, "expected: rec.src_port == nbl.src_port\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(run.f[0].text, "actual: rec.src_port=6, nbl.src_port=5\n"));
    xsw_checker_free(c);
}

XSW_TEST(checker, classes_from_config_when_meta_is_ignored)
{
    /* The same capture-only violation is judged or not depending on the configured class. */
    const char *t = "META depth=1 ext.0.class=filter\n"
                    "NBL_SEND point=0 actor=sw id=9 src_port=5\n"
                    "HANDLER_CALL actor=0 handler=ReportFilteredNetBufferLists port=5 hcflags=1 nbl=9\n"
                    "NBL_SEND_COMPLETE point=0 actor=0 id=9 src_port=5\n";
    for (int meta = 0; meta < 2; meta++) {
        struct run run;
        memset(&run, 0, sizeof run);
        struct xsw_check_config cfg;
        xsw_check_config_init(&cfg);
        cfg.ext_class[0] = 1; /* capture */
        cfg.ignore_meta = !meta;
        struct xsw_checker *c = run_text(t, &cfg, &run, 1);
        if (meta) {
            CU_ASSERT_EQUAL(run.n, 0);
        } else {
            CU_ASSERT_EQUAL_FATAL(run.n, 1);
            CU_ASSERT_STRING_EQUAL(run.f[0].id, "XSW-DP-003");
        }
        xsw_checker_free(c);
    }
}

XSW_TEST(checker, collected_without_callback)
{
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    const char *t = "META depth=1 ext.0.class=filter\n"
                    "FINDING actor=0 finding=POOL_LEAK value=64 text=\"64 bytes\"\n"
                    "FINDING actor=sw finding=CRASH value=0\n";
    struct xsw_checker *c = run_text(t, &cfg, NULL, 1);
    const struct xsw_violation *v;
    size_t n = xsw_checker_collected(c, &v);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(v[0].rule->id, "XSW-HAR-002");
    CU_ASSERT_EQUAL(v[0].ext, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(v[0].object, "finding POOL_LEAK (value 64): 64 bytes"));
    CU_ASSERT_STRING_EQUAL(v[1].rule->id, "XSW-HAR-017");
    CU_ASSERT_EQUAL(v[1].ext, -1);
    struct xsw_check_stats s;
    xsw_checker_stats(c, &s);
    CU_ASSERT_EQUAL(s.violations, 2);
    CU_ASSERT_EQUAL(s.must, 2);
    uint64_t ev, vi;
    xsw_checker_rule_counts(c, (size_t)xsw_spec_find(spec, "XSW-HAR-002"), &ev, &vi);
    CU_ASSERT_EQUAL(ev, 1);
    CU_ASSERT_EQUAL(vi, 1);
    xsw_checker_free(c);
}

XSW_TEST(checker, memory_follows_live_objects)
{
    /* 20000 NBL round trips and OID pass-throughs: trackers stay at a handful of entries. */
    struct xsw_rectext *st = malloc(sizeof *st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    xsw_rectext_init(st);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    struct xsw_checker *c = xsw_checker_new(spec, &cfg);
    static const char *const rt[] = {
        "NBL_SEND point=0 actor=sw id=%u src_port=5 frame=64",
        "NBL_SEND point=1 actor=0 id=%u src_port=5 frame=64",
        "NBL_INDICATE point=1 actor=sw id=%u src_port=5 dest=6:0 frame=64",
        "NBL_INDICATE point=0 actor=0 id=%u src_port=5 dest=6:0 frame=64",
        "NBL_RETURN point=0 actor=sw id=%u src_port=5 dest=6:0",
        "NBL_RETURN point=1 actor=0 id=%u src_port=5 dest=6:0",
        "NBL_SEND_COMPLETE point=1 actor=sw id=%u src_port=5",
        "NBL_SEND_COMPLETE point=0 actor=0 id=%u src_port=5",
        "OID_REQUEST point=0 actor=sw id=%u oid=OID_SWITCH_PORT_UPDATED type=set data=1056",
        "OID_REQUEST point=1 actor=0 id=%u parent=%u oid=OID_SWITCH_PORT_UPDATED type=set data=1056",
        "OID_COMPLETE point=1 actor=sw id=%u oid=OID_SWITCH_PORT_UPDATED type=set data=1056",
        "OID_COMPLETE point=0 actor=0 id=%u oid=OID_SWITCH_PORT_UPDATED type=set data=1056",
    };
    struct xsw_rec rec;
    char line[256], err[256];
    uint64_t frame = 0;
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "META depth=1 ext.0.class=filter", &rec, err, sizeof err), 1);
    CU_ASSERT(xsw_checker_feed(c, &rec, ++frame) == 0);
    int violations = 0;
    clock_t t0 = clock();
    for (unsigned i = 1; i <= 20000; i++)
        for (unsigned k = 0; k < 12; k++) {
            unsigned parent = 2000000 + i, child = 3000000 + i;
            unsigned a = k < 8 ? i : (k == 8 || k == 11) ? parent : child;
            snprintf(line, sizeof line, rt[k], a, parent);
            CU_ASSERT_EQUAL(xsw_rectext_parse(st, line, &rec, err, sizeof err), 1);
            violations += xsw_checker_feed(c, &rec, ++frame);
        }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CU_ASSERT_EQUAL(violations, 0);
    struct xsw_check_stats s;
    xsw_checker_stats(c, &s);
    CU_ASSERT_EQUAL(s.live_nbls, 0);
    CU_ASSERT_EQUAL(s.live_oids, 0);
    CU_ASSERT(s.peak_nbls <= 1);
    CU_ASSERT_EQUAL(xsw_checker_finish(c), 0);
    fprintf(stderr, "\n  [%llu records incl. text parsing in %.2f s]\n", (unsigned long long)s.records, secs);
    xsw_checker_free(c);
    free(st);
}

XSW_TEST(checker, rectext_errors)
{
    struct xsw_rectext *st = malloc(sizeof *st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    xsw_rectext_init(st);
    struct xsw_rec rec;
    char err[256];
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "  # comment", &rec, err, sizeof err), 0);
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "NBL_SENT point=0", &rec, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "unknown record kind 'NBL_SENT'");
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "OID_REQUEST oid=OID_SWITCH_NIC_CONECT", &rec, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "oid: unknown name or invalid number 'OID_SWITCH_NIC_CONECT'");
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "NBL_SEND handler=1", &rec, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "handler: unknown key for NBL_SEND");
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "OID_REQUEST data=8,u32@6=1", &rec, err, sizeof err), 1);
    CU_ASSERT_EQUAL(rec.u.oid.data_len, 10);
    CU_ASSERT_EQUAL(rec.u.oid.info_len, 10);
    CU_ASSERT_EQUAL(rec.u.oid.data[6], 1);
    CU_ASSERT_EQUAL(xsw_rectext_parse(st, "NBL_SEND src_port=7 src_nic=2 safe=1 dest=3:1:x,4:0", &rec, err, sizeof err), 1);
    CU_ASSERT_EQUAL(rec.port_id, 7);
    CU_ASSERT_EQUAL(rec.u.nbl.fwd, 0x0000040200070000ull);
    CU_ASSERT_EQUAL(rec.u.nbl.num_dest, 2);
    struct xsw_dest d = xsw_rec_dest(rec.u.nbl.dest, 0);
    CU_ASSERT(d.port_id == 3 && d.nic_index == 1 && d.bits == 1);
    free(st);
}
