"""Every wire shape, written once: orders, balances, merchants, rates and webhooks as the APIs answer them.

The C-Pay API (``server.api``), the cashier page (``server.cashier``) and the webhook outbox (``backends.outbox``)
build their answers here and write no field name of their own; the control API's own shapes are in
``backends.control_views``. An order's value under each of the document's names is mapped once, by ``order_fields``;
each section's answer is the list of names it shows, in the document's order (key order is part of the bytes a client
sees), in the JSON types of the document's examples. The links the API hands out (the cashier page, the card result
page) are built here too, so the API and the page share them without importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Final
from urllib.parse import quote, urlencode

from cpay import FINAL_ORDER_STATUSES, SecretKey, compute_sign
from cpay_emulator.backends.model import Balance, Merchant, Order
from cpay_emulator.backends.money import format_amount

__all__ = [
    "ANSWER_FIELDS",
    "CASHIER_PATH",
    "CASHIER_RESULT_PATH",
    "WEBHOOK_FORM",
    "WEBHOOK_JSON",
    "card_charge",
    "card_order",
    "card_redirect",
    "cashier_url",
    "created_order",
    "created_order_plain",
    "exchange_quote",
    "exchange_rate",
    "exchanged",
    "fiat_payout",
    "kyc_receipt",
    "merchant_balances",
    "order_detail",
    "order_fields",
    "wallet_addresses",
    "webhook_body",
    "webhook_content_type",
    "webhook_fields",
    "withdrawal",
]

CASHIER_PATH = "/cashier/payment"
CASHIER_RESULT_PATH = "/cashier/result"

# -- orders --------------------------------------------------------------------------------------------------


def order_fields(order: Order) -> dict[str, str]:
    """The value of ``order`` under every name the document gives an order field: the one mapping to the wire.

    The document names some values several ways: the status is ``status`` (sections 4, 5, 9, 13) and
    ``orderStatus`` (14, 15); the currency is ``currency`` (5, 9), ``cryptoCurrency`` (4, 13, 15) and
    ``orderCurrency`` (14).
    """
    status = order.status.value
    currency = order.currency
    return {
        "merchantId": order.merchant_id,
        "merchantTradeNo": order.merchant_trade_no or "",
        "merchantUserId": order.user_id,
        "orderId": order.order_id,
        "status": status,
        "orderStatus": status,
        "currency": currency,
        "cryptoCurrency": currency,
        "orderCurrency": currency,
        "network": order.network,
        "hash": order.hash,
        "orderAmount": format_amount(order.order_amount),
        "actualAmount": format_amount(order.actual_amount),
        "receivedAmount": format_amount(order.received_amount),
        "pledgeAmount": "0",  # the emulator takes no pledge
        "fee": format_amount(order.fee),
        "serviceFee": format_amount(order.fee),  # the later documentation's name of the fee
        "remark": order.remark,
        "extInfo": order.ext_info,
        "createTime": str(order.create_time),
        "successURL": order.success_url,
        "failURL": order.fail_url,
        "returnURL": "",  # section 13 answers it; no request sets it
    }


# Each answer's fields, in the document's order (key order is part of the bytes a client sees).
# fmt: off
_CREATED = (
    "merchantId", "merchantTradeNo", "merchantUserId", "orderId", "orderAmount", "receivedAmount", "fee", "remark",
    "createTime",
)
"""The fields every creation answer starts with (sections 4, 5 and 13)."""
WITHDRAWAL_FIELDS = (*_CREATED, "cryptoCurrency", "extInfo", "status", "network")
"""Section 4, withdraw."""
FIAT_PAYOUT_FIELDS = (*_CREATED, "currency", "status")
"""Section 5, createFiatPayoutOrder."""
ORDER_DETAIL_FIELDS = (
    "orderId", "status", "merchantTradeNo", "merchantUserId", "hash", "actualAmount", "receivedAmount",
    "pledgeAmount", "fee", "currency", "createTime", "merchantId", "extInfo", "network", "remark",
)
"""Section 9, getOrderDetail."""
CREATED_ORDER_FIELDS = (
    *_CREATED, "cryptoCurrency", "pledgeAmount", "cashierURL", "extInfo", "status", "network", "returnURL",
    "successURL", "failURL",
)
"""Section 13, createOrder."""
CARD_ORDER_FIELDS = (
    "merchantId", "merchantTradeNo", "orderId", "orderStatus", "orderCurrency", "orderAmount", "receivedAmount",
    "pledgeAmount", "fee", "cashierURL", "successURL", "failURL",
)
"""Section 14, createOrderByCreditCard (then ``sign``)."""
CARD_CHARGE_FIELDS = ("orderId", "pageData", "redirectURL", "ccStorageID")
"""Section 12, pwpp."""
EXCHANGED_FIELDS = ("targetCurrency", "targetAmount", "exchangeRate", "fee")
"""Section 10, exchange."""
MERCHANT_BALANCE_FIELDS = ("availableBalance", "freezeBalance", "cryptoCurrency")
"""Section 6, getMerchantBalance (each entry)."""
WALLET_ADDRESS_FIELDS = ("address", "currency", "network")
"""Section 3, getWalletAddress (each entry)."""
WEBHOOK_FIELDS = (
    "merchantId", "merchantTradeNo", "merchantUserId", "orderId", "orderStatus", "hash", "actualAmount",
    "receivedAmount", "fee", "cryptoCurrency", "network", "remark", "extInfo", "createTime", "orderAmount",
    "serviceFee", "currency",
)
"""Section 15, the notification, and the fields the vendor's later documentation adds (then ``sign``)."""
ANSWER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "getWalletAddress": WALLET_ADDRESS_FIELDS, "withdraw": WITHDRAWAL_FIELDS,
    "createFiatPayoutOrder": FIAT_PAYOUT_FIELDS, "getMerchantBalance": MERCHANT_BALANCE_FIELDS,
    "getExchangeRate": ("exchangeRate",), "getExchangeRateForCreditCard": ("exchangeRate", "amountExchanged"),
    "getOrderDetail": ORDER_DETAIL_FIELDS, "exchange": EXCHANGED_FIELDS, "submitKYC": ("count",),
    "pwpp": CARD_CHARGE_FIELDS, "createOrder": CREATED_ORDER_FIELDS,
    "createOrderByCreditCard": (*CARD_ORDER_FIELDS, "sign"),
}
"""The fields of ``data`` each modeled operation's answer fills (of each entry, for a list), by operationId:
``server.coverage`` reports a field the spec declares and the list lacks. ``tests/emulator/server/test_coverage.py``
checks each list against a real answer."""
# fmt: on


def _pick(fields: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    return {name: fields[name] for name in names}


_INT64_MAX = 2**63 - 1


def as_json_number(text: str) -> int | str:
    """``text`` as the JSON number C-Pay writes for a Java ``Long`` (``merchantId``, ``createTime``).

    Sections 9 and 14 show these as numbers, and the vendor's Go SDK decodes them into ``int64``, so a client
    written against the real server fails on a string there. A value that is no ``Long`` (a merchant id the
    control API was given with letters) stays text, which the spec's ``FlexibleId`` allows too.
    """
    if text.isascii() and text.isdigit() and int(text) <= _INT64_MAX:
        return int(text)
    return text


def withdrawal(order: Order) -> dict[str, str]:
    """Section 4's answer."""
    return _pick(order_fields(order), WITHDRAWAL_FIELDS)


def fiat_payout(order: Order) -> dict[str, str]:
    """Section 5's answer."""
    return _pick(order_fields(order), FIAT_PAYOUT_FIELDS)


def order_detail(order: Order) -> dict[str, str | int]:
    """Section 9's answer: ``merchantId`` and ``createTime`` are JSON numbers, as the section's example shows."""
    data: dict[str, str | int] = dict(_pick(order_fields(order), ORDER_DETAIL_FIELDS))
    data["merchantId"] = as_json_number(order.merchant_id)
    data["createTime"] = order.create_time
    return data


def created_order_plain(order: Order, cashier: str) -> dict[str, str]:
    """Section 13's answer, picked from ``order_fields`` like the others (``created_order`` is the fast copy)."""
    return _pick({**order_fields(order), "cashierURL": cashier}, CREATED_ORDER_FIELDS)


def created_order(order: Order, cashier: str) -> dict[str, str]:
    """Section 13's answer: ``created_order_plain``'s dictionary, written as one literal (the POST hot path).

    createOrder is the operation of the POST benchmark. Measured with timeit (best of 7) on the 2-core benchmark
    machine: the literal takes 1.5 us, the plain mapping 3.0 us; the 1.5 us saved is about 1.6 % of a
    createOrder (~90 us at ~11,000 req/s), where the POST target's margin over 3x Prism is under 10 %.
    ``tests/emulator/backends/test_views.py`` checks that both give the same fields, values and key order.
    """
    return {
        "merchantId": order.merchant_id,
        "merchantTradeNo": order.merchant_trade_no or "",
        "merchantUserId": order.user_id,
        "orderId": order.order_id,
        "orderAmount": format_amount(order.order_amount),
        "receivedAmount": format_amount(order.received_amount),
        "fee": format_amount(order.fee),
        "remark": order.remark,
        "createTime": str(order.create_time),
        "cryptoCurrency": order.currency,
        "pledgeAmount": "0",
        "cashierURL": cashier,
        "extInfo": order.ext_info,
        "status": order.status.value,
        "network": order.network,
        "returnURL": "",
        "successURL": order.success_url,
        "failURL": order.fail_url,
    }


def card_order(order: Order, cashier: str, secret_key: SecretKey) -> dict[str, str | int]:
    """Section 14's answer; its ``sign`` signs the other fields with the merchant's secret key.

    ``merchantId`` is a JSON number, as in the section's example (and the vendor's Go SDK's ``int64``); the sign
    covers its digits, as every signer writes a number.
    """
    # Section 14's example leaves pledgeAmount empty (section 13's says "0").
    fields = _pick({**order_fields(order), "pledgeAmount": "", "cashierURL": cashier}, CARD_ORDER_FIELDS)
    data: dict[str, str | int] = {**fields, "merchantId": as_json_number(order.merchant_id)}
    data["sign"] = compute_sign(data, secret_key)
    return data


def exchanged(order: Order) -> dict[str, str]:
    """Section 10's answer: what the exchange order bought, at which rate, for which fee (in the target)."""
    fields = order_fields(order)
    return {
        "targetCurrency": fields["currency"],
        "targetAmount": fields["receivedAmount"],
        "exchangeRate": order.details["exchangeRate"],
        "fee": fields["fee"],
    }


_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>C-Pay</title>'
    '<meta http-equiv="refresh" content="0;url={url}"></head><body><a href="{url}">Continue</a></body></html>'
)


def card_charge(order: Order, redirect: str, stored_card_id: str) -> dict[str, str]:
    """Section 12's answer (pwpp): the page that sends the customer on to ``redirect``, and the stored card."""
    return {
        "orderId": order.order_id,
        "pageData": _PAGE.format(url=escape(redirect, quote=True)),
        "redirectURL": redirect,
        "ccStorageID": stored_card_id,
    }


def webhook_fields(order: Order, *, numbers: bool = True) -> dict[str, str | int]:
    """The notification fields of ``order`` (without ``sign``): section 15's and the later documentation's.

    ``numbers``: ``merchantId``, ``orderStatus`` and ``createTime`` as JSON numbers, as every webhook example of
    the vendor's later documentation writes them; else all strings, as section 15's table types them. The sign
    covers the same texts either way (a number is signed as its digits).
    """
    fields: dict[str, str | int] = dict(_pick(order_fields(order), WEBHOOK_FIELDS))
    if numbers:
        fields["merchantId"] = as_json_number(order.merchant_id)
        fields["orderStatus"] = int(order.status.value)
        fields["createTime"] = order.create_time
    return fields


WEBHOOK_JSON: Final = "application/json"
WEBHOOK_FORM: Final = "application/x-www-form-urlencoded"


def webhook_content_type(shape: str) -> str:
    """The ``Content-Type`` of a notification body of ``shape`` (``json``, ``form`` or ``param``)."""
    return WEBHOOK_JSON if shape == "json" else WEBHOOK_FORM


def webhook_body(payload: Mapping[str, str | int], shape: str) -> bytes:
    """The bytes posted for a signed notification: compact JSON (``json``), a flat form (``form``), or a form
    whose one field ``param`` holds the compact JSON (``param``, the vendor's later documentation).

    The one serialisation of a webhook: the delivery worker posts these bytes, and the test harness hands the
    same bytes to ``parse_webhook``, so what a test verifies is what a merchant receives.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if shape == "json":
        return text.encode()
    if shape == "param":
        return urlencode({"param": text}).encode()
    return urlencode(payload).encode()


# -- links the API hands out ---------------------------------------------------------------------------------


def cashier_url(base_url: str, order: Order, merchant: Merchant) -> str:
    """The page where the customer pays ``order``: ``<base>/cashier/payment?orderId=<id>&sign=<sign>``.

    ``sign`` is the merchant's signature of ``orderId`` (section 16). It was once an inlined HMAC for
    createOrder's hot path; measured on this project's machine, ``compute_sign`` costs 2.8 us against 1.8 us
    for the inlined HMAC, about 1 us of a createOrder that takes hundreds, so the toolkit's one signature wins.
    """
    order_id = order.order_id
    sign = compute_sign({"orderId": order_id}, merchant.secret_key)
    return f"{base_url}{CASHIER_PATH}?orderId={order_id if order_id.isdigit() else quote(order_id)}&sign={sign}"


def card_redirect(base_url: str, order: Order, merchant: Merchant) -> str:
    """Where pwpp sends the customer: the merchant's successURL (or the result page) once the charge is final,
    else the cashier page for 3-D Secure."""
    if order.status not in FINAL_ORDER_STATUSES:
        return cashier_url(base_url, order, merchant)
    landing = order.success_url or f"{base_url}{CASHIER_RESULT_PATH}"
    return f"{landing}{'&' if '?' in landing else '?'}txnRef={order.order_id}"


# -- balances, addresses, rates, merchants ---------------------------------------------------------------------


def merchant_balances(balances: Iterable[Balance]) -> list[dict[str, str]]:
    """Section 6's answer (getMerchantBalance): one entry per currency."""
    return [
        {
            "availableBalance": format_amount(balance.available),
            "freezeBalance": format_amount(balance.frozen),
            "cryptoCurrency": balance.currency,
        }
        for balance in balances
    ]


def wallet_addresses(entries: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
    """Section 3's answer: ``(currency, network, address)`` entries."""
    return [{"address": address, "currency": currency, "network": network} for currency, network, address in entries]


def exchange_rate(rate: Decimal) -> dict[str, str]:
    """Section 7's answer."""
    return {"exchangeRate": format_amount(rate)}


def exchange_quote(rate: Decimal, amount_exchanged: Decimal) -> dict[str, str]:
    """Section 8's answer: the rate and the other side of the purchase."""
    return {"exchangeRate": format_amount(rate), "amountExchanged": format_amount(amount_exchanged)}


def kyc_receipt(count: int) -> dict[str, int]:
    """Section 11's answer: how many records were stored."""
    return {"count": count}
