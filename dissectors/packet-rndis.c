/*
 * packet-rndis.c - dissector for RNDIS messages as carried by NVSP
 * SEND_RNDIS_PKT (protocol "rndis").
 *
 * A buffer holds one or more RNDIS messages back to back, each starting
 * with MessageType and MessageLength; the loop steps by MessageLength.
 * Layouts are those of ../../shared/reference/vmbus-nvsp-rndis.md §3
 * (Linux include/linux/rndis.h, hyperv_net.h): control messages (§3.2),
 * PACKET_MSG with offsets relative to byte 8 (§3.3), the per-packet-info
 * list (§3.4) with checksum, 802.1Q, LSO, hash and RSC fields, and the
 * NDIS structures of the OIDs netvsc uses (§3.5-3.6). Frames go to
 * Wireshark's "eth_withoutfcs". Requests are linked to their *_CMPLT by
 * (channel, request type, RequestId); RESET_CMPLT, which has no RequestId,
 * to the last RESET of the channel.
 */
#include "xsw-dissectors.h"

#include <string.h>

#include <epan/expert.h>
#include <epan/proto_data.h>
#include <wsutil/nstime.h>

/* A completion's type is its request's type with this bit set (§3.1). */
#define RNDIS_CMPLT 0x80000000u

#define PACKET_HDR_LEN 44
#define PPI_HDR_LEN 12

static int proto_rndis = -1;
static dissector_handle_t eth_handle;

static int hf_rndis_msg_type = -1;
static int hf_rndis_msg_len = -1;
static int hf_rndis_request_id = -1;
static int hf_rndis_status = -1;
static int hf_rndis_major = -1;
static int hf_rndis_minor = -1;
static int hf_rndis_max_xfer = -1;
static int hf_rndis_device_flags = -1;
static int hf_rndis_medium = -1;
static int hf_rndis_max_pkts = -1;
static int hf_rndis_align = -1;
static int hf_rndis_align_bytes = -1;
static int hf_rndis_af_offset = -1;
static int hf_rndis_af_size = -1;
static int hf_rndis_oid = -1;
static int hf_rndis_info_len = -1;
static int hf_rndis_info_offset = -1;
static int hf_rndis_vc_handle = -1;
static int hf_rndis_info = -1;
static int hf_rndis_reserved = -1;
static int hf_rndis_addressing_reset = -1;
static int hf_rndis_status_len = -1;
static int hf_rndis_status_offset = -1;
static int hf_rndis_status_buf = -1;
static int hf_rndis_diag_status = -1;
static int hf_rndis_error_offset = -1;
static int hf_rndis_body = -1;
static int hf_rndis_trailing = -1;
static int hf_rndis_padding = -1;
static int hf_rndis_response_in = -1;
static int hf_rndis_request_in = -1;
static int hf_rndis_time = -1;

static int hf_pkt_data_offset = -1;
static int hf_pkt_data_len = -1;
static int hf_pkt_oob_offset = -1;
static int hf_pkt_oob_len = -1;
static int hf_pkt_num_oob = -1;
static int hf_pkt_ppi_offset = -1;
static int hf_pkt_ppi_len = -1;
static int hf_pkt_oob = -1;
static int hf_pkt_data = -1;

static int hf_ppi_size = -1;
static int hf_ppi_type = -1;
static int hf_ppi_internal_type = -1;
static int hf_ppi_internal = -1;
static int hf_ppi_offset = -1;
static int hf_ppi_data = -1;
static int hf_ppi_csum_tx = -1;
static int hf_ppi_csum_is_ipv4 = -1;
static int hf_ppi_csum_is_ipv6 = -1;
static int hf_ppi_csum_tcp = -1;
static int hf_ppi_csum_udp = -1;
static int hf_ppi_csum_ip = -1;
static int hf_ppi_csum_tx_reserved = -1;
static int hf_ppi_csum_tcp_hdr_off = -1;
static int hf_ppi_csum_tx_reserved2 = -1;
static int hf_ppi_csum_rx = -1;
static int hf_ppi_csum_tcp_failed = -1;
static int hf_ppi_csum_udp_failed = -1;
static int hf_ppi_csum_ip_failed = -1;
static int hf_ppi_csum_tcp_ok = -1;
static int hf_ppi_csum_udp_ok = -1;
static int hf_ppi_csum_ip_ok = -1;
static int hf_ppi_csum_loopback = -1;
static int hf_ppi_csum_tcp_invalid = -1;
static int hf_ppi_csum_ip_invalid = -1;
static int hf_ppi_csum_rx_reserved = -1;
static int hf_ppi_csum_value = -1;
static int hf_ppi_vlan = -1;
static int hf_ppi_vlan_pri = -1;
static int hf_ppi_vlan_cfi = -1;
static int hf_ppi_vlan_id = -1;
static int hf_ppi_vlan_reserved = -1;
static int hf_ppi_lso = -1;
static int hf_ppi_lso_mss = -1;
static int hf_ppi_lso_tcp_hdr_off = -1;
static int hf_ppi_lso_type = -1;
static int hf_ppi_lso_ip_version = -1;
static int hf_ppi_hash_value = -1;
static int hf_ppi_hash_info = -1;
static int hf_ppi_hash_toeplitz = -1;
static int hf_ppi_hash_ipv4 = -1;
static int hf_ppi_hash_tcp_ipv4 = -1;
static int hf_ppi_hash_ipv6 = -1;
static int hf_ppi_hash_ipv6_ex = -1;
static int hf_ppi_hash_tcp_ipv6 = -1;
static int hf_ppi_hash_tcp_ipv6_ex = -1;
static int hf_ppi_id_ver = -1;
static int hf_ppi_id_flag = -1;
static int hf_ppi_id_suballoc = -1;
static int hf_ppi_id_first = -1;
static int hf_ppi_id_last = -1;
static int hf_ppi_id_pkt_id = -1;

static int hf_oid_u32 = -1;
static int hf_oid_link_speed = -1;
static int hf_oid_connect = -1;
static int hf_oid_filter = -1;
static int hf_oid_filter_directed = -1;
static int hf_oid_filter_multicast = -1;
static int hf_oid_filter_all_multicast = -1;
static int hf_oid_filter_broadcast = -1;
static int hf_oid_filter_source_routing = -1;
static int hf_oid_filter_promiscuous = -1;
static int hf_oid_filter_smt = -1;
static int hf_oid_filter_all_local = -1;
static int hf_oid_mac = -1;
static int hf_oid_name = -1;
static int hf_obj_type = -1;
static int hf_obj_revision = -1;
static int hf_obj_size = -1;
static int hf_off_field[18] = { -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };
static int hf_off_flags = -1;
static int hf_rss_cap_flags = -1;
static int hf_rss_num_int_msg = -1;
static int hf_rss_num_queues = -1;
static int hf_rss_num_tabent = -1;
static int hf_rss_flags = -1;
static int hf_rss_base_cpu = -1;
static int hf_rss_hashinfo = -1;
static int hf_rss_tab_size = -1;
static int hf_rss_tab_offset = -1;
static int hf_rss_key_size = -1;
static int hf_rss_key_offset = -1;
static int hf_rss_cpu_masks_offset = -1;
static int hf_rss_num_cpu_masks = -1;
static int hf_rss_cpu_mask_size = -1;
static int hf_rss_tab_entry = -1;
static int hf_rss_key = -1;
static int hf_cfg_name_offset = -1;
static int hf_cfg_name_len = -1;
static int hf_cfg_type = -1;
static int hf_cfg_value_offset = -1;
static int hf_cfg_value_len = -1;
static int hf_cfg_name = -1;
static int hf_cfg_value = -1;

static gint ett_rndis = -1;
static gint ett_rndis_msg = -1;
static gint ett_rndis_ppi = -1;
static gint ett_rndis_bits = -1;
static gint ett_rndis_info = -1;
static gint ett_rndis_obj = -1;

static expert_field ei_rndis_short = EI_INIT;
static expert_field ei_rndis_overrun = EI_INIT;
static expert_field ei_rndis_trailing = EI_INIT;
static expert_field ei_rndis_unknown_type = EI_INIT;
static expert_field ei_rndis_reserved = EI_INIT;
static expert_field ei_rndis_alignment = EI_INIT;
static expert_field ei_rndis_no_request = EI_INIT;
static expert_field ei_rndis_status = EI_INIT;

static const value_string cfg_type_vals[] = {
    { 0, "integer" },
    { 2, "string" },
    { 0, NULL }
};

static const value_string lso_type_vals[] = {
    { 0, "LSO v1" },
    { 1, "LSO v2" },
    { 0, NULL }
};

static const value_string ip_version_vals[] = {
    { 0, "IPv4" },
    { 1, "IPv6" },
    { 0, NULL }
};

/* ---- Request/completion links ---------------------------------------------- */

struct rn_key {
    guint32 channel;
    guint32 type;       /* request message type */
    guint32 request_id; /* 0 for RESET */
};

struct rn_link {
    guint32 req_frame, rsp_frame;
    guint32 oid;
    nstime_t req_ts;
};

/* Per frame: the link of each message, in message order. */
struct rn_frame {
    wmem_array_t *links; /* of struct rn_link * (NULL = no link, or no request) */
};

static wmem_map_t *rn_open;

static guint rn_key_hash(gconstpointer k)
{
    const struct rn_key *key = (const struct rn_key *)k;
    return key->request_id * 2654435761u ^ key->type ^ (key->channel << 8);
}

static gboolean rn_key_equal(gconstpointer a, gconstpointer b)
{
    const struct rn_key *x = (const struct rn_key *)a, *y = (const struct rn_key *)b;
    return x->channel == y->channel && x->type == y->type && x->request_id == y->request_id;
}

/*
 * Index of the next RNDIS message in this frame, counted over every buffer
 * of the frame (a transfer-page packet calls this dissector once per
 * range), so that each message finds its own link in every pass.
 */
static guint next_msg_index(packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_rndis, 1));
    p_add_proto_data(pinfo->pool, pinfo, proto_rndis, 1, GUINT_TO_POINTER(n + 1));
    return n;
}

/* Marker for "a completion without a request" in the per-frame list. */
static struct rn_link no_request_marker;

/*
 * Link message number "idx" of this frame. Requests open a link on the
 * first pass; completions close the matching one. Returns the link (or the
 * no-request marker, or NULL) for display in every pass.
 */
static struct rn_link *rn_link(packet_info *pinfo, guint idx, guint32 channel, guint32 type, guint32 request_id,
                               guint32 oid)
{
    struct rn_frame *fd = (struct rn_frame *)p_get_proto_data(wmem_file_scope(), pinfo, proto_rndis, 0);
    if (PINFO_FD_VISITED(pinfo)) {
        if (!fd || idx >= wmem_array_get_count(fd->links))
            return NULL;
        return *(struct rn_link **)wmem_array_index(fd->links, idx);
    }
    if (!fd) {
        fd = wmem_new0(wmem_file_scope(), struct rn_frame);
        fd->links = wmem_array_new(wmem_file_scope(), sizeof(struct rn_link *));
        p_add_proto_data(wmem_file_scope(), pinfo, proto_rndis, 0, fd);
    }
    struct rn_link *l = NULL;
    gboolean is_cmplt = (type & RNDIS_CMPLT) != 0;
    guint32 req_type = type & ~(guint32)RNDIS_CMPLT;
    struct rn_key key = { channel, req_type, req_type == XD_REMOTE_NDIS_RESET_MSG ? 0 : request_id };
    switch (req_type) {
    case XD_REMOTE_NDIS_INITIALIZE_MSG:
    case XD_REMOTE_NDIS_QUERY_MSG:
    case XD_REMOTE_NDIS_SET_MSG:
    case XD_REMOTE_NDIS_RESET_MSG:
    case XD_REMOTE_NDIS_KEEPALIVE_MSG:
    case XD_REMOTE_NDIS_SET_EX_MSG:
        if (is_cmplt) {
            l = (struct rn_link *)wmem_map_remove(rn_open, &key);
            if (l)
                l->rsp_frame = pinfo->num;
            else
                l = &no_request_marker;
        } else {
            struct rn_key *k = wmem_new(wmem_file_scope(), struct rn_key);
            *k = key;
            l = wmem_new0(wmem_file_scope(), struct rn_link);
            l->req_frame = pinfo->num;
            l->req_ts = pinfo->abs_ts;
            l->oid = oid;
            wmem_map_insert(rn_open, k, l);
        }
        break;
    default:
        break;
    }
    /* Several messages of one frame: keep the list aligned with "idx". */
    while (wmem_array_get_count(fd->links) < idx) {
        struct rn_link *none = NULL;
        wmem_array_append_one(fd->links, none);
    }
    wmem_array_append_one(fd->links, l);
    return l;
}

static void show_link(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *anchor, struct rn_link *l,
                      gboolean cmplt)
{
    if (!l)
        return;
    if (l == &no_request_marker) {
        expert_add_info(pinfo, anchor, &ei_rndis_no_request);
        return;
    }
    proto_item *it;
    if (cmplt) {
        it = proto_tree_add_uint(tree, hf_rndis_request_in, tvb, 0, 0, l->req_frame);
        proto_item_set_generated(it);
        nstime_t d;
        nstime_delta(&d, &pinfo->abs_ts, &l->req_ts);
        it = proto_tree_add_time(tree, hf_rndis_time, tvb, 0, 0, &d);
        proto_item_set_generated(it);
    } else if (l->rsp_frame) {
        it = proto_tree_add_uint(tree, hf_rndis_response_in, tvb, 0, 0, l->rsp_frame);
        proto_item_set_generated(it);
    }
}

/* ---- Helpers ------------------------------------------------------------------ */

static proto_item *add_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off)
{
    guint32 st;
    proto_item *it = proto_tree_add_item_ret_uint(tree, hf_rndis_status, tvb, off, 4, ENC_LITTLE_ENDIAN, &st);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(st, xsw_ndis_status_vals, "0x%08x"));
    if ((st & 0xC0000000u) == 0xC0000000u)
        expert_add_info_format(pinfo, it, &ei_rndis_status, "failure status %s",
                               val_to_str(st, xsw_ndis_status_vals, "0x%08x"));
    return it;
}

/* Report bytes of a message after its last decoded part. */
static void message_trailing(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint used)
{
    guint len = tvb_reported_length(tvb);
    if (len > used) {
        proto_item *it = proto_tree_add_item(tree, hf_rndis_trailing, tvb, (gint)used, (gint)(len - used), ENC_NA);
        expert_add_info_format(pinfo, it, &ei_rndis_trailing, "%u bytes after the %u bytes this message type defines",
                               len - used, used);
    }
}

/* ---- NDIS structures of the netvsc OIDs ----------------------------------------- */

static void obj_header(tvbuff_t *tvb, proto_tree *tree, int off)
{
    proto_tree *ht = proto_tree_add_subtree(tree, tvb, off, 4, ett_rndis_obj, NULL, "NDIS_OBJECT_HEADER");
    proto_tree_add_item(ht, hf_obj_type, tvb, off, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(ht, hf_obj_revision, tvb, off + 1, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(ht, hf_obj_size, tvb, off + 2, 2, ENC_LITTLE_ENDIAN);
}

/* ndis_offload_params: 22 bytes (NVSP <= 4) or 28 (vmbus-nvsp-rndis.md §3.5). */
static void offload_params(tvbuff_t *tvb, proto_tree *tree)
{
    static const int field_off[] = { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, -1, 20, 21, 22, 23, 24, 25 };
    guint len = tvb_reported_length(tvb);
    obj_header(tvb, tree, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(field_off); i++) {
        if (field_off[i] < 0) {
            if (len >= 20)
                proto_tree_add_item(tree, hf_off_flags, tvb, 16, 4, ENC_LITTLE_ENDIAN);
            continue;
        }
        if ((guint)field_off[i] < len)
            proto_tree_add_item(tree, hf_off_field[i], tvb, field_off[i], 1, ENC_LITTLE_ENDIAN);
    }
}

static void rss_caps(tvbuff_t *tvb, proto_tree *tree)
{
    obj_header(tvb, tree, 0);
    proto_tree_add_item(tree, hf_rss_cap_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_num_int_msg, tvb, 8, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_num_queues, tvb, 12, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_num_tabent, tvb, 16, 2, ENC_LITTLE_ENDIAN);
}

/* ndis_recv_scale_param (40 bytes) with its indirection table and hash key. */
static void rss_params(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    guint32 tsize, toff, ksize, koff;
    guint len = tvb_reported_length(tvb);
    obj_header(tvb, tree, 0);
    proto_tree_add_item(tree, hf_rss_flags, tvb, 4, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_base_cpu, tvb, 6, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_hashinfo, tvb, 8, 4, ENC_LITTLE_ENDIAN);
    proto_item *tsi = proto_tree_add_item_ret_uint(tree, hf_rss_tab_size, tvb, 12, 2, ENC_LITTLE_ENDIAN, &tsize);
    proto_tree_add_item_ret_uint(tree, hf_rss_tab_offset, tvb, 16, 4, ENC_LITTLE_ENDIAN, &toff);
    proto_item *ksi = proto_tree_add_item_ret_uint(tree, hf_rss_key_size, tvb, 20, 2, ENC_LITTLE_ENDIAN, &ksize);
    proto_tree_add_item_ret_uint(tree, hf_rss_key_offset, tvb, 24, 4, ENC_LITTLE_ENDIAN, &koff);
    proto_tree_add_item(tree, hf_rss_cpu_masks_offset, tvb, 28, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_num_cpu_masks, tvb, 32, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(tree, hf_rss_cpu_mask_size, tvb, 36, 4, ENC_LITTLE_ENDIAN);
    if (tsize) {
        if (toff < 40 || toff > len || tsize > len - toff) {
            expert_add_info_format(pinfo, tsi, &ei_rndis_overrun,
                                   "indirection table of %u bytes at offset %u overruns the %u-byte buffer", tsize, toff,
                                   len);
        } else {
            proto_tree *tt = proto_tree_add_subtree_format(tree, tvb, (gint)toff, (gint)tsize, ett_rndis_info, NULL,
                                                           "Indirection table (%u entries)", tsize / 4);
            for (guint i = 0; i < tsize / 4; i++)
                proto_tree_add_item(tt, hf_rss_tab_entry, tvb, (gint)(toff + 4 * i), 4, ENC_LITTLE_ENDIAN);
        }
    }
    if (ksize) {
        if (koff < 40 || koff > len || ksize > len - koff)
            expert_add_info_format(pinfo, ksi, &ei_rndis_overrun,
                                   "hash key of %u bytes at offset %u overruns the %u-byte buffer", ksize, koff, len);
        else
            proto_tree_add_item(tree, hf_rss_key, tvb, (gint)koff, (gint)ksize, ENC_NA);
    }
}

/* rndis_config_parameter_info: name and value (UTF-16), offsets from the structure. */
static void config_parameter(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    guint32 noff, nlen, type, voff, vlen;
    guint len = tvb_reported_length(tvb);
    proto_tree_add_item_ret_uint(tree, hf_cfg_name_offset, tvb, 0, 4, ENC_LITTLE_ENDIAN, &noff);
    proto_item *nli = proto_tree_add_item_ret_uint(tree, hf_cfg_name_len, tvb, 4, 4, ENC_LITTLE_ENDIAN, &nlen);
    proto_tree_add_item_ret_uint(tree, hf_cfg_type, tvb, 8, 4, ENC_LITTLE_ENDIAN, &type);
    proto_tree_add_item_ret_uint(tree, hf_cfg_value_offset, tvb, 12, 4, ENC_LITTLE_ENDIAN, &voff);
    proto_item *vli = proto_tree_add_item_ret_uint(tree, hf_cfg_value_len, tvb, 16, 4, ENC_LITTLE_ENDIAN, &vlen);
    if (noff > len || nlen > len - noff)
        expert_add_info_format(pinfo, nli, &ei_rndis_overrun, "parameter name overruns the %u-byte buffer", len);
    else if (nlen)
        proto_tree_add_item(tree, hf_cfg_name, tvb, (gint)noff, (gint)nlen, ENC_UTF_16 | ENC_LITTLE_ENDIAN);
    if (voff > len || vlen > len - voff)
        expert_add_info_format(pinfo, vli, &ei_rndis_overrun, "parameter value overruns the %u-byte buffer", len);
    else if (vlen && type == 2)
        proto_tree_add_item(tree, hf_cfg_value, tvb, (gint)voff, (gint)vlen, ENC_UTF_16 | ENC_LITTLE_ENDIAN);
    else if (vlen == 4)
        proto_tree_add_item(tree, hf_oid_u32, tvb, (gint)voff, 4, ENC_LITTLE_ENDIAN);
}

/*
 * An OID information buffer: decoded for the OIDs netvsc uses, else left as
 * bytes. Structures too short for their layout stay undecoded.
 */
static void oid_buffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint32 oid)
{
    static int *const filter_bits[] = {
        &hf_oid_filter_directed, &hf_oid_filter_multicast, &hf_oid_filter_all_multicast, &hf_oid_filter_broadcast,
        &hf_oid_filter_source_routing, &hf_oid_filter_promiscuous, &hf_oid_filter_smt, &hf_oid_filter_all_local,
        NULL
    };
    guint len = tvb_reported_length(tvb);
    switch (oid) {
    case XD_OID_GEN_MAXIMUM_FRAME_SIZE:
    case XD_OID_GEN_MAXIMUM_TOTAL_SIZE:
    case XD_OID_GEN_MAXIMUM_SEND_PACKETS:
    case XD_OID_802_3_MAXIMUM_LIST_SIZE:
        if (len >= 4)
            proto_tree_add_item(tree, hf_oid_u32, tvb, 0, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_OID_GEN_LINK_SPEED:
        if (len >= 4)
            proto_tree_add_item(tree, hf_oid_link_speed, tvb, 0, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_OID_GEN_MEDIA_CONNECT_STATUS:
        if (len >= 4)
            proto_tree_add_item(tree, hf_oid_connect, tvb, 0, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_OID_GEN_CURRENT_PACKET_FILTER:
        if (len >= 4)
            proto_tree_add_bitmask(tree, tvb, 0, hf_oid_filter, ett_rndis_bits, filter_bits, ENC_LITTLE_ENDIAN);
        break;
    case XD_OID_802_3_PERMANENT_ADDRESS:
    case XD_OID_802_3_CURRENT_ADDRESS:
    case XD_OID_802_3_MULTICAST_LIST:
        for (guint o = 0; o + 6 <= len; o += 6)
            proto_tree_add_item(tree, hf_oid_mac, tvb, (gint)o, 6, ENC_NA);
        break;
    case XD_OID_GEN_FRIENDLY_NAME:
        proto_tree_add_item(tree, hf_oid_name, tvb, 0, (gint)(len & ~1u), ENC_UTF_16 | ENC_LITTLE_ENDIAN);
        break;
    case XD_OID_TCP_OFFLOAD_PARAMETERS:
        if (len >= 22)
            offload_params(tvb, tree);
        break;
    case XD_OID_GEN_RECEIVE_SCALE_CAPABILITIES:
        if (len >= 18)
            rss_caps(tvb, tree);
        break;
    case XD_OID_GEN_RECEIVE_SCALE_PARAMETERS:
        if (len >= 40)
            rss_params(tvb, pinfo, tree);
        break;
    case XD_OID_GEN_RNDIS_CONFIG_PARAMETER:
        if (len >= 20)
            config_parameter(tvb, pinfo, tree);
        break;
    default:
        break;
    }
}

/*
 * The buffer of a QUERY/SET/QUERY_CMPLT/INDICATE_STATUS: "blen" bytes at
 * byte 8 + "boff" of the message, which must lie after the fixed part
 * ("fixed") and inside the message. Returns the end of the buffer.
 */
static guint message_buffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *len_item, guint32 boff,
                            guint32 blen, guint fixed, int hf, guint32 oid, gboolean decode_oid, guint32 status)
{
    guint len = tvb_reported_length(tvb);
    if (blen == 0)
        return fixed;
    guint64 start = 8 + (guint64)boff;
    if (start < fixed || start > len || blen > len - start) {
        expert_add_info_format(pinfo, len_item, &ei_rndis_overrun,
                               "buffer of %u bytes at offset 8 + %u does not lie inside the %u-byte message after its "
                               "%u-byte header",
                               blen, boff, len, fixed);
        return len;
    }
    proto_item *bi = proto_tree_add_item(tree, hf, tvb, (gint)start, (gint)blen, ENC_NA);
    proto_tree *bt = proto_item_add_subtree(bi, ett_rndis_info);
    tvbuff_t *btvb = tvb_new_subset_length(tvb, (gint)start, (gint)blen);
    if (decode_oid) {
        oid_buffer(btvb, pinfo, bt, oid);
    } else if (status == (guint32)XD_NDIS_STATUS_LINK_SPEED_CHANGE && blen >= 4) {
        proto_tree_add_item(bt, hf_oid_link_speed, btvb, 0, 4, ENC_LITTLE_ENDIAN);
    } else if ((status & 0xC0000000u) == 0xC0000000u && blen >= 8) {
        /* RNDIS_DIAGNOSTIC_INFO of an error indication. */
        proto_tree_add_item(bt, hf_rndis_diag_status, btvb, 0, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(bt, hf_rndis_error_offset, btvb, 4, 4, ENC_LITTLE_ENDIAN);
    }
    return (guint)(start + blen);
}

/* ---- PACKET_MSG --------------------------------------------------------------- */

static void ppi_element(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint8 dir, guint32 type,
                        gboolean internal, int doff, guint dlen)
{
    static int *const csum_tx[] = {
        &hf_ppi_csum_is_ipv4, &hf_ppi_csum_is_ipv6, &hf_ppi_csum_tcp, &hf_ppi_csum_udp, &hf_ppi_csum_ip,
        &hf_ppi_csum_tx_reserved, &hf_ppi_csum_tcp_hdr_off, &hf_ppi_csum_tx_reserved2, NULL
    };
    static int *const csum_rx[] = {
        &hf_ppi_csum_tcp_failed, &hf_ppi_csum_udp_failed, &hf_ppi_csum_ip_failed, &hf_ppi_csum_tcp_ok,
        &hf_ppi_csum_udp_ok, &hf_ppi_csum_ip_ok, &hf_ppi_csum_loopback, &hf_ppi_csum_tcp_invalid,
        &hf_ppi_csum_ip_invalid, &hf_ppi_csum_rx_reserved, NULL
    };
    static int *const vlan_bits[] = { &hf_ppi_vlan_pri, &hf_ppi_vlan_cfi, &hf_ppi_vlan_id, &hf_ppi_vlan_reserved, NULL };
    static int *const lso_bits[] = { &hf_ppi_lso_mss, &hf_ppi_lso_tcp_hdr_off, &hf_ppi_lso_type, &hf_ppi_lso_ip_version,
                                     NULL };
    static int *const hash_bits[] = { &hf_ppi_hash_toeplitz, &hf_ppi_hash_ipv4, &hf_ppi_hash_tcp_ipv4, &hf_ppi_hash_ipv6,
                                      &hf_ppi_hash_ipv6_ex, &hf_ppi_hash_tcp_ipv6, &hf_ppi_hash_tcp_ipv6_ex, NULL };
    static int *const id_flags[] = { &hf_ppi_id_suballoc, &hf_ppi_id_first, &hf_ppi_id_last, NULL };

    if (internal) {
        if (type == 1 && dlen >= 4) { /* RNDIS_PKTINFO_ID */
            proto_tree_add_item(tree, hf_ppi_id_ver, tvb, doff, 1, ENC_LITTLE_ENDIAN);
            proto_tree_add_bitmask(tree, tvb, doff + 1, hf_ppi_id_flag, ett_rndis_bits, id_flags, ENC_LITTLE_ENDIAN);
            proto_tree_add_item(tree, hf_ppi_id_pkt_id, tvb, doff + 2, 2, ENC_LITTLE_ENDIAN);
        }
        return;
    }
    if (dlen < 4)
        return;
    switch (type) {
    case 0: /* TCPIP_CHKSUM_PKTINFO: the layout differs between send and receive. */
        if (dir == XSW_DIR_GUEST_TO_HOST)
            proto_tree_add_bitmask(tree, tvb, doff, hf_ppi_csum_tx, ett_rndis_bits, csum_tx, ENC_LITTLE_ENDIAN);
        else if (dir == XSW_DIR_HOST_TO_GUEST)
            proto_tree_add_bitmask(tree, tvb, doff, hf_ppi_csum_rx, ett_rndis_bits, csum_rx, ENC_LITTLE_ENDIAN);
        else
            proto_tree_add_item(tree, hf_ppi_csum_value, tvb, doff, 4, ENC_LITTLE_ENDIAN);
        break;
    case 2: /* TCP_LARGESEND_PKTINFO */
        proto_tree_add_bitmask(tree, tvb, doff, hf_ppi_lso, ett_rndis_bits, lso_bits, ENC_LITTLE_ENDIAN);
        break;
    case 6: { /* IEEE_8021Q_INFO */
        guint32 v = tvb_get_letohl(tvb, doff);
        proto_item *vi = proto_tree_add_bitmask(tree, tvb, doff, hf_ppi_vlan, ett_rndis_bits, vlan_bits,
                                                ENC_LITTLE_ENDIAN);
        if (v & 0xFFFF0000u)
            expert_add_info_format(pinfo, vi, &ei_rndis_reserved, "reserved 802.1Q bits set: 0x%08x", v & 0xFFFF0000u);
        col_append_fstr(pinfo->cinfo, COL_INFO, " vlan=%u", (v >> 4) & 0xFFF);
        break;
    }
    case 8: /* NBL_HASH_VALUE */
        proto_tree_add_item(tree, hf_ppi_hash_value, tvb, doff, 4, ENC_LITTLE_ENDIAN);
        break;
    case 9: /* NBL_HASH_INFO */
        proto_tree_add_bitmask(tree, tvb, doff, hf_ppi_hash_info, ett_rndis_bits, hash_bits, ENC_LITTLE_ENDIAN);
        break;
    default:
        break;
    }
}

/* The per-packet-info list: elements of "size" bytes, data at their ppi_offset. */
static void ppi_list(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, guint len, guint8 dir)
{
    int end = off + (int)len;
    guint i = 0;
    while (off < end) {
        guint left = (guint)(end - off);
        if (left < PPI_HDR_LEN) {
            proto_tree_add_expert_format(tree, pinfo, &ei_rndis_overrun, tvb, off, (gint)left,
                                         "%u bytes left in the PPI list, too few for a 12-byte element", left);
            return;
        }
        guint32 size = tvb_get_letohl(tvb, off), type = tvb_get_letohl(tvb, off + 4), poff = tvb_get_letohl(tvb, off + 8);
        gboolean internal = (type & 0x80000000u) != 0;
        guint32 t31 = type & 0x7FFFFFFFu;
        const char *tname = internal ? val_to_str(t31, xsw_ppi_internal_type_vals, "internal type %u")
                                     : val_to_str(t31, xsw_ppi_type_vals, "type %u");
        guint shown = MIN(MAX(size, PPI_HDR_LEN), left);
        proto_tree *pt = proto_tree_add_subtree_format(tree, tvb, off, (gint)shown, ett_rndis_ppi, NULL,
                                                       "Per-packet info %u: %s", i, tname);
        proto_item *si = proto_tree_add_item(pt, hf_ppi_size, tvb, off, 4, ENC_LITTLE_ENDIAN);
        proto_item *ti = proto_tree_add_item(pt, internal ? hf_ppi_internal_type : hf_ppi_type, tvb, off + 4, 4,
                                             ENC_LITTLE_ENDIAN);
        proto_tree_add_item(pt, hf_ppi_internal, tvb, off + 4, 4, ENC_LITTLE_ENDIAN);
        proto_item *oi = proto_tree_add_item(pt, hf_ppi_offset, tvb, off + 8, 4, ENC_LITTLE_ENDIAN);
        if (!try_val_to_str(t31, internal ? xsw_ppi_internal_type_vals : xsw_ppi_type_vals))
            expert_add_info_format(pinfo, ti, &ei_rndis_unknown_type, "PPI %s is not in ppi_types.def", tname);
        if (size < PPI_HDR_LEN || size > left) {
            expert_add_info_format(pinfo, si, &ei_rndis_overrun,
                                   "PPI size %u is below the 12-byte header or overruns the %u bytes left", size, left);
            return;
        }
        if (size % 4)
            expert_add_info_format(pinfo, si, &ei_rndis_alignment, "PPI size %u is not a multiple of 4", size);
        if (poff < PPI_HDR_LEN || poff > size) {
            expert_add_info_format(pinfo, oi, &ei_rndis_overrun, "PPI data offset %u lies outside the %u-byte element",
                                   poff, size);
        } else if (poff < size) {
            proto_tree_add_item(pt, hf_ppi_data, tvb, off + (int)poff, (gint)(size - poff), ENC_NA);
            ppi_element(tvb, pinfo, pt, dir, t31, internal, off + (int)poff, size - poff);
        }
        off += (int)size;
        i++;
    }
}

/*
 * A region of a PACKET_MSG: "len" bytes at 8 + "rel", inside the message
 * and after the 44-byte header. Returns FALSE (after expert info) if not.
 */
static gboolean packet_region(tvbuff_t *tvb, packet_info *pinfo, proto_item *item, guint32 rel, guint32 len,
                              const char *what)
{
    guint mlen = tvb_reported_length(tvb);
    guint64 start = 8 + (guint64)rel;
    if (rel % 4)
        expert_add_info_format(pinfo, item, &ei_rndis_alignment, "%s offset %u is not a multiple of 4", what, rel);
    if (start < PACKET_HDR_LEN || start > mlen || len > mlen - start) {
        expert_add_info_format(pinfo, item, &ei_rndis_overrun,
                               "%s of %u bytes at 8 + %u does not lie inside the %u-byte message after its header", what,
                               len, rel, mlen);
        return FALSE;
    }
    return TRUE;
}

static void packet_msg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_tree *top, guint8 dir)
{
    guint32 doff, dlen, ooff, olen, noob, poff, plen, vc, rsvd;
    proto_item *doi = proto_tree_add_item_ret_uint(tree, hf_pkt_data_offset, tvb, 8, 4, ENC_LITTLE_ENDIAN, &doff);
    proto_tree_add_item_ret_uint(tree, hf_pkt_data_len, tvb, 12, 4, ENC_LITTLE_ENDIAN, &dlen);
    proto_item *ooi = proto_tree_add_item_ret_uint(tree, hf_pkt_oob_offset, tvb, 16, 4, ENC_LITTLE_ENDIAN, &ooff);
    proto_tree_add_item_ret_uint(tree, hf_pkt_oob_len, tvb, 20, 4, ENC_LITTLE_ENDIAN, &olen);
    proto_tree_add_item_ret_uint(tree, hf_pkt_num_oob, tvb, 24, 4, ENC_LITTLE_ENDIAN, &noob);
    proto_item *poi = proto_tree_add_item_ret_uint(tree, hf_pkt_ppi_offset, tvb, 28, 4, ENC_LITTLE_ENDIAN, &poff);
    proto_tree_add_item_ret_uint(tree, hf_pkt_ppi_len, tvb, 32, 4, ENC_LITTLE_ENDIAN, &plen);
    proto_item *vi = proto_tree_add_item_ret_uint(tree, hf_rndis_vc_handle, tvb, 36, 4, ENC_LITTLE_ENDIAN, &vc);
    proto_item *ri = proto_tree_add_item_ret_uint(tree, hf_rndis_reserved, tvb, 40, 4, ENC_LITTLE_ENDIAN, &rsvd);
    if (vc)
        expert_add_info_format(pinfo, vi, &ei_rndis_reserved, "VcHandle %u, netvsc uses 0", vc);
    if (rsvd)
        expert_add_info(pinfo, ri, &ei_rndis_reserved);

    guint end = PACKET_HDR_LEN;
    if (olen && packet_region(tvb, pinfo, ooi, ooff, olen, "OOB data")) {
        proto_tree_add_item(tree, hf_pkt_oob, tvb, 8 + (gint)ooff, (gint)olen, ENC_NA);
        end = MAX(end, 8 + ooff + olen);
    }
    if (plen && packet_region(tvb, pinfo, poi, poff, plen, "PPI list")) {
        ppi_list(tvb, pinfo, tree, 8 + (int)poff, plen, dir);
        end = MAX(end, 8 + poff + plen);
    }
    gboolean frame = dlen && packet_region(tvb, pinfo, doi, doff, dlen, "frame");
    if (frame) {
        proto_tree_add_item(tree, hf_pkt_data, tvb, 8 + (gint)doff, (gint)dlen, ENC_NA);
        end = MAX(end, 8 + doff + dlen);
    }
    /* Multi-packet messages pad each packet to the alignment; that is not an error. */
    guint mlen = tvb_reported_length(tvb);
    if (end < mlen)
        proto_tree_add_item(tree, hf_rndis_padding, tvb, (gint)end, (gint)(mlen - end), ENC_NA);
    if (frame) {
        col_append_str(pinfo->cinfo, COL_INFO, " | ");
        col_set_fence(pinfo->cinfo, COL_INFO);
        call_dissector(eth_handle, tvb_new_subset_length(tvb, 8 + (gint)doff, (gint)dlen), pinfo, top);
    }
}

/* ---- One message ---------------------------------------------------------------- */

/* Fixed size of each message type (without its buffer), 0 if opaque. */
static guint fixed_size(guint32 type)
{
    switch (type) {
    case XD_REMOTE_NDIS_PACKET_MSG: return PACKET_HDR_LEN;
    case XD_REMOTE_NDIS_INITIALIZE_MSG: return 24;
    case XD_REMOTE_NDIS_INITIALIZE_CMPLT: return 52;
    case XD_REMOTE_NDIS_HALT_MSG: return 12;
    case XD_REMOTE_NDIS_QUERY_MSG: return 28;
    case XD_REMOTE_NDIS_SET_MSG: return 28;
    case XD_REMOTE_NDIS_QUERY_CMPLT: return 24;
    case XD_REMOTE_NDIS_SET_CMPLT: return 16;
    case XD_REMOTE_NDIS_RESET_MSG: return 12;
    case XD_REMOTE_NDIS_RESET_CMPLT: return 16;
    case XD_REMOTE_NDIS_INDICATE_STATUS_MSG: return 20;
    case XD_REMOTE_NDIS_KEEPALIVE_MSG: return 12;
    case XD_REMOTE_NDIS_KEEPALIVE_CMPLT: return 16;
    default: return 8;
    }
}

static void dissect_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_tree *top,
                            const struct xsw_rndis_info *ri)
{
    guint idx = next_msg_index(pinfo);
    guint32 type = tvb_get_letohl(tvb, 0);
    guint len = tvb_reported_length(tvb);
    const char *tname = val_to_str(type, xsw_rndis_msg_vals, "RNDIS type 0x%08x");
    proto_tree *mt = proto_tree_add_subtree_format(tree, tvb, 0, (gint)len, ett_rndis_msg, NULL, "%s (%u bytes)", tname,
                                                   len);
    proto_item *ti = proto_tree_add_item(mt, hf_rndis_msg_type, tvb, 0, 4, ENC_LITTLE_ENDIAN);
    proto_item *li = proto_tree_add_item(mt, hf_rndis_msg_len, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", tname + (strncmp(tname, "REMOTE_NDIS_", 12) ? 0 : 12));
    if (!try_val_to_str(type, xsw_rndis_msg_vals)) {
        expert_add_info_format(pinfo, ti, &ei_rndis_unknown_type, "RNDIS message type 0x%08x is not in rndis_msg.def",
                               type);
        if (len > 8)
            proto_tree_add_item(mt, hf_rndis_body, tvb, 8, (gint)(len - 8), ENC_NA);
        return;
    }
    guint need = fixed_size(type);
    if (len < need) {
        expert_add_info_format(pinfo, li, &ei_rndis_short, "%s needs %u bytes, MessageLength gives %u", tname, need, len);
        if (len > 8)
            proto_tree_add_item(mt, hf_rndis_body, tvb, 8, (gint)(len - 8), ENC_NA);
        return;
    }
    guint32 channel = ri ? ri->channel : 0;
    guint8 dir = ri ? ri->dir : XSW_DIR_UNKNOWN;
    guint32 rid = 0, oid = 0, blen, boff, status;
    struct rn_link *l;
    proto_item *bli;
    guint used = need;

    switch (type) {
    case XD_REMOTE_NDIS_PACKET_MSG:
        packet_msg(tvb, pinfo, mt, top, dir);
        used = len;
        break;
    case XD_REMOTE_NDIS_INITIALIZE_MSG:
        proto_tree_add_item_ret_uint(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rid);
        proto_tree_add_item(mt, hf_rndis_major, tvb, 12, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_minor, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_max_xfer, tvb, 20, 4, ENC_LITTLE_ENDIAN);
        l = rn_link(pinfo, idx, channel, type, rid, 0);
        show_link(tvb, pinfo, mt, ti, l, FALSE);
        break;
    case XD_REMOTE_NDIS_INITIALIZE_CMPLT: {
        guint32 af;
        proto_tree_add_item_ret_uint(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rid);
        add_status(tvb, pinfo, mt, 12);
        proto_tree_add_item(mt, hf_rndis_major, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_minor, tvb, 20, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_device_flags, tvb, 24, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_medium, tvb, 28, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_max_pkts, tvb, 32, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_max_xfer, tvb, 36, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item_ret_uint(mt, hf_rndis_align, tvb, 40, 4, ENC_LITTLE_ENDIAN, &af);
        if (af < 32) {
            proto_item *it = proto_tree_add_uint(mt, hf_rndis_align_bytes, tvb, 40, 4, 1u << af);
            proto_item_set_generated(it);
        }
        proto_tree_add_item(mt, hf_rndis_af_offset, tvb, 44, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(mt, hf_rndis_af_size, tvb, 48, 4, ENC_LITTLE_ENDIAN);
        l = rn_link(pinfo, idx, channel, type, rid, 0);
        show_link(tvb, pinfo, mt, ti, l, TRUE);
        break;
    }
    case XD_REMOTE_NDIS_HALT_MSG:
        proto_tree_add_item(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        break;
    case XD_REMOTE_NDIS_QUERY_MSG:
    case XD_REMOTE_NDIS_SET_MSG:
        proto_tree_add_item_ret_uint(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rid);
        proto_tree_add_item_ret_uint(mt, hf_rndis_oid, tvb, 12, 4, ENC_LITTLE_ENDIAN, &oid);
        bli = proto_tree_add_item_ret_uint(mt, hf_rndis_info_len, tvb, 16, 4, ENC_LITTLE_ENDIAN, &blen);
        proto_tree_add_item_ret_uint(mt, hf_rndis_info_offset, tvb, 20, 4, ENC_LITTLE_ENDIAN, &boff);
        proto_tree_add_item(mt, hf_rndis_vc_handle, tvb, 24, 4, ENC_LITTLE_ENDIAN);
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(oid, xsw_oid_vals, "OID 0x%08x"));
        used = message_buffer(tvb, pinfo, mt, bli, boff, blen, need, hf_rndis_info, oid, TRUE, 0);
        l = rn_link(pinfo, idx, channel, type, rid, oid);
        show_link(tvb, pinfo, mt, ti, l, FALSE);
        break;
    case XD_REMOTE_NDIS_QUERY_CMPLT:
        proto_tree_add_item_ret_uint(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rid);
        add_status(tvb, pinfo, mt, 12);
        bli = proto_tree_add_item_ret_uint(mt, hf_rndis_info_len, tvb, 16, 4, ENC_LITTLE_ENDIAN, &blen);
        proto_tree_add_item_ret_uint(mt, hf_rndis_info_offset, tvb, 20, 4, ENC_LITTLE_ENDIAN, &boff);
        l = rn_link(pinfo, idx, channel, type, rid, 0);
        show_link(tvb, pinfo, mt, ti, l, TRUE);
        oid = l && l != &no_request_marker ? l->oid : 0;
        if (oid) {
            proto_item *it = proto_tree_add_uint(mt, hf_rndis_oid, tvb, 0, 0, oid);
            proto_item_set_generated(it);
            col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(oid, xsw_oid_vals, "OID 0x%08x"));
        }
        used = message_buffer(tvb, pinfo, mt, bli, boff, blen, need, hf_rndis_info, oid, oid != 0, 0);
        break;
    case XD_REMOTE_NDIS_SET_CMPLT:
    case XD_REMOTE_NDIS_KEEPALIVE_CMPLT:
        proto_tree_add_item_ret_uint(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rid);
        add_status(tvb, pinfo, mt, 12);
        l = rn_link(pinfo, idx, channel, type, rid, 0);
        show_link(tvb, pinfo, mt, ti, l, TRUE);
        if (type == (guint32)XD_REMOTE_NDIS_SET_CMPLT && l && l != &no_request_marker && l->oid) {
            proto_item *it = proto_tree_add_uint(mt, hf_rndis_oid, tvb, 0, 0, l->oid);
            proto_item_set_generated(it);
        }
        break;
    case XD_REMOTE_NDIS_RESET_MSG: {
        guint32 rsvd;
        proto_item *rsi = proto_tree_add_item_ret_uint(mt, hf_rndis_reserved, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rsvd);
        if (rsvd)
            expert_add_info(pinfo, rsi, &ei_rndis_reserved);
        l = rn_link(pinfo, idx, channel, type, 0, 0);
        show_link(tvb, pinfo, mt, ti, l, FALSE);
        break;
    }
    case XD_REMOTE_NDIS_RESET_CMPLT:
        add_status(tvb, pinfo, mt, 8);
        proto_tree_add_item(mt, hf_rndis_addressing_reset, tvb, 12, 4, ENC_LITTLE_ENDIAN);
        l = rn_link(pinfo, idx, channel, type, 0, 0);
        show_link(tvb, pinfo, mt, ti, l, TRUE);
        break;
    case XD_REMOTE_NDIS_INDICATE_STATUS_MSG:
        proto_tree_add_item_ret_uint(mt, hf_rndis_status, tvb, 8, 4, ENC_LITTLE_ENDIAN, &status);
        col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(status, xsw_ndis_status_vals, "0x%08x"));
        bli = proto_tree_add_item_ret_uint(mt, hf_rndis_status_len, tvb, 12, 4, ENC_LITTLE_ENDIAN, &blen);
        proto_tree_add_item_ret_uint(mt, hf_rndis_status_offset, tvb, 16, 4, ENC_LITTLE_ENDIAN, &boff);
        used = message_buffer(tvb, pinfo, mt, bli, boff, blen, need, hf_rndis_status_buf, 0, FALSE, status);
        break;
    case XD_REMOTE_NDIS_KEEPALIVE_MSG:
        proto_tree_add_item_ret_uint(mt, hf_rndis_request_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &rid);
        l = rn_link(pinfo, idx, channel, type, rid, 0);
        show_link(tvb, pinfo, mt, ti, l, FALSE);
        break;
    default:
        /* SET_EX, bus and CoNDIS messages: no layout in the reference. */
        if (len > 8)
            proto_tree_add_item(mt, hf_rndis_body, tvb, 8, (gint)(len - 8), ENC_NA);
        used = len;
        break;
    }
    message_trailing(tvb, pinfo, mt, used);
}

static int dissect_rndis(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const struct xsw_rndis_info *ri = (const struct xsw_rndis_info *)data;
    guint len = tvb_reported_length(tvb);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "RNDIS");
    proto_item *ti = proto_tree_add_item(tree, proto_rndis, tvb, 0, -1, ENC_NA);
    proto_tree *rt = proto_item_add_subtree(ti, ett_rndis);
    if (len == 0) {
        expert_add_info_format(pinfo, ti, &ei_rndis_short, "empty RNDIS buffer");
        return 0;
    }
    guint off = 0, idx = 0;
    while (off < len) {
        guint left = len - off;
        if (left < 8) {
            proto_tree_add_expert_format(rt, pinfo, &ei_rndis_short, tvb, (gint)off, (gint)left,
                                         "%u bytes left, too few for an 8-byte RNDIS message header", left);
            break;
        }
        guint32 mlen = tvb_get_letohl(tvb, (gint)off + 4);
        guint take = mlen;
        if (mlen < 8) {
            proto_tree_add_expert_format(rt, pinfo, &ei_rndis_short, tvb, (gint)off + 4, 4,
                                         "MessageLength %u is below the 8-byte header; the rest of the buffer is not "
                                         "decoded",
                                         mlen);
            proto_tree_add_item(rt, hf_rndis_body, tvb, (gint)off, (gint)left, ENC_NA);
            break;
        }
        if (mlen > left) {
            proto_tree_add_expert_format(rt, pinfo, &ei_rndis_overrun, tvb, (gint)off + 4, 4,
                                         "MessageLength %u overruns the %u bytes left in the buffer", mlen, left);
            take = left;
        }
        dissect_message(tvb_new_subset_length(tvb, (gint)off, (gint)take), pinfo, rt, tree, ri);
        off += take;
        idx++;
    }
    proto_item_append_text(ti, ", %u message%s", idx, idx == 1 ? "" : "s");
    return (int)len;
}

void proto_register_rndis(void)
{
    static hf_register_info hf[] = {
        { &hf_rndis_msg_type, { "MessageType", "rndis.msg_type", FT_UINT32, BASE_HEX, VALS(xsw_rndis_msg_vals), 0, NULL, HFILL } },
        { &hf_rndis_msg_len, { "MessageLength", "rndis.msg_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_request_id, { "RequestId", "rndis.request_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_status, { "Status", "rndis.status", FT_UINT32, BASE_HEX, VALS(xsw_ndis_status_vals), 0, NULL, HFILL } },
        { &hf_rndis_major, { "MajorVersion", "rndis.major_version", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_minor, { "MinorVersion", "rndis.minor_version", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_max_xfer, { "MaxTransferSize", "rndis.max_transfer_size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_device_flags, { "DeviceFlags", "rndis.device_flags", FT_UINT32, BASE_HEX, NULL, 0, "1 = RNDIS_DF_CONNECTIONLESS", HFILL } },
        { &hf_rndis_medium, { "Medium", "rndis.medium", FT_UINT32, BASE_DEC, VALS(xsw_rndis_medium_vals), 0, NULL, HFILL } },
        { &hf_rndis_max_pkts, { "MaxPacketsPerMessage", "rndis.max_packets_per_message", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_align, { "PacketAlignmentFactor", "rndis.packet_alignment_factor", FT_UINT32, BASE_DEC, NULL, 0, "log2 of the alignment", HFILL } },
        { &hf_rndis_align_bytes, { "Packet alignment", "rndis.packet_alignment", FT_UINT32, BASE_DEC, NULL, 0, "1 << PacketAlignmentFactor bytes", HFILL } },
        { &hf_rndis_af_offset, { "AFListOffset", "rndis.af_list_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_af_size, { "AFListSize", "rndis.af_list_size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_oid, { "Oid", "rndis.oid", FT_UINT32, BASE_HEX, VALS(xsw_oid_vals), 0, NULL, HFILL } },
        { &hf_rndis_info_len, { "InformationBufferLength", "rndis.info_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_info_offset, { "InformationBufferOffset", "rndis.info_offset", FT_UINT32, BASE_DEC, NULL, 0, "Relative to byte 8", HFILL } },
        { &hf_rndis_vc_handle, { "DeviceVcHandle", "rndis.vc_handle", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_info, { "Information buffer", "rndis.info", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_rndis_reserved, { "Reserved", "rndis.reserved", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_rndis_addressing_reset, { "AddressingReset", "rndis.addressing_reset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_status_len, { "StatusBufferLength", "rndis.status_buf_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_status_offset, { "StatusBufferOffset", "rndis.status_buf_offset", FT_UINT32, BASE_DEC, NULL, 0, "Relative to byte 8", HFILL } },
        { &hf_rndis_status_buf, { "Status buffer", "rndis.status_buf", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_rndis_diag_status, { "DiagStatus", "rndis.diag_status", FT_UINT32, BASE_HEX, VALS(xsw_ndis_status_vals), 0, NULL, HFILL } },
        { &hf_rndis_error_offset, { "ErrorOffset", "rndis.error_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rndis_body, { "Body", "rndis.body", FT_BYTES, BASE_NONE, NULL, 0, "Body of a message the reference gives no layout for", HFILL } },
        { &hf_rndis_trailing, { "Trailing bytes", "rndis.trailing", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_rndis_padding, { "Padding", "rndis.padding", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_rndis_response_in, { "Completion in", "rndis.response_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, NULL, HFILL } },
        { &hf_rndis_request_in, { "Request in", "rndis.request_in", FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, NULL, HFILL } },
        { &hf_rndis_time, { "Response time", "rndis.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_pkt_data_offset, { "DataOffset", "rndis.pkt.data_offset", FT_UINT32, BASE_DEC, NULL, 0, "Relative to byte 8", HFILL } },
        { &hf_pkt_data_len, { "DataLength", "rndis.pkt.data_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_pkt_oob_offset, { "OOBDataOffset", "rndis.pkt.oob_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_pkt_oob_len, { "OOBDataLength", "rndis.pkt.oob_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_pkt_num_oob, { "NumOOBDataElements", "rndis.pkt.num_oob", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_pkt_ppi_offset, { "PerPacketInfoOffset", "rndis.pkt.ppi_offset", FT_UINT32, BASE_DEC, NULL, 0, "Relative to byte 8", HFILL } },
        { &hf_pkt_ppi_len, { "PerPacketInfoLength", "rndis.pkt.ppi_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_pkt_oob, { "OOB data", "rndis.pkt.oob", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_pkt_data, { "Frame", "rndis.pkt.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_ppi_size, { "Size", "rndis.ppi.size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ppi_type, { "Type", "rndis.ppi.type", FT_UINT32, BASE_DEC, VALS(xsw_ppi_type_vals), 0x7FFFFFFF, NULL, HFILL } },
        { &hf_ppi_internal_type, { "Internal type", "rndis.ppi.internal_type", FT_UINT32, BASE_DEC, VALS(xsw_ppi_internal_type_vals), 0x7FFFFFFF, NULL, HFILL } },
        { &hf_ppi_internal, { "Internal", "rndis.ppi.internal", FT_BOOLEAN, 32, NULL, 0x80000000, NULL, HFILL } },
        { &hf_ppi_offset, { "Data offset", "rndis.ppi.offset", FT_UINT32, BASE_DEC, NULL, 0, "From the start of the element", HFILL } },
        { &hf_ppi_data, { "Data", "rndis.ppi.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_ppi_csum_tx, { "Checksum (send)", "rndis.ppi.csum_tx", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_csum_is_ipv4, { "is_ipv4", "rndis.ppi.csum.is_ipv4", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_ppi_csum_is_ipv6, { "is_ipv6", "rndis.ppi.csum.is_ipv6", FT_BOOLEAN, 32, NULL, 0x2, NULL, HFILL } },
        { &hf_ppi_csum_tcp, { "tcp_checksum", "rndis.ppi.csum.tcp_checksum", FT_BOOLEAN, 32, NULL, 0x4, NULL, HFILL } },
        { &hf_ppi_csum_udp, { "udp_checksum", "rndis.ppi.csum.udp_checksum", FT_BOOLEAN, 32, NULL, 0x8, NULL, HFILL } },
        { &hf_ppi_csum_ip, { "ip_header_checksum", "rndis.ppi.csum.ip_header_checksum", FT_BOOLEAN, 32, NULL, 0x10, NULL, HFILL } },
        { &hf_ppi_csum_tx_reserved, { "reserved", "rndis.ppi.csum.tx_reserved", FT_UINT32, BASE_HEX, NULL, 0x0000FFE0, NULL, HFILL } },
        { &hf_ppi_csum_tcp_hdr_off, { "tcp_header_offset", "rndis.ppi.csum.tcp_header_offset", FT_UINT32, BASE_DEC, NULL, 0x03FF0000, NULL, HFILL } },
        { &hf_ppi_csum_tx_reserved2, { "reserved", "rndis.ppi.csum.tx_reserved2", FT_UINT32, BASE_HEX, NULL, 0xFC000000, NULL, HFILL } },
        { &hf_ppi_csum_rx, { "Checksum (receive)", "rndis.ppi.csum_rx", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_csum_tcp_failed, { "tcp_checksum_failed", "rndis.ppi.csum.tcp_failed", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_ppi_csum_udp_failed, { "udp_checksum_failed", "rndis.ppi.csum.udp_failed", FT_BOOLEAN, 32, NULL, 0x2, NULL, HFILL } },
        { &hf_ppi_csum_ip_failed, { "ip_checksum_failed", "rndis.ppi.csum.ip_failed", FT_BOOLEAN, 32, NULL, 0x4, NULL, HFILL } },
        { &hf_ppi_csum_tcp_ok, { "tcp_checksum_succeeded", "rndis.ppi.csum.tcp_succeeded", FT_BOOLEAN, 32, NULL, 0x8, NULL, HFILL } },
        { &hf_ppi_csum_udp_ok, { "udp_checksum_succeeded", "rndis.ppi.csum.udp_succeeded", FT_BOOLEAN, 32, NULL, 0x10, NULL, HFILL } },
        { &hf_ppi_csum_ip_ok, { "ip_checksum_succeeded", "rndis.ppi.csum.ip_succeeded", FT_BOOLEAN, 32, NULL, 0x20, NULL, HFILL } },
        { &hf_ppi_csum_loopback, { "loopback", "rndis.ppi.csum.loopback", FT_BOOLEAN, 32, NULL, 0x40, NULL, HFILL } },
        { &hf_ppi_csum_tcp_invalid, { "tcp_checksum_value_invalid", "rndis.ppi.csum.tcp_value_invalid", FT_BOOLEAN, 32, NULL, 0x80, NULL, HFILL } },
        { &hf_ppi_csum_ip_invalid, { "ip_checksum_value_invalid", "rndis.ppi.csum.ip_value_invalid", FT_BOOLEAN, 32, NULL, 0x100, NULL, HFILL } },
        { &hf_ppi_csum_rx_reserved, { "reserved", "rndis.ppi.csum.rx_reserved", FT_UINT32, BASE_HEX, NULL, 0xFFFFFE00, NULL, HFILL } },
        { &hf_ppi_csum_value, { "Checksum info (direction unknown)", "rndis.ppi.csum", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_vlan, { "802.1Q info", "rndis.ppi.vlan", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_vlan_pri, { "Priority", "rndis.ppi.vlan.pri", FT_UINT32, BASE_DEC, NULL, 0x7, NULL, HFILL } },
        { &hf_ppi_vlan_cfi, { "CFI", "rndis.ppi.vlan.cfi", FT_UINT32, BASE_DEC, NULL, 0x8, NULL, HFILL } },
        { &hf_ppi_vlan_id, { "VLAN id", "rndis.ppi.vlan.id", FT_UINT32, BASE_DEC, NULL, 0xFFF0, NULL, HFILL } },
        { &hf_ppi_vlan_reserved, { "Reserved", "rndis.ppi.vlan.reserved", FT_UINT32, BASE_HEX, NULL, 0xFFFF0000, NULL, HFILL } },
        { &hf_ppi_lso, { "LSO info", "rndis.ppi.lso", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_lso_mss, { "MSS", "rndis.ppi.lso.mss", FT_UINT32, BASE_DEC, NULL, 0x000FFFFF, NULL, HFILL } },
        { &hf_ppi_lso_tcp_hdr_off, { "TCP header offset", "rndis.ppi.lso.tcp_header_offset", FT_UINT32, BASE_DEC, NULL, 0x3FF00000, NULL, HFILL } },
        { &hf_ppi_lso_type, { "Type", "rndis.ppi.lso.type", FT_UINT32, BASE_DEC, VALS(lso_type_vals), 0x40000000, NULL, HFILL } },
        { &hf_ppi_lso_ip_version, { "IP version (v2)", "rndis.ppi.lso.ip_version", FT_UINT32, BASE_DEC, VALS(ip_version_vals), 0x80000000, "Reserved in LSO v1", HFILL } },
        { &hf_ppi_hash_value, { "Hash value", "rndis.ppi.hash_value", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_hash_info, { "Hash info", "rndis.ppi.hash_info", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_hash_toeplitz, { "NDIS_HASH_FUNCTION_TOEPLITZ", "rndis.ppi.hash_info.toeplitz", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_ppi_hash_ipv4, { "NDIS_HASH_IPV4", "rndis.ppi.hash_info.ipv4", FT_BOOLEAN, 32, NULL, 0x100, NULL, HFILL } },
        { &hf_ppi_hash_tcp_ipv4, { "NDIS_HASH_TCP_IPV4", "rndis.ppi.hash_info.tcp_ipv4", FT_BOOLEAN, 32, NULL, 0x200, NULL, HFILL } },
        { &hf_ppi_hash_ipv6, { "NDIS_HASH_IPV6", "rndis.ppi.hash_info.ipv6", FT_BOOLEAN, 32, NULL, 0x400, NULL, HFILL } },
        { &hf_ppi_hash_ipv6_ex, { "NDIS_HASH_IPV6_EX", "rndis.ppi.hash_info.ipv6_ex", FT_BOOLEAN, 32, NULL, 0x800, NULL, HFILL } },
        { &hf_ppi_hash_tcp_ipv6, { "NDIS_HASH_TCP_IPV6", "rndis.ppi.hash_info.tcp_ipv6", FT_BOOLEAN, 32, NULL, 0x1000, NULL, HFILL } },
        { &hf_ppi_hash_tcp_ipv6_ex, { "NDIS_HASH_TCP_IPV6_EX", "rndis.ppi.hash_info.tcp_ipv6_ex", FT_BOOLEAN, 32, NULL, 0x2000, NULL, HFILL } },
        { &hf_ppi_id_ver, { "Version", "rndis.ppi.pktinfo_id.ver", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ppi_id_flag, { "Flags", "rndis.ppi.pktinfo_id.flag", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ppi_id_suballoc, { "RNDIS_PKTINFO_SUBALLOC", "rndis.ppi.pktinfo_id.suballoc", FT_BOOLEAN, 8, NULL, 0x1, NULL, HFILL } },
        { &hf_ppi_id_first, { "RNDIS_PKTINFO_1ST_FRAG", "rndis.ppi.pktinfo_id.first_frag", FT_BOOLEAN, 8, NULL, 0x2, NULL, HFILL } },
        { &hf_ppi_id_last, { "RNDIS_PKTINFO_LAST_FRAG", "rndis.ppi.pktinfo_id.last_frag", FT_BOOLEAN, 8, NULL, 0x4, NULL, HFILL } },
        { &hf_ppi_id_pkt_id, { "Packet id", "rndis.ppi.pktinfo_id.pkt_id", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },

        { &hf_oid_u32, { "Value", "rndis.oid.value", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_oid_link_speed, { "Link speed (100 bps)", "rndis.oid.link_speed", FT_UINT32, BASE_DEC, NULL, 0, "Units of 100 bits per second", HFILL } },
        { &hf_oid_connect, { "Media connect status", "rndis.oid.media_connect_status", FT_UINT32, BASE_DEC, VALS(xsw_media_state_vals), 0, NULL, HFILL } },
        { &hf_oid_filter, { "Packet filter", "rndis.oid.packet_filter", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_oid_filter_directed, { "DIRECTED", "rndis.oid.packet_filter.directed", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_oid_filter_multicast, { "MULTICAST", "rndis.oid.packet_filter.multicast", FT_BOOLEAN, 32, NULL, 0x2, NULL, HFILL } },
        { &hf_oid_filter_all_multicast, { "ALL_MULTICAST", "rndis.oid.packet_filter.all_multicast", FT_BOOLEAN, 32, NULL, 0x4, NULL, HFILL } },
        { &hf_oid_filter_broadcast, { "BROADCAST", "rndis.oid.packet_filter.broadcast", FT_BOOLEAN, 32, NULL, 0x8, NULL, HFILL } },
        { &hf_oid_filter_source_routing, { "SOURCE_ROUTING", "rndis.oid.packet_filter.source_routing", FT_BOOLEAN, 32, NULL, 0x10, NULL, HFILL } },
        { &hf_oid_filter_promiscuous, { "PROMISCUOUS", "rndis.oid.packet_filter.promiscuous", FT_BOOLEAN, 32, NULL, 0x20, NULL, HFILL } },
        { &hf_oid_filter_smt, { "SMT", "rndis.oid.packet_filter.smt", FT_BOOLEAN, 32, NULL, 0x40, NULL, HFILL } },
        { &hf_oid_filter_all_local, { "ALL_LOCAL", "rndis.oid.packet_filter.all_local", FT_BOOLEAN, 32, NULL, 0x80, NULL, HFILL } },
        { &hf_oid_mac, { "MAC address", "rndis.oid.mac", FT_ETHER, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_oid_name, { "Friendly name", "rndis.oid.friendly_name", FT_STRINGZPAD, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_obj_type, { "Type", "rndis.obj.type", FT_UINT8, BASE_HEX, VALS(xsw_obj_type_vals), 0, NULL, HFILL } },
        { &hf_obj_revision, { "Revision", "rndis.obj.revision", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_obj_size, { "Size", "rndis.obj.size", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[0], { "ip_v4_csum", "rndis.offload.ip_v4_csum", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[1], { "tcp_ip_v4_csum", "rndis.offload.tcp_ip_v4_csum", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[2], { "udp_ip_v4_csum", "rndis.offload.udp_ip_v4_csum", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[3], { "tcp_ip_v6_csum", "rndis.offload.tcp_ip_v6_csum", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[4], { "udp_ip_v6_csum", "rndis.offload.udp_ip_v6_csum", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[5], { "lso_v1", "rndis.offload.lso_v1", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[6], { "ip_sec_v1", "rndis.offload.ip_sec_v1", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[7], { "lso_v2_ipv4", "rndis.offload.lso_v2_ipv4", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[8], { "lso_v2_ipv6", "rndis.offload.lso_v2_ipv6", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[9], { "tcp_connection_ip_v4", "rndis.offload.tcp_connection_ip_v4", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[10], { "tcp_connection_ip_v6", "rndis.offload.tcp_connection_ip_v6", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[12], { "ip_sec_v2", "rndis.offload.ip_sec_v2", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[13], { "ip_sec_v2_ip_v4", "rndis.offload.ip_sec_v2_ip_v4", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[14], { "rsc_ip_v4", "rndis.offload.rsc_ip_v4", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[15], { "rsc_ip_v6", "rndis.offload.rsc_ip_v6", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[16], { "encapsulated_packet_task_offload", "rndis.offload.encap_task_offload", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_off_field[17], { "encapsulation_types", "rndis.offload.encapsulation_types", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_off_flags, { "flags", "rndis.offload.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_rss_cap_flags, { "Capability flags", "rndis.rss.cap_flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_rss_num_int_msg, { "Interrupt messages", "rndis.rss.num_int_msg", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_num_queues, { "Receive queues", "rndis.rss.num_recv_que", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_num_tabent, { "Indirection table entries", "rndis.rss.num_indirect_tabent", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_flags, { "Flags", "rndis.rss.flags", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_rss_base_cpu, { "Base CPU", "rndis.rss.base_cpu", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_hashinfo, { "Hash info", "rndis.rss.hashinfo", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_rss_tab_size, { "Indirection table size", "rndis.rss.indirect_tabsize", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_rss_tab_offset, { "Indirection table offset", "rndis.rss.indirect_taboffset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_key_size, { "Hash key size", "rndis.rss.hashkey_size", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_key_offset, { "Hash key offset", "rndis.rss.hashkey_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_cpu_masks_offset, { "Processor masks offset", "rndis.rss.processor_masks_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_num_cpu_masks, { "Processor masks", "rndis.rss.num_processor_masks", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_cpu_mask_size, { "Processor mask entry size", "rndis.rss.processor_masks_entry_size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_tab_entry, { "Queue", "rndis.rss.table_entry", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_rss_key, { "Hash key", "rndis.rss.hashkey", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_cfg_name_offset, { "Name offset", "rndis.config.name_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_cfg_name_len, { "Name length", "rndis.config.name_length", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_cfg_type, { "Parameter type", "rndis.config.parameter_type", FT_UINT32, BASE_DEC, VALS(cfg_type_vals), 0, NULL, HFILL } },
        { &hf_cfg_value_offset, { "Value offset", "rndis.config.value_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_cfg_value_len, { "Value length", "rndis.config.value_length", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_cfg_name, { "Name", "rndis.config.name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_cfg_value, { "Value", "rndis.config.value", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_rndis, &ett_rndis_msg, &ett_rndis_ppi, &ett_rndis_bits, &ett_rndis_info, &ett_rndis_obj };
    static ei_register_info ei[] = {
        { &ei_rndis_short, { "rndis.too_short", PI_MALFORMED, PI_ERROR, "RNDIS message too short", EXPFILL } },
        { &ei_rndis_overrun, { "rndis.len_overrun", PI_MALFORMED, PI_ERROR, "Declared length or offset overruns the message", EXPFILL } },
        { &ei_rndis_trailing, { "rndis.trailing_bytes", PI_MALFORMED, PI_WARN, "Trailing bytes in a message", EXPFILL } },
        { &ei_rndis_unknown_type, { "rndis.type.unknown", PI_PROTOCOL, PI_WARN, "Unknown message or PPI type", EXPFILL } },
        { &ei_rndis_reserved, { "rndis.reserved_set", PI_PROTOCOL, PI_WARN, "Reserved field or bits not zero", EXPFILL } },
        { &ei_rndis_alignment, { "rndis.alignment", PI_PROTOCOL, PI_WARN, "Offset or size not a multiple of 4", EXPFILL } },
        { &ei_rndis_no_request, { "rndis.no_request", PI_SEQUENCE, PI_WARN, "Completion without a request", EXPFILL } },
        { &ei_rndis_status, { "rndis.status.failure", PI_RESPONSE_CODE, PI_NOTE, "Failure status", EXPFILL } },
    };
    xsw_names_init();
    proto_rndis = proto_register_protocol("Remote NDIS over NetVSC", "RNDIS", "rndis");
    proto_register_field_array(proto_rndis, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_rndis);
    expert_register_field_array(em, ei, array_length(ei));
    register_dissector("rndis", dissect_rndis, proto_rndis);
    rn_open = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), rn_key_hash, rn_key_equal);
}

void proto_reg_handoff_rndis(void)
{
    eth_handle = find_dissector_add_dependency("eth_withoutfcs", proto_rndis);
}
