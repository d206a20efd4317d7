"""How the validating proxy reaches its upstream: a ``Forwarder`` sends one request and reads the whole answer.

Two forwarders, one behaviour:

* ``SocketForwarder``, for an ``http://`` upstream (the emulator, a deployment on the local network, the bench):
  kept-alive HTTP/1.1 connections on asyncio protocols (``_upstream_connection``), the answer read by httptools,
  the parser uvicorn already runs on the proxy's server side.
* ``HttpxForwarder``, for everything else: an ``https://`` upstream (TLS with certifi's roots, as httpx does it;
  over a WAN its cost is lost in the round trip) and an in-process one (``httpx.ASGITransport``, the tests').

Why the first exists: on the 2-core development VM's loopback, one exchange through ``httpx.AsyncClient.send``
costs ~440 us of CPU (Request and URL objects, the auth/redirect/cookie layers, httpcore's pool, h11's state
machine over anyio streams), through ``httpcore.AsyncConnectionPool`` called directly ~270 us, and through an
asyncio protocol with httptools ~19 us. In ``bench/bench_proxy.py`` the proxy's added p50 went from 0.83-0.97 ms
to 0.27-0.34 ms. It is a shortcut, so it is held to httpx: ``tests/proxy/test_proxy_forwarders.py`` and
``test_proxy_connections.py`` send the same exchanges through both and compare the bytes the upstream received
and the answers that came back, and ``test_proxy_hostile_upstreams.py`` holds both, through the proxy, to what
httpx makes of 50 misbehaving upstreams and of a close racing the next request.

Both keep the same rules. A request is sent once: nothing is retried, and a kept-alive connection is reused
only while it is known to be sound (its last answer complete and its request fully written, not closed by the
upstream, nothing waiting to be read on it, idle under ``keepalive_expiry``). The request goes as the proxy
hands it over: method, target bytes, headers, ``Host`` naming the upstream and ``Content-Length`` for a body
(as httpx writes them). A forwarder returns the answer's header section only, never its trailers. Failures are
httpx's exception types whichever forwarder met them, so the proxy answers alike: a connection refused
(``ConnectError``) or an answer that is not HTTP or stops short (``RemoteProtocolError``, ``ReadError``) is a
502; ``ConnectTimeout``, ``ReadTimeout`` (no byte for ``timeout`` seconds), ``WriteTimeout`` (the request not
taken in that long) and ``PoolTimeout`` (all ``max_connections`` busy that long) are 504s.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Protocol

import httpx

from cpay_emulator._upstream_connection import Answer, Headers, UpstreamConnection

__all__ = ["Answer", "Forwarder", "ForwarderFactory", "HttpxForwarder", "SocketForwarder", "forwarder_for"]


MAX_CONNECTIONS = 1000
MAX_IDLE = 100
KEEPALIVE_EXPIRY = 4.0
"""Seconds an idle connection is kept: under the 5 s after which uvicorn (and others) close theirs, so that a
request is not written on a connection the upstream is closing at that moment (it could not be sent again)."""
_BAD_TARGET = re.compile(rb"[\x00-\x20\x7f]")


class Forwarder(Protocol):
    """Sends a request to the upstream and returns its whole answer, or raises one of httpx's exceptions."""

    async def forward(self, method: str, target: bytes, headers: Headers, body: bytes) -> Answer:
        """``target``: the path and query string, ASCII; ``headers``: end-to-end ones, no Host or Content-Length."""
        ...  # pragma: no cover - a protocol

    async def aclose(self) -> None:
        """Close every connection to the upstream."""
        ...  # pragma: no cover - a protocol


ForwarderFactory = Callable[[str, float], Forwarder]
"""``(upstream base URL, timeout in seconds) -> Forwarder``: what ``ProxyConfig(forwarder=...)`` takes, and what
the hostile-upstream suite (``tests/proxy/test_proxy_hostile_upstreams.py``) holds to httpx."""


def forwarder_for(upstream: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> Forwarder:
    """``SocketForwarder`` for an ``http://`` upstream reached over the network; else ``HttpxForwarder``."""
    if transport is None and httpx.URL(upstream).scheme == "http":
        return SocketForwarder(upstream, timeout)
    client = httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_IDLE),
        follow_redirects=False,
        trust_env=False,
    )
    return HttpxForwarder(upstream, client)


class HttpxForwarder:
    """Forwarding through an ``httpx.AsyncClient`` (TLS, an in-process transport)."""

    def __init__(self, upstream: str, client: httpx.AsyncClient) -> None:
        self._base = httpx.URL(upstream)
        self.client = client

    async def forward(self, method: str, target: bytes, headers: Headers, body: bytes) -> Answer:
        request = httpx.Request(method, self._base.copy_with(raw_path=target), headers=headers, content=body)
        response = await self.client.send(request, stream=True)
        try:
            content = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return Answer(response.status_code, response.headers.raw, content)

    async def aclose(self) -> None:
        await self.client.aclose()


class SocketForwarder:
    """Forwarding over the proxy's own kept-alive HTTP/1.1 connections to an ``http://`` upstream."""

    def __init__(
        self,
        upstream: str,
        timeout: float,
        *,
        max_connections: int = MAX_CONNECTIONS,
        max_idle: int = MAX_IDLE,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
    ) -> None:
        url = httpx.URL(upstream)
        if url.scheme != "http":
            raise ValueError(f"SocketForwarder speaks plain HTTP, not {url.scheme}: {upstream}")
        self._host = url.host
        self._port = url.port or 80
        self._host_line = b"Host: " + url.netloc + b"\r\n"
        self._timeout = timeout
        self._max_idle = max_idle
        self._keepalive_expiry = keepalive_expiry
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[UpstreamConnection] = []
        self._closed = False

    async def forward(self, method: str, target: bytes, headers: Headers, body: bytes) -> Answer:
        head = self._head(method, target, headers, body)
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self._timeout)
            except TimeoutError:
                raise httpx.PoolTimeout(f"no connection to the upstream was free within {self._timeout:g} s") from None
        else:
            await self._slots.acquire()
        try:
            connection = self._reusable() or await self._connect()
            try:
                answer = await connection.exchange(head, body, method == "HEAD", self._timeout)
            except BaseException:
                connection.close()
                raise
            if connection.reusable and not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(connection)
            else:
                connection.close()
            return answer
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        self._closed = True
        for connection in self._idle:
            connection.close()
        self._idle.clear()

    def _head(self, method: str, target: bytes, headers: Headers, body: bytes) -> bytes:
        """The request line and headers, as httpx writes them: Host first, Content-Length for a body."""
        if _BAD_TARGET.search(target):
            raise httpx.LocalProtocolError("the request target holds a space or a control character")
        lines = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\n", self._host_line]
        if not body and method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: 0\r\n")
        for name, value in headers:
            lines += (name, b": ", value, b"\r\n")
        if body:
            lines.append(b"Content-Length: %d\r\n" % len(body))
        lines.append(b"\r\n")
        head = b"".join(lines)
        # Every line break is one this method wrote: a name or value cannot start a header or a request of its own.
        expected = len(headers) + 3 + (not body and method in ("POST", "PUT", "PATCH")) + bool(body)
        if head.count(b"\n") != expected or head.count(b"\r") != expected or b"\x00" in head:
            raise httpx.LocalProtocolError("a request header holds a line break or a NUL character")
        return head

    def _reusable(self) -> UpstreamConnection | None:
        """The most recently used idle connection that is still sound; the others found on the way are closed."""
        if not self._idle:
            return None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._idle:
            connection = self._idle.pop()
            if connection.sound(loop, now, self._keepalive_expiry):
                return connection
            connection.close()
        return None

    async def _connect(self) -> UpstreamConnection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout):
                _, connection = await loop.create_connection(lambda: UpstreamConnection(loop), self._host, self._port)
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"connecting to {self._host}:{self._port} took more than {self._timeout:g} s"
            ) from None
        except OSError as error:
            raise httpx.ConnectError(str(error) or type(error).__name__) from None
        return connection
