/*
 * run.c - analysis of one xsw trace (pcap or pcapng of link type 252,
 * docs/trace-format.md), in one streaming pass.
 *
 * Frames are read directly with libpcap (pcap_next_ex, pcap(3PCAP)) rather
 * than through the lib/ reader because --annotate needs each frame's raw
 * bytes and pcap header to copy them; every frame is still stripped and
 * decoded by lib/ (xsw_exp_pdu_strip_at, xsw_rec_decode_at: bounds-checked,
 * the same messages and offsets as the lib reader). Each record then feeds
 * the summary (stats.c), the one checker engine (suite/check.c) and, for
 * VMBUS records, the guest NVSP rules (nvsp.c).
 *
 * Errors keep the lib reader's two kinds apart (docs/trace-format.md §7): a
 * frame that does not decode spoils only itself (warning with frame and
 * offset, the analysis goes on); a file that cannot be read further ends the
 * analysis (INCOMPLETE). Everything before the failure is analyzed and
 * reported either way.
 *
 * --annotate writes a copy of the trace with a VERDICT record (kind 16,
 * point XSW_POINT_ANALYZER) after each frame a rule judged: parent = seq of
 * the judged record, judged_frame = its frame number in the output file.
 * What the checker can only find later (end of trace, end of a scenario when
 * a new META starts, OID timeouts) is written where it is found, with
 * judged_frame pointing back (docs/analyzer.md "Annotated traces").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "analyze.h"
#include "bytes.h"
#include "trace_int.h"

#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16
#define VERDICT_TEXT_MAX 2048
/*
 * Stdio buffer for the trace: libpcap reads a savefile through its FILE,
 * whose default buffer (st_blksize, 4 KiB) costs a read(2) per 4 KiB.
 * 64 KiB cuts the system time in half on the benchmark trace; much larger
 * buffers were slower (analyzer/bench.sh, docs/analyzer.md "Benchmark").
 */
#define READ_BUF_SIZE (64u << 10)
#define MAX_SEQ_BREAKS (1u << 20)

static const uint8_t exp_pdu_prefix[XSW_EXP_PDU_PREFIX_LEN] = {
    0, XSW_EXP_PDU_TAG_DISSECTOR_NAME, 0, 4, 'x', 's', 'w', 0, 0, 0, 0, 0,
};

/* A verdict waiting to be written (the checker's strings die with its callback). */
struct pending {
    char rule[64];
    uint8_t level;
    int at_end;
    uint64_t judged;   /* input frame */
    char *text;
};

/* "count" verdicts were written before input frame "before". */
struct insertion {
    uint64_t before, cum;
};

/* From input frame "frame" on, seq = seq0 + (frame - frame0), until the next entry. */
struct seqbreak {
    uint64_t frame, seq;
};

struct run {
    const struct xan_options *o;
    struct xan_trace *t;
    struct xsw_checker *chk;
    pcap_t *p;
    uint64_t offset; /* file offset of the next frame header (pcap only) */
    int classic;
    /* current frame */
    uint64_t frame, ts;
    const struct xsw_rec *rec;
    int nomem;
    /* annotation */
    pcap_t *dead;
    pcap_dumper_t *dump;
    struct pcap_pkthdr last_hdr;
    char *iobuf; /* stdio buffer of the trace's FILE, freed after pcap_close */
    struct pending *q;
    size_t nq, capq;
    struct insertion *ins;
    size_t nins, capins;
    struct seqbreak *sb;
    size_t nsb, capsb;
    int sb_full;
    uint8_t *vbuf;
    uint8_t *metabuf;
    size_t metacap;
};

/* ---- Frame and seq maps for judged_frame / parent of verdicts -------------------------- */

static uint64_t inserted_before(const struct run *r, uint64_t in_frame)
{
    /* Last insertion with before <= in_frame (entries are in nondecreasing order). */
    size_t lo = 0, hi = r->nins;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->ins[mid].before <= in_frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? r->ins[lo - 1].cum : 0;
}

static int note_insertion(struct run *r, uint64_t before, uint64_t n)
{
    if (!n)
        return 0;
    uint64_t cum = (r->nins ? r->ins[r->nins - 1].cum : 0) + n;
    if (r->nins && r->ins[r->nins - 1].before == before) {
        r->ins[r->nins - 1].cum = cum;
        return 0;
    }
    if (r->nins == r->capins) {
        size_t nc = r->capins ? r->capins * 2 : 64;
        struct insertion *ni = realloc(r->ins, nc * sizeof *ni);
        if (!ni)
            return -1;
        r->ins = ni;
        r->capins = nc;
    }
    r->ins[r->nins].before = before;
    r->ins[r->nins].cum = cum;
    r->nins++;
    return 0;
}

static void note_seq(struct run *r, uint64_t frame, uint64_t seq)
{
    if (r->nsb) {
        const struct seqbreak *b = &r->sb[r->nsb - 1];
        if (b->seq + (frame - b->frame) == seq)
            return;
    }
    if (r->sb_full)
        return;
    if (r->nsb == MAX_SEQ_BREAKS) {
        r->sb_full = 1;
        return;
    }
    if (r->nsb == r->capsb) {
        size_t nc = r->capsb ? r->capsb * 2 : 64;
        struct seqbreak *n = realloc(r->sb, nc * sizeof *n);
        if (!n) {
            r->sb_full = 1;
            return;
        }
        r->sb = n;
        r->capsb = nc;
    }
    r->sb[r->nsb].frame = frame;
    r->sb[r->nsb].seq = seq;
    r->nsb++;
}

/* Seq of the record in input frame "frame", 0 if unknown. */
static uint64_t seq_of(const struct run *r, uint64_t frame)
{
    size_t lo = 0, hi = r->nsb;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->sb[mid].frame <= frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo || (r->sb_full && lo == r->nsb))
        return 0;
    return r->sb[lo - 1].seq + (frame - r->sb[lo - 1].frame);
}

/* ---- Violations ----------------------------------------------------------------------- */

static void verdict_text(char *buf, size_t len, const struct xan_viol *v)
{
    snprintf(buf, len, "%s%s%sexpected %s; actual %s", v->at_end ? "at the end of the trace: " : "",
             v->object && v->object[0] ? v->object : "", v->object && v->object[0] ? ": " : "",
             v->expected ? v->expected : "", v->actual ? v->actual : "");
}

static void queue_verdict(struct run *r, const struct xan_viol *v)
{
    if (!r->dump)
        return;
    if (r->nq == r->capq) {
        size_t nc = r->capq ? r->capq * 2 : 16;
        struct pending *nq = realloc(r->q, nc * sizeof *nq);
        if (!nq) {
            r->nomem = 1;
            return;
        }
        r->q = nq;
        r->capq = nc;
    }
    struct pending *p = &r->q[r->nq];
    snprintf(p->rule, sizeof p->rule, "%s", v->rule);
    p->level = (uint8_t)v->level;
    p->at_end = v->at_end;
    /* An end-of-trace finding judges its object: the frame where it was first seen. */
    p->judged = v->at_end && v->nrel && v->rel[0].frame ? v->rel[0].frame : v->frame;
    char tx[VERDICT_TEXT_MAX];
    verdict_text(tx, sizeof tx, v);
    p->text = strdup(tx);
    if (!p->text) {
        r->nomem = 1;
        return;
    }
    r->nq++;
}

static void add(struct run *r, const struct xan_viol *v)
{
    if (!xan_rule_selected(r->o, v->rule))
        return;
    if (xan_add_violation(r->t, v))
        r->nomem = 1;
    queue_verdict(r, v);
}

static void on_check_violation(void *arg, const struct xsw_violation *cv)
{
    struct run *r = arg;
    struct xan_viol v;
    memset(&v, 0, sizeof v);
    v.rule = cv->rule->id;
    v.level = cv->rule->level;
    v.text = cv->rule->text;
    v.source = cv->rule->source;
    v.where = cv->rule->file;
    v.line = cv->rule->line;
    v.frame = cv->frame;
    v.at_end = cv->at_end;
    v.ext = cv->ext;
    v.ext_class = cv->ext_class;
    v.expected = cv->expected;
    v.actual = cv->actual;
    v.object = cv->object;
    v.nrel = cv->nrelated > 3 ? 3 : cv->nrelated;
    for (unsigned i = 0; i < v.nrel; i++)
        v.rel[i] = cv->related[i];
    add(r, &v);
}

static void on_nvsp_violation(void *arg, const struct xan_viol *v)
{
    add(arg, v);
}

/* ---- Annotated output --------------------------------------------------------------------- */

static int write_verdict(struct run *r, const struct pending *p, const struct pcap_pkthdr *like)
{
    uint64_t out_frame = p->judged + inserted_before(r, p->judged);
    size_t rl = strlen(p->rule), tl = strlen(p->text);
    size_t rec_len = XSW_REC_HDR_LEN + XSW_VD_BODY_LEN + rl + tl;
    uint8_t *b = r->vbuf;
    memset(b, 0, XSW_EXP_PDU_PREFIX_LEN + XSW_REC_HDR_LEN + XSW_VD_BODY_LEN);
    memcpy(b, exp_pdu_prefix, sizeof exp_pdu_prefix);
    uint8_t *h = b + XSW_EXP_PDU_PREFIX_LEN;
    h[XSW_OFF_VERSION] = XSW_TRACE_VERSION;
    h[XSW_OFF_KIND] = XSW_K_VERDICT;
    xsw_st_le16(h + XSW_OFF_HDR_LEN, XSW_REC_HDR_LEN);
    xsw_st_le32(h + XSW_OFF_REC_LEN, (uint32_t)rec_len);
    /* Verdicts are not harness records: seq 0 (docs/analyzer.md). */
    xsw_st_le64(h + XSW_OFF_SEQ, 0);
    h[XSW_OFF_POINT] = XSW_POINT_ANALYZER;
    h[XSW_OFF_DEPTH] = r->rec ? r->rec->depth : 0;
    h[XSW_OFF_ACTOR] = XSW_ACTOR_SWITCH;
    if (r->rec && p->judged == r->frame) {
        xsw_st_le32(h + XSW_OFF_PORT, r->rec->port_id);
        xsw_st_le16(h + XSW_OFF_NIC, r->rec->nic_index);
    }
    xsw_st_le64(h + XSW_OFF_PARENT, seq_of(r, p->judged));
    uint8_t *bd = h + XSW_REC_HDR_LEN;
    bd[XSW_VD_OFF_LEVEL] = p->level;
    bd[XSW_VD_OFF_OUTCOME] = 0;
    xsw_st_le16(bd + XSW_VD_OFF_RULE_LEN, (uint16_t)rl);
    xsw_st_le32(bd + XSW_VD_OFF_JUDGED_FRAME, (uint32_t)(out_frame > 0xFFFFFFFFu ? 0 : out_frame));
    xsw_st_le32(bd + XSW_VD_OFF_TEXT_LEN, (uint32_t)tl);
    memcpy(bd + XSW_VD_BODY_LEN, p->rule, rl);
    memcpy(bd + XSW_VD_BODY_LEN + rl, p->text, tl);
    struct pcap_pkthdr ph;
    memset(&ph, 0, sizeof ph);
    ph.ts = like->ts;
    ph.caplen = ph.len = (bpf_u_int32)(XSW_EXP_PDU_PREFIX_LEN + rec_len);
    pcap_dump((u_char *)r->dump, &ph, b);
    r->t->verdicts_written++;
    return 0;
}

/* Write the queued verdicts with at_end == "at_end" (they are placed before input frame "before"). */
static void flush_verdicts(struct run *r, int at_end, uint64_t before, const struct pcap_pkthdr *like)
{
    uint64_t n = 0;
    for (size_t i = 0; i < r->nq; i++)
        if (r->q[i].at_end == at_end && r->q[i].text) {
            write_verdict(r, &r->q[i], like);
            free(r->q[i].text);
            r->q[i].text = NULL;
            n++;
        }
    if (note_insertion(r, before, n))
        r->nomem = 1;
    size_t k = 0;
    for (size_t i = 0; i < r->nq; i++)
        if (r->q[i].text)
            r->q[k++] = r->q[i];
    r->nq = k;
}

static int open_annotate(struct run *r)
{
    r->dead = pcap_open_dead(XSW_LINKTYPE, XSW_SNAPLEN);
    if (!r->dead) {
        xan_error(r->t, "%s: cannot prepare the annotated trace (pcap_open_dead)", r->o->annotate);
        return -1;
    }
    r->dump = pcap_dump_open(r->dead, r->o->annotate);
    if (!r->dump) {
        xan_error(r->t, "%s: cannot write the annotated trace: %s", r->o->annotate, pcap_geterr(r->dead));
        return -1;
    }
    r->vbuf = malloc(XSW_EXP_PDU_PREFIX_LEN + XSW_REC_HDR_LEN + XSW_VD_BODY_LEN + 64 + VERDICT_TEXT_MAX);
    if (!r->vbuf) {
        xan_error(r->t, "%s: out of memory", r->o->annotate);
        return -1;
    }
    return 0;
}

/* ---- META with --class overrides ------------------------------------------------------------ */

static const char *class_text(uint8_t c)
{
    return c == 1 ? "capture" : c == 2 ? "filter" : c == 3 ? "forward" : "unknown";
}

/*
 * The checker takes extension classes from META "ext.N.class" lines; an
 * override is appended as another such line (the last one wins), so that a
 * trace with several scenarios gets it at every META.
 */
static const struct xsw_rec *meta_override(struct run *r, const struct xsw_rec *rec, struct xsw_rec *copy)
{
    int any = 0;
    for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++)
        any |= r->o->class_set[i];
    if (!any)
        return rec;
    size_t need = rec->u.meta.text_len + XSW_CHECK_MAX_DEPTH * 32 + 2;
    if (need > r->metacap) {
        uint8_t *nb = realloc(r->metabuf, need);
        if (!nb) {
            r->nomem = 1;
            return rec;
        }
        r->metabuf = nb;
        r->metacap = need;
    }
    size_t n = rec->u.meta.text_len;
    if (n)
        memcpy(r->metabuf, rec->u.meta.text, n);
    if (n && r->metabuf[n - 1] != '\n')
        r->metabuf[n++] = '\n';
    for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++)
        if (r->o->class_set[i])
            n += (size_t)snprintf((char *)r->metabuf + n, r->metacap - n, "ext.%u.class=%s\n", i,
                                  class_text(r->o->class_of[i]));
    *copy = *rec;
    copy->u.meta.text = (const char *)r->metabuf;
    copy->u.meta.text_len = (uint32_t)n;
    return copy;
}

/* ---- The pass ---------------------------------------------------------------------------------- */

/*
 * Open the trace with a larger stdio buffer (READ_BUF_SIZE). A file fopen
 * cannot open, and "-" (standard input), go to pcap_open_offline so that
 * the error messages are libpcap's own, as before; pcap_fopen_offline gives
 * the same messages as pcap_open_offline for everything else.
 */
static pcap_t *open_trace(struct run *r, const char *path, char *pe)
{
    FILE *f = strcmp(path, "-") != 0 ? fopen(path, "rb") : NULL;
    if (!f)
        return pcap_open_offline(path, pe);
    r->iobuf = malloc(READ_BUF_SIZE);
    if (r->iobuf && setvbuf(f, r->iobuf, _IOFBF, READ_BUF_SIZE) != 0) {
        free(r->iobuf);
        r->iobuf = NULL;
    }
    pcap_t *p = pcap_fopen_offline(f, pe);
    if (!p) {
        /* pcap_fopen_offline leaves the stream to the caller when it fails. */
        fclose(f);
        free(r->iobuf);
        r->iobuf = NULL;
    }
    return p;
}

static void close_trace(struct run *r)
{
    pcap_close(r->p);
    r->p = NULL;
    free(r->iobuf);
    r->iobuf = NULL;
}

static void fill_rules(struct run *r, const struct xsw_spec *spec)
{
    struct xan_trace *t = r->t;
    size_t ns = spec && r->chk ? xsw_spec_rule_count(spec) : 0;
    t->rules = calloc(ns + XNR__N + 1, sizeof *t->rules);
    if (!t->rules)
        return;
    for (size_t i = 0; i < ns; i++) {
        const struct xsw_rule_info *ri = xsw_spec_rule(spec, i);
        if (!xan_rule_selected(r->o, ri->id))
            continue;
        struct xan_rule *k = &t->rules[t->nrules++];
        k->id = ri->id;
        k->level = ri->level;
        k->text = ri->text;
        k->source = ri->source;
        k->where = ri->file;
        k->line = ri->line;
        if (r->chk)
            xsw_checker_rule_counts(r->chk, i, &k->evaluated, &k->violated);
    }
    for (unsigned i = 0; i < XNR__N; i++) {
        struct xan_rule k;
        xan_nvsp_rule(t->nvsp, i, &k);
        if (xan_rule_selected(r->o, k.id))
            t->rules[t->nrules++] = k;
    }
}

int xan_run_trace(const struct xan_options *o, const struct xsw_spec *spec, struct xan_trace *t)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.t = t;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    t->stats = xan_stats_new();
    t->nvsp = xan_nvsp_new("frame", on_nvsp_violation, &r);
    struct xsw_check_config cfg;
    xsw_check_config_init(&cfg);
    for (unsigned i = 0; i < XSW_CHECK_MAX_DEPTH; i++)
        if (o->class_set[i])
            cfg.ext_class[i] = o->class_of[i];
    cfg.on_violation = on_check_violation;
    cfg.arg = &r;
    if (spec && !o->no_check)
        r.chk = xsw_checker_new(spec, &cfg);
    if (!t->stats || !t->nvsp || (spec && !o->no_check && !r.chk)) {
        xan_error(t, "%s: out of memory", t->path);
        xsw_checker_free(r.chk);
        return XSW_ENOMEM;
    }
    t->checked = r.chk != NULL;

    char pe[PCAP_ERRBUF_SIZE] = "";
    r.p = open_trace(&r, t->path, pe);
    if (!r.p) {
        xan_error(t, "%s: cannot open as pcap or pcapng: %s", t->path, pe);
        fill_rules(&r, spec);
        xsw_checker_free(r.chk);
        return XSW_EIO;
    }
    int dlt = pcap_datalink(r.p);
    if (dlt != XSW_LINKTYPE) {
        const char *name = pcap_datalink_val_to_name(dlt);
        xan_error(t, "%s: link type %d (%s) is not an xsw trace; expected link type %d (WIRESHARK_UPPER_PDU)",
                  t->path, dlt, name ? name : "unknown", XSW_LINKTYPE);
        close_trace(&r);
        fill_rules(&r, spec);
        xsw_checker_free(r.chk);
        return XSW_EINVAL;
    }
    t->opened = 1;
    r.classic = pcap_major_version(r.p) == 2;
    t->format = r.classic ? XAN_FMT_PCAP : XAN_FMT_PCAPNG;
    r.offset = PCAP_FILE_HDR_LEN;
    if (o->annotate && open_annotate(&r)) {
        close_trace(&r);
        if (r.dead)
            pcap_close(r.dead);
        free(r.vbuf);
        fill_rules(&r, spec);
        xsw_checker_free(r.chk);
        return XSW_EIO;
    }

    struct pcap_pkthdr *h;
    const u_char *data;
    struct xsw_rec rec, mcopy;
    struct xsw_derr e;
    int rc = 0;
    for (;;) {
        rc = pcap_next_ex(r.p, &h, &data);
        if (rc == PCAP_ERROR_BREAK) {
            t->complete = 1;
            break;
        }
        if (rc != 1) {
            const char *msg = rc == PCAP_ERROR ? pcap_geterr(r.p) : "unexpected pcap_next_ex result";
            int trunc = strstr(msg, "truncated") != NULL;
            xan_error(t, "%s frame %" PRIu64 " offset %" PRIu64 ": %s (libpcap: %s)", t->path, r.frame + 1,
                      trunc ? xsw_pcap_cut_offset(r.p, r.classic, r.offset) : 0,
                      trunc ? "the file ends inside this frame" : "cannot read this frame", msg);
            break;
        }
        r.frame++;
        t->units = r.frame;
        r.offset += PCAP_REC_HDR_LEN + (uint64_t)h->caplen;
        r.ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * 1000u;
        r.rec = NULL;
        if (r.dump)
            r.last_hdr = *h;

        size_t off = 0;
        int drc;
        if (h->caplen < h->len) {
            t->bad_records++;
            xan_error(t, "%s frame %" PRIu64 " offset %u: frame captured to %u of its %u bytes (snapshot length)",
                      t->path, r.frame, h->caplen, h->caplen, h->len);
            goto copy;
        }
        if (h->caplen >= XSW_EXP_PDU_PREFIX_LEN && memcmp(data, exp_pdu_prefix, XSW_EXP_PDU_PREFIX_LEN) == 0) {
            off = XSW_EXP_PDU_PREFIX_LEN; /* the tags every xsw writer puts first */
            drc = 0;
        } else {
            drc = xsw_exp_pdu_strip_at(data, h->caplen, &off, &e);
        }
        if (drc == 0) {
            drc = xsw_rec_decode_at(data + off, h->caplen - off, &rec, &e);
            e.off += off;
        }
        if (drc) {
            t->bad_records++;
            if (e.field)
                xan_error(t, "%s frame %" PRIu64 " offset %zu: field %s: %s", t->path, r.frame, e.off, e.field,
                          e.msg);
            else
                xan_error(t, "%s frame %" PRIu64 " offset %zu: %s", t->path, r.frame, e.off, e.msg);
            goto copy;
        }
        t->records++;
        r.rec = &rec;
        if (rec.kind != XSW_K_VERDICT)
            note_seq(&r, r.frame, rec.seq);
        /* A VMBUS record is decoded once, for the summary and the NVSP rules. */
        struct xan_nv_event ev;
        int nv_rc = rec.kind == XSW_K_VMBUS
                        ? xan_nvsp_from_vmbus(rec.u.vmbus.pkt, rec.u.vmbus.pkt_len, rec.u.vmbus.dir, &ev)
                        : 0;
        xan_stats_feed(t->stats, &rec, r.frame, r.ts, rec.kind == XSW_K_VMBUS ? &ev : NULL, nv_rc);
        {
            const struct xsw_rec *fed = rec.kind == XSW_K_META ? meta_override(&r, &rec, &mcopy) : &rec;
            if (r.chk && xsw_checker_feed(r.chk, fed, r.frame) == XSW_ENOMEM)
                r.nomem = 1;
        }
        if (nv_rc == 1) {
            snprintf(ev.dev, sizeof ev.dev, "port %u nic %u", rec.port_id, rec.nic_index);
            ev.frame = r.frame;
            ev.ts_ns = r.ts;
            xan_nvsp_feed(t->nvsp, &ev);
        }
    copy:
        if (r.dump) {
            /* Findings about earlier frames first, then this frame, then its own verdicts. */
            if (r.nq)
                flush_verdicts(&r, 1, r.frame, h);
            pcap_dump((u_char *)r.dump, h, data);
            if (r.nq)
                flush_verdicts(&r, 0, r.frame + 1, h);
        }
        if (r.nomem) {
            xan_error(t, "%s frame %" PRIu64 ": out of memory; analysis stopped", t->path, r.frame);
            break;
        }
    }

    if (!r.nomem) {
        r.rec = NULL;
        if (r.chk && xsw_checker_finish(r.chk) == XSW_ENOMEM)
            xan_error(t, "%s: out of memory at the end of the trace", t->path);
        xan_nvsp_finish(t->nvsp, r.frame);
        if (r.dump && r.nq) {
            flush_verdicts(&r, 1, r.frame + 1, &r.last_hdr);
            flush_verdicts(&r, 0, r.frame + 1, &r.last_hdr);
        }
    }
    if (r.chk)
        xsw_checker_stats(r.chk, &t->cstats);
    fill_rules(&r, spec);
    if (r.dump) {
        if (pcap_dump_flush(r.dump) != 0)
            xan_error(t, "%s: write error", o->annotate);
        pcap_dump_close(r.dump);
    }
    if (r.dead)
        pcap_close(r.dead);
    close_trace(&r);
    for (size_t i = 0; i < r.nq; i++)
        free(r.q[i].text);
    free(r.q);
    free(r.ins);
    free(r.sb);
    free(r.vbuf);
    free(r.metabuf);
    xsw_checker_free(r.chk);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    t->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return t->complete ? 0 : XSW_ETRUNC;
}
