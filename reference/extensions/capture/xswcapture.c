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
 * NdisAllocateCloneOidRequest, the original kept in SourceReserved.
 */
#include <ndis.h>
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
    NDIS_HANDLE FilterHandle;
    NDIS_SWITCH_CONTEXT SwitchContext;
    NDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers;
    XSW_OID_PATH Oids;
    volatile LONG Running;
    BOOLEAN FirstRestartDone;
    BOOLEAN SwitchActive;
    ULONG NicsAtActivation;
    volatile LONG IngressNbls;
    volatile LONG EgressNbls;
    volatile LONG IngressBytes;
    volatile LONG EgressBytes;
    volatile LONG OidsSeen;
    volatile LONG StatusSeen;
    XSWCAP_FILTER_FIELDS
} XSWCAP_FILTER, *PXSWCAP_FILTER;

static NDIS_HANDLE XswCapDriverHandle;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD XswCapUnload;
FILTER_ATTACH XswCapAttach;
FILTER_DETACH XswCapDetach;
FILTER_RESTART XswCapRestart;
FILTER_PAUSE XswCapPause;
FILTER_OID_REQUEST XswCapOidRequest;
FILTER_OID_REQUEST_COMPLETE XswCapOidRequestComplete;
FILTER_CANCEL_OID_REQUEST XswCapCancelOidRequest;
FILTER_SEND_NET_BUFFER_LISTS XswCapSend;
FILTER_SEND_NET_BUFFER_LISTS_COMPLETE XswCapSendComplete;
FILTER_CANCEL_SEND_NET_BUFFER_LISTS XswCapCancelSend;
FILTER_RECEIVE_NET_BUFFER_LISTS XswCapReceive;
FILTER_RETURN_NET_BUFFER_LISTS XswCapReturn;
FILTER_STATUS XswCapStatus;
FILTER_NET_PNP_EVENT XswCapNetPnPEvent;

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

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    NDIS_STRING serviceName, uniqueName, friendlyName;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&serviceName, XSWCAP_SERVICE_NAME);
    RtlInitUnicodeString(&uniqueName, XSWCAP_UNIQUE_NAME);
    RtlInitUnicodeString(&friendlyName, XSWCAP_FRIENDLY_NAME);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_FILTER_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_FILTER_MINOR_VERSION;
    chars.MajorDriverVersion = 1;
    chars.MinorDriverVersion = 0;
    chars.Flags = 0;
    chars.FriendlyName = friendlyName;
    chars.UniqueName = uniqueName;
    chars.ServiceName = serviceName;
    chars.AttachHandler = XswCapAttach;
    chars.DetachHandler = XswCapDetach;
    chars.RestartHandler = XswCapRestart;
    chars.PauseHandler = XswCapPause;
    chars.OidRequestHandler = XswCapOidRequest;
    chars.OidRequestCompleteHandler = XswCapOidRequestComplete;
    chars.CancelOidRequestHandler = XswCapCancelOidRequest;
    chars.SendNetBufferListsHandler = XswCapSend;
    chars.SendNetBufferListsCompleteHandler = XswCapSendComplete;
    chars.CancelSendNetBufferListsHandler = XswCapCancelSend;
    chars.ReceiveNetBufferListsHandler = XswCapReceive;
    chars.ReturnNetBufferListsHandler = XswCapReturn;
    chars.StatusHandler = XswCapStatus;
    chars.NetPnPEventHandler = XswCapNetPnPEvent;

    DriverObject->DriverUnload = XswCapUnload;
    return NdisFRegisterFilterDriver(DriverObject, (NDIS_HANDLE)DriverObject, &chars, &XswCapDriverHandle);
}

VOID XswCapUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisFDeregisterFilterDriver(XswCapDriverHandle);
}

NDIS_STATUS XswCapAttach(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_HANDLE FilterDriverContext,
                         _In_ PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters)
{
    PXSWCAP_FILTER filter;
    NDIS_FILTER_ATTRIBUTES attributes;
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

    filter->SwitchHandlers.Header.Type = NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS;
    filter->SwitchHandlers.Header.Revision = NDIS_SWITCH_OPTIONAL_HANDLERS_REVISION_1;
    filter->SwitchHandlers.Header.Size = NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1;
    status = NdisFGetOptionalSwitchHandlers(NdisFilterHandle, &filter->SwitchContext, &filter->SwitchHandlers);
    if (status != NDIS_STATUS_SUCCESS) {
        /* Not bound in an extensible switch stack. */
        ExFreePoolWithTag(filter, XSWCAP_TAG);
        return NDIS_STATUS_FAILURE;
    }

    NdisZeroMemory(&attributes, sizeof(attributes));
    attributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    attributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Flags = 0;
    NDIS_DECLARE_FILTER_MODULE_CONTEXT(XSWCAP_FILTER);
    status = NdisFSetAttributes(NdisFilterHandle, filter, &attributes);
    if (status != NDIS_STATUS_SUCCESS) {
        ExFreePoolWithTag(filter, XSWCAP_TAG);
        return status;
    }
    return NDIS_STATUS_SUCCESS;
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

NDIS_STATUS XswCapRestart(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_FILTER_RESTART_PARAMETERS RestartParameters)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    UNREFERENCED_PARAMETER(RestartParameters);

    if (!filter->FirstRestartDone) {
        NDIS_SWITCH_PARAMETERS params;
        NDIS_STATUS status;

        filter->FirstRestartDone = TRUE;
        status = XswOidQuerySwitchParameters(&filter->Oids, &params);
        if (status != NDIS_STATUS_SUCCESS)
            return status;
        if (params.IsActive) {
            filter->SwitchActive = TRUE;
            XswCapEnumerate(filter);
        }
        XSWCAP_HOOK_FIRST_RESTART(filter, &params);
    }
    InterlockedExchange(&filter->Running, 1);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS XswCapPause(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    UNREFERENCED_PARAMETER(PauseParameters);
    InterlockedExchange(&filter->Running, 0);
    return NDIS_STATUS_SUCCESS;
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

VOID XswCapOidRequestComplete(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest,
                              _In_ NDIS_STATUS Status)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    XswOidRequestComplete(&filter->Oids, OidRequest, Status);
}

VOID XswCapCancelOidRequest(_In_ NDIS_HANDLE FilterModuleContext, _In_ PVOID RequestId)
{
    UNREFERENCED_PARAMETER(FilterModuleContext);
    UNREFERENCED_PARAMETER(RequestId);
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

VOID XswCapCancelSend(_In_ NDIS_HANDLE FilterModuleContext, _In_ PVOID CancelId)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    NdisFCancelSendNetBufferLists(filter->FilterHandle, CancelId);
}

VOID XswCapReceive(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                   _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG NumberOfNetBufferLists, _In_ ULONG ReceiveFlags)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    XswCapCount(NetBufferLists, &filter->EgressNbls, &filter->EgressBytes);
    NdisFIndicateReceiveNetBufferLists(filter->FilterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists,
                                       ReceiveFlags);
}

VOID XswCapReturn(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists, _In_ ULONG ReturnFlags)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    NdisFReturnNetBufferLists(filter->FilterHandle, NetBufferLists, ReturnFlags);
}

VOID XswCapStatus(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_STATUS_INDICATION StatusIndication)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    InterlockedIncrement(&filter->StatusSeen);
    /* NIC status indications must be passed up unchanged (certification requirement). */
    StatusIndication->SourceHandle = filter->FilterHandle;
    NdisFIndicateStatus(filter->FilterHandle, StatusIndication);
}

NDIS_STATUS XswCapNetPnPEvent(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEvent)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    if (NetPnPEvent->NetPnPEvent.NetEvent == NetEventSwitchActivate && !filter->SwitchActive) {
        filter->SwitchActive = TRUE;
        XswCapEnumerate(filter);
    }
    return NdisFNetPnPEvent(filter->FilterHandle, NetPnPEvent);
}
