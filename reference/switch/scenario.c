/*
 * scenario.c - the switch start / VM start / traffic / VM stop scenarios
 * (include/xsw/scenario.h), following the canonical sequences of
 * extensible-switch.md §4.3: external NIC start = PORT_CREATE, NIC_CREATE,
 * NIC_CONNECT (one NIC_CREATE/CONNECT per NIC index: 0 for the external
 * adapter, 1 for the bound physical adapter); VM start = PORT_CREATE,
 * NIC_CREATE, NIC_CONNECT; VM stop = NIC_DISCONNECT, NIC_DELETE,
 * PORT_TEARDOWN, PORT_DELETE; activation with NetEventSwitchActivate.
 */
#include "sw.h"

#include <stdio.h>
#include <string.h>

#include "xsw/scenario.h"

#define EXT_PORT 1
#define INT_PORT 2
#define VM_PORT_BASE 100

static const struct xsw_scenario_info scenarios[] = {
    {"vm-lifecycle", "switch start, N VMs start, traffic between VMs and to the external port, VMs stop, switch stop"},
    {"attach-active", "attach to an active switch that already has ports and NICs, then as vm-lifecycle"},
    {"vf-failover", "SR-IOV: VM 0 gets a VF (NIC requests, VF association, data path switch), VF traffic bypasses the extensions, then fails over to the synthetic path"},
    {"live-migration", "one VM moved between two hosts (two traces): validation port, save, teardown, create, restore"},
    {"save-restore", "as vm-lifecycle; VM 0 is saved (NIC_SAVE), stopped, started on a new port and restored (NIC_RESTORE), with a blob of an extension that is not on this host"},
    {NULL, NULL},
};

const struct xsw_scenario_info *xsw_scenarios(void)
{
    return scenarios;
}

void xsw_scenario_params_text(const struct xsw_scenario_params *p, char *out, size_t cap)
{
    snprintf(out, cap, "vms=%u\npackets=%u\nchain=%u\nseed=%u\nvf_events=%u\n", p->vms, p->packets, p->chain,
             (unsigned)p->seed, p->vf_events ? p->vf_events : 1);
}

static uint16_t csum16(const uint8_t *p, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

unsigned xsw_build_udp(uint8_t *out, unsigned len, const uint8_t dst[6], const uint8_t src[6], uint32_t src_ip,
                       uint32_t dst_ip, uint16_t vlan, uint32_t seq)
{
    unsigned l2 = vlan ? 18 : 14;
    if (len < l2 + 28)
        len = l2 + 28;
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    if (vlan) {
        put_be16(out + 12, 0x8100);
        put_be16(out + 14, vlan & 0x0FFF);
    }
    put_be16(out + l2 - 2, 0x0800);
    uint8_t *ip = out + l2;
    unsigned ip_len = len - l2;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put_be16(ip + 2, (uint16_t)ip_len);
    put_be16(ip + 4, (uint16_t)seq);
    ip[8] = 64;
    ip[9] = 17;
    put_be32(ip + 12, src_ip);
    put_be32(ip + 16, dst_ip);
    put_be16(ip + 10, csum16(ip, 20));
    uint8_t *udp = ip + 20;
    put_be16(udp, 49152);
    put_be16(udp + 2, 7777);
    put_be16(udp + 4, (uint16_t)(ip_len - 20));
    put_be16(udp + 6, 0); /* no UDP checksum: allowed for IPv4 */
    uint32_t x = seq * 2654435761u + 12345;
    for (unsigned i = 28; i < ip_len; i++) {
        x = x * 1103515245u + 12345;
        ip[i] = (uint8_t)(x >> 24);
    }
    return len;
}

unsigned xsw_build_arp(uint8_t *out, const uint8_t src[6], uint32_t src_ip, uint32_t target_ip)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memcpy(out, bcast, 6);
    memcpy(out + 6, src, 6);
    put_be16(out + 12, 0x0806);
    uint8_t *a = out + 14;
    put_be16(a, 1);
    put_be16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put_be16(a + 6, 1);
    memcpy(a + 8, src, 6);
    put_be32(a + 14, src_ip);
    memset(a + 18, 0, 6);
    put_be32(a + 24, target_ip);
    return 42;
}

struct vm {
    uint32_t port;
    uint8_t mac[6];
    uint32_t ip;
};

static void vm_addr(unsigned i, uint32_t seed, struct vm *v)
{
    v->port = VM_PORT_BASE + i;
    /* 00:15:5d is the Hyper-V OUI. */
    v->mac[0] = 0x00;
    v->mac[1] = 0x15;
    v->mac[2] = 0x5d;
    v->mac[3] = (uint8_t)(seed >> 8);
    v->mac[4] = (uint8_t)(i >> 8);
    v->mac[5] = (uint8_t)i;
    v->ip = 0x0A000000u | ((i + 10) & 0xFFFFFF); /* 10.0.0.10 + i */
}

static const uint8_t gw_mac[6] = {0x00, 0x15, 0x5d, 0xfe, 0x00, 0x01};
static const uint32_t gw_ip = 0x0A000001u;

#define CHECK(expr)                                                                                                   \
    do {                                                                                                              \
        int64_t _r = (expr);                                                                                          \
        if (_r < 0)                                                                                                   \
            return (int)_r;                                                                                           \
    } while (0)

/* Run a control-path step whose veto is legal but unexpected in these scenarios. */
/*
 * A control-path step: a negative value is a harness failure; an NDIS veto
 * is legal (it is in the trace) and the scenario goes on without the object.
 */
static int step(int64_t st)
{
    return st < 0 ? (int)st : 0;
}

static int start_host_nics(struct xsw_switch *sw, int silent)
{
    struct xsw_nic_desc d;
    memset(&d, 0, sizeof d);
    if (silent) {
        /* The switch was running before the extension attached: no OIDs. */
        struct xsw_port *p = xsw_port_add(sw, EXT_PORT);
        struct xsw_port *q = xsw_port_add(sw, INT_PORT);
        if (!p || !q)
            return XSW_ENOMEM;
        p->type = XSW_PORT_EXTERNAL;
        p->state = NdisSwitchPortStateCreated;
        snprintf(p->name, sizeof p->name, "external");
        q->type = XSW_PORT_INTERNAL;
        q->state = NdisSwitchPortStateCreated;
        snprintf(q->name, sizeof q->name, "internal");
        for (unsigned k = 0; k < 2; k++) {
            struct xsw_nic *n = &p->nics[k];
            n->used = 1;
            n->port_id = EXT_PORT;
            n->nic_index = (uint16_t)k;
            n->type = XSW_NIC_EXTERNAL;
            n->state = NdisSwitchNicStateConnected;
            n->mtu = 1500;
            memcpy(n->mac, gw_mac, 6);
            p->nnics++;
        }
        struct xsw_nic *n = &q->nics[0];
        n->used = 1;
        n->port_id = INT_PORT;
        n->type = XSW_NIC_INTERNAL;
        n->state = NdisSwitchNicStateConnected;
        n->mtu = 1500;
        memcpy(n->mac, gw_mac, 6);
        n->mac[5] = 2;
        q->nnics = 1;
        return 0;
    }
    CHECK(step(xsw_port_create(sw, EXT_PORT, XSW_PORT_EXTERNAL, "external", 0)));
    for (uint16_t k = 0; k < 2; k++) {
        d.port_id = EXT_PORT;
        d.nic_index = k;
        d.type = XSW_NIC_EXTERNAL;
        memcpy(d.mac, gw_mac, 6);
        CHECK(step(xsw_nic_create(sw, &d)));
        CHECK(step(xsw_nic_connect(sw, EXT_PORT, k)));
    }
    CHECK(step(xsw_port_create(sw, INT_PORT, XSW_PORT_INTERNAL, "internal", 0)));
    d.port_id = INT_PORT;
    d.nic_index = 0;
    d.type = XSW_NIC_INTERNAL;
    d.mac[5] = 2;
    CHECK(step(xsw_nic_create(sw, &d)));
    CHECK(step(xsw_nic_connect(sw, INT_PORT, 0)));
    return 0;
}

static int stop_port(struct xsw_switch *sw, uint32_t port)
{
    struct xsw_port *p = xsw_port_find(sw, port);
    if (!p)
        return 0; /* never created (vetoed) */
    uint16_t idx[4];
    unsigned n = 0;
    for (unsigned k = 0; k < sizeof p->nics / sizeof p->nics[0]; k++)
        if (p->nics[k].used)
            idx[n++] = p->nics[k].nic_index;
    for (unsigned k = n; k-- > 0;) {
        struct xsw_nic *nic = xsw_nic_find(sw, port, idx[k]);
        if (nic && nic->state == NdisSwitchNicStateConnected)
            CHECK(xsw_nic_disconnect(sw, port, idx[k]));
        CHECK(xsw_nic_delete(sw, port, idx[k]));
    }
    CHECK(xsw_port_teardown(sw, port));
    CHECK(xsw_port_delete(sw, port));
    return 0;
}

static int send_frames(struct xsw_switch *sw, uint32_t port, uint16_t nic, struct xsw_frame *f, unsigned n,
                       unsigned chain)
{
    for (unsigned i = 0; i < n; i += chain) {
        unsigned k = n - i < chain ? n - i : chain;
        int r = xsw_vm_send(sw, port, nic, f + i, k);
        if (r < 0)
            return r;
    }
    return 0;
}

static uint8_t frame_buf[64][XSW_FRAME_MAX];

static int traffic(struct xsw_switch *sw, const struct xsw_scenario_params *p)
{
    struct xsw_frame f[64];
    unsigned chain = p->chain ? (p->chain > 64 ? 64 : p->chain) : 1;
    /* The gateway behind the external port announces itself, then every VM ARPs. */
    f[0].data = frame_buf[0];
    f[0].len = xsw_build_arp(frame_buf[0], gw_mac, gw_ip, 0x0A00000Au);
    CHECK(send_frames(sw, EXT_PORT, 1, f, 1, 1));
    for (unsigned i = 0; i < p->vms; i++) {
        struct vm v;
        vm_addr(i, p->seed, &v);
        if (!xsw_nic_find(sw, v.port, 0))
            continue;
        f[0].len = xsw_build_arp(frame_buf[0], v.mac, v.ip, gw_ip);
        CHECK(send_frames(sw, v.port, 0, f, 1, 1));
    }
    for (unsigned i = 0; i < p->vms; i++) {
        struct vm v, w;
        vm_addr(i, p->seed, &v);
        vm_addr((i + 1) % p->vms, p->seed, &w);
        if (!xsw_nic_find(sw, v.port, 0))
            continue;
        for (unsigned k = 0; k < p->packets; k += chain) {
            unsigned n = p->packets - k < chain ? p->packets - k : chain;
            for (unsigned j = 0; j < n; j++) {
                uint32_t seq = p->seed + i * 100000u + k + j;
                int to_gw = (k + j) & 1;
                unsigned len = 64 + (seq % 8) * 100;
                f[j].data = frame_buf[j];
                f[j].len = xsw_build_udp(frame_buf[j], len, to_gw ? gw_mac : w.mac, v.mac, v.ip, to_gw ? 0x08080808u : w.ip,
                                         0, seq);
            }
            CHECK(send_frames(sw, v.port, 0, f, n, chain));
        }
        if (i == 0 && p->vms > 1) {
            /*
             * Frames a filtering extension's ACL may drop: to a multicast-range
             * address nobody owns, and 802.1Q-tagged with VLAN 666.
             */
            static const uint8_t deny_mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x66};
            f[0].data = frame_buf[0];
            f[0].len = xsw_build_udp(frame_buf[0], 90, deny_mac, v.mac, v.ip, 0x0A0000FEu, 0, p->seed + 7);
            f[1].data = frame_buf[1];
            f[1].len = xsw_build_udp(frame_buf[1], 90, w.mac, v.mac, v.ip, w.ip, 666, p->seed + 8);
            CHECK(send_frames(sw, v.port, 0, f, 2, chain < 2 ? 1 : 2));
        }
        /* And the reply from outside. */
        f[0].data = frame_buf[0];
        f[0].len = xsw_build_udp(frame_buf[0], 128, v.mac, gw_mac, 0x08080808u, v.ip, 0, p->seed + i);
        CHECK(send_frames(sw, EXT_PORT, 1, f, 1, 1));
    }
    return 0;
}

static int run_steps(struct xsw_switch *sw, int active, const struct xsw_scenario_params *p);

/* VM 0 and the gateway exchange a few frames; "tag" varies the payloads. */
static int vm0_gateway_traffic(struct xsw_switch *sw, const struct xsw_scenario_params *p, unsigned tag)
{
    struct vm v0;
    vm_addr(0, p->seed, &v0);
    unsigned n = p->packets ? (p->packets > 8 ? 8 : p->packets) : 2;
    struct xsw_frame f[8];
    for (unsigned j = 0; j < n; j++) {
        f[j].data = frame_buf[j];
        f[j].len = xsw_build_udp(frame_buf[j], 100 + 10 * j, gw_mac, v0.mac, v0.ip, 0x08080808u, 0, p->seed + tag + j);
    }
    int r = xsw_vm_send(sw, v0.port, 0, f, n);
    if (r < 0)
        return r;
    /* Replies from outside: straight to the VF while the guest uses it, else through the switch. */
    for (unsigned j = 0; j < n; j++) {
        unsigned len = xsw_build_udp(frame_buf[j], 100 + 10 * j, v0.mac, gw_mac, 0x08080808u, v0.ip, 0, p->seed + tag + 50 + j);
        if (xsw_vf_receive(sw, v0.port, 0, frame_buf[j], len) == 0)
            continue;
        struct xsw_frame g = {frame_buf[j], len};
        r = xsw_vm_send(sw, EXT_PORT, 1, &g, 1);
        if (r < 0)
            return r;
    }
    return 0;
}

/*
 * SR-IOV on VM 0 (extensible-switch.md §4.8, vmbus-nvsp-rndis.md §2.9):
 * VF attach (ALLOCATE_VF, CREATE_VPORT, MOVE_FILTER, NIC_UPDATED VFAssigned),
 * the host tells the guest (SEND_VF_ASSOCIATION), the guest switches its
 * data path to the VF, traffic flows on the VF past the extensions; then the
 * failover: the guest switches back to synthetic, VF_ASSOCIATION(0), filters
 * moved back, DELETE_VPORT, FREE_VF, NIC_UPDATED; traffic resumes through the
 * extensions with no new NIC_CONNECT. An extension that vetoes ALLOCATE_VF
 * keeps VM 0 on the synthetic path; one that indicates
 * NDIS_STATUS_SWITCH_PORT_REMOVE_VF makes the switch fail over at once.
 */
static int vf_failover_vm0(struct xsw_switch *sw, const struct xsw_scenario_params *p)
{
    struct vm v0;
    vm_addr(0, p->seed, &v0);
    if (!xsw_nic_find(sw, v0.port, 0))
        return 0;
    int r = xsw_vf_attach(sw, v0.port, 0);
    if (r < 0)
        return r;
    if (r == 1)
        return vm0_gateway_traffic(sw, p, 300); /* vetoed: the VM stays on the synthetic path */
    if (!xsw_vf_remove_requested(sw, v0.port, 0)) {
        xsw_vm_vf_association(sw, v0.port, 0, 1);
        if ((r = xsw_vm_switch_datapath(sw, v0.port, 0, 1)) < 0)
            return r;
        if ((r = vm0_gateway_traffic(sw, p, 400)) < 0)
            return r;
        /* Failover, guest side first: the data path back to synthetic. */
        if ((r = xsw_vm_switch_datapath(sw, v0.port, 0, 0)) < 0)
            return r;
        xsw_vm_vf_association(sw, v0.port, 0, 0);
    }
    if ((r = xsw_vf_detach(sw, v0.port, 0)) < 0)
        return r;
    return vm0_gateway_traffic(sw, p, 500);
}

int xsw_scenario_host_start(struct xsw_switch *sw)
{
    int r = start_host_nics(sw, 1);
    if (!r)
        r = xsw_switch_load(sw);
    if (!r)
        r = xsw_switch_attach(sw);
    if (!r)
        r = xsw_switch_restart(sw);
    if (r)
        return r;
    xsw_switch_pump(sw);
    return xsw_switch_activate(sw);
}

int xsw_scenario_host_stop(struct xsw_switch *sw)
{
    /* VMs still running are stopped first, then the host's own NICs. */
    int r = 0;
    for (uint32_t i = 0; i < sw->port_cap && !r; i++) {
        struct xsw_port *p = &sw->ports[i];
        if (p->used == 1 && p->id != INT_PORT && p->id != EXT_PORT)
            r = stop_port(sw, p->id);
    }
    if (!r)
        r = stop_port(sw, INT_PORT);
    if (!r)
        r = stop_port(sw, EXT_PORT);
    if (r)
        return r;
    xsw_switch_pump(sw);
    if ((r = xsw_switch_pause(sw)) != 0 || (r = xsw_switch_detach(sw)) != 0)
        return r;
    xsw_switch_final_checks(sw);
    return xsw_switch_unload(sw);
}

/*
 * Save VM 0's NIC, stop the VM, start it again on a new port with the same
 * MAC and restore the saved blobs there, plus one blob of an extension this
 * host does not have (as after a live migration from a host with more
 * extensions): that one must travel down the stack unmodified and reach the
 * miniport edge (extensible-switch.md §4.7). Then VM 0 talks to VM 1.
 */
static int save_restore_vm0(struct xsw_switch *sw, const struct xsw_scenario_params *p)
{
    struct vm v0, v1;
    vm_addr(0, p->seed, &v0);
    vm_addr(1, p->seed, &v1);
    if (!xsw_nic_find(sw, v0.port, 0))
        return 0;
    struct xsw_saved_nic saved;
    int64_t st = xsw_nic_save(sw, v0.port, 0, &saved);
    if (st < 0)
        return (int)st;
    int r = stop_port(sw, v0.port);
    if (!r)
        r = xsw_saved_nic_add_foreign(&saved);
    uint32_t newport = v0.port + 1000;
    if (!r && (st = xsw_port_create(sw, newport, XSW_PORT_SYNTHETIC, "vm0-restored", 0)) < 0)
        r = (int)st;
    if (!r && st == NDIS_STATUS_SUCCESS) {
        struct xsw_nic_desc d;
        memset(&d, 0, sizeof d);
        d.port_id = newport;
        d.type = XSW_NIC_SYNTHETIC;
        memcpy(d.mac, v0.mac, 6);
        st = xsw_nic_create(sw, &d);
        if (st == NDIS_STATUS_SUCCESS)
            st = xsw_nic_connect(sw, newport, 0);
        if (st == NDIS_STATUS_SUCCESS)
            st = xsw_nic_restore(sw, newport, 0, &saved);
        if (st < 0)
            r = (int)st;
        if (!r && xsw_nic_find(sw, v1.port, 0)) {
            struct xsw_frame f[2];
            f[0].data = frame_buf[0];
            f[0].len = xsw_build_udp(frame_buf[0], 100, v1.mac, v0.mac, v0.ip, v1.ip, 0, p->seed + 200);
            f[1].data = frame_buf[1];
            f[1].len = xsw_build_udp(frame_buf[1], 100, v0.mac, v1.mac, v1.ip, v0.ip, 0, p->seed + 201);
            r = send_frames(sw, newport, 0, f, 1, 1);
            if (!r)
                r = send_frames(sw, v1.port, 0, f + 1, 1, 1);
        }
        if (!r)
            r = stop_port(sw, newport);
    }
    xsw_saved_nic_free(&saved);
    return r;
}

int xsw_scenario_run(struct xsw_switch *sw, const char *name, const struct xsw_scenario_params *p)
{
    int active = !strcmp(name, "attach-active");
    int save = !strcmp(name, "save-restore");
    int vf = !strcmp(name, "vf-failover");
    if (!active && !save && !vf && strcmp(name, "vm-lifecycle")) {
        snprintf(sw->err, sizeof sw->err, "unknown scenario '%s' (xsw-switch list shows them)", name);
        return XSW_EINVAL;
    }
    /* A hung extension (busy-waiting with no progress) ends the scenario here. */
    if (setjmp(sw->abort_jmp)) {
        xsw_rt_set_actor(XSW_ACTOR_SWITCH);
        xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
        xsw_switch_final_checks(sw);
        return XSW_ETRUNC;
    }
    sw->abort_armed = 1;
    sw->scenario_save = save;
    sw->scenario_vf = vf;
    int r = run_steps(sw, active, p);
    sw->abort_armed = 0;
    return r;
}

/*
 * An extension refused to start: DriverEntry, FilterAttach or FilterRestart
 * returned a failure status ("r" is what the switch returned for it). Under
 * fault injection (config fail_alloc_after) that is correct behaviour, not a
 * harness failure: a certification run must accept an extension that
 * refuses to start when memory is short, provided it leaks nothing. The
 * switch then does what NDIS does with a filter stack that cannot start: it
 * pauses and detaches the modules that did attach and
 * unloads every driver, with the usual leak checks (a failed DriverEntry or
 * FilterAttach was checked already, see core.c), and the scenario ends there
 * with 0. Without fault injection, or for a failure of the harness itself,
 * "r" is returned unchanged: the scenario cannot be run.
 */
static int refused_start(struct xsw_switch *sw, int r)
{
    if (!sw->refused || !sw->cfg.fail_alloc_after)
        return r;
    sw->err[0] = 0;
    xsw_switch_pump(sw);
    if ((r = xsw_switch_pause(sw)) != 0 || (r = xsw_switch_detach(sw)) != 0)
        return r;
    xsw_switch_final_checks(sw);
    return xsw_switch_unload(sw);
}

static int run_steps(struct xsw_switch *sw, int active, const struct xsw_scenario_params *p)
{
    int r;
    /*
     * The host's external and internal NICs exist before the extensions see
     * the switch: on a switch being activated they are part of the
     * configuration the extension enumerates (PORT_ARRAY / NIC_ARRAY) after
     * NetEventSwitchActivate; no PORT_CREATE / NIC_CREATE OIDs are issued
     * for them. This is what Microsoft's forwarding sample relies on: it
     * counts every NIC of the NIC_ARRAY it reads at activation, and would
     * count a NIC twice had it also seen that NIC's NIC_CONNECT
     * (querying-the-hyper-v-extensible-switch-configuration.md: querying
     * before activation gives "an incomplete initial view").
     */
    CHECK(start_host_nics(sw, 1));
    if (active) {
        sw->active = 1;
        for (unsigned i = 0; i < p->vms / 2; i++) {
            /* Half of the VMs were already running too. */
            struct vm v;
            vm_addr(i, p->seed, &v);
            struct xsw_port *pt = xsw_port_add(sw, v.port);
            if (!pt)
                return XSW_ENOMEM;
            pt->type = XSW_PORT_SYNTHETIC;
            pt->state = NdisSwitchPortStateCreated;
            snprintf(pt->name, sizeof pt->name, "vm%u", i);
            struct xsw_nic *n = &pt->nics[0];
            n->used = 1;
            n->port_id = v.port;
            n->type = XSW_NIC_SYNTHETIC;
            n->state = NdisSwitchNicStateConnected;
            n->mtu = 1500;
            memcpy(n->mac, v.mac, 6);
            pt->nnics = 1;
        }
    }
    r = xsw_switch_load(sw);
    if (r)
        return refused_start(sw, r);
    r = xsw_switch_attach(sw);
    if (r)
        return refused_start(sw, r);
    r = xsw_switch_restart(sw);
    if (r)
        return refused_start(sw, r);
    xsw_switch_pump(sw);
    if (!active) {
        r = xsw_switch_activate(sw);
        if (r)
            return r;
    }
    for (unsigned i = active ? p->vms / 2 : 0; i < p->vms; i++) {
        struct vm v;
        vm_addr(i, p->seed, &v);
        char nm[32];
        snprintf(nm, sizeof nm, "vm%u", i);
        int64_t st = xsw_port_create(sw, v.port, XSW_PORT_SYNTHETIC, nm, 0);
        if (st < 0)
            return (int)st;
        if (st != NDIS_STATUS_SUCCESS)
            continue;
        struct xsw_nic_desc d;
        memset(&d, 0, sizeof d);
        d.port_id = v.port;
        d.type = XSW_NIC_SYNTHETIC;
        memcpy(d.mac, v.mac, 6);
        st = xsw_nic_create(sw, &d);
        if (st < 0)
            return (int)st;
        if (st == NDIS_STATUS_SUCCESS)
            CHECK(xsw_nic_connect(sw, v.port, 0));
    }
    xsw_switch_pump(sw);
    if (p->packets || p->vms <= 64)
        CHECK(traffic(sw, p));
    if (sw->scenario_save && p->vms >= 2)
        CHECK(save_restore_vm0(sw, p));
    for (unsigned k = 0; sw->scenario_vf && p->vms >= 1 && k < (p->vf_events ? p->vf_events : 1); k++)
        CHECK(vf_failover_vm0(sw, p));
    if (p->vms >= 2 && (p->packets || p->vms <= 64)) {
        /*
         * VM 0 disconnects; VM 1 still sends to it before the NIC is deleted.
         * Nothing may be delivered to (or added as a destination for) the
         * disconnected NIC (extensible-switch.md §5.4).
         */
        struct vm v0, v1;
        vm_addr(0, p->seed, &v0);
        vm_addr(1, p->seed, &v1);
        struct xsw_nic *n0 = xsw_nic_find(sw, v0.port, 0);
        if (n0 && n0->state == NdisSwitchNicStateConnected && xsw_nic_find(sw, v1.port, 0)) {
            CHECK(xsw_nic_disconnect(sw, v0.port, 0));
            struct xsw_frame f[2];
            for (unsigned j = 0; j < 2; j++) {
                f[j].data = frame_buf[j];
                f[j].len = xsw_build_udp(frame_buf[j], 80, v0.mac, v1.mac, v1.ip, v0.ip, 0, p->seed + 100 + j);
            }
            CHECK(send_frames(sw, v1.port, 0, f, 2, 2));
        }
    }
    for (unsigned i = 0; i < p->vms; i++) {
        struct vm v;
        vm_addr(i, p->seed, &v);
        CHECK(stop_port(sw, v.port));
    }
    CHECK(stop_port(sw, INT_PORT));
    CHECK(stop_port(sw, EXT_PORT));
    xsw_switch_pump(sw);
    r = xsw_switch_pause(sw);
    if (r)
        return r;
    r = xsw_switch_detach(sw);
    if (r)
        return r;
    xsw_switch_final_checks(sw);
    return xsw_switch_unload(sw);
}
