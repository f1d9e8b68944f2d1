/*
 * common.c - what every part of xsw-analyze shares: the per-input result
 * (errors and violations, bounded), the --rule filter, input format
 * detection and small formatting helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

void xan_error(struct xan_trace *t, const char *fmt, ...)
{
    char buf[XSW_ERRBUF_SIZE + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "xsw-analyze: %s\n", buf);
    t->total_errors++;
    if (t->nerrors < XAN_MAX_ERRORS) {
        char *c = strdup(buf);
        if (c)
            t->errors[t->nerrors++] = c;
    }
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int xan_add_violation(struct xan_trace *t, const struct xan_viol *v)
{
    t->total_viol++;
    if (v->level == XSW_LEVEL_MUST)
        t->must++;
    else
        t->should++;
    if (t->nviol >= t->max_detail)
        return 0;
    if (t->nviol == t->capviol) {
        size_t nc = t->capviol ? t->capviol * 2 : 32;
        if (nc > t->max_detail)
            nc = t->max_detail;
        struct xan_viol *nv = realloc(t->viol, nc * sizeof *nv);
        if (!nv)
            return XSW_ENOMEM;
        t->viol = nv;
        t->capviol = nc;
    }
    /*
     * Rule strings (id, text, source, where) live as long as the spec or the
     * built-in table; the per-violation strings are copied.
     */
    struct xan_viol *k = &t->viol[t->nviol];
    *k = *v;
    k->expected = dup_or_empty(v->expected);
    k->actual = dup_or_empty(v->actual);
    k->object = dup_or_empty(v->object);
    if (!k->expected || !k->actual || !k->object) {
        free((char *)k->expected);
        free((char *)k->actual);
        free((char *)k->object);
        return XSW_ENOMEM;
    }
    /* The "what" strings of related frames are literals of the checker and of nvsp.c: kept as pointers. */
    t->nviol++;
    return 0;
}

int xan_rule_selected(const struct xan_options *o, const char *id)
{
    if (!o->nrules)
        return 1;
    for (unsigned i = 0; i < o->nrules; i++)
        if (strcmp(o->rules[i], id) == 0)
            return 1;
    return 0;
}

void xan_trace_free(struct xan_trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nerrors; i++)
        free(t->errors[i]);
    for (size_t i = 0; i < t->nviol; i++) {
        free((char *)t->viol[i].expected);
        free((char *)t->viol[i].actual);
        free((char *)t->viol[i].object);
    }
    free(t->viol);
    free(t->rules);
    xan_stats_free(t->stats);
    xan_nvsp_free(t->nvsp);
    free(t);
}

enum xan_format xan_sniff_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return XAN_FMT_UNKNOWN;
    uint8_t buf[16384];
    size_t n = fread(buf, 1, sizeof buf, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        errno = EIO;
        return XAN_FMT_UNKNOWN;
    }
    errno = 0;
    if (n >= 4) {
        uint32_t le = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
        /* pcap (microsecond and nanosecond, both byte orders) and the pcapng section header block. */
        if (le == 0xa1b2c3d4u || le == 0xd4c3b2a1u || le == 0xa1b23c4du || le == 0x4d3cb2a1u)
            return XAN_FMT_PCAP;
        if (le == 0x0a0d0d0au)
            return XAN_FMT_PCAPNG;
    }
    if (xan_nvtext_sniff(buf, n))
        return XAN_FMT_NETVSC_TEXT;
    return XAN_FMT_UNKNOWN;
}

void xan_fmt_ts(char *buf, size_t len, uint64_t ts_ns)
{
    snprintf(buf, len, "%llu.%06llu", (unsigned long long)(ts_ns / 1000000000u),
             (unsigned long long)(ts_ns % 1000000000u / 1000u));
}

/*
 * Length of the valid UTF-8 sequence at "s" ("left" bytes available), or 0:
 * no overlong forms, surrogates or values past U+10FFFF. Trace text fields
 * (filter reasons, META, cut records) may hold anything.
 */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
    if (!need || need >= left)
        return 0;
    for (size_t k = 1; k <= need; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return need + 1;
}

/*
 * Write the "n" bytes at "u" to "f" for a text format: an ASCII byte "c" as
 * esc(c, tmp), or as itself when esc returns NULL; a valid UTF-8 sequence as
 * it is; any other byte as "invalid". JSON and XML differ only in "esc" and
 * "invalid", so what counts as valid UTF-8 is decided once (utf8_len).
 */
static void write_escaped(FILE *f, const unsigned char *u, size_t n, const char *(*esc)(unsigned char c, char tmp[8]),
                          const char *invalid)
{
    char tmp[8];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c < 0x80) {
            const char *e = esc(c, tmp);
            if (e)
                fputs(e, f);
            else
                fputc(c, f);
            continue;
        }
        size_t k = utf8_len(u + i, n - i);
        if (k) {
            fwrite(u + i, 1, k, f);
            i += k - 1;
        } else {
            fputs(invalid, f);
        }
    }
}

/* RFC 8259 section 7: the quote, the backslash and every control character. */
static const char *const json_named[0x80] = {
    ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
};

static const char *json_escape(unsigned char c, char tmp[8])
{
    if (json_named[c])
        return json_named[c];
    if (c < 0x20 || c == 0x7f) {
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
    return NULL;
}

void xan_json_stringn(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    write_escaped(f, (const unsigned char *)s, n, json_escape, "\\ufffd");
    fputc('"', f);
}

void xan_json_string(FILE *f, const char *s)
{
    if (!s)
        s = "";
    xan_json_stringn(f, s, strlen(s));
}

/* The five predefined entities; XML 1.0 has no control characters but tab, LF and CR. */
static const char *const xml_named[0x80] = {
    ['<'] = "&lt;", ['>'] = "&gt;", ['&'] = "&amp;", ['"'] = "&quot;", ['\''] = "&apos;",
};

static const char *xml_escape(unsigned char c, char tmp[8])
{
    (void)tmp;
    if (xml_named[c])
        return xml_named[c];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return "?";
    return NULL;
}

void xan_xml_escape(FILE *f, const char *s)
{
    if (!s)
        s = "";
    write_escaped(f, (const unsigned char *)s, strlen(s), xml_escape, "\xEF\xBF\xBD"); /* U+FFFD */
}
