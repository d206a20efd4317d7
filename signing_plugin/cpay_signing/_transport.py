"""httpx transports that report network failures as ``cpay_signing.TransportError``.

They wrap ``httpx.HTTPTransport`` / ``AsyncHTTPTransport`` (which retry connection failures) and map any
``httpx.TransportError``, raised while sending or while reading the response body, to the project's
``TransportError`` with the httpx exception as its ``__cause__``. A caller then catches ``CPayError`` for
every failure of a C-Pay call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx

from cpay_signing._errors import TransportError

__all__ = ["AsyncCPayTransport", "CPayTransport"]


@contextmanager
def _as_transport_error() -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as error:
        raise TransportError(f"{type(error).__name__}: {error}") from error


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_transport_error():
            yield from self._stream

    def close(self) -> None:
        self._stream.close()


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_transport_error():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class CPayTransport(httpx.BaseTransport):
    """A sync transport that raises ``TransportError`` instead of ``httpx.TransportError``."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with _as_transport_error():
            response = self._transport.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_SyncStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._transport.close()


class AsyncCPayTransport(httpx.AsyncBaseTransport):
    """The async twin of ``CPayTransport``."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _as_transport_error():
            response = await self._transport.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_AsyncStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._transport.aclose()
