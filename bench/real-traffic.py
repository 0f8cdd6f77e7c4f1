#!/usr/bin/env python3
"""Real traffic for bench/make-real.sh: kernel TCP and UDP between two network namespaces.

real-traffic.py serve                 TCP servers on 80, 443, 22 and 8080 (each answers a request
                                      with a response of a size the request asks for) and UDP
                                      responders on 53 and 123; prints "ready", serves until killed.
real-traffic.py client ADDR SECONDS   for SECONDS: connections to ADDR one after another on the
                                      TCP ports in turn, every fourth step a UDP query instead;
                                      some connections carry several exchanges.
"""
import asyncio
import random
import socket
import sys
import time

TCP_PORTS = (80, 443, 22, 8080)
UDP_PORTS = (53, 123)


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            size = int(line.split()[0])
            writer.write(b"x" * size + b"\n")
            await writer.drain()
    except (ConnectionError, ValueError):
        pass
    writer.close()


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(b"answer:" + data, addr)


async def serve():
    loop = asyncio.get_running_loop()
    for port in TCP_PORTS:
        await asyncio.start_server(handle, "0.0.0.0", port, backlog=512, reuse_address=True)
    for port in UDP_PORTS:
        await loop.create_datagram_endpoint(Echo, local_addr=("0.0.0.0", port))
    print("ready", flush=True)
    await asyncio.Event().wait()


def client(addr, seconds):
    rng = random.Random(1)
    end = time.monotonic() + seconds
    step = 0
    while time.monotonic() < end:
        step += 1
        if step % 4 == 0:
            # A socket per query, as resolvers use: each query is a flow of its own.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.settimeout(2)
                udp.sendto(b"query %d" % step, (addr, UDP_PORTS[step // 4 % 2]))
                try:
                    udp.recvfrom(2048)
                except socket.timeout:
                    pass
            continue
        port = TCP_PORTS[step % len(TCP_PORTS)]
        try:
            with socket.create_connection((addr, port), timeout=2) as t:
                f = t.makefile("rwb")
                for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 20)):
                    f.write(b"%d request\n" % rng.randint(10, 4000))
                    f.flush()
                    f.readline()
        except OSError:
            pass


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        asyncio.run(serve())
    elif sys.argv[1:2] == ["client"] and len(sys.argv) == 4:
        client(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
