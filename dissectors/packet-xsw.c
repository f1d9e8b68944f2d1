/*
 * packet-xsw.c - dissector for xsw trace records (protocol "xsw").
 *
 * An xsw trace is a pcap file of link type 252 (exported PDU) whose records
 * name the dissector "xsw"; this file decodes the record header and every
 * record kind. The layout is defined once in include/xsw/trace.h (offsets
 * used below) and described in docs/trace-format.md; the meaning of capture
 * points, actors and ids is in HELPERS.md "Trace semantics". Switch OID
 * information buffers are decoded by packet-xsw-switch.c, VMBus packets are
 * handed to "vmbus" (packet-vmbus.c), frames to Wireshark's "eth_withoutfcs".
 *
 * Besides the tree it provides: request/response links (an OID completion
 * at point k to the request at point k with the same id; NBL send to send
 * complete and indicate to return at the same point), verdict records as
 * expert info linked both ways to the frame they judge, a tap "xsw" feeding
 * the "xsw ports" statistics tree, and per-record source/destination
 * addresses (the entities above and below the capture point) so
 * Statistics > Flow Graph ("-z flow,any,network") draws the OID sequence.
 */
#include "xsw-dissectors.h"

#include <stdio.h>
#include <string.h>

#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <wsutil/nstime.h>

#include "xsw/trace.h"

static int proto_xsw = -1;
static int xsw_tap = -1;
static dissector_handle_t xsw_handle;
static dissector_handle_t eth_handle;
static dissector_handle_t vmbus_handle;

/* Header */
static int hf_xsw_version = -1;
static int hf_xsw_kind = -1;
static int hf_xsw_hdr_len = -1;
static int hf_xsw_rec_len = -1;
static int hf_xsw_seq = -1;
static int hf_xsw_point = -1;
static int hf_xsw_point_name = -1;
static int hf_xsw_depth = -1;
static int hf_xsw_actor = -1;
static int hf_xsw_actor_name = -1;
static int hf_xsw_flags = -1;
static int hf_xsw_flag_originated = -1;
static int hf_xsw_flag_truncated = -1;
static int hf_xsw_flag_chain_end = -1;
static int hf_xsw_flag_reserved = -1;
static int hf_xsw_port_id = -1;
static int hf_xsw_nic_index = -1;
static int hf_xsw_reserved = -1;
static int hf_xsw_status = -1;
static int hf_xsw_id = -1;
static int hf_xsw_parent = -1;
static int hf_xsw_hdr_extra = -1;
static int hf_xsw_body = -1;
static int hf_xsw_trailing = -1;

/* OID_REQUEST / OID_COMPLETE */
static int hf_xsw_oid = -1;
static int hf_xsw_oid_class = -1;
static int hf_xsw_oid_type = -1;
static int hf_xsw_oid_info_len = -1;
static int hf_xsw_oid_out_len = -1;
static int hf_xsw_oid_done = -1;
static int hf_xsw_oid_needed = -1;
static int hf_xsw_oid_inner_oid = -1;
static int hf_xsw_oid_inner_type = -1;
static int hf_xsw_oid_inner_status = -1;
static int hf_xsw_oid_data_len = -1;
static int hf_xsw_oid_data = -1;
static int hf_xsw_oid_response_in = -1;
static int hf_xsw_oid_request_in = -1;
static int hf_xsw_oid_time = -1;
static int hf_xsw_oid_parent_in = -1;

/* NBL kinds */
static int hf_xsw_nbl_flags = -1;
static int hf_xsw_nbl_send_flags_dispatch = -1;
static int hf_xsw_nbl_send_flags_dest_group = -1;
static int hf_xsw_nbl_send_flags_single_source = -1;
static int hf_xsw_nbl_sc_flags_dispatch = -1;
static int hf_xsw_nbl_sc_flags_single_source = -1;
static int hf_xsw_nbl_rcv_flags_dispatch = -1;
static int hf_xsw_nbl_rcv_flags_resources = -1;
static int hf_xsw_nbl_rcv_flags_dest_group = -1;
static int hf_xsw_nbl_rcv_flags_single_source = -1;
static int hf_xsw_nbl_ret_flags_dispatch = -1;
static int hf_xsw_nbl_ret_flags_single_source = -1;
static int hf_xsw_nbl_chain_idx = -1;
static int hf_xsw_nbl_chain_len = -1;
static int hf_xsw_nbl_fwd = -1;
static int hf_xsw_fwd_num_avail = -1;
static int hf_xsw_fwd_src_port = -1;
static int hf_xsw_fwd_src_nic = -1;
static int hf_xsw_fwd_native_fwd = -1;
static int hf_xsw_fwd_reserved1 = -1;
static int hf_xsw_fwd_data_safe = -1;
static int hf_xsw_fwd_safe_size = -1;
static int hf_xsw_fwd_data_uncached = -1;
static int hf_xsw_fwd_safe_uncached = -1;
static int hf_xsw_fwd_reserved2 = -1;
static int hf_xsw_nbl_num_dest = -1;
static int hf_xsw_nbl_num_elem = -1;
static int hf_xsw_nbl_frame_len = -1;
static int hf_xsw_nbl_cap_len = -1;
static int hf_xsw_nbl_nb_count = -1;
static int hf_xsw_nbl_frame = -1;
static int hf_xsw_nbl_link_in = -1;
static int hf_xsw_nbl_completed_in = -1;
static int hf_xsw_nbl_time = -1;
static int hf_xsw_dest_port = -1;
static int hf_xsw_dest_nic = -1;
static int hf_xsw_dest_flags = -1;
static int hf_xsw_dest_excluded = -1;
static int hf_xsw_dest_preserve_vlan = -1;
static int hf_xsw_dest_preserve_prio = -1;
static int hf_xsw_dest_reserved = -1;

/* STATUS */
static int hf_xsw_st_code = -1;
static int hf_xsw_st_inner_code = -1;
static int hf_xsw_st_buf_len = -1;
static int hf_xsw_st_data_len = -1;
static int hf_xsw_st_data = -1;

/* PNP_EVENT */
static int hf_xsw_pnp_event = -1;
static int hf_xsw_pnp_data_len = -1;
static int hf_xsw_pnp_data = -1;

/* HANDLER_CALL */
static int hf_xsw_hc_handler = -1;
static int hf_xsw_hc_irql = -1;
static int hf_xsw_hc_rsvd = -1;
static int hf_xsw_hc_flags = -1;
static int hf_xsw_hc_count = -1;
static int hf_xsw_hc_refcount = -1;
static int hf_xsw_hc_nbl = -1;
static int hf_xsw_hc_num_dest = -1;
static int hf_xsw_hc_text_len = -1;
static int hf_xsw_hc_rsvd2 = -1;
static int hf_xsw_hc_text = -1;

/* FILTER_STATE */
static int hf_xsw_fs_event = -1;
static int hf_xsw_fs_text_len = -1;
static int hf_xsw_fs_text = -1;

/* FINDING */
static int hf_xsw_fi_code = -1;
static int hf_xsw_fi_irql = -1;
static int hf_xsw_fi_rsvd = -1;
static int hf_xsw_fi_value = -1;
static int hf_xsw_fi_text_len = -1;
static int hf_xsw_fi_text = -1;

/* NDIS_CALL */
static int hf_xsw_nc_func_len = -1;
static int hf_xsw_nc_irql = -1;
static int hf_xsw_nc_rsvd = -1;
static int hf_xsw_nc_arg0 = -1;
static int hf_xsw_nc_arg1 = -1;
static int hf_xsw_nc_arg2 = -1;
static int hf_xsw_nc_func = -1;

/* VMBUS */
static int hf_xsw_vb_channel = -1;
static int hf_xsw_vb_dir = -1;
static int hf_xsw_vb_rsvd = -1;
static int hf_xsw_vb_pkt_len = -1;
static int hf_xsw_vb_shared_len = -1;
static int hf_xsw_vb_shared = -1;

/* VF_FRAME */
static int hf_xsw_vf_dir = -1;
static int hf_xsw_vf_cap_len = -1;
static int hf_xsw_vf_frame = -1;

/* VERDICT */
static int hf_xsw_vd_level = -1;
static int hf_xsw_vd_outcome = -1;
static int hf_xsw_vd_rule_len = -1;
static int hf_xsw_vd_judged_frame = -1;
static int hf_xsw_vd_text_len = -1;
static int hf_xsw_vd_rule = -1;
static int hf_xsw_vd_text = -1;
static int hf_xsw_verdict_in = -1;

/* META */
static int hf_xsw_meta_line = -1;
static int hf_xsw_meta_key = -1;
static int hf_xsw_meta_value = -1;

static gint ett_xsw = -1;
static gint ett_xsw_hdr = -1;
static gint ett_xsw_flags = -1;
static gint ett_xsw_body = -1;
static gint ett_xsw_nbl_flags = -1;
static gint ett_xsw_fwd = -1;
static gint ett_xsw_dest = -1;
static gint ett_xsw_dest_flags = -1;
static gint ett_xsw_data = -1;
static gint ett_xsw_meta_line = -1;

static expert_field ei_xsw_bad_version = EI_INIT;
static expert_field ei_xsw_unknown_kind = EI_INIT;
static expert_field ei_xsw_short = EI_INIT;
static expert_field ei_xsw_len_overrun = EI_INIT;
static expert_field ei_xsw_trailing = EI_INIT;
static expert_field ei_xsw_reserved = EI_INIT;
static expert_field ei_xsw_bad_point = EI_INIT;
static expert_field ei_xsw_unknown_value = EI_INIT;
static expert_field ei_xsw_no_request = EI_INIT;
static expert_field ei_xsw_verdict_must = EI_INIT;
static expert_field ei_xsw_verdict_should = EI_INIT;
static expert_field ei_xsw_verdict_pass = EI_INIT;
static expert_field ei_xsw_judged = EI_INIT;
static expert_field ei_xsw_finding = EI_INIT;
static expert_field ei_xsw_rec_truncated = EI_INIT;
static expert_field ei_xsw_bad_status = EI_INIT;

static const value_string vb_dir_vals[] = {
    { 0, "guest to host" },
    { 1, "host to guest" },
    { 0, NULL }
};

static const value_string vf_dir_vals[] = {
    { 0, "from the VM" },
    { 1, "to the VM" },
    { 0, NULL }
};

static const value_string vd_level_vals[] = {
    { 0, "MUST" },
    { 1, "SHOULD" },
    { 0, NULL }
};

static const value_string vd_outcome_vals[] = {
    { 0, "violated" },
    { 1, "passed" },
    { 0, NULL }
};

/* ---- Request/response links ------------------------------------------------ */

/*
 * Link kinds. The same object id appears at several capture points (a
 * request cloned or passed down crosses each boundary), so every key holds
 * the point: a completion at point k belongs to the request at point k.
 */
enum link_kind { LINK_OID = 1, LINK_NBL_SEND = 2, LINK_NBL_INDICATE = 3 };

struct link_key {
    guint8 kind;
    guint8 point;
    guint64 id;
};

struct link_rec {
    guint32 req_frame;
    guint32 rsp_frame;
    nstime_t req_ts;
};

/* Per-frame result of the first pass. */
struct xsw_frame {
    struct link_rec *link;
    guint32 parent_frame;  /* OID: frame of the request this one was cloned from */
    gboolean no_request;   /* completion without a matching request */
};

static wmem_map_t *open_links;   /* link_key -> link_rec, pass 1 only */
static wmem_map_t *verdicts_for; /* judged frame -> wmem_list of verdict frames */
static wmem_map_t *ext_names;    /* extension index -> name from META */

static guint link_key_hash(gconstpointer k)
{
    const struct link_key *key = (const struct link_key *)k;
    return g_int64_hash(&key->id) ^ ((guint)key->kind << 24) ^ ((guint)key->point << 16);
}

static gboolean link_key_equal(gconstpointer a, gconstpointer b)
{
    const struct link_key *x = (const struct link_key *)a;
    const struct link_key *y = (const struct link_key *)b;
    return x->kind == y->kind && x->point == y->point && x->id == y->id;
}

static struct xsw_frame *frame_data_get(packet_info *pinfo)
{
    struct xsw_frame *fd = (struct xsw_frame *)p_get_proto_data(wmem_file_scope(), pinfo, proto_xsw, 0);
    if (!fd) {
        fd = wmem_new0(wmem_file_scope(), struct xsw_frame);
        p_add_proto_data(wmem_file_scope(), pinfo, proto_xsw, 0, fd);
    }
    return fd;
}

/* First pass: remember an opening record (request, send, indicate). */
static void link_open(packet_info *pinfo, enum link_kind kind, guint8 point, guint64 id)
{
    if (PINFO_FD_VISITED(pinfo))
        return;
    struct link_key *key = wmem_new(wmem_file_scope(), struct link_key);
    key->kind = (guint8)kind;
    key->point = point;
    key->id = id;
    struct link_rec *rec = wmem_new0(wmem_file_scope(), struct link_rec);
    rec->req_frame = pinfo->num;
    rec->req_ts = pinfo->abs_ts;
    wmem_map_insert(open_links, key, rec);
    frame_data_get(pinfo)->link = rec;
}

/* First pass: close the opening record of a completion, if there is one. */
static void link_close(packet_info *pinfo, enum link_kind kind, guint8 point, guint64 id)
{
    if (PINFO_FD_VISITED(pinfo))
        return;
    struct link_key key = { (guint8)kind, point, id };
    struct xsw_frame *fd = frame_data_get(pinfo);
    struct link_rec *rec = (struct link_rec *)wmem_map_remove(open_links, &key);
    if (rec) {
        rec->rsp_frame = pinfo->num;
        fd->link = rec;
    } else {
        fd->no_request = TRUE;
    }
}

static struct link_rec *link_lookup_open(enum link_kind kind, guint8 point, guint64 id)
{
    struct link_key key = { (guint8)kind, point, id };
    return (struct link_rec *)wmem_map_lookup(open_links, &key);
}

/*
 * Show the link of this frame: "Response in" on an opening record, "Request
 * in" plus the elapsed time on a closing one, and expert info for a closing
 * record that has no opening record.
 */
static void link_show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *anchor,
                      gboolean closing, int hf_rsp, int hf_req, int hf_time, const char *what)
{
    struct xsw_frame *fd = (struct xsw_frame *)p_get_proto_data(wmem_file_scope(), pinfo, proto_xsw, 0);
    if (!fd)
        return;
    if (!closing) {
        if (fd->link && fd->link->rsp_frame) {
            proto_item *it = proto_tree_add_uint(tree, hf_rsp, tvb, 0, 0, fd->link->rsp_frame);
            proto_item_set_generated(it);
        }
        return;
    }
    if (fd->link && fd->link->req_frame) {
        proto_item *it = proto_tree_add_uint(tree, hf_req, tvb, 0, 0, fd->link->req_frame);
        proto_item_set_generated(it);
        nstime_t delta;
        nstime_delta(&delta, &pinfo->abs_ts, &fd->link->req_ts);
        it = proto_tree_add_time(tree, hf_time, tvb, 0, 0, &delta);
        proto_item_set_generated(it);
    } else if (fd->no_request) {
        expert_add_info_format(pinfo, anchor, &ei_xsw_no_request,
                               "%s without a matching request at this capture point", what);
    }
}

/* ---- Helpers ----------------------------------------------------------------- */

/*
 * Clamp "declared" bytes at "off" to what the record holds. A declared
 * length that overruns the record is reported on "item" (invalid data, not
 * a short capture), and decoding goes on with the bytes that exist.
 */
static guint32 clamp_len(tvbuff_t *tvb, packet_info *pinfo, proto_item *item, int off, guint32 declared,
                         const char *what)
{
    gint rem = tvb_reported_length_remaining(tvb, off);
    if (rem < 0)
        rem = 0;
    if (declared > (guint32)rem) {
        expert_add_info_format(pinfo, item, &ei_xsw_len_overrun,
                               "%s: %u bytes declared at body offset %d, only %d bytes left in the record",
                               what, declared, off, rem);
        return (guint32)rem;
    }
    return declared;
}

/* Report bytes left after the last part of a body. */
static void check_trailing(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off)
{
    gint rem = tvb_reported_length_remaining(tvb, off);
    if (rem > 0) {
        proto_item *it = proto_tree_add_item(tree, hf_xsw_trailing, tvb, off, rem, ENC_NA);
        expert_add_info_format(pinfo, it, &ei_xsw_trailing,
                               "%d bytes after the last declared part of the body", rem);
    }
}

/* Check a fixed body size; returns FALSE (after expert info) when too short. */
static gboolean body_fits(tvbuff_t *tvb, packet_info *pinfo, proto_item *item, guint need, const char *kind)
{
    guint have = tvb_reported_length(tvb);
    if (have < need) {
        expert_add_info_format(pinfo, item, &ei_xsw_short,
                               "%s body is %u bytes, the fixed part needs %u", kind, have, need);
        return FALSE;
    }
    return TRUE;
}

/* Name of a capture point for the tree and the columns. */
static const char *point_name(wmem_allocator_t *pool, guint8 point, guint8 depth)
{
    switch (point) {
    case XSW_POINT_VF:
        return "VF path";
    case XSW_POINT_VMBUS:
        return "VMBus";
    case XSW_POINT_NDIS:
        return "NDIS / switch handlers";
    case XSW_POINT_HARNESS:
        return "harness";
    case XSW_POINT_ANALYZER:
        return "analyzer";
    default:
        break;
    }
    if (point > XSW_POINT_MAX_BOUNDARY)
        return "unknown point";
    if (point == 0 && depth == 0)
        return "protocol edge = miniport edge (no extensions)";
    if (point == 0)
        return "protocol edge";
    if (point == depth)
        return "miniport edge";
    if (point > depth)
        return "beyond the miniport edge";
    return wmem_strdup_printf(pool, "between ext %u and %u", point - 1u, (unsigned)point);
}

/* Name of an entity of the stack, for the flow graph addresses. */
static const char *entity_name(wmem_allocator_t *pool, int ext)
{
    if (ext < 0)
        return "switch (protocol edge)";
    if (ext >= 0x100)
        return "switch (miniport edge)";
    const char *n = ext_names ? (const char *)wmem_map_lookup(ext_names, GUINT_TO_POINTER(ext + 1)) : NULL;
    if (n)
        return wmem_strdup_printf(pool, "ext %d (%s)", ext, n);
    return wmem_strdup_printf(pool, "ext %d", ext);
}

/* Entity above boundary "point" (or the protocol edge) and below it. */
static const char *above(wmem_allocator_t *pool, guint8 point)
{
    return entity_name(pool, point == 0 ? -1 : point - 1);
}

static const char *below(wmem_allocator_t *pool, guint8 point, guint8 depth)
{
    return entity_name(pool, point >= depth ? 0x100 : point);
}

static void set_flow(packet_info *pinfo, const char *src, const char *dst)
{
    set_address(&pinfo->src, AT_STRINGZ, (int)strlen(src) + 1, src);
    set_address(&pinfo->dst, AT_STRINGZ, (int)strlen(dst) + 1, dst);
    copy_address_shallow(&pinfo->net_src, &pinfo->src);
    copy_address_shallow(&pinfo->net_dst, &pinfo->dst);
}

/*
 * Addresses for the flow graph: the two entities the record travels
 * between. Downward kinds go from the entity above the capture point to
 * the one below it; upward kinds the other way.
 */
static void set_flow_for(packet_info *pinfo, guint8 kind, guint8 point, guint8 depth, guint8 actor,
                         guint8 vb_dir)
{
    wmem_allocator_t *pool = pinfo->pool;
    const char *actor_name = actor == XSW_ACTOR_SWITCH ? "switch" : entity_name(pool, actor);
    switch ((enum xsw_kind)kind) {
    case XSW_K_OID_REQUEST:
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_RETURN:
    case XSW_K_PNP_EVENT:
        if (point <= XSW_POINT_MAX_BOUNDARY)
            set_flow(pinfo, above(pool, point), below(pool, point, depth));
        return;
    case XSW_K_OID_COMPLETE:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_STATUS:
        if (point <= XSW_POINT_MAX_BOUNDARY)
            set_flow(pinfo, below(pool, point, depth), above(pool, point));
        return;
    case XSW_K_HANDLER_CALL:
        set_flow(pinfo, actor_name, "switch handlers");
        return;
    case XSW_K_NDIS_CALL:
        set_flow(pinfo, actor_name, "NDIS");
        return;
    case XSW_K_FILTER_STATE:
        set_flow(pinfo, "NDIS", actor_name);
        return;
    case XSW_K_FINDING:
        set_flow(pinfo, actor_name, "harness");
        return;
    case XSW_K_META:
        set_flow(pinfo, "harness", "harness");
        return;
    case XSW_K_VERDICT:
        set_flow(pinfo, "analyzer", "analyzer");
        return;
    case XSW_K_VMBUS:
        if (vb_dir == XSW_DIR_HOST_TO_GUEST)
            set_flow(pinfo, "NetVSP (host)", "NetVSC (guest)");
        else
            set_flow(pinfo, "NetVSC (guest)", "NetVSP (host)");
        return;
    case XSW_K_VF_FRAME:
        if (vb_dir == 1)
            set_flow(pinfo, "VF", "VM");
        else
            set_flow(pinfo, "VM", "VF");
        return;
    }
}

/* Add a UTF-8 text field of "len" declared bytes; returns the new offset. */
static int add_text(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *anchor, int hf, int off,
                    guint32 len, const char *what, const char **out)
{
    guint32 n = clamp_len(tvb, pinfo, anchor, off, len, what);
    if (n > 0) {
        const guint8 *s = NULL;
        proto_tree_add_item_ret_string(tree, hf, tvb, off, n, ENC_UTF_8, pinfo->pool, &s);
        if (out)
            *out = (const char *)s;
    }
    return off + (int)n;
}

/* The destination elements of an NBL or HANDLER_CALL body. */
static int add_destinations(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *anchor, int off,
                            guint32 count)
{
    static int *const dest_bits[] = {
        &hf_xsw_dest_excluded, &hf_xsw_dest_preserve_vlan, &hf_xsw_dest_preserve_prio, &hf_xsw_dest_reserved,
        NULL
    };
    guint32 bytes = clamp_len(tvb, pinfo, anchor, off, count * XSW_DEST_LEN, "destination array");
    guint32 n = bytes / XSW_DEST_LEN;
    for (guint32 i = 0; i < n; i++) {
        int o = off + (int)(i * XSW_DEST_LEN);
        guint32 port = tvb_get_letohl(tvb, o);
        guint16 nic = tvb_get_letohs(tvb, o + 4);
        guint16 bits = tvb_get_letohs(tvb, o + 6);
        proto_tree *dt = proto_tree_add_subtree_format(tree, tvb, o, XSW_DEST_LEN, ett_xsw_dest, NULL,
                                                       "Destination %u: port %u NIC %u%s", i, port, nic,
                                                       (bits & 1) ? " (excluded)" : "");
        proto_tree_add_item(dt, hf_xsw_dest_port, tvb, o, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(dt, hf_xsw_dest_nic, tvb, o + 4, 2, ENC_LITTLE_ENDIAN);
        proto_item *fi = proto_tree_add_bitmask(dt, tvb, o + 6, hf_xsw_dest_flags, ett_xsw_dest_flags, dest_bits,
                                                ENC_LITTLE_ENDIAN);
        if (bits & 0xFFF8)
            expert_add_info_format(pinfo, fi, &ei_xsw_reserved, "reserved destination bits set: 0x%04x",
                                   bits & 0xFFF8u);
    }
    return off + (int)bytes;
}

/* Hand "cap" captured bytes of a frame of "frame_len" bytes to Ethernet. */
static void call_eth(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, guint32 cap, guint32 frame_len)
{
    if (cap == 0)
        return;
    gint reported = (gint)(frame_len > cap ? frame_len : cap);
    tvbuff_t *ftvb = tvb_new_subset_length_caplen(tvb, off, (gint)cap, reported);
    call_dissector(eth_handle, ftvb, pinfo, tree);
}

/* ---- Record kinds ------------------------------------------------------------ */

struct rec_ctx {
    guint8 kind, point, depth, actor;
    guint32 port, status;
    guint16 nic;
    guint64 id, parent;
    proto_item *ti;      /* the protocol item: anchor of record-level expert info */
    guint8 vb_dir;       /* VMBUS / VF_FRAME direction for the flow graph */
};

/* Tap data handed to the statistics tree. */
struct xsw_tap_rec {
    guint8 kind, point;
    guint32 port, status, oid;
    guint16 nic;
    guint64 parent;
};

static void dissect_oid(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c,
                        struct xsw_tap_rec *tr)
{
    gboolean complete = c->kind == XSW_K_OID_COMPLETE;
    if (!body_fits(tvb, pinfo, c->ti, XSW_OID_BODY_LEN, complete ? "OID_COMPLETE" : "OID_REQUEST"))
        return;
    guint32 oid, data_len, inner;
    proto_item *oi = proto_tree_add_item_ret_uint(tree, hf_xsw_oid, tvb, XSW_OID_OFF_OID, 4, ENC_LITTLE_ENDIAN, &oid);
    const char *cls = xsw_oid_class(oid);
    if (cls) {
        proto_item *it = proto_tree_add_string(tree, hf_xsw_oid_class, tvb, XSW_OID_OFF_OID, 4, cls);
        proto_item_set_generated(it);
    } else {
        expert_add_info_format(pinfo, oi, &ei_xsw_unknown_value, "OID 0x%08x is not in oids.def", oid);
    }
    proto_tree_add_item(tree, hf_xsw_oid_type, tvb, XSW_OID_OFF_TYPE, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_oid_info_len, tvb, XSW_OID_OFF_INFO_LEN, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_oid_out_len, tvb, XSW_OID_OFF_OUT_LEN, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_oid_done, tvb, XSW_OID_OFF_DONE, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_oid_needed, tvb, XSW_OID_OFF_NEEDED, 4, ENC_LITTLE_ENDIAN);
    proto_item *ii = proto_tree_add_item_ret_uint(tree, hf_xsw_oid_inner_oid, tvb, XSW_OID_OFF_INNER_OID, 4,
                                                  ENC_LITTLE_ENDIAN, &inner);
    if (inner == 0)
        proto_item_set_text(ii, "Inner OID: none (0x00000000)");
    proto_tree_add_item(tree, hf_xsw_oid_inner_type, tvb, XSW_OID_OFF_INNER_TYPE, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_oid_inner_status, tvb, XSW_OID_OFF_INNER_STATUS, 4, ENC_LITTLE_ENDIAN);
    proto_item *dli = proto_tree_add_item_ret_uint(tree, hf_xsw_oid_data_len, tvb, XSW_OID_OFF_DATA_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &data_len);
    tr->oid = oid;

    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(oid, xsw_oid_vals, "OID 0x%08x"));
    if (oid == (guint32)XD_OID_SWITCH_NIC_REQUEST && inner != 0)
        col_append_fstr(pinfo->cinfo, COL_INFO, " (%s)", val_to_str(inner, xsw_oid_vals, "OID 0x%08x"));
    col_append_fstr(pinfo->cinfo, COL_INFO, " id=0x%" G_GINT64_MODIFIER "x", c->id);
    if (c->port || c->nic)
        col_append_fstr(pinfo->cinfo, COL_INFO, " port=%u nic=%u", c->port, c->nic);
    if (complete)
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s",
                        val_to_str(c->status, xsw_ndis_status_vals, "status 0x%08x"));

    /* Links: completion at point k to the request at point k; clone parent at the point above. */
    if (complete) {
        link_close(pinfo, LINK_OID, c->point, c->id);
    } else {
        if (!PINFO_FD_VISITED(pinfo) && c->parent != 0 && c->point > 0 && c->point <= XSW_POINT_MAX_BOUNDARY) {
            struct link_rec *p = link_lookup_open(LINK_OID, (guint8)(c->point - 1), c->parent);
            if (p)
                frame_data_get(pinfo)->parent_frame = p->req_frame;
        }
        link_open(pinfo, LINK_OID, c->point, c->id);
        struct xsw_frame *fd = (struct xsw_frame *)p_get_proto_data(wmem_file_scope(), pinfo, proto_xsw, 0);
        if (fd && fd->parent_frame) {
            proto_item *it = proto_tree_add_uint(tree, hf_xsw_oid_parent_in, tvb, 0, 0, fd->parent_frame);
            proto_item_set_generated(it);
        }
    }
    link_show(tvb, pinfo, tree, c->ti, complete, hf_xsw_oid_response_in, hf_xsw_oid_request_in, hf_xsw_oid_time,
              "OID completion");

    int off = XSW_OID_BODY_LEN;
    guint32 n = clamp_len(tvb, pinfo, dli, off, data_len, "information buffer");
    if (n > 0) {
        proto_item *di = proto_tree_add_item(tree, hf_xsw_oid_data, tvb, off, n, ENC_NA);
        proto_tree *dt = proto_item_add_subtree(di, ett_xsw_data);
        tvbuff_t *dtvb = tvb_new_subset_length(tvb, off, (gint)n);
        xsw_dissect_oid_buffer(dtvb, pinfo, dt, oid, complete);
    }
    check_trailing(tvb, pinfo, tree, off + (int)n);
}

static void dissect_nbl(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_tree *top, struct rec_ctx *c)
{
    static int *const send_bits[] = {
        &hf_xsw_nbl_send_flags_dispatch, &hf_xsw_nbl_send_flags_dest_group, &hf_xsw_nbl_send_flags_single_source,
        NULL
    };
    static int *const sc_bits[] = { &hf_xsw_nbl_sc_flags_dispatch, &hf_xsw_nbl_sc_flags_single_source, NULL };
    static int *const rcv_bits[] = {
        &hf_xsw_nbl_rcv_flags_dispatch, &hf_xsw_nbl_rcv_flags_resources, &hf_xsw_nbl_rcv_flags_dest_group,
        &hf_xsw_nbl_rcv_flags_single_source, NULL
    };
    static int *const ret_bits[] = { &hf_xsw_nbl_ret_flags_dispatch, &hf_xsw_nbl_ret_flags_single_source, NULL };
    static int *const fwd_bits[] = {
        &hf_xsw_fwd_num_avail, &hf_xsw_fwd_src_port, &hf_xsw_fwd_src_nic, &hf_xsw_fwd_native_fwd,
        &hf_xsw_fwd_reserved1, &hf_xsw_fwd_data_safe, &hf_xsw_fwd_safe_size, &hf_xsw_fwd_data_uncached,
        &hf_xsw_fwd_safe_uncached, &hf_xsw_fwd_reserved2, NULL
    };

    if (!body_fits(tvb, pinfo, c->ti, XSW_NBL_BODY_LEN, val_to_str_const(c->kind, xsw_kind_vals, "NBL")))
        return;

    int *const *bits = send_bits;
    enum link_kind lk = LINK_NBL_SEND;
    gboolean closing = FALSE;
    switch ((enum xsw_kind)c->kind) {
    case XSW_K_NBL_SEND:
        break;
    case XSW_K_NBL_SEND_COMPLETE:
        bits = sc_bits;
        closing = TRUE;
        break;
    case XSW_K_NBL_INDICATE:
        bits = rcv_bits;
        lk = LINK_NBL_INDICATE;
        break;
    case XSW_K_NBL_RETURN:
        bits = ret_bits;
        lk = LINK_NBL_INDICATE;
        closing = TRUE;
        break;
    default:
        return;
    }
    proto_tree_add_bitmask(tree, tvb, XSW_NBL_OFF_NDIS_FLAGS, hf_xsw_nbl_flags, ett_xsw_nbl_flags, bits,
                           ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_nbl_chain_idx, tvb, XSW_NBL_OFF_CHAIN_IDX, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_nbl_chain_len, tvb, XSW_NBL_OFF_CHAIN_LEN, 2, ENC_LITTLE_ENDIAN);
    guint64 fwd = tvb_get_letoh64(tvb, XSW_NBL_OFF_FWD);
    proto_item *fi = proto_tree_add_bitmask(tree, tvb, XSW_NBL_OFF_FWD, hf_xsw_nbl_fwd, ett_xsw_fwd, fwd_bits,
                                            ENC_LITTLE_ENDIAN);
    if (fwd & G_GUINT64_CONSTANT(0xFE00020000000000))
        expert_add_info_format(pinfo, fi, &ei_xsw_reserved,
                               "reserved forwarding-detail bits set: 0x%016" G_GINT64_MODIFIER "x",
                               fwd & G_GUINT64_CONSTANT(0xFE00020000000000));
    guint32 num_dest, num_elem, frame_len, cap_len;
    proto_item *ndi = proto_tree_add_item_ret_uint(tree, hf_xsw_nbl_num_dest, tvb, XSW_NBL_OFF_NUM_DEST, 2,
                                                   ENC_LITTLE_ENDIAN, &num_dest);
    proto_tree_add_item_ret_uint(tree, hf_xsw_nbl_num_elem, tvb, XSW_NBL_OFF_NUM_ELEM, 2, ENC_LITTLE_ENDIAN,
                                 &num_elem);
    if (num_dest > num_elem)
        expert_add_info_format(pinfo, ndi, &ei_xsw_len_overrun,
                               "NumDestinations %u exceeds NumElements %u of the destination array", num_dest,
                               num_elem);
    proto_tree_add_item_ret_uint(tree, hf_xsw_nbl_frame_len, tvb, XSW_NBL_OFF_FRAME_LEN, 4, ENC_LITTLE_ENDIAN,
                                 &frame_len);
    proto_item *cli = proto_tree_add_item_ret_uint(tree, hf_xsw_nbl_cap_len, tvb, XSW_NBL_OFF_CAP_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &cap_len);
    proto_tree_add_item(tree, hf_xsw_nbl_nb_count, tvb, XSW_NBL_OFF_NB_COUNT, 4, ENC_LITTLE_ENDIAN);
    if (cap_len > frame_len)
        expert_add_info_format(pinfo, cli, &ei_xsw_len_overrun, "captured %u bytes of a %u-byte frame", cap_len,
                               frame_len);

    col_append_fstr(pinfo->cinfo, COL_INFO, " nbl=0x%" G_GINT64_MODIFIER "x src=%u/%u dests=%u", c->id,
                    (guint)((fwd >> 16) & 0xFFFF), (guint)((fwd >> 32) & 0xFF), num_dest);
    if (closing && c->status != 0)
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(c->status, xsw_ndis_status_vals, "0x%08x"));

    if (closing)
        link_close(pinfo, lk, c->point, c->id);
    else
        link_open(pinfo, lk, c->point, c->id);
    link_show(tvb, pinfo, tree, c->ti, closing, hf_xsw_nbl_completed_in, hf_xsw_nbl_link_in, hf_xsw_nbl_time,
              lk == LINK_NBL_SEND ? "NBL send completion" : "NBL return");

    int off = add_destinations(tvb, pinfo, tree, ndi, XSW_NBL_BODY_LEN, num_dest);
    guint32 n = clamp_len(tvb, pinfo, cli, off, cap_len, "frame bytes");
    if (n > 0) {
        proto_tree_add_item(tree, hf_xsw_nbl_frame, tvb, off, n, ENC_NA);
        check_trailing(tvb, pinfo, tree, off + (int)n);
        col_append_str(pinfo->cinfo, COL_INFO, " | ");
        col_set_fence(pinfo->cinfo, COL_INFO);
        call_eth(tvb, pinfo, top, off, n, frame_len);
        return;
    }
    check_trailing(tvb, pinfo, tree, off);
}

static void dissect_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_ST_BODY_LEN, "STATUS"))
        return;
    guint32 code, inner, data_len;
    proto_tree_add_item_ret_uint(tree, hf_xsw_st_code, tvb, XSW_ST_OFF_CODE, 4, ENC_LITTLE_ENDIAN, &code);
    proto_tree_add_item_ret_uint(tree, hf_xsw_st_inner_code, tvb, XSW_ST_OFF_INNER_CODE, 4, ENC_LITTLE_ENDIAN,
                                 &inner);
    proto_tree_add_item(tree, hf_xsw_st_buf_len, tvb, XSW_ST_OFF_BUF_LEN, 4, ENC_LITTLE_ENDIAN);
    proto_item *dli = proto_tree_add_item_ret_uint(tree, hf_xsw_st_data_len, tvb, XSW_ST_OFF_DATA_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &data_len);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(code, xsw_ndis_status_vals, "0x%08x"));
    if (code == (guint32)XD_NDIS_STATUS_SWITCH_NIC_STATUS)
        col_append_fstr(pinfo->cinfo, COL_INFO, " (%s)", val_to_str(inner, xsw_ndis_status_vals, "0x%08x"));
    if (c->port || c->nic)
        col_append_fstr(pinfo->cinfo, COL_INFO, " port=%u nic=%u", c->port, c->nic);
    int off = XSW_ST_BODY_LEN;
    guint32 n = clamp_len(tvb, pinfo, dli, off, data_len, "status buffer");
    if (n > 0) {
        proto_item *di = proto_tree_add_item(tree, hf_xsw_st_data, tvb, off, n, ENC_NA);
        if (code == (guint32)XD_NDIS_STATUS_SWITCH_NIC_STATUS) {
            proto_tree *dt = proto_item_add_subtree(di, ett_xsw_data);
            xsw_dissect_nic_status(tvb_new_subset_length(tvb, off, (gint)n), pinfo, dt);
        }
    }
    check_trailing(tvb, pinfo, tree, off + (int)n);
}

static void dissect_pnp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_PNP_BODY_LEN, "PNP_EVENT"))
        return;
    guint32 ev, data_len;
    proto_tree_add_item_ret_uint(tree, hf_xsw_pnp_event, tvb, XSW_PNP_OFF_EVENT, 4, ENC_LITTLE_ENDIAN, &ev);
    proto_item *dli = proto_tree_add_item_ret_uint(tree, hf_xsw_pnp_data_len, tvb, XSW_PNP_OFF_DATA_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &data_len);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(ev, xsw_pnp_event_vals, "event %u"));
    guint32 n = clamp_len(tvb, pinfo, dli, XSW_PNP_BODY_LEN, data_len, "event buffer");
    if (n > 0)
        proto_tree_add_item(tree, hf_xsw_pnp_data, tvb, XSW_PNP_BODY_LEN, n, ENC_NA);
    check_trailing(tvb, pinfo, tree, XSW_PNP_BODY_LEN + (int)n);
}

static void dissect_handler_call(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_HC_BODY_LEN, "HANDLER_CALL"))
        return;
    guint32 handler, num_dest, text_len, rsvd, rsvd2;
    proto_item *hi = proto_tree_add_item_ret_uint(tree, hf_xsw_hc_handler, tvb, XSW_HC_OFF_HANDLER, 2,
                                                  ENC_LITTLE_ENDIAN, &handler);
    if (!try_val_to_str(handler, xsw_handler_vals))
        expert_add_info_format(pinfo, hi, &ei_xsw_unknown_value, "handler id %u is not in switch_handlers.def",
                               handler);
    proto_tree_add_item(tree, hf_xsw_hc_irql, tvb, XSW_HC_OFF_IRQL, 1, ENC_LITTLE_ENDIAN);
    proto_item *ri = proto_tree_add_item_ret_uint(tree, hf_xsw_hc_rsvd, tvb, XSW_HC_OFF_RSVD, 1, ENC_LITTLE_ENDIAN,
                                                  &rsvd);
    if (rsvd)
        expert_add_info(pinfo, ri, &ei_xsw_reserved);
    proto_tree_add_item(tree, hf_xsw_hc_flags, tvb, XSW_HC_OFF_FLAGS, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_hc_count, tvb, XSW_HC_OFF_COUNT, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_hc_refcount, tvb, XSW_HC_OFF_REFCOUNT, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_hc_nbl, tvb, XSW_HC_OFF_NBL, 8, ENC_LITTLE_ENDIAN);
    proto_item *ndi = proto_tree_add_item_ret_uint(tree, hf_xsw_hc_num_dest, tvb, XSW_HC_OFF_NUM_DEST, 2,
                                                   ENC_LITTLE_ENDIAN, &num_dest);
    proto_item *tli = proto_tree_add_item_ret_uint(tree, hf_xsw_hc_text_len, tvb, XSW_HC_OFF_TEXT_LEN, 2,
                                                   ENC_LITTLE_ENDIAN, &text_len);
    ri = proto_tree_add_item_ret_uint(tree, hf_xsw_hc_rsvd2, tvb, XSW_HC_OFF_NBL2, 4, ENC_LITTLE_ENDIAN, &rsvd2);
    if (rsvd2)
        expert_add_info(pinfo, ri, &ei_xsw_reserved);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s port=%u nic=%u -> %s",
                    val_to_str(handler, xsw_handler_vals, "handler %u"), c->port, c->nic,
                    val_to_str(c->status, xsw_ndis_status_vals, "0x%08x"));
    int off = add_destinations(tvb, pinfo, tree, ndi, XSW_HC_BODY_LEN, num_dest);
    const char *text = NULL;
    off = add_text(tvb, pinfo, tree, tli, hf_xsw_hc_text, off, text_len, "FilterReason text", &text);
    if (text)
        col_append_fstr(pinfo->cinfo, COL_INFO, " \"%s\"", text);
    check_trailing(tvb, pinfo, tree, off);
}

static void dissect_filter_state(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_FS_BODY_LEN, "FILTER_STATE"))
        return;
    guint32 ev, text_len;
    proto_item *ei = proto_tree_add_item_ret_uint(tree, hf_xsw_fs_event, tvb, XSW_FS_OFF_EVENT, 4, ENC_LITTLE_ENDIAN,
                                                  &ev);
    if (!try_val_to_str(ev, xsw_filter_event_vals))
        expert_add_info_format(pinfo, ei, &ei_xsw_unknown_value, "filter event %u is not in filter_events.def", ev);
    proto_item *tli = proto_tree_add_item_ret_uint(tree, hf_xsw_fs_text_len, tvb, XSW_FS_OFF_TEXT_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &text_len);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(ev, xsw_filter_event_vals, "event %u"));
    const char *text = NULL;
    int off = add_text(tvb, pinfo, tree, tli, hf_xsw_fs_text, XSW_FS_BODY_LEN, text_len, "extension name", &text);
    if (text)
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s", text);
    check_trailing(tvb, pinfo, tree, off);
}

static void dissect_finding(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_FI_BODY_LEN, "FINDING"))
        return;
    guint32 code, text_len, rsvd;
    proto_item *ci = proto_tree_add_item_ret_uint(tree, hf_xsw_fi_code, tvb, XSW_FI_OFF_CODE, 2, ENC_LITTLE_ENDIAN,
                                                  &code);
    if (!try_val_to_str(code, xsw_finding_vals))
        expert_add_info_format(pinfo, ci, &ei_xsw_unknown_value, "finding %u is not in findings.def", code);
    proto_tree_add_item(tree, hf_xsw_fi_irql, tvb, XSW_FI_OFF_IRQL, 1, ENC_LITTLE_ENDIAN);
    proto_item *ri = proto_tree_add_item_ret_uint(tree, hf_xsw_fi_rsvd, tvb, XSW_FI_OFF_RSVD, 1, ENC_LITTLE_ENDIAN,
                                                  &rsvd);
    if (rsvd)
        expert_add_info(pinfo, ri, &ei_xsw_reserved);
    proto_tree_add_item(tree, hf_xsw_fi_value, tvb, XSW_FI_OFF_VALUE, 8, ENC_LITTLE_ENDIAN);
    proto_item *tli = proto_tree_add_item_ret_uint(tree, hf_xsw_fi_text_len, tvb, XSW_FI_OFF_TEXT_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &text_len);
    const char *text = NULL;
    int off = add_text(tvb, pinfo, tree, tli, hf_xsw_fi_text, XSW_FI_BODY_LEN, text_len, "finding message", &text);
    const char *name = val_to_str(code, xsw_finding_vals, "finding %u");
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s%s%s", name, text ? ": " : "", text ? text : "");
    expert_add_info_format(pinfo, ci, &ei_xsw_finding, "harness finding %s%s%s", name, text ? ": " : "",
                           text ? text : "");
    check_trailing(tvb, pinfo, tree, off);
}

static void dissect_ndis_call(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_NC_BODY_LEN, "NDIS_CALL"))
        return;
    guint32 func_len, rsvd;
    proto_item *fli = proto_tree_add_item_ret_uint(tree, hf_xsw_nc_func_len, tvb, XSW_NC_OFF_FUNC_LEN, 2,
                                                   ENC_LITTLE_ENDIAN, &func_len);
    proto_tree_add_item(tree, hf_xsw_nc_irql, tvb, XSW_NC_OFF_IRQL, 1, ENC_LITTLE_ENDIAN);
    proto_item *ri = proto_tree_add_item_ret_uint(tree, hf_xsw_nc_rsvd, tvb, XSW_NC_OFF_RSVD, 1, ENC_LITTLE_ENDIAN,
                                                  &rsvd);
    if (rsvd)
        expert_add_info(pinfo, ri, &ei_xsw_reserved);
    proto_tree_add_item(tree, hf_xsw_nc_arg0, tvb, XSW_NC_OFF_ARG0, 8, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_nc_arg1, tvb, XSW_NC_OFF_ARG1, 8, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_xsw_nc_arg2, tvb, XSW_NC_OFF_ARG2, 8, ENC_LITTLE_ENDIAN);
    const char *func = NULL;
    int off = add_text(tvb, pinfo, tree, fli, hf_xsw_nc_func, XSW_NC_BODY_LEN, func_len, "function name", &func);
    if (func)
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s -> %s", func,
                        val_to_str(c->status, xsw_ndis_status_vals, "0x%08x"));
    check_trailing(tvb, pinfo, tree, off);
}

static void dissect_vmbus_rec(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_tree *top,
                              struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_VB_BODY_LEN, "VMBUS"))
        return;
    guint32 channel, dir, pkt_len, shared_len;
    proto_tree_add_item_ret_uint(tree, hf_xsw_vb_channel, tvb, XSW_VB_OFF_CHANNEL, 4, ENC_LITTLE_ENDIAN, &channel);
    proto_item *di = proto_tree_add_item_ret_uint(tree, hf_xsw_vb_dir, tvb, XSW_VB_OFF_DIR, 1, ENC_LITTLE_ENDIAN,
                                                  &dir);
    if (dir > 1)
        expert_add_info_format(pinfo, di, &ei_xsw_unknown_value, "VMBus direction %u is neither 0 nor 1", dir);
    proto_item *ri = proto_tree_add_item(tree, hf_xsw_vb_rsvd, tvb, XSW_VB_OFF_RSVD, 3, ENC_NA);
    if (tvb_get_letoh24(tvb, XSW_VB_OFF_RSVD) != 0)
        expert_add_info(pinfo, ri, &ei_xsw_reserved);
    proto_item *pli = proto_tree_add_item_ret_uint(tree, hf_xsw_vb_pkt_len, tvb, XSW_VB_OFF_PKT_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &pkt_len);
    proto_item *sli = proto_tree_add_item_ret_uint(tree, hf_xsw_vb_shared_len, tvb, XSW_VB_OFF_SHARED_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &shared_len);
    c->vb_dir = (guint8)dir;
    int off = XSW_VB_BODY_LEN;
    guint32 pn = clamp_len(tvb, pinfo, pli, off, pkt_len, "VMBus packet");
    guint32 sn = clamp_len(tvb, pinfo, sli, off + (int)pn, shared_len, "shared-buffer bytes");
    struct xsw_vmbus_info info;
    memset(&info, 0, sizeof info);
    info.channel = channel;
    info.dir = dir <= 1 ? (guint8)dir : XSW_DIR_UNKNOWN;
    info.port_id = c->port;
    info.nic_index = c->nic;
    if (sn > 0) {
        proto_tree_add_item(tree, hf_xsw_vb_shared, tvb, off + (int)pn, sn, ENC_NA);
        info.shared = tvb_new_subset_length(tvb, off + (int)pn, (gint)sn);
    }
    check_trailing(tvb, pinfo, tree, off + (int)pn + (int)sn);
    col_append_fstr(pinfo->cinfo, COL_INFO, " ch=%u %s", channel, dir == 1 ? "H->G" : "G->H");
    if (pn > 0) {
        col_set_fence(pinfo->cinfo, COL_INFO);
        call_dissector_with_data(vmbus_handle, tvb_new_subset_length(tvb, off, (gint)pn), pinfo, top, &info);
    }
}

static void dissect_vf_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_tree *top,
                             struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_VF_BODY_LEN, "VF_FRAME"))
        return;
    guint32 dir, cap_len;
    proto_item *di = proto_tree_add_item_ret_uint(tree, hf_xsw_vf_dir, tvb, XSW_VF_OFF_DIR, 4, ENC_LITTLE_ENDIAN,
                                                  &dir);
    if (dir > 1)
        expert_add_info_format(pinfo, di, &ei_xsw_unknown_value, "VF direction %u is neither 0 nor 1", dir);
    proto_item *cli = proto_tree_add_item_ret_uint(tree, hf_xsw_vf_cap_len, tvb, XSW_VF_OFF_CAP_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &cap_len);
    c->vb_dir = (guint8)dir;
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", dir == 1 ? "to the VM" : "from the VM");
    guint32 n = clamp_len(tvb, pinfo, cli, XSW_VF_BODY_LEN, cap_len, "frame bytes");
    check_trailing(tvb, pinfo, tree, XSW_VF_BODY_LEN + (int)n);
    if (n > 0) {
        proto_tree_add_item(tree, hf_xsw_vf_frame, tvb, XSW_VF_BODY_LEN, n, ENC_NA);
        col_append_str(pinfo->cinfo, COL_INFO, " | ");
        col_set_fence(pinfo->cinfo, COL_INFO);
        call_eth(tvb, pinfo, top, XSW_VF_BODY_LEN, n, n);
    }
}

static void dissect_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, struct rec_ctx *c)
{
    if (!body_fits(tvb, pinfo, c->ti, XSW_VD_BODY_LEN, "VERDICT"))
        return;
    guint32 level, outcome, rule_len, judged, text_len;
    proto_item *li = proto_tree_add_item_ret_uint(tree, hf_xsw_vd_level, tvb, XSW_VD_OFF_LEVEL, 1,
                                                  ENC_LITTLE_ENDIAN, &level);
    if (level > 1)
        expert_add_info_format(pinfo, li, &ei_xsw_unknown_value, "verdict level %u is neither MUST nor SHOULD",
                               level);
    proto_item *oi = proto_tree_add_item_ret_uint(tree, hf_xsw_vd_outcome, tvb, XSW_VD_OFF_OUTCOME, 1,
                                                  ENC_LITTLE_ENDIAN, &outcome);
    if (outcome > 1)
        expert_add_info_format(pinfo, oi, &ei_xsw_unknown_value, "verdict outcome %u is neither 0 nor 1", outcome);
    proto_item *rli = proto_tree_add_item_ret_uint(tree, hf_xsw_vd_rule_len, tvb, XSW_VD_OFF_RULE_LEN, 2,
                                                   ENC_LITTLE_ENDIAN, &rule_len);
    judged = tvb_get_letohl(tvb, XSW_VD_OFF_JUDGED_FRAME);
    proto_item *ji = proto_tree_add_uint(tree, hf_xsw_vd_judged_frame, tvb, XSW_VD_OFF_JUDGED_FRAME, 4, judged);
    proto_item *tli = proto_tree_add_item_ret_uint(tree, hf_xsw_vd_text_len, tvb, XSW_VD_OFF_TEXT_LEN, 4,
                                                   ENC_LITTLE_ENDIAN, &text_len);
    const char *rule = NULL, *text = NULL;
    int off = add_text(tvb, pinfo, tree, rli, hf_xsw_vd_rule, XSW_VD_BODY_LEN, rule_len, "rule id", &rule);
    off = add_text(tvb, pinfo, tree, tli, hf_xsw_vd_text, off, text_len, "verdict message", &text);
    check_trailing(tvb, pinfo, tree, off);

    if (judged >= pinfo->num && judged != 0)
        expert_add_info_format(pinfo, ji, &ei_xsw_unknown_value,
                               "judged frame %u is not before this verdict (frame %u)", judged, pinfo->num);
    if (!PINFO_FD_VISITED(pinfo) && judged != 0) {
        wmem_list_t *l = (wmem_list_t *)wmem_map_lookup(verdicts_for, GUINT_TO_POINTER(judged));
        if (!l) {
            l = wmem_list_new(wmem_file_scope());
            wmem_map_insert(verdicts_for, GUINT_TO_POINTER(judged), l);
        }
        wmem_list_append(l, GUINT_TO_POINTER(pinfo->num));
    }

    const char *lv = level == 0 ? "MUST" : "SHOULD";
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s (%s) %s", rule ? rule : "?", lv,
                    outcome == 1 ? "passed" : "VIOLATED");
    expert_field *ei = outcome == 1 ? &ei_xsw_verdict_pass : level == 0 ? &ei_xsw_verdict_must
                                                                        : &ei_xsw_verdict_should;
    if (judged)
        expert_add_info_format(pinfo, ji, ei, "rule %s (%s) %s: %s [frame %u]", rule ? rule : "?", lv,
                               outcome == 1 ? "passed" : "violated", text ? text : "", judged);
    else
        expert_add_info_format(pinfo, ji, ei, "rule %s (%s) %s: %s", rule ? rule : "?", lv,
                               outcome == 1 ? "passed" : "violated", text ? text : "");
}

/* META: "key=value\n" lines; extension names feed the flow graph. */
static void dissect_meta(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    int len = (int)tvb_reported_length(tvb);
    int off = 0;
    while (off < len) {
        gint next = 0;
        int linelen = tvb_find_line_end(tvb, off, len - off, &next, FALSE);
        if (linelen < 0 || next <= off)
            break;
        if (linelen > 0) {
            const guint8 *line = NULL;
            proto_item *li = proto_tree_add_item_ret_string(tree, hf_xsw_meta_line, tvb, off, linelen, ENC_UTF_8,
                                                            pinfo->pool, &line);
            proto_tree *lt = proto_item_add_subtree(li, ett_xsw_meta_line);
            gint eq = tvb_find_guint8(tvb, off, linelen, '=');
            if (eq >= 0) {
                const guint8 *key = NULL, *val = NULL;
                proto_tree_add_item_ret_string(lt, hf_xsw_meta_key, tvb, off, eq - off, ENC_UTF_8, pinfo->pool, &key);
                proto_tree_add_item_ret_string(lt, hf_xsw_meta_value, tvb, eq + 1, off + linelen - eq - 1,
                                               ENC_UTF_8, pinfo->pool, &val);
                unsigned idx;
                char rest[16];
                if (key && val && sscanf((const char *)key, "ext.%u.%15s", &idx, rest) == 2 &&
                    strcmp(rest, "name") == 0 && idx < 0xF0) {
                    wmem_map_insert(ext_names, GUINT_TO_POINTER(idx + 1),
                                    wmem_strdup(wmem_file_scope(), (const char *)val));
                }
                if (key && val && strcmp((const char *)key, "scenario") == 0)
                    col_append_fstr(pinfo->cinfo, COL_INFO, " scenario=%s", (const char *)val);
            }
            (void)line;
        }
        off = next;
    }
}

/* ---- Main entry ---------------------------------------------------------------- */

static int dissect_xsw(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    static int *const flag_bits[] = {
        &hf_xsw_flag_originated, &hf_xsw_flag_truncated, &hf_xsw_flag_chain_end, &hf_xsw_flag_reserved, NULL
    };
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "xsw");
    col_clear(pinfo->cinfo, COL_INFO);

    guint reported = tvb_reported_length(tvb);
    proto_item *ti = proto_tree_add_item(tree, proto_xsw, tvb, 0, -1, ENC_NA);
    proto_tree *xt = proto_item_add_subtree(ti, ett_xsw);

    if (reported < XSW_REC_HDR_LEN) {
        expert_add_info_format(pinfo, ti, &ei_xsw_short, "record of %u bytes is shorter than the %u-byte header",
                               reported, XSW_REC_HDR_LEN);
        col_set_str(pinfo->cinfo, COL_INFO, "xsw record too short");
        return (int)reported;
    }

    struct rec_ctx c;
    memset(&c, 0, sizeof c);
    c.ti = ti;
    guint32 version, kind, hdr_len, rec_len, point, depth, actor, flags, port, nic, rsvd, status;
    guint64 seq, id, parent;
    proto_tree *ht = proto_tree_add_subtree(xt, tvb, 0, XSW_REC_HDR_LEN, ett_xsw_hdr, NULL, "Record header");
    proto_item *vi = proto_tree_add_item_ret_uint(ht, hf_xsw_version, tvb, XSW_OFF_VERSION, 1, ENC_LITTLE_ENDIAN,
                                                  &version);
    proto_item *ki = proto_tree_add_item_ret_uint(ht, hf_xsw_kind, tvb, XSW_OFF_KIND, 1, ENC_LITTLE_ENDIAN, &kind);
    proto_item *hli = proto_tree_add_item_ret_uint(ht, hf_xsw_hdr_len, tvb, XSW_OFF_HDR_LEN, 2, ENC_LITTLE_ENDIAN,
                                                   &hdr_len);
    proto_item *rli = proto_tree_add_item_ret_uint(ht, hf_xsw_rec_len, tvb, XSW_OFF_REC_LEN, 4, ENC_LITTLE_ENDIAN,
                                                   &rec_len);
    proto_tree_add_item_ret_uint64(ht, hf_xsw_seq, tvb, XSW_OFF_SEQ, 8, ENC_LITTLE_ENDIAN, &seq);
    proto_item *pi = proto_tree_add_item_ret_uint(ht, hf_xsw_point, tvb, XSW_OFF_POINT, 1, ENC_LITTLE_ENDIAN, &point);
    proto_tree_add_item_ret_uint(ht, hf_xsw_depth, tvb, XSW_OFF_DEPTH, 1, ENC_LITTLE_ENDIAN, &depth);
    const char *pname = point_name(pinfo->pool, (guint8)point, (guint8)depth);
    proto_item_append_text(pi, " (%s)", pname);
    proto_item *pni = proto_tree_add_string(ht, hf_xsw_point_name, tvb, XSW_OFF_POINT, 1, pname);
    proto_item_set_generated(pni);
    if ((point > XSW_POINT_MAX_BOUNDARY && point > XSW_POINT_ANALYZER) ||
        (point <= XSW_POINT_MAX_BOUNDARY && point > depth))
        expert_add_info_format(pinfo, pi, &ei_xsw_bad_point, "capture point %u is invalid for a stack of depth %u",
                               point, depth);
    proto_item *ai = proto_tree_add_item_ret_uint(ht, hf_xsw_actor, tvb, XSW_OFF_ACTOR, 1, ENC_LITTLE_ENDIAN, &actor);
    const char *aname = actor == XSW_ACTOR_SWITCH ? "switch" : wmem_strdup_printf(pinfo->pool, "ext %u", actor);
    proto_item_append_text(ai, " (%s)", aname);
    proto_item *ani = proto_tree_add_string(ht, hf_xsw_actor_name, tvb, XSW_OFF_ACTOR, 1, aname);
    proto_item_set_generated(ani);
    proto_item *fi = proto_tree_add_bitmask(ht, tvb, XSW_OFF_FLAGS, hf_xsw_flags, ett_xsw_flags, flag_bits,
                                            ENC_LITTLE_ENDIAN);
    flags = tvb_get_guint8(tvb, XSW_OFF_FLAGS);
    if (flags & 0xF8)
        expert_add_info_format(pinfo, fi, &ei_xsw_reserved, "reserved record flag bits set: 0x%02x", flags & 0xF8u);
    proto_tree_add_item_ret_uint(ht, hf_xsw_port_id, tvb, XSW_OFF_PORT, 4, ENC_LITTLE_ENDIAN, &port);
    proto_tree_add_item_ret_uint(ht, hf_xsw_nic_index, tvb, XSW_OFF_NIC, 2, ENC_LITTLE_ENDIAN, &nic);
    proto_item *rsi = proto_tree_add_item_ret_uint(ht, hf_xsw_reserved, tvb, XSW_OFF_RSVD, 2, ENC_LITTLE_ENDIAN,
                                                   &rsvd);
    if (rsvd)
        expert_add_info(pinfo, rsi, &ei_xsw_reserved);
    proto_tree_add_item_ret_uint(ht, hf_xsw_status, tvb, XSW_OFF_STATUS, 4, ENC_LITTLE_ENDIAN, &status);
    proto_tree_add_item_ret_uint64(ht, hf_xsw_id, tvb, XSW_OFF_ID, 8, ENC_LITTLE_ENDIAN, &id);
    proto_tree_add_item_ret_uint64(ht, hf_xsw_parent, tvb, XSW_OFF_PARENT, 8, ENC_LITTLE_ENDIAN, &parent);

    c.kind = (guint8)kind;
    c.point = (guint8)point;
    c.depth = (guint8)depth;
    c.actor = (guint8)actor;
    c.port = port;
    c.nic = (guint16)nic;
    c.status = status;
    c.id = id;
    c.parent = parent;

    const char *kname = val_to_str(kind, xsw_kind_vals, "kind %u");
    proto_item_append_text(ti, ", %s, seq %" G_GINT64_MODIFIER "u, %s", kname, seq, pname);
    if (point <= XSW_POINT_MAX_BOUNDARY)
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s [p%u %s]", kname, point, pname);
    else
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s [%s]", kname, pname);

    if (version != XSW_TRACE_VERSION) {
        expert_add_info_format(pinfo, vi, &ei_xsw_bad_version, "record format version %u, this dissector reads %u",
                               version, XSW_TRACE_VERSION);
        return (int)reported;
    }
    if (hdr_len < XSW_REC_HDR_LEN) {
        expert_add_info_format(pinfo, hli, &ei_xsw_short, "header length %u is below the %u-byte version-1 header",
                               hdr_len, XSW_REC_HDR_LEN);
        return (int)reported;
    }
    /* The record length decides the body; the tvb holds at most what was captured. */
    guint body_end = reported;
    if (rec_len < hdr_len) {
        expert_add_info_format(pinfo, rli, &ei_xsw_short, "record length %u is below the header length %u", rec_len,
                               hdr_len);
        return (int)reported;
    }
    if (rec_len > reported) {
        expert_add_info_format(pinfo, rli, &ei_xsw_rec_truncated,
                               "record length %u overruns the %u bytes present: record truncated", rec_len,
                               reported);
    } else {
        body_end = rec_len;
        if (rec_len < reported) {
            proto_item *it = proto_tree_add_item(xt, hf_xsw_trailing, tvb, (gint)rec_len,
                                                 (gint)(reported - rec_len), ENC_NA);
            expert_add_info_format(pinfo, it, &ei_xsw_trailing, "%u bytes after the %u-byte record",
                                   reported - rec_len, rec_len);
        }
    }
    if (hdr_len > XSW_REC_HDR_LEN) {
        guint extra = MIN(hdr_len, body_end) - XSW_REC_HDR_LEN;
        if (extra > 0)
            proto_tree_add_item(ht, hf_xsw_hdr_extra, tvb, XSW_REC_HDR_LEN, (gint)extra, ENC_NA);
        if (hdr_len > body_end) {
            expert_add_info_format(pinfo, hli, &ei_xsw_len_overrun, "header length %u overruns the record",
                                   hdr_len);
            return (int)reported;
        }
    }

    tvbuff_t *body = tvb_new_subset_length(tvb, (gint)hdr_len, (gint)(body_end - hdr_len));
    proto_item *bi = proto_tree_add_item(xt, hf_xsw_body, tvb, (gint)hdr_len, (gint)(body_end - hdr_len), ENC_NA);
    proto_item_set_text(bi, "%s body (%u bytes)", kname, body_end - hdr_len);
    proto_tree *bt = proto_item_add_subtree(bi, ett_xsw_body);


    struct xsw_tap_rec *tr = wmem_new0(pinfo->pool, struct xsw_tap_rec);
    tr->kind = c.kind;
    tr->point = c.point;
    tr->port = port;
    tr->nic = (guint16)nic;
    tr->status = status;
    tr->parent = parent;

    switch ((enum xsw_kind)kind) {
    case XSW_K_META:
        dissect_meta(body, pinfo, bt);
        break;
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
        dissect_oid(body, pinfo, bt, &c, tr);
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        dissect_nbl(body, pinfo, bt, tree, &c);
        break;
    case XSW_K_STATUS:
        dissect_status(body, pinfo, bt, &c);
        break;
    case XSW_K_PNP_EVENT:
        dissect_pnp(body, pinfo, bt, &c);
        break;
    case XSW_K_HANDLER_CALL:
        dissect_handler_call(body, pinfo, bt, &c);
        break;
    case XSW_K_FILTER_STATE:
        dissect_filter_state(body, pinfo, bt, &c);
        break;
    case XSW_K_FINDING:
        dissect_finding(body, pinfo, bt, &c);
        break;
    case XSW_K_NDIS_CALL:
        dissect_ndis_call(body, pinfo, bt, &c);
        break;
    case XSW_K_VMBUS:
        dissect_vmbus_rec(body, pinfo, bt, tree, &c);
        break;
    case XSW_K_VF_FRAME:
        dissect_vf_frame(body, pinfo, bt, tree, &c);
        break;
    case XSW_K_VERDICT:
        dissect_verdict(body, pinfo, bt, &c);
        break;
    default:
        expert_add_info_format(pinfo, ki, &ei_xsw_unknown_kind, "record kind %u is not in trace_kinds.def", kind);
        break;
    }

    /* Verdicts that judge this frame (known after the first pass). */
    wmem_list_t *vl = (wmem_list_t *)wmem_map_lookup(verdicts_for, GUINT_TO_POINTER(pinfo->num));
    if (vl) {
        for (wmem_list_frame_t *f = wmem_list_head(vl); f; f = wmem_list_frame_next(f)) {
            guint32 vf = GPOINTER_TO_UINT(wmem_list_frame_data(f));
            proto_item *it = proto_tree_add_uint(xt, hf_xsw_verdict_in, tvb, 0, 0, vf);
            proto_item_set_generated(it);
            expert_add_info_format(pinfo, it, &ei_xsw_judged, "judged by the verdict in frame %u", vf);
        }
    }

    if (status != 0 && (status & 0xC0000000u) == 0xC0000000u &&
        (kind == XSW_K_OID_COMPLETE || kind == XSW_K_NBL_SEND_COMPLETE || kind == XSW_K_HANDLER_CALL))
        expert_add_info_format(pinfo, ti, &ei_xsw_bad_status, "failure status %s",
                               val_to_str(status, xsw_ndis_status_vals, "0x%08x"));

    set_flow_for(pinfo, c.kind, c.point, c.depth, c.actor, c.vb_dir);
    tap_queue_packet(xsw_tap, pinfo, tr);
    return (int)reported;
}

/* ---- Statistics: "xsw ports" ------------------------------------------------------- */

/*
 * The tree lists every port and NIC seen in a record header, the OIDs that
 * named them, and their lifecycle: the states reached through OIDs
 * completed at the protocol edge (point 0) with success, in order of first
 * visit, valued 1 for the current state and 0 for the states left.
 */
static const char *st_root = "Ports and NICs";
static int st_root_node = -1;
/* Lifecycle node id -> bit mask of the states created under it. */
static GHashTable *st_visited;

static void xsw_stats_init(stats_tree *st)
{
    st_root_node = stats_tree_create_node(st, st_root, 0, STAT_DT_INT, TRUE);
    if (st_visited)
        g_hash_table_remove_all(st_visited);
    else
        st_visited = g_hash_table_new(g_direct_hash, g_direct_equal);
}

static const char *const all_states[] = { "Created", "Connected", "Disconnected", "Teardown", "Deleted" };

/* Index in all_states of the state an OID leads to, or -1; *is_port tells whose. */
static int lifecycle_state(guint32 oid, gboolean *is_port)
{
    *is_port = TRUE;
    switch (oid) {
    case XD_OID_SWITCH_PORT_CREATE: return 0;
    case XD_OID_SWITCH_PORT_TEARDOWN: return 3;
    case XD_OID_SWITCH_PORT_DELETE: return 4;
    default: break;
    }
    *is_port = FALSE;
    switch (oid) {
    case XD_OID_SWITCH_NIC_CREATE: return 0;
    case XD_OID_SWITCH_NIC_CONNECT: return 1;
    case XD_OID_SWITCH_NIC_DISCONNECT: return 2;
    case XD_OID_SWITCH_NIC_DELETE: return 4;
    default: return -1;
    }
}

/* Where an OID belongs in the tree: a NIC, a port, or the switch as a whole. */
enum oid_scope { SCOPE_SWITCH, SCOPE_PORT, SCOPE_NIC };

static enum oid_scope oid_scope(guint32 oid)
{
    const char *name = try_val_to_str(oid, xsw_oid_vals);
    if (!name)
        return SCOPE_NIC;
    if (strncmp(name, "OID_SWITCH_NIC_ARRAY", 20) == 0)
        return SCOPE_SWITCH;
    if (strncmp(name, "OID_SWITCH_NIC_", 15) == 0)
        return SCOPE_NIC;
    if (strncmp(name, "OID_SWITCH_PORT_ARRAY", 21) == 0)
        return SCOPE_SWITCH;
    if (strncmp(name, "OID_SWITCH_PORT_", 16) == 0)
        return SCOPE_PORT;
    return name[4] == 'S' && strncmp(name, "OID_SWITCH_", 11) == 0 ? SCOPE_SWITCH : SCOPE_NIC;
}

static tap_packet_status xsw_stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                          const void *p, tap_flags_t flags _U_)
{
    const struct xsw_tap_rec *tr = (const struct xsw_tap_rec *)p;
    gboolean is_oid = tr->kind == XSW_K_OID_REQUEST || tr->kind == XSW_K_OID_COMPLETE;
    if (tr->point > XSW_POINT_MAX_BOUNDARY && tr->kind != XSW_K_HANDLER_CALL && tr->kind != XSW_K_VMBUS &&
        tr->kind != XSW_K_VF_FRAME)
        return TAP_PACKET_DONT_REDRAW;
    enum oid_scope scope = is_oid ? oid_scope(tr->oid) : SCOPE_NIC;
    if (!is_oid && tr->port == 0 && tr->nic == 0)
        return TAP_PACKET_DONT_REDRAW;
    tick_stat_node(st, st_root, 0, TRUE);
    int owner;
    if (scope == SCOPE_SWITCH) {
        owner = tick_stat_node(st, "Switch", st_root_node, TRUE);
    } else {
        char pname[32], nname[32];
        g_snprintf(pname, sizeof pname, "Port %u", tr->port);
        owner = tick_stat_node(st, pname, st_root_node, TRUE);
        if (scope == SCOPE_NIC) {
            g_snprintf(nname, sizeof nname, "NIC %u", tr->nic);
            owner = tick_stat_node(st, nname, owner, TRUE);
        }
    }
    /* Requests counted once: where they enter the stack, not at every boundary. */
    if (tr->kind == XSW_K_OID_REQUEST && tr->parent == 0) {
        const char *oname = val_to_str_const(tr->oid, xsw_oid_vals, "other OIDs");
        int oids = tick_stat_node(st, "OID requests issued", owner, TRUE);
        tick_stat_node(st, oname, oids, FALSE);
    }
    gboolean is_port;
    int state = lifecycle_state(tr->oid, &is_port);
    if (tr->kind == XSW_K_OID_COMPLETE && tr->point == 0 && tr->status == 0 && state >= 0) {
        int lc = stats_tree_manip_node_int(MN_INCREASE, st, "lifecycle (1 = current state)", owner, TRUE, 0);
        guint mask = GPOINTER_TO_UINT(g_hash_table_lookup(st_visited, GINT_TO_POINTER(lc)));
        for (int i = 0; i < (int)G_N_ELEMENTS(all_states); i++)
            if (i != state && (mask & (1u << i)))
                stats_tree_manip_node_int(MN_SET, st, all_states[i], lc, FALSE, 0);
        stats_tree_manip_node_int(MN_SET, st, all_states[state], lc, FALSE, 1);
        g_hash_table_insert(st_visited, GINT_TO_POINTER(lc), GUINT_TO_POINTER(mask | (1u << state)));
    }
    return TAP_PACKET_REDRAW;
}

/* ---- Registration -------------------------------------------------------------- */

void proto_register_xsw(void)
{
    static hf_register_info hf[] = {
        { &hf_xsw_version, { "Format version", "xsw.version", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_kind, { "Kind", "xsw.kind", FT_UINT8, BASE_DEC, VALS(xsw_kind_vals), 0, "Record kind (trace_kinds.def)", HFILL } },
        { &hf_xsw_hdr_len, { "Header length", "xsw.hdr_len", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_rec_len, { "Record length", "xsw.rec_len", FT_UINT32, BASE_DEC, NULL, 0, "Header + body", HFILL } },
        { &hf_xsw_seq, { "Sequence number", "xsw.seq", FT_UINT64, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_point, { "Capture point", "xsw.point", FT_UINT8, BASE_DEC, NULL, 0, "0 = protocol edge, depth = miniport edge, 0xF0.. special", HFILL } },
        { &hf_xsw_point_name, { "Capture point name", "xsw.point_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_depth, { "Stack depth", "xsw.depth", FT_UINT8, BASE_DEC, NULL, 0, "Number of extensions", HFILL } },
        { &hf_xsw_actor, { "Actor", "xsw.actor", FT_UINT8, BASE_DEC, NULL, 0, "Extension index or 255 = switch", HFILL } },
        { &hf_xsw_actor_name, { "Actor name", "xsw.actor_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_flags, { "Record flags", "xsw.flags", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_flag_originated, { "Originated", "xsw.flags.originated", FT_BOOLEAN, 8, NULL, XSW_RF_ORIGINATED, "Object created by the actor", HFILL } },
        { &hf_xsw_flag_truncated, { "Truncated", "xsw.flags.truncated", FT_BOOLEAN, 8, NULL, XSW_RF_TRUNCATED, "Payload cut to the snap length", HFILL } },
        { &hf_xsw_flag_chain_end, { "Chain end", "xsw.flags.chain_end", FT_BOOLEAN, 8, NULL, XSW_RF_CHAIN_END, "Last NBL of a chain", HFILL } },
        { &hf_xsw_flag_reserved, { "Reserved", "xsw.flags.reserved", FT_UINT8, BASE_HEX, NULL, 0xF8, NULL, HFILL } },
        { &hf_xsw_port_id, { "Port id", "xsw.port_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nic_index, { "NIC index", "xsw.nic_index", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_reserved, { "Reserved", "xsw.reserved", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_status, { "Status", "xsw.status", FT_UINT32, BASE_HEX, VALS(xsw_ndis_status_vals), 0, "NDIS status", HFILL } },
        { &hf_xsw_id, { "Object id", "xsw.id", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_parent, { "Parent id", "xsw.parent", FT_UINT64, BASE_HEX, NULL, 0, "Clone parent, judged record seq...", HFILL } },
        { &hf_xsw_hdr_extra, { "Unknown header bytes", "xsw.hdr_extra", FT_BYTES, BASE_NONE, NULL, 0, "Header bytes of a later format revision", HFILL } },
        { &hf_xsw_body, { "Body", "xsw.body", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_trailing, { "Trailing bytes", "xsw.trailing", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_oid, { "OID", "xsw.oid", FT_UINT32, BASE_HEX, VALS(xsw_oid_vals), 0, NULL, HFILL } },
        { &hf_xsw_oid_class, { "OID class", "xsw.oid.class", FT_STRING, BASE_NONE, NULL, 0, "Class from oids.def", HFILL } },
        { &hf_xsw_oid_type, { "Request type", "xsw.oid.request_type", FT_UINT32, BASE_DEC, VALS(xsw_request_type_vals), 0, NULL, HFILL } },
        { &hf_xsw_oid_info_len, { "InformationBufferLength", "xsw.oid.info_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_oid_out_len, { "OutputBufferLength", "xsw.oid.out_len", FT_UINT32, BASE_DEC, NULL, 0, "Method requests", HFILL } },
        { &hf_xsw_oid_done, { "BytesWritten/Read", "xsw.oid.bytes_done", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_oid_needed, { "BytesNeeded", "xsw.oid.bytes_needed", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_oid_inner_oid, { "Inner OID", "xsw.oid.inner_oid", FT_UINT32, BASE_HEX, VALS(xsw_oid_vals), 0, "OID encapsulated in OID_SWITCH_NIC_REQUEST", HFILL } },
        { &hf_xsw_oid_inner_type, { "Inner request type", "xsw.oid.inner_type", FT_UINT32, BASE_DEC, VALS(xsw_request_type_vals), 0, NULL, HFILL } },
        { &hf_xsw_oid_inner_status, { "Inner status", "xsw.oid.inner_status", FT_UINT32, BASE_HEX, VALS(xsw_ndis_status_vals), 0, NULL, HFILL } },
        { &hf_xsw_oid_data_len, { "Information bytes", "xsw.oid.data_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_oid_data, { "Information buffer", "xsw.oid.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_oid_response_in, { "Completion in", "xsw.oid.response_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "Completion at the same capture point", HFILL } },
        { &hf_xsw_oid_request_in, { "Request in", "xsw.oid.request_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "Request at the same capture point", HFILL } },
        { &hf_xsw_oid_time, { "Completion time", "xsw.oid.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0, "Time from the request at this point", HFILL } },
        { &hf_xsw_oid_parent_in, { "Cloned from request in", "xsw.oid.parent_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0, "Request at the point above this one whose id is the parent id", HFILL } },

        { &hf_xsw_nbl_flags, { "NDIS flags", "xsw.nbl.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_send_flags_dispatch, { "NDIS_SEND_FLAGS_DISPATCH_LEVEL", "xsw.nbl.flags.send_dispatch", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_xsw_nbl_send_flags_dest_group, { "NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP", "xsw.nbl.flags.send_dest_group", FT_BOOLEAN, 32, NULL, 0x10, NULL, HFILL } },
        { &hf_xsw_nbl_send_flags_single_source, { "NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE", "xsw.nbl.flags.send_single_source", FT_BOOLEAN, 32, NULL, 0x20, NULL, HFILL } },
        { &hf_xsw_nbl_sc_flags_dispatch, { "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL", "xsw.nbl.flags.sc_dispatch", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_xsw_nbl_sc_flags_single_source, { "NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE", "xsw.nbl.flags.sc_single_source", FT_BOOLEAN, 32, NULL, 0x4, NULL, HFILL } },
        { &hf_xsw_nbl_rcv_flags_dispatch, { "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL", "xsw.nbl.flags.rcv_dispatch", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_xsw_nbl_rcv_flags_resources, { "NDIS_RECEIVE_FLAGS_RESOURCES", "xsw.nbl.flags.rcv_resources", FT_BOOLEAN, 32, NULL, 0x2, NULL, HFILL } },
        { &hf_xsw_nbl_rcv_flags_dest_group, { "NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP", "xsw.nbl.flags.rcv_dest_group", FT_BOOLEAN, 32, NULL, 0x4000, NULL, HFILL } },
        { &hf_xsw_nbl_rcv_flags_single_source, { "NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE", "xsw.nbl.flags.rcv_single_source", FT_BOOLEAN, 32, NULL, 0x8000, NULL, HFILL } },
        { &hf_xsw_nbl_ret_flags_dispatch, { "NDIS_RETURN_FLAGS_DISPATCH_LEVEL", "xsw.nbl.flags.ret_dispatch", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_xsw_nbl_ret_flags_single_source, { "NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE", "xsw.nbl.flags.ret_single_source", FT_BOOLEAN, 32, NULL, 0x4, NULL, HFILL } },
        { &hf_xsw_nbl_chain_idx, { "Chain index", "xsw.nbl.chain_idx", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_chain_len, { "Chain length", "xsw.nbl.chain_len", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_fwd, { "Forwarding detail", "xsw.nbl.fwd", FT_UINT64, BASE_HEX, NULL, 0, "NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO", HFILL } },
        { &hf_xsw_fwd_num_avail, { "NumAvailableDestinations", "xsw.fwd.num_available_destinations", FT_UINT64, BASE_DEC, NULL, G_GUINT64_CONSTANT(0x000000000000FFFF), NULL, HFILL } },
        { &hf_xsw_fwd_src_port, { "SourcePortId", "xsw.fwd.source_port_id", FT_UINT64, BASE_DEC, NULL, G_GUINT64_CONSTANT(0x00000000FFFF0000), NULL, HFILL } },
        { &hf_xsw_fwd_src_nic, { "SourceNicIndex", "xsw.fwd.source_nic_index", FT_UINT64, BASE_DEC, NULL, G_GUINT64_CONSTANT(0x000000FF00000000), NULL, HFILL } },
        { &hf_xsw_fwd_native_fwd, { "NativeForwardingRequired", "xsw.fwd.native_forwarding_required", FT_BOOLEAN, 64, NULL, G_GUINT64_CONSTANT(0x0000010000000000), NULL, HFILL } },
        { &hf_xsw_fwd_reserved1, { "Reserved1", "xsw.fwd.reserved1", FT_UINT64, BASE_HEX, NULL, G_GUINT64_CONSTANT(0x0000020000000000), NULL, HFILL } },
        { &hf_xsw_fwd_data_safe, { "IsPacketDataSafe", "xsw.fwd.is_packet_data_safe", FT_BOOLEAN, 64, NULL, G_GUINT64_CONSTANT(0x0000040000000000), NULL, HFILL } },
        { &hf_xsw_fwd_safe_size, { "SafePacketDataSize", "xsw.fwd.safe_packet_data_size", FT_UINT64, BASE_DEC, NULL, G_GUINT64_CONSTANT(0x007FF80000000000), NULL, HFILL } },
        { &hf_xsw_fwd_data_uncached, { "IsPacketDataUncached", "xsw.fwd.is_packet_data_uncached", FT_BOOLEAN, 64, NULL, G_GUINT64_CONSTANT(0x0080000000000000), NULL, HFILL } },
        { &hf_xsw_fwd_safe_uncached, { "IsSafePacketDataUncached", "xsw.fwd.is_safe_packet_data_uncached", FT_BOOLEAN, 64, NULL, G_GUINT64_CONSTANT(0x0100000000000000), NULL, HFILL } },
        { &hf_xsw_fwd_reserved2, { "Reserved2", "xsw.fwd.reserved2", FT_UINT64, BASE_HEX, NULL, G_GUINT64_CONSTANT(0xFE00000000000000), NULL, HFILL } },
        { &hf_xsw_nbl_num_dest, { "NumDestinations", "xsw.nbl.num_dest", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_num_elem, { "NumElements", "xsw.nbl.num_elem", FT_UINT16, BASE_DEC, NULL, 0, "Used and free destination slots", HFILL } },
        { &hf_xsw_nbl_frame_len, { "Frame length", "xsw.nbl.frame_len", FT_UINT32, BASE_DEC, NULL, 0, "Data length of the first NET_BUFFER", HFILL } },
        { &hf_xsw_nbl_cap_len, { "Captured length", "xsw.nbl.cap_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_nb_count, { "NET_BUFFER count", "xsw.nbl.nb_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_frame, { "Frame", "xsw.nbl.frame", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nbl_link_in, { "Sent/indicated in", "xsw.nbl.opened_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "Send or indication at the same capture point", HFILL } },
        { &hf_xsw_nbl_completed_in, { "Completed/returned in", "xsw.nbl.closed_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "Send completion or return at the same capture point", HFILL } },
        { &hf_xsw_nbl_time, { "Time held", "xsw.nbl.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_dest_port, { "PortId", "xsw.dest.port_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_dest_nic, { "NicIndex", "xsw.dest.nic_index", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_dest_flags, { "Flags", "xsw.dest.flags", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_dest_excluded, { "IsExcluded", "xsw.dest.is_excluded", FT_BOOLEAN, 16, NULL, 0x1, NULL, HFILL } },
        { &hf_xsw_dest_preserve_vlan, { "PreserveVLAN", "xsw.dest.preserve_vlan", FT_BOOLEAN, 16, NULL, 0x2, NULL, HFILL } },
        { &hf_xsw_dest_preserve_prio, { "PreservePriority", "xsw.dest.preserve_priority", FT_BOOLEAN, 16, NULL, 0x4, NULL, HFILL } },
        { &hf_xsw_dest_reserved, { "Reserved", "xsw.dest.reserved", FT_UINT16, BASE_HEX, NULL, 0xFFF8, NULL, HFILL } },

        { &hf_xsw_st_code, { "StatusCode", "xsw.st.code", FT_UINT32, BASE_HEX, VALS(xsw_ndis_status_vals), 0, NULL, HFILL } },
        { &hf_xsw_st_inner_code, { "Inner status code", "xsw.st.inner_code", FT_UINT32, BASE_HEX, VALS(xsw_ndis_status_vals), 0, "Status wrapped in NDIS_STATUS_SWITCH_NIC_STATUS", HFILL } },
        { &hf_xsw_st_buf_len, { "StatusBufferSize", "xsw.st.buf_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_st_data_len, { "Status bytes", "xsw.st.data_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_st_data, { "Status buffer", "xsw.st.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_pnp_event, { "NetEvent", "xsw.pnp.event", FT_UINT32, BASE_DEC, VALS(xsw_pnp_event_vals), 0, NULL, HFILL } },
        { &hf_xsw_pnp_data_len, { "Event bytes", "xsw.pnp.data_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_pnp_data, { "Event buffer", "xsw.pnp.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_hc_handler, { "Handler", "xsw.hc.handler", FT_UINT16, BASE_DEC, VALS(xsw_handler_vals), 0, NULL, HFILL } },
        { &hf_xsw_hc_irql, { "IRQL", "xsw.hc.irql", FT_UINT8, BASE_DEC, VALS(xsw_irql_vals), 0, "Emulated IRQL of the caller", HFILL } },
        { &hf_xsw_hc_rsvd, { "Reserved", "xsw.hc.reserved", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_hc_flags, { "Flags argument", "xsw.hc.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_hc_count, { "Count argument", "xsw.hc.count", FT_UINT32, BASE_DEC, NULL, 0, "NumberOfNetBufferLists / NumberOfNewDestinations", HFILL } },
        { &hf_xsw_hc_refcount, { "Reference count", "xsw.hc.refcount", FT_UINT32, BASE_DEC, NULL, 0, "After the call", HFILL } },
        { &hf_xsw_hc_nbl, { "NBL id", "xsw.hc.nbl", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_hc_num_dest, { "Destinations", "xsw.hc.num_dest", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_hc_text_len, { "Text length", "xsw.hc.text_len", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_hc_rsvd2, { "Reserved", "xsw.hc.reserved2", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_hc_text, { "FilterReason", "xsw.hc.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_fs_event, { "Event", "xsw.fs.event", FT_UINT32, BASE_DEC, VALS(xsw_filter_event_vals), 0, NULL, HFILL } },
        { &hf_xsw_fs_text_len, { "Text length", "xsw.fs.text_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_fs_text, { "Extension", "xsw.fs.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_fi_code, { "Finding", "xsw.finding.code", FT_UINT16, BASE_DEC, VALS(xsw_finding_vals), 0, NULL, HFILL } },
        { &hf_xsw_fi_irql, { "IRQL", "xsw.finding.irql", FT_UINT8, BASE_DEC, VALS(xsw_irql_vals), 0, NULL, HFILL } },
        { &hf_xsw_fi_rsvd, { "Reserved", "xsw.finding.reserved", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_fi_value, { "Value", "xsw.finding.value", FT_UINT64, BASE_DEC, NULL, 0, "Detail value (bytes leaked, count...)", HFILL } },
        { &hf_xsw_fi_text_len, { "Text length", "xsw.finding.text_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_fi_text, { "Message", "xsw.finding.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_nc_func_len, { "Function name length", "xsw.nc.func_len", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nc_irql, { "IRQL", "xsw.nc.irql", FT_UINT8, BASE_DEC, VALS(xsw_irql_vals), 0, NULL, HFILL } },
        { &hf_xsw_nc_rsvd, { "Reserved", "xsw.nc.reserved", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nc_arg0, { "Argument 0", "xsw.nc.arg0", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nc_arg1, { "Argument 1", "xsw.nc.arg1", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nc_arg2, { "Argument 2", "xsw.nc.arg2", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_xsw_nc_func, { "Function", "xsw.nc.func", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_vb_channel, { "Channel", "xsw.vb.channel", FT_UINT32, BASE_DEC, NULL, 0, "Channel relid", HFILL } },
        { &hf_xsw_vb_dir, { "Direction", "xsw.vb.dir", FT_UINT8, BASE_DEC, VALS(vb_dir_vals), 0, NULL, HFILL } },
        { &hf_xsw_vb_rsvd, { "Reserved", "xsw.vb.reserved", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vb_pkt_len, { "Packet bytes", "xsw.vb.pkt_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vb_shared_len, { "Shared-buffer bytes", "xsw.vb.shared_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vb_shared, { "Shared-buffer data", "xsw.vb.shared", FT_BYTES, BASE_NONE, NULL, 0, "Bytes of the ranges the packet references, in range order", HFILL } },

        { &hf_xsw_vf_dir, { "Direction", "xsw.vf.dir", FT_UINT32, BASE_DEC, VALS(vf_dir_vals), 0, NULL, HFILL } },
        { &hf_xsw_vf_cap_len, { "Captured length", "xsw.vf.cap_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vf_frame, { "Frame", "xsw.vf.frame", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_xsw_vd_level, { "Level", "xsw.verdict.level", FT_UINT8, BASE_DEC, VALS(vd_level_vals), 0, NULL, HFILL } },
        { &hf_xsw_vd_outcome, { "Outcome", "xsw.verdict.outcome", FT_UINT8, BASE_DEC, VALS(vd_outcome_vals), 0, NULL, HFILL } },
        { &hf_xsw_vd_rule_len, { "Rule id length", "xsw.verdict.rule_len", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vd_judged_frame, { "Judged frame", "xsw.verdict.judged_frame", FT_FRAMENUM, BASE_NONE, NULL, 0, "Frame of the record the verdict judges", HFILL } },
        { &hf_xsw_vd_text_len, { "Message length", "xsw.verdict.text_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vd_rule, { "Rule", "xsw.verdict.rule", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_vd_text, { "Message", "xsw.verdict.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_verdict_in, { "Verdict in", "xsw.verdict_in", FT_FRAMENUM, BASE_NONE, NULL, 0, "A verdict record judging this frame", HFILL } },

        { &hf_xsw_meta_line, { "Metadata", "xsw.meta.line", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_meta_key, { "Key", "xsw.meta.key", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_xsw_meta_value, { "Value", "xsw.meta.value", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = {
        &ett_xsw, &ett_xsw_hdr, &ett_xsw_flags, &ett_xsw_body, &ett_xsw_nbl_flags, &ett_xsw_fwd, &ett_xsw_dest,
        &ett_xsw_dest_flags, &ett_xsw_data, &ett_xsw_meta_line,
    };
    static ei_register_info ei[] = {
        { &ei_xsw_bad_version, { "xsw.version.unknown", PI_PROTOCOL, PI_ERROR, "Unknown record format version", EXPFILL } },
        { &ei_xsw_unknown_kind, { "xsw.kind.unknown", PI_PROTOCOL, PI_WARN, "Unknown record kind", EXPFILL } },
        { &ei_xsw_short, { "xsw.too_short", PI_MALFORMED, PI_ERROR, "Record or body too short", EXPFILL } },
        { &ei_xsw_len_overrun, { "xsw.len_overrun", PI_MALFORMED, PI_ERROR, "Declared length overruns the record", EXPFILL } },
        { &ei_xsw_trailing, { "xsw.trailing_bytes", PI_MALFORMED, PI_WARN, "Trailing bytes", EXPFILL } },
        { &ei_xsw_reserved, { "xsw.reserved_set", PI_PROTOCOL, PI_WARN, "Reserved field or bits not zero", EXPFILL } },
        { &ei_xsw_bad_point, { "xsw.point.invalid", PI_PROTOCOL, PI_WARN, "Invalid capture point", EXPFILL } },
        { &ei_xsw_unknown_value, { "xsw.value.unknown", PI_PROTOCOL, PI_WARN, "Unknown value", EXPFILL } },
        { &ei_xsw_no_request, { "xsw.no_request", PI_SEQUENCE, PI_WARN, "Completion without a request", EXPFILL } },
        { &ei_xsw_verdict_must, { "xsw.verdict.must_violated", PI_SEQUENCE, PI_ERROR, "MUST rule violated", EXPFILL } },
        { &ei_xsw_verdict_should, { "xsw.verdict.should_violated", PI_SEQUENCE, PI_WARN, "SHOULD rule violated", EXPFILL } },
        { &ei_xsw_verdict_pass, { "xsw.verdict.passed", PI_SEQUENCE, PI_CHAT, "Rule passed", EXPFILL } },
        { &ei_xsw_judged, { "xsw.verdict.judged", PI_SEQUENCE, PI_NOTE, "Record judged by a verdict", EXPFILL } },
        { &ei_xsw_finding, { "xsw.finding", PI_SEQUENCE, PI_WARN, "Harness finding", EXPFILL } },
        { &ei_xsw_rec_truncated, { "xsw.rec_truncated", PI_MALFORMED, PI_ERROR, "Record truncated", EXPFILL } },
        { &ei_xsw_bad_status, { "xsw.status.failure", PI_RESPONSE_CODE, PI_NOTE, "Failure status", EXPFILL } },
    };

    xsw_names_init();
    proto_xsw = proto_register_protocol("xsw Hyper-V extensible switch trace", "xsw", "xsw");
    proto_register_field_array(proto_xsw, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_xsw);
    expert_register_field_array(em, ei, array_length(ei));
    xsw_switch_register(proto_xsw);

    xsw_handle = register_dissector("xsw", dissect_xsw, proto_xsw);
    xsw_tap = register_tap("xsw");
    open_links = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), link_key_hash, link_key_equal);
    verdicts_for = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
    ext_names = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}

void proto_reg_handoff_xsw(void)
{
    eth_handle = find_dissector_add_dependency("eth_withoutfcs", proto_xsw);
    vmbus_handle = find_dissector_add_dependency("vmbus", proto_xsw);
    stats_tree_register_plugin("xsw", "xsw_ports", "xsw ports", 0, xsw_stats_packet, xsw_stats_init, NULL);
}
