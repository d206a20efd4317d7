"""A request is acted on only when it was received whole: ``shared.wire.read_body`` over a real socket.

The emulator's server stack (uvicorn, httptools, the corked transport: ``loop_server.serving``) runs in the
test's event loop, and the client is a raw socket, so a test can send a head promising more bytes than follow
and hang up, as a client that crashed or lost its network does. ``Finished`` says when the app has returned,
so "nothing happened" is checked after the server had every chance to act, not after a guessed pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import pytest
from loop_server import Finished, serving

from cpay import sign_request_parameters
from cpay_emulator import EmulatorConfig, ErrorCode, MalformedRequest, OrderNotFound, create_app
from cpay_emulator.shared.wire import IncompleteBody, read_body

from ..conftest import MERCHANT_ID, SECRET_KEY, merchants

CREATE_ORDER = "/openapi/v1/createOrder"


def signed_create_order(trade_no: str) -> tuple[bytes, bytes]:
    """The query string and form body of a correctly signed createOrder."""
    form = (
        f"merchantTradeNo={trade_no}&createTime={int(time.time() * 1000)}&userId=user-1&amount=12.5"
        "&cryptoCurrency=USDT&remark=" + "r" * 200
    ).encode()
    return sign_request_parameters(b"", form, merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)


def post_head(path: str, query: bytes, length: int, *extra: bytes) -> bytes:
    return (
        b"POST %s?%s HTTP/1.1\r\nhost: emulator\r\ncontent-type: application/x-www-form-urlencoded\r\n"
        b"content-length: %d\r\n%s\r\n" % (path.encode(), query, length, b"".join(extra))
    )


async def send_and_hang_up(url: str, raw: bytes) -> None:
    """Write ``raw`` on a new connection and close it."""
    host, port = url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(raw)
    await writer.drain()
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def send_and_read(url: str, raw: bytes) -> bytes:
    """Write ``raw`` on a new connection and return the answer's body (read to its Content-Length)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(raw)
        async with asyncio.timeout(10):
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.lower().split(b"\r\n")
            length = next(int(line.partition(b":")[2]) for line in lines if line.startswith(b"content-length:"))
            return await reader.readexactly(length)
    finally:
        writer.close()


def test_a_signed_create_order_20_bytes_short_of_its_content_length_creates_no_order() -> None:
    """The body sent is a whole, correctly signed form; its head promised 20 bytes more, and the client hung up."""
    app = create_app(EmulatorConfig(merchants=merchants(), webhook_worker=False))
    finished = Finished(app)
    query, body = signed_create_order("cut-short")
    assert body is not None
    assert len(body) > 250

    async def main() -> None:
        async with serving(finished) as url:
            await send_and_hang_up(url, post_head(CREATE_ORDER, query, len(body) + 20) + body)
            await finished.wait(1)

    try:
        asyncio.run(main())
        with pytest.raises(OrderNotFound):
            app.state.emulator.order_book.find(MERCHANT_ID, merchant_trade_no="cut-short")
        assert app.state.emulator.order_book.count(MERCHANT_ID) == 0
    finally:
        app.state.store.close()


def test_the_same_create_order_sent_whole_on_the_same_server_creates_its_order() -> None:
    """The control case: what the test above sends, with its last 20 bytes, is a request the emulator takes."""
    app = create_app(EmulatorConfig(merchants=merchants(), webhook_worker=False))
    finished = Finished(app)
    query, body = signed_create_order("sent-whole")
    assert body is not None

    async def main() -> bytes:
        async with serving(finished) as url:
            return await send_and_read(url, post_head(CREATE_ORDER, query, len(body)) + body)

    try:
        envelope = json.loads(asyncio.run(main()))
        assert envelope["code"] == 0, envelope
        assert app.state.emulator.order_book.find(MERCHANT_ID, merchant_trade_no="sent-whole").merchant_trade_no == (
            "sent-whole"
        )
    finally:
        app.state.store.close()


class BodyReader:
    """An app that only calls ``read_body`` and keeps what it returned or raised."""

    def __init__(self, limit: int = 1 << 20) -> None:
        self.limit = limit
        self.outcomes: list[bytes | Exception] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        try:
            self.outcomes.append(await read_body(scope, receive, self.limit))
        except MalformedRequest as error:
            self.outcomes.append(error)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def read_over_a_socket(reader: BodyReader, *pieces: bytes, pause: float = 0.0) -> bytes | Exception:
    """Send ``pieces`` (``pause`` seconds apart) on one connection, hang up, and return what ``read_body`` made."""

    async def main() -> bytes | Exception:
        finished = Finished(reader)
        async with serving(finished) as url:
            host, port = url.removeprefix("http://").split(":")
            _, writer = await asyncio.open_connection(host, int(port))
            for piece in pieces:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(pause)
            writer.close()
            await finished.wait(1)
        (outcome,) = reader.outcomes
        return outcome

    return asyncio.run(main())


BODY = b"a=" + b"x" * 5000


def test_a_body_sent_in_pieces_is_read_whole() -> None:
    head = post_head("/", b"", len(BODY))
    outcome = read_over_a_socket(BodyReader(), head, BODY[:7], BODY[7:3000], BODY[3000:], pause=0.01)
    assert outcome == BODY


def test_a_chunked_body_is_read_whole() -> None:
    head = b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (3000, BODY[:3000], len(BODY) - 3000, BODY[3000:])
    assert read_over_a_socket(BodyReader(), head + chunks) == BODY


@pytest.mark.parametrize("missing", [1, 20, len(BODY)], ids=["one-byte", "twenty-bytes", "the-whole-body"])
def test_a_disconnect_before_content_length_bytes_is_an_incomplete_body(missing: int) -> None:
    outcome = read_over_a_socket(BodyReader(), post_head("/", b"", len(BODY)) + BODY[: len(BODY) - missing])
    assert isinstance(outcome, IncompleteBody)
    assert (outcome.received, outcome.expected, outcome.disconnected) == (len(BODY) - missing, len(BODY), True)
    assert f"after {len(BODY) - missing} of {len(BODY)} bytes" in outcome.msg


def test_a_disconnect_in_the_middle_of_a_chunked_body_is_an_incomplete_body() -> None:
    head = b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
    outcome = read_over_a_socket(BodyReader(), head + b"%x\r\n%s\r\n" % (3000, BODY[:3000]), pause=0.05)
    assert isinstance(outcome, IncompleteBody)
    assert (outcome.received, outcome.expected, outcome.disconnected) == (3000, None, True)


def test_a_body_over_the_limit_is_refused_as_too_large_not_as_incomplete() -> None:
    outcome = read_over_a_socket(BodyReader(limit=4096), post_head("/", b"", len(BODY)) + BODY)
    assert isinstance(outcome, MalformedRequest)
    assert not isinstance(outcome, IncompleteBody)
    assert "larger than 4096 bytes" in outcome.msg


def test_a_body_that_ends_short_of_its_content_length_without_a_disconnect_is_incomplete() -> None:
    """In-process servers (httpx.ASGITransport) hand over whatever body they were given, whatever the header says."""
    messages = [{"type": "http.request", "body": b"abc", "more_body": False}]

    async def receive() -> Any:
        return messages.pop(0)

    scope = {"type": "http", "headers": [(b"content-length", b"10")]}
    with pytest.raises(IncompleteBody) as caught:
        asyncio.run(read_body(scope, receive))
    assert (caught.value.received, caught.value.expected, caught.value.disconnected) == (3, 10, False)


def test_an_armed_envelope_fault_answers_the_request_s_own_error_to_a_body_short_of_its_content_length() -> None:
    """A forced envelope takes the request without handling it; half a request is not even taken."""
    app = create_app(EmulatorConfig(merchants=merchants(), webhook_worker=False))
    app.state.faults.force_envelope("createOrder", 1, "forced")
    query, body = signed_create_order("faulted")
    assert body is not None
    scope = {
        "type": "http",
        "method": "POST",
        "path": CREATE_ORDER,
        "raw_path": CREATE_ORDER.encode(),
        "query_string": query,
        "headers": [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"%d" % 999)],
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
        "http_version": "1.1",
        "root_path": "",
    }
    messages: list[Any] = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[Any] = []

    async def receive() -> Any:
        return messages.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    try:
        asyncio.run(app(scope, receive, send))
        answer = json.loads(b"".join(message.get("body", b"") for message in sent[1:]))
        assert (sent[0]["status"], answer["code"]) == (200, ErrorCode.MALFORMED_REQUEST)
        assert f"ended after {len(body)} of 999 bytes" in answer["msg"]
        assert app.state.emulator.order_book.count(MERCHANT_ID) == 0
    finally:
        app.state.store.close()
