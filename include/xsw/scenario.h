/*
 * scenario.h - scripted scenarios the reference switch plays against the
 * extensions under test. Each scenario is deterministic for given
 * parameters, so two runs give byte-identical traces.
 *
 *   vm-lifecycle   switch start (external and internal NICs, activation),
 *                  N VMs started (PORT_CREATE, NIC_CREATE, NIC_CONNECT),
 *                  traffic between VMs and to the external port, VMs stopped
 *                  (NIC_DISCONNECT, NIC_DELETE, PORT_TEARDOWN, PORT_DELETE),
 *                  switch stop, pause, detach, unload.
 *   attach-active  like vm-lifecycle, but the extension is attached to a
 *                  switch that is already active with ports and NICs, so it
 *                  must enumerate them (PORT_ARRAY / NIC_ARRAY).
 *   save-restore   vm-lifecycle with VM 0 saved, stopped and restored on a
 *                  new port (NIC_SAVE / NIC_RESTORE).
 *   live-migration one VM moved between two hosts (two processes, two
 *                  traces): xsw_live_migration_run, not xsw_scenario_run.
 */
#ifndef XSW_SCENARIO_H
#define XSW_SCENARIO_H

#include <stdint.h>

#include "xsw/switch.h"

struct xsw_scenario_params {
    unsigned vms;          /* VMs started and stopped */
    unsigned packets;      /* unicast frames each VM sends to its neighbour and to the gateway */
    unsigned chain;        /* frames per NBL chain (1..64) */
    uint32_t seed;         /* payload bytes and MAC/IP numbering */
    unsigned vf_events;    /* vf-failover: VF attach/failover cycles (0 = 1) */
    int attach_active;     /* attach to an already active switch */
};

struct xsw_scenario_info {
    const char *name;
    const char *summary;
};

/* The scenarios this build knows, terminated by a NULL name. */
const struct xsw_scenario_info *xsw_scenarios(void);

/* Render the parameters as "key=value\n" lines for the trace's META record. */
void xsw_scenario_params_text(const struct xsw_scenario_params *p, char *out, size_t cap);

/*
 * Run scenario "name" on a switch created with its extensions (not yet
 * loaded). Returns 0 when the scenario ran to its end (findings are in the
 * trace and in xsw_switch_findings()), or a negative XSW_E* code with the
 * reason in xsw_switch_error() when the harness could not go on (an
 * extension failed to load or attach, for example).
 */
int xsw_scenario_run(struct xsw_switch *sw, const char *name, const struct xsw_scenario_params *p);

/*
 * The host part of every scenario: the external and internal NICs exist,
 * the extensions are loaded, attached and restarted, and the switch is
 * activated (NetEventSwitchActivate). xsw_scenario_host_stop removes them
 * (switch stop), pauses, detaches and unloads the extensions.
 */
int xsw_scenario_host_start(struct xsw_switch *sw);
int xsw_scenario_host_stop(struct xsw_switch *sw);

/*
 * Live migration of one VM between two harness hosts, each a process with
 * its own switch and trace, talking over the socket "fd" (one end of a
 * socketpair each): the source saves and tears the VM down, the destination
 * validates, creates, connects and restores it (extensible-switch.md §4.7).
 * xsw_live_migration_run forks the destination host (config "dst") and runs
 * the source (config "src") itself; it returns 0, 1 when either host
 * recorded findings (counted in *res with the records of each trace), or a negative XSW_E* code
 * with a message.
 */
int xsw_live_migration_source(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p);
int xsw_live_migration_destination(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p);
struct xsw_lm_result {
    unsigned findings;                 /* both hosts */
    uint64_t src_records, dst_records; /* records in each host's trace */
};
int xsw_live_migration_run(const struct xsw_switch_config *src, const struct xsw_switch_config *dst,
                           const struct xsw_scenario_params *p, struct xsw_lm_result *res, char *err,
                           size_t errlen);

/* Build an Ethernet/IPv4/UDP frame of "len" bytes (>= 42) into "out". */
unsigned xsw_build_udp(uint8_t *out, unsigned len, const uint8_t dst[6], const uint8_t src[6], uint32_t src_ip,
                       uint32_t dst_ip, uint16_t vlan, uint32_t seq);
/* Build an ARP request from (mac, ip) for "target_ip" (broadcast, 42 bytes). */
unsigned xsw_build_arp(uint8_t *out, const uint8_t src[6], uint32_t src_ip, uint32_t target_ip);

#endif
