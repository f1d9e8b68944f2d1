/*
 * test_switch.c - the reference switch: scenarios against the bundled
 * capturing extension, and the harness recording misuse by in-process test
 * drivers (written against the NDIS headers like any extension).
 *
 * Each misuse test checks three things: the call fails the way Windows
 * documents, the harness counts a finding of the right code, and the trace
 * holds the FINDING record (read back with the trace reader).
 */
#include <ndis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "xsw/scenario.h"
#include "xsw/switch.h"
#include "xsw/trace.h"

static char tmpdir[] = "/tmp/xsw-test-switch-XXXXXX";

static int suite_init(void)
{
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

XSW_SUITE(switch, suite_init, suite_clean)

static const char *build_dir(void)
{
    const char *b = getenv("XSW_BUILD");
    return b ? b : "build";
}

/* Count the records of "kind" (and, for findings, of "code") in a trace. */
static unsigned count_records(const char *path, unsigned kind, unsigned code)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_trace_reader *r = xsw_trace_reader_open(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame, ts;
    unsigned n = 0;
    int rc;
    while ((rc = xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err)) == 0)
        if (rec.kind == kind && (kind != XSW_K_FINDING || !code || rec.u.finding.code == code))
            n++;
    CU_ASSERT_EQUAL(rc, XSW_EEOF);
    xsw_trace_reader_close(r);
    return n;
}

/* ---- The bundled capturing extension ------------------------------------------------ */

static struct xsw_switch *capture_switch(const char *trace, int pend)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/ext/capture.so", build_dir());
    struct xsw_switch_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_ext = 1;
    cfg.ext[0].path = path;
    cfg.ext[0].cls = XSW_CLASS_CAPTURE;
    cfg.trace_path = trace;
    cfg.record_frames = 1;
    cfg.pend_oids = pend;
    cfg.scenario = "vm-lifecycle";
    char err[XSW_ERRBUF_SIZE];
    struct xsw_switch *sw = xsw_switch_new(&cfg, err, sizeof err);
    if (!sw)
        fprintf(stderr, "xsw_switch_new: %s\n", err);
    return sw;
}

XSW_TEST(switch, capture_vm_lifecycle_clean)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/capture.pcap", tmpdir);
    struct xsw_switch *sw = capture_switch(trace, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    struct xsw_scenario_params p = {.vms = 4, .packets = 6, .chain = 3, .seed = 7};
    int r = xsw_scenario_run(sw, "vm-lifecycle", &p);
    if (r)
        fprintf(stderr, "scenario: %s\n", xsw_switch_error(sw));
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    /* Every VM received frames: the NIC stats are gone after delete, so check the trace. */
    xsw_switch_free(sw);
    CU_ASSERT(count_records(trace, XSW_K_OID_REQUEST, 0) > 0);
    CU_ASSERT(count_records(trace, XSW_K_NBL_SEND, 0) > 0);
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_NBL_SEND, 0) % 2, 0); /* each crosses boundaries 0 and 1 */
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_NBL_SEND_COMPLETE, 0), count_records(trace, XSW_K_NBL_SEND, 0));
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_NBL_RETURN, 0), count_records(trace, XSW_K_NBL_INDICATE, 0));
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_FINDING, 0), 0);
}

/* The VM start/stop OIDs reach the miniport edge in the documented order. */
XSW_TEST(switch, lifecycle_order_at_miniport)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/order.pcap", tmpdir);
    struct xsw_switch *sw = capture_switch(trace, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    struct xsw_scenario_params p = {.vms = 1, .packets = 0, .chain = 1, .seed = 1};
    CU_ASSERT_EQUAL(xsw_scenario_run(sw, "vm-lifecycle", &p), 0);
    xsw_switch_free(sw);
    static const uint32_t want[] = {OID_SWITCH_PORT_CREATE,  OID_SWITCH_NIC_CREATE,  OID_SWITCH_NIC_CONNECT,
                                    OID_SWITCH_NIC_DISCONNECT, OID_SWITCH_NIC_DELETE, OID_SWITCH_PORT_TEARDOWN,
                                    OID_SWITCH_PORT_DELETE};
    char err[XSW_ERRBUF_SIZE];
    struct xsw_trace_reader *r = xsw_trace_reader_open(trace, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame, ts;
    unsigned k = 0;
    while (xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err) == 0) {
        /* VM port 100 only, requests reaching the miniport edge (boundary 1). */
        if (rec.kind != XSW_K_OID_REQUEST || rec.point != 1 || rec.port_id != 100)
            continue;
        CU_ASSERT_FATAL(k < sizeof want / sizeof want[0]);
        CU_ASSERT_EQUAL(rec.u.oid.oid, want[k]);
        k++;
    }
    CU_ASSERT_EQUAL(k, sizeof want / sizeof want[0]);
    xsw_trace_reader_close(r);
}

XSW_TEST(switch, capture_with_pended_oids)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/pended.pcap", tmpdir);
    struct xsw_switch *sw = capture_switch(trace, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    struct xsw_scenario_params p = {.vms = 2, .packets = 2, .chain = 2, .seed = 3};
    CU_ASSERT_EQUAL(xsw_scenario_run(sw, "attach-active", &p), 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_free(sw);
    /* The extension enumerated the active switch: a NIC_ARRAY query was answered. */
    char err[XSW_ERRBUF_SIZE];
    struct xsw_trace_reader *r = xsw_trace_reader_open(trace, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame, ts;
    int saw_array = 0;
    while (xsw_trace_read(r, &rec, &frame, &ts, err, sizeof err) == 0)
        if (rec.kind == XSW_K_OID_COMPLETE && rec.u.oid.oid == OID_SWITCH_NIC_ARRAY && rec.status == 0)
            saw_array = 1;
    CU_ASSERT(saw_array);
    xsw_trace_reader_close(r);
}

/* ---- In-process misbehaving drivers ------------------------------------------------------ */

enum misuse {
    MISUSE_DEST_NOT_CONNECTED = 1,
    MISUSE_REF_BEFORE_CONNECT,
    MISUSE_LEAK_POOL,
    MISUSE_RETURN_HOLDING_LOCK,
};
static enum misuse misuse;
static NDIS_STATUS misuse_status; /* what the misused call returned */
static int misuse_done;

/* Pool tags spelled as the WDK's multi-character constants 'tseT' and 'kaeL'. */
#define TEST_TAG 0x74736554u
#define LEAK_TAG 0x6b61654cu

struct tfilter {
    NDIS_HANDLE handle;
    NDIS_SWITCH_CONTEXT sctx;
    NDIS_SWITCH_OPTIONAL_HANDLERS h;
};
static NDIS_HANDLE tdriver;

static NDIS_STATUS t_attach(NDIS_HANDLE fh, NDIS_HANDLE dctx, PNDIS_FILTER_ATTACH_PARAMETERS ap)
{
    (void)dctx;
    (void)ap;
    struct tfilter *f = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *f, TEST_TAG);
    if (!f)
        return NDIS_STATUS_RESOURCES;
    memset(f, 0, sizeof *f);
    f->handle = fh;
    f->h.Header.Type = NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS;
    f->h.Header.Revision = NDIS_SWITCH_OPTIONAL_HANDLERS_REVISION_1;
    f->h.Header.Size = NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1;
    if (NdisFGetOptionalSwitchHandlers(fh, &f->sctx, &f->h) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE;
    NDIS_FILTER_ATTRIBUTES a;
    memset(&a, 0, sizeof a);
    a.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
    a.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
    a.Header.Size = NDIS_SIZEOF_FILTER_ATTRIBUTES_REVISION_1;
    if (misuse == MISUSE_LEAK_POOL) {
        /* 100 bytes with tag LEAK_TAG that detach never frees. */
        misuse_done = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, LEAK_TAG) != NULL;
    }
    return NdisFSetAttributes(fh, f, &a);
}

static VOID t_detach(NDIS_HANDLE ctx)
{
    ExFreePoolWithTag(ctx, TEST_TAG);
}

static NDIS_STATUS t_restart(NDIS_HANDLE ctx, PNDIS_FILTER_RESTART_PARAMETERS rp)
{
    (void)ctx;
    (void)rp;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS t_pause(NDIS_HANDLE ctx, PNDIS_FILTER_PAUSE_PARAMETERS pp)
{
    (void)ctx;
    (void)pp;
    return NDIS_STATUS_SUCCESS;
}

/* Forward OIDs without cloning (legal for a pass-through of the same request). */
static NDIS_STATUS t_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    struct tfilter *f = ctx;
    if (misuse == MISUSE_REF_BEFORE_CONNECT && r->RequestType == NdisRequestSetInformation &&
        r->DATA.SET_INFORMATION.Oid == OID_SWITCH_NIC_CREATE && !misuse_done) {
        PNDIS_SWITCH_NIC_PARAMETERS np = r->DATA.SET_INFORMATION.InformationBuffer;
        if (np->NicType == NdisSwitchNicTypeSynthetic) {
            misuse_status = f->h.ReferenceSwitchNic(f->sctx, np->PortId, np->NicIndex);
            misuse_done = 1;
        }
    }
    NDIS_STATUS st = NdisFOidRequest(f->handle, r);
    if (misuse == MISUSE_RETURN_HOLDING_LOCK && !misuse_done && r->RequestType == NdisRequestSetInformation &&
        r->DATA.SET_INFORMATION.Oid == OID_SWITCH_PORT_TEARDOWN) {
        /* Acquired and never released: FilterOidRequest, called at PASSIVE_LEVEL, returns at DISPATCH_LEVEL. */
        static NDIS_SPIN_LOCK lock;
        NdisAllocateSpinLock(&lock);
        NdisAcquireSpinLock(&lock);
        misuse_done = 1;
    }
    return st;
}

static VOID t_oid_complete(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r, NDIS_STATUS st)
{
    struct tfilter *f = ctx;
    NdisFOidRequestComplete(f->handle, r, st);
}

static VOID t_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl, NDIS_PORT_NUMBER port, ULONG flags)
{
    struct tfilter *f = ctx;
    if (misuse == MISUSE_DEST_NOT_CONNECTED && !misuse_done) {
        /* Port 999's NIC is created but never connected by the test. */
        NDIS_SWITCH_PORT_DESTINATION d;
        memset(&d, 0, sizeof d);
        d.PortId = 999;
        d.NicIndex = 0;
        misuse_status = f->h.AddNetBufferListDestination(f->sctx, nbl, &d);
        misuse_done = 1;
    }
    NdisFSendNetBufferLists(f->handle, nbl, port, flags);
}

static VOID t_send_complete(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl, ULONG flags)
{
    struct tfilter *f = ctx;
    NdisFSendNetBufferListsComplete(f->handle, nbl, flags);
}

static VOID t_unload(PDRIVER_OBJECT o)
{
    (void)o;
    NdisFDeregisterFilterDriver(tdriver);
}

static int32_t t_entry(void *obj, void *regpath)
{
    (void)regpath;
    PDRIVER_OBJECT o = obj;
    NDIS_FILTER_DRIVER_CHARACTERISTICS c;
    memset(&c, 0, sizeof c);
    c.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
    c.Header.Size = NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_2;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 30;
    c.AttachHandler = t_attach;
    c.DetachHandler = t_detach;
    c.RestartHandler = t_restart;
    c.PauseHandler = t_pause;
    c.OidRequestHandler = t_oid;
    c.OidRequestCompleteHandler = t_oid_complete;
    c.SendNetBufferListsHandler = t_send;
    c.SendNetBufferListsCompleteHandler = t_send_complete;
    o->DriverUnload = t_unload;
    return NdisFRegisterFilterDriver(o, (NDIS_HANDLE)o, &c, &tdriver);
}

static struct xsw_switch *misuse_switch(enum misuse m, const char *trace)
{
    misuse = m;
    misuse_done = 0;
    misuse_status = NDIS_STATUS_SUCCESS;
    struct xsw_switch_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_ext = 1;
    cfg.ext[0].entry = t_entry;
    cfg.ext[0].name = "misuse";
    cfg.ext[0].cls = XSW_CLASS_FORWARD;
    cfg.trace_path = trace;
    cfg.record_frames = 1;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_switch *sw = xsw_switch_new(&cfg, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(sw);
    if (!sw)
        return NULL;
    if (xsw_switch_load(sw) || xsw_switch_attach(sw) || xsw_switch_restart(sw)) {
        fprintf(stderr, "misuse switch: %s\n", xsw_switch_error(sw));
        xsw_switch_free(sw);
        return NULL;
    }
    return sw;
}

static void start_vm(struct xsw_switch *sw, uint32_t port, uint8_t last, int connect)
{
    struct xsw_nic_desc d;
    memset(&d, 0, sizeof d);
    d.port_id = port;
    d.type = XSW_NIC_SYNTHETIC;
    uint8_t mac[6] = {0x00, 0x15, 0x5d, 0, 0, last};
    memcpy(d.mac, mac, 6);
    CU_ASSERT_EQUAL(xsw_port_create(sw, port, XSW_PORT_SYNTHETIC, "vm", 0), 0);
    CU_ASSERT_EQUAL(xsw_nic_create(sw, &d), 0);
    if (connect)
        CU_ASSERT_EQUAL(xsw_nic_connect(sw, port, 0), 0);
}

XSW_TEST(switch, add_destination_to_unconnected_nic_is_refused_and_recorded)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/dest.pcap", tmpdir);
    struct xsw_switch *sw = misuse_switch(MISUSE_DEST_NOT_CONNECTED, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    start_vm(sw, 10, 1, 1);
    start_vm(sw, 999, 2, 0); /* created, not connected */
    uint8_t frame[64];
    uint8_t dst[6] = {0x00, 0x15, 0x5d, 0, 0, 2}, src[6] = {0x00, 0x15, 0x5d, 0, 0, 1};
    struct xsw_frame fr = {frame, xsw_build_udp(frame, 64, dst, src, 0x0a000001, 0x0a000002, 0, 1)};
    CU_ASSERT_EQUAL(xsw_switch_send(sw, 10, 0, &fr, 1), 1);
    CU_ASSERT(misuse_done);
    CU_ASSERT_EQUAL(misuse_status, NDIS_STATUS_INVALID_PARAMETER);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_BAD_DESTINATION), 1);
    xsw_switch_free(sw);
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_FINDING, XSW_F_BAD_DESTINATION), 1);
}

XSW_TEST(switch, reference_nic_before_connect_is_refused_and_recorded)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/ref.pcap", tmpdir);
    struct xsw_switch *sw = misuse_switch(MISUSE_REF_BEFORE_CONNECT, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    start_vm(sw, 20, 1, 1);
    CU_ASSERT(misuse_done);
    CU_ASSERT_NOT_EQUAL(misuse_status, NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_REFERENCE_REFUSED), 1);
    /* A refused reference is not counted: deleting the NIC needs no wait. */
    CU_ASSERT_EQUAL(xsw_nic_disconnect(sw, 20, 0), 0);
    CU_ASSERT_EQUAL(xsw_nic_delete(sw, 20, 0), 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_REFERENCE_UNBALANCED), 0);
    xsw_switch_free(sw);
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_FINDING, XSW_F_REFERENCE_REFUSED), 1);
}

XSW_TEST(switch, pool_leak_reported_at_detach)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/leak.pcap", tmpdir);
    struct xsw_switch *sw = misuse_switch(MISUSE_LEAK_POOL, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT(misuse_done);
    CU_ASSERT_EQUAL(xsw_switch_pause(sw), 0);
    CU_ASSERT_EQUAL(xsw_switch_detach(sw), 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_POOL_LEAK), 1);
    CU_ASSERT_EQUAL(xsw_switch_unload(sw), 0);
    /* Reported once, at detach, not again at unload. */
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_POOL_LEAK), 1);
    xsw_switch_free(sw);
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_FINDING, XSW_F_POOL_LEAK), 1);
}

XSW_TEST(switch, callback_returning_at_raised_irql_is_recorded)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/irql.pcap", tmpdir);
    struct xsw_switch *sw = misuse_switch(MISUSE_RETURN_HOLDING_LOCK, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    start_vm(sw, 30, 1, 1);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_IRQL_VIOLATION), 0);
    CU_ASSERT_EQUAL(xsw_nic_disconnect(sw, 30, 0), 0);
    CU_ASSERT_EQUAL(xsw_nic_delete(sw, 30, 0), 0);
    CU_ASSERT_EQUAL(xsw_port_teardown(sw, 30), 0);
    CU_ASSERT(misuse_done);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_IRQL_VIOLATION), 1);
    /* The IRQL is restored after the report: the next request is clean. */
    CU_ASSERT_EQUAL(xsw_port_delete(sw, 30), 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, XSW_F_IRQL_VIOLATION), 1);
    xsw_switch_free(sw);
    CU_ASSERT_EQUAL(count_records(trace, XSW_K_FINDING, XSW_F_IRQL_VIOLATION), 1);
}

/* The port table holds 10,000+ ports with constant-time lookups and survives churn. */
XSW_TEST(switch, ten_thousand_ports)
{
    struct xsw_switch *sw = capture_switch(NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL(xsw_switch_load(sw), 0);
    CU_ASSERT_EQUAL(xsw_switch_attach(sw), 0);
    CU_ASSERT_EQUAL(xsw_switch_restart(sw), 0);
    for (uint32_t i = 0; i < 12000; i++)
        CU_ASSERT_EQUAL(xsw_port_create(sw, 1000 + i, XSW_PORT_SYNTHETIC, "p", 0), 0);
    for (uint32_t i = 0; i < 12000; i += 2) {
        CU_ASSERT_EQUAL(xsw_port_teardown(sw, 1000 + i), 0);
        CU_ASSERT_EQUAL(xsw_port_delete(sw, 1000 + i), 0);
    }
    /* Odd ports survive, even ones are gone, re-creation works. */
    CU_ASSERT_EQUAL(xsw_port_create(sw, 1001, XSW_PORT_SYNTHETIC, "dup", 0), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_port_create(sw, 1000, XSW_PORT_SYNTHETIC, "again", 0), 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_pause(sw);
    xsw_switch_detach(sw);
    xsw_switch_unload(sw);
    xsw_switch_free(sw);
}
