/*
 * expr.c - the condition language of conformance rules: lexer, parser and
 * name resolution (docs/spec-format.md "Expressions").
 *
 * An expression such as
 *     oid.forwarded && rec.status == oid.child_status
 * compiles into a flat array of nodes. Every name is resolved here, at load
 * time, against the vocabulary of check_int.h and the shared constant tables
 * (include/xsw/defs/NAME.def), and checked against the record kinds the rule
 * applies to, so that a rule that could never be evaluated is rejected with
 * its file:line:col instead of silently never firing. The evaluator in
 * check.c then only switches over node operators.
 *
 * Precedence, loosest first: ?:  ||  &&  comparisons and "in"  |  &  << >>
 * + -  unary ! - ~. Bitwise operators bind tighter than comparisons, so
 * "rec.ndis_flags & X == 0" means "(rec.ndis_flags & X) == 0".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

/* ---- Vocabulary tables ---------------------------------------------------- */

struct field_meta {
    const char *name;
    uint8_t fmt;
    uint32_t ctx;
};

static const struct field_meta field_meta[XFLD__N] = {
#define X(e, n, f, c) {n, f, c},
    XSW_FIELDS(X)
#undef X
};

const char *const xfield_names[XFLD__N] = {
#define X(e, n, f, c) n,
    XSW_FIELDS(X)
#undef X
};

static const struct {
    const char *name;
    uint32_t ctx;
} buf_meta[XBUF__N] = {
#define X(e, n, c) {n, c},
    XSW_BUFFERS(X)
#undef X
}, coll_meta[XCOLL__N] = {
#define X(e, n, c) {n, c},
    XSW_COLLS(X)
#undef X
};

static const struct {
    const char *name;
    uint8_t min, max, kinds[5], fmt;
    uint32_t ctx;
} func_meta[XFN__N] = {
#define X(e, n, mn, mx, a0, a1, a2, a3, a4, f, c) {n, mn, mx, {a0, a1, a2, a3, a4}, f, c},
    XSW_FUNCS(X)
#undef X
};

struct named {
    const char *name;
    int64_t value;
};

static const struct named handler_names[] = {
#define XSW_HANDLER(name, id) {#name, id},
#include "xsw/defs/switch_handlers.def"
#undef XSW_HANDLER
};

static const struct named finding_names[] = {
#define XSW_FINDING(name, id, text) {#name, id},
#include "xsw/defs/findings.def"
#undef XSW_FINDING
};

static const struct named fevent_names[] = {
#define XSW_FEVENT(name, id, desc) {#name, id},
#include "xsw/defs/filter_events.def"
#undef XSW_FEVENT
};

static const struct named kind_names[] = {
#define XSW_KIND(name, value, desc) {#name, value},
#include "xsw/defs/trace_kinds.def"
#undef XSW_KIND
};

const int64_t xconst_value[XCI__N] = {
#define XSW_CONST(name, value) (int64_t)(value),
#include "xsw/defs/ndis_consts.def"
#undef XSW_CONST
};

static const struct named const_names[] = {
#define XSW_CONST(name, value) {#name, (int64_t)(value)},
#include "xsw/defs/ndis_consts.def"
#undef XSW_CONST
};

/* Symbolic values of the engine's own enums. */
static const struct {
    const char *name;
    int64_t value;
    uint8_t fmt;
} word_names[] = {
    {"true", 1, XF_BOOL},
    {"false", 0, XF_BOOL},
    {"none", XS_NONE, XF_STATE},
    {"created", XS_CREATED, XF_STATE},
    {"connected", XS_CONNECTED, XF_STATE},
    {"disconnected", XS_DISCONNECTED, XF_STATE},
    {"deleted", XS_DELETED, XF_STATE},
    {"teardown", XS_TEARDOWN, XF_STATE},
    {"unknown", 0, XF_CLASS},
    {"capture", 1, XF_CLASS},
    {"filter", 2, XF_CLASS},
    {"forward", 3, XF_CLASS},
    {"protocol_edge", XH_PROTOCOL_EDGE, XF_HOLDER},
    {"miniport_edge", XH_MINIPORT_EDGE, XF_HOLDER},
    {"ingress", 0, XF_DIR},
    {"egress", 1, XF_DIR},
    {"no_diff", -1, XF_OFFSET},
    {"switch_actor", XSW_ACTOR_SWITCH, XF_ACTOR},
};

static int lookup(const struct named *t, size_t n, const char *s, int64_t *v)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, s) == 0) {
            *v = t[i].value;
            return 0;
        }
    return -1;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int lookup32(const struct named *t, size_t n, const char *s, uint32_t *v)
{
    int64_t x;
    if (lookup(t, n, s, &x))
        return -1;
    *v = (uint32_t)x;
    return 0;
}

int xname_handler(const char *s, uint32_t *v)
{
    return lookup32(handler_names, NELEM(handler_names), s, v);
}

int xname_finding(const char *s, uint32_t *v)
{
    return lookup32(finding_names, NELEM(finding_names), s, v);
}

int xname_fevent(const char *s, uint32_t *v)
{
    return lookup32(fevent_names, NELEM(fevent_names), s, v);
}

int xname_kind(const char *s, uint32_t *v)
{
    return lookup32(kind_names, NELEM(kind_names), s, v);
}

int xname_const(const char *s, int64_t *v)
{
    return lookup(const_names, NELEM(const_names), s, v);
}

const char *xname_vocab(size_t i)
{
    if (i < XFLD__N)
        return field_meta[i].name;
    i -= XFLD__N;
    if (i < XBUF__N)
        return buf_meta[i].name;
    i -= XBUF__N;
    if (i < XCOLL__N)
        return coll_meta[i].name;
    i -= XCOLL__N;
    return i < XFN__N ? func_meta[i].name : NULL;
}

/* ---- Error messages with the place ---------------------------------------- */

void xsrc_error(char *err, size_t errlen, const char *file, const char *text, size_t text_len, unsigned line,
                unsigned col, const char *msg)
{
    if (!err || !errlen)
        return;
    int n = snprintf(err, errlen, "%s:%u:%u: %s", file, line + 1, col + 1, msg);
    if (n < 0 || (size_t)n >= errlen || !text)
        return;
    /* Find the start of the 0-based line "line". */
    size_t i = 0;
    for (unsigned l = 0; l < line && i < text_len; i++)
        if (text[i] == '\n')
            l++;
    if (i > text_len)
        return;
    size_t e = i;
    while (e < text_len && text[e] != '\n' && text[e] != '\r')
        e++;
    size_t show = e - i;
    if (show > 160)
        show = 160;
    char num[16];
    int w = snprintf(num, sizeof num, "%u", line + 1);
    size_t used = (size_t)n;
    int m = snprintf(err + used, errlen - used, "\n %s | %.*s\n %*s | ", num, (int)show, text + i, w, "");
    if (m < 0 || used + (size_t)m >= errlen)
        return;
    used += (size_t)m;
    for (unsigned c = 0; c < col && c < show && used + 2 < errlen; c++)
        err[used++] = text[i + c] == '\t' ? '\t' : ' ';
    if (used + 2 <= errlen) {
        err[used++] = '^';
        err[used] = 0;
    }
}

/* ---- Lexer ------------------------------------------------------------------ */

enum tok {
    T_END, T_NUM, T_NAME, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_Q, T_COLON, T_NOT, T_TILDE, T_MINUS, T_PLUS,
    T_AMP, T_BAR, T_SHL, T_SHR, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR, T_BAD,
};

struct parser {
    const char *s;
    size_t pos;
    /* current token */
    enum tok t;
    size_t toff, tlen;
    int64_t num;
    int hex;
    char name[128];
    /* output */
    struct xexpr *e;
    unsigned cap_nodes, cap_args, cap_consts;
    uint32_t ctx;
    int in_pred;
    unsigned depth; /* nesting of the recursive descent, at most XSW_SPEC_MAX_EXPR_DEPTH */
    int failed;
    const struct xsrcpos *where;
    char *err;
    size_t errlen;
};

static void perr(struct parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void perr(struct parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const struct xsrcpos *w = p->where;
    if (w->exact) {
        xsrc_error(p->err, p->errlen, w->file, w->text, w->text_len, w->line, w->col + (unsigned)off, msg);
        return;
    }
    /* The scalar was folded or escaped: quote the expression itself. */
    char full[300];
    snprintf(full, sizeof full, "%s (at offset %zu of the expression)", msg, off);
    xsrc_error(p->err, p->errlen, w->file, w->text, w->text_len, w->line, w->col, full);
    size_t used = strlen(p->err);
    size_t show = strlen(p->s);
    if (show > 160)
        show = 160;
    int m = snprintf(p->err + used, p->errlen > used ? p->errlen - used : 0, "\n expression: %.*s\n             ",
                     (int)show, p->s);
    if (m < 0 || used + (size_t)m >= p->errlen)
        return;
    used += (size_t)m;
    for (size_t c = 0; c < off && c < show && used + 2 < p->errlen; c++)
        p->err[used++] = ' ';
    if (used + 2 <= p->errlen) {
        p->err[used++] = '^';
        p->err[used] = 0;
    }
}

static void next(struct parser *p)
{
    const char *s = p->s;
    while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r')
        p->pos++;
    p->toff = p->pos;
    char c = s[p->pos];
    if (!c) {
        p->t = T_END;
        p->tlen = 0;
        return;
    }
    if (isdigit((unsigned char)c)) {
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s + p->pos, &end, 0);
        p->hex = c == '0' && (s[p->pos + 1] == 'x' || s[p->pos + 1] == 'X');
        if (errno || isalnum((unsigned char)*end) || *end == '_' || *end == '.') {
            p->t = T_BAD;
            p->tlen = 1;
            perr(p, p->toff, "invalid number");
            return;
        }
        p->num = (int64_t)v;
        p->t = T_NUM;
        p->tlen = (size_t)(end - (s + p->pos));
        p->pos += p->tlen;
        return;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        size_t i = p->pos;
        while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')
            i++;
        p->tlen = i - p->pos;
        if (p->tlen >= sizeof p->name) {
            p->t = T_BAD;
            perr(p, p->toff, "name longer than %zu characters", sizeof p->name - 1);
            return;
        }
        memcpy(p->name, s + p->pos, p->tlen);
        p->name[p->tlen] = 0;
        p->pos = i;
        p->t = T_NAME;
        return;
    }
    static const struct {
        const char *s;
        enum tok t;
    } ops[] = {
        {"&&", T_AND}, {"||", T_OR}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"<<", T_SHL},
        {">>", T_SHR}, {"(", T_LP},  {")", T_RP},  {"[", T_LB},  {"]", T_RB},  {",", T_COMMA}, {"?", T_Q},
        {":", T_COLON}, {"!", T_NOT}, {"~", T_TILDE}, {"-", T_MINUS}, {"+", T_PLUS}, {"&", T_AMP}, {"|", T_BAR},
        {"<", T_LT},   {">", T_GT},
    };
    for (size_t i = 0; i < NELEM(ops); i++) {
        size_t n = strlen(ops[i].s);
        if (strncmp(s + p->pos, ops[i].s, n) == 0) {
            p->t = ops[i].t;
            p->tlen = n;
            p->pos += n;
            return;
        }
    }
    p->t = T_BAD;
    p->tlen = 1;
    perr(p, p->toff, "unexpected character '%c'", c);
}

/* ---- Node construction ------------------------------------------------------ */

static int32_t add_node(struct parser *p, uint8_t op, uint8_t fmt, size_t off, size_t end)
{
    struct xexpr *e = p->e;
    if (e->nnodes >= XSW_SPEC_MAX_EXPR_NODES) {
        perr(p, off, "expression too large: more than %u nodes (XSW_SPEC_MAX_EXPR_NODES)", XSW_SPEC_MAX_EXPR_NODES);
        return -1;
    }
    if (e->nnodes == p->cap_nodes) {
        unsigned nc = p->cap_nodes ? p->cap_nodes * 2 : 16;
        struct xnode *n = realloc(e->nodes, nc * sizeof *n);
        if (!n) {
            perr(p, off, "out of memory");
            return -1;
        }
        e->nodes = n;
        p->cap_nodes = nc;
    }
    struct xnode *n = &e->nodes[e->nnodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->fmt = fmt;
    n->a = n->b = n->c = -1;
    n->off = (uint16_t)off;
    n->len = (uint16_t)(end > off ? end - off : 0);
    return (int32_t)e->nnodes++;
}

static int push_i32(struct parser *p, int32_t **arr, unsigned *n, unsigned *cap, int32_t v)
{
    if (*n == *cap) {
        unsigned nc = *cap ? *cap * 2 : 8;
        int32_t *a = realloc(*arr, nc * sizeof *a);
        if (!a) {
            perr(p, p->toff, "out of memory");
            return -1;
        }
        *arr = a;
        *cap = nc;
    }
    (*arr)[(*n)++] = v;
    return 0;
}

static int push_i64(struct parser *p, int64_t v)
{
    struct xexpr *e = p->e;
    if (e->nconsts == p->cap_consts) {
        unsigned nc = p->cap_consts ? p->cap_consts * 2 : 8;
        int64_t *a = realloc(e->consts, nc * sizeof *a);
        if (!a) {
            perr(p, p->toff, "out of memory");
            return -1;
        }
        e->consts = a;
        p->cap_consts = nc;
    }
    e->consts[e->nconsts++] = v;
    return 0;
}

/* Name the first context of "need" that "have" lacks, for messages. */
static const char *ctx_name(uint32_t need, uint32_t have, char *buf, size_t len)
{
    uint32_t miss = need & ~have;
    for (unsigned k = 1; k <= 16; k++)
        if (miss & CTX_KIND(k)) {
            const char *n = NULL;
            for (size_t i = 0; i < NELEM(kind_names); i++)
                if (kind_names[i].value == (int64_t)k)
                    n = kind_names[i].name;
            snprintf(buf, len, "%s records", n ? n : "?");
            return buf;
        }
    if (miss & CTX_END_OID)
        return "'at_end: oid' rules";
    if (miss & CTX_END_NBL)
        return "'at_end: nbl' rules";
    if (miss & CTX_END_NICREF)
        return "'at_end: nic_ref' rules";
    if (miss & CTX_END_PORTREF)
        return "'at_end: port_ref' rules";
    return "'at_end: retry' rules";
}

/*
 * Edit distance between "a" and "b" for "did you mean" suggestions; 99 (no suggestion) when either
 * is longer than "max" characters (at most 63).
 */
unsigned xname_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (max > 63)
        max = 63;
    if (la > max || lb > max)
        return 99;
    unsigned d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            unsigned x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
            d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
        }
    return d[la][lb];
}

static const char *suggest(const char *name)
{
    const char *best = NULL;
    unsigned bd = 3;
#define TRY(n)                                 \
    do {                                       \
        unsigned d_ = xname_distance(name, n, 63);  \
        if (d_ < bd) {                         \
            bd = d_;                           \
            best = n;                          \
        }                                      \
    } while (0)
    for (size_t i = 0; i < XFLD__N; i++)
        TRY(field_meta[i].name);
    for (size_t i = 0; i < XBUF__N; i++)
        TRY(buf_meta[i].name);
    for (size_t i = 0; i < XCOLL__N; i++)
        TRY(coll_meta[i].name);
    for (size_t i = 0; i < XFN__N; i++)
        TRY(func_meta[i].name);
    for (size_t i = 0; i < NELEM(word_names); i++)
        TRY(word_names[i].name);
#undef TRY
    return best;
}

/* Resolve a constant name; returns 0 and sets value and display format. */
static int resolve_const(const char *name, int64_t *v, uint8_t *fmt)
{
    uint32_t u;
    for (size_t i = 0; i < NELEM(word_names); i++)
        if (strcmp(word_names[i].name, name) == 0) {
            *v = word_names[i].value;
            *fmt = word_names[i].fmt;
            return 0;
        }
    if (xsw_oid_by_name(name, &u) == 0) {
        *v = u;
        *fmt = XF_OID;
        return 0;
    }
    if (xsw_status_by_name(name, &u) == 0) {
        *v = u;
        *fmt = XF_STATUS;
        return 0;
    }
    if (lookup(handler_names, NELEM(handler_names), name, v) == 0) {
        *fmt = XF_HANDLER;
        return 0;
    }
    if (lookup(finding_names, NELEM(finding_names), name, v) == 0) {
        *fmt = XF_FINDING;
        return 0;
    }
    if (lookup(kind_names, NELEM(kind_names), name, v) == 0) {
        *fmt = XF_KIND;
        return 0;
    }
    if (lookup(fevent_names, NELEM(fevent_names), name, v) == 0) {
        *fmt = XF_DEC;
        return 0;
    }
    if (lookup(const_names, NELEM(const_names), name, v) == 0) {
        *fmt = (strstr(name, "FLAGS") || strstr(name, "_FWD_") || strstr(name, "_DEST_")) ? XF_HEX : XF_DEC;
        return 0;
    }
    return -1;
}

/* ---- Parser ------------------------------------------------------------------ */

static int32_t parse_expr(struct parser *p);

/* An operand that must be an integer (not a buffer or a destination list). */
static int32_t need_int(struct parser *p, int32_t n)
{
    if (n < 0)
        return -1;
    const struct xnode *x = &p->e->nodes[n];
    if (x->op == XO_BUF) {
        perr(p, x->off, "'%s' is a byte buffer: read it with u8/u16/u32/u64(), len(), diff() or eq()",
             buf_meta[x->id].name);
        return -1;
    }
    if (x->op == XO_COLL) {
        perr(p, x->off, "'%s' is a destination list: use it with all(), any() or count()", coll_meta[x->id].name);
        return -1;
    }
    return n;
}

static int32_t parse_call(struct parser *p, size_t off)
{
    char cbuf[64];
    size_t f;
    for (f = 0; f < XFN__N; f++)
        if (strcmp(func_meta[f].name, p->name) == 0)
            break;
    if (f == XFN__N) {
        const char *s = suggest(p->name);
        perr(p, off, "unknown function '%s'%s%s%s", p->name, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
        return -1;
    }
    if ((func_meta[f].ctx & p->ctx) != p->ctx) {
        perr(p, off, "'%s()' is not available for %s", func_meta[f].name,
             ctx_name(p->ctx, func_meta[f].ctx, cbuf, sizeof cbuf));
        return -1;
    }
    next(p); /* name */
    next(p); /* ( */
    int32_t args[5];
    unsigned argc = 0;
    if (p->t != T_RP) {
        for (;;) {
            if (argc == func_meta[f].max) {
                perr(p, p->toff, "%s() takes at most %u arguments", func_meta[f].name, func_meta[f].max);
                return -1;
            }
            uint8_t kind = func_meta[f].kinds[argc];
            size_t aoff = p->toff;
            int saved = p->in_pred;
            if (kind == XA_PRED)
                p->in_pred = 1;
            int32_t a = parse_expr(p);
            p->in_pred = saved;
            if (a < 0)
                return -1;
            const struct xnode *x = &p->e->nodes[a];
            if (kind == XA_BUF && x->op != XO_BUF) {
                perr(p, aoff, "argument %u of %s() must be a byte buffer (rec.data, rec.frame, request.data, "
                              "parent.data, nbl.frame, subject.ext_id)", argc + 1, func_meta[f].name);
                return -1;
            }
            if (kind == XA_COLL && x->op != XO_COLL) {
                perr(p, aoff, "argument %u of %s() must be a destination list (rec.dest, nbl.dest, added_dest, "
                              "removed_dest, changed_dest, newly_excluded)", argc + 1, func_meta[f].name);
                return -1;
            }
            if ((kind == XA_INT || kind == XA_PRED) && need_int(p, a) < 0)
                return -1;
            args[argc++] = a;
            if (p->t == T_COMMA) {
                next(p);
                continue;
            }
            break;
        }
    }
    if (p->t != T_RP) {
        perr(p, p->toff, "expected ')' after the arguments of %s()", func_meta[f].name);
        return -1;
    }
    if (argc < func_meta[f].min) {
        perr(p, off, "%s() takes at least %u arguments, got %u", func_meta[f].name, func_meta[f].min, argc);
        return -1;
    }
    size_t end = p->toff + 1;
    next(p);
    int32_t n = add_node(p, XO_CALL, func_meta[f].fmt, off, end);
    if (n < 0)
        return -1;
    p->e->nodes[n].id = (uint16_t)f;
    p->e->nodes[n].a = (int32_t)p->e->nargs;
    p->e->nodes[n].b = (int32_t)argc;
    unsigned cap = p->cap_args;
    for (unsigned i = 0; i < argc; i++)
        if (push_i32(p, &p->e->args, &p->e->nargs, &cap, args[i]))
            return -1;
    p->cap_args = cap;
    return n;
}

static int32_t parse_name(struct parser *p)
{
    char cbuf[64];
    size_t off = p->toff, end = p->toff + p->tlen;
    size_t q = p->pos;
    while (p->s[q] == ' ' || p->s[q] == '\t')
        q++;
    if (p->s[q] == '(')
        return parse_call(p, off);
    const char *name = p->name;
    for (size_t i = 0; i < XFLD__N; i++)
        if (strcmp(field_meta[i].name, name) == 0) {
            if (i >= XFLD_D_PORT) {
                if (!p->in_pred) {
                    perr(p, off, "'%s' names the destination being tested and is only valid inside the "
                                 "predicate of all(), any() or count()", name);
                    return -1;
                }
            } else if ((field_meta[i].ctx & p->ctx) != p->ctx) {
                perr(p, off, "'%s' is not available for %s", name,
                     ctx_name(p->ctx, field_meta[i].ctx, cbuf, sizeof cbuf));
                return -1;
            }
            next(p);
            int32_t n = add_node(p, XO_FIELD, field_meta[i].fmt, off, end);
            if (n >= 0)
                p->e->nodes[n].id = (uint16_t)i;
            return n;
        }
    for (size_t i = 0; i < XBUF__N; i++)
        if (strcmp(buf_meta[i].name, name) == 0) {
            if ((buf_meta[i].ctx & p->ctx) != p->ctx) {
                perr(p, off, "'%s' is not available for %s", name,
                     ctx_name(p->ctx, buf_meta[i].ctx, cbuf, sizeof cbuf));
                return -1;
            }
            next(p);
            int32_t n = add_node(p, XO_BUF, XF_HEX, off, end);
            if (n >= 0)
                p->e->nodes[n].id = (uint16_t)i;
            return n;
        }
    for (size_t i = 0; i < XCOLL__N; i++)
        if (strcmp(coll_meta[i].name, name) == 0) {
            if ((coll_meta[i].ctx & p->ctx) != p->ctx) {
                perr(p, off, "'%s' is not available for %s", name,
                     ctx_name(p->ctx, coll_meta[i].ctx, cbuf, sizeof cbuf));
                return -1;
            }
            next(p);
            int32_t n = add_node(p, XO_COLL, XF_DEC, off, end);
            if (n >= 0)
                p->e->nodes[n].id = (uint16_t)i;
            return n;
        }
    int64_t v;
    uint8_t fmt;
    if (resolve_const(name, &v, &fmt) == 0) {
        next(p);
        int32_t n = add_node(p, XO_CONST, fmt, off, end);
        if (n >= 0)
            p->e->nodes[n].v = v;
        return n;
    }
    const char *s = suggest(name);
    if (strncmp(name, "OID_", 4) == 0)
        perr(p, off, "unknown OID name '%s' (not in include/xsw/defs/oids.def)", name);
    else if (strncmp(name, "NDIS_STATUS_", 12) == 0)
        perr(p, off, "unknown status name '%s' (not in include/xsw/defs/ndis_status.def)", name);
    else
        perr(p, off, "unknown name '%s'%s%s%s", name, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    return -1;
}

static int32_t parse_primary(struct parser *p)
{
    size_t off = p->toff;
    switch (p->t) {
    case T_NUM: {
        int32_t n = add_node(p, XO_CONST, p->hex ? XF_HEX : XF_DEC, off, off + p->tlen);
        if (n >= 0)
            p->e->nodes[n].v = p->num;
        next(p);
        return n;
    }
    case T_NAME:
        return parse_name(p);
    case T_LP: {
        next(p);
        int32_t n = parse_expr(p);
        if (n < 0)
            return -1;
        if (p->t != T_RP) {
            perr(p, p->toff, "expected ')'");
            return -1;
        }
        next(p);
        return n;
    }
    case T_END:
        perr(p, off, "expression ends where an operand was expected");
        return -1;
    case T_BAD:
        return -1;
    default:
        perr(p, off, "expected a name, a number or '(' here");
        return -1;
    }
}

static int32_t parse_unary(struct parser *p)
{
    size_t off = p->toff;
    uint8_t op;
    switch (p->t) {
    case T_NOT:
        op = XO_NOT;
        break;
    case T_MINUS:
        op = XO_NEG;
        break;
    case T_TILDE:
        op = XO_BNOT;
        break;
    default:
        return parse_primary(p);
    }
    if (++p->depth > XSW_SPEC_MAX_EXPR_DEPTH) {
        perr(p, off, "expression nested more than %u deep (XSW_SPEC_MAX_EXPR_DEPTH)", XSW_SPEC_MAX_EXPR_DEPTH);
        p->depth--;
        return -1;
    }
    next(p);
    int32_t a = need_int(p, parse_unary(p));
    p->depth--;
    if (a < 0)
        return -1;
    size_t end = p->e->nodes[a].off + p->e->nodes[a].len;
    uint8_t fmt = op == XO_NOT ? XF_BOOL : p->e->nodes[a].fmt;
    int32_t n = add_node(p, op, fmt, off, end);
    if (n >= 0)
        p->e->nodes[n].a = a;
    return n;
}

static int32_t binary(struct parser *p, uint8_t op, int32_t a, int32_t b)
{
    if (need_int(p, a) < 0 || need_int(p, b) < 0)
        return -1;
    const struct xnode *x = &p->e->nodes[a], *y = &p->e->nodes[b];
    uint8_t fmt;
    switch (op) {
    case XO_EQ:
    case XO_NE:
    case XO_LT:
    case XO_LE:
    case XO_GT:
    case XO_GE:
    case XO_AND:
    case XO_OR:
        fmt = XF_BOOL;
        break;
    default:
        fmt = x->fmt == XF_BOOL ? XF_DEC : x->fmt;
        break;
    }
    size_t off = x->off < y->off ? x->off : y->off;
    size_t end = (size_t)y->off + y->len;
    int32_t n = add_node(p, op, fmt, off, end);
    if (n >= 0) {
        p->e->nodes[n].a = a;
        p->e->nodes[n].b = b;
    }
    return n;
}

/* Levels from tightest: add, shift, band, bor. */
static int32_t parse_add(struct parser *p)
{
    int32_t a = parse_unary(p);
    while (a >= 0 && (p->t == T_PLUS || p->t == T_MINUS)) {
        uint8_t op = p->t == T_PLUS ? XO_ADD : XO_SUB;
        next(p);
        a = binary(p, op, a, parse_unary(p));
    }
    return a;
}

static int32_t parse_shift(struct parser *p)
{
    int32_t a = parse_add(p);
    while (a >= 0 && (p->t == T_SHL || p->t == T_SHR)) {
        uint8_t op = p->t == T_SHL ? XO_SHL : XO_SHR;
        next(p);
        a = binary(p, op, a, parse_add(p));
    }
    return a;
}

static int32_t parse_band(struct parser *p)
{
    int32_t a = parse_shift(p);
    while (a >= 0 && p->t == T_AMP) {
        next(p);
        a = binary(p, XO_BAND, a, parse_shift(p));
    }
    return a;
}

static int32_t parse_bor(struct parser *p)
{
    int32_t a = parse_band(p);
    while (a >= 0 && p->t == T_BAR) {
        next(p);
        a = binary(p, XO_BOR, a, parse_band(p));
    }
    return a;
}

static int32_t parse_cmp(struct parser *p)
{
    int32_t a = parse_bor(p);
    if (a < 0)
        return -1;
    uint8_t op;
    switch (p->t) {
    case T_EQ:
        op = XO_EQ;
        break;
    case T_NE:
        op = XO_NE;
        break;
    case T_LT:
        op = XO_LT;
        break;
    case T_LE:
        op = XO_LE;
        break;
    case T_GT:
        op = XO_GT;
        break;
    case T_GE:
        op = XO_GE;
        break;
    case T_NAME:
        if (strcmp(p->name, "in") == 0) {
            /* x in [A, B, C]: the list holds constants only. */
            if (need_int(p, a) < 0)
                return -1;
            next(p);
            if (p->t != T_LB) {
                perr(p, p->toff, "expected '[' after 'in'");
                return -1;
            }
            next(p);
            unsigned first = p->e->nconsts, count = 0;
            while (p->t != T_RB) {
                size_t coff = p->toff;
                int32_t c = parse_unary(p);
                if (c < 0)
                    return -1;
                if (p->e->nodes[c].op != XO_CONST) {
                    perr(p, coff, "the list after 'in' may hold constants only");
                    return -1;
                }
                if (push_i64(p, p->e->nodes[c].v))
                    return -1;
                count++;
                if (p->t == T_COMMA)
                    next(p);
                else if (p->t != T_RB) {
                    perr(p, p->toff, "expected ',' or ']' in the list");
                    return -1;
                }
            }
            size_t end = p->toff + 1;
            next(p);
            int32_t n = add_node(p, XO_IN, XF_BOOL, p->e->nodes[a].off, end);
            if (n >= 0) {
                p->e->nodes[n].a = a;
                p->e->nodes[n].b = (int32_t)first;
                p->e->nodes[n].c = (int32_t)count;
            }
            return n;
        }
        return a;
    default:
        return a;
    }
    next(p);
    return binary(p, op, a, parse_bor(p));
}

static int32_t parse_and(struct parser *p)
{
    int32_t a = parse_cmp(p);
    while (a >= 0 && p->t == T_AND) {
        next(p);
        a = binary(p, XO_AND, a, parse_cmp(p));
    }
    return a;
}

static int32_t parse_or(struct parser *p)
{
    int32_t a = parse_and(p);
    while (a >= 0 && p->t == T_OR) {
        next(p);
        a = binary(p, XO_OR, a, parse_and(p));
    }
    return a;
}

static int32_t parse_expr_nested(struct parser *p);

/*
 * Every recursion of the parser (parentheses, function arguments, the
 * branches of ?:, unary operators) goes through here or parse_unary, so
 * that a hostile expression cannot nest deep enough to exhaust the stack.
 */
static int32_t parse_expr(struct parser *p)
{
    if (++p->depth > XSW_SPEC_MAX_EXPR_DEPTH) {
        perr(p, p->toff, "expression nested more than %u deep (XSW_SPEC_MAX_EXPR_DEPTH)", XSW_SPEC_MAX_EXPR_DEPTH);
        p->depth--;
        return -1;
    }
    int32_t n = parse_expr_nested(p);
    p->depth--;
    return n;
}

static int32_t parse_expr_nested(struct parser *p)
{
    int32_t c = parse_or(p);
    if (c < 0 || p->t != T_Q)
        return c;
    if (need_int(p, c) < 0)
        return -1;
    next(p);
    int32_t a = need_int(p, parse_expr(p));
    if (a < 0)
        return -1;
    if (p->t != T_COLON) {
        perr(p, p->toff, "expected ':' of the '?:' operator");
        return -1;
    }
    next(p);
    int32_t b = need_int(p, parse_expr(p));
    if (b < 0)
        return -1;
    const struct xnode *x = &p->e->nodes[c], *y = &p->e->nodes[b];
    int32_t n = add_node(p, XO_COND, p->e->nodes[a].fmt, x->off, (size_t)y->off + y->len);
    if (n >= 0) {
        p->e->nodes[n].a = c;
        p->e->nodes[n].b = a;
        p->e->nodes[n].c = b;
    }
    return n;
}

void xexpr_free(struct xexpr *e)
{
    if (!e)
        return;
    free(e->src);
    free(e->nodes);
    free(e->args);
    free(e->consts);
    free(e);
}

struct xexpr *xexpr_compile(const char *src, uint32_t ctx, const struct xsrcpos *pos, char *err, size_t errlen)
{
    struct parser p;
    memset(&p, 0, sizeof p);
    p.s = src;
    p.ctx = ctx;
    p.where = pos;
    p.err = err;
    p.errlen = errlen;
    p.e = calloc(1, sizeof *p.e);
    if (!p.e) {
        xsrc_error(err, errlen, pos->file, pos->text, pos->text_len, pos->line, pos->col, "out of memory");
        return NULL;
    }
    if (strlen(src) > 65535) {
        perr(&p, 0, "expression longer than 65535 bytes");
        xexpr_free(p.e);
        return NULL;
    }
    p.e->src = strdup(src);
    if (!p.e->src) {
        perr(&p, 0, "out of memory");
        xexpr_free(p.e);
        return NULL;
    }
    next(&p);
    int32_t root = p.failed ? -1 : parse_expr(&p);
    if (root >= 0 && !p.failed && p.t != T_END)
        perr(&p, p.toff, "unexpected text after the end of the expression");
    if (root >= 0 && !p.failed)
        root = need_int(&p, root);
    if (root < 0 || p.failed) {
        if (!p.failed)
            perr(&p, 0, "invalid expression");
        xexpr_free(p.e);
        return NULL;
    }
    p.e->root = root;
    xexpr_bind(p.e);
    return p.e;
}

/* ---- Specialisation for what is known of the records -------------------------- */

/* Turn node "n" (whose operands are constants) into the constant it evaluates to. */
static void make_const(struct xexpr *e, int32_t n)
{
    struct xnode *nd = &e->nodes[n];
    xexpr_bind_node(e, nd);
    int64_t v = nd->fn(NULL, e, nd);
    nd->op = XO_CONST;
    nd->v = v;
    nd->a = nd->b = nd->c = -1;
    xexpr_bind_node(e, nd);
}

static int is_const(const struct xexpr *e, int32_t n)
{
    return e->nodes[n].op == XO_CONST;
}

static int is_diff_coll(const struct xexpr *e, int32_t arg)
{
    const struct xnode *a = &e->nodes[arg];
    return a->op == XO_COLL && (a->id == XCOLL_ADDED || a->id == XCOLL_REMOVED || a->id == XCOLL_CHANGED ||
                                a->id == XCOLL_NEWLY_EXCLUDED);
}

/* diff()/diff_last() of rec.frame and nbl.frame (either order) with no limit or a constant one. */
static int is_frame_diff(const struct xexpr *e, const struct xnode *nd)
{
    if (nd->op != XO_CALL || (nd->id != XFN_DIFF && nd->id != XFN_DIFF_LAST))
        return 0;
    const int32_t *a = &e->args[nd->a];
    unsigned b0 = e->nodes[a[0]].id, b1 = e->nodes[a[1]].id;
    if (!((b0 == XBUF_REC_FRAME && b1 == XBUF_NBL_FRAME) || (b0 == XBUF_NBL_FRAME && b1 == XBUF_REC_FRAME)))
        return 0;
    return nd->b == 2 || e->nodes[a[2]].op == XO_CONST;
}

/* all(), any() or count() over a list of destination differences. */
static int is_diff_quantifier(const struct xexpr *e, const struct xnode *nd)
{
    return nd->op == XO_CALL && (nd->id == XFN_ALL || nd->id == XFN_ANY || nd->id == XFN_COUNT) &&
           is_diff_coll(e, e->args[nd->a]);
}

unsigned xexpr_depends(const struct xexpr *e, uint8_t fields[XFLD__N])
{
    unsigned m = 0;
    for (unsigned i = 0; i < e->nnodes; i++) {
        if (e->nodes[i].op == XO_FIELD && e->nodes[i].id < XFLD__N)
            fields[e->nodes[i].id] = 1;
        if (is_diff_quantifier(e, &e->nodes[i]))
            m |= XASSUME_DESTS_SAME;
        if (is_frame_diff(e, &e->nodes[i]))
            m |= XASSUME_FRAME_SAME;
    }
    return m;
}

/*
 * Fold node "n" of "e" for the records "k" describes and return the node that
 * now stands for it. "truth": only the truth of the value matters (the
 * operand of !, &&, ||, a condition, a predicate, a when/require entry), so
 * "1 && x" may become x itself rather than x != 0. Operands are evaluated
 * exactly as the original would be evaluated: only a constant left operand
 * of && and || (whose right operand the original may skip as well) or a
 * constant condition removes an operand, so folding never skips anything the
 * original computes except constants.
 */
static int32_t fold(struct xexpr *e, int32_t n, int truth, const struct xknown *k)
{
    struct xnode *nd = &e->nodes[n];
    switch ((enum xop)nd->op) {
    case XO_CONST:
    case XO_BUF:
    case XO_COLL:
        return n;
    case XO_FIELD:
        if (nd->id < XFLD__N && k->has[nd->id]) {
            nd->op = XO_CONST;
            nd->v = k->val[nd->id];
            xexpr_bind_node(e, nd);
        }
        return n;
    case XO_CALL:
        for (int32_t i = 0; i < nd->b; i++) {
            int32_t *arg = &e->args[nd->a + i];
            uint8_t op = e->nodes[*arg].op;
            if (op != XO_BUF && op != XO_COLL)
                *arg = fold(e, *arg, 0, k);
        }
        nd = &e->nodes[n];
        /* What the record's facts settle (check_int.h XASSUME_*): empty differences, equal frames. */
        if ((k->assume & XASSUME_DESTS_SAME) && is_diff_quantifier(e, nd)) {
            nd->op = XO_CONST;
            nd->v = nd->id == XFN_ALL;
            nd->a = nd->b = nd->c = -1;
        } else if ((k->assume & XASSUME_FRAME_SAME) && is_frame_diff(e, nd)) {
            nd->op = XO_CONST;
            nd->v = -1;
            nd->a = nd->b = nd->c = -1;
        }
        xexpr_bind_node(e, nd);
        return n;
    case XO_NOT:
    case XO_NEG:
    case XO_BNOT:
        nd->a = fold(e, nd->a, nd->op == XO_NOT, k);
        if (is_const(e, e->nodes[n].a))
            make_const(e, n);
        xexpr_bind_node(e, &e->nodes[n]);
        return n;
    case XO_IN:
        nd->a = fold(e, nd->a, 0, k);
        if (is_const(e, e->nodes[n].a))
            make_const(e, n);
        xexpr_bind_node(e, &e->nodes[n]);
        return n;
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
    case XO_GE: {
        int32_t a = fold(e, nd->a, 0, k);
        int32_t b = fold(e, e->nodes[n].b, 0, k);
        nd = &e->nodes[n];
        nd->a = a;
        nd->b = b;
        if (is_const(e, a) && is_const(e, b))
            make_const(e, n);
        xexpr_bind_node(e, &e->nodes[n]);
        return n;
    }
    case XO_AND:
    case XO_OR: {
        int is_and = nd->op == XO_AND;
        int32_t a = fold(e, nd->a, 1, k);
        if (is_const(e, a)) {
            /* The left operand decides alone, or leaves the right one's truth. */
            if ((e->nodes[a].v != 0) != is_and) {
                e->nodes[n].a = a;
                make_const(e, n);
                return n;
            }
            int32_t b = fold(e, e->nodes[n].b, 1, k);
            if (truth)
                return b;
            e->nodes[n].a = a;
            e->nodes[n].b = b;
            if (is_const(e, b))
                make_const(e, n);
            xexpr_bind_node(e, &e->nodes[n]);
            return n;
        }
        int32_t b = fold(e, e->nodes[n].b, 1, k);
        e->nodes[n].a = a;
        e->nodes[n].b = b;
        /* "x && 1" and "x || 0": the right operand adds nothing to the truth of x. */
        if (truth && is_const(e, b) && (e->nodes[b].v != 0) == is_and)
            return a;
        xexpr_bind_node(e, &e->nodes[n]);
        return n;
    }
    case XO_COND: {
        int32_t c = fold(e, nd->a, 1, k);
        if (is_const(e, c))
            return fold(e, e->nodes[c].v ? e->nodes[n].b : e->nodes[n].c, truth, k);
        int32_t a = fold(e, e->nodes[n].b, truth, k);
        int32_t b = fold(e, e->nodes[n].c, truth, k);
        nd = &e->nodes[n];
        nd->a = c;
        nd->b = a;
        nd->c = b;
        xexpr_bind_node(e, nd);
        return n;
    }
    }
    return n;
}

struct xexpr *xexpr_specialize(const struct xexpr *e, const struct xknown *k)
{
    struct xexpr *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->src = strdup(e->src);
    f->nodes = malloc((e->nnodes ? e->nnodes : 1) * sizeof *f->nodes);
    f->args = malloc((e->nargs ? e->nargs : 1) * sizeof *f->args);
    f->consts = malloc((e->nconsts ? e->nconsts : 1) * sizeof *f->consts);
    if (!f->src || !f->nodes || !f->args || !f->consts) {
        xexpr_free(f);
        return NULL;
    }
    memcpy(f->nodes, e->nodes, e->nnodes * sizeof *f->nodes);
    if (e->nargs)
        memcpy(f->args, e->args, e->nargs * sizeof *f->args);
    if (e->nconsts)
        memcpy(f->consts, e->consts, e->nconsts * sizeof *f->consts);
    f->nnodes = e->nnodes;
    f->nargs = e->nargs;
    f->nconsts = e->nconsts;
    f->root = fold(f, e->root, 1, k);
    return f;
}
