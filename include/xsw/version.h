/* version.h - the xsw release, recorded in every trace and certification report. */
#ifndef XSW_VERSION_H
#define XSW_VERSION_H
#define XSW_VERSION "0.1.0"
#endif
