/*
 * nvtext.c - reader of Linux hv_netvsc tracepoint text: the events of
 * drivers/net/hyperv/netvsc_trace.h (TRACE_SYSTEM netvsc) as the ftrace
 * "trace" file, `trace-cmd report` or `perf script` print them
 * (vmbus-nvsp-rndis.md §4):
 *
 *   nvsp_send:     dev=%s type=%s                          (show_nvsp_type)
 *   nvsp_send_pkt: dev=%s qid=%u type=CONTROL|DATA section=%u size=%d
 *   nvsp_recv:     dev=%s qid=%u type=%s
 *   rndis_send / rndis_recv: dev=%s q=%u req=%#x type=%s msg_len=%u  (show_rndis_type)
 *
 * each after the usual "TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: " prefix
 * (FLAGS is optional; perf prints the event as "netvsc:EVENT:"). Unknown
 * symbolic values come out of __print_symbolic as hex ("0x85") and are
 * accepted. Optional extra fields that a kprobe event can add are used when
 * present: allocated=, serial=, datapath=VF|SYNTHETIC|0|1, status=. The
 * driver's console messages (printk:console event, trace-cmd -e printk)
 * "VF slot N added|removed" and "Data path switched to|from VF" refine the
 * VF state the stock events do not carry.
 *
 * The input is hostile text: every token is bounded by the line length, no
 * field is read past the line, numbers are range-checked, and a malformed
 * netvsc event is reported with its column instead of being guessed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

struct tok {
    const char *p;
    size_t n;
};

/* Next whitespace-separated token at or after "*pos"; returns 0 at the end of the line. */
static int next_tok(const char *s, size_t len, size_t *pos, struct tok *t)
{
    size_t i = *pos;
    while (i < len && is_space(s[i]))
        i++;
    if (i >= len)
        return 0;
    size_t b = i;
    while (i < len && !is_space(s[i]))
        i++;
    t->p = s + b;
    t->n = i - b;
    *pos = i;
    return 1;
}

/* "123.456789:" (seconds, up to 9 decimals) -> ns; -1 if the token is not a timestamp. */
static int parse_ts(const struct tok *t, uint64_t *ns)
{
    if (t->n < 2 || t->p[t->n - 1] != ':')
        return -1;
    size_t n = t->n - 1, i = 0;
    uint64_t sec = 0, frac = 0;
    unsigned fd = 0;
    if (!(t->p[0] >= '0' && t->p[0] <= '9'))
        return -1;
    for (; i < n && t->p[i] >= '0' && t->p[i] <= '9'; i++) {
        if (sec > (UINT64_MAX / 10 - 9) / 1000000000u)
            return -1;
        sec = sec * 10 + (uint64_t)(t->p[i] - '0');
    }
    if (i < n) {
        if (t->p[i] != '.')
            return -1;
        for (i++; i < n; i++) {
            if (t->p[i] < '0' || t->p[i] > '9')
                return -1;
            if (fd < 9) {
                frac = frac * 10 + (uint64_t)(t->p[i] - '0');
                fd++;
            }
        }
    }
    while (fd < 9) {
        frac *= 10;
        fd++;
    }
    *ns = sec * 1000000000u + frac;
    return 0;
}

enum evname { EV_NONE, EV_NVSP_SEND, EV_NVSP_SEND_PKT, EV_NVSP_RECV, EV_RNDIS_SEND, EV_RNDIS_RECV, EV_CONSOLE };

static enum evname event_name(const struct tok *t)
{
    if (t->n < 2 || t->p[t->n - 1] != ':')
        return EV_NONE;
    const char *p = t->p;
    size_t n = t->n - 1;
    if (n > 7 && memcmp(p, "netvsc:", 7) == 0)
        p += 7, n -= 7;
    else if (n > 7 && memcmp(p, "printk:", 7) == 0)
        p += 7, n -= 7;
    static const struct {
        const char *s;
        enum evname e;
    } names[] = {
        {"nvsp_send", EV_NVSP_SEND}, {"nvsp_send_pkt", EV_NVSP_SEND_PKT}, {"nvsp_recv", EV_NVSP_RECV},
        {"rndis_send", EV_RNDIS_SEND}, {"rndis_recv", EV_RNDIS_RECV}, {"console", EV_CONSOLE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].s) == n && memcmp(names[i].s, p, n) == 0)
            return names[i].e;
    return EV_NONE;
}

/* Decimal, or hex with 0x; at most 32 bits (or a negative %d that fits 32 bits). */
static int parse_u32(const char *p, size_t n, uint32_t *v)
{
    uint64_t x = 0;
    int neg = 0;
    size_t i = 0;
    if (n && p[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i >= n)
        return -1;
    if (n - i > 2 && p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X')) {
        i += 2;
        for (; i < n; i++) {
            int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
            if (d < 0)
                return -1;
            x = x * 16 + (uint64_t)d;
            if (x > 0xFFFFFFFFull)
                return -1;
        }
    } else {
        for (; i < n; i++) {
            if (p[i] < '0' || p[i] > '9')
                return -1;
            x = x * 10 + (uint64_t)(p[i] - '0');
            if (x > 0xFFFFFFFFull)
                return -1;
        }
    }
    if (neg) {
        if (x > 0x80000000ull)
            return -1;
        x = (uint32_t)(-(int64_t)x);
    }
    *v = (uint32_t)x;
    return 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int bad(size_t *col, size_t at, char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;
    *col = at + 1;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The device name before a console message: the token ending with ':' right before "at" (e.g. "eth0:"). */
static int console_dev(const char *line, size_t at, char *dev, size_t devlen)
{
    size_t e = at;
    while (e > 0 && is_space(line[e - 1]))
        e--;
    if (e == 0 || line[e - 1] != ':')
        return -1;
    size_t b = e - 1;
    while (b > 0 && !is_space(line[b - 1]))
        b--;
    size_t n = e - 1 - b;
    if (n == 0 || n >= devlen)
        return -1;
    memcpy(dev, line + b, n);
    dev[n] = 0;
    return 0;
}

static const char *find(const char *s, size_t len, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= len; i++)
        if (memcmp(s + i, needle, m) == 0)
            return s + i;
    return NULL;
}

static int parse_console(const char *line, size_t len, size_t pos, struct xan_nv_event *ev)
{
    const char *s = line + pos;
    size_t n = len - pos;
    const char *p = find(s, n, "VF slot ");
    if (p) {
        const char *q = p + 8, *end = line + len;
        const char *d = q;
        while (d < end && *d >= '0' && *d <= '9')
            d++;
        uint32_t serial;
        if (d == q || parse_u32(q, (size_t)(d - q), &serial))
            return 0;
        if (end - d >= 6 && memcmp(d, " added", 6) == 0)
            ev->alloc = 1;
        else if (end - d >= 8 && memcmp(d, " removed", 8) == 0)
            ev->alloc = 0;
        else
            return 0;
        if (console_dev(line, (size_t)(p - line), ev->dev, sizeof ev->dev))
            return 0;
        ev->what = XNV_VF_SLOT;
        ev->has_alloc = 1;
        ev->serial = serial;
        ev->dir = XNV_H2G;
        return 1;
    }
    p = find(s, n, "Data path switched ");
    if (p) {
        const char *q = p + 19, *end = line + len;
        if (end - q >= 5 && memcmp(q, "to VF", 5) == 0)
            ev->dp = 1;
        else if (end - q >= 7 && memcmp(q, "from VF", 7) == 0)
            ev->dp = 0;
        else
            return 0;
        if (console_dev(line, (size_t)(p - line), ev->dev, sizeof ev->dev))
            return 0;
        ev->what = XNV_DP_SWITCHED;
        ev->has_dp = 1;
        ev->dir = XNV_G2H;
        return 1;
    }
    return 0;
}

int xan_nvtext_parse(const char *line, size_t len, uint64_t lineno, struct xan_nv_event *ev, size_t *col,
                     char *msg, size_t msglen)
{
    size_t pos = 0;
    struct tok t, prev = {NULL, 0};
    memset(ev, 0, sizeof *ev);
    ev->frame = lineno;
    *col = 0;
    /* Headers and comments ("# tracer: nop", "cpus=2", "CPU 1 is empty"). */
    while (pos < len && is_space(line[pos]))
        pos++;
    if (pos >= len || line[pos] == '#')
        return 0;
    enum evname e = EV_NONE;
    uint64_t ts = 0;
    int have_prev = 0;
    while (next_tok(line, len, &pos, &t)) {
        if (have_prev && (e = event_name(&t)) != EV_NONE && parse_ts(&prev, &ts) == 0)
            break;
        e = EV_NONE;
        prev = t;
        have_prev = 1;
    }
    if (e == EV_NONE)
        return 0;
    ev->ts_ns = ts;
    if (e == EV_CONSOLE)
        return parse_console(line, len, pos, ev);

    int have_dev = 0, have_type = 0;
    size_t type_at = pos;
    struct tok type_tok = {NULL, 0};
    while (next_tok(line, len, &pos, &t)) {
        size_t at = (size_t)(t.p - line);
        const char *eq = memchr(t.p, '=', t.n);
        if (!eq)
            continue; /* trace-cmd pads the event name; anything else without '=' is not a field */
        size_t kn = (size_t)(eq - t.p), vn = t.n - kn - 1;
        const char *v = eq + 1;
#define KEY(s) (kn == sizeof(s) - 1 && memcmp(t.p, s, kn) == 0)
        uint32_t x;
        if (KEY("dev")) {
            if (vn == 0 || vn >= sizeof ev->dev)
                return bad(col, at, msg, msglen, "field dev= has %zu bytes (1 to %zu allowed)", vn,
                           sizeof ev->dev - 1);
            memcpy(ev->dev, v, vn);
            ev->dev[vn] = 0;
            have_dev = 1;
        } else if (KEY("type")) {
            type_tok.p = v;
            type_tok.n = vn;
            type_at = at;
            have_type = 1;
        } else if (KEY("qid") || KEY("q")) {
            if (parse_u32(v, vn, &x) || x > 0xFFFF)
                return bad(col, at, msg, msglen, "field %.*s= is not a queue number: \"%.*s\"", (int)kn, t.p,
                           (int)(vn > 40 ? 40 : vn), v);
            ev->qid = (uint16_t)x;
        } else if (KEY("section")) {
            if (parse_u32(v, vn, &ev->section))
                return bad(col, at, msg, msglen, "field section= is not a number");
        } else if (KEY("size")) {
            if (parse_u32(v, vn, &ev->size))
                return bad(col, at, msg, msglen, "field size= is not a number");
        } else if (KEY("req")) {
            if (parse_u32(v, vn, &ev->req_id))
                return bad(col, at, msg, msglen, "field req= is not a number");
        } else if (KEY("msg_len")) {
            if (parse_u32(v, vn, &ev->msg_len))
                return bad(col, at, msg, msglen, "field msg_len= is not a number");
        } else if (KEY("allocated")) {
            if (parse_u32(v, vn, &ev->alloc))
                return bad(col, at, msg, msglen, "field allocated= is not a number");
            ev->has_alloc = 1;
        } else if (KEY("serial")) {
            if (parse_u32(v, vn, &ev->serial))
                return bad(col, at, msg, msglen, "field serial= is not a number");
        } else if (KEY("status")) {
            if (parse_u32(v, vn, &ev->status))
                return bad(col, at, msg, msglen, "field status= is not a number");
            ev->has_status = 1;
        } else if (KEY("datapath")) {
            if (vn == 2 && memcmp(v, "VF", 2) == 0)
                ev->dp = 1;
            else if (vn == 9 && memcmp(v, "SYNTHETIC", 9) == 0)
                ev->dp = 0;
            else if (parse_u32(v, vn, &ev->dp) || ev->dp > 1)
                return bad(col, at, msg, msglen, "field datapath= is neither VF, SYNTHETIC, 0 nor 1");
            ev->has_dp = 1;
        }
#undef KEY
    }
    if (!have_dev)
        return bad(col, len, msg, msglen, "netvsc event without a dev= field");
    if (!have_type)
        return bad(col, len, msg, msglen, "netvsc event without a type= field");
    switch (e) {
    case EV_NVSP_SEND:
    case EV_NVSP_RECV:
        ev->what = XNV_NVSP;
        ev->dir = e == EV_NVSP_SEND ? XNV_G2H : XNV_H2G;
        if (xan_nvsp_by_name(type_tok.p, type_tok.n, &ev->type) && parse_u32(type_tok.p, type_tok.n, &ev->type))
            return bad(col, type_at, msg, msglen, "type=%.*s is not an NVSP message type", (int)(type_tok.n > 40 ? 40 : type_tok.n),
                       type_tok.p);
        break;
    case EV_NVSP_SEND_PKT:
        ev->what = XNV_SEND_PKT;
        ev->dir = XNV_G2H;
        if (type_tok.n == 7 && memcmp(type_tok.p, "CONTROL", 7) == 0)
            ev->channel_type = 1;
        else if (type_tok.n == 4 && memcmp(type_tok.p, "DATA", 4) == 0)
            ev->channel_type = 0;
        else
            return bad(col, type_at, msg, msglen, "type=%.*s is neither CONTROL nor DATA",
                       (int)(type_tok.n > 40 ? 40 : type_tok.n), type_tok.p);
        break;
    case EV_RNDIS_SEND:
    case EV_RNDIS_RECV:
        ev->what = XNV_RNDIS;
        ev->dir = e == EV_RNDIS_SEND ? XNV_G2H : XNV_H2G;
        if (xan_rndis_by_name(type_tok.p, type_tok.n, &ev->type) && parse_u32(type_tok.p, type_tok.n, &ev->type))
            return bad(col, type_at, msg, msglen, "type=%.*s is not an RNDIS message type",
                       (int)(type_tok.n > 40 ? 40 : type_tok.n), type_tok.p);
        break;
    case EV_CONSOLE:
    case EV_NONE:
        return 0;
    }
    return 1;
}

int xan_nvtext_sniff(const uint8_t *buf, size_t n)
{
    if (n == 0)
        return 0;
    /*
     * Text: few control bytes (NUL included) in what was read; a stray NUL
     * in a damaged ftrace dump is reported line by line, not as binary.
     */
    size_t ctrl = 0;
    for (size_t i = 0; i < n; i++)
        if (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t')
            ctrl++;
    if (ctrl * 50 > n)
        return 0;
    const char *s = (const char *)buf;
    static const char *const marks[] = {"# tracer:", "nvsp_send", "nvsp_recv", "rndis_send", "rndis_recv",
                                        "netvsc:"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (find(s, n, marks[i]))
            return 1;
    return 0;
}
