/*
 * check_int.h - what the spec loader (spec.c), the expression compiler
 * (expr.c) and the checker engine (check.c) share: compiled rules and
 * expressions, and the vocabulary of names a rule may use.
 *
 * The vocabulary lives in the X-macro lists below so that the compiler (which
 * resolves names and checks where they are available), the evaluator (which
 * computes them) and docs/spec-format.md stay one list.
 */
#ifndef XSW_CHECK_INT_H
#define XSW_CHECK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "xsw/check.h"

/*
 * Contexts: where a name can be evaluated. Bits 1..16 are record kinds
 * (1 << XSW_K_*), the higher bits the end-of-trace objects.
 */
#define CTX_KIND(k) (1u << (k))
#define CTX_ALLREC 0x0001FFFEu
#define CTX_OIDREQ CTX_KIND(XSW_K_OID_REQUEST)
#define CTX_OIDCMP CTX_KIND(XSW_K_OID_COMPLETE)
#define CTX_OIDK (CTX_OIDREQ | CTX_OIDCMP)
#define CTX_NBLK (CTX_KIND(XSW_K_NBL_SEND) | CTX_KIND(XSW_K_NBL_SEND_COMPLETE) | CTX_KIND(XSW_K_NBL_INDICATE) | \
                  CTX_KIND(XSW_K_NBL_RETURN))
#define CTX_HC CTX_KIND(XSW_K_HANDLER_CALL)
#define CTX_STATUSK CTX_KIND(XSW_K_STATUS)
#define CTX_PNP CTX_KIND(XSW_K_PNP_EVENT)
#define CTX_FS CTX_KIND(XSW_K_FILTER_STATE)
#define CTX_FINDING CTX_KIND(XSW_K_FINDING)
#define CTX_END_OID (1u << 24)
#define CTX_END_NBL (1u << 25)
#define CTX_END_NICREF (1u << 26)
#define CTX_END_PORTREF (1u << 27)
#define CTX_END_RETRY (1u << 28)
#define CTX_END_REFS (CTX_END_NICREF | CTX_END_PORTREF)
#define CTX_ALLEND (CTX_END_OID | CTX_END_NBL | CTX_END_REFS | CTX_END_RETRY)
#define CTX_ALL (CTX_ALLREC | CTX_ALLEND)

/* How a value is shown in "actual": status and OID names, states, hex... */
enum xfmt {
    XF_DEC, XF_HEX, XF_BOOL, XF_OID, XF_STATUS, XF_HANDLER, XF_FINDING, XF_KIND, XF_STATE, XF_CLASS,
    XF_HOLDER, XF_POINT, XF_ACTOR, XF_OFFSET, XF_DIR,
};

/* Object states as the engine derives them (one space for ports and NICs). */
enum xstate { XS_NONE = 0, XS_CREATED = 1, XS_CONNECTED = 2, XS_DISCONNECTED = 3, XS_DELETED = 4, XS_TEARDOWN = 5 };

/* NBL holder values besides extension indices. */
#define XH_PROTOCOL_EDGE (-1)
#define XH_MINIPORT_EDGE (-2)

/* Scalar fields: X(enum suffix, name, format, contexts) */
#define XSW_FIELDS(X)                                                   \
    X(REC_KIND, "rec.kind", XF_KIND, CTX_ALLREC)                        \
    X(REC_POINT, "rec.point", XF_POINT, CTX_ALLREC)                     \
    X(REC_DEPTH, "rec.depth", XF_DEC, CTX_ALLREC)                       \
    X(REC_ACTOR, "rec.actor", XF_ACTOR, CTX_ALLREC)                     \
    X(REC_FLAGS, "rec.flags", XF_HEX, CTX_ALLREC)                       \
    X(REC_ORIGINATED, "rec.originated", XF_BOOL, CTX_ALLREC)            \
    X(REC_PORT, "rec.port", XF_DEC, CTX_ALLREC)                         \
    X(REC_NIC, "rec.nic", XF_DEC, CTX_ALLREC)                           \
    X(REC_STATUS, "rec.status", XF_STATUS, CTX_ALLREC)                  \
    X(REC_ID, "rec.id", XF_HEX, CTX_ALLREC)                             \
    X(REC_PARENT, "rec.parent", XF_HEX, CTX_ALLREC)                     \
    X(REC_SEQ, "rec.seq", XF_DEC, CTX_ALLREC)                           \
    X(REC_OID, "rec.oid", XF_OID, CTX_OIDK)                             \
    X(REC_TYPE, "rec.type", XF_DEC, CTX_OIDK)                           \
    X(REC_INFO_LEN, "rec.info_len", XF_DEC, CTX_OIDK)                   \
    X(REC_OUT_LEN, "rec.out_len", XF_DEC, CTX_OIDK)                     \
    X(REC_BUF_LEN, "rec.buf_len", XF_DEC, CTX_OIDK)                     \
    X(REC_DONE, "rec.done", XF_DEC, CTX_OIDK)                           \
    X(REC_NEEDED, "rec.needed", XF_DEC, CTX_OIDK)                       \
    X(REC_INNER_OID, "rec.inner_oid", XF_OID, CTX_OIDK)                 \
    X(REC_INNER_TYPE, "rec.inner_type", XF_DEC, CTX_OIDK)               \
    X(REC_INNER_STATUS, "rec.inner_status", XF_STATUS, CTX_OIDK)        \
    X(REC_NDIS_FLAGS, "rec.ndis_flags", XF_HEX, CTX_NBLK)               \
    X(REC_CHAIN_IDX, "rec.chain_idx", XF_DEC, CTX_NBLK)                 \
    X(REC_CHAIN_LEN, "rec.chain_len", XF_DEC, CTX_NBLK)                 \
    X(REC_FWD, "rec.fwd", XF_HEX, CTX_NBLK)                             \
    X(REC_SRC_PORT, "rec.src_port", XF_DEC, CTX_NBLK)                   \
    X(REC_SRC_NIC, "rec.src_nic", XF_DEC, CTX_NBLK)                     \
    X(REC_NATIVE_FWD, "rec.native_fwd", XF_BOOL, CTX_NBLK)              \
    X(REC_DATA_SAFE, "rec.data_safe", XF_BOOL, CTX_NBLK)                \
    X(REC_NUM_AVAIL, "rec.num_avail", XF_DEC, CTX_NBLK)                 \
    X(REC_SINGLE_SOURCE, "rec.single_source", XF_BOOL, CTX_NBLK)        \
    X(REC_DEST_GROUP, "rec.destination_group", XF_BOOL, CTX_NBLK)       \
    X(REC_NUM_DEST, "rec.num_dest", XF_DEC, CTX_NBLK | CTX_HC)          \
    X(REC_NUM_ELEM, "rec.num_elem", XF_DEC, CTX_NBLK)                   \
    X(REC_FRAME_LEN, "rec.frame_len", XF_DEC, CTX_NBLK)                 \
    X(REC_NB_COUNT, "rec.nb_count", XF_DEC, CTX_NBLK)                   \
    X(REC_DEST_HASH, "rec.dest_hash", XF_HEX, CTX_NBLK | CTX_HC)        \
    X(REC_CODE, "rec.code", XF_STATUS, CTX_STATUSK)                     \
    X(REC_INNER_CODE, "rec.inner_code", XF_STATUS, CTX_STATUSK)         \
    X(REC_EVENT, "rec.event", XF_DEC, CTX_PNP | CTX_FS)                 \
    X(REC_HANDLER, "rec.handler", XF_HANDLER, CTX_HC)                   \
    X(REC_IRQL, "rec.irql", XF_DEC, CTX_HC | CTX_FINDING)               \
    X(REC_HC_FLAGS, "rec.hc_flags", XF_HEX, CTX_HC)                     \
    X(REC_COUNT, "rec.count", XF_DEC, CTX_HC)                           \
    X(REC_REFCOUNT, "rec.refcount", XF_DEC, CTX_HC)                     \
    X(REC_NBL, "rec.nbl", XF_HEX, CTX_HC)                               \
    X(REC_FINDING, "rec.finding", XF_FINDING, CTX_FINDING)              \
    X(REC_VALUE, "rec.value", XF_DEC, CTX_FINDING)                      \
    X(OID_FOUND, "oid.found", XF_BOOL, CTX_OIDCMP | CTX_END_OID)        \
    X(OID_FORWARDED, "oid.forwarded", XF_BOOL, CTX_OIDCMP | CTX_END_OID) \
    X(OID_CHILD_DONE, "oid.child_done", XF_BOOL, CTX_OIDCMP | CTX_END_OID) \
    X(OID_CHILD_STATUS, "oid.child_status", XF_STATUS, CTX_OIDCMP | CTX_END_OID) \
    X(OID_PASSED_THROUGH, "oid.passed_through", XF_BOOL, CTX_OIDCMP)    \
    X(OID_CHILD_MODIFIED, "oid.child_modified", XF_BOOL, CTX_OIDCMP | CTX_END_OID) \
    X(OID_ORIGINATED, "oid.originated", XF_BOOL, CTX_OIDCMP | CTX_END_OID) \
    X(OID_SENDER, "oid.sender", XF_ACTOR, CTX_OIDCMP | CTX_END_OID)     \
    X(OID_POINT, "oid.point", XF_POINT, CTX_OIDCMP | CTX_END_OID)       \
    X(OID_OID, "oid.oid", XF_OID, CTX_OIDCMP | CTX_END_OID)             \
    X(OID_AGE, "oid.age", XF_DEC, CTX_OIDCMP | CTX_END_OID)             \
    X(REQUEST_TYPE, "request.type", XF_DEC, CTX_OIDCMP | CTX_END_OID)   \
    X(REQUEST_INFO_LEN, "request.info_len", XF_DEC, CTX_OIDCMP | CTX_END_OID) \
    X(REQUEST_OUT_LEN, "request.out_len", XF_DEC, CTX_OIDCMP | CTX_END_OID) \
    X(REQUEST_BUF_LEN, "request.buf_len", XF_DEC, CTX_OIDCMP | CTX_END_OID) \
    X(PARENT_FOUND, "parent.found", XF_BOOL, CTX_OIDREQ)                \
    X(PARENT_OID, "parent.oid", XF_OID, CTX_OIDREQ)                     \
    X(PARENT_INFO_LEN, "parent.info_len", XF_DEC, CTX_OIDREQ)           \
    X(NBL_FOUND, "nbl.found", XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL)  \
    X(NBL_HOLDER, "nbl.holder", XF_HOLDER, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_ORIGIN_POINT, "nbl.origin_point", XF_POINT, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_DIR, "nbl.dir", XF_DIR, CTX_NBLK | CTX_HC | CTX_END_NBL)      \
    X(NBL_ORIGINATED, "nbl.originated", XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_SRC_PORT, "nbl.src_port", XF_DEC, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_SRC_NIC, "nbl.src_nic", XF_DEC, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_FRAME_LEN, "nbl.frame_len", XF_DEC, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_FWD, "nbl.fwd", XF_HEX, CTX_NBLK | CTX_HC | CTX_END_NBL)      \
    X(NBL_NDIS_FLAGS, "nbl.ndis_flags", XF_HEX, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_REPORTED, "nbl.reported", XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_DEST_HANDLED, "nbl.dest_handled", XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(NBL_AGE, "nbl.age", XF_DEC, CTX_NBLK | CTX_HC | CTX_END_NBL)      \
    X(SUBJECT_INDEX, "subject.index", XF_DEC, CTX_ALL)                  \
    X(SUBJECT_CLASS, "subject.class", XF_CLASS, CTX_ALL)                \
    X(SUBJECT_PAUSED, "subject.paused", XF_BOOL, CTX_ALL)               \
    X(SUBJECT_PARAMS_DONE, "subject.params_done", XF_BOOL, CTX_ALL)     \
    X(SUBJECT_ACTIVE, "subject.active", XF_BOOL, CTX_ALL)               \
    X(SUBJECT_EXT_ID_KNOWN, "subject.ext_id_known", XF_BOOL, CTX_ALL)   \
    X(NIC_STATE, "nic.state", XF_STATE, CTX_ALLREC | CTX_END_NICREF)    \
    X(NIC_REFS, "nic.refs", XF_DEC, CTX_ALLREC | CTX_END_NICREF)        \
    X(NIC_REFS_TOTAL, "nic.refs_total", XF_DEC, CTX_ALLREC | CTX_END_NICREF) \
    X(NIC_DISC_SEEN, "nic.disconnect_seen", XF_BOOL, CTX_ALLREC | CTX_END_NICREF) \
    X(NIC_DISC_FWD, "nic.disconnect_forwarded", XF_BOOL, CTX_ALLREC | CTX_END_NICREF) \
    X(NIC_VF_ASSIGNED, "nic.vf_assigned", XF_BOOL, CTX_ALLREC | CTX_END_NICREF) \
    X(PORT_STATE, "port.state", XF_STATE, CTX_ALLREC | CTX_END_REFS)    \
    X(PORT_REFS, "port.refs", XF_DEC, CTX_ALLREC | CTX_END_REFS)        \
    X(PORT_REFS_TOTAL, "port.refs_total", XF_DEC, CTX_ALLREC | CTX_END_REFS) \
    X(PORT_TEARDOWN_SEEN, "port.teardown_seen", XF_BOOL, CTX_ALLREC | CTX_END_REFS) \
    X(REF_PORT, "ref.port", XF_DEC, CTX_END_REFS)                       \
    X(REF_NIC, "ref.nic", XF_DEC, CTX_END_REFS)                         \
    X(REF_COUNT, "ref.count", XF_DEC, CTX_END_REFS)                     \
    X(RETRY_PENDING, "retry.pending", XF_BOOL, CTX_OIDREQ | CTX_END_RETRY) \
    X(RETRY_NEEDED, "retry.needed", XF_DEC, CTX_OIDREQ | CTX_END_RETRY) \
    X(RETRY_OID, "retry.oid", XF_OID, CTX_OIDREQ | CTX_END_RETRY)       \
    X(RETRY_STATUS, "retry.status", XF_STATUS, CTX_OIDREQ | CTX_END_RETRY) \
    X(STATUS_ORIGINATED, "status.originated", XF_BOOL, CTX_STATUSK)    \
    X(CHAIN_SRC_PORT, "chain.src_port", XF_DEC, CTX_NBLK)               \
    X(CHAIN_SRC_NIC, "chain.src_nic", XF_DEC, CTX_NBLK)                 \
    X(CHAIN_DEST_HASH, "chain.dest_hash", XF_HEX, CTX_NBLK)             \
    X(D_PORT, "d.port", XF_DEC, 0)                                      \
    X(D_NIC, "d.nic", XF_DEC, 0)                                        \
    X(D_BITS, "d.bits", XF_HEX, 0)                                      \
    X(D_EXCLUDED, "d.excluded", XF_BOOL, 0)                             \
    X(D_OLD_BITS, "d.old_bits", XF_HEX, 0)

enum xfield {
#define X(e, n, f, c) XFLD_##e,
    XSW_FIELDS(X)
#undef X
        XFLD__N
};

/* Byte buffers: X(enum suffix, name, contexts) */
#define XSW_BUFFERS(X)                                             \
    X(REC_DATA, "rec.data", CTX_OIDK | CTX_STATUSK | CTX_PNP)      \
    X(REC_FRAME, "rec.frame", CTX_NBLK)                            \
    X(REQUEST_DATA, "request.data", CTX_OIDCMP | CTX_END_OID)      \
    X(PARENT_DATA, "parent.data", CTX_OIDREQ)                      \
    X(NBL_FRAME, "nbl.frame", CTX_NBLK | CTX_HC | CTX_END_NBL)     \
    X(SUBJECT_EXT_ID, "subject.ext_id", CTX_ALL)

enum xbuf {
#define X(e, n, c) XBUF_##e,
    XSW_BUFFERS(X)
#undef X
        XBUF__N
};

/* Destination lists: X(enum suffix, name, contexts) */
#define XSW_COLLS(X)                                                   \
    X(REC_DEST, "rec.dest", CTX_NBLK | CTX_HC)                         \
    X(NBL_DEST, "nbl.dest", CTX_NBLK | CTX_HC | CTX_END_NBL)           \
    X(ADDED, "added_dest", CTX_NBLK | CTX_HC)                                   \
    X(REMOVED, "removed_dest", CTX_NBLK | CTX_HC)                               \
    X(CHANGED, "changed_dest", CTX_NBLK | CTX_HC)                               \
    X(NEWLY_EXCLUDED, "newly_excluded", CTX_NBLK | CTX_HC)

enum xcoll {
#define X(e, n, c) XCOLL_##e,
    XSW_COLLS(X)
#undef X
        XCOLL__N
};

/* Argument kinds of functions. */
enum { XA_INT = 1, XA_BUF = 2, XA_COLL = 3, XA_PRED = 4 };

/* Functions: X(enum suffix, name, min args, max args, 5 argument kinds, format, contexts) */
#define XSW_FUNCS(X)                                                                               \
    X(U8, "u8", 2, 2, XA_BUF, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)                                   \
    X(U16, "u16", 2, 2, XA_BUF, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)                                 \
    X(U32, "u32", 2, 2, XA_BUF, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)                                 \
    X(U64, "u64", 2, 2, XA_BUF, XA_INT, 0, 0, 0, XF_HEX, CTX_ALL)                                 \
    X(LEN, "len", 1, 1, XA_BUF, 0, 0, 0, 0, XF_DEC, CTX_ALL)                                      \
    X(DIFF, "diff", 2, 3, XA_BUF, XA_BUF, XA_INT, 0, 0, XF_OFFSET, CTX_ALL)                       \
    X(DIFF_LAST, "diff_last", 2, 3, XA_BUF, XA_BUF, XA_INT, 0, 0, XF_OFFSET, CTX_ALL)             \
    X(EQ, "eq", 5, 5, XA_BUF, XA_INT, XA_BUF, XA_INT, XA_INT, XF_BOOL, CTX_ALL)                   \
    X(ZERO, "zero", 3, 3, XA_BUF, XA_INT, XA_INT, 0, 0, XF_BOOL, CTX_ALL)                          \
    X(MIN, "min", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)                                 \
    X(MAX, "max", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)                                 \
    X(NIC_STATE, "nic_state", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_STATE, CTX_ALL)                   \
    X(NIC_REFS, "nic_refs", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)                       \
    X(NIC_REFS_TOTAL, "nic_refs_total", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)           \
    X(NIC_DISC_FWD, "nic_disconnect_forwarded", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_BOOL, CTX_ALL)  \
    X(NIC_DISC_SEEN, "nic_disconnect_seen", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_BOOL, CTX_ALL)      \
    X(NIC_VF_ASSIGNED, "nic_vf_assigned", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_BOOL, CTX_ALL)        \
    X(PORT_STATE, "port_state", 1, 1, XA_INT, 0, 0, 0, 0, XF_STATE, CTX_ALL)                      \
    X(PORT_REFS, "port_refs", 1, 1, XA_INT, 0, 0, 0, 0, XF_DEC, CTX_ALL)                          \
    X(PORT_REFS_TOTAL, "port_refs_total", 1, 1, XA_INT, 0, 0, 0, 0, XF_DEC, CTX_ALL)              \
    X(PORT_TEARDOWN_SEEN, "port_teardown_seen", 1, 1, XA_INT, 0, 0, 0, 0, XF_BOOL, CTX_ALL)       \
    X(SENT_AT, "sent_at", 1, 1, XA_INT, 0, 0, 0, 0, XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL)     \
    X(INDICATED_AT, "indicated_at", 1, 1, XA_INT, 0, 0, 0, 0, XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(REPORTED, "reported", 2, 2, XA_INT, XA_INT, 0, 0, 0, XF_BOOL, CTX_NBLK | CTX_HC | CTX_END_NBL) \
    X(ALL, "all", 2, 2, XA_COLL, XA_PRED, 0, 0, 0, XF_BOOL, CTX_ALL)                              \
    X(ANY, "any", 2, 2, XA_COLL, XA_PRED, 0, 0, 0, XF_BOOL, CTX_ALL)                              \
    X(COUNT, "count", 1, 2, XA_COLL, XA_PRED, 0, 0, 0, XF_DEC, CTX_ALL)                           \
    X(EXT_WITH_ID, "ext_with_id", 2, 2, XA_BUF, XA_INT, 0, 0, 0, XF_DEC, CTX_ALL)

enum xfunc {
#define X(e, n, mn, mx, a0, a1, a2, a3, a4, f, c) XFN_##e,
    XSW_FUNCS(X)
#undef X
        XFN__N
};

enum xop {
    XO_CONST, XO_FIELD, XO_BUF, XO_COLL, XO_CALL, XO_NOT, XO_NEG, XO_BNOT, XO_ADD, XO_SUB, XO_BAND, XO_BOR,
    XO_SHL, XO_SHR, XO_EQ, XO_NE, XO_LT, XO_LE, XO_GT, XO_GE, XO_AND, XO_OR, XO_COND, XO_IN,
};

struct ectx;
struct xexpr;
struct xnode;
/* Evaluator of one node, bound when the expression is compiled (check.c, xexpr_bind). */
typedef int64_t (*xeval_fn)(struct ectx *x, const struct xexpr *e, const struct xnode *nd);

struct xnode {
    xeval_fn fn;
    uint8_t op, fmt;
    uint16_t id;         /* field, buffer, collection or function id */
    int32_t a, b, c;     /* children; XO_CALL: a = first arg in args[], b = argc; XO_IN: b = first const, c = count */
    int64_t v;           /* XO_CONST value */
    uint16_t off, len;   /* source span in the expression text */
};

struct xexpr {
    char *src;           /* expression text as written */
    struct xnode *nodes;
    int32_t *args;
    int64_t *consts;
    unsigned nnodes, nargs, nconsts;
    int32_t root;
};

enum xsubject { XSUBJ_ACTOR = 0, XSUBJ_RECEIVER = 1 };
enum xpointrel { XP_ANY = 0, XP_PROTOCOL_EDGE, XP_MINIPORT_EDGE, XP_INNER, XP_BOUNDARY };
enum xactorrel { XA_ANYACTOR = 0, XA_EXTENSION, XA_SWITCH };
enum xendobj { XE_NONE = 0, XE_OID, XE_NBL, XE_NICREF, XE_PORTREF, XE_RETRY };

/* Class bits of a rule's "classes". */
#define XC_CAPTURE 0x02u
#define XC_FILTER 0x04u
#define XC_FORWARD 0x08u
#define XC_ALL 0x10u    /* any extension, classified or not */
#define XC_SWITCH 0x20u /* records whose subject is the switch itself */

struct xlist {
    uint32_t *v;
    unsigned n;
};

struct xrule {
    struct xsw_rule_info info;
    char *classes_text;
    uint32_t class_mask;
    uint8_t subject;
    uint8_t end_obj;     /* XE_NONE: record rule */
    uint32_t kind_mask;  /* CTX_KIND bits of the record kinds it applies to */
    uint8_t point_rel, actor_rel;
    int8_t originated;   /* -1 any */
    int finding_unmapped;
    struct xlist oids, inner_oids, statuses, handlers, findings, events, codes;
    struct xexpr **when, **require;
    unsigned nwhen, nrequire;
};

struct xsw_spec {
    struct xrule **rules;
    size_t n, cap;
};

/* Named constants of ndis_consts.def (64-bit values, so not an enum of values). */
enum xconst_id {
#define XSW_CONST(name, value) XCI_##name,
#include "xsw/defs/ndis_consts.def"
#undef XSW_CONST
    XCI__N
};
extern const int64_t xconst_value[XCI__N];
#define XCV(name) (xconst_value[XCI_##name])

/* ---- expr.c ---- */

/* Where an expression came from, for error messages. */
struct xsrcpos {
    const char *file;       /* spec file name */
    const char *text;       /* whole file text, for quoting the line */
    size_t text_len;
    unsigned line, col;     /* 0-based position of the scalar */
    int exact;              /* 1: expression offset o is at column col + o of that line */
};

/*
 * Compile "src" for a rule that is evaluated in contexts "ctx". Returns the
 * expression, or NULL with a "file:line:col: message" in "err".
 */
struct xexpr *xexpr_compile(const char *src, uint32_t ctx, const struct xsrcpos *pos, char *err, size_t errlen);
void xexpr_free(struct xexpr *e);

/*
 * Choose the evaluator of every node of "e" (check.c). Specialised
 * functions per operator and field let each call site predict its own
 * target, which a single switch over operators cannot.
 */
void xexpr_bind(struct xexpr *e);
/* The same for one node, after its operands changed (xexpr_specialize). */
void xexpr_bind_node(struct xexpr *e, struct xnode *nd);

/*
 * What a record may be known to satisfy before its rules are evaluated
 * (check.c computes them for NBL records, DESTS_SAME for handler calls too):
 * XASSUME_DESTS_SAME: its destinations are those of the NBL's last crossing,
 *   so added_dest, removed_dest, changed_dest and newly_excluded are empty;
 * XASSUME_FRAME_SAME: the NBL is tracked and the captured frame bytes equal
 *   its snapshot wherever both exist, so diff() of rec.frame and nbl.frame
 *   is no_diff whatever the limit.
 */
#define XASSUME_DESTS_SAME 1u
#define XASSUME_FRAME_SAME 2u

/* What is known of the records an expression will be evaluated for. */
struct xknown {
    uint8_t has[XFLD__N]; /* 1: field i is val[i] for every such record */
    int64_t val[XFLD__N];
    unsigned assume;      /* XASSUME_* */
};

/*
 * A copy of "e" for the records "k" describes: known fields become
 * constants, so do what the assumptions settle ("count(added_dest) == 0" is
 * true under XASSUME_DESTS_SAME), and operators on constants are computed.
 * With rec.kind known to be NBL_SEND, "rec.kind == HANDLER_CALL ||
 * !nbl.dest_handled" becomes "!nbl.dest_handled", and with nbl.dest_handled
 * known as well, a constant. The copy has the same truth as "e" for every
 * such record; it decides, and violations are still explained with "e" as
 * written. NULL when memory runs out.
 */
struct xexpr *xexpr_specialize(const struct xexpr *e, const struct xknown *k);
/* Mark in "fields" the fields "e" reads; returns the XASSUME_* bits that can change its specialisation. */
unsigned xexpr_depends(const struct xexpr *e, uint8_t fields[XFLD__N]);

/* Names shared with spec.c for "on:" values. */
int xname_handler(const char *s, uint32_t *v);
int xname_finding(const char *s, uint32_t *v);
int xname_fevent(const char *s, uint32_t *v);
int xname_kind(const char *s, uint32_t *v);
int xname_const(const char *s, int64_t *v);

/* Edit distance for "did you mean" hints; 99 when "a" or "b" is longer than "max" (at most 63). */
unsigned xname_distance(const char *a, const char *b, size_t max);

/* The i-th name of the expression vocabulary (fields, buffers, lists, functions), NULL past the end. */
const char *xname_vocab(size_t i);

/* Field / function metadata for the evaluator's messages. */
extern const char *const xfield_names[XFLD__N];

/* Format "file:line:col: msg" + quoted line + caret into err. */
void xsrc_error(char *err, size_t errlen, const char *file, const char *text, size_t text_len, unsigned line,
                unsigned col, const char *msg);

#endif
