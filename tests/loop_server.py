"""An ASGI app on a real loopback socket, served in the test's own event loop with the emulator's server stack.

``serving(app)`` runs uvicorn with ``shared.http_server.server_config`` (httptools, the corked transport), as
``cpay-emulator serve`` and ``cpay-emulator proxy`` do, on a free port of 127.0.0.1, as a task of the running
loop: a test can then drive raw sockets, upstream doubles and the server from one ``asyncio.run``. ``finished``
wraps an app so that a test can wait until it has returned for a request (the server has acted, or not, on it).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from cpay_emulator.shared.http_server import bind, server_config

__all__ = ["Finished", "serving"]

STARTUP_SECONDS = 20.0


class _Server(uvicorn.Server):
    """uvicorn's server, stopped by an event instead of its 0.1 s poll of ``should_exit``, and shut down without
    its fixed 0.1 s pause (the suites start hundreds of servers)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop = asyncio.Event()

    async def main_loop(self) -> None:
        await self.stop.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        if self.server_state.tasks:  # the requests still being answered
            await asyncio.wait(self.server_state.tasks, timeout=STARTUP_SECONDS)


@contextlib.asynccontextmanager
async def serving(app: Any, *, lifespan: bool = False) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields ``http://127.0.0.1:PORT``."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = _Server(server_config(app, lifespan=lifespan, server_headers=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(STARTUP_SECONDS):
            while not server.started:
                if task.done():
                    task.result()  # the server failed to start: say why
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True  # do not wait for the connections a test left open
        server.stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, STARTUP_SECONDS)
        sock.close()


class Finished:
    """An ASGI wrapper counting the HTTP requests ``app`` has returned from; ``wait(n)`` until ``n`` have."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self._changed = asyncio.Condition()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                async with self._changed:
                    self.count += 1
                    self._changed.notify_all()

    async def wait(self, count: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.count >= count)
