/*
 * ndis/oidrequest.h - NDIS_OID_REQUEST and NDIS_REQUEST_TYPE.
 *
 * Normative: learn.microsoft.com "NDIS_OID_REQUEST structure
 * (ndis/oidrequest.h)". The NDIS 6.50 members (SwitchId, VPortId, Flags) are
 * always present so that the layout never depends on the NDIS version an
 * extension is built for; NDIS_SIZEOF_OID_REQUEST_REVISION_1 still ends at
 * Reserved2. SourceReserved[0..15] is the caller's (extensions keep the
 * original request of a clone there).
 */
#ifndef XSW_NDIS_OIDREQUEST_H
#define XSW_NDIS_OIDREQUEST_H

#include "../ntddndis.h"

typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;

typedef enum _NDIS_REQUEST_TYPE {
    NdisRequestQueryInformation,
    NdisRequestSetInformation,
    NdisRequestQueryStatistics,
    NdisRequestOpen,
    NdisRequestClose,
    NdisRequestSend,
    NdisRequestTransferData,
    NdisRequestReset,
    NdisRequestGeneric1,
    NdisRequestGeneric2,
    NdisRequestGeneric3,
    NdisRequestGeneric4,
    NdisRequestMethod
} NDIS_REQUEST_TYPE, *PNDIS_REQUEST_TYPE;

#define NDIS_OID_REQUEST_TIMEOUT_INFINITE 0
#define NDIS_OID_REQUEST_NDIS_RESERVED_SIZE 16

typedef struct _NDIS_OID_REQUEST {
    NDIS_OBJECT_HEADER Header;
    NDIS_REQUEST_TYPE RequestType;
    NDIS_PORT_NUMBER PortNumber;
    UINT Timeout; /* seconds, NDIS_OID_REQUEST_TIMEOUT_INFINITE = 0 */
    PVOID RequestId;
    NDIS_HANDLE RequestHandle;
    union _REQUEST_DATA {
        NDIS_OID Oid;
        struct _QUERY {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesWritten;
            UINT BytesNeeded;
        } QUERY_INFORMATION;
        struct _SET {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesRead;
            UINT BytesNeeded;
        } SET_INFORMATION;
        struct _METHOD {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            ULONG InputBufferLength;
            ULONG OutputBufferLength;
            ULONG MethodId;
            UINT BytesWritten;
            UINT BytesRead;
            UINT BytesNeeded;
        } METHOD_INFORMATION;
    } DATA;
    UCHAR NdisReserved[NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID)];
    UCHAR MiniportReserved[2 * sizeof(PVOID)];
    UCHAR SourceReserved[2 * sizeof(PVOID)];
    UCHAR SupportedRevision;
    UCHAR Reserved1;
    USHORT Reserved2;
    NDIS_NIC_SWITCH_ID SwitchId;          /* REVISION_2 (NDIS 6.50) */
    NDIS_NIC_SWITCH_VPORT_ID VPortId;     /* REVISION_2 */
    ULONG Flags;                          /* REVISION_2 */
} NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;

#define NDIS_OID_REQUEST_FLAGS_VPORT_ID_VALID 0x0001
#define NDIS_OID_REQUEST_REVISION_1 1
#define NDIS_OID_REQUEST_REVISION_2 2
#define NDIS_SIZEOF_OID_REQUEST_REVISION_1 RTL_SIZEOF_THROUGH_FIELD(NDIS_OID_REQUEST, Reserved2)
#define NDIS_SIZEOF_OID_REQUEST_REVISION_2 RTL_SIZEOF_THROUGH_FIELD(NDIS_OID_REQUEST, Flags)

#endif
