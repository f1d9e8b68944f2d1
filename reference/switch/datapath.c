/*
 * datapath.c - NET_BUFFER_LISTs through the extension stack and the 15
 * extensible-switch handlers.
 *
 * Path (extensible-switch.md §5.1): the protocol edge sends every packet down
 * the ingress path (FilterSendNetBufferLists / NdisFSendNetBufferLists); the
 * miniport edge applies native forwarding when no forwarding extension is
 * present (MAC learning, flooding, VLAN access mode) and indicates the same
 * NBLs up the egress path (FilterReceiveNetBufferLists /
 * NdisFIndicateReceiveNetBufferLists); the protocol edge delivers them to
 * every destination that is not excluded and returns them down
 * (FilterReturnNetBufferLists / NdisFReturnNetBufferLists); the miniport
 * edge then completes the original send up the ingress path
 * (FilterSendNetBufferListsComplete / NdisFSendNetBufferListsComplete).
 *
 * The switch keeps its per-NBL state (struct xsw_fwd) where the real switch
 * keeps its own: NET_BUFFER_LIST_INFO(nbl, SwitchForwardingReserved).
 * Protocol-edge NBLs come from a slab pool (no per-packet malloc); contexts
 * that extensions allocate for their own NBLs come from a free list.
 * Misuse is recorded as a FINDING and handled the way Windows documents (a
 * failed handler status) or, where Windows would bug-check, by refusing the
 * call; the harness never repairs the extension's data.
 */
#include "sw.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKT_SLAB 1024
#define FWD_SLAB 256

struct slab {
    struct slab *next;
};
static struct slab *pkt_slabs, *fwd_slabs;

static struct xsw_switch *sw_from_ctx(NDIS_SWITCH_CONTEXT ctx, const char *func)
{
    struct xsw_switch *sw = xsw_sw;
    if (!sw || (void *)ctx != (void *)sw) {
        if (sw) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s: NdisSwitchContext %p is not the one NdisFGetOptionalSwitchHandlers returned",
                     func, (void *)ctx);
            xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_INVALID_HANDLE, 0, 0, 0, 0, msg);
        }
        return NULL;
    }
    return sw;
}

/* ---- Pools ----------------------------------------------------------------------- */

static int pkt_grow(struct xsw_switch *sw)
{
    size_t sz = sizeof(struct slab) + PKT_SLAB * sizeof(struct xsw_pkt) + 64;
    struct slab *s = calloc(1, sz);
    uint8_t *frames = s ? malloc((size_t)PKT_SLAB * XSW_FRAME_MAX) : NULL;
    if (!frames) {
        free(s);
        return XSW_ENOMEM;
    }
    s->next = pkt_slabs;
    pkt_slabs = s;
    uintptr_t base = ((uintptr_t)(s + 1) + 63) & ~(uintptr_t)63;
    struct xsw_pkt *p = (struct xsw_pkt *)base;
    for (unsigned i = 0; i < PKT_SLAB; i++) {
        p[i].frame = frames + (size_t)i * XSW_FRAME_MAX;
        p[i].next_free = sw->pkt_free;
        sw->pkt_free = &p[i];
    }
    sw->pkt_count += PKT_SLAB;
    return 0;
}

static struct xsw_fwd *fwd_get(struct xsw_switch *sw)
{
    if (!sw->fwd_free) {
        struct slab *s = calloc(1, sizeof(struct slab) + FWD_SLAB * sizeof(struct xsw_fwd));
        if (!s)
            return NULL;
        s->next = fwd_slabs;
        fwd_slabs = s;
        struct xsw_fwd *f = (struct xsw_fwd *)(s + 1);
        for (unsigned i = 0; i < FWD_SLAB; i++) {
            f[i].next_free = sw->fwd_free;
            sw->fwd_free = &f[i];
        }
    }
    struct xsw_fwd *f = sw->fwd_free;
    sw->fwd_free = f->next_free;
    return f;
}

static void fwd_reset(struct xsw_fwd *f)
{
    if (f->dest && f->dest != f->inline_dest)
        free(f->dest);
    f->dest = f->inline_dest;
    f->dest_cap = XSW_INLINE_DESTS;
    f->committed = 0;
    memset(&f->arr, 0, sizeof f->arr);
    f->arr.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    f->arr.Header.Revision = NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY_REVISION_1;
    f->arr.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY_REVISION_1;
    f->arr.ElementSize = sizeof(NDIS_SWITCH_PORT_DESTINATION);
    /* A new packet has no destination elements (NumAvailableDestinations 0, as OVS asserts). */
    f->arr.NumElements = 0;
    f->arr.FirstElement = f->dest;
    f->sent_mask = 0;
    f->ind_mask = 0;
    f->indicated = 0;
    f->done = 0;
    f->switch_context = NULL;
}

static void fwd_put(struct xsw_switch *sw, struct xsw_fwd *f)
{
    if (f->dest && f->dest != f->inline_dest)
        free(f->dest);
    f->dest = NULL;
    f->magic = 0;
    f->in_use = 0;
    f->next_free = sw->fwd_free;
    sw->fwd_free = f;
}

int xsw_dp_init(struct xsw_switch *sw)
{
    return pkt_grow(sw);
}

void xsw_dp_free(struct xsw_switch *sw)
{
    (void)sw;
    while (pkt_slabs) {
        struct slab *n = pkt_slabs->next;
        struct xsw_pkt *p = (struct xsw_pkt *)(((uintptr_t)(pkt_slabs + 1) + 63) & ~(uintptr_t)63);
        for (unsigned i = 0; i < PKT_SLAB; i++)
            if (p[i].fwd.dest && p[i].fwd.dest != p[i].fwd.inline_dest)
                free(p[i].fwd.dest);
        free(p[0].frame); /* the slab's frame array */
        free(pkt_slabs);
        pkt_slabs = n;
    }
    while (fwd_slabs) {
        struct slab *n = fwd_slabs->next;
        struct xsw_fwd *f = (struct xsw_fwd *)(fwd_slabs + 1);
        for (unsigned i = 0; i < FWD_SLAB; i++)
            if (f[i].in_use && f[i].dest && f[i].dest != f[i].inline_dest)
                free(f[i].dest);
        free(fwd_slabs);
        fwd_slabs = n;
    }
}

struct xsw_fwd *xsw_fwd_of(PNET_BUFFER_LIST nbl)
{
    struct xsw_fwd *f = (struct xsw_fwd *)NET_BUFFER_LIST_INFO(nbl, SwitchForwardingReserved);
    return f && f->magic == XSW_FWD_MAGIC && f->nbl == nbl ? f : NULL;
}

uint64_t xsw_nbl_id(PNET_BUFFER_LIST nbl)
{
    struct xsw_fwd *f = xsw_fwd_of(nbl);
    return f ? f->id : 0;
}

static NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *detail(PNET_BUFFER_LIST nbl)
{
    return NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(nbl);
}

static void sync_available(PNET_BUFFER_LIST nbl, struct xsw_fwd *f)
{
    uint32_t avail = f->arr.NumElements - f->arr.NumDestinations;
    detail(nbl)->NumAvailableDestinations = avail > 0xFFFF ? 0xFFFF : avail;
}

/* "inject": the allocation is one an extension asked for (Add/Grow destinations), so the fault
 * injector may fail it; the switch's own native forwarding is never failed on purpose. */
static int fwd_reserve(struct xsw_fwd *f, uint32_t extra, int inject)
{
    uint32_t need = f->arr.NumDestinations + extra;
    if (need <= f->dest_cap)
        return 0;
    if (need > 65535 || (inject && xsw_rt_alloc_should_fail()))
        return XSW_ENOMEM;
    uint32_t ncap = f->dest_cap * 2;
    while (ncap < need)
        ncap *= 2;
    NDIS_SWITCH_PORT_DESTINATION *nd = calloc(ncap, sizeof *nd);
    if (!nd)
        return XSW_ENOMEM;
    memcpy(nd, f->dest, f->dest_cap * sizeof *nd);
    if (f->dest != f->inline_dest)
        free(f->dest);
    f->dest = nd;
    f->dest_cap = ncap;
    f->arr.FirstElement = nd;
    return 0;
}

/*
 * A one-entry cache of NIC lookups. Chains carry packets of one source and,
 * mostly, to the same few destinations; ports and NICs cannot change while
 * a chain is in the data path (OIDs do not run there), so a cache that lives
 * for one chain needs no invalidation.
 */
struct nic_cache {
    uint32_t port;
    uint16_t nic;
    uint8_t valid;
    struct xsw_nic *n;
};

static struct xsw_nic *nic_cached(struct xsw_switch *sw, struct nic_cache *c, uint32_t port, uint16_t nic)
{
    if (c->valid && c->port == port && c->nic == nic)
        return c->n;
    c->port = port;
    c->nic = nic;
    c->valid = 1;
    c->n = xsw_nic_find(sw, port, nic);
    return c->n;
}

/* ---- Destination validity ----------------------------------------------------------- */

/* A destination must name a connected NIC (NDIS_SWITCH_PORT_DESTINATION page). */
static int dest_connected(struct xsw_switch *sw, uint32_t port, uint16_t nic)
{
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    return n && n->state == NdisSwitchNicStateConnected;
}

static const char *nic_state_text(struct xsw_switch *sw, uint32_t port, uint16_t nic)
{
    struct xsw_port *p = xsw_port_find(sw, port);
    if (!p)
        return "no such port";
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    if (!n)
        return "no such NIC";
    switch (n->state) {
    case NdisSwitchNicStateCreated:
        return "created, not connected";
    case NdisSwitchNicStateConnected:
        return "connected";
    case NdisSwitchNicStateDisconnected:
        return "disconnected";
    case NdisSwitchNicStateDeleted:
        return "deleted";
    default:
        return "unknown";
    }
}

/* ---- Ingress ------------------------------------------------------------------------- */

static void ingress_down(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags);
static void egress_up(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG count, ULONG flags);
static void return_down(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags);
static void complete_up(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags);

static unsigned irql_for(ULONG dispatch_flag)
{
    return dispatch_flag ? XSW_DISPATCH_LEVEL : xsw_rt_irql();
}

static void mark_sent(PNET_BUFFER_LIST chain, unsigned b)
{
    for (PNET_BUFFER_LIST n = chain; n; n = NET_BUFFER_LIST_NEXT_NBL(n)) {
        struct xsw_fwd *f = xsw_fwd_of(n);
        if (f)
            f->sent_mask |= 1u << b;
    }
}

int xsw_switch_send(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, const struct xsw_frame *frames,
                    unsigned n)
{
    struct xsw_nic *src = xsw_nic_find(sw, port_id, nic_index);
    if (!src) {
        snprintf(sw->err, sizeof sw->err, "send: no NIC %u/%u", (unsigned)port_id, nic_index);
        return XSW_EINVAL;
    }
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    unsigned count = 0;
    for (unsigned i = 0; i < n; i++) {
        if (frames[i].len < 14 || frames[i].len > XSW_FRAME_MAX) {
            snprintf(sw->err, sizeof sw->err, "send: frame %u has %u bytes (14..%u)", i, frames[i].len, XSW_FRAME_MAX);
            return XSW_EINVAL;
        }
        if (!sw->pkt_free && pkt_grow(sw))
            return XSW_ENOMEM;
        struct xsw_pkt *p = sw->pkt_free;
        sw->pkt_free = p->next_free;
        sw->pkt_in_use++;
        /*
         * Reset what NDIS defines for a fresh NBL/NB/MDL; the reserved areas
         * belong to their owners and are not cleared (as NDIS pools do).
         */
        memcpy(p->frame, frames[i].data, frames[i].len);
        p->mdl.Next = NULL;
        p->mdl.MappedSystemVa = p->frame;
        p->mdl.StartVa = p->frame;
        p->mdl.ByteOffset = 0;
        p->mdl.ByteCount = frames[i].len;
        p->mdl.MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA;
        p->nb.Next = NULL;
        p->nb.CurrentMdl = &p->mdl;
        p->nb.CurrentMdlOffset = 0;
        p->nb.stDataLength = frames[i].len;
        p->nb.MdlChain = &p->mdl;
        p->nb.DataOffset = 0;
        p->nb.ChecksumBias = 0;
        p->nbl.Next = NULL;
        p->nbl.FirstNetBuffer = &p->nb;
        p->nbl.Context = NULL;
        p->nbl.ParentNetBufferList = NULL;
        p->nbl.SourceHandle = (NDIS_HANDLE)sw;
        p->nbl.NblFlags = 0;
        p->nbl.ChildRefCount = 0;
        p->nbl.Flags = 0;
        p->nbl.Status = NDIS_STATUS_SUCCESS;
        memset(p->nbl.NetBufferListInfo, 0, sizeof p->nbl.NetBufferListInfo);
        struct xsw_fwd *f = &p->fwd;
        fwd_reset(f);
        f->magic = XSW_FWD_MAGIC;
        f->id = sw->next_nbl_id++;
        f->nbl = &p->nbl;
        f->owner = -1;
        f->in_use = 1;
        NET_BUFFER_LIST_INFO(&p->nbl, SwitchForwardingReserved) = f;
        NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *d = detail(&p->nbl);
        d->AsUINT64 = 0;
        d->SourcePortId = port_id;
        d->SourceNicIndex = nic_index;
        d->IsPacketDataSafe = TRUE;
        sync_available(&p->nbl, f);
        *tail = &p->nbl;
        tail = &p->nbl.Next;
        count++;
    }
    if (!head)
        return 0;
    src->stats.tx_frames += count;
    ULONG flags = NDIS_SEND_FLAGS_DISPATCH_LEVEL | NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE;
    xsw_rec_nbls(sw, XSW_K_NBL_SEND, 0, XSW_ACTOR_SWITCH, head, flags);
    mark_sent(head, 0);
    unsigned sa = xsw_rt_set_actor(XSW_ACTOR_SWITCH), si = xsw_rt_irql();
    xsw_rt_set_irql(XSW_DISPATCH_LEVEL);
    ingress_down(sw, 0, head, flags);
    xsw_rt_set_irql(si);
    xsw_rt_set_actor(sa);
    return (int)count;
}

static void ingress_down(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags);

static void miniport_ingress(struct xsw_switch *sw, PNET_BUFFER_LIST chain, ULONG flags);

static void ingress_down(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags)
{
    if (b == sw->depth) {
        miniport_ingress(sw, chain, flags);
        return;
    }
    struct xsw_module *m = &sw->mods[b];
    if (!m->drv->chars.SendNetBufferListsHandler) {
        /* NDIS bypasses a filter without a send handler. */
        mark_sent(chain, b + 1);
        ingress_down(sw, b + 1, chain, flags);
        return;
    }
    unsigned sa, si;
    xsw_sw_call_enter(b, irql_for(flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL), &sa, &si);
    m->drv->chars.SendNetBufferListsHandler(m->ctx, chain, NDIS_DEFAULT_PORT_NUMBER, flags);
    xsw_sw_call_leave(sa, si);
}

/* Check what an extension hands to NDIS: forwarding context present, flags honest. */
static void single_source_finding(struct xsw_switch *sw, struct xsw_module *m, PNET_BUFFER_LIST first,
                                  PNET_BUFFER_LIST other, const char *func)
{
    NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *d0 = detail(first), *d = detail(other);
    char msg[200];
    snprintf(msg, sizeof msg, "%s: SWITCH_SINGLE_SOURCE set on a chain with sources %u/%u and %u/%u (Driver Verifier 0xA00C)",
             func, d0->SourcePortId, d0->SourceNicIndex, d->SourcePortId, d->SourceNicIndex);
    xsw_rec_finding(sw, m->index, XSW_F_BAD_PARAMETER, 0, d->SourcePortId, d->SourceNicIndex, xsw_nbl_id(other), msg);
}

/*
 * Screen a chain an extension hands to NDIS, in one pass: every NBL must
 * carry a switch forwarding context (kept, with bit "bit" of its ingress or
 * egress outstanding mask set; the others go to *rejected), and with
 * "single" every NBL must have the first one's source (SWITCH_SINGLE_SOURCE).
 * *count receives the length of the kept chain. The chain is only re-linked
 * when something is rejected.
 */
static PNET_BUFFER_LIST screen_chain(struct xsw_switch *sw, struct xsw_module *m, PNET_BUFFER_LIST chain,
                                     const char *func, PNET_BUFFER_LIST *rejected, int ingress, unsigned bit,
                                     ULONG *count, int single)
{
    const uint32_t mask = 1u << bit;
    ULONG n_ok = 0;
    int mismatch = 0;
    uint64_t src0 = detail(chain)->AsUINT64 & 0x000000FFFFFF0000ull; /* SourcePortId and SourceNicIndex */
    PNET_BUFFER_LIST n;
    for (n = chain; n; n = n->Next) {
        struct xsw_fwd *f = xsw_fwd_of(n);
        if (!f)
            break;
        if (ingress)
            f->sent_mask |= mask;
        else
            f->ind_mask |= mask;
        if (single && !mismatch && (detail(n)->AsUINT64 & 0x000000FFFFFF0000ull) != src0) {
            mismatch = 1;
            single_source_finding(sw, m, chain, n, func);
        }
        n_ok++;
    }
    if (!n) { /* the common case: every NBL is fine */
        *rejected = NULL;
        *count = n_ok;
        return chain;
    }
    PNET_BUFFER_LIST ok = NULL, *ok_tail = &ok, bad = NULL, *bad_tail = &bad;
    n_ok = 0;
    for (PNET_BUFFER_LIST x = chain, next; x; x = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(x);
        x->Next = NULL;
        struct xsw_fwd *f = xsw_fwd_of(x);
        if (!f) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "%s: NBL %p has no switch forwarding context (AllocateNetBufferListForwardingContext not called; Driver Verifier 0xA003)",
                     func, (void *)x);
            xsw_rec_finding(sw, m->index, XSW_F_BAD_PARAMETER, 0, 0, 0, 0, msg);
            *bad_tail = x;
            bad_tail = &x->Next;
        } else {
            if (ingress)
                f->sent_mask |= mask;
            else
                f->ind_mask |= mask;
            n_ok++;
            *ok_tail = x;
            ok_tail = &x->Next;
        }
    }
    *rejected = bad;
    *count = n_ok;
    return ok;
}

static void check_flags_irql(struct xsw_switch *sw, struct xsw_module *m, ULONG dispatch_flag, const char *func)
{
    unsigned irql = xsw_rt_irql();
    if ((dispatch_flag != 0) != (irql >= XSW_DISPATCH_LEVEL)) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: the DISPATCH_LEVEL flag is %s but the caller runs at IRQL %u", func,
                 dispatch_flag ? "set" : "clear", irql);
        xsw_rec_finding(sw, m->index, XSW_F_IRQL_VIOLATION, irql, 0, 0, 0, msg);
    }
}

VOID NdisFSendNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber,
                             ULONG SendFlags)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFSendNetBufferLists", (uintptr_t)NdisFilterHandle, (uintptr_t)NetBufferLists, SendFlags);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFSendNetBufferLists");
    if (!m || !NetBufferLists)
        return;
    (void)PortNumber;
    check_flags_irql(sw, m, SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL, "NdisFSendNetBufferLists");
    PNET_BUFFER_LIST bad;
    ULONG n_ok;
    PNET_BUFFER_LIST chain =
        screen_chain(sw, m, NetBufferLists, "NdisFSendNetBufferLists", &bad, 1, m->index + 1, &n_ok,
                     (SendFlags & NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE) != 0);
    if (bad) {
        /* Windows would crash on these; hand them back failed instead. */
        for (PNET_BUFFER_LIST n = bad; n; n = n->Next)
            NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_INVALID_PACKET;
        if (m->drv->chars.SendNetBufferListsCompleteHandler)
            m->drv->chars.SendNetBufferListsCompleteHandler(m->ctx, bad, SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL);
    }
    if (!chain)
        return;
    if (!xsw_sw_module_running(m)) {
        xsw_rec_finding(sw, m->index, XSW_F_SEND_WHILE_PAUSED, 0, 0, 0, xsw_nbl_id(chain),
                        "NdisFSendNetBufferLists called while the filter module is paused");
    }
    xsw_rec_nbls(sw, XSW_K_NBL_SEND, m->index + 1, m->index, chain, SendFlags);
    ingress_down(sw, m->index + 1, chain, SendFlags);
}

/* ---- The miniport edge: native forwarding ----------------------------------------------- */

static int has_forwarding_extension(struct xsw_switch *sw)
{
    for (unsigned i = 0; i < sw->depth; i++)
        if (sw->drivers[i].cls == XSW_CLASS_FORWARD)
            return 1;
    return 0;
}

static uint16_t target_nic(const struct xsw_port *p)
{
    /* For the external port, deliver to the physical adapter (lowest nonzero index). */
    uint16_t best = 0xFFFF;
    for (unsigned k = 0; k < sizeof p->nics / sizeof p->nics[0]; k++) {
        const struct xsw_nic *n = &p->nics[k];
        if (!n->used || n->state != NdisSwitchNicStateConnected)
            continue;
        if (p->type == XSW_PORT_EXTERNAL && n->nic_index == 0 && best != 0xFFFF)
            continue;
        if (best == 0xFFFF || (p->type == XSW_PORT_EXTERNAL ? (n->nic_index != 0 && (best == 0 || n->nic_index < best))
                                                            : n->nic_index < best))
            best = n->nic_index;
    }
    return best;
}

/* Make room for one more committed destination (Add grows the array itself). */
static int fwd_room_for_one(struct xsw_fwd *f, int inject)
{
    if (f->arr.NumElements > f->arr.NumDestinations)
        return 0;
    if (fwd_reserve(f, 1, inject))
        return XSW_ENOMEM;
    f->arr.NumElements = f->arr.NumDestinations + 1;
    return 0;
}

static void add_native_dest(struct xsw_fwd *f, PNET_BUFFER_LIST nbl, uint32_t port, uint16_t nic)
{
    if (fwd_room_for_one(f, 0))
        return;
    NDIS_SWITCH_PORT_DESTINATION *d = &f->dest[f->arr.NumDestinations++];
    memset(d, 0, sizeof *d);
    d->PortId = port;
    d->NicIndex = nic;
    f->committed = f->arr.NumDestinations;
    sync_available(nbl, f);
}

/* Lookups native forwarding reuses across the NBLs of one chain. */
struct fwd_cache {
    uint32_t src_port;
    uint8_t src_valid;
    uint16_t vlan;
    uint8_t learned[6];
    uint8_t learned_valid; /* 0 no, 1 yes, 2 unknown source port: learn nothing */
    uint8_t dst[6];
    uint8_t dst_valid;
    const struct xsw_mac_entry *dst_entry;
    int dst_connected;
};

static void native_forward(struct xsw_switch *sw, PNET_BUFFER_LIST nbl, struct xsw_fwd *f, struct fwd_cache *c)
{
    NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *d = detail(nbl);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    if (!nb || !nb->CurrentMdl || nb->CurrentMdl->ByteCount < nb->CurrentMdlOffset + 14)
        return; /* no Ethernet header in the first MDL: nowhere to send it */
    const uint8_t *eth = (const uint8_t *)nb->CurrentMdl->MappedSystemVa + nb->CurrentMdlOffset;
    if (!eth)
        return;
    uint32_t src_port = d->SourcePortId;
    if (!c->src_valid || c->src_port != src_port) {
        struct xsw_port *sp = xsw_port_find(sw, src_port);
        c->src_port = src_port;
        c->src_valid = 1;
        c->vlan = sp ? sp->access_vlan : 0;
        c->learned_valid = sp ? 0 : 2;
        c->dst_valid = 0;
    }
    uint16_t vlan = c->vlan;
    if (c->learned_valid != 2 && !(c->learned_valid == 1 && memcmp(c->learned, eth + 6, 6) == 0)) {
        xsw_mac_learn(sw, eth + 6, vlan, src_port, d->SourceNicIndex);
        memcpy(c->learned, eth + 6, 6);
        c->learned_valid = 1;
        c->dst_valid = 0; /* learning may grow (move) the table */
    }
    if (!(eth[0] & 1)) {
        if (!c->dst_valid || memcmp(c->dst, eth, 6) != 0) {
            memcpy(c->dst, eth, 6);
            c->dst_valid = 1;
            c->dst_entry = xsw_mac_lookup(sw, eth, vlan);
            c->dst_connected = c->dst_entry && dest_connected(sw, c->dst_entry->port_id, c->dst_entry->nic_index);
        }
        const struct xsw_mac_entry *e = c->dst_entry;
        if (e) {
            if (e->port_id != src_port && c->dst_connected)
                add_native_dest(f, nbl, e->port_id, e->nic_index);
            return;
        }
    }
    /* Broadcast, multicast or unknown unicast: flood within the VLAN. */
    for (uint32_t i = 0; i < sw->port_cap; i++) {
        const struct xsw_port *p = &sw->ports[i];
        if (p->used != 1 || p->id == src_port || p->access_vlan != vlan || p->validation)
            continue;
        uint16_t nic = target_nic(p);
        if (nic != 0xFFFF)
            add_native_dest(f, nbl, p->id, nic);
    }
}

static void miniport_ingress(struct xsw_switch *sw, PNET_BUFFER_LIST chain, ULONG flags)
{
    (void)flags;
    const int fwd_ext = has_forwarding_extension(sw);
    struct fwd_cache cache;
    cache.src_valid = 0;
    PNET_BUFFER_LIST up = NULL, *up_tail = &up, drop = NULL, *drop_tail = &drop;
    ULONG count = 0;
    for (PNET_BUFFER_LIST n = chain, next; n; n = next) {
        next = n->Next;
        n->Next = NULL;
        struct xsw_fwd *f = xsw_fwd_of(n);
        /*
         * Without a forwarding extension the miniport edge computes the
         * destinations; NVGRE packets (NativeForwardingRequired) are always
         * forwarded natively (§5.1, §5.4).
         */
        if (f && f->arr.NumDestinations == 0 && (!fwd_ext || detail(n)->NativeForwardingRequired))
            native_forward(sw, n, f, &cache);
        if (f && f->arr.NumDestinations > 0) {
            f->indicated = 1;
            *up_tail = n;
            up_tail = &n->Next;
            count++;
        } else {
            *drop_tail = n;
            drop_tail = &n->Next;
        }
    }
    if (drop) {
        /* No destination: the switch completes the send at once. */
        for (PNET_BUFFER_LIST n = drop; n; n = n->Next) {
            NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
            if (xsw_fwd_of(n))
                xsw_fwd_of(n)->sent_mask &= ~(1u << sw->depth);
        }
        xsw_rec_nbls(sw, XSW_K_NBL_SEND_COMPLETE, sw->depth, XSW_ACTOR_SWITCH, drop, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
        complete_up(sw, sw->depth, drop, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
    }
    if (up) {
        ULONG rflags = NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
        int single = 1;
        for (PNET_BUFFER_LIST n = up->Next; n; n = n->Next)
            if (detail(n)->SourcePortId != detail(up)->SourcePortId ||
                detail(n)->SourceNicIndex != detail(up)->SourceNicIndex)
                single = 0;
        if (single)
            rflags |= NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE;
        xsw_rec_nbls(sw, XSW_K_NBL_INDICATE, sw->depth, XSW_ACTOR_SWITCH, up, rflags);
        for (PNET_BUFFER_LIST n = up; n; n = n->Next)
            xsw_fwd_of(n)->ind_mask |= 1u << sw->depth;
        egress_up(sw, sw->depth, up, count, rflags);
    }
}

/* ---- Egress ------------------------------------------------------------------------------ */

static void protocol_edge_deliver(struct xsw_switch *sw, PNET_BUFFER_LIST chain, ULONG flags);

static void egress_up(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG count, ULONG flags)
{
    if (b == 0) {
        protocol_edge_deliver(sw, chain, flags);
        return;
    }
    struct xsw_module *m = &sw->mods[b - 1];
    if (!m->drv->chars.ReceiveNetBufferListsHandler) {
        for (PNET_BUFFER_LIST n = chain; n; n = n->Next)
            if (xsw_fwd_of(n))
                xsw_fwd_of(n)->ind_mask |= 1u << (b - 1);
        egress_up(sw, b - 1, chain, count, flags);
        return;
    }
    unsigned sa, si;
    xsw_sw_call_enter(b - 1, irql_for(flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL), &sa, &si);
    m->drv->chars.ReceiveNetBufferListsHandler(m->ctx, chain, NDIS_DEFAULT_PORT_NUMBER, count, flags);
    xsw_sw_call_leave(sa, si);
}

VOID NdisFIndicateReceiveNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferLists,
                                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists, ULONG ReceiveFlags)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFIndicateReceiveNetBufferLists", (uintptr_t)NdisFilterHandle, (uintptr_t)NetBufferLists,
                     ReceiveFlags);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFIndicateReceiveNetBufferLists");
    if (!m || !NetBufferLists)
        return;
    (void)PortNumber;
    check_flags_irql(sw, m, ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, "NdisFIndicateReceiveNetBufferLists");
    PNET_BUFFER_LIST bad;
    ULONG n;
    PNET_BUFFER_LIST chain =
        screen_chain(sw, m, NetBufferLists, "NdisFIndicateReceiveNetBufferLists", &bad, 0, m->index, &n,
                     (ReceiveFlags & NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE) != 0);
    if (bad && m->drv->chars.ReturnNetBufferListsHandler)
        m->drv->chars.ReturnNetBufferListsHandler(m->ctx, bad, ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    if (!chain)
        return;
    if (!bad && n != NumberOfNetBufferLists) {
        char msg[160];
        snprintf(msg, sizeof msg, "NdisFIndicateReceiveNetBufferLists: NumberOfNetBufferLists is %u but the chain holds %u",
                 (unsigned)NumberOfNetBufferLists, (unsigned)n);
        xsw_rec_finding(sw, m->index, XSW_F_BAD_PARAMETER, n, 0, 0, 0, msg);
    }
    if (ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES)
        xsw_rec_finding(sw, m->index, XSW_F_BAD_PARAMETER, 0, 0, 0, xsw_nbl_id(chain),
                        "NDIS_RECEIVE_FLAGS_RESOURCES set on an egress indication; extensions must not set it (§5.5)");
    if (!xsw_sw_module_running(m))
        xsw_rec_finding(sw, m->index, XSW_F_SEND_WHILE_PAUSED, 0, 0, 0, xsw_nbl_id(chain),
                        "NdisFIndicateReceiveNetBufferLists called while the filter module is paused");
    xsw_rec_nbls(sw, XSW_K_NBL_INDICATE, m->index, m->index, chain, ReceiveFlags);
    egress_up(sw, m->index, chain, n, ReceiveFlags);
}

static void protocol_edge_deliver(struct xsw_switch *sw, PNET_BUFFER_LIST chain, ULONG flags)
{
    (void)flags;
    struct nic_cache nc = {0};
    static uint8_t frame[XSW_FRAME_MAX];
    for (PNET_BUFFER_LIST n = chain; n; n = n->Next) {
        struct xsw_fwd *f = xsw_fwd_of(n);
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n);
        uint32_t len = nb ? NET_BUFFER_DATA_LENGTH(nb) : 0;
        uint32_t copied = UINT32_MAX; /* the frame is copied once, for the first VM channel */
        for (uint32_t i = 0; f && i < f->arr.NumDestinations; i++) {
            const NDIS_SWITCH_PORT_DESTINATION *d = &f->dest[i];
            if (d->IsExcluded)
                continue;
            struct xsw_nic *dn = nic_cached(sw, &nc, d->PortId, d->NicIndex);
            if (dn) {
                dn->stats.rx_frames++;
                dn->stats.rx_bytes += len;
                if (dn->chan) {
                    if (copied == UINT32_MAX)
                        copied = xsw_nbl_copy_frame(n, frame, sizeof frame);
                    xsw_vm_deliver(sw, dn, frame, copied);
                }
            }
        }
    }
    if (sw->npending)
        xsw_vm_flush(sw);
    ULONG rf = NDIS_RETURN_FLAGS_DISPATCH_LEVEL;
    if (flags & NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE)
        rf |= NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE;
    xsw_rec_nbls(sw, XSW_K_NBL_RETURN, 0, XSW_ACTOR_SWITCH, chain, rf);
    for (PNET_BUFFER_LIST n = chain; n; n = n->Next)
        xsw_fwd_of(n)->ind_mask &= ~1u;
    return_down(sw, 0, chain, rf);
}

/* ---- Returns ------------------------------------------------------------------------------ */

static void miniport_return(struct xsw_switch *sw, PNET_BUFFER_LIST chain, ULONG flags);

static void return_down(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags)
{
    if (b == sw->depth) {
        miniport_return(sw, chain, flags);
        return;
    }
    struct xsw_module *m = &sw->mods[b];
    if (!m->drv->chars.ReturnNetBufferListsHandler) {
        for (PNET_BUFFER_LIST n = chain; n; n = n->Next)
            xsw_fwd_of(n)->ind_mask &= ~(1u << (b + 1));
        return_down(sw, b + 1, chain, flags);
        return;
    }
    unsigned sa, si;
    xsw_sw_call_enter(b, irql_for(flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL), &sa, &si);
    m->drv->chars.ReturnNetBufferListsHandler(m->ctx, chain, flags);
    xsw_sw_call_leave(sa, si);
}

/*
 * Keep only the NBLs that are outstanding at boundary "b" in direction
 * "mask"; the others were completed or returned already, or never went
 * there. They are recorded and withheld: passing them on would hand the same
 * packet to its owner twice.
 */
static PNET_BUFFER_LIST take_outstanding(struct xsw_switch *sw, struct xsw_module *m, PNET_BUFFER_LIST chain,
                                         unsigned b, int ingress, const char *func)
{
    PNET_BUFFER_LIST ok = NULL, *tail = &ok;
    for (PNET_BUFFER_LIST n = chain, next; n; n = next) {
        next = n->Next;
        n->Next = NULL;
        struct xsw_fwd *f = xsw_fwd_of(n);
        uint32_t *mask = f ? (ingress ? &f->sent_mask : &f->ind_mask) : NULL;
        if (!mask || !(*mask & (1u << b))) {
            char msg[220];
            snprintf(msg, sizeof msg, "%s: NBL %llu is not outstanding at this module (%s)", func,
                     (unsigned long long)(f ? f->id : 0),
                     !f ? "no forwarding context" : "completed or returned already, or never received");
            xsw_rec_finding(sw, m->index, XSW_F_NBL_DOUBLE_COMPLETE, f ? f->id : 0, 0, 0, f ? f->id : 0, msg);
            continue;
        }
        *mask &= ~(1u << b);
        *tail = n;
        tail = &n->Next;
    }
    return ok;
}

VOID NdisFReturnNetBufferLists(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFReturnNetBufferLists", (uintptr_t)NdisFilterHandle, (uintptr_t)NetBufferLists, ReturnFlags);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFReturnNetBufferLists");
    if (!m || !NetBufferLists)
        return;
    check_flags_irql(sw, m, ReturnFlags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL, "NdisFReturnNetBufferLists");
    /* An NBL returned below boundary m+1 must have been indicated across it. */
    PNET_BUFFER_LIST chain = take_outstanding(sw, m, NetBufferLists, m->index + 1, 0, "NdisFReturnNetBufferLists");
    if (!chain)
        return;
    xsw_rec_nbls(sw, XSW_K_NBL_RETURN, m->index + 1, m->index, chain, ReturnFlags);
    return_down(sw, m->index + 1, chain, ReturnFlags);
}

static void miniport_return(struct xsw_switch *sw, PNET_BUFFER_LIST chain, ULONG flags)
{
    (void)flags;
    PNET_BUFFER_LIST done = NULL, *tail = &done;
    for (PNET_BUFFER_LIST n = chain, next; n; n = next) {
        next = n->Next;
        n->Next = NULL;
        struct xsw_fwd *f = xsw_fwd_of(n);
        if (!f || !f->indicated) {
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_NBL_WRONG_OWNER, 0, 0, 0, f ? f->id : 0,
                            "an NBL the miniport edge never indicated was returned to it");
            continue;
        }
        f->indicated = 0;
        f->ind_mask &= ~(1u << sw->depth);
        f->sent_mask &= ~(1u << sw->depth);
        NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_SUCCESS;
        *tail = n;
        tail = &n->Next;
    }
    if (!done)
        return;
    ULONG cf = NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL;
    xsw_rec_nbls(sw, XSW_K_NBL_SEND_COMPLETE, sw->depth, XSW_ACTOR_SWITCH, done, cf);
    complete_up(sw, sw->depth, done, cf);
}

/* ---- Send completion ------------------------------------------------------------------------ */

static void protocol_edge_complete(struct xsw_switch *sw, PNET_BUFFER_LIST chain)
{
    struct nic_cache nc = {0};
    for (PNET_BUFFER_LIST n = chain, next; n; n = next) {
        next = n->Next;
        struct xsw_fwd *f = xsw_fwd_of(n);
        if (!f || f->owner != -1) {
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_NBL_WRONG_OWNER, 0, 0, 0, f ? f->id : 0,
                            "a send completion reached the protocol edge for an NBL an extension originated");
            continue;
        }
        struct xsw_pkt *p = (struct xsw_pkt *)((uint8_t *)f - offsetof(struct xsw_pkt, fwd));
        struct xsw_nic *src = nic_cached(sw, &nc, detail(n)->SourcePortId, detail(n)->SourceNicIndex);
        if (src) {
            if (NET_BUFFER_LIST_STATUS(n) == NDIS_STATUS_SUCCESS)
                src->stats.tx_completed++;
            else
                src->stats.tx_failed++;
        }
        if (f->dest != f->inline_dest) {
            free(f->dest);
            f->dest = f->inline_dest;
            f->dest_cap = XSW_INLINE_DESTS;
        }
        f->magic = 0;
        f->in_use = 0;
        p->next_free = sw->pkt_free;
        sw->pkt_free = p;
        sw->pkt_in_use--;
    }
}

static void complete_up(struct xsw_switch *sw, unsigned b, PNET_BUFFER_LIST chain, ULONG flags)
{
    if (b == 0) {
        for (PNET_BUFFER_LIST n = chain; n; n = n->Next)
            if (xsw_fwd_of(n))
                xsw_fwd_of(n)->sent_mask &= ~1u;
        protocol_edge_complete(sw, chain);
        return;
    }
    struct xsw_module *m = &sw->mods[b - 1];
    if (!m->drv->chars.SendNetBufferListsCompleteHandler) {
        for (PNET_BUFFER_LIST n = chain; n; n = n->Next)
            if (xsw_fwd_of(n))
                xsw_fwd_of(n)->sent_mask &= ~(1u << (b - 1));
        complete_up(sw, b - 1, chain, flags);
        return;
    }
    unsigned sa, si;
    xsw_sw_call_enter(b - 1, irql_for(flags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL), &sa, &si);
    m->drv->chars.SendNetBufferListsCompleteHandler(m->ctx, chain, flags);
    xsw_sw_call_leave(sa, si);
}

VOID NdisFSendNetBufferListsComplete(NDIS_HANDLE NdisFilterHandle, PNET_BUFFER_LIST NetBufferLists, ULONG SendCompleteFlags)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFSendNetBufferListsComplete", (uintptr_t)NdisFilterHandle, (uintptr_t)NetBufferLists,
                     SendCompleteFlags);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFSendNetBufferListsComplete");
    if (!m || !NetBufferLists)
        return;
    check_flags_irql(sw, m, SendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL, "NdisFSendNetBufferListsComplete");
    /* Completing upwards across boundary m: the NBL must have been sent down across it. */
    PNET_BUFFER_LIST chain = take_outstanding(sw, m, NetBufferLists, m->index, 1, "NdisFSendNetBufferListsComplete");
    if (!chain)
        return;
    for (PNET_BUFFER_LIST n = chain; n; n = n->Next) {
        struct xsw_fwd *f = xsw_fwd_of(n);
        if (f->sent_mask & (1u << (m->index + 1))) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "NdisFSendNetBufferListsComplete: NBL %llu completed while it is still outstanding below this module",
                     (unsigned long long)f->id);
            xsw_rec_finding(sw, m->index, XSW_F_NBL_DOUBLE_COMPLETE, f->id, 0, 0, f->id, msg);
        }
    }
    xsw_rec_nbls(sw, XSW_K_NBL_SEND_COMPLETE, m->index, m->index, chain, SendCompleteFlags);
    complete_up(sw, m->index, chain, SendCompleteFlags);
}

VOID NdisFCancelSendNetBufferLists(NDIS_HANDLE NdisFilterHandle, PVOID CancelId)
{
    xsw_rt_ndis_call("NdisFCancelSendNetBufferLists", (uintptr_t)NdisFilterHandle, (uintptr_t)CancelId, 0);
    (void)xsw_sw_module_from_handle(NdisFilterHandle, "NdisFCancelSendNetBufferLists");
}

/* ---- The 15 switch handlers ------------------------------------------------------------------- */

static struct xsw_fwd *fwd_required(struct xsw_switch *sw, PNET_BUFFER_LIST nbl, const char *func)
{
    struct xsw_fwd *f = nbl ? xsw_fwd_of(nbl) : NULL;
    if (!f) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: NBL %p has no switch forwarding context", func, (void *)nbl);
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, 0, msg);
    }
    return f;
}

static NDIS_STATUS h_allocate_ctx(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "AllocateNetBufferListForwardingContext");
    if (!sw || !nbl)
        return NDIS_STATUS_INVALID_PARAMETER;
    xsw_rt_check_irql_max("AllocateNetBufferListForwardingContext", XSW_DISPATCH_LEVEL);
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (xsw_fwd_of(nbl)) {
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, xsw_nbl_id(nbl),
                        "AllocateNetBufferListForwardingContext: the NBL already has a forwarding context");
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else if (!nbl->SourceHandle) {
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, 0,
                        "AllocateNetBufferListForwardingContext: NBL SourceHandle not set to the filter handle first (Driver Verifier 0xA001)");
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else if (detail(nbl)->AsUINT64 != 0) {
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, detail(nbl)->AsUINT64, 0, 0, 0,
                        "AllocateNetBufferListForwardingContext: forwarding detail is not zero (Driver Verifier 0xA002)");
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else if (xsw_rt_alloc_should_fail()) {
        st = NDIS_STATUS_RESOURCES;
    }
    struct xsw_fwd *f = NULL;
    if (st == NDIS_STATUS_SUCCESS) {
        f = fwd_get(sw);
        if (!f)
            st = NDIS_STATUS_RESOURCES;
    }
    if (f) {
        memset(f, 0, sizeof *f);
        f->dest = f->inline_dest;
        f->dest_cap = XSW_INLINE_DESTS;
        fwd_reset(f);
        f->magic = XSW_FWD_MAGIC;
        f->id = sw->next_nbl_id++;
        f->nbl = nbl;
        f->owner = (int)xsw_rt_actor();
        f->in_use = 1;
        sw->fwd_live++;
        NET_BUFFER_LIST_INFO(nbl, SwitchForwardingReserved) = f;
        detail(nbl)->AsUINT64 = 0; /* source: NDIS_SWITCH_DEFAULT_PORT_ID / NIC 0 (§5.6) */
        sync_available(nbl, f);
    }
    xsw_rec_handler(sw, XSW_H_AllocateNetBufferListForwardingContext, 0, 0, st, 0, 1, 0, f ? f->id : 0, NULL, 0, NULL);
    return st;
}

static VOID h_free_ctx(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "FreeNetBufferListForwardingContext");
    if (!sw)
        return;
    struct xsw_fwd *f = fwd_required(sw, nbl, "FreeNetBufferListForwardingContext");
    xsw_rec_handler(sw, XSW_H_FreeNetBufferListForwardingContext, 0, 0, f ? 0 : NDIS_STATUS_INVALID_PARAMETER, 0, 1, 0,
                    f ? f->id : 0, NULL, 0, NULL);
    if (!f)
        return;
    if (f->owner < 0) {
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, f->id,
                        "FreeNetBufferListForwardingContext on an NBL the protocol edge owns");
        return;
    }
    if (f->sent_mask || f->ind_mask)
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, f->id,
                        "FreeNetBufferListForwardingContext on an NBL still outstanding in the switch");
    NET_BUFFER_LIST_INFO(nbl, SwitchForwardingReserved) = NULL;
    detail(nbl)->AsUINT64 = 0;
    sw->fwd_live--;
    fwd_put(sw, f);
}

static NDIS_STATUS h_set_source(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl, NDIS_SWITCH_PORT_ID port,
                                NDIS_SWITCH_NIC_INDEX nic)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "SetNetBufferListSource");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_fwd *f = fwd_required(sw, nbl, "SetNetBufferListSource");
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!f)
        st = NDIS_STATUS_INVALID_PARAMETER;
    else if (!dest_connected(sw, port, nic)) {
        char msg[200];
        snprintf(msg, sizeof msg, "SetNetBufferListSource: source %u/%u is not a connected NIC (%s; Driver Verifier 0xA006)",
                 (unsigned)port, nic, nic_state_text(sw, port, nic));
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_DESTINATION, 0, port, nic, f->id, msg);
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        detail(nbl)->SourcePortId = port;
        detail(nbl)->SourceNicIndex = nic;
    }
    xsw_rec_handler(sw, XSW_H_SetNetBufferListSource, port, nic, st, 0, 1, 0, f ? f->id : 0, NULL, 0, NULL);
    return st;
}

static NDIS_STATUS check_new_dest(struct xsw_switch *sw, struct xsw_fwd *f, const NDIS_SWITCH_PORT_DESTINATION *d,
                                  const char *func)
{
    if (dest_connected(sw, d->PortId, d->NicIndex))
        return NDIS_STATUS_SUCCESS;
    char msg[200];
    snprintf(msg, sizeof msg, "%s: destination %u/%u is not a connected NIC (%s; Driver Verifier 0xA005)", func,
             (unsigned)d->PortId, d->NicIndex, nic_state_text(sw, d->PortId, d->NicIndex));
    xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_DESTINATION, 0, d->PortId, d->NicIndex, f->id, msg);
    return NDIS_STATUS_INVALID_PARAMETER;
}

static NDIS_STATUS h_add_dest(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl, PNDIS_SWITCH_PORT_DESTINATION dest)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "AddNetBufferListDestination");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    xsw_rt_check_irql_max("AddNetBufferListDestination", XSW_DISPATCH_LEVEL);
    struct xsw_fwd *f = fwd_required(sw, nbl, "AddNetBufferListDestination");
    NDIS_STATUS st;
    if (!f || !dest)
        st = NDIS_STATUS_INVALID_PARAMETER;
    else if ((st = check_new_dest(sw, f, dest, "AddNetBufferListDestination")) == NDIS_STATUS_SUCCESS) {
        if (fwd_room_for_one(f, 1)) {
            st = NDIS_STATUS_RESOURCES;
        } else {
            f->dest[f->arr.NumDestinations++] = *dest;
            f->committed = f->arr.NumDestinations;
            sync_available(nbl, f);
        }
    }
    xsw_rec_handler(sw, XSW_H_AddNetBufferListDestination, dest ? dest->PortId : 0, dest ? dest->NicIndex : 0, st, 0, 1,
                    0, f ? f->id : 0, dest, dest ? 1 : 0, NULL);
    return st;
}

static NDIS_STATUS h_grow_dests(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl, UINT32 n,
                                PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY *out)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "GrowNetBufferListDestinations");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_fwd *f = fwd_required(sw, nbl, "GrowNetBufferListDestinations");
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    /*
     * NumberOfNewDestinations elements are added to the array (the Microsoft
     * forwarding sample grows by "needed - NumAvailableDestinations").
     */
    if (!f || !out)
        st = NDIS_STATUS_INVALID_PARAMETER;
    else if ((uint64_t)f->arr.NumElements + n > 65535 ||
             fwd_reserve(f, f->arr.NumElements - f->arr.NumDestinations + n, 1))
        st = NDIS_STATUS_RESOURCES;
    else
        f->arr.NumElements += n;
    if (out)
        *out = st == NDIS_STATUS_SUCCESS ? &f->arr : NULL;
    if (st == NDIS_STATUS_SUCCESS)
        sync_available(nbl, f);
    xsw_rec_handler(sw, XSW_H_GrowNetBufferListDestinations, 0, 0, st, 0, n, 0, f ? f->id : 0, NULL, 0, NULL);
    return st;
}

static VOID h_get_dests(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl, PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY *out)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "GetNetBufferListDestinations");
    if (!sw)
        return;
    struct xsw_fwd *f = fwd_required(sw, nbl, "GetNetBufferListDestinations");
    if (out)
        *out = f ? &f->arr : NULL;
    xsw_rec_handler(sw, XSW_H_GetNetBufferListDestinations, 0, 0, 0, 0, f ? f->arr.NumDestinations : 0, 0,
                    f ? f->id : 0, f ? f->dest : NULL, f ? f->arr.NumDestinations : 0, NULL);
}

static NDIS_STATUS h_update_dests(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl, UINT32 n,
                                  PNDIS_SWITCH_FORWARDING_DESTINATION_ARRAY arr)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "UpdateNetBufferListDestinations");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_fwd *f = fwd_required(sw, nbl, "UpdateNetBufferListDestinations");
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!f || arr != &f->arr) {
        if (f)
            xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, f->id,
                            "UpdateNetBufferListDestinations: the array is not the NBL's own (Driver Verifier 0xA007)");
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else if ((uint64_t)f->arr.NumDestinations + n > f->arr.NumElements) {
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, n, 0, 0, f->id,
                        "UpdateNetBufferListDestinations: more new destinations than free elements (Driver Verifier 0xA007)");
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        for (uint32_t i = 0; i < n && st == NDIS_STATUS_SUCCESS; i++)
            st = check_new_dest(sw, f, &f->dest[f->arr.NumDestinations + i], "UpdateNetBufferListDestinations");
        if (st == NDIS_STATUS_SUCCESS) {
            f->arr.NumDestinations += n;
            f->committed = f->arr.NumDestinations;
            sync_available(nbl, f);
        }
    }
    xsw_rec_handler(sw, XSW_H_UpdateNetBufferListDestinations, 0, 0, st, 0, n, 0, f ? f->id : 0, f ? f->dest : NULL,
                    f ? f->arr.NumDestinations : 0, NULL);
    return st;
}

static NDIS_STATUS h_copy_info(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST dst, PNET_BUFFER_LIST src, UINT32 flags)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "CopyNetBufferListInfo");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_fwd *fd = fwd_required(sw, dst, "CopyNetBufferListInfo");
    struct xsw_fwd *fs = fwd_required(sw, src, "CopyNetBufferListInfo");
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!fd || !fs) {
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *dd = detail(dst), *sd = detail(src);
        dd->SourcePortId = sd->SourcePortId;
        dd->SourceNicIndex = sd->SourceNicIndex;
        dd->NativeForwardingRequired = sd->NativeForwardingRequired;
        dd->IsPacketDataSafe = sd->IsPacketDataSafe;
        dd->SafePacketDataSize = sd->SafePacketDataSize;
        if (flags & NDIS_SWITCH_COPY_NBL_INFO_FLAGS_PRESERVE_DESTINATIONS) {
            if (fwd_reserve(fd, fd->arr.NumElements - fd->arr.NumDestinations + fs->arr.NumDestinations, 1)) {
                st = NDIS_STATUS_RESOURCES;
            } else {
                memcpy(fd->dest + fd->arr.NumDestinations, fs->dest, fs->arr.NumDestinations * sizeof *fs->dest);
                fd->arr.NumDestinations += fs->arr.NumDestinations;
                if (fd->arr.NumElements < fd->arr.NumDestinations)
                    fd->arr.NumElements = fd->arr.NumDestinations;
                fd->committed = fd->arr.NumDestinations;
            }
        }
        sync_available(dst, fd);
    }
    xsw_rec_handler(sw, XSW_H_CopyNetBufferListInfo, 0, 0, st, flags, 1, 0, fd ? fd->id : 0, NULL, 0, NULL);
    return st;
}

/* Reference rules: extensible-switch.md §4.2 table and §4.5 (Driver Verifier 0xA008/0xA009). */
static NDIS_STATUS h_ref_nic(NDIS_SWITCH_CONTEXT ctx, NDIS_SWITCH_PORT_ID port, NDIS_SWITCH_NIC_INDEX nic)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "ReferenceSwitchNic");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    /*
     * The states page allows NIC references only while the NIC is connected;
     * the DDI page says "after the connection has reached the created state"
     * (§8.4). We follow the states table, which Driver Verifier enforces.
     * The status Windows returns for a refused reference is not documented;
     * NDIS_STATUS_INVALID_PARAMETER is what the harness returns.
     */
    if (!n || n->state != NdisSwitchNicStateConnected) {
        char msg[200];
        snprintf(msg, sizeof msg, "ReferenceSwitchNic %u/%u refused: NIC is %s; references are allowed only while connected",
                 (unsigned)port, nic, nic_state_text(sw, port, nic));
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_REFERENCE_REFUSED, 0, port, nic, 0, msg);
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        n->refs++;
    }
    xsw_rec_handler(sw, XSW_H_ReferenceSwitchNic, port, nic, st, 0, 1, n ? n->refs : 0, 0, NULL, 0, NULL);
    return st;
}

static NDIS_STATUS h_deref_nic(NDIS_SWITCH_CONTEXT ctx, NDIS_SWITCH_PORT_ID port, NDIS_SWITCH_NIC_INDEX nic)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "DereferenceSwitchNic");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!n || n->refs <= 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "DereferenceSwitchNic %u/%u without a matching ReferenceSwitchNic", (unsigned)port, nic);
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_REFERENCE_UNBALANCED, 0, port, nic, 0, msg);
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        n->refs--;
    }
    xsw_rec_handler(sw, XSW_H_DereferenceSwitchNic, port, nic, st, 0, 1, n ? n->refs : 0, 0, NULL, 0, NULL);
    return st;
}

static NDIS_STATUS h_ref_port(NDIS_SWITCH_CONTEXT ctx, NDIS_SWITCH_PORT_ID port)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "ReferenceSwitchPort");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_port *p = xsw_port_find(sw, port);
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!p || p->state != NdisSwitchPortStateCreated) {
        char msg[200];
        snprintf(msg, sizeof msg, "ReferenceSwitchPort %u refused: port is %s", (unsigned)port,
                 !p ? "not created" : p->state == NdisSwitchPortStateTeardown ? "tearing down" : "deleted");
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_REFERENCE_REFUSED, 0, port, 0, 0, msg);
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        p->refs++;
    }
    xsw_rec_handler(sw, XSW_H_ReferenceSwitchPort, port, 0, st, 0, 1, p ? p->refs : 0, 0, NULL, 0, NULL);
    return st;
}

static NDIS_STATUS h_deref_port(NDIS_SWITCH_CONTEXT ctx, NDIS_SWITCH_PORT_ID port)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "DereferenceSwitchPort");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    struct xsw_port *p = xsw_port_find(sw, port);
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!p || p->refs <= 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "DereferenceSwitchPort %u without a matching ReferenceSwitchPort", (unsigned)port);
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_REFERENCE_UNBALANCED, 0, port, 0, 0, msg);
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else {
        p->refs--;
    }
    xsw_rec_handler(sw, XSW_H_DereferenceSwitchPort, port, 0, st, 0, 1, p ? p->refs : 0, 0, NULL, 0, NULL);
    return st;
}

static VOID h_report_filtered(NDIS_SWITCH_CONTEXT ctx, PUNICODE_STRING guid, PUNICODE_STRING friendly,
                              NDIS_SWITCH_PORT_ID port, UINT32 flags, UINT32 count, PNET_BUFFER_LIST nbls,
                              PUNICODE_STRING reason)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "ReportFilteredNetBufferLists");
    if (!sw)
        return;
    (void)guid;
    (void)friendly;
    char text[600];
    text[0] = 0;
    if (reason && reason->Buffer)
        xsw_rt_utf16_to_utf8(text, sizeof text, reason->Buffer, reason->Length / 2);
    if (flags & ~(UINT32)NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING)
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, flags, port, 0, 0,
                        "ReportFilteredNetBufferLists: Flags has bits other than IS_INCOMING (Driver Verifier 0xA00B)");
    unsigned i = 0;
    for (PNET_BUFFER_LIST n = nbls; n && i < count; n = n->Next, i++)
        xsw_rec_handler(sw, XSW_H_ReportFilteredNetBufferLists, port, 0, 0, flags, count, 0, xsw_nbl_id(n), NULL, 0, text);
    if (i != count || !nbls)
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, count, port, 0, 0,
                        "ReportFilteredNetBufferLists: NumberOfNetBufferLists does not match the chain");
}

static NDIS_STATUS h_set_switch_ctx(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl,
                                    PNDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO type, PVOID context)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "SetNetBufferListSwitchContext");
    if (!sw)
        return NDIS_STATUS_INVALID_PARAMETER;
    (void)type;
    struct xsw_fwd *f = fwd_required(sw, nbl, "SetNetBufferListSwitchContext");
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    if (!f)
        st = NDIS_STATUS_INVALID_PARAMETER;
    else if (f->switch_context) {
        xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_BAD_PARAMETER, 0, 0, 0, f->id,
                        "SetNetBufferListSwitchContext: a switch context is already set (Driver Verifier 0xA00A)");
        st = NDIS_STATUS_INVALID_PARAMETER;
    } else
        f->switch_context = context;
    xsw_rec_handler(sw, XSW_H_SetNetBufferListSwitchContext, 0, 0, st, 0, 1, 0, f ? f->id : 0, NULL, 0, NULL);
    return st;
}

static PVOID h_get_switch_ctx(NDIS_SWITCH_CONTEXT ctx, PNET_BUFFER_LIST nbl, PNDIS_SWITCH_NET_BUFFER_LIST_CONTEXT_TYPE_INFO type)
{
    struct xsw_switch *sw = sw_from_ctx(ctx, "GetNetBufferListSwitchContext");
    if (!sw)
        return NULL;
    (void)type;
    struct xsw_fwd *f = fwd_required(sw, nbl, "GetNetBufferListSwitchContext");
    xsw_rec_handler(sw, XSW_H_GetNetBufferListSwitchContext, 0, 0, 0, 0, 1, 0, f ? f->id : 0, NULL, 0, NULL);
    return f ? f->switch_context : NULL;
}

void xsw_dp_fill_handlers(NDIS_SWITCH_OPTIONAL_HANDLERS *h)
{
    h->AllocateNetBufferListForwardingContext = h_allocate_ctx;
    h->FreeNetBufferListForwardingContext = h_free_ctx;
    h->SetNetBufferListSource = h_set_source;
    h->AddNetBufferListDestination = h_add_dest;
    h->GrowNetBufferListDestinations = h_grow_dests;
    h->GetNetBufferListDestinations = h_get_dests;
    h->UpdateNetBufferListDestinations = h_update_dests;
    h->CopyNetBufferListInfo = h_copy_info;
    h->ReferenceSwitchNic = h_ref_nic;
    h->DereferenceSwitchNic = h_deref_nic;
    h->ReferenceSwitchPort = h_ref_port;
    h->DereferenceSwitchPort = h_deref_port;
    h->ReportFilteredNetBufferLists = h_report_filtered;
    h->SetNetBufferListSwitchContext = h_set_switch_ctx;
    h->GetNetBufferListSwitchContext = h_get_switch_ctx;
}

/* ---- End of case ----------------------------------------------------------------------------- */

unsigned xsw_dp_final_checks(struct xsw_switch *sw)
{
    unsigned n = 0;
    for (struct slab *s = pkt_slabs; s; s = s->next) {
        struct xsw_pkt *p = (struct xsw_pkt *)(((uintptr_t)(s + 1) + 63) & ~(uintptr_t)63);
        for (unsigned i = 0; i < PKT_SLAB; i++) {
            struct xsw_fwd *f = &p[i].fwd;
            if (!f->in_use)
                continue;
            NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *d = detail(&p[i].nbl);
            char msg[200];
            snprintf(msg, sizeof msg,
                     "NBL %llu sent by the protocol edge from %u/%u was never completed back to it (ingress mask 0x%x, egress mask 0x%x)",
                     (unsigned long long)f->id, d->SourcePortId, d->SourceNicIndex, f->sent_mask, f->ind_mask);
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_NBL_LEAK, 1, d->SourcePortId, d->SourceNicIndex, f->id, msg);
            n++;
        }
    }
    for (struct slab *s = fwd_slabs; s; s = s->next) {
        struct xsw_fwd *f = (struct xsw_fwd *)(s + 1);
        for (unsigned i = 0; i < FWD_SLAB; i++) {
            if (!f[i].in_use)
                continue;
            char msg[160];
            snprintf(msg, sizeof msg, "forwarding context of NBL %llu never freed with FreeNetBufferListForwardingContext",
                     (unsigned long long)f[i].id);
            xsw_rec_finding(sw, f[i].owner >= 0 ? (unsigned)f[i].owner : XSW_ACTOR_SWITCH, XSW_F_FORWARDING_CONTEXT_LEAK,
                            1, 0, 0, f[i].id, msg);
            n++;
        }
    }
    return n;
}

unsigned xsw_switch_final_checks(struct xsw_switch *sw)
{
    xsw_switch_pump(sw);
    unsigned n = xsw_dp_final_checks(sw) + xsw_oid_final_checks(sw);
    for (uint32_t i = 0; i < sw->port_cap; i++) {
        struct xsw_port *p = &sw->ports[i];
        if (p->used != 1)
            continue;
        if (p->refs) {
            char msg[120];
            snprintf(msg, sizeof msg, "port %u ends the case with %d reference(s) held", (unsigned)p->id, (int)p->refs);
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_REFERENCE_UNBALANCED, (uint64_t)p->refs, p->id, 0, 0, msg);
            n++;
        }
        for (unsigned k = 0; k < sizeof p->nics / sizeof p->nics[0]; k++)
            if (p->nics[k].used && p->nics[k].refs) {
                char msg[120];
                snprintf(msg, sizeof msg, "NIC %u/%u ends the case with %d reference(s) held", (unsigned)p->id,
                         p->nics[k].nic_index, (int)p->nics[k].refs);
                xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_REFERENCE_UNBALANCED, (uint64_t)p->nics[k].refs, p->id,
                                p->nics[k].nic_index, 0, msg);
                n++;
            }
    }
    return n;
}
