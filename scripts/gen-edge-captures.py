#!/usr/bin/env python3
"""gen-edge-captures.py - write synthetic edge-case captures for portscope.

Usage:  python3 scripts/gen-edge-captures.py [OUTDIR]   (default: samples/)

These are the captures that real traffic cannot give us on the machine that
made scripts/make-samples.sh: link types we have no interface for, tunnel
types the kernel could not create (802.1Q/QinQ, GRE, Geneve, IPIP, SIT),
MPLS, PPPoE, GTP-U, hand-made fragment orders, ICMP corner cases, pcapng
with several interfaces or sections, broken files, and TCP connection
lifecycles (every Zeek conn_state, retransmissions, port reuse, idle
timeouts, timestamps going backwards).

Python 3 standard library only. Deterministic: fixed addresses, ports,
sequence numbers and timestamps (from 2026-01-01T00:00:00Z), so every run
writes the same bytes. Addresses are documentation ranges only
(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and
locally administered MAC addresses 02:00:5e:..

The exact contents of each file are described in samples/README.md.
"""

import os
import socket
import struct
import sys

T0 = 1767225600          # 2026-01-01T00:00:00Z

# ------------------------------------------------------------------ helpers


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip4(s):
    return socket.inet_pton(socket.AF_INET, s)


def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def is6(addr):
    return ":" in addr


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pseudo(src, dst, proto, length):
    if is6(src):
        return ip6(src) + ip6(dst) + struct.pack("!IxxxB", length, proto)
    return ip4(src) + ip4(dst) + struct.pack("!xBH", proto, length)


_IPID = [0x1000]


def ipv4(src, dst, proto, payload, ttl=64, ident=None, df=True, mf=False,
         frag_off=0, total_len=None, tos=0):
    """IPv4 header (no options) + payload; correct header checksum."""
    if ident is None:
        _IPID[0] += 1
        ident = _IPID[0]
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_off // 8)
    tl = total_len if total_len is not None else 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tl, ident, flags, ttl, proto,
                    0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, hlim=64, flow=0):
    return struct.pack("!IHBB16s16s", (6 << 28) | flow, len(payload), nh, hlim,
                       ip6(src), ip6(dst)) + payload


def ip(src, dst, proto, payload, **kw):
    if is6(src):
        kw.pop("ident", None)
        kw.pop("df", None)
        if "ttl" in kw:
            kw["hlim"] = kw.pop("ttl")
        return ipv6(src, dst, proto, payload, **kw)
    return ipv4(src, dst, proto, payload, **kw)


def udp_seg(src, dst, sport, dport, payload):
    ln = 8 + len(payload)
    h = struct.pack("!HHHH", sport, dport, ln, 0)
    c = csum(pseudo(src, dst, 17, ln) + h + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, ln, c) + payload


def udp(src, dst, sport, dport, payload, **kw):
    return ip(src, dst, 17, udp_seg(src, dst, sport, dport, payload), **kw)


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp_seg(src, dst, sport, dport, seq, ack, flags, payload=b"",
            win=64240, opts=b""):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                    win, 0, 0) + opts
    c = csum(pseudo(src, dst, 6, len(h) + len(payload)) + h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", opts=b"",
        **kw):
    return ip(src, dst, 6,
              tcp_seg(src, dst, sport, dport, seq, ack, flags, payload,
                      opts=opts), **kw)


# MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes);
# SYN_OPTS[:4] is the MSS option alone.
SYN_OPTS = bytes.fromhex("020405b4" "0402" "080a" "00000000" "00000000"
                         "01" "030307")


def tcp_session(c, s, cport, sport, req, resp, isn_c=1000, isn_s=5000,
                close=True):
    """Handshake, request, response (+ FIN, FIN, ACK): 5 or 8 IP packets."""
    cs, ss = isn_c, isn_s
    pk = [
        tcp(c, s, cport, sport, cs, 0, SYN, opts=SYN_OPTS[:4]),
        tcp(s, c, sport, cport, ss, cs + 1, SYN | ACK, opts=SYN_OPTS[:4]),
        tcp(c, s, cport, sport, cs + 1, ss + 1, ACK),
        tcp(c, s, cport, sport, cs + 1, ss + 1, PSH | ACK, req),
        tcp(s, c, sport, cport, ss + 1, cs + 1 + len(req), PSH | ACK, resp),
    ]
    if close:
        a, b = cs + 1 + len(req), ss + 1 + len(resp)
        pk += [
            tcp(c, s, cport, sport, a, b, FIN | ACK),
            tcp(s, c, sport, cport, b, a + 1, FIN | ACK),
            tcp(c, s, cport, sport, a + 1, b + 1, ACK),
        ]
    return pk


HTTP_REQ = b"GET /hello.txt HTTP/1.0\r\nHost: www.example.test\r\n\r\n"
HTTP_RESP = b"HTTP/1.0 200 OK\r\nContent-Length: 17\r\n\r\nhello, portscope\n"


def dns_query(qid, name, qtype=1):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + \
        struct.pack("!HH", qtype, 1)


def dns_answer_a(qid, name, addr):
    q = dns_query(qid, name)[12:]
    ans = struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ip4(addr)
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + ans


def udp_exchange(c, s, cport, sport, qid=0x1234, name="www.example.test",
                 answer="192.0.2.80"):
    """A DNS A query and its answer (2 IP packets)."""
    return [udp(c, s, cport, sport, dns_query(qid, name)),
            udp(s, c, sport, cport, dns_answer_a(qid, name, answer))]


ETH_IP4, ETH_IP6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
M_CLI, M_SRV = mac("02:00:5e:00:02:02"), mac("02:00:5e:00:02:01")
M_IN_CLI, M_IN_SRV = mac("02:00:5e:00:64:02"), mac("02:00:5e:00:64:01")


def ethertype_of(pkt):
    return ETH_IP6 if pkt[0] >> 4 == 6 else ETH_IP4


def eth(pkt, src=None, dst=None, etype=None, tags=()):
    """Ethernet II frame around an IP packet. The direction (MACs) follows
    the IP source: packets from the 'client' side get M_CLI as source.
    tags: ((tpid, vid), ...) outermost first."""
    if src is None:
        src, dst = M_CLI, M_SRV
    if etype is None:
        etype = ethertype_of(pkt)
    hdr = dst + src
    for tpid, vid in tags:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", etype) + pkt


def eth_dir(pkt, client_addrs, **kw):
    """Ethernet with MACs chosen by direction (client -> server or back)."""
    src = pkt[12:16] if pkt[0] >> 4 == 4 else pkt[8:24]
    fam = socket.AF_INET if pkt[0] >> 4 == 4 else socket.AF_INET6
    if socket.inet_ntop(fam, src) in client_addrs:
        return eth(pkt, M_CLI, M_SRV, **kw)
    return eth(pkt, M_SRV, M_CLI, **kw)


# ------------------------------------------------------------------ writers


class Clock:
    """Deterministic timestamps: start at T0 + offset, step per packet."""

    def __init__(self, start_us=0, step_us=1000):
        self.t = T0 * 1000000 + start_us
        self.step = step_us

    def next(self):
        t = self.t
        self.t += self.step
        return t


def pcap_bytes(linktype, frames, snaplen=262144, nano=False, clock=None,
               endian="<"):
    """frames: list of bytes or (data, orig_len). Returns the file bytes."""
    clock = clock or Clock()
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen,
                       linktype)]
    for f in frames:
        data, orig = (f if isinstance(f, tuple) else (f, len(f)))
        t = clock.next()
        sec, frac = divmod(t, 1000000)
        if nano:
            frac *= 1000
        cap = data[:snaplen]
        out.append(struct.pack(endian + "IIII", sec, frac, len(cap), orig))
        out.append(cap)
    return b"".join(out)


OUTDIR = "."
WRITTEN = []


def write(name, data):
    path = os.path.join(OUTDIR, name)
    with open(path, "wb") as fh:
        fh.write(data)
    WRITTEN.append((name, len(data)))


def write_pcap(name, linktype, frames, **kw):
    write(name, pcap_bytes(linktype, frames, **kw))


# pcapng


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def ng_opt(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + pad4(value)


def ng_block(e, btype, body):
    ln = 12 + len(body)
    return struct.pack(e + "II", btype, ln) + body + struct.pack(e + "I", ln)


def ng_shb(e, appl=b"gen-edge-captures.py (portscope)"):
    body = struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)
    body += ng_opt(e, 4, appl) + ng_opt(e, 0, b"")
    return ng_block(e, 0x0A0D0D0A, body)


def ng_idb(e, linktype, name, tsresol=None, snaplen=262144):
    body = struct.pack(e + "HHI", linktype, 0, snaplen)
    body += ng_opt(e, 2, name.encode())
    if tsresol is not None:
        body += ng_opt(e, 9, bytes([tsresol]))
    body += ng_opt(e, 0, b"")
    return ng_block(e, 1, body)


def ng_epb(e, ifid, ts, data):
    """ts in the interface's units (µs by default, ns with if_tsresol=9)."""
    body = struct.pack(e + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF,
                       len(data), len(data)) + pad4(data)
    return ng_block(e, 6, body)


def sll(pkt, pkttype):
    """Linux cooked v1 header (113): pkttype 0 = to us, 4 = outgoing."""
    addr = M_CLI if pkttype == 4 else M_SRV
    return struct.pack("!HHH", pkttype, 1, 6) + addr + b"\0\0" + \
        struct.pack("!H", ethertype_of(pkt)) + pkt


# ------------------------------------------------------------------ files


C4, S4 = "192.0.2.2", "198.51.100.1"
C6, S6 = "2001:db8::2", "2001:db8:1::1"


def gen_mpls():
    """MPLS: 2-label stack + IPv4 TCP session; 2-label stack + IPv6 UDP."""
    def mpls(labels, pkt):
        stack = b""
        for i, (label, tc) in enumerate(labels):
            bos = 1 if i == len(labels) - 1 else 0
            stack += struct.pack("!I", (label << 12) | (tc << 9) | (bos << 8)
                                 | 64)
        return stack + pkt
    fr = []
    for p in tcp_session(C4, S4, 40001, 80, HTTP_REQ, HTTP_RESP):
        fr.append(eth_dir(mpls([(1000, 0), (2000, 0)], p), {C4},
                          etype=0x8847))
    for p in udp_exchange(C6, S6, 40002, 53):
        fr.append(eth_dir(mpls([(1001, 0), (2001, 5)], p), {C6},
                          etype=0x8847))
    write_pcap("gen-mpls.pcap", 1, fr)


def gen_pppoe():
    """PPPoE: one PADI (discovery), then session 0x1234 with PPP IPv4 TCP,
    PPP IPv6 UDP and one LCP echo request (not IP)."""
    bras, host = mac("02:00:5e:00:03:01"), mac("02:00:5e:00:03:02")
    tags = struct.pack("!HH", 0x0101, 0) + \
        struct.pack("!HH", 0x0103, 4) + b"\x00\x00\x12\x34"
    fr = [b"\xff" * 6 + host + struct.pack("!HBBHH", 0x8863, 0x11, 0x09, 0,
                                           len(tags)) + tags]

    def sess(proto, payload, up):
        ppp = struct.pack("!H", proto) + payload
        src, dst = (host, bras) if up else (bras, host)
        return dst + src + struct.pack("!HBBHH", 0x8864, 0x11, 0x00, 0x1234,
                                       len(ppp)) + ppp
    h4, h6 = "203.0.113.2", "2001:db8:3::2"
    for p in tcp_session(h4, S4, 40011, 80, HTTP_REQ, HTTP_RESP, close=False):
        fr.append(sess(0x0021, p, p[12:16] == ip4(h4)))
    for p in udp_exchange(h6, S6, 40012, 53):
        fr.append(sess(0x0057, p, p[8:24] == ip6(h6)))
    # LCP Echo-Request: code 9, id 1, length 8, magic number
    fr.append(sess(0xC021, struct.pack("!BBHI", 9, 1, 8, 0x5A5A0001), False))
    write_pcap("gen-pppoe.pcap", 1, fr)


def gen_gtpu():
    """GTP-U over IPv4/UDP 2152, TEID 0x1000: G-PDUs with and without the
    optional fields, inner DNS; one echo request."""
    enb, sgw = "192.0.2.10", "192.0.2.20"
    ue, dns = "203.0.113.5", "198.51.100.53"

    def gtp(flags, mtype, teid, payload, opt=b""):
        # length = everything after the 8-byte mandatory header
        return struct.pack("!BBHI", flags, mtype, len(opt) + len(payload),
                           teid) + opt + payload

    def outer(up, g):
        s, d = (enb, sgw) if up else (sgw, enb)
        p = udp(s, d, 2152, 2152, g)
        return eth(p, M_CLI, M_SRV) if up else eth(p, M_SRV, M_CLI)
    q1, a1 = udp_exchange(ue, dns, 53001, 53, 0x0001)
    q2, a2 = udp_exchange(ue, dns, 53002, 53, 0x0002, "mail.example.test",
                          "192.0.2.25")
    fr = [
        # 1: flags 0x30 (v1, PT=1, no E/S/PN), G-PDU
        outer(True, gtp(0x30, 0xFF, 0x1000, q1)),
        # 2: flags 0x32 (S): seq 0x0001, N-PDU 0, next ext 0
        outer(False, gtp(0x32, 0xFF, 0x1000, a1,
                         struct.pack("!HBB", 1, 0, 0))),
        # 3: flags 0x34 (E): next ext 0x85 PDU session container
        #    (len 1 = 4 bytes: PDU type 1 (UL), QFI 9), then no more ext
        outer(True, gtp(0x34, 0xFF, 0x1000, q2,
                        struct.pack("!HBB", 0, 0, 0x85) +
                        bytes([1, 0x10, 0x09, 0x00]))),
        # 4: flags 0x31 (PN): N-PDU number 7
        outer(False, gtp(0x31, 0xFF, 0x1000, a2,
                         struct.pack("!HBB", 0, 7, 0))),
        # 5: echo request (type 1), TEID 0, S flag, seq 0x1234
        outer(True, gtp(0x32, 0x01, 0, b"", struct.pack("!HBB", 0x1234, 0, 0))),
    ]
    write_pcap("gen-gtpu.pcap", 1, fr)


def frag4(src, dst, ident, l4proto, l4, cuts):
    """Split an L4 payload into IPv4 fragments at byte offsets cuts."""
    out, edges = [], [0] + cuts + [len(l4)]
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        out.append(ipv4(src, dst, l4proto, l4[a:b], ident=ident, df=False,
                        mf=(b < len(l4)), frag_off=a))
    return out


def frag6(src, dst, ident, l4proto, l4, cuts):
    out, edges = [], [0] + cuts + [len(l4)]
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        fh = struct.pack("!BBHI", l4proto, 0, a | (1 if b < len(l4) else 0),
                         ident)
        out.append(ipv6(src, dst, 44, fh + l4[a:b]))
    return out


def payload(n, tag=b"portscope fragment "):
    return (tag * (n // len(tag) + 1))[:n]


def gen_frag_ooo():
    fr = []
    # A: IPv4 UDP 192.0.2.2:40020 -> 198.51.100.1:9999, 2000 bytes of data
    #    (2008-byte UDP), fragments [0,800) [800,1600) [1600,2008),
    #    delivered last, first, middle. IP ID 0x1111.
    l4 = udp_seg(C4, S4, 40020, 9999, payload(2000))
    f = frag4(C4, S4, 0x1111, 17, l4, [800, 1600])
    fr += [f[2], f[0], f[1]]
    # B: IPv6 UDP [2001:db8::2]:40021 -> [2001:db8:1::1]:9999, same size,
    #    ident 0x22222222, delivered middle, last, first.
    l4 = udp_seg(C6, S6, 40021, 9999, payload(2000))
    f = frag6(C6, S6, 0x22222222, 17, l4, [800, 1600])
    fr += [f[1], f[2], f[0]]
    # C: orphan: the last fragment (offset 800) of IPv4 ID 0x3333 whose
    #    other fragments never come.
    l4 = udp_seg(C4, S4, 40022, 9999, payload(1200))
    fr.append(frag4(C4, S4, 0x3333, 17, l4, [800])[1])
    # D: overlap: IPv4 ID 0x4444, 1208-byte UDP in [0,800) and [800,1208),
    #    plus a duplicate covering [400,1000) (same bytes) in between.
    l4 = udp_seg(C4, S4, 40023, 9999, payload(1200))
    f = frag4(C4, S4, 0x4444, 17, l4, [800])
    dup = ipv4(C4, S4, 17, l4[400:1000], ident=0x4444, df=False, mf=True,
               frag_off=400)
    fr += [f[0], dup, f[1]]
    write_pcap("gen-frag-ooo.pcap", 1, [eth(p) for p in fr])


def icmp(t, code, rest, data):
    h = struct.pack("!BBH", t, code, 0) + rest + data
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def icmp6(src, dst, t, code, rest, data):
    body = struct.pack("!BBH", t, code, 0) + rest + data
    c = csum(pseudo(src, dst, 58, len(body)) + body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def gen_icmp():
    A, B, R = "192.0.2.2", "192.0.2.1", "192.0.2.254"
    fr = []

    def e4(p):
        return eth_dir(p, {A, "2001:db8::2"})
    # two echo flows (ids 0x0101 and 0x0202) A -> B
    for ident in (0x0101, 0x0202):
        data = payload(32, b"portscope ping ")
        fr.append(ipv4(A, B, 1, icmp(8, 0, struct.pack("!HH", ident, 1), data)))
        fr.append(ipv4(B, A, 1, icmp(0, 0, struct.pack("!HH", ident, 1), data)))
    # lone echo reply, id 0x0303
    fr.append(ipv4(B, A, 1, icmp(0, 0, struct.pack("!HH", 0x0303, 1),
                                 payload(32, b"portscope ping "))))
    # UDP flow 192.0.2.2:50000 <-> 198.51.100.7:53: a DNS query and its
    # answer, then a second query on the same ports answered by a port
    # unreachable that quotes the whole datagram (as Linux does)
    fr += udp_exchange(A, "198.51.100.7", 50000, 53, 0x0007)
    u = udp(A, "198.51.100.7", 50000, 53,
            dns_query(0x0008, "mail.example.test"))
    fr.append(u)
    fr.append(ipv4("198.51.100.7", A, 1, icmp(3, 3, b"\0" * 4, u)))
    # TCP SYN to 198.51.100.8:443, time exceeded from R quoting IP hdr + 8
    s = tcp(A, "198.51.100.8", 50001, 443, 777, 0, SYN, opts=SYN_OPTS[:4],
            ttl=1)
    fr.append(s)
    fr.append(ipv4(R, A, 1, icmp(11, 0, b"\0" * 4, s[:28])))
    # ICMPv6 packet too big (MTU 1280) quoting a 1400-byte TCP segment
    a6, b6, r6 = "2001:db8::2", "2001:db8:1::8", "2001:db8::ff"
    t6 = tcp(a6, b6, 50002, 443, 9000, 4000, PSH | ACK, payload(1400))
    fr.append(t6)
    quote = t6[:1280 - 48]
    fr.append(ipv6(r6, a6, 58, icmp6(r6, a6, 2, 0, struct.pack("!I", 1280),
                                     quote)))
    # ICMPv6 echo pair, id 0x0404
    e6 = "2001:db8::1"
    d = payload(32, b"portscope ping6 ")
    fr.append(ipv6(a6, e6, 58, icmp6(a6, e6, 128, 0,
                                     struct.pack("!HH", 0x0404, 1), d)))
    fr.append(ipv6(e6, a6, 58, icmp6(e6, a6, 129, 0,
                                     struct.pack("!HH", 0x0404, 1), d)))
    # router advertisement (type 9): 1 address, lifetime 1800, R's address
    fr.append(ipv4(R, "224.0.0.1", 1,
                   icmp(9, 0, struct.pack("!BBH", 1, 2, 1800),
                        ip4(R) + struct.pack("!I", 0)), ttl=1, df=False))
    # timestamp request / reply (types 13 / 14), id 0x0505
    fr.append(ipv4(A, B, 1, icmp(13, 0, struct.pack("!HH", 0x0505, 1),
                                 struct.pack("!III", 1000, 0, 0))))
    fr.append(ipv4(B, A, 1, icmp(14, 0, struct.pack("!HH", 0x0505, 1),
                                 struct.pack("!III", 1000, 1001, 1001))))
    # truncated error: host unreachable (3/1) whose quote is only the first
    # 12 bytes of the quoted IPv4 header (no addresses, no ports)
    u2 = udp(A, "198.51.100.9", 50003, 7, b"echo?")
    fr.append(ipv4(R, A, 1, icmp(3, 1, b"\0" * 4, u2[:12])))
    fr = [e4(p) for p in fr]
    ra = 15  # the router advertisement goes to the all-hosts group MAC
    fr[ra] = mac("01:00:5e:00:00:01") + fr[ra][6:]
    write_pcap("gen-icmp.pcap", 1, fr)


def gen_multi_if():
    """pcapng, 1 section, 3 interfaces (Ethernet, raw IP, Linux SLL), one TCP
    conversation interleaved across them."""
    e = "<"
    out = [ng_shb(e), ng_idb(e, 1, "eth0"), ng_idb(e, 101, "tun0"),
           ng_idb(e, 113, "any")]
    clock = Clock()
    sess = tcp_session(C4, S4, 40030, 80, HTTP_REQ, HTTP_RESP)
    for i, p in enumerate(sess):
        ifid = i % 3
        up = p[12:16] == ip4(C4)
        if ifid == 0:
            data = eth_dir(p, {C4})
        elif ifid == 1:
            data = p
        else:
            data = sll(p, 4 if up else 0)
        out.append(ng_epb(e, ifid, clock.next(), data))
    write("gen-multi-if.pcapng", b"".join(out))


def gen_multi_section():
    """pcapng, 2 sections: LE with a µs Ethernet IDB and a DNS exchange;
    BE with an Ethernet IDB with if_tsresol=9 and a TCP session."""
    clock = Clock()
    out = [ng_shb("<"), ng_idb("<", 1, "eth0")]
    for p in udp_exchange(C4, S4, 40040, 53):
        out.append(ng_epb("<", 0, clock.next(), eth_dir(p, {C4})))
    out += [ng_shb(">"), ng_idb(">", 1, "eth1", tsresol=9)]
    for p in tcp_session(C6, S6, 40041, 80, HTTP_REQ, HTTP_RESP, close=False):
        # nanosecond timestamps with a non-zero sub-microsecond part
        out.append(ng_epb(">", 0, clock.next() * 1000 + 123,
                          eth_dir(p, {C6})))
    write("gen-multi-section.pcapng", b"".join(out))


def gen_linktypes():
    dns4 = udp_exchange(C4, S4, 40050, 53)
    dns6 = udp_exchange(C6, S6, 40051, 53)
    syn4 = tcp(C4, S4, 40052, 80, 1000, 0, SYN, opts=SYN_OPTS[:4])
    syn6 = tcp(C6, S6, 40053, 80, 1000, 0, SYN, opts=SYN_OPTS[:4])

    # DLT_PPP (9): FF 03 + protocol
    ppp = [b"\xff\x03\x00\x21" + p for p in dns4] + \
          [b"\xff\x03\x00\x57" + dns6[0],
           b"\xff\x03\xc0\x21" + struct.pack("!BBHI", 9, 1, 8, 0x5A5A0002)]
    write_pcap("gen-ppp.pcap", 9, ppp)

    # Cisco HDLC (104): address 0x0F (unicast) / 0x8F, control 0, ethertype
    chdlc = [b"\x0f\x00\x08\x00" + p for p in dns4] + \
            [b"\x0f\x00\x86\xdd" + dns6[0],
             # SLARP keepalive (0x8035): code 2, myseq, yourseq, reliability
             b"\x8f\x00\x80\x35" + struct.pack("!IIIH", 2, 1, 0, 0xFFFF)]
    write_pcap("gen-chdlc.pcap", 104, chdlc)

    # 802.11 (105), no FCS
    bssid, sta, gw = mac("02:00:5e:00:11:01"), mac("02:00:5e:00:11:02"), \
        mac("02:00:5e:00:11:03")
    snap4 = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"

    def wlan(fc, a1, a2, a3, seq, body, a4=None, qos=None):
        h = struct.pack("<HH", fc, 0x002C) + a1 + a2 + a3 + \
            struct.pack("<H", seq << 4)
        if a4 is not None:
            h += a4
        if qos is not None:
            h += struct.pack("<H", qos)
        return h + body
    # FC is little-endian: byte0 = subtype<<4 | type<<2, byte1 = flags
    q, r = dns4
    ssid = b"portscope"
    beacon_body = struct.pack("<QHH", 0, 100, 0x0401) + \
        bytes([0, len(ssid)]) + ssid + bytes([1, 4, 0x82, 0x84, 0x8B, 0x96]) \
        + bytes([3, 1, 6])
    w = [
        wlan(0x0108, bssid, sta, gw, 1, snap4 + q),            # toDS data
        wlan(0x0208, sta, bssid, gw, 2, snap4 + r),            # fromDS data
        wlan(0x0188, bssid, sta, gw, 3, snap4 + syn4, qos=0x0000),  # QoS
        wlan(0x0308, bssid, sta, gw, 4, snap4 + dns4[0], a4=sta),   # WDS
        wlan(0x0080, b"\xff" * 6, bssid, bssid, 5, beacon_body),    # beacon
    ]
    write_pcap("gen-80211.pcap", 105, w)

    # radiotap (127): present = flags, rate, channel, dBm signal, antenna
    def rtap(body, ext=False):
        fields = struct.pack("<BBHHbB", 0x00, 12, 2437, 0x00A0, -42, 1)
        if not ext:
            hdr = struct.pack("<BBHI", 0, 0, 8 + len(fields), 0x0000082E)
        else:
            # two present words: bit 31 (ext) set in the first, second 0
            hdr = struct.pack("<BBHII", 0, 0, 12 + len(fields), 0x8000082E, 0)
        return hdr + fields + body
    sess = tcp_session(C4, S4, 40054, 80, HTTP_REQ, HTTP_RESP, close=False)
    rt = []
    for i, p in enumerate(sess[:4]):
        up = p[12:16] == ip4(C4)
        fc = 0x0188 if up else 0x0288
        a1, a2 = (bssid, sta) if up else (sta, bssid)
        rt.append(rtap(wlan(fc, a1, a2, gw, 10 + i, snap4 + p, qos=0x0006),
                       ext=(i == 3)))
    write_pcap("gen-radiotap.pcap", 127, rt)

    # NFLOG (239): family, version 0, resource id (BE), then TLVs with host
    # (little-endian) length/type, padded to 4.
    def tlv(t, v):
        return pad4(struct.pack("<HH", 4 + len(v), t) + v)

    def nflog(pkt, fam=2):
        hwp = 0x0800 if fam == 2 else 0x86DD
        return struct.pack("!BBH", fam, 0, 5) + \
            tlv(1, struct.pack("!HBB", hwp, 1, 0)) + \
            tlv(10, b"portscope\0") + tlv(9, pkt)
    write_pcap("gen-nflog.pcap", 239,
               [nflog(p) for p in dns4] + [nflog(syn4), nflog(syn6, 10)])

    # IPNET (226): 24-byte header, big-endian
    def ipnet(pkt):
        fam = 26 if pkt[0] >> 4 == 6 else 2
        return struct.pack("!BBHIIIII", 2, fam, 0, len(pkt), 2, 0, 0, 0) + pkt
    write_pcap("gen-ipnet.pcap", 226, [ipnet(p) for p in dns4 + [syn6]])

    # DLT_NULL (0): family in the writer's byte order. LE 2 for IPv4, and
    # IPv6 as BE 24 (NetBSD/OpenBSD), BE 30 (macOS), LE 28 (FreeBSD)
    write_pcap("gen-null.pcap", 0,
               [struct.pack("<I", 2) + p for p in dns4] +
               [struct.pack(">I", 24) + dns6[0],
                struct.pack(">I", 30) + dns6[1],
                struct.pack("<I", 28) + syn6])

    # DLT_LOOP (108): family always big-endian
    write_pcap("gen-loop.pcap", 108,
               [struct.pack(">I", 2) + p for p in dns4] +
               [struct.pack(">I", 24) + p for p in dns6])

    write_pcap("gen-raw.pcap", 101, dns4 + dns6 + [syn4, syn6])
    write_pcap("gen-ipv4.pcap", 228, dns4 + [syn4])
    write_pcap("gen-ipv6.pcap", 229, dns6 + [syn6])

    # USB Linux mmapped (220): 64-byte usbmon header, GET_DESCRIPTOR(device)
    def usb(ev, length, data, setup):
        return struct.pack("<QBBBBHbBqiiII", 0xFFFF8A0012345600, ev, 2, 0x80,
                           1, 1, 0 if setup else 45, 0 if data else 60,
                           T0, 0, -115 if ev == ord("S") else 0, length,
                           len(data)) + \
            (bytes.fromhex("8006000100001200") if setup else b"\0" * 8) + \
            struct.pack("<iiII", 0, 0, 0x200, 0) + data
    desc = bytes.fromhex("12010002090001400000000006020301") + b"\x00\x01"
    write_pcap("gen-usb.pcap", 220,
               [usb(ord("S"), 18, b"", True), usb(ord("C"), 18, desc, False)])


def gen_tunnels():
    """Encapsulations the kernel here could not make for real."""
    inner = tcp_session("198.51.100.2", "198.51.100.1", 40060, 80,
                        HTTP_REQ, HTTP_RESP, close=False) + \
        udp_exchange("198.51.100.2", "198.51.100.1", 40061, 53)
    ic = {"198.51.100.2"}
    oc, os_ = "192.0.2.2", "192.0.2.1"

    def up(p):
        return p[12:16] == ip4("198.51.100.2") or \
            (p[0] >> 4 == 6 and p[8:24] == ip6("2001:db8:100::2"))

    # 802.1Q VLAN 10: the TCP session (TCI 10) and the UDP exchange (TCI
    # with priority 5 and DEI set, VID 10); then QinQ (802.1ad S-tag 100 +
    # 802.1Q C-tag 10) with another UDP exchange (ports 40065 <-> 53)
    fr = [eth_dir(p, ic, tags=((ETH_VLAN, 10),)) for p in inner[:5]]
    fr += [eth_dir(p, ic, tags=((ETH_VLAN, (5 << 13) | 0x1000 | 10),))
           for p in inner[5:]]
    fr += [eth_dir(p, ic, tags=((ETH_QINQ, 100), (ETH_VLAN, 10)))
           for p in udp_exchange("198.51.100.2", "198.51.100.1", 40065, 53,
                                 0x0065)]
    write_pcap("gen-vlan.pcap", 1, fr)

    # GRE: key 42 + sequence numbers (flags K|S, proto 0x0800); then a GRE
    # without options carrying IPv6 (0x86dd)
    fr, seq = [], {True: 1, False: 1}
    for p in inner:
        u = up(p)
        g = struct.pack("!HHII", 0x3000, 0x0800, 42, seq[u]) + p
        seq[u] += 1
        o = ipv4(oc, os_, 47, g) if u else ipv4(os_, oc, 47, g)
        fr.append(eth_dir(o, {oc}))
    for p in udp_exchange("2001:db8:100::2", "2001:db8:100::1", 40062, 53):
        g = struct.pack("!HH", 0, 0x86DD) + p
        o = ipv4(oc, os_, 47, g) if up(p) else ipv4(os_, oc, 47, g)
        fr.append(eth_dir(o, {oc}))
    write_pcap("gen-gre.pcap", 1, fr)

    # Geneve VNI 7, UDP 6081, inner Ethernet; the first packet carries one
    # 8-byte option (class 0x0102, type 0x80, 4 bytes of data)
    fr = []
    for i, p in enumerate(inner):
        u = up(p)
        ie = eth(p, M_IN_CLI, M_IN_SRV) if u else eth(p, M_IN_SRV, M_IN_CLI)
        opt = struct.pack("!HBB", 0x0102, 0x80, 1) + b"\x01\x02\x03\x04" \
            if i == 0 else b""
        gh = struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, 7 << 8) + opt
        sport = 49152 if u else 49153     # one outer port per direction
        o = udp(oc, os_, sport, 6081, gh + ie) if u else \
            udp(os_, oc, sport, 6081, gh + ie)
        fr.append(eth_dir(o, {oc}))
    write_pcap("gen-geneve.pcap", 1, fr)

    # IPIP (protocol 4) and SIT / 6in4 (protocol 41)
    write_pcap("gen-ipip.pcap", 1, [
        eth_dir(ipv4(oc, os_, 4, p) if up(p) else ipv4(os_, oc, 4, p), {oc})
        for p in inner])
    inner6 = tcp_session("2001:db8:100::2", "2001:db8:100::1", 40063, 80,
                         HTTP_REQ, HTTP_RESP, close=False) + \
        udp_exchange("2001:db8:100::2", "2001:db8:100::1", 40064, 53)
    write_pcap("gen-sit.pcap", 1, [
        eth_dir(ipv4(oc, os_, 41, p) if up(p) else ipv4(os_, oc, 41, p), {oc})
        for p in inner6])

    # VXLAN here too (the real vxlan.pcap has random ports): VNI 42
    fr = []
    for p in inner:
        u = up(p)
        ie = eth(p, M_IN_CLI, M_IN_SRV) if u else eth(p, M_IN_SRV, M_IN_CLI)
        vh = struct.pack("!II", 0x08000000, 42 << 8)
        o = udp(oc, os_, 50000, 4789, vh + ie) if u else \
            udp(os_, oc, 50001, 4789, vh + ie)
        fr.append(eth_dir(o, {oc}))
    write_pcap("gen-vxlan.pcap", 1, fr)


def gen_broken():
    frames = [eth_dir(p, {C4}) for p in
              tcp_session(C4, S4, 40070, 80, HTTP_REQ, HTTP_RESP)]
    # truncated: 6 records, cut in the middle of the 4th record's data
    data = pcap_bytes(1, frames[:6])
    off = 24
    for f in frames[:3]:
        off += 16 + len(f)
    write("gen-truncated.pcap", data[:off + 16 + len(frames[3]) // 2])
    # corrupt length: 5 records, the 3rd has caplen 0x7fffffff
    data = bytearray(pcap_bytes(1, frames[:5]))
    off = 24 + sum(16 + len(f) for f in frames[:2])
    struct.pack_into("<I", data, off + 8, 0x7FFFFFFF)
    write("gen-corrupt-len.pcap", bytes(data))
    # snaplen 64
    sn = [
        eth_dir(tcp(C4, S4, 40071, 80, 1000, 0, SYN, opts=SYN_OPTS), {C4}),
        eth_dir(tcp(S4, C4, 80, 40071, 5000, 1001, SYN | ACK), {C4}),
        eth_dir(tcp(C4, S4, 40071, 80, 1001, 5001, PSH | ACK, HTTP_REQ),
                {C4}),
        eth_dir(tcp(C6, S6, 40072, 80, 1000, 0, SYN, opts=SYN_OPTS[:4]),
                {C6}),
        eth_dir(udp(C4, S4, 40073, 53, dns_query(0x77, "www.example.test")),
                {C4}),
        eth_dir(udp(C6, S6, 40074, 53, dns_query(0x78, "www.example.test")),
                {C6}),
    ]
    write_pcap("gen-snaplen.pcap", 1, [(f[:64], len(f)) for f in sn],
               snaplen=64)


def gen_ipv6_ext():
    # HBH (PadN 4) -> DestOpts (PadN 4) -> Routing type 4 (SRH, 1 segment,
    # segments left 0) -> Fragment (offset 0, M=1) -> UDP; then the second
    # fragment; then HBH -> DestOpts -> TCP SYN (no fragment header).
    a, b = C6, S6
    padn = b"\x01\x04\0\0\0\0"

    def hbh(nh):
        return bytes([nh, 0]) + padn
    srh = bytes([0, 2, 4, 0, 0, 0, 0, 0]) + ip6(b)   # nh patched below

    def with_nh(h, nh):
        return bytes([nh]) + h[1:]
    l4 = udp_seg(a, b, 40080, 9999, payload(1200))
    p1, p2 = l4[:800], l4[800:]
    frag1 = struct.pack("!BBHI", 17, 0, 0 | 1, 0x55555555) + p1
    frag2 = struct.pack("!BBHI", 17, 0, 800, 0x55555555) + p2
    chain = hbh(60) + with_nh(hbh(0), 43) + with_nh(srh, 44)
    pk = [ipv6(a, b, 0, chain + frag1), ipv6(a, b, 0, chain + frag2)]
    syn = tcp_seg(a, b, 40081, 80, 1000, 0, SYN, opts=SYN_OPTS[:4])
    pk.append(ipv6(a, b, 0, hbh(60) + with_nh(hbh(0), 6) + syn))
    write_pcap("gen-ipv6-ext.pcap", 1, [eth(p) for p in pk])


CRC32C = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    CRC32C.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for x in data:
        c = CRC32C[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def sctp(src, dst, sport, dport, vtag, chunks):
    h = struct.pack("!HHII", sport, dport, vtag, 0) + chunks
    c = crc32c(h)
    return ip(src, dst, 132, h[:8] + struct.pack("<I", c) + h[12:])


def gen_sctp():
    def init(ctype, itag, extra=b""):
        body = struct.pack("!IIHHI", itag, 106496, 10, 10, itag) + extra
        return struct.pack("!BBH", ctype, 0, 4 + len(body)) + body
    cookie = struct.pack("!HH", 7, 4 + 16) + payload(16, b"cookie")
    fr = []
    for cport, sport, tc, ts in ((40000, 2905, 0x11111111, 0x22222222),
                                 (40001, 36412, 0x33333333, 0x44444444)):
        fr.append(sctp(C4, S4, cport, sport, 0, init(1, tc)))
        fr.append(sctp(S4, C4, sport, cport, tc, init(2, ts, cookie)))
    # COOKIE ECHO / COOKIE ACK for the M3UA association
    fr.append(sctp(C4, S4, 40000, 2905, 0x22222222,
                   struct.pack("!BBH", 10, 0, 20) + payload(16, b"cookie")))
    fr.append(sctp(S4, C4, 2905, 40000, 0x11111111,
                   struct.pack("!BBH", 11, 0, 4)))
    write_pcap("gen-sctp.pcap", 1, [eth_dir(p, {C4}) for p in fr])


def gen_vlan_in_key():
    fr = []
    for vid in (10, 20):
        for p in udp_exchange(C4, S4, 40090, 53, 0x0A00 + vid):
            fr.append(eth_dir(p, {C4}, tags=((ETH_VLAN, vid),)))
    write_pcap("gen-vlan-in-key.pcap", 1, fr)


def gen_services():
    """Ports the IANA registry gives several services: TCP sessions (5
    packets) 192.0.2.2:40110-40112 -> 198.51.100.1:465, 113, 2049, then one
    UDP request and answer each 40113 -> 1701 and 40114 -> 3478."""
    fr = []
    for cport, sport in ((40110, 465), (40111, 113), (40112, 2049)):
        fr += tcp_session(C4, S4, cport, sport, HTTP_REQ, HTTP_RESP,
                          close=False)
    for cport, sport in ((40113, 1701), (40114, 3478)):
        fr += [udp(C4, S4, cport, sport, payload(32, b"portscope request ")),
               udp(S4, C4, sport, cport, payload(32, b"portscope answer "))]
    write_pcap("gen-services.pcap", 1, [eth_dir(p, {C4}) for p in fr])


# ------------------------------------------------------------------ what
# runs on a port: application protocols by their first payload bytes.


def tls_client_hello(name):
    """A TLS 1.3 ClientHello record with a server_name extension."""
    sni = name.encode("latin-1") if isinstance(name, str) else name
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0,
                          len(sni)) + sni
    ext_ver = bytes.fromhex("002b0003020304")
    exts = ext_sni + ext_ver
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + \
        bytes.fromhex("000413011302" "0100") + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_server_hello():
    body = b"\x03\x03" + bytes(range(32, 64)) + b"\x00" + \
        bytes.fromhex("1301" "00" "0006" "002b00020304")
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def gen_app():
    """TCP sessions (5 packets each) 192.0.2.2:40200.. -> 198.51.100.1 with
    the first bytes of common protocols, on their ports and on others; a
    QUIC Initial and a DNS query over UDP; a flow without payload."""
    ssh_c = b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"
    ssh_s = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"
    rdp_req = bytes.fromhex("030000130ee00000000000010008000b000000")
    rdp_cc = bytes.fromhex("030000130ed000001234000200080001000000")
    crafted = b'evil",\n<b>\\ \x00\xff.example.test'
    sessions = [
        (443, tls_client_hello("www.example.test"), tls_server_hello()),
        (8443, tls_client_hello(crafted), tls_server_hello()),
        (443, ssh_c, ssh_s),
        (22, ssh_c, ssh_s),
        (8081, HTTP_REQ, HTTP_RESP),
        (8089, HTTP_REQ, HTTP_RESP),
        (80, HTTP_REQ, HTTP_RESP),
        (25, b"EHLO client.example.test\r\n",
         b"220 mail.example.test ESMTP Postfix\r\n"),
        (21, b"USER anonymous\r\n", b"220 (vsFTPd 3.0.5)\r\n"),
        (110, b"USER student\r\n", b"+OK Dovecot ready.\r\n"),
        (143, b"a1 CAPABILITY\r\n", b"* OK [CAPABILITY IMAP4rev1] ready\r\n"),
        (3389, rdp_req, rdp_cc),
        (53, struct.pack("!H", len(dns_query(0x99, "www.example.test"))) +
         dns_query(0x99, "www.example.test"),
         struct.pack("!H", len(dns_answer_a(0x99, "www.example.test",
                                            "192.0.2.80"))) +
         dns_answer_a(0x99, "www.example.test", "192.0.2.80")),
        (80, payload(40, b"\x8f\x01 not a protocol "),
         payload(40, b"\x8f\x02 nor this ")),
    ]
    fr = []
    for i, (sport, req, resp) in enumerate(sessions):
        fr += tcp_session(C4, S4, 40200 + i, sport, req, resp, close=False)
    quic = bytes([0xC3]) + struct.pack("!I", 1) + b"\x08" + bytes(range(8)) + \
        b"\x00" + b"\x00" + payload(40, b"quic initial ")
    fr += [udp(C4, S4, 40250, 443, quic),
           udp(C4, S4, 40251, 53, dns_query(0x9a, "www.example.test")),
           tcp(C4, S4, 40252, 80, 1000, 0, SYN, opts=SYN_OPTS[:4])]
    write_pcap("gen-app.pcap", 1, [eth_dir(p, {C4}) for p in fr])


# ------------------------------------------------------------------ TCP
# lifecycle captures: Zeek conn_state / history, retransmissions, port
# reuse, inactivity timeouts, odd timestamps. Explicit timestamps (µs
# offsets from T0) instead of the 1 ms Clock.

LC_C, LC_S = "192.0.2.2", "198.51.100.1"


def write_timed(name, recs):
    """recs: [(µs offset from T0, frame)] in file order (not re-sorted)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    for off, f in recs:
        sec, us = divmod(T0 * 1000000 + off, 1000000)
        out.append(struct.pack("<IIII", sec, us, len(f), len(f)) + f)
    write(name, b"".join(out))


class TcpConv:
    """One TCP connection C:cport <-> S:sport with per-side sequence
    tracking. pkt() builds the Ethernet frame; seq/ack default to the
    current values and SYN/FIN/payload advance the sender's sequence."""

    def __init__(self, cport, sport=80, isn_c=1000, isn_s=5000, c=LC_C,
                 s=LC_S):
        self.c, self.s, self.cport, self.sport = c, s, cport, sport
        self.nxt = {True: isn_c, False: isn_s}

    def pkt(self, cli, flags, data=b"", seq=None, ack=None, opts=b""):
        if seq is None:
            seq = self.nxt[cli]
            self.nxt[cli] = (seq + len(data) + (1 if flags & SYN else 0) +
                             (1 if flags & FIN else 0)) & 0xFFFFFFFF
        if ack is None:
            ack = self.nxt[not cli] if flags & ACK else 0
        if cli:
            p = tcp(self.c, self.s, self.cport, self.sport, seq, ack, flags,
                    data, opts=opts)
        else:
            p = tcp(self.s, self.c, self.sport, self.cport, seq, ack, flags,
                    data, opts=opts)
        return eth_dir(p, {self.c})

    # common shapes (lists of frames)
    def syn(self):
        return self.pkt(True, SYN, opts=SYN_OPTS[:4])

    def synack(self):
        return self.pkt(False, SYN | ACK, opts=SYN_OPTS[:4])

    def handshake(self):
        return [self.syn(), self.synack(), self.pkt(True, ACK)]

    def exchange(self, req=HTTP_REQ, resp=HTTP_RESP):
        return [self.pkt(True, PSH | ACK, req), self.pkt(False, PSH | ACK, resp)]

    def close(self):
        return [self.pkt(True, FIN | ACK), self.pkt(False, FIN | ACK),
                self.pkt(True, ACK)]


def timed(frames, start_us, step_us=1000):
    return [(start_us + i * step_us, f) for i, f in enumerate(frames)]


def gen_tcp_states():
    """One connection per Zeek conn_state, client ports 41001..41013 -> 80,
    one second apart, packets 1 ms apart."""
    conns = []
    # 1 S0: SYN only
    t = TcpConv(41001, isn_c=100000, isn_s=500000)
    conns.append([t.syn()])
    # 2 S1: handshake, request, response, ACK; never closed
    t = TcpConv(41002, isn_c=200000, isn_s=600000)
    conns.append(t.handshake() + t.exchange() + [t.pkt(True, ACK)])
    # 3 SF: handshake, request, response, FIN, FIN, ACK
    t = TcpConv(41003, isn_c=300000, isn_s=700000)
    conns.append(t.handshake() + t.exchange() + t.close())
    # 4 REJ: SYN answered by RST+ACK (seq 0, ack ISN+1, as Linux does)
    t = TcpConv(41004, isn_c=400000, isn_s=0)
    conns.append([t.syn(), t.pkt(False, RST | ACK, seq=0)])
    # 5 S2: handshake, client FIN, server ACKs it, server never closes
    t = TcpConv(41005, isn_c=500000, isn_s=800000)
    conns.append(t.handshake() + [t.pkt(True, FIN | ACK), t.pkt(False, ACK)])
    # 6 S3: handshake, server FIN, client ACKs it, client never closes
    t = TcpConv(41006, isn_c=600000, isn_s=900000)
    conns.append(t.handshake() + [t.pkt(False, FIN | ACK), t.pkt(True, ACK)])
    # 7 RSTO: handshake, request, response, client RST+ACK
    t = TcpConv(41007, isn_c=700000, isn_s=1000000)
    conns.append(t.handshake() + t.exchange() + [t.pkt(True, RST | ACK)])
    # 8 RSTR: handshake, request, server RST+ACK
    t = TcpConv(41008, isn_c=800000, isn_s=1100000)
    conns.append(t.handshake() + [t.pkt(True, PSH | ACK, HTTP_REQ),
                                  t.pkt(False, RST | ACK)])
    # 9 RSTOS0: client SYN, then client RST (seq ISN+1, no ACK flag)
    t = TcpConv(41009, isn_c=900000, isn_s=1200000)
    conns.append([t.syn(), t.pkt(True, RST)])
    # 10 RSTRH: server SYN+ACK (to a SYN never seen), then server RST
    t = TcpConv(41010, isn_c=1000000, isn_s=1300000)
    t.nxt[True] += 1           # the unseen SYN consumed ISN
    conns.append([t.synack(), t.pkt(False, RST)])
    # 11 SH: client SYN, then client FIN (no ACK flag), no answer
    t = TcpConv(41011, isn_c=1100000, isn_s=1400000)
    conns.append([t.syn(), t.pkt(True, FIN)])
    # 12 SHR: server SYN+ACK (no SYN seen), then server FIN+ACK
    t = TcpConv(41012, isn_c=1200000, isn_s=1500000)
    t.nxt[True] += 1
    conns.append([t.synack(), t.pkt(False, FIN | ACK)])
    # 13 OTH: mid-stream only: client data, server ACK, server data,
    #    client ACK; no SYN, FIN or RST
    t = TcpConv(41013, isn_c=1300000, isn_s=1600000)
    conns.append([t.pkt(True, PSH | ACK, HTTP_REQ), t.pkt(False, ACK),
                  t.pkt(False, PSH | ACK, HTTP_RESP), t.pkt(True, ACK)])
    recs = []
    for i, fr in enumerate(conns):
        recs += timed(fr, i * 1000000)
    write_timed("gen-tcp-states.pcap", recs)


def gen_tcp_retrans():
    """192.0.2.2:41020 -> 198.51.100.1:80: SYN retransmitted once (same
    ISN, 1 s later), 2 client and 1 server data retransmissions (the same
    bytes and seq again, 200 ms later, before any ACK), FIN close."""
    t = TcpConv(41020, isn_c=2000000, isn_s=3000000)
    req2 = b"GET /two HTTP/1.0\r\n\r\n"
    resp = HTTP_RESP
    syn = t.syn()
    recs = [(0, syn), (1000000, syn)]               # SYN + retransmission
    recs += [(1001000, t.synack()), (1002000, t.pkt(True, ACK))]
    d1 = t.pkt(True, PSH | ACK, HTTP_REQ)
    recs += [(1003000, d1), (1203000, d1),           # client rxmit 1
             (1204000, t.pkt(False, ACK))]
    d2 = t.pkt(False, PSH | ACK, resp)
    recs += [(1205000, d2), (1405000, d2),           # server rxmit 1
             (1406000, t.pkt(True, ACK))]
    d3 = t.pkt(True, PSH | ACK, req2)
    recs += [(1407000, d3), (1607000, d3),           # client rxmit 2
             (1608000, t.pkt(False, ACK))]
    recs += timed(t.close(), 1609000)
    write_timed("gen-tcp-retrans.pcap", recs)


def gen_tcp_reuse():
    """Port reuse. 5-tuple A = 192.0.2.2:41030 <-> 198.51.100.1:80 used
    three times (FIN close; 2 s later new ISN, RST abort; 2 s later new
    ISN, FIN close). 5-tuple B = :41031: a SYN with a new ISN while the
    first connection is still open, then a normal FIN close."""
    recs = []
    t = TcpConv(41030, isn_c=10000000, isn_s=50000000)
    recs += timed(t.handshake() + t.exchange() + t.close(), 0)
    t = TcpConv(41030, isn_c=20000000, isn_s=60000000)
    recs += timed(t.handshake() + t.exchange() + [t.pkt(True, RST | ACK)],
                  2000000)
    t = TcpConv(41030, isn_c=30000000, isn_s=70000000)
    recs += timed(t.handshake() + t.exchange() + t.close(), 4000000)
    t = TcpConv(41031, isn_c=40000000, isn_s=80000000)
    recs += timed(t.handshake() + t.exchange(), 6000000)
    t = TcpConv(41031, isn_c=41000000, isn_s=81000000)
    recs += timed(t.handshake() + t.exchange() + t.close(), 7000000)
    write_timed("gen-tcp-reuse.pcap", recs)


def gen_idle():
    """Inactivity timeouts. UDP 192.0.2.2:41040 -> 198.51.100.1:53: DNS
    exchanges at t=0, 10 s and 100 s. TCP :41041 -> :80: handshake and one
    exchange at t=0-1 s, 400 s of silence, one more exchange and the FIN
    close at t=401 s. ICMP echo id 0x0707 to 198.51.100.1: request/reply
    at t=0.5 s and at t=90.5 s."""
    recs = []
    for i, ts in enumerate((0, 10, 100)):
        q, a = udp_exchange(LC_C, LC_S, 41040, 53, 0x4000 + i)
        recs += [(ts * 1000000 + 100000, eth_dir(q, {LC_C})),
                 (ts * 1000000 + 101000, eth_dir(a, {LC_C}))]
    t = TcpConv(41041, isn_c=90000000, isn_s=95000000)
    recs += timed(t.handshake(), 200000)
    recs += timed(t.exchange() + [t.pkt(True, ACK)], 1200000)
    recs += timed(t.exchange(b"GET /again HTTP/1.0\r\n\r\n") + t.close(),
                  401200000)
    data = payload(32, b"portscope ping ")
    for seq, ts in ((1, 0), (2, 90)):
        rq = ipv4(LC_C, LC_S, 1, icmp(8, 0, struct.pack("!HH", 0x0707, seq),
                                      data))
        rp = ipv4(LC_S, LC_C, 1, icmp(0, 0, struct.pack("!HH", 0x0707, seq),
                                      data))
        recs += [(ts * 1000000 + 500000, eth_dir(rq, {LC_C})),
                 (ts * 1000000 + 501000, eth_dir(rp, {LC_C}))]
    recs.sort(key=lambda r: r[0])
    write_timed("gen-idle.pcap", recs)


def gen_backwards():
    """192.0.2.2:41050 -> 198.51.100.1:80, 8-packet session: packet 3 has a
    timestamp 5 ms EARLIER than packet 2; packet 5 (the request) is
    recorded twice in a row, byte for byte (same timestamp too)."""
    t = TcpConv(41050, isn_c=12000000, isn_s=13000000)
    fr = t.handshake() + t.exchange() + t.close()
    offs = [0, 10000, 5000, 20000, 21000, 22000, 23000, 24000]
    recs = [(o, f) for o, f in zip(offs, fr)]
    recs.insert(4, recs[3])           # duplicate of packet 4 (the request)
    write_timed("gen-backwards.pcap", recs)


def main():
    global OUTDIR
    here = os.path.dirname(os.path.abspath(__file__))
    OUTDIR = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "..", "samples")
    os.makedirs(OUTDIR, exist_ok=True)
    for g in (gen_mpls, gen_pppoe, gen_gtpu, gen_frag_ooo, gen_icmp,
              gen_multi_if, gen_multi_section, gen_linktypes, gen_tunnels,
              gen_broken, gen_ipv6_ext, gen_sctp, gen_vlan_in_key,
              gen_services, gen_app, gen_tcp_states, gen_tcp_retrans, gen_tcp_reuse, gen_idle,
              gen_backwards):
        _IPID[0] = 0x1000    # IPv4 IDs restart at 0x1001 in every file
        g()
    for name, size in WRITTEN:
        print("%-26s %6d bytes" % (name, size))


if __name__ == "__main__":
    main()
