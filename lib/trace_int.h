/*
 * trace_int.h - internals shared by the trace decoder, writer and reader
 * (not installed; the public contract is include/xsw/trace.h).
 *
 * The body of every record kind is a fixed part followed by up to two
 * variable parts whose lengths are fields of the fixed part (the XSW_*_OFF_*
 * macros of trace.h). xsw_layout[] describes that shape once, so that the
 * decoder validates every length field with the same loop and the writer can
 * shorten the same fields consistently when it has to cut a record to
 * XSW_SNAPLEN.
 */
#ifndef XSW_TRACE_INT_H
#define XSW_TRACE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "xsw/trace.h"

/* Largest xsw record that fits one pcap frame after the exported-PDU tags. */
#define XSW_REC_MAX (XSW_SNAPLEN - XSW_EXP_PDU_PREFIX_LEN)

/* One variable part: "count" at body offset "off" ("size" 2 or 4 bytes) times "unit" bytes. */
struct xsw_part {
    const char *field; /* name used in error messages, as in docs/trace-format.md */
    uint8_t off, size, unit;
};

struct xsw_layout {
    uint8_t known;    /* 0 for values that are not a kind */
    uint8_t fixed;    /* bytes of the fixed part of the body */
    uint8_t nparts;   /* variable parts after the fixed part, in order */
    uint8_t rest;     /* 1: the whole body after "fixed" is one part without a length (META) */
    struct xsw_part part[2];
};

/* Indexed by kind value; entries past the last kind are zero (unknown). */
#define XSW_KIND_LIMIT 256
extern const struct xsw_layout xsw_layout[XSW_KIND_LIMIT];

/*
 * Where a decode failed: byte offset "off" within the decoded buffer, the
 * field name or NULL, and the message without the place (callers prefix the
 * place in their own terms: record offset, or file, frame and frame offset).
 */
struct xsw_derr {
    size_t off;
    const char *field;
    char msg[256];
};

int xsw_rec_decode_at(const uint8_t *p, size_t len, struct xsw_rec *out, struct xsw_derr *e);
int xsw_exp_pdu_strip_at(const uint8_t *p, size_t len, size_t *off, struct xsw_derr *e);

/* Format "e" as "field F at offset O: MSG" (or "offset O: MSG") after adding "base" to O. */
void xsw_derr_format(const struct xsw_derr *e, size_t base, char *err, size_t errlen);

/*
 * Bytes of the frame at file offset "offset" that a cut pcap file still
 * holds, 0 for pcapng ("classic" 0) or when unknown (lib/trace_read.c).
 * struct pcap is libpcap's pcap_t, declared here without <pcap/pcap.h>.
 */
struct pcap;
uint64_t xsw_pcap_cut_offset(struct pcap *p, int classic, uint64_t offset);

#endif
