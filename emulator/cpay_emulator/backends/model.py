"""The emulator's records: merchants with their fee rates, orders and their lifecycle, balances, webhooks, and
what of the spec the emulator does not model."""

from __future__ import annotations

import enum
import ipaddress
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from cpay import FINAL_ORDER_STATUSES, OrderStatus, SecretKey

__all__ = [
    "VENDOR_SCHEDULE",
    "WEBHOOK_SHAPES",
    "Balance",
    "FeeRates",
    "Merchant",
    "NewOrder",
    "NotModeledOperation",
    "Order",
    "OrderKind",
    "UnfilledField",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSettings",
]


class OrderKind(enum.StrEnum):
    """What created the order; decides which transitions and which ledger moves apply."""

    PAYIN = "payin"  # createOrder: crypto paid by the customer through the cashier
    CARD = "card"  # createOrderByCreditCard
    PWPP = "pwpp"  # host-to-host card payment
    PAYOUT = "payout"  # withdraw: crypto to an external address
    FIAT_PAYOUT = "fiat_payout"  # createFiatPayoutOrder
    EXCHANGE = "exchange"
    DEPOSIT = "deposit"  # crypto sent straight to a user's deposit address (no merchantTradeNo)

    @property
    def is_payin(self) -> bool:
        """Money coming in from a customer, moved by the control API's pay / fail."""
        return self in (OrderKind.PAYIN, OrderKind.CARD, OrderKind.PWPP)

    @property
    def is_payout(self) -> bool:
        """Money going out: frozen at creation, debited on completion, released on close."""
        return self in (OrderKind.PAYOUT, OrderKind.FIAT_PAYOUT)


def _decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@attrs.frozen
class FeeRates:
    """The fractions C-Pay keeps, per kind of order (``0.005`` = 0.5 %), charged in the order's currency.

    Exchange fees are charged in the target currency (document section 10). A crypto payout's fee is the
    merchant's ``totalAmount - receivedAmount``, so it has no rate here.
    """

    payin: Decimal = attrs.field(default=Decimal("0.005"), converter=_decimal)
    card: Decimal = attrs.field(default=Decimal("0.03"), converter=_decimal)
    deposit: Decimal = attrs.field(default=Decimal("0.005"), converter=_decimal)
    fiat_payout: Decimal = attrs.field(default=Decimal("0.1"), converter=_decimal)  # section 5: 5 -> fee 0.5
    exchange: Decimal = attrs.field(default=Decimal("0.003"), converter=_decimal)  # section 10: 1 -> fee 0.003

    def to_json(self) -> str:
        """The rates as a JSON object of decimal strings."""
        return json.dumps({name: str(value) for name, value in attrs.asdict(self).items()})

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> FeeRates:
        """Rates from ``{"payin": "0.01", ...}``; missing names keep their defaults, unknown names raise."""
        unknown = set(data) - {field.name for field in attrs.fields(cls)}
        if unknown:
            raise ValueError(f"unknown fee rate(s): {', '.join(sorted(unknown))}")
        rates = cls(**{name: Decimal(str(value)) for name, value in data.items()})
        for name, value in attrs.asdict(rates).items():
            if not (value.is_finite() and 0 <= value < 1):
                raise ValueError(f"fee rate {name} must be in [0, 1)")
        return rates


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def ip_allowlist(entries: Iterable[str | IpNetwork]) -> tuple[IpNetwork, ...]:
    """Addresses or CIDR networks (``203.0.113.7``, ``198.51.100.0/24``, ``2001:db8::/32``), parsed.

    Raises ``ValueError`` naming an entry that is neither.
    """
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip() if isinstance(entry, str) else entry, strict=False))
        except ValueError:
            raise ValueError(f"{str(entry)[:64]!r} is not an IP address or CIDR network") from None
    return tuple(networks)


WEBHOOK_SHAPES = ("json", "form", "param")
"""The bodies C-Pay's material shows for a notification: a JSON object (the vendor's plugins read one), a flat form,
and a form whose one field ``param`` holds the JSON (the vendor's later documentation). ``docs/spec-notes.md``."""


@attrs.frozen
class Merchant:
    """A merchant the emulator knows: its id, its secret key (masked in reprs) and its settings.

    ``ip_allowlist``: the addresses C-Pay takes this merchant's requests from (the "IP whitelist" the vendor's
    reference says a merchant sets in the C-Pay Merchant System); empty, the emulator's default, takes any.
    """

    merchant_id: str
    secret_key: SecretKey
    callback_url: str = ""
    webhook_format: str = attrs.field(default="json", validator=attrs.validators.in_(WEBHOOK_SHAPES))
    fee_rates: FeeRates = attrs.Factory(FeeRates)
    ip_allowlist: tuple[IpNetwork, ...] = attrs.field(default=(), converter=ip_allowlist)

    def allows(self, address: str | None) -> bool:
        """Whether a request from ``address`` (the TCP peer; ``None`` if unknown) passes the allowlist."""
        if not self.ip_allowlist:
            return True
        try:
            peer = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(peer in network for network in self.ip_allowlist)


@attrs.frozen(kw_only=True)
class NewOrder:
    """The fields every order creation shares (the request's ``merchantTradeNo``, ``userId``, URLs...)."""

    merchant_trade_no: str
    user_id: str
    create_time: int | None = None
    callback_url: str = ""
    success_url: str = ""
    fail_url: str = ""
    remark: str = ""
    ext_info: str = ""


@attrs.frozen
class Order:
    """An order of any kind, as stored. Amounts are ``Decimal``; times are epoch milliseconds."""

    order_id: str
    merchant_id: str
    kind: OrderKind
    merchant_trade_no: str | None
    user_id: str
    status: OrderStatus
    currency: str
    network: str
    order_amount: Decimal
    actual_amount: Decimal
    received_amount: Decimal
    fee: Decimal
    hash: str
    to_address: str
    callback_url: str
    success_url: str
    fail_url: str
    remark: str
    ext_info: str
    create_time: int
    created_at: int
    updated_at: int
    details: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class Balance:
    """One currency of a merchant's balance."""

    currency: str
    available: Decimal
    frozen: Decimal


@attrs.frozen
class WebhookAttempt:
    """One attempt to deliver a webhook: when, its outcome (``ok`` or ``fail``), and what the merchant answered."""

    attempted_at: int
    outcome: str
    http_status: int | None
    response_text: str
    error: str
    duration_ms: float


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """A notification owed to a merchant: the signed ``payload``, where it goes, and how delivery stands.

    ``state`` is ``pending``, ``delivered`` or ``failed``; ``next_attempt_at`` is epoch seconds. ``attempts``
    holds the attempts made so far when they were asked for (``Outbox.deliveries``), else it is empty.
    """

    delivery_id: int
    order_id: str
    merchant_id: str
    url: str
    content_type: str
    shape: str
    payload: dict[str, str | int] = attrs.field(hash=False)
    order_status: str
    state: str
    attempt_count: int
    next_attempt_at: float
    created_at: int
    delivered_at: int | None
    attempts: tuple[WebhookAttempt, ...] = ()


@attrs.frozen
class NotModeledOperation:
    """An operation of the spec without a handler, answered from the spec (``server.coverage``).

    ``answer`` is ``example`` (the spec's response example), ``generated`` (a value of the response schema) or
    ``none``, when neither fits the schema: then ``problem`` says why, and the operation answers code 1.
    """

    operation_id: str
    method: str
    path: str
    answer: str
    problem: str = ""


@attrs.frozen
class UnfilledField:
    """A response field the spec declares for a modeled operation and the emulator never fills.

    ``field`` is its place in the envelope: ``data.<name>``, or ``data[].<name>`` in each entry of a list.
    """

    operation_id: str
    field: str


VENDOR_SCHEDULE: tuple[float, ...] = tuple(60.0 * minutes for minutes in (0, 1, 3, 9, 27, 81, 243, 729, 2187))
"""The vendor's later documentation's retry table, "Attempt / Interval (in minutes)": 9 attempts, each the given
minutes after the one before (the first at once); the last falls 54 h 40 min after the first."""


def _words(value: Iterable[str]) -> tuple[str, ...]:
    words = tuple(value)
    if any(not isinstance(word, str) or not word.strip() or len(word) > 64 for word in words):
        raise ValueError("each accepted reply must be a non-blank text of at most 64 characters")
    return tuple(word.strip() for word in words)


def _schedule(value: Iterable[float]) -> tuple[float, ...]:
    schedule = tuple(float(seconds) for seconds in value)
    if not 1 <= len(schedule) <= 100 or any(not 0 <= seconds <= 10 * 365 * 86400 for seconds in schedule):
        raise ValueError("the schedule must be 1 to 100 intervals, each 0 to 10 years in seconds")
    return schedule


@attrs.frozen(kw_only=True)
class WebhookSettings:
    """How the emulator notifies merchants, set by ``serve``, the control API and the pytest fixture.

    ``statuses``: ``final`` (the default: only ``14`` and ``15``, as the vendor's material says C-Pay calls back
    "after the order succeeds or fails") or ``all`` (``0`` and ``11`` too, for merchants who want them tested).
    ``types``: ``numbers`` (the default: ``merchantId``, ``orderStatus`` and ``createTime`` as JSON numbers, as
    in every example of the vendor's later documentation) or ``strings`` (section 15's table). ``accept``: the
    replies that acknowledge a delivery; empty, the default, is the later documentation's rule: any reply but an
    empty one or ``fail`` (any case). Either way only a 2xx reply counts. ``schedule``: the seconds before each
    attempt, counted from the one before (the first from the change); its length is the number of attempts, and
    a delivery is given up after the last. ``docs/spec-notes.md`` gives the evidence for each default.
    """

    statuses: str = attrs.field(default="final", validator=attrs.validators.in_(("final", "all")))
    types: str = attrs.field(default="numbers", validator=attrs.validators.in_(("numbers", "strings")))
    accept: tuple[str, ...] = attrs.field(default=(), converter=_words)
    schedule: tuple[float, ...] = attrs.field(default=VENDOR_SCHEDULE, converter=_schedule)

    def notifies(self, status: OrderStatus) -> bool:
        """Whether a change to ``status`` is notified."""
        return self.statuses == "all" or status in FINAL_ORDER_STATUSES

    def acknowledges(self, http_status: int | None, reply: str) -> bool:
        """Whether the merchant's answer (``http_status`` ``None``: no answer) acknowledges the notification."""
        if http_status is None or not 200 <= http_status < 300:
            return False
        word = reply.strip()
        if self.accept:
            return word in self.accept
        return bool(word) and word.lower() != "fail"

    def delay_before(self, attempt: int) -> float | None:
        """Seconds from attempt ``attempt - 1`` to attempt ``attempt`` (1-based); ``None`` past the last."""
        return self.schedule[attempt - 1] if 1 <= attempt <= len(self.schedule) else None
