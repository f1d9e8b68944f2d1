/*
 * ndis.h - WDK-compatible NDIS 6.30/6.40 filter-driver and Hyper-V
 * extensible-switch interface for building unchanged Windows extension source
 * with gcc or clang on Linux against the xsw user-mode NDIS runtime.
 *
 * Role. An extension source file includes <ndis.h> (plus netiodef.h,
 * intsafe.h, ntintsafe.h, ntstrsafe.h as real extensions do) from this
 * directory and is compiled with the xsw NDIS flags (see
 * docs/building-extensions.md, pkg-config xsw-ndis):
 *     -std=gnu17 -fshort-wchar -fPIC -fno-strict-aliasing -Wno-multichar
 *     -Wno-switch -I<prefix>/include/xsw/ndis -DNDIS_WDM=1 -DNDIS640=1 -DDBG=0
 * The resulting shared object leaves every NDIS function undefined; the xsw
 * harness (libxswrt: reference/runtime/) provides them when it dlopen()s the
 * extension and calls its DriverEntry. The harness's own C11 code includes
 * the same headers without -fshort-wchar; they are clean in both modes.
 *
 * Normative sources. The learn.microsoft.com DDI reference pages of every
 * type, function and macro declared here (ndis.h, ndis/nbl.h, ndis/nblapi.h,
 * ndis/oidrequest.h, ntddndis.h, wdm.h, ifdef.h); the Windows x64 layouts,
 * constants and revision sizes of shared/reference/extensible-switch.md §1-3;
 * the WDK surface inventory of shared/reference/ndis-surface.md §1 and §6.
 * tests/test_ndis_layout.c asserts every NDIS_SWITCH_* offset and size.
 *
 * Deliberate differences from the WDK, and why:
 *  - NDIS_STATUS_* and OID_* are enum constants generated from
 *    include/xsw/defs/ndis_status.def and oids.def (one table of values for
 *    the harness, analyzer and dissector). They work in expressions and case
 *    labels but not in #if/#ifdef. STATUS_* codes with an NDIS twin are
 *    defined through it (ntstatus.h).
 *  - Structure members added by later NDIS revisions (NDIS_OID_REQUEST
 *    SwitchId/VPortId/Flags, NDIS_SWITCH_OPTIONAL_HANDLERS SwitchPDReserved,
 *    NET_PNP_EVENT_NOTIFICATION Flags/SwitchId/VPortId, the 6.50+
 *    NetBufferListInfo slots...) are always present, so the layout never
 *    depends on the NDIS version macro an extension is built with; the
 *    NDIS_SIZEOF_*_REVISION_n macros keep the WDK values. Supported versions:
 *    NDIS60 .. NDIS640 (default NDIS 6.40 when none is defined).
 *  - Bit-fields use the System V layout, not -mms-bitfields; for the types
 *    here (all-UINT32 forwarding detail, all-USHORT port destination) it
 *    gives the Windows bit positions (extensible-switch.md §3.9-3.10).
 *  - Kernel objects the runtime keeps state in have the WDK size but a
 *    private meaning (wdm.h): KSPIN_LOCK holds the owner token, NDIS_SPIN_LOCK
 *    is { KSPIN_LOCK SpinLock; KIRQL OldIrql; } as in the WDK, NDIS_EVENT is
 *    { KEVENT Event; } with the signaled flag in Event.Header.SignalState,
 *    NDIS_RW_LOCK_EX is opaque (allocated by NdisAllocateRWLock).
 *  - Functions the WDK implements as macros or inline functions are macros
 *    or inline functions here (NdisZeroMemory, NdisInterlockedIncrement,
 *    the LIST_ENTRY helpers, Interlocked*, KeRaiseIrql...); a few WDK
 *    macros over internal functions are exported functions instead
 *    (MmGetSystemAddressForMdlSafe, RtlUnicodeStringToAnsiSize,
 *    KeQuerySystemTime).
 *  - DbgPrint has no printf format attribute (it accepts %S, %wZ, %I64d).
 *  - The IRQL is emulated per thread; calls at a level the WDK forbids are
 *    recorded as findings rather than bug checks.
 *  - Not provided: NDIS miniport/protocol interfaces, NDIS 5 legacy APIs,
 *    direct and synchronous OID requests, device objects/IRPs beyond the
 *    DRIVER_OBJECT layout, the NDIS_INCLUDE_LEGACY_NAMES aliases (they need
 *    MSVC's typedef-name anonymous members), NDIS_SWITCH_PORT_PROPERTY
 *    _ISOLATION/_ROUTING_DOMAIN.
 */
#ifndef XSW_NDIS_NDIS_H
#define XSW_NDIS_NDIS_H

/* ---- NDIS version gating ------------------------------------------------- */
#if defined(NDIS650) || defined(NDIS651) || defined(NDIS660) || defined(NDIS670) || defined(NDIS680) || \
    defined(NDIS681) || defined(NDIS682) || defined(NDIS683) || defined(NDIS684) || defined(NDIS685) || \
    defined(NDIS686) || defined(NDIS687) || defined(NDIS688) || defined(NDIS689)
#error "xsw NDIS headers support NDIS 6.0 to 6.40: build with -DNDIS640=1"
#endif
#if defined(NDIS640) || (!defined(NDIS630) && !defined(NDIS620) && !defined(NDIS61) && !defined(NDIS60))
#define NDIS_SUPPORT_NDIS640 1
#define XSW_NDIS_MINOR 40
#elif defined(NDIS630)
#define XSW_NDIS_MINOR 30
#elif defined(NDIS620)
#define XSW_NDIS_MINOR 20
#elif defined(NDIS61)
#define XSW_NDIS_MINOR 1
#else
#define XSW_NDIS_MINOR 0
#endif
#define NDIS_SUPPORT_NDIS6 1
#if XSW_NDIS_MINOR >= 1
#define NDIS_SUPPORT_NDIS61 1
#endif
#if XSW_NDIS_MINOR >= 20
#define NDIS_SUPPORT_NDIS620 1
#endif
#if XSW_NDIS_MINOR >= 30
#define NDIS_SUPPORT_NDIS630 1
#endif
#ifndef NDIS_SUPPORT_NDIS61
#define NDIS_SUPPORT_NDIS61 0
#endif
#ifndef NDIS_SUPPORT_NDIS620
#define NDIS_SUPPORT_NDIS620 0
#endif
#ifndef NDIS_SUPPORT_NDIS630
#define NDIS_SUPPORT_NDIS630 0
#endif
#ifndef NDIS_SUPPORT_NDIS640
#define NDIS_SUPPORT_NDIS640 0
#endif
#define NDIS_SUPPORT_NDIS650 0
#define NDIS_SUPPORT_NDIS660 0
#define NDIS_SUPPORT_NDIS680 0
#define NDIS_FILTER_MAJOR_VERSION 6
#define NDIS_FILTER_MINOR_VERSION XSW_NDIS_MINOR
#define NDIS_FILTER_MINIMUM_MAJOR_VERSION 6
#define NDIS_FILTER_MINIMUM_MINOR_VERSION 0
#define NDIS_RUNTIME_VERSION_60 ((6 << 16) | 0)
#define NDIS_RUNTIME_VERSION_620 ((6 << 16) | 20)
#define NDIS_RUNTIME_VERSION_630 ((6 << 16) | 30)
#define NDIS_RUNTIME_VERSION_640 ((6 << 16) | 40)

#include "ntddk.h"
#include "ntddndis.h"
#include "ndis/status.h"
#include "ndis/oidrequest.h"
#include "ndis/nbl.h"
#include "ndis/nblapi.h"

/* ---- Core ---------------------------------------------------------------- */
typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;
typedef ANSI_STRING NDIS_ANSI_STRING, *PNDIS_ANSI_STRING;
/*
 * u"..." instead of the WDK's L"...": identical under -fshort-wchar and still
 * 16-bit in xsw's own C11 code.
 */
#define NDIS_STRING_CONST(x) { sizeof(u##x) - 2, sizeof(u##x), (PWCH)(u##x) }
#define NdisInitUnicodeString(Destination, Source) RtlInitUnicodeString((Destination), (Source))
#define NdisInitAnsiString(Destination, Source) RtlInitAnsiString((Destination), (Source))
#define NdisEqualString(String1, String2, CaseInsensitive) \
    RtlEqualUnicodeString((String1), (String2), (CaseInsensitive))

#define NDIS_DEFAULT_PORT_NUMBER ((NDIS_PORT_NUMBER)0)
#define NDIS_MAX_PORT_NUMBER 0xffffffff
#define NDIS_ANY_NUMBER_OF_NBLS ((ULONG)0xFFFFFFFF)

NDIS_EXPORTED_ROUTINE UINT NdisGetVersion(void);

/* Used inside FilterAttach as a statement in the samples; no code. */
#define NDIS_DECLARE_FILTER_MODULE_CONTEXT(_type_) _Static_assert(sizeof(_type_) > 0, #_type_)
#define NDIS_DECLARE_FILTER_DRIVER_CONTEXT(_type_) _Static_assert(sizeof(_type_) > 0, #_type_)

/* ---- Memory -------------------------------------------------------------- */
#define NDIS_MEMORY_CONTIGUOUS 0x00000001
#define NDIS_MEMORY_NONCACHED 0x00000002
#define NdisZeroMemory(Destination, Length) RtlZeroMemory((Destination), (Length))
#define NdisMoveMemory(Destination, Source, Length) RtlCopyMemory((Destination), (Source), (Length))
#define NdisFillMemory(Destination, Length, Fill) RtlFillMemory((Destination), (Length), (Fill))
#define NdisEqualMemory(Source1, Source2, Length) RtlEqualMemory((Source1), (Source2), (Length))
#define NdisRetrieveUlong(DestinationAddress, SourceAddress) \
    RtlCopyMemory((DestinationAddress), (SourceAddress), sizeof(ULONG))
#define NdisStoreUlong(DestinationAddress, Value) \
    do { ULONG xsw_v_ = (Value); RtlCopyMemory((DestinationAddress), &xsw_v_, sizeof(ULONG)); } while (0)

NDIS_EXPORTED_ROUTINE PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag,
                                                              EX_POOL_PRIORITY Priority);
NDIS_EXPORTED_ROUTINE VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, ULONG Tag);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag);
NDIS_EXPORTED_ROUTINE VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);

/* ---- Spin locks, RW locks, events, time ---------------------------------- */
typedef struct _NDIS_SPIN_LOCK {
    KSPIN_LOCK SpinLock;
    KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

NDIS_EXPORTED_ROUTINE VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_EXPORTED_ROUTINE VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_EXPORTED_ROUTINE VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_EXPORTED_ROUTINE VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_EXPORTED_ROUTINE VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
NDIS_EXPORTED_ROUTINE VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);

typedef struct _NDIS_RW_LOCK_EX NDIS_RW_LOCK_EX, *PNDIS_RW_LOCK_EX;
typedef struct _LOCK_STATE_EX {
    KIRQL OldIrql;
    UCHAR LockState;
    UCHAR Flags;
} LOCK_STATE_EX, *PLOCK_STATE_EX;
#define NDIS_RWL_AT_DISPATCH_LEVEL 1

NDIS_EXPORTED_ROUTINE PNDIS_RW_LOCK_EX NdisAllocateRWLock(NDIS_HANDLE NdisHandle);
NDIS_EXPORTED_ROUTINE VOID NdisFreeRWLock(PNDIS_RW_LOCK_EX Lock);
NDIS_EXPORTED_ROUTINE VOID NdisAcquireRWLockRead(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags);
NDIS_EXPORTED_ROUTINE VOID NdisAcquireRWLockWrite(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags);
NDIS_EXPORTED_ROUTINE VOID NdisReleaseRWLock(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState);

typedef struct _NDIS_EVENT {
    KEVENT Event;
} NDIS_EVENT, *PNDIS_EVENT;

NDIS_EXPORTED_ROUTINE VOID NdisInitializeEvent(PNDIS_EVENT Event);
NDIS_EXPORTED_ROUTINE VOID NdisSetEvent(PNDIS_EVENT Event);
NDIS_EXPORTED_ROUTINE VOID NdisResetEvent(PNDIS_EVENT Event);
/* MsToWait 0 = no timeout; returns TRUE if the event is signaled. PASSIVE_LEVEL. */
NDIS_EXPORTED_ROUTINE BOOLEAN NdisWaitEvent(PNDIS_EVENT Event, UINT MsToWait);

/* Out of line on purpose: extensions busy-wait on plain variables around it. */
NDIS_EXPORTED_ROUTINE VOID NdisMSleep(ULONG MicrosecondsToSleep);
#define NdisStallExecution(MicroSecondsToStall) KeStallExecutionProcessor(MicroSecondsToStall)
NDIS_EXPORTED_ROUTINE VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime);
NDIS_EXPORTED_ROUTINE VOID NdisGetSystemUpTimeEx(PLARGE_INTEGER pSystemUpTime);

#define NdisInterlockedIncrement(Addend) InterlockedIncrement(Addend)
#define NdisInterlockedDecrement(Addend) InterlockedDecrement(Addend)
#define NdisInterlockedAddLargeStatistic(Addend, Increment) \
    InterlockedExchangeAdd64((LONG64 volatile *)(Addend), (LONG64)(Increment))
#define NdisInterlockedExchange(Target, Value) InterlockedExchange((Target), (Value))

/* ---- Send / receive / return flags --------------------------------------- */
#define NDIS_SEND_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK 0x00000002
#define NDIS_SEND_FLAGS_SINGLE_QUEUE 0x00000004
#define NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP 0x00000010
#define NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE 0x00000020
#define NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE 0x00000002
#define NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE 0x00000004
#define NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_RECEIVE_FLAGS_RESOURCES 0x00000002
#define NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE 0x00000100
#define NDIS_RECEIVE_FLAGS_SINGLE_VLAN 0x00000200
#define NDIS_RECEIVE_FLAGS_PERFECT_FILTERED 0x00000400
#define NDIS_RECEIVE_FLAGS_SINGLE_QUEUE 0x00000800
#define NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID 0x00001000
#define NDIS_RECEIVE_FLAGS_MORE_NBLS 0x00002000
#define NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP 0x00004000
#define NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE 0x00008000
#define NDIS_RETURN_FLAGS_DISPATCH_LEVEL 0x00000001
#define NDIS_RETURN_FLAGS_SINGLE_QUEUE 0x00000002
#define NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE 0x00000004

#define NDIS_TEST_SEND_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_SEND_FLAG(_Flags, _Fl) ((_Flags) |= (_Fl))
#define NDIS_TEST_SEND_AT_DISPATCH_LEVEL(_Flags) NDIS_TEST_SEND_FLAG((_Flags), NDIS_SEND_FLAGS_DISPATCH_LEVEL)
#define NDIS_TEST_SEND_COMPLETE_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_SEND_COMPLETE_FLAG(_Flags, _Fl) ((_Flags) |= (_Fl))
#define NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(_Flags) \
    NDIS_TEST_SEND_COMPLETE_FLAG((_Flags), NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL)
#define NDIS_TEST_RECEIVE_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_RECEIVE_FLAG(_Flags, _Fl) ((_Flags) |= (_Fl))
#define NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(_Flags) \
    NDIS_TEST_RECEIVE_FLAG((_Flags), NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
#define NDIS_TEST_RECEIVE_CANNOT_PEND(_Flags) NDIS_TEST_RECEIVE_FLAG((_Flags), NDIS_RECEIVE_FLAGS_RESOURCES)
#define NDIS_TEST_RETURN_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_RETURN_FLAG(_Flags, _Fl) ((_Flags) |= (_Fl))
#define NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(_Flags) \
    NDIS_TEST_RETURN_FLAG((_Flags), NDIS_RETURN_FLAGS_DISPATCH_LEVEL)

/* ---- Ethernet addresses -------------------------------------------------- */
#define ETH_LENGTH_OF_ADDRESS 6
#define ETH_IS_MULTICAST(Address) ((BOOLEAN)(((PUCHAR)(Address))[0] & ((UCHAR)0x01)))
#define ETH_IS_BROADCAST(Address) \
    ((((PUCHAR)(Address))[0] == ((UCHAR)0xff)) && (((PUCHAR)(Address))[1] == ((UCHAR)0xff)))
#define ETH_COMPARE_NETWORK_ADDRESSES_EQ(_A, _B, _Result) \
    (*(_Result) = !RtlEqualMemory((_A), (_B), ETH_LENGTH_OF_ADDRESS))

/* ---- Status indications -------------------------------------------------- */
typedef struct _NDIS_STATUS_INDICATION {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE SourceHandle;
    NDIS_PORT_NUMBER PortNumber;
    NDIS_STATUS StatusCode;
    ULONG Flags;
    NDIS_HANDLE DestinationHandle;
    PVOID RequestId;
    PVOID StatusBuffer;
    ULONG StatusBufferSize;
    GUID Guid;
    PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION, *PNDIS_STATUS_INDICATION;
#define NDIS_STATUS_INDICATION_REVISION_1 1
#define NDIS_STATUS_INDICATION_FLAGS_MEDIA_CONNECT_TO_CONNECT 0x1000
#define NDIS_SIZEOF_STATUS_INDICATION_REVISION_1 RTL_SIZEOF_THROUGH_FIELD(NDIS_STATUS_INDICATION, NdisReserved)

/* ---- Network PnP events -------------------------------------------------- */
typedef enum _NET_PNP_EVENT_CODE {
    NetEventSetPower,
    NetEventQueryPower,
    NetEventQueryRemoveDevice,
    NetEventCancelRemoveDevice,
    NetEventReconfigure,
    NetEventBindList,
    NetEventBindsComplete,
    NetEventPnPCapabilities,
    NetEventPause,
    NetEventRestart,
    NetEventPortActivation,
    NetEventPortDeactivation,
    NetEventIMReEnableDevice,
    NetEventNDKEnable,
    NetEventNDKDisable,
    NetEventFilterPreDetach,
    NetEventBindFailed,
    NetEventSwitchActivate,
    NetEventAllowBindsAbove,
    NetEventInhibitBindsAbove,
    NetEventAllowStart,
    NetEventRequirePause,
    NetEventUploadGftFlowEntries,
    NetEventMaximum
} NET_PNP_EVENT_CODE, *PNET_PNP_EVENT_CODE;

typedef struct _NET_PNP_EVENT {
    NET_PNP_EVENT_CODE NetEvent;
    PVOID Buffer;
    ULONG BufferLength;
    ULONG_PTR NdisReserved[4];
    ULONG_PTR TransportReserved[4];
    ULONG_PTR TdiReserved[4];
    ULONG_PTR TdiClientReserved[4];
} NET_PNP_EVENT, *PNET_PNP_EVENT;

typedef enum _NET_DEVICE_POWER_STATE {
    NetDeviceStateUnspecified = 0,
    NetDeviceStateD0,
    NetDeviceStateD1,
    NetDeviceStateD2,
    NetDeviceStateD3,
    NetDeviceStateMaximum
} NET_DEVICE_POWER_STATE, *PNET_DEVICE_POWER_STATE;

typedef struct _NET_PNP_EVENT_NOTIFICATION {
    NDIS_OBJECT_HEADER Header;
    NDIS_PORT_NUMBER PortNumber;
    NET_PNP_EVENT NetPnPEvent;
    ULONG Flags;                      /* REVISION_2 */
    NDIS_NIC_SWITCH_ID SwitchId;      /* REVISION_2 */
    NDIS_NIC_SWITCH_VPORT_ID VPortId; /* REVISION_2 */
} NET_PNP_EVENT_NOTIFICATION, *PNET_PNP_EVENT_NOTIFICATION;
#define NET_PNP_EVENT_NOTIFICATION_REVISION_1 1
#define NET_PNP_EVENT_NOTIFICATION_REVISION_2 2
#define NET_EVENT_HALT_MINIPORT_ON_LOW_POWER 0x00000001
#define NET_EVENT_FLAGS_VPORT_ID_VALID 0x00000002
#define NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NET_PNP_EVENT_NOTIFICATION, NetPnPEvent)
#define NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_2 \
    RTL_SIZEOF_THROUGH_FIELD(NET_PNP_EVENT_NOTIFICATION, VPortId)

typedef enum _NDIS_DEVICE_PNP_EVENT {
    NdisDevicePnPEventQueryRemoved,
    NdisDevicePnPEventRemoved,
    NdisDevicePnPEventSurpriseRemoved,
    NdisDevicePnPEventQueryStopped,
    NdisDevicePnPEventStopped,
    NdisDevicePnPEventPowerProfileChanged,
    NdisDevicePnPEventFilterListChanged,
    NdisDevicePnPEventMaximum
} NDIS_DEVICE_PNP_EVENT, *PNDIS_DEVICE_PNP_EVENT;

typedef struct _NET_DEVICE_PNP_EVENT {
    NDIS_OBJECT_HEADER Header;
    NDIS_PORT_NUMBER PortNumber;
    NDIS_DEVICE_PNP_EVENT DevicePnPEvent;
    PVOID InformationBuffer;
    ULONG InformationBufferLength;
    UCHAR NdisReserved[2 * sizeof(PVOID)];
} NET_DEVICE_PNP_EVENT, *PNET_DEVICE_PNP_EVENT;

/* ---- Filter driver: parameters and attributes ---------------------------- */
typedef struct _NDIS_OFFLOAD NDIS_OFFLOAD, *PNDIS_OFFLOAD;
typedef struct _NDIS_HD_SPLIT_CURRENT_CONFIG NDIS_HD_SPLIT_CURRENT_CONFIG, *PNDIS_HD_SPLIT_CURRENT_CONFIG;
typedef struct _NDIS_RECEIVE_FILTER_CAPABILITIES NDIS_RECEIVE_FILTER_CAPABILITIES, *PNDIS_RECEIVE_FILTER_CAPABILITIES;
typedef struct _NDIS_NIC_SWITCH_CAPABILITIES NDIS_NIC_SWITCH_CAPABILITIES, *PNDIS_NIC_SWITCH_CAPABILITIES;
typedef struct _NDIS_SRIOV_CAPABILITIES NDIS_SRIOV_CAPABILITIES, *PNDIS_SRIOV_CAPABILITIES;
typedef struct _NDIS_NIC_SWITCH_INFO_ARRAY NDIS_NIC_SWITCH_INFO_ARRAY, *PNDIS_NIC_SWITCH_INFO_ARRAY;

typedef struct _NDIS_FILTER_ATTACH_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    NET_IFINDEX IfIndex;
    NET_LUID NetLuid;
    PNDIS_STRING FilterModuleGuidName;
    NET_IFINDEX BaseMiniportIfIndex;
    PNDIS_STRING BaseMiniportInstanceName;
    PNDIS_STRING BaseMiniportName;
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    NET_IF_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG64 XmitLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_MEDIUM MiniportMediaType;
    NDIS_PHYSICAL_MEDIUM MiniportPhysicalMediaType;
    NDIS_HANDLE MiniportMediaSpecificAttributes;
    PNDIS_OFFLOAD DefaultOffloadConfiguration;
    USHORT MacAddressLength;
    UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    NET_LUID BaseMiniportNetLuid;
    NET_IFINDEX LowerIfIndex;
    NET_LUID LowerIfNetLuid;
    ULONG Flags;
    PNDIS_HD_SPLIT_CURRENT_CONFIG HDSplitCurrentConfig;           /* REVISION_2 */
    PNDIS_RECEIVE_FILTER_CAPABILITIES ReceiveFilterCapabilities;  /* REVISION_3 */
    PDEVICE_OBJECT MiniportPhysicalDeviceObject;
    PNDIS_NIC_SWITCH_CAPABILITIES NicSwitchCapabilities;
    BOOLEAN BaseMiniportIfConnectorPresent;
    PNDIS_SRIOV_CAPABILITIES SriovCapabilities;                   /* REVISION_4 */
    PNDIS_NIC_SWITCH_INFO_ARRAY NicSwitchArray;
} NDIS_FILTER_ATTACH_PARAMETERS, *PNDIS_FILTER_ATTACH_PARAMETERS;
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1 1
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_2 2
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_3 3
#define NDIS_FILTER_ATTACH_PARAMETERS_REVISION_4 4
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_1 RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, Flags)
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_2 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, HDSplitCurrentConfig)
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_3 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, BaseMiniportIfConnectorPresent)
#define NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_4 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTACH_PARAMETERS, NicSwitchArray)

typedef struct _NDIS_RESTART_ATTRIBUTES NDIS_RESTART_ATTRIBUTES, *PNDIS_RESTART_ATTRIBUTES;
struct _NDIS_RESTART_ATTRIBUTES {
    PNDIS_RESTART_ATTRIBUTES Next;
    NDIS_OID Oid;
    ULONG DataLength;
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) UCHAR Data[1];
};

typedef struct _NDIS_FILTER_RESTART_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    NDIS_MEDIUM MiniportMediaType;
    NDIS_PHYSICAL_MEDIUM MiniportPhysicalMediaType;
    PNDIS_RESTART_ATTRIBUTES RestartAttributes;
    NET_IFINDEX LowerIfIndex;
    NET_LUID LowerIfNetLuid;
    ULONG Flags;
} NDIS_FILTER_RESTART_PARAMETERS, *PNDIS_FILTER_RESTART_PARAMETERS;
#define NDIS_FILTER_RESTART_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_RESTART_PARAMETERS, Flags)

typedef struct _NDIS_FILTER_PAUSE_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ULONG PauseReason;
} NDIS_FILTER_PAUSE_PARAMETERS, *PNDIS_FILTER_PAUSE_PARAMETERS;
#define NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_PAUSE_PARAMETERS, PauseReason)
#define NDIS_PAUSE_NDIS_INTERNAL 0x00000001
#define NDIS_PAUSE_LOW_POWER 0x00000002
#define NDIS_PAUSE_BIND_PROTOCOL 0x00000004
#define NDIS_PAUSE_UNBIND_PROTOCOL 0x00000008
#define NDIS_PAUSE_ATTACH_FILTER 0x00000010
#define NDIS_PAUSE_DETACH_FILTER 0x00000020
#define NDIS_PAUSE_FILTER_RESTART_STACK 0x00000040
#define NDIS_PAUSE_MINIPORT_DEVICE_REMOVE 0x00000080

typedef struct _NDIS_FILTER_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
} NDIS_FILTER_ATTRIBUTES, *PNDIS_FILTER_ATTRIBUTES;
#define NDIS_FILTER_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1 RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_ATTRIBUTES, Flags)

/* ---- Filter driver: the 16 callbacks and their role typedefs ------------- */
typedef NDIS_STATUS SET_OPTIONS(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext);
typedef SET_OPTIONS *SET_OPTIONS_HANDLER;
typedef SET_OPTIONS FILTER_SET_OPTIONS;
typedef NDIS_STATUS FILTER_SET_MODULE_OPTIONS(NDIS_HANDLE FilterModuleContext);
typedef FILTER_SET_MODULE_OPTIONS *FILTER_SET_FILTER_MODULE_OPTIONS_HANDLER;
typedef NDIS_STATUS FILTER_ATTACH(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterDriverContext,
                                  PNDIS_FILTER_ATTACH_PARAMETERS AttachParameters);
typedef FILTER_ATTACH *FILTER_ATTACH_HANDLER;
typedef VOID FILTER_DETACH(NDIS_HANDLE FilterModuleContext);
typedef FILTER_DETACH *FILTER_DETACH_HANDLER;
typedef NDIS_STATUS FILTER_RESTART(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_RESTART_PARAMETERS RestartParameters);
typedef FILTER_RESTART *FILTER_RESTART_HANDLER;
typedef NDIS_STATUS FILTER_PAUSE(NDIS_HANDLE FilterModuleContext, PNDIS_FILTER_PAUSE_PARAMETERS PauseParameters);
typedef FILTER_PAUSE *FILTER_PAUSE_HANDLER;
typedef VOID FILTER_SEND_NET_BUFFER_LISTS(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferList,
                                          NDIS_PORT_NUMBER PortNumber, ULONG SendFlags);
typedef FILTER_SEND_NET_BUFFER_LISTS *FILTER_SEND_NET_BUFFER_LISTS_HANDLER;
typedef VOID FILTER_SEND_NET_BUFFER_LISTS_COMPLETE(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferList,
                                                   ULONG SendCompleteFlags);
typedef FILTER_SEND_NET_BUFFER_LISTS_COMPLETE *FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER;
typedef VOID FILTER_CANCEL_SEND_NET_BUFFER_LISTS(NDIS_HANDLE FilterModuleContext, PVOID CancelId);
typedef FILTER_CANCEL_SEND_NET_BUFFER_LISTS *FILTER_CANCEL_SEND_HANDLER;
typedef VOID FILTER_RECEIVE_NET_BUFFER_LISTS(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                                             NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                                             ULONG ReceiveFlags);
typedef FILTER_RECEIVE_NET_BUFFER_LISTS *FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER;
typedef VOID FILTER_RETURN_NET_BUFFER_LISTS(NDIS_HANDLE FilterModuleContext, PNET_BUFFER_LIST NetBufferLists,
                                            ULONG ReturnFlags);
typedef FILTER_RETURN_NET_BUFFER_LISTS *FILTER_RETURN_NET_BUFFER_LISTS_HANDLER;
typedef NDIS_STATUS FILTER_OID_REQUEST(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest);
typedef FILTER_OID_REQUEST *FILTER_OID_REQUEST_HANDLER;
typedef VOID FILTER_OID_REQUEST_COMPLETE(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                                         NDIS_STATUS Status);
typedef FILTER_OID_REQUEST_COMPLETE *FILTER_OID_REQUEST_COMPLETE_HANDLER;
typedef VOID FILTER_CANCEL_OID_REQUEST(NDIS_HANDLE FilterModuleContext, PVOID RequestId);
typedef FILTER_CANCEL_OID_REQUEST *FILTER_CANCEL_OID_REQUEST_HANDLER;
typedef VOID FILTER_DEVICE_PNP_EVENT_NOTIFY(NDIS_HANDLE FilterModuleContext, PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef FILTER_DEVICE_PNP_EVENT_NOTIFY *FILTER_DEVICE_PNP_EVENT_NOTIFY_HANDLER;
typedef NDIS_STATUS FILTER_NET_PNP_EVENT(NDIS_HANDLE FilterModuleContext,
                                         PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification);
typedef FILTER_NET_PNP_EVENT *FILTER_NET_PNP_EVENT_HANDLER;
typedef VOID FILTER_STATUS(NDIS_HANDLE FilterModuleContext, PNDIS_STATUS_INDICATION StatusIndication);
typedef FILTER_STATUS *FILTER_STATUS_HANDLER;
typedef NDIS_STATUS FILTER_DIRECT_OID_REQUEST(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest);
typedef FILTER_DIRECT_OID_REQUEST *FILTER_DIRECT_OID_REQUEST_HANDLER;
typedef VOID FILTER_DIRECT_OID_REQUEST_COMPLETE(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                                                NDIS_STATUS Status);
typedef FILTER_DIRECT_OID_REQUEST_COMPLETE *FILTER_DIRECT_OID_REQUEST_COMPLETE_HANDLER;
typedef VOID FILTER_CANCEL_DIRECT_OID_REQUEST(NDIS_HANDLE FilterModuleContext, PVOID RequestId);
typedef FILTER_CANCEL_DIRECT_OID_REQUEST *FILTER_CANCEL_DIRECT_OID_REQUEST_HANDLER;
/* Reserved for filters (learn.microsoft.com); present for the layout only. */
typedef NDIS_STATUS FILTER_SYNCHRONOUS_OID_REQUEST(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                                                   PVOID *CallContext);
typedef FILTER_SYNCHRONOUS_OID_REQUEST *FILTER_SYNCHRONOUS_OID_REQUEST_HANDLER;
typedef VOID FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE(NDIS_HANDLE FilterModuleContext, PNDIS_OID_REQUEST OidRequest,
                                                     PNDIS_STATUS Status, PVOID CallContext);
typedef FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE *FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE_HANDLER;

typedef struct _NDIS_FILTER_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags;
    NDIS_STRING FriendlyName;
    NDIS_STRING UniqueName;
    NDIS_STRING ServiceName;
    SET_OPTIONS_HANDLER SetOptionsHandler;
    FILTER_SET_FILTER_MODULE_OPTIONS_HANDLER SetFilterModuleOptionsHandler;
    FILTER_ATTACH_HANDLER AttachHandler;
    FILTER_DETACH_HANDLER DetachHandler;
    FILTER_RESTART_HANDLER RestartHandler;
    FILTER_PAUSE_HANDLER PauseHandler;
    FILTER_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
    FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
    FILTER_CANCEL_SEND_HANDLER CancelSendNetBufferListsHandler;
    FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
    FILTER_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
    FILTER_OID_REQUEST_HANDLER OidRequestHandler;
    FILTER_OID_REQUEST_COMPLETE_HANDLER OidRequestCompleteHandler;
    FILTER_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
    FILTER_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
    FILTER_NET_PNP_EVENT_HANDLER NetPnPEventHandler;
    FILTER_STATUS_HANDLER StatusHandler;
    FILTER_DIRECT_OID_REQUEST_HANDLER DirectOidRequestHandler;                  /* REVISION_2 */
    FILTER_DIRECT_OID_REQUEST_COMPLETE_HANDLER DirectOidRequestCompleteHandler; /* REVISION_2 */
    FILTER_CANCEL_DIRECT_OID_REQUEST_HANDLER CancelDirectOidRequestHandler;     /* REVISION_2 */
    FILTER_SYNCHRONOUS_OID_REQUEST_HANDLER SynchronousOidRequestHandler;        /* REVISION_3 */
    union {                                                                     /* REVISION_3 */
        FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE_HANDLER SynchronousOidRequestHandlerComplete;
        FILTER_SYNCHRONOUS_OID_REQUEST_COMPLETE_HANDLER SynchronousOidRequestCompleteHandler;
    };
} NDIS_FILTER_DRIVER_CHARACTERISTICS, *PNDIS_FILTER_DRIVER_CHARACTERISTICS;
#define NDIS_FILTER_CHARACTERISTICS_REVISION_1 1
#define NDIS_FILTER_CHARACTERISTICS_REVISION_2 2
#define NDIS_FILTER_CHARACTERISTICS_REVISION_3 3
#define NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_DRIVER_CHARACTERISTICS, StatusHandler)
#define NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler)
#define NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_3 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_DRIVER_CHARACTERISTICS, SynchronousOidRequestHandlerComplete)
#define NDIS_FILTER_DRIVER_MANDATORY 0x00000001

typedef struct _NDIS_FILTER_PARTIAL_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    FILTER_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
    FILTER_SEND_NET_BUFFER_LISTS_COMPLETE_HANDLER SendNetBufferListsCompleteHandler;
    FILTER_CANCEL_SEND_HANDLER CancelSendNetBufferListsHandler;
    FILTER_RECEIVE_NET_BUFFER_LISTS_HANDLER ReceiveNetBufferListsHandler;
    FILTER_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
} NDIS_FILTER_PARTIAL_CHARACTERISTICS, *PNDIS_FILTER_PARTIAL_CHARACTERISTICS;
#define NDIS_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1 1
#define NDIS_SIZEOF_FILTER_PARTIAL_CHARACTERISTICS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_FILTER_PARTIAL_CHARACTERISTICS, ReturnNetBufferListsHandler)

typedef struct _NDIS_DRIVER_OPTIONAL_HANDLERS {
    NDIS_OBJECT_HEADER Header;
} NDIS_DRIVER_OPTIONAL_HANDLERS, *PNDIS_DRIVER_OPTIONAL_HANDLERS;

/* ---- Hyper-V extensible switch: data path (extensible-switch.md §3.9-3.13) */
typedef PVOID NDIS_SWITCH_CONTEXT, *PNDIS_SWITCH_CONTEXT;

/*
 * Bits of AsUINT64: NumAvailableDestinations 0-15, SourcePortId 16-31,
 * SourceNicIndex 32-39, NativeForwardingRequired 40 (NDIS 6.40; part of
 * Reserved1 before), Reserved1 41, IsPacketDataSafe 42, SafePacketDataSize
 * 43-54, IsPacketDataUncached 55, IsSafePacketDataUncached 56, Reserved2 57-63.
 */
typedef union _NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO {
    UINT64 AsUINT64;
    struct {
        UINT32 NumAvailableDestinations : 16;
        UINT32 SourcePortId : 16;
        UINT32 SourceNicIndex : 8;
        UINT32 NativeForwardingRequired : 1;
        UINT32 Reserved1 : 1;
        UINT32 IsPacketDataSafe : 1;
        UINT32 SafePacketDataSize : 12;
        UINT32 IsPacketDataUncached : 1;
        UINT32 IsSafePacketDataUncached : 1;
        UINT32 Reserved2 : 7;
    };
} NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO, *PNDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO;
C_ASSERT(sizeof(NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO) == sizeof(UINT64));

#define NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(_NBL) \
    ((PNDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO)&NET_BUFFER_LIST_INFO((_NBL), SwitchForwardingDetail))

typedef struct _NDIS_SWITCH_PORT_DESTINATION {
    NDIS_SWITCH_PORT_ID PortId;
    NDIS_SWITCH_NIC_INDEX NicIndex;
    USHORT IsExcluded : 1;
    USHORT PreserveVLAN : 1;
    USHORT PreservePriority : 1;
    USHORT Reserved : 13;
} NDIS_SWITCH_PORT_DESTINATION, *PNDIS_SWITCH_PORT_DESTINATION;

typedef struct _NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY {
    NDIS_OBJECT_HEADER Header;
    UINT32 ElementSize;
    UINT32 NumElements;
    UINT32 NumDestinations;
    PNDIS_SWITCH_PORT_DESTINATION FirstElement;
} NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, *PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY;
#define NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY_REVISION_1 1
#define NDIS_SIZEOF_NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, FirstElement)
#define NDIS_SWITCH_PORT_DESTINATION_AT_ARRAY_INDEX(_DestArray_, _Index_) \
    ((PNDIS_SWITCH_PORT_DESTINATION)((PUCHAR)(_DestArray_)->FirstElement + ((_DestArray_)->ElementSize * (_Index_))))

typedef struct _NDIS_SWITCH_NIC_STATUS_INDICATION {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    NDIS_SWITCH_PORT_ID SourcePortId;
    NDIS_SWITCH_NIC_INDEX SourceNicIndex;
    NDIS_SWITCH_PORT_ID DestinationPortId;
    NDIS_SWITCH_NIC_INDEX DestinationNicIndex;
    PNDIS_STATUS_INDICATION StatusIndication;
} NDIS_SWITCH_NIC_STATUS_INDICATION, *PNDIS_SWITCH_NIC_STATUS_INDICATION;
#define NDIS_SWITCH_NIC_STATUS_INDICATION_REVISION_1 1
#define NDIS_SIZEOF_SWITCH_NIC_STATUS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_SWITCH_NIC_STATUS_INDICATION, StatusIndication)

typedef struct _NDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO {
    NDIS_OBJECT_HEADER Header;
    PCHAR ContextName;
    GUID *ExtensionId;
} NDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO, *PNDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO,
    NDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE, *PNDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE;
#define NDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO_REVISION_1 1

#define NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING 0x00000001
#define NDIS_SWITCH_COPY_NBL_INFO_FLAGS_PRESERVE_DESTINATIONS 0x00000001
#define NDIS_SWITCH_COPY_NBL_INFO_FLAGS_PRESERVE_SWITCH_INFO_ONLY 0x00000002

typedef NDIS_STATUS NDIS_SWITCH_ALLOCATE_NET_BUFFER_LIST_FORWARDING_CONTEXT(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                                           PNET_BUFFER_LIST NetBufferList);
typedef NDIS_SWITCH_ALLOCATE_NET_BUFFER_LIST_FORWARDING_CONTEXT
    *NDIS_SWITCH_ALLOCATE_NET_BUFFER_LIST_FORWARDING_CONTEXT_HANDLER;
typedef VOID NDIS_SWITCH_FREE_NET_BUFFER_LIST_FORWARDING_CONTEXT(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                                 PNET_BUFFER_LIST NetBufferList);
typedef NDIS_SWITCH_FREE_NET_BUFFER_LIST_FORWARDING_CONTEXT *NDIS_SWITCH_FREE_NET_BUFFER_LIST_FORWARDING_CONTEXT_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_SET_NET_BUFFER_LIST_SOURCE(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                           PNET_BUFFER_LIST NetBufferList, NDIS_SWITCH_PORT_ID PortId,
                                                           NDIS_SWITCH_NIC_INDEX NicIndex);
typedef NDIS_SWITCH_SET_NET_BUFFER_LIST_SOURCE *NDIS_SWITCH_SET_NET_BUFFER_LIST_SOURCE_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_ADD_NET_BUFFER_LIST_DESTINATION(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                               PNET_BUFFER_LIST NetBufferList,
                                                               PNDIS_SWITCH_PORT_DESTINATION Destination);
typedef NDIS_SWITCH_ADD_NET_BUFFER_LIST_DESTINATION *NDIS_SWITCH_ADD_NET_BUFFER_LIST_DESTINATION_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_GROW_NET_BUFFER_LIST_DESTINATIONS(
    NDIS_SWITCH_CONTEXT NdisSwitchContext, PNET_BUFFER_LIST NetBufferList, UINT32 NumberOfNewDestinations,
    PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY *Destinations);
typedef NDIS_SWITCH_GROW_NET_BUFFER_LIST_DESTINATIONS *NDIS_SWITCH_GROW_NET_BUFFER_LIST_DESTINATIONS_HANDLER;
typedef VOID NDIS_SWITCH_GET_NET_BUFFER_LIST_DESTINATIONS(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                          PNET_BUFFER_LIST NetBufferList,
                                                          PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY *Destinations);
typedef NDIS_SWITCH_GET_NET_BUFFER_LIST_DESTINATIONS *NDIS_SWITCH_GET_NET_BUFFER_LIST_DESTINATIONS_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_UPDATE_NET_BUFFER_LIST_DESTINATIONS(
    NDIS_SWITCH_CONTEXT NdisSwitchContext, PNET_BUFFER_LIST NetBufferList, UINT32 NumberOfNewDestinations,
    PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY Destinations);
typedef NDIS_SWITCH_UPDATE_NET_BUFFER_LIST_DESTINATIONS *NDIS_SWITCH_UPDATE_NET_BUFFER_LIST_DESTINATIONS_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_COPY_NET_BUFFER_LIST_INFO(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                          PNET_BUFFER_LIST DestNetBufferList,
                                                          PNET_BUFFER_LIST SrcNetBufferList, UINT32 Flags);
typedef NDIS_SWITCH_COPY_NET_BUFFER_LIST_INFO *NDIS_SWITCH_COPY_NET_BUFFER_LIST_INFO_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_REFERENCE_SWITCH_NIC(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                     NDIS_SWITCH_PORT_ID SwitchPortId,
                                                     NDIS_SWITCH_NIC_INDEX SwitchNicIndex);
typedef NDIS_SWITCH_REFERENCE_SWITCH_NIC *NDIS_SWITCH_REFERENCE_SWITCH_NIC_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_DEREFERENCE_SWITCH_NIC(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                       NDIS_SWITCH_PORT_ID SwitchPortId,
                                                       NDIS_SWITCH_NIC_INDEX SwitchNicIndex);
typedef NDIS_SWITCH_DEREFERENCE_SWITCH_NIC *NDIS_SWITCH_DEREFERENCE_SWITCH_NIC_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_REFERENCE_SWITCH_PORT(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                      NDIS_SWITCH_PORT_ID SwitchPortId);
typedef NDIS_SWITCH_REFERENCE_SWITCH_PORT *NDIS_SWITCH_REFERENCE_SWITCH_PORT_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_DEREFERENCE_SWITCH_PORT(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                        NDIS_SWITCH_PORT_ID SwitchPortId);
typedef NDIS_SWITCH_DEREFERENCE_SWITCH_PORT *NDIS_SWITCH_DEREFERENCE_SWITCH_PORT_HANDLER;
typedef VOID NDIS_SWITCH_REPORT_FILTERED_NET_BUFFER_LISTS(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                          PNDIS_STRING ExtensionGuid,
                                                          PNDIS_STRING ExtensionFriendlyName,
                                                          NDIS_SWITCH_PORT_ID PortId, ULONG Flags,
                                                          ULONG NumberOfNetBufferLists,
                                                          PNET_BUFFER_LIST NetBufferLists, PNDIS_STRING FilterReason);
typedef NDIS_SWITCH_REPORT_FILTERED_NET_BUFFER_LISTS *NDIS_SWITCH_REPORT_FILTERED_NET_BUFFER_LISTS_HANDLER;
typedef NDIS_STATUS NDIS_SWITCH_SET_NET_BUFFER_LIST_SWITCH_CONTEXT(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                                   PNET_BUFFER_LIST NetBufferList,
                                                                   PNDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE ContextType,
                                                                   PVOID Context);
typedef NDIS_SWITCH_SET_NET_BUFFER_LIST_SWITCH_CONTEXT *NDIS_SWITCH_SET_NET_BUFFER_LIST_SWITCH_CONTEXT_HANDLER;
typedef PVOID NDIS_SWITCH_GET_NET_BUFFER_LIST_SWITCH_CONTEXT(NDIS_SWITCH_CONTEXT NdisSwitchContext,
                                                             PNET_BUFFER_LIST NetBufferList,
                                                             PNDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE ContextType);
typedef NDIS_SWITCH_GET_NET_BUFFER_LIST_SWITCH_CONTEXT *NDIS_SWITCH_GET_NET_BUFFER_LIST_SWITCH_CONTEXT_HANDLER;

/* The 15 handlers in structure order (include/xsw/defs/switch_handlers.def). */
typedef struct _NDIS_SWITCH_OPTIONAL_HANDLERS {
    NDIS_OBJECT_HEADER Header;
    NDIS_SWITCH_ALLOCATE_NET_BUFFER_LIST_FORWARDING_CONTEXT_HANDLER AllocateNetBufferListForwardingContext;
    NDIS_SWITCH_FREE_NET_BUFFER_LIST_FORWARDING_CONTEXT_HANDLER FreeNetBufferListForwardingContext;
    NDIS_SWITCH_SET_NET_BUFFER_LIST_SOURCE_HANDLER SetNetBufferListSource;
    NDIS_SWITCH_ADD_NET_BUFFER_LIST_DESTINATION_HANDLER AddNetBufferListDestination;
    NDIS_SWITCH_GROW_NET_BUFFER_LIST_DESTINATIONS_HANDLER GrowNetBufferListDestinations;
    NDIS_SWITCH_GET_NET_BUFFER_LIST_DESTINATIONS_HANDLER GetNetBufferListDestinations;
    NDIS_SWITCH_UPDATE_NET_BUFFER_LIST_DESTINATIONS_HANDLER UpdateNetBufferListDestinations;
    NDIS_SWITCH_COPY_NET_BUFFER_LIST_INFO_HANDLER CopyNetBufferListInfo;
    NDIS_SWITCH_REFERENCE_SWITCH_NIC_HANDLER ReferenceSwitchNic;
    NDIS_SWITCH_DEREFERENCE_SWITCH_NIC_HANDLER DereferenceSwitchNic;
    NDIS_SWITCH_REFERENCE_SWITCH_PORT_HANDLER ReferenceSwitchPort;
    NDIS_SWITCH_DEREFERENCE_SWITCH_PORT_HANDLER DereferenceSwitchPort;
    NDIS_SWITCH_REPORT_FILTERED_NET_BUFFER_LISTS_HANDLER ReportFilteredNetBufferLists;
    NDIS_SWITCH_SET_NET_BUFFER_LIST_SWITCH_CONTEXT_HANDLER SetNetBufferListSwitchContext;
    NDIS_SWITCH_GET_NET_BUFFER_LIST_SWITCH_CONTEXT_HANDLER GetNetBufferListSwitchContext;
    PVOID SwitchPDReserved[14]; /* REVISION_2 (NDIS 6.50) */
} NDIS_SWITCH_OPTIONAL_HANDLERS, *PNDIS_SWITCH_OPTIONAL_HANDLERS;
#define NDIS_SWITCH_OPTIONAL_HANDLERS_REVISION_1 1
#define NDIS_SWITCH_OPTIONAL_HANDLERS_REVISION_2 2
#define NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_SWITCH_OPTIONAL_HANDLERS, ReportFilteredNetBufferLists)
#define NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_2 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_SWITCH_OPTIONAL_HANDLERS, SwitchPDReserved)

/* ---- NdisF* filter calls (implemented by the harness) -------------------- */
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisFRegisterFilterDriver(PDRIVER_OBJECT DriverObject,
                                                            NDIS_HANDLE FilterDriverContext,
                                                            PNDIS_FILTER_DRIVER_CHARACTERISTICS FilterDriverCharacteristics,
                                                            PNDIS_HANDLE NdisFilterDriverHandle);
NDIS_EXPORTED_ROUTINE VOID NdisFDeregisterFilterDriver(NDIS_HANDLE NdisFilterDriverHandle);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisFSetAttributes(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterModuleContext,
                                                     PNDIS_FILTER_ATTRIBUTES FilterAttributes);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisSetOptionalHandlers(NDIS_HANDLE NdisHandle,
                                                          PNDIS_DRIVER_OPTIONAL_HANDLERS OptionalHandlers);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisFRestartFilter(NDIS_HANDLE NdisFilterHandle);
NDIS_EXPORTED_ROUTINE VOID NdisFRestartComplete(NDIS_HANDLE NdisFilterHandle, NDIS_STATUS Status);
NDIS_EXPORTED_ROUTINE VOID NdisFPauseComplete(NDIS_HANDLE NdisFilterHandle);
NDIS_EXPORTED_ROUTINE VOID NdisFSendNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferList,
                                                   NDIS_PORT_NUMBER PortNumber, ULONG SendFlags);
NDIS_EXPORTED_ROUTINE VOID NdisFSendNetBufferListsComplete(NDIS_HANDLE NdisFilterHandle,
                                                           PNET_BUFFER_LIST NetBufferList, ULONG SendCompleteFlags);
NDIS_EXPORTED_ROUTINE VOID NdisFCancelSendNetBufferLists(NDIS_HANDLE NdisFilterHandle, PVOID CancelId);
NDIS_EXPORTED_ROUTINE VOID NdisFIndicateReceiveNetBufferLists(NDIS_HANDLE NdisFilterHandle,
                                                              PNET_BUFFER_LIST NetBufferLists,
                                                              NDIS_PORT_NUMBER PortNumber,
                                                              ULONG NumberOfNetBufferLists, ULONG ReceiveFlags);
NDIS_EXPORTED_ROUTINE VOID NdisFReturnNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferLists,
                                                     ULONG ReturnFlags);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisFOidRequest(NDIS_HANDLE NdisFilterHandle, PNDIS_OID_REQUEST OidRequest);
NDIS_EXPORTED_ROUTINE VOID NdisFOidRequestComplete(NDIS_HANDLE NdisFilterHandle, PNDIS_OID_REQUEST OidRequest,
                                                   NDIS_STATUS Status);
NDIS_EXPORTED_ROUTINE VOID NdisFCancelOidRequest(NDIS_HANDLE NdisFilterHandle, PVOID RequestId);
NDIS_EXPORTED_ROUTINE VOID NdisFIndicateStatus(NDIS_HANDLE NdisFilterHandle,
                                               PNDIS_STATUS_INDICATION StatusIndication);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisFNetPnPEvent(NDIS_HANDLE NdisFilterHandle,
                                                   PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisFGetOptionalSwitchHandlers(NDIS_HANDLE NdisFilterHandle,
                                                                 NDIS_SWITCH_CONTEXT *NdisSwitchContext,
                                                                 PNDIS_SWITCH_OPTIONAL_HANDLERS NdisSwitchHandlers);
NDIS_EXPORTED_ROUTINE NDIS_STATUS NdisAllocateCloneOidRequest(NDIS_HANDLE SourceHandle, PNDIS_OID_REQUEST OidRequest,
                                                              UINT PoolTag, PNDIS_OID_REQUEST *CloneOidRequest);
NDIS_EXPORTED_ROUTINE VOID NdisFreeCloneOidRequest(NDIS_HANDLE SourceHandle, PNDIS_OID_REQUEST Request);

#endif
