/*
 * bench_check.c - throughput of the checker engine alone (no trace decoding):
 * NBL round trips through a capture, filter and forward extension, 16
 * records each, judged against suite/specs/. `make bench` prints records per
 * second of CPU time; xsw-analyze must sustain 5M records/s overall.
 * Usage: xsw-bench-check [ROUND_TRIPS] [SPEC_DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xsw/check.h"

/* Port 6 and its NIC created and connected, each OID passed through the three extensions. */
static const struct {
    const char *oid, *args;
} setup[] = {
    {"OID_SWITCH_PORT_CREATE", "port=6 data=1056,u32@8=6"},
    {"OID_SWITCH_NIC_CREATE", "port=6 nic=0 data=2224,u32@1040=6"},
    {"OID_SWITCH_NIC_CONNECT", "port=6 nic=0 data=2224,u32@1040=6"},
};

/* One round trip: ingress down the stack (the forwarding extension adds the destination), egress up, back. */
static const char *const trip[] = {
    "NBL_SEND point=0 actor=sw id=1 src_port=5 frame=64,hex@0=020000000006",
    "NBL_SEND point=1 actor=0 id=1 src_port=5 frame=64,hex@0=020000000006",
    "NBL_SEND point=2 actor=1 id=1 src_port=5 frame=64,hex@0=020000000006",
    "NBL_SEND point=3 actor=2 id=1 src_port=5 dest=6:0 frame=64,hex@0=020000000006",
    "NBL_INDICATE point=3 actor=sw id=1 src_port=5 dest=6:0 frame=64,hex@0=020000000006",
    "NBL_INDICATE point=2 actor=2 id=1 src_port=5 dest=6:0 frame=64,hex@0=020000000006",
    "NBL_INDICATE point=1 actor=1 id=1 src_port=5 dest=6:0 frame=64,hex@0=020000000006",
    "NBL_INDICATE point=0 actor=0 id=1 src_port=5 dest=6:0 frame=64,hex@0=020000000006",
    "NBL_RETURN point=0 actor=sw id=1 src_port=5 dest=6:0",
    "NBL_RETURN point=1 actor=0 id=1 src_port=5 dest=6:0",
    "NBL_RETURN point=2 actor=1 id=1 src_port=5 dest=6:0",
    "NBL_RETURN point=3 actor=2 id=1 src_port=5 dest=6:0",
    "NBL_SEND_COMPLETE point=3 actor=sw id=1 src_port=5",
    "NBL_SEND_COMPLETE point=2 actor=2 id=1 src_port=5",
    "NBL_SEND_COMPLETE point=1 actor=1 id=1 src_port=5",
    "NBL_SEND_COMPLETE point=0 actor=0 id=1 src_port=5",
};

#define NTRIP (sizeof trip / sizeof trip[0])

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
    const char *dir = argc > 2 ? argv[2] : "suite/specs";
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *spec = xsw_spec_new();
    if (!spec || xsw_spec_load_dir(spec, dir, err, sizeof err)) {
        fprintf(stderr, "xsw-bench-check: %s\n", err);
        return 1;
    }
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    struct xsw_checker *c = xsw_checker_new(spec, &cfg);
    /* Each parsed record keeps its own buffers, so the templates are parsed once. */
    static struct xsw_rectext st[NTRIP + 1];
    struct xsw_rec recs[NTRIP];
    struct xsw_rec rec;
    uint64_t frame = 0, seq = 0;
    int viol = 0;
    char line[256];
    for (int i = -1; i < (int)(sizeof setup / sizeof setup[0]); i++)
        for (int step = 0; step < 8; step++) {
            /* Requests down points 0..3, then completions up 3..0. */
            int p = step < 4 ? step : 7 - step, id = 0x9000 + 16 * i + p;
            if (i < 0) {
                if (step)
                    break;
                snprintf(line, sizeof line, "META depth=3 ext.0.class=capture ext.1.class=filter ext.2.class=forward");
            } else if (step < 4) {
                snprintf(line, sizeof line, "OID_REQUEST point=%d actor=%s id=%d parent=%d oid=%s type=set %s", p,
                         p ? (p == 1 ? "0" : p == 2 ? "1" : "2") : "sw", id, p ? id - 1 : 0, setup[i].oid, setup[i].args);
            } else {
                snprintf(line, sizeof line, "OID_COMPLETE point=%d actor=%s id=%d oid=%s type=set %s", p,
                         p == 3 ? "sw" : (p == 0 ? "0" : p == 1 ? "1" : "2"), id, setup[i].oid, setup[i].args);
            }
            if (xsw_rectext_parse(&st[NTRIP], line, &rec, err, sizeof err) != 1) {
                fprintf(stderr, "xsw-bench-check: %s\n", err);
                return 1;
            }
            rec.seq = ++seq;
            viol += xsw_checker_feed(c, &rec, ++frame);
        }
    for (size_t k = 0; k < NTRIP; k++) {
        xsw_rectext_init(&st[k]);
        st[k].depth = 3;
        if (xsw_rectext_parse(&st[k], trip[k], &recs[k], err, sizeof err) != 1) {
            fprintf(stderr, "xsw-bench-check: %s\n", err);
            return 1;
        }
    }
    clock_t t0 = clock();
    for (unsigned long i = 0; i < n; i++)
        for (size_t k = 0; k < NTRIP; k++) {
            recs[k].id = i + 1;
            recs[k].seq = ++seq;
            viol += xsw_checker_feed(c, &recs[k], ++frame);
        }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (xsw_checker_finish(c) < 0)
        viol = -1;
    struct xsw_check_stats s;
    xsw_checker_stats(c, &s);
    printf("checker: %lu records in %.3f s CPU = %.2f M records/s (%llu rule evaluations, %d violations, "
           "peak %llu live NBLs)\n",
           n * NTRIP, secs, secs > 0 ? (double)(n * NTRIP) / secs / 1e6 : 0.0, (unsigned long long)s.evaluations, viol,
           (unsigned long long)s.peak_nbls);
    xsw_checker_free(c);
    xsw_spec_free(spec);
    return viol != 0;
}
