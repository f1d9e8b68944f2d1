/*
 * nbl.c - NET_BUFFER_LIST / NET_BUFFER / MDL pools and operations of the
 * user-mode NDIS runtime.
 *
 * Normative: the learn.microsoft.com ndis/nblapi.h DDI pages and "Retreat
 * Operations" / "Advance Operations" / "Cloned NET_BUFFER_LIST structures" /
 * "Fragmented NET_BUFFER_LIST structures" in the NDIS network guide.
 *
 * Model.
 *  - Pools hand out fixed-size blocks and keep freed ones on a free list, so
 *    a double free of an NBL or NB is recognised by the block's magic. A
 *    block is: private bookkeeping, struct xsw_rt_nbl_hdr (rt.h: the NBL id),
 *    the NET_BUFFER_LIST, then the pool's preallocated context area, NET_BUFFER
 *    (fAllocateNetBuffer) and MDL + data buffer (DataSize).
 *  - An NB from a DataSize pool starts with all its data space unused:
 *    DataOffset = DataSize, DataLength = 0, so that a retreat claims it (the
 *    way Open vSwitch's fixed-size NBLs are used).
 *  - Retreating past the unused data space allocates a new MDL (DataOffsetDelta
 *    + DataBackFill bytes, data at its end) in front of the used data. When
 *    the used data does not start at the beginning of the current MDL, a
 *    runtime-private partial MDL describes the rest of that MDL so that the
 *    chain stays contiguous; the original chain and DataOffset are restored
 *    when an advance with FreeMdl moves past the new MDL again. The records
 *    live in NET_BUFFER.NdisReserved[0..1], which belong to NDIS.
 *  - Clones and fragments get runtime-private MDLs that describe exactly the
 *    used data of the original (DataOffset 0), unless the clone is made with
 *    NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS: a retreat on them never writes into
 *    the original's buffers.
 *  - NBLs, NBs, MDLs, pools and NBL contexts an extension allocates are
 *    tracked per actor (xsw_rt_obj_leaks). Misuse is recorded as a finding
 *    and the call returns without acting.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rt_priv.h"

#define NBL_LIVE 0x4556494c4c424e58ULL     /* "XNBLLIVE" */
#define NBL_FREE 0x454552464c424e58ULL     /* "XNBLFREE" */
#define NB_LIVE 0x4556494c20424e58ULL      /* "XNB LIVE" */
#define NB_FREE 0x455245462042424eULL
#define MDL_LIVE 0x4556494c4c444d58ULL     /* "XMDLLIVE" */
#define MDL_FREE 0x454552464c444d58ULL
#define CTX_LIVE 0x4556494c5854434eULL
#define NBLPOOL_MAGIC 0x4c4f4f504c424e58ULL /* "XNBLPOOL" */
#define NBPOOL_MAGIC 0x4c4f4f50424e5820ULL
#define POOL_DEAD 0x444145444c4f4f50ULL
#define NBPRIV_MAGIC 0x5652504e42535758ULL
#define NBPRIV_TOKEN ((PVOID)(uintptr_t)0x5652504e42535758ULL)
#define XSW_DATA_MAX (64u << 20) /* largest data buffer the runtime allocates */

static pthread_mutex_t nbl_mu = PTHREAD_MUTEX_INITIALIZER;

static size_t align16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}

/*
 * The addresses of the objects the runtime (or xsw_rt_frame_init) made. A
 * pointer an extension passes in is looked up here before the runtime reads
 * its private header in front of it, so foreign pointers are never
 * dereferenced. An address stays registered as long as its memory belongs
 * to the runtime (also while freed blocks wait on a free list or in a
 * quarantine), which is what makes double frees recognisable.
 */
enum known_kind { K_NBL = 1, K_NB, K_MDL, K_CTX };

struct known {
    struct known *next;
    const void *p;
    uint32_t kind;
};

#define KNOWN_BUCKETS 16384u
static pthread_mutex_t known_mu = PTHREAD_MUTEX_INITIALIZER;
static struct known *known_tab[KNOWN_BUCKETS];

static unsigned known_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 31;
    x *= 0x9e3779b97f4a7c15ULL;
    return (unsigned)(x >> 50) % KNOWN_BUCKETS;
}

/* Register "p" (idempotent: no allocation when it is known already). */
static int known_add(const void *p, uint32_t kind)
{
    unsigned h = known_hash(p);
    pthread_mutex_lock(&known_mu);
    for (struct known *k = known_tab[h]; k; k = k->next) {
        if (k->p == p) {
            k->kind = kind;
            pthread_mutex_unlock(&known_mu);
            return 1;
        }
    }
    struct known *k = malloc(sizeof *k);
    if (k) {
        k->p = p;
        k->kind = kind;
        k->next = known_tab[h];
        known_tab[h] = k;
    }
    pthread_mutex_unlock(&known_mu);
    return k != NULL;
}

static int known_is(const void *p, uint32_t kind)
{
    int yes = 0;
    if (!p)
        return 0;
    pthread_mutex_lock(&known_mu);
    for (struct known *k = known_tab[known_hash(p)]; k; k = k->next) {
        if (k->p == p) {
            yes = k->kind == kind;
            break;
        }
    }
    pthread_mutex_unlock(&known_mu);
    return yes;
}

static void known_del(const void *p)
{
    pthread_mutex_lock(&known_mu);
    for (struct known **l = &known_tab[known_hash(p)]; *l; l = &(*l)->next) {
        if ((*l)->p == p) {
            struct known *k = *l;
            *l = k->next;
            free(k);
            break;
        }
    }
    pthread_mutex_unlock(&known_mu);
}

/* ---- MDLs ---------------------------------------------------------------- */

struct mdl_block {
    struct xsw_rt_obj obj;
    struct mdl_block *next_owned; /* runtime-private MDLs owned by one NB */
    void *owned_data;             /* buffer the runtime allocated for it */
    uint32_t internal;            /* created by the runtime, not the extension */
    uint32_t pad;
    uint64_t magic;
    MDL mdl;
};

void xsw_rt_mdl_init(PMDL mdl, void *buf, uint32_t len)
{
    MmInitializeMdl(mdl, buf, len);
    mdl->MappedSystemVa = buf;
    mdl->MdlFlags = MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL;
}

static struct mdl_block *mdl_block_of(PMDL m)
{
    return CONTAINING_RECORD(m, struct mdl_block, mdl);
}

/* Freed MDL blocks stay readable for a while so a second free is recognised. */
#define MDL_QUARANTINE 256u
static struct mdl_block *mdl_quarantine[MDL_QUARANTINE];
static unsigned mdl_quarantine_next;

static void mdl_block_free(struct mdl_block *b)
{
    b->magic = MDL_FREE;
    free(b->owned_data);
    b->owned_data = NULL;
    pthread_mutex_lock(&nbl_mu);
    struct mdl_block *evict = mdl_quarantine[mdl_quarantine_next];
    mdl_quarantine[mdl_quarantine_next] = b;
    mdl_quarantine_next = (mdl_quarantine_next + 1) % MDL_QUARANTINE;
    pthread_mutex_unlock(&nbl_mu);
    if (evict) {
        known_del(&evict->mdl);
        free(evict);
    }
}

/* A runtime-private MDL over va[0 .. len); "data" is freed with it if non-NULL. */
static struct mdl_block *mdl_internal(void *va, ULONG len, void *data)
{
    struct mdl_block *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->magic = MDL_LIVE;
    b->internal = 1;
    b->owned_data = data;
    xsw_rt_mdl_init(&b->mdl, va, len);
    if (!known_add(&b->mdl, K_MDL)) {
        free(b);
        return NULL;
    }
    return b;
}

static PMDL mdl_alloc_tracked(PVOID va, ULONG len, int mapped, const char *func)
{
    if (xsw_rt_alloc_should_fail())
        return NULL;
    struct mdl_block *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->magic = MDL_LIVE;
    if (mapped) {
        xsw_rt_mdl_init(&b->mdl, va, len);
    } else {
        MmInitializeMdl(&b->mdl, va, len);
    }
    if (!known_add(&b->mdl, K_MDL)) {
        free(b);
        return NULL;
    }
    xsw_rt_obj_track(&b->obj, XSW_RT_OBJ_MDL, &b->mdl, 0, func);
    return &b->mdl;
}

static void mdl_free_checked(PMDL Mdl, const char *func)
{
    if (!Mdl) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "%s(NULL)", func);
        return;
    }
    if (!known_is(Mdl, K_MDL)) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "%s(%p): not an MDL from NdisAllocateMdl/IoAllocateMdl", func,
                       (void *)Mdl);
        return;
    }
    struct mdl_block *b = mdl_block_of(Mdl);
    if (b->magic == MDL_FREE) {
        xsw_rt_finding(XSW_F_DOUBLE_FREE, 0, "%s(%p): the MDL was freed already", func, (void *)Mdl);
        return;
    }
    if (b->magic != MDL_LIVE) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "%s(%p): not an MDL from NdisAllocateMdl/IoAllocateMdl", func,
                       (void *)Mdl);
        return;
    }
    if (b->internal) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "%s(%p): the MDL belongs to NDIS (allocated by a retreat, clone or fragment)",
                       func, (void *)Mdl);
        return;
    }
    xsw_rt_obj_untrack(&b->obj);
    mdl_block_free(b);
}

PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length)
{
    xsw_rt_ndis_call("NdisAllocateMdl", (uintptr_t)NdisHandle, (uintptr_t)VirtualAddress, Length);
    xsw_rt_check_irql_max("NdisAllocateMdl", XSW_DISPATCH_LEVEL);
    if (!VirtualAddress || Length == 0) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, Length, "NdisAllocateMdl(%p, %u): no buffer", VirtualAddress, Length);
        return NULL;
    }
    return mdl_alloc_tracked(VirtualAddress, Length, 1, "NdisAllocateMdl");
}

VOID NdisFreeMdl(PMDL Mdl)
{
    xsw_rt_ndis_call("NdisFreeMdl", (uintptr_t)Mdl, 0, 0);
    xsw_rt_check_irql_max("NdisFreeMdl", XSW_DISPATCH_LEVEL);
    mdl_free_checked(Mdl, "NdisFreeMdl");
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
{
    (void)SecondaryBuffer;
    (void)ChargeQuota;
    xsw_rt_ndis_call("IoAllocateMdl", (uintptr_t)VirtualAddress, Length, 0);
    xsw_rt_check_irql_max("IoAllocateMdl", XSW_DISPATCH_LEVEL);
    if (Irp) {
        xsw_rt_finding(XSW_F_NOT_SUPPORTED_CALL, 0, "IoAllocateMdl with an IRP is not supported by the harness");
        return NULL;
    }
    return mdl_alloc_tracked(VirtualAddress, Length, 0, "IoAllocateMdl");
}

VOID IoFreeMdl(PMDL Mdl)
{
    xsw_rt_ndis_call("IoFreeMdl", (uintptr_t)Mdl, 0, 0);
    mdl_free_checked(Mdl, "IoFreeMdl");
}

VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    MemoryDescriptorList->MappedSystemVa =
        (PCHAR)MemoryDescriptorList->StartVa + MemoryDescriptorList->ByteOffset;
    MemoryDescriptorList->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + sizeof(PFN_NUMBER) * ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length);
}

PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
    (void)Priority;
    if (!Mdl) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "MmGetSystemAddressForMdlSafe(NULL)");
        return NULL;
    }
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return Mdl->MappedSystemVa;
    /* The runtime's memory is always mapped: map = compute the address. */
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    return Mdl->MappedSystemVa;
}

/* The address of an MDL's first byte without touching its flags. */
static PUCHAR mdl_va(PMDL m)
{
    if (m->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return m->MappedSystemVa;
    return MmGetMdlVirtualAddress(m);
}

/* ---- NET_BUFFER position helpers ----------------------------------------- */

/*
 * Set CurrentMdl/CurrentMdlOffset from DataOffset. At an MDL boundary the
 * current MDL is the next one (offset 0), except at the very end of the
 * chain. Returns 0 if DataOffset lies beyond the chain.
 */
static int nb_set_current(PNET_BUFFER nb)
{
    PMDL m = nb->MdlChain;
    ULONG off = nb->DataOffset;
    if (!m) {
        nb->CurrentMdl = NULL;
        nb->CurrentMdlOffset = 0;
        return off == 0;
    }
    while (off >= m->ByteCount && m->Next) {
        off -= m->ByteCount;
        m = m->Next;
    }
    nb->CurrentMdl = m;
    nb->CurrentMdlOffset = off <= m->ByteCount ? off : m->ByteCount;
    return off <= m->ByteCount;
}

static uint64_t chain_bytes(PMDL m)
{
    uint64_t n = 0;
    for (; m; m = m->Next)
        n += m->ByteCount;
    return n;
}

/*
 * Walk "len" bytes of nb's data from "off" (relative to the data start),
 * calling fn for each contiguous piece. Returns the bytes visited.
 */
static ULONG nb_walk(PNET_BUFFER nb, ULONG off, ULONG len, void (*fn)(PUCHAR p, ULONG n, void *ctx), void *ctx)
{
    PMDL m = nb->MdlChain;
    uint64_t skip = (uint64_t)nb->DataOffset + off;
    ULONG done = 0;
    while (m && skip >= m->ByteCount) {
        skip -= m->ByteCount;
        m = m->Next;
    }
    while (m && done < len) {
        ULONG avail = m->ByteCount - (ULONG)skip;
        ULONG n = avail < len - done ? avail : len - done;
        if (n)
            fn(mdl_va(m) + skip, n, ctx);
        done += n;
        skip = 0;
        m = m->Next;
    }
    return done;
}

struct copy_ctx {
    PUCHAR p;
    int to_nb;
};

static void copy_piece(PUCHAR p, ULONG n, void *vctx)
{
    struct copy_ctx *c = vctx;
    if (c->to_nb)
        memmove(p, c->p, n);
    else
        memmove(c->p, p, n);
    c->p += n;
}

/* ---- Per-NB private state (NdisReserved[0..1]) --------------------------- */

struct retreat_rec {
    struct retreat_rec *prev;
    PMDL added;          /* the MDL in front of the original data */
    PMDL partial;        /* runtime MDL over the rest of the current MDL, or NULL */
    PMDL orig_chain;     /* MdlChain before the retreat */
    ULONG orig_offset;   /* DataOffset before the retreat */
    int from_handler;    /* "added" came from the caller's NetAllocateMdl */
};

struct nb_priv {
    uint64_t magic;
    struct retreat_rec *top;
    struct mdl_block *owned; /* runtime-private MDLs in this NB's chains */
};

static struct nb_priv *nb_priv(PNET_BUFFER nb, int create)
{
    if (nb->NdisReserved[1] == NBPRIV_TOKEN) {
        struct nb_priv *p = nb->NdisReserved[0];
        if (p && p->magic == NBPRIV_MAGIC)
            return p;
    }
    if (!create)
        return NULL;
    struct nb_priv *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->magic = NBPRIV_MAGIC;
    nb->NdisReserved[0] = p;
    nb->NdisReserved[1] = NBPRIV_TOKEN;
    return p;
}

static void priv_own(struct nb_priv *p, struct mdl_block *b)
{
    b->next_owned = p->owned;
    p->owned = b;
}

/* Free one runtime-private MDL owned by "p" (no-op for other MDLs). */
static void priv_drop(struct nb_priv *p, PMDL m)
{
    if (!m)
        return;
    for (struct mdl_block **l = &p->owned; *l; l = &(*l)->next_owned) {
        if (&(*l)->mdl == m) {
            struct mdl_block *b = *l;
            *l = b->next_owned;
            mdl_block_free(b);
            return;
        }
    }
}

/* Release all private state of "nb"; returns the retreats still outstanding. */
static unsigned nb_priv_release(PNET_BUFFER nb)
{
    struct nb_priv *p = nb_priv(nb, 0);
    unsigned outstanding = 0;
    if (!p)
        return 0;
    while (p->top) {
        struct retreat_rec *r = p->top;
        p->top = r->prev;
        free(r);
        outstanding++;
    }
    while (p->owned) {
        struct mdl_block *b = p->owned;
        p->owned = b->next_owned;
        mdl_block_free(b);
    }
    p->magic = 0;
    free(p);
    nb->NdisReserved[0] = NULL;
    nb->NdisReserved[1] = NULL;
    return outstanding;
}

unsigned xsw_rt_nb_release(PNET_BUFFER nb)
{
    return nb ? nb_priv_release(nb) : 0;
}

/*
 * Build runtime-private MDLs describing bytes [off, off + len) of nb's data,
 * owned by "owner". Returns the chain (NULL when len is 0); *ok = 0 on
 * allocation failure (nothing is left allocated then).
 */
struct chain_ctx {
    struct nb_priv *owner;
    PMDL head, tail;
    int ok;
};

static void chain_piece(PUCHAR p, ULONG n, void *vctx)
{
    struct chain_ctx *c = vctx;
    if (!c->ok)
        return;
    struct mdl_block *b = mdl_internal(p, n, NULL);
    if (!b) {
        c->ok = 0;
        return;
    }
    priv_own(c->owner, b);
    if (c->tail)
        c->tail->Next = &b->mdl;
    else
        c->head = &b->mdl;
    c->tail = &b->mdl;
}

static PMDL partial_chain(PNET_BUFFER src, ULONG off, ULONG len, struct nb_priv *owner, int *ok)
{
    struct chain_ctx c = { owner, NULL, NULL, 1 };
    if (len)
        nb_walk(src, off, len, chain_piece, &c);
    if (!c.ok) {
        for (PMDL m = c.head; m;) {
            PMDL next = m->Next;
            priv_drop(owner, m);
            m = next;
        }
        c.head = NULL;
    }
    *ok = c.ok;
    return c.head;
}

/* ---- Retreat / advance ---------------------------------------------------- */

static NDIS_STATUS retreat_alloc(PNET_BUFFER nb, ULONG delta, ULONG backfill, NET_BUFFER_ALLOCATE_MDL_HANDLER h)
{
    struct nb_priv *p = nb_priv(nb, 1);
    struct retreat_rec *r = calloc(1, sizeof *r);
    if (!p || !r || (uint64_t)delta + backfill > XSW_DATA_MAX) {
        free(r);
        return NDIS_STATUS_RESOURCES;
    }
    ULONG size = delta + backfill;
    PMDL added;
    if (h) {
        ULONG got = size;
        added = h(&got);
        if (!added) {
            free(r);
            return NDIS_STATUS_RESOURCES;
        }
        if (added->ByteCount < delta) {
            xsw_rt_finding(XSW_F_BAD_PARAMETER, added->ByteCount,
                           "NdisRetreatNetBufferDataStart: the NetAllocateMdl handler returned a %u-byte MDL for %u bytes",
                           added->ByteCount, delta);
            free(r);
            return NDIS_STATUS_FAILURE;
        }
        r->from_handler = 1;
    } else {
        void *data = malloc(size ? size : 1);
        struct mdl_block *b = data ? mdl_internal(data, size, data) : NULL;
        if (!b) {
            free(data);
            free(r);
            return NDIS_STATUS_RESOURCES;
        }
        priv_own(p, b);
        added = &b->mdl;
    }
    PMDL cur = nb->CurrentMdl, rest = NULL;
    if (!nb->MdlChain) {
        rest = NULL;
    } else if (!cur || nb->CurrentMdlOffset >= cur->ByteCount) {
        rest = cur ? cur->Next : NULL;
    } else if (nb->CurrentMdlOffset == 0) {
        rest = cur;
    } else {
        struct mdl_block *pb =
            mdl_internal(mdl_va(cur) + nb->CurrentMdlOffset, cur->ByteCount - nb->CurrentMdlOffset, NULL);
        if (!pb) {
            if (!r->from_handler)
                priv_drop(p, added);
            free(r);
            return NDIS_STATUS_RESOURCES;
        }
        priv_own(p, pb);
        pb->mdl.Next = cur->Next;
        r->partial = &pb->mdl;
        rest = &pb->mdl;
    }
    added->Next = rest;
    r->added = added;
    r->orig_chain = nb->MdlChain;
    r->orig_offset = nb->DataOffset;
    r->prev = p->top;
    p->top = r;
    nb->MdlChain = added;
    nb->DataOffset = added->ByteCount - delta;
    nb->DataLength += delta;
    nb_set_current(nb);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisRetreatNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, ULONG DataBackFill,
                                          NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler)
{
    xsw_rt_ndis_call("NdisRetreatNetBufferDataStart", (uintptr_t)NetBuffer, DataOffsetDelta, DataBackFill);
    xsw_rt_check_irql_max("NdisRetreatNetBufferDataStart", XSW_DISPATCH_LEVEL);
    if (!NetBuffer) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisRetreatNetBufferDataStart(NULL)");
        return NDIS_STATUS_FAILURE;
    }
    if ((uint64_t)NetBuffer->DataLength + DataOffsetDelta > 0xFFFFFFFFu)
        return NDIS_STATUS_FAILURE;
    if (DataOffsetDelta <= NetBuffer->DataOffset) {
        NetBuffer->DataOffset -= DataOffsetDelta;
        NetBuffer->DataLength += DataOffsetDelta;
        nb_set_current(NetBuffer);
        return NDIS_STATUS_SUCCESS;
    }
    if (xsw_rt_alloc_should_fail())
        return NDIS_STATUS_RESOURCES;
    return retreat_alloc(NetBuffer, DataOffsetDelta, DataBackFill, AllocateMdlHandler);
}

static void advance_nb(PNET_BUFFER nb, ULONG delta, BOOLEAN FreeMdl, NET_BUFFER_FREE_MDL_HANDLER h, const char *func)
{
    if (delta > nb->DataLength) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, delta, "%s(%p, %u): only %u bytes of used data", func, (void *)nb, delta,
                       nb->DataLength);
        return;
    }
    nb->DataOffset += delta;
    nb->DataLength -= delta;
    struct nb_priv *p = FreeMdl ? nb_priv(nb, 0) : NULL;
    while (p && p->top && nb->MdlChain == p->top->added && nb->DataOffset >= p->top->added->ByteCount) {
        struct retreat_rec *r = p->top;
        ULONG into_rest = nb->DataOffset - r->added->ByteCount;
        nb->MdlChain = r->orig_chain;
        nb->DataOffset = r->orig_offset + into_rest;
        priv_drop(p, r->partial);
        if (!r->from_handler) {
            priv_drop(p, r->added);
        } else if (h) {
            r->added->Next = NULL;
            h(r->added);
        } else {
            xsw_rt_finding(XSW_F_BAD_PARAMETER, 0,
                           "%s: an MDL from the caller's NetAllocateMdl handler is no longer used but no "
                           "NetFreeMdl handler was given",
                           func);
        }
        p->top = r->prev;
        free(r);
    }
    nb_set_current(nb);
}

VOID NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, BOOLEAN FreeMdl,
                                   NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler)
{
    xsw_rt_ndis_call("NdisAdvanceNetBufferDataStart", (uintptr_t)NetBuffer, DataOffsetDelta, FreeMdl);
    xsw_rt_check_irql_max("NdisAdvanceNetBufferDataStart", XSW_DISPATCH_LEVEL);
    if (!NetBuffer) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAdvanceNetBufferDataStart(NULL)");
        return;
    }
    advance_nb(NetBuffer, DataOffsetDelta, FreeMdl, FreeMdlHandler, "NdisAdvanceNetBufferDataStart");
}

NDIS_STATUS NdisRetreatNetBufferListDataStart(PNET_BUFFER_LIST NetBufferList, ULONG DataOffsetDelta,
                                              ULONG DataBackFill, NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler,
                                              NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler)
{
    xsw_rt_ndis_call("NdisRetreatNetBufferListDataStart", (uintptr_t)NetBufferList, DataOffsetDelta, DataBackFill);
    if (!NetBufferList) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisRetreatNetBufferListDataStart(NULL)");
        return NDIS_STATUS_FAILURE;
    }
    for (PNET_BUFFER nb = NetBufferList->FirstNetBuffer; nb; nb = nb->Next) {
        NDIS_STATUS st = NdisRetreatNetBufferDataStart(nb, DataOffsetDelta, DataBackFill, AllocateMdlHandler);
        if (st != NDIS_STATUS_SUCCESS) {
            /* Undo the NET_BUFFERs already retreated, freeing what was allocated for them. */
            for (PNET_BUFFER u = NetBufferList->FirstNetBuffer; u != nb; u = u->Next)
                advance_nb(u, DataOffsetDelta, TRUE, FreeMdlHandler, "NdisRetreatNetBufferListDataStart");
            return st;
        }
    }
    return NDIS_STATUS_SUCCESS;
}

VOID NdisAdvanceNetBufferListDataStart(PNET_BUFFER_LIST NetBufferList, ULONG DataOffsetDelta, BOOLEAN FreeMdl,
                                       NET_BUFFER_FREE_MDL_HANDLER FreeMdlMdlHandler)
{
    xsw_rt_ndis_call("NdisAdvanceNetBufferListDataStart", (uintptr_t)NetBufferList, DataOffsetDelta, FreeMdl);
    xsw_rt_check_irql_max("NdisAdvanceNetBufferListDataStart", XSW_DISPATCH_LEVEL);
    if (!NetBufferList) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAdvanceNetBufferListDataStart(NULL)");
        return;
    }
    for (PNET_BUFFER nb = NetBufferList->FirstNetBuffer; nb; nb = nb->Next)
        advance_nb(nb, DataOffsetDelta, FreeMdl, FreeMdlMdlHandler, "NdisAdvanceNetBufferListDataStart");
}

VOID NdisAdjustNetBufferCurrentMdl(PNET_BUFFER NetBuffer)
{
    if (NetBuffer)
        nb_set_current(NetBuffer);
}

/* ---- Data access ---------------------------------------------------------- */

PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple,
                        UINT AlignOffset)
{
    if (!NetBuffer || BytesNeeded == 0 || BytesNeeded > NetBuffer->DataLength)
        return NULL;
    if (AlignMultiple == 0 || (AlignMultiple & (AlignMultiple - 1)) != 0 || AlignOffset >= AlignMultiple) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, AlignMultiple,
                       "NdisGetDataBuffer: AlignMultiple %u must be a power of two above AlignOffset %u", AlignMultiple,
                       AlignOffset);
        return NULL;
    }
    PMDL m = NetBuffer->CurrentMdl;
    ULONG off = NetBuffer->CurrentMdlOffset;
    while (m && off >= m->ByteCount && m->Next) {
        off -= m->ByteCount;
        m = m->Next;
    }
    if (m && off < m->ByteCount && m->ByteCount - off >= BytesNeeded) {
        PUCHAR p = mdl_va(m) + off;
        if (((uintptr_t)p & (AlignMultiple - 1)) == AlignOffset)
            return p;
    }
    if (!Storage)
        return NULL;
    struct copy_ctx c = { Storage, 0 };
    if (nb_walk(NetBuffer, 0, BytesNeeded, copy_piece, &c) != BytesNeeded)
        return NULL;
    return Storage;
}

NDIS_STATUS NdisCopyFromNetBufferToNetBuffer(PNET_BUFFER Destination, ULONG DestinationOffset, ULONG BytesToCopy,
                                             PNET_BUFFER Source, ULONG SourceOffset, PULONG BytesCopied)
{
    xsw_rt_ndis_call("NdisCopyFromNetBufferToNetBuffer", (uintptr_t)Destination, (uintptr_t)Source, BytesToCopy);
    xsw_rt_check_irql_max("NdisCopyFromNetBufferToNetBuffer", XSW_DISPATCH_LEVEL);
    if (BytesCopied)
        *BytesCopied = 0;
    if (!Destination || !Source || !BytesCopied) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisCopyFromNetBufferToNetBuffer: NULL argument");
        return NDIS_STATUS_FAILURE;
    }
    if (DestinationOffset > Destination->DataLength || SourceOffset > Source->DataLength)
        return NDIS_STATUS_FAILURE;
    ULONG n = BytesToCopy;
    if (n > Source->DataLength - SourceOffset)
        n = Source->DataLength - SourceOffset;
    if (n > Destination->DataLength - DestinationOffset)
        n = Destination->DataLength - DestinationOffset;
    /* Through a bounce buffer: source and destination may share memory. */
    UCHAR chunk[512];
    ULONG done = 0;
    while (done < n) {
        ULONG k = n - done < sizeof chunk ? n - done : (ULONG)sizeof chunk;
        struct copy_ctx out = { chunk, 0 }, in = { chunk, 1 };
        if (nb_walk(Source, SourceOffset + done, k, copy_piece, &out) != k)
            break;
        if (nb_walk(Destination, DestinationOffset + done, k, copy_piece, &in) != k)
            break;
        done += k;
    }
    *BytesCopied = done;
    return NDIS_STATUS_SUCCESS;
}

/* ---- NBL and NB pools ------------------------------------------------------ */

struct nbl_pool {
    uint64_t magic;
    struct xsw_rt_obj obj;
    ULONG tag;
    ULONG data_size;
    USHORT ctx_size;
    BOOLEAN alloc_nb;
    UCHAR protocol_id;
    int internal;  /* the runtime's own pool for clones and fragments */
    int freed;     /* NdisFreeNetBufferListPool called with NBLs outstanding */
    size_t ctx_off, nb_off, mdl_off, data_off, block_size;
    struct nbl_block *free_list;
    size_t outstanding;
};

struct nbl_block {
    struct xsw_rt_obj obj;
    struct nbl_block *next_free;
    struct nbl_pool *pool;
    NET_BUFFER_LIST_CONTEXT *own_ctx; /* the pool's preallocated context area */
    PNET_BUFFER embedded_nb;
    PMDL embedded_mdl;
    PUCHAR embedded_data;
    struct xsw_rt_nbl_hdr hdr;
    NET_BUFFER_LIST nbl;
};
_Static_assert(offsetof(struct nbl_block, nbl) - offsetof(struct nbl_block, hdr) == sizeof(struct xsw_rt_nbl_hdr),
               "the NBL header must directly precede the NBL");

struct nb_pool {
    uint64_t magic;
    struct xsw_rt_obj obj;
    ULONG tag;
    ULONG data_size;
    int internal;
    int freed;
    size_t block_size;
    struct nb_block *free_list;
    size_t outstanding;
};

struct nb_block {
    struct xsw_rt_obj obj;
    struct nb_block *next_free;
    struct nb_pool *pool;
    PMDL embedded_mdl;
    PUCHAR embedded_data;
    uint64_t magic;
    NET_BUFFER nb;
};

/* Separately allocated NBL context (NdisAllocateNetBufferListContext and friends). */
struct ctx_block {
    struct xsw_rt_obj obj;
    uint64_t magic;
    NET_BUFFER_LIST_CONTEXT ctx;
};

struct xsw_rt_nbl_hdr *xsw_rt_nbl_hdr(const NET_BUFFER_LIST *nbl)
{
    if (!known_is(nbl, K_NBL))
        return NULL;
    struct xsw_rt_nbl_hdr *h = (struct xsw_rt_nbl_hdr *)((char *)(uintptr_t)nbl - sizeof *h);
    return h->magic == NBL_LIVE ? h : NULL;
}

uint64_t xsw_rt_nbl_id(const NET_BUFFER_LIST *nbl)
{
    struct xsw_rt_nbl_hdr *h = xsw_rt_nbl_hdr(nbl);
    return h ? h->id : 0;
}

static struct nbl_block *nbl_block_of(PNET_BUFFER_LIST nbl)
{
    return CONTAINING_RECORD(nbl, struct nbl_block, nbl);
}

static struct nbl_pool *nbl_pool_valid(NDIS_HANDLE h)
{
    struct nbl_pool *p = h;
    return (p && p->magic == NBLPOOL_MAGIC && !p->freed) ? p : NULL;
}

static struct nb_pool *nb_pool_valid(NDIS_HANDLE h)
{
    struct nb_pool *p = h;
    return (p && p->magic == NBPOOL_MAGIC && !p->freed) ? p : NULL;
}

static struct nbl_pool *nbl_pool_new(USHORT ctx_size, BOOLEAN alloc_nb, ULONG data_size, ULONG tag, int internal)
{
    struct nbl_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->magic = NBLPOOL_MAGIC;
    p->ctx_size = ctx_size;
    p->alloc_nb = alloc_nb;
    p->data_size = data_size;
    p->tag = tag;
    p->internal = internal;
    size_t off = align16(sizeof(struct nbl_block));
    p->ctx_off = off;
    if (ctx_size)
        off = align16(off + sizeof(NET_BUFFER_LIST_CONTEXT) + ctx_size);
    p->nb_off = off;
    if (alloc_nb)
        off = align16(off + sizeof(NET_BUFFER));
    p->mdl_off = off;
    if (data_size)
        off = align16(off + sizeof(MDL));
    p->data_off = off;
    p->block_size = off + data_size;
    return p;
}

static struct nb_pool *nb_pool_new(ULONG data_size, ULONG tag, int internal)
{
    struct nb_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->magic = NBPOOL_MAGIC;
    p->data_size = data_size;
    p->tag = tag;
    p->internal = internal;
    size_t off = align16(sizeof(struct nb_block));
    if (data_size)
        off = align16(off + sizeof(MDL));
    p->block_size = off + data_size;
    return p;
}

/* Pools the runtime uses for clones and fragments made without caller pools. */
static struct nbl_pool *default_nbl_pool;
static struct nb_pool *default_nb_pool;

static struct nbl_pool *get_default_nbl_pool(void)
{
    pthread_mutex_lock(&nbl_mu);
    if (!default_nbl_pool)
        default_nbl_pool = nbl_pool_new(0, FALSE, 0, 0, 1);
    struct nbl_pool *p = default_nbl_pool;
    pthread_mutex_unlock(&nbl_mu);
    return p;
}

static struct nb_pool *get_default_nb_pool(void)
{
    pthread_mutex_lock(&nbl_mu);
    if (!default_nb_pool)
        default_nb_pool = nb_pool_new(0, 0, 1);
    struct nb_pool *p = default_nb_pool;
    pthread_mutex_unlock(&nbl_mu);
    return p;
}

NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle, const NET_BUFFER_LIST_POOL_PARAMETERS *Parameters)
{
    xsw_rt_ndis_call("NdisAllocateNetBufferListPool", (uintptr_t)NdisHandle, (uintptr_t)Parameters, 0);
    xsw_rt_check_irql_max("NdisAllocateNetBufferListPool", XSW_DISPATCH_LEVEL);
    if (!Parameters || Parameters->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
        Parameters->Header.Revision < NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ||
        Parameters->Header.Size < NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0,
                       "NdisAllocateNetBufferListPool: Header must be NDIS_OBJECT_TYPE_DEFAULT, revision >= 1, "
                       "size >= %zu",
                       (size_t)NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1);
        return NULL;
    }
    if (Parameters->ContextSize % MEMORY_ALLOCATION_ALIGNMENT != 0) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, Parameters->ContextSize,
                       "NdisAllocateNetBufferListPool: ContextSize %u is not a multiple of MEMORY_ALLOCATION_ALIGNMENT",
                       Parameters->ContextSize);
        return NULL;
    }
    if (Parameters->DataSize && !Parameters->fAllocateNetBuffer) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, Parameters->DataSize,
                       "NdisAllocateNetBufferListPool: DataSize %u needs fAllocateNetBuffer", Parameters->DataSize);
        return NULL;
    }
    if (Parameters->DataSize > XSW_DATA_MAX || xsw_rt_alloc_should_fail())
        return NULL;
    struct nbl_pool *p = nbl_pool_new(Parameters->ContextSize, Parameters->fAllocateNetBuffer ? TRUE : FALSE,
                                      Parameters->DataSize, Parameters->PoolTag, 0);
    if (!p)
        return NULL;
    p->protocol_id = Parameters->ProtocolId;
    xsw_rt_obj_track(&p->obj, XSW_RT_OBJ_NBL_POOL, p, p->tag, "NdisAllocateNetBufferListPool");
    return p;
}

static void nbl_pool_destroy(struct nbl_pool *p)
{
    while (p->free_list) {
        struct nbl_block *b = p->free_list;
        p->free_list = b->next_free;
        known_del(&b->nbl);
        free(b);
    }
    p->magic = POOL_DEAD;
    free(p);
}

VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
    xsw_rt_ndis_call("NdisFreeNetBufferListPool", (uintptr_t)PoolHandle, 0, 0);
    xsw_rt_check_irql_max("NdisFreeNetBufferListPool", XSW_DISPATCH_LEVEL);
    struct nbl_pool *p = nbl_pool_valid(PoolHandle);
    if (!p || p->internal) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "NdisFreeNetBufferListPool(%p): not a live NET_BUFFER_LIST pool",
                       PoolHandle);
        return;
    }
    xsw_rt_obj_untrack(&p->obj);
    pthread_mutex_lock(&nbl_mu);
    size_t out = p->outstanding;
    if (out)
        p->freed = 1;
    pthread_mutex_unlock(&nbl_mu);
    if (out) {
        /* The blocks stay valid: their owners still hold them. */
        xsw_rt_finding(XSW_F_NBL_LEAK, out, "NdisFreeNetBufferListPool(%p): %zu NET_BUFFER_LIST(s) still allocated",
                       PoolHandle, out);
        return;
    }
    nbl_pool_destroy(p);
}

NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle, const NET_BUFFER_POOL_PARAMETERS *Parameters)
{
    xsw_rt_ndis_call("NdisAllocateNetBufferPool", (uintptr_t)NdisHandle, (uintptr_t)Parameters, 0);
    xsw_rt_check_irql_max("NdisAllocateNetBufferPool", XSW_DISPATCH_LEVEL);
    if (!Parameters || Parameters->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
        Parameters->Header.Revision < NET_BUFFER_POOL_PARAMETERS_REVISION_1 ||
        Parameters->Header.Size < NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0,
                       "NdisAllocateNetBufferPool: Header must be NDIS_OBJECT_TYPE_DEFAULT, revision >= 1, size >= %zu",
                       (size_t)NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1);
        return NULL;
    }
    if (Parameters->DataSize > XSW_DATA_MAX || xsw_rt_alloc_should_fail())
        return NULL;
    struct nb_pool *p = nb_pool_new(Parameters->DataSize, Parameters->PoolTag, 0);
    if (!p)
        return NULL;
    xsw_rt_obj_track(&p->obj, XSW_RT_OBJ_NB_POOL, p, p->tag, "NdisAllocateNetBufferPool");
    return p;
}

static void nb_pool_destroy(struct nb_pool *p)
{
    while (p->free_list) {
        struct nb_block *b = p->free_list;
        p->free_list = b->next_free;
        known_del(&b->nb);
        free(b);
    }
    p->magic = POOL_DEAD;
    free(p);
}

VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle)
{
    xsw_rt_ndis_call("NdisFreeNetBufferPool", (uintptr_t)PoolHandle, 0, 0);
    xsw_rt_check_irql_max("NdisFreeNetBufferPool", XSW_DISPATCH_LEVEL);
    struct nb_pool *p = nb_pool_valid(PoolHandle);
    if (!p || p->internal) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "NdisFreeNetBufferPool(%p): not a live NET_BUFFER pool", PoolHandle);
        return;
    }
    xsw_rt_obj_untrack(&p->obj);
    pthread_mutex_lock(&nbl_mu);
    size_t out = p->outstanding;
    if (out)
        p->freed = 1;
    pthread_mutex_unlock(&nbl_mu);
    if (out) {
        xsw_rt_finding(XSW_F_NBL_LEAK, out, "NdisFreeNetBufferPool(%p): %zu NET_BUFFER(s) still allocated", PoolHandle,
                       out);
        return;
    }
    nb_pool_destroy(p);
}

/* ---- NET_BUFFERs ---------------------------------------------------------- */

static void nb_init(PNET_BUFFER nb, NDIS_HANDLE pool, PMDL chain, ULONG offset, SIZE_T length)
{
    memset(nb, 0, sizeof *nb);
    nb->NdisPoolHandle = pool;
    nb->MdlChain = chain;
    nb->DataOffset = offset;
    nb->DataLength = (ULONG)length;
    nb_set_current(nb);
}

/* A NET_BUFFER from "p" (not counted against fault injection). */
static PNET_BUFFER nb_get(struct nb_pool *p, PMDL chain, ULONG offset, SIZE_T length, int track, const char *func)
{
    pthread_mutex_lock(&nbl_mu);
    struct nb_block *b = p->free_list;
    if (b)
        p->free_list = b->next_free;
    pthread_mutex_unlock(&nbl_mu);
    if (!b) {
        void *mem = NULL;
        if (posix_memalign(&mem, 16, p->block_size) != 0)
            return NULL;
        memset(mem, 0, p->block_size);
        b = mem;
        b->pool = p;
        if (!known_add(&b->nb, K_NB)) {
            free(mem);
            return NULL;
        }
        if (p->data_size) {
            size_t mdl_off = align16(sizeof(struct nb_block));
            b->embedded_mdl = (PMDL)((char *)b + mdl_off);
            b->embedded_data = (PUCHAR)b + align16(mdl_off + sizeof(MDL));
        }
    }
    b->next_free = NULL;
    b->magic = NB_LIVE;
    nb_init(&b->nb, p, chain, offset, length);
    pthread_mutex_lock(&nbl_mu);
    p->outstanding++;
    pthread_mutex_unlock(&nbl_mu);
    if (track)
        xsw_rt_obj_track(&b->obj, XSW_RT_OBJ_NB, &b->nb, p->tag, func);
    return &b->nb;
}

static struct nb_block *nb_block_of(PNET_BUFFER nb)
{
    return CONTAINING_RECORD(nb, struct nb_block, nb);
}

static void nb_put(struct nb_block *b)
{
    struct nb_pool *p = b->pool;
    nb_priv_release(&b->nb);
    xsw_rt_obj_untrack(&b->obj);
    b->magic = NB_FREE;
    pthread_mutex_lock(&nbl_mu);
    b->next_free = p->free_list;
    p->free_list = b;
    p->outstanding--;
    int destroy = p->freed && p->outstanding == 0;
    pthread_mutex_unlock(&nbl_mu);
    if (destroy)
        nb_pool_destroy(p);
}

PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength)
{
    xsw_rt_ndis_call("NdisAllocateNetBuffer", (uintptr_t)PoolHandle, DataOffset, DataLength);
    xsw_rt_check_irql_max("NdisAllocateNetBuffer", XSW_DISPATCH_LEVEL);
    struct nb_pool *p = nb_pool_valid(PoolHandle);
    if (!p) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "NdisAllocateNetBuffer(%p): not a live NET_BUFFER pool", PoolHandle);
        return NULL;
    }
    if (DataLength > 0xFFFFFFFFu || (uint64_t)DataOffset + DataLength > chain_bytes(MdlChain)) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, DataLength,
                       "NdisAllocateNetBuffer: DataOffset %u + DataLength %zu exceed the %llu bytes of the MDL chain",
                       DataOffset, (size_t)DataLength, (unsigned long long)chain_bytes(MdlChain));
        return NULL;
    }
    if (xsw_rt_alloc_should_fail())
        return NULL;
    return nb_get(p, MdlChain, DataOffset, DataLength, 1, "NdisAllocateNetBuffer");
}

PNET_BUFFER NdisAllocateNetBufferMdlAndData(NDIS_HANDLE PoolHandle)
{
    xsw_rt_ndis_call("NdisAllocateNetBufferMdlAndData", (uintptr_t)PoolHandle, 0, 0);
    xsw_rt_check_irql_max("NdisAllocateNetBufferMdlAndData", XSW_DISPATCH_LEVEL);
    struct nb_pool *p = nb_pool_valid(PoolHandle);
    if (!p || p->data_size == 0) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0,
                       "NdisAllocateNetBufferMdlAndData(%p): not a live NET_BUFFER pool with a DataSize", PoolHandle);
        return NULL;
    }
    if (xsw_rt_alloc_should_fail())
        return NULL;
    PNET_BUFFER nb = nb_get(p, NULL, 0, 0, 1, "NdisAllocateNetBufferMdlAndData");
    if (!nb)
        return NULL;
    struct nb_block *b = nb_block_of(nb);
    xsw_rt_mdl_init(b->embedded_mdl, b->embedded_data, p->data_size);
    nb->MdlChain = b->embedded_mdl;
    nb->DataOffset = p->data_size;
    nb->DataLength = 0;
    nb_set_current(nb);
    return nb;
}

VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer)
{
    xsw_rt_ndis_call("NdisFreeNetBuffer", (uintptr_t)NetBuffer, 0, 0);
    xsw_rt_check_irql_max("NdisFreeNetBuffer", XSW_DISPATCH_LEVEL);
    if (!NetBuffer) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisFreeNetBuffer(NULL)");
        return;
    }
    struct nb_block *b = known_is(NetBuffer, K_NB) ? nb_block_of(NetBuffer) : NULL;
    if (b && b->magic == NB_FREE) {
        xsw_rt_finding(XSW_F_DOUBLE_FREE, 0, "NdisFreeNetBuffer(%p): the NET_BUFFER was freed already",
                       (void *)NetBuffer);
        return;
    }
    if (!b || b->magic != NB_LIVE || b->pool->internal) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0,
                       "NdisFreeNetBuffer(%p): not a NET_BUFFER from NdisAllocateNetBuffer (one allocated with its "
                       "NET_BUFFER_LIST is freed with it)",
                       (void *)NetBuffer);
        return;
    }
    nb_put(b);
}

NDIS_HANDLE NdisGetPoolFromNetBuffer(PNET_BUFFER NetBuffer)
{
    return NetBuffer ? NetBuffer->NdisPoolHandle : NULL;
}

/* ---- NET_BUFFER_LISTs ----------------------------------------------------- */

static struct ctx_block *ctx_block_of(PNET_BUFFER_LIST_CONTEXT c)
{
    return CONTAINING_RECORD(c, struct ctx_block, ctx);
}

static PNET_BUFFER_LIST_CONTEXT ctx_alloc(USHORT size, USHORT offset, ULONG tag, const char *func)
{
    void *mem = NULL;
    if (posix_memalign(&mem, 16, sizeof(struct ctx_block) + size) != 0)
        return NULL;
    memset(mem, 0, sizeof(struct ctx_block) + size);
    struct ctx_block *b = mem;
    if (!known_add(&b->ctx, K_CTX)) {
        free(mem);
        return NULL;
    }
    b->magic = CTX_LIVE;
    b->ctx.Size = size;
    b->ctx.Offset = offset;
    xsw_rt_obj_track(&b->obj, XSW_RT_OBJ_NBL_CONTEXT, &b->ctx, tag, func);
    return &b->ctx;
}

static void ctx_free(PNET_BUFFER_LIST_CONTEXT c)
{
    struct ctx_block *b = ctx_block_of(c);
    xsw_rt_obj_untrack(&b->obj);
    b->magic = 0;
    known_del(c);
    free(b);
}

/* Free the separately allocated contexts of "nbl" down to "keep" (exclusive). */
static void ctx_chain_free(PNET_BUFFER_LIST nbl, PNET_BUFFER_LIST_CONTEXT keep)
{
    while (nbl->Context && nbl->Context != keep) {
        PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
        if (!known_is(c, K_CTX))
            break;
        nbl->Context = c->Next;
        ctx_free(c);
    }
}

/*
 * An NBL from "p" with its context set up for ContextSize/ContextBackFill.
 * No fault injection and no NDIS_CALL record (the public entry points do those).
 */
static PNET_BUFFER_LIST nbl_get(struct nbl_pool *p, USHORT ContextSize, USHORT ContextBackFill, uint32_t kind,
                                const char *func)
{
    pthread_mutex_lock(&nbl_mu);
    struct nbl_block *b = p->free_list;
    if (b)
        p->free_list = b->next_free;
    pthread_mutex_unlock(&nbl_mu);
    if (!b) {
        void *mem = NULL;
        if (posix_memalign(&mem, 16, p->block_size) != 0)
            return NULL;
        memset(mem, 0, p->block_size);
        b = mem;
        b->pool = p;
        if (!known_add(&b->nbl, K_NBL)) {
            free(mem);
            return NULL;
        }
        if (p->ctx_size)
            b->own_ctx = (PNET_BUFFER_LIST_CONTEXT)((char *)b + p->ctx_off);
        if (p->alloc_nb)
            b->embedded_nb = (PNET_BUFFER)((char *)b + p->nb_off);
        if (p->data_size) {
            b->embedded_mdl = (PMDL)((char *)b + p->mdl_off);
            b->embedded_data = (PUCHAR)b + p->data_off;
        }
    }
    b->next_free = NULL;
    PNET_BUFFER_LIST nbl = &b->nbl;
    memset(nbl, 0, sizeof *nbl);
    nbl->NdisPoolHandle = p;
    if (b->own_ctx && ContextSize <= p->ctx_size) {
        b->own_ctx->Next = NULL;
        b->own_ctx->Size = p->ctx_size;
        b->own_ctx->Offset = (USHORT)(p->ctx_size - ContextSize);
        nbl->Context = b->own_ctx;
    } else if (ContextSize) {
        nbl->Context = ctx_alloc((USHORT)(ContextSize + ContextBackFill), ContextBackFill, p->tag, func);
        if (!nbl->Context) {
            pthread_mutex_lock(&nbl_mu);
            b->next_free = p->free_list;
            p->free_list = b;
            pthread_mutex_unlock(&nbl_mu);
            return NULL;
        }
        if (b->own_ctx) {
            b->own_ctx->Next = NULL;
            b->own_ctx->Size = p->ctx_size;
            b->own_ctx->Offset = p->ctx_size;
            nbl->Context->Next = b->own_ctx;
        }
    } else if (b->own_ctx) {
        b->own_ctx->Next = NULL;
        b->own_ctx->Size = p->ctx_size;
        b->own_ctx->Offset = p->ctx_size;
        nbl->Context = b->own_ctx;
    }
    if (b->embedded_nb) {
        nb_init(b->embedded_nb, p, NULL, 0, 0);
        if (b->embedded_mdl) {
            xsw_rt_mdl_init(b->embedded_mdl, b->embedded_data, p->data_size);
            b->embedded_nb->MdlChain = b->embedded_mdl;
            b->embedded_nb->DataOffset = p->data_size;
            nb_set_current(b->embedded_nb);
        }
        nbl->FirstNetBuffer = b->embedded_nb;
    }
    b->hdr.magic = NBL_LIVE;
    b->hdr.id = xsw_rt_next_id();
    b->hdr.kind = kind;
    b->hdr.actor = xsw_rt_actor();
    b->hdr.owner = b;
    pthread_mutex_lock(&nbl_mu);
    p->outstanding++;
    pthread_mutex_unlock(&nbl_mu);
    xsw_rt_obj_track(&b->obj, XSW_RT_OBJ_NBL, nbl, p->tag, func);
    return nbl;
}

static void nbl_put(struct nbl_block *b)
{
    struct nbl_pool *p = b->pool;
    if (b->embedded_nb)
        nb_priv_release(b->embedded_nb);
    ctx_chain_free(&b->nbl, b->own_ctx);
    xsw_rt_obj_untrack(&b->obj);
    b->hdr.magic = NBL_FREE;
    pthread_mutex_lock(&nbl_mu);
    b->next_free = p->free_list;
    p->free_list = b;
    p->outstanding--;
    int destroy = p->freed && p->outstanding == 0;
    pthread_mutex_unlock(&nbl_mu);
    if (destroy)
        nbl_pool_destroy(p);
}

static int ctx_args_ok(USHORT ContextSize, USHORT ContextBackFill, const char *func)
{
    if (ContextSize % MEMORY_ALLOCATION_ALIGNMENT == 0 && ContextBackFill % MEMORY_ALLOCATION_ALIGNMENT == 0 &&
        (unsigned)ContextSize + ContextBackFill <= 0xFFF0u)
        return 1;
    xsw_rt_finding(XSW_F_BAD_PARAMETER, ContextSize,
                   "%s: ContextSize %u and ContextBackFill %u must be multiples of MEMORY_ALLOCATION_ALIGNMENT", func,
                   ContextSize, ContextBackFill);
    return 0;
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill)
{
    xsw_rt_ndis_call("NdisAllocateNetBufferList", (uintptr_t)PoolHandle, ContextSize, ContextBackFill);
    xsw_rt_check_irql_max("NdisAllocateNetBufferList", XSW_DISPATCH_LEVEL);
    struct nbl_pool *p = nbl_pool_valid(PoolHandle);
    if (!p || p->internal) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "NdisAllocateNetBufferList(%p): not a live NET_BUFFER_LIST pool",
                       PoolHandle);
        return NULL;
    }
    if (!ctx_args_ok(ContextSize, ContextBackFill, "NdisAllocateNetBufferList") || xsw_rt_alloc_should_fail())
        return NULL;
    return nbl_get(p, ContextSize, ContextBackFill, XSW_RT_NBL_POOL, "NdisAllocateNetBufferList");
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                                       USHORT ContextBackFill, PMDL MdlChain, ULONG DataOffset,
                                                       SIZE_T DataLength)
{
    xsw_rt_ndis_call("NdisAllocateNetBufferAndNetBufferList", (uintptr_t)PoolHandle, DataOffset, DataLength);
    xsw_rt_check_irql_max("NdisAllocateNetBufferAndNetBufferList", XSW_DISPATCH_LEVEL);
    struct nbl_pool *p = nbl_pool_valid(PoolHandle);
    if (!p || p->internal || !p->alloc_nb) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0,
                       "NdisAllocateNetBufferAndNetBufferList(%p): not a live pool created with fAllocateNetBuffer",
                       PoolHandle);
        return NULL;
    }
    if (DataLength > 0xFFFFFFFFu || (uint64_t)DataOffset + DataLength > chain_bytes(MdlChain)) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, DataLength,
                       "NdisAllocateNetBufferAndNetBufferList: DataOffset %u + DataLength %zu exceed the %llu bytes "
                       "of the MDL chain",
                       DataOffset, (size_t)DataLength, (unsigned long long)chain_bytes(MdlChain));
        return NULL;
    }
    if (!ctx_args_ok(ContextSize, ContextBackFill, "NdisAllocateNetBufferAndNetBufferList") ||
        xsw_rt_alloc_should_fail())
        return NULL;
    PNET_BUFFER_LIST nbl =
        nbl_get(p, ContextSize, ContextBackFill, XSW_RT_NBL_POOL, "NdisAllocateNetBufferAndNetBufferList");
    if (nbl)
        nb_init(nbl->FirstNetBuffer, p, MdlChain, DataOffset, DataLength);
    return nbl;
}

/* Validate an NBL about to be freed; returns its block or NULL (finding recorded). */
static struct nbl_block *nbl_check_free(PNET_BUFFER_LIST nbl, uint32_t want_kind, const char *func)
{
    if (!nbl) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "%s(NULL)", func);
        return NULL;
    }
    if (!known_is(nbl, K_NBL)) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "%s(%p): the NBL was not allocated by NDIS", func, (void *)nbl);
        return NULL;
    }
    struct xsw_rt_nbl_hdr *h = (struct xsw_rt_nbl_hdr *)((char *)nbl - sizeof *h);
    if (h->magic == NBL_FREE) {
        xsw_rt_finding(XSW_F_DOUBLE_FREE, h->id, "%s(%p): NBL %llu was freed already", func, (void *)nbl,
                       (unsigned long long)h->id);
        return NULL;
    }
    if (h->magic != NBL_LIVE || h->kind == XSW_RT_NBL_SWITCH) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, h->magic == NBL_LIVE ? h->id : 0,
                       "%s(%p): the NBL was not allocated by NDIS for this caller%s", func, (void *)nbl,
                       h->magic == NBL_LIVE ? " (it belongs to the switch)" : "");
        return NULL;
    }
    if (h->kind != want_kind) {
        static const char *const names[] = { "?", "NdisFreeNetBufferList", "NdisFreeCloneNetBufferList",
                                             "NdisFreeFragmentNetBufferList", "?" };
        xsw_rt_finding(XSW_F_BAD_PARAMETER, h->id, "%s(%p): NBL %llu must be freed with %s", func, (void *)nbl,
                       (unsigned long long)h->id, names[h->kind < 5 ? h->kind : 0]);
        return NULL;
    }
    return nbl_block_of(nbl);
}

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    xsw_rt_ndis_call("NdisFreeNetBufferList", (uintptr_t)NetBufferList, xsw_rt_nbl_id(NetBufferList), 0);
    xsw_rt_check_irql_max("NdisFreeNetBufferList", XSW_DISPATCH_LEVEL);
    struct nbl_block *b = nbl_check_free(NetBufferList, XSW_RT_NBL_POOL, "NdisFreeNetBufferList");
    if (b)
        nbl_put(b);
}

NDIS_HANDLE NdisGetPoolFromNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    return NetBufferList ? NetBufferList->NdisPoolHandle : NULL;
}

/* ---- NBL contexts --------------------------------------------------------- */

NDIS_STATUS NdisAllocateNetBufferListContext(PNET_BUFFER_LIST NetBufferList, USHORT ContextSize,
                                             USHORT ContextBackFill, ULONG PoolTag)
{
    xsw_rt_ndis_call("NdisAllocateNetBufferListContext", (uintptr_t)NetBufferList, ContextSize, ContextBackFill);
    xsw_rt_check_irql_max("NdisAllocateNetBufferListContext", XSW_DISPATCH_LEVEL);
    if (!NetBufferList) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisAllocateNetBufferListContext(NULL)");
        return NDIS_STATUS_FAILURE;
    }
    if (!ctx_args_ok(ContextSize, ContextBackFill, "NdisAllocateNetBufferListContext"))
        return NDIS_STATUS_FAILURE;
    PNET_BUFFER_LIST_CONTEXT c = NetBufferList->Context;
    if (c && c->Offset >= ContextSize) {
        c->Offset = (USHORT)(c->Offset - ContextSize);
        return NDIS_STATUS_SUCCESS;
    }
    if (xsw_rt_alloc_should_fail())
        return NDIS_STATUS_RESOURCES;
    PNET_BUFFER_LIST_CONTEXT n =
        ctx_alloc((USHORT)(ContextSize + ContextBackFill), ContextBackFill, PoolTag, "NdisAllocateNetBufferListContext");
    if (!n)
        return NDIS_STATUS_RESOURCES;
    n->Next = c;
    NetBufferList->Context = n;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisFreeNetBufferListContext(PNET_BUFFER_LIST NetBufferList, USHORT ContextSize)
{
    xsw_rt_ndis_call("NdisFreeNetBufferListContext", (uintptr_t)NetBufferList, ContextSize, 0);
    xsw_rt_check_irql_max("NdisFreeNetBufferListContext", XSW_DISPATCH_LEVEL);
    PNET_BUFFER_LIST_CONTEXT c = NetBufferList ? NetBufferList->Context : NULL;
    if (!c || (unsigned)c->Offset + ContextSize > c->Size) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, ContextSize,
                       "NdisFreeNetBufferListContext(%p, %u): more context freed than the NBL has in use",
                       (void *)NetBufferList, ContextSize);
        return;
    }
    c->Offset = (USHORT)(c->Offset + ContextSize);
    /* A separately allocated context block goes away once it is unused. */
    if (c->Offset == c->Size && known_is(c, K_CTX)) {
        NetBufferList->Context = c->Next;
        ctx_free(c);
    }
}

/* ---- Clones and fragments ------------------------------------------------- */

/* A NET_BUFFER for a clone/fragment: the NBL's embedded one first, then "nbp". */
static PNET_BUFFER derived_nb(PNET_BUFFER_LIST nbl, int *embedded_used, struct nb_pool *nbp, const char *func)
{
    struct nbl_block *b = nbl_block_of(nbl);
    if (b->embedded_nb && !*embedded_used) {
        *embedded_used = 1;
        nb_init(b->embedded_nb, b->pool, NULL, 0, 0);
        return b->embedded_nb;
    }
    return nb_get(nbp, NULL, 0, 0, !nbp->internal, func);
}

/* Free the NBs of a clone or fragment and then the NBL itself. */
static void derived_free(struct nbl_block *b)
{
    PNET_BUFFER nb = b->nbl.FirstNetBuffer;
    while (nb) {
        PNET_BUFFER next = nb->Next;
        if (nb == b->embedded_nb)
            nb_priv_release(nb);
        else if (known_is(nb, K_NB) && nb_block_of(nb)->magic == NB_LIVE)
            nb_put(nb_block_of(nb));
        nb = next;
    }
    b->nbl.FirstNetBuffer = NULL;
    nbl_put(b);
}

/* Make "dst" describe [off, off + len) of src's data with runtime-private MDLs. */
static int derive_range(PNET_BUFFER dst, PNET_BUFFER src, ULONG off, ULONG len)
{
    struct nb_priv *p = nb_priv(dst, 1);
    int ok = 0;
    if (!p)
        return 0;
    dst->MdlChain = partial_chain(src, off, len, p, &ok);
    dst->DataOffset = 0;
    dst->DataLength = ok ? len : 0;
    nb_set_current(dst);
    return ok;
}

PNET_BUFFER_LIST NdisAllocateCloneNetBufferList(PNET_BUFFER_LIST OriginalNetBufferList,
                                                NDIS_HANDLE NetBufferListPoolHandle, NDIS_HANDLE NetBufferPoolHandle,
                                                ULONG AllocateCloneFlags)
{
    const char *func = "NdisAllocateCloneNetBufferList";
    xsw_rt_ndis_call(func, (uintptr_t)OriginalNetBufferList, xsw_rt_nbl_id(OriginalNetBufferList),
                     AllocateCloneFlags);
    xsw_rt_check_irql_max(func, XSW_DISPATCH_LEVEL);
    if (!OriginalNetBufferList) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "%s(NULL)", func);
        return NULL;
    }
    struct nbl_pool *lp = NetBufferListPoolHandle ? nbl_pool_valid(NetBufferListPoolHandle) : get_default_nbl_pool();
    struct nb_pool *bp = NetBufferPoolHandle ? nb_pool_valid(NetBufferPoolHandle) : get_default_nb_pool();
    if (!lp || !bp) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "%s: pool handle %p / %p is not a live pool", func,
                       NetBufferListPoolHandle, NetBufferPoolHandle);
        return NULL;
    }
    if (xsw_rt_alloc_should_fail())
        return NULL;
    PNET_BUFFER_LIST clone = nbl_get(lp, 0, 0, XSW_RT_NBL_CLONE, func);
    if (!clone)
        return NULL;
    clone->FirstNetBuffer = NULL;
    int embedded_used = 0, ok = 1;
    PNET_BUFFER *link = &clone->FirstNetBuffer;
    for (PNET_BUFFER src = OriginalNetBufferList->FirstNetBuffer; src && ok; src = src->Next) {
        PNET_BUFFER nb = derived_nb(clone, &embedded_used, bp, func);
        if (!nb) {
            ok = 0;
            break;
        }
        *link = nb;
        link = &nb->Next;
        if (AllocateCloneFlags & NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS) {
            nb->MdlChain = src->MdlChain;
            nb->DataOffset = src->DataOffset;
            nb->DataLength = src->DataLength;
            nb->CurrentMdl = src->CurrentMdl;
            nb->CurrentMdlOffset = src->CurrentMdlOffset;
        } else {
            ok = derive_range(nb, src, 0, src->DataLength);
        }
        nb->ChecksumBias = src->ChecksumBias;
    }
    if (!ok) {
        derived_free(nbl_block_of(clone));
        return NULL;
    }
    clone->ParentNetBufferList = OriginalNetBufferList;
    return clone;
}

VOID NdisFreeCloneNetBufferList(PNET_BUFFER_LIST CloneNetBufferList, ULONG FreeCloneFlags)
{
    xsw_rt_ndis_call("NdisFreeCloneNetBufferList", (uintptr_t)CloneNetBufferList, xsw_rt_nbl_id(CloneNetBufferList),
                     FreeCloneFlags);
    xsw_rt_check_irql_max("NdisFreeCloneNetBufferList", XSW_DISPATCH_LEVEL);
    struct nbl_block *b = nbl_check_free(CloneNetBufferList, XSW_RT_NBL_CLONE, "NdisFreeCloneNetBufferList");
    if (b)
        derived_free(b);
}

PNET_BUFFER_LIST NdisAllocateFragmentNetBufferList(PNET_BUFFER_LIST OriginalNetBufferList,
                                                   NDIS_HANDLE NetBufferListPool, NDIS_HANDLE NetBufferPool,
                                                   ULONG StartOffset, ULONG MaximumLength, ULONG DataOffsetDelta,
                                                   ULONG DataBackFill, ULONG AllocateFragmentFlags)
{
    const char *func = "NdisAllocateFragmentNetBufferList";
    xsw_rt_ndis_call(func, (uintptr_t)OriginalNetBufferList, StartOffset, MaximumLength);
    xsw_rt_check_irql_max(func, XSW_DISPATCH_LEVEL);
    (void)AllocateFragmentFlags;
    if (!OriginalNetBufferList || MaximumLength == 0) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, MaximumLength, "%s(%p, MaximumLength %u): invalid", func,
                       (void *)OriginalNetBufferList, MaximumLength);
        return NULL;
    }
    struct nbl_pool *lp = NetBufferListPool ? nbl_pool_valid(NetBufferListPool) : get_default_nbl_pool();
    struct nb_pool *bp = NetBufferPool ? nb_pool_valid(NetBufferPool) : get_default_nb_pool();
    if (!lp || !bp) {
        xsw_rt_finding(XSW_F_INVALID_HANDLE, 0, "%s: pool handle %p / %p is not a live pool", func, NetBufferListPool,
                       NetBufferPool);
        return NULL;
    }
    for (PNET_BUFFER src = OriginalNetBufferList->FirstNetBuffer; src; src = src->Next)
        if (StartOffset > src->DataLength)
            return NULL;
    if (xsw_rt_alloc_should_fail())
        return NULL;
    PNET_BUFFER_LIST frag = nbl_get(lp, 0, 0, XSW_RT_NBL_FRAGMENT, func);
    if (!frag)
        return NULL;
    frag->FirstNetBuffer = NULL;
    int embedded_used = 0, ok = 1;
    PNET_BUFFER *link = &frag->FirstNetBuffer;
    for (PNET_BUFFER src = OriginalNetBufferList->FirstNetBuffer; src && ok; src = src->Next) {
        for (ULONG pos = StartOffset; pos < src->DataLength && ok; pos += MaximumLength) {
            ULONG len = src->DataLength - pos < MaximumLength ? src->DataLength - pos : MaximumLength;
            PNET_BUFFER nb = derived_nb(frag, &embedded_used, bp, func);
            if (!nb) {
                ok = 0;
                break;
            }
            *link = nb;
            link = &nb->Next;
            ok = derive_range(nb, src, pos, len);
            if (ok && DataOffsetDelta)
                ok = retreat_alloc(nb, DataOffsetDelta, DataBackFill, NULL) == NDIS_STATUS_SUCCESS;
        }
    }
    if (!ok) {
        derived_free(nbl_block_of(frag));
        return NULL;
    }
    frag->ParentNetBufferList = OriginalNetBufferList;
    return frag;
}

VOID NdisFreeFragmentNetBufferList(PNET_BUFFER_LIST FragmentNetBufferList, ULONG DataOffsetDelta,
                                   ULONG FreeFragmentFlags)
{
    xsw_rt_ndis_call("NdisFreeFragmentNetBufferList", (uintptr_t)FragmentNetBufferList,
                     xsw_rt_nbl_id(FragmentNetBufferList), FreeFragmentFlags);
    xsw_rt_check_irql_max("NdisFreeFragmentNetBufferList", XSW_DISPATCH_LEVEL);
    struct nbl_block *b = nbl_check_free(FragmentNetBufferList, XSW_RT_NBL_FRAGMENT, "NdisFreeFragmentNetBufferList");
    if (!b)
        return;
    for (PNET_BUFFER nb = b->nbl.FirstNetBuffer; nb; nb = nb->Next)
        if (DataOffsetDelta <= nb->DataLength)
            advance_nb(nb, DataOffsetDelta, TRUE, NULL, "NdisFreeFragmentNetBufferList");
    derived_free(b);
}

/* ---- NetBufferListInfo copies ---------------------------------------------- */

/*
 * Everything but the switch's own slots, which only the switch's
 * CopyNetBufferListInfo handler may copy (extensible-switch.md §5.6).
 */
static void copy_info(PNET_BUFFER_LIST dst, PNET_BUFFER_LIST src)
{
    for (int i = 0; i < MaxNetBufferListInfo; i++)
        if (i != SwitchForwardingReserved && i != SwitchForwardingDetail)
            dst->NetBufferListInfo[i] = src->NetBufferListInfo[i];
}

NDIS_STATUS NdisCopySendNetBufferListInfo(PNET_BUFFER_LIST DestNetBufferList, PNET_BUFFER_LIST SrcNetBufferList)
{
    xsw_rt_ndis_call("NdisCopySendNetBufferListInfo", (uintptr_t)DestNetBufferList, (uintptr_t)SrcNetBufferList, 0);
    if (!DestNetBufferList || !SrcNetBufferList) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisCopySendNetBufferListInfo: NULL argument");
        return NDIS_STATUS_FAILURE;
    }
    copy_info(DestNetBufferList, SrcNetBufferList);
    return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisCopyReceiveNetBufferListInfo(PNET_BUFFER_LIST DestNetBufferList, PNET_BUFFER_LIST SrcNetBufferList)
{
    xsw_rt_ndis_call("NdisCopyReceiveNetBufferListInfo", (uintptr_t)DestNetBufferList, (uintptr_t)SrcNetBufferList,
                     0);
    if (!DestNetBufferList || !SrcNetBufferList) {
        xsw_rt_finding(XSW_F_BAD_PARAMETER, 0, "NdisCopyReceiveNetBufferListInfo: NULL argument");
        return NDIS_STATUS_FAILURE;
    }
    copy_info(DestNetBufferList, SrcNetBufferList);
    return NDIS_STATUS_SUCCESS;
}

/* ---- Switch-owned packets -------------------------------------------------- */

uint64_t xsw_rt_frame_init(struct xsw_rt_frame *f, void *frame, uint32_t len, void *owner)
{
    /* A recycled frame may still carry private state an extension left behind. */
    nb_priv_release(&f->nb);
    memset(f, 0, sizeof *f);
    xsw_rt_mdl_init(&f->mdl, frame, len);
    nb_init(&f->nb, NULL, &f->mdl, 0, len);
    f->nbl.FirstNetBuffer = &f->nb;
    known_add(&f->nbl, K_NBL);
    f->hdr.magic = NBL_LIVE;
    f->hdr.id = xsw_rt_next_id();
    f->hdr.kind = XSW_RT_NBL_SWITCH;
    f->hdr.actor = XSW_RT_ACTOR_SWITCH;
    f->hdr.owner = owner;
    return f->hdr.id;
}

void xsw_rt_frame_release(struct xsw_rt_frame *f)
{
    if (!f)
        return;
    nb_priv_release(&f->nb);
    known_del(&f->nbl);
    f->hdr.magic = 0;
}
