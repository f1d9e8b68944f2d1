/*
 * check.c - the one checker engine: object trackers and rule evaluation.
 *
 * Records arrive in trace order (HELPERS.md "Trace semantics"). For each one
 * the engine looks up the objects it concerns, evaluates the rules indexed
 * under its kind against the state *before* the record, reports what does
 * not hold, and only then applies the record to the trackers:
 *
 *  - ports and NICs: state from switch OIDs completed with SUCCESS at the
 *    protocol edge, plus per-boundary masks so that an extension's own view
 *    is exact (NIC_DISCONNECT has reached it, NIC_CONNECT has completed below
 *    it); reference counts per extension from HANDLER_CALL records
 *    (extensible-switch.md §4.2, §4.5);
 *  - OID requests: one entry per (request id, boundary) while pending, linked
 *    to the request it was cloned from, so a completion knows whether it was
 *    forwarded and what came back from below (§4.4);
 *  - NBLs: who holds each one, which boundaries it crossed, its source and
 *    destinations and leading frame bytes at the last crossing, and the
 *    ReportFilteredNetBufferLists calls made for it (§5);
 *  - extensions: paused state (FILTER_STATE), activation (OID_SWITCH_PARAMETERS
 *    IsActive, NetEventSwitchActivate), ExtensionId, query retries (§4.1).
 *
 * Ports and NICs that existed before the trace began are learnt from the
 * OID_SWITCH_PORT_ARRAY / NIC_ARRAY replies the switch gives an extension.
 *
 * Rules are judged through plans ("Slots and plans" below): a record's
 * shape (kind, point, actor, ORIGINATED) selects the rules whose "on:"
 * pattern and class can apply, and its facts (nbl.found, oid.forwarded,
 * destinations and frame unchanged since the last crossing...) select a
 * plan entry holding each rule's conditions specialised for them
 * (xexpr_specialize): what the facts settle is folded away, so a record
 * evaluates only what is left, often nothing. Expression nodes carry their
 * own evaluator function (xexpr_bind), the commonest shapes fused. Built
 * with -DXSW_CHECK_REFERENCE, the engine instead evaluates every rule as
 * written (the differential tests compare both). Budget: a few tens of
 * nanoseconds per record (make bench: xsw-bench-check, xsw-analyze).
 *
 * Memory follows live objects only: an OID entry is freed when its
 * completion crosses its boundary, an NBL when it is completed or returned to
 * its owner, a NIC or port when deleted without references. Entries live in
 * chunked pools (stable addresses, reused through free lists) indexed by
 * open-addressing hash tables, so the steady state allocates nothing.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "check_int.h"

/*
 * OID and status values the trackers act on, from the shared tables; kept as
 * int32 so that values above INT_MAX stay valid enumerators (compared as uint32).
 */
enum {
#define XSW_OID(name, value, type, cls) V_##name = (int32_t)(uint32_t)(value),
#include "xsw/defs/oids.def"
#undef XSW_OID
};
enum {
#define XSW_STATUS(name, value) V_##name = (int32_t)(uint32_t)(value),
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS
};

/*
 * ALWAYS_INLINE: see field(). NOINLINE keeps what runs rarely (OID and
 * handler bookkeeping, building plans, the end of a scenario) out of
 * xsw_checker_feed, whose per-record path then stays small and together.
 */
#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define ALWAYS_INLINE inline
#define NOINLINE
#endif

#define NONE32 0xFFFFFFFFu
#define MAXD XSW_CHECK_MAX_DEPTH
#define BIT(p) ((p) < 32 ? (1u << (p)) : 0u)

/* ---- Hash table: (k1, k2) -> pool index ---------------------------------------- */

struct hslot {
    uint64_t k1, k2;
    uint32_t val; /* pool index + 1; 0 = empty */
};

struct htab {
    struct hslot *s;
    uint32_t mask, count;
};

/* Mixes (k1, k2) thoroughly (splitmix64's finaliser); rec.dest_hash values are made of it. */
static uint64_t hmix(uint64_t k1, uint64_t k2)
{
    uint64_t x = k1 ^ (k2 * 0x9E3779B97F4A7C15ull);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

/*
 * Slot of (k1, k2) in a table: one multiply and a fold of the high half
 * into the low bits the mask keeps is enough for object ids and port/NIC
 * numbers, and it runs on every record.
 */
static inline uint32_t hslot_of(uint64_t k1, uint64_t k2)
{
    uint64_t x = (k1 ^ (k2 * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(x ^ (x >> 32));
}

static int htab_grow(struct htab *h)
{
    uint32_t ncap = h->s ? (h->mask + 1) * 2 : 1024;
    struct hslot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; h->s && i <= h->mask; i++) {
        if (!h->s[i].val)
            continue;
        uint32_t j = hslot_of(h->s[i].k1, h->s[i].k2) & (ncap - 1);
        while (ns[j].val)
            j = (j + 1) & (ncap - 1);
        ns[j] = h->s[i];
    }
    free(h->s);
    h->s = ns;
    h->mask = ncap - 1;
    return 0;
}

static uint32_t htab_get(const struct htab *h, uint64_t k1, uint64_t k2)
{
    if (!h->s)
        return NONE32;
    uint32_t i = hslot_of(k1, k2) & h->mask;
    while (h->s[i].val) {
        if (h->s[i].k1 == k1 && h->s[i].k2 == k2)
            return h->s[i].val - 1;
        i = (i + 1) & h->mask;
    }
    return NONE32;
}

static int htab_put(struct htab *h, uint64_t k1, uint64_t k2, uint32_t v)
{
    if (!h->s || (h->count + 1) * 4 > (h->mask + 1) * 3)
        if (htab_grow(h))
            return -1;
    uint32_t i = hslot_of(k1, k2) & h->mask;
    while (h->s[i].val) {
        if (h->s[i].k1 == k1 && h->s[i].k2 == k2) {
            h->s[i].val = v + 1;
            return 0;
        }
        i = (i + 1) & h->mask;
    }
    h->s[i].k1 = k1;
    h->s[i].k2 = k2;
    h->s[i].val = v + 1;
    h->count++;
    return 0;
}

/* Remove with backward shift, so lookups never need tombstones. */
static void htab_del(struct htab *h, uint64_t k1, uint64_t k2)
{
    if (!h->s)
        return;
    uint32_t i = hslot_of(k1, k2) & h->mask;
    while (h->s[i].val && !(h->s[i].k1 == k1 && h->s[i].k2 == k2))
        i = (i + 1) & h->mask;
    if (!h->s[i].val)
        return;
    h->count--;
    uint32_t j = i;
    for (;;) {
        h->s[i].val = 0;
        for (;;) {
            j = (j + 1) & h->mask;
            if (!h->s[j].val)
                return;
            uint32_t home = hslot_of(h->s[j].k1, h->s[j].k2) & h->mask;
            /* Move j back to i unless its home lies cyclically in (i, j]. */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            break;
        }
        h->s[i] = h->s[j];
        i = j;
    }
}

static void htab_clear(struct htab *h)
{
    if (h->s)
        memset(h->s, 0, (h->mask + 1) * sizeof *h->s);
    h->count = 0;
}

/* ---- Chunked pools --------------------------------------------------------------- */

#define CHUNK_SHIFT 10
#define CHUNK (1u << CHUNK_SHIFT)

struct pool {
    size_t esize;
    void **chunks;
    uint32_t nchunks, used, free_head, live;
};

/* Every pooled entry starts with these two fields. */
struct pooled {
    uint32_t pnext;
    uint8_t live;
};

static void *pool_at(const struct pool *p, uint32_t i)
{
    return (char *)p->chunks[i >> CHUNK_SHIFT] + (size_t)(i & (CHUNK - 1)) * p->esize;
}

/* Returns an entry whose contents are stale (callers reset what they use). */
static void *pool_alloc(struct pool *p, uint32_t *idx)
{
    uint32_t i;
    if (p->free_head != NONE32) {
        i = p->free_head;
        p->free_head = ((struct pooled *)pool_at(p, i))->pnext;
    } else {
        if (p->used == p->nchunks * CHUNK) {
            void **nc = realloc(p->chunks, (p->nchunks + 1) * sizeof *nc);
            if (!nc)
                return NULL;
            p->chunks = nc;
            nc[p->nchunks] = calloc(CHUNK, p->esize);
            if (!nc[p->nchunks])
                return NULL;
            p->nchunks++;
        }
        i = p->used++;
    }
    p->live++;
    *idx = i;
    struct pooled *e = pool_at(p, i);
    e->live = 1;
    return e;
}

static void pool_release(struct pool *p, uint32_t i)
{
    struct pooled *e = pool_at(p, i);
    e->live = 0;
    e->pnext = p->free_head;
    p->free_head = i;
    p->live--;
}

/* ---- Tracked objects ----------------------------------------------------------------- */

struct dst {
    uint32_t port;
    uint16_t nic, bits;
};

struct oid_ent {
    uint32_t pnext;
    uint8_t live;
    uint8_t point, sender, originated, forwarded, child_done, expired, has_parent, child_modified;
    uint64_t id, parent_id;
    uint32_t oid, type, info_len, out_len, child_status;
    uint64_t req_frame, req_seq, child_frame, child_done_frame;
    uint8_t *data;
    uint32_t data_len, data_cap;
};

struct report {
    uint8_t actor, incoming;
    uint32_t port;
};

#define NBL_INLINE_DEST 4
#define NBL_REPORTS 4

struct nbl_ent {
    uint32_t pnext;
    uint8_t live;
    uint8_t origin_point, dir, originated, nrep, snap_prefix, dest_handled;
    int16_t holder;
    uint16_t snap_len, src_port;
    uint8_t src_nic;
    uint32_t sent_mask, ind_mask, rep_overflow; /* rep_overflow: actors whose reports did not fit */
    uint64_t id, fwd, origin_frame, last_frame, origin_seq;
    uint32_t ndis_flags, frame_len;
    struct report rep[NBL_REPORTS];
    struct dst *dest; /* dinline or heap */
    uint32_t ndest, dcap;
    struct dst *heap;
    uint32_t heap_cap;
    struct dst dinline[NBL_INLINE_DEST];
    uint8_t snap[XSW_CHECK_FRAME_SNAP];
};

struct nic_obj {
    uint32_t pnext;
    uint8_t live;
    uint8_t state;
    uint16_t nic;
    uint32_t port, create_mask, connect_mask, disc_mask;
    /*
     * VFAssigned (NDIS_SWITCH_NIC_PARAMETERS) of the last NIC_CONNECT or
     * NIC_UPDATED: bit j as extension j received it (or read it in its
     * NIC_ARRAY), "vf" as the protocol edge completed it.
     */
    uint32_t vf_mask;
    uint8_t vf;
    int32_t total;
    int32_t refs[MAXD];
    uint64_t ref_frame[MAXD];
};

struct port_obj {
    uint32_t pnext;
    uint8_t live;
    uint8_t state;
    uint32_t port, create_mask, teardown_mask;
    int32_t total;
    int32_t refs[MAXD];
    uint64_t ref_frame[MAXD];
};

/*
 * Extension classes as META "ext.N.class" names them; the values are those
 * of enum xsw_ext_class (xsw/switch.h), which the checker does not include
 * because the offline analyzer must not depend on the harness.
 */
enum ecls { ECLS_UNKNOWN = 0, ECLS_CAPTURE = 1, ECLS_FILTER = 2, ECLS_FORWARD = 3 };

enum fstate { FST_UNKNOWN, FST_PAUSED, FST_RUNNING, FST_DETACHED };

#define MAX_RETRY 8
struct retry {
    uint32_t oid, needed, status;
    uint64_t frame;
};

/*
 * A status indication that reached an extension from below and that it has
 * not passed up yet: an indication it makes that matches none of these is
 * its own (status.originated).
 */
#define MAX_STATUS_UP 8
struct status_up {
    uint32_t code, inner, port;
    uint16_t nic;
};

struct ext_state {
    uint8_t cls, fstate, params_done, active, ext_id_known;
    uint8_t ext_id[16];
    struct retry retry[MAX_RETRY];
    unsigned nretry;
    struct status_up up[MAX_STATUS_UP];
    unsigned nup;
};

struct tmo {
    uint64_t id, seq;
    uint8_t point;
};

/* Strings of a collected violation (its struct lives in the kept array). */
struct stored {
    char *expected, *actual, *object;
};

/*
 * Boolean facts of the record (or end object) being judged, computed once.
 * A rule's "when" entries that only test one of them ("nbl.found",
 * "!oid.forwarded") are folded into a gate (struct gate, slot cmask/cvalue),
 * and plan entries are built per set of facts, with every fact the rule
 * reads known (variant_get), so that what the facts decide is not evaluated
 * again record after record.
 */
enum {
    F_OID_FOUND = 1u << 0,
    F_OID_FORWARDED = 1u << 1,
    F_OID_CHILD_DONE = 1u << 2,
    F_PARENT_FOUND = 1u << 3,
    F_NBL_FOUND = 1u << 4,
    F_REC_ORIGINATED = 1u << 5,
    F_NATIVE_FWD = 1u << 6,
    F_SINGLE_SOURCE = 1u << 7,
    F_DEST_GROUP = 1u << 8,
    F_RETRY = 1u << 9,
    F_DEST_HANDLED = 1u << 10,
    /* What the record is known to satisfy (XASSUME_* << F_ASSUME_SHIFT, check_int.h). */
    F_DESTS_SAME = XASSUME_DESTS_SAME << 11,
    F_FRAME_SAME = XASSUME_FRAME_SAME << 11,
    /* Never set: a gate requiring it never opens. */
    F_NEVER = 1u << 31,
};
#define F_ASSUME_SHIFT 11
#define F_ALL 0x1FFFu /* every fact a record can have */

static const struct {
    uint16_t field;
    uint32_t bit;
} fact_fields[] = {
    {XFLD_OID_FOUND, F_OID_FOUND},       {XFLD_OID_FORWARDED, F_OID_FORWARDED},
    {XFLD_OID_CHILD_DONE, F_OID_CHILD_DONE}, {XFLD_PARENT_FOUND, F_PARENT_FOUND},
    {XFLD_NBL_FOUND, F_NBL_FOUND},       {XFLD_REC_ORIGINATED, F_REC_ORIGINATED},
    {XFLD_REC_NATIVE_FWD, F_NATIVE_FWD}, {XFLD_REC_SINGLE_SOURCE, F_SINGLE_SOURCE},
    {XFLD_REC_DEST_GROUP, F_DEST_GROUP}, {XFLD_RETRY_PENDING, F_RETRY},
    {XFLD_NBL_DEST_HANDLED, F_DEST_HANDLED},
};

struct gate {
    uint32_t need1, need0; /* facts that must hold / must not hold */
    uint32_t keep;         /* bit i: when[i] still has to be evaluated */
};

/* A specialised entry: its root evaluator, and for "require" the entry as written (for the report). */
struct sexpr {
    xeval_fn fn;
    const struct xnode *root;
    struct xexpr *e;
    const struct xexpr *orig;
};

/*
 * A rule's "when" and "require" entries specialised for one record kind and
 * one set of facts (xexpr_specialize with the fact fields and XASSUME_* bits
 * known): entries that always hold are dropped, "never" is set when a
 * "when" entry cannot hold; "when"/"req" are what is left to evaluate.
 */
struct svariant {
    uint32_t facts; /* the facts it was built for (those in its slot's fmask) */
    uint8_t never;
    uint16_t nwhen, nreq;
    struct sexpr *when, *req;
    struct svariant *next;
};

/*
 * A rule for one record kind. The gate (facts & cmask) == cvalue holds the
 * fact tests of its "when" entries as written: a record that passes it (and
 * the "on:" pattern and the class) counts as an evaluation of the rule.
 * fmask: the facts its entries depend on; variants are built on demand.
 */
struct slot {
    uint32_t ri;
    uint32_t cmask, cvalue, fmask, class_mask;
    uint8_t point_rel, actor_rel, subject, has_lists;
    int8_t originated;
    struct svariant *vars;
};

/*
 * Plans. A record's shape is its kind, point, actor and ORIGINATED flag
 * (points beyond the depth are one shape, so are actors that are not
 * extensions); a plan base lists the rules whose "on:" point, actor and
 * originated patterns and class filter accept that shape, and the facts
 * they depend on. For each set of those facts a plan entry then holds the
 * rules counted as evaluated and, for the ones with something left to
 * evaluate, their variant. So a record costs its facts, a lookup and the
 * residual conditions. Evaluation counts are kept per entry ("hits") and
 * added to the rules' counters when plans are dropped or counts are read.
 * Plans depend on the stack depth and the extension classes: they are
 * built on first use and dropped when either changes (a META record,
 * another depth), or when they grow past PLAN_BUDGET bytes.
 */
#define PLAN_BUDGET (8u << 20)

struct prun {
    const struct slot *sl;
    const struct svariant *va;
    int subject; /* the extension judged (the shape's actor or receiver), -1: the switch */
    int simple;  /* no name lists, no "when" left, one "require" entry: fn(x, e, root) */
    xeval_fn fn;
    const struct xexpr *e;
    const struct xnode *root;
};

struct pentry {
    uint32_t facts;
    uint32_t ncount, nrun;
    uint64_t hits;
    struct pentry *next;
    uint32_t *count;   /* rules (without "on:" name lists) each use counts, after run[] */
    struct prun run[]; /* rules with "on:" name lists (matched, then counted) and residual conditions */
};

struct pbase {
    uint32_t need; /* facts any of its rules depends on */
    int actor_ext, receiver_ext;
    unsigned nslots;
    struct pentry *entries;
    struct pbase *all_next;
    uint16_t slots[];
};

struct xsw_checker {
    /*
     * What every record touches comes first, together, so that a record
     * costs few cache lines of this structure; the large and the rarely used
     * members follow.
     */
    const struct xsw_spec *spec;
    struct slot *slots[17];
    /* plans by record shape (NULL: not built; sized for plan_depth) */
    struct pbase **plan_at;
    unsigned plan_np, plan_na; /* points (0..depth, beyond) and actors (0..depth-1, not an extension) */
    unsigned plan_depth;
    int plan_over; /* the plans outgrew PLAN_BUDGET: drop them before the next record */
    unsigned depth;
    int nomem;
    uint64_t last_frame, last_seq, since_meta;
    /* destinations of the current record */
    struct dst *rd;
    uint32_t nrd, rd_cap;
    /* chain tracker: the NBL chain whose records are being fed */
    uint8_t chain_kind, chain_point;
    uint16_t chain_src_port;
    uint8_t chain_src_nic;
    uint64_t chain_hash;
    /*
     * The NBLs looked up last: the records of a chain come by the chain, so
     * the next record's NBL is most often one of these. A hit is checked
     * against the entry itself (live, same id), so a stale one only misses.
     */
    struct {
        uint64_t id;
        struct nbl_ent *n; /* pooled entries never move */
    } nbl_recent[4];
    unsigned nbl_recent_next;
    struct pool pnbl;
    struct htab hnbl;
    /* NDIS flags behind rec.native_fwd, rec.single_source and rec.destination_group, per kind */
    uint64_t native_fwd_mask;
    uint32_t single_source_mask[17], dest_group_mask[17];
    struct xsw_check_stats st;
    struct xsw_check_config cfg;
    uint64_t *rule_eval, *rule_viol;
    struct ext_state ext[MAXD];
    /* the rest of the trackers */
    struct htab hoid, hnic, hport;
    struct pool poid, pnic, pport;
    struct tmo *fifo;
    size_t fifo_cap, fifo_head, fifo_len;
    /* all plans in one list, their size and their keys */
    struct pbase *plans;
    size_t plan_bytes, var_bytes, plan_keys;
    struct gate *gate;
    unsigned nby_kind[17];
    uint32_t *by_end[6];
    unsigned nby_end[6];
    uint8_t finding_mapped[65536 / 8];
    /* differences of the current record's destinations from the last crossing */
    struct dst *coll[XCOLL__N];
    uint16_t *coll_old[XCOLL__N];
    uint32_t ncoll[XCOLL__N], coll_cap;
    /* messages */
    char expected[1024], actual[1024], object[160];
    struct xsw_violation *kept;
    struct stored *kept_str;
    size_t nkept, capkept;
};

/* ---- Configuration and META ---------------------------------------------------------- */

void xsw_check_config_init(struct xsw_check_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->frame_cmp = 64;
    cfg->max_objects = 4u << 20;
    cfg->max_collected = 10000;
}

static const char *class_name(uint8_t c)
{
    switch ((enum ecls)c) {
    case ECLS_CAPTURE:
        return "capture";
    case ECLS_FILTER:
        return "filter";
    case ECLS_FORWARD:
        return "forward";
    case ECLS_UNKNOWN:
        break;
    }
    return "unknown";
}

/* "6B3E0F84-1C3B-4C4E-9A1D-0123456789AB" -> the GUID's bytes as laid out in memory (Data1-3 little-endian). */
static int parse_guid(const char *s, size_t n, uint8_t out[16])
{
    if (n == 38 && s[0] == '{' && s[37] == '}')
        s++, n -= 2;
    if (n != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return -1;
    uint8_t b[16];
    unsigned k = 0;
    /* "i + 1 < 36": a '-' out of place shifts the pairs, and the last one must not read past the text. */
    for (size_t i = 0; i + 1 < 36 && k < 16; i++) {
        if (s[i] == '-')
            continue;
        int hi = s[i], lo = s[i + 1];
        int h = hi >= '0' && hi <= '9' ? hi - '0' : (hi | 32) >= 'a' && (hi | 32) <= 'f' ? (hi | 32) - 'a' + 10 : -1;
        int l = lo >= '0' && lo <= '9' ? lo - '0' : (lo | 32) >= 'a' && (lo | 32) <= 'f' ? (lo | 32) - 'a' + 10 : -1;
        if (h < 0 || l < 0)
            return -1;
        b[k++] = (uint8_t)(h << 4 | l);
        i++;
    }
    if (k != 16)
        return -1;
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (unsigned i = 0; i < 16; i++)
        out[i] = b[order[i]];
    return 0;
}

/* META lines "ext.N.class=capture" and "ext.N.guid=..." configure the extensions. */
NOINLINE static void apply_meta(struct xsw_checker *c, const char *t, uint32_t len)
{
    const char *p = t, *end = t + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *eq = memchr(p, '=', (size_t)(le - p));
        if (eq && le - p > 4 && memcmp(p, "ext.", 4) == 0) {
            char *q;
            unsigned long i = strtoul(p + 4, &q, 10);
            if (q < eq && *q == '.' && i < MAXD) {
                size_t kl = (size_t)(eq - q - 1);
                const char *v = eq + 1;
                size_t vl = (size_t)(le - v);
                if (kl == 5 && memcmp(q + 1, "class", 5) == 0 && !c->cfg.ignore_meta) {
                    static const struct {
                        const char *n;
                        uint8_t c;
                    } cl[] = {{"capture", ECLS_CAPTURE},           {"filter", ECLS_FILTER},
                              {"forward", ECLS_FORWARD},           {"ms_switch_capture", ECLS_CAPTURE},
                              {"ms_switch_filter", ECLS_FILTER},   {"ms_switch_forward", ECLS_FORWARD}};
                    c->ext[i].cls = ECLS_UNKNOWN;
                    for (size_t k = 0; k < sizeof cl / sizeof cl[0]; k++)
                        if (strlen(cl[k].n) == vl && memcmp(cl[k].n, v, vl) == 0)
                            c->ext[i].cls = cl[k].c;
                } else if (kl == 4 && memcmp(q + 1, "guid", 4) == 0) {
                    if (parse_guid(v, vl, c->ext[i].ext_id) == 0)
                        c->ext[i].ext_id_known = 1;
                }
            }
        }
        p = le + 1;
    }
}

/* ---- Lookups --------------------------------------------------------------------------- */

static struct oid_ent *oid_find(struct xsw_checker *c, uint64_t id, unsigned point)
{
    uint32_t i = htab_get(&c->hoid, id, point);
    return i == NONE32 ? NULL : pool_at(&c->poid, i);
}

static void nbl_remember(struct xsw_checker *c, uint64_t id, uint32_t idx)
{
    unsigned k = c->nbl_recent_next++ & 3;
    c->nbl_recent[k].id = id;
    c->nbl_recent[k].n = pool_at(&c->pnbl, idx);
}

static struct nbl_ent *nbl_find(struct xsw_checker *c, uint64_t id)
{
    if (!id)
        return NULL;
    for (unsigned k = 0; k < 4; k++)
        if (c->nbl_recent[k].id == id) {
            struct nbl_ent *n = c->nbl_recent[k].n;
            if (n->live && n->id == id)
                return n;
            break;
        }
    uint32_t i = htab_get(&c->hnbl, id, 0);
    if (i == NONE32)
        return NULL;
    nbl_remember(c, id, i);
    return pool_at(&c->pnbl, i);
}

static struct nic_obj *nic_find(struct xsw_checker *c, uint32_t port, uint16_t nic)
{
    uint32_t i = htab_get(&c->hnic, port, nic);
    return i == NONE32 ? NULL : pool_at(&c->pnic, i);
}

static struct port_obj *port_find(struct xsw_checker *c, uint32_t port)
{
    uint32_t i = htab_get(&c->hport, port, 0);
    return i == NONE32 ? NULL : pool_at(&c->pport, i);
}

static int over_limit(struct xsw_checker *c, const struct pool *p)
{
    if (p->live < c->cfg.max_objects)
        return 0;
    c->st.untracked++;
    return 1;
}

/*
 * A slot of pool "p" filed under ("k1", "k2") in hash "h", its index in "idx"; its contents are stale
 * (callers reset what they use). NULL when the object limit is reached (counted as untracked) or
 * memory ran out (c->nomem).
 */
static ALWAYS_INLINE void *ent_alloc(struct xsw_checker *c, struct pool *p, struct htab *h, uint64_t k1, uint64_t k2,
                                     uint32_t *idx)
{
    if (over_limit(c, p))
        return NULL;
    void *e = pool_alloc(p, idx);
    if (!e || htab_put(h, k1, k2, *idx)) {
        c->nomem = 1;
        return NULL;
    }
    return e;
}

static struct nic_obj *nic_get(struct xsw_checker *c, uint32_t port, uint16_t nic)
{
    struct nic_obj *n = nic_find(c, port, nic);
    if (n)
        return n;
    uint32_t i;
    n = ent_alloc(c, &c->pnic, &c->hnic, port, nic, &i);
    if (!n)
        return NULL;
    uint32_t pn = n->pnext;
    memset(n, 0, sizeof *n);
    n->pnext = pn;
    n->live = 1;
    n->port = port;
    n->nic = nic;
    return n;
}

static struct port_obj *port_get(struct xsw_checker *c, uint32_t port)
{
    struct port_obj *n = port_find(c, port);
    if (n)
        return n;
    uint32_t i;
    n = ent_alloc(c, &c->pport, &c->hport, port, 0, &i);
    if (!n)
        return NULL;
    uint32_t pn = n->pnext;
    memset(n, 0, sizeof *n);
    n->pnext = pn;
    n->live = 1;
    n->port = port;
    return n;
}

/*
 * META "port.ID=TYPE" and "nic.PORT.INDEX=STATE" lines (docs/trace-format.md):
 * the ports and NICs that existed when the extensions were loaded. They were
 * created before the trace began, so an extension may reference them, send
 * to them and query them from the start (a switch that was running before
 * the extension attached; the OIDs that created them were never seen).
 */
NOINLINE static void learn_meta_objects(struct xsw_checker *c, const char *t, uint32_t len)
{
    const char *p = t, *end = t + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        char buf[64];
        int is_port = n > 5 && memcmp(p, "port.", 5) == 0, is_nic = n > 4 && memcmp(p, "nic.", 4) == 0;
        if ((is_port || is_nic) && n < sizeof buf) {
            /* A bounded, NUL-terminated copy: strtoul must not run past the line. */
            memcpy(buf, p, n);
            buf[n] = 0;
            char *q;
            unsigned long port = strtoul(buf + (is_port ? 5 : 4), &q, 10), idx = 0;
            int ok = isdigit((unsigned char)buf[is_port ? 5 : 4]) && port <= UINT32_MAX;
            if (ok && is_nic) {
                ok = *q == '.' && isdigit((unsigned char)q[1]);
                idx = ok ? strtoul(q + 1, &q, 10) : 0;
                ok = ok && idx <= UINT16_MAX;
            }
            unsigned long v = ok && *q == '=' && isdigit((unsigned char)q[1]) ? strtoul(q + 1, &q, 10) : 0;
            ok = ok && *q == 0;
            if (ok && is_port) {
                struct port_obj *o = port_get(c, (uint32_t)port);
                if (o && o->state == XS_NONE)
                    o->state = XS_CREATED;
            } else if (ok) {
                /* NDIS_SWITCH_NIC_STATE: Created 1, Connected 2, Disconnected 3 (§3.8). */
                uint8_t st = v == 1 ? XS_CREATED : v == 2 ? XS_CONNECTED : v == 3 ? XS_DISCONNECTED : XS_NONE;
                struct nic_obj *o = st != XS_NONE ? nic_get(c, (uint32_t)port, (uint16_t)idx) : NULL;
                if (o && o->state == XS_NONE)
                    o->state = st;
            }
        }
        p = le + 1;
    }
}

/* Drops the entry stored under ("k1", "k2") from hash "h" and gives its slot back to pool "p". */
static ALWAYS_INLINE void ent_free(struct htab *h, struct pool *p, uint64_t k1, uint64_t k2)
{
    uint32_t i = htab_get(h, k1, k2);
    htab_del(h, k1, k2);
    if (i != NONE32)
        pool_release(p, i);
}

static void nic_free(struct xsw_checker *c, struct nic_obj *n)
{
    ent_free(&c->hnic, &c->pnic, n->port, n->nic);
}

static void port_free(struct xsw_checker *c, struct port_obj *n)
{
    ent_free(&c->hport, &c->pport, n->port, 0);
}

static void oid_free(struct xsw_checker *c, struct oid_ent *o)
{
    ent_free(&c->hoid, &c->poid, o->id, o->point);
}

static void nbl_free(struct xsw_checker *c, struct nbl_ent *n)
{
    ent_free(&c->hnbl, &c->pnbl, n->id, 0);
}

/* The state extension "j" sees: its own deliveries count before the protocol edge's completion. */
static uint8_t nic_view(const struct nic_obj *n, int j)
{
    if (!n)
        return XS_NONE;
    if (n->state == XS_DELETED)
        return XS_DELETED;
    if (j >= 0) {
        if (n->disc_mask & BIT((unsigned)j))
            return XS_DISCONNECTED;
        if (n->state < XS_CONNECTED && (n->connect_mask & BIT((unsigned)j + 1)))
            return XS_CONNECTED;
        if (n->state == XS_NONE && (n->create_mask & BIT((unsigned)j + 1)))
            return XS_CREATED;
    }
    return n->state;
}

/* VFAssigned as extension "j" last received it for the NIC; the protocol edge's value for j < 0. */
static int nic_vf(const struct nic_obj *n, int j)
{
    if (!n)
        return 0;
    return j >= 0 ? (n->vf_mask & BIT((unsigned)j)) != 0 : n->vf;
}

static uint8_t port_view(const struct port_obj *p, int j)
{
    if (!p)
        return XS_NONE;
    if (p->state == XS_DELETED || p->state == XS_TEARDOWN)
        return p->state;
    if (j >= 0) {
        if (p->teardown_mask & BIT((unsigned)j))
            return XS_TEARDOWN;
        if (p->state == XS_NONE && (p->create_mask & BIT((unsigned)j + 1)))
            return XS_CREATED;
    }
    return p->state;
}

/* ---- Evaluation context ---------------------------------------------------------------- */

struct ectx {
    struct xsw_checker *c;
    const struct xsw_rec *rec; /* NULL at the end of the trace */
    int subject;               /* extension judged, -1 = switch */
    int actor_ext, receiver_ext;
    struct oid_ent *oid, *parent;
    struct nbl_ent *nbl;
    struct retry *retry;
    /* port/NIC named by the record or the end object */
    uint32_t kport;
    uint16_t knic;
    int nic_looked, port_looked;
    struct nic_obj *nic;
    struct port_obj *port;
    int32_t ref_count; /* at_end nic_ref / port_ref */
    int diffs_done;
    uint64_t rec_hash;
    int have_hash;
    /* element bound by all()/any()/count() */
    const struct dst *d;
    uint16_t d_old;
    uint32_t facts;
    int status_orig; /* STATUS: the actor indicated it itself (nothing from below to pass up) */
};

static struct nic_obj *ctx_nic(struct ectx *x)
{
    if (!x->nic_looked) {
        x->nic = nic_find(x->c, x->kport, x->knic);
        x->nic_looked = 1;
    }
    return x->nic;
}

static struct port_obj *ctx_port(struct ectx *x)
{
    if (!x->port_looked) {
        x->port = port_find(x->c, x->kport);
        x->port_looked = 1;
    }
    return x->port;
}

static int ensure_cap(struct xsw_checker *c, uint32_t n)
{
    if (n <= c->coll_cap)
        return 0;
    uint32_t nc = c->coll_cap ? c->coll_cap : 64;
    while (nc < n)
        nc *= 2;
    for (int i = 0; i < XCOLL__N; i++) {
        struct dst *d = realloc(c->coll[i], nc * sizeof *d);
        if (!d)
            return -1;
        c->coll[i] = d;
        uint16_t *o = realloc(c->coll_old[i], nc * sizeof *o);
        if (!o)
            return -1;
        c->coll_old[i] = o;
    }
    c->coll_cap = nc;
    return 0;
}

static int dst_cmp(const void *a, const void *b)
{
    const struct dst *x = a, *y = b;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    return (int)x->nic - (int)y->nic;
}

/*
 * Added, removed, changed and newly excluded destinations of the current
 * record against the NBL's last crossing, keyed by (port, NIC).
 */
static void compute_diffs(struct ectx *x)
{
    struct xsw_checker *c = x->c;
    x->diffs_done = 1;
    for (int i = 0; i < XCOLL__N; i++)
        c->ncoll[i] = 0;
    const struct dst *prev = x->nbl ? x->nbl->dest : NULL;
    uint32_t np = x->nbl ? x->nbl->ndest : 0, nr = c->nrd;
    if (ensure_cap(c, 2 * (nr + np) + 2)) {
        c->nomem = 1;
        return;
    }
    if ((uint64_t)nr * np <= 64) {
        /* Short lists (the common case): compare pairwise, in record order. */
        for (uint32_t i = 0; i < nr; i++) {
            uint32_t j = 0;
            while (j < np && (prev[j].port != c->rd[i].port || prev[j].nic != c->rd[i].nic))
                j++;
            if (j == np) {
                c->coll[XCOLL_ADDED][c->ncoll[XCOLL_ADDED]++] = c->rd[i];
            } else if (prev[j].bits != c->rd[i].bits) {
                uint32_t k = c->ncoll[XCOLL_CHANGED]++;
                c->coll[XCOLL_CHANGED][k] = c->rd[i];
                c->coll_old[XCOLL_CHANGED][k] = prev[j].bits;
                if ((c->rd[i].bits & 1) && !(prev[j].bits & 1)) {
                    k = c->ncoll[XCOLL_NEWLY_EXCLUDED]++;
                    c->coll[XCOLL_NEWLY_EXCLUDED][k] = c->rd[i];
                    c->coll_old[XCOLL_NEWLY_EXCLUDED][k] = prev[j].bits;
                }
            }
        }
        for (uint32_t j = 0; j < np; j++) {
            uint32_t i = 0;
            while (i < nr && (prev[j].port != c->rd[i].port || prev[j].nic != c->rd[i].nic))
                i++;
            if (i == nr)
                c->coll[XCOLL_REMOVED][c->ncoll[XCOLL_REMOVED]++] = prev[j];
        }
        return;
    }
    /* Long lists: sorted copies make the comparison linear after the sort. */
    struct dst *a = c->coll[XCOLL_REC_DEST], *b = c->coll[XCOLL_NBL_DEST];
    memcpy(a, c->rd, nr * sizeof *a);
    if (np)
        memcpy(b, prev, np * sizeof *b);
    qsort(a, nr, sizeof *a, dst_cmp);
    qsort(b, np, sizeof *b, dst_cmp);
    uint32_t i = 0, j = 0;
    while (i < nr || j < np) {
        int cmp = i == nr ? 1 : j == np ? -1 : dst_cmp(&a[i], &b[j]);
        if (cmp < 0) {
            c->coll[XCOLL_ADDED][c->ncoll[XCOLL_ADDED]++] = a[i++];
        } else if (cmp > 0) {
            c->coll[XCOLL_REMOVED][c->ncoll[XCOLL_REMOVED]++] = b[j++];
        } else {
            if (a[i].bits != b[j].bits) {
                uint32_t k = c->ncoll[XCOLL_CHANGED]++;
                c->coll[XCOLL_CHANGED][k] = a[i];
                c->coll_old[XCOLL_CHANGED][k] = b[j].bits;
                if ((a[i].bits & 1) && !(b[j].bits & 1)) {
                    k = c->ncoll[XCOLL_NEWLY_EXCLUDED]++;
                    c->coll[XCOLL_NEWLY_EXCLUDED][k] = a[i];
                    c->coll_old[XCOLL_NEWLY_EXCLUDED][k] = b[j].bits;
                }
            }
            i++;
            j++;
        }
    }
}

/* The list named by "id": record order for rec.dest and nbl.dest, sorted for the differences. */
static const struct dst *ctx_coll(struct ectx *x, unsigned id, uint32_t *n, const uint16_t **old)
{
    struct xsw_checker *c = x->c;
    *old = NULL;
    switch ((enum xcoll)id) {
    case XCOLL_REC_DEST:
        *n = c->nrd;
        return c->rd;
    case XCOLL_NBL_DEST:
        *n = x->nbl ? x->nbl->ndest : 0;
        return x->nbl ? x->nbl->dest : NULL;
    case XCOLL_ADDED:
    case XCOLL_REMOVED:
    case XCOLL_CHANGED:
    case XCOLL_NEWLY_EXCLUDED:
        if (!x->diffs_done)
            compute_diffs(x);
        *n = c->ncoll[id];
        *old = c->coll_old[id];
        return c->coll[id];
    case XCOLL__N:
        break;
    }
    *n = 0;
    return NULL;
}

static uint64_t dest_hash(const struct dst *d, uint32_t n)
{
    uint64_t h = 0x12345;
    for (uint32_t i = 0; i < n; i++)
        h = hmix(h ^ d[i].port, (uint64_t)d[i].nic << 16 | d[i].bits);
    return h;
}

struct bufv {
    const uint8_t *p;
    uint32_t len;
    int prefix; /* only the first bytes of something longer */
};

static void ctx_buf(struct ectx *x, unsigned id, struct bufv *b)
{
    const struct xsw_rec *r = x->rec;
    b->p = NULL;
    b->len = 0;
    b->prefix = 0;
    switch ((enum xbuf)id) {
    case XBUF_REC_DATA:
        if (!r)
            break;
        if (r->kind == XSW_K_OID_REQUEST || r->kind == XSW_K_OID_COMPLETE) {
            b->p = r->u.oid.data;
            b->len = r->u.oid.data_len;
        } else if (r->kind == XSW_K_STATUS) {
            b->p = r->u.status.data;
            b->len = r->u.status.data_len;
        } else if (r->kind == XSW_K_PNP_EVENT) {
            b->p = r->u.pnp.data;
            b->len = r->u.pnp.data_len;
        }
        break;
    case XBUF_REC_FRAME:
        if (r) {
            b->p = r->u.nbl.frame;
            b->len = r->u.nbl.cap_len;
            b->prefix = r->u.nbl.cap_len < r->u.nbl.frame_len;
        }
        break;
    case XBUF_REQUEST_DATA:
        if (x->oid) {
            b->p = x->oid->data;
            b->len = x->oid->data_len;
        }
        break;
    case XBUF_PARENT_DATA:
        if (x->parent) {
            b->p = x->parent->data;
            b->len = x->parent->data_len;
        }
        break;
    case XBUF_NBL_FRAME:
        if (x->nbl) {
            b->p = x->nbl->snap;
            b->len = x->nbl->snap_len;
            b->prefix = 1;
        }
        break;
    case XBUF_SUBJECT_EXT_ID:
        if (x->subject >= 0 && x->c->ext[x->subject].ext_id_known) {
            b->p = x->c->ext[x->subject].ext_id;
            b->len = 16;
        }
        break;
    case XBUF__N:
        break;
    }
    if (!b->p)
        b->len = 0;
}

/* Little-endian read of "n" bytes at "off" through the shared accessors; 0 when not captured. */
static uint64_t rd_le(const struct bufv *b, int64_t off, unsigned n)
{
    if (off < 0)
        return 0;
    size_t o = (size_t)off;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    switch (n) {
    case 1:
        return xsw_get_u8(b->p, b->len, o, &v8) ? 0 : v8;
    case 2:
        return xsw_get_u16(b->p, b->len, o, &v16) ? 0 : v16;
    case 4:
        return xsw_get_u32(b->p, b->len, o, &v32) ? 0 : v32;
    default:
        return xsw_get_u64(b->p, b->len, o, &v64) ? 0 : v64;
    }
}

/* First (or last) offset where a and b differ within "limit" bytes, -1 if none. */
static int64_t buf_diff(const struct bufv *a, const struct bufv *b, int64_t limit, int last)
{
    uint64_t L = a->len > b->len ? a->len : b->len;
    if (a->prefix || b->prefix)
        L = a->len < b->len ? a->len : b->len;
    if (limit >= 0 && (uint64_t)limit < L)
        L = (uint64_t)limit;
    /* Equal bytes are the rule: settle that with memcmp before looking for the offset. */
    uint64_t common = a->len < b->len ? a->len : b->len;
    if (common > L)
        common = L;
    if (common == L && (!L || memcmp(a->p, b->p, (size_t)L) == 0))
        return -1;
    int64_t found = -1;
    for (uint64_t i = 0; i < L; i++) {
        int av = i < a->len ? a->p[i] : -1, bv = i < b->len ? b->p[i] : -1;
        if (av != bv) {
            found = (int64_t)i;
            if (!last)
                break;
        }
    }
    return found;
}

static int64_t ev(struct ectx *x, const struct xexpr *e, int32_t n);

/* The SWITCH_SINGLE_SOURCE flag of whichever NDIS call the record stands for (§5.5). */
static int single_source(const struct xsw_rec *r)
{
    uint32_t f = r->u.nbl.ndis_flags;
    switch (r->kind) {
    case XSW_K_NBL_SEND:
        return (f & (uint32_t)XCV(NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE)) != 0;
    case XSW_K_NBL_INDICATE:
        return (f & (uint32_t)XCV(NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE)) != 0;
    case XSW_K_NBL_SEND_COMPLETE:
        return (f & (uint32_t)XCV(NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE)) != 0;
    case XSW_K_NBL_RETURN:
        return (f & (uint32_t)XCV(NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE)) != 0;
    default:
        return 0;
    }
}

static int destination_group(const struct xsw_rec *r)
{
    uint32_t f = r->u.nbl.ndis_flags;
    if (r->kind == XSW_K_NBL_SEND)
        return (f & (uint32_t)XCV(NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP)) != 0;
    if (r->kind == XSW_K_NBL_INDICATE)
        return (f & (uint32_t)XCV(NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP)) != 0;
    return 0;
}

/*
 * The evaluators below are specialised per field and per function by
 * X-macros: each calls one of these with a constant id, and forcing them
 * inline (ALWAYS_INLINE, top of the file) lets the compiler fold the switch
 * to that one case.
 */

static ALWAYS_INLINE int64_t field(struct ectx *x, unsigned id)
{
    const struct xsw_rec *r = x->rec;
    struct xsw_checker *c = x->c;
    int s = x->subject;
    switch ((enum xfield)id) {
    case XFLD_REC_KIND:
        return r ? r->kind : 0;
    case XFLD_REC_POINT:
        return r ? r->point : 0;
    case XFLD_REC_DEPTH:
        return r ? r->depth : 0;
    case XFLD_REC_ACTOR:
        return r ? r->actor : 0;
    case XFLD_REC_FLAGS:
        return r ? r->flags : 0;
    case XFLD_REC_ORIGINATED:
        return r ? (r->flags & XSW_RF_ORIGINATED) != 0 : 0;
    case XFLD_REC_PORT:
        return r ? r->port_id : 0;
    case XFLD_REC_NIC:
        return r ? r->nic_index : 0;
    case XFLD_REC_STATUS:
        return r ? r->status : 0;
    case XFLD_REC_ID:
        return r ? (int64_t)r->id : 0;
    case XFLD_REC_PARENT:
        return r ? (int64_t)r->parent : 0;
    case XFLD_REC_SEQ:
        return r ? (int64_t)r->seq : 0;
    case XFLD_REC_OID:
        return r->u.oid.oid;
    case XFLD_REC_TYPE:
        return r->u.oid.type;
    case XFLD_REC_INFO_LEN:
        return r->u.oid.info_len;
    case XFLD_REC_OUT_LEN:
        return r->u.oid.out_len;
    case XFLD_REC_BUF_LEN:
        return r->u.oid.type == XCV(NdisRequestMethod) ? r->u.oid.out_len : r->u.oid.info_len;
    case XFLD_REC_DONE:
        return r->u.oid.done;
    case XFLD_REC_NEEDED:
        return r->u.oid.needed;
    case XFLD_REC_INNER_OID:
        return r->u.oid.inner_oid;
    case XFLD_REC_INNER_TYPE:
        return r->u.oid.inner_type;
    case XFLD_REC_INNER_STATUS:
        return r->u.oid.inner_status;
    case XFLD_REC_NDIS_FLAGS:
        return r->u.nbl.ndis_flags;
    case XFLD_REC_CHAIN_IDX:
        return r->u.nbl.chain_idx;
    case XFLD_REC_CHAIN_LEN:
        return r->u.nbl.chain_len;
    case XFLD_REC_FWD:
        return (int64_t)r->u.nbl.fwd;
    case XFLD_REC_SRC_PORT:
        return (int64_t)((r->u.nbl.fwd >> 16) & 0xFFFF);
    case XFLD_REC_SRC_NIC:
        return (int64_t)((r->u.nbl.fwd >> 32) & 0xFF);
    case XFLD_REC_NATIVE_FWD:
        return (r->u.nbl.fwd & (uint64_t)XCV(NDIS_SWITCH_FWD_NATIVE_FORWARDING_REQUIRED)) != 0;
    case XFLD_REC_DATA_SAFE:
        return (r->u.nbl.fwd & (uint64_t)XCV(NDIS_SWITCH_FWD_IS_PACKET_DATA_SAFE)) != 0;
    case XFLD_REC_NUM_AVAIL:
        return (int64_t)(r->u.nbl.fwd & 0xFFFF);
    case XFLD_REC_SINGLE_SOURCE:
        return single_source(r);
    case XFLD_REC_DEST_GROUP:
        return destination_group(r);
    case XFLD_REC_NUM_DEST:
        return c->nrd;
    case XFLD_REC_NUM_ELEM:
        return r->u.nbl.num_elem;
    case XFLD_REC_FRAME_LEN:
        return r->u.nbl.frame_len;
    case XFLD_REC_NB_COUNT:
        return r->u.nbl.nb_count;
    case XFLD_REC_DEST_HASH:
        if (!x->have_hash) {
            x->rec_hash = dest_hash(c->rd, c->nrd);
            x->have_hash = 1;
        }
        return (int64_t)x->rec_hash;
    case XFLD_REC_CODE:
        return r->u.status.code;
    case XFLD_REC_INNER_CODE:
        return r->u.status.inner_code;
    case XFLD_REC_EVENT:
        return r->kind == XSW_K_PNP_EVENT ? r->u.pnp.event : r->u.fs.event;
    case XFLD_REC_HANDLER:
        return r->u.hc.handler;
    case XFLD_REC_IRQL:
        return r->kind == XSW_K_HANDLER_CALL ? r->u.hc.irql : r->u.finding.irql;
    case XFLD_REC_HC_FLAGS:
        return r->u.hc.flags;
    case XFLD_REC_COUNT:
        return r->u.hc.count;
    case XFLD_REC_REFCOUNT:
        return r->u.hc.refcount;
    case XFLD_REC_NBL:
        return (int64_t)r->u.hc.nbl;
    case XFLD_REC_FINDING:
        return r->u.finding.code;
    case XFLD_REC_VALUE:
        return (int64_t)r->u.finding.value;
    case XFLD_OID_FOUND:
        return x->oid != NULL;
    case XFLD_OID_FORWARDED:
        return x->oid && x->oid->forwarded;
    case XFLD_OID_CHILD_DONE:
        return x->oid && x->oid->child_done;
    case XFLD_OID_CHILD_STATUS:
        return x->oid ? x->oid->child_status : 0;
    case XFLD_OID_PASSED_THROUGH:
        return x->oid && x->oid->forwarded && x->oid->child_done && r && x->oid->child_status == r->status;
    case XFLD_OID_CHILD_MODIFIED:
        return x->oid && x->oid->child_modified;
    case XFLD_OID_ORIGINATED:
        return x->oid && x->oid->originated;
    case XFLD_OID_SENDER:
        return x->oid ? x->oid->sender : 0;
    case XFLD_OID_POINT:
        return x->oid ? x->oid->point : 0;
    case XFLD_OID_OID:
        return x->oid ? x->oid->oid : 0;
    case XFLD_OID_AGE:
        return x->oid ? (int64_t)(c->last_seq - x->oid->req_seq) : 0;
    case XFLD_REQUEST_TYPE:
        return x->oid ? x->oid->type : 0;
    case XFLD_REQUEST_INFO_LEN:
        return x->oid ? x->oid->info_len : 0;
    case XFLD_REQUEST_OUT_LEN:
        return x->oid ? x->oid->out_len : 0;
    case XFLD_REQUEST_BUF_LEN:
        return x->oid ? (x->oid->type == XCV(NdisRequestMethod) ? x->oid->out_len : x->oid->info_len) : 0;
    case XFLD_PARENT_FOUND:
        return x->parent != NULL;
    case XFLD_PARENT_OID:
        return x->parent ? x->parent->oid : 0;
    case XFLD_PARENT_INFO_LEN:
        return x->parent ? x->parent->info_len : 0;
    case XFLD_NBL_FOUND:
        return x->nbl != NULL;
    case XFLD_NBL_HOLDER:
        return x->nbl ? x->nbl->holder : XH_PROTOCOL_EDGE;
    case XFLD_NBL_ORIGIN_POINT:
        return x->nbl ? x->nbl->origin_point : 0;
    case XFLD_NBL_DIR:
        return x->nbl ? x->nbl->dir : 0;
    case XFLD_NBL_ORIGINATED:
        return x->nbl && x->nbl->originated;
    case XFLD_NBL_SRC_PORT:
        return x->nbl ? x->nbl->src_port : 0;
    case XFLD_NBL_SRC_NIC:
        return x->nbl ? x->nbl->src_nic : 0;
    case XFLD_NBL_FRAME_LEN:
        return x->nbl ? x->nbl->frame_len : 0;
    case XFLD_NBL_FWD:
        return x->nbl ? (int64_t)x->nbl->fwd : 0;
    case XFLD_NBL_NDIS_FLAGS:
        return x->nbl ? x->nbl->ndis_flags : 0;
    case XFLD_NBL_REPORTED:
        if (!x->nbl || s < 0)
            return 0;
        if (x->nbl->rep_overflow & BIT((unsigned)s))
            return 1;
        for (unsigned i = 0; i < x->nbl->nrep; i++)
            if (x->nbl->rep[i].actor == s)
                return 1;
        return 0;
    case XFLD_NBL_DEST_HANDLED:
        return x->nbl && x->nbl->dest_handled;
    case XFLD_NBL_AGE:
        return x->nbl ? (int64_t)(c->last_seq - x->nbl->origin_seq) : 0;
    case XFLD_SUBJECT_INDEX:
        return s;
    case XFLD_SUBJECT_CLASS:
        return s >= 0 ? c->ext[s].cls : 0;
    case XFLD_SUBJECT_PAUSED:
        return s >= 0 && (c->ext[s].fstate == FST_PAUSED || c->ext[s].fstate == FST_DETACHED);
    case XFLD_SUBJECT_PARAMS_DONE:
        return s >= 0 && c->ext[s].params_done;
    case XFLD_SUBJECT_ACTIVE:
        return s >= 0 && c->ext[s].active;
    case XFLD_SUBJECT_EXT_ID_KNOWN:
        return s >= 0 && c->ext[s].ext_id_known;
    case XFLD_NIC_STATE:
        return nic_view(ctx_nic(x), s);
    case XFLD_NIC_REFS:
        return ctx_nic(x) && s >= 0 ? x->nic->refs[s] : 0;
    case XFLD_NIC_REFS_TOTAL:
        return ctx_nic(x) ? x->nic->total : 0;
    case XFLD_NIC_DISC_SEEN:
        return ctx_nic(x) && s >= 0 && (x->nic->disc_mask & BIT((unsigned)s));
    case XFLD_NIC_DISC_FWD:
        return ctx_nic(x) && s >= 0 && (x->nic->disc_mask & BIT((unsigned)s + 1));
    case XFLD_NIC_VF_ASSIGNED:
        return nic_vf(ctx_nic(x), s);
    case XFLD_STATUS_ORIGINATED:
        return x->status_orig;
    case XFLD_PORT_STATE:
        return port_view(ctx_port(x), s);
    case XFLD_PORT_REFS:
        return ctx_port(x) && s >= 0 ? x->port->refs[s] : 0;
    case XFLD_PORT_REFS_TOTAL:
        return ctx_port(x) ? x->port->total : 0;
    case XFLD_PORT_TEARDOWN_SEEN:
        return ctx_port(x) && s >= 0 && (x->port->teardown_mask & BIT((unsigned)s));
    case XFLD_REF_PORT:
        return x->kport;
    case XFLD_REF_NIC:
        return x->knic;
    case XFLD_REF_COUNT:
        return x->ref_count;
    case XFLD_RETRY_PENDING:
        return x->retry != NULL;
    case XFLD_RETRY_NEEDED:
        return x->retry ? x->retry->needed : 0;
    case XFLD_RETRY_OID:
        return x->retry ? x->retry->oid : 0;
    case XFLD_RETRY_STATUS:
        return x->retry ? x->retry->status : 0;
    case XFLD_CHAIN_SRC_PORT:
        return c->chain_src_port;
    case XFLD_CHAIN_SRC_NIC:
        return c->chain_src_nic;
    case XFLD_CHAIN_DEST_HASH:
        return (int64_t)c->chain_hash;
    case XFLD_D_PORT:
        return x->d ? x->d->port : 0;
    case XFLD_D_NIC:
        return x->d ? x->d->nic : 0;
    case XFLD_D_BITS:
        return x->d ? x->d->bits : 0;
    case XFLD_D_EXCLUDED:
        return x->d ? (x->d->bits & 1) : 0;
    case XFLD_D_OLD_BITS:
        return x->d_old;
    case XFLD__N:
        break;
    }
    return 0;
}

static ALWAYS_INLINE int64_t quantify(struct ectx *x, const struct xexpr *e, const struct xnode *nd, int32_t *witness)
{
    uint32_t n;
    const uint16_t *old;
    const struct dst *d = ctx_coll(x, (unsigned)e->nodes[e->args[nd->a]].id, &n, &old);
    int32_t pred = nd->b > 1 ? e->args[nd->a + 1] : -1;
    const struct dst *sd = x->d;
    uint16_t so = x->d_old;
    int64_t count = 0, res;
    *witness = -1;
    for (uint32_t i = 0; i < n; i++) {
        x->d = &d[i];
        x->d_old = old ? old[i] : 0;
        int ok = pred < 0 || ev(x, e, pred) != 0;
        if (nd->id == XFN_ALL && !ok) {
            *witness = (int32_t)i;
            break;
        }
        if (nd->id == XFN_ANY && ok) {
            *witness = (int32_t)i;
            break;
        }
        count += ok;
    }
    x->d = sd;
    x->d_old = so;
    switch (nd->id) {
    case XFN_ALL:
        res = *witness < 0;
        break;
    case XFN_ANY:
        res = *witness >= 0;
        break;
    default:
        res = count;
        break;
    }
    return res;
}

static ALWAYS_INLINE int64_t call_fn(struct ectx *x, const struct xexpr *e, const struct xnode *nd, unsigned id)
{
    const int32_t *a = &e->args[nd->a];
    struct xsw_checker *c = x->c;
    struct bufv b1, b2;
    int s = x->subject;
    switch ((enum xfunc)id) {
    case XFN_U8:
    case XFN_U16:
    case XFN_U32:
    case XFN_U64: {
        static const unsigned w[] = {1, 2, 4, 8};
        ctx_buf(x, e->nodes[a[0]].id, &b1);
        return (int64_t)rd_le(&b1, ev(x, e, a[1]), w[id - XFN_U8]);
    }
    case XFN_LEN:
        ctx_buf(x, e->nodes[a[0]].id, &b1);
        return b1.len;
    case XFN_DIFF:
    case XFN_DIFF_LAST:
        ctx_buf(x, e->nodes[a[0]].id, &b1);
        ctx_buf(x, e->nodes[a[1]].id, &b2);
        return buf_diff(&b1, &b2, nd->b > 2 ? ev(x, e, a[2]) : -1, id == XFN_DIFF_LAST);
    case XFN_EQ: {
        ctx_buf(x, e->nodes[a[0]].id, &b1);
        ctx_buf(x, e->nodes[a[2]].id, &b2);
        int64_t o1 = ev(x, e, a[1]), o2 = ev(x, e, a[3]), n = ev(x, e, a[4]);
        if (o1 < 0 || o2 < 0 || n < 0 || (uint64_t)o1 + (uint64_t)n > b1.len || (uint64_t)o2 + (uint64_t)n > b2.len)
            return 0;
        return n == 0 || memcmp(b1.p + o1, b2.p + o2, (size_t)n) == 0;
    }
    case XFN_ZERO: {
        ctx_buf(x, e->nodes[a[0]].id, &b1);
        int64_t o = ev(x, e, a[1]), n = ev(x, e, a[2]);
        if (o < 0 || n < 0 || (uint64_t)o + (uint64_t)n > b1.len)
            return 0;
        for (int64_t i = 0; i < n; i++)
            if (b1.p[o + i])
                return 0;
        return 1;
    }
    case XFN_MIN: {
        int64_t p = ev(x, e, a[0]), q = ev(x, e, a[1]);
        return p < q ? p : q;
    }
    case XFN_MAX: {
        int64_t p = ev(x, e, a[0]), q = ev(x, e, a[1]);
        return p > q ? p : q;
    }
    case XFN_NIC_STATE:
    case XFN_NIC_REFS:
    case XFN_NIC_REFS_TOTAL:
    case XFN_NIC_DISC_FWD:
    case XFN_NIC_DISC_SEEN:
    case XFN_NIC_VF_ASSIGNED: {
        const struct nic_obj *n = nic_find(c, (uint32_t)ev(x, e, a[0]), (uint16_t)ev(x, e, a[1]));
        switch (id) {
        case XFN_NIC_VF_ASSIGNED:
            return nic_vf(n, s);
        case XFN_NIC_STATE:
            return nic_view(n, s);
        case XFN_NIC_REFS:
            return n && s >= 0 ? n->refs[s] : 0;
        case XFN_NIC_REFS_TOTAL:
            return n ? n->total : 0;
        case XFN_NIC_DISC_FWD:
            return n && s >= 0 && (n->disc_mask & BIT((unsigned)s + 1));
        default:
            return n && s >= 0 && (n->disc_mask & BIT((unsigned)s));
        }
    }
    case XFN_PORT_STATE:
    case XFN_PORT_REFS:
    case XFN_PORT_REFS_TOTAL:
    case XFN_PORT_TEARDOWN_SEEN: {
        const struct port_obj *p = port_find(c, (uint32_t)ev(x, e, a[0]));
        switch (id) {
        case XFN_PORT_STATE:
            return port_view(p, s);
        case XFN_PORT_REFS:
            return p && s >= 0 ? p->refs[s] : 0;
        case XFN_PORT_REFS_TOTAL:
            return p ? p->total : 0;
        default:
            return p && s >= 0 && (p->teardown_mask & BIT((unsigned)s));
        }
    }
    case XFN_SENT_AT:
    case XFN_INDICATED_AT: {
        int64_t p = ev(x, e, a[0]);
        if (!x->nbl || p < 0 || p >= 32)
            return 0;
        uint32_t m = id == XFN_SENT_AT ? x->nbl->sent_mask : x->nbl->ind_mask;
        return (m >> p) & 1;
    }
    case XFN_REPORTED: {
        int64_t port = ev(x, e, a[0]), inc = ev(x, e, a[1]) != 0;
        if (!x->nbl || s < 0)
            return 0;
        if (x->nbl->rep_overflow & BIT((unsigned)s))
            return 1;
        for (unsigned i = 0; i < x->nbl->nrep; i++)
            if (x->nbl->rep[i].actor == s && x->nbl->rep[i].port == (uint32_t)port && x->nbl->rep[i].incoming == inc)
                return 1;
        return 0;
    }
    case XFN_ALL:
    case XFN_ANY:
    case XFN_COUNT: {
        int32_t w;
        return quantify(x, e, nd, &w);
    }
    case XFN_EXT_WITH_ID: {
        /* Which extension's ExtensionId (learnt from META or its own saves) the 16 bytes are. */
        ctx_buf(x, e->nodes[a[0]].id, &b1);
        int64_t off = ev(x, e, a[1]);
        if (off < 0 || (uint64_t)off + 16 > b1.len)
            return -1;
        for (unsigned i = 0; i < MAXD; i++)
            if (c->ext[i].ext_id_known && memcmp(c->ext[i].ext_id, b1.p + off, 16) == 0)
                return i;
        return -1;
    }
    case XFN__N:
        break;
    }
    return 0;
}

/* Calls with the function id known only at run time (explaining a violation). */
static int64_t call(struct ectx *x, const struct xexpr *e, const struct xnode *nd)
{
    return call_fn(x, e, nd, nd->id);
}

static int64_t ev(struct ectx *x, const struct xexpr *e, int32_t n)
{
    const struct xnode *nd = &e->nodes[n];
    return nd->fn(x, e, nd);
}

#define A(nd) (e->nodes[(nd)->a].fn(x, e, &e->nodes[(nd)->a]))
#define B(nd) (e->nodes[(nd)->b].fn(x, e, &e->nodes[(nd)->b]))
#define C(nd) (e->nodes[(nd)->c].fn(x, e, &e->nodes[(nd)->c]))
#define EVAL_FN(name) static int64_t name(struct ectx *x, const struct xexpr *e, const struct xnode *nd)

EVAL_FN(f_const)
{
    (void)x;
    (void)e;
    return nd->v;
}

EVAL_FN(f_none)
{
    (void)x;
    (void)e;
    (void)nd;
    return 0;
}

/* One evaluator per field, each with the field id constant so "field" folds to its case. */
#define X(en, n, f, c)                                                                         \
    EVAL_FN(fld_##en)                                                                          \
    {                                                                                          \
        (void)e;                                                                               \
        (void)nd;                                                                              \
        return field(x, XFLD_##en);                                                            \
    }
XSW_FIELDS(X)
#undef X

/*
 * The commonest shapes around a field, fused: "!field", "field == K",
 * "field != K", and "field == expr", "field != expr" (the left operand is
 * evaluated first, as by f_eq).
 */
#define X(en, n, f, c)                                                                         \
    EVAL_FN(not_##en)                                                                          \
    {                                                                                          \
        (void)nd;                                                                              \
        (void)e;                                                                               \
        return !field(x, XFLD_##en);                                                           \
    }                                                                                          \
    EVAL_FN(eqk_##en)                                                                          \
    {                                                                                          \
        return field(x, XFLD_##en) == e->nodes[nd->b].v;                                       \
    }                                                                                          \
    EVAL_FN(nek_##en)                                                                          \
    {                                                                                          \
        return field(x, XFLD_##en) != e->nodes[nd->b].v;                                       \
    }                                                                                          \
    EVAL_FN(eqf_##en)                                                                          \
    {                                                                                          \
        int64_t v = field(x, XFLD_##en);                                                       \
        return v == e->nodes[nd->b].fn(x, e, &e->nodes[nd->b]);                                \
    }                                                                                          \
    EVAL_FN(nef_##en)                                                                          \
    {                                                                                          \
        int64_t v = field(x, XFLD_##en);                                                       \
        return v != e->nodes[nd->b].fn(x, e, &e->nodes[nd->b]);                                \
    }
XSW_FIELDS(X)
#undef X

/* Per field, its plain evaluator and the fused shapes above, chosen once when a rule is bound. */
static const struct field_fns {
    xeval_fn get, lnot, eqk, nek, eqf, nef;
} field_fns[XFLD__N] = {
#define X(en, n, f, c) {fld_##en, not_##en, eqk_##en, nek_##en, eqf_##en, nef_##en},
    XSW_FIELDS(X)
#undef X
};

/* One evaluator per function, as for fields. */
#define X(en, n, mn, mx, a0, a1, a2, a3, a4, f, c)                                             \
    EVAL_FN(fn_##en)                                                                           \
    {                                                                                          \
        return call_fn(x, e, nd, XFN_##en);                                                    \
    }
XSW_FUNCS(X)
#undef X

static const xeval_fn func_fns[XFN__N] = {
#define X(en, n, mn, mx, a0, a1, a2, a3, a4, f, c) fn_##en,
    XSW_FUNCS(X)
#undef X
};

/* count(list) without a predicate: the list's length; "count(list) == 0": whether it is empty. */
static uint32_t coll_len(struct ectx *x, const struct xexpr *e, const struct xnode *call_nd)
{
    uint32_t n;
    const uint16_t *old;
    ctx_coll(x, (unsigned)e->nodes[e->args[call_nd->a]].id, &n, &old);
    return n;
}
EVAL_FN(f_count_plain)
{
    return coll_len(x, e, nd);
}
EVAL_FN(f_coll_empty)
{
    return coll_len(x, e, &e->nodes[nd->a]) == 0;
}

EVAL_FN(f_call)
{
    return call(x, e, nd);
}

/*
 * Shapes around one field fused into one node: "(field & K) == K2" and
 * "!= K2", "field + K" and "field - K" (the field read through field() with
 * its id known only at run time, an inlined jump table).
 */
#define FF(nd) (field(x, e->nodes[(nd)->a].id))
#define KB(nd) (e->nodes[(nd)->b].v)
EVAL_FN(f_band_eq_kk)
{
    const struct xnode *m = &e->nodes[nd->a];
    return (FF(m) & KB(m)) == KB(nd);
}
EVAL_FN(f_band_ne_kk)
{
    const struct xnode *m = &e->nodes[nd->a];
    return (FF(m) & KB(m)) != KB(nd);
}
EVAL_FN(f_add_fk)
{
    return (int64_t)((uint64_t)FF(nd) + (uint64_t)KB(nd));
}
EVAL_FN(f_sub_fk)
{
    return (int64_t)((uint64_t)FF(nd) - (uint64_t)KB(nd));
}
#undef FF
#undef KB
EVAL_FN(f_not)
{
    return !A(nd);
}
/*
 * Arithmetic wraps around in 64 bits, as the C operators on uint64_t do: a
 * rule may add or negate any value (a spec is input, and so are the record
 * fields it reads), and a signed overflow would be undefined behaviour.
 */
static int64_t wrap(uint64_t v)
{
    return (int64_t)v;
}
EVAL_FN(f_neg)
{
    return wrap(0 - (uint64_t)A(nd));
}
EVAL_FN(f_bnot)
{
    return ~A(nd);
}
EVAL_FN(f_add)
{
    return wrap((uint64_t)A(nd) + (uint64_t)B(nd));
}
EVAL_FN(f_sub)
{
    return wrap((uint64_t)A(nd) - (uint64_t)B(nd));
}
EVAL_FN(f_band)
{
    return A(nd) & B(nd);
}
EVAL_FN(f_bor)
{
    return A(nd) | B(nd);
}
EVAL_FN(f_shl)
{
    int64_t a = A(nd), s = B(nd);
    return s < 0 || s > 63 ? 0 : (int64_t)((uint64_t)a << s);
}
EVAL_FN(f_shr)
{
    int64_t a = A(nd), s = B(nd);
    return s < 0 || s > 63 ? 0 : (int64_t)((uint64_t)a >> s);
}
EVAL_FN(f_eq)
{
    return A(nd) == B(nd);
}
EVAL_FN(f_ne)
{
    return A(nd) != B(nd);
}
EVAL_FN(f_lt)
{
    return A(nd) < B(nd);
}
EVAL_FN(f_le)
{
    return A(nd) <= B(nd);
}
EVAL_FN(f_gt)
{
    return A(nd) > B(nd);
}
EVAL_FN(f_ge)
{
    return A(nd) >= B(nd);
}
/* Comparisons with a constant right operand, the most common shape. */
EVAL_FN(f_eq_k)
{
    return A(nd) == e->nodes[nd->b].v;
}
EVAL_FN(f_ne_k)
{
    return A(nd) != e->nodes[nd->b].v;
}
EVAL_FN(f_gt_k)
{
    return A(nd) > e->nodes[nd->b].v;
}
EVAL_FN(f_band_k)
{
    return A(nd) & e->nodes[nd->b].v;
}
EVAL_FN(f_and)
{
    return A(nd) && B(nd);
}
EVAL_FN(f_or)
{
    return A(nd) || B(nd);
}
EVAL_FN(f_cond)
{
    return A(nd) ? B(nd) : C(nd);
}
EVAL_FN(f_in)
{
    int64_t v = A(nd);
    for (int32_t i = 0; i < nd->c; i++)
        if (e->consts[nd->b + i] == v)
            return 1;
    return 0;
}

#undef A
#undef B
#undef C

void xexpr_bind(struct xexpr *e)
{
    for (unsigned i = 0; i < e->nnodes; i++)
        xexpr_bind_node(e, &e->nodes[i]);
}

void xexpr_bind_node(struct xexpr *e, struct xnode *nd)
{
    {
        int kb = nd->b >= 0 && (unsigned)nd->b < e->nnodes && e->nodes[nd->b].op == XO_CONST;
        /* The first operand, for the fused shapes (only meaningful for unary and binary operators). */
        const struct xnode *fa = nd->a >= 0 && (unsigned)nd->a < e->nnodes ? &e->nodes[nd->a] : NULL;
        int af = fa && fa->op == XO_FIELD && fa->id < XFLD__N;
        /* "(field & K) OP K2" */
        int bk = kb && fa && fa->op == XO_BAND && e->nodes[fa->a].op == XO_FIELD && e->nodes[fa->a].id < XFLD__N &&
                 e->nodes[fa->b].op == XO_CONST;
        xeval_fn f = f_none;
        switch ((enum xop)nd->op) {
        case XO_CONST:
            f = f_const;
            break;
        case XO_FIELD:
            f = nd->id < XFLD__N ? field_fns[nd->id].get : f_none;
            break;
        case XO_BUF:
        case XO_COLL:
            f = f_none;
            break;
        case XO_CALL:
            f = nd->id < XFN__N ? func_fns[nd->id] : f_call;
            if (nd->id == XFN_COUNT && nd->b == 1)
                f = f_count_plain;
            break;
        case XO_NOT:
            f = fa && fa->op == XO_FIELD && fa->id < XFLD__N ? field_fns[fa->id].lnot : f_not;
            break;
        case XO_NEG:
            f = f_neg;
            break;
        case XO_BNOT:
            f = f_bnot;
            break;
        case XO_ADD:
            f = af && kb ? f_add_fk : f_add;
            break;
        case XO_SUB:
            f = af && kb ? f_sub_fk : f_sub;
            break;
        case XO_BAND:
            f = kb ? f_band_k : f_band;
            break;
        case XO_BOR:
            f = f_bor;
            break;
        case XO_SHL:
            f = f_shl;
            break;
        case XO_SHR:
            f = f_shr;
            break;
        case XO_EQ:
            f = bk ? f_band_eq_kk : kb ? f_eq_k : f_eq;
            if (kb && af)
                f = field_fns[fa->id].eqk;
            else if (af)
                f = field_fns[fa->id].eqf;
            else if (kb && fa && fa->op == XO_CALL && fa->id == XFN_COUNT && fa->b == 1 && e->nodes[nd->b].v == 0)
                f = f_coll_empty;
            break;
        case XO_NE:
            f = bk ? f_band_ne_kk : kb ? f_ne_k : f_ne;
            if (kb && af)
                f = field_fns[fa->id].nek;
            else if (af)
                f = field_fns[fa->id].nef;
            break;
        case XO_LT:
            f = f_lt;
            break;
        case XO_LE:
            f = f_le;
            break;
        case XO_GT:
            f = kb ? f_gt_k : f_gt;
            break;
        case XO_GE:
            f = f_ge;
            break;
        case XO_AND:
            f = f_and;
            break;
        case XO_OR:
            f = f_or;
            break;
        case XO_COND:
            f = f_cond;
            break;
        case XO_IN:
            f = f_in;
            break;
        }
        nd->fn = f;
    }
}

/* ---- Explaining a failure ---------------------------------------------------------------- */

static void fmt_value(char *out, size_t cap, uint8_t fmt, int64_t v)
{
    const char *name = NULL;
    switch ((enum xfmt)fmt) {
    case XF_DEC:
    case XF_POINT:
        snprintf(out, cap, "%lld", (long long)v);
        return;
    case XF_HEX:
        snprintf(out, cap, "0x%llx", (unsigned long long)v);
        return;
    case XF_BOOL:
        snprintf(out, cap, "%s", v ? "true" : "false");
        return;
    case XF_OID:
        name = xsw_oid_name((uint32_t)v);
        break;
    case XF_STATUS:
        name = xsw_status_name((uint32_t)v);
        break;
    case XF_HANDLER:
        name = xsw_handler_name((unsigned)v);
        break;
    case XF_FINDING:
        name = xsw_finding_name((unsigned)v);
        break;
    case XF_KIND:
        name = xsw_kind_name((unsigned)v);
        break;
    case XF_STATE: {
        static const char *const sn[] = {"none", "created", "connected", "disconnected", "deleted", "teardown"};
        name = v >= 0 && v < 6 ? sn[v] : NULL;
        break;
    }
    case XF_CLASS:
        name = class_name((uint8_t)v);
        break;
    case XF_HOLDER:
        if (v == XH_PROTOCOL_EDGE)
            name = "protocol_edge";
        else if (v == XH_MINIPORT_EDGE)
            name = "miniport_edge";
        else {
            snprintf(out, cap, "extension %lld", (long long)v);
            return;
        }
        break;
    case XF_ACTOR:
        if (v == XSW_ACTOR_SWITCH)
            name = "switch";
        else {
            snprintf(out, cap, "extension %lld", (long long)v);
            return;
        }
        break;
    case XF_OFFSET:
        if (v < 0)
            name = "no_diff";
        else {
            snprintf(out, cap, "offset %lld", (long long)v);
            return;
        }
        break;
    case XF_DIR:
        name = v ? "egress" : "ingress";
        break;
    }
    if (name)
        snprintf(out, cap, "%s", name);
    else
        snprintf(out, cap, "0x%llx", (unsigned long long)v);
}

struct expl {
    char *buf;
    size_t cap, len;
    unsigned items;
};

static void expl_add(struct expl *ex, const struct xexpr *e, const struct xnode *nd, int64_t v)
{
    if (ex->items >= 10)
        return;
    /* Skip a term already listed (same text). */
    char term[200];
    snprintf(term, sizeof term, "%.*s=", (int)nd->len, e->src + nd->off);
    for (const char *p = ex->buf; (p = strstr(p, term)); p++)
        if (p == ex->buf || (p >= ex->buf + 2 && p[-2] == ','))
            return;
    char val[96];
    fmt_value(val, sizeof val, nd->fmt, v);
    int w = snprintf(ex->buf + ex->len, ex->cap - ex->len, "%s%s%s", ex->len ? ", " : "", term, val);
    if (w > 0 && (size_t)w < ex->cap - ex->len) {
        ex->len += (size_t)w;
        ex->items++;
    }
}

static void explain(struct ectx *x, const struct xexpr *e, int32_t n, struct expl *ex)
{
    const struct xnode *nd = &e->nodes[n];
    switch ((enum xop)nd->op) {
    case XO_CONST:
    case XO_BUF:
    case XO_COLL:
        return;
    case XO_FIELD:
        expl_add(ex, e, nd, field(x, nd->id));
        return;
    case XO_CALL:
        if (nd->id == XFN_ALL || nd->id == XFN_ANY || nd->id == XFN_COUNT) {
            int32_t w;
            int64_t v = quantify(x, e, nd, &w);
            /* A failed all() is best told by the destination that failed it. */
            if (!(nd->id == XFN_ALL && w >= 0))
                expl_add(ex, e, nd, v);
            if (nd->id == XFN_ALL && w >= 0 && nd->b > 1) {
                uint32_t cn;
                const uint16_t *old;
                const struct dst *d = ctx_coll(x, (unsigned)e->nodes[e->args[nd->a]].id, &cn, &old);
                const struct dst *sd = x->d;
                uint16_t so = x->d_old;
                x->d = &d[w];
                x->d_old = old ? old[w] : 0;
                char dd[80];
                snprintf(dd, sizeof dd, "%sdestination %u:%u (bits 0x%x)", ex->len ? ", " : "",
                         x->d->port, x->d->nic, x->d->bits);
                if (ex->len + strlen(dd) < ex->cap) {
                    strcpy(ex->buf + ex->len, dd);
                    ex->len += strlen(dd);
                }
                explain(x, e, e->args[nd->a + 1], ex);
                x->d = sd;
                x->d_old = so;
            }
            return;
        }
        expl_add(ex, e, nd, call(x, e, nd));
        for (int32_t i = 0; i < nd->b; i++)
            if (e->nodes[e->args[nd->a + i]].op != XO_BUF)
                explain(x, e, e->args[nd->a + i], ex);
        return;
    case XO_AND:
        if (!ev(x, e, nd->a))
            explain(x, e, nd->a, ex);
        else
            explain(x, e, nd->b, ex);
        return;
    case XO_COND:
        explain(x, e, nd->a, ex);
        explain(x, e, ev(x, e, nd->a) ? nd->b : nd->c, ex);
        return;
    case XO_NOT:
    case XO_NEG:
    case XO_BNOT:
    case XO_IN:
        explain(x, e, nd->a, ex);
        return;
    case XO_ADD:
    case XO_SUB:
    case XO_BAND:
    case XO_BOR:
    case XO_SHL:
    case XO_SHR:
    case XO_EQ:
    case XO_NE:
    case XO_LT:
    case XO_LE:
    case XO_GT:
    case XO_GE:
    case XO_OR:
        explain(x, e, nd->a, ex);
        explain(x, e, nd->b, ex);
        return;
    }
}

/* The narrowest conjunct of a failed requirement: "a && b" failing in b reports b. */
static int32_t failing_part(struct ectx *x, const struct xexpr *e, int32_t n)
{
    const struct xnode *nd = &e->nodes[n];
    if (nd->op != XO_AND)
        return n;
    if (!ev(x, e, nd->a))
        return failing_part(x, e, nd->a);
    return failing_part(x, e, nd->b);
}

static void describe(struct xsw_checker *c, const struct xsw_rec *r, struct ectx *x)
{
    c->object[0] = 0;
    switch (r->kind) {
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE: {
        const char *on = xsw_oid_name(r->u.oid.oid);
        snprintf(c->object, sizeof c->object, "OID request 0x%llx (%s) at point %u", (unsigned long long)r->id,
                 on ? on : "?", r->point);
        break;
    }
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        snprintf(c->object, sizeof c->object, "NBL 0x%llx at point %u", (unsigned long long)r->id, r->point);
        break;
    case XSW_K_HANDLER_CALL: {
        const char *hn = xsw_handler_name(r->u.hc.handler);
        snprintf(c->object, sizeof c->object, "%s(port %u, NIC %u%s)", hn ? hn : "handler", r->port_id,
                 r->nic_index, x->nbl ? ", NBL" : "");
        break;
    }
    case XSW_K_STATUS: {
        /* A NIC status names the VM NIC it is for (the header's port/NIC) and what it wraps. */
        const char *sn = xsw_status_name(r->u.status.code), *in = xsw_status_name(r->u.status.inner_code);
        if (r->u.status.inner_code)
            snprintf(c->object, sizeof c->object, "status %s (%s) for NIC %u/%u at point %u", sn ? sn : "?",
                     in ? in : "?", r->port_id, r->nic_index, r->point);
        else
            snprintf(c->object, sizeof c->object, "status %s at point %u", sn ? sn : "?", r->point);
        break;
    }
    case XSW_K_FINDING: {
        const char *fn = xsw_finding_name(r->u.finding.code);
        snprintf(c->object, sizeof c->object, "finding %s (value %llu): %.*s", fn ? fn : "?",
                 (unsigned long long)r->u.finding.value, (int)(r->u.finding.text_len > 100 ? 100 : r->u.finding.text_len),
                 r->u.finding.text ? r->u.finding.text : "");
        break;
    }
    default:
        break;
    }
}

/* ---- Violations ----------------------------------------------------------------------------- */

static void deliver(struct xsw_checker *c, size_t ri, struct ectx *x, const struct xexpr *e, uint64_t frame,
                    int at_end, const struct xsw_frame_ref *rel, unsigned nrel)
{
    const struct xrule *r = c->spec->rules[ri];
    struct xsw_violation v;
    memset(&v, 0, sizeof v);
    c->rule_viol[ri]++;
    c->st.violations++;
    if (r->info.level == XSW_LEVEL_MUST)
        c->st.must++;
    else
        c->st.should++;
    c->actual[0] = 0;
    if (x->rec)
        describe(c, x->rec, x);
    if (e) {
        int32_t part = failing_part(x, e, e->root);
        const struct xnode *pn = &e->nodes[part];
        snprintf(c->expected, sizeof c->expected, "%.*s", (int)pn->len, e->src + pn->off);
        struct expl ex = {c->actual, sizeof c->actual, 0, 0};
        explain(x, e, part, &ex);
    } else {
        snprintf(c->expected, sizeof c->expected, "the object is released before the end of the trace");
        snprintf(c->actual, sizeof c->actual, "still live");
    }
    v.rule = &r->info;
    v.rule_index = ri;
    v.expected = c->expected;
    v.actual = c->actual;
    v.object = c->object;
    v.frame = frame;
    v.at_end = at_end;
    v.ext = x->subject;
    v.ext_class = x->subject >= 0 ? class_name(c->ext[x->subject].cls) : "switch";
    for (unsigned i = 0; i < nrel && i < 3; i++)
        if (rel[i].frame)
            v.related[v.nrelated++] = rel[i];
    if (c->cfg.on_violation) {
        c->cfg.on_violation(c->cfg.arg, &v);
        return;
    }
    if (c->nkept >= c->cfg.max_collected)
        return;
    if (c->nkept == c->capkept) {
        size_t nc = c->capkept ? c->capkept * 2 : 64;
        struct xsw_violation *k = realloc(c->kept, nc * sizeof *k);
        if (k)
            c->kept = k;
        struct stored *ks = k ? realloc(c->kept_str, nc * sizeof *ks) : NULL;
        if (!k || !ks) {
            c->nomem = 1;
            return;
        }
        c->kept_str = ks;
        c->capkept = nc;
    }
    struct stored *s = &c->kept_str[c->nkept];
    s->expected = strdup(c->expected);
    s->actual = strdup(c->actual);
    s->object = strdup(c->object);
    if (!s->expected || !s->actual || !s->object) {
        free(s->expected);
        free(s->actual);
        free(s->object);
        c->nomem = 1;
        return;
    }
    v.expected = s->expected;
    v.actual = s->actual;
    v.object = s->object;
    c->kept[c->nkept++] = v;
}

static int class_ok(const struct xsw_checker *c, uint32_t mask, int subj)
{
    if (subj < 0)
        return (mask & XC_SWITCH) != 0;
    if (mask & XC_ALL)
        return 1;
    switch ((enum ecls)c->ext[subj].cls) {
    case ECLS_CAPTURE:
        return (mask & XC_CAPTURE) != 0;
    case ECLS_FILTER:
        return (mask & XC_FILTER) != 0;
    case ECLS_FORWARD:
        return (mask & XC_FORWARD) != 0;
    case ECLS_UNKNOWN:
        break;
    }
    return 0;
}

static int judge_applicable(struct xsw_checker *c, size_t ri, struct ectx *x, uint64_t frame, int at_end,
                            const struct xsw_frame_ref *rel, unsigned nrel);

/* Evaluate one rule in context "x"; returns 1 if it was violated. */
static int judge(struct xsw_checker *c, size_t ri, struct ectx *x, uint64_t frame, int at_end,
                 const struct xsw_frame_ref *rel, unsigned nrel)
{
    const struct xrule *r = c->spec->rules[ri];
    if (!class_ok(c, r->class_mask, x->subject))
        return 0;
    const struct gate *g = &c->gate[ri];
    if ((x->facts & g->need1) != g->need1 || (x->facts & g->need0))
        return 0;
    return judge_applicable(c, ri, x, frame, at_end, rel, nrel);
}

/* The rule's class and fact gates passed: evaluate its "when" and "require" entries. */
static int judge_applicable(struct xsw_checker *c, size_t ri, struct ectx *x, uint64_t frame, int at_end,
                            const struct xsw_frame_ref *rel, unsigned nrel)
{
    const struct xrule *r = c->spec->rules[ri];
    const struct gate *g = &c->gate[ri];
    c->rule_eval[ri]++;
    for (unsigned i = 0; i < r->nwhen; i++)
        if ((i >= 32 || (g->keep >> i & 1)) && !ev(x, r->when[i], r->when[i]->root))
            return 0;
    for (unsigned i = 0; i < r->nrequire; i++)
        if (!ev(x, r->require[i], r->require[i]->root)) {
            deliver(c, ri, x, r->require[i], frame, at_end, rel, nrel);
            return 1;
        }
    if (!r->nrequire && at_end) {
        deliver(c, ri, x, NULL, frame, at_end, rel, nrel);
        return 1;
    }
    return 0;
}

static int in_list(const struct xlist *l, uint32_t v)
{
    for (unsigned i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return 1;
    return 0;
}

/* The name lists of "on:" (oid, status, handler...). */
static int match_lists(const struct xsw_checker *c, const struct xrule *r, const struct xsw_rec *rec)
{
    /* Each list constrains only the kinds it belongs to (docs/spec-format.md "on:"). */
    int oidk = rec->kind == XSW_K_OID_REQUEST || rec->kind == XSW_K_OID_COMPLETE;
    if (oidk && r->oids.n && !in_list(&r->oids, rec->u.oid.oid))
        return 0;
    if (oidk && r->inner_oids.n && !in_list(&r->inner_oids, rec->u.oid.inner_oid))
        return 0;
    if (r->statuses.n && !in_list(&r->statuses, rec->status))
        return 0;
    if (rec->kind == XSW_K_HANDLER_CALL && r->handlers.n && !in_list(&r->handlers, rec->u.hc.handler))
        return 0;
    if (rec->kind == XSW_K_FINDING && (r->findings.n || r->finding_unmapped)) {
        uint16_t f = rec->u.finding.code;
        int hit = in_list(&r->findings, f) || (r->finding_unmapped && !(c->finding_mapped[f >> 3] & (1u << (f & 7))));
        if (!hit)
            return 0;
    }
    if (rec->kind == XSW_K_PNP_EVENT && r->events.n && !in_list(&r->events, rec->u.pnp.event))
        return 0;
    if (rec->kind == XSW_K_FILTER_STATE && r->events.n && !in_list(&r->events, rec->u.fs.event))
        return 0;
    if (rec->kind == XSW_K_STATUS && r->codes.n && !in_list(&r->codes, rec->u.status.code))
        return 0;
    return 1;
}

/* ---- Tracker updates ------------------------------------------------------------------------ */

static int is_boundary_kind(unsigned k)
{
    switch (k) {
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
    case XSW_K_STATUS:
    case XSW_K_PNP_EVENT:
        return 1;
    default:
        return 0;
    }
}

/* The extension a record is delivered to (-1: an edge of the switch). */
static int receiver_of(const struct xsw_rec *r)
{
    unsigned p = r->point, d = r->depth;
    switch (r->kind) {
    case XSW_K_OID_REQUEST:
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_RETURN:
    case XSW_K_PNP_EVENT:
        return p < d ? (int)p : -1;
    case XSW_K_OID_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_STATUS:
        return p > 0 && p <= d ? (int)p - 1 : -1;
    default:
        return -1;
    }
}

static int copy_bytes(uint8_t **buf, uint32_t *cap, const uint8_t *src, uint32_t n)
{
    if (n > *cap) {
        uint8_t *b = realloc(*buf, n);
        if (!b)
            return -1;
        *buf = b;
        *cap = n;
    }
    if (n)
        memcpy(*buf, src, n);
    return 0;
}

/* A status indication reached extension "e" from below: it may pass it up later. */
static void status_push(struct ext_state *e, const struct xsw_rec *r)
{
    if (e->nup == MAX_STATUS_UP) {
        /* The oldest is forgotten: passing it up later would count as originating it. */
        memmove(&e->up[0], &e->up[1], (MAX_STATUS_UP - 1) * sizeof e->up[0]);
        e->nup--;
    }
    struct status_up *u = &e->up[e->nup++];
    u->code = r->u.status.code;
    u->inner = r->u.status.inner_code;
    u->port = r->port_id;
    u->nic = r->nic_index;
}

/* Extension "e" indicates "r": 1 when it passes up one it received (which is then consumed). */
static int status_take(struct ext_state *e, const struct xsw_rec *r)
{
    for (unsigned i = 0; i < e->nup; i++) {
        const struct status_up *u = &e->up[i];
        if (u->code == r->u.status.code && u->inner == r->u.status.inner_code && u->port == r->port_id &&
            u->nic == r->nic_index) {
            memmove(&e->up[i], &e->up[i + 1], (e->nup - i - 1) * sizeof e->up[0]);
            e->nup--;
            return 1;
        }
    }
    return 0;
}

static void retry_clear(struct ext_state *e, uint32_t oid)
{
    for (unsigned i = 0; i < e->nretry; i++)
        if (e->retry[i].oid == oid) {
            e->retry[i] = e->retry[--e->nretry];
            return;
        }
}

static void fifo_push(struct xsw_checker *c, uint64_t id, uint8_t point, uint64_t seq)
{
    if (c->fifo_len == c->fifo_cap) {
        size_t nc = c->fifo_cap ? c->fifo_cap * 2 : 256;
        struct tmo *f = malloc(nc * sizeof *f);
        if (!f) {
            c->nomem = 1;
            return;
        }
        for (size_t i = 0; i < c->fifo_len; i++)
            f[i] = c->fifo[(c->fifo_head + i) % c->fifo_cap];
        free(c->fifo);
        c->fifo = f;
        c->fifo_cap = nc;
        c->fifo_head = 0;
    }
    struct tmo *t = &c->fifo[(c->fifo_head + c->fifo_len++) % c->fifo_cap];
    t->id = id;
    t->point = point;
    t->seq = seq;
}

/*
 * A NIC_CONNECT or NIC_UPDATED request (NDIS_SWITCH_NIC_PARAMETERS) reached
 * extension "recv": from now on it knows the NIC's VFAssigned (§4.8).
 */
static void note_vf(struct xsw_checker *c, const struct xsw_rec *r, int recv)
{
    uint8_t vf;
    struct nic_obj *n;
    if (recv < 0 || xsw_get_u8(r->u.oid.data, r->u.oid.data_len, (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_VFAssigned),
                               &vf) || !(n = nic_find(c, r->port_id, r->nic_index)))
        return;
    if (vf)
        n->vf_mask |= BIT((unsigned)recv);
    else
        n->vf_mask &= ~BIT((unsigned)recv);
}

NOINLINE static void apply_oid_request(struct xsw_checker *c, const struct xsw_rec *r, struct ectx *x, uint64_t frame)
{
    unsigned p = r->point;
    uint32_t oid = r->u.oid.oid;
    /* Lifecycle deliveries (per boundary) and creations at the protocol edge. */
    switch (oid) {
    case V_OID_SWITCH_NIC_DISCONNECT: {
        struct nic_obj *n = nic_get(c, r->port_id, r->nic_index);
        if (n)
            n->disc_mask |= BIT(p);
        break;
    }
    case V_OID_SWITCH_PORT_TEARDOWN: {
        struct port_obj *n = port_get(c, r->port_id);
        if (n)
            n->teardown_mask |= BIT(p);
        break;
    }
    case V_OID_SWITCH_NIC_CREATE:
    case V_OID_SWITCH_NIC_CONNECT:
        if (p == 0) {
            struct nic_obj *n = nic_get(c, r->port_id, r->nic_index);
            if (n && oid == V_OID_SWITCH_NIC_CREATE && n->state == XS_DELETED) {
                n->state = XS_NONE;
                n->create_mask = n->connect_mask = 0;
                n->vf_mask = 0;
                n->vf = 0;
            }
            if (n)
                n->disc_mask = 0;
        }
        if (oid == V_OID_SWITCH_NIC_CONNECT)
            note_vf(c, r, x->receiver_ext);
        break;
    case V_OID_SWITCH_NIC_UPDATED:
        note_vf(c, r, x->receiver_ext);
        break;
    case V_OID_SWITCH_PORT_CREATE:
        if (p == 0) {
            struct port_obj *n = port_get(c, r->port_id);
            if (n && n->state == XS_DELETED) {
                n->state = XS_NONE;
                n->create_mask = n->teardown_mask = 0;
            }
        }
        break;
    default:
        break;
    }
    if (x->actor_ext >= 0)
        retry_clear(&c->ext[x->actor_ext], oid);
    struct oid_ent *o = oid_find(c, r->id, p);
    if (!o) {
        uint32_t i;
        o = ent_alloc(c, &c->poid, &c->hoid, r->id, p, &i);
        if (!o)
            return;
    }
    /* Keep the data buffer across reuse; reset the rest. */
    uint8_t *data = o->data;
    uint32_t cap = o->data_cap, pn = o->pnext;
    memset(o, 0, sizeof *o);
    o->pnext = pn;
    o->live = 1;
    o->data = data;
    o->data_cap = cap;
    o->id = r->id;
    o->point = (uint8_t)p;
    o->sender = r->actor;
    o->oid = oid;
    o->type = r->u.oid.type;
    o->info_len = r->u.oid.info_len;
    o->out_len = r->u.oid.out_len;
    o->req_frame = frame;
    o->req_seq = r->seq;
    o->originated = (r->flags & XSW_RF_ORIGINATED) || !x->parent;
    if (copy_bytes(&o->data, &o->data_cap, r->u.oid.data, r->u.oid.data_len)) {
        c->nomem = 1;
        o->data_len = 0;
    } else {
        o->data_len = r->u.oid.data_len;
    }
    if (x->parent) {
        o->has_parent = 1;
        o->parent_id = x->parent->id;
        x->parent->forwarded = 1;
        x->parent->child_frame = frame;
    }
    if (c->cfg.oid_timeout && p < r->depth)
        fifo_push(c, r->id, (uint8_t)p, r->seq);
}

/*
 * The switch's own account of what exists (OID_SWITCH_PORT_ARRAY and
 * NIC_ARRAY replies, extensible-switch.md §3.3): ports and NICs created
 * before the trace began (an extension attached to an active switch) get
 * their state from it. State already derived from the trace is kept.
 */
NOINLINE static void learn_array(struct xsw_checker *c, uint32_t oid, const uint8_t *p, uint32_t len, int recv)
{
    uint16_t first;
    uint32_t n, esize;
    if (xsw_get_u16(p, len, (size_t)XCV(NDIS_SWITCH_ARRAY_OFF_FirstElementOffset), &first) ||
        xsw_get_u32(p, len, (size_t)XCV(NDIS_SWITCH_ARRAY_OFF_NumElements), &n) ||
        xsw_get_u32(p, len, (size_t)XCV(NDIS_SWITCH_ARRAY_OFF_ElementSize), &esize) || !esize)
        return;
    for (uint32_t i = 0; i < n; i++) {
        size_t off = first + (size_t)esize * i;
        uint32_t port, st;
        uint16_t nic = 0;
        if (oid == (uint32_t)V_OID_SWITCH_PORT_ARRAY) {
            if (xsw_get_u32(p, len, off + (size_t)XCV(NDIS_SWITCH_PORT_PARAMETERS_OFF_PortId), &port) ||
                xsw_get_u32(p, len, off + (size_t)XCV(NDIS_SWITCH_PORT_PARAMETERS_OFF_PortState), &st))
                return;
            /* NDIS_SWITCH_PORT_STATE: Created 1, Teardown 2 (§3.8). */
            uint8_t s = st == 1 ? XS_CREATED : st == 2 ? XS_TEARDOWN : XS_NONE;
            struct port_obj *o = s != XS_NONE ? port_get(c, port) : NULL;
            if (o && o->state == XS_NONE)
                o->state = s;
        } else {
            if (xsw_get_u32(p, len, off + (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_PortId), &port) ||
                xsw_get_u16(p, len, off + (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_NicIndex), &nic) ||
                xsw_get_u32(p, len, off + (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_NicState), &st))
                return;
            /* NDIS_SWITCH_NIC_STATE: Created 1, Connected 2, Disconnected 3 (§3.8). */
            uint8_t s = st == 1 ? XS_CREATED : st == 2 ? XS_CONNECTED : st == 3 ? XS_DISCONNECTED : XS_NONE;
            struct nic_obj *o = s != XS_NONE ? nic_get(c, port, nic) : NULL;
            if (o && o->state == XS_NONE)
                o->state = s;
            /* A NIC exists only on a port in the Created state (its NIC_DELETE precedes PORT_TEARDOWN). */
            struct port_obj *po = o ? port_get(c, port) : NULL;
            if (po && po->state == XS_NONE)
                po->state = XS_CREATED;
            /* The reply tells the extension that asked which NICs have a VF (the sample revokes them at activation). */
            uint8_t vf;
            if (o && recv >= 0 &&
                !xsw_get_u8(p, len, off + (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_VFAssigned), &vf)) {
                if (vf)
                    o->vf_mask |= BIT((unsigned)recv);
                else
                    o->vf_mask &= ~BIT((unsigned)recv);
            }
        }
    }
}

NOINLINE static void apply_oid_complete(struct xsw_checker *c, const struct xsw_rec *r, struct ectx *x, uint64_t frame)
{
    unsigned p = r->point;
    struct oid_ent *o = x->oid;
    uint32_t oid = o ? o->oid : r->u.oid.oid;
    int ok = r->status == 0;
    int recv = x->receiver_ext;
    if (ok) {
        switch (oid) {
        case V_OID_SWITCH_NIC_CREATE:
        case V_OID_SWITCH_NIC_CONNECT:
        case V_OID_SWITCH_NIC_DISCONNECT:
        case V_OID_SWITCH_NIC_DELETE: {
            struct nic_obj *n = p == 0 ? nic_get(c, r->port_id, r->nic_index) : nic_find(c, r->port_id, r->nic_index);
            if (!n)
                break;
            if (oid == V_OID_SWITCH_NIC_CREATE)
                n->create_mask |= BIT(p);
            if (oid == V_OID_SWITCH_NIC_CONNECT)
                n->connect_mask |= BIT(p);
            uint8_t vf;
            if (p == 0 && oid == V_OID_SWITCH_NIC_CONNECT &&
                !xsw_get_u8(r->u.oid.data, r->u.oid.data_len, (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_VFAssigned),
                            &vf))
                n->vf = vf != 0;
            if (p == 0) {
                n->state = oid == V_OID_SWITCH_NIC_CREATE ? XS_CREATED
                         : oid == V_OID_SWITCH_NIC_CONNECT ? XS_CONNECTED
                         : oid == V_OID_SWITCH_NIC_DISCONNECT ? XS_DISCONNECTED
                                                      : XS_DELETED;
                if (n->state == XS_DELETED && n->total == 0)
                    nic_free(c, n);
            }
            break;
        }
        case V_OID_SWITCH_NIC_UPDATED: {
            struct nic_obj *n = p == 0 ? nic_find(c, r->port_id, r->nic_index) : NULL;
            uint8_t vf;
            if (n && !xsw_get_u8(r->u.oid.data, r->u.oid.data_len,
                                 (size_t)XCV(NDIS_SWITCH_NIC_PARAMETERS_OFF_VFAssigned), &vf))
                n->vf = vf != 0;
            break;
        }
        case V_OID_SWITCH_PORT_CREATE:
        case V_OID_SWITCH_PORT_TEARDOWN:
        case V_OID_SWITCH_PORT_DELETE: {
            struct port_obj *n = p == 0 ? port_get(c, r->port_id) : port_find(c, r->port_id);
            if (!n)
                break;
            if (oid == V_OID_SWITCH_PORT_CREATE)
                n->create_mask |= BIT(p);
            if (p == 0) {
                n->state = oid == V_OID_SWITCH_PORT_CREATE ? XS_CREATED : oid == V_OID_SWITCH_PORT_TEARDOWN ? XS_TEARDOWN : XS_DELETED;
                if (n->state == XS_DELETED && n->total == 0)
                    port_free(c, n);
            }
            break;
        }
        case V_OID_SWITCH_PARAMETERS:
            if (recv >= 0) {
                uint8_t active;
                c->ext[recv].params_done = 1;
                if (!xsw_get_u8(r->u.oid.data, r->u.oid.data_len, (size_t)XCV(NDIS_SWITCH_PARAMETERS_OFF_IsActive),
                                &active) && active)
                    c->ext[recv].active = 1;
            }
            break;
        case V_OID_SWITCH_PORT_ARRAY:
        case V_OID_SWITCH_NIC_ARRAY:
            learn_array(c, oid, r->u.oid.data, r->u.oid.data_len, recv);
            break;
        case V_OID_SWITCH_NIC_SAVE:
            /* An extension that completes NIC_SAVE itself writes its ExtensionId (§4.7). */
            if (x->actor_ext >= 0 && o && !o->forwarded && r->u.oid.data_len >= 32) {
                memcpy(c->ext[x->actor_ext].ext_id, r->u.oid.data + XCV(NDIS_SWITCH_NIC_SAVE_STATE_OFF_ExtensionId), 16);
                c->ext[x->actor_ext].ext_id_known = 1;
            }
            break;
        default:
            break;
        }
    } else if (p == 0 && (oid == V_OID_SWITCH_NIC_CREATE || oid == V_OID_SWITCH_PORT_CREATE)) {
        /* Vetoed: the object never came to exist. */
        if (oid == V_OID_SWITCH_NIC_CREATE) {
            struct nic_obj *n = nic_find(c, r->port_id, r->nic_index);
            if (n && n->state == XS_NONE && n->total == 0)
                nic_free(c, n);
        } else {
            struct port_obj *n = port_find(c, r->port_id);
            if (n && n->state == XS_NONE && n->total == 0)
                port_free(c, n);
        }
    }
    /* A query the receiver originated that came back too short must be retried (§4.1 item 5). */
    if (o && recv >= 0 && o->sender == recv && o->originated &&
        (r->status == (uint32_t)V_NDIS_STATUS_INVALID_LENGTH || r->status == (uint32_t)V_NDIS_STATUS_BUFFER_TOO_SHORT)) {
        struct ext_state *e = &c->ext[recv];
        retry_clear(e, oid);
        if (e->nretry < MAX_RETRY) {
            struct retry *t = &e->retry[e->nretry++];
            t->oid = oid;
            t->needed = r->u.oid.needed;
            t->status = r->status;
            t->frame = frame;
        }
    }
    if (!o)
        return;
    if (o->has_parent && p > 0) {
        struct oid_ent *par = oid_find(c, o->parent_id, p - 1);
        if (par) {
            par->child_done = 1;
            par->child_status = r->status;
            par->child_done_frame = frame;
            /* Did the buffer change below (or at) the child's level? Then the parent is not to blame. */
            par->child_modified = o->child_modified || r->u.oid.data_len != o->data_len ||
                                  (o->data_len && memcmp(r->u.oid.data, o->data, o->data_len) != 0);
        }
    }
    oid_free(c, o);
}

/*
 * Keep what the next crossing is compared with. "facts" are the record's
 * (F_FRAME_SAME, F_DESTS_SAME against this very entry): bytes and
 * destinations known to be equal already are not copied again.
 */
static void nbl_snapshot(struct xsw_checker *c, struct nbl_ent *n, const struct xsw_rec *r, uint64_t frame,
                         uint32_t facts)
{
    n->fwd = r->u.nbl.fwd;
    n->src_port = (uint16_t)(r->u.nbl.fwd >> 16);
    n->src_nic = (uint8_t)(r->u.nbl.fwd >> 32);
    n->ndis_flags = r->u.nbl.ndis_flags;
    n->frame_len = r->u.nbl.frame_len;
    uint32_t cmp = c->cfg.frame_cmp;
    uint32_t sl = r->u.nbl.cap_len < cmp ? r->u.nbl.cap_len : cmp;
    if (sl && !((facts & F_FRAME_SAME) && sl <= n->snap_len))
        memcpy(n->snap, r->u.nbl.frame, sl);
    n->snap_len = (uint16_t)sl;
    n->last_frame = frame;
    n->dest_handled = 0;
    if (facts & F_DESTS_SAME)
        return;
    if (c->nrd > NBL_INLINE_DEST) {
        if (c->nrd > n->heap_cap) {
            struct dst *h = realloc(n->heap, c->nrd * sizeof *h);
            if (!h) {
                c->nomem = 1;
                n->ndest = 0;
                n->dest = n->dinline;
                return;
            }
            n->heap = h;
            n->heap_cap = c->nrd;
        }
        n->dest = n->heap;
    } else {
        n->dest = n->dinline;
    }
    if (c->nrd)
        memcpy(n->dest, c->rd, c->nrd * sizeof *n->dest);
    n->ndest = c->nrd;
}

static struct nbl_ent *nbl_create(struct xsw_checker *c, const struct xsw_rec *r, uint8_t dir, uint64_t frame)
{
    uint32_t i;
    struct nbl_ent *n = ent_alloc(c, &c->pnbl, &c->hnbl, r->id, 0, &i);
    if (!n)
        return NULL;
    nbl_remember(c, r->id, i);
    struct dst *heap = n->heap;
    uint32_t hcap = n->heap_cap, pn = n->pnext;
    memset(n, 0, offsetof(struct nbl_ent, dinline));
    n->pnext = pn;
    n->live = 1;
    n->heap = heap;
    n->heap_cap = hcap;
    n->dest = n->dinline;
    n->id = r->id;
    n->origin_point = r->point;
    n->dir = dir;
    n->originated = (r->flags & XSW_RF_ORIGINATED) != 0;
    n->origin_frame = frame;
    n->origin_seq = r->seq;
    if (c->pnbl.live > c->st.peak_nbls)
        c->st.peak_nbls = c->pnbl.live;
    return n;
}

static void apply_nbl(struct xsw_checker *c, const struct xsw_rec *r, struct ectx *x, uint64_t frame)
{
    struct nbl_ent *n = x->nbl;
    unsigned p = r->point, d = r->depth;
    if (!r->id)
        return;
    switch (r->kind) {
    case XSW_K_NBL_SEND:
        if (!n && !(n = nbl_create(c, r, 0, frame)))
            return;
        n->sent_mask |= BIT(p);
        n->holder = p < d ? (int16_t)p : XH_MINIPORT_EDGE;
        nbl_snapshot(c, n, r, frame, n == x->nbl ? x->facts : 0);
        break;
    case XSW_K_NBL_INDICATE:
        if (!n && !(n = nbl_create(c, r, 1, frame)))
            return;
        n->ind_mask |= BIT(p);
        n->holder = p > 0 ? (int16_t)(p - 1) : XH_PROTOCOL_EDGE;
        nbl_snapshot(c, n, r, frame, n == x->nbl ? x->facts : 0);
        break;
    case XSW_K_NBL_RETURN:
        if (!n)
            return;
        n->holder = p < d ? (int16_t)p : XH_MINIPORT_EDGE;
        n->last_frame = frame;
        if (n->dir == 1 && p == n->origin_point)
            nbl_free(c, n);
        break;
    case XSW_K_NBL_SEND_COMPLETE:
        if (!n)
            return;
        n->holder = p > 0 ? (int16_t)(p - 1) : XH_PROTOCOL_EDGE;
        n->last_frame = frame;
        if (n->dir == 0 && p == n->origin_point)
            nbl_free(c, n);
        break;
    default:
        break;
    }
}

NOINLINE static void apply_handler(struct xsw_checker *c, const struct xsw_rec *r, struct ectx *x, uint64_t frame)
{
    int a = x->actor_ext;
    int ok = r->status == 0;
    switch (r->u.hc.handler) {
    case XSW_H_ReferenceSwitchNic:
    case XSW_H_DereferenceSwitchNic: {
        if (!ok || a < 0)
            break;
        struct nic_obj *n = nic_get(c, r->port_id, r->nic_index);
        if (!n)
            break;
        int delta = r->u.hc.handler == XSW_H_ReferenceSwitchNic ? 1 : -1;
        n->refs[a] += delta;
        n->total += delta;
        n->ref_frame[a] = frame;
        if (n->state == XS_DELETED && n->total == 0)
            nic_free(c, n);
        break;
    }
    case XSW_H_ReferenceSwitchPort:
    case XSW_H_DereferenceSwitchPort: {
        if (!ok || a < 0)
            break;
        struct port_obj *n = port_get(c, r->port_id);
        if (!n)
            break;
        int delta = r->u.hc.handler == XSW_H_ReferenceSwitchPort ? 1 : -1;
        n->refs[a] += delta;
        n->total += delta;
        n->ref_frame[a] = frame;
        if (n->state == XS_DELETED && n->total == 0)
            port_free(c, n);
        break;
    }
    case XSW_H_ReportFilteredNetBufferLists: {
        struct nbl_ent *n = x->nbl;
        if (!n || a < 0)
            break;
        if (n->nrep < NBL_REPORTS) {
            n->rep[n->nrep].actor = (uint8_t)a;
            n->rep[n->nrep].incoming = (r->u.hc.flags & XCV(NDIS_SWITCH_REPORT_FILTERED_NBL_FLAGS_IS_INCOMING)) != 0;
            n->rep[n->nrep].port = r->port_id;
            n->nrep++;
        } else {
            n->rep_overflow |= BIT((unsigned)a);
        }
        break;
    }
    case XSW_H_AddNetBufferListDestination:
    case XSW_H_UpdateNetBufferListDestinations:
        /* Judged at the call (even when refused); the next crossing need not judge them again. */
        if (x->nbl)
            x->nbl->dest_handled = 1;
        break;
    case XSW_H_SetNetBufferListSource:
        /* The next crossing must show the new source (forwarding-detail widths, §3.9). */
        if (ok && x->nbl) {
            x->nbl->src_port = (uint16_t)r->port_id;
            x->nbl->src_nic = (uint8_t)r->nic_index;
        }
        break;
    default:
        break;
    }
}

NOINLINE static void apply_filter_state(struct xsw_checker *c, const struct xsw_rec *r)
{
    if (r->actor >= MAXD)
        return;
    struct ext_state *e = &c->ext[r->actor];
    switch ((enum xsw_filter_event)r->u.fs.event) {
    case XSW_FE_ATTACH:
    case XSW_FE_PAUSE:
    case XSW_FE_RESTART_FAILED:
        e->fstate = FST_PAUSED;
        break;
    case XSW_FE_RESTART:
        e->fstate = FST_RUNNING;
        break;
    case XSW_FE_DETACH:
    case XSW_FE_ATTACH_FAILED:
        e->fstate = FST_DETACHED;
        break;
    case XSW_FE_DRIVER_ENTRY:
    case XSW_FE_REGISTERED:
    case XSW_FE_UNLOAD:
    case XSW_FE_DEREGISTERED:
    case XSW_FE_SET_ATTRIBUTES:
        break;
    }
}

/* ---- End of trace / scenario ----------------------------------------------------------------- */

static int cmp_u64pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int end_rules(struct xsw_checker *c, unsigned obj, struct ectx *x, const struct xsw_frame_ref *rel,
                     unsigned nrel)
{
    int n = 0;
    for (unsigned i = 0; i < c->nby_end[obj]; i++)
        n += judge(c, c->by_end[obj][i], x, c->last_frame, 1, rel, nrel);
    return n;
}

/* Field by field rather than memset: this runs for every record. */
static void ectx_init(struct ectx *x, struct xsw_checker *c)
{
    x->c = c;
    x->rec = NULL;
    x->subject = x->actor_ext = x->receiver_ext = -1;
    x->oid = x->parent = NULL;
    x->nbl = NULL;
    x->retry = NULL;
    x->kport = 0;
    x->knic = 0;
    x->nic_looked = x->port_looked = 0; /* x->nic, x->port are set when looked up */
    x->ref_count = 0;
    x->diffs_done = x->have_hash = 0;   /* x->rec_hash is set with have_hash */
    x->d = NULL;
    x->d_old = 0;
    x->facts = 0;
    x->status_orig = 0;
}

/*
 * Runs the end rules of kind "obj" (XE_NICREF or XE_PORTREF) on the "refs" references extension "e"
 * still holds on port "port" (NIC "nic"), last taken or dropped in frame "frame"; c->object names it.
 */
static int ref_end(struct xsw_checker *c, unsigned obj, unsigned e, uint32_t port, uint16_t nic, int32_t refs,
                   uint64_t frame)
{
    struct ectx x;
    ectx_init(&x, c);
    x.subject = (int)e;
    x.kport = port;
    x.knic = nic;
    x.ref_count = refs;
    struct xsw_frame_ref rel[1] = {{"last Reference/Dereference", frame}};
    return end_rules(c, obj, &x, rel, 1);
}

static int oid_end(struct xsw_checker *c, struct oid_ent *o)
{
    struct ectx x;
    ectx_init(&x, c);
    x.oid = o;
    x.facts = F_OID_FOUND | (o->forwarded ? F_OID_FORWARDED : 0) | (o->child_done ? F_OID_CHILD_DONE : 0);
    x.subject = o->point < c->depth ? o->point : -1;
    const char *on = xsw_oid_name(o->oid);
    snprintf(c->object, sizeof c->object, "OID request 0x%llx (%s) at point %u", (unsigned long long)o->id,
             on ? on : "?", o->point);
    struct xsw_frame_ref rel[2] = {{"request", o->req_frame}, {"forwarded request", o->child_frame}};
    o->expired = 1;
    return end_rules(c, XE_OID, &x, rel, 2);
}

NOINLINE static int run_end(struct xsw_checker *c)
{
    int n = 0;
    size_t cap = c->poid.used + c->pnbl.used + 1;
    uint64_t *order = malloc(cap * 2 * sizeof *order);
    if (!order) {
        c->nomem = 1;
        return 0;
    }
    /* Pending OID requests, in request order. */
    size_t k = 0;
    for (uint32_t i = 0; i < c->poid.used; i++) {
        struct oid_ent *o = pool_at(&c->poid, i);
        if (o->live && !o->expired) {
            order[2 * k] = o->req_frame;
            order[2 * k + 1] = i;
            k++;
        }
    }
    qsort(order, k, 2 * sizeof *order, cmp_u64pair);
    for (size_t j = 0; j < k; j++)
        n += oid_end(c, pool_at(&c->poid, (uint32_t)order[2 * j + 1]));
    /* NBLs not back with their owner, in order of appearance. */
    k = 0;
    for (uint32_t i = 0; i < c->pnbl.used; i++) {
        struct nbl_ent *b = pool_at(&c->pnbl, i);
        if (b->live) {
            order[2 * k] = b->origin_frame;
            order[2 * k + 1] = i;
            k++;
        }
    }
    qsort(order, k, 2 * sizeof *order, cmp_u64pair);
    for (size_t j = 0; j < k; j++) {
        struct nbl_ent *b = pool_at(&c->pnbl, (uint32_t)order[2 * j + 1]);
        struct ectx x;
        ectx_init(&x, c);
        x.nbl = b;
        x.facts = F_NBL_FOUND | (b->dest_handled ? F_DEST_HANDLED : 0);
        x.subject = b->holder >= 0 && (unsigned)b->holder < c->depth ? b->holder : -1;
        snprintf(c->object, sizeof c->object, "NBL 0x%llx", (unsigned long long)b->id);
        struct xsw_frame_ref rel[2] = {{"NBL first seen", b->origin_frame}, {"NBL last seen", b->last_frame}};
        n += end_rules(c, XE_NBL, &x, rel, 2);
    }
    free(order);
    /* References still held, per extension. */
    for (uint32_t i = 0; i < c->pnic.used; i++) {
        struct nic_obj *o = pool_at(&c->pnic, i);
        for (unsigned e = 0; o->live && e < MAXD; e++)
            if (o->refs[e]) {
                snprintf(c->object, sizeof c->object, "NIC reference on port %u NIC %u", o->port, o->nic);
                n += ref_end(c, XE_NICREF, e, o->port, o->nic, o->refs[e], o->ref_frame[e]);
            }
    }
    for (uint32_t i = 0; i < c->pport.used; i++) {
        struct port_obj *o = pool_at(&c->pport, i);
        for (unsigned e = 0; o->live && e < MAXD; e++)
            if (o->refs[e]) {
                snprintf(c->object, sizeof c->object, "port reference on port %u", o->port);
                n += ref_end(c, XE_PORTREF, e, o->port, 0, o->refs[e], o->ref_frame[e]);
            }
    }
    /* Queries that came back too short and were never re-issued. */
    for (unsigned e = 0; e < MAXD; e++)
        for (unsigned i = 0; i < c->ext[e].nretry; i++) {
            struct ectx x;
            ectx_init(&x, c);
            x.subject = (int)e;
            x.retry = &c->ext[e].retry[i];
            x.facts = F_RETRY;
            const char *on = xsw_oid_name(x.retry->oid);
            snprintf(c->object, sizeof c->object, "query %s completed with BytesNeeded %u", on ? on : "?",
                     x.retry->needed);
            struct xsw_frame_ref rel[1] = {{"short completion", x.retry->frame}};
            n += end_rules(c, XE_RETRY, &x, rel, 1);
        }
    c->object[0] = 0;
    return n;
}

NOINLINE static void reset_trackers(struct xsw_checker *c)
{
    for (uint32_t i = 0; i < c->poid.used; i++) {
        struct oid_ent *o = pool_at(&c->poid, i);
        if (o->live)
            pool_release(&c->poid, i);
    }
    for (uint32_t i = 0; i < c->pnbl.used; i++) {
        struct nbl_ent *o = pool_at(&c->pnbl, i);
        if (o->live)
            pool_release(&c->pnbl, i);
    }
    for (uint32_t i = 0; i < c->pnic.used; i++) {
        struct nic_obj *o = pool_at(&c->pnic, i);
        if (o->live)
            pool_release(&c->pnic, i);
    }
    for (uint32_t i = 0; i < c->pport.used; i++) {
        struct port_obj *o = pool_at(&c->pport, i);
        if (o->live)
            pool_release(&c->pport, i);
    }
    htab_clear(&c->hoid);
    htab_clear(&c->hnbl);
    htab_clear(&c->hnic);
    htab_clear(&c->hport);
    c->fifo_len = 0;
    for (unsigned e = 0; e < MAXD; e++) {
        uint8_t cls = c->ext[e].cls;
        memset(&c->ext[e], 0, sizeof c->ext[e]);
        c->ext[e].cls = cls;
    }
    c->chain_kind = 0;
}

/* OID requests pending longer than the timeout are judged now, once. */
NOINLINE static int run_timeouts(struct xsw_checker *c, uint64_t seq)
{
    int n = 0;
    while (c->fifo_len) {
        struct tmo *t = &c->fifo[c->fifo_head];
        if (t->seq + c->cfg.oid_timeout > seq)
            break;
        struct oid_ent *o = oid_find(c, t->id, t->point);
        if (o && o->req_seq == t->seq && !o->expired)
            n += oid_end(c, o);
        c->fifo_head = (c->fifo_head + 1) % c->fifo_cap;
        c->fifo_len--;
    }
    c->object[0] = 0;
    return n;
}

/* ---- Slots and plans -------------------------------------------------------------------------------- */

static void variant_free(struct svariant *va)
{
    for (unsigned w = 0; va->when && w < va->nwhen; w++)
        xexpr_free(va->when[w].e);
    for (unsigned q = 0; va->req && q < va->nreq; q++)
        xexpr_free(va->req[q].e);
    free(va->when);
    free(va->req);
    free(va);
}

static void slot_drop_variants(struct slot *sl)
{
    while (sl->vars) {
        struct svariant *n = sl->vars->next;
        variant_free(sl->vars);
        sl->vars = n;
    }
}

static void sexpr_set(struct sexpr *s, struct xexpr *e, const struct xexpr *orig)
{
    s->e = e;
    s->root = &e->nodes[e->root];
    s->fn = s->root->fn;
    s->orig = orig;
}

static size_t expr_bytes(const struct xexpr *e)
{
    return sizeof *e + e->nnodes * sizeof *e->nodes + e->nargs * sizeof *e->args + e->nconsts * sizeof *e->consts +
           strlen(e->src) + 1;
}

/*
 * The variant of slot "sl" (rule "r", kind "k") for the facts "facts"
 * (within sl->fmask), built on first use. NULL when memory runs out.
 */
static const struct svariant *variant_get(struct xsw_checker *c, struct slot *sl, unsigned k, uint32_t facts)
{
    for (const struct svariant *v = sl->vars; v; v = v->next)
        if (v->facts == facts)
            return v;
    const struct xrule *r = c->spec->rules[sl->ri];
    struct xknown *kn = calloc(1, sizeof *kn);
    struct svariant *va = calloc(1, sizeof *va);
    if (!kn || !va || !(va->when = calloc(r->nwhen + 1, sizeof *va->when)) ||
        !(va->req = calloc(r->nrequire + 1, sizeof *va->req)))
        goto fail;
    va->facts = facts;
    kn->has[XFLD_REC_KIND] = 1;
    kn->val[XFLD_REC_KIND] = k;
    for (size_t f = 0; f < sizeof fact_fields / sizeof fact_fields[0]; f++)
        if (sl->fmask & fact_fields[f].bit) {
            kn->has[fact_fields[f].field] = 1;
            kn->val[fact_fields[f].field] = (facts & fact_fields[f].bit) != 0;
        }
    kn->assume = (facts >> F_ASSUME_SHIFT) & (XASSUME_DESTS_SAME | XASSUME_FRAME_SAME);
    size_t bytes = sizeof *va;
    for (unsigned w = 0; w < r->nwhen && !va->never; w++) {
        struct xexpr *e = xexpr_specialize(r->when[w], kn);
        if (!e)
            goto fail;
        const struct xnode *root = &e->nodes[e->root];
        if (root->op == XO_CONST) {
            va->never = !root->v;
            xexpr_free(e);
            continue;
        }
        bytes += expr_bytes(e);
        sexpr_set(&va->when[va->nwhen++], e, r->when[w]);
    }
    for (unsigned q = 0; q < r->nrequire && !va->never; q++) {
        struct xexpr *e = xexpr_specialize(r->require[q], kn);
        if (!e)
            goto fail;
        /* An entry that always holds need not be evaluated. */
        if (e->nodes[e->root].op == XO_CONST && e->nodes[e->root].v) {
            xexpr_free(e);
            continue;
        }
        bytes += expr_bytes(e);
        sexpr_set(&va->req[va->nreq++], e, r->require[q]);
    }
    free(kn);
    c->var_bytes += bytes;
    va->next = sl->vars;
    sl->vars = va;
    return va;
fail:
    free(kn);
    if (va)
        variant_free(va);
    return NULL;
}

/* Slot of rule "ri" for records of kind "k". */
static void slot_init(struct xsw_checker *c, struct slot *sl, size_t ri, unsigned k)
{
    const struct xrule *r = c->spec->rules[ri];
    memset(sl, 0, sizeof *sl);
    sl->ri = (uint32_t)ri;
    sl->cmask = c->gate[ri].need1 | c->gate[ri].need0;
    sl->cvalue = c->gate[ri].need1;
    if (c->gate[ri].need1 & c->gate[ri].need0)
        sl->cmask |= F_NEVER, sl->cvalue |= F_NEVER;
    sl->class_mask = r->class_mask;
    sl->point_rel = r->point_rel;
    sl->actor_rel = r->actor_rel;
    sl->subject = r->subject;
    sl->originated = r->originated;
    /* Only the "on:" name lists that constrain records of this kind (match_lists). */
    int oidk = k == XSW_K_OID_REQUEST || k == XSW_K_OID_COMPLETE;
    sl->has_lists = (oidk && (r->oids.n || r->inner_oids.n)) || r->statuses.n ||
                    (k == XSW_K_HANDLER_CALL && r->handlers.n) ||
                    (k == XSW_K_FINDING && (r->findings.n || r->finding_unmapped)) ||
                    ((k == XSW_K_PNP_EVENT || k == XSW_K_FILTER_STATE) && r->events.n) ||
                    (k == XSW_K_STATUS && r->codes.n);
    uint8_t fields[XFLD__N] = {0};
    unsigned assume = 0;
    for (unsigned w = 0; w < r->nwhen; w++)
        assume |= xexpr_depends(r->when[w], fields);
    for (unsigned q = 0; q < r->nrequire; q++)
        assume |= xexpr_depends(r->require[q], fields);
    sl->fmask = assume << F_ASSUME_SHIFT;
    for (size_t f = 0; f < sizeof fact_fields / sizeof fact_fields[0]; f++)
        if (fields[fact_fields[f].field])
            sl->fmask |= fact_fields[f].bit;
}

static int point_ok(uint8_t rel, unsigned p, unsigned d)
{
    switch ((enum xpointrel)rel) {
    case XP_ANY:
        return 1;
    case XP_PROTOCOL_EDGE:
        return p == 0;
    case XP_MINIPORT_EDGE:
        return p == d;
    case XP_INNER:
        return p != 0 && p < d;
    case XP_BOUNDARY:
        return p <= d;
    }
    return 0;
}

static int actor_ok(uint8_t rel, unsigned a, unsigned d)
{
    switch ((enum xactorrel)rel) {
    case XA_ANYACTOR:
        return 1;
    case XA_EXTENSION:
        return a < d;
    case XA_SWITCH:
        return a >= d;
    }
    return 0;
}

static void variants_drop(struct xsw_checker *c)
{
    for (unsigned k = 0; k < 17; k++)
        for (unsigned i = 0; c->slots[k] && i < c->nby_kind[k]; i++)
            slot_drop_variants(&c->slots[k][i]);
    c->var_bytes = 0;
}

/* Evaluations counted by the plans and not yet added to the counters: of rule "ri", or all (ri < 0). */
static uint64_t plan_evals(const struct xsw_checker *c, long ri)
{
    uint64_t n = 0;
    for (const struct pbase *b = c->plans; b; b = b->all_next)
        for (const struct pentry *e = b->entries; e; e = e->next)
            for (uint32_t i = 0; e->hits && i < e->ncount; i++)
                if (ri < 0 || e->count[i] == (uint32_t)ri)
                    n += e->hits;
    return n;
}

/* Add the evaluations the plans counted to the rules' counters, and drop the plans. */
static void plans_drop(struct xsw_checker *c)
{
    while (c->plans) {
        struct pbase *b = c->plans;
        while (b->entries) {
            struct pentry *e = b->entries;
            for (uint32_t i = 0; i < e->ncount; i++)
                c->rule_eval[e->count[i]] += e->hits;
            b->entries = e->next;
            free(e);
        }
        c->plans = b->all_next;
        free(b);
    }
    if (c->plan_at)
        memset(c->plan_at, 0, c->plan_keys * sizeof *c->plan_at);
    c->plan_bytes = 0;
    c->plan_over = 0;
}

/* Plans for records of stack depth "d" (shapes: point 0..d or beyond, actor 0..d-1 or not an extension). */
static int plans_reset(struct xsw_checker *c, unsigned d)
{
    plans_drop(c);
    if (c->var_bytes > PLAN_BUDGET / 2)
        variants_drop(c);
    /* key = ((kind * points + point) * actors + actor) * 2 + ORIGINATED, dense: few cache lines */
    c->plan_np = d + 2;
    c->plan_na = d + 1;
    size_t keys = (size_t)17 * c->plan_np * c->plan_na * 2;
    if (keys != c->plan_keys) {
        free(c->plan_at);
        c->plan_keys = 0;
        if (!(c->plan_at = calloc(keys, sizeof *c->plan_at)))
            return -1;
        c->plan_keys = keys;
    }
    c->plan_depth = d;
    return 0;
}

static int class_ok(const struct xsw_checker *c, uint32_t mask, int subj);

/* Build the plan base of record "r" (whose depth the plans are for) under "key". NULL when memory runs out. */
static NOINLINE struct pbase *plan_base_build(struct xsw_checker *c, const struct xsw_rec *r, size_t key)
{
    unsigned d = r->depth;
    unsigned orig = (r->flags & XSW_RF_ORIGINATED) != 0;
    int actor_ext = r->actor < d ? r->actor : -1, receiver_ext = receiver_of(r);
    unsigned ns = c->nby_kind[r->kind];
    struct pbase *b = calloc(1, sizeof *b + (ns + 1) * sizeof b->slots[0]);
    if (!b)
        return NULL;
    for (unsigned i = 0; i < ns; i++) {
        const struct slot *sl = &c->slots[r->kind][i];
        int subj = sl->subject == XSUBJ_RECEIVER ? receiver_ext : actor_ext;
        /* A point beyond the depth matches no boundary pattern, whatever the point. */
        if (!point_ok(sl->point_rel, r->point, d) || !actor_ok(sl->actor_rel, r->actor, d) ||
            (sl->originated >= 0 && (int)orig != sl->originated) || !class_ok(c, sl->class_mask, subj))
            continue;
        b->slots[b->nslots++] = (uint16_t)i;
        b->need |= (sl->cmask | sl->fmask) & F_ALL;
    }
    b->actor_ext = actor_ext;
    b->receiver_ext = receiver_ext;
    c->plan_bytes += sizeof *b + (ns + 1) * sizeof b->slots[0];
    c->plan_over = c->plan_bytes + c->var_bytes > PLAN_BUDGET;
    b->all_next = c->plans;
    c->plans = b;
    c->plan_at[key] = b;
    return b;
}

/* Build the plan entry of base "b" for the facts "facts" (within b->need). NULL when memory runs out. */
static NOINLINE struct pentry *plan_entry_build(struct xsw_checker *c, struct pbase *b, unsigned k, uint32_t facts)
{
    size_t bytes = sizeof(struct pentry) + b->nslots * (sizeof(struct prun) + sizeof(uint32_t));
    struct pentry *e = calloc(1, bytes);
    if (!e)
        return NULL;
    e->count = (uint32_t *)&e->run[b->nslots];
    e->facts = facts;
    for (unsigned i = 0; i < b->nslots; i++) {
        struct slot *sl = &c->slots[k][b->slots[i]];
        if ((facts & sl->cmask) != sl->cvalue)
            continue;
        const struct svariant *va = variant_get(c, sl, k, facts & sl->fmask);
        if (!va) {
            free(e);
            return NULL;
        }
        if (!sl->has_lists)
            e->count[e->ncount++] = sl->ri;
        if (sl->has_lists || (!va->never && (va->nwhen || va->nreq))) {
            struct prun *pr = &e->run[e->nrun++];
            pr->sl = sl;
            pr->va = va;
            pr->subject = sl->subject == XSUBJ_RECEIVER ? b->receiver_ext : b->actor_ext;
            pr->simple = !sl->has_lists && !va->nwhen && va->nreq == 1;
            if (pr->simple) {
                pr->fn = va->req[0].fn;
                pr->e = va->req[0].e;
                pr->root = va->req[0].root;
            }
        }
    }
    c->plan_bytes += bytes;
    c->plan_over = c->plan_bytes + c->var_bytes > PLAN_BUDGET;
    e->next = b->entries;
    b->entries = e;
    return e;
}

/* The plan base of record "r" (whose depth the plans are for). NULL when memory runs out. */
static inline struct pbase *plan_base(struct xsw_checker *c, const struct xsw_rec *r)
{
    unsigned d = r->depth;
    unsigned p = r->point <= d ? r->point : d + 1;
    unsigned a = r->actor < d ? r->actor : d;
    size_t key = (((size_t)r->kind * c->plan_np + p) * c->plan_na + a) * 2 + ((r->flags & XSW_RF_ORIGINATED) != 0);
    struct pbase *b = c->plan_at[key];
    return b ? b : plan_base_build(c, r, key);
}

/* The plan entry of base "b" for the facts "facts" (within b->need). NULL when memory runs out. */
static inline struct pentry *plan_entry(struct xsw_checker *c, struct pbase *b, unsigned k, uint32_t facts)
{
    struct pentry **pp = &b->entries;
    for (struct pentry *e = *pp; e; pp = &e->next, e = e->next)
        if (e->facts == facts) {
            /* Most recently used first: a shape sees few sets of facts, one of them most of the time. */
            if (e != b->entries) {
                *pp = e->next;
                e->next = b->entries;
                b->entries = e;
            }
            return e;
        }
    return plan_entry_build(c, b, k, facts);
}

/* ---- Public API ---------------------------------------------------------------------------------- */

struct xsw_checker *xsw_checker_new(const struct xsw_spec *spec, const struct xsw_check_config *cfg)
{
    struct xsw_checker *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->spec = spec;
    if (cfg)
        c->cfg = *cfg;
    else
        xsw_check_config_init(&c->cfg);
    if (c->cfg.frame_cmp > XSW_CHECK_FRAME_SNAP)
        c->cfg.frame_cmp = XSW_CHECK_FRAME_SNAP;
    if (!c->cfg.max_objects)
        c->cfg.max_objects = 4u << 20;
    for (unsigned i = 0; i < MAXD; i++)
        c->ext[i].cls = c->cfg.ext_class[i];
    c->poid.esize = sizeof(struct oid_ent);
    c->pnbl.esize = sizeof(struct nbl_ent);
    c->pnic.esize = sizeof(struct nic_obj);
    c->pport.esize = sizeof(struct port_obj);
    c->poid.free_head = c->pnbl.free_head = c->pnic.free_head = c->pport.free_head = NONE32;
    c->plan_depth = ~0u; /* no plans yet */
    c->native_fwd_mask = (uint64_t)XCV(NDIS_SWITCH_FWD_NATIVE_FORWARDING_REQUIRED);
    c->single_source_mask[XSW_K_NBL_SEND] = (uint32_t)XCV(NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE);
    c->single_source_mask[XSW_K_NBL_INDICATE] = (uint32_t)XCV(NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE);
    c->single_source_mask[XSW_K_NBL_SEND_COMPLETE] = (uint32_t)XCV(NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE);
    c->single_source_mask[XSW_K_NBL_RETURN] = (uint32_t)XCV(NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE);
    c->dest_group_mask[XSW_K_NBL_SEND] = (uint32_t)XCV(NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP);
    c->dest_group_mask[XSW_K_NBL_INDICATE] = (uint32_t)XCV(NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP);
    size_t n = spec->n;
    c->rule_eval = calloc(n + 1, sizeof *c->rule_eval);
    c->rule_viol = calloc(n + 1, sizeof *c->rule_viol);
    c->gate = calloc(n + 1, sizeof *c->gate);
    if (!c->rule_eval || !c->rule_viol || !c->gate)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const struct xrule *r = spec->rules[i];
        struct gate *g = &c->gate[i];
        for (unsigned w = 0; w < r->nwhen && w < 32; w++) {
            const struct xexpr *e = r->when[w];
            const struct xnode *nd = &e->nodes[e->root];
            int neg = 0;
            if (nd->op == XO_NOT) {
                neg = 1;
                nd = &e->nodes[nd->a];
            }
            uint32_t bit = 0;
            for (size_t f = 0; nd->op == XO_FIELD && f < sizeof fact_fields / sizeof fact_fields[0]; f++)
                if (fact_fields[f].field == nd->id)
                    bit = fact_fields[f].bit;
            if (!bit)
                g->keep |= 1u << w;
            else if (neg)
                g->need0 |= bit;
            else
                g->need1 |= bit;
        }
    }
    /* Index rules by record kind and by end object. */
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned k = 0; k < 17; k++)
            c->nby_kind[k] = 0;
        for (unsigned k = 0; k < 6; k++)
            c->nby_end[k] = 0;
        for (size_t i = 0; i < n; i++) {
            const struct xrule *r = spec->rules[i];
            if (r->end_obj) {
                if (pass)
                    c->by_end[r->end_obj][c->nby_end[r->end_obj]] = (uint32_t)i;
                c->nby_end[r->end_obj]++;
                continue;
            }
            for (unsigned k = 1; k <= 16; k++)
                if (r->kind_mask & CTX_KIND(k)) {
                    if (pass)
                        slot_init(c, &c->slots[k][c->nby_kind[k]], i, k);
                    c->nby_kind[k]++;
                }
            if (!pass)
                for (unsigned f = 0; f < r->findings.n; f++)
                    c->finding_mapped[(r->findings.v[f] & 0xFFFF) >> 3] |= (uint8_t)(1u << (r->findings.v[f] & 7));
        }
        if (!pass) {
            for (unsigned k = 0; k < 17; k++)
                if (!(c->slots[k] = calloc(c->nby_kind[k] + 1, sizeof(struct slot))))
                    goto fail;
            for (unsigned k = 0; k < 6; k++)
                if (!(c->by_end[k] = calloc(c->nby_end[k] + 1, sizeof(uint32_t))))
                    goto fail;
        }
    }
    c->rd_cap = 64;
    c->rd = malloc(c->rd_cap * sizeof *c->rd);
    if (!c->rd || ensure_cap(c, 64))
        goto fail;
    return c;
fail:
    xsw_checker_free(c);
    return NULL;
}

static void pool_destroy(struct pool *p, int kind)
{
    for (uint32_t i = 0; i < p->used; i++) {
        if (kind == 1)
            free(((struct oid_ent *)pool_at(p, i))->data);
        if (kind == 2)
            free(((struct nbl_ent *)pool_at(p, i))->heap);
    }
    for (uint32_t i = 0; i < p->nchunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
}

void xsw_checker_free(struct xsw_checker *c)
{
    if (!c)
        return;
    plans_drop(c);
    variants_drop(c);
    for (unsigned k = 0; k < 17; k++)
        free(c->slots[k]);
    free(c->plan_at);
    for (unsigned k = 0; k < 6; k++)
        free(c->by_end[k]);
    free(c->rule_eval);
    free(c->rule_viol);
    free(c->gate);
    pool_destroy(&c->poid, 1);
    pool_destroy(&c->pnbl, 2);
    pool_destroy(&c->pnic, 0);
    pool_destroy(&c->pport, 0);
    free(c->hoid.s);
    free(c->hnbl.s);
    free(c->hnic.s);
    free(c->hport.s);
    free(c->fifo);
    free(c->rd);
    for (int i = 0; i < XCOLL__N; i++) {
        free(c->coll[i]);
        free(c->coll_old[i]);
    }
    for (size_t i = 0; i < c->nkept; i++) {
        free(c->kept_str[i].expected);
        free(c->kept_str[i].actual);
        free(c->kept_str[i].object);
    }
    free(c->kept);
    free(c->kept_str);
    free(c);
}

/*
 * XASSUME_FRAME_SAME: the captured frame bytes equal the NBL's snapshot
 * wherever both exist, so every diff() of rec.frame and nbl.frame is
 * no_diff (buf_diff compares a snapshot over the common length only).
 */
static int frame_same(const struct xsw_rec *r, const struct nbl_ent *n)
{
    uint32_t la = r->u.nbl.frame ? r->u.nbl.cap_len : 0;
    uint32_t m = la < n->snap_len ? la : n->snap_len;
    return !m || memcmp(r->u.nbl.frame, n->snap, m) == 0;
}

/*
 * XASSUME_DESTS_SAME: the record's destinations are the NBL's (none when it
 * is not tracked), element by element, with no (port, NIC) twice, so
 * compute_diffs would find nothing added, removed or changed. Longer lists
 * are left to compute_diffs.
 */
static int dests_same(const struct xsw_checker *c, const struct nbl_ent *n)
{
    uint32_t np = n ? n->ndest : 0;
    if (c->nrd != np || np > 8)
        return 0;
    if (np && memcmp(c->rd, n->dest, np * sizeof *c->rd) != 0)
        return 0;
    for (uint32_t i = 0; i < np; i++)
        for (uint32_t j = i + 1; j < np; j++)
            if (c->rd[i].port == c->rd[j].port && c->rd[i].nic == c->rd[j].nic)
                return 0;
    return 1;
}

/* Decode the destinations of an NBL or HANDLER_CALL record into c->rd. */
static inline int load_dests(struct xsw_checker *c, const uint8_t *p, unsigned n)
{
    if (n > c->rd_cap) {
        uint32_t nc = c->rd_cap;
        while (nc < n)
            nc *= 2;
        struct dst *d = realloc(c->rd, nc * sizeof *d);
        if (!d)
            return -1;
        c->rd = d;
        c->rd_cap = nc;
    }
    /* The decoder checked that n * XSW_DEST_LEN bytes are there (as xsw_rec_dest, inlined). */
    for (unsigned i = 0; i < n; i++, p += XSW_DEST_LEN) {
        c->rd[i].port = xsw_ld_le32(p);
        c->rd[i].nic = xsw_ld_le16(p + 4);
        c->rd[i].bits = xsw_ld_le16(p + 6);
    }
    c->nrd = n;
    return 0;
}

static unsigned record_rel(const struct ectx *x, struct xsw_frame_ref rel[3]);

/*
 * Rule "pr" of a plan entry beyond the simple case: its "on:" name lists
 * (then it counts as evaluated), its "when" entries, its "require" entries.
 * Returns 1 if a "require" entry does not hold.
 */
static int run_rule(struct xsw_checker *c, const struct xsw_rec *r, struct ectx *x, const struct prun *pr)
{
    const struct slot *sl = pr->sl;
    const struct svariant *va = pr->va;
    if (sl->has_lists) {
        if (!match_lists(c, c->spec->rules[sl->ri], r))
            return 0;
        c->rule_eval[sl->ri]++;
        if (va->never)
            return 0;
    }
    for (unsigned w = 0; w < va->nwhen; w++)
        if (!va->when[w].fn(x, va->when[w].e, va->when[w].root))
            return 0;
    for (unsigned q = 0; q < va->nreq; q++)
        if (!va->req[q].fn(x, va->req[q].e, va->req[q].root))
            return 1;
    return 0;
}

/* Report the first "require" entry of rule "pr" that does not hold, explained as written. */
static int run_violated(struct xsw_checker *c, struct ectx *x, const struct prun *pr, uint64_t frame)
{
    const struct svariant *va = pr->va;
    unsigned q = 0;
    while (q + 1 < va->nreq && va->req[q].fn(x, va->req[q].e, va->req[q].root))
        q++;
    struct xsw_frame_ref rel[3];
    unsigned nrel = record_rel(x, rel);
    deliver(c, pr->sl->ri, x, va->req[q].orig, frame, 0, rel, nrel);
    return 1;
}

/*
 * The facts of the record of "x" (its objects already looked up), those in
 * "need" only: a record pays for the facts the rules of its shape depend on.
 */
static uint32_t record_facts(const struct xsw_checker *c, const struct ectx *x, uint32_t need)
{
    const struct xsw_rec *r = x->rec;
    if (!need)
        return 0;
    uint32_t f = 0;
    if (need & (F_REC_ORIGINATED | F_RETRY | F_PARENT_FOUND))
        f |= (r->flags & XSW_RF_ORIGINATED ? F_REC_ORIGINATED : 0) | (x->retry ? F_RETRY : 0) |
             (x->parent ? F_PARENT_FOUND : 0);
    if (x->oid)
        f |= F_OID_FOUND | (x->oid->forwarded ? F_OID_FORWARDED : 0) | (x->oid->child_done ? F_OID_CHILD_DONE : 0);
    if (x->nbl)
        f |= F_NBL_FOUND | (x->nbl->dest_handled ? F_DEST_HANDLED : 0);
    int nblk = r->kind >= XSW_K_NBL_SEND && r->kind <= XSW_K_NBL_RETURN;
    /* The flags masks per kind are those single_source() and destination_group() test. */
    if (nblk && (need & (F_NATIVE_FWD | F_SINGLE_SOURCE | F_DEST_GROUP)))
        f |= (r->u.nbl.fwd & c->native_fwd_mask ? F_NATIVE_FWD : 0) |
             (r->u.nbl.ndis_flags & c->single_source_mask[r->kind] ? F_SINGLE_SOURCE : 0) |
             (r->u.nbl.ndis_flags & c->dest_group_mask[r->kind] ? F_DEST_GROUP : 0);
    if ((need & F_FRAME_SAME) && nblk && x->nbl && frame_same(r, x->nbl))
        f |= F_FRAME_SAME;
    if ((need & F_DESTS_SAME) && (nblk || r->kind == XSW_K_HANDLER_CALL) && dests_same(c, x->nbl))
        f |= F_DESTS_SAME;
    return f & need;
}

/*
 * The frames a violation at the record of "x" relates to (request,
 * forwarded request, the NBL's first and last crossing...), built only when
 * a rule is violated.
 */
static unsigned record_rel(const struct ectx *x, struct xsw_frame_ref rel[3])
{
    const struct xsw_rec *r = x->rec;
    const struct xsw_checker *c = x->c;
    unsigned n = 0;
    switch (r->kind) {
    case XSW_K_OID_REQUEST:
        if (x->parent)
            rel[n++] = (struct xsw_frame_ref){"parent request", x->parent->req_frame};
        if (x->actor_ext >= 0)
            for (unsigned i = 0; i < c->ext[x->actor_ext].nretry && n < 3; i++)
                if (c->ext[x->actor_ext].retry[i].oid == r->u.oid.oid)
                    rel[n++] = (struct xsw_frame_ref){"short completion", c->ext[x->actor_ext].retry[i].frame};
        break;
    case XSW_K_OID_COMPLETE:
        if (x->oid) {
            rel[n++] = (struct xsw_frame_ref){"request", x->oid->req_frame};
            if (x->oid->forwarded)
                rel[n++] = (struct xsw_frame_ref){"forwarded request", x->oid->child_frame};
            if (x->oid->child_done)
                rel[n++] = (struct xsw_frame_ref){"completion from below", x->oid->child_done_frame};
        }
        break;
    default:
        break;
    }
    if (x->nbl && n < 3) {
        rel[n++] = (struct xsw_frame_ref){"NBL first seen", x->nbl->origin_frame};
        if (n < 3)
            rel[n++] = (struct xsw_frame_ref){"NBL last crossing", x->nbl->last_frame};
    }
    return n;
}

int xsw_checker_feed(struct xsw_checker *c, const struct xsw_rec *r, uint64_t frame)
{
    int n = 0;
    c->st.records++;
    if (r->kind == XSW_K_META) {
        if (c->since_meta) {
            n += run_end(c);
            reset_trackers(c);
        }
        c->since_meta = 0;
        apply_meta(c, r->u.meta.text, r->u.meta.text_len);
        learn_meta_objects(c, r->u.meta.text, r->u.meta.text_len);
        plans_drop(c); /* the classes may have changed */
        c->depth = r->depth;
        return c->nomem ? XSW_ENOMEM : n;
    }
    if (r->kind == XSW_K_VERDICT || r->kind == 0 || r->kind > 16)
        return 0;
    if (r->depth > MAXD || (is_boundary_kind(r->kind) && r->point > r->depth)) {
        c->st.skipped++;
        return 0;
    }
    c->since_meta++;
    c->depth = r->depth;
    c->last_frame = frame;
    c->last_seq = r->seq;
    if (c->cfg.oid_timeout)
        n += run_timeouts(c, r->seq);

    struct ectx x;
    ectx_init(&x, c);
    x.rec = r;
    x.kport = r->port_id;
    x.knic = r->nic_index;
#ifdef XSW_CHECK_REFERENCE
    x.actor_ext = r->actor < r->depth ? r->actor : -1;
    x.receiver_ext = receiver_of(r);
#else
    /* The plan base of the record's shape: the rules that may apply, and who is actor and receiver. */
    if ((r->depth != c->plan_depth || c->plan_over) && plans_reset(c, r->depth)) {
        c->nomem = 1;
        return XSW_ENOMEM;
    }
    struct pbase *pb = plan_base(c, r);
    if (!pb) {
        c->nomem = 1;
        return XSW_ENOMEM;
    }
    x.actor_ext = pb->actor_ext;
    x.receiver_ext = pb->receiver_ext;
#endif
    c->nrd = 0;
    switch (r->kind) {
    case XSW_K_OID_REQUEST:
        if (r->point > 0 && !(r->flags & XSW_RF_ORIGINATED))
            x.parent = oid_find(c, r->parent ? r->parent : r->id, r->point - 1u);
        if (x.actor_ext >= 0)
            for (unsigned i = 0; i < c->ext[x.actor_ext].nretry; i++)
                if (c->ext[x.actor_ext].retry[i].oid == r->u.oid.oid)
                    x.retry = &c->ext[x.actor_ext].retry[i];
        break;
    case XSW_K_OID_COMPLETE:
        x.oid = oid_find(c, r->id, r->point);
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        x.nbl = nbl_find(c, r->id);
        if (load_dests(c, r->u.nbl.dest, r->u.nbl.num_dest)) {
            c->nomem = 1;
            c->nrd = 0;
        }
        if (r->u.nbl.chain_idx == 0 || c->chain_kind != r->kind || c->chain_point != r->point) {
            c->chain_kind = r->kind;
            c->chain_point = r->point;
            c->chain_src_port = (uint16_t)(r->u.nbl.fwd >> 16);
            c->chain_src_nic = (uint8_t)(r->u.nbl.fwd >> 32);
            c->chain_hash = dest_hash(c->rd, c->nrd);
        }
        break;
    case XSW_K_HANDLER_CALL:
        x.nbl = nbl_find(c, r->u.hc.nbl ? r->u.hc.nbl : r->id);
        if (load_dests(c, r->u.hc.dest, r->u.hc.num_dest)) {
            c->nomem = 1;
            c->nrd = 0;
        }
        break;
    case XSW_K_STATUS:
        x.status_orig = x.actor_ext >= 0 && !status_take(&c->ext[x.actor_ext], r);
        break;
    default:
        break;
    }
#ifdef XSW_CHECK_REFERENCE
    x.facts = record_facts(c, &x, F_ALL & ~(uint32_t)(F_FRAME_SAME | F_DESTS_SAME));
    /*
     * Every rule of the kind, as written, without plans or specialised
     * variants: what the fast path below must always agree with (built only
     * for the differential tests, never in xsw-suite or xsw-analyze).
     */
    for (unsigned i = 0; i < c->nby_kind[r->kind]; i++) {
        const struct slot *sl = &c->slots[r->kind][i];
        const struct gate *g = &c->gate[sl->ri];
        if ((x.facts & g->need1) != g->need1 || (x.facts & g->need0) || !point_ok(sl->point_rel, r->point, r->depth) ||
            !actor_ok(sl->actor_rel, r->actor, r->depth) ||
            (sl->originated >= 0 && ((r->flags & XSW_RF_ORIGINATED) != 0) != sl->originated) ||
            (sl->has_lists && !match_lists(c, c->spec->rules[sl->ri], r)))
            continue;
        x.subject = sl->subject == XSUBJ_RECEIVER ? x.receiver_ext : x.actor_ext;
        struct xsw_frame_ref rel[3];
        unsigned nrel = record_rel(&x, rel);
        if (class_ok(c, sl->class_mask, x.subject))
            n += judge_applicable(c, sl->ri, &x, frame, 0, rel, nrel);
    }
#else
    /* A shape no rule looks at (a crossing at the switch's own edge, say) needs no entry. */
    if (pb->nslots) {
        x.facts = record_facts(c, &x, pb->need);
        struct pentry *pe = plan_entry(c, pb, r->kind, x.facts);
        if (!pe) {
            c->nomem = 1;
            return XSW_ENOMEM;
        }
        pe->hits++;
        for (const struct prun *pr = pe->run, *end = pe->run + pe->nrun; pr < end; pr++) {
            x.subject = pr->subject;
            /* The rule applies: what is left of its "when" entries, then of "require" (judge_applicable). */
            if (pr->simple ? !pr->fn(&x, pr->e, pr->root) : run_rule(c, r, &x, pr))
                n += run_violated(c, &x, pr, frame);
        }
    }
#endif

    switch (r->kind) {
    case XSW_K_OID_REQUEST:
        apply_oid_request(c, r, &x, frame);
        break;
    case XSW_K_OID_COMPLETE:
        apply_oid_complete(c, r, &x, frame);
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        apply_nbl(c, r, &x, frame);
        break;
    case XSW_K_HANDLER_CALL:
        apply_handler(c, r, &x, frame);
        break;
    case XSW_K_FILTER_STATE:
        apply_filter_state(c, r);
        break;
    case XSW_K_PNP_EVENT:
        if (r->u.pnp.event == XCV(NetEventSwitchActivate) && x.receiver_ext >= 0)
            c->ext[x.receiver_ext].active = 1;
        break;
    case XSW_K_STATUS:
        if (x.receiver_ext >= 0)
            status_push(&c->ext[x.receiver_ext], r);
        break;
    default:
        break;
    }
    return c->nomem ? XSW_ENOMEM : n;
}

int xsw_checker_finish(struct xsw_checker *c)
{
    int n = run_end(c);
    return c->nomem ? XSW_ENOMEM : n;
}

void xsw_checker_stats(const struct xsw_checker *c, struct xsw_check_stats *out)
{
    *out = c->st;
    out->evaluations = 0;
    for (size_t i = 0; i < c->spec->n; i++)
        out->evaluations += c->rule_eval[i];
    out->evaluations += plan_evals(c, -1);
    out->live_oids = c->poid.live;
    out->live_nbls = c->pnbl.live;
    out->live_nics = c->pnic.live;
    out->live_ports = c->pport.live;
}

void xsw_checker_rule_counts(const struct xsw_checker *c, size_t i, uint64_t *evaluated, uint64_t *violated)
{
    int ok = i < c->spec->n;
    if (evaluated)
        *evaluated = ok ? c->rule_eval[i] + plan_evals(c, (long)i) : 0;
    if (violated)
        *violated = ok ? c->rule_viol[i] : 0;
}

size_t xsw_checker_collected(const struct xsw_checker *c, const struct xsw_violation **out)
{
    *out = c->kept;
    return c->nkept;
}

size_t xsw_violation_format(const struct xsw_violation *v, char *buf, size_t len)
{
    size_t o = 0;
#define APP(...)                                                            \
    do {                                                                    \
        int w_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__);     \
        if (w_ > 0)                                                         \
            o += (size_t)w_;                                                \
    } while (0)
    APP("rule %s (%s): ", v->rule->id, v->rule->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD");
    if (v->ext >= 0)
        APP("extension %d (%s)", v->ext, v->ext_class);
    else
        APP("the switch");
    if (v->at_end)
        APP(" at the end of the trace (frame %llu)", (unsigned long long)v->frame);
    else
        APP(" at frame %llu", (unsigned long long)v->frame);
    if (v->object && v->object[0])
        APP(", %s", v->object);
    APP(": %s\n  expected: %s\n  actual: %s", v->rule->text, v->expected, v->actual);
    for (unsigned i = 0; i < v->nrelated; i++)
        APP("%s%s frame %llu", i ? ", " : "\n  related: ", v->related[i].what, (unsigned long long)v->related[i].frame);
    APP("\n  source: %s (%s:%u)", v->rule->source, v->rule->file, v->rule->line);
#undef APP
    return o;
}
