/*
 * fuzz_spec.c - fuzz target for the conformance spec loader: the YAML reader
 * and rule walker of suite/spec.c and the expression compiler of
 * suite/expr.c (docs/spec-format.md). One input is one spec file.
 *
 * Built two ways (fuzz/fuzz.mk):
 *  - with clang -fsanitize=fuzzer,address,undefined -DXSW_LIBFUZZER as a
 *    libFuzzer target (make fuzz runs it with every other target);
 *  - with any compiler as a replay program over the files named on the
 *    command line (fuzz/replay.h), so that `make test` replays the seed
 *    corpus and every saved crash input (fixtures/fuzz/spec/) through
 *    tests/fuzz_replay.sh, under the normal build and under SANITIZE=1.
 *
 * When the input loads, a checker is built from it and fed a short fixed
 * record stream that leaves one object of every tracked kind live (an OID
 * request, an NBL, a NIC reference, a query to retry), so that the fuzzed
 * expressions are evaluated in every record and end-of-trace context, and
 * its violations are formatted.
 *
 * Besides not crashing, the target checks the loader's promises: a load
 * either keeps every rule of the file (each with its id, text, source,
 * classes and place, found again by its id) or none, a failure is
 * XSW_EINVAL, XSW_ELIMIT or XSW_ENOMEM with a message that starts with the
 * file name, and loading the same file twice fails on the duplicate ids.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/check.h"

#define NAME "fuzz.yaml"

static void die(const char *msg, const char *detail)
{
    fprintf(stderr, "fuzz_spec: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void on_violation(void *arg, const struct xsw_violation *v)
{
    char buf[4096];
    (void)arg;
    if (!v->rule || !v->rule->id || !v->expected || !v->actual || !v->object || !v->ext_class)
        die("violation with a missing string", NULL);
    if (xsw_violation_format(v, buf, sizeof buf) == 0)
        die("empty violation text", v->rule->id);
}

/* ---- The fixed record stream ------------------------------------------------- */

static uint8_t frame64[64];
static uint8_t info16[16];
static uint8_t dest1[XSW_DEST_LEN] = {5, 0, 0, 0, 0, 0, 0, 0}; /* port 5, NIC 0 */

static struct xsw_rec rec(uint8_t kind, uint8_t point, uint8_t actor, uint64_t id)
{
    struct xsw_rec r;
    memset(&r, 0, sizeof r);
    r.version = XSW_TRACE_VERSION;
    r.kind = kind;
    r.point = point;
    r.depth = 1;
    r.actor = actor;
    r.id = id;
    r.port_id = 5;
    return r;
}

static struct xsw_rec oid(uint8_t kind, uint8_t point, uint8_t actor, uint64_t id, uint32_t o, uint32_t type)
{
    struct xsw_rec r = rec(kind, point, actor, id);
    r.u.oid.oid = o;
    r.u.oid.type = type;
    r.u.oid.info_len = sizeof info16;
    r.u.oid.data = info16;
    r.u.oid.data_len = sizeof info16;
    return r;
}

static struct xsw_rec nbl(uint8_t kind, uint8_t point, uint8_t actor)
{
    struct xsw_rec r = rec(kind, point, actor, 0x100);
    r.u.nbl.chain_len = 1;
    r.u.nbl.fwd = (uint64_t)5 << 16 | 1;
    r.u.nbl.num_dest = 1;
    r.u.nbl.num_elem = 4;
    r.u.nbl.dest = dest1;
    r.u.nbl.frame = frame64;
    r.u.nbl.frame_len = sizeof frame64;
    r.u.nbl.cap_len = sizeof frame64;
    r.u.nbl.nb_count = 1;
    return r;
}

/* Feed one extension (a filter) a few records of every kind; leave objects live. */
static void feed_stream(struct xsw_checker *c)
{
    static const char meta[] = "scenario=fuzz\next.0.class=filter\next.0.guid=6B3E0F84-1C3B-4C4E-9A1D-0123456789AB\n";
    struct xsw_rec r[16];
    unsigned n = 0;
    r[n] = rec(XSW_K_META, 0xF3, 0xFF, 0);
    r[n].u.meta.text = meta;
    r[n++].u.meta.text_len = sizeof meta - 1;
    r[n++] = oid(XSW_K_OID_REQUEST, 0, 0xFF, 1, 0x0001027B, 1);        /* NIC_CONNECT from the protocol edge */
    r[n] = oid(XSW_K_OID_REQUEST, 1, 0, 2, 0x0001027B, 1);             /* ... forwarded by the filter */
    r[n++].parent = 1;
    r[n++] = oid(XSW_K_OID_COMPLETE, 1, 0xFF, 2, 0x0001027B, 1);
    r[n++] = oid(XSW_K_OID_COMPLETE, 0, 0, 1, 0x0001027B, 1);
    r[n++] = nbl(XSW_K_NBL_SEND, 0, 0xFF);
    r[n] = rec(XSW_K_HANDLER_CALL, 0xF2, 0, 0);
    r[n].u.hc.handler = XSW_H_ReferenceSwitchNic;
    r[n].u.hc.num_dest = 1;
    r[n++].u.hc.dest = dest1;
    r[n++] = nbl(XSW_K_NBL_SEND, 1, 0);
    r[n] = rec(XSW_K_FINDING, 0xF3, 0, 0);
    r[n++].u.finding.code = XSW_F_POOL_LEAK;
    r[n] = rec(XSW_K_STATUS, 1, 0xFF, 0);
    r[n++].u.status.code = 0x40010000;
    r[n] = rec(XSW_K_PNP_EVENT, 0, 0xFF, 0);
    r[n++].u.pnp.event = 17;
    r[n] = rec(XSW_K_FILTER_STATE, 0xF3, 0, 0);
    r[n++].u.fs.event = XSW_FE_RESTART;
    r[n++] = oid(XSW_K_OID_REQUEST, 0, 0xFF, 3, 0x00010276, 0);        /* PORT_ARRAY query, left pending */
    r[n] = oid(XSW_K_OID_REQUEST, 1, 0, 4, 0x00010275, 0);             /* the filter's own query ... */
    r[n++].flags = XSW_RF_ORIGINATED;
    r[n] = oid(XSW_K_OID_COMPLETE, 1, 0xFF, 4, 0x00010275, 0);         /* ... comes back too short */
    r[n].status = 0xC0010016;
    r[n++].u.oid.needed = 2048;
    for (unsigned i = 0; i < n; i++) {
        r[i].seq = i + 1;
        if (xsw_checker_feed(c, &r[i], i + 1) < 0)
            die("xsw_checker_feed failed", NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[2048];
    struct xsw_spec *s = xsw_spec_new();
    if (!s)
        return 0;
    err[0] = 0;
    int rc = xsw_spec_load_buffer(s, NAME, (const char *)data, size, err, sizeof err);
    size_t n = xsw_spec_rule_count(s);
    if (rc != 0) {
        if (rc != XSW_EINVAL && rc != XSW_ELIMIT && rc != XSW_ENOMEM)
            die("unexpected result", NULL);
        if (strncmp(err, NAME ":", sizeof NAME) != 0)
            die("error without the file name", err);
        if (n != 0)
            die("a failed load kept rules", err);
        xsw_spec_free(s);
        return 0;
    }
    if (n == 0)
        die("a successful load has no rules", NULL);
    for (size_t i = 0; i < n; i++) {
        const struct xsw_rule_info *ri = xsw_spec_rule(s, i);
        if (!ri || !ri->id || !ri->text || !ri->source || !ri->classes || !ri->file || !ri->line)
            die("rule with a missing field", ri && ri->id ? ri->id : NULL);
        if (xsw_spec_find(s, ri->id) != (long)i)
            die("rule not found by its id", ri->id);
    }
    /* The same file again: its ids are taken, nothing of it may be kept. */
    rc = xsw_spec_load_buffer(s, NAME, (const char *)data, size, err, sizeof err);
    if (rc == 0 || xsw_spec_rule_count(s) != n)
        die("a second load of the same rules did not fail cleanly", err);

    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    cfg.on_violation = on_violation;
    struct xsw_checker *c = xsw_checker_new(s, &cfg);
    if (c) {
        if (xsw_checker_finish(c) != 0)
            die("violations from an empty trace", NULL);
        xsw_checker_free(c);
    }
    c = xsw_checker_new(s, &cfg);
    if (c) {
        feed_stream(c);
        if (xsw_checker_finish(c) < 0)
            die("xsw_checker_finish failed", NULL);
        xsw_checker_free(c);
    }
    xsw_spec_free(s);
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_spec"
#include "replay.h"
#endif
