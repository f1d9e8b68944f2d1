/*
 * ntintsafe.h - the kernel-mode (NTSTATUS) flavour of intsafe.h: RtlULongAdd
 * and friends return STATUS_INTEGER_OVERFLOW on overflow
 * (learn.microsoft.com "ntintsafe.h header"). Inline over the compiler's
 * __builtin_*_overflow.
 */
#ifndef XSW_NDIS_NTINTSAFE_H
#define XSW_NDIS_NTINTSAFE_H

#include "ntdef.h"
#include "ntstatus.h"

#define XSW_NTINTSAFE_OP(name, type, op)                                            \
    static inline NTSTATUS name(type a, type b, type *r)                            \
    {                                                                               \
        if (__builtin_##op##_overflow(a, b, r)) {                                   \
            *r = (type)-1;                                                          \
            return STATUS_INTEGER_OVERFLOW;                                         \
        }                                                                           \
        return STATUS_SUCCESS;                                                      \
    }
XSW_NTINTSAFE_OP(RtlUShortAdd, USHORT, add)
XSW_NTINTSAFE_OP(RtlUShortSub, USHORT, sub)
XSW_NTINTSAFE_OP(RtlUShortMult, USHORT, mul)
XSW_NTINTSAFE_OP(RtlUIntAdd, UINT, add)
XSW_NTINTSAFE_OP(RtlUIntSub, UINT, sub)
XSW_NTINTSAFE_OP(RtlUIntMult, UINT, mul)
XSW_NTINTSAFE_OP(RtlULongAdd, ULONG, add)
XSW_NTINTSAFE_OP(RtlULongSub, ULONG, sub)
XSW_NTINTSAFE_OP(RtlULongMult, ULONG, mul)
XSW_NTINTSAFE_OP(RtlULongLongAdd, ULONGLONG, add)
XSW_NTINTSAFE_OP(RtlULongLongSub, ULONGLONG, sub)
XSW_NTINTSAFE_OP(RtlULongLongMult, ULONGLONG, mul)
XSW_NTINTSAFE_OP(RtlSizeTAdd, SIZE_T, add)
XSW_NTINTSAFE_OP(RtlSizeTSub, SIZE_T, sub)
XSW_NTINTSAFE_OP(RtlSizeTMult, SIZE_T, mul)
#undef XSW_NTINTSAFE_OP

#define XSW_NTINTSAFE_CONV(name, from, to, maxv)                                    \
    static inline NTSTATUS name(from v, to *r)                                      \
    {                                                                               \
        if ((ULONGLONG)v > (ULONGLONG)(maxv)) {                                     \
            *r = (to)-1;                                                            \
            return STATUS_INTEGER_OVERFLOW;                                         \
        }                                                                           \
        *r = (to)v;                                                                 \
        return STATUS_SUCCESS;                                                      \
    }
XSW_NTINTSAFE_CONV(RtlULongToUShort, ULONG, USHORT, 0xffffu)
XSW_NTINTSAFE_CONV(RtlULongToUChar, ULONG, UCHAR, 0xffu)
XSW_NTINTSAFE_CONV(RtlULongLongToULong, ULONGLONG, ULONG, 0xffffffffu)
XSW_NTINTSAFE_CONV(RtlSizeTToULong, SIZE_T, ULONG, 0xffffffffu)
XSW_NTINTSAFE_CONV(RtlSizeTToUShort, SIZE_T, USHORT, 0xffffu)
XSW_NTINTSAFE_CONV(RtlUIntToUShort, UINT, USHORT, 0xffffu)
#undef XSW_NTINTSAFE_CONV

#endif
