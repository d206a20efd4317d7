"""``spec suggest`` (``proxy.learning``): each kind of finding, the overlay it writes, and what never goes into it.

Most recordings here are written line by line in the recorder's format (``proxy.recording``), one divergence at a
time; the secret scan records real traffic through the proxy instead, so that the masking it relies on is the
recorder's own. ``tests/e2e/test_traffic_to_spec.py`` runs the whole loop on a scratch copy of the repository.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from sdk_calls import CALLS, SPEC, SPEC_PATH

from cpay_emulator import EmulatorConfig, create_app
from cpay_emulator.cli.main import main
from cpay_emulator.proxy.learning import FINDING, Suggestion, read_exchanges, suggest
from cpay_emulator.shared.overlay import OVERLAY_SCHEMA_PATH, apply_overlay

from .conftest import MERCHANT_ID, SECRET_KEY, proxy_for, sdk_client_of

ORDER: dict[str, Any] = {
    "orderId": "2209141130105863014",
    "status": "14",
    "merchantTradeNo": "m-1",
    "merchantUserId": "u-1",
    "hash": "c4db",
    "actualAmount": "10",
    "receivedAmount": "9.95",
    "pledgeAmount": "0",
    "fee": "0.05",
    "currency": "USDT",
    "createTime": 1663155010000,
    "merchantId": 20003092,
    "extInfo": "",
    "network": "TRON",
    "remark": "",
}
OVERLAY_SCHEMA = yaml.safe_load(OVERLAY_SCHEMA_PATH.read_text(encoding="utf-8"))


def order_lookup(
    data: Any, *, code: int = 0, msg: str = "success", traceid: str = "T1", **request: str
) -> dict[str, Any]:
    """A recorded getOrderDetail exchange, as the recorder writes one."""
    return {
        "exchange": 1,
        "operationId": "getOrderDetail",
        "method": "GET",
        "path": "/openapi/v1/getOrderDetail",
        "merchantId": MERCHANT_ID,
        "request": {"merchantId": MERCHANT_ID, "merchantTradeNo": "m-1", **request, "sign": "valid"},
        "status": 200,
        "response": {"code": code, "msg": msg, "data": data, "traceid": traceid},
    }


def record(tmp_path: Path, *entries: dict[str, Any], name: str = "traffic.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    return path


def suggested(path: Path, spec: dict[str, Any] | None = None) -> Suggestion:
    return suggest(spec if spec is not None else SPEC, read_exchanges([path]))


def summaries(result: Suggestion) -> list[str]:
    return [finding.summary for finding in result.findings]


def targets(result: Suggestion) -> list[str]:
    return [action["target"] for action in result.actions]


def test_what_the_spec_says_is_no_finding(tmp_path: Path) -> None:
    assert suggested(record(tmp_path, order_lookup(ORDER))).findings == ()


def test_an_undocumented_field_is_added_where_the_others_are_with_its_type_and_an_example(tmp_path: Path) -> None:
    nested = {"rate": "0.01", "tier": 2}
    result = suggested(record(tmp_path, order_lookup({**ORDER, "serviceFee": "0.05", "terms": nested})))
    assert summaries(result) == [
        'getOrderDetail sends `data.serviceFee`, which openapi.yaml does not document: seen as string (e.g. "0.05").',
        "getOrderDetail sends `data.terms`, which openapi.yaml does not document: seen as object.",
    ]
    fee, terms = (action["update"] for action in result.actions)
    assert targets(result) == ["$.components.schemas.OrderDetail.properties"] * 2
    assert fee["serviceFee"]["allOf"] == [{"$ref": "#/components/schemas/DecimalString"}]  # an amount, as amounts are
    assert fee["serviceFee"]["examples"] == ["0.05"]
    assert terms["terms"]["properties"] == {
        "rate": {"allOf": [{"$ref": "#/components/schemas/DecimalString"}]},
        "tier": {"type": "integer"},
    }


def test_a_number_where_a_string_enum_lists_numbers_becomes_a_branch_of_their_integers(tmp_path: Path) -> None:
    result = suggested(record(tmp_path, order_lookup({**ORDER, "status": 14}), order_lookup({**ORDER, "status": 0})))
    (finding,) = result.findings
    assert finding.summary == (
        "getOrderDetail sends `data.status` as a JSON integer (14, 0), where openapi.yaml types it string."
    )
    remove, update = finding.actions
    assert (remove["target"], remove["remove"]) == ("$.components.schemas.OrderDetail.properties.status", True)
    assert update["target"] == "$.components.schemas.OrderDetail.properties"
    status = update["update"]["status"]
    assert status["anyOf"] == [
        {"$ref": "#/components/schemas/OrderStatus"},
        {
            "type": "integer",
            "enum": [0, 11, 14, 15],
            "x-enum-varnames": ["PENDING", "PROCESSING", "COMPLETED", "CLOSED"],
        },
    ]
    assert status["description"].startswith("The order's state: `0` pending")  # OrderStatus's, kept for the docs
    assert remove[FINDING] == update[FINDING] == 1
    assert "Step 1 of 2" in remove["description"]
    assert "delete both actions or neither" in remove["description"]


def test_an_enum_value_outside_the_enum_is_appended_where_the_enum_is_defined(tmp_path: Path) -> None:
    result = suggested(record(tmp_path, order_lookup({**ORDER, "status": "16"})))
    (action,) = result.actions
    assert action["target"] == "$.components.schemas.OrderStatus"
    assert action["update"] == {
        "enum": ["16"],
        "x-enum-varnames": ["VALUE_16"],
        "x-enum-descriptions": ["Not in C-Pay's documents: seen in traffic by cpay-emulator spec suggest"],
    }


def test_data_null_where_the_spec_has_an_object_makes_data_nullable(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    envelope = spec["components"]["schemas"]["GetOrderDetailResponse"]["properties"]
    envelope["data"] = {"$ref": "#/components/schemas/OrderDetail"}  # not nullable, unlike the real spec
    result = suggested(record(tmp_path, order_lookup(None, code=10301, msg="order not found")), spec)
    data, code = result.findings
    assert data.summary == "getOrderDetail sends `data` as null, where openapi.yaml has object."
    assert [action["target"] for action in data.actions] == [
        "$.components.schemas.GetOrderDetailResponse.properties.data",
        "$.components.schemas.GetOrderDetailResponse.properties",
    ]
    assert data.actions[1]["update"]["data"]["anyOf"] == [
        {"$ref": "#/components/schemas/OrderDetail"},
        {"type": "null"},
    ]
    assert code.summary.startswith("getOrderDetail answers code 10301 (data null)")

    envelope["data"] = {"anyOf": [{"$ref": "#/components/schemas/OrderDetail"}]}  # a union without null
    (data, _) = suggested(record(tmp_path, order_lookup(None, code=10301)), spec).findings
    (action,) = data.actions
    assert action == {**action, "target": "$.components.schemas.GetOrderDetailResponse.properties.data"}
    assert action["update"] == {"anyOf": [{"type": "null"}]}  # appended to the union: one action


def test_a_code_no_example_shows_becomes_an_example_with_the_msg_seen(tmp_path: Path) -> None:
    lookups = [
        order_lookup(None, code=90751019, msg=f"create order fail: {why}", traceid=f"T{n}")
        for n, why in ((1, "a"), (2, "b"))
    ]
    result = suggested(record(tmp_path, *lookups, order_lookup(ORDER)))
    (finding,) = result.findings
    assert finding.summary == (
        "getOrderDetail answers code 90751019 (data null), which no example of its response in openapi.yaml shows; "
        'msg seen: "create order fail: a"; "create order fail: b".'
    )
    (action,) = finding.actions
    assert action["target"] == "$.paths['/openapi/v1/getOrderDetail'].get.responses['200'].content['application/json']"
    example = action["update"]["examples"]["observedCode90751019"]
    assert example["value"] == {"code": 90751019, "msg": "create order fail: a", "data": None, "traceid": "T1"}
    assert "Evidence: 2 exchanges of getOrderDetail; the first: traceid T1, " in action["description"]


def test_parameters_the_spec_lacks_are_added_and_a_near_miss_is_only_named(tmp_path: Path) -> None:
    create = {
        "exchange": 2,
        "operationId": "createOrder",
        "method": "POST",
        "path": "/openapi/v1/createOrder",
        "request": {
            "merchantId": MERCHANT_ID,
            "merchantTradeNo": "m-2",
            "channel": "web",
            "callbackURL": "https://x",
            "sign": "valid",
        },
        "status": 200,
        "response": {"code": 90751015, "msg": "pay fail", "data": None, "traceid": "T2"},
    }
    result = suggested(record(tmp_path, order_lookup(ORDER, utm="mail"), create))
    assert targets(result) == [
        "$.paths['/openapi/v1/getOrderDetail'].get.parameters",
        "$.paths['/openapi/v1/createOrder'].post.responses['200'].content['application/json']",
        "$.components.schemas.CreateOrderRequest.properties",
    ]
    utm, _, channel = (action["update"] for action in result.actions)
    assert utm == {
        **utm,
        "name": "utm",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "example": "mail",
    }
    assert channel["channel"]["type"] == "string"
    (near_miss,) = result.comments
    assert "`callbackURL`, which differs from the declared `callBackURL` only in letter case" in near_miss.summary


def test_a_documented_field_never_seen_is_a_comment_not_a_removal(tmp_path: Path) -> None:
    sparse = {name: value for name, value in ORDER.items() if name != "pledgeAmount"}
    result = suggested(record(tmp_path, order_lookup(sparse), order_lookup(sparse)))
    assert result.actions == []
    (comment,) = result.comments
    assert comment.summary.startswith(
        "getOrderDetail: `data.pledgeAmount` is documented but absent from all 2 answer(s)"
    )
    assert suggested(record(tmp_path, order_lookup(sparse), order_lookup(ORDER))).findings == ()  # seen once: enough


def notification(sign: str = "valid", **fields: Any) -> dict[str, Any]:
    values = {
        "merchantId": 20003092,
        "orderId": "1",
        "orderStatus": 14,
        "actualAmount": "10",
        "receivedAmount": "10",
        "fee": "0",
        "createTime": 1663155010000,
    }
    return {
        "kind": "webhook",
        "exchange": 3,
        "operationId": "orderStatusChanged",
        "method": "POST",
        "path": "/cpay/webhook",
        "format": "json",
        "request": {**values, **fields, "sign": sign},
        "status": 200,
        "response": "OK",
    }


def test_webhook_recordings_are_read_and_forged_notifications_are_not(tmp_path: Path) -> None:
    genuine = notification(refundAmount="1.5")
    forged = notification("invalid", forgedField="x")
    result = suggested(record(tmp_path, genuine, forged))
    assert (result.notifications, result.skipped) == (1, 1)
    (action,) = result.actions
    assert action["target"] == "$.components.schemas.WebhookNotification.properties"
    assert list(action["update"]) == ["refundAmount"]
    assert "Evidence: 1 notification of orderStatusChanged; the first: " in action["description"]


def test_every_action_cites_its_evidence_and_the_overlay_is_overlay_1_0(tmp_path: Path) -> None:
    path = record(
        tmp_path,
        order_lookup({**ORDER, "status": 14, "serviceFee": "0.05"}, traceid="T7"),
        order_lookup(None, code=90751019, traceid="T8"),
        notification(refundAmount="1.5"),
    )
    result = suggested(path)
    document = result.overlay("test", "openapi.yaml")
    jsonschema.Draft202012Validator(OVERLAY_SCHEMA).validate(document)  # python-jsonschema, the other validator
    assert len(document["actions"]) == 5
    for action in document["actions"]:
        assert f"{path}:" in action["description"]
        assert " Evidence: " in action["description"]
        assert isinstance(action[FINDING], int)
    text = result.overlay_text([str(path)], "openapi.yaml")
    assert yaml.safe_load(text)["actions"] == document["actions"]


def test_the_suggested_overlay_once_applied_leaves_nothing_to_suggest(tmp_path: Path) -> None:
    path = record(
        tmp_path,
        order_lookup({**ORDER, "status": 14, "serviceFee": "0.05", "terms": {"tier": 2}}, utm="mail"),
        order_lookup({**ORDER, "status": "16"}),
        order_lookup(None, code=90751019),
        notification(refundAmount="1.5"),
    )
    result = suggested(path)
    spec = copy.deepcopy(SPEC)  # apply_overlay takes plain data too (spec apply gives it ruamel's)
    apply_overlay(spec, result.overlay("test", "openapi.yaml"))
    again = suggested(path, spec)
    assert again.actions == []
    assert summaries(again) == [comment.summary for comment in result.comments]  # the webhook's fields left out
    assert all("is documented but absent" in comment.summary for comment in again.comments)


def echoing(upstream: Any) -> Callable[..., Any]:
    """``upstream`` with each answer of pwpp echoing the card number, the secret key and a sign in new fields."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] != "/openapi/v1/pwpp":
            await upstream(scope, receive, send)
            return
        messages: list[Any] = []

        async def capture(message: Any) -> None:
            messages.append(message)

        await upstream(scope, receive, capture)
        answer = json.loads(b"".join(message.get("body", b"") for message in messages))
        card = dict(httpx.QueryParams(scope["query_string"].decode()).multi_items())  # the sign is in the query
        answer["data"] = {
            **(answer["data"] or {}),
            "cardNo": "4111111111111111",
            "note": f"key {SECRET_KEY}",
            "checksum": card.get("sign", ""),
        }
        body = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return app


def test_no_secret_key_sign_or_card_number_reaches_the_overlay(tmp_path: Path) -> None:
    emulator = create_app(EmulatorConfig(webhook_worker=False))
    for currency in ("USDT", "BRL", "USD"):
        emulator.state.emulator.ledger.set_balance(MERCHANT_ID, currency, Decimal("1000"))
    recording = tmp_path / "traffic.jsonl"
    proxy = proxy_for(echoing(emulator), record=recording)
    signs: list[str] = []

    async def collect(request: httpx.Request) -> None:
        signs.extend(value for name, value in request.url.params.multi_items() if name == "sign")

    async def run() -> None:
        client = sdk_client_of(proxy)
        async with client:
            client.get_async_httpx_client().event_hooks["request"].append(collect)
            for call in CALLS:
                await call.asend(client)
        await proxy.aclose()

    asyncio.run(run())
    emulator.state.store.close()
    result = suggested(recording)
    text = result.overlay_text([str(recording)], "openapi.yaml")
    named = {field for finding in result.findings for field in re.findall(r"`(data\.\w+)`", finding.summary)}
    assert {"data.cardNo", "data.note", "data.checksum"} <= named
    assert SECRET_KEY not in text
    assert "4111111111111111" not in text
    assert [sign for sign in signs if sign in text] == []
    assert len(signs) == len(CALLS)


def run_cli(*arguments: str) -> int:
    return main(list(arguments))


def test_suggest_writes_no_overlay_when_nothing_or_only_comments_are_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = tmp_path / "overlay.yaml"
    agreeing = record(tmp_path, order_lookup(ORDER))
    assert run_cli("spec", "suggest", str(agreeing), "-o", str(overlay), "--spec", str(SPEC_PATH)) == 0
    assert "no finding: the recordings agree with the spec" in capsys.readouterr().err
    without = {name: value for name, value in ORDER.items() if name != "pledgeAmount"}
    sparse = record(tmp_path, order_lookup(without), name="sparse.jsonl")
    assert run_cli("spec", "suggest", str(sparse), "-o", str(overlay), "--spec", str(SPEC_PATH)) == 0
    assert "no overlay written: no finding can be expressed as an update" in capsys.readouterr().err
    assert not overlay.exists()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not json\n", encoding="utf-8")
    assert run_cli("spec", "suggest", str(broken), "--spec", str(SPEC_PATH)) == 2
    assert f"{broken}:1: not a JSON line of a proxy recording" in capsys.readouterr().err


SMALL_SPEC = """\
openapi: 3.1.0
info: {title: C-Pay API, version: "2.0"}
paths: {}
"""
"""For the refusals: ruamel.yaml takes about a second to read and write the whole spec."""


def spec_copy(tmp_path: Path, text: str | None = None) -> tuple[Path, Path]:
    (tmp_path / "docs").mkdir()
    spec = tmp_path / "openapi.yaml"
    spec.write_text(text if text is not None else SPEC_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    notes = tmp_path / "docs" / "spec-notes.md"
    notes.write_text((SPEC_PATH.parent / "docs" / "spec-notes.md").read_text(encoding="utf-8"), encoding="utf-8")
    return spec, notes


def test_apply_writes_the_spec_and_a_notes_row_per_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, notes = spec_copy(tmp_path)
    before = notes.read_text(encoding="utf-8")
    traffic = record(tmp_path, order_lookup({**ORDER, "status": 14, "serviceFee": "0.05"}))
    overlay = tmp_path / "overlay.yaml"
    assert run_cli("spec", "suggest", str(traffic), "-o", str(overlay), "--spec", str(spec)) == 0
    assert yaml.safe_load(overlay.read_text(encoding="utf-8"))["extends"] == "openapi.yaml"

    assert run_cli("spec", "apply", str(overlay), "--spec", str(spec)) == 0
    assert f"applied {overlay} to {spec}: 3 action(s), 3 node(s) changed" in capsys.readouterr().out
    order = yaml.safe_load(spec.read_text(encoding="utf-8"))["components"]["schemas"]["OrderDetail"]["properties"]
    assert "serviceFee" in order
    assert "anyOf" in order["status"]
    added = [line for line in notes.read_text(encoding="utf-8").splitlines() if line not in before.splitlines()]
    assert len(added) == 2
    assert all(line.endswith("| unreleased |") for line in added)
    assert "getOrderDetail sends `data.status` as a JSON integer (14)" in added[0]
    assert (
        f"Traffic recorded by `cpay-emulator proxy`: 1 exchange of getOrderDetail; the first: traceid T1, {traffic}:1"
        in added[0]
    )


@pytest.mark.parametrize(
    ("overlay_text", "message"),
    [
        ("overlay: 1.0.0\ninfo: {title: t}\nactions: []\n", "is not an Overlay 1.0 document"),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info.title\n    update: x\n",
            "a primitive",
        ),
    ],
    ids=["not-overlay-1.0", "update-of-a-primitive"],
)
def test_apply_refuses_a_bad_overlay_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], overlay_text: str, message: str
) -> None:
    spec, notes = spec_copy(tmp_path, SMALL_SPEC)
    texts = spec.read_text(encoding="utf-8"), notes.read_text(encoding="utf-8")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(overlay_text, encoding="utf-8")
    assert run_cli("spec", "apply", str(overlay), "--spec", str(spec)) == 2
    assert message in capsys.readouterr().err
    assert (spec.read_text(encoding="utf-8"), notes.read_text(encoding="utf-8")) == texts


def test_apply_writes_nothing_when_the_notes_have_no_table_of_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, notes = spec_copy(tmp_path, SMALL_SPEC)
    notes.write_text("# Spec notes\n\nNo table here.\n", encoding="utf-8")
    text = spec.read_text(encoding="utf-8")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: {x-note: 1}\n",
        encoding="utf-8",
    )
    assert run_cli("spec", "apply", str(overlay), "--spec", str(spec)) == 2
    assert "the notes have no '## Changes of the API after v2.0' section" in capsys.readouterr().err
    assert spec.read_text(encoding="utf-8") == text
