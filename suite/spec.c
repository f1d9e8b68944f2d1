/*
 * spec.c - loads conformance rules from YAML (docs/spec-format.md).
 *
 * The file is read with libyaml's event API into a small node tree that
 * keeps every node's line and column; the tree is then walked with one table
 * per mapping ({key, handler}), in the manner of netplan's parse.c. Anything
 * the format does not define is an error naming file:line:col with the line
 * quoted and a caret under the column: unknown keys, wrong node types,
 * aliases and anchors (a rule must read the same wherever it is quoted),
 * explicit tags, several documents, and inputs beyond the limits of check.h.
 * Names of OIDs, statuses, handlers, findings and events are resolved against
 * the shared tables (include/xsw/defs/NAME.def) so a typo cannot load.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "check_int.h"

/* ---- Node tree ---------------------------------------------------------------- */

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
    enum ytype type;
    unsigned line, col;
    size_t index;
    int style; /* yaml_scalar_style_t for scalars */
    char *value;
    size_t vlen;
    struct ynode **kids; /* mappings: key, value, key, value... */
    unsigned n, cap;
};

struct lctx {
    const char *file;
    const char *text;
    size_t len;
    char *err;
    size_t errlen;
    int failed;
    struct xsw_spec *spec;  /* rules already loaded (for duplicate ids) */
    struct xrule **fresh;   /* rules of this file, committed only on success */
    size_t nfresh, capfresh;
};

/* Records the first error of the load at "line":"col" of the spec; later ones would only be its echoes. */
static void lerr_va(struct lctx *l, unsigned line, unsigned col, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void lerr_va(struct lctx *l, unsigned line, unsigned col, const char *fmt, va_list ap)
{
    if (l->failed)
        return;
    l->failed = 1;
    char msg[320];
    vsnprintf(msg, sizeof msg, fmt, ap);
    xsrc_error(l->err, l->errlen, l->file, l->text, l->len, line, col, msg);
}

static void lerr(struct lctx *l, const struct ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lerr(struct lctx *l, const struct ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lerr_va(l, n ? n->line : 0, n ? n->col : 0, fmt, ap);
    va_end(ap);
}

static void lerr_at(struct lctx *l, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void lerr_at(struct lctx *l, unsigned line, unsigned col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lerr_va(l, line, col, fmt, ap);
    va_end(ap);
}

static void ynode_free(struct ynode *n)
{
    if (!n)
        return;
    for (unsigned i = 0; i < n->n; i++)
        ynode_free(n->kids[i]);
    free(n->kids);
    free(n->value);
    free(n);
}

static const char *ytype_name(enum ytype t)
{
    switch (t) {
    case Y_SCALAR:
        return "a scalar";
    case Y_SEQ:
        return "a sequence";
    case Y_MAP:
        return "a mapping";
    }
    return "?";
}

static struct ynode *ynode_new(struct lctx *l, enum ytype t, const yaml_mark_t *m)
{
    struct ynode *n = calloc(1, sizeof *n);
    if (!n) {
        lerr_at(l, (unsigned)m->line, (unsigned)m->column, "out of memory");
        return NULL;
    }
    n->type = t;
    n->line = (unsigned)m->line;
    n->col = (unsigned)m->column;
    n->index = m->index;
    return n;
}

static int ynode_add(struct lctx *l, struct ynode *parent, struct ynode *kid)
{
    unsigned limit = parent->type == Y_MAP ? 2 * XSW_SPEC_MAX_ITEMS : XSW_SPEC_MAX_ITEMS;
    if (parent->n >= limit) {
        lerr(l, kid, "too many entries in this %s: at most %u (XSW_SPEC_MAX_ITEMS)",
             parent->type == Y_MAP ? "mapping" : "sequence", XSW_SPEC_MAX_ITEMS);
        return -1;
    }
    if (parent->n == parent->cap) {
        unsigned nc = parent->cap ? parent->cap * 2 : 8;
        struct ynode **k = realloc(parent->kids, nc * sizeof *k);
        if (!k) {
            lerr(l, kid, "out of memory");
            return -1;
        }
        parent->kids = k;
        parent->cap = nc;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

/* Build the tree of the single document of the file. */
static struct ynode *read_tree(struct lctx *l)
{
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps)) {
        lerr_at(l, 0, 0, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&ps, (const unsigned char *)l->text, l->len);
    struct ynode *stack[XSW_SPEC_MAX_NESTING + 1];
    unsigned depth = 0, docs = 0;
    struct ynode *root = NULL;
    int done = 0;
    while (!done && !l->failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev)) {
            const yaml_mark_t *m = &ps.problem_mark;
            lerr_at(l, (unsigned)m->line, (unsigned)m->column, "YAML syntax error: %s%s%s",
                    ps.problem ? ps.problem : "invalid input", ps.context ? " " : "", ps.context ? ps.context : "");
            break;
        }
        const yaml_mark_t *m = &ev.start_mark;
        struct ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                lerr_at(l, (unsigned)m->line, (unsigned)m->column,
                        "a spec file holds one YAML document; found a second one");
            break;
        case YAML_DOCUMENT_END_EVENT:
            break;
        case YAML_ALIAS_EVENT:
            lerr_at(l, (unsigned)m->line, (unsigned)m->column,
                    "aliases ('*%s') are not allowed in spec files: write every rule out in full",
                    ev.data.alias.anchor ? (const char *)ev.data.alias.anchor : "");
            break;
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.anchor) {
                lerr_at(l, (unsigned)m->line, (unsigned)m->column, "anchors ('&%s') are not allowed in spec files",
                        (const char *)ev.data.scalar.anchor);
                break;
            }
            if (ev.data.scalar.tag && !ev.data.scalar.plain_implicit && !ev.data.scalar.quoted_implicit) {
                lerr_at(l, (unsigned)m->line, (unsigned)m->column, "tags ('%s') are not allowed in spec files",
                        (const char *)ev.data.scalar.tag);
                break;
            }
            if (ev.data.scalar.length > XSW_SPEC_MAX_SCALAR) {
                lerr_at(l, (unsigned)m->line, (unsigned)m->column,
                        "scalar of %zu bytes exceeds the limit of %u bytes (XSW_SPEC_MAX_SCALAR)",
                        (size_t)ev.data.scalar.length, XSW_SPEC_MAX_SCALAR);
                break;
            }
            n = ynode_new(l, Y_SCALAR, m);
            if (!n)
                break;
            n->style = ev.data.scalar.style;
            n->vlen = ev.data.scalar.length;
            n->value = malloc(n->vlen + 1);
            if (!n->value) {
                lerr(l, n, "out of memory");
                ynode_free(n);
                n = NULL;
                break;
            }
            memcpy(n->value, ev.data.scalar.value, n->vlen);
            n->value[n->vlen] = 0;
            if (strlen(n->value) != n->vlen) {
                lerr(l, n, "scalar contains a NUL character");
                ynode_free(n);
                n = NULL;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev.type == YAML_SEQUENCE_START_EVENT;
            const yaml_char_t *anchor = seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
            const yaml_char_t *tag = seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag;
            int implicit = seq ? ev.data.sequence_start.implicit : ev.data.mapping_start.implicit;
            if (anchor) {
                lerr_at(l, (unsigned)m->line, (unsigned)m->column, "anchors ('&%s') are not allowed in spec files",
                        (const char *)anchor);
                break;
            }
            if (tag && !implicit) {
                lerr_at(l, (unsigned)m->line, (unsigned)m->column, "tags ('%s') are not allowed in spec files",
                        (const char *)tag);
                break;
            }
            if (depth >= XSW_SPEC_MAX_NESTING) {
                lerr_at(l, (unsigned)m->line, (unsigned)m->column,
                        "collections nested more than %u deep (XSW_SPEC_MAX_NESTING)", XSW_SPEC_MAX_NESTING);
                break;
            }
            n = ynode_new(l, seq ? Y_SEQ : Y_MAP, m);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        }
        if (n) {
            int opened = n->type != Y_SCALAR;
            if (depth == 0) {
                if (root) {
                    lerr(l, n, "unexpected second top-level node");
                    ynode_free(n);
                } else {
                    root = n;
                }
            } else if (ynode_add(l, stack[depth - 1], n)) {
                ynode_free(n);
                opened = 0;
            }
            if (opened && !l->failed)
                stack[depth++] = n;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&ps);
    if (l->failed) {
        ynode_free(root);
        return NULL;
    }
    if (!root)
        lerr_at(l, 0, 0, "the spec file is empty");
    return root;
}

/* ---- Typed access ------------------------------------------------------------ */

static int want(struct lctx *l, const struct ynode *n, enum ytype t, const char *what)
{
    if (n->type == t)
        return 0;
    lerr(l, n, "'%s' must be %s, found %s", what, ytype_name(t), ytype_name(n->type));
    return -1;
}

static char *xstrdup(struct lctx *l, const struct ynode *n, const char *s)
{
    char *d = strdup(s);
    if (!d)
        lerr(l, n, "out of memory");
    return d;
}

/* Scalar text without trailing whitespace (folded block scalars end in "\n"). */
static char *scalar_text(struct lctx *l, const struct ynode *n, const char *what)
{
    if (want(l, n, Y_SCALAR, what))
        return NULL;
    char *s = xstrdup(l, n, n->value);
    if (!s)
        return NULL;
    size_t e = strlen(s);
    while (e && (s[e - 1] == '\n' || s[e - 1] == ' ' || s[e - 1] == '\t'))
        s[--e] = 0;
    if (!e) {
        lerr(l, n, "'%s' must not be empty", what);
        free(s);
        return NULL;
    }
    return s;
}

/* A scalar or a sequence of scalars: call fn for each. */
static int each_scalar(struct lctx *l, const struct ynode *n, const char *what,
                       int (*fn)(struct lctx *, const struct ynode *, void *), void *arg)
{
    if (n->type == Y_SCALAR)
        return fn(l, n, arg);
    if (n->type != Y_SEQ) {
        lerr(l, n, "'%s' must be a scalar or a sequence of scalars, found %s", what, ytype_name(n->type));
        return -1;
    }
    if (n->n == 0) {
        lerr(l, n, "'%s' must not be an empty sequence", what);
        return -1;
    }
    for (unsigned i = 0; i < n->n; i++) {
        if (n->kids[i]->type != Y_SCALAR) {
            lerr(l, n->kids[i], "items of '%s' must be scalars, found %s", what, ytype_name(n->kids[i]->type));
            return -1;
        }
        if (fn(l, n->kids[i], arg))
            return -1;
    }
    return 0;
}

struct keydef {
    const char *key;
    int (*fn)(struct lctx *l, const struct ynode *val, void *obj);
};

/*
 * Walk mapping "n" with table "keys". Unknown and duplicate keys are errors;
 * the message lists the keys the table knows and the nearest one.
 */
static int walk_map(struct lctx *l, const struct ynode *n, const char *what, const struct keydef *keys, void *obj)
{
    if (want(l, n, Y_MAP, what))
        return -1;
    for (unsigned i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (k->type != Y_SCALAR) {
            lerr(l, k, "keys of %s must be scalars", what);
            return -1;
        }
        for (unsigned j = 0; j < i; j += 2)
            if (strcmp(n->kids[j]->value, k->value) == 0) {
                lerr(l, k, "duplicate key '%s' in %s (first at line %u)", k->value, what, n->kids[j]->line + 1);
                return -1;
            }
        const struct keydef *d;
        for (d = keys; d->key; d++)
            if (strcmp(d->key, k->value) == 0)
                break;
        if (!d->key) {
            char list[256];
            size_t o = 0;
            const char *best = NULL;
            unsigned bd = 3;
            for (const struct keydef *e = keys; e->key; e++) {
                int w = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", e->key);
                if (w > 0 && (size_t)w < sizeof list - o)
                    o += (size_t)w;
                unsigned dd = xname_distance(k->value, e->key, 31);
                if (dd < bd) {
                    bd = dd;
                    best = e->key;
                }
            }
            if (best)
                lerr(l, k, "unknown key '%s' in %s (did you mean '%s'? known keys: %s)", k->value, what, best, list);
            else
                lerr(l, k, "unknown key '%s' in %s (known keys: %s)", k->value, what, list);
            return -1;
        }
        if (d->fn(l, v, obj))
            return -1;
    }
    return 0;
}

/* ---- Rules ------------------------------------------------------------------------ */

/* What a rule holds while it is being read; expressions are compiled at the end. */
struct rule_build {
    struct xrule *r;
    const struct ynode *node, *id_node, *on_node, *end_node;
    const struct ynode *when[XSW_SPEC_MAX_ITEMS], *require[XSW_SPEC_MAX_ITEMS];
    unsigned nwhen, nrequire;
    int to_require; /* each_scalar target of add_expr_node: 0 when, 1 require */
    const struct ynode *pat_node[16]; /* on: keys given, for messages */
    int have_level;
};

static void xlist_free(struct xlist *x)
{
    free(x->v);
    x->v = NULL;
    x->n = 0;
}

static void rule_free(struct xrule *r)
{
    if (!r)
        return;
    free((char *)r->info.id);
    free((char *)r->info.text);
    free((char *)r->info.source);
    free((char *)r->info.file);
    free(r->classes_text);
    xlist_free(&r->oids);
    xlist_free(&r->inner_oids);
    xlist_free(&r->statuses);
    xlist_free(&r->handlers);
    xlist_free(&r->findings);
    xlist_free(&r->events);
    xlist_free(&r->codes);
    for (unsigned i = 0; i < r->nwhen; i++)
        xexpr_free(r->when[i]);
    for (unsigned i = 0; i < r->nrequire; i++)
        xexpr_free(r->require[i]);
    free(r->when);
    free(r->require);
    free(r);
}

static int xlist_add(struct lctx *l, const struct ynode *n, struct xlist *x, uint32_t v)
{
    uint32_t *a = realloc(x->v, (x->n + 1) * sizeof *a);
    if (!a) {
        lerr(l, n, "out of memory");
        return -1;
    }
    x->v = a;
    x->v[x->n++] = v;
    return 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || !*s || *end || x > UINT32_MAX || s[0] == '-')
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* XSW-<AREA>-<NNN>: the form reports and fixture file names rely on. */
static int id_ok(const char *s)
{
    size_t n = strlen(s), i = 4;
    int ok = n >= 9 && strncmp(s, "XSW-", 4) == 0;
    while (ok && i < n && s[i] >= 'A' && s[i] <= 'Z')
        i++;
    return ok && i > 4 && i + 4 == n && s[i] == '-' && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
           s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9';
}

static int f_id(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    char *s = scalar_text(l, v, "id");
    if (!s)
        return -1;
    if (!id_ok(s)) {
        lerr(l, v, "rule id '%s' must look like XSW-AREA-123", s);
        free(s);
        return -1;
    }
    b->r->info.id = s;
    b->id_node = v;
    return 0;
}

static int f_level(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_SCALAR, "level"))
        return -1;
    if (strcmp(v->value, "MUST") == 0)
        b->r->info.level = XSW_LEVEL_MUST;
    else if (strcmp(v->value, "SHOULD") == 0)
        b->r->info.level = XSW_LEVEL_SHOULD;
    else {
        lerr(l, v, "level must be MUST or SHOULD, not '%s'", v->value);
        return -1;
    }
    b->have_level = 1;
    return 0;
}

static int f_text(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    char *s = scalar_text(l, v, "text");
    if (!s)
        return -1;
    /* Folded text keeps single newlines inside; a report wants one line. */
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    b->r->info.text = s;
    return 0;
}

static int join_scalar(struct lctx *l, const struct ynode *n, void *arg)
{
    char **acc = arg;
    size_t a = *acc ? strlen(*acc) : 0;
    if (!n->vlen) {
        lerr(l, n, "empty item");
        return -1;
    }
    char *s = realloc(*acc, a + n->vlen + 3);
    if (!s) {
        lerr(l, n, "out of memory");
        return -1;
    }
    if (a)
        memcpy(s + a, "; ", 2), a += 2;
    memcpy(s + a, n->value, n->vlen + 1);
    *acc = s;
    return 0;
}

static int f_source(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    char *acc = NULL;
    if (each_scalar(l, v, "source", join_scalar, &acc)) {
        free(acc);
        return -1;
    }
    b->r->info.source = acc;
    return 0;
}

static int one_class(struct lctx *l, const struct ynode *n, void *arg)
{
    struct xrule *r = arg;
    static const struct {
        const char *name;
        uint32_t bit;
    } cls[] = {{"capture", XC_CAPTURE}, {"filter", XC_FILTER}, {"forward", XC_FORWARD}, {"all", XC_ALL},
               {"switch", XC_SWITCH}};
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++)
        if (strcmp(n->value, cls[i].name) == 0) {
            if (r->class_mask & cls[i].bit) {
                lerr(l, n, "class '%s' listed twice", n->value);
                return -1;
            }
            r->class_mask |= cls[i].bit;
            char *acc = r->classes_text;
            size_t a = acc ? strlen(acc) : 0;
            char *s = realloc(acc, a + strlen(n->value) + 2);
            if (!s) {
                lerr(l, n, "out of memory");
                return -1;
            }
            if (a)
                s[a++] = ',';
            strcpy(s + a, n->value);
            r->classes_text = s;
            return 0;
        }
    lerr(l, n, "unknown extension class '%s' (expected capture, filter, forward, all or switch)", n->value);
    return -1;
}

static int f_classes(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    return each_scalar(l, v, "classes", one_class, b->r);
}

static int f_subject(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_SCALAR, "subject"))
        return -1;
    if (strcmp(v->value, "actor") == 0)
        b->r->subject = XSUBJ_ACTOR;
    else if (strcmp(v->value, "receiver") == 0)
        b->r->subject = XSUBJ_RECEIVER;
    else {
        lerr(l, v, "subject must be 'actor' or 'receiver', not '%s'", v->value);
        return -1;
    }
    return 0;
}

static int f_on(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_MAP, "on"))
        return -1;
    b->on_node = v;
    return 0;
}

static int f_at_end(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_SCALAR, "at_end"))
        return -1;
    static const struct {
        const char *name;
        uint8_t obj;
    } objs[] = {{"oid", XE_OID}, {"nbl", XE_NBL}, {"nic_ref", XE_NICREF}, {"port_ref", XE_PORTREF},
                {"retry", XE_RETRY}};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        if (strcmp(v->value, objs[i].name) == 0) {
            b->r->end_obj = objs[i].obj;
            b->end_node = v;
            return 0;
        }
    lerr(l, v, "at_end must name a tracked object: oid, nbl, nic_ref, port_ref or retry (not '%s')", v->value);
    return -1;
}

static int add_expr_node(struct lctx *l, const struct ynode *n, void *arg)
{
    struct rule_build *b = arg;
    (void)l;
    if (b->to_require)
        b->require[b->nrequire++] = n;
    else
        b->when[b->nwhen++] = n;
    return 0;
}

static int f_when(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    b->to_require = 0;
    return each_scalar(l, v, "when", add_expr_node, b);
}

static int f_require(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    b->to_require = 1;
    return each_scalar(l, v, "require", add_expr_node, b);
}

/* ---- on: patterns ---- */

struct on_build {
    struct rule_build *b;
    struct xlist *list;
    const char *what;
    int (*resolve)(const char *s, uint32_t *v);
    const char *table; /* where the names come from, for messages */
};

static int res_oid(const char *s, uint32_t *v)
{
    return xsw_oid_by_name(s, v);
}

static int res_status(const char *s, uint32_t *v)
{
    return xsw_status_by_name(s, v);
}

static int res_event(const char *s, uint32_t *v)
{
    int64_t x;
    if (xname_fevent(s, v) == 0)
        return 0;
    if (xname_const(s, &x) == 0 && strncmp(s, "NetEvent", 8) == 0) {
        *v = (uint32_t)x;
        return 0;
    }
    return -1;
}

static int on_item(struct lctx *l, const struct ynode *n, void *arg)
{
    struct on_build *ob = arg;
    uint32_t v;
    if (ob->list == &ob->b->r->findings && strcmp(n->value, "unmapped") == 0) {
        ob->b->r->finding_unmapped = 1;
        return 0;
    }
    if (ob->resolve(n->value, &v) != 0 && parse_u32(n->value, &v) != 0) {
        lerr(l, n, "unknown %s name '%s' (not in %s)", ob->what, n->value, ob->table);
        return -1;
    }
    return xlist_add(l, n, ob->list, v);
}

static int on_list(struct lctx *l, const struct ynode *v, struct rule_build *b, struct xlist *list,
                   const char *what, int (*resolve)(const char *, uint32_t *), const char *table)
{
    struct on_build ob = {b, list, what, resolve, table};
    return each_scalar(l, v, what, on_item, &ob);
}

static int on_kind_item(struct lctx *l, const struct ynode *n, void *arg)
{
    struct rule_build *b = arg;
    uint32_t k;
    if (xname_kind(n->value, &k) != 0 || k == XSW_K_META || k == XSW_K_VERDICT || k > 16) {
        lerr(l, n, "unknown or unjudged record kind '%s' (expected OID_REQUEST, OID_COMPLETE, NBL_SEND, "
                   "NBL_SEND_COMPLETE, NBL_INDICATE, NBL_RETURN, STATUS, PNP_EVENT, HANDLER_CALL, FILTER_STATE, "
                   "FINDING, NDIS_CALL, VMBUS or VF_FRAME)", n->value);
        return -1;
    }
    b->r->kind_mask |= CTX_KIND(k);
    return 0;
}

static int p_kind(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    b->pat_node[0] = v;
    return each_scalar(l, v, "kind", on_kind_item, b);
}

static int p_point(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_SCALAR, "point"))
        return -1;
    static const struct {
        const char *name;
        uint8_t rel;
    } rels[] = {{"any", XP_ANY}, {"protocol_edge", XP_PROTOCOL_EDGE}, {"miniport_edge", XP_MINIPORT_EDGE},
                {"inner", XP_INNER}, {"boundary", XP_BOUNDARY}};
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++)
        if (strcmp(v->value, rels[i].name) == 0) {
            b->r->point_rel = rels[i].rel;
            return 0;
        }
    lerr(l, v, "point must be protocol_edge, miniport_edge, inner, boundary or any (not '%s')", v->value);
    return -1;
}

static int p_actor(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_SCALAR, "actor"))
        return -1;
    if (strcmp(v->value, "extension") == 0)
        b->r->actor_rel = XA_EXTENSION;
    else if (strcmp(v->value, "switch") == 0)
        b->r->actor_rel = XA_SWITCH;
    else if (strcmp(v->value, "any") == 0)
        b->r->actor_rel = XA_ANYACTOR;
    else {
        lerr(l, v, "actor must be extension, switch or any (not '%s')", v->value);
        return -1;
    }
    return 0;
}

static int p_originated(struct lctx *l, const struct ynode *v, void *o)
{
    struct rule_build *b = o;
    if (want(l, v, Y_SCALAR, "originated"))
        return -1;
    if (strcmp(v->value, "true") == 0)
        b->r->originated = 1;
    else if (strcmp(v->value, "false") == 0)
        b->r->originated = 0;
    else {
        lerr(l, v, "originated must be true or false (not '%s')", v->value);
        return -1;
    }
    return 0;
}

/*
 * The name-list keys of "on:": "fn" remembers the key's node in pat_node["pat"] (for check_pattern's
 * messages; status, which every kind may carry, uses a slot nothing checks) and resolves each name
 * with "resolve" into the rule's list "field"; "what" and "table" word the error for an unknown name.
 */
#define ON_LIST_KEY(fn, pat, field, what, resolve, table)                                        \
    static int fn(struct lctx *l, const struct ynode *v, void *o)                                \
    {                                                                                            \
        struct rule_build *b = o;                                                                \
        b->pat_node[pat] = v;                                                                    \
        return on_list(l, v, b, &b->r->field, what, resolve, table);                             \
    }
ON_LIST_KEY(p_oid, 1, oids, "OID", res_oid, "include/xsw/defs/oids.def")
ON_LIST_KEY(p_inner_oid, 2, inner_oids, "OID", res_oid, "include/xsw/defs/oids.def")
ON_LIST_KEY(p_handler, 3, handlers, "handler", xname_handler, "include/xsw/defs/switch_handlers.def")
ON_LIST_KEY(p_finding, 4, findings, "finding", xname_finding, "include/xsw/defs/findings.def")
ON_LIST_KEY(p_event, 5, events, "event", res_event,
            "include/xsw/defs/filter_events.def or NetEvent* of ndis_consts.def")
ON_LIST_KEY(p_code, 6, codes, "status", res_status, "include/xsw/defs/ndis_status.def")
ON_LIST_KEY(p_status, 7, statuses, "status", res_status, "include/xsw/defs/ndis_status.def")
#undef ON_LIST_KEY

static const struct keydef on_keys[] = {
    {"kind", p_kind},       {"point", p_point},     {"actor", p_actor},     {"originated", p_originated},
    {"oid", p_oid},         {"inner_oid", p_inner_oid}, {"status", p_status}, {"handler", p_handler},
    {"finding", p_finding}, {"event", p_event},     {"code", p_code},       {NULL, NULL},
};

static const struct keydef rule_keys[] = {
    {"id", f_id},           {"level", f_level}, {"text", f_text},   {"source", f_source}, {"classes", f_classes},
    {"subject", f_subject}, {"on", f_on},       {"at_end", f_at_end}, {"when", f_when},   {"require", f_require},
    {NULL, NULL},
};

/* Position of an expression scalar: exact when its text stands verbatim on one line. */
static void expr_pos(struct lctx *l, const struct ynode *n, struct xsrcpos *pos)
{
    pos->file = l->file;
    pos->text = l->text;
    pos->text_len = l->len;
    pos->line = n->line;
    pos->col = n->col;
    pos->exact = 0;
    if (strchr(n->value, '\n'))
        return;
    size_t i = n->index;
    if (n->style == YAML_PLAIN_SCALAR_STYLE) {
        if (i + n->vlen <= l->len && memcmp(l->text + i, n->value, n->vlen) == 0)
            pos->exact = 1;
    } else if (n->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || n->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        if (i + 1 + n->vlen <= l->len && memcmp(l->text + i + 1, n->value, n->vlen) == 0) {
            pos->exact = 1;
            pos->col++;
        }
    }
}

static int compile_list(struct lctx *l, struct rule_build *b, const struct ynode **nodes, unsigned n,
                        struct xexpr ***out, unsigned *nout, uint32_t ctx)
{
    if (!n)
        return 0;
    *out = calloc(n, sizeof **out);
    if (!*out) {
        lerr(l, b->node, "out of memory");
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        struct xsrcpos pos;
        expr_pos(l, nodes[i], &pos);
        (*out)[i] = xexpr_compile(nodes[i]->value, ctx, &pos, l->err, l->errlen);
        if (!(*out)[i]) {
            l->failed = 1;
            return -1;
        }
        (*nout)++;
    }
    return 0;
}

/*
 * A name list of "on:" constrains the records of the kinds it belongs to
 * (oid: OID records...); other kinds the rule lists pass it untouched, so
 * one rule can look at NBL_SEND records and at certain HANDLER_CALLs. At
 * least one listed kind must be one the key applies to.
 */
static int check_pattern(struct lctx *l, struct rule_build *b, int idx, uint32_t allowed, const char *key,
                         const char *kinds)
{
    const struct ynode *n = b->pat_node[idx];
    if (n && !(b->r->kind_mask & allowed)) {
        lerr(l, n, "'%s' applies only to %s records, and this rule's kind lists none of them", key, kinds);
        return -1;
    }
    return 0;
}

static int parse_rule(struct lctx *l, const struct ynode *n)
{
    struct rule_build *b = calloc(1, sizeof *b);
    if (!b) {
        lerr(l, n, "out of memory");
        return -1;
    }
    b->node = n;
    b->r = calloc(1, sizeof *b->r);
    int rc = -1;
    if (!b->r) {
        lerr(l, n, "out of memory");
        goto out;
    }
    b->r->originated = -1;
    if (walk_map(l, n, "rule", rule_keys, b))
        goto out;
    struct xrule *r = b->r;
    static const char *required[] = {"id", "level", "text", "source", "classes"};
    const void *have[] = {r->info.id, b->have_level ? "" : NULL, r->info.text, r->info.source, r->classes_text};
    for (size_t i = 0; i < 5; i++)
        if (!have[i]) {
            lerr(l, n, "rule %s%s%shas no '%s'", r->info.id ? "'" : "", r->info.id ? r->info.id : "",
                 r->info.id ? "' " : "", required[i]);
            goto out;
        }
    if (!b->on_node == !b->end_node) {
        lerr(l, n, "rule '%s' needs exactly one of 'on' (a record pattern) or 'at_end' (an object kind)", r->info.id);
        goto out;
    }
    uint32_t ctx;
    if (b->on_node) {
        if (walk_map(l, b->on_node, "on", on_keys, b))
            goto out;
        if (!r->kind_mask) {
            lerr(l, b->on_node, "'on' of rule '%s' needs a 'kind'", r->info.id);
            goto out;
        }
        if (check_pattern(l, b, 1, CTX_OIDK, "oid", "OID_REQUEST/OID_COMPLETE") ||
            check_pattern(l, b, 2, CTX_OIDK, "inner_oid", "OID_REQUEST/OID_COMPLETE") ||
            check_pattern(l, b, 3, CTX_HC, "handler", "HANDLER_CALL") ||
            check_pattern(l, b, 4, CTX_FINDING, "finding", "FINDING") ||
            check_pattern(l, b, 5, CTX_PNP | CTX_FS, "event", "PNP_EVENT/FILTER_STATE") ||
            check_pattern(l, b, 6, CTX_STATUSK, "code", "STATUS"))
            goto out;
        if (!b->nrequire) {
            lerr(l, n, "rule '%s' has no 'require': a record rule must say what has to hold", r->info.id);
            goto out;
        }
        ctx = r->kind_mask;
    } else {
        static const uint32_t end_ctx[] = {0, CTX_END_OID, CTX_END_NBL, CTX_END_NICREF, CTX_END_PORTREF,
                                           CTX_END_RETRY};
        ctx = end_ctx[r->end_obj];
        if (r->subject != XSUBJ_ACTOR) {
            lerr(l, n, "'subject' applies to record rules; an at_end rule judges the object's holder");
            goto out;
        }
    }
    if (compile_list(l, b, b->when, b->nwhen, &r->when, &r->nwhen, ctx) ||
        compile_list(l, b, b->require, b->nrequire, &r->require, &r->nrequire, ctx))
        goto out;
    /* Duplicate ids, in this file and in what is already loaded. */
    for (size_t i = 0; i < l->spec->n; i++)
        if (strcmp(l->spec->rules[i]->info.id, r->info.id) == 0) {
            lerr(l, b->id_node, "duplicate rule id '%s' (already defined at %s:%u)", r->info.id,
                 l->spec->rules[i]->info.file, l->spec->rules[i]->info.line);
            goto out;
        }
    for (size_t i = 0; i < l->nfresh; i++)
        if (strcmp(l->fresh[i]->info.id, r->info.id) == 0) {
            lerr(l, b->id_node, "duplicate rule id '%s' (already defined at line %u)", r->info.id,
                 l->fresh[i]->info.line);
            goto out;
        }
    if (l->spec->n + l->nfresh >= XSW_SPEC_MAX_RULES) {
        lerr(l, n, "more than %u rules (XSW_SPEC_MAX_RULES)", XSW_SPEC_MAX_RULES);
        goto out;
    }
    r->info.file = strdup(l->file);
    r->info.line = b->id_node->line + 1;
    r->info.classes = r->classes_text;
    if (!r->info.file) {
        lerr(l, n, "out of memory");
        goto out;
    }
    if (l->nfresh == l->capfresh) {
        size_t nc = l->capfresh ? l->capfresh * 2 : 16;
        struct xrule **f = realloc(l->fresh, nc * sizeof *f);
        if (!f) {
            lerr(l, n, "out of memory");
            goto out;
        }
        l->fresh = f;
        l->capfresh = nc;
    }
    l->fresh[l->nfresh++] = r;
    b->r = NULL;
    rc = 0;
out:
    rule_free(b->r);
    free(b);
    return rc;
}

/* ---- Top level ---------------------------------------------------------------------- */

static int t_version(struct lctx *l, const struct ynode *v, void *o)
{
    (void)o;
    if (want(l, v, Y_SCALAR, "version"))
        return -1;
    if (strcmp(v->value, "1") != 0) {
        lerr(l, v, "unsupported spec format version '%s' (this loader reads version 1)", v->value);
        return -1;
    }
    *(int *)o = 1;
    return 0;
}

static int t_area(struct lctx *l, const struct ynode *v, void *o)
{
    (void)o;
    return want(l, v, Y_SCALAR, "area");
}

static int t_rules(struct lctx *l, const struct ynode *v, void *o)
{
    (void)o;
    if (want(l, v, Y_SEQ, "rules"))
        return -1;
    for (unsigned i = 0; i < v->n; i++)
        if (parse_rule(l, v->kids[i]))
            return -1;
    return 0;
}

static const struct keydef top_keys[] = {
    {"version", t_version},
    {"area", t_area},
    {"rules", t_rules},
    {NULL, NULL},
};

struct xsw_spec *xsw_spec_new(void)
{
    return calloc(1, sizeof(struct xsw_spec));
}

void xsw_spec_free(struct xsw_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        rule_free(s->rules[i]);
    free(s->rules);
    free(s);
}

int xsw_spec_load_buffer(struct xsw_spec *s, const char *name, const char *text, size_t len, char *err,
                         size_t errlen)
{
    struct lctx l;
    memset(&l, 0, sizeof l);
    l.file = name;
    l.text = text;
    l.len = len;
    l.err = err;
    l.errlen = errlen;
    l.spec = s;
    if (err && errlen)
        err[0] = 0;
    if (len > XSW_SPEC_MAX_FILE) {
        snprintf(err, errlen, "%s: file of %zu bytes exceeds the limit of %u bytes (XSW_SPEC_MAX_FILE)", name, len,
                 XSW_SPEC_MAX_FILE);
        return XSW_ELIMIT;
    }
    if (memchr(text, 0, len)) {
        const char *z = memchr(text, 0, len);
        unsigned line = 0, col = 0;
        for (const char *p = text; p < z; p++)
            if (*p == '\n')
                line++, col = 0;
            else
                col++;
        lerr_at(&l, line, col, "NUL byte in a spec file");
        return XSW_EINVAL;
    }
    struct ynode *root = read_tree(&l);
    int version = 0;
    if (root && walk_map(&l, root, "the spec file", top_keys, &version) == 0 && !version)
        lerr(&l, root, "the spec file has no 'version: 1'");
    ynode_free(root);
    if (!l.failed && !l.nfresh)
        lerr_at(&l, 0, 0, "the spec file defines no rules");
    if (!l.failed && s->n + l.nfresh > s->cap) {
        size_t nc = s->cap ? s->cap : 64;
        while (nc < s->n + l.nfresh)
            nc *= 2;
        struct xrule **r = realloc(s->rules, nc * sizeof *r);
        if (!r)
            lerr_at(&l, 0, 0, "out of memory");
        else {
            s->rules = r;
            s->cap = nc;
        }
    }
    if (l.failed) {
        for (size_t i = 0; i < l.nfresh; i++)
            rule_free(l.fresh[i]);
        free(l.fresh);
        return strstr(err ? err : "", "(XSW_SPEC_MAX") ? XSW_ELIMIT : XSW_EINVAL;
    }
    for (size_t i = 0; i < l.nfresh; i++)
        s->rules[s->n++] = l.fresh[i];
    free(l.fresh);
    return 0;
}

int xsw_spec_load_file(struct xsw_spec *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return XSW_EIO;
    }
    /* Read at most one byte beyond the limit, so a huge file is refused cheaply. */
    size_t cap = XSW_SPEC_MAX_FILE + 1;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return XSW_ENOMEM;
    }
    size_t n = fread(buf, 1, cap, f);
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return XSW_EIO;
    }
    if (n > XSW_SPEC_MAX_FILE) {
        free(buf);
        snprintf(err, errlen, "%s: file exceeds the limit of %u bytes (XSW_SPEC_MAX_FILE)", path, XSW_SPEC_MAX_FILE);
        return XSW_ELIMIT;
    }
    int rc = xsw_spec_load_buffer(s, path, buf, n, err, errlen);
    free(buf);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int xsw_spec_load_dir(struct xsw_spec *s, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
        return XSW_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t ln = strlen(e->d_name);
        if (ln < 6 || strcmp(e->d_name + ln - 5, ".yaml") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **x = realloc(names, nc * sizeof *x);
            if (!x) {
                rc = XSW_ENOMEM;
                break;
            }
            names = x;
            cap = nc;
        }
        size_t need = strlen(dir) + ln + 2;
        names[n] = malloc(need);
        if (!names[n]) {
            rc = XSW_ENOMEM;
            break;
        }
        snprintf(names[n], need, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (rc == XSW_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", dir);
    if (!rc && n == 0) {
        snprintf(err, errlen, "%s: no *.yaml spec files", dir);
        rc = XSW_EINVAL;
    }
    if (!rc) {
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 0; i < n && !rc; i++)
            rc = xsw_spec_load_file(s, names[i], err, errlen);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

long xsw_spec_add_builtin(struct xsw_spec *s, const struct xsw_rule_info *info, char *err, size_t errlen)
{
    const char *where = info && info->file ? info->file : "built-in rule";
    if (!s || !info || !info->id || !id_ok(info->id) || !info->text || !info->source || !info->classes) {
        snprintf(err, errlen, "%s: built-in rule '%s' needs an id like XSW-AREA-123, a text, a source and classes",
                 where, info && info->id ? info->id : "");
        return XSW_EINVAL;
    }
    if (info->level != XSW_LEVEL_MUST && info->level != XSW_LEVEL_SHOULD) {
        snprintf(err, errlen, "%s: built-in rule '%s' has level %d, not MUST or SHOULD", where, info->id,
                 (int)info->level);
        return XSW_EINVAL;
    }
    long dup = xsw_spec_find(s, info->id);
    if (dup >= 0) {
        snprintf(err, errlen, "%s: duplicate rule id '%s' (already defined at %s:%u)", where, info->id,
                 s->rules[dup]->info.file, s->rules[dup]->info.line);
        return XSW_EINVAL;
    }
    if (s->n >= XSW_SPEC_MAX_RULES) {
        snprintf(err, errlen, "%s: more than %u rules (XSW_SPEC_MAX_RULES)", where, XSW_SPEC_MAX_RULES);
        return XSW_ELIMIT;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        struct xrule **nr = realloc(s->rules, nc * sizeof *nr);
        if (!nr) {
            snprintf(err, errlen, "%s: out of memory", where);
            return XSW_ENOMEM;
        }
        s->rules = nr;
        s->cap = nc;
    }
    /* No pattern and no condition: the checker indexes no record kind and no end object for it. */
    struct xrule *r = calloc(1, sizeof *r);
    if (!r || !(r->info.id = strdup(info->id)) || !(r->info.text = strdup(info->text)) ||
        !(r->info.source = strdup(info->source)) || !(r->classes_text = strdup(info->classes)) ||
        !(r->info.file = strdup(where))) {
        rule_free(r);
        snprintf(err, errlen, "%s: out of memory", where);
        return XSW_ENOMEM;
    }
    r->originated = -1;
    r->info.level = info->level;
    r->info.classes = r->classes_text;
    r->info.line = 0;
    r->info.builtin = 1;
    s->rules[s->n] = r;
    return (long)s->n++;
}

size_t xsw_spec_rule_count(const struct xsw_spec *s)
{
    return s ? s->n : 0;
}

const struct xsw_rule_info *xsw_spec_rule(const struct xsw_spec *s, size_t i)
{
    return s && i < s->n ? &s->rules[i]->info : NULL;
}

long xsw_spec_find(const struct xsw_spec *s, const char *id)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->rules[i]->info.id, id) == 0)
            return (long)i;
    return -1;
}
