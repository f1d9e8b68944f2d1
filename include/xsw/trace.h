/*
 * trace.h - the xsw trace record format, its writer and its reader.
 *
 * A trace is a pcap file with link type LINKTYPE_WIRESHARK_UPPER_PDU (252).
 * Every pcap record starts with the exported-PDU tags
 *   tag 12 (EXP_PDU_TAG_DISSECTOR_NAME) len 4 "xsw\0" (as Wireshark's own exporter writes it),
 *   tag 0  (end of options)             len 0,
 * (big-endian u16 tag, u16 length) followed by one xsw record, so Wireshark
 * hands the record to the dissector registered as "xsw" with no configuration.
 *
 * An xsw record is little-endian throughout: a fixed header of
 * XSW_REC_HDR_LEN bytes followed by a kind-specific body. The full layout of
 * every kind is documented in docs/trace-format.md; the offsets below are the
 * single source the writer, reader and dissector use.
 *
 * Return conventions: functions return 0 on success or a negative XSW_E*
 * code, with a message naming the place (file, frame, offset) in the caller's
 * error buffer of XSW_ERRBUF_SIZE bytes. Destructors accept NULL.
 */
#ifndef XSW_TRACE_H
#define XSW_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define XSW_ERRBUF_SIZE 512

enum {
    XSW_OK = 0,
    XSW_EIO = -1,        /* the file could not be opened, read or written */
    XSW_ETRUNC = -2,     /* the record or file ends before its declared length */
    XSW_EINVAL = -3,     /* a field is invalid: bad length, unknown version or kind */
    XSW_ENOMEM = -4,     /* allocation failed */
    XSW_ELIMIT = -5,     /* an input limit was hit (record size, count, nesting) */
    XSW_EEOF = -6,       /* end of input (reader only) */
};

/* pcap framing */
#define XSW_LINKTYPE 252 /* LINKTYPE_WIRESHARK_UPPER_PDU */
#define XSW_EXP_PDU_TAG_DISSECTOR_NAME 12
#define XSW_EXP_PDU_PREFIX_LEN 12 /* tag 12 + "xsw\0" + end tag */
#define XSW_SNAPLEN 262144u       /* largest record accepted or written */

/* Record header (version 1). */
#define XSW_TRACE_VERSION 1
#define XSW_REC_HDR_LEN 48
#define XSW_OFF_VERSION 0   /* u8  format version */
#define XSW_OFF_KIND 1      /* u8  record kind (trace_kinds.def) */
#define XSW_OFF_HDR_LEN 2   /* u16 header length; readers skip unknown extra header bytes */
#define XSW_OFF_REC_LEN 4   /* u32 total record length, header + body */
#define XSW_OFF_SEQ 8       /* u64 sequence number, 1-based, strictly increasing in one trace */
#define XSW_OFF_POINT 16    /* u8  capture point (boundary or XSW_POINT_*) */
#define XSW_OFF_DEPTH 17    /* u8  number of extensions in the stack */
#define XSW_OFF_ACTOR 18    /* u8  extension index that acted, or XSW_ACTOR_SWITCH */
#define XSW_OFF_FLAGS 19    /* u8  record flags (XSW_RF_*) */
#define XSW_OFF_PORT 20     /* u32 switch port id */
#define XSW_OFF_NIC 24      /* u16 NIC index */
#define XSW_OFF_RSVD 26     /* u16 reserved, zero */
#define XSW_OFF_STATUS 28   /* u32 NDIS status */
#define XSW_OFF_ID 32       /* u64 object id: OID request, NBL, handler call... */
#define XSW_OFF_PARENT 40   /* u64 related object id: clone parent, judged record seq... */

/*
 * Capture points. Values 0..depth are boundaries of the extension stack:
 * 0 is the protocol edge (above extension 0), k is between extension k-1
 * and extension k, depth is the miniport edge. Extensions are numbered from
 * the top of the stack (ingress order: capture, filter, forward).
 */
#define XSW_POINT_MAX_BOUNDARY 0xEF
#define XSW_POINT_VF 0xF0      /* VF data path, bypassing the extensions */
#define XSW_POINT_VMBUS 0xF1   /* a VMBus channel between NetVSC and NetVSP */
#define XSW_POINT_NDIS 0xF2    /* a call into NDIS or the switch handlers */
#define XSW_POINT_HARNESS 0xF3 /* the harness itself (findings, metadata) */
#define XSW_POINT_ANALYZER 0xF4/* verdicts inserted by xsw-analyze */

#define XSW_ACTOR_SWITCH 0xFF

/* Record flags */
#define XSW_RF_ORIGINATED 0x01 /* object created by the actor (not forwarded) */
#define XSW_RF_TRUNCATED 0x02  /* payload bytes were cut to XSW_SNAPLEN */
#define XSW_RF_CHAIN_END 0x04  /* last NBL of a chain (NBL kinds) */

enum xsw_kind {
#define XSW_KIND(name, value, desc) XSW_K_##name = value,
#include "xsw/defs/trace_kinds.def"
#undef XSW_KIND
};

enum xsw_handler_id {
#define XSW_HANDLER(name, id) XSW_H_##name = id,
#include "xsw/defs/switch_handlers.def"
#undef XSW_HANDLER
};

enum xsw_filter_event {
#define XSW_FEVENT(name, id, desc) XSW_FE_##name = id,
#include "xsw/defs/filter_events.def"
#undef XSW_FEVENT
};

enum xsw_finding {
#define XSW_FINDING(name, id, text) XSW_F_##name = id,
#include "xsw/defs/findings.def"
#undef XSW_FINDING
};

/* ---- Bodies (offsets from the start of the body) -------------------------- */

/* OID_REQUEST / OID_COMPLETE */
#define XSW_OID_OFF_OID 0          /* u32 */
#define XSW_OID_OFF_TYPE 4         /* u32 NDIS_REQUEST_TYPE */
#define XSW_OID_OFF_INFO_LEN 8     /* u32 InformationBufferLength (or Input length for METHOD) */
#define XSW_OID_OFF_OUT_LEN 12     /* u32 OutputBufferLength (METHOD) */
#define XSW_OID_OFF_DONE 16        /* u32 BytesWritten / BytesRead */
#define XSW_OID_OFF_NEEDED 20      /* u32 BytesNeeded */
#define XSW_OID_OFF_INNER_OID 24   /* u32 encapsulated OID (NIC_REQUEST), else 0 */
#define XSW_OID_OFF_INNER_TYPE 28  /* u32 encapsulated request type */
#define XSW_OID_OFF_INNER_STATUS 32/* u32 encapsulated completion status */
#define XSW_OID_OFF_DATA_LEN 36    /* u32 bytes of information buffer that follow */
#define XSW_OID_BODY_LEN 40

/* NBL_SEND / NBL_SEND_COMPLETE / NBL_INDICATE / NBL_RETURN: one record per NBL. */
#define XSW_NBL_OFF_NDIS_FLAGS 0   /* u32 send/receive/complete/return flags */
#define XSW_NBL_OFF_CHAIN_IDX 4    /* u16 position in the chain */
#define XSW_NBL_OFF_CHAIN_LEN 6    /* u16 NBLs in the chain */
#define XSW_NBL_OFF_FWD 8          /* u64 forwarding detail (AsUINT64) */
#define XSW_NBL_OFF_NUM_DEST 16    /* u16 NumDestinations */
#define XSW_NBL_OFF_NUM_ELEM 18    /* u16 NumElements of the destination array */
#define XSW_NBL_OFF_FRAME_LEN 20   /* u32 data length of the first NET_BUFFER */
#define XSW_NBL_OFF_CAP_LEN 24     /* u32 captured frame bytes that follow the destinations */
#define XSW_NBL_OFF_NB_COUNT 28    /* u32 NET_BUFFERs in the NBL */
#define XSW_NBL_BODY_LEN 32
#define XSW_DEST_LEN 8             /* per destination: u32 port, u16 nic, u16 flags bits */

/* STATUS */
#define XSW_ST_OFF_CODE 0          /* u32 StatusCode */
#define XSW_ST_OFF_INNER_CODE 4    /* u32 inner status code (SWITCH_NIC_STATUS) */
#define XSW_ST_OFF_BUF_LEN 8       /* u32 StatusBufferSize */
#define XSW_ST_OFF_DATA_LEN 12     /* u32 bytes that follow */
#define XSW_ST_BODY_LEN 16

/* PNP_EVENT */
#define XSW_PNP_OFF_EVENT 0        /* u32 NET_PNP_EVENT_CODE */
#define XSW_PNP_OFF_DATA_LEN 4     /* u32 */
#define XSW_PNP_BODY_LEN 8

/* HANDLER_CALL: header port/nic = the port/NIC argument, status = return value. */
#define XSW_HC_OFF_HANDLER 0       /* u16 xsw_handler_id */
#define XSW_HC_OFF_IRQL 2          /* u8  emulated IRQL of the caller */
#define XSW_HC_OFF_RSVD 3          /* u8 */
#define XSW_HC_OFF_FLAGS 4         /* u32 Flags argument */
#define XSW_HC_OFF_COUNT 8         /* u32 NumberOfNetBufferLists / NumberOfNewDestinations */
#define XSW_HC_OFF_REFCOUNT 12     /* u32 reference count after the call */
#define XSW_HC_OFF_NBL 16          /* u64 NBL id argument (0 if none) */
#define XSW_HC_OFF_NUM_DEST 24     /* u16 destinations that follow */
#define XSW_HC_OFF_TEXT_LEN 26     /* u16 UTF-8 text that follows the destinations */
#define XSW_HC_OFF_NBL2 28         /* u32 reserved, zero */
#define XSW_HC_BODY_LEN 32

/* FILTER_STATE */
#define XSW_FS_OFF_EVENT 0         /* u32 xsw_filter_event */
#define XSW_FS_OFF_TEXT_LEN 4      /* u32 UTF-8 text (extension name) */
#define XSW_FS_BODY_LEN 8

/* FINDING */
#define XSW_FI_OFF_CODE 0          /* u16 xsw_finding */
#define XSW_FI_OFF_IRQL 2          /* u8 */
#define XSW_FI_OFF_RSVD 3          /* u8 */
#define XSW_FI_OFF_VALUE 4         /* u64 detail value (bytes leaked, count...) */
#define XSW_FI_OFF_TEXT_LEN 12     /* u32 UTF-8 message */
#define XSW_FI_BODY_LEN 16

/* NDIS_CALL */
#define XSW_NC_OFF_FUNC_LEN 0      /* u16 length of the function name */
#define XSW_NC_OFF_IRQL 2          /* u8 */
#define XSW_NC_OFF_RSVD 3          /* u8 */
#define XSW_NC_OFF_ARG0 4          /* u64 */
#define XSW_NC_OFF_ARG1 12         /* u64 */
#define XSW_NC_OFF_ARG2 20         /* u64 */
#define XSW_NC_BODY_LEN 28         /* then the function name (UTF-8) */

/* VMBUS: header port/nic = the VM NIC whose channel carries the packet. */
#define XSW_VB_OFF_CHANNEL 0       /* u32 channel relid */
#define XSW_VB_OFF_DIR 4           /* u8 0 = guest to host, 1 = host to guest */
#define XSW_VB_OFF_RSVD 5          /* u8[3] */
#define XSW_VB_OFF_PKT_LEN 8       /* u32 VMBus packet bytes that follow */
#define XSW_VB_OFF_SHARED_LEN 12   /* u32 bytes from shared buffers (send/receive buffer sections) */
#define XSW_VB_BODY_LEN 16

/* VF_FRAME */
#define XSW_VF_OFF_DIR 0           /* u32 0 = from the VM, 1 = to the VM */
#define XSW_VF_OFF_CAP_LEN 4       /* u32 */
#define XSW_VF_BODY_LEN 8

/* VERDICT: header parent = seq of the judged record. */
#define XSW_VD_OFF_LEVEL 0         /* u8 0 = MUST, 1 = SHOULD */
#define XSW_VD_OFF_OUTCOME 1       /* u8 0 = violated, 1 = passed */
#define XSW_VD_OFF_RULE_LEN 2      /* u16 rule id bytes */
#define XSW_VD_OFF_JUDGED_FRAME 4  /* u32 frame number of the judged record (1-based), 0 if none */
#define XSW_VD_OFF_TEXT_LEN 8      /* u32 message bytes after the rule id */
#define XSW_VD_BODY_LEN 12

/* META: body = UTF-8 "key=value\n" lines. */

/* ---- Decoded record ------------------------------------------------------- */

struct xsw_dest {
    uint32_t port_id;
    uint16_t nic_index;
    uint16_t bits; /* bit0 IsExcluded, bit1 PreserveVLAN, bit2 PreservePriority */
};

/*
 * A decoded record. Pointers point into the buffer the record was decoded
 * from and stay valid until the next call on the same reader.
 */
struct xsw_rec {
    uint8_t version, kind, point, depth, actor, flags;
    uint16_t nic_index;
    uint32_t port_id, status;
    uint64_t seq, id, parent;
    const uint8_t *body;
    uint32_t body_len;
    union {
        struct {
            uint32_t oid, type, info_len, out_len, done, needed;
            uint32_t inner_oid, inner_type, inner_status;
            const uint8_t *data;
            uint32_t data_len;
        } oid;
        struct {
            uint32_t ndis_flags;
            uint16_t chain_idx, chain_len;
            uint64_t fwd;
            uint16_t num_dest, num_elem;
            uint32_t frame_len, nb_count;
            const uint8_t *dest; /* num_dest * XSW_DEST_LEN bytes; use xsw_rec_dest() */
            const uint8_t *frame;
            uint32_t cap_len;
        } nbl;
        struct {
            uint32_t code, inner_code, buf_len;
            const uint8_t *data;
            uint32_t data_len;
        } status;
        struct {
            uint32_t event;
            const uint8_t *data;
            uint32_t data_len;
        } pnp;
        struct {
            uint16_t handler;
            uint8_t irql;
            uint32_t flags, count, refcount;
            uint64_t nbl;
            uint16_t num_dest;
            const uint8_t *dest;
            const char *text;
            uint16_t text_len;
        } hc;
        struct {
            uint32_t event;
            const char *text;
            uint32_t text_len;
        } fs;
        struct {
            uint16_t code;
            uint8_t irql;
            uint64_t value;
            const char *text;
            uint32_t text_len;
        } finding;
        struct {
            uint8_t irql;
            uint64_t arg[3];
            const char *func;
            uint16_t func_len;
        } ndis;
        struct {
            uint32_t channel;
            uint8_t dir;
            const uint8_t *pkt;
            uint32_t pkt_len;
            const uint8_t *shared;
            uint32_t shared_len;
        } vmbus;
        struct {
            uint32_t dir;
            const uint8_t *frame;
            uint32_t cap_len;
        } vf;
        struct {
            uint8_t level, outcome;
            uint32_t judged_frame;
            const char *rule;
            uint16_t rule_len;
            const char *text;
            uint32_t text_len;
        } verdict;
        struct {
            const char *text;
            uint32_t text_len;
        } meta;
    } u;
};

/*
 * Decode one xsw record of "len" bytes at "p" (after the exported-PDU tags)
 * into "out". Every byte is read through bounds-checked accessors. Returns 0,
 * XSW_ETRUNC when "len" is shorter than the record says, XSW_EINVAL for an
 * invalid field, or XSW_ELIMIT for a record longer than XSW_SNAPLEN allows
 * (more than fits one frame after the exported-PDU tags); "err" then says
 * which field and at which offset.
 */
int xsw_rec_decode(const uint8_t *p, size_t len, struct xsw_rec *out, char *err, size_t errlen);

/* Destination "i" of a decoded NBL or HANDLER_CALL record. */
struct xsw_dest xsw_rec_dest(const uint8_t *dest, unsigned i);

/*
 * Strip the exported-PDU tags from a pcap record of link type 252. Returns 0
 * and sets *off to the offset of the xsw record, or a negative XSW_E* code.
 * Records whose dissector name is not "xsw" give XSW_EINVAL.
 */
int xsw_exp_pdu_strip(const uint8_t *p, size_t len, size_t *off, char *err, size_t errlen);

/* ---- Writer --------------------------------------------------------------- */

struct xsw_trace_writer;

/*
 * Open "path" for writing a trace. Timestamps are virtual and deterministic:
 * record n gets base + n microseconds, so equal runs give byte-identical files.
 * Returns NULL with a message in "err" on failure.
 */
struct xsw_trace_writer *xsw_trace_writer_open(const char *path, char *err, size_t errlen);
/* Flush and close; returns 0 or XSW_EIO. Accepts NULL. */
int xsw_trace_writer_close(struct xsw_trace_writer *w);
/*
 * A tap sees every record right after it is written ("rec" = the xsw record
 * without the exported-PDU tags, "seq" = its sequence and frame number):
 * xsw-suite feeds the checker online through it.
 */
typedef void (*xsw_trace_tap_fn)(void *ctx, const uint8_t *rec, size_t len, uint64_t seq);
void xsw_trace_writer_set_tap(struct xsw_trace_writer *w, xsw_trace_tap_fn fn, void *ctx);
/* Push buffered records to the file (before a crash report or a fork). */
int xsw_trace_writer_flush(struct xsw_trace_writer *w);
/* Number of records written so far (= the frame number of the last one). */
uint64_t xsw_trace_writer_count(const struct xsw_trace_writer *w);

/* Common header fields of a record being written; seq is assigned by the writer. */
struct xsw_rec_hdr {
    uint8_t kind, point, depth, actor, flags;
    uint16_t nic_index;
    uint32_t port_id, status;
    uint64_t id, parent;
};

/*
 * Write one record: header "h", then the body pieces in order. Returns the
 * sequence number assigned (>= 1) or a negative XSW_E* code. A body larger
 * than XSW_SNAPLEN allows is cut and XSW_RF_TRUNCATED set, never dropped.
 */
struct xsw_iov {
    const void *base;
    size_t len;
};
int64_t xsw_trace_write(struct xsw_trace_writer *w, const struct xsw_rec_hdr *h,
                        const struct xsw_iov *parts, unsigned nparts);

/* Little-endian byte builder used to prepare bodies (bounded, no allocation). */
struct xsw_wbuf {
    uint8_t *buf;
    size_t cap, len;
    int overflow;
};
void xsw_wbuf_init(struct xsw_wbuf *b, void *buf, size_t cap);
void xsw_wbuf_u8(struct xsw_wbuf *b, uint8_t v);
void xsw_wbuf_u16(struct xsw_wbuf *b, uint16_t v);
void xsw_wbuf_u32(struct xsw_wbuf *b, uint32_t v);
void xsw_wbuf_u64(struct xsw_wbuf *b, uint64_t v);
void xsw_wbuf_bytes(struct xsw_wbuf *b, const void *p, size_t n);

/* ---- Reader --------------------------------------------------------------- */

struct xsw_trace_reader;

/*
 * Open a pcap or pcapng file of link type 252 (other link types are refused
 * with a message naming the type). Returns NULL with a message on failure.
 */
struct xsw_trace_reader *xsw_trace_reader_open(const char *path, char *err, size_t errlen);
void xsw_trace_reader_close(struct xsw_trace_reader *r);

/*
 * Read and decode the next record. Returns 0, XSW_EEOF at a clean end, or a
 * negative XSW_E* code with "err" naming the file, the frame number and the
 * byte offset in the record. After XSW_EINVAL or XSW_ELIMIT the reader can go
 * on with the next record; after XSW_ETRUNC or XSW_EIO at the file level it
 * cannot.
 * *frame receives the 1-based frame number; *ts_ns the pcap timestamp.
 */
int xsw_trace_read(struct xsw_trace_reader *r, struct xsw_rec *rec, uint64_t *frame,
                   uint64_t *ts_ns, char *err, size_t errlen);

/* ---- Names (from the shared tables) --------------------------------------- */

const char *xsw_kind_name(unsigned kind);        /* "OID_REQUEST" or NULL */
const char *xsw_oid_name(uint32_t oid);          /* "OID_SWITCH_PORT_CREATE" or NULL */
const char *xsw_status_name(uint32_t status);    /* "NDIS_STATUS_SUCCESS" or NULL */
const char *xsw_handler_name(unsigned id);
const char *xsw_filter_event_name(unsigned id);
const char *xsw_finding_name(unsigned id);
/* Look a name up; return 0 and set *value, or -1 if unknown. */
int xsw_oid_by_name(const char *name, uint32_t *value);
int xsw_status_by_name(const char *name, uint32_t *value);

#endif
