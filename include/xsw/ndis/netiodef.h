/*
 * netiodef.h - link-layer definitions of the WDK's netiodef.h that extension
 * code uses: Ethernet and 802.1Q headers and EtherType values.
 *
 * Normative: learn.microsoft.com netiodef.h / IEEE 802.3 and 802.1Q. Multi-byte
 * header fields are in network byte order, as on the wire; use
 * RtlUshortByteSwap to read them.
 */
#ifndef XSW_NDIS_NETIODEF_H
#define XSW_NDIS_NETIODEF_H

#include "ntdef.h"

#define DL_ADDRESS_LENGTH_MAXIMUM 32
#define ETH_LENGTH_OF_HEADER 14
#define ETH_LENGTH_OF_VLAN_HEADER 4
#define ETH_LENGTH_OF_SNAP_HEADER 8

#define ETHERNET_TYPE_MINIMUM 0x0600
#define ETHERNET_TYPE_IPV4 0x0800
#define ETHERNET_TYPE_ARP 0x0806
#define ETHERNET_TYPE_IPV6 0x86dd
#define ETHERNET_TYPE_802_1Q 0x8100
#define ETHERNET_TYPE_802_1AD 0x88a8

typedef union _DL_EUI48 {
    UCHAR Byte[6];
    struct {
        UCHAR Oui[3];
        UCHAR Ei[3];
    };
} DL_EUI48, *PDL_EUI48;
_Static_assert(sizeof(DL_EUI48) == 6, "DL_EUI48 is 6 bytes");

typedef struct _ETHERNET_HEADER {
    DL_EUI48 Destination;
    DL_EUI48 Source;
    union {
        USHORT Type;   /* network byte order */
        USHORT Length; /* network byte order */
    };
} ETHERNET_HEADER, *PETHERNET_HEADER;
_Static_assert(sizeof(ETHERNET_HEADER) == ETH_LENGTH_OF_HEADER, "ETHERNET_HEADER is 14 bytes");

typedef struct _VLAN_TAG {
    union {
        USHORT Tag; /* network byte order: PCP (3) DEI (1) VID (12) */
        struct {
            USHORT VID : 12;
            USHORT CFI : 1;
            USHORT User_Priority : 3;
        };
    };
    USHORT Type; /* network byte order */
} VLAN_TAG, *PVLAN_TAG;
_Static_assert(sizeof(VLAN_TAG) == ETH_LENGTH_OF_VLAN_HEADER, "VLAN_TAG is 4 bytes");

#endif
