/*
 * sw.h - internal state of the reference switch (include/xsw/switch.h).
 *
 * The switch is single-threaded and deterministic: every call an extension
 * makes into NDIS is handled on the caller's thread, data-path calls nest
 * (ingress send -> miniport edge -> egress indication -> delivery -> return
 * -> send completion), and work that Windows would do later (pended OID
 * completions) sits in a FIFO that xsw_rt_run_deferred() drains, which is
 * what NdisWaitEvent and NdisMSleep call while an extension waits.
 */
#ifndef XSW_SW_H
#define XSW_SW_H

#include <ndis.h>

#include <setjmp.h>
#include <stdint.h>

#include "rt.h"
#include "xsw/switch.h"
#include "xsw/trace.h"

#define XSW_FWD_MAGIC 0x7873774677644378ull /* "xCdwFwsx" */
#define XSW_INLINE_DESTS 8
#define XSW_FRAME_MAX 2048u

/* Filter module states (learn.microsoft.com: filter-module-states-and-operations). */
enum xsw_mod_state {
    XSW_MOD_DETACHED = 0,
    XSW_MOD_ATTACHING,
    XSW_MOD_PAUSED,
    XSW_MOD_RESTARTING,
    XSW_MOD_RUNNING,
    XSW_MOD_PAUSING,
};

struct xsw_driver {
    void *dl;
    xsw_driver_entry_fn entry; /* in-process driver, or DriverEntry found with dlsym */
    DRIVER_OBJECT drvobj;
    NDIS_FILTER_DRIVER_CHARACTERISTICS chars;
    NDIS_HANDLE driver_context;
    int registered;
    int unloaded;
    char name[64];
    char path[512];
    enum xsw_ext_class cls;
    WCHAR regpath[160];
};

/* One filter module: an instance of a driver in this switch's stack. */
struct xsw_module {
    unsigned index;            /* stack position, 0 = top (protocol edge side) */
    struct xsw_driver *drv;
    NDIS_HANDLE ctx;           /* FilterModuleContext from NdisFSetAttributes */
    int attributes_set;
    enum xsw_mod_state state;
    int pause_pending, restart_pending;
    uint64_t attach_serial;    /* pool serial when FilterAttach was called */
    uint64_t detach_serial;    /* pool serial after FilterDetach returned */
    uint64_t attach_obj, detach_obj; /* the same for NDIS objects (NBLs, MDLs, pools) */
};

/*
 * Per-NBL switch state, reached through NET_BUFFER_LIST_INFO(nbl,
 * SwitchForwardingReserved) as the real switch keeps its own context there.
 */
struct xsw_fwd {
    uint64_t magic;
    uint64_t id;
    struct xsw_fwd *next_free;
    PNET_BUFFER_LIST nbl;
    int owner;                 /* -1 = protocol edge, k = extension k (originated) */
    int in_use;
    unsigned indicated;        /* the miniport edge indicated it on egress */
    unsigned done;             /* completed back to its owner */
    uint32_t sent_mask;        /* bit b: sent down across boundary b, not yet completed back up */
    uint32_t ind_mask;         /* bit b: indicated up across boundary b, not yet returned */
    PVOID switch_context;      /* SetNetBufferListSwitchContext */
    NDIS_SWITCH_FORWARDING_DESTINATION_ARRAY arr;
    NDIS_SWITCH_PORT_DESTINATION inline_dest[XSW_INLINE_DESTS];
    NDIS_SWITCH_PORT_DESTINATION *dest;   /* inline_dest or heap */
    uint32_t dest_cap;
    uint32_t committed;        /* destinations committed (Add/Update) */
};

/* A protocol-edge packet from the switch's pool: NBL + NB + MDL + frame. */
struct xsw_pkt {
    NET_BUFFER_LIST nbl;
    NET_BUFFER nb;
    MDL mdl;
    struct xsw_fwd fwd;
    struct xsw_pkt *next_free;
    /*
     * The frame lives in a separate slab: packet metadata stays dense, so a
     * 64-NBL chain's NBLs and contexts share fewer cache lines per walk.
     */
    uint8_t *frame;
};

struct xsw_nic {
    uint32_t port_id;
    uint16_t nic_index;
    uint8_t used;
    uint8_t state;             /* NDIS_SWITCH_NIC_STATE */
    uint8_t disconnect_issued;
    uint8_t vf_assigned;
    uint8_t vf_remove_requested; /* a forwarding extension indicated SWITCH_PORT_REMOVE_VF */
    uint8_t datapath_vf;       /* the guest switched its data path to the VF */
    uint8_t chan_pending;      /* frames queued on the channel, flushed after the chain */
    struct xsw_vmchan *chan;   /* the VM's VMBus channel (synthetic data path model) */
    void *chan_ctx;
    int32_t refs;
    uint8_t mac[6];
    enum xsw_nic_type type;
    uint32_t mtu;
    struct xsw_port_stats stats;
};

struct xsw_port {
    uint32_t id;
    uint8_t used;              /* 0 empty, 1 used, 2 deleted (tombstone) */
    uint8_t state;             /* NDIS_SWITCH_PORT_STATE */
    uint8_t validation;
    enum xsw_port_type type;
    int32_t refs;
    uint16_t access_vlan;      /* 0 = untagged / no VLAN policy */
    uint16_t nnics;
    struct xsw_nic nics[4];    /* index 0 (+ external team members 1..3) */
    char name[64];
};

/* MAC learning table entry (native forwarding). */
struct xsw_mac_entry {
    uint8_t mac[6];
    uint8_t used;
    uint16_t nic_index;
    uint16_t vlan;
    uint32_t port_id;
};

/* Tracking of NDIS_OID_REQUEST objects crossing the stack. */
struct xsw_oid_track {
    const NDIS_OID_REQUEST *req;
    uint64_t id;
    uint64_t parent;
    uint8_t used;              /* 0 empty, 1 used, 2 tombstone */
    uint8_t completed;
    uint32_t boundary_mask;    /* boundaries the request is outstanding below */
    uint8_t clone;             /* allocated by NdisAllocateCloneOidRequest */
    int issuer;                /* -1 protocol edge, k extension */
};

enum xsw_deferred_kind { XSW_DEF_OID_COMPLETE = 1 };

struct xsw_deferred {
    enum xsw_deferred_kind kind;
    unsigned boundary;
    PNDIS_OID_REQUEST req;
    NDIS_STATUS status;
};

struct xsw_switch {
    struct xsw_switch_config cfg;
    char err[XSW_ERRBUF_SIZE];
    struct xsw_trace_writer *tw;
    unsigned depth;
    struct xsw_driver drivers[XSW_MAX_EXT];
    struct xsw_module mods[XSW_MAX_EXT];
    unsigned ndrivers;
    int loading;               /* index of the driver in DriverEntry, -1 otherwise */
    int active;                /* NetEventSwitchActivate sent */
    jmp_buf abort_jmp;         /* where a hung extension's scenario is abandoned */
    int abort_armed;
    int hung;
    int scenario_save;         /* the scenario saves and restores a VM NIC */
    int scenario_vf;           /* the scenario attaches a VF to VM 0 and fails it over */
    int refused;               /* an extension failed DriverEntry, FilterAttach or FilterRestart */
#define XSW_MAX_PENDING_CHANS 64
    struct xsw_nic *pending[XSW_MAX_PENDING_CHANS]; /* channels with queued frames */
    unsigned npending;
    unsigned vmbus_errors;
    struct xsw_saved_nic replay_saved; /* what a replay's NIC_SAVE got, for its restore */                  /* an extension hung: busy-wait without progress, or an OID never completed */

    /* Port table: open addressing, power-of-two size. */
    struct xsw_port *ports;
    uint32_t port_cap, port_count;
    /* MAC table. */
    struct xsw_mac_entry *macs;
    uint32_t mac_cap, mac_count;
    /* OID tracking table. */
    struct xsw_oid_track *oids;
    uint32_t oid_cap, oid_count, oid_tomb;
    uint64_t next_oid_id;
    /* NBL pool and forwarding contexts. */
    struct xsw_pkt *pkts;
    struct xsw_pkt *pkt_free;
    uint32_t pkt_count, pkt_in_use;
    struct xsw_fwd *fwd_free;
    uint64_t next_nbl_id;
    uint32_t fwd_live;         /* extension-allocated forwarding contexts */
    /* Deferred work. */
    struct xsw_deferred *defq;
    uint32_t def_head, def_tail, def_cap;
    /* Findings. */
    unsigned findings[64];
    unsigned findings_total;
    /* Protocol-edge OID in flight (for synchronous issue). */
    unsigned pe_pending;
    NDIS_STATUS pe_status;
    PNDIS_OID_REQUEST pe_req;
    /* Scratch for records; findings and NDIS calls may be recorded while
     * another record is being built, so they have buffers of their own. */
    uint8_t scratch[XSW_SNAPLEN];
    uint8_t finding_buf[2200];
    uint8_t call_buf[256];
};

extern struct xsw_switch *xsw_sw; /* the one switch of this process */

/* core.c */
void xsw_sw_call_enter(unsigned actor, unsigned irql, unsigned *saved_actor, unsigned *saved_irql);
void xsw_sw_call_leave(unsigned saved_actor, unsigned saved_irql);
struct xsw_module *xsw_sw_module_from_handle(NDIS_HANDLE h, const char *func);
int xsw_sw_defer(struct xsw_switch *sw, const struct xsw_deferred *d);
void xsw_sw_count_finding(struct xsw_switch *sw, unsigned code);

/* record.c */
void xsw_rec_meta(struct xsw_switch *sw);
void xsw_rec_oid(struct xsw_switch *sw, unsigned kind, unsigned point, unsigned actor,
                 const NDIS_OID_REQUEST *req, uint64_t id, uint64_t parent, NDIS_STATUS status,
                 unsigned flags);
void xsw_rec_nbls(struct xsw_switch *sw, unsigned kind, unsigned point, unsigned actor,
                  PNET_BUFFER_LIST chain, ULONG ndis_flags);
void xsw_rec_handler(struct xsw_switch *sw, unsigned handler, uint32_t port, uint16_t nic,
                     NDIS_STATUS status, uint32_t flags, uint32_t count, int32_t refcount,
                     uint64_t nbl, const NDIS_SWITCH_PORT_DESTINATION *dest, unsigned ndest,
                     const char *text);
void xsw_rec_filter_state(struct xsw_switch *sw, unsigned actor, unsigned event, NDIS_STATUS st,
                          const char *text);
void xsw_rec_finding(struct xsw_switch *sw, unsigned actor, unsigned code, uint64_t value,
                     uint32_t port, uint16_t nic, uint64_t id, const char *text);
void xsw_rec_status(struct xsw_switch *sw, unsigned point, unsigned actor,
                    const NDIS_STATUS_INDICATION *ind);
void xsw_rec_pnp(struct xsw_switch *sw, unsigned point, unsigned actor,
                 const NET_PNP_EVENT_NOTIFICATION *ev, NDIS_STATUS status);
void xsw_rec_ndis_call(struct xsw_switch *sw, unsigned actor, unsigned irql, const char *func,
                       uint64_t a0, uint64_t a1, uint64_t a2);

/* tables.c */
struct xsw_port *xsw_port_find(struct xsw_switch *sw, uint32_t id);
struct xsw_port *xsw_port_add(struct xsw_switch *sw, uint32_t id);
void xsw_port_remove(struct xsw_switch *sw, struct xsw_port *p);
struct xsw_nic *xsw_nic_find(struct xsw_switch *sw, uint32_t port, uint16_t nic);
int xsw_tables_init(struct xsw_switch *sw);
void xsw_tables_free(struct xsw_switch *sw);
void xsw_mac_learn(struct xsw_switch *sw, const uint8_t *mac, uint16_t vlan, uint32_t port, uint16_t nic);
const struct xsw_mac_entry *xsw_mac_lookup(struct xsw_switch *sw, const uint8_t *mac, uint16_t vlan);
void xsw_mac_forget_port(struct xsw_switch *sw, uint32_t port);

/* oid.c */
struct xsw_oid_track *xsw_oid_track_find(struct xsw_switch *sw, const NDIS_OID_REQUEST *req);
void xsw_oid_run_deferred(struct xsw_switch *sw, const struct xsw_deferred *d);
unsigned xsw_oid_final_checks(struct xsw_switch *sw);
void xsw_oid_free_all(struct xsw_switch *sw);
void xsw_fill_nic_params(const struct xsw_port *p, const struct xsw_nic *n, NDIS_SWITCH_NIC_PARAMETERS *np);
void xsw_fill_port_params(const struct xsw_port *p, NDIS_SWITCH_PORT_PARAMETERS *pp);
void xsw_put_counted(void *at, const char *s);

/* synthetic.c */
int xsw_vm_channel_open(struct xsw_switch *sw, uint32_t port, uint16_t nic);
/* Close a VM's channel; "teardown" = the guest shuts its NIC down first (HALT, revoke buffers). */
void xsw_vm_channel_close(struct xsw_switch *sw, struct xsw_nic *n, int teardown);
void xsw_vm_deliver(struct xsw_switch *sw, struct xsw_nic *n, const uint8_t *frame, uint32_t len);
void xsw_vm_flush(struct xsw_switch *sw);
void xsw_rec_vf_frame(struct xsw_switch *sw, uint32_t port, uint16_t nic, int dir, const uint8_t *frame, uint32_t len);
/* record.c: copy up to "cap" bytes of the NBL's first NET_BUFFER. */
uint32_t xsw_nbl_copy_frame(PNET_BUFFER_LIST nbl, uint8_t *out, uint32_t cap);

/* sriov.c */
void xsw_protocol_edge_status(struct xsw_switch *sw, const NDIS_STATUS_INDICATION *ind);

/* ports.c */
NDIS_STATUS xsw_nic_request_at_miniport(struct xsw_switch *sw, PNDIS_OID_REQUEST r);
int xsw_sw_module_running(const struct xsw_module *m);

/* datapath.c */
int xsw_dp_init(struct xsw_switch *sw);
void xsw_dp_free(struct xsw_switch *sw);
struct xsw_fwd *xsw_fwd_of(PNET_BUFFER_LIST nbl);
uint64_t xsw_nbl_id(PNET_BUFFER_LIST nbl);
unsigned xsw_dp_final_checks(struct xsw_switch *sw);
void xsw_dp_fill_handlers(NDIS_SWITCH_OPTIONAL_HANDLERS *h);

#endif
