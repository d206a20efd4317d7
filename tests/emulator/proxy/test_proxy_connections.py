"""The proxy's connections to its upstream over the network (``AiohttpForwarder``): reuse, framing, failures, time.

The upstream here is scripted byte by byte (``Scripted``: a loopback server that reads each request whole and
runs the next step of its script), so each test can send what a real server rarely does on demand: a chunked
or close-delimited body, an informational answer, a close at the wrong moment, silence, garbage. Every test
also counts what reached the upstream: a request is never sent twice (aiohttp's session would send a GET again
after some of these failures; the forwarder's ``_sent_once`` stops it, and these tests fail without it).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import shutil
import ssl
import subprocess
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import uvloop
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from cpay_emulator import ProxyConfig, create_proxy_app
from cpay_emulator.proxy.asgi import AFTER_IDLE
from cpay_emulator.proxy.forwarding import AiohttpForwarder, forwarder_for
from cpay_emulator.proxy.recording import read_recording

from .conftest import client_of, signed_query
from .test_proxy_divergence import DivergentUpstream

Step = Callable[[asyncio.StreamWriter], Awaitable[None]]


def answer(raw: bytes, *, close: bool = False) -> Step:
    async def step(writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()
        if close:
            writer.close()

    return step


def ok(body: bytes = b"{}", *extra: bytes) -> Step:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % len(body)
    return answer(head + b"".join(extra) + b"\r\n" + body)


def trickle(*pieces: bytes, every: float) -> Step:
    async def step(writer: asyncio.StreamWriter) -> None:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(every)

    return step


async def silence(writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


async def hang_up(writer: asyncio.StreamWriter) -> None:
    writer.close()


class Scripted:
    """A loopback upstream that answers the n-th request it reads (on any connection) with ``steps[n]``."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[bytes] = []
        self.connections = 0
        self.url = ""
        self._writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while not writer.is_closing():
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                self.requests.append(head + await reader.readexactly(length))
                await self.steps[len(self.requests) - 1](writer)
        writer.close()

    @contextlib.asynccontextmanager
    async def running(self, tls: ssl.SSLContext | None = None) -> AsyncIterator[Scripted]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0, ssl=tls)
        self.url = f"http{'s' if tls else ''}://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with server:
            try:
                yield self
            finally:
                server.close()
                for writer in self._writers:  # the connections a client still holds open
                    writer.close()
                await asyncio.gather(*(writer.wait_closed() for writer in self._writers), return_exceptions=True)


def forwarder(upstream: Scripted, timeout: float = 5.0, **options: Any) -> AiohttpForwarder:
    return AiohttpForwarder(upstream.url, timeout, **options)


def run(
    steps: tuple[Step, ...], exchange: Callable[[Scripted], Awaitable[Any]], tls: ssl.SSLContext | None = None
) -> tuple[Any, Scripted]:
    upstream = Scripted(*steps)

    async def main() -> Any:
        async with upstream.running(tls):
            return await asyncio.wait_for(exchange(upstream), timeout=20)

    return asyncio.run(main()), upstream


async def get(upstream: Scripted, count: int = 1, pause: float = 0.0, **options: Any) -> list[Any]:
    """``count`` GETs one after the other through one forwarder, ``pause`` seconds apart."""
    forwarding = forwarder(upstream, **options)
    answers = []
    try:
        for index in range(count):
            if index and pause:
                await asyncio.sleep(pause)
            answers.append(await forwarding.forward("GET", b"/x?n=%d" % index, [(b"accept", b"*/*")], b""))
    finally:
        await forwarding.aclose()
    return answers


def test_a_kept_alive_connection_carries_the_next_requests() -> None:
    answers, upstream = run((ok(b"1"), ok(b"2"), ok(b"3")), lambda up: get(up, 3))
    assert [content for _, _, content in answers] == [b"1", b"2", b"3"]
    assert upstream.connections == 1
    assert upstream.requests[0].startswith(b"GET /x?n=0 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert upstream.requests[0].endswith(b"\r\naccept: */*\r\n\r\n")


def test_a_chunked_answer_comes_back_whole_and_the_connection_is_reused() -> None:
    chunked = answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    answers, upstream = run((chunked, ok(b"next")), lambda up: get(up, 2))
    (status, headers, content), second = answers
    assert (status, content) == (200, b"hello world")
    assert (b"Transfer-Encoding", b"chunked") in headers  # the proxy drops it and sets Content-Length
    assert second.content == b"next"
    assert upstream.connections == 1


def test_a_body_ended_by_closing_the_connection_is_read_to_the_end_and_the_connection_not_reused() -> None:
    until_close = answer(b"HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it", close=True)
    answers, upstream = run((until_close, ok(b"again")), lambda up: get(up, 2))
    assert [content for _, _, content in answers] == [b"all of it", b"again"]
    assert upstream.connections == 2


def test_informational_answers_are_passed_over_for_the_final_one() -> None:
    early = answer(b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
    (created,), _ = run((early,), get)
    assert (created.status, created.headers, created.content) == (201, [(b"content-length", b"2")], b"ok")


def test_the_answer_to_head_has_no_body_whatever_its_content_length_says() -> None:
    async def head_then_get(upstream: Scripted) -> list[Any]:
        forwarding = forwarder(upstream)
        first = await forwarding.forward("HEAD", b"/x", [], b"")
        second = await forwarding.forward("GET", b"/x", [], b"")
        await forwarding.aclose()
        return [first, second]

    head = answer(b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n")
    (first, second), upstream = run((head, ok(b"body")), head_then_get)
    assert (first.status, first.headers, first.content) == (200, [(b"content-length", b"12")], b"")
    assert second.content == b"body"
    assert upstream.connections == 1  # the parser knew that no body follows: the connection carries the next one


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_comes_back_as_the_answer_and_is_not_followed(status: int) -> None:
    moved = answer(b"HTTP/1.1 %d Moved\r\nlocation: /elsewhere\r\ncontent-length: 4\r\n\r\nmove" % status)
    (redirect,), upstream = run((moved, ok(b"followed")), get)
    assert (redirect.status, redirect.content) == (status, b"move")
    assert (b"location", b"/elsewhere") in redirect.headers
    assert len(upstream.requests) == 1


def test_connection_close_from_the_upstream_is_honoured() -> None:
    answers, upstream = run((ok(b"1", b"connection: close\r\n"), ok(b"2")), lambda up: get(up, 2))
    assert [content for _, _, content in answers] == [b"1", b"2"]
    assert upstream.connections == 2


def test_an_idle_connection_the_upstream_closed_is_not_used_again() -> None:
    closing = answer(b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1", close=True)  # a keep-alive answer, then FIN
    answers, upstream = run((closing, ok(b"2")), lambda up: get(up, 2, pause=0.1))
    assert [content for _, _, content in answers] == [b"1", b"2"]
    assert (upstream.connections, len(upstream.requests)) == (2, 2)


def test_an_idle_connection_past_its_expiry_is_not_used_again() -> None:
    answers, upstream = run((ok(b"1"), ok(b"2")), lambda up: get(up, 2, pause=0.2, keepalive_expiry=0.05))
    assert [content for _, _, content in answers] == [b"1", b"2"]
    assert upstream.connections == 2


@pytest.mark.parametrize("run_loop", [asyncio.run, uvloop.run], ids=["asyncio", "uvloop"])
def test_an_upstream_that_closes_every_connection_at_once_is_a_protocol_error_and_is_tried_once(run_loop: Any) -> None:
    """aiohttp's session would send this GET again on a new connection (an idempotent method): the proxy does not."""
    accepted = []

    async def attempt() -> BaseException:
        def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(writer)
            writer.close()

        server = await asyncio.start_server(close_at_once, "127.0.0.1", 0)
        async with server:
            forwarding = AiohttpForwarder(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", 5.0)
            with pytest.raises(httpx.RemoteProtocolError) as raised:
                await forwarding.forward("GET", b"/x", [], b"")
            await forwarding.aclose()
        return raised.value

    # before the request was written (uvloop had seen the close) or after (asyncio had not): a 502 either way
    assert "the upstream closed the connection" in str(run_loop(attempt()))
    assert len(accepted) == 1


def test_a_forwarder_used_again_from_another_event_loop_opens_new_connections(served: Any) -> None:
    double = DivergentUpstream()
    forwarding = AiohttpForwarder(served(double, lifespan="off"), 5.0)
    first = asyncio.run(forwarding.forward("GET", b"/openapi/v1/getOrderDetail", [], b""))
    second = asyncio.run(forwarding.forward("GET", b"/openapi/v1/getOrderDetail", [], b""))
    asyncio.run(forwarding.aclose())
    assert first == second
    assert len(double.received) == 2
    with warnings.catch_warnings():  # the first loop's connection could not be closed on a closed loop:
        warnings.simplefilter("ignore", ResourceWarning)  # its socket goes with the transport object, now
        gc.collect()


def test_bytes_sent_on_an_idle_connection_take_it_out_of_use() -> None:
    async def then_junk(writer: asyncio.StreamWriter) -> None:
        await ok(b"1")(writer)
        await asyncio.sleep(0.05)
        writer.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n")  # and the connection stays open

    answers, upstream = run((then_junk, ok(b"2")), lambda up: get(up, 2, pause=0.2))
    assert [content for _, _, content in answers] == [b"1", b"2"]
    assert upstream.connections == 2


def test_bytes_the_upstream_sends_unasked_take_the_connection_out_of_use() -> None:
    extra = answer(b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1HTTP/1.1 408 Request Timeout\r\n\r\n")
    answers, upstream = run((extra, ok(b"2")), lambda up: get(up, 2, pause=0.05))
    assert [content for _, _, content in answers] == [b"1", b"2"]
    assert upstream.connections == 2


def test_a_request_that_the_upstream_reads_and_drops_on_a_kept_alive_connection_is_not_sent_again() -> None:
    """It may have been acted on (a payout): a 502, never a second try, though GET is an idempotent method."""

    async def two(upstream: Scripted) -> Any:
        forwarding = forwarder(upstream)
        first = await forwarding.forward("GET", b"/x?n=0", [], b"")
        with pytest.raises(httpx.RemoteProtocolError, match="closed the connection without answering"):
            await forwarding.forward("GET", b"/x?n=1", [], b"")
        await forwarding.aclose()
        return first

    first, upstream = run((ok(b"1"), hang_up, ok(b"never")), two)
    assert first.content == b"1"
    assert (upstream.connections, len(upstream.requests)) == (1, 2)


@pytest.mark.parametrize(
    ("step", "error", "message"),
    [
        (hang_up, httpx.RemoteProtocolError, "closed the connection without answering"),
        (
            answer(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this", close=True),
            httpx.RemoteProtocolError,
            "stops short",
        ),
        (answer(b"SMTP ready\r\n\r\n"), httpx.RemoteProtocolError, "not valid HTTP/1.1"),
        (silence, httpx.ReadTimeout, "sent nothing for 0.3 s"),
    ],
    ids=["hang-up", "cut-short", "not-http", "silence"],
)
def test_a_failed_exchange_is_an_error_and_the_request_is_not_sent_again(step: Step, error: type, message: str) -> None:
    async def attempt(upstream: Scripted) -> BaseException:
        with pytest.raises(error) as raised:
            await get(upstream, timeout=0.3)
        return raised.value

    raised, upstream = run((step, ok(b"never")), attempt)
    assert message in str(raised)
    assert len(upstream.requests) == 1


def test_an_answer_that_keeps_coming_is_no_timeout_however_long_it_takes_in_all() -> None:
    pieces = (b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n", b"a", b"b", b"c", b"d")
    (slow,), _ = run((trickle(*pieces, every=0.1),), lambda up: get(up, timeout=0.3))  # 0.5 s in all
    assert slow.content == b"abcd"


Reading = Callable[[asyncio.StreamReader, asyncio.Event], Awaitable[None]]
"""How an upstream reads a request's body; the event is set once the exchange is over (stop waiting then)."""


async def post_large(body: bytes, timeout: float, read: Reading) -> Any:
    """POST ``body`` through a forwarder to an upstream that reads the request's head, then runs ``read``."""
    over = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            await read(reader, over)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        forwarding = AiohttpForwarder(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout)
        try:
            return await forwarding.forward("POST", b"/upload", [], body)
        except httpx.HTTPError as error:
            return error
        finally:
            await forwarding.aclose()
            over.set()


def test_an_upstream_that_takes_none_of_a_large_body_is_a_write_timeout() -> None:
    async def never(reader: asyncio.StreamReader, over: asyncio.Event) -> None:
        await over.wait()

    async def attempt() -> tuple[Any, float]:
        started = time.monotonic()
        result = await asyncio.wait_for(post_large(b"x" * 16 * 1024 * 1024, 0.3, never), 20)
        return result, time.monotonic() - started

    result, elapsed = asyncio.run(attempt())
    assert isinstance(result, httpx.WriteTimeout)
    assert "took none of the request for 0.3 s" in str(result)
    assert elapsed < 5


def test_the_write_timeout_counts_from_the_last_bytes_the_upstream_took_not_from_the_start() -> None:
    taken = []

    async def for_a_second_then_never(reader: asyncio.StreamReader, over: asyncio.Event) -> None:
        for _ in range(10):  # 1 MiB per 0.1 s, then nothing
            taken.append(len(await reader.readexactly(1024 * 1024)))
            await asyncio.sleep(0.1)
        await over.wait()

    async def attempt() -> tuple[Any, float]:
        started = time.monotonic()
        result = await asyncio.wait_for(post_large(b"x" * 64 * 1024 * 1024, 0.3, for_a_second_then_never), 20)
        return result, time.monotonic() - started

    result, elapsed = asyncio.run(attempt())
    assert isinstance(result, httpx.WriteTimeout), result
    assert sum(taken) == 10 * 1024 * 1024
    assert elapsed > 1.0  # three times the timeout: each megabyte taken restarted it


def test_all_connections_busy_is_a_pool_timeout_not_one_more_connection() -> None:
    async def two_at_once(upstream: Scripted) -> list[Any]:
        forwarding = forwarder(upstream, timeout=0.3, max_connections=1)
        pieces = forwarding.forward("GET", b"/slow", [], b""), forwarding.forward("GET", b"/next", [], b"")
        results = await asyncio.gather(*pieces, return_exceptions=True)
        await forwarding.aclose()
        return list(results)

    pieces = (b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\n", *(b"x" for _ in range(6)))
    (slow, refused), upstream = run((trickle(*pieces, every=0.1), ok()), two_at_once)
    assert slow.content == b"xxxxxx"
    assert isinstance(refused, httpx.PoolTimeout)
    assert (upstream.connections, len(upstream.requests)) == (1, 1)


def test_a_large_request_and_answer_pass_whole() -> None:
    body = bytes(range(256)) * 8192  # 2 MiB: written in two parts
    big = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + body

    async def post(upstream: Scripted) -> Any:
        forwarding = forwarder(upstream)
        result = await forwarding.forward("POST", b"/upload", [(b"content-type", b"application/octet-stream")], body)
        await forwarding.aclose()
        return result

    result, upstream = run((answer(big),), post)
    assert result.content == body
    assert upstream.requests[0].endswith(b"Content-Length: %d\r\n\r\n" % len(body) + body)


@pytest.mark.parametrize("kind", ["aiohttp", "httpx"])
@pytest.mark.parametrize(("method", "body"), [("GET", b""), ("POST", b"a=1"), ("POST", b"x" * (1 << 20))])
def test_sent_is_called_once_while_the_answer_is_awaited(kind: str, method: str, body: bytes) -> None:
    async def exchange(upstream: Scripted) -> list[str]:
        events: list[str] = []
        if kind == "aiohttp":
            forwarding: Any = forwarder(upstream)
        else:
            forwarding = forwarder_for(upstream.url, 5.0, httpx.AsyncHTTPTransport())
        await forwarding.forward(method, b"/x", [], body, lambda: events.append("sent"))
        events.append("answered")
        await asyncio.sleep(0.01)  # a late or second call would come now
        await forwarding.aclose()
        return events

    events, upstream = run((ok(b"1"),), exchange)
    assert events == ["sent", "answered"]
    assert upstream.requests[0].endswith(body)


@pytest.mark.parametrize(
    ("target", "headers"),
    [
        (b"/x HTTP/1.1\r\nx-smuggled: 1", []),
        (b"/a b", []),
        (b"/a\tb", []),
        (b"/x", [(b"x-a", b"1\r\nx-smuggled: 1")]),
        (b"/x", [(b"x-a\r\nx-smuggled", b"1")]),
        (b"/x", [(b"x-a", b"1\nx-smuggled: 1")]),
        (b"/x", [(b"x-a", b"\x00")]),
        (b"/x#fragment", []),  # a client never sends one; yarl would drop it
        (b"/x", [(b"x-a", b"caf\xe9")]),  # not UTF-8: aiohttp would write other bytes
    ],
)
def test_a_request_that_would_write_a_line_of_its_own_or_other_bytes_is_never_sent(target: bytes, headers: Any) -> None:
    async def attempt(upstream: Scripted) -> None:
        forwarding = forwarder(upstream)
        with pytest.raises(httpx.LocalProtocolError):
            await forwarding.forward("GET", target, headers, b"")
        await forwarding.aclose()

    _, upstream = run((ok(),), attempt)
    assert upstream.connections == 0


SIGNED_URL = "http://127.0.0.1:1/openapi/v1/getMerchantBalance?merchantId=20000000&sign=0123456789abcdef"


def written_on_a_closing_transport() -> aiohttp.ClientOSError:
    """What aiohttp's body writer raises when the transport was closing before it wrote a byte."""
    error = aiohttp.ClientOSError(None, f"Can not write request body for {SIGNED_URL}")
    error.__cause__ = aiohttp.ClientConnectionResetError("Cannot write to closing transport")
    return error


@pytest.mark.parametrize(
    ("raised", "expected", "message"),
    [
        (aiohttp.ConnectionTimeoutError(f"Connection timeout to host {SIGNED_URL}"), httpx.ConnectTimeout, "took more"),
        (aiohttp.SocketTimeoutError("Timeout on reading data from socket"), httpx.ReadTimeout, "nothing for 5 s"),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError, "closed the connection without answering"),
        (
            aiohttp.ClientResponseError(
                aiohttp.RequestInfo(URL(SIGNED_URL), "GET", CIMultiDictProxy(CIMultiDict()), URL(SIGNED_URL)),
                (),
                status=400,
                message="Bad status line",
            ),
            httpx.RemoteProtocolError,
            "not valid HTTP/1.1: Bad status line",
        ),
        (aiohttp.ClientPayloadError("Response payload is not completed"), httpx.RemoteProtocolError, "stops short"),
        (written_on_a_closing_transport(), httpx.RemoteProtocolError, "closed the connection before the request was"),
        (
            aiohttp.ClientOSError(errno.ECONNRESET, f"Can not write request body for {SIGNED_URL}"),
            httpx.ReadError,
            "broke: Connection reset by peer",
        ),
        (aiohttp.InvalidURL(SIGNED_URL), httpx.RemoteProtocolError, "failed: InvalidURL"),
    ],
    ids=["connect-timeout", "read-timeout", "disconnected", "not-http", "payload", "not-written", "reset", "other"],
)
def test_aiohttp_s_failures_are_httpx_s_exceptions_whose_text_never_names_the_url(
    raised: Exception, expected: type[Exception], message: str
) -> None:
    mapped = AiohttpForwarder("http://127.0.0.1:1", 5.0)._httpx_error(raised)
    assert type(mapped) is expected
    assert message in str(mapped)
    assert "getMerchantBalance" not in str(mapped)  # the URL carries the sign


def test_a_header_value_in_utf_8_goes_upstream_as_its_very_bytes() -> None:
    value = "Zoë · 支付".encode()

    async def send(upstream: Scripted) -> None:
        forwarding = forwarder(upstream)
        await forwarding.forward("GET", b"/x", [(b"X-Name", value)], b"")
        await forwarding.aclose()

    _, upstream = run((ok(),), send)
    assert b"\r\nX-Name: " + value + b"\r\n" in upstream.requests[0]


# -- TLS -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: ``(the upstream's context, a client's that trusts it)``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"]
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run([openssl, *request, *subject], check=True, capture_output=True)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def test_an_https_upstream_is_reached_through_the_same_forwarder_on_a_kept_alive_connection(
    certificate: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    server_side, trusting = certificate

    async def through_the_proxy(upstream: Scripted) -> list[httpx.Response]:
        config = ProxyConfig(
            upstream=upstream.url, forwarder=lambda url, timeout: AiohttpForwarder(url, timeout, ssl_context=trusting)
        )
        proxy = create_proxy_app(config)
        async with client_of(proxy) as client:
            answers = [await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}") for _ in range(2)]
        await proxy.aclose()
        return answers

    envelope = b'{"code":0,"msg":"success","data":[],"traceid":"T"}'
    answers, upstream = run((ok(envelope), ok(envelope)), through_the_proxy, tls=server_side)
    assert upstream.url.startswith("https://")
    assert [(answer.status_code, answer.content) for answer in answers] == [(200, envelope)] * 2
    assert (upstream.connections, len(upstream.requests)) == (1, 2)


def test_an_https_upstream_whose_certificate_is_not_trusted_is_a_502_and_nothing_is_sent(
    certificate: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    async def through_the_proxy(upstream: Scripted) -> httpx.Response:
        proxy = create_proxy_app(ProxyConfig(upstream=upstream.url))  # certifi's roots, as for the C-Pay sandbox
        async with client_of(proxy) as client:
            answer = await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}")
        await proxy.aclose()
        return answer

    answer, upstream = run((ok(),), through_the_proxy, tls=certificate[0])
    assert answer.status_code == 502
    assert "cannot be reached (ConnectError: cannot connect to 127.0.0.1:" in answer.json()["error"]
    assert "CERTIFICATE_VERIFY_FAILED" in answer.json()["error"]
    assert upstream.requests == []


# -- the same answers through httpx -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nX-Padded:   spaced value \t \r\nContent-Length: 1\r\n\r\nx",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok",
        b"HTTP/1.1 204 No Content\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n\r\n",
        b"HTTP/1.1 304 Not Modified\r\netag: x\r\n\r\n",
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\n\r\noops",
    ],
    ids=["json", "padded-header", "chunked", "informational", "no-content", "not-modified", "error"],
)
@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", b""), ("POST", b""), ("POST", b"a=1&b=2"), ("PUT", b"x" * 70_000), ("DELETE", b"")],
    ids=["get", "post-empty", "post", "put-large", "delete"],
)
def test_the_proxy_s_own_connections_write_and_read_as_httpx_does(raw: bytes, method: str, body: bytes) -> None:
    async def exchange(upstream: Scripted, forwarding: Any) -> Any:
        headers = [(b"user-agent", b"merchant/1.0"), (b"content-type", b"application/x-www-form-urlencoded")]
        result = await forwarding.forward(method, b"/openapi/v1/x?a=%2B+b&c=~", headers, body)
        await forwarding.aclose()
        return result

    own, own_upstream = run((answer(raw),), lambda up: exchange(up, forwarder(up)))
    plain, plain_upstream = run(
        (answer(raw),), lambda up: exchange(up, forwarder_for(up.url, 5.0, httpx.AsyncHTTPTransport()))
    )
    assert own == plain
    (own_request,), (plain_request,) = own_upstream.requests, plain_upstream.requests
    own_host, plain_host = (
        upstream.url.removeprefix("http://").encode() for upstream in (own_upstream, plain_upstream)
    )
    expected = plain_request.replace(plain_host, b"<upstream>")
    if method == "DELETE":  # aiohttp's one difference: a length for every method but GET, HEAD, OPTIONS and TRACE
        expected = expected.replace(b"\r\n\r\n", b"\r\nContent-Length: 0\r\n\r\n", 1)
    assert own_request.replace(own_host, b"<upstream>") == expected


# -- through the proxy ---------------------------------------------------------------------------------------------


def test_the_proxy_answers_502_for_an_upstream_that_hangs_up_and_does_not_send_again() -> None:
    async def exchange(upstream: Scripted) -> httpx.Response:
        proxy = create_proxy_app(ProxyConfig(upstream=upstream.url))
        async with client_of(proxy) as client:
            result = await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}")
        await proxy.aclose()
        return result

    response, upstream = run((hang_up, ok()), exchange)
    assert response.status_code == 502
    assert "cannot be reached (RemoteProtocolError: the upstream closed the connection" in response.json()["error"]
    assert len(upstream.requests) == 1


def test_the_log_line_and_the_recording_wait_for_the_proxy_to_wait_and_closing_writes_those_still_waiting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cpay_emulator.proxy")
    recording = tmp_path / "traffic.jsonl"
    envelope = b'{"code":0,"msg":"success","data":[],"traceid":"T"}'

    def recorded() -> int:
        return len(list(read_recording(recording))) if recording.exists() else 0

    async def exchange(upstream: Scripted) -> list[int]:
        proxy = create_proxy_app(ProxyConfig(upstream=upstream.url, record=recording))
        counts = []
        async with client_of(proxy) as client:
            await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}")
            await asyncio.sleep(0)
            counts.append(recorded())  # not yet: the client's next call would wait for it
            await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}")
            counts.append(recorded())  # the first, written while the second one's answer was awaited
            await asyncio.sleep(AFTER_IDLE * 10)
            counts.append(recorded())  # the second: no next exchange came
            await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}")
        await proxy.aclose()  # before the third one's turn: closing writes it
        counts.append(recorded())
        return counts

    counts, _ = run((ok(envelope), ok(envelope), ok(envelope)), exchange)
    assert counts == [0, 1, 2, 3]
    lines = [record.getMessage() for record in caplog.records if record.getMessage().startswith("exchange=")]
    assert [line.split()[0] for line in lines] == ["exchange=1", "exchange=2", "exchange=3"]
