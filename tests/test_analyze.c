/*
 * test_analyze.c - unit tests of xsw-analyze (analyzer/, docs/analyzer.md):
 * the netvsc tracepoint text reader (every event format of
 * netvsc_trace.h as ftrace, trace-cmd and perf print it, console lines,
 * malformed fields with their columns), the built-in guest NVSP rules (one
 * passing and one failing sequence per rule), the NVSP decoder of VMBUS
 * records, the JSON/XML escapers, and a whole run over the generated
 * violations fixture: the (rule, frame) pairs found, a JSON and a JUnit file
 * that parse, and the --annotate round trip (the output decodes, every
 * VERDICT follows the frame it judges or, for end-of-trace findings, points
 * back at it, with parent = the judged record's seq).
 *
 * The fixture comes from the committed generator ($XSW_BUILD/bin/xsw-an-gen)
 * and the rules from suite/specs (the tests run from the repository root).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "unit.h"
#include "xsw/trace.h"

static char tmpdir[64];

static int suite_init(void)
{
    strcpy(tmpdir, "/tmp/xsw-test-analyze-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

XSW_SUITE(analyze, suite_init, suite_clean)

static const char *tmp_path(const char *name)
{
    static char path[4][160];
    static unsigned next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    return p;
}

/* ---- Text reader ---------------------------------------------------------------- */

static int parse(const char *line, struct xan_nv_event *ev, size_t *col, char *msg)
{
    return xan_nvtext_parse(line, strlen(line), 7, ev, col, msg, 200);
}

XSW_TEST(analyze, text_formats)
{
    struct xan_nv_event ev;
    size_t col;
    char msg[200];
    /* ftrace with the latency flags column */
    CU_ASSERT_EQUAL(parse("     kworker/0:1-25      [000] .....     3.101200: nvsp_send: dev=eth0 type=INIT", &ev,
                          &col, msg),
                    1);
    CU_ASSERT_EQUAL(ev.what, XNV_NVSP);
    CU_ASSERT_EQUAL(ev.dir, XNV_G2H);
    CU_ASSERT_EQUAL(ev.type, 1);
    CU_ASSERT_STRING_EQUAL(ev.dev, "eth0");
    CU_ASSERT_EQUAL(ev.ts_ns, 3101200000ull);
    CU_ASSERT_EQUAL(ev.frame, 7);
    /* trace-cmd pads the event name */
    CU_ASSERT_EQUAL(parse("  <idle>-0     [001]     3.101300: nvsp_recv:            dev=eth1 qid=2 type=INIT_COMPLETE",
                          &ev, &col, msg),
                    1);
    CU_ASSERT_EQUAL(ev.dir, XNV_H2G);
    CU_ASSERT_EQUAL(ev.type, 2);
    CU_ASSERT_EQUAL(ev.qid, 2);
    /* perf script: "netvsc:" prefix, a comm with a space, a 9-digit fraction */
    CU_ASSERT_EQUAL(parse("kworker/0:1 H    25 [000]     3.123456789: netvsc:nvsp_send: dev=eth2 type=SWITCH_DATA_PATH "
                          "datapath=VF",
                          &ev, &col, msg),
                    1);
    CU_ASSERT_EQUAL(ev.type, 129);
    CU_ASSERT(ev.has_dp && ev.dp == 1);
    CU_ASSERT_EQUAL(ev.ts_ns, 3123456789ull);
    /* nvsp_send_pkt */
    CU_ASSERT_EQUAL(parse("x [000] 1.5: nvsp_send_pkt: dev=eth0 qid=3 type=DATA section=4294967295 size=-1", &ev, &col,
                          msg),
                    1);
    CU_ASSERT_EQUAL(ev.what, XNV_SEND_PKT);
    CU_ASSERT_EQUAL(ev.channel_type, 0);
    CU_ASSERT_EQUAL(ev.section, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(ev.size, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(ev.qid, 3);
    /* rndis, with symbolic and hex types */
    CU_ASSERT_EQUAL(parse("x [000] 1.5: rndis_recv: dev=eth0 q=0 req=0x1a type=INIT_C msg_len=52", &ev, &col, msg), 1);
    CU_ASSERT_EQUAL(ev.what, XNV_RNDIS);
    CU_ASSERT_EQUAL(ev.type, 0x80000002u);
    CU_ASSERT_EQUAL(ev.req_id, 0x1a);
    CU_ASSERT_EQUAL(ev.msg_len, 52);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: rndis_send: dev=eth0 q=0 req=0 type=0x8 msg_len=12", &ev, &col, msg), 1);
    CU_ASSERT_EQUAL(ev.type, 8);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: nvsp_send: dev=eth0 type=0x85", &ev, &col, msg), 1);
    CU_ASSERT_EQUAL(ev.type, 133);
    /* console lines of the driver */
    CU_ASSERT_EQUAL(parse("x [000] 9.0: console: [ 9.0] hv_netvsc 000d eth0: VF slot 12 removed", &ev, &col, msg), 1);
    CU_ASSERT_EQUAL(ev.what, XNV_VF_SLOT);
    CU_ASSERT_STRING_EQUAL(ev.dev, "eth0");
    CU_ASSERT(ev.has_alloc && ev.alloc == 0 && ev.serial == 12);
    CU_ASSERT_EQUAL(parse("x [000] 9.0: console: hv_netvsc 000d eth3: Data path switched to VF: enP1s1", &ev, &col, msg),
                    1);
    CU_ASSERT_EQUAL(ev.what, XNV_DP_SWITCHED);
    CU_ASSERT_STRING_EQUAL(ev.dev, "eth3");
    CU_ASSERT(ev.has_dp && ev.dp == 1);
    /* not netvsc events */
    CU_ASSERT_EQUAL(parse("# tracer: nop", &ev, &col, msg), 0);
    CU_ASSERT_EQUAL(parse("cpus=2", &ev, &col, msg), 0);
    CU_ASSERT_EQUAL(parse("", &ev, &col, msg), 0);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: sched_switch: prev_comm=a dev=x type=INIT", &ev, &col, msg), 0);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: console: nothing about the VF here", &ev, &col, msg), 0);
    CU_ASSERT_EQUAL(parse("nvsp_send: dev=eth0 type=INIT", &ev, &col, msg), 0); /* no timestamp before it */
}

XSW_TEST(analyze, text_errors)
{
    struct xan_nv_event ev;
    size_t col;
    char msg[200];
    const char *l = "x [000] 1.5: nvsp_send: dev=eth0 type=NO_SUCH_TYPE";
    CU_ASSERT_EQUAL(parse(l, &ev, &col, msg), -1);
    CU_ASSERT_EQUAL(col, (size_t)(strstr(l, "type=") - l) + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "NO_SUCH_TYPE"));
    l = "x [000] 1.5: nvsp_send: type=INIT";
    CU_ASSERT_EQUAL(parse(l, &ev, &col, msg), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "dev="));
    CU_ASSERT_EQUAL(col, strlen(l) + 1);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: nvsp_send: dev=eth0", &ev, &col, msg), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "type="));
    l = "x [000] 1.5: nvsp_send_pkt: dev=eth0 qid=70000 type=DATA section=0 size=1";
    CU_ASSERT_EQUAL(parse(l, &ev, &col, msg), -1);
    CU_ASSERT_EQUAL(col, (size_t)(strstr(l, "qid=") - l) + 1);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: nvsp_send_pkt: dev=eth0 qid=1 type=SOMETIMES section=0 size=1", &ev, &col, msg),
                    -1);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: rndis_send: dev=eth0 q=0 req=0x100000000 type=INIT msg_len=1", &ev, &col, msg),
                    -1);
    CU_ASSERT_EQUAL(parse("x [000] 1.5: nvsp_send: dev=eth0 type=SWITCH_DATA_PATH datapath=2", &ev, &col, msg), -1);
    char longdev[200];
    snprintf(longdev, sizeof longdev, "x [000] 1.5: nvsp_send: dev=%070d type=INIT", 1);
    CU_ASSERT_EQUAL(parse(longdev, &ev, &col, msg), -1);
    CU_ASSERT_STRING_EQUAL(msg, "field dev= has 70 bytes (1 to 63 allowed)"); /* the limit: sizeof ev.dev - 1 */
    CU_ASSERT_EQUAL(col, (size_t)(strstr(longdev, "dev=") - longdev) + 1);
    /* Sniffing: text with netvsc events, or an ftrace header; not binary, not other text. */
    CU_ASSERT(xan_nvtext_sniff((const uint8_t *)"# tracer: nop\n", 14));
    CU_ASSERT(xan_nvtext_sniff((const uint8_t *)"a [0] 1.0: nvsp_recv: dev=e type=INIT\n", 38));
    CU_ASSERT(!xan_nvtext_sniff((const uint8_t *)"hello world\n", 12));
    CU_ASSERT(!xan_nvtext_sniff((const uint8_t *)"nvsp_send\0\1\2", 12));
}

/* ---- Guest NVSP rules ------------------------------------------------------------ */

struct collect {
    char rules[16][16];
    uint64_t frame[16];
    int at_end[16];
    unsigned n;
};

static void collect_fn(void *arg, const struct xan_viol *v)
{
    struct collect *c = arg;
    if (c->n < 16) {
        snprintf(c->rules[c->n], sizeof c->rules[0], "%s", v->rule);
        c->frame[c->n] = v->frame;
        c->at_end[c->n] = v->at_end;
        c->n++;
    }
}

/* Feed "text" (lines) to a fresh engine; returns the violations collected. */
static struct collect run_text(const char *text)
{
    struct collect c;
    memset(&c, 0, sizeof c);
    struct xan_nvsp *n = xan_nvsp_new("line", collect_fn, &c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    uint64_t lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        struct xan_nv_event ev;
        size_t col;
        char msg[200];
        lineno++;
        int rc = xan_nvtext_parse(p, len, lineno, &ev, &col, msg, sizeof msg);
        CU_ASSERT(rc >= 0);
        if (rc == 1)
            xan_nvsp_feed(n, &ev);
        p += len + (nl ? 1 : 0);
    }
    xan_nvsp_finish(n, lineno);
    xan_nvsp_free(n);
    return c;
}

#define S(t) "a [0] 1.0: nvsp_send: dev=e type=" t "\n"
#define R(t) "a [0] 1.0: nvsp_recv: dev=e qid=0 type=" t "\n"
#define BRINGUP S("INIT") R("INIT_COMPLETE") S("SEND_NDIS_CONFIG") S("SEND_NDIS_VER") S("SEND_RECV_BUF") \
    R("SEND_RECV_BUF_COMPLETE") S("SEND_SEND_BUF") R("SEND_SEND_BUF_COMPLETE")
#define PKT "a [0] 1.0: nvsp_send_pkt: dev=e qid=0 type=DATA section=1 size=60\n"

static int has(const struct collect *c, const char *rule, uint64_t line)
{
    for (unsigned i = 0; i < c->n; i++)
        if (!strcmp(c->rules[i], rule) && c->frame[i] == line)
            return 1;
    return 0;
}

XSW_TEST(analyze, nvsp_rules_pass)
{
    struct collect c = run_text(BRINGUP PKT R("SEND_VF_ASSOCIATION") S("SWITCH_DATA_PATH") R("SWITCH_DATA_PATH")
                                    S("SWITCH_DATA_PATH") R("SEND_VF_ASSOCIATION") PKT S("REVOKE_RECV_BUF")
                                    S("REVOKE_SEND_BUF") S("INIT") R("INIT_COMPLETE"));
    CU_ASSERT_EQUAL(c.n, 0);
    /* A failed negotiation followed by a retry is fine. */
    c = run_text("a [0] 1.0: nvsp_send: dev=e type=INIT\n"
                 "a [0] 1.0: nvsp_recv: dev=e qid=0 type=INIT_COMPLETE status=2\n"
                 "a [0] 1.0: nvsp_send: dev=e type=INIT\n" R("INIT_COMPLETE") S("SEND_NDIS_VER"));
    CU_ASSERT_EQUAL(c.n, 0);
}

XSW_TEST(analyze, nvsp_rules_fail)
{
    struct collect c = run_text(S("SEND_NDIS_VER") S("INIT") R("INIT_COMPLETE"));
    CU_ASSERT(has(&c, "XSW-NVSP-001", 1));
    c = run_text(S("INIT") S("SEND_NDIS_VER") R("INIT_COMPLETE"));
    CU_ASSERT(has(&c, "XSW-NVSP-002", 2));
    c = run_text("a [0] 1.0: nvsp_send: dev=e type=INIT\n"
                 "a [0] 1.0: nvsp_recv: dev=e qid=0 type=INIT_COMPLETE status=2\n" S("SEND_NDIS_CONFIG"));
    CU_ASSERT(has(&c, "XSW-NVSP-002", 3));
    c = run_text(S("INIT") R("INIT_COMPLETE") S("SEND_RECV_BUF"));
    CU_ASSERT(has(&c, "XSW-NVSP-003", 3));
    c = run_text(S("INIT") R("INIT_COMPLETE") S("SEND_NDIS_VER") S("SEND_RECV_BUF") S("SEND_SEND_BUF"));
    CU_ASSERT(has(&c, "XSW-NVSP-004", 5));
    /* RNDIS before the buffers: reported once per device and negotiation. */
    c = run_text(S("INIT") R("INIT_COMPLETE") S("SEND_NDIS_VER") PKT PKT);
    CU_ASSERT(has(&c, "XSW-NVSP-005", 4));
    CU_ASSERT(!has(&c, "XSW-NVSP-005", 5));
    c = run_text(BRINGUP S("SWITCH_DATA_PATH"));
    CU_ASSERT(has(&c, "XSW-NVSP-006", 9));
    /* Explicit values beat alternation: a second switch to the VF after removal. */
    c = run_text(BRINGUP "a [0] 1.0: nvsp_recv: dev=e qid=0 type=SEND_VF_ASSOCIATION allocated=1\n"
                         "a [0] 1.0: nvsp_send: dev=e type=SWITCH_DATA_PATH datapath=VF\n"
                         "a [0] 1.0: nvsp_send: dev=e type=SWITCH_DATA_PATH datapath=SYNTHETIC\n"
                         "a [0] 1.0: nvsp_recv: dev=e qid=0 type=SEND_VF_ASSOCIATION allocated=0\n"
                         "a [0] 1.0: nvsp_send: dev=e type=SWITCH_DATA_PATH datapath=VF\n");
    CU_ASSERT(has(&c, "XSW-NVSP-006", 13));
    CU_ASSERT_EQUAL(c.n, 1);
    c = run_text(BRINGUP R("SEND_VF_ASSOCIATION") S("SWITCH_DATA_PATH") R("SEND_VF_ASSOCIATION"));
    CU_ASSERT(has(&c, "XSW-NVSP-007", 11));
    /* A console line corrects an inferred value: the host re-sent "added", no removal. */
    c = run_text(BRINGUP R("SEND_VF_ASSOCIATION") S("SWITCH_DATA_PATH")
                     "a [0] 1.0: console: x eth0: nothing\n"
                     "a [0] 1.0: nvsp_recv: dev=e qid=0 type=SEND_VF_ASSOCIATION allocated=1\n"
                     "a [0] 1.0: console: hv_netvsc x e: VF slot 1 added\n" S("SWITCH_DATA_PATH")
                         S("SWITCH_DATA_PATH"));
    CU_ASSERT_EQUAL(c.n, 0);
    c = run_text(BRINGUP S("REVOKE_SEND_BUF") PKT);
    CU_ASSERT(has(&c, "XSW-NVSP-008", 10));
    c = run_text(S("INIT") S("INIT"));
    CU_ASSERT(has(&c, "XSW-NVSP-009", 2));
    CU_ASSERT(c.at_end[0]);
    c = run_text(R("INIT_COMPLETE"));
    CU_ASSERT(has(&c, "XSW-NVSP-010", 1));
    /* Devices are independent. */
    c = run_text(S("INIT") "a [0] 1.0: nvsp_recv: dev=f qid=0 type=INIT_COMPLETE\n" R("INIT_COMPLETE"));
    CU_ASSERT(has(&c, "XSW-NVSP-010", 2));
    CU_ASSERT(!has(&c, "XSW-NVSP-010", 3));
}

/*
 * XSW-NVSP-011 and -012 are judged over VMBUS records: a script of VMBus
 * packets, one a line: "G" or "H" (sender), "I" in-band with completion
 * requested, "i" in-band without, "C" completion (NVSP type 0 = empty
 * payload), then the transaction id, the NVSP type and up to three u32 values.
 */
struct vpkt {
    char from, kind;
    uint64_t tid;
    uint32_t type, a, b, c;
};

static struct collect run_vmbus(const struct vpkt *p, size_t np)
{
    struct collect c;
    memset(&c, 0, sizeof c);
    struct xan_nvsp *n = xan_nvsp_new("frame", collect_fn, &c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    for (size_t i = 0; i < np; i++) {
        uint8_t pkt[32];
        memset(pkt, 0, sizeof pkt);
        pkt[0] = p[i].kind == 'C' ? 0x0B : 0x06;
        pkt[2] = 2;
        pkt[4] = p[i].type || p[i].kind != 'C' ? 4 : 2;
        pkt[6] = p[i].kind == 'I';
        for (int k = 0; k < 8; k++)
            pkt[8 + k] = (uint8_t)(p[i].tid >> (8 * k));
        uint32_t w[4] = {p[i].type, p[i].a, p[i].b, p[i].c};
        for (int k = 0; k < 16; k++)
            pkt[16 + k] = (uint8_t)(w[k / 4] >> (8 * (k % 4)));
        size_t len = p[i].type || p[i].kind != 'C' ? sizeof pkt : 16;
        struct xan_nv_event ev;
        CU_ASSERT_EQUAL_FATAL(xan_nvsp_from_vmbus(pkt, len, p[i].from == 'H', &ev), 1);
        snprintf(ev.dev, sizeof ev.dev, "port 2 nic 1");
        ev.frame = i + 1;
        xan_nvsp_feed(n, &ev);
    }
    xan_nvsp_finish(n, np);
    for (unsigned i = 0; i < XNR__N; i++) {
        struct xan_rule r;
        xan_nvsp_rule(n, i, &r);
        CU_ASSERT(r.violated <= r.evaluated);
    }
    xan_nvsp_free(n);
    return c;
}

#define VINIT {'G', 'I', 1, 1, 0x60001, 0x60001, 0}, {'H', 'C', 1, 2, 0, 0, 1}, {'G', 'i', 2, 125, 1514, 0, 0}, \
    {'G', 'i', 3, 100, 6, 30, 0}, {'G', 'I', 4, 101, 0x1000, 0xCAFE, 0}, {'H', 'C', 4, 102, 1, 1, 0}, \
    {'G', 'I', 5, 104, 0x2000, 0, 0}, {'H', 'C', 5, 105, 1, 6144, 0}, {'H', 'i', 6, 128, 1, 7, 0}
#define SDP_VF(tid) {'G', 'I', tid, 129, 1, 0, 0}
#define SDP_SYN(tid) {'G', 'I', tid, 129, 0, 0, 0}
#define COMP(tid) {'H', 'C', tid, 0, 0, 0, 0}
#define DATA(tid) {'G', 'I', tid, 107, 0, 1, 60}
#define CTRL(tid) {'G', 'I', tid, 107, 1, 0xFFFFFFFFu, 0}

XSW_TEST(analyze, nvsp_switch_completion_rules_pass)
{
    /* Both switches completed with an empty payload; data before and after the VF period, control during it. */
    const struct vpkt ok[] = {VINIT,    DATA(7),  SDP_VF(8), COMP(8),  CTRL(9), SDP_SYN(10),
                              DATA(11), COMP(10), DATA(12),  SDP_VF(13), DATA(14), COMP(13)};
    struct collect c = run_vmbus(ok, sizeof ok / sizeof ok[0]);
    CU_ASSERT_EQUAL(c.n, 0);
    /* A completion with an NVSP payload matches too; a switch without completion requested is not judged. */
    const struct vpkt ok2[] = {VINIT, SDP_VF(8), {'H', 'C', 8, 129, 0, 0, 0}, {'G', 'i', 9, 129, 0, 0, 0},
                               {'G', 'i', 10, 129, 1, 0, 0}, DATA(11)};
    c = run_vmbus(ok2, sizeof ok2 / sizeof ok2[0]);
    CU_ASSERT_EQUAL(c.n, 0);
    /* The guest completing the host's SWITCH_DATA_PATH makes no switch of its own (no XSW-NVSP-006
     * although the VF was removed, no XSW-NVSP-011). */
    const struct vpkt host[] = {VINIT, {'H', 'i', 7, 128, 0, 0, 0}, {'H', 'I', 8, 129, 0, 0, 0},
                                {'G', 'C', 8, 129, 0, 0, 0}};
    c = run_vmbus(host, sizeof host / sizeof host[0]);
    CU_ASSERT_EQUAL(c.n, 0);
    /* Netvsc text shows no completions: an answered-looking sequence without one is not judged. */
    c = run_text(BRINGUP R("SEND_VF_ASSOCIATION") S("SWITCH_DATA_PATH") PKT);
    CU_ASSERT_EQUAL(c.n, 0);
}

XSW_TEST(analyze, nvsp_switch_completion_rules_fail)
{
    /* Frame 14: the switch of frame 12 was never completed (a completion of another id does not count). */
    const struct vpkt next[] = {VINIT, SDP_VF(8), COMP(8), SDP_SYN(9), COMP(99), SDP_VF(10), COMP(10)};
    struct collect c = run_vmbus(next, sizeof next / sizeof next[0]);
    CU_ASSERT(has(&c, "XSW-NVSP-011", 14));
    CU_ASSERT_EQUAL(c.n, 1);
    /* At the end of the trace: the switch back to synthetic was never completed. */
    const struct vpkt end[] = {VINIT, SDP_VF(8), COMP(8), SDP_SYN(9)};
    c = run_vmbus(end, sizeof end / sizeof end[0]);
    CU_ASSERT(has(&c, "XSW-NVSP-011", 12));
    CU_ASSERT_EQUAL(c.n, 1);
    CU_ASSERT(c.at_end[0]);
    /* Data frames on the synthetic path during the VF period: reported once per period. */
    const struct vpkt data[] = {VINIT,   SDP_VF(8), COMP(8),  DATA(9),  DATA(10), SDP_SYN(11),
                                COMP(11), DATA(12), SDP_VF(13), COMP(13), DATA(14)};
    c = run_vmbus(data, sizeof data / sizeof data[0]);
    CU_ASSERT(has(&c, "XSW-NVSP-012", 12));
    CU_ASSERT(!has(&c, "XSW-NVSP-012", 13));
    CU_ASSERT(!has(&c, "XSW-NVSP-012", 16));
    CU_ASSERT(has(&c, "XSW-NVSP-012", 19));
    CU_ASSERT_EQUAL(c.n, 2);
    /* Before the completion the data path is not yet the VF. */
    const struct vpkt early[] = {VINIT, SDP_VF(8), DATA(9), COMP(8)};
    c = run_vmbus(early, sizeof early / sizeof early[0]);
    CU_ASSERT_EQUAL(c.n, 0);
}

XSW_TEST(analyze, nvsp_from_vmbus)
{
    /* INBAND VF association {allocated 1, serial 7} after a 16-byte descriptor. */
    uint8_t pkt[32] = {0x06, 0, 2, 0, 4, 0, 0, 0};
    pkt[16] = 128;
    pkt[20] = 1;
    pkt[24] = 7;
    struct xan_nv_event ev;
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, sizeof pkt, 1, &ev), 1);
    CU_ASSERT_EQUAL(ev.type, 128);
    CU_ASSERT(ev.has_alloc && ev.alloc == 1 && ev.serial == 7);
    CU_ASSERT_EQUAL(ev.dir, XNV_H2G);
    CU_ASSERT(!ev.is_comp);
    CU_ASSERT(ev.has_vmbus && !ev.comp_requested);
    /* An in-band packet with an empty payload carries no NVSP message. */
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, 16, 1, &ev), 0);
    /* A completion with a zero-length payload: no NVSP message, but its transaction id. */
    pkt[0] = 0x0B;
    pkt[8] = 0x34, pkt[15] = 0x80;
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, 16, 1, &ev), 1);
    CU_ASSERT_EQUAL(ev.what, XNV_VMBUS_COMP);
    CU_ASSERT(ev.is_comp && ev.has_vmbus);
    CU_ASSERT_EQUAL(ev.trans_id, 0x8000000000000034ull);
    /* The completion-requested flag (bit 0 of the flags at offset 6). */
    pkt[0] = 0x06, pkt[6] = 1;
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, sizeof pkt, 0, &ev), 1);
    CU_ASSERT(ev.comp_requested && ev.what == XNV_NVSP);
    pkt[6] = 0, pkt[8] = 0, pkt[15] = 0;
    /* A descriptor cut before its transaction id is malformed. */
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, 12, 0, &ev), -1);
    pkt[0] = 0x0B;
    /* offset8 past the packet, or below the descriptor: malformed. */
    pkt[2] = 9;
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, sizeof pkt, 0, &ev), -1);
    pkt[2] = 1;
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, sizeof pkt, 0, &ev), -1);
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, 3, 0, &ev), -1);
    /* A truncated SWITCH_DATA_PATH: type known, value missing. */
    pkt[2] = 2;
    pkt[0] = 0x06;
    pkt[16] = 129;
    CU_ASSERT_EQUAL(xan_nvsp_from_vmbus(pkt, 20, 0, &ev), 1);
    CU_ASSERT(!ev.has_dp);
}

/* ---- JSON and XML ----------------------------------------------------------------- */

/* A strict JSON validator (RFC 8259): returns the end of the value or NULL. */
static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20)
            return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", *p) || !*p)
                return NULL;
        } else if (c >= 0x80) {
            size_t k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
            if (!k)
                return NULL;
            for (size_t i = 1; i <= k; i++)
                if (((unsigned char)p[i] & 0xC0) != 0x80)
                    return NULL;
            p += k;
        }
        p++;
    }
    return p + 1;
}

static const char *json_value(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    p = json_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = json_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = json_string(json_ws(p));
                if (!p)
                    return NULL;
                p = json_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            p = json_value(p, depth + 1);
            if (!p)
                return NULL;
            p = json_ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    if (*p == '"')
        return json_string(p);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    const char *s = p;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return NULL;
    while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-')
        p++;
    return p > s ? p : NULL;
}

static int json_valid(const char *text)
{
    const char *e = json_value(text, 0);
    return e && *json_ws(e) == 0;
}

/* XML well-formedness as far as JUnit files need it: balanced tags, quoted attributes, known entities. */
static int xml_valid(const char *p)
{
    const char *stack[32];
    size_t stn[32];
    int sp = 0, root = 0;
    while (*p) {
        if (*p == '&') {
            if (strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&amp;", 5) && strncmp(p, "&quot;", 6) &&
                strncmp(p, "&apos;", 6))
                return 0;
            p++;
            continue;
        }
        if (*p != '<') {
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
                return 0;
            p++;
            continue;
        }
        if (p[1] == '?') {
            p = strstr(p, "?>");
            if (!p)
                return 0;
            p += 2;
            continue;
        }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />\n");
        const char *q = name + n;
        while (*q && *q != '>') {
            if (*q == '"') {
                q = strchr(q + 1, '"');
                if (!q)
                    return 0;
            } else if (*q == '<') {
                return 0;
            }
            q++;
        }
        if (!*q)
            return 0;
        int selfclose = q[-1] == '/';
        if (closing) {
            if (!sp || stn[sp - 1] != n || strncmp(stack[sp - 1], name, n))
                return 0;
            sp--;
        } else if (!selfclose) {
            if (sp == 32 || (!sp && root++))
                return 0;
            stack[sp] = name;
            stn[sp++] = n;
        }
        p = q + 1;
    }
    return sp == 0 && root == 1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = 0;
    fclose(f);
    return b;
}

XSW_TEST(analyze, escapers)
{
    const char *path = tmp_path("esc.json");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    /* Controls, quotes, valid UTF-8 (é, €, U+1F600) and stray bytes (overlong, surrogate, cut sequence). */
    static const char raw[] = "a\"b\\c\n\t\x01\x7f \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc0\xaf \xed\xa0\x80 \xe2\x82";
    fputc('[', f);
    xan_json_stringn(f, raw, sizeof raw - 1);
    fputs(", ", f);
    xan_json_string(f, NULL);
    fputc(']', f);
    fclose(f);
    char *j = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT(json_valid(j));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\\u0001"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\xc3\xa9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\xf0\x9f\x98\x80"));
    CU_ASSERT_PTR_NULL(strstr(j, "\xc0\xaf"));
    CU_ASSERT_PTR_NULL(strstr(j, "\xed\xa0\x80"));
    free(j);
    path = tmp_path("esc.xml");
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("<a>", f);
    xan_xml_escape(f, "<b> & \"c\" 'd' \x01 \xff");
    fputs("</a>", f);
    fclose(f);
    j = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT(xml_valid(j));
    CU_ASSERT_STRING_EQUAL(j, "<a>&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; ? \xef\xbf\xbd</a>");
    free(j);
    CU_ASSERT(!json_valid("{\"a\": 1,}"));
    CU_ASSERT(!xml_valid("<a><b></a></b>"));
}

/* ---- A whole run over the generated violations fixture ---------------------------- */

static struct xsw_spec *spec;

static int make_fixture(const char *name, const char *out)
{
    const char *b = getenv("XSW_BUILD") ? getenv("XSW_BUILD") : "build";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s/bin/xsw-an-gen' fixture %s '%s'", b, name, out);
    return system(cmd);
}

static struct xan_trace *analyze(const char *path, const char *annotate, struct xan_options *o)
{
    char err[XSW_ERRBUF_SIZE];
    if (!spec) {
        spec = xsw_spec_new();
        CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
        CU_ASSERT_EQUAL_FATAL(xsw_spec_load_dir(spec, "suite/specs", err, sizeof err), 0);
    }
    memset(o, 0, sizeof *o);
    o->spec_dir = "suite/specs";
    o->annotate = annotate;
    o->max_detail = 100;
    o->quiet = 1;
    struct xan_trace *t = calloc(1, sizeof *t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    t->path = path;
    t->max_detail = o->max_detail;
    xan_run_trace(o, spec, t);
    return t;
}

static int found(const struct xan_trace *t, const char *rule, uint64_t frame)
{
    for (size_t i = 0; i < t->nviol; i++)
        if (!strcmp(t->viol[i].rule, rule) && t->viol[i].frame == frame)
            return 1;
    return 0;
}

XSW_TEST(analyze, violations_fixture)
{
    const char *in = tmp_path("violations.pcap"), *ann = tmp_path("annotated.pcap");
    CU_ASSERT_EQUAL_FATAL(make_fixture("violations", in), 0);
    struct xan_options o;
    struct xan_trace *t = analyze(in, ann, &o);
    CU_ASSERT(t->complete);
    CU_ASSERT_EQUAL(t->bad_records, 0);
    CU_ASSERT_EQUAL(xan_status(t, &o), 1);
    /* What the generator planted (analyzer/gen.c "violations"). */
    CU_ASSERT(found(t, "XSW-NVSP-006", 163));
    CU_ASSERT(found(t, "XSW-NVSP-011", 165)); /* the switch of frame 163 was never completed */
    CU_ASSERT(found(t, "XSW-NVSP-012", 172)); /* a data frame over VMBus while on the VF */
    CU_ASSERT(found(t, "XSW-DP-003", 190));
    CU_ASSERT(found(t, "XSW-DP-005", 190));
    CU_ASSERT(found(t, "XSW-HAR-001", 191));
    CU_ASSERT(found(t, "XSW-DP-001", t->units));
    CU_ASSERT_EQUAL(t->total_viol, 7);
    CU_ASSERT_EQUAL(t->verdicts_written, t->total_viol);

    /* JSON and JUnit parse. */
    struct xan_trace *list[1] = {t};
    const char *jp = tmp_path("v.json"), *xp = tmp_path("v.xml");
    CU_ASSERT_EQUAL(xan_write_json(jp, list, 1, &o, 1), 0);
    CU_ASSERT_EQUAL(xan_write_junit(xp, list, 1, &o), 0);
    char *j = slurp(jp), *x = slurp(xp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT(json_valid(j));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"rule\": \"XSW-DP-003\", \"level\": \"MUST\", \"frame\": 190"));
    CU_ASSERT(xml_valid(x));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<failure message=\"1 violation of"));
    free(j);
    free(x);

    /* Annotate round trip: read the output with the lib reader. */
    char err[XSW_ERRBUF_SIZE];
    struct xsw_trace_reader *r = xsw_trace_reader_open(ann, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame, ts, nframes = 0, nverdicts = 0, prev_seq = 0, last_data_frame = 0;
    static uint64_t seq_at[4096];
    int rc;
    while ((rc = xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err)) == 0) {
        nframes = frame;
        CU_ASSERT_FATAL(frame < 4096);
        seq_at[frame] = rec.seq;
        if (rec.kind != XSW_K_VERDICT) {
            CU_ASSERT(rec.seq > prev_seq);
            prev_seq = rec.seq;
            last_data_frame = frame;
            continue;
        }
        nverdicts++;
        CU_ASSERT_EQUAL(rec.point, XSW_POINT_ANALYZER);
        CU_ASSERT_EQUAL(rec.u.verdict.outcome, 0);
        uint32_t jf = rec.u.verdict.judged_frame;
        CU_ASSERT(jf > 0 && jf < frame);
        if (jf > 0 && jf < frame)
            CU_ASSERT_EQUAL(rec.parent, seq_at[jf]); /* parent = seq of the judged record */
        char rule[32];
        snprintf(rule, sizeof rule, "%.*s", (int)rec.u.verdict.rule_len, rec.u.verdict.rule);
        if (!strcmp(rule, "XSW-DP-001")) {
            /* At the end of the trace, pointing back at the NBL's first record (input frame 192). */
            CU_ASSERT_EQUAL(frame, nframes);
            CU_ASSERT(jf < last_data_frame);
            CU_ASSERT_EQUAL(seq_at[jf], 192);
        } else {
            /* Right after the judged frame (after its other verdicts). */
            CU_ASSERT_EQUAL(jf, last_data_frame);
        }
        if (!strcmp(rule, "XSW-NVSP-006"))
            CU_ASSERT_EQUAL(seq_at[jf], 163);
        if (!strcmp(rule, "XSW-NVSP-011"))
            CU_ASSERT_EQUAL(seq_at[jf], 165);
        if (!strcmp(rule, "XSW-NVSP-012"))
            CU_ASSERT_EQUAL(seq_at[jf], 172);
        if (!strcmp(rule, "XSW-DP-003") || !strcmp(rule, "XSW-DP-005"))
            CU_ASSERT_EQUAL(seq_at[jf], 190);
    }
    CU_ASSERT_EQUAL(rc, XSW_EEOF);
    CU_ASSERT_EQUAL(nverdicts, 7);
    CU_ASSERT_EQUAL(nframes, t->units + 7);
    xsw_trace_reader_close(r);
    xan_trace_free(t);

    /* The annotated trace analyzes to the same violations at the shifted frames. */
    t = analyze(ann, NULL, &o);
    CU_ASSERT_EQUAL(t->total_viol, 7);
    CU_ASSERT(found(t, "XSW-DP-003", 193)); /* three verdicts (after frames 163, 165, 172) come before it */
    xan_trace_free(t);
}

XSW_TEST(analyze, clean_fixture_and_filters)
{
    const char *in = tmp_path("clean.pcap");
    CU_ASSERT_EQUAL_FATAL(make_fixture("clean", in), 0);
    struct xan_options o;
    struct xan_trace *t = analyze(in, NULL, &o);
    CU_ASSERT(t->complete);
    CU_ASSERT_EQUAL(t->total_viol, 0);
    CU_ASSERT_EQUAL(xan_status(t, &o), 0);
    CU_ASSERT(t->nrules > 10);
    xan_trace_free(t);
    /* --class 0=filter: the capture extension now judged as a filter; the fixture stays clean. */
    const char *vin = tmp_path("v2.pcap");
    CU_ASSERT_EQUAL_FATAL(make_fixture("violations", vin), 0);
    memset(&o, 0, sizeof o);
    t = calloc(1, sizeof *t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    o.spec_dir = "suite/specs";
    o.max_detail = 100;
    o.class_set[0] = 1;
    o.class_of[0] = 2;
    static const char *only[] = {"XSW-DP-003", "XSW-DP-005"};
    o.rules = only;
    o.nrules = 2;
    t->path = vin;
    t->max_detail = 100;
    xan_run_trace(&o, spec, t);
    /* XSW-DP-003 applies to capturing extensions only; XSW-DP-005 to all. */
    CU_ASSERT(!found(t, "XSW-DP-003", 190));
    CU_ASSERT(found(t, "XSW-DP-005", 190));
    CU_ASSERT_EQUAL(t->total_viol, 1);
    CU_ASSERT_EQUAL(t->nrules, 2);
    xan_trace_free(t);
    xsw_spec_free(spec);
    spec = NULL;
}
