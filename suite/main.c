/*
 * main.c - xsw-suite, the certification runner.
 *
 *   xsw-suite run --extension EXT.so [--inf FILE | --class CLASS] [--extension ...]
 *                 [--spec DIR] [--case PATTERN ...] [-j N] [--timeout SECONDS]
 *                 [--strict] [--junit FILE] [--tap FILE] [--json FILE]
 *                 [--traces DIR]
 *   xsw-suite list [--spec DIR]
 *
 * A case is a scenario of the reference switch played against the stack of
 * extensions (stacked in class order, so several --extension options test
 * their interoperation) and checked, online, against the rules that apply
 * to each extension's class. Each case runs in a child process with a time
 * limit: an extension that crashes, aborts or hangs fails that case and the
 * run goes on. Exit status: 0 when every MUST rule holds (and every SHOULD
 * with --strict), 1 on failures, 2 on usage or input errors.
 *
 * The child reports to the parent over a pipe, one line per message with
 * tab-separated, escaped fields:
 *   V rule_index frame at_end ext expected actual object [what frame]...
 *   N records          (records written, at the end)
 *   E message          (the harness could not run the scenario)
 *   T message          (an extension hung: the switch gave up waiting)
 *   D                  (the case ran to its end)
 * A second host (live migration) reports its violations as "W" lines (same
 * fields, judged in the destination host's trace) and ends with "d".
 * rule_index is the rule's index in the spec, whose last rules are the
 * built-in guest NVSP rules (builtin.h): the child feeds every record to the
 * checker and the VMBUS records to those, and both report through V lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "inf.h"
#include "report.h"
#include "sha256.h"
#include "xsw/check.h"
#include "xsw/scenario.h"
#include "xsw/switch.h"
#include "xsw/trace.h"
#include "xsw/version.h"

#ifndef XSW_DEFAULT_SPEC_DIR
#define XSW_DEFAULT_SPEC_DIR "suite/specs"
#endif

#define MAX_PATTERNS 64
#define MAX_JOBS 64

struct case_def {
    const char *name;
    const char *scenario;
    const char *summary;
    struct xsw_scenario_params p;
    int pend_oids;
    uint64_t fail_alloc;
    int synthetic; /* VM NICs on modelled VMBus channels */
};

/* The certification cases. Parameters are part of the certification record. */
static const struct case_def cases[] = {
    {"vm-lifecycle", "vm-lifecycle", "switch start, 4 VMs start, traffic, stop; synchronous OID completion",
     {.vms = 4, .packets = 8, .chain = 4, .seed = 1}, 0, 0, 0},
    {"vm-lifecycle-pended-oids", "vm-lifecycle", "as vm-lifecycle, the miniport edge pends every OID",
     {.vms = 4, .packets = 4, .chain = 2, .seed = 2}, 1, 0, 0},
    {"attach-active", "attach-active", "attach to an active switch with ports and NICs (enumeration)",
     {.vms = 4, .packets = 4, .chain = 4, .seed = 3}, 0, 0, 0},
    {"vm-lifecycle-chains", "vm-lifecycle", "long NBL chains (64) from 3 VMs",
     {.vms = 3, .packets = 128, .chain = 64, .seed = 4}, 0, 0, 0},
    {"save-restore", "save-restore", "VM 0 saved, stopped, restarted on a new port and restored (with a foreign blob)",
     {.vms = 3, .packets = 4, .chain = 2, .seed = 5}, 0, 0, 0},
    {"synthetic-lifecycle", "vm-lifecycle", "as vm-lifecycle, every VM NIC on a VMBus channel (NVSP and RNDIS bring-up, guest traffic as RNDIS packets)",
     {.vms = 3, .packets = 6, .chain = 3, .seed = 9}, 0, 0, 1},
    {"vf-failover", "vf-failover", "SR-IOV VF attach, VF traffic past the extensions, failover back to synthetic",
     {.vms = 2, .packets = 4, .chain = 2, .seed = 10}, 0, 0, 1},
    {"vf-failover-pended-oids", "vf-failover", "as vf-failover, the miniport edge pends every OID",
     {.vms = 2, .packets = 2, .chain = 1, .seed = 11}, 1, 0, 1},
    {"live-migration", "live-migration", "one VM moved between two hosts: validation port, save, teardown, create, restore",
     {.vms = 1, .packets = 2, .chain = 1, .seed = 7}, 0, 0, 0},
    {"live-migration-pended-oids", "live-migration", "as live-migration, the miniport edges pend every OID",
     {.vms = 1, .packets = 2, .chain = 1, .seed = 8}, 1, 0, 0},
    {"save-restore-pended-oids", "save-restore", "as save-restore, the miniport edge pends every OID",
     {.vms = 3, .packets = 2, .chain = 1, .seed = 6}, 1, 0, 0},
    {"fail-alloc-1", "vm-lifecycle", "as vm-lifecycle, the 1st allocation fails (DriverEntry or FilterAttach): refusing to start is correct, leaking is not",
     {.vms = 2, .packets = 4, .chain = 2, .seed = 12}, 0, 1, 0},
    {"fail-alloc-2", "vm-lifecycle", "as vm-lifecycle, the 2nd allocation fails (FilterAttach or FilterRestart)",
     {.vms = 2, .packets = 4, .chain = 2, .seed = 13}, 0, 2, 0},
    {"fail-alloc-12", "vm-lifecycle", "as vm-lifecycle, the 12th allocation fails (switch configuration queries, OID clones)",
     {.vms = 2, .packets = 4, .chain = 2, .seed = 14}, 0, 12, 0},
    {"fail-alloc-20", "vm-lifecycle", "as vm-lifecycle, the 20th allocation fails (OID clones of VM start and stop, data path)",
     {.vms = 2, .packets = 4, .chain = 2, .seed = 15}, 0, 20, 0},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* A case's parameters as the report and `xsw-suite list` give them: the scenario's, then the
 * harness conditions (pended OIDs, the allocation that fails), one "key=value" per line. */
static void case_params_text(const struct case_def *cd, char *out, size_t cap)
{
    xsw_scenario_params_text(&cd->p, out, cap);
    size_t n = strlen(out);
    if (cd->pend_oids && n < cap)
        n += (size_t)snprintf(out + n, cap - n, "pend_oids=1\n");
    if (cd->fail_alloc && n < cap)
        snprintf(out + n, cap - n, "fail_alloc_after=%llu\n", (unsigned long long)cd->fail_alloc);
}

struct options {
    struct xsw_switch_config sw;
    const char *inf[XSW_MAX_EXT];
    const char *spec_dir;
    const char *patterns[MAX_PATTERNS];
    unsigned npatterns;
    unsigned jobs;
    unsigned timeout;
    int strict;
    const char *junit, *tap, *json, *traces;
};

static struct xsw_spec *spec;

/* ---- Line protocol ----------------------------------------------------------------- */

static void put_field(FILE *f, const char *s)
{
    fputc('\t', f);
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\t')
            fputs("\\t", f);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\\')
            fputs("\\\\", f);
        else
            fputc(*p, f);
    }
}

/* Split an escaped line into at most "max" fields (in place); returns the count. */
static unsigned split_line(char *line, char **fields, unsigned max)
{
    unsigned n = 0;
    char *r = line, *w = line;
    fields[n++] = w;
    for (; *r; r++) {
        if (*r == '\t') {
            *w++ = 0;
            if (n == max)
                break;
            fields[n++] = w;
        } else if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = 0;
    return n;
}

/* ---- The child ------------------------------------------------------------------------ */

struct child_ctx {
    FILE *out;
    struct xsw_checker *checker;
    struct xsw_builtin *builtin; /* the guest NVSP rules over the case's VMBUS records */
    struct xsw_switch *sw;
    char tag; /* 'V' for the case's host, 'W' for a live migration's destination host */
};
static struct child_ctx *child;
static int child_host; /* this process is a live migration's destination host */

static void on_violation(void *arg, const struct xsw_violation *v)
{
    struct child_ctx *c = arg;
    fprintf(c->out, "%c\t%zu\t%llu\t%d\t%d", c->tag ? c->tag : 'V', v->rule_index, (unsigned long long)v->frame, v->at_end, v->ext);
    put_field(c->out, v->expected);
    put_field(c->out, v->actual);
    put_field(c->out, v->object);
    for (unsigned i = 0; i < v->nrelated && i < 3; i++) {
        put_field(c->out, v->related[i].what);
        fprintf(c->out, "\t%llu", (unsigned long long)v->related[i].frame);
    }
    fputc('\n', c->out);
    fflush(c->out);
}

static void on_record(void *ctx, const uint8_t *rec, size_t len, uint64_t seq)
{
    struct child_ctx *c = ctx;
    struct xsw_rec r;
    char err[XSW_ERRBUF_SIZE];
    if (xsw_rec_decode(rec, len, &r, err, sizeof err) == 0) {
        xsw_checker_feed(c->checker, &r, seq);
        if (c->builtin)
            xsw_builtin_feed(c->builtin, &r, seq);
    }
}

/* A dying child still leaves a readable trace behind. */
static void child_signal(int sig)
{
    if (child && child->sw)
        xsw_switch_flush(child->sw);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Writes the child's line "TAG<TAB>TEXT" (an error: E, or T for a hung switch). */
static void put_line(FILE *f, const char *tag, const char *text)
{
    fputs(tag, f);
    put_field(f, text);
    fputc('\n', f);
}

/* Creates the checker and the built-in rules of child "c"; -1 after reporting on c->out if memory ran out. */
static int child_open(struct child_ctx *c)
{
    struct xsw_check_config cc;
    xsw_check_config_init(&cc);
    cc.on_violation = on_violation;
    cc.arg = c;
    c->checker = xsw_checker_new(spec, &cc);
    c->builtin = xsw_builtin_new(spec, on_violation, c);
    if (c->checker && c->builtin)
        return 0;
    fprintf(c->out, "E\tout of memory for the checker\n");
    xsw_checker_free(c->checker);
    xsw_builtin_free(c->builtin);
    c->checker = NULL;
    c->builtin = NULL;
    return -1;
}

/* Frees the checker and the built-in rules of child "c" when its switch could not start. */
static void child_abandon(struct child_ctx *c)
{
    xsw_checker_free(c->checker);
    xsw_builtin_free(c->builtin);
    c->checker = NULL;
    c->builtin = NULL;
}

/*
 * Closes the switch of child "c" (its trace is then complete), then lets the checker and the
 * built-in rules judge the end of the trace; returns the number of records the switch wrote.
 */
static uint64_t child_close(struct child_ctx *c)
{
    uint64_t records = xsw_switch_records(c->sw);
    struct xsw_switch *sw = c->sw;
    c->sw = NULL; /* child_signal must not flush a freed switch */
    xsw_switch_free(sw);
    xsw_checker_finish(c->checker);
    xsw_builtin_finish(c->builtin, records);
    child_abandon(c);
    return records;
}

/* TRACE.pcap -> TRACE-destination.pcap */
static void destination_trace(const char *trace, char *out, size_t cap)
{
    size_t l = strlen(trace);
    int ext = l > 5 && !strcmp(trace + l - 5, ".pcap");
    snprintf(out, cap, "%.*s-destination%s", (int)(ext ? l - 5 : l), trace, ext ? ".pcap" : "");
}

static int run_child(const struct options *o, const struct case_def *cd, const char *trace, int fd);
static int run_host(const struct options *o, const struct case_def *cd, const char *trace, FILE *out, int sock,
                    int destination, const char *params);

/*
 * Live migration: the case's process is the source host; it forks the
 * destination host, which has its own switch, trace and checker and writes
 * its violations to the same pipe as "W" lines.
 */
static int run_lm_child(const struct options *o, const struct case_def *cd, const char *trace, int fd)
{
    int sv[2];
    FILE *out = fdopen(fd, "w");
    if (!out)
        return 2;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
        fprintf(out, "E\tsocketpair failed\n");
        return 2;
    }
    char params[256], dtrace[4300];
    xsw_scenario_params_text(&cd->p, params, sizeof params);
    destination_trace(trace, dtrace, sizeof dtrace);
    fflush(out);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        child_host = 1;
        int r = run_host(o, cd, dtrace, out, sv[1], 1, params);
        fprintf(out, "d\n");
        fflush(out);
        _exit(r ? 2 : 0);
    }
    close(sv[1]);
    int r = pid < 0 ? 2 : run_host(o, cd, trace, out, sv[0], 0, params);
    close(sv[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (!r && (!WIFEXITED(status) || WEXITSTATUS(status))) {
        fprintf(out, "E\tthe destination host %s\n",
                WIFSIGNALED(status) ? "crashed (an extension failed on the destination)" : "could not finish");
        r = 2;
    }
    if (!r)
        fprintf(out, "D\n");
    fclose(out);
    return r;
}

static int run_child(const struct options *o, const struct case_def *cd, const char *trace, int fd)
{
    if (!strcmp(cd->scenario, "live-migration"))
        return run_lm_child(o, cd, trace, fd);
    struct child_ctx c = {0};
    child = &c;
    c.out = fdopen(fd, "w");
    if (!c.out)
        return 2;
    if (child_open(&c))
        return 2;
    struct xsw_switch_config cfg = o->sw;
    char params[256];
    xsw_scenario_params_text(&cd->p, params, sizeof params);
    cfg.trace_path = trace;
    cfg.scenario = cd->scenario;
    cfg.params = params;
    cfg.record_frames = 1;
    cfg.pend_oids = cd->pend_oids;
    cfg.fail_alloc_after = cd->fail_alloc;
    cfg.synthetic = cd->synthetic;
    cfg.tap = on_record;
    cfg.tap_ctx = &c;
    char err[XSW_ERRBUF_SIZE];
    c.sw = xsw_switch_new(&cfg, err, sizeof err);
    if (!c.sw) {
        put_line(c.out, "E", err);
        child_abandon(&c);
        return 2;
    }
    signal(SIGSEGV, child_signal);
    signal(SIGBUS, child_signal);
    signal(SIGABRT, child_signal);
    signal(SIGFPE, child_signal);
    signal(SIGILL, child_signal);
    signal(SIGTERM, child_signal);
    int r = xsw_scenario_run(c.sw, cd->scenario, &cd->p);
    if (r)
        put_line(c.out, xsw_switch_hung(c.sw) ? "T" : "E", xsw_switch_error(c.sw));
    uint64_t records = child_close(&c);
    fprintf(c.out, "N\t%llu\n", (unsigned long long)records);
    if (!r)
        fprintf(c.out, "D\n");
    fclose(c.out);
    return r ? 2 : 0;
}

/*
 * One live-migration host in this process: its own switch (trace "trace"),
 * checker and role. Violations go to "out" as V (source) or W (destination).
 */
static int run_host(const struct options *o, const struct case_def *cd, const char *trace, FILE *out, int sock,
                    int destination, const char *params)
{
    struct child_ctx c = {0};
    child = &c;
    c.out = out;
    c.tag = destination ? 'W' : 'V';
    if (child_open(&c))
        return 2;
    struct xsw_switch_config cfg = o->sw;
    cfg.trace_path = trace;
    cfg.scenario = destination ? "live-migration-destination" : "live-migration-source";
    cfg.params = params;
    cfg.record_frames = 1;
    cfg.pend_oids = cd->pend_oids;
    cfg.tap = on_record;
    cfg.tap_ctx = &c;
    char err[XSW_ERRBUF_SIZE];
    c.sw = xsw_switch_new(&cfg, err, sizeof err);
    if (!c.sw) {
        put_line(out, "E", err);
        child_abandon(&c);
        return 2;
    }
    signal(SIGSEGV, child_signal);
    signal(SIGBUS, child_signal);
    signal(SIGABRT, child_signal);
    signal(SIGTERM, child_signal);
    int r = destination ? xsw_live_migration_destination(c.sw, sock, &cd->p)
                        : xsw_live_migration_source(c.sw, sock, &cd->p);
    if (r) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s host: %s", destination ? "destination" : "source", xsw_switch_error(c.sw));
        put_line(out, xsw_switch_hung(c.sw) ? "T" : "E", msg);
    }
    uint64_t records = child_close(&c);
    if (!destination)
        fprintf(out, "N\t%llu\n", (unsigned long long)records);
    fflush(out);
    return r ? 2 : 0;
}

/* ---- The parent --------------------------------------------------------------------------- */

struct job {
    pid_t pid;
    int fd;
    size_t ci;
    struct timeval start;
    char buf[1 << 16];
    size_t len;
    int done_line, term_sent, hung;
};

static double elapsed(const struct timeval *t0)
{
    struct timeval t;
    gettimeofday(&t, NULL);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_usec - t0->tv_usec) / 1e6;
}

static void add_violation(struct xsw_case_result *c, char **f, unsigned n)
{
    if (n < 8)
        return;
    if (c->nv == c->capv) {
        size_t ncap = c->capv ? c->capv * 2 : 16;
        struct xsw_result_violation *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return;
        c->v = nv;
        c->capv = ncap;
    }
    struct xsw_result_violation *v = &c->v[c->nv];
    memset(v, 0, sizeof *v);
    v->host = f[0][0] == 'W';
    v->rule_index = strtoul(f[1], NULL, 10);
    if (v->rule_index >= xsw_spec_rule_count(spec))
        return;
    v->frame = strtoull(f[2], NULL, 10);
    v->at_end = atoi(f[3]);
    v->ext = atoi(f[4]);
    v->expected = strdup(f[5]);
    v->actual = strdup(f[6]);
    v->object = strdup(f[7]);
    for (unsigned i = 8; i + 1 < n && v->nrel < 3; i += 2) {
        snprintf(v->rel[v->nrel].what, sizeof v->rel[v->nrel].what, "%s", f[i]);
        v->rel[v->nrel].frame = strtoull(f[i + 1], NULL, 10);
        v->nrel++;
    }
    c->nv++;
    if (xsw_spec_rule(spec, v->rule_index)->level == XSW_LEVEL_MUST)
        c->must++;
    else
        c->should++;
}

static void parse_lines(struct job *j, struct xsw_case_result *c, int final)
{
    size_t start = 0;
    for (size_t i = 0; i < j->len; i++) {
        if (j->buf[i] != '\n')
            continue;
        j->buf[i] = 0;
        char *f[16];
        unsigned n = split_line(j->buf + start, f, 16);
        if (!strcmp(f[0], "V") || !strcmp(f[0], "W"))
            add_violation(c, f, n);
        else if (!strcmp(f[0], "N") && n > 1)
            c->records = strtoull(f[1], NULL, 10);
        else if ((!strcmp(f[0], "E") || !strcmp(f[0], "T")) && n > 1) {
            snprintf(c->detail, sizeof c->detail, "%s", f[1]);
            j->hung |= f[0][0] == 'T';
        }
        else if (!strcmp(f[0], "D"))
            j->done_line = 1;
        start = i + 1;
    }
    memmove(j->buf, j->buf + start, j->len - start);
    j->len -= start;
    if (final && j->len == sizeof j->buf)
        j->len = 0;
}

static int start_job(const struct options *o, struct job *j, const struct case_def *cd, struct xsw_case_result *res)
{
    int p[2];
    if (pipe(p))
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        setpgid(0, 0);
        _exit(run_child(o, cd, res->trace, p[1]));
    }
    close(p[1]);
    memset(j, 0, sizeof *j);
    j->pid = pid;
    j->fd = p[0];
    gettimeofday(&j->start, NULL);
    return 0;
}

static void finish_job(struct job *j, struct xsw_case_result *c, int status, int timed_out, unsigned timeout)
{
    parse_lines(j, c, 1);
    close(j->fd);
    c->seconds = elapsed(&j->start);
    if (timed_out) {
        c->end = XSW_END_TIMEOUT;
        snprintf(c->detail, sizeof c->detail, "no result after %u s (an extension hangs?)", timeout);
    } else if (j->hung) {
        c->end = XSW_END_TIMEOUT; /* the detail from the child says where it hung */
    } else if (WIFSIGNALED(status)) {
        c->end = XSW_END_CRASH;
        snprintf(c->detail, sizeof c->detail, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else if (!j->done_line) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && c->detail[0]) {
            c->end = XSW_END_HARNESS;
        } else {
            c->end = XSW_END_CRASH;
            snprintf(c->detail, sizeof c->detail, "the case stopped early with exit status %d",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
    }
}

static void decide(struct xsw_case_result *c, int strict)
{
    c->passed = c->end == XSW_END_OK && c->must == 0 && (!strict || c->should == 0);
}

static int selected(const struct options *o, const char *name)
{
    if (!o->npatterns)
        return 1;
    for (unsigned i = 0; i < o->npatterns; i++)
        if (!fnmatch(o->patterns[i], name, 0)) /* an exact name or a glob such as 'vm-*' */
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The spec files, in load order (every *.yaml in name order, as xsw_spec_load_dir), with their digests. */
static int list_specs(const char *dir, struct xsw_run_report *rep)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char *names[1024];
    size_t n = 0;
    struct dirent *e;
    while (n < 1024 && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    rep->specs = calloc(n ? n : 1, sizeof *rep->specs);
    for (size_t i = 0; i < n; i++) {
        snprintf(rep->specs[i].path, sizeof rep->specs[i].path, "%s/%s", dir, names[i]);
        if (xsw_sha256_file(rep->specs[i].path, rep->specs[i].sha256))
            snprintf(rep->specs[i].sha256, sizeof rep->specs[i].sha256, "unreadable");
        free(names[i]);
    }
    rep->nspecs = n;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xsw-suite run --extension EXT.so [--inf FILE | --class capture|filter|forward]\n"
            "                     [--extension ...] [--spec DIR] [--case PATTERN ...] [-j N]\n"
            "                     [--timeout SECONDS] [--strict] [--junit FILE] [--tap FILE]\n"
            "                     [--json FILE] [--traces DIR]\n"
            "       xsw-suite list [--spec DIR]\n"
            "       xsw-suite --version\n");
}

static int parse_num(const char *opt, const char *s, unsigned long max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || !*s || s[0] == '-' || v == 0 || v > max) {
        fprintf(stderr, "xsw-suite: %s: '%s' is not a number from 1 to %lu\n", opt, s, max);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int load_spec(const char *dir)
{
    char err[2048];
    spec = xsw_spec_new();
    if (!spec || xsw_spec_load_dir(spec, dir, err, sizeof err)) {
        fprintf(stderr, "xsw-suite: %s\n", spec ? err : "out of memory");
        return -1;
    }
    if (!xsw_spec_rule_count(spec)) {
        fprintf(stderr, "xsw-suite: %s: no rules (no *.yaml files?)\n", dir);
        return -1;
    }
    /* After the YAML rules, so their indices do not depend on the built-in ones. */
    if (xsw_builtin_register(spec, err, sizeof err)) {
        fprintf(stderr, "xsw-suite: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    const char *dir = getenv("XSW_SPEC_DIR") ? getenv("XSW_SPEC_DIR") : XSW_DEFAULT_SPEC_DIR;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--spec") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "xsw-suite list: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (load_spec(dir))
        return 2;
    printf("Cases:\n");
    for (size_t i = 0; i < NCASES; i++) {
        char params[256];
        case_params_text(&cases[i], params, sizeof params);
        for (char *s = params; *s; s++)
            if (*s == '\n')
                *s = s[1] ? ' ' : '\0';
        printf("  %-26s %s\n  %-26s scenario %s, %s\n", cases[i].name, cases[i].summary, "", cases[i].scenario,
               params);
    }
    size_t nbuiltin = 0;
    for (size_t i = 0; i < xsw_spec_rule_count(spec); i++)
        nbuiltin += xsw_spec_rule(spec, i)->builtin != 0;
    printf("Rules (%zu): %zu from %s, %zu built in (%s)\n", xsw_spec_rule_count(spec),
           xsw_spec_rule_count(spec) - nbuiltin, dir, nbuiltin, "guest NVSP rules, analyzer/nvsp_rules.def");
    for (size_t i = 0; i < xsw_spec_rule_count(spec); i++) {
        const struct xsw_rule_info *r = xsw_spec_rule(spec, i);
        printf("  %-14s %-6s %-24s %s\n", r->id, r->level == XSW_LEVEL_MUST ? "MUST" : "SHOULD", r->classes, r->text);
    }
    xsw_spec_free(spec);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("xsw-suite %s\n", XSW_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "list"))
        return cmd_list(argc, argv);
    if (strcmp(argv[1], "run")) {
        fprintf(stderr, "xsw-suite: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    struct options o;
    memset(&o, 0, sizeof o);
    o.spec_dir = getenv("XSW_SPEC_DIR") ? getenv("XSW_SPEC_DIR") : XSW_DEFAULT_SPEC_DIR;
    o.jobs = 1;
    o.timeout = 60;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strncmp(a, "-j", 2) && a[2]) {
            /* -jN as make accepts it */
            if (parse_num("-j", a + 2, MAX_JOBS, &o.jobs))
                return 2;
            continue;
        }
        int takes = !strcmp(a, "--extension") || !strcmp(a, "--inf") || !strcmp(a, "--class") ||
                    !strcmp(a, "--spec") || !strcmp(a, "--case") || !strcmp(a, "-j") || !strcmp(a, "--timeout") ||
                    !strcmp(a, "--junit") || !strcmp(a, "--tap") || !strcmp(a, "--json") || !strcmp(a, "--traces");
        if (takes && !v) {
            fprintf(stderr, "xsw-suite: %s needs an argument\n", a);
            return 2;
        }
        if (takes)
            i++;
        if (!strcmp(a, "--extension")) {
            if (o.sw.n_ext == XSW_MAX_EXT) {
                fprintf(stderr, "xsw-suite: at most %d extensions\n", XSW_MAX_EXT);
                return 2;
            }
            o.sw.ext[o.sw.n_ext++].path = v;
        } else if (!strcmp(a, "--class") || !strcmp(a, "--inf")) {
            if (!o.sw.n_ext) {
                fprintf(stderr, "xsw-suite: %s applies to the --extension before it\n", a);
                return 2;
            }
            struct xsw_ext_spec *e = &o.sw.ext[o.sw.n_ext - 1];
            const char *cls = v;
            char buf[128], err[1024];
            if (!strcmp(a, "--inf")) {
                int media = 0;
                if (xsw_inf_read_class(v, buf, sizeof buf, &media, err, sizeof err)) {
                    fprintf(stderr, "xsw-suite: %s\n", err);
                    return 2;
                }
                if (!media)
                    fprintf(stderr, "xsw-suite: warning: %s: FilterMediaTypes does not include vmnetextension\n", v);
                o.inf[o.sw.n_ext - 1] = v;
                cls = buf;
            }
            if (xsw_class_parse(cls, &e->cls)) {
                fprintf(stderr, "xsw-suite: %s: FilterClass '%s' is not ms_switch_capture, ms_switch_filter or ms_switch_forward\n",
                        v, cls);
                return 2;
            }
        } else if (!strcmp(a, "--spec")) {
            o.spec_dir = v;
        } else if (!strcmp(a, "--case")) {
            if (o.npatterns == MAX_PATTERNS) {
                fprintf(stderr, "xsw-suite: at most %d --case patterns\n", MAX_PATTERNS);
                return 2;
            }
            o.patterns[o.npatterns++] = v;
        } else if (!strcmp(a, "-j")) {
            if (parse_num(a, v, MAX_JOBS, &o.jobs))
                return 2;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_num(a, v, 86400, &o.timeout))
                return 2;
        } else if (!strcmp(a, "--strict")) {
            o.strict = 1;
        } else if (!strcmp(a, "--junit")) {
            o.junit = v;
        } else if (!strcmp(a, "--tap")) {
            o.tap = v;
        } else if (!strcmp(a, "--json")) {
            o.json = v;
        } else if (!strcmp(a, "--traces")) {
            o.traces = v;
        } else {
            fprintf(stderr, "xsw-suite: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!o.sw.n_ext) {
        fprintf(stderr, "xsw-suite: no --extension given\n");
        usage(stderr);
        return 2;
    }
    for (unsigned i = 0; i < o.sw.n_ext; i++) {
        if (o.sw.ext[i].cls == XSW_CLASS_UNKNOWN) {
            fprintf(stderr, "xsw-suite: %s: give its class with --inf FILE or --class capture|filter|forward\n",
                    o.sw.ext[i].path);
            return 2;
        }
        if (access(o.sw.ext[i].path, R_OK)) {
            fprintf(stderr, "xsw-suite: %s: %s\n", o.sw.ext[i].path, strerror(errno));
            return 2;
        }
    }
    if (load_spec(o.spec_dir))
        return 2;

    struct xsw_run_report rep;
    memset(&rep, 0, sizeof rep);
    rep.spec = spec;
    rep.strict = o.strict;
    if (list_specs(o.spec_dir, &rep)) {
        fprintf(stderr, "xsw-suite: %s: cannot list the spec folder\n", o.spec_dir);
        return 2;
    }
    char command[4096] = "";
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(command);
        snprintf(command + l, sizeof command - l, "%s%s", i ? " " : "", argv[i]);
    }
    rep.command = command;
    time_t now = time(NULL);
    strftime(rep.started, sizeof rep.started, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    /* The stack order the switch uses: class order, command-line order within a class. */
    static const enum xsw_ext_class order[] = {XSW_CLASS_CAPTURE, XSW_CLASS_FILTER, XSW_CLASS_FORWARD};
    for (unsigned c = 0; c < 3; c++)
        for (unsigned i = 0; i < o.sw.n_ext; i++)
            if (o.sw.ext[i].cls == order[c]) {
                struct xsw_ext_desc *d = &rep.ext[rep.next++];
                d->path = o.sw.ext[i].path;
                const char *b = strrchr(d->path, '/');
                d->name = b ? b + 1 : d->path;
                d->cls = xsw_class_name(o.sw.ext[i].cls);
                d->inf = o.inf[i];
                if (xsw_sha256_file(d->path, d->sha256)) {
                    fprintf(stderr, "xsw-suite: %s: cannot read\n", d->path);
                    return 2;
                }
            }

    char tracedir[PATH_MAX];
    if (o.traces) {
        if (mkdir(o.traces, 0755) && errno != EEXIST) {
            fprintf(stderr, "xsw-suite: --traces %s: %s\n", o.traces, strerror(errno));
            return 2;
        }
        snprintf(tracedir, sizeof tracedir, "%s", o.traces);
    } else {
        snprintf(tracedir, sizeof tracedir, "/tmp/xsw-suite-XXXXXX");
        if (!mkdtemp(tracedir)) {
            fprintf(stderr, "xsw-suite: cannot create a folder for the traces: %s\n", strerror(errno));
            return 2;
        }
    }

    rep.cases = calloc(NCASES, sizeof *rep.cases);
    size_t sel[NCASES], nsel = 0;
    for (size_t i = 0; i < NCASES; i++)
        if (selected(&o, cases[i].name))
            sel[nsel++] = i;
    if (!nsel) {
        fprintf(stderr, "xsw-suite: no case matches the --case patterns (xsw-suite list shows them)\n");
        return 2;
    }
    for (size_t k = 0; k < nsel; k++) {
        struct xsw_case_result *c = &rep.cases[k];
        const struct case_def *cd = &cases[sel[k]];
        c->name = cd->name;
        c->scenario = cd->scenario;
        c->summary = cd->summary;
        case_params_text(cd, c->params, sizeof c->params);
        snprintf(c->trace, sizeof c->trace, "%s/%s.pcap", tracedir, cd->name);
        if (!strcmp(cd->scenario, "live-migration"))
            destination_trace(c->trace, c->trace2, sizeof c->trace2);
    }
    rep.ncases = nsel;

    struct timeval t0;
    gettimeofday(&t0, NULL);
    static struct job jobs[MAX_JOBS];
    unsigned running = 0;
    size_t next = 0, printed = 0;
    int *finished = calloc(nsel, sizeof *finished);
    while (next < nsel || running) {
        while (running < o.jobs && next < nsel) {
            struct job *j = NULL;
            for (unsigned k = 0; k < o.jobs; k++)
                if (!jobs[k].pid || jobs[k].pid == -1) {
                    j = &jobs[k];
                    break;
                }
            if (!j || start_job(&o, j, &cases[sel[next]], &rep.cases[next])) {
                fprintf(stderr, "xsw-suite: cannot start a child process: %s\n", strerror(errno));
                return 2;
            }
            j->ci = next++;
            running++;
        }
        struct pollfd pf[MAX_JOBS];
        unsigned map[MAX_JOBS], np = 0;
        for (unsigned k = 0; k < o.jobs; k++)
            if (jobs[k].pid > 0) {
                pf[np].fd = jobs[k].fd;
                pf[np].events = POLLIN;
                map[np++] = k;
            }
        poll(pf, np, 200);
        for (unsigned q = 0; q < np; q++) {
            struct job *j = &jobs[map[q]];
            struct xsw_case_result *c = &rep.cases[j->ci];
            int eof = 0;
            if (pf[q].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = read(j->fd, j->buf + j->len, sizeof j->buf - j->len);
                if (n > 0) {
                    j->len += (size_t)n;
                    parse_lines(j, c, 0);
                    if (j->len == sizeof j->buf)
                        j->len = 0; /* a line longer than the buffer: drop it */
                } else if (n == 0 || (n < 0 && errno != EINTR)) {
                    eof = 1;
                }
            }
            double t = elapsed(&j->start);
            int timed_out = 0;
            if (!eof && t > o.timeout) {
                if (!j->term_sent) {
                    kill(-j->pid, SIGTERM);
                    j->term_sent = 1;
                } else if (t > o.timeout + 3) {
                    kill(-j->pid, SIGKILL);
                }
                timed_out = 1;
            }
            if (eof || (timed_out && t > o.timeout + 3)) {
                int status = 0;
                if (!eof)
                    kill(-j->pid, SIGKILL);
                waitpid(j->pid, &status, 0);
                finish_job(j, c, status, j->term_sent, o.timeout);
                decide(c, o.strict);
                j->pid = -1;
                running--;
                finished[j->ci] = 1;
            }
        }
        while (printed < nsel && finished[printed]) {
            xsw_report_text_case(stdout, &rep, &rep.cases[printed]);
            fflush(stdout);
            printed++;
        }
    }
    rep.seconds = elapsed(&t0);
    for (size_t k = 0; k < nsel; k++) {
        if (rep.cases[k].passed)
            rep.passed++;
        else
            rep.failed++;
    }
    int io = 0;
    if (o.junit && xsw_report_junit(o.junit, &rep)) {
        fprintf(stderr, "xsw-suite: --junit %s: %s\n", o.junit, strerror(errno));
        io = 1;
    }
    if (o.tap && xsw_report_tap(o.tap, &rep)) {
        fprintf(stderr, "xsw-suite: --tap %s: %s\n", o.tap, strerror(errno));
        io = 1;
    }
    if (o.json && xsw_report_json(o.json, &rep)) {
        fprintf(stderr, "xsw-suite: --json %s: %s\n", o.json, strerror(errno));
        io = 1;
    }
    printf("traces: %s\n", tracedir);
    printf("%u passed, %u failed\n", rep.passed, rep.failed);
    for (size_t k = 0; k < nsel; k++) {
        for (size_t i = 0; i < rep.cases[k].nv; i++) {
            free(rep.cases[k].v[i].expected);
            free(rep.cases[k].v[i].actual);
            free(rep.cases[k].v[i].object);
        }
        free(rep.cases[k].v);
    }
    free(rep.cases);
    free(rep.specs);
    free(finished);
    xsw_spec_free(spec);
    if (io)
        return 2;
    return rep.failed ? 1 : 0;
}
