/*
 * output.c - what xsw-analyze writes: the human summary (stdout), the JSON
 * record (--json) and JUnit XML (--junit, the "junit-10.xsd" shape CI
 * servers read; CUnit's own JUnit mode is not usable, toolchain-notes.md).
 * Formats are documented in docs/analyzer.md; the summary of a fixture is a
 * golden file (analyzer/tests/golden/), so everything printed here is
 * deterministic: no wall-clock time, no absolute paths the caller did not give.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "xsw/version.h"

static const char *format_name(enum xan_format f)
{
    switch (f) {
    case XAN_FMT_PCAP:
        return "pcap";
    case XAN_FMT_PCAPNG:
        return "pcapng";
    case XAN_FMT_NETVSC_TEXT:
        return "netvsc text";
    case XAN_FMT_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *xan_result(const struct xan_trace *t, const struct xan_options *o)
{
    if (!t->opened)
        return "ERROR";
    if (!t->complete)
        return "INCOMPLETE";
    if (t->bad_records || t->total_errors)
        return "ERROR"; /* what was analyzed cannot be trusted to be the whole story */
    if (t->must || (o->strict && t->should))
        return "FAIL";
    return "PASS";
}

int xan_status(const struct xan_trace *t, const struct xan_options *o)
{
    if (!t->opened || !t->complete || t->bad_records || t->total_errors)
        return 2;
    return t->must || (o->strict && t->should) ? 1 : 0;
}

static void print_violation(FILE *f, const struct xan_viol *v, const char *unit)
{
    fprintf(f, "  rule %s (%s): ", v->rule, v->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD");
    if (v->ext >= 0)
        fprintf(f, "extension %d (%s)", v->ext, v->ext_class ? v->ext_class : "unknown");
    else if (v->ext_class && strcmp(v->ext_class, "guest") == 0)
        fputs("the guest", f);
    else
        fputs("the switch", f);
    if (v->at_end)
        fprintf(f, " at the end (%s %llu)", unit, (unsigned long long)v->frame);
    else
        fprintf(f, " at %s %llu", unit, (unsigned long long)v->frame);
    if (v->object && v->object[0])
        fprintf(f, ", %s", v->object);
    fprintf(f, "\n    %s\n    expected: %s\n    actual: %s\n", v->text, v->expected, v->actual);
    for (unsigned i = 0; i < v->nrel; i++)
        fprintf(f, "%s%s %s %llu", i ? ", " : "    related: ", v->rel[i].what, unit,
                (unsigned long long)v->rel[i].frame);
    if (v->nrel)
        fputc('\n', f);
    if (v->line)
        fprintf(f, "    source: %s (%s:%u)\n", v->source, v->where, v->line);
    else
        fprintf(f, "    source: %s (%s)\n", v->source, v->where);
}

void xan_print_summary(FILE *f, const struct xan_trace *t, const struct xan_options *o)
{
    const char *unit = t->format == XAN_FMT_NETVSC_TEXT ? "line" : "frame";
    const char *res = xan_result(t, o);
    if (o->quiet) {
        fprintf(f, "%s: %s (%llu %ss, %llu violations: %llu MUST, %llu SHOULD", t->path, res,
                (unsigned long long)t->units, unit, (unsigned long long)t->total_viol, (unsigned long long)t->must,
                (unsigned long long)t->should);
        if (t->total_errors)
            fprintf(f, "; %llu input errors", (unsigned long long)t->total_errors);
        fputs(")\n", f);
        return;
    }
    fprintf(f, "== %s (%s)%s\n", t->path, format_name(t->format), t->opened && !t->complete ? " INCOMPLETE" : "");
    if (!t->opened) {
        fprintf(f, "Result: ERROR: the input could not be read\n\n");
        return;
    }
    if (t->stats)
        xan_stats_print(t->stats, f);
    else
        fprintf(f, "Lines: %llu, netvsc events: %llu\n", (unsigned long long)t->units, (unsigned long long)t->records);
    if (t->nvsp && xan_nvsp_devices(t->nvsp)) {
        fputc('\n', f);
        xan_nvsp_print(t->nvsp, f);
    }
    if (t->total_viol) {
        fprintf(f, "\nViolations: %llu (%llu MUST, %llu SHOULD)\n", (unsigned long long)t->total_viol,
                (unsigned long long)t->must, (unsigned long long)t->should);
        for (size_t i = 0; i < t->nviol; i++)
            print_violation(f, &t->viol[i], unit);
        if (t->total_viol > t->nviol)
            fprintf(f, "  ... %llu more not listed (--max-violations N lists more)\n",
                    (unsigned long long)(t->total_viol - t->nviol));
    }
    uint64_t evals = 0;
    size_t checked = 0, violated = 0;
    for (size_t i = 0; i < t->nrules; i++) {
        evals += t->rules[i].evaluated;
        checked += t->rules[i].evaluated > 0;
        violated += t->rules[i].violated > 0;
    }
    fprintf(f, "\nRules: %zu loaded, %zu evaluated (%llu evaluations), %zu violated", t->nrules, checked,
            (unsigned long long)evals, violated);
    int first = 1;
    for (size_t i = 0; i < t->nrules; i++)
        if (t->rules[i].violated) {
            fprintf(f, "%s%s x%llu", first ? ": " : ", ", t->rules[i].id, (unsigned long long)t->rules[i].violated);
            first = 0;
        }
    fputc('\n', f);
    if (t->checked && (t->cstats.skipped || t->cstats.untracked))
        fprintf(f, "Checker: %llu records skipped (stack deeper than %u or bad point), %llu objects untracked\n",
                (unsigned long long)t->cstats.skipped, XSW_CHECK_MAX_DEPTH, (unsigned long long)t->cstats.untracked);
    if (t->verdicts_written)
        fprintf(f, "Annotated trace: %llu verdict records written to %s\n", (unsigned long long)t->verdicts_written,
                o->annotate);
    if (t->total_errors) {
        fprintf(f, "\nInput errors: %llu", (unsigned long long)t->total_errors);
        if (t->bad_records)
            fprintf(f, " (%llu %ss skipped)", (unsigned long long)t->bad_records, unit);
        fputc('\n', f);
        for (size_t i = 0; i < t->nerrors; i++)
            fprintf(f, "  %s\n", t->errors[i]);
        if (t->total_errors > t->nerrors)
            fprintf(f, "  ... %llu more\n", (unsigned long long)(t->total_errors - t->nerrors));
    }
    fprintf(f, "\nResult: %s", res);
    if (!t->complete)
        fprintf(f, ": the input was not read to its end; everything before %s %llu was analyzed",
                unit, (unsigned long long)t->units + 1);
    fprintf(f, " (%llu MUST, %llu SHOULD violations", (unsigned long long)t->must, (unsigned long long)t->should);
    if (t->total_errors)
        fprintf(f, ", %llu input errors", (unsigned long long)t->total_errors);
    fputs(")\n\n", f);
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void json_viol(FILE *f, const struct xan_viol *v)
{
    fputs("{\"rule\": ", f);
    xan_json_string(f, v->rule);
    fprintf(f, ", \"level\": \"%s\", \"frame\": %llu, \"at_end\": %s, \"extension\": %d, \"class\": ",
            v->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD", (unsigned long long)v->frame, v->at_end ? "true" : "false",
            v->ext);
    xan_json_string(f, v->ext_class);
    fputs(", \"object\": ", f);
    xan_json_string(f, v->object);
    fputs(", \"expected\": ", f);
    xan_json_string(f, v->expected);
    fputs(", \"actual\": ", f);
    xan_json_string(f, v->actual);
    fputs(", \"text\": ", f);
    xan_json_string(f, v->text);
    fputs(", \"source\": ", f);
    xan_json_string(f, v->source);
    fputs(", \"spec\": ", f);
    xan_json_string(f, v->where);
    fprintf(f, ", \"spec_line\": %u, \"related\": [", v->line);
    for (unsigned i = 0; i < v->nrel; i++) {
        fputs(i ? ", {\"what\": " : "{\"what\": ", f);
        xan_json_string(f, v->rel[i].what);
        fprintf(f, ", \"frame\": %llu}", (unsigned long long)v->rel[i].frame);
    }
    fputs("]}", f);
}

static void json_trace(FILE *f, const struct xan_trace *t, const struct xan_options *o)
{
    fputs("    {\"path\": ", f);
    xan_json_string(f, t->path);
    fprintf(f, ", \"format\": \"%s\", \"result\": \"%s\", \"status\": %d, \"complete\": %s, \"units\": %llu, "
               "\"unit\": \"%s\", \"records\": %llu, \"bad_records\": %llu, \"seconds\": %.6f,\n",
            t->format == XAN_FMT_NETVSC_TEXT ? "netvsc-text" : format_name(t->format), xan_result(t, o),
            xan_status(t, o), t->complete ? "true" : "false", (unsigned long long)t->units,
            t->format == XAN_FMT_NETVSC_TEXT ? "line" : "frame", (unsigned long long)t->records,
            (unsigned long long)t->bad_records, t->seconds);
    fprintf(f, "     \"errors_total\": %llu, \"errors\": [", (unsigned long long)t->total_errors);
    for (size_t i = 0; i < t->nerrors; i++) {
        fputs(i ? ", " : "", f);
        xan_json_string(f, t->errors[i]);
    }
    fputs("],\n", f);
    if (t->stats) {
        fputs("     \"summary\": ", f);
        xan_stats_json(t->stats, f);
        fputs(",\n", f);
    }
    if (t->nvsp) {
        fputs("     \"nvsp_devices\": ", f);
        xan_nvsp_json(t->nvsp, f);
        fputs(",\n", f);
    }
    if (t->checked)
        fprintf(f, "     \"checker\": {\"records\": %llu, \"skipped\": %llu, \"evaluations\": %llu, \"untracked\": %llu, "
                   "\"peak_nbls\": %llu},\n",
                (unsigned long long)t->cstats.records, (unsigned long long)t->cstats.skipped,
                (unsigned long long)t->cstats.evaluations, (unsigned long long)t->cstats.untracked,
                (unsigned long long)t->cstats.peak_nbls);
    fputs("     \"rules\": [", f);
    for (size_t i = 0; i < t->nrules; i++) {
        const struct xan_rule *r = &t->rules[i];
        fprintf(f, "%s\n      {\"id\": ", i ? "," : "");
        xan_json_string(f, r->id);
        fprintf(f, ", \"level\": \"%s\", \"evaluated\": %llu, \"violated\": %llu, \"spec\": ",
                r->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD", (unsigned long long)r->evaluated,
                (unsigned long long)r->violated);
        xan_json_string(f, r->where);
        fprintf(f, ", \"spec_line\": %u}", r->line);
    }
    fprintf(f, "],\n     \"violations_total\": %llu, \"must\": %llu, \"should\": %llu, \"violations_listed\": %zu, "
               "\"verdicts_written\": %llu,\n     \"violations\": [",
            (unsigned long long)t->total_viol, (unsigned long long)t->must, (unsigned long long)t->should, t->nviol,
            (unsigned long long)t->verdicts_written);
    for (size_t i = 0; i < t->nviol; i++) {
        fputs(i ? ",\n      " : "\n      ", f);
        json_viol(f, &t->viol[i]);
    }
    fputs("]}", f);
}

int xan_write_json(const char *path, struct xan_trace *const *t, size_t n, const struct xan_options *o, int status)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"tool\": \"xsw-analyze\", \"version\": \"%s\", \"status\": %d, \"spec_dir\": ", XSW_VERSION, status);
    xan_json_string(f, o->spec_dir);
    fputs(", \"rule_filter\": [", f);
    for (unsigned i = 0; i < o->nrules; i++) {
        fputs(i ? ", " : "", f);
        xan_json_string(f, o->rules[i]);
    }
    fputs("], \"strict\": ", f);
    fputs(o->strict ? "true" : "false", f);
    fputs(",\n  \"traces\": [\n", f);
    for (size_t i = 0; i < n; i++) {
        json_trace(f, t[i], o);
        fputs(i + 1 < n ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
    int bad = ferror(f);
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* ---- JUnit -------------------------------------------------------------------------------- */

static int counts_as_failure(const struct xan_rule *r, const struct xan_options *o)
{
    return r->violated && (r->level == XSW_LEVEL_MUST || o->strict);
}

int xan_write_junit(const char *path, struct xan_trace *const *t, size_t n, const struct xan_options *o)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t tests = 0, failures = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        tests += t[i]->nrules + 1;
        errors += xan_status(t[i], o) == 2;
        for (size_t k = 0; k < t[i]->nrules; k++)
            failures += counts_as_failure(&t[i]->rules[k], o);
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"xsw-analyze\" tests=\"%zu\" "
               "failures=\"%zu\" errors=\"%zu\">\n",
            tests, failures, errors);
    for (size_t i = 0; i < n; i++) {
        const struct xan_trace *tr = t[i];
        const char *unit = tr->format == XAN_FMT_NETVSC_TEXT ? "line" : "frame";
        size_t fails = 0, skipped = 0;
        for (size_t k = 0; k < tr->nrules; k++) {
            fails += counts_as_failure(&tr->rules[k], o);
            skipped += !tr->rules[k].evaluated && !tr->rules[k].violated;
        }
        fputs("  <testsuite name=\"", f);
        xan_xml_escape(f, tr->path);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"%zu\" time=\"%.3f\">\n",
                tr->nrules + 1, fails, xan_status(tr, o) == 2, skipped, tr->seconds);
        /* The input itself is a test case: read to its end without errors. */
        fputs("    <testcase classname=\"xsw-analyze.input\" name=\"read ", f);
        xan_xml_escape(f, tr->path);
        fputs("\"", f);
        if (xan_status(tr, o) == 2) {
            fprintf(f, ">\n      <error message=\"%s\" type=\"input\">", !tr->opened ? "the input could not be read"
                                                                         : !tr->complete ? "the input was not read to its end"
                                                                                         : "input errors");
            for (size_t k = 0; k < tr->nerrors; k++) {
                xan_xml_escape(f, tr->errors[k]);
                fputc('\n', f);
            }
            fputs("</error>\n    </testcase>\n", f);
        } else {
            fputs("/>\n", f);
        }
        for (size_t k = 0; k < tr->nrules; k++) {
            const struct xan_rule *r = &tr->rules[k];
            fputs("    <testcase classname=\"xsw-analyze.rules\" name=\"", f);
            xan_xml_escape(f, r->id);
            fprintf(f, " (%s)\"", r->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD");
            if (!r->violated && !r->evaluated) {
                fputs(">\n      <skipped message=\"not evaluated: nothing in the input it applies to\"/>\n    </testcase>\n",
                      f);
                continue;
            }
            if (!r->violated) {
                fputs("/>\n", f);
                continue;
            }
            if (counts_as_failure(r, o))
                fprintf(f, ">\n      <failure message=\"%llu violation%s of %llu evaluation%s\" type=\"%s\">",
                        (unsigned long long)r->violated, r->violated == 1 ? "" : "s", (unsigned long long)r->evaluated,
                        r->evaluated == 1 ? "" : "s", r->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD");
            else /* a SHOULD violation without --strict is reported, not failed */
                fprintf(f, ">\n      <system-out>SHOULD: %llu violation%s of %llu evaluation%s\n",
                        (unsigned long long)r->violated, r->violated == 1 ? "" : "s", (unsigned long long)r->evaluated,
                        r->evaluated == 1 ? "" : "s");
            xan_xml_escape(f, r->text);
            fputc('\n', f);
            for (size_t j = 0; j < tr->nviol; j++) {
                const struct xan_viol *v = &tr->viol[j];
                if (strcmp(v->rule, r->id) != 0)
                    continue;
                fprintf(f, "\n%s %llu%s: ", unit, (unsigned long long)v->frame, v->at_end ? " (end)" : "");
                xan_xml_escape(f, v->object);
                fputs("\nexpected: ", f);
                xan_xml_escape(f, v->expected);
                fputs("\nactual: ", f);
                xan_xml_escape(f, v->actual);
                fputc('\n', f);
            }
            fprintf(f, "</%s>\n    </testcase>\n", counts_as_failure(r, o) ? "failure" : "system-out");
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    int bad = ferror(f);
    return fclose(f) != 0 || bad ? -1 : 0;
}
