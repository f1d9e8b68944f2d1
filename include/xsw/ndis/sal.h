/*
 * sal.h - the Microsoft source-code annotation language (SAL 2.0 and the
 * older __drv_/__in forms) as empty macros.
 *
 * SAL only feeds the Windows static analysers (PREfast, SDV); it never
 * changes code generation, so every annotation expands to nothing here.
 * Reference: learn.microsoft.com "Using SAL Annotations to Reduce C/C++ Code
 * Defects" and "Annotating Function Behavior"; the list covers what the
 * Microsoft switch-extension samples and OVS ovsext use
 * (shared/reference/ndis-surface.md §1(e), §6) plus the common neighbours.
 */
#ifndef XSW_NDIS_SAL_H
#define XSW_NDIS_SAL_H

/* Parameters */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _In_reads_z_(n)
#define _In_range_(lo, hi)
#define _In_count_(n)
#define _In_bytecount_(n)
#define _Out_
#define _Out_opt_
#define _Out_z_cap_(n)
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_z_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_bytes_all_(n)
#define _Out_writes_bytes_all_opt_(n)
#define _Out_writes_bytes_to_(n, m)
#define _Out_writes_bytes_to_opt_(n, m)
#define _Out_writes_to_(n, m)
#define _Out_range_(lo, hi)
#define _Out_bytecap_(n)
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_updates_(n)
#define _Inout_updates_opt_(n)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_buffer_(n)
#define _Outptr_result_bytebuffer_(n)
#define _Deref_out_range_(lo, hi)
#define _Reserved_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Pre_satisfies_(c)
#define _Post_satisfies_(c)
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Post_writable_byte_size_(n)
#define _Post_equal_to_(x)
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Printf_format_string_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Literal_
#define _Points_to_data_
#define _Const_
#define _Strict_type_match_

/* Functions and results */
#define _Use_decl_annotations_
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(c)
#define _Return_type_success_(c)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(lo, hi)
#define _Ret_writes_bytes_maybenull_(n)
#define _Result_nullonfailure_
#define _When_(c, a)
#define _At_(t, a)
#define _Function_class_(x)
#define _Dispatch_type_(x)
#define _Analysis_assume_(e)
#define _Analysis_assume_lock_held_(l)
#define _Analysis_assume_lock_not_held_(l)
#define _Analysis_noreturn_

/* Structures */
#define _Field_size_(n)
#define _Field_size_opt_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_opt_(n)
#define _Field_size_part_(n, m)
#define _Field_size_bytes_part_(n, m)
#define _Field_range_(lo, hi)
#define _Field_z_
#define _Struct_size_bytes_(n)

/* IRQL and locks (driverspecs.h) */
#define _IRQL_requires_(x)
#define _IRQL_requires_max_(x)
#define _IRQL_requires_min_(x)
#define _IRQL_requires_same_
#define _IRQL_raises_(x)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_always_function_min_(x)
#define _IRQL_always_function_max_(x)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Requires_exclusive_lock_held_(l)
#define _Requires_shared_lock_held_(l)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Acquires_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Releases_shared_lock_(l)
#define _Guarded_by_(l)
#define _Interlocked_
#define _Interlocked_operand_
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_requires_resource_held_(r)
#define _Kernel_requires_resource_not_held_(r)
#define _Kernel_clear_do_init_(x)
#define _Kernel_IoGetDmaAdapter_
#define _Kernel_acquires_resource_(r)
#define _Kernel_releases_resource_(r)
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_aliasesMem
#define __drv_when(c, a)
#define __drv_arg(e, a)
#define __drv_maxIRQL(x)
#define __drv_minIRQL(x)
#define __drv_requiresIRQL(x)
#define __drv_setsIRQL(x)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(k, p)
#define __drv_restoresIRQLGlobal(k, p)
#define __drv_raisesIRQL(x)
#define __drv_dispatchType(x)
#define __drv_functionClass(x)
#define __drv_strictTypeMatch(x)
#define __drv_inTry
#define __drv_valueIs(x)
#define __drv_reportError(x)
#define __drv_acquiresResource(r)
#define __drv_releasesResource(r)
#define __drv_acquiresExclusiveResource(r)
#define __drv_releasesExclusiveResource(r)
#define __drv_mustHold(r)
#define __drv_neverHold(r)
#define __drv_preferredFunction(f, r)
#define __drv_out(a)
#define __drv_in(a)

/* SAL 1 (older samples) */
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __deref_out
#define __deref_out_opt
#define __in_bcount(n)
#define __in_ecount(n)
#define __out_bcount(n)
#define __out_ecount(n)
#define __checkReturn

/* Old-style parameter markers (ntdef.h) */
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif

#endif
