/*
 * bench_switch.c - throughput of the reference switch harness (`make bench`).
 *
 *   bench-switch EXT.so [SECONDS]
 *
 * Measures, with the given capturing extension loaded as a real driver:
 *  - NBLs per second through the stack with chains of 1 and of 64 NBLs,
 *    trace recording off and on (records per second written when on);
 *  - OID round trips per second (OID_SWITCH_PORT_UPDATED issued by the
 *    protocol edge, forwarded by the extension, completed by the miniport);
 *  - time and peak memory (in a child process) for 10,000 VMs started and
 *    stopped (PORT_CREATE, NIC_CREATE, NIC_CONNECT ... PORT_DELETE).
 * Each figure is printed as "name: value unit" and compared with its target.
 * Rates are per CPU second of the (single) harness thread
 * (CLOCK_THREAD_CPUTIME_ID), so other processes on the machine do not skew
 * them: this is "per core".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsw/scenario.h"
#include "xsw/switch.h"

static const char *ext_path;
static double budget = 2.0; /* seconds per measurement */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct xsw_switch *make_switch(const char *trace)
{
    struct xsw_switch_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_ext = 1;
    cfg.ext[0].path = ext_path;
    cfg.ext[0].cls = XSW_CLASS_CAPTURE;
    cfg.trace_path = trace;
    cfg.record_frames = 1;
    cfg.snaplen = 64;
    cfg.scenario = "bench";
    char err[XSW_ERRBUF_SIZE];
    struct xsw_switch *sw = xsw_switch_new(&cfg, err, sizeof err);
    if (!sw) {
        fprintf(stderr, "bench-switch: %s\n", err);
        exit(2);
    }
    if (xsw_switch_load(sw) || xsw_switch_attach(sw) || xsw_switch_restart(sw)) {
        fprintf(stderr, "bench-switch: %s\n", xsw_switch_error(sw));
        exit(2);
    }
    xsw_switch_activate(sw);
    return sw;
}

static void vm(struct xsw_switch *sw, uint32_t port, uint8_t last)
{
    struct xsw_nic_desc d;
    memset(&d, 0, sizeof d);
    d.port_id = port;
    d.type = XSW_NIC_SYNTHETIC;
    uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x00, (uint8_t)(port >> 8), last};
    memcpy(d.mac, mac, 6);
    if (xsw_port_create(sw, port, XSW_PORT_SYNTHETIC, "vm", 0) || xsw_nic_create(sw, &d) ||
        xsw_nic_connect(sw, port, 0)) {
        fprintf(stderr, "bench-switch: VM start failed: %s\n", xsw_switch_error(sw));
        exit(2);
    }
}

static void teardown(struct xsw_switch *sw)
{
    xsw_switch_pause(sw);
    xsw_switch_detach(sw);
    xsw_switch_unload(sw);
    xsw_switch_free(sw);
}

/* NBLs per second from VM 10 to VM 11 in chains of "chain" 64-byte frames. */
static double nbl_rate(unsigned chain, const char *trace, double *records_per_s)
{
    struct xsw_switch *sw = make_switch(trace);
    vm(sw, 10, 1);
    vm(sw, 11, 2);
    static uint8_t frames[64][64];
    struct xsw_frame f[64];
    uint8_t a[6] = {0x00, 0x15, 0x5d, 0x00, 0x00, 1}, b[6] = {0x00, 0x15, 0x5d, 0x00, 0x00, 2};
    /* Let the switch learn both MACs first so that traffic is unicast. */
    f[0].data = frames[0];
    f[0].len = xsw_build_arp(frames[0], b, 0x0a000002, 0x0a000001);
    xsw_switch_send(sw, 11, 0, f, 1);
    for (unsigned i = 0; i < chain; i++) {
        f[i].data = frames[i];
        f[i].len = xsw_build_udp(frames[i], 64, b, a, 0x0a000001, 0x0a000002, 0, i);
    }
    uint64_t sent = 0;
    uint64_t rec0 = xsw_switch_records(sw);
    /* XSW_BENCH_ITERS=N: a fixed amount of work, for instruction counts (callgrind). */
    const char *iters = getenv("XSW_BENCH_ITERS");
    uint64_t rounds = iters ? strtoull(iters, NULL, 10) : 0;
    double t0 = now(), t;
    do {
        for (unsigned k = 0; k < 256; k++)
            sent += (unsigned)xsw_switch_send(sw, 10, 0, f, chain);
        t = now();
    } while (rounds ? --rounds > 0 : t - t0 < budget);
    double rate = (double)sent / (t - t0);
    if (records_per_s)
        *records_per_s = (double)(xsw_switch_records(sw) - rec0) / (t - t0);
    if (xsw_switch_findings(sw, 0))
        fprintf(stderr, "bench-switch: warning: %u findings during the run\n", xsw_switch_findings(sw, 0));
    teardown(sw);
    return rate;
}

static double oid_rate(void)
{
    struct xsw_switch *sw = make_switch(NULL);
    vm(sw, 10, 1);
    static uint8_t buf[2048];
    memset(buf, 0, sizeof buf);
    /* NDIS_SWITCH_PORT_PARAMETERS header + PortId 10 (offsets of §3.2). */
    buf[0] = 0x80;
    buf[1] = 1;
    buf[2] = 0x20;
    buf[3] = 0x04;
    buf[8] = 10;
    uint64_t n = 0;
    double t0 = now(), t;
    do {
        for (unsigned k = 0; k < 256; k++) {
            int64_t st = xsw_issue_oid(sw, 0x00010295 /* OID_SWITCH_PORT_UPDATED */, 1 /* set */, buf, 1056, 1056, NULL, NULL);
            if (st != 0) {
                fprintf(stderr, "bench-switch: PORT_UPDATED failed with 0x%llx\n", (unsigned long long)st);
                exit(2);
            }
            n++;
        }
        t = now();
    } while (t - t0 < budget);
    teardown(sw);
    return (double)n / (t - t0);
}

/* 10,000 VMs in a child: returns seconds, and peak RSS in KiB through *kib. */
static double ten_thousand(long *kib)
{
    int p[2];
    if (pipe(p))
        exit(2);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        struct xsw_switch_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.n_ext = 1;
        cfg.ext[0].path = ext_path;
        cfg.ext[0].cls = XSW_CLASS_CAPTURE;
        cfg.scenario = "vm-lifecycle";
        char err[XSW_ERRBUF_SIZE];
        struct xsw_switch *sw = xsw_switch_new(&cfg, err, sizeof err);
        if (!sw)
            _exit(2);
        struct xsw_scenario_params sp = {.vms = 10000, .packets = 0, .chain = 1, .seed = 1};
        double t0 = now();
        int r = xsw_scenario_run(sw, "vm-lifecycle", &sp);
        double dt = now() - t0;
        unsigned f = xsw_switch_findings(sw, 0);
        xsw_switch_free(sw);
        if (r || f) {
            fprintf(stderr, "bench-switch: 10,000-VM scenario: r=%d findings=%u\n", r, f);
            _exit(2);
        }
        if (write(p[1], &dt, sizeof dt) != (ssize_t)sizeof dt)
            _exit(2);
        _exit(0);
    }
    close(p[1]);
    double dt = -1;
    if (read(p[0], &dt, sizeof dt) != (ssize_t)sizeof dt)
        dt = -1;
    close(p[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return -1;
    return dt;
}

static void verdict(const char *what, double v, double target, const char *unit)
{
    printf("  target %-44s %12.0f %-10s %s (>= %.0f)\n", what, v, unit, v >= target ? "met" : "NOT MET", target);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-switch EXT.so [SECONDS]\n");
        return 2;
    }
    ext_path = argv[1];
    if (argc > 2)
        budget = atof(argv[2]);
    /* XSW_BENCH_ONLY=nbl64 runs one figure, for profilers. */
    if (getenv("XSW_BENCH_ONLY") && !strcmp(getenv("XSW_BENCH_ONLY"), "nbl64")) {
        printf("NBLs/s, chains of 64, recording off: %.0f\n", nbl_rate(64, NULL, NULL));
        return 0;
    }
    const char *trace = getenv("XSW_BENCH_TRACE") ? getenv("XSW_BENCH_TRACE") : "build/bench/switch-bench.pcap";
    double r1 = nbl_rate(1, NULL, NULL);
    double r64 = nbl_rate(64, NULL, NULL);
    double rec1, rec64;
    double r1t = nbl_rate(1, trace, &rec1);
    double r64t = nbl_rate(64, trace, &rec64);
    unlink(trace);
    double oids = oid_rate();
    long kib = 0;
    double tvm = ten_thousand(&kib);
    printf("xsw harness benchmark (capturing extension %s, %.1f CPU s per figure, one core)\n", ext_path, budget);
    printf("  NBLs/s, chains of 1,  recording off:  %12.0f\n", r1);
    printf("  NBLs/s, chains of 64, recording off:  %12.0f\n", r64);
    printf("  NBLs/s, chains of 1,  recording on:   %12.0f  (%.0f records/s written)\n", r1t, rec1);
    printf("  NBLs/s, chains of 64, recording on:   %12.0f  (%.0f records/s written)\n", r64t, rec64);
    printf("  OID round trips/s:                    %12.0f\n", oids);
    if (tvm < 0)
        printf("  10,000 VMs start+stop:                FAILED\n");
    else
        printf("  10,000 VMs start+stop:                %12.2f s, peak RSS %.1f MB\n", tvm, (double)kib / 1024.0);
    verdict("NBLs/s per core, 64-NBL chains, recording off", r64, 5e6, "NBLs/s");
    verdict("records/s written, recording on (64-NBL chains)", rec64, 1e6, "records/s");
    return tvm < 0 ? 1 : 0;
}
