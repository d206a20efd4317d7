"""Hostile input to the C-Pay API and the control API (issue 19): a clear error, never a 500 or a traceback.

The C-Pay API answers an envelope with a non-zero code naming the field; the control API a 4xx with a JSON error.
``no_tracebacks`` fails a test when anything was logged with an exception, as a 500 path would.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from cpay_emulator import ErrorCode
from cpay_emulator.shared.jsontext import MAX_JSON_DEPTH, load_json_text

from .test_api import PRODUCTS, now, pwpp_form

V1 = "/openapi/v1"
DEEP = "[" * 2000 + "]" * 2000
LONE_SURROGATE = '[{"name": "\\ud800", "price": "1.00", "num": "1", "currency": "USD"}]'
KYC_RECORD = {
    "userId": "u1",
    "firstName": "hart",
    "lastName": "lee",
    "brithday": "1987-05-01",
    "gender": "male",
    "country": "RU",
    "email": "asdf@gmail.com",
    "mobile": "23452345",
}


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.INFO)
    yield
    logged = [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]
    assert logged == [], [record.getMessage() for record in logged]


def card_order_form(products: str) -> dict[str, str]:
    return {
        "merchantTradeNo": "cc-1",
        "userId": "user-1",
        "amount": "19.01",
        "currency": "USD",
        "createTime": now(),
        "products": products,
        "country": "US",
        "email": "hart@example.com",
        "ip": "203.0.113.7",
    }


def refused(response: Any, field: str, rule: str) -> None:
    assert response.status_code == 200
    envelope = response.json()
    assert (envelope["code"], envelope["msg"]) == (ErrorCode.INVALID_PARAMETER, f"invalid parameter {field}: {rule}")


DEPTH_RULE = f"is nested deeper than {MAX_JSON_DEPTH} levels"
SURROGATE_RULE = "holds a lone surrogate (a \\ud800-\\udfff escape outside a pair)"


@pytest.mark.parametrize(("products", "rule"), [(DEEP, DEPTH_RULE), (LONE_SURROGATE, SURROGATE_RULE)])
def test_a_signed_pwpp_with_hostile_products_gets_an_envelope_naming_the_field(
    client: Any, products: str, rule: str
) -> None:
    form = {**pwpp_form("4242424242424242", "p-deep"), "products": products}
    refused(client.post(f"{V1}/pwpp", data=form), "products", rule)
    assert control_orders(client) == []  # nothing half-made


@pytest.mark.parametrize(("products", "rule"), [(DEEP, DEPTH_RULE), (LONE_SURROGATE, SURROGATE_RULE)])
def test_a_card_order_with_hostile_products_gets_an_envelope_naming_the_field(
    client: Any, products: str, rule: str
) -> None:
    refused(client.post(f"{V1}/createOrderByCreditCard", data=card_order_form(products)), "products", rule)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (DEEP, DEPTH_RULE),
        ("[" * 33 + "]" * 33, DEPTH_RULE),
        (json.dumps([{**KYC_RECORD, "gender": "\ud800"}]), SURROGATE_RULE),  # an enum: jsonschema-rs raised
        ("[{", "must be JSON text"),
    ],
    ids=["2000-deep", "33-deep", "surrogate-in-an-enum", "not-json"],
)
def test_a_submit_kyc_with_hostile_data_gets_an_envelope_naming_the_field(client: Any, data: str, rule: str) -> None:
    refused(client.post(f"{V1}/submitKYC", data={"data": data}), "data", rule)


@pytest.mark.parametrize(
    ("ext_info", "rule"), [("[" * 100 + "]" * 100, DEPTH_RULE), ('{"a": "\\udc00"}', SURROGATE_RULE)]
)
def test_a_fiat_payout_with_a_hostile_ext_info_gets_an_envelope_naming_the_field(
    client: Any, ext_info: str, rule: str
) -> None:
    form = {
        "userId": "1001",
        "merchantTradeNo": "fiat-1",
        "payoutChannel": "1",
        "amount": "5",
        "currency": "BRL",
        "accountType": "1",
        "toAccount": "4864330123",
        "country": "BRA",
        "createTime": now(),
        "extInfo": ext_info,
    }
    refused(client.post(f"{V1}/createFiatPayoutOrder", data=form), "extInfo", rule)


def test_json_within_the_depth_is_still_read(client: Any) -> None:
    assert load_json_text("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    assert load_json_text('["\\ud83d\\ude00"]') == ["\U0001f600"]  # a surrogate pair is a character, not refused
    ok = client.post(f"{V1}/pwpp", data=pwpp_form("4242424242424242", "p-ok") | {"products": PRODUCTS}).json()
    assert ok["code"] == 0, ok


@pytest.mark.parametrize("text", ['["\\ud800"]', '["\ud800"]', '{"\\udc00x": 1}', '["\\ude00\\ud83d"]'])
def test_a_lone_surrogate_escaped_or_raw_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="holds a lone surrogate"):
        load_json_text(text)


def control_orders(client: Any) -> list[Any]:
    listed: list[Any] = client.get("/_emulator/orders", auth=None).json()["data"]
    return listed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP.encode(), f"the body is nested deeper than {MAX_JSON_DEPTH} levels"),
        (b'{"prices": {"BTC": "\\ud800"}}', f"the body {SURROGATE_RULE}"),
        (b'{"prices": {"\\udfff": "1"}}', f"the body {SURROGATE_RULE}"),
        (b'{"prices": {"BTC": "\xff"}}', "the body must be UTF-8 JSON text"),
        (b"{", "the body must be JSON text"),
    ],
    ids=["2000-deep", "surrogate-value", "surrogate-name", "not-utf8", "not-json"],
)
def test_a_hostile_control_body_gets_a_400_json_error(client: Any, body: bytes, message: str) -> None:
    before = client.get("/_emulator/rates", auth=None).json()
    response = client.put("/_emulator/rates", content=body, headers={"content-type": "application/json"}, auth=None)
    assert response.status_code == 400
    assert response.json() == {"code": ErrorCode.MALFORMED_REQUEST, "msg": message, "data": None}
    assert client.get("/_emulator/rates", auth=None).json() == before


@pytest.mark.parametrize(
    "delivery_id",
    ["1180591620717411303424", "-1180591620717411303424", "9223372036854775808", "0", "-1", "9" * 5000],
    ids=["2**70", "-2**70", "2**63", "zero", "negative", "5000-digits"],
)
def test_an_out_of_range_delivery_id_is_not_found(client: Any, delivery_id: str) -> None:
    response = client.post(f"/_emulator/webhooks/{delivery_id}/resend", auth=None)
    assert response.status_code == 404
    assert response.json()["code"] == ErrorCode.WEBHOOK_NOT_FOUND
    assert len(response.json()["msg"]) < 100


@pytest.mark.parametrize("delivery_id", ["abc", "1.5", "١٢", "1_0"])
def test_a_delivery_id_that_is_no_integer_is_an_invalid_parameter(client: Any, delivery_id: str) -> None:
    response = client.post(f"/_emulator/webhooks/{delivery_id}/resend", auth=None)
    assert (response.status_code, response.json()["msg"]) == (422, "invalid parameter deliveryId: must be an integer")


@pytest.mark.parametrize(
    "path",
    [
        "/orders/1180591620717411303424",
        "/orders/" + "9" * 5000,
        "/orders/%00",
        "/merchants/1180591620717411303424/balances",
        "/merchants/" + "9" * 5000 + "/balances",
    ],
)
def test_an_out_of_range_order_or_merchant_id_is_not_found(client: Any, path: str) -> None:
    response = client.get(f"/_emulator{path}", auth=None)
    assert response.status_code == 404
    assert response.json()["code"] in (ErrorCode.ORDER_NOT_FOUND, ErrorCode.UNKNOWN_MERCHANT)


@pytest.mark.parametrize("method", ["pay", "fail", "process", "complete", "close"])
def test_an_out_of_range_order_id_is_not_found_by_every_transition(client: Any, method: str) -> None:
    response = client.post(f"/_emulator/orders/{'9' * 5000}/{method}", json={}, auth=None)
    assert (response.status_code, response.json()["code"]) == (404, ErrorCode.ORDER_NOT_FOUND)


def test_a_balance_of_an_out_of_range_merchant_is_not_found(client: Any) -> None:
    response = client.put(f"/_emulator/merchants/{'9' * 5000}/balances/USDT", json={"available": "1"}, auth=None)
    assert (response.status_code, response.json()["code"]) == (404, ErrorCode.UNKNOWN_MERCHANT)


def test_a_merchant_id_longer_than_the_document_allows_is_not_created(client: Any) -> None:
    response = client.put(f"/_emulator/merchants/{'9' * 65}", json={"secretKey": "k"}, auth=None)
    assert (response.status_code, response.json()["msg"]) == (
        422,
        "invalid parameter merchantId: must be at most 64 characters",
    )
    merchants = client.get("/_emulator/merchants", auth=None).json()["data"]
    assert all(len(merchant["merchantId"]) <= 64 for merchant in merchants)
