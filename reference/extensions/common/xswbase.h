/*
 * xswbase.h - the driver and filter module life cycle every xsw reference
 * extension shares.
 *
 * An extensible switch extension is an NDIS 6.30 lightweight filter driver
 * (learn.microsoft.com: writing-hyper-v-extensible-switch-extensions,
 * ndis-filter-driver-characteristics, filter-module-states-and-operations,
 * querying-the-hyper-v-extensible-switch-configuration). Every one of them
 * registers the same NDIS_FILTER_DRIVER_CHARACTERISTICS but for its names and
 * handlers, gets the switch's optional handlers and sets its attributes in
 * FilterAttach, and follows the same life cycle: on the first FilterRestart
 * it queries OID_SWITCH_PARAMETERS and, when the switch is active already,
 * learns its configuration; otherwise it does so on NetEventSwitchActivate.
 * Handlers that only pass things on are the same in every extension too.
 *
 * This code is written once here and compiled into each extension
 * (xswbase.c), the way Microsoft's extensible switch samples share SxBase;
 * the OID plumbing is in xswoid.h. An extension keeps only its identity, its
 * filter module context and the handlers that carry its policy:
 *   - its filter module context starts with an XSW_BASE_MODULE, filled with
 *     XswBaseInitialize in FilterAttach;
 *   - DriverEntry calls XswBaseRegisterDriver with its XSW_BASE_IDENTITY and
 *     XSW_BASE_HANDLERS;
 *   - FilterRestart, FilterPause, FilterNetPnPEvent, FilterOidRequestComplete
 *     and FilterCancelOidRequest are always this file's, and so is every
 *     optional handler the extension leaves NULL (a pass-through).
 */
#ifndef XSW_EXTENSIONS_COMMON_XSWBASE_H
#define XSW_EXTENSIONS_COMMON_XSWBASE_H

#include <ndis.h>
#include "xswoid.h"

/*
 * The names an extension registers with: its service (the INF AddService
 * name), its unique name (the GUID of the INF's NetCfgInstanceId, which is
 * also its ExtensionId and the name ReportFilteredNetBufferLists gives) and
 * its friendly name.
 */
typedef struct _XSW_BASE_IDENTITY {
    NDIS_STRING ServiceName;
    NDIS_STRING UniqueName;
    NDIS_STRING FriendlyName;
} XSW_BASE_IDENTITY, *PXSW_BASE_IDENTITY;

/* A static XSW_BASE_IDENTITY from three L"..." literals. */
#define XSW_BASE_IDENTITY_INIT(ServiceName, UniqueName, FriendlyName)                                                   \
    {RTL_CONSTANT_STRING(ServiceName), RTL_CONSTANT_STRING(UniqueName), RTL_CONSTANT_STRING(FriendlyName)}

/*
 * The handlers that carry an extension's policy. Attach, Detach and
 * OidRequest are required; any other one left NULL is the pass-through of
 * this file (the NBLs, the cancellation or the status indication goes on
 * unchanged).
 */
typedef struct _XSW_BASE_HANDLERS {
    FILTER_ATTACH_HANDLER Attach;
    FILTER_DETACH_HANDLER Detach;
    FILTER_OID_REQUEST_HANDLER OidRequest;
    FILTER_SEND_NET_BUFFER_LISTS_HANDLER Send;
    FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendComplete;
    FILTER_CANCEL_SEND_HANDLER CancelSend;
    FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER Receive;
    FILTER_RETURN_NET_BUFFER_LISTS_HANDLER Return;
    FILTER_STATUS_HANDLER Status;
} XSW_BASE_HANDLERS, *PXSW_BASE_HANDLERS;

/*
 * The switch is active: learn its configuration (ports, NICs, properties)
 * with the OIDs of xswoid.h. Called once per filter module, at PASSIVE_LEVEL,
 * from the first FilterRestart or from NetEventSwitchActivate.
 */
typedef VOID XSW_BASE_ACTIVATE(_In_ NDIS_HANDLE FilterModuleContext);
typedef XSW_BASE_ACTIVATE *PXSW_BASE_ACTIVATE;

/*
 * The first FilterRestart queried OID_SWITCH_PARAMETERS into "Parameters"
 * (and activated, if the switch was active); called before the module runs.
 */
typedef VOID XSW_BASE_FIRST_RESTART(_In_ NDIS_HANDLE FilterModuleContext, _In_ PNDIS_SWITCH_PARAMETERS Parameters);
typedef XSW_BASE_FIRST_RESTART *PXSW_BASE_FIRST_RESTART;

/*
 * The life-cycle state of one filter module. It is the first member of the
 * extension's filter module context, so that this file's handlers find it
 * at the FilterModuleContext NDIS gives them.
 */
typedef struct _XSW_BASE_MODULE {
    PXSW_OID_PATH Oids;                   /* the module's OID plumbing (and its NdisFilterHandle) */
    PXSW_BASE_ACTIVATE Activate;          /* may be NULL */
    PXSW_BASE_FIRST_RESTART FirstRestart; /* may be NULL */
    volatile LONG Running;                /* between FilterRestart and FilterPause */
    BOOLEAN FirstRestartDone;
    BOOLEAN SwitchActive;                 /* Activate has been called */
} XSW_BASE_MODULE, *PXSW_BASE_MODULE;

/*
 * Register the filter driver "DriverObject" as "Identity" with "Handlers"
 * and this file's FilterRestart, FilterPause, FilterNetPnPEvent,
 * FilterOidRequestComplete, FilterCancelOidRequest and DriverUnload: the
 * whole of DriverEntry but for the names. Returns what DriverEntry returns.
 */
NTSTATUS XswBaseRegisterDriver(_In_ PDRIVER_OBJECT DriverObject, _In_ const XSW_BASE_IDENTITY *Identity,
                               _In_ const XSW_BASE_HANDLERS *Handlers);

/*
 * Prepare "Module", the start of a zeroed filter module context whose OID
 * path is "Oids" (already initialized). Call it in FilterAttach.
 */
VOID XswBaseInitialize(_Out_ PXSW_BASE_MODULE Module, _In_ PXSW_OID_PATH Oids, _In_opt_ PXSW_BASE_ACTIVATE Activate,
                       _In_opt_ PXSW_BASE_FIRST_RESTART FirstRestart);

/*
 * In FilterAttach: get the extensible switch's optional handlers
 * (NdisFGetOptionalSwitchHandlers) into "*SwitchContext" and
 * "*SwitchHandlers". Returns NDIS_STATUS_FAILURE when the filter module is
 * not bound in an extensible switch stack, where the extension must refuse
 * to attach.
 */
NDIS_STATUS XswBaseGetSwitchHandlers(_In_ NDIS_HANDLE NdisFilterHandle, _Out_ PNDIS_SWITCH_CONTEXT SwitchContext,
                                     _Out_ PNDIS_SWITCH_OPTIONAL_HANDLERS SwitchHandlers);

/*
 * In FilterAttach, last: make "FilterModuleContext" the context NDIS gives
 * every handler of this module (NdisFSetAttributes). The caller declares its
 * type first with NDIS_DECLARE_FILTER_MODULE_CONTEXT.
 */
NDIS_STATUS XswBaseSetAttributes(_In_ NDIS_HANDLE NdisFilterHandle, _In_ NDIS_HANDLE FilterModuleContext);

#endif /* XSW_EXTENSIONS_COMMON_XSWBASE_H */
