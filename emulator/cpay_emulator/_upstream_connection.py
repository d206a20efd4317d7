"""One HTTP/1.1 connection from the proxy to its upstream (``_forwarding.SocketForwarder``'s), read by httptools.

One exchange at a time: ``exchange`` writes a request and waits for its whole ``Answer``. What the answer may
be is held to httpx (h11 under httpcore), whose errors it raises, so that the proxy answers alike whichever
forwarder met them (``tests/proxy/test_proxy_hostile_upstreams.py`` runs both against the same upstreams):

* the header section ends within ``MAX_HEAD`` bytes (httpcore's 100 KiB for h11), or the answer is a
  ``RemoteProtocolError``: an 8 MiB header line or 100,000 header lines are not read on and on;
* trailers (header fields after a chunked body) are read and dropped: they are not headers, and a trailer
  ``x-cpay-violations: []`` must not become one;
* informational answers (``1xx`` but ``101``) are passed over for the final one; a ``101`` ends the connection;
* a connection is reused only while it is sound: its last answer complete and its request fully written, open,
  idle under the expiry, and with nothing to read (its socket polled): an upstream's close that arrived but that the
  event loop has not handled yet is seen before a request is written on it, as httpcore does.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
from typing import NamedTuple, cast

import httptools
import httpx

__all__ = ["MAX_HEAD", "Answer", "Headers", "UpstreamConnection"]

Headers = list[tuple[bytes, bytes]]

MAX_HEAD = 100 * 1024
"""Bytes a header section may take (httpcore's ``max_incomplete_event_size`` for h11)."""
_ONE_WRITE = 64 * 1024  # a request up to this size goes in one write (one segment on loopback)


class Answer(NamedTuple):
    """The upstream's answer: status, headers as received (names in their case), the body's bytes as sent."""

    status: int
    headers: Headers
    content: bytes


class UpstreamConnection(asyncio.Protocol):
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
        self._head_size = 0

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
            and not _readable(transport)
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
        if not self._headers_done:
            self._head_size += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:  # a 101: its answer is complete, the connection is no longer HTTP
            self.close()
        except httptools.HttpParserError as error:
            self._fail(httpx.RemoteProtocolError(f"the upstream's answer is not valid HTTP/1.1: {error}"))
            self.close()
        else:
            if not self._headers_done and self._head_size > MAX_HEAD:  # still no end of the header section
                self._head_too_large()

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
        self._head_size = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._headers_done:  # a trailer, after a chunked body: not a header of the answer
            return
        self._headers.append((name, value.rstrip(b" \t")))  # h11 strips the trailing blanks too

    def on_headers_complete(self) -> None:
        self._headers_done = True
        if sum(len(name) + len(value) + 4 for name, value in self._headers) > MAX_HEAD:  # whole in one read
            self._head_too_large()
            return
        self._status = self._parser.get_status_code()
        if self._head_request and not (100 <= self._status < 200):
            self._finish(b"", reusable=False)  # no body follows, whatever Content-Length says; the parser cannot know

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        status = self._status
        if 100 <= status < 200 and status != 101:  # informational (103 Early Hints...): the answer is still to come
            self._headers_done = False
            self._head_size = 0
            return
        self._finish(b"".join(self._body), reusable=self._parser.should_keep_alive() and status != 101)

    def _head_too_large(self) -> None:
        self._fail(httpx.RemoteProtocolError(f"the upstream's header section is larger than {MAX_HEAD} bytes"))
        self.close()

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


def _readable(transport: asyncio.Transport) -> bool:
    """Whether the connection's socket has something to read (the upstream's close, or bytes nobody asked for)
    that the event loop has not handled yet; a socket that cannot be asked counts as readable (not reused)."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True
