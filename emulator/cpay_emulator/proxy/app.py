"""``create_proxy_app``: assembles the validating proxy (``cpay-emulator proxy``) from the compiled spec.

The proxy stands in front of any deployment, so it is built from ``openapi.yaml`` and the shared wire modules
only, without any of the emulator's state (import-linter's contracts in ``pyproject.toml`` hold it to that).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import attrs
import httpx

from cpay import SENSITIVE_FIELDS, SecretKey, redact_httpx_request_lines
from cpay_emulator.proxy.asgi import PROXY_PREFIX, ProxyApp, WebhookRoute
from cpay_emulator.proxy.forwarding import ForwarderFactory, forwarder_for
from cpay_emulator.proxy.inspection import Inspector
from cpay_emulator.proxy.notifications import WebhookInspector
from cpay_emulator.proxy.recording import DEFAULT_KEEP, DEFAULT_MAX_BYTES, Recorder
from cpay_emulator.proxy.reports import RunSummary, started_now
from cpay_emulator.proxy.violations import HEADER_LIMIT, ViolationLog
from cpay_emulator.shared.codes import DOCUMENT_CODES, CodeBook
from cpay_emulator.shared.redaction import Redactor, sensitive_fields
from cpay_emulator.shared.spec import compile_operations, default_spec_path, load_spec

__all__ = ["ProxyConfig", "create_proxy_app"]


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
    ``transport``: forward through httpx with this transport instead of aiohttp (tests: ``httpx.ASGITransport(app)``,
    an in-process upstream; ``httpx.AsyncHTTPTransport()``: httpx over the network, the suites' second forwarder).
    ``forwarder``: build the forwarder with this factory ``(upstream, timeout) -> Forwarder`` instead (the
    hostile-upstream suite runs each candidate so); not with ``transport``.

    ``webhook_upstream``: the merchant's webhook endpoint (``https://shop.example/cpay/webhook``) to stand in front
    of as well: a request to that URL's path on the proxy is a C-Pay notification, checked against the spec's
    webhook and the merchant's key, and forwarded there unchanged (``webhook_transport``: through httpx with this
    transport, an in-process endpoint in tests). Its path must be none of the spec's operations'.
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
    webhook_upstream: str | None = None
    webhook_transport: httpx.AsyncBaseTransport | None = None

    def __attrs_post_init__(self) -> None:
        if self.forwarder is not None and self.transport is not None:
            raise ValueError("give the proxy a transport or a forwarder factory, not both")
        if self.webhook_upstream is not None and not self.webhook_upstream.startswith(("http://", "https://")):
            raise ValueError(f"the webhook upstream must be an http(s) URL, not {self.webhook_upstream!r}")


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
    webhook = None
    if config.webhook_upstream is not None:
        path = urlsplit(config.webhook_upstream).path or "/"
        if any(operation.path == path for operation in operations.values()) or path.startswith(PROXY_PREFIX):
            raise ValueError(f"the webhook endpoint's path {path} is an operation's path or the proxy's own")
        origin = urlunsplit((*urlsplit(config.webhook_upstream)[:2], "", "", ""))
        webhook = WebhookRoute.of(
            config.webhook_upstream,
            WebhookInspector(document, config.secrets),
            forwarder_for(origin, config.timeout, config.webhook_transport),
        )
    return ProxyApp(
        webhook=webhook,
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
