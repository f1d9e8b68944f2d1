/*
 * xswoid.h - the OID request plumbing every xsw reference extension shares.
 *
 * An extensible switch extension is an NDIS 6.30 lightweight filter driver,
 * and every one of them moves OID requests the same way: a request from
 * above is cloned with NdisAllocateCloneOidRequest and the clone is sent on
 * with NdisFOidRequest; when the clone completes (at once or later, in
 * FilterOidRequestComplete) its results are copied into the original, the
 * clone is freed and the original is completed with the same status. The
 * extension also issues requests of its own (OID_SWITCH_PARAMETERS,
 * OID_SWITCH_PORT_ARRAY, OID_SWITCH_NIC_ARRAY, OID_SWITCH_PORT_PROPERTY_ENUM)
 * at PASSIVE_LEVEL and waits for them on an event
 * (learn.microsoft.com: filter-module-oid-requests, ndisallocatecloneoidrequest,
 * querying-the-hyper-v-extensible-switch-configuration).
 *
 * This code is written once here and compiled into each extension
 * (xswoid.c), the way Microsoft's extensible switch samples share SxBase.
 * An extension embeds one XSW_OID_PATH in its filter module context, fills it
 * with XswOidInitialize in FilterAttach, and keeps only its own policy: what
 * to do before a request goes down (veto it, complete it itself, or forward
 * it with a per-request context) and what to do when a forwarded request
 * completes (the XSW_OID_FORWARDED callback).
 *
 * The clone's SourceReserved holds the original request in its first pointer
 * and the extension's per-request context in its second. A request the
 * extension issued itself has no original (NULL) and is an XSW_OID_INTERNAL.
 */
#ifndef XSW_EXTENSIONS_COMMON_XSWOID_H
#define XSW_EXTENSIONS_COMMON_XSWOID_H

#include <ndis.h>

/*
 * A request this filter forwarded has completed below with "Status". Called
 * once per forwarded request, for a synchronous and a pended completion
 * alike, after the clone's results (BytesWritten, BytesRead, BytesNeeded)
 * were copied into "Original" and before the clone is freed and "Original"
 * is completed upwards. "FilterContext" is the one given to
 * XswOidInitialize; "RequestContext" is the one given to XswOidForward.
 */
typedef VOID XSW_OID_FORWARDED(_In_ PVOID FilterContext, _In_ PNDIS_OID_REQUEST Original,
                               _In_opt_ PVOID RequestContext, _In_ NDIS_STATUS Status);
typedef XSW_OID_FORWARDED *PXSW_OID_FORWARDED;

/*
 * A non-NULL "RequestContext" given to XswOidForward for a request that could
 * not be cloned: it never went down, the XSW_OID_FORWARDED callback will not
 * run for it, and this releases what the context holds.
 */
typedef VOID XSW_OID_DISCARD(_In_ PVOID FilterContext, _In_ PVOID RequestContext);
typedef XSW_OID_DISCARD *PXSW_OID_DISCARD;

/* The OID plumbing state of one filter module, embedded in its context. */
typedef struct _XSW_OID_PATH {
    NDIS_HANDLE FilterHandle;     /* the NdisFilterHandle given to FilterAttach */
    ULONG PoolTag;                /* the tag of every clone and buffer allocated here */
    PXSW_OID_FORWARDED Forwarded; /* may be NULL */
    PXSW_OID_DISCARD Discard;     /* may be NULL when no request context ever needs releasing */
    PVOID FilterContext;          /* first argument of both callbacks */
    volatile LONG Outstanding;    /* requests sent down (forwarded or internal) and not yet completed */
} XSW_OID_PATH, *PXSW_OID_PATH;

/* An OID the extension issues itself, waited for on an event at PASSIVE_LEVEL. */
typedef struct _XSW_OID_INTERNAL {
    NDIS_OID_REQUEST Request;
    NDIS_EVENT Done;
    NDIS_STATUS Status;
} XSW_OID_INTERNAL, *PXSW_OID_INTERNAL;

/*
 * How often a clone of a request the switch does not let an extension fail
 * is attempted before NDIS_STATUS_RESOURCES is returned (see XswOidClone).
 */
#define XSW_OID_CLONE_TRIES 4

/*
 * Prepare "Path" for the filter module "FilterHandle": allocations carry
 * "PoolTag", "Forwarded" and "Discard" (either may be NULL) receive
 * "FilterContext". Call it in FilterAttach before any OID can arrive.
 */
VOID XswOidInitialize(_Out_ PXSW_OID_PATH Path, _In_ NDIS_HANDLE FilterHandle, _In_ ULONG PoolTag,
                      _In_opt_ PXSW_OID_FORWARDED Forwarded, _In_opt_ PXSW_OID_DISCARD Discard,
                      _In_ PVOID FilterContext);

/*
 * Clone "OidRequest" into "*Clone". The switch does not let an extension
 * fail OID_SWITCH_NIC_CONNECT, _UPDATED, _DISCONNECT, _DELETE,
 * OID_SWITCH_PORT_UPDATED, _TEARDOWN, _DELETE, OID_SWITCH_NIC_SAVE_COMPLETE or
 * OID_SWITCH_NIC_RESTORE_COMPLETE: it must forward them. NDIS_STATUS_RESOURCES
 * is transitory, so for those the clone is tried XSW_OID_CLONE_TRIES times
 * before the failure is returned; any other request is tried once.
 */
NDIS_STATUS XswOidClone(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST OidRequest, _Out_ PNDIS_OID_REQUEST *Clone);

/* Copy the byte counts a lower layer set in "Clone" into "Original". */
VOID XswOidCopyResults(_Inout_ PNDIS_OID_REQUEST Original, _In_ PNDIS_OID_REQUEST Clone);

/*
 * Forward "OidRequest" from FilterOidRequest: clone it, remember the original
 * and "RequestContext" (may be NULL) in the clone and send the clone down.
 * Returns what FilterOidRequest must return: NDIS_STATUS_PENDING (the
 * original is completed later by XswOidRequestComplete), the status of a
 * synchronous completion below (the Forwarded callback has run), or the
 * failure to clone (then Discard has released "RequestContext").
 */
NDIS_STATUS XswOidForward(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST OidRequest, _In_opt_ PVOID RequestContext);

/*
 * The whole body of FilterOidRequestComplete: "OidRequest" is a clone made by
 * XswOidForward (its original is finished and completed upwards with
 * "Status") or an XSW_OID_INTERNAL (its waiter is woken).
 */
VOID XswOidRequestComplete(_In_ PXSW_OID_PATH Path, _In_ PNDIS_OID_REQUEST OidRequest, _In_ NDIS_STATUS Status);

/*
 * Issue a request of this filter's own and wait for it: a query (or
 * statistics query) of "Length" bytes at "Buffer", or a method request whose
 * "Buffer" holds "InputLength" bytes of input and room for "Length" bytes of
 * output. Must run at PASSIVE_LEVEL (NdisWaitEvent). Returns the completion
 * status; "*BytesNeeded" is what the lower layer set (on
 * NDIS_STATUS_INVALID_LENGTH: the length to retry with).
 */
NDIS_STATUS XswOidIssue(_In_ PXSW_OID_PATH Path, _In_ NDIS_REQUEST_TYPE Type, _In_ NDIS_OID Oid,
                        _Inout_ PVOID Buffer, _In_ ULONG InputLength, _In_ ULONG Length, _Out_ PULONG BytesNeeded);

/* Query OID_SWITCH_PARAMETERS into "*Parameters" (PASSIVE_LEVEL); returns the completion status. */
NDIS_STATUS XswOidQuerySwitchParameters(_In_ PXSW_OID_PATH Path, _Out_ PNDIS_SWITCH_PARAMETERS Parameters);

/*
 * Query OID_SWITCH_PORT_ARRAY or OID_SWITCH_NIC_ARRAY (PASSIVE_LEVEL),
 * retrying with BytesNeeded on NDIS_STATUS_INVALID_LENGTH. Returns the array,
 * its element count and size checked against the buffer, or NULL. Free it
 * with ExFreePoolWithTag(array, Path->PoolTag).
 */
PNDIS_SWITCH_PORT_ARRAY XswOidQueryPortArray(_In_ PXSW_OID_PATH Path);
PNDIS_SWITCH_NIC_ARRAY XswOidQueryNicArray(_In_ PXSW_OID_PATH Path);

/*
 * One instance of a port property found by XswOidEnumPortProperty: "Property"
 * points at its "Length" bytes (for a custom property, an
 * NDIS_SWITCH_PORT_PROPERTY_CUSTOM), already checked to lie inside the
 * enumeration buffer. Returns TRUE to be given the next instance.
 */
typedef BOOLEAN XSW_OID_PROPERTY_VISIT(_In_ PVOID Context, _In_reads_bytes_(Length) const UCHAR *Property,
                                       _In_ ULONG Length);
typedef XSW_OID_PROPERTY_VISIT *PXSW_OID_PROPERTY_VISIT;

/*
 * Enumerate the instances of property "PropertyId" of type "PropertyType" on
 * port "PortId" with OID_SWITCH_PORT_PROPERTY_ENUM (PASSIVE_LEVEL; retried
 * with BytesNeeded on NDIS_STATUS_INVALID_LENGTH) and give each to "Visit".
 * The caller holds a reference on the port (ReferenceSwitchPort) so that it
 * is not deleted meanwhile.
 */
VOID XswOidEnumPortProperty(_In_ PXSW_OID_PATH Path, _In_ NDIS_SWITCH_PORT_ID PortId,
                            _In_ NDIS_SWITCH_PORT_PROPERTY_TYPE PropertyType, _In_ const GUID *PropertyId,
                            _In_ PXSW_OID_PROPERTY_VISIT Visit, _In_opt_ PVOID Context);

#endif /* XSW_EXTENSIONS_COMMON_XSWOID_H */
