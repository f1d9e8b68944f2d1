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
 * configuration.md). OIDs from above are cloned with
 * NdisAllocateCloneOidRequest and the original is kept in SourceReserved.
 */
#include <ndis.h>

#define XSWCAP_TAG 'paCX'

typedef struct _XSWCAP_FILTER {
    NDIS_HANDLE FilterHandle;
    NDIS_SWITCH_CONTEXT SwitchContext;
    NDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers;
    volatile LONG Running;
    volatile LONG PendingOids;
    BOOLEAN FirstRestartDone;
    BOOLEAN SwitchActive;
    ULONG NicsAtActivation;
    volatile LONG IngressNbls;
    volatile LONG EgressNbls;
    volatile LONG IngressBytes;
    volatile LONG EgressBytes;
    volatile LONG OidsSeen;
    volatile LONG StatusSeen;
} XSWCAP_FILTER, *PXSWCAP_FILTER;

/* An OID the extension issues itself, waited for on an event at PASSIVE_LEVEL. */
typedef struct _XSWCAP_INTERNAL_OID {
    NDIS_OID_REQUEST Request;
    NDIS_EVENT Done;
    NDIS_STATUS Status;
} XSWCAP_INTERNAL_OID, *PXSWCAP_INTERNAL_OID;

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

/*
 * Issue a query from this filter and wait for it. Must run at PASSIVE_LEVEL
 * (NdisWaitEvent). Returns the completion status; *BytesNeeded is set on
 * NDIS_STATUS_INVALID_LENGTH.
 */
static NDIS_STATUS XswCapQuery(_In_ PXSWCAP_FILTER Filter, _In_ NDIS_OID Oid, _Inout_ PVOID Buffer, _In_ ULONG Length,
                               _Out_ PULONG BytesNeeded)
{
    PXSWCAP_INTERNAL_OID req = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*req), XSWCAP_TAG);
    NDIS_STATUS status;

    *BytesNeeded = 0;
    if (req == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(req, sizeof(*req));
    req->Request.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    req->Request.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    req->Request.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    req->Request.RequestType = NdisRequestQueryInformation;
    req->Request.DATA.QUERY_INFORMATION.Oid = Oid;
    req->Request.DATA.QUERY_INFORMATION.InformationBuffer = Buffer;
    req->Request.DATA.QUERY_INFORMATION.InformationBufferLength = Length;
    *(PVOID *)&req->Request.SourceReserved[0] = NULL; /* internal request */
    NdisInitializeEvent(&req->Done);

    InterlockedIncrement(&Filter->PendingOids);
    status = NdisFOidRequest(Filter->FilterHandle, &req->Request);
    if (status == NDIS_STATUS_PENDING) {
        NdisWaitEvent(&req->Done, 0);
        status = req->Status;
    } else {
        InterlockedDecrement(&Filter->PendingOids);
    }
    *BytesNeeded = req->Request.DATA.QUERY_INFORMATION.BytesNeeded;
    ExFreePoolWithTag(req, XSWCAP_TAG);
    return status;
}

/* Learn the switch's NICs once it is active (NIC_ARRAY, retried with BytesNeeded). */
static void XswCapEnumerate(_In_ PXSWCAP_FILTER Filter)
{
    ULONG length = sizeof(NDIS_SWITCH_NIC_ARRAY);
    for (int attempt = 0; attempt < 4; attempt++) {
        PNDIS_SWITCH_NIC_ARRAY array = ExAllocatePool2(POOL_FLAG_NON_PAGED, length, XSWCAP_TAG);
        ULONG needed = 0;
        NDIS_STATUS status;
        if (array == NULL)
            return;
        NdisZeroMemory(array, length);
        array->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        array->Header.Revision = NDIS_SWITCH_NIC_ARRAY_REVISION_1;
        array->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_NIC_ARRAY_REVISION_1;
        status = XswCapQuery(Filter, OID_SWITCH_NIC_ARRAY, array, length, &needed);
        if (status == NDIS_STATUS_SUCCESS)
            Filter->NicsAtActivation = array->NumElements;
        ExFreePoolWithTag(array, XSWCAP_TAG);
        if (status != NDIS_STATUS_INVALID_LENGTH || needed <= length)
            return;
        length = needed;
    }
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    NDIS_STRING serviceName, uniqueName, friendlyName;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&serviceName, L"XswCapture");
    RtlInitUnicodeString(&uniqueName, L"{7b3e9a4c-1d2f-4e8a-9b61-5c0d2e7f8a11}");
    RtlInitUnicodeString(&friendlyName, L"xsw reference capturing extension");

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

    filter = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*filter), XSWCAP_TAG);
    if (filter == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(filter, sizeof(*filter));
    filter->FilterHandle = NdisFilterHandle;

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
    DbgPrint("xswcapture: ingress %ld NBLs / %ld bytes, egress %ld NBLs / %ld bytes, %ld OIDs, %ld status, %lu NICs at activation\n",
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
        ULONG needed;
        NDIS_STATUS status;

        filter->FirstRestartDone = TRUE;
        NdisZeroMemory(&params, sizeof(params));
        params.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        params.Header.Revision = NDIS_SWITCH_PARAMETERS_REVISION_1;
        params.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PARAMETERS_REVISION_1;
        status = XswCapQuery(filter, OID_SWITCH_PARAMETERS, &params, sizeof(params), &needed);
        if (status != NDIS_STATUS_SUCCESS)
            return status;
        if (params.IsActive) {
            filter->SwitchActive = TRUE;
            XswCapEnumerate(filter);
        }
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

/* Copy a clone's results back into the original request. */
static void XswCapCopyResults(_Inout_ PNDIS_OID_REQUEST Original, _In_ PNDIS_OID_REQUEST Clone)
{
    switch (Original->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        Original->DATA.QUERY_INFORMATION.BytesWritten = Clone->DATA.QUERY_INFORMATION.BytesWritten;
        Original->DATA.QUERY_INFORMATION.BytesNeeded = Clone->DATA.QUERY_INFORMATION.BytesNeeded;
        break;
    case NdisRequestSetInformation:
        Original->DATA.SET_INFORMATION.BytesRead = Clone->DATA.SET_INFORMATION.BytesRead;
        Original->DATA.SET_INFORMATION.BytesNeeded = Clone->DATA.SET_INFORMATION.BytesNeeded;
        break;
    case NdisRequestMethod:
        Original->DATA.METHOD_INFORMATION.BytesWritten = Clone->DATA.METHOD_INFORMATION.BytesWritten;
        Original->DATA.METHOD_INFORMATION.BytesRead = Clone->DATA.METHOD_INFORMATION.BytesRead;
        Original->DATA.METHOD_INFORMATION.BytesNeeded = Clone->DATA.METHOD_INFORMATION.BytesNeeded;
        break;
    default:
        break;
    }
}

NDIS_STATUS XswCapOidRequest(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    PNDIS_OID_REQUEST clone;
    NDIS_STATUS status;

    InterlockedIncrement(&filter->OidsSeen);
    status = NdisAllocateCloneOidRequest(filter->FilterHandle, OidRequest, XSWCAP_TAG, &clone);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    *(PVOID *)&clone->SourceReserved[0] = OidRequest;
    InterlockedIncrement(&filter->PendingOids);
    status = NdisFOidRequest(filter->FilterHandle, clone);
    if (status != NDIS_STATUS_PENDING) {
        /* Completed synchronously below: finish here and return the same status. */
        XswCapCopyResults(OidRequest, clone);
        NdisFreeCloneOidRequest(filter->FilterHandle, clone);
        InterlockedDecrement(&filter->PendingOids);
    }
    return status;
}

VOID XswCapOidRequestComplete(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest,
                              _In_ NDIS_STATUS Status)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    PNDIS_OID_REQUEST original = *(PVOID *)&OidRequest->SourceReserved[0];

    InterlockedDecrement(&filter->PendingOids);
    if (original == NULL) {
        PXSWCAP_INTERNAL_OID internal = CONTAINING_RECORD(OidRequest, XSWCAP_INTERNAL_OID, Request);
        internal->Status = Status;
        NdisSetEvent(&internal->Done);
        return;
    }
    XswCapCopyResults(original, OidRequest);
    NdisFreeCloneOidRequest(filter->FilterHandle, OidRequest);
    NdisFOidRequestComplete(filter->FilterHandle, original, Status);
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
    /* A capturing extension forwards every packet, unmodified. */
    NdisFSendNetBufferLists(filter->FilterHandle, NetBufferLists, PortNumber, SendFlags);
}

VOID XswCapSendComplete(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                        _In_ ULONG SendCompleteFlags)
{
    PXSWCAP_FILTER filter = FilterModuleContext;
    NdisFSendNetBufferListsComplete(filter->FilterHandle, NetBufferLists, SendCompleteFlags);
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
