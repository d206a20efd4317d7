"""The control API's own shapes: orders, balances, merchants, rates, the clock, health and webhook deliveries.

The emulator's ``/_emulator`` API (``server.control``, described by ``control-openapi.yaml``) answers with these; the
C-Pay API's shapes, written in the document's names and JSON types, are in ``backends.views``. An order's fields come
from ``backends.views.order_fields``, the one mapping of an order to the document's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.model import (
    Balance,
    Merchant,
    NotModeledOperation,
    Order,
    UnfilledField,
    WebhookDelivery,
    WebhookSettings,
)
from cpay_emulator.backends.money import format_amount
from cpay_emulator.backends.views import ORDER_DETAIL_FIELDS, order_fields

__all__ = [
    "clock_view",
    "control_balance",
    "control_order",
    "health",
    "merchant_view",
    "rates_view",
    "webhook_delivery",
    "webhook_settings_view",
]


def control_balance(balance: Balance) -> dict[str, str]:
    """One currency of a balance as the control API shows and sets it."""
    return {
        "currency": balance.currency,
        "available": format_amount(balance.available),
        "frozen": format_amount(balance.frozen),
    }


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
        "ipAllowlist": [str(network) for network in merchant.ip_allowlist],
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
        "shape": delivery.shape,
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


def webhook_settings_view(settings: WebhookSettings) -> dict[str, Any]:
    """The webhook settings as the control API shows them (``schedule`` in seconds)."""
    return {
        "statuses": settings.statuses,
        "types": settings.types,
        "accept": list(settings.accept),
        "schedule": list(settings.schedule),
    }


def control_order(order: Order) -> dict[str, Any]:
    """An order as the control API shows it: section 9's fields plus the emulator's own."""
    fields = order_fields(order)
    return {
        **{name: fields[name] for name in ORDER_DETAIL_FIELDS},
        "kind": order.kind.value,
        "orderAmount": fields["orderAmount"],
        "toAddress": order.to_address,
        "callbackURL": order.callback_url,
        "details": order.details,
    }
