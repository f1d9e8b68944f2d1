/*
 * rtlstring.c - counted strings, UTF-16 helpers and the DbgPrint formatter of
 * the user-mode NDIS runtime.
 *
 * Normative: learn.microsoft.com RtlInitUnicodeString, RtlCopyUnicodeString,
 * RtlAppendUnicodeStringToString, RtlEqualUnicodeString,
 * RtlUnicodeStringToAnsiString, DbgPrint/DbgPrintEx, "format specification
 * syntax: printf and wprintf functions" (Microsoft CRT: %S, %ws, %wZ, %Z,
 * %I64, 32-bit %l) and the ntstrsafe.h printf family.
 *
 * Extensions are compiled with -fshort-wchar and the runtime without it, so
 * UTF-16 text is handled as uint16_t arrays here and never through glibc's
 * wchar_t functions (glibc's wchar_t is 32-bit). ANSI strings use a
 * single-byte code page: ASCII passes through, every other character becomes
 * '?' (one byte per UTF-16 code unit, which keeps RtlUnicodeStringToAnsiSize
 * exact).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ntstrsafe.h>

#include "rt_priv.h"

#define XSW_TAG_RTL 0x536c7452u /* 'RtlS' in memory order */

/* ---- UTF-16 / UTF-8 ------------------------------------------------------ */

size_t xsw_rt_utf16_len(const uint16_t *s)
{
    size_t n = 0;
    if (s)
        while (s[n])
            n++;
    return n;
}

/* The UTF-8 encoding of "cp" into b[4]; returns its length. */
static size_t enc_utf8(uint32_t cp, unsigned char b[4])
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A character never straddles the end of the output: writing stops before it. */
size_t xsw_rt_utf16_to_utf8(char *dst, size_t size, const uint16_t *src, size_t n)
{
    size_t pos = 0, written = 0;
    int full = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = src[i];
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < n && src[i + 1] >= 0xDC00 && src[i + 1] < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (uint32_t)(src[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
        }
        unsigned char b[4];
        size_t k = enc_utf8(cp, b);
        if (!full && pos + k < size) {
            memcpy(dst + pos, b, k);
            written = pos + k;
        } else {
            full = 1;
        }
        pos += k;
    }
    if (size)
        dst[written] = 0;
    return pos;
}

/* Decode one UTF-8 sequence at s; invalid input yields U+FFFD and 1 byte. */
static uint32_t get_utf8(const unsigned char *s, size_t *len)
{
    unsigned char c = s[0];
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        n = 2;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        n = 3;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        n = 4;
    } else {
        *len = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    *len = n;
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        return 0xFFFD;
    return cp;
}

size_t xsw_rt_utf8_to_utf16(uint16_t *dst, size_t n, const char *src)
{
    size_t pos = 0, written = 0;
    int full = 0;
    const unsigned char *s = (const unsigned char *)src;
    while (s && *s) {
        size_t len;
        uint32_t cp = get_utf8(s, &len);
        s += len;
        uint16_t u[2];
        size_t k = 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u[0] = (uint16_t)(0xD800 + (cp >> 10));
            u[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
            k = 2;
        } else {
            u[0] = (uint16_t)cp;
        }
        if (!full && pos + k < n) {
            memcpy(dst + pos, u, k * sizeof u[0]);
            written = pos + k;
        } else {
            full = 1;
        }
        pos += k;
    }
    if (n)
        dst[written] = 0;
    return pos;
}

/* ---- Counted strings ----------------------------------------------------- */

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (!DestinationString)
        return;
    size_t bytes = SourceString ? xsw_rt_utf16_len(SourceString) * sizeof(WCHAR) : 0;
    if (bytes > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR))
        bytes = UNICODE_STRING_MAX_BYTES - sizeof(WCHAR);
    DestinationString->Buffer = (PWCH)SourceString;
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = SourceString ? (USHORT)(bytes + sizeof(WCHAR)) : 0;
}

#define STATUS_NAME_TOO_LONG ((NTSTATUS)0xC0000106L)

NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (SourceString && xsw_rt_utf16_len(SourceString) * sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR))
        return STATUS_NAME_TOO_LONG;
    RtlInitUnicodeString(DestinationString, SourceString);
    return STATUS_SUCCESS;
}

VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSTR SourceString)
{
    if (!DestinationString)
        return;
    size_t n = SourceString ? strlen(SourceString) : 0;
    if (n > 0xFFFE)
        n = 0xFFFE;
    DestinationString->Buffer = (PCHAR)SourceString;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = SourceString ? (USHORT)(n + 1) : 0;
}

VOID RtlInitString(PSTRING DestinationString, PCSTR SourceString)
{
    RtlInitAnsiString(DestinationString, SourceString);
}

/* Upper case for Basic Latin and Latin-1 (what NDIS names and GUIDs contain). */
WCHAR RtlUpcaseUnicodeChar(WCHAR c)
{
    if (c >= 'a' && c <= 'z')
        return (WCHAR)(c - 0x20);
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return (WCHAR)(c - 0x20);
    if (c == 0xFF)
        return 0x178;
    return c;
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    size_t n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
    size_t n = n1 < n2 ? n1 : n2;
    for (size_t i = 0; i < n; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar(a);
            b = RtlUpcaseUnicodeChar(b);
        }
        if (a != b)
            return (LONG)a - (LONG)b;
    }
    return (LONG)n1 - (LONG)n2;
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    return RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

BOOLEAN RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length != String2->Length)
        return FALSE;
    for (USHORT i = 0; i < String1->Length; i++) {
        unsigned char a = (unsigned char)String1->Buffer[i], b = (unsigned char)String2->Buffer[i];
        if (CaseInSensitive) {
            a = (unsigned char)((a >= 'a' && a <= 'z') ? a - 0x20 : a);
            b = (unsigned char)((b >= 'a' && b <= 'z') ? b - 0x20 : b);
        }
        if (a != b)
            return FALSE;
    }
    return TRUE;
}

VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!SourceString || !SourceString->Buffer) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length;
    if (n > DestinationString->MaximumLength)
        n = (USHORT)(DestinationString->MaximumLength & ~1u);
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if ((size_t)n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    if (!Source || Source->Length == 0)
        return STATUS_SUCCESS;
    size_t total = (size_t)Destination->Length + Source->Length;
    if (total > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove((char *)Destination->Buffer + Destination->Length, Source->Buffer, Source->Length);
    Destination->Length = (USHORT)total;
    if (total + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[total / sizeof(WCHAR)] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, Source);
    return RtlAppendUnicodeStringToString(Destination, &s);
}

ULONG RtlxUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString)
{
    return UnicodeString->Length / sizeof(WCHAR) + 1;
}

ULONG RtlUnicodeStringToAnsiSize(PCUNICODE_STRING UnicodeString)
{
    return RtlxUnicodeStringToAnsiSize(UnicodeString);
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    size_t n = SourceString->Length / sizeof(WCHAR);
    if (n > 0xFFFE)
        return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        DestinationString->Buffer = xsw_rt_pool_alloc(n + 1, XSW_TAG_RTL, 1, "RtlUnicodeStringToAnsiString");
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)(n + 1);
    }
    NTSTATUS st = STATUS_SUCCESS;
    if (n >= DestinationString->MaximumLength) {
        st = STATUS_BUFFER_OVERFLOW;
        n = DestinationString->MaximumLength ? DestinationString->MaximumLength - 1u : 0;
    }
    for (size_t i = 0; i < n; i++) {
        WCHAR c = SourceString->Buffer[i];
        DestinationString->Buffer[i] = c < 0x80 ? (CHAR)c : '?';
    }
    if (DestinationString->MaximumLength)
        DestinationString->Buffer[n] = 0;
    DestinationString->Length = (USHORT)n;
    return st;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    size_t n = SourceString->Length;
    if ((n + 1) * sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES)
        return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        DestinationString->Buffer =
            xsw_rt_pool_alloc((n + 1) * sizeof(WCHAR), XSW_TAG_RTL, 1, "RtlAnsiStringToUnicodeString");
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    }
    NTSTATUS st = STATUS_SUCCESS;
    if (n * sizeof(WCHAR) > DestinationString->MaximumLength) {
        st = STATUS_BUFFER_OVERFLOW;
        n = DestinationString->MaximumLength / sizeof(WCHAR);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)SourceString->Buffer[i];
        DestinationString->Buffer[i] = c < 0x80 ? c : 0xFFFD;
    }
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    if (DestinationString->Length + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n] = 0;
    return st;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString && UnicodeString->Buffer) {
        xsw_rt_pool_free(UnicodeString->Buffer, XSW_TAG_RTL, 1, "RtlFreeUnicodeString");
        UnicodeString->Buffer = NULL;
        UnicodeString->Length = UnicodeString->MaximumLength = 0;
    }
}

VOID RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString && AnsiString->Buffer) {
        xsw_rt_pool_free(AnsiString->Buffer, XSW_TAG_RTL, 1, "RtlFreeAnsiString");
        AnsiString->Buffer = NULL;
        AnsiString->Length = AnsiString->MaximumLength = 0;
    }
}

NTSTATUS RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString)
{
    char text[40];
    snprintf(text, sizeof text, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)Guid->Data1,
             Guid->Data2, Guid->Data3, Guid->Data4[0], Guid->Data4[1], Guid->Data4[2], Guid->Data4[3], Guid->Data4[4],
             Guid->Data4[5], Guid->Data4[6], Guid->Data4[7]);
    size_t n = strlen(text);
    GuidString->Buffer = xsw_rt_pool_alloc((n + 1) * sizeof(WCHAR), XSW_TAG_RTL, 1, "RtlStringFromGUID");
    if (!GuidString->Buffer)
        return STATUS_NO_MEMORY;
    for (size_t i = 0; i <= n; i++)
        GuidString->Buffer[i] = (WCHAR)text[i];
    GuidString->Length = (USHORT)(n * sizeof(WCHAR));
    GuidString->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ---- The formatter ------------------------------------------------------- */

struct out {
    char *buf;
    size_t size;
    size_t len; /* bytes the full output needs */
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->size && o->len + 1 < o->size)
            o->buf[o->len] = s[i];
}

static void out_pad(struct out *o, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out_bytes(o, &c, 1);
}

/* Emit UTF-8 text "s" of "n" bytes with printf width/precision/left rules. */
static void out_field(struct out *o, const char *s, size_t n, int width, int left)
{
    size_t w = width > 0 ? (size_t)width : 0;
    if (!left && w > n)
        out_pad(o, ' ', w - n);
    out_bytes(o, s, n);
    if (left && w > n)
        out_pad(o, ' ', w - n);
}

/* A UTF-16 string of "n" units (precision counts code units), as UTF-8. */
static void out_utf16(struct out *o, const uint16_t *s, size_t n, int prec, int width, int left)
{
    char small[256];
    if (!s) {
        out_field(o, "(null)", 6, width, left);
        return;
    }
    if (prec >= 0 && (size_t)prec < n)
        n = (size_t)prec;
    size_t need = xsw_rt_utf16_to_utf8(NULL, 0, s, n);
    char *tmp = need < sizeof small ? small : malloc(need + 1);
    if (!tmp)
        return;
    xsw_rt_utf16_to_utf8(tmp, need + 1, s, n);
    out_field(o, tmp, need, width, left);
    if (tmp != small)
        free(tmp);
}

static void out_narrow(struct out *o, const char *s, size_t n, int width, int left)
{
    if (!s) {
        out_field(o, "(null)", 6, width, left);
        return;
    }
    out_field(o, s, n, width, left);
}

enum size_mod { SZ_INT, SZ_CHAR, SZ_SHORT, SZ_LONG32, SZ_64, SZ_PTRDIFF };

/*
 * The core: "wide_mode" selects wprintf semantics (%s/%c are UTF-16, %S/%C
 * narrow), as the W variants of the strsafe printf functions need.
 */
static void format_core(struct out *o, const char *fmt, va_list *ap, int wide_mode)
{
    while (*fmt) {
        if (*fmt != '%') {
            const char *p = strchr(fmt, '%');
            size_t n = p ? (size_t)(p - fmt) : strlen(fmt);
            out_bytes(o, fmt, n);
            fmt += n;
            continue;
        }
        const char *spec_start = fmt++;
        char flags[8];
        size_t nflags = 0;
        while (*fmt && strchr("-+ #0", *fmt)) {
            if (nflags < sizeof flags - 1)
                flags[nflags++] = *fmt;
            fmt++;
        }
        flags[nflags] = 0;
        int left = strchr(flags, '-') != NULL;
        int width = -1, prec = -1;
        if (*fmt == '*') {
            width = va_arg(*ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = (width < 0 ? 0 : width * 10) + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(*ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        /* Length modifiers, Microsoft flavour. */
        enum size_mod sz = SZ_INT;
        int wide = -1; /* -1 = default, 0 = h (narrow), 1 = l/w (wide) */
        if (fmt[0] == 'h' && fmt[1] == 'h') {
            sz = SZ_CHAR;
            fmt += 2;
        } else if (fmt[0] == 'h') {
            sz = SZ_SHORT;
            wide = 0;
            fmt++;
        } else if (fmt[0] == 'l' && fmt[1] == 'l') {
            sz = SZ_64;
            fmt += 2;
        } else if (fmt[0] == 'l' || fmt[0] == 'w') {
            sz = SZ_LONG32;
            wide = 1;
            fmt++;
        } else if (fmt[0] == 'I' && fmt[1] == '6' && fmt[2] == '4') {
            sz = SZ_64;
            fmt += 3;
        } else if (fmt[0] == 'I' && fmt[1] == '3' && fmt[2] == '2') {
            sz = SZ_LONG32;
            fmt += 3;
        } else if (fmt[0] == 'I' || fmt[0] == 'z' || fmt[0] == 't' || fmt[0] == 'j') {
            sz = SZ_PTRDIFF;
            fmt++;
        } else if (fmt[0] == 'L') {
            fmt++;
        }
        char conv = *fmt ? *fmt++ : 0;
        char spec[32];
        char num[128];
        switch (conv) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            int is_signed = conv == 'd' || conv == 'i';
            /* Rebuild a glibc spec with an explicit 64-bit length and the value widened. */
            snprintf(spec, sizeof spec, "%%%s*.*ll%c", flags, conv == 'i' ? 'd' : conv);
            long long sv = 0;
            unsigned long long uv = 0;
            switch (sz) {
            case SZ_CHAR:
                sv = (signed char)va_arg(*ap, int);
                uv = (unsigned char)sv;
                break;
            case SZ_SHORT:
                sv = (short)va_arg(*ap, int);
                uv = (unsigned short)sv;
                break;
            case SZ_INT:
            case SZ_LONG32:
                sv = (int32_t)va_arg(*ap, int32_t);
                uv = (uint32_t)sv;
                break;
            case SZ_64:
            case SZ_PTRDIFF:
                sv = va_arg(*ap, long long);
                uv = (unsigned long long)sv;
                break;
            }
            int n;
            if (is_signed)
                n = snprintf(num, sizeof num, spec, width < 0 ? 0 : width, prec, sv);
            else
                n = snprintf(num, sizeof num, spec, width < 0 ? 0 : width, prec, uv);
            if (n > 0)
                out_bytes(o, num, (size_t)n < sizeof num ? (size_t)n : sizeof num - 1);
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            snprintf(spec, sizeof spec, "%%%s*.*%c", flags, conv);
            double d = va_arg(*ap, double);
            int n = snprintf(num, sizeof num, spec, width < 0 ? 0 : width, prec, d);
            if (n > 0)
                out_bytes(o, num, (size_t)n < sizeof num ? (size_t)n : sizeof num - 1);
            break;
        }
        case 'p': {
            /* Microsoft prints pointers as 16 upper-case hex digits, no prefix. */
            void *p = va_arg(*ap, void *);
            int n = snprintf(num, sizeof num, "%016llX", (unsigned long long)(uintptr_t)p);
            out_field(o, num, (size_t)n, width, left);
            break;
        }
        case 'c':
        case 'C': {
            int as_wide = conv == 'C' ? !wide_mode : wide_mode;
            if (wide == 0)
                as_wide = 0;
            else if (wide == 1)
                as_wide = 1;
            int c = va_arg(*ap, int);
            if (as_wide) {
                uint16_t u = (uint16_t)c;
                out_utf16(o, &u, 1, -1, width, left);
            } else {
                char ch = (char)c;
                out_field(o, &ch, 1, width, left);
            }
            break;
        }
        case 's':
        case 'S': {
            int as_wide = conv == 'S' ? !wide_mode : wide_mode;
            if (wide == 0)
                as_wide = 0;
            else if (wide == 1)
                as_wide = 1;
            if (as_wide) {
                const uint16_t *s = va_arg(*ap, const uint16_t *);
                size_t n = 0;
                if (s)
                    while ((prec < 0 || n < (size_t)prec) && s[n])
                        n++;
                out_utf16(o, s, n, prec, width, left);
            } else {
                const char *s = va_arg(*ap, const char *);
                size_t n = 0;
                if (s)
                    while ((prec < 0 || n < (size_t)prec) && s[n])
                        n++;
                out_narrow(o, s, n, width, left);
            }
            break;
        }
        case 'Z': {
            /* %wZ: PUNICODE_STRING; %Z (and %hZ): PANSI_STRING. */
            if (wide == 1) {
                const UNICODE_STRING *us = va_arg(*ap, const UNICODE_STRING *);
                if (!us || !us->Buffer)
                    out_field(o, "(null)", 6, width, left);
                else
                    out_utf16(o, us->Buffer, us->Length / sizeof(WCHAR), prec, width, left);
            } else {
                const STRING *as = va_arg(*ap, const STRING *);
                if (!as || !as->Buffer) {
                    out_field(o, "(null)", 6, width, left);
                } else {
                    size_t n = as->Length;
                    if (prec >= 0 && (size_t)prec < n)
                        n = (size_t)prec;
                    out_narrow(o, as->Buffer, n, width, left);
                }
            }
            break;
        }
        case '%':
            out_bytes(o, "%", 1);
            break;
        case 'n':
            /* Not supported (and disabled by default in the Microsoft CRT): consume the pointer. */
            (void)va_arg(*ap, void *);
            break;
        default:
            /* Unknown conversion: print it literally. */
            out_bytes(o, spec_start, (size_t)(fmt - spec_start));
            break;
        }
    }
}

int xsw_rt_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    va_list cp;
    va_copy(cp, ap);
    format_core(&o, fmt ? fmt : "", &cp, 0);
    va_end(cp);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int xsw_rt_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = xsw_rt_vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* ---- DbgPrint ------------------------------------------------------------ */

/* DbgPrint transmits at most 512 bytes per call on Windows. */
#define DBGPRINT_MAX 512

static ULONG dbg_emit(const char *fmt, va_list ap)
{
    char text[DBGPRINT_MAX];
    int n = xsw_rt_vformat(text, sizeof text, fmt, ap);
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
    xsw_rt_dbgprint_hook(text, len);
    if (getenv("XSW_DBGPRINT")) {
        fwrite(text, 1, len, stderr);
        fflush(stderr);
    }
    return STATUS_SUCCESS;
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG r = dbg_emit(Format, ap);
    va_end(ap);
    return r;
}

ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist)
{
    (void)ComponentId;
    (void)Level;
    return dbg_emit(Format, arglist);
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG r = vDbgPrintEx(ComponentId, Level, Format, ap);
    va_end(ap);
    return r;
}

/* ---- ntstrsafe printf family --------------------------------------------- */

NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    if (!pszDest || cbDest == 0 || cbDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    int n = xsw_rt_vformat(pszDest, cbDest, pszFormat, argList);
    return (n >= 0 && (size_t)n < cbDest) ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}

NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = RtlStringCbVPrintfA(pszDest, cbDest, pszFormat, ap);
    va_end(ap);
    return st;
}

NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = RtlStringCbVPrintfA(pszDest, cchDest, pszFormat, ap);
    va_end(ap);
    return st;
}

/* Wide: format string UTF-16 -> UTF-8, wprintf semantics, result back to UTF-16. */
NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    size_t cch = cbDest / sizeof(WCHAR);
    if (!pszDest || cch == 0 || cch > NTSTRSAFE_MAX_CCH || !pszFormat)
        return STATUS_INVALID_PARAMETER;
    size_t flen = xsw_rt_utf16_len(pszFormat);
    size_t fneed = xsw_rt_utf16_to_utf8(NULL, 0, pszFormat, flen);
    char *f = malloc(fneed + 1);
    if (!f)
        return STATUS_INSUFFICIENT_RESOURCES;
    xsw_rt_utf16_to_utf8(f, fneed + 1, pszFormat, flen);
    struct out o = { NULL, 0, 0 };
    va_list cp;
    va_copy(cp, argList);
    format_core(&o, f, &cp, 1);
    va_end(cp);
    char *text = malloc(o.len + 1);
    if (!text) {
        free(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    o.buf = text;
    o.size = o.len + 1;
    o.len = 0;
    va_copy(cp, argList);
    format_core(&o, f, &cp, 1);
    va_end(cp);
    text[o.len] = 0;
    size_t need = xsw_rt_utf8_to_utf16(pszDest, cch, text);
    free(text);
    free(f);
    return need < cch ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}

NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = RtlStringCbVPrintfW(pszDest, cbDest, pszFormat, ap);
    va_end(ap);
    return st;
}

NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = RtlStringCbVPrintfW(pszDest, cchDest * sizeof(WCHAR), pszFormat, ap);
    va_end(ap);
    return st;
}
