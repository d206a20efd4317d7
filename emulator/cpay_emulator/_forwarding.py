"""How the validating proxy reaches its upstream: a ``Forwarder`` sends one request and reads the whole answer.

Two forwarders, one behaviour:

* ``SocketForwarder``, for an ``http://`` upstream (the emulator, a deployment on the local network, the bench):
  kept-alive HTTP/1.1 connections on asyncio protocols, the answer read by httptools, the parser uvicorn already
  runs on the proxy's server side.
* ``HttpxForwarder``, for everything else: an ``https://`` upstream (TLS with certifi's roots, as httpx does it;
  over a WAN its cost is lost in the round trip) and an in-process one (``httpx.ASGITransport``, the tests').

Why the first exists: on the 2-core development VM's loopback, one exchange through ``httpx.AsyncClient.send``
costs ~440 us of CPU (Request and URL objects, the auth/redirect/cookie layers, httpcore's pool, h11's state
machine over anyio streams), through ``httpcore.AsyncConnectionPool`` called directly ~270 us, and through an
asyncio protocol with httptools ~19 us. In ``bench/bench_proxy.py`` the proxy's added p50 went from 0.83-0.97 ms
to 0.27-0.34 ms. It is a shortcut, so it is held to httpx: ``tests/proxy/test_proxy_forwarders.py`` and
``test_proxy_connections.py`` send the same exchanges through both and compare the bytes the upstream received
and the answers that came back.

Both keep the same rules. A request is sent once: nothing is retried, and a kept-alive connection is reused
only while it is known to be sound (its last answer complete and its request fully written, not closed by the
upstream, idle under ``keepalive_expiry``). The request goes as the proxy hands it over: method, target bytes,
headers, ``Host`` naming the upstream and ``Content-Length`` for a body (as httpx writes them). Failures are
httpx's exception types whichever forwarder met them, so the proxy answers alike: a connection refused
(``ConnectError``) or an answer that is not HTTP or stops short (``RemoteProtocolError``, ``ReadError``) is a
502; ``ConnectTimeout``, ``ReadTimeout`` (no byte for ``timeout`` seconds), ``WriteTimeout`` (the request not
taken in that long) and ``PoolTimeout`` (all ``max_connections`` busy that long) are 504s.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import NamedTuple, Protocol, cast

import httptools
import httpx

__all__ = ["Answer", "Forwarder", "HttpxForwarder", "SocketForwarder", "forwarder_for"]

Headers = list[tuple[bytes, bytes]]

MAX_CONNECTIONS = 1000
MAX_IDLE = 100
KEEPALIVE_EXPIRY = 4.0
"""Seconds an idle connection is kept: under the 5 s after which uvicorn (and others) close theirs, so that a
request is not written on a connection the upstream is closing at that moment (it could not be sent again)."""
_ONE_WRITE = 64 * 1024  # a request up to this size goes in one write (one segment on loopback)
_BAD_TARGET = re.compile(rb"[\x00-\x20\x7f]")


class Answer(NamedTuple):
    """The upstream's answer: status, headers as received (names in their case), the body's bytes as sent."""

    status: int
    headers: Headers
    content: bytes


class Forwarder(Protocol):
    """Sends a request to the upstream and returns its whole answer, or raises one of httpx's exceptions."""

    async def forward(self, method: str, target: bytes, headers: Headers, body: bytes) -> Answer:
        """``target``: the path and query string, ASCII; ``headers``: end-to-end ones, no Host or Content-Length."""
        ...  # pragma: no cover - a protocol

    async def aclose(self) -> None:
        """Close every connection to the upstream."""
        ...  # pragma: no cover - a protocol


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
        self._idle: list[_Connection] = []
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

    def _reusable(self) -> _Connection | None:
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

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout):
                _, connection = await loop.create_connection(lambda: _Connection(loop), self._host, self._port)
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"connecting to {self._host}:{self._port} took more than {self._timeout:g} s"
            ) from None
        except OSError as error:
            raise httpx.ConnectError(str(error) or type(error).__name__) from None
        return connection


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection to the upstream, one exchange at a time; httptools calls the ``on_*`` methods."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[Answer] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timeout = 0.0
        self._last_activity = 0.0
        self._buffered = 0
        self._closed = False
        self._head_request = False
        self._idle_since = loop.time()
        self.reusable = False
        self._status = 0
        self._headers: Headers = []
        self._body: list[bytes] = []
        self._headers_done = False

    # -- the exchange -------------------------------------------------------------------------------------------

    async def exchange(self, head: bytes, body: bytes, head_request: bool, timeout: float) -> Answer:
        transport = self._transport
        assert transport is not None
        if self._closed or transport.is_closing():  # a new connection the upstream closed at once: nothing sent
            raise httpx.RemoteProtocolError("the upstream closed the connection before the request was sent")
        loop = self._loop
        waiter: asyncio.Future[Answer] = loop.create_future()
        self._waiter = waiter
        self._head_request = head_request
        self.reusable = False
        self._timeout = timeout
        self._buffered = 0
        self._last_activity = loop.time()
        self._timer = loop.call_at(self._last_activity + timeout, self._check_time)
        if len(body) <= _ONE_WRITE:
            transport.write(head + body)
        else:
            transport.write(head)
            transport.write(body)
        try:
            return await waiter
        finally:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._waiter = None
            self._idle_since = loop.time()

    def sound(self, loop: asyncio.AbstractEventLoop, now: float, expiry: float) -> bool:
        """Whether the next request may be written here: nothing pending, still open, not idle for too long."""
        transport = self._transport
        return (
            self.reusable
            and self._loop is loop
            and not self._closed
            and transport is not None
            and not transport.is_closing()
            and now - self._idle_since < expiry
        )

    def close(self) -> None:
        self.reusable = False
        self._closed = True
        if self._transport is not None:
            # RuntimeError: its event loop is closed (a proxy used again from another loop); the socket is then
            # closed with the transport object.
            with contextlib.suppress(RuntimeError):
                self._transport.close()

    def _finish(self, content: bytes, reusable: bool) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        transport = self._transport
        self.reusable = (
            reusable and not self._head_request and transport is not None and not transport.get_write_buffer_size()
        )
        self._body = []
        waiter.set_result(Answer(self._status, self._headers, content))

    def _fail(self, error: Exception) -> None:
        self.reusable = False
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _check_time(self) -> None:
        """The timeout: a byte received, or request bytes taken by the upstream, since it was set restarts it."""
        self._timer = None
        transport = self._transport
        if self._waiter is None or self._waiter.done() or transport is None:
            return
        now = self._loop.time()
        buffered = transport.get_write_buffer_size()
        if buffered and buffered != self._buffered:
            self._buffered = buffered
            self._last_activity = now
        deadline = self._last_activity + self._timeout
        if now < deadline:
            self._timer = self._loop.call_at(deadline, self._check_time)
            return
        if buffered:
            self._fail(httpx.WriteTimeout(f"the upstream took none of the request for {self._timeout:g} s"))
        else:
            self._fail(httpx.ReadTimeout(f"the upstream sent nothing for {self._timeout:g} s"))
        self.close()

    # -- asyncio's callbacks ------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is one without deriving from it

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():  # bytes nobody asked for: the connection is out of step, drop it
            self.close()
            return
        self._last_activity = self._loop.time()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:  # a 101: its answer is complete, the connection is no longer HTTP
            self.close()
        except httptools.HttpParserError as error:
            self._fail(httpx.RemoteProtocolError(f"the upstream's answer is not valid HTTP/1.1: {error}"))
            self.close()

    def eof_received(self) -> bool:
        return False  # the transport closes; connection_lost says what that means for a pending answer

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.reusable = False
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._headers_done and not self._framed():  # a body delimited by the end of the connection
            self._finish(b"".join(self._body), reusable=False)
        elif exc is not None:
            self._fail(httpx.ReadError(f"the connection to the upstream broke: {exc}"))
        elif self._headers_done:
            self._fail(httpx.RemoteProtocolError("the upstream closed the connection before the end of its answer"))
        else:
            self._fail(httpx.RemoteProtocolError("the upstream closed the connection without answering"))

    # -- httptools' callbacks -----------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._waiter is None or self._waiter.done():  # a second answer to one request
            self.reusable = False
        self._headers = []
        self._body = []
        self._headers_done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value.rstrip(b" \t")))  # h11 strips the trailing blanks too

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._status = self._parser.get_status_code()
        if self._head_request and not (100 <= self._status < 200):
            self._finish(b"", reusable=False)  # no body follows, whatever Content-Length says; the parser cannot know

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        status = self._status
        if 100 <= status < 200 and status != 101:  # informational (103 Early Hints...): the answer is still to come
            self._headers_done = False
            return
        self._finish(b"".join(self._body), reusable=self._parser.should_keep_alive() and status != 101)

    def _framed(self) -> bool:
        """Whether the answer's body has a length (Content-Length, chunked) or none (204, 304, 1xx, HEAD)."""
        if self._status in (204, 304) or 100 <= self._status < 200 or self._head_request:
            return True
        for name, value in self._headers:
            lowered = name.lower()
            if lowered == b"content-length":
                return True
            if lowered == b"transfer-encoding" and value.rsplit(b",", 1)[-1].strip().lower() == b"chunked":
                return True
        return False
