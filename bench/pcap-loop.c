/*
 * pcap-loop.c - the benchmark's baseline: libpcap reading a capture and doing nothing else.
 *
 * Opens the file with pcap_open_offline() and calls pcap_next_ex() until the end; the only work
 * is counting, so that the loop cannot be optimised away. portscope cannot read a file faster
 * than this, which is what bench/run.sh compares it with.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t packets = 0, caplen = 0, wirelen = 0, limit = UINT64_MAX;
    unsigned sum = 0;
    const char *path;
    pcap_t *p;
    int rc = PCAP_ERROR_BREAK;

    if (argc == 4 && strcmp(argv[1], "-c") == 0) {
        limit = strtoull(argv[2], NULL, 10);
        path = argv[3];
    } else if (argc == 2) {
        path = argv[1];
    } else {
        fprintf(stderr, "Usage: pcap-loop [-c COUNT] FILE\n");
        return 2;
    }
    p = pcap_open_offline(path, err);
    if (p == NULL) {
        fprintf(stderr, "pcap-loop: %s: %s\n", path, err);
        return 1;
    }
    while (packets < limit && (rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        caplen += hdr->caplen;
        wirelen += hdr->len;
        sum += data[0];
    }
    if (packets < limit && rc != PCAP_ERROR_BREAK) {
        fprintf(stderr, "pcap-loop: %s: %s\n", path, pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    printf("packets=%" PRIu64 " caplen=%" PRIu64 " wirelen=%" PRIu64 " check=%u\n", packets, caplen,
           wirelen, sum & 0xff);
    pcap_close(p);
    return 0;
}
