"""Running the app on uvicorn (uvloop + httptools) with one ``send()`` per response instead of two.

uvicorn writes a response's head when the app sends ``http.response.start`` and its body on
``http.response.body``: two system calls, and on a virtual machine's loopback each costs tens of
microseconds, about as much as the emulator's whole request handling. ``CorkedHttpToolsProtocol`` gives
uvicorn a transport that collects the writes made during one event-loop iteration and sends them together
at its end. Nothing waits longer than that iteration, so latency does not grow.

The protocol also offers each request a way to close its connection without an answer (the scope extension
``_wire.DROP_CONNECTION``), which the dropped-response fault uses: the client sees the server hang up.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any, cast

import uvicorn
import uvloop
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cpay_emulator._wire import DROP_CONNECTION

__all__ = ["CorkedHttpToolsProtocol", "bind", "run_server", "server_config"]


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

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CorkedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a write-combining transport, offering ``DROP_CONNECTION`` to each request."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        corked = _CorkedTransport(transport, asyncio.get_running_loop())
        super().connection_made(cast(asyncio.Transport, corked))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        extensions: dict[str, Any] = {DROP_CONNECTION: self.transport.close}
        self.scope["extensions"] = extensions


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
