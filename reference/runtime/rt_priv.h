/*
 * rt_priv.h - what the kernel-services files of the runtime (kernel.c,
 * rtlstring.c, nbl.c) share among themselves and nobody else uses: the
 * tracked pool allocator and the per-actor object registry.
 */
#ifndef XSW_RT_PRIV_H
#define XSW_RT_PRIV_H

#include "rt.h"

/*
 * Pool memory attributed to the current actor, as ExAllocatePool2 would give
 * it: "zero" chooses zeroed or pattern-filled memory. No IRQL check and no
 * NDIS_CALL record (the caller does those); fault injection applies.
 */
void *xsw_rt_pool_alloc(size_t size, uint32_t tag, int zero, const char *func);
/*
 * Free pool memory allocated above (or by any of the Ex/Ndis allocators).
 * "check_tag" compares "tag" with the allocation's. Misuse (unknown pointer,
 * double free, tag mismatch) is recorded against the current actor and the
 * memory is not freed. Returns 0 if freed.
 */
int xsw_rt_pool_free(void *p, uint32_t tag, int check_tag, const char *func);

/* A tracked NDIS object (embedded in the runtime's private block of each). */
struct xsw_rt_obj {
    struct xsw_rt_obj *prev, *next;
    uint64_t serial;
    const char *func;
    uint32_t kind;
    uint32_t actor;
    uint32_t tag;
    uint32_t tracked;
    const void *ptr;
};
/* Start tracking "o" for the current actor (fills serial and actor). */
void xsw_rt_obj_track(struct xsw_rt_obj *o, unsigned kind, const void *ptr, uint32_t tag, const char *func);
/* Stop tracking "o" (no-op if it is not tracked). */
void xsw_rt_obj_untrack(struct xsw_rt_obj *o);

/* "tag" as four printable characters in memory order, for messages. */
const char *xsw_rt_tag_str(uint32_t tag, char buf[8]);

/* Hand one formatted DbgPrint output to the switch's dbgprint hook, if any. */
void xsw_rt_dbgprint_hook(const char *text, size_t len);

/* The IRQL a call is made at, for messages. */
const char *xsw_rt_irql_name(unsigned irql);

#endif
