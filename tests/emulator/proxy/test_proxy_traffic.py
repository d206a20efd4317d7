"""The proxy in front of the emulator: the SDK's traffic passes clean, and stays correct under concurrency.

The emulator takes its request rules from the same spec and is checked by the conformance suite, so its
answers to the SDK's requests must break nothing the proxy checks: a violation here is a bug of the proxy (or
a real drift between the SDK, the spec and the emulator). The same test also shows the proxy is transparent:
the client's parsed answers and codes are what the emulator answers without it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import httpx
from sdk_calls import CALLS, OPERATION_IDS, form_example

from cpay import sign_request_parameters

from .conftest import (
    MERCHANT_ID,
    SECRET_KEY,
    UPSTREAM,
    client_of,
    proxy_for,
    sdk_client_of,
    signed_query,
    violations_of,
)

CONCURRENT = 200
CONCURRENCY_DEADLINE_SECONDS = 60


def test_the_sdk_s_traffic_over_all_twelve_operations_breaks_nothing(emulator_app: Any) -> None:
    proxy = proxy_for(emulator_app)
    problems: list[str] = []

    async def run() -> None:
        client = sdk_client_of(proxy)
        async with client:
            for call in CALLS:
                response = await call.asend(client)
                problems.extend(
                    f"{call.label}: {item['direction']} {item['field']}: {item['message']}"
                    for item in json.loads(response.headers["x-cpay-violations"])
                )
                code = json.loads(response.content).get("code")
                if code != call.code:
                    problems.append(f"{call.label}: code {code}, expected {int(call.code)}")
        async with client_of(proxy) as own:
            listed = (await own.get("/_proxy/violations")).json()
            problems.extend(f"/_proxy/violations: {item}" for item in listed)
        await proxy.aclose()

    asyncio.run(run())
    assert {call.operation_id for call in CALLS} == OPERATION_IDS
    assert not problems, "\n".join(problems)
    assert set(proxy.log.operations) == OPERATION_IDS  # every operation was recognised, none as an unknown path
    assert proxy.log.exchanges == len(CALLS)


def test_200_concurrent_exchanges_each_get_their_own_answer_and_their_own_violations(emulator_app: Any) -> None:
    """Every other request is broken on purpose (an amount with nine decimals, unique to it): its violation must
    come back on its own response, with its own traceid and exchange number, and nowhere else."""
    proxy = proxy_for(emulator_app)
    example = {name: str(value) for name, value in form_example("createOrder").items()}

    def order(index: int) -> tuple[str, bytes]:
        fields = {**example, "merchantTradeNo": f"concurrent-{index}"}
        if index % 2:
            fields["amount"] = f"{index}.123456789"  # the spec allows eight decimals
        query, body = sign_request_parameters(
            b"", urlencode(fields).encode(), merchant_id=MERCHANT_ID, secret_key=SECRET_KEY
        )
        return query.decode(), body

    async def one(client: httpx.AsyncClient, index: int) -> tuple[int, httpx.Response]:
        query, body = order(index)
        response = await client.post(
            f"/openapi/v1/createOrder?{query}",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        return index, response

    async def run() -> list[tuple[int, httpx.Response]]:
        async with client_of(proxy) as client:
            results = await asyncio.wait_for(
                asyncio.gather(*(one(client, index) for index in range(CONCURRENT))),
                timeout=CONCURRENCY_DEADLINE_SECONDS,
            )
        await proxy.aclose()
        return list(results)

    results = asyncio.run(run())
    exchanges = set()
    for index, response in results:
        envelope = response.json()
        violations = violations_of(response)
        exchange = int(response.headers["x-cpay-exchange"])
        exchanges.add(exchange)
        if index % 2:
            assert envelope["code"] == 10001, envelope  # the emulator refuses it too
            assert [(v["field"], v["direction"]) for v in violations] == [("amount", "request")]
            assert f"{index}.123456789" in violations[0]["message"]
            assert violations[0]["traceid"] == envelope["traceid"]
            assert violations[0]["exchange"] == exchange
        else:
            assert envelope["code"] == 0, envelope
            assert envelope["data"]["merchantTradeNo"] == f"concurrent-{index}"  # its own answer
            assert violations == []
    assert len(exchanges) == CONCURRENT
    assert proxy.log.exchanges == CONCURRENT
    assert proxy.log.total == CONCURRENT // 2
    listed = {(v.exchange, v.traceid) for v in proxy.log.latest()}
    assert len(listed) == CONCURRENT // 2


def test_the_proxy_adds_two_headers_and_changes_nothing_else_of_the_emulator_s_answer(emulator_app: Any) -> None:
    proxy = proxy_for(emulator_app)
    query = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0")
    path = f"/openapi/v1/getExchangeRate?{query}"

    async def run() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app), base_url=UPSTREAM) as direct:
            plain = await direct.get(path)
        async with client_of(proxy) as client:
            proxied = await client.get(path)
        await proxy.aclose()
        return plain, proxied

    plain, proxied = asyncio.run(run())
    assert proxied.status_code == plain.status_code == 200
    assert proxied.json()["data"] == plain.json()["data"]
    added = {"x-cpay-exchange", "x-cpay-violations"}
    assert {name for name in proxied.headers} - added == {name for name in plain.headers}
    assert proxied.headers["content-type"] == plain.headers["content-type"]
