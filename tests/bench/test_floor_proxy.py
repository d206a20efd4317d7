"""The bench's proxy floor relays as the proxy does, and checks nothing (a floor that did less would flatter it)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from cpay import CPayAuth, SecretKey
from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY, EmulatorConfig, create_app
from cpay_emulator.proxy.forwarding import forwarder_for

from .scripts import load_bench_script


def test_the_floor_relays_the_emulator_s_answer_with_the_proxy_s_header_and_checks_no_sign() -> None:
    emulator = create_app(EmulatorConfig(webhook_worker=False))
    upstream = httpx.ASGITransport(app=emulator)
    floor = load_bench_script("floor_proxy").FloorProxy(forwarder_for("http://upstream.test", 5.0, upstream))

    async def exchange() -> tuple[Any, Any, Any]:
        async with (
            httpx.AsyncClient(transport=upstream, base_url="http://upstream.test") as direct,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=floor), base_url="http://floor.test") as relayed,
        ):
            auth = CPayAuth(DEMO_MERCHANT_ID, SecretKey(DEMO_SECRET_KEY))
            path = "/openapi/v1/getMerchantBalance"
            expected = await direct.get(path, auth=auth)
            signed = await relayed.get(path, auth=auth)
            forged = await relayed.get(path, auth=CPayAuth(DEMO_MERCHANT_ID, SecretKey("not-the-key")))
            return expected, signed, forged

    try:
        expected, signed, forged = asyncio.run(exchange())
    finally:
        emulator.state.store.close()
    assert signed.status_code == expected.status_code == 200
    assert signed.json()["data"] == expected.json()["data"]
    assert signed.headers["x-cpay-violations"] == "[]"
    assert forged.json()["code"] == 10102  # the emulator refused it; the floor passed it on unchecked
    assert forged.headers["x-cpay-violations"] == "[]"
