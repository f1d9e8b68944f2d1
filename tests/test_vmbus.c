/*
 * test_vmbus.c - unit tests of the synthetic data path (include/xsw/vmbus.h,
 * reference/vmbus/): the VMBus / NVSP / RNDIS / PPI decoders on hand-built
 * good and bad bytes, and the NetVSC <-> NetVSP channel model - bring-up
 * order and content against ../shared/reference/vmbus-nvsp-rndis.md §2.7
 * and §3.9, version fallback, golden bytes of packets computed by hand from
 * the layouts of §1-3, TX and RX batching, VLAN tags, GPA-direct pages,
 * VF association and data-path switching, status indications, teardown,
 * hostile packets, determinism.
 *
 * Every packet the model emits is recorded and decoded again here with the
 * public decoders (and its shared bytes walked as dissectors/packet-vmbus.c
 * maps them); a packet that does not decode fails the test that produced it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "xsw/vmbus.h"

XSW_SUITE(vmbus, NULL, NULL)

/* ---- Recording what the channel emits ------------------------------------------------------- */

#define MAX_REC 512

struct pkt_rec {
    int dir;
    uint8_t *pkt, *shared;
    size_t len, slen;
    struct xsw_vmbus_pkt vp;   /* pointers into pkt */
    struct xsw_nvsp_msg nv;    /* valid when has_nv */
    int has_nv;
    char desc[256];
};

struct recorder {
    unsigned n;
    struct pkt_rec r[MAX_REC];
    unsigned bad;              /* packets that did not decode */
    char first_bad[512];
    unsigned errors;           /* ops->error calls */
    char last_error[512];
    char all_errors[4096];
    /* frames delivered */
    unsigned to_host, to_guest;
    uint8_t last_host_frame[2048], last_guest_frame[2048];
    size_t last_host_len, last_guest_len;
    struct xsw_pkt_info last_host_info, last_guest_info;
    uint64_t hash;             /* FNV-1a over every packet and its shared bytes */
};

static const char *short_nvsp(uint32_t t)
{
    const char *n = xsw_nvsp_type_name(t), *p = n ? strstr(n, "TYPE_") : NULL;
    return p ? p + 5 : "?";
}

static const char *short_rndis(uint32_t t)
{
    const char *n = xsw_rndis_msg_name(t);
    return n ? n + strlen("REMOTE_NDIS_") : "?";
}

/* Keep the first decoding failure: what was being decoded and the decoder's message. */
static void bad(struct recorder *rc, const char *what, const char *layer, const char *err)
{
    if (!rc->bad++)
        snprintf(rc->first_bad, sizeof rc->first_bad, "%.200s: %.20s: %.250s", what, layer, err);
}

/* Walk one RNDIS buffer; append "NAME(OID)" per message to desc. */
static void describe_rndis(struct recorder *rc, struct pkt_rec *r, const uint8_t *b, size_t len, int one)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_msg m;
    size_t pos = 0;
    int k, n = 0;
    while ((k = xsw_rndis_next(b, len, &pos, &m, err, sizeof err)) > 0) {
        n++;
        size_t dl = strlen(r->desc);
        if (m.type == XSW_REMOTE_NDIS_QUERY_MSG || m.type == XSW_REMOTE_NDIS_SET_MSG)
            snprintf(r->desc + dl, sizeof r->desc - dl, " %s(%s)", short_rndis(m.type), xsw_oid_name(m.u.req.oid));
        else
            snprintf(r->desc + dl, sizeof r->desc - dl, " %s", short_rndis(m.type));
        if (m.type == XSW_REMOTE_NDIS_PACKET_MSG) {
            size_t pp = 0;
            struct xsw_rndis_ppi p;
            int q;
            while ((q = xsw_rndis_ppi_next(m.u.pkt.ppi, m.u.pkt.ppi_len, &pp, &p, err, sizeof err)) > 0)
                ;
            if (q < 0)
                bad(rc, r->desc, "PPI", err);
        }
    }
    if (k < 0)
        bad(rc, r->desc, "RNDIS", err);
    if (one && n != 1)
        bad(rc, r->desc, "ranges", "a transfer-page range does not hold exactly one RNDIS message");
}

static void rec_emit(void *ctx, int dir, const uint8_t *pkt, size_t len, const uint8_t *shared, size_t slen)
{
    struct recorder *rc = ctx;
    for (size_t i = 0; i < len; i++)
        rc->hash = (rc->hash ^ pkt[i]) * 0x100000001B3ull;
    for (size_t i = 0; i < slen; i++)
        rc->hash = (rc->hash ^ shared[i]) * 0x100000001B3ull;
    rc->hash = (rc->hash ^ (uint64_t)dir) * 0x100000001B3ull;
    if (rc->n == MAX_REC)
        return;
    struct pkt_rec *r = &rc->r[rc->n++];
    memset(r, 0, sizeof *r);
    r->dir = dir;
    r->pkt = malloc(len);
    memcpy(r->pkt, pkt, len);
    r->len = len;
    if (slen) {
        r->shared = malloc(slen);
        memcpy(r->shared, shared, slen);
        r->slen = slen;
    }
    char err[XSW_ERRBUF_SIZE];
    if (xsw_vmbus_pkt_decode(r->pkt, len, &r->vp, err, sizeof err)) {
        bad(rc, "packet", "VMBus", err);
        snprintf(r->desc, sizeof r->desc, "BAD");
        return;
    }
    const char *tn = xsw_vmbus_pkt_name(r->vp.type);
    snprintf(r->desc, sizeof r->desc, "%s %s%s", dir ? "h2g" : "g2h", tn + strlen("VM_PKT_"),
             r->vp.flags & 1 ? "+RC" : "");
    size_t dl = strlen(r->desc);
    if (r->vp.payload_len == 0) {
        snprintf(r->desc + dl, sizeof r->desc - dl, " (empty)");
    } else if (xsw_nvsp_decode(r->vp.payload, r->vp.payload_len, &r->nv, err, sizeof err)) {
        bad(rc, r->desc, "NVSP", err);
        return;
    } else {
        r->has_nv = 1;
        snprintf(r->desc + dl, sizeof r->desc - dl, " %s", short_nvsp(r->nv.type));
    }
    /* Shared bytes, mapped as dissectors/packet-vmbus.c maps them. */
    if (r->vp.type == XSW_VM_PKT_DATA_USING_XFER_PAGES) {
        struct xsw_vmbus_range_iter it = XSW_VMBUS_RANGE_ITER_INIT;
        struct xsw_vmbus_range g;
        size_t off = 0;
        while (xsw_vmbus_range_next(&r->vp, &it, &g) > 0) {
            if (off + g.byte_count > slen) {
                bad(rc, r->desc, "shared", "shared bytes shorter than the ranges");
                return;
            }
            describe_rndis(rc, r, shared + off, g.byte_count, 1);
            off += g.byte_count;
        }
        if (off != slen)
            bad(rc, r->desc, "shared", "shared bytes longer than the ranges");
    } else if (r->vp.type == XSW_VM_PKT_DATA_USING_GPA_DIRECT) {
        if (r->vp.range_bytes != slen)
            bad(rc, r->desc, "shared", "shared bytes differ from the GPA ranges' byte counts");
        describe_rndis(rc, r, shared, slen, 0);
    } else if (r->has_nv && r->nv.type == XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT &&
               r->nv.u.rndis_pkt.section_index != XSW_NETVSC_INVALID_INDEX) {
        if (r->nv.u.rndis_pkt.section_size != slen)
            bad(rc, r->desc, "shared", "shared bytes differ from send_buf_section_size");
        describe_rndis(rc, r, shared, slen, 0);
    } else if (slen) {
        bad(rc, r->desc, "shared", "shared bytes with a packet that references none");
    }
}

static void rec_error(void *ctx, const char *msg)
{
    struct recorder *rc = ctx;
    rc->errors++;
    snprintf(rc->last_error, sizeof rc->last_error, "%s", msg);
    size_t n = strlen(rc->all_errors);
    snprintf(rc->all_errors + n, sizeof rc->all_errors - n, "%s\n", msg);
}

static void rec_to_host(void *ctx, const uint8_t *f, size_t len, const struct xsw_pkt_info *info)
{
    struct recorder *rc = ctx;
    rc->to_host++;
    rc->last_host_len = len;
    memcpy(rc->last_host_frame, f, len < sizeof rc->last_host_frame ? len : sizeof rc->last_host_frame);
    rc->last_host_info = *info;
}

static void rec_to_guest(void *ctx, const uint8_t *f, size_t len, const struct xsw_pkt_info *info)
{
    struct recorder *rc = ctx;
    rc->to_guest++;
    rc->last_guest_len = len;
    memcpy(rc->last_guest_frame, f, len < sizeof rc->last_guest_frame ? len : sizeof rc->last_guest_frame);
    rc->last_guest_info = *info;
}

static void rec_reset(struct recorder *rc)
{
    for (unsigned i = 0; i < rc->n; i++) {
        free(rc->r[i].pkt);
        free(rc->r[i].shared);
    }
    rc->n = 0;
}

static struct recorder *rec_new(void)
{
    struct recorder *rc = calloc(1, sizeof *rc);
    rc->hash = 0xCBF29CE484222325ull;
    return rc;
}

static void rec_free(struct recorder *rc)
{
    rec_reset(rc);
    free(rc);
}

static const struct xsw_vmchan_ops rec_ops = { rec_emit, rec_to_host, rec_to_guest, rec_error };

static const uint8_t MAC[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };

static struct xsw_vmchan_cfg base_cfg(void)
{
    struct xsw_vmchan_cfg c;
    memset(&c, 0, sizeof c);
    c.relid = 9;
    memcpy(c.mac, MAC, 6);
    c.seed = 42;
    return c;
}

/* A channel that is up, with the recorder cleared after bring-up unless "keep". */
static struct xsw_vmchan *up(const struct xsw_vmchan_cfg *cfg, struct recorder *rc, int keep)
{
    struct xsw_vmchan *ch = xsw_vmchan_new(cfg, &rec_ops, rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ch);
    int r = xsw_vmchan_bringup(ch);
    if (r)
        fprintf(stderr, "bring-up: %s\n", xsw_vmchan_error(ch));
    CU_ASSERT_EQUAL_FATAL(r, 0);
    if (!keep)
        rec_reset(rc);
    return ch;
}

/* Every packet decoded; no endpoint complained. */
static void assert_clean(const struct recorder *rc)
{
    if (rc->bad)
        fprintf(stderr, "undecodable packet: %s\n", rc->first_bad);
    if (rc->errors)
        fprintf(stderr, "channel error: %s\n", rc->last_error);
    CU_ASSERT_EQUAL(rc->bad, 0);
    CU_ASSERT_EQUAL(rc->errors, 0);
}

/* An IPv4 frame to "dst": TCP (6) or UDP (17), optionally with an in-band 802.1Q tag. */
static uint32_t mkframe(uint8_t *f, uint32_t len, const uint8_t *dst, uint8_t proto, uint16_t tci, uint8_t fill)
{
    memset(f, fill, len);
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x00\x15\x5d\x77\x77\x77", 6);
    uint32_t o = 12;
    if (tci) {
        f[12] = 0x81;
        f[13] = 0x00;
        f[14] = (uint8_t)(tci >> 8);
        f[15] = (uint8_t)tci;
        o = 16;
    }
    f[o] = 0x08;
    f[o + 1] = 0x00;
    f[o + 2] = 0x45;
    f[o + 2 + 6] = 0;
    f[o + 2 + 7] = 0;
    f[o + 2 + 9] = proto;
    memcpy(f + o + 2 + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    return len;
}

static const uint8_t PEER[6] = { 0x00, 0x15, 0x5d, 0x09, 0x09, 0x09 };

/* ---- Bring-up --------------------------------------------------------------------------------- */

struct seq {
    unsigned n;
    char s[128][160];
};

static void add(struct seq *q, const char *s)
{
    snprintf(q->s[q->n++], sizeof q->s[0], "%s", s);
}

/* One RNDIS transaction = 4 VMBus packets (§3.8); HALT has no answer, so 2. */
static void txn(struct seq *q, const char *req, const char *cmplt)
{
    char b[160];
    snprintf(b, sizeof b, "g2h DATA_USING_GPA_DIRECT+RC SEND_RNDIS_PKT %s", req);
    add(q, b);
    add(q, "h2g COMP SEND_RNDIS_PKT_COMPLETE");
    if (!cmplt)
        return;
    snprintf(b, sizeof b, "h2g DATA_USING_XFER_PAGES SEND_RNDIS_PKT %s", cmplt);
    add(q, b);
    add(q, "g2h COMP SEND_RNDIS_PKT_COMPLETE");
}

static void expect_prologue(struct seq *q, unsigned refused, int ndis_config)
{
    for (unsigned i = 0; i <= refused; i++) {
        add(q, "g2h DATA_INBAND+RC INIT");
        add(q, "h2g COMP INIT_COMPLETE");
    }
    if (ndis_config)
        add(q, "g2h DATA_INBAND SEND_NDIS_CONFIG");
    add(q, "g2h DATA_INBAND SEND_NDIS_VER");
    add(q, "g2h DATA_INBAND+RC SEND_RECV_BUF");
    add(q, "h2g COMP SEND_RECV_BUF_COMPLETE");
    add(q, "g2h DATA_INBAND+RC SEND_SEND_BUF");
    add(q, "h2g COMP SEND_SEND_BUF_COMPLETE");
    txn(q, "INITIALIZE_MSG", "INITIALIZE_CMPLT");
    txn(q, "QUERY_MSG(OID_GEN_MAXIMUM_FRAME_SIZE)", "QUERY_CMPLT");
    txn(q, "QUERY_MSG(OID_802_3_PERMANENT_ADDRESS)", "QUERY_CMPLT");
    txn(q, "QUERY_MSG(OID_GEN_FRIENDLY_NAME)", "QUERY_CMPLT");
    txn(q, "QUERY_MSG(OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES)", "QUERY_CMPLT");
    txn(q, "SET_MSG(OID_TCP_OFFLOAD_PARAMETERS)", "SET_CMPLT");
    txn(q, "QUERY_MSG(OID_GEN_MEDIA_CONNECT_STATUS)", "QUERY_CMPLT");
}

static void expect_rss(struct seq *q)
{
    txn(q, "QUERY_MSG(OID_GEN_LINK_SPEED)", "QUERY_CMPLT");
    txn(q, "QUERY_MSG(OID_GEN_RECEIVE_SCALE_CAPABILITIES)", "QUERY_CMPLT");
    add(q, "g2h DATA_INBAND+RC SUBCHANNEL");
    add(q, "h2g COMP SUBCHANNEL");
    add(q, "h2g DATA_INBAND SEND_INDIRECTION_TABLE");
    txn(q, "SET_MSG(OID_GEN_RECEIVE_SCALE_PARAMETERS)", "SET_CMPLT");
    txn(q, "SET_MSG(OID_GEN_RECEIVE_SCALE_PARAMETERS)", "SET_CMPLT");
}

static void check_seq(const struct recorder *rc, const struct seq *q)
{
    unsigned n = rc->n < q->n ? rc->n : q->n;
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(rc->r[i].desc, q->s[i])) {
            fprintf(stderr, "packet %u: expected \"%s\" vs actual \"%s\"\n", i + 1, q->s[i], rc->r[i].desc);
            CU_FAIL("packet sequence differs");
            return;
        }
    }
    if (rc->n != q->n)
        fprintf(stderr, "expected %u packets vs actual %u\n", q->n, rc->n);
    CU_ASSERT_EQUAL(rc->n, q->n);
}

XSW_TEST(vmbus, bringup_sequence_v61)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 1);
    struct seq q = { 0 };
    expect_prologue(&q, 0, 1);
    expect_rss(&q);
    txn(&q, "SET_MSG(OID_GEN_CURRENT_PACKET_FILTER)", "SET_CMPLT");
    check_seq(rc, &q);
    assert_clean(rc);

    /* Content: INIT offers V61 only; NDIS 6.30; capabilities for V61; buffers. */
    CU_ASSERT_EQUAL(rc->r[0].nv.u.init.min_ver, XSW_NVSP_PROTOCOL_VERSION_61);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.init.max_ver, XSW_NVSP_PROTOCOL_VERSION_61);
    CU_ASSERT_EQUAL(rc->r[1].nv.u.init_complete.status, XSW_NVSP_STAT_SUCCESS);
    CU_ASSERT_EQUAL(rc->r[2].nv.u.ndis_config.mtu, 1500 + 14);
    CU_ASSERT_EQUAL(rc->r[2].nv.u.ndis_config.capability, XSW_NVSP_VSC_CAP_IEEE8021Q | XSW_NVSP_VSC_CAP_SRIOV |
                                                              XSW_NVSP_VSC_CAP_TEAMING | XSW_NVSP_VSC_CAP_RSC);
    CU_ASSERT_EQUAL(rc->r[3].nv.u.ndis_ver.major, 6);
    CU_ASSERT_EQUAL(rc->r[3].nv.u.ndis_ver.minor, 30);
    CU_ASSERT_EQUAL(rc->r[4].nv.u.buf.id, XSW_NETVSC_RECEIVE_BUFFER_ID);
    struct xsw_nvsp_section s;
    CU_ASSERT_EQUAL(rc->r[5].nv.u.recv_buf_complete.num_sections, 1);
    CU_ASSERT_EQUAL(xsw_nvsp_recv_section(&rc->r[5].nv, 0, &s), 0);
    CU_ASSERT_EQUAL(s.offset, 0);
    CU_ASSERT_EQUAL(s.sub_alloc_size, XSW_NETVSC_RECV_SECTION_SIZE);
    CU_ASSERT_EQUAL(rc->r[6].nv.u.buf.id, XSW_NETVSC_SEND_BUFFER_ID);
    CU_ASSERT_EQUAL(rc->r[7].nv.u.send_buf_complete.section_size, XSW_NETVSC_SEND_SECTION_SIZE);
    /* Messages without completion carry VMBUS_RQST_ID_NO_RESPONSE; requests use requestor slot 1. */
    CU_ASSERT_EQUAL(rc->r[2].vp.trans_id, XSW_VMBUS_RQST_ID_NO_RESPONSE);
    CU_ASSERT_EQUAL(rc->r[0].vp.trans_id, 1);

    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT(st.up);
    CU_ASSERT_EQUAL(st.nvsp_version, XSW_NVSP_PROTOCOL_VERSION_61);
    CU_ASSERT_EQUAL(st.ndis_version, XSW_NDIS_VERSION_6_30);
    CU_ASSERT_EQUAL(st.max_pkt, 8);
    CU_ASSERT_EQUAL(st.pkt_align, 8);
    CU_ASSERT_EQUAL(memcmp(st.mac, MAC, 6), 0);
    CU_ASSERT_STRING_EQUAL(st.friendly_name, "Network Adapter");
    CU_ASSERT(st.link_up);
    CU_ASSERT_EQUAL(st.link_speed, 100000000u);
    CU_ASSERT_EQUAL(st.num_chn, 4);
    CU_ASSERT_EQUAL(st.packet_filter, 0x0D);
    CU_ASSERT(st.rss_enabled);
    CU_ASSERT_EQUAL(st.rss_table_size, XSW_ITAB_NUM);
    CU_ASSERT_EQUAL(st.indirection_tables, 1);
    for (int i = 0; i < 16; i++)
        CU_ASSERT_EQUAL(st.tx_table[i], (uint32_t)i % 4);
    CU_ASSERT_EQUAL(st.offload_tx_mask, 0x33);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, version_fallback_to_v5)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.host_max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_5;
    struct xsw_vmchan *ch = up(&cfg, rc, 1);
    struct seq q = { 0 };
    expect_prologue(&q, 2, 1);
    expect_rss(&q);
    txn(&q, "SET_MSG(OID_GEN_CURRENT_PACKET_FILTER)", "SET_CMPLT");
    check_seq(rc, &q);
    assert_clean(rc);
    static const uint32_t tried[3] = { XSW_NVSP_PROTOCOL_VERSION_61, XSW_NVSP_PROTOCOL_VERSION_6,
                                       XSW_NVSP_PROTOCOL_VERSION_5 };
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(rc->r[2 * i].nv.u.init.min_ver, tried[i]);
        CU_ASSERT_EQUAL(rc->r[2 * i].nv.u.init.max_ver, tried[i]);
        CU_ASSERT_EQUAL(rc->r[2 * i + 1].nv.u.init_complete.status,
                        i < 2 ? XSW_NVSP_STAT_FAIL : XSW_NVSP_STAT_SUCCESS);
        /* Before V61 the host pads its messages to 28 bytes (OpenVMM PACKET_SIZE_V1). */
        CU_ASSERT_EQUAL(rc->r[2 * i + 1].len, 48);
    }
    /* V5: sriov and teaming, no rsc; NDIS 6.30. */
    CU_ASSERT_EQUAL(rc->r[6].nv.u.ndis_config.capability,
                    XSW_NVSP_VSC_CAP_IEEE8021Q | XSW_NVSP_VSC_CAP_SRIOV | XSW_NVSP_VSC_CAP_TEAMING);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_EQUAL(st.nvsp_version, XSW_NVSP_PROTOCOL_VERSION_5);
    CU_ASSERT_EQUAL(st.init_attempts, 3);
    CU_ASSERT_EQUAL(st.ndis_version, XSW_NDIS_VERSION_6_30);
    /* The host's table arrives at offset 40 and, under the <= V6 quirk, is read from 40. */
    CU_ASSERT_EQUAL(st.indirection_tables, 1);
    CU_ASSERT_EQUAL(st.tx_table[5], 1);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, v4_guest_uses_ndis_6_1_and_no_rss)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_4;
    struct xsw_vmchan *ch = up(&cfg, rc, 1);
    struct seq q = { 0 };
    expect_prologue(&q, 0, 1);
    txn(&q, "SET_MSG(OID_GEN_CURRENT_PACKET_FILTER)", "SET_CMPLT");
    check_seq(rc, &q);
    assert_clean(rc);
    CU_ASSERT_EQUAL(rc->r[3].nv.u.ndis_ver.major, 6);
    CU_ASSERT_EQUAL(rc->r[3].nv.u.ndis_ver.minor, 1);
    CU_ASSERT_EQUAL(rc->r[2].nv.u.ndis_config.capability, XSW_NVSP_VSC_CAP_IEEE8021Q);
    /* OFFLOAD_PARAMETERS: VERSION_4_OFFLOAD_SIZE (22) bytes and no UDP checksum. */
    const struct pkt_rec *set = &rc->r[8 + 5 * 4];
    CU_ASSERT_EQUAL(set->slen, 28 + 22);
    CU_ASSERT_EQUAL(set->shared[28 + 6], 0);
    CU_ASSERT_EQUAL(set->shared[28 + 8], 0);
    /* The hardware-capability query names revision 2 for V4 (NDIS_OFFLOAD_SIZE_6_1 bytes). */
    const struct pkt_rec *hw = &rc->r[8 + 4 * 4];
    CU_ASSERT_EQUAL(hw->slen, 28 + XSW_NDIS_OFFLOAD_SIZE_6_1);
    CU_ASSERT_EQUAL(hw->shared[29], XSW_NDIS_OFFLOAD_PARAMETERS_REVISION_2);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_EQUAL(st.ndis_version, XSW_NDIS_VERSION_6_1);
    CU_ASSERT_EQUAL(st.num_chn, 1);
    CU_ASSERT_EQUAL(st.offload_tx_mask, 0x11);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, v1_guest_sends_no_ndis_config)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_1;
    struct xsw_vmchan *ch = up(&cfg, rc, 1);
    struct seq q = { 0 };
    expect_prologue(&q, 0, 0);
    txn(&q, "SET_MSG(OID_GEN_CURRENT_PACKET_FILTER)", "SET_CMPLT");
    check_seq(rc, &q);
    assert_clean(rc);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, all_versions_refused)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_4;
    cfg.host_max_nvsp_version = 1; /* below every version */
    CU_ASSERT_PTR_NULL(xsw_vmchan_new(&cfg, &rec_ops, rc)); /* not a known version */
    cfg.host_max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_61;
    cfg.mtu = 40;
    CU_ASSERT_PTR_NULL(xsw_vmchan_new(&cfg, &rec_ops, rc));
    rec_free(rc);
}

/* ---- Golden bytes ------------------------------------------------------------------------------- */

XSW_TEST(vmbus, golden_init_packet)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 1);
    /* §1.1 + §2.5: 16-byte descriptor (INBAND, offset8 2, len8 7, RC, trans_id 1), then the
       40-byte nvsp_message {INIT, min 0x60001, max 0x60001} zero-padded. */
    uint8_t want[56] = { 0x06, 0x00, 0x02, 0x00, 0x07, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0,
                         0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x01, 0x00, 0x06, 0x00 };
    CU_ASSERT_EQUAL(rc->r[0].len, sizeof want);
    CU_ASSERT_EQUAL(memcmp(rc->r[0].pkt, want, sizeof want), 0);
    /* The guest's RX ack (Linux netvsc_send_recv_completion): COMP, offset8 2, len8 3, flags 0, echoed
       trans_id, {108, SUCCESS} - 24 bytes. Packet 12 acks the INITIALIZE_CMPLT transfer. */
    const struct pkt_rec *xfer = &rc->r[10], *ack = &rc->r[11];
    CU_ASSERT_EQUAL(xfer->vp.type, XSW_VM_PKT_DATA_USING_XFER_PAGES);
    uint8_t want_ack[24] = { 0x0B, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00 };
    memcpy(want_ack + 8, xfer->pkt + 8, 8);
    memcpy(want_ack + 16, "\x6c\x00\x00\x00\x01\x00\x00\x00", 8);
    CU_ASSERT_EQUAL(ack->len, sizeof want_ack);
    CU_ASSERT_EQUAL(memcmp(ack->pkt, want_ack, sizeof want_ack), 0);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, golden_xfer_page_header_and_packet_msg)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    uint8_t f[3][64];
    for (int i = 0; i < 3; i++)
        mkframe(f[i], 64, MAC, 6, 0, (uint8_t)i);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f[0], 64, 0), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f[1], 64, 0x2005), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f[2], 64, 0), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_flush(ch), 3);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 2);
    const struct pkt_rec *x = &rc->r[0];
    const uint8_t *p = x->pkt;
    /* §1.3: type 7, offset8 = (24 + 3 * 8) / 8 = 6, len8 = (48 + 40) / 8 = 11, flags 0. */
    CU_ASSERT_EQUAL(x->len, 88);
    CU_ASSERT_EQUAL(p[0] | p[1] << 8, 7);
    CU_ASSERT_EQUAL(p[2] | p[3] << 8, 6);
    CU_ASSERT_EQUAL(p[4] | p[5] << 8, 11);
    CU_ASSERT_EQUAL(p[6] | p[7] << 8, 0);
    CU_ASSERT_EQUAL(p[16] | p[17] << 8, 0xCAFE);
    CU_ASSERT_EQUAL(p[20], 3);
    /* Ranges: byte_count = 44 + PPIs + 64 (RSS on: hash PPI 16; frame 1 also the VLAN PPI),
       byte_offset = section * 1728 (sections handed out from 0). */
    static const uint32_t cnt[3] = { 44 + 16 + 64, 44 + 32 + 64, 44 + 16 + 64 };
    uint32_t first = p[28] | p[29] << 8 | p[30] << 16 | (uint32_t)p[31] << 24;
    CU_ASSERT_EQUAL(first % XSW_NETVSC_RECV_SECTION_SIZE, 0);
    for (int i = 0; i < 3; i++) {
        const uint8_t *r = p + 24 + 8 * i;
        CU_ASSERT_EQUAL((uint32_t)(r[0] | r[1] << 8), cnt[i]);
        uint32_t off = r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24;
        CU_ASSERT_EQUAL(off, first + (uint32_t)i * XSW_NETVSC_RECV_SECTION_SIZE);
    }
    /* NVSP 107 {data, 0xFFFFFFFF, 0} at offset8 * 8 = 48. */
    CU_ASSERT_EQUAL(p[48], 107);
    CU_ASSERT_EQUAL(p[52], 0);
    CU_ASSERT_EQUAL(memcmp(p + 56, "\xff\xff\xff\xff\x00\x00\x00\x00", 8), 0);
    /* The second range's PACKET_MSG: PPIs at 36, data at 36 + 32, the 802.1Q PPI holds
       pri 1 (bits 0-2), cfi 0, vid 5 (bits 4-15). */
    const uint8_t *m = x->shared + cnt[0];
    uint8_t want[44 + 32] = { 0x01, 0, 0, 0, 44 + 32 + 64, 0, 0, 0, 36 + 32, 0, 0, 0, 64, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 36, 0, 0, 0, 32, 0, 0, 0 };
    memcpy(want + 44, "\x10\x00\x00\x00\x06\x00\x00\x00\x0c\x00\x00\x00\x51\x00\x00\x00", 16);
    memcpy(want + 60, "\x10\x00\x00\x00\x08\x00\x00\x00\x0c\x00\x00\x00", 12);
    CU_ASSERT_EQUAL(memcmp(m, want, 72), 0);
    CU_ASSERT_EQUAL(memcmp(m + 76, f[1], 64), 0);
    /* The guest got the frame back with its tag. */
    CU_ASSERT_EQUAL(rc->to_guest, 3);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

/* ---- Guest TX -------------------------------------------------------------------------------------- */

XSW_TEST(vmbus, tx_batches_eight_per_section)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    uint8_t f[10][80];
    struct xsw_frame_in in[10];
    for (int i = 0; i < 10; i++) {
        mkframe(f[i], 61 + (uint32_t)i, PEER, 17, 0, (uint8_t)i); /* odd sizes need padding */
        in[i] = (struct xsw_frame_in){ .data = f[i], .len = 61 + (uint32_t)i };
    }
    /* 8 frames: one SEND_RNDIS_PKT, one section, 8 PACKET_MSGs; every one but the last padded to 8. */
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, in, 8), 8);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 2);
    CU_ASSERT_STRING_EQUAL(rc->r[0].desc, "g2h DATA_INBAND+RC SEND_RNDIS_PKT PACKET_MSG PACKET_MSG PACKET_MSG "
                                          "PACKET_MSG PACKET_MSG PACKET_MSG PACKET_MSG PACKET_MSG");
    CU_ASSERT_STRING_EQUAL(rc->r[1].desc, "h2g COMP SEND_RNDIS_PKT_COMPLETE");
    CU_ASSERT_EQUAL(rc->r[1].vp.trans_id, rc->r[0].vp.trans_id);
    CU_ASSERT_EQUAL(rc->r[1].nv.u.rndis_pkt_complete.status, XSW_NVSP_STAT_SUCCESS);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.rndis_pkt.channel_type, XSW_NVSP_CHANNEL_TYPE_DATA);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.rndis_pkt.section_index, 0);
    size_t pos = 0, total = 0;
    struct xsw_rndis_msg m;
    char err[XSW_ERRBUF_SIZE];
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL_FATAL(xsw_rndis_next(rc->r[0].shared, rc->r[0].slen, &pos, &m, err, sizeof err), 1);
        uint32_t raw = 44 + 61 + (uint32_t)i;
        CU_ASSERT_EQUAL(m.off % 8, 0);
        CU_ASSERT_EQUAL(m.len, i < 7 ? (raw + 7) & ~7u : raw);
        CU_ASSERT_EQUAL(m.u.pkt.ppi_off, 36);
        CU_ASSERT_EQUAL(m.u.pkt.ppi_len, 0); /* one queue would send no hash PPI; here hash = 0 */
        CU_ASSERT_EQUAL(m.u.pkt.data_off, 36);
        CU_ASSERT_EQUAL(m.u.pkt.data_len, 61 + (uint32_t)i);
        CU_ASSERT_EQUAL(memcmp(m.u.pkt.data, f[i], 61 + (size_t)i), 0);
        total += m.len;
    }
    CU_ASSERT_EQUAL(rc->r[0].nv.u.rndis_pkt.section_size, total);
    CU_ASSERT_EQUAL(rc->to_host, 8);

    /* 10 frames: 8 + 2 in two sections; the 8th message of the first is padded too (more follow). */
    rec_reset(rc);
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, in, 10), 10);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 4);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.rndis_pkt.section_size % 8, 0);
    CU_ASSERT_STRING_EQUAL(rc->r[2].desc, "g2h DATA_INBAND+RC SEND_RNDIS_PKT PACKET_MSG PACKET_MSG");
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_EQUAL(st.tx_completed, 18);
    CU_ASSERT_EQUAL(st.tx_msgs, 3);
    CU_ASSERT_EQUAL(rc->to_host, 18);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, tx_large_frames_fill_sections_by_size)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    static uint8_t f[8][1514];
    struct xsw_frame_in in[8];
    for (int i = 0; i < 8; i++) {
        mkframe(f[i], 1514, PEER, 6, 0, (uint8_t)i);
        in[i] = (struct xsw_frame_in){ .data = f[i], .len = 1514 };
    }
    /* (44 + 1514) rounded to 1560: 3 fit a 6144-byte section with room for alignment, so 3 + 3 + 2. */
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, in, 8), 8);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 6);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.rndis_pkt.section_size, 3 * 1560);
    CU_ASSERT_EQUAL(rc->r[4].nv.u.rndis_pkt.section_size, 1560 + 1558);
    CU_ASSERT_EQUAL(rc->to_host, 8);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, tx_vlan_stripped_into_ppi_and_restored)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    uint8_t f[68];
    mkframe(f, sizeof f, PEER, 6, 0x600A /* pri 3, vid 10 */, 0x5A);
    struct xsw_frame_in in = { .data = f, .len = sizeof f, .hash = 0xABCD, .csum = 1 };
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, &in, 1), 1);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 2);
    /* On the wire: untagged 64-byte frame, PPIs hash, 802.1Q, checksum in Linux's order. */
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_msg m;
    size_t pos = 0;
    CU_ASSERT_EQUAL_FATAL(xsw_rndis_next(rc->r[0].shared, rc->r[0].slen, &pos, &m, err, sizeof err), 1);
    CU_ASSERT_EQUAL(m.u.pkt.data_len, 64);
    CU_ASSERT_EQUAL(m.u.pkt.ppi_len, 48);
    CU_ASSERT_EQUAL(m.u.pkt.data_off, 36 + 48);
    CU_ASSERT_EQUAL(m.u.pkt.data[12], 0x08); /* EtherType right after the MACs */
    struct xsw_rndis_ppi p;
    size_t pp = 0;
    static const uint32_t types[3] = { XSW_NBL_HASH_VALUE, XSW_IEEE_8021Q_INFO, XSW_TCPIP_CHKSUM_PKTINFO };
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL_FATAL(xsw_rndis_ppi_next(m.u.pkt.ppi, m.u.pkt.ppi_len, &pp, &p, err, sizeof err), 1);
        CU_ASSERT_EQUAL(p.size, 16);
        CU_ASSERT_EQUAL(p.ppi_offset, 12);
        CU_ASSERT_EQUAL(p.type, types[i]);
        CU_ASSERT_FALSE(p.internal);
    }
    /* The host restored the tag: the switch sees the frame the guest stack had. */
    CU_ASSERT_EQUAL(rc->to_host, 1);
    CU_ASSERT_EQUAL(rc->last_host_len, sizeof f);
    CU_ASSERT_EQUAL(memcmp(rc->last_host_frame, f, sizeof f), 0);
    CU_ASSERT_EQUAL(rc->last_host_info.flags, XSW_PKT_INFO_VLAN | XSW_PKT_INFO_HASH | XSW_PKT_INFO_CSUM);
    CU_ASSERT_EQUAL(rc->last_host_info.vlan_tci, 0x600A);
    CU_ASSERT_EQUAL(rc->last_host_info.hash, 0xABCD);
    /* is_ipv4 | tcp_checksum | tcp_header_offset 14 + 20 = 34. */
    CU_ASSERT_EQUAL(rc->last_host_info.csum, 1u | 4u | 34u << 16);

    /* An out-of-band tag (skb hwaccel) ends up the same way. */
    uint8_t g[64];
    mkframe(g, sizeof g, PEER, 17, 0, 1);
    struct xsw_frame_in in2 = { .data = g, .len = sizeof g, .vlan_tci = 7 };
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, &in2, 1), 1);
    CU_ASSERT_EQUAL(rc->last_host_len, 68);
    CU_ASSERT_EQUAL(rc->last_host_frame[12], 0x81);
    CU_ASSERT_EQUAL(rc->last_host_frame[15], 7);
    CU_ASSERT_EQUAL(memcmp(rc->last_host_frame + 16, g + 12, 52), 0);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, tx_gpa_direct_crosses_pages)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.use_gpa_direct = 1;
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    static uint8_t f[2][1514];
    mkframe(f[0], 1514, PEER, 6, 0, 0x11);
    mkframe(f[1], 100, PEER, 6, 0, 0x22);
    struct xsw_frame_in in[2] = { { .data = f[0], .len = 1514 }, { .data = f[1], .len = 100 } };
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, in, 2), 2);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 4);
    for (int k = 0; k < 2; k++) {
        const struct pkt_rec *r = &rc->r[2 * k];
        CU_ASSERT_EQUAL(r->vp.type, XSW_VM_PKT_DATA_USING_GPA_DIRECT);
        CU_ASSERT_EQUAL(r->vp.flags, 1);
        CU_ASSERT_EQUAL(r->vp.range_cnt, 2);
        CU_ASSERT_EQUAL(r->nv.u.rndis_pkt.section_index, XSW_NETVSC_INVALID_INDEX);
        struct xsw_vmbus_range_iter it = XSW_VMBUS_RANGE_ITER_INIT;
        struct xsw_vmbus_range hdr, data, end;
        CU_ASSERT_EQUAL_FATAL(xsw_vmbus_range_next(&r->vp, &it, &hdr), 1);
        CU_ASSERT_EQUAL_FATAL(xsw_vmbus_range_next(&r->vp, &it, &data), 1);
        CU_ASSERT_EQUAL(xsw_vmbus_range_next(&r->vp, &it, &end), 0);
        CU_ASSERT_EQUAL(hdr.byte_count, 44);
        CU_ASSERT_EQUAL(data.byte_count, in[k].len);
        /* The frame straddles a page boundary: two PFNs, consecutive; the header ends where it starts. */
        CU_ASSERT_EQUAL(data.pfn_count, 2);
        CU_ASSERT_EQUAL(xsw_vmbus_range_pfn(&data, 1), xsw_vmbus_range_pfn(&data, 0) + 1);
        CU_ASSERT_EQUAL(data.byte_offset + data.byte_count > 4096, 1);
        CU_ASSERT_EQUAL((hdr.byte_offset + 44) % 4096, data.byte_offset);
        /* offset8 covers descriptor + 24-byte header + (8 + 8 * PFNs) per range. */
        CU_ASSERT_EQUAL(r->vp.hdr_len, 24 + (8 + 8 * hdr.pfn_count) + (8 + 8 * 2));
        CU_ASSERT_EQUAL(r->vp.payload_len, 40);
        CU_ASSERT_EQUAL(memcmp(r->shared + 44, f[k], in[k].len), 0);
    }
    CU_ASSERT_EQUAL(rc->to_host, 2);
    CU_ASSERT_EQUAL(memcmp(rc->last_host_frame, f[1], 100), 0);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_EQUAL(st.tx_gpa_msgs, 2);
    CU_ASSERT_EQUAL(st.tx_completed, 2);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

/* ---- Host RX ----------------------------------------------------------------------------------------- */

XSW_TEST(vmbus, rx_batches_at_most_eight_per_xfer_packet)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    uint8_t f[64];
    for (int i = 0; i < 20; i++) {
        mkframe(f, sizeof f, MAC, 6, 0, (uint8_t)i);
        CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f, sizeof f, 0), 1);
    }
    CU_ASSERT_EQUAL(rc->n, 0); /* queued until the flush */
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    uint64_t xfers = st.rx_xfer_pkts; /* the bring-up's answers came in transfer-page packets too */
    CU_ASSERT_EQUAL(xsw_vmchan_flush(ch), 20);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 6);
    static const uint32_t ranges[3] = { 8, 8, 4 };
    for (int i = 0; i < 3; i++) {
        const struct pkt_rec *x = &rc->r[2 * i], *a = &rc->r[2 * i + 1];
        CU_ASSERT_EQUAL(x->vp.type, XSW_VM_PKT_DATA_USING_XFER_PAGES);
        CU_ASSERT_EQUAL(x->vp.range_cnt, ranges[i]);
        CU_ASSERT_EQUAL(x->nv.u.rndis_pkt.channel_type, XSW_NVSP_CHANNEL_TYPE_DATA);
        /* The guest acks each transfer with its trans_id. */
        CU_ASSERT_EQUAL(a->vp.type, XSW_VM_PKT_COMP);
        CU_ASSERT_EQUAL(a->vp.trans_id, x->vp.trans_id);
        CU_ASSERT_EQUAL(a->vp.flags, 0);
        CU_ASSERT_EQUAL(a->nv.u.rndis_pkt_complete.status, XSW_NVSP_STAT_SUCCESS);
    }
    CU_ASSERT_NOT_EQUAL(rc->r[0].vp.trans_id, rc->r[2].vp.trans_id);
    CU_ASSERT_EQUAL(rc->to_guest, 20);
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_EQUAL(st.rx_xfer_pkts - xfers, 3);
    CU_ASSERT_EQUAL(st.rx_frames, 20);
    CU_ASSERT_EQUAL(rc->last_guest_len, 64);
    CU_ASSERT_EQUAL(memcmp(rc->last_guest_frame, f, 64), 0);
    /* RSS is on: every IPv4 frame carries the Toeplitz hash of its addresses. */
    CU_ASSERT(rc->last_guest_info.flags & XSW_PKT_INFO_HASH);
    CU_ASSERT_NOT_EQUAL(rc->last_guest_info.hash, 0);

    /* More than the queue holds goes out on its own, still 8 per packet; no section leaks. */
    rec_reset(rc);
    for (int i = 0; i < 1000; i++) {
        mkframe(f, sizeof f, MAC, 6, 0, (uint8_t)i);
        CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f, sizeof f, 0), 1);
    }
    xsw_vmchan_flush(ch);
    assert_clean(rc);
    CU_ASSERT_EQUAL(rc->to_guest, 1020);
    for (unsigned i = 0; i < rc->n; i++)
        if (rc->r[i].vp.type == XSW_VM_PKT_DATA_USING_XFER_PAGES)
            CU_ASSERT(rc->r[i].vp.range_cnt <= 8);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, rx_vlan_and_packet_filter)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.num_queues = 1; /* no RSS: PACKET_MSG without PPIs has PerPacketInfoOffset 0 */
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    uint8_t f[64], t[68];
    mkframe(f, sizeof f, MAC, 17, 0, 3);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f, sizeof f, 0), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_flush(ch), 1);
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_msg m;
    size_t pos = 0;
    CU_ASSERT_EQUAL_FATAL(xsw_rndis_next(rc->r[0].shared, rc->r[0].slen, &pos, &m, err, sizeof err), 1);
    CU_ASSERT_EQUAL(m.u.pkt.ppi_off, 0);
    CU_ASSERT_EQUAL(m.u.pkt.ppi_len, 0);
    CU_ASSERT_EQUAL(m.u.pkt.data_off, 36);
    CU_ASSERT_EQUAL(rc->last_guest_info.flags, 0);
    /* A tagged frame: the host strips the tag into the PPI, the guest restores it. */
    mkframe(t, sizeof t, MAC, 17, 0x2064, 4);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, t, sizeof t, 0), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_flush(ch), 1);
    CU_ASSERT_EQUAL(rc->last_guest_info.flags, XSW_PKT_INFO_VLAN);
    CU_ASSERT_EQUAL(rc->last_guest_info.vlan_tci, 0x2064);
    CU_ASSERT_EQUAL(rc->last_guest_len, sizeof t);
    CU_ASSERT_EQUAL(memcmp(rc->last_guest_frame, t, sizeof t), 0);
    /* The "vlan" argument tags an untagged frame. */
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f, sizeof f, 12), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_flush(ch), 1);
    CU_ASSERT_EQUAL(rc->last_guest_len, 68);
    CU_ASSERT_EQUAL(rc->last_guest_info.vlan_tci, 12);
    /* Filter 0x0D: another unicast MAC is dropped, broadcast and multicast pass. */
    uint8_t o[64];
    mkframe(o, sizeof o, PEER, 17, 0, 5);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, o, sizeof o, 0), 0);
    memset(o, 0xff, 6);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, o, sizeof o, 0), 1);
    memcpy(o, "\x01\x00\x5e\x00\x00\x01", 6);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, o, sizeof o, 0), 1);
    CU_ASSERT_EQUAL(xsw_vmchan_flush(ch), 2);
    /* Frames that do not fit the MTU are refused, not reported as protocol errors. */
    static uint8_t big[1600];
    mkframe(big, sizeof big, MAC, 17, 0, 6);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, big, sizeof big, 0), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xsw_vmchan_error(ch), "frame of 1600 bytes for MTU 1500"));
    struct xsw_frame_in bin = { .data = big, .len = sizeof big };
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, &bin, 1), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, big, 10, 0), XSW_EINVAL);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_EQUAL(st.rx_filtered, 1);
    CU_ASSERT_EQUAL(st.rx_frames, 5);
    CU_ASSERT_EQUAL(st.rx_dropped, 2);
    assert_clean(rc);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

/* ---- VF, status, teardown ------------------------------------------------------------------------ */

XSW_TEST(vmbus, vf_association_and_datapath_switch)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    struct xsw_vmchan_state st;
    /* Linux waits for the association before switching. */
    CU_ASSERT_EQUAL(xsw_vmchan_guest_switch_datapath(ch, 1), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xsw_vmchan_error(ch), "before the host associated one"));
    CU_ASSERT_EQUAL(rc->n, 0);

    CU_ASSERT_EQUAL(xsw_vmchan_host_vf_association(ch, 1, 77), 0);
    CU_ASSERT_EQUAL(xsw_vmchan_guest_switch_datapath(ch, 1), 0);
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT(st.vf_allocated);
    CU_ASSERT_EQUAL(st.vf_serial, 77);
    CU_ASSERT(st.datapath_vf);
    CU_ASSERT(st.guest_datapath_vf);
    CU_ASSERT_EQUAL(xsw_vmchan_guest_switch_datapath(ch, 0), 0);
    CU_ASSERT_EQUAL(xsw_vmchan_host_vf_association(ch, 0, 77), 0);
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_FALSE(st.vf_allocated);
    CU_ASSERT_FALSE(st.datapath_vf);
    CU_ASSERT_FALSE(st.guest_datapath_vf);
    assert_clean(rc);

    struct seq q = { 0 };
    add(&q, "h2g DATA_INBAND+RC SEND_VF_ASSOCIATION");
    add(&q, "g2h DATA_INBAND+RC SWITCH_DATA_PATH");
    add(&q, "h2g COMP (empty)");
    add(&q, "g2h DATA_INBAND+RC SWITCH_DATA_PATH");
    add(&q, "h2g COMP (empty)");
    add(&q, "h2g DATA_INBAND+RC SEND_VF_ASSOCIATION");
    check_seq(rc, &q);
    CU_ASSERT_EQUAL(rc->r[0].vp.trans_id, XSW_OPENVMM_VF_ASSOCIATION_TRANS_ID);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.vf_assoc.allocated, 1);
    CU_ASSERT_EQUAL(rc->r[0].nv.u.vf_assoc.serial, 77);
    CU_ASSERT_EQUAL(rc->r[1].nv.u.datapath.active_datapath, XSW_NVSP_DATAPATH_VF);
    CU_ASSERT_EQUAL(rc->r[3].nv.u.datapath.active_datapath, XSW_NVSP_DATAPATH_SYNTHETIC);
    CU_ASSERT_EQUAL(rc->r[2].len, 16); /* descriptor only: offset8 == len8 == 2 */
    CU_ASSERT_EQUAL(rc->r[2].vp.trans_id, rc->r[1].vp.trans_id);
    CU_ASSERT_EQUAL(rc->r[5].nv.u.vf_assoc.allocated, 0);
    xsw_vmchan_free(ch);

    /* Before V4 there is no VF protocol. */
    cfg.max_nvsp_version = XSW_NVSP_PROTOCOL_VERSION_2;
    ch = up(&cfg, rc, 0);
    CU_ASSERT(xsw_vmchan_host_vf_association(ch, 1, 1) < 0);
    CU_ASSERT(xsw_vmchan_guest_switch_datapath(ch, 0) < 0);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, status_indications)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.link_speed = 400000000u; /* 40 Gb/s in 100 bps units */
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    struct xsw_vmchan_state st;
    CU_ASSERT_EQUAL(xsw_vmchan_host_indicate_status(ch, 0x4001000Cu), 0); /* MEDIA_DISCONNECT */
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_FALSE(st.link_up);
    CU_ASSERT_EQUAL(xsw_vmchan_host_indicate_status(ch, 0x4001000Bu), 0); /* MEDIA_CONNECT */
    CU_ASSERT_EQUAL(xsw_vmchan_host_indicate_status(ch, 0x40010013u), 0); /* LINK_SPEED_CHANGE */
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT(st.link_up);
    CU_ASSERT_EQUAL(st.link_speed, 400000000u);
    CU_ASSERT_EQUAL(st.status_indications, 3);
    assert_clean(rc);
    CU_ASSERT_EQUAL_FATAL(rc->n, 6);
    CU_ASSERT_STRING_EQUAL(rc->r[4].desc, "h2g DATA_USING_XFER_PAGES SEND_RNDIS_PKT INDICATE_STATUS_MSG");
    CU_ASSERT_EQUAL(rc->r[4].nv.u.rndis_pkt.channel_type, XSW_NVSP_CHANNEL_TYPE_CONTROL);
    /* INDICATE_STATUS: status, 4-byte buffer at offset 12 (absolute 20) holding the speed. */
    CU_ASSERT_EQUAL(rc->r[4].slen, 24);
    CU_ASSERT_EQUAL(memcmp(rc->r[4].shared, "\x07\x00\x00\x00\x18\x00\x00\x00\x13\x00\x01\x40\x04\x00\x00\x00"
                                            "\x0c\x00\x00\x00\x00\x84\xd7\x17",
                           24),
                    0);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

XSW_TEST(vmbus, teardown)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    uint8_t f[64];
    mkframe(f, sizeof f, MAC, 6, 0, 1);
    CU_ASSERT_EQUAL(xsw_vmchan_host_deliver(ch, f, sizeof f, 0), 1); /* flushed by the teardown */
    CU_ASSERT_EQUAL(xsw_vmchan_teardown(ch), 0);
    assert_clean(rc);
    struct seq q = { 0 };
    add(&q, "h2g DATA_USING_XFER_PAGES SEND_RNDIS_PKT PACKET_MSG");
    add(&q, "g2h COMP SEND_RNDIS_PKT_COMPLETE");
    txn(&q, "SET_MSG(OID_GEN_CURRENT_PACKET_FILTER)", "SET_CMPLT");
    txn(&q, "HALT_MSG", NULL);
    add(&q, "g2h DATA_INBAND REVOKE_RECV_BUF");
    add(&q, "g2h DATA_INBAND REVOKE_SEND_BUF");
    check_seq(rc, &q);
    CU_ASSERT_EQUAL(rc->r[8].nv.u.revoke.id, XSW_NETVSC_RECEIVE_BUFFER_ID);
    CU_ASSERT_EQUAL(rc->r[9].nv.u.revoke.id, XSW_NETVSC_SEND_BUFFER_ID);
    CU_ASSERT_EQUAL(rc->r[9].vp.trans_id, XSW_VMBUS_RQST_ID_NO_RESPONSE);
    CU_ASSERT_EQUAL(rc->r[9].vp.flags, 0);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    CU_ASSERT_FALSE(st.up);
    CU_ASSERT_EQUAL(st.packet_filter, 0);
    /* Nothing works any more. */
    struct xsw_frame_in in = { .data = f, .len = sizeof f };
    CU_ASSERT(xsw_vmchan_guest_send(ch, &in, 1) < 0);
    CU_ASSERT(xsw_vmchan_host_deliver(ch, f, sizeof f, 0) < 0);
    CU_ASSERT(xsw_vmchan_teardown(ch) < 0);
    xsw_vmchan_free(ch);
    xsw_vmchan_free(NULL);
    rec_free(rc);
}

/* ---- Determinism and hostile bytes ------------------------------------------------------------------ */

static uint64_t run_scenario(uint32_t seed)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    cfg.seed = seed;
    struct xsw_vmchan *ch = up(&cfg, rc, 1);
    static uint8_t f[12][300];
    struct xsw_frame_in in[12];
    for (int i = 0; i < 12; i++) {
        mkframe(f[i], 300, PEER, 6, i == 2 ? 9 : 0, (uint8_t)i);
        in[i] = (struct xsw_frame_in){ .data = f[i], .len = 300, .hash = (uint32_t)i + 1 };
    }
    xsw_vmchan_guest_send(ch, in, 12);
    for (int i = 0; i < 12; i++) {
        memcpy(f[i], MAC, 6);
        xsw_vmchan_host_deliver(ch, f[i], 300, 0);
    }
    xsw_vmchan_flush(ch);
    xsw_vmchan_host_vf_association(ch, 1, 5);
    xsw_vmchan_guest_switch_datapath(ch, 1);
    xsw_vmchan_teardown(ch);
    assert_clean(rc);
    uint64_t h = rc->hash;
    xsw_vmchan_free(ch);
    rec_free(rc);
    return h;
}

XSW_TEST(vmbus, deterministic)
{
    uint64_t a = run_scenario(7), b = run_scenario(7), c = run_scenario(8);
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT_NOT_EQUAL(a, c); /* the seed moves GPADL handles and guest pages */
}

XSW_TEST(vmbus, endpoints_reject_hostile_packets)
{
    struct recorder *rc = rec_new();
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan *ch = up(&cfg, rc, 0);
    /* A transfer-page packet whose page set is not the receive buffer. */
    uint8_t x[88];
    memset(x, 0, sizeof x);
    memcpy(x, "\x07\x00\x04\x00\x0b\x00\x00\x00\x05", 9);
    memcpy(x + 16, "\xef\xbe\x00\x00\x01\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00", 16);
    x[32] = 107;
    CU_ASSERT_EQUAL(xsw_vmchan_inject(ch, 1, x, sizeof x), XSW_EINVAL);
    CU_ASSERT_EQUAL(rc->errors, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(rc->last_error, "guest"));
    CU_ASSERT_PTR_NOT_NULL(strstr(rc->last_error, "offset 16: xfer_pageset_id 0xbeef"));
    /* A completion nobody asked for. */
    uint8_t c[24] = { 0x0B, 0, 2, 0, 3, 0, 0, 0, 9 };
    memcpy(c + 16, "\x6c\x00\x00\x00\x01\x00\x00\x00", 8);
    CU_ASSERT_EQUAL(xsw_vmchan_inject(ch, 1, c, sizeof c), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(rc->last_error, "trans_id 9, which is not outstanding"));
    /* A range that leaves the receive buffer: the guest completes with NVSP_STAT_FAIL. */
    memcpy(x + 16, "\xfe\xca\x00\x00\x01\x00\x00\x00\x40\x00\x00\x00\xf0\xff\xff\x00", 16);
    rec_reset(rc);
    CU_ASSERT_EQUAL(xsw_vmchan_inject(ch, 1, x, sizeof x), XSW_EINVAL);
    CU_ASSERT_EQUAL_FATAL(rc->n, 2);
    CU_ASSERT_EQUAL(rc->r[1].nv.u.rndis_pkt_complete.status, XSW_NVSP_STAT_FAIL);
    CU_ASSERT_EQUAL(rc->r[1].vp.trans_id, 5);
    /* The host: a GPA range naming a page that is not the guest's. */
    uint8_t g[80];
    memset(g, 0, sizeof g);
    memcpy(g, "\x09\x00\x05\x00\x0a\x00\x01\x00\x03", 9);
    memcpy(g + 16, "\x00\x00\x00\x00\x01\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00", 16);
    memcpy(g + 32, "\x01\x00\x00\x00\x00\x00\x00\x00", 8); /* PFN 1 */
    memcpy(g + 40, "\x6b\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\xff", 12);
    rec_reset(rc);
    CU_ASSERT_EQUAL(xsw_vmchan_inject(ch, 0, g, sizeof g), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(rc->all_errors, "host: GPA range 0 PFN 0 is 0x1, not a page of this guest"));
    /* The host completed the forged request: the guest never sent trans_id 3. */
    CU_ASSERT_PTR_NOT_NULL(strstr(rc->all_errors, "guest: VM_PKT_COMP for trans_id 3"));
    CU_ASSERT_EQUAL_FATAL(rc->n, 2);
    CU_ASSERT_EQUAL(rc->r[1].nv.u.rndis_pkt_complete.status, XSW_NVSP_STAT_FAIL);
    /* Garbage to the host. */
    CU_ASSERT_EQUAL(xsw_vmchan_inject(ch, 0, (const uint8_t *)"\x06\x00\x01\x00", 4), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(rc->last_error, "host: guest-to-host packet: offset 4: VMBus descriptor cut"));
    /* The channel still works. */
    rec_reset(rc);
    rc->errors = 0;
    rc->bad = 0; /* the injected packets themselves do not decode */
    uint8_t f[64];
    mkframe(f, sizeof f, PEER, 6, 0, 1);
    struct xsw_frame_in in = { .data = f, .len = sizeof f };
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(ch, &in, 1), 1);
    assert_clean(rc);
    xsw_vmchan_free(ch);
    rec_free(rc);
}

/* A switch that hands every frame of the guest straight back to the same guest, from the callback. */
struct loop {
    struct recorder rc; /* first: the recorder callbacks take the same ctx */
    struct xsw_vmchan *ch;
    unsigned failed, refused;
};

static void loop_to_host(void *ctx, const uint8_t *f, size_t len, const struct xsw_pkt_info *info)
{
    struct loop *l = ctx;
    uint8_t b[2048];
    rec_to_host(ctx, f, len, info);
    memcpy(b, f, len);
    memcpy(b, MAC, 6);
    if (xsw_vmchan_host_deliver(l->ch, b, len, 0) != 1)
        l->failed++;
    if (xsw_vmchan_flush(l->ch) != 1)
        l->failed++;
    /* Calls that wait for the peer cannot run inside a callback. */
    if (xsw_vmchan_guest_switch_datapath(l->ch, 0) == XSW_EINVAL)
        l->refused++;
}

XSW_TEST(vmbus, reentrant_loopback)
{
    struct loop *l = calloc(1, sizeof *l);
    l->rc.hash = 1;
    struct xsw_vmchan_cfg cfg = base_cfg();
    struct xsw_vmchan_ops ops = rec_ops;
    ops.guest_frame_to_host = loop_to_host;
    l->ch = xsw_vmchan_new(&cfg, &ops, l);
    CU_ASSERT_EQUAL_FATAL(xsw_vmchan_bringup(l->ch), 0);
    rec_reset(&l->rc);
    uint8_t f[5][64];
    struct xsw_frame_in in[5];
    for (int i = 0; i < 5; i++) {
        mkframe(f[i], 64, PEER, 6, 0, (uint8_t)i);
        in[i] = (struct xsw_frame_in){ .data = f[i], .len = 64 };
    }
    CU_ASSERT_EQUAL(xsw_vmchan_guest_send(l->ch, in, 5), 5);
    CU_ASSERT_EQUAL(l->failed, 0);
    CU_ASSERT_EQUAL(l->refused, 5);
    /* A refused call is not a protocol error: ops->error stays quiet, the message is kept. */
    CU_ASSERT_EQUAL(l->rc.errors, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xsw_vmchan_error(l->ch), "cannot be made from a callback"));
    CU_ASSERT_EQUAL(l->rc.bad, 0);
    CU_ASSERT_EQUAL(l->rc.to_host, 5);
    CU_ASSERT_EQUAL(l->rc.to_guest, 5);
    CU_ASSERT_EQUAL(memcmp(l->rc.last_guest_frame + 6, f[4] + 6, 58), 0);
    /* Request, its 5 transfer-page echoes with their acks, the request's completion. */
    CU_ASSERT_EQUAL(l->rc.n, 12);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(l->ch, &st);
    CU_ASSERT_EQUAL(st.tx_completed, 5);
    CU_ASSERT_EQUAL(st.rx_frames, 5);
    xsw_vmchan_free(l->ch);
    rec_reset(&l->rc);
    free(l);
}

/* ---- Decoders on hand-made bytes ------------------------------------------------------------------ */

static char g_err[XSW_ERRBUF_SIZE];

static int vm(const uint8_t *p, size_t n)
{
    struct xsw_vmbus_pkt v;
    return xsw_vmbus_pkt_decode(p, n, &v, g_err, sizeof g_err);
}

static int nvsp(const uint8_t *p, size_t n)
{
    struct xsw_nvsp_msg m;
    return xsw_nvsp_decode(p, n, &m, g_err, sizeof g_err);
}

static int rndis(const uint8_t *p, size_t n, size_t start)
{
    struct xsw_rndis_msg m;
    size_t pos = start;
    return xsw_rndis_next(p, n, &pos, &m, g_err, sizeof g_err);
}

static int ppi(const uint8_t *p, size_t n)
{
    struct xsw_rndis_ppi q;
    size_t pos = 0;
    int rc;
    while ((rc = xsw_rndis_ppi_next(p, n, &pos, &q, g_err, sizeof g_err)) > 0)
        ;
    return rc;
}

static void expect(int rc, int code, const char *where, int line)
{
    if (rc != code || strncmp(g_err, where, strlen(where)))
        fprintf(stderr, "test_vmbus.c:%d: expected %d \"%s...\" vs actual %d \"%s\"\n", line, code, where, rc,
                g_err);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_EQUAL(strncmp(g_err, where, strlen(where)), 0);
}
#define EXPECT(rc, code, where) expect((rc), (code), (where), __LINE__)

XSW_TEST(vmbus, vmbus_decoder_errors)
{
    uint8_t p[96];
    memset(p, 0, sizeof p);
    memcpy(p, "\x06\x00\x02\x00\x03\x00\x01\x00", 8);
    p[16] = 108;
    CU_ASSERT_EQUAL(vm(p, 24), 0);
    EXPECT(vm(p, 10), XSW_ETRUNC, "offset 8: VMBus descriptor cut");
    EXPECT(vm(p, 16), XSW_ETRUNC, "offset 16: len8 3 gives a 24-byte packet");
    EXPECT(vm(p, 32), XSW_EINVAL, "offset 24: 8 bytes after the 24-byte packet");
    p[2] = 1;
    EXPECT(vm(p, 24), XSW_EINVAL, "offset 2: offset8 1 puts the payload inside");
    p[2] = 4;
    EXPECT(vm(p, 24), XSW_EINVAL, "offset 2: offset8 4 is beyond len8 3");
    p[2] = 2;
    p[0] = 0x20;
    EXPECT(vm(p, 24), XSW_EINVAL, "offset 0: invalid VMBus packet type 0x20");
    p[0] = 0;
    EXPECT(vm(p, 24), XSW_EINVAL, "offset 0: invalid VMBus packet type 0x0");

    /* Transfer pages: header needs 24 bytes, page set 0xCAFE, range_cnt inside offset8. */
    memset(p, 0, sizeof p);
    memcpy(p, "\x07\x00\x04\x00\x06\x00\x00\x00", 8);
    memcpy(p + 16, "\xfe\xca\x00\x00\x01\x00\x00\x00\x10\x00\x00\x00\x20\x00\x00\x00", 16);
    CU_ASSERT_EQUAL(vm(p, 48), 0);
    p[2] = 2;
    EXPECT(vm(p, 48), XSW_EINVAL, "offset 2: offset8 2 gives a 16-byte header");
    p[2] = 4;
    p[16] = 0xff;
    EXPECT(vm(p, 48), XSW_EINVAL, "offset 16: xfer_pageset_id 0xcaff");
    p[16] = 0xfe;
    p[20] = 2;
    EXPECT(vm(p, 48), XSW_EINVAL, "offset 20: range_cnt 2 needs a 40-byte header");

    /* GPA direct: each range's PFNs inside the header; byte_offset inside the first page. */
    memset(p, 0, sizeof p);
    memcpy(p, "\x09\x00\x05\x00\x0a\x00\x01\x00", 8);
    memcpy(p + 16, "\x00\x00\x00\x00\x01\x00\x00\x00\x10\x00\x00\x00\xf8\x0f\x00\x00", 16);
    CU_ASSERT_EQUAL(vm(p, 80), XSW_EINVAL); /* 0xff8 + 16 crosses a page: 2 PFNs, header has 1 */
    EXPECT(vm(p, 80), XSW_EINVAL, "offset 24: GPA range 0 (byte_offset 4088, byte_count 16) needs 2 PFNs");
    p[28] = 0;
    p[29] = 0;
    struct xsw_vmbus_pkt v;
    CU_ASSERT_EQUAL_FATAL(xsw_vmbus_pkt_decode(p, 80, &v, g_err, sizeof g_err), 0);
    CU_ASSERT_EQUAL(v.range_bytes, 16);
    CU_ASSERT_EQUAL(v.pfn_total, 1);
    p[29] = 0x10;
    EXPECT(vm(p, 80), XSW_EINVAL, "offset 28: GPA range 0 byte_offset 4096");
    p[29] = 0;
    p[20] = 2;
    EXPECT(vm(p, 80), XSW_EINVAL, "offset 40: GPA range 1 of 2 starts past the 40-byte header");
}

XSW_TEST(vmbus, nvsp_decoder_errors)
{
    uint8_t m[128];
    memset(m, 0, sizeof m);
    EXPECT(nvsp(m, 0), XSW_ETRUNC, "offset 0: NVSP message type cut");
    EXPECT(nvsp(m, 40), XSW_EINVAL, "offset 0: NVSP_MSG_TYPE_NONE");
    m[0] = 99;
    EXPECT(nvsp(m, 40), XSW_EINVAL, "offset 0: unknown NVSP message type 99");
    m[0] = 1;
    EXPECT(nvsp(m, 8), XSW_ETRUNC, "offset 8: NVSP_MSG_TYPE_INIT cut");
    CU_ASSERT_EQUAL(nvsp(m, 12), 0);
    m[0] = 102;
    m[8] = 3; /* three sections, 12 + 48 bytes */
    EXPECT(nvsp(m, 40), XSW_ETRUNC, "offset 40: NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE: 3 sections need 48");
    CU_ASSERT_EQUAL(nvsp(m, 60), 0);
    memset(m, 0, sizeof m);
    m[0] = 107;
    m[4] = 2;
    EXPECT(nvsp(m, 40), XSW_EINVAL, "offset 4: NVSP_MSG1_TYPE_SEND_RNDIS_PKT channel_type 2");
    m[0] = 129;
    m[4] = 2;
    EXPECT(nvsp(m, 40), XSW_EINVAL, "offset 4: NVSP_MSG4_TYPE_SWITCH_DATA_PATH active_datapath 2");
    memset(m, 0, sizeof m);
    m[0] = 134;
    m[4] = 15;
    m[8] = 40;
    EXPECT(nvsp(m, 104), XSW_EINVAL, "offset 4: NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE count 15");
    m[4] = 16;
    m[8] = 8;
    EXPECT(nvsp(m, 104), XSW_EINVAL, "offset 8: NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE table offset 8");
    m[8] = 41;
    EXPECT(nvsp(m, 104), XSW_ETRUNC, "offset 104: NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE table at offset 41");
    m[8] = 40;
    m[40 + 4 * 3] = 2;
    struct xsw_nvsp_msg d;
    CU_ASSERT_EQUAL_FATAL(xsw_nvsp_decode(m, 104, &d, g_err, sizeof g_err), 0);
    CU_ASSERT_EQUAL(xsw_nvsp_table_entry(&d, 3), 2);
    CU_ASSERT_EQUAL(d.len, 104);
    /* A SWITCH_DATA_PATH completion may be empty at the VMBus level; as NVSP it is cut. */
    memset(m, 0, sizeof m);
    m[0] = 136;
    m[4] = 2;
    EXPECT(nvsp(m, 16), XSW_ETRUNC, "offset 16: NVSP_MSG6_TYPE_PD_POST_BATCH: 2 buffers need 16");
    /* Every type of §2.5 with a body decodes from a 40-byte message. */
    static const uint32_t types[] = { 1, 2, 100, 101, 102, 103, 104, 105, 106, 107, 108, 120, 121, 122, 125,
                                      128, 129, 131, 132, 133, 135, 136, 109, 117, 130 };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        memset(m, 0, 40);
        m[0] = (uint8_t)types[i];
        if (nvsp(m, 40))
            fprintf(stderr, "type %u: %s\n", types[i], g_err);
        CU_ASSERT_EQUAL(nvsp(m, 40), 0);
    }
    /* The 8-byte Linux RX completion and a 24-byte ADDITIONAL-style payload both decode as 108. */
    memcpy(m, "\x6c\x00\x00\x00\x01\x00\x00\x00", 8);
    CU_ASSERT_EQUAL(xsw_nvsp_decode(m, 8, &d, g_err, sizeof g_err), 0);
    CU_ASSERT_EQUAL(d.u.rndis_pkt_complete.status, 1);
    CU_ASSERT_EQUAL(d.len, 8);
    EXPECT(nvsp(m, 6), XSW_ETRUNC, "offset 4: NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE cut");
}

/* A PACKET_MSG with one 16-byte PPI and a 20-byte frame, 80 bytes. */
static void mk_packet_msg(uint8_t *q)
{
    memset(q, 0, 80);
    memcpy(q, "\x01\x00\x00\x00\x50\x00\x00\x00\x34\x00\x00\x00\x14\x00\x00\x00", 16);
    memcpy(q + 28, "\x24\x00\x00\x00\x10\x00\x00\x00", 8);
    memcpy(q + 44, "\x10\x00\x00\x00\x06\x00\x00\x00\x0c\x00\x00\x00\x51\x00\x00\x00", 16);
    memset(q + 60, 0xEE, 20);
}

XSW_TEST(vmbus, rndis_decoder_errors)
{
    uint8_t b[256];
    mk_packet_msg(b);
    struct xsw_rndis_msg m;
    size_t pos = 0;
    CU_ASSERT_EQUAL_FATAL(xsw_rndis_next(b, 80, &pos, &m, g_err, sizeof g_err), 1);
    CU_ASSERT_EQUAL(pos, 80);
    CU_ASSERT_EQUAL(m.u.pkt.data_len, 20);
    CU_ASSERT_PTR_EQUAL(m.u.pkt.data, b + 60);
    CU_ASSERT_PTR_EQUAL(m.u.pkt.ppi, b + 44);
    CU_ASSERT_EQUAL(xsw_rndis_next(b, 80, &pos, &m, g_err, sizeof g_err), 0);

    EXPECT(rndis(b, 5, 0), XSW_ETRUNC, "offset 5: RNDIS header cut");
    EXPECT(rndis(b, 79, 0), XSW_ETRUNC, "offset 79: MessageLength 80 at offset 0, only 79 bytes left");
    /* A second message, cut: offsets count from the start of the walked buffer. */
    mk_packet_msg(b + 80);
    EXPECT(rndis(b, 150, 80), XSW_ETRUNC, "offset 150: MessageLength 80 at offset 80");
    b[84] = 4;
    EXPECT(rndis(b, 160, 80), XSW_EINVAL, "offset 84: MessageLength 4 is shorter than the 8-byte header");
    b[84] = 40;
    EXPECT(rndis(b, 160, 80), XSW_EINVAL, "offset 84: MessageLength 40 is shorter than the 44-byte");
    b[84] = 80;
    b[80] = 0x0A;
    EXPECT(rndis(b, 160, 80), XSW_EINVAL, "offset 80: unknown RNDIS message type 0x0000000a");
    b[80] = 1;
    b[88] = 0x40; /* DataOffset 64: 8 + 64 + 20 > 80 */
    EXPECT(rndis(b, 160, 80), XSW_EINVAL, "offset 88: DataOffset at offset 64, 20 bytes, ends past MessageLength 80");
    b[88] = 0x10; /* DataOffset 16: inside the header */
    EXPECT(rndis(b, 160, 80), XSW_EINVAL, "offset 88: DataOffset offset 16 (byte 24) overlaps the 44-byte header");
    b[88] = 0x34;
    b[108] = 8;
    EXPECT(rndis(b, 160, 80), XSW_EINVAL, "offset 108: PerPacketInfoOffset offset 8");
    b[108] = 0x24;
    CU_ASSERT_EQUAL(rndis(b, 160, 80), 1);

    /* QUERY with its buffer past MessageLength; QUERY_CMPLT with a buffer on top of its header. */
    memset(b, 0, sizeof b);
    memcpy(b, "\x04\x00\x00\x00\x20\x00\x00\x00\x01\x00\x00\x00\x06\x01\x01\x00\x08\x00\x00\x00\x14", 21);
    EXPECT(rndis(b, 32, 0), XSW_EINVAL, "offset 20: InformationBufferOffset at offset 20, 8 bytes");
    b[16] = 4;
    CU_ASSERT_EQUAL(rndis(b, 32, 0), 1);
    memset(b, 0, sizeof b);
    memcpy(b, "\x04\x00\x00\x80\x1c\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x08", 21);
    EXPECT(rndis(b, 28, 0), XSW_EINVAL, "offset 20: InformationBufferOffset offset 8 (byte 16) overlaps");
    b[20] = 16;
    CU_ASSERT_EQUAL(rndis(b, 28, 0), 1);
    /* INDICATE_STATUS whose buffer runs past the message (the pre-Fe length bug is not accepted). */
    memset(b, 0, sizeof b);
    memcpy(b, "\x07\x00\x00\x00\x14\x00\x00\x00\x13\x00\x01\x40\x04\x00\x00\x00\x0c", 17);
    EXPECT(rndis(b, 24, 0), XSW_EINVAL, "offset 16: StatusBufferOffset at offset 12, 4 bytes");
}

XSW_TEST(vmbus, ppi_walker_errors)
{
    uint8_t p[64];
    memset(p, 0, sizeof p);
    memcpy(p, "\x10\x00\x00\x00\x01\x00\x00\x80\x0c\x00\x00\x00\x01\x02\x03\x00", 16);
    struct xsw_rndis_ppi q;
    size_t pos = 0;
    CU_ASSERT_EQUAL_FATAL(xsw_rndis_ppi_next(p, 16, &pos, &q, g_err, sizeof g_err), 1);
    CU_ASSERT(q.internal);
    CU_ASSERT_EQUAL(q.type, XSW_RNDIS_PKTINFO_ID);
    CU_ASSERT_STRING_EQUAL(xsw_ppi_name(q.type | XSW_RNDIS_PPI_INTERNAL), "RNDIS_PKTINFO_ID");
    CU_ASSERT_STRING_EQUAL(xsw_ppi_name(1), "IPSEC_PKTINFO");
    CU_ASSERT_EQUAL(q.data_len, 4);
    EXPECT(ppi(p, 21), XSW_EINVAL, "offset 16: 5 bytes left in the per-packet-info list");
    p[0] = 8;
    EXPECT(ppi(p, 16), XSW_EINVAL, "offset 0: PPI size 8 is smaller than its 12-byte header");
    p[0] = 20;
    EXPECT(ppi(p, 16), XSW_EINVAL, "offset 0: PPI size 20 overruns the per-packet-info list");
    p[0] = 16;
    p[8] = 4;
    EXPECT(ppi(p, 16), XSW_EINVAL, "offset 8: PPI ppi_offset 4 is outside its data");
    p[8] = 16;
    EXPECT(ppi(p, 16), XSW_EINVAL, "offset 8: PPI ppi_offset 16 is outside its data");
}

XSW_TEST(vmbus, names_come_from_the_tables)
{
    CU_ASSERT_STRING_EQUAL(xsw_vmbus_pkt_name(7), "VM_PKT_DATA_USING_XFER_PAGES");
    CU_ASSERT_STRING_EQUAL(xsw_nvsp_type_name(134), "NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE");
    CU_ASSERT_STRING_EQUAL(xsw_nvsp_status_name(7), "NVSP_STAT_PROTOCOL_UNSUPPORTED");
    CU_ASSERT_STRING_EQUAL(xsw_nvsp_version_name(0x60001), "NVSP_PROTOCOL_VERSION_61");
    CU_ASSERT_STRING_EQUAL(xsw_rndis_msg_name(0x80000004u), "REMOTE_NDIS_QUERY_CMPLT");
    CU_ASSERT_PTR_NULL(xsw_nvsp_type_name(99));
    CU_ASSERT_PTR_NULL(xsw_vmbus_pkt_name(0x20));
    CU_ASSERT_PTR_NULL(xsw_ppi_name(12));
}
