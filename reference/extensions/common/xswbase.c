/*
 * xswbase.c - the driver and filter module life cycle every xsw reference
 * extension shares (see xswbase.h; learn.microsoft.com:
 * ndis-filter-driver-characteristics, ndisfgetoptionalswitchhandlers,
 * filter-module-states-and-operations, querying-the-hyper-v-extensible-
 * switch-configuration).
 *
 * One extension is one driver image, so the driver handle is kept here, as
 * SxBase keeps it. The handlers below find the module's XSW_BASE_MODULE at
 * the start of its FilterModuleContext.
 */
#include "xswbase.h"

static NDIS_HANDLE XswBaseDriverHandle;

static DRIVER_UNLOAD XswBaseUnload;
static FILTER_RESTART XswBaseRestart;
static FILTER_PAUSE XswBasePause;
static FILTER_NET_PNP_EVENT XswBaseNetPnPEvent;
static FILTER_OID_REQUEST_COMPLETE XswBaseOidRequestComplete;
static FILTER_CANCEL_OID_REQUEST XswBaseCancelOidRequest;
static FILTER_SEND_NET_BUFFER_LISTS XswBaseSend;
static FILTER_SEND_NET_BUFFER_LISTS_COMPLETE XswBaseSendComplete;
static FILTER_CANCEL_SEND_NET_BUFFER_LISTS XswBaseCancelSend;
static FILTER_RECEIVE_NET_BUFFER_LISTS XswBaseReceive;
static FILTER_RETURN_NET_BUFFER_LISTS XswBaseReturn;
static FILTER_STATUS XswBaseStatus;

NTSTATUS XswBaseRegisterDriver(_In_ PDRIVER_OBJECT DriverObject, _In_ const XSW_BASE_IDENTITY *Identity,
                               _In_ const XSW_BASE_HANDLERS *Handlers)
{
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    chars.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    chars.MajorNdisVersion = NDIS_FILTER_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_FILTER_MINOR_VERSION;
    chars.MajorDriverVersion = 1;
    chars.MinorDriverVersion = 0;
    chars.Flags = 0;
    chars.FriendlyName = Identity->FriendlyName;
    chars.UniqueName = Identity->UniqueName;
    chars.ServiceName = Identity->ServiceName;
    chars.AttachHandler = Handlers->Attach;
    chars.DetachHandler = Handlers->Detach;
    chars.RestartHandler = XswBaseRestart;
    chars.PauseHandler = XswBasePause;
    chars.OidRequestHandler = Handlers->OidRequest;
    chars.OidRequestCompleteHandler = XswBaseOidRequestComplete;
    chars.CancelOidRequestHandler = XswBaseCancelOidRequest;
    chars.SendNetBufferListsHandler = Handlers->Send != NULL ? Handlers->Send : XswBaseSend;
    chars.SendNetBufferListsCompleteHandler =
        Handlers->SendComplete != NULL ? Handlers->SendComplete : XswBaseSendComplete;
    chars.CancelSendNetBufferListsHandler = Handlers->CancelSend != NULL ? Handlers->CancelSend : XswBaseCancelSend;
    chars.ReceiveNetBufferListsHandler = Handlers->Receive != NULL ? Handlers->Receive : XswBaseReceive;
    chars.ReturnNetBufferListsHandler = Handlers->Return != NULL ? Handlers->Return : XswBaseReturn;
    chars.StatusHandler = Handlers->Status != NULL ? Handlers->Status : XswBaseStatus;
    chars.NetPnPEventHandler = XswBaseNetPnPEvent;

    DriverObject->DriverUnload = XswBaseUnload;
    return NdisFRegisterFilterDriver(DriverObject, (NDIS_HANDLE)DriverObject, &chars, &XswBaseDriverHandle);
}

static VOID XswBaseUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisFDeregisterFilterDriver(XswBaseDriverHandle);
}

VOID XswBaseInitialize(_Out_ PXSW_BASE_MODULE Module, _In_ PXSW_OID_PATH Oids, _In_opt_ PXSW_BASE_ACTIVATE Activate,
                       _In_opt_ PXSW_BASE_FIRST_RESTART FirstRestart)
{
    NdisZeroMemory(Module, sizeof(*Module));
    Module->Oids = Oids;
    Module->Activate = Activate;
    Module->FirstRestart = FirstRestart;
}

NDIS_STATUS XswBaseGetSwitchHandlers(_In_ NDIS_HANDLE NdisFilterHandle, _Out_ PNDIS_SWITCH_CONTEXT SwitchContext,
                                     _Out_ PNDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers)
{
    SwitchHandlers->Header.Type = NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS;
    SwitchHandlers->Header.Revision = NDIS_SWITCH_OPTIONAL_HANDLERS_REVISION_1;
    SwitchHandlers->Header.Size = NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1;
    if (NdisFGetOptionalSwitchHandlers(NdisFilterHandle, SwitchContext, SwitchHandlers) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE; /* not bound in an extensible switch stack */
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS XswBaseSetAttributes(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_HANDLE FilterModuleContext)
{
    NDIS_FILTER_ATTRIBUTES attributes;

    NdisZeroMemory(&attributes, sizeof(attributes));
    attributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    attributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    attributes.Flags = 0;
    return NdisFSetAttributes(NdisFilterHandle, FilterModuleContext, &attributes);
}

/* The switch is active: learn its configuration, once per module. */
static void XswBaseActivate(_In_ PXSW_BASE_MODULE Module)
{
    Module->SwitchActive = TRUE;
    if (Module->Activate != NULL)
        Module->Activate(Module);
}

/*
 * FilterRestart. Before activation the switch's configuration is incomplete,
 * so it is learned at the first restart only when OID_SWITCH_PARAMETERS says
 * the switch is active, and otherwise on NetEventSwitchActivate.
 */
static NDIS_STATUS XswBaseRestart(_In_ NDIS_HANDLE FilterModuleContext,
                                  _In_ PNDIS_FILTER_RESTART_PARAMETERS RestartParameters)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    UNREFERENCED_PARAMETER(RestartParameters);

    if (!module->FirstRestartDone) {
        NDIS_SWITCH_PARAMETERS params;
        NDIS_STATUS status;

        module->FirstRestartDone = TRUE;
        status = XswOidQuerySwitchParameters(module->Oids, &params);
        if (status != NDIS_STATUS_SUCCESS)
            return status;
        if (params.IsActive)
            XswBaseActivate(module);
        if (module->FirstRestart != NULL)
            module->FirstRestart(module, &params);
    }
    InterlockedExchange(&module->Running, 1);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS XswBasePause(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    UNREFERENCED_PARAMETER(PauseParameters);
    InterlockedExchange(&module->Running, 0);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS XswBaseNetPnPEvent(_In_ NDIS_HANDLE FilterModuleContext,
                                      _In_ PNET_PNP_EVENT_NOTIFICATION NetPnPEvent)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    if (NetPnPEvent->NetPnPEvent.NetEvent == NetEventSwitchActivate && !module->SwitchActive)
        XswBaseActivate(module);
    return NdisFNetPnPEvent(module->Oids->FilterHandle, NetPnPEvent);
}

static VOID XswBaseOidRequestComplete(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_OID_REQUEST OidRequest,
                                      _In_ NDIS_STATUS Status)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    XswOidRequestComplete(module->Oids, OidRequest, Status);
}

/* Nothing waits in this filter to be cancelled: requests are forwarded or finished at once. */
static VOID XswBaseCancelOidRequest(_In_ NDIS_HANDLE FilterModuleContext, _In_ PVOID RequestId)
{
    UNREFERENCED_PARAMETER(FilterModuleContext);
    UNREFERENCED_PARAMETER(RequestId);
}

/* ---- Pass-through handlers, for those an extension leaves NULL ------------------------------------ */

static VOID XswBaseSend(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                        _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG SendFlags)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    NdisFSendNetBufferLists(module->Oids->FilterHandle, NetBufferLists, PortNumber, SendFlags);
}

static VOID XswBaseSendComplete(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                                _In_ ULONG SendCompleteFlags)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    NdisFSendNetBufferListsComplete(module->Oids->FilterHandle, NetBufferLists, SendCompleteFlags);
}

static VOID XswBaseCancelSend(_In_ NDIS_HANDLE FilterModuleContext, _In_ PVOID CancelId)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    NdisFCancelSendNetBufferLists(module->Oids->FilterHandle, CancelId);
}

static VOID XswBaseReceive(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                           _In_ NDIS_PORT_NUMBER PortNumber, _In_ ULONG NumberOfNetBufferLists, _In_ ULONG ReceiveFlags)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    NdisFIndicateReceiveNetBufferLists(module->Oids->FilterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists,
                                       ReceiveFlags);
}

static VOID XswBaseReturn(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNET_BUFFER_LIST NetBufferLists,
                          _In_ ULONG ReturnFlags)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    NdisFReturnNetBufferLists(module->Oids->FilterHandle, NetBufferLists, ReturnFlags);
}

static VOID XswBaseStatus(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_STATUS_INDICATION StatusIndication)
{
    PXSW_BASE_MODULE module = FilterModuleContext;
    /* NIC status indications must be passed up unchanged (certification requirement). */
    StatusIndication->SourceHandle = module->Oids->FilterHandle;
    NdisFIndicateStatus(module->Oids->FilterHandle, StatusIndication);
}
