/*
 * gen_vmbus_corpus.c - writes the seed corpus of fuzz/fuzz_vmbus.c from the
 * packets the channel model (include/xsw/vmbus.h) really emits: bring-up at
 * V61 and with the version fallback of a V5 host, a V4 guest (NDIS 6.1, no
 * RSS), guest TX through send-buffer sections and GPA-direct, host RX
 * batches with VLAN and hash PPIs, VF association and data-path switches,
 * status indications and teardown.
 *
 *   xsw-vmbus-corpus DIR     (make fuzz-vmbus-corpus writes fixtures/fuzz/vmbus/)
 *
 * Each distinct packet becomes DIR/seed-NNN-DIR-TYPE in the input layout of
 * fuzz_vmbus.c (flags byte with bit 0 = direction and bit 1 = inject, u32
 * packet length, packet, shared bytes). Output is deterministic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/vmbus.h"

#define MAX_SEEDS 400

static const char *outdir;
static unsigned nseeds;
static uint64_t hashes[MAX_SEEDS];
static int failed;

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001B3ull;
    return h;
}

static void emit(void *ctx, int dir, const uint8_t *pkt, size_t len, const uint8_t *shared, size_t slen)
{
    (void)ctx;
    uint64_t h = fnv(shared, slen, fnv(pkt, len, 0xCBF29CE484222325ull ^ (uint64_t)dir));
    for (unsigned i = 0; i < nseeds; i++)
        if (hashes[i] == h)
            return;
    if (nseeds == MAX_SEEDS)
        return;
    hashes[nseeds] = h;
    const char *type = len >= 2 ? xsw_vmbus_pkt_name(pkt[0] | pkt[1] << 8) : NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/seed-%03u-%s-%s", outdir, nseeds++, dir ? "h2g" : "g2h",
             type ? type + 7 /* "VM_PKT_" */ : "unknown");
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        failed = 1;
        return;
    }
    uint8_t hdr[5] = { (uint8_t)(dir | 2), (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                       (uint8_t)(len >> 24) };
    if (fwrite(hdr, 1, 5, f) != 5 || fwrite(pkt, 1, len, f) != len || (slen && fwrite(shared, 1, slen, f) != slen))
        failed = 1;
    if (fclose(f))
        failed = 1;
}

static void on_error(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "xsw-vmbus-corpus: %s\n", msg);
    failed = 1;
}

static void frame(uint8_t *f, uint32_t len, const uint8_t *dst, uint8_t proto, int tagged)
{
    memset(f, 0, len);
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x00\x15\x5d\x77\x77\x77", 6);
    uint32_t o = 12;
    if (tagged) {
        f[12] = 0x81;
        f[14] = 0x20;
        f[15] = 0x0A; /* pri 1, vid 10 */
        o = 16;
    }
    f[o] = 0x08;
    f[o + 2] = 0x45;
    f[o + 2 + 9] = proto;
    memcpy(f + o + 2 + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
    memcpy(f + o + 2 + 20, "\x30\x39\x00\x50", 4);
}

static void scenario(uint32_t guest_max, uint32_t host_max, int gpa, uint32_t seed)
{
    struct xsw_vmchan_cfg cfg = { .relid = seed, .mac = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 },
                                  .max_nvsp_version = guest_max, .host_max_nvsp_version = host_max,
                                  .seed = seed, .use_gpa_direct = gpa };
    struct xsw_vmchan_ops ops = { .emit = emit, .error = on_error };
    struct xsw_vmchan *ch = xsw_vmchan_new(&cfg, &ops, NULL);
    if (!ch || xsw_vmchan_bringup(ch)) {
        fprintf(stderr, "xsw-vmbus-corpus: bring-up failed\n");
        failed = 1;
        xsw_vmchan_free(ch);
        return;
    }
    static uint8_t fr[10][1514];
    struct xsw_frame_in in[10];
    for (int i = 0; i < 10; i++) {
        uint32_t len = i == 9 ? 1514 : 60 + 4 * (uint32_t)i;
        frame(fr[i], len, (const uint8_t *)"\x00\x15\x5d\x09\x09\x09", i % 2 ? 17 : 6, i == 3);
        in[i] = (struct xsw_frame_in){ .data = fr[i], .len = len, .hash = 0x1000u + (uint32_t)i, .csum = i % 3 == 0 };
    }
    xsw_vmchan_guest_send(ch, in, 10);
    for (int i = 0; i < 10; i++) {
        uint32_t len = i == 9 ? 1514 : 64;
        frame(fr[i], len, cfg.mac, 6, i == 4);
        xsw_vmchan_host_deliver(ch, fr[i], len, i == 6 ? 100 : 0);
    }
    xsw_vmchan_flush(ch);
    struct xsw_vmchan_state st;
    xsw_vmchan_get_state(ch, &st);
    if (st.nvsp_version >= XSW_NVSP_PROTOCOL_VERSION_4) {
        xsw_vmchan_host_vf_association(ch, 1, 7 + seed);
        xsw_vmchan_guest_switch_datapath(ch, 1);
        xsw_vmchan_guest_switch_datapath(ch, 0);
        xsw_vmchan_host_vf_association(ch, 0, 7 + seed);
    }
    xsw_vmchan_host_indicate_status(ch, 0x40010013u); /* LINK_SPEED_CHANGE */
    xsw_vmchan_host_indicate_status(ch, 0x4001000Cu); /* MEDIA_DISCONNECT */
    xsw_vmchan_host_indicate_status(ch, 0x4001000Bu); /* MEDIA_CONNECT */
    xsw_vmchan_teardown(ch);
    xsw_vmchan_free(ch);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    scenario(XSW_NVSP_PROTOCOL_VERSION_61, XSW_NVSP_PROTOCOL_VERSION_61, 0, 1);
    scenario(XSW_NVSP_PROTOCOL_VERSION_61, XSW_NVSP_PROTOCOL_VERSION_5, 1, 2);
    scenario(XSW_NVSP_PROTOCOL_VERSION_4, XSW_NVSP_PROTOCOL_VERSION_61, 0, 3);
    scenario(XSW_NVSP_PROTOCOL_VERSION_2, XSW_NVSP_PROTOCOL_VERSION_2, 1, 4);
    printf("xsw-vmbus-corpus: %u seed inputs in %s\n", nseeds, outdir);
    return failed;
}
