/*
 * rt.h - internal interface of the user-mode NDIS runtime.
 *
 * The runtime is split in two halves that meet here:
 *  - kernel services (kernel.c, nbl.c): memory with pool tags, locks, events,
 *    interlocked operations, the emulated IRQL, strings, NBL/NB/MDL pools;
 *  - the filter framework and the switch (filter.c, reference/switch/): the
 *    NdisF* calls, OID plumbing, the 15 switch handlers, the edges.
 * Every NDIS entry point attributes what it does to the current *actor*: the
 * extension whose code is running (set by the harness around each callback)
 * or the switch itself. Nothing here silently fixes a wrong call: misuse is
 * recorded as a FINDING and the call fails the way Windows documents, or,
 * where Windows would bug-check, returns without acting.
 */
#ifndef XSW_RT_H
#define XSW_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "xsw/trace.h"

#define XSW_RT_MAX_EXTENSIONS 16
#define XSW_RT_ACTOR_SWITCH XSW_ACTOR_SWITCH

/* Emulated IRQL levels (WDK values). */
#define XSW_PASSIVE_LEVEL 0
#define XSW_APC_LEVEL 1
#define XSW_DISPATCH_LEVEL 2

/* The actor whose code runs now: 0..XSW_RT_MAX_EXTENSIONS-1 or XSW_RT_ACTOR_SWITCH. */
unsigned xsw_rt_actor(void);
/* Set the actor and return the previous one (the harness brackets every callback). */
unsigned xsw_rt_set_actor(unsigned actor);

/* The emulated IRQL of the running code. */
unsigned xsw_rt_irql(void);
void xsw_rt_set_irql(unsigned irql);

/*
 * Record a finding of the harness against the current actor: "code" from
 * findings.def, "value" a detail (bytes, count), then a printf-style message.
 * kernel.c formats it and hands it to the switch's finding hook (the switch
 * owns the trace, see xsw_rt_set_hooks); safe to call with no hooks.
 */
void xsw_rt_finding(unsigned code, uint64_t value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Record that the current actor called the NDIS function "func" (NDIS_CALL
 * record) when call recording is on. Cheap when it is off.
 */
void xsw_rt_ndis_call(const char *func, uint64_t a0, uint64_t a1, uint64_t a2);

/*
 * Let the rest of the emulated system run: deferred OID completions, queued
 * sends. NdisWaitEvent and NdisMSleep call it so that a single-threaded
 * harness behaves like a kernel where other threads progress meanwhile.
 * Returns non-zero if it did any work. Dispatched by kernel.c to the
 * switch's run_deferred hook.
 */
int xsw_rt_run_deferred(void);

/* Require the IRQL to be at most "max"; record IRQL_VIOLATION naming "func" if not. */
int xsw_rt_check_irql_max(const char *func, unsigned max);

/* ---- Pool accounting (kernel.c) ------------------------------------------ */

struct xsw_pool_leak {
    const void *ptr;
    uint32_t tag;
    size_t size;
    uint64_t serial; /* allocation number, to name it in reports */
};

/*
 * Call "cb" for every pool allocation owned by "actor" that is still live;
 * returns how many there were. Used at detach/unload to report leaks.
 */
size_t xsw_rt_pool_leaks(unsigned actor, void (*cb)(const struct xsw_pool_leak *, void *), void *ctx);
/* Live bytes and allocations currently owned by "actor". */
void xsw_rt_pool_usage(unsigned actor, size_t *bytes, size_t *count);
/* Forget every allocation of "actor" (after the report, when the extension is unloaded). */
void xsw_rt_pool_forget(unsigned actor);
/* Make the n-th next pool/NBL allocation fail (fault injection); 0 disables. */
void xsw_rt_fail_alloc_after(uint64_t n);
/* Returns non-zero if this allocation must fail (consumes one count). */
int xsw_rt_alloc_should_fail(void);

/* ==== Kernel-services half: hooks, state, strings, NBLs ====================
 * Implemented by kernel.c, rtlstring.c and nbl.c. This section uses the
 * WDK types, so rt.h includes <ndis.h>: compile with -Iinclude/xsw/ndis.
 */
#include <ndis.h>

/*
 * What the runtime reports to, and asks of, the rest of the harness. kernel.c
 * implements xsw_rt_finding, xsw_rt_ndis_call and xsw_rt_run_deferred by
 * calling these; a NULL member (or no hooks) does nothing and run_deferred
 * then reports no work. The switch installs its table once per run.
 *  - finding: a formatted FINDING against xsw_rt_actor() (msg is UTF-8);
 *  - ndis_call: an NDIS entry point was called (NDIS_CALL record);
 *  - run_deferred: run one piece of pending work, return non-zero if it did;
 *  - stuck: the running code busy-waits (NdisMSleep, KeStallExecution...)
 *    and nothing else made progress for "idle" consecutive calls (see
 *    xsw_rt_set_idle_limit). Called every limit-many idle calls after a
 *    TIMEOUT finding; the harness may longjmp out of the extension here;
 *  - dbgprint: one DbgPrint/DbgPrintEx output, formatted, UTF-8.
 */
struct xsw_rt_hooks {
    void (*finding)(unsigned code, uint64_t value, const char *msg);
    void (*ndis_call)(const char *func, uint64_t a0, uint64_t a1, uint64_t a2);
    int (*run_deferred)(void);
    void (*stuck)(const char *func, uint64_t idle);
    void (*dbgprint)(const char *text, size_t len);
};
/* Install "hooks" (copied); NULL restores the do-nothing defaults. */
void xsw_rt_set_hooks(const struct xsw_rt_hooks *hooks);

/* Spin and RW locks the calling thread holds now (callbacks should return with 0). */
unsigned xsw_rt_locks_held(void);

/*
 * Busy-wait guard: after "calls" consecutive NdisMSleep/KeDelayExecutionThread/
 * KeStallExecutionProcessor calls of one thread during which run_deferred did
 * no work, the runtime records a TIMEOUT finding and calls the stuck hook.
 * Default 10000 (10 s of virtual time in 1 ms sleeps); 0 disables. Setting
 * it also restarts the calling thread's count.
 */
void xsw_rt_set_idle_limit(uint64_t calls);

/*
 * Virtual time, in 100 ns units since 1601-01-01 (Windows FILETIME). It starts
 * at 2024-01-01T00:00:00Z and only advances when emulated code sleeps, stalls
 * or waits with a timeout, or when the harness advances it, so runs are
 * reproducible. KeQuerySystemTime and friends read it.
 */
uint64_t xsw_rt_time(void);
void xsw_rt_advance_time(uint64_t units_100ns);
void xsw_rt_reset_time(void);

/* ---- Strings (rtlstring.c): never glibc wcs* (wchar_t is 16-bit for extensions). */

/* UTF-16 code units before the first 0. */
size_t xsw_rt_utf16_len(const uint16_t *s);
/*
 * Convert "n" UTF-16 code units to UTF-8 into dst[size] (always terminated if
 * size > 0; unpaired surrogates become U+FFFD). Returns the bytes the full
 * conversion needs, without the terminator (like snprintf).
 */
size_t xsw_rt_utf16_to_utf8(char *dst, size_t size, const uint16_t *src, size_t n);
/*
 * Convert NUL-terminated UTF-8 to UTF-16 into dst[n] (terminated if n > 0;
 * invalid bytes become U+FFFD). Returns the code units the full conversion
 * needs, without the terminator.
 */
size_t xsw_rt_utf8_to_utf16(uint16_t *dst, size_t n, const char *src);
/*
 * The DbgPrint formatter: printf conversions with Windows semantics (%l is
 * 32-bit, %I64/%ll/%I/%z 64-bit, %p 16 hex digits) plus %S/%ws/%ls (UTF-16
 * string), %wZ (PUNICODE_STRING), %Z (PANSI_STRING), %C/%wc/%lc (UTF-16 char),
 * %hs/%hc (narrow). Returns the length the full output needs, like vsnprintf.
 */
int xsw_rt_vformat(char *buf, size_t size, const char *fmt, va_list ap);
int xsw_rt_format(char *buf, size_t size, const char *fmt, ...);

/* ---- Runtime objects owned by actors (registry in kernel.c, NBLs in nbl.c) -- */

enum xsw_rt_obj_kind {
    XSW_RT_OBJ_NBL_POOL = 1,
    XSW_RT_OBJ_NB_POOL = 2,
    XSW_RT_OBJ_NBL = 3,
    XSW_RT_OBJ_NB = 4,
    XSW_RT_OBJ_MDL = 5,
    XSW_RT_OBJ_NBL_CONTEXT = 6,
    XSW_RT_OBJ_RW_LOCK = 7,
};

struct xsw_rt_obj_leak {
    const void *ptr;
    unsigned kind;     /* enum xsw_rt_obj_kind */
    const char *what;  /* "NET_BUFFER_LIST", "MDL"... */
    const char *func;  /* the NDIS function that allocated it */
    uint32_t tag;      /* pool tag when there is one, else 0 */
    uint64_t id;       /* NBL id, else 0 */
    uint64_t serial;   /* allocation number, to name it in reports */
};

/*
 * Call "cb" for every NDIS object (NBL, NB, MDL, pools, RW locks, NBL
 * contexts) that "actor" allocated and has not freed, in allocation order;
 * returns how many there were. xsw_rt_obj_forget stops tracking them (the
 * memory stays valid: the switch may still hold such an NBL).
 */
size_t xsw_rt_obj_leaks(unsigned actor, void (*cb)(const struct xsw_rt_obj_leak *, void *), void *ctx);
void xsw_rt_obj_forget(unsigned actor);

/*
 * NBL identity. Every NET_BUFFER_LIST the runtime allocates, and every one
 * the switch builds with xsw_rt_frame_init, is immediately preceded in memory
 * by this header; "id" is unique in the process (xsw_rt_next_id), assigned
 * when the NBL is allocated or (re)initialised, so a recycled switch NBL gets
 * a new id per packet.
 */
struct xsw_rt_nbl_hdr {
    uint64_t magic;
    uint64_t id;
    uint32_t kind;  /* XSW_RT_NBL_* */
    uint32_t actor; /* who allocated it */
    void *owner;    /* the switch's own pointer for XSW_RT_NBL_SWITCH; runtime-private otherwise */
} __attribute__((aligned(16)));
_Static_assert(sizeof(struct xsw_rt_nbl_hdr) % 16 == 0, "the NBL must follow the header directly");

#define XSW_RT_NBL_POOL 1     /* NdisAllocateNetBufferList / ...AndNetBufferList */
#define XSW_RT_NBL_CLONE 2    /* NdisAllocateCloneNetBufferList */
#define XSW_RT_NBL_FRAGMENT 3 /* NdisAllocateFragmentNetBufferList */
#define XSW_RT_NBL_SWITCH 4   /* xsw_rt_frame_init */

/* A fresh id from the process-wide NBL/object id counter (starts at 1). */
uint64_t xsw_rt_next_id(void);
/* The header of an NBL built by the runtime or xsw_rt_frame_init, else NULL. */
struct xsw_rt_nbl_hdr *xsw_rt_nbl_hdr(const NET_BUFFER_LIST *nbl);
/* Its id, or 0 for an NBL the runtime does not know. */
uint64_t xsw_rt_nbl_id(const NET_BUFFER_LIST *nbl);

/*
 * A switch-owned packet: NBL + one NET_BUFFER + one MDL, in memory the switch
 * preallocates and reuses (no allocation here). Keep "hdr" directly before
 * "nbl" by embedding the whole structure.
 */
struct xsw_rt_frame {
    struct xsw_rt_nbl_hdr hdr;
    NET_BUFFER_LIST nbl;
    NET_BUFFER nb;
    MDL mdl;
};
/*
 * (Re)initialise "f" to describe frame[0 .. len): one MDL over the whole
 * buffer (so the Ethernet header is in the first MDL), DataOffset 0,
 * DataLength len, every NBL/NB field zero, a new id (returned), kind
 * XSW_RT_NBL_SWITCH, actor XSW_RT_ACTOR_SWITCH, hdr.owner = owner. "f" must
 * be zeroed before its first initialisation (calloc); later calls release
 * what an extension left in its NET_BUFFER (see xsw_rt_nb_release).
 */
uint64_t xsw_rt_frame_init(struct xsw_rt_frame *f, void *frame, uint32_t len, void *owner);
/*
 * Before the switch frees the memory of a frame: forget it (the runtime keeps
 * the addresses of the NBLs it knows so that it never reads memory in front
 * of a pointer it did not create).
 */
void xsw_rt_frame_release(struct xsw_rt_frame *f);
/* Build an MDL over buf[0 .. len) in caller memory (mapped, non-paged). */
void xsw_rt_mdl_init(PMDL mdl, void *buf, uint32_t len);
/*
 * Drop the runtime's private state of a NET_BUFFER the switch owns before it
 * is reused: MDLs the runtime allocated in NdisRetreatNetBufferDataStart that
 * the extension never advanced past again. Returns how many there were (an
 * extension must undo its retreats before it completes or returns an NBL).
 */
unsigned xsw_rt_nb_release(PNET_BUFFER nb);

#endif
