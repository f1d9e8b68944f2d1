/*
 * trace_read.c - the trace reader: pcap or pcapng files of link type
 * LINKTYPE_WIRESHARK_UPPER_PDU (252) read with libpcap (pcap_open_offline,
 * pcap_next_ex: pcap(3PCAP)), each frame stripped of its exported-PDU tags
 * and decoded by trace_decode.c.
 *
 * Errors name the place as "PATH frame N offset M: ...", where N is the
 * 1-based frame number and M the byte offset within the frame (tags
 * included), so a user can go to the same byte in Wireshark.
 *
 * Two kinds of failure are kept apart. A record that does not decode
 * (XSW_EINVAL, or XSW_ETRUNC for a frame captured shorter than its length)
 * spoils only that frame: the next call reads the next one. A file that
 * cannot be read further (cut in the middle of a frame, or corrupt pcap
 * framing) is reported once, naming the frame that could not be read, and
 * every later call returns XSW_EEOF, so a caller that goes on after errors
 * still terminates.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "trace_int.h"

/* Bytes of the pcap (not pcapng) file header and per-frame header. */
#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16

struct xsw_trace_reader {
    pcap_t *p;
    char *path;
    uint64_t frame;   /* frames read so far */
    uint64_t offset;  /* file offset of the next frame header (pcap format only) */
    int classic;      /* pcap rather than pcapng: offsets can be tracked */
    int done;         /* end of file reached or a file-level error reported */
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

struct xsw_trace_reader *xsw_trace_reader_open(const char *path, char *err, size_t errlen)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pe);
    if (!p) {
        set_err(err, errlen, "%s: cannot open as pcap or pcapng: %s", path, pe);
        return NULL;
    }
    int dlt = pcap_datalink(p);
    if (dlt != XSW_LINKTYPE) {
        const char *name = pcap_datalink_val_to_name(dlt);
        set_err(err, errlen,
                "%s: link type %d (%s) is not an xsw trace; expected link type %d "
                "(WIRESHARK_UPPER_PDU)",
                path, dlt, name ? name : "unknown", XSW_LINKTYPE);
        pcap_close(p);
        return NULL;
    }
    struct xsw_trace_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        set_err(err, errlen, "%s: out of memory for the trace reader", path);
        free(r);
        pcap_close(p);
        return NULL;
    }
    r->p = p;
    /* libpcap reports pcapng sections as version 1.0 and pcap files as 2.x. */
    r->classic = pcap_major_version(p) == 2;
    r->offset = PCAP_FILE_HDR_LEN;
    return r;
}

void xsw_trace_reader_close(struct xsw_trace_reader *r)
{
    if (!r)
        return;
    pcap_close(r->p);
    free(r->path);
    free(r);
}

/*
 * How many bytes of the frame whose header starts at file offset "offset"
 * made it into the file of "p": the offset at which a pcap file was cut.
 * pcapng block layouts vary ("classic" 0), so there the answer is 0 and
 * libpcap's own message gives the detail. The analyzer's reader
 * (analyzer/run.c) reports cut files with it too.
 */
uint64_t xsw_pcap_cut_offset(struct pcap *p, int classic, uint64_t offset)
{
    struct stat st;
    FILE *f = pcap_file(p);
    if (!classic || !f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    uint64_t size = (uint64_t)st.st_size;
    if (size <= offset + PCAP_REC_HDR_LEN)
        return 0;
    return size - offset - PCAP_REC_HDR_LEN;
}

int xsw_trace_read(struct xsw_trace_reader *r, struct xsw_rec *rec, uint64_t *frame,
                   uint64_t *ts_ns, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;

    if (!r || r->done)
        return XSW_EEOF;
    int rc = pcap_next_ex(r->p, &h, &data);
    if (rc == PCAP_ERROR_BREAK) {
        r->done = 1;
        return XSW_EEOF;
    }
    if (rc != 1) {
        /*
         * libpcap 1.10 says "truncated dump file; tried to read N captured
         * bytes, only got M" (or "... header bytes ...", or "truncated
         * pcapng dump file ...") when the file ends inside a frame; anything
         * else is a framing or read error.
         */
        const char *pe = rc == PCAP_ERROR ? pcap_geterr(r->p) : "unexpected pcap_next_ex result";
        int trunc = strstr(pe, "truncated") != NULL;
        r->done = 1;
        set_err(err, errlen, "%s frame %" PRIu64 " offset %" PRIu64 ": %s (libpcap: %s)", r->path,
                r->frame + 1, trunc ? xsw_pcap_cut_offset(r->p, r->classic, r->offset) : 0,
                trunc ? "the file ends inside this frame" : "cannot read this frame", pe);
        if (frame)
            *frame = r->frame + 1;
        return trunc ? XSW_ETRUNC : XSW_EIO;
    }
    r->frame++;
    r->offset += PCAP_REC_HDR_LEN + (uint64_t)h->caplen;
    if (frame)
        *frame = r->frame;
    if (ts_ns)
        *ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

    if (h->caplen < h->len) {
        memset(rec, 0, sizeof *rec);
        set_err(err, errlen,
                "%s frame %" PRIu64 " offset %u: frame captured to %u of its %u bytes "
                "(snapshot length)",
                r->path, r->frame, h->caplen, h->caplen, h->len);
        return XSW_ETRUNC;
    }

    struct xsw_derr e;
    size_t off = 0;
    rc = xsw_exp_pdu_strip_at(data, h->caplen, &off, &e);
    if (rc == 0) {
        rc = xsw_rec_decode_at(data + off, h->caplen - off, rec, &e);
        e.off += off;
    } else {
        memset(rec, 0, sizeof *rec);
    }
    if (rc) {
        if (e.field)
            set_err(err, errlen, "%s frame %" PRIu64 " offset %zu: field %s: %s", r->path,
                    r->frame, e.off, e.field, e.msg);
        else
            set_err(err, errlen, "%s frame %" PRIu64 " offset %zu: %s", r->path, r->frame, e.off,
                    e.msg);
    }
    return rc;
}
