/*
 * packet-vmbus.c - dissector for VMBus channel packets (protocol "vmbus").
 *
 * Decodes one packet as it sits in a VMBus ring, without the 8-byte ring
 * trailer: the 16-byte vmpacket_descriptor, the type-specific header
 * (transfer-page ranges, GPA-direct ranges with their variable PFN counts,
 * GPADL and page-set headers) and hands the payload of data and completion
 * packets to "nvsp". Layouts: ../../shared/reference/vmbus-nvsp-rndis.md
 * §1.1-1.5 (Linux include/linux/hyperv.h).
 *
 * The RNDIS messages an NVSP SEND_RNDIS_PKT carries are not in the ring but
 * in shared buffers; the xsw VMBUS record carries those bytes after the
 * packet ("shared bytes", struct xsw_vmbus_info). Their mapping, documented
 * in dissectors/README.md, is: the shared bytes are the concatenation, in
 * range order, of the byte ranges the packet references -
 *   VM_PKT_DATA_USING_XFER_PAGES: each transfer-page range's byte_count
 *     bytes (range i starts after the byte_counts of ranges 0..i-1); each
 *     range is one RNDIS buffer;
 *   VM_PKT_DATA_USING_GPA_DIRECT: each GPA range's byte_count bytes; all of
 *     them form one RNDIS buffer (header page then data pages);
 *   VM_PKT_DATA_INBAND: the used part (send_buf_section_size bytes) of the
 *     send-buffer section named by the NVSP message; one RNDIS buffer.
 * Other packet types reference no shared memory and must carry none.
 *
 * Requests are linked to their VM_PKT_COMP by (channel, direction of the
 * request, transaction id).
 */
#include "xsw-dissectors.h"

#include <string.h>

#include <epan/expert.h>
#include <epan/proto_data.h>
#include <wsutil/nstime.h>

#define VMBUS_DESC_LEN 16

static int proto_vmbus = -1;
static dissector_handle_t nvsp_handle;

static int hf_vmbus_type = -1;
static int hf_vmbus_offset8 = -1;
static int hf_vmbus_len8 = -1;
static int hf_vmbus_flags = -1;
static int hf_vmbus_flag_rc = -1;
static int hf_vmbus_flag_reserved = -1;
static int hf_vmbus_trans_id = -1;
static int hf_vmbus_hdr_len = -1;
static int hf_vmbus_pkt_len = -1;
static int hf_vmbus_payload_len = -1;
static int hf_vmbus_pageset_id = -1;
static int hf_vmbus_sender_owns = -1;
static int hf_vmbus_reserved8 = -1;
static int hf_vmbus_reserved16 = -1;
static int hf_vmbus_reserved32 = -1;
static int hf_vmbus_range_count = -1;
static int hf_vmbus_range_byte_count = -1;
static int hf_vmbus_range_byte_offset = -1;
static int hf_vmbus_range_pfn_count = -1;
static int hf_vmbus_range_pfn = -1;
static int hf_vmbus_gpadl = -1;
static int hf_vmbus_total_bytes = -1;
static int hf_vmbus_ad_offset = -1;
static int hf_vmbus_ad_byte_cnt = -1;
static int hf_vmbus_hdr_pad = -1;
static int hf_vmbus_payload = -1;
static int hf_vmbus_trailing = -1;
static int hf_vmbus_shared_range = -1;
static int hf_vmbus_shared_extra = -1;
static int hf_vmbus_response_in = -1;
static int hf_vmbus_request_in = -1;
static int hf_vmbus_time = -1;

static gint ett_vmbus = -1;
static gint ett_vmbus_flags = -1;
static gint ett_vmbus_range = -1;
static gint ett_vmbus_shared = -1;

static expert_field ei_vmbus_short = EI_INIT;
static expert_field ei_vmbus_overrun = EI_INIT;
static expert_field ei_vmbus_trailing = EI_INIT;
static expert_field ei_vmbus_unknown_type = EI_INIT;
static expert_field ei_vmbus_reserved = EI_INIT;
static expert_field ei_vmbus_pageset = EI_INIT;
static expert_field ei_vmbus_no_request = EI_INIT;
static expert_field ei_vmbus_shared = EI_INIT;
static expert_field ei_vmbus_page_offset = EI_INIT;

/* ---- Request/completion links ---------------------------------------------- */

struct vb_key {
    guint32 channel;
    guint8 dir;
    guint64 trans_id;
};

struct vb_link {
    guint32 req_frame, rsp_frame;
    guint32 req_nvsp_type;
    nstime_t req_ts;
};

struct vb_frame {
    struct vb_link *link;
    gboolean no_request;
};

static wmem_map_t *vb_open;

static guint vb_key_hash(gconstpointer k)
{
    const struct vb_key *key = (const struct vb_key *)k;
    return g_int64_hash(&key->trans_id) ^ (key->channel * 31u) ^ key->dir;
}

static gboolean vb_key_equal(gconstpointer a, gconstpointer b)
{
    const struct vb_key *x = (const struct vb_key *)a, *y = (const struct vb_key *)b;
    return x->channel == y->channel && x->dir == y->dir && x->trans_id == y->trans_id;
}

/*
 * First pass: a data packet that expects a completion opens a link (RC set,
 * or a transfer-page packet, which the receiver always completes to return
 * its ranges); a VM_PKT_COMP closes the link of the opposite direction.
 */
static void vb_link_pass1(packet_info *pinfo, guint32 channel, guint8 dir, guint16 type, guint16 flags,
                          guint64 trans_id, guint32 nvsp_type)
{
    if (PINFO_FD_VISITED(pinfo) || dir == XSW_DIR_UNKNOWN)
        return;
    struct vb_frame *fd = wmem_new0(wmem_file_scope(), struct vb_frame);
    if (type == XD_VM_PKT_COMP) {
        struct vb_key key = { channel, (guint8)(dir ^ 1), trans_id };
        struct vb_link *l = (struct vb_link *)wmem_map_remove(vb_open, &key);
        if (l) {
            l->rsp_frame = pinfo->num;
            fd->link = l;
        } else {
            fd->no_request = TRUE;
        }
    } else if ((flags & 1) || type == XD_VM_PKT_DATA_USING_XFER_PAGES) {
        struct vb_key *key = wmem_new(wmem_file_scope(), struct vb_key);
        key->channel = channel;
        key->dir = dir;
        key->trans_id = trans_id;
        struct vb_link *l = wmem_new0(wmem_file_scope(), struct vb_link);
        l->req_frame = pinfo->num;
        l->req_ts = pinfo->abs_ts;
        l->req_nvsp_type = nvsp_type;
        wmem_map_insert(vb_open, key, l);
        fd->link = l;
    }
    p_add_proto_data(wmem_file_scope(), pinfo, proto_vmbus, 0, fd);
}

/* ---- Headers ------------------------------------------------------------------ */

/* Bytes at "off" up to "end", never negative. */
static guint span(int off, int end)
{
    return end > off ? (guint)(end - off) : 0;
}

/*
 * Transfer-page header (type 7): page-set id, ownership, ranges. Fills
 * "counts" with each range's byte_count; returns the number of ranges.
 */
static guint xfer_pages(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hdr_end, guint32 *counts,
                        guint max)
{
    if (hdr_end < 24) {
        proto_tree_add_expert_format(tree, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                     "transfer-page packet header needs 24 bytes, offset8 gives %d", hdr_end);
        return 0;
    }
    guint32 id, cnt, rsvd;
    proto_item *ii = proto_tree_add_item_ret_uint(tree, hf_vmbus_pageset_id, tvb, 16, 2, ENC_LITTLE_ENDIAN, &id);
    if (id != XD_NETVSC_RECEIVE_BUFFER_ID)
        expert_add_info_format(pinfo, ii, &ei_vmbus_pageset,
                               "transfer page-set id 0x%04x is not the receive buffer (0xCAFE)", id);
    proto_tree_add_item(tree, hf_vmbus_sender_owns, tvb, 18, 1, ENC_LITTLE_ENDIAN);
    proto_item *ri = proto_tree_add_item_ret_uint(tree, hf_vmbus_reserved8, tvb, 19, 1, ENC_LITTLE_ENDIAN, &rsvd);
    if (rsvd)
        expert_add_info(pinfo, ri, &ei_vmbus_reserved);
    proto_item *ci = proto_tree_add_item_ret_uint(tree, hf_vmbus_range_count, tvb, 20, 4, ENC_LITTLE_ENDIAN, &cnt);
    guint fit = span(24, hdr_end) / 8;
    if (cnt > fit) {
        expert_add_info_format(pinfo, ci, &ei_vmbus_overrun,
                               "%u ranges need %u header bytes, offset8 leaves %u (Linux requires offset8*8 >= 24 + "
                               "8*range_cnt)",
                               cnt, 24 + 8 * cnt, (guint)hdr_end);
        cnt = fit;
    }
    for (guint i = 0; i < cnt; i++) {
        int o = 24 + 8 * (int)i;
        guint32 bc = tvb_get_letohl(tvb, o), bo = tvb_get_letohl(tvb, o + 4);
        proto_tree *rt = proto_tree_add_subtree_format(tree, tvb, o, 8, ett_vmbus_range, NULL,
                                                       "Range %u: %u bytes at receive-buffer offset %u", i, bc, bo);
        proto_tree_add_item(rt, hf_vmbus_range_byte_count, tvb, o, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(rt, hf_vmbus_range_byte_offset, tvb, o + 4, 4, ENC_LITTLE_ENDIAN);
        if (i < max)
            counts[i] = bc;
    }
    if (cnt > max)
        proto_tree_add_expert_format(tree, pinfo, &ei_vmbus_overrun, tvb, 20, 4,
                                     "%u ranges: only the first %u are handed to RNDIS", cnt, max);
    return MIN(cnt, max);
}

/*
 * A list of gpa_range entries from "off" to "end": byte_count, byte_offset,
 * then ceil((byte_offset + byte_count) / 4096) PFNs each. Fills "counts"
 * like xfer_pages(); returns the number of ranges decoded.
 */
static guint gpa_ranges(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *count_item, int off, int end,
                        guint32 cnt, guint32 *counts, guint max)
{
    guint n = 0;
    for (guint i = 0; i < cnt; i++) {
        if (span(off, end) < 8) {
            expert_add_info_format(pinfo, count_item, &ei_vmbus_overrun,
                                   "range %u of %u does not fit in the packet header (%u bytes left)", i, cnt,
                                   span(off, end));
            break;
        }
        guint32 bc = tvb_get_letohl(tvb, off), bo = tvb_get_letohl(tvb, off + 4);
        guint64 pfns = ((guint64)bo + bc + (guint)XD_HV_HYP_PAGE_SIZE - 1) / (guint)XD_HV_HYP_PAGE_SIZE;
        guint need = 8;
        gboolean fits = pfns <= (span(off, end) - 8) / 8;
        if (fits)
            need += (guint)pfns * 8;
        proto_tree *rt = proto_tree_add_subtree_format(tree, tvb, off, (gint)MIN(need, span(off, end)),
                                                       ett_vmbus_range, NULL,
                                                       "Range %u: %u bytes at page offset %u, %" G_GINT64_MODIFIER
                                                       "u pages",
                                                       i, bc, bo, pfns);
        proto_tree_add_item(rt, hf_vmbus_range_byte_count, tvb, off, 4, ENC_LITTLE_ENDIAN);
        proto_item *oi = proto_tree_add_item(rt, hf_vmbus_range_byte_offset, tvb, off + 4, 4, ENC_LITTLE_ENDIAN);
        if (bo >= (guint)XD_HV_HYP_PAGE_SIZE)
            expert_add_info_format(pinfo, oi, &ei_vmbus_page_offset,
                                   "byte_offset %u is not inside the first 4096-byte page", bo);
        proto_item *pi = proto_tree_add_uint64(rt, hf_vmbus_range_pfn_count, tvb, off, 8, pfns);
        proto_item_set_generated(pi);
        if (!fits) {
            expert_add_info_format(pinfo, pi, &ei_vmbus_overrun,
                                   "range %u needs %" G_GINT64_MODIFIER "u PFNs, the header has room for %u", i, pfns,
                                   (span(off, end) - 8) / 8);
            break;
        }
        for (guint64 p = 0; p < pfns; p++)
            proto_tree_add_item(rt, hf_vmbus_range_pfn, tvb, off + 8 + 8 * (int)p, 8, ENC_LITTLE_ENDIAN);
        if (n < max)
            counts[n++] = bc;
        off += (int)need;
    }
    if (off < end)
        proto_tree_add_item(tree, hf_vmbus_hdr_pad, tvb, off, end - off, ENC_NA);
    return n;
}

/*
 * Split the shared bytes along the ranges: one RNDIS buffer per range when
 * "per_range", else one buffer for all of them. Shared bytes that the ranges
 * do not account for, or ranges the shared bytes do not cover, are reported.
 */
static void map_shared(tvbuff_t *shared, packet_info *pinfo, proto_tree *tree, proto_item *anchor,
                       const guint32 *counts, guint n, gboolean per_range, struct xsw_nvsp_info *ni)
{
    guint have = shared ? tvb_reported_length(shared) : 0;
    guint64 total = 0;
    for (guint i = 0; i < n; i++)
        total += counts[i];
    if (total == 0 && have == 0)
        return;
    if (have == 0) {
        expert_add_info_format(pinfo, anchor, &ei_vmbus_shared,
                               "the ranges reference %" G_GINT64_MODIFIER "u bytes but the record carries none "
                               "(RNDIS not captured)",
                               total);
        return;
    }
    proto_tree *st = proto_tree_add_subtree_format(tree, shared, 0, (gint)have, ett_vmbus_shared, NULL,
                                                   "Shared-buffer bytes: %u (ranges reference %" G_GINT64_MODIFIER
                                                   "u)",
                                                   have, total);
    guint off = 0;
    if (per_range) {
        for (guint i = 0; i < n && ni->n_rndis < XSW_MAX_RNDIS_BUFS; i++) {
            guint take = MIN(counts[i], have - off);
            if (take > 0) {
                proto_item *it = proto_tree_add_item(st, hf_vmbus_shared_range, shared, (gint)off, (gint)take, ENC_NA);
                proto_item_append_text(it, " (range %u)", i);
                ni->rndis[ni->n_rndis++] = tvb_new_subset_length(shared, (gint)off, (gint)take);
            }
            off += take;
        }
    } else {
        guint take = (guint)MIN(total, (guint64)have);
        if (take > 0) {
            proto_tree_add_item(st, hf_vmbus_shared_range, shared, 0, (gint)take, ENC_NA);
            ni->rndis[ni->n_rndis++] = tvb_new_subset_length(shared, 0, (gint)take);
        }
        off = take;
    }
    if (total > have)
        expert_add_info_format(pinfo, anchor, &ei_vmbus_shared,
                               "the ranges reference %" G_GINT64_MODIFIER "u bytes, the record carries only %u", total,
                               have);
    else if (have > total) {
        proto_item *it = proto_tree_add_item(st, hf_vmbus_shared_extra, shared, (gint)off, (gint)(have - off), ENC_NA);
        expert_add_info_format(pinfo, it, &ei_vmbus_shared,
                               "%u shared bytes beyond the %" G_GINT64_MODIFIER "u bytes the ranges reference",
                               have - off, total);
    }
}

static int dissect_vmbus(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    static int *const flag_bits[] = { &hf_vmbus_flag_rc, &hf_vmbus_flag_reserved, NULL };
    const struct xsw_vmbus_info *vi = (const struct xsw_vmbus_info *)data;
    guint32 channel = vi ? vi->channel : 0;
    guint8 dir = vi ? vi->dir : XSW_DIR_UNKNOWN;
    tvbuff_t *shared = vi ? vi->shared : NULL;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "VMBus");
    guint len = tvb_reported_length(tvb);
    proto_item *ti = proto_tree_add_item(tree, proto_vmbus, tvb, 0, -1, ENC_NA);
    proto_tree *vt = proto_item_add_subtree(ti, ett_vmbus);
    if (len < VMBUS_DESC_LEN) {
        expert_add_info_format(pinfo, ti, &ei_vmbus_short, "VMBus packet of %u bytes is shorter than the 16-byte "
                                                            "descriptor",
                               len);
        col_append_str(pinfo->cinfo, COL_INFO, " VMBus packet too short");
        return (int)len;
    }
    guint32 type, off8, len8, flags;
    guint64 tid;
    proto_item *tyi = proto_tree_add_item_ret_uint(vt, hf_vmbus_type, tvb, 0, 2, ENC_LITTLE_ENDIAN, &type);
    proto_item *oi = proto_tree_add_item_ret_uint(vt, hf_vmbus_offset8, tvb, 2, 2, ENC_LITTLE_ENDIAN, &off8);
    proto_item *li = proto_tree_add_item_ret_uint(vt, hf_vmbus_len8, tvb, 4, 2, ENC_LITTLE_ENDIAN, &len8);
    proto_item *fi = proto_tree_add_bitmask(vt, tvb, 6, hf_vmbus_flags, ett_vmbus_flags, flag_bits, ENC_LITTLE_ENDIAN);
    flags = tvb_get_letohs(tvb, 6);
    if (flags & 0xFFFE)
        expert_add_info_format(pinfo, fi, &ei_vmbus_reserved, "reserved packet flag bits set: 0x%04x", flags & 0xFFFEu);
    proto_tree_add_item_ret_uint64(vt, hf_vmbus_trans_id, tvb, 8, 8, ENC_LITTLE_ENDIAN, &tid);
    int hdr_end = (int)off8 * 8, pkt_end = (int)len8 * 8;
    proto_item *it = proto_tree_add_uint(vt, hf_vmbus_hdr_len, tvb, 2, 2, (guint32)hdr_end);
    proto_item_set_generated(it);
    it = proto_tree_add_uint(vt, hf_vmbus_pkt_len, tvb, 4, 2, (guint32)pkt_end);
    proto_item_set_generated(it);

    const char *tname = val_to_str(type, xsw_vmbus_pkt_vals, "VM_PKT 0x%x");
    proto_item_append_text(ti, ", %s, trans_id 0x%" G_GINT64_MODIFIER "x", tname, tid);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s tid=0x%" G_GINT64_MODIFIER "x", tname + (strncmp(tname, "VM_PKT_", 7) ? 0 : 7),
                    tid);
    if (!try_val_to_str(type, xsw_vmbus_pkt_vals))
        expert_add_info_format(pinfo, tyi, &ei_vmbus_unknown_type, "packet type 0x%x is not in vmbus_pkt_types.def",
                               type);

    /* The descriptor's lengths must describe the bytes present. */
    gboolean bad = FALSE;
    if (hdr_end < VMBUS_DESC_LEN) {
        expert_add_info_format(pinfo, oi, &ei_vmbus_overrun, "offset8 %u puts the payload inside the descriptor",
                               off8);
        bad = TRUE;
    }
    if (off8 > len8) {
        expert_add_info_format(pinfo, oi, &ei_vmbus_overrun, "offset8 %u is beyond len8 %u", off8, len8);
        bad = TRUE;
    }
    if ((guint)pkt_end > len) {
        expert_add_info_format(pinfo, li, &ei_vmbus_overrun, "len8 %u (%d bytes) overruns the %u bytes present", len8,
                               pkt_end, len);
        pkt_end = (int)len;
    } else if ((guint)pkt_end < len) {
        proto_item *tr = proto_tree_add_item(vt, hf_vmbus_trailing, tvb, pkt_end, (gint)(len - (guint)pkt_end), ENC_NA);
        expert_add_info_format(pinfo, tr, &ei_vmbus_trailing, "%u bytes after the %d-byte packet (len8 %u)",
                               len - (guint)pkt_end, pkt_end, len8);
    }
    if (hdr_end > pkt_end)
        hdr_end = pkt_end;
    if (bad)
        return (int)len;
    it = proto_tree_add_uint(vt, hf_vmbus_payload_len, tvb, hdr_end, 0, span(hdr_end, pkt_end));
    proto_item_set_generated(it);

    struct xsw_nvsp_info ni;
    memset(&ni, 0, sizeof ni);
    ni.channel = channel;
    ni.dir = dir;
    ni.vmbus_type = (guint16)type;
    ni.is_completion = type == XD_VM_PKT_COMP;
    ni.trans_id = tid;
    ni.shared = shared;
    ni.request_nvsp_type = 0xFFFFFFFFu;
    guint32 counts[XSW_MAX_RNDIS_BUFS];
    guint nranges = 0;
    gboolean to_nvsp = FALSE;
    gboolean uses_shared = FALSE;

    switch (type) {
    case XD_VM_PKT_DATA_INBAND:
    case XD_VM_PKT_COMP:
        if (hdr_end > VMBUS_DESC_LEN)
            proto_tree_add_item(vt, hf_vmbus_hdr_pad, tvb, VMBUS_DESC_LEN, hdr_end - VMBUS_DESC_LEN, ENC_NA);
        to_nvsp = TRUE;
        if (type == XD_VM_PKT_DATA_INBAND && shared) {
            /* A send-buffer section; NVSP checks its size against the message. */
            uses_shared = TRUE;
            ni.rndis[ni.n_rndis++] = shared;
        }
        break;
    case XD_VM_PKT_DATA_USING_XFER_PAGES:
        nranges = xfer_pages(tvb, pinfo, vt, hdr_end, counts, XSW_MAX_RNDIS_BUFS);
        to_nvsp = TRUE;
        uses_shared = TRUE;
        map_shared(shared, pinfo, vt, ti, counts, nranges, TRUE, &ni);
        break;
    case XD_VM_PKT_DATA_USING_GPA_DIRECT: {
        if (hdr_end < 24) {
            proto_tree_add_expert_format(vt, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                         "GPA-direct header needs 24 bytes, offset8 gives %d", hdr_end);
            break;
        }
        guint32 rsvd, cnt;
        proto_item *ri = proto_tree_add_item_ret_uint(vt, hf_vmbus_reserved32, tvb, 16, 4, ENC_LITTLE_ENDIAN, &rsvd);
        if (rsvd)
            expert_add_info(pinfo, ri, &ei_vmbus_reserved);
        proto_item *ci = proto_tree_add_item_ret_uint(vt, hf_vmbus_range_count, tvb, 20, 4, ENC_LITTLE_ENDIAN, &cnt);
        nranges = gpa_ranges(tvb, pinfo, vt, ci, 24, hdr_end, cnt, counts, XSW_MAX_RNDIS_BUFS);
        to_nvsp = TRUE;
        uses_shared = TRUE;
        map_shared(shared, pinfo, vt, ti, counts, nranges, FALSE, &ni);
        break;
    }
    case XD_VM_PKT_DATA_USING_GPADL:
        if (hdr_end < 24) {
            proto_tree_add_expert_format(vt, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                         "GPADL packet header needs 24 bytes, offset8 gives %d", hdr_end);
            break;
        }
        proto_tree_add_item(vt, hf_vmbus_gpadl, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(vt, hf_vmbus_reserved32, tvb, 20, 4, ENC_LITTLE_ENDIAN);
        /* NetVSC never sends GPADL data packets: the payload stays undecoded. */
        break;
    case XD_VM_PKT_ADD_XFER_PAGESET:
    case XD_VM_PKT_RM_XFER_PAGESET:
        if (hdr_end < 24) {
            proto_tree_add_expert_format(vt, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                         "page-set packet header needs 24 bytes, offset8 gives %d", hdr_end);
            break;
        }
        proto_tree_add_item(vt, hf_vmbus_gpadl, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(vt, hf_vmbus_pageset_id, tvb, 20, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(vt, hf_vmbus_reserved16, tvb, 22, 2, ENC_LITTLE_ENDIAN);
        break;
    case XD_VM_PKT_ESTABLISH_GPADL: {
        if (hdr_end < 24) {
            proto_tree_add_expert_format(vt, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                         "establish-GPADL header needs 24 bytes, offset8 gives %d", hdr_end);
            break;
        }
        guint32 cnt;
        proto_tree_add_item(vt, hf_vmbus_gpadl, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_item *ci = proto_tree_add_item_ret_uint(vt, hf_vmbus_range_count, tvb, 20, 4, ENC_LITTLE_ENDIAN, &cnt);
        gpa_ranges(tvb, pinfo, vt, ci, 24, hdr_end, cnt, counts, 0);
        break;
    }
    case XD_VM_PKT_TEARDOWN_GPADL:
        if (hdr_end < 24) {
            proto_tree_add_expert_format(vt, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                         "teardown-GPADL header needs 24 bytes, offset8 gives %d", hdr_end);
            break;
        }
        proto_tree_add_item(vt, hf_vmbus_gpadl, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(vt, hf_vmbus_reserved32, tvb, 20, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_VM_PKT_ADDITIONAL_DATA:
        if (hdr_end < 32) {
            proto_tree_add_expert_format(vt, pinfo, &ei_vmbus_short, tvb, 0, 0,
                                         "additional-data header needs 32 bytes, offset8 gives %d", hdr_end);
            break;
        }
        proto_tree_add_item(vt, hf_vmbus_total_bytes, tvb, 16, 8, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(vt, hf_vmbus_ad_offset, tvb, 24, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(vt, hf_vmbus_ad_byte_cnt, tvb, 28, 4, ENC_LITTLE_ENDIAN);
        break;
    default:
        if (hdr_end > VMBUS_DESC_LEN)
            proto_tree_add_item(vt, hf_vmbus_hdr_pad, tvb, VMBUS_DESC_LEN, hdr_end - VMBUS_DESC_LEN, ENC_NA);
        break;
    }
    if (shared && !uses_shared) {
        expert_add_info_format(pinfo, ti, &ei_vmbus_shared,
                               "%u shared-buffer bytes with a %s packet, which references no shared memory",
                               tvb_reported_length(shared), tname);
    }

    guint plen = span(hdr_end, pkt_end);
    guint32 nvsp_type = plen >= 4 ? tvb_get_letohl(tvb, hdr_end) : 0xFFFFFFFFu;
    vb_link_pass1(pinfo, channel, dir, (guint16)type, (guint16)flags, tid, nvsp_type);
    struct vb_frame *fd = (struct vb_frame *)p_get_proto_data(wmem_file_scope(), pinfo, proto_vmbus, 0);
    if (fd && fd->link) {
        if (type == XD_VM_PKT_COMP) {
            it = proto_tree_add_uint(vt, hf_vmbus_request_in, tvb, 0, 0, fd->link->req_frame);
            proto_item_set_generated(it);
            nstime_t delta;
            nstime_delta(&delta, &pinfo->abs_ts, &fd->link->req_ts);
            it = proto_tree_add_time(vt, hf_vmbus_time, tvb, 0, 0, &delta);
            proto_item_set_generated(it);
            ni.request_frame = fd->link->req_frame;
            ni.request_nvsp_type = fd->link->req_nvsp_type;
        } else if (fd->link->rsp_frame) {
            it = proto_tree_add_uint(vt, hf_vmbus_response_in, tvb, 0, 0, fd->link->rsp_frame);
            proto_item_set_generated(it);
        }
    } else if (fd && fd->no_request) {
        expert_add_info_format(pinfo, tyi, &ei_vmbus_no_request,
                               "completion with trans_id 0x%" G_GINT64_MODIFIER "x matches no request on channel %u",
                               tid, channel);
    }

    tvbuff_t *ptvb = tvb_new_subset_length(tvb, hdr_end, (gint)plen);
    if (to_nvsp)
        call_dissector_with_data(nvsp_handle, ptvb, pinfo, tree, &ni);
    else if (plen > 0)
        proto_tree_add_item(vt, hf_vmbus_payload, tvb, hdr_end, (gint)plen, ENC_NA);
    return (int)len;
}

void proto_register_vmbus(void)
{
    static hf_register_info hf[] = {
        { &hf_vmbus_type, { "Type", "vmbus.type", FT_UINT16, BASE_HEX, VALS(xsw_vmbus_pkt_vals), 0, NULL, HFILL } },
        { &hf_vmbus_offset8, { "offset8", "vmbus.offset8", FT_UINT16, BASE_DEC, NULL, 0, "Header length in 8-byte units", HFILL } },
        { &hf_vmbus_len8, { "len8", "vmbus.len8", FT_UINT16, BASE_DEC, NULL, 0, "Packet length in 8-byte units", HFILL } },
        { &hf_vmbus_flags, { "Flags", "vmbus.flags", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_flag_rc, { "Completion requested", "vmbus.flags.completion_requested", FT_BOOLEAN, 16, NULL, 0x1, NULL, HFILL } },
        { &hf_vmbus_flag_reserved, { "Reserved", "vmbus.flags.reserved", FT_UINT16, BASE_HEX, NULL, 0xFFFE, NULL, HFILL } },
        { &hf_vmbus_trans_id, { "Transaction id", "vmbus.trans_id", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_hdr_len, { "Header length", "vmbus.hdr_len", FT_UINT32, BASE_DEC, NULL, 0, "offset8 * 8", HFILL } },
        { &hf_vmbus_pkt_len, { "Packet length", "vmbus.pkt_len", FT_UINT32, BASE_DEC, NULL, 0, "len8 * 8", HFILL } },
        { &hf_vmbus_payload_len, { "Payload length", "vmbus.payload_len", FT_UINT32, BASE_DEC, NULL, 0, "(len8 - offset8) * 8", HFILL } },
        { &hf_vmbus_pageset_id, { "Transfer page-set id", "vmbus.xfer_pageset_id", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_sender_owns, { "Sender owns set", "vmbus.sender_owns_set", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_reserved8, { "Reserved", "vmbus.reserved8", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_reserved16, { "Reserved", "vmbus.reserved16", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_reserved32, { "Reserved", "vmbus.reserved32", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_range_count, { "Range count", "vmbus.range_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_range_byte_count, { "Byte count", "vmbus.range.byte_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_range_byte_offset, { "Byte offset", "vmbus.range.byte_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_range_pfn_count, { "PFN count", "vmbus.range.pfn_count", FT_UINT64, BASE_DEC, NULL, 0, "ceil((byte_offset + byte_count) / 4096)", HFILL } },
        { &hf_vmbus_range_pfn, { "PFN", "vmbus.range.pfn", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_gpadl, { "GPADL", "vmbus.gpadl", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_total_bytes, { "Total bytes", "vmbus.additional.total_bytes", FT_UINT64, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_ad_offset, { "Offset", "vmbus.additional.offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_ad_byte_cnt, { "Byte count", "vmbus.additional.byte_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_hdr_pad, { "Header padding", "vmbus.hdr_padding", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_payload, { "Payload", "vmbus.payload", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_trailing, { "Trailing bytes", "vmbus.trailing", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_shared_range, { "Referenced bytes", "vmbus.shared.range", FT_BYTES, BASE_NONE, NULL, 0, "Shared-buffer bytes of one range or section", HFILL } },
        { &hf_vmbus_shared_extra, { "Unreferenced bytes", "vmbus.shared.extra", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_vmbus_response_in, { "Completion in", "vmbus.response_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, NULL, HFILL } },
        { &hf_vmbus_request_in, { "Request in", "vmbus.request_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, NULL, HFILL } },
        { &hf_vmbus_time, { "Completion time", "vmbus.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_vmbus, &ett_vmbus_flags, &ett_vmbus_range, &ett_vmbus_shared };
    static ei_register_info ei[] = {
        { &ei_vmbus_short, { "vmbus.too_short", PI_MALFORMED, PI_ERROR, "Packet or header too short", EXPFILL } },
        { &ei_vmbus_overrun, { "vmbus.len_overrun", PI_MALFORMED, PI_ERROR, "Declared length or count overruns the packet", EXPFILL } },
        { &ei_vmbus_trailing, { "vmbus.trailing_bytes", PI_MALFORMED, PI_WARN, "Bytes after the packet", EXPFILL } },
        { &ei_vmbus_unknown_type, { "vmbus.type.unknown", PI_PROTOCOL, PI_WARN, "Unknown packet type", EXPFILL } },
        { &ei_vmbus_reserved, { "vmbus.reserved_set", PI_PROTOCOL, PI_WARN, "Reserved field or bits not zero", EXPFILL } },
        { &ei_vmbus_pageset, { "vmbus.pageset_id", PI_PROTOCOL, PI_WARN, "Unexpected transfer page-set id", EXPFILL } },
        { &ei_vmbus_no_request, { "vmbus.no_request", PI_SEQUENCE, PI_WARN, "Completion without a request", EXPFILL } },
        { &ei_vmbus_shared, { "vmbus.shared_mismatch", PI_MALFORMED, PI_ERROR, "Shared bytes do not match the ranges", EXPFILL } },
        { &ei_vmbus_page_offset, { "vmbus.page_offset", PI_PROTOCOL, PI_WARN, "Range offset outside the first page", EXPFILL } },
    };
    proto_vmbus = proto_register_protocol("VMBus channel packet", "VMBus", "vmbus");
    proto_register_field_array(proto_vmbus, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_vmbus);
    expert_register_field_array(em, ei, array_length(ei));
    register_dissector("vmbus", dissect_vmbus, proto_vmbus);
    vb_open = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), vb_key_hash, vb_key_equal);
}

void proto_reg_handoff_vmbus(void)
{
    nvsp_handle = find_dissector_add_dependency("nvsp", proto_vmbus);
}
