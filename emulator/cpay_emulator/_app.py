"""``create_app``: the emulator as a Starlette application (API, control API, cashier page, webhook worker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import attrs
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cpay_emulator._api import HANDLERS, OperationEndpoint
from cpay_emulator._cashier import cashier_routes
from cpay_emulator._control import control_routes
from cpay_emulator._docs import docs_routes
from cpay_emulator._model import Merchant
from cpay_emulator._service import Emulator
from cpay_emulator._spec import compile_operations, default_spec_path, load_spec
from cpay_emulator._store import MEMORY, Store
from cpay_emulator._webhooks import WebhookDispatcher, WebhookPolicy
from cpay_signing import SecretKey

__all__ = ["DEMO_MERCHANT_ID", "DEMO_SECRET_KEY", "EmulatorConfig", "create_app", "demo_merchant"]

DEMO_MERCHANT_ID = "20000000"
DEMO_SECRET_KEY = "cpay-emulator-demo-secret"  # noqa: S105 - a documented, public demo credential

access_logger = logging.getLogger("cpay_emulator.access")
logger = logging.getLogger("cpay_emulator")


def demo_merchant() -> Merchant:
    """The merchant the emulator serves when none is configured (its id and secret are printed at start)."""
    return Merchant(merchant_id=DEMO_MERCHANT_ID, secret_key=SecretKey(DEMO_SECRET_KEY))


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """How to build the emulator.

    ``database``: a SQLite file path (state survives restarts) or ``:memory:``. ``merchants``: created or
    updated at start; when empty, the demo merchant. ``public_url``: the base of ``cashierURL`` (default: the
    Host the client used). ``access_log``: one log line per request on ``cpay_emulator.access``.
    ``webhook_worker``: run the delivery worker in the lifespan (tests may call ``deliver_due`` instead).
    ``docs_directory``: the API references built by ``make docs``, served at ``/docs`` and ``/_emulator/docs``
    (``None``: those pages say how to build one).
    """

    database: str | Path = MEMORY
    merchants: tuple[Merchant, ...] = ()
    spec_path: Path | None = None
    webhook_policy: WebhookPolicy = attrs.Factory(WebhookPolicy)
    public_url: str | None = None
    access_log: bool = False
    webhook_worker: bool = True
    docs_directory: Path | None = None


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


def create_app(config: EmulatorConfig | None = None, *, merchants: Iterable[Merchant] | None = None) -> Starlette:
    """Build the emulator (a ``Starlette`` app): every operation of ``openapi.yaml``, ``/_emulator/``, the cashier.

    The spec is read and its validators compiled here, once. ``app.state`` holds ``emulator`` (the service),
    ``webhooks`` (the delivery worker), ``store`` and ``operations``.
    """
    config = config or EmulatorConfig()
    if merchants is not None:
        config = attrs.evolve(config, merchants=tuple(merchants))
    store = Store(config.database)
    webhooks = WebhookDispatcher(store, config.webhook_policy)
    emulator = Emulator(store, config.merchants or (demo_merchant(),), on_webhook=webhooks.wake)
    operations = compile_operations(load_spec(config.spec_path or default_spec_path()))
    missing = sorted(set(operations) - set(HANDLERS))
    if missing:
        logger.warning("operations of the spec the emulator does not implement: %s", ", ".join(missing))
    endpoints = {
        operation.path: (operation.method, OperationEndpoint(emulator, operation, config.public_url))
        for operation in operations.values()
    }
    routes: list[BaseRoute] = [
        Route(path, endpoint, methods=[method]) for path, (method, endpoint) in endpoints.items()
    ]
    routes.extend(cashier_routes(emulator))
    routes.extend(control_routes(emulator, webhooks, webhooks.wake))
    routes.extend(docs_routes(config.docs_directory))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = asyncio.create_task(webhooks.run(), name="cpay-emulator-webhooks") if config.webhook_worker else None
        try:
            yield
        finally:
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await webhooks.close()

    middleware = [Middleware(AccessLogMiddleware)] if config.access_log else []
    middleware.append(Middleware(CommitBeforeResponse, store=store))
    app = EmulatorApp(routes=routes, middleware=middleware, lifespan=lifespan)
    app.operation_endpoints = {
        path: (method, AccessLogMiddleware(endpoint) if config.access_log else endpoint)
        for path, (method, endpoint) in endpoints.items()
    }
    app.state.emulator = emulator
    app.state.webhooks = webhooks
    app.state.store = store
    app.state.operations = operations
    return app
