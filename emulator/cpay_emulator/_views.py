"""Every wire shape, written once: orders, balances, merchants, rates and webhooks as the APIs answer them.

The C-Pay API (``_api``), the control API (``_control``), the cashier page (``_cashier``) and the webhook outbox
(``_outbox``) build their answers here and write no field name of their own. An order's value under each of
the document's names is mapped once, by ``order_fields``; each section's answer is the list of names it shows,
in the document's order (key order is part of the bytes a client sees). The links the API hands out (the
cashier page, the card result page) are built here too, so the API and the page share them without importing
each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import quote

import attrs

from cpay_emulator._clock import Clock
from cpay_emulator._model import Balance, Merchant, NotModeledOperation, Order, UnfilledField, WebhookDelivery
from cpay_emulator._money import format_amount
from cpay_signing import SecretKey, compute_sign

__all__ = [
    "ANSWER_FIELDS",
    "CASHIER_PATH",
    "CASHIER_RESULT_PATH",
    "card_charge",
    "card_order",
    "card_redirect",
    "cashier_url",
    "clock_view",
    "control_balance",
    "control_order",
    "created_order",
    "created_order_plain",
    "exchange_quote",
    "exchange_rate",
    "exchanged",
    "fiat_payout",
    "health",
    "kyc_receipt",
    "merchant_balances",
    "merchant_view",
    "order_detail",
    "order_fields",
    "rates_view",
    "wallet_addresses",
    "webhook_delivery",
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
    "receivedAmount", "fee", "cryptoCurrency", "network", "remark", "extInfo", "createTime",
)
"""Section 15, the notification (then ``sign``)."""
ANSWER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "getWalletAddress": WALLET_ADDRESS_FIELDS, "withdraw": WITHDRAWAL_FIELDS,
    "createFiatPayoutOrder": FIAT_PAYOUT_FIELDS, "getMerchantBalance": MERCHANT_BALANCE_FIELDS,
    "getExchangeRate": ("exchangeRate",), "getExchangeRateForCreditCard": ("exchangeRate", "amountExchanged"),
    "getOrderDetail": ORDER_DETAIL_FIELDS, "exchange": EXCHANGED_FIELDS, "submitKYC": ("count",),
    "pwpp": CARD_CHARGE_FIELDS, "createOrder": CREATED_ORDER_FIELDS,
    "createOrderByCreditCard": (*CARD_ORDER_FIELDS, "sign"),
}
"""The fields of ``data`` each modeled operation's answer fills (of each entry, for a list), by operationId:
``_coverage`` reports a field the spec declares and the list lacks. ``tests/emulator/test_coverage.py`` checks
each list against a real answer."""
# fmt: on


def _pick(fields: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    return {name: fields[name] for name in names}


def withdrawal(order: Order) -> dict[str, str]:
    """Section 4's answer."""
    return _pick(order_fields(order), WITHDRAWAL_FIELDS)


def fiat_payout(order: Order) -> dict[str, str]:
    """Section 5's answer."""
    return _pick(order_fields(order), FIAT_PAYOUT_FIELDS)


def order_detail(order: Order) -> dict[str, str]:
    """Section 9's answer."""
    return _pick(order_fields(order), ORDER_DETAIL_FIELDS)


def created_order_plain(order: Order, cashier: str) -> dict[str, str]:
    """Section 13's answer, picked from ``order_fields`` like the others (``created_order`` is the fast copy)."""
    return _pick({**order_fields(order), "cashierURL": cashier}, CREATED_ORDER_FIELDS)


def created_order(order: Order, cashier: str) -> dict[str, str]:
    """Section 13's answer: ``created_order_plain``'s dictionary, written as one literal (the POST hot path).

    createOrder is the operation of the POST benchmark. Measured with timeit (best of 7) on the 2-core benchmark
    machine: the literal takes 1.5 us, the plain mapping 3.0 us; the 1.5 us saved is about 1.6 % of a
    createOrder (~90 us at ~11,000 req/s), where the POST target's margin over 3x Prism is under 10 %.
    ``tests/emulator/test_views.py`` checks that both give the same fields, values and key order.
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


def card_order(order: Order, cashier: str, secret_key: SecretKey) -> dict[str, str]:
    """Section 14's answer; its ``sign`` signs the other fields with the merchant's secret key."""
    # Section 14's example leaves pledgeAmount empty (section 13's says "0").
    data = _pick({**order_fields(order), "pledgeAmount": "", "cashierURL": cashier}, CARD_ORDER_FIELDS)
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


def webhook_fields(order: Order) -> dict[str, str]:
    """The section 15 notification fields of ``order`` (without ``sign``), all as strings."""
    return _pick(order_fields(order), WEBHOOK_FIELDS)


def control_order(order: Order) -> dict[str, Any]:
    """An order as the control API shows it: section 9's fields plus the emulator's own."""
    fields = order_fields(order)
    return {
        **_pick(fields, ORDER_DETAIL_FIELDS),
        "kind": order.kind.value,
        "orderAmount": fields["orderAmount"],
        "toAddress": order.to_address,
        "callbackURL": order.callback_url,
        "details": order.details,
    }


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
    if not order.status.is_final:
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


def control_balance(balance: Balance) -> dict[str, str]:
    """One currency of a balance as the control API shows and sets it."""
    return {
        "currency": balance.currency,
        "available": format_amount(balance.available),
        "frozen": format_amount(balance.frozen),
    }


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


def rates_view(prices: Mapping[str, Decimal]) -> dict[str, Any]:
    """The control API's rate table: the US-dollar price of each currency, sorted by currency."""
    return {"prices": {currency: format_amount(price) for currency, price in sorted(prices.items())}}


def merchant_view(merchant: Merchant) -> dict[str, Any]:
    """A merchant as the control API shows it: never its secret key."""
    return {
        "merchantId": merchant.merchant_id,
        "callbackURL": merchant.callback_url,
        "webhookFormat": merchant.webhook_format,
        "feeRates": {name: str(value) for name, value in attrs.asdict(merchant.fee_rates).items()},
    }


def clock_view(clock: Clock, order_ttl: float | None) -> dict[str, Any]:
    """The control API's clock: now (epoch ms), whether it is frozen, how far it was advanced, the order TTL."""
    return {
        "now": clock.now_ms(),
        "frozen": clock.is_frozen,
        "offsetSeconds": clock.offset_seconds,
        "orderTtlSeconds": order_ttl,
    }


def health(
    pending_webhooks: int,
    not_modeled: Iterable[NotModeledOperation] = (),
    unfilled: Iterable[UnfilledField] = (),
    answered: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The control API's health answer, with what of the spec the emulator answers statelessly or never fills."""
    return {
        "status": "ok",
        "pendingWebhooks": pending_webhooks,
        "notModeled": [
            {
                "operationId": operation.operation_id,
                "method": operation.method,
                "path": operation.path,
                "answer": operation.answer,
                "problem": operation.problem or None,
                "answered": (answered or {}).get(operation.operation_id, 0),
            }
            for operation in not_modeled
        ],
        "unfilledFields": [{"operationId": field.operation_id, "field": field.field} for field in unfilled],
    }


def webhook_delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    """A webhook delivery as the control API lists it, with every attempt (``nextAttemptAt`` in ms, if pending)."""
    return {
        "deliveryId": delivery.delivery_id,
        "orderId": delivery.order_id,
        "merchantId": delivery.merchant_id,
        "url": delivery.url,
        "contentType": delivery.content_type,
        "orderStatus": delivery.order_status,
        "state": delivery.state,
        "attempts": [
            {
                "attemptedAt": attempt.attempted_at,
                "outcome": attempt.outcome,
                "httpStatus": attempt.http_status,
                "responseText": attempt.response_text,
                "error": attempt.error,
                "durationMs": round(attempt.duration_ms, 3),
            }
            for attempt in delivery.attempts
        ],
        "nextAttemptAt": int(delivery.next_attempt_at * 1000) if delivery.state == "pending" else None,
        "createdAt": delivery.created_at,
        "deliveredAt": delivery.delivered_at,
        "payload": delivery.payload,
    }
