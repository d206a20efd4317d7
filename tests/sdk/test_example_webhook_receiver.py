"""examples/webhook_receiver.py does what docs/site/webhooks.md says: OK for a signed notification, FAIL otherwise."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from cpay import SecretKey, compute_sign

SECRET = "z6h3cuw9grtbun9sgg5u1j35u72hycq0"
EXAMPLE = Path(__file__).parents[2] / "examples" / "webhook_receiver.py"
NOTIFICATION = {
    "merchantId": "20003092",
    "merchantTradeNo": "7b785240e426694635bb09fb101ae241",
    "orderId": "2209141130105863014",
    "orderStatus": "14",
    "actualAmount": "10",
    "receivedAmount": "10",
    "fee": "0",
    "cryptoCurrency": "USDT",
    "createTime": "1663155010000",
}


@pytest.fixture(scope="module")
def receiver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_signed_notifications_get_ok_twice_and_others_get_fail(
    receiver: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    signed = {**NOTIFICATION, "sign": compute_sign(NOTIFICATION, SECRET)}
    unknown = {**NOTIFICATION, "orderStatus": "16"}
    forged = {**NOTIFICATION, "receivedAmount": "1000", "sign": signed["sign"]}

    async def deliveries() -> list[tuple[int, str]]:
        transport = httpx.ASGITransport(app=receiver.create_app(SecretKey(SECRET)))
        async with httpx.AsyncClient(transport=transport, base_url="http://merchant.test") as client:
            as_json = json.dumps(signed)
            json_type = {"Content-Type": "application/json"}
            responses = [
                await client.post("/cpay/webhook", content=as_json, headers=json_type),
                await client.post("/cpay/webhook", content=as_json, headers=json_type),  # a repeat: OK again
                await client.post("/cpay/webhook", data={**unknown, "sign": compute_sign(unknown, SECRET)}),
                await client.post("/cpay/webhook", data=forged),
            ]
        return [(response.status_code, response.text) for response in responses]

    assert asyncio.run(deliveries()) == [(200, "OK"), (200, "OK"), (200, "OK"), (400, "FAIL")]
    assert SECRET not in caplog.text


def test_the_secret_comes_from_the_environment(receiver: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CPAY_SECRET_KEY", raising=False)
    with pytest.raises(SystemExit, match="CPAY_SECRET_KEY"):
        receiver.app_from_environment()
    monkeypatch.setenv("CPAY_SECRET_KEY", SECRET)
    assert receiver.app_from_environment() is not None


HOSTILE_BODIES = {
    "nested-2000-deep": (b'{"a":' * 2000 + b"1" + b"}" * 2000, "application/json"),
    "lone-surrogate": (b'{"merchantId": "20003092", "remark": "\\ud800", "sign": "00"}', "application/json"),
    "status-put-in-front": (
        b"orderStatus=14&" + "&".join(f"{k}={v}" for k, v in NOTIFICATION.items()).encode() + b"&sign=00",
        "application/x-www-form-urlencoded",
    ),
    "repeated-json-name": (b'{"orderStatus": "14", "orderStatus": "0"}', "application/json"),
    "10-mb-of-tiny-fields": (b"f=1&" * 2_500_000, "application/x-www-form-urlencoded"),
    "not-utf-8": (b'{"remark": "\xff"}', "application/json"),
    "not-json": (b"{", "application/json"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_a_hostile_body_gets_400_fail_not_500(receiver: ModuleType, name: str) -> None:
    body, content_type = HOSTILE_BODIES[name]

    async def deliver() -> httpx.Response:
        # raise_app_exceptions=False: the answer a client gets (a 500 page), not the exception, if one escapes.
        transport = httpx.ASGITransport(app=receiver.create_app(SecretKey(SECRET)), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://merchant.test") as client:
            return await client.post("/cpay/webhook", content=body, headers={"Content-Type": content_type})

    response = asyncio.run(deliver())
    assert (response.status_code, response.text) == (400, "FAIL")
