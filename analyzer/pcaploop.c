/*
 * pcaploop.c - xsw-pcaploop, the benchmark's baseline (analyzer/bench.sh):
 * the cheapest useful pass over a pcap file with libpcap, pcap_next_ex(3PCAP)
 * in a loop touching each frame's byte count. xsw-analyze's rate is compared
 * with this one. It reads through the same 64 KiB stdio buffer xsw-analyze
 * uses (analyzer/run.c), so the comparison is of the work done per frame,
 * not of the I/O.
 *
 *   xsw-pcaploop FILE     prints "frames BYTES" and exits 0, or 2 on error
 */
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: xsw-pcaploop FILE\n");
        return 2;
    }
    static char iobuf[64 * 1024];
    FILE *f = fopen(argv[1], "rb");
    if (!f || setvbuf(f, iobuf, _IOFBF, sizeof iobuf) != 0) {
        perror(argv[1]);
        return 2;
    }
    pcap_t *p = pcap_fopen_offline(f, err);
    if (!p) {
        fprintf(stderr, "xsw-pcaploop: %s\n", err);
        fclose(f);
        return 2;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned long long frames = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        frames++;
        bytes += h->caplen;
        sum += h->caplen ? d[h->caplen - 1] : 0; /* touch the data so the read cannot be skipped */
    }
    if (rc != PCAP_ERROR_BREAK)
        fprintf(stderr, "xsw-pcaploop: %s\n", pcap_geterr(p));
    pcap_close(p);
    printf("%llu %llu %llu\n", frames, bytes, sum & 1);
    return rc == PCAP_ERROR_BREAK ? 0 : 2;
}
