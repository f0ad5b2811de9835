#!/usr/bin/env python3
"""A delaying TCP and UDP relay on loopback, to simulate a network round trip.

    delay_proxy.py --delay-ms 20 --listen-host 127.0.0.2 --upstream-host 127.0.0.1 \
        --tcp 11993 --tcp 11465 --udp 15353=25353

Every chunk of bytes (TCP) or datagram (UDP) is held for --delay-ms in each direction, so a
request/response pair costs 2 x delay (a 40 ms round trip with --delay-ms 20). Order is kept.
The TCP handshake itself is not delayed (a user-space relay cannot hold back the SYN-ACK), so each
new connection is charged one round trip too little; docs/performance.md says so.

A port given as A=B listens on A and forwards to B on the upstream host. Binds only the
--listen-host address; refuses to forward anywhere but a loopback address.
"""

import argparse
import asyncio
import ipaddress
import signal
import sys
import time


def loopback_only(host):
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit(f"delay_proxy: {host} is not a loopback address")
    return host


def port_pair(text):
    a, _, b = text.partition("=")
    return int(a), int(b or a)


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk delivered `delay` seconds after it arrived."""
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            try:
                await writer.drain()
            except (ConnectionError, OSError):
                break
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass

    task = asyncio.create_task(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((time.monotonic() + delay, None))
    await task


async def tcp_relay(listen_host, port, upstream_host, upstream_port, delay):
    async def handle(client_r, client_w):
        try:
            up_r, up_w = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pump(client_r, up_w, delay), pump(up_r, client_w, delay))

    return await asyncio.start_server(handle, listen_host, port)


class UdpRelay(asyncio.DatagramProtocol):
    """Forwards each datagram to the upstream and the answer back, both delayed."""

    def __init__(self, upstream, delay):
        self.upstream = upstream
        self.delay = delay
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        loop = asyncio.get_running_loop()
        loop.call_later(self.delay, lambda: asyncio.ensure_future(self.forward(data, client)))

    async def forward(self, data, client):
        loop = asyncio.get_running_loop()
        answer = loop.create_future()

        class Once(asyncio.DatagramProtocol):
            def datagram_received(self, reply, _addr):
                if not answer.done():
                    answer.set_result(reply)

        transport, _ = await loop.create_datagram_endpoint(Once, remote_addr=self.upstream)
        try:
            transport.sendto(data)
            reply = await asyncio.wait_for(answer, 5)
        except asyncio.TimeoutError:
            return
        finally:
            transport.close()
        loop.call_later(self.delay, self.transport.sendto, reply, client)


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--delay-ms", type=float, default=20.0, help="one-way delay (default 20)")
    p.add_argument("--listen-host", default="127.0.0.2")
    p.add_argument("--upstream-host", default="127.0.0.1")
    p.add_argument("--tcp", action="append", default=[], type=port_pair, metavar="PORT[=UPSTREAM]")
    p.add_argument("--udp", action="append", default=[], type=port_pair, metavar="PORT[=UPSTREAM]")
    a = p.parse_args()
    loopback_only(a.listen_host)
    loopback_only(a.upstream_host)
    delay = a.delay_ms / 1000.0
    loop = asyncio.get_running_loop()
    servers = []
    for port, up in a.tcp:
        servers.append(await tcp_relay(a.listen_host, port, a.upstream_host, up, delay))
        # UDP too on the same port when asked for it separately.
    for port, up in a.udp:
        await loop.create_datagram_endpoint(
            lambda up=up: UdpRelay((a.upstream_host, up), delay), local_addr=(a.listen_host, port)
        )
    print(f"delay_proxy: {len(a.tcp)} TCP and {len(a.udp)} UDP relays on {a.listen_host}, "
          f"{a.delay_ms} ms each way", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
