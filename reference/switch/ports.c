/*
 * ports.c - the protocol edge's control path: port and NIC life cycle OIDs
 * (PORT_CREATE ... PORT_DELETE), port properties, switch activation with
 * NetEventSwitchActivate, status indications and PnP events crossing the
 * stack, and the emulated physical adapter behind OID_SWITCH_NIC_REQUEST.
 *
 * References: extensible-switch.md §4.2-4.3 (states and canonical
 * sequences), §4.5 (the switch withholds NIC_DELETE / PORT_DELETE while
 * references are held), §6 (NIC requests and status); learn.microsoft.com
 * oid-switch-*.md, hyper-v-extensible-switch-port-and-network-adapter-states.md.
 */
#include "sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t set_oid(struct xsw_switch *sw, uint32_t oid, void *buf, uint32_t len)
{
    return xsw_issue_oid(sw, oid, NdisRequestSetInformation, buf, len, len, NULL, NULL);
}

int64_t xsw_port_create(struct xsw_switch *sw, uint32_t port_id, enum xsw_port_type type, const char *name,
                        int validation)
{
    if (port_id == NDIS_SWITCH_DEFAULT_PORT_ID) {
        snprintf(sw->err, sizeof sw->err, "port id 0 is NDIS_SWITCH_DEFAULT_PORT_ID and cannot be created");
        return XSW_EINVAL;
    }
    struct xsw_port *p = xsw_port_add(sw, port_id);
    if (!p) {
        snprintf(sw->err, sizeof sw->err, "port %u exists already", (unsigned)port_id);
        return XSW_EINVAL;
    }
    p->type = type;
    p->state = NdisSwitchPortStateCreated;
    p->validation = validation ? 1 : 0;
    snprintf(p->name, sizeof p->name, "%s", name ? name : "port");
    static NDIS_SWITCH_PORT_PARAMETERS pp;
    xsw_fill_port_params(p, &pp);
    int64_t st = set_oid(sw, OID_SWITCH_PORT_CREATE, &pp, sizeof pp);
    p = xsw_port_find(sw, port_id);
    if (st != NDIS_STATUS_SUCCESS && p)
        xsw_port_remove(sw, p); /* vetoed: the port never existed */
    return st;
}

int64_t xsw_port_teardown(struct xsw_switch *sw, uint32_t port_id)
{
    struct xsw_port *p = xsw_port_find(sw, port_id);
    if (!p) {
        snprintf(sw->err, sizeof sw->err, "PORT_TEARDOWN: no port %u", (unsigned)port_id);
        return XSW_EINVAL;
    }
    p->state = NdisSwitchPortStateTeardown;
    static NDIS_SWITCH_PORT_PARAMETERS pp;
    xsw_fill_port_params(p, &pp);
    return set_oid(sw, OID_SWITCH_PORT_TEARDOWN, &pp, sizeof pp);
}

/* Let deferred work run while "*refs" is held; the switch withholds the delete meanwhile. */
static void wait_refs(struct xsw_switch *sw, const int32_t *refs)
{
    for (unsigned steps = 0; *refs > 0 && steps < sw->cfg.max_wait_steps; steps++)
        if (!xsw_rt_run_deferred())
            break;
}

int64_t xsw_port_delete(struct xsw_switch *sw, uint32_t port_id)
{
    struct xsw_port *p = xsw_port_find(sw, port_id);
    if (!p) {
        snprintf(sw->err, sizeof sw->err, "PORT_DELETE: no port %u", (unsigned)port_id);
        return XSW_EINVAL;
    }
    wait_refs(sw, &p->refs);
    if (p->refs > 0) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "port %u still has %d reference(s) at PORT_DELETE: Windows would withhold the OID forever",
                 (unsigned)port_id, (int)p->refs);
        xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_REFERENCE_UNBALANCED, (uint64_t)p->refs, port_id, 0, 0, msg);
    }
    p->state = NdisSwitchPortStateDeleted;
    static NDIS_SWITCH_PORT_PARAMETERS pp;
    xsw_fill_port_params(p, &pp);
    int64_t st = set_oid(sw, OID_SWITCH_PORT_DELETE, &pp, sizeof pp);
    p = xsw_port_find(sw, port_id);
    if (p)
        xsw_port_remove(sw, p);
    xsw_mac_forget_port(sw, port_id);
    return st;
}

static int64_t nic_oid(struct xsw_switch *sw, uint32_t oid, struct xsw_port *p, struct xsw_nic *n, uint32_t flags)
{
    static NDIS_SWITCH_NIC_PARAMETERS np;
    xsw_fill_nic_params(p, n, &np);
    np.Flags = flags;
    return set_oid(sw, oid, &np, sizeof np);
}

int64_t xsw_nic_create(struct xsw_switch *sw, const struct xsw_nic_desc *d)
{
    struct xsw_port *p = xsw_port_find(sw, d->port_id);
    if (!p || p->state != NdisSwitchPortStateCreated) {
        snprintf(sw->err, sizeof sw->err, "NIC_CREATE: port %u does not exist or is not in the created state",
                 (unsigned)d->port_id);
        return XSW_EINVAL;
    }
    struct xsw_nic *n = NULL;
    for (unsigned i = 0; i < sizeof p->nics / sizeof p->nics[0]; i++)
        if (!p->nics[i].used) {
            n = &p->nics[i];
            break;
        } else if (p->nics[i].nic_index == d->nic_index) {
            snprintf(sw->err, sizeof sw->err, "NIC %u/%u exists already", (unsigned)d->port_id, d->nic_index);
            return XSW_EINVAL;
        }
    if (!n) {
        snprintf(sw->err, sizeof sw->err, "port %u: too many NICs", (unsigned)d->port_id);
        return XSW_ELIMIT;
    }
    memset(n, 0, sizeof *n);
    n->used = 1;
    n->port_id = d->port_id;
    n->nic_index = d->nic_index;
    n->type = d->type;
    n->state = NdisSwitchNicStateCreated;
    n->mtu = d->mtu ? d->mtu : 1500;
    n->vf_assigned = d->vf_assigned ? 1 : 0;
    memcpy(n->mac, d->mac, 6);
    p->nnics++;
    /* NIC_INITIALIZING: first NIC_CREATE of a VM NIC's lifetime (synthetic only). */
    uint32_t flags = d->type == XSW_NIC_SYNTHETIC ? NDIS_SWITCH_NIC_FLAGS_NIC_INITIALIZING : 0;
    int64_t st = nic_oid(sw, OID_SWITCH_NIC_CREATE, p, n, flags);
    if (st != NDIS_STATUS_SUCCESS) {
        n->used = 0;
        p->nnics--;
    }
    return st;
}

static struct xsw_nic *nic_get(struct xsw_switch *sw, uint32_t port, uint16_t nic, struct xsw_port **pp, const char *what)
{
    struct xsw_port *p = xsw_port_find(sw, port);
    struct xsw_nic *n = p ? xsw_nic_find(sw, port, nic) : NULL;
    if (!n)
        snprintf(sw->err, sizeof sw->err, "%s: no NIC %u/%u", what, (unsigned)port, nic);
    *pp = p;
    return n;
}

int64_t xsw_nic_connect(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index)
{
    struct xsw_port *p;
    struct xsw_nic *n = nic_get(sw, port_id, nic_index, &p, "NIC_CONNECT");
    if (!n)
        return XSW_EINVAL;
    n->state = NdisSwitchNicStateConnected;
    n->disconnect_issued = 0;
    int64_t st = nic_oid(sw, OID_SWITCH_NIC_CONNECT, p, n, 0);
    n = xsw_nic_find(sw, port_id, nic_index);
    /* The guest's NetVSC binds once its NIC is connected (vmbus-nvsp-rndis.md §2.7). */
    if (st == NDIS_STATUS_SUCCESS && n && sw->cfg.synthetic && n->type == XSW_NIC_SYNTHETIC && !n->chan) {
        int r = xsw_vm_channel_open(sw, port_id, nic_index);
        if (r)
            return r;
    }
    return st;
}

int64_t xsw_nic_disconnect(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index)
{
    struct xsw_port *p;
    struct xsw_nic *n = nic_get(sw, port_id, nic_index, &p, "NIC_DISCONNECT");
    if (!n)
        return XSW_EINVAL;
    /* The guest's NIC goes away first (RNDIS HALT, buffers revoked), then the connection. */
    xsw_vm_channel_close(sw, n, 1);
    n->datapath_vf = 0;
    n->state = NdisSwitchNicStateDisconnected;
    n->disconnect_issued = 1;
    return nic_oid(sw, OID_SWITCH_NIC_DISCONNECT, p, n, 0);
}

int64_t xsw_nic_delete(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index)
{
    struct xsw_port *p;
    struct xsw_nic *n = nic_get(sw, port_id, nic_index, &p, "NIC_DELETE");
    if (!n)
        return XSW_EINVAL;
    wait_refs(sw, &n->refs);
    if (n->refs > 0) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "NIC %u/%u still has %d reference(s) at NIC_DELETE: Windows would withhold the OID forever",
                 (unsigned)port_id, nic_index, (int)n->refs);
        xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_REFERENCE_UNBALANCED, (uint64_t)n->refs, port_id, nic_index, 0, msg);
    }
    n->state = NdisSwitchNicStateDeleted;
    int64_t st = nic_oid(sw, OID_SWITCH_NIC_DELETE, p, n, 0);
    n = xsw_nic_find(sw, port_id, nic_index);
    if (n) {
        n->used = 0;
        p->nnics--;
    }
    return st;
}

int64_t xsw_port_set_vlan(struct xsw_switch *sw, uint32_t port_id, uint16_t vlan)
{
    struct xsw_port *p = xsw_port_find(sw, port_id);
    if (!p) {
        snprintf(sw->err, sizeof sw->err, "PORT_PROPERTY_ADD: no port %u", (unsigned)port_id);
        return XSW_EINVAL;
    }
    static uint8_t buf[sizeof(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS) + sizeof(NDIS_SWITCH_PORT_PROPERTY_VLAN)];
    memset(buf, 0, sizeof buf);
    NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *pp = (void *)buf;
    NDIS_SWITCH_PORT_PROPERTY_VLAN *v = (void *)(buf + sizeof *pp);
    pp->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1;
    pp->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1;
    pp->PortId = port_id;
    pp->PropertyType = NdisSwitchPortPropertyTypeVlan;
    pp->PropertyVersion = NDIS_SWITCH_CREATE_PROPERTY_VERSION(1, 0);
    pp->SerializationVersion = NDIS_SWITCH_OBJECT_SERIALIZATION_VERSION_1;
    pp->PropertyBufferLength = sizeof *v;
    pp->PropertyBufferOffset = sizeof *pp;
    v->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    v->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1;
    v->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1;
    v->OperationMode = NdisSwitchPortVlanModeAccess;
    v->VlanProperties.AccessVlanId = vlan;
    int64_t st = set_oid(sw, p->access_vlan ? OID_SWITCH_PORT_PROPERTY_UPDATE : OID_SWITCH_PORT_PROPERTY_ADD, buf,
                         sizeof buf);
    p = xsw_port_find(sw, port_id);
    if (st == NDIS_STATUS_SUCCESS && p)
        p->access_vlan = vlan;
    return st;
}

/* ---- Save and restore (§4.7) ------------------------------------------------------ */

#define SAVE_HDR NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1 /* data follows the REVISION_1 fields */
#define SAVE_FIRST_DATA 0u /* no room at first: extensions answer BUFFER_TOO_SHORT with BytesNeeded */
#define SAVE_MAX_BUF 65536u

void xsw_saved_nic_free(struct xsw_saved_nic *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->n; i++)
        free(s->blob[i].bytes);
    s->n = 0;
}

int xsw_saved_nic_add(struct xsw_saved_nic *s, const uint8_t extension_id[16], const char *friendly, const void *data,
                      uint16_t len)
{
    if (s->n == XSW_MAX_SAVE_BLOBS)
        return XSW_ELIMIT;
    uint32_t total = SAVE_HDR + len;
    uint8_t *b = calloc(1, total > sizeof(NDIS_SWITCH_NIC_SAVE_STATE) ? total : sizeof(NDIS_SWITCH_NIC_SAVE_STATE));
    if (!b)
        return XSW_ENOMEM;
    NDIS_SWITCH_NIC_SAVE_STATE *st = (void *)b;
    st->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    st->Header.Revision = NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1;
    st->Header.Size = (USHORT)total;
    memcpy(&st->ExtensionId, extension_id, 16);
    xsw_put_counted(&st->ExtensionFriendlyName, friendly);
    st->SaveDataSize = len;
    st->SaveDataOffset = SAVE_HDR;
    memcpy(b + SAVE_HDR, data, len);
    s->blob[s->n].bytes = b;
    s->blob[s->n].len = total;
    s->n++;
    return 0;
}

int xsw_saved_nic_add_foreign(struct xsw_saved_nic *s)
{
    static const uint8_t foreign_id[16] = {0x5e, 0x11, 0xf0, 0x0d, 0x2b, 0x7a, 0x4c, 0x41,
                                           0x9a, 0x06, 0x3e, 0x55, 0xc2, 0x81, 0x0f, 0x99};
    static const char foreign_data[] = "state of an extension on another host";
    return xsw_saved_nic_add(s, foreign_id, "xsw foreign extension", foreign_data, sizeof foreign_data);
}

int xsw_saved_nic_add_raw(struct xsw_saved_nic *s, const uint8_t *bytes, uint32_t len)
{
    if (s->n == XSW_MAX_SAVE_BLOBS)
        return XSW_ELIMIT;
    uint8_t *b = calloc(1, len > sizeof(NDIS_SWITCH_NIC_SAVE_STATE) ? len : sizeof(NDIS_SWITCH_NIC_SAVE_STATE));
    if (!b)
        return XSW_ENOMEM;
    memcpy(b, bytes, len);
    s->blob[s->n].bytes = b;
    s->blob[s->n].len = len;
    s->n++;
    return 0;
}

/* "buf" holds at least sizeof(NDIS_SWITCH_NIC_SAVE_STATE) bytes; "size" is what the OID says. */
static void save_state_init(uint8_t *buf, uint32_t size, uint32_t port, uint16_t nic)
{
    memset(buf, 0, size > sizeof(NDIS_SWITCH_NIC_SAVE_STATE) ? size : sizeof(NDIS_SWITCH_NIC_SAVE_STATE));
    NDIS_SWITCH_NIC_SAVE_STATE *st = (void *)buf;
    st->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    st->Header.Revision = NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1;
    st->Header.Size = (USHORT)(size > 0xFFFF ? 0xFFFF : size); /* the full buffer size (§3.6) */
    st->PortId = port;
    st->NicIndex = nic;
    st->SaveDataOffset = SAVE_HDR;
    st->SaveDataSize = (USHORT)(size - SAVE_HDR > 0xFFFF ? 0xFFFF : size - SAVE_HDR);
}

static int64_t save_complete_oid(struct xsw_switch *sw, uint32_t oid, uint32_t port, uint16_t nic)
{
    static uint8_t buf[sizeof(NDIS_SWITCH_NIC_SAVE_STATE)];
    save_state_init(buf, SAVE_HDR, port, nic);
    ((NDIS_SWITCH_NIC_SAVE_STATE *)buf)->SaveDataSize = 0;
    return set_oid(sw, oid, buf, SAVE_HDR);
}

static int zero_guid(const uint8_t *g)
{
    for (int i = 0; i < 16; i++)
        if (g[i])
            return 0;
    return 1;
}

int64_t xsw_nic_save(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, struct xsw_saved_nic *out)
{
    struct xsw_port *p;
    if (!nic_get(sw, port_id, nic_index, &p, "NIC_SAVE"))
        return XSW_EINVAL;
    memset(out, 0, sizeof *out);
    uint8_t *buf = malloc(SAVE_MAX_BUF);
    if (!buf)
        return XSW_ENOMEM;
    int64_t st = NDIS_STATUS_SUCCESS;
    for (unsigned round = 0;; round++) {
        if (round == XSW_MAX_SAVE_BLOBS) {
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_BAD_PARAMETER, round, port_id, nic_index, 0,
                            "OID_SWITCH_NIC_SAVE kept returning save data: an extension must forward NIC_SAVE once it has nothing more to save");
            break;
        }
        uint32_t size = SAVE_HDR + SAVE_FIRST_DATA;
        for (unsigned tries = 0;; tries++) {
            save_state_init(buf, size, port_id, nic_index);
            uint32_t done = 0, needed = 0;
            st = xsw_issue_oid(sw, OID_SWITCH_NIC_SAVE, NdisRequestMethod, buf, size, size, &done, &needed);
            if (st != (int64_t)(uint32_t)NDIS_STATUS_BUFFER_TOO_SHORT)
                break;
            /* "The OID will be reissued with the required size." */
            if (needed <= size || needed > SAVE_MAX_BUF || tries == 3) {
                char msg[200];
                snprintf(msg, sizeof msg,
                         "NIC_SAVE: BUFFER_TOO_SHORT with BytesNeeded %u for a %u-byte buffer: cannot re-issue", needed, size);
                xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_BAD_PARAMETER, needed, port_id, nic_index, 0, msg);
                break;
            }
            size = needed;
        }
        if (st != NDIS_STATUS_SUCCESS)
            break;
        NDIS_SWITCH_NIC_SAVE_STATE *ss = (void *)buf;
        if (zero_guid((const uint8_t *)&ss->ExtensionId))
            break; /* reached the miniport edge: every extension was asked */
        uint32_t len = (uint32_t)ss->SaveDataOffset + ss->SaveDataSize;
        if (len > size || ss->SaveDataOffset < SAVE_HDR) {
            xsw_rec_finding(sw, XSW_ACTOR_SWITCH, XSW_F_BAD_PARAMETER, len, port_id, nic_index, 0,
                            "NIC_SAVE: SaveDataOffset + SaveDataSize lies outside the buffer");
            len = size;
        }
        uint8_t *copy = malloc(len);
        if (!copy) {
            st = XSW_ENOMEM;
            break;
        }
        memcpy(copy, buf, len);
        out->blob[out->n].bytes = copy;
        out->blob[out->n].len = len;
        out->n++;
    }
    free(buf);
    if (st < 0)
        return st;
    int64_t c = save_complete_oid(sw, OID_SWITCH_NIC_SAVE_COMPLETE, port_id, nic_index);
    return c < 0 ? c : st;
}

int64_t xsw_nic_restore(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, const struct xsw_saved_nic *in)
{
    struct xsw_port *p;
    if (!nic_get(sw, port_id, nic_index, &p, "NIC_RESTORE"))
        return XSW_EINVAL;
    int64_t st = NDIS_STATUS_SUCCESS;
    for (unsigned i = 0; i < in->n && st == NDIS_STATUS_SUCCESS; i++) {
        uint32_t len = in->blob[i].len;
        uint8_t *buf = calloc(1, len > sizeof(NDIS_SWITCH_NIC_SAVE_STATE) ? len : sizeof(NDIS_SWITCH_NIC_SAVE_STATE));
        if (!buf)
            return XSW_ENOMEM;
        memcpy(buf, in->blob[i].bytes, len);
        NDIS_SWITCH_NIC_SAVE_STATE *ss = (void *)buf;
        /* The port id may differ from the one at save time (live migration). */
        ss->PortId = port_id;
        ss->NicIndex = nic_index;
        ss->Header.Size = (USHORT)(len > 0xFFFF ? 0xFFFF : len);
        st = set_oid(sw, OID_SWITCH_NIC_RESTORE, buf, len);
        free(buf);
    }
    if (st < 0)
        return st;
    int64_t c = save_complete_oid(sw, OID_SWITCH_NIC_RESTORE_COMPLETE, port_id, nic_index);
    return c < 0 ? c : st;
}

/* ---- PnP events (downwards) ------------------------------------------------------- */

static NDIS_STATUS pnp_down(struct xsw_switch *sw, unsigned b, PNET_PNP_EVENT_NOTIFICATION ev)
{
    if (b == sw->depth)
        return NDIS_STATUS_SUCCESS;
    struct xsw_module *m = &sw->mods[b];
    if (!m->drv->chars.NetPnPEventHandler)
        return pnp_down(sw, b + 1, ev);
    unsigned sa, si;
    xsw_sw_call_enter(b, XSW_PASSIVE_LEVEL, &sa, &si);
    NDIS_STATUS st = m->drv->chars.NetPnPEventHandler(m->ctx, ev);
    xsw_sw_call_leave(sa, si);
    return st;
}

NDIS_STATUS NdisFNetPnPEvent(NDIS_HANDLE NdisFilterHandle, PNET_PNP_EVENT_NOTIFICATION NetPnPEventNotification)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFNetPnPEvent", (uintptr_t)NdisFilterHandle, (uintptr_t)NetPnPEventNotification, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFNetPnPEvent");
    if (!m || !NetPnPEventNotification)
        return NDIS_STATUS_INVALID_PARAMETER;
    xsw_rt_check_irql_max("NdisFNetPnPEvent", XSW_PASSIVE_LEVEL);
    xsw_rec_pnp(sw, m->index + 1, m->index, NetPnPEventNotification, 0);
    return pnp_down(sw, m->index + 1, NetPnPEventNotification);
}

int xsw_switch_activate(struct xsw_switch *sw)
{
    static NET_PNP_EVENT_NOTIFICATION ev;
    memset(&ev, 0, sizeof ev);
    ev.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    ev.Header.Revision = NET_PNP_EVENT_NOTIFICATION_REVISION_1;
    ev.Header.Size = NDIS_SIZEOF_NET_PNP_EVENT_NOTIFICATION_REVISION_1;
    ev.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    ev.NetPnPEvent.NetEvent = NetEventSwitchActivate;
    sw->active = 1;
    xsw_rec_pnp(sw, 0, XSW_ACTOR_SWITCH, &ev, 0);
    NDIS_STATUS st = pnp_down(sw, 0, &ev);
    xsw_switch_pump(sw);
    return st == NDIS_STATUS_SUCCESS ? 0 : XSW_EINVAL;
}

/* ---- Status indications (upwards) ------------------------------------------------ */

static void status_up(struct xsw_switch *sw, unsigned b, PNDIS_STATUS_INDICATION ind)
{
    if (b == 0) {
        xsw_protocol_edge_status(sw, ind); /* the protocol edge consumes it */
        return;
    }
    struct xsw_module *m = &sw->mods[b - 1];
    if (!m->drv->chars.StatusHandler) {
        status_up(sw, b - 1, ind);
        return;
    }
    unsigned sa, si;
    xsw_sw_call_enter(b - 1, XSW_DISPATCH_LEVEL, &sa, &si);
    m->drv->chars.StatusHandler(m->ctx, ind);
    xsw_sw_call_leave(sa, si);
}

VOID NdisFIndicateStatus(NDIS_HANDLE NdisFilterHandle, PNDIS_STATUS_INDICATION StatusIndication)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFIndicateStatus", (uintptr_t)NdisFilterHandle, (uintptr_t)StatusIndication, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFIndicateStatus");
    if (!m)
        return;
    xsw_rt_check_irql_max("NdisFIndicateStatus", XSW_DISPATCH_LEVEL);
    if (!StatusIndication || StatusIndication->Header.Type != NDIS_OBJECT_TYPE_STATUS_INDICATION) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFIndicateStatus: header Type is not NDIS_OBJECT_TYPE_STATUS_INDICATION (0x98)");
        return;
    }
    if (StatusIndication->SourceHandle != NdisFilterHandle)
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFIndicateStatus: SourceHandle is not the filter's NdisFilterHandle");
    xsw_rec_status(sw, m->index, m->index, StatusIndication);
    status_up(sw, m->index, StatusIndication);
}

/* Indicate a status from the miniport edge (the physical adapter) up the stack. */
void xsw_switch_indicate_status(struct xsw_switch *sw, PNDIS_STATUS_INDICATION ind)
{
    xsw_rec_status(sw, sw->depth, XSW_ACTOR_SWITCH, ind);
    status_up(sw, sw->depth, ind);
}

/* ---- The physical adapter behind OID_SWITCH_NIC_REQUEST --------------------------- */

NDIS_STATUS xsw_nic_request_at_miniport(struct xsw_switch *sw, PNDIS_OID_REQUEST r)
{
    uint8_t *buf = r->DATA.METHOD_INFORMATION.InformationBuffer;
    uint32_t in = r->DATA.METHOD_INFORMATION.InputBufferLength;
    if (!buf || in < NDIS_SIZEOF_NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1)
        return NDIS_STATUS_INVALID_LENGTH;
    NDIS_SWITCH_NIC_OID_REQUEST *w = (void *)buf;
    if (w->Header.Type != NDIS_OBJECT_TYPE_DEFAULT || w->Header.Revision < NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1 ||
        !w->OidRequest) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "OID_SWITCH_NIC_REQUEST: bad NDIS_SWITCH_NIC_OID_REQUEST header or NULL OidRequest");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    struct xsw_nic *dst = xsw_nic_find(sw, w->DestinationPortId, w->DestinationNicIndex);
    if (w->DestinationPortId != NDIS_SWITCH_DEFAULT_PORT_ID && !dst)
        return NDIS_STATUS_INVALID_PARAMETER;
    PNDIS_OID_REQUEST in_r = w->OidRequest;
    switch (in_r->RequestType) {
    case NdisRequestSetInformation:
        in_r->DATA.SET_INFORMATION.BytesRead = in_r->DATA.SET_INFORMATION.InformationBufferLength;
        return NDIS_STATUS_SUCCESS;
    case NdisRequestMethod:
        switch (in_r->DATA.METHOD_INFORMATION.Oid) {
        case OID_NIC_SWITCH_ALLOCATE_VF:
        case OID_NIC_SWITCH_CREATE_VPORT:
        case OID_RECEIVE_FILTER_SET_FILTER:
        case OID_RECEIVE_FILTER_ALLOCATE_QUEUE:
        case OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE:
            in_r->DATA.METHOD_INFORMATION.BytesWritten = in_r->DATA.METHOD_INFORMATION.InputBufferLength;
            return NDIS_STATUS_SUCCESS;
        default:
            return NDIS_STATUS_NOT_SUPPORTED;
        }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

int xsw_port_stats(const struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, struct xsw_port_stats *out)
{
    struct xsw_nic *n = xsw_nic_find((struct xsw_switch *)sw, port_id, nic_index);
    if (!n)
        return XSW_EINVAL;
    *out = n->stats;
    return 0;
}
