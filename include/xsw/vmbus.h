/*
 * vmbus.h - the synthetic data path of a Hyper-V VM NIC: bounds-checked
 * decoders for VMBus packets, NVSP messages, RNDIS messages and per-packet
 * info, and a model of both ends of a NetVSC (guest) <-> NetVSP (host)
 * channel that exchanges real packet bytes.
 *
 * Normative reference: ../shared/reference/vmbus-nvsp-rndis.md (VMBus §1,
 * NVSP §2, RNDIS §3); the guest follows Linux drivers/net/hyperv (netvsc.c,
 * rndis_filter.c, netvsc_drv.c), the host side follows what those drivers
 * and OpenVMM's netvsp expect. Constants come from include/xsw/defs/
 * (vmbus_pkt_types.def, nvsp_types.def, nvsp_status.def, nvsp_versions.def,
 * rndis_msg.def, ppi_types.def, netvsc_consts.def, oids.def, ndis_status.def).
 *
 * Return conventions (as include/xsw/trace.h): 0 or a positive count on
 * success, a negative XSW_E* code on failure with a message naming the place.
 * Decoders distinguish
 *   XSW_ETRUNC  the buffer ends before bytes that a length or count field of
 *               the structure being decoded says are there (a cut capture);
 *   XSW_EINVAL  fields contradict each other or hold impossible values (an
 *               offset that overruns its parent, an unknown type, ...);
 * and always write "offset N: ..." into "err", N being the byte offset in the
 * buffer the caller passed. They never read outside that buffer (every read
 * goes through lib/bytes.h) and never allocate.
 */
#ifndef XSW_VMBUS_H
#define XSW_VMBUS_H

#include <stddef.h>
#include <stdint.h>

#include "xsw/trace.h"

/* ---- Constants from the shared tables ------------------------------------ */

enum xsw_vmbus_pkt_type {
#define XSW_VMBUS_PKT(name, value) XSW_##name = (value),
#include "xsw/defs/vmbus_pkt_types.def"
#undef XSW_VMBUS_PKT
};

enum xsw_nvsp_type {
#define XSW_NVSP_MSG(name, value) XSW_##name = (value),
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
};

enum xsw_nvsp_status {
#define XSW_NVSP_STATUS(name, value) XSW_##name = (value),
#include "xsw/defs/nvsp_status.def"
#undef XSW_NVSP_STATUS
};

enum xsw_nvsp_version {
#define XSW_NVSP_VERSION(name, value) XSW_##name = (value),
#include "xsw/defs/nvsp_versions.def"
#undef XSW_NVSP_VERSION
};

/* RNDIS message types; completion types exceed INT_MAX (a GNU C enum extension). */
enum xsw_rndis_msg_type {
#define XSW_RNDIS_MSG(name, value) XSW_##name = (value),
#include "xsw/defs/rndis_msg.def"
#undef XSW_RNDIS_MSG
};

/* PPI types (bits 0-30); XSW_RNDIS_PKTINFO_ID is an internal type (bit 31). */
enum xsw_ppi_type {
#define XSW_PPI(name, value, internal) XSW_##name = (value),
#include "xsw/defs/ppi_types.def"
#undef XSW_PPI
};

enum xsw_netvsc_const {
#define XSW_NETVSC_CONST(name, value) XSW_##name = (value),
#define XSW_NETVSC_CONST64(name, value)
#include "xsw/defs/netvsc_consts.def"
#undef XSW_NETVSC_CONST
#undef XSW_NETVSC_CONST64
};

#define XSW_NETVSC_CONST(name, value)
#define XSW_NETVSC_CONST64(name, value) static const uint64_t XSW_##name = (value);
#include "xsw/defs/netvsc_consts.def"
#undef XSW_NETVSC_CONST
#undef XSW_NETVSC_CONST64

/* ---- Wire layouts (offsets and sizes of vmbus-nvsp-rndis.md) ---------------- */

#define XSW_VMBUS_DESC_LEN 16        /* vmpacket_descriptor (§1.1) */
#define XSW_VMBUS_XFER_HDR_LEN 24    /* vmtransfer_page_packet_header before ranges[] (§1.3) */
#define XSW_VMBUS_GPA_HDR_LEN 24     /* vmdata_gpa_direct before range[] (§1.4) */
#define XSW_VMBUS_RANGE_HDR_LEN 8    /* byte_count, byte_offset of a range */
#define XSW_VMBUS_TRAILER_LEN 8      /* ring trailer after each packet (§1.6), not in records */
#define XSW_NVSP_MSG_SIZE 40         /* sizeof(struct nvsp_message): Linux requests (§2.1) */
#define XSW_NVSP_MSG_SIZE_V1 28      /* OpenVMM host padding before V61 (§2.1) */
#define XSW_NVSP_RX_ACK_SIZE 8       /* Linux RX completion: type + status (§2.5) */
#define XSW_NVSP_TABLE_OFFSET_QUIRK 40 /* SEND_INDIRECTION_TABLE offset forced by Linux <= V6 (§2.5) */
#define XSW_RNDIS_HDR_LEN 8          /* MessageType, MessageLength; offsets count from here (§3.2) */
#define XSW_RNDIS_PACKET_LEN 44      /* REMOTE_NDIS_PACKET_MSG header (§3.3) */
#define XSW_RNDIS_PPI_OFFSET 36      /* Linux PerPacketInfoOffset: right after the header (§3.3) */
#define XSW_RNDIS_PPI_HDR_LEN 12     /* rndis_per_packet_info (§3.4) */
#define XSW_RNDIS_PPI_INTERNAL 0x80000000u

/* Names from the tables, or NULL. */
const char *xsw_vmbus_pkt_name(unsigned type);
const char *xsw_nvsp_type_name(uint32_t type);
const char *xsw_nvsp_status_name(uint32_t status);
const char *xsw_nvsp_version_name(uint32_t version);
const char *xsw_rndis_msg_name(uint32_t type);
/* "type" is the raw PPI type field, bit 31 included. */
const char *xsw_ppi_name(uint32_t type);

/* ---- VMBus packet decoder ------------------------------------------------- */

/*
 * A decoded VMBus packet (the bytes of one ring packet without its 8-byte
 * trailer, as a VMBUS record carries it). Pointers point into the decoded
 * buffer.
 */
struct xsw_vmbus_pkt {
    uint16_t type, offset8, len8, flags;
    uint64_t trans_id;
    uint32_t hdr_len;          /* offset8 * 8: descriptor + type-specific header */
    uint32_t pkt_len;          /* len8 * 8 */
    const uint8_t *payload;    /* NVSP message (+ zero padding) */
    uint32_t payload_len;      /* (len8 - offset8) * 8 */
    /* Type-specific headers (§1.3-1.5); zero when the type has none. */
    uint16_t pageset_id;       /* XFER_PAGES, ADD/RM_XFER_PAGESET */
    uint8_t sender_owns_set;   /* XFER_PAGES */
    uint32_t gpadl;            /* GPADL types; the reserved u32 of GPA_DIRECT */
    uint32_t range_cnt;        /* XFER_PAGES, GPA_DIRECT, ESTABLISH_GPADL */
    uint64_t range_bytes;      /* sum of the ranges' byte_count = shared bytes referenced */
    uint32_t pfn_total;        /* GPA ranges: PFNs over all ranges */
    const uint8_t *ranges;     /* the range array; walk it with xsw_vmbus_range_next() */
    uint32_t ranges_len;
    uint64_t total_bytes;      /* ADDITIONAL_DATA */
    uint32_t ad_offset, ad_byte_cnt;
};

/*
 * Decode the VMBus packet of "len" bytes at "p". Checks, as Linux
 * hv_pkt_iter/netvsc_receive do: descriptor present, offset8 >= 2 and
 * <= len8, len8 * 8 == len (shorter buffer: truncated; bytes after the
 * packet: invalid), known type; transfer-page header inside offset8 * 8 with
 * pageset id 0xCAFE and range_cnt ranges; GPA ranges with their
 * ceil((byte_offset + byte_count) / 4096) PFNs inside offset8 * 8 and
 * byte_offset < 4096. Ranges are not checked against any buffer size: the
 * receiver knows its buffers (the model's guest checks them as Linux does).
 */
int xsw_vmbus_pkt_decode(const uint8_t *p, size_t len, struct xsw_vmbus_pkt *out, char *err, size_t errlen);

/* One transfer-page range (pfn_count 0) or GPA range of a decoded packet. */
struct xsw_vmbus_range {
    uint32_t byte_count, byte_offset;
    uint32_t pfn_count;
    const uint8_t *pfns; /* pfn_count little-endian u64 */
};
struct xsw_vmbus_range_iter {
    size_t pos;
    uint32_t idx;
};
#define XSW_VMBUS_RANGE_ITER_INIT { 0, 0 }

/* Next range of a packet decoded by xsw_vmbus_pkt_decode(): 1, or 0 at the end. */
int xsw_vmbus_range_next(const struct xsw_vmbus_pkt *pkt, struct xsw_vmbus_range_iter *it,
                         struct xsw_vmbus_range *r);
/* PFN "i" of a GPA range (0 when i is out of range). */
uint64_t xsw_vmbus_range_pfn(const struct xsw_vmbus_range *r, uint32_t i);

/* ---- NVSP message decoder ------------------------------------------------- */

struct xsw_nvsp_section {
    uint32_t offset, sub_alloc_size, num_sub_allocs, end_offset;
};

/*
 * A decoded NVSP message (§2.5). "len" is the number of bytes the type
 * defines (fixed fields plus arrays); the rest of the payload is padding.
 * Types without a body in §2.5 (chimney, VMQ, UPLINK_CONNECT_STATE) decode
 * as the type alone.
 */
struct xsw_nvsp_msg {
    uint32_t type;
    uint32_t len;
    union {
        struct { uint32_t min_ver, max_ver; } init;
        struct { uint32_t negotiated_ver, max_mdl_chain_len, status; } init_complete;
        struct { uint32_t major, minor; } ndis_ver;
        struct { uint32_t gpadl; uint16_t id; } buf;           /* SEND_RECV_BUF, SEND_SEND_BUF */
        struct {
            uint32_t status, num_sections;
            const uint8_t *sections;                            /* num_sections * 16 bytes */
        } recv_buf_complete;
        struct { uint16_t id; } revoke;                         /* REVOKE_RECV_BUF, REVOKE_SEND_BUF */
        struct { uint32_t status, section_size; } send_buf_complete;
        struct { uint32_t channel_type, section_index, section_size; } rndis_pkt;
        struct { uint32_t status; } rndis_pkt_complete;
        struct { uint32_t mtu, reserved; uint64_t capability; } ndis_config;
        struct { uint32_t alloc_id, len; } alloc_rxbuf;
        struct { uint32_t status, alloc_id, gpadl; uint64_t recv_buf_id; } alloc_rxbuf_comp;
        struct { uint64_t recv_buf_id; } free_rxbuf;
        struct { uint32_t allocated, serial; } vf_assoc;
        struct { uint32_t active_datapath; } datapath;
        struct { uint8_t obj_type, obj_rev; uint16_t obj_size; uint32_t oid; } oid_query_ex;
        struct { uint32_t status, bytes; } oid_query_ex_comp;
        struct { uint32_t op_or_status, num_subchannels; } subchannel; /* request: op; completion: status */
        struct {
            uint32_t count, offset;
            const uint8_t *table;                               /* count u32 at "offset" */
        } indirection;
        struct { uint32_t op; } pd_api;
        struct { uint16_t count, flags; const uint8_t *bufs; } pd_post_batch; /* count * 8 bytes */
    } u;
};

/*
 * Decode the NVSP message in the "len" bytes at "p" (a VMBus payload).
 * Truncated: the fields or arrays of the type are not all there. Invalid:
 * unknown type, NVSP_MSG_TYPE_NONE, channel_type > 1, active_datapath >= 2,
 * an indirection table whose count is not 16 or whose offset points into
 * the message header.
 */
int xsw_nvsp_decode(const uint8_t *p, size_t len, struct xsw_nvsp_msg *m, char *err, size_t errlen);
/* Section "i" of a SEND_RECV_BUF_COMPLETE; 0, or -1 if i >= num_sections. */
int xsw_nvsp_recv_section(const struct xsw_nvsp_msg *m, uint32_t i, struct xsw_nvsp_section *s);
/* Entry "i" of a SEND_INDIRECTION_TABLE as the message places it (0 when out of range). */
uint32_t xsw_nvsp_table_entry(const struct xsw_nvsp_msg *m, uint32_t i);

/* ---- RNDIS decoders ------------------------------------------------------- */

/*
 * A decoded RNDIS message (§3.2-3.3). Offsets in the message are relative to
 * byte 8 (the RequestId / DataOffset field); the pointers below are already
 * resolved and bounds-checked against MessageLength, NULL when the length is 0.
 */
struct xsw_rndis_msg {
    uint32_t type, len;        /* MessageType, MessageLength */
    size_t off;                /* offset of the message in the walked buffer */
    const uint8_t *msg;        /* the whole message, len bytes */
    uint32_t request_id;       /* requests and completions that carry one */
    uint32_t status;           /* completions, INDICATE_STATUS */
    union {
        struct { uint32_t major, minor, max_xfer; } init;
        struct {
            uint32_t major, minor, dev_flags, medium, max_pkts, max_xfer, align_factor;
            uint32_t af_off, af_len;
        } init_cmplt;
        struct {
            uint32_t oid, info_len, info_off, vc_handle;
            const uint8_t *info;
        } req;                 /* QUERY, SET */
        struct {
            uint32_t info_len, info_off;
            const uint8_t *info;
        } query_cmplt;
        struct {
            uint32_t buf_len, buf_off;
            const uint8_t *buf;
        } indicate;
        struct { uint32_t addressing_reset; } reset_cmplt;
        struct {
            uint32_t data_off, data_len, oob_off, oob_len, oob_n, ppi_off, ppi_len, vc_handle;
            const uint8_t *data, *oob, *ppi;
        } pkt;
    } u;
};

/*
 * Decode the RNDIS message at *pos of the "len" bytes at "buf" and advance
 * *pos by its MessageLength (concatenated messages: a send-buffer section,
 * GPA-direct pages, one transfer-page range). Returns 1 with a message, 0
 * when *pos == len, or a negative code (*pos unchanged). Truncated: fewer
 * than 8 bytes left, or MessageLength beyond the buffer. Invalid:
 * MessageLength < 8 or shorter than the type's header, unknown type, a
 * buffer (data, PPI, OOB, information, status) outside MessageLength or
 * overlapping the header.
 */
int xsw_rndis_next(const uint8_t *buf, size_t len, size_t *pos, struct xsw_rndis_msg *m, char *err,
                   size_t errlen);

/* One per-packet-info element (§3.4). */
struct xsw_rndis_ppi {
    size_t off;                /* offset of the element in the walked list */
    uint32_t size;
    uint32_t type;             /* bits 0-30 */
    int internal;              /* bit 31 */
    uint32_t ppi_offset;
    const uint8_t *data;
    uint32_t data_len;         /* size - ppi_offset */
};

/*
 * Decode the PPI element at *pos of the per-packet-info list of "len" bytes
 * at "buf" (a PACKET_MSG's ppi/ppi_len) and advance *pos by its size.
 * Returns 1, 0 at the end, or XSW_EINVAL (the list is already inside a
 * validated message, so an element that overruns it is invalid): fewer than
 * 12 bytes left, size < 12 or beyond the list, ppi_offset < 12 or >= size.
 */
int xsw_rndis_ppi_next(const uint8_t *buf, size_t len, size_t *pos, struct xsw_rndis_ppi *p, char *err,
                       size_t errlen);

/* ---- The channel model ---------------------------------------------------- */

/* Per-packet metadata carried in PPIs. */
#define XSW_PKT_INFO_VLAN 0x1  /* vlan_tci valid (IEEE_8021Q_INFO) */
#define XSW_PKT_INFO_HASH 0x2  /* hash valid (NBL_HASH_VALUE) */
#define XSW_PKT_INFO_CSUM 0x4  /* csum valid (TCPIP_CHKSUM_PKTINFO, raw u32) */
struct xsw_pkt_info {
    uint32_t flags;
    uint16_t vlan_tci;         /* 802.1Q TCI: pri << 13 | cfi << 12 | vid */
    uint32_t hash;
    uint32_t csum;             /* ndis_tcp_ip_checksum_info value */
};

/* A frame the guest stack hands to NetVSC. */
struct xsw_frame_in {
    const uint8_t *data;
    uint32_t len;
    uint16_t vlan_tci;         /* out-of-band tag (skb hwaccel tag), 0 = none; an in-band
                                  802.1Q tag in "data" is stripped into the PPI instead */
    uint32_t hash;             /* flow hash for NBL_HASH_VALUE (sent with > 1 queue), 0 = none */
    uint8_t csum;              /* ask for checksum offload (CHECKSUM_PARTIAL): adds
                                  TCPIP_CHKSUM_PKTINFO for TCP/UDP when negotiated */
};

struct xsw_vmchan_cfg {
    uint32_t relid;                 /* channel relid, used in messages */
    uint8_t mac[6];                 /* the host's OID_802_3_PERMANENT_ADDRESS */
    uint32_t mtu;                   /* 68..9216; 0 = 1500 */
    uint32_t max_nvsp_version;      /* guest tries 61, 6, 5, 4, 2, 1 from this down; 0 = V61 */
    uint32_t host_max_nvsp_version; /* host accepts versions <= this; 0 = V61 */
    uint32_t seed;                  /* GPADL handles, guest page numbers and page offsets */
    int use_gpa_direct;             /* guest data TX via GPA-direct instead of send-buffer sections */
    uint32_t num_queues;            /* guest queues wanted (Linux num_chn); 0 = 4 */
    uint32_t host_queues;           /* host RSS num_recv_que; 0 = 8 */
    uint32_t link_speed;            /* OID_GEN_LINK_SPEED, 100 bps units; 0 = 100000000 (10 Gb/s) */
    const char *friendly_name;      /* OID_GEN_FRIENDLY_NAME; NULL = "Network Adapter" */
    uint32_t recv_buf_size;         /* bytes; 0 = 1 MiB */
    uint32_t send_buf_size;         /* bytes; 0 = 1 MiB */
};

struct xsw_vmchan_ops {
    /* Every packet either end writes to the ring (dir 0 guest->host, 1 host->guest):
       the packet bytes without trailer and the shared bytes it references, laid out
       as dissectors/packet-vmbus.c maps them (see xsw_vmchan_new). */
    void (*emit)(void *ctx, int dir, const uint8_t *pkt, size_t len, const uint8_t *shared,
                 size_t shared_len);
    /* The host decoded an Ethernet frame the guest sent (VLAN tag restored into the frame). */
    void (*guest_frame_to_host)(void *ctx, const uint8_t *frame, size_t len, const struct xsw_pkt_info *info);
    /* The guest decoded a frame the host delivered (VLAN tag restored into the frame). */
    void (*host_frame_to_guest)(void *ctx, const uint8_t *frame, size_t len, const struct xsw_pkt_info *info);
    /* A decoder or an endpoint rejected bytes the peer sent, or the peer broke the protocol
       (no answer, a refusal during bring-up): "vmchan RELID guest|host: ...: offset N: ...".
       Refused calls (bad arguments, wrong state, resources exhausted) do not come here: they
       only return a negative code and set xsw_vmchan_error(). */
    void (*error)(void *ctx, const char *msg);
};

/* Channel state as the two ends see it. */
struct xsw_vmchan_state {
    int up;                         /* bring-up completed, not torn down */
    uint32_t nvsp_version;          /* negotiated */
    uint32_t ndis_version;          /* sent in SEND_NDIS_VER (major << 16 | minor) */
    uint32_t init_attempts;         /* INIT messages sent */
    uint32_t recv_section_size, recv_sections, send_section_size, send_sections;
    uint32_t max_pkt, pkt_align;    /* from RNDIS INITIALIZE_CMPLT */
    uint8_t mac[6];                 /* learned by the guest */
    uint32_t mtu;                   /* guest MTU after OID_GEN_MAXIMUM_FRAME_SIZE */
    char friendly_name[64];         /* learned by the guest (ASCII part) */
    int link_up;                    /* guest view */
    uint32_t link_speed;            /* guest view, 100 bps */
    uint32_t num_chn;               /* 1 + sub-channels allocated */
    uint32_t tx_table[16];          /* guest send indirection table */
    uint32_t packet_filter;         /* host view */
    uint32_t offload_tx_mask;       /* guest: 1 TCPv4, 2 UDPv4, 0x10 TCPv6, 0x20 UDPv6 checksum TX */
    int rss_enabled;                /* host view */
    uint32_t rss_table_size;        /* entries, host view */
    int datapath_vf;                /* host view (SWITCH_DATA_PATH) */
    int guest_datapath_vf;          /* guest view */
    int vf_allocated;               /* guest view (SEND_VF_ASSOCIATION) */
    uint32_t vf_serial;
    /* counters */
    uint64_t pkts[2], bytes[2];     /* VMBus packets / bytes written per direction */
    uint64_t tx_frames;             /* frames the host decoded from the guest (guest_frame_to_host) */
    uint64_t tx_msgs, tx_gpa_msgs;  /* data SEND_RNDIS_PKTs the guest sent; of them GPA-direct */
    uint64_t tx_completed, tx_failed; /* frames whose SEND_RNDIS_PKT the host completed with / without success */
    uint64_t rx_frames;             /* frames the guest decoded (host_frame_to_guest) */
    uint64_t rx_xfer_pkts;          /* transfer-page packets the guest received */
    uint64_t rx_filtered;           /* host_deliver frames the guest's packet filter refused */
    uint64_t rx_dropped;            /* host_deliver frames refused for size or lack of receive sections */
    uint64_t rndis_requests;        /* RNDIS control messages the guest sent */
    uint64_t status_indications;    /* INDICATE_STATUS messages the guest received */
    uint64_t indirection_tables;    /* SEND_INDIRECTION_TABLE messages the guest accepted */
    uint64_t errors;                /* ops->error reports */
};

struct xsw_vmchan;

/*
 * Create a channel: both endpoints, the ring buffers, the receive buffer,
 * the send buffer and a little guest memory for GPA-direct pages (all
 * allocated here, never per packet). "ops" members may be NULL; "ctx" is
 * passed to them. Returns NULL on a bad configuration or no memory.
 *
 * Shared bytes passed to ops->emit (the dissector's convention,
 * dissectors/packet-vmbus.c): VM_PKT_DATA_USING_XFER_PAGES - each range's
 * byte_count bytes concatenated in range order; VM_PKT_DATA_INBAND with NVSP
 * SEND_RNDIS_PKT and a section index != 0xFFFFFFFF - the section's
 * send_buf_section_size bytes; VM_PKT_DATA_USING_GPA_DIRECT - each GPA
 * range's byte_count bytes concatenated; otherwise none.
 */
struct xsw_vmchan *xsw_vmchan_new(const struct xsw_vmchan_cfg *cfg, const struct xsw_vmchan_ops *ops, void *ctx);
void xsw_vmchan_free(struct xsw_vmchan *ch);
/* The message of the last error or refused call, "" if none. */
const char *xsw_vmchan_error(const struct xsw_vmchan *ch);
void xsw_vmchan_get_state(const struct xsw_vmchan *ch, struct xsw_vmchan_state *st);

/*
 * Bring the channel up as Linux does (§2.7, §3.9): INIT/INIT_COMPLETE from
 * max_nvsp_version down until the host accepts, SEND_NDIS_CONFIG (>= V2),
 * SEND_NDIS_VER (6.1 for <= V4, 6.30 above), SEND_RECV_BUF, SEND_SEND_BUF,
 * then RNDIS over GPA-direct control packets (each transaction = request,
 * NVSP completion, *_CMPLT in a transfer-page packet, its RX completion):
 * INITIALIZE, QUERY MAXIMUM_FRAME_SIZE, PERMANENT_ADDRESS, FRIENDLY_NAME,
 * OFFLOAD_HARDWARE_CAPABILITIES, SET OFFLOAD_PARAMETERS, QUERY
 * MEDIA_CONNECT_STATUS; for >= V5 QUERY LINK_SPEED and
 * RECEIVE_SCALE_CAPABILITIES, and with more than one queue SUBCHANNEL
 * allocate, SET RECEIVE_SCALE_PARAMETERS disabled then enabled with table
 * and key (the host then sends SEND_INDIRECTION_TABLE); finally SET
 * CURRENT_PACKET_FILTER 0x0D (ndo_open). Returns 0 or a negative code.
 */
int xsw_vmchan_bringup(struct xsw_vmchan *ch);

/*
 * Guest TX of "n" frames: RNDIS PACKET_MSGs with PPIs (hash when more than
 * one queue, 802.1Q when tagged, checksum when asked for and negotiated),
 * up to max_pkt per send-buffer section, each but the last frame of the
 * call padded to pkt_align, in NVSP SEND_RNDIS_PKT INBAND packets with
 * completion requested; frames too large for a section, or all frames with
 * use_gpa_direct, go as GPA-direct packets (RNDIS header range + frame
 * range, PFNs for every page touched). The host decodes the bytes, calls
 * guest_frame_to_host per frame and completes with SEND_RNDIS_PKT_COMPLETE.
 * Returns the number of frames sent or a negative code.
 */
int xsw_vmchan_guest_send(struct xsw_vmchan *ch, const struct xsw_frame_in *frames, unsigned n);

/*
 * Host RX: copy "frame" into a receive-buffer section as a PACKET_MSG (an
 * 802.1Q tag in the frame, or "vlan" when non-zero, goes into the
 * IEEE_8021Q_INFO PPI; NBL_HASH_VALUE when RSS is enabled) if the guest's
 * packet filter accepts it, and queue it. Returns 1 queued, 0 filtered,
 * or a negative code.
 */
int xsw_vmchan_host_deliver(struct xsw_vmchan *ch, const uint8_t *frame, size_t len, uint16_t vlan);
/*
 * Send the queued frames, up to 8 PACKET_MSGs (one range each) per
 * transfer-page packet; the guest decodes them, calls host_frame_to_guest
 * and completes each packet. Returns the number of frames flushed.
 */
int xsw_vmchan_flush(struct xsw_vmchan *ch);

/* H->G SEND_VF_ASSOCIATION {allocated, serial} (>= V4). */
int xsw_vmchan_host_vf_association(struct xsw_vmchan *ch, int allocated, uint32_t serial);
/* G->H SWITCH_DATA_PATH {VF|SYNTHETIC} with completion requested; the host completes with an empty payload. */
int xsw_vmchan_guest_switch_datapath(struct xsw_vmchan *ch, int to_vf);
/* H->G RNDIS INDICATE_STATUS (MEDIA_CONNECT, MEDIA_DISCONNECT, LINK_SPEED_CHANGE with the link speed, ...). */
int xsw_vmchan_host_indicate_status(struct xsw_vmchan *ch, uint32_t rndis_status);
/* SET CURRENT_PACKET_FILTER 0 (close), RNDIS HALT, REVOKE_RECV_BUF, REVOKE_SEND_BUF. */
int xsw_vmchan_teardown(struct xsw_vmchan *ch);

/*
 * Hand raw packet bytes to one endpoint as if the peer had written them to
 * the ring (dir 0: the host receives them, 1: the guest does). For tests and
 * fuzzing of the endpoints; emitted like any packet. Returns 0, or
 * XSW_EINVAL when the endpoint (or, answering it, the other one) reported a
 * protocol error through ops->error.
 */
int xsw_vmchan_inject(struct xsw_vmchan *ch, int dir, const uint8_t *pkt, size_t len);

#endif
