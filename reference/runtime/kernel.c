/*
 * kernel.c - kernel services of the user-mode NDIS runtime: the emulated IRQL
 * and actor, the hooks to the switch, pool memory with tags tracked per
 * actor, spin locks, NDIS RW locks, events and waits, sleeps, virtual time.
 *
 * Normative: the learn.microsoft.com DDI pages of each function (wdm.h and
 * ndis.h): ExAllocatePool2, ExAllocatePoolWithTag, ExFreePoolWithTag,
 * NdisAllocateMemoryWithTagPriority, NdisAcquireSpinLock,
 * NdisAcquireRWLockRead/Write ("recursive read acquisition is allowed";
 * NDIS_RWL_AT_DISPATCH_LEVEL only when the caller runs at DISPATCH_LEVEL),
 * NdisWaitEvent (MsToWait 0 = wait indefinitely, PASSIVE_LEVEL), NdisMSleep
 * (PASSIVE_LEVEL), KeQuerySystemTime. Where Windows would bug-check or hang,
 * the runtime records a finding (findings.def) and returns without acting,
 * as rt.h states.
 *
 * Threads: actor, IRQL and the busy-wait counter are per thread; the pool
 * table, the object registry and the RW locks are protected by mutexes, and
 * spin locks are real test-and-set locks, so a multi-threaded harness works.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_priv.h"

/* ---- Per-thread state ---------------------------------------------------- */

static _Thread_local unsigned tls_actor = XSW_RT_ACTOR_SWITCH;
static _Thread_local unsigned tls_irql = XSW_PASSIVE_LEVEL;
static _Thread_local unsigned tls_locks;
static _Thread_local uint64_t tls_idle;
static _Thread_local char tls_token_byte;

/* A non-zero value that names the calling thread (spin lock owner). */
static ULONG_PTR thread_token(void)
{
    return (ULONG_PTR)&tls_token_byte;
}

unsigned xsw_rt_actor(void)
{
    return tls_actor;
}

unsigned xsw_rt_set_actor(unsigned actor)
{
    unsigned old = tls_actor;
    tls_actor = actor;
    return old;
}

unsigned xsw_rt_irql(void)
{
    return tls_irql;
}

void xsw_rt_set_irql(unsigned irql)
{
    tls_irql = irql;
}

unsigned xsw_rt_locks_held(void)
{
    return tls_locks;
}

const char *xsw_rt_irql_name(unsigned irql)
{
    switch (irql) {
    case XSW_PASSIVE_LEVEL:
        return "PASSIVE_LEVEL";
    case XSW_APC_LEVEL:
        return "APC_LEVEL";
    case XSW_DISPATCH_LEVEL:
        return "DISPATCH_LEVEL";
    default:
        return irql >= 15 ? "HIGH_LEVEL" : "DIRQL";
    }
}

const char *xsw_rt_tag_str(uint32_t tag, char buf[8])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(tag >> (8 * i));
        buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    buf[4] = 0;
    return buf;
}

/* ---- Hooks --------------------------------------------------------------- */

static struct xsw_rt_hooks hooks;

void xsw_rt_set_hooks(const struct xsw_rt_hooks *h)
{
    if (h)
        hooks = *h;
    else
        memset(&hooks, 0, sizeof hooks);
}

void xsw_rt_finding(unsigned code, uint64_t value, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (hooks.finding)
        hooks.finding(code, value, msg);
}

void xsw_rt_ndis_call(const char *func, uint64_t a0, uint64_t a1, uint64_t a2)
{
    if (hooks.ndis_call)
        hooks.ndis_call(func, a0, a1, a2);
}

void xsw_rt_dbgprint_hook(const char *text, size_t len)
{
    if (hooks.dbgprint)
        hooks.dbgprint(text, len);
}

int xsw_rt_run_deferred(void)
{
    return hooks.run_deferred ? hooks.run_deferred() : 0;
}

int xsw_rt_check_irql_max(const char *func, unsigned max)
{
    if (tls_irql <= max)
        return 1;
    xsw_rt_finding(XSW_F_IRQL_VIOLATION, tls_irql, "%s called at %s (%u); the maximum is %s", func,
                   xsw_rt_irql_name(tls_irql), tls_irql, xsw_rt_irql_name(max));
    return 0;
}

/* ---- Virtual time and busy-wait accounting ------------------------------- */

#define XSW_TIME_BASE 133485408000000000ULL /* 2024-01-01T00:00:00Z in 100 ns since 1601 */
#define XSW_TIME_INCREMENT 156250u          /* 15.625 ms clock tick, in 100 ns */

static uint64_t vtime = XSW_TIME_BASE;
static uint64_t idle_limit = 10000;

uint64_t xsw_rt_time(void)
{
    return __atomic_load_n(&vtime, __ATOMIC_RELAXED);
}

void xsw_rt_advance_time(uint64_t units)
{
    __atomic_add_fetch(&vtime, units, __ATOMIC_RELAXED);
}

void xsw_rt_reset_time(void)
{
    __atomic_store_n(&vtime, XSW_TIME_BASE, __ATOMIC_RELAXED);
}

void xsw_rt_set_idle_limit(uint64_t calls)
{
    idle_limit = calls;
    tls_idle = 0;
}

/*
 * One busy-wait step of the calling thread: let deferred work run; when none
 * ran for idle_limit steps in a row, report TIMEOUT once per streak and hand
 * control to the stuck hook every idle_limit steps.
 */
static void busy_wait_step(const char *func)
{
    if (xsw_rt_run_deferred()) {
        tls_idle = 0;
        return;
    }
    tls_idle++;
    if (idle_limit == 0 || tls_idle % idle_limit != 0)
        return;
    if (tls_idle == idle_limit)
        xsw_rt_finding(XSW_F_TIMEOUT, tls_idle,
                       "%s: busy-waiting for %llu calls while nothing else made progress (would spin forever)", func,
                       (unsigned long long)tls_idle);
    if (hooks.stuck)
        hooks.stuck(func, tls_idle);
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    if (CurrentTime)
        CurrentTime->QuadPart = (LONGLONG)xsw_rt_time();
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    KeQuerySystemTime(CurrentTime);
}

VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime)
{
    KeQuerySystemTime(pSystemTime);
}

ULONGLONG KeQueryInterruptTime(void)
{
    return xsw_rt_time() - XSW_TIME_BASE;
}

VOID NdisGetSystemUpTimeEx(PLARGE_INTEGER pSystemUpTime)
{
    if (pSystemUpTime)
        pSystemUpTime->QuadPart = (LONGLONG)((xsw_rt_time() - XSW_TIME_BASE) / 10000u);
}

ULONG KeQueryTimeIncrement(void)
{
    return XSW_TIME_INCREMENT;
}

VOID KeQueryTickCountEx(PLARGE_INTEGER TickCount)
{
    if (TickCount)
        TickCount->QuadPart = (LONGLONG)((xsw_rt_time() - XSW_TIME_BASE) / XSW_TIME_INCREMENT);
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER now;
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = 10000000;
    now.QuadPart = (LONGLONG)(xsw_rt_time() - XSW_TIME_BASE);
    return now;
}

/*
 * Out of line on purpose (ndis.h): the Microsoft samples spin on plain
 * variables around NdisMSleep, and the call must act as a compiler barrier.
 */
VOID NdisMSleep(ULONG MicrosecondsToSleep)
{
    xsw_rt_ndis_call("NdisMSleep", MicrosecondsToSleep, 0, 0);
    xsw_rt_check_irql_max("NdisMSleep", XSW_PASSIVE_LEVEL);
    xsw_rt_advance_time((uint64_t)MicrosecondsToSleep * 10u);
    busy_wait_step("NdisMSleep");
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    xsw_rt_advance_time((uint64_t)MicroSeconds * 10u);
    busy_wait_step("KeStallExecutionProcessor");
}

/* Negative = relative, positive = absolute system time; both in 100 ns. */
static uint64_t relative_timeout(const LARGE_INTEGER *t)
{
    if (t->QuadPart < 0)
        return (uint64_t)(-t->QuadPart);
    uint64_t now = xsw_rt_time();
    return (uint64_t)t->QuadPart > now ? (uint64_t)t->QuadPart - now : 0;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    (void)WaitMode;
    (void)Alertable;
    xsw_rt_ndis_call("KeDelayExecutionThread", Interval ? (uint64_t)Interval->QuadPart : 0, 0, 0);
    xsw_rt_check_irql_max("KeDelayExecutionThread", XSW_APC_LEVEL);
    if (Interval)
        xsw_rt_advance_time(relative_timeout(Interval));
    busy_wait_step("KeDelayExecutionThread");
    return STATUS_SUCCESS;
}

/* ---- IRQL ---------------------------------------------------------------- */

KIRQL KeGetCurrentIrql(void)
{
    return (KIRQL)tls_irql;
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = (KIRQL)tls_irql;
    if (NewIrql < old) {
        xsw_rt_finding(XSW_F_IRQL_VIOLATION, NewIrql, "KeRaiseIrql to %s from the higher %s (IRQL_NOT_GREATER_OR_EQUAL)",
                       xsw_rt_irql_name(NewIrql), xsw_rt_irql_name(old));
        return old;
    }
    tls_irql = NewIrql;
    return old;
}

KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > tls_irql) {
        xsw_rt_finding(XSW_F_IRQL_VIOLATION, NewIrql, "KeLowerIrql to %s from the lower %s (IRQL_NOT_LESS_OR_EQUAL)",
                       xsw_rt_irql_name(NewIrql), xsw_rt_irql_name(tls_irql));
        return;
    }
    tls_irql = NewIrql;
}

ULONG KeGetCurrentProcessorNumber(void)
{
    return 0;
}

ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber) {
        ProcNumber->Group = 0;
        ProcNumber->Number = 0;
        ProcNumber->Reserved = 0;
    }
    return 0;
}

ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
    return GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS ? 1 : 0;
}

UINT NdisGetVersion(void)
{
    return NDIS_RUNTIME_VERSION_640;
}

/* ---- Fault injection ----------------------------------------------------- */

static uint64_t fail_countdown;

void xsw_rt_fail_alloc_after(uint64_t n)
{
    __atomic_store_n(&fail_countdown, n, __ATOMIC_SEQ_CST);
}

int xsw_rt_alloc_should_fail(void)
{
    uint64_t cur = __atomic_load_n(&fail_countdown, __ATOMIC_SEQ_CST);
    while (cur != 0) {
        if (__atomic_compare_exchange_n(&fail_countdown, &cur, cur - 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return cur == 1;
    }
    return 0;
}

/* ---- Pool memory --------------------------------------------------------- */

/*
 * Every pool allocation has an entry in a hash table keyed by its address.
 * Freed blocks are poisoned and kept in a quarantine ring for a while so that
 * a second free of the same pointer is recognised as a double free rather
 * than as a free of a new allocation at the same address.
 */
#define POOL_BUCKETS 4096u
#define POOL_QUARANTINE 1024u
#define POOL_MAX_BYTES ((size_t)256 << 20)
#define POOL_FILL_NEW 0xCD
#define POOL_FILL_FREED 0xDD

enum pool_state { POOL_LIVE = 1, POOL_FREED = 2 };

struct pool_entry {
    struct pool_entry *next;
    void *ptr;
    size_t size;
    uint64_t serial;
    const char *func;
    uint32_t tag;
    uint32_t actor;
    uint32_t state;
};

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pool_entry *pool_tab[POOL_BUCKETS];
static struct pool_entry *quarantine[POOL_QUARANTINE];
static unsigned quarantine_next;
static uint64_t pool_serial;

static unsigned pool_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 29;
    return (unsigned)(x % POOL_BUCKETS);
}

static struct pool_entry *pool_find(const void *p, struct pool_entry ***link)
{
    struct pool_entry **l = &pool_tab[pool_hash(p)];
    for (; *l; l = &(*l)->next) {
        if ((*l)->ptr == p) {
            if (link)
                *link = l;
            return *l;
        }
    }
    return NULL;
}

/* Remove "e" from the table and release it and its memory. Lock held. */
static void pool_release(struct pool_entry *e)
{
    struct pool_entry **l;
    if (pool_find(e->ptr, &l) == e)
        *l = e->next;
    free(e->ptr);
    free(e);
}

void *xsw_rt_pool_alloc(size_t size, uint32_t tag, int zero, const char *func)
{
    if (size > POOL_MAX_BYTES || xsw_rt_alloc_should_fail())
        return NULL;
    struct pool_entry *e = calloc(1, sizeof *e);
    void *p = NULL;
    if (!e || posix_memalign(&p, MEMORY_ALLOCATION_ALIGNMENT, size ? size : 1) != 0) {
        free(e);
        return NULL;
    }
    memset(p, zero ? 0 : POOL_FILL_NEW, size);
    e->ptr = p;
    e->size = size;
    e->tag = tag;
    e->func = func;
    e->actor = tls_actor;
    e->state = POOL_LIVE;
    pthread_mutex_lock(&pool_mu);
    /* An address leaves the quarantine before free() can hand it out again. */
    struct pool_entry *old = pool_find(p, NULL);
    if (old)
        pool_release(old);
    e->serial = ++pool_serial;
    unsigned h = pool_hash(p);
    e->next = pool_tab[h];
    pool_tab[h] = e;
    pthread_mutex_unlock(&pool_mu);
    return p;
}

int xsw_rt_pool_free(void *p, uint32_t tag, int check_tag, const char *func)
{
    char t1[8], t2[8];
    if (!p) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "%s(NULL)", func);
        return -1;
    }
    pthread_mutex_lock(&pool_mu);
    struct pool_entry *e = pool_find(p, NULL);
    if (!e) {
        pthread_mutex_unlock(&pool_mu);
        xsw_rt_finding(XSW_F_DOUBLE_FREE, 0, "%s(%p): not a pool allocation (or freed long ago)", func, p);
        return -1;
    }
    if (e->state == POOL_FREED) {
        uint64_t serial = e->serial;
        pthread_mutex_unlock(&pool_mu);
        xsw_rt_finding(XSW_F_DOUBLE_FREE, serial, "%s(%p): allocation #%llu was freed already", func, p,
                       (unsigned long long)serial);
        return -1;
    }
    if (check_tag && e->tag != tag) {
        uint32_t want = e->tag;
        uint64_t serial = e->serial;
        pthread_mutex_unlock(&pool_mu);
        xsw_rt_finding(XSW_F_TAG_MISMATCH, serial, "%s(%p, '%s'): allocation #%llu has tag '%s'; not freed", func, p,
                       xsw_rt_tag_str(tag, t1), (unsigned long long)serial, xsw_rt_tag_str(want, t2));
        return -1;
    }
    e->state = POOL_FREED;
    memset(p, POOL_FILL_FREED, e->size);
    struct pool_entry *evict = quarantine[quarantine_next];
    quarantine[quarantine_next] = e;
    quarantine_next = (quarantine_next + 1) % POOL_QUARANTINE;
    if (evict)
        pool_release(evict);
    pthread_mutex_unlock(&pool_mu);
    return 0;
}

static int cmp_leak(const void *a, const void *b)
{
    const struct xsw_pool_leak *x = a, *y = b;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

size_t xsw_rt_pool_leaks(unsigned actor, void (*cb)(const struct xsw_pool_leak *, void *), void *ctx)
{
    size_t n = 0, cap = 0;
    struct xsw_pool_leak *v = NULL;
    pthread_mutex_lock(&pool_mu);
    for (unsigned b = 0; b < POOL_BUCKETS; b++) {
        for (struct pool_entry *e = pool_tab[b]; e; e = e->next) {
            if (e->state != POOL_LIVE || e->actor != actor)
                continue;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                struct xsw_pool_leak *nv = realloc(v, ncap * sizeof *nv);
                if (!nv)
                    goto out;
                v = nv;
                cap = ncap;
            }
            v[n].ptr = e->ptr;
            v[n].tag = e->tag;
            v[n].size = e->size;
            v[n].serial = e->serial;
            n++;
        }
    }
out:
    pthread_mutex_unlock(&pool_mu);
    if (n)
        qsort(v, n, sizeof *v, cmp_leak);
    if (cb)
        for (size_t i = 0; i < n; i++)
            cb(&v[i], ctx);
    free(v);
    return n;
}

void xsw_rt_pool_usage(unsigned actor, size_t *bytes, size_t *count)
{
    size_t b = 0, c = 0;
    pthread_mutex_lock(&pool_mu);
    for (unsigned i = 0; i < POOL_BUCKETS; i++) {
        for (struct pool_entry *e = pool_tab[i]; e; e = e->next) {
            if (e->state == POOL_LIVE && e->actor == actor) {
                b += e->size;
                c++;
            }
        }
    }
    pthread_mutex_unlock(&pool_mu);
    if (bytes)
        *bytes = b;
    if (count)
        *count = c;
}

void xsw_rt_pool_forget(unsigned actor)
{
    pthread_mutex_lock(&pool_mu);
    for (unsigned i = 0; i < POOL_BUCKETS; i++) {
        struct pool_entry **l = &pool_tab[i];
        while (*l) {
            struct pool_entry *e = *l;
            if (e->state == POOL_LIVE && e->actor == actor) {
                *l = e->next;
                free(e->ptr);
                free(e);
            } else {
                l = &e->next;
            }
        }
    }
    pthread_mutex_unlock(&pool_mu);
}

/* Pool type/flags checks shared by the Ex allocators. */
static int pool_irql_ok(const char *func, int paged)
{
    return xsw_rt_check_irql_max(func, paged ? XSW_APC_LEVEL : XSW_DISPATCH_LEVEL);
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    xsw_rt_ndis_call("ExAllocatePool2", Flags, NumberOfBytes, Tag);
    POOL_FLAGS kind = Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    if (kind != POOL_FLAG_NON_PAGED && kind != POOL_FLAG_NON_PAGED_EXECUTE && kind != POOL_FLAG_PAGED) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, Flags,
                       "ExAllocatePool2: Flags 0x%llx must name exactly one of POOL_FLAG_NON_PAGED, "
                       "POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED",
                       (unsigned long long)Flags);
        return NULL;
    }
    pool_irql_ok("ExAllocatePool2", kind == POOL_FLAG_PAGED);
    return xsw_rt_pool_alloc(NumberOfBytes, Tag, !(Flags & POOL_FLAG_UNINITIALIZED), "ExAllocatePool2");
}

static int pool_type_paged(POOL_TYPE t)
{
    return ((unsigned)t & 1u) != 0 && t != NonPagedPoolNx && t != NonPagedPoolNxCacheAligned;
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    xsw_rt_ndis_call("ExAllocatePoolWithTag", (uint64_t)PoolType, NumberOfBytes, Tag);
    pool_irql_ok("ExAllocatePoolWithTag", pool_type_paged(PoolType));
    return xsw_rt_pool_alloc(NumberOfBytes, Tag, 0, "ExAllocatePoolWithTag");
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    xsw_rt_ndis_call("ExAllocatePoolZero", (uint64_t)PoolType, NumberOfBytes, Tag);
    pool_irql_ok("ExAllocatePoolZero", pool_type_paged(PoolType));
    return xsw_rt_pool_alloc(NumberOfBytes, Tag, 1, "ExAllocatePoolZero");
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    xsw_rt_ndis_call("ExAllocatePoolUninitialized", (uint64_t)PoolType, NumberOfBytes, Tag);
    pool_irql_ok("ExAllocatePoolUninitialized", pool_type_paged(PoolType));
    return xsw_rt_pool_alloc(NumberOfBytes, Tag, 0, "ExAllocatePoolUninitialized");
}

/* The WDK documents 'enoN' ("None") as the tag ExAllocatePool uses. */
#define XSW_TAG_NONE 0x656e6f4eu

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    xsw_rt_ndis_call("ExAllocatePool", (uint64_t)PoolType, NumberOfBytes, 0);
    pool_irql_ok("ExAllocatePool", pool_type_paged(PoolType));
    return xsw_rt_pool_alloc(NumberOfBytes, XSW_TAG_NONE, 0, "ExAllocatePool");
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    xsw_rt_ndis_call("ExFreePoolWithTag", (uintptr_t)P, Tag, 0);
    xsw_rt_check_irql_max("ExFreePoolWithTag", XSW_DISPATCH_LEVEL);
    xsw_rt_pool_free(P, Tag, 1, "ExFreePoolWithTag");
}

VOID ExFreePool(PVOID P)
{
    xsw_rt_ndis_call("ExFreePool", (uintptr_t)P, 0, 0);
    xsw_rt_check_irql_max("ExFreePool", XSW_DISPATCH_LEVEL);
    xsw_rt_pool_free(P, 0, 0, "ExFreePool");
}

PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag, EX_POOL_PRIORITY Priority)
{
    (void)NdisHandle;
    xsw_rt_ndis_call("NdisAllocateMemoryWithTagPriority", Length, Tag, (uint64_t)Priority);
    xsw_rt_check_irql_max("NdisAllocateMemoryWithTagPriority", XSW_DISPATCH_LEVEL);
    return xsw_rt_pool_alloc(Length, Tag, 0, "NdisAllocateMemoryWithTagPriority");
}

NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag)
{
    xsw_rt_ndis_call("NdisAllocateMemoryWithTag", Length, Tag, 0);
    xsw_rt_check_irql_max("NdisAllocateMemoryWithTag", XSW_DISPATCH_LEVEL);
    if (!VirtualAddress) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAllocateMemoryWithTag: NULL VirtualAddress");
        return NDIS_STATUS_FAILURE;
    }
    *VirtualAddress = xsw_rt_pool_alloc(Length, Tag, 0, "NdisAllocateMemoryWithTag");
    return *VirtualAddress ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, ULONG Tag)
{
    (void)NdisHandle;
    xsw_rt_ndis_call("NdisFreeMemoryWithTagPriority", (uintptr_t)VirtualAddress, Tag, 0);
    xsw_rt_check_irql_max("NdisFreeMemoryWithTagPriority", XSW_DISPATCH_LEVEL);
    xsw_rt_pool_free(VirtualAddress, Tag, 1, "NdisFreeMemoryWithTagPriority");
}

VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags)
{
    xsw_rt_ndis_call("NdisFreeMemory", (uintptr_t)VirtualAddress, Length, MemoryFlags);
    xsw_rt_check_irql_max("NdisFreeMemory", XSW_DISPATCH_LEVEL);
    xsw_rt_pool_free(VirtualAddress, 0, 0, "NdisFreeMemory");
}

SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const unsigned char *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

/* ---- Object registry ----------------------------------------------------- */

static pthread_mutex_t obj_mu = PTHREAD_MUTEX_INITIALIZER;
static struct xsw_rt_obj obj_head = { &obj_head, &obj_head, 0, NULL, 0, 0, 0, 0, NULL };
/*
 * Forgotten objects (their actor was unloaded) move here: still reachable, so
 * the switch may keep using an NBL it holds and leak checkers stay quiet.
 */
static struct xsw_rt_obj obj_graveyard = { &obj_graveyard, &obj_graveyard, 0, NULL, 0, 0, 0, 0, NULL };
static uint64_t id_counter;

uint64_t xsw_rt_next_id(void)
{
    return __atomic_add_fetch(&id_counter, 1, __ATOMIC_RELAXED);
}

void xsw_rt_obj_track(struct xsw_rt_obj *o, unsigned kind, const void *ptr, uint32_t tag, const char *func)
{
    o->kind = kind;
    o->ptr = ptr;
    o->tag = tag;
    o->func = func;
    o->actor = tls_actor;
    o->serial = xsw_rt_next_id();
    pthread_mutex_lock(&obj_mu);
    o->prev = obj_head.prev;
    o->next = &obj_head;
    obj_head.prev->next = o;
    obj_head.prev = o;
    o->tracked = 1;
    pthread_mutex_unlock(&obj_mu);
}

void xsw_rt_obj_untrack(struct xsw_rt_obj *o)
{
    pthread_mutex_lock(&obj_mu);
    if (o->tracked) {
        o->prev->next = o->next;
        o->next->prev = o->prev;
        o->prev = o->next = NULL;
        o->tracked = 0;
    }
    pthread_mutex_unlock(&obj_mu);
}

static const char *obj_kind_name(unsigned kind)
{
    switch ((enum xsw_rt_obj_kind)kind) {
    case XSW_RT_OBJ_NBL_POOL:
        return "NET_BUFFER_LIST pool";
    case XSW_RT_OBJ_NB_POOL:
        return "NET_BUFFER pool";
    case XSW_RT_OBJ_NBL:
        return "NET_BUFFER_LIST";
    case XSW_RT_OBJ_NB:
        return "NET_BUFFER";
    case XSW_RT_OBJ_MDL:
        return "MDL";
    case XSW_RT_OBJ_NBL_CONTEXT:
        return "NET_BUFFER_LIST context";
    case XSW_RT_OBJ_RW_LOCK:
        return "NDIS_RW_LOCK_EX";
    }
    return "object";
}

/* Objects are appended, so the list is in allocation order already. */
size_t xsw_rt_obj_leaks(unsigned actor, void (*cb)(const struct xsw_rt_obj_leak *, void *), void *ctx)
{
    size_t n = 0, cap = 0;
    struct xsw_rt_obj_leak *v = NULL;
    pthread_mutex_lock(&obj_mu);
    for (struct xsw_rt_obj *o = obj_head.next; o != &obj_head; o = o->next) {
        if (o->actor != actor)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            struct xsw_rt_obj_leak *nv = realloc(v, ncap * sizeof *nv);
            if (!nv)
                break;
            v = nv;
            cap = ncap;
        }
        v[n].ptr = o->ptr;
        v[n].kind = o->kind;
        v[n].what = obj_kind_name(o->kind);
        v[n].func = o->func;
        v[n].tag = o->tag;
        v[n].id = o->kind == XSW_RT_OBJ_NBL ? xsw_rt_nbl_id(o->ptr) : 0;
        v[n].serial = o->serial;
        n++;
    }
    pthread_mutex_unlock(&obj_mu);
    if (cb)
        for (size_t i = 0; i < n; i++)
            cb(&v[i], ctx);
    free(v);
    return n;
}

void xsw_rt_obj_forget(unsigned actor)
{
    pthread_mutex_lock(&obj_mu);
    struct xsw_rt_obj *o = obj_head.next;
    while (o != &obj_head) {
        struct xsw_rt_obj *next = o->next;
        if (o->actor == actor) {
            o->prev->next = o->next;
            o->next->prev = o->prev;
            o->prev = obj_graveyard.prev;
            o->next = &obj_graveyard;
            obj_graveyard.prev->next = o;
            obj_graveyard.prev = o;
            o->tracked = 2;
        }
        o = next;
    }
    pthread_mutex_unlock(&obj_mu);
}

/* ---- Spin locks ---------------------------------------------------------- */

/*
 * KSPIN_LOCK holds the owner's thread token (0 = free). Acquiring a lock the
 * calling thread already holds deadlocks on Windows: recorded, not blocked.
 * Releasing a lock the thread does not hold is recorded and ignored.
 */
static int spin_acquire(PKSPIN_LOCK lock, const char *func)
{
    ULONG_PTR me = thread_token();
    ULONG_PTR cur = __atomic_load_n(lock, __ATOMIC_ACQUIRE);
    if (cur == me) {
        xsw_rt_finding(XSW_F_LOCK_MISUSE, 0, "%s(%p): the lock is already held by this thread (deadlock on Windows)",
                       func, (void *)lock);
        return 0;
    }
    for (;;) {
        ULONG_PTR expect = 0;
        if (__atomic_compare_exchange_n(lock, &expect, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            break;
        sched_yield();
    }
    tls_locks++;
    return 1;
}

static int spin_release(PKSPIN_LOCK lock, const char *func)
{
    ULONG_PTR me = thread_token();
    ULONG_PTR cur = __atomic_load_n(lock, __ATOMIC_RELAXED);
    if (cur != me) {
        xsw_rt_finding(XSW_F_LOCK_MISUSE, 0, "%s(%p): the lock is not held by this thread%s", func, (void *)lock,
                       cur ? " (held by another thread)" : "");
        return 0;
    }
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
    if (tls_locks)
        tls_locks--;
    return 1;
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("KeAcquireSpinLock", (uintptr_t)SpinLock, 0, 0);
    xsw_rt_check_irql_max("KeAcquireSpinLock", XSW_DISPATCH_LEVEL);
    KIRQL old = (KIRQL)tls_irql;
    if (spin_acquire(SpinLock, "KeAcquireSpinLock") && tls_irql < DISPATCH_LEVEL)
        tls_irql = DISPATCH_LEVEL;
    return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    xsw_rt_ndis_call("KeReleaseSpinLock", (uintptr_t)SpinLock, NewIrql, 0);
    if (spin_release(SpinLock, "KeReleaseSpinLock"))
        tls_irql = NewIrql;
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("KeAcquireSpinLockAtDpcLevel", (uintptr_t)SpinLock, 0, 0);
    if (tls_irql != DISPATCH_LEVEL)
        xsw_rt_finding(XSW_F_IRQL_VIOLATION, tls_irql, "KeAcquireSpinLockAtDpcLevel called at %s; it requires DISPATCH_LEVEL",
                       xsw_rt_irql_name(tls_irql));
    spin_acquire(SpinLock, "KeAcquireSpinLockAtDpcLevel");
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("KeReleaseSpinLockFromDpcLevel", (uintptr_t)SpinLock, 0, 0);
    spin_release(SpinLock, "KeReleaseSpinLockFromDpcLevel");
}

VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("NdisAllocateSpinLock", (uintptr_t)SpinLock, 0, 0);
    SpinLock->SpinLock = 0;
    SpinLock->OldIrql = PASSIVE_LEVEL;
}

VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("NdisFreeSpinLock", (uintptr_t)SpinLock, 0, 0);
    if (__atomic_load_n(&SpinLock->SpinLock, __ATOMIC_RELAXED) != 0)
        xsw_rt_finding(XSW_F_LOCK_MISUSE, 0, "NdisFreeSpinLock(%p): the lock is still held", (void *)SpinLock);
}

VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("NdisAcquireSpinLock", (uintptr_t)SpinLock, 0, 0);
    xsw_rt_check_irql_max("NdisAcquireSpinLock", XSW_DISPATCH_LEVEL);
    KIRQL old = (KIRQL)tls_irql;
    if (!spin_acquire(&SpinLock->SpinLock, "NdisAcquireSpinLock"))
        return;
    SpinLock->OldIrql = old;
    if (tls_irql < DISPATCH_LEVEL)
        tls_irql = DISPATCH_LEVEL;
}

VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("NdisReleaseSpinLock", (uintptr_t)SpinLock, 0, 0);
    KIRQL old = SpinLock->OldIrql; /* read before another thread can take the lock */
    if (spin_release(&SpinLock->SpinLock, "NdisReleaseSpinLock"))
        tls_irql = old;
}

VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("NdisDprAcquireSpinLock", (uintptr_t)SpinLock, 0, 0);
    if (tls_irql != DISPATCH_LEVEL)
        xsw_rt_finding(XSW_F_IRQL_VIOLATION, tls_irql, "NdisDprAcquireSpinLock called at %s; it requires DISPATCH_LEVEL",
                       xsw_rt_irql_name(tls_irql));
    spin_acquire(&SpinLock->SpinLock, "NdisDprAcquireSpinLock");
}

VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    xsw_rt_ndis_call("NdisDprReleaseSpinLock", (uintptr_t)SpinLock, 0, 0);
    spin_release(&SpinLock->SpinLock, "NdisDprReleaseSpinLock");
}

/* ---- NDIS RW locks ------------------------------------------------------- */

#define RW_MAGIC 0x4b434f4c57525358ULL /* "XSRWLOCK" */
#define RW_DEAD 0x444145444b434f4cULL
#define RW_MAX_READERS 64

/* LOCK_STATE_EX.LockState values (private to NDIS, so to the runtime). */
enum { LS_NONE = 0, LS_READ = 1, LS_WRITE = 2, LS_NESTED = 3, LS_REFUSED = 4, LS_RELEASED = 5 };

struct _NDIS_RW_LOCK_EX {
    uint64_t magic;
    struct xsw_rt_obj obj;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ULONG_PTR writer; /* thread token of the writer, 0 = none */
    unsigned readers;
    struct {
        ULONG_PTR token;
        unsigned count;
    } rd[RW_MAX_READERS];
};

#define RW_DEAD_KEEP 64
static PNDIS_RW_LOCK_EX rw_dead[RW_DEAD_KEEP];
static unsigned rw_dead_next;

PNDIS_RW_LOCK_EX NdisAllocateRWLock(NDIS_HANDLE NdisHandle)
{
    (void)NdisHandle;
    xsw_rt_ndis_call("NdisAllocateRWLock", (uintptr_t)NdisHandle, 0, 0);
    xsw_rt_check_irql_max("NdisAllocateRWLock", XSW_DISPATCH_LEVEL);
    if (xsw_rt_alloc_should_fail())
        return NULL;
    PNDIS_RW_LOCK_EX l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->magic = RW_MAGIC;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    xsw_rt_obj_track(&l->obj, XSW_RT_OBJ_RW_LOCK, l, 0, "NdisAllocateRWLock");
    return l;
}

static int rw_valid(PNDIS_RW_LOCK_EX Lock, const char *func)
{
    if (Lock && Lock->magic == RW_MAGIC)
        return 1;
    xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "%s(%p): not a lock from NdisAllocateRWLock%s", func, (void *)Lock,
                   Lock && Lock->magic == RW_DEAD ? " (freed already)" : "");
    return 0;
}

VOID NdisFreeRWLock(PNDIS_RW_LOCK_EX Lock)
{
    xsw_rt_ndis_call("NdisFreeRWLock", (uintptr_t)Lock, 0, 0);
    if (!rw_valid(Lock, "NdisFreeRWLock"))
        return;
    pthread_mutex_lock(&Lock->mu);
    int busy = Lock->writer != 0 || Lock->readers != 0;
    pthread_mutex_unlock(&Lock->mu);
    if (busy) {
        xsw_rt_finding(XSW_F_LOCK_MISUSE, 0, "NdisFreeRWLock(%p): the lock is still held; not freed", (void *)Lock);
        return;
    }
    xsw_rt_obj_untrack(&Lock->obj);
    /* The block stays allocated (marked dead) for a while so a later use is recognised. */
    Lock->magic = RW_DEAD;
    pthread_mutex_lock(&obj_mu);
    PNDIS_RW_LOCK_EX evict = rw_dead[rw_dead_next];
    rw_dead[rw_dead_next] = Lock;
    rw_dead_next = (rw_dead_next + 1) % RW_DEAD_KEEP;
    pthread_mutex_unlock(&obj_mu);
    if (evict) {
        pthread_mutex_destroy(&evict->mu);
        pthread_cond_destroy(&evict->cv);
        free(evict);
    }
}

/* The read-count slot of the calling thread, creating it if "create". Lock held. */
static unsigned *rw_my_reads(PNDIS_RW_LOCK_EX l, ULONG_PTR me, int create)
{
    for (unsigned i = 0; i < RW_MAX_READERS; i++)
        if (l->rd[i].token == me && l->rd[i].count)
            return &l->rd[i].count;
    if (!create)
        return NULL;
    for (unsigned i = 0; i < RW_MAX_READERS; i++) {
        if (l->rd[i].count == 0) {
            l->rd[i].token = me;
            return &l->rd[i].count;
        }
    }
    return NULL;
}

/* IRQL handling common to both acquisitions; returns the IRQL to restore. */
static KIRQL rw_enter_irql(UCHAR Flags, const char *func)
{
    KIRQL old = (KIRQL)tls_irql;
    xsw_rt_check_irql_max(func, XSW_DISPATCH_LEVEL);
    if ((Flags & NDIS_RWL_AT_DISPATCH_LEVEL) && tls_irql != DISPATCH_LEVEL)
        xsw_rt_finding(XSW_F_IRQL_VIOLATION, tls_irql,
                       "%s with NDIS_RWL_AT_DISPATCH_LEVEL called at %s; the flag requires DISPATCH_LEVEL", func,
                       xsw_rt_irql_name(tls_irql));
    return old;
}

VOID NdisAcquireRWLockRead(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags)
{
    xsw_rt_ndis_call("NdisAcquireRWLockRead", (uintptr_t)Lock, (uintptr_t)LockState, Flags);
    if (!LockState) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAcquireRWLockRead: NULL LockState");
        return;
    }
    LockState->LockState = LS_NONE;
    LockState->Flags = Flags;
    if (!rw_valid(Lock, "NdisAcquireRWLockRead"))
        return;
    LockState->OldIrql = rw_enter_irql(Flags, "NdisAcquireRWLockRead");
    ULONG_PTR me = thread_token();
    pthread_mutex_lock(&Lock->mu);
    if (Lock->writer == me) {
        /* The thread holds it for write: a read acquisition is a no-op. */
        LockState->LockState = LS_NESTED;
    } else {
        unsigned *mine = rw_my_reads(Lock, me, 0);
        /* Recursive readers never wait; new readers wait for a writer. */
        while (!mine && Lock->writer != 0)
            pthread_cond_wait(&Lock->cv, &Lock->mu);
        if (!mine)
            mine = rw_my_reads(Lock, me, 1);
        if (mine) {
            (*mine)++;
            Lock->readers++;
            LockState->LockState = LS_READ;
        } else {
            LockState->LockState = LS_REFUSED;
        }
    }
    pthread_mutex_unlock(&Lock->mu);
    if (LockState->LockState == LS_REFUSED)
        xsw_rt_finding(XSW_F_LOCK_MISUSE, RW_MAX_READERS, "NdisAcquireRWLockRead(%p): more than %u reader threads",
                       (void *)Lock, RW_MAX_READERS);
    tls_locks++;
    if (tls_irql < DISPATCH_LEVEL)
        tls_irql = DISPATCH_LEVEL;
}

VOID NdisAcquireRWLockWrite(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags)
{
    xsw_rt_ndis_call("NdisAcquireRWLockWrite", (uintptr_t)Lock, (uintptr_t)LockState, Flags);
    if (!LockState) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAcquireRWLockWrite: NULL LockState");
        return;
    }
    LockState->LockState = LS_NONE;
    LockState->Flags = Flags;
    if (!rw_valid(Lock, "NdisAcquireRWLockWrite"))
        return;
    LockState->OldIrql = rw_enter_irql(Flags, "NdisAcquireRWLockWrite");
    ULONG_PTR me = thread_token();
    const char *why = NULL;
    pthread_mutex_lock(&Lock->mu);
    if (Lock->writer == me) {
        why = "for write";
    } else if (rw_my_reads(Lock, me, 0)) {
        why = "for read";
    } else {
        while (Lock->writer != 0 || Lock->readers != 0)
            pthread_cond_wait(&Lock->cv, &Lock->mu);
        Lock->writer = me;
        LockState->LockState = LS_WRITE;
    }
    pthread_mutex_unlock(&Lock->mu);
    if (why) {
        LockState->LockState = LS_REFUSED;
        xsw_rt_finding(XSW_F_LOCK_MISUSE, 0,
                       "NdisAcquireRWLockWrite(%p): the thread already holds the lock %s (deadlock on Windows)",
                       (void *)Lock, why);
    }
    tls_locks++;
    if (tls_irql < DISPATCH_LEVEL)
        tls_irql = DISPATCH_LEVEL;
}

VOID NdisReleaseRWLock(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState)
{
    xsw_rt_ndis_call("NdisReleaseRWLock", (uintptr_t)Lock, (uintptr_t)LockState, 0);
    if (!LockState) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisReleaseRWLock: NULL LockState");
        return;
    }
    if (!rw_valid(Lock, "NdisReleaseRWLock"))
        return;
    ULONG_PTR me = thread_token();
    int bad = 0;
    switch (LockState->LockState) {
    case LS_READ: {
        pthread_mutex_lock(&Lock->mu);
        unsigned *mine = rw_my_reads(Lock, me, 0);
        if (mine) {
            (*mine)--;
            Lock->readers--;
            pthread_cond_broadcast(&Lock->cv);
        } else {
            bad = 1;
        }
        pthread_mutex_unlock(&Lock->mu);
        break;
    }
    case LS_WRITE:
        pthread_mutex_lock(&Lock->mu);
        if (Lock->writer == me) {
            Lock->writer = 0;
            pthread_cond_broadcast(&Lock->cv);
        } else {
            bad = 1;
        }
        pthread_mutex_unlock(&Lock->mu);
        break;
    case LS_NESTED:
    case LS_REFUSED:
        break;
    default:
        bad = 1;
        break;
    }
    if (bad) {
        xsw_rt_finding(XSW_F_LOCK_MISUSE, LockState->LockState,
                       "NdisReleaseRWLock(%p): LockState %p does not describe an acquisition this thread holds",
                       (void *)Lock, (void *)LockState);
        return;
    }
    LockState->LockState = LS_RELEASED;
    if (tls_locks)
        tls_locks--;
    tls_irql = LockState->OldIrql;
}

/* ---- Events -------------------------------------------------------------- */

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    memset(Event, 0, sizeof *Event);
    Event->Header.Type = (UCHAR)Type;
    Event->Header.Size = (UCHAR)(sizeof *Event / sizeof(LONG));
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    xsw_rt_check_irql_max("KeSetEvent", XSW_DISPATCH_LEVEL);
    return __atomic_exchange_n(&Event->Header.SignalState, 1, __ATOMIC_SEQ_CST);
}

LONG KeResetEvent(PRKEVENT Event)
{
    xsw_rt_check_irql_max("KeResetEvent", XSW_DISPATCH_LEVEL);
    return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

VOID KeClearEvent(PRKEVENT Event)
{
    __atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_SEQ_CST);
}

/* Consume the signal of a synchronization event; report whether it was set. */
static int event_take(PRKEVENT ev)
{
    if (ev->Header.Type == SynchronizationEvent) {
        LONG one = 1;
        return __atomic_compare_exchange_n(&ev->Header.SignalState, &one, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    return __atomic_load_n(&ev->Header.SignalState, __ATOMIC_SEQ_CST) != 0;
}

/*
 * Wait for "ev": while it is not signaled, let deferred work run. "forever"
 * waits end when no work is left (a kernel thread would block for ever: a
 * TIMEOUT finding, FALSE). Timed waits then consume their timeout in virtual
 * time and fail without a finding, as a real timeout does.
 */
#define WAIT_MAX_STEPS 1000000u

static int event_wait(PRKEVENT ev, int forever, uint64_t timeout, const char *func)
{
    for (unsigned steps = 0; steps < WAIT_MAX_STEPS; steps++) {
        if (event_take(ev))
            return 1;
        if (!xsw_rt_run_deferred())
            break;
    }
    if (event_take(ev))
        return 1;
    if (forever) {
        xsw_rt_finding(XSW_F_TIMEOUT, 0,
                       "%s(%p): waiting without a timeout for an event nobody will signal (no pending work left); "
                       "this hangs on Windows",
                       func, (void *)ev);
        return 0;
    }
    xsw_rt_advance_time(timeout);
    return 0;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                               PLARGE_INTEGER Timeout)
{
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;
    xsw_rt_ndis_call("KeWaitForSingleObject", (uintptr_t)Object, Timeout ? (uint64_t)Timeout->QuadPart : 0, 0);
    PRKEVENT ev = Object;
    if (!ev) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "KeWaitForSingleObject(NULL)");
        return STATUS_INVALID_PARAMETER;
    }
    uint64_t rel = Timeout ? relative_timeout(Timeout) : 0;
    /* A non-zero wait needs IRQL <= APC_LEVEL; polling (zero timeout) works up to DISPATCH. */
    xsw_rt_check_irql_max("KeWaitForSingleObject", (Timeout && rel == 0) ? XSW_DISPATCH_LEVEL : XSW_APC_LEVEL);
    if (Timeout && rel == 0)
        return event_take(ev) ? STATUS_SUCCESS : STATUS_TIMEOUT;
    return event_wait(ev, Timeout == NULL, rel, "KeWaitForSingleObject") ? STATUS_SUCCESS : STATUS_TIMEOUT;
}

VOID NdisInitializeEvent(PNDIS_EVENT Event)
{
    xsw_rt_ndis_call("NdisInitializeEvent", (uintptr_t)Event, 0, 0);
    KeInitializeEvent(&Event->Event, NotificationEvent, FALSE);
}

VOID NdisSetEvent(PNDIS_EVENT Event)
{
    xsw_rt_ndis_call("NdisSetEvent", (uintptr_t)Event, 0, 0);
    xsw_rt_check_irql_max("NdisSetEvent", XSW_DISPATCH_LEVEL);
    __atomic_store_n(&Event->Event.Header.SignalState, 1, __ATOMIC_SEQ_CST);
}

VOID NdisResetEvent(PNDIS_EVENT Event)
{
    xsw_rt_ndis_call("NdisResetEvent", (uintptr_t)Event, 0, 0);
    xsw_rt_check_irql_max("NdisResetEvent", XSW_DISPATCH_LEVEL);
    __atomic_store_n(&Event->Event.Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

BOOLEAN NdisWaitEvent(PNDIS_EVENT Event, UINT MsToWait)
{
    xsw_rt_ndis_call("NdisWaitEvent", (uintptr_t)Event, MsToWait, 0);
    xsw_rt_check_irql_max("NdisWaitEvent", XSW_PASSIVE_LEVEL);
    return event_wait(&Event->Event, MsToWait == 0, (uint64_t)MsToWait * 10000u, "NdisWaitEvent") ? TRUE : FALSE;
}

/* ---- Assertions ---------------------------------------------------------- */

VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage)
{
    xsw_rt_finding(XSW_F_CRASH, LineNumber, "assertion failed at %s:%u: %s%s%s", (const char *)VoidFileName,
                   (unsigned)LineNumber, (const char *)VoidFailedAssertion, MutableMessage ? " - " : "",
                   MutableMessage ? MutableMessage : "");
}
