"""The ASGI layers around the surfaces: the operations' fast path, commit-before-response, the access log."""

from __future__ import annotations

import logging
import time

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cpay_emulator.backends.store import Store

__all__ = ["AccessLogMiddleware", "CommitBeforeResponse", "EmulatorApp"]

access_logger = logging.getLogger("cpay_emulator.access")
logger = logging.getLogger("cpay_emulator")


class EmulatorApp(Starlette):
    """The Starlette app, with a fast path: a request for a spec operation goes straight to its endpoint.

    The API's paths are fixed strings, so one dictionary lookup replaces the middleware stack and trying each
    route's pattern (the endpoints answer every outcome themselves, and commit before answering). The routes
    stay registered in the router, which still answers 404, 405 and HEAD.
    """

    operation_endpoints: dict[str, tuple[str, ASGIApp]]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            entry = self.operation_endpoints.get(scope["path"])
            if entry is not None and entry[0] == scope["method"]:
                await entry[1](scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class CommitBeforeResponse:
    """Holds back a response until the changes made while handling it are committed (see ``Store``).

    The API's endpoints flush themselves (a failed commit becomes an envelope with code 1); this covers the
    control API and the cashier page. A failed commit there is answered 500.
    """

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        store = self.store

        async def send_committed(message: Message) -> None:
            if message["type"] == "http.response.start":
                try:
                    await store.flushed()
                except Exception:
                    logger.exception("commit failed")
                    message = {**message, "status": 500}
            await send(message)

        await self.app(scope, receive, send_committed)


class AccessLogMiddleware:
    """One line per request: client, method, path, HTTP status, envelope code (API operations) and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            client = scope.get("client") or ("-", 0)
            code = scope.get("cpay.code")
            access_logger.info(
                "%s %s %s %d%s %.1fms",
                client[0],
                scope["method"],
                scope["path"],
                status,
                "" if code is None else f" code={code}",
                (time.perf_counter() - started) * 1000,
            )
