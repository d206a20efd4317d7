"""Network failures reach the caller of a ``create_client`` client as cpay.TransportError, the httpx error as its
cause: the one mapping, in the client's runtime transports (``cpay._runtime``)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from cpay import CPayClient, CPayError, TransportError, create_client

SECRET = "transport-secret"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client(base_url: str = "http://c-pay.test", **options: object) -> CPayClient:
    return create_client(base_url, merchant_id="1", secret_key=SECRET, max_retries=0, **options)  # type: ignore[arg-type]


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
        return httpx.Response(200, stream=BrokenBody())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=BrokenBody())

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_refused_connection_is_a_transport_error() -> None:
    with (
        client(f"http://127.0.0.1:{closed_port()}", connect_retries=1) as refused,
        pytest.raises(TransportError, match="ConnectError") as error,
    ):
        refused.get_httpx_client().get("/openapi/v1/getMerchantBalance")
    assert isinstance(error.value.__cause__, httpx.ConnectError)
    assert isinstance(error.value, CPayError)


def test_refused_connection_is_a_transport_error_async() -> None:
    async def call() -> None:
        async with client(f"http://127.0.0.1:{closed_port()}", connect_retries=1) as refused:
            await refused.get_async_httpx_client().get("/openapi/v1/getMerchantBalance")

    with pytest.raises(TransportError, match="ConnectError") as error:
        asyncio.run(call())
    assert isinstance(error.value.__cause__, httpx.ConnectError)


def test_body_cut_off_mid_read_is_a_transport_error_and_close_is_passed_on() -> None:
    inner = Recorder()
    with (
        client(transport=inner) as cut,
        pytest.raises(TransportError, match="ReadError: connection reset mid-body") as error,
    ):
        cut.get_httpx_client().get("/openapi/v1/getMerchantBalance")
    assert isinstance(error.value.__cause__, httpx.ReadError)
    assert inner.closed


def test_body_cut_off_mid_read_is_a_transport_error_async() -> None:
    inner = Recorder()

    async def call() -> None:
        async with client(async_transport=inner) as cut:
            await cut.get_async_httpx_client().get("/openapi/v1/getMerchantBalance")

    with pytest.raises(TransportError, match="ReadError") as error:
        asyncio.run(call())
    assert isinstance(error.value.__cause__, httpx.ReadError)
    assert inner.closed
