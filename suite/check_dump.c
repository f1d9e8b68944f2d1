/*
 * check_dump.c - xsw-check-dump: the checker's every decision over record
 * text fixtures (docs/spec-format.md "Record text and checker fixtures"),
 * printed in full: each violation as xsw_violation_format() writes it with
 * its frame, extension and class, the checker's statistics and each rule's
 * evaluation and violation counts.
 *
 * It is built twice (suite/suite.mk): against the engine as shipped and
 * against its reference build (check.c with -DXSW_CHECK_REFERENCE, which
 * evaluates every rule as written instead of through plans and specialised
 * conditions). suite/tests/reference.sh runs both over every fixture and
 * requires identical output, so an optimisation cannot change a verdict, a
 * message or a count unnoticed.
 *
 *   xsw-check-dump SPEC_DIR FIXTURE...
 *
 * Each fixture is judged alone under two configurations (the default and
 * 20 snapshot bytes), then all of them in one stream through one checker, as
 * successive scenarios. Fixture lines "include NAME" read
 * fixtures/checker/common/NAME; "expect" lines are ignored; "config
 * oid_timeout=N" applies. Exit status 0, or 1 on a usage, spec or parse error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/check.h"

static void on_violation(void *arg, const struct xsw_violation *v)
{
    char buf[8192];
    (void)arg;
    xsw_violation_format(v, buf, sizeof buf);
    printf("violation frame=%llu at_end=%d ext=%d class=%s\n%s\n", (unsigned long long)v->frame, v->at_end, v->ext,
           v->ext_class, buf);
}

struct feed {
    struct xsw_checker *c; /* NULL: only read the fixture's config */
    uint64_t *frame, *oid_timeout;
};

static int feed_record(void *arg, const struct xsw_rec *r)
{
    struct feed *fd = arg;
    (*fd->frame)++;
    int n = fd->c ? xsw_checker_feed(fd->c, r, *fd->frame) : 0;
    if (n < 0)
        printf("feed error %d at frame %llu\n", n, (unsigned long long)*fd->frame);
    return 0;
}

static void feed_directive(void *arg, const char *line)
{
    struct feed *fd = arg;
    unsigned long long v;
    if (sscanf(line, "config oid_timeout=%llu", &v) == 1)
        *fd->oid_timeout = v;
}

/* Feed the records of "path" (and its includes) to "c" (NULL: only read its config). */
static int feed(struct xsw_checker *c, struct xsw_rectext *st, const char *path, uint64_t *frame,
                uint64_t *oid_timeout)
{
    struct feed fd = {c, frame, oid_timeout};
    const struct xsw_rectext_file_cb cb = {feed_record, feed_directive, &fd};
    char err[512];
    if (xsw_rectext_feed_file(st, path, "fixtures/checker/common", &cb, err, sizeof err) != 0) {
        fprintf(stderr, "xsw-check-dump: %s\n", err);
        return -1;
    }
    return 0;
}

static void dump_counts(const struct xsw_spec *spec, struct xsw_checker *c)
{
    struct xsw_check_stats s;
    xsw_checker_stats(c, &s);
    printf("stats records=%llu skipped=%llu evaluations=%llu violations=%llu must=%llu should=%llu untracked=%llu "
           "live_oids=%llu live_nbls=%llu live_nics=%llu live_ports=%llu peak_nbls=%llu\n",
           (unsigned long long)s.records, (unsigned long long)s.skipped, (unsigned long long)s.evaluations,
           (unsigned long long)s.violations, (unsigned long long)s.must, (unsigned long long)s.should,
           (unsigned long long)s.untracked, (unsigned long long)s.live_oids, (unsigned long long)s.live_nbls,
           (unsigned long long)s.live_nics, (unsigned long long)s.live_ports, (unsigned long long)s.peak_nbls);
    for (size_t i = 0; i < xsw_spec_rule_count(spec); i++) {
        uint64_t ev, vi;
        xsw_checker_rule_counts(c, i, &ev, &vi);
        if (ev || vi)
            printf("rule %s evaluated=%llu violated=%llu\n", xsw_spec_rule(spec, i)->id, (unsigned long long)ev,
                   (unsigned long long)vi);
    }
}

static struct xsw_checker *new_checker(const struct xsw_spec *spec, uint64_t oid_timeout, unsigned frame_cmp)
{
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    cfg.on_violation = on_violation;
    cfg.oid_timeout = oid_timeout;
    if (frame_cmp)
        cfg.frame_cmp = frame_cmp;
    return xsw_checker_new(spec, &cfg);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: xsw-check-dump SPEC_DIR FIXTURE...\n");
        return 1;
    }
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *spec = xsw_spec_new();
    struct xsw_rectext *st = malloc(sizeof *st);
    if (!spec || !st || xsw_spec_load_dir(spec, argv[1], err, sizeof err)) {
        fprintf(stderr, "xsw-check-dump: %s\n", spec && st ? err : "out of memory");
        xsw_spec_free(spec);
        free(st);
        return 1;
    }
    static const unsigned frame_cmp[] = {0, 20};
    int rc = 0;
    for (int a = 2; a < argc && !rc; a++)
        for (size_t k = 0; k < sizeof frame_cmp / sizeof frame_cmp[0] && !rc; k++) {
            uint64_t frame = 0, oid_timeout = 0;
            xsw_rectext_init(st);
            if (feed(NULL, st, argv[a], &frame, &oid_timeout)) {
                rc = 1;
                break;
            }
            struct xsw_checker *c = new_checker(spec, oid_timeout, frame_cmp[k]);
            if (!c) {
                rc = 1;
                break;
            }
            printf("== %s frame_cmp=%u oid_timeout=%llu\n", argv[a], frame_cmp[k], (unsigned long long)oid_timeout);
            xsw_rectext_init(st);
            frame = 0;
            rc = feed(c, st, argv[a], &frame, &oid_timeout) ? 1 : 0;
            printf("finish %d\n", xsw_checker_finish(c));
            dump_counts(spec, c);
            xsw_checker_free(c);
        }
    /* Every fixture through one checker: a META starts each scenario, plans are rebuilt and reused. */
    struct xsw_checker *c = rc ? NULL : new_checker(spec, 0, 0);
    if (c) {
        printf("== all fixtures in one stream\n");
        uint64_t frame = 0, oid_timeout = 0;
        for (int a = 2; a < argc && !rc; a++) {
            xsw_rectext_init(st);
            rc = feed(c, st, argv[a], &frame, &oid_timeout) ? 1 : 0;
        }
        printf("finish %d\n", xsw_checker_finish(c));
        dump_counts(spec, c);
        xsw_checker_free(c);
    } else if (!rc) {
        rc = 1;
    }
    xsw_spec_free(spec);
    free(st);
    return rc;
}
