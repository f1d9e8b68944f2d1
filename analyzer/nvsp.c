/*
 * nvsp.c - the built-in guest-side NVSP rules (nvsp_rules.def) and the
 * per-device NVSP summary of xsw-analyze.
 *
 * Events come from two places: Linux netvsc tracepoint text (nvtext.c; the
 * events of drivers/net/hyperv/netvsc_trace.h, vmbus-nvsp-rndis.md §4) and
 * the NVSP messages inside VMBUS records of xsw traces (decoded here with
 * bounds-checked accessors, vmbus-nvsp-rndis.md §1.1, §2.5). Each NetVSC
 * device (netdev name, or "port P nic N" for a VM NIC of a trace) gets a
 * small state machine that follows the guest's view of the channel:
 * version negotiation (§2.2, §2.7), buffers, RNDIS start, VF association
 * and data-path switches (§2.9), teardown (§2.10).
 *
 * The stock tracepoints record message types only. Where a rule needs a
 * value they do not carry (allocated of SEND_VF_ASSOCIATION, the target of
 * SWITCH_DATA_PATH, completion statuses) the value comes from, in order: an
 * explicit field on the line (allocated=, serial=, datapath=, status=, as a
 * kprobe event can print them), a later console line of the driver ("VF slot
 * N added|removed", "Data path switched to|from VF"), or alternation (each
 * association / guest switch flips the previous state, which is what Linux
 * does: netvsc_vf_changed only switches when the state changes). Inferred
 * values are marked as such in the summary and in violation messages.
 *
 * Only VMBUS records show the VMBus packet header: the completion-requested
 * flag, the transaction id, and completions with an empty payload. The rules
 * about the host's completion of SWITCH_DATA_PATH and the VF period that
 * starts with it (XSW-NVSP-011, -012) are therefore judged there only and
 * never over tracepoint text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "bytes.h"

/* NVSP and RNDIS values from the shared tables. */
enum {
#define XSW_NVSP_MSG(name, value) XN_##name = value,
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
};
enum {
#define XSW_RNDIS_MSG(name, value) XR_##name = (int64_t)(value),
#include "xsw/defs/rndis_msg.def"
#undef XSW_RNDIS_MSG
};
enum {
#define XSW_NETVSC_CONST(name, value) XC_##name = (int64_t)(value),
#define XSW_NETVSC_CONST64(name, value)
#include "xsw/defs/netvsc_consts.def"
#undef XSW_NETVSC_CONST
#undef XSW_NETVSC_CONST64
};

static const struct {
    uint32_t v;
    const char *full;
} nvsp_names[] = {
#define XSW_NVSP_MSG(name, value) {value, #name},
#include "xsw/defs/nvsp_types.def"
#undef XSW_NVSP_MSG
};
#define N_NVSP_NAMES (sizeof nvsp_names / sizeof nvsp_names[0])

/* The symbolic names netvsc_trace.h prints for RNDIS message types (show_rndis_type). */
static const struct {
    const char *name;
    uint32_t v;
} rndis_names[] = {
    {"PACKET", XR_REMOTE_NDIS_PACKET_MSG},       {"INDICATE", XR_REMOTE_NDIS_INDICATE_STATUS_MSG},
    {"INIT", XR_REMOTE_NDIS_INITIALIZE_MSG},     {"INIT_C", (uint32_t)XR_REMOTE_NDIS_INITIALIZE_CMPLT},
    {"HALT", XR_REMOTE_NDIS_HALT_MSG},           {"QUERY", XR_REMOTE_NDIS_QUERY_MSG},
    {"QUERY_C", (uint32_t)XR_REMOTE_NDIS_QUERY_CMPLT}, {"SET", XR_REMOTE_NDIS_SET_MSG},
    {"SET_C", (uint32_t)XR_REMOTE_NDIS_SET_CMPLT}, {"RESET", XR_REMOTE_NDIS_RESET_MSG},
    {"RESET_C", (uint32_t)XR_REMOTE_NDIS_RESET_CMPLT}, {"KEEPALIVE", XR_REMOTE_NDIS_KEEPALIVE_MSG},
    {"KEEPALIVE_C", (uint32_t)XR_REMOTE_NDIS_KEEPALIVE_CMPLT},
};
#define N_RNDIS_NAMES (sizeof rndis_names / sizeof rndis_names[0])

#define NVSP_STAT_SUCCESS 1   /* vmbus-nvsp-rndis.md §2.4 */
#define DP_SYNTHETIC 0        /* §2.5 SWITCH_DATA_PATH */
#define DP_VF 1

const char *xan_nvsp_short_name(uint32_t type)
{
    for (size_t i = 0; i < N_NVSP_NAMES; i++)
        if (nvsp_names[i].v == type) {
            const char *s = strstr(nvsp_names[i].full, "TYPE_");
            return s ? s + 5 : nvsp_names[i].full;
        }
    return NULL;
}

int xan_nvsp_by_name(const char *s, size_t n, uint32_t *type)
{
    for (size_t i = 0; i < N_NVSP_NAMES; i++) {
        const char *full = nvsp_names[i].full;
        const char *sh = strstr(full, "TYPE_");
        sh = sh ? sh + 5 : full;
        if ((strlen(sh) == n && memcmp(sh, s, n) == 0) || (strlen(full) == n && memcmp(full, s, n) == 0)) {
            *type = nvsp_names[i].v;
            return 0;
        }
    }
    return -1;
}

const char *xan_rndis_short_name(uint32_t type)
{
    for (size_t i = 0; i < N_RNDIS_NAMES; i++)
        if (rndis_names[i].v == type)
            return rndis_names[i].name;
    return NULL;
}

int xan_rndis_by_name(const char *s, size_t n, uint32_t *type)
{
    for (size_t i = 0; i < N_RNDIS_NAMES; i++)
        if (strlen(rndis_names[i].name) == n && memcmp(rndis_names[i].name, s, n) == 0) {
            *type = rndis_names[i].v;
            return 0;
        }
    return -1;
}

/* ---- VMBus packet -> NVSP event ---------------------------------------------------- */

#define VM_PKT_COMP 0xB /* vmbus-nvsp-rndis.md §1.2 */

int xan_nvsp_from_vmbus(const uint8_t *pkt, size_t len, uint8_t dir, struct xan_nv_event *ev)
{
    uint16_t type, offset8, flags;
    uint64_t tid;
    if (xsw_get_u16(pkt, len, 0, &type) || xsw_get_u16(pkt, len, 2, &offset8) ||
        xsw_get_u16(pkt, len, 6, &flags) || xsw_get_u64(pkt, len, 8, &tid))
        return -1;
    size_t off = (size_t)offset8 * 8;
    if (off < 16 || off > len)
        return -1;
    memset(ev, 0, sizeof *ev);
    ev->what = XNV_NVSP;
    ev->dir = dir ? XNV_H2G : XNV_G2H;
    ev->is_comp = type == VM_PKT_COMP;
    ev->has_vmbus = 1;
    ev->comp_requested = (flags & XC_VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) != 0;
    ev->trans_id = tid;
    /* The NVSP message: what follows the descriptor and its type-specific header. */
    const uint8_t *m = pkt + off;
    size_t n = len - off;
    uint32_t t;
    if (xsw_get_u32(m, n, 0, &t)) {
        /*
         * No NVSP message. A completion still answers its request by its
         * transaction id: the host completes SWITCH_DATA_PATH with an empty
         * payload (§2.1; Linux relies on the requestor id alone).
         */
        if (!ev->is_comp)
            return 0;
        ev->what = XNV_VMBUS_COMP;
        return 1;
    }
    ev->type = t;
    uint32_t a = 0, b = 0, c = 0;
    int ha = xsw_get_u32(m, n, 4, &a) == 0;
    int hb = xsw_get_u32(m, n, 8, &b) == 0;
    int hc = xsw_get_u32(m, n, 12, &c) == 0;
    switch (t) {
    case XN_NVSP_MSG_TYPE_INIT:
        ev->version = hb ? b : a;
        break;
    case XN_NVSP_MSG_TYPE_INIT_COMPLETE:
        ev->has_status = hc;
        ev->status = c;
        break;
    case XN_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
    case XN_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
        ev->has_status = ha;
        ev->status = a;
        break;
    case XN_NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
        ev->channel_type = a;
        ev->section = b;
        ev->size = c;
        break;
    case XN_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION:
        ev->has_alloc = ha;
        ev->alloc = a;
        ev->serial = b;
        break;
    case XN_NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
        ev->has_dp = ha && !ev->is_comp;
        ev->dp = a;
        break;
    default:
        break;
    }
    return 1;
}

/* ---- Devices ----------------------------------------------------------------------- */

struct mark {
    uint64_t frame, ts;
};

enum dev_ev_kind { DE_ASSOC, DE_SWITCH, DE_HOST_SWITCH };

struct dev_event {
    uint64_t frame, ts;
    uint8_t kind, inferred;
    uint32_t value, serial;
};

#define NVSP_TYPE_SLOTS 137 /* 0..136 of nvsp_types.def; others counted apart */

struct dev {
    char name[64];
    uint64_t first_frame, last_frame;
    /* negotiation state of the current epoch (an INIT after completion starts a new one) */
    uint8_t init_sent, init_done, init_ok, ver_sent, rbuf_done, sbuf_done, revoked;
    uint8_t vf_alloc, dp;
    uint32_t reported; /* rules already reported in this epoch (once-per-epoch rules) */
    uint32_t init_attempts, init_failed, epochs, version;
    struct mark m_init_first, m_init, m_init_done, m_config, m_ver, m_rbuf, m_sbuf, m_rndis_init, m_rndis_init_c, m_revoke;
    uint64_t nvsp[2][NVSP_TYPE_SLOTS], nvsp_other[2];
    uint64_t rndis[2][N_RNDIS_NAMES], rndis_other[2];
    uint64_t data_pkts, ctrl_pkts, section_bytes;
    uint64_t queue[XAN_MAX_QUEUES], queue_other;
    struct dev_event ev[XAN_MAX_DEV_EVENTS];
    unsigned nev;
    uint64_t ev_dropped;
    int last_assoc, last_switch; /* indices into ev, -1 none */
    /*
     * VMBUS records only (has_vmbus): the guest's SWITCH_DATA_PATH sent with
     * completion requested that the host has not completed yet (XSW-NVSP-011),
     * and whether the data path is the VF as the guest sees it: from the
     * completion of its switch to the VF to its switch back (XSW-NVSP-012).
     */
    uint8_t sdp_pending, sdp_pending_dp, vf_active;
    uint64_t sdp_tid, sdp_frame, vf_frame;
};

struct xan_nvsp {
    const char *unit;
    xan_viol_fn fn;
    void *arg;
    struct dev *dev[XAN_MAX_DEVICES];
    size_t ndev;
    uint64_t untracked;
    size_t last;
    uint64_t evaluated[XNR__N], violated[XNR__N];
    char expected[512], actual[512], object[160];
};

static const struct {
    const char *id;
    enum xsw_level level;
    const char *text, *source;
} rules[XNR__N] = {
#define XAN_NVSP_RULE(e, id, level, text, source) {id, level, text, source},
#include "nvsp_rules.def"
#undef XAN_NVSP_RULE
};

/* Rules reported at every occurrence; the others once per device and negotiation epoch. */
#define EVERY_TIME                                                                                               \
    ((1u << XNR_DP_VF_NEEDS_ASSOC) | (1u << XNR_SYNTH_BEFORE_REMOVE) | (1u << XNR_COMPLETE_NEEDS_INIT) |          \
     (1u << XNR_SWITCH_COMPLETED))

struct xan_nvsp *xan_nvsp_new(const char *unit, xan_viol_fn fn, void *arg)
{
    struct xan_nvsp *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->unit = unit;
    n->fn = fn;
    n->arg = arg;
    return n;
}

void xan_nvsp_free(struct xan_nvsp *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->ndev; i++)
        free(n->dev[i]);
    free(n);
}

size_t xan_nvsp_devices(const struct xan_nvsp *n)
{
    return n->ndev;
}

void xan_nvsp_rule(const struct xan_nvsp *n, unsigned i, struct xan_rule *out)
{
    memset(out, 0, sizeof *out);
    if (i >= XNR__N)
        return;
    out->id = rules[i].id;
    out->level = rules[i].level;
    out->text = rules[i].text;
    out->source = rules[i].source;
    out->where = "built-in (analyzer/nvsp_rules.def)";
    /* Without an instance only the rule itself (xsw-suite registers the rules in its spec). */
    out->evaluated = n ? n->evaluated[i] : 0;
    out->violated = n ? n->violated[i] : 0;
}

static struct dev *dev_get(struct xan_nvsp *n, const char *name, uint64_t frame)
{
    if (n->last < n->ndev && strcmp(n->dev[n->last]->name, name) == 0)
        return n->dev[n->last];
    for (size_t i = 0; i < n->ndev; i++)
        if (strcmp(n->dev[i]->name, name) == 0) {
            n->last = i;
            return n->dev[i];
        }
    if (n->ndev == XAN_MAX_DEVICES) {
        n->untracked++;
        return NULL;
    }
    struct dev *d = calloc(1, sizeof *d);
    if (!d) {
        n->untracked++;
        return NULL;
    }
    snprintf(d->name, sizeof d->name, "%s", name);
    d->first_frame = frame;
    d->last_assoc = d->last_switch = -1;
    n->last = n->ndev;
    n->dev[n->ndev++] = d;
    return d;
}

static void new_epoch(struct dev *d)
{
    d->init_sent = d->init_done = d->init_ok = d->ver_sent = 0;
    d->rbuf_done = d->sbuf_done = d->revoked = 0;
    /* A renegotiated channel starts on the synthetic path without a VF (Linux netvsc_resume). */
    d->vf_alloc = 0;
    d->dp = DP_SYNTHETIC;
    d->vf_active = 0;
    d->reported = 0;
    d->epochs++;
}

static const char *type_name(uint32_t t, char *buf, size_t len)
{
    const char *s = xan_nvsp_short_name(t);
    if (s)
        return s;
    snprintf(buf, len, "0x%x", t);
    return buf;
}

/*
 * Evaluate rule "r" for device "d" at event "ev": "ok" is the condition,
 * "expected" its text; "fmt" builds the actual values. Reports through the
 * callback when it does not hold (once per epoch unless EVERY_TIME).
 */
#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static void judge(struct xan_nvsp *n, struct dev *d, const struct xan_nv_event *ev, unsigned r, int ok,
                  const char *expected, const char *fmt, ...)
{
    n->evaluated[r]++;
    if (ok)
        return;
    if (!(EVERY_TIME & (1u << r))) {
        if (d->reported & (1u << r))
            return;
        d->reported |= 1u << r;
    }
    n->violated[r]++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->actual, sizeof n->actual, fmt, ap);
    va_end(ap);
    snprintf(n->expected, sizeof n->expected, "%s", expected);
    char tb[16];
    snprintf(n->object, sizeof n->object, "device %s, %s %s", d->name,
             ev->what == XNV_RNDIS ? "RNDIS" : ev->dir == XNV_G2H ? "guest sent" : "host sent",
             ev->what == XNV_RNDIS ? (xan_rndis_short_name(ev->type) ? xan_rndis_short_name(ev->type) : "message")
             : ev->what == XNV_SEND_PKT ? "SEND_RNDIS_PKT"
                                        : type_name(ev->type, tb, sizeof tb));
    struct xan_viol v;
    memset(&v, 0, sizeof v);
    v.rule = rules[r].id;
    v.level = rules[r].level;
    v.text = rules[r].text;
    v.source = rules[r].source;
    v.where = "built-in (analyzer/nvsp_rules.def)";
    v.frame = ev->frame;
    v.ext = -1;
    v.ext_class = "guest";
    v.expected = n->expected;
    v.actual = n->actual;
    v.object = n->object;
    if (d->m_init.frame && r != XNR_INIT_FIRST)
        v.rel[v.nrel++] = (struct xsw_frame_ref){"last INIT", d->m_init.frame};
    if (r == XNR_DP_VF_NEEDS_ASSOC && d->last_assoc >= 0)
        v.rel[v.nrel++] = (struct xsw_frame_ref){"last VF association", d->ev[d->last_assoc].frame};
    if (r == XNR_SWITCH_COMPLETED && d->sdp_pending)
        v.rel[v.nrel++] = (struct xsw_frame_ref){"unanswered SWITCH_DATA_PATH", d->sdp_frame};
    if (r == XNR_NO_SYNTH_DATA_ON_VF && d->vf_active)
        v.rel[v.nrel++] = (struct xsw_frame_ref){"switch to the VF completed", d->vf_frame};
    if (n->fn)
        n->fn(n->arg, &v);
}

static int dev_event(struct dev *d, const struct xan_nv_event *ev, enum dev_ev_kind k, uint32_t value,
                     int inferred)
{
    if (d->nev == XAN_MAX_DEV_EVENTS) {
        d->ev_dropped++;
        return -1;
    }
    struct dev_event *e = &d->ev[d->nev];
    e->frame = ev->frame;
    e->ts = ev->ts_ns;
    e->kind = (uint8_t)k;
    e->value = value;
    e->serial = ev->serial;
    e->inferred = (uint8_t)inferred;
    return (int)d->nev++;
}

static void mark(struct mark *m, const struct xan_nv_event *ev)
{
    if (!m->frame) {
        m->frame = ev->frame;
        m->ts = ev->ts_ns;
    }
}

/*
 * The guest sent SWITCH_DATA_PATH to "dp" in a VMBUS record: a switch still
 * waiting for its completion was never completed (XSW-NVSP-011); a switch
 * back to the synthetic path ends the VF period at once (the guest stops
 * using the VF before it asks, §2.9 removal step 1); a switch requesting a
 * completion waits for it. A switch sent without completion requested (Linux
 * before 2021, older DPDK, §2.9) is not judged and does not start a VF period:
 * nothing on the wire says when the host acted on it.
 */
static void guest_switch_sent(struct xan_nvsp *n, struct dev *d, const struct xan_nv_event *ev, uint32_t dp)
{
    if (d->sdp_pending)
        judge(n, d, ev, XNR_SWITCH_COMPLETED, 0,
              "a VMBus completion with the transaction id of the previous SWITCH_DATA_PATH before this one",
              "SWITCH_DATA_PATH (trans_id 0x%llx) was not completed before the next SWITCH_DATA_PATH",
              (unsigned long long)d->sdp_tid);
    d->sdp_pending = 0;
    if (dp == DP_SYNTHETIC)
        d->vf_active = 0;
    if (ev->comp_requested) {
        d->sdp_pending = 1;
        d->sdp_pending_dp = (uint8_t)dp;
        d->sdp_tid = ev->trans_id;
        d->sdp_frame = ev->frame;
    }
}

/*
 * A VMBus completion packet from the host (with an NVSP message or an empty
 * payload): when it echoes the transaction id of the pending guest
 * SWITCH_DATA_PATH it completes it, and a switch to the VF makes the data
 * path the VF from here on.
 */
static void host_completion(struct xan_nvsp *n, struct dev *d, const struct xan_nv_event *ev)
{
    if (!d->sdp_pending || ev->trans_id != d->sdp_tid)
        return;
    n->evaluated[XNR_SWITCH_COMPLETED]++;
    d->sdp_pending = 0;
    if (d->sdp_pending_dp == DP_VF && !d->vf_active) {
        d->vf_active = 1;
        d->vf_frame = ev->frame;
        /* XSW-NVSP-012 is reported once per VF period. */
        d->reported &= ~(1u << XNR_NO_SYNTH_DATA_ON_VF);
    }
}

static void guest_nvsp(struct xan_nvsp *n, struct dev *d, const struct xan_nv_event *ev, uint32_t t)
{
    char tb[16];
    if (t == XN_NVSP_MSG_TYPE_INIT) {
        if (d->init_done || d->revoked)
            new_epoch(d);
        d->init_attempts++;
        d->init_sent = 1;
        mark(&d->m_init_first, ev);
        d->m_init.frame = ev->frame;
        d->m_init.ts = ev->ts_ns;
        if (ev->version)
            d->version = ev->version;
        return;
    }
    judge(n, d, ev, XNR_INIT_FIRST, d->init_sent, "an INIT was sent before",
          "%s is the first guest message: no INIT before it", type_name(t, tb, sizeof tb));
    switch (t) {
    case XN_NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
    case XN_NVSP_MSG1_TYPE_SEND_NDIS_VER:
        judge(n, d, ev, XNR_CONFIG_AFTER_INIT, d->init_done && d->init_ok,
              "INIT_COMPLETE with NVSP_STAT_SUCCESS received before",
              d->init_done ? "%s after INIT_COMPLETE with a failure status" : "%s before INIT_COMPLETE",
              type_name(t, tb, sizeof tb));
        if (t == XN_NVSP_MSG1_TYPE_SEND_NDIS_VER) {
            d->ver_sent = 1;
            mark(&d->m_ver, ev);
        } else {
            mark(&d->m_config, ev);
        }
        break;
    case XN_NVSP_MSG1_TYPE_SEND_RECV_BUF:
        judge(n, d, ev, XNR_VER_BEFORE_BUFFERS, d->ver_sent, "SEND_NDIS_VER sent before",
              "SEND_RECV_BUF before any SEND_NDIS_VER");
        break;
    case XN_NVSP_MSG1_TYPE_SEND_SEND_BUF:
        judge(n, d, ev, XNR_SENDBUF_AFTER_RECVBUF, d->rbuf_done, "SEND_RECV_BUF_COMPLETE received before",
              "SEND_SEND_BUF before the receive buffer was completed");
        break;
    case XN_NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
        judge(n, d, ev, XNR_RNDIS_AFTER_BUFFERS, d->rbuf_done, "SEND_RECV_BUF_COMPLETE received before",
              "SEND_RNDIS_PKT (%s) before the receive buffer was established",
              ev->channel_type ? "control" : "data");
        judge(n, d, ev, XNR_NO_DATA_AFTER_REVOKE, !d->revoked, "no REVOKE_RECV_BUF / REVOKE_SEND_BUF before",
              "SEND_RNDIS_PKT after the buffers were revoked");
        if (ev->has_vmbus && d->vf_active)
            judge(n, d, ev, XNR_NO_SYNTH_DATA_ON_VF, ev->channel_type != XC_NVSP_CHANNEL_TYPE_DATA,
                  "data frames on the VF; on the synthetic path only RNDIS control messages (channel_type 1)",
                  "SEND_RNDIS_PKT with channel_type %u (RNDIS PACKET_MSG) while the data path is the VF",
                  ev->channel_type);
        if (ev->channel_type)
            d->ctrl_pkts++;
        else
            d->data_pkts++;
        if (ev->section != 0xFFFFFFFFu)
            d->section_bytes += ev->size;
        if (ev->qid < XAN_MAX_QUEUES)
            d->queue[ev->qid]++;
        else
            d->queue_other++;
        break;
    case XN_NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
    case XN_NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
        d->revoked = 1;
        mark(&d->m_revoke, ev);
        break;
    case XN_NVSP_MSG4_TYPE_SWITCH_DATA_PATH: {
        /* The guest completing a switch the host made (§2.9) is not a switch of its own: the
         * host's message already set the data path (host_nvsp). */
        if (ev->is_comp)
            break;
        int inferred = !ev->has_dp;
        uint32_t dp = ev->has_dp ? (ev->dp ? DP_VF : DP_SYNTHETIC) : (d->dp == DP_VF ? DP_SYNTHETIC : DP_VF);
        if (dp == DP_VF)
            judge(n, d, ev, XNR_DP_VF_NEEDS_ASSOC, d->vf_alloc == 1,
                  "the last SEND_VF_ASSOCIATION said allocated=1",
                  "SWITCH_DATA_PATH to NVSP_DATAPATH_VF%s while %s", inferred ? " (inferred by alternation)" : "",
                  d->last_assoc < 0 ? "no SEND_VF_ASSOCIATION was received"
                                    : "the last SEND_VF_ASSOCIATION said allocated=0");
        d->dp = (uint8_t)dp;
        d->last_switch = dev_event(d, ev, DE_SWITCH, dp, inferred);
        if (ev->has_vmbus && !ev->is_comp)
            guest_switch_sent(n, d, ev, dp);
        break;
    }
    default:
        break;
    }
}

static void host_nvsp(struct xan_nvsp *n, struct dev *d, const struct xan_nv_event *ev, uint32_t t)
{
    int ok = !ev->has_status || ev->status == NVSP_STAT_SUCCESS;
    switch (t) {
    case XN_NVSP_MSG_TYPE_INIT_COMPLETE:
        judge(n, d, ev, XNR_COMPLETE_NEEDS_INIT, d->init_sent && !d->init_done,
              "an INIT from the guest waits for its completion",
              d->init_sent ? "INIT_COMPLETE after the INIT was already completed" : "INIT_COMPLETE without any INIT");
        if (ok) {
            d->init_done = 1;
            d->init_ok = 1;
            d->m_init_done.frame = ev->frame;
            d->m_init_done.ts = ev->ts_ns;
        } else {
            /* A failed negotiation: the guest tries the next lower version (§2.2). */
            d->init_failed++;
            d->init_sent = 1;
        }
        break;
    case XN_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
        if (ok) {
            d->rbuf_done = 1;
            mark(&d->m_rbuf, ev);
        }
        break;
    case XN_NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
        if (ok) {
            d->sbuf_done = 1;
            mark(&d->m_sbuf, ev);
        }
        break;
    case XN_NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION: {
        int inferred = !ev->has_alloc;
        uint32_t alloc = ev->has_alloc ? (ev->alloc ? 1u : 0u) : (d->vf_alloc ? 0u : 1u);
        if (!alloc)
            judge(n, d, ev, XNR_SYNTH_BEFORE_REMOVE, d->dp == DP_SYNTHETIC,
                  "the data path was switched back to NVSP_DATAPATH_SYNTHETIC before",
                  "SEND_VF_ASSOCIATION allocated=0%s while the data path is still on the VF",
                  inferred ? " (inferred by alternation)" : "");
        d->vf_alloc = (uint8_t)alloc;
        d->last_assoc = dev_event(d, ev, DE_ASSOC, alloc, inferred);
        break;
    }
    case XN_NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
        /*
         * A host-initiated switch (OpenVMM removal, §2.9 step 4) is an in-band
         * message with a value; in text the same type may also be the host's
         * completion of the guest's own switch, which changes nothing.
         */
        if (ev->has_dp && !ev->is_comp) {
            d->dp = ev->dp ? DP_VF : DP_SYNTHETIC;
            dev_event(d, ev, DE_HOST_SWITCH, d->dp, 0);
            if (d->dp == DP_SYNTHETIC)
                d->vf_active = 0;
        }
        break;
    default:
        break;
    }
}

static void count_nvsp(struct dev *d, unsigned dir, uint32_t t)
{
    if (t < NVSP_TYPE_SLOTS)
        d->nvsp[dir][t]++;
    else
        d->nvsp_other[dir]++;
}

void xan_nvsp_feed(struct xan_nvsp *n, const struct xan_nv_event *ev)
{
    struct dev *d = dev_get(n, ev->dev, ev->frame);
    if (!d)
        return;
    d->last_frame = ev->frame;
    unsigned dir = ev->dir == XNV_H2G;
    if (ev->has_vmbus && ev->is_comp && dir == 1)
        host_completion(n, d, ev);
    switch (ev->what) {
    case XNV_VMBUS_COMP:
        break; /* no NVSP message: only its transaction id counts (above) */
    case XNV_NVSP:
    case XNV_SEND_PKT: {
        uint32_t t = ev->what == XNV_SEND_PKT ? (uint32_t)XN_NVSP_MSG1_TYPE_SEND_RNDIS_PKT : ev->type;
        count_nvsp(d, dir, t);
        if (dir == 0)
            guest_nvsp(n, d, ev, t);
        else
            host_nvsp(n, d, ev, t);
        break;
    }
    case XNV_RNDIS: {
        size_t i;
        for (i = 0; i < N_RNDIS_NAMES && rndis_names[i].v != ev->type; i++)
            ;
        if (i < N_RNDIS_NAMES)
            d->rndis[dir][i]++;
        else
            d->rndis_other[dir]++;
        if (ev->type == XR_REMOTE_NDIS_INITIALIZE_MSG && dir == 0)
            mark(&d->m_rndis_init, ev);
        if (ev->type == (uint32_t)XR_REMOTE_NDIS_INITIALIZE_CMPLT && dir == 1)
            mark(&d->m_rndis_init_c, ev);
        if (dir == 0) {
            judge(n, d, ev, XNR_INIT_FIRST, d->init_sent, "an INIT was sent before",
                  "RNDIS %s is the first guest message: no INIT before it",
                  xan_rndis_short_name(ev->type) ? xan_rndis_short_name(ev->type) : "message");
            judge(n, d, ev, XNR_RNDIS_AFTER_BUFFERS, d->rbuf_done, "SEND_RECV_BUF_COMPLETE received before",
                  "RNDIS %s before the receive buffer was established",
                  xan_rndis_short_name(ev->type) ? xan_rndis_short_name(ev->type) : "message");
            judge(n, d, ev, XNR_NO_DATA_AFTER_REVOKE, !d->revoked, "no REVOKE_RECV_BUF / REVOKE_SEND_BUF before",
                  "RNDIS %s after the buffers were revoked",
                  xan_rndis_short_name(ev->type) ? xan_rndis_short_name(ev->type) : "message");
        }
        break;
    }
    case XNV_VF_SLOT:
        d->vf_alloc = ev->alloc ? 1 : 0;
        if (d->last_assoc >= 0) {
            struct dev_event *e = &d->ev[d->last_assoc];
            e->value = d->vf_alloc;
            e->serial = ev->serial;
            e->inferred = 0;
        }
        break;
    case XNV_DP_SWITCHED:
        d->dp = ev->dp ? DP_VF : DP_SYNTHETIC;
        if (d->last_switch >= 0) {
            struct dev_event *e = &d->ev[d->last_switch];
            e->value = d->dp;
            e->inferred = 0;
        }
        break;
    }
}

/* Report rule "r" for device "d" at the end of the input ("last"), with one related frame. */
static void at_end(struct xan_nvsp *n, const struct dev *d, unsigned r, uint64_t last, const char *rel,
                   uint64_t rel_frame)
{
    n->violated[r]++;
    snprintf(n->object, sizeof n->object, "device %s", d->name);
    struct xan_viol v;
    memset(&v, 0, sizeof v);
    v.rule = rules[r].id;
    v.level = rules[r].level;
    v.text = rules[r].text;
    v.source = rules[r].source;
    v.where = "built-in (analyzer/nvsp_rules.def)";
    v.frame = last;
    v.at_end = 1;
    v.ext = -1;
    v.ext_class = "guest";
    v.expected = n->expected;
    v.actual = n->actual;
    v.object = n->object;
    v.rel[v.nrel++] = (struct xsw_frame_ref){rel, rel_frame};
    if (n->fn)
        n->fn(n->arg, &v);
}

void xan_nvsp_finish(struct xan_nvsp *n, uint64_t last)
{
    for (size_t i = 0; i < n->ndev; i++) {
        struct dev *d = n->dev[i];
        if (d->sdp_pending) {
            n->evaluated[XNR_SWITCH_COMPLETED]++;
            snprintf(n->expected, sizeof n->expected,
                     "a VMBus completion with the transaction id of the last SWITCH_DATA_PATH");
            snprintf(n->actual, sizeof n->actual,
                     "SWITCH_DATA_PATH to %s (trans_id 0x%llx) not completed when the trace ends",
                     d->sdp_pending_dp == DP_VF ? "NVSP_DATAPATH_VF" : "NVSP_DATAPATH_SYNTHETIC",
                     (unsigned long long)d->sdp_tid);
            at_end(n, d, XNR_SWITCH_COMPLETED, last, "unanswered SWITCH_DATA_PATH", d->sdp_frame);
        }
        if (!d->init_sent)
            continue;
        n->evaluated[XNR_INIT_ANSWERED]++;
        if (d->init_done)
            continue;
        snprintf(n->expected, sizeof n->expected, "INIT_COMPLETE received for the last INIT");
        snprintf(n->actual, sizeof n->actual, "%u INIT sent (%u failed), no successful INIT_COMPLETE",
                 d->init_attempts, d->init_failed);
        at_end(n, d, XNR_INIT_ANSWERED, last, "last INIT", d->m_init.frame);
    }
}

/* ---- Output ---------------------------------------------------------------------------- */

static void put_mark(FILE *f, const char *unit, const char *what, const struct mark *m, int *first)
{
    if (!m->frame)
        return;
    char ts[40];
    xan_fmt_ts(ts, sizeof ts, m->ts);
    fprintf(f, "%s%s %s %llu (%s)", *first ? "" : ", ", what, unit, (unsigned long long)m->frame, ts);
    *first = 0;
}

static const char *ev_text(const struct dev_event *e, char *buf, size_t len)
{
    switch ((enum dev_ev_kind)e->kind) {
    case DE_ASSOC:
        snprintf(buf, len, "VF association allocated=%u%s%s", e->value, e->value ? "" : " (VF removed)",
                 e->inferred ? " (inferred)" : "");
        if (e->serial && !e->inferred)
            snprintf(buf + strlen(buf), len - strlen(buf), " serial=%u", e->serial);
        break;
    case DE_SWITCH:
        snprintf(buf, len, "data path -> %s by the guest%s", e->value == DP_VF ? "VF" : "synthetic",
                 e->inferred ? " (inferred)" : "");
        break;
    case DE_HOST_SWITCH:
        snprintf(buf, len, "data path -> %s by the host", e->value == DP_VF ? "VF" : "synthetic");
        break;
    }
    return buf;
}

static void put_counts(FILE *f, const char *label, const struct dev *d, unsigned dir)
{
    int any = 0;
    char tb[16];
    for (unsigned t = 0; t < NVSP_TYPE_SLOTS; t++)
        if (d->nvsp[dir][t]) {
            fprintf(f, "%s%s %llu", any ? ", " : label, type_name(t, tb, sizeof tb),
                    (unsigned long long)d->nvsp[dir][t]);
            any = 1;
        }
    if (d->nvsp_other[dir]) {
        fprintf(f, "%sother %llu", any ? ", " : label, (unsigned long long)d->nvsp_other[dir]);
        any = 1;
    }
    for (size_t i = 0; i < N_RNDIS_NAMES; i++)
        if (d->rndis[dir][i]) {
            fprintf(f, "%sRNDIS %s %llu", any ? ", " : label, rndis_names[i].name,
                    (unsigned long long)d->rndis[dir][i]);
            any = 1;
        }
    if (d->rndis_other[dir]) {
        fprintf(f, "%sRNDIS other %llu", any ? ", " : label, (unsigned long long)d->rndis_other[dir]);
        any = 1;
    }
    if (any)
        fputc('\n', f);
}

void xan_nvsp_print(const struct xan_nvsp *n, FILE *f)
{
    for (size_t i = 0; i < n->ndev; i++) {
        const struct dev *d = n->dev[i];
        fprintf(f, "NetVSC device %s (%ss %llu-%llu)\n", d->name, n->unit, (unsigned long long)d->first_frame,
                (unsigned long long)d->last_frame);
        fprintf(f, "  negotiation: INIT x%u", d->init_attempts);
        if (d->init_failed)
            fprintf(f, " (%u failed)", d->init_failed);
        if (d->version)
            fprintf(f, ", NVSP version 0x%08x", d->version);
        if (d->epochs > 1)
            fprintf(f, ", %u negotiations", d->epochs);
        fputc('\n', f);
        int first = 1;
        fputs("  milestones: ", f);
        put_mark(f, n->unit, "INIT", &d->m_init_first, &first);
        if (d->m_init.frame != d->m_init_first.frame)
            put_mark(f, n->unit, "last INIT", &d->m_init, &first);
        put_mark(f, n->unit, "INIT_COMPLETE", &d->m_init_done, &first);
        put_mark(f, n->unit, "SEND_NDIS_CONFIG", &d->m_config, &first);
        put_mark(f, n->unit, "SEND_NDIS_VER", &d->m_ver, &first);
        put_mark(f, n->unit, "SEND_RECV_BUF_COMPLETE", &d->m_rbuf, &first);
        put_mark(f, n->unit, "SEND_SEND_BUF_COMPLETE", &d->m_sbuf, &first);
        put_mark(f, n->unit, "RNDIS INIT", &d->m_rndis_init, &first);
        put_mark(f, n->unit, "RNDIS INIT_C", &d->m_rndis_init_c, &first);
        put_mark(f, n->unit, "REVOKE", &d->m_revoke, &first);
        fputs(first ? "none\n" : "\n", f);
        put_counts(f, "  guest sent: ", d, 0);
        put_counts(f, "  host sent: ", d, 1);
        if (d->data_pkts || d->ctrl_pkts) {
            fprintf(f, "  SEND_RNDIS_PKT: data %llu, control %llu, send-buffer bytes %llu; queues:",
                    (unsigned long long)d->data_pkts, (unsigned long long)d->ctrl_pkts,
                    (unsigned long long)d->section_bytes);
            for (unsigned q = 0; q < XAN_MAX_QUEUES; q++)
                if (d->queue[q])
                    fprintf(f, " q%u=%llu", q, (unsigned long long)d->queue[q]);
            if (d->queue_other)
                fprintf(f, " other=%llu", (unsigned long long)d->queue_other);
            fputc('\n', f);
        }
        if (d->nev) {
            fputs("  VF and data path:\n", f);
            for (unsigned k = 0; k < d->nev; k++) {
                char ts[40], tx[128];
                xan_fmt_ts(ts, sizeof ts, d->ev[k].ts);
                fprintf(f, "    %s %llu (%s): %s\n", n->unit, (unsigned long long)d->ev[k].frame, ts,
                        ev_text(&d->ev[k], tx, sizeof tx));
            }
            if (d->ev_dropped)
                fprintf(f, "    ... %llu more not listed\n", (unsigned long long)d->ev_dropped);
        }
    }
    if (n->untracked)
        fprintf(f, "NetVSC devices beyond %d not followed: %llu events\n", XAN_MAX_DEVICES,
                (unsigned long long)n->untracked);
}

static void json_mark(FILE *f, const char *name, const struct mark *m, int *first)
{
    if (!m->frame)
        return;
    char ts[40];
    xan_fmt_ts(ts, sizeof ts, m->ts);
    fprintf(f, "%s\"%s\": {\"frame\": %llu, \"ts\": \"%s\"}", *first ? "" : ", ", name,
            (unsigned long long)m->frame, ts);
    *first = 0;
}

static void json_counts(FILE *f, const struct dev *d, unsigned dir)
{
    int first = 1;
    char tb[16];
    fputc('{', f);
    for (unsigned t = 0; t < NVSP_TYPE_SLOTS; t++)
        if (d->nvsp[dir][t]) {
            fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", type_name(t, tb, sizeof tb),
                    (unsigned long long)d->nvsp[dir][t]);
            first = 0;
        }
    if (d->nvsp_other[dir]) {
        fprintf(f, "%s\"other\": %llu", first ? "" : ", ", (unsigned long long)d->nvsp_other[dir]);
        first = 0;
    }
    fputs("}, \"rndis\": {", f);
    first = 1;
    for (size_t i = 0; i < N_RNDIS_NAMES; i++)
        if (d->rndis[dir][i]) {
            fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", rndis_names[i].name, (unsigned long long)d->rndis[dir][i]);
            first = 0;
        }
    if (d->rndis_other[dir])
        fprintf(f, "%s\"other\": %llu", first ? "" : ", ", (unsigned long long)d->rndis_other[dir]);
    fputc('}', f);
}

void xan_nvsp_json(const struct xan_nvsp *n, FILE *f)
{
    fputc('[', f);
    for (size_t i = 0; i < n->ndev; i++) {
        const struct dev *d = n->dev[i];
        fprintf(f, "%s\n      {\"device\": ", i ? "," : "");
        xan_json_string(f, d->name);
        fprintf(f, ", \"first\": %llu, \"last\": %llu, \"init_attempts\": %u, \"init_failed\": %u, \"version\": %u, "
                   "\"negotiations\": %u, \"milestones\": {",
                (unsigned long long)d->first_frame, (unsigned long long)d->last_frame, d->init_attempts,
                d->init_failed, d->version, d->epochs);
        int first = 1;
        json_mark(f, "INIT", &d->m_init_first, &first);
        json_mark(f, "last_INIT", &d->m_init, &first);
        json_mark(f, "INIT_COMPLETE", &d->m_init_done, &first);
        json_mark(f, "SEND_NDIS_CONFIG", &d->m_config, &first);
        json_mark(f, "SEND_NDIS_VER", &d->m_ver, &first);
        json_mark(f, "SEND_RECV_BUF_COMPLETE", &d->m_rbuf, &first);
        json_mark(f, "SEND_SEND_BUF_COMPLETE", &d->m_sbuf, &first);
        json_mark(f, "RNDIS_INIT", &d->m_rndis_init, &first);
        json_mark(f, "RNDIS_INIT_C", &d->m_rndis_init_c, &first);
        json_mark(f, "REVOKE", &d->m_revoke, &first);
        fputs("}, \"guest_sent\": {\"nvsp\": ", f);
        json_counts(f, d, 0);
        fputs("}, \"host_sent\": {\"nvsp\": ", f);
        json_counts(f, d, 1);
        fprintf(f, "}, \"data_packets\": %llu, \"control_packets\": %llu, \"send_buffer_bytes\": %llu, \"queues\": {",
                (unsigned long long)d->data_pkts, (unsigned long long)d->ctrl_pkts,
                (unsigned long long)d->section_bytes);
        first = 1;
        for (unsigned q = 0; q < XAN_MAX_QUEUES; q++)
            if (d->queue[q]) {
                fprintf(f, "%s\"%u\": %llu", first ? "" : ", ", q, (unsigned long long)d->queue[q]);
                first = 0;
            }
        fputs("}, \"events\": [", f);
        for (unsigned k = 0; k < d->nev; k++) {
            const struct dev_event *e = &d->ev[k];
            char ts[40];
            xan_fmt_ts(ts, sizeof ts, e->ts);
            fprintf(f, "%s{\"frame\": %llu, \"ts\": \"%s\", \"event\": \"%s\", \"value\": %u, \"inferred\": %s}",
                    k ? ", " : "", (unsigned long long)e->frame, ts,
                    e->kind == DE_ASSOC ? "vf_association" : e->kind == DE_SWITCH ? "guest_switch" : "host_switch",
                    e->value, e->inferred ? "true" : "false");
        }
        fputs("]}", f);
    }
    fputs(n->ndev ? "\n    ]" : "]", f);
}
