"""``create_app``: assembles the emulator (the C-Pay API, the control API, the cashier, the references, the worker).

Nothing here answers a request: the surfaces (``_api``, ``_control``, ``_cashier``, ``_docs``) do, over the
``Emulator`` front; this module builds them side by side over one store and wraps them in ``_middleware``'s
layers. ``create_proxy_app`` assembles the other product, the validating proxy (``_proxy``), from the same
compiled spec, without any of the emulator's state.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path

import attrs
import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from cpay_emulator import _views as views
from cpay_emulator._api import HANDLERS, operation_endpoints
from cpay_emulator._cashier import cashier_routes
from cpay_emulator._clock import Clock
from cpay_emulator._codes import DOCUMENT_CODES, CodeBook
from cpay_emulator._control import control_routes
from cpay_emulator._coverage import SpecCoverage
from cpay_emulator._docs import docs_routes
from cpay_emulator._expiry import run_expiry_sweeps
from cpay_emulator._faults import Faults
from cpay_emulator._forwarding import ForwarderFactory, forwarder_for
from cpay_emulator._inspection import Inspector
from cpay_emulator._middleware import AccessLogMiddleware, CommitBeforeResponse, EmulatorApp
from cpay_emulator._model import Merchant
from cpay_emulator._proxy import ProxyApp
from cpay_emulator._proxy_reports import RunSummary, started_now
from cpay_emulator._recording import DEFAULT_KEEP, DEFAULT_MAX_BYTES, Recorder
from cpay_emulator._redaction import Redactor, sensitive_fields
from cpay_emulator._service import DEFAULT_ORDER_TTL, Emulator
from cpay_emulator._spec import compile_operations, default_spec_path, load_spec
from cpay_emulator._store import MEMORY, Store
from cpay_emulator._violations import HEADER_LIMIT, ViolationLog
from cpay_emulator._webhooks import WebhookDispatcher, WebhookPolicy
from cpay_signing import SENSITIVE_FIELDS, SecretKey
from cpay_signing._calllog import redact_httpx_request_lines  # the toolkit's one masker of httpx's request lines

__all__ = [
    "DEMO_MERCHANT_ID",
    "DEMO_SECRET_KEY",
    "EmulatorConfig",
    "ProxyConfig",
    "create_app",
    "create_proxy_app",
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
    network; an ``httpx.ASGITransport`` posts them to an app in-process).
    """

    database: str | Path = MEMORY
    merchants: tuple[Merchant, ...] = ()
    spec_path: Path | None = None
    webhook_policy: WebhookPolicy = attrs.Factory(WebhookPolicy)
    public_url: str | None = None
    access_log: bool = False
    webhook_worker: bool = True
    docs_directory: Path | None = None
    clock: Clock | None = None
    order_ttl: float | None = DEFAULT_ORDER_TTL
    expiry_sweep: bool = True
    webhook_transport: httpx.AsyncBaseTransport | None = None


def create_app(config: EmulatorConfig | None = None, *, merchants: Iterable[Merchant] | None = None) -> Starlette:
    """Build the emulator (a ``Starlette`` app): every operation of ``openapi.yaml``, ``/_emulator/``, the cashier.

    The spec is read and its validators compiled here, once; operations without a handler are given their
    stateless answers (``_coverage``), logged with the response fields the emulator never fills. ``app.state``
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
    webhooks = WebhookDispatcher(
        store, config.webhook_policy, transport=config.webhook_transport, clock=clock, faults=faults
    )
    emulator = Emulator(
        store,
        config.merchants or (demo_merchant(),),
        on_webhook=webhooks.wake,
        clock=clock,
        order_ttl=config.order_ttl,
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


def _secrets(value: Mapping[str, str | SecretKey]) -> dict[str, SecretKey]:
    return {merchant_id: SecretKey.of(secret) for merchant_id, secret in value.items()}


@attrs.frozen(kw_only=True)
class ProxyConfig:
    """How to build the validating proxy (``cpay-emulator proxy``).

    ``upstream``: the deployment's base URL (the C-Pay sandbox, the emulator...). ``secrets``: merchant id to
    secret key, for checking each request's ``sign`` (a merchant without one: ``unchecked``). ``codes``: the
    envelope codes the upstream may answer (``DOCUMENT_CODES``, ``emulator_codes()``, plus a deployment's own).
    ``record``: the JSON-lines recording (``None``: none), rotated past ``record_max_bytes`` keeping
    ``record_keep`` old files. ``report_dir``: where the Markdown and JUnit reports go on shutdown (``None``:
    not written). ``timeout``: seconds to connect to, send to and hear from the upstream (then 504).
    ``transport``: forward through httpx with this transport instead of the proxy's own connections (tests:
    ``httpx.ASGITransport(app)``, an in-process upstream; ``httpx.AsyncHTTPTransport()``: httpx over the network).
    ``forwarder``: build the forwarder with this factory ``(upstream, timeout) -> Forwarder`` instead (the
    hostile-upstream suite runs each candidate so); not with ``transport``.
    """

    upstream: str
    secrets: Mapping[str, SecretKey] = attrs.field(factory=dict, converter=_secrets, repr=False)
    codes: CodeBook = DOCUMENT_CODES
    spec_path: Path | None = None
    record: Path | None = None
    record_max_bytes: int = DEFAULT_MAX_BYTES
    record_keep: int = DEFAULT_KEEP
    report_dir: Path | None = None
    timeout: float = 30.0
    keep_violations: int = 10_000
    header_limit: int = HEADER_LIMIT
    transport: httpx.AsyncBaseTransport | None = None
    forwarder: ForwarderFactory | None = None

    def __attrs_post_init__(self) -> None:
        if self.forwarder is not None and self.transport is not None:
            raise ValueError("give the proxy a transport or a forwarder factory, not both")


def create_proxy_app(config: ProxyConfig) -> ProxyApp:
    """Build the validating proxy (an ASGI app) in front of ``config.upstream``.

    The spec is read and its request and response validators compiled here, once, by the code that compiles
    the emulator's. The app's ``log`` holds the violations; ``await app.aclose()`` closes it and writes the
    reports (a server's lifespan shutdown does this).
    """
    redact_httpx_request_lines()  # httpx's own "HTTP Request:" log lines carry the URL, and so the sign
    spec_path = config.spec_path or default_spec_path()
    document = load_spec(spec_path)
    operations = compile_operations(document)
    sensitive = sensitive_fields(document) | SENSITIVE_FIELDS
    redactor = Redactor(config.secrets.values(), sensitive)
    recorder = (
        Recorder(config.record, redactor, max_bytes=config.record_max_bytes, keep=config.record_keep)
        if config.record is not None
        else None
    )
    return ProxyApp(
        upstream=config.upstream,
        inspector=Inspector(operations, config.secrets, config.codes, sensitive),
        redactor=redactor,
        forwarder=(
            config.forwarder(config.upstream, config.timeout)
            if config.forwarder is not None
            else forwarder_for(config.upstream, config.timeout, config.transport)
        ),
        recorder=recorder,
        report_dir=config.report_dir,
        summary=RunSummary(
            upstream=config.upstream, spec=str(spec_path), codes=config.codes.name, started=started_now()
        ),
        log=ViolationLog(config.keep_violations),
        header_limit=config.header_limit,
    )
