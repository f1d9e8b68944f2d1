/*
 * fuzz_trace_decode.c - fuzz target for the trace record decoder
 * (lib/trace_decode.c): one input is one pcap frame of a trace, that is the
 * exported-PDU tags followed by an xsw record (docs/trace-format.md).
 *
 * Built two ways (lib/lib.mk):
 *  - with clang -fsanitize=fuzzer,address,undefined -DXSW_LIBFUZZER as a
 *    libFuzzer target (make fuzz-trace; make fuzz-trace-run runs it);
 *  - with any compiler as a replay program that decodes each file named on
 *    the command line (fuzz/replay.h), so that `make test` runs the seed corpus and every
 *    saved crash input (fixtures/fuzz/trace_decode/) under the normal build
 *    and under SANITIZE=1.
 *
 * Besides not crashing, the target checks the decoder's own promises: a
 * successful decode only hands out pointers inside the input, every part
 * lies within the record, and a failure always comes with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/trace.h"

static const uint8_t *in_lo, *in_hi;

/* abort() rather than return: libFuzzer saves the input that got here. */
static void check_span(const void *p, size_t n, const char *what)
{
    const uint8_t *b = p;
    if (n == 0)
        return;
    if (!b || b < in_lo || b > in_hi || n > (size_t)(in_hi - b)) {
        fprintf(stderr, "fuzz_trace_decode: %s (%zu bytes) lies outside the input\n", what, n);
        abort();
    }
}

static void check_rec(const struct xsw_rec *r)
{
    check_span(r->body, r->body_len, "body");
    switch ((enum xsw_kind)r->kind) {
    case XSW_K_META:
        check_span(r->u.meta.text, r->u.meta.text_len, "meta text");
        break;
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
        check_span(r->u.oid.data, r->u.oid.data_len, "oid data");
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN: {
        check_span(r->u.nbl.dest, (size_t)r->u.nbl.num_dest * XSW_DEST_LEN, "nbl destinations");
        check_span(r->u.nbl.frame, r->u.nbl.cap_len, "nbl frame");
        unsigned sum = 0;
        for (unsigned i = 0; i < r->u.nbl.num_dest; i++)
            sum += xsw_rec_dest(r->u.nbl.dest, i).port_id;
        (void)sum;
        break;
    }
    case XSW_K_STATUS:
        check_span(r->u.status.data, r->u.status.data_len, "status data");
        break;
    case XSW_K_PNP_EVENT:
        check_span(r->u.pnp.data, r->u.pnp.data_len, "pnp data");
        break;
    case XSW_K_HANDLER_CALL:
        check_span(r->u.hc.dest, (size_t)r->u.hc.num_dest * XSW_DEST_LEN, "hc destinations");
        check_span(r->u.hc.text, r->u.hc.text_len, "hc text");
        for (unsigned i = 0; i < r->u.hc.num_dest; i++)
            (void)xsw_rec_dest(r->u.hc.dest, i);
        break;
    case XSW_K_FILTER_STATE:
        check_span(r->u.fs.text, r->u.fs.text_len, "filter state text");
        break;
    case XSW_K_FINDING:
        check_span(r->u.finding.text, r->u.finding.text_len, "finding text");
        break;
    case XSW_K_NDIS_CALL:
        check_span(r->u.ndis.func, r->u.ndis.func_len, "ndis function");
        break;
    case XSW_K_VMBUS:
        check_span(r->u.vmbus.pkt, r->u.vmbus.pkt_len, "vmbus packet");
        check_span(r->u.vmbus.shared, r->u.vmbus.shared_len, "vmbus shared");
        break;
    case XSW_K_VF_FRAME:
        check_span(r->u.vf.frame, r->u.vf.cap_len, "vf frame");
        break;
    case XSW_K_VERDICT:
        check_span(r->u.verdict.rule, r->u.verdict.rule_len, "verdict rule");
        check_span(r->u.verdict.text, r->u.verdict.text_len, "verdict text");
        break;
    }
}

static void check_err(int rc, const char *err)
{
    if (rc != XSW_ETRUNC && rc != XSW_EINVAL && rc != XSW_ELIMIT) {
        fprintf(stderr, "fuzz_trace_decode: unexpected result %d\n", rc);
        abort();
    }
    if (!strstr(err, "offset ")) {
        fprintf(stderr, "fuzz_trace_decode: message without a place: \"%s\"\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_rec rec;
    size_t off = 0;

    in_lo = data;
    in_hi = data + size;
    /* The frame as the reader sees it: tags first. */
    err[0] = 0;
    int rc = xsw_exp_pdu_strip(data, size, &off, err, sizeof err);
    if (rc == 0) {
        if (off > size)
            abort();
        err[0] = 0;
        rc = xsw_rec_decode(data + off, size - off, &rec, err, sizeof err);
        if (rc == 0)
            check_rec(&rec);
        else
            check_err(rc, err);
    } else {
        check_err(rc, err);
    }
    /* The same bytes as a bare record, so that mutations reach every field. */
    err[0] = 0;
    rc = xsw_rec_decode(data, size, &rec, err, sizeof err);
    if (rc == 0)
        check_rec(&rec);
    else
        check_err(rc, err);
    return 0;
}

#ifndef XSW_LIBFUZZER
#define XSW_FUZZ_NAME "fuzz_trace_decode"
#include "replay.h"
#endif
