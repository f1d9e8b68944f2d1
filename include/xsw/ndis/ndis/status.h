/*
 * ndis/status.h - NDIS_STATUS and its values.
 *
 * The values come from include/xsw/defs/ndis_status.def (the one table of
 * status codes shared by the harness, the analyzer and the dissector), so
 * they are enum constants, not the WDK's #defines: they work in expressions,
 * initialisers and case labels, but not in #if. Each is cast to the signed
 * 32-bit NDIS_STATUS first, so NDIS_STATUS_FAILURE is negative exactly like
 * ((NDIS_STATUS)STATUS_UNSUCCESSFUL) in the WDK and comparisons with an
 * NDIS_STATUS variable never mix signedness.
 * Normative: learn.microsoft.com "NDIS_STATUS values"; values quoted in
 * shared/reference/extensible-switch.md §1.3-1.4.
 */
#ifndef XSW_NDIS_STATUS_H
#define XSW_NDIS_STATUS_H

typedef int NDIS_STATUS, *PNDIS_STATUS;

enum xsw_ndis_status_values {
#define XSW_STATUS(name, value) name = (NDIS_STATUS)(value),
#include "../../defs/ndis_status.def"
#undef XSW_STATUS
};

#endif
