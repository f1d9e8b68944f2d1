/*
 * main.c - xsw-switch: run one scenario of the reference switch against a
 * stack of extension drivers and write the trace.
 *
 *   xsw-switch run --extension EXT.so --class CLASS [--extension ...]
 *                  [--scenario NAME] [--vms N] [--packets N] [--chain N]
 *                  [--seed N] [--trace FILE] [--pend-oids] [--record-calls]
 *                  [--snaplen N] [--fail-alloc N] [--quiet]
 *   xsw-switch record --scenario NAME --out FILE [--vms N] [--packets N] [--chain N]
 *                     [--vf-events N] [--seed N] [--synthetic]
 *   xsw-switch replay --recording FILE [--recording DESTINATION-FILE]
 *                     --extension EXT.so --class CLASS [...] --trace FILE
 *   xsw-switch list
 *
 * A recording is a scenario played with no extension: the switch's stimuli.
 * Replay feeds them to the extensions given and records their reactions; a
 * live migration has two recordings (source, then destination host) and
 * two output traces (FILE and FILE-destination).
 *
 * Exit status: 0 when the scenario ran and the harness recorded no finding,
 * 1 when it recorded findings (misuse of NDIS by an extension), 2 on usage or
 * input errors or when the harness could not run the scenario. Conformance
 * verdicts against the specs are xsw-suite's job; this tool is the harness.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsw/scenario.h"
#include "xsw/switch.h"
#include "xsw/version.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xsw-switch run --extension EXT.so --class capture|filter|forward [--extension ...]\n"
            "                      [--scenario NAME] [--vms N] [--packets N] [--chain N] [--seed N]\n"
            "                      [--trace FILE] [--pend-oids] [--record-calls] [--snaplen N]\n"
            "                      [--fail-alloc N] [--synthetic] [--quiet]\n"
            "       xsw-switch record --scenario NAME --out FILE [--vms N] [--packets N] [--chain N]\n"
            "                         [--vf-events N] [--seed N] [--synthetic]\n"
            "       xsw-switch replay --recording FILE [--recording DESTINATION-FILE]\n"
            "                         --extension EXT.so --class CLASS [...] --trace FILE\n"
            "       xsw-switch list\n"
            "       xsw-switch --version\n");
}

static int parse_uint(const char *opt, const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || s[0] == '-' || !s[0] || v > max) {
        fprintf(stderr, "xsw-switch: %s: '%s' is not a number from 0 to %llu\n", opt, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* TRACE.pcap -> TRACE-destination.pcap */
static void destination_path(const char *trace, char *out, size_t cap)
{
    size_t l = strlen(trace);
    int ext = l > 5 && !strcmp(trace + l - 5, ".pcap");
    snprintf(out, cap, "%.*s-destination%s", (int)(ext ? l - 5 : l), trace, ext ? ".pcap" : "");
}

/* Replay one recording, or a live migration's two (source, then destination). */
static int do_replay(struct xsw_switch_config *cfg, const char *const recordings[2], int quiet)
{
    if (!recordings[0] || !cfg->n_ext) {
        fprintf(stderr, "xsw-switch replay: give --recording FILE and at least one --extension\n");
        return 2;
    }
    static char dpath[4300];
    struct xsw_saved_nic carry;
    memset(&carry, 0, sizeof carry);
    unsigned findings = 0;
    int rc = 0;
    for (unsigned h = 0; h < 2 && recordings[h]; h++) {
        struct xsw_switch_config c = *cfg;
        c.scenario = "replay";
        c.params = recordings[h];
        c.record_frames = 1;
        if (h == 1 && cfg->trace_path) {
            destination_path(cfg->trace_path, dpath, sizeof dpath);
            c.trace_path = dpath;
        }
        char err[XSW_ERRBUF_SIZE];
        struct xsw_switch *sw = xsw_switch_new(&c, err, sizeof err);
        if (!sw) {
            fprintf(stderr, "xsw-switch: %s\n", err);
            xsw_saved_nic_free(&carry);
            return 2;
        }
        xsw_replay_give_saved(sw, &carry);
        int r = xsw_replay(sw, recordings[h]);
        if (r) {
            fprintf(stderr, "xsw-switch: replay of %s stopped: %s\n", recordings[h], xsw_switch_error(sw));
            rc = rc ? rc : (xsw_switch_hung(sw) ? 1 : 2);
        }
        xsw_replay_take_saved(sw, &carry);
        findings += xsw_switch_findings(sw, 0);
        if (!quiet)
            printf("replay of %s: %u extension(s): %u finding(s), %llu records in %s\n", recordings[h],
                   xsw_switch_depth(sw), xsw_switch_findings(sw, 0), (unsigned long long)xsw_switch_records(sw),
                   c.trace_path ? c.trace_path : "(no trace)");
        xsw_switch_free(sw);
        if (r)
            break;
    }
    xsw_saved_nic_free(&carry);
    if (findings)
        return 1;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("xsw-switch %s\n", XSW_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "list")) {
        for (const struct xsw_scenario_info *s = xsw_scenarios(); s->name; s++)
            printf("%-16s %s\n", s->name, s->summary);
        return 0;
    }
    int record = !strcmp(argv[1], "record"), replay = !strcmp(argv[1], "replay");
    if (strcmp(argv[1], "run") && !record && !replay) {
        fprintf(stderr, "xsw-switch: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    struct xsw_switch_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.record_frames = 1;
    struct xsw_scenario_params sp = {.vms = 4, .packets = 8, .chain = 4, .seed = 1};
    const char *scenario = "vm-lifecycle";
    const char *recordings[2] = {NULL, NULL};
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long n;
#define NEED_ARG                                                                                                      \
    do {                                                                                                              \
        if (!v) {                                                                                                     \
            fprintf(stderr, "xsw-switch: %s needs an argument\n", a);                                                 \
            return 2;                                                                                                 \
        }                                                                                                             \
        i++;                                                                                                          \
    } while (0)
        if (!strcmp(a, "--extension")) {
            NEED_ARG;
            if (cfg.n_ext == XSW_MAX_EXT) {
                fprintf(stderr, "xsw-switch: at most %d extensions\n", XSW_MAX_EXT);
                return 2;
            }
            cfg.ext[cfg.n_ext++].path = v;
        } else if (!strcmp(a, "--class")) {
            NEED_ARG;
            if (!cfg.n_ext) {
                fprintf(stderr, "xsw-switch: --class applies to the --extension before it\n");
                return 2;
            }
            if (xsw_class_parse(v, &cfg.ext[cfg.n_ext - 1].cls)) {
                fprintf(stderr, "xsw-switch: --class: '%s' is not capture, filter or forward\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--scenario")) {
            NEED_ARG;
            scenario = v;
        } else if (!strcmp(a, "--trace") || (record && !strcmp(a, "--out"))) {
            NEED_ARG;
            cfg.trace_path = v;
        } else if (replay && !strcmp(a, "--recording")) {
            NEED_ARG;
            if (recordings[1]) {
                fprintf(stderr, "xsw-switch: at most two --recording files (a live migration's two hosts)\n");
                return 2;
            }
            recordings[recordings[0] ? 1 : 0] = v;
        } else if (!strcmp(a, "--vf-events")) {
            NEED_ARG;
            if (parse_uint(a, v, 64, &n))
                return 2;
            sp.vf_events = (unsigned)n;
        } else if (!strcmp(a, "--vms")) {
            NEED_ARG;
            if (parse_uint(a, v, 60000, &n))
                return 2;
            sp.vms = (unsigned)n;
        } else if (!strcmp(a, "--packets")) {
            NEED_ARG;
            if (parse_uint(a, v, 10000000, &n))
                return 2;
            sp.packets = (unsigned)n;
        } else if (!strcmp(a, "--chain")) {
            NEED_ARG;
            if (parse_uint(a, v, 64, &n) || n == 0) {
                fprintf(stderr, "xsw-switch: --chain takes 1 to 64\n");
                return 2;
            }
            sp.chain = (unsigned)n;
        } else if (!strcmp(a, "--seed")) {
            NEED_ARG;
            if (parse_uint(a, v, UINT32_MAX, &n))
                return 2;
            sp.seed = (uint32_t)n;
        } else if (!strcmp(a, "--snaplen")) {
            NEED_ARG;
            if (parse_uint(a, v, 65535, &n))
                return 2;
            cfg.snaplen = (uint32_t)n;
        } else if (!strcmp(a, "--fail-alloc")) {
            NEED_ARG;
            if (parse_uint(a, v, UINT32_MAX, &n))
                return 2;
            cfg.fail_alloc_after = n;
        } else if (!strcmp(a, "--pend-oids")) {
            cfg.pend_oids = 1;
        } else if (!strcmp(a, "--synthetic")) {
            cfg.synthetic = 1;
        } else if (!strcmp(a, "--record-calls")) {
            cfg.record_calls = 1;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            fprintf(stderr, "xsw-switch: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    for (unsigned i = 0; i < cfg.n_ext; i++)
        if (cfg.ext[i].cls == XSW_CLASS_UNKNOWN) {
            fprintf(stderr, "xsw-switch: %s: give its class with --class capture|filter|forward\n", cfg.ext[i].path);
            return 2;
        }
    if (record && cfg.n_ext) {
        fprintf(stderr, "xsw-switch record: a recording has no extension (it holds the switch's stimuli)\n");
        return 2;
    }
    if (record && !cfg.trace_path) {
        fprintf(stderr, "xsw-switch record: --out FILE is required\n");
        return 2;
    }
    if (replay)
        return do_replay(&cfg, recordings, quiet);
    char params[256];
    xsw_scenario_params_text(&sp, params, sizeof params);
    cfg.scenario = scenario;
    cfg.params = params;
    char err[XSW_ERRBUF_SIZE];
    if (!strcmp(scenario, "live-migration")) {
        /* Two hosts, two processes, two traces: TRACE and TRACE-destination. */
        struct xsw_switch_config dst = cfg;
        static char dpath[4096];
        if (cfg.trace_path) {
            size_t l = strlen(cfg.trace_path);
            const char *ext = l > 5 && !strcmp(cfg.trace_path + l - 5, ".pcap") ? ".pcap" : "";
            snprintf(dpath, sizeof dpath, "%.*s-destination%s", (int)(l - strlen(ext)), cfg.trace_path, ext);
            dst.trace_path = dpath;
        }
        struct xsw_lm_result res;
        int r = xsw_live_migration_run(&cfg, &dst, &sp, &res, err, sizeof err);
        if (r < 0) {
            fprintf(stderr, "xsw-switch: live migration stopped: %s\n", err);
            return res.findings ? 1 : 2;
        }
        if (!quiet) {
            printf("scenario live-migration: %u extension(s), 2 hosts: %u finding(s)", cfg.n_ext, res.findings);
            if (cfg.trace_path)
                printf(", %llu records in %s", (unsigned long long)res.src_records, cfg.trace_path);
            printf("\n");
        }
        if (cfg.trace_path && !quiet)
            printf("destination host trace: %llu records in %s\n", (unsigned long long)res.dst_records, dpath);
        return r;
    }
    struct xsw_switch *sw = xsw_switch_new(&cfg, err, sizeof err);
    if (!sw) {
        fprintf(stderr, "xsw-switch: %s\n", err);
        return 2;
    }
    int r = xsw_scenario_run(sw, scenario, &sp);
    unsigned findings = xsw_switch_findings(sw, 0);
    uint64_t records = xsw_switch_records(sw);
    if (r)
        fprintf(stderr, "xsw-switch: scenario %s stopped: %s\n", scenario, xsw_switch_error(sw));
    if (!quiet) {
        printf("scenario %s: %u extension(s), %u VM(s): %u finding(s)", scenario, xsw_switch_depth(sw), sp.vms, findings);
        if (cfg.trace_path)
            printf(", %llu records in %s", (unsigned long long)records, cfg.trace_path);
        printf("\n");
    }
    xsw_switch_free(sw);
    /* Findings explain a scenario the extension stopped (hang, OID never completed): exit 1. */
    if (findings)
        return 1;
    return r ? 2 : 0;
}
