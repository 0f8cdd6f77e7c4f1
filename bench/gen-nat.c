/*
 * gen-nat.c - a pair of captures of the two sides of a NAT router, for portscope nat's benchmark
 * (bench/nat.sh) and its report test (tests/nat-report.sh).
 *
 * gen-nat [-n FLOWS] [-t OFFSET_SECONDS] INSIDE.pcap OUTSIDE.pcap
 *
 * Flow i goes from inside host 10.1.0.(2 + i % 250) to a server 192.0.2.x: TCP (SYN, SYN+ACK,
 * a request, its answer), or every 8th a UDP query and answer, every 8th an ICMP echo. Outside,
 * the router's address 198.51.100.1 replaces the client's, and TCP and UDP client ports are
 * rewritten sequentially (1024 + i % 64000); the outside clock reads OFFSET seconds later (default
 * 0) plus 50 us of router delay. Three more flows: a port forward (203.0.113.9 to
 * 198.51.100.1:8080, inside to 10.1.0.10:80), a SYN that never leaves (inside only) and a SYN to
 * the router itself (outside only). The same arguments give the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0_SEC 1700000000u

struct end {
    uint8_t addr[4];
    uint16_t port;
};

struct writer {
    FILE *fp;
    int64_t usec; /* since T0 */
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v);
}

/* One Ethernet + IPv4 packet; l4 (len bytes) after the IP header. */
static void put_packet(struct writer *w, uint8_t proto, const struct end *s, const struct end *d,
                       uint16_t ip_id, const uint8_t *l4, size_t len)
{
    uint8_t p[14 + 20 + 128];
    size_t n = 14 + 20 + len;
    uint32_t hdr[4] = {T0_SEC + (uint32_t)(w->usec / 1000000), (uint32_t)(w->usec % 1000000),
                       (uint32_t)n, (uint32_t)n};

    memset(p, 0, 34);
    p[12] = 0x08;
    p[14] = 0x45;
    put16(p + 16, (uint16_t)(20 + len));
    put16(p + 18, ip_id);
    p[22] = 64, p[23] = proto;
    memcpy(p + 26, s->addr, 4);
    memcpy(p + 30, d->addr, 4);
    memcpy(p + 34, l4, len);
    fwrite(hdr, sizeof(hdr), 1, w->fp);
    fwrite(p, n, 1, w->fp);
    w->usec += 10;
}

static void put_tcp(struct writer *w, const struct end *s, const struct end *d, uint32_t seq,
                    uint32_t ack, uint8_t flags, const char *data, uint16_t ip_id)
{
    uint8_t t[20 + 64] = {0};
    size_t n = data != NULL ? strlen(data) : 0;

    put16(t, s->port), put16(t + 2, d->port);
    put32(t + 4, seq), put32(t + 8, ack);
    t[12] = 0x50, t[13] = flags;
    put16(t + 14, 65535);
    memcpy(t + 20, data != NULL ? data : "", n);
    put_packet(w, 6, s, d, ip_id, t, 20 + n);
}

static void put_udp(struct writer *w, const struct end *s, const struct end *d, const char *data,
                    uint16_t ip_id)
{
    uint8_t u[8 + 64] = {0};
    size_t n = strlen(data);

    put16(u, s->port), put16(u + 2, d->port), put16(u + 4, (uint16_t)(8 + n));
    memcpy(u + 8, data, n);
    put_packet(w, 17, s, d, ip_id, u, 8 + n);
}

static void put_echo(struct writer *w, const struct end *s, const struct end *d, uint8_t type,
                     uint16_t id, uint32_t i, uint16_t ip_id)
{
    uint8_t e[16] = {type};

    put16(e + 4, id), put16(e + 6, 1);
    put32(e + 8, i), put32(e + 12, ~i);
    put_packet(w, 1, s, d, ip_id, e, sizeof(e));
}

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16, x *= 0x7feb352dU, x ^= x >> 15, x *= 0x846ca68bU, x ^= x >> 16;
    return x;
}

/* One connection as one side sees it: c the client, s the server. */
static void put_flow(struct writer *w, uint32_t i, const struct end *c, const struct end *s,
                     int64_t start)
{
    uint32_t isn = mix(i * 2 + 1), isn_s = mix(i * 2 + 2);
    uint16_t id = (uint16_t)mix(i);
    char req[48], ans[48];

    w->usec = start;
    snprintf(req, sizeof(req), "GET /%u HTTP/1.0\r\n\r\n", i);
    snprintf(ans, sizeof(ans), "HTTP/1.0 200 OK\r\n\r\n%u", i);
    switch (i % 8) {
    case 5:
        put_udp(w, c, s, req, id);
        put_udp(w, s, c, ans, 0);
        break;
    case 6:
        put_echo(w, c, s, 8, c->port, i, id);
        put_echo(w, s, c, 0, c->port, i, 0);
        break;
    default:
        put_tcp(w, c, s, isn, 0, 0x02, NULL, id);
        put_tcp(w, s, c, isn_s, isn + 1, 0x12, NULL, 0);
        put_tcp(w, c, s, isn + 1, isn_s + 1, 0x18, req, (uint16_t)(id + 1));
        put_tcp(w, s, c, isn_s + 1, isn + 1 + (uint32_t)strlen(req), 0x18, ans, 0);
        break;
    }
}

static FILE *open_pcap(const char *path)
{
    uint32_t head[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    FILE *fp = fopen(path, "wb");

    if (fp == NULL) {
        perror(path);
        exit(1);
    }
    fwrite(head, sizeof(head), 1, fp);
    return fp;
}

static void put_extras(struct writer *in, struct writer *out, uint32_t n, int64_t shift)
{
    struct end remote = {{203, 0, 113, 9}, 5555}, pub = {{198, 51, 100, 1}, 8080};
    struct end priv = {{10, 1, 0, 10}, 80}, lan = {{10, 1, 0, 2}, 3333};
    struct end nowhere = {{198, 51, 100, 99}, 25}, ssh = {{198, 51, 100, 1}, 22};
    int64_t t = (int64_t)n * 100 + 100;

    put_flow(in, n, &remote, &priv, t);
    put_flow(out, n, &remote, &pub, t + shift);
    in->usec = t + 100;
    put_tcp(in, &lan, &nowhere, 77, 0, 0x02, NULL, 1);
    out->usec = t + 200 + shift;
    put_tcp(out, &remote, &ssh, 99, 0, 0x02, NULL, 2);
}

int main(int argc, char **argv)
{
    uint32_t n = 100;
    double offset = 0;
    int opt;

    while ((opt = getopt(argc, argv, "n:t:")) != -1) {
        if (opt == 'n')
            n = (uint32_t)strtoul(optarg, NULL, 10);
        else if (opt == 't')
            offset = strtod(optarg, NULL);
        else
            return 2;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: gen-nat [-n FLOWS] [-t OFFSET_SECONDS] INSIDE OUTSIDE\n");
        return 2;
    }
    struct writer in = {open_pcap(argv[optind]), 0}, out = {open_pcap(argv[optind + 1]), 0};
    int64_t shift = (int64_t)(offset * 1e6) + 50;

    for (uint32_t i = 0; i < n; i++) {
        struct end c = {{10, 1, 0, (uint8_t)(2 + i % 250)}, (uint16_t)(1024 + (i / 250) % 64000)};
        struct end s = {{192, 0, 2, (uint8_t)(1 + (i / 64000) % 250)}, i % 8 == 5 ? 53 : 80};
        struct end p = {{198, 51, 100, 1}, (uint16_t)(1024 + i % 64000)};

        if (i % 8 == 6)
            c.port = p.port = (uint16_t)i, s.port = 0; /* the echo identifier, kept */
        put_flow(&in, i, &c, &s, (int64_t)i * 100);
        put_flow(&out, i, &p, &s, (int64_t)i * 100 + shift);
    }
    put_extras(&in, &out, n, shift);
    return fclose(in.fp) == 0 && fclose(out.fp) == 0 ? 0 : 1;
}
