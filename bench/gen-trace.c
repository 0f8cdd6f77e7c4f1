/*
 * gen-trace.c - deterministic packet traces for the benchmark (see bench/README.md).
 *
 * Writes a pcap file (microsecond timestamps, Ethernet) of synthetic traffic from a fixed seed:
 * the same options give the same bytes on every machine. Packets are made one at a time from a
 * pool of conversations in progress and written at once, so memory stays the size of that pool
 * whatever the number of packets: a trace of 100 M packets streams to a file or a pipe.
 *
 *   many-flows  short TCP connections (SYN, SYN+ACK, ACK, request, response, FIN+ACK both ways,
 *               often a last ACK; a few refused: SYN, RST+ACK) and UDP request/response pairs
 *               (DNS to 53, NTP to 123), about 4,000 in progress at a time, about 14% over IPv6,
 *               client ports from the Linux, Windows and FreeBSD ephemeral ranges.
 *   elephant    100 long TCP transfers of full-size segments (1514 bytes on the wire) with a
 *               stretch ACK every 8 segments, captured with a snap length of 128.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bumped whenever the bytes written for given options change: bench/run.sh regenerates then. */
#define GEN_VERSION 2 /* 2: the first payload bytes of each service are what its protocol sends */

#define BASE_TIME 1767225600u /* 2026-01-01T00:00:00Z */
#define MAX_FRAME 1514
#define ETH_LEN   14
#define IP4_LEN   20
#define IP6_LEN   40
#define TCP_LEN   20
#define TCP_OPTS  12 /* NOP, NOP, timestamps */
#define SYN_OPTS  20 /* MSS, SACK permitted, timestamps, NOP, window scale */
#define UDP_LEN   8

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

enum trace_kind { TRACE_MANY_FLOWS, TRACE_ELEPHANT };

enum conv_kind { CONV_TCP, CONV_REFUSED, CONV_DNS, CONV_NTP, CONV_BULK };

enum os { OS_LINUX, OS_WINDOWS, OS_FREEBSD };

static const struct {
    const char *name;
    uint16_t lo, hi;
} os_ranges[] = {
    [OS_LINUX] = {"linux", 32768, 60999},
    [OS_WINDOWS] = {"windows", 49152, 65535},
    [OS_FREEBSD] = {"freebsd", 10000, 65535},
};

/*
 * The named shapes of many-flows traces (--shape), each about 10 M packets by default: the grid
 * bench/run.sh measures, from a lab's burst to a day on a home router. bench/README.md says what
 * each stands for and why it costs what it does.
 */
struct shape {
    const char *name;
    uint32_t gap_max;     /* microseconds between packets: 1 to gap_max */
    uint32_t concurrency; /* conversations in progress at once */
    uint32_t clients, servers;
    uint32_t udp_percent, ipv6_percent;
    uint32_t tcp_rounds;   /* request/response exchanges per TCP connection */
    uint32_t client_ports; /* ports each client cycles through; 0: its OS's whole range */
};

static const struct shape shapes[] = {
    /* name          gap    at once  clients  servers  udp v6 rounds ports */
    {"bench", 8, 4000, 20480, 640, 16, 14, 1, 0},
    {"lab", 5, 100, 100, 10, 10, 0, 20, 0},
    {"ten-minutes", 120, 4096, 8192, 640, 33, 14, 1, 0},
    {"busy-udp", 100, 65536, 65536, 2048, 60, 14, 1, 0},
    {"campus-hour", 720, 20000, 100000, 5000, 30, 20, 2, 0},
    {"datacentre", 12, 100000, 500000, 50000, 60, 30, 1, 0},
    {"home-day", 17280, 500, 100, 50000, 40, 50, 4, 0},
    {"port-reuse", 60, 2000, 100, 64, 10, 0, 1, 512},
    {"ipv6-long", 120, 1000, 2000, 200, 5, 100, 200, 0},
};

struct host {
    uint8_t family;
    uint8_t os;
    uint16_t next_port; /* the next ephemeral port it will use */
    uint8_t addr[16];
};

/* One conversation in progress. */
struct conv {
    uint8_t kind;     /* enum conv_kind */
    uint8_t family;   /* 4 or 6, the client's and the server's */
    uint32_t step;    /* packets sent so far, for the short kinds; phase for CONV_BULK */
    uint32_t n_steps; /* packets in all, for the short kinds */
    bool upload;      /* CONV_BULK: the client sends the data */
    uint16_t cport, sport;
    uint32_t client, server; /* host numbers */
    uint32_t cseq, sseq;     /* next sequence number of each side */
    uint16_t req_len, resp_len;
    uint64_t segments; /* CONV_BULK: data segments still to send */
    uint32_t unacked;  /* CONV_BULK: segments since the last ACK */
};

struct rng {
    uint64_t s;
};

struct gen {
    enum trace_kind kind;
    uint64_t target;   /* packets */
    uint64_t duration; /* microseconds of trace time after which no conversation starts; 0: none */
    uint32_t snaplen;
    uint32_t concurrency;
    struct rng rng;
    FILE *out;

    struct host *hosts; /* clients, then servers */
    uint32_t n_clients4, n_clients6, n_servers4, n_servers6;

    /* The shape of a many-flows trace (defaults: the benchmark's first trace). */
    uint32_t udp_permille; /* conversations that are UDP (DNS and NTP), of 1000 */
    uint32_t ipv6_percent; /* conversations over IPv6 */
    uint32_t tcp_rounds;   /* request/response exchanges per TCP connection */
    uint32_t client_ports; /* ports each client cycles through; 0: its whole range */

    struct conv *convs; /* in progress */
    uint32_t n_convs;
    uint64_t pending; /* packets the conversations in progress will still send */

    uint64_t now; /* microseconds since BASE_TIME */
    uint32_t gap_min, gap_spread;
    uint64_t packets, bytes_written, wire_bytes;
    uint64_t started[CONV_BULK + 1];
    uint64_t packets6;
    uint16_t ip_id;
    uint8_t frame[MAX_FRAME];
};

/* splitmix64: small, fast and the same everywhere. */
static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n < 2^32. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static int write_bytes(struct gen *g, const void *p, size_t n)
{
    if (fwrite(p, 1, n, g->out) != n)
        return -1;
    g->bytes_written += n;
    return 0;
}

static int write_file_header(struct gen *g)
{
    uint8_t h[24];

    put32le(h, 0xa1b2c3d4u);
    put16le(h + 4, 2);
    put16le(h + 6, 4);
    put32le(h + 8, 0);  /* thiszone */
    put32le(h + 12, 0); /* sigfigs */
    put32le(h + 16, g->snaplen);
    put32le(h + 20, 1); /* LINKTYPE_ETHERNET */
    return write_bytes(g, h, sizeof(h));
}

static uint16_t ip4_checksum(const uint8_t *h)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < IP4_LEN; i += 2)
        sum += (uint32_t)h[i] << 8 | h[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Payload bytes: printable text, so a hex dump of the trace reads as something. */
static const char filler[] = "GET /index.html HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: "
                             "gen-trace\r\nAccept: */*\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: "
                             "text/html\r\n\r\n<html><body>portscope benchmark</body></html>\r\n";

struct pkt {
    bool from_client;
    uint8_t proto; /* 6 or 17 */
    uint8_t flags;
    bool syn_opts;
    uint32_t seq, ack;
    uint32_t payload;
};

/* A TLS 1.3 ClientHello for bench.example and a ServerHello, as their first records begin. */
static const uint8_t tls_client_hello[] = {
    0x16, 0x03, 0x01, 0x00, 0x3d, 0x01, 0x00, 0x00, 0x39, 0x03, 0x03, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x00, 0x00,
    0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00,
    0x09, 'b',  'e',  'n',  'c',  'h',  '.',  'e',  'x',  0x00};
static const uint8_t tls_server_hello[] = {
    0x16, 0x03, 0x03, 0x00, 0x2e, 0x02, 0x00, 0x00, 0x2a, 0x03, 0x03, 0xa5, 0xa5, 0xa5, 0xa5,
    0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
    0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x00, 0x13,
    0x01, 0x00};
/* A DNS query for b. IN A (its id is set per packet), and the answer's header. */
static const uint8_t dns_query[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x01, 'b',  0x00, 0x00, 0x01, 0x00, 0x01};
static const uint8_t dns_answer[] = {0x00, 0x00, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
                                     0x00, 0x00, 0x01, 'b',  0x00, 0x00, 0x01, 0x00, 0x01};
static const uint8_t ntp_client[] = {0x23}, ntp_server[] = {0x24};
static const uint8_t database[] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f};

/*
 * The bytes a service's packets begin with, as its protocol sends them, so that what portscope
 * recognises in the trace is what a real capture would show; NULL for the filler alone.
 */
static const uint8_t *service_bytes(uint16_t port, bool from_client, size_t *len)
{
    const uint8_t *b = NULL;

    switch (port) {
    case 443:
    case 8443:
    case 993:
        b = from_client ? tls_client_hello : tls_server_hello;
        *len = from_client ? sizeof(tls_client_hello) : sizeof(tls_server_hello);
        break;
    case 80:
    case 8080:
        if (!from_client) {
            static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";

            *len = sizeof(ok) - 1;
            b = (const uint8_t *)ok;
        } /* the filler is the request */
        break;
    case 22: {
        static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";

        *len = sizeof(banner) - 1;
        b = (const uint8_t *)banner;
        break;
    }
    case 25: {
        static const char greeting[] = "220 bench.example ESMTP\r\n", ehlo[] = "EHLO c.example\r\n";

        *len = from_client ? sizeof(ehlo) - 1 : sizeof(greeting) - 1;
        b = (const uint8_t *)(from_client ? ehlo : greeting);
        break;
    }
    case 53:
        b = from_client ? dns_query : dns_answer;
        *len = sizeof(dns_query);
        break;
    case 123:
        b = from_client ? ntp_client : ntp_server;
        *len = 1;
        break;
    case 3306:
    case 5432:
        b = database;
        *len = sizeof(database);
        break;
    default:
        break;
    }
    return b;
}

/* Makes one frame of conversation `c` and writes it with its record header. */
static int emit(struct gen *g, const struct conv *c, const struct pkt *p)
{
    const struct host *client = &g->hosts[c->client], *server = &g->hosts[c->server];
    const struct host *src = p->from_client ? client : server;
    const struct host *dst = p->from_client ? server : client;
    bool v6 = client->family == 6;
    uint32_t l4_len, l3_len, wire, caplen, n;
    uint8_t *f = g->frame, *ip = f + ETH_LEN, *l4, rec[16];

    if (p->proto == 6)
        l4_len = TCP_LEN + (p->syn_opts ? SYN_OPTS : TCP_OPTS) + p->payload;
    else
        l4_len = UDP_LEN + p->payload;
    l3_len = (v6 ? IP6_LEN : IP4_LEN) + l4_len;
    wire = ETH_LEN + l3_len;
    caplen = wire < g->snaplen ? wire : g->snaplen;

    /* Ethernet: the client's own address, and its gateway's. */
    static const uint8_t gw[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
    uint8_t host_mac[6] = {0x02, 0x42, 0, 0, 0, 0};

    put32(host_mac + 2, c->client);
    memcpy(f, p->from_client ? gw : host_mac, 6);
    memcpy(f + 6, p->from_client ? host_mac : gw, 6);
    put16(f + 12, v6 ? 0x86dd : 0x0800);

    if (v6) {
        put32(ip, 0x60000000u | (c->cport ^ c->sport));
        put16(ip + 4, (uint16_t)l4_len);
        ip[6] = p->proto;
        ip[7] = p->from_client ? 64 : 57;
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);
        l4 = ip + IP6_LEN;
        g->packets6++;
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (uint16_t)l3_len);
        put16(ip + 4, g->ip_id++);
        put16(ip + 6, 0x4000); /* don't fragment */
        ip[8] = p->from_client ? 64 : 57;
        ip[9] = p->proto;
        put16(ip + 10, 0);
        memcpy(ip + 12, src->addr, 4);
        memcpy(ip + 16, dst->addr, 4);
        put16(ip + 10, ip4_checksum(ip));
        l4 = ip + IP4_LEN;
    }

    put16(l4, p->from_client ? c->cport : c->sport);
    put16(l4 + 2, p->from_client ? c->sport : c->cport);
    if (p->proto == 6) {
        uint8_t *o = l4 + TCP_LEN;
        uint32_t tsval = (uint32_t)(g->now / 1000);

        put32(l4 + 4, p->seq);
        put32(l4 + 8, (p->flags & TH_ACK) ? p->ack : 0);
        l4[12] = (uint8_t)(((TCP_LEN + (p->syn_opts ? SYN_OPTS : TCP_OPTS)) / 4) << 4);
        l4[13] = p->flags;
        put16(l4 + 14, p->flags & TH_RST ? 0 : 0xfaf0);
        put16(l4 + 16, 0); /* checksum: left to offload, as captures on the sender show */
        put16(l4 + 18, 0);
        if (p->syn_opts) {
            static const uint8_t syn[SYN_OPTS] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                                  0, 0, 0,    0,    0, 0, 1, 3,  3, 7};
            memcpy(o, syn, SYN_OPTS);
            put32(o + 8, tsval);
        } else {
            o[0] = 1;
            o[1] = 1;
            o[2] = 8;
            o[3] = 10;
            put32(o + 4, tsval);
            put32(o + 8, tsval);
        }
    } else {
        put16(l4 + 4, (uint16_t)l4_len);
        put16(l4 + 6, 0x5a5a); /* checksum not computed, but not 0: IPv6 forbids that */
    }

    /* Payload, as far as it is captured: what the service's protocol begins with, then text. */
    n = (uint32_t)(l4 - f) + (l4_len - p->payload);
    {
        size_t head = 0;
        const uint8_t *b = p->payload ? service_bytes(c->sport, p->from_client, &head) : NULL;
        uint32_t start = n;

        for (size_t i = 0; b != NULL && i < head && n < caplen && n - start < p->payload; i++)
            f[n++] = b[i];
        if (c->sport == 53 && n - start >= 2)
            put16(f + start, (uint16_t)(c->cseq >> 16)); /* the query's id, the same both ways */
    }
    for (uint32_t i = 0; n < caplen; i++, n++)
        f[n] = (uint8_t)filler[i % (sizeof(filler) - 1)];

    g->now += g->gap_min + rng_below(&g->rng, g->gap_spread);
    put32le(rec, BASE_TIME + (uint32_t)(g->now / 1000000));
    put32le(rec + 4, (uint32_t)(g->now % 1000000));
    put32le(rec + 8, caplen);
    put32le(rec + 12, wire);
    g->packets++;
    g->wire_bytes += wire;
    if (write_bytes(g, rec, sizeof(rec)) != 0 || write_bytes(g, f, caplen) != 0)
        return -1;
    return 0;
}

/* The top of the ports a client takes: its OS range, or the first --client-ports of it. */
static uint16_t client_port_hi(const struct gen *g, const struct host *h)
{
    uint32_t lo = os_ranges[h->os].lo, hi = os_ranges[h->os].hi;

    if (g->client_ports != 0 && lo + g->client_ports - 1 < hi)
        hi = lo + g->client_ports - 1;
    return (uint16_t)hi;
}

static uint16_t client_port(struct gen *g, struct host *h)
{
    uint16_t lo = os_ranges[h->os].lo, hi = client_port_hi(g, h);
    uint16_t port = h->next_port;
    uint32_t step;

    switch (h->os) {
    case OS_WINDOWS:
        step = 1; /* sequential */
        break;
    case OS_LINUX:
        step = 1 + rng_below(&g->rng, 8); /* per-destination offset, then small increments */
        break;
    default:
        step = 1 + rng_below(&g->rng, 509); /* randomised */
        break;
    }
    h->next_port = (uint16_t)(lo + ((uint32_t)port - lo + step) % ((uint32_t)hi - lo + 1));
    return port;
}

static void addr4(uint8_t *a, uint8_t net0, uint8_t net1, uint32_t i)
{
    a[0] = net0;
    a[1] = (uint8_t)(net1 + (i >> 16));
    a[2] = (uint8_t)(i >> 8);
    a[3] = (uint8_t)(i & 0xff);
}

static void addr6(uint8_t *a, uint16_t net, uint32_t i)
{
    static const uint8_t prefix[4] = {0x20, 0x01, 0x0d, 0xb8};

    memset(a, 0, 16);
    memcpy(a, prefix, 4);
    put16(a + 4, net);
    put32(a + 12, 0x1000u + i * 0x11u);
}

static int make_hosts(struct gen *g)
{
    uint32_t n = g->n_clients4 + g->n_clients6 + g->n_servers4 + g->n_servers6, i = 0;

    g->hosts = calloc(n, sizeof(*g->hosts));
    if (g->hosts == NULL)
        return -1;
    for (uint32_t k = 0; k < g->n_clients4; k++, i++) {
        g->hosts[i].family = 4;
        addr4(g->hosts[i].addr, 10, 0, k + 1); /* 10.0.0.1 and up */
    }
    for (uint32_t k = 0; k < g->n_clients6; k++, i++) {
        g->hosts[i].family = 6;
        addr6(g->hosts[i].addr, 0xc000, k);
    }
    for (uint32_t k = 0; k < g->n_servers4; k++, i++) {
        g->hosts[i].family = 4;
        addr4(g->hosts[i].addr, 198, 18, k + 1); /* RFC 2544 benchmarking range */
    }
    for (uint32_t k = 0; k < g->n_servers6; k++, i++) {
        g->hosts[i].family = 6;
        addr6(g->hosts[i].addr, 0x5e00, k);
    }
    for (i = 0; i < g->n_clients4 + g->n_clients6; i++) {
        uint32_t r = rng_below(&g->rng, 100);
        struct host *h = &g->hosts[i];

        h->os = r < 50 ? OS_LINUX : r < 85 ? OS_WINDOWS : OS_FREEBSD;
        h->next_port =
            (uint16_t)(os_ranges[h->os].lo +
                       rng_below(&g->rng, client_port_hi(g, h) - os_ranges[h->os].lo + 1u));
    }
    return 0;
}

/* Picks a client and a server of the same family: IPv6 for --ipv6-share of conversations. */
static void pick_hosts(struct gen *g, struct conv *c)
{
    uint32_t s4 = g->n_clients4 + g->n_clients6;

    c->family = rng_below(&g->rng, 100) < g->ipv6_percent ? 6 : 4;
    if (c->family == 6) {
        c->client = g->n_clients4 + rng_below(&g->rng, g->n_clients6);
        c->server = s4 + g->n_servers4 + rng_below(&g->rng, g->n_servers6);
    } else {
        c->client = rng_below(&g->rng, g->n_clients4);
        c->server = s4 + rng_below(&g->rng, g->n_servers4);
    }
}

static uint16_t tcp_service_port(struct gen *g)
{
    static const struct {
        uint16_t port;
        uint16_t weight;
    } ports[] = {{443, 550}, {80, 250}, {8443, 40}, {22, 40},  {993, 30},
                 {8080, 30}, {25, 20},  {3306, 20}, {5432, 20}};
    uint32_t r = rng_below(&g->rng, 1000);

    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        if (r < ports[i].weight)
            return ports[i].port;
        r -= ports[i].weight;
    }
    return 443;
}

static uint16_t closed_port(struct gen *g)
{
    static const uint16_t ports[] = {23, 81, 1433, 3389, 5900, 6379, 8081, 9200};

    return ports[rng_below(&g->rng, sizeof(ports) / sizeof(ports[0]))];
}

/* Starts a short conversation of the many-flows trace. */
static void start_short(struct gen *g, struct conv *c)
{
    uint32_t r = rng_below(&g->rng, 1000);
    /* TCP and refused share what UDP leaves, 81:3; DNS and NTP share UDP 13:3 (the defaults). */
    uint32_t refused_end = 1000 - g->udp_permille;
    uint32_t tcp_end = refused_end - refused_end * 30 / 840;
    uint32_t dns_end = refused_end + g->udp_permille * 13 / 16;

    memset(c, 0, sizeof(*c));
    pick_hosts(g, c);
    c->cport = client_port(g, &g->hosts[c->client]);
    c->cseq = (uint32_t)rng_next(&g->rng);
    c->sseq = (uint32_t)rng_next(&g->rng);
    if (r < tcp_end) {
        c->kind = CONV_TCP;
        c->sport = tcp_service_port(g);
        /* Handshake, the exchanges, FIN both ways; the last ACK is not always captured. */
        c->n_steps = 5 + 2 * g->tcp_rounds + (rng_below(&g->rng, 2) ? 1 : 0);
        c->req_len = (uint16_t)(40 + rng_below(&g->rng, 300));
        c->resp_len = (uint16_t)(60 + rng_below(&g->rng, 900));
    } else if (r < refused_end) {
        c->kind = CONV_REFUSED;
        c->sport = closed_port(g);
        c->n_steps = 2;
    } else if (r < dns_end) {
        c->kind = CONV_DNS;
        c->sport = 53;
        c->n_steps = 2;
        c->req_len = (uint16_t)(28 + rng_below(&g->rng, 40));
        c->resp_len = (uint16_t)(c->req_len + 16 + rng_below(&g->rng, 200));
    } else {
        c->kind = CONV_NTP;
        c->sport = 123;
        c->n_steps = 2;
        c->req_len = 48;
        c->resp_len = 48;
    }
    g->started[c->kind]++;
}

/* The next packet of a short conversation; returns false when it has ended. */
static bool next_short(struct conv *c, struct pkt *p)
{
    memset(p, 0, sizeof(*p));
    if (c->step >= c->n_steps)
        return false;
    if (c->kind == CONV_DNS || c->kind == CONV_NTP) {
        p->proto = 17;
        p->from_client = c->step == 0;
        p->payload = c->step == 0 ? c->req_len : c->resp_len;
        c->step++;
        return true;
    }
    p->proto = 6;
    /* The exchanges: steps 3 to 3 + 2 * rounds - 1, requests and responses in turn. */
    uint32_t rounds = c->kind == CONV_TCP ? (c->n_steps - 5) / 2 : 0;
    uint32_t close = 3 + 2 * rounds, step = c->step;

    if (step >= 3 && step < close)
        step = 3 + (step - 3) % 2;
    else if (step >= close && c->kind == CONV_TCP)
        step = 5 + (step - close);
    switch (step) {
    case 0: /* SYN */
        *p = (struct pkt){true, 6, TH_SYN, true, c->cseq++, 0, 0};
        break;
    case 1: /* SYN+ACK, or RST+ACK when the port is closed */
        if (c->kind == CONV_REFUSED)
            *p = (struct pkt){false, 6, TH_RST | TH_ACK, false, 0, c->cseq, 0};
        else
            *p = (struct pkt){false, 6, TH_SYN | TH_ACK, true, c->sseq++, c->cseq, 0};
        break;
    case 2: /* ACK */
        *p = (struct pkt){true, 6, TH_ACK, false, c->cseq, c->sseq, 0};
        break;
    case 3: /* request */
        *p = (struct pkt){true, 6, TH_PSH | TH_ACK, false, c->cseq, c->sseq, c->req_len};
        c->cseq += c->req_len;
        break;
    case 4: /* response */
        *p = (struct pkt){false, 6, TH_PSH | TH_ACK, false, c->sseq, c->cseq, c->resp_len};
        c->sseq += c->resp_len;
        break;
    case 5: /* the client closes */
        *p = (struct pkt){true, 6, TH_FIN | TH_ACK, false, c->cseq++, c->sseq, 0};
        break;
    case 6: /* the server closes too */
        *p = (struct pkt){false, 6, TH_FIN | TH_ACK, false, c->sseq++, c->cseq, 0};
        break;
    default: /* the client acknowledges the server's FIN */
        *p = (struct pkt){true, 6, TH_ACK, false, c->cseq, c->sseq, 0};
        break;
    }
    c->step++;
    return true;
}

enum bulk_phase {
    BULK_SYN,
    BULK_SYNACK,
    BULK_ACK,
    BULK_REQUEST,
    BULK_DATA,
    BULK_FIN1,
    BULK_FIN2,
    BULK_LASTACK,
    BULK_DONE
};

/* The next packet of a bulk transfer; returns false when it has ended. */
static bool next_bulk(struct conv *c, struct pkt *p)
{
    /* Data goes from the sender; the receiver acknowledges. */
    bool client_sends = c->upload;
    uint32_t *snd = client_sends ? &c->cseq : &c->sseq, *rcv = client_sends ? &c->sseq : &c->cseq;
    uint32_t mss = MAX_FRAME - ETH_LEN - (c->family == 6 ? IP6_LEN : IP4_LEN) - TCP_LEN - TCP_OPTS;
    memset(p, 0, sizeof(*p));
    p->proto = 6;
    switch (c->step) {
    case BULK_SYN:
        *p = (struct pkt){true, 6, TH_SYN, true, c->cseq++, 0, 0};
        break;
    case BULK_SYNACK:
        *p = (struct pkt){false, 6, TH_SYN | TH_ACK, true, c->sseq++, c->cseq, 0};
        break;
    case BULK_ACK:
        *p = (struct pkt){true, 6, TH_ACK, false, c->cseq, c->sseq, 0};
        break;
    case BULK_REQUEST:
        *p = (struct pkt){true, 6, TH_PSH | TH_ACK, false, c->cseq, c->sseq, c->req_len};
        c->cseq += c->req_len;
        break;
    case BULK_DATA:
        if (c->unacked == 8 || (c->segments == 0 && c->unacked > 0)) {
            *p = (struct pkt){!client_sends, 6, TH_ACK, false, *rcv, *snd, 0};
            c->unacked = 0;
            if (c->segments == 0)
                c->step++;
            return true;
        }
        *p = (struct pkt){client_sends, 6, TH_ACK, false, *snd, *rcv, mss};
        *snd += mss;
        c->segments--;
        c->unacked++;
        return true;
    case BULK_FIN1:
        *p = (struct pkt){true, 6, TH_FIN | TH_ACK, false, c->cseq++, c->sseq, 0};
        break;
    case BULK_FIN2:
        *p = (struct pkt){false, 6, TH_FIN | TH_ACK, false, c->sseq++, c->cseq, 0};
        break;
    case BULK_LASTACK:
        *p = (struct pkt){true, 6, TH_ACK, false, c->cseq, c->sseq, 0};
        break;
    default:
        return false;
    }
    c->step++;
    return true;
}

/* May another conversation start? Only while the packets promised stay within the target. */
static bool may_start(const struct gen *g, uint64_t packets)
{
    if (g->duration != 0 && g->now >= g->duration)
        return false;
    return g->packets + g->pending + packets <= g->target;
}

static int run_many_flows(struct gen *g)
{
    struct conv next;
    struct pkt p;

    g->convs = calloc(g->concurrency, sizeof(*g->convs));
    if (g->convs == NULL)
        return -1;
    /* Conversations start over time, as they would in a capture started on a busy link. */
    start_short(g, &next);
    for (;;) {
        uint32_t i;

        if (g->n_convs < g->concurrency && may_start(g, next.n_steps) &&
            (g->n_convs == 0 || rng_below(&g->rng, 4) == 0)) {
            g->convs[g->n_convs++] = next;
            g->pending += next.n_steps;
            start_short(g, &next);
        }
        if (g->n_convs == 0)
            break;
        i = rng_below(&g->rng, g->n_convs);
        if (!next_short(&g->convs[i], &p))
            abort();
        g->pending--;
        if (emit(g, &g->convs[i], &p) != 0)
            return -1;
        if (g->convs[i].step == g->convs[i].n_steps) {
            /* Ended: another takes its place, or the pool shrinks when no more may start. */
            if (may_start(g, next.n_steps)) {
                g->convs[i] = next;
                g->pending += next.n_steps;
                start_short(g, &next);
            } else {
                g->convs[i] = g->convs[--g->n_convs];
            }
        }
    }
    g->started[next.kind]--; /* the one prepared last never started */
    return 0;
}

static int run_elephant(struct gen *g)
{
    static const uint16_t ports[] = {443, 22, 873, 445, 2049, 443, 443, 80};
    uint64_t weight[256], total_weight = 0, budget;
    struct pkt p;

    if (g->concurrency > 256)
        g->concurrency = 256;
    g->convs = calloc(g->concurrency, sizeof(*g->convs));
    if (g->convs == NULL)
        return -1;
    /* Transfers of different sizes, from half to one and a half times the average. */
    for (uint32_t i = 0; i < g->concurrency; i++) {
        weight[i] = 500 + rng_below(&g->rng, 1001);
        total_weight += weight[i];
    }
    budget = g->target > g->concurrency * 7ull ? g->target - g->concurrency * 7ull : 0;
    for (uint32_t i = 0; i < g->concurrency; i++) {
        struct conv *c = &g->convs[i];
        uint64_t share = budget * weight[i] / total_weight;

        c->kind = CONV_BULK;
        pick_hosts(g, c);
        c->cport = client_port(g, &g->hosts[c->client]);
        c->sport = ports[rng_below(&g->rng, sizeof(ports) / sizeof(ports[0]))];
        c->upload = rng_below(&g->rng, 10) < 3;
        c->cseq = (uint32_t)rng_next(&g->rng);
        c->sseq = (uint32_t)rng_next(&g->rng);
        c->req_len = (uint16_t)(80 + rng_below(&g->rng, 200));
        c->segments = share * 8 / 9; /* one ACK per 8 segments */
        g->started[CONV_BULK]++;
    }
    g->n_convs = g->concurrency;
    while (g->n_convs > 0) {
        uint32_t i = rng_below(&g->rng, g->n_convs);

        if (!next_bulk(&g->convs[i], &p)) {
            g->convs[i] = g->convs[--g->n_convs];
            continue;
        }
        if (emit(g, &g->convs[i], &p) != 0)
            return -1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fputs("Usage: gen-trace [options] -o FILE\n"
          "Writes a deterministic pcap trace for the benchmark ('-o -': standard output).\n"
          "\n"
          "  -k, --kind KIND         many-flows (default) or elephant\n"
          "  -n, --packets N         about N packets (default 10000000); conversations in\n"
          "                          progress when the count is near end before it is passed\n"
          "  -d, --duration SECONDS  many-flows: start no conversation after SECONDS of trace\n"
          "                          time (about 220,000 packets a second)\n"
          "  -c, --concurrency N     conversations in progress at once (default 4000;\n"
          "                          elephant: transfers, default 100)\n"
          "  -s, --snaplen N         bytes captured per packet (default 262144; elephant 128)\n"
          "      --seed N            seed (default 1)\n"
          "\n"
          "The shape of a many-flows trace: a named one, then any of its numbers changed:\n"
          "      --shape NAME        bench (default), lab, ten-minutes, busy-udp, campus-hour,\n"
          "                          datacentre, home-day, port-reuse, ipv6-long\n"
          "      --clients N         client hosts (a fifth of them IPv6, unless the IPv6\n"
          "                          share is 0 or 100)\n"
          "      --servers N         server hosts (split the same way)\n"
          "      --udp-share PCT     conversations that are UDP (DNS and NTP)\n"
          "      --ipv6-share PCT    conversations over IPv6\n"
          "      --tcp-rounds N      request/response exchanges per TCP connection\n"
          "                          (packets: 7 or 8 for 1, 2 more for each further one)\n"
          "      --client-ports N    each client cycles through the first N ports of its\n"
          "                          range, so later connections reuse ports (0: all)\n"
          "      --gap-us N          1 to N microseconds between packets: the trace time\n"
          "  -o, --output FILE       where to write the trace\n"
          "  -h, --help              show this help\n"
          "  -V, --version           show the generator's version: it changes whenever the\n"
          "                          bytes made for the same options do\n"
          "\n"
          "A summary goes to standard error.\n",
          out);
}

/* One of the shape's numbers from its option; false when out of range. */
static bool set_shape_value(struct shape *sh, int opt, uint64_t v)
{
    switch (opt) {
    case 'C':
    case 'R':
        if (v == 0 || v > 1000000)
            return false;
        *(opt == 'C' ? &sh->clients : &sh->servers) = (uint32_t)v;
        return true;
    case 'U':
    case '6':
        if (v > 100)
            return false;
        *(opt == 'U' ? &sh->udp_percent : &sh->ipv6_percent) = (uint32_t)v;
        return true;
    case 'T':
        if (v > 100000)
            return false;
        sh->tcp_rounds = (uint32_t)v;
        return true;
    case 'P':
        if (v > 65535)
            return false;
        sh->client_ports = (uint32_t)v;
        return true;
    default: /* 'G' */
        if (v == 0 || v > 100000000)
            return false;
        sh->gap_max = (uint32_t)v;
        return true;
    }
}

/* A number of hosts split between IPv4 and IPv6: a fifth IPv6, or all or none of one family. */
static void split_hosts(uint32_t n, uint32_t ipv6_percent, uint32_t *n4, uint32_t *n6)
{
    *n6 = ipv6_percent == 0 ? 0 : ipv6_percent == 100 ? n : n / 5 ? n / 5 : 1;
    *n4 = n - *n6;
    if (*n4 == 0 && ipv6_percent < 100) {
        (*n4)++;
        (*n6)--;
    }
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"kind", required_argument, NULL, 'k'},
                                             {"packets", required_argument, NULL, 'n'},
                                             {"duration", required_argument, NULL, 'd'},
                                             {"concurrency", required_argument, NULL, 'c'},
                                             {"snaplen", required_argument, NULL, 's'},
                                             {"seed", required_argument, NULL, 'S'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"shape", required_argument, NULL, 'H'},
                                             {"clients", required_argument, NULL, 'C'},
                                             {"servers", required_argument, NULL, 'R'},
                                             {"udp-share", required_argument, NULL, 'U'},
                                             {"ipv6-share", required_argument, NULL, '6'},
                                             {"tcp-rounds", required_argument, NULL, 'T'},
                                             {"client-ports", required_argument, NULL, 'P'},
                                             {"gap-us", required_argument, NULL, 'G'},
                                             {NULL, 0, NULL, 0}};
    static struct gen g;
    const char *output = NULL;
    uint64_t seed = 1, v, concurrency = 0, snaplen = 0;
    struct shape shape = shapes[0];
    struct timespec t0, t1;
    double secs;
    int opt, rc;

    g.kind = TRACE_MANY_FLOWS;
    g.target = 10000000;
    while ((opt = getopt_long(argc, argv, "k:n:d:c:s:o:hV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k':
            if (strcmp(optarg, "many-flows") == 0)
                g.kind = TRACE_MANY_FLOWS;
            else if (strcmp(optarg, "elephant") == 0)
                g.kind = TRACE_ELEPHANT;
            else
                goto bad;
            break;
        case 'n':
            if (!parse_u64(optarg, &g.target))
                goto bad;
            break;
        case 'd':
            if (!parse_u64(optarg, &v) || v == 0 || v > UINT32_MAX)
                goto bad;
            g.duration = v * 1000000;
            break;
        case 'c':
            if (!parse_u64(optarg, &concurrency) || concurrency == 0 || concurrency > 1000000)
                goto bad;
            break;
        case 's':
            if (!parse_u64(optarg, &snaplen) || snaplen < 64 || snaplen > 262144)
                goto bad;
            break;
        case 'S':
            if (!parse_u64(optarg, &seed))
                goto bad;
            break;
        case 'o':
            output = optarg;
            break;
        case 'H': {
            size_t i, n = sizeof(shapes) / sizeof(shapes[0]);

            for (i = 0; i < n && strcmp(shapes[i].name, optarg) != 0; i++)
                ;
            if (i == n)
                goto bad;
            shape = shapes[i];
            break;
        }
        case 'C':
        case 'R':
        case 'U':
        case '6':
        case 'T':
        case 'P':
        case 'G':
            if (!parse_u64(optarg, &v) || !set_shape_value(&shape, opt, v))
                goto bad;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("gen-trace %d\n", GEN_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || output == NULL) {
        usage(stderr);
        return 2;
    }
    if (g.duration != 0 && g.kind == TRACE_MANY_FLOWS && g.target == 10000000)
        g.target = UINT64_MAX; /* --duration alone: no packet limit */

    g.rng.s = seed * 0x2545f4914f6cdd1dULL + g.kind;
    if (g.kind == TRACE_MANY_FLOWS) {
        g.concurrency = concurrency ? (uint32_t)concurrency : shape.concurrency;
        g.snaplen = snaplen ? (uint32_t)snaplen : 262144;
        g.gap_min = 1;
        g.gap_spread = shape.gap_max; /* bench: 1 to 8 us, about 220,000 packets a second */
        split_hosts(shape.clients, shape.ipv6_percent, &g.n_clients4, &g.n_clients6);
        split_hosts(shape.servers, shape.ipv6_percent, &g.n_servers4, &g.n_servers6);
        g.udp_permille = shape.udp_percent * 10;
        g.ipv6_percent = shape.ipv6_percent;
        g.tcp_rounds = shape.tcp_rounds;
        g.client_ports = shape.client_ports;
    } else {
        g.concurrency = concurrency ? (uint32_t)concurrency : 100;
        g.snaplen = snaplen ? (uint32_t)snaplen : 128;
        g.gap_min = 1;
        g.gap_spread = 2; /* 1 or 2 us: about 8 Gbit/s of 1514-byte frames */
        g.n_clients4 = 40;
        g.n_clients6 = 8;
        g.n_servers4 = 8;
        g.n_servers6 = 2;
        g.ipv6_percent = 14;
    }
    if (make_hosts(&g) != 0) {
        fprintf(stderr, "gen-trace: out of memory\n");
        return 1;
    }
    if (strcmp(output, "-") == 0) {
        g.out = stdout;
    } else {
        g.out = fopen(output, "wb");
        if (g.out == NULL) {
            fprintf(stderr, "gen-trace: cannot open '%s': %s\n", output, strerror(errno));
            return 1;
        }
    }
    setvbuf(g.out, NULL, _IOFBF, 1 << 20);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = write_file_header(&g);
    if (rc == 0)
        rc = g.kind == TRACE_MANY_FLOWS ? run_many_flows(&g) : run_elephant(&g);
    if (fflush(g.out) != 0 || rc != 0 || (g.out != stdout && fclose(g.out) != 0)) {
        fprintf(stderr, "gen-trace: cannot write '%s': %s\n", output, strerror(errno));
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr,
            "gen-trace: version=%d kind=%s shape=%s seed=%" PRIu64 " snaplen=%u concurrency=%u\n"
            "gen-trace: clients=%u servers=%u udp_share=%u%% ipv6_share=%u%% tcp_rounds=%u "
            "client_ports=%u gap_us=1-%u\n"
            "gen-trace: packets=%" PRIu64 " ipv6_packets=%" PRIu64 " (%.1f%%) file_bytes=%" PRIu64
            " wire_bytes=%" PRIu64 " trace_seconds=%.3f\n"
            "gen-trace: conversations=%" PRIu64 " tcp=%" PRIu64 " refused=%" PRIu64 " dns=%" PRIu64
            " ntp=%" PRIu64 " bulk=%" PRIu64 "\n"
            "gen-trace: generated in %.2f s\n",
            GEN_VERSION, g.kind == TRACE_MANY_FLOWS ? "many-flows" : "elephant",
            g.kind == TRACE_MANY_FLOWS ? shape.name : "-", seed, g.snaplen, g.concurrency,
            g.n_clients4 + g.n_clients6, g.n_servers4 + g.n_servers6, g.udp_permille / 10,
            g.ipv6_percent, g.tcp_rounds, g.client_ports, g.gap_spread, g.packets, g.packets6,
            g.packets ? 100.0 * (double)g.packets6 / (double)g.packets : 0.0, g.bytes_written,
            g.wire_bytes, (double)g.now / 1e6,
            g.started[CONV_TCP] + g.started[CONV_REFUSED] + g.started[CONV_DNS] +
                g.started[CONV_NTP] + g.started[CONV_BULK],
            g.started[CONV_TCP], g.started[CONV_REFUSED], g.started[CONV_DNS], g.started[CONV_NTP],
            g.started[CONV_BULK], secs);
    free(g.convs);
    free(g.hosts);
    return 0;

bad:
    fprintf(stderr, "gen-trace: bad value for option: '%s'\n", optarg);
    usage(stderr);
    return 2;
}
