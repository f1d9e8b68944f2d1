/*
 * packet-nvsp.c - dissector for NVSP, the NetVSC protocol (protocol "nvsp").
 *
 * An NVSP message is a u32 type and a type-specific body, carried as the
 * payload of VMBus in-band, transfer-page, GPA-direct and completion
 * packets. Every message type of ../../shared/reference/vmbus-nvsp-rndis.md
 * §2.3 is decoded with every body field of §2.5 (Linux hyperv_net.h); the
 * obsolete chimney and VMQ messages, whose bodies no source describes, are
 * shown as opaque bodies. Senders pad messages (28, 32 or 40 bytes), so
 * bytes after the fields a type defines are padding, never an error; a
 * completion may also have an empty payload (§2.1). SEND_RNDIS_PKT hands
 * the RNDIS buffers located by "vmbus" (struct xsw_nvsp_info) to "rndis".
 */
#include "xsw-dissectors.h"

#include <string.h>

#include <epan/expert.h>

static int proto_nvsp = -1;
static dissector_handle_t rndis_handle;

static int hf_nvsp_type = -1;
static int hf_nvsp_status = -1;
static int hf_nvsp_min_ver = -1;
static int hf_nvsp_max_ver = -1;
static int hf_nvsp_negotiated_ver = -1;
static int hf_nvsp_max_mdl_chain_len = -1;
static int hf_nvsp_ndis_major = -1;
static int hf_nvsp_ndis_minor = -1;
static int hf_nvsp_gpadl = -1;
static int hf_nvsp_buf_id = -1;
static int hf_nvsp_num_sections = -1;
static int hf_nvsp_sec_offset = -1;
static int hf_nvsp_sec_sub_alloc_size = -1;
static int hf_nvsp_sec_num_sub_allocs = -1;
static int hf_nvsp_sec_end_offset = -1;
static int hf_nvsp_section_size = -1;
static int hf_nvsp_channel_type = -1;
static int hf_nvsp_section_index = -1;
static int hf_nvsp_send_section_size = -1;
static int hf_nvsp_mtu = -1;
static int hf_nvsp_reserved = -1;
static int hf_nvsp_capability = -1;
static int hf_nvsp_cap_vmq = -1;
static int hf_nvsp_cap_chimney = -1;
static int hf_nvsp_cap_sriov = -1;
static int hf_nvsp_cap_ieee8021q = -1;
static int hf_nvsp_cap_correlation_id = -1;
static int hf_nvsp_cap_teaming = -1;
static int hf_nvsp_cap_vsubnetid = -1;
static int hf_nvsp_cap_rsc = -1;
static int hf_nvsp_cap_reserved = -1;
static int hf_nvsp_alloc_id = -1;
static int hf_nvsp_alloc_len = -1;
static int hf_nvsp_recv_buf_id = -1;
static int hf_nvsp_vf_allocated = -1;
static int hf_nvsp_vf_serial = -1;
static int hf_nvsp_datapath = -1;
static int hf_nvsp_obj_type = -1;
static int hf_nvsp_obj_revision = -1;
static int hf_nvsp_obj_size = -1;
static int hf_nvsp_oid = -1;
static int hf_nvsp_oid_bytes = -1;
static int hf_nvsp_oid_data = -1;
static int hf_nvsp_subch_op = -1;
static int hf_nvsp_subch_num = -1;
static int hf_nvsp_itab_count = -1;
static int hf_nvsp_itab_offset = -1;
static int hf_nvsp_itab_entry = -1;
static int hf_nvsp_pd_op = -1;
static int hf_nvsp_pd_data = -1;
static int hf_nvsp_body = -1;
static int hf_nvsp_padding = -1;
static int hf_nvsp_completes = -1;

static gint ett_nvsp = -1;
static gint ett_nvsp_section = -1;
static gint ett_nvsp_cap = -1;
static gint ett_nvsp_itab = -1;
static gint ett_nvsp_obj = -1;

static expert_field ei_nvsp_short = EI_INIT;
static expert_field ei_nvsp_overrun = EI_INIT;
static expert_field ei_nvsp_unknown_type = EI_INIT;
static expert_field ei_nvsp_reserved = EI_INIT;
static expert_field ei_nvsp_status = EI_INIT;
static expert_field ei_nvsp_rndis_location = EI_INIT;
static expert_field ei_nvsp_not_captured = EI_INIT;
static expert_field ei_nvsp_itab_count = EI_INIT;
static expert_field ei_nvsp_unexpected_shared = EI_INIT;

/* PD API operations (Linux hyperv_net.h, vmbus-nvsp-rndis.md §2.5). */
static const value_string pd_op_vals[] = {
    { 1, "PD_API_OP_CONFIG" },
    { 2, "PD_API_OP_SW_DATAPATH" },
    { 3, "PD_API_OP_OPEN_PROVIDER" },
    { 4, "PD_API_OP_CLOSE_PROVIDER" },
    { 5, "PD_API_OP_CREATE_QUEUE" },
    { 6, "PD_API_OP_FLUSH_QUEUE" },
    { 7, "PD_API_OP_FREE_QUEUE" },
    { 8, "PD_API_OP_ALLOC_COM_BUF" },
    { 9, "PD_API_OP_FREE_COM_BUF" },
    { 0, NULL }
};

/* Body size each type defines, including the 4-byte type; 4 = opaque body. */
static guint body_size(guint32 type, gboolean completion)
{
    switch (type) {
    case XD_NVSP_MSG_TYPE_INIT: return 12;
    case XD_NVSP_MSG_TYPE_INIT_COMPLETE: return 16;
    case XD_NVSP_MSG1_TYPE_SEND_NDIS_VER: return 12;
    case XD_NVSP_MSG1_TYPE_SEND_RECV_BUF: return 10;
    case XD_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE: return 12;
    case XD_NVSP_MSG1_TYPE_REVOKE_RECV_BUF: return 6;
    case XD_NVSP_MSG1_TYPE_SEND_SEND_BUF: return 10;
    case XD_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE: return 12;
    case XD_NVSP_MSG1_TYPE_REVOKE_SEND_BUF: return 6;
    case XD_NVSP_MSG1_TYPE_SEND_RNDIS_PKT: return 16;
    case XD_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE: return 8;
    case XD_NVSP_MSG2_TYPE_ALLOC_RXBUF: return 12;
    case XD_NVSP_MSG2_TYPE_ALLOC_RXBUF_COMP: return 24;
    case XD_NVSP_MSG2_TYPE_FREE_RXBUF: return 12;
    case XD_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG: return 20;
    case XD_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION: return 12;
    case XD_NVSP_MSG4_TYPE_SWITCH_DATA_PATH: return 8;
    case XD_NVSP_MSG5_TYPE_OID_QUERY_EX: return 12;
    case XD_NVSP_MSG5_TYPE_OID_QUERY_EX_COMP: return 12;
    case XD_NVSP_MSG5_TYPE_SUBCHANNEL: return 12;
    case XD_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE: return 12;
    case XD_NVSP_MSG6_TYPE_PD_API: return 8;
    default: (void)completion; return 4;
    }
}

static proto_item *add_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, guint32 *out)
{
    guint32 st;
    proto_item *it = proto_tree_add_item_ret_uint(tree, hf_nvsp_status, tvb, off, 4, ENC_LITTLE_ENDIAN, &st);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(st, xsw_nvsp_status_vals, "status %u"));
    if (!try_val_to_str(st, xsw_nvsp_status_vals))
        expert_add_info_format(pinfo, it, &ei_nvsp_unknown_type, "NVSP status %u is not in nvsp_status.def", st);
    else if (st != 1)
        expert_add_info_format(pinfo, it, &ei_nvsp_status, "NVSP status %s",
                               val_to_str_const(st, xsw_nvsp_status_vals, "?"));
    if (out)
        *out = st;
    return it;
}

static void add_version(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf, int off)
{
    guint32 v;
    proto_item *it = proto_tree_add_item_ret_uint(tree, hf, tvb, off, 4, ENC_LITTLE_ENDIAN, &v);
    if (!try_val_to_str(v, xsw_nvsp_version_vals))
        expert_add_info_format(pinfo, it, &ei_nvsp_unknown_type, "NVSP version 0x%08x is not in nvsp_versions.def", v);
}

/* SEND_RNDIS_PKT: channel type, send-buffer section, and the RNDIS buffers. */
static void rndis_pkt(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_tree *top,
                      const struct xsw_nvsp_info *ni)
{
    guint32 ctype, idx, size;
    proto_tree_add_item_ret_uint(tree, hf_nvsp_channel_type, tvb, 4, 4, ENC_LITTLE_ENDIAN, &ctype);
    proto_item *ii = proto_tree_add_item_ret_uint(tree, hf_nvsp_section_index, tvb, 8, 4, ENC_LITTLE_ENDIAN, &idx);
    if (idx == (guint32)XD_NETVSC_INVALID_INDEX)
        proto_item_append_text(ii, " (not in the send buffer)");
    proto_item *si = proto_tree_add_item_ret_uint(tree, hf_nvsp_send_section_size, tvb, 12, 4, ENC_LITTLE_ENDIAN,
                                                  &size);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(ctype, xsw_nvsp_channel_type_vals, "channel type %u"));
    if (!ni)
        return;
    /* Where the RNDIS bytes are depends on the packet type (vmbus-nvsp-rndis.md §2.8). */
    if (ni->vmbus_type == XD_VM_PKT_DATA_INBAND) {
        if (idx == (guint32)XD_NETVSC_INVALID_INDEX) {
            expert_add_info(pinfo, ii, &ei_nvsp_rndis_location);
            return;
        }
        if (ni->n_rndis == 0) {
            expert_add_info_format(pinfo, si, &ei_nvsp_not_captured,
                                   "RNDIS bytes of send-buffer section %u not captured", idx);
            return;
        }
        guint have = tvb_reported_length(ni->rndis[0]);
        if (have != size)
            expert_add_info_format(pinfo, si, &ei_nvsp_overrun,
                                   "send_buf_section_size %u but the record carries %u bytes of the section", size,
                                   have);
    } else {
        if (idx != (guint32)XD_NETVSC_INVALID_INDEX || size != 0)
            expert_add_info_format(pinfo, ii, &ei_nvsp_rndis_location,
                                   "section %u / size %u in a packet whose RNDIS bytes are located by its ranges", idx,
                                   size);
        if (ni->n_rndis == 0) {
            expert_add_info(pinfo, ii, &ei_nvsp_not_captured);
            return;
        }
    }
    struct xsw_rndis_info ri;
    ri.channel = ni->channel;
    ri.dir = ni->dir;
    for (unsigned i = 0; i < ni->n_rndis; i++)
        call_dissector_with_data(rndis_handle, ni->rndis[i], pinfo, top, &ri);
}

static int dissect_nvsp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    static int *const cap_bits[] = {
        &hf_nvsp_cap_vmq, &hf_nvsp_cap_chimney, &hf_nvsp_cap_sriov, &hf_nvsp_cap_ieee8021q,
        &hf_nvsp_cap_correlation_id, &hf_nvsp_cap_teaming, &hf_nvsp_cap_vsubnetid, &hf_nvsp_cap_rsc,
        &hf_nvsp_cap_reserved, NULL
    };
    const struct xsw_nvsp_info *ni = (const struct xsw_nvsp_info *)data;
    gboolean completion = ni ? ni->is_completion : FALSE;
    guint len = tvb_reported_length(tvb);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "NVSP");
    proto_item *ti = proto_tree_add_item(tree, proto_nvsp, tvb, 0, -1, ENC_NA);
    proto_tree *nt = proto_item_add_subtree(ti, ett_nvsp);

    if (len == 0) {
        if (completion) {
            const char *rt = ni->request_nvsp_type != 0xFFFFFFFFu
                                 ? val_to_str(ni->request_nvsp_type, xsw_nvsp_type_vals, "type %u")
                                 : "an unknown request";
            proto_item_append_text(ti, ", empty completion of %s", rt);
            col_append_fstr(pinfo->cinfo, COL_INFO, " empty completion of %s", rt);
            if (ni->request_nvsp_type != 0xFFFFFFFFu) {
                proto_item *it = proto_tree_add_uint(nt, hf_nvsp_completes, tvb, 0, 0, ni->request_nvsp_type);
                proto_item_set_generated(it);
            }
        } else {
            expert_add_info(pinfo, ti, &ei_nvsp_short);
        }
        return 0;
    }
    if (len < 4) {
        expert_add_info_format(pinfo, ti, &ei_nvsp_short, "NVSP message of %u bytes has no complete type field", len);
        return (int)len;
    }
    guint32 type;
    proto_item *tyi = proto_tree_add_item_ret_uint(nt, hf_nvsp_type, tvb, 0, 4, ENC_LITTLE_ENDIAN, &type);
    const char *tname = val_to_str(type, xsw_nvsp_type_vals, "NVSP type %u");
    proto_item_append_text(ti, ", %s", tname);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", tname);
    if (!try_val_to_str(type, xsw_nvsp_type_vals)) {
        expert_add_info_format(pinfo, tyi, &ei_nvsp_unknown_type, "NVSP message type %u is not in nvsp_types.def",
                               type);
        proto_tree_add_item(nt, hf_nvsp_body, tvb, 4, (gint)(len - 4), ENC_NA);
        return (int)len;
    }
    if (completion && ni->request_nvsp_type != 0xFFFFFFFFu) {
        proto_item *it = proto_tree_add_uint(nt, hf_nvsp_completes, tvb, 0, 0, ni->request_nvsp_type);
        proto_item_set_generated(it);
    }
    guint need = body_size(type, completion);
    if (len < need) {
        expert_add_info_format(pinfo, tyi, &ei_nvsp_short, "%s needs %u bytes, the message has %u", tname, need, len);
        proto_tree_add_item(nt, hf_nvsp_body, tvb, 4, (gint)(len - 4), ENC_NA);
        return (int)len;
    }
    if (ni && ni->n_rndis > 0 && type != XD_NVSP_MSG1_TYPE_SEND_RNDIS_PKT)
        expert_add_info_format(pinfo, tyi, &ei_nvsp_unexpected_shared,
                               "shared-buffer bytes with %s, which carries no RNDIS", tname);

    guint used = need;
    switch (type) {
    case XD_NVSP_MSG_TYPE_INIT:
        add_version(tvb, pinfo, nt, hf_nvsp_min_ver, 4);
        add_version(tvb, pinfo, nt, hf_nvsp_max_ver, 8);
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s",
                        val_to_str(tvb_get_letohl(tvb, 8), xsw_nvsp_version_vals, "0x%08x"));
        break;
    case XD_NVSP_MSG_TYPE_INIT_COMPLETE:
        proto_tree_add_item(nt, hf_nvsp_negotiated_ver, tvb, 4, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_max_mdl_chain_len, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        add_status(tvb, pinfo, nt, 12, NULL);
        break;
    case XD_NVSP_MSG1_TYPE_SEND_NDIS_VER:
        proto_tree_add_item(nt, hf_nvsp_ndis_major, tvb, 4, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_ndis_minor, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        col_append_fstr(pinfo->cinfo, COL_INFO, " NDIS %u.%u", tvb_get_letohl(tvb, 4), tvb_get_letohl(tvb, 8));
        break;
    case XD_NVSP_MSG1_TYPE_SEND_RECV_BUF:
    case XD_NVSP_MSG1_TYPE_SEND_SEND_BUF:
        proto_tree_add_item(nt, hf_nvsp_gpadl, tvb, 4, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_buf_id, tvb, 8, 2, ENC_LITTLE_ENDIAN);
        break;
    case XD_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE: {
        guint32 n;
        add_status(tvb, pinfo, nt, 4, NULL);
        proto_item *ci = proto_tree_add_item_ret_uint(nt, hf_nvsp_num_sections, tvb, 8, 4, ENC_LITTLE_ENDIAN, &n);
        guint fit = (len - 12) / 16;
        if (n > fit) {
            expert_add_info_format(pinfo, ci, &ei_nvsp_overrun, "%u sections of 16 bytes, %u fit in the message", n,
                                   fit);
            n = fit;
        }
        for (guint i = 0; i < n; i++) {
            int o = 12 + 16 * (int)i;
            proto_tree *st = proto_tree_add_subtree_format(nt, tvb, o, 16, ett_nvsp_section, NULL, "Section %u", i);
            proto_tree_add_item(st, hf_nvsp_sec_offset, tvb, o, 4, ENC_LITTLE_ENDIAN);
            proto_tree_add_item(st, hf_nvsp_sec_sub_alloc_size, tvb, o + 4, 4, ENC_LITTLE_ENDIAN);
            proto_tree_add_item(st, hf_nvsp_sec_num_sub_allocs, tvb, o + 8, 4, ENC_LITTLE_ENDIAN);
            proto_tree_add_item(st, hf_nvsp_sec_end_offset, tvb, o + 12, 4, ENC_LITTLE_ENDIAN);
        }
        used = 12 + 16 * n;
        break;
    }
    case XD_NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
    case XD_NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
        proto_tree_add_item(nt, hf_nvsp_buf_id, tvb, 4, 2, ENC_LITTLE_ENDIAN);
        break;
    case XD_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
        add_status(tvb, pinfo, nt, 4, NULL);
        proto_tree_add_item(nt, hf_nvsp_section_size, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
        rndis_pkt(tvb, pinfo, nt, tree, ni);
        break;
    case XD_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
        add_status(tvb, pinfo, nt, 4, NULL);
        break;
    case XD_NVSP_MSG2_TYPE_ALLOC_RXBUF:
        proto_tree_add_item(nt, hf_nvsp_alloc_id, tvb, 4, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_alloc_len, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_NVSP_MSG2_TYPE_ALLOC_RXBUF_COMP:
        add_status(tvb, pinfo, nt, 4, NULL);
        proto_tree_add_item(nt, hf_nvsp_alloc_id, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_gpadl, tvb, 12, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_recv_buf_id, tvb, 16, 8, ENC_LITTLE_ENDIAN);
        break;
    case XD_NVSP_MSG2_TYPE_FREE_RXBUF:
        proto_tree_add_item(nt, hf_nvsp_recv_buf_id, tvb, 4, 8, ENC_LITTLE_ENDIAN);
        break;
    case XD_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG: {
        guint32 rsvd;
        proto_tree_add_item(nt, hf_nvsp_mtu, tvb, 4, 4, ENC_LITTLE_ENDIAN);
        proto_item *ri = proto_tree_add_item_ret_uint(nt, hf_nvsp_reserved, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rsvd);
        if (rsvd)
            expert_add_info(pinfo, ri, &ei_nvsp_reserved);
        proto_item *ci = proto_tree_add_bitmask(nt, tvb, 12, hf_nvsp_capability, ett_nvsp_cap, cap_bits,
                                                ENC_LITTLE_ENDIAN);
        if (tvb_get_letoh64(tvb, 12) & G_GUINT64_CONSTANT(0xFFFFFFFFFFFFFF00))
            expert_add_info_format(pinfo, ci, &ei_nvsp_reserved, "undefined capability bits set");
        break;
    }
    case XD_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION: {
        guint32 alloc, serial;
        proto_tree_add_item_ret_uint(nt, hf_nvsp_vf_allocated, tvb, 4, 4, ENC_LITTLE_ENDIAN, &alloc);
        proto_tree_add_item_ret_uint(nt, hf_nvsp_vf_serial, tvb, 8, 4, ENC_LITTLE_ENDIAN, &serial);
        col_append_fstr(pinfo->cinfo, COL_INFO, " VF serial %u %s", serial, alloc ? "allocated" : "removed");
        break;
    }
    case XD_NVSP_MSG4_TYPE_SWITCH_DATA_PATH: {
        guint32 dp;
        proto_item *di = proto_tree_add_item_ret_uint(nt, hf_nvsp_datapath, tvb, 4, 4, ENC_LITTLE_ENDIAN, &dp);
        if (dp > 1)
            expert_add_info_format(pinfo, di, &ei_nvsp_unknown_type, "data path %u is neither synthetic nor VF", dp);
        col_append_fstr(pinfo->cinfo, COL_INFO, " -> %s", dp == 1 ? "VF" : dp == 0 ? "synthetic" : "?");
        break;
    }
    case XD_NVSP_MSG5_TYPE_OID_QUERY_EX: {
        proto_tree *ot = proto_tree_add_subtree(nt, tvb, 4, 4, ett_nvsp_obj, NULL, "NDIS_OBJECT_HEADER");
        proto_tree_add_item(ot, hf_nvsp_obj_type, tvb, 4, 1, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(ot, hf_nvsp_obj_revision, tvb, 5, 1, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(ot, hf_nvsp_obj_size, tvb, 6, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(nt, hf_nvsp_oid, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(tvb_get_letohl(tvb, 8), xsw_oid_vals, "0x%08x"));
        break;
    }
    case XD_NVSP_MSG5_TYPE_OID_QUERY_EX_COMP: {
        guint32 bytes;
        add_status(tvb, pinfo, nt, 4, NULL);
        proto_item *bi = proto_tree_add_item_ret_uint(nt, hf_nvsp_oid_bytes, tvb, 8, 4, ENC_LITTLE_ENDIAN, &bytes);
        if (bytes > len - 12) {
            expert_add_info_format(pinfo, bi, &ei_nvsp_overrun, "%u result bytes, %u follow in the message", bytes,
                                   len - 12);
            bytes = len - 12;
        }
        if (bytes)
            proto_tree_add_item(nt, hf_nvsp_oid_data, tvb, 12, (gint)bytes, ENC_NA);
        used = 12 + bytes;
        break;
    }
    case XD_NVSP_MSG5_TYPE_SUBCHANNEL: {
        guint32 n;
        if (completion) {
            add_status(tvb, pinfo, nt, 4, NULL);
        } else {
            proto_tree_add_item(nt, hf_nvsp_subch_op, tvb, 4, 4, ENC_LITTLE_ENDIAN);
        }
        proto_tree_add_item_ret_uint(nt, hf_nvsp_subch_num, tvb, 8, 4, ENC_LITTLE_ENDIAN, &n);
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s%u", completion ? "allocated " : "", n);
        break;
    }
    case XD_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE: {
        guint32 cnt, off;
        proto_item *ci = proto_tree_add_item_ret_uint(nt, hf_nvsp_itab_count, tvb, 4, 4, ENC_LITTLE_ENDIAN, &cnt);
        proto_item *oi = proto_tree_add_item_ret_uint(nt, hf_nvsp_itab_offset, tvb, 8, 4, ENC_LITTLE_ENDIAN, &off);
        if (cnt != XD_VRSS_SEND_TAB_SIZE)
            expert_add_info_format(pinfo, ci, &ei_nvsp_itab_count, "indirection table of %u entries, netvsc expects %u",
                                   cnt, XD_VRSS_SEND_TAB_SIZE);
        if (off < 12 || off > len || cnt > (len - off) / 4) {
            expert_add_info_format(pinfo, oi, &ei_nvsp_overrun,
                                   "table of %u entries at offset %u overruns the %u-byte message", cnt, off, len);
            break;
        }
        proto_tree *tt = proto_tree_add_subtree_format(nt, tvb, (gint)off, (gint)(4 * cnt), ett_nvsp_itab, NULL,
                                                       "Indirection table (%u entries)", cnt);
        for (guint i = 0; i < cnt; i++) {
            proto_item *ei = proto_tree_add_item(tt, hf_nvsp_itab_entry, tvb, (gint)(off + 4 * i), 4, ENC_LITTLE_ENDIAN);
            proto_item_prepend_text(ei, "[%u] ", i);
        }
        if (off > 12)
            proto_tree_add_item(nt, hf_nvsp_padding, tvb, 12, (gint)(off - 12), ENC_NA);
        used = off + 4 * cnt;
        break;
    }
    case XD_NVSP_MSG6_TYPE_PD_API: {
        guint32 op;
        proto_tree_add_item_ret_uint(nt, completion ? hf_nvsp_status : hf_nvsp_pd_op, tvb, 4, 4, ENC_LITTLE_ENDIAN,
                                     &op);
        if (len > 8)
            proto_tree_add_item(nt, hf_nvsp_pd_data, tvb, 8, (gint)(len - 8), ENC_NA);
        used = len;
        break;
    }
    default:
        /* NONE, chimney, VMQ, uplink state and PD batch: no body layout in the reference. */
        if (len > 4)
            proto_tree_add_item(nt, hf_nvsp_body, tvb, 4, (gint)(len - 4), ENC_NA);
        used = len;
        break;
    }
    if (used < len)
        proto_tree_add_item(nt, hf_nvsp_padding, tvb, (gint)used, (gint)(len - used), ENC_NA);
    return (int)len;
}

void proto_register_nvsp(void)
{
    static hf_register_info hf[] = {
        { &hf_nvsp_type, { "Message type", "nvsp.type", FT_UINT32, BASE_DEC, VALS(xsw_nvsp_type_vals), 0, NULL, HFILL } },
        { &hf_nvsp_status, { "Status", "nvsp.status", FT_UINT32, BASE_DEC, VALS(xsw_nvsp_status_vals), 0, NULL, HFILL } },
        { &hf_nvsp_min_ver, { "Minimum protocol version", "nvsp.init.min_protocol_ver", FT_UINT32, BASE_HEX, VALS(xsw_nvsp_version_vals), 0, NULL, HFILL } },
        { &hf_nvsp_max_ver, { "Maximum protocol version", "nvsp.init.max_protocol_ver", FT_UINT32, BASE_HEX, VALS(xsw_nvsp_version_vals), 0, NULL, HFILL } },
        { &hf_nvsp_negotiated_ver, { "Negotiated protocol version", "nvsp.init.negotiated_protocol_ver", FT_UINT32, BASE_HEX, VALS(xsw_nvsp_version_vals), 0, "Deprecated, not relied upon", HFILL } },
        { &hf_nvsp_max_mdl_chain_len, { "Maximum MDL chain length", "nvsp.init.max_mdl_chain_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_ndis_major, { "NDIS major version", "nvsp.ndis_ver.major", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_ndis_minor, { "NDIS minor version", "nvsp.ndis_ver.minor", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_gpadl, { "GPADL handle", "nvsp.gpadl", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_buf_id, { "Buffer id", "nvsp.buf_id", FT_UINT16, BASE_HEX, NULL, 0, "0xCAFE receive buffer; 0 or 0xFACE send buffer", HFILL } },
        { &hf_nvsp_num_sections, { "Number of sections", "nvsp.recv_buf.num_sections", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_sec_offset, { "Offset", "nvsp.recv_buf.section.offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_sec_sub_alloc_size, { "Sub-allocation size", "nvsp.recv_buf.section.sub_alloc_size", FT_UINT32, BASE_DEC, NULL, 0, "Receive section size", HFILL } },
        { &hf_nvsp_sec_num_sub_allocs, { "Number of sub-allocations", "nvsp.recv_buf.section.num_sub_allocs", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_sec_end_offset, { "End offset", "nvsp.recv_buf.section.end_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_section_size, { "Send section size", "nvsp.send_buf.section_size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_channel_type, { "Channel type", "nvsp.rndis.channel_type", FT_UINT32, BASE_DEC, VALS(xsw_nvsp_channel_type_vals), 0, NULL, HFILL } },
        { &hf_nvsp_section_index, { "Send-buffer section index", "nvsp.rndis.section_index", FT_UINT32, BASE_HEX, NULL, 0, "0xFFFFFFFF = not in the send buffer", HFILL } },
        { &hf_nvsp_send_section_size, { "Send-buffer section bytes", "nvsp.rndis.section_size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_mtu, { "MTU", "nvsp.ndis_config.mtu", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_reserved, { "Reserved", "nvsp.reserved", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_capability, { "Capability", "nvsp.ndis_config.capability", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_cap_vmq, { "VMQ", "nvsp.ndis_config.capability.vmq", FT_BOOLEAN, 64, NULL, 0x1, NULL, HFILL } },
        { &hf_nvsp_cap_chimney, { "Chimney", "nvsp.ndis_config.capability.chimney", FT_BOOLEAN, 64, NULL, 0x2, NULL, HFILL } },
        { &hf_nvsp_cap_sriov, { "SR-IOV", "nvsp.ndis_config.capability.sriov", FT_BOOLEAN, 64, NULL, 0x4, NULL, HFILL } },
        { &hf_nvsp_cap_ieee8021q, { "IEEE 802.1Q", "nvsp.ndis_config.capability.ieee8021q", FT_BOOLEAN, 64, NULL, 0x8, NULL, HFILL } },
        { &hf_nvsp_cap_correlation_id, { "Correlation id", "nvsp.ndis_config.capability.correlation_id", FT_BOOLEAN, 64, NULL, 0x10, NULL, HFILL } },
        { &hf_nvsp_cap_teaming, { "Teaming", "nvsp.ndis_config.capability.teaming", FT_BOOLEAN, 64, NULL, 0x20, NULL, HFILL } },
        { &hf_nvsp_cap_vsubnetid, { "Virtual subnet id", "nvsp.ndis_config.capability.vsubnetid", FT_BOOLEAN, 64, NULL, 0x40, NULL, HFILL } },
        { &hf_nvsp_cap_rsc, { "RSC", "nvsp.ndis_config.capability.rsc", FT_BOOLEAN, 64, NULL, 0x80, NULL, HFILL } },
        { &hf_nvsp_cap_reserved, { "Undefined", "nvsp.ndis_config.capability.undefined", FT_UINT64, BASE_HEX, NULL, G_GUINT64_CONSTANT(0xFFFFFFFFFFFFFF00), NULL, HFILL } },
        { &hf_nvsp_alloc_id, { "Allocation id", "nvsp.alloc_rxbuf.alloc_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_alloc_len, { "Length", "nvsp.alloc_rxbuf.len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_recv_buf_id, { "Receive buffer id", "nvsp.alloc_rxbuf.recv_buf_id", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_vf_allocated, { "Allocated", "nvsp.vf.allocated", FT_UINT32, BASE_DEC, NULL, 0, "1 = VF allocated and serial valid", HFILL } },
        { &hf_nvsp_vf_serial, { "Serial", "nvsp.vf.serial", FT_UINT32, BASE_DEC, NULL, 0, "Serial number of the VF to team with", HFILL } },
        { &hf_nvsp_datapath, { "Active data path", "nvsp.datapath", FT_UINT32, BASE_DEC, VALS(xsw_nvsp_datapath_vals), 0, NULL, HFILL } },
        { &hf_nvsp_obj_type, { "Type", "nvsp.oid_query.header.type", FT_UINT8, BASE_HEX, VALS(xsw_obj_type_vals), 0, NULL, HFILL } },
        { &hf_nvsp_obj_revision, { "Revision", "nvsp.oid_query.header.revision", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_obj_size, { "Size", "nvsp.oid_query.header.size", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_oid, { "OID", "nvsp.oid_query.oid", FT_UINT32, BASE_HEX, VALS(xsw_oid_vals), 0, NULL, HFILL } },
        { &hf_nvsp_oid_bytes, { "Result bytes", "nvsp.oid_query.bytes", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_oid_data, { "Result", "nvsp.oid_query.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_subch_op, { "Operation", "nvsp.subchannel.op", FT_UINT32, BASE_DEC, VALS(xsw_nvsp_subchannel_op_vals), 0, NULL, HFILL } },
        { &hf_nvsp_subch_num, { "Sub-channels", "nvsp.subchannel.num", FT_UINT32, BASE_DEC, NULL, 0, "Requested, or allocated in the completion", HFILL } },
        { &hf_nvsp_itab_count, { "Table entries", "nvsp.itab.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_itab_offset, { "Table offset", "nvsp.itab.offset", FT_UINT32, BASE_DEC, NULL, 0, "From the start of the NVSP message", HFILL } },
        { &hf_nvsp_itab_entry, { "Queue", "nvsp.itab.entry", FT_UINT32, BASE_DEC, NULL, 0, "Sub-channel index for TX hashing", HFILL } },
        { &hf_nvsp_pd_op, { "PD operation", "nvsp.pd.op", FT_UINT32, BASE_DEC, VALS(pd_op_vals), 0, NULL, HFILL } },
        { &hf_nvsp_pd_data, { "PD data", "nvsp.pd.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_body, { "Body", "nvsp.body", FT_BYTES, BASE_NONE, NULL, 0, "Body of a type the reference gives no layout for", HFILL } },
        { &hf_nvsp_padding, { "Padding", "nvsp.padding", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nvsp_completes, { "Completes", "nvsp.completes", FT_UINT32, BASE_DEC, VALS(xsw_nvsp_type_vals), 0, "Type of the request this completion completes", HFILL } },
    };
    static gint *ett[] = { &ett_nvsp, &ett_nvsp_section, &ett_nvsp_cap, &ett_nvsp_itab, &ett_nvsp_obj };
    static ei_register_info ei[] = {
        { &ei_nvsp_short, { "nvsp.too_short", PI_MALFORMED, PI_ERROR, "NVSP message too short", EXPFILL } },
        { &ei_nvsp_overrun, { "nvsp.len_overrun", PI_MALFORMED, PI_ERROR, "Declared length or count overruns the message", EXPFILL } },
        { &ei_nvsp_unknown_type, { "nvsp.type.unknown", PI_PROTOCOL, PI_WARN, "Unknown type or value", EXPFILL } },
        { &ei_nvsp_reserved, { "nvsp.reserved_set", PI_PROTOCOL, PI_WARN, "Reserved field or bits not zero", EXPFILL } },
        { &ei_nvsp_status, { "nvsp.status.failure", PI_RESPONSE_CODE, PI_NOTE, "NVSP status is not success", EXPFILL } },
        { &ei_nvsp_rndis_location, { "nvsp.rndis.location", PI_PROTOCOL, PI_WARN, "Send-buffer section inconsistent with the VMBus packet type", EXPFILL } },
        { &ei_nvsp_not_captured, { "nvsp.rndis.not_captured", PI_UNDECODED, PI_NOTE, "RNDIS bytes not captured", EXPFILL } },
        { &ei_nvsp_itab_count, { "nvsp.itab.count_unexpected", PI_PROTOCOL, PI_WARN, "Unexpected indirection table size", EXPFILL } },
        { &ei_nvsp_unexpected_shared, { "nvsp.unexpected_shared", PI_MALFORMED, PI_ERROR, "Shared-buffer bytes with a message that has none", EXPFILL } },
    };
    xsw_names_init();
    proto_nvsp = proto_register_protocol("NetVSC protocol", "NVSP", "nvsp");
    proto_register_field_array(proto_nvsp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_nvsp);
    expert_register_field_array(em, ei, array_length(ei));
    register_dissector("nvsp", dissect_nvsp, proto_nvsp);
}

void proto_reg_handoff_nvsp(void)
{
    rndis_handle = find_dissector_add_dependency("rndis", proto_nvsp);
}
