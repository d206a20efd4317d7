"""How the validating proxy reaches its upstream: a ``Forwarder`` sends one request and reads the whole answer.

Two forwarders, one behaviour:

* ``AiohttpForwarder``, for every upstream the proxy reaches over the network, ``http://`` and ``https://`` alike
  (the emulator, a deployment on the local network, the C-Pay sandbox, the bench): aiohttp's client, its kept-alive
  connections and its TLS (with certifi's roots, the ones httpx used here before).
* ``HttpxForwarder``, only where a test gives the proxy an httpx transport (``ProxyConfig(transport=...)``):
  ``httpx.ASGITransport`` calls an upstream ASGI app in-process, which aiohttp cannot (it speaks to sockets only),
  and most of the proxy's tests put their upstream there; the hostile-upstream suite runs httpx over the network
  too (``httpx.AsyncHTTPTransport``), as the forwarder that the first is held to.

Why aiohttp, a maintained client, rather than a client of the proxy's own: measured side by side on the 2-core
development VM, the median per GET to the emulator was 236-245 us through aiohttp, ~425 us through httpcore's pool
and ~615 us through ``httpx.AsyncClient`` (its Request and URL objects, the auth/redirect/cookie layers, h11 over
anyio), against 189-206 us through the hand-written HTTP/1.1 client (360 lines on asyncio and httptools) that this
module had until then. The ~40 us that aiohttp costs more buys a parser (llhttp), TLS and a connection pool that
others maintain. It is not small beside the proxy's goal: a relay on this server and forwarder that checks nothing
(``bench/floor_proxy.py``, the bench's floor) adds 0.33-0.51 ms to a call on this VM and 0.72 ms when the host is
loaded, of the 0.5 ms the proxy may add; which is why the proxy checks a request while it is on its way (``sent``)
and writes its log line while it waits, leaving its own work at 0.08-0.17 ms over that floor.

The rules, whichever forwarder, and what it takes to hold aiohttp to them
(``tests/emulator/proxy/test_proxy_connections.py``, ``test_proxy_forwarders.py``, and the hostile-upstream suite,
``test_proxy_hostile_upstreams.py``, which holds both, through the proxy, to what httpx makes of 57 misbehaving
upstreams and of a close racing the next request):

* **A request is sent once, never again.** aiohttp's session sends an idempotent request (GET, HEAD, PUT,
  DELETE...) a second time when its connection breaks before the answer's head (RFC 9112, 9.3.1 lets a client),
  though the upstream may have read and acted on it; the ``_sent_once`` middleware turns that failure into one the
  session does not retry. The one case where a second try would be safe, nothing written on a stale kept-alive
  connection, is left out on purpose: such a connection is found stale (next rule) when aiohttp picks it, and the
  request is written in that same step of the event loop (one without a body) or the next (aiohttp's writer task
  sends a body; Python 3.12 starts it at once), so only a close landing within that step fails a request, as a 502
  ("closed the connection before the request was sent"). In the close race: 0-2 of 84, where httpx itself failed
  1-5.
* **A kept-alive connection is reused only while sound.** aiohttp drops one the upstream closed (once the event
  loop has handled the close) or idle past ``KEEPALIVE_EXPIRY``, and one holding bytes the upstream sent unasked
  (a second answer to one request: never read as the next one's). ``_SoundConnector`` adds what httpcore does and
  aiohttp does not: the idle sockets are polled, so that a close (or bytes) that arrived while the proxy was busy
  checking the request, and that the event loop has not handled yet, is seen before the request is written.
* **The request goes as the proxy hands it over**: method, target bytes, the headers in their order, ``Host``
  first naming the upstream and ``Content-Length`` for a body (as httpx writes them). aiohttp adds no header of its
  own (``_NOT_ADDED``: no Accept, Accept-Encoding, User-Agent or Content-Type), keeps no cookies, follows no
  redirect and reads no proxy settings from the environment. Two differences from httpx, both aiohttp's: a
  body-less DELETE (any method but GET, HEAD, OPTIONS and TRACE) gets ``Content-Length: 0``, as POST does in both;
  and aiohttp writes header values as UTF-8 text, so a value that is not UTF-8 cannot go unchanged and is refused
  (``LocalProtocolError``, a 502), as is one with a line break or a NUL (it would be a header of its own).
* **The answer comes back as sent**: status, headers as received (names in their case), the body's bytes (no
  decoding, ``auto_decompress=False``). Never trailers: aiohttp reads and drops them. A header section is bounded,
  not read on and on: a line of at most ``MAX_LINE`` bytes (a line of 8 MiB is refused) and at most 128 lines
  (aiohttp's limit; httpx takes more lines if each read of the head leaves under 100 KiB incomplete), so an answer
  of 100,000 header lines is refused too.
* **Failures are httpx's exception types** whichever forwarder met them, so that the proxy answers alike: a
  connection refused (``ConnectError``) or an answer that is not HTTP or stops short (``RemoteProtocolError``,
  ``ReadError``) is a 502; ``ConnectTimeout``, ``ReadTimeout`` (no byte for ``timeout`` seconds), ``WriteTimeout``
  (none of the body taken in that long) and ``PoolTimeout`` (all ``max_connections`` busy that long) are 504s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple, Protocol

import aiohttp
import certifi
import httpx
from yarl import URL

if TYPE_CHECKING:
    from aiohttp.client_proto import ResponseHandler
    from aiohttp.client_reqrep import ConnectionKey
    from aiohttp.connector import Connection
    from aiohttp.tracing import Trace

__all__ = [
    "MAX_LINE",
    "AiohttpForwarder",
    "Answer",
    "Forwarder",
    "ForwarderFactory",
    "Headers",
    "HttpxForwarder",
    "forwarder_for",
]

Headers = list[tuple[bytes, bytes]]

MAX_CONNECTIONS = 1000
KEEPALIVE_EXPIRY = 4.0
"""Seconds an idle connection is kept: under the 5 s after which uvicorn (and others) close theirs, so that a
request is not written on a connection the upstream is closing at that moment (it could not be sent again)."""
MAX_LINE = 100 * 1024
"""Bytes a line of the answer's header section may take: httpcore's bound (``max_incomplete_event_size`` for h11,
checked on what one read leaves incomplete), so that a header httpx takes is taken here too (aiohttp's own: 8 KiB)."""
_WATCHED_BODY = 64 * 1024
"""A request body larger than this is watched for a write that stalls (``WriteTimeout``). A smaller one fits in the
socket's buffers whether or not the upstream reads it, and then aiohttp's read timeout runs."""
_NOT_ADDED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_BAD_TARGET = re.compile(rb"[\x00-\x20\x7f#]")
_BAD_HEADER = re.compile(rb"[\r\n\x00]")


class Answer(NamedTuple):
    """The upstream's answer: status, headers as received (names in their case), the body's bytes as sent."""

    status: int
    headers: Headers
    content: bytes


class Forwarder(Protocol):
    """Sends a request to the upstream and returns its whole answer, or raises one of httpx's exceptions."""

    async def forward(
        self, method: str, target: bytes, headers: Headers, body: bytes, sent: Callable[[], None] | None = None
    ) -> Answer:
        """``target``: the path and query string, ASCII; ``headers``: end-to-end ones, no Host or Content-Length.

        ``sent``: called from the event loop once the request has been written (the caller's work that can wait
        for the answer), at most once; maybe not at all if the exchange fails first.
        """
        ...  # pragma: no cover - a protocol

    async def aclose(self) -> None:
        """Close every connection to the upstream."""
        ...  # pragma: no cover - a protocol


ForwarderFactory = Callable[[str, float], Forwarder]
"""``(upstream base URL, timeout in seconds) -> Forwarder``: what ``ProxyConfig(forwarder=...)`` takes, and what
the hostile-upstream suite (``tests/emulator/proxy/test_proxy_hostile_upstreams.py``) holds to httpx."""


def forwarder_for(upstream: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> Forwarder:
    """``AiohttpForwarder`` for an upstream reached over the network; ``HttpxForwarder`` through ``transport``."""
    if transport is None:
        return AiohttpForwarder(upstream, timeout)
    client = httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=100),
        follow_redirects=False,
        trust_env=False,
    )
    return HttpxForwarder(upstream, client)


class HttpxForwarder:
    """Forwarding through an ``httpx.AsyncClient`` (an in-process transport, or httpx as the suite's witness)."""

    def __init__(self, upstream: str, client: httpx.AsyncClient) -> None:
        self._base = httpx.URL(upstream)
        self.client = client

    async def forward(
        self, method: str, target: bytes, headers: Headers, body: bytes, sent: Callable[[], None] | None = None
    ) -> Answer:
        request = httpx.Request(method, self._base.copy_with(raw_path=target), headers=headers, content=body)
        if sent is not None:  # httpcore's trace extension says when the request is written (a network transport)
            request.extensions["trace"] = _on_written(sent)
        response = await self.client.send(request, stream=True)
        try:
            content = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return Answer(response.status_code, response.headers.raw, content)

    async def aclose(self) -> None:
        await self.client.aclose()


def _on_written(sent: Callable[[], None]) -> Callable[[str, dict[str, object]], Awaitable[None]]:
    """An httpcore ``trace`` callback that calls ``sent`` from the event loop once the request's body is written."""

    async def trace(event: str, info: dict[str, object]) -> None:
        if event.endswith(".send_request_body.complete"):  # http11. or http2.
            asyncio.get_running_loop().call_soon(sent)

    return trace


class AiohttpForwarder:
    """Forwarding through an ``aiohttp.ClientSession`` (one per event loop), on kept-alive connections."""

    def __init__(
        self,
        upstream: str,
        timeout: float,
        *,
        max_connections: int = MAX_CONNECTIONS,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        url = URL(upstream)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"the upstream must be an http:// or https:// URL: {upstream}")
        self._origin = str(url.origin())
        self._timeout = timeout
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl_context = ssl_context
        self._tls = url.scheme == "https"
        self._slots = asyncio.Semaphore(max_connections)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def forward(
        self, method: str, target: bytes, headers: Headers, body: bytes, sent: Callable[[], None] | None = None
    ) -> Answer:
        url = self._url(target)
        fields = [(_text(name), _text(value)) for name, value in headers]
        if not body and method in _BODY_METHODS:
            fields.insert(0, ("Content-Length", "0"))  # where httpx writes it (aiohttp would write it last)
        session = await self._session_of_this_loop()
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), self._timeout)
            except TimeoutError:
                raise httpx.PoolTimeout(f"no connection to the upstream was free within {self._timeout:g} s") from None
        else:
            await self._slots.acquire()
        try:
            if len(body) > _WATCHED_BODY:
                return await self._watched(session, method, url, fields, body, sent)
            if sent is not None:
                loop = asyncio.get_running_loop()
                if body:  # written by aiohttp's writer task, whose first step comes next (Python 3.11: not eager)
                    loop.call_soon(loop.call_soon, sent)
                else:  # written in the step that sends it, before the answer is first awaited
                    loop.call_soon(sent)
            return await self._exchange(session, method, url, fields, body or None, None)
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            await session.close()

    async def _exchange(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        fields: list[tuple[str, str]],
        body: bytes | None,
        tracker: aiohttp.UploadTracker | None,
    ) -> Answer:
        try:
            async with session.request(
                method, url, headers=fields, data=body, allow_redirects=False, upload_tracker=tracker
            ) as response:
                content = await response.read()
                return Answer(response.status, list(response.raw_headers), content)
        except _SentOnce as error:
            raise self._httpx_error(error.cause) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise self._httpx_error(error) from None

    async def _watched(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        fields: list[tuple[str, str]],
        body: bytes,
        sent: Callable[[], None] | None,
    ) -> Answer:
        """``_exchange``, failing with ``WriteTimeout`` when the upstream takes none of the body for ``timeout`` s.

        aiohttp starts its read timeout once the body is written, and has no write timeout: without this, an
        upstream that stops reading a large body would hold the exchange for ever."""
        tracker = aiohttp.UploadTracker()
        if sent is not None:
            tracker.upload_complete.add_done_callback(lambda _: sent())
        exchange = asyncio.ensure_future(self._exchange(session, method, url, fields, body, tracker))
        written = 0
        try:
            while True:
                done, _ = await asyncio.wait((exchange,), timeout=self._timeout)
                if done or tracker.upload_complete.done():
                    return await exchange  # the rest is the answer's, under aiohttp's read timeout
                if tracker.bytes_written == written:
                    raise httpx.WriteTimeout(f"the upstream took none of the request for {self._timeout:g} s")
                written = tracker.bytes_written
        finally:
            if not exchange.done():
                exchange.cancel()
                with contextlib.suppress(BaseException):
                    await exchange

    def _url(self, target: bytes) -> URL:
        """The upstream's origin and ``target``, sent as they are (``encoded=True``: no quoting, no normalising)."""
        if _BAD_TARGET.search(target):
            raise httpx.LocalProtocolError("the request target holds a space, a '#' or a control character")
        url = URL(self._origin + target.decode("ascii"), encoded=True)
        if url.raw_path_qs.encode("ascii") != target:
            raise httpx.LocalProtocolError("the request target cannot be sent unchanged")
        return url

    async def _session_of_this_loop(self) -> aiohttp.ClientSession:
        """The session of the running event loop. One made on another loop (a proxy used again from a new
        ``asyncio.run``) is closed first: aiohttp closes what it can of it (nothing, if that loop is closed: those
        sockets close with their transport objects)."""
        loop = asyncio.get_running_loop()
        if self._session is not None and self._loop is not loop:
            await self.aclose()
        if self._session is None:
            connector = _SoundConnector(
                limit=self._max_connections,
                keepalive_timeout=self._keepalive_expiry,
                ssl=self._tls_context() if self._tls else False,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=self._timeout, sock_connect=self._timeout, sock_read=self._timeout
                ),
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_NOT_ADDED,
                auto_decompress=False,
                trust_env=False,
                max_line_size=MAX_LINE,
                max_field_size=MAX_LINE,
                middlewares=(_sent_once,),
                requote_redirect_url=False,
            )
            self._loop = loop
        return self._session

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context(cafile=certifi.where())
        return self._ssl_context

    def _httpx_error(self, error: BaseException) -> httpx.TransportError:
        """httpx's exception for what aiohttp raised; its own message, never the URL (it carries the ``sign``)."""
        timeout = self._timeout
        if isinstance(error, aiohttp.ConnectionTimeoutError):
            return httpx.ConnectTimeout(f"connecting to the upstream took more than {timeout:g} s")
        if isinstance(error, aiohttp.ServerTimeoutError | TimeoutError):
            return httpx.ReadTimeout(f"the upstream sent nothing for {timeout:g} s")
        if isinstance(error, aiohttp.ClientConnectorError):  # refused, unreachable, a TLS handshake or certificate
            return httpx.ConnectError(f"cannot connect to {error.host}:{error.port}: {error.os_error}")
        if isinstance(error, aiohttp.ClientConnectionResetError) or isinstance(
            error.__cause__, aiohttp.ClientConnectionResetError
        ):  # raised instead of writing on a transport already closing (the second: by aiohttp's body writer)
            return httpx.RemoteProtocolError("the upstream closed the connection before the request was sent")
        if isinstance(error, aiohttp.ServerDisconnectedError):
            return httpx.RemoteProtocolError("the upstream closed the connection without answering")
        if isinstance(error, aiohttp.ClientResponseError):
            return httpx.RemoteProtocolError(f"the upstream's answer is not valid HTTP/1.1: {error.message}")
        if isinstance(error, aiohttp.ClientPayloadError):
            return httpx.RemoteProtocolError(f"the upstream's answer stops short or is not valid HTTP/1.1: {error}")
        if isinstance(error, aiohttp.ClientOSError):  # its own text may name the URL
            reason = os.strerror(error.errno) if error.errno else type(error).__name__
            return httpx.ReadError(f"the connection to the upstream broke: {reason}")
        return httpx.RemoteProtocolError(f"the exchange with the upstream failed: {type(error).__name__}")


class _SentOnce(aiohttp.ClientError):
    """A connection failure that the session must not answer by sending the request again (``_sent_once``)."""

    def __init__(self, cause: aiohttp.ClientError) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def _sent_once(request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType) -> aiohttp.ClientResponse:
    """The session's middleware: the one failure it would retry (``ClientOSError``, ``ServerDisconnectedError``)
    reaches it as ``_SentOnce``, which it does not, so a request the upstream may have read is never sent again."""
    try:
        return await handler(request)
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as error:
        raise _SentOnce(error) from error


class _SoundConnector(aiohttp.TCPConnector):
    """aiohttp's connector, reusing an idle connection only if its socket has nothing to read.

    The upstream's close (or bytes it sent unasked) may have arrived while the proxy was busy checking the request;
    the event loop has not handled it yet, so aiohttp still counts the connection as open. Polling the idle
    sockets before aiohttp picks one (its ``_get``) closes such a connection first, as httpcore's ``is_readable``
    does; without it, a request is written on a connection already closed, and fails (``test_proxy_hostile_upstreams``:
    the close race). ``_get`` and ``_conns`` are aiohttp's own (pinned in requirements/constraints.txt); the tests
    fail if aiohttp stops calling them so.
    """

    async def _get(self, key: ConnectionKey, traces: list[Trace]) -> Connection | None:
        idle = self._conns.get(key)
        if idle:
            for protocol in _unsound(protocol for protocol, _ in idle):
                protocol.close()  # aiohttp's _get then drops it, as a connection the upstream closed
        return await super()._get(key, traces)


def _unsound(protocols: Iterable[ResponseHandler]) -> list[ResponseHandler]:
    """The idle connections among ``protocols`` that hold an unread answer or whose socket has something to read
    (one poll for all of them); a socket that cannot be asked counts as unsound."""
    unsound: list[ResponseHandler] = []
    by_descriptor: dict[int, ResponseHandler] = {}
    for protocol in protocols:
        transport = protocol.transport
        if transport is None or transport.is_closing():
            continue  # aiohttp drops it
        sock = transport.get_extra_info("socket")
        try:
            descriptor = -1 if protocol.should_close or sock is None else sock.fileno()
        except (OSError, ValueError):
            descriptor = -1
        if descriptor < 0:
            unsound.append(protocol)
        else:
            by_descriptor[descriptor] = protocol
    if by_descriptor:
        try:
            unsound += [by_descriptor[descriptor] for descriptor in _readable(list(by_descriptor))]
        except (OSError, ValueError):
            unsound += by_descriptor.values()
    return unsound


def _readable(descriptors: list[int]) -> list[int]:
    """Those of ``descriptors`` that have something to read now (a close, bytes), without waiting."""
    if not hasattr(select, "poll"):  # Windows
        return list(select.select(descriptors, [], [], 0)[0])
    poller = select.poll()
    for descriptor in descriptors:
        poller.register(descriptor, select.POLLIN)
    return [descriptor for descriptor, _ in poller.poll(0)]


def _text(value: bytes) -> str:
    """A header name or value as aiohttp takes it: text that it writes back as these very bytes (UTF-8)."""
    if _BAD_HEADER.search(value):
        raise httpx.LocalProtocolError("a request header holds a line break or a NUL character")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise httpx.LocalProtocolError("a request header is not UTF-8: it cannot be sent unchanged") from None
