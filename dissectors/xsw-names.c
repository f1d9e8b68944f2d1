/*
 * xsw-names.c - the value_string tables of the xsw plugin.
 *
 * Every name that also exists elsewhere in xsw comes from the single
 * constant tables in the .def files of include/xsw/defs through X-macros, so a name can
 * never differ between the harness, the analyzer and Wireshark. The small
 * enumerations at the end describe Windows structures that only the
 * dissector decodes; each cites its source in shared/reference.
 */
#include "xsw-dissectors.h"

#include <stdint.h>
#include <string.h>

const value_string xsw_kind_vals[] = {
#define XSW_KIND(name, value, desc) { value, #name },
#include "xsw/defs/trace_kinds.def"
#undef XSW_KIND
    { 0, NULL }
};

const value_string xsw_oid_vals[] = {
#define XSW_OID(name, value, type, class) { value, #name },
#include "xsw/defs/oids.def"
#undef XSW_OID
    { 0, NULL }
};

/* Class and request type per OID, same order as oids.def. */
struct oid_attr {
    guint32 oid;
    const char *type;
    const char *cls;
};
static const struct oid_attr oid_attrs[] = {
#define XSW_OID(name, value, type, class) { value, #type, #class },
#include "xsw/defs/oids.def"
#undef XSW_OID
};

const char *xsw_oid_class(guint32 oid)
{
    for (size_t i = 0; i < G_N_ELEMENTS(oid_attrs); i++)
        if (oid_attrs[i].oid == oid)
            return oid_attrs[i].cls;
    return NULL;
}

char xsw_oid_type(guint32 oid)
{
    for (size_t i = 0; i < G_N_ELEMENTS(oid_attrs); i++)
        if (oid_attrs[i].oid == oid)
            return oid_attrs[i].type[0];
    return 0;
}

const value_string xsw_ndis_status_vals[] = {
#define XSW_STATUS(name, value) { value, #name },
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS
    { 0, NULL }
};

const value_string xsw_handler_vals[] = {
#define XSW_HANDLER(name, id) { id, #name },
#include "xsw/defs/switch_handlers.def"
#undef XSW_HANDLER
    { 0, NULL }
};

const value_string xsw_filter_event_vals[] = {
#define XSW_FEVENT(name, id, desc) { id, desc },
#include "xsw/defs/filter_events.def"
#undef XSW_FEVENT
    { 0, NULL }
};

const value_string xsw_finding_vals[] = {
#define XSW_FINDING(name, id, text) { id, #name },
#include "xsw/defs/findings.def"
#undef XSW_FINDING
    { 0, NULL }
};

const value_string xsw_vmbus_pkt_vals[] = {
#define XSW_VMBUS_PKT(name, value) { value, #name },
#include "xsw/defs/vmbus_pkt_types.def"
#undef XSW_VMBUS_PKT
    { 0, NULL }
};

const value_string xsw_nvsp_type_vals[] = {
#define XSW_NVSP_MSG(name, value) { value, #name },
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
    { 0, NULL }
};

const value_string xsw_nvsp_status_vals[] = {
#define XSW_NVSP_STATUS(name, value) { value, #name },
#include "xsw/defs/nvsp_status.def"
#undef XSW_NVSP_STATUS
    { 0, NULL }
};

const value_string xsw_nvsp_version_vals[] = {
#define XSW_NVSP_VERSION(name, value) { value, #name },
#include "xsw/defs/nvsp_versions.def"
#undef XSW_NVSP_VERSION
    { 0, NULL }
};

const value_string xsw_rndis_msg_vals[] = {
#define XSW_RNDIS_MSG(name, value) { value, #name },
#include "xsw/defs/rndis_msg.def"
#undef XSW_RNDIS_MSG
    { 0, NULL }
};

/* ppi_types.def mixes the two numbering spaces; split them by "internal". */
const value_string xsw_ppi_type_vals[] = {
#define XSW_PPI(name, value, internal) { (internal) ? 0xFFFFFFFFu : (value), #name },
#include "xsw/defs/ppi_types.def"
#undef XSW_PPI
    { 0, NULL }
};

const value_string xsw_ppi_internal_type_vals[] = {
#define XSW_PPI(name, value, internal) { (internal) ? (value) : 0xFFFFFFFFu, #name },
#include "xsw/defs/ppi_types.def"
#undef XSW_PPI
    { 0, NULL }
};

/*
 * netvsc_consts.def holds the NVSP and RNDIS field values under name
 * prefixes; the value tables below are the entries of one prefix each.
 */
struct named_const {
    const char *name;
    guint32 value;
};
static const struct named_const netvsc_consts[] = {
#define XSW_NETVSC_CONST(name, value) { #name, (guint32)(value) },
#define XSW_NETVSC_CONST64(name, value)
#include "xsw/defs/netvsc_consts.def"
#undef XSW_NETVSC_CONST
#undef XSW_NETVSC_CONST64
};

#define PREFIX_VALS_MAX 8
value_string xsw_nvsp_channel_type_vals[PREFIX_VALS_MAX + 1];
value_string xsw_nvsp_datapath_vals[PREFIX_VALS_MAX + 1];
value_string xsw_nvsp_subchannel_op_vals[PREFIX_VALS_MAX + 1];
value_string xsw_media_state_vals[PREFIX_VALS_MAX + 1];
value_string xsw_rndis_medium_vals[PREFIX_VALS_MAX + 1];

/* Fill "vs" with the constants named "prefix"..., except names ending in "_MAX". */
static void fill_by_prefix(value_string *vs, const char *prefix)
{
    size_t n = 0, plen = strlen(prefix);
    for (size_t i = 0; i < G_N_ELEMENTS(netvsc_consts) && n < PREFIX_VALS_MAX; i++) {
        const char *name = netvsc_consts[i].name;
        size_t len = strlen(name);
        if (strncmp(name, prefix, plen) != 0 || (len > 4 && strcmp(name + len - 4, "_MAX") == 0))
            continue;
        vs[n].value = netvsc_consts[i].value;
        vs[n].strptr = name;
        n++;
    }
    vs[n].value = 0;
    vs[n].strptr = NULL;
}

void xsw_names_init(void)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    fill_by_prefix(xsw_nvsp_channel_type_vals, "NVSP_CHANNEL_TYPE_");
    fill_by_prefix(xsw_nvsp_datapath_vals, "NVSP_DATAPATH_");
    fill_by_prefix(xsw_nvsp_subchannel_op_vals, "NVSP_SUBCHANNEL_");
    fill_by_prefix(xsw_media_state_vals, "NDIS_MEDIA_STATE_");
    fill_by_prefix(xsw_rndis_medium_vals, "RNDIS_MEDIUM_");
}

/* NDIS_REQUEST_TYPE (ndis.h / ntddndis.h). */
const value_string xsw_request_type_vals[] = {
    { 0, "NdisRequestQueryInformation" },
    { 1, "NdisRequestSetInformation" },
    { 2, "NdisRequestQueryStatistics" },
    { 3, "NdisRequestOpen" },
    { 4, "NdisRequestClose" },
    { 5, "NdisRequestSend" },
    { 6, "NdisRequestTransferData" },
    { 7, "NdisRequestReset" },
    { 8, "NdisRequestGeneric1" },
    { 9, "NdisRequestGeneric2" },
    { 10, "NdisRequestGeneric3" },
    { 11, "NdisRequestGeneric4" },
    { 12, "NdisRequestMethod" },
    { 0, NULL }
};

/* NET_PNP_EVENT_CODE, in enum order (extensible-switch.md §1.5; ndis.h). */
const value_string xsw_pnp_event_vals[] = {
    { 0, "NetEventSetPower" },
    { 1, "NetEventQueryPower" },
    { 2, "NetEventQueryRemoveDevice" },
    { 3, "NetEventCancelRemoveDevice" },
    { 4, "NetEventReconfigure" },
    { 5, "NetEventBindList" },
    { 6, "NetEventBindsComplete" },
    { 7, "NetEventPnPCapabilities" },
    { 8, "NetEventPause" },
    { 9, "NetEventRestart" },
    { 10, "NetEventPortActivation" },
    { 11, "NetEventPortDeactivation" },
    { 12, "NetEventIMReEnableDevice" },
    { 13, "NetEventNDKEnable" },
    { 14, "NetEventNDKDisable" },
    { 15, "NetEventFilterPreDetach" },
    { 16, "NetEventBindFailed" },
    { 17, "NetEventSwitchActivate" },
    { 18, "NetEventAllowBindsAbove" },
    { 19, "NetEventInhibitBindsAbove" },
    { 20, "NetEventAllowStart" },
    { 21, "NetEventRequirePause" },
    { 22, "NetEventUploadGftFlowEntries" },
    { 0, NULL }
};

const value_string xsw_irql_vals[] = {
    { 0, "PASSIVE_LEVEL" },
    { 1, "APC_LEVEL" },
    { 2, "DISPATCH_LEVEL" },
    { 0, NULL }
};

/* NDIS_OBJECT_TYPE_* (extensible-switch.md §1.5, vmbus-nvsp-rndis.md §3.5). */
const value_string xsw_obj_type_vals[] = {
    { 0x80, "NDIS_OBJECT_TYPE_DEFAULT" },
    { 0x88, "NDIS_OBJECT_TYPE_RSS_CAPABILITIES" },
    { 0x89, "NDIS_OBJECT_TYPE_RSS_PARAMETERS" },
    { 0x96, "NDIS_OBJECT_TYPE_OID_REQUEST" },
    { 0x98, "NDIS_OBJECT_TYPE_STATUS_INDICATION" },
    { 0x99, "NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS" },
    { 0xA7, "NDIS_OBJECT_TYPE_OFFLOAD" },
    { 0xA8, "NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION" },
    { 0xB8, "NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS" },
    { 0, NULL }
};

/* Enumerations of extensible-switch.md §3.7-3.8. */
const value_string xsw_port_type_vals[] = {
    { 0, "NdisSwitchPortTypeGeneric" },
    { 1, "NdisSwitchPortTypeExternal" },
    { 2, "NdisSwitchPortTypeSynthetic" },
    { 3, "NdisSwitchPortTypeEmulated" },
    { 4, "NdisSwitchPortTypeInternal" },
    { 0, NULL }
};

const value_string xsw_nic_type_vals[] = {
    { 0, "NdisSwitchNicTypeExternal" },
    { 1, "NdisSwitchNicTypeSynthetic" },
    { 2, "NdisSwitchNicTypeEmulated" },
    { 3, "NdisSwitchNicTypeInternal" },
    { 0, NULL }
};

const value_string xsw_port_state_vals[] = {
    { 0, "NdisSwitchPortStateUnknown" },
    { 1, "NdisSwitchPortStateCreated" },
    { 2, "NdisSwitchPortStateTeardown" },
    { 3, "NdisSwitchPortStateDeleted" },
    { 0, NULL }
};

const value_string xsw_nic_state_vals[] = {
    { 0, "NdisSwitchNicStateUnknown" },
    { 1, "NdisSwitchNicStateCreated" },
    { 2, "NdisSwitchNicStateConnected" },
    { 3, "NdisSwitchNicStateDisconnected" },
    { 4, "NdisSwitchNicStateDeleted" },
    { 0, NULL }
};

const value_string xsw_port_prop_type_vals[] = {
    { 0, "NdisSwitchPortPropertyTypeUndefined" },
    { 1, "NdisSwitchPortPropertyTypeCustom" },
    { 2, "NdisSwitchPortPropertyTypeSecurity" },
    { 3, "NdisSwitchPortPropertyTypeVlan" },
    { 4, "NdisSwitchPortPropertyTypeProfile" },
    { 5, "NdisSwitchPortPropertyTypeIsolation" },
    { 6, "NdisSwitchPortPropertyTypeRoutingDomain" },
    { 0, NULL }
};

const value_string xsw_prop_type_vals[] = {
    { 0, "NdisSwitchPropertyTypeUndefined" },
    { 1, "NdisSwitchPropertyTypeCustom" },
    { 0, NULL }
};

const value_string xsw_feature_status_type_vals[] = {
    { 0, "NdisSwitchFeatureStatusTypeUndefined" },
    { 1, "NdisSwitchFeatureStatusTypeCustom" },
    { 0, NULL }
};

const value_string xsw_vlan_mode_vals[] = {
    { 0, "NdisSwitchPortVlanModeUnknown" },
    { 1, "NdisSwitchPortVlanModeAccess" },
    { 2, "NdisSwitchPortVlanModeTrunk" },
    { 3, "NdisSwitchPortVlanModePrivate" },
    { 0, NULL }
};

const value_string xsw_pvlan_mode_vals[] = {
    { 0, "NdisSwitchPortPvlanModeUndefined" },
    { 1, "NdisSwitchPortPvlanModeIsolated" },
    { 2, "NdisSwitchPortPvlanModeCommunity" },
    { 3, "NdisSwitchPortPvlanModePromiscuous" },
    { 0, NULL }
};
