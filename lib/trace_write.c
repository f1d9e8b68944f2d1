/*
 * trace_write.c - the trace writer: xsw records in a pcap file of link type
 * LINKTYPE_WIRESHARK_UPPER_PDU (252), written through libpcap's savefile
 * writer (pcap_open_dead + pcap_dump_fopen, pcap-savefile(5)).
 *
 * The harness records every NDIS event, millions per second, so the write
 * path assembles each frame in one buffer allocated with the writer (no
 * allocation per record), behind a large stdio buffer. Timestamps are
 * virtual (XSW_TS_BASE + seq microseconds), so equal runs give identical
 * files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bytes.h"
#include "trace_int.h"

/* 2026-01-01T00:00:00Z: the virtual time of sequence number 0. */
#define XSW_TS_BASE 1767225600L
#define XSW_WRITE_STDIO_BUF (1u << 20)

/*
 * Exported-PDU tags in front of every record: tag 12 (dissector name) with
 * the NUL-padded name "xsw\0" (the length field counts the padding, as
 * Wireshark's own exporter writes it), then tag 0 (end) of length 0.
 */
static const uint8_t exp_pdu_prefix[XSW_EXP_PDU_PREFIX_LEN] = {
    0, XSW_EXP_PDU_TAG_DISSECTOR_NAME, 0, 4, 'x', 's', 'w', 0, 0, 0, 0, 0,
};

struct xsw_trace_writer {
    pcap_t *pd;
    pcap_dumper_t *dump;
    FILE *f;
    uint64_t seq;   /* last sequence number written */
    int io_err;     /* a write failed; the file is incomplete */
    uint8_t *frame; /* XSW_SNAPLEN bytes: tags, header, body */
    xsw_trace_tap_fn tap;
    void *tap_ctx;
};

void xsw_trace_writer_set_tap(struct xsw_trace_writer *w, xsw_trace_tap_fn fn, void *ctx)
{
    w->tap = fn;
    w->tap_ctx = ctx;
}

int xsw_trace_writer_flush(struct xsw_trace_writer *w)
{
    if (!w)
        return 0;
    return pcap_dump_flush(w->dump) != 0 || ferror(w->f) ? XSW_EIO : 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

struct xsw_trace_writer *xsw_trace_writer_open(const char *path, char *err, size_t errlen)
{
    struct xsw_trace_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->frame = malloc(XSW_SNAPLEN))) {
        set_err(err, errlen, "%s: %s", path, "out of memory for the trace writer");
        free(w);
        return NULL;
    }
    memcpy(w->frame, exp_pdu_prefix, sizeof exp_pdu_prefix);
    w->f = fopen(path, "wb");
    if (!w->f) {
        set_err(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
        goto fail;
    }
    /* One large buffer: fewer write(2) calls is most of the writer's speed. */
    setvbuf(w->f, NULL, _IOFBF, XSW_WRITE_STDIO_BUF);
    w->pd = pcap_open_dead(XSW_LINKTYPE, (int)XSW_SNAPLEN);
    if (!w->pd) {
        set_err(err, errlen, "%s: %s", path, "pcap_open_dead failed");
        goto fail;
    }
    w->dump = pcap_dump_fopen(w->pd, w->f);
    if (!w->dump) {
        set_err(err, errlen, "%s: cannot start the pcap file: %s", path, pcap_geterr(w->pd));
        goto fail;
    }
    return w;
fail:
    if (w->pd)
        pcap_close(w->pd);
    if (w->f)
        fclose(w->f);
    free(w->frame);
    free(w);
    return NULL;
}

int xsw_trace_writer_close(struct xsw_trace_writer *w)
{
    if (!w)
        return 0;
    int rc = w->io_err ? XSW_EIO : 0;
    if (pcap_dump_flush(w->dump) != 0 || ferror(w->f))
        rc = XSW_EIO;
    pcap_dump_close(w->dump); /* closes w->f */
    pcap_close(w->pd);
    free(w->frame);
    free(w);
    return rc;
}

uint64_t xsw_trace_writer_count(const struct xsw_trace_writer *w)
{
    return w ? w->seq : 0;
}

/*
 * Shorten the length fields of a body that was cut to "len" bytes so that
 * the record still decodes: the part that was cut keeps what fits (whole
 * destinations only), and every later part becomes empty, since the bytes
 * after the cut belong to the cut part, not to them. Returns the bytes the
 * body keeps.
 */
static size_t clamp_parts(const struct xsw_layout *l, uint8_t *body, size_t len)
{
    if (!l->known || l->rest)
        return len;
    size_t pos = l->fixed;
    int cut = 0;
    for (unsigned i = 0; i < l->nparts; i++) {
        const struct xsw_part *pt = &l->part[i];
        uint8_t *f = body + pt->off;
        size_t n = pt->size == 2 ? xsw_ld_le16(f) : xsw_ld_le32(f);
        size_t room = cut ? 0 : (len - pos) / pt->unit;
        if (n > room) {
            n = room;
            cut = 1;
            if (pt->size == 2)
                xsw_st_le16(f, (uint16_t)n);
            else
                xsw_st_le32(f, (uint32_t)n);
        }
        pos += n * pt->unit;
    }
    return pos;
}

/*
 * Check that the fixed part is complete and the declared variable parts are
 * all given: a record that would not decode is refused rather than written.
 * "given" is the body length before any cut.
 */
static int check_declared(const struct xsw_layout *l, const uint8_t *body, size_t have,
                          size_t given)
{
    if (!l->known)
        return XSW_EINVAL;
    if (have < l->fixed)
        return XSW_EINVAL;
    uint64_t need = l->fixed;
    for (unsigned i = 0; i < l->nparts; i++) {
        const uint8_t *f = body + l->part[i].off;
        uint64_t n = l->part[i].size == 2 ? xsw_ld_le16(f) : xsw_ld_le32(f);
        need += n * l->part[i].unit;
    }
    return need > given ? XSW_EINVAL : 0;
}

int64_t xsw_trace_write(struct xsw_trace_writer *w, const struct xsw_rec_hdr *h,
                        const struct xsw_iov *parts, unsigned nparts)
{
    if (!w || !h || (nparts && !parts))
        return XSW_EINVAL;
    if (w->io_err)
        return XSW_EIO;

    uint8_t *rec = w->frame + XSW_EXP_PDU_PREFIX_LEN;
    uint8_t *body = rec + XSW_REC_HDR_LEN;
    const size_t room = XSW_REC_MAX - XSW_REC_HDR_LEN;
    size_t len = 0, given = 0;
    uint8_t flags = h->flags;
    int cut = 0;

    for (unsigned i = 0; i < nparts; i++) {
        size_t n = parts[i].len;
        given += n;
        if (n > room - len) {
            n = room - len;
            cut = 1;
        }
        if (n) {
            memcpy(body + len, parts[i].base, n);
            len += n;
        }
    }
    const struct xsw_layout *l = &xsw_layout[h->kind];
    if (check_declared(l, body, len, given))
        return XSW_EINVAL;
    if (cut) {
        len = clamp_parts(l, body, len);
        flags |= XSW_RF_TRUNCATED;
    }

    const uint32_t rec_len = (uint32_t)(XSW_REC_HDR_LEN + len);
    const uint64_t seq = w->seq + 1;
    rec[XSW_OFF_VERSION] = XSW_TRACE_VERSION;
    rec[XSW_OFF_KIND] = h->kind;
    xsw_st_le16(rec + XSW_OFF_HDR_LEN, XSW_REC_HDR_LEN);
    xsw_st_le32(rec + XSW_OFF_REC_LEN, rec_len);
    xsw_st_le64(rec + XSW_OFF_SEQ, seq);
    rec[XSW_OFF_POINT] = h->point;
    rec[XSW_OFF_DEPTH] = h->depth;
    rec[XSW_OFF_ACTOR] = h->actor;
    rec[XSW_OFF_FLAGS] = flags;
    xsw_st_le32(rec + XSW_OFF_PORT, h->port_id);
    xsw_st_le16(rec + XSW_OFF_NIC, h->nic_index);
    xsw_st_le16(rec + XSW_OFF_RSVD, 0);
    xsw_st_le32(rec + XSW_OFF_STATUS, h->status);
    xsw_st_le64(rec + XSW_OFF_ID, h->id);
    xsw_st_le64(rec + XSW_OFF_PARENT, h->parent);

    struct pcap_pkthdr ph;
    ph.ts.tv_sec = XSW_TS_BASE + (long)(seq / 1000000u);
    ph.ts.tv_usec = (long)(seq % 1000000u);
    ph.caplen = ph.len = XSW_EXP_PDU_PREFIX_LEN + rec_len;
    pcap_dump((u_char *)w->dump, &ph, w->frame);
    if (ferror(w->f)) {
        w->io_err = 1;
        return XSW_EIO;
    }
    w->seq = seq;
    if (w->tap)
        w->tap(w->tap_ctx, rec, rec_len, seq);
    return (int64_t)seq;
}

/* ---- Body builder ------------------------------------------------------- */

void xsw_wbuf_init(struct xsw_wbuf *b, void *buf, size_t cap)
{
    b->buf = buf;
    b->cap = buf ? cap : 0;
    b->len = 0;
    b->overflow = 0;
}

/*
 * Reserve "n" bytes; on overflow nothing more is written, so the caller
 * checks b->overflow once after building the whole body.
 */
static inline uint8_t *wbuf_room(struct xsw_wbuf *b, size_t n)
{
    if (b->overflow || n > b->cap - b->len) {
        b->overflow = 1;
        return NULL;
    }
    uint8_t *p = b->buf + b->len;
    b->len += n;
    return p;
}

void xsw_wbuf_u8(struct xsw_wbuf *b, uint8_t v)
{
    uint8_t *p = wbuf_room(b, 1);
    if (p)
        *p = v;
}

void xsw_wbuf_u16(struct xsw_wbuf *b, uint16_t v)
{
    uint8_t *p = wbuf_room(b, 2);
    if (p)
        xsw_st_le16(p, v);
}

void xsw_wbuf_u32(struct xsw_wbuf *b, uint32_t v)
{
    uint8_t *p = wbuf_room(b, 4);
    if (p)
        xsw_st_le32(p, v);
}

void xsw_wbuf_u64(struct xsw_wbuf *b, uint64_t v)
{
    uint8_t *p = wbuf_room(b, 8);
    if (p)
        xsw_st_le64(p, v);
}

void xsw_wbuf_bytes(struct xsw_wbuf *b, const void *p, size_t n)
{
    uint8_t *d = wbuf_room(b, n);
    if (d && n)
        memcpy(d, p, n);
}
