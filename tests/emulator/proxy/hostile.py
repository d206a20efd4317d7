"""Raw-socket upstreams that misbehave, for the hostile-upstream suite (``test_proxy_hostile_upstreams``).

``Hostile`` is an asyncio server on 127.0.0.1 that reads each request whole and hands the case's ``respond`` the
raw writer: a case can send any bytes, at any pace, reset the connection, or never answer. ``CASES`` are the
ways an upstream misbehaves, each with what the proxy must make of it:

* ``WITNESS``: httpx answers; the proxy relays that answer (status, end-to-end headers, body bytes);
* ``REFUSED``: the proxy answers 502 of its own, recorded (httpx fails too, or its answer cannot be relayed
  honestly: a status a server cannot send, a coding the proxy cannot undo);
* ``TIMEOUT``: the proxy answers 504 of its own, recorded (httpx times out too);
* ``EITHER``: httpx's answer or a 502: framing that HTTP/1.1 parsers are allowed to refuse or to repair, and bytes
  after a bodiless answer (which a parser that reads ahead takes for a broken next answer);
* ``NO_DESYNC``: the first answer is httpx's; the bytes the upstream sent after it, unasked, are never taken for
  the next answer (httpx does take them: its second answer is the forged one).

``httpx`` says what httpx itself does with the case (``ANSWER`` or ``ERROR``); the suite checks that too, so a
change in httpx's behaviour shows up as a case to look at again.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs

__all__ = [
    "ANSWER",
    "CASES",
    "EITHER",
    "ERROR",
    "NO_DESYNC",
    "REFUSED",
    "TIMEOUT",
    "WITNESS",
    "Case",
    "Hostile",
]

WITNESS, REFUSED, TIMEOUT, EITHER = "relays httpx's answer", "502", "504", "httpx's answer or 502"
NO_DESYNC = "httpx's first answer, then the next answer, not the forged one"
ANSWER, ERROR = "answers", "fails"

Respond = Callable[[asyncio.StreamWriter, int], Awaitable[None]]
"""Answer the n-th request (0-based, counted over every connection) on this connection's writer."""


@attrs.frozen
class Case:
    name: str
    respond: Respond
    expect: str
    httpx: str
    requests: int = 1
    """How many requests the client sends, one after the other (a case that poisons a kept-alive connection)."""
    known_failures: dict[str, str] = attrs.field(factory=dict)
    """Forwarders (by the suite's name) known to fail the case, and why: an expected failure, strict."""


class Hostile:
    """A loopback upstream that reads each request whole, then runs ``respond``; it keeps what it received."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.requests: list[bytes] = []
        self.connections = 0
        self.url = ""
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: list[asyncio.Task[Any] | None] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        self._handlers.append(asyncio.current_task())
        # Cancelled when the server stops (a case that never answers): ending quietly, since asyncio's stream
        # callback in Python 3.11 logs a traceback for a handler task that ends cancelled.
        with contextlib.suppress(
            ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError
        ):
            while not writer.is_closing():
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                self.requests.append(head + await reader.readexactly(length))
                await self.respond(writer, len(self.requests) - 1)
        writer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with server:
            try:
                yield self.url
            finally:
                server.close()
                for writer in self._writers:
                    writer.transport.abort()
                tasks = [task for task in self._handlers if task is not None and not task.done()]
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)


# -- what a case does --------------------------------------------------------------------------------------------


def send(raw: bytes, *, close: bool = False) -> Respond:
    async def respond(writer: asyncio.StreamWriter, number: int) -> None:
        writer.write(raw)
        await writer.drain()
        if close:
            writer.close()

    return respond


def first_then(first: Respond, then: Respond) -> Respond:
    async def respond(writer: asyncio.StreamWriter, number: int) -> None:
        await (first if number == 0 else then)(writer, number)

    return respond


def drip(raw: bytes, pieces: int, every: float) -> Respond:
    """Send ``raw`` in ``pieces`` parts, ``every`` seconds apart."""
    size = -(-len(raw) // pieces)

    async def respond(writer: asyncio.StreamWriter, number: int) -> None:
        for start in range(0, len(raw), size):
            writer.write(raw[start : start + size])
            await writer.drain()
            await asyncio.sleep(every)

    return respond


def then_reset(raw: bytes) -> Respond:
    """Send ``raw``, then reset the connection (RST: SO_LINGER 0)."""

    async def respond(writer: asyncio.StreamWriter, number: int) -> None:
        writer.write(raw)
        await writer.drain()
        await asyncio.sleep(0.05)
        sock: socket.socket = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    return respond


def then_silence(raw: bytes) -> Respond:
    async def respond(writer: asyncio.StreamWriter, number: int) -> None:
        writer.write(raw)
        await writer.drain()
        await asyncio.sleep(3600)

    return respond


def ok(body: bytes, *headers: bytes, status: bytes = b"200 OK") -> bytes:
    head = b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n" % len(body)
    return head + b"".join(header + b"\r\n" for header in headers) + b"\r\n" + body


def chunked(*parts: bytes, trailers: bytes = b"", headers: bytes = b"") -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n" + trailers + b"\r\n"
    return b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n" + headers + b"transfer-encoding: chunked\r\n\r\n" + body


HUGE_LINE = b"x-huge: " + b"a" * (8 * 1024 * 1024)
MANY_LINES = b"".join(b"x-%d: v\r\n" % number for number in range(100_000))
BIG_LINES = [b"x-big-%d: " % number + b"a" * 6000 for number in range(20)]
GZIPPED = gzip.compress(b"compressed hello")
NEXT = send(ok(b"next"))  # the follow-up request's answer: must come back whole, whatever came before

CASES = [
    # -- bodies and their framing
    Case("content-length", send(ok(b"hello")), WITNESS, ANSWER),
    Case("chunked", send(chunked(b"hello", b" world")), WITNESS, ANSWER, requests=2),
    Case("chunked-one-byte-chunks", send(chunked(*(bytes([c]) for c in b"one byte at a time"))), WITNESS, ANSWER),
    Case("chunked-extensions", send(chunked(b"x").replace(b"1\r\nx", b"1;name=value\r\nx")), WITNESS, ANSWER),
    Case(
        "chunked-trailers",
        send(chunked(b"hello", headers=b"trailer: x-trailer\r\n", trailers=b"x-trailer: at the end\r\n")),
        WITNESS,
        ANSWER,
    ),
    Case(
        "chunked-forged-violations-trailer",
        send(chunked(b"hello", trailers=b"x-cpay-violations: []\r\nx-cpay-exchange: 1\r\n")),
        WITNESS,
        ANSWER,
    ),
    Case("chunked-size-not-hex", send(chunked(b"hello").replace(b"5\r\n", b"zz\r\n")), REFUSED, ERROR),
    Case("chunked-size-overflow", send(chunked(b"hello").replace(b"5\r\n", b"f" * 40 + b"\r\n")), REFUSED, ERROR),
    Case("chunked-data-longer-than-size", send(chunked(b"hello").replace(b"hello", b"hello, world")), REFUSED, ERROR),
    Case("chunked-cut-short", send(chunked(b"hello")[:-12], close=True), REFUSED, ERROR),
    Case(
        "close-delimited",
        send(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end", close=True),
        WITNESS,
        ANSWER,
    ),
    Case("close-delimited-http-1.0", send(b"HTTP/1.0 200 OK\r\n\r\nuntil the end", close=True), WITNESS, ANSWER),
    Case("conflicting-content-lengths", send(ok(b"hello", b"content-length: 6")), REFUSED, ERROR),
    Case("content-length-list", send(ok(b"hello").replace(b"length: 5", b"length: 5, 6")), REFUSED, ERROR),
    Case("content-length-not-a-number", send(ok(b"hello").replace(b"length: 5", b"length: five")), REFUSED, ERROR),
    Case("content-length-negative", send(ok(b"hello").replace(b"length: 5", b"length: -5")), REFUSED, ERROR),
    Case(
        "content-length-and-chunked",
        send(chunked(b"hello", headers=b"content-length: 3\r\n")),
        EITHER,
        ANSWER,
    ),
    Case(
        "body-shorter-than-content-length",
        send(ok(b"hello").replace(b"length: 5", b"length: 50"), close=True),
        REFUSED,
        ERROR,
    ),
    Case(
        "body-longer-than-content-length",
        first_then(send(ok(b"hello") + b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nforged"), NEXT),
        NO_DESYNC,
        ANSWER,
        requests=2,
        known_failures={
            "HttpxForwarder": "httpcore keeps the connection, and h11 reads the unasked bytes as the next answer"
        },
    ),
    Case(
        "transfer-encoding-gzip-chunked",
        send(chunked(GZIPPED).replace(b"transfer-encoding: chunked", b"transfer-encoding: gzip, chunked")),
        REFUSED,
        ERROR,
    ),
    Case(
        "transfer-encoding-gzip",
        send(b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\nconnection: close\r\n\r\n" + GZIPPED, close=True),
        REFUSED,
        ERROR,
    ),
    Case(
        "transfer-encoding-chunked-twice",
        send(chunked(b"hello").replace(b"chunked", b"chunked, chunked")),
        REFUSED,
        ERROR,
    ),
    Case("transfer-encoding-uppercase", send(chunked(b"hello").replace(b"chunked", b"CHUNKED")), WITNESS, ANSWER),
    Case("content-encoding-gzip", send(ok(GZIPPED, b"content-encoding: gzip")), WITNESS, ANSWER),
    Case("content-encoding-unknown", send(ok(b"\x00\x01binary", b"content-encoding: x-private")), WITNESS, ANSWER),
    # -- statuses
    Case("continue-then-final", send(b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"final")), WITNESS, ANSWER),
    Case(
        "early-hints-then-final",
        send(b"HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n" + ok(b"final")),
        WITNESS,
        ANSWER,
    ),
    Case("fifty-informational-answers", send(b"HTTP/1.1 100 Continue\r\n\r\n" * 50 + ok(b"final")), WITNESS, ANSWER),
    Case(
        "switching-protocols-unasked",
        send(b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\nraw bytes"),
        REFUSED,
        ERROR,
    ),
    # A 204 or 304 ends with its header section (RFC 9112, 6.3), so the body after it stands where the next answer
    # would begin, unasked. h11 stops reading at the end of the answer and keeps it; llhttp (aiohttp) parses on in
    # the same read, finds no status line there, and refuses the exchange: either is honest.
    Case("no-content-with-a-body", send(ok(b"hello", status=b"204 No Content"), close=True), EITHER, ANSWER),
    Case("not-modified-with-a-body", send(ok(b"hello", status=b"304 Not Modified"), close=True), EITHER, ANSWER),
    # A redirect is the upstream's answer, relayed as it is: the merchant's client decides whether to follow it.
    *(
        Case(
            f"redirect-{code}", send(ok(b"moved", b"location: /elsewhere", status=b"%d Moved" % code)), WITNESS, ANSWER
        )
        for code in (301, 302, 303, 307, 308)
    ),
    Case("status-999", send(ok(b"hello", status=b"999 Beyond")), REFUSED, ANSWER),
    Case("status-600", send(ok(b"hello", status=b"600 Nothing")), REFUSED, ANSWER),
    Case("status-two-digits", send(ok(b"hello", status=b"99 Short")), REFUSED, ERROR),
    Case("status-not-a-number", send(ok(b"hello", status=b"abc OK")), REFUSED, ERROR),
    Case("status-without-reason", send(ok(b"hello", status=b"200")), WITNESS, ANSWER),
    Case("not-http", send(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"), REFUSED, ERROR),
    # -- headers
    Case("header-line-of-8-mib", send(ok(b"hello", HUGE_LINE)), REFUSED, ERROR),
    Case("100k-header-lines", send(ok(b"hello", MANY_LINES)), REFUSED, ERROR),
    Case("header-section-of-120-kib", send(ok(b"hello", *BIG_LINES)), WITNESS, ANSWER),  # in lines under 8 KiB
    # httpx takes any number of lines within its 100 KiB; aiohttp takes 128 (a limit RFC 9110, 5.4 allows)
    Case("200-header-lines", send(ok(b"hello", *(b"x-%d: v" % number for number in range(200)))), EITHER, ANSWER),
    Case("header-name-with-a-space", send(ok(b"hello", b"x-bad name: v")), REFUSED, ERROR),
    Case("header-value-with-nul", send(ok(b"hello", b"x-nul: a\x00b")), REFUSED, ERROR),
    Case(
        "upstream-s-own-x-cpay-headers",
        send(ok(b"hello", b"x-cpay-violations: []", b"x-cpay-exchange: 999", b"X-CPAY-Verdict: all good")),
        WITNESS,
        ANSWER,
    ),
    Case(
        "hop-by-hop-headers",
        send(
            ok(
                b"hello",
                b"connection: x-hop",
                b"x-hop: this connection only",
                b"keep-alive: timeout=5",
                b"upgrade: h2c",
            )
        ),
        WITNESS,
        ANSWER,
    ),
    Case(
        "repeated-headers-in-order",
        send(
            ok(b"hello", b"set-cookie: a=1", b"x-emulator: 1", b"set-cookie: b=2", b"x-cpay-emulator-answer: example")
        ),
        WITNESS,
        ANSWER,
    ),
    # -- the connection
    Case("close-without-answering", send(b"", close=True), REFUSED, ERROR),
    Case("close-in-the-status-line", send(b"HTTP/1.1 20", close=True), REFUSED, ERROR),
    Case("reset-in-the-body", then_reset(ok(b"hello" * 1000)[:-2000]), REFUSED, ERROR),
    # 0.7 s in all, longer than the 0.5 s timeout, but no gap near it: a timeout is between bytes, not in all
    Case("slow-drip", drip(ok(b"dripped"), pieces=7, every=0.1), WITNESS, ANSWER),
    Case("never-answering", then_silence(b""), TIMEOUT, ERROR),
    Case("headers-then-silence", then_silence(ok(b"hello")[:-3]), TIMEOUT, ERROR),
]
