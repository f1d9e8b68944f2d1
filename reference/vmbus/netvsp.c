/*
 * netvsp.c - the host end of the channel model: a NetVSP as Linux netvsc
 * and OpenVMM's netvsp expect it to behave.
 *
 * Normative reference: ../shared/reference/vmbus-nvsp-rndis.md §2.2
 * (version negotiation), §2.5 (message bodies), §2.6 (buffer constants),
 * §2.7-2.10 (bring-up, data path, VF, teardown), §3 (RNDIS). Where the
 * reference leaves a host choice open the model follows OpenVMM: NVSP
 * messages padded to 28 bytes before V61 and 40 from V61 (§2.1),
 * INITIALIZE_CMPLT with MaxPacketsPerMessage 8 and PacketAlignmentFactor 3
 * (§3.2), SEND_VF_ASSOCIATION with completion requested and trans_id
 * 0x8000000000000000 (§1.7), SEND_INDIRECTION_TABLE with trans_id 0 (§2.7).
 *
 * The host reads what the guest sends only by decoding packet bytes and the
 * RNDIS bytes they reference (a send-buffer section, or guest pages gathered
 * PFN by PFN from GPA-direct ranges); it answers by writing RNDIS messages
 * into receive-buffer sections and naming them in transfer-page packets.
 */
#include <stdio.h>
#include <string.h>

#include "vmbus_int.h"

enum { HS = 1 }; /* vc_report side */

static uint32_t msg_size(const struct vc_host *h)
{
    return h->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_61 ? XSW_NVSP_MSG_SIZE : XSW_NVSP_MSG_SIZE_V1;
}

static int send_comp(struct xsw_vmchan *ch, uint64_t tid, const uint8_t *nv, uint32_t nlen)
{
    uint32_t len = vc_build_simple(ch->pkt_h, XSW_VM_PKT_COMP, 0, tid, nv, nlen);
    return vc_send(ch, VC_H2G, ch->pkt_h, len, NULL, 0);
}

static int send_rndis_comp(struct xsw_vmchan *ch, uint64_t tid, uint32_t status)
{
    uint8_t nv[XSW_NVSP_MSG_SIZE];
    uint32_t n = msg_size(&ch->h);
    vc_nvsp_init(nv, n, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE);
    xsw_st_le32(nv + 4, status);
    return send_comp(ch, tid, nv, n);
}

/* ---- Receive-buffer sections and transfer-page packets ----------------------------------- */

static int sect_get(struct vc_host *h)
{
    return h->n_free ? (int)h->free_sect[--h->n_free] : -1;
}

static void sect_put(struct vc_host *h, uint32_t s)
{
    h->free_sect[h->n_free++] = s;
}

/*
 * Name "n" receive sections holding one RNDIS message each (lens[i] bytes)
 * in a transfer-page packet and send it; the sections come back with the
 * guest's completion of trans_id.
 */
static int xfer_send(struct xsw_vmchan *ch, const uint32_t *sect, const uint32_t *lens, uint32_t n, uint32_t ctype)
{
    struct vc_host *h = &ch->h;
    int slot = -1;
    for (int i = 0; i < VC_RXO_SLOTS; i++)
        if (!h->rxo[i].used) {
            slot = i;
            break;
        }
    if (slot < 0) {
        for (uint32_t i = 0; i < n; i++)
            sect_put(h, sect[i]);
        ch->st.rx_dropped += n;
        return vc_fail(ch, HS, XSW_ELIMIT, "%d transfer-page packets await their completion; %u messages dropped",
                       VC_RXO_SLOTS, n);
    }
    uint32_t ranges[VC_RX_BATCH][2];
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        ranges[i][0] = lens[i];
        ranges[i][1] = sect[i] * h->recv_section_size;
        total += lens[i];
        h->rxo[slot].sect[i] = sect[i];
    }
    h->rxo[slot].used = 1;
    h->rxo[slot].n = (uint8_t)n;
    h->rxo[slot].tid = ++h->next_tid;
    uint8_t nv[XSW_NVSP_MSG_SIZE];
    uint32_t nlen = msg_size(h);
    vc_nvsp_init(nv, nlen, XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT);
    xsw_st_le32(nv + 4, ctype);
    xsw_st_le32(nv + 8, XSW_NETVSC_INVALID_INDEX);
    xsw_st_le32(nv + 12, 0);
    uint32_t len = vc_build_xfer(ch->pkt_h, h->rxo[slot].tid, (const uint32_t(*)[2])ranges, n, nv, nlen);
    const uint8_t *shared = ch->recvbuf + ranges[0][1];
    if (n > 1 && ch->ops.emit) {
        /* The trace carries the ranges' bytes back to back (packet-vmbus.c's mapping). */
        uint32_t at = 0;
        for (uint32_t i = 0; i < n; i++) {
            memcpy(ch->emit_cat + at, ch->recvbuf + ranges[i][1], lens[i]);
            at += lens[i];
        }
        shared = ch->emit_cat;
    }
    int rc = vc_send(ch, VC_H2G, ch->pkt_h, len, shared, total);
    if (rc && h->rxo[slot].used && h->rxo[slot].tid == h->next_tid) {
        for (uint32_t i = 0; i < n; i++)
            sect_put(h, sect[i]);
        h->rxo[slot].used = 0;
    }
    return rc;
}

/* A control message (a *_CMPLT or INDICATE_STATUS) of "len" bytes in a section of its own. */
static uint8_t *ctrl_begin(struct xsw_vmchan *ch, uint32_t len, uint32_t *sect)
{
    struct vc_host *h = &ch->h;
    int s = sect_get(h);
    if (s < 0) {
        vc_report(ch, HS, "no receive section free for a control message");
        return NULL;
    }
    if (len > h->recv_section_size) {
        sect_put(h, (uint32_t)s);
        vc_report(ch, HS, "%u-byte control message does not fit a %u-byte section", len, h->recv_section_size);
        return NULL;
    }
    *sect = (uint32_t)s;
    uint8_t *q = ch->recvbuf + (size_t)s * h->recv_section_size;
    memset(q, 0, len);
    return q;
}

/*
 * While the host handles a SEND_RNDIS_PKT, its answers wait: the request's
 * completion (108) goes first and the *_CMPLT follows (§3.8).
 */
static int ctrl_send(struct xsw_vmchan *ch, uint32_t sect, uint32_t len)
{
    struct vc_host *h = &ch->h;
    if (h->defer && h->n_dq < sizeof h->dq_sect / sizeof h->dq_sect[0]) {
        h->dq_sect[h->n_dq] = sect;
        h->dq_len[h->n_dq] = len;
        h->n_dq++;
        return 0;
    }
    return xfer_send(ch, &sect, &len, 1, XSW_NVSP_CHANNEL_TYPE_CONTROL);
}

/* Complete a SEND_RNDIS_PKT (if asked to), then send the answers it produced. */
static void finish_rndis(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt, uint32_t status)
{
    struct vc_host *h = &ch->h;
    h->defer = 0;
    if (pkt->flags & XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
        send_rndis_comp(ch, pkt->trans_id, status);
    uint32_t n = h->n_dq;
    h->n_dq = 0;
    for (uint32_t i = 0; i < n; i++)
        xfer_send(ch, &h->dq_sect[i], &h->dq_len[i], 1, XSW_NVSP_CHANNEL_TYPE_CONTROL);
}

/* ---- RNDIS control ---------------------------------------------------------------------- */

/* ndis_offload as the host reports it, for the revision the guest asked for (hyperv_net.h layout). */
static uint32_t offload_caps(uint8_t *o, uint8_t rev)
{
    uint32_t size = rev >= XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_3   ? XSW_NDIS_OFFLOAD_SIZE
                    : rev == XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_2 ? XSW_NDIS_OFFLOAD_SIZE_6_1
                                                                    : XSW_NDIS_OFFLOAD_SIZE_6_0;
    memset(o, 0, size);
    o[0] = XSW_NDIS_OBJECT_TYPE_OFFLOAD;
    o[1] = rev;
    xsw_st_le16(o + 2, (uint16_t)size);
    uint32_t tx4 = XSW_NDIS_TXCSUM_CAP_IP4OPT | XSW_NDIS_TXCSUM_CAP_TCP4OPT | XSW_NDIS_TXCSUM_CAP_TCP4 |
                   XSW_NDIS_TXCSUM_CAP_UDP4 | XSW_NDIS_TXCSUM_CAP_IP4;
    uint32_t tx6 = XSW_NDIS_TXCSUM_CAP_IP6EXT | XSW_NDIS_TXCSUM_CAP_TCP6OPT | XSW_NDIS_TXCSUM_CAP_TCP6 |
                   XSW_NDIS_TXCSUM_CAP_UDP6;
    /* csum: ip4_txenc, ip4_txcsum, ip4_rxenc, ip4_rxcsum, ip6_txenc, ip6_txcsum, ip6_rxenc, ip6_rxcsum */
    const uint32_t csum[8] = { XSW_NDIS_OFFLOAD_ENCAP_8023, tx4, XSW_NDIS_OFFLOAD_ENCAP_8023, tx4,
                               XSW_NDIS_OFFLOAD_ENCAP_8023, tx6, XSW_NDIS_OFFLOAD_ENCAP_8023, tx6 };
    for (int i = 0; i < 8; i++)
        xsw_st_le32(o + 4 + 4 * i, csum[i]);
    /* lsov2 at 80: ip4 encap/maxsz/minsg, ip6 encap/maxsz/minsg/opts. The sizes are a host choice. */
    xsw_st_le32(o + 80, XSW_NDIS_OFFLOAD_ENCAP_8023);
    xsw_st_le32(o + 84, 62768);
    xsw_st_le32(o + 88, 2);
    xsw_st_le32(o + 92, XSW_NDIS_OFFLOAD_ENCAP_8023);
    xsw_st_le32(o + 96, 62768);
    xsw_st_le32(o + 100, 2);
    xsw_st_le32(o + 104, XSW_NDIS_LSOV2_CAP_IP6EXT | XSW_NDIS_LSOV2_CAP_TCP6OPT);
    /* rsc (144) stays 0: the model does not coalesce receives. */
    return size;
}

static int host_query(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    struct vc_host *h = &ch->h;
    uint8_t info[256];
    uint32_t ilen = 0, status = VC_NDIS_STATUS_SUCCESS;
    switch (m->u.req.oid) {
    case VC_OID_GEN_MAXIMUM_FRAME_SIZE:
        xsw_st_le32(info, ch->cfg.mtu);
        ilen = 4;
        break;
    case VC_OID_802_3_PERMANENT_ADDRESS:
    case VC_OID_802_3_CURRENT_ADDRESS:
        memcpy(info, ch->cfg.mac, 6);
        ilen = 6;
        break;
    case VC_OID_GEN_FRIENDLY_NAME:
        for (const char *s = ch->cfg.friendly_name; *s && ilen + 4 <= sizeof info; s++, ilen += 2)
            xsw_st_le16(info + ilen, (uint8_t)*s);
        xsw_st_le16(info + ilen, 0);
        ilen += 2;
        break;
    case VC_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES: {
        /* The input names the revision the guest understands (rndis_filter_query_device()). */
        uint8_t rev = m->u.req.info_len >= 4 && m->u.req.info[0] == XSW_NDIS_OBJECT_TYPE_OFFLOAD ? m->u.req.info[1] : 0;
        if (rev < XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_1 || rev > XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_3) {
            status = VC_NDIS_STATUS_INVALID_DATA;
            break;
        }
        ilen = offload_caps(info, rev);
        break;
    }
    case VC_OID_GEN_MEDIA_CONNECT_STATUS:
        xsw_st_le32(info, h->link_up ? XSW_NDIS_MEDIA_STATE_CONNECTED : XSW_NDIS_MEDIA_STATE_DISCONNECTED);
        ilen = 4;
        break;
    case VC_OID_GEN_LINK_SPEED:
        xsw_st_le32(info, ch->cfg.link_speed);
        ilen = 4;
        break;
    case VC_OID_GEN_RECEIVE_SCALE_CAPABILITIES:
        if (h->nvsp_ver < XSW_NVSP_PROTOCOL_VERSION_5) {
            status = VC_NDIS_STATUS_NOT_SUPPORTED;
            break;
        }
        memset(info, 0, XSW_NDIS_RSS_CAPS_SIZE);
        info[0] = XSW_NDIS_OBJECT_TYPE_RSS_CAPABILITIES;
        info[1] = XSW_NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2;
        xsw_st_le16(info + 2, XSW_NDIS_RSS_CAPS_SIZE);
        xsw_st_le32(info + 4, XSW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 | XSW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6 |
                                  XSW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6_EX);
        xsw_st_le32(info + 8, ch->cfg.host_queues);
        xsw_st_le32(info + 12, ch->cfg.host_queues);
        xsw_st_le16(info + 16, XSW_ITAB_NUM);
        ilen = XSW_NDIS_RSS_CAPS_SIZE;
        break;
    default:
        status = VC_NDIS_STATUS_NOT_SUPPORTED;
        break;
    }
    uint32_t sect, len = 24 + ilen;
    uint8_t *q = ctrl_begin(ch, len, &sect);
    if (!q)
        return XSW_ELIMIT;
    xsw_st_le32(q, XSW_REMOTE_NDIS_QUERY_CMPLT);
    xsw_st_le32(q + 4, len);
    xsw_st_le32(q + 8, m->request_id);
    xsw_st_le32(q + 12, status);
    xsw_st_le32(q + 16, ilen);
    xsw_st_le32(q + 20, 16); /* sizeof(struct rndis_query_complete): the buffer follows */
    memcpy(q + 24, info, ilen);
    return ctrl_send(ch, sect, len);
}

/* OID_GEN_RECEIVE_SCALE_PARAMETERS: header, indirection table, key, all bounds-checked in the buffer. */
static uint32_t set_rss(struct xsw_vmchan *ch, const uint8_t *b, uint32_t n)
{
    struct vc_host *h = &ch->h;
    uint16_t flag = 0, tabsize = 0, keysize = 0;
    uint32_t hashinfo = 0, taboff = 0, keyoff = 0;
    uint8_t type = 0;
    if (n < XSW_NDIS_RSS_PARAMS_SIZE || xsw_get_u8(b, n, 0, &type) || type != XSW_NDIS_OBJECT_TYPE_RSS_PARAMETERS)
        return VC_NDIS_STATUS_INVALID_DATA;
    xsw_get_u16(b, n, 4, &flag);
    xsw_get_u32(b, n, 8, &hashinfo);
    xsw_get_u16(b, n, 12, &tabsize);
    xsw_get_u32(b, n, 16, &taboff);
    xsw_get_u16(b, n, 20, &keysize);
    xsw_get_u32(b, n, 24, &keyoff);
    if (flag & XSW_NDIS_RSS_PARAM_FLAG_DISABLE_RSS) {
        h->rss_enabled = 0;
        return VC_NDIS_STATUS_SUCCESS;
    }
    uint32_t entries = tabsize / 4;
    if (tabsize % 4 || entries == 0 || entries > 256 || (uint64_t)taboff + tabsize > n ||
        keysize != XSW_NETVSC_HASH_KEYLEN || (uint64_t)keyoff + keysize > n)
        return VC_NDIS_STATUS_INVALID_DATA;
    for (uint32_t i = 0; i < entries; i++) {
        uint32_t q = xsw_ld_le32(b + taboff + 4 * i);
        if (q > h->num_subch)
            return VC_NDIS_STATUS_INVALID_DATA;
        h->rss_table[i] = q;
    }
    memcpy(h->rss_key, b + keyoff, XSW_NETVSC_HASH_KEYLEN);
    h->rss_table_sz = entries;
    h->rss_hashinfo = hashinfo;
    h->rss_enabled = 1;
    return VC_NDIS_STATUS_SUCCESS;
}

static int host_set(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    struct vc_host *h = &ch->h;
    const uint8_t *b = m->u.req.info;
    uint32_t n = m->u.req.info_len, status = VC_NDIS_STATUS_SUCCESS;
    switch (m->u.req.oid) {
    case VC_OID_TCP_OFFLOAD_PARAMETERS: {
        uint16_t osize = n >= 4 ? xsw_ld_le16(b + 2) : 0;
        if (n < XSW_VERSION_4_OFFLOAD_SIZE || b[0] != XSW_NDIS_OBJECT_TYPE_DEFAULT || osize > n) {
            status = VC_NDIS_STATUS_INVALID_DATA;
            break;
        }
        h->offload_len = n < sizeof h->offload ? n : (uint32_t)sizeof h->offload;
        memcpy(h->offload, b, h->offload_len);
        static const uint32_t bit[4] = { 0x01, 0x02, 0x10, 0x20 }; /* tcp4, udp4, tcp6, udp6 at 5..8 */
        h->tx_csum_ok = 0;
        for (int i = 0; i < 4; i++)
            if (b[5 + i] == XSW_NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED ||
                b[5 + i] == XSW_NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)
                h->tx_csum_ok |= bit[i];
        break;
    }
    case VC_OID_GEN_RECEIVE_SCALE_PARAMETERS:
        status = h->nvsp_ver >= XSW_NVSP_PROTOCOL_VERSION_5 ? set_rss(ch, b, n) : VC_NDIS_STATUS_NOT_SUPPORTED;
        break;
    case VC_OID_GEN_CURRENT_PACKET_FILTER:
        if (n != 4) {
            status = VC_NDIS_STATUS_INVALID_LENGTH;
            break;
        }
        h->packet_filter = xsw_ld_le32(b);
        break;
    default:
        status = VC_NDIS_STATUS_NOT_SUPPORTED;
        break;
    }
    uint32_t sect, len = 16;
    uint8_t *q = ctrl_begin(ch, len, &sect);
    if (!q)
        return XSW_ELIMIT;
    xsw_st_le32(q, XSW_REMOTE_NDIS_SET_CMPLT);
    xsw_st_le32(q + 4, len);
    xsw_st_le32(q + 8, m->request_id);
    xsw_st_le32(q + 12, status);
    return ctrl_send(ch, sect, len);
}

static int host_ctrl(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    struct vc_host *h = &ch->h;
    const char *name = xsw_rndis_msg_name(m->type);
    uint32_t sect;
    uint8_t *q;
    switch (m->type) {
    case XSW_REMOTE_NDIS_INITIALIZE_MSG:
        if (h->rndis_state == 1)
            return vc_report(ch, HS, "second RNDIS INITIALIZE");
        if (!(q = ctrl_begin(ch, 52, &sect)))
            return XSW_ELIMIT;
        xsw_st_le32(q, XSW_REMOTE_NDIS_INITIALIZE_CMPLT);
        xsw_st_le32(q + 4, 52);
        xsw_st_le32(q + 8, m->request_id);
        xsw_st_le32(q + 12, VC_NDIS_STATUS_SUCCESS);
        xsw_st_le32(q + 16, XSW_RNDIS_MAJOR_VERSION);
        xsw_st_le32(q + 20, XSW_RNDIS_MINOR_VERSION);
        xsw_st_le32(q + 24, XSW_RNDIS_DF_CONNECTIONLESS);
        xsw_st_le32(q + 28, XSW_RNDIS_MEDIUM_802_3);
        xsw_st_le32(q + 32, XSW_RNDIS_MAX_PKT_DEFAULT);
        xsw_st_le32(q + 36, XSW_OPENVMM_RNDIS_MAX_XFER_SIZE);
        xsw_st_le32(q + 40, XSW_OPENVMM_RNDIS_PKT_ALIGNMENT_FACTOR);
        h->rndis_state = 1;
        return ctrl_send(ch, sect, 52);
    case XSW_REMOTE_NDIS_QUERY_MSG:
    case XSW_REMOTE_NDIS_SET_MSG:
        if (h->rndis_state != 1)
            return vc_report(ch, HS, "RNDIS %s before INITIALIZE", name);
        return m->type == XSW_REMOTE_NDIS_QUERY_MSG ? host_query(ch, m) : host_set(ch, m);
    case XSW_REMOTE_NDIS_HALT_MSG:
        h->rndis_state = 2;
        h->packet_filter = 0;
        return 0;
    case XSW_REMOTE_NDIS_KEEPALIVE_MSG:
        if (!(q = ctrl_begin(ch, 16, &sect)))
            return XSW_ELIMIT;
        xsw_st_le32(q, XSW_REMOTE_NDIS_KEEPALIVE_CMPLT);
        xsw_st_le32(q + 4, 16);
        xsw_st_le32(q + 8, m->request_id);
        xsw_st_le32(q + 12, VC_NDIS_STATUS_SUCCESS);
        return ctrl_send(ch, sect, 16);
    default:
        return vc_report(ch, HS, "RNDIS %s on the control channel", name ? name : "message");
    }
}

/* ---- RNDIS data from the guest ------------------------------------------------------------ */

/* A PACKET_MSG from the guest: PPIs, the checksum request checked against what was enabled. */
static int host_frame(struct xsw_vmchan *ch, const struct xsw_rndis_msg *m)
{
    struct vc_host *h = &ch->h;
    char err[XSW_ERRBUF_SIZE];
    uint32_t dlen = m->u.pkt.data_len;
    if (dlen < VC_ETH_HLEN || dlen > ch->cfg.mtu + VC_ETH_HLEN)
        return vc_report(ch, HS, "PACKET_MSG at %zu: DataLength %u is not a frame for MTU %u", m->off, dlen,
                         ch->cfg.mtu);
    struct xsw_pkt_info info;
    memset(&info, 0, sizeof info);
    struct xsw_rndis_ppi p;
    size_t pos = 0;
    int rc;
    while ((rc = xsw_rndis_ppi_next(m->u.pkt.ppi, m->u.pkt.ppi_len, &pos, &p, err, sizeof err)) > 0) {
        if (p.internal || p.data_len < 4)
            continue;
        uint32_t v = xsw_ld_le32(p.data);
        switch (p.type) {
        case XSW_IEEE_8021Q_INFO:
            info.flags |= XSW_PKT_INFO_VLAN;
            info.vlan_tci = vc_ppi_to_tci(v);
            break;
        case XSW_NBL_HASH_VALUE:
            info.flags |= XSW_PKT_INFO_HASH;
            info.hash = v;
            break;
        case XSW_TCPIP_CHKSUM_PKTINFO: {
            uint32_t need = 0;
            if (v & 1) /* is_ipv4 */
                need |= (v & 4 ? 0x01u : 0) | (v & 8 ? 0x02u : 0);
            if (v & 2) /* is_ipv6 */
                need |= (v & 4 ? 0x10u : 0) | (v & 8 ? 0x20u : 0);
            if (need & ~h->tx_csum_ok)
                return vc_report(ch, HS, "PACKET_MSG at %zu asks for checksum offload 0x%08x that was not enabled",
                                 m->off, v);
            info.flags |= XSW_PKT_INFO_CSUM;
            info.csum = v;
            break;
        }
        default:
            break;
        }
    }
    if (rc < 0)
        return vc_report(ch, HS, "PACKET_MSG at %zu, per-packet info at %u: %s", m->off, 8 + m->u.pkt.ppi_off, err);
    const uint8_t *frame = m->u.pkt.data;
    uint32_t flen = dlen;
    if (info.flags & XSW_PKT_INFO_VLAN) {
        flen = vc_vlan_insert(ch->frame_h, frame, dlen, info.vlan_tci);
        frame = ch->frame_h;
    }
    ch->st.tx_frames++;
    if (ch->ops.guest_frame_to_host)
        ch->ops.guest_frame_to_host(ch->ctx, frame, flen, &info);
    return 0;
}

/* The RNDIS messages of one SEND_RNDIS_PKT; returns the NVSP status of its completion. */
static uint32_t host_rndis(struct xsw_vmchan *ch, uint32_t ctype, const uint8_t *buf, uint32_t len, const char *where)
{
    struct vc_host *h = &ch->h;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_msg m;
    size_t pos = 0;
    uint32_t n = 0, status = XSW_NVSP_STAT_SUCCESS;
    int rc;
    while ((rc = xsw_rndis_next(buf, len, &pos, &m, err, sizeof err)) > 0) {
        n++;
        if (ctype == XSW_NVSP_CHANNEL_TYPE_CONTROL) {
            if (host_ctrl(ch, &m))
                status = XSW_NVSP_STAT_FAIL;
            continue;
        }
        if (m.type != XSW_REMOTE_NDIS_PACKET_MSG) {
            vc_report(ch, HS, "%s: %s on the data channel", where, xsw_rndis_msg_name(m.type));
            status = XSW_NVSP_STAT_INVALID_RNDIS_PKT;
        } else if (h->rndis_state != 1) {
            vc_report(ch, HS, "%s: PACKET_MSG while RNDIS is not initialized", where);
            status = XSW_NVSP_STAT_FAIL;
        } else if (host_frame(ch, &m)) {
            status = XSW_NVSP_STAT_INVALID_RNDIS_PKT;
        }
    }
    if (rc < 0) {
        vc_report(ch, HS, "%s: %s", where, err);
        return XSW_NVSP_STAT_INVALID_RNDIS_PKT;
    }
    if (n == 0) {
        vc_report(ch, HS, "%s: no RNDIS message", where);
        return XSW_NVSP_STAT_INVALID_RNDIS_PKT;
    }
    if (ctype == XSW_NVSP_CHANNEL_TYPE_DATA && n > XSW_RNDIS_MAX_PKT_DEFAULT) {
        vc_report(ch, HS, "%s: %u PACKET_MSGs, INITIALIZE_CMPLT allowed %d", where, n, XSW_RNDIS_MAX_PKT_DEFAULT);
        return XSW_NVSP_STAT_INVALID_RNDIS_PKT;
    }
    return status;
}

/* ---- Packets from the guest ----------------------------------------------------------------- */

static int is_known_version(uint32_t v)
{
    return xsw_nvsp_version_name(v) != NULL;
}

static void on_init(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt, const struct xsw_nvsp_msg *nv)
{
    struct vc_host *h = &ch->h;
    /* The guest offers [min, max]; the host takes the newest version it knows in that range. */
    uint32_t v = nv->u.init.max_ver;
    int ok = !h->inited && nv->u.init.min_ver <= v && is_known_version(v) && v <= ch->cfg.host_max_nvsp_version;
    if (ok) {
        h->inited = 1;
        h->nvsp_ver = v;
    }
    uint8_t m[XSW_NVSP_MSG_SIZE];
    uint32_t n = msg_size(h);
    vc_nvsp_init(m, n, XSW_NVSP_MSG_TYPE_INIT_COMPLETE);
    xsw_st_le32(m + 4, ok ? v : 0);
    xsw_st_le32(m + 8, 0); /* max_mdl_chain_len: deprecated, not relied upon */
    xsw_st_le32(m + 12, ok ? XSW_NVSP_STAT_SUCCESS : XSW_NVSP_STAT_FAIL);
    send_comp(ch, pkt->trans_id, m, n);
}

static void on_recv_buf(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt, const struct xsw_nvsp_msg *nv)
{
    struct vc_host *h = &ch->h;
    int ok = h->inited && !h->recv_ok && nv->u.buf.id == XSW_NETVSC_RECEIVE_BUFFER_ID &&
             nv->u.buf.gpadl == ch->gpadl_recv;
    if (!ok)
        vc_report(ch, HS, "SEND_RECV_BUF gpadl 0x%x id 0x%x refused", nv->u.buf.gpadl, nv->u.buf.id);
    uint32_t cnt = ch->recv_size / h->recv_section_size;
    if (ok) {
        h->recv_ok = 1;
        h->recv_section_cnt = cnt;
        h->n_free = 0;
        for (uint32_t i = cnt; i-- > 0;)
            sect_put(h, i);
    }
    uint8_t m[XSW_NVSP_MSG_SIZE];
    uint32_t n = msg_size(h);
    vc_nvsp_init(m, n, XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE);
    xsw_st_le32(m + 4, ok ? XSW_NVSP_STAT_SUCCESS : XSW_NVSP_STAT_FAIL);
    xsw_st_le32(m + 8, ok ? 1 : 0);
    if (ok) {
        xsw_st_le32(m + 12, 0);
        xsw_st_le32(m + 16, h->recv_section_size);
        xsw_st_le32(m + 20, cnt);
        xsw_st_le32(m + 24, cnt * h->recv_section_size);
    }
    send_comp(ch, pkt->trans_id, m, n);
}

static void on_send_buf(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt, const struct xsw_nvsp_msg *nv)
{
    struct vc_host *h = &ch->h;
    int ok = h->inited && !h->send_ok && nv->u.buf.gpadl == ch->gpadl_send;
    if (!ok)
        vc_report(ch, HS, "SEND_SEND_BUF gpadl 0x%x id 0x%x refused", nv->u.buf.gpadl, nv->u.buf.id);
    if (ok) {
        h->send_ok = 1;
        h->send_section_size = XSW_NETVSC_SEND_SECTION_SIZE;
        h->send_section_cnt = ch->send_size / h->send_section_size;
    }
    uint8_t m[XSW_NVSP_MSG_SIZE];
    uint32_t n = msg_size(h);
    vc_nvsp_init(m, n, XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE);
    xsw_st_le32(m + 4, ok ? XSW_NVSP_STAT_SUCCESS : XSW_NVSP_STAT_FAIL);
    xsw_st_le32(m + 8, ok ? h->send_section_size : 0);
    send_comp(ch, pkt->trans_id, m, n);
}

static void on_subchannel(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt, const struct xsw_nvsp_msg *nv)
{
    struct vc_host *h = &ch->h;
    uint32_t want = nv->u.subchannel.num_subchannels, have = ch->cfg.host_queues - 1;
    int ok = nv->u.subchannel.op_or_status == XSW_NVSP_SUBCHANNEL_ALLOCATE;
    uint32_t n = ok ? (want < have ? want : have) : 0;
    if (ok)
        h->num_subch = n;
    uint8_t m[XSW_NVSP_MSG_SIZE];
    uint32_t sz = msg_size(h);
    vc_nvsp_init(m, sz, XSW_NVSP_MSG5_TYPE_SUBCHANNEL);
    xsw_st_le32(m + 4, ok ? XSW_NVSP_STAT_SUCCESS : XSW_NVSP_STAT_FAIL);
    xsw_st_le32(m + 8, n);
    send_comp(ch, pkt->trans_id, m, sz);
    if (!ok || n == 0)
        return;
    /* The send indirection table for the new queues: 16 u32 right after the 40-byte message. */
    uint8_t t[XSW_NVSP_TABLE_OFFSET_QUIRK + 4 * XSW_VRSS_SEND_TAB_SIZE];
    vc_nvsp_init(t, sizeof t, XSW_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE);
    xsw_st_le32(t + 4, XSW_VRSS_SEND_TAB_SIZE);
    xsw_st_le32(t + 8, XSW_NVSP_TABLE_OFFSET_QUIRK);
    for (uint32_t i = 0; i < XSW_VRSS_SEND_TAB_SIZE; i++)
        xsw_st_le32(t + XSW_NVSP_TABLE_OFFSET_QUIRK + 4 * i, i % (n + 1));
    uint32_t len = vc_build_simple(ch->pkt_h, XSW_VM_PKT_DATA_INBAND, 0, 0, t, sizeof t);
    vc_send(ch, VC_H2G, ch->pkt_h, len, NULL, 0);
}

/* SEND_RNDIS_PKT naming a send-buffer section. */
static void on_section(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt, const struct xsw_nvsp_msg *nv)
{
    struct vc_host *h = &ch->h;
    uint32_t idx = nv->u.rndis_pkt.section_index, size = nv->u.rndis_pkt.section_size, status;
    char where[96];
    snprintf(where, sizeof where, "send section %u (trans_id %llu)", idx, (unsigned long long)pkt->trans_id);
    if (!h->send_ok || idx >= h->send_section_cnt || size == 0 || size > h->send_section_size) {
        vc_report(ch, HS, "SEND_RNDIS_PKT names section %u of %u bytes; %u sections of %u bytes are established",
                  idx, size, h->send_ok ? h->send_section_cnt : 0, h->send_section_size);
        status = XSW_NVSP_STAT_FAIL;
    } else {
        h->defer = 1;
        status = host_rndis(ch, nv->u.rndis_pkt.channel_type,
                            ch->sendbuf + (size_t)idx * h->send_section_size, size, where);
    }
    finish_rndis(ch, pkt, status);
}

static void on_inband(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt)
{
    struct vc_host *h = &ch->h;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_nvsp_msg nv;
    if (xsw_nvsp_decode(pkt->payload, pkt->payload_len, &nv, err, sizeof err)) {
        vc_report(ch, HS, "in-band packet trans_id %llu, NVSP at %u: %s", (unsigned long long)pkt->trans_id,
                  pkt->hdr_len, err);
        return;
    }
    const char *name = xsw_nvsp_type_name(nv.type);
    int rc_flag = pkt->flags & XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
    uint32_t need_ver = 0;
    int need_rc = 0;
    switch (nv.type) {
    case XSW_NVSP_MSG_TYPE_INIT:
    case XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF:
    case XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF:
        need_rc = 1;
        break;
    case XSW_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
        need_ver = XSW_NVSP_PROTOCOL_VERSION_2;
        break;
    case XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
        need_ver = XSW_NVSP_PROTOCOL_VERSION_4;
        break;
    case XSW_NVSP_MSG5_TYPE_SUBCHANNEL:
        need_ver = XSW_NVSP_PROTOCOL_VERSION_5;
        need_rc = 1;
        break;
    default:
        break;
    }
    if (need_rc && !rc_flag) {
        vc_report(ch, HS, "%s without completion requested", name);
        return;
    }
    if (nv.type != XSW_NVSP_MSG_TYPE_INIT && !h->inited) {
        vc_report(ch, HS, "%s before INIT", name);
        return;
    }
    if (need_ver && h->nvsp_ver < need_ver) {
        vc_report(ch, HS, "%s needs %s, %s was negotiated", name, xsw_nvsp_version_name(need_ver),
                  xsw_nvsp_version_name(h->nvsp_ver));
        return;
    }
    switch (nv.type) {
    case XSW_NVSP_MSG_TYPE_INIT:
        on_init(ch, pkt, &nv);
        break;
    case XSW_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
        h->ndis_mtu = nv.u.ndis_config.mtu;
        h->caps = nv.u.ndis_config.capability;
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_NDIS_VER:
        if (nv.u.ndis_ver.major != 6)
            vc_report(ch, HS, "SEND_NDIS_VER %u.%u is not NDIS 6", nv.u.ndis_ver.major, nv.u.ndis_ver.minor);
        h->ndis_ver = nv.u.ndis_ver.major << 16 | (nv.u.ndis_ver.minor & 0xFFFF);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF:
        on_recv_buf(ch, pkt, &nv);
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_SEND_BUF:
        on_send_buf(ch, pkt, &nv);
        break;
    case XSW_NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
        if (nv.u.revoke.id != XSW_NETVSC_RECEIVE_BUFFER_ID)
            vc_report(ch, HS, "REVOKE_RECV_BUF id 0x%x", nv.u.revoke.id);
        h->recv_ok = 0;
        h->n_pend = 0;
        h->n_free = 0;
        memset(h->rxo, 0, sizeof h->rxo);
        break;
    case XSW_NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
        h->send_ok = 0;
        break;
    case XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
        if (nv.u.rndis_pkt.section_index == XSW_NETVSC_INVALID_INDEX) {
            vc_report(ch, HS, "in-band SEND_RNDIS_PKT without a send section references no RNDIS bytes");
            if (rc_flag)
                send_rndis_comp(ch, pkt->trans_id, XSW_NVSP_STAT_FAIL);
            break;
        }
        on_section(ch, pkt, &nv);
        break;
    case XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
        h->dp_vf = nv.u.datapath.active_datapath == XSW_NVSP_DATAPATH_VF;
        /* Completed with an empty payload: Linux matches it by trans_id alone (§2.1). */
        if (rc_flag)
            send_comp(ch, pkt->trans_id, NULL, 0);
        break;
    case XSW_NVSP_MSG5_TYPE_SUBCHANNEL:
        on_subchannel(ch, pkt, &nv);
        break;
    default:
        vc_report(ch, HS, "unexpected in-band %s from the guest", name);
        break;
    }
}

/* GPA-direct: gather the ranges' bytes from guest pages, PFN by PFN. */
static void on_gpa(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt)
{
    struct vc_host *h = &ch->h;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_nvsp_msg nv;
    int rc_flag = pkt->flags & XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
    if (xsw_nvsp_decode(pkt->payload, pkt->payload_len, &nv, err, sizeof err)) {
        vc_report(ch, HS, "GPA-direct packet trans_id %llu, NVSP at %u: %s", (unsigned long long)pkt->trans_id,
                  pkt->hdr_len, err);
        return;
    }
    if (nv.type != XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT || nv.u.rndis_pkt.section_index != XSW_NETVSC_INVALID_INDEX) {
        vc_report(ch, HS, "GPA-direct packet carries %s (section %u), not SEND_RNDIS_PKT without a section",
                  xsw_nvsp_type_name(nv.type), nv.u.rndis_pkt.section_index);
        if (rc_flag)
            send_rndis_comp(ch, pkt->trans_id, XSW_NVSP_STAT_FAIL);
        return;
    }
    uint32_t status = XSW_NVSP_STAT_SUCCESS, total = 0;
    if (!h->inited || pkt->range_bytes > VC_MSG_MAX) {
        vc_report(ch, HS, "GPA-direct packet references %llu bytes", (unsigned long long)pkt->range_bytes);
        status = XSW_NVSP_STAT_FAIL;
    }
    const uint64_t pages = VC_GMEM_PAGES;
    struct xsw_vmbus_range_iter it = XSW_VMBUS_RANGE_ITER_INIT;
    struct xsw_vmbus_range r;
    for (uint32_t i = 0; status == XSW_NVSP_STAT_SUCCESS && xsw_vmbus_range_next(pkt, &it, &r) > 0; i++) {
        uint32_t left = r.byte_count, off = r.byte_offset;
        for (uint32_t k = 0; k < r.pfn_count && left; k++) {
            uint64_t pfn = xsw_vmbus_range_pfn(&r, k);
            if (pfn < ch->gmem_pfn || pfn - ch->gmem_pfn >= pages) {
                vc_report(ch, HS, "GPA range %u PFN %u is 0x%llx, not a page of this guest", i, k,
                          (unsigned long long)pfn);
                status = XSW_NVSP_STAT_FAIL;
                break;
            }
            uint32_t take = XSW_HV_HYP_PAGE_SIZE - off < left ? XSW_HV_HYP_PAGE_SIZE - off : left;
            memcpy(ch->gather_h + total, ch->gmem + (pfn - ch->gmem_pfn) * XSW_HV_HYP_PAGE_SIZE + off, take);
            total += take;
            left -= take;
            off = 0;
        }
    }
    if (status == XSW_NVSP_STAT_SUCCESS) {
        char where[64];
        snprintf(where, sizeof where, "GPA-direct trans_id %llu", (unsigned long long)pkt->trans_id);
        h->defer = 1;
        status = host_rndis(ch, nv.u.rndis_pkt.channel_type, ch->gather_h, total, where);
    }
    finish_rndis(ch, pkt, status);
}

/* The guest's completion of a transfer-page packet returns its sections. */
static void on_comp(struct xsw_vmchan *ch, const struct xsw_vmbus_pkt *pkt)
{
    struct vc_host *h = &ch->h;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_nvsp_msg nv;
    if (xsw_nvsp_decode(pkt->payload, pkt->payload_len, &nv, err, sizeof err)) {
        vc_report(ch, HS, "VM_PKT_COMP trans_id %llu, NVSP at %u: %s", (unsigned long long)pkt->trans_id, pkt->hdr_len,
                  err);
        return;
    }
    if (nv.type != XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE) {
        vc_report(ch, HS, "VM_PKT_COMP carries %s, not SEND_RNDIS_PKT_COMPLETE", xsw_nvsp_type_name(nv.type));
        return;
    }
    for (int i = 0; i < VC_RXO_SLOTS; i++) {
        if (h->rxo[i].used && h->rxo[i].tid == pkt->trans_id) {
            for (uint32_t k = 0; k < h->rxo[i].n; k++)
                sect_put(h, h->rxo[i].sect[k]);
            h->rxo[i].used = 0;
            return;
        }
    }
    vc_report(ch, HS, "VM_PKT_COMP for trans_id %llu, which is not outstanding", (unsigned long long)pkt->trans_id);
}

void vc_host_recv(struct xsw_vmchan *ch, const uint8_t *p, uint32_t len)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_vmbus_pkt pkt;
    if (xsw_vmbus_pkt_decode(p, len, &pkt, err, sizeof err)) {
        vc_report(ch, HS, "guest-to-host packet: %s", err);
        return;
    }
    switch (pkt.type) {
    case XSW_VM_PKT_DATA_INBAND:
        on_inband(ch, &pkt);
        break;
    case XSW_VM_PKT_DATA_USING_GPA_DIRECT:
        on_gpa(ch, &pkt);
        break;
    case XSW_VM_PKT_COMP:
        on_comp(ch, &pkt);
        break;
    default:
        vc_report(ch, HS, "unexpected %s from the guest", xsw_vmbus_pkt_name(pkt.type));
        break;
    }
}

/* ---- Host RX: frames for the guest ------------------------------------------------------------ */

/* Toeplitz hash of "n" input bytes with the 40-byte key (RSS, NDIS "Verifying the RSS hash calculation"). */
static uint32_t toeplitz(const uint8_t *key, const uint8_t *in, uint32_t n)
{
    uint32_t result = 0, v = xsw_ld_be32(key);
    for (uint32_t i = 0; i < n; i++) {
        for (int b = 7; b >= 0; b--) {
            if (in[i] >> b & 1)
                result ^= v;
            v <<= 1;
            if (i + 4 < XSW_NETVSC_HASH_KEYLEN && (key[i + 4] >> b & 1))
                v |= 1;
        }
    }
    return result;
}

/* NBL_HASH_VALUE for an untagged frame under the guest's RSS settings; 0 = no hash. */
static uint32_t rx_hash(const struct vc_host *h, const uint8_t *f, uint32_t len)
{
    uint8_t in[36];
    uint32_t n = 0;
    if (len < VC_ETH_HLEN)
        return 0;
    uint16_t et = xsw_ld_be16(f + 12);
    if (et == 0x0800 && len >= VC_ETH_HLEN + 20 && (h->rss_hashinfo & XSW_NDIS_HASH_IPV4)) {
        const uint8_t *ip = f + VC_ETH_HLEN;
        uint32_t ihl = (uint32_t)(ip[0] & 0x0F) * 4;
        memcpy(in, ip + 12, 8);
        n = 8;
        int frag = (xsw_ld_be16(ip + 6) & 0x3FFF) != 0;
        if (ip[9] == 6 && !frag && (h->rss_hashinfo & XSW_NDIS_HASH_TCP_IPV4) && len >= VC_ETH_HLEN + ihl + 4) {
            memcpy(in + 8, ip + ihl, 4);
            n = 12;
        }
    } else if (et == 0x86DD && len >= VC_ETH_HLEN + 40 && (h->rss_hashinfo & XSW_NDIS_HASH_IPV6)) {
        const uint8_t *ip = f + VC_ETH_HLEN;
        memcpy(in, ip + 8, 32);
        n = 32;
        if (ip[6] == 6 && (h->rss_hashinfo & XSW_NDIS_HASH_TCP_IPV6) && len >= VC_ETH_HLEN + 44) {
            memcpy(in + 32, ip + 40, 4);
            n = 36;
        }
    }
    return n ? toeplitz(h->rss_key, in, n) : 0;
}

/* Whether the guest's packet filter (OID_GEN_CURRENT_PACKET_FILTER) accepts a frame to "dst". */
static int filter_ok(const struct xsw_vmchan *ch, const uint8_t *dst)
{
    uint32_t f = ch->h.packet_filter;
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (f & XSW_NDIS_PACKET_TYPE_PROMISCUOUS)
        return 1;
    if (!memcmp(dst, bcast, 6))
        return (f & XSW_NDIS_PACKET_TYPE_BROADCAST) != 0;
    if (dst[0] & 1)
        return (f & (XSW_NDIS_PACKET_TYPE_ALL_MULTICAST | XSW_NDIS_PACKET_TYPE_MULTICAST)) != 0;
    return (f & XSW_NDIS_PACKET_TYPE_DIRECTED) && !memcmp(dst, ch->cfg.mac, 6);
}

int vc_host_flush(struct xsw_vmchan *ch)
{
    struct vc_host *h = &ch->h;
    int done = 0;
    while (h->n_pend) {
        uint32_t k = h->n_pend < VC_RX_BATCH ? h->n_pend : VC_RX_BATCH;
        uint32_t sect[VC_RX_BATCH], lens[VC_RX_BATCH];
        for (uint32_t i = 0; i < k; i++) {
            sect[i] = h->pend[i].sect;
            lens[i] = h->pend[i].len;
        }
        memmove(h->pend, h->pend + k, (h->n_pend - k) * sizeof h->pend[0]);
        h->n_pend -= k;
        int rc = xfer_send(ch, sect, lens, k, XSW_NVSP_CHANNEL_TYPE_DATA);
        if (rc)
            return rc;
        done += (int)k;
    }
    return done;
}

int vc_host_deliver(struct xsw_vmchan *ch, const uint8_t *frame, size_t len, uint16_t vlan)
{
    struct vc_host *h = &ch->h;
    if (!h->recv_ok || h->rndis_state != 1)
        return vc_fail(ch, HS, XSW_EINVAL, "frame for a guest whose receive path is not up");
    if (!frame || len < VC_ETH_HLEN || len > ch->cfg.mtu + VC_ETH_HLEN + 4) {
        ch->st.rx_dropped++;
        return vc_fail(ch, HS, XSW_EINVAL, "frame of %zu bytes for MTU %u", len, ch->cfg.mtu);
    }
    if (!filter_ok(ch, frame)) {
        ch->st.rx_filtered++;
        return 0;
    }
    uint16_t tci = vlan;
    int inband = xsw_ld_be16(frame + 12) == VC_ETH_P_8021Q && len >= VC_ETH_HLEN + 4;
    uint32_t flen = (uint32_t)len;
    if (inband) {
        tci = xsw_ld_be16(frame + 14);
        flen -= 4;
    }
    if (flen > ch->cfg.mtu + VC_ETH_HLEN) {
        ch->st.rx_dropped++;
        return vc_fail(ch, HS, XSW_EINVAL, "untagged frame of %u bytes exceeds MTU %u", flen, ch->cfg.mtu);
    }
    int s = sect_get(h);
    if (s < 0 && !ch->in_pump) {
        vc_host_flush(ch);
        s = sect_get(h);
    }
    if (s < 0) {
        ch->st.rx_dropped++;
        return vc_fail(ch, HS, XSW_ELIMIT, "all %u receive sections are in use", h->recv_section_cnt);
    }
    uint8_t *q = ch->recvbuf + (size_t)s * h->recv_section_size;
    uint8_t *d;
    uint32_t ppi = 0;
    memset(q, 0, XSW_RNDIS_PACKET_LEN);
    /* Frame first (after room for the PPIs) so that the hash is computed on the untagged bytes. */
    uint32_t nppi = (tci ? 1u : 0u) + (h->rss_enabled ? 1u : 0u);
    d = q + XSW_RNDIS_PACKET_LEN + nppi * (XSW_RNDIS_PPI_HDR_LEN + 4);
    if (inband) {
        memcpy(d, frame, 12);
        memcpy(d + 12, frame + 16, flen - 12);
    } else {
        memcpy(d, frame, flen);
    }
    uint8_t *pp = q + XSW_RNDIS_PACKET_LEN;
    if (tci) {
        xsw_st_le32(pp + ppi, XSW_RNDIS_PPI_HDR_LEN + 4);
        xsw_st_le32(pp + ppi + 4, XSW_IEEE_8021Q_INFO);
        xsw_st_le32(pp + ppi + 8, XSW_RNDIS_PPI_HDR_LEN);
        xsw_st_le32(pp + ppi + 12, vc_tci_to_ppi(tci));
        ppi += XSW_RNDIS_PPI_HDR_LEN + 4;
    }
    if (h->rss_enabled) {
        xsw_st_le32(pp + ppi, XSW_RNDIS_PPI_HDR_LEN + 4);
        xsw_st_le32(pp + ppi + 4, XSW_NBL_HASH_VALUE);
        xsw_st_le32(pp + ppi + 8, XSW_RNDIS_PPI_HDR_LEN);
        xsw_st_le32(pp + ppi + 12, rx_hash(h, d, flen));
        ppi += XSW_RNDIS_PPI_HDR_LEN + 4;
    }
    uint32_t mlen = XSW_RNDIS_PACKET_LEN + ppi + flen;
    xsw_st_le32(q, XSW_REMOTE_NDIS_PACKET_MSG);
    xsw_st_le32(q + 4, mlen);
    xsw_st_le32(q + 8, XSW_RNDIS_PPI_OFFSET + ppi);         /* DataOffset */
    xsw_st_le32(q + 12, flen);                              /* DataLength */
    xsw_st_le32(q + 28, ppi ? XSW_RNDIS_PPI_OFFSET : 0);    /* no PPIs: offset 0, as Linux's rndis_get_ppi() wants */
    xsw_st_le32(q + 32, ppi);
    h->pend[h->n_pend].sect = (uint32_t)s;
    h->pend[h->n_pend].len = mlen;
    h->n_pend++;
    if (h->n_pend == VC_RXQ_MAX)
        vc_host_flush(ch);
    return 1;
}

/* ---- Host notifications ------------------------------------------------------------------------ */

int vc_host_vf_association(struct xsw_vmchan *ch, int allocated, uint32_t serial)
{
    struct vc_host *h = &ch->h;
    if (!h->inited || h->nvsp_ver < XSW_NVSP_PROTOCOL_VERSION_4)
        return vc_fail(ch, HS, XSW_EINVAL, "SEND_VF_ASSOCIATION needs NVSP >= V4");
    uint8_t m[XSW_NVSP_MSG_SIZE];
    uint32_t n = msg_size(h);
    vc_nvsp_init(m, n, XSW_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION);
    xsw_st_le32(m + 4, allocated ? 1 : 0);
    xsw_st_le32(m + 8, serial);
    uint32_t len = vc_build_simple(ch->pkt_h, XSW_VM_PKT_DATA_INBAND, XSW_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
                                   XSW_OPENVMM_VF_ASSOCIATION_TRANS_ID, m, n);
    return vc_send(ch, VC_H2G, ch->pkt_h, len, NULL, 0);
}

int vc_host_indicate_status(struct xsw_vmchan *ch, uint32_t status)
{
    struct vc_host *h = &ch->h;
    if (!h->recv_ok || h->rndis_state != 1)
        return vc_fail(ch, HS, XSW_EINVAL, "INDICATE_STATUS before RNDIS is initialized");
    /* Queued frames go first, so the guest sees events in the order the host produced them. */
    vc_host_flush(ch);
    uint32_t blen = 0;
    switch (status) {
    case VC_NDIS_STATUS_MEDIA_CONNECT:
        h->link_up = 1;
        break;
    case VC_NDIS_STATUS_MEDIA_DISCONNECT:
        h->link_up = 0;
        break;
    case VC_NDIS_STATUS_LINK_SPEED_CHANGE:
        blen = 4;
        break;
    default:
        break;
    }
    uint32_t sect, len = 20 + blen;
    uint8_t *q = ctrl_begin(ch, len, &sect);
    if (!q)
        return XSW_ELIMIT;
    xsw_st_le32(q, XSW_REMOTE_NDIS_INDICATE_STATUS_MSG);
    xsw_st_le32(q + 4, len);
    xsw_st_le32(q + 8, status);
    xsw_st_le32(q + 12, blen);
    xsw_st_le32(q + 16, 12); /* sizeof(struct rndis_indicate_status): the buffer follows */
    if (blen)
        xsw_st_le32(q + 20, ch->cfg.link_speed);
    return ctrl_send(ch, sect, len);
}
