/*
 * fuzz_checker.c - fuzz target for the checker engine (suite/check.c) and
 * the NDIS structures it decodes from records: OID information buffers
 * (OID_SWITCH_PARAMETERS, PORT_ARRAY / NIC_ARRAY element walks, NIC_SAVE
 * state with its ExtensionId), NBL forwarding details and destination
 * lists, HANDLER_CALL arguments, FILTER_STATE events and META "key=value"
 * lines (extension classes and GUIDs). One input is a stream of xsw records
 * (fuzz/records.h), judged against the rules shipped in suite/specs/.
 *
 * Built two ways (fuzz/fuzz.mk): as a libFuzzer target with clang
 * -DXSW_LIBFUZZER, and as a replay program (fuzz/replay.h) that `make test`
 * runs over fixtures/fuzz/checker/ through tests/fuzz_replay.sh.
 *
 * Two checkers see the same records: one configured as xsw-analyze runs it
 * (classes from META, violations through a callback, formatted at once),
 * one with the options turned the other way (classes from the
 * configuration, OID timeouts, the largest frame comparison, few tracked
 * objects and collected violations), so that the limits are reached too.
 * Besides not crashing, the target checks the engine's promises: feed
 * returns a count or XSW_ENOMEM, every violation comes with its strings and
 * formats, and no more violations are collected than configured.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "xsw/check.h"

#ifndef XSW_FUZZ_SPEC_DIR
#define XSW_FUZZ_SPEC_DIR "suite/specs"
#endif

#define MAX_COLLECTED 32

static struct xsw_spec *spec;

static void die(const char *msg, const char *detail)
{
    fprintf(stderr, "fuzz_checker: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void check_violation(const struct xsw_violation *v)
{
    char buf[4096];
    if (!v->rule || !v->rule->id || !v->expected || !v->actual || !v->object || !v->ext_class)
        die("violation with a missing string", NULL);
    if (v->rule_index >= xsw_spec_rule_count(spec) || v->nrelated > 3)
        die("violation with an impossible rule index or related-frame count", v->rule->id);
    if (xsw_violation_format(v, buf, sizeof buf) == 0)
        die("empty violation text", v->rule->id);
}

static void on_violation(void *arg, const struct xsw_violation *v)
{
    (void)arg;
    check_violation(v);
}

struct pair {
    struct xsw_checker *a, *b;
};

static void feed(void *arg, const struct xsw_rec *r, uint64_t frame)
{
    struct pair *p = arg;
    int ra = xsw_checker_feed(p->a, r, frame);
    int rb = xsw_checker_feed(p->b, r, frame);
    if ((ra < 0 && ra != XSW_ENOMEM) || (rb < 0 && rb != XSW_ENOMEM))
        die("xsw_checker_feed returned an unexpected error", NULL);
}

/* The shipped rules, loaded once. */
static int load_spec(void)
{
    char err[2048];
    if (spec)
        return 0;
    spec = xsw_spec_new();
    if (!spec || xsw_spec_load_dir(spec, XSW_FUZZ_SPEC_DIR, err, sizeof err) || !xsw_spec_rule_count(spec)) {
        fprintf(stderr, "fuzz_checker: cannot load the rules of %s: %s\n", XSW_FUZZ_SPEC_DIR, spec ? err : "out of memory");
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_spec();
    struct xsw_check_config ca, cb;
    xsw_check_config_init(&ca);
    ca.on_violation = on_violation;
    xsw_check_config_init(&cb);
    cb.ignore_meta = 1;
    for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++)
        cb.ext_class[i] = (uint8_t)(1 + i % 3);
    cb.oid_timeout = 16;
    cb.frame_cmp = XSW_CHECK_FRAME_SNAP;
    cb.max_objects = 8;
    cb.max_collected = MAX_COLLECTED;
    struct pair p = {xsw_checker_new(spec, &ca), xsw_checker_new(spec, &cb)};
    if (!p.a || !p.b) {
        xsw_checker_free(p.a);
        xsw_checker_free(p.b);
        return 0;
    }
    uint64_t frames = xsw_fuzz_records(data, size, feed, &p);
    int ra = xsw_checker_finish(p.a), rb = xsw_checker_finish(p.b);
    if ((ra < 0 && ra != XSW_ENOMEM) || (rb < 0 && rb != XSW_ENOMEM))
        die("xsw_checker_finish returned an unexpected error", NULL);
    struct xsw_check_stats st;
    xsw_checker_stats(p.a, &st);
    if (st.records > frames || st.must + st.should != st.violations)
        die("inconsistent checker statistics", NULL);
    const struct xsw_violation *v;
    size_t n = xsw_checker_collected(p.b, &v);
    if (n > MAX_COLLECTED)
        die("more violations collected than configured", NULL);
    for (size_t i = 0; i < n; i++)
        check_violation(&v[i]);
    for (size_t i = 0; i < xsw_spec_rule_count(spec); i++) {
        uint64_t ev, vi;
        xsw_checker_rule_counts(p.a, i, &ev, &vi);
        if (vi > ev)
            die("a rule violated more often than evaluated", xsw_spec_rule(spec, i)->id);
    }
    xsw_checker_free(p.a);
    xsw_checker_free(p.b);
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_checker"
#include "replay.h"
#endif
