/*
 * check.h - conformance specs and the one checker engine.
 *
 * A spec is a set of rules loaded from YAML files (suite/specs/AREA.yaml, format
 * in docs/spec-format.md). Each rule names a requirement of the Hyper-V
 * extensible switch documentation (../shared/reference/extensible-switch.md
 * §4-7 and the learn.microsoft.com pages it cites) and a machine-checkable
 * condition over an xsw trace (trace.h, HELPERS.md "Trace semantics").
 *
 * The checker feeds on decoded records one at a time, keeps per-object state
 * (ports, NICs, reference counts, OID request trees, NBLs, extension states)
 * only for live objects, and reports violations through a callback. The same
 * engine runs online in xsw-suite (records fed as the harness writes them)
 * and offline in xsw-analyze (records fed from a trace file).
 *
 * Return conventions as in trace.h: 0 or a count on success, a negative
 * XSW_E* code on failure with a message in the caller's error buffer.
 * Destructors accept NULL.
 */
#ifndef XSW_CHECK_H
#define XSW_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "xsw/trace.h"

/* ---- Loader limits (each rejection names the limit) ---------------------- */
#define XSW_SPEC_MAX_FILE (1u << 20)   /* bytes in one spec file */
#define XSW_SPEC_MAX_SCALAR 8192u      /* bytes in one scalar */
#define XSW_SPEC_MAX_NESTING 8u        /* nested collections */
#define XSW_SPEC_MAX_ITEMS 256u        /* entries of one mapping or sequence */
#define XSW_SPEC_MAX_RULES 1024u       /* rules in one spec, all files together */
#define XSW_SPEC_MAX_EXPR_NODES 256u   /* nodes of one compiled expression */
#define XSW_SPEC_MAX_EXPR_DEPTH 64u    /* nested parentheses, calls and unary operators in one expression */

/* Extensions the checker follows; deeper stacks are counted as skipped. */
#define XSW_CHECK_MAX_DEPTH 16u
/* Leading frame bytes kept per live NBL for comparisons between boundaries. */
#define XSW_CHECK_FRAME_SNAP 128u

enum xsw_level { XSW_LEVEL_MUST = 0, XSW_LEVEL_SHOULD = 1 }; /* = VERDICT level byte */

/* ---- Specs ---------------------------------------------------------------- */

struct xsw_spec;

/* What a report needs to know about a rule; strings live as long as the spec. */
struct xsw_rule_info {
    const char *id;      /* "XSW-OID-004" */
    enum xsw_level level;
    const char *text;    /* the requirement, one paragraph */
    const char *source;  /* "learn.microsoft.com: oid-switch-nic-connect" (several joined by "; ") */
    const char *classes; /* "capture,filter,forward", "all" ... as written */
    const char *file;    /* spec file and line of the rule's "id"; for a built-in rule where it is defined */
    unsigned line;       /* 0 for a built-in rule */
    int builtin;         /* 1: judged by a built-in module (xsw_spec_add_builtin), not by a condition */
};

struct xsw_spec *xsw_spec_new(void);
void xsw_spec_free(struct xsw_spec *s);

/*
 * Load the rules of one YAML file (or of "len" bytes named "name") into "s".
 * Rule ids must be unique across everything loaded into "s". On error nothing
 * of that file is kept and "err" holds "file:line:col: message" followed by
 * the offending line and a caret under the column.
 */
int xsw_spec_load_file(struct xsw_spec *s, const char *path, char *err, size_t errlen);
int xsw_spec_load_buffer(struct xsw_spec *s, const char *name, const char *text, size_t len, char *err,
                         size_t errlen);
/* Load every *.yaml file of "dir" in name order. */
int xsw_spec_load_dir(struct xsw_spec *s, const char *dir, char *err, size_t errlen);

/*
 * Register a built-in rule: a requirement judged by a module of its own
 * rather than by a condition in the rule language (the guest NVSP rules of
 * analyzer/nvsp.c, which follow state along a NetVSC channel). It has an id,
 * level, text, source and classes like a YAML rule ("info"; file names where
 * it is defined, line is ignored) and takes part in listings and reports, but
 * the checker never evaluates it: its module reports violations under the
 * index this returns. Returns that index, or XSW_EINVAL (malformed or
 * duplicate id, missing text), XSW_ELIMIT (XSW_SPEC_MAX_RULES) or XSW_ENOMEM,
 * with a message in "err".
 */
long xsw_spec_add_builtin(struct xsw_spec *s, const struct xsw_rule_info *info, char *err, size_t errlen);

size_t xsw_spec_rule_count(const struct xsw_spec *s);
const struct xsw_rule_info *xsw_spec_rule(const struct xsw_spec *s, size_t i);
/* Index of rule "id", or -1. */
long xsw_spec_find(const struct xsw_spec *s, const char *id);

/* ---- Checker -------------------------------------------------------------- */

struct xsw_frame_ref {
    const char *what; /* "request", "forwarded request", "NBL first seen" ... */
    uint64_t frame;
};

/* One violated requirement. Strings are valid during the callback only. */
struct xsw_violation {
    const struct xsw_rule_info *rule;
    size_t rule_index;
    const char *expected; /* the condition that did not hold, as written in the spec */
    const char *actual;   /* the values it saw: "rec.status=NDIS_STATUS_FAILURE, ..." */
    const char *object;   /* the tracked object: "OID request 0x12 at point 1", "" if none */
    uint64_t frame;       /* judged record; for end-of-trace findings the last frame seen */
    int at_end;           /* 1: found at the end of the trace (or on an OID timeout) */
    int ext;              /* extension judged (stack index), -1 if none */
    const char *ext_class;/* "capture", "filter", "forward", "unknown" */
    unsigned nrelated;
    struct xsw_frame_ref related[3];
};

typedef void (*xsw_violation_fn)(void *arg, const struct xsw_violation *v);

struct xsw_check_config {
    /*
     * Class of the extension at each stack index (enum xsw_ext_class of
     * xsw/switch.h: 0 unknown, 1 capture, 2 filter, 3 forward). A META
     * record's ext.N.class lines replace these unless ignore_meta is set.
     */
    uint8_t ext_class[XSW_CHECK_MAX_DEPTH];
    int ignore_meta;
    /*
     * An OID request an extension has not completed after this many records
     * is reported then (timestamps are virtual, one record = 1 us, so this is
     * also the timeout in microseconds). 0: only at the end of the trace.
     */
    uint64_t oid_timeout;
    /* Leading frame bytes compared between boundaries (<= XSW_CHECK_FRAME_SNAP). */
    unsigned frame_cmp;
    /* Live objects per tracker before new ones go untracked (stats.untracked). */
    size_t max_objects;
    /* Violations go to on_violation; without it they are collected (at most max_collected). */
    xsw_violation_fn on_violation;
    void *arg;
    size_t max_collected;
};

/* Defaults: unknown classes, META used, no timeout, 64 frame bytes, 4M objects, 10000 collected. */
void xsw_check_config_init(struct xsw_check_config *cfg);

struct xsw_checker;

/* The spec must outlive the checker. Returns NULL only when memory runs out. */
struct xsw_checker *xsw_checker_new(const struct xsw_spec *spec, const struct xsw_check_config *cfg);
void xsw_checker_free(struct xsw_checker *c);

/*
 * Judge one record ("frame" = its 1-based frame number) and update the
 * object trackers. Returns the number of violations it produced, or
 * XSW_ENOMEM. A META record after other records ends a scenario: the
 * end-of-scenario rules run and every tracker starts afresh.
 */
int xsw_checker_feed(struct xsw_checker *c, const struct xsw_rec *rec, uint64_t frame);

/* Run the end-of-trace rules on what is still live. Returns the number of violations. */
int xsw_checker_finish(struct xsw_checker *c);

struct xsw_check_stats {
    uint64_t records;     /* records fed */
    uint64_t skipped;     /* records ignored (depth beyond XSW_CHECK_MAX_DEPTH, bad point) */
    uint64_t evaluations; /* rule evaluations */
    uint64_t violations, must, should;
    uint64_t untracked;   /* objects not tracked because max_objects was reached */
    uint64_t live_oids, live_nbls, live_nics, live_ports;
    uint64_t peak_nbls;
};
void xsw_checker_stats(const struct xsw_checker *c, struct xsw_check_stats *out);

/* Times rule "i" was evaluated and violated. */
void xsw_checker_rule_counts(const struct xsw_checker *c, size_t i, uint64_t *evaluated, uint64_t *violated);

/* Violations collected when no callback was given (strings owned by the checker). */
size_t xsw_checker_collected(const struct xsw_checker *c, const struct xsw_violation **out);

/* Format "rule XSW-OID-004 (MUST): ..." with expected/actual and frames into "buf". */
size_t xsw_violation_format(const struct xsw_violation *v, char *buf, size_t len);

/* ---- Record text format (fixtures, docs/spec-format.md "Record text") ----- */

/*
 * One record per line: "KIND key=value ...", e.g.
 *   OID_REQUEST point=0 actor=sw id=1 oid=OID_SWITCH_NIC_CONNECT type=set port=3 data=2224
 * Parsed into "out", whose pointers point into "st" until the next call.
 */
struct xsw_rectext {
    uint8_t depth;  /* default depth for records without depth= (set by META depth=) */
    uint64_t seq;   /* sequence number of the last record */
    uint8_t body[65536];
    uint8_t dest[8192];
    char text[4096];
};
void xsw_rectext_init(struct xsw_rectext *st);
/* Returns 1 with a record in "out", 0 for a blank or comment line, or XSW_EINVAL with "err". */
int xsw_rectext_parse(struct xsw_rectext *st, const char *line, struct xsw_rec *out, char *err, size_t errlen);

/*
 * A checker fixture file (fixtures/checker/): record lines as above, "include NAME" lines that
 * read include_dir/NAME in their place (4 levels deep at most), and directive lines ("expect ...",
 * "config ...") handed to on_directive without their newline. Each record goes to on_record,
 * which returns < 0 to stop. Returns 0, the callback's negative value, or XSW_EINVAL with
 * "FILE:LINE: message" in err.
 */
struct xsw_rectext_file_cb {
    int (*on_record)(void *arg, const struct xsw_rec *r);
    void (*on_directive)(void *arg, const char *line); /* may be NULL */
    void *arg;
};
int xsw_rectext_feed_file(struct xsw_rectext *st, const char *path, const char *include_dir,
                          const struct xsw_rectext_file_cb *cb, char *err, size_t errlen);

#endif
