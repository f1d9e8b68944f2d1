/*
 * replay.c - recordings and their replay against any extension.
 *
 * A recording is the trace of a scenario played with no extension loaded:
 * only the switch's stimuli are in it (protocol-edge OIDs, NBLs the
 * protocol edge sends, the activation PnP event, the guests' VMBus packets
 * and VF traffic) with the miniport edge's answers. Recordings are made
 * deterministically by `xsw-switch record` (fixtures/scenarios/NAME.pcap) and
 * reviewed like source.
 *
 * Replay reads a recording record by record and feeds its stimuli to the
 * stack of extensions under test through the same operations the scenarios
 * use (so port and NIC state, VMBus channels and the save/restore protocol
 * behave as in a live run), and records the extensions' reactions in a new
 * trace. Records that are reactions (completions, indications, handler
 * calls) are not stimuli and are skipped. Bytes of the recording are read
 * only through the bounds-checked decoder (xsw_rec_decode) and the cursor of
 * lib/bytes.h; a record that does not decode stops the replay with its frame
 * number.
 */
#include "sw.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "xsw/scenario.h"
#include "xsw/vmbus.h"

struct replay {
    struct xsw_switch *sw;
    const char *path;
    uint64_t frame;
    /* The NBL chain being collected from NBL_SEND records at the protocol edge. */
    unsigned nchain, want;
    uint32_t chain_port;
    uint16_t chain_nic;
    struct xsw_frame f[64];
    uint8_t buf[64][XSW_FRAME_MAX];
    /* Save/restore: the replay runs the whole protocol once per recorded save or restore. */
    int in_save, in_restore;
    uint32_t restore_port;
    uint16_t restore_nic;
    struct xsw_saved_nic recorded; /* blobs in the recording's NIC_RESTOREs (other extensions') */
};

static int rp_err(struct replay *rp, const char *fmt, const char *detail)
{
    snprintf(rp->sw->err, sizeof rp->sw->err, "%s frame %llu: %s%s", rp->path, (unsigned long long)rp->frame, fmt,
             detail ? detail : "");
    return XSW_EINVAL;
}

/* Fields of a recorded information buffer; 0 when the buffer is shorter. */
static uint32_t le32(const uint8_t *d, uint32_t len, uint32_t off)
{
    struct xsw_cur c;
    uint32_t v = 0;
    xsw_cur_init(&c, d, len);
    return xsw_cur_peek_u32(&c, off, &v) ? 0 : v;
}

static uint16_t le16(const uint8_t *d, uint32_t len, uint32_t off)
{
    struct xsw_cur c;
    uint16_t v = 0;
    xsw_cur_init(&c, d, len);
    return xsw_cur_peek_u16(&c, off, &v) ? 0 : v;
}

static uint8_t u8at(const uint8_t *d, uint32_t len, uint32_t off)
{
    return off < len ? d[off] : 0;
}

/*
 * The recorded PORT_CREATE's PortName (a counted UTF-16 string), as UTF-8: the name the replayed
 * port's parameter blocks are built from, so they match the recording. Control characters (a
 * META line ends at a newline) become '?'.
 */
static void port_name(const uint8_t *d, uint32_t n, char *out, size_t cap)
{
    const size_t off = offsetof(NDIS_SWITCH_PORT_PARAMETERS, PortName);
    uint16_t w[IF_MAX_STRING_SIZE];
    size_t len = le16(d, n, off) / 2;
    if (len > IF_MAX_STRING_SIZE)
        len = IF_MAX_STRING_SIZE;
    for (size_t i = 0; i < len; i++)
        w[i] = le16(d, n, off + 2 + 2 * i);
    xsw_rt_utf16_to_utf8(out, cap, w, len);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = '?';
}

/* Ports and NICs that existed before the recording started ("port.ID=TYPE", "port.ID.name=NAME",
 * "nic.P.I=STATE", "nic.P.I.mac=MAC"). */
static int apply_meta(struct replay *rp, const struct xsw_rec *r)
{
    const char *t = r->u.meta.text;
    size_t n = r->u.meta.text_len;
    char line[128];
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j] != '\n')
            j++;
        size_t l = j - i < sizeof line - 1 ? j - i : sizeof line - 1;
        memcpy(line, t + i, l);
        line[l] = 0;
        i = j + 1;
        unsigned a, b, c;
        int at = 0;
        if (sscanf(line, "port.%u.name=%n", &a, &at) == 1 && at > 0) {
            struct xsw_port *p = xsw_port_find(rp->sw, a);
            if (!p)
                return rp_err(rp, "META: name of an unknown port: ", line);
            snprintf(p->name, sizeof p->name, "%s", line + at);
        } else if (strstr(line, ".mac=") && sscanf(line, "nic.%u.%u.mac=%n", &a, &b, &at) == 2 && at > 0) {
            struct xsw_nic *nic = xsw_nic_find(rp->sw, a, (uint16_t)b);
            unsigned m[6];
            if (!nic || sscanf(line + at, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
                return rp_err(rp, "META: MAC of an unknown NIC, or not xx:xx:xx:xx:xx:xx: ", line);
            for (unsigned k = 0; k < 6; k++)
                nic->mac[k] = (uint8_t)m[k];
        } else if (sscanf(line, "port.%u=%u", &a, &b) == 2) {
            struct xsw_port *p = xsw_port_add(rp->sw, a);
            if (!p)
                return rp_err(rp, "META: duplicate or too many ports", NULL);
            p->type = (enum xsw_port_type)b;
            p->state = NdisSwitchPortStateCreated;
            snprintf(p->name, sizeof p->name, "port%u", a);
        } else if (sscanf(line, "nic.%u.%u=%u", &a, &b, &c) == 3) {
            struct xsw_port *p = xsw_port_find(rp->sw, a);
            if (!p || p->nnics >= sizeof p->nics / sizeof p->nics[0])
                return rp_err(rp, "META: NIC of an unknown port: ", line);
            struct xsw_nic *nic = &p->nics[p->nnics++];
            memset(nic, 0, sizeof *nic);
            nic->used = 1;
            nic->port_id = a;
            nic->nic_index = (uint16_t)b;
            nic->state = (uint8_t)c;
            nic->mtu = 1500;
            nic->type = p->type == XSW_PORT_EXTERNAL   ? XSW_NIC_EXTERNAL
                        : p->type == XSW_PORT_INTERNAL ? XSW_NIC_INTERNAL
                                                       : XSW_NIC_SYNTHETIC;
        } else if (!strcmp(line, "synthetic=1")) {
            rp->sw->cfg.synthetic = 1;
        } else if (!strcmp(line, "active=1")) {
            rp->sw->active = 1;
        }
    }
    return 0;
}

static int flush_chain(struct replay *rp)
{
    if (!rp->nchain)
        return 0;
    int r = xsw_vm_send(rp->sw, rp->chain_port, rp->chain_nic, rp->f, rp->nchain);
    rp->nchain = 0;
    return r < 0 ? r : 0;
}

static int on_nbl_send(struct replay *rp, const struct xsw_rec *r)
{
    if (r->u.nbl.chain_idx == 0 || r->port_id != rp->chain_port || r->nic_index != rp->chain_nic) {
        int e = flush_chain(rp);
        if (e)
            return e;
        rp->chain_port = r->port_id;
        rp->chain_nic = r->nic_index;
        rp->want = r->u.nbl.chain_len;
    }
    if (r->u.nbl.cap_len < r->u.nbl.frame_len)
        return rp_err(rp, "the recording holds a cut frame (recorded with a snap length): cannot replay it", NULL);
    if (rp->nchain == 64 || r->u.nbl.cap_len > XSW_FRAME_MAX)
        return rp_err(rp, "NBL chain longer than 64 or frame larger than the harness accepts", NULL);
    memcpy(rp->buf[rp->nchain], r->u.nbl.frame, r->u.nbl.cap_len);
    rp->f[rp->nchain].data = rp->buf[rp->nchain];
    rp->f[rp->nchain].len = r->u.nbl.cap_len;
    rp->nchain++;
    if (rp->nchain == rp->want)
        return flush_chain(rp);
    return 0;
}

/* The guest's and host's SR-IOV events in the channel: data path switches and VF associations. */
static int on_vmbus(struct replay *rp, const struct xsw_rec *r)
{
    struct xsw_vmbus_pkt pkt;
    struct xsw_nvsp_msg m;
    char e[200];
    if (xsw_vmbus_pkt_decode(r->u.vmbus.pkt, r->u.vmbus.pkt_len, &pkt, e, sizeof e))
        return rp_err(rp, "VMBus packet does not decode: ", e);
    if (pkt.type != XSW_VM_PKT_DATA_INBAND || !pkt.payload_len)
        return 0;
    if (xsw_nvsp_decode(pkt.payload, pkt.payload_len, &m, e, sizeof e))
        return 0; /* completions and padding-only payloads are not stimuli */
    if (r->u.vmbus.dir == 0 && m.type == XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH)
        return xsw_vm_switch_datapath(rp->sw, r->port_id, r->nic_index, m.u.datapath.active_datapath == 1);
    if (r->u.vmbus.dir == 1 && m.type == XSW_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION)
        return xsw_vm_vf_association(rp->sw, r->port_id, r->nic_index, m.u.vf_assoc.allocated != 0);
    return 0;
}

static int on_oid(struct replay *rp, const struct xsw_rec *r)
{
    struct xsw_switch *sw = rp->sw;
    const uint8_t *d = r->u.oid.data;
    uint32_t n = r->u.oid.data_len, oid = r->u.oid.oid;
    int64_t st = 0;
    if (rp->in_save) {
        /* The replay ran the whole save already; skip the recorded rounds. */
        if (oid == OID_SWITCH_NIC_SAVE_COMPLETE)
            rp->in_save = 0;
        if (oid == OID_SWITCH_NIC_SAVE || oid == OID_SWITCH_NIC_SAVE_COMPLETE)
            return 0;
    }
    if (rp->in_restore) {
        if (oid == OID_SWITCH_NIC_RESTORE) {
            if (n > 8 && xsw_saved_nic_add_raw(&rp->recorded, d, n))
                return rp_err(rp, "too many NIC_RESTORE blobs", NULL);
            return 0;
        }
    }
    if (oid == OID_SWITCH_NIC_RESTORE_COMPLETE) {
        /*
         * Restore what the extensions under test saved (in this replay, or
         * on the source host's replay), then the recording's other blobs.
         * A recording made without extensions may have no NIC_RESTORE at
         * all, only the RESTORE_COMPLETE that ends the restore.
         */
        if (!rp->in_restore) {
            rp->restore_port = le32(d, n, 8);
            rp->restore_nic = le16(d, n, 12);
        }
        struct xsw_saved_nic all = sw->replay_saved;
        for (unsigned i = 0; i < rp->recorded.n && all.n < XSW_MAX_SAVE_BLOBS; i++)
            all.blob[all.n++] = rp->recorded.blob[i];
        st = xsw_nic_restore(sw, rp->restore_port, rp->restore_nic, &all);
        rp->in_restore = 0;
        xsw_saved_nic_free(&rp->recorded);
        xsw_saved_nic_free(&sw->replay_saved);
        return st < 0 ? (int)st : 0;
    }
    switch (oid) {
    case OID_SWITCH_PORT_CREATE: {
        uint32_t port = le32(d, n, offsetof(NDIS_SWITCH_PORT_PARAMETERS, PortId));
        uint32_t type = le32(d, n, offsetof(NDIS_SWITCH_PORT_PARAMETERS, PortType));
        char name[sizeof sw->ports[0].name];
        port_name(d, n, name, sizeof name);
        st = xsw_port_create(sw, port, (enum xsw_port_type)type, name,
                             u8at(d, n, offsetof(NDIS_SWITCH_PORT_PARAMETERS, IsValidationPort)) != 0);
        break;
    }
    case OID_SWITCH_PORT_TEARDOWN:
        st = xsw_port_teardown(sw, le32(d, n, 8));
        break;
    case OID_SWITCH_PORT_DELETE:
        st = xsw_port_delete(sw, le32(d, n, 8));
        break;
    case OID_SWITCH_NIC_CREATE: {
        struct xsw_nic_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.port_id = le32(d, n, 1040);
        desc.nic_index = le16(d, n, 1044);
        desc.type = (enum xsw_nic_type)le32(d, n, 1048);
        desc.mtu = le32(d, n, 2104);
        for (unsigned i = 0; i < 6; i++)
            desc.mac[i] = u8at(d, n, 2110 + i);
        st = xsw_nic_create(sw, &desc);
        break;
    }
    case OID_SWITCH_NIC_CONNECT:
        st = xsw_nic_connect(sw, le32(d, n, 1040), le16(d, n, 1044));
        break;
    case OID_SWITCH_NIC_DISCONNECT:
        st = xsw_nic_disconnect(sw, le32(d, n, 1040), le16(d, n, 1044));
        break;
    case OID_SWITCH_NIC_DELETE:
        st = xsw_nic_delete(sw, le32(d, n, 1040), le16(d, n, 1044));
        break;
    case OID_SWITCH_NIC_UPDATED: {
        struct xsw_nic *nic = xsw_nic_find(sw, le32(d, n, 1040), le16(d, n, 1044));
        if (nic)
            nic->vf_assigned = u8at(d, n, 2206) != 0;
        st = xsw_nic_updated(sw, le32(d, n, 1040), le16(d, n, 1044));
        break;
    }
    case OID_SWITCH_NIC_SAVE:
        st = xsw_nic_save(sw, le32(d, n, 8), le16(d, n, 12), &sw->replay_saved);
        rp->in_save = 1;
        break;
    case OID_SWITCH_NIC_RESTORE:
        rp->in_restore = 1;
        rp->restore_port = le32(d, n, 8);
        rp->restore_nic = le16(d, n, 12);
        if (n > 8 && xsw_saved_nic_add_raw(&rp->recorded, d, n))
            return rp_err(rp, "too many NIC_RESTORE blobs", NULL);
        return 0;
    case OID_SWITCH_NIC_REQUEST: {
        if (n < 24)
            return rp_err(rp, "OID_SWITCH_NIC_REQUEST without its NDIS_SWITCH_NIC_OID_REQUEST", NULL);
        st = xsw_nic_request(sw, le32(d, n, 8), le16(d, n, 12), le32(d, n, 16), le16(d, n, 20), r->u.oid.inner_oid,
                             (int)r->u.oid.inner_type, NULL);
        break;
    }
    default: {
        /* Policies and other OIDs: the recorded information buffer, as it was. */
        uint32_t cap = r->u.oid.type == NdisRequestMethod ? (r->u.oid.out_len > n ? r->u.oid.out_len : n)
                                                            : (r->u.oid.info_len > n ? r->u.oid.info_len : n);
        uint8_t *buf = calloc(1, cap ? cap : 1);
        if (!buf)
            return XSW_ENOMEM;
        memcpy(buf, d, n);
        st = xsw_issue_oid(sw, oid, (int)r->u.oid.type, buf, r->u.oid.type == NdisRequestMethod ? n : r->u.oid.info_len,
                           cap, NULL, NULL);
        if (st == NDIS_STATUS_SUCCESS && (oid == OID_SWITCH_PORT_PROPERTY_ADD || oid == OID_SWITCH_PORT_PROPERTY_UPDATE) &&
            le32(d, n, 12) == NdisSwitchPortPropertyTypeVlan) {
            struct xsw_port *p = xsw_port_find(sw, le32(d, n, 8));
            uint32_t off = le32(d, n, 56);
            if (p && off < n)
                p->access_vlan = (uint16_t)(le16(d, n, off + 16) & 0x0FFF);
        }
        if (st != NDIS_STATUS_PENDING && st >= 0)
            free(buf); /* a request left pending keeps its buffer */
        break;
    }
    }
    return st < 0 ? (int)st : 0;
}

static int replay_one(struct replay *rp, const struct xsw_rec *r)
{
    const int stimulus = r->point == 0 && r->actor == XSW_ACTOR_SWITCH;
    switch ((enum xsw_kind)r->kind) {
    case XSW_K_OID_REQUEST:
        if (!stimulus)
            return 0;
        flush_chain(rp);
        return on_oid(rp, r);
    case XSW_K_NBL_SEND:
        return stimulus ? on_nbl_send(rp, r) : 0;
    case XSW_K_PNP_EVENT:
        if (!stimulus)
            return 0;
        flush_chain(rp);
        return r->u.pnp.event == NetEventSwitchActivate ? xsw_switch_activate(rp->sw) : 0;
    case XSW_K_VMBUS:
        flush_chain(rp);
        return on_vmbus(rp, r);
    case XSW_K_VF_FRAME: {
        flush_chain(rp);
        struct xsw_frame f = {r->u.vf.frame, r->u.vf.cap_len};
        if (r->u.vf.dir == 0) {
            int e = xsw_vm_send(rp->sw, r->port_id, r->nic_index, &f, 1);
            return e < 0 ? e : 0;
        }
        /* Refused only when the replayed guest is not on its VF (an extension vetoed it): nothing to deliver. */
        (void)xsw_vf_receive(rp->sw, r->port_id, r->nic_index, f.data, f.len);
        return 0;
    }
    case XSW_K_META:
    case XSW_K_OID_COMPLETE:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
    case XSW_K_STATUS:
    case XSW_K_HANDLER_CALL:
    case XSW_K_FILTER_STATE:
    case XSW_K_FINDING:
    case XSW_K_NDIS_CALL:
    case XSW_K_VERDICT:
        return 0;
    }
    return 0;
}

static int replay_records(struct replay *rp, struct xsw_trace_reader *rd)
{
    struct xsw_rec r;
    uint64_t ts;
    char e[XSW_ERRBUF_SIZE];
    int rc;
    while ((rc = xsw_trace_read(rd, &r, &rp->frame, &ts, e, sizeof e)) == 0) {
        if (r.kind == XSW_K_META) {
            if (rp->frame != 1)
                return rp_err(rp, "a second scenario in the recording (replay one per file)", NULL);
            continue;
        }
        int x = replay_one(rp, &r);
        if (x)
            return x;
    }
    if (rc != XSW_EEOF) {
        snprintf(rp->sw->err, sizeof rp->sw->err, "%s", e);
        return rc;
    }
    return flush_chain(rp);
}

int xsw_replay(struct xsw_switch *sw, const char *recording)
{
    char e[XSW_ERRBUF_SIZE];
    struct xsw_trace_reader *rd = xsw_trace_reader_open(recording, e, sizeof e);
    if (!rd) {
        snprintf(sw->err, sizeof sw->err, "%s", e);
        return XSW_EIO;
    }
    struct replay *rp = calloc(1, sizeof *rp);
    if (!rp) {
        xsw_trace_reader_close(rd);
        return XSW_ENOMEM;
    }
    rp->sw = sw;
    rp->path = recording;
    /* The first record says what existed before (and whether VMs used VMBus channels). */
    struct xsw_rec r;
    uint64_t ts;
    int rc = xsw_trace_read(rd, &r, &rp->frame, &ts, e, sizeof e);
    if (rc || r.kind != XSW_K_META) {
        snprintf(sw->err, sizeof sw->err, "%.200s: not a recording: %.280s", recording, rc ? e : "the first record is not META");
        rc = XSW_EINVAL;
        goto out;
    }
    if ((rc = apply_meta(rp, &r)) != 0)
        goto out;
    if (setjmp(sw->abort_jmp)) {
        xsw_rt_set_actor(XSW_ACTOR_SWITCH);
        xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
        xsw_switch_final_checks(sw);
        rc = XSW_ETRUNC;
        goto out;
    }
    sw->abort_armed = 1;
    if ((rc = xsw_switch_load(sw)) || (rc = xsw_switch_attach(sw)) || (rc = xsw_switch_restart(sw)))
        goto out_armed;
    xsw_switch_pump(sw);
    if ((rc = replay_records(rp, rd)) != 0)
        goto out_armed;
    xsw_switch_pump(sw);
    if ((rc = xsw_switch_pause(sw)) || (rc = xsw_switch_detach(sw)))
        goto out_armed;
    xsw_switch_final_checks(sw);
    rc = xsw_switch_unload(sw);
out_armed:
    sw->abort_armed = 0;
out:
    xsw_saved_nic_free(&rp->recorded);
    free(rp);
    xsw_trace_reader_close(rd);
    return rc;
}

void xsw_replay_take_saved(struct xsw_switch *sw, struct xsw_saved_nic *out)
{
    *out = sw->replay_saved;
    memset(&sw->replay_saved, 0, sizeof sw->replay_saved);
}

void xsw_replay_give_saved(struct xsw_switch *sw, struct xsw_saved_nic *in)
{
    xsw_saved_nic_free(&sw->replay_saved);
    sw->replay_saved = *in;
    memset(in, 0, sizeof *in);
}
