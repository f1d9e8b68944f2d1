/*
 * mkfixtures.c - writes the dissector fixture traces with the libxsw writer.
 *
 *   mkfixtures OUTDIR     writes OUTDIR/records.pcap and OUTDIR/netvsc.pcap
 *
 * records.pcap holds every xsw record kind with realistic information
 * buffers: switch parameters, a port create with names passed down a
 * two-extension stack by clones, NIC create/connect (revision 2), port and
 * NIC arrays, save/restore state, a NIC request wrapping ALLOCATE_VF, port
 * and switch properties (VLAN, security, custom), enumerations, feature
 * status, NBLs with destinations and an Ethernet/IPv4/UDP frame, handler
 * calls, status and PnP indications, findings and verdicts that judge
 * earlier frames.
 *
 * netvsc.pcap holds VMBus packets of a NetVSC channel covering every NVSP
 * message type of nvsp_types.def and every RNDIS message type of
 * rndis_msg.def, with the RNDIS bytes as shared-buffer bytes mapped as
 * dissectors/README.md describes (send-buffer section, transfer-page
 * ranges, GPA-direct ranges); several RNDIS messages share one buffer.
 *
 * Output is deterministic (virtual timestamps, fixed ids): the dissector
 * test compares a fresh run byte for byte with fixtures/dissector/.
 * Layouts: extensible-switch.md §3 and vmbus-nvsp-rndis.md §1-3.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/trace.h"

#define DEPTH 2 /* ext 0 = capture, ext 1 = forward */
#define SWITCH XSW_ACTOR_SWITCH

static struct xsw_trace_writer *W;
static const char *out_path;

/* ---- Byte helpers: structures are built at their documented offsets. ------- */

static void put8(uint8_t *b, size_t off, uint8_t v)
{
    b[off] = v;
}

static void put16(uint8_t *b, size_t off, uint16_t v)
{
    b[off] = (uint8_t)v;
    b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* NDIS_OBJECT_HEADER {Type, Revision, Size}. */
static void obj_hdr(uint8_t *b, size_t off, uint8_t type, uint8_t rev, uint16_t size)
{
    put8(b, off, type);
    put8(b, off + 1, rev);
    put16(b, off + 2, size);
}

/* IF_COUNTED_STRING: u16 byte length, then the UTF-16LE text (ASCII here). */
static void counted(uint8_t *b, size_t off, const char *s)
{
    size_t n = strlen(s);
    put16(b, off, (uint16_t)(2 * n));
    for (size_t i = 0; i < n; i++)
        put16(b, off + 2 + 2 * i, (uint16_t)(unsigned char)s[i]);
}

/* A GUID in its little-endian memory layout, derived from one seed byte. */
static void guid(uint8_t *b, size_t off, uint8_t seed)
{
    put32(b, off, 0x5857530u + seed);
    put16(b, off + 4, 0x1000u + seed);
    put16(b, off + 6, 0x4000u + seed);
    for (int i = 0; i < 8; i++)
        b[off + 8 + (size_t)i] = (uint8_t)(seed * 16 + i);
}

static void mac(uint8_t *b, size_t off, uint8_t last)
{
    static const uint8_t oui[5] = { 0x00, 0x15, 0x5d, 0x00, 0x00 };
    memcpy(b + off, oui, sizeof oui);
    b[off + 5] = last;
}

static void die(const char *what, long long rc)
{
    fprintf(stderr, "mkfixtures: %s: %s failed (%lld)\n", out_path, what, rc);
    exit(1);
}

/* ---- Records ------------------------------------------------------------------- */

struct hdr {
    uint8_t kind, point, actor, flags;
    uint32_t port, status;
    uint16_t nic;
    uint64_t id, parent;
};

/* Write one record whose body is "body" then "data"; returns its frame number. */
static uint64_t rec(const struct hdr *h, const void *body, size_t blen, const void *data, size_t dlen)
{
    struct xsw_rec_hdr rh;
    memset(&rh, 0, sizeof rh);
    rh.kind = h->kind;
    rh.point = h->point;
    rh.depth = DEPTH;
    rh.actor = h->actor;
    rh.flags = h->flags;
    rh.port_id = h->port;
    rh.nic_index = h->nic;
    rh.status = h->status;
    rh.id = h->id;
    rh.parent = h->parent;
    struct xsw_iov iov[2] = { { body, blen }, { data, dlen } };
    int64_t seq = xsw_trace_write(W, &rh, iov, dlen ? 2 : 1);
    if (seq < 0)
        die("xsw_trace_write", seq);
    return xsw_trace_writer_count(W);
}

struct oid_args {
    uint32_t oid, type, info_len, out_len, done, needed, inner_oid, inner_type, inner_status;
};

enum { REQ_QUERY = 0, REQ_SET = 1, REQ_METHOD = 12 };

static uint64_t oid_rec(uint8_t kind, uint8_t point, uint8_t actor, uint8_t flags, uint32_t port, uint16_t nic,
                        uint32_t status, uint64_t id, uint64_t parent, const struct oid_args *a, const void *data,
                        size_t dlen)
{
    uint8_t body[XSW_OID_BODY_LEN] = { 0 };
    put32(body, XSW_OID_OFF_OID, a->oid);
    put32(body, XSW_OID_OFF_TYPE, a->type);
    put32(body, XSW_OID_OFF_INFO_LEN, a->info_len);
    put32(body, XSW_OID_OFF_OUT_LEN, a->out_len);
    put32(body, XSW_OID_OFF_DONE, a->done);
    put32(body, XSW_OID_OFF_NEEDED, a->needed);
    put32(body, XSW_OID_OFF_INNER_OID, a->inner_oid);
    put32(body, XSW_OID_OFF_INNER_TYPE, a->inner_type);
    put32(body, XSW_OID_OFF_INNER_STATUS, a->inner_status);
    put32(body, XSW_OID_OFF_DATA_LEN, (uint32_t)dlen);
    struct hdr h = { kind, point, actor, flags, port, status, nic, id, parent };
    return rec(&h, body, sizeof body, data, dlen);
}

/*
 * An OID set or method issued by the protocol edge and passed down the
 * whole stack: each extension clones it (id + k, parent = id of the point
 * above), the miniport edge completes it and the completions travel back.
 * Returns the frame of the completion at the protocol edge.
 */
static uint64_t oid_through_stack(uint32_t oid, uint32_t type, uint32_t port, uint16_t nic, uint64_t id,
                                  const uint8_t *in, size_t in_len, const uint8_t *out, size_t out_len)
{
    struct oid_args a = { oid, type, (uint32_t)in_len, type == REQ_METHOD ? (uint32_t)out_len : 0, 0, 0, 0, 0, 0 };
    for (uint8_t p = 0; p <= DEPTH; p++)
        oid_rec(XSW_K_OID_REQUEST, p, p == 0 ? SWITCH : (uint8_t)(p - 1), 0, port, nic, 0, id + p,
                p == 0 ? 0 : id + p - 1, &a, in, in_len);
    a.done = (uint32_t)(type == REQ_METHOD ? out_len : in_len);
    uint64_t frame = 0;
    for (int p = DEPTH; p >= 0; p--)
        frame = oid_rec(XSW_K_OID_COMPLETE, (uint8_t)p, p == DEPTH ? SWITCH : (uint8_t)p, 0, port, nic, 0,
                        id + (uint64_t)p, p == 0 ? 0 : id + (uint64_t)p - 1, &a, out, out_len);
    return frame;
}

/* A query issued by extension 0 (point 1), cloned by extension 1, completed by the miniport edge. */
static void oid_query_from_ext(uint32_t oid, uint64_t id, const uint8_t *out, size_t out_len)
{
    struct oid_args a = { oid, REQ_QUERY, (uint32_t)out_len, 0, 0, 0, 0, 0, 0 };
    oid_rec(XSW_K_OID_REQUEST, 1, 0, XSW_RF_ORIGINATED, 0, 0, 0, id, 0, &a, NULL, 0);
    oid_rec(XSW_K_OID_REQUEST, 2, 1, 0, 0, 0, 0, id + 1, id, &a, NULL, 0);
    a.done = (uint32_t)out_len;
    oid_rec(XSW_K_OID_COMPLETE, 2, SWITCH, 0, 0, 0, 0, id + 1, id, &a, out, out_len);
    oid_rec(XSW_K_OID_COMPLETE, 1, 1, 0, 0, 0, 0, id, 0, &a, out, out_len);
}

/* ---- Switch structures (extensible-switch.md §3) ---------------------------------- */

static size_t switch_parameters(uint8_t *b)
{
    memset(b, 0, 1048);
    obj_hdr(b, 0, 0x80, 1, 1048);
    counted(b, 8, "5ED2D4E6-1C4F-4A5B-9D0E-3F1A2B3C4D5E");
    counted(b, 524, "xsw test switch");
    put32(b, 1040, 4);
    put8(b, 1044, 1);
    return 1048;
}

static size_t port_parameters(uint8_t *b, uint32_t port, const char *name, const char *fname, uint32_t type,
                              uint32_t state)
{
    memset(b, 0, 1056);
    obj_hdr(b, 0, 0x80, 1, 1056);
    put32(b, 4, 0);
    put32(b, 8, port);
    counted(b, 12, name);
    counted(b, 528, fname);
    put32(b, 1044, type);
    put8(b, 1048, 0);
    put32(b, 1052, state);
    return 1056;
}

/* NDIS_SWITCH_NIC_PARAMETERS: revision 2 (2224 bytes) or, for "rev1", revision 1 (2207 bytes). */
static size_t nic_parameters_rev(uint8_t *b, int rev1, uint32_t port, uint16_t nic, uint32_t type, uint32_t state,
                                 uint32_t flags, const char *name, const char *vm)
{
    memset(b, 0, 2224);
    obj_hdr(b, 0, 0x80, rev1 ? 1 : 2, rev1 ? 2207 : 2224);
    put32(b, 4, flags);
    counted(b, 8, name);
    counted(b, 524, "Network Adapter");
    put32(b, 1040, port);
    put16(b, 1044, nic);
    put32(b, 1048, type);
    put32(b, 1052, state);
    counted(b, 1056, vm);
    counted(b, 1572, vm[0] ? "Test VM 1" : "");
    guid(b, 2088, (uint8_t)(port * 4 + nic));
    put32(b, 2104, 1500);
    put16(b, 2108, 0);
    mac(b, 2110, (uint8_t)(0x10 + port));
    if (type == 1)
        mac(b, 2142, (uint8_t)(0x10 + port));
    mac(b, 2174, (uint8_t)(0x10 + port));
    put8(b, 2206, 0);
    return rev1 ? 2207 : 2224;
}

static size_t nic_parameters(uint8_t *b, uint32_t port, uint16_t nic, uint32_t type, uint32_t state, uint32_t flags,
                             const char *name, const char *vm)
{
    return nic_parameters_rev(b, 0, port, nic, type, state, flags, name, vm);
}

static size_t array(uint8_t *b, uint32_t n, uint32_t elem_size)
{
    obj_hdr(b, 0, 0x80, 1, 20);
    put32(b, 4, 0);
    put16(b, 8, 24);
    put32(b, 12, n);
    put32(b, 16, elem_size);
    return 24;
}

static size_t save_state(uint8_t *b, uint32_t port, const uint8_t *data, uint16_t n)
{
    memset(b, 0, 576 + n);
    obj_hdr(b, 0, 0x80, 2, (uint16_t)(576 + n));
    put32(b, 8, port);
    put16(b, 12, 0);
    guid(b, 16, 0xE0);
    counted(b, 32, "xsw capture extension");
    put16(b, 564, n);
    put16(b, 566, 576);
    put32(b, 568, 0);
    if (n)
        memcpy(b + 576, data, n);
    return 576u + n;
}

/* NDIS_SWITCH_PORT_PROPERTY_PARAMETERS (64) + payload at offset 64. */
static size_t port_property(uint8_t *b, uint32_t port, uint32_t ptype, uint8_t seed, const uint8_t *payload,
                            size_t plen)
{
    memset(b, 0, 64);
    obj_hdr(b, 0, 0x80, 1, 64);
    put32(b, 8, port);
    put32(b, 12, ptype);
    guid(b, 16, seed);
    put16(b, 32, 0x0100);
    put16(b, 34, 1);
    guid(b, 36, (uint8_t)(seed + 1));
    put32(b, 52, (uint32_t)plen);
    put32(b, 56, 64);
    memcpy(b + 64, payload, plen);
    return 64 + plen;
}

static size_t vlan_access(uint8_t *b, uint16_t vlan)
{
    memset(b, 0, 1048);
    obj_hdr(b, 0, 0x80, 1, 1048);
    put32(b, 8, 1); /* access */
    put16(b, 16, vlan);
    put16(b, 18, 0);
    return 1048;
}

static size_t vlan_trunk(uint8_t *b)
{
    memset(b, 0, 1048);
    obj_hdr(b, 0, 0x80, 1, 1048);
    put32(b, 8, 2); /* trunk */
    put16(b, 16, 0);
    put16(b, 18, 1);
    /* Trunk VLANs 10, 20 and 100: bits of the 64 x u64 bitmap at 536. */
    put64(b, 536, (1ull << 10) | (1ull << 20));
    put64(b, 536 + 8, 1ull << (100 - 64));
    return 1048;
}

static size_t security(uint8_t *b)
{
    memset(b, 0, 24);
    obj_hdr(b, 0, 0x80, 2, 24);
    put8(b, 8, 0);
    put8(b, 9, 1);
    put32(b, 12, 5001);
    put8(b, 16, 1);
    put32(b, 20, 16);
    return 24;
}

/* NDIS_SWITCH_[PORT_]PROPERTY_CUSTOM / FEATURE_STATUS_CUSTOM: 16 bytes, then the data. */
static size_t custom(uint8_t *b, const char *text)
{
    size_t n = strlen(text);
    memset(b, 0, 16);
    obj_hdr(b, 0, 0x80, 1, 16);
    put32(b, 8, (uint32_t)n);
    put32(b, 12, 16);
    memcpy(b + 16, text, n);
    return 16 + n;
}

/* An Ethernet/IPv4/UDP frame from port "src" to port "dst" MACs. */
static size_t udp_frame(uint8_t *f, uint8_t src, uint8_t dst, const char *payload)
{
    size_t n = strlen(payload);
    size_t ip_len = 20 + 8 + n;
    memset(f, 0, 14 + ip_len);
    mac(f, 0, (uint8_t)(0x10 + dst));
    mac(f, 6, (uint8_t)(0x10 + src));
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(ip_len >> 8);
    ip[3] = (uint8_t)ip_len;
    ip[4] = 0x12;
    ip[5] = 0x34;
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = 17;
    const uint8_t sa[4] = { 10, 0, 0, src }, da[4] = { 10, 0, 0, dst };
    memcpy(ip + 12, sa, 4);
    memcpy(ip + 16, da, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    sum = ~sum & 0xFFFF;
    ip[10] = (uint8_t)(sum >> 8);
    ip[11] = (uint8_t)sum;
    uint8_t *udp = ip + 20;
    udp[0] = 0xC0;
    udp[1] = 0x00; /* 49152 */
    udp[2] = 0x13;
    udp[3] = 0x88; /* 5000 */
    udp[4] = (uint8_t)((8 + n) >> 8);
    udp[5] = (uint8_t)(8 + n);
    memcpy(udp + 8, payload, n);
    return 14 + ip_len;
}

/* ---- NBL and handler records -------------------------------------------------- */

struct dest {
    uint32_t port;
    uint16_t nic, bits;
};

static uint64_t fwd_detail(uint16_t avail, uint16_t src_port, uint8_t src_nic, int safe)
{
    return (uint64_t)avail | (uint64_t)src_port << 16 | (uint64_t)src_nic << 32 | (uint64_t)(safe ? 1 : 0) << 42;
}

static uint64_t nbl_rec(uint8_t kind, uint8_t point, uint8_t actor, uint32_t port, uint16_t nic, uint32_t status,
                        uint64_t id, uint32_t flags, uint64_t fwd, const struct dest *d, uint16_t nd, uint16_t ne,
                        const uint8_t *frame, uint32_t flen)
{
    uint8_t body[XSW_NBL_BODY_LEN + 8 * 8 + 256];
    memset(body, 0, sizeof body);
    put32(body, XSW_NBL_OFF_NDIS_FLAGS, flags);
    put16(body, XSW_NBL_OFF_CHAIN_IDX, 0);
    put16(body, XSW_NBL_OFF_CHAIN_LEN, 1);
    put64(body, XSW_NBL_OFF_FWD, fwd);
    put16(body, XSW_NBL_OFF_NUM_DEST, nd);
    put16(body, XSW_NBL_OFF_NUM_ELEM, ne);
    put32(body, XSW_NBL_OFF_FRAME_LEN, flen);
    put32(body, XSW_NBL_OFF_CAP_LEN, flen);
    put32(body, XSW_NBL_OFF_NB_COUNT, 1);
    size_t off = XSW_NBL_BODY_LEN;
    for (uint16_t i = 0; i < nd; i++, off += XSW_DEST_LEN) {
        put32(body, off, d[i].port);
        put16(body, off + 4, d[i].nic);
        put16(body, off + 6, d[i].bits);
    }
    memcpy(body + off, frame, flen);
    off += flen;
    struct hdr h = { kind, point, actor, XSW_RF_CHAIN_END, port, status, nic, id, 0 };
    return rec(&h, body, off, NULL, 0);
}

static uint64_t handler_rec(uint8_t actor, uint16_t handler, uint32_t port, uint16_t nic, uint32_t status,
                            uint32_t flags, uint32_t count, uint32_t refcount, uint64_t nbl, const struct dest *d,
                            uint16_t nd, const char *text)
{
    uint8_t body[XSW_HC_BODY_LEN + 8 * 8 + 128];
    memset(body, 0, sizeof body);
    size_t tl = text ? strlen(text) : 0;
    put16(body, XSW_HC_OFF_HANDLER, handler);
    put8(body, XSW_HC_OFF_IRQL, 2);
    put32(body, XSW_HC_OFF_FLAGS, flags);
    put32(body, XSW_HC_OFF_COUNT, count);
    put32(body, XSW_HC_OFF_REFCOUNT, refcount);
    put64(body, XSW_HC_OFF_NBL, nbl);
    put16(body, XSW_HC_OFF_NUM_DEST, nd);
    put16(body, XSW_HC_OFF_TEXT_LEN, (uint16_t)tl);
    size_t off = XSW_HC_BODY_LEN;
    for (uint16_t i = 0; i < nd; i++, off += XSW_DEST_LEN) {
        put32(body, off, d[i].port);
        put16(body, off + 4, d[i].nic);
        put16(body, off + 6, d[i].bits);
    }
    memcpy(body + off, text ? text : "", tl);
    off += tl;
    struct hdr h = { XSW_K_HANDLER_CALL, XSW_POINT_NDIS, actor, 0, port, status, nic, 0, 0 };
    return rec(&h, body, off, NULL, 0);
}

static uint64_t text_rec(uint8_t kind, uint8_t point, uint8_t actor, const uint8_t *fixed, size_t flen,
                         const char *text)
{
    struct hdr h = { kind, point, actor, 0, 0, 0, 0, 0, 0 };
    return rec(&h, fixed, flen, text, strlen(text));
}

static void filter_state(uint8_t actor, uint32_t event, const char *name)
{
    uint8_t b[XSW_FS_BODY_LEN] = { 0 };
    put32(b, XSW_FS_OFF_EVENT, event);
    put32(b, XSW_FS_OFF_TEXT_LEN, (uint32_t)strlen(name));
    text_rec(XSW_K_FILTER_STATE, XSW_POINT_HARNESS, actor, b, sizeof b, name);
}

static void verdict(uint8_t level, uint8_t outcome, uint64_t judged, const char *rule, const char *text)
{
    uint8_t b[XSW_VD_BODY_LEN + 64] = { 0 };
    put8(b, XSW_VD_OFF_LEVEL, level);
    put8(b, XSW_VD_OFF_OUTCOME, outcome);
    put16(b, XSW_VD_OFF_RULE_LEN, (uint16_t)strlen(rule));
    put32(b, XSW_VD_OFF_JUDGED_FRAME, (uint32_t)judged);
    put32(b, XSW_VD_OFF_TEXT_LEN, (uint32_t)strlen(text));
    memcpy(b + XSW_VD_BODY_LEN, rule, strlen(rule));
    struct hdr h = { XSW_K_VERDICT, XSW_POINT_ANALYZER, SWITCH, 0, 0, 0, 0, 0, judged };
    rec(&h, b, XSW_VD_BODY_LEN + strlen(rule), text, strlen(text));
}

/* ---- records.pcap ------------------------------------------------------------- */

static void write_records(void)
{
    static uint8_t buf[16384], buf2[8192], frame[256];
    const char *meta = "xsw_version=0.1\nscenario=dissector-fixture\nparams=depth=2\n"
                       "ext.0.name=xsw-capture\next.0.class=capture\next.0.path=capture.so\n"
                       "ext.0.sha256=0000000000000000000000000000000000000000000000000000000000000000\n"
                       "ext.1.name=xsw-forward\next.1.class=forward\next.1.path=forward.so\n"
                       "ext.1.sha256=1111111111111111111111111111111111111111111111111111111111111111\n";
    struct hdr mh = { XSW_K_META, XSW_POINT_HARNESS, SWITCH, 0, 0, 0, 0, 0, 0 };
    rec(&mh, meta, strlen(meta), NULL, 0);

    filter_state(0, XSW_FE_ATTACH, "xsw-capture");
    filter_state(1, XSW_FE_ATTACH, "xsw-forward");
    filter_state(0, XSW_FE_RESTART, "xsw-capture");
    filter_state(1, XSW_FE_RESTART, "xsw-forward");

    /* NetEventSwitchActivate from the protocol edge down the stack. */
    for (uint8_t p = 0; p <= DEPTH; p++) {
        uint8_t b[XSW_PNP_BODY_LEN] = { 0 };
        put32(b, XSW_PNP_OFF_EVENT, 17);
        struct hdr h = { XSW_K_PNP_EVENT, p, p == 0 ? SWITCH : (uint8_t)(p - 1), 0, 0, 0, 0, 0x50 + p, 0 };
        rec(&h, b, sizeof b, NULL, 0);
    }

    /* Extension 0 queries the switch parameters. */
    size_t n = switch_parameters(buf);
    oid_query_from_ext(0x00010275, 0x100, buf, n);

    /* Ports: the external port 1, then the VM port 2 with names, and port 3. */
    n = port_parameters(buf, 1, "External", "External port", 1, 1);
    oid_through_stack(0x00010278, REQ_SET, 1, 0, 0x200, buf, n, buf, n);
    n = port_parameters(buf, 2, "9A3E6C1B-PORT-2", "VM1 network adapter port", 2, 1);
    oid_through_stack(0x00010278, REQ_SET, 2, 0, 0x210, buf, n, buf, n);
    n = port_parameters(buf, 3, "9A3E6C1B-PORT-3", "VM2 network adapter port", 2, 1);
    oid_through_stack(0x00010278, REQ_SET, 3, 0, 0x220, buf, n, buf, n);

    /* NICs: create and connect; the external NIC uses revision 1, the VM NICs revision 2. */
    n = nic_parameters_rev(buf, 1, 1, 0, 0, 1, 0, "PCI\\VEN_8086&DEV_10FB", "");
    oid_through_stack(0x0001027A, REQ_SET, 1, 0, 0x300, buf, n, buf, n);
    n = nic_parameters_rev(buf, 1, 1, 0, 0, 2, 0, "PCI\\VEN_8086&DEV_10FB", "");
    oid_through_stack(0x0001027B, REQ_SET, 1, 0, 0x310, buf, n, buf, n);
    n = nic_parameters(buf, 2, 1, 1, 1, 0x1, "VMNIC-2-1", "VM1");
    oid_through_stack(0x0001027A, REQ_SET, 2, 1, 0x320, buf, n, buf, n);
    n = nic_parameters(buf, 2, 1, 1, 2, 0, "VMNIC-2-1", "VM1");
    oid_through_stack(0x0001027B, REQ_SET, 2, 1, 0x330, buf, n, buf, n);
    n = nic_parameters(buf, 3, 1, 1, 1, 0x1, "VMNIC-3-1", "VM2");
    oid_through_stack(0x0001027A, REQ_SET, 3, 1, 0x340, buf, n, buf, n);
    n = nic_parameters(buf, 3, 1, 1, 2, 0, "VMNIC-3-1", "VM2");
    oid_through_stack(0x0001027B, REQ_SET, 3, 1, 0x350, buf, n, buf, n);

    /* Extension 0 enumerates the ports and NICs. */
    n = array(buf, 2, 1056);
    n += port_parameters(buf + n, 2, "9A3E6C1B-PORT-2", "VM1 network adapter port", 2, 1);
    n += port_parameters(buf + n, 3, "9A3E6C1B-PORT-3", "VM2 network adapter port", 2, 1);
    oid_query_from_ext(0x00010276, 0x400, buf, n);
    n = array(buf, 2, 2224);
    n += nic_parameters(buf + n, 2, 1, 1, 2, 0, "VMNIC-2-1", "VM1");
    n += nic_parameters(buf + n, 3, 1, 1, 2, 0, "VMNIC-3-1", "VM2");
    oid_query_from_ext(0x00010277, 0x410, buf, n);

    /* Port properties: VLAN (access and trunk), security, custom; switch property; deletes. */
    n = port_property(buf, 2, 3, 0x30, buf2, vlan_access(buf2, 10));
    oid_through_stack(0x00010271, REQ_SET, 2, 0, 0x500, buf, n, buf, n);
    n = port_property(buf, 3, 3, 0x31, buf2, vlan_trunk(buf2));
    oid_through_stack(0x00010272, REQ_SET, 3, 0, 0x510, buf, n, buf, n);
    n = port_property(buf, 2, 2, 0x32, buf2, security(buf2));
    oid_through_stack(0x00010271, REQ_SET, 2, 0, 0x520, buf, n, buf, n);
    n = port_property(buf, 2, 1, 0x33, buf2, custom(buf2, "vendor=xsw;policy=acl-1"));
    oid_through_stack(0x00010271, REQ_SET, 2, 0, 0x530, buf, n, buf, n);
    {
        /* NDIS_SWITCH_PROPERTY_PARAMETERS (56) + custom property at 56. */
        memset(buf, 0, 56);
        obj_hdr(buf, 0, 0x80, 1, 56);
        put32(buf, 8, 1);
        guid(buf, 12, 0x40);
        put16(buf, 28, 0x0100);
        put16(buf, 30, 1);
        guid(buf, 32, 0x41);
        size_t c = custom(buf + 56, "switch-wide=1");
        put32(buf, 48, (uint32_t)c);
        put32(buf, 52, 56);
        oid_through_stack(0x00010263, REQ_SET, 0, 0, 0x540, buf, 56 + c, buf, 56 + c);
        /* Update with the same parameters. */
        oid_through_stack(0x00010264, REQ_SET, 0, 0, 0x548, buf, 56 + c, buf, 56 + c);
    }
    {
        /* NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS (48). */
        memset(buf, 0, 48);
        obj_hdr(buf, 0, 0x80, 1, 48);
        put32(buf, 8, 2);
        put32(buf, 12, 1);
        guid(buf, 16, 0x33);
        guid(buf, 32, 0x34);
        oid_through_stack(0x00010273, REQ_SET, 2, 0, 0x550, buf, 48, buf, 48);
        /* NDIS_SWITCH_PROPERTY_DELETE_PARAMETERS (44). */
        memset(buf, 0, 44);
        obj_hdr(buf, 0, 0x80, 1, 44);
        put32(buf, 8, 1);
        guid(buf, 12, 0x40);
        guid(buf, 28, 0x41);
        oid_through_stack(0x00010265, REQ_SET, 0, 0, 0x560, buf, 44, buf, 44);
    }
    {
        /* Port property enumeration by extension 0 (method): two custom properties. */
        memset(buf, 0, sizeof buf);
        obj_hdr(buf, 0, 0x80, 1, 48);
        put32(buf, 8, 3);
        put32(buf, 12, 1);
        guid(buf, 16, 0x33);
        put16(buf, 32, 1);
        put32(buf, 36, 48);
        put32(buf, 40, 2);
        size_t off = 48;
        const char *vals[2] = { "acl-1", "acl-2:deny" };
        for (int i = 0; i < 2; i++) {
            size_t c = custom(buf2, vals[i]);
            size_t q = (c + 7) & ~(size_t)7;
            obj_hdr(buf, off, 0x80, 1, 40);
            put16(buf, off + 8, 0x0100);
            guid(buf, off + 12, (uint8_t)(0x60 + i));
            put32(buf, off + 28, (uint32_t)q);
            put32(buf, off + 32, (uint32_t)c);
            put32(buf, off + 36, 40);
            memcpy(buf + off + 40, buf2, c);
            off += 40 + q;
        }
        struct oid_args a = { 0x00010274, REQ_METHOD, 48, (uint32_t)off, 0, 0, 0, 0, 0 };
        oid_rec(XSW_K_OID_REQUEST, 1, 0, XSW_RF_ORIGINATED, 3, 0, 0, 0x600, 0, &a, buf, 48);
        oid_rec(XSW_K_OID_REQUEST, 2, 1, 0, 3, 0, 0, 0x601, 0x600, &a, buf, 48);
        a.done = (uint32_t)off;
        oid_rec(XSW_K_OID_COMPLETE, 2, SWITCH, 0, 3, 0, 0, 0x601, 0x600, &a, buf, off);
        oid_rec(XSW_K_OID_COMPLETE, 1, 1, 0, 3, 0, 0, 0x600, 0, &a, buf, off);

        /* Switch property enumeration: one custom property. */
        memset(buf, 0, sizeof buf);
        obj_hdr(buf, 0, 0x80, 1, 40);
        put32(buf, 8, 1);
        guid(buf, 12, 0x40);
        put16(buf, 28, 1);
        put32(buf, 32, 40);
        put32(buf, 36, 1);
        size_t c = custom(buf2, "switch-wide=1");
        size_t q = (c + 7) & ~(size_t)7;
        obj_hdr(buf, 40, 0x80, 1, 40);
        guid(buf, 48, 0x41);
        put16(buf, 64, 0x0100);
        put32(buf, 68, (uint32_t)q);
        put32(buf, 72, (uint32_t)c);
        put32(buf, 76, 40);
        memcpy(buf + 80, buf2, c);
        off = 80 + q;
        struct oid_args e = { 0x00010266, REQ_METHOD, 40, (uint32_t)off, 0, 0, 0, 0, 0 };
        oid_rec(XSW_K_OID_REQUEST, 1, 0, XSW_RF_ORIGINATED, 0, 0, 0, 0x610, 0, &e, buf, 40);
        oid_rec(XSW_K_OID_REQUEST, 2, 1, 0, 0, 0, 0, 0x611, 0x610, &e, buf, 40);
        e.done = (uint32_t)off;
        oid_rec(XSW_K_OID_COMPLETE, 2, SWITCH, 0, 0, 0, 0, 0x611, 0x610, &e, buf, off);
        oid_rec(XSW_K_OID_COMPLETE, 1, 1, 0, 0, 0, 0, 0x610, 0, &e, buf, off);
    }
    {
        /* Feature status: port variant (64, length before offset) and switch variant (56). */
        memset(buf, 0, sizeof buf);
        obj_hdr(buf, 0, 0x80, 1, 64);
        put32(buf, 8, 2);
        put32(buf, 12, 1);
        guid(buf, 16, 0x70);
        put16(buf, 32, 0x0100);
        put16(buf, 34, 1);
        guid(buf, 36, 0x71);
        size_t c = custom(buf + 64, "rx=1024;tx=2048");
        put32(buf, 52, (uint32_t)c);
        put32(buf, 56, 64);
        oid_through_stack(0x0001027E, REQ_METHOD, 2, 0, 0x620, buf, 64 + c, buf, 64 + c);
        memset(buf, 0, sizeof buf);
        obj_hdr(buf, 0, 0x80, 1, 56);
        put32(buf, 8, 1);
        guid(buf, 12, 0x72);
        guid(buf, 28, 0x73);
        put16(buf, 44, 0x0100);
        put16(buf, 46, 1);
        c = custom(buf + 56, "flows=12");
        put32(buf, 48, 56);
        put32(buf, 52, (uint32_t)c);
        oid_through_stack(0x00010267, REQ_METHOD, 0, 0, 0x630, buf, 56 + c, buf, 56 + c);
    }

    /* A vetoed port property: extension 1 completes it with a failure itself. */
    {
        n = port_property(buf, 3, 2, 0x35, buf2, security(buf2));
        struct oid_args a = { 0x00010271, REQ_SET, (uint32_t)n, 0, 0, 0, 0, 0, 0 };
        oid_rec(XSW_K_OID_REQUEST, 0, SWITCH, 0, 3, 0, 0, 0x700, 0, &a, buf, n);
        oid_rec(XSW_K_OID_REQUEST, 1, 0, 0, 3, 0, 0, 0x701, 0x700, &a, buf, n);
        oid_rec(XSW_K_OID_COMPLETE, 1, 1, 0, 3, 0, 0xC000021Bu, 0x701, 0x700, &a, buf, n);
        oid_rec(XSW_K_OID_COMPLETE, 0, 0, 0, 3, 0, 0xC000021Bu, 0x700, 0, &a, buf, n);
    }

    /* OID_SWITCH_NIC_REQUEST wrapping OID_NIC_SWITCH_ALLOCATE_VF towards the external NIC. */
    {
        memset(buf, 0, 64);
        obj_hdr(buf, 0, 0x80, 1, 32);
        put32(buf, 8, 2);
        put16(buf, 12, 1);
        put32(buf, 16, 1);
        put16(buf, 20, 0);
        put64(buf, 24, 0xFFFF8000DEAD0000ull);
        /* Inner information buffer: an opaque VF parameters block. */
        obj_hdr(buf, 32, 0x80, 1, 32);
        put32(buf, 36, 0);
        put32(buf, 40, 1);
        mac(buf, 48, 0x12);
        struct oid_args a = { 0x00010270, REQ_METHOD, 64, 64, 0, 0, 0x00010245, REQ_METHOD, 0 };
        for (uint8_t p = 0; p <= DEPTH; p++)
            oid_rec(XSW_K_OID_REQUEST, p, p == 0 ? SWITCH : (uint8_t)(p - 1), 0, 1, 0, 0, 0x800u + p,
                    p == 0 ? 0 : 0x800u + p - 1, &a, buf, 64);
        a.done = 64;
        for (int p = DEPTH; p >= 0; p--)
            oid_rec(XSW_K_OID_COMPLETE, (uint8_t)p, p == DEPTH ? SWITCH : (uint8_t)p, 0, 1, 0, 0, 0x800u + (unsigned)p,
                    p == 0 ? 0 : 0x800u + (unsigned)p - 1, &a, buf, 64);
    }

    /* Save and restore of port 2's NIC state. */
    {
        static const uint8_t blob[24] = { 'x', 's', 'w', 0, 1, 0, 0, 0, 0x10, 0x20, 0x30, 0x40,
                                          0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0 };
        n = save_state(buf, 2, NULL, 0);
        size_t m = save_state(buf2, 2, blob, sizeof blob);
        oid_through_stack(0x00010290, REQ_METHOD, 2, 0, 0x900, buf, n, buf2, m);
        oid_through_stack(0x00010291, REQ_SET, 2, 0, 0x910, buf, n, buf, n);
        oid_through_stack(0x00010292, REQ_SET, 2, 0, 0x920, buf2, m, buf2, m);
        oid_through_stack(0x00010293, REQ_SET, 2, 0, 0x930, buf, n, buf, n);
    }

    /* NDIS_STATUS_SWITCH_NIC_STATUS wrapping NDIS_STATUS_SWITCH_PORT_REMOVE_VF, from the miniport edge up. */
    {
        uint8_t b[XSW_ST_BODY_LEN + 32] = { 0 };
        put32(b, XSW_ST_OFF_CODE, 0xC0241002u);
        put32(b, XSW_ST_OFF_INNER_CODE, 0xC0241001u);
        put32(b, XSW_ST_OFF_BUF_LEN, 32);
        put32(b, XSW_ST_OFF_DATA_LEN, 32);
        uint8_t *s = b + XSW_ST_BODY_LEN;
        obj_hdr(s, 0, 0x80, 1, 32);
        put32(s, 8, 1);
        put16(s, 12, 0);
        put32(s, 16, 2);
        put16(s, 20, 1);
        put64(s, 24, 0xFFFF8000BEEF0000ull);
        for (int p = DEPTH; p >= 0; p--) {
            struct hdr h = { XSW_K_STATUS, (uint8_t)p, p == DEPTH ? SWITCH : (uint8_t)p, 0, 2, 0, 1, 0xA00, 0 };
            rec(&h, b, sizeof b, NULL, 0);
        }
        /* A media-connect indication without a buffer. */
        uint8_t c[XSW_ST_BODY_LEN] = { 0 };
        put32(c, XSW_ST_OFF_CODE, 0x4001000Bu);
        struct hdr h = { XSW_K_STATUS, DEPTH, SWITCH, 0, 1, 0, 0, 0xA10, 0 };
        rec(&h, c, sizeof c, NULL, 0);
    }

    /* Data path: a UDP frame from port 2 to port 3, forwarded by extension 1. */
    uint32_t flen = (uint32_t)udp_frame(frame, 2, 3, "xsw fixture frame");
    const uint64_t nbl = 0xFFFF800012340000ull;
    uint64_t fwd0 = fwd_detail(0, 2, 1, 1);
    nbl_rec(XSW_K_NBL_SEND, 0, SWITCH, 2, 1, 0, nbl, 0x20, fwd0, NULL, 0, 0, frame, flen);
    nbl_rec(XSW_K_NBL_SEND, 1, 0, 2, 1, 0, nbl, 0x20, fwd0, NULL, 0, 0, frame, flen);
    handler_rec(1, XSW_H_GrowNetBufferListDestinations, 0, 0, 0, 0, 2, 0, nbl, NULL, 0, NULL);
    struct dest d[2] = { { 3, 1, 0 }, { 1, 0, 0x1 } };
    handler_rec(1, XSW_H_AddNetBufferListDestination, 3, 1, 0, 0, 0, 0, nbl, &d[0], 1, NULL);
    handler_rec(1, XSW_H_AddNetBufferListDestination, 1, 0, 0, 0, 0, 0, nbl, &d[1], 1, NULL);
    uint64_t fwd2 = fwd_detail(0, 2, 1, 1);
    nbl_rec(XSW_K_NBL_SEND, 2, 1, 2, 1, 0, nbl, 0x30, fwd2, d, 2, 2, frame, flen);
    nbl_rec(XSW_K_NBL_SEND_COMPLETE, 2, SWITCH, 2, 1, 0, nbl, 0x4, fwd2, d, 2, 2, frame, flen);
    nbl_rec(XSW_K_NBL_SEND_COMPLETE, 1, 1, 2, 1, 0, nbl, 0x4, fwd2, d, 2, 2, frame, flen);
    uint64_t judged_send = nbl_rec(XSW_K_NBL_SEND_COMPLETE, 0, 0, 2, 1, 0, nbl, 0x4, fwd2, d, 2, 2, frame, flen);
    /* The egress copy is indicated to port 3 and returned. */
    const uint64_t nbl2 = 0xFFFF800012350000ull;
    struct dest e[1] = { { 3, 1, 0x2 } };
    nbl_rec(XSW_K_NBL_INDICATE, 2, SWITCH, 2, 1, 0, nbl2, 0x8001, fwd2, e, 1, 1, frame, flen);
    nbl_rec(XSW_K_NBL_INDICATE, 1, 1, 2, 1, 0, nbl2, 0x8001, fwd2, e, 1, 1, frame, flen);
    nbl_rec(XSW_K_NBL_INDICATE, 0, 0, 2, 1, 0, nbl2, 0x8001, fwd2, e, 1, 1, frame, flen);
    nbl_rec(XSW_K_NBL_RETURN, 0, SWITCH, 2, 1, 0, nbl2, 0x4, fwd2, e, 1, 1, frame, flen);
    nbl_rec(XSW_K_NBL_RETURN, 1, 0, 2, 1, 0, nbl2, 0x4, fwd2, e, 1, 1, frame, flen);
    nbl_rec(XSW_K_NBL_RETURN, 2, 1, 2, 1, 0, nbl2, 0x4, fwd2, e, 1, 1, frame, flen);

    /* A frame dropped by extension 0 and reported as filtered. */
    const uint64_t nbl3 = 0xFFFF800012360000ull;
    flen = (uint32_t)udp_frame(frame, 3, 2, "blocked by policy");
    uint64_t fwd3 = fwd_detail(0, 3, 1, 1);
    nbl_rec(XSW_K_NBL_SEND, 0, SWITCH, 3, 1, 0, nbl3, 0, fwd3, NULL, 0, 0, frame, flen);
    handler_rec(0, XSW_H_ReportFilteredNetBufferLists, 3, 1, 0, 1, 1, 0, nbl3, NULL, 0, "dropped by ACL acl-2");
    uint64_t judged_drop = nbl_rec(XSW_K_NBL_SEND_COMPLETE, 0, 0, 3, 1, 0xC000021Bu, nbl3, 0, fwd3, NULL, 0, 0, frame,
                                   flen);

    /* References, a context handler, an NDIS call, a finding. */
    handler_rec(0, XSW_H_ReferenceSwitchNic, 2, 1, 0, 0, 0, 1, 0, NULL, 0, NULL);
    handler_rec(0, XSW_H_DereferenceSwitchNic, 2, 1, 0, 0, 0, 0, 0, NULL, 0, NULL);
    uint64_t judged_ref = handler_rec(0, XSW_H_ReferenceSwitchPort, 9, 0, 0xC000000Du, 0, 0, 0, 0, NULL, 0, NULL);
    {
        uint8_t b[XSW_NC_BODY_LEN] = { 0 };
        const char *fn = "NdisFOidRequest";
        put16(b, XSW_NC_OFF_FUNC_LEN, (uint16_t)strlen(fn));
        put8(b, XSW_NC_OFF_IRQL, 0);
        put64(b, XSW_NC_OFF_ARG0, 0xFFFF800000001000ull);
        put64(b, XSW_NC_OFF_ARG1, 0x100);
        put64(b, XSW_NC_OFF_ARG2, 0);
        struct hdr h = { XSW_K_NDIS_CALL, XSW_POINT_NDIS, 0, 0, 0, 0x103, 0, 0, 0 };
        rec(&h, b, sizeof b, fn, strlen(fn));
    }
    {
        uint8_t b[XSW_FI_BODY_LEN] = { 0 };
        const char *msg = "2 pool allocations (96 bytes) tagged 'xswC' not freed at FilterDetach";
        put16(b, XSW_FI_OFF_CODE, XSW_F_POOL_LEAK);
        put8(b, XSW_FI_OFF_IRQL, 0);
        put64(b, XSW_FI_OFF_VALUE, 96);
        put32(b, XSW_FI_OFF_TEXT_LEN, (uint32_t)strlen(msg));
        text_rec(XSW_K_FINDING, XSW_POINT_HARNESS, 0, b, sizeof b, msg);
    }

    /* A frame on the VF path and a VMBus packet of the VM NIC's channel. */
    {
        uint8_t b[XSW_VF_BODY_LEN] = { 0 };
        flen = (uint32_t)udp_frame(frame, 2, 1, "via the VF");
        put32(b, XSW_VF_OFF_DIR, 0);
        put32(b, XSW_VF_OFF_CAP_LEN, flen);
        struct hdr h = { XSW_K_VF_FRAME, XSW_POINT_VF, SWITCH, 0, 2, 0, 1, 0, 0 };
        rec(&h, b, sizeof b, frame, flen);
    }
    {
        /* NVSP INIT (NVSP 6.1) in an in-band packet with completion requested. */
        uint8_t pkt[56] = { 0 };
        put16(pkt, 0, 0x6);
        put16(pkt, 2, 2);
        put16(pkt, 4, 7);
        put16(pkt, 6, 1);
        put64(pkt, 8, 1);
        put32(pkt, 16, 1);
        put32(pkt, 20, 0x00060001);
        put32(pkt, 24, 0x00060001);
        uint8_t b[XSW_VB_BODY_LEN] = { 0 };
        put32(b, XSW_VB_OFF_CHANNEL, 5);
        put8(b, XSW_VB_OFF_DIR, 0);
        put32(b, XSW_VB_OFF_PKT_LEN, sizeof pkt);
        put32(b, XSW_VB_OFF_SHARED_LEN, 0);
        struct hdr h = { XSW_K_VMBUS, XSW_POINT_VMBUS, SWITCH, 0, 2, 0, 1, 1, 0 };
        rec(&h, b, sizeof b, pkt, sizeof pkt);
    }

    /* Teardown of port 3: NIC disconnect and delete, port teardown and delete. */
    n = nic_parameters(buf, 3, 1, 1, 3, 0, "VMNIC-3-1", "VM2");
    oid_through_stack(0x0001027C, REQ_SET, 3, 1, 0xB00, buf, n, buf, n);
    n = nic_parameters(buf, 3, 1, 1, 4, 0, "VMNIC-3-1", "VM2");
    oid_through_stack(0x0001027D, REQ_SET, 3, 1, 0xB10, buf, n, buf, n);
    n = port_parameters(buf, 3, "9A3E6C1B-PORT-3", "VM2 network adapter port", 2, 2);
    oid_through_stack(0x0001027F, REQ_SET, 3, 0, 0xB20, buf, n, buf, n);
    n = port_parameters(buf, 3, "9A3E6C1B-PORT-3", "VM2 network adapter port", 2, 3);
    oid_through_stack(0x00010279, REQ_SET, 3, 0, 0xB30, buf, n, buf, n);
    /* The NIC of port 2 is updated (MTU change) and its port updated. */
    n = nic_parameters(buf, 2, 1, 1, 2, 0, "VMNIC-2-1", "VM1");
    put32(buf, 2104, 9000);
    oid_through_stack(0x00010294, REQ_SET, 2, 1, 0xB40, buf, n, buf, n);
    n = port_parameters(buf, 2, "9A3E6C1B-PORT-2", "VM1 network adapter port", 2, 1);
    oid_through_stack(0x00010295, REQ_SET, 2, 0, 0xB50, buf, n, buf, n);

    filter_state(0, XSW_FE_PAUSE, "xsw-capture");
    filter_state(0, XSW_FE_DETACH, "xsw-capture");

    /* Verdicts inserted by the analyzer next to what they judge. */
    verdict(0, 0, judged_drop, "XSW-NBL-003", "dropped NBL completed with NDIS_STATUS_DATA_NOT_ACCEPTED but "
                                              "ReportFilteredNetBufferLists named another port");
    verdict(1, 0, judged_ref, "XSW-REF-002", "ReferenceSwitchPort on port 9, which was never created");
    verdict(0, 1, judged_send, "XSW-NBL-001", "send completion reached the protocol edge");
}

/* ---- netvsc.pcap: VMBus, NVSP, RNDIS ---------------------------------------------- */

#define CHANNEL 5
#define G2H 0
#define H2G 1

/*
 * One VMBus packet: descriptor (type, offset8, len8, flags, trans_id), the
 * type-specific header "hx" of "hxlen" bytes, the payload padded to 8
 * bytes; plus the shared-buffer bytes. Written as a VMBUS record.
 */
static void vmbus(uint8_t dir, uint16_t type, uint16_t flags, uint64_t tid, const uint8_t *hx, size_t hxlen,
                  const uint8_t *payload, size_t plen, const uint8_t *shared, size_t slen)
{
    static uint8_t pkt[65536];
    size_t hdr = 16 + hxlen;
    size_t total = (hdr + plen + 7) & ~(size_t)7;
    memset(pkt, 0, total);
    put16(pkt, 0, type);
    put16(pkt, 2, (uint16_t)(hdr / 8));
    put16(pkt, 4, (uint16_t)(total / 8));
    put16(pkt, 6, flags);
    put64(pkt, 8, tid);
    if (hxlen)
        memcpy(pkt + 16, hx, hxlen);
    if (plen)
        memcpy(pkt + hdr, payload, plen);
    static uint8_t rec_buf[65536 + 262144];
    uint8_t b[XSW_VB_BODY_LEN] = { 0 };
    put32(b, XSW_VB_OFF_CHANNEL, CHANNEL);
    put8(b, XSW_VB_OFF_DIR, dir);
    put32(b, XSW_VB_OFF_PKT_LEN, (uint32_t)total);
    put32(b, XSW_VB_OFF_SHARED_LEN, (uint32_t)slen);
    memcpy(rec_buf, pkt, total);
    if (slen)
        memcpy(rec_buf + total, shared, slen);
    struct hdr h = { XSW_K_VMBUS, XSW_POINT_VMBUS, SWITCH, 0, 2, 0, 1, tid, 0 };
    rec(&h, b, sizeof b, rec_buf, total + slen);
}

/* An NVSP message of "n" significant bytes, zero-padded to 40 as Linux sends it. */
struct nvsp {
    uint8_t b[256];
    size_t len;
};

static struct nvsp nvsp_msg(uint32_t type, size_t n)
{
    struct nvsp m;
    memset(&m, 0, sizeof m);
    put32(m.b, 0, type);
    m.len = n > 40 ? n : 40;
    return m;
}

static void inband(uint8_t dir, uint16_t flags, uint64_t tid, const struct nvsp *m)
{
    vmbus(dir, 0x6, flags, tid, NULL, 0, m->b, m->len, NULL, 0);
}

static void comp(uint8_t dir, uint64_t tid, const struct nvsp *m)
{
    vmbus(dir, 0xB, 0, tid, NULL, 0, m ? m->b : NULL, m ? m->len : 0, NULL, 0);
}

/* The guest sends RNDIS bytes in send-buffer section "section"; the host completes it. */
static void rndis_g2h(uint64_t tid, uint32_t channel_type, uint32_t section, const uint8_t *r, size_t rlen)
{
    struct nvsp m = nvsp_msg(107, 16);
    put32(m.b, 4, channel_type);
    put32(m.b, 8, section);
    put32(m.b, 12, (uint32_t)rlen);
    vmbus(G2H, 0x6, 1, tid, NULL, 0, m.b, m.len, r, rlen);
    struct nvsp c = nvsp_msg(108, 8);
    put32(c.b, 4, 1);
    comp(H2G, tid, &c);
}

/*
 * The host sends RNDIS messages in the receive buffer, one per transfer-page
 * range; the guest acknowledges with an 8-byte 108 (Linux) or a 40-byte one
 * (DPDK) when "long_ack".
 */
static void rndis_h2g(uint64_t tid, uint32_t channel_type, const uint8_t *const *msgs, const size_t *lens, unsigned n,
                      int long_ack)
{
    uint8_t hx[8 + 8 * 8];
    uint8_t shared[8192];
    size_t slen = 0;
    memset(hx, 0, sizeof hx);
    put16(hx, 0, 0xCAFE);
    put8(hx, 2, 0);
    put32(hx, 4, n);
    for (unsigned i = 0; i < n; i++) {
        put32(hx, 8 + 8 * i, (uint32_t)lens[i]);
        put32(hx, 12 + 8 * i, 1728u * (7 + i)); /* receive-buffer section offsets */
        memcpy(shared + slen, msgs[i], lens[i]);
        slen += lens[i];
    }
    struct nvsp m = nvsp_msg(107, 16);
    put32(m.b, 4, channel_type);
    put32(m.b, 8, 0xFFFFFFFFu);
    put32(m.b, 12, 0);
    vmbus(H2G, 0x7, 1, tid, hx, 8 + 8 * (size_t)n, m.b, m.len, shared, slen);
    struct nvsp c = nvsp_msg(108, 8);
    put32(c.b, 4, 1);
    c.len = long_ack ? 40 : 8;
    vmbus(G2H, 0xB, 0, tid, NULL, 0, c.b, c.len, NULL, 0);
}

/* RNDIS control messages (vmbus-nvsp-rndis.md §3.2). */
static size_t r_query_set(uint8_t *b, uint32_t type, uint32_t rid, uint32_t oid, const uint8_t *info, size_t ilen)
{
    memset(b, 0, 28 + ilen);
    put32(b, 0, type);
    put32(b, 4, (uint32_t)(28 + ilen));
    put32(b, 8, rid);
    put32(b, 12, oid);
    put32(b, 16, (uint32_t)ilen);
    put32(b, 20, 20);
    put32(b, 24, 0);
    if (ilen)
        memcpy(b + 28, info, ilen);
    return 28 + ilen;
}

static size_t r_query_cmplt(uint8_t *b, uint32_t rid, uint32_t status, const uint8_t *info, size_t ilen)
{
    memset(b, 0, 24 + ilen);
    put32(b, 0, 0x80000004u);
    put32(b, 4, (uint32_t)(24 + ilen));
    put32(b, 8, rid);
    put32(b, 12, status);
    put32(b, 16, (uint32_t)ilen);
    put32(b, 20, ilen ? 16 : 0);
    if (ilen)
        memcpy(b + 24, info, ilen);
    return 24 + ilen;
}

static size_t r_status(uint8_t *b, uint32_t type, uint32_t rid, uint32_t status)
{
    memset(b, 0, 16);
    put32(b, 0, type);
    put32(b, 4, 16);
    put32(b, 8, rid);
    put32(b, 12, status);
    return 16;
}

/* A PPI element with a u32 payload (16 bytes); "type" includes bit 31 for internal types. */
static size_t ppi(uint8_t *b, uint32_t type, uint32_t value)
{
    put32(b, 0, 16);
    put32(b, 4, type);
    put32(b, 8, 12);
    put32(b, 12, value);
    return 16;
}

/* A PACKET_MSG: 44-byte header, PPIs at 36 (relative to 8), frame after them, padded to 8. */
static size_t r_packet(uint8_t *b, const uint8_t *ppis, size_t plen, const uint8_t *frame, size_t flen)
{
    size_t len = (44 + plen + flen + 7) & ~(size_t)7;
    memset(b, 0, len);
    put32(b, 0, 1);
    put32(b, 4, (uint32_t)len);
    put32(b, 8, (uint32_t)(36 + plen));
    put32(b, 12, (uint32_t)flen);
    put32(b, 28, plen ? 36 : 0);
    put32(b, 32, (uint32_t)plen);
    memcpy(b + 44, ppis, plen);
    memcpy(b + 44 + plen, frame, flen);
    return len;
}

static void write_netvsc(void)
{
    static uint8_t r[8192], r2[8192], frame[256], ppis[128], info[1024];
    struct nvsp m;
    size_t n;

    /* §2.7 initialisation: INIT, NDIS config and version, receive and send buffers. */
    m = nvsp_msg(1, 12);
    put32(m.b, 4, 0x00060001);
    put32(m.b, 8, 0x00060001);
    inband(G2H, 1, 1, &m);
    m = nvsp_msg(2, 16);
    put32(m.b, 4, 0x00060001);
    put32(m.b, 8, 0);
    put32(m.b, 12, 1);
    comp(H2G, 1, &m);
    m = nvsp_msg(125, 20);
    put32(m.b, 4, 1500 + 14);
    put64(m.b, 12, 0x4 | 0x8 | 0x20 | 0x80);
    inband(G2H, 0, 0xFFFFFFFFFFFFFFFDull, &m);
    m = nvsp_msg(100, 12);
    put32(m.b, 4, 6);
    put32(m.b, 8, 30);
    inband(G2H, 0, 0xFFFFFFFFFFFFFFFDull, &m);
    m = nvsp_msg(101, 10);
    put32(m.b, 4, 0xE1E10001u);
    put16(m.b, 8, 0xCAFE);
    inband(G2H, 1, 2, &m);
    m = nvsp_msg(102, 28);
    put32(m.b, 4, 1);
    put32(m.b, 8, 1);
    put32(m.b, 12, 0);
    put32(m.b, 16, 1728);
    put32(m.b, 20, 9709);
    put32(m.b, 24, 16777152);
    comp(H2G, 2, &m);
    m = nvsp_msg(104, 10);
    put32(m.b, 4, 0xE1E10002u);
    put16(m.b, 8, 0);
    inband(G2H, 1, 3, &m);
    m = nvsp_msg(105, 12);
    put32(m.b, 4, 1);
    put32(m.b, 8, 6144);
    comp(H2G, 3, &m);

    /* §3.9 RNDIS bring-up: INITIALIZE in send section 0, INITIALIZE_CMPLT in the receive buffer. */
    memset(r, 0, 24);
    put32(r, 0, 2);
    put32(r, 4, 24);
    put32(r, 8, 1);
    put32(r, 12, 1);
    put32(r, 16, 0);
    put32(r, 20, 0x4000);
    rndis_g2h(4, 1, 0, r, 24);
    memset(r, 0, 52);
    put32(r, 0, 0x80000002u);
    put32(r, 4, 52);
    put32(r, 8, 1);
    put32(r, 12, 0);
    put32(r, 16, 1);
    put32(r, 20, 0);
    put32(r, 24, 1);
    put32(r, 28, 0);
    put32(r, 32, 8);
    put32(r, 36, 0xEFFFFFFFu);
    put32(r, 40, 3);
    {
        const uint8_t *msgs[1] = { r };
        size_t lens[1] = { 52 };
        rndis_h2g(0x100, 1, msgs, lens, 1, 0);
    }

    /* QUERY OID_GEN_MAXIMUM_FRAME_SIZE sent by GPA direct; the reply in the receive buffer. */
    n = r_query_set(r, 4, 2, 0x00010106, NULL, 0);
    {
        uint8_t hx[8 + 16];
        memset(hx, 0, sizeof hx);
        put32(hx, 0, 0);
        put32(hx, 4, 1);
        put32(hx, 8, (uint32_t)n);
        put32(hx, 12, 0x80);
        put64(hx, 16, 0x12345);
        m = nvsp_msg(107, 16);
        put32(m.b, 4, 1);
        put32(m.b, 8, 0xFFFFFFFFu);
        vmbus(G2H, 0x9, 1, 5, hx, sizeof hx, m.b, m.len, r, n);
        m = nvsp_msg(108, 8);
        put32(m.b, 4, 1);
        comp(H2G, 5, &m);
    }
    put32(info, 0, 1500);
    n = r_query_cmplt(r, 2, 0, info, 4);
    {
        const uint8_t *msgs[1] = { r };
        size_t lens[1] = { n };
        rndis_h2g(0x101, 1, msgs, lens, 1, 1);
    }

    /* QUERY permanent address and friendly name; two completions in two ranges of one packet. */
    n = r_query_set(r, 4, 3, 0x01010101, NULL, 0);
    rndis_g2h(6, 1, 0, r, n);
    n = r_query_set(r, 4, 4, 0x00020216, NULL, 0);
    rndis_g2h(7, 1, 1, r, n);
    mac(info, 0, 0x12);
    size_t n1 = r_query_cmplt(r, 3, 0, info, 6);
    const char *fname = "Network Adapter";
    size_t fl = strlen(fname);
    memset(info, 0, 2 * fl + 2);
    for (size_t i = 0; i < fl; i++)
        put16(info, 2 * i, (uint16_t)fname[i]);
    size_t n2 = r_query_cmplt(r2, 4, 0, info, 2 * fl + 2);
    {
        const uint8_t *msgs[2] = { r, r2 };
        size_t lens[2] = { n1, n2 };
        rndis_h2g(0x102, 1, msgs, lens, 2, 0);
    }

    /* SET offload parameters (28 bytes, NVSP > 4) and the packet filter. */
    memset(info, 0, 28);
    info[0] = 0x80;
    info[1] = 3;
    put16(info, 2, 28);
    for (int i = 4; i <= 8; i++)
        info[i] = 4;
    info[11] = 2;
    info[12] = 2;
    info[22] = 2;
    info[23] = 2;
    n = r_query_set(r, 5, 5, 0xFC01020C, info, 28);
    rndis_g2h(8, 1, 0, r, n);
    n = r_status(r, 0x80000005u, 5, 0);
    {
        const uint8_t *msgs[1] = { r };
        size_t lens[1] = { n };
        rndis_h2g(0x103, 1, msgs, lens, 1, 0);
    }
    put32(info, 0, 0x0D);
    n = r_query_set(r, 5, 6, 0x0001010E, info, 4);
    rndis_g2h(9, 1, 0, r, n);

    /* RSS: capabilities query and parameters with table and key. */
    n = r_query_set(r, 4, 7, 0x00010203, NULL, 0);
    rndis_g2h(10, 1, 0, r, n);
    memset(info, 0, 20);
    info[0] = 0x88;
    info[1] = 2;
    put16(info, 2, 18);
    put32(info, 4, 0x100 | 0x200 | 0x01000000);
    put32(info, 8, 4);
    put32(info, 12, 4);
    put16(info, 16, 128);
    n1 = r_query_cmplt(r, 7, 0, info, 18);
    /* The filter's SET_CMPLT shares the RSS reply's transfer-page packet. */
    n2 = r_status(r2, 0x80000005u, 6, 0);
    {
        const uint8_t *msgs[2] = { r2, r };
        size_t lens[2] = { n2, n1 };
        rndis_h2g(0x104, 1, msgs, lens, 2, 0);
    }
    memset(info, 0, 40 + 16 * 4 + 40);
    info[0] = 0x89;
    info[1] = 2;
    put16(info, 2, 40);
    put16(info, 4, 0);
    put32(info, 8, 0x1 | 0x100 | 0x200 | 0x400 | 0x1000);
    put16(info, 12, 16 * 4);
    put32(info, 16, 40);
    put16(info, 20, 40);
    put32(info, 24, 40 + 16 * 4);
    for (int i = 0; i < 16; i++)
        put32(info, 40 + 4 * (size_t)i, (uint32_t)(i % 4));
    for (int i = 0; i < 40; i++)
        info[40 + 64 + i] = (uint8_t)(0x6d + i * 7);
    n = r_query_set(r, 5, 8, 0x00010204, info, 40 + 64 + 40);
    rndis_g2h(11, 1, 0, r, n);

    /* KEEPALIVE and RESET with their completions in one transfer-page packet. */
    memset(r, 0, 12);
    put32(r, 0, 8);
    put32(r, 4, 12);
    put32(r, 8, 9);
    rndis_g2h(12, 1, 0, r, 12);
    memset(r, 0, 12);
    put32(r, 0, 6);
    put32(r, 4, 12);
    rndis_g2h(13, 1, 0, r, 12);
    n1 = r_status(r, 0x80000008u, 9, 0);
    memset(r2, 0, 16);
    put32(r2, 0, 0x80000006u);
    put32(r2, 4, 16);
    put32(r2, 8, 0);
    put32(r2, 12, 1);
    {
        const uint8_t *msgs[2] = { r, r2 };
        size_t lens[2] = { n1, 16 };
        rndis_h2g(0x105, 1, msgs, lens, 2, 0);
    }

    /* INDICATE_STATUS: media connect, and a link-speed change with its buffer. */
    memset(r, 0, 24);
    put32(r, 0, 7);
    put32(r, 4, 20);
    put32(r, 8, 0x4001000Bu);
    memset(r2, 0, 24);
    put32(r2, 0, 7);
    put32(r2, 4, 24);
    put32(r2, 8, 0x40010013u);
    put32(r2, 12, 4);
    put32(r2, 16, 12);
    put32(r2, 20, 100000000);
    {
        const uint8_t *msgs[2] = { r, r2 };
        size_t lens[2] = { 20, 24 };
        rndis_h2g(0x106, 1, msgs, lens, 2, 0);
    }

    /* Sub-channels, the send indirection table, VF association and data-path switch. */
    m = nvsp_msg(133, 12);
    put32(m.b, 4, 1);
    put32(m.b, 8, 3);
    inband(G2H, 1, 14, &m);
    m = nvsp_msg(133, 12);
    put32(m.b, 4, 1);
    put32(m.b, 8, 3);
    comp(H2G, 14, &m);
    m = nvsp_msg(134, 12 + 64);
    put32(m.b, 4, 16);
    put32(m.b, 8, 12);
    for (int i = 0; i < 16; i++)
        put32(m.b, 12 + 4 * (size_t)i, (uint32_t)(i % 4));
    inband(H2G, 0, 0, &m);
    m = nvsp_msg(128, 12);
    put32(m.b, 4, 1);
    put32(m.b, 8, 7);
    inband(H2G, 1, 0x8000000000000000ull, &m);
    m = nvsp_msg(129, 8);
    put32(m.b, 4, 1);
    inband(G2H, 1, 15, &m);
    comp(H2G, 15, NULL);
    m = nvsp_msg(131, 12);
    put8(m.b, 4, 0x96);
    put8(m.b, 5, 1);
    put16(m.b, 6, 8);
    put32(m.b, 8, 0x00010107);
    inband(G2H, 1, 16, &m);
    m = nvsp_msg(132, 16);
    put32(m.b, 4, 1);
    put32(m.b, 8, 4);
    put32(m.b, 12, 100000000);
    comp(H2G, 16, &m);

    /* TX data: two PACKET_MSGs in one send-buffer section (hash, VLAN, checksum; LSO). */
    size_t fln = udp_frame(frame, 2, 3, "netvsc tx one");
    size_t pl = 0;
    pl += ppi(ppis + pl, 8, 1);
    pl += ppi(ppis + pl, 6, (10u << 4) | 3u);
    pl += ppi(ppis + pl, 0, 0x1 | 0x8 | (34u << 16));
    n1 = r_packet(r, ppis, pl, frame, fln);
    fln = udp_frame(frame, 2, 3, "netvsc tx two");
    pl = ppi(ppis, 2, 1460u | (34u << 20) | (1u << 30));
    n2 = r_packet(r + n1, ppis, pl, frame, fln);
    rndis_g2h(17, 0, 3, r, n1 + n2);

    /* TX data by GPA direct: RNDIS header page, then the frame across a page boundary. */
    {
        fln = udp_frame(frame, 2, 3, "netvsc tx gpa");
        pl = ppi(ppis, 0, 0x1 | 0x8 | (34u << 16));
        size_t hl = 44 + pl;
        memset(r, 0, hl);
        put32(r, 0, 1);
        put32(r, 4, (uint32_t)(hl + fln));
        put32(r, 8, (uint32_t)(36 + pl));
        put32(r, 12, (uint32_t)fln);
        put32(r, 28, 36);
        put32(r, 32, (uint32_t)pl);
        memcpy(r + 44, ppis, pl);
        memcpy(r + hl, frame, fln);
        uint8_t hx[8 + 16 + 24];
        memset(hx, 0, sizeof hx);
        put32(hx, 4, 2);
        put32(hx, 8, (uint32_t)hl);
        put32(hx, 12, 0x100);
        put64(hx, 16, 0x2000);
        put32(hx, 24, (uint32_t)fln);
        put32(hx, 28, 4060);
        put64(hx, 32, 0x3000);
        put64(hx, 40, 0x3001);
        m = nvsp_msg(107, 16);
        put32(m.b, 4, 0);
        put32(m.b, 8, 0xFFFFFFFFu);
        vmbus(G2H, 0x9, 1, 18, hx, sizeof hx, m.b, m.len, r, hl + fln);
        m = nvsp_msg(108, 8);
        put32(m.b, 4, 1);
        comp(H2G, 18, &m);
    }

    /* RX data: two PACKET_MSGs in two ranges (checksum, VLAN, hash, RSC packet id). */
    {
        fln = udp_frame(frame, 3, 2, "netvsc rx one");
        pl = 0;
        pl += ppi(ppis + pl, 0, 0x8 | 0x10 | 0x20);
        pl += ppi(ppis + pl, 6, 10u << 4);
        pl += ppi(ppis + pl, 8, 0x9E3779B9u);
        pl += ppi(ppis + pl, 9, 0x1 | 0x100);
        pl += ppi(ppis + pl, 0x80000001u, 1u | (0x6u << 8) | (0x0042u << 16));
        n1 = r_packet(r, ppis, pl, frame, fln);
        fln = udp_frame(frame, 3, 2, "netvsc rx two");
        pl = ppi(ppis, 0, 0x10 | 0x20);
        n2 = r_packet(r2, ppis, pl, frame, fln);
        const uint8_t *msgs[2] = { r, r2 };
        size_t lens[2] = { n1, n2 };
        rndis_h2g(0x107, 0, msgs, lens, 2, 0);
    }

    /* Message types without a layout in the reference, several in one send section. */
    {
        size_t o = 0;
        const uint32_t types[] = { 0x9, 0xFF000001u, 0x8001, 0x8002, 0x8005, 0x8006, 0x8007 };
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            memset(r + o, 0, 16);
            put32(r + o, 0, types[i]);
            put32(r + o, 4, 16);
            put32(r + o, 8, (uint32_t)(100 + i));
            o += 16;
        }
        rndis_g2h(19, 1, 2, r, o);
        o = 0;
        const uint32_t ctypes[] = { 0x80000009u, 0x80008001u, 0x80008002u, 0x80008005u, 0x80008006u };
        for (size_t i = 0; i < sizeof ctypes / sizeof ctypes[0]; i++) {
            memset(r + o, 0, 16);
            put32(r + o, 0, ctypes[i]);
            put32(r + o, 4, 16);
            put32(r + o, 8, (uint32_t)(100 + i));
            o += 16;
        }
        const uint8_t *msgs[1] = { r };
        size_t lens[1] = { o };
        rndis_h2g(0x108, 1, msgs, lens, 1, 0);
    }

    /* Legacy and rarely used NVSP messages: receive buffers allocated by NVSP 2, PD API, chimney. */
    m = nvsp_msg(120, 12);
    put32(m.b, 4, 1);
    put32(m.b, 8, 65536);
    inband(G2H, 1, 20, &m);
    m = nvsp_msg(121, 24);
    put32(m.b, 4, 1);
    put32(m.b, 8, 1);
    put32(m.b, 12, 0xE1E10003u);
    put64(m.b, 16, 0x77);
    comp(H2G, 20, &m);
    m = nvsp_msg(122, 12);
    put64(m.b, 4, 0x77);
    inband(G2H, 0, 0xFFFFFFFFFFFFFFFDull, &m);
    m = nvsp_msg(135, 8);
    put32(m.b, 4, 1);
    inband(G2H, 1, 21, &m);
    m = nvsp_msg(135, 8);
    put32(m.b, 4, 1);
    comp(H2G, 21, &m);
    {
        const uint32_t opaque[] = { 0, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119,
                                    123, 124, 126, 127, 130, 136 };
        for (size_t i = 0; i < sizeof opaque / sizeof opaque[0]; i++) {
            m = nvsp_msg(opaque[i], 4);
            put32(m.b, 4, (uint32_t)(0x1000 + i));
            inband(G2H, 0, 0xFFFFFFFFFFFFFFFDull, &m);
        }
    }

    /* VMBus packet types without NVSP payload. */
    {
        uint8_t hx[32];
        memset(hx, 0, sizeof hx);
        put32(hx, 0, 0xE1E10001u);
        put16(hx, 4, 0xCAFE);
        vmbus(H2G, 0x2, 0, 30, hx, 8, NULL, 0, NULL, 0);
        vmbus(H2G, 0x3, 0, 31, hx, 8, NULL, 0, NULL, 0);
        memset(hx, 0, sizeof hx);
        put32(hx, 0, 0xE1E10004u);
        put32(hx, 4, 1);
        put32(hx, 8, 8192);
        put32(hx, 12, 0);
        put64(hx, 16, 0x4000);
        put64(hx, 24, 0x4001);
        vmbus(G2H, 0x4, 0, 32, hx, 32, NULL, 0, NULL, 0);
        memset(hx, 0, sizeof hx);
        put32(hx, 0, 0xE1E10004u);
        vmbus(G2H, 0x5, 0, 33, hx, 8, NULL, 0, NULL, 0);
        memset(hx, 0, sizeof hx);
        put32(hx, 0, 0xE1E10001u);
        static const uint8_t opaque[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
        vmbus(G2H, 0x8, 0, 34, hx, 8, opaque, 8, NULL, 0);
        memset(hx, 0, sizeof hx);
        put64(hx, 0, 4096);
        put32(hx, 8, 0);
        put32(hx, 12, 8);
        vmbus(G2H, 0xD, 0, 35, hx, 16, opaque, 8, NULL, 0);
        vmbus(G2H, 0x1, 0, 36, NULL, 0, NULL, 0, NULL, 0);
        vmbus(G2H, 0xA, 0, 37, NULL, 0, NULL, 0, NULL, 0);
        vmbus(G2H, 0xC, 0, 38, NULL, 0, opaque, 8, NULL, 0);
        vmbus(G2H, 0x0, 0, 39, NULL, 0, NULL, 0, NULL, 0);
    }

    /* Data path back to synthetic, VF removed, then teardown (§2.9, §2.10). */
    m = nvsp_msg(129, 8);
    put32(m.b, 4, 0);
    inband(G2H, 1, 22, &m);
    comp(H2G, 22, NULL);
    m = nvsp_msg(128, 12);
    put32(m.b, 4, 0);
    put32(m.b, 8, 7);
    inband(H2G, 1, 0x8000000000000001ull, &m);
    memset(r, 0, 12);
    put32(r, 0, 3);
    put32(r, 4, 12);
    put32(r, 8, 10);
    rndis_g2h(23, 1, 0, r, 12);
    m = nvsp_msg(103, 6);
    put16(m.b, 4, 0xCAFE);
    inband(G2H, 0, 0xFFFFFFFFFFFFFFFDull, &m);
    m = nvsp_msg(106, 6);
    put16(m.b, 4, 0);
    inband(G2H, 0, 0xFFFFFFFFFFFFFFFDull, &m);
}

static int write_file(const char *dir, const char *name, void (*fill)(void))
{
    static char path[4096];
    char err[XSW_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    out_path = path;
    W = xsw_trace_writer_open(path, err, sizeof err);
    if (!W) {
        fprintf(stderr, "mkfixtures: %s\n", err);
        return 1;
    }
    fill();
    int rc = xsw_trace_writer_close(W);
    W = NULL;
    if (rc != 0) {
        fprintf(stderr, "mkfixtures: %s: close failed (%d)\n", path, rc);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkfixtures OUTDIR\n");
        return 2;
    }
    if (write_file(argv[1], "records.pcap", write_records) || write_file(argv[1], "netvsc.pcap", write_netvsc))
        return 1;
    return 0;
}
