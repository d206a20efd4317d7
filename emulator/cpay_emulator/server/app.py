"""``create_app``: assembles the emulator (the C-Pay API, the control API, the cashier, the references, the worker).

Nothing here answers a request: the surfaces (``api``/``endpoint``, ``control``, ``cashier``, ``docs``) do, over
the ``Emulator`` front; this module builds them side by side over one store and wraps them in ``middleware``'s
layers. The other product, the validating proxy, is assembled by ``cpay_emulator.proxy.app``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import attrs
import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from cpay import SecretKey
from cpay_emulator.backends import views
from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.model import Merchant, WebhookSettings
from cpay_emulator.backends.service import DEFAULT_ORDER_TTL, Emulator
from cpay_emulator.backends.store import MEMORY, Store
from cpay_emulator.server.api import HANDLERS
from cpay_emulator.server.cashier import cashier_routes
from cpay_emulator.server.control import control_routes
from cpay_emulator.server.coverage import SpecCoverage
from cpay_emulator.server.docs import docs_routes
from cpay_emulator.server.endpoint import operation_endpoints
from cpay_emulator.server.expiry import run_expiry_sweeps
from cpay_emulator.server.faults import Faults
from cpay_emulator.server.middleware import AccessLogMiddleware, CommitBeforeResponse, EmulatorApp
from cpay_emulator.server.webhooks import WebhookDispatcher, WebhookPolicy
from cpay_emulator.shared.spec import compile_operations, default_spec_path, load_spec

__all__ = [
    "DEMO_MERCHANT_ID",
    "DEMO_SECRET_KEY",
    "EmulatorConfig",
    "create_app",
    "demo_merchant",
]

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
    (``None``: those pages say how to build one). ``clock``: where time comes from (default: the system clock,
    which ``advance`` offsets; ``Clock.frozen()`` stands still until advanced). ``order_ttl``: seconds before an
    unpaid order expires (``None``: never). ``expiry_sweep``: expire orders in the background as time passes
    (tests may rely on ``advance`` instead). ``webhook_transport``: where webhooks are posted (default: the
    network; an ``httpx.ASGITransport`` posts them to an app in-process). ``webhook_settings``: which changes are
    notified, in which JSON types, which replies acknowledge, and the retry schedule (the control API changes them).
    ``seed``: seeds the emulator's ids, so that with a frozen clock the same calls give the same order ids, trace
    ids and transaction hashes (``None``: seeded by the system, different on every start).
    """

    database: str | Path = MEMORY
    merchants: tuple[Merchant, ...] = ()
    spec_path: Path | None = None
    webhook_policy: WebhookPolicy = attrs.Factory(WebhookPolicy)
    webhook_settings: WebhookSettings = attrs.Factory(WebhookSettings)
    public_url: str | None = None
    access_log: bool = False
    webhook_worker: bool = True
    docs_directory: Path | None = None
    clock: Clock | None = None
    order_ttl: float | None = DEFAULT_ORDER_TTL
    expiry_sweep: bool = True
    webhook_transport: httpx.AsyncBaseTransport | None = None
    seed: int | str | None = None


def create_app(config: EmulatorConfig | None = None, *, merchants: Iterable[Merchant] | None = None) -> Starlette:
    """Build the emulator (a ``Starlette`` app): every operation of ``openapi.yaml``, ``/_emulator/``, the cashier.

    The spec is read and its validators compiled here, once; operations without a handler are given their
    stateless answers (``server.coverage``), logged with the response fields the emulator never fills. ``app.state``
    holds ``emulator`` (the service), ``webhooks`` (the delivery worker), ``store``, ``operations``, ``clock``,
    ``faults`` (the armed faults) and ``coverage``.
    """
    config = config or EmulatorConfig()
    if merchants is not None:
        config = attrs.evolve(config, merchants=tuple(merchants))
    document = load_spec(config.spec_path or default_spec_path())
    operations = compile_operations(document)
    coverage = SpecCoverage.of(document, handled=HANDLERS.keys(), answer_fields=views.ANSWER_FIELDS)
    coverage.log()
    clock = config.clock or Clock.real()
    faults = Faults(operations)
    store = Store(config.database)
    emulator = Emulator(
        store,
        config.merchants or (demo_merchant(),),
        on_webhook=lambda: webhooks.wake(),
        clock=clock,
        order_ttl=config.order_ttl,
        seed=config.seed,
        webhook_settings=config.webhook_settings,
    )
    webhooks = WebhookDispatcher(
        store,
        config.webhook_policy,
        transport=config.webhook_transport,
        clock=clock,
        faults=faults,
        outbox=emulator.outbox,
    )
    endpoints = operation_endpoints(emulator, operations, config.public_url, coverage, faults=faults)
    routes: list[BaseRoute] = [
        Route(path, endpoint, methods=[method]) for path, (method, endpoint) in endpoints.items()
    ]
    routes.extend(cashier_routes(emulator))
    routes.extend(control_routes(emulator, webhooks, webhooks.wake, faults=faults, coverage=coverage))
    routes.extend(docs_routes(config.docs_directory))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        workers = []
        if config.webhook_worker:
            workers.append(asyncio.create_task(webhooks.run(), name="cpay-emulator-webhooks"))
        if config.expiry_sweep and config.order_ttl is not None:
            workers.append(asyncio.create_task(run_expiry_sweeps(emulator), name="cpay-emulator-expiry"))
        try:
            yield
        finally:
            for worker in workers:
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
    app.state.clock = clock
    app.state.faults = faults
    app.state.coverage = coverage
    return app
