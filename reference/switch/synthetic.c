/*
 * synthetic.c - VM NICs on the synthetic data path: each VM NIC's NetVSC
 * (guest) and NetVSP (host) endpoints over a VMBus channel
 * (include/xsw/vmbus.h, vmbus-nvsp-rndis.md), wired to the switch:
 *  - every VMBus packet either end writes becomes a VMBUS record (with the
 *    RNDIS bytes that live in the shared buffers), so a trace decodes end to
 *    end;
 *  - frames a VM sends enter the switch as one ingress NBL chain from that
 *    VM's port per NVSP message the host decodes;
 *  - frames the switch delivers to a VM leave through its channel (RNDIS
 *    PACKET_MSGs in transfer-page packets, up to 8 per packet);
 *  - while the guest's data path is the VF, its frames bypass the switch and
 *    the extensions and are recorded at the VF capture point (VF_FRAME).
 */
#include "sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/vmbus.h"

#define VM_TX_MAX 64

struct vm_ctx {
    struct xsw_switch *sw;
    uint32_t port;
    uint16_t nic;
    unsigned ntx;
    struct xsw_frame tx[VM_TX_MAX];
    uint8_t txbuf[VM_TX_MAX][XSW_FRAME_MAX];
};

static void rec_vmbus(struct xsw_switch *sw, uint32_t port, uint16_t nic, uint32_t relid, int dir, const uint8_t *pkt,
                      size_t len, const uint8_t *shared, size_t shared_len)
{
    if (!sw->tw)
        return;
    uint8_t body[XSW_VB_BODY_LEN];
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, body, sizeof body);
    xsw_wbuf_u32(&b, relid);
    xsw_wbuf_u8(&b, (uint8_t)dir);
    xsw_wbuf_u8(&b, 0);
    xsw_wbuf_u16(&b, 0);
    xsw_wbuf_u32(&b, (uint32_t)len);
    xsw_wbuf_u32(&b, (uint32_t)shared_len);
    struct xsw_rec_hdr h;
    memset(&h, 0, sizeof h);
    h.kind = XSW_K_VMBUS;
    h.point = XSW_POINT_VMBUS;
    h.actor = XSW_ACTOR_SWITCH;
    h.depth = (uint8_t)sw->depth;
    h.port_id = port;
    h.nic_index = nic;
    struct xsw_iov iov[3] = {{body, b.len}, {pkt, len}, {shared, shared_len}};
    xsw_trace_write(sw->tw, &h, iov, shared_len ? 3 : 2);
}

void xsw_rec_vf_frame(struct xsw_switch *sw, uint32_t port, uint16_t nic, int dir, const uint8_t *frame, uint32_t len)
{
    if (!sw->tw)
        return;
    uint8_t body[XSW_VF_BODY_LEN];
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, body, sizeof body);
    xsw_wbuf_u32(&b, (uint32_t)dir);
    xsw_wbuf_u32(&b, len);
    struct xsw_rec_hdr h;
    memset(&h, 0, sizeof h);
    h.kind = XSW_K_VF_FRAME;
    h.point = XSW_POINT_VF;
    h.actor = XSW_ACTOR_SWITCH;
    h.depth = (uint8_t)sw->depth;
    h.port_id = port;
    h.nic_index = nic;
    struct xsw_iov iov[2] = {{body, b.len}, {frame, len}};
    xsw_trace_write(sw->tw, &h, iov, 2);
}

static void on_emit(void *ctx, int dir, const uint8_t *pkt, size_t len, const uint8_t *shared, size_t shared_len)
{
    struct vm_ctx *v = ctx;
    rec_vmbus(v->sw, v->port, v->nic, v->port, dir, pkt, len, shared, shared_len);
}

/* The host decoded a frame the guest sent: collect it for one ingress chain. */
static void on_guest_frame(void *ctx, const uint8_t *frame, size_t len, const struct xsw_pkt_info *info)
{
    (void)info;
    struct vm_ctx *v = ctx;
    if (v->ntx == VM_TX_MAX || len > XSW_FRAME_MAX || len < 14)
        return;
    memcpy(v->txbuf[v->ntx], frame, len);
    v->tx[v->ntx].data = v->txbuf[v->ntx];
    v->tx[v->ntx].len = (uint32_t)len;
    v->ntx++;
}

static void on_host_frame(void *ctx, const uint8_t *frame, size_t len, const struct xsw_pkt_info *info)
{
    (void)frame;
    (void)info;
    struct vm_ctx *v = ctx;
    struct xsw_nic *n = xsw_nic_find(v->sw, v->port, v->nic);
    if (n)
        n->stats.guest_rx_frames++, n->stats.guest_rx_bytes += len;
}

static void on_error(void *ctx, const char *msg)
{
    struct vm_ctx *v = ctx;
    /* The channel model is the harness's own: an error here is a harness bug, not the extension's. */
    fprintf(stderr, "xsw: VMBus channel of NIC %u/%u: %s\n", (unsigned)v->port, v->nic, msg);
    v->sw->vmbus_errors++;
}

int xsw_vm_channel_open(struct xsw_switch *sw, uint32_t port, uint16_t nic)
{
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    if (!n || n->chan)
        return XSW_EINVAL;
    struct vm_ctx *v = calloc(1, sizeof *v);
    if (!v)
        return XSW_ENOMEM;
    v->sw = sw;
    v->port = port;
    v->nic = nic;
    struct xsw_vmchan_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.relid = port;
    memcpy(cfg.mac, n->mac, 6);
    cfg.mtu = n->mtu;
    cfg.seed = port * 2654435761u;
    cfg.friendly_name = "Network Adapter";
    cfg.num_queues = 1; /* one channel: the trace stays readable; sub-channels are allocated by RSS */
    static const struct xsw_vmchan_ops ops = {on_emit, on_guest_frame, on_host_frame, on_error};
    struct xsw_vmchan *ch = xsw_vmchan_new(&cfg, &ops, v);
    if (!ch) {
        free(v);
        return XSW_ENOMEM;
    }
    n->chan = ch;
    n->chan_ctx = v;
    if (xsw_vmchan_bringup(ch)) {
        snprintf(sw->err, sizeof sw->err, "VMBus bring-up of NIC %u/%u failed: %s", (unsigned)port, nic,
                 xsw_vmchan_error(ch));
        return XSW_EINVAL;
    }
    return 0;
}

void xsw_vm_channel_close(struct xsw_switch *sw, struct xsw_nic *n, int teardown)
{
    (void)sw;
    if (!n->chan)
        return;
    if (teardown)
        xsw_vmchan_teardown(n->chan);
    xsw_vmchan_free(n->chan);
    free(n->chan_ctx);
    n->chan = NULL;
    n->chan_ctx = NULL;
}

int xsw_vm_send(struct xsw_switch *sw, uint32_t port, uint16_t nic, const struct xsw_frame *frames, unsigned n)
{
    struct xsw_nic *vn = xsw_nic_find(sw, port, nic);
    if (!vn)
        return XSW_EINVAL;
    if (vn->datapath_vf) {
        /* The VF path bypasses the switch and every extension. */
        for (unsigned i = 0; i < n; i++)
            xsw_rec_vf_frame(sw, port, nic, 0, frames[i].data, frames[i].len);
        vn->stats.vf_tx_frames += n;
        return (int)n;
    }
    if (!vn->chan)
        return xsw_switch_send(sw, port, nic, frames, n);
    struct vm_ctx *v = vn->chan_ctx;
    struct xsw_frame_in in[VM_TX_MAX];
    unsigned done = 0;
    while (done < n) {
        unsigned k = n - done > VM_TX_MAX ? VM_TX_MAX : n - done;
        for (unsigned i = 0; i < k; i++) {
            memset(&in[i], 0, sizeof in[i]);
            in[i].data = frames[done + i].data;
            in[i].len = frames[done + i].len;
        }
        v->ntx = 0;
        if (xsw_vmchan_guest_send(vn->chan, in, k) < 0) {
            snprintf(sw->err, sizeof sw->err, "guest send on NIC %u/%u: %s", (unsigned)port, nic,
                     xsw_vmchan_error(vn->chan));
            return XSW_EINVAL;
        }
        if (v->ntx) {
            int r = xsw_switch_send(sw, port, nic, v->tx, v->ntx);
            if (r < 0)
                return r;
        }
        done += k;
    }
    return (int)n;
}

/* Frames to a VM whose data path is the VF come straight from the physical adapter. */
int xsw_vf_receive(struct xsw_switch *sw, uint32_t port, uint16_t nic, const uint8_t *frame, uint32_t len)
{
    struct xsw_nic *vn = xsw_nic_find(sw, port, nic);
    if (!vn || !vn->datapath_vf)
        return XSW_EINVAL;
    xsw_rec_vf_frame(sw, port, nic, 1, frame, len);
    vn->stats.vf_rx_frames++;
    return 0;
}

/* Called by the protocol edge for each delivered frame; flushed once per chain. */
void xsw_vm_deliver(struct xsw_switch *sw, struct xsw_nic *n, const uint8_t *frame, uint32_t len)
{
    if (!n->chan)
        return;
    if (xsw_vmchan_host_deliver(n->chan, frame, len, 0) < 0)
        return;
    if (!n->chan_pending) {
        n->chan_pending = 1;
        if (sw->npending < XSW_MAX_PENDING_CHANS)
            sw->pending[sw->npending++] = n;
        else
            xsw_vmchan_flush(n->chan), n->chan_pending = 0;
    }
}

void xsw_vm_flush(struct xsw_switch *sw)
{
    for (unsigned i = 0; i < sw->npending; i++) {
        struct xsw_nic *n = sw->pending[i];
        n->chan_pending = 0;
        if (n->chan)
            xsw_vmchan_flush(n->chan);
    }
    sw->npending = 0;
}

int xsw_vm_vf_association(struct xsw_switch *sw, uint32_t port, uint16_t nic, int allocated)
{
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    if (!n || !n->chan)
        return XSW_EINVAL;
    return xsw_vmchan_host_vf_association(n->chan, allocated, port) < 0 ? XSW_EINVAL : 0;
}

int xsw_vm_switch_datapath(struct xsw_switch *sw, uint32_t port, uint16_t nic, int to_vf)
{
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    if (!n)
        return XSW_EINVAL;
    if (n->chan && xsw_vmchan_guest_switch_datapath(n->chan, to_vf) < 0)
        return XSW_EINVAL;
    n->datapath_vf = to_vf ? 1 : 0;
    return 0;
}
