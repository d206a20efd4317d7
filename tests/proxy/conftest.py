"""Fixtures of the proxy's tests: the proxy in front of the emulator or of a test double, all in one process.

The proxy is an ASGI app and so is its upstream: ``ProxyConfig(transport=httpx.ASGITransport(upstream))`` puts
the upstream behind the proxy's own pooled client, and the test talks to the proxy through another
``ASGITransport``. Each test runs its exchanges inside ``asyncio.run``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sdk_calls import FUNDED_CURRENCIES

from cpay_client.types import Response
from cpay_emulator import (
    DEMO_MERCHANT_ID,
    DEMO_SECRET_KEY,
    EmulatorConfig,
    ProxyConfig,
    create_app,
    create_proxy_app,
    emulator_codes,
)
from cpay_emulator._proxy import ProxyApp
from cpay_signing import sign_request_parameters

MERCHANT_ID = DEMO_MERCHANT_ID
SECRET_KEY = DEMO_SECRET_KEY
UPSTREAM = "http://upstream.test"


@pytest.fixture
def emulator_app() -> Iterator[Any]:
    """A fresh in-memory emulator (no webhook worker) with the demo merchant funded for the examples' payouts."""
    app = create_app(EmulatorConfig(webhook_worker=False))
    for currency in FUNDED_CURRENCIES:
        app.state.emulator.set_balance(MERCHANT_ID, currency, Decimal("1000"))
    yield app
    app.state.store.close()


def proxy_for(upstream_app: Any, **options: Any) -> ProxyApp:
    """The proxy in front of ``upstream_app`` (in-process), checking the demo merchant's signs."""
    settings: dict[str, Any] = {"secrets": {MERCHANT_ID: SECRET_KEY}, "codes": emulator_codes(), **options}
    return create_proxy_app(ProxyConfig(upstream=UPSTREAM, transport=httpx.ASGITransport(app=upstream_app), **settings))


def client_of(proxy: ProxyApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://proxy.test", timeout=30)


def signed_query(parameters: str = "", secret_key: str = SECRET_KEY) -> str:
    """``parameters`` (an encoded query string) with the demo merchant's ``merchantId`` and ``sign``."""
    query, _ = sign_request_parameters(parameters.encode(), None, merchant_id=MERCHANT_ID, secret_key=secret_key)
    return query.decode()


def violations_of(response: httpx.Response | Response[Any]) -> list[dict[str, Any]]:
    """The ``x-cpay-violations`` header of an answer (httpx's, or the generated client's)."""
    found: list[dict[str, Any]] = json.loads(response.headers["x-cpay-violations"])
    return found


def fields_of(response: httpx.Response, direction: str | None = None) -> set[str]:
    return {v["field"] for v in violations_of(response) if direction is None or v["direction"] == direction}
