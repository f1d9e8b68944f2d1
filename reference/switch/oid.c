/*
 * oid.c - OID requests through the extension stack: NdisFOidRequest,
 * NdisFOidRequestComplete, NdisAllocateCloneOidRequest/NdisFreeCloneOidRequest,
 * the protocol edge that issues the switch's OIDs, and the miniport edge that
 * completes them and answers the extensions' own queries as Windows does.
 *
 * References: learn.microsoft.com oid-switch-*.md pages, "Querying the
 * Hyper-V Extensible Switch Configuration", NdisFOidRequest DDI page;
 * extensible-switch.md §3 (layouts), §4.1 (activation), §4.4 (veto table).
 *
 * Completion semantics follow NDIS: when NdisFOidRequest (or a filter's
 * FilterOidRequest) returns a status other than NDIS_STATUS_PENDING the
 * request is complete and no completion handler is called; otherwise the
 * layer below calls NdisFOidRequestComplete later and NDIS calls the issuing
 * layer's FilterOidRequestComplete.
 */
#include "sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Tracking table keyed by the request's address --------------------------- */

/* Issuer of a tracked request: an extension index, the protocol edge, or not yet known. */
#define ISSUER_PROTOCOL_EDGE (-1)
#define ISSUER_UNKNOWN (-2)

static uint32_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

struct xsw_oid_track *xsw_oid_track_find(struct xsw_switch *sw, const NDIS_OID_REQUEST *req)
{
    if (!sw->oids)
        return NULL;
    uint32_t mask = sw->oid_cap - 1;
    for (uint32_t i = ptr_hash(req) & mask, n = 0; n < sw->oid_cap; i = (i + 1) & mask, n++) {
        struct xsw_oid_track *t = &sw->oids[i];
        if (t->used == 0)
            return NULL;
        if (t->used == 1 && t->req == req)
            return t;
    }
    return NULL;
}

static int track_grow(struct xsw_switch *sw)
{
    uint32_t ocap = sw->oid_cap, ncap = ocap ? ocap * 2 : 256;
    /* Mostly tombstones: rehash at the same size. */
    if (ocap && sw->oid_count - sw->oid_tomb < ocap / 4)
        ncap = ocap;
    struct xsw_oid_track *old = sw->oids, *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return XSW_ENOMEM;
    uint32_t live = 0;
    for (uint32_t i = 0; i < ocap; i++) {
        if (old[i].used != 1)
            continue;
        uint32_t j = ptr_hash(old[i].req) & (ncap - 1);
        while (nt[j].used)
            j = (j + 1) & (ncap - 1);
        nt[j] = old[i];
        live++;
    }
    free(old);
    sw->oids = nt;
    sw->oid_cap = ncap;
    sw->oid_count = live;
    sw->oid_tomb = 0;
    return 0;
}

static struct xsw_oid_track *track_add(struct xsw_switch *sw, const NDIS_OID_REQUEST *req)
{
    struct xsw_oid_track *t = xsw_oid_track_find(sw, req);
    if (t)
        return t;
    if ((sw->oid_count + 1) * 4 > sw->oid_cap * 3 && track_grow(sw))
        return NULL;
    uint32_t mask = sw->oid_cap - 1, i = ptr_hash(req) & mask;
    while (sw->oids[i].used == 1)
        i = (i + 1) & mask;
    t = &sw->oids[i];
    if (t->used == 0)
        sw->oid_count++;
    else
        sw->oid_tomb--;
    memset(t, 0, sizeof *t);
    t->used = 1;
    t->req = req;
    t->id = sw->next_oid_id++;
    t->issuer = ISSUER_UNKNOWN;
    return t;
}

static void track_del(struct xsw_switch *sw, struct xsw_oid_track *t)
{
    t->used = 2;
    sw->oid_tomb++;
}

void xsw_oid_free_all(struct xsw_switch *sw)
{
    if (sw->oids)
        for (uint32_t i = 0; i < sw->oid_cap; i++)
            if (sw->oids[i].used == 1 && sw->oids[i].clone)
                free((void *)sw->oids[i].req);
    free(sw->oids);
    sw->oids = NULL;
}

/*
 * A request the extension built itself is finished once its completion has
 * reached it: forget it, so that a new request at the same address gets a
 * new id. Clones are forgotten when freed, the protocol edge's when done.
 */
static void forget_if_originated(struct xsw_switch *sw, const NDIS_OID_REQUEST *req, unsigned issuer)
{
    struct xsw_oid_track *t = xsw_oid_track_find(sw, req);
    if (t && !t->clone && t->parent == 0 && t->issuer == (int)issuer && !t->boundary_mask)
        track_del(sw, t);
}

/* ---- Clones ------------------------------------------------------------------- */

NDIS_STATUS NdisAllocateCloneOidRequest(NDIS_HANDLE SourceHandle, PNDIS_OID_REQUEST OidRequest, UINT PoolTag,
                                        PNDIS_OID_REQUEST *CloneOidRequest)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisAllocateCloneOidRequest", (uintptr_t)SourceHandle, (uintptr_t)OidRequest, PoolTag);
    xsw_rt_check_irql_max("NdisAllocateCloneOidRequest", XSW_DISPATCH_LEVEL);
    if (!xsw_sw_module_from_handle(SourceHandle, "NdisAllocateCloneOidRequest"))
        return NDIS_STATUS_INVALID_PARAMETER;
    if (!OidRequest || !CloneOidRequest) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAllocateCloneOidRequest: NULL request or output pointer");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    *CloneOidRequest = NULL;
    if (xsw_rt_alloc_should_fail())
        return NDIS_STATUS_RESOURCES;
    PNDIS_OID_REQUEST c = malloc(sizeof *c);
    if (!c)
        return NDIS_STATUS_RESOURCES;
    /* NDIS copies the whole request, buffer pointers included. */
    memcpy(c, OidRequest, sizeof *c);
    memset(c->SourceReserved, 0, sizeof c->SourceReserved);
    /* Read the parent's id first: adding may grow (move) the table. */
    struct xsw_oid_track *parent = xsw_oid_track_find(sw, OidRequest);
    uint64_t parent_id = parent ? parent->id : 0;
    struct xsw_oid_track *t = track_add(sw, c);
    if (!t) {
        free(c);
        return NDIS_STATUS_RESOURCES;
    }
    t->clone = 1;
    t->parent = parent_id;
    t->issuer = (int)xsw_rt_actor();
    *CloneOidRequest = c;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisFreeCloneOidRequest(NDIS_HANDLE SourceHandle, PNDIS_OID_REQUEST Request)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFreeCloneOidRequest", (uintptr_t)SourceHandle, (uintptr_t)Request, 0);
    if (!xsw_sw_module_from_handle(SourceHandle, "NdisFreeCloneOidRequest"))
        return;
    struct xsw_oid_track *t = Request ? xsw_oid_track_find(sw, Request) : NULL;
    if (!t || !t->clone) {
        xsw_rt_finding(XSW_F_DOUBLE_FREE, 0, "NdisFreeCloneOidRequest: %p was not allocated by NdisAllocateCloneOidRequest (or was freed already)",
                       (void *)Request);
        return;
    }
    if (t->boundary_mask) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, t->id,
                       "NdisFreeCloneOidRequest: request %llu freed while still outstanding below",
                       (unsigned long long)t->id);
    }
    track_del(sw, t);
    free(Request);
}

/* ---- Routing ---------------------------------------------------------------------- */

static NDIS_STATUS miniport_edge(struct xsw_switch *sw, PNDIS_OID_REQUEST req);
static void deliver_completion(struct xsw_switch *sw, unsigned boundary, PNDIS_OID_REQUEST req, NDIS_STATUS st);

static int oid_allowed_state(const struct xsw_module *m)
{
    return m->state == XSW_MOD_RUNNING || m->state == XSW_MOD_RESTARTING || m->state == XSW_MOD_PAUSED ||
           m->state == XSW_MOD_PAUSING;
}

/*
 * Hand "req" to whatever sits below boundary "b": module b's FilterOidRequest
 * or the miniport edge. Returns what that layer returned.
 */
static NDIS_STATUS route_down(struct xsw_switch *sw, unsigned b, PNDIS_OID_REQUEST req)
{
    struct xsw_oid_track *t = xsw_oid_track_find(sw, req);
    if (t)
        t->boundary_mask |= 1u << b;
    if (b == sw->depth)
        return miniport_edge(sw, req);
    struct xsw_module *m = &sw->mods[b];
    if (!oid_allowed_state(m) || !m->drv->chars.OidRequestHandler) {
        /* NDIS bypasses a module without an OID handler. */
        if (!m->drv->chars.OidRequestHandler)
            return route_down(sw, b + 1, req);
        xsw_rec_finding(sw, b, XSW_F_BAD_PARAMETER, 0, 0, 0, t ? t->id : 0,
                        "OID request delivered to a module that cannot take OIDs in its state");
    }
    unsigned sa, si;
    xsw_sw_call_enter(b, XSW_PASSIVE_LEVEL, &sa, &si);
    NDIS_STATUS st = m->drv->chars.OidRequestHandler(m->ctx, req);
    xsw_sw_call_leave(sa, si);
    if (st != NDIS_STATUS_PENDING) {
        /* Synchronous completion by module b of a request that crossed boundary b. */
        t = xsw_oid_track_find(sw, req);
        if (t) {
            t->boundary_mask &= ~(1u << b);
            xsw_rec_oid(sw, XSW_K_OID_COMPLETE, b, b, req, t->id, t->parent, st, 0);
        }
    }
    return st;
}

NDIS_STATUS NdisFOidRequest(NDIS_HANDLE NdisFilterHandle, PNDIS_OID_REQUEST OidRequest)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFOidRequest", (uintptr_t)NdisFilterHandle, (uintptr_t)OidRequest, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFOidRequest");
    if (!m)
        return NDIS_STATUS_INVALID_PARAMETER;
    xsw_rt_check_irql_max("NdisFOidRequest", XSW_DISPATCH_LEVEL);
    if (!OidRequest || OidRequest->Header.Type != NDIS_OBJECT_TYPE_OID_REQUEST) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFOidRequest: request header Type is not NDIS_OBJECT_TYPE_OID_REQUEST (0x96)");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (!oid_allowed_state(m)) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFOidRequest called by a module that is detached or attaching");
        return NDIS_STATUS_FAILURE;
    }
    struct xsw_oid_track *t = track_add(sw, OidRequest);
    if (!t)
        return NDIS_STATUS_RESOURCES;
    unsigned b = m->index + 1;
    if (t->boundary_mask & (1u << b)) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, t->id, "NdisFOidRequest: request %llu is already outstanding below this module",
                       (unsigned long long)t->id);
        return NDIS_STATUS_FAILURE;
    }
    if (t->issuer == ISSUER_UNKNOWN)
        t->issuer = (int)m->index;
    t->completed = 0;
    xsw_rec_oid(sw, XSW_K_OID_REQUEST, b, m->index, OidRequest, t->id, t->parent,
                0, t->parent || t->issuer != (int)m->index ? 0 : XSW_RF_ORIGINATED);
    NDIS_STATUS st = route_down(sw, b, OidRequest);
    if (st != NDIS_STATUS_PENDING)
        forget_if_originated(sw, OidRequest, m->index);
    return st;
}

VOID NdisFOidRequestComplete(NDIS_HANDLE NdisFilterHandle, PNDIS_OID_REQUEST OidRequest, NDIS_STATUS Status)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFOidRequestComplete", (uintptr_t)NdisFilterHandle, (uintptr_t)OidRequest, Status);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFOidRequestComplete");
    if (!m)
        return;
    unsigned b = m->index;
    struct xsw_oid_track *t = OidRequest ? xsw_oid_track_find(sw, OidRequest) : NULL;
    if (!t || !(t->boundary_mask & (1u << b))) {
        xsw_rt_finding(t ? XSW_F_OID_DOUBLE_COMPLETE : XSW_F_INVALID_HANDLE, t ? t->id : 0,
                       "NdisFOidRequestComplete: request %p was not pending at this module (%s)", (void *)OidRequest,
                       t ? "completed already" : "never delivered to it");
        return;
    }
    if (Status == NDIS_STATUS_PENDING)
        xsw_rt_finding(XSW_F_BAD_PARAMETER, t->id, "NdisFOidRequestComplete with NDIS_STATUS_PENDING");
    t->boundary_mask &= ~(1u << b);
    xsw_rec_oid(sw, XSW_K_OID_COMPLETE, b, b, OidRequest, t->id, t->parent, Status, 0);
    deliver_completion(sw, b, OidRequest, Status);
}

VOID NdisFCancelOidRequest(NDIS_HANDLE NdisFilterHandle, PVOID RequestId)
{
    /* Cancellation is advisory; the miniport edge completes every request promptly anyway. */
    xsw_rt_ndis_call("NdisFCancelOidRequest", (uintptr_t)NdisFilterHandle, (uintptr_t)RequestId, 0);
    (void)xsw_sw_module_from_handle(NdisFilterHandle, "NdisFCancelOidRequest");
}

/* A completion crossed boundary "b" upwards: hand it to the layer above. */
static void deliver_completion(struct xsw_switch *sw, unsigned b, PNDIS_OID_REQUEST req, NDIS_STATUS st)
{
    if (b == 0) {
        if (req == sw->pe_req) {
            sw->pe_pending = 0;
            sw->pe_status = st;
        } else {
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_NBL_WRONG_OWNER, 0, 0, 0, 0,
                            "an OID completion reached the protocol edge for a request it did not issue");
        }
        return;
    }
    struct xsw_module *above = &sw->mods[b - 1];
    if (!above->drv->chars.OidRequestCompleteHandler) {
        deliver_completion(sw, b - 1, req, st);
        return;
    }
    forget_if_originated(sw, req, b - 1);
    unsigned sa, si;
    xsw_sw_call_enter(b - 1, XSW_PASSIVE_LEVEL, &sa, &si);
    above->drv->chars.OidRequestCompleteHandler(above->ctx, req, st);
    xsw_sw_call_leave(sa, si);
}

void xsw_oid_run_deferred(struct xsw_switch *sw, const struct xsw_deferred *d)
{
    struct xsw_oid_track *t = xsw_oid_track_find(sw, d->req);
    if (t)
        t->boundary_mask &= ~(1u << d->boundary);
    xsw_rec_oid(sw, XSW_K_OID_COMPLETE, d->boundary, XSW_ACTOR_SWITCH, d->req, t ? t->id : 0, t ? t->parent : 0,
                d->status, 0);
    deliver_completion(sw, d->boundary, d->req, d->status);
}

/* ---- The protocol edge ----------------------------------------------------------- */

struct pe_req {
    NDIS_OID_REQUEST req;
    struct pe_req *next;
};
static struct pe_req *pe_orphans; /* requests never completed: kept alive, freed at exit */

int64_t xsw_issue_oid(struct xsw_switch *sw, uint32_t oid, int type, void *buf, uint32_t len, uint32_t cap,
                      uint32_t *done, uint32_t *needed)
{
    struct pe_req *p = calloc(1, sizeof *p);
    if (!p)
        return XSW_ENOMEM;
    NDIS_OID_REQUEST *r = &p->req;
    r->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    r->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    r->Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    r->RequestType = (NDIS_REQUEST_TYPE)type;
    r->PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    r->RequestId = (PVOID)(uintptr_t)(sw->next_oid_id);
    switch (type) {
    case NdisRequestQueryInformation:
        r->DATA.QUERY_INFORMATION.Oid = oid;
        r->DATA.QUERY_INFORMATION.InformationBuffer = buf;
        r->DATA.QUERY_INFORMATION.InformationBufferLength = cap;
        break;
    case NdisRequestSetInformation:
        r->DATA.SET_INFORMATION.Oid = oid;
        r->DATA.SET_INFORMATION.InformationBuffer = buf;
        r->DATA.SET_INFORMATION.InformationBufferLength = len;
        break;
    case NdisRequestMethod:
        r->DATA.METHOD_INFORMATION.Oid = oid;
        r->DATA.METHOD_INFORMATION.InformationBuffer = buf;
        r->DATA.METHOD_INFORMATION.InputBufferLength = len;
        r->DATA.METHOD_INFORMATION.OutputBufferLength = cap;
        break;
    default:
        free(p);
        return XSW_EINVAL;
    }
    struct xsw_oid_track *t = track_add(sw, r);
    if (!t) {
        free(p);
        return XSW_ENOMEM;
    }
    t->issuer = ISSUER_PROTOCOL_EDGE;
    PNDIS_OID_REQUEST saved_req = sw->pe_req;
    unsigned saved_pending = sw->pe_pending;
    sw->pe_req = r;
    sw->pe_pending = 1;
    xsw_rec_oid(sw, XSW_K_OID_REQUEST, 0, XSW_ACTOR_SWITCH, r, t->id, 0, 0, XSW_RF_ORIGINATED);
    NDIS_STATUS st = route_down(sw, 0, r);
    if (st == NDIS_STATUS_PENDING) {
        for (unsigned steps = 0; sw->pe_pending; steps++)
            if (!xsw_rt_run_deferred() || steps > sw->cfg.max_wait_steps)
                break;
        if (sw->pe_pending) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s issued by the protocol edge was pended and never completed",
                     xsw_oid_name(oid) ? xsw_oid_name(oid) : "OID");
            xsw_rec_finding(sw, 0, XSW_F_OID_NOT_COMPLETED, oid, 0, 0, t->id, msg);
            snprintf(sw->err, sizeof sw->err, "%s: the switch cannot go on (Windows would wait forever)", msg);
            sw->hung = 1;
            /* The extension may still hold the request: keep it alive. */
            p->next = pe_orphans;
            pe_orphans = p;
            sw->pe_req = saved_req;
            sw->pe_pending = saved_pending;
            return XSW_ETRUNC;
        }
        st = sw->pe_status;
    }
    sw->pe_req = saved_req;
    sw->pe_pending = saved_pending;
    t = xsw_oid_track_find(sw, r);
    if (t)
        track_del(sw, t);
    switch (type) {
    case NdisRequestQueryInformation:
        if (done)
            *done = r->DATA.QUERY_INFORMATION.BytesWritten;
        if (needed)
            *needed = r->DATA.QUERY_INFORMATION.BytesNeeded;
        break;
    case NdisRequestSetInformation:
        if (done)
            *done = r->DATA.SET_INFORMATION.BytesRead;
        if (needed)
            *needed = r->DATA.SET_INFORMATION.BytesNeeded;
        break;
    default:
        if (done)
            *done = r->DATA.METHOD_INFORMATION.BytesWritten;
        if (needed)
            *needed = r->DATA.METHOD_INFORMATION.BytesNeeded;
        break;
    }
    free(p);
    return (int64_t)(uint32_t)st;
}

/* ---- The miniport edge -------------------------------------------------------------- */

/* NDIS_IF_COUNTED_STRING: USHORT Length in bytes, then WCHAR[257] (ASCII "s" widened). */
void xsw_put_counted(void *at, const char *s)
{
    uint8_t *b = at;
    uint16_t n = 0;
    for (; s && s[n] && n < 256; n++) {
        uint16_t w = (unsigned char)s[n];
        memcpy(b + 2 + 2 * n, &w, 2);
    }
    uint16_t bytes = (uint16_t)(n * 2);
    memcpy(b, &bytes, 2);
}

void xsw_fill_port_params(const struct xsw_port *p, NDIS_SWITCH_PORT_PARAMETERS *pp)
{
    memset(pp, 0, sizeof *pp);
    pp->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp->Header.Revision = NDIS_SWITCH_PORT_PARAMETERS_REVISION_1;
    pp->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PARAMETERS_REVISION_1;
    pp->PortId = p->id;
    xsw_put_counted(&pp->PortName, p->name);
    xsw_put_counted(&pp->PortFriendlyName, p->name);
    pp->PortType = (NDIS_SWITCH_PORT_TYPE)p->type;
    pp->IsValidationPort = p->validation ? TRUE : FALSE;
    pp->PortState = (NDIS_SWITCH_PORT_STATE)p->state;
}

void xsw_fill_nic_params(const struct xsw_port *p, const struct xsw_nic *n, NDIS_SWITCH_NIC_PARAMETERS *np)
{
    memset(np, 0, sizeof *np);
    np->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    np->Header.Revision = NDIS_SWITCH_NIC_PARAMETERS_REVISION_2;
    np->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_NIC_PARAMETERS_REVISION_2;
    char name[80];
    snprintf(name, sizeof name, "%s-nic%u", p->name, n->nic_index);
    xsw_put_counted(&np->NicName, name);
    xsw_put_counted(&np->NicFriendlyName, name);
    np->PortId = p->id;
    np->NicIndex = n->nic_index;
    np->NicType = (NDIS_SWITCH_NIC_TYPE)n->type;
    np->NicState = (NDIS_SWITCH_NIC_STATE)n->state;
    if (n->type == XSW_NIC_SYNTHETIC || n->type == XSW_NIC_EMULATED) {
        xsw_put_counted(&np->VmName, p->name);
        xsw_put_counted(&np->VmFriendlyName, p->name);
        memcpy(np->VMMacAddress, n->mac, 6);
    }
    np->MTU = n->mtu ? n->mtu : 1500;
    memcpy(np->PermanentMacAddress, n->mac, 6);
    memcpy(np->CurrentMacAddress, n->mac, 6);
    np->VFAssigned = n->vf_assigned ? TRUE : FALSE;
}

static void set_query_result(PNDIS_OID_REQUEST r, uint32_t written, uint32_t needed)
{
    r->DATA.QUERY_INFORMATION.BytesWritten = written;
    r->DATA.QUERY_INFORMATION.BytesNeeded = needed;
}

static NDIS_STATUS answer_parameters(struct xsw_switch *sw, PNDIS_OID_REQUEST r)
{
    uint32_t len = r->DATA.QUERY_INFORMATION.InformationBufferLength;
    if (len < sizeof(NDIS_SWITCH_PARAMETERS) || !r->DATA.QUERY_INFORMATION.InformationBuffer) {
        set_query_result(r, 0, sizeof(NDIS_SWITCH_PARAMETERS));
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NDIS_SWITCH_PARAMETERS *p = r->DATA.QUERY_INFORMATION.InformationBuffer;
    memset(p, 0, sizeof *p);
    p->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    p->Header.Revision = NDIS_SWITCH_PARAMETERS_REVISION_1;
    p->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PARAMETERS_REVISION_1;
    xsw_put_counted(&p->SwitchName, "xsw-vswitch");
    xsw_put_counted(&p->SwitchFriendlyName, "xsw reference switch");
    uint32_t live = 0;
    for (uint32_t i = 0; i < sw->port_cap; i++)
        live += sw->ports[i].used == 1;
    p->NumSwitchPorts = live;
    p->IsActive = sw->active ? TRUE : FALSE;
    set_query_result(r, sizeof *p, 0);
    return NDIS_STATUS_SUCCESS;
}

/* Port or NIC array: header, then elements at FirstElementOffset (8-byte aligned). */
static NDIS_STATUS answer_array(struct xsw_switch *sw, PNDIS_OID_REQUEST r, int nics)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < sw->port_cap; i++) {
        const struct xsw_port *p = &sw->ports[i];
        if (p->used != 1 || p->validation)
            continue;
        if (!nics) {
            count++;
            continue;
        }
        for (unsigned k = 0; k < sizeof p->nics / sizeof p->nics[0]; k++)
            count += p->nics[k].used && p->nics[k].state != NdisSwitchNicStateDeleted;
    }
    const uint32_t first = nics ? 24 : 20; /* NIC_PARAMETERS rev 2 holds ULONG64s */
    const uint32_t esz = nics ? sizeof(NDIS_SWITCH_NIC_PARAMETERS) : sizeof(NDIS_SWITCH_PORT_PARAMETERS);
    const uint64_t need = first + (uint64_t)esz * count;
    uint32_t len = r->DATA.QUERY_INFORMATION.InformationBufferLength;
    uint8_t *buf = r->DATA.QUERY_INFORMATION.InformationBuffer;
    if (need > UINT32_MAX)
        return NDIS_STATUS_RESOURCES;
    if (len < need || !buf) {
        set_query_result(r, 0, (uint32_t)need);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NDIS_SWITCH_PORT_ARRAY *a = (NDIS_SWITCH_PORT_ARRAY *)buf; /* same layout as NDIS_SWITCH_NIC_ARRAY */
    memset(buf, 0, first);
    a->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    a->Header.Revision = 1;
    a->Header.Size = nics ? NDIS_SIZEOF_NDIS_SWITCH_NIC_ARRAY_REVISION_1 : NDIS_SIZEOF_NDIS_SWITCH_PORT_ARRAY_REVISION_1;
    a->FirstElementOffset = (USHORT)first;
    a->NumElements = count;
    a->ElementSize = esz;
    uint32_t k = 0;
    for (uint32_t i = 0; i < sw->port_cap; i++) {
        const struct xsw_port *p = &sw->ports[i];
        if (p->used != 1 || p->validation)
            continue;
        if (!nics) {
            xsw_fill_port_params(p, (NDIS_SWITCH_PORT_PARAMETERS *)(buf + first + (size_t)esz * k++));
            continue;
        }
        for (unsigned j = 0; j < sizeof p->nics / sizeof p->nics[0]; j++)
            if (p->nics[j].used && p->nics[j].state != NdisSwitchNicStateDeleted)
                xsw_fill_nic_params(p, &p->nics[j], (NDIS_SWITCH_NIC_PARAMETERS *)(buf + first + (size_t)esz * k++));
    }
    set_query_result(r, (uint32_t)need, 0);
    return NDIS_STATUS_SUCCESS;
}

/*
 * OID_SWITCH_PORT_PROPERTY_ENUM: the port's VLAN property when asked for
 * NdisSwitchPortPropertyTypeVlan; nothing for other types.
 */
static NDIS_STATUS answer_port_property_enum(struct xsw_switch *sw, PNDIS_OID_REQUEST r)
{
    uint8_t *buf = r->DATA.METHOD_INFORMATION.InformationBuffer;
    uint32_t in = r->DATA.METHOD_INFORMATION.InputBufferLength;
    uint32_t out = r->DATA.METHOD_INFORMATION.OutputBufferLength;
    if (!buf || in < NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS_REVISION_1)
        return NDIS_STATUS_INVALID_PARAMETER;
    NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS *ep = (void *)buf;
    const struct xsw_port *p = xsw_port_find(sw, ep->PortId);
    if (!p)
        return NDIS_STATUS_INVALID_PARAMETER;
    /*
     * Every port has a VLAN setting: untagged ports are in access mode with
     * VLAN 0. Microsoft's forwarding sample relies on this (it reads the
     * first VLAN property of every NIC's port at activation without checking
     * NumProperties), so Windows evidently always returns one.
     */
    int have = ep->PropertyType == NdisSwitchPortPropertyTypeVlan;
    uint32_t first = sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_PARAMETERS);
    uint32_t plen = sizeof(NDIS_SWITCH_PORT_PROPERTY_VLAN);
    uint32_t qlen = (plen + 7) & ~7u;
    uint32_t need = first + (have ? (uint32_t)sizeof(NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO) + qlen : 0);
    if (out < need) {
        r->DATA.METHOD_INFORMATION.BytesNeeded = need;
        r->DATA.METHOD_INFORMATION.BytesWritten = 0;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    ep->FirstPropertyOffset = first;
    ep->NumProperties = have ? 1 : 0;
    if (have) {
        NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO *info = (void *)(buf + first);
        memset(info, 0, sizeof *info + qlen);
        info->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        info->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO_REVISION_1;
        info->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_ENUM_INFO_REVISION_1;
        info->PropertyVersion = NDIS_SWITCH_CREATE_PROPERTY_VERSION(1, 0);
        info->QwordAlignedPropertyBufferLength = qlen;
        info->PropertyBufferLength = plen;
        info->PropertyBufferOffset = sizeof *info;
        NDIS_SWITCH_PORT_PROPERTY_VLAN *v = (void *)((uint8_t *)info + sizeof *info);
        v->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        v->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1;
        v->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1;
        v->OperationMode = NdisSwitchPortVlanModeAccess;
        v->VlanProperties.AccessVlanId = p->access_vlan;
    }
    r->DATA.METHOD_INFORMATION.BytesWritten = need;
    r->DATA.METHOD_INFORMATION.BytesNeeded = 0;
    return NDIS_STATUS_SUCCESS;
}

/* OID_SWITCH_PROPERTY_ENUM: the reference switch holds no switch-wide custom properties. */
static NDIS_STATUS answer_property_enum(PNDIS_OID_REQUEST r)
{
    uint8_t *buf = r->DATA.METHOD_INFORMATION.InformationBuffer;
    uint32_t in = r->DATA.METHOD_INFORMATION.InputBufferLength;
    uint32_t out = r->DATA.METHOD_INFORMATION.OutputBufferLength;
    if (!buf || in < NDIS_SIZEOF_NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS_REVISION_1)
        return NDIS_STATUS_INVALID_PARAMETER;
    uint32_t need = sizeof(NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS);
    if (out < need) {
        r->DATA.METHOD_INFORMATION.BytesNeeded = need;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NDIS_SWITCH_PROPERTY_ENUM_PARAMETERS *ep = (void *)buf;
    ep->FirstPropertyOffset = need;
    ep->NumProperties = 0;
    r->DATA.METHOD_INFORMATION.BytesWritten = need;
    return NDIS_STATUS_SUCCESS;
}

/* Switch OIDs only the protocol edge may issue (§4.4 general rules). */
static int protocol_edge_only(uint32_t oid)
{
    switch (oid) {
    case OID_SWITCH_PORT_CREATE:
    case OID_SWITCH_PORT_DELETE:
    case OID_SWITCH_PORT_TEARDOWN:
    case OID_SWITCH_PORT_UPDATED:
    case OID_SWITCH_NIC_CREATE:
    case OID_SWITCH_NIC_CONNECT:
    case OID_SWITCH_NIC_UPDATED:
    case OID_SWITCH_NIC_DISCONNECT:
    case OID_SWITCH_NIC_DELETE:
    case OID_SWITCH_PORT_PROPERTY_ADD:
    case OID_SWITCH_PORT_PROPERTY_UPDATE:
    case OID_SWITCH_PORT_PROPERTY_DELETE:
    case OID_SWITCH_NIC_SAVE:
    case OID_SWITCH_NIC_SAVE_COMPLETE:
    case OID_SWITCH_NIC_RESTORE:
    case OID_SWITCH_NIC_RESTORE_COMPLETE:
        return 1;
    default:
        return 0;
    }
}

static NDIS_STATUS miniport_answer(struct xsw_switch *sw, PNDIS_OID_REQUEST r, const struct xsw_oid_track *t)
{
    switch (r->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        switch (r->DATA.QUERY_INFORMATION.Oid) {
        case OID_SWITCH_PARAMETERS:
            return answer_parameters(sw, r);
        case OID_SWITCH_PORT_ARRAY:
            return answer_array(sw, r, 0);
        case OID_SWITCH_NIC_ARRAY:
            return answer_array(sw, r, 1);
        default:
            return NDIS_STATUS_INVALID_OID;
        }
    case NdisRequestSetInformation:
        if (t && t->parent == 0 && t->issuer >= 0 && protocol_edge_only(r->DATA.SET_INFORMATION.Oid))
            return NDIS_STATUS_NOT_SUPPORTED; /* an extension issued a protocol-edge OID */
        r->DATA.SET_INFORMATION.BytesRead = r->DATA.SET_INFORMATION.InformationBufferLength;
        return NDIS_STATUS_SUCCESS;
    case NdisRequestMethod:
        switch (r->DATA.METHOD_INFORMATION.Oid) {
        case OID_SWITCH_PORT_PROPERTY_ENUM:
            return answer_port_property_enum(sw, r);
        case OID_SWITCH_PROPERTY_ENUM:
            return answer_property_enum(r);
        case OID_SWITCH_NIC_SAVE:
            /* Reaching the miniport edge means every extension was asked (§4.7). */
            if (t && t->parent == 0 && t->issuer >= 0)
                return NDIS_STATUS_NOT_SUPPORTED;
            r->DATA.METHOD_INFORMATION.BytesWritten = 0;
            return NDIS_STATUS_SUCCESS;
        case OID_SWITCH_NIC_REQUEST:
            return xsw_nic_request_at_miniport(sw, r);
        case OID_SWITCH_FEATURE_STATUS_QUERY:
        case OID_SWITCH_PORT_FEATURE_STATUS_QUERY:
            return NDIS_STATUS_NOT_SUPPORTED;
        default:
            return NDIS_STATUS_INVALID_OID;
        }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

static NDIS_STATUS miniport_edge(struct xsw_switch *sw, PNDIS_OID_REQUEST req)
{
    struct xsw_oid_track *t = xsw_oid_track_find(sw, req);
    NDIS_STATUS st = miniport_answer(sw, req, t);
    if (sw->cfg.pend_oids) {
        struct xsw_deferred d = {XSW_DEF_OID_COMPLETE, sw->depth, req, st};
        if (xsw_sw_defer(sw, &d) == 0)
            return NDIS_STATUS_PENDING;
    }
    if (t)
        t->boundary_mask &= ~(1u << sw->depth);
    xsw_rec_oid(sw, XSW_K_OID_COMPLETE, sw->depth, XSW_ACTOR_SWITCH, req, t ? t->id : 0, t ? t->parent : 0, st, 0);
    return st;
}

unsigned xsw_oid_final_checks(struct xsw_switch *sw)
{
    unsigned n = 0;
    for (uint32_t i = 0; sw->oids && i < sw->oid_cap; i++) {
        struct xsw_oid_track *t = &sw->oids[i];
        if (t->used != 1)
            continue;
        if (t->boundary_mask) {
            char msg[160];
            snprintf(msg, sizeof msg, "OID request %llu still pending at the end of the case (boundaries 0x%x)",
                     (unsigned long long)t->id, t->boundary_mask);
            xsw_rec_finding(sw, t->issuer >= 0 ? (unsigned)t->issuer : XSW_ACTOR_SWITCH, XSW_F_OID_NOT_COMPLETED, 0, 0,
                            0, t->id, msg);
            n++;
        } else if (t->clone) {
            char msg[160];
            snprintf(msg, sizeof msg, "cloned OID request %llu never freed with NdisFreeCloneOidRequest",
                     (unsigned long long)t->id);
            xsw_rec_finding(sw, t->issuer >= 0 ? (unsigned)t->issuer : XSW_ACTOR_SWITCH, XSW_F_POOL_LEAK,
                            sizeof(NDIS_OID_REQUEST), 0, 0, t->id, msg);
            n++;
        }
    }
    return n;
}
