"""The wire shapes: each one shows exactly its section's fields, and the hot-path copy equals the plain mapping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay import SecretKey, verify_sign
from cpay_emulator import Merchant, Order, OrderKind, OrderStatus
from cpay_emulator.backends import views
from cpay_emulator.shared.refs import inline_refs

amounts = st.decimals(min_value=0, max_value=10**9, places=8, allow_nan=False, allow_infinity=False)
text = st.text(max_size=12)
orders = st.builds(
    Order,
    order_id=st.from_regex(r"[0-9]{21}", fullmatch=True) | text,
    merchant_id=st.from_regex(r"[0-9]{8}", fullmatch=True),
    kind=st.sampled_from(OrderKind),
    merchant_trade_no=st.none() | text,
    user_id=text,
    status=st.sampled_from(OrderStatus),
    currency=st.sampled_from(["USDT", "BTC", "ETH", "USD"]),
    network=text,
    order_amount=amounts,
    actual_amount=amounts,
    received_amount=amounts,
    fee=amounts,
    hash=text,
    to_address=text,
    callback_url=text,
    success_url=text,
    fail_url=text,
    remark=text,
    ext_info=text,
    create_time=st.integers(min_value=0, max_value=2**53),
    created_at=st.integers(min_value=0, max_value=2**53),
    updated_at=st.integers(min_value=0, max_value=2**53),
)
MERCHANT = Merchant(merchant_id="20001234", secret_key=SecretKey("views-secret"))


@given(order=orders, cashier=text)
def test_the_hot_path_create_order_answer_is_the_plain_mapping(order: Order, cashier: str) -> None:
    fast = views.created_order(order, cashier)
    plain = views.created_order_plain(order, cashier)
    assert list(fast.items()) == list(plain.items())  # the same fields, values and key order (the bytes)


def test_the_plain_mapping_really_reads_the_order() -> None:
    # The comparison above means something only if both follow the order: a changed field shows up in each.
    order = _order(OrderStatus.PENDING, success_url="https://shop.example/ok")
    for answer in (views.created_order(order, "https://cashier"), views.created_order_plain(order, "https://cashier")):
        assert (answer["merchantTradeNo"], answer["orderAmount"], answer["createTime"]) == ("t1", "19.01", "1")
        assert (answer["successURL"], answer["cashierURL"], answer["status"]) == (
            "https://shop.example/ok",
            "https://cashier",
            "0",
        )


def _data_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``data`` inside an envelope schema (``allOf`` parts are searched)."""
    for part in [schema, *schema.get("allOf", [])]:
        data = part.get("properties", {}).get("data")
        if data is not None:
            return _object_schema(data)
    raise AssertionError("no data in the envelope schema")


def _object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    if "properties" in schema:
        return schema
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            found = _object_schema(part)
            if found:
                return found
    return {}


@pytest.mark.parametrize(
    ("operation_id", "fields"),
    [
        ("withdraw", views.WITHDRAWAL_FIELDS),
        ("createFiatPayoutOrder", views.FIAT_PAYOUT_FIELDS),
        ("getOrderDetail", views.ORDER_DETAIL_FIELDS),
        ("createOrder", views.CREATED_ORDER_FIELDS),
        ("createOrderByCreditCard", (*views.CARD_ORDER_FIELDS, "sign")),
    ],
)
def test_each_order_answer_shows_exactly_the_fields_of_its_section(
    spec: dict[str, Any], operation_id: str, fields: tuple[str, ...]
) -> None:
    operation = next(
        operation
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post") and operation["operationId"] == operation_id
    )
    envelope = inline_refs(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert sorted(fields) == sorted(_data_schema(envelope)["properties"])


def test_the_webhook_shows_exactly_the_fields_of_the_notification(spec: dict[str, Any]) -> None:
    notification = spec["components"]["schemas"]["WebhookNotification"]
    assert sorted([*views.WEBHOOK_FIELDS, "sign"]) == sorted(notification["properties"])


def test_card_order_data_is_signed_over_its_other_fields() -> None:
    data = views.card_order(_order(OrderStatus.PENDING), "https://cashier", MERCHANT.secret_key)
    assert data["pledgeAmount"] == ""  # section 14's example, unlike section 13's "0"
    assert verify_sign({k: v for k, v in data.items() if k != "sign"}, MERCHANT.secret_key, str(data["sign"]))


def _order(status: OrderStatus, success_url: str = "") -> Order:
    return Order(
        order_id="221116112637772768014",
        merchant_id=MERCHANT.merchant_id,
        kind=OrderKind.PWPP,
        merchant_trade_no="t1",
        user_id="u1",
        status=status,
        currency="USD",
        network="",
        order_amount=Decimal("19.01"),
        actual_amount=Decimal(0),
        received_amount=Decimal(0),
        fee=Decimal(0),
        hash="",
        to_address="",
        callback_url="",
        success_url=success_url,
        fail_url="",
        remark="",
        ext_info="",
        create_time=1,
        created_at=1,
        updated_at=1,
    )


def test_a_final_card_charge_goes_to_the_merchant_or_the_result_page_and_3ds_to_the_cashier() -> None:
    base = "http://emulator"
    final = _order(OrderStatus.COMPLETED, success_url="https://shop.example/done?x=1")
    assert views.card_redirect(base, final, MERCHANT) == "https://shop.example/done?x=1&txnRef=221116112637772768014"
    no_landing = _order(OrderStatus.COMPLETED)
    assert views.card_redirect(base, no_landing, MERCHANT) == f"{base}/cashier/result?txnRef=221116112637772768014"
    three_ds = _order(OrderStatus.PENDING)
    assert views.card_redirect(base, three_ds, MERCHANT) == views.cashier_url(base, three_ds, MERCHANT)
