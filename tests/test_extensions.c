/*
 * test_extensions.c - behaviour of the reference filtering and forwarding
 * extensions (reference/extensions/filter, reference/extensions/forward) on
 * the paths the bundled scenarios do not reach: the filter's compiled-in ACL
 * and its per-port deny policy, the forwarding extension's VF veto, NIC
 * requests under a NIC reference, NIC save/restore, its static-MAC custom
 * property, and traffic after a NIC_DISCONNECT (also against the broken
 * fixtures/extensions/dest-disconnected, which must be caught there).
 *
 * Each test drives the reference switch through its public API
 * (include/xsw/switch.h), checks what the protocol edge delivered
 * (xsw_port_stats), the status of each OID, and the trace read back with the
 * trace reader; and that the harness recorded no finding for a reference
 * extension. The identifiers below are the ones the extensions publish in
 * their source and INF HelpText.
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

static const GUID filter_policy_id = {0x5e2a9c71, 0x4b3d, 0x4e8f, {0x9a, 0x06, 0x1c, 0x7d, 0x3f, 0x2b, 0x8e, 0x44}};
static const GUID forward_property_id = {0xa1c7e3f9, 0x2d5b, 0x4c8a, {0xb6, 0x04, 0x7e, 0x9f, 0x1d, 0x2c, 0x3b, 0x85}};
static const GUID forward_extension_id = {0x9d4e2b17, 0x6a3c, 0x4f51, {0x8e, 0x27, 0x0b, 0x5c, 0x9a, 0x1d, 0x3f, 0x62}};

/* xsw_issue_oid returns the 32-bit NDIS_STATUS zero-extended; NDIS_STATUS itself is signed. */
#define ST(status) ((int64_t)(uint32_t)(status))

static char tmpdir[] = "/tmp/xsw-test-extensions-XXXXXX";

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

XSW_SUITE(extensions, suite_init, suite_clean)

/* ---- Set-up ------------------------------------------------------------------------------------- */

#define EXT_PORT 1
#define NPORTS 4 /* VM ports 100..103 */

static uint8_t vm_mac[NPORTS][6];

/* Each test runs twice: OIDs completed synchronously, then pended by the miniport edge. */
static int pend_oids;

static struct xsw_switch *new_switch(const char *so, enum xsw_ext_class cls, const char *trace)
{
    static char path[512];
    const char *b = getenv("XSW_BUILD");
    snprintf(path, sizeof path, "%s/ext/%s.so", b ? b : "build", so);
    struct xsw_switch_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_ext = 1;
    cfg.ext[0].path = path;
    cfg.ext[0].cls = cls;
    cfg.trace_path = trace;
    cfg.record_frames = 1;
    cfg.pend_oids = pend_oids;
    cfg.scenario = "test_extensions";
    char err[XSW_ERRBUF_SIZE];
    struct xsw_switch *sw = xsw_switch_new(&cfg, err, sizeof err);
    if (!sw)
        fprintf(stderr, "xsw_switch_new: %s\n", err);
    return sw;
}

/*
 * Load, attach and restart the extension, create the external port (NICs 0
 * and 1) and VM ports 100..103 with connected NICs, then activate the switch.
 */
static int bring_up(struct xsw_switch *sw)
{
    if (xsw_switch_load(sw) || xsw_switch_attach(sw) || xsw_switch_restart(sw))
        return -1;
    xsw_switch_pump(sw);
    struct xsw_nic_desc d;
    memset(&d, 0, sizeof d);
    if (xsw_port_create(sw, EXT_PORT, XSW_PORT_EXTERNAL, "external", 0) != ST(NDIS_STATUS_SUCCESS))
        return -1;
    d.port_id = EXT_PORT;
    d.type = XSW_NIC_EXTERNAL;
    memcpy(d.mac, (const uint8_t[6]){0x00, 0x15, 0x5d, 0xfe, 0x00, 0x01}, 6);
    for (uint16_t k = 0; k < 2; k++) {
        d.nic_index = k;
        if (xsw_nic_create(sw, &d) != NDIS_STATUS_SUCCESS || xsw_nic_connect(sw, EXT_PORT, k) != NDIS_STATUS_SUCCESS)
            return -1;
    }
    for (unsigned i = 0; i < NPORTS; i++) {
        uint32_t port = 100 + i;
        memcpy(vm_mac[i], (const uint8_t[6]){0x00, 0x15, 0x5d, 0x00, 0x00, (uint8_t)(0x10 + i)}, 6);
        if (xsw_port_create(sw, port, XSW_PORT_SYNTHETIC, "vm", 0) != NDIS_STATUS_SUCCESS)
            return -1;
        memset(&d, 0, sizeof d);
        d.port_id = port;
        d.type = XSW_NIC_SYNTHETIC;
        memcpy(d.mac, vm_mac[i], 6);
        if (xsw_nic_create(sw, &d) != NDIS_STATUS_SUCCESS || xsw_nic_connect(sw, port, 0) != NDIS_STATUS_SUCCESS)
            return -1;
    }
    if (xsw_switch_activate(sw))
        return -1;
    xsw_switch_pump(sw);
    return 0;
}

/* Stop every port (NICs already disconnected are in "disconnected"), detach, unload. */
static void tear_down(struct xsw_switch *sw, uint32_t disconnected)
{
    for (unsigned i = 0; i < NPORTS; i++) {
        uint32_t port = 100 + i;
        if (port != disconnected)
            CU_ASSERT(xsw_nic_disconnect(sw, port, 0) >= 0);
        CU_ASSERT(xsw_nic_delete(sw, port, 0) >= 0);
        CU_ASSERT(xsw_port_teardown(sw, port) >= 0);
        CU_ASSERT(xsw_port_delete(sw, port) >= 0);
    }
    for (uint16_t k = 2; k-- > 0;) {
        CU_ASSERT(xsw_nic_disconnect(sw, EXT_PORT, k) >= 0);
        CU_ASSERT(xsw_nic_delete(sw, EXT_PORT, k) >= 0);
    }
    CU_ASSERT(xsw_port_teardown(sw, EXT_PORT) >= 0);
    CU_ASSERT(xsw_port_delete(sw, EXT_PORT) >= 0);
    xsw_switch_pump(sw);
    CU_ASSERT_EQUAL(xsw_switch_pause(sw), 0);
    CU_ASSERT_EQUAL(xsw_switch_detach(sw), 0);
    xsw_switch_final_checks(sw);
    CU_ASSERT_EQUAL(xsw_switch_unload(sw), 0);
}

static uint8_t frame[256];

static void send_udp(struct xsw_switch *sw, unsigned from, const uint8_t dst[6], uint16_t vlan)
{
    struct xsw_frame f = {frame, 0};
    f.len = xsw_build_udp(frame, 96, dst, vm_mac[from], 0x0A000010u + from, 0x0A000099u, vlan, 1);
    CU_ASSERT_EQUAL(xsw_switch_send(sw, 100 + from, 0, &f, 1), 1);
}

static void send_arp(struct xsw_switch *sw, unsigned from)
{
    struct xsw_frame f = {frame, 0};
    f.len = xsw_build_arp(frame, vm_mac[from], 0x0A000010u + from, 0x0A000001u);
    CU_ASSERT_EQUAL(xsw_switch_send(sw, 100 + from, 0, &f, 1), 1);
}

static uint64_t rx(struct xsw_switch *sw, unsigned vm)
{
    struct xsw_port_stats st;
    CU_ASSERT_EQUAL_FATAL(xsw_port_stats(sw, 100 + vm, 0, &st), 0);
    return st.rx_frames;
}

static uint64_t tx_failed(struct xsw_switch *sw, unsigned vm)
{
    struct xsw_port_stats st;
    CU_ASSERT_EQUAL_FATAL(xsw_port_stats(sw, 100 + vm, 0, &st), 0);
    return st.tx_failed;
}

/*
 * An OID_SWITCH_PORT_PROPERTY_ADD/UPDATE buffer for a custom property:
 * NDIS_SWITCH_PORT_PROPERTY_PARAMETERS, NDIS_SWITCH_PORT_PROPERTY_CUSTOM,
 * payload. Returns its length.
 */
static uint32_t custom_property(uint8_t *buf, size_t cap, uint32_t port, const GUID *id, const void *payload,
                                uint32_t plen)
{
    NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *pp = (void *)buf;
    NDIS_SWITCH_PORT_PROPERTY_CUSTOM *c = (void *)(buf + sizeof *pp);
    uint32_t len = (uint32_t)(sizeof *pp + sizeof *c + plen);
    CU_ASSERT_FATAL(len <= cap);
    memset(buf, 0, len);
    pp->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1;
    pp->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1;
    pp->PortId = port;
    pp->PropertyType = NdisSwitchPortPropertyTypeCustom;
    pp->PropertyId = *id;
    pp->PropertyVersion = NDIS_SWITCH_CREATE_PROPERTY_VERSION(1, 0);
    pp->SerializationVersion = NDIS_SWITCH_OBJECT_SERIALIZATION_VERSION_1;
    pp->PropertyBufferOffset = sizeof *pp;
    pp->PropertyBufferLength = (ULONG)(sizeof *c + plen);
    c->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    c->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1;
    c->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1;
    c->PropertyBufferOffset = sizeof *c;
    c->PropertyBufferLength = plen;
    memcpy(buf + sizeof *pp + sizeof *c, payload, plen);
    return len;
}

static int64_t set_oid(struct xsw_switch *sw, uint32_t oid, void *buf, uint32_t len)
{
    int64_t st = xsw_issue_oid(sw, oid, NdisRequestSetInformation, buf, len, len, NULL, NULL);
    xsw_switch_pump(sw);
    return st;
}

/* ---- Reading the trace back ----------------------------------------------------------------------- */

struct want {
    unsigned kind, point;
    int any_point;
    uint32_t oid;      /* OID records: 0 = any */
    unsigned handler;  /* HANDLER_CALL records: 0 = any */
    uint32_t port;     /* 0xFFFFFFFF = any */
    int64_t flags;     /* HANDLER_CALL flags, -1 = any */
    const char *text;  /* substring of the HANDLER_CALL text, NULL = any */
};

/* Does "text" (n bytes, not terminated) contain "needle"? */
static int contains(const char *text, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; text && k <= n && i <= n - k; i++)
        if (!memcmp(text + i, needle, k))
            return 1;
    return 0;
}

static unsigned count(const char *trace, const struct want *w)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_trace_reader *r = xsw_trace_reader_open(trace, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct xsw_rec rec;
    uint64_t frame_no, ts;
    unsigned n = 0;
    while (xsw_trace_read(r, &rec, &frame_no, &ts, err, sizeof err) == 0) {
        if (rec.kind != w->kind || (!w->any_point && rec.point != w->point))
            continue;
        if (w->port != 0xFFFFFFFFu && rec.port_id != w->port)
            continue;
        if ((rec.kind == XSW_K_OID_REQUEST || rec.kind == XSW_K_OID_COMPLETE) && w->oid && rec.u.oid.oid != w->oid)
            continue;
        if (rec.kind == XSW_K_HANDLER_CALL) {
            if (w->handler && rec.u.hc.handler != w->handler)
                continue;
            if (w->flags >= 0 && rec.u.hc.flags != (uint32_t)w->flags)
                continue;
            if (w->text && !contains(rec.u.hc.text, rec.u.hc.text_len, w->text))
                continue;
        }
        n++;
    }
    xsw_trace_reader_close(r);
    return n;
}

static unsigned findings(const char *trace)
{
    struct want w = {.kind = XSW_K_FINDING, .any_point = 1, .port = 0xFFFFFFFFu, .flags = -1};
    return count(trace, &w);
}

/* ---- Filtering extension ---------------------------------------------------------------------------- */

/* The compiled-in ACL drops and reports; everything else passes untouched. */
static void filter_ingress_acl(void)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/filter-acl-%d.pcap", tmpdir, pend_oids);
    struct xsw_switch *sw = new_switch("filter", XSW_CLASS_FILTER, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL_FATAL(bring_up(sw), 0);

    static const uint8_t denied[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x66};
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint64_t before = rx(sw, 1);
    send_udp(sw, 0, denied, 0);   /* dropped: destination MAC */
    send_udp(sw, 0, bcast, 666);  /* dropped: VLAN 666 */
    CU_ASSERT_EQUAL(rx(sw, 1), before);
    CU_ASSERT_EQUAL(tx_failed(sw, 0), 2);
    send_udp(sw, 0, bcast, 667);  /* another VLAN passes */
    send_udp(sw, 0, bcast, 0);
    CU_ASSERT_EQUAL(rx(sw, 1), before + 2);
    CU_ASSERT_EQUAL(tx_failed(sw, 0), 2);
    tear_down(sw, 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_free(sw);

    /* Each drop was reported as incoming, on the source port, with its reason. */
    struct want w = {.kind = XSW_K_HANDLER_CALL, .point = XSW_POINT_NDIS, .handler = XSW_H_ReportFilteredNetBufferLists,
                     .port = 100, .flags = NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING,
                     .text = "02:00:5e:00:00:66"};
    CU_ASSERT_EQUAL(count(trace, &w), 1);
    w.text = "VLAN 666";
    CU_ASSERT_EQUAL(count(trace, &w), 1);
    w.text = NULL;
    w.port = 0xFFFFFFFFu;
    w.flags = -1;
    CU_ASSERT_EQUAL(count(trace, &w), 2);
    CU_ASSERT_EQUAL(findings(trace), 0);
}

XSW_TEST(extensions, filter_ingress_acl)
{
    for (pend_oids = 0; pend_oids < 2; pend_oids++)
        filter_ingress_acl();
}

/* A custom port property denies delivery from port 100 to port 101; egress excludes and reports. */
static void filter_port_policy(void)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/filter-policy-%d.pcap", tmpdir, pend_oids);
    struct xsw_switch *sw = new_switch("filter", XSW_CLASS_FILTER, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL_FATAL(bring_up(sw), 0);

    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t buf[256];
    uint32_t policy[2 + 16] = {1, 1, 101};
    uint32_t len = custom_property(buf, sizeof buf, 100, &filter_policy_id, policy, 12);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_PORT_PROPERTY_ADD, buf, len), ST(NDIS_STATUS_SUCCESS));

    send_arp(sw, 1); /* the switch learns VM 1's MAC */
    uint64_t r1 = rx(sw, 1), r2 = rx(sw, 2);
    send_udp(sw, 0, bcast, 0); /* flooded: 101 excluded, 102 gets it */
    CU_ASSERT_EQUAL(rx(sw, 1), r1);
    CU_ASSERT_EQUAL(rx(sw, 2), r2 + 1);
    send_udp(sw, 0, vm_mac[1], 0); /* unicast to 101 only: every destination excluded, dropped */
    CU_ASSERT_EQUAL(rx(sw, 1), r1);
    send_udp(sw, 2, bcast, 0); /* the policy is port 100's only */
    CU_ASSERT_EQUAL(rx(sw, 1), r1 + 1);

    /* A malformed policy (too many ports) is vetoed with DATA_NOT_ACCEPTED. */
    uint32_t bad[2 + 16] = {1, 99};
    len = custom_property(buf, sizeof buf, 100, &filter_policy_id, bad, 8);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_PORT_PROPERTY_UPDATE, buf, len), ST(NDIS_STATUS_DATA_NOT_ACCEPTED));

    /* Deleting the property lifts the policy. */
    NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS del;
    memset(&del, 0, sizeof del);
    del.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    del.Header.Revision = NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1;
    del.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1;
    del.PortId = 100;
    del.PropertyType = NdisSwitchPortPropertyTypeCustom;
    del.PropertyId = filter_policy_id;
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_PORT_PROPERTY_DELETE, &del, sizeof del), ST(NDIS_STATUS_SUCCESS));
    send_udp(sw, 0, bcast, 0);
    CU_ASSERT_EQUAL(rx(sw, 1), r1 + 2);
    tear_down(sw, 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_free(sw);

    /* Two exclusions of port 101 (flood and unicast), reported with Flags 0 and the destination port. */
    struct want w = {.kind = XSW_K_HANDLER_CALL, .point = XSW_POINT_NDIS, .handler = XSW_H_ReportFilteredNetBufferLists,
                     .port = 101, .flags = 0};
    CU_ASSERT_EQUAL(count(trace, &w), 2);
    /* The policy OIDs went down to the miniport edge (a filter forwards what it handles). */
    struct want o = {.kind = XSW_K_OID_REQUEST, .point = 1, .oid = OID_SWITCH_PORT_PROPERTY_ADD, .port = 0xFFFFFFFFu,
                     .flags = -1};
    CU_ASSERT_EQUAL(count(trace, &o), 1);
    o.oid = OID_SWITCH_PORT_PROPERTY_UPDATE;
    CU_ASSERT_EQUAL(count(trace, &o), 0);
    CU_ASSERT_EQUAL(findings(trace), 0);
}

XSW_TEST(extensions, filter_port_policy)
{
    for (pend_oids = 0; pend_oids < 2; pend_oids++)
        filter_port_policy();
}

/* ---- Forwarding extension ---------------------------------------------------------------------------- */

static int64_t nic_request(struct xsw_switch *sw, NDIS_REQUEST_TYPE inner_type, NDIS_OID inner_oid)
{
    static uint8_t inner_buf[64];
    NDIS_OID_REQUEST inner;
    NDIS_SWITCH_NIC_OID_REQUEST nr;
    memset(&inner, 0, sizeof inner);
    inner.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    inner.Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    inner.Header.Size = NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    inner.RequestType = inner_type;
    if (inner_type == NdisRequestMethod) {
        inner.DATA.METHOD_INFORMATION.Oid = inner_oid;
        inner.DATA.METHOD_INFORMATION.InformationBuffer = inner_buf;
        inner.DATA.METHOD_INFORMATION.InputBufferLength = sizeof inner_buf;
        inner.DATA.METHOD_INFORMATION.OutputBufferLength = sizeof inner_buf;
    } else {
        inner.DATA.SET_INFORMATION.Oid = inner_oid;
        inner.DATA.SET_INFORMATION.InformationBuffer = inner_buf;
        inner.DATA.SET_INFORMATION.InformationBufferLength = sizeof inner_buf;
    }
    memset(&nr, 0, sizeof nr);
    nr.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    nr.Header.Revision = NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1;
    nr.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_NIC_OID_REQUEST_REVISION_1;
    nr.DestinationPortId = EXT_PORT;
    nr.DestinationNicIndex = 1;
    nr.OidRequest = &inner;
    int64_t st = xsw_issue_oid(sw, OID_SWITCH_NIC_REQUEST, NdisRequestMethod, &nr, sizeof nr, sizeof nr, NULL, NULL);
    xsw_switch_pump(sw);
    return st;
}

/* VF allocation is vetoed (method and set forms); other NIC requests go down under a NIC reference. */
static void forward_nic_requests(void)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/forward-nicreq-%d.pcap", tmpdir, pend_oids);
    struct xsw_switch *sw = new_switch("forward", XSW_CLASS_FORWARD, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL_FATAL(bring_up(sw), 0);
    CU_ASSERT_EQUAL(nic_request(sw, NdisRequestMethod, OID_NIC_SWITCH_ALLOCATE_VF), ST(NDIS_STATUS_FAILURE));
    CU_ASSERT_EQUAL(nic_request(sw, NdisRequestSetInformation, OID_NIC_SWITCH_ALLOCATE_VF), ST(NDIS_STATUS_FAILURE));
    CU_ASSERT_EQUAL(nic_request(sw, NdisRequestMethod, OID_RECEIVE_FILTER_SET_FILTER), ST(NDIS_STATUS_SUCCESS));
    tear_down(sw, 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_free(sw);

    /* Only the third request reached the miniport edge. */
    struct want o = {.kind = XSW_K_OID_REQUEST, .point = 1, .oid = OID_SWITCH_NIC_REQUEST, .port = 0xFFFFFFFFu,
                     .flags = -1};
    CU_ASSERT_EQUAL(count(trace, &o), 1);
    struct want h = {.kind = XSW_K_HANDLER_CALL, .point = XSW_POINT_NDIS, .handler = XSW_H_ReferenceSwitchNic,
                     .port = EXT_PORT, .flags = -1};
    CU_ASSERT_EQUAL(count(trace, &h), 1);
    h.handler = XSW_H_DereferenceSwitchNic;
    CU_ASSERT_EQUAL(count(trace, &h), 1);
    CU_ASSERT_EQUAL(findings(trace), 0);
}

XSW_TEST(extensions, forward_nic_requests)
{
    for (pend_oids = 0; pend_oids < 2; pend_oids++)
        forward_nic_requests();
}

#define SAVE_CAP 1024

static int64_t nic_save(struct xsw_switch *sw, uint8_t *buf, uint32_t cap, uint32_t *done, uint32_t *needed)
{
    NDIS_SWITCH_NIC_SAVE_STATE *s = (void *)buf;
    memset(buf, 0, SAVE_CAP);
    s->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    s->Header.Revision = NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1;
    s->Header.Size = (USHORT)cap; /* the switch puts the full buffer size here */
    s->PortId = 100;
    s->NicIndex = 0;
    s->SaveDataOffset = NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1;
    int64_t st = xsw_issue_oid(sw, OID_SWITCH_NIC_SAVE, NdisRequestMethod, buf,
                               NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1, cap, done, needed);
    xsw_switch_pump(sw);
    return st;
}

/* NIC_SAVE: short buffer, then the blob once per save operation; NIC_RESTORE: own blob consumed, others forwarded. */
static void save_restore(const char *so, const char *name, int broken)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/%s-%d.pcap", tmpdir, name, pend_oids);
    struct xsw_switch *sw = new_switch(so, XSW_CLASS_FORWARD, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL_FATAL(bring_up(sw), 0);
    send_arp(sw, 0);

    static uint8_t buf[SAVE_CAP], blob[SAVE_CAP];
    NDIS_SWITCH_NIC_SAVE_STATE *s = (void *)buf;
    const uint32_t base = NDIS_SIZEOF_NDIS_SWITCH_NIC_SAVE_STATE_REVISION_1;
    uint32_t done = 0, needed = 0;
    CU_ASSERT_EQUAL(nic_save(sw, buf, base, &done, &needed), ST(NDIS_STATUS_BUFFER_TOO_SHORT));
    CU_ASSERT(needed > base);
    CU_ASSERT_EQUAL(nic_save(sw, buf, SAVE_CAP, &done, &needed), ST(NDIS_STATUS_SUCCESS));
    /* The fixture has an identity of its own. */
    if (!broken)
        CU_ASSERT_EQUAL(memcmp(&s->ExtensionId, &forward_extension_id, sizeof(GUID)), 0);
    CU_ASSERT(s->ExtensionId.Data1 != 0);
    CU_ASSERT(s->SaveDataSize > 0);
    CU_ASSERT_EQUAL(s->SaveDataOffset, base);
    CU_ASSERT_EQUAL(s->PortId, 100);
    CU_ASSERT_EQUAL(done, base + s->SaveDataSize);
    CU_ASSERT(s->ExtensionFriendlyName.Length > 0);
    memcpy(blob, buf, SAVE_CAP);
    /* Saved already in this operation: the request goes on down and nothing is written. */
    CU_ASSERT_EQUAL(nic_save(sw, buf, SAVE_CAP, &done, &needed), ST(NDIS_STATUS_SUCCESS));
    CU_ASSERT_EQUAL(s->SaveDataSize, 0);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_NIC_SAVE_COMPLETE, buf, base), ST(NDIS_STATUS_SUCCESS));
    /* A new save operation saves again. */
    CU_ASSERT_EQUAL(nic_save(sw, buf, SAVE_CAP, &done, &needed), ST(NDIS_STATUS_SUCCESS));
    CU_ASSERT(s->SaveDataSize > 0);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_NIC_SAVE_COMPLETE, buf, base), ST(NDIS_STATUS_SUCCESS));

    /* Its own blob is consumed; another extension's is forwarded unmodified. */
    memcpy(buf, blob, SAVE_CAP);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_NIC_RESTORE, buf, SAVE_CAP), ST(NDIS_STATUS_SUCCESS));
    memcpy(buf, blob, SAVE_CAP);
    s->ExtensionId.Data1 ^= 0xFFFFFFFFu;
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_NIC_RESTORE, buf, SAVE_CAP), ST(NDIS_STATUS_SUCCESS));
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_NIC_RESTORE_COMPLETE, buf, base), ST(NDIS_STATUS_SUCCESS));
    tear_down(sw, 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_free(sw);

    struct want o = {.kind = XSW_K_OID_REQUEST, .point = 1, .oid = OID_SWITCH_NIC_SAVE, .port = 0xFFFFFFFFu,
                     .flags = -1};
    CU_ASSERT_EQUAL(count(trace, &o), 1); /* only the request it had nothing (more) for */
    o.oid = OID_SWITCH_NIC_RESTORE;
    /* Only the foreign blob; restore-foreign swallows it too (XSW-SR-005). */
    CU_ASSERT_EQUAL(count(trace, &o), broken ? 0 : 1);
    o.oid = OID_SWITCH_NIC_SAVE_COMPLETE;
    CU_ASSERT_EQUAL(count(trace, &o), 2);
    CU_ASSERT_EQUAL(findings(trace), 0);
}

XSW_TEST(extensions, forward_save_restore)
{
    for (pend_oids = 0; pend_oids < 2; pend_oids++)
        save_restore("forward", "forward-save", 0);
}

XSW_TEST(extensions, broken_restore_foreign_swallows_blob)
{
    pend_oids = 0;
    save_restore("broken/restore-foreign", "broken-restore-foreign", 1);
}

/* The static-MAC custom property is completed by the extension and steers unicast; standard properties go down. */
static void forward_static_mac_property(void)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/forward-prop-%d.pcap", tmpdir, pend_oids);
    struct xsw_switch *sw = new_switch("forward", XSW_CLASS_FORWARD, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL_FATAL(bring_up(sw), 0);

    struct {
        uint32_t version;
        uint8_t mac[6];
        uint16_t reserved;
    } pin = {1, {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}, 0};
    uint8_t buf[256];
    uint32_t len = custom_property(buf, sizeof buf, 102, &forward_property_id, &pin, sizeof pin);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_PORT_PROPERTY_ADD, buf, len), ST(NDIS_STATUS_SUCCESS));
    /* The same address on another port conflicts; a multicast address is out of range. */
    len = custom_property(buf, sizeof buf, 101, &forward_property_id, &pin, sizeof pin);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_PORT_PROPERTY_ADD, buf, len), ST(NDIS_STATUS_DATA_NOT_ACCEPTED));
    pin.mac[0] = 0x03;
    len = custom_property(buf, sizeof buf, 101, &forward_property_id, &pin, sizeof pin);
    CU_ASSERT_EQUAL(set_oid(sw, OID_SWITCH_PORT_PROPERTY_ADD, buf, len), ST(NDIS_STATUS_DATA_NOT_ACCEPTED));
    CU_ASSERT_EQUAL(xsw_port_set_vlan(sw, 103, 5), ST(NDIS_STATUS_SUCCESS));
    xsw_switch_pump(sw);

    uint64_t r1 = rx(sw, 1), r2 = rx(sw, 2), r3 = rx(sw, 3);
    send_udp(sw, 0, (const uint8_t[6]){0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}, 0);
    CU_ASSERT_EQUAL(rx(sw, 2), r2 + 1);
    CU_ASSERT_EQUAL(rx(sw, 1), r1);
    CU_ASSERT_EQUAL(rx(sw, 3), r3);
    tear_down(sw, 0);
    CU_ASSERT_EQUAL(xsw_switch_findings(sw, 0), 0);
    xsw_switch_free(sw);

    /* Only the standard (VLAN) property reached the miniport edge. */
    struct want o = {.kind = XSW_K_OID_REQUEST, .point = 1, .oid = OID_SWITCH_PORT_PROPERTY_ADD, .port = 0xFFFFFFFFu,
                     .flags = -1};
    CU_ASSERT_EQUAL(count(trace, &o), 1);
    CU_ASSERT_EQUAL(findings(trace), 0);
}

XSW_TEST(extensions, forward_static_mac_property)
{
    for (pend_oids = 0; pend_oids < 2; pend_oids++)
        forward_static_mac_property();
}

/*
 * Learning, flooding, and a NIC that disconnects while traffic goes on: the
 * reference extension stops adding it at once; the broken dest-disconnected
 * fixture keeps adding it and the harness records BAD_DESTINATION.
 */
static void disconnect_then_flood(const char *so, const char *name, int broken)
{
    char trace[256];
    snprintf(trace, sizeof trace, "%s/%s-%d.pcap", tmpdir, name, pend_oids);
    struct xsw_switch *sw = new_switch(so, XSW_CLASS_FORWARD, trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
    CU_ASSERT_EQUAL_FATAL(bring_up(sw), 0);
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

    for (unsigned i = 0; i < NPORTS; i++)
        send_arp(sw, i);
    /* Learned: a unicast reaches its VM only. */
    uint64_t r1 = rx(sw, 1), r2 = rx(sw, 2);
    send_udp(sw, 0, vm_mac[2], 0);
    CU_ASSERT_EQUAL(rx(sw, 2), r2 + 1);
    CU_ASSERT_EQUAL(rx(sw, 1), r1);

    CU_ASSERT_EQUAL(xsw_nic_disconnect(sw, 101, 0), ST(NDIS_STATUS_SUCCESS));
    xsw_switch_pump(sw);
    r1 = rx(sw, 1);
    r2 = rx(sw, 2);
    send_udp(sw, 0, bcast, 0);
    send_udp(sw, 0, vm_mac[1], 0);
    CU_ASSERT_EQUAL(rx(sw, 1), r1);
    if (!broken)
        CU_ASSERT_EQUAL(rx(sw, 2), r2 + 2); /* the flood and the now unknown unicast */
    tear_down(sw, 101);
    unsigned bad = xsw_switch_findings(sw, XSW_F_BAD_DESTINATION);
    unsigned all = xsw_switch_findings(sw, 0);
    xsw_switch_free(sw);
    if (broken) {
        CU_ASSERT(bad > 0);
        CU_ASSERT_EQUAL(all, bad);
    } else {
        CU_ASSERT_EQUAL(all, 0);
        CU_ASSERT_EQUAL(findings(trace), 0);
    }
}

XSW_TEST(extensions, forward_stops_at_nic_disconnect)
{
    for (pend_oids = 0; pend_oids < 2; pend_oids++)
        disconnect_then_flood("forward", "forward-disconnect", 0);
}

XSW_TEST(extensions, broken_dest_disconnected_is_caught)
{
    pend_oids = 0;
    disconnect_then_flood("broken/dest-disconnected", "broken-dest-disconnected", 1);
}
