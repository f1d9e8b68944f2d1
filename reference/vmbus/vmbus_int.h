/*
 * vmbus_int.h - internals of the channel model (vmchan.c: the channel, its
 * rings and packet framing; netvsc.c: the guest end; netvsp.c: the host
 * end). Not installed; the public interface is include/xsw/vmbus.h.
 *
 * Memory that both ends touch is shared exactly as on Hyper-V: the guest
 * owns the receive buffer (the host writes RNDIS messages into its sections),
 * the send buffer (the guest writes, the host reads sections) and the guest
 * pages that GPA-direct ranges name by PFN. Everything else one end knows
 * about the other arrives as packet bytes through the two rings.
 */
#ifndef XSW_VMBUS_INT_H
#define XSW_VMBUS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "xsw/vmbus.h"

#define VC_RING_SIZE (64u * 1024)     /* data area of each ring (Linux default is 128 pages) */
#define VC_PKT_MAX 4096u              /* largest packet either end builds */
#define VC_RQ_SLOTS 64                /* guest requestor slots (Linux: vmbus requestor) */
#define VC_COMP_MAX 128               /* bytes of a completion a slot keeps */
#define VC_GMEM_PAGES 32              /* guest pages for GPA-direct data */
#define VC_RNDIS_INFO_MAX 1024        /* bytes of a *_CMPLT information buffer the guest keeps */
#define VC_RXQ_MAX 64                 /* host RX messages queued before an automatic flush */
#define VC_RX_BATCH 8                 /* PACKET_MSGs per transfer-page packet (§2.8) */
#define VC_RXO_SLOTS 64               /* host transfer-page packets awaiting their completion */
#define VC_MSG_MAX (64u * 1024)       /* largest RNDIS message either end accepts */
#define VC_MTU_MAX 9216u
#define VC_PPI_ROOM 64                /* 802.1Q + checksum + hash PPIs, 16 bytes each, rounded */

enum { VC_G2H = 0, VC_H2G = 1 };

/* NDIS status codes (= RNDIS_STATUS_*) and OIDs as C constants: VC_NDIS_STATUS_SUCCESS, VC_OID_GEN_LINK_SPEED. */
enum vc_ndis_status {
#define XSW_STATUS(name, value) VC_##name = (value),
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS
};

enum vc_oid {
#define XSW_OID(name, value, type, cls) VC_##name = (value),
#include "xsw/defs/oids.def"
#undef XSW_OID
};

struct vc_ring {
    uint8_t *data;
    uint32_t size, wr, rd;
};

/* What a guest requestor slot is waiting for. */
enum vc_rq_kind { RQ_FREE = 0, RQ_CTRL, RQ_TX_SECTION, RQ_TX_GPA };

struct vc_rq {
    uint8_t kind;
    uint8_t done;
    uint32_t nvsp_type;   /* type of the request */
    uint32_t section;     /* RQ_TX_SECTION */
    uint32_t frames;      /* RQ_TX_*: frames in the message */
    uint32_t comp_len;    /* bytes of the completion's NVSP payload (0 = empty completion) */
    uint8_t comp[VC_COMP_MAX];
};

struct vc_guest {
    int state;                         /* 0 new, 1 up, 2 torn down */
    uint32_t nvsp_ver, ndis_ver, init_attempts;
    uint32_t recv_section_size, recv_section_cnt;
    uint32_t send_section_size, send_section_cnt;
    uint64_t *send_map;                /* busy sections */
    uint32_t send_map_words;
    struct vc_rq rq[VC_RQ_SLOTS];
    int16_t rq_next[VC_RQ_SLOTS];      /* free list, as Linux's requestor: slot + 1 = trans_id */
    int16_t rq_head;
    uint32_t rndis_req_id;             /* last RNDIS RequestId (Linux atomic counter) */
    struct {
        uint32_t req_id, type;
        int waiting, done;
        uint32_t status, info_len;
        uint8_t info[VC_RNDIS_INFO_MAX];
    } rr;                              /* the one outstanding RNDIS control request */
    uint32_t max_pkt, pkt_align, mtu;
    uint8_t mac[6];
    char friendly[64];
    int link_up;
    uint32_t link_speed, tx_csum_mask;
    uint32_t num_chn, rx_table_sz;
    uint32_t tx_table[16];
    int got_table;                     /* a SEND_INDIRECTION_TABLE arrived */
    int vf_alloc, dp_vf;
    uint32_t vf_serial;
    uint32_t gmem_cursor, gpa_outstanding;
};

struct vc_host {
    uint32_t nvsp_ver;
    int inited;
    uint32_t ndis_ver, ndis_mtu;
    uint64_t caps;
    int recv_ok, send_ok;
    uint32_t recv_section_size, recv_section_cnt;
    uint32_t *free_sect, n_free;
    uint32_t send_section_size, send_section_cnt;
    int rndis_state;                   /* 0 none, 1 initialized, 2 halted */
    uint32_t packet_filter;
    uint8_t offload[28];
    uint32_t offload_len;
    uint32_t tx_csum_ok;               /* offload_tx_mask the guest enabled */
    int rss_enabled;
    uint32_t rss_hashinfo, rss_table_sz;
    uint8_t rss_key[40];
    uint32_t rss_table[256];
    uint32_t num_subch;
    int dp_vf, link_up;
    int defer;                         /* control answers wait for the request's completion */
    uint32_t dq_sect[4], dq_len[4], n_dq;
    struct { uint32_t sect, len; } pend[VC_RXQ_MAX];
    uint32_t n_pend;
    struct { uint64_t tid; uint8_t used, n; uint32_t sect[VC_RX_BATCH]; } rxo[VC_RXO_SLOTS];
    uint64_t next_tid;
};

struct xsw_vmchan {
    struct xsw_vmchan_cfg cfg;
    struct xsw_vmchan_ops ops;
    void *ctx;
    char friendly[64];
    struct vc_ring ring[2];            /* VC_G2H, VC_H2G */
    int in_pump, in_emit;
    uint8_t *recvbuf, *sendbuf, *gmem;
    uint32_t recv_size, send_size, gpadl_recv, gpadl_send;
    uint64_t gmem_pfn;
    uint8_t *rdbuf;                    /* packet being read from a ring */
    uint8_t *pkt_g, *pkt_h;            /* packet being built by each end */
    uint8_t *gather_h;                 /* host: bytes gathered from GPA ranges */
    uint8_t *frame_g, *frame_h;        /* frames with their VLAN tag restored */
    uint8_t *emit_cat;                 /* shared bytes of a transfer-page packet */
    uint64_t rng;
    struct vc_guest g;
    struct vc_host h;
    struct xsw_vmchan_state st;        /* counters (the rest is filled on demand) */
    char errbuf[XSW_ERRBUF_SIZE];
};

/* vmchan.c: framing, rings, errors. */
int vc_send(struct xsw_vmchan *ch, int dir, const uint8_t *pkt, uint32_t len, const uint8_t *shared,
            uint32_t shared_len);
void vc_pump(struct xsw_vmchan *ch);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int vc_report(struct xsw_vmchan *ch, int side, const char *fmt, ...);
/* A refused call (bad arguments, wrong state, no resources): the message only, no ops->error. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int vc_fail(struct xsw_vmchan *ch, int side, int code, const char *fmt, ...);
uint64_t vc_rand(struct xsw_vmchan *ch);

/* Descriptor + zero-padded payload for INBAND and COMP packets; returns the packet length. */
uint32_t vc_build_simple(uint8_t *out, uint16_t type, uint16_t flags, uint64_t tid, const uint8_t *nvsp,
                         uint32_t nlen);
/* Transfer-page packet with "n" ranges {byte_count, byte_offset}. */
uint32_t vc_build_xfer(uint8_t *out, uint64_t tid, const uint32_t (*ranges)[2], uint32_t n, const uint8_t *nvsp,
                       uint32_t nlen);
struct vc_gpa {
    uint32_t byte_count, byte_offset;
    uint64_t pfn;                      /* first PFN; the range covers consecutive pages */
};
/* GPA-direct packet; each range lists ceil((offset + count) / 4096) PFNs. */
uint32_t vc_build_gpa(uint8_t *out, uint16_t flags, uint64_t tid, const struct vc_gpa *r, uint32_t n,
                      const uint8_t *nvsp, uint32_t nlen);
/* Zeroed NVSP message of "size" bytes with its type. */
void vc_nvsp_init(uint8_t *m, uint32_t size, uint32_t type);

/* netvsc.c: the guest. */
void vc_guest_recv(struct xsw_vmchan *ch, const uint8_t *p, uint32_t len);
int vc_guest_bringup(struct xsw_vmchan *ch);
int vc_guest_send(struct xsw_vmchan *ch, const struct xsw_frame_in *frames, unsigned n);
int vc_guest_switch_datapath(struct xsw_vmchan *ch, int to_vf);
int vc_guest_teardown(struct xsw_vmchan *ch);

/* netvsp.c: the host. */
void vc_host_recv(struct xsw_vmchan *ch, const uint8_t *p, uint32_t len);
int vc_host_deliver(struct xsw_vmchan *ch, const uint8_t *frame, size_t len, uint16_t vlan);
int vc_host_flush(struct xsw_vmchan *ch);
int vc_host_vf_association(struct xsw_vmchan *ch, int allocated, uint32_t serial);
int vc_host_indicate_status(struct xsw_vmchan *ch, uint32_t status);

/* Shared by both ends: 802.1Q tag handling and header checks on Ethernet frames. */
#define VC_ETH_HLEN 14
#define VC_ETH_P_8021Q 0x8100
/* Copy "frame" to "out" with the tag "tci" inserted after the MAC addresses; returns len + 4. */
uint32_t vc_vlan_insert(uint8_t *out, const uint8_t *frame, uint32_t len, uint16_t tci);
/* 802.1Q PPI value (pri bits 0-2, cfi bit 3, vlanid bits 4-15) <-> TCI. */
uint32_t vc_tci_to_ppi(uint16_t tci);
uint16_t vc_ppi_to_tci(uint32_t v);

#endif
