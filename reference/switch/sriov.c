/*
 * sriov.c - SR-IOV as extensions see it (extensible-switch.md §4.8, §6):
 * the protocol edge issues the NIC switch OIDs encapsulated in
 * OID_SWITCH_NIC_REQUEST towards the external adapter, announces VFAssigned
 * with OID_SWITCH_NIC_UPDATED, and reacts to a forwarding extension's
 * NDIS_STATUS_SWITCH_PORT_REMOVE_VF by failing the VM over to the synthetic
 * path. The VF data path itself bypasses the extensions: its frames are
 * recorded at the VF capture point (XSW_POINT_VF).
 *
 * The payloads of the encapsulated NIC switch OIDs (VF and VPort parameter
 * structures) are not modelled: xsw sends a default-type NDIS object header
 * followed by zeros, which is enough for extensions, which judge these
 * requests by their OID (the documented veto rules are per OID, §1.2).
 */
#include "sw.h"

#include <stdio.h>
#include <string.h>

#define NIC_SWITCH_PAYLOAD 64u

int64_t xsw_nic_request(struct xsw_switch *sw, uint32_t src_port, uint16_t src_nic, uint32_t dst_port, uint16_t dst_nic,
                        uint32_t inner_oid, int inner_type, uint32_t *inner_status)
{
    static uint8_t payload[NIC_SWITCH_PAYLOAD];
    memset(payload, 0, sizeof payload);
    payload[0] = NDIS_OBJECT_TYPE_DEFAULT;
    payload[1] = 1;
    payload[2] = NIC_SWITCH_PAYLOAD;
    static NDIS_OID_REQUEST inner;
    memset(&inner, 0, sizeof inner);
    inner.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    inner.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    inner.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    inner.RequestType = (NDIS_REQUEST_TYPE)inner_type;
    switch (inner_type) {
    case NdisRequestSetInformation:
        inner.DATA.SET_INFORMATION.Oid = inner_oid;
        inner.DATA.SET_INFORMATION.InformationBuffer = payload;
        inner.DATA.SET_INFORMATION.InformationBufferLength = sizeof payload;
        break;
    case NdisRequestMethod:
        inner.DATA.METHOD_INFORMATION.Oid = inner_oid;
        inner.DATA.METHOD_INFORMATION.InformationBuffer = payload;
        inner.DATA.METHOD_INFORMATION.InputBufferLength = sizeof payload;
        inner.DATA.METHOD_INFORMATION.OutputBufferLength = sizeof payload;
        break;
    default:
        inner.DATA.QUERY_INFORMATION.Oid = inner_oid;
        inner.DATA.QUERY_INFORMATION.InformationBuffer = payload;
        inner.DATA.QUERY_INFORMATION.InformationBufferLength = sizeof payload;
        break;
    }
    static NDIS_SWITCH_NIC_OID_REQUEST w;
    memset(&w, 0, sizeof w);
    w.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    w.Header.Revision = NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1;
    w.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1;
    w.SourcePortId = src_port;
    w.SourceNicIndex = src_nic;
    w.DestinationPortId = dst_port;
    w.DestinationNicIndex = dst_nic;
    w.OidRequest = &inner;
    int64_t st = xsw_issue_oid(sw, OID_SWITCH_NIC_REQUEST, NdisRequestMethod, &w, sizeof w, sizeof w, NULL, NULL);
    if (inner_status)
        *inner_status = (uint32_t)st;
    return st;
}

int64_t xsw_nic_updated(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index)
{
    struct xsw_port *p = xsw_port_find(sw, port_id);
    struct xsw_nic *n = p ? xsw_nic_find(sw, port_id, nic_index) : NULL;
    if (!n) {
        snprintf(sw->err, sizeof sw->err, "NIC_UPDATED: no NIC %u/%u", (unsigned)port_id, nic_index);
        return XSW_EINVAL;
    }
    static NDIS_SWITCH_NIC_PARAMETERS np;
    xsw_fill_nic_params(p, n, &np);
    return xsw_issue_oid(sw, OID_SWITCH_NIC_UPDATED, NdisRequestSetInformation, &np, sizeof np, sizeof np, NULL, NULL);
}

/* The external port's physical adapter (lowest connected nonzero NIC index). */
static int external_pf(struct xsw_switch *sw, uint32_t *port, uint16_t *nic)
{
    for (uint32_t i = 0; i < sw->port_cap; i++) {
        const struct xsw_port *p = &sw->ports[i];
        if (p->used != 1 || p->type != XSW_PORT_EXTERNAL)
            continue;
        for (unsigned k = 0; k < sizeof p->nics / sizeof p->nics[0]; k++)
            if (p->nics[k].used && p->nics[k].nic_index != 0 && p->nics[k].state == NdisSwitchNicStateConnected) {
                *port = p->id;
                *nic = p->nics[k].nic_index;
                return 0;
            }
    }
    return XSW_EINVAL;
}

/*
 * Attach a VF to a VM NIC (virtual-function-initialization-sequence.md):
 * ALLOCATE_VF, CREATE_VPORT, RECEIVE_FILTER_MOVE_FILTER towards the
 * physical adapter on behalf of the VM, then NIC_UPDATED with VFAssigned.
 * Returns 0 when the VF is attached, 1 when an extension (or the adapter)
 * refused it (the VM stays on the synthetic path), or a negative XSW_E*.
 */
int xsw_vf_attach(struct xsw_switch *sw, uint32_t vm_port, uint16_t vm_nic)
{
    struct xsw_nic *n = xsw_nic_find(sw, vm_port, vm_nic);
    uint32_t pf_port;
    uint16_t pf_nic;
    if (!n || external_pf(sw, &pf_port, &pf_nic)) {
        snprintf(sw->err, sizeof sw->err, "VF attach: no VM NIC %u/%u or no connected physical adapter", (unsigned)vm_port,
                 vm_nic);
        return XSW_EINVAL;
    }
    int64_t st = xsw_nic_request(sw, vm_port, vm_nic, pf_port, pf_nic, OID_NIC_SWITCH_ALLOCATE_VF, NdisRequestMethod, NULL);
    if (st < 0)
        return (int)st;
    if (st != NDIS_STATUS_SUCCESS)
        return 1; /* vetoed: traffic stays on the synthetic path */
    st = xsw_nic_request(sw, vm_port, vm_nic, pf_port, pf_nic, OID_NIC_SWITCH_CREATE_VPORT, NdisRequestMethod, NULL);
    if (st < 0)
        return (int)st;
    if (st != NDIS_STATUS_SUCCESS) {
        /* Give the VF back: nothing else was set up. */
        int64_t f = xsw_nic_request(sw, vm_port, vm_nic, pf_port, pf_nic, OID_NIC_SWITCH_FREE_VF, NdisRequestSetInformation,
                                    NULL);
        return f < 0 ? (int)f : 1;
    }
    st = xsw_nic_request(sw, vm_port, vm_nic, pf_port, pf_nic, OID_RECEIVE_FILTER_MOVE_FILTER, NdisRequestSetInformation,
                         NULL);
    if (st < 0)
        return (int)st;
    n = xsw_nic_find(sw, vm_port, vm_nic);
    if (!n)
        return XSW_EINVAL;
    n->vf_assigned = 1;
    st = xsw_nic_updated(sw, vm_port, vm_nic);
    return st < 0 ? (int)st : 0;
}

/*
 * Detach the VF (virtual-function-teardown-sequence.md): MAC/VLAN filters
 * moved back to the default VPort, DELETE_VPORT, FREE_VF, then NIC_UPDATED
 * with VFAssigned cleared. None of these may be vetoed (§1.2).
 */
int xsw_vf_detach(struct xsw_switch *sw, uint32_t vm_port, uint16_t vm_nic)
{
    struct xsw_nic *n = xsw_nic_find(sw, vm_port, vm_nic);
    uint32_t pf_port;
    uint16_t pf_nic;
    if (!n || external_pf(sw, &pf_port, &pf_nic)) {
        snprintf(sw->err, sizeof sw->err, "VF detach: no VM NIC %u/%u or no physical adapter", (unsigned)vm_port, vm_nic);
        return XSW_EINVAL;
    }
    static const uint32_t oids[3] = {OID_RECEIVE_FILTER_MOVE_FILTER, OID_NIC_SWITCH_DELETE_VPORT, OID_NIC_SWITCH_FREE_VF};
    for (unsigned i = 0; i < 3; i++) {
        int64_t st = xsw_nic_request(sw, vm_port, vm_nic, pf_port, pf_nic, oids[i], NdisRequestSetInformation, NULL);
        if (st < 0)
            return (int)st;
    }
    n = xsw_nic_find(sw, vm_port, vm_nic);
    if (!n)
        return XSW_EINVAL;
    n->vf_assigned = 0;
    int64_t st = xsw_nic_updated(sw, vm_port, vm_nic);
    return st < 0 ? (int)st : 0;
}

/*
 * A NIC status indication reached the protocol edge. NDIS_STATUS_SWITCH_PORT_REMOVE_VF
 * wrapped in NDIS_STATUS_SWITCH_NIC_STATUS (a forwarding extension revoking
 * a VF to enforce its policy, §4.8) makes the switch fail that VM NIC over
 * to the synthetic path; the scenario performs it (xsw_vf_remove_requested).
 */
void xsw_protocol_edge_status(struct xsw_switch *sw, const NDIS_STATUS_INDICATION *ind)
{
    if (ind->StatusCode != NDIS_STATUS_SWITCH_NIC_STATUS || !ind->StatusBuffer ||
        ind->StatusBufferSize < sizeof(NDIS_SWITCH_NIC_STATUS_INDICATION))
        return;
    const NDIS_SWITCH_NIC_STATUS_INDICATION *w = ind->StatusBuffer;
    const NDIS_STATUS_INDICATION *in = w->StatusIndication;
    if (!in || in->StatusCode != NDIS_STATUS_SWITCH_PORT_REMOVE_VF)
        return;
    struct xsw_nic *n = xsw_nic_find(sw, w->DestinationPortId, w->DestinationNicIndex);
    if (n && n->vf_assigned)
        n->vf_remove_requested = 1;
}

int xsw_vf_remove_requested(struct xsw_switch *sw, uint32_t port, uint16_t nic)
{
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    return n && n->vf_remove_requested;
}

int xsw_vf_assigned(struct xsw_switch *sw, uint32_t port, uint16_t nic)
{
    struct xsw_nic *n = xsw_nic_find(sw, port, nic);
    return n && n->vf_assigned;
}
