"""The shop's payment flows against the C-Pay emulator, using only the fixtures of its pytest plugin."""

from __future__ import annotations

from typing import Any

import pytest

from cpay import OrderStatus
from cpay_emulator.testing import CPayEmulator

from .conftest import WEBHOOK_URL


def place(shop: Any, amount: str = "25.00", method: str = "crypto", expected: int = 201) -> dict[str, Any]:
    response = shop.post("/orders", json={"amount": amount, "method": method, "customer": "alice"})
    assert response.status_code == expected, response.text
    order: dict[str, Any] = response.json()
    return order


def shop_order(shop: Any, order_id: str) -> dict[str, Any]:
    order: dict[str, Any] = shop.get(f"/orders/{order_id}").json()
    return order


def test_a_paid_order_is_marked_paid_and_shipped_once(shop: Any, cpay_emulator: CPayEmulator) -> None:
    order = place(shop)
    assert order["cashierURL"].startswith("http://cpay-emulator.test/cashier/payment?orderId=")
    cpay_emulator.pay(order["cpayOrderId"])  # the customer pays on the cashier page; C-Pay's webhooks follow
    paid = shop_order(shop, order["orderId"])
    assert (paid["status"], paid["received"], paid["fulfilled"]) == ("paid", "24.875", 1)  # 0.5 % fee


@pytest.mark.parametrize("method", ["crypto", "card"])
def test_c_pay_posts_the_webhooks_to_the_shop_s_own_url(shop: Any, cpay_emulator: CPayEmulator, method: str) -> None:
    order = place(shop, method=method)
    cpay_emulator.pay(order["cpayOrderId"])
    assert {delivery.url for delivery in cpay_emulator.webhooks} == {WEBHOOK_URL}  # not the merchant's default


@pytest.mark.cpay_emulator(order_ttl=900)
def test_an_order_left_unpaid_expires(shop: Any, cpay_emulator: CPayEmulator) -> None:
    order = place(shop)
    assert cpay_emulator.advance(899) == []
    assert shop_order(shop, order["orderId"])["status"] == "awaiting_payment"
    assert cpay_emulator.advance(1) == [order["cpayOrderId"]]
    expired = shop_order(shop, order["orderId"])
    assert expired["status"] == "failed"
    assert "Order expired" in expired["failure"]


def test_a_declined_card_fails_the_order_and_no_payment_exists(shop: Any, cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.fail_next("createOrderByCreditCard", 90751015)
    order = place(shop, method="card", expected=402)
    assert (order["status"], order["failure"]) == ("failed", "90751015: pay fail")
    assert cpay_emulator.orders() == []


@pytest.mark.cpay_emulator(webhook_statuses="all")  # PROCESSING too: C-Pay does not send it, but a shop may get it
def test_a_webhook_delivered_twice_or_out_of_order_ships_once(shop: Any, cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.duplicate_webhooks(times=2)
    cpay_emulator.webhooks_out_of_order()
    order = place(shop)
    cpay_emulator.pay(order["cpayOrderId"])
    deliveries = cpay_emulator.webhooks
    assert [len(delivery.attempts) for delivery in deliveries] == [2, 2]  # PROCESSING and COMPLETED, twice each
    paid = shop_order(shop, order["orderId"])
    assert (paid["status"], paid["fulfilled"]) == ("paid", 1)  # COMPLETED came first; PROCESSING did not undo it


@pytest.mark.parametrize(
    "shape",
    [pytest.param(shape, marks=pytest.mark.cpay_emulator(webhook_format=shape)) for shape in ("json", "form", "param")],
)
def test_the_shop_handles_each_body_shape_c_pay_sends(shop: Any, cpay_emulator: CPayEmulator, shape: str) -> None:
    order = place(shop)
    cpay_emulator.pay(order["cpayOrderId"])
    (delivery,) = cpay_emulator.webhooks
    assert delivery.body.startswith(b"param=" if shape == "param" else b"{" if shape == "json" else b"merchantId=")
    assert [(attempt.outcome, attempt.response_text) for attempt in delivery.attempts] == [("ok", "OK")]
    assert shop_order(shop, order["orderId"])["status"] == "paid"


@pytest.mark.cpay_emulator(webhook_accept=("OK",))  # the strictest reading of section 15: exactly OK
def test_the_shop_answers_the_reply_that_acknowledges(shop: Any, cpay_emulator: CPayEmulator) -> None:
    order = place(shop)
    cpay_emulator.pay(order["cpayOrderId"])
    (delivery,) = cpay_emulator.webhooks
    assert (delivery.state, [attempt.response_text for attempt in delivery.attempts]) == ("delivered", ["OK"])


@pytest.mark.cpay_emulator(webhook_accept=("success",))  # a C-Pay that waited for "success" would refuse "OK"
def test_a_refused_reply_is_redelivered_on_c_pay_s_schedule_and_ships_once(
    shop: Any, cpay_emulator: CPayEmulator
) -> None:
    order = place(shop)
    cpay_emulator.pay(order["cpayOrderId"])
    assert [len(delivery.attempts) for delivery in cpay_emulator.webhooks] == [1]
    cpay_emulator.advance(59)
    assert [len(delivery.attempts) for delivery in cpay_emulator.webhooks] == [1]
    cpay_emulator.advance(1)  # the second attempt, a minute after the first
    assert [len(delivery.attempts) for delivery in cpay_emulator.webhooks] == [2]
    for minutes in (3, 9, 27, 81, 243, 729, 2187):  # the rest of the vendor's nine
        cpay_emulator.advance(minutes * 60)
    (delivery,) = cpay_emulator.webhooks
    assert (delivery.state, len(delivery.attempts)) == ("failed", 9)  # given up after the ninth
    assert {attempt.response_text for attempt in delivery.attempts} == {"OK"}
    assert shop_order(shop, order["orderId"])["fulfilled"] == 1  # nine notifications, one shipment


def test_a_processing_notification_is_not_sent_by_default(shop: Any, cpay_emulator: CPayEmulator) -> None:
    order = place(shop)
    cpay_emulator.pay(order["cpayOrderId"])  # the payment passes through PROCESSING ("11") to COMPLETED
    assert [delivery.order_status for delivery in cpay_emulator.webhooks] == [OrderStatus.COMPLETED]


def test_a_lost_createorder_answer_is_recovered_by_merchanttradeno(shop: Any, cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.drop_next_response("createOrder", "timeout")
    order = place(shop, expected=503)
    (payment,) = cpay_emulator.orders()  # created once, found by its merchantTradeNo, not created again
    assert (order["status"], order["cpayOrderId"]) == ("payment_link_lost", payment["orderId"])
    assert payment["merchantTradeNo"] == order["orderId"]
    cpay_emulator.advance(3600)  # nobody can pay it without the link: it expires, and the shop hears of it
    assert shop_order(shop, order["orderId"])["status"] == "failed"


def test_a_card_payment_is_paid_on_the_cashier_page(shop: Any, cpay_emulator: CPayEmulator) -> None:
    order = place(shop, method="card")
    cpay_emulator.pay(order["cpayOrderId"])
    assert shop_order(shop, order["orderId"])["status"] == "paid"


HOSTILE_WEBHOOKS = {
    "nested-2000-deep": (b'{"a":' * 2000 + b"1" + b"}" * 2000, "application/json"),
    "lone-surrogate": (b'{"merchantId": "1", "remark": "\\ud800", "sign": "00"}', "application/json"),
    "repeated-status": (b"orderStatus=14&orderStatus=0&sign=00", "application/x-www-form-urlencoded"),
    "10-mb-of-tiny-fields": (b"f=1&" * 2_500_000, "application/x-www-form-urlencoded"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_WEBHOOKS))
def test_a_hostile_webhook_body_gets_400_fail(shop: Any, name: str) -> None:
    body, content_type = HOSTILE_WEBHOOKS[name]
    response = shop.post("/cpay/webhook", content=body, headers={"content-type": content_type})
    assert (response.status_code, response.text) == (400, "FAIL")


@pytest.mark.parametrize(
    "body", [b"{", b"[" * 2000 + b"]" * 2000, b'["amount"]', b"\xff"], ids=["not-json", "deep", "array", "not-utf8"]
)
def test_a_malformed_order_request_gets_400_not_500(shop: Any, body: bytes) -> None:
    response = shop.post("/orders", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "the body must be a JSON object"}
