"""Fixtures of the proxy's tests: the proxy in front of the emulator or of a test double, in one process.

The proxy is an ASGI app and so is its upstream: ``ProxyConfig(transport=httpx.ASGITransport(upstream))`` puts
the upstream behind the proxy's httpx forwarder, and the test talks to the proxy through another
``ASGITransport``. Each test runs its exchanges inside ``asyncio.run``. ``served`` puts an app on a real socket
instead (uvicorn in a thread), for the proxy's aiohttp connections to an ``http://`` upstream (``forwarding``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Literal

import httpx
import pytest
import uvicorn
from sdk_calls import FUNDED_CURRENCIES

from cpay import CPayClient, create_client, sign_request_parameters
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
from cpay_emulator.proxy.asgi import ProxyApp

MERCHANT_ID = DEMO_MERCHANT_ID
SECRET_KEY = DEMO_SECRET_KEY
UPSTREAM = "http://upstream.test"
SERVER_STARTUP_SECONDS = 20


@pytest.fixture
def emulator_app() -> Iterator[Any]:
    """A fresh in-memory emulator (no webhook worker) with the demo merchant funded for the examples' payouts."""
    app = create_app(EmulatorConfig(webhook_worker=False))
    for currency in FUNDED_CURRENCIES:
        app.state.emulator.ledger.set_balance(MERCHANT_ID, currency, Decimal("1000"))
    yield app
    app.state.store.close()


def proxy_for(upstream_app: Any, **options: Any) -> ProxyApp:
    """The proxy in front of ``upstream_app`` (in-process), checking the demo merchant's signs."""
    settings: dict[str, Any] = {"secrets": {MERCHANT_ID: SECRET_KEY}, "codes": emulator_codes(), **options}
    return create_proxy_app(ProxyConfig(upstream=UPSTREAM, transport=httpx.ASGITransport(app=upstream_app), **settings))


def client_of(proxy: ProxyApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://proxy.test", timeout=30)


def sdk_client_of(proxy: ProxyApp, **options: Any) -> CPayClient:
    """The SDK (``create_client``, as the demo merchant) pointed at ``proxy``; business errors come back as answers.

    ``options`` are more keyword arguments of ``create_client`` (``credentials_in="body"``...)."""
    return create_client(
        "http://proxy.test",
        merchant_id=MERCHANT_ID,
        secret_key=SECRET_KEY,
        raise_business_errors=False,
        async_transport=httpx.ASGITransport(app=proxy),
        **options,
    )


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


@pytest.fixture
def served() -> Iterator[Any]:
    """``served(app)``: serve an ASGI app with uvicorn on a free loopback port in a thread; yield its URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def serve(app: Any, lifespan: Literal["on", "off"] = "on") -> str:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan=lifespan,
            server_header=False,
            date_header=False,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + SERVER_STARTUP_SECONDS
        while not server.started:
            assert thread.is_alive()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"

    yield serve
    for server, thread in reversed(servers):
        server.should_exit = True
        thread.join(timeout=SERVER_STARTUP_SECONDS)
