/*
 * ndis/nblapi.h - NET_BUFFER_LIST / NET_BUFFER / MDL pools and operations,
 * implemented by reference/runtime/nbl.c.
 *
 * Normative: learn.microsoft.com ndis/nblapi.h DDI pages of each function.
 * Parameters are the WDK's; pool parameter structures always carry the
 * REVISION_2 Flags member (the NDIS_SIZEOF_*_REVISION_1 sizes are those of
 * the original revision).
 */
#ifndef XSW_NDIS_NBLAPI_H
#define XSW_NDIS_NBLAPI_H

#include "nbl.h"

#define NDIS_PROTOCOL_ID_DEFAULT 0x00
#define NDIS_PROTOCOL_ID_TCP_IP 0x02
#define NDIS_PROTOCOL_ID_IPX 0x06
#define NDIS_PROTOCOL_ID_NBF 0x07
#define NDIS_PROTOCOL_ID_MAX 0x0F
#define NDIS_PROTOCOL_ID_MASK 0x0F

typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    UCHAR ProtocolId;
    BOOLEAN fAllocateNetBuffer;
    USHORT ContextSize;
    ULONG PoolTag;
    ULONG DataSize;
    ULONG Flags;
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;
#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 2
#define NET_BUFFER_LIST_POOL_FLAG_VERIFY 0x00000001
#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize)
#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2 \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, Flags)

typedef struct _NET_BUFFER_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG PoolTag;
    ULONG DataSize;
    ULONG Flags;
} NET_BUFFER_POOL_PARAMETERS, *PNET_BUFFER_POOL_PARAMETERS;
#define NET_BUFFER_POOL_PARAMETERS_REVISION_1 1
#define NET_BUFFER_POOL_PARAMETERS_REVISION_2 2
#define NET_BUFFER_POOL_FLAG_VERIFY 0x00000001
#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_POOL_PARAMETERS, DataSize)
#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2 \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_POOL_PARAMETERS, Flags)

/* NetAllocateMdl / NetFreeMdl callbacks for retreat and advance operations. */
typedef PMDL NET_BUFFER_ALLOCATE_MDL(PULONG BufferSize);
typedef NET_BUFFER_ALLOCATE_MDL *NET_BUFFER_ALLOCATE_MDL_HANDLER;
typedef VOID NET_BUFFER_FREE_MDL(PMDL Mdl);
typedef NET_BUFFER_FREE_MDL *NET_BUFFER_FREE_MDL_HANDLER;

#define NDIS_CLONE_FLAGS_RESERVED 0x00000001
#define NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS 0x00000002

NDIS_EXPORTED_ROUTINE NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
                                                                const NET_BUFFER_LIST_POOL_PARAMETERS *Parameters);
NDIS_EXPORTED_ROUTINE VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle);
NDIS_EXPORTED_ROUTINE PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                                                 USHORT ContextBackFill);
NDIS_EXPORTED_ROUTINE PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle,
                                                                             USHORT ContextSize,
                                                                             USHORT ContextBackFill, PMDL MdlChain,
                                                                             ULONG DataOffset, SIZE_T DataLength);
NDIS_EXPORTED_ROUTINE VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList);

NDIS_EXPORTED_ROUTINE NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
                                                            const NET_BUFFER_POOL_PARAMETERS *Parameters);
NDIS_EXPORTED_ROUTINE VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle);
NDIS_EXPORTED_ROUTINE PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain, ULONG DataOffset,
                                                        SIZE_T DataLength);
NDIS_EXPORTED_ROUTINE PNET_BUFFER NdisAllocateNetBufferMdlAndData(NDIS_HANDLE PoolHandle);
NDIS_EXPORTED_ROUTINE VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer);
NDIS_EXPORTED_ROUTINE NDIS_HANDLE NdisGetPoolFromNetBufferList(PNET_BUFFER_LIST NetBufferList);
NDIS_EXPORTED_ROUTINE NDIS_HANDLE NdisGetPoolFromNetBuffer(PNET_BUFFER NetBuffer);

NDIS_EXPORTED_ROUTINE PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length);
NDIS_EXPORTED_ROUTINE VOID NdisFreeMdl(PMDL Mdl);

NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisRetreatNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta,
                                                                ULONG DataBackFill,
                                                                NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler);
NDIS_EXPORTED_ROUTINE VOID NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta,
                                                         BOOLEAN FreeMdl, NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisRetreatNetBufferListDataStart(PNET_BUFFER_LIST NetBufferList,
                                                                    ULONG DataOffsetDelta, ULONG DataBackFill,
                                                                    NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler,
                                                                    NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler);
NDIS_EXPORTED_ROUTINE VOID NdisAdvanceNetBufferListDataStart(PNET_BUFFER_LIST NetBufferList, ULONG DataOffsetDelta,
                                                             BOOLEAN FreeMdl,
                                                             NET_BUFFER_FREE_MDL_HANDLER FreeMdlMdlHandler);
NDIS_EXPORTED_ROUTINE VOID NdisAdjustNetBufferCurrentMdl(PNET_BUFFER NetBuffer);
NDIS_EXPORTED_ROUTINE PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
                                              UINT AlignMultiple, UINT AlignOffset);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisCopyFromNetBufferToNetBuffer(PNET_BUFFER Destination, ULONG DestinationOffset,
                                                                   ULONG BytesToCopy, PNET_BUFFER Source,
                                                                   ULONG SourceOffset, PULONG BytesCopied);

NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisAllocateNetBufferListContext(PNET_BUFFER_LIST NetBufferList,
                                                                   USHORT ContextSize, USHORT ContextBackFill,
                                                                   ULONG PoolTag);
NDIS_EXPORTED_ROUTINE VOID NdisFreeNetBufferListContext(PNET_BUFFER_LIST NetBufferList, USHORT ContextSize);

NDIS_EXPORTED_ROUTINE PNET_BUFFER_LIST NdisAllocateCloneNetBufferList(PNET_BUFFER_LIST OriginalNetBufferList,
                                                                      NDIS_HANDLE NetBufferListPoolHandle,
                                                                      NDIS_HANDLE NetBufferPoolHandle,
                                                                      ULONG AllocateCloneFlags);
NDIS_EXPORTED_ROUTINE VOID NdisFreeCloneNetBufferList(PNET_BUFFER_LIST CloneNetBufferList, ULONG FreeCloneFlags);
NDIS_EXPORTED_ROUTINE PNET_BUFFER_LIST NdisAllocateFragmentNetBufferList(
    PNET_BUFFER_LIST OriginalNetBufferList, NDIS_HANDLE NetBufferListPool, NDIS_HANDLE NetBufferPool,
    ULONG StartOffset, ULONG MaximumLength, ULONG DataOffsetDelta, ULONG DataBackFill, ULONG AllocateFragmentFlags);
NDIS_EXPORTED_ROUTINE VOID NdisFreeFragmentNetBufferList(PNET_BUFFER_LIST FragmentNetBufferList,
                                                         ULONG DataOffsetDelta, ULONG FreeFragmentFlags);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisCopySendNetBufferListInfo(PNET_BUFFER_LIST DestNetBufferList,
                                                                PNET_BUFFER_LIST SrcNetBufferList);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisCopyReceiveNetBufferListInfo(PNET_BUFFER_LIST DestNetBufferList,
                                                                   PNET_BUFFER_LIST SrcNetBufferList);

#endif
