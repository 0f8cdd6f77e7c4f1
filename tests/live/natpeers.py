#!/usr/bin/env python3
"""Traffic for the NAT test (tests/live/nat.sh), from chosen source addresses and ports.

natpeers.py tcp DST PORT [SRC:SPORT ...]   one connection per source (one from any source when
                                           none is given), all open at once before any request,
                                           then one request and response on each
natpeers.py udp DST PORT [SRC:SPORT]       one query and its answer
The servers are peers.py's (TCP answers "ok", UDP echoes "answer:" + the query).
"""
import os
import socket
import sys


def sources(args):
    out = []
    for a in args:
        addr, port = a.rsplit(":", 1)
        out.append((addr, int(port)))
    return out or [None]


def tcp(dst, port, srcs):
    socks = []
    for i, src in enumerate(srcs):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        if src is not None:
            s.bind(src)
        s.connect((dst, port))
        socks.append((s, f"GET /{i} HTTP/1.0\r\n\r\n".encode()))
    for s, request in socks:
        s.sendall(request)
    for s, _ in socks:
        reply = b""
        while True:
            chunk = s.recv(2048)
            if not chunk:
                break
            reply += chunk
        assert reply.endswith(b"ok"), reply
        s.close()
    print(f"tcp {dst}:{port} x{len(socks)} ok", flush=True)


def udp(dst, port, src):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(5)
        if src is not None:
            u.bind(src)
        query = f"query {os.urandom(8).hex()} from {u.getsockname()}".encode()
        u.sendto(query, (dst, port))
        data, _ = u.recvfrom(2048)
    assert data == b"answer:" + query, data
    print(f"udp {dst}:{port} ok", flush=True)


if __name__ == "__main__":
    kind, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "tcp":
        tcp(dst, port, sources(sys.argv[4:]))
    else:
        udp(dst, port, sources(sys.argv[4:])[0])
