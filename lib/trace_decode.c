/*
 * trace_decode.c - decoding of one xsw trace record and of the exported-PDU
 * tags in front of it.
 *
 * Normative layout: include/xsw/trace.h (offsets) and docs/trace-format.md.
 * The exported-PDU framing follows Wireshark's epan/exported_pdu.h (tag and
 * length big-endian u16, value padded to 4 bytes, list ended by tag 0).
 *
 * Every byte is read through the bounds-checked cursor of lib/bytes.h. A
 * record shorter than it declares is reported as truncated (XSW_ETRUNC);
 * a record whose own fields contradict each other (a length that overruns
 * the record, an unknown version or kind) as invalid (XSW_EINVAL). Both name
 * the field and its byte offset. Bytes after the declared parts inside
 * rec_len are left for newer readers and never read.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "trace_int.h"

#define PART16(name, o, u) { name, o, 2, u }
#define PART32(name, o, u) { name, o, 4, u }

/* The shape of every kind's body; see trace_int.h. */
const struct xsw_layout xsw_layout[XSW_KIND_LIMIT] = {
    [XSW_K_META] = { 1, 0, 0, 1, { { 0 } } },
    [XSW_K_OID_REQUEST] = { 1, XSW_OID_BODY_LEN, 1, 0,
                            { PART32("data_len", XSW_OID_OFF_DATA_LEN, 1) } },
    [XSW_K_OID_COMPLETE] = { 1, XSW_OID_BODY_LEN, 1, 0,
                             { PART32("data_len", XSW_OID_OFF_DATA_LEN, 1) } },
#define NBL_LAYOUT                                                         \
    { 1, XSW_NBL_BODY_LEN, 2, 0,                                           \
      { PART16("num_dest", XSW_NBL_OFF_NUM_DEST, XSW_DEST_LEN),            \
        PART32("cap_len", XSW_NBL_OFF_CAP_LEN, 1) } }
    [XSW_K_NBL_SEND] = NBL_LAYOUT,
    [XSW_K_NBL_SEND_COMPLETE] = NBL_LAYOUT,
    [XSW_K_NBL_INDICATE] = NBL_LAYOUT,
    [XSW_K_NBL_RETURN] = NBL_LAYOUT,
#undef NBL_LAYOUT
    [XSW_K_STATUS] = { 1, XSW_ST_BODY_LEN, 1, 0, { PART32("data_len", XSW_ST_OFF_DATA_LEN, 1) } },
    [XSW_K_PNP_EVENT] = { 1, XSW_PNP_BODY_LEN, 1, 0,
                          { PART32("data_len", XSW_PNP_OFF_DATA_LEN, 1) } },
    [XSW_K_HANDLER_CALL] = { 1, XSW_HC_BODY_LEN, 2, 0,
                             { PART16("num_dest", XSW_HC_OFF_NUM_DEST, XSW_DEST_LEN),
                               PART16("text_len", XSW_HC_OFF_TEXT_LEN, 1) } },
    [XSW_K_FILTER_STATE] = { 1, XSW_FS_BODY_LEN, 1, 0,
                             { PART32("text_len", XSW_FS_OFF_TEXT_LEN, 1) } },
    [XSW_K_FINDING] = { 1, XSW_FI_BODY_LEN, 1, 0, { PART32("text_len", XSW_FI_OFF_TEXT_LEN, 1) } },
    [XSW_K_NDIS_CALL] = { 1, XSW_NC_BODY_LEN, 1, 0,
                          { PART16("func_len", XSW_NC_OFF_FUNC_LEN, 1) } },
    [XSW_K_VMBUS] = { 1, XSW_VB_BODY_LEN, 2, 0,
                      { PART32("pkt_len", XSW_VB_OFF_PKT_LEN, 1),
                        PART32("shared_len", XSW_VB_OFF_SHARED_LEN, 1) } },
    [XSW_K_VF_FRAME] = { 1, XSW_VF_BODY_LEN, 1, 0, { PART32("cap_len", XSW_VF_OFF_CAP_LEN, 1) } },
    [XSW_K_VERDICT] = { 1, XSW_VD_BODY_LEN, 2, 0,
                        { PART16("rule_len", XSW_VD_OFF_RULE_LEN, 1),
                          PART32("text_len", XSW_VD_OFF_TEXT_LEN, 1) } },
};

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(struct xsw_derr *e, int rc, size_t off, const char *field, const char *fmt, ...)
{
    va_list ap;
    e->off = off;
    e->field = field;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return rc;
}

void xsw_derr_format(const struct xsw_derr *e, size_t base, char *err, size_t errlen)
{
    if (!err || errlen == 0)
        return;
    if (e->field)
        snprintf(err, errlen, "field %s at offset %zu: %s", e->field, e->off + base, e->msg);
    else
        snprintf(err, errlen, "offset %zu: %s", e->off + base, e->msg);
}

static const char *kind_label(unsigned kind)
{
    const char *n = xsw_kind_name(kind);
    return n ? n : "record";
}

/*
 * Check the variable parts of a body of "body_len" bytes starting "hdr_len"
 * bytes into the record, and store where each one starts. Lengths are added
 * in 64 bits so that no declared length can wrap the sum.
 */
static int check_parts(const struct xsw_layout *l, struct xsw_cur *body, uint32_t hdr_len,
                       uint32_t rec_len, const uint8_t *start[2], uint32_t bytes[2],
                       struct xsw_derr *e)
{
    uint64_t pos = l->fixed;
    for (unsigned i = 0; i < l->nparts; i++) {
        const struct xsw_part *pt = &l->part[i];
        uint64_t n;
        if (pt->size == 2) {
            uint16_t v;
            xsw_cur_peek_u16(body, pt->off, &v);
            n = v;
        } else {
            uint32_t v;
            xsw_cur_peek_u32(body, pt->off, &v);
            n = v;
        }
        n *= pt->unit;
        if (n > body->len - pos)
            return fail(e, XSW_EINVAL, hdr_len + pt->off, pt->field,
                        "length %" PRIu64 " overruns record of %" PRIu32 " bytes", n, rec_len);
        start[i] = body->buf + pos;
        bytes[i] = (uint32_t)n;
        pos += n;
    }
    return 0;
}

int xsw_rec_decode_at(const uint8_t *p, size_t len, struct xsw_rec *out, struct xsw_derr *e)
{
    struct xsw_cur c, body;
    uint8_t version, kind;
    uint16_t hdr_len;
    uint32_t rec_len;

    memset(out, 0, sizeof *out);
    xsw_cur_init(&c, p, len);
    if (xsw_cur_peek_u8(&c, XSW_OFF_VERSION, &version))
        return fail(e, XSW_ETRUNC, 0, NULL, "empty record, the %u-byte header is missing",
                    XSW_REC_HDR_LEN);
    if (version != XSW_TRACE_VERSION)
        return fail(e, XSW_EINVAL, XSW_OFF_VERSION, "version",
                    "unknown format version %u (this reader knows version %u)", version,
                    XSW_TRACE_VERSION);
    if (xsw_cur_peek_u32(&c, XSW_OFF_REC_LEN, &rec_len))
        return fail(e, XSW_ETRUNC, len, NULL,
                    "record of %zu bytes ends inside the %u-byte header", len, XSW_REC_HDR_LEN);
    xsw_cur_peek_u16(&c, XSW_OFF_HDR_LEN, &hdr_len);
    if (hdr_len < XSW_REC_HDR_LEN)
        return fail(e, XSW_EINVAL, XSW_OFF_HDR_LEN, "hdr_len",
                    "header length %u is shorter than the %u bytes of version %u", hdr_len,
                    XSW_REC_HDR_LEN, XSW_TRACE_VERSION);
    if (rec_len > len)
        return fail(e, XSW_ETRUNC, XSW_OFF_REC_LEN, "rec_len",
                    "record declares %" PRIu32 " bytes, only %zu captured", rec_len, len);
    if (rec_len < hdr_len)
        return fail(e, XSW_EINVAL, XSW_OFF_REC_LEN, "rec_len",
                    "record length %" PRIu32 " is shorter than the header length %u", rec_len,
                    hdr_len);
    /*
     * The writer never produces a record that does not fit one pcap frame
     * of XSW_SNAPLEN bytes after the exported-PDU tags, and libpcap refuses
     * longer frames; a longer record handed to the decoder directly is
     * refused the same way, so that no consumer sees one.
     */
    if (rec_len > XSW_REC_MAX)
        return fail(e, XSW_ELIMIT, XSW_OFF_REC_LEN, "rec_len",
                    "record of %" PRIu32 " bytes exceeds the limit of %u bytes (XSW_SNAPLEN less "
                    "the %u bytes of exported-PDU tags)",
                    rec_len, (unsigned)XSW_REC_MAX, (unsigned)XSW_EXP_PDU_PREFIX_LEN);
    /* From here on the header and the body lie inside "len" bytes. */
    c.len = rec_len;
    xsw_cur_peek_u8(&c, XSW_OFF_KIND, &kind);
    const struct xsw_layout *l = &xsw_layout[kind];
    if (!l->known)
        return fail(e, XSW_EINVAL, XSW_OFF_KIND, "kind", "unknown record kind %u", kind);

    out->version = version;
    out->kind = kind;
    xsw_cur_peek_u64(&c, XSW_OFF_SEQ, &out->seq);
    xsw_cur_peek_u8(&c, XSW_OFF_POINT, &out->point);
    xsw_cur_peek_u8(&c, XSW_OFF_DEPTH, &out->depth);
    xsw_cur_peek_u8(&c, XSW_OFF_ACTOR, &out->actor);
    xsw_cur_peek_u8(&c, XSW_OFF_FLAGS, &out->flags);
    xsw_cur_peek_u32(&c, XSW_OFF_PORT, &out->port_id);
    xsw_cur_peek_u16(&c, XSW_OFF_NIC, &out->nic_index);
    xsw_cur_peek_u32(&c, XSW_OFF_STATUS, &out->status);
    xsw_cur_peek_u64(&c, XSW_OFF_ID, &out->id);
    xsw_cur_peek_u64(&c, XSW_OFF_PARENT, &out->parent);

    /* Newer minor layouts may have a longer header: its extra bytes are skipped. */
    xsw_cur_skip(&c, hdr_len);
    xsw_cur_sub(&c, rec_len - hdr_len, &body);
    out->body = body.buf;
    out->body_len = (uint32_t)body.len;
    if (body.len < l->fixed)
        return fail(e, XSW_EINVAL, hdr_len, "body",
                    "%s body of %zu bytes is shorter than its fixed part of %u bytes",
                    kind_label(kind), body.len, l->fixed);

    const uint8_t *part[2] = { NULL, NULL };
    uint32_t plen[2] = { 0, 0 };
    int rc = check_parts(l, &body, hdr_len, rec_len, part, plen, e);
    if (rc)
        return rc;

    switch ((enum xsw_kind)kind) {
    case XSW_K_META:
        out->u.meta.text = (const char *)body.buf;
        out->u.meta.text_len = (uint32_t)body.len;
        break;
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
        xsw_cur_peek_u32(&body, XSW_OID_OFF_OID, &out->u.oid.oid);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_TYPE, &out->u.oid.type);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_INFO_LEN, &out->u.oid.info_len);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_OUT_LEN, &out->u.oid.out_len);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_DONE, &out->u.oid.done);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_NEEDED, &out->u.oid.needed);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_INNER_OID, &out->u.oid.inner_oid);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_INNER_TYPE, &out->u.oid.inner_type);
        xsw_cur_peek_u32(&body, XSW_OID_OFF_INNER_STATUS, &out->u.oid.inner_status);
        out->u.oid.data = part[0];
        out->u.oid.data_len = plen[0];
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        xsw_cur_peek_u32(&body, XSW_NBL_OFF_NDIS_FLAGS, &out->u.nbl.ndis_flags);
        xsw_cur_peek_u16(&body, XSW_NBL_OFF_CHAIN_IDX, &out->u.nbl.chain_idx);
        xsw_cur_peek_u16(&body, XSW_NBL_OFF_CHAIN_LEN, &out->u.nbl.chain_len);
        xsw_cur_peek_u64(&body, XSW_NBL_OFF_FWD, &out->u.nbl.fwd);
        xsw_cur_peek_u16(&body, XSW_NBL_OFF_NUM_DEST, &out->u.nbl.num_dest);
        xsw_cur_peek_u16(&body, XSW_NBL_OFF_NUM_ELEM, &out->u.nbl.num_elem);
        xsw_cur_peek_u32(&body, XSW_NBL_OFF_FRAME_LEN, &out->u.nbl.frame_len);
        xsw_cur_peek_u32(&body, XSW_NBL_OFF_NB_COUNT, &out->u.nbl.nb_count);
        out->u.nbl.dest = part[0];
        out->u.nbl.frame = part[1];
        out->u.nbl.cap_len = plen[1];
        break;
    case XSW_K_STATUS:
        xsw_cur_peek_u32(&body, XSW_ST_OFF_CODE, &out->u.status.code);
        xsw_cur_peek_u32(&body, XSW_ST_OFF_INNER_CODE, &out->u.status.inner_code);
        xsw_cur_peek_u32(&body, XSW_ST_OFF_BUF_LEN, &out->u.status.buf_len);
        out->u.status.data = part[0];
        out->u.status.data_len = plen[0];
        break;
    case XSW_K_PNP_EVENT:
        xsw_cur_peek_u32(&body, XSW_PNP_OFF_EVENT, &out->u.pnp.event);
        out->u.pnp.data = part[0];
        out->u.pnp.data_len = plen[0];
        break;
    case XSW_K_HANDLER_CALL:
        xsw_cur_peek_u16(&body, XSW_HC_OFF_HANDLER, &out->u.hc.handler);
        xsw_cur_peek_u8(&body, XSW_HC_OFF_IRQL, &out->u.hc.irql);
        xsw_cur_peek_u32(&body, XSW_HC_OFF_FLAGS, &out->u.hc.flags);
        xsw_cur_peek_u32(&body, XSW_HC_OFF_COUNT, &out->u.hc.count);
        xsw_cur_peek_u32(&body, XSW_HC_OFF_REFCOUNT, &out->u.hc.refcount);
        xsw_cur_peek_u64(&body, XSW_HC_OFF_NBL, &out->u.hc.nbl);
        xsw_cur_peek_u16(&body, XSW_HC_OFF_NUM_DEST, &out->u.hc.num_dest);
        out->u.hc.dest = part[0];
        out->u.hc.text = (const char *)part[1];
        out->u.hc.text_len = (uint16_t)plen[1];
        break;
    case XSW_K_FILTER_STATE:
        xsw_cur_peek_u32(&body, XSW_FS_OFF_EVENT, &out->u.fs.event);
        out->u.fs.text = (const char *)part[0];
        out->u.fs.text_len = plen[0];
        break;
    case XSW_K_FINDING:
        xsw_cur_peek_u16(&body, XSW_FI_OFF_CODE, &out->u.finding.code);
        xsw_cur_peek_u8(&body, XSW_FI_OFF_IRQL, &out->u.finding.irql);
        xsw_cur_peek_u64(&body, XSW_FI_OFF_VALUE, &out->u.finding.value);
        out->u.finding.text = (const char *)part[0];
        out->u.finding.text_len = plen[0];
        break;
    case XSW_K_NDIS_CALL:
        xsw_cur_peek_u8(&body, XSW_NC_OFF_IRQL, &out->u.ndis.irql);
        xsw_cur_peek_u64(&body, XSW_NC_OFF_ARG0, &out->u.ndis.arg[0]);
        xsw_cur_peek_u64(&body, XSW_NC_OFF_ARG1, &out->u.ndis.arg[1]);
        xsw_cur_peek_u64(&body, XSW_NC_OFF_ARG2, &out->u.ndis.arg[2]);
        out->u.ndis.func = (const char *)part[0];
        out->u.ndis.func_len = (uint16_t)plen[0];
        break;
    case XSW_K_VMBUS:
        xsw_cur_peek_u32(&body, XSW_VB_OFF_CHANNEL, &out->u.vmbus.channel);
        xsw_cur_peek_u8(&body, XSW_VB_OFF_DIR, &out->u.vmbus.dir);
        out->u.vmbus.pkt = part[0];
        out->u.vmbus.pkt_len = plen[0];
        out->u.vmbus.shared = part[1];
        out->u.vmbus.shared_len = plen[1];
        break;
    case XSW_K_VF_FRAME:
        xsw_cur_peek_u32(&body, XSW_VF_OFF_DIR, &out->u.vf.dir);
        out->u.vf.frame = part[0];
        out->u.vf.cap_len = plen[0];
        break;
    case XSW_K_VERDICT:
        xsw_cur_peek_u8(&body, XSW_VD_OFF_LEVEL, &out->u.verdict.level);
        xsw_cur_peek_u8(&body, XSW_VD_OFF_OUTCOME, &out->u.verdict.outcome);
        xsw_cur_peek_u32(&body, XSW_VD_OFF_JUDGED_FRAME, &out->u.verdict.judged_frame);
        out->u.verdict.rule = (const char *)part[0];
        out->u.verdict.rule_len = (uint16_t)plen[0];
        out->u.verdict.text = (const char *)part[1];
        out->u.verdict.text_len = plen[1];
        break;
    }
    /*
     * Every read above is covered by the length checks; a failed read here
     * would mean the layout table and the offsets disagree.
     */
    if (c.err || body.err)
        return fail(e, XSW_EINVAL, c.err ? c.err_off : hdr_len + body.err_off, NULL,
                    "internal error: %s read outside the checked record", kind_label(kind));
    return 0;
}

int xsw_rec_decode(const uint8_t *p, size_t len, struct xsw_rec *out, char *err, size_t errlen)
{
    struct xsw_derr e;
    int rc = xsw_rec_decode_at(p, len, out, &e);
    if (rc)
        xsw_derr_format(&e, 0, err, errlen);
    return rc;
}

struct xsw_dest xsw_rec_dest(const uint8_t *dest, unsigned i)
{
    /* The decoder checked that num_dest * XSW_DEST_LEN bytes are present. */
    const uint8_t *d = dest + (size_t)i * XSW_DEST_LEN;
    struct xsw_dest r = { xsw_ld_le32(d), xsw_ld_le16(d + 4), xsw_ld_le16(d + 6) };
    return r;
}

/*
 * Copy a dissector name for a message, stopping at the NUL padding and
 * replacing bytes that are not printable ASCII.
 */
static void printable_name(const uint8_t *p, size_t n, char *out, size_t outlen)
{
    size_t j = 0;
    for (size_t i = 0; i < n && p[i] && j + 1 < outlen; i++)
        out[j++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    out[j] = 0;
}

int xsw_exp_pdu_strip_at(const uint8_t *p, size_t len, size_t *off, struct xsw_derr *e)
{
    struct xsw_cur c;
    int have_name = 0;

    xsw_cur_init(&c, p, len);
    for (;;) {
        size_t at = c.off;
        uint16_t tag, tlen;
        const uint8_t *val;
        if (xsw_cur_be16(&c, &tag) || xsw_cur_be16(&c, &tlen))
            return fail(e, XSW_ETRUNC, at, "exp_pdu_tag",
                        "frame of %zu bytes ends inside an exported-PDU tag", len);
        /*
         * Wireshark advances by the length field exactly, so the length of
         * a padded value already includes its padding.
         */
        if (xsw_cur_bytes(&c, tlen, &val))
            return fail(e, XSW_ETRUNC, at + 2, "exp_pdu_tag_len",
                        "tag %u value of %u bytes overruns the frame of %zu bytes", tag, tlen,
                        len);
        if (tag == 0)
            break;
        if (tag != XSW_EXP_PDU_TAG_DISSECTOR_NAME)
            continue;
        /* The name is NUL-padded; "xsw" followed only by NULs is ours. */
        size_t n = 0;
        while (n < tlen && val[n])
            n++;
        if (n != 3 || memcmp(val, "xsw", 3) != 0) {
            char name[64];
            printable_name(val, tlen, name, sizeof name);
            return fail(e, XSW_EINVAL, at + 4, "exp_pdu_dissector",
                        "dissector name \"%s\" is not \"xsw\"", name);
        }
        have_name = 1;
    }
    if (!have_name)
        return fail(e, XSW_EINVAL, 0, "exp_pdu_dissector",
                    "no dissector name tag (%u) before the end tag", XSW_EXP_PDU_TAG_DISSECTOR_NAME);
    *off = c.off;
    return 0;
}

int xsw_exp_pdu_strip(const uint8_t *p, size_t len, size_t *off, char *err, size_t errlen)
{
    struct xsw_derr e;
    int rc = xsw_exp_pdu_strip_at(p, len, off, &e);
    if (rc)
        xsw_derr_format(&e, 0, err, errlen);
    return rc;
}
