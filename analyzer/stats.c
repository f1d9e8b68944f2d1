/*
 * stats.c - the summary statistics of an xsw trace (docs/analyzer.md
 * "Summary"), computed in one pass over decoded records:
 *
 *  - per port and NIC, the lifecycle states reached: switch OIDs completed
 *    at the protocol edge (point 0), with their frame and pcap timestamp
 *    (HELPERS.md "Trace semantics"; extensible-switch.md §4.5);
 *  - OID counts and latencies from request to completion, pairing
 *    OID_REQUEST and OID_COMPLETE by (request id, point), per OID name;
 *  - packets and bytes per path: synthetic (NBL records at the protocol
 *    edge), VF (VF_FRAME records), extension-originated (XSW_RF_ORIGINATED),
 *    per port and in total;
 *  - drops by reason: ReportFilteredNetBufferLists calls (HANDLER_CALL text);
 *  - VF failover gaps: from a data-path switch (NVSP SWITCH_DATA_PATH in a
 *    VMBUS record, vmbus-nvsp-rndis.md §2.9) to the first frame of that VM
 *    NIC on the new path;
 *  - extensions (META, FILTER_STATE) and harness findings.
 *
 * Memory: live objects (ports, NICs, OIDs and originated NBLs in flight)
 * plus fixed-size tables; every table has a bound (analyze.h) past which
 * objects are counted as untracked instead of stored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "map.h"

enum {
#define XSW_OID(name, value, type, cls) O_##name = (int64_t)(value),
#include "xsw/defs/oids.def"
#undef XSW_OID
};
enum {
#define XSW_NVSP_MSG(name, value) XN_##name = value,
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
};

#define NDIS_STATUS_SUCCESS 0u
#define RFNBL_IS_INCOMING 0x1u /* NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING */

struct when {
    uint64_t frame, ts;
    uint32_t status;
};

enum pstate { PS_CREATED, PS_UPDATED, PS_TEARDOWN, PS_DELETED, PS__N };
enum nstate { NS_CREATED, NS_CONNECTED, NS_UPDATED, NS_DISCONNECTED, NS_DELETED, NS__N };
static const char *const pstate_name[PS__N] = {"created", "updated", "teardown", "deleted"};
static const char *const nstate_name[NS__N] = {"created", "connected", "updated", "disconnected", "deleted"};

struct flow {
    uint64_t pkts, bytes;
};

struct port_st {
    uint32_t port;
    uint32_t cycles, updates, failed;
    struct when st[PS__N];
    struct flow syn_in, syn_out, vf_in, vf_out, orig;
    uint64_t dropped;
};

struct gap_agg {
    uint64_t n, min, max, sum;
};

struct nic_st {
    uint32_t port;
    uint16_t nic;
    uint32_t cycles, updates, failed;
    struct when st[NS__N];
    /* data path as the VMBus NVSP messages of this VM NIC tell it */
    uint8_t vf_alloc, dp, pending, pending_dp;
    uint64_t pending_frame, pending_ts;
    uint32_t switches;
    struct gap_agg gap[2]; /* by target path: 0 synthetic, 1 VF */
};

struct oid_kind {
    uint32_t oid, inner;
    uint64_t requests, completions, failed, unmatched;
    uint64_t lat_n, lat_min, lat_max, lat_sum;
};

struct inflight {
    uint64_t ts;
    uint32_t kind;
    uint32_t next_free;
};

struct reason {
    uint64_t hash, count, calls;
    uint8_t incoming;
    int16_t actor;
    char text[120];
};

struct gap_ev {
    uint32_t port;
    uint16_t nic;
    uint8_t target;
    uint64_t switch_frame, switch_ts, first_frame;
    uint64_t gap_ns;
};

struct ext_ev {
    uint64_t frame, ts;
    uint32_t event, status;
};

struct ext_info {
    char name[64], cls[24];
    struct ext_ev ev[XAN_MAX_EXT_EVENTS];
    unsigned nev;
    uint64_t ev_dropped;
};

struct finding_count {
    uint16_t code;
    uint64_t count;
};

struct xan_stats {
    uint64_t records, kinds[17], other_kinds;
    uint64_t first_frame, last_frame, first_ts, last_ts;
    /* META */
    char scenario[16][64];
    unsigned nscenarios, scenarios_total;
    char xsw_version[32];
    unsigned depth;
    struct ext_info ext[XSW_CHECK_MAX_DEPTH];
    /* ports and NICs */
    struct port_st *ports;
    struct nic_st *nics;
    uint32_t nports, cap_ports, nnics, cap_nics;
    struct xan_map mport, mnic;
    uint64_t untracked_ports;
    uint32_t last_port_idx;
    /* OIDs */
    struct oid_kind kinds_t[XAN_MAX_OID_KINDS];
    uint32_t nkinds;
    uint64_t untracked_oids;
    struct xan_map mkind, minflight;
    struct inflight *inf;
    uint32_t ninf, capinf, inf_free;
    /* paths */
    struct flow syn_in, syn_out, vf_in, vf_out, orig_in, orig_out;
    struct xan_map morig;
    uint64_t untracked_orig;
    /* drops */
    struct reason reasons[XAN_MAX_REASONS];
    unsigned nreasons;
    uint64_t other_drops, drop_calls, drop_nbls;
    /* VF failover */
    struct gap_ev gaps[XAN_MAX_GAPS];
    unsigned ngaps;
    uint64_t gaps_total;
    struct gap_agg gap_all[2];
    uint32_t npending;
    uint64_t nvsp_msgs, vmbus_bad;
    /* findings */
    struct finding_count findings[64];
    unsigned nfindings;
    uint64_t other_findings;
};

struct xan_stats *xan_stats_new(void)
{
    struct xan_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->inf_free = XAN_MAP_NONE;
    s->last_port_idx = XAN_MAP_NONE;
    return s;
}

void xan_stats_free(struct xan_stats *s)
{
    if (!s)
        return;
    free(s->ports);
    free(s->nics);
    free(s->inf);
    xan_map_free(&s->mport);
    xan_map_free(&s->mnic);
    xan_map_free(&s->mkind);
    xan_map_free(&s->minflight);
    xan_map_free(&s->morig);
    free(s);
}

uint64_t xan_stats_records(const struct xan_stats *s)
{
    return s->records;
}

/* ---- Ports and NICs ------------------------------------------------------------------ */

static struct port_st *port_get(struct xan_stats *s, uint32_t port)
{
    if (s->last_port_idx != XAN_MAP_NONE && s->ports[s->last_port_idx].port == port)
        return &s->ports[s->last_port_idx];
    uint32_t i = xan_map_get(&s->mport, port, 0);
    if (i == XAN_MAP_NONE) {
        if (s->nports >= XAN_MAX_PORTS) {
            s->untracked_ports++;
            return NULL;
        }
        if (s->nports == s->cap_ports) {
            uint32_t nc = s->cap_ports ? s->cap_ports * 2 : 16;
            struct port_st *np = realloc(s->ports, nc * sizeof *np);
            if (!np)
                return NULL;
            s->ports = np;
            s->cap_ports = nc;
        }
        if (xan_map_put(&s->mport, port, 0, s->nports))
            return NULL;
        i = s->nports++;
        memset(&s->ports[i], 0, sizeof s->ports[i]);
        s->ports[i].port = port;
    }
    s->last_port_idx = i;
    return &s->ports[i];
}

static struct nic_st *nic_find(struct xan_stats *s, uint32_t port, uint16_t nic)
{
    uint32_t i = xan_map_get(&s->mnic, port, nic);
    return i == XAN_MAP_NONE ? NULL : &s->nics[i];
}

static struct nic_st *nic_get(struct xan_stats *s, uint32_t port, uint16_t nic)
{
    struct nic_st *n = nic_find(s, port, nic);
    if (n)
        return n;
    if (s->nnics >= XAN_MAX_PORTS) {
        s->untracked_ports++;
        return NULL;
    }
    if (s->nnics == s->cap_nics) {
        uint32_t nc = s->cap_nics ? s->cap_nics * 2 : 16;
        struct nic_st *nn = realloc(s->nics, nc * sizeof *nn);
        if (!nn)
            return NULL;
        s->nics = nn;
        s->cap_nics = nc;
    }
    if (xan_map_put(&s->mnic, port, nic, s->nnics))
        return NULL;
    n = &s->nics[s->nnics++];
    memset(n, 0, sizeof *n);
    n->port = port;
    n->nic = nic;
    port_get(s, port);
    return n;
}

static void set_when(struct when *w, uint64_t frame, uint64_t ts, uint32_t status)
{
    w->frame = frame;
    w->ts = ts;
    w->status = status;
}

/* A switch lifecycle OID completed at the protocol edge (final status). */
static void lifecycle(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts)
{
    uint32_t oid = r->u.oid.oid;
    int ok = r->status == NDIS_STATUS_SUCCESS;
    int ps = -1, ns = -1;
    switch (oid) {
    case O_OID_SWITCH_PORT_CREATE: ps = PS_CREATED; break;
    case O_OID_SWITCH_PORT_UPDATED: ps = PS_UPDATED; break;
    case O_OID_SWITCH_PORT_TEARDOWN: ps = PS_TEARDOWN; break;
    case O_OID_SWITCH_PORT_DELETE: ps = PS_DELETED; break;
    case O_OID_SWITCH_NIC_CREATE: ns = NS_CREATED; break;
    case O_OID_SWITCH_NIC_CONNECT: ns = NS_CONNECTED; break;
    case O_OID_SWITCH_NIC_UPDATED: ns = NS_UPDATED; break;
    case O_OID_SWITCH_NIC_DISCONNECT: ns = NS_DISCONNECTED; break;
    case O_OID_SWITCH_NIC_DELETE: ns = NS_DELETED; break;
    default: return;
    }
    if (ps >= 0) {
        struct port_st *p = port_get(s, r->port_id);
        if (!p)
            return;
        if (!ok) {
            p->failed++;
            return;
        }
        if (ps == PS_CREATED) {
            if (p->st[PS_CREATED].frame) {
                /* A port id used again after deletion starts a new cycle. */
                memset(p->st, 0, sizeof p->st);
            }
            p->cycles++;
        }
        if (ps == PS_UPDATED)
            p->updates++;
        set_when(&p->st[ps], frame, ts, r->status);
    } else {
        struct nic_st *n = nic_get(s, r->port_id, r->nic_index);
        if (!n)
            return;
        if (!ok) {
            n->failed++;
            return;
        }
        if (ns == NS_CREATED) {
            if (n->st[NS_CREATED].frame)
                memset(n->st, 0, sizeof n->st);
            n->cycles++;
        }
        if (ns == NS_UPDATED)
            n->updates++;
        set_when(&n->st[ns], frame, ts, r->status);
    }
}

/* ---- OIDs ------------------------------------------------------------------------------ */

static uint32_t oid_kind(struct xan_stats *s, uint32_t oid, uint32_t inner)
{
    uint32_t k = xan_map_get(&s->mkind, oid, inner);
    if (k != XAN_MAP_NONE)
        return k;
    if (s->nkinds >= XAN_MAX_OID_KINDS || xan_map_put(&s->mkind, oid, inner, s->nkinds))
        return XAN_MAP_NONE;
    struct oid_kind *o = &s->kinds_t[s->nkinds];
    memset(o, 0, sizeof *o);
    o->oid = oid;
    o->inner = inner;
    o->lat_min = UINT64_MAX;
    return s->nkinds++;
}

static void oid_request(struct xan_stats *s, const struct xsw_rec *r, uint64_t ts)
{
    uint32_t k = oid_kind(s, r->u.oid.oid, r->u.oid.inner_oid);
    if (k == XAN_MAP_NONE) {
        s->untracked_oids++;
        return;
    }
    s->kinds_t[k].requests++;
    uint32_t key_point = r->point;
    uint32_t i = xan_map_get(&s->minflight, r->id, key_point);
    if (i == XAN_MAP_NONE) {
        if (s->minflight.count >= XAN_MAX_INFLIGHT) {
            s->untracked_oids++;
            return;
        }
        if (s->inf_free != XAN_MAP_NONE) {
            i = s->inf_free;
            s->inf_free = s->inf[i].next_free;
        } else {
            if (s->ninf == s->capinf) {
                uint32_t nc = s->capinf ? s->capinf * 2 : 64;
                struct inflight *ni = realloc(s->inf, nc * sizeof *ni);
                if (!ni)
                    return;
                s->inf = ni;
                s->capinf = nc;
            }
            i = s->ninf++;
        }
        if (xan_map_put(&s->minflight, r->id, key_point, i)) {
            s->inf[i].next_free = s->inf_free;
            s->inf_free = i;
            return;
        }
    }
    s->inf[i].ts = ts;
    s->inf[i].kind = k;
}

static void oid_complete(struct xan_stats *s, const struct xsw_rec *r, uint64_t ts)
{
    uint32_t i = xan_map_get(&s->minflight, r->id, r->point);
    uint32_t k;
    if (i == XAN_MAP_NONE) {
        k = oid_kind(s, r->u.oid.oid, r->u.oid.inner_oid);
        if (k != XAN_MAP_NONE)
            s->kinds_t[k].unmatched++;
        return;
    }
    k = s->inf[i].kind;
    struct oid_kind *o = &s->kinds_t[k];
    uint64_t lat = ts >= s->inf[i].ts ? ts - s->inf[i].ts : 0;
    o->completions++;
    if (r->status != NDIS_STATUS_SUCCESS)
        o->failed++;
    o->lat_n++;
    o->lat_sum += lat;
    if (lat < o->lat_min)
        o->lat_min = lat;
    if (lat > o->lat_max)
        o->lat_max = lat;
    xan_map_del(&s->minflight, r->id, r->point);
    s->inf[i].next_free = s->inf_free;
    s->inf_free = i;
}

/* ---- Paths and VF failover ----------------------------------------------------------------- */

static void gap_add(struct gap_agg *g, uint64_t v)
{
    if (!g->n || v < g->min)
        g->min = v;
    if (v > g->max)
        g->max = v;
    g->n++;
    g->sum += v;
}

/* The first frame of a VM NIC after a data-path switch: on the path switched to? */
static void first_frame(struct xan_stats *s, struct nic_st *n, unsigned path, uint64_t frame, uint64_t ts)
{
    if (!n->pending || n->pending_dp != path)
        return;
    uint64_t gap = ts >= n->pending_ts ? ts - n->pending_ts : 0;
    gap_add(&n->gap[path], gap);
    gap_add(&s->gap_all[path], gap);
    s->gaps_total++;
    if (s->ngaps < XAN_MAX_GAPS) {
        struct gap_ev *e = &s->gaps[s->ngaps++];
        e->port = n->port;
        e->nic = n->nic;
        e->target = (uint8_t)path;
        e->switch_frame = n->pending_frame;
        e->switch_ts = n->pending_ts;
        e->first_frame = frame;
        e->gap_ns = gap;
    }
    n->pending = 0;
    s->npending--;
}

static void vmbus(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts,
                  const struct xan_nv_event *nv, int rc)
{
    struct xan_nv_event own;
    if (!nv) {
        rc = xan_nvsp_from_vmbus(r->u.vmbus.pkt, r->u.vmbus.pkt_len, r->u.vmbus.dir, &own);
        nv = &own;
    }
    if (rc < 0) {
        s->vmbus_bad++;
        return;
    }
    if (rc == 0)
        return;
    s->nvsp_msgs++;
    int guest = nv->dir == XNV_G2H;
    if (nv->type == XN_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION && !guest && nv->has_alloc) {
        struct nic_st *n = nic_get(s, r->port_id, r->nic_index);
        if (n)
            n->vf_alloc = nv->alloc != 0;
    } else if (nv->type == XN_NVSP_MSG4_TYPE_SWITCH_DATA_PATH && nv->has_dp && !nv->is_comp) {
        struct nic_st *n = nic_get(s, r->port_id, r->nic_index);
        if (!n)
            return;
        if (!n->pending)
            s->npending++;
        n->pending = 1;
        n->pending_dp = nv->dp ? 1 : 0;
        n->pending_frame = frame;
        n->pending_ts = ts;
        n->dp = n->pending_dp;
        n->switches++;
    }
}

static void flow_add(struct flow *f, uint64_t bytes)
{
    f->pkts++;
    f->bytes += bytes;
}

static void nbl(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts)
{
    uint64_t bytes = r->u.nbl.frame_len;
    if (r->flags & XSW_RF_ORIGINATED) {
        /* Count an originated NBL once, where it first appears, until it is back with its owner. */
        uint32_t seen = xan_map_get(&s->morig, r->id, 0);
        if (seen == XAN_MAP_NONE && (r->kind == XSW_K_NBL_SEND || r->kind == XSW_K_NBL_INDICATE)) {
            flow_add(r->kind == XSW_K_NBL_SEND ? &s->orig_in : &s->orig_out, bytes);
            struct port_st *p = port_get(s, r->port_id);
            if (p)
                flow_add(&p->orig, bytes);
            if (s->morig.count < XAN_MAX_INFLIGHT)
                xan_map_put(&s->morig, r->id, 0, r->point);
            else
                s->untracked_orig++;
        } else if (seen != XAN_MAP_NONE && seen == r->point &&
                   (r->kind == XSW_K_NBL_SEND_COMPLETE || r->kind == XSW_K_NBL_RETURN)) {
            xan_map_del(&s->morig, r->id, 0);
        }
        return;
    }
    if (r->point != 0)
        return;
    if (r->kind == XSW_K_NBL_SEND) {
        flow_add(&s->syn_in, bytes);
        struct port_st *p = port_get(s, r->port_id);
        if (p)
            flow_add(&p->syn_in, bytes);
        if (s->npending) {
            struct nic_st *n = nic_find(s, r->port_id, r->nic_index);
            if (n)
                first_frame(s, n, 0, frame, ts);
        }
    } else if (r->kind == XSW_K_NBL_INDICATE) {
        flow_add(&s->syn_out, bytes);
        for (unsigned i = 0; i < r->u.nbl.num_dest; i++) {
            struct xsw_dest d = xsw_rec_dest(r->u.nbl.dest, i);
            if (d.bits & 1)
                continue; /* IsExcluded: not delivered there */
            struct port_st *p = port_get(s, d.port_id);
            if (p)
                flow_add(&p->syn_out, bytes);
            if (s->npending) {
                struct nic_st *n = nic_find(s, d.port_id, d.nic_index);
                if (n)
                    first_frame(s, n, 0, frame, ts);
            }
        }
    }
}

static void vf_frame(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts)
{
    uint64_t bytes = r->u.vf.cap_len;
    int to_vm = r->u.vf.dir != 0;
    flow_add(to_vm ? &s->vf_out : &s->vf_in, bytes);
    struct port_st *p = port_get(s, r->port_id);
    if (p)
        flow_add(to_vm ? &p->vf_out : &p->vf_in, bytes);
    if (s->npending) {
        struct nic_st *n = nic_find(s, r->port_id, r->nic_index);
        if (n)
            first_frame(s, n, 1, frame, ts);
    }
}

/* ---- Drops, extensions, findings, META --------------------------------------------------- */

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void drop(struct xan_stats *s, const struct xsw_rec *r)
{
    uint64_t nbls = r->u.hc.count ? r->u.hc.count : 1;
    size_t tl = r->u.hc.text_len;
    const char *tx = r->u.hc.text ? r->u.hc.text : "";
    if (tl > sizeof s->reasons[0].text - 1)
        tl = sizeof s->reasons[0].text - 1;
    uint8_t inc = (r->u.hc.flags & RFNBL_IS_INCOMING) != 0;
    int16_t actor = r->actor == XSW_ACTOR_SWITCH ? -1 : (int16_t)r->actor;
    uint64_t h = fnv(tx, tl) ^ ((uint64_t)inc << 63) ^ ((uint64_t)(uint16_t)actor << 40);
    s->drop_calls++;
    s->drop_nbls += nbls;
    struct port_st *p = port_get(s, r->port_id);
    if (p)
        p->dropped += nbls;
    for (unsigned i = 0; i < s->nreasons; i++) {
        struct reason *e = &s->reasons[i];
        if (e->hash == h && e->incoming == inc && e->actor == actor && strlen(e->text) == tl &&
            memcmp(e->text, tx, tl) == 0) {
            e->count += nbls;
            e->calls++;
            return;
        }
    }
    if (s->nreasons == XAN_MAX_REASONS) {
        s->other_drops += nbls;
        return;
    }
    struct reason *e = &s->reasons[s->nreasons++];
    e->hash = h;
    e->incoming = inc;
    e->actor = actor;
    e->count = nbls;
    e->calls = 1;
    memcpy(e->text, tx, tl);
    e->text[tl] = 0;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static void meta(struct xan_stats *s, const struct xsw_rec *r)
{
    const char *p = r->u.meta.text, *end = p + r->u.meta.text_len;
    s->depth = r->depth;
    s->scenarios_total++;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *eq = memchr(p, '=', (size_t)(le - p));
        if (eq) {
            size_t kl = (size_t)(eq - p), vl = (size_t)(le - eq - 1);
            const char *v = eq + 1;
            if (kl == 8 && memcmp(p, "scenario", 8) == 0) {
                if (s->nscenarios < 16)
                    copy_value(s->scenario[s->nscenarios++], sizeof s->scenario[0], v, vl);
            } else if (kl == 11 && memcmp(p, "xsw_version", 11) == 0) {
                copy_value(s->xsw_version, sizeof s->xsw_version, v, vl);
            } else if (kl > 4 && memcmp(p, "ext.", 4) == 0) {
                char *q;
                char num[8];
                size_t dl = 0;
                while (4 + dl < kl && dl < sizeof num - 1 && p[4 + dl] >= '0' && p[4 + dl] <= '9') {
                    num[dl] = p[4 + dl];
                    dl++;
                }
                num[dl] = 0;
                unsigned long i = strtoul(num, &q, 10);
                if (dl && i < XSW_CHECK_MAX_DEPTH && 4 + dl < kl && p[4 + dl] == '.') {
                    const char *k = p + 5 + dl;
                    size_t kn = kl - 5 - dl;
                    if (kn == 4 && memcmp(k, "name", 4) == 0)
                        copy_value(s->ext[i].name, sizeof s->ext[i].name, v, vl);
                    else if (kn == 5 && memcmp(k, "class", 5) == 0)
                        copy_value(s->ext[i].cls, sizeof s->ext[i].cls, v, vl);
                }
            }
        }
        p = le + 1;
    }
}

static void filter_state(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts)
{
    if (r->actor >= XSW_CHECK_MAX_DEPTH)
        return;
    struct ext_info *e = &s->ext[r->actor];
    if (e->nev == XAN_MAX_EXT_EVENTS) {
        e->ev_dropped++;
        return;
    }
    struct ext_ev *x = &e->ev[e->nev++];
    x->frame = frame;
    x->ts = ts;
    x->event = r->u.fs.event;
    x->status = r->status;
}

static void finding(struct xan_stats *s, const struct xsw_rec *r)
{
    for (unsigned i = 0; i < s->nfindings; i++)
        if (s->findings[i].code == r->u.finding.code) {
            s->findings[i].count++;
            return;
        }
    if (s->nfindings == sizeof s->findings / sizeof s->findings[0]) {
        s->other_findings++;
        return;
    }
    s->findings[s->nfindings].code = r->u.finding.code;
    s->findings[s->nfindings++].count = 1;
}

void xan_stats_feed(struct xan_stats *s, const struct xsw_rec *r, uint64_t frame, uint64_t ts,
                    const struct xan_nv_event *nv, int nv_rc)
{
    if (!s->records) {
        s->first_frame = frame;
        s->first_ts = ts;
    }
    s->records++;
    s->last_frame = frame;
    s->last_ts = ts;
    if (r->kind <= 16)
        s->kinds[r->kind]++;
    else
        s->other_kinds++;
    switch ((enum xsw_kind)r->kind) {
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        nbl(s, r, frame, ts);
        break;
    case XSW_K_OID_REQUEST:
        oid_request(s, r, ts);
        break;
    case XSW_K_OID_COMPLETE:
        oid_complete(s, r, ts);
        if (r->point == 0)
            lifecycle(s, r, frame, ts);
        break;
    case XSW_K_HANDLER_CALL:
        if (r->u.hc.handler == XSW_H_ReportFilteredNetBufferLists)
            drop(s, r);
        break;
    case XSW_K_VF_FRAME:
        vf_frame(s, r, frame, ts);
        break;
    case XSW_K_VMBUS:
        vmbus(s, r, frame, ts, nv, nv_rc);
        break;
    case XSW_K_META:
        meta(s, r);
        /* A new scenario: objects in flight belong to the one that ended. */
        xan_map_clear(&s->morig);
        break;
    case XSW_K_FILTER_STATE:
        filter_state(s, r, frame, ts);
        break;
    case XSW_K_FINDING:
        finding(s, r);
        break;
    case XSW_K_STATUS:
    case XSW_K_PNP_EVENT:
    case XSW_K_NDIS_CALL:
    case XSW_K_VERDICT:
        break;
    }
}

/* ---- Output -------------------------------------------------------------------------------- */

static const char *oid_label(const struct oid_kind *o, char *buf, size_t len)
{
    const char *n = xsw_oid_name(o->oid);
    char tmp[24];
    if (!n) {
        snprintf(tmp, sizeof tmp, "0x%08x", o->oid);
        n = tmp;
    }
    if (o->inner) {
        const char *in = xsw_oid_name(o->inner);
        if (in)
            snprintf(buf, len, "%s/%s", n, in);
        else
            snprintf(buf, len, "%s/0x%08x", n, o->inner);
    } else {
        snprintf(buf, len, "%s", n);
    }
    return buf;
}

static int cmp_port(const void *a, const void *b)
{
    const struct port_st *x = a, *y = b;
    return x->port < y->port ? -1 : x->port > y->port;
}

static int cmp_nic(const void *a, const void *b)
{
    const struct nic_st *x = *(const struct nic_st *const *)a, *y = *(const struct nic_st *const *)b;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    return x->nic < y->nic ? -1 : x->nic > y->nic;
}

static int cmp_kind(const void *a, const void *b)
{
    const struct oid_kind *x = a, *y = b;
    if (x->oid != y->oid)
        return x->oid < y->oid ? -1 : 1;
    return x->inner < y->inner ? -1 : x->inner > y->inner;
}

/* Sorted views for deterministic output (the tables keep insertion order). */
static struct port_st *sorted_ports(const struct xan_stats *s)
{
    struct port_st *p = malloc((s->nports ? s->nports : 1) * sizeof *p);
    if (!p)
        return NULL;
    if (s->nports)
        memcpy(p, s->ports, s->nports * sizeof *p);
    qsort(p, s->nports, sizeof *p, cmp_port);
    return p;
}

static const struct nic_st **sorted_nics(const struct xan_stats *s)
{
    const struct nic_st **n = malloc((s->nnics ? s->nnics : 1) * sizeof *n);
    if (!n)
        return NULL;
    for (uint32_t i = 0; i < s->nnics; i++)
        n[i] = &s->nics[i];
    qsort(n, s->nnics, sizeof *n, cmp_nic);
    return n;
}

static void print_when(FILE *f, const char *name, const struct when *w, int *first)
{
    if (!w->frame)
        return;
    char ts[40];
    xan_fmt_ts(ts, sizeof ts, w->ts);
    fprintf(f, "%s%s frame %llu (%s)", *first ? "" : ", ", name, (unsigned long long)w->frame, ts);
    *first = 0;
}

static void print_flow(FILE *f, const char *label, const struct flow *x)
{
    fprintf(f, "  %-52s %12llu pkts %15llu bytes\n", label, (unsigned long long)x->pkts,
            (unsigned long long)x->bytes);
}

static double us(uint64_t ns)
{
    return (double)ns / 1000.0;
}

void xan_stats_print(const struct xan_stats *s, FILE *f)
{
    char ts1[40], ts2[40];
    xan_fmt_ts(ts1, sizeof ts1, s->first_ts);
    xan_fmt_ts(ts2, sizeof ts2, s->last_ts);
    fprintf(f, "Records: %llu decoded, frames %llu-%llu, time %s .. %s\n", (unsigned long long)s->records,
            (unsigned long long)s->first_frame, (unsigned long long)s->last_frame, ts1, ts2);
    if (s->scenarios_total) {
        fprintf(f, "Scenario%s:", s->scenarios_total > 1 ? "s" : "");
        for (unsigned i = 0; i < s->nscenarios; i++)
            fprintf(f, " %s", s->scenario[i][0] ? s->scenario[i] : "(unnamed)");
        if (s->scenarios_total > s->nscenarios)
            fprintf(f, " ... (%u in all)", s->scenarios_total);
        fprintf(f, "%s%s, stack depth %u\n", s->xsw_version[0] ? ", xsw " : "", s->xsw_version, s->depth);
    }
    fputs("Records by kind:", f);
    int any = 0;
    for (unsigned k = 1; k <= 16; k++)
        if (s->kinds[k]) {
            fprintf(f, "%s %s %llu", any ? "," : "", xsw_kind_name(k), (unsigned long long)s->kinds[k]);
            any = 1;
        }
    fputs(any ? "\n" : " none\n", f);

    int have_ext = 0;
    for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++)
        if (s->ext[i].name[0] || s->ext[i].cls[0] || s->ext[i].nev)
            have_ext = 1;
    if (have_ext) {
        fputs("\nExtensions\n", f);
        for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++) {
            const struct ext_info *e = &s->ext[i];
            if (!e->name[0] && !e->cls[0] && !e->nev)
                continue;
            fprintf(f, "  ext %u %s (%s):", i, e->name[0] ? e->name : "?", e->cls[0] ? e->cls : "class unknown");
            for (unsigned k = 0; k < e->nev; k++) {
                const char *en = xsw_filter_event_name(e->ev[k].event);
                xan_fmt_ts(ts1, sizeof ts1, e->ev[k].ts);
                fprintf(f, "%s %s frame %llu (%s)", k ? "," : "", en ? en : "?", (unsigned long long)e->ev[k].frame,
                        ts1);
            }
            if (e->ev_dropped)
                fprintf(f, " ... %llu more", (unsigned long long)e->ev_dropped);
            fputc('\n', f);
        }
    }

    if (s->nports) {
        fputs("\nPorts and NICs (lifecycle OIDs completed at the protocol edge)\n", f);
        struct port_st *ps = sorted_ports(s);
        const struct nic_st **ns = sorted_nics(s);
        uint32_t j = 0;
        for (uint32_t i = 0; ps && ns && i < s->nports; i++) {
            const struct port_st *p = &ps[i];
            int first = 1;
            fprintf(f, "  port %u: ", p->port);
            for (int k = 0; k < PS__N; k++)
                if (k != PS_UPDATED)
                    print_when(f, pstate_name[k], &p->st[k], &first);
            if (p->updates)
                fprintf(f, "%supdated x%u (last frame %llu)", first ? "" : ", ", p->updates,
                        (unsigned long long)p->st[PS_UPDATED].frame), first = 0;
            if (first)
                fputs("no lifecycle OID seen", f);
            if (p->cycles > 1)
                fprintf(f, " [%u create cycles, last shown]", p->cycles);
            if (p->failed)
                fprintf(f, " [%u failed]", p->failed);
            fputc('\n', f);
            fprintf(f, "    traffic: synthetic in %llu pkts / %llu B, out %llu / %llu B; VF in %llu / %llu B, out %llu / %llu B",
                    (unsigned long long)p->syn_in.pkts, (unsigned long long)p->syn_in.bytes,
                    (unsigned long long)p->syn_out.pkts, (unsigned long long)p->syn_out.bytes,
                    (unsigned long long)p->vf_in.pkts, (unsigned long long)p->vf_in.bytes,
                    (unsigned long long)p->vf_out.pkts, (unsigned long long)p->vf_out.bytes);
            if (p->orig.pkts)
                fprintf(f, "; originated %llu / %llu B", (unsigned long long)p->orig.pkts,
                        (unsigned long long)p->orig.bytes);
            if (p->dropped)
                fprintf(f, "; dropped %llu", (unsigned long long)p->dropped);
            fputc('\n', f);
            for (; j < s->nnics && ns[j]->port < p->port; j++)
                ;
            for (; j < s->nnics && ns[j]->port == p->port; j++) {
                const struct nic_st *n = ns[j];
                first = 1;
                fprintf(f, "    NIC %u: ", n->nic);
                for (int k = 0; k < NS__N; k++)
                    if (k != NS_UPDATED)
                        print_when(f, nstate_name[k], &n->st[k], &first);
                if (n->updates)
                    fprintf(f, "%supdated x%u (last frame %llu)", first ? "" : ", ", n->updates,
                            (unsigned long long)n->st[NS_UPDATED].frame), first = 0;
                if (first)
                    fputs("no lifecycle OID seen", f);
                if (n->cycles > 1)
                    fprintf(f, " [%u create cycles, last shown]", n->cycles);
                if (n->failed)
                    fprintf(f, " [%u failed]", n->failed);
                if (n->switches)
                    fprintf(f, "; data path %s after %u switch%s, VF %s", n->dp ? "VF" : "synthetic", n->switches,
                            n->switches > 1 ? "es" : "", n->vf_alloc ? "associated" : "not associated");
                fputc('\n', f);
            }
        }
        free(ps);
        free(ns);
        if (s->untracked_ports)
            fprintf(f, "  (ports and NICs beyond %u: %llu records not summarized)\n", XAN_MAX_PORTS,
                    (unsigned long long)s->untracked_ports);
    }

    if (s->nkinds) {
        fputs("\nOID requests (latency from request to completion at the same boundary, us of pcap time)\n", f);
        fprintf(f, "  %-58s %8s %8s %6s %7s %10s %10s %10s\n", "OID", "requests", "complete", "failed", "pending", "min",
                "avg", "max");
        struct oid_kind *k = malloc(s->nkinds * sizeof *k);
        if (k) {
            memcpy(k, s->kinds_t, s->nkinds * sizeof *k);
            qsort(k, s->nkinds, sizeof *k, cmp_kind);
            for (uint32_t i = 0; i < s->nkinds; i++) {
                char lb[128];
                uint64_t pend = k[i].requests > k[i].completions ? k[i].requests - k[i].completions : 0;
                fprintf(f, "  %-58s %8llu %8llu %6llu %7llu", oid_label(&k[i], lb, sizeof lb),
                        (unsigned long long)k[i].requests, (unsigned long long)k[i].completions,
                        (unsigned long long)k[i].failed, (unsigned long long)pend);
                if (k[i].lat_n)
                    fprintf(f, " %10.1f %10.1f %10.1f\n", us(k[i].lat_min), us(k[i].lat_sum) / (double)k[i].lat_n,
                            us(k[i].lat_max));
                else
                    fprintf(f, " %10s %10s %10s\n", "-", "-", "-");
                if (k[i].unmatched)
                    fprintf(f, "    (%llu completions without a request at the same point)\n",
                            (unsigned long long)k[i].unmatched);
            }
            free(k);
        }
        if (s->untracked_oids)
            fprintf(f, "  (%llu requests not tracked: table limits)\n", (unsigned long long)s->untracked_oids);
    }

    fputs("\nPackets and bytes per path (NBLs; bytes = first NET_BUFFER)\n", f);
    print_flow(f, "synthetic ingress (NBL_SEND at the protocol edge)", &s->syn_in);
    print_flow(f, "synthetic egress (NBL_INDICATE at the protocol edge)", &s->syn_out);
    print_flow(f, "VF from the VM (VF_FRAME)", &s->vf_in);
    print_flow(f, "VF to the VM (VF_FRAME)", &s->vf_out);
    print_flow(f, "extension-originated ingress", &s->orig_in);
    print_flow(f, "extension-originated egress", &s->orig_out);

    if (s->drop_calls) {
        fprintf(f, "\nDrops by reason (ReportFilteredNetBufferLists: %llu calls, %llu NBLs)\n",
                (unsigned long long)s->drop_calls, (unsigned long long)s->drop_nbls);
        for (unsigned i = 0; i < s->nreasons; i++) {
            const struct reason *e = &s->reasons[i];
            char who[24];
            if (e->actor < 0)
                snprintf(who, sizeof who, "switch");
            else
                snprintf(who, sizeof who, "ext %d", e->actor);
            fprintf(f, "  %10llu  %-7s %-8s \"%s\"\n", (unsigned long long)e->count, e->incoming ? "ingress" : "egress",
                    who, e->text);
        }
        if (s->other_drops)
            fprintf(f, "  %10llu  (other reasons beyond %d)\n", (unsigned long long)s->other_drops, XAN_MAX_REASONS);
    }

    if (s->gaps_total || s->npending) {
        fputs("\nVF failover (data-path switch to the first frame of the VM NIC on the new path)\n", f);
        for (unsigned i = 0; i < s->ngaps; i++) {
            const struct gap_ev *g = &s->gaps[i];
            xan_fmt_ts(ts1, sizeof ts1, g->switch_ts);
            fprintf(f, "  port %u NIC %u: to %s at frame %llu (%s), first frame on it %llu: %.1f us\n", g->port,
                    g->nic, g->target ? "VF" : "synthetic", (unsigned long long)g->switch_frame, ts1,
                    (unsigned long long)g->first_frame, us(g->gap_ns));
        }
        if (s->gaps_total > s->ngaps)
            fprintf(f, "  ... %llu more\n", (unsigned long long)(s->gaps_total - s->ngaps));
        for (unsigned p = 0; p < 2; p++)
            if (s->gap_all[p].n)
                fprintf(f, "  to %s: %llu switches, gap min %.1f / avg %.1f / max %.1f us\n", p ? "VF" : "synthetic",
                        (unsigned long long)s->gap_all[p].n, us(s->gap_all[p].min),
                        us(s->gap_all[p].sum) / (double)s->gap_all[p].n, us(s->gap_all[p].max));
        for (uint32_t i = 0; i < s->nnics; i++)
            if (s->nics[i].pending)
                fprintf(f, "  port %u NIC %u: switch to %s at frame %llu, no frame on the new path before the end\n",
                        s->nics[i].port, s->nics[i].nic, s->nics[i].pending_dp ? "VF" : "synthetic",
                        (unsigned long long)s->nics[i].pending_frame);
    }
    if (s->vmbus_bad)
        fprintf(f, "\nVMBUS records whose VMBus packet does not decode: %llu\n", (unsigned long long)s->vmbus_bad);

    if (s->nfindings) {
        fputs("\nHarness findings:", f);
        for (unsigned i = 0; i < s->nfindings; i++) {
            const char *fn = xsw_finding_name(s->findings[i].code);
            if (fn)
                fprintf(f, "%s %s %llu", i ? "," : "", fn, (unsigned long long)s->findings[i].count);
            else
                fprintf(f, "%s code %u %llu", i ? "," : "", s->findings[i].code, (unsigned long long)s->findings[i].count);
        }
        fputc('\n', f);
    }
}

static void json_when(FILE *f, const char *name, const struct when *w, int *first)
{
    if (!w->frame)
        return;
    char ts[40];
    xan_fmt_ts(ts, sizeof ts, w->ts);
    fprintf(f, "%s\"%s\": {\"frame\": %llu, \"ts\": \"%s\"}", *first ? "" : ", ", name, (unsigned long long)w->frame,
            ts);
    *first = 0;
}

static void json_flow(FILE *f, const char *name, const struct flow *x, int comma)
{
    fprintf(f, "%s\"%s\": {\"packets\": %llu, \"bytes\": %llu}", comma ? ", " : "", name, (unsigned long long)x->pkts,
            (unsigned long long)x->bytes);
}

void xan_stats_json(const struct xan_stats *s, FILE *f)
{
    char ts1[40], ts2[40];
    xan_fmt_ts(ts1, sizeof ts1, s->first_ts);
    xan_fmt_ts(ts2, sizeof ts2, s->last_ts);
    fprintf(f, "{\"records\": %llu, \"first_frame\": %llu, \"last_frame\": %llu, \"first_ts\": \"%s\", \"last_ts\": \"%s\", ",
            (unsigned long long)s->records, (unsigned long long)s->first_frame, (unsigned long long)s->last_frame, ts1,
            ts2);
    fputs("\"scenarios\": [", f);
    for (unsigned i = 0; i < s->nscenarios; i++) {
        fputs(i ? ", " : "", f);
        xan_json_string(f, s->scenario[i]);
    }
    fprintf(f, "], \"xsw_version\": ");
    xan_json_string(f, s->xsw_version);
    fprintf(f, ", \"depth\": %u, \"kinds\": {", s->depth);
    int first = 1;
    for (unsigned k = 1; k <= 16; k++)
        if (s->kinds[k]) {
            fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", xsw_kind_name(k), (unsigned long long)s->kinds[k]);
            first = 0;
        }
    fputs("},\n     \"extensions\": [", f);
    first = 1;
    for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++) {
        const struct ext_info *e = &s->ext[i];
        if (!e->name[0] && !e->cls[0] && !e->nev)
            continue;
        fprintf(f, "%s{\"index\": %u, \"name\": ", first ? "" : ", ", i);
        xan_json_string(f, e->name);
        fputs(", \"class\": ", f);
        xan_json_string(f, e->cls);
        fputs(", \"events\": [", f);
        for (unsigned k = 0; k < e->nev; k++) {
            const char *en = xsw_filter_event_name(e->ev[k].event);
            xan_fmt_ts(ts1, sizeof ts1, e->ev[k].ts);
            fprintf(f, "%s{\"event\": \"%s\", \"frame\": %llu, \"ts\": \"%s\"}", k ? ", " : "", en ? en : "?",
                    (unsigned long long)e->ev[k].frame, ts1);
        }
        fputs("]}", f);
        first = 0;
    }
    fputs("],\n     \"ports\": [", f);
    struct port_st *ps = sorted_ports(s);
    const struct nic_st **ns = sorted_nics(s);
    uint32_t j = 0;
    for (uint32_t i = 0; ps && ns && i < s->nports; i++) {
        const struct port_st *p = &ps[i];
        fprintf(f, "%s\n      {\"port\": %u, \"states\": {", i ? "," : "", p->port);
        first = 1;
        for (int k = 0; k < PS__N; k++)
            json_when(f, pstate_name[k], &p->st[k], &first);
        fprintf(f, "}, \"updates\": %u, \"cycles\": %u, \"failed\": %u, \"dropped\": %llu, ", p->updates, p->cycles,
                p->failed, (unsigned long long)p->dropped);
        json_flow(f, "synthetic_in", &p->syn_in, 0);
        json_flow(f, "synthetic_out", &p->syn_out, 1);
        json_flow(f, "vf_in", &p->vf_in, 1);
        json_flow(f, "vf_out", &p->vf_out, 1);
        json_flow(f, "originated", &p->orig, 1);
        fputs(", \"nics\": [", f);
        for (; j < s->nnics && ns[j]->port < p->port; j++)
            ;
        int nf = 1;
        for (; j < s->nnics && ns[j]->port == p->port; j++) {
            const struct nic_st *n = ns[j];
            fprintf(f, "%s{\"nic\": %u, \"states\": {", nf ? "" : ", ", n->nic);
            first = 1;
            for (int k = 0; k < NS__N; k++)
                json_when(f, nstate_name[k], &n->st[k], &first);
            fprintf(f, "}, \"updates\": %u, \"cycles\": %u, \"failed\": %u, \"switches\": %u, \"data_path\": \"%s\", "
                       "\"vf_associated\": %s}",
                    n->updates, n->cycles, n->failed, n->switches, n->dp ? "vf" : "synthetic",
                    n->vf_alloc ? "true" : "false");
            nf = 0;
        }
        fputs("]}", f);
    }
    free(ps);
    free(ns);
    fputs("],\n     \"oids\": [", f);
    for (uint32_t i = 0; i < s->nkinds; i++) {
        const struct oid_kind *k = &s->kinds_t[i];
        char lb[128];
        fprintf(f, "%s\n      {\"oid\": ", i ? "," : "");
        xan_json_string(f, oid_label(k, lb, sizeof lb));
        fprintf(f, ", \"value\": %u, \"inner\": %u, \"requests\": %llu, \"completions\": %llu, \"failed\": %llu, "
                   "\"unmatched\": %llu",
                k->oid, k->inner, (unsigned long long)k->requests, (unsigned long long)k->completions,
                (unsigned long long)k->failed, (unsigned long long)k->unmatched);
        if (k->lat_n)
            fprintf(f, ", \"latency_us\": {\"min\": %.3f, \"avg\": %.3f, \"max\": %.3f, \"n\": %llu}", us(k->lat_min),
                    us(k->lat_sum) / (double)k->lat_n, us(k->lat_max), (unsigned long long)k->lat_n);
        fputc('}', f);
    }
    fputs("],\n     \"paths\": {", f);
    json_flow(f, "synthetic_ingress", &s->syn_in, 0);
    json_flow(f, "synthetic_egress", &s->syn_out, 1);
    json_flow(f, "vf_from_vm", &s->vf_in, 1);
    json_flow(f, "vf_to_vm", &s->vf_out, 1);
    json_flow(f, "originated_ingress", &s->orig_in, 1);
    json_flow(f, "originated_egress", &s->orig_out, 1);
    fprintf(f, "},\n     \"drops\": {\"calls\": %llu, \"nbls\": %llu, \"other\": %llu, \"reasons\": [",
            (unsigned long long)s->drop_calls, (unsigned long long)s->drop_nbls, (unsigned long long)s->other_drops);
    for (unsigned i = 0; i < s->nreasons; i++) {
        const struct reason *e = &s->reasons[i];
        fprintf(f, "%s{\"reason\": ", i ? ", " : "");
        xan_json_string(f, e->text);
        fprintf(f, ", \"direction\": \"%s\", \"actor\": %d, \"nbls\": %llu, \"calls\": %llu}",
                e->incoming ? "ingress" : "egress", e->actor, (unsigned long long)e->count,
                (unsigned long long)e->calls);
    }
    fprintf(f, "]},\n     \"vf_failover\": {\"switches_measured\": %llu, \"events\": [", (unsigned long long)s->gaps_total);
    for (unsigned i = 0; i < s->ngaps; i++) {
        const struct gap_ev *g = &s->gaps[i];
        xan_fmt_ts(ts1, sizeof ts1, g->switch_ts);
        fprintf(f, "%s{\"port\": %u, \"nic\": %u, \"to\": \"%s\", \"switch_frame\": %llu, \"switch_ts\": \"%s\", "
                   "\"first_frame\": %llu, \"gap_us\": %.3f}",
                i ? ", " : "", g->port, g->nic, g->target ? "vf" : "synthetic", (unsigned long long)g->switch_frame, ts1,
                (unsigned long long)g->first_frame, us(g->gap_ns));
    }
    fputs("]", f);
    for (unsigned p = 0; p < 2; p++)
        if (s->gap_all[p].n)
            fprintf(f, ", \"to_%s\": {\"n\": %llu, \"min_us\": %.3f, \"avg_us\": %.3f, \"max_us\": %.3f}",
                    p ? "vf" : "synthetic", (unsigned long long)s->gap_all[p].n, us(s->gap_all[p].min),
                    us(s->gap_all[p].sum) / (double)s->gap_all[p].n, us(s->gap_all[p].max));
    fputs("},\n     \"findings\": {", f);
    for (unsigned i = 0; i < s->nfindings; i++) {
        const char *fn = xsw_finding_name(s->findings[i].code);
        if (fn)
            fprintf(f, "%s\"%s\": %llu", i ? ", " : "", fn, (unsigned long long)s->findings[i].count);
        else
            fprintf(f, "%s\"code %u\": %llu", i ? ", " : "", s->findings[i].code,
                    (unsigned long long)s->findings[i].count);
    }
    fputs("}}", f);
}
