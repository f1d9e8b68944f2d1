/*
 * netvsc.c - the guest end of the channel model: a NetVSC that behaves like
 * Linux drivers/net/hyperv (netvsc.c, rndis_filter.c, netvsc_drv.c).
 *
 * Normative reference: ../shared/reference/vmbus-nvsp-rndis.md §2.7 (NVSP
 * bring-up), §2.8 (data path), §2.9 (VF association and data-path switch),
 * §2.10 (teardown), §3.9 (RNDIS bring-up order), §1.7 (transaction ids:
 * requestor slot + 1, VMBUS_RQST_ID_NO_RESPONSE for messages without a
 * completion).
 *
 * Everything the guest learns about the host it decodes from packet bytes
 * (VMBus completions, transfer-page packets whose ranges point into the
 * receive buffer, in-band notifications) through the decoders of
 * vmbus_decode.c; everything it tells the host it writes as packet bytes,
 * with RNDIS messages in send-buffer sections or in guest pages named by
 * GPA-direct ranges. Requests that wait for an answer rely on the
 * synchronous pump of vmchan.c: when vc_send() returns, the host has
 * answered and the answer has been decoded into the requestor slot.
 */
#include <stdio.h>
#include <string.h>

#include "vmbus_int.h"

enum { GS = 0 }; /* vc_report side */

/* Linux netvsc.c negotiate order (§2.2). */
static const uint32_t nvsp_versions[] = {
    XSW_NVSP_PROTOCOL_VERSION_61, XSW_NVSP_PROTOCOL_VERSION_6, XSW_NVSP_PROTOCOL_VERSION_5,
    XSW_NVSP_PROTOCOL_VERSION_4,  XSW_NVSP_PROTOCOL_VERSION_2, XSW_NVSP_PROTOCOL_VERSION_1,
};

/* The default Toeplitz key of Linux netvsc_drv.c (netvsc_hash_key), Microsoft's RSS sample key. */
static const uint8_t netvsc_hash_key[40] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ---- Requestor slots and send sections ------------------------------------------ */

static int rq_alloc(struct vc_guest *g, enum vc_rq_kind kind, uint32_t nvsp_type)
{
    int i = g->rq_head;
    if (i < 0)
        return -1;
    g->rq_head = g->rq_next[i];
    memset(&g->rq[i], 0, sizeof g->rq[i]);
    g->rq[i].kind = (uint8_t)kind;
    g->rq[i].nvsp_type = nvsp_type;
    return i;
}

static void rq_release(struct vc_guest *g, int i)
{
    g->rq[i].kind = RQ_FREE;
    g->rq_next[i] = g->rq_head;
    g->rq_head = (int16_t)i;
}

/* Lowest free section, as netvsc_get_next_send_section() finds it. */
static int sect_alloc(struct vc_guest *g)
{
    for (uint32_t w = 0; w < g->send_map_words; w++) {
        if (g->send_map[w] == ~0ull)
            continue;
        for (uint32_t b = 0; b < 64; b++) {
            uint32_t idx = w * 64 + b;
            if (idx >= g->send_section_cnt)
                return -1;
            if (!(g->send_map[w] >> b & 1)) {
                g->send_map[w] |= 1ull << b;
                return (int)idx;
            }
        }
    }
    return -1;
}

static void sect_free(struct vc_guest *g, uint32_t idx)
{
    if (idx / 64 < g->send_map_words)
        g->send_map[idx / 64] &= ~(1ull << (idx % 64));
}

/*
 * Reserve guest memory for a GPA-direct message of "head" + "tail" bytes.
 * With a tail (a frame after its RNDIS header, as in the skb headroom), the
 * frame is placed across a page boundary so that its range needs several
 * PFNs, as page-crossing skb data does; otherwise the message starts at a
 * pseudo-random 8-byte aligned offset.
 */
static int gmem_alloc(struct xsw_vmchan *ch, uint32_t head, uint32_t tail, uint32_t *off)
{
    struct vc_guest *g = &ch->g;
    const uint32_t size = VC_GMEM_PAGES * XSW_HV_HYP_PAGE_SIZE;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (g->gpa_outstanding == 0)
            g->gmem_cursor = attempt ? 0 : (uint32_t)(vc_rand(ch) % XSW_HV_HYP_PAGE_SIZE) & ~7u;
        uint32_t start;
        if (tail) {
            uint32_t boundary = ((g->gmem_cursor + head) / XSW_HV_HYP_PAGE_SIZE + 1) * XSW_HV_HYP_PAGE_SIZE;
            uint32_t fstart = boundary - ((tail / 2) & ~1u);
            if (fstart < g->gmem_cursor + head)
                fstart = g->gmem_cursor + head;
            start = fstart - head;
        } else {
            start = g->gmem_cursor + ((uint32_t)(vc_rand(ch) % 512) & ~7u);
        }
        if ((uint64_t)start + head + tail <= size) {
            *off = start;
            g->gmem_cursor = (start + head + tail + 7u) & ~7u;
            return 0;
        }
        if (g->gpa_outstanding)
            break;
    }
    return XSW_ELIMIT;
}

/* ---- NVSP requests ----------------------------------------------------------------- */

/*
 * Send an NVSP message of Linux's size (sizeof(struct nvsp_message)) in a
 * VM_PKT_DATA_INBAND packet. With "resp", completion is requested and the
 * completion's NVSP payload is copied there (*resp_len bytes, 0 for an
 * empty completion); without, the packet goes with flags 0 and
 * VMBUS_RQST_ID_NO_RESPONSE.
 */
static int nvsp_request(struct xsw_vmchan *ch, const uint8_t *msg, uint8_t *resp, uint32_t *resp_len)
{
    struct vc_guest *g = &ch->g;
    uint32_t type = xsw_ld_le32(msg);
    const char *name = xsw_nvsp_type_name(type);
    if (!resp) {
        uint32_t len = vc_build_simple(ch->pkt_g, XSW_VM_PKT_DATA_INBAND, 0, XSW_VMBUS_RQST_ID_NO_RESPONSE, msg,
                                       XSW_NVSP_MSG_SIZE);
        return vc_send(ch, VC_G2H, ch->pkt_g, len, NULL, 0);
    }
    int slot = rq_alloc(g, RQ_CTRL, type);
    if (slot < 0)
        return vc_report(ch, GS, "no requestor slot free for %s", name);
    uint32_t len = vc_build_simple(ch->pkt_g, XSW_VM_PKT_DATA_INBAND,
                                   XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, (uint64_t)slot + 1, msg,
                                   XSW_NVSP_MSG_SIZE);
    int rc = vc_send(ch, VC_G2H, ch->pkt_g, len, NULL, 0);
    if (rc == 0 && !g->rq[slot].done)
        rc = vc_report(ch, GS, "%s (trans_id %d) was not completed by the host", name, slot + 1);
    if (rc == 0) {
        *resp_len = g->rq[slot].comp_len;
        memcpy(resp, g->rq[slot].comp, g->rq[slot].comp_len);
    }
    rq_release(g, slot);
    return rc;
}

/* Decode a completion kept by nvsp_request(). */
static int decode_comp(struct xsw_vmchan *ch, const uint8_t *resp, uint32_t len, uint32_t want,
                       struct xsw_nvsp_msg *m)
{
    char err[XSW_ERRBUF_SIZE];
    int rc = xsw_nvsp_decode(resp, len, m, err, sizeof err);
    if (rc)
        return vc_report(ch, GS, "completion of %s: %s", xsw_nvsp_type_name(want), err);
    return 0;
}

/* ---- RNDIS control requests (GPA-direct, channel_type control) ---------------------- */

/*
 * Send one RNDIS control message as Linux rndis_filter_send_request() does:
 * the message sits in guest memory and travels as a GPA-direct range, the
 * NVSP SEND_RNDIS_PKT says "control, not in the send buffer". The host
 * completes the NVSP packet (108) and, unless "expect_reply" is 0 (HALT),
 * answers with a *_CMPLT in a transfer-page packet, which the guest acks.
 */
static int rndis_transact(struct xsw_vmchan *ch, const uint8_t *msg, uint32_t mlen, int expect_reply)
{
    struct vc_guest *g = &ch->g;
    uint32_t type = xsw_ld_le32(msg);
    const char *name = xsw_rndis_msg_name(type);
    uint32_t off;
    if (gmem_alloc(ch, mlen, 0, &off))
        return vc_report(ch, GS, "no guest memory for a %u-byte %s", mlen, name);
    int slot = rq_alloc(g, RQ_CTRL, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    if (slot < 0)
        return vc_report(ch, GS, "no requestor slot free for %s", name);
    memcpy(ch->gmem + off, msg, mlen);
    struct vc_gpa r = { mlen, off % XSW_HV_HYP_PAGE_SIZE, ch->gmem_pfn + off / XSW_HV_HYP_PAGE_SIZE };
    uint8_t nv[XSW_NVSP_MSG_SIZE];
    vc_nvsp_init(nv, sizeof nv, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    xsw_st_le32(nv + 4, XSW_NVSP_CHANNEL_TYPE_CONTROL);
    xsw_st_le32(nv + 8, XSW_NETVSC_INVALID_INDEX);
    xsw_st_le32(nv + 12, 0);
    memset(&g->rr, 0, sizeof g->rr);
    g->rr.waiting = expect_reply;
    g->rr.type = type;
    g->rr.req_id = xsw_ld_le32(msg + 8);
    g->gpa_outstanding++;
    ch->st.rndis_requests++;
    uint32_t len = vc_build_gpa(ch->pkt_g, XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, (uint64_t)slot + 1, &r,
                                1, nv, sizeof nv);
    int rc = vc_send(ch, VC_G2H, ch->pkt_g, len, ch->gmem + off, mlen);
    if (rc == 0 && !g->rq[slot].done)
        rc = vc_report(ch, GS, "SEND_RNDIS_PKT with %s (trans_id %d) was not completed", name, slot + 1);
    if (rc == 0) {
        struct xsw_nvsp_msg m;
        if ((rc = decode_comp(ch, g->rq[slot].comp, g->rq[slot].comp_len, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT, &m)) ==
                0 &&
            m.u.rndis_pkt_complete.status != XSW_NVSP_STAT_SUCCESS)
            rc = vc_report(ch, GS, "host completed %s with NVSP status %u", name, m.u.rndis_pkt_complete.status);
    }
    rq_release(g, slot);
    g->gpa_outstanding--;
    if (rc == 0 && expect_reply && !g->rr.done)
        rc = vc_report(ch, GS, "no answer to %s RequestId %u", name, g->rr.req_id);
    g->rr.waiting = 0;
    return rc;
}

/* QUERY "oid": 0 with the information buffer in "out", 1 when the host refused, < 0 on error. */
static int rndis_query(struct xsw_vmchan *ch, uint32_t oid, const uint8_t *in, uint32_t in_len, uint8_t *out,
                       uint32_t cap, uint32_t *out_len)
{
    struct vc_guest *g = &ch->g;
    uint8_t msg[512];
    uint32_t mlen = 28 + in_len;
    if (mlen > sizeof msg)
        return XSW_ELIMIT;
    memset(msg, 0, mlen);
    xsw_st_le32(msg, XSW_REMOTE_NDIS_QUERY_MSG);
    xsw_st_le32(msg + 4, mlen);
    xsw_st_le32(msg + 8, ++g->rndis_req_id);
    xsw_st_le32(msg + 12, oid);
    xsw_st_le32(msg + 16, in_len);
    xsw_st_le32(msg + 20, 20); /* sizeof(struct rndis_query_request): right after the header */
    xsw_st_le32(msg + 24, 0);
    if (in_len)
        memcpy(msg + 28, in, in_len);
    int rc = rndis_transact(ch, msg, mlen, 1);
    if (rc)
        return rc;
    if (g->rr.status != VC_NDIS_STATUS_SUCCESS)
        return 1;
    if (g->rr.info_len > cap)
        return vc_report(ch, GS, "QUERY %s answered with %u bytes, room for %u", xsw_oid_name(oid), g->rr.info_len,
                         cap);
    memcpy(out, g->rr.info, g->rr.info_len);
    *out_len = g->rr.info_len;
    return 0;
}

/* SET "oid": 0, 1 when the host refused, < 0 on error. */
static int rndis_set(struct xsw_vmchan *ch, uint32_t oid, const uint8_t *in, uint32_t in_len)
{
    struct vc_guest *g = &ch->g;
    uint8_t msg[2048];
    uint32_t mlen = 28 + in_len;
    if (mlen > sizeof msg)
        return XSW_ELIMIT;
    xsw_st_le32(msg, XSW_REMOTE_NDIS_SET_MSG);
    xsw_st_le32(msg + 4, mlen);
    xsw_st_le32(msg + 8, ++g->rndis_req_id);
    xsw_st_le32(msg + 12, oid);
    xsw_st_le32(msg + 16, in_len);
    xsw_st_le32(msg + 20, 20); /* sizeof(struct rndis_set_request) */
    xsw_st_le32(msg + 24, 0);
    memcpy(msg + 28, in, in_len);
    int rc = rndis_transact(ch, msg, mlen, 1);
    if (rc)
        return rc;
    return g->rr.status == VC_NDIS_STATUS_SUCCESS ? 0 : 1;
}

/* ---- Bring-up ------------------------------------------------------------------------ */

static int negotiate(struct xsw_vmchan *ch)
{
    struct vc_guest *g = &ch->g;
    uint8_t msg[XSW_NVSP_MSG_SIZE], resp[VC_COMP_MAX];
    uint32_t rlen = 0;
    int started = 0;
    for (size_t i = 0; i < sizeof nvsp_versions / sizeof nvsp_versions[0]; i++) {
        uint32_t v = nvsp_versions[i];
        if (v == ch->cfg.max_nvsp_version)
            started = 1;
        if (!started)
            continue;
        vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG_TYPE_INIT);
        xsw_st_le32(msg + 4, v);
        xsw_st_le32(msg + 8, v);
        g->init_attempts++;
        int rc = nvsp_request(ch, msg, resp, &rlen);
        if (rc)
            return rc;
        struct xsw_nvsp_msg m;
        if ((rc = decode_comp(ch, resp, rlen, XSW_NVSP_MSG_TYPE_INIT, &m)))
            return rc;
        if (m.u.init_complete.status == XSW_NVSP_STAT_SUCCESS) {
            g->nvsp_ver = v;
            return 0;
        }
    }
    return vc_report(ch, GS, "the host refused every NVSP version from %s down",
                     xsw_nvsp_version_name(ch->cfg.max_nvsp_version));
}

static int connect_buffers(struct xsw_vmchan *ch)
{
    struct vc_guest *g = &ch->g;
    uint8_t msg[XSW_NVSP_MSG_SIZE], resp[VC_COMP_MAX];
    uint32_t rlen = 0;
    struct xsw_nvsp_msg m;
    int rc;

    /* SEND_NDIS_CONFIG (>= V2) and SEND_NDIS_VER go without completion (netvsc_connect_vsp()). */
    if (g->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_2) {
        uint64_t cap = XSW_NVSP_VSC_CAP_IEEE8021Q;
        if (g->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_5)
            cap |= XSW_NVSP_VSC_CAP_SRIOV | XSW_NVSP_VSC_CAP_TEAMING;
        if (g->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_61)
            cap |= XSW_NVSP_VSC_CAP_RSC;
        vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG);
        xsw_st_le32(msg + 4, g->mtu + VC_ETH_HLEN);
        xsw_st_le64(msg + 12, cap);
        if ((rc = nvsp_request(ch, msg, NULL, NULL)))
            return rc;
    }
    g->ndis_ver = g->nvsp_ver <= XSW_NVSP_PROTOCOL_VERSION_4 ? XSW_NDIS_VERSION_6_1 : XSW_NDIS_VERSION_6_30;
    vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG1_TYPE_SEND_NDIS_VER);
    xsw_st_le32(msg + 4, g->ndis_ver >> 16);
    xsw_st_le32(msg + 8, g->ndis_ver & 0xFFFF);
    if ((rc = nvsp_request(ch, msg, NULL, NULL)))
        return rc;

    /* Receive buffer: one section starting at offset 0 that fits in the buffer (netvsc_init_buf()). */
    vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF);
    xsw_st_le32(msg + 4, ch->gpadl_recv);
    xsw_st_le16(msg + 8, XSW_NETVSC_RECEIVE_BUFFER_ID);
    if ((rc = nvsp_request(ch, msg, resp, &rlen)) ||
        (rc = decode_comp(ch, resp, rlen, XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF, &m)))
        return rc;
    struct xsw_nvsp_section s;
    if (m.u.recv_buf_complete.status != XSW_NVSP_STAT_SUCCESS)
        return vc_report(ch, GS, "SEND_RECV_BUF failed with NVSP status %u", m.u.recv_buf_complete.status);
    if (m.u.recv_buf_complete.num_sections != 1 || xsw_nvsp_recv_section(&m, 0, &s) || s.offset != 0)
        return vc_report(ch, GS, "SEND_RECV_BUF_COMPLETE: %u sections, first at offset %u (need 1 at 0)",
                         m.u.recv_buf_complete.num_sections, s.offset);
    if (s.sub_alloc_size < XSW_NETVSC_MTU_MIN || (uint64_t)s.sub_alloc_size * s.num_sub_allocs > ch->recv_size)
        return vc_report(ch, GS, "SEND_RECV_BUF_COMPLETE: %u sections of %u bytes overflow the %u-byte buffer",
                         s.num_sub_allocs, s.sub_alloc_size, ch->recv_size);
    g->recv_section_size = s.sub_alloc_size;
    g->recv_section_cnt = s.num_sub_allocs;

    /* Send buffer: the host chooses the section size. */
    vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF);
    xsw_st_le32(msg + 4, ch->gpadl_send);
    xsw_st_le16(msg + 8, XSW_NETVSC_SEND_BUFFER_ID);
    if ((rc = nvsp_request(ch, msg, resp, &rlen)) ||
        (rc = decode_comp(ch, resp, rlen, XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF, &m)))
        return rc;
    if (m.u.send_buf_complete.status != XSW_NVSP_STAT_SUCCESS)
        return vc_report(ch, GS, "SEND_SEND_BUF failed with NVSP status %u", m.u.send_buf_complete.status);
    if (m.u.send_buf_complete.section_size < XSW_NETVSC_MTU_MIN)
        return vc_report(ch, GS, "SEND_SEND_BUF_COMPLETE section_size %u is unusable",
                         m.u.send_buf_complete.section_size);
    g->send_section_size = m.u.send_buf_complete.section_size;
    g->send_section_cnt = ch->send_size / g->send_section_size;
    if (g->send_section_cnt > g->send_map_words * 64)
        g->send_section_cnt = g->send_map_words * 64;
    return 0;
}

/* ndis_offload field offsets (hyperv_net.h struct ndis_offload). */
#define OFL_IP4_TXCSUM 8
#define OFL_IP6_TXCSUM 24
#define OFL_LSOV2_IP4_ENCAP 80
#define OFL_LSOV2_IP6_ENCAP 92
#define OFL_LSOV2_IP6_OPTS 104
#define OFL_RSC_IP4 144
#define OFL_RSC_IP6 145

/* rndis_netdev_set_hwcaps(): query the host's capabilities, enable what Linux enables. */
static int set_hwcaps(struct xsw_vmchan *ch)
{
    struct vc_guest *g = &ch->g;
    uint8_t in[XSW_NDIS_OFFLOAD_SIZE], caps[256];
    uint32_t clen = 0, size;
    uint8_t rev;
    if (g->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_5) {
        rev = XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_3;
        size = XSW_NDIS_OFFLOAD_SIZE;
    } else if (g->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_4) {
        rev = XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_2;
        size = XSW_NDIS_OFFLOAD_SIZE_6_1;
    } else {
        rev = XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_1;
        size = XSW_NDIS_OFFLOAD_SIZE_6_0;
    }
    memset(in, 0, sizeof in);
    in[0] = XSW_NDIS_OBJECT_TYPE_OFFLOAD;
    in[1] = rev;
    xsw_st_le16(in + 2, (uint16_t)size);
    int rc = rndis_query(ch, VC_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, in, size, caps, sizeof caps, &clen);
    if (rc)
        return rc < 0 ? rc : vc_report(ch, GS, "the host refused OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES");
    uint16_t osize = clen >= 4 ? xsw_ld_le16(caps + 2) : 0;
    if (clen < 4 || caps[0] != XSW_NDIS_OBJECT_TYPE_OFFLOAD || caps[1] < XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_1 ||
        osize > clen || osize < XSW_NDIS_OFFLOAD_SIZE_6_0)
        return vc_report(ch, GS, "offload capabilities: object type 0x%02x revision %u size %u in %u bytes",
                         clen ? caps[0] : 0, clen > 1 ? caps[1] : 0, osize, clen);
    memset(caps + clen, 0, sizeof caps - clen);
    uint32_t ip4tx = xsw_ld_le32(caps + OFL_IP4_TXCSUM), ip6tx = xsw_ld_le32(caps + OFL_IP6_TXCSUM);
    uint32_t all4 = XSW_NDIS_TXCSUM_CAP_TCP4 | XSW_NDIS_TXCSUM_CAP_TCP4OPT;
    uint32_t all6 = XSW_NDIS_TXCSUM_CAP_TCP6 | XSW_NDIS_TXCSUM_CAP_TCP6OPT | XSW_NDIS_TXCSUM_CAP_IP6EXT;
    uint32_t lso6 = XSW_NDIS_LSOV2_CAP_IP6EXT | XSW_NDIS_LSOV2_CAP_TCP6OPT;

    uint8_t p[XSW_NDIS_OFFLOAD_PARAMETERS_SIZE];
    memset(p, 0, sizeof p);
    p[4] = XSW_NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED; /* ip_v4_csum: Linux checksums IP itself */
    g->tx_csum_mask = 0;
    if ((ip4tx & all4) == all4) {
        p[5] = XSW_NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED;
        g->tx_csum_mask |= 0x01;
        if (xsw_ld_le32(caps + OFL_LSOV2_IP4_ENCAP) & XSW_NDIS_OFFLOAD_ENCAP_8023)
            p[11] = XSW_NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED;
        if (ip4tx & XSW_NDIS_TXCSUM_CAP_UDP4) {
            p[6] = XSW_NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED;
            g->tx_csum_mask |= 0x02;
        }
    }
    if ((ip6tx & all6) == all6) {
        p[7] = XSW_NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED;
        g->tx_csum_mask |= 0x10;
        if ((xsw_ld_le32(caps + OFL_LSOV2_IP6_ENCAP) & XSW_NDIS_OFFLOAD_ENCAP_8023) &&
            (xsw_ld_le32(caps + OFL_LSOV2_IP6_OPTS) & lso6) == lso6)
            p[12] = XSW_NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED;
        if (ip6tx & XSW_NDIS_TXCSUM_CAP_UDP6) {
            p[8] = XSW_NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED;
            g->tx_csum_mask |= 0x20;
        }
    }
    if (osize > OFL_RSC_IP6 && caps[OFL_RSC_IP4] && caps[OFL_RSC_IP6]) {
        /* The model does not coalesce; Linux would enable LRO here. */
        p[22] = XSW_NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED;
        p[23] = XSW_NDIS_OFFLOAD_PARAMETERS_RSC_DISABLED;
    }
    /* rndis_filter_set_offload_params(): V4 and older get the 22-byte structure and no UDP checksum. */
    uint32_t extlen = XSW_NDIS_OFFLOAD_PARAMETERS_SIZE;
    if (g->nvsp_ver <= XSW_NVSP_PROTOCOL_VERSION_4) {
        extlen = XSW_VERSION_4_OFFLOAD_SIZE;
        p[6] = p[8] = 0;
        g->tx_csum_mask &= ~0x22u;
    }
    p[0] = XSW_NDIS_OBJECT_TYPE_DEFAULT;
    p[1] = XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_3;
    xsw_st_le16(p + 2, (uint16_t)extlen);
    rc = rndis_set(ch, VC_OID_TCP_OFFLOAD_PARAMETERS, p, extlen);
    if (rc)
        return rc < 0 ? rc : vc_report(ch, GS, "the host refused OID_TCP_OFFLOAD_PARAMETERS");
    return 0;
}

/* rndis_set_rss_param_msg(): header, the u32 indirection table, the 40-byte key. */
static int set_rss(struct xsw_vmchan *ch, uint16_t flag)
{
    struct vc_guest *g = &ch->g;
    uint8_t p[XSW_NDIS_RSS_PARAMS_SIZE + 4 * 256 + 40];
    uint32_t tab = 4 * g->rx_table_sz, len = XSW_NDIS_RSS_PARAMS_SIZE + tab + XSW_NETVSC_HASH_KEYLEN;
    if (len > sizeof p)
        return vc_report(ch, GS, "RSS parameters of %u bytes do not fit a control message", len);
    memset(p, 0, len);
    p[0] = XSW_NDIS_OBJECT_TYPE_RSS_PARAMETERS;
    p[1] = XSW_NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2;
    xsw_st_le16(p + 2, XSW_NDIS_RSS_PARAMS_SIZE);
    xsw_st_le16(p + 4, flag);
    xsw_st_le32(p + 8, XSW_NDIS_HASH_FUNC_TOEPLITZ | XSW_NDIS_HASH_IPV4 | XSW_NDIS_HASH_TCP_IPV4 |
                           XSW_NDIS_HASH_IPV6 | XSW_NDIS_HASH_TCP_IPV6);
    xsw_st_le16(p + 12, (uint16_t)tab);
    xsw_st_le32(p + 16, XSW_NDIS_RSS_PARAMS_SIZE);
    xsw_st_le16(p + 20, XSW_NETVSC_HASH_KEYLEN);
    xsw_st_le32(p + 24, XSW_NDIS_RSS_PARAMS_SIZE + tab);
    for (uint32_t i = 0; i < g->rx_table_sz; i++)
        xsw_st_le32(p + XSW_NDIS_RSS_PARAMS_SIZE + 4 * i, i % g->num_chn); /* ethtool_rxfh_indir_default() */
    memcpy(p + XSW_NDIS_RSS_PARAMS_SIZE + tab, netvsc_hash_key, XSW_NETVSC_HASH_KEYLEN);
    int rc = rndis_set(ch, VC_OID_GEN_RECEIVE_SCALE_PARAMETERS, p, len);
    if (rc)
        return rc < 0 ? rc : vc_report(ch, GS, "the host refused OID_GEN_RECEIVE_SCALE_PARAMETERS (flag 0x%x)", flag);
    return 0;
}

/* rndis_filter_device_add() after INITIALIZE, then rndis_set_subchannel() and ndo_open. */
static int rndis_bringup(struct xsw_vmchan *ch)
{
    struct vc_guest *g = &ch->g;
    uint8_t msg[24], out[512];
    uint32_t olen = 0;
    int rc;

    memset(msg, 0, sizeof msg);
    xsw_st_le32(msg, XSW_REMOTE_NDIS_INITIALIZE_MSG);
    xsw_st_le32(msg + 4, sizeof msg);
    xsw_st_le32(msg + 8, ++g->rndis_req_id);
    xsw_st_le32(msg + 12, XSW_RNDIS_MAJOR_VERSION);
    xsw_st_le32(msg + 16, XSW_RNDIS_MINOR_VERSION);
    xsw_st_le32(msg + 20, XSW_RNDIS_LINUX_MAX_XFER_SIZE);
    if ((rc = rndis_transact(ch, msg, sizeof msg, 1)))
        return rc;
    if (g->rr.status != VC_NDIS_STATUS_SUCCESS)
        return vc_report(ch, GS, "RNDIS INITIALIZE failed with status 0x%08x", g->rr.status);
    if (g->rr.info_len != 8)
        return vc_report(ch, GS, "RNDIS INITIALIZE answered by a non-INITIALIZE_CMPLT");
    uint32_t max_pkt = xsw_ld_le32(g->rr.info), factor = xsw_ld_le32(g->rr.info + 4);
    if (max_pkt == 0 || factor > 12)
        return vc_report(ch, GS, "INITIALIZE_CMPLT MaxPacketsPerMessage %u PacketAlignmentFactor %u", max_pkt, factor);
    g->max_pkt = max_pkt;
    g->pkt_align = 1u << factor;

    rc = rndis_query(ch, VC_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0, out, 4, &olen);
    if (rc < 0)
        return rc;
    if (rc == 0 && olen == 4 && xsw_ld_le32(out) < g->mtu)
        g->mtu = xsw_ld_le32(out);

    rc = rndis_query(ch, VC_OID_802_3_PERMANENT_ADDRESS, NULL, 0, out, 6, &olen);
    if (rc)
        return rc < 0 ? rc : vc_report(ch, GS, "the host refused OID_802_3_PERMANENT_ADDRESS");
    if (olen != 6)
        return vc_report(ch, GS, "OID_802_3_PERMANENT_ADDRESS answered with %u bytes", olen);
    memcpy(g->mac, out, 6);

    rc = rndis_query(ch, VC_OID_GEN_FRIENDLY_NAME, NULL, 0, out, sizeof out, &olen);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        size_t n = 0;
        for (uint32_t i = 0; i + 1 < olen && n + 1 < sizeof g->friendly; i += 2) {
            uint16_t u = xsw_ld_le16(out + i);
            if (!u)
                break;
            g->friendly[n++] = u < 0x80 ? (char)u : '?';
        }
        g->friendly[n] = 0;
    }

    if ((rc = set_hwcaps(ch)))
        return rc;

    rc = rndis_query(ch, VC_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, out, 4, &olen);
    if (rc < 0)
        return rc;
    g->link_up = rc == 0 && olen == 4 && xsw_ld_le32(out) == XSW_NDIS_MEDIA_STATE_CONNECTED;

    g->num_chn = 1;
    if (g->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_5) {
        rc = rndis_query(ch, VC_OID_GEN_LINK_SPEED, NULL, 0, out, 4, &olen);
        if (rc < 0)
            return rc;
        if (rc == 0 && olen == 4)
            g->link_speed = xsw_ld_le32(out);

        uint8_t in[XSW_NDIS_RSS_CAPS_SIZE];
        memset(in, 0, sizeof in);
        in[0] = XSW_NDIS_OBJECT_TYPE_RSS_CAPABILITIES;
        in[1] = XSW_NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2;
        xsw_st_le16(in + 2, XSW_NDIS_RSS_CAPS_SIZE);
        rc = rndis_query(ch, VC_OID_GEN_RECEIVE_SCALE_CAPABILITIES, in, sizeof in, out, XSW_NDIS_RSS_CAPS_SIZE, &olen);
        if (rc < 0)
            return rc;
        uint32_t queues = rc == 0 && olen >= 16 ? xsw_ld_le32(out + 12) : 0;
        uint32_t tabent = rc == 0 && olen >= 18 ? xsw_ld_le16(out + 16) : 0;
        if (queues >= 2) {
            g->rx_table_sz = tabent && tabent <= XSW_ITAB_NUM_MAX ? tabent : XSW_ITAB_NUM;
            uint32_t max_chn = queues < XSW_VRSS_CHANNEL_MAX ? queues : XSW_VRSS_CHANNEL_MAX;
            g->num_chn = max_chn < ch->cfg.num_queues ? max_chn : ch->cfg.num_queues;
        }
    }

    if (g->num_chn > 1) {
        /* rndis_set_subchannel(): allocate, then RSS disabled and enabled with table and key. */
        uint8_t nv[XSW_NVSP_MSG_SIZE], resp[VC_COMP_MAX];
        uint32_t rlen = 0;
        struct xsw_nvsp_msg m;
        vc_nvsp_init(nv, sizeof nv, XSW_NVSP_MSG5_TYPE_SUBCHANNEL);
        xsw_st_le32(nv + 4, XSW_NVSP_SUBCHANNEL_ALLOCATE);
        xsw_st_le32(nv + 8, g->num_chn - 1);
        g->got_table = 0;
        if ((rc = nvsp_request(ch, nv, resp, &rlen)) ||
            (rc = decode_comp(ch, resp, rlen, XSW_NVSP_MSG5_TYPE_SUBCHANNEL, &m)))
            return rc;
        if (m.u.subchannel.op_or_status != XSW_NVSP_STAT_SUCCESS)
            return vc_report(ch, GS, "SUBCHANNEL allocation failed with NVSP status %u", m.u.subchannel.op_or_status);
        if (m.u.subchannel.num_subchannels > g->num_chn - 1)
            return vc_report(ch, GS, "SUBCHANNEL: host allocated %u sub-channels, %u were asked for",
                             m.u.subchannel.num_subchannels, g->num_chn - 1);
        g->num_chn = 1 + m.u.subchannel.num_subchannels;
        /* Linux fills tx_table with i % num_chn; a table the host already sent (134) is kept. */
        if (!g->got_table)
            for (uint32_t i = 0; i < XSW_VRSS_SEND_TAB_SIZE; i++)
                g->tx_table[i] = i % g->num_chn;
        if ((rc = set_rss(ch, XSW_NDIS_RSS_PARAM_FLAG_DISABLE_RSS)) || (rc = set_rss(ch, 0)))
            return rc;
    }

    /* ndo_open: rndis_filter_open() sets the packet filter. */
    uint8_t f[4];
    xsw_st_le32(f, XSW_NDIS_PACKET_TYPE_BROADCAST | XSW_NDIS_PACKET_TYPE_ALL_MULTICAST | XSW_NDIS_PACKET_TYPE_DIRECTED);
    rc = rndis_set(ch, VC_OID_GEN_CURRENT_PACKET_FILTER, f, 4);
    if (rc)
        return rc < 0 ? rc : vc_report(ch, GS, "the host refused OID_GEN_CURRENT_PACKET_FILTER");
    return 0;
}

int vc_guest_bringup(struct xsw_vmchan *ch)
{
    struct vc_guest *g = &ch->g;
    if (g->state != 0)
        return vc_fail(ch, GS, XSW_EINVAL, "bring-up of a channel that is not new");
    int rc;
    if ((rc = negotiate(ch)) || (rc = connect_buffers(ch)) || (rc = rndis_bringup(ch)))
        return rc;
    g->state = 1;
    return 0;
}

/* ---- Data path: TX -------------------------------------------------------------------- */

/* TCPIP_CHKSUM_PKTINFO transmit value for an untagged frame, 0 when not TCP/UDP or not enabled. */
static uint32_t tx_csum_value(const struct vc_guest *g, const uint8_t *f, uint32_t len)
{
    if (len < VC_ETH_HLEN)
        return 0;
    uint16_t et = xsw_ld_be16(f + 12);
    if (et == 0x0800) {
        uint8_t vihl, proto;
        if (xsw_get_u8(f, len, 14, &vihl) || xsw_get_u8(f, len, 23, &proto))
            return 0;
        uint32_t off = VC_ETH_HLEN + (uint32_t)(vihl & 0x0F) * 4;
        if (proto == 6 && (g->tx_csum_mask & 0x01))
            return 1u /* is_ipv4 */ | 1u << 2 /* tcp_checksum */ | off << 16;
        if (proto == 17 && (g->tx_csum_mask & 0x02))
            return 1u | 1u << 3 /* udp_checksum */ | off << 16;
    } else if (et == 0x86DD) {
        uint8_t nh;
        if (xsw_get_u8(f, len, 20, &nh))
            return 0;
        uint32_t off = VC_ETH_HLEN + 40;
        if (nh == 6 && (g->tx_csum_mask & 0x10))
            return 1u << 1 /* is_ipv6 */ | 1u << 2 | off << 16;
        if (nh == 17 && (g->tx_csum_mask & 0x20))
            return 1u << 1 | 1u << 3 | off << 16;
    }
    return 0;
}

static uint32_t put_ppi(uint8_t *p, uint32_t type, uint32_t value)
{
    xsw_st_le32(p, XSW_RNDIS_PPI_HDR_LEN + 4);
    xsw_st_le32(p + 4, type);
    xsw_st_le32(p + 8, XSW_RNDIS_PPI_HDR_LEN);
    xsw_st_le32(p + 12, value);
    return XSW_RNDIS_PPI_HDR_LEN + 4;
}

/* One frame as netvsc_xmit() prepares it: PPIs, the tag stripped, the data length. */
struct txf {
    uint8_t ppi[VC_PPI_ROOM];
    uint32_t ppi_len, flen, msg_len;
    int tagged_inband;
    const uint8_t *data;
};

static int tx_prepare(struct xsw_vmchan *ch, const struct xsw_frame_in *fi, struct txf *t)
{
    struct vc_guest *g = &ch->g;
    memset(t, 0, sizeof *t);
    if (!fi->data || fi->len < VC_ETH_HLEN)
        return vc_fail(ch, GS, XSW_EINVAL, "frame of %u bytes is shorter than an Ethernet header", fi->len);
    uint16_t tci = fi->vlan_tci;
    t->data = fi->data;
    t->flen = fi->len;
    if (xsw_ld_be16(fi->data + 12) == VC_ETH_P_8021Q && fi->len >= VC_ETH_HLEN + 4) {
        /* AF_PACKET frames carry the tag in-band: Linux pops it into the PPI. */
        tci = xsw_ld_be16(fi->data + 14);
        t->tagged_inband = 1;
        t->flen -= 4;
    }
    if (t->flen > g->mtu + VC_ETH_HLEN)
        return vc_fail(ch, GS, XSW_EINVAL, "frame of %u bytes exceeds MTU %u", t->flen, g->mtu);
    if (fi->hash && g->num_chn > 1)
        t->ppi_len += put_ppi(t->ppi + t->ppi_len, XSW_NBL_HASH_VALUE, fi->hash);
    if (tci)
        t->ppi_len += put_ppi(t->ppi + t->ppi_len, XSW_IEEE_8021Q_INFO, vc_tci_to_ppi(tci));
    if (fi->csum) {
        /* The checksum PPI is computed on the frame as the host will see it (untagged). */
        uint8_t hdr[64];
        uint32_t n = t->flen < sizeof hdr ? t->flen : (uint32_t)sizeof hdr;
        if (t->tagged_inband) {
            memcpy(hdr, fi->data, 12);
            memcpy(hdr + 12, fi->data + 16, n - 12);
        } else {
            memcpy(hdr, fi->data, n);
        }
        uint32_t v = tx_csum_value(g, hdr, n);
        if (v)
            t->ppi_len += put_ppi(t->ppi + t->ppi_len, XSW_TCPIP_CHKSUM_PKTINFO, v);
    }
    t->msg_len = XSW_RNDIS_PACKET_LEN + t->ppi_len + t->flen;
    return 0;
}

/* Write the PACKET_MSG of "t" at "q" with MessageLength "mlen" (>= t->msg_len; the rest is zero padding). */
static void tx_write(const struct txf *t, uint8_t *q, uint32_t mlen)
{
    memset(q, 0, XSW_RNDIS_PACKET_LEN);
    xsw_st_le32(q, XSW_REMOTE_NDIS_PACKET_MSG);
    xsw_st_le32(q + 4, mlen);
    xsw_st_le32(q + 8, XSW_RNDIS_PPI_OFFSET + t->ppi_len);  /* DataOffset */
    xsw_st_le32(q + 12, t->flen);                           /* DataLength */
    xsw_st_le32(q + 28, XSW_RNDIS_PPI_OFFSET);              /* PerPacketInfoOffset */
    xsw_st_le32(q + 32, t->ppi_len);                        /* PerPacketInfoLength */
    memcpy(q + XSW_RNDIS_PACKET_LEN, t->ppi, t->ppi_len);
    uint8_t *d = q + XSW_RNDIS_PACKET_LEN + t->ppi_len;
    if (t->tagged_inband) {
        memcpy(d, t->data, 12);
        memcpy(d + 12, t->data + 16, t->flen - 12);
    } else {
        memcpy(d, t->data, t->flen);
    }
    if (mlen > t->msg_len)
        memset(q + t->msg_len, 0, mlen - t->msg_len);
}

/* Send the batch in send section "sect": SEND_RNDIS_PKT {data, sect, used}, INBAND with RC. */
static int tx_flush_section(struct xsw_vmchan *ch, uint32_t sect, uint32_t used, uint32_t frames)
{
    struct vc_guest *g = &ch->g;
    int slot = rq_alloc(g, RQ_TX_SECTION, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    if (slot < 0) {
        sect_free(g, sect);
        return vc_report(ch, GS, "no requestor slot free for SEND_RNDIS_PKT");
    }
    g->rq[slot].section = sect;
    g->rq[slot].frames = frames;
    uint8_t nv[XSW_NVSP_MSG_SIZE];
    vc_nvsp_init(nv, sizeof nv, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    xsw_st_le32(nv + 4, XSW_NVSP_CHANNEL_TYPE_DATA);
    xsw_st_le32(nv + 8, sect);
    xsw_st_le32(nv + 12, used);
    uint32_t len = vc_build_simple(ch->pkt_g, XSW_VM_PKT_DATA_INBAND, XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
                                   (uint64_t)slot + 1, nv, sizeof nv);
    ch->st.tx_msgs++;
    int rc = vc_send(ch, VC_G2H, ch->pkt_g, len, ch->sendbuf + (size_t)sect * g->send_section_size, used);
    if (rc && g->rq[slot].kind != RQ_FREE) {
        sect_free(g, sect);
        rq_release(g, slot);
    }
    return rc;
}

/* A frame as GPA-direct: RNDIS header + PPIs in one range, the frame (across a page boundary) in another. */
static int tx_gpa(struct xsw_vmchan *ch, const struct txf *t)
{
    struct vc_guest *g = &ch->g;
    uint32_t head = XSW_RNDIS_PACKET_LEN + t->ppi_len, off;
    if (gmem_alloc(ch, head, t->flen, &off))
        return vc_report(ch, GS, "no guest memory for a %u-byte GPA-direct frame", t->msg_len);
    int slot = rq_alloc(g, RQ_TX_GPA, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    if (slot < 0)
        return vc_report(ch, GS, "no requestor slot free for SEND_RNDIS_PKT");
    g->rq[slot].frames = 1;
    tx_write(t, ch->gmem + off, t->msg_len);
    struct vc_gpa r[2] = {
        { head, off % XSW_HV_HYP_PAGE_SIZE, ch->gmem_pfn + off / XSW_HV_HYP_PAGE_SIZE },
        { t->flen, (off + head) % XSW_HV_HYP_PAGE_SIZE, ch->gmem_pfn + (off + head) / XSW_HV_HYP_PAGE_SIZE },
    };
    uint8_t nv[XSW_NVSP_MSG_SIZE];
    vc_nvsp_init(nv, sizeof nv, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    xsw_st_le32(nv + 4, XSW_NVSP_CHANNEL_TYPE_DATA);
    xsw_st_le32(nv + 8, XSW_NETVSC_INVALID_INDEX);
    xsw_st_le32(nv + 12, 0);
    uint32_t len = vc_build_gpa(ch->pkt_g, XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, (uint64_t)slot + 1, r, 2,
                                nv, sizeof nv);
    g->gpa_outstanding++;
    ch->st.tx_msgs++;
    ch->st.tx_gpa_msgs++;
    int rc = vc_send(ch, VC_G2H, ch->pkt_g, len, ch->gmem + off, t->msg_len);
    if (rc && g->rq[slot].kind != RQ_FREE) {
        g->gpa_outstanding--;
        rq_release(g, slot);
    }
    return rc;
}

int vc_guest_send(struct xsw_vmchan *ch, const struct xsw_frame_in *frames, unsigned n)
{
    struct vc_guest *g = &ch->g;
    if (g->state != 1)
        return vc_fail(ch, GS, XSW_EINVAL, "send on a channel that is not up");
    int cur = -1;
    uint32_t used = 0, count = 0, sent = 0;
    int rc = 0;
    for (unsigned i = 0; i < n; i++) {
        struct txf t;
        if ((rc = tx_prepare(ch, &frames[i], &t)))
            break;
        /* Linux pads a message when more follow (xmit_more), so the next one starts aligned. */
        uint32_t padded = t.msg_len;
        if (i + 1 < n)
            padded = (t.msg_len + g->pkt_align - 1) & ~(g->pkt_align - 1);
        if (ch->cfg.use_gpa_direct || t.msg_len + g->pkt_align >= g->send_section_size) {
            if (cur >= 0 && (rc = tx_flush_section(ch, (uint32_t)cur, used, count)))
                break;
            cur = -1;
            if ((rc = tx_gpa(ch, &t)))
                break;
            sent++;
            continue;
        }
        /* netvsc_send(): batch while under max_pkt and the message fits the section. */
        if (cur >= 0 && !(count < g->max_pkt && used + t.msg_len + g->pkt_align < g->send_section_size)) {
            if ((rc = tx_flush_section(ch, (uint32_t)cur, used, count)))
                break;
            cur = -1;
        }
        if (cur < 0) {
            cur = sect_alloc(g);
            if (cur < 0) {
                rc = vc_fail(ch, GS, XSW_ELIMIT, "all %u send sections are in use", g->send_section_cnt);
                break;
            }
            used = count = 0;
        }
        tx_write(&t, ch->sendbuf + (size_t)cur * g->send_section_size + used, padded);
        used += padded;
        count++;
        sent++;
    }
    if (cur >= 0) {
        int frc = tx_flush_section(ch, (uint32_t)cur, used, count);
        if (!rc)
            rc = frc;
    }
    return rc ? rc : (int)sent;
}

/* ---- Data path: completions and RX --------------------------------------------------- */

static uint32_t expected_comp(uint32_t req)
{
    switch (req) {
    case XSW_NVSP_MSG_TYPE_INIT:
        return XSW_NVSP_MSG_TYPE_INIT_COMPLETE;
    case XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF:
        return XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
    case XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF:
        return XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
    case XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
        return XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE;
    default:
        return req; /* SUBCHANNEL, SWITCH_DATA_PATH: same type */
    }
}

/* netvsc_send_completion(): find the request by trans_id and hand it the answer. */
static void on_comp(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt)
{
    struct vc_guest *g = &ch->g;
    char err[XSW_ERRBUF_SIZE];
    uint64_t tid = pkt->trans_id;
    if (tid == 0 || tid > VC_RQ_SLOTS || g->rq[tid - 1].kind == RQ_FREE) {
        vc_report(ch, GS, "VM_PKT_COMP for trans_id %llu, which is not outstanding", (unsigned long long)tid);
        return;
    }
    struct vc_rq *rq = &g->rq[tid - 1];
    const char *rname = xsw_nvsp_type_name(rq->nvsp_type);
    struct xsw_nvsp_msg m;
    memset(&m, 0, sizeof m);
    if (pkt->payload_len == 0) {
        /* Only SWITCH_DATA_PATH may be completed without a payload (Long Li's 2021 change). */
        if (rq->nvsp_type != XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH) {
            vc_report(ch, GS, "empty VM_PKT_COMP for %s (trans_id %llu)", rname, (unsigned long long)tid);
            return;
        }
    } else {
        if (xsw_nvsp_decode(pkt->payload, pkt->payload_len, &m, err, sizeof err)) {
            vc_report(ch, GS, "VM_PKT_COMP trans_id %llu payload at %u: %s", (unsigned long long)tid, pkt->hdr_len, err);
            return;
        }
        if (m.type != expected_comp(rq->nvsp_type)) {
            vc_report(ch, GS, "VM_PKT_COMP trans_id %llu carries %s, %s expects %s", (unsigned long long)tid,
                      xsw_nvsp_type_name(m.type), rname, xsw_nvsp_type_name(expected_comp(rq->nvsp_type)));
            return;
        }
    }
    switch ((enum vc_rq_kind)rq->kind) {
    case RQ_CTRL:
        rq->comp_len = pkt->payload_len < VC_COMP_MAX ? pkt->payload_len : VC_COMP_MAX;
        memcpy(rq->comp, pkt->payload, rq->comp_len);
        rq->done = 1;
        break;
    case RQ_TX_SECTION:
    case RQ_TX_GPA:
        if (m.u.rndis_pkt_complete.status == XSW_NVSP_STAT_SUCCESS)
            ch->st.tx_completed += rq->frames;
        else
            ch->st.tx_failed += rq->frames;
        if (rq->kind == RQ_TX_SECTION)
            sect_free(g, rq->section);
        else
            g->gpa_outstanding--;
        rq_release(g, (int)(tid - 1));
        break;
    case RQ_FREE:
        break;
    }
}

/* A PACKET_MSG from the host: PPIs as rndis_filter_receive_data() reads them, then the frame. */
static int rx_packet(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    char err[XSW_ERRBUF_SIZE];
    const uint32_t dlen = m->u.pkt.data_len;
    if (dlen < VC_ETH_HLEN || dlen > VC_MTU_MAX + VC_ETH_HLEN)
        return vc_report(ch, GS, "PACKET_MSG at %zu: DataLength %u is not an Ethernet frame", m->off, dlen);
    if (m->u.pkt.ppi_off && m->u.pkt.ppi_len < XSW_RNDIS_PPI_HDR_LEN)
        return vc_report(ch, GS, "PACKET_MSG at %zu: PerPacketInfoOffset %u with PerPacketInfoLength %u", m->off,
                         m->u.pkt.ppi_off, m->u.pkt.ppi_len);
    struct xsw_pkt_info info;
    memset(&info, 0, sizeof info);
    size_t pos = 0;
    struct xsw_rndis_ppi p;
    int rc;
    while ((rc = xsw_rndis_ppi_next(m->u.pkt.ppi, m->u.pkt.ppi_len, &pos, &p, err, sizeof err)) > 0) {
        if (p.data_len < 4)
            continue;
        uint32_t v = xsw_ld_le32(p.data);
        if (p.internal) {
            if (p.type == XSW_RNDIS_PKTINFO_ID && (p.data[1] & XSW_RNDIS_PKTINFO_SUBALLOC))
                return vc_report(ch, GS, "PACKET_MSG at %zu: RSC fragment, which the model never enabled", m->off);
            continue;
        }
        switch (p.type) {
        case XSW_IEEE_8021Q_INFO:
            info.flags |= XSW_PKT_INFO_VLAN;
            info.vlan_tci = vc_ppi_to_tci(v);
            break;
        case XSW_TCPIP_CHKSUM_PKTINFO:
            info.flags |= XSW_PKT_INFO_CSUM;
            info.csum = v;
            break;
        case XSW_NBL_HASH_VALUE:
            info.flags |= XSW_PKT_INFO_HASH;
            info.hash = v;
            break;
        default:
            break;
        }
    }
    if (rc < 0)
        return vc_report(ch, GS, "PACKET_MSG at %zu, per-packet info at %u: %s", m->off, 8 + m->u.pkt.ppi_off, err);
    const uint8_t *frame = m->u.pkt.data;
    uint32_t flen = dlen;
    if (info.flags & XSW_PKT_INFO_VLAN) {
        flen = vc_vlan_insert(ch->frame_g, frame, dlen, info.vlan_tci);
        frame = ch->frame_g;
    }
    ch->st.rx_frames++;
    if (ch->ops.host_frame_to_guest)
        ch->ops.host_frame_to_guest(ch->ctx, frame, flen, &info);
    return 0;
}

/* rndis_filter_receive_response(): match the completion to the outstanding request. */
static int rx_response(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    struct vc_guest *g = &ch->g;
    const char *name = xsw_rndis_msg_name(m->type);
    if (!g->rr.waiting || g->rr.done || m->request_id != g->rr.req_id)
        return vc_report(ch, GS, "%s RequestId %u answers no outstanding request", name, m->request_id);
    if (m->type != (g->rr.type | 0x80000000u))
        return vc_report(ch, GS, "%s answers %s RequestId %u", name, xsw_rndis_msg_name(g->rr.type), m->request_id);
    g->rr.status = m->status;
    g->rr.info_len = 0;
    if (m->type == XSW_REMOTE_NDIS_INITIALIZE_CMPLT) {
        xsw_st_le32(g->rr.info, m->u.init_cmplt.max_pkts);
        xsw_st_le32(g->rr.info + 4, m->u.init_cmplt.align_factor);
        g->rr.info_len = 8;
    } else if (m->type == XSW_REMOTE_NDIS_QUERY_CMPLT) {
        if (m->u.query_cmplt.info_len > sizeof g->rr.info) {
            g->rr.status = VC_NDIS_STATUS_BUFFER_OVERFLOW;
        } else {
            g->rr.info_len = m->u.query_cmplt.info_len;
            if (g->rr.info_len)
                memcpy(g->rr.info, m->u.query_cmplt.info, g->rr.info_len);
        }
    }
    g->rr.done = 1;
    return 0;
}

/* netvsc_linkstatus_callback(). */
static int rx_indicate(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    struct vc_guest *g = &ch->g;
    ch->st.status_indications++;
    switch (m->status) {
    case VC_NDIS_STATUS_MEDIA_CONNECT:
    case VC_NDIS_STATUS_NETWORK_CHANGE: /* Linux reports a down/up cycle; the link ends up */
        g->link_up = 1;
        break;
    case VC_NDIS_STATUS_MEDIA_DISCONNECT:
        g->link_up = 0;
        break;
    case VC_NDIS_STATUS_LINK_SPEED_CHANGE:
        if (m->u.indicate.buf_len < 4)
            return vc_report(ch, GS, "LINK_SPEED_CHANGE with a %u-byte status buffer", m->u.indicate.buf_len);
        g->link_speed = xsw_ld_le32(m->u.indicate.buf);
        break;
    default:
        break;
    }
    return 0;
}

/* One transfer-page range = one RNDIS message (§1.3). Returns an NVSP status. */
static uint32_t rx_range(struct xsw_vmchan *ch, uint32_t idx, const uint8_t *buf, uint32_t len)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_msg m;
    size_t pos = 0;
    int rc = xsw_rndis_next(buf, len, &pos, &m, err, sizeof err);
    if (rc <= 0) {
        vc_report(ch, GS, "range %u: %s", idx, rc == 0 ? "empty" : err);
        return XSW_NVSP_STAT_FAIL;
    }
    if (pos != len) {
        vc_report(ch, GS, "range %u holds %zu bytes after its %s", idx, len - pos, xsw_rndis_msg_name(m.type));
        return XSW_NVSP_STAT_FAIL;
    }
    switch (m.type) {
    case XSW_REMOTE_NDIS_PACKET_MSG:
        rc = rx_packet(ch, &m);
        break;
    case XSW_REMOTE_NDIS_INITIALIZE_CMPLT:
    case XSW_REMOTE_NDIS_QUERY_CMPLT:
    case XSW_REMOTE_NDIS_SET_CMPLT:
    case XSW_REMOTE_NDIS_KEEPALIVE_CMPLT:
        rc = rx_response(ch, &m);
        break;
    case XSW_REMOTE_NDIS_INDICATE_STATUS_MSG:
        rc = rx_indicate(ch, &m);
        break;
    default:
        rc = vc_report(ch, GS, "range %u: unhandled RNDIS %s", idx, xsw_rndis_msg_name(m.type));
        break;
    }
    return rc ? XSW_NVSP_STAT_FAIL : XSW_NVSP_STAT_SUCCESS;
}

/* netvsc_receive(): validate, hand each range to RNDIS, complete the packet with its status. */
static void on_xfer(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt)
{
    struct vc_guest *g = &ch->g;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_nvsp_msg nv;
    if (xsw_nvsp_decode(pkt->payload, pkt->payload_len, &nv, err, sizeof err)) {
        vc_report(ch, GS, "transfer-page packet trans_id %llu, NVSP at %u: %s", (unsigned long long)pkt->trans_id,
                  pkt->hdr_len, err);
        return;
    }
    if (nv.type != XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT) {
        vc_report(ch, GS, "transfer-page packet carries %s, not SEND_RNDIS_PKT", xsw_nvsp_type_name(nv.type));
        return;
    }
    if (!g->recv_section_size) {
        vc_report(ch, GS, "transfer-page packet before the receive buffer was established");
        return;
    }
    uint32_t status = XSW_NVSP_STAT_SUCCESS;
    struct xsw_vmbus_range_iter it = XSW_VMBUS_RANGE_ITER_INIT;
    struct xsw_vmbus_range r;
    ch->st.rx_xfer_pkts++;
    for (uint32_t i = 0; xsw_vmbus_range_next(pkt, &it, &r) > 0; i++) {
        if (r.byte_offset > ch->recv_size || r.byte_count > ch->recv_size - r.byte_offset ||
            r.byte_count > g->recv_section_size) {
            vc_report(ch, GS, "range %u (offset %u, %u bytes) is outside the receive buffer or its %u-byte sections",
                      i, r.byte_offset, r.byte_count, g->recv_section_size);
            status = XSW_NVSP_STAT_FAIL;
            continue;
        }
        uint32_t s = rx_range(ch, i, ch->recvbuf + r.byte_offset, r.byte_count);
        if (s != XSW_NVSP_STAT_SUCCESS)
            status = s;
    }
    /* netvsc_send_recv_completion(): 8 bytes, flags 0, the packet's trans_id. */
    uint8_t ack[XSW_NVSP_RX_ACK_SIZE];
    xsw_st_le32(ack, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
    xsw_st_le32(ack + 4, status);
    uint32_t len = vc_build_simple(ch->pkt_g, XSW_VM_PKT_COMP, 0, pkt->trans_id, ack, sizeof ack);
    vc_send(ch, VC_G2H, ch->pkt_g, len, NULL, 0);
}

/* netvsc_receive_inband(): only SEND_INDIRECTION_TABLE and SEND_VF_ASSOCIATION are handled. */
static void on_inband(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt)
{
    struct vc_guest *g = &ch->g;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_nvsp_msg nv;
    if (xsw_nvsp_decode(pkt->payload, pkt->payload_len, &nv, err, sizeof err)) {
        vc_report(ch, GS, "in-band packet trans_id %llu, NVSP at %u: %s", (unsigned long long)pkt->trans_id,
                  pkt->hdr_len, err);
        return;
    }
    switch (nv.type) {
    case XSW_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE: {
        /* netvsc_send_table(): hosts up to V6 may put a wrong offset; the table is at 40. */
        uint32_t off = nv.u.indirection.offset, msglen = pkt->payload_len;
        if (g->nvsp_ver <= XSW_NVSP_PROTOCOL_VERSION_6 && msglen >= XSW_NVSP_TABLE_OFFSET_QUIRK)
            off = XSW_NVSP_TABLE_OFFSET_QUIRK;
        if (msglen < 4 * XSW_VRSS_SEND_TAB_SIZE || off > msglen - 4 * XSW_VRSS_SEND_TAB_SIZE) {
            vc_report(ch, GS, "SEND_INDIRECTION_TABLE at offset %u does not fit the %u-byte message", off, msglen);
            return;
        }
        for (uint32_t i = 0; i < XSW_VRSS_SEND_TAB_SIZE; i++)
            g->tx_table[i] = xsw_ld_le32(pkt->payload + off + 4 * i);
        ch->st.indirection_tables++;
        g->got_table = 1;
        break;
    }
    case XSW_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION:
        /* Linux never completes this message, even when the host asks for it. */
        g->vf_alloc = nv.u.vf_assoc.allocated != 0;
        g->vf_serial = nv.u.vf_assoc.serial;
        break;
    default:
        vc_report(ch, GS, "unhandled in-band %s, trans_id %llu", xsw_nvsp_type_name(nv.type),
                  (unsigned long long)pkt->trans_id);
        break;
    }
}

void vc_guest_recv(struct xsw_vmchan *ch, const uint8_t *p, uint32_t len)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_vmbus_pkt pkt;
    if (xsw_vmbus_pkt_decode(p, len, &pkt, err, sizeof err)) {
        vc_report(ch, GS, "host-to-guest packet: %s", err);
        return;
    }
    switch (pkt.type) {
    case XSW_VM_PKT_COMP:
        on_comp(ch, &pkt);
        break;
    case XSW_VM_PKT_DATA_USING_XFER_PAGES:
        on_xfer(ch, &pkt);
        break;
    case XSW_VM_PKT_DATA_INBAND:
        on_inband(ch, &pkt);
        break;
    default:
        vc_report(ch, GS, "unexpected %s from the host", xsw_vmbus_pkt_name(pkt.type));
        break;
    }
}

/* ---- VF data path and teardown -------------------------------------------------------- */

int vc_guest_switch_datapath(struct xsw_vmchan *ch, int to_vf)
{
    struct vc_guest *g = &ch->g;
    if (g->state != 1 || g->nvsp_ver < XSW_NVSP_PROTOCOL_VERSION_4)
        return vc_fail(ch, GS, XSW_EINVAL, "SWITCH_DATA_PATH needs an up channel with NVSP >= V4");
    if (to_vf && !g->vf_alloc)
        return vc_fail(ch, GS, XSW_EINVAL, "SWITCH_DATA_PATH to the VF before the host associated one");
    uint8_t msg[XSW_NVSP_MSG_SIZE], resp[VC_COMP_MAX];
    uint32_t rlen = 0;
    vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH);
    xsw_st_le32(msg + 4, to_vf ? XSW_NVSP_DATAPATH_VF : XSW_NVSP_DATAPATH_SYNTHETIC);
    int rc = nvsp_request(ch, msg, resp, &rlen);
    if (rc)
        return rc;
    g->dp_vf = to_vf != 0;
    return 0;
}

int vc_guest_teardown(struct xsw_vmchan *ch)
{
    struct vc_guest *g = &ch->g;
    if (g->state != 1)
        return vc_fail(ch, GS, XSW_EINVAL, "teardown of a channel that is not up");
    vc_host_flush(ch);
    /* ndo_stop: rndis_filter_close() clears the packet filter. */
    uint8_t f[4] = { 0, 0, 0, 0 };
    int rc = rndis_set(ch, VC_OID_GEN_CURRENT_PACKET_FILTER, f, 4);
    if (rc < 0)
        return rc;
    /* rndis_filter_halt_device(): HALT has no RNDIS answer. */
    uint8_t halt[12];
    xsw_st_le32(halt, XSW_REMOTE_NDIS_HALT_MSG);
    xsw_st_le32(halt + 4, sizeof halt);
    xsw_st_le32(halt + 8, ++g->rndis_req_id);
    if ((rc = rndis_transact(ch, halt, sizeof halt, 0)))
        return rc;
    /* netvsc_revoke_recv_buf() / netvsc_revoke_send_buf(): flags 0, no response. */
    uint8_t msg[XSW_NVSP_MSG_SIZE];
    vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG1_TYPE_REVOKE_RECV_BUF);
    xsw_st_le16(msg + 4, XSW_NETVSC_RECEIVE_BUFFER_ID);
    if ((rc = nvsp_request(ch, msg, NULL, NULL)))
        return rc;
    vc_nvsp_init(msg, sizeof msg, XSW_NVSP_MSG1_TYPE_REVOKE_SEND_BUF);
    xsw_st_le16(msg + 4, XSW_NETVSC_SEND_BUFFER_ID);
    if ((rc = nvsp_request(ch, msg, NULL, NULL)))
        return rc;
    g->state = 2;
    g->recv_section_size = 0;
    return 0;
}
