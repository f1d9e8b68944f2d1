/*
 * xswforward.c - the xsw reference forwarding extension.
 *
 * A Hyper-V extensible switch extension of class ms_switch_forward written as
 * an ordinary Windows NDIS 6.30 lightweight filter driver: it builds with the
 * WDK for Windows and, unchanged, against xsw's NDIS headers for the harness
 * (learn.microsoft.com: forwarding-extensions.md, adding-extensible-switch-
 * destination-port-data-to-a-packet.md, hybrid-forwarding.md).
 *
 * Forwarding. A learning bridge: the source MAC address of every ingress
 * packet from a connected NIC is learned; a known unicast destination gets one
 * destination (AddNetBufferListDestination); broadcast, multicast and unknown
 * unicast are flooded to one NIC of every other port that has a connected NIC
 * (GrowNetBufferListDestinations when NumAvailableDestinations is short, then
 * UpdateNetBufferListDestinations). The NIC of a port is NicIndex 0, except on
 * the external port where it is the lowest connected physical NIC index
 * (network-adapter-index-values.md). Packets marked NativeForwardingRequired
 * (NVGRE) are left to the switch's native forwarding. A packet that gets no
 * destination is reported with ReportFilteredNetBufferLists and dropped with
 * NdisFSendNetBufferListsComplete. A static MAC address can be pinned to a
 * port with this extension's custom port property (XswFwdPropertyId, payload
 * XSWFWD_STATIC_MAC); a forwarding extension completes the custom properties
 * it handles itself, and forwards the standard ones.
 *
 * State. Ports, NICs and learned MAC addresses live in tables protected by one
 * NDIS_RW_LOCK_EX: the control path takes it for writing at PASSIVE_LEVEL;
 * the data path reads with NDIS_RWL_AT_DISPATCH_LEVEL when the send flags say
 * DISPATCH_LEVEL, and takes it for writing only to learn a new or moved MAC
 * address. Ports and NICs come from the switch OIDs, and, when the extension
 * meets a switch that is already active (first restart) or on
 * NetEventSwitchActivate, from OID_SWITCH_PORT_ARRAY and OID_SWITCH_NIC_ARRAY
 * after OID_SWITCH_PARAMETERS (querying-the-hyper-v-extensible-switch-
 * configuration.md). PORT_CREATE / NIC_CREATE state is rolled back when a
 * lower layer vetoes the request. A NIC leaves the table when NIC_DISCONNECT
 * arrives, before that OID is forwarded, so no destination is ever added for
 * it afterwards.
 *
 * Hardware offload: an encapsulated OID_NIC_SWITCH_ALLOCATE_VF is vetoed with
 * NDIS_STATUS_FAILURE so that VM traffic stays on the synthetic path (the
 * header declares it a method request; the Microsoft sample tests it as a set
 * request: both are recognised). Other OID_SWITCH_NIC_REQUESTs for a NIC are
 * forwarded under ReferenceSwitchNic, released when they complete
 * (forwarding-oid-requests-to-physical-network-adapters.md).
 *
 * Run-time state (managing-hyper-v-extensible-switch-run-time-data.md): on
 * OID_SWITCH_NIC_SAVE for a NIC it tracks and has not saved yet in this save
 * operation, the extension writes its XSWFWD_SAVE_DATA blob under its own
 * ExtensionId and completes the request; OID_SWITCH_NIC_SAVE_COMPLETE ends the
 * operation. OID_SWITCH_NIC_RESTORE carrying its ExtensionId is consumed;
 * other extensions' blobs are forwarded unmodified.
 *
 * OIDs are forwarded through the OID plumbing all xsw reference extensions
 * share (../common/xswoid.h), with an XSWFWD_PENDING as the per-request
 * context where work waits for the completion. The driver registration,
 * restart, pause, PnP events and the pass-through handlers are the life
 * cycle all of them share (../common/xswbase.h).
 */
#include <ndis.h>
#include "../common/xswbase.h"
#include "../common/xswoid.h"

#define XSWFWD_TAG 'dwFX'
#define XSWFWD_MAC_BUCKETS 256

/*
 * Hook points for xsw's deliberately broken fixtures (fixtures/extensions/):
 * a fixture defines some of these macros and then includes this file, so
 * that it is this extension with one defect. Here each is a no-op (or the
 * reference's own value) and changes nothing.
 *   XSWFWD_SERVICE_NAME, XSWFWD_FRIENDLY_NAME, XSWFWD_EXTENSION_ID (a GUID
 *   initializer), XSWFWD_EXTENSION_ID_TEXT (the same GUID as a string),
 *   XSWFWD_LOG_NAME            the driver's identity
 *   XSWFWD_HOOK_OID_REQUEST    an OID from above arrives; TRUE: it is finished
 *                              with *Status instead of being handled here
 *   XSWFWD_HOOK_ALLOW_VF       TRUE: an encapsulated OID_NIC_SWITCH_ALLOCATE_VF
 *                              is forwarded instead of vetoed
 *   XSWFWD_HOOK_FOREIGN_BLOB   an OID_SWITCH_NIC_RESTORE blob of another
 *                              extension; TRUE: it is restored as this one's
 */
#ifndef XSWFWD_SERVICE_NAME
#define XSWFWD_SERVICE_NAME L"XswForward"
#endif
#ifndef XSWFWD_FRIENDLY_NAME
#define XSWFWD_FRIENDLY_NAME L"xsw reference forwarding extension"
#endif
#ifndef XSWFWD_EXTENSION_ID
#define XSWFWD_EXTENSION_ID {0x9d4e2b17, 0x6a3c, 0x4f51, {0x8e, 0x27, 0x0b, 0x5c, 0x9a, 0x1d, 0x3f, 0x62}}
#endif
#ifndef XSWFWD_EXTENSION_ID_TEXT
#define XSWFWD_EXTENSION_ID_TEXT L"{9d4e2b17-6a3c-4f51-8e27-0b5c9a1d3f62}"
#endif
#ifndef XSWFWD_LOG_NAME
#define XSWFWD_LOG_NAME "xswforward"
#endif
#ifndef XSWFWD_HOOK_OID_REQUEST
#define XSWFWD_HOOK_OID_REQUEST(Filter, OidRequest, Status) FALSE
#endif
#ifndef XSWFWD_HOOK_ALLOW_VF
#define XSWFWD_HOOK_ALLOW_VF(Filter, NicRequest) FALSE
#endif
#ifndef XSWFWD_HOOK_FOREIGN_BLOB
#define XSWFWD_HOOK_FOREIGN_BLOB(Filter, Save, Length) FALSE
#endif

/* The payload of the custom port property: a MAC address pinned to the port. */
typedef struct _XSWFWD_STATIC_MAC {
    ULONG Version; /* XSWFWD_STATIC_MAC_VERSION */
    UCHAR MacAddress[ETH_LENGTH_OF_ADDRESS];
    USHORT Reserved;
} XSWFWD_STATIC_MAC, *PXSWFWD_STATIC_MAC;
#define XSWFWD_STATIC_MAC_VERSION 1

/* The run-time data saved per NIC (OID_SWITCH_NIC_SAVE) and restored later. */
typedef struct _XSWFWD_SAVE_DATA {
    ULONG Version; /* XSWFWD_SAVE_DATA_VERSION */
    ULONG FramesForwarded;
    UCHAR LearnedMac[ETH_LENGTH_OF_ADDRESS];
    USHORT HasLearnedMac;
} XSWFWD_SAVE_DATA, *PXSWFWD_SAVE_DATA;
#define XSWFWD_SAVE_DATA_VERSION 1

typedef struct _XSWFWD_NIC {
    LIST_ENTRY Link; /* in its port's Nics */
    NDIS_SWITCH_PORT_ID PortId;
    NDIS_SWITCH_NIC_INDEX NicIndex;
    NDIS_SWITCH_NIC_TYPE NicType;
    BOOLEAN Connected;
    BOOLEAN SavedThisOperation;
    BOOLEAN HasLearnedMac;
    UCHAR LearnedMac[ETH_LENGTH_OF_ADDRESS];
    volatile LONG FramesForwarded;
} XSWFWD_NIC, *PXSWFWD_NIC;

typedef struct _XSWFWD_PORT {
    LIST_ENTRY Link;
    LIST_ENTRY Nics;
    NDIS_SWITCH_PORT_ID PortId;
    NDIS_SWITCH_PORT_TYPE PortType;
    BOOLEAN IsValidation;
    BOOLEAN TearingDown;
    BOOLEAN HasStaticMac;
    UCHAR StaticMac[ETH_LENGTH_OF_ADDRESS];
} XSWFWD_PORT, *PXSWFWD_PORT;

typedef struct _XSWFWD_MAC {
    LIST_ENTRY Link;
    UCHAR Mac[ETH_LENGTH_OF_ADDRESS];
    NDIS_SWITCH_PORT_ID PortId;
    NDIS_SWITCH_NIC_INDEX NicIndex;
} XSWFWD_MAC, *PXSWFWD_MAC;

typedef struct _XSWFWD_FILTER {
    XSW_BASE_MODULE Base; /* first: the life cycle of ../common/xswbase.h */
    NDIS_HANDLE FilterHandle;
    NDIS_SWITCH_CONTEXT SwitchContext;
    NDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers;
    PNDIS_RW_LOCK_EX Lock; /* protects Ports (with their NICs) and Macs */
    LIST_ENTRY Ports;
    LIST_ENTRY Macs[XSWFWD_MAC_BUCKETS];
    XSW_OID_PATH Oids;
    volatile LONG Unicast;
    volatile LONG Flooded;
    volatile LONG Dropped;
} XSWFWD_FILTER, *PXSWFWD_FILTER;
C_ASSERT(FIELD_OFFSET(XSWFWD_FILTER, Base) == 0);

/* Work to finish when a forwarded request completes (its XswOidForward request context). */
typedef enum _XSWFWD_PENDING_KIND {
    XswFwdPendingPortCreate,
    XswFwdPendingNicCreate,
    XswFwdPendingNicConnect,
    XswFwdPendingNicReference,
} XSWFWD_PENDING_KIND;

typedef struct _XSWFWD_PENDING {
    XSWFWD_PENDING_KIND Kind;
    NDIS_SWITCH_PORT_ID PortId;
    NDIS_SWITCH_NIC_INDEX NicIndex;
} XSWFWD_PENDING, *PXSWFWD_PENDING;

/* The port whose static MAC property XswFwdLoadPortProperty is loading. */
typedef struct _XSWFWD_LOAD {
    PXSWFWD_FILTER Filter;
    NDIS_SWITCH_PORT_ID PortId;
} XSWFWD_LOAD, *PXSWFWD_LOAD;

/* Its UniqueName and FriendlyName also name the extension in ReportFilteredNetBufferLists. */
static XSW_BASE_IDENTITY XswFwdIdentity =
    XSW_BASE_IDENTITY_INIT(XSWFWD_SERVICE_NAME, XSWFWD_EXTENSION_ID_TEXT, XSWFWD_FRIENDLY_NAME);
static const WCHAR XswFwdFriendlyText[] = XSWFWD_FRIENDLY_NAME;
/* The extension's identity in saved run-time data: its UniqueName / NetCfgInstanceId. */
static const GUID XswFwdExtensionId = XSWFWD_EXTENSION_ID;
static const GUID XswFwdPropertyId = {0xa1c7e3f9, 0x2d5b, 0x4c8a, {0xb6, 0x04, 0x7e, 0x9f, 0x1d, 0x2c, 0x3b, 0x85}};

DRIVER_INITIALIZE DriverEntry;
FILTER_ATTACH XswFwdAttach;
FILTER_DETACH XswFwdDetach;
FILTER_OID_REQUEST XswFwdOidRequest;
FILTER_SEND_NET_BUFFER_LISTS XswFwdSend;
static XSW_BASE_ACTIVATE XswFwdActivate;
static XSW_OID_FORWARDED XswFwdForwarded;
static XSW_OID_DISCARD XswFwdDiscard;

/* ---- Tables (callers hold Lock: read to look up, write to change) -------------------------------- */

static ULONG XswFwdMacBucket(_In_reads_bytes_(6) const UCHAR *Mac)
{
    return (ULONG)(Mac[3] ^ Mac[4] ^ Mac[5] ^ (Mac[2] << 1)) % XSWFWD_MAC_BUCKETS;
}

static PXSWFWD_PORT XswFwdFindPort(_In_ PXSWFWD_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    for (PLIST_ENTRY e = Filter->Ports.Flink; e != &Filter->Ports; e = e->Flink) {
        PXSWFWD_PORT port = CONTAINING_RECORD(e, XSWFWD_PORT, Link);
        if (port->PortId == PortId)
            return port;
    }
    return NULL;
}

static PXSWFWD_NIC XswFwdFindNic(_In_ PXSWFWD_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId,
                                 _In_ NDIS_SWITCH_NIC_INDEX NicIndex)
{
    PXSWFWD_PORT port = XswFwdFindPort(Filter, PortId);
    if (port == NULL)
        return NULL;
    for (PLIST_ENTRY e = port->Nics.Flink; e != &port->Nics; e = e->Flink) {
        PXSWFWD_NIC nic = CONTAINING_RECORD(e, XSWFWD_NIC, Link);
        if (nic->NicIndex == NicIndex)
            return nic;
    }
    return NULL;
}

/* The entry of "PortId", created if absent; NULL when out of memory. */
static PXSWFWD_PORT XswFwdGetPort(_In_ PXSWFWD_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    PXSWFWD_PORT port = XswFwdFindPort(Filter, PortId);
    if (port != NULL)
        return port;
    port = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*port), XSWFWD_TAG);
    if (port == NULL)
        return NULL;
    NdisZeroMemory(port, sizeof(*port));
    port->PortId = PortId;
    InitializeListHead(&port->Nics);
    InsertTailList(&Filter->Ports, &port->Link);
    return port;
}

/* The entry of NIC "PortId"/"NicIndex", created (with its port) if absent. */
static PXSWFWD_NIC XswFwdGetNic(_In_ PXSWFWD_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId,
                                _In_ NDIS_SWITCH_NIC_INDEX NicIndex)
{
    PXSWFWD_PORT port;
    PXSWFWD_NIC nic = XswFwdFindNic(Filter, PortId, NicIndex);
    if (nic != NULL)
        return nic;
    port = XswFwdGetPort(Filter, PortId);
    if (port == NULL)
        return NULL;
    nic = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*nic), XSWFWD_TAG);
    if (nic == NULL)
        return NULL;
    NdisZeroMemory(nic, sizeof(*nic));
    nic->PortId = PortId;
    nic->NicIndex = NicIndex;
    InsertTailList(&port->Nics, &nic->Link);
    return nic;
}

/* Forget every learned MAC address that points at "PortId" (and "NicIndex" unless AllNics). */
static void XswFwdForgetMacs(_In_ PXSWFWD_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId,
                             _In_ NDIS_SWITCH_NIC_INDEX NicIndex, _In_ BOOLEAN AllNics)
{
    for (ULONG b = 0; b < XSWFWD_MAC_BUCKETS; b++) {
        PLIST_ENTRY e = Filter->Macs[b].Flink;
        while (e != &Filter->Macs[b]) {
            PXSWFWD_MAC mac = CONTAINING_RECORD(e, XSWFWD_MAC, Link);
            e = e->Flink;
            if (mac->PortId == PortId && (AllNics || mac->NicIndex == NicIndex)) {
                RemoveEntryList(&mac->Link);
                ExFreePoolWithTag(mac, XSWFWD_TAG);
            }
        }
    }
}

static void XswFwdRemoveNic(_In_ PXSWFWD_FILTER Filter, _In_ PXSWFWD_NIC Nic)
{
    XswFwdForgetMacs(Filter, Nic->PortId, Nic->NicIndex, FALSE);
    RemoveEntryList(&Nic->Link);
    ExFreePoolWithTag(Nic, XSWFWD_TAG);
}

static void XswFwdRemovePort(_In_ PXSWFWD_FILTER Filter, _In_ PXSWFWD_PORT Port)
{
    while (!IsListEmpty(&Port->Nics))
        XswFwdRemoveNic(Filter, CONTAINING_RECORD(Port->Nics.Flink, XSWFWD_NIC, Link));
    XswFwdForgetMacs(Filter, Port->PortId, 0, TRUE);
    RemoveEntryList(&Port->Link);
    ExFreePoolWithTag(Port, XSWFWD_TAG);
}

static PXSWFWD_MAC XswFwdFindMac(_In_ PXSWFWD_FILTER Filter, _In_reads_bytes_(6) const UCHAR *Mac)
{
    PLIST_ENTRY head = &Filter->Macs[XswFwdMacBucket(Mac)];
    for (PLIST_ENTRY e = head->Flink; e != head; e = e->Flink) {
        PXSWFWD_MAC entry = CONTAINING_RECORD(e, XSWFWD_MAC, Link);
        if (RtlEqualMemory(entry->Mac, Mac, ETH_LENGTH_OF_ADDRESS))
            return entry;
    }
    return NULL;
}

/* Learn "Mac" behind a connected NIC (write lock held). */
static void XswFwdLearnLocked(_In_ PXSWFWD_FILTER Filter, _In_reads_bytes_(6) const UCHAR *Mac,
                              _In_ PXSWFWD_NIC Nic)
{
    PXSWFWD_MAC entry = XswFwdFindMac(Filter, Mac);
    if (entry == NULL) {
        entry = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*entry), XSWFWD_TAG);
        if (entry == NULL)
            return;
        NdisMoveMemory(entry->Mac, Mac, ETH_LENGTH_OF_ADDRESS);
        InsertHeadList(&Filter->Macs[XswFwdMacBucket(Mac)], &entry->Link);
    }
    entry->PortId = Nic->PortId;
    entry->NicIndex = Nic->NicIndex;
    NdisMoveMemory(Nic->LearnedMac, Mac, ETH_LENGTH_OF_ADDRESS);
    Nic->HasLearnedMac = TRUE;
}

/*
 * The NIC of "Port" that receives the port's traffic: NIC 0 for a VM or
 * internal port, the lowest connected physical NIC (index > 0) of the
 * external port, or NULL when no NIC of the port is connected.
 */
static PXSWFWD_NIC XswFwdDeliveryNic(_In_ PXSWFWD_PORT Port)
{
    PXSWFWD_NIC best = NULL;
    if (Port->IsValidation || Port->TearingDown)
        return NULL;
    for (PLIST_ENTRY e = Port->Nics.Flink; e != &Port->Nics; e = e->Flink) {
        PXSWFWD_NIC nic = CONTAINING_RECORD(e, XSWFWD_NIC, Link);
        if (!nic->Connected)
            continue;
        if (best == NULL || (best->NicIndex == 0 && nic->NicIndex != 0) ||
            (nic->NicIndex != 0 && nic->NicIndex < best->NicIndex))
            best = nic;
    }
    return best;
}

static PXSWFWD_PORT XswFwdFindStaticMac(_In_ PXSWFWD_FILTER Filter, _In_reads_bytes_(6) const UCHAR *Mac)
{
    for (PLIST_ENTRY e = Filter->Ports.Flink; e != &Filter->Ports; e = e->Flink) {
        PXSWFWD_PORT port = CONTAINING_RECORD(e, XSWFWD_PORT, Link);
        if (port->HasStaticMac && RtlEqualMemory(port->StaticMac, Mac, ETH_LENGTH_OF_ADDRESS))
            return port;
    }
    return NULL;
}

/* ---- Internal OIDs and activation ----------------------------------------------------------------- */

/* Parse this extension's custom property (an NDIS_SWITCH_PORT_PROPERTY_CUSTOM of "Length" bytes). */
static BOOLEAN XswFwdParseCustom(_In_reads_bytes_(Length) const UCHAR *Custom, _In_ ULONG Length,
                                 _Out_ PXSWFWD_STATIC_MAC StaticMac)
{
    const NDIS_SWITCH_PORT_PROPERTY_CUSTOM *custom = (const NDIS_SWITCH_PORT_PROPERTY_CUSTOM *)Custom;

    NdisZeroMemory(StaticMac, sizeof(*StaticMac));
    if (Length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1)
        return FALSE;
    if (custom->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
        custom->Header.Revision < NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1 ||
        custom->Header.Size < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1)
        return FALSE;
    if (custom->PropertyBufferOffset > Length || custom->PropertyBufferLength > Length - custom->PropertyBufferOffset ||
        custom->PropertyBufferLength < sizeof(XSWFWD_STATIC_MAC))
        return FALSE;
    NdisMoveMemory(StaticMac, Custom + custom->PropertyBufferOffset, sizeof(*StaticMac));
    /* Syntax and range checks only: a unicast, non-zero address of a known version. */
    if (StaticMac->Version != XSWFWD_STATIC_MAC_VERSION || ETH_IS_MULTICAST(StaticMac->MacAddress))
        return FALSE;
    for (ULONG i = 0; i < ETH_LENGTH_OF_ADDRESS; i++)
        if (StaticMac->MacAddress[i] != 0)
            return TRUE;
    return FALSE;
}

/*
 * The first instance of the static MAC property of port "Context"
 * (XSW_OID_PROPERTY_VISIT): pinned unless the port is a validation port.
 */
static BOOLEAN XswFwdVisitStaticMac(_In_ PVOID Context, _In_reads_bytes_(Length) const UCHAR *Property,
                                    _In_ ULONG Length)
{
    PXSWFWD_LOAD load = Context;
    XSWFWD_STATIC_MAC staticMac;
    LOCK_STATE_EX lockState;
    PXSWFWD_PORT port;

    if (XswFwdParseCustom(Property, Length, &staticMac)) {
        NdisAcquireRWLockWrite(load->Filter->Lock, &lockState, 0);
        port = XswFwdFindPort(load->Filter, load->PortId);
        if (port != NULL && !port->IsValidation) {
            NdisMoveMemory(port->StaticMac, staticMac.MacAddress, ETH_LENGTH_OF_ADDRESS);
            port->HasStaticMac = TRUE;
        }
        NdisReleaseRWLock(load->Filter->Lock, &lockState);
    }
    return FALSE;
}

/* Load the static MAC property of one existing port (the caller holds a port reference). */
static void XswFwdLoadPortProperty(_In_ PXSWFWD_FILTER Filter, _In_ NDIS_SWITCH_PORT_ID PortId)
{
    XSWFWD_LOAD load;

    load.Filter = Filter;
    load.PortId = PortId;
    XswOidEnumPortProperty(&Filter->Oids, PortId, NdisSwitchPortPropertyTypeCustom, &XswFwdPropertyId,
                           XswFwdVisitStaticMac, &load);
}

/*
 * The switch is active (XSW_BASE_ACTIVATE): take over the ports and NICs that exist already
 * (PORT_ARRAY, then NIC_ARRAY; a NIC reported Connected can be a destination
 * at once), then load each port's static MAC property under a port reference.
 */
static VOID XswFwdActivate(_In_ NDIS_HANDLE FilterModuleContext)
{
    PXSWFWD_FILTER Filter = FilterModuleContext;
    PNDIS_SWITCH_PORT_ARRAY ports;
    PNDIS_SWITCH_NIC_ARRAY nics;
    LOCK_STATE_EX lockState;

    ports = XswOidQueryPortArray(&Filter->Oids);
    nics = XswOidQueryNicArray(&Filter->Oids);

    NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
    for (ULONG i = 0; ports != NULL && i < ports->NumElements; i++) {
        PNDIS_SWITCH_PORT_PARAMETERS p = NDIS_SWITCH_PORT_AT_ARRAY_INDEX(ports, i);
        PXSWFWD_PORT port;
        if (p->PortState != NdisSwitchPortStateCreated)
            continue;
        port = XswFwdGetPort(Filter, p->PortId);
        if (port != NULL) {
            port->PortType = p->PortType;
            port->IsValidation = p->IsValidationPort;
        }
    }
    for (ULONG i = 0; nics != NULL && i < nics->NumElements; i++) {
        PNDIS_SWITCH_NIC_PARAMETERS n = NDIS_SWITCH_NIC_AT_ARRAY_INDEX(nics, i);
        PXSWFWD_NIC nic;
        if (n->NicState != NdisSwitchNicStateCreated && n->NicState != NdisSwitchNicStateConnected)
            continue;
        nic = XswFwdGetNic(Filter, n->PortId, n->NicIndex);
        if (nic != NULL) {
            nic->NicType = n->NicType;
            nic->Connected = n->NicState == NdisSwitchNicStateConnected;
        }
    }
    NdisReleaseRWLock(Filter->Lock, &lockState);

    for (ULONG i = 0; ports != NULL && i < ports->NumElements; i++) {
        PNDIS_SWITCH_PORT_PARAMETERS p = NDIS_SWITCH_PORT_AT_ARRAY_INDEX(ports, i);
        if (p->IsValidationPort || p->PortState != NdisSwitchPortStateCreated)
            continue;
        /* A port reference keeps the port from being deleted during the enumeration. */
        if (Filter->SwitchHandlers.ReferenceSwitchPort(Filter->SwitchContext, p->PortId) != NDIS_STATUS_SUCCESS)
            continue;
        XswFwdLoadPortProperty(Filter, p->PortId);
        (void)Filter->SwitchHandlers.DereferenceSwitchPort(Filter->SwitchContext, p->PortId);
    }
    if (ports != NULL)
        ExFreePoolWithTag(ports, XSWFWD_TAG);
    if (nics != NULL)
        ExFreePoolWithTag(nics, XSWFWD_TAG);
}

/* ---- Driver and module life cycle --------------------------------------------------------------- */

/*
 * The forwarding policy is in FilterAttach/Detach, the OIDs and the ingress
 * path: destinations are decided on ingress, so egress, completions,
 * returns, cancellations and status indications pass through, and restart,
 * pause and PnP events follow the life cycle of ../common/xswbase.h.
 */
NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    static const XSW_BASE_HANDLERS handlers = {
        .Attach = XswFwdAttach,
        .Detach = XswFwdDetach,
        .OidRequest = XswFwdOidRequest,
        .Send = XswFwdSend,
    };

    UNREFERENCED_PARAMETER(RegistryPath);
    return XswBaseRegisterDriver(DriverObject, &XswFwdIdentity, &handlers);
}

NDIS_STATUS XswFwdAttach(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_HANDLE FilterDriverContext,
                         _In_ PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    PXSWFWD_FILTER filter;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(FilterDriverContext);
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER;

    filter = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*filter), XSWFWD_TAG);
    if (filter == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(filter, sizeof(*filter));
    filter->FilterHandle = NdisFilterHandle;
    InitializeListHead(&filter->Ports);
    for (ULONG b = 0; b < XSWFWD_MAC_BUCKETS; b++)
        InitializeListHead(&filter->Macs[b]);
    XswOidInitialize(&filter->Oids, NdisFilterHandle, XSWFWD_TAG, XswFwdForwarded, XswFwdDiscard, filter);

    XswBaseInitialize(&filter->Base, &filter->Oids, XswFwdActivate, NULL);

    status = XswBaseGetSwitchHandlers(NdisFilterHandle, &filter->SwitchContext, &filter->SwitchHandlers);
    if (status != NDIS_STATUS_SUCCESS) {
        ExFreePoolWithTag(filter, XSWFWD_TAG);
        return status;
    }
    filter->Lock = NdisAllocateRWLock(NdisFilterHandle);
    if (filter->Lock == NULL) {
        ExFreePoolWithTag(filter, XSWFWD_TAG);
        return NDIS_STATUS_RESOURCES;
    }
    NDIS_DECLARE_FILTER_MODULE_CONTEXT(XSWFWD_FILTER);
    status = XswBaseSetAttributes(NdisFilterHandle, filter);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeRWLock(filter->Lock);
        ExFreePoolWithTag(filter, XSWFWD_TAG);
    }
    return status;
}

VOID XswFwdDetach(_In_ NDIS_HANDLE FilterModuleContext)
{
    PXSWFWD_FILTER filter = FilterModuleContext;

    /* Every OID this filter issued or forwarded has completed by now. */
    DbgPrint(XSWFWD_LOG_NAME ": %ld unicast, %ld flooded, %ld dropped\n", (long)filter->Unicast, (long)filter->Flooded,
             (long)filter->Dropped);
    while (!IsListEmpty(&filter->Ports))
        XswFwdRemovePort(filter, CONTAINING_RECORD(filter->Ports.Flink, XSWFWD_PORT, Link));
    for (ULONG b = 0; b < XSWFWD_MAC_BUCKETS; b++)
        while (!IsListEmpty(&filter->Macs[b]))
            ExFreePoolWithTag(CONTAINING_RECORD(RemoveHeadList(&filter->Macs[b]), XSWFWD_MAC, Link), XSWFWD_TAG);
    NdisFreeRWLock(filter->Lock);
    ExFreePoolWithTag(filter, XSWFWD_TAG);
}

/* ---- OID requests ------------------------------------------------------------------------------- */

/*
 * A forwarded request completed below with "Status" (XSW_OID_FORWARDED):
 * roll back a vetoed PORT_CREATE / NIC_CREATE, mark a connected NIC, release
 * the NIC reference taken for a NIC request.
 */
static VOID XswFwdForwarded(_In_ PVOID FilterContext, _In_ PNDIS_OID_REQUEST Original, _In_opt_ PVOID RequestContext,
                            _In_ NDIS_STATUS Status)
{
    PXSWFWD_FILTER filter = FilterContext;
    PXSWFWD_PENDING pending = RequestContext;
    LOCK_STATE_EX lockState;

    UNREFERENCED_PARAMETER(Original);
    if (pending == NULL)
        return;
    switch (pending->Kind) {
    case XswFwdPendingPortCreate:
        if (Status != NDIS_STATUS_SUCCESS) {
            PXSWFWD_PORT port;
            NdisAcquireRWLockWrite(filter->Lock, &lockState, 0);
            port = XswFwdFindPort(filter, pending->PortId);
            if (port != NULL)
                XswFwdRemovePort(filter, port);
            NdisReleaseRWLock(filter->Lock, &lockState);
        }
        break;
    case XswFwdPendingNicCreate:
        if (Status != NDIS_STATUS_SUCCESS) {
            PXSWFWD_NIC nic;
            NdisAcquireRWLockWrite(filter->Lock, &lockState, 0);
            nic = XswFwdFindNic(filter, pending->PortId, pending->NicIndex);
            if (nic != NULL)
                XswFwdRemoveNic(filter, nic);
            NdisReleaseRWLock(filter->Lock, &lockState);
        }
        break;
    case XswFwdPendingNicConnect:
        if (Status == NDIS_STATUS_SUCCESS) {
            PXSWFWD_NIC nic;
            NdisAcquireRWLockWrite(filter->Lock, &lockState, 0);
            nic = XswFwdGetNic(filter, pending->PortId, pending->NicIndex);
            if (nic != NULL)
                nic->Connected = TRUE;
            NdisReleaseRWLock(filter->Lock, &lockState);
        }
        break;
    case XswFwdPendingNicReference:
        (void)filter->SwitchHandlers.DereferenceSwitchNic(filter->SwitchContext, pending->PortId, pending->NicIndex);
        break;
    }
    ExFreePoolWithTag(pending, XSWFWD_TAG);
}

/* The XSWFWD_PENDING of a request that could not be forwarded (XSW_OID_DISCARD). */
static VOID XswFwdDiscard(_In_ PVOID FilterContext, _In_ PVOID RequestContext)
{
    PXSWFWD_FILTER filter = FilterContext;
    PXSWFWD_PENDING pending = RequestContext;

    if (pending->Kind == XswFwdPendingNicReference)
        (void)filter->SwitchHandlers.DereferenceSwitchNic(filter->SwitchContext, pending->PortId, pending->NicIndex);
    ExFreePoolWithTag(pending, XSWFWD_TAG);
}

/* Clone "OidRequest", attach "Pending" (may be NULL) and pass it down (XswOidForward). */
static NDIS_STATUS XswFwdForward(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest,
                                 _In_opt_ PXSWFWD_PENDING Pending)
{
    return XswOidForward(&Filter->Oids, OidRequest, Pending);
}

static PXSWFWD_PENDING XswFwdNewPending(_In_ XSWFWD_PENDING_KIND Kind, _In_ NDIS_SWITCH_PORT_ID PortId,
                                        _In_ NDIS_SWITCH_NIC_INDEX NicIndex)
{
    PXSWFWD_PENDING pending = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*pending), XSWFWD_TAG);
    if (pending != NULL) {
        NdisZeroMemory(pending, sizeof(*pending));
        pending->Kind = Kind;
        pending->PortId = PortId;
        pending->NicIndex = NicIndex;
    }
    return pending;
}

/* A switch OID buffer starts with a well-formed NDIS_OBJECT_HEADER of at least "Size" bytes. */
static BOOLEAN XswFwdHeaderOk(_In_opt_ const VOID *Buffer, _In_ ULONG Length, _In_ UCHAR Revision, _In_ ULONG Size)
{
    const NDIS_OBJECT_HEADER *header = Buffer;
    return Buffer != NULL && Length >= Size && header->Type == NDIS_OBJECT_TYPE_DEFAULT &&
           header->Revision >= Revision && header->Size >= Size;
}

/*
 * PORT_PROPERTY_ADD/UPDATE of this extension's custom property: validate,
 * keep (not for validation ports), and complete it here, as a forwarding
 * extension must. Returns NDIS_STATUS_PENDING when the property is not ours
 * and must be forwarded instead.
 */
static NDIS_STATUS XswFwdSetProperty(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    const UCHAR *buffer = OidRequest->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
    const NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *params = (const NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *)buffer;
    XSWFWD_STATIC_MAC staticMac;
    LOCK_STATE_EX lockState;
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    PXSWFWD_PORT port, owner;

    if (buffer == NULL || length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1 ||
        params->PropertyType != NdisSwitchPortPropertyTypeCustom ||
        !RtlEqualMemory(&params->PropertyId, &XswFwdPropertyId, sizeof(GUID)))
        return NDIS_STATUS_PENDING;
    if (!XswFwdHeaderOk(buffer, length, NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1,
                        NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1))
        return NDIS_STATUS_INVALID_PARAMETER;
    if (params->PropertyBufferOffset > length || params->PropertyBufferLength > length - params->PropertyBufferOffset) {
        OidRequest->DATA.SET_INFORMATION.BytesNeeded = params->PropertyBufferOffset + params->PropertyBufferLength;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    if (!XswFwdParseCustom(buffer + params->PropertyBufferOffset, params->PropertyBufferLength, &staticMac))
        return NDIS_STATUS_DATA_NOT_ACCEPTED;

    NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
    owner = XswFwdFindStaticMac(Filter, staticMac.MacAddress);
    port = XswFwdGetPort(Filter, params->PortId);
    if (owner != NULL && owner != port) {
        /* Conflict validation: one address cannot be pinned to two ports. */
        status = NDIS_STATUS_DATA_NOT_ACCEPTED;
    } else if (port == NULL) {
        status = NDIS_STATUS_RESOURCES;
    } else if (!port->IsValidation) {
        /* Validation ports are validated only; nothing is reserved for them. */
        NdisMoveMemory(port->StaticMac, staticMac.MacAddress, ETH_LENGTH_OF_ADDRESS);
        port->HasStaticMac = TRUE;
    }
    NdisReleaseRWLock(Filter->Lock, &lockState);
    if (status == NDIS_STATUS_SUCCESS)
        OidRequest->DATA.SET_INFORMATION.BytesRead = length;
    return status;
}

/* PORT_PROPERTY_DELETE of this extension's property is completed here; others are forwarded (PENDING). */
static NDIS_STATUS XswFwdDeleteProperty(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PNDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS params = OidRequest->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
    LOCK_STATE_EX lockState;
    PXSWFWD_PORT port;

    if (params == NULL || length < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1 ||
        params->PropertyType != NdisSwitchPortPropertyTypeCustom ||
        !RtlEqualMemory(&params->PropertyId, &XswFwdPropertyId, sizeof(GUID)))
        return NDIS_STATUS_PENDING;
    NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
    port = XswFwdFindPort(Filter, params->PortId);
    if (port != NULL)
        port->HasStaticMac = FALSE;
    NdisReleaseRWLock(Filter->Lock, &lockState);
    OidRequest->DATA.SET_INFORMATION.BytesRead = length;
    return NDIS_STATUS_SUCCESS;
}

/*
 * OID_SWITCH_NIC_SAVE (method): write this extension's blob for a NIC it
 * tracks, once per save operation. Returns NDIS_STATUS_PENDING when the
 * request must be forwarded (nothing, or nothing more, to save).
 */
static NDIS_STATUS XswFwdNicSave(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PNDIS_SWITCH_NIC_SAVE_STATE save = OidRequest->DATA.METHOD_INFORMATION.InformationBuffer;
    ULONG inLength = OidRequest->DATA.METHOD_INFORMATION.InputBufferLength;
    ULONG outLength = OidRequest->DATA.METHOD_INFORMATION.OutputBufferLength;
    XSWFWD_SAVE_DATA data;
    LOCK_STATE_EX lockState;
    PXSWFWD_NIC nic;
    ULONG needed, chars;

    if (!XswFwdHeaderOk(save, inLength, NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1,
                        NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1) ||
        save->SaveDataOffset < NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1)
        return NDIS_STATUS_PENDING;

    NdisZeroMemory(&data, sizeof(data));
    NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
    nic = XswFwdFindNic(Filter, save->PortId, save->NicIndex);
    if (nic == NULL || nic->SavedThisOperation) {
        NdisReleaseRWLock(Filter->Lock, &lockState);
        return NDIS_STATUS_PENDING;
    }
    data.Version = XSWFWD_SAVE_DATA_VERSION;
    data.FramesForwarded = (ULONG)nic->FramesForwarded;
    data.HasLearnedMac = nic->HasLearnedMac;
    NdisMoveMemory(data.LearnedMac, nic->LearnedMac, ETH_LENGTH_OF_ADDRESS);
    needed = (ULONG)save->SaveDataOffset + sizeof(data);
    if (outLength < needed) {
        /* The switch reissues the OID with a buffer of BytesNeeded bytes. */
        NdisReleaseRWLock(Filter->Lock, &lockState);
        OidRequest->DATA.METHOD_INFORMATION.BytesNeeded = needed;
        OidRequest->DATA.METHOD_INFORMATION.BytesWritten = 0;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    nic->SavedThisOperation = TRUE;
    NdisReleaseRWLock(Filter->Lock, &lockState);

    save->ExtensionId = XswFwdExtensionId;
    chars = sizeof(XswFwdFriendlyText) / sizeof(WCHAR) - 1;
    save->ExtensionFriendlyName.Length = (USHORT)(chars * sizeof(WCHAR));
    NdisMoveMemory(save->ExtensionFriendlyName.String, XswFwdFriendlyText, chars * sizeof(WCHAR));
    NdisZeroMemory(&save->FeatureClassId, sizeof(save->FeatureClassId));
    save->SaveDataSize = sizeof(data);
    NdisMoveMemory((PUCHAR)save + save->SaveDataOffset, &data, sizeof(data));
    OidRequest->DATA.METHOD_INFORMATION.BytesWritten = needed;
    OidRequest->DATA.METHOD_INFORMATION.BytesRead = inLength;
    OidRequest->DATA.METHOD_INFORMATION.BytesNeeded = 0;
    return NDIS_STATUS_SUCCESS;
}

/*
 * OID_SWITCH_NIC_RESTORE (set): consume a blob carrying this extension's
 * ExtensionId (returns SUCCESS); anything else is forwarded unmodified
 * (returns NDIS_STATUS_PENDING). A blob it cannot use is ignored rather than
 * failed, because failing the OID fails the whole restore.
 */
static NDIS_STATUS XswFwdNicRestore(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PNDIS_SWITCH_NIC_SAVE_STATE save = OidRequest->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
    XSWFWD_SAVE_DATA data;
    LOCK_STATE_EX lockState;
    PXSWFWD_NIC nic;

    if (!XswFwdHeaderOk(save, length, NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1,
                        NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1) ||
        (!RtlEqualMemory(&save->ExtensionId, &XswFwdExtensionId, sizeof(GUID)) &&
         !XSWFWD_HOOK_FOREIGN_BLOB(Filter, save, length)))
        return NDIS_STATUS_PENDING;
    OidRequest->DATA.SET_INFORMATION.BytesRead = length;
    if (save->SaveDataSize < sizeof(data) || save->SaveDataOffset > length ||
        length - save->SaveDataOffset < sizeof(data))
        return NDIS_STATUS_SUCCESS;
    NdisMoveMemory(&data, (PUCHAR)save + save->SaveDataOffset, sizeof(data));
    if (data.Version != XSWFWD_SAVE_DATA_VERSION)
        return NDIS_STATUS_SUCCESS;
    /* The port id may differ from save time (live migration): the restore names the NIC now. */
    NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
    nic = XswFwdFindNic(Filter, save->PortId, save->NicIndex);
    if (nic != NULL) {
        InterlockedExchange(&nic->FramesForwarded, (LONG)data.FramesForwarded);
        if (data.HasLearnedMac && nic->Connected && !ETH_IS_MULTICAST(data.LearnedMac))
            XswFwdLearnLocked(Filter, data.LearnedMac, nic);
    }
    NdisReleaseRWLock(Filter->Lock, &lockState);
    return NDIS_STATUS_SUCCESS;
}

/* The OID inside an OID_SWITCH_NIC_REQUEST, for either request type the sources use. */
static NDIS_OID XswFwdInnerOid(_In_ PNDIS_OID_REQUEST Inner)
{
    switch (Inner->RequestType) {
    case NdisRequestMethod:
        return Inner->DATA.METHOD_INFORMATION.Oid;
    case NdisRequestSetInformation:
        return Inner->DATA.SET_INFORMATION.Oid;
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        return Inner->DATA.QUERY_INFORMATION.Oid;
    default:
        return 0;
    }
}

/* OID_SWITCH_NIC_REQUEST: veto VF allocation, forward the rest under a destination NIC reference. */
static NDIS_STATUS XswFwdNicRequest(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PNDIS_SWITCH_NIC_OID_REQUEST nicRequest = OidRequest->DATA.METHOD_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.METHOD_INFORMATION.InputBufferLength;
    PXSWFWD_PENDING pending;
    NDIS_STATUS status;

    if (!XswFwdHeaderOk(nicRequest, length, NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1,
                        NDIS_SIZEOF_NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1) ||
        nicRequest->OidRequest == NULL)
        return XswFwdForward(Filter, OidRequest, NULL);
    /* Keep VM traffic on the synthetic path, through the switch and this extension. */
    if (XswFwdInnerOid(nicRequest->OidRequest) == OID_NIC_SWITCH_ALLOCATE_VF &&
        !XSWFWD_HOOK_ALLOW_VF(Filter, nicRequest))
        return NDIS_STATUS_FAILURE;
    /* Destination 0/0 means "for extensions in the control path": there is no NIC to reference. */
    if (nicRequest->DestinationPortId == NDIS_SWITCH_DEFAULT_PORT_ID)
        return XswFwdForward(Filter, OidRequest, NULL);
    pending = XswFwdNewPending(XswFwdPendingNicReference, nicRequest->DestinationPortId,
                               nicRequest->DestinationNicIndex);
    if (pending == NULL)
        return NDIS_STATUS_RESOURCES;
    status = Filter->SwitchHandlers.ReferenceSwitchNic(Filter->SwitchContext, nicRequest->DestinationPortId,
                                                       nicRequest->DestinationNicIndex);
    if (status != NDIS_STATUS_SUCCESS) {
        /* The request must not be forwarded to a NIC that cannot be referenced. */
        ExFreePoolWithTag(pending, XSWFWD_TAG);
        return NDIS_STATUS_FAILURE;
    }
    return XswFwdForward(Filter, OidRequest, pending);
}

/* The switch set OIDs that change the tables; everything else is forwarded untouched. */
static NDIS_STATUS XswFwdSetOid(_In_ PXSWFWD_FILTER Filter, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PVOID buffer = OidRequest->DATA.SET_INFORMATION.InformationBuffer;
    ULONG length = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
    PNDIS_SWITCH_PORT_PARAMETERS portParams = buffer;
    PNDIS_SWITCH_NIC_PARAMETERS nicParams = buffer;
    BOOLEAN portOk = XswFwdHeaderOk(buffer, length, NDIS_SWITCH_PORT_PARAMETERS_REVISION_1,
                                    NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1);
    BOOLEAN nicOk = XswFwdHeaderOk(buffer, length, NDIS_SWITCH_NIC_PARAMETERS_REVISION_1,
                                   NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_1);
    LOCK_STATE_EX lockState;
    PXSWFWD_PENDING pending;
    NDIS_STATUS status;

    switch (OidRequest->DATA.SET_INFORMATION.Oid) {
    case OID_SWITCH_PORT_CREATE: {
        PXSWFWD_PORT port;
        if (!portOk)
            break;
        pending = XswFwdNewPending(XswFwdPendingPortCreate, portParams->PortId, 0);
        if (pending == NULL)
            return NDIS_STATUS_RESOURCES; /* a transitory veto: the switch may retry */
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        port = XswFwdGetPort(Filter, portParams->PortId);
        if (port != NULL) {
            port->PortType = portParams->PortType;
            port->IsValidation = portParams->IsValidationPort;
            port->TearingDown = FALSE;
        }
        NdisReleaseRWLock(Filter->Lock, &lockState);
        if (port == NULL) {
            ExFreePoolWithTag(pending, XSWFWD_TAG);
            return NDIS_STATUS_RESOURCES;
        }
        return XswFwdForward(Filter, OidRequest, pending);
    }
    case OID_SWITCH_PORT_TEARDOWN:
    case OID_SWITCH_PORT_DELETE: {
        PXSWFWD_PORT port;
        if (!portOk)
            break;
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        port = XswFwdFindPort(Filter, portParams->PortId);
        if (port != NULL) {
            if (OidRequest->DATA.SET_INFORMATION.Oid == OID_SWITCH_PORT_DELETE)
                XswFwdRemovePort(Filter, port);
            else
                port->TearingDown = TRUE;
        }
        NdisReleaseRWLock(Filter->Lock, &lockState);
        break;
    }
    case OID_SWITCH_NIC_CREATE: {
        PXSWFWD_NIC nic;
        if (!nicOk)
            break;
        pending = XswFwdNewPending(XswFwdPendingNicCreate, nicParams->PortId, nicParams->NicIndex);
        if (pending == NULL)
            break; /* only NicIndex 0 may be vetoed: track it at NIC_CONNECT instead */
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        nic = XswFwdGetNic(Filter, nicParams->PortId, nicParams->NicIndex);
        if (nic != NULL) {
            nic->NicType = nicParams->NicType;
            nic->Connected = FALSE;
        }
        NdisReleaseRWLock(Filter->Lock, &lockState);
        return XswFwdForward(Filter, OidRequest, pending);
    }
    case OID_SWITCH_NIC_CONNECT:
        if (!nicOk)
            break;
        pending = XswFwdNewPending(XswFwdPendingNicConnect, nicParams->PortId, nicParams->NicIndex);
        return XswFwdForward(Filter, OidRequest, pending);
    case OID_SWITCH_NIC_DISCONNECT:
    case OID_SWITCH_NIC_DELETE: {
        PXSWFWD_NIC nic;
        if (!nicOk)
            break;
        /* Out of the table before the OID goes down: no destination is added for it from now on. */
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        nic = XswFwdFindNic(Filter, nicParams->PortId, nicParams->NicIndex);
        if (nic != NULL)
            XswFwdRemoveNic(Filter, nic);
        NdisReleaseRWLock(Filter->Lock, &lockState);
        break;
    }
    case OID_SWITCH_NIC_SAVE_COMPLETE: {
        PNDIS_SWITCH_NIC_SAVE_STATE save = buffer;
        PXSWFWD_NIC nic;
        if (!XswFwdHeaderOk(buffer, length, NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1,
                            NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1))
            break;
        NdisAcquireRWLockWrite(Filter->Lock, &lockState, 0);
        nic = XswFwdFindNic(Filter, save->PortId, save->NicIndex);
        if (nic != NULL)
            nic->SavedThisOperation = FALSE;
        NdisReleaseRWLock(Filter->Lock, &lockState);
        break;
    }
    case OID_SWITCH_NIC_RESTORE:
        status = XswFwdNicRestore(Filter, OidRequest);
        if (status != NDIS_STATUS_PENDING)
            return status;
        break;
    case OID_SWITCH_PORT_PROPERTY_ADD:
    case OID_SWITCH_PORT_PROPERTY_UPDATE:
        status = XswFwdSetProperty(Filter, OidRequest);
        if (status != NDIS_STATUS_PENDING)
            return status;
        break;
    case OID_SWITCH_PORT_PROPERTY_DELETE:
        status = XswFwdDeleteProperty(Filter, OidRequest);
        if (status != NDIS_STATUS_PENDING)
            return status;
        break;
    default:
        break;
    }
    return XswFwdForward(Filter, OidRequest, NULL);
}

NDIS_STATUS XswFwdOidRequest(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PXSWFWD_FILTER filter = FilterModuleContext;
    NDIS_STATUS status;

    if (XSWFWD_HOOK_OID_REQUEST(filter, OidRequest, &status))
        return status;
    switch (OidRequest->RequestType) {
    case NdisRequestSetInformation:
        return XswFwdSetOid(filter, OidRequest);
    case NdisRequestMethod:
        switch (OidRequest->DATA.METHOD_INFORMATION.Oid) {
        case OID_SWITCH_NIC_SAVE:
            status = XswFwdNicSave(filter, OidRequest);
            if (status != NDIS_STATUS_PENDING)
                return status;
            break;
        case OID_SWITCH_NIC_REQUEST:
            return XswFwdNicRequest(filter, OidRequest);
        default:
            break;
        }
        break;
    default:
        break;
    }
    return XswFwdForward(filter, OidRequest, NULL);
}

/* ---- Data path ------------------------------------------------------------------------------------ */

/* Report one ingress packet as dropped (Flags IS_INCOMING, PortId = its source port). */
static void XswFwdReportDrop(_In_ PXSWFWD_FILTER Filter, _In_ PNET_BUFFER_LIST Nbl, _In_ PCWSTR Reason)
{
    NDIS_STRING text;
    RtlInitUnicodeString(&text, Reason);
    Filter->SwitchHandlers.ReportFilteredNetBufferLists(Filter->SwitchContext, &XswFwdIdentity.UniqueName,
                                                        &XswFwdIdentity.FriendlyName,
                                                        NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(Nbl)->SourcePortId,
                                                        NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING, 1, Nbl,
                                                        &text);
    InterlockedIncrement(&Filter->Dropped);
}

/*
 * Learn the source address of a packet that came from a connected NIC. The
 * read lock answers the common case (already known, same place); the write
 * lock is taken only for a new or moved address.
 */
static void XswFwdLearn(_In_ PXSWFWD_FILTER Filter, _In_reads_bytes_(6) const UCHAR *SrcMac,
                        _In_ NDIS_SWITCH_PORT_ID PortId, _In_ NDIS_SWITCH_NIC_INDEX NicIndex, _In_ UCHAR LockFlags)
{
    LOCK_STATE_EX lockState;
    PXSWFWD_NIC nic;
    PXSWFWD_MAC entry;
    BOOLEAN known;

    if (ETH_IS_MULTICAST(SrcMac) || PortId == NDIS_SWITCH_DEFAULT_PORT_ID)
        return;
    NdisAcquireRWLockRead(Filter->Lock, &lockState, LockFlags);
    nic = XswFwdFindNic(Filter, PortId, NicIndex);
    entry = XswFwdFindMac(Filter, SrcMac);
    known = nic == NULL || !nic->Connected || (entry != NULL && entry->PortId == PortId && entry->NicIndex == NicIndex);
    if (nic != NULL)
        InterlockedIncrement(&nic->FramesForwarded);
    NdisReleaseRWLock(Filter->Lock, &lockState);
    if (known)
        return;
    NdisAcquireRWLockWrite(Filter->Lock, &lockState, LockFlags);
    nic = XswFwdFindNic(Filter, PortId, NicIndex);
    if (nic != NULL && nic->Connected)
        XswFwdLearnLocked(Filter, SrcMac, nic);
    NdisReleaseRWLock(Filter->Lock, &lockState);
}

/*
 * Add destinations to one ingress packet. Returns NULL when the packet may be
 * sent on, else the reason it must be dropped. Runs under the read lock.
 */
static PCWSTR XswFwdRoute(_In_ PXSWFWD_FILTER Filter, _In_ PNET_BUFFER_LIST Nbl, _In_reads_bytes_(14) const UCHAR *Eth)
{
    PNDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO detail = NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(Nbl);
    NDIS_SWITCH_PORT_ID source = detail->SourcePortId;
    PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY dests = NULL;
    NDIS_SWITCH_PORT_DESTINATION dest;
    PXSWFWD_PORT port = NULL;
    PXSWFWD_NIC nic = NULL;
    UINT32 count = 0, k = 0;
    NDIS_STATUS status;

    if (!ETH_IS_MULTICAST(Eth)) {
        PXSWFWD_MAC entry;
        port = XswFwdFindStaticMac(Filter, Eth);
        if (port != NULL) {
            nic = XswFwdDeliveryNic(port);
        } else if ((entry = XswFwdFindMac(Filter, Eth)) != NULL) {
            nic = XswFwdFindNic(Filter, entry->PortId, entry->NicIndex);
            if (nic != NULL && !nic->Connected)
                nic = NULL;
        }
        if (nic != NULL) {
            if (nic->PortId == source)
                return L"xswforward: destination is on the source port";
            NdisZeroMemory(&dest, sizeof(dest));
            dest.PortId = nic->PortId;
            dest.NicIndex = nic->NicIndex;
            status = Filter->SwitchHandlers.AddNetBufferListDestination(Filter->SwitchContext, Nbl, &dest);
            if (status != NDIS_STATUS_SUCCESS)
                return L"xswforward: AddNetBufferListDestination failed";
            InterlockedIncrement(&Filter->Unicast);
            return NULL;
        }
    }

    /* Broadcast, multicast or unknown unicast: one NIC of every other port with a connected NIC. */
    for (PLIST_ENTRY e = Filter->Ports.Flink; e != &Filter->Ports; e = e->Flink) {
        port = CONTAINING_RECORD(e, XSWFWD_PORT, Link);
        if (port->PortId != source && XswFwdDeliveryNic(port) != NULL)
            count++;
    }
    if (count == 0)
        return L"xswforward: zero destinations for a flooded packet";
    if (count == 1) {
        for (PLIST_ENTRY e = Filter->Ports.Flink; e != &Filter->Ports; e = e->Flink) {
            port = CONTAINING_RECORD(e, XSWFWD_PORT, Link);
            if (port->PortId != source && (nic = XswFwdDeliveryNic(port)) != NULL)
                break;
        }
        NdisZeroMemory(&dest, sizeof(dest));
        dest.PortId = nic->PortId;
        dest.NicIndex = nic->NicIndex;
        status = Filter->SwitchHandlers.AddNetBufferListDestination(Filter->SwitchContext, Nbl, &dest);
        if (status != NDIS_STATUS_SUCCESS)
            return L"xswforward: AddNetBufferListDestination failed";
        InterlockedIncrement(&Filter->Flooded);
        return NULL;
    }
    /*
     * NumberOfNewDestinations is "the number of new destination ports to be
     * added for the packet": ask for all of them. (The Microsoft sample asks
     * only for the shortfall, relying on the array growing by that much.)
     */
    if (detail->NumAvailableDestinations < count)
        status = Filter->SwitchHandlers.GrowNetBufferListDestinations(Filter->SwitchContext, Nbl, count, &dests);
    else {
        Filter->SwitchHandlers.GetNetBufferListDestinations(Filter->SwitchContext, Nbl, &dests);
        status = dests != NULL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
    }
    if (status != NDIS_STATUS_SUCCESS || dests == NULL || dests->NumElements - dests->NumDestinations < count)
        return L"xswforward: cannot grow the destination array";
    for (PLIST_ENTRY e = Filter->Ports.Flink; e != &Filter->Ports && k < count; e = e->Flink) {
        PNDIS_SWITCH_PORT_DESTINATION d;
        port = CONTAINING_RECORD(e, XSWFWD_PORT, Link);
        if (port->PortId == source || (nic = XswFwdDeliveryNic(port)) == NULL)
            continue;
        d = NDIS_SWITCH_PORT_DESTINATION_AT_ARRAY_INDEX(dests, dests->NumDestinations + k);
        NdisZeroMemory(d, sizeof(*d));
        d->PortId = nic->PortId;
        d->NicIndex = nic->NicIndex;
        k++;
    }
    status = Filter->SwitchHandlers.UpdateNetBufferListDestinations(Filter->SwitchContext, Nbl, k, dests);
    if (status != NDIS_STATUS_SUCCESS)
        return L"xswforward: UpdateNetBufferListDestinations failed";
    InterlockedIncrement(&Filter->Flooded);
    return NULL;
}

VOID XswFwdSend(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG SendFlags)
{
    PXSWFWD_FILTER filter = FilterModuleContext;
    UCHAR lockFlags = NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags) ? NDIS_RWL_AT_DISPATCH_LEVEL : 0;
    PNET_BUFFER_LIST pass = NULL, drop = NULL, next;
    PNET_BUFFER_LIST *passTail = &pass, *dropTail = &drop;
    ULONG completeFlags = 0;

    for (PNET_BUFFER_LIST nbl = NetBufferLists; nbl != NULL; nbl = next) {
        PNDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO detail = NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(nbl);
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        UCHAR storage[14];
        PUCHAR eth = nb != NULL ? NdisGetDataBuffer(nb, sizeof(storage), storage, 1, 0) : NULL;
        PCWSTR reason = NULL;

        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        if (detail->NativeForwardingRequired) {
            /* NVGRE: the switch forwards it natively; its destinations must not be touched. */
        } else if (eth == NULL) {
            reason = L"xswforward: frame shorter than an Ethernet header";
        } else {
            LOCK_STATE_EX lockState;
            XswFwdLearn(filter, eth + ETH_LENGTH_OF_ADDRESS, detail->SourcePortId,
                        (NDIS_SWITCH_NIC_INDEX)detail->SourceNicIndex, lockFlags);
            NdisAcquireRWLockRead(filter->Lock, &lockState, lockFlags);
            reason = XswFwdRoute(filter, nbl, eth);
            NdisReleaseRWLock(filter->Lock, &lockState);
        }
        if (reason == NULL) {
            *passTail = nbl;
            passTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        } else {
            /* Report first, then drop. */
            XswFwdReportDrop(filter, nbl, reason);
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_FAILURE;
            *dropTail = nbl;
            dropTail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        }
    }
    /* Destinations differ between packets: no DESTINATION_GROUP; the source grouping is kept. */
    if (pass != NULL)
        NdisFSendNetBufferLists(filter->FilterHandle, pass, PortNumber,
                                SendFlags & ~NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP);
    if (drop != NULL) {
        if (NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags))
            NDIS_SET_SEND_COMPLETE_FLAG(completeFlags, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
        if (NDIS_TEST_SEND_FLAG(SendFlags, NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE))
            NDIS_SET_SEND_COMPLETE_FLAG(completeFlags, NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE);
        NdisFSendNetBufferListsComplete(filter->FilterHandle, drop, completeFlags);
    }
}
