"""Traffic to spec, end to end on a scratch copy of the repository: a divergent C-Pay behind the validating proxy,
the SDK's calls and a webhook through it, ``spec suggest``, a review, ``make generate OVERLAY=...``, the lint of
the result, ``make conformance``, the proxy again, and ``spec suggest`` again. No network: every server is an
in-process ASGI app, and the scratch copy's commands run against files only.

``LaterCPay`` answers as the vendor's later documentation shows the server doing, and each of its divergences
is one from today's ``openapi.yaml``:

* ``getOrderDetail`` answers ``status`` as a JSON number (``14``); the spec types it ``OrderStatus``, a string
  enum, so the proxy reports it and the generated client cannot read the answer (``OrderStatus(14)`` fails);
* ``getOrderDetail`` answers ``serviceFee``, which ``OrderDetail`` does not list; its schema allows other
  properties, so the proxy is silent, and only ``spec suggest`` names it;
* ``createOrderByCreditCard`` answers code ``90751019`` with ``data: null``. That one the spec's *schema* already
  accepts (every envelope's ``data`` is nullable, and 90751019 is in the code book of C-Pay's material, from
  ``pwpp``): the divergence is that nothing in the spec says ``createOrderByCreditCard`` answers it, no example and
  no description. ``spec suggest`` documents it as an example of that operation's response.

Its webhook is the later documentation's shape (a numeric ``orderStatus``, ``serviceFee``, ``orderAmount``,
``currency``), which the spec already accepts since "Vendor webhooks": it goes through the proxy's webhook side
with no finding, and a forged copy is reported and still forwarded to the merchant's handler.

The review: the status change breaks the generated client's callers (``OrderDetail.status`` is no longer always
an ``OrderStatus``), so the reviewer first applies the rest (a minor version: ``service_fee`` is typed), then
the status change after a second look (the change report proposes the next major version, as it must).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from scratch_repo import ScratchRepo
from sdk_calls import body, form_example

from cpay import (
    SecretKey,
    SignatureError,
    compute_sign,
    create_client,
    parse_webhook,
    sign_request_parameters,
    verify_request_parameters,
)
from cpay_client.api.card_payments import create_order_by_credit_card, pwpp
from cpay_client.api.orders import get_order_detail
from cpay_client.models import CreateOrderByCreditCardRequest, PwppRequest
from cpay_emulator import DOCUMENT_CODES, ProxyConfig, create_proxy_app
from cpay_emulator.proxy.asgi import ProxyApp
from cpay_emulator.shared.overlay import OVERLAY_SCHEMA_PATH

pytestmark = pytest.mark.slow

MERCHANT_ID = "20003092"
SECRET_KEY = "later-documentation-key"
CARD_NUMBER = form_example("pwpp")["cardNumber"]
WEBHOOK_URL = "http://shop.test/cpay/webhook"
JSON = (b"content-type", b"application/json")


def envelope(data: Any, code: int = 0, msg: str = "success", traceid: str = "T") -> bytes:
    return json.dumps({"code": code, "msg": msg, "data": data, "traceid": traceid}).encode()


ORDER = {
    "orderId": "2209141130105863014",
    "status": 14,  # a number: the later documentation's server
    "merchantTradeNo": "7b785240e426694635bb09fb101ae241",
    "merchantUserId": "test002",
    "hash": "c4dbbf5737c52072817dc92fa09c41386f8024fee883270b92bfc1943616f957",
    "actualAmount": "10",
    "receivedAmount": "9.95",
    "pledgeAmount": "0",
    "fee": "0.05",
    "serviceFee": "0.05",  # in no table of the documents
    "currency": "USDT",
    "createTime": 1663155010000,
    "merchantId": 20003092,
    "extInfo": "",
    "network": "TRON",
    "remark": "",
}
PAYMENT = {"orderId": "230303100653358209014", "pageData": "<html></html>", "redirectURL": "", "ccStorageID": "cc1"}


class LaterCPay:
    """A C-Pay double that answers as the later documentation shows; it checks every request's sign first."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        content = b""
        while True:
            message = await receive()
            content += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.calls += 1
        traceid = f"2612031200X{self.calls:07d}"
        try:
            verify_request_parameters(
                scope["query_string"], content or None, secret_key={MERCHANT_ID: SecretKey(SECRET_KEY)}.get
            )
        except SignatureError:
            answer = envelope(None, 1, "sign error", traceid)
        else:
            answers = {
                "/openapi/v1/getOrderDetail": envelope(ORDER, traceid=traceid),
                "/openapi/v1/pwpp": envelope(PAYMENT, traceid=traceid),
                "/openapi/v1/createOrderByCreditCard": envelope(None, 90751019, "create order fail: pay fail", traceid),
            }
            answer = answers[scope["path"]]
        await send({"type": "http.response.start", "status": 200, "headers": [JSON]})
        await send({"type": "http.response.body", "body": answer})


class MerchantEndpoint:
    """The merchant's webhook handler: verifies with ``cpay.parse_webhook``, replies OK, or FAIL to a forgery."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        content = b""
        while True:
            message = await receive()
            content += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append(content)
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode()
        try:
            parse_webhook(content, content_type, SECRET_KEY)
            reply = b"OK"
        except SignatureError:
            reply = b"FAIL"
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": reply})


def notification() -> dict[str, Any]:
    """The later documentation's notification of the order above, every field of the spec's webhook, signed."""
    fields: dict[str, Any] = {
        "merchantId": 20003092,
        "merchantTradeNo": ORDER["merchantTradeNo"],
        "merchantUserId": "test002",
        "orderId": ORDER["orderId"],
        "orderStatus": 14,
        "orderAmount": "10",
        "receivedAmount": "9.95",
        "serviceFee": "0.05",
        "currency": "USDT",
        "actualAmount": "10",
        "fee": "0.05",
        "cryptoCurrency": "USDT",
        "network": "TRON(TRC-20)",
        "hash": ORDER["hash"],
        "remark": "",
        "extInfo": "",
        "createTime": 1663155010000,
    }
    return {**fields, "sign": compute_sign(fields, SECRET_KEY)}


def proxy_for(repo: ScratchRepo, recording: Path, merchant: MerchantEndpoint) -> ProxyApp:
    return create_proxy_app(
        ProxyConfig(
            upstream="http://cpay.test",
            secrets={MERCHANT_ID: SECRET_KEY},
            codes=DOCUMENT_CODES,
            spec_path=repo.path / "openapi.yaml",
            record=recording,
            transport=httpx.ASGITransport(app=LaterCPay()),
            webhook_upstream=WEBHOOK_URL,
            webhook_transport=httpx.ASGITransport(app=merchant),
        )
    )


def traffic(proxy: ProxyApp) -> dict[str, Any]:
    """The SDK's calls and C-Pay's webhook (and a forged copy) through ``proxy``: what came back, every sign sent."""
    signs: list[str] = []
    seen: dict[str, Any] = {}

    async def collect(request: httpx.Request) -> None:
        signs.extend(value for name, value in request.url.params.multi_items() if name == "sign")

    async def run() -> None:
        client = create_client(
            "http://proxy.test",
            merchant_id=MERCHANT_ID,
            secret_key=SECRET_KEY,
            raise_business_errors=False,
            async_transport=httpx.ASGITransport(app=proxy),
        )
        async with client:
            client.get_async_httpx_client().event_hooks["request"].append(collect)
            card_order = await create_order_by_credit_card.asyncio_detailed(
                client=client, **body(CreateOrderByCreditCardRequest, "createOrderByCreditCard")()
            )
            seen["card order"] = card_order.parsed
            seen["pwpp"] = (await pwpp.asyncio_detailed(client=client, **body(PwppRequest, "pwpp")())).parsed
            seen["order errors"] = []
            lookups = (
                get_order_detail.asyncio_detailed(client=client, merchant_trade_no=str(ORDER["merchantTradeNo"])),
                get_order_detail.asyncio_detailed(client=client, cpay_order_id=str(ORDER["orderId"])),
            )
            for lookup in lookups:
                try:
                    await lookup
                except ValueError as error:  # today's client cannot read a numeric status
                    seen["order errors"].append(str(error))
        genuine = notification()
        forged = {**genuine, "receivedAmount": "9999"}
        signs.append(genuine["sign"])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://proxy.test") as cpay:
            for fields in (genuine, forged):
                answer = await cpay.post(
                    "/cpay/webhook", content=json.dumps(fields), headers={"content-type": "application/json"}
                )
                seen.setdefault("replies", []).append(answer.text)
        await proxy.aclose()

    asyncio.run(run())
    seen["signs"] = signs
    seen["violations"] = sorted(
        {(violation.operation_id or "", violation.direction, violation.field) for violation in proxy.log.latest()}
    )
    seen["exchanges with violations"] = proxy.log.exchanges_with_violations
    return seen


def suggest(repo: ScratchRepo, recording: Path, overlay: str) -> tuple[str, str]:
    named = os.path.relpath(recording, repo.path)  # as a user names it: ../traffic.jsonl
    result = repo.run(".venv/bin/cpay-emulator", "spec", "suggest", named, "-o", overlay, "--spec", "openapi.yaml")
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


def findings(overlay: Mapping[str, Any]) -> dict[int, list[Mapping[str, Any]]]:
    grouped: dict[int, list[Mapping[str, Any]]] = {}
    for action in overlay["actions"]:
        grouped.setdefault(action["x-cpay-finding"], []).append(action)
    return grouped


def test_a_divergent_server_becomes_a_reviewed_spec_change_and_a_new_client(tmp_path: Path) -> None:
    repo = ScratchRepo.create(tmp_path / "repo")
    merchant = MerchantEndpoint()
    recording = tmp_path / "traffic.jsonl"

    # 1. The SDK and a webhook through the proxy, in front of a server that diverges from openapi.yaml.
    first = traffic(proxy_for(repo, recording, merchant))
    assert len(first["order errors"]) == 2  # the generated client of today cannot read getOrderDetail's answer
    assert "14 is not a valid OrderStatus" in first["order errors"][0]
    assert first["card order"].code == 90751019
    assert first["pwpp"].code == 0
    assert first["replies"] == ["OK", "FAIL"]  # the forgery reached the merchant's handler, which decided
    assert merchant.received[1] == json.dumps({**notification(), "receivedAmount": "9999"}).encode()  # unchanged
    assert first["violations"] == [
        ("getOrderDetail", "response", "data.status"),
        ("orderStatusChanged", "request", "sign"),
    ]
    assert first["exchanges with violations"] == 3  # both order look-ups and the forgery

    # 2. spec suggest: exactly the three findings, each action with its evidence, nothing secret.
    _, summary = suggest(repo, recording, "overlay.yaml")
    assert "4 exchange(s) and 1 webhook notification(s) compared with openapi.yaml, 1 skipped" in summary
    text = repo.read("overlay.yaml")
    overlay = yaml.safe_load(text)
    schema = yaml.safe_load(OVERLAY_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(overlay)  # python-jsonschema: not the validator under test
    grouped = findings(overlay)
    targets = {number: [action["target"] for action in actions] for number, actions in grouped.items()}
    assert sorted(targets.values()) == sorted(
        [
            ["$.components.schemas.OrderDetail.properties.status", "$.components.schemas.OrderDetail.properties"],
            ["$.components.schemas.OrderDetail.properties"],
            ["$.paths['/openapi/v1/createOrderByCreditCard'].post.responses['200'].content['application/json']"],
        ]
    )
    assert "Not expressed as an update" not in text  # no comment either: every documented field was seen
    by_kind = {
        "status" if len(actions) == 2 else "fee" if "serviceFee" in actions[0]["update"] else "code": actions
        for actions in grouped.values()
    }
    status, fee, code = by_kind["status"], by_kind["fee"], by_kind["code"]
    assert status[0]["remove"] is True
    assert status[1]["update"]["status"]["anyOf"][1] == {
        "type": "integer",
        "enum": [0, 11, 14, 15],
        "x-enum-varnames": ["PENDING", "PROCESSING", "COMPLETED", "CLOSED"],
    }
    assert fee[0]["update"]["serviceFee"]["allOf"] == [{"$ref": "#/components/schemas/DecimalString"}]
    example = code[0]["update"]["examples"]["observedCode90751019"]["value"]
    assert example == {
        "code": 90751019,
        "msg": "create order fail: pay fail",
        "data": None,
        "traceid": example["traceid"],
    }
    for action in overlay["actions"]:
        assert re.search(
            r"Evidence: \d+ exchanges? of \w+; the first: traceid 2612031200X\d{7}, \.\./traffic\.jsonl:\d+\.",
            action["description"],
        )
    assert SECRET_KEY not in text
    assert CARD_NUMBER not in text
    assert [sign for sign in first["signs"] if sign in text] == []
    assert len(first["signs"]) == 5

    # 3. The review: the status change breaks callers, so it waits; the rest is applied and regenerated: minor.
    reviewed = {**overlay, "actions": [action for action in overlay["actions"] if action not in status]}
    repo.write("reviewed.yaml", yaml.safe_dump(reviewed, sort_keys=False))
    generate = repo.make("generate", OVERLAY="reviewed.yaml")
    assert generate.returncode == 0, generate.stdout + generate.stderr
    report = generate.stdout
    assert "applied reviewed.yaml to openapi.yaml: 2 action(s), 2 node(s) changed" in report
    assert "- Added: `getOrderDetail`: optional response field `data.serviceFee` added" in report
    assert "- Added: `cpay_client.models.OrderDetail`: optional field `service_fee` added" in report
    assert "Breaking" not in report
    assert "Next version: 2.1.0 (minor: additions or deprecations, nothing breaks)" in report
    assert "service_fee: str | Unset" in repo.read("generated/cpay_client/models/order_detail.py")
    notes = repo.read("docs/spec-notes.md").split("## Changes of the API after v2.0", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^\| \d\d/\d\d/\d{4} \| .* \| unreleased \|$", notes, re.M)) == 2
    assert "sends `data.serviceFee`, which openapi.yaml does not document" in notes
    assert "answers code 90751019 (data null)" in notes

    # 4. The same recording, against the reviewed spec: what is left is the status.
    suggest(repo, recording, "overlay-2.yaml")
    second = findings(yaml.safe_load(repo.read("overlay-2.yaml")))
    assert [[action["target"] for action in actions] for actions in second.values()] == [
        [action["target"] for action in status]
    ]
    generate = repo.make("generate", OVERLAY="overlay-2.yaml")
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert "- Breaking: `getOrderDetail`: response field `data.status`: type string -> string | integer" in (
        generate.stdout
    )
    assert "`cpay_client.models.OrderDetail.status`: type `OrderStatus` -> `OrderDetailStatusType1 | OrderStatus`" in (
        generate.stdout
    )
    assert "Next version: 3.0.0 (major: breaking changes)" in generate.stdout

    # 5. The result lints, and the emulator still conforms to it.
    validator = repo.run(".venv/bin/openapi-spec-validator", "openapi.yaml")
    assert validator.returncode == 0, validator.stdout + validator.stderr
    redocly = repo.run("tools/node_modules/.bin/redocly", "lint", "openapi.yaml", "--config", "redocly.yaml")
    assert redocly.returncode == 0, redocly.stdout + redocly.stderr
    # getOrderDetail's schema changed; createOrderByCreditCard's only gained an example.
    conformance = repo.make("conformance", OPERATIONS="getOrderDetail", SEED="1", MAX_EXAMPLES="5")
    assert conformance.returncode == 0, conformance.stdout + conformance.stderr
    assert "getOrderDetail: data.serviceFee" in conformance.stdout  # a field the emulator never fills: listed

    # 6. The same traffic through a proxy holding the new spec: nothing to report but the forgery.
    again = traffic(proxy_for(repo, tmp_path / "again.jsonl", MerchantEndpoint()))
    assert again["violations"] == [("orderStatusChanged", "request", "sign")]
    assert again["exchanges with violations"] == 1

    # 7. And a second suggest over the first recording finds nothing.
    _, summary = suggest(repo, recording, "overlay-3.yaml")
    assert "no finding: the recordings agree with the spec" in summary
    assert not (repo.path / "overlay-3.yaml").exists()


def test_the_divergent_answers_are_signed_requests_only() -> None:
    """The double checks signs, so the traffic above proves the SDK signed through the proxy: a wrong one fails."""
    query, _ = sign_request_parameters(b"merchantTradeNo=x", None, merchant_id=MERCHANT_ID, secret_key="wrong")

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=LaterCPay()), base_url="http://c") as client:
            return await client.get(f"/openapi/v1/getOrderDetail?{query.decode()}")

    assert json.loads(asyncio.run(run()).content)["msg"] == "sign error"
