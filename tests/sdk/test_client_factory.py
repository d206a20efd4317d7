"""create_client: the generated client for an environment, signing every call over real sockets."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import yaml

from cpay import (
    DEFAULT_CONNECT_RETRIES,
    DEFAULT_TIMEOUT,
    ENVIRONMENTS,
    BusinessError,
    CPayAuth,
    create_client,
    unwrap,
    verify_sign,
)
from cpay._signed_httpx import AsyncSignedHttpxClient, SignedHttpxClient
from cpay_client import Client
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderRequest

SECRET = "aaaaaaaaaaxxxxxx"
MERCHANT_ID = "20000092"


class SignCheckingServer(ThreadingHTTPServer):
    received: list[dict[str, str]]


class SignCheckingHandler(BaseHTTPRequestHandler):
    """Answers like C-Pay: code 0 if the request's sign verifies, code 1 otherwise; records what it got."""

    server: SignCheckingServer

    def do_GET(self) -> None:
        self._answer(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        query = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)  # merchantId and sign
        self._answer(query + parse_qsl(body, keep_blank_values=True))

    def _answer(self, fields: list[tuple[str, str]]) -> None:
        self.server.received.append(dict(fields))
        ok = verify_sign(fields, SECRET, dict(fields).get("sign", ""))
        body = json.dumps({"code": 0 if ok else 1, "msg": "success" if ok else "sign error", "traceid": "t1"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[SignCheckingServer]:
    server = SignCheckingServer(("127.0.0.1", 0), SignCheckingHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def base_url(server: SignCheckingServer) -> str:
    server.received.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


def an_order() -> CreateOrderRequest:
    return CreateOrderRequest.from_dict(
        {
            "merchantTradeNo": "test114",
            "createTime": 1668569197000,
            "userId": "test002",
            "amount": "3.10",
            "cryptoCurrency": "USDT",
            "callBackURL": "https://shop.example/cb?a=1&b=2",
        }
    )


def test_named_environments_resolve_to_the_documents_domains() -> None:
    sandbox = create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET)
    production = create_client("production", merchant_id=MERCHANT_ID, secret_key=SECRET)
    assert isinstance(sandbox, Client)
    assert str(sandbox.get_httpx_client().base_url) == "https://sandbox-api.cpay.ltd"
    assert str(production.get_async_httpx_client().base_url) == "https://api.cpay.ltd"
    testing = create_client("testing", merchant_id=MERCHANT_ID, secret_key=SECRET)
    assert str(testing.get_httpx_client().base_url) == "http://8.142.157.45:9075"  # the vendor's api-host.md


def test_the_spec_s_servers_are_the_sdk_s_environments() -> None:
    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text(encoding="utf-8"))
    assert sorted(server["url"] for server in spec["servers"]) == sorted(ENVIRONMENTS.values())


def test_base_url_may_be_given_by_keyword() -> None:
    client = create_client(base_url="http://127.0.0.1:8000/", merchant_id=MERCHANT_ID, secret_key=SECRET)
    assert str(client.get_httpx_client().base_url) == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("positional", "keyword"), [(None, None), ("sandbox", "https://sandbox-api.cpay.ltd")], ids=["none", "both"]
)
def test_the_server_must_be_named_exactly_once(positional: str | None, keyword: str | None) -> None:
    with pytest.raises(ValueError, match="name the C-Pay server once"):
        create_client(positional, base_url=keyword, merchant_id=MERCHANT_ID, secret_key=SECRET)


def test_both_httpx_clients_carry_the_signer_timeout_and_headers() -> None:
    client = create_client(
        "https://gateway.example/", merchant_id=MERCHANT_ID, secret_key=SECRET, headers={"X-Tenant": "t1"}
    )
    sync_client, async_client = client.get_httpx_client(), client.get_async_httpx_client()
    assert isinstance(sync_client, SignedHttpxClient)
    assert isinstance(async_client, AsyncSignedHttpxClient)
    for httpx_client in (sync_client, async_client):
        assert str(httpx_client.base_url) == "https://gateway.example"
        assert isinstance(httpx_client.signer, CPayAuth)
        assert httpx_client.signer.merchant_id == MERCHANT_ID
        assert httpx_client.timeout == DEFAULT_TIMEOUT
        assert httpx_client.headers["X-Tenant"] == "t1"
    assert SECRET not in repr(sync_client.signer)


def test_connect_retries_reach_both_transports(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    class SpyTransport(httpx.HTTPTransport):
        def __init__(self, *, retries: int) -> None:
            seen.append(retries)
            super().__init__(retries=retries)

    class SpyAsyncTransport(httpx.AsyncHTTPTransport):
        def __init__(self, *, retries: int) -> None:
            seen.append(retries)
            super().__init__(retries=retries)

    monkeypatch.setattr(httpx, "HTTPTransport", SpyTransport)
    monkeypatch.setattr(httpx, "AsyncHTTPTransport", SpyAsyncTransport)
    create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET)
    create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET, connect_retries=5)
    assert seen == [DEFAULT_CONNECT_RETRIES, DEFAULT_CONNECT_RETRIES, 5, 5]


def test_default_timeout_is_explicit_and_short_to_connect() -> None:
    assert DEFAULT_TIMEOUT.connect == 5.0
    assert DEFAULT_TIMEOUT.read == 30.0


@pytest.mark.parametrize("name", ["staging", "sandbox-api.cpay.ltd", "ftp://x", ""])
def test_unknown_environment_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="unknown C-Pay environment"):
        create_client(name, merchant_id=MERCHANT_ID, secret_key=SECRET)


def test_negative_retries_are_refused() -> None:
    with pytest.raises(ValueError, match="connect_retries"):
        create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET, connect_retries=-1)


def test_generated_sync_calls_are_signed_on_the_wire(server: SignCheckingServer, base_url: str) -> None:
    with create_client(base_url, merchant_id=MERCHANT_ID, secret_key=SECRET) as client:
        balance = get_merchant_balance.sync(client=client)
        order = create_order.sync(client=client, body=an_order())
    assert balance is not None
    assert order is not None
    assert (balance.code, order.code) == (0, 0)
    first, second = server.received
    assert first["merchantId"] == MERCHANT_ID
    assert second["callBackURL"] == "https://shop.example/cb?a=1&b=2"
    assert second["amount"] == "3.10"


def test_generated_async_calls_are_signed_on_the_wire(server: SignCheckingServer, base_url: str) -> None:
    async def calls() -> list[int]:
        async with create_client(base_url, merchant_id=MERCHANT_ID, secret_key=SECRET) as client:
            balance = await get_merchant_balance.asyncio(client=client)
            order = await create_order.asyncio(client=client, body=an_order())
        assert balance is not None
        assert order is not None
        return [balance.code, order.code]

    assert asyncio.run(calls()) == [0, 0]
    assert len(server.received) == 2


def test_a_business_error_envelope_raises_by_default(base_url: str) -> None:
    with (
        create_client(base_url, merchant_id=MERCHANT_ID, secret_key="not-the-secret") as client,
        pytest.raises(BusinessError) as error,
    ):
        get_merchant_balance.sync(client=client)
    assert (error.value.code, error.value.msg, error.value.traceid) == (1, "sign error", "t1")
    assert "not-the-secret" not in str(error.value)


def test_a_business_error_envelope_raises_by_default_async(base_url: str) -> None:
    async def call() -> None:
        async with create_client(base_url, merchant_id=MERCHANT_ID, secret_key="not-the-secret") as client:
            await get_merchant_balance.asyncio(client=client)

    with pytest.raises(BusinessError, match="C-Pay error 1: sign error"):
        asyncio.run(call())


def test_business_errors_can_be_left_to_unwrap(base_url: str) -> None:
    with create_client(
        base_url, merchant_id=MERCHANT_ID, secret_key="not-the-secret", raise_business_errors=False
    ) as client:
        balance = get_merchant_balance.sync(client=client)
    assert balance is not None
    assert balance.code == 1
    with pytest.raises(BusinessError):
        unwrap(balance)
