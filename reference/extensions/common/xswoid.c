/*
 * xswoid.c - the OID request plumbing every xsw reference extension shares
 * (interface and rationale: xswoid.h; learn.microsoft.com:
 * filter-module-oid-requests, ndisallocatecloneoidrequest,
 * querying-the-hyper-v-extensible-switch-configuration).
 *
 * Compiled into each extension's driver, like the SxBase library of
 * Microsoft's extensible switch samples: it holds no global state, only what
 * the extension passes in its XSW_OID_PATH.
 */
#include "xswoid.h"

/* Where a clone keeps the original request and the extension's per-request context. */
#define XSW_OID_ORIGINAL(_Clone_) (*(PNDIS_OID_REQUEST *)&(_Clone_)->SourceReserved[0])
#define XSW_OID_CONTEXT(_Clone_) (*(PVOID *)&(_Clone_)->SourceReserved[sizeof(PVOID)])

VOID XswOidInitialize(_Out_ PXSW_OID_PATH Path, _In_ NDIS_HANDLE FilterHandle, _In_ ULONG PoolTag,
                      _In_opt_ PXSW_OID_FORWARDED Forwarded, _In_opt_ PXSW_OID_DISCARD Discard,
                      _In_ PVOID FilterContext)
{
    NdisZeroMemory(Path, sizeof(*Path));
    Path->FilterHandle = FilterHandle;
    Path->PoolTag = PoolTag;
    Path->Forwarded = Forwarded;
    Path->Discard = Discard;
    Path->FilterContext = FilterContext;
}

NDIS_STATUS XswOidClone(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST OidRequest, _Out_ PNDIS_OID_REQUEST *Clone)
{
    ULONG tries = 1;
    NDIS_STATUS status = NDIS_STATUS_RESOURCES;

    /*
     * learn.microsoft.com: oid-switch-nic-connect, oid-switch-nic-updated,
     * oid-switch-nic-disconnect, oid-switch-nic-delete, oid-switch-port-updated,
     * oid-switch-port-teardown, oid-switch-port-delete,
     * oid-switch-nic-save-complete, oid-switch-nic-restore-complete: the
     * extension must forward these, so a short-lived lack of memory must not
     * fail them at the first attempt.
     */
    if (OidRequest->RequestType == NdisRequestSetInformation) {
        switch (OidRequest->DATA.SET_INFORMATION.Oid) {
        case OID_SWITCH_NIC_CONNECT:
        case OID_SWITCH_NIC_UPDATED:
        case OID_SWITCH_NIC_DISCONNECT:
        case OID_SWITCH_NIC_DELETE:
        case OID_SWITCH_PORT_UPDATED:
        case OID_SWITCH_PORT_TEARDOWN:
        case OID_SWITCH_PORT_DELETE:
        case OID_SWITCH_NIC_SAVE_COMPLETE:
        case OID_SWITCH_NIC_RESTORE_COMPLETE:
            tries = XSW_OID_CLONE_TRIES;
            break;
        default:
            break;
        }
    }
    for (ULONG i = 0; i < tries && status != NDIS_STATUS_SUCCESS; i++)
        status = NdisAllocateCloneOidRequest(Path->FilterHandle, OidRequest, Path->PoolTag, Clone);
    return status;
}

VOID XswOidCopyResults(_Inout_ PNDIS_OID_REQUEST Original, _In_ PNDIS_OID_REQUEST Clone)
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

/*
 * The clone "Clone" of "Original" completed below with "Status": copy its
 * results, let the extension finish its own work, free the clone. The
 * caller then completes "Original" upwards (or returns "Status" from
 * FilterOidRequest).
 */
static VOID XswOidFinish(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST Original, _In_ PNDIS_OID_REQUEST Clone,
                         _In_ NDIS_STATUS Status)
{
    XswOidCopyResults(Original, Clone);
    if (Path->Forwarded != NULL)
        Path->Forwarded(Path->FilterContext, Original, XSW_OID_CONTEXT(Clone), Status);
    NdisFreeCloneOidRequest(Path->FilterHandle, Clone);
}

NDIS_STATUS XswOidForward(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST OidRequest, _In_opt_ PVOID RequestContext)
{
    PNDIS_OID_REQUEST clone;
    NDIS_STATUS status = XswOidClone(Path, OidRequest, &clone);

    if (status != NDIS_STATUS_SUCCESS) {
        if (RequestContext != NULL && Path->Discard != NULL)
            Path->Discard(Path->FilterContext, RequestContext);
        return status;
    }
    XSW_OID_ORIGINAL(clone) = OidRequest;
    XSW_OID_CONTEXT(clone) = RequestContext;
    InterlockedIncrement(&Path->Outstanding);
    status = NdisFOidRequest(Path->FilterHandle, clone);
    if (status != NDIS_STATUS_PENDING) {
        /* Completed synchronously below: finish here; FilterOidRequest returns the same status. */
        XswOidFinish(Path, OidRequest, clone, status);
        InterlockedDecrement(&Path->Outstanding);
    }
    return status;
}

VOID XswOidRequestComplete(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST OidRequest, _In_ NDIS_STATUS Status)
{
    PNDIS_OID_REQUEST original = XSW_OID_ORIGINAL(OidRequest);

    InterlockedDecrement(&Path->Outstanding);
    if (original == NULL) {
        PXSW_OID_INTERNAL internal = CONTAINING_RECORD(OidRequest, XSW_OID_INTERNAL, Request);
        internal->Status = Status;
        NdisSetEvent(&internal->Done);
        return;
    }
    XswOidFinish(Path, original, OidRequest, Status);
    NdisFOidRequestComplete(Path->FilterHandle, original, Status);
}

NDIS_STATUS XswOidIssue(_In_ PXSW_OID_PATH Path, _In_ NDIS_REQUEST_TYPE Type, _In_ NDIS_OID Oid,
                        _Inout_ PVOID Buffer, _In_ ULONG InputLength, _In_ ULONG Length, _Out_ PULONG BytesNeeded)
{
    PXSW_OID_INTERNAL req = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*req), Path->PoolTag);
    NDIS_STATUS status;

    *BytesNeeded = 0;
    if (req == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(req, sizeof(*req));
    req->Request.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    req->Request.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    req->Request.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    req->Request.RequestType = Type;
    if (Type == NdisRequestMethod) {
        req->Request.DATA.METHOD_INFORMATION.Oid = Oid;
        req->Request.DATA.METHOD_INFORMATION.InformationBuffer = Buffer;
        req->Request.DATA.METHOD_INFORMATION.InputBufferLength = InputLength;
        req->Request.DATA.METHOD_INFORMATION.OutputBufferLength = Length;
    } else {
        req->Request.DATA.QUERY_INFORMATION.Oid = Oid;
        req->Request.DATA.QUERY_INFORMATION.InformationBuffer = Buffer;
        req->Request.DATA.QUERY_INFORMATION.InformationBufferLength = Length;
    }
    XSW_OID_ORIGINAL(&req->Request) = NULL; /* internal: XswOidRequestComplete wakes the waiter */
    NdisInitializeEvent(&req->Done);

    InterlockedIncrement(&Path->Outstanding);
    status = NdisFOidRequest(Path->FilterHandle, &req->Request);
    if (status == NDIS_STATUS_PENDING) {
        NdisWaitEvent(&req->Done, 0);
        status = req->Status;
    } else {
        InterlockedDecrement(&Path->Outstanding);
    }
    *BytesNeeded = Type == NdisRequestMethod ? req->Request.DATA.METHOD_INFORMATION.BytesNeeded
                                             : req->Request.DATA.QUERY_INFORMATION.BytesNeeded;
    ExFreePoolWithTag(req, Path->PoolTag);
    return status;
}

NDIS_STATUS XswOidQuerySwitchParameters(_In_ PXSW_OID_PATH Path, _Out_ PNDIS_SWITCH_PARAMETERS Parameters)
{
    ULONG needed;

    NdisZeroMemory(Parameters, sizeof(*Parameters));
    Parameters->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    Parameters->Header.Revision = NDIS_SWITCH_PARAMETERS_REVISION_1;
    Parameters->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PARAMETERS_REVISION_1;
    return XswOidIssue(Path, NdisRequestQueryInformation, OID_SWITCH_PARAMETERS, Parameters, 0, sizeof(*Parameters),
                       &needed);
}

/*
 * OID_SWITCH_PORT_ARRAY and OID_SWITCH_NIC_ARRAY answer with the same
 * layout (header, FirstElementOffset, NumElements, ElementSize), so one
 * routine queries both; "MinElementSize" is the size of the element revision
 * the caller reads.
 */
static PNDIS_SWITCH_NIC_ARRAY XswOidQueryArray(_In_ PXSW_OID_PATH Path, _In_ NDIS_OID Oid, _In_ ULONG MinElementSize)
{
    ULONG length = sizeof(NDIS_SWITCH_NIC_ARRAY);

    for (int attempt = 0; attempt < 4; attempt++) {
        PNDIS_SWITCH_NIC_ARRAY array = ExAllocatePool2(POOL_FLAG_NON_PAGED, length, Path->PoolTag);
        ULONG needed = 0;
        NDIS_STATUS status;

        if (array == NULL)
            return NULL;
        NdisZeroMemory(array, length);
        array->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        array->Header.Revision = NDIS_SWITCH_NIC_ARRAY_REVISION_1;
        array->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_NIC_ARRAY_REVISION_1;
        status = XswOidIssue(Path, NdisRequestQueryInformation, Oid, array, 0, length, &needed);
        if (status == NDIS_STATUS_SUCCESS) {
            if (array->FirstElementOffset <= length && array->ElementSize != 0 &&
                array->ElementSize >= MinElementSize &&
                array->NumElements <= (length - array->FirstElementOffset) / array->ElementSize)
                return array;
            ExFreePoolWithTag(array, Path->PoolTag);
            return NULL;
        }
        ExFreePoolWithTag(array, Path->PoolTag);
        if (status != NDIS_STATUS_INVALID_LENGTH || needed <= length)
            return NULL;
        length = needed;
    }
    return NULL;
}

PNDIS_SWITCH_PORT_ARRAY XswOidQueryPortArray(_In_ PXSW_OID_PATH Path)
{
    return (PNDIS_SWITCH_PORT_ARRAY)XswOidQueryArray(Path, OID_SWITCH_PORT_ARRAY,
                                                     NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1);
}

PNDIS_SWITCH_NIC_ARRAY XswOidQueryNicArray(_In_ PXSW_OID_PATH Path)
{
    return XswOidQueryArray(Path, OID_SWITCH_NIC_ARRAY, NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_1);
}

/*
 * Give "Visit" each property instance of the enumeration "Params" (a buffer
 * of "Length" bytes). Every offset and length is checked against "Length"
 * before it is used; an instance whose buffer overruns is skipped.
 */
static VOID XswOidVisitProperties(_In_ PNDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS Params, _In_ ULONG Length,
                                  _In_ PXSW_OID_PROPERTY_VISIT Visit, _In_opt_ PVOID Context)
{
    ULONG offset = Params->FirstPropertyOffset;

    if (Params->NumProperties == 0 || offset >= Length)
        return;
    for (ULONG i = 0; i < Params->NumProperties; i++) {
        PNDIS_SWITCH_PORT_PROPERTY_ENUM_INFO info;
        if (offset > Length || Length - offset < sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO))
            return;
        info = (PNDIS_SWITCH_PORT_PROPERTY_ENUM_INFO)((PUCHAR)Params + offset);
        if (info->PropertyBufferOffset <= Length - offset &&
            info->PropertyBufferLength <= Length - offset - info->PropertyBufferOffset &&
            !Visit(Context, NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO_GET_PROPERTY(info), info->PropertyBufferLength))
            return;
        if (info->QwordAlignedPropertyBufferLength > Length)
            return;
        offset += sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO) + info->QwordAlignedPropertyBufferLength;
    }
}

VOID XswOidEnumPortProperty(_In_ PXSW_OID_PATH Path, _In_ NDIS_SWITCH_PORT_ID PortId,
                            _In_ NDIS_SWITCH_PORT_PROPERTY_TYPE PropertyType, _In_ const GUID *PropertyId,
                            _In_ PXSW_OID_PROPERTY_VISIT Visit, _In_opt_ PVOID Context)
{
    ULONG length = sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS) + 256;

    for (int attempt = 0; attempt < 4; attempt++) {
        PNDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS params =
            ExAllocatePool2(POOL_FLAG_NON_PAGED, length, Path->PoolTag);
        ULONG needed = 0;
        NDIS_STATUS status;

        if (params == NULL)
            return;
        NdisZeroMemory(params, length);
        params->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        params->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS_REVISION_1;
        params->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS_REVISION_1;
        params->PortId = PortId;
        params->PropertyType = PropertyType;
        params->PropertyId = *PropertyId;
        params->SerializationVersion = NDIS_SWITCH_OBJECT_SERIALIZATION_VERSION_1;
        status = XswOidIssue(Path, NdisRequestMethod, OID_SWITCH_PORT_PROPERTY_ENUM, params,
                             sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS), length, &needed);
        if (status == NDIS_STATUS_SUCCESS)
            XswOidVisitProperties(params, length, Visit, Context);
        ExFreePoolWithTag(params, Path->PoolTag);
        if (status != NDIS_STATUS_INVALID_LENGTH || needed <= length)
            return;
        length = needed;
    }
}
