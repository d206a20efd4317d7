"""Lost-response recovery of writes: the decisions, free of I/O (``_runtime`` sends and waits).

C-Pay has no idempotency header, but ``merchantTradeNo`` plays its part: the server refuses a second order
with the same number, and ``getOrderDetail`` finds an order by it. When a write that carries one fails after
the request may have reached the server (``may_have_arrived``: a read or write timeout, a reset or dropped
connection, an HTTP 5xx), the client asks ``getOrderDetail``, and ``classify_lookup`` reads the answer:

* ``Found``: the write took effect. ``rebuild_result`` turns the order into the operation's ``data`` where
  the operation's result needs nothing that only the lost response had (``withdraw``); otherwise the call
  raises ``RecoveredOrderError`` with the order (``LOST_WITH_THE_RESPONSE`` names what is missing).
* ``NotFound`` (an answer code of ``not_found_codes``): the write did not take effect, and is sent once more.
  A refusal as duplicate (``duplicate_codes``) means the first one did arrive after the lookup: look again.
* ``Undecided``: anything else; the call raises ``OutcomeUnknownError``. Only a positive "not found" ever
  leads to a second send.

A recovered envelope carries ``RECOVERY_FIELD`` (an object the generated parser keeps in
``additional_properties``); ``recovery_of(envelope)`` reads it as a typed ``Recovery``.

The codes for "duplicate" and "not found" are the emulator's (``docs/spec-notes.md``, "Emulator error
codes"), defined here once: the emulator's ``ErrorCode`` takes them from these defaults, since the SDK cannot
import the emulator. The document does not give C-Pay's own, so both sets are settable on ``create_client``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol
from urllib.parse import parse_qsl

import attrs
import httpx

__all__ = [
    "DEFAULT_DUPLICATE_CODES",
    "DEFAULT_NOT_FOUND_CODES",
    "LOOKUP_OPERATION",
    "LOST_WITH_THE_RESPONSE",
    "RECOVERY_FIELD",
    "RESULT_FIELDS",
    "Found",
    "NotFound",
    "Recovery",
    "RecoverySettings",
    "Undecided",
    "classify_lookup",
    "envelope_code",
    "envelope_of",
    "lost_description",
    "may_have_arrived",
    "merchant_trade_no_of",
    "rebuild_result",
    "recovery_of",
    "with_recovery_field",
]

DEFAULT_DUPLICATE_CODES: Final = frozenset({10201})
"""``code`` of a refusal because the merchant already has an order with this ``merchantTradeNo``: the
emulator's ``DUPLICATE_MERCHANT_TRADE_NO``."""
DEFAULT_NOT_FOUND_CODES: Final = frozenset({10202})
"""``code`` of ``getOrderDetail`` when no order matches: the emulator's ``ORDER_NOT_FOUND``."""
RECOVERY_FIELD: Final = "x-cpay-recovery"
"""The envelope member (and response header) that marks a result obtained by recovery."""

LOOKUP_OPERATION: Final = "getOrderDetail"
MERCHANT_TRADE_NO: Final = "merchantTradeNo"

# Requests that can never have reached the server: nothing to recover.
_NOT_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)

RESULT_FIELDS: Final[Mapping[str, tuple[Mapping[str, str], frozenset[str]]]] = {
    # operationId: ({OrderDetail field: result field}, the result's required fields); pinned against openapi.yaml
    # by the tests. A status that moved on since the write (a payout closed since) is the current one.
    "withdraw": (
        {
            "orderId": "orderId",
            "merchantTradeNo": "merchantTradeNo",
            "status": "status",
            "merchantId": "merchantId",
            "merchantUserId": "merchantUserId",
            "currency": "cryptoCurrency",
            "network": "network",
            "receivedAmount": "receivedAmount",
            "fee": "fee",
            "remark": "remark",
            "extInfo": "extInfo",
            "createTime": "createTime",
        },
        frozenset({"orderId", "merchantTradeNo", "status"}),
    ),
}

LOST_WITH_THE_RESPONSE: Final[Mapping[str, str]] = {
    # The other writes with a merchantTradeNo: a field of the result that getOrderDetail does not return. All
    # but pwpp's are required by the result's schema. pwpp's result requires only orderId, but a rebuilt one
    # would be a code-0 answer without the page the customer must see (3-D Secure) and without a status, so a
    # decline could pass for a payment under way: the order itself, with its status, is more honest.
    "createOrder": "cashierURL",
    "createOrderByCreditCard": "cashierURL",
    "createFiatPayoutOrder": "orderAmount",
    "exchange": "exchangeRate",
    "pwpp": "pageData",
}


@attrs.frozen(kw_only=True)
class RecoverySettings:
    """Whether writes are recovered, and how the server says "duplicate" and "not found"."""

    enabled: bool = False
    duplicate_codes: frozenset[int] = DEFAULT_DUPLICATE_CODES
    not_found_codes: frozenset[int] = DEFAULT_NOT_FOUND_CODES

    def __attrs_post_init__(self) -> None:
        for name, codes in (("duplicate_codes", self.duplicate_codes), ("not_found_codes", self.not_found_codes)):
            if not codes or any(isinstance(code, bool) or not isinstance(code, int) or code == 0 for code in codes):
                raise ValueError(f"{name} must be a non-empty set of non-zero int codes, not {sorted(codes)!r}")
        if self.duplicate_codes & self.not_found_codes:
            raise ValueError("a code cannot mean both duplicate and not found")


@attrs.frozen(kw_only=True)
class Recovery:
    """How a write's result was obtained after its first response was lost.

    ``via`` is ``"lookup"`` when ``getOrderDetail`` found the order (the envelope's ``traceid`` is then that
    lookup's, and fields only the lost response had are absent), ``"resend"`` when the order did not exist
    and the write was sent again (the envelope is that second response). ``lost`` says what happened to the
    first response (``ReadTimeout``, ``HTTP 502``, ...).
    """

    merchant_trade_no: str
    via: Literal["lookup", "resend"]
    lost: str


class _ExtensibleEnvelope(Protocol):
    """A generated envelope: its unknown members are kept in ``additional_properties``."""

    @property
    def additional_properties(self) -> Mapping[str, Any]: ...


def recovery_of(envelope: _ExtensibleEnvelope | None) -> Recovery | None:
    """``Recovery`` if ``envelope`` (what ``sync()`` / ``asyncio()`` returned) was obtained by lost-response
    recovery, ``None`` for an ordinary response."""
    if envelope is None:
        return None
    marker = envelope.additional_properties.get(RECOVERY_FIELD)
    if not isinstance(marker, dict):
        return None
    merchant_trade_no, via, lost = marker.get(MERCHANT_TRADE_NO), marker.get("via"), marker.get("lost")
    if not isinstance(merchant_trade_no, str) or not isinstance(lost, str) or via not in ("lookup", "resend"):
        return None
    return Recovery(merchant_trade_no=merchant_trade_no, via=via, lost=lost)


@attrs.frozen
class Found:
    """``getOrderDetail`` returned the order (its raw ``data``)."""

    order: Mapping[str, Any]
    traceid: str | None
    msg: str


@attrs.frozen
class NotFound:
    """``getOrderDetail`` answered with a "not found" code."""


@attrs.frozen
class Undecided:
    """Neither: ``reason`` says why; ``cause`` is the network error, if that was it."""

    reason: str
    cause: httpx.TransportError | None = None


LookupResult = Found | NotFound | Undecided


def merchant_trade_no_of(request: httpx.Request) -> str | None:
    """The ``merchantTradeNo`` a write carries (form body or query string), or ``None``."""
    return _parameters(request).get(MERCHANT_TRADE_NO) or None


def _parameters(request: httpx.Request) -> dict[str, str]:
    parameters = dict(parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True))
    parameters.update(parse_qsl(request.content.decode("utf-8", "replace"), keep_blank_values=True))
    return parameters


def may_have_arrived(response: httpx.Response | None, error: httpx.TransportError | None) -> bool:
    """Whether a write's outcome is unknown: it may have been processed, but its response did not arrive."""
    if response is not None:
        return response.status_code >= 500
    return not isinstance(error, _NOT_SENT)


def lost_description(response: httpx.Response | None, error: httpx.TransportError | None) -> str:
    """``ReadTimeout`` or ``HTTP 502``: what happened to a response."""
    return f"HTTP {response.status_code}" if response is not None else type(error).__name__


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = json.loads(response.content)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def envelope_code(response: httpx.Response) -> int | None:
    """The envelope's integer ``code`` of an HTTP 200 answer; ``None`` for anything else."""
    payload = _envelope(response) if response.status_code == 200 else None
    code = None if payload is None else payload.get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def classify_lookup(
    response: httpx.Response | None,
    error: httpx.TransportError | None,
    *,
    merchant_trade_no: str,
    request: httpx.Request,
    settings: RecoverySettings,
) -> LookupResult:
    """Read ``getOrderDetail``'s answer about the write ``request``."""
    if response is None:
        return Undecided(f"{LOOKUP_OPERATION} failed too ({type(error).__name__})", error)
    code = envelope_code(response)
    if code is None:
        return Undecided(f"{LOOKUP_OPERATION} answered HTTP {response.status_code} without an envelope")
    payload = _envelope(response) or {}
    msg = payload.get("msg") if isinstance(payload.get("msg"), str) else ""
    if code in settings.not_found_codes:
        return NotFound()
    order = payload.get("data")
    if code != 0 or not isinstance(order, dict) or not order.get("orderId"):
        return Undecided(f"{LOOKUP_OPERATION} answered code {code} ({str(msg)[:200]!r}) without an order")
    found_number = order.get(MERCHANT_TRADE_NO)
    if found_number and found_number != merchant_trade_no:
        return Undecided(f"{LOOKUP_OPERATION} returned the order of another merchantTradeNo ({found_number!r})")
    user_id, found_user = _parameters(request).get("userId"), order.get("merchantUserId")
    if user_id and found_user and str(found_user) != user_id:
        return Undecided(
            f"the order with this merchantTradeNo belongs to user {found_user!r}, not to this request's "
            f"{user_id!r}: the number was used before, so this write was refused as a duplicate or is unknown"
        )
    traceid = payload.get("traceid")
    return Found(order, traceid if isinstance(traceid, str) and traceid else None, str(msg))


def rebuild_result(operation: str, order: Mapping[str, Any]) -> dict[str, Any] | None:
    """The operation's ``data`` rebuilt from ``getOrderDetail``'s order, or ``None`` where it cannot be."""
    if operation not in RESULT_FIELDS:
        return None
    fields, required = RESULT_FIELDS[operation]
    data = {result: order[detail] for detail, result in fields.items() if order.get(detail) not in (None, "")}
    return data if required <= data.keys() else None


def with_recovery_field(envelope: Mapping[str, Any], recovery: Recovery) -> bytes:
    """``envelope`` as JSON with the ``RECOVERY_FIELD`` member that ``recovery_of`` reads."""
    marker = {MERCHANT_TRADE_NO: recovery.merchant_trade_no, "via": recovery.via, "lost": recovery.lost}
    return json.dumps({**envelope, RECOVERY_FIELD: marker}, ensure_ascii=False).encode("utf-8")


def envelope_of(response: httpx.Response) -> dict[str, Any] | None:
    """The response's JSON object, or ``None``."""
    return _envelope(response)
