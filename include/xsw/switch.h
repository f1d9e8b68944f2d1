/*
 * switch.h - the reference switch harness: a user-mode Hyper-V extensible
 * switch that plays the protocol edge, the miniport edge and NDIS for a stack
 * of extension drivers loaded from shared objects, and records everything in
 * an xsw trace (trace.h).
 *
 * Normative references: ../shared/reference/extensible-switch.md (§4 control
 * path, §5 data path) and the learn.microsoft.com pages it cites.
 *
 * Usage: xsw_switch_new() with a configuration, xsw_switch_load() (dlopen and
 * DriverEntry of every extension), then scenario steps (scenario.h) or the
 * primitive operations below, then xsw_switch_free(). One switch per process:
 * NDIS entry points called by extensions find it through a process global.
 * Functions return 0 or a negative XSW_E* code with a message in the
 * switch's error buffer (xsw_switch_error()).
 */
#ifndef XSW_SWITCH_H
#define XSW_SWITCH_H

#include <stddef.h>
#include <stdint.h>

#include "xsw/trace.h"

#define XSW_MAX_EXT 16

enum xsw_ext_class {
    XSW_CLASS_UNKNOWN = 0,
    XSW_CLASS_CAPTURE = 1,
    XSW_CLASS_FILTER = 2,
    XSW_CLASS_FORWARD = 3,
};

const char *xsw_class_name(enum xsw_ext_class c);
/* Parse "capture", "filter", "forward" or the INF names ms_switch_capture... */
int xsw_class_parse(const char *s, enum xsw_ext_class *out);

/*
 * DriverEntry of an extension linked into the harness itself (tests and
 * in-process reference extensions); the real signature is
 * NTSTATUS DriverEntry(PDRIVER_OBJECT, PUNICODE_STRING).
 */
typedef int32_t (*xsw_driver_entry_fn)(void *driver_object, void *registry_path);

struct xsw_ext_spec {
    const char *path;          /* shared object with DriverEntry */
    const char *name;          /* display name; defaults to the file name */
    enum xsw_ext_class cls;
    xsw_driver_entry_fn entry; /* instead of "path": an in-process driver */
};

struct xsw_switch_config {
    unsigned n_ext;
    struct xsw_ext_spec ext[XSW_MAX_EXT]; /* in any order; stacked by class (capture, filter, forward) */
    const char *trace_path;    /* NULL: no trace */
    const char *scenario;      /* name recorded in the META record */
    const char *params;        /* "key=value\n" lines recorded in the META record */
    int record_calls;          /* record NDIS_CALL records for every NDIS function called */
    int record_frames;         /* record frame bytes in NBL records (default 1) */
    uint32_t snaplen;          /* frame bytes per NBL record (0 = 65536; never more than the record has room for) */
    int pend_oids;             /* miniport edge pends OID requests and completes them later */
    uint64_t fail_alloc_after; /* make the n-th next allocation fail (0: never) */
    unsigned max_wait_steps;   /* deferred-work steps a wait may run before it is a timeout */
    int synthetic;             /* VM NICs talk to the switch over modelled VMBus channels (NetVSC/NetVSP) */
    xsw_trace_tap_fn tap;      /* sees every record as it is written (online checking) */
    void *tap_ctx;
};

struct xsw_switch;

struct xsw_switch *xsw_switch_new(const struct xsw_switch_config *cfg, char *err, size_t errlen);
void xsw_switch_free(struct xsw_switch *sw);
const char *xsw_switch_error(const struct xsw_switch *sw);

/* Load every extension (dlopen, DriverEntry, NdisFRegisterFilterDriver). */
int xsw_switch_load(struct xsw_switch *sw);
/* FilterAttach of every module, bottom-up as NDIS does. */
int xsw_switch_attach(struct xsw_switch *sw);
int xsw_switch_restart(struct xsw_switch *sw);
int xsw_switch_pause(struct xsw_switch *sw);
/* Detach every module (top-down) and report what each leaked. */
int xsw_switch_detach(struct xsw_switch *sw);
/* DriverUnload of every driver, then dlclose. */
int xsw_switch_unload(struct xsw_switch *sw);

/* Send NET_PNP_EVENT NetEventSwitchActivate down the stack and mark the switch active. */
int xsw_switch_activate(struct xsw_switch *sw);

/* ---- Ports and NICs (protocol-edge OIDs) --------------------------------- */

enum xsw_port_type { XSW_PORT_EXTERNAL = 1, XSW_PORT_SYNTHETIC = 2, XSW_PORT_EMULATED = 3, XSW_PORT_INTERNAL = 4 };
enum xsw_nic_type { XSW_NIC_EXTERNAL = 0, XSW_NIC_SYNTHETIC = 1, XSW_NIC_EMULATED = 2, XSW_NIC_INTERNAL = 3 };

struct xsw_nic_desc {
    uint32_t port_id;
    uint16_t nic_index;
    enum xsw_nic_type type;
    uint8_t mac[6];
    const char *name, *friendly, *vm_name;
    uint32_t mtu;
    int vf_assigned;
};

/*
 * Each returns the NDIS status with which the OID completed at the protocol
 * edge (0 = success), or a negative XSW_E* code when the harness failed.
 */
int64_t xsw_port_create(struct xsw_switch *sw, uint32_t port_id, enum xsw_port_type type,
                        const char *name, int validation);
int64_t xsw_port_teardown(struct xsw_switch *sw, uint32_t port_id);
int64_t xsw_port_delete(struct xsw_switch *sw, uint32_t port_id);
int64_t xsw_nic_create(struct xsw_switch *sw, const struct xsw_nic_desc *d);
int64_t xsw_nic_connect(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index);
int64_t xsw_nic_disconnect(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index);
int64_t xsw_nic_delete(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index);
/* Access-mode VLAN port property (OID_SWITCH_PORT_PROPERTY_ADD, NdisSwitchPortPropertyTypeVlan). */
int64_t xsw_port_set_vlan(struct xsw_switch *sw, uint32_t port_id, uint16_t vlan);

/*
 * Run-time state of one NIC as the extensions saved it (OID_SWITCH_NIC_SAVE):
 * each blob is a whole NDIS_SWITCH_NIC_SAVE_STATE with its data, as the
 * saving extension completed it. Blobs travel between hosts in live migration.
 */
#define XSW_MAX_SAVE_BLOBS 16
struct xsw_saved_nic {
    unsigned n;
    struct {
        uint8_t *bytes;
        uint32_t len;
    } blob[XSW_MAX_SAVE_BLOBS];
};
void xsw_saved_nic_free(struct xsw_saved_nic *s);
/* Append a copy of a whole saved blob (an NDIS_SWITCH_NIC_SAVE_STATE with its data). */
int xsw_saved_nic_add_raw(struct xsw_saved_nic *s, const uint8_t *bytes, uint32_t len);
/* Append a blob "extension_id" (16 bytes) with "data" (a blob of an extension that is not on this host). */
int xsw_saved_nic_add(struct xsw_saved_nic *s, const uint8_t extension_id[16], const char *friendly,
                      const void *data, uint16_t len);
/* Append the blob of "xsw foreign extension", which is installed on no host under test: every
 * extension must pass it down untouched during restore (extensible-switch.md §4.7). */
int xsw_saved_nic_add_foreign(struct xsw_saved_nic *s);

/*
 * Save (extensible-switch.md §4.7): OID_SWITCH_NIC_SAVE repeated until it
 * reaches the miniport edge, re-issued with BytesNeeded after
 * NDIS_STATUS_BUFFER_TOO_SHORT, then OID_SWITCH_NIC_SAVE_COMPLETE. Returns
 * the status of the save (0 on success) with the blobs in *out.
 */
int64_t xsw_nic_save(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, struct xsw_saved_nic *out);
/*
 * Restore: one OID_SWITCH_NIC_RESTORE per blob (PortId rewritten to
 * "port_id"), then OID_SWITCH_NIC_RESTORE_COMPLETE. A failed NIC_RESTORE
 * fails the whole restore (its status is returned).
 */
int64_t xsw_nic_restore(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, const struct xsw_saved_nic *in);

/*
 * Issue an arbitrary OID from the protocol edge with "buf" as the
 * information buffer ("len" bytes, "cap" bytes of room for queries/methods).
 * *done and *needed receive BytesWritten/Read and BytesNeeded.
 */
int64_t xsw_issue_oid(struct xsw_switch *sw, uint32_t oid, int type, void *buf, uint32_t len,
                      uint32_t cap, uint32_t *done, uint32_t *needed);

/* ---- SR-IOV (extensible-switch.md §4.8) ------------------------------------ */

/*
 * Issue OID_SWITCH_NIC_REQUEST from the protocol edge, encapsulating
 * "inner_oid" (request type "inner_type") from source (port, NIC) to
 * destination (port, NIC). Returns the completion status.
 */
int64_t xsw_nic_request(struct xsw_switch *sw, uint32_t src_port, uint16_t src_nic, uint32_t dst_port, uint16_t dst_nic,
                        uint32_t inner_oid, int inner_type, uint32_t *inner_status);
/* OID_SWITCH_NIC_UPDATED with the NIC's current parameters (VFAssigned, MTU...). */
int64_t xsw_nic_updated(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index);
/* VF attach: 0 attached, 1 refused (vetoed: the VM stays synthetic), negative on harness errors. */
int xsw_vf_attach(struct xsw_switch *sw, uint32_t vm_port, uint16_t vm_nic);
/* VF detach (failover to the synthetic path): filters back, DELETE_VPORT, FREE_VF, NIC_UPDATED. */
int xsw_vf_detach(struct xsw_switch *sw, uint32_t vm_port, uint16_t vm_nic);
int xsw_vf_assigned(struct xsw_switch *sw, uint32_t port, uint16_t nic);
/* A forwarding extension asked for the VF to be removed (NDIS_STATUS_SWITCH_PORT_REMOVE_VF). */
int xsw_vf_remove_requested(struct xsw_switch *sw, uint32_t port, uint16_t nic);

/* ---- Data path ------------------------------------------------------------ */

struct xsw_frame {
    const uint8_t *data;
    uint32_t len;
};

/*
 * Send "n" frames from (port, nic) through the ingress path as one NBL chain
 * (SINGLE_SOURCE) and run the switch until the chain is completed.
 * Returns the number of frames accepted or a negative XSW_E* code.
 */
int xsw_switch_send(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index,
                    const struct xsw_frame *frames, unsigned n);

/*
 * Traffic of a VM: over its VMBus channel when the switch models the
 * synthetic data path (RNDIS packets decoded by the host, then one ingress
 * NBL chain per NVSP message), over the VF when the guest switched its data
 * path there (VF_FRAME records, bypassing the extensions), else straight
 * into the switch. Returns the frames sent or a negative XSW_E* code.
 */
int xsw_vm_send(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, const struct xsw_frame *frames,
                unsigned n);
/* A frame for the VM from the physical adapter's VF (only while its data path is the VF). */
int xsw_vf_receive(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, const uint8_t *frame, uint32_t len);
/* Host: NVSP SEND_VF_ASSOCIATION {allocated, serial = port id} to the VM. */
int xsw_vm_vf_association(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, int allocated);
/* Guest: NVSP SWITCH_DATA_PATH to the VF (1) or back to synthetic (0). */
int xsw_vm_switch_datapath(struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index, int to_vf);

/* Counters of what the protocol edge delivered. */
struct xsw_port_stats {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_completed, tx_failed;
    uint64_t guest_rx_frames, guest_rx_bytes; /* decoded by the guest from its VMBus channel */
    uint64_t vf_tx_frames, vf_rx_frames;      /* on the VF data path, bypassing the switch */
};
int xsw_port_stats(const struct xsw_switch *sw, uint32_t port_id, uint16_t nic_index,
                   struct xsw_port_stats *out);

/* Run deferred work (pended OID completions...) until nothing is left. */
void xsw_switch_pump(struct xsw_switch *sw);

/*
 * End-of-case checks: NBLs never completed, OIDs never completed, reference
 * counts still held. Each becomes a FINDING record. Returns how many.
 */
unsigned xsw_switch_final_checks(struct xsw_switch *sw);

/* Findings recorded so far, per code (findings.def) and in total. */
unsigned xsw_switch_findings(const struct xsw_switch *sw, unsigned code);

/* Number of extensions in the stack and their order (stack index -> config index). */
unsigned xsw_switch_depth(const struct xsw_switch *sw);
const char *xsw_switch_ext_name(const struct xsw_switch *sw, unsigned idx);
enum xsw_ext_class xsw_switch_ext_class(const struct xsw_switch *sw, unsigned idx);

/*
 * Non-zero when the scenario stopped because an extension hung: it
 * busy-waited with no progress, or never completed an OID the switch waits
 * for (Windows would wait forever; the harness gives up and says so).
 */
int xsw_switch_hung(const struct xsw_switch *sw);

/* Flush the trace to disk (a child about to die still leaves a readable trace). */
int xsw_switch_flush(struct xsw_switch *sw);

/*
 * Replay a recording (a scenario's trace made with no extension: the
 * switch's stimuli) against this switch's extensions, recording their
 * reactions in this switch's trace. The switch must be new (not loaded).
 * Returns 0, or a negative XSW_E* code with the recording's frame number
 * in xsw_switch_error().
 */
int xsw_replay(struct xsw_switch *sw, const char *recording);
/*
 * Live migration replays: the blobs the source host's extensions saved go
 * to the destination host's replay (take them before freeing the source).
 */
void xsw_replay_take_saved(struct xsw_switch *sw, struct xsw_saved_nic *out);
void xsw_replay_give_saved(struct xsw_switch *sw, struct xsw_saved_nic *in);

/* Records written to the trace so far. */
uint64_t xsw_switch_records(const struct xsw_switch *sw);

#endif
