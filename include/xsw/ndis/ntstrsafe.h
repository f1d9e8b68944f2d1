/*
 * ntstrsafe.h - bounded string functions of the WDK's ntstrsafe.h
 * (learn.microsoft.com "ntstrsafe.h header"): the length, copy and concatenate
 * functions are inline as in the WDK; the printf family is implemented by the
 * runtime (rtlstring.c) with the same formatter as DbgPrint, so %S/%wZ work.
 * Results: STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW (truncated, still
 * terminated) or STATUS_INVALID_PARAMETER.
 */
#ifndef XSW_NDIS_NTSTRSAFE_H
#define XSW_NDIS_NTSTRSAFE_H

#include <stdarg.h>

#include "ntdef.h"
#include "ntstatus.h"

typedef CHAR *NTSTRSAFE_PSTR;
typedef const CHAR *NTSTRSAFE_PCSTR;
typedef WCHAR *NTSTRSAFE_PWSTR;
typedef const WCHAR *NTSTRSAFE_PCWSTR;
#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH 32767

static inline NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength)
            *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    while (n < cchMax && psz[n])
        n++;
    if (pcchLength)
        *pcchLength = n < cchMax ? n : 0;
    return n < cchMax ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}
static inline NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return RtlStringCchLengthA(psz, cbMax, pcbLength);
}
static inline NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength)
            *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    while (n < cchMax && psz[n])
        n++;
    if (pcchLength)
        *pcchLength = n < cchMax ? n : 0;
    return n < cchMax ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}
static inline NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t cch = 0;
    NTSTATUS st = RtlStringCchLengthW(psz, cbMax / sizeof(WCHAR), &cch);
    if (pcbLength)
        *pcbLength = cch * sizeof(WCHAR);
    return st;
}

static inline NTSTATUS RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                          size_t cchToCopy)
{
    size_t i = 0;
    if (pszDest == NULL || cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    while (i + 1 < cchDest && i < cchToCopy && pszSrc && pszSrc[i]) {
        pszDest[i] = pszSrc[i];
        i++;
    }
    pszDest[i] = 0;
    return (pszSrc && i < cchToCopy && pszSrc[i]) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}
static inline NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlStringCchCopyNA(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
static inline NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlStringCchCopyNA(pszDest, cbDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
static inline NTSTATUS RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                          size_t cchToCopy)
{
    size_t i = 0;
    if (pszDest == NULL || cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    while (i + 1 < cchDest && i < cchToCopy && pszSrc && pszSrc[i]) {
        pszDest[i] = pszSrc[i];
        i++;
    }
    pszDest[i] = 0;
    return (pszSrc && i < cchToCopy && pszSrc[i]) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}
static inline NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlStringCchCopyNW(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH);
}
static inline NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlStringCchCopyNW(pszDest, cbDest / sizeof(WCHAR), pszSrc, NTSTRSAFE_MAX_CCH);
}
static inline NTSTATUS RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    size_t len = 0;
    if (!NT_SUCCESS(RtlStringCchLengthA(pszDest, cchDest, &len)))
        return STATUS_INVALID_PARAMETER;
    return RtlStringCchCopyA(pszDest + len, cchDest - len, pszSrc);
}
static inline NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return RtlStringCchCatA(pszDest, cbDest, pszSrc);
}
static inline NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t len = 0;
    if (!NT_SUCCESS(RtlStringCchLengthW(pszDest, cchDest, &len)))
        return STATUS_INVALID_PARAMETER;
    return RtlStringCchCopyW(pszDest + len, cchDest - len, pszSrc);
}
static inline NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return RtlStringCchCatW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}

/* Runtime functions (reference/runtime/rtlstring.c). */
NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, va_list argList);
NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...);
NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...);
NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList);
NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...);
NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...);

#endif
