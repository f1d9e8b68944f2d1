/*
 * test_trace.c - unit tests of the trace format (include/xsw/trace.h,
 * docs/trace-format.md): every record kind through writer, file and reader;
 * decoder errors with their codes and offsets; exported-PDU framing; file
 * level failures (cut files, other link types, pcapng input); name tables.
 *
 * The seed corpus of the trace decoder fuzz target
 * (fixtures/fuzz/trace_decode/) is made of the frames these tests write; the
 * test "seed_corpus" checks it is current and rewrites it when run with
 * XSW_REGEN_FIXTURES=1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "unit.h"
#include "xsw/trace.h"

/* Virtual time of sequence number 0 (2026-01-01T00:00:00Z), in ns. */
#define TS_BASE_NS (1767225600ull * 1000000000ull)

static char tmpdir[64];

static int suite_init(void)
{
    strcpy(tmpdir, "/tmp/xsw-test-trace-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
    char cmd[128];
    /* The directory holds only files this suite wrote. */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

XSW_SUITE(trace, suite_init, suite_clean)

static const char *tmp_path(const char *name)
{
    static char path[4][128];
    static unsigned next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    return p;
}

/* ---- Sample records: one per kind, with every field set to a distinct value. */

struct sample {
    struct xsw_rec_hdr h;
    uint8_t body[4096];
    size_t len;
};

static const char hc_text[] = "dropped by ACL \xc3\xa9t\xc3\xa9";
static const char fs_text[] = "xsw_capture";
static const char fi_text[] = "NBL 0x1234 not returned";
static const char nc_func[] = "NdisFSendNetBufferLists";
static const char vd_rule[] = "XSW-OID-004";
static const char vd_text[] = "request completed twice";
static const char meta_text[] = "xsw_version=0.1\nscenario=basic\next.0.name=cap\n";

static uint8_t pattern(unsigned seed, size_t i)
{
    return (uint8_t)(seed * 31u + i * 7u + 1u);
}

static void put_pattern(struct xsw_wbuf *b, unsigned seed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xsw_wbuf_u8(b, pattern(seed, i));
}

static int check_pattern(const uint8_t *p, unsigned seed, size_t n)
{
    if (n && !p)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(seed, i))
            return 0;
    return 1;
}

static void put_dests(struct xsw_wbuf *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        xsw_wbuf_u32(b, 0x100u + i);
        xsw_wbuf_u16(b, (uint16_t)(i + 1));
        xsw_wbuf_u16(b, (uint16_t)(i & 7));
    }
}

/* Variable-part sizes; "empty" samples have none, to test zero lengths. */
enum { NBL_DEST = 3, NBL_CAP = 60, OID_DATA = 24, ST_DATA = 12, PNP_DATA = 8, HC_DEST = 2,
       VB_PKT = 40, VB_SHARED = 100, VF_CAP = 64 };

/*
 * Build the sample of "kind"; "empty" leaves every variable part empty.
 * Returns -1 for a value that is not a kind.
 */
static int build_sample(unsigned kind, int empty, struct sample *s)
{
    struct xsw_wbuf b;
    memset(s, 0, sizeof *s);
    s->h.kind = (uint8_t)kind;
    s->h.point = (uint8_t)(kind + 1);
    s->h.depth = 3;
    s->h.actor = (uint8_t)(0xF0 + kind);
    s->h.flags = XSW_RF_ORIGINATED | XSW_RF_CHAIN_END;
    s->h.nic_index = (uint16_t)(0x7700 + kind);
    s->h.port_id = 0x10000000u + kind;
    s->h.status = 0xC0000000u + kind;
    s->h.id = 0x1122334455667700ull + kind;
    s->h.parent = 0x8877665544332200ull + kind;
    xsw_wbuf_init(&b, s->body, sizeof s->body);
    switch ((enum xsw_kind)kind) {
    case XSW_K_META:
        if (!empty)
            xsw_wbuf_bytes(&b, meta_text, strlen(meta_text));
        break;
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
        xsw_wbuf_u32(&b, 0x00010278);
        xsw_wbuf_u32(&b, 1);
        xsw_wbuf_u32(&b, 0x11);
        xsw_wbuf_u32(&b, 0x22);
        xsw_wbuf_u32(&b, 0x33);
        xsw_wbuf_u32(&b, 0x44);
        xsw_wbuf_u32(&b, 0x00010241);
        xsw_wbuf_u32(&b, 2);
        xsw_wbuf_u32(&b, 0xC00000BB);
        xsw_wbuf_u32(&b, empty ? 0 : OID_DATA);
        put_pattern(&b, kind, empty ? 0 : OID_DATA);
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        xsw_wbuf_u32(&b, 0x8001);
        xsw_wbuf_u16(&b, 2);
        xsw_wbuf_u16(&b, 5);
        xsw_wbuf_u64(&b, 0x0123456789ABCDEFull);
        xsw_wbuf_u16(&b, empty ? 0 : NBL_DEST);
        xsw_wbuf_u16(&b, 4);
        xsw_wbuf_u32(&b, 1514);
        xsw_wbuf_u32(&b, empty ? 0 : NBL_CAP);
        xsw_wbuf_u32(&b, 2);
        put_dests(&b, empty ? 0 : NBL_DEST);
        put_pattern(&b, kind, empty ? 0 : NBL_CAP);
        break;
    case XSW_K_STATUS:
        xsw_wbuf_u32(&b, 0x40010012);
        xsw_wbuf_u32(&b, 0x4001000B);
        xsw_wbuf_u32(&b, 12);
        xsw_wbuf_u32(&b, empty ? 0 : ST_DATA);
        put_pattern(&b, kind, empty ? 0 : ST_DATA);
        break;
    case XSW_K_PNP_EVENT:
        xsw_wbuf_u32(&b, 3);
        xsw_wbuf_u32(&b, empty ? 0 : PNP_DATA);
        put_pattern(&b, kind, empty ? 0 : PNP_DATA);
        break;
    case XSW_K_HANDLER_CALL:
        xsw_wbuf_u16(&b, XSW_H_ReportFilteredNetBufferLists);
        xsw_wbuf_u8(&b, 2);
        xsw_wbuf_u8(&b, 0);
        xsw_wbuf_u32(&b, 0x5);
        xsw_wbuf_u32(&b, 7);
        xsw_wbuf_u32(&b, 9);
        xsw_wbuf_u64(&b, 0xDEADBEEF00000001ull);
        xsw_wbuf_u16(&b, empty ? 0 : HC_DEST);
        xsw_wbuf_u16(&b, empty ? 0 : (uint16_t)strlen(hc_text));
        xsw_wbuf_u32(&b, 0);
        put_dests(&b, empty ? 0 : HC_DEST);
        if (!empty)
            xsw_wbuf_bytes(&b, hc_text, strlen(hc_text));
        break;
    case XSW_K_FILTER_STATE:
        xsw_wbuf_u32(&b, XSW_FE_RESTART);
        xsw_wbuf_u32(&b, empty ? 0 : (uint32_t)strlen(fs_text));
        if (!empty)
            xsw_wbuf_bytes(&b, fs_text, strlen(fs_text));
        break;
    case XSW_K_FINDING:
        xsw_wbuf_u16(&b, XSW_F_NBL_LEAK);
        xsw_wbuf_u8(&b, 1);
        xsw_wbuf_u8(&b, 0);
        xsw_wbuf_u64(&b, 0x1234567890ull);
        xsw_wbuf_u32(&b, empty ? 0 : (uint32_t)strlen(fi_text));
        if (!empty)
            xsw_wbuf_bytes(&b, fi_text, strlen(fi_text));
        break;
    case XSW_K_NDIS_CALL:
        xsw_wbuf_u16(&b, empty ? 0 : (uint16_t)strlen(nc_func));
        xsw_wbuf_u8(&b, 2);
        xsw_wbuf_u8(&b, 0);
        xsw_wbuf_u64(&b, 0xA0A0A0A0A0A0A0A0ull);
        xsw_wbuf_u64(&b, 0xB1);
        xsw_wbuf_u64(&b, 0xFFFFFFFFFFFFFFFFull);
        if (!empty)
            xsw_wbuf_bytes(&b, nc_func, strlen(nc_func));
        break;
    case XSW_K_VMBUS:
        xsw_wbuf_u32(&b, 15);
        xsw_wbuf_u8(&b, 1);
        xsw_wbuf_u8(&b, 0);
        xsw_wbuf_u16(&b, 0);
        xsw_wbuf_u32(&b, empty ? 0 : VB_PKT);
        xsw_wbuf_u32(&b, empty ? 0 : VB_SHARED);
        put_pattern(&b, kind, empty ? 0 : VB_PKT);
        put_pattern(&b, kind + 100, empty ? 0 : VB_SHARED);
        break;
    case XSW_K_VF_FRAME:
        xsw_wbuf_u32(&b, 1);
        xsw_wbuf_u32(&b, empty ? 0 : VF_CAP);
        put_pattern(&b, kind, empty ? 0 : VF_CAP);
        break;
    case XSW_K_VERDICT:
        xsw_wbuf_u8(&b, 1);
        xsw_wbuf_u8(&b, 0);
        xsw_wbuf_u16(&b, empty ? 0 : (uint16_t)strlen(vd_rule));
        xsw_wbuf_u32(&b, 42);
        xsw_wbuf_u32(&b, empty ? 0 : (uint32_t)strlen(vd_text));
        if (!empty) {
            xsw_wbuf_bytes(&b, vd_rule, strlen(vd_rule));
            xsw_wbuf_bytes(&b, vd_text, strlen(vd_text));
        }
        break;
    default:
        return -1;
    }
    CU_ASSERT_FALSE(b.overflow);
    s->len = b.len;
    return 0;
}

static int text_eq(const char *p, size_t n, const char *want, int empty)
{
    if (empty)
        return n == 0;
    return n == strlen(want) && p && memcmp(p, want, n) == 0;
}

static void check_dests(const uint8_t *dest, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct xsw_dest d = xsw_rec_dest(dest, i);
        CU_ASSERT_EQUAL(d.port_id, 0x100u + i);
        CU_ASSERT_EQUAL(d.nic_index, i + 1);
        CU_ASSERT_EQUAL(d.bits, i & 7);
    }
}

/* Compare every decoded field of "r" with the sample of its kind. */
static void check_sample(const struct xsw_rec *r, unsigned kind, int empty, uint64_t seq)
{
    struct sample s;
    CU_ASSERT_FATAL(build_sample(kind, empty, &s) == 0);
    CU_ASSERT_EQUAL(r->version, XSW_TRACE_VERSION);
    CU_ASSERT_EQUAL(r->kind, kind);
    CU_ASSERT_EQUAL(r->seq, seq);
    CU_ASSERT_EQUAL(r->point, s.h.point);
    CU_ASSERT_EQUAL(r->depth, s.h.depth);
    CU_ASSERT_EQUAL(r->actor, s.h.actor);
    CU_ASSERT_EQUAL(r->flags, s.h.flags);
    CU_ASSERT_EQUAL(r->nic_index, s.h.nic_index);
    CU_ASSERT_EQUAL(r->port_id, s.h.port_id);
    CU_ASSERT_EQUAL(r->status, s.h.status);
    CU_ASSERT_EQUAL(r->id, s.h.id);
    CU_ASSERT_EQUAL(r->parent, s.h.parent);
    CU_ASSERT_EQUAL(r->body_len, s.len);
    CU_ASSERT(s.len == 0 || (r->body && memcmp(r->body, s.body, s.len) == 0));
    switch ((enum xsw_kind)kind) {
    case XSW_K_META:
        CU_ASSERT(text_eq(r->u.meta.text, r->u.meta.text_len, meta_text, empty));
        break;
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
        CU_ASSERT_EQUAL(r->u.oid.oid, 0x00010278);
        CU_ASSERT_EQUAL(r->u.oid.type, 1);
        CU_ASSERT_EQUAL(r->u.oid.info_len, 0x11);
        CU_ASSERT_EQUAL(r->u.oid.out_len, 0x22);
        CU_ASSERT_EQUAL(r->u.oid.done, 0x33);
        CU_ASSERT_EQUAL(r->u.oid.needed, 0x44);
        CU_ASSERT_EQUAL(r->u.oid.inner_oid, 0x00010241);
        CU_ASSERT_EQUAL(r->u.oid.inner_type, 2);
        CU_ASSERT_EQUAL(r->u.oid.inner_status, 0xC00000BB);
        CU_ASSERT_EQUAL(r->u.oid.data_len, empty ? 0 : OID_DATA);
        CU_ASSERT(check_pattern(r->u.oid.data, kind, r->u.oid.data_len));
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        CU_ASSERT_EQUAL(r->u.nbl.ndis_flags, 0x8001);
        CU_ASSERT_EQUAL(r->u.nbl.chain_idx, 2);
        CU_ASSERT_EQUAL(r->u.nbl.chain_len, 5);
        CU_ASSERT_EQUAL(r->u.nbl.fwd, 0x0123456789ABCDEFull);
        CU_ASSERT_EQUAL(r->u.nbl.num_dest, empty ? 0 : NBL_DEST);
        CU_ASSERT_EQUAL(r->u.nbl.num_elem, 4);
        CU_ASSERT_EQUAL(r->u.nbl.frame_len, 1514);
        CU_ASSERT_EQUAL(r->u.nbl.nb_count, 2);
        CU_ASSERT_EQUAL(r->u.nbl.cap_len, empty ? 0 : NBL_CAP);
        check_dests(r->u.nbl.dest, r->u.nbl.num_dest);
        CU_ASSERT(check_pattern(r->u.nbl.frame, kind, r->u.nbl.cap_len));
        if (!empty)
            CU_ASSERT_PTR_EQUAL(r->u.nbl.frame, r->u.nbl.dest + NBL_DEST * XSW_DEST_LEN);
        break;
    case XSW_K_STATUS:
        CU_ASSERT_EQUAL(r->u.status.code, 0x40010012);
        CU_ASSERT_EQUAL(r->u.status.inner_code, 0x4001000B);
        CU_ASSERT_EQUAL(r->u.status.buf_len, 12);
        CU_ASSERT_EQUAL(r->u.status.data_len, empty ? 0 : ST_DATA);
        CU_ASSERT(check_pattern(r->u.status.data, kind, r->u.status.data_len));
        break;
    case XSW_K_PNP_EVENT:
        CU_ASSERT_EQUAL(r->u.pnp.event, 3);
        CU_ASSERT_EQUAL(r->u.pnp.data_len, empty ? 0 : PNP_DATA);
        CU_ASSERT(check_pattern(r->u.pnp.data, kind, r->u.pnp.data_len));
        break;
    case XSW_K_HANDLER_CALL:
        CU_ASSERT_EQUAL(r->u.hc.handler, XSW_H_ReportFilteredNetBufferLists);
        CU_ASSERT_EQUAL(r->u.hc.irql, 2);
        CU_ASSERT_EQUAL(r->u.hc.flags, 5);
        CU_ASSERT_EQUAL(r->u.hc.count, 7);
        CU_ASSERT_EQUAL(r->u.hc.refcount, 9);
        CU_ASSERT_EQUAL(r->u.hc.nbl, 0xDEADBEEF00000001ull);
        CU_ASSERT_EQUAL(r->u.hc.num_dest, empty ? 0 : HC_DEST);
        check_dests(r->u.hc.dest, r->u.hc.num_dest);
        CU_ASSERT(text_eq(r->u.hc.text, r->u.hc.text_len, hc_text, empty));
        break;
    case XSW_K_FILTER_STATE:
        CU_ASSERT_EQUAL(r->u.fs.event, XSW_FE_RESTART);
        CU_ASSERT(text_eq(r->u.fs.text, r->u.fs.text_len, fs_text, empty));
        break;
    case XSW_K_FINDING:
        CU_ASSERT_EQUAL(r->u.finding.code, XSW_F_NBL_LEAK);
        CU_ASSERT_EQUAL(r->u.finding.irql, 1);
        CU_ASSERT_EQUAL(r->u.finding.value, 0x1234567890ull);
        CU_ASSERT(text_eq(r->u.finding.text, r->u.finding.text_len, fi_text, empty));
        break;
    case XSW_K_NDIS_CALL:
        CU_ASSERT_EQUAL(r->u.ndis.irql, 2);
        CU_ASSERT_EQUAL(r->u.ndis.arg[0], 0xA0A0A0A0A0A0A0A0ull);
        CU_ASSERT_EQUAL(r->u.ndis.arg[1], 0xB1);
        CU_ASSERT_EQUAL(r->u.ndis.arg[2], 0xFFFFFFFFFFFFFFFFull);
        CU_ASSERT(text_eq(r->u.ndis.func, r->u.ndis.func_len, nc_func, empty));
        break;
    case XSW_K_VMBUS:
        CU_ASSERT_EQUAL(r->u.vmbus.channel, 15);
        CU_ASSERT_EQUAL(r->u.vmbus.dir, 1);
        CU_ASSERT_EQUAL(r->u.vmbus.pkt_len, empty ? 0 : VB_PKT);
        CU_ASSERT_EQUAL(r->u.vmbus.shared_len, empty ? 0 : VB_SHARED);
        CU_ASSERT(check_pattern(r->u.vmbus.pkt, kind, r->u.vmbus.pkt_len));
        CU_ASSERT(check_pattern(r->u.vmbus.shared, kind + 100, r->u.vmbus.shared_len));
        break;
    case XSW_K_VF_FRAME:
        CU_ASSERT_EQUAL(r->u.vf.dir, 1);
        CU_ASSERT_EQUAL(r->u.vf.cap_len, empty ? 0 : VF_CAP);
        CU_ASSERT(check_pattern(r->u.vf.frame, kind, r->u.vf.cap_len));
        break;
    case XSW_K_VERDICT:
        CU_ASSERT_EQUAL(r->u.verdict.level, 1);
        CU_ASSERT_EQUAL(r->u.verdict.outcome, 0);
        CU_ASSERT_EQUAL(r->u.verdict.judged_frame, 42);
        CU_ASSERT(text_eq(r->u.verdict.rule, r->u.verdict.rule_len, vd_rule, empty));
        CU_ASSERT(text_eq(r->u.verdict.text, r->u.verdict.text_len, vd_text, empty));
        break;
    }
}

static const unsigned all_kinds[] = {
#define XSW_KIND(name, value, desc) value,
#include "xsw/defs/trace_kinds.def"
#undef XSW_KIND
};
#define NKINDS (sizeof all_kinds / sizeof all_kinds[0])

static int64_t write_sample(struct xsw_trace_writer *w, unsigned kind, int empty)
{
    struct sample s;
    if (build_sample(kind, empty, &s))
        return -100;
    /* Split the body in two pieces to exercise the iov path. */
    size_t half = s.len / 2;
    struct xsw_iov iov[2] = { { s.body, half }, { s.body + half, s.len - half } };
    return xsw_trace_write(w, &s.h, iov, 2);
}

/* Write every kind, full then empty, into "path". */
static void write_all_kinds(const char *path)
{
    char err[XSW_ERRBUF_SIZE] = "";
    struct xsw_trace_writer *w = xsw_trace_writer_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    uint64_t seq = 0;
    for (int empty = 0; empty < 2; empty++)
        for (size_t i = 0; i < NKINDS; i++) {
            int64_t rc = write_sample(w, all_kinds[i], empty);
            CU_ASSERT_EQUAL(rc, (int64_t)++seq);
        }
    CU_ASSERT_EQUAL(xsw_trace_writer_count(w), 2 * NKINDS);
    CU_ASSERT_EQUAL(xsw_trace_writer_close(w), 0);
}

XSW_TEST(trace, roundtrip_every_kind)
{
    const char *path = tmp_path("all.pcap");
    char err[XSW_ERRBUF_SIZE] = "";
    write_all_kinds(path);

    struct xsw_trace_reader *r = xsw_trace_reader_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame = 0, ts = 0, n = 0;
    for (int empty = 0; empty < 2; empty++)
        for (size_t i = 0; i < NKINDS; i++) {
            int rc = xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err);
            CU_ASSERT_EQUAL(rc, 0);
            if (rc) {
                fprintf(stderr, "\n  %s\n", err);
                continue;
            }
            n++;
            CU_ASSERT_EQUAL(frame, n);
            CU_ASSERT_EQUAL(ts, TS_BASE_NS + n * 1000u);
            check_sample(&rec, all_kinds[i], empty, n);
        }
    CU_ASSERT_EQUAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), XSW_EEOF);
    CU_ASSERT_EQUAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), XSW_EEOF);
    xsw_trace_reader_close(r);
    CU_ASSERT_EQUAL(n, 2 * NKINDS);
}

/* Two equal runs give byte-identical files (virtual timestamps). */
XSW_TEST(trace, deterministic_output)
{
    const char *a = tmp_path("det-a.pcap"), *b = tmp_path("det-b.pcap");
    write_all_kinds(a);
    write_all_kinds(b);
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fb);
    int ca, cb;
    long n = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        n++;
    } while (ca == cb && ca != EOF);
    CU_ASSERT_EQUAL(ca, cb);
    CU_ASSERT(n > 24);
    fclose(fa);
    fclose(fb);
}

/* ---- Decoder ------------------------------------------------------------- */

/* Build the bare record (no exported-PDU tags) of a sample with sequence 7. */
static size_t raw_record(const struct sample *s, uint8_t *out, size_t cap)
{
    struct xsw_wbuf b;
    xsw_wbuf_init(&b, out, cap);
    xsw_wbuf_u8(&b, XSW_TRACE_VERSION);
    xsw_wbuf_u8(&b, s->h.kind);
    xsw_wbuf_u16(&b, XSW_REC_HDR_LEN);
    xsw_wbuf_u32(&b, (uint32_t)(XSW_REC_HDR_LEN + s->len));
    xsw_wbuf_u64(&b, 7);
    xsw_wbuf_u8(&b, s->h.point);
    xsw_wbuf_u8(&b, s->h.depth);
    xsw_wbuf_u8(&b, s->h.actor);
    xsw_wbuf_u8(&b, s->h.flags);
    xsw_wbuf_u32(&b, s->h.port_id);
    xsw_wbuf_u16(&b, s->h.nic_index);
    xsw_wbuf_u16(&b, 0);
    xsw_wbuf_u32(&b, s->h.status);
    xsw_wbuf_u64(&b, s->h.id);
    xsw_wbuf_u64(&b, s->h.parent);
    CU_ASSERT_EQUAL(b.len, XSW_REC_HDR_LEN);
    xsw_wbuf_bytes(&b, s->body, s->len);
    CU_ASSERT_FALSE(b.overflow);
    return b.len;
}

static void put_le(uint8_t *p, unsigned size, uint32_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Decode "len" bytes copied to a heap block of exactly that size (so that
 * ASan sees any read past the end) and check the code and that the message
 * contains "want".
 */
static void expect_decode(const uint8_t *p, size_t len, int want_rc, const char *want)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (len)
        memcpy(copy, p, len);
    struct xsw_rec rec;
    char err[XSW_ERRBUF_SIZE] = "";
    int rc = xsw_rec_decode(copy, len, &rec, err, sizeof err);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (want && !strstr(err, want)) {
        fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", err, want);
        CU_FAIL("decoder message");
    }
    if (rc != want_rc)
        fprintf(stderr, "\n  rc %d, expected %d (%s)\n", rc, want_rc, err);
    free(copy);
}

XSW_TEST(trace, decode_every_kind)
{
    uint8_t buf[8192];
    struct sample s;
    for (size_t i = 0; i < NKINDS; i++)
        for (int empty = 0; empty < 2; empty++) {
            CU_ASSERT_FATAL(build_sample(all_kinds[i], empty, &s) == 0);
            size_t len = raw_record(&s, buf, sizeof buf);
            struct xsw_rec rec;
            char err[XSW_ERRBUF_SIZE] = "";
            CU_ASSERT_EQUAL(xsw_rec_decode(buf, len, &rec, err, sizeof err), 0);
            check_sample(&rec, all_kinds[i], empty, 7);
        }
}

XSW_TEST(trace, decode_header_errors)
{
    uint8_t buf[8192];
    struct sample s;
    CU_ASSERT_FATAL(build_sample(XSW_K_OID_REQUEST, 0, &s) == 0);
    size_t len = raw_record(&s, buf, sizeof buf);
    char want[128];

    expect_decode(buf, 0, XSW_ETRUNC, "offset 0:");
    expect_decode(buf, 5, XSW_ETRUNC, "offset 5: record of 5 bytes ends inside the 48-byte header");
    snprintf(want, sizeof want, "field rec_len at offset 4: record declares %zu bytes, only 20 captured",
             len);
    expect_decode(buf, 20, XSW_ETRUNC, want);
    snprintf(want, sizeof want, "record declares %zu bytes, only %zu captured", len, len - 1);
    expect_decode(buf, len - 1, XSW_ETRUNC, want);
    expect_decode(buf, len, 0, NULL);

    uint8_t bad[8192];
    memcpy(bad, buf, len);
    bad[XSW_OFF_VERSION] = 2;
    expect_decode(bad, len, XSW_EINVAL, "field version at offset 0: unknown format version 2");
    /* An unknown version is named even when the rest is missing. */
    expect_decode(bad, 1, XSW_EINVAL, "field version at offset 0");

    memcpy(bad, buf, len);
    bad[XSW_OFF_KIND] = 99;
    expect_decode(bad, len, XSW_EINVAL, "field kind at offset 1: unknown record kind 99");
    bad[XSW_OFF_KIND] = 0;
    expect_decode(bad, len, XSW_EINVAL, "field kind at offset 1: unknown record kind 0");

    memcpy(bad, buf, len);
    put_le(bad + XSW_OFF_HDR_LEN, 2, 40);
    expect_decode(bad, len, XSW_EINVAL, "field hdr_len at offset 2");

    memcpy(bad, buf, len);
    put_le(bad + XSW_OFF_REC_LEN, 4, 30);
    expect_decode(bad, len, XSW_EINVAL, "field rec_len at offset 4: record length 30");
    put_le(bad + XSW_OFF_REC_LEN, 4, 0xFFFFFFFFu);
    expect_decode(bad, len, XSW_ETRUNC, "record declares 4294967295 bytes");

    /* A body shorter than the kind's fixed part. */
    memcpy(bad, buf, len);
    put_le(bad + XSW_OFF_REC_LEN, 4, XSW_REC_HDR_LEN + XSW_OID_BODY_LEN - 1);
    expect_decode(bad, len, XSW_EINVAL, "field body at offset 48: OID_REQUEST body of 39 bytes");
}

/* A longer header (newer minor layout) is skipped; trailing body bytes are allowed. */
XSW_TEST(trace, decode_forward_compatible)
{
    uint8_t buf[8192], ext[8192];
    struct sample s;
    for (size_t i = 0; i < NKINDS; i++) {
        CU_ASSERT_FATAL(build_sample(all_kinds[i], 0, &s) == 0);
        size_t len = raw_record(&s, buf, sizeof buf);

        /* 8 extra header bytes between the v1 header and the body. */
        memcpy(ext, buf, XSW_REC_HDR_LEN);
        memset(ext + XSW_REC_HDR_LEN, 0xEE, 8);
        memcpy(ext + XSW_REC_HDR_LEN + 8, buf + XSW_REC_HDR_LEN, len - XSW_REC_HDR_LEN);
        put_le(ext + XSW_OFF_HDR_LEN, 2, XSW_REC_HDR_LEN + 8);
        put_le(ext + XSW_OFF_REC_LEN, 4, (uint32_t)len + 8);
        struct xsw_rec rec;
        char err[XSW_ERRBUF_SIZE] = "";
        CU_ASSERT_EQUAL(xsw_rec_decode(ext, len + 8, &rec, err, sizeof err), 0);
        check_sample(&rec, all_kinds[i], 0, 7);

        /* Bytes after rec_len in the buffer are not part of the record. */
        memcpy(ext, buf, len);
        memset(ext + len, 0xCC, 16);
        CU_ASSERT_EQUAL(xsw_rec_decode(ext, len + 16, &rec, err, sizeof err), 0);
        check_sample(&rec, all_kinds[i], 0, 7);

        /* 5 trailing bytes inside rec_len: decoded, but not part of any field. */
        if (all_kinds[i] == XSW_K_META)
            continue; /* the whole META body is text: nothing trails it */
        memcpy(ext, buf, len);
        memset(ext + len, 0xDD, 5);
        put_le(ext + XSW_OFF_REC_LEN, 4, (uint32_t)len + 5);
        CU_ASSERT_EQUAL(xsw_rec_decode(ext, len + 5, &rec, err, sizeof err), 0);
        CU_ASSERT_EQUAL(rec.body_len, s.len + 5);
        rec.body_len -= 5; /* the rest must equal the plain sample */
        check_sample(&rec, all_kinds[i], 0, 7);

    }
}

/* Every length field of every kind, one past what fits and at its maximum. */
static const struct {
    unsigned kind;
    const char *field;
    unsigned off, size, fixed;
} len_fields[] = {
    { XSW_K_OID_REQUEST, "data_len", XSW_OID_OFF_DATA_LEN, 4, XSW_OID_BODY_LEN },
    { XSW_K_OID_COMPLETE, "data_len", XSW_OID_OFF_DATA_LEN, 4, XSW_OID_BODY_LEN },
    { XSW_K_NBL_SEND, "num_dest", XSW_NBL_OFF_NUM_DEST, 2, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_SEND, "cap_len", XSW_NBL_OFF_CAP_LEN, 4, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_SEND_COMPLETE, "num_dest", XSW_NBL_OFF_NUM_DEST, 2, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_SEND_COMPLETE, "cap_len", XSW_NBL_OFF_CAP_LEN, 4, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_INDICATE, "num_dest", XSW_NBL_OFF_NUM_DEST, 2, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_INDICATE, "cap_len", XSW_NBL_OFF_CAP_LEN, 4, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_RETURN, "num_dest", XSW_NBL_OFF_NUM_DEST, 2, XSW_NBL_BODY_LEN },
    { XSW_K_NBL_RETURN, "cap_len", XSW_NBL_OFF_CAP_LEN, 4, XSW_NBL_BODY_LEN },
    { XSW_K_STATUS, "data_len", XSW_ST_OFF_DATA_LEN, 4, XSW_ST_BODY_LEN },
    { XSW_K_PNP_EVENT, "data_len", XSW_PNP_OFF_DATA_LEN, 4, XSW_PNP_BODY_LEN },
    { XSW_K_HANDLER_CALL, "num_dest", XSW_HC_OFF_NUM_DEST, 2, XSW_HC_BODY_LEN },
    { XSW_K_HANDLER_CALL, "text_len", XSW_HC_OFF_TEXT_LEN, 2, XSW_HC_BODY_LEN },
    { XSW_K_FILTER_STATE, "text_len", XSW_FS_OFF_TEXT_LEN, 4, XSW_FS_BODY_LEN },
    { XSW_K_FINDING, "text_len", XSW_FI_OFF_TEXT_LEN, 4, XSW_FI_BODY_LEN },
    { XSW_K_NDIS_CALL, "func_len", XSW_NC_OFF_FUNC_LEN, 2, XSW_NC_BODY_LEN },
    { XSW_K_VMBUS, "pkt_len", XSW_VB_OFF_PKT_LEN, 4, XSW_VB_BODY_LEN },
    { XSW_K_VMBUS, "shared_len", XSW_VB_OFF_SHARED_LEN, 4, XSW_VB_BODY_LEN },
    { XSW_K_VF_FRAME, "cap_len", XSW_VF_OFF_CAP_LEN, 4, XSW_VF_BODY_LEN },
    { XSW_K_VERDICT, "rule_len", XSW_VD_OFF_RULE_LEN, 2, XSW_VD_BODY_LEN },
    { XSW_K_VERDICT, "text_len", XSW_VD_OFF_TEXT_LEN, 4, XSW_VD_BODY_LEN },
};

static uint32_t get_le(const uint8_t *p, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

XSW_TEST(trace, decode_length_overruns)
{
    uint8_t buf[8192];
    struct sample s;
    char want[128];
    for (size_t i = 0; i < sizeof len_fields / sizeof len_fields[0]; i++) {
        CU_ASSERT_FATAL(build_sample(len_fields[i].kind, 0, &s) == 0);
        size_t len = raw_record(&s, buf, sizeof buf);
        uint8_t *f = buf + XSW_REC_HDR_LEN + len_fields[i].off;
        uint32_t orig = get_le(f, len_fields[i].size);
        unsigned unit = strcmp(len_fields[i].field, "num_dest") == 0 ? XSW_DEST_LEN : 1;
        snprintf(want, sizeof want, "field %s at offset %u: length ", len_fields[i].field,
                 XSW_REC_HDR_LEN + len_fields[i].off);

        /*
         * One unit more than the whole variable area after the fixed part:
         * this field alone overruns, whatever the other parts hold.
         */
        uint32_t over = (uint32_t)((s.len - len_fields[i].fixed) / unit + 1);
        put_le(f, len_fields[i].size, over);
        expect_decode(buf, len, XSW_EINVAL, want);
        snprintf(want + strlen(want), sizeof want - strlen(want), "%u overruns record of %zu bytes",
                 over * unit, len);
        expect_decode(buf, len, XSW_EINVAL, want);

        /*
         * One unit more than the sample holds: the sample has no spare
         * bytes, so the record overruns (the last part is blamed).
         */
        put_le(f, len_fields[i].size, orig + 1);
        expect_decode(buf, len, XSW_EINVAL, "overruns record");

        /* The largest value the field can hold must not wrap any sum. */
        put_le(f, len_fields[i].size, len_fields[i].size == 2 ? 0xFFFFu : 0xFFFFFFFFu);
        expect_decode(buf, len, XSW_EINVAL, "overruns record");
        put_le(f, len_fields[i].size, orig);
        expect_decode(buf, len, 0, NULL);
    }
}

XSW_TEST(trace, rec_dest)
{
    uint8_t d[16] = { 0x78, 0x56, 0x34, 0x12, 0x02, 0x01, 0x05, 0x00,
                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80 };
    struct xsw_dest a = xsw_rec_dest(d, 0), b = xsw_rec_dest(d, 1);
    CU_ASSERT_EQUAL(a.port_id, 0x12345678u);
    CU_ASSERT_EQUAL(a.nic_index, 0x0102);
    CU_ASSERT_EQUAL(a.bits, 5);
    CU_ASSERT_EQUAL(b.port_id, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(b.nic_index, 0xFFFF);
    CU_ASSERT_EQUAL(b.bits, 0x8007);
}

/* ---- Exported-PDU tags -------------------------------------------------- */

static void expect_strip(const uint8_t *p, size_t len, int want_rc, size_t want_off,
                         const char *want)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (len)
        memcpy(copy, p, len);
    char err[XSW_ERRBUF_SIZE] = "";
    size_t off = 12345;
    int rc = xsw_exp_pdu_strip(copy, len, &off, err, sizeof err);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (rc == 0)
        CU_ASSERT_EQUAL(off, want_off);
    if (want && !strstr(err, want)) {
        fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", err, want);
        CU_FAIL("strip message");
    }
    free(copy);
}

XSW_TEST(trace, exp_pdu_strip)
{
    static const uint8_t ok[] = { 0, 12, 0, 4, 'x', 's', 'w', 0, 0, 0, 0, 0, 1 };
    expect_strip(ok, sizeof ok, 0, XSW_EXP_PDU_PREFIX_LEN, NULL);
    expect_strip(ok, XSW_EXP_PDU_PREFIX_LEN, 0, XSW_EXP_PDU_PREFIX_LEN, NULL);

    /* Other tags (original frame number, tag 20) before and after the name. */
    static const uint8_t more[] = { 0, 20, 0, 4, 0, 0, 0, 9, 0, 12, 0, 4, 'x', 's', 'w', 0,
                                    0, 20, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0 };
    expect_strip(more, sizeof more, 0, sizeof more, NULL);

    static const uint8_t eth[] = { 0, 12, 0, 16, 'e', 't', 'h', '_', 'w', 'i', 't', 'h', 'o',
                                   'u', 't', 'f', 'c', 's', 0, 0, 0, 0, 0, 0 };
    expect_strip(eth, sizeof eth, XSW_EINVAL, 0,
                 "field exp_pdu_dissector at offset 4: dissector name \"eth_withoutfcs\" is not \"xsw\"");
    static const uint8_t xswx[] = { 0, 12, 0, 4, 'x', 's', 'w', 'x', 0, 0, 0, 0 };
    expect_strip(xswx, sizeof xswx, XSW_EINVAL, 0, "\"xswx\"");

    static const uint8_t noname[] = { 0, 20, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0, 1, 2 };
    expect_strip(noname, sizeof noname, XSW_EINVAL, 0, "no dissector name tag");

    expect_strip(ok, 0, XSW_ETRUNC, 0, "offset 0:");
    expect_strip(ok, 3, XSW_ETRUNC, 0, "offset 0:");
    expect_strip(ok, 6, XSW_ETRUNC, 0, "field exp_pdu_tag_len at offset 2");
    expect_strip(ok, 10, XSW_ETRUNC, 0, "field exp_pdu_tag at offset 8");
    static const uint8_t longtag[] = { 0, 12, 0xFF, 0xFF, 'x', 's', 'w', 0 };
    expect_strip(longtag, sizeof longtag, XSW_ETRUNC, 0, "value of 65535 bytes overruns");
}

/* ---- Writer -------------------------------------------------------------- */

XSW_TEST(trace, wbuf)
{
    uint8_t mem[8];
    struct xsw_wbuf b;
    memset(mem, 0xAA, sizeof mem);
    xsw_wbuf_init(&b, mem, 7);
    xsw_wbuf_u16(&b, 0x0102);
    xsw_wbuf_u32(&b, 0x03040506);
    CU_ASSERT_EQUAL(b.len, 6);
    CU_ASSERT_FALSE(b.overflow);
    xsw_wbuf_u16(&b, 0xFFFF);
    CU_ASSERT(b.overflow);
    CU_ASSERT_EQUAL(b.len, 6);
    xsw_wbuf_u8(&b, 0x77); /* would fit, but the body is already spoiled */
    CU_ASSERT_EQUAL(b.len, 6);
    static const uint8_t want[8] = { 2, 1, 6, 5, 4, 3, 0xAA, 0xAA };
    CU_ASSERT(memcmp(mem, want, 8) == 0);

    xsw_wbuf_init(&b, mem, 8);
    xsw_wbuf_u64(&b, 0x0807060504030201ull);
    CU_ASSERT_FALSE(b.overflow);
    CU_ASSERT_EQUAL(mem[0], 1);
    CU_ASSERT_EQUAL(mem[7], 8);
    xsw_wbuf_bytes(&b, "", 0);
    CU_ASSERT_FALSE(b.overflow);
    xsw_wbuf_bytes(&b, "x", 1);
    CU_ASSERT(b.overflow);
}

XSW_TEST(trace, writer_refuses_bad_bodies)
{
    char err[XSW_ERRBUF_SIZE] = "";
    const char *path = tmp_path("refuse.pcap");
    struct xsw_trace_writer *w = xsw_trace_writer_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    struct sample s;
    CU_ASSERT_FATAL(build_sample(XSW_K_VMBUS, 0, &s) == 0);
    struct xsw_iov iov = { s.body, s.len - 1 }; /* one byte short of shared_len */
    CU_ASSERT_EQUAL(xsw_trace_write(w, &s.h, &iov, 1), XSW_EINVAL);
    iov.len = XSW_VB_BODY_LEN - 1; /* fixed part incomplete */
    CU_ASSERT_EQUAL(xsw_trace_write(w, &s.h, &iov, 1), XSW_EINVAL);
    s.h.kind = 200;
    iov.len = s.len;
    CU_ASSERT_EQUAL(xsw_trace_write(w, &s.h, &iov, 1), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_trace_write(NULL, &s.h, &iov, 1), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_trace_writer_count(w), 0);
    s.h.kind = XSW_K_VMBUS;
    CU_ASSERT_EQUAL(xsw_trace_write(w, &s.h, &iov, 1), 1);
    CU_ASSERT_EQUAL(xsw_trace_writer_close(w), 0);
    CU_ASSERT_EQUAL(xsw_trace_writer_close(NULL), 0);
    CU_ASSERT_EQUAL(xsw_trace_writer_count(NULL), 0);
    xsw_trace_reader_close(NULL);

    CU_ASSERT_PTR_NULL(xsw_trace_writer_open("/nonexistent-dir/x.pcap", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/x.pcap: cannot open for writing"));
}

/*
 * Bodies larger than a frame are cut to XSW_SNAPLEN, flagged, and their
 * length fields shortened so that the record still decodes.
 */
XSW_TEST(trace, writer_truncates)
{
    char err[XSW_ERRBUF_SIZE] = "";
    const char *path = tmp_path("trunc.pcap");
    const size_t big = XSW_SNAPLEN + 1000;
    uint8_t *data = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    for (size_t i = 0; i < big; i++)
        data[i] = (uint8_t)(i * 13);

    struct xsw_trace_writer *w = xsw_trace_writer_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);

    /* NBL: 3 destinations, then a frame too big to keep. */
    struct sample s;
    CU_ASSERT_FATAL(build_sample(XSW_K_NBL_SEND, 0, &s) == 0);
    size_t fixed_and_dest = XSW_NBL_BODY_LEN + NBL_DEST * XSW_DEST_LEN;
    put_le(s.body + XSW_NBL_OFF_CAP_LEN, 4, (uint32_t)big);
    struct xsw_iov nbl[2] = { { s.body, fixed_and_dest }, { data, big } };
    CU_ASSERT_EQUAL(xsw_trace_write(w, &s.h, nbl, 2), 1);

    /* VMBUS: the packet fits, the shared-buffer bytes are cut. */
    struct sample v;
    CU_ASSERT_FATAL(build_sample(XSW_K_VMBUS, 0, &v) == 0);
    put_le(v.body + XSW_VB_OFF_PKT_LEN, 4, 100);
    put_le(v.body + XSW_VB_OFF_SHARED_LEN, 4, (uint32_t)big);
    struct xsw_iov vb[3] = { { v.body, XSW_VB_BODY_LEN }, { data, 100 }, { data, big } };
    CU_ASSERT_EQUAL(xsw_trace_write(w, &v.h, vb, 3), 2);

    /* HANDLER_CALL: more destinations than fit; the text after them is dropped. */
    struct sample hc;
    CU_ASSERT_FATAL(build_sample(XSW_K_HANDLER_CALL, 0, &hc) == 0);
    put_le(hc.body + XSW_HC_OFF_NUM_DEST, 2, 0xFFFF);
    put_le(hc.body + XSW_HC_OFF_TEXT_LEN, 2, 10);
    struct xsw_iov hv[3] = { { hc.body, XSW_HC_BODY_LEN }, { data, 0xFFFF * XSW_DEST_LEN },
                             { "0123456789", 10 } };
    CU_ASSERT_EQUAL(xsw_trace_write(w, &hc.h, hv, 3), 3);

    /* META: plain text, cut. */
    struct xsw_rec_hdr mh = { .kind = XSW_K_META, .point = XSW_POINT_HARNESS };
    struct xsw_iov mv = { data, big };
    CU_ASSERT_EQUAL(xsw_trace_write(w, &mh, &mv, 1), 4);
    CU_ASSERT_EQUAL(xsw_trace_writer_close(w), 0);

    const size_t max_body = XSW_SNAPLEN - XSW_EXP_PDU_PREFIX_LEN - XSW_REC_HDR_LEN;
    struct xsw_trace_reader *r = xsw_trace_reader_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame, ts;

    CU_ASSERT_EQUAL_FATAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), 0);
    CU_ASSERT(rec.flags & XSW_RF_TRUNCATED);
    CU_ASSERT(rec.flags & XSW_RF_ORIGINATED);
    CU_ASSERT_EQUAL(rec.u.nbl.num_dest, NBL_DEST);
    CU_ASSERT_EQUAL(rec.u.nbl.frame_len, 1514);
    CU_ASSERT_EQUAL(rec.u.nbl.cap_len, max_body - fixed_and_dest);
    CU_ASSERT_EQUAL(rec.body_len, max_body);
    CU_ASSERT(memcmp(rec.u.nbl.frame, data, rec.u.nbl.cap_len) == 0);
    check_dests(rec.u.nbl.dest, rec.u.nbl.num_dest);

    CU_ASSERT_EQUAL_FATAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), 0);
    CU_ASSERT(rec.flags & XSW_RF_TRUNCATED);
    CU_ASSERT_EQUAL(rec.u.vmbus.pkt_len, 100);
    CU_ASSERT_EQUAL(rec.u.vmbus.shared_len, max_body - XSW_VB_BODY_LEN - 100);
    CU_ASSERT(memcmp(rec.u.vmbus.shared, data, rec.u.vmbus.shared_len) == 0);

    CU_ASSERT_EQUAL_FATAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), 0);
    CU_ASSERT(rec.flags & XSW_RF_TRUNCATED);
    CU_ASSERT_EQUAL(rec.u.hc.num_dest, (max_body - XSW_HC_BODY_LEN) / XSW_DEST_LEN);
    CU_ASSERT_EQUAL(rec.u.hc.text_len, 0);
    CU_ASSERT_EQUAL(rec.body_len, XSW_HC_BODY_LEN + rec.u.hc.num_dest * XSW_DEST_LEN);
    CU_ASSERT(rec.body_len <= max_body);

    CU_ASSERT_EQUAL_FATAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), 0);
    CU_ASSERT(rec.flags & XSW_RF_TRUNCATED);
    CU_ASSERT_EQUAL(rec.u.meta.text_len, max_body);

    CU_ASSERT_EQUAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), XSW_EEOF);
    xsw_trace_reader_close(r);
    free(data);
}

/* ---- Reader ------------------------------------------------------------- */

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void expect_read(struct xsw_trace_reader *r, int want_rc, uint64_t want_frame,
                        const char *want)
{
    struct xsw_rec rec;
    uint64_t frame = 0, ts = 0;
    char err[XSW_ERRBUF_SIZE] = "";
    int rc = xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (want_rc != XSW_EEOF)
        CU_ASSERT_EQUAL(frame, want_frame);
    if (rc != want_rc)
        fprintf(stderr, "\n  rc %d, expected %d (%s)\n", rc, want_rc, err);
    if (want && !strstr(err, want)) {
        fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", err, want);
        CU_FAIL("reader message");
    }
}

XSW_TEST(trace, reader_truncated_file)
{
    char err[XSW_ERRBUF_SIZE] = "", want[256];
    const char *full = tmp_path("all2.pcap"), *cut = tmp_path("cut.pcap");
    write_all_kinds(full);
    long size = file_size(full);
    CU_ASSERT_FATAL(size > 100);

    /* Cut 10 bytes into the last frame's data. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && truncate -s %ld '%s'", full, cut, size - 10, cut);
    CU_ASSERT_FATAL(system(cmd) == 0);
    struct xsw_trace_reader *r = xsw_trace_reader_open(cut, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (uint64_t i = 1; i < 2 * NKINDS; i++)
        expect_read(r, 0, i, NULL);
    /* The last sample (empty VERDICT) frame is 12 + 48 + 12 bytes long. */
    snprintf(want, sizeof want, "%s frame %zu offset %d: the file ends inside this frame", cut,
             2 * NKINDS, XSW_EXP_PDU_PREFIX_LEN + XSW_REC_HDR_LEN + XSW_VD_BODY_LEN - 10);
    expect_read(r, XSW_ETRUNC, 2 * NKINDS, want);
    expect_read(r, XSW_EEOF, 0, NULL);
    xsw_trace_reader_close(r);

    /* Cut inside the per-frame pcap header of frame 2. */
    uint8_t buf[64];
    FILE *f = fopen(full, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_FATAL(fread(buf, 1, 40, f) == 40);
    fclose(f);
    uint32_t cap1 = get_le(buf + 24 + 8, 4);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && truncate -s %lu '%s'", full, cut,
             (unsigned long)(24 + 16 + cap1 + 5), cut);
    CU_ASSERT_FATAL(system(cmd) == 0);
    r = xsw_trace_reader_open(cut, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    expect_read(r, 0, 1, NULL);
    snprintf(want, sizeof want, "%s frame 2 offset 0: the file ends inside this frame", cut);
    expect_read(r, XSW_ETRUNC, 2, want);
    expect_read(r, XSW_EEOF, 0, NULL);
    xsw_trace_reader_close(r);

    /* A file cut inside its own header cannot be opened. */
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && truncate -s 10 '%s'", full, cut, cut);
    CU_ASSERT_FATAL(system(cmd) == 0);
    CU_ASSERT_PTR_NULL(xsw_trace_reader_open(cut, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, cut));

    CU_ASSERT_PTR_NULL(xsw_trace_reader_open(tmp_path("missing.pcap"), err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing.pcap"));
}

/* A frame header libpcap refuses (caplen beyond any snapshot length) is a file-level error. */
XSW_TEST(trace, reader_corrupt_frame_header)
{
    char err[XSW_ERRBUF_SIZE] = "", want[256];
    const char *full = tmp_path("all3.pcap"), *bad = tmp_path("corrupt.pcap");
    write_all_kinds(full);
    FILE *in = fopen(full, "rb"), *out = fopen(bad, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    CU_ASSERT_FATAL(n > 100);
    /* caplen of frame 2 (host byte order, as libpcap wrote it) */
    uint32_t cap1;
    memcpy(&cap1, buf + 24 + 8, 4);
    uint32_t huge = 0x7FFFFFF0u;
    memcpy(buf + 24 + 16 + cap1 + 8, &huge, 4);
    CU_ASSERT(fwrite(buf, 1, n, out) == n);
    CU_ASSERT_FATAL(fclose(out) == 0);

    struct xsw_trace_reader *r = xsw_trace_reader_open(bad, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    expect_read(r, 0, 1, NULL);
    snprintf(want, sizeof want, "%s frame 2 offset 0: cannot read this frame (libpcap: ", bad);
    expect_read(r, XSW_EIO, 2, want);
    expect_read(r, XSW_EEOF, 0, NULL);
    xsw_trace_reader_close(r);
}

/* Write frames with libpcap directly: arbitrary link type, bytes and lengths. */
static void write_raw_pcap(const char *path, int dlt, const uint8_t *const *frames,
                           const uint32_t *caplen, const uint32_t *len, unsigned n)
{
    pcap_t *pd = pcap_open_dead(dlt, 65535);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pd);
    pcap_dumper_t *d = pcap_dump_open(pd, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (unsigned i = 0; i < n; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.ts.tv_sec = 1767225600;
        h.ts.tv_usec = (long)i + 1;
        h.caplen = caplen[i];
        h.len = len[i];
        pcap_dump((u_char *)d, &h, frames[i]);
    }
    pcap_dump_close(d);
    pcap_close(pd);
}

static size_t sample_frame(unsigned kind, uint8_t *out, size_t cap)
{
    static const uint8_t prefix[XSW_EXP_PDU_PREFIX_LEN] = { 0, 12, 0, 4, 'x', 's', 'w', 0,
                                                            0, 0,  0, 0 };
    struct sample s;
    CU_ASSERT_FATAL(build_sample(kind, 0, &s) == 0);
    memcpy(out, prefix, sizeof prefix);
    return sizeof prefix + raw_record(&s, out + sizeof prefix, cap - sizeof prefix);
}

XSW_TEST(trace, reader_wrong_link_type)
{
    char err[XSW_ERRBUF_SIZE] = "";
    const char *path = tmp_path("eth.pcap");
    static const uint8_t eth[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    const uint8_t *frames[1] = { eth };
    uint32_t caplen[1] = { 60 }, len[1] = { 60 };
    write_raw_pcap(path, DLT_EN10MB, frames, caplen, len, 1);
    CU_ASSERT_PTR_NULL(xsw_trace_reader_open(path, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "link type 1 (EN10MB)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "252"));
}

/* A bad record is reported with frame and frame offset; the next one is read. */
XSW_TEST(trace, reader_continues_after_bad_record)
{
    char err[XSW_ERRBUF_SIZE] = "", want[256];
    const char *path = tmp_path("bad.pcap");
    uint8_t f1[4096], f2[4096], f3[4096], f4[4096], f5[4096], f6[4096];
    uint32_t n1 = (uint32_t)sample_frame(XSW_K_OID_REQUEST, f1, sizeof f1);
    uint32_t n2 = (uint32_t)sample_frame(XSW_K_STATUS, f2, sizeof f2);
    f2[XSW_EXP_PDU_PREFIX_LEN + XSW_OFF_KIND] = 77;
    uint32_t n3 = (uint32_t)sample_frame(XSW_K_VMBUS, f3, sizeof f3);
    put_le(f3 + XSW_EXP_PDU_PREFIX_LEN + XSW_REC_HDR_LEN + XSW_VB_OFF_SHARED_LEN, 4, 5000);
    uint32_t n4 = (uint32_t)sample_frame(XSW_K_META, f4, sizeof f4);
    memcpy(f4 + 4, "eth\0", 4);
    uint32_t n5 = (uint32_t)sample_frame(XSW_K_FINDING, f5, sizeof f5);
    uint32_t n6 = (uint32_t)sample_frame(XSW_K_FINDING, f6, sizeof f6);
    const uint8_t *frames[6] = { f1, f2, f3, f4, f5, f6 };
    /* Frame 5 was captured shorter than it was (caplen < len). */
    uint32_t caplen[6] = { n1, n2, n3, n4, n5 - 20, n6 };
    uint32_t len[6] = { n1, n2, n3, n4, n5, n6 };
    write_raw_pcap(path, XSW_LINKTYPE, frames, caplen, len, 6);

    struct xsw_trace_reader *r = xsw_trace_reader_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    expect_read(r, 0, 1, NULL);
    snprintf(want, sizeof want, "%s frame 2 offset 13: field kind: unknown record kind 77", path);
    expect_read(r, XSW_EINVAL, 2, want);
    snprintf(want, sizeof want, "%s frame 3 offset %d: field shared_len: length 5000 overruns", path,
             XSW_EXP_PDU_PREFIX_LEN + XSW_REC_HDR_LEN + XSW_VB_OFF_SHARED_LEN);
    expect_read(r, XSW_EINVAL, 3, want);
    snprintf(want, sizeof want, "%s frame 4 offset 4: field exp_pdu_dissector: dissector name \"eth\"",
             path);
    expect_read(r, XSW_EINVAL, 4, want);
    snprintf(want, sizeof want, "%s frame 5 offset %u: frame captured to %u of its %u bytes", path,
             n5 - 20, n5 - 20, n5);
    expect_read(r, XSW_ETRUNC, 5, want);
    expect_read(r, 0, 6, NULL);
    expect_read(r, XSW_EEOF, 0, NULL);
    xsw_trace_reader_close(r);
}

/*
 * libpcap writes only pcap, but traces edited with editcap or Wireshark come
 * back as pcapng: write a minimal pcapng (SHB, IDB, one EPB per frame) by hand.
 */
static void ng_u32(FILE *f, uint32_t v)
{
    CU_ASSERT(fwrite(&v, 4, 1, f) == 1);
}

static void ng_u16(FILE *f, uint16_t v)
{
    CU_ASSERT(fwrite(&v, 2, 1, f) == 1);
}

XSW_TEST(trace, reader_pcapng)
{
    char err[XSW_ERRBUF_SIZE] = "";
    const char *path = tmp_path("t.pcapng");
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    /* Section header block (host byte order; readers use the magic). */
    ng_u32(f, 0x0A0D0D0A);
    ng_u32(f, 28);
    ng_u32(f, 0x1A2B3C4D);
    ng_u16(f, 1);
    ng_u16(f, 0);
    ng_u32(f, 0xFFFFFFFF);
    ng_u32(f, 0xFFFFFFFF);
    ng_u32(f, 28);
    /* Interface description block: link type 252, microsecond timestamps. */
    ng_u32(f, 1);
    ng_u32(f, 20);
    ng_u16(f, XSW_LINKTYPE);
    ng_u16(f, 0);
    ng_u32(f, XSW_SNAPLEN);
    ng_u32(f, 20);
    for (unsigned i = 0; i < NKINDS; i++) {
        uint8_t fr[4096];
        uint32_t n = (uint32_t)sample_frame(all_kinds[i], fr, sizeof fr);
        uint32_t pad = (4 - n % 4) % 4, blen = 32 + n + pad;
        uint64_t ts = 1767225600ull * 1000000u + i + 1;
        ng_u32(f, 6);
        ng_u32(f, blen);
        ng_u32(f, 0);
        ng_u32(f, (uint32_t)(ts >> 32));
        ng_u32(f, (uint32_t)ts);
        ng_u32(f, n);
        ng_u32(f, n);
        CU_ASSERT(fwrite(fr, 1, n, f) == n);
        CU_ASSERT(fwrite("\0\0\0", 1, pad, f) == pad);
        ng_u32(f, blen);
    }
    CU_ASSERT_FATAL(fclose(f) == 0);

    struct xsw_trace_reader *r = xsw_trace_reader_open(path, err, sizeof err);
    if (!r)
        fprintf(stderr, "\n  %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (unsigned i = 0; i < NKINDS; i++) {
        struct xsw_rec rec;
        uint64_t frame = 0, ts = 0;
        CU_ASSERT_EQUAL_FATAL(xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err), 0);
        CU_ASSERT_EQUAL(frame, i + 1);
        CU_ASSERT_EQUAL(ts, TS_BASE_NS + (i + 1) * 1000ull);
        check_sample(&rec, all_kinds[i], 0, 7);
    }
    expect_read(r, XSW_EEOF, 0, NULL);
    xsw_trace_reader_close(r);
}

/* ---- Names ------------------------------------------------------------- */

XSW_TEST(trace, names)
{
#define XSW_KIND(name, value, desc) CU_ASSERT_STRING_EQUAL(xsw_kind_name(value), #name);
#include "xsw/defs/trace_kinds.def"
#undef XSW_KIND
#define XSW_HANDLER(name, value) CU_ASSERT_STRING_EQUAL(xsw_handler_name(value), #name);
#include "xsw/defs/switch_handlers.def"
#undef XSW_HANDLER
#define XSW_FEVENT(name, value, desc) CU_ASSERT_STRING_EQUAL(xsw_filter_event_name(value), #name);
#include "xsw/defs/filter_events.def"
#undef XSW_FEVENT
#define XSW_FINDING(name, value, text) CU_ASSERT_STRING_EQUAL(xsw_finding_name(value), #name);
#include "xsw/defs/findings.def"
#undef XSW_FINDING
    uint32_t v;
#define XSW_OID(name, value, type, cls)                      \
    CU_ASSERT_STRING_EQUAL(xsw_oid_name(value), #name);      \
    v = 0xDEAD;                                              \
    CU_ASSERT_EQUAL(xsw_oid_by_name(#name, &v), 0);          \
    CU_ASSERT_EQUAL(v, value);
#include "xsw/defs/oids.def"
#undef XSW_OID
#define XSW_STATUS(name, value)                              \
    CU_ASSERT_STRING_EQUAL(xsw_status_name(value), #name);   \
    v = 0xDEAD;                                              \
    CU_ASSERT_EQUAL(xsw_status_by_name(#name, &v), 0);       \
    CU_ASSERT_EQUAL(v, value);
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS

    /* Spot checks against the values the tables must hold. */
    CU_ASSERT_STRING_EQUAL(xsw_kind_name(2), "OID_REQUEST");
    CU_ASSERT_STRING_EQUAL(xsw_oid_name(0x00010278), "OID_SWITCH_PORT_CREATE");
    CU_ASSERT_STRING_EQUAL(xsw_status_name(0), "NDIS_STATUS_SUCCESS");
    CU_ASSERT_STRING_EQUAL(xsw_status_name(0x103), "NDIS_STATUS_PENDING");
    CU_ASSERT_STRING_EQUAL(xsw_handler_name(13), "ReportFilteredNetBufferLists");

    CU_ASSERT_PTR_NULL(xsw_kind_name(0));
    CU_ASSERT_PTR_NULL(xsw_kind_name(255));
    CU_ASSERT_PTR_NULL(xsw_kind_name(1000));
    CU_ASSERT_PTR_NULL(xsw_oid_name(0xFFFFFFFF));
    CU_ASSERT_PTR_NULL(xsw_status_name(0x12345678));
    CU_ASSERT_PTR_NULL(xsw_handler_name(0));
    CU_ASSERT_PTR_NULL(xsw_filter_event_name(0));
    CU_ASSERT_PTR_NULL(xsw_finding_name(0));
    v = 0xBEEF;
    CU_ASSERT_EQUAL(xsw_oid_by_name("OID_NO_SUCH_THING", &v), -1);
    CU_ASSERT_EQUAL(xsw_oid_by_name("oid_switch_port_create", &v), -1);
    CU_ASSERT_EQUAL(xsw_oid_by_name("", &v), -1);
    CU_ASSERT_EQUAL(xsw_oid_by_name(NULL, &v), -1);
    CU_ASSERT_EQUAL(xsw_status_by_name("NDIS_STATUS_NOPE", &v), -1);
    CU_ASSERT_EQUAL(v, 0xBEEF);
}

/* ---- Fuzz seed corpus -------------------------------------------------- */

/*
 * The seeds of fuzz/fuzz_trace_decode.c are the frames of write_all_kinds(),
 * one file per frame named after its kind. Compare them, or rewrite them
 * when XSW_REGEN_FIXTURES=1.
 */
XSW_TEST(trace, seed_corpus)
{
    const char *src = getenv("XSW_SRCDIR");
    char dir[512], file[640], pe[PCAP_ERRBUF_SIZE], name[64];
    int regen = getenv("XSW_REGEN_FIXTURES") && strcmp(getenv("XSW_REGEN_FIXTURES"), "1") == 0;
    snprintf(dir, sizeof dir, "%s/fixtures/fuzz/trace_decode", src ? src : ".");

    const char *path = tmp_path("seeds.pcap");
    write_all_kinds(path);
    pcap_t *p = pcap_open_offline(path, pe);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned n = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        unsigned kind = data[XSW_EXP_PDU_PREFIX_LEN + XSW_OFF_KIND];
        const char *kn = xsw_kind_name(kind);
        size_t j = 0;
        for (; kn[j] && j + 1 < sizeof name; j++)
            name[j] = (char)(kn[j] >= 'A' && kn[j] <= 'Z' ? kn[j] - 'A' + 'a' : kn[j]);
        name[j] = 0;
        snprintf(file, sizeof file, "%s/%s-%s.bin", dir, name, n < NKINDS ? "full" : "empty");
        n++;
        if (regen) {
            FILE *f = fopen(file, "wb");
            CU_ASSERT_PTR_NOT_NULL(f);
            if (f) {
                CU_ASSERT(fwrite(data, 1, h->caplen, f) == h->caplen);
                CU_ASSERT(fclose(f) == 0);
            }
            continue;
        }
        uint8_t have[4096];
        FILE *f = fopen(file, "rb");
        size_t got = f ? fread(have, 1, sizeof have, f) : 0;
        if (f)
            fclose(f);
        if (!f || got != h->caplen || memcmp(have, data, got) != 0) {
            fprintf(stderr, "\n  %s: %s; regenerate with XSW_REGEN_FIXTURES=1 %s trace\n", file,
                    f ? "differs from the writer's output" : strerror(errno),
                    "build/bin/xsw-unit");
            CU_FAIL("seed corpus out of date");
        }
    }
    pcap_close(p);
    CU_ASSERT_EQUAL(n, 2 * NKINDS);
}
