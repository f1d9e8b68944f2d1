/*
 * report.c - report writers of xsw-suite.
 *
 * JUnit XML follows the common schema used by CI systems (testsuites >
 * testsuite > testcase with failure/error/system-out; the Jenkins/Ant
 * "junit-10.xsd" shape). XML 1.0 forbids most control characters even as
 * character references, so such bytes, and byte sequences that are not
 * UTF-8, are written as U+FFFD. The JSON record is the certification record:
 * tool version, the digest of every spec file and extension, the scenarios
 * with their parameters, host and time, and every verdict.
 */
#include "report.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "xsw/version.h"

const char *xsw_case_end_text(enum xsw_case_end e)
{
    switch (e) {
    case XSW_END_OK:
        return "completed";
    case XSW_END_HARNESS:
        return "harness error";
    case XSW_END_CRASH:
        return "crashed";
    case XSW_END_TIMEOUT:
        return "timed out";
    }
    return "?";
}

/* Length of the valid UTF-8 sequence at "s" (1..4), or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        n = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        n = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3F >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        return 0;
    return n;
}

void xsw_xml_escape(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        switch (c) {
        case '&':
            fputs("&amp;", f);
            p++;
            continue;
        case '<':
            fputs("&lt;", f);
            p++;
            continue;
        case '>':
            fputs("&gt;", f);
            p++;
            continue;
        case '"':
            fputs("&quot;", f);
            p++;
            continue;
        case '\'':
            fputs("&apos;", f);
            p++;
            continue;
        default:
            break;
        }
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            fputs("\xEF\xBF\xBD", f);
            p++;
            continue;
        }
        int n = utf8_len(p);
        if (!n) {
            fputs("\xEF\xBF\xBD", f);
            p++;
            continue;
        }
        /* U+FFFE and U+FFFF are not XML characters either. */
        if (n == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
            fputs("\xEF\xBF\xBD", f);
            p += 3;
            continue;
        }
        fwrite(p, 1, (size_t)n, f);
        p += n;
    }
}

void xsw_json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    fputc('"', f);
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            p++;
        } else if (c == '\n') {
            fputs("\\n", f);
            p++;
        } else if (c == '\t') {
            fputs("\\t", f);
            p++;
        } else if (c == '\r') {
            fputs("\\r", f);
            p++;
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else {
            int n = utf8_len(p);
            if (!n) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, (size_t)n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

static const struct xsw_rule_info *rule_of(const struct xsw_run_report *r, const struct xsw_result_violation *v)
{
    return xsw_spec_rule(r->spec, v->rule_index);
}

static const char *level_name(enum xsw_level l)
{
    return l == XSW_LEVEL_MUST ? "MUST" : "SHOULD";
}

static void frames_text(FILE *f, const struct xsw_result_violation *v)
{
    fprintf(f, "frame %llu%s", (unsigned long long)v->frame, v->at_end ? " (end of case)" : "");
    for (unsigned i = 0; i < v->nrel; i++)
        fprintf(f, ", %s: frame %llu", v->rel[i].what, (unsigned long long)v->rel[i].frame);
}

void xsw_report_text_case(FILE *f, const struct xsw_run_report *r, const struct xsw_case_result *c)
{
    fprintf(f, "%s %s (%s)", c->passed ? "PASS" : "FAIL", c->name, c->scenario);
    if (c->end != XSW_END_OK)
        fprintf(f, ": %s%s%s", xsw_case_end_text(c->end), c->detail[0] ? ": " : "", c->detail);
    fputc('\n', f);
    for (size_t i = 0; i < c->nv; i++) {
        const struct xsw_result_violation *v = &c->v[i];
        const struct xsw_rule_info *ri = rule_of(r, v);
        int counts = ri->level == XSW_LEVEL_MUST || r->strict;
        fprintf(f, "  %s rule %s (%s): %s\n", counts ? "x" : "!", ri->id, level_name(ri->level), ri->text);
        fprintf(f, "      expected: %s\n      actual:   %s\n", v->expected, v->actual);
        if (v->object && v->object[0])
            fprintf(f, "      object:   %s\n", v->object);
        fprintf(f, "      where:    %s", v->host ? "destination host trace, " : "");
        frames_text(f, v);
        if (v->ext >= 0)
            fprintf(f, " (extension %d)", v->ext);
        fprintf(f, "\n      source:   %s\n", ri->source);
    }
    if (!c->passed || c->nv) {
        fprintf(f, "      trace:    %s\n", c->trace);
        if (c->trace2[0])
            fprintf(f, "      trace:    %s (destination host)\n", c->trace2);
    }
}

int xsw_report_junit(const char *path, const struct xsw_run_report *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    unsigned failures = 0, errors = 0;
    for (size_t i = 0; i < r->ncases; i++) {
        if (r->cases[i].end != XSW_END_OK)
            errors++;
        else if (!r->cases[i].passed)
            failures++;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"xsw-suite\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" time=\"%.3f\">\n",
            r->ncases, failures, errors, r->seconds);
    fprintf(f, "  <testsuite name=\"");
    xsw_xml_escape(f, r->next ? r->ext[0].name : "xsw");
    for (unsigned k = 1; k < r->next; k++) {
        fputc('+', f);
        xsw_xml_escape(f, r->ext[k].name);
    }
    fprintf(f, "\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
            r->ncases, failures, errors, r->seconds, r->started);
    fprintf(f, "    <properties>\n      <property name=\"xsw.version\" value=\"%s\"/>\n", XSW_VERSION);
    for (unsigned k = 0; k < r->next; k++) {
        fprintf(f, "      <property name=\"extension.%u\" value=\"", k);
        xsw_xml_escape(f, r->ext[k].path);
        fprintf(f, " (%s, sha256 %s)\"/>\n", r->ext[k].cls, r->ext[k].sha256);
    }
    fprintf(f, "    </properties>\n");
    for (size_t i = 0; i < r->ncases; i++) {
        const struct xsw_case_result *c = &r->cases[i];
        fprintf(f, "    <testcase classname=\"xsw.");
        xsw_xml_escape(f, c->scenario);
        fprintf(f, "\" name=\"");
        xsw_xml_escape(f, c->name);
        fprintf(f, "\" time=\"%.3f\">\n", c->seconds);
        if (c->end != XSW_END_OK) {
            fprintf(f, "      <error type=\"%s\" message=\"", xsw_case_end_text(c->end));
            xsw_xml_escape(f, c->detail);
            fprintf(f, "\"/>\n");
        }
        for (size_t k = 0; k < c->nv; k++) {
            const struct xsw_result_violation *v = &c->v[k];
            const struct xsw_rule_info *ri = rule_of(r, v);
            if (ri->level != XSW_LEVEL_MUST && !r->strict)
                continue;
            fprintf(f, "      <failure type=\"");
            xsw_xml_escape(f, ri->id);
            fprintf(f, "\" message=\"");
            xsw_xml_escape(f, ri->id);
            fprintf(f, " (%s): ", level_name(ri->level));
            xsw_xml_escape(f, ri->text);
            fprintf(f, "\">");
            fprintf(f, "expected: ");
            xsw_xml_escape(f, v->expected);
            fprintf(f, "\nactual: ");
            xsw_xml_escape(f, v->actual);
            fprintf(f, "\nframe: %llu%s\nsource: ", (unsigned long long)v->frame, v->at_end ? " (end of case)" : "");
            xsw_xml_escape(f, ri->source);
            fprintf(f, "\ntrace: ");
            xsw_xml_escape(f, c->trace);
            fprintf(f, "</failure>\n");
        }
        fprintf(f, "      <system-out>trace: ");
        xsw_xml_escape(f, c->trace);
        fprintf(f, "\nrecords: %llu\nparameters: ", (unsigned long long)c->records);
        xsw_xml_escape(f, c->params);
        fprintf(f, "</system-out>\n    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    return fclose(f) ? -1 : 0;
}

static void tap_line(FILE *f, const char *key, const char *val)
{
    /* YAML block: quote with JSON escaping, which YAML accepts in double quotes. */
    fprintf(f, "    %s: ", key);
    xsw_json_string(f, val);
    fputc('\n', f);
}

int xsw_report_tap(const char *path, const struct xsw_run_report *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "TAP version 13\n1..%zu\n", r->ncases);
    for (size_t i = 0; i < r->ncases; i++) {
        const struct xsw_case_result *c = &r->cases[i];
        fprintf(f, "%s %zu - %s\n", c->passed ? "ok" : "not ok", i + 1, c->name);
        if (c->passed && !c->nv)
            continue;
        fprintf(f, "  ---\n");
        tap_line(f, "outcome", xsw_case_end_text(c->end));
        if (c->detail[0])
            tap_line(f, "detail", c->detail);
        tap_line(f, "trace", c->trace);
        if (c->nv)
            fprintf(f, "  violations:\n");
        for (size_t k = 0; k < c->nv; k++) {
            const struct xsw_result_violation *v = &c->v[k];
            const struct xsw_rule_info *ri = rule_of(r, v);
            fprintf(f, "  - rule: %s\n    level: %s\n", ri->id, level_name(ri->level));
            tap_line(f, "expected", v->expected);
            tap_line(f, "actual", v->actual);
            fprintf(f, "    frame: %llu\n", (unsigned long long)v->frame);
        }
        fprintf(f, "  ...\n");
    }
    return fclose(f) ? -1 : 0;
}

int xsw_report_json(const char *path, const struct xsw_run_report *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    struct utsname u;
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = 0;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    fprintf(f, "{\n  \"format\": \"xsw-certification-record/1\",\n  \"xsw_version\": \"%s\",\n", XSW_VERSION);
    fprintf(f, "  \"started\": \"%s\",\n  \"seconds\": %.3f,\n", r->started, r->seconds);
    fprintf(f, "  \"host\": {\"name\": ");
    xsw_json_string(f, host);
    fprintf(f, ", \"system\": ");
    char sys[600];
    snprintf(sys, sizeof sys, "%s %s %s", u.sysname, u.release, u.machine);
    xsw_json_string(f, sys);
    fprintf(f, "},\n  \"command\": ");
    xsw_json_string(f, r->command);
    fprintf(f, ",\n  \"strict\": %s,\n  \"specs\": [", r->strict ? "true" : "false");
    for (size_t i = 0; i < r->nspecs; i++) {
        fprintf(f, "%s\n    {\"path\": ", i ? "," : "");
        xsw_json_string(f, r->specs[i].path);
        fprintf(f, ", \"sha256\": \"%s\"}", r->specs[i].sha256);
    }
    /* Every rule counts; the built-in ones (no spec file to digest) are listed with where they are defined. */
    fprintf(f, "\n  ],\n  \"rules\": %zu,\n  \"builtin_rules\": [", xsw_spec_rule_count(r->spec));
    for (size_t i = 0, k = 0; i < xsw_spec_rule_count(r->spec); i++) {
        const struct xsw_rule_info *ri = xsw_spec_rule(r->spec, i);
        if (!ri->builtin)
            continue;
        fprintf(f, "%s\n    {\"id\": ", k++ ? "," : "");
        xsw_json_string(f, ri->id);
        fprintf(f, ", \"level\": \"%s\", \"defined\": ", level_name(ri->level));
        xsw_json_string(f, ri->file);
        fputc('}', f);
    }
    fprintf(f, "\n  ],\n  \"extensions\": [");
    for (unsigned i = 0; i < r->next; i++) {
        fprintf(f, "%s\n    {\"stack_index\": %u, \"name\": ", i ? "," : "", i);
        xsw_json_string(f, r->ext[i].name);
        fprintf(f, ", \"class\": ");
        xsw_json_string(f, r->ext[i].cls);
        fprintf(f, ", \"path\": ");
        xsw_json_string(f, r->ext[i].path);
        fprintf(f, ", \"sha256\": \"%s\"", r->ext[i].sha256);
        if (r->ext[i].inf) {
            fprintf(f, ", \"inf\": ");
            xsw_json_string(f, r->ext[i].inf);
        }
        fprintf(f, "}");
    }
    fprintf(f, "\n  ],\n  \"cases\": [");
    for (size_t i = 0; i < r->ncases; i++) {
        const struct xsw_case_result *c = &r->cases[i];
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        xsw_json_string(f, c->name);
        fprintf(f, ", \"scenario\": ");
        xsw_json_string(f, c->scenario);
        fprintf(f, ", \"parameters\": ");
        xsw_json_string(f, c->params);
        fprintf(f, ",\n     \"verdict\": \"%s\", \"outcome\": \"%s\", \"detail\": ", c->passed ? "pass" : "fail",
                xsw_case_end_text(c->end));
        xsw_json_string(f, c->detail);
        fprintf(f, ", \"seconds\": %.3f, \"records\": %llu, \"must_violations\": %u, \"should_violations\": %u, \"trace\": ",
                c->seconds, (unsigned long long)c->records, c->must, c->should);
        xsw_json_string(f, c->trace);
        if (c->trace2[0]) {
            /* Live migration: the destination host's trace; violations name the trace they are in. */
            fprintf(f, ", \"destination_trace\": ");
            xsw_json_string(f, c->trace2);
        }
        fprintf(f, ",\n     \"violations\": [");
        for (size_t k = 0; k < c->nv; k++) {
            const struct xsw_result_violation *v = &c->v[k];
            const struct xsw_rule_info *ri = rule_of(r, v);
            fprintf(f, "%s\n       {\"rule\": ", k ? "," : "");
            xsw_json_string(f, ri->id);
            fprintf(f, ", \"level\": \"%s\", \"requirement\": ", level_name(ri->level));
            xsw_json_string(f, ri->text);
            fprintf(f, ", \"source\": ");
            xsw_json_string(f, ri->source);
            fprintf(f, ", \"expected\": ");
            xsw_json_string(f, v->expected);
            fprintf(f, ", \"actual\": ");
            xsw_json_string(f, v->actual);
            fprintf(f, ", \"object\": ");
            xsw_json_string(f, v->object);
            fprintf(f, ", \"trace\": ");
            xsw_json_string(f, v->host ? c->trace2 : c->trace);
            fprintf(f, ", \"frame\": %llu, \"at_end\": %s, \"extension\": %d, \"related\": [",
                    (unsigned long long)v->frame, v->at_end ? "true" : "false", v->ext);
            for (unsigned j = 0; j < v->nrel; j++) {
                fprintf(f, "%s{\"what\": ", j ? ", " : "");
                xsw_json_string(f, v->rel[j].what);
                fprintf(f, ", \"frame\": %llu}", (unsigned long long)v->rel[j].frame);
            }
            fprintf(f, "]}");
        }
        fprintf(f, "%s]}", c->nv ? "\n     " : "");
    }
    fprintf(f, "\n  ],\n  \"summary\": {\"passed\": %u, \"failed\": %u}\n}\n", r->passed, r->failed);
    return fclose(f) ? -1 : 0;
}
