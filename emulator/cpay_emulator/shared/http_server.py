"""Running the app on uvicorn (uvloop + httptools) with one ``send()`` per response instead of two.

uvicorn writes a response's head when the app sends ``http.response.start`` and its body on
``http.response.body``: two system calls, and on a virtual machine's loopback each costs tens of
microseconds, about as much as the emulator's whole request handling. ``CorkedHttpToolsProtocol`` gives
uvicorn a transport that collects the writes made during one event-loop iteration and sends them together
at its end. Nothing waits longer than that iteration, so latency does not grow.

The protocol also offers each request a way to close its connection without an answer (the scope extension
``shared.wire.DROP_CONNECTION``), which the dropped-response fault uses: the client sees the server hang up.

And it bounds a request's head (request line and headers) to ``MAX_HEAD_BYTES``. uvicorn bounds it only
under h11 (``h11_max_incomplete_event_size``); with httptools a 32 MiB header was read whole and answered
(1.6 s and +31 MB here). Past the bound the client gets ``431 Request Header Fields Too Large`` with a JSON
``{code, msg, data}`` (``MALFORMED_REQUEST``), before the head is parsed; what it still sends is dropped unread
and the connection closed: a client sending a 32 MiB header has its 431 25 ms later, all 32 MiB sent, and the
server's memory grows by 0-1 MB.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any, cast

import uvicorn
import uvloop
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cpay_emulator.shared.errors import ErrorCode
from cpay_emulator.shared.wire import DROP_CONNECTION

__all__ = ["MAX_HEAD_BYTES", "CorkedHttpToolsProtocol", "bind", "run_server", "server_config"]

MAX_HEAD_BYTES = 64 << 10
"""64 KiB for a request line and its headers: a signed C-Pay GET is under 1 KiB; nginx (8 KiB per line) and
Tomcat (8 KiB in all) refuse far less, h11 16 KiB. A 1 MiB form body goes in the body, which is not counted."""

_LINGER_SECONDS = 2.0
"""How long a refused head's connection keeps reading (and dropping) before it closes: 32 MiB over loopback take
about 30 ms; a client still sending after that is not waiting for the answer."""

_HEAD_TOO_LARGE = json.dumps(  # compact, as every other answer
    {
        "code": int(ErrorCode.MALFORMED_REQUEST),
        "msg": f"the request line and headers are larger than {MAX_HEAD_BYTES >> 10} KiB",
        "data": None,
    },
    separators=(",", ":"),
).encode()
_HEAD_TOO_LARGE_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_HEAD_TOO_LARGE), _HEAD_TOO_LARGE)
)


class _CorkedTransport:
    """A write-combining proxy of an asyncio transport; everything but ``write``/``close`` is forwarded."""

    __slots__ = ("_buffer", "_loop", "_scheduled", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._buffer: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._buffer.append(bytes(data))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        if self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CorkedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a write-combining transport, offering ``DROP_CONNECTION`` to each request,
    and refusing a request head larger than ``MAX_HEAD_BYTES``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._reading_head = True  # between requests too: the next bytes are a head
        self._head_bytes = 0
        self._refused = False
        corked = _CorkedTransport(transport, asyncio.get_running_loop())
        super().connection_made(cast(asyncio.Transport, corked))

    def data_received(self, data: bytes) -> None:
        """Feed the parser, counting the bytes given to it while a head is read; refuse past the bound.

        httptools keeps a header's name and value until the header ends, so the count is kept here, on the bytes
        fed, not in its callbacks. Bytes of the next head that come in the chunk that ends a request are not
        counted (a chunk is one socket read, at most 256 KiB under uvloop), so the bound may be passed by that
        much on a kept-alive or pipelined connection, never without limit.
        """
        if self._refused:
            return  # the rest of a refused head, read and dropped until the client closes or the linger ends
        while self._reading_head and len(data) > MAX_HEAD_BYTES - self._head_bytes:
            room = MAX_HEAD_BYTES - self._head_bytes
            self._head_bytes = MAX_HEAD_BYTES  # on_message_complete sets 0 if a request ends in this part
            super().data_received(data[:room])
            data = data[room:]
            if self.transport.is_closing():  # the parser refused what it had (its 400), or the app hung up
                return
            if self._reading_head and self._head_bytes == MAX_HEAD_BYTES:  # still the same head: too large
                self._refuse_head()
                return
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)

    def _refuse_head(self) -> None:
        """Answer 431, then read and drop what the client still sends for up to ``_LINGER_SECONDS`` before closing.

        Closing at once, with the rest of the head unread, makes the kernel reset the connection, and a client
        still sending (httpx sends the whole request before it reads) gets a reset instead of the 431.
        """
        self._refused = True
        self.transport.write(_HEAD_TOO_LARGE_RESPONSE)
        self.transport.write_eof()
        self.loop.call_later(_LINGER_SECONDS, self.transport.close)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        extensions: dict[str, Any] = {DROP_CONNECTION: self.transport.close}
        self.scope["extensions"] = extensions

    def on_headers_complete(self) -> None:
        self._reading_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_head = True
        self._head_bytes = 0


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: a free port) with TCP_NODELAY, ready for ``run_server``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit TCP_NODELAY on Linux; without it a response written in two parts (head,
    # body) waits ~40 ms for the client's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def server_config(app: ASGIApp, *, lifespan: bool = True, server_headers: bool = True) -> uvicorn.Config:
    """uvicorn's settings for the emulator (``lifespan=False`` when the app's lifespan already runs elsewhere).

    ``server_headers=False``: uvicorn adds no ``Date`` and ``Server`` headers (the proxy returns the upstream's).
    """
    return uvicorn.Config(
        app,
        http=CorkedHttpToolsProtocol,
        proxy_headers=False,  # a local server: no proxy in front whose headers to trust
        lifespan="on" if lifespan else "off",
        access_log=False,
        log_level="warning",
        timeout_keep_alive=30,
        server_header=server_headers,
        date_header=server_headers,
    )


def run_server(app: ASGIApp, sock: socket.socket, *, server_headers: bool = True) -> None:
    """Serve ``app`` on the listening ``sock`` until SIGINT/SIGTERM (uvloop, httptools, lifespan on)."""
    server = uvicorn.Server(server_config(app, server_headers=server_headers))
    # uvicorn.Config(loop=...) only applies to Server.run(); serve() runs on the loop it is given.
    uvloop.run(server.serve(sockets=[sock]))
