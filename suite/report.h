/*
 * report.h - the results of an xsw-suite run and the report writers: text
 * (terminal), JUnit XML (CI), TAP and the JSON certification record.
 */
#ifndef XSW_REPORT_H
#define XSW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "xsw/check.h"

struct xsw_rel {
    char what[48];
    uint64_t frame;
};

struct xsw_result_violation {
    size_t rule_index;
    uint64_t frame;
    int at_end;
    int ext;
    int host; /* 1: in a live migration's destination host trace */
    char *expected, *actual, *object;
    unsigned nrel;
    struct xsw_rel rel[3];
};

enum xsw_case_end {
    XSW_END_OK = 0,      /* the scenario ran to its end */
    XSW_END_HARNESS,     /* the harness could not run it (message in "detail") */
    XSW_END_CRASH,       /* the child died of a signal or exited early */
    XSW_END_TIMEOUT,     /* the child did not finish in time */
};

struct xsw_case_result {
    const char *name, *scenario, *summary;
    char params[256];
    char trace[4200];
    char trace2[4300]; /* a live migration's destination host trace, or "" */
    enum xsw_case_end end;
    char detail[512];
    double seconds;
    uint64_t records;
    struct xsw_result_violation *v;
    size_t nv, capv;
    unsigned must, should;
    int passed;
};

struct xsw_ext_desc {
    const char *path, *name, *cls, *inf;
    char sha256[65];
};

struct xsw_spec_file {
    char path[1024];
    char sha256[65];
};

struct xsw_run_report {
    const struct xsw_spec *spec;
    struct xsw_case_result *cases;
    size_t ncases;
    struct xsw_ext_desc ext[16];
    unsigned next;
    struct xsw_spec_file *specs;
    size_t nspecs;
    int strict;
    const char *command;
    char started[32]; /* ISO 8601 UTC */
    double seconds;
    unsigned passed, failed;
};

const char *xsw_case_end_text(enum xsw_case_end e);

/* Human text for one case (PASS/FAIL and each failure); the caller prints the closing line. */
void xsw_report_text_case(FILE *f, const struct xsw_run_report *r, const struct xsw_case_result *c);

/* Each writer returns 0, or -1 when the file could not be written (errno set). */
int xsw_report_junit(const char *path, const struct xsw_run_report *r);
int xsw_report_tap(const char *path, const struct xsw_run_report *r);
int xsw_report_json(const char *path, const struct xsw_run_report *r);

/* Escapers used by the writers, exposed for tests. */
void xsw_xml_escape(FILE *f, const char *s);
void xsw_json_string(FILE *f, const char *s);

#endif
