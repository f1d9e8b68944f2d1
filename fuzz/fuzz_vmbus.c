/*
 * fuzz_vmbus.c - fuzz target for the synthetic data path decoders of
 * reference/vmbus/vmbus_decode.c (include/xsw/vmbus.h): the VMBus packet
 * decoder, then the NVSP decoder on its payload, then the RNDIS walker on
 * the shared bytes as dissectors/packet-vmbus.c maps them to ranges or a
 * send-buffer section, then the PPI walker on every PACKET_MSG. With flag
 * bit 1 the packet is also handed to a freshly brought-up channel model
 * (xsw_vmchan_inject) so that the endpoints' handling of hostile bytes is
 * fuzzed too.
 *
 * Input layout (what a VMBUS trace record carries, plus a flag byte):
 *   byte 0      flags: bit 0 direction (1 = host to guest), bit 1 inject
 *   bytes 1-4   u32 LE length of the VMBus packet (clamped to what follows)
 *   ...         the VMBus packet, then the shared bytes
 * Inputs shorter than 5 bytes are a packet alone.
 *
 * Built like fuzz/fuzz_trace_decode.c (reference/vmbus/vmbus.mk): as a
 * libFuzzer target with clang -DXSW_LIBFUZZER, and as a replay program
 * (fuzz/replay.h) that `make test` runs over fixtures/fuzz/vmbus/ (seeds written by
 * fuzz/gen_vmbus_corpus.c from real packets of the model, and every crash
 * input kept as a regression file).
 *
 * Besides not crashing, the target checks the decoders' promises: pointers
 * they hand out lie inside the buffer decoded, walkers always advance, and a
 * failure is XSW_ETRUNC or XSW_EINVAL with a message naming an offset.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/vmbus.h"

/* abort() rather than return: libFuzzer saves the input that got here. */
static void check_span(const void *p, size_t n, const uint8_t *lo, size_t len, const char *what)
{
    const uint8_t *b = p;
    if (n == 0)
        return;
    if (!b || b < lo || b > lo + len || n > (size_t)(lo + len - b)) {
        fprintf(stderr, "fuzz_vmbus: %s (%zu bytes) lies outside the decoded buffer\n", what, n);
        abort();
    }
}

static void check_err(int rc, const char *err, const char *who)
{
    if (rc != XSW_ETRUNC && rc != XSW_EINVAL) {
        fprintf(stderr, "fuzz_vmbus: %s returned %d\n", who, rc);
        abort();
    }
    if (strncmp(err, "offset ", 7) != 0) {
        fprintf(stderr, "fuzz_vmbus: %s message without a place: \"%s\"\n", who, err);
        abort();
    }
}

static void walk_ppis(const uint8_t *buf, size_t len)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_ppi p;
    size_t pos = 0;
    int rc;
    while ((rc = (err[0] = 0, xsw_rndis_ppi_next(buf, len, &pos, &p, err, sizeof err))) > 0) {
        if (p.off >= pos || pos > len) {
            fprintf(stderr, "fuzz_vmbus: PPI walk did not advance\n");
            abort();
        }
        check_span(p.data, p.data_len, buf, len, "PPI data");
        (void)xsw_ppi_name(p.type | (p.internal ? XSW_RNDIS_PPI_INTERNAL : 0));
    }
    if (rc < 0)
        check_err(rc, err, "xsw_rndis_ppi_next");
}

static void walk_rndis(const uint8_t *buf, size_t len)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rndis_msg m;
    size_t pos = 0;
    int rc;
    while ((rc = (err[0] = 0, xsw_rndis_next(buf, len, &pos, &m, err, sizeof err))) > 0) {
        if (m.off >= pos || pos > len || pos - m.off != m.len) {
            fprintf(stderr, "fuzz_vmbus: RNDIS walk did not advance by MessageLength\n");
            abort();
        }
        check_span(m.msg, m.len, buf, len, "RNDIS message");
        switch (m.type) {
        case XSW_REMOTE_NDIS_PACKET_MSG:
            check_span(m.u.pkt.data, m.u.pkt.data_len, m.msg, m.len, "PACKET_MSG data");
            check_span(m.u.pkt.oob, m.u.pkt.oob_len, m.msg, m.len, "PACKET_MSG OOB");
            check_span(m.u.pkt.ppi, m.u.pkt.ppi_len, m.msg, m.len, "PACKET_MSG PPIs");
            walk_ppis(m.u.pkt.ppi, m.u.pkt.ppi_len);
            break;
        case XSW_REMOTE_NDIS_QUERY_MSG:
        case XSW_REMOTE_NDIS_SET_MSG:
            check_span(m.u.req.info, m.u.req.info_len, m.msg, m.len, "request information");
            break;
        case XSW_REMOTE_NDIS_QUERY_CMPLT:
            check_span(m.u.query_cmplt.info, m.u.query_cmplt.info_len, m.msg, m.len, "QUERY_CMPLT information");
            break;
        case XSW_REMOTE_NDIS_INDICATE_STATUS_MSG:
            check_span(m.u.indicate.buf, m.u.indicate.buf_len, m.msg, m.len, "status buffer");
            break;
        default:
            break;
        }
        (void)xsw_rndis_msg_name(m.type);
    }
    if (rc < 0)
        check_err(rc, err, "xsw_rndis_next");
}

static void decode_nvsp(const uint8_t *p, size_t len, struct xsw_nvsp_msg *m, int *ok)
{
    char err[XSW_ERRBUF_SIZE] = "";
    int rc = xsw_nvsp_decode(p, len, m, err, sizeof err);
    *ok = rc == 0;
    if (rc) {
        check_err(rc, err, "xsw_nvsp_decode");
        return;
    }
    if (m->len > len) {
        fprintf(stderr, "fuzz_vmbus: NVSP length %u beyond the %zu-byte payload\n", m->len, len);
        abort();
    }
    struct xsw_nvsp_section s;
    switch (m->type) {
    case XSW_NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
        check_span(m->u.recv_buf_complete.sections, (size_t)m->u.recv_buf_complete.num_sections * 16, p, len,
                   "receive sections");
        for (uint32_t i = 0; i < m->u.recv_buf_complete.num_sections && i < 64; i++)
            xsw_nvsp_recv_section(m, i, &s);
        break;
    case XSW_NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE:
        check_span(m->u.indirection.table, (size_t)m->u.indirection.count * 4, p, len, "indirection table");
        for (uint32_t i = 0; i < m->u.indirection.count; i++)
            (void)xsw_nvsp_table_entry(m, i);
        break;
    case XSW_NVSP_MSG6_TYPE_PD_POST_BATCH:
        check_span(m->u.pd_post_batch.bufs, (size_t)m->u.pd_post_batch.count * 8, p, len, "PD buffers");
        break;
    default:
        break;
    }
}

/* Split the shared bytes as dissectors/packet-vmbus.c does and walk the RNDIS buffers. */
static void map_shared(const struct xsw_vmbus_pkt *pkt, const struct xsw_nvsp_msg *nv, int nv_ok,
                       const uint8_t *shared, size_t slen)
{
    struct xsw_vmbus_range_iter it = XSW_VMBUS_RANGE_ITER_INIT;
    struct xsw_vmbus_range r;
    uint32_t n = 0;
    uint64_t pfns = 0;
    size_t off = 0;
    switch (pkt->type) {
    case XSW_VM_PKT_DATA_USING_XFER_PAGES:
        while (xsw_vmbus_range_next(pkt, &it, &r) > 0) {
            n++;
            size_t take = r.byte_count < slen - off ? r.byte_count : slen - off;
            walk_rndis(shared + off, take);
            off += take;
        }
        break;
    case XSW_VM_PKT_DATA_USING_GPA_DIRECT:
    case XSW_VM_PKT_ESTABLISH_GPADL:
        while (xsw_vmbus_range_next(pkt, &it, &r) > 0) {
            n++;
            pfns += r.pfn_count;
            check_span(r.pfns, (size_t)r.pfn_count * 8, pkt->ranges, pkt->ranges_len, "GPA PFNs");
            for (uint32_t k = 0; k < r.pfn_count; k++)
                (void)xsw_vmbus_range_pfn(&r, k);
        }
        if (pfns != pkt->pfn_total) {
            fprintf(stderr, "fuzz_vmbus: %llu PFNs walked, decoder counted %u\n", (unsigned long long)pfns,
                    pkt->pfn_total);
            abort();
        }
        walk_rndis(shared, pkt->range_bytes < slen ? (size_t)pkt->range_bytes : slen);
        break;
    case XSW_VM_PKT_DATA_INBAND:
        if (nv_ok && nv->type == XSW_NVSP_MSG1_TYPE_SEND_RNDIS_PKT &&
            nv->u.rndis_pkt.section_index != XSW_NETVSC_INVALID_INDEX)
            walk_rndis(shared, nv->u.rndis_pkt.section_size < slen ? nv->u.rndis_pkt.section_size : slen);
        break;
    default:
        break;
    }
    if ((pkt->type == XSW_VM_PKT_DATA_USING_XFER_PAGES || pkt->type == XSW_VM_PKT_DATA_USING_GPA_DIRECT ||
         pkt->type == XSW_VM_PKT_ESTABLISH_GPADL) &&
        n != pkt->range_cnt) {
        fprintf(stderr, "fuzz_vmbus: %u ranges walked, range_cnt %u\n", n, pkt->range_cnt);
        abort();
    }
}

static void ignore_error(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

/* Hand the packet to an endpoint of a channel that just came up, then use the channel. */
static void inject(int dir, const uint8_t *pkt, size_t len)
{
    struct xsw_vmchan_cfg cfg = { .relid = 1, .mac = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 }, .seed = 1,
                                  .recv_buf_size = 64u << 10, .send_buf_size = 64u << 10 };
    struct xsw_vmchan_ops ops = { .error = ignore_error };
    struct xsw_vmchan *ch = xsw_vmchan_new(&cfg, &ops, NULL);
    if (!ch)
        abort();
    if (xsw_vmchan_bringup(ch) != 0) {
        fprintf(stderr, "fuzz_vmbus: bring-up failed: %s\n", xsw_vmchan_error(ch));
        abort();
    }
    (void)xsw_vmchan_inject(ch, dir, pkt, len);
    uint8_t frame[64];
    memset(frame, 0xA5, sizeof frame);
    memcpy(frame, cfg.mac, 6);
    struct xsw_frame_in fi = { .data = frame, .len = sizeof frame };
    (void)xsw_vmchan_guest_send(ch, &fi, 1);
    (void)xsw_vmchan_host_deliver(ch, frame, sizeof frame, 5);
    (void)xsw_vmchan_flush(ch);
    (void)xsw_vmchan_teardown(ch);
    xsw_vmchan_free(ch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[XSW_ERRBUF_SIZE] = "";
    const uint8_t *pkt = data, *shared = NULL;
    size_t plen = size, slen = 0;
    int dir = 0, do_inject = 0;
    if (size >= 5) {
        uint32_t want = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
        dir = data[0] & 1;
        do_inject = (data[0] & 2) != 0;
        pkt = data + 5;
        plen = want < size - 5 ? want : size - 5;
        shared = pkt + plen;
        slen = size - 5 - plen;
    }

    struct xsw_vmbus_pkt vp;
    struct xsw_nvsp_msg nv;
    int nv_ok = 0;
    int rc = xsw_vmbus_pkt_decode(pkt, plen, &vp, err, sizeof err);
    if (rc == 0) {
        check_span(vp.payload, vp.payload_len, pkt, plen, "VMBus payload");
        check_span(vp.ranges, vp.ranges_len, pkt, plen, "VMBus ranges");
        if (vp.hdr_len + vp.payload_len != plen || vp.hdr_len < XSW_VMBUS_DESC_LEN) {
            fprintf(stderr, "fuzz_vmbus: header %u + payload %u != %zu\n", vp.hdr_len, vp.payload_len, plen);
            abort();
        }
        (void)xsw_vmbus_pkt_name(vp.type);
        if (vp.payload_len)
            decode_nvsp(vp.payload, vp.payload_len, &nv, &nv_ok);
        map_shared(&vp, &nv, nv_ok, shared, slen);
    } else {
        check_err(rc, err, "xsw_vmbus_pkt_decode");
    }
    /* The same bytes straight into the inner decoders, so that mutations reach all of their fields. */
    decode_nvsp(pkt, plen, &nv, &nv_ok);
    walk_rndis(shared ? shared : pkt, shared ? slen : plen);
    walk_ppis(shared ? shared : pkt, shared ? slen : plen);
    if (do_inject && plen <= 65536)
        inject(dir, pkt, plen);
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_vmbus"
#include "replay.h"
#endif
