/*
 * xsw-dissectors.h - interfaces shared by the four dissectors of the xsw
 * Wireshark plugin (xsw, vmbus, nvsp, rndis) and the value_string tables
 * they build from the .def files of include/xsw/defs.
 *
 * The dissectors hand data to each other through the "data" argument of
 * call_dissector_with_data(); the structures below are that contract. Each
 * receiver accepts data == NULL (bytes typed in by hand, exported PDUs
 * naming "vmbus", "nvsp" or "rndis" directly) and then decodes without
 * direction or channel context.
 *
 * Normative references: ../../shared/reference/vmbus-nvsp-rndis.md (VMBus,
 * NVSP, RNDIS), extensible-switch.md §1-3 (switch OIDs and structures),
 * include/xsw/trace.h (the record format).
 */
#ifndef XSW_DISSECTORS_H
#define XSW_DISSECTORS_H

#include <epan/packet.h>
#include <epan/value_string.h>

/*
 * Constants from the shared tables, as enumerators usable in case labels
 * (XD_<name>). Values above INT_MAX wrap through int32_t; a switch over a
 * guint32 converts them back, so comparisons stay exact.
 */
enum xsw_diss_oid {
#define XSW_OID(name, value, type, cls) XD_##name = (int32_t)(uint32_t)(value),
#include "xsw/defs/oids.def"
#undef XSW_OID
};
enum xsw_diss_status {
#define XSW_STATUS(name, value) XD_##name = (int32_t)(uint32_t)(value),
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS
};
enum xsw_diss_vmbus_pkt {
#define XSW_VMBUS_PKT(name, value) XD_##name = (value),
#include "xsw/defs/vmbus_pkt_types.def"
#undef XSW_VMBUS_PKT
};
enum xsw_diss_nvsp_msg {
#define XSW_NVSP_MSG(name, value) XD_##name = (value),
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
};
enum xsw_diss_rndis_msg {
#define XSW_RNDIS_MSG(name, value) XD_##name = (int32_t)(uint32_t)(value),
#include "xsw/defs/rndis_msg.def"
#undef XSW_RNDIS_MSG
};
enum xsw_diss_netvsc_const {
#define XSW_NETVSC_CONST(name, value) XD_##name = (int32_t)(uint32_t)(value),
#define XSW_NETVSC_CONST64(name, value)
#include "xsw/defs/netvsc_consts.def"
#undef XSW_NETVSC_CONST
#undef XSW_NETVSC_CONST64
};

/* Direction of a VMBus packet as recorded in the xsw VMBUS body. */
#define XSW_DIR_GUEST_TO_HOST 0
#define XSW_DIR_HOST_TO_GUEST 1
#define XSW_DIR_UNKNOWN 0xFF

/* xsw -> vmbus: the channel context and the shared-buffer bytes. */
struct xsw_vmbus_info {
    guint32 channel;   /* channel relid */
    guint8 dir;        /* XSW_DIR_* */
    guint32 port_id;   /* VM NIC owning the channel */
    guint16 nic_index;
    tvbuff_t *shared;  /* bytes from shared buffers, NULL if none */
};

/*
 * vmbus -> nvsp. "rndis" lists the RNDIS buffers the packet references,
 * already located in the shared bytes: one per transfer-page range, or a
 * single buffer for a send-buffer section or the GPA-direct ranges.
 */
#define XSW_MAX_RNDIS_BUFS 600 /* NVSP_RSC_MAX 562 rounded up (vmbus-nvsp-rndis.md §2.6) */
struct xsw_nvsp_info {
    guint32 channel;
    guint8 dir;
    guint16 vmbus_type;     /* VM_PKT_* */
    gboolean is_completion; /* carried in a VM_PKT_COMP */
    guint64 trans_id;
    guint32 request_frame;  /* for a completion: frame of the matched request, 0 if none */
    guint32 request_nvsp_type; /* NVSP type of that request, 0xFFFFFFFF if unknown */
    tvbuff_t *shared;       /* all shared bytes, NULL if none */
    unsigned n_rndis;
    tvbuff_t *rndis[XSW_MAX_RNDIS_BUFS];
};

/* nvsp -> rndis. */
struct xsw_rndis_info {
    guint32 channel;
    guint8 dir;
};

/* Value tables built from the shared .def files (xsw-names.c). */
extern const value_string xsw_kind_vals[];
extern const value_string xsw_oid_vals[];
extern const value_string xsw_oid_class_vals[];
extern const value_string xsw_ndis_status_vals[];
extern const value_string xsw_handler_vals[];
extern const value_string xsw_filter_event_vals[];
extern const value_string xsw_finding_vals[];
extern const value_string xsw_vmbus_pkt_vals[];
extern const value_string xsw_nvsp_type_vals[];
extern const value_string xsw_nvsp_status_vals[];
extern const value_string xsw_nvsp_version_vals[];
extern const value_string xsw_rndis_msg_vals[];
extern const value_string xsw_ppi_type_vals[];
extern const value_string xsw_ppi_internal_type_vals[];

/* Small enumerations of the NDIS structures (xsw-names.c cites each source). */
extern const value_string xsw_request_type_vals[];
extern const value_string xsw_pnp_event_vals[];
extern const value_string xsw_irql_vals[];
extern const value_string xsw_obj_type_vals[];
extern const value_string xsw_port_type_vals[];
extern const value_string xsw_nic_type_vals[];
extern const value_string xsw_port_state_vals[];
extern const value_string xsw_nic_state_vals[];
extern const value_string xsw_port_prop_type_vals[];
extern const value_string xsw_prop_type_vals[];
extern const value_string xsw_feature_status_type_vals[];
extern const value_string xsw_vlan_mode_vals[];
extern const value_string xsw_pvlan_mode_vals[];

/*
 * Value tables of netvsc_consts.def entries sharing a name prefix, filled by
 * xsw_names_init() before any protocol registers its fields.
 */
extern value_string xsw_nvsp_channel_type_vals[];
extern value_string xsw_nvsp_datapath_vals[];
extern value_string xsw_nvsp_subchannel_op_vals[];
extern value_string xsw_media_state_vals[];
extern value_string xsw_rndis_medium_vals[];
void xsw_names_init(void);

/* Class of an OID from oids.def ("SWITCH_P", ...), or NULL. */
const char *xsw_oid_class(guint32 oid);
/* Request type letter of an OID from oids.def ('Q', 'S', 'M', 'A'), or 0. */
char xsw_oid_type(guint32 oid);

/* Registration entry points called from plugin.c. */
void proto_register_xsw(void);
void proto_reg_handoff_xsw(void);
void proto_register_vmbus(void);
void proto_reg_handoff_vmbus(void);
void proto_register_nvsp(void);
void proto_reg_handoff_nvsp(void);
void proto_register_rndis(void);
void proto_reg_handoff_rndis(void);

/*
 * packet-xsw-switch.c: decoding of OID information buffers (the switch
 * structures of extensible-switch.md §3). "complete" tells whether the
 * buffer comes from an OID_COMPLETE record.
 */
void xsw_switch_register(int proto);
void xsw_dissect_oid_buffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint32 oid,
                            gboolean complete);
void xsw_dissect_nic_status(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

#endif
