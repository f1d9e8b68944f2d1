/*
 * inf.c - reads an extension's INF file for its extensible-switch class.
 *
 * A Hyper-V extension's INF declares, in an AddReg section,
 *   HKR, Ndi, FilterClass,, ms_switch_capture | ms_switch_filter | ms_switch_forward
 *   HKR, Ndi\Interfaces, FilterMediaTypes,, "vmnetextension"
 * (learn.microsoft.com: inf-requirements-for-hyper-v-extensions). INF syntax
 * (learn.microsoft.com: general-syntax-rules-for-inf-files): sections in
 * brackets, ';' comments outside quotes, comma-separated fields, '\' at the
 * end of a line continues it, quoted strings with "" for a quote.
 * Errors name file:line:col and quote the line.
 */
#include "inf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INF_MAX_SIZE (4u << 20)
#define INF_MAX_FIELDS 16
#define INF_MAX_FIELD 512 /* bytes of one field, with its NUL */
#define INF_MAX_LINE 4095 /* bytes of one logical line (continuations joined) */

static void inf_err(char *err, size_t errlen, const char *path, unsigned line, unsigned col, const char *text,
                    size_t text_len, const char *msg)
{
    int n = snprintf(err, errlen, "%s:%u:%u: %s", path, line, col, msg);
    if (text && n > 0 && (size_t)n < errlen) {
        size_t show = text_len > 120 ? 120 : text_len;
        snprintf(err + n, errlen - (size_t)n, "\n  %.*s\n  %*s^", (int)show, text, (int)(col > 1 ? col - 1 : 0), "");
    }
}

/* What split_fields() refuses, each naming its limit. */
enum { SPLIT_TOO_MANY = -1, SPLIT_UNTERMINATED = -2, SPLIT_TOO_LONG = -3 };

/* Split one logical line into fields; returns the count or SPLIT_* with *bad_col set. */
static int split_fields(const char *s, size_t len, char fields[][INF_MAX_FIELD], unsigned *bad_col)
{
    int nf = 0;
    size_t i = 0;
    while (i <= len) {
        if (nf == INF_MAX_FIELDS) {
            *bad_col = (unsigned)i + 1;
            return SPLIT_TOO_MANY;
        }
        size_t o = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        int quoted = 0;
        while (i < len && (quoted || s[i] != ',')) {
            if (s[i] == '"') {
                if (quoted && i + 1 < len && s[i + 1] == '"') {
                    if (o + 1 >= INF_MAX_FIELD) {
                        *bad_col = (unsigned)i + 1;
                        return SPLIT_TOO_LONG;
                    }
                    fields[nf][o++] = '"';
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i++;
                continue;
            }
            if (o + 1 >= INF_MAX_FIELD) {
                *bad_col = (unsigned)i + 1;
                return SPLIT_TOO_LONG;
            }
            fields[nf][o++] = s[i++];
        }
        if (quoted) {
            *bad_col = (unsigned)len;
            return SPLIT_UNTERMINATED;
        }
        while (o > 0 && (fields[nf][o - 1] == ' ' || fields[nf][o - 1] == '\t'))
            o--;
        fields[nf][o] = 0;
        nf++;
        if (i >= len)
            break;
        i++; /* the comma */
    }
    return nf;
}

int xsw_inf_read_class(const char *path, char *cls, size_t cls_len, int *media_ok, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open INF file", path);
        return -1;
    }
    char *buf = malloc(INF_MAX_SIZE + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(buf, 1, INF_MAX_SIZE + 1, f);
    fclose(f);
    if (n > INF_MAX_SIZE) {
        free(buf);
        snprintf(err, errlen, "%s: INF file larger than %u bytes (INF_MAX_SIZE)", path, INF_MAX_SIZE);
        return -1;
    }
    buf[n] = 0;
    /* UTF-16LE INFs (with BOM) are common on Windows: accept the ASCII subset. */
    if (n >= 2 && (unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE) {
        size_t o = 0;
        for (size_t i = 2; i + 1 < n; i += 2)
            buf[o++] = buf[i + 1] ? '?' : buf[i];
        n = o;
        buf[n] = 0;
    } else if (n >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF) {
        memmove(buf, buf + 3, n - 2);
        n -= 3;
    }
    int found = 0;
    *media_ok = 0;
    char section[128] = "";
    static char fields[INF_MAX_FIELDS][INF_MAX_FIELD];
    char logical[INF_MAX_LINE + 1];
    unsigned line = 0, start_line = 0;
    size_t llen = 0;
    const char *p = buf, *end = buf + n;
    int rc = 0;
    while (p < end && rc == 0) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *raw = p;
        size_t rawlen = (size_t)(eol - p);
        if (rawlen && raw[rawlen - 1] == '\r')
            rawlen--;
        p = eol + 1;
        /* Strip the comment (a ';' outside quotes). */
        size_t len = 0;
        int q = 0;
        for (; len < rawlen; len++) {
            if (raw[len] == '"')
                q = !q;
            if (raw[len] == ';' && !q)
                break;
            if ((unsigned char)raw[len] < 0x20 && raw[len] != '\t') {
                inf_err(err, errlen, path, line, (unsigned)len + 1, raw, rawlen, "control character in INF line");
                rc = -1;
                break;
            }
        }
        if (rc)
            break;
        while (len && (raw[len - 1] == ' ' || raw[len - 1] == '\t'))
            len--;
        if (!llen)
            start_line = line;
        int cont = len && raw[len - 1] == '\\';
        if (cont)
            len--;
        if (llen + len >= sizeof logical) {
            inf_err(err, errlen, path, line, 1, raw, rawlen,
                    "logical line longer than 4095 bytes (INF_MAX_LINE)");
            rc = -1;
            break;
        }
        memcpy(logical + llen, raw, len);
        llen += len;
        if (cont)
            continue;
        logical[llen] = 0;
        size_t s0 = 0;
        while (s0 < llen && (logical[s0] == ' ' || logical[s0] == '\t'))
            s0++;
        if (s0 == llen) {
            llen = 0;
            continue;
        }
        if (logical[s0] == '[') {
            const char *close = memchr(logical + s0, ']', llen - s0);
            if (!close) {
                inf_err(err, errlen, path, start_line, (unsigned)llen + 1, logical, llen, "section name without ']'");
                rc = -1;
                break;
            }
            size_t sl = (size_t)(close - (logical + s0 + 1));
            if (sl >= sizeof section)
                sl = sizeof section - 1;
            memcpy(section, logical + s0 + 1, sl);
            section[sl] = 0;
            llen = 0;
            continue;
        }
        unsigned bad = 0;
        int nf = split_fields(logical, llen, fields, &bad);
        if (nf < 0) {
            char msg[96];
            if (nf == SPLIT_UNTERMINATED)
                snprintf(msg, sizeof msg, "unterminated quoted string");
            else if (nf == SPLIT_TOO_MANY)
                snprintf(msg, sizeof msg, "more than %d comma-separated fields (INF_MAX_FIELDS)", INF_MAX_FIELDS);
            else
                snprintf(msg, sizeof msg, "field longer than %d bytes (INF_MAX_FIELD)", INF_MAX_FIELD - 1);
            inf_err(err, errlen, path, start_line, bad, logical, llen, msg);
            rc = -1;
            break;
        }
        /* Registry lines: root, subkey, value name, flags, value. */
        if (nf >= 5 && !strcasecmp(fields[0], "HKR") && !strcasecmp(fields[1], "Ndi") &&
            !strcasecmp(fields[2], "FilterClass")) {
            if (found && strcasecmp(cls, fields[4])) {
                inf_err(err, errlen, path, start_line, 1, logical, llen, "a second, different FilterClass");
                rc = -1;
                break;
            }
            snprintf(cls, cls_len, "%s", fields[4]);
            found = 1;
        }
        if (nf >= 5 && !strcasecmp(fields[0], "HKR") && !strcasecmp(fields[1], "Ndi\\Interfaces") &&
            !strcasecmp(fields[2], "FilterMediaTypes")) {
            for (char *t = fields[4]; *t; t++)
                *t = (char)tolower((unsigned char)*t);
            if (strstr(fields[4], "vmnetextension"))
                *media_ok = 1;
        }
        llen = 0;
    }
    free(buf);
    if (rc)
        return rc;
    if (!found) {
        snprintf(err, errlen, "%s: no 'HKR, Ndi, FilterClass,, ms_switch_...' line: not a Hyper-V extension INF", path);
        return -1;
    }
    return 0;
}
