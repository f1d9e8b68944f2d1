/*
 * vmchan.c - the VMBus channel between a VM's NetVSC (guest) and NetVSP
 * (host): construction, the two ring buffers, packet framing, the pump that
 * hands each packet to the other end, and the public API entry points.
 *
 * Normative reference: ../shared/reference/vmbus-nvsp-rndis.md §1 (packet
 * layouts §1.1-1.4, ring buffer and trailer §1.6, transaction ids §1.7).
 *
 * Each end writes whole packets (descriptor, type-specific header, payload,
 * zero padding to 8 bytes) followed by the 8-byte trailer into the ring of
 * its direction, exactly as hv_ringbuffer_write() does; the other end reads
 * them back and decodes the bytes. Delivery is synchronous: the first API
 * call that writes a packet pumps both rings until they are empty, so every
 * request has been answered when the call returns. Calls made from inside a
 * callback (a switch looping a frame back) only write; the outer pump
 * delivers their packets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmbus_int.h"

/* ---- Errors and randomness ---------------------------------------------------- */

int vc_report(struct xsw_vmchan *ch, int side, const char *fmt, ...)
{
    static const char *const who[] = { "guest", "host", "channel" };
    int n = snprintf(ch->errbuf, sizeof ch->errbuf, "vmchan %u %s: ", ch->cfg.relid, who[side < 0 || side > 2 ? 2 : side]);
    if (n >= 0 && (size_t)n < sizeof ch->errbuf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ch->errbuf + n, sizeof ch->errbuf - (size_t)n, fmt, ap);
        va_end(ap);
    }
    ch->st.errors++;
    if (ch->ops.error)
        ch->ops.error(ch->ctx, ch->errbuf);
    return XSW_EINVAL;
}

int vc_fail(struct xsw_vmchan *ch, int side, int code, const char *fmt, ...)
{
    static const char *const who[] = { "guest", "host", "channel" };
    int n = snprintf(ch->errbuf, sizeof ch->errbuf, "vmchan %u %s: ", ch->cfg.relid, who[side < 0 || side > 2 ? 2 : side]);
    if (n >= 0 && (size_t)n < sizeof ch->errbuf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ch->errbuf + n, sizeof ch->errbuf - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* splitmix64: small, deterministic, good enough to scatter page offsets. */
uint64_t vc_rand(struct xsw_vmchan *ch)
{
    uint64_t z = (ch->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ---- Packet framing (§1.1, §1.3, §1.4) ------------------------------------------- */

static void put_desc(uint8_t *p, uint16_t type, uint32_t hdr_len, uint32_t total, uint16_t flags, uint64_t tid)
{
    xsw_st_le16(p, type);
    xsw_st_le16(p + 2, (uint16_t)(hdr_len / 8));
    xsw_st_le16(p + 4, (uint16_t)(total / 8));
    xsw_st_le16(p + 6, flags);
    xsw_st_le64(p + 8, tid);
}

static uint32_t align8(uint32_t n)
{
    return (n + 7u) & ~7u;
}

void vc_nvsp_init(uint8_t *m, uint32_t size, uint32_t type)
{
    memset(m, 0, size);
    xsw_st_le32(m, type);
}

uint32_t vc_build_simple(uint8_t *out, uint16_t type, uint16_t flags, uint64_t tid, const uint8_t *nvsp,
                         uint32_t nlen)
{
    uint32_t total = align8(XSW_VMBUS_DESC_LEN + nlen);
    if (total > VC_PKT_MAX)
        return 0;
    memset(out, 0, total);
    put_desc(out, type, XSW_VMBUS_DESC_LEN, total, flags, tid);
    if (nlen)
        memcpy(out + XSW_VMBUS_DESC_LEN, nvsp, nlen);
    return total;
}

uint32_t vc_build_xfer(uint8_t *out, uint64_t tid, const uint32_t (*ranges)[2], uint32_t n, const uint8_t *nvsp,
                       uint32_t nlen)
{
    uint32_t hdr = XSW_VMBUS_XFER_HDR_LEN + n * XSW_VMBUS_RANGE_HDR_LEN;
    uint32_t total = align8(hdr + nlen);
    if (total > VC_PKT_MAX)
        return 0;
    memset(out, 0, total);
    put_desc(out, XSW_VM_PKT_DATA_USING_XFER_PAGES, hdr, total, 0, tid);
    xsw_st_le16(out + 16, XSW_NETVSC_RECEIVE_BUFFER_ID);
    out[18] = 0; /* sender_owns_set */
    xsw_st_le32(out + 20, n);
    for (uint32_t i = 0; i < n; i++) {
        xsw_st_le32(out + 24 + 8 * i, ranges[i][0]);
        xsw_st_le32(out + 28 + 8 * i, ranges[i][1]);
    }
    memcpy(out + hdr, nvsp, nlen);
    return total;
}

uint32_t vc_build_gpa(uint8_t *out, uint16_t flags, uint64_t tid, const struct vc_gpa *r, uint32_t n,
                      const uint8_t *nvsp, uint32_t nlen)
{
    uint32_t hdr = XSW_VMBUS_GPA_HDR_LEN;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t npfn = (r[i].byte_offset + r[i].byte_count + XSW_HV_HYP_PAGE_SIZE - 1) / XSW_HV_HYP_PAGE_SIZE;
        hdr += XSW_VMBUS_RANGE_HDR_LEN + 8 * npfn;
    }
    uint32_t total = align8(hdr + nlen);
    if (total > VC_PKT_MAX)
        return 0;
    memset(out, 0, total);
    put_desc(out, XSW_VM_PKT_DATA_USING_GPA_DIRECT, hdr, total, flags, tid);
    xsw_st_le32(out + 16, 0); /* reserved */
    xsw_st_le32(out + 20, n);
    uint32_t pos = XSW_VMBUS_GPA_HDR_LEN;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t npfn = (r[i].byte_offset + r[i].byte_count + XSW_HV_HYP_PAGE_SIZE - 1) / XSW_HV_HYP_PAGE_SIZE;
        xsw_st_le32(out + pos, r[i].byte_count);
        xsw_st_le32(out + pos + 4, r[i].byte_offset);
        pos += 8;
        for (uint32_t k = 0; k < npfn; k++, pos += 8)
            xsw_st_le64(out + pos, r[i].pfn + k);
    }
    memcpy(out + hdr, nvsp, nlen);
    return total;
}

/* ---- Rings (§1.6) ----------------------------------------------------------------- */

static uint32_t ring_used(const struct vc_ring *r)
{
    return r->wr >= r->rd ? r->wr - r->rd : r->size - r->rd + r->wr;
}

static void ring_put(struct vc_ring *r, const uint8_t *src, uint32_t n)
{
    uint32_t first = r->size - r->wr < n ? r->size - r->wr : n;
    memcpy(r->data + r->wr, src, first);
    memcpy(r->data, src + first, n - first);
    r->wr = (r->wr + n) % r->size;
}

static void ring_get(const struct vc_ring *r, uint32_t at, uint8_t *dst, uint32_t n)
{
    uint32_t first = r->size - at < n ? r->size - at : n;
    memcpy(dst, r->data + at, first);
    memcpy(dst + first, r->data, n - first);
}

/*
 * Write a packet and its trailer (the write index at the start of the
 * packet, shifted left 32 bits). As in Linux, the writer never fills the
 * ring completely, so that read == write always means empty.
 */
static int ring_write(struct vc_ring *r, const uint8_t *pkt, uint32_t len)
{
    uint32_t avail = r->size - ring_used(r);
    if ((uint64_t)len + XSW_VMBUS_TRAILER_LEN >= avail)
        return XSW_ELIMIT;
    uint8_t trailer[XSW_VMBUS_TRAILER_LEN];
    xsw_st_le64(trailer, (uint64_t)r->wr << 32);
    ring_put(r, pkt, len);
    ring_put(r, trailer, sizeof trailer);
    return 0;
}

/* Read the next packet into "out": its length, 0 when empty, -1 when the ring is corrupt. */
static int ring_read(struct vc_ring *r, uint8_t *out, uint32_t cap, uint32_t *len)
{
    uint32_t used = ring_used(r);
    if (used == 0)
        return 0;
    uint8_t desc[XSW_VMBUS_DESC_LEN];
    if (used < XSW_VMBUS_DESC_LEN + XSW_VMBUS_TRAILER_LEN) {
        r->rd = r->wr;
        return -1;
    }
    ring_get(r, r->rd, desc, sizeof desc);
    uint32_t total = (uint32_t)xsw_ld_le16(desc + 4) * 8;
    if (total < XSW_VMBUS_DESC_LEN || total + XSW_VMBUS_TRAILER_LEN > used || total > cap) {
        r->rd = r->wr;
        return -1;
    }
    ring_get(r, r->rd, out, total);
    r->rd = (r->rd + total + XSW_VMBUS_TRAILER_LEN) % r->size;
    *len = total;
    return 1;
}

/* ---- Sending and pumping ------------------------------------------------------------ */

void vc_pump(struct xsw_vmchan *ch)
{
    if (ch->in_pump)
        return;
    ch->in_pump = 1;
    for (;;) {
        uint32_t len = 0;
        int rc = ring_read(&ch->ring[VC_G2H], ch->rdbuf, VC_RING_SIZE, &len);
        if (rc > 0) {
            vc_host_recv(ch, ch->rdbuf, len);
            continue;
        }
        if (rc < 0)
            vc_report(ch, 1, "guest-to-host ring holds a packet whose len8 does not fit: ring reset");
        rc = ring_read(&ch->ring[VC_H2G], ch->rdbuf, VC_RING_SIZE, &len);
        if (rc > 0) {
            vc_guest_recv(ch, ch->rdbuf, len);
            continue;
        }
        if (rc < 0) {
            vc_report(ch, 0, "host-to-guest ring holds a packet whose len8 does not fit: ring reset");
            continue;
        }
        break;
    }
    ch->in_pump = 0;
}

int vc_send(struct xsw_vmchan *ch, int dir, const uint8_t *pkt, uint32_t len, const uint8_t *shared,
            uint32_t shared_len)
{
    if (len == 0)
        return vc_report(ch, dir == VC_G2H ? 0 : 1, "packet does not fit in %u bytes", VC_PKT_MAX);
    int rc = ring_write(&ch->ring[dir], pkt, len);
    if (rc == XSW_ELIMIT && !ch->in_pump) {
        vc_pump(ch);
        rc = ring_write(&ch->ring[dir], pkt, len);
    }
    if (rc) {
        vc_report(ch, dir == VC_G2H ? 0 : 1, "%s ring full, %u-byte packet not sent",
                  dir == VC_G2H ? "guest-to-host" : "host-to-guest", len);
        return XSW_ELIMIT;
    }
    ch->st.pkts[dir]++;
    ch->st.bytes[dir] += len;
    if (ch->ops.emit) {
        ch->in_emit = 1;
        ch->ops.emit(ch->ctx, dir, pkt, len, shared_len ? shared : NULL, shared_len);
        ch->in_emit = 0;
    }
    if (!ch->in_pump)
        vc_pump(ch);
    return 0;
}

/* ---- VLAN helpers ------------------------------------------------------------------- */

uint32_t vc_vlan_insert(uint8_t *out, const uint8_t *frame, uint32_t len, uint16_t tci)
{
    memcpy(out, frame, 12);
    xsw_st_be16(out + 12, VC_ETH_P_8021Q);
    xsw_st_be16(out + 14, tci);
    memcpy(out + 16, frame + 12, len - 12);
    return len + 4;
}

uint32_t vc_tci_to_ppi(uint16_t tci)
{
    uint32_t pri = tci >> 13, cfi = (tci >> 12) & 1, vid = tci & 0x0FFF;
    return pri | cfi << 3 | vid << 4;
}

uint16_t vc_ppi_to_tci(uint32_t v)
{
    return (uint16_t)((v & 7) << 13 | ((v >> 3) & 1) << 12 | ((v >> 4) & 0x0FFF));
}

/* ---- Construction ------------------------------------------------------------------- */

static int guest_version_ok(uint32_t v)
{
    return v == XSW_NVSP_PROTOCOL_VERSION_61 || v == XSW_NVSP_PROTOCOL_VERSION_6 ||
           v == XSW_NVSP_PROTOCOL_VERSION_5 || v == XSW_NVSP_PROTOCOL_VERSION_4 ||
           v == XSW_NVSP_PROTOCOL_VERSION_2 || v == XSW_NVSP_PROTOCOL_VERSION_1;
}

/* The host's receive section: 1728 (Linux's size) unless a frame plus PPIs needs more. */
static uint32_t host_recv_section(uint32_t mtu)
{
    uint32_t need = XSW_RNDIS_PACKET_LEN + VC_PPI_ROOM + mtu + VC_ETH_HLEN + 4;
    need = (need + 63u) & ~63u;
    return need > XSW_NETVSC_RECV_SECTION_SIZE ? need : XSW_NETVSC_RECV_SECTION_SIZE;
}

struct xsw_vmchan *xsw_vmchan_new(const struct xsw_vmchan_cfg *cfg, const struct xsw_vmchan_ops *ops, void *ctx)
{
    if (!cfg)
        return NULL;
    struct xsw_vmchan_cfg c = *cfg;
    if (!c.mtu)
        c.mtu = 1500;
    if (!c.max_nvsp_version)
        c.max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_61;
    if (!c.host_max_nvsp_version)
        c.host_max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_61;
    if (!c.num_queues)
        c.num_queues = 4;
    if (!c.host_queues)
        c.host_queues = 8;
    if (!c.link_speed)
        c.link_speed = 100000000u;
    if (!c.recv_buf_size)
        c.recv_buf_size = 1u << 20;
    if (!c.send_buf_size)
        c.send_buf_size = 1u << 20;
    if (c.mtu < XSW_NETVSC_MTU_MIN || c.mtu > VC_MTU_MAX || !guest_version_ok(c.max_nvsp_version) ||
        !xsw_nvsp_version_name(c.host_max_nvsp_version) || c.num_queues > XSW_VRSS_CHANNEL_MAX ||
        c.host_queues > XSW_VRSS_CHANNEL_MAX || c.recv_buf_size < (64u << 10) || c.recv_buf_size > (64u << 20) ||
        c.send_buf_size < (64u << 10) || c.send_buf_size > (64u << 20))
        return NULL;

    struct xsw_vmchan *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->cfg = c;
    if (ops)
        ch->ops = *ops;
    ch->ctx = ctx;
    snprintf(ch->friendly, sizeof ch->friendly, "%s", c.friendly_name ? c.friendly_name : "Network Adapter");
    ch->cfg.friendly_name = ch->friendly;
    ch->rng = c.seed;

    uint32_t sect = host_recv_section(c.mtu);
    ch->recv_size = c.recv_buf_size;
    ch->send_size = c.send_buf_size;
    for (int d = 0; d < 2; d++) {
        ch->ring[d].size = VC_RING_SIZE;
        ch->ring[d].data = calloc(1, VC_RING_SIZE);
    }
    ch->recvbuf = calloc(1, ch->recv_size);
    ch->sendbuf = calloc(1, ch->send_size);
    ch->gmem = calloc(VC_GMEM_PAGES, XSW_HV_HYP_PAGE_SIZE);
    ch->rdbuf = malloc(VC_RING_SIZE);
    ch->pkt_g = malloc(VC_PKT_MAX);
    ch->pkt_h = malloc(VC_PKT_MAX);
    ch->gather_h = malloc(VC_MSG_MAX);
    ch->frame_g = malloc(VC_MTU_MAX + 64);
    ch->frame_h = malloc(VC_MTU_MAX + 64);
    ch->emit_cat = malloc((size_t)VC_RX_BATCH * sect);
    ch->g.send_map_words = ch->send_size / XSW_NETVSC_MTU_MIN / 64 + 1;
    ch->g.send_map = calloc(ch->g.send_map_words, sizeof(uint64_t));
    ch->h.free_sect = calloc(ch->recv_size / XSW_NETVSC_RECV_SECTION_SIZE + 1, sizeof(uint32_t));
    if (!ch->ring[0].data || !ch->ring[1].data || !ch->recvbuf || !ch->sendbuf || !ch->gmem || !ch->rdbuf ||
        !ch->pkt_g || !ch->pkt_h || !ch->gather_h || !ch->frame_g || !ch->frame_h || !ch->emit_cat ||
        !ch->g.send_map || !ch->h.free_sect) {
        xsw_vmchan_free(ch);
        return NULL;
    }
    /* GPADL handles and guest page numbers only need to look plausible and differ per seed. */
    ch->gpadl_recv = 0x000E1E10u + (uint32_t)(vc_rand(ch) % 0x1000) * 2;
    ch->gpadl_send = ch->gpadl_recv + 1;
    ch->gmem_pfn = 0x100000ull + (vc_rand(ch) % 0x10000) * VC_GMEM_PAGES;
    ch->g.gmem_cursor = (uint32_t)(vc_rand(ch) % XSW_HV_HYP_PAGE_SIZE) & ~7u;
    /* The guest's requestor free list: slot 0 first, so the first trans_id is 1 (§1.7). */
    for (int i = 0; i < VC_RQ_SLOTS; i++)
        ch->g.rq_next[i] = (int16_t)(i + 1 < VC_RQ_SLOTS ? i + 1 : -1);
    ch->g.rq_head = 0;
    ch->g.mtu = c.mtu;
    ch->g.num_chn = 1;
    ch->h.link_up = 1;
    ch->h.recv_section_size = sect;
    return ch;
}

void xsw_vmchan_free(struct xsw_vmchan *ch)
{
    if (!ch)
        return;
    free(ch->ring[0].data);
    free(ch->ring[1].data);
    free(ch->recvbuf);
    free(ch->sendbuf);
    free(ch->gmem);
    free(ch->rdbuf);
    free(ch->pkt_g);
    free(ch->pkt_h);
    free(ch->gather_h);
    free(ch->frame_g);
    free(ch->frame_h);
    free(ch->emit_cat);
    free(ch->g.send_map);
    free(ch->h.free_sect);
    free(ch);
}

const char *xsw_vmchan_error(const struct xsw_vmchan *ch)
{
    return ch ? ch->errbuf : "";
}

void xsw_vmchan_get_state(const struct xsw_vmchan *ch, struct xsw_vmchan_state *st)
{
    *st = ch->st;
    const struct vc_guest *g = &ch->g;
    const struct vc_host *h = &ch->h;
    st->up = g->state == 1;
    st->nvsp_version = g->nvsp_ver;
    st->ndis_version = g->ndis_ver;
    st->init_attempts = g->init_attempts;
    st->recv_section_size = g->recv_section_size;
    st->recv_sections = g->recv_section_cnt;
    st->send_section_size = g->send_section_size;
    st->send_sections = g->send_section_cnt;
    st->max_pkt = g->max_pkt;
    st->pkt_align = g->pkt_align;
    memcpy(st->mac, g->mac, 6);
    st->mtu = g->mtu;
    snprintf(st->friendly_name, sizeof st->friendly_name, "%s", g->friendly);
    st->link_up = g->link_up;
    st->link_speed = g->link_speed;
    st->num_chn = g->num_chn;
    memcpy(st->tx_table, g->tx_table, sizeof st->tx_table);
    st->packet_filter = h->packet_filter;
    st->offload_tx_mask = g->tx_csum_mask;
    st->rss_enabled = h->rss_enabled;
    st->rss_table_size = h->rss_table_sz;
    st->datapath_vf = h->dp_vf;
    st->guest_datapath_vf = g->dp_vf;
    st->vf_allocated = g->vf_alloc;
    st->vf_serial = g->vf_serial;
}

/* ---- API entry points ---------------------------------------------------------------- */

/* Calls from ops->emit would reuse the packet buffer being emitted; waiting calls need the pump. */
static int api_check(struct xsw_vmchan *ch, int waits)
{
    if (!ch)
        return XSW_EINVAL;
    if (ch->in_emit)
        return vc_fail(ch, 2, XSW_EINVAL, "called from inside ops->emit");
    if (waits && ch->in_pump)
        return vc_fail(ch, 2, XSW_EINVAL, "a call that waits for the peer cannot be made from a callback");
    return 0;
}

int xsw_vmchan_bringup(struct xsw_vmchan *ch)
{
    int rc = api_check(ch, 1);
    return rc ? rc : vc_guest_bringup(ch);
}

int xsw_vmchan_guest_send(struct xsw_vmchan *ch, const struct xsw_frame_in *frames, unsigned n)
{
    int rc = api_check(ch, 0);
    return rc ? rc : vc_guest_send(ch, frames, n);
}

int xsw_vmchan_host_deliver(struct xsw_vmchan *ch, const uint8_t *frame, size_t len, uint16_t vlan)
{
    int rc = api_check(ch, 0);
    return rc ? rc : vc_host_deliver(ch, frame, len, vlan);
}

int xsw_vmchan_flush(struct xsw_vmchan *ch)
{
    int rc = api_check(ch, 0);
    return rc ? rc : vc_host_flush(ch);
}

int xsw_vmchan_host_vf_association(struct xsw_vmchan *ch, int allocated, uint32_t serial)
{
    int rc = api_check(ch, 0);
    return rc ? rc : vc_host_vf_association(ch, allocated, serial);
}

int xsw_vmchan_guest_switch_datapath(struct xsw_vmchan *ch, int to_vf)
{
    int rc = api_check(ch, 1);
    return rc ? rc : vc_guest_switch_datapath(ch, to_vf);
}

int xsw_vmchan_host_indicate_status(struct xsw_vmchan *ch, uint32_t rndis_status)
{
    int rc = api_check(ch, 0);
    return rc ? rc : vc_host_indicate_status(ch, rndis_status);
}

int xsw_vmchan_teardown(struct xsw_vmchan *ch)
{
    int rc = api_check(ch, 1);
    return rc ? rc : vc_guest_teardown(ch);
}

int xsw_vmchan_inject(struct xsw_vmchan *ch, int dir, const uint8_t *pkt, size_t len)
{
    int rc = api_check(ch, 1);
    if (rc)
        return rc;
    if (len > VC_RING_SIZE)
        return vc_fail(ch, 2, XSW_ELIMIT, "injected packet of %zu bytes is larger than the ring", len);
    if (ch->ops.emit) {
        ch->in_emit = 1;
        ch->ops.emit(ch->ctx, dir ? 1 : 0, pkt, len, NULL, 0);
        ch->in_emit = 0;
    }
    uint64_t before = ch->st.errors;
    /* A private copy: the endpoint may keep reading while it answers. */
    memcpy(ch->rdbuf, pkt, len);
    ch->in_pump = 1;
    if (dir == VC_G2H)
        vc_host_recv(ch, ch->rdbuf, (uint32_t)len);
    else
        vc_guest_recv(ch, ch->rdbuf, (uint32_t)len);
    ch->in_pump = 0;
    vc_pump(ch);
    return ch->st.errors != before ? XSW_EINVAL : 0;
}
