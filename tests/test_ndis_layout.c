/*
 * test_ndis_layout.c - the WDK-compatible NDIS headers have the Windows x64
 * layouts: every offset, size and NDIS_SIZEOF_* of the extensible-switch
 * structures in shared/reference/extensible-switch.md §3.1-3.13, the bit
 * positions of the forwarding detail and the port destination, the
 * NetBufferListInfo slots of §1.5, and the core NDIS/kernel structures whose
 * x64 layout is public (NBL/NB/MDL, NDIS_OID_REQUEST, DRIVER_OBJECT...).
 * It also cross-checks include/xsw/defs/ndis_consts.def, the offsets and
 * constants the checker uses, against the headers.
 */
#include <ndis.h>
#include <netiodef.h>

#include <stdio.h>
#include <string.h>

#include "unit.h"

XSW_SUITE(ndis_layout, NULL, NULL)

/* Fails with "file:line: what: expected E (0xE) vs actual A (0xA)". */
static void check_eq(const char *what, unsigned long long actual, unsigned long long expected, const char *file,
                     unsigned line)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s: expected %llu (0x%llx) vs actual %llu (0x%llx)", what, expected, expected, actual,
             actual);
    CU_assertImplementation(actual == expected ? CU_TRUE : CU_FALSE, line, msg, file, "", CU_FALSE);
}

#define EQ(what, actual, expected) check_eq(what, (unsigned long long)(actual), (unsigned long long)(expected), __FILE__, __LINE__)
#define OFF(T, f, v) EQ("offsetof(" #T ", " #f ")", offsetof(T, f), v)
#define SZ(T, v) EQ("sizeof(" #T ")", sizeof(T), v)

XSW_TEST(ndis_layout, base_types)
{
    SZ(WCHAR, 2);
    SZ(ULONG, 4);
    SZ(LONG, 4);
    SZ(USHORT, 2);
    SZ(BOOLEAN, 1);
    SZ(PVOID, 8);
    SZ(ULONG_PTR, 8);
    SZ(SIZE_T, 8);
    SZ(NDIS_STATUS, 4);
    SZ(NDIS_OID, 4);
    SZ(NDIS_SWITCH_PORT_ID, 4);
    SZ(NDIS_SWITCH_NIC_INDEX, 2);
    SZ(GUID, 16);
    OFF(GUID, Data4, 8);
    SZ(UNICODE_STRING, 16);
    OFF(UNICODE_STRING, Buffer, 8);
    SZ(LIST_ENTRY, 16);
    SZ(LARGE_INTEGER, 8);
    SZ(NDIS_OBJECT_HEADER, 4);
    OFF(NDIS_OBJECT_HEADER, Revision, 1);
    OFF(NDIS_OBJECT_HEADER, Size, 2);
    SZ(IF_COUNTED_STRING, 516);
    SZ(NDIS_SWITCH_NAME, 516);
    EQ("sizeof(u\"x\"[0])", sizeof(u"x"[0]), 2);
    SZ(SLIST_HEADER, 16);
    EQ("_Alignof(SLIST_HEADER)", _Alignof(SLIST_HEADER), 16);
    SZ(KEVENT, 24);
    SZ(NDIS_EVENT, 24);
    SZ(NDIS_SPIN_LOCK, 16);
    SZ(ETHERNET_HEADER, 14);
}

XSW_TEST(ndis_layout, status_and_oid_values)
{
    /* Spot checks that the X-macro tables reached the headers with Windows values. */
    EQ("NDIS_STATUS_SUCCESS", (uint32_t)NDIS_STATUS_SUCCESS, 0);
    EQ("NDIS_STATUS_PENDING", (uint32_t)NDIS_STATUS_PENDING, 0x103);
    EQ("NDIS_STATUS_FAILURE", (uint32_t)NDIS_STATUS_FAILURE, 0xC0000001u);
    EQ("NDIS_STATUS_INVALID_LENGTH", (uint32_t)NDIS_STATUS_INVALID_LENGTH, 0xC0010014u);
    EQ("NDIS_STATUS_SWITCH_NIC_STATUS", (uint32_t)NDIS_STATUS_SWITCH_NIC_STATUS, 0xC0241002u);
    CU_ASSERT(NDIS_STATUS_FAILURE < 0); /* signed like ((NDIS_STATUS)STATUS_UNSUCCESSFUL) */
    CU_ASSERT(!NT_SUCCESS(NDIS_STATUS_RESOURCES));
    CU_ASSERT(NT_SUCCESS(NDIS_STATUS_PENDING));
    EQ("STATUS_INSUFFICIENT_RESOURCES", (uint32_t)STATUS_INSUFFICIENT_RESOURCES, 0xC000009Au);
    EQ("OID_SWITCH_PARAMETERS", OID_SWITCH_PARAMETERS, 0x00010275);
    EQ("OID_SWITCH_NIC_REQUEST", OID_SWITCH_NIC_REQUEST, 0x00010270);
    EQ("OID_TCP_TASK_IPSEC_OFFLOAD_V2_ADD_SA", (NDIS_OID)OID_TCP_TASK_IPSEC_OFFLOAD_V2_ADD_SA, 0xFC030202u);
    NDIS_OID oid = 0xFC030202u;
    int hit = 0;
    switch (oid) {
    case OID_SWITCH_PARAMETERS:
        break;
    case OID_TCP_TASK_IPSEC_OFFLOAD_V2_ADD_SA:
        hit = 1;
        break;
    }
    CU_ASSERT(hit);
    EQ("NdisRequestMethod", NdisRequestMethod, 12);
    EQ("NetEventSwitchActivate", NetEventSwitchActivate, 17);
    EQ("NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS", NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS, 0xB8);
    EQ("NDIS_OBJECT_TYPE_OID_REQUEST", NDIS_OBJECT_TYPE_OID_REQUEST, 0x96);
    EQ("NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS", NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS, 0x99);
    EQ("NDIS_FILTER_MINOR_VERSION (no NDISxxx defined -> 6.40)", NDIS_FILTER_MINOR_VERSION, 40);
}

/* §1.5: NetBufferListInfo slots on x64. */
XSW_TEST(ndis_layout, net_buffer_list_info_slots)
{
    EQ("SwitchForwardingReserved", SwitchForwardingReserved, 18);
    EQ("SwitchForwardingDetail", SwitchForwardingDetail, 19);
    EQ("VirtualSubnetInfo", VirtualSubnetInfo, 20);
    EQ("Ieee8021QNetBufferListInfo", Ieee8021QNetBufferListInfo, 4);
    EQ("MaxNetBufferListInfo", MaxNetBufferListInfo, 27);
    NET_BUFFER_LIST nbl;
    memset(&nbl, 0, sizeof nbl);
    EQ("NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL - NBL", (uintptr_t)NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(&nbl) - (uintptr_t)&nbl,
       144 + 19 * 8);
}

/* Win10 x64 PDB layouts of NET_BUFFER / NET_BUFFER_LIST (ndis-surface.md §7, ntdiff). */
XSW_TEST(ndis_layout, nbl_nb_mdl)
{
    OFF(NET_BUFFER, Next, 0);
    OFF(NET_BUFFER, CurrentMdl, 8);
    OFF(NET_BUFFER, CurrentMdlOffset, 16);
    OFF(NET_BUFFER, DataLength, 24);
    OFF(NET_BUFFER, stDataLength, 24);
    OFF(NET_BUFFER, MdlChain, 32);
    OFF(NET_BUFFER, DataOffset, 40);
    OFF(NET_BUFFER, Link, 0);
    OFF(NET_BUFFER, ChecksumBias, 48);
    OFF(NET_BUFFER, Reserved, 50);
    OFF(NET_BUFFER, NdisPoolHandle, 56);
    OFF(NET_BUFFER, NdisReserved, 64);
    OFF(NET_BUFFER, ProtocolReserved, 80);
    OFF(NET_BUFFER, MiniportReserved, 128);
    OFF(NET_BUFFER, DataPhysicalAddress, 160);
    OFF(NET_BUFFER, SharedMemoryInfo, 168);
    SZ(NET_BUFFER, 176);

    OFF(NET_BUFFER_LIST, Next, 0);
    OFF(NET_BUFFER_LIST, FirstNetBuffer, 8);
    OFF(NET_BUFFER_LIST, Context, 16);
    OFF(NET_BUFFER_LIST, ParentNetBufferList, 24);
    OFF(NET_BUFFER_LIST, NdisPoolHandle, 32);
    OFF(NET_BUFFER_LIST, NdisReserved, 48);
    OFF(NET_BUFFER_LIST, ProtocolReserved, 64);
    OFF(NET_BUFFER_LIST, MiniportReserved, 96);
    OFF(NET_BUFFER_LIST, Scratch, 112);
    OFF(NET_BUFFER_LIST, SourceHandle, 120);
    OFF(NET_BUFFER_LIST, NblFlags, 128);
    OFF(NET_BUFFER_LIST, ChildRefCount, 132);
    OFF(NET_BUFFER_LIST, Flags, 136);
    OFF(NET_BUFFER_LIST, Status, 140);
    OFF(NET_BUFFER_LIST, NdisReserved2, 140);
    OFF(NET_BUFFER_LIST, NetBufferListInfo, 144);
    SZ(NET_BUFFER_LIST, 368); /* 144 + 27 slots, rounded to 16 */

    OFF(NET_BUFFER_LIST_CONTEXT, Size, 8);
    OFF(NET_BUFFER_LIST_CONTEXT, Offset, 10);
    OFF(NET_BUFFER_LIST_CONTEXT, ContextData, 16);
    SZ(NET_BUFFER_LIST_CONTEXT, 16);

    OFF(MDL, Next, 0);
    OFF(MDL, Size, 8);
    OFF(MDL, MdlFlags, 10);
    OFF(MDL, Process, 16);
    OFF(MDL, MappedSystemVa, 24);
    OFF(MDL, StartVa, 32);
    OFF(MDL, ByteCount, 40);
    OFF(MDL, ByteOffset, 44);
    SZ(MDL, 48);

    EQ("NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1", NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, 16);
    EQ("NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2", NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2, 20);
    EQ("NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1", NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1, 12);
    EQ("NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2", NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_2, 16);
}

/* NDIS_OID_REQUEST x64, derived from the ndis/oidrequest.h declaration. */
XSW_TEST(ndis_layout, oid_request)
{
    OFF(NDIS_OID_REQUEST, Header, 0);
    OFF(NDIS_OID_REQUEST, RequestType, 4);
    OFF(NDIS_OID_REQUEST, PortNumber, 8);
    OFF(NDIS_OID_REQUEST, Timeout, 12);
    OFF(NDIS_OID_REQUEST, RequestId, 16);
    OFF(NDIS_OID_REQUEST, RequestHandle, 24);
    OFF(NDIS_OID_REQUEST, DATA, 32);
    OFF(NDIS_OID_REQUEST, DATA.Oid, 32);
    OFF(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBuffer, 40);
    OFF(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBufferLength, 48);
    OFF(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.BytesWritten, 52);
    OFF(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.BytesNeeded, 56);
    OFF(NDIS_OID_REQUEST, DATA.SET_INFORMATION.BytesRead, 52);
    OFF(NDIS_OID_REQUEST, DATA.SET_INFORMATION.BytesNeeded, 56);
    OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.InputBufferLength, 48);
    OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.OutputBufferLength, 52);
    OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.MethodId, 56);
    OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesWritten, 60);
    OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesRead, 64);
    OFF(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesNeeded, 68);
    OFF(NDIS_OID_REQUEST, NdisReserved, 72);
    OFF(NDIS_OID_REQUEST, MiniportReserved, 200);
    OFF(NDIS_OID_REQUEST, SourceReserved, 216);
    EQ("sizeof SourceReserved", sizeof(((NDIS_OID_REQUEST *)0)->SourceReserved), 16);
    OFF(NDIS_OID_REQUEST, SupportedRevision, 232);
    OFF(NDIS_OID_REQUEST, Reserved2, 234);
    EQ("NDIS_SIZEOF_OID_REQUEST_REVISION_1", NDIS_SIZEOF_OID_REQUEST_REVISION_1, 236);
    OFF(NDIS_OID_REQUEST, SwitchId, 236);
    OFF(NDIS_OID_REQUEST, VPortId, 240);
    OFF(NDIS_OID_REQUEST, Flags, 244);
    EQ("NDIS_SIZEOF_OID_REQUEST_REVISION_2", NDIS_SIZEOF_OID_REQUEST_REVISION_2, 248);
    SZ(NDIS_OID_REQUEST, 248);
}

/* Filter-driver structures: the characteristics match the Win10 x64 PDB (ndis.sys). */
XSW_TEST(ndis_layout, filter_structures)
{
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, Flags, 8);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, FriendlyName, 16);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, UniqueName, 32);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, ServiceName, 48);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, SetOptionsHandler, 0x40);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, SetFilterModuleOptionsHandler, 0x48);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, AttachHandler, 0x50);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, DetachHandler, 0x58);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, RestartHandler, 0x60);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, PauseHandler, 0x68);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, SendNetBufferListsHandler, 0x70);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, SendNetBufferListsCompleteHandler, 0x78);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, CancelSendNetBufferListsHandler, 0x80);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, ReceiveNetBufferListsHandler, 0x88);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, ReturnNetBufferListsHandler, 0x90);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, OidRequestHandler, 0x98);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, OidRequestCompleteHandler, 0xa0);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, CancelOidRequestHandler, 0xa8);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, DevicePnPEventNotifyHandler, 0xb0);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, NetPnPEventHandler, 0xb8);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, StatusHandler, 0xc0);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, DirectOidRequestHandler, 0xc8);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, DirectOidRequestCompleteHandler, 0xd0);
    OFF(NDIS_FILTER_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler, 0xd8);
    EQ("NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1", NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1, 0xc8);
    EQ("NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2", NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2, 0xe0);

    OFF(NDIS_FILTER_ATTACH_PARAMETERS, NetLuid, 8);
    OFF(NDIS_FILTER_ATTACH_PARAMETERS, FilterModuleGuidName, 16);
    OFF(NDIS_FILTER_ATTACH_PARAMETERS, MiniportMediaType, 72);
    OFF(NDIS_FILTER_ATTACH_PARAMETERS, CurrentMacAddress, 98);
    OFF(NDIS_FILTER_ATTACH_PARAMETERS, BaseMiniportNetLuid, 136);
    OFF(NDIS_FILTER_ATTACH_PARAMETERS, Flags, 160);
    OFF(NDIS_FILTER_ATTACH_PARAMETERS, NicSwitchArray, 216);

    SZ(NDIS_FILTER_ATTRIBUTES, 8);
    EQ("NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1", NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1, 8);
    OFF(NDIS_FILTER_PAUSE_PARAMETERS, PauseReason, 8);
    OFF(NDIS_FILTER_RESTART_PARAMETERS, RestartAttributes, 16);

    OFF(NDIS_STATUS_INDICATION, SourceHandle, 8);
    OFF(NDIS_STATUS_INDICATION, PortNumber, 16);
    OFF(NDIS_STATUS_INDICATION, StatusCode, 20);
    OFF(NDIS_STATUS_INDICATION, Flags, 24);
    OFF(NDIS_STATUS_INDICATION, DestinationHandle, 32);
    OFF(NDIS_STATUS_INDICATION, RequestId, 40);
    OFF(NDIS_STATUS_INDICATION, StatusBuffer, 48);
    OFF(NDIS_STATUS_INDICATION, StatusBufferSize, 56);
    OFF(NDIS_STATUS_INDICATION, Guid, 60);
    OFF(NDIS_STATUS_INDICATION, NdisReserved, 80);
    EQ("NDIS_SIZEOF_STATUS_INDICATION_REVISION_1", NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, 112);

    OFF(NET_PNP_EVENT, Buffer, 8);
    OFF(NET_PNP_EVENT, BufferLength, 16);
    SZ(NET_PNP_EVENT, 152);
    OFF(NET_PNP_EVENT_NOTIFICATION, PortNumber, 4);
    OFF(NET_PNP_EVENT_NOTIFICATION, NetPnPEvent, 8);
    OFF(NET_PNP_EVENT_NOTIFICATION, NetPnPEvent.NetEvent, 8);
    EQ("NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1", NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1, 160);

    OFF(DRIVER_OBJECT, DeviceObject, 8);
    OFF(DRIVER_OBJECT, DriverName, 56);
    OFF(DRIVER_OBJECT, DriverUnload, 0x68);
    OFF(DRIVER_OBJECT, MajorFunction, 0x70);
    SZ(DRIVER_OBJECT, 0x150);
}

/* §3.1 - §3.3 */
XSW_TEST(ndis_layout, switch_parameters_ports)
{
    OFF(NDIS_SWITCH_PARAMETERS, Header, 0);
    OFF(NDIS_SWITCH_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PARAMETERS, SwitchName, 8);
    OFF(NDIS_SWITCH_PARAMETERS, SwitchFriendlyName, 524);
    OFF(NDIS_SWITCH_PARAMETERS, NumSwitchPorts, 1040);
    OFF(NDIS_SWITCH_PARAMETERS, IsActive, 1044);
    SZ(NDIS_SWITCH_PARAMETERS, 1048);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PARAMETERS_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_PARAMETERS_REVISION_1, 1045);

    OFF(NDIS_SWITCH_PORT_PARAMETERS, Header, 0);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, PortId, 8);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, PortName, 12);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, PortFriendlyName, 528);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, PortType, 1044);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, IsValidationPort, 1048);
    OFF(NDIS_SWITCH_PORT_PARAMETERS, PortState, 1052);
    SZ(NDIS_SWITCH_PORT_PARAMETERS, 1056);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1, 1056);

    OFF(NDIS_SWITCH_PORT_ARRAY, Header, 0);
    OFF(NDIS_SWITCH_PORT_ARRAY, Flags, 4);
    OFF(NDIS_SWITCH_PORT_ARRAY, FirstElementOffset, 8);
    OFF(NDIS_SWITCH_PORT_ARRAY, NumElements, 12);
    OFF(NDIS_SWITCH_PORT_ARRAY, ElementSize, 16);
    SZ(NDIS_SWITCH_PORT_ARRAY, 20);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_ARRAY_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_PORT_ARRAY_REVISION_1, 20);
    OFF(NDIS_SWITCH_NIC_ARRAY, Header, 0);
    OFF(NDIS_SWITCH_NIC_ARRAY, Flags, 4);
    OFF(NDIS_SWITCH_NIC_ARRAY, FirstElementOffset, 8);
    OFF(NDIS_SWITCH_NIC_ARRAY, NumElements, 12);
    OFF(NDIS_SWITCH_NIC_ARRAY, ElementSize, 16);
    SZ(NDIS_SWITCH_NIC_ARRAY, 20);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_NIC_ARRAY_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_NIC_ARRAY_REVISION_1, 20);

    /* The element macros: array + FirstElementOffset + ElementSize * index. */
    struct {
        NDIS_SWITCH_NIC_ARRAY a;
        NDIS_SWITCH_NIC_PARAMETERS e[2];
    } buf;
    buf.a.FirstElementOffset = (USHORT)offsetof(__typeof__(buf), e);
    buf.a.ElementSize = sizeof(NDIS_SWITCH_NIC_PARAMETERS);
    CU_ASSERT_PTR_EQUAL(NDIS_SWITCH_NIC_AT_ARRAY_INDEX(&buf.a, 1), &buf.e[1]);
    CU_ASSERT_PTR_EQUAL((void *)NDIS_SWITCH_PORT_AT_ARRAY_INDEX((PNDIS_SWITCH_PORT_ARRAY)&buf.a, 1),
                        (PUCHAR)&buf + buf.a.FirstElementOffset + buf.a.ElementSize);
}

/* §3.4 */
XSW_TEST(ndis_layout, switch_nic_parameters)
{
    OFF(NDIS_SWITCH_NIC_PARAMETERS, Header, 0);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NicName, 8);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NicFriendlyName, 524);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, PortId, 1040);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NicIndex, 1044);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NicType, 1048);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NicState, 1052);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, VmName, 1056);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, VmFriendlyName, 1572);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NetCfgInstanceId, 2088);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, MTU, 2104);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NumaNodeId, 2108);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, PermanentMacAddress, 2110);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, VMMacAddress, 2142);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, CurrentMacAddress, 2174);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, VFAssigned, 2206);
    OFF(NDIS_SWITCH_NIC_PARAMETERS, NdisReserved, 2208);
    SZ(NDIS_SWITCH_NIC_PARAMETERS, 2224);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_1, 2207);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_2", NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_2, 2224);
}

/* §3.5, §3.6 */
XSW_TEST(ndis_layout, switch_nic_request_and_save_state)
{
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, Header, 0);
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, Flags, 4);
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, SourcePortId, 8);
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, SourceNicIndex, 12);
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, DestinationPortId, 16);
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, DestinationNicIndex, 20);
    OFF(NDIS_SWITCH_NIC_OID_REQUEST, OidRequest, 24);
    SZ(NDIS_SWITCH_NIC_OID_REQUEST, 32);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1, 32);

    OFF(NDIS_SWITCH_NIC_SAVE_STATE, Header, 0);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, Flags, 4);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, PortId, 8);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, NicIndex, 12);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, ExtensionId, 16);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, ExtensionFriendlyName, 32);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, FeatureClassId, 548);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, SaveDataSize, 564);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, SaveDataOffset, 566);
    OFF(NDIS_SWITCH_NIC_SAVE_STATE, SaveDataSizeOverflow, 568);
    SZ(NDIS_SWITCH_NIC_SAVE_STATE, 572);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1, 568);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_2", NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_2, 572);
}

/* §3.7 port properties */
XSW_TEST(ndis_layout, switch_port_properties)
{
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PortId, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyType, 12);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyId, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyVersion, 32);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, SerializationVersion, 34);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyInstanceId, 36);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyBufferLength, 52);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyBufferOffset, 56);
    OFF(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, Reserved, 60);
    SZ(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, 64);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1, 64);

    OFF(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, PortId, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, PropertyType, 12);
    OFF(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, PropertyId, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, PropertyInstanceId, 32);
    SZ(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, 48);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1, 48);

    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, PortId, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, PropertyType, 12);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, PropertyId, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, SerializationVersion, 32);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, FirstPropertyOffset, 36);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, NumProperties, 40);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, Reserved, 44);
    SZ(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS, 48);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS_REVISION_1, 46);

    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, Flags, 4);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, PropertyVersion, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, PropertyInstanceId, 12);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, QwordAlignedPropertyBufferLength, 28);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, PropertyBufferLength, 32);
    OFF(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, PropertyBufferOffset, 36);
    SZ(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO, 40);

    OFF(NDIS_SWITCH_PORT_PROPERTY_CUSTOM, Flags, 4);
    OFF(NDIS_SWITCH_PORT_PROPERTY_CUSTOM, PropertyBufferLength, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_CUSTOM, PropertyBufferOffset, 12);
    SZ(NDIS_SWITCH_PORT_PROPERTY_CUSTOM, 16);

    OFF(NDIS_SWITCH_PORT_PROPERTY_SECURITY, AllowMacSpoofing, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_SECURITY, AllowIeeePriorityTag, 9);
    OFF(NDIS_SWITCH_PORT_PROPERTY_SECURITY, VirtualSubnetId, 12);
    OFF(NDIS_SWITCH_PORT_PROPERTY_SECURITY, AllowTeaming, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_SECURITY, DynamicIPAddressLimit, 20);
    SZ(NDIS_SWITCH_PORT_PROPERTY_SECURITY, 24);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_SECURITY_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_SECURITY_REVISION_1, 17);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_SECURITY_REVISION_2",
       NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_SECURITY_REVISION_2, 24);

    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, OperationMode, 8);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, VlanProperties, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, VlanProperties.AccessVlanId, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, VlanProperties.NativeVlanId, 18);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, VlanProperties.PruneVlanIdArray, 24);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, VlanProperties.TrunkVlanIdArray, 536);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, PvlanProperties.PvlanMode, 16);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, PvlanProperties.PrimaryVlanId, 20);
    OFF(NDIS_SWITCH_PORT_PROPERTY_VLAN, PvlanProperties.SecondaryVlanId, 24);
    SZ(NDIS_SWITCH_PORT_PROPERTY_VLAN, 1048);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1,
       1048);
}

/* §3.7 switch properties and feature status */
XSW_TEST(ndis_layout, switch_properties_and_feature_status)
{
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyType, 8);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyId, 12);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyVersion, 28);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, SerializationVersion, 30);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyInstanceId, 32);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyBufferLength, 48);
    OFF(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyBufferOffset, 52);
    SZ(NDIS_SWITCH_PROPERTY_PARAMETERS, 56);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PROPERTY_PARAMETERS_REVISION_1", NDIS_SIZEOF_NDIS_SWITCH_PROPERTY_PARAMETERS_REVISION_1,
       56);

    OFF(NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS, PropertyType, 8);
    OFF(NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS, PropertyId, 12);
    OFF(NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS, PropertyInstanceId, 28);
    SZ(NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS, 44);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS_REVISION_1, 44);

    OFF(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, PropertyType, 8);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, PropertyId, 12);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, SerializationVersion, 28);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, FirstPropertyOffset, 32);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, NumProperties, 36);
    SZ(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS, 40);

    OFF(NDIS_SWITCH_PROPERTY_ENUM_INFO, Flags, 4);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_INFO, PropertyInstanceId, 8);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_INFO, PropertyVersion, 24);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_INFO, QwordAlignedPropertyBufferLength, 28);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_INFO, PropertyBufferLength, 32);
    OFF(NDIS_SWITCH_PROPERTY_ENUM_INFO, PropertyBufferOffset, 36);
    SZ(NDIS_SWITCH_PROPERTY_ENUM_INFO, 40);

    OFF(NDIS_SWITCH_PROPERTY_CUSTOM, Flags, 4);
    OFF(NDIS_SWITCH_PROPERTY_CUSTOM, PropertyBufferLength, 8);
    OFF(NDIS_SWITCH_PROPERTY_CUSTOM, PropertyBufferOffset, 12);
    SZ(NDIS_SWITCH_PROPERTY_CUSTOM, 16);

    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, PortId, 8);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, FeatureStatusType, 12);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, FeatureStatusId, 16);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, FeatureStatusVersion, 32);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, SerializationVersion, 34);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, FeatureStatusInstanceId, 36);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, FeatureStatusBufferLength, 52);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, FeatureStatusBufferOffset, 56);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, Reserved, 60);
    SZ(NDIS_SWITCH_PORT_FEATURE_STATUS_PARAMETERS, 64);

    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, Flags, 4);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, FeatureStatusType, 8);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, FeatureStatusId, 12);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, FeatureStatusInstanceId, 28);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, FeatureStatusVersion, 44);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, SerializationVersion, 46);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, FeatureStatusBufferOffset, 48);
    OFF(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, FeatureStatusBufferLength, 52);
    SZ(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS, 56);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_FEATURE_STATUS_PARAMETERS_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_FEATURE_STATUS_PARAMETERS_REVISION_1, 56);

    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_CUSTOM, FeatureStatusBufferLength, 8);
    OFF(NDIS_SWITCH_PORT_FEATURE_STATUS_CUSTOM, FeatureStatusBufferOffset, 12);
    SZ(NDIS_SWITCH_PORT_FEATURE_STATUS_CUSTOM, 16);
    OFF(NDIS_SWITCH_FEATURE_STATUS_CUSTOM, FeatureStatusCustomBufferLength, 8);
    OFF(NDIS_SWITCH_FEATURE_STATUS_CUSTOM, FeatureStatusCustomBufferOffset, 12);
    SZ(NDIS_SWITCH_FEATURE_STATUS_CUSTOM, 16);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_FEATURE_STATUS_CUSTOM_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_FEATURE_STATUS_CUSTOM_REVISION_1, 16);

    /* The header's own C_ASSERT(sizeof % 8 == 0) holds for the property/feature structures. */
    CU_ASSERT(sizeof(NDIS_SWITCH_PROPERTY_PARAMETERS) % 8 == 0);
    CU_ASSERT(sizeof(NDIS_SWITCH_PROPERTY_ENUM_INFO) % 8 == 0);
    CU_ASSERT(sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO) % 8 == 0);
    CU_ASSERT(sizeof(NDIS_SWITCH_FEATURE_STATUS_PARAMETERS) % 8 == 0);

    /* Enumerations of §3.7-3.8, including the PORT_TYPE/NIC_TYPE off-by-one. */
    EQ("NdisSwitchPortTypeExternal", NdisSwitchPortTypeExternal, 1);
    EQ("NdisSwitchNicTypeExternal", NdisSwitchNicTypeExternal, 0);
    EQ("NdisSwitchPortTypeInternal", NdisSwitchPortTypeInternal, 4);
    EQ("NdisSwitchNicTypeInternal", NdisSwitchNicTypeInternal, 3);
    EQ("NdisSwitchNicStateConnected", NdisSwitchNicStateConnected, 2);
    EQ("NdisSwitchPortStateDeleted", NdisSwitchPortStateDeleted, 3);
    EQ("NdisSwitchPortPropertyTypeRoutingDomain", NdisSwitchPortPropertyTypeRoutingDomain, 6);
    EQ("NdisSwitchPortVlanModePrivate", NdisSwitchPortVlanModePrivate, 3);
    EQ("NDIS_SWITCH_CREATE_PROPERTY_VERSION(1, 0)", NDIS_SWITCH_CREATE_PROPERTY_VERSION(1, 0), 0x100);
}

/* §3.9: bit positions through AsUINT64. */
XSW_TEST(ndis_layout, forwarding_detail_bits)
{
    SZ(NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO, 8);
    NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO d;
    volatile uint32_t ones = 0xFFFFFFFFu; /* truncated by each bit-field to its width */
#define FIELD_MASK(field, expected)                                                   \
    do {                                                                              \
        d.AsUINT64 = 0;                                                               \
        d.field = ones;                                                               \
        EQ("AsUINT64 mask of " #field, d.AsUINT64, expected);                         \
    } while (0)
    FIELD_MASK(NumAvailableDestinations, 0x000000000000FFFFULL);
    FIELD_MASK(SourcePortId, 0x00000000FFFF0000ULL);
    FIELD_MASK(SourceNicIndex, 0x000000FF00000000ULL);
    FIELD_MASK(NativeForwardingRequired, 0x0000010000000000ULL);
    FIELD_MASK(Reserved1, 0x0000020000000000ULL);
    FIELD_MASK(IsPacketDataSafe, 0x0000040000000000ULL);
    FIELD_MASK(SafePacketDataSize, 0x007FF80000000000ULL);
    FIELD_MASK(IsPacketDataUncached, 0x0080000000000000ULL);
    FIELD_MASK(IsSafePacketDataUncached, 0x0100000000000000ULL);
    FIELD_MASK(Reserved2, 0xFE00000000000000ULL);
#undef FIELD_MASK
    /* The example of ndis-surface.md §4: SourcePortId 0x1234, SourceNicIndex 5. */
    d.AsUINT64 = 0;
    d.SourcePortId = 0x1234;
    d.SourceNicIndex = 5;
    EQ("AsUINT64 for port 0x1234 / NIC 5", d.AsUINT64, 0x0000000512340000ULL);
}

/* §3.10 - §3.12 */
XSW_TEST(ndis_layout, destinations_and_nic_status)
{
    OFF(NDIS_SWITCH_PORT_DESTINATION, PortId, 0);
    OFF(NDIS_SWITCH_PORT_DESTINATION, NicIndex, 4);
    SZ(NDIS_SWITCH_PORT_DESTINATION, 8);
    NDIS_SWITCH_PORT_DESTINATION pd;
    uint16_t word;
#define DEST_BIT(field, expected)                                                     \
    do {                                                                              \
        memset(&pd, 0, sizeof pd);                                                    \
        pd.field = 1;                                                                 \
        memcpy(&word, (const uint8_t *)&pd + 6, 2);                                   \
        EQ("bits at offset 6 for " #field, word, expected);                           \
    } while (0)
    DEST_BIT(IsExcluded, 0x0001);
    DEST_BIT(PreserveVLAN, 0x0002);
    DEST_BIT(PreservePriority, 0x0004);
#undef DEST_BIT
    memset(&pd, 0, sizeof pd);
    pd.Reserved = 0x1FFF;
    memcpy(&word, (const uint8_t *)&pd + 6, 2);
    EQ("bits at offset 6 for Reserved", word, 0xFFF8);

    OFF(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, Header, 0);
    OFF(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, ElementSize, 4);
    OFF(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, NumElements, 8);
    OFF(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, NumDestinations, 12);
    OFF(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, FirstElement, 16);
    SZ(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, 24);
    EQ("NDIS_SIZEOF_NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY_REVISION_1",
       NDIS_SIZEOF_NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY_REVISION_1, 24);
    NDIS_SWITCH_PORT_DESTINATION elems[3];
    NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY arr = { { 0, 0, 0 }, sizeof elems[0], 3, 1, elems };
    CU_ASSERT_PTR_EQUAL(NDIS_SWITCH_PORT_DESTINATION_AT_ARRAY_INDEX(&arr, 2), &elems[2]);

    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, Header, 0);
    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, Flags, 4);
    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, SourcePortId, 8);
    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, SourceNicIndex, 12);
    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, DestinationPortId, 16);
    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, DestinationNicIndex, 20);
    OFF(NDIS_SWITCH_NIC_STATUS_INDICATION, StatusIndication, 24);
    SZ(NDIS_SWITCH_NIC_STATUS_INDICATION, 32);
    EQ("NDIS_SIZEOF_SWITCH_NIC_STATUS_REVISION_1", NDIS_SIZEOF_SWITCH_NIC_STATUS_REVISION_1, 32);
}

/* §3.13 */
XSW_TEST(ndis_layout, optional_handlers)
{
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, Header, 0);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, AllocateNetBufferListForwardingContext, 8);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, FreeNetBufferListForwardingContext, 16);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, SetNetBufferListSource, 24);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, AddNetBufferListDestination, 32);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, GrowNetBufferListDestinations, 40);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, GetNetBufferListDestinations, 48);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, UpdateNetBufferListDestinations, 56);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, CopyNetBufferListInfo, 64);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, ReferenceSwitchNic, 72);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, DereferenceSwitchNic, 80);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, ReferenceSwitchPort, 88);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, DereferenceSwitchPort, 96);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, ReportFilteredNetBufferLists, 104);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, SetNetBufferListSwitchContext, 112);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, GetNetBufferListSwitchContext, 120);
    OFF(NDIS_SWITCH_OPTIONAL_HANDLERS, SwitchPDReserved, 128);
    SZ(NDIS_SWITCH_OPTIONAL_HANDLERS, 240);
    EQ("NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1", NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1, 112);
    EQ("NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_2", NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_2, 240);

    /* The member order is the order of switch_handlers.def (ids 1..15). */
    static const size_t offs[] = {
#define XSW_HANDLER(name, id) offsetof(NDIS_SWITCH_OPTIONAL_HANDLERS, name),
#include "xsw/defs/switch_handlers.def"
#undef XSW_HANDLER
    };
    EQ("handlers in switch_handlers.def", sizeof offs / sizeof offs[0], 15);
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
        EQ("offset of switch_handlers.def entry", offs[i], 8 + 8 * i);

    SZ(NDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO, 24);
}

/* ---- Cross-check of include/xsw/defs/ndis_consts.def ---------------------- */

struct named {
    const char *name;
    long long value;
};

/* Header constants by name; every non-offset entry of the .def must be here. */
static const struct named header_consts[] = {
#define H(x) { #x, (long long)(x) }
    H(NdisRequestQueryInformation),
    H(NdisRequestSetInformation),
    H(NdisRequestQueryStatistics),
    H(NdisRequestMethod),
    H(NetEventSwitchActivate),
    H(NDIS_SEND_FLAGS_DISPATCH_LEVEL),
    H(NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP),
    H(NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE),
    H(NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE),
    H(NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL),
    H(NDIS_RECEIVE_FLAGS_RESOURCES),
    H(NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP),
    H(NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE),
    H(NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE),
    H(NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING),
    H(NDIS_SWITCH_COPY_NBL_INFO_FLAGS_PRESERVE_DESTINATIONS),
    H(NDIS_SWITCH_DEFAULT_PORT_ID),
    H(NDIS_SWITCH_DEFAULT_NIC_INDEX),
    H(NdisSwitchPortPropertyTypeUndefined),
    H(NdisSwitchPortPropertyTypeCustom),
    H(NdisSwitchPortPropertyTypeSecurity),
    H(NdisSwitchPortPropertyTypeVlan),
    H(NdisSwitchPortPropertyTypeProfile),
    H(NDIS_SWITCH_NIC_FLAGS_NIC_INITIALIZING),
    H(NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1),
#undef H
};

/* Offsets by "<STRUCT>_OFF_<Field>" name. */
static const struct named header_offsets[] = {
#define O(T, f) { #T "_OFF_" #f, (long long)offsetof(T, f) }
    O(NDIS_SWITCH_PARAMETERS, IsActive),
    O(NDIS_SWITCH_PARAMETERS, NumSwitchPorts),
    O(NDIS_SWITCH_PORT_PARAMETERS, PortId),
    O(NDIS_SWITCH_PORT_PARAMETERS, PortType),
    O(NDIS_SWITCH_PORT_PARAMETERS, IsValidationPort),
    O(NDIS_SWITCH_PORT_PARAMETERS, PortState),
    O(NDIS_SWITCH_NIC_PARAMETERS, Flags),
    O(NDIS_SWITCH_NIC_PARAMETERS, PortId),
    O(NDIS_SWITCH_NIC_PARAMETERS, NicIndex),
    O(NDIS_SWITCH_NIC_PARAMETERS, NicType),
    O(NDIS_SWITCH_NIC_PARAMETERS, NicState),
    O(NDIS_SWITCH_NIC_PARAMETERS, MTU),
    O(NDIS_SWITCH_NIC_PARAMETERS, PermanentMacAddress),
    O(NDIS_SWITCH_NIC_PARAMETERS, CurrentMacAddress),
    O(NDIS_SWITCH_NIC_PARAMETERS, VFAssigned),
    O(NDIS_SWITCH_NIC_OID_REQUEST, SourcePortId),
    O(NDIS_SWITCH_NIC_OID_REQUEST, SourceNicIndex),
    O(NDIS_SWITCH_NIC_OID_REQUEST, DestinationPortId),
    O(NDIS_SWITCH_NIC_OID_REQUEST, DestinationNicIndex),
    O(NDIS_SWITCH_NIC_OID_REQUEST, OidRequest),
    O(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PortId),
    O(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyType),
    O(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyId),
    O(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyBufferLength),
    O(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, PropertyBufferOffset),
    O(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, PortId),
    O(NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS, PropertyType),
    O(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyType),
    O(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyBufferLength),
    O(NDIS_SWITCH_PROPERTY_PARAMETERS, PropertyBufferOffset),
    O(NDIS_SWITCH_NIC_SAVE_STATE, PortId),
    O(NDIS_SWITCH_NIC_SAVE_STATE, NicIndex),
    O(NDIS_SWITCH_NIC_SAVE_STATE, ExtensionId),
    O(NDIS_SWITCH_NIC_SAVE_STATE, SaveDataSize),
    O(NDIS_SWITCH_NIC_SAVE_STATE, SaveDataOffset),
    O(NDIS_SWITCH_NIC_STATUS_INDICATION, SourcePortId),
    O(NDIS_SWITCH_NIC_STATUS_INDICATION, SourceNicIndex),
    O(NDIS_SWITCH_NIC_STATUS_INDICATION, DestinationPortId),
    O(NDIS_SWITCH_NIC_STATUS_INDICATION, DestinationNicIndex),
    O(NDIS_SWITCH_NIC_STATUS_INDICATION, StatusIndication),
    O(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, NumElements),
    O(NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY, NumDestinations),
    O(NDIS_OID_REQUEST, RequestType),
    O(NDIS_OID_REQUEST, DATA),
    O(NDIS_STATUS_INDICATION, StatusCode),
    O(NDIS_STATUS_INDICATION, StatusBuffer),
    O(NDIS_STATUS_INDICATION, StatusBufferSize),
    /* PORT_ARRAY and NIC_ARRAY share one layout (extensible-switch.md §3.3). */
    {"NDIS_SWITCH_ARRAY_OFF_FirstElementOffset", (long long)offsetof(NDIS_SWITCH_NIC_ARRAY, FirstElementOffset)},
    {"NDIS_SWITCH_ARRAY_OFF_NumElements", (long long)offsetof(NDIS_SWITCH_NIC_ARRAY, NumElements)},
    {"NDIS_SWITCH_ARRAY_OFF_ElementSize", (long long)offsetof(NDIS_SWITCH_PORT_ARRAY, ElementSize)},
#undef O
};

static const struct named *find_named(const struct named *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

/* Values the .def states in terms of trace encodings, computed from the headers. */
static long long derived_const(const char *name, int *found)
{
    NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO d;
    NDIS_SWITCH_PORT_DESTINATION pd;
    uint16_t word;
    *found = 1;
    d.AsUINT64 = 0;
    memset(&pd, 0, sizeof pd);
    if (strcmp(name, "NDIS_SWITCH_FWD_NATIVE_FORWARDING_REQUIRED") == 0) {
        d.NativeForwardingRequired = 1;
        return (long long)d.AsUINT64;
    }
    if (strcmp(name, "NDIS_SWITCH_FWD_IS_PACKET_DATA_SAFE") == 0) {
        d.IsPacketDataSafe = 1;
        return (long long)d.AsUINT64;
    }
    if (strcmp(name, "NDIS_SWITCH_DEST_IS_EXCLUDED") == 0)
        pd.IsExcluded = 1;
    else if (strcmp(name, "NDIS_SWITCH_DEST_PRESERVE_VLAN") == 0)
        pd.PreserveVLAN = 1;
    else if (strcmp(name, "NDIS_SWITCH_DEST_PRESERVE_PRIORITY") == 0)
        pd.PreservePriority = 1;
    else {
        *found = 0;
        return 0;
    }
    memcpy(&word, (const uint8_t *)&pd + 6, 2);
    return word;
}

XSW_TEST(ndis_layout, ndis_consts_def_matches_headers)
{
    static const struct named def[] = {
#define XSW_CONST(name, value) { #name, (long long)(value) },
#include "xsw/defs/ndis_consts.def"
#undef XSW_CONST
    };
    for (size_t i = 0; i < sizeof def / sizeof def[0]; i++) {
        const struct named *h = find_named(header_consts, sizeof header_consts / sizeof header_consts[0], def[i].name);
        if (!h)
            h = find_named(header_offsets, sizeof header_offsets / sizeof header_offsets[0], def[i].name);
        char what[160];
        if (h) {
            snprintf(what, sizeof what, "ndis_consts.def %s vs ndis.h", def[i].name);
            EQ(what, def[i].value, h->value);
            continue;
        }
        int found;
        long long v = derived_const(def[i].name, &found);
        snprintf(what, sizeof what, "ndis_consts.def %s has a counterpart in the NDIS headers", def[i].name);
        CU_assertImplementation(found ? CU_TRUE : CU_FALSE, __LINE__, what, __FILE__, "", CU_FALSE);
        if (found) {
            snprintf(what, sizeof what, "ndis_consts.def %s vs the header bit-fields", def[i].name);
            EQ(what, def[i].value, v);
        }
    }
}
