/*
 * test_ndis_runtime.c - the kernel-services half of the user-mode NDIS
 * runtime (reference/runtime/kernel.c, rtlstring.c, nbl.c): pool accounting,
 * misuse findings, fault injection, IRQL emulation, locks, events, virtual
 * time, NBL/NB/MDL operations, strings and the DbgPrint formatter.
 * Findings are captured through the runtime's hooks (rt.h), as the switch
 * receives them.
 */
#include <ndis.h>
#include <ntstrsafe.h>

#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "unit.h"

/* ---- Hooks that capture what the runtime reports -------------------------- */

#define MAX_FINDINGS 64

static struct {
    unsigned code;
    uint64_t value;
    char msg[512];
} findings[MAX_FINDINGS];
static unsigned nfindings;
static unsigned deferred_calls, stuck_calls;
static int (*deferred_work)(void);
static char dbg_text[1024];
static size_t dbg_len;

static void cap_finding(unsigned code, uint64_t value, const char *msg)
{
    if (nfindings < MAX_FINDINGS) {
        findings[nfindings].code = code;
        findings[nfindings].value = value;
        snprintf(findings[nfindings].msg, sizeof findings[nfindings].msg, "%s", msg);
    }
    nfindings++;
}

static int cap_run_deferred(void)
{
    deferred_calls++;
    return deferred_work ? deferred_work() : 0;
}

static void cap_stuck(const char *func, uint64_t idle)
{
    (void)func;
    (void)idle;
    stuck_calls++;
}

static void cap_dbgprint(const char *text, size_t len)
{
    if (len >= sizeof dbg_text)
        len = sizeof dbg_text - 1;
    memcpy(dbg_text, text, len);
    dbg_text[len] = 0;
    dbg_len = len;
}

static const struct xsw_rt_hooks test_hooks = {
    .finding = cap_finding,
    .run_deferred = cap_run_deferred,
    .stuck = cap_stuck,
    .dbgprint = cap_dbgprint,
};

/* Actors the tests allocate as; forgotten after each test. */
#define A1 7u
#define A2 8u

static void reset(void)
{
    xsw_rt_set_hooks(&test_hooks);
    xsw_rt_set_actor(A1);
    xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
    xsw_rt_set_idle_limit(10000);
    xsw_rt_fail_alloc_after(0);
    xsw_rt_reset_time();
    nfindings = 0;
    deferred_calls = stuck_calls = 0;
    deferred_work = NULL;
    dbg_text[0] = 0;
    dbg_len = 0;
}

static unsigned count(unsigned code)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nfindings && i < MAX_FINDINGS; i++)
        n += findings[i].code == code;
    return n;
}

static int finding_says(unsigned code, const char *text)
{
    for (unsigned i = 0; i < nfindings && i < MAX_FINDINGS; i++)
        if (findings[i].code == code && strstr(findings[i].msg, text))
            return 1;
    return 0;
}

static int suite_init(void)
{
    reset();
    return 0;
}

static int suite_clean(void)
{
    xsw_rt_pool_forget(A1);
    xsw_rt_pool_forget(A2);
    xsw_rt_obj_forget(A1);
    xsw_rt_obj_forget(A2);
    xsw_rt_set_hooks(NULL);
    xsw_rt_set_actor(XSW_RT_ACTOR_SWITCH);
    xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
    xsw_rt_fail_alloc_after(0);
    return 0;
}

XSW_SUITE(ndis_runtime, suite_init, suite_clean)

#define TAG(a, b, c, d) ((ULONG)(a) | ((ULONG)(b) << 8) | ((ULONG)(c) << 16) | ((ULONG)(d) << 24))

/* ---- Pool memory ---------------------------------------------------------- */

struct leak_list {
    unsigned n;
    uint32_t tags[8];
    size_t sizes[8];
};

static void collect_leak(const struct xsw_pool_leak *l, void *ctx)
{
    struct leak_list *v = ctx;
    if (v->n < 8) {
        v->tags[v->n] = l->tag;
        v->sizes[v->n] = l->size;
    }
    v->n++;
}

XSW_TEST(ndis_runtime, pool_leaks_by_actor_and_tag)
{
    reset();
    PUCHAR a = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, TAG('t', 'a', 'g', '1'));
    PUCHAR b = NdisAllocateMemoryWithTagPriority(NULL, 50, TAG('t', 'a', 'g', '2'), NormalPoolPriority);
    xsw_rt_set_actor(A2);
    PVOID c = ExAllocatePoolWithTag(NonPagedPoolNx, 10, TAG('o', 't', 'h', 'r'));
    xsw_rt_set_actor(A1);
    CU_ASSERT_FATAL(a && b && c);
    CU_ASSERT_EQUAL(a[0], 0);    /* ExAllocatePool2 zeroes */
    CU_ASSERT_EQUAL(a[99], 0);
    CU_ASSERT_EQUAL(b[0], 0xCD); /* the others do not: a pattern shows reliance on zeroing */

    size_t bytes = 0, n = 0;
    xsw_rt_pool_usage(A1, &bytes, &n);
    CU_ASSERT_EQUAL(bytes, 150);
    CU_ASSERT_EQUAL(n, 2);
    struct leak_list leaks = { 0 };
    CU_ASSERT_EQUAL(xsw_rt_pool_leaks(A1, collect_leak, &leaks), 2);
    CU_ASSERT_EQUAL(leaks.tags[0], TAG('t', 'a', 'g', '1')); /* allocation order */
    CU_ASSERT_EQUAL(leaks.sizes[0], 100);
    CU_ASSERT_EQUAL(leaks.tags[1], TAG('t', 'a', 'g', '2'));

    ExFreePoolWithTag(a, TAG('t', 'a', 'g', '1'));
    NdisFreeMemoryWithTagPriority(NULL, b, TAG('t', 'a', 'g', '2'));
    CU_ASSERT_EQUAL(xsw_rt_pool_leaks(A1, NULL, NULL), 0);
    CU_ASSERT_EQUAL(xsw_rt_pool_leaks(A2, NULL, NULL), 1);
    xsw_rt_pool_forget(A2);
    xsw_rt_pool_usage(A2, &bytes, &n);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(bytes, 0);
    CU_ASSERT_EQUAL(nfindings, 0);
}

XSW_TEST(ndis_runtime, pool_misuse_is_recorded_not_freed)
{
    reset();
    ULONG tag = TAG('d', 'b', 'l', 'f');
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, tag);
    CU_ASSERT_FATAL(p != NULL);

    ExFreePoolWithTag(p, TAG('w', 'r', 'n', 'g'));
    CU_ASSERT_EQUAL(count(XSW_F_TAG_MISMATCH), 1);
    CU_ASSERT(finding_says(XSW_F_TAG_MISMATCH, "'wrng'"));
    CU_ASSERT_EQUAL(xsw_rt_pool_leaks(A1, NULL, NULL), 1); /* still allocated */

    ExFreePoolWithTag(p, tag);
    CU_ASSERT_EQUAL(xsw_rt_pool_leaks(A1, NULL, NULL), 0);
    ExFreePoolWithTag(p, tag);
    CU_ASSERT_EQUAL(count(XSW_F_DOUBLE_FREE), 1);
    CU_ASSERT(finding_says(XSW_F_DOUBLE_FREE, "freed already"));

    int on_stack;
    ExFreePool(&on_stack);
    CU_ASSERT_EQUAL(count(XSW_F_DOUBLE_FREE), 2);
    CU_ASSERT(finding_says(XSW_F_DOUBLE_FREE, "not a pool allocation"));

    CU_ASSERT_PTR_NULL(ExAllocatePool2(0, 16, tag));
    CU_ASSERT_EQUAL(count(XSW_F_BAD_PARAMETER), 1);
}

XSW_TEST(ndis_runtime, fault_injection)
{
    reset();
    ULONG tag = TAG('f', 'a', 'i', 'l');
    xsw_rt_fail_alloc_after(2);
    PVOID p1 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, tag);
    PVOID p2 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, tag);
    PVOID p3 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, tag);
    CU_ASSERT_PTR_NOT_NULL(p1);
    CU_ASSERT_PTR_NULL(p2);
    CU_ASSERT_PTR_NOT_NULL(p3);
    ExFreePoolWithTag(p1, tag);
    ExFreePoolWithTag(p3, tag);

    /* NBL allocations count too. */
    NET_BUFFER_LIST_POOL_PARAMETERS pp = { { NDIS_OBJECT_TYPE_DEFAULT, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
                                             NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 },
                                           0, TRUE, 0, tag, 0, 0 };
    NDIS_HANDLE pool = NdisAllocateNetBufferListPool(NULL, &pp);
    CU_ASSERT_FATAL(pool != NULL);
    xsw_rt_fail_alloc_after(1);
    CU_ASSERT_PTR_NULL(NdisAllocateNetBufferList(pool, 0, 0));
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    CU_ASSERT_PTR_NOT_NULL(nbl);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    CU_ASSERT_EQUAL(nfindings, 0);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
}

XSW_TEST(ndis_runtime, pool_irql_rules)
{
    reset();
    ULONG tag = TAG('i', 'r', 'q', 'l');
    xsw_rt_set_irql(XSW_DISPATCH_LEVEL);
    PVOID np = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, tag);
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 0);
    PVOID pg = ExAllocatePool2(POOL_FLAG_PAGED, 8, tag);
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 1);
    CU_ASSERT(finding_says(XSW_F_IRQL_VIOLATION, "ExAllocatePool2 called at DISPATCH_LEVEL"));
    xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
    ExFreePoolWithTag(np, tag);
    ExFreePoolWithTag(pg, tag);
}

/* ---- IRQL, spin locks, RW locks -------------------------------------------- */

XSW_TEST(ndis_runtime, spin_lock_raises_and_restores_irql)
{
    reset();
    NDIS_SPIN_LOCK a, b;
    NdisAllocateSpinLock(&a);
    NdisAllocateSpinLock(&b);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisAcquireSpinLock(&a);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), DISPATCH_LEVEL);
    CU_ASSERT_EQUAL(a.OldIrql, PASSIVE_LEVEL);
    NdisAcquireSpinLock(&b);
    CU_ASSERT_EQUAL(b.OldIrql, DISPATCH_LEVEL);
    CU_ASSERT_EQUAL(xsw_rt_locks_held(), 2);
    NdisReleaseSpinLock(&b);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisReleaseSpinLock(&a);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);
    CU_ASSERT_EQUAL(xsw_rt_locks_held(), 0);
    CU_ASSERT_EQUAL(nfindings, 0);

    /* Dpr variants require DISPATCH_LEVEL and leave the IRQL alone. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CU_ASSERT_EQUAL(old, PASSIVE_LEVEL);
    NdisDprAcquireSpinLock(&a);
    NdisDprReleaseSpinLock(&a);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    CU_ASSERT_EQUAL(nfindings, 0);
    NdisDprAcquireSpinLock(&a);
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 1);
    NdisDprReleaseSpinLock(&a);
    NdisFreeSpinLock(&a);
    NdisFreeSpinLock(&b);
}

XSW_TEST(ndis_runtime, spin_lock_misuse)
{
    reset();
    NDIS_SPIN_LOCK l;
    NdisAllocateSpinLock(&l);
    NdisReleaseSpinLock(&l);
    CU_ASSERT_EQUAL(count(XSW_F_LOCK_MISUSE), 1);
    CU_ASSERT(finding_says(XSW_F_LOCK_MISUSE, "not held"));
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);

    NdisAcquireSpinLock(&l);
    NdisAcquireSpinLock(&l); /* deadlock on Windows: recorded, does not hang */
    CU_ASSERT_EQUAL(count(XSW_F_LOCK_MISUSE), 2);
    CU_ASSERT(finding_says(XSW_F_LOCK_MISUSE, "already held"));
    NdisReleaseSpinLock(&l);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);

    NdisAcquireSpinLock(&l);
    NdisFreeSpinLock(&l);
    CU_ASSERT(finding_says(XSW_F_LOCK_MISUSE, "still held"));
    NdisReleaseSpinLock(&l);

    /* Lowering the IRQL above the current level is a violation. */
    KeLowerIrql(DISPATCH_LEVEL);
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 1);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

XSW_TEST(ndis_runtime, rw_lock_recursion_and_misuse)
{
    reset();
    PNDIS_RW_LOCK_EX l = NdisAllocateRWLock(NULL);
    CU_ASSERT_FATAL(l != NULL);
    LOCK_STATE_EX s1, s2, s3;
    NdisAcquireRWLockRead(l, &s1, 0);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisAcquireRWLockRead(l, &s2, NDIS_RWL_AT_DISPATCH_LEVEL); /* recursive read: allowed */
    CU_ASSERT_EQUAL(nfindings, 0);
    CU_ASSERT_EQUAL(xsw_rt_locks_held(), 2);
    NdisAcquireRWLockWrite(l, &s3, NDIS_RWL_AT_DISPATCH_LEVEL); /* upgrade: deadlock on Windows */
    CU_ASSERT_EQUAL(count(XSW_F_LOCK_MISUSE), 1);
    CU_ASSERT(finding_says(XSW_F_LOCK_MISUSE, "already holds the lock for read"));
    NdisReleaseRWLock(l, &s3);
    NdisReleaseRWLock(l, &s2);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &s1);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);
    CU_ASSERT_EQUAL(xsw_rt_locks_held(), 0);

    NdisAcquireRWLockWrite(l, &s1, 0);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisReleaseRWLock(l, &s1);
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisReleaseRWLock(l, &s1); /* released twice */
    CU_ASSERT_EQUAL(count(XSW_F_LOCK_MISUSE), 2);

    /* The dispatch flag from PASSIVE_LEVEL is an IRQL violation. */
    NdisAcquireRWLockRead(l, &s1, NDIS_RWL_AT_DISPATCH_LEVEL);
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 1);
    NdisReleaseRWLock(l, &s1);

    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 1); /* the lock itself */
    NdisFreeRWLock(l);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
    NdisAcquireRWLockRead(l, &s1, 0);
    CU_ASSERT(finding_says(XSW_F_INVALID_HANDLE, "freed already"));
    CU_ASSERT_EQUAL(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* ---- Events, sleeps, time -------------------------------------------------- */

static PNDIS_EVENT deferred_event;
static unsigned deferred_countdown;

static int signal_after_countdown(void)
{
    if (deferred_countdown == 0)
        return 0;
    if (--deferred_countdown == 0)
        NdisSetEvent(deferred_event);
    return 1;
}

XSW_TEST(ndis_runtime, event_semantics)
{
    reset();
    NDIS_EVENT ev;
    NdisInitializeEvent(&ev);
    NdisSetEvent(&ev);
    CU_ASSERT_TRUE(NdisWaitEvent(&ev, 0));
    CU_ASSERT_TRUE(NdisWaitEvent(&ev, 0)); /* manual reset: stays signaled */
    CU_ASSERT_EQUAL(deferred_calls, 0);    /* returned immediately */
    NdisResetEvent(&ev);

    uint64_t t0 = xsw_rt_time();
    CU_ASSERT_FALSE(NdisWaitEvent(&ev, 5)); /* timed out: no finding, 5 ms of virtual time */
    CU_ASSERT_EQUAL(xsw_rt_time() - t0, 5u * 10000u);
    CU_ASSERT_EQUAL(nfindings, 0);

    CU_ASSERT_FALSE(NdisWaitEvent(&ev, 0)); /* forever, but nothing can signal it */
    CU_ASSERT_EQUAL(count(XSW_F_TIMEOUT), 1);

    /* Pending work that signals the event on its third step. */
    deferred_event = &ev;
    deferred_countdown = 3;
    deferred_work = signal_after_countdown;
    deferred_calls = 0;
    CU_ASSERT_TRUE(NdisWaitEvent(&ev, 0));
    CU_ASSERT_EQUAL(deferred_calls, 3);
    CU_ASSERT_EQUAL(count(XSW_F_TIMEOUT), 1);

    /* A synchronization event is consumed by a wait. */
    KEVENT k;
    KeInitializeEvent(&k, SynchronizationEvent, TRUE);
    LARGE_INTEGER zero = { .QuadPart = 0 };
    CU_ASSERT_EQUAL(KeWaitForSingleObject(&k, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CU_ASSERT_EQUAL(KeWaitForSingleObject(&k, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
}

XSW_TEST(ndis_runtime, wait_at_dispatch_is_an_irql_violation)
{
    reset();
    NDIS_EVENT ev;
    NdisInitializeEvent(&ev);
    NdisSetEvent(&ev);
    xsw_rt_set_irql(XSW_DISPATCH_LEVEL);
    CU_ASSERT_TRUE(NdisWaitEvent(&ev, 0));
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 1);
    CU_ASSERT(finding_says(XSW_F_IRQL_VIOLATION, "NdisWaitEvent called at DISPATCH_LEVEL"));
    NdisMSleep(10);
    CU_ASSERT_EQUAL(count(XSW_F_IRQL_VIOLATION), 2);
    xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
}

XSW_TEST(ndis_runtime, sleep_time_and_busy_wait_guard)
{
    reset();
    LARGE_INTEGER t;
    KeQuerySystemTime(&t);
    CU_ASSERT_EQUAL(t.QuadPart, 133485408000000000LL); /* 2024-01-01T00:00:00Z */
    NdisMSleep(1000);
    KeQuerySystemTime(&t);
    CU_ASSERT_EQUAL(t.QuadPart, 133485408000000000LL + 10000);
    CU_ASSERT_EQUAL(deferred_calls, 1); /* the rest of the system ran */
    CU_ASSERT_EQUAL(KeQueryInterruptTime(), 10000u);

    xsw_rt_set_idle_limit(5); /* also restarts this thread's count */
    for (int i = 0; i < 4; i++)
        NdisMSleep(100);
    CU_ASSERT_EQUAL(count(XSW_F_TIMEOUT), 0);
    NdisMSleep(100); /* the 5th idle call in a row */
    CU_ASSERT_EQUAL(count(XSW_F_TIMEOUT), 1);
    CU_ASSERT_EQUAL(stuck_calls, 1);
    for (int i = 0; i < 5; i++)
        NdisMSleep(100);
    CU_ASSERT_EQUAL(count(XSW_F_TIMEOUT), 1); /* reported once per streak */
    CU_ASSERT_EQUAL(stuck_calls, 2);          /* the harness is asked again */
    CU_ASSERT_EQUAL(NdisGetVersion(), NDIS_RUNTIME_VERSION_640);
}

XSW_TEST(ndis_runtime, interlocked_and_lists)
{
    volatile LONG v = 5;
    CU_ASSERT_EQUAL(NdisInterlockedIncrement(&v), 6);
    CU_ASSERT_EQUAL(InterlockedAdd(&v, 4), 10);
    CU_ASSERT_EQUAL(InterlockedCompareExchange(&v, 1, 10), 10);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(InterlockedCompareExchange(&v, 7, 3), 1);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(InterlockedExchange(&v, 9), 1);
    CU_ASSERT_EQUAL(NdisInterlockedDecrement(&v), 8);

    LIST_ENTRY head, e1, e2, e3;
    InitializeListHead(&head);
    CU_ASSERT_TRUE(IsListEmpty(&head));
    InsertTailList(&head, &e1);
    InsertTailList(&head, &e2);
    InsertHeadList(&head, &e3);
    CU_ASSERT_PTR_EQUAL(head.Flink, &e3);
    CU_ASSERT_PTR_EQUAL(RemoveHeadList(&head), &e3);
    CU_ASSERT_PTR_EQUAL(RemoveTailList(&head), &e2);
    CU_ASSERT_TRUE(RemoveEntryList(&e1));
    CU_ASSERT_TRUE(IsListEmpty(&head));
}

/* ---- NBL / NB / MDL -------------------------------------------------------- */

static NDIS_HANDLE make_nbl_pool(USHORT ctx, BOOLEAN nb, ULONG data)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = nb;
    pp.ContextSize = ctx;
    pp.PoolTag = TAG('n', 'b', 'l', 'p');
    pp.DataSize = data;
    return NdisAllocateNetBufferListPool(NULL, &pp);
}

/* Copy the whole used data of "nb" through NdisGetDataBuffer's storage path. */
static ULONG nb_bytes(PNET_BUFFER nb, UCHAR *out, ULONG max)
{
    ULONG n = NET_BUFFER_DATA_LENGTH(nb) < max ? NET_BUFFER_DATA_LENGTH(nb) : max;
    if (n && NdisGetDataBuffer(nb, n, out, 1, 0) != out) {
        PUCHAR p = NdisGetDataBuffer(nb, n, NULL, 1, 0);
        if (p)
            memcpy(out, p, n);
    }
    return n;
}

XSW_TEST(ndis_runtime, nbl_pool_data_size_and_context)
{
    reset();
    NDIS_HANDLE pool = make_nbl_pool(32, TRUE, 256);
    CU_ASSERT_FATAL(pool != NULL);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 16, 0);
    PNET_BUFFER_LIST other = NdisAllocateNetBufferList(pool, 0, 0);
    CU_ASSERT_FATAL(nbl && other);
    CU_ASSERT_PTR_EQUAL(NdisGetPoolFromNetBufferList(nbl), pool);
    CU_ASSERT(xsw_rt_nbl_id(nbl) != 0);
    CU_ASSERT(xsw_rt_nbl_id(other) > xsw_rt_nbl_id(nbl));
    CU_ASSERT_EQUAL(xsw_rt_nbl_hdr(nbl)->kind, XSW_RT_NBL_POOL);
    CU_ASSERT_EQUAL(xsw_rt_nbl_hdr(nbl)->actor, A1);

    /* Context: 16 of the pool's 32 bytes in use, 16-aligned. */
    PUCHAR ctx = NET_BUFFER_LIST_CONTEXT_DATA_START(nbl);
    CU_ASSERT_EQUAL(((uintptr_t)ctx) % 16, 0);
    CU_ASSERT_EQUAL(nbl->Context->Size, 32);
    CU_ASSERT_EQUAL(nbl->Context->Offset, 16);
    memset(ctx, 0xAB, 16);

    /* The data space is all unused: a retreat claims it without allocating. */
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    CU_ASSERT_FATAL(nb != NULL);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(nb), 256);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), 0);
    PMDL first = NET_BUFFER_FIRST_MDL(nb);
    CU_ASSERT_EQUAL(NdisRetreatNetBufferDataStart(nb, 60, 0, NULL), NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(nb), 196);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), 60);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_FIRST_MDL(nb), first);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_CURRENT_MDL(nb), first);
    CU_ASSERT_EQUAL(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 196);
    PUCHAR data = NdisGetDataBuffer(nb, 60, NULL, 1, 0);
    CU_ASSERT_PTR_EQUAL(data, (PUCHAR)MmGetSystemAddressForMdlSafe(first, LowPagePriority) + 196);
    CU_ASSERT_EQUAL(MmGetMdlByteCount(first), 256);

    /* Tracking: the pool and the two NBLs belong to A1. */
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 3);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferList(other);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 1);
    NdisFreeNetBufferList(nbl);
    CU_ASSERT_EQUAL(count(XSW_F_DOUBLE_FREE), 1);
    NdisFreeNetBufferListPool(pool);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
    CU_ASSERT_EQUAL(nfindings, 1);
}

XSW_TEST(ndis_runtime, nbl_pool_freed_with_nbls_outstanding)
{
    reset();
    NDIS_HANDLE pool = make_nbl_pool(0, FALSE, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    CU_ASSERT_FATAL(nbl != NULL);
    CU_ASSERT_PTR_NULL(NET_BUFFER_LIST_FIRST_NB(nbl));
    NdisFreeNetBufferListPool(pool);
    CU_ASSERT_EQUAL(count(XSW_F_NBL_LEAK), 1);
    NdisFreeNetBufferList(nbl); /* still valid; the pool goes with its last NBL */
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
    CU_ASSERT_EQUAL(nfindings, 1);
}

/* Three buffers chained by MDLs: "01234" "56789ab" "cdefghijklmnopqrstuv". */
struct chain {
    UCHAR b1[5], b2[7], b3[20];
    PMDL m1, m2, m3;
};

static void make_chain(struct chain *c)
{
    memcpy(c->b1, "01234", 5);
    memcpy(c->b2, "56789ab", 7);
    memcpy(c->b3, "cdefghijklmnopqrstuv", 20);
    c->m1 = NdisAllocateMdl(NULL, c->b1, 5);
    c->m2 = NdisAllocateMdl(NULL, c->b2, 7);
    c->m3 = NdisAllocateMdl(NULL, c->b3, 20);
    c->m1->Next = c->m2;
    c->m2->Next = c->m3;
}

static void free_chain(struct chain *c)
{
    NdisFreeMdl(c->m1);
    NdisFreeMdl(c->m2);
    NdisFreeMdl(c->m3);
}

XSW_TEST(ndis_runtime, mdl_chain_reads_advance_retreat)
{
    reset();
    struct chain c;
    make_chain(&c);
    NDIS_HANDLE pool = make_nbl_pool(0, TRUE, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, c.m1, 2, 25);
    CU_ASSERT_FATAL(nbl != NULL);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_CURRENT_MDL(nb), c.m1);
    CU_ASSERT_EQUAL(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 2);

    UCHAR st[64];
    CU_ASSERT_PTR_NULL(NdisGetDataBuffer(nb, 10, NULL, 1, 0)); /* spans MDLs, no storage */
    CU_ASSERT_PTR_EQUAL(NdisGetDataBuffer(nb, 10, st, 1, 0), st);
    CU_ASSERT_EQUAL(memcmp(st, "23456789ab", 10), 0);
    CU_ASSERT_PTR_EQUAL(NdisGetDataBuffer(nb, 3, NULL, 1, 0), c.b1 + 2);
    CU_ASSERT_PTR_NULL(NdisGetDataBuffer(nb, 26, st, 1, 0)); /* more than DataLength */

    /* Advance to an MDL boundary: the current MDL is the next one. */
    NdisAdvanceNetBufferDataStart(nb, 3, FALSE, NULL);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_CURRENT_MDL(nb), c.m2);
    CU_ASSERT_EQUAL(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 0);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(nb), 5);
    CU_ASSERT_PTR_EQUAL(NdisGetDataBuffer(nb, 7, NULL, 1, 0), c.b2);

    /* Retreat past the 5 unused bytes: a new MDL goes in front of the data. */
    CU_ASSERT_EQUAL(NdisRetreatNetBufferDataStart(nb, 8, 4, NULL), NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), 30);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(nb), 4); /* the back fill */
    CU_ASSERT(NET_BUFFER_FIRST_MDL(nb) != c.m1);
    PUCHAR hdr = NdisGetDataBuffer(nb, 8, NULL, 1, 0); /* the new space is contiguous */
    CU_ASSERT_FATAL(hdr != NULL);
    memcpy(hdr, "HEADER!!", 8);
    CU_ASSERT_EQUAL(nb_bytes(nb, st, sizeof st), 30);
    CU_ASSERT_EQUAL(memcmp(st, "HEADER!!56789abcdefghijklmnopqrstuv", 30), 0);
    CU_ASSERT_EQUAL(memcmp(c.b1, "01234", 5), 0); /* the unused bytes were not touched */

    /* Advancing past it with FreeMdl restores the original chain. */
    NdisAdvanceNetBufferDataStart(nb, 8, TRUE, NULL);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_FIRST_MDL(nb), c.m1);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(nb), 5);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_CURRENT_MDL(nb), c.m2);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), 22);

    /* Mid-MDL data start: the rest of that MDL is described by a partial MDL. */
    NdisRetreatNetBufferDataStart(nb, 3, 0, NULL); /* back to offset 2 inside m1, no allocation */
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_CURRENT_MDL(nb), c.m1);
    CU_ASSERT_EQUAL(NdisRetreatNetBufferDataStart(nb, 4, 0, NULL), NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(nb_bytes(nb, st, sizeof st), 29);
    CU_ASSERT_EQUAL(memcmp(st + 4, "23456789abcdefghijklmnopqrstuv", 25), 0);
    NdisAdvanceNetBufferDataStart(nb, 4, TRUE, NULL);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_FIRST_MDL(nb), c.m1);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(nb), 2);
    CU_ASSERT_EQUAL(xsw_rt_nb_release(nb), 0);

    /* Advancing more than the used data is refused. */
    NdisAdvanceNetBufferDataStart(nb, 100, FALSE, NULL);
    CU_ASSERT_EQUAL(count(XSW_F_BAD_PARAMETER), 1);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), 25);

    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    free_chain(&c);
    NdisFreeMdl(c.m1);
    CU_ASSERT_EQUAL(count(XSW_F_DOUBLE_FREE), 1);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
}

XSW_TEST(ndis_runtime, copy_between_net_buffers)
{
    reset();
    struct chain c;
    make_chain(&c);
    UCHAR dst_buf[40];
    memset(dst_buf, '.', sizeof dst_buf);
    PMDL dm = NdisAllocateMdl(NULL, dst_buf, sizeof dst_buf);
    NDIS_HANDLE pool = make_nbl_pool(0, TRUE, 0);
    PNET_BUFFER_LIST src = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, c.m1, 0, 32);
    PNET_BUFFER_LIST dst = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, dm, 0, 40);
    CU_ASSERT_FATAL(src && dst);
    ULONG copied = 0;
    CU_ASSERT_EQUAL(NdisCopyFromNetBufferToNetBuffer(NET_BUFFER_LIST_FIRST_NB(dst), 2, 30,
                                                     NET_BUFFER_LIST_FIRST_NB(src), 3, &copied),
                    NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(copied, 29); /* the source has 29 bytes after offset 3 */
    CU_ASSERT_EQUAL(memcmp(dst_buf, "..3456789abcdefghijklmnopqrstuv.", 32), 0);
    NdisFreeNetBufferList(src);
    NdisFreeNetBufferList(dst);
    NdisFreeNetBufferListPool(pool);
    NdisFreeMdl(dm);
    free_chain(&c);
    CU_ASSERT_EQUAL(nfindings, 0);
}

XSW_TEST(ndis_runtime, clone_shares_data_not_backfill)
{
    reset();
    struct chain c;
    make_chain(&c);
    NDIS_HANDLE pool = make_nbl_pool(0, TRUE, 0);
    PNET_BUFFER_LIST orig = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, c.m1, 4, 20);
    CU_ASSERT_FATAL(orig != NULL);
    PNET_BUFFER_LIST clone = NdisAllocateCloneNetBufferList(orig, NULL, NULL, 0);
    CU_ASSERT_FATAL(clone != NULL);
    CU_ASSERT_PTR_EQUAL(clone->ParentNetBufferList, orig);
    CU_ASSERT_EQUAL(xsw_rt_nbl_hdr(clone)->kind, XSW_RT_NBL_CLONE);
    PNET_BUFFER cnb = NET_BUFFER_LIST_FIRST_NB(clone);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(cnb), 0);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(cnb), 20);
    UCHAR a[32], b[32];
    nb_bytes(NET_BUFFER_LIST_FIRST_NB(orig), a, sizeof a);
    nb_bytes(cnb, b, sizeof b);
    CU_ASSERT_EQUAL(memcmp(a, b, 20), 0);
    CU_ASSERT_EQUAL(memcmp(b, "456789abcdefghijklmn", 20), 0);

    /* A retreat on the clone allocates: the original's unused bytes stay intact. */
    CU_ASSERT_EQUAL(NdisRetreatNetBufferDataStart(cnb, 4, 0, NULL), NDIS_STATUS_SUCCESS);
    memset(NdisGetDataBuffer(cnb, 4, NULL, 1, 0), 'X', 4);
    CU_ASSERT_EQUAL(memcmp(c.b1, "01234", 5), 0);

    NdisFreeNetBufferList(clone); /* wrong free function */
    CU_ASSERT(finding_says(XSW_F_BAD_PARAMETER, "NdisFreeCloneNetBufferList"));
    NdisFreeCloneNetBufferList(clone, 0);

    PNET_BUFFER_LIST same = NdisAllocateCloneNetBufferList(orig, NULL, NULL, NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS);
    CU_ASSERT_FATAL(same != NULL);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(same)), c.m1);
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_OFFSET(NET_BUFFER_LIST_FIRST_NB(same)), 4);
    NdisFreeCloneNetBufferList(same, 0);

    NdisFreeNetBufferList(orig);
    NdisFreeNetBufferListPool(pool);
    free_chain(&c);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
    CU_ASSERT_EQUAL(nfindings, 1);
}

XSW_TEST(ndis_runtime, fragments)
{
    reset();
    UCHAR payload[100];
    for (int i = 0; i < 100; i++)
        payload[i] = (UCHAR)i;
    PMDL m = NdisAllocateMdl(NULL, payload, sizeof payload);
    NDIS_HANDLE pool = make_nbl_pool(0, TRUE, 0);
    PNET_BUFFER_LIST orig = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, m, 0, 100);
    PNET_BUFFER_LIST frag = NdisAllocateFragmentNetBufferList(orig, NULL, NULL, 0, 40, 14, 2, 0);
    CU_ASSERT_FATAL(frag != NULL);
    CU_ASSERT_EQUAL(xsw_rt_nbl_hdr(frag)->kind, XSW_RT_NBL_FRAGMENT);
    static const ULONG lens[] = { 54, 54, 34 };
    unsigned i = 0;
    UCHAR buf[64];
    for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(frag); nb; nb = NET_BUFFER_NEXT_NB(nb), i++) {
        CU_ASSERT_FATAL(i < 3);
        CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), lens[i]);
        nb_bytes(nb, buf, sizeof buf);
        CU_ASSERT_EQUAL(memcmp(buf + 14, payload + 40 * i, lens[i] - 14), 0);
    }
    CU_ASSERT_EQUAL(i, 3);
    NdisFreeFragmentNetBufferList(frag, 14, 0);
    NdisFreeNetBufferList(orig);
    NdisFreeNetBufferListPool(pool);
    NdisFreeMdl(m);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
    CU_ASSERT_EQUAL(nfindings, 0);
}

XSW_TEST(ndis_runtime, nbl_contexts)
{
    reset();
    NDIS_HANDLE pool = make_nbl_pool(0, FALSE, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    CU_ASSERT_FATAL(nbl != NULL);
    CU_ASSERT_PTR_NULL(nbl->Context);
    CU_ASSERT_EQUAL(NdisAllocateNetBufferListContext(nbl, 32, 16, TAG('c', 't', 'x', ' ')), NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(nbl->Context->Size, 48);
    CU_ASSERT_EQUAL(nbl->Context->Offset, 16);
    PUCHAR first = NET_BUFFER_LIST_CONTEXT_DATA_START(nbl);
    CU_ASSERT_EQUAL(NdisAllocateNetBufferListContext(nbl, 16, 0, TAG('c', 't', 'x', ' ')), NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(nbl->Context->Offset, 0); /* from the back fill */
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) + 16, first);
    NdisFreeNetBufferListContext(nbl, 16);
    CU_ASSERT_PTR_EQUAL(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), first);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 3); /* pool, NBL, context */
    NdisFreeNetBufferListContext(nbl, 32);
    CU_ASSERT_PTR_NULL(nbl->Context);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 2);
    NdisFreeNetBufferListContext(nbl, 16);
    CU_ASSERT_EQUAL(count(XSW_F_BAD_PARAMETER), 1);
    CU_ASSERT_EQUAL(NdisAllocateNetBufferListContext(nbl, 20, 0, 0), NDIS_STATUS_FAILURE); /* not 16-aligned */
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, NULL, NULL), 0);
}

struct obj_names {
    unsigned n;
    unsigned kinds[8];
};

static void collect_obj(const struct xsw_rt_obj_leak *l, void *ctx)
{
    struct obj_names *v = ctx;
    if (v->n < 8)
        v->kinds[v->n] = l->kind;
    v->n++;
}

XSW_TEST(ndis_runtime, switch_frames_and_leak_report)
{
    reset();
    static struct xsw_rt_frame f; /* zeroed before its first use */
    UCHAR frame[60];
    memset(frame, 0, sizeof frame);
    memcpy(frame, "\xff\xff\xff\xff\xff\xff\x00\x15\x5d\x01\x02\x03\x08\x00", 14);
    uint64_t id1 = xsw_rt_frame_init(&f, frame, sizeof frame, &f);
    CU_ASSERT(id1 != 0);
    CU_ASSERT_EQUAL(xsw_rt_nbl_id(&f.nbl), id1);
    CU_ASSERT_EQUAL(xsw_rt_nbl_hdr(&f.nbl)->kind, XSW_RT_NBL_SWITCH);
    CU_ASSERT_PTR_EQUAL(xsw_rt_nbl_hdr(&f.nbl)->owner, &f);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(&f.nbl);
    PUCHAR eth = MmGetSystemAddressForMdlSafe(NET_BUFFER_CURRENT_MDL(nb), LowPagePriority | MdlMappingNoExecute);
    CU_ASSERT_PTR_EQUAL(eth + NET_BUFFER_CURRENT_MDL_OFFSET(nb), frame);
    CU_ASSERT_TRUE(ETH_IS_BROADCAST(eth));
    CU_ASSERT_EQUAL(NET_BUFFER_DATA_LENGTH(nb), 60);

    /* An extension retreats and forgets to advance: the release reports it. */
    CU_ASSERT_EQUAL(NdisRetreatNetBufferDataStart(nb, 8, 0, NULL), NDIS_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(xsw_rt_nb_release(nb), 1);

    uint64_t id2 = xsw_rt_frame_init(&f, frame, sizeof frame, &f);
    CU_ASSERT(id2 > id1);
    NdisFreeNetBufferList(&f.nbl); /* not the extension's to free */
    CU_ASSERT(finding_says(XSW_F_INVALID_HANDLE, "belongs to the switch"));

    /* What an extension leaves behind, in allocation order. */
    NDIS_HANDLE pool = make_nbl_pool(0, TRUE, 64);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(pool, 0, 0);
    UCHAR buf[8];
    PMDL m = NdisAllocateMdl(NULL, buf, sizeof buf);
    struct obj_names names = { 0 };
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A1, collect_obj, &names), 3);
    CU_ASSERT_EQUAL(names.kinds[0], XSW_RT_OBJ_NBL_POOL);
    CU_ASSERT_EQUAL(names.kinds[1], XSW_RT_OBJ_NBL);
    CU_ASSERT_EQUAL(names.kinds[2], XSW_RT_OBJ_MDL);
    CU_ASSERT_EQUAL(xsw_rt_obj_leaks(A2, NULL, NULL), 0);
    NdisFreeMdl(m);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(pool);

    /* Foreign pointers are refused without being dereferenced. */
    static NET_BUFFER_LIST foreign;
    NdisFreeNetBufferList(&foreign);
    CU_ASSERT(finding_says(XSW_F_INVALID_HANDLE, "not allocated by NDIS"));
    CU_ASSERT_EQUAL(xsw_rt_nbl_id(&foreign), 0);
    xsw_rt_frame_release(&f);
    CU_ASSERT_EQUAL(xsw_rt_nbl_id(&f.nbl), 0);
}

/* ---- Strings and DbgPrint --------------------------------------------------- */

XSW_TEST(ndis_runtime, utf16_helpers)
{
    static const uint16_t text[] = u"Gr\u00fc\u00dfe \U0001F600";
    char out[32];
    size_t need = xsw_rt_utf16_to_utf8(out, sizeof out, text, xsw_rt_utf16_len(text));
    CU_ASSERT_EQUAL(xsw_rt_utf16_len(text), 8); /* the emoji is a surrogate pair */
    CU_ASSERT_EQUAL(need, 12);
    CU_ASSERT_STRING_EQUAL(out, "Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80");
    /* Truncation never splits a character. */
    need = xsw_rt_utf16_to_utf8(out, 5, text, 8);
    CU_ASSERT_EQUAL(need, 12);
    CU_ASSERT_STRING_EQUAL(out, "Gr\xc3\xbc");
    /* A lone surrogate becomes U+FFFD. */
    static const uint16_t bad[] = { 'a', 0xD800, 'b' };
    xsw_rt_utf16_to_utf8(out, sizeof out, bad, 3);
    CU_ASSERT_STRING_EQUAL(out, "a\xef\xbf\xbd" "b");

    uint16_t w[16];
    CU_ASSERT_EQUAL(xsw_rt_utf8_to_utf16(w, 16, "Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80"), 8);
    CU_ASSERT_EQUAL(memcmp(w, text, sizeof text), 0);
    CU_ASSERT_EQUAL(xsw_rt_utf8_to_utf16(w, 3, "abcdef"), 6);
    CU_ASSERT_EQUAL(w[2], 0);
    CU_ASSERT_EQUAL(w[1], 'b');
}

XSW_TEST(ndis_runtime, rtl_strings)
{
    reset();
    static const WCHAR name[] = u"MsForwardExt";
    UNICODE_STRING s, t;
    RtlInitUnicodeString(&s, name);
    CU_ASSERT_EQUAL(s.Length, 24);
    CU_ASSERT_EQUAL(s.MaximumLength, 26);
    CU_ASSERT_PTR_EQUAL(s.Buffer, name);
    RtlInitUnicodeString(&t, u"msforwardEXT");
    CU_ASSERT_TRUE(RtlEqualUnicodeString(&s, &t, TRUE));
    CU_ASSERT_FALSE(RtlEqualUnicodeString(&s, &t, FALSE));
    CU_ASSERT(RtlCompareUnicodeString(&s, &t, FALSE) < 0); /* 'M' < 'm' */

    WCHAR small[6];
    UNICODE_STRING d = { 0, sizeof small, small };
    RtlCopyUnicodeString(&d, &s);
    CU_ASSERT_EQUAL(d.Length, 12); /* truncated to MaximumLength */
    CU_ASSERT_EQUAL(memcmp(small, u"MsForw", 12), 0);
    CU_ASSERT_EQUAL(RtlAppendUnicodeStringToString(&d, &s), STATUS_BUFFER_TOO_SMALL);

    ANSI_STRING a;
    size_t before = 0, after = 0;
    xsw_rt_pool_usage(A1, NULL, &before);
    CU_ASSERT_EQUAL(RtlUnicodeStringToAnsiSize(&s), 13);
    CU_ASSERT_EQUAL(RtlUnicodeStringToAnsiString(&a, &s, TRUE), STATUS_SUCCESS);
    CU_ASSERT_STRING_EQUAL(a.Buffer, "MsForwardExt");
    CU_ASSERT_EQUAL(a.Length, 12);
    xsw_rt_pool_usage(A1, NULL, &after);
    CU_ASSERT_EQUAL(after, before + 1); /* the caller owns the buffer until RtlFreeAnsiString */
    RtlFreeAnsiString(&a);
    xsw_rt_pool_usage(A1, NULL, &after);
    CU_ASSERT_EQUAL(after, before);

    CU_ASSERT_EQUAL(RtlCompareMemory("abcd", "abxd", 4), 2);
    WCHAR buf[8];
    size_t len;
    CU_ASSERT_EQUAL(RtlStringCbCopyW(buf, sizeof buf, u"abcdefghij"), STATUS_BUFFER_OVERFLOW);
    CU_ASSERT_EQUAL(RtlStringCbLengthW(buf, sizeof buf, &len), STATUS_SUCCESS);
    CU_ASSERT_EQUAL(len, 14);
    CU_ASSERT_EQUAL(nfindings, 0);
}

XSW_TEST(ndis_runtime, dbgprint_formats_windows_conversions)
{
    reset();
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, u"port\u00e9");
    ANSI_STRING as;
    RtlInitAnsiString(&as, "ansi");
    DbgPrint("%S: %wZ %Z %d %lu %lx %I64x %llu %p %hs|%-5s|%5.2s|%c%C|%ws|%3d%%", u"ext", &us, &as, -3, 0xFFFFFFFFu,
             0xABCDu, 0x123456789ULL, 18446744073709551615ULL, (void *)0x10, "n", "ab", "xyz", 'A', (int)u'\u00e9',
             u"w", 7);
    CU_ASSERT_STRING_EQUAL(dbg_text, "ext: port\xc3\xa9 ansi -3 4294967295 abcd 123456789 18446744073709551615 "
                                     "0000000000000010 n|ab   |   xy|A\xc3\xa9|w|  7%");
    DbgPrint("%S %wZ", (const WCHAR *)NULL, (PUNICODE_STRING)NULL);
    CU_ASSERT_STRING_EQUAL(dbg_text, "(null) (null)");
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "%s=%u\n", "x", 1u);
    CU_ASSERT_STRING_EQUAL(dbg_text, "x=1\n");

    char out[8];
    CU_ASSERT_EQUAL(xsw_rt_format(out, sizeof out, "%S", u"0123456789"), 10);
    CU_ASSERT_STRING_EQUAL(out, "0123456");

    /* The wide strsafe printf uses wprintf rules: %s is UTF-16, %S narrow. */
    WCHAR w[32];
    CU_ASSERT_EQUAL(RtlStringCbPrintfW(w, sizeof w, u"%s-%d-%S", u"vport", 42, "nic"), STATUS_SUCCESS);
    CU_ASSERT_EQUAL(memcmp(w, u"vport-42-nic", 13 * sizeof(WCHAR)), 0);
    CU_ASSERT_EQUAL(RtlStringCbPrintfW(w, 8, u"%s", u"toolong"), STATUS_BUFFER_OVERFLOW);
    CU_ASSERT_EQUAL(w[3], 0);
    char a[16];
    CU_ASSERT_EQUAL(RtlStringCbPrintfA(a, sizeof a, "%wZ/%I64u", &us, 5ULL), STATUS_SUCCESS);
    CU_ASSERT_STRING_EQUAL(a, "port\xc3\xa9/5");
}
