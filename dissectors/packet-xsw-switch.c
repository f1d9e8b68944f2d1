/*
 * packet-xsw-switch.c - decoding of the extensible-switch structures that
 * travel in OID information buffers and status buffers of xsw records.
 *
 * Layouts (x64 offsets) are those of ../../shared/reference/extensible-
 * switch.md §3: NDIS_SWITCH_PARAMETERS (§3.1), PORT_PARAMETERS (§3.2),
 * PORT/NIC arrays (§3.3), NIC_PARAMETERS revisions 1 and 2 (§3.4),
 * NIC_OID_REQUEST (§3.5), NIC_SAVE_STATE (§3.6), port and switch property
 * and feature-status structures with VLAN, security and custom payloads
 * (§3.7), NIC_STATUS_INDICATION (§3.12). Counted names are
 * IF_COUNTED_STRING (§2): a u16 byte length and 257 WCHARs, 516 bytes.
 *
 * Every structure is checked against the bytes present before any field is
 * read; a buffer too short for its structure, a declared offset or count
 * that overruns the buffer, or a wrong NDIS_OBJECT_HEADER is reported as
 * expert info and decoding stops at that structure, never by exception.
 */
#include "xsw-dissectors.h"

#include <epan/expert.h>

#define COUNTED_STRING_LEN 516
#define COUNTED_STRING_MAX 512 /* IF_MAX_STRING_SIZE WCHARs, in bytes */

/* Structure sizes (NDIS_SIZEOF_*_REVISION_n) from extensible-switch.md §3. */
#define SWITCH_PARAMETERS_SIZE_R1 1045
#define PORT_PARAMETERS_SIZE_R1 1056
#define ARRAY_SIZE_R1 20
#define NIC_PARAMETERS_SIZE_R1 2207
#define NIC_PARAMETERS_SIZE_R2 2224
#define NIC_OID_REQUEST_SIZE_R1 32
#define SAVE_STATE_SIZE_R1 568
#define SAVE_STATE_SIZE_R2 572
#define PORT_PROP_PARAMS_SIZE 64
#define PORT_PROP_DELETE_SIZE 48
#define PORT_PROP_ENUM_PARAMS_SIZE 46
#define PORT_PROP_ENUM_INFO_SIZE 40
#define PROP_PARAMS_SIZE 56
#define PROP_DELETE_SIZE 44
#define PROP_ENUM_PARAMS_SIZE 40
#define PROP_ENUM_INFO_SIZE 40
#define CUSTOM_SIZE 16
#define PORT_FS_PARAMS_SIZE 64
#define FS_PARAMS_SIZE 56
#define SECURITY_SIZE_R1 17
#define SECURITY_SIZE_R2 24
#define VLAN_SIZE_R1 1048
#define NIC_STATUS_SIZE_R1 32

static int hf_obj_type = -1;
static int hf_obj_revision = -1;
static int hf_obj_size = -1;
static int hf_flags = -1;

static int hf_sw_name_len = -1;
static int hf_sw_name = -1;
static int hf_sw_fname_len = -1;
static int hf_sw_fname = -1;
static int hf_sw_num_ports = -1;
static int hf_sw_is_active = -1;

static int hf_port_flags = -1;
static int hf_port_flag_untrusted = -1;
static int hf_port_flag_restoring = -1;
static int hf_port_id = -1;
static int hf_port_name_len = -1;
static int hf_port_name = -1;
static int hf_port_fname_len = -1;
static int hf_port_fname = -1;
static int hf_port_type = -1;
static int hf_port_is_validation = -1;
static int hf_port_state = -1;

static int hf_arr_first = -1;
static int hf_arr_num = -1;
static int hf_arr_elem_size = -1;

static int hf_nic_flags = -1;
static int hf_nic_flag_initializing = -1;
static int hf_nic_flag_suspended = -1;
static int hf_nic_flag_mapped_updated = -1;
static int hf_nic_flag_suspended_lm = -1;
static int hf_nic_name_len = -1;
static int hf_nic_name = -1;
static int hf_nic_fname_len = -1;
static int hf_nic_fname = -1;
static int hf_nic_port_id = -1;
static int hf_nic_index = -1;
static int hf_nic_type = -1;
static int hf_nic_state = -1;
static int hf_nic_vm_name_len = -1;
static int hf_nic_vm_name = -1;
static int hf_nic_vm_fname_len = -1;
static int hf_nic_vm_fname = -1;
static int hf_nic_netcfg_id = -1;
static int hf_nic_mtu = -1;
static int hf_nic_numa = -1;
static int hf_nic_perm_mac = -1;
static int hf_nic_vm_mac = -1;
static int hf_nic_cur_mac = -1;
static int hf_nic_mac_pad = -1;
static int hf_nic_vf_assigned = -1;
static int hf_nic_reserved = -1;

static int hf_nr_src_port = -1;
static int hf_nr_src_nic = -1;
static int hf_nr_dst_port = -1;
static int hf_nr_dst_nic = -1;
static int hf_nr_oid_request = -1;
static int hf_nr_inner_data = -1;

static int hf_ns_src_port = -1;
static int hf_ns_src_nic = -1;
static int hf_ns_dst_port = -1;
static int hf_ns_dst_nic = -1;
static int hf_ns_indication = -1;
static int hf_ns_inner_data = -1;

static int hf_sv_port_id = -1;
static int hf_sv_nic_index = -1;
static int hf_sv_ext_id = -1;
static int hf_sv_ext_fname_len = -1;
static int hf_sv_ext_fname = -1;
static int hf_sv_feature_class = -1;
static int hf_sv_data_size = -1;
static int hf_sv_data_offset = -1;
static int hf_sv_size_overflow = -1;
static int hf_sv_data = -1;

static int hf_prop_port_id = -1;
static int hf_prop_port_type = -1;
static int hf_prop_type = -1;
static int hf_prop_id = -1;
static int hf_prop_version = -1;
static int hf_prop_ser_version = -1;
static int hf_prop_instance = -1;
static int hf_prop_buf_len = -1;
static int hf_prop_buf_offset = -1;
static int hf_prop_reserved = -1;
static int hf_prop_buffer = -1;
static int hf_prop_first = -1;
static int hf_prop_num = -1;
static int hf_prop_qword_len = -1;

static int hf_sec_mac_spoofing = -1;
static int hf_sec_prio_tag = -1;
static int hf_sec_vsid = -1;
static int hf_sec_teaming = -1;
static int hf_sec_dyn_ip_limit = -1;

static int hf_vlan_mode = -1;
static int hf_vlan_access = -1;
static int hf_vlan_native = -1;
static int hf_vlan_prune = -1;
static int hf_vlan_trunk = -1;
static int hf_vlan_trunk_list = -1;
static int hf_vlan_prune_list = -1;
static int hf_vlan_pvlan_mode = -1;
static int hf_vlan_primary = -1;
static int hf_vlan_secondary = -1;
static int hf_vlan_secondary_array = -1;

static int hf_custom_len = -1;
static int hf_custom_offset = -1;
static int hf_custom_data = -1;

static int hf_fs_port_id = -1;
static int hf_fs_type = -1;
static int hf_fs_id = -1;
static int hf_fs_version = -1;
static int hf_fs_ser_version = -1;
static int hf_fs_instance = -1;
static int hf_fs_buf_len = -1;
static int hf_fs_buf_offset = -1;
static int hf_fs_reserved = -1;

static int hf_raw = -1;

static gint ett_obj = -1;
static gint ett_struct = -1;
static gint ett_elem = -1;
static gint ett_flags = -1;
static gint ett_prop = -1;

static expert_field ei_short = EI_INIT;
static expert_field ei_overrun = EI_INIT;
static expert_field ei_obj_header = EI_INIT;
static expert_field ei_string = EI_INIT;
static expert_field ei_reserved = EI_INIT;

/* Bytes available at "off", never negative. */
static guint avail(tvbuff_t *tvb, int off)
{
    gint r = tvb_reported_length_remaining(tvb, off);
    return r > 0 ? (guint)r : 0;
}

/* FALSE (with expert info) when "need" bytes of "what" do not fit at "off". */
static gboolean fits(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, guint need, const char *what)
{
    guint have = avail(tvb, off);
    if (have >= need)
        return TRUE;
    proto_tree_add_expert_format(tree, pinfo, &ei_short, tvb, off, (gint)have,
                                 "%s needs %u bytes at buffer offset %d, only %u present", what, need, off, have);
    return FALSE;
}

/*
 * The NDIS_OBJECT_HEADER at "off": Type must be NDIS_OBJECT_TYPE_DEFAULT,
 * Revision at least 1 and Size at least the revision-1 size of "what"
 * (extensible-switch.md §3: the Microsoft sample and OVS reject the buffer
 * otherwise). Returns the revision.
 */
static guint32 obj_header(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, guint min_size,
                          const char *what)
{
    guint32 type, rev, size;
    proto_tree *ht = proto_tree_add_subtree(tree, tvb, off, 4, ett_obj, NULL, "Header");
    proto_item *ti = proto_tree_add_item_ret_uint(ht, hf_obj_type, tvb, off, 1, ENC_LITTLE_ENDIAN, &type);
    proto_tree_add_item_ret_uint(ht, hf_obj_revision, tvb, off + 1, 1, ENC_LITTLE_ENDIAN, &rev);
    proto_tree_add_item_ret_uint(ht, hf_obj_size, tvb, off + 2, 2, ENC_LITTLE_ENDIAN, &size);
    proto_item_append_text(proto_tree_get_parent(ht), ": type 0x%02x, revision %u, size %u", type, rev, size);
    if (type != (guint32)XD_NDIS_OBJECT_TYPE_DEFAULT || rev < 1 || size < min_size)
        expert_add_info_format(pinfo, ti, &ei_obj_header,
                               "%s header: type 0x%02x revision %u size %u, expected type 0x80, revision >= 1, "
                               "size >= %u",
                               what, type, rev, size, min_size);
    return rev;
}

/* An IF_COUNTED_STRING at "off" (516 bytes): its byte length and the UTF-16 text. */
static const char *counted_string(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, int hf_len,
                                  int hf_str)
{
    guint32 len;
    proto_item *li = proto_tree_add_item_ret_uint(tree, hf_len, tvb, off, 2, ENC_LITTLE_ENDIAN, &len);
    if (len > COUNTED_STRING_MAX || (len & 1)) {
        expert_add_info_format(pinfo, li, &ei_string,
                               "counted string length %u is %s (at most %u bytes of UTF-16)", len,
                               (len & 1) ? "odd" : "too large", COUNTED_STRING_MAX);
        len = MIN(len, COUNTED_STRING_MAX) & ~1u;
    }
    const guint8 *s = NULL;
    proto_tree_add_item_ret_string(tree, hf_str, tvb, off + 2, (gint)len, ENC_UTF_16 | ENC_LITTLE_ENDIAN,
                                   pinfo->pool, &s);
    return (const char *)s;
}

/* A MAC field of UCHAR[32]: the 6-byte address and the unused rest. */
static void mac32(tvbuff_t *tvb, proto_tree *tree, int off, int hf)
{
    proto_tree_add_item(tree, hf, tvb, off, 6, ENC_NA);
    proto_tree_add_item(tree, hf_nic_mac_pad, tvb, off + 6, 26, ENC_NA);
}

static void raw(tvbuff_t *tvb, proto_tree *tree, int off, guint len)
{
    if (len > 0)
        proto_tree_add_item(tree, hf_raw, tvb, off, (gint)len, ENC_NA);
}

/* Bytes after a decoded structure that nothing accounts for. */
static void rest(tvbuff_t *tvb, proto_tree *tree, int off)
{
    raw(tvb, tree, off, avail(tvb, off));
}

static void dissect_switch_parameters(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, SWITCH_PARAMETERS_SIZE_R1, "NDIS_SWITCH_PARAMETERS"))
        return;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, SWITCH_PARAMETERS_SIZE_R1, ett_struct, NULL,
                                           "NDIS_SWITCH_PARAMETERS");
    obj_header(tvb, pinfo, t, 0, SWITCH_PARAMETERS_SIZE_R1, "NDIS_SWITCH_PARAMETERS");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    const char *name = counted_string(tvb, pinfo, t, 8, hf_sw_name_len, hf_sw_name);
    counted_string(tvb, pinfo, t, 524, hf_sw_fname_len, hf_sw_fname);
    proto_tree_add_item(t, hf_sw_num_ports, tvb, 1040, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_sw_is_active, tvb, 1044, 1, ENC_LITTLE_ENDIAN);
    if (name && *name)
        col_append_fstr(pinfo->cinfo, COL_INFO, " \"%s\"", name);
    rest(tvb, tree, SWITCH_PARAMETERS_SIZE_R1);
}

/* One NDIS_SWITCH_PORT_PARAMETERS at "off" of "len" bytes. */
static void port_parameters(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, const char *title,
                            gboolean to_col)
{
    static int *const port_flags[] = { &hf_port_flag_untrusted, &hf_port_flag_restoring, NULL };
    if (!fits(tvb, pinfo, tree, off, PORT_PARAMETERS_SIZE_R1, "NDIS_SWITCH_PORT_PARAMETERS"))
        return;
    guint32 port_id, type;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, off, PORT_PARAMETERS_SIZE_R1, ett_struct, NULL, title);
    obj_header(tvb, pinfo, t, off, PORT_PARAMETERS_SIZE_R1, "NDIS_SWITCH_PORT_PARAMETERS");
    proto_tree_add_bitmask(t, tvb, off + 4, hf_port_flags, ett_flags, port_flags, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_port_id, tvb, off + 8, 4, ENC_LITTLE_ENDIAN, &port_id);
    const char *name = counted_string(tvb, pinfo, t, off + 12, hf_port_name_len, hf_port_name);
    counted_string(tvb, pinfo, t, off + 528, hf_port_fname_len, hf_port_fname);
    proto_tree_add_item_ret_uint(t, hf_port_type, tvb, off + 1044, 4, ENC_LITTLE_ENDIAN, &type);
    proto_tree_add_item(t, hf_port_is_validation, tvb, off + 1048, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_port_state, tvb, off + 1052, 4, ENC_LITTLE_ENDIAN);
    proto_item_append_text(proto_tree_get_parent(t), ": port %u %s \"%s\"", port_id,
                           val_to_str_const(type, xsw_port_type_vals, "?"), name ? name : "");
    if (to_col && name && *name)
        col_append_fstr(pinfo->cinfo, COL_INFO, " \"%s\"", name);
}

/* One NDIS_SWITCH_NIC_PARAMETERS (revision 1 or 2) at "off" of at most "len" bytes. */
static void nic_parameters(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, guint len,
                           const char *title, gboolean to_col)
{
    static int *const nic_flags[] = {
        &hf_nic_flag_initializing, &hf_nic_flag_suspended, &hf_nic_flag_mapped_updated, &hf_nic_flag_suspended_lm,
        NULL
    };
    if (len < NIC_PARAMETERS_SIZE_R1) {
        proto_tree_add_expert_format(tree, pinfo, &ei_short, tvb, off, (gint)MIN(len, avail(tvb, off)),
                                     "NDIS_SWITCH_NIC_PARAMETERS needs %u bytes, only %u present",
                                     NIC_PARAMETERS_SIZE_R1, len);
        return;
    }
    if (!fits(tvb, pinfo, tree, off, NIC_PARAMETERS_SIZE_R1, "NDIS_SWITCH_NIC_PARAMETERS"))
        return;
    guint32 rev = tvb_get_guint8(tvb, off + 1);
    gboolean r2 = rev >= 2 && len >= NIC_PARAMETERS_SIZE_R2;
    guint size = r2 ? NIC_PARAMETERS_SIZE_R2 : NIC_PARAMETERS_SIZE_R1;
    guint32 port_id, idx, type;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, off, (gint)size, ett_struct, NULL, title);
    obj_header(tvb, pinfo, t, off, NIC_PARAMETERS_SIZE_R1, "NDIS_SWITCH_NIC_PARAMETERS");
    if (rev >= 2 && !r2)
        proto_tree_add_expert_format(t, pinfo, &ei_short, tvb, off, (gint)len,
                                     "revision %u NIC parameters need %u bytes, only %u present", rev,
                                     NIC_PARAMETERS_SIZE_R2, len);
    proto_tree_add_bitmask(t, tvb, off + 4, hf_nic_flags, ett_flags, nic_flags, ENC_LITTLE_ENDIAN);
    const char *name = counted_string(tvb, pinfo, t, off + 8, hf_nic_name_len, hf_nic_name);
    counted_string(tvb, pinfo, t, off + 524, hf_nic_fname_len, hf_nic_fname);
    proto_tree_add_item_ret_uint(t, hf_nic_port_id, tvb, off + 1040, 4, ENC_LITTLE_ENDIAN, &port_id);
    proto_tree_add_item_ret_uint(t, hf_nic_index, tvb, off + 1044, 2, ENC_LITTLE_ENDIAN, &idx);
    proto_tree_add_item_ret_uint(t, hf_nic_type, tvb, off + 1048, 4, ENC_LITTLE_ENDIAN, &type);
    proto_tree_add_item(t, hf_nic_state, tvb, off + 1052, 4, ENC_LITTLE_ENDIAN);
    counted_string(tvb, pinfo, t, off + 1056, hf_nic_vm_name_len, hf_nic_vm_name);
    counted_string(tvb, pinfo, t, off + 1572, hf_nic_vm_fname_len, hf_nic_vm_fname);
    proto_tree_add_item(t, hf_nic_netcfg_id, tvb, off + 2088, 16, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_nic_mtu, tvb, off + 2104, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_nic_numa, tvb, off + 2108, 2, ENC_LITTLE_ENDIAN);
    mac32(tvb, t, off + 2110, hf_nic_perm_mac);
    mac32(tvb, t, off + 2142, hf_nic_vm_mac);
    mac32(tvb, t, off + 2174, hf_nic_cur_mac);
    proto_tree_add_item(t, hf_nic_vf_assigned, tvb, off + 2206, 1, ENC_LITTLE_ENDIAN);
    if (r2)
        proto_tree_add_item(t, hf_nic_reserved, tvb, off + 2208, 16, ENC_NA);
    proto_item_append_text(proto_tree_get_parent(t), ": port %u NIC %u %s \"%s\"", port_id, idx,
                           val_to_str_const(type, xsw_nic_type_vals, "?"), name ? name : "");
    if (to_col && name && *name)
        col_append_fstr(pinfo->cinfo, COL_INFO, " \"%s\"", name);
}

/* NDIS_SWITCH_PORT_ARRAY / NDIS_SWITCH_NIC_ARRAY with every element. */
static void dissect_array(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean nics)
{
    const char *what = nics ? "NDIS_SWITCH_NIC_ARRAY" : "NDIS_SWITCH_PORT_ARRAY";
    if (!fits(tvb, pinfo, tree, 0, ARRAY_SIZE_R1, what))
        return;
    guint32 first, num, esize;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, ARRAY_SIZE_R1, ett_struct, NULL, what);
    obj_header(tvb, pinfo, t, 0, ARRAY_SIZE_R1, what);
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_item *fi = proto_tree_add_item_ret_uint(t, hf_arr_first, tvb, 8, 2, ENC_LITTLE_ENDIAN, &first);
    proto_item *ni = proto_tree_add_item_ret_uint(t, hf_arr_num, tvb, 12, 4, ENC_LITTLE_ENDIAN, &num);
    proto_item *si = proto_tree_add_item_ret_uint(t, hf_arr_elem_size, tvb, 16, 4, ENC_LITTLE_ENDIAN, &esize);
    proto_item_append_text(proto_tree_get_parent(t), ": %u elements", num);
    col_append_fstr(pinfo->cinfo, COL_INFO, " [%u %s]", num, nics ? "NICs" : "ports");
    if (num == 0)
        return;
    guint min = nics ? NIC_PARAMETERS_SIZE_R1 : PORT_PARAMETERS_SIZE_R1;
    if (esize < min) {
        expert_add_info_format(pinfo, si, &ei_overrun, "ElementSize %u is smaller than the %u-byte element",
                               esize, min);
        return;
    }
    guint len = tvb_reported_length(tvb);
    if (first < ARRAY_SIZE_R1 || first > len) {
        expert_add_info_format(pinfo, fi, &ei_overrun,
                               "FirstElementOffset %u lies outside the %u-byte buffer (or inside the array header)",
                               first, len);
        return;
    }
    guint fit = (len - first) / esize;
    if (num > fit) {
        expert_add_info_format(pinfo, ni, &ei_overrun,
                               "%u elements of %u bytes at offset %u overrun the %u-byte buffer (%u fit)", num, esize,
                               first, len, fit);
        num = fit;
    }
    for (guint i = 0; i < num; i++) {
        int off = (int)(first + i * esize);
        char *title = wmem_strdup_printf(pinfo->pool, "Element %u", i);
        if (nics)
            nic_parameters(tvb, pinfo, tree, off, esize, title, FALSE);
        else
            port_parameters(tvb, pinfo, tree, off, title, FALSE);
    }
    rest(tvb, tree, (int)(first + num * esize));
}

/* NDIS_SWITCH_NIC_OID_REQUEST, then the encapsulated request's buffer. */
static void dissect_nic_request(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, NIC_OID_REQUEST_SIZE_R1, "NDIS_SWITCH_NIC_OID_REQUEST"))
        return;
    guint32 sp, sn, dp, dn;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, NIC_OID_REQUEST_SIZE_R1, ett_struct, NULL,
                                           "NDIS_SWITCH_NIC_OID_REQUEST");
    obj_header(tvb, pinfo, t, 0, NIC_OID_REQUEST_SIZE_R1, "NDIS_SWITCH_NIC_OID_REQUEST");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_nr_src_port, tvb, 8, 4, ENC_LITTLE_ENDIAN, &sp);
    proto_tree_add_item_ret_uint(t, hf_nr_src_nic, tvb, 12, 2, ENC_LITTLE_ENDIAN, &sn);
    proto_tree_add_item_ret_uint(t, hf_nr_dst_port, tvb, 16, 4, ENC_LITTLE_ENDIAN, &dp);
    proto_tree_add_item_ret_uint(t, hf_nr_dst_nic, tvb, 20, 2, ENC_LITTLE_ENDIAN, &dn);
    proto_tree_add_item(t, hf_nr_oid_request, tvb, 24, 8, ENC_LITTLE_ENDIAN);
    proto_item_append_text(proto_tree_get_parent(t), ": %u/%u -> %u/%u", sp, sn, dp, dn);
    guint n = avail(tvb, NIC_OID_REQUEST_SIZE_R1);
    if (n > 0)
        proto_tree_add_item(tree, hf_nr_inner_data, tvb, NIC_OID_REQUEST_SIZE_R1, (gint)n, ENC_NA);
}

void xsw_dissect_nic_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, NIC_STATUS_SIZE_R1, "NDIS_SWITCH_NIC_STATUS_INDICATION"))
        return;
    guint32 sp, sn, dp, dn;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, NIC_STATUS_SIZE_R1, ett_struct, NULL,
                                           "NDIS_SWITCH_NIC_STATUS_INDICATION");
    obj_header(tvb, pinfo, t, 0, NIC_STATUS_SIZE_R1, "NDIS_SWITCH_NIC_STATUS_INDICATION");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_ns_src_port, tvb, 8, 4, ENC_LITTLE_ENDIAN, &sp);
    proto_tree_add_item_ret_uint(t, hf_ns_src_nic, tvb, 12, 2, ENC_LITTLE_ENDIAN, &sn);
    proto_tree_add_item_ret_uint(t, hf_ns_dst_port, tvb, 16, 4, ENC_LITTLE_ENDIAN, &dp);
    proto_tree_add_item_ret_uint(t, hf_ns_dst_nic, tvb, 20, 2, ENC_LITTLE_ENDIAN, &dn);
    proto_tree_add_item(t, hf_ns_indication, tvb, 24, 8, ENC_LITTLE_ENDIAN);
    proto_item_append_text(proto_tree_get_parent(t), ": %u/%u -> %u/%u", sp, sn, dp, dn);
    guint n = avail(tvb, NIC_STATUS_SIZE_R1);
    if (n > 0)
        proto_tree_add_item(tree, hf_ns_inner_data, tvb, NIC_STATUS_SIZE_R1, (gint)n, ENC_NA);
}

/* NDIS_SWITCH_NIC_SAVE_STATE (revision 1 or 2) and its save data. */
static void dissect_save_state(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, SAVE_STATE_SIZE_R1, "NDIS_SWITCH_NIC_SAVE_STATE"))
        return;
    guint32 rev = tvb_get_guint8(tvb, 1);
    gboolean r2 = rev >= 2 && avail(tvb, 0) >= SAVE_STATE_SIZE_R2;
    guint size = r2 ? SAVE_STATE_SIZE_R2 : SAVE_STATE_SIZE_R1;
    guint32 port, size16, off16, overflow = 0;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, (gint)size, ett_struct, NULL, "NDIS_SWITCH_NIC_SAVE_STATE");
    obj_header(tvb, pinfo, t, 0, SAVE_STATE_SIZE_R1, "NDIS_SWITCH_NIC_SAVE_STATE");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_sv_port_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &port);
    proto_tree_add_item(t, hf_sv_nic_index, tvb, 12, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_sv_ext_id, tvb, 16, 16, ENC_LITTLE_ENDIAN);
    const char *name = counted_string(tvb, pinfo, t, 32, hf_sv_ext_fname_len, hf_sv_ext_fname);
    proto_tree_add_item(t, hf_sv_feature_class, tvb, 548, 16, ENC_LITTLE_ENDIAN);
    proto_item *szi = proto_tree_add_item_ret_uint(t, hf_sv_data_size, tvb, 564, 2, ENC_LITTLE_ENDIAN, &size16);
    proto_item *ofi = proto_tree_add_item_ret_uint(t, hf_sv_data_offset, tvb, 566, 2, ENC_LITTLE_ENDIAN, &off16);
    if (r2)
        proto_tree_add_item_ret_uint(t, hf_sv_size_overflow, tvb, 568, 4, ENC_LITTLE_ENDIAN, &overflow);
    proto_item_append_text(proto_tree_get_parent(t), ": port %u, %u bytes of \"%s\"", port, size16 + overflow,
                           name ? name : "");
    guint32 total = size16 + overflow;
    if (total == 0)
        return;
    guint len = tvb_reported_length(tvb);
    if (off16 < SAVE_STATE_SIZE_R1 || off16 > len) {
        expert_add_info_format(pinfo, ofi, &ei_overrun,
                               "SaveDataOffset %u lies outside the %u-byte buffer (or inside the structure)", off16,
                               len);
        return;
    }
    if (total > len - off16) {
        expert_add_info_format(pinfo, szi, &ei_overrun, "%u bytes of save data at offset %u overrun the %u-byte buffer",
                               total, off16, len);
        total = len - off16;
    }
    proto_tree_add_item(t, hf_sv_data, tvb, (gint)off16, (gint)total, ENC_NA);
}

/* The list of VLAN ids whose bits are set in a 64 x u64 bitmap. */
static void vlan_list(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off, int hf)
{
    wmem_strbuf_t *sb = wmem_strbuf_new(pinfo->pool, "");
    for (int w = 0; w < 64; w++) {
        guint64 v = tvb_get_letoh64(tvb, off + 8 * w);
        for (int b = 0; v && b < 64; b++, v >>= 1)
            if (v & 1)
                wmem_strbuf_append_printf(sb, "%s%d", wmem_strbuf_get_len(sb) ? "," : "", w * 64 + b);
    }
    if (wmem_strbuf_get_len(sb) == 0)
        wmem_strbuf_append(sb, "none");
    proto_item *it = proto_tree_add_string(tree, hf, tvb, off, 512, wmem_strbuf_get_str(sb));
    proto_item_set_generated(it);
}

/* NDIS_SWITCH_PORT_PROPERTY_VLAN (revision 1, 1048 bytes). */
static void property_vlan(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, VLAN_SIZE_R1, "NDIS_SWITCH_PORT_PROPERTY_VLAN"))
        return;
    guint32 mode, access;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, VLAN_SIZE_R1, ett_struct, NULL,
                                           "NDIS_SWITCH_PORT_PROPERTY_VLAN");
    obj_header(tvb, pinfo, t, 0, VLAN_SIZE_R1, "NDIS_SWITCH_PORT_PROPERTY_VLAN");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_vlan_mode, tvb, 8, 4, ENC_LITTLE_ENDIAN, &mode);
    if (mode == 3) {
        proto_tree_add_item(t, hf_vlan_pvlan_mode, tvb, 16, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_vlan_primary, tvb, 20, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_vlan_secondary, tvb, 24, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_vlan_secondary_array, tvb, 24, 512, ENC_NA);
        vlan_list(tvb, pinfo, t, 24, hf_vlan_trunk_list);
        proto_item_append_text(proto_tree_get_parent(t), ": private VLAN");
    } else {
        proto_tree_add_item_ret_uint(t, hf_vlan_access, tvb, 16, 2, ENC_LITTLE_ENDIAN, &access);
        proto_tree_add_item(t, hf_vlan_native, tvb, 18, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_vlan_prune, tvb, 24, 512, ENC_NA);
        vlan_list(tvb, pinfo, t, 24, hf_vlan_prune_list);
        proto_tree_add_item(t, hf_vlan_trunk, tvb, 536, 512, ENC_NA);
        vlan_list(tvb, pinfo, t, 536, hf_vlan_trunk_list);
        proto_item_append_text(proto_tree_get_parent(t), ": %s, access VLAN %u",
                               val_to_str_const(mode, xsw_vlan_mode_vals, "?"), access);
        col_append_fstr(pinfo->cinfo, COL_INFO, " VLAN %u", access);
    }
    rest(tvb, tree, VLAN_SIZE_R1);
}

/* NDIS_SWITCH_PORT_PROPERTY_SECURITY (revision 1: 17 bytes, revision 2: 24). */
static void property_security(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, SECURITY_SIZE_R1, "NDIS_SWITCH_PORT_PROPERTY_SECURITY"))
        return;
    guint32 rev = tvb_get_guint8(tvb, 1);
    gboolean r2 = rev >= 2 && avail(tvb, 0) >= SECURITY_SIZE_R2;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, r2 ? SECURITY_SIZE_R2 : SECURITY_SIZE_R1, ett_struct, NULL,
                                           "NDIS_SWITCH_PORT_PROPERTY_SECURITY");
    obj_header(tvb, pinfo, t, 0, SECURITY_SIZE_R1, "NDIS_SWITCH_PORT_PROPERTY_SECURITY");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_sec_mac_spoofing, tvb, 8, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_sec_prio_tag, tvb, 9, 1, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_sec_vsid, tvb, 12, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_sec_teaming, tvb, 16, 1, ENC_LITTLE_ENDIAN);
    if (r2)
        proto_tree_add_item(t, hf_sec_dyn_ip_limit, tvb, 20, 4, ENC_LITTLE_ENDIAN);
    rest(tvb, tree, r2 ? SECURITY_SIZE_R2 : SECURITY_SIZE_R1);
}

/*
 * A 16-byte custom wrapper (NDIS_SWITCH_[PORT_]PROPERTY_CUSTOM or
 * FEATURE_STATUS_CUSTOM: Header, Flags, buffer length, buffer offset) and
 * the opaque buffer it points to, offset from the wrapper's start.
 */
static void custom_wrapper(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const char *what)
{
    if (!fits(tvb, pinfo, tree, 0, CUSTOM_SIZE, what))
        return;
    guint32 blen, boff;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, CUSTOM_SIZE, ett_struct, NULL, what);
    obj_header(tvb, pinfo, t, 0, CUSTOM_SIZE, what);
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_item *li = proto_tree_add_item_ret_uint(t, hf_custom_len, tvb, 8, 4, ENC_LITTLE_ENDIAN, &blen);
    proto_item *oi = proto_tree_add_item_ret_uint(t, hf_custom_offset, tvb, 12, 4, ENC_LITTLE_ENDIAN, &boff);
    if (blen == 0)
        return;
    guint len = tvb_reported_length(tvb);
    if (boff < CUSTOM_SIZE || boff > len) {
        expert_add_info_format(pinfo, oi, &ei_overrun, "custom buffer offset %u lies outside the %u-byte buffer",
                               boff, len);
        return;
    }
    if (blen > len - boff) {
        expert_add_info_format(pinfo, li, &ei_overrun, "custom buffer of %u bytes at offset %u overruns the %u bytes",
                               blen, boff, len);
        blen = len - boff;
    }
    proto_tree_add_item(t, hf_custom_data, tvb, (gint)boff, (gint)blen, ENC_NA);
}

/* A port property payload by its NDIS_SWITCH_PORT_PROPERTY_TYPE. */
static void port_property_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint32 type)
{
    switch (type) {
    case 1:
        custom_wrapper(tvb, pinfo, tree, "NDIS_SWITCH_PORT_PROPERTY_CUSTOM");
        break;
    case 2:
        property_security(tvb, pinfo, tree);
        break;
    case 3:
        property_vlan(tvb, pinfo, tree);
        break;
    default:
        /* Profile, isolation and routing-domain layouts are not in the reference. */
        rest(tvb, tree, 0);
        break;
    }
}

/*
 * The property buffer a parameter structure points to ("off" and "len"
 * from the structure's start), decoded by "payload" when it fits.
 */
static void property_buffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *len_item,
                            proto_item *off_item, guint32 boff, guint32 blen, guint min_off, gboolean port,
                            guint32 type)
{
    if (blen == 0)
        return;
    guint len = tvb_reported_length(tvb);
    if (boff < min_off || boff > len) {
        expert_add_info_format(pinfo, off_item, &ei_overrun,
                               "property buffer offset %u lies outside the %u-byte buffer (or inside the parameters)",
                               boff, len);
        return;
    }
    if (blen > len - boff) {
        expert_add_info_format(pinfo, len_item, &ei_overrun,
                               "property buffer of %u bytes at offset %u overruns the %u-byte buffer", blen, boff, len);
        blen = len - boff;
    }
    proto_item *bi = proto_tree_add_item(tree, hf_prop_buffer, tvb, (gint)boff, (gint)blen, ENC_NA);
    proto_tree *bt = proto_item_add_subtree(bi, ett_prop);
    tvbuff_t *ptvb = tvb_new_subset_length(tvb, (gint)boff, (gint)blen);
    if (port)
        port_property_payload(ptvb, pinfo, bt, type);
    else if (type == 1)
        custom_wrapper(ptvb, pinfo, bt, "NDIS_SWITCH_PROPERTY_CUSTOM");
    else
        rest(ptvb, bt, 0);
}

/* NDIS_SWITCH_PORT_PROPERTY_PARAMETERS (ADD / UPDATE) and its payload. */
static void dissect_port_property(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, PORT_PROP_PARAMS_SIZE, "NDIS_SWITCH_PORT_PROPERTY_PARAMETERS"))
        return;
    guint32 port, type, blen, boff, rsvd;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, PORT_PROP_PARAMS_SIZE, ett_struct, NULL,
                                           "NDIS_SWITCH_PORT_PROPERTY_PARAMETERS");
    obj_header(tvb, pinfo, t, 0, PORT_PROP_PARAMS_SIZE, "NDIS_SWITCH_PORT_PROPERTY_PARAMETERS");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_prop_port_id, tvb, 8, 4, ENC_LITTLE_ENDIAN, &port);
    proto_tree_add_item_ret_uint(t, hf_prop_port_type, tvb, 12, 4, ENC_LITTLE_ENDIAN, &type);
    proto_tree_add_item(t, hf_prop_id, tvb, 16, 16, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_version, tvb, 32, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_ser_version, tvb, 34, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_instance, tvb, 36, 16, ENC_LITTLE_ENDIAN);
    proto_item *li = proto_tree_add_item_ret_uint(t, hf_prop_buf_len, tvb, 52, 4, ENC_LITTLE_ENDIAN, &blen);
    proto_item *oi = proto_tree_add_item_ret_uint(t, hf_prop_buf_offset, tvb, 56, 4, ENC_LITTLE_ENDIAN, &boff);
    proto_item *ri = proto_tree_add_item_ret_uint(t, hf_prop_reserved, tvb, 60, 4, ENC_LITTLE_ENDIAN, &rsvd);
    if (rsvd)
        expert_add_info(pinfo, ri, &ei_reserved);
    const char *tn = val_to_str_const(type, xsw_port_prop_type_vals, "unknown property type");
    proto_item_append_text(proto_tree_get_parent(t), ": port %u %s", port, tn);
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s", tn);
    property_buffer(tvb, pinfo, tree, li, oi, boff, blen, PORT_PROP_PARAMS_SIZE, TRUE, type);
}

static void dissect_port_property_delete(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, PORT_PROP_DELETE_SIZE, "NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS"))
        return;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, PORT_PROP_DELETE_SIZE, ett_struct, NULL,
                                           "NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS");
    obj_header(tvb, pinfo, t, 0, PORT_PROP_DELETE_SIZE, "NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_port_id, tvb, 8, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_port_type, tvb, 12, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_id, tvb, 16, 16, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_instance, tvb, 32, 16, ENC_LITTLE_ENDIAN);
    rest(tvb, tree, PORT_PROP_DELETE_SIZE);
}

/*
 * A property enumeration: the parameters, then NumProperties ENUM_INFO
 * elements from FirstPropertyOffset, each followed by its QWORD-aligned
 * property buffer (next = info + 40 + QwordAlignedPropertyBufferLength).
 */
static void dissect_property_enum(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean port,
                                  gboolean complete)
{
    const char *what = port ? "NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS" : "NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS";
    guint psize = port ? PORT_PROP_ENUM_PARAMS_SIZE : PROP_ENUM_PARAMS_SIZE;
    if (!fits(tvb, pinfo, tree, 0, psize, what))
        return;
    guint32 type, first, num;
    proto_item *fi, *ni;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, (gint)psize, ett_struct, NULL, what);
    obj_header(tvb, pinfo, t, 0, psize, what);
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    if (port) {
        proto_tree_add_item(t, hf_prop_port_id, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item_ret_uint(t, hf_prop_port_type, tvb, 12, 4, ENC_LITTLE_ENDIAN, &type);
        proto_tree_add_item(t, hf_prop_id, tvb, 16, 16, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_prop_ser_version, tvb, 32, 2, ENC_LITTLE_ENDIAN);
        fi = proto_tree_add_item_ret_uint(t, hf_prop_first, tvb, 36, 4, ENC_LITTLE_ENDIAN, &first);
        ni = proto_tree_add_item_ret_uint(t, hf_prop_num, tvb, 40, 4, ENC_LITTLE_ENDIAN, &num);
        proto_tree_add_item(t, hf_prop_reserved, tvb, 44, 2, ENC_LITTLE_ENDIAN);
    } else {
        proto_tree_add_item_ret_uint(t, hf_prop_type, tvb, 8, 4, ENC_LITTLE_ENDIAN, &type);
        proto_tree_add_item(t, hf_prop_id, tvb, 12, 16, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_prop_ser_version, tvb, 28, 2, ENC_LITTLE_ENDIAN);
        fi = proto_tree_add_item_ret_uint(t, hf_prop_first, tvb, 32, 4, ENC_LITTLE_ENDIAN, &first);
        ni = proto_tree_add_item_ret_uint(t, hf_prop_num, tvb, 36, 4, ENC_LITTLE_ENDIAN, &num);
    }
    proto_item_append_text(proto_tree_get_parent(t), ": %u properties", num);
    guint len = tvb_reported_length(tvb);
    /* The method's input is the parameters alone; the elements come with the output. */
    if (num == 0 || !complete) {
        rest(tvb, tree, port ? 48 : (int)psize);
        return;
    }
    if (first < psize || first > len) {
        expert_add_info_format(pinfo, fi, &ei_overrun, "FirstPropertyOffset %u lies outside the %u-byte buffer",
                               first, len);
        return;
    }
    guint off = first;
    for (guint i = 0; i < num; i++) {
        if (len - off < PORT_PROP_ENUM_INFO_SIZE) {
            expert_add_info_format(pinfo, ni, &ei_overrun,
                                   "element %u of %u does not fit: %u bytes left at offset %u", i, num, len - off, off);
            return;
        }
        guint32 qlen, blen, boff;
        proto_tree *et = proto_tree_add_subtree_format(tree, tvb, (gint)off, PORT_PROP_ENUM_INFO_SIZE, ett_elem, NULL,
                                                       "%s %u",
                                                       port ? "NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO"
                                                            : "NDIS_SWITCH_PROPERTY_ENUM_INFO",
                                                       i);
        obj_header(tvb, pinfo, et, (int)off, PORT_PROP_ENUM_INFO_SIZE, "property ENUM_INFO");
        proto_tree_add_item(et, hf_flags, tvb, (gint)off + 4, 4, ENC_LITTLE_ENDIAN);
        if (port) {
            proto_tree_add_item(et, hf_prop_version, tvb, (gint)off + 8, 2, ENC_LITTLE_ENDIAN);
            proto_tree_add_item(et, hf_prop_instance, tvb, (gint)off + 12, 16, ENC_LITTLE_ENDIAN);
        } else {
            proto_tree_add_item(et, hf_prop_instance, tvb, (gint)off + 8, 16, ENC_LITTLE_ENDIAN);
            proto_tree_add_item(et, hf_prop_version, tvb, (gint)off + 24, 2, ENC_LITTLE_ENDIAN);
        }
        proto_item *qi = proto_tree_add_item_ret_uint(et, hf_prop_qword_len, tvb, (gint)off + 28, 4,
                                                      ENC_LITTLE_ENDIAN, &qlen);
        proto_item *li = proto_tree_add_item_ret_uint(et, hf_prop_buf_len, tvb, (gint)off + 32, 4, ENC_LITTLE_ENDIAN,
                                                      &blen);
        proto_item *oi = proto_tree_add_item_ret_uint(et, hf_prop_buf_offset, tvb, (gint)off + 36, 4,
                                                      ENC_LITTLE_ENDIAN, &boff);
        tvbuff_t *etvb = tvb_new_subset_remaining(tvb, (gint)off);
        property_buffer(etvb, pinfo, et, li, oi, boff, blen, PORT_PROP_ENUM_INFO_SIZE, port, type);
        guint step = PORT_PROP_ENUM_INFO_SIZE + qlen;
        if (qlen > len - off - PORT_PROP_ENUM_INFO_SIZE) {
            if (i + 1 < num)
                expert_add_info_format(pinfo, qi, &ei_overrun,
                                       "QwordAlignedPropertyBufferLength %u overruns the buffer; %u elements not shown",
                                       qlen, num - i - 1);
            return;
        }
        off += step;
    }
}

/* NDIS_SWITCH_PROPERTY_PARAMETERS (switch property ADD / UPDATE). */
static void dissect_switch_property(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, PROP_PARAMS_SIZE, "NDIS_SWITCH_PROPERTY_PARAMETERS"))
        return;
    guint32 type, blen, boff;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, PROP_PARAMS_SIZE, ett_struct, NULL,
                                           "NDIS_SWITCH_PROPERTY_PARAMETERS");
    obj_header(tvb, pinfo, t, 0, PROP_PARAMS_SIZE, "NDIS_SWITCH_PROPERTY_PARAMETERS");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item_ret_uint(t, hf_prop_type, tvb, 8, 4, ENC_LITTLE_ENDIAN, &type);
    proto_tree_add_item(t, hf_prop_id, tvb, 12, 16, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_version, tvb, 28, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_ser_version, tvb, 30, 2, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_instance, tvb, 32, 16, ENC_LITTLE_ENDIAN);
    proto_item *li = proto_tree_add_item_ret_uint(t, hf_prop_buf_len, tvb, 48, 4, ENC_LITTLE_ENDIAN, &blen);
    proto_item *oi = proto_tree_add_item_ret_uint(t, hf_prop_buf_offset, tvb, 52, 4, ENC_LITTLE_ENDIAN, &boff);
    property_buffer(tvb, pinfo, tree, li, oi, boff, blen, PROP_PARAMS_SIZE, FALSE, type);
}

static void dissect_switch_property_delete(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (!fits(tvb, pinfo, tree, 0, PROP_DELETE_SIZE, "NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS"))
        return;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, PROP_DELETE_SIZE, ett_struct, NULL,
                                           "NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS");
    obj_header(tvb, pinfo, t, 0, PROP_DELETE_SIZE, "NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS");
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_type, tvb, 8, 4, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_id, tvb, 12, 16, ENC_LITTLE_ENDIAN);
    proto_tree_add_item(t, hf_prop_instance, tvb, 28, 16, ENC_LITTLE_ENDIAN);
    rest(tvb, tree, PROP_DELETE_SIZE);
}

/*
 * Feature-status query parameters (port: 64 bytes, length before offset;
 * switch: 56 bytes, offset before length) and the custom status buffer.
 */
static void dissect_feature_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean port)
{
    const char *what = port ? "NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS" : "NDIS_SWITCH_FEATURE_STATUS_PARAMETERS";
    guint psize = port ? PORT_FS_PARAMS_SIZE : FS_PARAMS_SIZE;
    if (!fits(tvb, pinfo, tree, 0, psize, what))
        return;
    guint32 type, blen, boff, rsvd;
    proto_item *li, *oi;
    proto_tree *t = proto_tree_add_subtree(tree, tvb, 0, (gint)psize, ett_struct, NULL, what);
    obj_header(tvb, pinfo, t, 0, psize, what);
    proto_tree_add_item(t, hf_flags, tvb, 4, 4, ENC_LITTLE_ENDIAN);
    if (port) {
        proto_tree_add_item(t, hf_fs_port_id, tvb, 8, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item_ret_uint(t, hf_fs_type, tvb, 12, 4, ENC_LITTLE_ENDIAN, &type);
        proto_tree_add_item(t, hf_fs_id, tvb, 16, 16, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_fs_version, tvb, 32, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_fs_ser_version, tvb, 34, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_fs_instance, tvb, 36, 16, ENC_LITTLE_ENDIAN);
        li = proto_tree_add_item_ret_uint(t, hf_fs_buf_len, tvb, 52, 4, ENC_LITTLE_ENDIAN, &blen);
        oi = proto_tree_add_item_ret_uint(t, hf_fs_buf_offset, tvb, 56, 4, ENC_LITTLE_ENDIAN, &boff);
        proto_item *ri = proto_tree_add_item_ret_uint(t, hf_fs_reserved, tvb, 60, 4, ENC_LITTLE_ENDIAN, &rsvd);
        if (rsvd)
            expert_add_info(pinfo, ri, &ei_reserved);
    } else {
        proto_tree_add_item_ret_uint(t, hf_fs_type, tvb, 8, 4, ENC_LITTLE_ENDIAN, &type);
        proto_tree_add_item(t, hf_fs_id, tvb, 12, 16, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_fs_instance, tvb, 28, 16, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_fs_version, tvb, 44, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_fs_ser_version, tvb, 46, 2, ENC_LITTLE_ENDIAN);
        oi = proto_tree_add_item_ret_uint(t, hf_fs_buf_offset, tvb, 48, 4, ENC_LITTLE_ENDIAN, &boff);
        li = proto_tree_add_item_ret_uint(t, hf_fs_buf_len, tvb, 52, 4, ENC_LITTLE_ENDIAN, &blen);
    }
    if (blen == 0)
        return;
    guint len = tvb_reported_length(tvb);
    if (boff < psize || boff > len) {
        expert_add_info_format(pinfo, oi, &ei_overrun, "feature status buffer offset %u lies outside the %u bytes",
                               boff, len);
        return;
    }
    if (blen > len - boff) {
        expert_add_info_format(pinfo, li, &ei_overrun,
                               "feature status buffer of %u bytes at offset %u overruns the %u bytes", blen, boff,
                               len);
        blen = len - boff;
    }
    proto_item *bi = proto_tree_add_item(tree, hf_prop_buffer, tvb, (gint)boff, (gint)blen, ENC_NA);
    proto_tree *bt = proto_item_add_subtree(bi, ett_prop);
    tvbuff_t *btvb = tvb_new_subset_length(tvb, (gint)boff, (gint)blen);
    if (type == 1)
        custom_wrapper(btvb, pinfo, bt,
                       port ? "NDIS_SWITCH_PORT_FEATURE_STATUS_CUSTOM" : "NDIS_SWITCH_FEATURE_STATUS_CUSTOM");
    else
        rest(btvb, bt, 0);
}

void xsw_dissect_oid_buffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint32 oid, gboolean complete)
{
    /* A query request's buffer holds nothing yet: only completions are decoded. */
    if (xsw_oid_type(oid) == 'Q' && !complete) {
        rest(tvb, tree, 0);
        return;
    }
    switch (oid) {
    case XD_OID_SWITCH_PARAMETERS:
        dissect_switch_parameters(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_PORT_ARRAY:
        dissect_array(tvb, pinfo, tree, FALSE);
        break;
    case XD_OID_SWITCH_NIC_ARRAY:
        dissect_array(tvb, pinfo, tree, TRUE);
        break;
    case XD_OID_SWITCH_PORT_CREATE:
    case XD_OID_SWITCH_PORT_DELETE:
    case XD_OID_SWITCH_PORT_TEARDOWN:
    case XD_OID_SWITCH_PORT_UPDATED:
        port_parameters(tvb, pinfo, tree, 0, "NDIS_SWITCH_PORT_PARAMETERS", TRUE);
        rest(tvb, tree, PORT_PARAMETERS_SIZE_R1);
        break;
    case XD_OID_SWITCH_NIC_CREATE:
    case XD_OID_SWITCH_NIC_CONNECT:
    case XD_OID_SWITCH_NIC_DISCONNECT:
    case XD_OID_SWITCH_NIC_DELETE:
    case XD_OID_SWITCH_NIC_UPDATED: {
        guint len = tvb_reported_length(tvb);
        nic_parameters(tvb, pinfo, tree, 0, len, "NDIS_SWITCH_NIC_PARAMETERS", TRUE);
        guint used = (len >= NIC_PARAMETERS_SIZE_R2 && tvb_get_guint8(tvb, 1) >= 2) ? NIC_PARAMETERS_SIZE_R2
                                                                                     : NIC_PARAMETERS_SIZE_R1;
        if (len > used)
            rest(tvb, tree, (int)used);
        break;
    }
    case XD_OID_SWITCH_NIC_REQUEST:
        dissect_nic_request(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_NIC_SAVE:
    case XD_OID_SWITCH_NIC_SAVE_COMPLETE:
    case XD_OID_SWITCH_NIC_RESTORE:
    case XD_OID_SWITCH_NIC_RESTORE_COMPLETE:
        dissect_save_state(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_PORT_PROPERTY_ADD:
    case XD_OID_SWITCH_PORT_PROPERTY_UPDATE:
        dissect_port_property(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_PORT_PROPERTY_DELETE:
        dissect_port_property_delete(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_PORT_PROPERTY_ENUM:
        dissect_property_enum(tvb, pinfo, tree, TRUE, complete);
        break;
    case XD_OID_SWITCH_PROPERTY_ADD:
    case XD_OID_SWITCH_PROPERTY_UPDATE:
        dissect_switch_property(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_PROPERTY_DELETE:
        dissect_switch_property_delete(tvb, pinfo, tree);
        break;
    case XD_OID_SWITCH_PROPERTY_ENUM:
        dissect_property_enum(tvb, pinfo, tree, FALSE, complete);
        break;
    case XD_OID_SWITCH_FEATURE_STATUS_QUERY:
        dissect_feature_status(tvb, pinfo, tree, FALSE);
        break;
    case XD_OID_SWITCH_PORT_FEATURE_STATUS_QUERY:
        dissect_feature_status(tvb, pinfo, tree, TRUE);
        break;
    default:
        rest(tvb, tree, 0);
        break;
    }
}

void xsw_switch_register(int proto)
{
    static hf_register_info hf[] = {
        { &hf_obj_type, { "Type", "xsw.obj.type", FT_UINT8, BASE_HEX, VALS(xsw_obj_type_vals), 0, "NDIS_OBJECT_HEADER Type", HFILL } },
        { &hf_obj_revision, { "Revision", "xsw.obj.revision", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_obj_size, { "Size", "xsw.obj.size", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_flags, { "Flags", "xsw.obj.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },

        { &hf_sw_name_len, { "SwitchName length", "xsw.switch.name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_sw_name, { "SwitchName", "xsw.switch.name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sw_fname_len, { "SwitchFriendlyName length", "xsw.switch.friendly_name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_sw_fname, { "SwitchFriendlyName", "xsw.switch.friendly_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sw_num_ports, { "NumSwitchPorts", "xsw.switch.num_ports", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sw_is_active, { "IsActive", "xsw.switch.is_active", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },

        { &hf_port_flags, { "Flags", "xsw.port.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_port_flag_untrusted, { "UNTRUSTED_INTERNAL_PORT", "xsw.port.flags.untrusted_internal", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_port_flag_restoring, { "RESTORING_PORT", "xsw.port.flags.restoring", FT_BOOLEAN, 32, NULL, 0x2, NULL, HFILL } },
        { &hf_port_id, { "PortId", "xsw.port.id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_port_name_len, { "PortName length", "xsw.port.name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_port_name, { "PortName", "xsw.port.name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_port_fname_len, { "PortFriendlyName length", "xsw.port.friendly_name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_port_fname, { "PortFriendlyName", "xsw.port.friendly_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_port_type, { "PortType", "xsw.port.type", FT_UINT32, BASE_DEC, VALS(xsw_port_type_vals), 0, NULL, HFILL } },
        { &hf_port_is_validation, { "IsValidationPort", "xsw.port.is_validation", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_port_state, { "PortState", "xsw.port.state", FT_UINT32, BASE_DEC, VALS(xsw_port_state_vals), 0, NULL, HFILL } },

        { &hf_arr_first, { "FirstElementOffset", "xsw.array.first_offset", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_arr_num, { "NumElements", "xsw.array.num_elements", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_arr_elem_size, { "ElementSize", "xsw.array.element_size", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },

        { &hf_nic_flags, { "Flags", "xsw.nic.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_nic_flag_initializing, { "NIC_INITIALIZING", "xsw.nic.flags.initializing", FT_BOOLEAN, 32, NULL, 0x1, NULL, HFILL } },
        { &hf_nic_flag_suspended, { "NIC_SUSPENDED", "xsw.nic.flags.suspended", FT_BOOLEAN, 32, NULL, 0x2, NULL, HFILL } },
        { &hf_nic_flag_mapped_updated, { "MAPPED_NIC_UPDATED", "xsw.nic.flags.mapped_nic_updated", FT_BOOLEAN, 32, NULL, 0x4, NULL, HFILL } },
        { &hf_nic_flag_suspended_lm, { "NIC_SUSPENDED_LM", "xsw.nic.flags.suspended_lm", FT_BOOLEAN, 32, NULL, 0x10, NULL, HFILL } },
        { &hf_nic_name_len, { "NicName length", "xsw.nic.name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_nic_name, { "NicName", "xsw.nic.name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_fname_len, { "NicFriendlyName length", "xsw.nic.friendly_name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_nic_fname, { "NicFriendlyName", "xsw.nic.friendly_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_port_id, { "PortId", "xsw.nic.port_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nic_index, { "NicIndex", "xsw.nic.index", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nic_type, { "NicType", "xsw.nic.type", FT_UINT32, BASE_DEC, VALS(xsw_nic_type_vals), 0, NULL, HFILL } },
        { &hf_nic_state, { "NicState", "xsw.nic.state", FT_UINT32, BASE_DEC, VALS(xsw_nic_state_vals), 0, NULL, HFILL } },
        { &hf_nic_vm_name_len, { "VmName length", "xsw.nic.vm_name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_nic_vm_name, { "VmName", "xsw.nic.vm_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_vm_fname_len, { "VmFriendlyName length", "xsw.nic.vm_friendly_name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_nic_vm_fname, { "VmFriendlyName", "xsw.nic.vm_friendly_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_netcfg_id, { "NetCfgInstanceId", "xsw.nic.netcfg_instance_id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_mtu, { "MTU", "xsw.nic.mtu", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nic_numa, { "NumaNodeId", "xsw.nic.numa_node", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nic_perm_mac, { "PermanentMacAddress", "xsw.nic.permanent_mac", FT_ETHER, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_vm_mac, { "VMMacAddress", "xsw.nic.vm_mac", FT_ETHER, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_cur_mac, { "CurrentMacAddress", "xsw.nic.current_mac", FT_ETHER, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_nic_mac_pad, { "Unused address bytes", "xsw.nic.mac_unused", FT_BYTES, BASE_NONE, NULL, 0, "Bytes 6-31 of the UCHAR[32] address", HFILL } },
        { &hf_nic_vf_assigned, { "VFAssigned", "xsw.nic.vf_assigned", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nic_reserved, { "NdisReserved", "xsw.nic.ndis_reserved", FT_BYTES, BASE_NONE, NULL, 0, "Revision 2", HFILL } },

        { &hf_nr_src_port, { "SourcePortId", "xsw.nicreq.src_port", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nr_src_nic, { "SourceNicIndex", "xsw.nicreq.src_nic", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nr_dst_port, { "DestinationPortId", "xsw.nicreq.dst_port", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nr_dst_nic, { "DestinationNicIndex", "xsw.nicreq.dst_nic", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_nr_oid_request, { "OidRequest", "xsw.nicreq.oid_request", FT_UINT64, BASE_HEX, NULL, 0, "Pointer to the encapsulated request", HFILL } },
        { &hf_nr_inner_data, { "Inner information buffer", "xsw.nicreq.inner_data", FT_BYTES, BASE_NONE, NULL, 0, "Information buffer of the encapsulated request", HFILL } },

        { &hf_ns_src_port, { "SourcePortId", "xsw.nicst.src_port", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ns_src_nic, { "SourceNicIndex", "xsw.nicst.src_nic", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ns_dst_port, { "DestinationPortId", "xsw.nicst.dst_port", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ns_dst_nic, { "DestinationNicIndex", "xsw.nicst.dst_nic", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ns_indication, { "StatusIndication", "xsw.nicst.status_indication", FT_UINT64, BASE_HEX, NULL, 0, "Pointer to the wrapped indication", HFILL } },
        { &hf_ns_inner_data, { "Inner status buffer", "xsw.nicst.inner_data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_sv_port_id, { "PortId", "xsw.save.port_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sv_nic_index, { "NicIndex", "xsw.save.nic_index", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sv_ext_id, { "ExtensionId", "xsw.save.extension_id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sv_ext_fname_len, { "ExtensionFriendlyName length", "xsw.save.extension_name_len", FT_UINT16, BASE_DEC, NULL, 0, "Bytes", HFILL } },
        { &hf_sv_ext_fname, { "ExtensionFriendlyName", "xsw.save.extension_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sv_feature_class, { "FeatureClassId", "xsw.save.feature_class_id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sv_data_size, { "SaveDataSize", "xsw.save.data_size", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sv_data_offset, { "SaveDataOffset", "xsw.save.data_offset", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sv_size_overflow, { "SaveDataSizeOverflow", "xsw.save.data_size_overflow", FT_UINT32, BASE_DEC, NULL, 0, "Revision 2", HFILL } },
        { &hf_sv_data, { "SaveData", "xsw.save.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_prop_port_id, { "PortId", "xsw.prop.port_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_prop_port_type, { "PropertyType", "xsw.prop.port_type", FT_UINT32, BASE_DEC, VALS(xsw_port_prop_type_vals), 0, "NDIS_SWITCH_PORT_PROPERTY_TYPE", HFILL } },
        { &hf_prop_type, { "PropertyType", "xsw.prop.type", FT_UINT32, BASE_DEC, VALS(xsw_prop_type_vals), 0, "NDIS_SWITCH_PROPERTY_TYPE", HFILL } },
        { &hf_prop_id, { "PropertyId", "xsw.prop.id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_prop_version, { "PropertyVersion", "xsw.prop.version", FT_UINT16, BASE_HEX, NULL, 0, "(major << 8) + minor", HFILL } },
        { &hf_prop_ser_version, { "SerializationVersion", "xsw.prop.serialization_version", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_prop_instance, { "PropertyInstanceId", "xsw.prop.instance_id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_prop_buf_len, { "PropertyBufferLength", "xsw.prop.buf_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_prop_buf_offset, { "PropertyBufferOffset", "xsw.prop.buf_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_prop_reserved, { "Reserved", "xsw.prop.reserved", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_prop_buffer, { "Property buffer", "xsw.prop.buffer", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_prop_first, { "FirstPropertyOffset", "xsw.prop.first_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_prop_num, { "NumProperties", "xsw.prop.num", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_prop_qword_len, { "QwordAlignedPropertyBufferLength", "xsw.prop.qword_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },

        { &hf_sec_mac_spoofing, { "AllowMacSpoofing", "xsw.sec.allow_mac_spoofing", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sec_prio_tag, { "AllowIeeePriorityTag", "xsw.sec.allow_ieee_priority_tag", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sec_vsid, { "VirtualSubnetId", "xsw.sec.virtual_subnet_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sec_teaming, { "AllowTeaming", "xsw.sec.allow_teaming", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_sec_dyn_ip_limit, { "DynamicIPAddressLimit", "xsw.sec.dynamic_ip_limit", FT_UINT32, BASE_DEC, NULL, 0, "Revision 2", HFILL } },

        { &hf_vlan_mode, { "OperationMode", "xsw.vlan.mode", FT_UINT32, BASE_DEC, VALS(xsw_vlan_mode_vals), 0, NULL, HFILL } },
        { &hf_vlan_access, { "AccessVlanId", "xsw.vlan.access_id", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vlan_native, { "NativeVlanId", "xsw.vlan.native_id", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vlan_prune, { "PruneVlanIdArray", "xsw.vlan.prune_array", FT_BYTES, BASE_NONE, NULL, 0, "64 x UINT64 bitmap", HFILL } },
        { &hf_vlan_trunk, { "TrunkVlanIdArray", "xsw.vlan.trunk_array", FT_BYTES, BASE_NONE, NULL, 0, "64 x UINT64 bitmap", HFILL } },
        { &hf_vlan_trunk_list, { "VLAN ids set", "xsw.vlan.trunk_list", FT_STRING, BASE_NONE, NULL, 0, "Bits set in the trunk or secondary bitmap", HFILL } },
        { &hf_vlan_prune_list, { "Pruned VLAN ids", "xsw.vlan.prune_list", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_vlan_pvlan_mode, { "PvlanMode", "xsw.vlan.pvlan_mode", FT_UINT32, BASE_DEC, VALS(xsw_pvlan_mode_vals), 0, NULL, HFILL } },
        { &hf_vlan_primary, { "PrimaryVlanId", "xsw.vlan.primary_id", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vlan_secondary, { "SecondaryVlanId", "xsw.vlan.secondary_id", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_vlan_secondary_array, { "SecondaryVlanIdArray", "xsw.vlan.secondary_array", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_custom_len, { "Custom buffer length", "xsw.custom.buf_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_custom_offset, { "Custom buffer offset", "xsw.custom.buf_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_custom_data, { "Custom data", "xsw.custom.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },

        { &hf_fs_port_id, { "PortId", "xsw.fs.port_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_fs_type, { "FeatureStatusType", "xsw.fs.type", FT_UINT32, BASE_DEC, VALS(xsw_feature_status_type_vals), 0, NULL, HFILL } },
        { &hf_fs_id, { "FeatureStatusId", "xsw.fs.id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_fs_version, { "FeatureStatusVersion", "xsw.fs.version", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_fs_ser_version, { "SerializationVersion", "xsw.fs.serialization_version", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_fs_instance, { "FeatureStatusInstanceId", "xsw.fs.instance_id", FT_GUID, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_fs_buf_len, { "FeatureStatusBufferLength", "xsw.fs.buf_len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_fs_buf_offset, { "FeatureStatusBufferOffset", "xsw.fs.buf_offset", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_fs_reserved, { "Reserved", "xsw.fs.reserved", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },

        { &hf_raw, { "Undecoded bytes", "xsw.obj.undecoded", FT_BYTES, BASE_NONE, NULL, 0, "Bytes no structure of the reference describes", HFILL } },
    };
    static gint *ett[] = { &ett_obj, &ett_struct, &ett_elem, &ett_flags, &ett_prop };
    static ei_register_info ei[] = {
        { &ei_short, { "xsw.obj.too_short", PI_MALFORMED, PI_ERROR, "Buffer too short for its structure", EXPFILL } },
        { &ei_overrun, { "xsw.obj.overrun", PI_MALFORMED, PI_ERROR, "Declared offset, length or count overruns the buffer", EXPFILL } },
        { &ei_obj_header, { "xsw.obj.bad_header", PI_PROTOCOL, PI_WARN, "Unexpected NDIS_OBJECT_HEADER", EXPFILL } },
        { &ei_string, { "xsw.obj.bad_string", PI_MALFORMED, PI_ERROR, "Invalid counted string length", EXPFILL } },
        { &ei_reserved, { "xsw.obj.reserved_set", PI_PROTOCOL, PI_WARN, "Reserved field not zero", EXPFILL } },
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}
