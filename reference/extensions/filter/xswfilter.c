/*
 * xswfilter.c - the xsw reference filtering extension.
 *
 * A Hyper-V extensible switch extension of class ms_switch_filter written as
 * an ordinary Windows NDIS 6.30 lightweight filter driver: it builds with the
 * WDK for Windows and, unchanged, against xsw's NDIS headers for the harness
 * (learn.microsoft.com: filtering-extensions.md, excluding-packet-delivery-
 * to-extensible-switch-destination-ports.md, managing-port-policies.md).
 *
 * Ingress ACL (compiled in; the same text is the INF HelpText). On the
 * ingress path the extension drops
 *   - every frame whose destination MAC address is 02:00:5e:00:00:66, and
 *   - every 802.1Q-tagged frame (TPID 0x8100) whose VLAN id is 666.
 * A dropped packet is first reported with ReportFilteredNetBufferLists
 * (Flags = NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING, PortId = the
 * source port, a reason string) and then completed with
 * NdisFSendNetBufferListsComplete; the rest of the chain goes on unchanged.
 *
 * Egress deny list (per source port, configured by policy). A custom port
 * property whose PropertyId is XswFltPolicyId carries, in its
 * NDIS_SWITCH_PORT_PROPERTY_CUSTOM buffer, an XSWFLT_PORT_POLICY: the ports
 * that traffic *from* this port must not be delivered to. On the egress path
 * the extension sets IsExcluded on every such destination, commits with
 * UpdateNetBufferListDestinations, reports each excluded destination port
 * (Flags 0, PortId = the destination port), and, when no destination is left,
 * drops the packet with NdisFReturnNetBufferLists.
 *
 * Control path: OID_SWITCH_PORT_PROPERTY_ADD/UPDATE/DELETE for its own
 * PropertyId are validated (a malformed policy is vetoed with
 * NDIS_STATUS_DATA_NOT_ACCEPTED), forwarded like every other OID (a filtering
 * extension forwards the custom properties it handles), and committed only
 * when they complete successfully below. Policies on validation ports are
 * validated but never kept. When the switch is active (at the first restart or
 * on NetEventSwitchActivate) the extension loads the policies of existing
 * ports with OID_SWITCH_PORT_ARRAY and OID_SWITCH_PORT_PROPERTY_ENUM, holding
 * a port reference around each enumeration (querying-the-hyper-v-extensible-
 * switch-configuration.md). OIDs from above are forwarded through the OID
 * plumbing all xsw reference extensions share (../common/xswoid.h), with an
 * XSWFLT_PENDING as the per-request context where a change waits for the
 * completion. The driver registration, restart, pause, PnP events and the
 * pass-through handlers are the life cycle all of them share
 * (../common/xswbase.h).
 */
#include <ndis.h>
#include "../common/xswbase.h"
#include "../common/xswoid.h"

#define XSWFLT_TAG 'tlFX'
#define XSWFLT_MAX_DENIED 16

/* The policy payload of the custom port property (inside NDIS_SWITCH_PORT_PROPERTY_CUSTOM). */
typedef struct _XSWFLT_PORT_POLICY {
    ULONG Version; /* XSWFLT_PORT_POLICY_VERSION */
    ULONG NumDeniedPorts;
    NDIS_SWITCH_PORT_ID DeniedPorts[XSWFLT_MAX_DENIED];
} XSWFLT_PORT_POLICY, *PXSWFLT_PORT_POLICY;
#define XSWFLT_PORT_POLICY_VERSION 1
#define XSWFLT_POLICY_SIZE(_n) (FIELD_OFFSET(XSWFLT_PORT_POLICY, DeniedPorts) + (_n) * sizeof(NDIS_SWITCH_PORT_ID))

/* What the extension knows about one port: validation flag and its policy. */
typedef struct _XSWFLT_PORT {
    LIST_ENTRY Link;
    NDIS_SWITCH_PORT_ID PortId;
    BOOLEAN IsValidation;
    BOOLEAN HasPolicy;
    XSWFLT_PORT_POLICY Policy;
} XSWFLT_PORT, *PXSWFLT_PORT;

typedef struct _XSWFLT_FILTER {
    XSW_BASE_MODULE Base; /* first: the life cycle of ../common/xswbase.h */
    NDIS_HANDLE FilterHandle;
    NDIS_SWITCH_CONTEXT SwitchContext;
    NDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers;
    PNDIS_RW_LOCK_EX Lock; /* protects Ports */
    LIST_ENTRY Ports;
    XSW_OID_PATH Oids;
    volatile LONG IngressNbls;
    volatile LONG IngressDropped;
    volatile LONG EgressNbls;
    volatile LONG EgressExcluded;
    volatile LONG EgressDropped;
} XSWFLT_FILTER, *PXSWFLT_FILTER;
C_ASSERT(FIELD_OFFSET(XSWFLT_FILTER, Base) == 0);

/* Work to finish when a forwarded request completes (its XswOidForward request context). */
typedef enum _XSWFLT_PENDING_KIND {
    XswFltPendingPortCreate,
    XswFltPendingPolicySet,
    XswFltPendingPolicyDelete,
} XSWFLT_PENDING_KIND;

typedef struct _XSWFLT_PENDING {
    XSWFLT_PENDING_KIND Kind;
    NDIS_SWITCH_PORT_ID PortId;
    XSWFLT_PORT_POLICY Policy;
} XSWFLT_PENDING, *PXSWFLT_PENDING;

/* The port whose policy XswFltLoadPortPolicy is loading. */
typedef struct _XSWFLT_LOAD {
    PXSWFLT_FILTER Filter;
    NDIS_SWITCH_PORT_ID PortId;
} XSWFLT_LOAD, *PXSWFLT_LOAD;

/* Its UniqueName and FriendlyName also name the extension in ReportFilteredNetBufferLists. */
static XSW_BASE_IDENTITY XswFltIdentity = XSW_BASE_IDENTITY_INIT(
    L"XswFilter", L"{3c1f6e2a-7d4b-4f0e-a8c5-2b9d1e6f7a21}", L"xsw reference filtering extension");
static const GUID XswFltPolicyId = {0x5e2a9c71, 0x4b3d, 0x4e8f, {0x9a, 0x06, 0x1c, 0x7d, 0x3f, 0x2b, 0x8e, 0x44}};
static const UCHAR XswFltDeniedMac[ETH_LENGTH_OF_ADDRESS] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x66};
#define XSWFLT_DENIED_VLAN 666

DRIVER_INITIALIZE DriverEntry;
FILTER_ATTACH XswFltAttach;
FILTER_DETACH XswFltDetach;
FILTER_OID_REQUEST XswFltOidRequest;
FILTER_SEND_NET_BUFFER_LISTS XswFltSend;
FILTER_RECEIVE_NET_BUFFER_LISTS XswFltReceive;
static XSW_BASE_ACTIVATE XswFltActivate;
static XSW_OID_FORWARDED XswFltForwarded;
static XSW_OID_DISCARD XswFltDiscard;

/* ---- Port table (callers hold Lock) --------------------------------------------------------- */

static PXSWFLT_PORT XswFltFindPort(_In_ PXSWFLT_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    for (PLIST_ENTRY e = Filter->Ports.Flink; e != &Filter->Ports; e = e->Flink) {
        PXSWFLT_PORT port = CONTAINING_RECORD(e, XSWFLT_PORT, Link);
        if (port->PortId == PortId)
            return port;
    }
    return NULL;
}

/* The entry of "PortId", created if absent; NULL when out of memory. */
static PXSWFLT_PORT XswFltGetPort(_In_ PXSWFLT_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    PXSWFLT_PORT port = XswFltFindPort(Filter, PortId);
    if (port != NULL)
        return port;
    port = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*port), XSWFLT_TAG);
    if (port == NULL)
        return NULL;
    NdisZeroMemory(port, sizeof(*port));
    port->PortId = PortId;
    InsertTailList(&Filter->Ports, &port->Link);
    return port;
}

static void XswFltRemovePort(_In_ PXSWFLT_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    PXSWFLT_PORT port = XswFltFindPort(Filter, PortId);
    if (port != NULL) {
        RemoveEntryList(&port->Link);
        ExFreePoolWithTag(port, XSWFLT_TAG);
    }
}

/* Keep "Policy" for "PortId" unless the port is a validation port (validate only, reserve nothing). */
static NDIS_STATUS XswFltCommitPolicy(_In_ PXSWFLT_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId,
                                      _In_ const XSWFLT_PORT_POLICY *Policy)
{
    LOCK_STATE_EX lockState;
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    PXSWFLT_PORT port;

    NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
    port = XswFltFindPort(Filter, PortId);
    if (port == NULL || !port->IsValidation) {
        port = XswFltGetPort(Filter, PortId);
        if (port == NULL) {
            status = NDIS_STATUS_RESOURCES;
        } else {
            port->Policy = *Policy;
            port->HasPolicy = TRUE;
        }
    }
    NdisReleaseRWLock(Filter->Lock, &lockState);
    return status;
}

/* ---- Policy parsing ------------------------------------------------------------------------- */

/*
 * Validate the payload of one NDIS_SWITCH_PORT_PROPERTY_CUSTOM of "Length"
 * bytes at "Custom" and copy the policy to "*Policy". Every offset and length
 * is checked against "Length" before it is used.
 */
static BOOLEAN XswFltParseCustom(_In_reads_bytes_(Length) const UCHAR *Custom, _In_ ULONG Length,
                                 _Out_ PXSWFLT_PORT_POLICY Policy)
{
    const NDIS_SWITCH_PORT_PROPERTY_CUSTOM *custom = (const NDIS_SWITCH_PORT_PROPERTY_CUSTOM *)Custom;
    const UCHAR *payload;
    ULONG count;

    NdisZeroMemory(Policy, sizeof(*Policy));
    if (Length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1)
        return FALSE;
    if (custom->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
        custom->Header.Revision < NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1 ||
        custom->Header.Size < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1)
        return FALSE;
    if (custom->PropertyBufferOffset > Length || custom->PropertyBufferLength > Length - custom->PropertyBufferOffset)
        return FALSE;
    if (custom->PropertyBufferLength < XSWFLT_POLICY_SIZE(0))
        return FALSE;
    payload = Custom + custom->PropertyBufferOffset;
    NdisMoveMemory(Policy, payload, XSWFLT_POLICY_SIZE(0));
    if (Policy->Version != XSWFLT_PORT_POLICY_VERSION || Policy->NumDeniedPorts > XSWFLT_MAX_DENIED)
        return FALSE;
    count = Policy->NumDeniedPorts;
    if (custom->PropertyBufferLength < XSWFLT_POLICY_SIZE(count))
        return FALSE;
    NdisMoveMemory(Policy->DeniedPorts, payload + XSWFLT_POLICY_SIZE(0), count * sizeof(NDIS_SWITCH_PORT_ID));
    return TRUE;
}

/*
 * Classify an OID_SWITCH_PORT_PROPERTY_ADD/UPDATE buffer: returns TRUE if it
 * is this extension's custom property; then "*Valid" says whether the policy
 * parsed and "*Policy" holds it.
 */
static BOOLEAN XswFltIsOwnProperty(_In_ PNDIS_OID_REQUEST Request, _Out_ PBOOLEAN Valid,
                                   _Out_ PXSWFLT_PORT_POLICY Policy, _Out_ PNDIS_SWITCH_PORT_ID PortId)
{
    const UCHAR *buffer = Request->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = Request->DATA.SET_INFORMATION.InformationBufferLength;
    const NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *params = (const NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *)buffer;

    *Valid = FALSE;
    *PortId = 0;
    NdisZeroMemory(Policy, sizeof(*Policy));
    if (buffer == NULL || length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1)
        return FALSE;
    if (params->PropertyType != NdisSwitchPortPropertyTypeCustom ||
        !RtlEqualMemory(&params->PropertyId, &XswFltPolicyId, sizeof(GUID)))
        return FALSE;
    *PortId = params->PortId;
    if (params->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
        params->Header.Revision < NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1 ||
        params->Header.Size < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1)
        return TRUE;
    if (params->PropertyBufferOffset > length || params->PropertyBufferLength > length - params->PropertyBufferOffset)
        return TRUE;
    *Valid = XswFltParseCustom(buffer + params->PropertyBufferOffset, params->PropertyBufferLength, Policy);
    return TRUE;
}

/* ---- Internal OIDs ---------------------------------------------------------------------------- */

/* One instance of this extension's custom property of port "Context" (XSW_OID_PROPERTY_VISIT). */
static BOOLEAN XswFltVisitPolicy(_In_ PVOID Context, _In_reads_bytes_(Length) const UCHAR *Property, _In_ ULONG Length)
{
    PXSWFLT_LOAD load = Context;
    XSWFLT_PORT_POLICY policy;

    /* The last instance wins, as with a sequence of PORT_PROPERTY_UPDATE requests. */
    if (XswFltParseCustom(Property, Length, &policy))
        (void)XswFltCommitPolicy(load->Filter, load->PortId, &policy);
    return TRUE;
}

/*
 * Load this extension's custom property of one existing port with
 * OID_SWITCH_PORT_PROPERTY_ENUM. The caller holds a reference on the port.
 */
static void XswFltLoadPortPolicy(_In_ PXSWFLT_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    XSWFLT_LOAD load;

    load.Filter = Filter;
    load.PortId = PortId;
    XswOidEnumPortProperty(&Filter->Oids, PortId, NdisSwitchPortPropertyTypeCustom, &XswFltPolicyId, XswFltVisitPolicy,
                           &load);
}

/*
 * The switch is active (XSW_BASE_ACTIVATE): learn the policies of the ports that exist already
 * (OID_SWITCH_PORT_ARRAY, retried with BytesNeeded, then one
 * OID_SWITCH_PORT_PROPERTY_ENUM per operational port under a port reference).
 */
static VOID XswFltActivate(_In_ NDIS_HANDLE FilterModuleContext)
{
    PXSWFLT_FILTER Filter = FilterModuleContext;
    PNDIS_SWITCH_PORT_ARRAY array;

    array = XswOidQueryPortArray(&Filter->Oids);
    if (array == NULL)
        return;
    for (ULONG i = 0; i < array->NumElements; i++) {
        PNDIS_SWITCH_PORT_PARAMETERS port = NDIS_SWITCH_PORT_AT_ARRAY_INDEX(array, i);
        if (port->IsValidationPort || port->PortState != NdisSwitchPortStateCreated)
            continue;
        /* A port reference keeps the port from being deleted during the enumeration. */
        if (Filter->SwitchHandlers.ReferenceSwitchPort(Filter->SwitchContext, port->PortId) != NDIS_STATUS_SUCCESS)
            continue;
        XswFltLoadPortPolicy(Filter, port->PortId);
        (void)Filter->SwitchHandlers.DereferenceSwitchPort(Filter->SwitchContext, port->PortId);
    }
    ExFreePoolWithTag(array, XSWFLT_TAG);
}

/* ---- Driver and module life cycle -------------------------------------------------------------- */

/*
 * The filtering policy is in FilterAttach/Detach, the set OIDs, and both data
 * paths; restart, pause, PnP events, OID completion, cancellation, send
 * completions, returns and status indications are the life cycle and
 * pass-throughs of ../common/xswbase.h.
 */
NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    static const XSW_BASE_HANDLERS handlers = {
        .Attach = XswFltAttach,
        .Detach = XswFltDetach,
        .OidRequest = XswFltOidRequest,
        .Send = XswFltSend,
        .Receive = XswFltReceive,
    };

    UNREFERENCED_PARAMETER(RegistryPath);
    return XswBaseRegisterDriver(DriverObject, &XswFltIdentity, &handlers);
}

NDIS_STATUS XswFltAttach(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_HANDLE FilterDriverContext,
                         _In_ PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    PXSWFLT_FILTER filter;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(FilterDriverContext);
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER;

    filter = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*filter), XSWFLT_TAG);
    if (filter == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(filter, sizeof(*filter));
    filter->FilterHandle = NdisFilterHandle;
    InitializeListHead(&filter->Ports);
    XswOidInitialize(&filter->Oids, NdisFilterHandle, XSWFLT_TAG, XswFltForwarded, XswFltDiscard, filter);
    XswBaseInitialize(&filter->Base, &filter->Oids, XswFltActivate, NULL);

    status = XswBaseGetSwitchHandlers(NdisFilterHandle, &filter->SwitchContext, &filter->SwitchHandlers);
    if (status != NDIS_STATUS_SUCCESS) {
        ExFreePoolWithTag(filter, XSWFLT_TAG);
        return status;
    }
    filter->Lock = NdisAllocateRWLock(NdisFilterHandle);
    if (filter->Lock == NULL) {
        ExFreePoolWithTag(filter, XSWFLT_TAG);
        return NDIS_STATUS_RESOURCES;
    }
    NDIS_DECLARE_FILTER_MODULE_CONTEXT(XSWFLT_FILTER);
    status = XswBaseSetAttributes(NdisFilterHandle, filter);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeRWLock(filter->Lock);
        ExFreePoolWithTag(filter, XSWFLT_TAG);
    }
    return status;
}

VOID XswFltDetach(_In_ NDIS_HANDLE FilterModuleContext)
{
    PXSWFLT_FILTER filter = FilterModuleContext;

    /* Every OID this filter issued or forwarded has completed by now. */
    DbgPrint("xswfilter: ingress %ld NBLs (%ld dropped), egress %ld NBLs (%ld exclusions, %ld dropped)\n",
             (long)filter->IngressNbls, (long)filter->IngressDropped, (long)filter->EgressNbls,
             (long)filter->EgressExcluded, (long)filter->EgressDropped);
    while (!IsListEmpty(&filter->Ports)) {
        PLIST_ENTRY e = RemoveHeadList(&filter->Ports);
        ExFreePoolWithTag(CONTAINING_RECORD(e, XSWFLT_PORT, Link), XSWFLT_TAG);
    }
    NdisFreeRWLock(filter->Lock);
    ExFreePoolWithTag(filter, XSWFLT_TAG);
}

/* ---- OID requests ------------------------------------------------------------------------------ */

/*
 * A forwarded request completed below with "Status" (XSW_OID_FORWARDED):
 * apply or roll back the change its XSWFLT_PENDING carries, if any.
 */
static VOID XswFltForwarded(_In_ PVOID FilterContext, _In_ PNDIS_OID_REQUEST Original, _In_opt_ PVOID RequestContext,
                            _In_ NDIS_STATUS Status)
{
    PXSWFLT_FILTER filter = FilterContext;
    PXSWFLT_PENDING pending = RequestContext;
    LOCK_STATE_EX lockState;

    UNREFERENCED_PARAMETER(Original);
    if (pending == NULL)
        return;
    switch (pending->Kind) {
    case XswFltPendingPortCreate:
        /* A layer below vetoed the validation port: forget it. */
        if (Status != NDIS_STATUS_SUCCESS) {
            NdisAcquireRWLockWrite(filter->Lock, &lockState, 0);
            XswFltRemovePort(filter, pending->PortId);
            NdisReleaseRWLock(filter->Lock, &lockState);
        }
        break;
    case XswFltPendingPolicySet:
        if (Status == NDIS_STATUS_SUCCESS)
            (void)XswFltCommitPolicy(filter, pending->PortId, &pending->Policy);
        break;
    case XswFltPendingPolicyDelete:
        if (Status == NDIS_STATUS_SUCCESS) {
            PXSWFLT_PORT port;
            NdisAcquireRWLockWrite(filter->Lock, &lockState, 0);
            port = XswFltFindPort(filter, pending->PortId);
            if (port != NULL)
                port->HasPolicy = FALSE;
            NdisReleaseRWLock(filter->Lock, &lockState);
        }
        break;
    }
    ExFreePoolWithTag(pending, XSWFLT_TAG);
}

/* The XSWFLT_PENDING of a request that could not be forwarded (XSW_OID_DISCARD). */
static VOID XswFltDiscard(_In_ PVOID FilterContext, _In_ PVOID RequestContext)
{
    UNREFERENCED_PARAMETER(FilterContext);
    ExFreePoolWithTag(RequestContext, XSWFLT_TAG);
}

static PXSWFLT_PENDING XswFltNewPending(_In_ XSWFLT_PENDING_KIND Kind, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    PXSWFLT_PENDING pending = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*pending), XSWFLT_TAG);
    if (pending != NULL) {
        NdisZeroMemory(pending, sizeof(*pending));
        pending->Kind = Kind;
        pending->PortId = PortId;
    }
    return pending;
}

/* The switch set OIDs this extension looks at; everything else is forwarded untouched. */
static NDIS_STATUS XswFltSetOid(_In_ PXSWFLT_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PVOID buffer = OidRequest->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
    LOCK_STATE_EX lockState;

    switch (OidRequest->DATA.SET_INFORMATION.Oid) {
    case OID_SWITCH_PORT_CREATE: {
        PNDIS_SWITCH_PORT_PARAMETERS params = buffer;
        PXSWFLT_PENDING pending;
        PXSWFLT_PORT port;
        if (buffer == NULL || length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1 || !params->IsValidationPort)
            break;
        /* Remember validation ports: their policies are validated, never kept. */
        pending = XswFltNewPending(XswFltPendingPortCreate, params->PortId);
        if (pending == NULL)
            return NDIS_STATUS_RESOURCES;
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        port = XswFltGetPort(Filter, params->PortId);
        if (port != NULL)
            port->IsValidation = TRUE;
        NdisReleaseRWLock(Filter->Lock, &lockState);
        if (port == NULL) {
            ExFreePoolWithTag(pending, XSWFLT_TAG);
            return NDIS_STATUS_RESOURCES;
        }
        return XswOidForward(&Filter->Oids, OidRequest, pending);
    }
    case OID_SWITCH_PORT_DELETE: {
        PNDIS_SWITCH_PORT_PARAMETERS params = buffer;
        if (buffer == NULL || length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1)
            break;
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        XswFltRemovePort(Filter, params->PortId);
        NdisReleaseRWLock(Filter->Lock, &lockState);
        break;
    }
    case OID_SWITCH_PORT_PROPERTY_ADD:
    case OID_SWITCH_PORT_PROPERTY_UPDATE: {
        BOOLEAN valid;
        NDIS_SWITCH_PORT_ID portId;
        XSWFLT_PORT_POLICY policy;
        PXSWFLT_PENDING pending;
        if (!XswFltIsOwnProperty(OidRequest, &valid, &policy, &portId))
            break;
        /*
         * A filtering extension vetoes a property it manages only with
         * NDIS_STATUS_DATA_NOT_ACCEPTED: a malformed policy, or one it has
         * no memory to keep.
         */
        if (!valid)
            return NDIS_STATUS_DATA_NOT_ACCEPTED;
        pending = XswFltNewPending(XswFltPendingPolicySet, portId);
        if (pending == NULL)
            return NDIS_STATUS_DATA_NOT_ACCEPTED;
        pending->Policy = policy;
        return XswOidForward(&Filter->Oids, OidRequest, pending);
    }
    case OID_SWITCH_PORT_PROPERTY_DELETE: {
        PNDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS params = buffer;
        PXSWFLT_PENDING pending;
        if (buffer == NULL || length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1 ||
            params->PropertyType != NdisSwitchPortPropertyTypeCustom ||
            !RtlEqualMemory(&params->PropertyId, &XswFltPolicyId, sizeof(GUID)))
            break;
        pending = XswFltNewPending(XswFltPendingPolicyDelete, params->PortId);
        if (pending == NULL) {
            /* Deletes are forwarded, never failed: drop the policy now instead of on completion. */
            PXSWFLT_PORT port;
            NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
            port = XswFltFindPort(Filter, params->PortId);
            if (port != NULL)
                port->HasPolicy = FALSE;
            NdisReleaseRWLock(Filter->Lock, &lockState);
            break;
        }
        return XswOidForward(&Filter->Oids, OidRequest, pending);
    }
    default:
        break;
    }
    return XswOidForward(&Filter->Oids, OidRequest, NULL);
}

NDIS_STATUS XswFltOidRequest(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PXSWFLT_FILTER filter = FilterModuleContext;

    if (OidRequest->RequestType == NdisRequestSetInformation)
        return XswFltSetOid(filter, OidRequest);
    return XswOidForward(&filter->Oids, OidRequest, NULL);
}

/* ---- Data path --------------------------------------------------------------------------------- */

/*
 * The ingress ACL verdict for one packet: NULL to forward it, else the reason
 * it is dropped. Only the Ethernet header is read, through NdisGetDataBuffer.
 */
static PCWSTR XswFltIngressVerdict(_In_ PNET_BUFFER_LIST Nbl)
{
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(Nbl);
    UCHAR storage[18];
    PUCHAR eth;

    if (nb == NULL)
        return NULL;
    eth = NdisGetDataBuffer(nb, 14, storage, 1, 0);
    if (eth == NULL)
        return NULL; /* shorter than an Ethernet header: not this extension's business */
    if (RtlEqualMemory(eth, XswFltDeniedMac, ETH_LENGTH_OF_ADDRESS))
        return L"xswfilter: destination MAC 02:00:5e:00:00:66 is denied";
    if (eth[12] == 0x81 && eth[13] == 0x00) {
        eth = NdisGetDataBuffer(nb, 18, storage, 1, 0);
        if (eth != NULL && (((eth[14] << 8) | eth[15]) & 0x0FFF) == XSWFLT_DENIED_VLAN)
            return L"xswfilter: VLAN 666 is denied";
    }
    return NULL;
}

VOID XswFltSend(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG SendFlags)
{
    PXSWFLT_FILTER filter = FilterModuleContext;
    PNET_BUFFER_LIST pass = NULL, drop = NULL, next;
    PNET_BUFFER_LIST *passTail = &pass, *dropTail = &drop;
    ULONG completeFlags = 0;

    for (PNET_BUFFER_LIST nbl = NetBufferLists; nbl != NULL; nbl = next) {
        PCWSTR reason = XswFltIngressVerdict(nbl);
        InterlockedIncrement(&filter->IngressNbls);
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        if (reason == NULL) {
            *passTail = nbl;
            passTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
            continue;
        }
        /* Report before dropping: a source-based drop names the source port. */
        {
            NDIS_STRING text;
            RtlInitUnicodeString(&text, reason);
            filter->SwitchHandlers.ReportFilteredNetBufferLists(
                filter->SwitchContext, &XswFltIdentity.UniqueName, &XswFltIdentity.FriendlyName,
                NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(nbl)->SourcePortId,
                NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING, 1, nbl, &text);
        }
        NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_FAILURE;
        InterlockedIncrement(&filter->IngressDropped);
        *dropTail = nbl;
        dropTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
    }
    /* Both sub-chains keep the source grouping of the original, so SINGLE_SOURCE still holds. */
    if (pass != NULL)
        NdisFSendNetBufferLists(filter->FilterHandle, pass, PortNumber, SendFlags);
    if (drop != NULL) {
        if (NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags))
            NDIS_SET_SEND_COMPLETE_FLAG(completeFlags, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
        if (NDIS_TEST_SEND_FLAG(SendFlags, NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE))
            NDIS_SET_SEND_COMPLETE_FLAG(completeFlags, NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE);
        NdisFSendNetBufferListsComplete(filter->FilterHandle, drop, completeFlags);
    }
}

/*
 * Apply the egress deny list of the packet's source port: exclude the denied
 * destinations, commit, report each excluded destination port. Returns TRUE
 * when the packet has no destination left and must be dropped; "*Modified"
 * says whether its destinations changed.
 */
static BOOLEAN XswFltEgressExclude(_In_ PXSWFLT_FILTER Filter, _In_ PNET_BUFFER_LIST Nbl, _In_ BOOLEAN Dispatch,
                                   _Out_ PBOOLEAN Modified)
{
    PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY dests = NULL;
    XSWFLT_PORT_POLICY denied;
    BOOLEAN excludedPort[XSWFLT_MAX_DENIED];
    BOOLEAN any = FALSE, all = TRUE;
    LOCK_STATE_EX lockState;
    PXSWFLT_PORT port;

    *Modified = FALSE;
    NdisAcquireRWLockRead(Filter->Lock, &lockState, Dispatch ? NDIS_RWL_AT_DISPATCH_LEVEL : 0);
    port = XswFltFindPort(Filter, NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(Nbl)->SourcePortId);
    denied.NumDeniedPorts = 0;
    if (port != NULL && port->HasPolicy)
        denied = port->Policy;
    NdisReleaseRWLock(Filter->Lock, &lockState);
    if (denied.NumDeniedPorts == 0)
        return FALSE;

    Filter->SwitchHandlers.GetNetBufferListDestinations(Filter->SwitchContext, Nbl, &dests);
    if (dests == NULL || dests->NumDestinations == 0)
        return FALSE;
    NdisZeroMemory(excludedPort, sizeof(excludedPort));
    for (UINT32 i = 0; i < dests->NumDestinations; i++) {
        PNDIS_SWITCH_PORT_DESTINATION d = NDIS_SWITCH_PORT_DESTINATION_AT_ARRAY_INDEX(dests, i);
        if (!d->IsExcluded) {
            for (ULONG k = 0; k < denied.NumDeniedPorts; k++)
                if (d->PortId == denied.DeniedPorts[k]) {
                    d->IsExcluded = 1;
                    excludedPort[k] = TRUE;
                    any = TRUE;
                    break;
                }
        }
        if (!d->IsExcluded)
            all = FALSE;
    }
    if (!any)
        return FALSE;
    *Modified = TRUE;
    (void)Filter->SwitchHandlers.UpdateNetBufferListDestinations(Filter->SwitchContext, Nbl, 0, dests);
    /* A destination-based exclusion is reported with Flags 0 and the destination port. */
    for (ULONG k = 0; k < denied.NumDeniedPorts; k++) {
        NDIS_STRING text;
        if (!excludedPort[k])
            continue;
        RtlInitUnicodeString(&text, L"xswfilter: destination port denied by the source port's policy");
        Filter->SwitchHandlers.ReportFilteredNetBufferLists(Filter->SwitchContext, &XswFltIdentity.UniqueName,
                                                            &XswFltIdentity.FriendlyName, denied.DeniedPorts[k], 0, 1, Nbl,
                                                            &text);
        InterlockedIncrement(&Filter->EgressExcluded);
    }
    return all;
}

VOID XswFltReceive(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                   _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG NumberOfNetBufferLists, _In_ ULONG ReceiveFlags)
{
    PXSWFLT_FILTER filter = FilterModuleContext;
    BOOLEAN dispatch = NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(ReceiveFlags);
    PNET_BUFFER_LIST pass = NULL, drop = NULL, next;
    PNET_BUFFER_LIST *passTail = &pass, *dropTail = &drop;
    ULONG passCount = 0, returnFlags = 0;
    BOOLEAN modified = FALSE;

    UNREFERENCED_PARAMETER(NumberOfNetBufferLists);
    for (PNET_BUFFER_LIST nbl = NetBufferLists; nbl != NULL; nbl = next) {
        BOOLEAN changed;
        InterlockedIncrement(&filter->EgressNbls);
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        if (XswFltEgressExclude(filter, nbl, dispatch, &changed)) {
            InterlockedIncrement(&filter->EgressDropped);
            *dropTail = nbl;
            dropTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        } else {
            *passTail = nbl;
            passTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
            passCount++;
        }
        modified |= changed;
    }
    if (pass != NULL) {
        /* Destinations may now differ between the NBLs: the group hint no longer holds. */
        if (modified)
            ReceiveFlags &= ~NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP;
        NdisFIndicateReceiveNetBufferLists(filter->FilterHandle, pass, PortNumber, passCount, ReceiveFlags);
    }
    if (drop != NULL) {
        if (dispatch)
            NDIS_SET_RETURN_FLAG(returnFlags, NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
        if (NDIS_TEST_RECEIVE_FLAG(ReceiveFlags, NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE))
            NDIS_SET_RETURN_FLAG(returnFlags, NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE);
        NdisFReturnNetBufferLists(filter->FilterHandle, drop, returnFlags);
    }
}
