/*
 * xswcapture.c - the xsw reference capturing extension.
 *
 * A Hyper-V extensible switch extension of class ms_switch_capture written
 * as an ordinary Windows NDIS 6.30 lightweight filter driver: it builds with
 * the WDK for Windows and, unchanged, against xsw's NDIS headers for the
 * harness. It counts every NBL, byte, OID and status indication that crosses
 * it and forwards all of them unmodified, which is what a capturing
 * extension must do (learn.microsoft.com: capturing-extensions.md; it must
 * not drop, modify or redirect packets, must not veto OIDs, and must pass
 * OIDs and status indications on).
 *
 * Control path: on its first restart it queries OID_SWITCH_PARAMETERS; when
 * the switch is active it enumerates the NICs with OID_SWITCH_NIC_ARRAY
 * (retrying on NDIS_STATUS_INVALID_LENGTH with BytesNeeded), otherwise it
 * waits for NetEventSwitchActivate (querying-the-hyper-v-extensible-switch-
 * configuration.md). OIDs from above are forwarded through the OID plumbing
 * all xsw reference extensions share (../common/xswoid.h): cloned with
 * NdisAllocateCloneOidRequest, the original kept in SourceReserved. The
 * driver registration, restart, pause, PnP events and the pass-through
 * handlers are the life cycle they share too (../common/xswbase.h).
 */
#include <ndis.h>
#include "../common/xswbase.h"
#include "../common/xswoid.h"

#define XSWCAP_TAG 'paCX'

/*
 * Hook points for xsw's deliberately broken fixtures (fixtures/extensions/):
 * a fixture defines some of these macros and then includes this file, so
 * that it is this extension with one defect. Here each is a no-op (or the
 * reference's own value) and changes nothing.
 *   XSWCAP_SERVICE_NAME, XSWCAP_UNIQUE_NAME, XSWCAP_FRIENDLY_NAME,
 *   XSWCAP_LOG_NAME             the driver's identity
 *   XSWCAP_FILTER_FIELDS        extra members of XSWCAP_FILTER
 *   XSWCAP_HOOK_ALLOCATE_FILTER how FilterAttach allocates the filter context
 *   XSWCAP_HOOK_FIRST_RESTART   first restart, once OID_SWITCH_PARAMETERS is known
 *   XSWCAP_HOOK_OID_REQUEST     an OID from above arrives; TRUE: it is finished
 *                               with *Status instead of being forwarded
 *   XSWCAP_HOOK_OID_COMPLETE    a forwarded OID completed below, before it
 *                               is completed upwards
 *   XSWCAP_HOOK_SEND            ingress NBLs arrive; TRUE: they were passed
 *                               on or completed there
 *   XSWCAP_HOOK_SEND_COMPLETE   a send completion was passed up
 */
#ifndef XSWCAP_SERVICE_NAME
#define XSWCAP_SERVICE_NAME L"XswCapture"
#endif
#ifndef XSWCAP_UNIQUE_NAME
#define XSWCAP_UNIQUE_NAME L"{7b3e9a4c-1d2f-4e8a-9b61-5c0d2e7f8a11}"
#endif
#ifndef XSWCAP_FRIENDLY_NAME
#define XSWCAP_FRIENDLY_NAME L"xsw reference capturing extension"
#endif
#ifndef XSWCAP_LOG_NAME
#define XSWCAP_LOG_NAME "xswcapture"
#endif
#ifndef XSWCAP_FILTER_FIELDS
#define XSWCAP_FILTER_FIELDS
#endif
#ifndef XSWCAP_HOOK_ALLOCATE_FILTER
#define XSWCAP_HOOK_ALLOCATE_FILTER(Size, Tag) ExAllocatePool2(POOL_FLAG_NON_PAGED, (Size), (Tag))
#endif
#ifndef XSWCAP_HOOK_FIRST_RESTART
#define XSWCAP_HOOK_FIRST_RESTART(Filter, Params) ((void)0)
#endif
#ifndef XSWCAP_HOOK_OID_REQUEST
#define XSWCAP_HOOK_OID_REQUEST(Filter, OidRequest, Status) FALSE
#endif
#ifndef XSWCAP_HOOK_OID_COMPLETE
#define XSWCAP_HOOK_OID_COMPLETE(Filter, OidRequest, Status) ((void)0)
#endif
#ifndef XSWCAP_HOOK_SEND
#define XSWCAP_HOOK_SEND(Filter, NetBufferLists, PortNumber, SendFlags) FALSE
#endif
#ifndef XSWCAP_HOOK_SEND_COMPLETE
#define XSWCAP_HOOK_SEND_COMPLETE(Filter, NetBufferLists, SendCompleteFlags) ((void)0)
#endif

typedef struct _XSWCAP_FILTER {
    XSW_BASE_MODULE Base; /* first: the life cycle of ../common/xswbase.h */
    NDIS_HANDLE FilterHandle;
    NDIS_SWITCH_CONTEXT SwitchContext;
    NDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers;
    XSW_OID_PATH Oids;
    ULONG NicsAtActivation;
    volatile LONG IngressNbls;
    volatile LONG EgressNbls;
    volatile LONG IngressBytes;
    volatile LONG EgressBytes;
    volatile LONG OidsSeen;
    volatile LONG StatusSeen;
    XSWCAP_FILTER_FIELDS
} XSWCAP_FILTER, *PXSWCAP_FILTER;

C_ASSERT(FIELD_OFFSET(XSWCAP_FILTER, Base) == 0);

static XSW_BASE_IDENTITY XswCapIdentity =
    XSW_BASE_IDENTITY_INIT(XSWCAP_SERVICE_NAME, XSWCAP_UNIQUE_NAME, XSWCAP_FRIENDLY_NAME);

DRIVER_INITIALIZE DriverEntry;
FILTER_ATTACH XswCapAttach;
FILTER_DETACH XswCapDetach;
FILTER_OID_REQUEST XswCapOidRequest;
FILTER_SEND_NET_BUFFER_LISTS XswCapSend;
FILTER_SEND_NET_BUFFER_LISTS_COMPLETE XswCapSendComplete;
FILTER_RECEIVE_NET_BUFFER_LISTS XswCapReceive;
FILTER_STATUS XswCapStatus;
static XSW_BASE_ACTIVATE XswCapActivate;
static XSW_BASE_FIRST_RESTART XswCapFirstRestart;

static void XswCapCount(PNET_BUFFER_LIST Nbls, volatile LONG *NblCounter, volatile LONG *ByteCounter)
{
    for (PNET_BUFFER_LIST nbl = Nbls; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl)) {
        InterlockedIncrement(NblCounter);
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb))
            InterlockedAdd(ByteCounter, (LONG)NET_BUFFER_DATA_LENGTH(nb));
    }
}

/* Learn the switch's NICs once it is active (OID_SWITCH_NIC_ARRAY). */
static void XswCapEnumerate(_In_ PXSWCAP_FILTER Filter)
{
    PNDIS_SWITCH_NIC_ARRAY array = XswOidQueryNicArray(&Filter->Oids);

    if (array == NULL)
        return;
    Filter->NicsAtActivation = array->NumElements;
    ExFreePoolWithTag(array, XSWCAP_TAG);
}

/*
 * A request this extension forwarded completed below (XSW_OID_FORWARDED): a
 * capturing extension only observes it.
 */
static VOID XswCapForwarded(_In_ PVOID FilterContext, _In_ PNDIS_OID_REQUEST Original, _In_opt_ PVOID RequestContext,
                            _In_ NDIS_STATUS Status)
{
    PXSWCAP_FILTER filter = FilterContext;

    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(Original);
    UNREFERENCED_PARAMETER(RequestContext);
    UNREFERENCED_PARAMETER(Status);
    XSWCAP_HOOK_OID_COMPLETE(filter, Original, Status);
}

/*
 * A capturing extension registers handlers only where it observes: the rest
 * (restart, pause, PnP events, OID completion, cancellation, returns) are
 * the pass-throughs and life cycle of ../common/xswbase.h.
 */
NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    static const XSW_BASE_HANDLERS handlers = {
        .Attach = XswCapAttach,
        .Detach = XswCapDetach,
        .OidRequest = XswCapOidRequest,
        .Send = XswCapSend,
        .SendComplete = XswCapSendComplete,
        .Receive = XswCapReceive,
        .Status = XswCapStatus,
    };

    UNREFERENCED_PARAMETER(RegistryPath);
    return XswBaseRegisterDriver(DriverObject, &XswCapIdentity, &handlers);
}

NDIS_STATUS XswCapAttach(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_HANDLE FilterDriverContext,
                         _In_ PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    PXSWCAP_FILTER filter;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(FilterDriverContext);
    if (AttachParameters->MiniportMediaType != NdisMedium802_3)
        return NDIS_STATUS_INVALID_PARAMETER;

    filter = XSWCAP_HOOK_ALLOCATE_FILTER(sizeof(*filter), XSWCAP_TAG);
    if (filter == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(filter, sizeof(*filter));
    filter->FilterHandle = NdisFilterHandle;
    XswOidInitialize(&filter->Oids, NdisFilterHandle, XSWCAP_TAG, XswCapForwarded, NULL, filter);
    XswBaseInitialize(&filter->Base, &filter->Oids, XswCapActivate, XswCapFirstRestart);

    status = XswBaseGetSwitchHandlers(NdisFilterHandle, &filter->SwitchContext, &filter->SwitchHandlers);
    if (status == NDIS_STATUS_SUCCESS) {
        NDIS_DECLARE_FILTER_MODULE_CONTEXT(XSWCAP_FILTER);
        status = XswBaseSetAttributes(NdisFilterHandle, filter);
    }
    if (status != NDIS_STATUS_SUCCESS)
        ExFreePoolWithTag(filter, XSWCAP_TAG);
    return status;
}

VOID XswCapDetach(_In_ NDIS_HANDLE FilterModuleContext)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    /* Every OID this filter issued has completed by now (it waits for them). */
    DbgPrint(XSWCAP_LOG_NAME ": ingress %ld NBLs / %ld bytes, egress %ld NBLs / %ld bytes, %ld OIDs, %ld status, %lu NICs at activation\n",
             (long)filter->IngressNbls, (long)filter->IngressBytes, (long)filter->EgressNbls, (long)filter->EgressBytes,
             (long)filter->OidsSeen, (long)filter->StatusSeen, (unsigned long)filter->NicsAtActivation);
    ExFreePoolWithTag(filter, XSWCAP_TAG);
}

/* The switch is active (XSW_BASE_ACTIVATE): learn its NICs. */
static VOID XswCapActivate(_In_ NDIS_HANDLE FilterModuleContext)
{
    XswCapEnumerate(FilterModuleContext);
}

/* The first restart knows OID_SWITCH_PARAMETERS (XSW_BASE_FIRST_RESTART): only the fixtures' hook looks. */
static VOID XswCapFirstRestart(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_SWITCH_PARAMETERS Parameters)
{
    PXSWCAP_FILTER filter = FilterModuleContext;

    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(Parameters);
    XSWCAP_HOOK_FIRST_RESTART(filter, Parameters);
}

NDIS_STATUS XswCapOidRequest(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    NDIS_STATUS status;

    InterlockedIncrement(&filter->OidsSeen);
    if (XSWCAP_HOOK_OID_REQUEST(filter, OidRequest, &status))
        return status;
    /* A capturing extension vetoes nothing: every OID goes on, unmodified. */
    return XswOidForward(&filter->Oids, OidRequest, NULL);
}

VOID XswCapSend(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG SendFlags)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    XswCapCount(NetBufferLists, &filter->IngressNbls, &filter->IngressBytes);
    if (XSWCAP_HOOK_SEND(filter, NetBufferLists, PortNumber, SendFlags))
        return;
    /* A capturing extension forwards every packet, unmodified. */
    NdisFSendNetBufferLists(filter->FilterHandle, NetBufferLists, PortNumber, SendFlags);
}

VOID XswCapSendComplete(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                        _In_ ULONG SendCompleteFlags)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    NdisFSendNetBufferListsComplete(filter->FilterHandle, NetBufferLists, SendCompleteFlags);
    XSWCAP_HOOK_SEND_COMPLETE(filter, NetBufferLists, SendCompleteFlags);
}

VOID XswCapReceive(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                   _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG NumberOfNetBufferLists, _In_ ULONG ReceiveFlags)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    XswCapCount(NetBufferLists, &filter->EgressNbls, &filter->EgressBytes);
    NdisFIndicateReceiveNetBufferLists(filter->FilterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists,
                                       ReceiveFlags);
}

VOID XswCapStatus(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_STATUS_INDICATION StatusIndication)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    InterlockedIncrement(&filter->StatusSeen);
    /* NIC status indications must be passed up unchanged (certification requirement). */
    StatusIndication->SourceHandle = filter->FilterHandle;
    NdisFIndicateStatus(filter->FilterHandle, StatusIndication);
}
