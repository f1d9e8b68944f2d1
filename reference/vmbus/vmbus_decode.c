/*
 * vmbus_decode.c - the untrusted-input decoders of the synthetic data path:
 * VMBus packets (descriptor, transfer-page and GPA-direct headers), NVSP
 * messages, RNDIS messages and per-packet-info lists, plus the names of the
 * shared constant tables.
 *
 * Normative reference: ../shared/reference/vmbus-nvsp-rndis.md §1.1-1.5
 * (VMBus), §2.5 (NVSP bodies), §3.2-3.4 (RNDIS); the validation follows
 * Linux netvsc_receive(), rndis_filter_receive() and rndis_get_ppi().
 * The model's endpoints, the analyzer and the fuzz target all decode
 * through these functions. Every read goes through lib/bytes.h; nothing here
 * allocates or keeps state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "xsw/vmbus.h"

/* ---- Names ---------------------------------------------------------------- */

const char *xsw_vmbus_pkt_name(unsigned type)
{
    switch (type) {
#define XSW_VMBUS_PKT(name, value) \
    case value:                    \
        return #name;
#include "xsw/defs/vmbus_pkt_types.def"
#undef XSW_VMBUS_PKT
    }
    return NULL;
}

const char *xsw_nvsp_type_name(uint32_t type)
{
    switch (type) {
#define XSW_NVSP_MSG(name, value) \
    case value:                   \
        return #name;
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
    }
    return NULL;
}

const char *xsw_nvsp_status_name(uint32_t status)
{
    switch (status) {
#define XSW_NVSP_STATUS(name, value) \
    case value:                      \
        return #name;
#include "xsw/defs/nvsp_status.def"
#undef XSW_NVSP_STATUS
    }
    return NULL;
}

const char *xsw_nvsp_version_name(uint32_t version)
{
    switch (version) {
#define XSW_NVSP_VERSION(name, value) \
    case value:                       \
        return #name;
#include "xsw/defs/nvsp_versions.def"
#undef XSW_NVSP_VERSION
    }
    return NULL;
}

const char *xsw_rndis_msg_name(uint32_t type)
{
    switch (type) {
#define XSW_RNDIS_MSG(name, value) \
    case value:                    \
        return #name;
#include "xsw/defs/rndis_msg.def"
#undef XSW_RNDIS_MSG
    }
    return NULL;
}

const char *xsw_ppi_name(uint32_t type)
{
    uint32_t internal = type & XSW_RNDIS_PPI_INTERNAL ? 1 : 0;
    uint32_t t = type & ~XSW_RNDIS_PPI_INTERNAL;
#define XSW_PPI(name, value, intl)           \
    if (t == (value) && internal == (intl)) \
        return #name;
#include "xsw/defs/ppi_types.def"
#undef XSW_PPI
    return NULL;
}

/* ---- Errors --------------------------------------------------------------- */

/* Write "offset OFF: message" into err and return "code". */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(char *err, size_t errlen, int code, size_t off, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "offset %zu: ", off);
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

static const char *type_or(const char *name, const char *fallback)
{
    return name ? name : fallback;
}

/* ---- VMBus ---------------------------------------------------------------- */

static int vmbus_type_known(unsigned type)
{
    return xsw_vmbus_pkt_name(type) != NULL && type != XSW_VM_PKT_INVALID;
}

/*
 * Walk "cnt" GPA ranges starting at byte 24 of a header of "hdr_len" bytes,
 * checking that each range and its PFNs lie inside the header. Each range
 * takes at least 8 bytes, so the walk ends after at most hdr_len / 8 steps
 * whatever "cnt" says.
 */
static int gpa_walk(const uint8_t *p, uint32_t hdr_len, uint32_t cnt, struct xsw_vmbus_pkt *out, char *err,
                    size_t errlen)
{
    size_t pos = XSW_VMBUS_GPA_HDR_LEN;
    uint64_t total = 0, pfns = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        uint32_t bc, bo;
        if (xsw_get_u32(p, hdr_len, pos, &bc) || xsw_get_u32(p, hdr_len, pos + 4, &bo))
            return fail(err, errlen, XSW_EINVAL, pos,
                        "GPA range %u of %u starts past the %u-byte header that offset8 gives", i, cnt, hdr_len);
        if (bo >= XSW_HV_HYP_PAGE_SIZE)
            return fail(err, errlen, XSW_EINVAL, pos + 4, "GPA range %u byte_offset %u is not inside the first page",
                        i, bo);
        uint64_t npfn = ((uint64_t)bo + bc + XSW_HV_HYP_PAGE_SIZE - 1) / XSW_HV_HYP_PAGE_SIZE;
        if (npfn * 8 > (uint64_t)hdr_len - pos - 8)
            return fail(err, errlen, XSW_EINVAL, pos,
                        "GPA range %u (byte_offset %u, byte_count %u) needs %llu PFNs, past the %u-byte header", i,
                        bo, bc, (unsigned long long)npfn, hdr_len);
        total += bc;
        pfns += npfn;
        pos += 8 + (size_t)npfn * 8;
    }
    out->range_bytes = total;
    out->pfn_total = (uint32_t)pfns;
    out->ranges = p + XSW_VMBUS_GPA_HDR_LEN;
    out->ranges_len = (uint32_t)(pos - XSW_VMBUS_GPA_HDR_LEN);
    return 0;
}

/* The type-specific header must fit in offset8 * 8. */
static int need_hdr(const struct xsw_vmbus_pkt *o, uint32_t need, char *err, size_t errlen)
{
    if (o->hdr_len < need)
        return fail(err, errlen, XSW_EINVAL, 2, "offset8 %u gives a %u-byte header, %s needs %u", o->offset8,
                    o->hdr_len, type_or(xsw_vmbus_pkt_name(o->type), "the packet"), need);
    return 0;
}

int xsw_vmbus_pkt_decode(const uint8_t *p, size_t len, struct xsw_vmbus_pkt *out, char *err, size_t errlen)
{
    struct xsw_cur c;
    memset(out, 0, sizeof *out);
    xsw_cur_init(&c, p, len);
    xsw_cur_u16(&c, &out->type);
    xsw_cur_u16(&c, &out->offset8);
    xsw_cur_u16(&c, &out->len8);
    xsw_cur_u16(&c, &out->flags);
    xsw_cur_u64(&c, &out->trans_id);
    if (c.err)
        return fail(err, errlen, XSW_ETRUNC, c.err_off, "VMBus descriptor cut: %zu of %d bytes captured", len,
                    XSW_VMBUS_DESC_LEN);
    out->hdr_len = (uint32_t)out->offset8 * 8;
    out->pkt_len = (uint32_t)out->len8 * 8;
    if (out->hdr_len < XSW_VMBUS_DESC_LEN)
        return fail(err, errlen, XSW_EINVAL, 2, "offset8 %u puts the payload inside the 16-byte descriptor",
                    out->offset8);
    if (out->offset8 > out->len8)
        return fail(err, errlen, XSW_EINVAL, 2, "offset8 %u is beyond len8 %u", out->offset8, out->len8);
    if (out->pkt_len > len)
        return fail(err, errlen, XSW_ETRUNC, len, "len8 %u gives a %u-byte packet, %zu bytes captured", out->len8,
                    out->pkt_len, len);
    if (out->pkt_len < len)
        return fail(err, errlen, XSW_EINVAL, out->pkt_len, "%zu bytes after the %u-byte packet (len8 %u)",
                    len - out->pkt_len, out->pkt_len, out->len8);
    if (!vmbus_type_known(out->type))
        return fail(err, errlen, XSW_EINVAL, 0, "invalid VMBus packet type 0x%x", out->type);
    out->payload = p + out->hdr_len;
    out->payload_len = out->pkt_len - out->hdr_len;

    int rc = 0;
    switch ((enum xsw_vmbus_pkt_type)out->type) {
    case XSW_VM_PKT_DATA_USING_XFER_PAGES: {
        if ((rc = need_hdr(out, XSW_VMBUS_XFER_HDR_LEN, err, errlen)))
            return rc;
        out->pageset_id = xsw_ld_le16(p + 16);
        out->sender_owns_set = p[18];
        out->range_cnt = xsw_ld_le32(p + 20);
        if (out->pageset_id != XSW_NETVSC_RECEIVE_BUFFER_ID)
            return fail(err, errlen, XSW_EINVAL, 16, "xfer_pageset_id 0x%04x is not the receive buffer 0x%04x",
                        out->pageset_id, XSW_NETVSC_RECEIVE_BUFFER_ID);
        uint64_t need = XSW_VMBUS_XFER_HDR_LEN + (uint64_t)out->range_cnt * XSW_VMBUS_RANGE_HDR_LEN;
        if (need > out->hdr_len)
            return fail(err, errlen, XSW_EINVAL, 20, "range_cnt %u needs a %llu-byte header, offset8 gives %u",
                        out->range_cnt, (unsigned long long)need, out->hdr_len);
        out->ranges = p + XSW_VMBUS_XFER_HDR_LEN;
        out->ranges_len = out->range_cnt * XSW_VMBUS_RANGE_HDR_LEN;
        for (uint32_t i = 0; i < out->range_cnt; i++)
            out->range_bytes += xsw_ld_le32(out->ranges + 8 * i);
        break;
    }
    case XSW_VM_PKT_DATA_USING_GPA_DIRECT:
    case XSW_VM_PKT_ESTABLISH_GPADL:
        if ((rc = need_hdr(out, XSW_VMBUS_GPA_HDR_LEN, err, errlen)))
            return rc;
        out->gpadl = xsw_ld_le32(p + 16);
        out->range_cnt = xsw_ld_le32(p + 20);
        if ((rc = gpa_walk(p, out->hdr_len, out->range_cnt, out, err, errlen)))
            return rc;
        break;
    case XSW_VM_PKT_DATA_USING_GPADL:
    case XSW_VM_PKT_TEARDOWN_GPADL:
        if ((rc = need_hdr(out, 24, err, errlen)))
            return rc;
        out->gpadl = xsw_ld_le32(p + 16);
        break;
    case XSW_VM_PKT_ADD_XFER_PAGESET:
    case XSW_VM_PKT_RM_XFER_PAGESET:
        if ((rc = need_hdr(out, 24, err, errlen)))
            return rc;
        out->gpadl = xsw_ld_le32(p + 16);
        out->pageset_id = xsw_ld_le16(p + 20);
        break;
    case XSW_VM_PKT_ADDITIONAL_DATA:
        if ((rc = need_hdr(out, 32, err, errlen)))
            return rc;
        out->total_bytes = xsw_ld_le64(p + 16);
        out->ad_offset = xsw_ld_le32(p + 24);
        out->ad_byte_cnt = xsw_ld_le32(p + 28);
        break;
    case XSW_VM_PKT_INVALID:
    case XSW_VM_PKT_SYNCH:
    case XSW_VM_PKT_DATA_INBAND:
    case XSW_VM_PKT_CANCEL_REQUEST:
    case XSW_VM_PKT_COMP:
    case XSW_VM_PKT_DATA_USING_ADDITIONAL_PKT:
        break;
    }
    return 0;
}

int xsw_vmbus_range_next(const struct xsw_vmbus_pkt *pkt, struct xsw_vmbus_range_iter *it,
                         struct xsw_vmbus_range *r)
{
    memset(r, 0, sizeof *r);
    if (it->idx >= pkt->range_cnt)
        return 0;
    if (pkt->type == XSW_VM_PKT_DATA_USING_XFER_PAGES) {
        if (xsw_get_u32(pkt->ranges, pkt->ranges_len, it->pos, &r->byte_count) ||
            xsw_get_u32(pkt->ranges, pkt->ranges_len, it->pos + 4, &r->byte_offset))
            return 0;
        it->pos += XSW_VMBUS_RANGE_HDR_LEN;
        it->idx++;
        return 1;
    }
    if (pkt->type != XSW_VM_PKT_DATA_USING_GPA_DIRECT && pkt->type != XSW_VM_PKT_ESTABLISH_GPADL)
        return 0;
    if (xsw_get_u32(pkt->ranges, pkt->ranges_len, it->pos, &r->byte_count) ||
        xsw_get_u32(pkt->ranges, pkt->ranges_len, it->pos + 4, &r->byte_offset))
        return 0;
    uint64_t npfn = ((uint64_t)r->byte_offset + r->byte_count + XSW_HV_HYP_PAGE_SIZE - 1) / XSW_HV_HYP_PAGE_SIZE;
    size_t start = it->pos + 8;
    if (start > pkt->ranges_len || npfn > (pkt->ranges_len - start) / 8)
        return 0;
    r->pfn_count = (uint32_t)npfn;
    r->pfns = pkt->ranges + start;
    it->pos = start + (size_t)npfn * 8;
    it->idx++;
    return 1;
}

uint64_t xsw_vmbus_range_pfn(const struct xsw_vmbus_range *r, uint32_t i)
{
    uint64_t v = 0;
    if (r->pfns)
        xsw_get_u64(r->pfns, (size_t)r->pfn_count * 8, (size_t)i * 8, &v);
    return v;
}

/* ---- NVSP ----------------------------------------------------------------- */

int xsw_nvsp_decode(const uint8_t *p, size_t len, struct xsw_nvsp_msg *m, char *err, size_t errlen)
{
    struct xsw_cur c;
    memset(m, 0, sizeof *m);
    xsw_cur_init(&c, p, len);
    if (xsw_cur_u32(&c, &m->type))
        return fail(err, errlen, XSW_ETRUNC, 0, "NVSP message type cut: %zu of 4 bytes", len);
    const char *name = xsw_nvsp_type_name(m->type);
    if (!name)
        return fail(err, errlen, XSW_EINVAL, 0, "unknown NVSP message type %u", m->type);

    switch ((enum xsw_nvsp_type)m->type) {
    case XSW_NVSP_MSG_TYPE_NONE:
        return fail(err, errlen, XSW_EINVAL, 0, "NVSP_MSG_TYPE_NONE is not a message");
    case XSW_NVSP_MSG_TYPE_INIT:
        xsw_cur_u32(&c, &m->u.init.min_ver);
        xsw_cur_u32(&c, &m->u.init.max_ver);
        break;
    case XSW_NVSP_MSG_TYPE_INIT_COMPLETE:
        xsw_cur_u32(&c, &m->u.init_complete.negotiated_ver);
        xsw_cur_u32(&c, &m->u.init_complete.max_mdl_chain_len);
        xsw_cur_u32(&c, &m->u.init_complete.status);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_NDIS_VER:
        xsw_cur_u32(&c, &m->u.ndis_ver.major);
        xsw_cur_u32(&c, &m->u.ndis_ver.minor);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF:
    case XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF:
        xsw_cur_u32(&c, &m->u.buf.gpadl);
        xsw_cur_u16(&c, &m->u.buf.id);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE: {
        xsw_cur_u32(&c, &m->u.recv_buf_complete.status);
        xsw_cur_u32(&c, &m->u.recv_buf_complete.num_sections);
        if (c.err)
            break;
        uint64_t need = (uint64_t)m->u.recv_buf_complete.num_sections * sizeof(struct xsw_nvsp_section);
        if (need > xsw_cur_left(&c))
            return fail(err, errlen, XSW_ETRUNC, len,
                        "%s: %u sections need %llu bytes after offset 12, %zu present", name,
                        m->u.recv_buf_complete.num_sections, (unsigned long long)need, xsw_cur_left(&c));
        xsw_cur_bytes(&c, (size_t)need, &m->u.recv_buf_complete.sections);
        break;
    }
    case XSW_NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
    case XSW_NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
        xsw_cur_u16(&c, &m->u.revoke.id);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
        xsw_cur_u32(&c, &m->u.send_buf_complete.status);
        xsw_cur_u32(&c, &m->u.send_buf_complete.section_size);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
        xsw_cur_u32(&c, &m->u.rndis_pkt.channel_type);
        xsw_cur_u32(&c, &m->u.rndis_pkt.section_index);
        xsw_cur_u32(&c, &m->u.rndis_pkt.section_size);
        if (!c.err && m->u.rndis_pkt.channel_type > XSW_NVSP_CHANNEL_TYPE_CONTROL)
            return fail(err, errlen, XSW_EINVAL, 4, "%s channel_type %u is neither data (0) nor control (1)", name,
                        m->u.rndis_pkt.channel_type);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
        xsw_cur_u32(&c, &m->u.rndis_pkt_complete.status);
        break;
    case XSW_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
        xsw_cur_u32(&c, &m->u.ndis_config.mtu);
        xsw_cur_u32(&c, &m->u.ndis_config.reserved);
        xsw_cur_u64(&c, &m->u.ndis_config.capability);
        break;
    case XSW_NVSP_MSG2_TYPE_ALLOC_RXBUF:
        xsw_cur_u32(&c, &m->u.alloc_rxbuf.alloc_id);
        xsw_cur_u32(&c, &m->u.alloc_rxbuf.len);
        break;
    case XSW_NVSP_MSG2_TYPE_ALLOC_RXBUF_COMP:
        xsw_cur_u32(&c, &m->u.alloc_rxbuf_comp.status);
        xsw_cur_u32(&c, &m->u.alloc_rxbuf_comp.alloc_id);
        xsw_cur_u32(&c, &m->u.alloc_rxbuf_comp.gpadl);
        xsw_cur_u64(&c, &m->u.alloc_rxbuf_comp.recv_buf_id);
        break;
    case XSW_NVSP_MSG2_TYPE_FREE_RXBUF:
        xsw_cur_u64(&c, &m->u.free_rxbuf.recv_buf_id);
        break;
    case XSW_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION:
        xsw_cur_u32(&c, &m->u.vf_assoc.allocated);
        xsw_cur_u32(&c, &m->u.vf_assoc.serial);
        break;
    case XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
        xsw_cur_u32(&c, &m->u.datapath.active_datapath);
        if (!c.err && m->u.datapath.active_datapath >= XSW_NVSP_DATAPATH_MAX)
            return fail(err, errlen, XSW_EINVAL, 4, "%s active_datapath %u is neither synthetic (0) nor VF (1)",
                        name, m->u.datapath.active_datapath);
        break;
    case XSW_NVSP_MSG5_TYPE_OID_QUERY_EX:
        xsw_cur_u8(&c, &m->u.oid_query_ex.obj_type);
        xsw_cur_u8(&c, &m->u.oid_query_ex.obj_rev);
        xsw_cur_u16(&c, &m->u.oid_query_ex.obj_size);
        xsw_cur_u32(&c, &m->u.oid_query_ex.oid);
        break;
    case XSW_NVSP_MSG5_TYPE_OID_QUERY_EX_COMP:
        xsw_cur_u32(&c, &m->u.oid_query_ex_comp.status);
        xsw_cur_u32(&c, &m->u.oid_query_ex_comp.bytes);
        break;
    case XSW_NVSP_MSG5_TYPE_SUBCHANNEL:
        xsw_cur_u32(&c, &m->u.subchannel.op_or_status);
        xsw_cur_u32(&c, &m->u.subchannel.num_subchannels);
        break;
    case XSW_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE: {
        xsw_cur_u32(&c, &m->u.indirection.count);
        xsw_cur_u32(&c, &m->u.indirection.offset);
        if (c.err)
            break;
        uint32_t cnt = m->u.indirection.count, off = m->u.indirection.offset;
        if (cnt != XSW_VRSS_SEND_TAB_SIZE)
            return fail(err, errlen, XSW_EINVAL, 4, "%s count %u, must be %d", name, cnt, XSW_VRSS_SEND_TAB_SIZE);
        if (off < 12)
            return fail(err, errlen, XSW_EINVAL, 8, "%s table offset %u points into the message header", name, off);
        if ((uint64_t)off + 4ull * cnt > len)
            return fail(err, errlen, XSW_ETRUNC, len, "%s table at offset %u needs %u bytes, message has %zu", name,
                        off, 4 * cnt, len);
        m->u.indirection.table = p + off;
        m->len = off + 4 * cnt;
        return 0;
    }
    case XSW_NVSP_MSG6_TYPE_PD_API:
        xsw_cur_u32(&c, &m->u.pd_api.op);
        break;
    case XSW_NVSP_MSG6_TYPE_PD_POST_BATCH: {
        xsw_cur_u16(&c, &m->u.pd_post_batch.count);
        xsw_cur_u16(&c, &m->u.pd_post_batch.flags);
        if (c.err)
            break;
        size_t need = (size_t)m->u.pd_post_batch.count * 8;
        if (need > xsw_cur_left(&c))
            return fail(err, errlen, XSW_ETRUNC, len, "%s: %u buffers need %zu bytes after offset 8, %zu present",
                        name, m->u.pd_post_batch.count, need, xsw_cur_left(&c));
        xsw_cur_bytes(&c, need, &m->u.pd_post_batch.bufs);
        break;
    }
    /* No body in §2.5: TCP chimney (obsolete), VMQ, deprecated uplink state. */
    case XSW_NVSP_MSG2_TYPE_SEND_CHIMNEY_DELEGATED_BUF:
    case XSW_NVSP_MSG2_TYPE_SEND_CHIMNEY_DELEGATED_BUF_COMP:
    case XSW_NVSP_MSG2_TYPE_REVOKE_CHIMNEY_DELEGATED_BUF:
    case XSW_NVSP_MSG2_TYPE_RESUME_CHIMNEY_RX_INDICATION:
    case XSW_NVSP_MSG2_TYPE_TERMINATE_CHIMNEY:
    case XSW_NVSP_MSG2_TYPE_TERMINATE_CHIMNEY_COMP:
    case XSW_NVSP_MSG2_TYPE_INDICATE_CHIMNEY_EVENT:
    case XSW_NVSP_MSG2_TYPE_SEND_CHIMNEY_PKT:
    case XSW_NVSP_MSG2_TYPE_SEND_CHIMNEY_PKT_COMP:
    case XSW_NVSP_MSG2_TYPE_POST_CHIMNEY_RECV_REQ:
    case XSW_NVSP_MSG2_TYPE_POST_CHIMNEY_RECV_REQ_COMP:
    case XSW_NVSP_MSG2_TYPE_SEND_VMQ_RNDIS_PKT:
    case XSW_NVSP_MSG2_TYPE_SEND_VMQ_RNDIS_PKT_COMP:
    case XSW_NVSP_MSG2_TYPE_ALLOC_CHIMNEY_HANDLE:
    case XSW_NVSP_MSG2_TYPE_ALLOC_CHIMNEY_HANDLE_COMP:
    case XSW_NVSP_MSG4_TYPE_UPLINK_CONNECT_STATE_DEPRECATED:
        break;
    }
    if (c.err)
        return fail(err, errlen, XSW_ETRUNC, c.err_off, "%s cut: its fields need more than the %zu bytes present",
                    name, len);
    m->len = (uint32_t)c.off;
    return 0;
}

int xsw_nvsp_recv_section(const struct xsw_nvsp_msg *m, uint32_t i, struct xsw_nvsp_section *s)
{
    memset(s, 0, sizeof *s);
    if (m->type != XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE || i >= m->u.recv_buf_complete.num_sections)
        return -1;
    const uint8_t *b = m->u.recv_buf_complete.sections;
    size_t n = (size_t)m->u.recv_buf_complete.num_sections * 16, at = (size_t)i * 16;
    xsw_get_u32(b, n, at, &s->offset);
    xsw_get_u32(b, n, at + 4, &s->sub_alloc_size);
    xsw_get_u32(b, n, at + 8, &s->num_sub_allocs);
    xsw_get_u32(b, n, at + 12, &s->end_offset);
    return 0;
}

uint32_t xsw_nvsp_table_entry(const struct xsw_nvsp_msg *m, uint32_t i)
{
    uint32_t v = 0;
    if (m->type == XSW_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE && m->u.indirection.table)
        xsw_get_u32(m->u.indirection.table, (size_t)m->u.indirection.count * 4, (size_t)i * 4, &v);
    return v;
}

/* ---- RNDIS ---------------------------------------------------------------- */

/* Header length of each message type (§3.2-3.3); 0 for an unknown type. */
static uint32_t rndis_min_len(uint32_t type)
{
    switch (type) {
    case XSW_REMOTE_NDIS_PACKET_MSG:
        return XSW_RNDIS_PACKET_LEN;
    case XSW_REMOTE_NDIS_INITIALIZE_MSG:
        return 24;
    case XSW_REMOTE_NDIS_INITIALIZE_CMPLT:
        return 52;
    case XSW_REMOTE_NDIS_HALT_MSG:
    case XSW_REMOTE_NDIS_RESET_MSG:
    case XSW_REMOTE_NDIS_KEEPALIVE_MSG:
        return 12;
    case XSW_REMOTE_NDIS_QUERY_MSG:
    case XSW_REMOTE_NDIS_SET_MSG:
        return 28;
    case XSW_REMOTE_NDIS_QUERY_CMPLT:
        return 24;
    case XSW_REMOTE_NDIS_SET_CMPLT:
    case XSW_REMOTE_NDIS_RESET_CMPLT:
    case XSW_REMOTE_NDIS_KEEPALIVE_CMPLT:
        return 16;
    case XSW_REMOTE_NDIS_INDICATE_STATUS_MSG:
        return 20;
    }
    /* SET_EX, BUS and CONDIS messages: only the common header is decoded. */
    return xsw_rndis_msg_name(type) ? XSW_RNDIS_HDR_LEN : 0;
}

/*
 * Resolve a (offset relative to byte 8, length) pair of a message of "mlen"
 * bytes: the region must lie inside the message and not overlap the first
 * "hdr" bytes. "field" is the absolute offset of the offset field, for the
 * error. A zero length needs no region.
 */
static int region(const uint8_t *msg, uint32_t mlen, uint32_t hdr, uint32_t rel_off, uint32_t rlen,
                  const uint8_t **out, size_t field, const char *what, char *err, size_t errlen)
{
    *out = NULL;
    if (rlen == 0)
        return 0;
    uint64_t abs = (uint64_t)XSW_RNDIS_HDR_LEN + rel_off;
    if (abs < hdr)
        return fail(err, errlen, XSW_EINVAL, field, "%s offset %u (byte %llu) overlaps the %u-byte header", what,
                    rel_off, (unsigned long long)abs, hdr);
    if (abs + rlen > mlen)
        return fail(err, errlen, XSW_EINVAL, field,
                    "%s at offset %u, %u bytes, ends past MessageLength %u (8 + offset + length = %llu)", what,
                    rel_off, rlen, mlen, (unsigned long long)(abs + rlen));
    *out = msg + abs;
    return 0;
}

int xsw_rndis_next(const uint8_t *buf, size_t len, size_t *pos, struct xsw_rndis_msg *m, char *err,
                   size_t errlen)
{
    memset(m, 0, sizeof *m);
    size_t at = *pos;
    if (at >= len)
        return 0;
    uint32_t type, mlen;
    if (xsw_get_u32(buf, len, at, &type) || xsw_get_u32(buf, len, at + 4, &mlen))
        return fail(err, errlen, XSW_ETRUNC, len, "RNDIS header cut: %zu of 8 bytes left", len - at);
    if (mlen < XSW_RNDIS_HDR_LEN)
        return fail(err, errlen, XSW_EINVAL, at + 4, "MessageLength %u is shorter than the 8-byte header", mlen);
    if (mlen > len - at)
        return fail(err, errlen, XSW_ETRUNC, len, "MessageLength %u at offset %zu, only %zu bytes left", mlen, at,
                    len - at);
    uint32_t min = rndis_min_len(type);
    const char *name = xsw_rndis_msg_name(type);
    if (min == 0)
        return fail(err, errlen, XSW_EINVAL, at, "unknown RNDIS message type 0x%08x", type);
    if (mlen < min)
        return fail(err, errlen, XSW_EINVAL, at + 4, "MessageLength %u is shorter than the %u-byte %s", mlen, min,
                    name);

    /* From here every fixed field is inside the message: plain loads are safe. */
    const uint8_t *q = buf + at;
    m->type = type;
    m->len = mlen;
    m->off = at;
    m->msg = q;
#define F(o) xsw_ld_le32(q + (o))
    int rc = 0;
    switch ((enum xsw_rndis_msg_type)type) {
    case XSW_REMOTE_NDIS_PACKET_MSG:
        m->u.pkt.data_off = F(8);
        m->u.pkt.data_len = F(12);
        m->u.pkt.oob_off = F(16);
        m->u.pkt.oob_len = F(20);
        m->u.pkt.oob_n = F(24);
        m->u.pkt.ppi_off = F(28);
        m->u.pkt.ppi_len = F(32);
        m->u.pkt.vc_handle = F(36);
        if ((rc = region(q, mlen, XSW_RNDIS_PACKET_LEN, m->u.pkt.data_off, m->u.pkt.data_len, &m->u.pkt.data, at + 8,
                         "DataOffset", err, errlen)) ||
            (rc = region(q, mlen, XSW_RNDIS_PACKET_LEN, m->u.pkt.oob_off, m->u.pkt.oob_len, &m->u.pkt.oob, at + 16,
                         "OOBDataOffset", err, errlen)) ||
            (rc = region(q, mlen, XSW_RNDIS_PACKET_LEN, m->u.pkt.ppi_off, m->u.pkt.ppi_len, &m->u.pkt.ppi, at + 28,
                         "PerPacketInfoOffset", err, errlen)))
            return rc;
        break;
    case XSW_REMOTE_NDIS_INITIALIZE_MSG:
        m->request_id = F(8);
        m->u.init.major = F(12);
        m->u.init.minor = F(16);
        m->u.init.max_xfer = F(20);
        break;
    case XSW_REMOTE_NDIS_INITIALIZE_CMPLT: {
        m->request_id = F(8);
        m->status = F(12);
        m->u.init_cmplt.major = F(16);
        m->u.init_cmplt.minor = F(20);
        m->u.init_cmplt.dev_flags = F(24);
        m->u.init_cmplt.medium = F(28);
        m->u.init_cmplt.max_pkts = F(32);
        m->u.init_cmplt.max_xfer = F(36);
        m->u.init_cmplt.align_factor = F(40);
        m->u.init_cmplt.af_off = F(44);
        m->u.init_cmplt.af_len = F(48);
        const uint8_t *af;
        if ((rc = region(q, mlen, 52, m->u.init_cmplt.af_off, m->u.init_cmplt.af_len, &af, at + 44, "AFListOffset",
                         err, errlen)))
            return rc;
        break;
    }
    case XSW_REMOTE_NDIS_HALT_MSG:
    case XSW_REMOTE_NDIS_KEEPALIVE_MSG:
        m->request_id = F(8);
        break;
    case XSW_REMOTE_NDIS_RESET_MSG:
        break;
    case XSW_REMOTE_NDIS_QUERY_MSG:
    case XSW_REMOTE_NDIS_SET_MSG:
        m->request_id = F(8);
        m->u.req.oid = F(12);
        m->u.req.info_len = F(16);
        m->u.req.info_off = F(20);
        m->u.req.vc_handle = F(24);
        if ((rc = region(q, mlen, 28, m->u.req.info_off, m->u.req.info_len, &m->u.req.info, at + 20,
                         "InformationBufferOffset", err, errlen)))
            return rc;
        break;
    case XSW_REMOTE_NDIS_QUERY_CMPLT:
        m->request_id = F(8);
        m->status = F(12);
        m->u.query_cmplt.info_len = F(16);
        m->u.query_cmplt.info_off = F(20);
        if ((rc = region(q, mlen, 24, m->u.query_cmplt.info_off, m->u.query_cmplt.info_len, &m->u.query_cmplt.info,
                         at + 20, "InformationBufferOffset", err, errlen)))
            return rc;
        break;
    case XSW_REMOTE_NDIS_SET_CMPLT:
    case XSW_REMOTE_NDIS_KEEPALIVE_CMPLT:
        m->request_id = F(8);
        m->status = F(12);
        break;
    case XSW_REMOTE_NDIS_RESET_CMPLT:
        m->status = F(8);
        m->u.reset_cmplt.addressing_reset = F(12);
        break;
    case XSW_REMOTE_NDIS_INDICATE_STATUS_MSG:
        m->status = F(8);
        m->u.indicate.buf_len = F(12);
        m->u.indicate.buf_off = F(16);
        if ((rc = region(q, mlen, 20, m->u.indicate.buf_off, m->u.indicate.buf_len, &m->u.indicate.buf, at + 16,
                         "StatusBufferOffset", err, errlen)))
            return rc;
        break;
    case XSW_REMOTE_NDIS_SET_EX_MSG:
    case XSW_REMOTE_NDIS_SET_EX_CMPLT:
    case XSW_REMOTE_NDIS_BUS_MSG:
    case XSW_REMOTE_CONDIS_MP_CREATE_VC_MSG:
    case XSW_REMOTE_CONDIS_MP_DELETE_VC_MSG:
    case XSW_REMOTE_CONDIS_MP_ACTIVATE_VC_MSG:
    case XSW_REMOTE_CONDIS_MP_DEACTIVATE_VC_MSG:
    case XSW_REMOTE_CONDIS_INDICATE_STATUS_MSG:
    case XSW_REMOTE_CONDIS_MP_CREATE_VC_CMPLT:
    case XSW_REMOTE_CONDIS_MP_DELETE_VC_CMPLT:
    case XSW_REMOTE_CONDIS_MP_ACTIVATE_VC_CMPLT:
    case XSW_REMOTE_CONDIS_MP_DEACTIVATE_VC_CMPLT:
        break;
    }
#undef F
    *pos = at + mlen;
    return 1;
}

int xsw_rndis_ppi_next(const uint8_t *buf, size_t len, size_t *pos, struct xsw_rndis_ppi *p, char *err,
                       size_t errlen)
{
    memset(p, 0, sizeof *p);
    size_t at = *pos;
    if (at >= len)
        return 0;
    uint32_t size, type, poff;
    if (xsw_get_u32(buf, len, at, &size) || xsw_get_u32(buf, len, at + 4, &type) ||
        xsw_get_u32(buf, len, at + 8, &poff))
        return fail(err, errlen, XSW_EINVAL, at, "%zu bytes left in the per-packet-info list, a PPI needs 12",
                    len - at);
    if (size < XSW_RNDIS_PPI_HDR_LEN)
        return fail(err, errlen, XSW_EINVAL, at, "PPI size %u is smaller than its 12-byte header", size);
    if (size > len - at)
        return fail(err, errlen, XSW_EINVAL, at, "PPI size %u overruns the per-packet-info list (%zu bytes left)", size,
                    len - at);
    if (poff < XSW_RNDIS_PPI_HDR_LEN || poff >= size)
        return fail(err, errlen, XSW_EINVAL, at + 8, "PPI ppi_offset %u is outside its data (12 .. size %u)", poff,
                    size);
    p->off = at;
    p->size = size;
    p->internal = (type & XSW_RNDIS_PPI_INTERNAL) != 0;
    p->type = type & ~XSW_RNDIS_PPI_INTERNAL;
    p->ppi_offset = poff;
    p->data = buf + at + poff;
    p->data_len = size - poff;
    *pos = at + size;
    return 1;
}
