/*
 * rectext.c - a one-line-per-record text form of decoded xsw records, so
 * that checker fixtures (fixtures/checker/RULE.pass and RULE.fail) and hand-written
 * scenarios read like the trace they stand for:
 *
 *   META depth=2 ext.0.class=capture ext.1.class=forward
 *   OID_REQUEST point=0 actor=sw id=1 oid=OID_SWITCH_NIC_CONNECT type=set port=3 data=2224,u32@1040=3
 *   OID_COMPLETE point=0 actor=0 id=1 oid=OID_SWITCH_NIC_CONNECT status=NDIS_STATUS_SUCCESS port=3
 *
 * The keys are the fields of struct xsw_rec (trace.h); docs/spec-format.md
 * "Record text" lists them. Names resolve through the shared tables. The
 * parser produces the decoded struct directly: it never builds the on-disk
 * encoding, which is lib/'s business.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

void xsw_rectext_init(struct xsw_rectext *st)
{
    memset(st, 0, sizeof *st);
}

struct rt {
    struct xsw_rectext *st;
    char *err;
    size_t errlen;
    const char *key;
};

static int rt_err(struct rt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rt_err(struct rt *t, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (t->key)
        snprintf(t->err, t->errlen, "%s: %s", t->key, msg);
    else
        snprintf(t->err, t->errlen, "%s", msg);
    return XSW_EINVAL;
}

/* A number, or a name from the OID, status, handler, finding, event or constant tables. */
static int rt_value(struct rt *t, const char *s, uint64_t *v)
{
    uint32_t u;
    int64_t x;
    if (*s == '-') {
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 0);
        if (!errno && !*end) {
            *v = (uint64_t)n;
            return 0;
        }
    } else if (isdigit((unsigned char)*s)) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(s, &end, 0);
        if (!errno && !*end) {
            *v = n;
            return 0;
        }
        return rt_err(t, "invalid number '%s'", s);
    }
    /* "A+B": flags or-ed together. */
    const char *plus = strchr(s, '+');
    if (plus) {
        char left[128];
        size_t n = (size_t)(plus - s);
        if (n >= sizeof left)
            return rt_err(t, "name too long");
        memcpy(left, s, n);
        left[n] = 0;
        uint64_t a, b;
        if (rt_value(t, left, &a) || rt_value(t, plus + 1, &b))
            return XSW_EINVAL;
        *v = a | b;
        return 0;
    }
    if (xsw_oid_by_name(s, &u) == 0 || xsw_status_by_name(s, &u) == 0 || xname_handler(s, &u) == 0 ||
        xname_finding(s, &u) == 0 || xname_fevent(s, &u) == 0) {
        *v = u;
        return 0;
    }
    if (xname_const(s, &x) == 0) {
        *v = (uint64_t)x;
        return 0;
    }
    return rt_err(t, "unknown name or invalid number '%s'", s);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 32;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int put_bytes(struct rt *t, uint8_t *buf, size_t cap, uint32_t *len, uint64_t off, const uint8_t *src,
                     size_t n)
{
    if (off + n > cap)
        return rt_err(t, "bytes beyond %zu", cap);
    memcpy(buf + off, src, n);
    if (off + n > *len)
        *len = (uint32_t)(off + n);
    return 0;
}

static int parse_hex(struct rt *t, const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t k = 0;
    while (*s) {
        if (*s == ':' || *s == '-' || *s == '_') {
            s++;
            continue;
        }
        int h = hexval(s[0]), l = s[1] ? hexval(s[1]) : -1;
        if (h < 0 || l < 0)
            return rt_err(t, "invalid hex near '%s'", s);
        if (k == cap)
            return rt_err(t, "hex longer than %zu bytes", cap);
        out[k++] = (uint8_t)(h << 4 | l);
        s += 2;
    }
    *n = k;
    return 0;
}

/* Windows GUID text -> memory layout (Data1..3 little-endian). */
static int parse_guid(struct rt *t, const char *s, uint8_t out[16])
{
    uint8_t b[16];
    size_t n;
    if (strlen(s) != 36 || parse_hex(t, s, b, sizeof b, &n) || n != 16)
        return rt_err(t, "invalid GUID '%s'", s);
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (unsigned i = 0; i < 16; i++)
        out[i] = b[order[i]];
    return 0;
}

/*
 * Byte specification: comma-separated items
 *   N             grow to N zero bytes
 *   hex:AABB..    append bytes
 *   u8@O=V u16@O=V u32@O=V u64@O=V hex@O=AABB guid@O=xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
 */
static int parse_bytes(struct rt *t, const char *spec, uint8_t *buf, size_t cap, uint32_t *len)
{
    char tmp[4096];
    if (strlen(spec) >= sizeof tmp)
        return rt_err(t, "byte specification too long");
    strcpy(tmp, spec);
    *len = 0;
    for (char *save = NULL, *it = strtok_r(tmp, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        if (isdigit((unsigned char)it[0])) {
            char *end;
            unsigned long n = strtoul(it, &end, 0);
            if (*end || n > cap)
                return rt_err(t, "invalid length '%s' (at most %zu)", it, cap);
            if (n > *len) {
                memset(buf + *len, 0, n - *len);
                *len = (uint32_t)n;
            }
            continue;
        }
        if (strncmp(it, "hex:", 4) == 0) {
            uint8_t b[2048];
            size_t n;
            if (parse_hex(t, it + 4, b, sizeof b, &n) || put_bytes(t, buf, cap, len, *len, b, n))
                return XSW_EINVAL;
            continue;
        }
        char *at = strchr(it, '@'), *eq = at ? strchr(at, '=') : NULL;
        if (!at || !eq)
            return rt_err(t, "invalid byte item '%s'", it);
        *at = 0;
        *eq = 0;
        char *end;
        unsigned long off = strtoul(at + 1, &end, 0);
        if (*end || off > cap)
            return rt_err(t, "invalid offset in '%s@%s'", it, at + 1);
        /* Zero-fill a gap before the item. */
        if (off > *len) {
            memset(buf + *len, 0, off - *len);
            *len = (uint32_t)off;
        }
        unsigned w = strcmp(it, "u8") == 0 ? 1 : strcmp(it, "u16") == 0 ? 2 : strcmp(it, "u32") == 0 ? 4
                   : strcmp(it, "u64") == 0 ? 8 : 0;
        if (w) {
            uint64_t v;
            if (rt_value(t, eq + 1, &v))
                return XSW_EINVAL;
            uint8_t b[8];
            for (unsigned i = 0; i < w; i++)
                b[i] = (uint8_t)(v >> (8 * i));
            if (put_bytes(t, buf, cap, len, off, b, w))
                return XSW_EINVAL;
        } else if (strcmp(it, "hex") == 0) {
            uint8_t b[2048];
            size_t n;
            if (parse_hex(t, eq + 1, b, sizeof b, &n) || put_bytes(t, buf, cap, len, off, b, n))
                return XSW_EINVAL;
        } else if (strcmp(it, "guid") == 0) {
            uint8_t g[16];
            if (parse_guid(t, eq + 1, g) || put_bytes(t, buf, cap, len, off, g, 16))
                return XSW_EINVAL;
        } else {
            return rt_err(t, "unknown byte item '%s' (u8, u16, u32, u64, hex, guid)", it);
        }
    }
    return 0;
}

/* "5:0,6:0:x" -> destinations (port:nic[:flags], flags x=excluded v=vlan p=priority or a number). */
static int parse_dest(struct rt *t, const char *spec, uint8_t *buf, size_t cap, uint16_t *n)
{
    char tmp[4096];
    if (strlen(spec) >= sizeof tmp)
        return rt_err(t, "destination list too long");
    strcpy(tmp, spec);
    *n = 0;
    if (!tmp[0])
        return 0;
    for (char *save = NULL, *it = strtok_r(tmp, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        char *end;
        unsigned long port = strtoul(it, &end, 0), nic = 0, bits = 0;
        if (end == it || (*end && *end != ':'))
            return rt_err(t, "invalid destination '%s' (port:nic[:flags])", it);
        if (*end == ':') {
            char *e2;
            nic = strtoul(end + 1, &e2, 0);
            if (e2 == end + 1 || (*e2 && *e2 != ':'))
                return rt_err(t, "invalid destination '%s'", it);
            if (*e2 == ':') {
                for (const char *f = e2 + 1; *f; f++) {
                    if (*f == 'x')
                        bits |= 1;
                    else if (*f == 'v')
                        bits |= 2;
                    else if (*f == 'p')
                        bits |= 4;
                    else if (isdigit((unsigned char)*f)) {
                        bits |= strtoul(f, &e2, 0);
                        f = e2 - 1;
                    } else
                        return rt_err(t, "invalid destination flag '%c' (x, v, p or a number)", *f);
                }
            }
        }
        if ((size_t)(*n + 1) * XSW_DEST_LEN > cap)
            return rt_err(t, "too many destinations");
        uint8_t *p = buf + (size_t)*n * XSW_DEST_LEN;
        for (unsigned i = 0; i < 4; i++)
            p[i] = (uint8_t)(port >> (8 * i));
        p[4] = (uint8_t)nic;
        p[5] = (uint8_t)(nic >> 8);
        p[6] = (uint8_t)bits;
        p[7] = (uint8_t)(bits >> 8);
        (*n)++;
    }
    return 0;
}

/* Split "line" into key=value tokens; values may be "double quoted". */
static int next_token(char **pp, char **key, char **val)
{
    char *p = *pp;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return 0;
    *key = p;
    while (*p && *p != '=' && *p != ' ' && *p != '\t')
        p++;
    if (*p != '=') {
        *val = NULL;
        if (*p)
            *p++ = 0;
        *pp = p;
        return 1;
    }
    *p++ = 0;
    if (*p == '"') {
        *val = ++p;
        while (*p && *p != '"')
            p++;
        if (*p)
            *p++ = 0;
    } else {
        *val = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = 0;
    }
    *pp = p;
    return 1;
}

int xsw_rectext_parse(struct xsw_rectext *st, const char *line, struct xsw_rec *out, char *err, size_t errlen)
{
    struct rt t = {st, err, errlen, NULL};
    char buf[8192];
    if (strlen(line) >= sizeof buf)
        return rt_err(&t, "line longer than %zu characters", sizeof buf - 1);
    strcpy(buf, line);
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
        buf[--l] = 0;
    char *p = buf, *key, *val;
    if (!next_token(&p, &key, &val))
        return 0;
    if (val)
        return rt_err(&t, "a record line starts with its kind, not '%s='", key);
    uint32_t kind;
    if (xname_kind(key, &kind) != 0)
        return rt_err(&t, "unknown record kind '%s'", key);
    memset(out, 0, sizeof *out);
    out->version = XSW_TRACE_VERSION;
    out->kind = (uint8_t)kind;
    out->depth = st->depth;
    out->actor = XSW_ACTOR_SWITCH;
    out->seq = ++st->seq;
    out->body = st->body;
    uint32_t data_len = 0, frame_len = 0;
    int have_info_len = 0, have_frame_len = 0, have_port = 0, have_nic = 0, have_chain_len = 0, have_nb = 0;
    uint64_t src_port = 0, src_nic = 0, safe = 0, native = 0, avail = 0, fwd = 0;
    int have_src = 0, have_fwd = 0;
    size_t tlen = 0;
    char *meta = st->text;
    size_t mlen = 0;
    st->text[0] = 0;
    while (next_token(&p, &key, &val)) {
        t.key = key;
        if (!val)
            return rt_err(&t, "expected key=value");
        uint64_t v = 0;
        /* Keys whose value is not a single number. */
        if (strcmp(key, "data") == 0) {
            if (parse_bytes(&t, val, st->body, sizeof st->body, &data_len))
                return XSW_EINVAL;
            continue;
        }
        if (strcmp(key, "frame") == 0) {
            if (parse_bytes(&t, val, st->body, sizeof st->body, &frame_len))
                return XSW_EINVAL;
            continue;
        }
        if (strcmp(key, "dest") == 0) {
            uint16_t n = 0;
            if (parse_dest(&t, val, st->dest, sizeof st->dest, &n))
                return XSW_EINVAL;
            out->u.nbl.dest = st->dest; /* same offset in hc for the setter below */
            if (kind == XSW_K_HANDLER_CALL) {
                out->u.hc.dest = st->dest;
                out->u.hc.num_dest = n;
            } else {
                out->u.nbl.num_dest = n;
                out->u.nbl.num_elem = n;
            }
            continue;
        }
        if (strcmp(key, "text") == 0) {
            tlen = strlen(val);
            if (tlen >= sizeof st->text)
                return rt_err(&t, "text too long");
            memcpy(st->text, val, tlen + 1);
            continue;
        }
        if (kind == XSW_K_META && strcmp(key, "depth") != 0) {
            int w = snprintf(meta + mlen, sizeof st->text - mlen, "%s=%s\n", key, val);
            if (w < 0 || (size_t)w >= sizeof st->text - mlen)
                return rt_err(&t, "META text too long");
            mlen += (size_t)w;
            continue;
        }
        if (strcmp(key, "actor") == 0 && (strcmp(val, "sw") == 0 || strcmp(val, "switch") == 0)) {
            out->actor = XSW_ACTOR_SWITCH;
            continue;
        }
        if (strcmp(key, "type") == 0 && !isdigit((unsigned char)val[0])) {
            static const struct {
                const char *n;
                uint32_t v;
            } ty[] = {{"query", 0}, {"set", 1}, {"stats", 2}, {"method", 12}};
            size_t i;
            for (i = 0; i < 4; i++)
                if (strcmp(val, ty[i].n) == 0)
                    break;
            if (i == 4)
                return rt_err(&t, "type must be query, set, stats, method or a number");
            out->u.oid.type = ty[i].v;
            continue;
        }
        if (strcmp(key, "flags") == 0 && !isdigit((unsigned char)val[0])) {
            for (char *save = NULL, *f = strtok_r(val, "+", &save); f; f = strtok_r(NULL, "+", &save)) {
                if (strcmp(f, "orig") == 0)
                    out->flags |= XSW_RF_ORIGINATED;
                else if (strcmp(f, "trunc") == 0)
                    out->flags |= XSW_RF_TRUNCATED;
                else if (strcmp(f, "chainend") == 0)
                    out->flags |= XSW_RF_CHAIN_END;
                else
                    return rt_err(&t, "unknown flag '%s' (orig, trunc, chainend)", f);
            }
            continue;
        }
        if (rt_value(&t, val, &v))
            return XSW_EINVAL;
#define IS(k) (strcmp(key, k) == 0)
        if (IS("point"))
            out->point = (uint8_t)v;
        else if (IS("depth")) {
            out->depth = (uint8_t)v;
            if (kind == XSW_K_META) {
                st->depth = (uint8_t)v;
                int w = snprintf(meta + mlen, sizeof st->text - mlen, "depth=%s\n", val);
                if (w > 0 && (size_t)w < sizeof st->text - mlen)
                    mlen += (size_t)w;
            }
        } else if (IS("actor"))
            out->actor = (uint8_t)v;
        else if (IS("flags"))
            out->flags = (uint8_t)v;
        else if (IS("port"))
            out->port_id = (uint32_t)v, have_port = 1;
        else if (IS("nic"))
            out->nic_index = (uint16_t)v, have_nic = 1;
        else if (IS("status"))
            out->status = (uint32_t)v;
        else if (IS("id"))
            out->id = v;
        else if (IS("parent"))
            out->parent = v;
        else if (IS("seq"))
            out->seq = st->seq = v;
        else if (kind == XSW_K_OID_REQUEST || kind == XSW_K_OID_COMPLETE) {
            if (IS("oid"))
                out->u.oid.oid = (uint32_t)v;
            else if (IS("type"))
                out->u.oid.type = (uint32_t)v;
            else if (IS("info_len"))
                out->u.oid.info_len = (uint32_t)v, have_info_len = 1;
            else if (IS("out_len"))
                out->u.oid.out_len = (uint32_t)v;
            else if (IS("done"))
                out->u.oid.done = (uint32_t)v;
            else if (IS("needed"))
                out->u.oid.needed = (uint32_t)v;
            else if (IS("inner_oid"))
                out->u.oid.inner_oid = (uint32_t)v;
            else if (IS("inner_type"))
                out->u.oid.inner_type = (uint32_t)v;
            else if (IS("inner_status"))
                out->u.oid.inner_status = (uint32_t)v;
            else
                return rt_err(&t, "unknown key for %s", xsw_kind_name(kind));
        } else if (kind >= XSW_K_NBL_SEND && kind <= XSW_K_NBL_RETURN) {
            if (IS("ndis_flags"))
                out->u.nbl.ndis_flags = (uint32_t)v;
            else if (IS("chain_idx"))
                out->u.nbl.chain_idx = (uint16_t)v;
            else if (IS("chain_len"))
                out->u.nbl.chain_len = (uint16_t)v, have_chain_len = 1;
            else if (IS("fwd"))
                fwd = v, have_fwd = 1;
            else if (IS("src_port"))
                src_port = v, have_src = 1;
            else if (IS("src_nic"))
                src_nic = v, have_src = 1;
            else if (IS("safe"))
                safe = v;
            else if (IS("native"))
                native = v;
            else if (IS("avail"))
                avail = v;
            else if (IS("num_elem"))
                out->u.nbl.num_elem = (uint16_t)v;
            else if (IS("frame_len"))
                out->u.nbl.frame_len = (uint32_t)v, have_frame_len = 1;
            else if (IS("nb_count"))
                out->u.nbl.nb_count = (uint32_t)v, have_nb = 1;
            else
                return rt_err(&t, "unknown key for %s", xsw_kind_name(kind));
        } else if (kind == XSW_K_STATUS) {
            if (IS("code"))
                out->u.status.code = (uint32_t)v;
            else if (IS("inner_code"))
                out->u.status.inner_code = (uint32_t)v;
            else if (IS("buf_len"))
                out->u.status.buf_len = (uint32_t)v;
            else
                return rt_err(&t, "unknown key for STATUS");
        } else if (kind == XSW_K_PNP_EVENT && IS("event")) {
            out->u.pnp.event = (uint32_t)v;
        } else if (kind == XSW_K_FILTER_STATE && IS("event")) {
            out->u.fs.event = (uint32_t)v;
        } else if (kind == XSW_K_HANDLER_CALL) {
            if (IS("handler"))
                out->u.hc.handler = (uint16_t)v;
            else if (IS("irql"))
                out->u.hc.irql = (uint8_t)v;
            else if (IS("hcflags"))
                out->u.hc.flags = (uint32_t)v;
            else if (IS("count"))
                out->u.hc.count = (uint32_t)v;
            else if (IS("refcount"))
                out->u.hc.refcount = (uint32_t)v;
            else if (IS("nbl"))
                out->u.hc.nbl = v;
            else
                return rt_err(&t, "unknown key for HANDLER_CALL");
        } else if (kind == XSW_K_FINDING) {
            if (IS("finding"))
                out->u.finding.code = (uint16_t)v;
            else if (IS("irql"))
                out->u.finding.irql = (uint8_t)v;
            else if (IS("value"))
                out->u.finding.value = v;
            else
                return rt_err(&t, "unknown key for FINDING");
        } else {
            return rt_err(&t, "unknown key for %s", xsw_kind_name(kind));
        }
#undef IS
    }
    /* Defaults that mirror what the harness records. */
    switch (kind) {
    case XSW_K_OID_REQUEST:
    case XSW_K_OID_COMPLETE:
        out->u.oid.data = st->body;
        out->u.oid.data_len = data_len;
        if (!have_info_len)
            out->u.oid.info_len = data_len;
        break;
    case XSW_K_NBL_SEND:
    case XSW_K_NBL_SEND_COMPLETE:
    case XSW_K_NBL_INDICATE:
    case XSW_K_NBL_RETURN:
        if (!have_fwd)
            fwd = (avail & 0xFFFF) | (src_port & 0xFFFF) << 16 | (src_nic & 0xFF) << 32 |
                  (native ? (uint64_t)XCV(NDIS_SWITCH_FWD_NATIVE_FORWARDING_REQUIRED) : 0) |
                  (safe ? (uint64_t)XCV(NDIS_SWITCH_FWD_IS_PACKET_DATA_SAFE) : 0);
        out->u.nbl.fwd = fwd;
        if (have_src && !have_port)
            out->port_id = (uint32_t)src_port;
        if (have_src && !have_nic)
            out->nic_index = (uint16_t)src_nic;
        if (!have_src && !have_fwd) {
            /* Header port/NIC are the forwarding detail's source: keep them consistent. */
            out->u.nbl.fwd |= (uint64_t)(out->port_id & 0xFFFF) << 16 | (uint64_t)(out->nic_index & 0xFF) << 32;
        }
        out->u.nbl.frame = st->body;
        out->u.nbl.cap_len = frame_len;
        out->u.nbl.frame_len = have_frame_len ? out->u.nbl.frame_len : frame_len;
        if (!have_chain_len)
            out->u.nbl.chain_len = 1;
        if (!have_nb)
            out->u.nbl.nb_count = 1;
        if (!out->u.nbl.dest)
            out->u.nbl.dest = st->dest;
        if (out->u.nbl.chain_idx + 1 >= out->u.nbl.chain_len)
            out->flags |= XSW_RF_CHAIN_END;
        break;
    case XSW_K_STATUS:
        out->u.status.data = st->body;
        out->u.status.data_len = data_len;
        if (!out->status)
            out->status = out->u.status.code;
        break;
    case XSW_K_PNP_EVENT:
        out->u.pnp.data = st->body;
        out->u.pnp.data_len = data_len;
        break;
    case XSW_K_HANDLER_CALL:
        out->u.hc.text = st->text;
        out->u.hc.text_len = (uint16_t)tlen;
        if (!out->u.hc.dest)
            out->u.hc.dest = st->dest;
        if (!out->id)
            out->id = out->u.hc.nbl;
        if (!out->u.hc.nbl)
            out->u.hc.nbl = out->id;
        break;
    case XSW_K_FILTER_STATE:
        out->u.fs.text = st->text;
        out->u.fs.text_len = (uint32_t)tlen;
        break;
    case XSW_K_FINDING:
        out->u.finding.text = st->text;
        out->u.finding.text_len = (uint32_t)tlen;
        break;
    case XSW_K_META:
        out->u.meta.text = meta;
        out->u.meta.text_len = (uint32_t)mlen;
        out->point = XSW_POINT_HARNESS;
        break;
    default:
        break;
    }
    if (kind == XSW_K_HANDLER_CALL)
        out->point = XSW_POINT_NDIS;
    if (kind == XSW_K_FILTER_STATE || kind == XSW_K_FINDING)
        out->point = XSW_POINT_HARNESS;
    return 1;
}

static int feed_file(struct xsw_rectext *st, const char *path, const char *include_dir,
                     const struct xsw_rectext_file_cb *cb, int depth, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return XSW_EINVAL;
    }
    char line[8192], perr[256];
    unsigned ln = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        ln++;
        if (strncmp(line, "include ", 8) == 0 || strncmp(line, "expect ", 7) == 0 ||
            strncmp(line, "config ", 7) == 0) {
            line[strcspn(line, "\r\n")] = 0;
            if (line[0] == 'i') {
                char inc[4608];
                if (depth >= 4 || strlen(line + 8) > 255 || strlen(include_dir) > 4096) {
                    snprintf(err, errlen, "%s:%u: %s", path, ln,
                             depth >= 4 ? "includes nested more than 4 deep"
                                        : "include name longer than 255 bytes (or its folder than 4096)");
                    rc = XSW_EINVAL;
                } else {
                    snprintf(inc, sizeof inc, "%.4096s/%.255s", include_dir, line + 8);
                    rc = feed_file(st, inc, include_dir, cb, depth + 1, err, errlen);
                }
            } else if (cb->on_directive) {
                cb->on_directive(cb->arg, line);
            }
            continue;
        }
        struct xsw_rec rec;
        int k = xsw_rectext_parse(st, line, &rec, perr, sizeof perr);
        if (k < 0) {
            snprintf(err, errlen, "%s:%u: %s", path, ln, perr);
            rc = XSW_EINVAL;
        } else if (k == 1) {
            rc = cb->on_record(cb->arg, &rec);
            if (rc > 0)
                rc = 0;
        }
    }
    fclose(f);
    return rc;
}

int xsw_rectext_feed_file(struct xsw_rectext *st, const char *path, const char *include_dir,
                          const struct xsw_rectext_file_cb *cb, char *err, size_t errlen)
{
    return feed_file(st, path, include_dir, cb, 0, err, errlen);
}
