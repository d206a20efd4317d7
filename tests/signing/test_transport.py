"""Network failures reach the caller as cpay_signing.TransportError, the httpx error as its cause."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from cpay_signing import AsyncCPayTransport, CPayError, CPayTransport, TransportError


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b"{"
        raise httpx.ReadError("connection reset mid-body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{"
        raise httpx.ReadError("connection reset mid-body")


class Recorder(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers 200 with a body that breaks halfway, and records closing."""

    closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=BrokenBody(), extensions={"http_version": b"HTTP/1.1"})

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=BrokenBody())

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_refused_connection_is_a_transport_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    with (
        httpx.Client(transport=CPayTransport(httpx.HTTPTransport(retries=1))) as client,
        pytest.raises(TransportError, match="ConnectError") as error,
    ):
        client.get(url)
    assert isinstance(error.value.__cause__, httpx.ConnectError)
    assert isinstance(error.value, CPayError)


def test_refused_connection_is_a_transport_error_async() -> None:
    url = f"http://127.0.0.1:{closed_port()}/"

    async def call() -> None:
        async with httpx.AsyncClient(transport=AsyncCPayTransport(httpx.AsyncHTTPTransport(retries=1))) as client:
            await client.get(url)

    with pytest.raises(TransportError, match="ConnectError") as error:
        asyncio.run(call())
    assert isinstance(error.value.__cause__, httpx.ConnectError)


def test_body_cut_off_mid_read_is_a_transport_error_and_close_is_passed_on() -> None:
    inner = Recorder()
    client = httpx.Client(transport=CPayTransport(inner))
    with pytest.raises(TransportError, match="ReadError: connection reset mid-body"):
        client.get("http://c-pay.test/")
    with client.stream("GET", "http://c-pay.test/") as response:
        assert response.extensions["http_version"] == b"HTTP/1.1"
        with pytest.raises(TransportError):
            response.read()
    client.close()
    assert inner.closed


def test_body_cut_off_mid_read_is_a_transport_error_async() -> None:
    inner = Recorder()

    async def call() -> None:
        async with httpx.AsyncClient(transport=AsyncCPayTransport(inner)) as client:
            await client.get("http://c-pay.test/")

    with pytest.raises(TransportError, match="ReadError"):
        asyncio.run(call())
    assert inner.closed
