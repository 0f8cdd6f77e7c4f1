#!/usr/bin/env python3
"""The live tests' traffic: servers in one namespace, clients in the other.

peers.py serve             TCP server on port 80 and UDP responder on port 53, IPv4 and IPv6;
                           prints "ready" once they listen, then serves until killed.
peers.py client ADDR...    for each address: one TCP request/response (port 80), then one UDP
                           query/answer (port 53); prints one line per exchange.
peers.py connect N ADDR    N TCP request/responses with ADDR, port 80, one after another;
                           prints the client port of each, one a line.
"""
import select
import socket
import sys


def serve():
    listeners, udps = [], []
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        t = socket.socket(family, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        t.bind((addr, 80))
        t.listen(16)
        listeners.append(t)
        u = socket.socket(family, socket.SOCK_DGRAM)
        if family == socket.AF_INET6:
            u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        u.bind((addr, 53))
        udps.append(u)
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select(listeners + udps, [], [])
        for s in ready:
            if s in udps:
                data, peer = s.recvfrom(2048)
                s.sendto(b"answer:" + data, peer)
                continue
            conn, _ = s.accept()
            with conn:
                conn.settimeout(5)
                conn.recv(2048)
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")


def exchange(addr):
    """One TCP request/response with addr, port 80; returns the client port. The server closes
    first, so the client's port is free again at once (no TIME_WAIT on the client)."""
    with socket.create_connection((addr, 80), timeout=5) as t:
        port = t.getsockname()[1]
        t.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = b""
        while True:
            chunk = t.recv(2048)
            if not chunk:
                break
            reply += chunk
    assert reply.endswith(b"ok"), reply
    return port


def client(addrs):
    for addr in addrs:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        exchange(addr)
        print(f"tcp {addr} ok", flush=True)
        with socket.socket(family, socket.SOCK_DGRAM) as u:
            u.settimeout(5)
            u.sendto(b"query", (addr, 53))
            data, _ = u.recvfrom(2048)
        assert data == b"answer:query", data
        print(f"udp {addr} ok", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve()
    elif sys.argv[1] == "connect":
        for _ in range(int(sys.argv[2])):
            print(exchange(sys.argv[3]), flush=True)
    else:
        client(sys.argv[2:])
