/*
 * builtin.h - the rules xsw-suite checks with built-in modules rather than
 * with conditions of the rule language (docs/spec-format.md "Built-in
 * rules"): the guest-side NVSP rules of xsw-analyze (analyzer/nvsp.c, ids
 * and texts in analyzer/nvsp_rules.def), run with the same code over the
 * NVSP messages inside the VMBUS records of each case
 * (../shared/reference/vmbus-nvsp-rndis.md §2).
 *
 * The rules are registered in the spec (xsw_spec_add_builtin), so listings,
 * the JSON certification record and every report show them like the YAML
 * rules; their violations come out as struct xsw_violation under those
 * indices, through the same callback as the checker's.
 *
 * Return conventions as in check.h. Destructors accept NULL.
 */
#ifndef XSW_SUITE_BUILTIN_H
#define XSW_SUITE_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "xsw/check.h"
#include "xsw/trace.h"

/* Register every built-in rule in "spec" (after the YAML files). Returns 0 or a negative XSW_E* with "err". */
int xsw_builtin_register(struct xsw_spec *spec, char *err, size_t errlen);

struct xsw_builtin;

/*
 * Judge the records of one case: violations go to "fn" with the rule
 * indices of "spec" (which must outlive it and hold the registered rules).
 * Returns NULL only when memory runs out.
 */
struct xsw_builtin *xsw_builtin_new(const struct xsw_spec *spec, xsw_violation_fn fn, void *arg);
void xsw_builtin_free(struct xsw_builtin *b);

/* Feed one decoded record; "frame" as for xsw_checker_feed. Records other than VMBUS are ignored. */
void xsw_builtin_feed(struct xsw_builtin *b, const struct xsw_rec *r, uint64_t frame);

/* The end-of-case rules; "last_frame" is the last record's frame. */
void xsw_builtin_finish(struct xsw_builtin *b, uint64_t last_frame);

#endif
