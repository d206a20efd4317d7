"""The emulator inside a test process: its app on an event loop in a background thread, and httpx transports.

``EmulatorThread`` runs the app's lifespan (the store, its group commit, the workers) on its own asyncio loop,
so the emulator behaves as under uvicorn, and every call into it runs on that loop's thread (the SQLite
connection is used from one thread). ``InProcessTransport`` (sync) and ``AsyncInProcessTransport`` hand a
request to that loop and wait for the answer, so one client works for ``sync()`` calls from any thread and
``asyncio()`` calls from any other loop. No socket is opened, unless ``serve_socket`` is asked for (uvicorn on
127.0.0.1, a free port, on the same loop).

A request's read timeout applies as over a network: past it, the caller gets ``httpx.ReadTimeout`` while the
emulator goes on handling the request. ``ResponseDropped`` (the dropped-response fault) becomes what a client
sees over a socket: ``httpx.RemoteProtocolError`` for a reset, ``httpx.ReadTimeout`` for a timeout.

Why not the libraries that run an ASGI app inside a test: Starlette's ``TestClient`` is a sync client over a
blocking portal of its own (an event loop per client, so a second client, or an async one, would run the app's
lifespan and use its SQLite store from another loop and thread), and it applies no read timeout; httpx's
``ASGITransport`` is async only and runs no lifespan (the store, the webhook worker); asgi-lifespan's
``LifespanManager`` runs the lifespan in the caller's loop, which a sync test and another thread do not have. One
loop in one thread, reached from any thread or loop, is what none offers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Coroutine
from typing import Any, Final, TypeVar

import httpx
import uvicorn
from starlette.applications import Starlette

from cpay_emulator.server.faults import ResponseDropped
from cpay_emulator.shared.http_server import bind, server_config

__all__ = ["AsyncInProcessTransport", "EmulatorThread", "InProcessTransport"]

T = TypeVar("T")

START_TIMEOUT: Final = 30.0
"""Seconds the lifespan (or the socket server) may take to start before the harness gives up."""


class EmulatorThread:
    """An app and its lifespan on an asyncio loop in a daemon thread; ``call`` runs a coroutine there."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="cpay-emulator", daemon=True)
        self._stop: asyncio.Event | None = None
        self._lifespan: concurrent.futures.Future[None] | None = None
        self._server: uvicorn.Server | None = None
        self._server_task: asyncio.Task[None] | None = None
        self.socket_url: str | None = None

    def start(self) -> EmulatorThread:
        """Start the loop and the app's lifespan; returns once the lifespan has started."""
        self._thread.start()
        started: concurrent.futures.Future[None] = concurrent.futures.Future()

        async def lifespan() -> None:
            self._stop = asyncio.Event()
            async with self.app.router.lifespan_context(self.app):
                started.set_result(None)
                await self._stop.wait()

        def ended(done: concurrent.futures.Future[None]) -> None:
            if not started.done():
                started.set_exception(_failure(done))

        self._lifespan = asyncio.run_coroutine_threadsafe(lifespan(), self.loop)
        self._lifespan.add_done_callback(ended)
        started.result(timeout=START_TIMEOUT)
        return self

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the emulator's loop and wait for its result (``TimeoutError`` past ``timeout``)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coroutine`` on the emulator's loop without waiting."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def serve_socket(self) -> str:
        """Serve the app on 127.0.0.1 (a free port) from this loop too; returns its base URL."""
        if self.socket_url is not None:
            return self.socket_url
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        server = uvicorn.Server(server_config(self.app, lifespan=False))  # the lifespan runs here already

        async def start() -> None:
            self._server_task = asyncio.create_task(server.serve(sockets=[sock]), name="cpay-emulator-socket")
            while not server.started:
                if self._server_task.done():
                    self._server_task.result()  # raises why it stopped
                await asyncio.sleep(0.01)

        self.call(start(), timeout=START_TIMEOUT)
        self._server = server
        self.socket_url = f"http://127.0.0.1:{port}"
        return self.socket_url

    def stop(self) -> None:
        """Stop the socket server, then the lifespan (the workers stop, webhooks in flight stay pending)."""
        if not self._thread.is_alive():
            return
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                self.call(_wait(self._server_task), timeout=START_TIMEOUT)
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        if self._lifespan is not None:
            with contextlib.suppress(Exception):
                self._lifespan.result(timeout=START_TIMEOUT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=START_TIMEOUT)
        self.loop.close()


async def _wait(awaitable: Awaitable[Any]) -> None:
    await awaitable


def _failure(done: concurrent.futures.Future[None]) -> BaseException:
    error = done.exception()
    return error if error is not None else RuntimeError("the emulator's lifespan ended before it started")


DEFAULT_CLIENT_ADDRESS = "127.0.0.1"
"""The address an in-process request comes from, as the emulator's IP allowlist sees it."""


async def _handle(app: Starlette, request: httpx.Request, content: bytes, client_address: str) -> httpx.Response:
    """On the emulator's loop: one request through the app (from ``client_address``), its whole answer read."""
    copy = httpx.Request(request.method, request.url, headers=request.headers, content=content)
    transport = httpx.ASGITransport(app=app, client=(client_address, 50000))
    try:
        response = await transport.handle_async_request(copy)
        body = await response.aread()
    except ResponseDropped as dropped:
        if dropped.mode == "reset":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        raise httpx.ReadTimeout("timed out waiting for the response (dropped by a fault)", request=request) from None
    return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {})
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _timed_out(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("timed out waiting for the emulator's response", request=request)


class InProcessTransport(httpx.BaseTransport):
    """A sync httpx transport to the emulator of ``runner``: no socket; requests come from ``client_address``."""

    def __init__(self, runner: EmulatorThread, client_address: str = DEFAULT_CLIENT_ADDRESS) -> None:
        self.runner = runner
        self.client_address = client_address

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        future = self.runner.submit(_handle(self.runner.app, request, content, self.client_address))
        try:
            return future.result(_read_timeout(request))
        except concurrent.futures.TimeoutError:
            raise _timed_out(request) from None


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    """The async twin of ``InProcessTransport``, for a client on any other event loop."""

    def __init__(self, runner: EmulatorThread, client_address: str = DEFAULT_CLIENT_ADDRESS) -> None:
        self.runner = runner
        self.client_address = client_address

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        future = asyncio.wrap_future(
            self.runner.submit(_handle(self.runner.app, request, content, self.client_address))
        )
        try:
            # shield: giving up waiting must not cancel the request inside the emulator (a server goes on)
            return await asyncio.wait_for(asyncio.shield(future), _read_timeout(request))
        except TimeoutError:
            raise _timed_out(request) from None
