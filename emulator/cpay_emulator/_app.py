"""``create_app``: assembles the emulator (the C-Pay API, the control API, the cashier, the references, the worker).

Nothing here answers a request: the surfaces (``_api``, ``_control``, ``_cashier``, ``_docs``) do, over the
``Emulator`` front; this module builds them side by side over one store and wraps them in ``_middleware``'s
layers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import attrs
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from cpay_emulator._api import operation_endpoints
from cpay_emulator._cashier import cashier_routes
from cpay_emulator._control import control_routes
from cpay_emulator._docs import docs_routes
from cpay_emulator._middleware import AccessLogMiddleware, CommitBeforeResponse, EmulatorApp
from cpay_emulator._model import Merchant
from cpay_emulator._service import Emulator
from cpay_emulator._spec import compile_operations, default_spec_path, load_spec
from cpay_emulator._store import MEMORY, Store
from cpay_emulator._webhooks import WebhookDispatcher, WebhookPolicy
from cpay_signing import SecretKey

__all__ = ["DEMO_MERCHANT_ID", "DEMO_SECRET_KEY", "EmulatorConfig", "create_app", "demo_merchant"]

DEMO_MERCHANT_ID = "20000000"
DEMO_SECRET_KEY = "cpay-emulator-demo-secret"  # noqa: S105 - a documented, public demo credential


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
    endpoints = operation_endpoints(emulator, operations, config.public_url)
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
