#!/usr/bin/env python3
"""Fake POP3 servers on 127.0.0.1 for the whole-program benchmarks (memory.sh).

    fake_servers.py slow N [DELAY_MS]   N listeners; each greets after DELAY_MS (default 500),
                                         answers CAPA and QUIT
    fake_servers.py flood MB            one listener that sends MB megabytes without a line end
    fake_servers.py flood-lines MB      one listener: a greeting, then MB megabytes of short lines

Prints one target per line (pop3://127.0.0.1:PORT), then "ready", then serves until killed.
"""

import asyncio
import signal
import sys


async def slow(reader, writer, delay):
    try:
        await asyncio.sleep(delay)
        writer.write(b"+OK fake POP3 ready\r\n")
        await writer.drain()
        while True:
            line = await reader.readline()
            if not line:
                break
            cmd = line.upper()
            if cmd.startswith(b"CAPA"):
                writer.write(b"+OK\r\nUSER\r\nUIDL\r\n.\r\n")
            elif cmd.startswith(b"QUIT"):
                writer.write(b"+OK bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"-ERR unknown\r\n")
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    writer.close()


async def flood(_reader, writer, megabytes, lines):
    chunk = (b"+OK flooding\r\n" * 4681)[:65536] if lines else b"x" * 65536
    try:
        if lines:
            writer.write(b"+OK fake POP3 ready\r\n")
        for _ in range(megabytes * 16):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    writer.close()


async def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mode, count = sys.argv[1], int(sys.argv[2])
    servers = []
    if mode == "slow":
        delay = (int(sys.argv[3]) if len(sys.argv) > 3 else 500) / 1000.0
        for _ in range(count):
            servers.append(await asyncio.start_server(
                lambda r, w: slow(r, w, delay), "127.0.0.1", 0, backlog=1024))
    elif mode in ("flood", "flood-lines"):
        lines = mode == "flood-lines"
        servers.append(await asyncio.start_server(
            lambda r, w: flood(r, w, count, lines), "127.0.0.1", 0))
    else:
        sys.exit(__doc__)
    for s in servers:
        print(f"pop3://127.0.0.1:{s.sockets[0].getsockname()[1]}")
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
