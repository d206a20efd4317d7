"""``create_client`` gives a ``CPayClient``; ``with_options`` and the generated ``with_*`` derive signed clients."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import httpx
import pytest

from cpay import CPayClient, TransportError, create_client, unwrap, verify_sign
from cpay._signed_httpx import SignedHttpxClient
from cpay_client import Client
from cpay_client.api.balances import get_merchant_balance

from .conftest import BASE_URL, MERCHANT_ID, SECRET_KEY
from .runtime_doubles import Script, envelope

BALANCES = [{"availableBalance": "10", "freezeBalance": "0", "cryptoCurrency": "USDT"}]


class ClosingRecorder(httpx.MockTransport):
    closed = 0

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.closed += 1


def signed(request: httpx.Request) -> bool:
    query = dict(parse_qsl(request.url.query.decode()))
    return verify_sign(query, SECRET_KEY, query.get("sign", ""))


def test_create_client_gives_a_generated_client_with_with_options() -> None:
    client = create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)
    assert isinstance(client, CPayClient)
    assert isinstance(client, Client)
    assert isinstance(client.with_options(max_retries=0), CPayClient)


def test_derived_clients_share_the_parents_connections_and_leave_them_open() -> None:
    script = Script(envelope(BALANCES))
    transport = ClosingRecorder(script)
    client = create_client(BASE_URL, merchant_id=MERCHANT_ID, secret_key=SECRET_KEY, transport=transport)
    with client:
        with client.with_options(max_retries=0) as derived:
            unwrap(get_merchant_balance.sync(client=derived))
        assert transport.closed == 0
        unwrap(get_merchant_balance.sync(client=client))
    assert transport.closed == 1
    assert all(signed(request) for request in script.requests)


def test_derived_async_clients_leave_the_parents_connections_open() -> None:
    script = Script(envelope(BALANCES))
    transport = ClosingRecorder(script)
    client = create_client(BASE_URL, merchant_id=MERCHANT_ID, secret_key=SECRET_KEY, async_transport=transport)

    async def calls() -> None:
        async with client:
            async with client.with_options(max_retries=1) as derived:
                unwrap(await get_merchant_balance.asyncio(client=derived))
            assert transport.closed == 0
        assert transport.closed == 1

    asyncio.run(calls())


def test_with_headers_gives_a_signed_client_and_leaves_the_parent_unchanged() -> None:
    script = Script(envelope(BALANCES))
    with create_client(
        BASE_URL, merchant_id=MERCHANT_ID, secret_key=SECRET_KEY, transport=httpx.MockTransport(script)
    ) as client:
        unwrap(get_merchant_balance.sync(client=client.with_headers({"X-Request-Source": "batch"})))
        unwrap(get_merchant_balance.sync(client=client.with_cookies({"region": "eu"})))
        unwrap(get_merchant_balance.sync(client=client))
    with_header, with_cookie, plain = script.requests
    assert with_header.headers["x-request-source"] == "batch"
    assert with_cookie.headers["cookie"] == "region=eu"
    assert "x-request-source" not in plain.headers
    assert "cookie" not in plain.headers
    assert all(signed(request) for request in script.requests)


def test_with_timeout_and_with_options_set_the_timeout_of_the_derived_client_only() -> None:
    client = create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)
    quick = client.with_timeout(httpx.Timeout(2.0))
    quicker = client.with_options(timeout=httpx.Timeout(1.0))
    assert quick.get_httpx_client().timeout == httpx.Timeout(2.0)
    assert quicker.get_async_httpx_client().timeout == httpx.Timeout(1.0)
    assert client.get_httpx_client().timeout.read == 30.0
    quick_httpx, parent_httpx = quick.get_httpx_client(), client.get_httpx_client()
    assert isinstance(quick_httpx, SignedHttpxClient)
    assert isinstance(parent_httpx, SignedHttpxClient)
    assert quick_httpx.signer is parent_httpx.signer


def test_connect_retries_and_a_transport_are_not_given_together() -> None:
    with pytest.raises(ValueError, match="connect_retries"):
        create_client(
            "sandbox",
            merchant_id=MERCHANT_ID,
            secret_key=SECRET_KEY,
            connect_retries=1,
            transport=httpx.MockTransport(Script(envelope())),
        )


def test_network_failures_of_both_clients_are_transport_errors() -> None:
    script = Script(httpx.ConnectError("refused"))
    client = create_client(
        BASE_URL,
        merchant_id=MERCHANT_ID,
        secret_key=SECRET_KEY,
        transport=httpx.MockTransport(script),
        async_transport=httpx.MockTransport(script),
        max_retries=0,
    )
    with pytest.raises(TransportError) as raised:
        get_merchant_balance.sync(client=client)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)

    async def call() -> None:
        await get_merchant_balance.asyncio(client=client)

    with pytest.raises(TransportError):
        asyncio.run(call())


def test_the_client_type_is_importable_from_the_package() -> None:
    import cpay

    assert cpay.CPayClient is CPayClient
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        cpay.Nope  # noqa: B018
