/*
 * ntdef.h - Windows base types and helper macros for NDIS extension source
 * compiled on Linux (see ndis.h for the role of this header set).
 *
 * Normative: learn.microsoft.com "Windows Data Types", "ntdef.h header" and
 * the WDK ntdef.h/winnt.h layouts. Every type has its Windows x64 size:
 * LONG/ULONG are 32-bit (uint32_t, not unsigned long), WCHAR is a 16-bit
 * unsigned short (extensions compile with -fshort-wchar so that L"..."
 * literals match it), BOOLEAN is one byte, pointers and *_PTR are 8 bytes.
 * This header must not pull in glibc's wchar headers: wchar_t differs in size
 * between the two compilation modes (extensions vs. xsw's own C11 code).
 */
#ifndef XSW_NDIS_NTDEF_H
#define XSW_NDIS_NTDEF_H

#include <stddef.h>
#include <stdint.h>

#include "sal.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "xsw NDIS headers reproduce the Windows x64 (LLP64) layouts: build for a 64-bit target"
#endif

#ifndef _WIN64
#define _WIN64 1
#endif
#if defined(__x86_64__) && !defined(_AMD64_)
#define _AMD64_ 1
#endif
#if defined(__aarch64__) && !defined(_ARM64_)
#define _ARM64_ 1
#endif

/* ---- Calling conventions and declaration decorations (no-ops on Linux) ---- */
#define NTAPI
#define NTSYSAPI
#define NTKERNELAPI
#define NDISAPI
#define NDIS_EXPORTED_ROUTINE
#define WINAPI
#define CALLBACK
#define __stdcall
#define __cdecl
#define __fastcall
#define FASTCALL
#define DECLSPEC_IMPORT
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)
#define FORCEINLINE static inline __attribute__((always_inline))
#define NTAPI_INLINE
#define __forceinline inline __attribute__((always_inline))
#define UNALIGNED
#define UNALIGNED64
#define RESTRICTED_POINTER
#define POINTER_32
#define POINTER_64
#define FAR
#define NEAR
#define CONST const
#define EXTERN_C extern
#define EXTERN_C_START
#define EXTERN_C_END
#define NOTHING
#define ANYSIZE_ARRAY 1

/* ---- Base types ---------------------------------------------------------- */
#ifndef VOID
#define VOID void
#endif
typedef char CHAR;
typedef short SHORT;
typedef int32_t LONG;
typedef void *PVOID, **PPVOID;
typedef const void *PCVOID;
typedef unsigned char UCHAR, *PUCHAR;
typedef const UCHAR *PCUCHAR;
typedef CHAR *PCHAR, *PSZ, *PSTR, *LPSTR, *NPSTR;
typedef const CHAR *PCCHAR, *PCSZ, *PCSTR, *LPCSTR;
typedef CHAR CCHAR;
typedef CHAR *PCH, *LPCH;
typedef const CHAR *PCCH, *LPCCH;
typedef unsigned short USHORT, *PUSHORT;
typedef SHORT CSHORT, *PSHORT;
typedef LONG *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef const ULONG *PCULONG;
typedef ULONG CLONG;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64, *PINT64, __int64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, *PDWORD64, UINT64, *PUINT64;
typedef int8_t INT8, *PINT8;
typedef int16_t INT16, *PINT16;
typedef int32_t INT32, *PINT32, LONG32, *PLONG32;
typedef uint8_t UINT8, *PUINT8;
typedef uint16_t UINT16, *PUINT16;
typedef uint32_t UINT32, *PUINT32, ULONG32, *PULONG32;
typedef int64_t LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR, SSIZE_T, *PSSIZE_T;
typedef uint64_t ULONG_PTR, *PULONG_PTR, UINT_PTR, *PUINT_PTR, SIZE_T, *PSIZE_T, DWORD_PTR, *PDWORD_PTR;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef LONG KPRIORITY;
typedef void *HANDLE, **PHANDLE;
typedef ULONG LOGICAL, *PLOGICAL;

/*
 * WCHAR is 16-bit like on Windows. Under -fshort-wchar, wchar_t (the type of
 * L"..." literals) is unsigned short as well, so the two are compatible; xsw's
 * own C11 code uses u"..." literals (char16_t, also unsigned short).
 */
typedef unsigned short WCHAR, *PWCHAR, *PWCH, *LPWCH, *PWSTR, *LPWSTR, *NWPSTR;
typedef const WCHAR *PCWCH, *LPCWCH, *PCWSTR, *LPCWSTR;
typedef PWSTR *PZPWSTR;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG 0x80000000
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffffu
#define MAXLONGLONG INT64_MAX
#define MAXULONGLONG UINT64_MAX
#define MAXULONG_PTR UINTPTR_MAX
#define MAXSIZE_T UINTPTR_MAX
#define MAXUINT32 UINT32_MAX
#define MAXUINT16 UINT16_MAX
#define MAXUINT8 UINT8_MAX
#define MAXUINT64 UINT64_MAX

/* ---- NTSTATUS ------------------------------------------------------------ */
typedef LONG NTSTATUS, *PNTSTATUS;
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)

/* ---- Large integers and GUIDs ------------------------------------------- */
typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    };
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} GUID;
#endif
typedef GUID *PGUID, *LPGUID;
typedef const GUID *PCGUID, *LPCGUID, *REFGUID;

/*
 * DEFINE_GUID declares the GUID; with INITGUID defined before the include it
 * also defines it (weak, like DECLSPEC_SELECTANY, so several translation units
 * may do so).
 */
#undef DEFINE_GUID
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    extern const GUID name;                                          \
    const GUID DECLSPEC_SELECTANY name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) extern const GUID name
#endif
#define IsEqualGUID(a, b) (__builtin_memcmp((a), (b), sizeof(GUID)) == 0)
#define InlineIsEqualGUID(a, b) IsEqualGUID(a, b)

/* ---- Counted strings ----------------------------------------------------- */
typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, without a terminating NUL */
    USHORT MaximumLength; /* bytes of Buffer */
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING, *PCOEM_STRING;

#define UNICODE_NULL ((WCHAR)0)
#define ANSI_NULL ((CHAR)0)
#define UNICODE_STRING_MAX_BYTES ((USHORT)65534)
#define UNICODE_STRING_MAX_CHARS (32767)

/*
 * RTL_CONSTANT_STRING works with L"..." (extensions, -fshort-wchar), u"..."
 * (xsw's own C11 code) and "..." literals alike: the element size is taken
 * from the literal itself.
 */
#define RTL_CONSTANT_STRING(s) \
    { (USHORT)(sizeof(s) - sizeof((s)[0])), (USHORT)sizeof(s), (void *)(s) }
#define DECLARE_CONST_UNICODE_STRING(_var, _string) \
    const WCHAR _var##_buffer[] = _string;          \
    const UNICODE_STRING _var = { sizeof(_string) - sizeof(WCHAR), sizeof(_string), (PWCH)_var##_buffer }
#define DECLARE_UNICODE_STRING_SIZE(_var, _size) \
    WCHAR _var##_buffer[_size];                  \
    UNICODE_STRING _var = { 0, (_size) * sizeof(WCHAR), _var##_buffer }

/* ---- Lists --------------------------------------------------------------- */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *RESTRICTED_POINTER PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* x64 SLIST_HEADER: 16 bytes, 16-byte aligned (NET_BUFFER/NBL unions use it). */
typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER {
    struct {
        ULONGLONG Alignment;
        ULONGLONG Region;
    };
    struct {
        ULONGLONG Depth : 16;
        ULONGLONG Sequence : 48;
        ULONGLONG Reserved : 4;
        ULONGLONG NextEntry : 60;
    } HeaderX64;
} SLIST_HEADER, *PSLIST_HEADER;

/* ---- Structure helpers --------------------------------------------------- */
#define FIELD_OFFSET(type, field) ((LONG)__builtin_offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)__builtin_offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) \
    (__builtin_offsetof(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field) \
    ((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <= (((PCHAR)(Struct)) + (Size)))
#define RTL_NUMBER_OF(A) (sizeof(A) / sizeof((A)[0]))
#define RTL_NUMBER_OF_V1(A) RTL_NUMBER_OF(A)
#define RTL_NUMBER_OF_V2(A) RTL_NUMBER_OF(A)
#define ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define _ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define RTL_BITS_OF(sizeOfArg) (sizeof(sizeOfArg) * 8)
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - __builtin_offsetof(type, field)))
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), alignment)
#define ALIGN_DOWN_POINTER_BY(address, alignment) ((PVOID)ALIGN_DOWN_BY(address, alignment))
#define ALIGN_UP_POINTER_BY(address, alignment) ((PVOID)ALIGN_UP_BY(address, alignment))
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))

/* C_ASSERT is valid at file and at block scope, like the WDK's. */
#define C_ASSERT(e) _Static_assert(e, #e)

#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))

#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

/* The WDK's checked/free build switch; extensions pass -DDBG=0 or 1. */
#ifndef DBG
#define DBG 0
#endif

#endif
