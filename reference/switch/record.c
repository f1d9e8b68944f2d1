/*
 * record.c - turns what happens in the switch into xsw trace records
 * (docs/trace-format.md). Every body is built with the bounded xsw_wbuf
 * builder into the switch's scratch buffer; nothing is allocated per record.
 * Information buffers and frames are copied as the extension left them, so a
 * trace shows exactly what crossed each boundary.
 */
#include "sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/version.h"

#define OID_CAPTURE_MAX 65536u

/* XSW_VERBOSE_FINDINGS=1 also prints every finding on stderr. */
static int getenv_xsw_findings(void)
{
    static int v = -1;
    if (v < 0)
        v = getenv("XSW_VERBOSE_FINDINGS") != NULL;
    return v;
}

static void put_hdr(struct xsw_rec_hdr *h, unsigned kind, unsigned point, unsigned actor, unsigned depth)
{
    memset(h, 0, sizeof *h);
    h->kind = (uint8_t)kind;
    h->point = (uint8_t)point;
    h->actor = (uint8_t)actor;
    h->depth = (uint8_t)depth;
}

static void emit(struct xsw_switch *sw, const struct xsw_rec_hdr *h, const void *body, size_t len,
                 const void *tail, size_t tail_len)
{
    if (!sw->tw)
        return;
    struct xsw_iov iov[2] = {{body, len}, {tail, tail_len}};
    xsw_trace_write(sw->tw, h, iov, tail_len ? 2 : 1);
}

void xsw_rec_meta(struct xsw_switch *sw)
{
    char *t = (char *)sw->scratch;
    size_t cap = 16384, n = 0;
    n += (size_t)snprintf(t + n, cap - n, "xsw_version=%s\nscenario=%s\n", XSW_VERSION,
                          sw->cfg.scenario ? sw->cfg.scenario : "custom");
    if (sw->cfg.params && n < cap)
        n += (size_t)snprintf(t + n, cap - n, "%s%s", sw->cfg.params,
                              sw->cfg.params[0] && sw->cfg.params[strlen(sw->cfg.params) - 1] != '\n' ? "\n" : "");
    if (n < cap)
        n += (size_t)snprintf(t + n, cap - n, "depth=%u\n%s%s", sw->depth, sw->cfg.synthetic ? "synthetic=1\n" : "",
                              sw->active ? "active=1\n" : "");
    /* The harness conditions a reader needs to judge the trace: pended OIDs, injected allocation failure. */
    if (sw->cfg.pend_oids && n < cap)
        n += (size_t)snprintf(t + n, cap - n, "pend_oids=1\n");
    if (sw->cfg.fail_alloc_after && n < cap)
        n += (size_t)snprintf(t + n, cap - n, "fail_alloc_after=%llu\n", (unsigned long long)sw->cfg.fail_alloc_after);
    for (unsigned i = 0; i < sw->depth && n < cap; i++)
        n += (size_t)snprintf(t + n, cap - n, "ext.%u.name=%s\next.%u.class=%s\next.%u.path=%s\n", i,
                              sw->drivers[i].name, i, xsw_class_name(sw->drivers[i].cls), i, sw->drivers[i].path);
    /*
     * Ports and NICs that exist already: "port.ID=TYPE", "port.ID.name=NAME" (the PortName every
     * parameter block of the port and its NICs is built from) and "nic.PORT.INDEX=STATE" (NDIS
     * enum values) with "nic.PORT.INDEX.mac=xx:xx:xx:xx:xx:xx".
     */
    for (uint32_t i = 0; i < sw->port_cap && n + 64 + sizeof sw->ports[i].name < cap; i++) {
        const struct xsw_port *p = &sw->ports[i];
        if (p->used != 1)
            continue;
        n += (size_t)snprintf(t + n, cap - n, "port.%u=%u\nport.%u.name=%s\n", (unsigned)p->id, (unsigned)p->type,
                              (unsigned)p->id, p->name);
        for (unsigned k = 0; k < sizeof p->nics / sizeof p->nics[0] && n + 64 < cap; k++)
            if (p->nics[k].used) {
                const struct xsw_nic *c = &p->nics[k];
                n += (size_t)snprintf(t + n, cap - n, "nic.%u.%u=%u\nnic.%u.%u.mac=%02x:%02x:%02x:%02x:%02x:%02x\n",
                                      (unsigned)p->id, c->nic_index, (unsigned)c->state, (unsigned)p->id, c->nic_index,
                                      c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
            }
    }
    if (n > cap)
        n = cap;
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_META, XSW_POINT_HARNESS, XSW_ACTOR_SWITCH, sw->depth);
    emit(sw, &h, t, n, NULL, 0);
}

/* Port and NIC named by a switch OID's information buffer (x64 offsets, §3). */
static void oid_port_nic(uint32_t oid, const uint8_t *b, uint32_t len, uint32_t *port, uint16_t *nic)
{
    uint32_t po = UINT32_MAX, no = UINT32_MAX;
    switch (oid) {
    case OID_SWITCH_PORT_CREATE:
    case OID_SWITCH_PORT_DELETE:
    case OID_SWITCH_PORT_TEARDOWN:
    case OID_SWITCH_PORT_UPDATED:
    case OID_SWITCH_PORT_PROPERTY_ADD:
    case OID_SWITCH_PORT_PROPERTY_UPDATE:
    case OID_SWITCH_PORT_PROPERTY_DELETE:
    case OID_SWITCH_PORT_PROPERTY_ENUM:
    case OID_SWITCH_PORT_FEATURE_STATUS_QUERY:
        po = 8;
        break;
    case OID_SWITCH_NIC_CREATE:
    case OID_SWITCH_NIC_CONNECT:
    case OID_SWITCH_NIC_DISCONNECT:
    case OID_SWITCH_NIC_DELETE:
    case OID_SWITCH_NIC_UPDATED:
        po = 1040;
        no = 1044;
        break;
    case OID_SWITCH_NIC_SAVE:
    case OID_SWITCH_NIC_SAVE_COMPLETE:
    case OID_SWITCH_NIC_RESTORE:
    case OID_SWITCH_NIC_RESTORE_COMPLETE:
        po = 8;
        no = 12;
        break;
    case OID_SWITCH_NIC_REQUEST:
        po = 16;
        no = 20;
        break;
    default:
        break;
    }
    if (b && po != UINT32_MAX && (uint64_t)po + 4 <= len)
        memcpy(port, b + po, 4);
    if (b && no != UINT32_MAX && (uint64_t)no + 2 <= len)
        memcpy(nic, b + no, 2);
}

struct oid_view {
    uint32_t oid, type, in_len, out_len, done, needed;
    const uint8_t *buf;
};

static void oid_view(const NDIS_OID_REQUEST *r, struct oid_view *v)
{
    memset(v, 0, sizeof *v);
    v->type = (uint32_t)r->RequestType;
    switch (r->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        v->oid = r->DATA.QUERY_INFORMATION.Oid;
        v->buf = r->DATA.QUERY_INFORMATION.InformationBuffer;
        v->in_len = r->DATA.QUERY_INFORMATION.InformationBufferLength;
        v->done = r->DATA.QUERY_INFORMATION.BytesWritten;
        v->needed = r->DATA.QUERY_INFORMATION.BytesNeeded;
        break;
    case NdisRequestSetInformation:
        v->oid = r->DATA.SET_INFORMATION.Oid;
        v->buf = r->DATA.SET_INFORMATION.InformationBuffer;
        v->in_len = r->DATA.SET_INFORMATION.InformationBufferLength;
        v->done = r->DATA.SET_INFORMATION.BytesRead;
        v->needed = r->DATA.SET_INFORMATION.BytesNeeded;
        break;
    case NdisRequestMethod:
        v->oid = r->DATA.METHOD_INFORMATION.Oid;
        v->buf = r->DATA.METHOD_INFORMATION.InformationBuffer;
        v->in_len = r->DATA.METHOD_INFORMATION.InputBufferLength;
        v->out_len = r->DATA.METHOD_INFORMATION.OutputBufferLength;
        v->done = r->DATA.METHOD_INFORMATION.BytesWritten;
        v->needed = r->DATA.METHOD_INFORMATION.BytesNeeded;
        break;
    default:
        break;
    }
}

/* Bytes of the information buffer worth recording at request or completion. */
static uint32_t oid_capture_len(const struct oid_view *v, int completion)
{
    uint32_t n;
    switch (v->type) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        /* At request time only the header the caller initialised matters. */
        n = completion ? (v->done < v->in_len ? v->done : v->in_len) : (v->in_len < 64 ? v->in_len : 64);
        break;
    case NdisRequestMethod: {
        uint32_t room = v->out_len > v->in_len ? v->out_len : v->in_len;
        n = completion ? (v->done > v->in_len ? v->done : v->in_len) : v->in_len;
        if (n > room)
            n = room;
        break;
    }
    default:
        n = v->in_len;
        break;
    }
    if (!v->buf)
        n = 0;
    return n > OID_CAPTURE_MAX ? OID_CAPTURE_MAX : n;
}

void xsw_rec_oid(struct xsw_switch *sw, unsigned kind, unsigned point, unsigned actor, const NDIS_OID_REQUEST *req,
                 uint64_t id, uint64_t parent, NDIS_STATUS status, unsigned flags)
{
    if (!sw->tw)
        return;
    struct oid_view v, inner;
    oid_view(req, &v);
    memset(&inner, 0, sizeof inner);
    const int completion = kind == XSW_K_OID_COMPLETE;
    uint32_t cap = oid_capture_len(&v, completion);
    uint32_t port = 0;
    uint16_t nic = 0;
    oid_port_nic(v.oid, v.buf, cap, &port, &nic);

    struct xsw_wbuf b;
    uint8_t *data = sw->scratch + 256;
    size_t data_len = 0;
    const NDIS_OID_REQUEST *in = NULL;
    if (v.oid == OID_SWITCH_NIC_REQUEST && v.buf && v.in_len >= sizeof(NDIS_SWITCH_NIC_OID_REQUEST)) {
        /* Record the wrapper with its pointer zeroed, then the inner buffer. */
        NDIS_SWITCH_NIC_OID_REQUEST w;
        memcpy(&w, v.buf, sizeof w);
        in = w.OidRequest;
        w.OidRequest = NULL;
        memcpy(data, &w, sizeof w);
        data_len = sizeof w;
        if (in) {
            oid_view(in, &inner);
            uint32_t icap = oid_capture_len(&inner, completion);
            if (icap > OID_CAPTURE_MAX - data_len)
                icap = (uint32_t)(OID_CAPTURE_MAX - data_len);
            if (icap)
                memcpy(data + data_len, inner.buf, icap);
            data_len += icap;
        }
    } else if (cap) {
        memcpy(data, v.buf, cap);
        data_len = cap;
    }

    xsw_wbuf_init(&b, sw->scratch, 256);
    xsw_wbuf_u32(&b, v.oid);
    xsw_wbuf_u32(&b, v.type);
    xsw_wbuf_u32(&b, v.in_len);
    xsw_wbuf_u32(&b, v.out_len);
    xsw_wbuf_u32(&b, completion ? v.done : 0);
    xsw_wbuf_u32(&b, completion ? v.needed : 0);
    xsw_wbuf_u32(&b, in ? inner.oid : 0);
    xsw_wbuf_u32(&b, in ? inner.type : 0);
    xsw_wbuf_u32(&b, in && completion ? status : 0);
    xsw_wbuf_u32(&b, (uint32_t)data_len);

    struct xsw_rec_hdr h;
    put_hdr(&h, kind, point, actor, sw->depth);
    h.flags = (uint8_t)flags;
    h.port_id = port;
    h.nic_index = nic;
    h.status = completion ? status : 0;
    h.id = id;
    h.parent = parent;
    emit(sw, &h, b.buf, b.len, data, data_len);
}

/* Copy up to "cap" bytes of the first NET_BUFFER's data out of its MDL chain. */
static uint32_t nb_copy(PNET_BUFFER nb, uint8_t *out, uint32_t cap);

uint32_t xsw_nbl_copy_frame(PNET_BUFFER_LIST nbl, uint8_t *out, uint32_t cap)
{
    return nb_copy(NET_BUFFER_LIST_FIRST_NB(nbl), out, cap);
}

static uint32_t nb_copy(PNET_BUFFER nb, uint8_t *out, uint32_t cap)
{
    if (!nb)
        return 0;
    uint32_t want = NET_BUFFER_DATA_LENGTH(nb);
    if (want > cap)
        want = cap;
    uint32_t got = 0, off = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    for (PMDL m = NET_BUFFER_CURRENT_MDL(nb); m && got < want; m = m->Next) {
        uint32_t cnt = m->ByteCount;
        const uint8_t *va = m->MappedSystemVa;
        if (off >= cnt) {
            off -= cnt;
            continue;
        }
        /* An unmapped MDL ends the copy: the record holds a cut frame (frame_len gives its
         * length), never one with bytes missing from its middle. */
        if (!va)
            break;
        uint32_t n = cnt - off;
        if (n > want - got)
            n = want - got;
        memcpy(out + got, va + off, n);
        got += n;
        off = 0;
    }
    return got;
}

void xsw_rec_nbls(struct xsw_switch *sw, unsigned kind, unsigned point, unsigned actor, PNET_BUFFER_LIST chain,
                  ULONG ndis_flags)
{
    if (!sw->tw)
        return;
    unsigned len = 0;
    for (PNET_BUFFER_LIST n = chain; n; n = NET_BUFFER_LIST_NEXT_NBL(n))
        len++;
    unsigned idx = 0;
    for (PNET_BUFFER_LIST n = chain; n; n = NET_BUFFER_LIST_NEXT_NBL(n), idx++) {
        struct xsw_fwd *f = xsw_fwd_of(n);
        NDIS_SWITCH_FORWARDING_DETAIL_NET_BUFFER_LIST_INFO *fd = NET_BUFFER_LIST_SWITCH_FORWARDING_DETAIL(n);
        uint32_t nbcount = 0;
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n); nb; nb = NET_BUFFER_NEXT_NB(nb))
            nbcount++;
        uint32_t ndest = f ? f->arr.NumDestinations : 0;
        if (ndest > 1024)
            ndest = 1024;
        uint8_t *p = sw->scratch;
        struct xsw_wbuf b;
        xsw_wbuf_init(&b, p, 64 + 1024 * XSW_DEST_LEN);
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n);
        uint32_t frame_len = nb ? NET_BUFFER_DATA_LENGTH(nb) : 0;
        uint8_t *frame = sw->scratch + 64 + 1024 * XSW_DEST_LEN;
        uint32_t cap = 0;
        if (sw->cfg.record_frames) {
            /* Never more than the scratch buffer holds after the destinations. */
            const uint32_t room = (uint32_t)(sizeof sw->scratch - (64 + 1024 * XSW_DEST_LEN));
            uint32_t snap = sw->cfg.snaplen ? sw->cfg.snaplen : XSW_FRAME_MAX * 32;
            cap = nb_copy(nb, frame, snap < room ? snap : room);
        }
        xsw_wbuf_u32(&b, ndis_flags);
        xsw_wbuf_u16(&b, (uint16_t)idx);
        xsw_wbuf_u16(&b, (uint16_t)len);
        xsw_wbuf_u64(&b, fd ? fd->AsUINT64 : 0);
        xsw_wbuf_u16(&b, (uint16_t)ndest);
        xsw_wbuf_u16(&b, f ? (uint16_t)f->arr.NumElements : 0);
        xsw_wbuf_u32(&b, frame_len);
        xsw_wbuf_u32(&b, cap);
        xsw_wbuf_u32(&b, nbcount);
        for (uint32_t i = 0; i < ndest; i++) {
            const NDIS_SWITCH_PORT_DESTINATION *d = &f->dest[i];
            xsw_wbuf_u32(&b, d->PortId);
            xsw_wbuf_u16(&b, d->NicIndex);
            xsw_wbuf_u16(&b, (uint16_t)(d->IsExcluded | d->PreserveVLAN << 1 | d->PreservePriority << 2));
        }
        struct xsw_rec_hdr h;
        put_hdr(&h, kind, point, actor, sw->depth);
        h.flags = idx + 1 == len ? XSW_RF_CHAIN_END : 0;
        if (f && f->owner >= 0)
            h.flags |= XSW_RF_ORIGINATED;
        h.port_id = fd ? fd->SourcePortId : 0;
        h.nic_index = fd ? fd->SourceNicIndex : 0;
        h.status = (kind == XSW_K_NBL_SEND_COMPLETE || kind == XSW_K_NBL_RETURN) ? (uint32_t)NET_BUFFER_LIST_STATUS(n) : 0;
        h.id = f ? f->id : 0;
        h.parent = n->ParentNetBufferList ? xsw_nbl_id(n->ParentNetBufferList) : 0;
        emit(sw, &h, b.buf, b.len, frame, cap);
    }
}

void xsw_rec_handler(struct xsw_switch *sw, unsigned handler, uint32_t port, uint16_t nic, NDIS_STATUS status,
                     uint32_t flags, uint32_t count, int32_t refcount, uint64_t nbl,
                     const NDIS_SWITCH_PORT_DESTINATION *dest, unsigned ndest, const char *text)
{
    if (!sw->tw)
        return;
    if (ndest > 1024)
        ndest = 1024;
    size_t tlen = text ? strlen(text) : 0;
    if (tlen > 1024)
        tlen = 1024;
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, sw->scratch, 64 + 1024 * XSW_DEST_LEN + 1100);
    xsw_wbuf_u16(&b, (uint16_t)handler);
    xsw_wbuf_u8(&b, (uint8_t)xsw_rt_irql());
    xsw_wbuf_u8(&b, 0);
    xsw_wbuf_u32(&b, flags);
    xsw_wbuf_u32(&b, count);
    xsw_wbuf_u32(&b, (uint32_t)refcount);
    xsw_wbuf_u64(&b, nbl);
    xsw_wbuf_u16(&b, (uint16_t)ndest);
    xsw_wbuf_u16(&b, (uint16_t)tlen);
    xsw_wbuf_u32(&b, 0);
    for (unsigned i = 0; i < ndest; i++) {
        xsw_wbuf_u32(&b, dest[i].PortId);
        xsw_wbuf_u16(&b, dest[i].NicIndex);
        xsw_wbuf_u16(&b, (uint16_t)(dest[i].IsExcluded | dest[i].PreserveVLAN << 1 | dest[i].PreservePriority << 2));
    }
    xsw_wbuf_bytes(&b, text, tlen);
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_HANDLER_CALL, XSW_POINT_NDIS, xsw_rt_actor(), sw->depth);
    h.port_id = port;
    h.nic_index = nic;
    h.status = status;
    h.id = nbl;
    emit(sw, &h, b.buf, b.len, NULL, 0);
}

void xsw_rec_filter_state(struct xsw_switch *sw, unsigned actor, unsigned event, NDIS_STATUS st, const char *text)
{
    if (!sw->tw)
        return;
    size_t tlen = text ? strlen(text) : 0;
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, sw->scratch, 512);
    xsw_wbuf_u32(&b, event);
    xsw_wbuf_u32(&b, (uint32_t)(tlen > 400 ? 400 : tlen));
    xsw_wbuf_bytes(&b, text, tlen > 400 ? 400 : tlen);
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_FILTER_STATE, XSW_POINT_HARNESS, actor, sw->depth);
    h.status = st;
    emit(sw, &h, b.buf, b.len, NULL, 0);
}

void xsw_rec_finding(struct xsw_switch *sw, unsigned actor, unsigned code, uint64_t value, uint32_t port, uint16_t nic,
                     uint64_t id, const char *text)
{
    xsw_sw_count_finding(sw, code);
    if (getenv_xsw_findings())
        fprintf(stderr, "xsw: finding %s (actor %u): %s\n", xsw_finding_name(code) ? xsw_finding_name(code) : "?", actor,
                text ? text : "");
    if (!sw->tw)
        return;
    size_t tlen = text ? strlen(text) : 0;
    if (tlen > 2000)
        tlen = 2000;
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, sw->finding_buf, sizeof sw->finding_buf);
    xsw_wbuf_u16(&b, (uint16_t)code);
    xsw_wbuf_u8(&b, (uint8_t)xsw_rt_irql());
    xsw_wbuf_u8(&b, 0);
    xsw_wbuf_u64(&b, value);
    xsw_wbuf_u32(&b, (uint32_t)tlen);
    xsw_wbuf_bytes(&b, text, tlen);
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_FINDING, XSW_POINT_HARNESS, actor, sw->depth);
    h.port_id = port;
    h.nic_index = nic;
    h.id = id;
    emit(sw, &h, b.buf, b.len, NULL, 0);
}

void xsw_rec_status(struct xsw_switch *sw, unsigned point, unsigned actor, const NDIS_STATUS_INDICATION *ind)
{
    if (!sw->tw)
        return;
    uint32_t inner = 0, port = 0;
    uint16_t nic = 0;
    uint8_t *data = sw->scratch + 64;
    size_t dlen = 0;
    if (ind->StatusCode == NDIS_STATUS_SWITCH_NIC_STATUS && ind->StatusBuffer &&
        ind->StatusBufferSize >= sizeof(NDIS_SWITCH_NIC_STATUS_INDICATION)) {
        NDIS_SWITCH_NIC_STATUS_INDICATION w;
        memcpy(&w, ind->StatusBuffer, sizeof w);
        const NDIS_STATUS_INDICATION *in = w.StatusIndication;
        w.StatusIndication = NULL;
        port = w.DestinationPortId;
        nic = w.DestinationNicIndex;
        memcpy(data, &w, sizeof w);
        dlen = sizeof w;
        if (in) {
            inner = in->StatusCode;
            uint32_t n = in->StatusBuffer ? in->StatusBufferSize : 0;
            if (n > 4096)
                n = 4096;
            if (n)
                memcpy(data + dlen, in->StatusBuffer, n);
            dlen += n;
        }
    } else if (ind->StatusBuffer) {
        dlen = ind->StatusBufferSize > 4096 ? 4096 : ind->StatusBufferSize;
        memcpy(data, ind->StatusBuffer, dlen);
    }
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, sw->scratch, 64);
    xsw_wbuf_u32(&b, ind->StatusCode);
    xsw_wbuf_u32(&b, inner);
    xsw_wbuf_u32(&b, ind->StatusBufferSize);
    xsw_wbuf_u32(&b, (uint32_t)dlen);
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_STATUS, point, actor, sw->depth);
    h.status = ind->StatusCode;
    h.port_id = port;
    h.nic_index = nic;
    emit(sw, &h, b.buf, b.len, data, dlen);
}

void xsw_rec_pnp(struct xsw_switch *sw, unsigned point, unsigned actor, const NET_PNP_EVENT_NOTIFICATION *ev,
                 NDIS_STATUS status)
{
    if (!sw->tw)
        return;
    uint32_t n = ev->NetPnPEvent.Buffer ? ev->NetPnPEvent.BufferLength : 0;
    if (n > 4096)
        n = 4096;
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, sw->scratch, 16);
    xsw_wbuf_u32(&b, (uint32_t)ev->NetPnPEvent.NetEvent);
    xsw_wbuf_u32(&b, n);
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_PNP_EVENT, point, actor, sw->depth);
    h.status = status;
    emit(sw, &h, b.buf, b.len, ev->NetPnPEvent.Buffer, n);
}

void xsw_rec_ndis_call(struct xsw_switch *sw, unsigned actor, unsigned irql, const char *func, uint64_t a0,
                       uint64_t a1, uint64_t a2)
{
    if (!sw->tw)
        return;
    size_t fl = strlen(func);
    if (fl > 200)
        fl = 200;
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, sw->call_buf, sizeof sw->call_buf);
    xsw_wbuf_u16(&b, (uint16_t)fl);
    xsw_wbuf_u8(&b, (uint8_t)irql);
    xsw_wbuf_u8(&b, 0);
    xsw_wbuf_u64(&b, a0);
    xsw_wbuf_u64(&b, a1);
    xsw_wbuf_u64(&b, a2);
    xsw_wbuf_bytes(&b, func, fl);
    struct xsw_rec_hdr h;
    put_hdr(&h, XSW_K_NDIS_CALL, XSW_POINT_NDIS, actor, sw->depth);
    emit(sw, &h, b.buf, b.len, NULL, 0);
}
