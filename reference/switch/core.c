/*
 * core.c - the switch object, extension loading and the filter life cycle
 * (DriverEntry, NdisFRegisterFilterDriver, attach, restart, pause, detach,
 * unload), actor/IRQL bracketing of every callback, and deferred work.
 *
 * References: learn.microsoft.com "Filter Module States and Operations",
 * "Writing a Hyper-V Extensible Switch Extension" and the NdisF* DDI pages;
 * extensible-switch.md §4.1. NDIS attaches and restarts filters from the
 * miniport upwards and pauses and detaches them from the top down.
 */
#include "sw.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xsw_switch *xsw_sw;

const char *xsw_class_name(enum xsw_ext_class c)
{
    switch (c) {
    case XSW_CLASS_CAPTURE:
        return "capture";
    case XSW_CLASS_FILTER:
        return "filter";
    case XSW_CLASS_FORWARD:
        return "forward";
    case XSW_CLASS_UNKNOWN:
        break;
    }
    return "unknown";
}

int xsw_class_parse(const char *s, enum xsw_ext_class *out)
{
    if (!strcmp(s, "capture") || !strcmp(s, "ms_switch_capture"))
        *out = XSW_CLASS_CAPTURE;
    else if (!strcmp(s, "filter") || !strcmp(s, "ms_switch_filter"))
        *out = XSW_CLASS_FILTER;
    else if (!strcmp(s, "forward") || !strcmp(s, "ms_switch_forward"))
        *out = XSW_CLASS_FORWARD;
    else
        return -1;
    return 0;
}

static void sw_err(struct xsw_switch *sw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sw_err(struct xsw_switch *sw, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sw->err, sizeof sw->err, fmt, ap);
    va_end(ap);
}

const char *xsw_switch_error(const struct xsw_switch *sw)
{
    return sw ? sw->err : "no switch";
}

/* ---- Runtime hooks: the kernel-services half reports through these. ------- */

void xsw_sw_count_finding(struct xsw_switch *sw, unsigned code)
{
    if (code < sizeof sw->findings / sizeof sw->findings[0])
        sw->findings[code]++;
    sw->findings_total++;
}

static void hook_finding(unsigned code, uint64_t value, const char *msg)
{
    struct xsw_switch *sw = xsw_sw;
    if (!sw)
        return;
    xsw_rec_finding(sw, xsw_rt_actor(), code, value, 0, 0, 0, msg);
}

static void hook_ndis_call(const char *func, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct xsw_switch *sw = xsw_sw;
    if (!sw || !sw->cfg.record_calls)
        return;
    xsw_rec_ndis_call(sw, xsw_rt_actor(), xsw_rt_irql(), func, a0, a1, a2);
}

static int hook_run_deferred(void)
{
    struct xsw_switch *sw = xsw_sw;
    if (!sw || sw->def_head == sw->def_tail)
        return 0;
    struct xsw_deferred d = sw->defq[sw->def_head];
    sw->def_head = (sw->def_head + 1) % sw->def_cap;
    switch (d.kind) {
    case XSW_DEF_OID_COMPLETE:
        xsw_oid_run_deferred(sw, &d);
        break;
    }
    return 1;
}

/*
 * The runtime saw the running code busy-wait with nothing else making
 * progress (it recorded a TIMEOUT finding already). On Windows that thread
 * would spin forever; here the scenario is abandoned, like a hung driver.
 */
static void hook_stuck(const char *func, uint64_t idle)
{
    struct xsw_switch *sw = xsw_sw;
    if (!sw || !sw->abort_armed)
        return;
    snprintf(sw->err, sizeof sw->err, "an extension made no progress: it busy-waits in %s (%llu idle calls)", func,
             (unsigned long long)idle);
    sw->abort_armed = 0;
    sw->hung = 1;
    longjmp(sw->abort_jmp, 1);
}

static const struct xsw_rt_hooks sw_hooks = {
    .finding = hook_finding,
    .ndis_call = hook_ndis_call,
    .run_deferred = hook_run_deferred,
    .stuck = hook_stuck,
};

int xsw_sw_defer(struct xsw_switch *sw, const struct xsw_deferred *d)
{
    uint32_t next = (sw->def_tail + 1) % sw->def_cap;
    if (next == sw->def_head) {
        uint32_t ncap = sw->def_cap * 2;
        struct xsw_deferred *nq = calloc(ncap, sizeof *nq);
        if (!nq)
            return XSW_ENOMEM;
        uint32_t n = 0;
        for (uint32_t i = sw->def_head; i != sw->def_tail; i = (i + 1) % sw->def_cap)
            nq[n++] = sw->defq[i];
        free(sw->defq);
        sw->defq = nq;
        sw->def_head = 0;
        sw->def_tail = n;
        sw->def_cap = ncap;
        next = n + 1;
    }
    sw->defq[sw->def_tail] = *d;
    sw->def_tail = next;
    return 0;
}

void xsw_switch_pump(struct xsw_switch *sw)
{
    (void)sw;
    while (hook_run_deferred())
        ;
}

/* ---- Actor bracketing ------------------------------------------------------ */

/*
 * The IRQL each open call was made at, innermost last: calls nest (a callback
 * calls NDIS, which calls the next extension's callback) and each leaves in
 * the reverse order. Deeper nesting than this is not checked.
 */
#define CALL_DEPTH_MAX 64
static _Thread_local unsigned call_irql[CALL_DEPTH_MAX];
static _Thread_local unsigned call_depth;

void xsw_sw_call_enter(unsigned actor, unsigned irql, unsigned *saved_actor, unsigned *saved_irql)
{
    *saved_actor = xsw_rt_set_actor(actor);
    *saved_irql = xsw_rt_irql();
    xsw_rt_set_irql(irql);
    if (call_depth < CALL_DEPTH_MAX)
        call_irql[call_depth] = irql;
    call_depth++;
}

void xsw_sw_call_leave(unsigned saved_actor, unsigned saved_irql)
{
    /*
     * A callback must return at the IRQL it was called at; a spin lock still
     * held shows up here as a raised IRQL. Record it, then restore so that
     * one mistake does not cascade into every later call.
     */
    if (call_depth > 0 && --call_depth < CALL_DEPTH_MAX && xsw_rt_irql() != call_irql[call_depth] && xsw_sw) {
        char text[160];
        snprintf(text, sizeof text, "a callback returned at IRQL %u but was called at IRQL %u (a spin lock still held?)",
                 xsw_rt_irql(), call_irql[call_depth]);
        xsw_rec_finding(xsw_sw, xsw_rt_actor(), XSW_F_IRQL_VIOLATION, xsw_rt_irql(), 0, 0, 0, text);
    }
    xsw_rt_set_actor(saved_actor);
    xsw_rt_set_irql(saved_irql);
}

struct xsw_module *xsw_sw_module_from_handle(NDIS_HANDLE h, const char *func)
{
    struct xsw_switch *sw = xsw_sw;
    if (!sw)
        return NULL;
    for (unsigned i = 0; i < sw->depth; i++)
        if ((void *)&sw->mods[i] == (void *)h)
            return &sw->mods[i];
    char msg[160];
    snprintf(msg, sizeof msg, "%s: NdisFilterHandle %p is not a filter module handle", func, (void *)h);
    xsw_rec_finding(sw, xsw_rt_actor(), XSW_F_INVALID_HANDLE, 0, 0, 0, 0, msg);
    return NULL;
}

/* ---- Creation -------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

struct xsw_switch *xsw_switch_new(const struct xsw_switch_config *cfg, char *err, size_t errlen)
{
    if (xsw_sw) {
        snprintf(err, errlen, "a switch already exists in this process");
        return NULL;
    }
    if (cfg->n_ext > XSW_MAX_EXT) {
        snprintf(err, errlen, "%u extensions: at most %d can be stacked", cfg->n_ext, XSW_MAX_EXT);
        return NULL;
    }
    struct xsw_switch *sw = calloc(1, sizeof *sw);
    if (!sw) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sw->cfg = *cfg;
    if (!sw->cfg.max_wait_steps)
        sw->cfg.max_wait_steps = 100000;
    sw->loading = -1;
    sw->next_oid_id = 1;
    sw->next_nbl_id = 1;
    sw->def_cap = 64;
    sw->defq = calloc(sw->def_cap, sizeof *sw->defq);

    /*
     * Stack the extensions in the documented class order: capturing at the
     * top of ingress, then filtering, then forwarding right above the
     * miniport edge (extensible-switch.md §1.5, INF requirements). Within a
     * class the command-line order is kept. Only one forwarding extension
     * may be enabled per switch.
     */
    unsigned n = 0, nfwd = 0;
    static const enum xsw_ext_class order[] = {XSW_CLASS_CAPTURE, XSW_CLASS_FILTER, XSW_CLASS_FORWARD};
    for (unsigned c = 0; c < 3; c++)
        for (unsigned i = 0; i < cfg->n_ext; i++) {
            if (cfg->ext[i].cls != order[c])
                continue;
            struct xsw_driver *d = &sw->drivers[n];
            d->cls = cfg->ext[i].cls;
            d->entry = cfg->ext[i].entry;
            snprintf(d->path, sizeof d->path, "%s", cfg->ext[i].path ? cfg->ext[i].path : "(in-process)");
            snprintf(d->name, sizeof d->name, "%s",
                     cfg->ext[i].name ? cfg->ext[i].name : cfg->ext[i].path ? base_name(cfg->ext[i].path) : "in-process");
            sw->mods[n].index = n;
            sw->mods[n].drv = d;
            nfwd += d->cls == XSW_CLASS_FORWARD;
            n++;
        }
    for (unsigned i = 0; i < cfg->n_ext; i++)
        if (cfg->ext[i].cls == XSW_CLASS_UNKNOWN) {
            snprintf(err, errlen, "extension %s: no class given (use --class or --inf)", cfg->ext[i].path);
            goto fail;
        }
    if (nfwd > 1) {
        snprintf(err, errlen, "%u forwarding extensions: a switch enables at most one (INF requirements for Hyper-V extensions)", nfwd);
        goto fail;
    }
    sw->ndrivers = sw->depth = n;
    if (!sw->defq || xsw_tables_init(sw) || xsw_dp_init(sw)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (cfg->trace_path) {
        sw->tw = xsw_trace_writer_open(cfg->trace_path, err, errlen);
        if (!sw->tw)
            goto fail;
        if (cfg->tap)
            xsw_trace_writer_set_tap(sw->tw, cfg->tap, cfg->tap_ctx);
    }
    xsw_sw = sw;
    xsw_rt_set_hooks(&sw_hooks);
    xsw_rt_set_actor(XSW_ACTOR_SWITCH);
    xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
    if (cfg->fail_alloc_after)
        xsw_rt_fail_alloc_after(cfg->fail_alloc_after);
    return sw;
fail:
    xsw_tables_free(sw);
    xsw_dp_free(sw);
    free(sw->defq);
    free(sw);
    return NULL;
}

void xsw_switch_free(struct xsw_switch *sw)
{
    if (!sw)
        return;
    for (unsigned i = 0; i < sw->ndrivers; i++) {
        /* Whatever is left was reported (or the case was cut short); the next switch starts clean. */
        xsw_rt_pool_forget(i);
        xsw_rt_obj_forget(i);
        if (sw->drivers[i].dl)
            dlclose(sw->drivers[i].dl);
    }
    xsw_trace_writer_close(sw->tw);
    xsw_saved_nic_free(&sw->replay_saved);
    xsw_oid_free_all(sw);
    xsw_tables_free(sw);
    xsw_dp_free(sw);
    free(sw->defq);
    xsw_rt_set_hooks(NULL);
    xsw_rt_fail_alloc_after(0);
    if (xsw_sw == sw)
        xsw_sw = NULL;
    free(sw);
}

int xsw_switch_hung(const struct xsw_switch *sw)
{
    return sw->hung;
}

int xsw_switch_flush(struct xsw_switch *sw)
{
    return sw ? xsw_trace_writer_flush(sw->tw) : 0;
}

unsigned xsw_switch_depth(const struct xsw_switch *sw)
{
    return sw->depth;
}

const char *xsw_switch_ext_name(const struct xsw_switch *sw, unsigned idx)
{
    return idx < sw->depth ? sw->drivers[idx].name : NULL;
}

enum xsw_ext_class xsw_switch_ext_class(const struct xsw_switch *sw, unsigned idx)
{
    return idx < sw->depth ? sw->drivers[idx].cls : XSW_CLASS_UNKNOWN;
}

unsigned xsw_switch_findings(const struct xsw_switch *sw, unsigned code)
{
    if (code == 0)
        return sw->findings_total;
    return code < sizeof sw->findings / sizeof sw->findings[0] ? sw->findings[code] : 0;
}

uint64_t xsw_switch_records(const struct xsw_switch *sw)
{
    return sw->tw ? xsw_trace_writer_count(sw->tw) : 0;
}

/* ---- Loading ----------------------------------------------------------------- */

typedef NTSTATUS (*driver_entry_t)(PDRIVER_OBJECT, PUNICODE_STRING);

static void set_wstr(WCHAR *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (unsigned char)src[i];
    dst[i] = 0;
}

static void report_failed_load(struct xsw_switch *sw, unsigned i);

int xsw_switch_load(struct xsw_switch *sw)
{
    /*
     * The META record opens the trace; written here, it also lists the
     * ports and NICs that exist before the extensions are loaded (a switch
     * that is already running), so a checker knows their state.
     */
    xsw_rec_meta(sw);
    for (unsigned i = 0; i < sw->ndrivers; i++) {
        struct xsw_driver *d = &sw->drivers[i];
        driver_entry_t entry = (driver_entry_t)(uintptr_t)d->entry;
        if (!entry) {
            d->dl = dlopen(d->path, RTLD_NOW | RTLD_LOCAL);
            if (!d->dl) {
                sw_err(sw, "%s: cannot load: %s", d->path, dlerror());
                return XSW_EIO;
            }
            entry = (driver_entry_t)(uintptr_t)dlsym(d->dl, "DriverEntry");
            if (!entry) {
                sw_err(sw, "%s: no DriverEntry symbol (is it exported? build with the flags in docs/building-extensions.md)",
                       d->path);
                return XSW_EINVAL;
            }
        }
        char reg[200];
        snprintf(reg, sizeof reg, "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s", d->name);
        set_wstr(d->regpath, sizeof d->regpath / sizeof d->regpath[0], reg);
        UNICODE_STRING rp;
        RtlInitUnicodeString(&rp, d->regpath);
        xsw_rec_filter_state(sw, i, XSW_FE_DRIVER_ENTRY, 0, d->name);
        sw->loading = (int)i;
        unsigned sa, si;
        xsw_sw_call_enter(i, XSW_PASSIVE_LEVEL, &sa, &si);
        NTSTATUS st = entry(&d->drvobj, &rp);
        xsw_sw_call_leave(sa, si);
        sw->loading = -1;
        if (!NT_SUCCESS(st)) {
            report_failed_load(sw, i);
            sw->refused = 1;
            sw_err(sw, "%s: DriverEntry failed with status 0x%08x", d->name, (unsigned)st);
            return XSW_EINVAL;
        }
        if (!d->registered) {
            sw_err(sw, "%s: DriverEntry returned success without calling NdisFRegisterFilterDriver", d->name);
            return XSW_EINVAL;
        }
    }
    return 0;
}

static struct xsw_driver *driver_from_object(struct xsw_switch *sw, PDRIVER_OBJECT o)
{
    for (unsigned i = 0; i < sw->ndrivers; i++)
        if (&sw->drivers[i].drvobj == o)
            return &sw->drivers[i];
    return NULL;
}

static struct xsw_driver *driver_from_handle(struct xsw_switch *sw, NDIS_HANDLE h)
{
    for (unsigned i = 0; i < sw->ndrivers; i++)
        if ((void *)&sw->drivers[i] == (void *)h)
            return &sw->drivers[i];
    return NULL;
}

NDIS_STATUS NdisFRegisterFilterDriver(PDRIVER_OBJECT DriverObject, NDIS_HANDLE FilterDriverContext,
                                      PNDIS_FILTER_DRIVER_CHARACTERISTICS chars,
                                      PNDIS_HANDLE NdisFilterDriverHandle)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFRegisterFilterDriver", (uintptr_t)DriverObject, (uintptr_t)FilterDriverContext, 0);
    xsw_rt_check_irql_max("NdisFRegisterFilterDriver", XSW_PASSIVE_LEVEL);
    struct xsw_driver *d = sw ? driver_from_object(sw, DriverObject) : NULL;
    if (!d || !chars || !NdisFilterDriverHandle) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFRegisterFilterDriver: %s",
                       !d ? "DriverObject is not the one passed to DriverEntry" : "NULL characteristics or handle pointer");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (chars->Header.Type != NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS ||
        chars->Header.Revision < NDIS_FILTER_CHARACTERISTICS_REVISION_1 ||
        chars->Header.Size < NDIS_SIZEOF_FILTER_DRIVER_CHARACTERISTICS_REVISION_1) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, chars->Header.Type,
                       "NdisFRegisterFilterDriver: characteristics header Type 0x%02x Revision %u Size %u is not a filter characteristics header",
                       chars->Header.Type, chars->Header.Revision, chars->Header.Size);
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    if (!chars->AttachHandler || !chars->DetachHandler || !chars->RestartHandler || !chars->PauseHandler) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0,
                       "NdisFRegisterFilterDriver: Attach, Detach, Restart and Pause handlers are mandatory");
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    if (d->registered) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFRegisterFilterDriver called twice for %s", d->name);
        return NDIS_STATUS_FAILURE;
    }
    d->chars = *chars;
    d->driver_context = FilterDriverContext;
    d->registered = 1;
    *NdisFilterDriverHandle = (NDIS_HANDLE)d;
    xsw_rec_filter_state(sw, xsw_rt_actor(), XSW_FE_REGISTERED, 0, d->name);
    if (d->chars.SetOptionsHandler) {
        NDIS_STATUS st = d->chars.SetOptionsHandler((NDIS_HANDLE)d, FilterDriverContext);
        if (st != NDIS_STATUS_SUCCESS)
            return st;
    }
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisSetOptionalHandlers(NDIS_HANDLE NdisHandle, PNDIS_DRIVER_OPTIONAL_HANDLERS OptionalHandlers)
{
    /* No optional handler type (for example WWAN or Wi-Fi) applies to a switch extension. */
    xsw_rt_ndis_call("NdisSetOptionalHandlers", (uintptr_t)NdisHandle, (uintptr_t)OptionalHandlers, 0);
    return NDIS_STATUS_NOT_SUPPORTED;
}

VOID NdisFDeregisterFilterDriver(NDIS_HANDLE NdisFilterDriverHandle)
{
    struct xsw_switch *sw = xsw_sw;
    xsw_rt_ndis_call("NdisFDeregisterFilterDriver", (uintptr_t)NdisFilterDriverHandle, 0, 0);
    xsw_rt_check_irql_max("NdisFDeregisterFilterDriver", XSW_PASSIVE_LEVEL);
    struct xsw_driver *d = sw ? driver_from_handle(sw, NdisFilterDriverHandle) : NULL;
    if (!d || !d->registered) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "NdisFDeregisterFilterDriver: handle %p is not a registered filter driver",
                       (void *)NdisFilterDriverHandle);
        return;
    }
    d->registered = 0;
    xsw_rec_filter_state(sw, xsw_rt_actor(), XSW_FE_DEREGISTERED, 0, d->name);
}

NDIS_STATUS NdisFSetAttributes(NDIS_HANDLE NdisFilterHandle, NDIS_HANDLE FilterModuleContext,
                               PNDIS_FILTER_ATTRIBUTES FilterAttributes)
{
    xsw_rt_ndis_call("NdisFSetAttributes", (uintptr_t)NdisFilterHandle, (uintptr_t)FilterModuleContext, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFSetAttributes");
    if (!m)
        return NDIS_STATUS_INVALID_PARAMETER;
    if (m->state != XSW_MOD_ATTACHING) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFSetAttributes called outside FilterAttach");
        return NDIS_STATUS_FAILURE;
    }
    if (!FilterAttributes || FilterAttributes->Header.Type != NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFSetAttributes: attributes header Type is not NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    m->ctx = FilterModuleContext;
    m->attributes_set = 1;
    xsw_rec_filter_state(xsw_sw, m->index, XSW_FE_SET_ATTRIBUTES, 0, m->drv->name);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisFGetOptionalSwitchHandlers(NDIS_HANDLE NdisFilterHandle, PNDIS_SWITCH_CONTEXT NdisSwitchContext,
                                           PNDIS_SWITCH_OPTIONAL_HANDLERS NdisSwitchHandlers)
{
    xsw_rt_ndis_call("NdisFGetOptionalSwitchHandlers", (uintptr_t)NdisFilterHandle, 0, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFGetOptionalSwitchHandlers");
    if (!m)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (!NdisSwitchContext || !NdisSwitchHandlers) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFGetOptionalSwitchHandlers: NULL output pointer");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    /* The caller initialises the header; REVISION_2 callers also get the reserved tail zeroed. */
    NDIS_OBJECT_HEADER h = NdisSwitchHandlers->Header;
    if (h.Type != NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS || h.Revision < NDIS_SWITCH_OPTIONAL_HANDLERS_REVISION_1 ||
        h.Size < NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, h.Type,
                       "NdisFGetOptionalSwitchHandlers: header Type 0x%02x Revision %u Size %u (expected Type 0x%02x, Revision >= 1, Size >= %u)",
                       h.Type, h.Revision, h.Size, NDIS_OBJECT_TYPE_SWITCH_OPTIONAL_HANDLERS,
                       (unsigned)NDIS_SIZEOF_SWITCH_OPTIONAL_HANDLERS_REVISION_1);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    xsw_dp_fill_handlers(NdisSwitchHandlers);
    NdisSwitchHandlers->Header = h;
    *NdisSwitchContext = (NDIS_SWITCH_CONTEXT)xsw_sw;
    return NDIS_STATUS_SUCCESS;
}

/* ---- Attach / restart / pause / detach / unload ------------------------------ */

static const char *mod_state_name(enum xsw_mod_state s)
{
    switch (s) {
    case XSW_MOD_DETACHED:
        return "Detached";
    case XSW_MOD_ATTACHING:
        return "Attaching";
    case XSW_MOD_PAUSED:
        return "Paused";
    case XSW_MOD_RESTARTING:
        return "Restarting";
    case XSW_MOD_RUNNING:
        return "Running";
    case XSW_MOD_PAUSING:
        return "Pausing";
    }
    return "?";
}

static uint64_t pool_mark(unsigned actor);
static uint64_t obj_mark(unsigned actor);
static void report_failed_attach(struct xsw_switch *sw, unsigned i);

static WCHAR attach_name[] = {'x', 's', 'w', '-', 'v', 'm', 's', 'w', 'i', 't', 'c', 'h', 0};

int xsw_switch_attach(struct xsw_switch *sw)
{
    for (int i = (int)sw->depth - 1; i >= 0; i--) {
        struct xsw_module *m = &sw->mods[i];
        struct xsw_driver *d = m->drv;
        if (!d->registered) {
            sw_err(sw, "%s: not registered", d->name);
            return XSW_EINVAL;
        }
        NDIS_FILTER_ATTACH_PARAMETERS ap;
        memset(&ap, 0, sizeof ap);
        ap.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS;
        ap.Header.Revision = NDIS_FILTER_ATTACH_PARAMETERS_REVISION_4;
        ap.Header.Size = NDIS_SIZEOF_FILTER_ATTACH_PARAMETERS_REVISION_4;
        ap.MiniportMediaType = NdisMedium802_3;
        ap.IfIndex = 100 + (unsigned)i;
        ap.BaseMiniportIfIndex = 100;
        UNICODE_STRING nm;
        RtlInitUnicodeString(&nm, attach_name);
        ap.BaseMiniportName = &nm;
        ap.BaseMiniportInstanceName = &nm;
        ap.FilterModuleGuidName = &nm;
        m->state = XSW_MOD_ATTACHING;
        m->attributes_set = 0;
        m->attach_serial = pool_mark((unsigned)i);
        m->attach_obj = obj_mark((unsigned)i);
        unsigned sa, si;
        xsw_sw_call_enter((unsigned)i, XSW_PASSIVE_LEVEL, &sa, &si);
        NDIS_STATUS st = d->chars.AttachHandler((NDIS_HANDLE)m, d->driver_context, &ap);
        xsw_sw_call_leave(sa, si);
        if (st != NDIS_STATUS_SUCCESS) {
            m->state = XSW_MOD_DETACHED;
            xsw_rec_filter_state(sw, (unsigned)i, XSW_FE_ATTACH_FAILED, st, d->name);
            report_failed_attach(sw, (unsigned)i);
            sw->refused = 1;
            sw_err(sw, "%s: FilterAttach failed with %s (0x%08x)", d->name,
                   xsw_status_name(st) ? xsw_status_name(st) : "status", (unsigned)st);
            return XSW_EINVAL;
        }
        if (!m->attributes_set)
            xsw_rec_finding(sw, (unsigned)i, XSW_F_BAD_PARAMETER, 0, 0, 0, 0,
                            "FilterAttach returned NDIS_STATUS_SUCCESS without calling NdisFSetAttributes");
        m->state = XSW_MOD_PAUSED;
        xsw_rec_filter_state(sw, (unsigned)i, XSW_FE_ATTACH, st, d->name);
    }
    return 0;
}

static int wait_for(struct xsw_switch *sw, const int *flag)
{
    for (unsigned steps = 0; *flag; steps++) {
        if (!hook_run_deferred() || steps > sw->cfg.max_wait_steps)
            return -1;
    }
    return 0;
}

int xsw_switch_restart(struct xsw_switch *sw)
{
    for (int i = (int)sw->depth - 1; i >= 0; i--) {
        struct xsw_module *m = &sw->mods[i];
        if (m->state != XSW_MOD_PAUSED)
            continue;
        NDIS_FILTER_RESTART_PARAMETERS rp;
        memset(&rp, 0, sizeof rp);
        rp.Header.Type = NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS;
        rp.Header.Revision = NDIS_FILTER_RESTART_PARAMETERS_REVISION_1;
        rp.Header.Size = NDIS_SIZEOF_FILTER_RESTART_PARAMETERS_REVISION_1;
        rp.MiniportMediaType = NdisMedium802_3;
        m->state = XSW_MOD_RESTARTING;
        m->restart_pending = 1;
        unsigned sa, si;
        xsw_sw_call_enter((unsigned)i, XSW_PASSIVE_LEVEL, &sa, &si);
        NDIS_STATUS st = m->drv->chars.RestartHandler(m->ctx, &rp);
        xsw_sw_call_leave(sa, si);
        if (st == NDIS_STATUS_PENDING) {
            if (wait_for(sw, &m->restart_pending)) {
                xsw_rec_finding(sw, (unsigned)i, XSW_F_TIMEOUT, 0, 0, 0, 0,
                                "FilterRestart returned NDIS_STATUS_PENDING and never called NdisFRestartComplete");
                sw_err(sw, "%s: restart never completed", m->drv->name);
                return XSW_EINVAL;
            }
            continue;
        }
        m->restart_pending = 0;
        if (st != NDIS_STATUS_SUCCESS) {
            m->state = XSW_MOD_PAUSED;
            xsw_rec_filter_state(sw, (unsigned)i, XSW_FE_RESTART_FAILED, st, m->drv->name);
            sw->refused = 1;
            sw_err(sw, "%s: FilterRestart failed with 0x%08x", m->drv->name, (unsigned)st);
            return XSW_EINVAL;
        }
        m->state = XSW_MOD_RUNNING;
        xsw_rec_filter_state(sw, (unsigned)i, XSW_FE_RESTART, st, m->drv->name);
    }
    return 0;
}

VOID NdisFRestartComplete(NDIS_HANDLE NdisFilterHandle, NDIS_STATUS Status)
{
    xsw_rt_ndis_call("NdisFRestartComplete", (uintptr_t)NdisFilterHandle, Status, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFRestartComplete");
    if (!m)
        return;
    if (m->state != XSW_MOD_RESTARTING || !m->restart_pending) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFRestartComplete called in state %s without a pending restart",
                       mod_state_name(m->state));
        return;
    }
    m->restart_pending = 0;
    m->state = Status == NDIS_STATUS_SUCCESS ? XSW_MOD_RUNNING : XSW_MOD_PAUSED;
    xsw_rec_filter_state(xsw_sw, m->index, Status == NDIS_STATUS_SUCCESS ? XSW_FE_RESTART : XSW_FE_RESTART_FAILED,
                         Status, m->drv->name);
}

int xsw_switch_pause(struct xsw_switch *sw)
{
    for (unsigned i = 0; i < sw->depth; i++) {
        struct xsw_module *m = &sw->mods[i];
        if (m->state != XSW_MOD_RUNNING)
            continue;
        NDIS_FILTER_PAUSE_PARAMETERS pp;
        memset(&pp, 0, sizeof pp);
        pp.Header.Type = NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS;
        pp.Header.Revision = NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1;
        pp.Header.Size = NDIS_SIZEOF_FILTER_PAUSE_PARAMETERS_REVISION_1;
        m->state = XSW_MOD_PAUSING;
        m->pause_pending = 1;
        unsigned sa, si;
        xsw_sw_call_enter(i, XSW_PASSIVE_LEVEL, &sa, &si);
        NDIS_STATUS st = m->drv->chars.PauseHandler(m->ctx, &pp);
        xsw_sw_call_leave(sa, si);
        if (st == NDIS_STATUS_PENDING) {
            if (wait_for(sw, &m->pause_pending)) {
                xsw_rec_finding(sw, i, XSW_F_TIMEOUT, 0, 0, 0, 0,
                                "FilterPause returned NDIS_STATUS_PENDING and never called NdisFPauseComplete");
                sw_err(sw, "%s: pause never completed", m->drv->name);
                return XSW_EINVAL;
            }
            continue;
        }
        if (st != NDIS_STATUS_SUCCESS)
            xsw_rec_finding(sw, i, XSW_F_BAD_PARAMETER, st, 0, 0, 0,
                            "FilterPause must return NDIS_STATUS_SUCCESS or NDIS_STATUS_PENDING");
        m->pause_pending = 0;
        m->state = XSW_MOD_PAUSED;
        xsw_rec_filter_state(sw, i, XSW_FE_PAUSE, st, m->drv->name);
    }
    return 0;
}

VOID NdisFPauseComplete(NDIS_HANDLE NdisFilterHandle)
{
    xsw_rt_ndis_call("NdisFPauseComplete", (uintptr_t)NdisFilterHandle, 0, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFPauseComplete");
    if (!m)
        return;
    if (m->state != XSW_MOD_PAUSING || !m->pause_pending) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFPauseComplete called in state %s without a pending pause",
                       mod_state_name(m->state));
        return;
    }
    m->pause_pending = 0;
    m->state = XSW_MOD_PAUSED;
    xsw_rec_filter_state(xsw_sw, m->index, XSW_FE_PAUSE, 0, m->drv->name);
}

NDIS_STATUS NdisFRestartFilter(NDIS_HANDLE NdisFilterHandle)
{
    /* Restart requests are honoured by pausing and restarting the whole stack later. */
    xsw_rt_ndis_call("NdisFRestartFilter", (uintptr_t)NdisFilterHandle, 0, 0);
    struct xsw_module *m = xsw_sw_module_from_handle(NdisFilterHandle, "NdisFRestartFilter");
    return m ? NDIS_STATUS_SUCCESS : NDIS_STATUS_INVALID_PARAMETER;
}

static void max_serial_cb(const struct xsw_pool_leak *l, void *arg)
{
    uint64_t *m = arg;
    if (l->serial > *m)
        *m = l->serial;
}

/*
 * A serial number that every later allocation of "actor" exceeds: one more
 * than the newest allocation it still holds (serials only grow).
 */
static uint64_t pool_mark(unsigned actor)
{
    uint64_t m = 0;
    xsw_rt_pool_leaks(actor, max_serial_cb, &m);
    return m + 1;
}

struct obj_leak_ctx {
    struct xsw_switch *sw;
    unsigned actor;
    uint64_t lo, hi;
    const char *when;
};

static void obj_max_cb(const struct xsw_rt_obj_leak *l, void *arg)
{
    uint64_t *m = arg;
    if (l->serial > *m)
        *m = l->serial;
}

static uint64_t obj_mark(unsigned actor)
{
    uint64_t m = 0;
    xsw_rt_obj_leaks(actor, obj_max_cb, &m);
    return m + 1;
}

/* NBLs, MDLs, pools and locks the extension allocated from NDIS and never freed. */
static void report_obj_leak(const struct xsw_rt_obj_leak *l, void *arg)
{
    struct obj_leak_ctx *c = arg;
    if (l->serial < c->lo || l->serial >= c->hi)
        return;
    char msg[240];
    snprintf(msg, sizeof msg, "%s #%llu allocated with %s not freed at %s", l->what, (unsigned long long)l->serial,
             l->func ? l->func : "NDIS", c->when);
    xsw_rec_finding(c->sw, c->actor, l->kind == XSW_RT_OBJ_NBL ? XSW_F_NBL_LEAK : XSW_F_POOL_LEAK, 1, 0, 0,
                    l->id ? l->id : l->serial, msg);
}

struct leak_ctx {
    struct xsw_switch *sw;
    unsigned actor;
    uint64_t lo, hi; /* report allocations with lo <= serial < hi */
    const char *when;
    uint64_t bytes;
};

static void report_leak(const struct xsw_pool_leak *l, void *arg)
{
    struct leak_ctx *c = arg;
    if (l->serial < c->lo || l->serial >= c->hi)
        return;
    char tag[5];
    for (int k = 0; k < 4; k++) {
        unsigned char ch = (unsigned char)(l->tag >> (8 * k));
        tag[k] = ch >= 32 && ch < 127 ? (char)ch : '.';
    }
    tag[4] = 0;
    char msg[200];
    snprintf(msg, sizeof msg, "pool allocation #%llu of %zu bytes with tag '%s' (0x%08x) not freed at %s",
             (unsigned long long)l->serial, l->size, tag, (unsigned)l->tag, c->when);
    xsw_rec_finding(c->sw, c->actor, XSW_F_POOL_LEAK, l->size, 0, 0, l->serial, msg);
    c->bytes += l->size;
}

/*
 * A driver whose DriverEntry fails is unloaded without a call to its
 * DriverUnload, so it must have deregistered and freed everything itself:
 * report what it left, and treat it as unloaded.
 */
static void report_failed_load(struct xsw_switch *sw, unsigned i)
{
    struct xsw_driver *d = &sw->drivers[i];
    if (d->registered)
        xsw_rec_finding(sw, i, XSW_F_BAD_PARAMETER, 0, 0, 0, 0,
                        "DriverEntry failed without NdisFDeregisterFilterDriver");
    struct leak_ctx lc = {sw, i, 0, UINT64_MAX, "failed DriverEntry", 0};
    xsw_rt_pool_leaks(i, report_leak, &lc);
    struct obj_leak_ctx oc = {sw, i, 0, UINT64_MAX, "failed DriverEntry"};
    xsw_rt_obj_leaks(i, report_obj_leak, &oc);
    xsw_rt_pool_forget(i);
    xsw_rt_obj_forget(i);
    d->unloaded = 1;
}

/*
 * NDIS never calls FilterDetach after a failed FilterAttach, so the attach
 * must have freed whatever it allocated: report what it left, as detach
 * would. Allocations after this point are the driver's, judged at unload.
 */
static void report_failed_attach(struct xsw_switch *sw, unsigned i)
{
    struct xsw_module *m = &sw->mods[i];
    m->detach_serial = pool_mark(i);
    struct leak_ctx lc = {sw, i, m->attach_serial, m->detach_serial, "failed FilterAttach", 0};
    xsw_rt_pool_leaks(i, report_leak, &lc);
    m->detach_obj = obj_mark(i);
    struct obj_leak_ctx oc = {sw, i, m->attach_obj, m->detach_obj, "failed FilterAttach"};
    xsw_rt_obj_leaks(i, report_obj_leak, &oc);
}

int xsw_switch_detach(struct xsw_switch *sw)
{
    for (unsigned i = 0; i < sw->depth; i++) {
        struct xsw_module *m = &sw->mods[i];
        if (m->state == XSW_MOD_DETACHED)
            continue;
        if (m->state != XSW_MOD_PAUSED)
            xsw_rec_finding(sw, i, XSW_F_BAD_PARAMETER, 0, 0, 0, 0, "detach of a module that is not paused");
        unsigned sa, si;
        xsw_sw_call_enter(i, XSW_PASSIVE_LEVEL, &sa, &si);
        m->drv->chars.DetachHandler(m->ctx);
        xsw_sw_call_leave(sa, si);
        m->state = XSW_MOD_DETACHED;
        xsw_rec_filter_state(sw, i, XSW_FE_DETACH, 0, m->drv->name);
        /* What the module allocated since FilterAttach must be freed by FilterDetach. */
        m->detach_serial = pool_mark(i);
        struct leak_ctx lc = {sw, i, m->attach_serial, m->detach_serial, "detach", 0};
        xsw_rt_pool_leaks(i, report_leak, &lc);
        m->detach_obj = obj_mark(i);
        struct obj_leak_ctx oc = {sw, i, m->attach_obj, m->detach_obj, "detach"};
        xsw_rt_obj_leaks(i, report_obj_leak, &oc);
    }
    return 0;
}

int xsw_switch_unload(struct xsw_switch *sw)
{
    for (unsigned i = 0; i < sw->ndrivers; i++) {
        struct xsw_driver *d = &sw->drivers[i];
        if ((!d->dl && !d->entry) || d->unloaded)
            continue;
        if (d->drvobj.DriverUnload) {
            unsigned sa, si;
            xsw_sw_call_enter(i, XSW_PASSIVE_LEVEL, &sa, &si);
            d->drvobj.DriverUnload(&d->drvobj);
            xsw_sw_call_leave(sa, si);
        }
        xsw_rec_filter_state(sw, i, XSW_FE_UNLOAD, 0, d->name);
        if (d->registered)
            xsw_rec_finding(sw, i, XSW_F_BAD_PARAMETER, 0, 0, 0, 0,
                            "driver unloaded without NdisFDeregisterFilterDriver");
        /*
         * Driver-global allocations (before the first attach, or after the
         * last detach) must be freed by DriverUnload; module allocations
         * were reported at detach already.
         */
        struct xsw_module *m = &sw->mods[i];
        struct leak_ctx lc = {sw, i, 0, m->attach_serial ? m->attach_serial : UINT64_MAX, "unload", 0};
        xsw_rt_pool_leaks(i, report_leak, &lc);
        if (m->detach_serial) {
            struct leak_ctx lc2 = {sw, i, m->detach_serial, UINT64_MAX, "unload", 0};
            xsw_rt_pool_leaks(i, report_leak, &lc2);
        }
        struct obj_leak_ctx oc = {sw, i, 0, m->attach_obj ? m->attach_obj : UINT64_MAX, "unload"};
        xsw_rt_obj_leaks(i, report_obj_leak, &oc);
        if (m->detach_obj) {
            struct obj_leak_ctx oc2 = {sw, i, m->detach_obj, UINT64_MAX, "unload"};
            xsw_rt_obj_leaks(i, report_obj_leak, &oc2);
        }
        xsw_rt_pool_forget(i);
        xsw_rt_obj_forget(i);
        d->unloaded = 1;
    }
    return 0;
}

/* The module's data flow state, for the data path. */
int xsw_sw_module_running(const struct xsw_module *m)
{
    return m->state == XSW_MOD_RUNNING || m->state == XSW_MOD_PAUSING;
}
