/* inf.h - the extension class from a Windows INF file (see inf.c). */
#ifndef XSW_INF_H
#define XSW_INF_H

#include <stddef.h>

/*
 * Read "path" and store its FilterClass value (e.g. "ms_switch_forward") in
 * "cls". *media_ok is set when FilterMediaTypes includes vmnetextension.
 * Returns 0, or -1 with "file:line:col: message" and the quoted line in "err".
 */
int xsw_inf_read_class(const char *path, char *cls, size_t cls_len, int *media_ok, char *err, size_t errlen);

#endif
