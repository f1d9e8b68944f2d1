/*
 * ntddk.h - kernel-mode driver declarations. For NDIS extensions the WDK's
 * ntddk.h adds nothing they use beyond wdm.h, so this header forwards to it.
 */
#ifndef XSW_NDIS_NTDDK_H
#define XSW_NDIS_NTDDK_H

#include "wdm.h"

#endif
