"""The proxy in front of the merchant's webhook endpoint: C-Pay, then the proxy, then the merchant's handler.

Each notification is checked (its sign with the merchant's key through ``cpay.parse_webhook``, its shape against
the spec's webhook, the handler's reply) and recorded masked; every one, a forged one included, reaches the
handler byte for byte, and the handler's reply comes back unchanged: the merchant decides, the proxy tells.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from cpay import SecretKey, compute_sign
from cpay_emulator import ProxyConfig, create_proxy_app
from cpay_emulator.proxy.asgi import ProxyApp
from cpay_emulator.proxy.recording import read_recording
from cpay_emulator.proxy.replay import replay

from .conftest import MERCHANT_ID, SECRET_KEY, UPSTREAM

WEBHOOK_URL = "http://shop.test/cpay/webhook"


def fields(**changes: Any) -> dict[str, Any]:
    """A notification of the later documentation's shape, from the demo merchant, signed with its key."""
    values: dict[str, Any] = {
        "merchantId": int(MERCHANT_ID),
        "merchantTradeNo": "m-1",
        "orderId": "2209141130105863014",
        "orderStatus": 14,
        "orderAmount": "10",
        "receivedAmount": "9.95",
        "serviceFee": "0.05",
        "currency": "USDT",
        "actualAmount": "10",
        "fee": "0.05",
        "createTime": 1663155010000,
        **changes,
    }
    return {**values, "sign": compute_sign(values, SECRET_KEY)}


class Merchant:
    """The merchant's handler: remembers each body, answers ``reply`` with ``status`` and ``content_type``."""

    def __init__(self, reply: bytes = b"OK", status: int = 200, content_type: bytes = b"text/plain") -> None:
        self.reply, self.status, self.content_type = reply, status, content_type
        self.received: list[tuple[bytes, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        content = b""
        while True:
            message = await receive()
            content += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append((scope["raw_path"] + b"?" + scope["query_string"], content))
        headers = [(b"content-type", self.content_type)]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.reply})


async def api_upstream(scope: Any, receive: Any, send: Any) -> None:
    """The API side's upstream: nothing to find there."""
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"not the merchant"})


def proxy_for(merchant: Any, **options: Any) -> ProxyApp:
    settings: dict[str, Any] = {"secrets": {MERCHANT_ID: SECRET_KEY}, **options}
    return create_proxy_app(
        ProxyConfig(
            upstream=UPSTREAM,
            transport=httpx.ASGITransport(app=api_upstream),
            webhook_upstream=WEBHOOK_URL,
            webhook_transport=httpx.ASGITransport(app=merchant),
            **settings,
        )
    )


def post(proxy: ProxyApp, *bodies: tuple[bytes, str], path: str = "/cpay/webhook") -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=proxy)
        async with httpx.AsyncClient(transport=transport, base_url="http://proxy.test") as client:
            answers = [
                await client.post(path, content=content, headers={"content-type": kind}) for content, kind in bodies
            ]
        await proxy.aclose()
        return answers

    return asyncio.run(run())


def as_json(values: dict[str, Any]) -> tuple[bytes, str]:
    return json.dumps(values).encode(), "application/json"


def as_param_form(values: dict[str, Any]) -> tuple[bytes, str]:
    return urlencode({"param": json.dumps(values)}).encode(), "application/x-www-form-urlencoded"


def as_flat_form(values: dict[str, Any]) -> tuple[bytes, str]:
    return urlencode({name: str(value) for name, value in values.items()}).encode(), "application/x-www-form-urlencoded"


def violations(answer: httpx.Response) -> list[tuple[str, str]]:
    return [(entry["direction"], entry["field"]) for entry in json.loads(answer.headers["x-cpay-violations"])]


@pytest.mark.parametrize(
    ("encode", "body_format"), [(as_json, "json"), (as_param_form, "param"), (as_flat_form, "form")]
)
def test_a_genuine_notification_is_verified_validated_forwarded_and_recorded(
    tmp_path: Path, encode: Any, body_format: str
) -> None:
    merchant = Merchant()
    recording = tmp_path / "traffic.jsonl"
    content, kind = encode(fields())
    (answer,) = post(proxy_for(merchant, record=recording), (content, kind))

    assert (answer.status_code, answer.text) == (200, "OK")
    assert violations(answer) == []
    assert merchant.received == [(b"/cpay/webhook?", content)]
    (entry,) = read_recording(recording)
    assert (entry["kind"], entry["operationId"], entry["format"]) == ("webhook", "orderStatusChanged", body_format)
    assert entry["request"]["sign"] == "valid"
    assert entry["request"]["orderStatus"] == (14 if body_format != "form" else "14")  # JSON types kept
    assert entry["response"] == "OK"
    assert fields()["sign"] not in recording.read_text(encoding="utf-8")


def test_a_forged_notification_is_reported_and_forwarded_unchanged(tmp_path: Path) -> None:
    merchant = Merchant(reply=b"FAIL")
    recording = tmp_path / "traffic.jsonl"
    forged = {**fields(), "receivedAmount": "9999"}
    proxy = proxy_for(merchant, record=recording)
    (answer,) = post(proxy, as_json(forged))

    assert merchant.received == [(b"/cpay/webhook?", json.dumps(forged).encode())]
    assert answer.text == "FAIL"  # the handler's own decision, relayed
    assert violations(answer) == [("request", "sign")]
    (violation,) = proxy.log.latest()
    assert "does not sign the notification's fields with merchant" in violation.message
    (entry,) = read_recording(recording)
    assert entry["request"]["sign"] == "invalid"
    assert forged["sign"] not in recording.read_text(encoding="utf-8")


def test_an_unsigned_notification_and_one_of_a_merchant_without_a_key() -> None:
    unsigned = {name: value for name, value in fields().items() if name != "sign"}
    stranger = fields(merchantId=99999999)
    answers = post(proxy_for(Merchant()), as_json(unsigned), as_json(stranger))
    assert violations(answers[0]) == [("request", "sign")]
    assert violations(answers[1]) == []  # no key given for 99999999: unchecked, as the API side does


def test_a_notification_that_breaks_the_webhook_schema_is_reported_on_its_field() -> None:
    missing = {name: value for name, value in fields().items() if name not in ("receivedAmount", "sign")}
    signed = {**missing, "sign": compute_sign(missing, SECRET_KEY)}
    answers = post(proxy_for(Merchant()), as_json(fields(orderStatus=99)), as_json(signed), (b"{", "application/json"))
    assert ("request", "orderStatus") in violations(answers[0])
    assert ("request", "receivedAmount") in violations(answers[1])
    assert ("request", "body") in violations(answers[2])
    assert all(answer.text == "OK" for answer in answers)  # all forwarded all the same


@pytest.mark.parametrize(
    ("merchant", "expected"),
    [
        (Merchant(reply=b"success"), [("response", "body")]),
        (Merchant(reply=b""), [("response", "body")]),
        (Merchant(status=500), [("response", "status")]),
        (Merchant(content_type=b"text/html"), [("response", "content-type")]),
        (Merchant(reply=b"FAIL"), []),
    ],
)
def test_the_merchants_reply_is_checked(merchant: Merchant, expected: list[tuple[str, str]]) -> None:
    (answer,) = post(proxy_for(merchant), as_json(fields()))
    assert answer.status_code == merchant.status
    assert answer.content == merchant.reply
    assert violations(answer) == expected


def test_an_unreachable_merchant_endpoint_is_the_proxys_502_and_is_recorded(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    recording = tmp_path / "traffic.jsonl"
    proxy = create_proxy_app(
        ProxyConfig(
            upstream=UPSTREAM,
            secrets={MERCHANT_ID: SECRET_KEY},
            record=recording,
            webhook_upstream=WEBHOOK_URL,
            webhook_transport=httpx.MockTransport(refuse),
        )
    )
    (answer,) = post(proxy, as_json(fields()))
    assert answer.status_code == 502
    assert "cannot be reached" in answer.json()["error"]
    (entry,) = read_recording(recording)
    assert entry["kind"] == "webhook"
    assert entry["status"] is None
    assert "cannot be reached" in entry["error"]


def test_other_paths_still_go_to_the_api_upstream() -> None:
    (answer,) = post(proxy_for(Merchant()), as_json(fields()), path="/openapi/v1/createOrder")
    assert (answer.status_code, answer.text) == (404, "not the merchant")  # the API upstream's answer


def test_an_endpoint_on_an_operations_path_is_refused() -> None:
    with pytest.raises(ValueError, match="is an operation's path or the proxy's own"):
        create_proxy_app(ProxyConfig(upstream=UPSTREAM, webhook_upstream="http://shop.test/openapi/v1/createOrder"))


def test_replay_leaves_webhook_entries_out(tmp_path: Path) -> None:
    recording = tmp_path / "traffic.jsonl"
    post(proxy_for(Merchant(), record=recording), as_json(fields()))
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500)), base_url=UPSTREAM) as http:
        result = replay(read_recording(recording), http, {MERCHANT_ID: SecretKey(SECRET_KEY)})
    assert result.sent == 0
    assert result.skipped == ["#1 orderStatusChanged: a webhook notification (replay sends API requests)"]
