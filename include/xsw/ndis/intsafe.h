/*
 * intsafe.h - overflow-checked integer arithmetic returning HRESULT, the
 * subset of the WDK's intsafe.h in common use (learn.microsoft.com
 * "intsafe.h header"). Inline over the compiler's __builtin_*_overflow.
 */
#ifndef XSW_NDIS_INTSAFE_H
#define XSW_NDIS_INTSAFE_H

#include "ntdef.h"

typedef LONG HRESULT;
typedef ULONG DWORD, *PDWORD;
typedef UCHAR BYTE, *PBYTE;
typedef USHORT WORD, *PWORD;
#ifndef S_OK
#define S_OK ((HRESULT)0L)
#endif
#define INTSAFE_E_ARITHMETIC_OVERFLOW ((HRESULT)0x80070216L)
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)

#define XSW_INTSAFE_OP(name, type, op)                                              \
    static inline HRESULT name(type a, type b, type *r)                             \
    {                                                                               \
        if (__builtin_##op##_overflow(a, b, r)) {                                   \
            *r = (type)-1;                                                          \
            return INTSAFE_E_ARITHMETIC_OVERFLOW;                                   \
        }                                                                           \
        return S_OK;                                                                \
    }
XSW_INTSAFE_OP(UShortAdd, USHORT, add)
XSW_INTSAFE_OP(UShortSub, USHORT, sub)
XSW_INTSAFE_OP(UShortMult, USHORT, mul)
XSW_INTSAFE_OP(UIntAdd, UINT, add)
XSW_INTSAFE_OP(UIntSub, UINT, sub)
XSW_INTSAFE_OP(UIntMult, UINT, mul)
XSW_INTSAFE_OP(ULongAdd, ULONG, add)
XSW_INTSAFE_OP(ULongSub, ULONG, sub)
XSW_INTSAFE_OP(ULongMult, ULONG, mul)
XSW_INTSAFE_OP(DWordAdd, DWORD, add)
XSW_INTSAFE_OP(DWordSub, DWORD, sub)
XSW_INTSAFE_OP(DWordMult, DWORD, mul)
XSW_INTSAFE_OP(ULongLongAdd, ULONGLONG, add)
XSW_INTSAFE_OP(ULongLongSub, ULONGLONG, sub)
XSW_INTSAFE_OP(ULongLongMult, ULONGLONG, mul)
XSW_INTSAFE_OP(SizeTAdd, SIZE_T, add)
XSW_INTSAFE_OP(SizeTSub, SIZE_T, sub)
XSW_INTSAFE_OP(SizeTMult, SIZE_T, mul)
#undef XSW_INTSAFE_OP

#define XSW_INTSAFE_CONV(name, from, to, maxv)                                      \
    static inline HRESULT name(from v, to *r)                                       \
    {                                                                               \
        if ((ULONGLONG)v > (ULONGLONG)(maxv)) {                                     \
            *r = (to)-1;                                                            \
            return INTSAFE_E_ARITHMETIC_OVERFLOW;                                   \
        }                                                                           \
        *r = (to)v;                                                                 \
        return S_OK;                                                                \
    }
XSW_INTSAFE_CONV(ULongToUShort, ULONG, USHORT, 0xffffu)
XSW_INTSAFE_CONV(ULongToUChar, ULONG, UCHAR, 0xffu)
XSW_INTSAFE_CONV(ULongLongToULong, ULONGLONG, ULONG, 0xffffffffu)
XSW_INTSAFE_CONV(SizeTToULong, SIZE_T, ULONG, 0xffffffffu)
XSW_INTSAFE_CONV(SizeTToUShort, SIZE_T, USHORT, 0xffffu)
XSW_INTSAFE_CONV(UIntToUShort, UINT, USHORT, 0xffffu)
#undef XSW_INTSAFE_CONV

#endif
