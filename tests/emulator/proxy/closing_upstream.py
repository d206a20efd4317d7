"""An upstream that closes each kept-alive connection once it has been idle for a while, in a process of its own.

``python closing_upstream.py IDLE_SECONDS`` serves on a free port of 127.0.0.1, prints the port, and runs until
its standard input closes. It answers every POST with ``ok`` and closes a connection left idle for
``IDLE_SECONDS``, as servers do after their keep-alive timeout, so a request that comes just then races the
close. ``GET /received`` (on a new connection) lists the SHA-256 of every request body it read.

It is a process, not a thread or a task of the test's event loop, because the race it serves needs its close to
arrive while the proxy is busy with a request (between reading it and writing it upstream): a task of the same
loop cannot run then, and a thread waits for the GIL the proxy's checks hold.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys


async def main(idle: float) -> None:
    received: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), idle)
                except TimeoutError:
                    break
                if head.startswith(b"GET /received "):
                    body = json.dumps(received).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
                    )
                    await writer.drain()
                    break
                lines = head.lower().split(b"\r\n")
                length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
                received.append(hashlib.sha256(await reader.readexactly(length)).hexdigest())
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our standard input
    server.close()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1])))
