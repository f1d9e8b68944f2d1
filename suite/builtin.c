/*
 * builtin.c - the built-in rules of xsw-suite (builtin.h): registration of
 * the guest NVSP rules of analyzer/nvsp.c in the spec, and the glue that
 * feeds them the VMBUS records of a case and turns their violations into
 * the checker's struct xsw_violation. The rules themselves, their state
 * machines and texts are the analyzer's module, linked as is: xsw-suite and
 * xsw-analyze judge a trace with the same code.
 */
#include "builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

struct xsw_builtin {
    const struct xsw_spec *spec;
    xsw_violation_fn fn;
    void *arg;
    struct xan_nvsp *nvsp;
};

int xsw_builtin_register(struct xsw_spec *spec, char *err, size_t errlen)
{
    for (unsigned i = 0; i < XNR__N; i++) {
        struct xan_rule k;
        xan_nvsp_rule(NULL, i, &k);
        /* The guest's NetVSC is judged, not an extension: "guest" is its class in listings. */
        struct xsw_rule_info info = {.id = k.id, .level = k.level, .text = k.text, .source = k.source,
                                     .classes = "guest", .file = k.where, .builtin = 1};
        long r = xsw_spec_add_builtin(spec, &info, err, errlen);
        if (r < 0)
            return (int)r;
    }
    return 0;
}

/* An NVSP rule fired: report it under its index in the spec. */
static void on_nvsp(void *arg, const struct xan_viol *v)
{
    struct xsw_builtin *b = arg;
    long idx = xsw_spec_find(b->spec, v->rule);
    if (idx < 0 || !b->fn)
        return; /* not registered in this spec: nothing to report it under */
    struct xsw_violation out;
    memset(&out, 0, sizeof out);
    out.rule = xsw_spec_rule(b->spec, (size_t)idx);
    out.rule_index = (size_t)idx;
    out.expected = v->expected;
    out.actual = v->actual;
    out.object = v->object;
    out.frame = v->frame;
    out.at_end = v->at_end;
    out.ext = -1;
    out.ext_class = v->ext_class;
    out.nrelated = v->nrel > 3 ? 3 : v->nrel;
    for (unsigned i = 0; i < out.nrelated; i++)
        out.related[i] = v->rel[i];
    b->fn(b->arg, &out);
}

struct xsw_builtin *xsw_builtin_new(const struct xsw_spec *spec, xsw_violation_fn fn, void *arg)
{
    struct xsw_builtin *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->spec = spec;
    b->fn = fn;
    b->arg = arg;
    b->nvsp = xan_nvsp_new("frame", on_nvsp, b);
    if (!b->nvsp) {
        free(b);
        return NULL;
    }
    return b;
}

void xsw_builtin_free(struct xsw_builtin *b)
{
    if (!b)
        return;
    xan_nvsp_free(b->nvsp);
    free(b);
}

void xsw_builtin_feed(struct xsw_builtin *b, const struct xsw_rec *r, uint64_t frame)
{
    if (r->kind != XSW_K_VMBUS)
        return;
    /* One NetVSC device per VM NIC, named as xsw-analyze names it (docs/analyzer.md). */
    struct xan_nv_event ev;
    if (xan_nvsp_from_vmbus(r->u.vmbus.pkt, r->u.vmbus.pkt_len, r->u.vmbus.dir, &ev) != 1)
        return;
    snprintf(ev.dev, sizeof ev.dev, "port %u nic %u", (unsigned)r->port_id, (unsigned)r->nic_index);
    ev.frame = frame;
    ev.ts_ns = 0;
    xan_nvsp_feed(b->nvsp, &ev);
}

void xsw_builtin_finish(struct xsw_builtin *b, uint64_t last_frame)
{
    xan_nvsp_finish(b->nvsp, last_frame);
}
