/*
 * analyze.h - internal interfaces of xsw-analyze, the offline streaming trace
 * analyzer (docs/analyzer.md). Not installed.
 *
 * Pipeline: an input reader (xsw pcap/pcapng traces in run.c, Linux netvsc
 * ftrace text in nvtext.c) turns the file into decoded records or NVSP
 * events; the summary statistics (stats.c), the one checker engine of
 * suite/ (include/xsw/check.h) and the built-in guest NVSP rules (nvsp.c)
 * consume them; report.c collects violations and output.c writes the human
 * summary, JSON and JUnit. Every consumer keeps state only for live objects
 * (ports, NICs, in-flight OIDs and NBLs, NetVSC devices) and bounded
 * aggregates, so memory never grows with the length of a trace.
 *
 * Return conventions as in trace.h: 0 or a count, negative XSW_E* codes,
 * messages naming the place ("FILE frame N offset M:" for traces,
 * "FILE line N col M:" for text). Destructors accept NULL.
 */
#ifndef XSW_ANALYZE_H
#define XSW_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xsw/check.h"
#include "xsw/trace.h"

/* Bounds of what is kept (all documented in docs/analyzer.md). */
#define XAN_MAX_ERRORS 32           /* input error messages kept per trace (all are counted) */
#define XAN_DEFAULT_MAX_DETAIL 1000 /* violations kept with their text per trace (all are counted) */
#define XAN_MAX_PORTS 65536         /* ports and NICs summarized per trace */
#define XAN_MAX_INFLIGHT (1u << 20) /* OID request/completion pairs and originated NBLs in flight */
#define XAN_MAX_OID_KINDS 1024      /* distinct (OID, inner OID) pairs in the latency table */
#define XAN_MAX_REASONS 256         /* distinct drop reasons */
#define XAN_MAX_GAPS 256            /* VF failover gap events listed (all are aggregated) */
#define XAN_MAX_EXT_EVENTS 32       /* filter state events listed per extension */
#define XAN_MAX_DEVICES 256         /* NetVSC devices followed by the NVSP rules */
#define XAN_MAX_DEV_EVENTS 64       /* VF / data-path events listed per device */
#define XAN_MAX_QUEUES 64           /* per-queue counters per device */
#define XAN_LINE_MAX 65536          /* longest text line read */

/* ---- Violations ---------------------------------------------------------------- */

/* One violated requirement, from the checker (a spec rule) or a built-in NVSP rule. */
struct xan_viol {
    const char *rule;   /* "XSW-DP-003" */
    enum xsw_level level;
    const char *text;   /* the requirement */
    const char *source; /* normative source(s) */
    const char *where;  /* spec file ("suite/specs/datapath.yaml") or "built-in (analyzer/nvsp_rules.def)" */
    unsigned line;      /* line of the rule in "where", 0 for built-in rules */
    uint64_t frame;     /* judged frame (traces) or line (text); last frame for at_end */
    int at_end;
    int ext;            /* extension index, -1 = switch / none */
    const char *ext_class;
    const char *expected, *actual, *object;
    unsigned nrel;
    struct xsw_frame_ref rel[3];
};

/* A rule as the reports list it, with its counters. */
struct xan_rule {
    const char *id;
    enum xsw_level level;
    const char *text, *source, *where;
    unsigned line;
    uint64_t evaluated, violated;
};

/* ---- Guest NVSP events (netvsc text, or NVSP inside VMBUS records) ------------- */

enum xan_nv_what {
    XNV_NVSP = 1,    /* an NVSP message (nvsp_send / nvsp_recv, or decoded from a VMBUS record) */
    XNV_SEND_PKT,    /* nvsp_send_pkt: a SEND_RNDIS_PKT the guest sent (queue, channel type, section) */
    XNV_RNDIS,       /* rndis_send / rndis_recv */
    XNV_VF_SLOT,     /* console "VF slot N added|removed" (refines the last VF association) */
    XNV_DP_SWITCHED, /* console "Data path switched to|from VF" (refines the last switch) */
    XNV_VMBUS_COMP,  /* a VMBus completion packet without an NVSP message (zero-length payload, §2.1) */
};

#define XNV_G2H 0 /* guest to host */
#define XNV_H2G 1 /* host to guest */

struct xan_nv_event {
    enum xan_nv_what what;
    char dev[64];       /* device: netdev name, or "port P nic N" for VMBUS records */
    uint8_t dir;
    uint32_t type;      /* NVSP or RNDIS message type */
    int has_alloc, has_dp, has_status;
    int is_comp;        /* carried by a VMBus completion packet (VMBUS records only) */
    /*
     * The VMBus packet header is known (VMBUS records only; netvsc text
     * shows neither the flags nor completions): then "comp_requested" is
     * flags bit 0 and "trans_id" the transaction id (vmbus-nvsp-rndis.md §1.1).
     */
    int has_vmbus, comp_requested;
    uint64_t trans_id;
    uint32_t alloc, serial, dp, status, version;
    uint16_t qid;
    uint32_t channel_type, section, size;
    uint32_t req_id, msg_len;
    uint64_t frame;     /* line number or frame number */
    uint64_t ts_ns;
};

/* Short NVSP type name ("INIT", "SWITCH_DATA_PATH") or NULL; lookup by short or full name. */
const char *xan_nvsp_short_name(uint32_t type);
int xan_nvsp_by_name(const char *s, size_t n, uint32_t *type);
/* netvsc_trace.h symbolic RNDIS names ("INIT_C") and their values. */
const char *xan_rndis_short_name(uint32_t type);
int xan_rndis_by_name(const char *s, size_t n, uint32_t *type);

/* ---- Built-in guest NVSP rules (nvsp.c, rules in nvsp_rules.def) --------------- */

enum xan_nvsp_rule {
#define XAN_NVSP_RULE(e, id, level, text, source) XNR_##e,
#include "nvsp_rules.def"
#undef XAN_NVSP_RULE
    XNR__N
};

struct xan_nvsp;
typedef void (*xan_viol_fn)(void *arg, const struct xan_viol *v);

/* "unit" names what ev->frame counts in messages: "frame" or "line". */
struct xan_nvsp *xan_nvsp_new(const char *unit, xan_viol_fn fn, void *arg);
void xan_nvsp_free(struct xan_nvsp *n);
void xan_nvsp_feed(struct xan_nvsp *n, const struct xan_nv_event *ev);
/* End-of-input rules; "last" is the last frame or line. */
void xan_nvsp_finish(struct xan_nvsp *n, uint64_t last);
/* Rule "i" (enum xan_nvsp_rule) with its counters ("n" may be NULL: the rule alone, counters 0). */
void xan_nvsp_rule(const struct xan_nvsp *n, unsigned i, struct xan_rule *out);
size_t xan_nvsp_devices(const struct xan_nvsp *n);
void xan_nvsp_print(const struct xan_nvsp *n, FILE *f);
void xan_nvsp_json(const struct xan_nvsp *n, FILE *f);

/*
 * Decode the NVSP message of the VMBus packet "pkt" (VMBUS record body,
 * docs/trace-format.md 4.9; vmbus-nvsp-rndis.md §1.1, §2.5) into "ev".
 * Returns 1 with an event, 0 when a packet other than a completion carries
 * no NVSP message (a payload shorter than the NVSP type), -1 when it is
 * malformed (bounds-checked). A completion without an NVSP message (the
 * host completes SWITCH_DATA_PATH with an empty payload, §2.1) gives an
 * XNV_VMBUS_COMP event: it carries only the transaction id by which the
 * NVSP rules match it to its request.
 */
int xan_nvsp_from_vmbus(const uint8_t *pkt, size_t len, uint8_t dir, struct xan_nv_event *ev);

/* ---- netvsc ftrace text (nvtext.c) ----------------------------------------------- */

/* Whether the first bytes of a file look like ftrace / trace-cmd / perf text with netvsc events. */
int xan_nvtext_sniff(const uint8_t *buf, size_t n);

/*
 * Parse one line (without its newline). Returns 1 with an event in "ev"
 * (frame and ts set from "lineno" and the line), 0 for a line that is not a
 * netvsc event (header, comment, other event), or -1 when a netvsc event is
 * malformed: "*col" (1-based) and "msg" say where and why.
 */
int xan_nvtext_parse(const char *line, size_t len, uint64_t lineno, struct xan_nv_event *ev, size_t *col,
                     char *msg, size_t msglen);

/* ---- Summary statistics of xsw traces (stats.c) ---------------------------------- */

struct xan_stats;
struct xan_stats *xan_stats_new(void);
void xan_stats_free(struct xan_stats *s);
/*
 * "nv" is what xan_nvsp_from_vmbus returned for a VMBUS record (its result "nv_rc" and event), so
 * a caller that decodes it for the NVSP rules too does so once; NULL: decoded here.
 */
void xan_stats_feed(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts_ns,
                    const struct xan_nv_event *nv, int nv_rc);
void xan_stats_print(const struct xan_stats *s, FILE *f);
void xan_stats_json(const struct xan_stats *s, FILE *f);
uint64_t xan_stats_records(const struct xan_stats *s);

/* ---- One analyzed input -------------------------------------------------------- */

enum xan_format { XAN_FMT_UNKNOWN = 0, XAN_FMT_PCAP, XAN_FMT_PCAPNG, XAN_FMT_NETVSC_TEXT };

struct xan_options {
    const char *spec_dir;
    const char **rules; /* --rule filter: nrules ids; none = every rule */
    unsigned nrules;
    int class_set[XSW_CHECK_MAX_DEPTH];
    uint8_t class_of[XSW_CHECK_MAX_DEPTH];
    const char *annotate;
    size_t max_detail;
    int strict;
    int quiet;
    int no_check;       /* --no-check: summary only, the spec rules are not evaluated */
};

struct xan_trace {
    const char *path;
    enum xan_format format;
    int complete;          /* read to its end */
    int opened;            /* could be opened at all */
    uint64_t units;        /* frames or lines read */
    uint64_t records;      /* records (or events) analyzed */
    uint64_t bad_records;  /* frames or lines that did not decode */
    uint64_t verdicts_written;
    char *errors[XAN_MAX_ERRORS];
    size_t nerrors, total_errors;
    /* violations: the first max_detail kept with their text, all counted */
    struct xan_viol *viol;
    size_t nviol, capviol, max_detail;
    uint64_t total_viol, must, should;
    /* rules with their counters, filled when the input is done */
    struct xan_rule *rules;
    size_t nrules;
    struct xan_stats *stats;
    struct xan_nvsp *nvsp;
    struct xsw_check_stats cstats;
    int checked;           /* the checker ran over this input */
    double seconds;
};

/* Record an input error or warning ("place: message"); it is printed to stderr at once. */
void xan_error(struct xan_trace *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Keep (if within max_detail) and count a violation. Returns 0 or XSW_ENOMEM. */
int xan_add_violation(struct xan_trace *t, const struct xan_viol *v);
/* Whether "id" passes the --rule filter. */
int xan_rule_selected(const struct xan_options *o, const char *id);
void xan_trace_free(struct xan_trace *t);

/* Sniff the format of "path" from its first bytes. Returns the format or XAN_FMT_UNKNOWN (errno set on I/O error). */
enum xan_format xan_sniff_file(const char *path);

/* run.c / textrun.c: analyze one input; the spec is NULL for text input. */
int xan_run_trace(const struct xan_options *o, const struct xsw_spec *spec, struct xan_trace *t);
int xan_run_text(const struct xan_options *o, struct xan_trace *t);

/* output.c */
void xan_print_summary(FILE *f, const struct xan_trace *t, const struct xan_options *o);
/* "PASS", "FAIL", "INCOMPLETE" (not read to its end) or "ERROR" (could not be read, or frames skipped). */
const char *xan_result(const struct xan_trace *t, const struct xan_options *o);
/* Exit status for one input: 0 clean, 1 violations, 2 input error. */
int xan_status(const struct xan_trace *t, const struct xan_options *o);
int xan_write_json(const char *path, struct xan_trace *const *t, size_t n, const struct xan_options *o, int status);
int xan_write_junit(const char *path, struct xan_trace *const *t, size_t n, const struct xan_options *o);
void xan_json_string(FILE *f, const char *s);
void xan_json_stringn(FILE *f, const char *s, size_t n);
void xan_xml_escape(FILE *f, const char *s);

/* Timestamps as "1767225600.000012". */
void xan_fmt_ts(char *buf, size_t len, uint64_t ts_ns);

#endif
