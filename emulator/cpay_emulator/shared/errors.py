"""The emulator's outcomes: one exception class per failure, each with its envelope code, in one place.

The codes are listed in docs/spec-notes.md, "Emulator error codes". Every request to an operation of
``openapi.yaml`` is answered HTTP 200 with the API's envelope; a failure sets a non-zero ``code`` and a ``msg``
that names what was wrong. C-Pay's material names ``1`` (fail), ``90751002`` (illegal IP),
``90751015`` (pay fail, section 12) and ``90751019`` (create order fail): ``cpay.VendorCode``; the
other codes are the emulator's own, chosen so a client can branch on them in tests. Messages never contain a
secret key.

An outcome names what happened (``OrderNotFound``, ``InsufficientBalance``), never how HTTP reports it: the C-Pay
API answers every outcome HTTP 200 with its code, and the control API maps outcomes to HTTP statuses itself.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, ClassVar

from cpay import (
    DEFAULT_DUPLICATE_CODES,
    DEFAULT_NOT_FOUND_CODES,
    SecretKey,
    SignatureError,
    SignatureProblem,
    VendorCode,
    mask_sensitive,
    signing_payload,
)

__all__ = [
    "CardDeclined",
    "CreateOrderFailed",
    "DuplicateTradeNo",
    "EmulatorError",
    "ErrorCode",
    "IllegalIp",
    "InsufficientBalance",
    "InvalidAddress",
    "InvalidAmount",
    "InvalidOrderState",
    "InvalidParameter",
    "InvalidSignature",
    "MalformedRequest",
    "MissingSignature",
    "OperationNotImplemented",
    "OrderNotFound",
    "UnknownMerchant",
    "UnsupportedCurrency",
    "UnsupportedNetwork",
    "UnsupportedPair",
    "WebhookNotFound",
    "signature_error",
]


# The two answers the SDK's lost-write recovery reads by default. They are defined once, by the SDK (which cannot
# import the emulator), and the emulator answers with them: a change on either side cannot leave the other behind.
(_DUPLICATE_MERCHANT_TRADE_NO,) = DEFAULT_DUPLICATE_CODES
(_ORDER_NOT_FOUND,) = DEFAULT_NOT_FOUND_CODES


class ErrorCode(enum.IntEnum):
    """Envelope ``code`` values the emulator answers with: the one list of its codes (docs/spec-notes.md shows it,
    ``emulator_codes`` sorts it for the proxy and the conformance suite)."""

    SUCCESS = 0
    FAIL = VendorCode.FAIL.value
    """Generic failure (document: "1 fail"); also any unexpected error inside the emulator."""
    ILLEGAL_IP = VendorCode.ILLEGAL_IP.value
    """The caller's address is not on the merchant's IP allowlist (the vendor's reference: "illegal IP")."""
    PAY_FAIL = VendorCode.PAY_FAIL.value
    """The card was declined (document section 12, pwpp)."""
    CREATE_ORDER_FAIL = VendorCode.CREATE_ORDER_FAIL.value
    """pwpp: the acquirer refuses to open the charge, here for an expired card (the vendor's later
    documentation: ``create order fail: ...`` with ``data: null``)."""
    INVALID_PARAMETER = 10001
    """A parameter is missing or breaks a rule of ``openapi.yaml``; ``msg`` names the field and the rule."""
    MALFORMED_REQUEST = 10002
    """The request cannot be read: bad URL encoding, repeated parameter, wrong content type."""
    MISSING_SIGNATURE = 10101
    """``merchantId`` or ``sign`` is missing."""
    INVALID_SIGNATURE = 10102
    """``sign`` does not match the parameters and the merchant's secret key (document section 16)."""
    UNKNOWN_MERCHANT = 10103
    """No merchant has this ``merchantId``."""
    DUPLICATE_MERCHANT_TRADE_NO = _DUPLICATE_MERCHANT_TRADE_NO  # 10201
    """The merchant already has an order with this ``merchantTradeNo`` (``cpay.DEFAULT_DUPLICATE_CODES``)."""
    ORDER_NOT_FOUND = _ORDER_NOT_FOUND  # 10202
    """No order of this merchant matches the given ``merchantTradeNo`` / ``cpayOrderId`` / ``hash``
    (``cpay.DEFAULT_NOT_FOUND_CODES``)."""
    INVALID_ORDER_STATE = 10203
    """The order cannot make this transition (control API: paying a closed order, completing a pay-in...)."""
    WEBHOOK_NOT_FOUND = 10204
    """Control API: no webhook delivery has this id (``webhooks resend``)."""
    INSUFFICIENT_BALANCE = 10301
    """The merchant's available balance in the currency is lower than the amount to freeze or debit."""
    UNSUPPORTED_CURRENCY = 10302
    """The currency is not one the emulator (or this operation) supports."""
    UNSUPPORTED_NETWORK = 10303
    """The network is unknown, or does not carry the currency."""
    UNSUPPORTED_PAIR = 10304
    """No exchange rate is configured for this currency pair."""
    INVALID_AMOUNT = 10305
    """A well-formed amount breaks a business rule: zero, nothing left after the fee, more received than paid."""
    INVALID_ADDRESS = 10306
    """A payout's ``toAddress`` is not an address of its network (format or checksum)."""


class EmulatorError(Exception):
    """A failure answered as the envelope ``{code, msg, data}``; each subclass is one outcome with its ``code``."""

    code: ClassVar[ErrorCode] = ErrorCode.FAIL
    msg: str
    data: Any

    def __init__(self, msg: str, *, data: Any = None) -> None:
        super().__init__(f"{int(self.code)}: {msg}")
        self.msg = msg
        self.data = data


# -- the request cannot be taken as it is (raised while reading, authenticating and validating) --------------


class MalformedRequest(EmulatorError):
    """The request cannot be read: bad URL encoding, a repeated parameter, a body of the wrong type."""

    code = ErrorCode.MALFORMED_REQUEST


class InvalidParameter(EmulatorError):
    """``invalid parameter <field>: <rule>``: a field is missing or breaks a rule (the spec's, or the emulator's)."""

    code = ErrorCode.INVALID_PARAMETER

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"invalid parameter {field}: {rule}")


class MissingSignature(EmulatorError):
    """``merchantId`` or ``sign`` is missing."""

    code = ErrorCode.MISSING_SIGNATURE


class InvalidSignature(EmulatorError):
    """``sign`` does not match the parameters and the merchant's secret key."""

    code = ErrorCode.INVALID_SIGNATURE


class UnknownMerchant(EmulatorError):
    """No merchant has this ``merchantId``."""

    code = ErrorCode.UNKNOWN_MERCHANT


class OperationNotImplemented(EmulatorError):
    """An operation the emulator does not model and cannot answer from the spec either: neither its example nor
    any generated value fits its response schema (``server.coverage``). Answered as the document's ``1 fail``."""

    code = ErrorCode.FAIL


# -- business outcomes (raised by the domain backends) ---------------------------------------------------------


class DuplicateTradeNo(EmulatorError):
    """The merchant already has an order with this ``merchantTradeNo``."""

    code = ErrorCode.DUPLICATE_MERCHANT_TRADE_NO


class OrderNotFound(EmulatorError):
    """No order (of this merchant) matches; also a deposit to an address nobody was given."""

    code = ErrorCode.ORDER_NOT_FOUND


class WebhookNotFound(EmulatorError):
    """No webhook delivery has this id."""

    code = ErrorCode.WEBHOOK_NOT_FOUND


class InvalidOrderState(EmulatorError):
    """The order cannot make this transition (paying a closed order, completing a pay-in twice...)."""

    code = ErrorCode.INVALID_ORDER_STATE


class InsufficientBalance(EmulatorError):
    """The available balance is lower than the amount to freeze or debit."""

    code = ErrorCode.INSUFFICIENT_BALANCE


class UnsupportedCurrency(EmulatorError):
    """The currency is not one the emulator (or this operation) supports."""

    code = ErrorCode.UNSUPPORTED_CURRENCY


class UnsupportedNetwork(EmulatorError):
    """The network is unknown, or does not carry the currency."""

    code = ErrorCode.UNSUPPORTED_NETWORK


class UnsupportedPair(EmulatorError):
    """No exchange rate is configured for this currency pair."""

    code = ErrorCode.UNSUPPORTED_PAIR


class InvalidAmount(EmulatorError):
    """``invalid amount <field>: <rule>``: a well-formed amount breaks a business rule (zero, nothing left...)."""

    code = ErrorCode.INVALID_AMOUNT

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"invalid amount {field}: {rule}")


class InvalidAddress(EmulatorError):
    """A payout's ``toAddress`` is not an address of its network."""

    code = ErrorCode.INVALID_ADDRESS


class CardDeclined(EmulatorError):
    """The acquirer declines the card (section 12's ``90751015 pay fail``); ``data`` is the section's empty answer."""

    code = ErrorCode.PAY_FAIL

    def __init__(self, msg: str) -> None:
        super().__init__(msg, data={"orderId": "", "pageData": "", "ccStorageID": ""})


class IllegalIp(EmulatorError):
    """The request comes from an address outside the merchant's IP allowlist (``90751002 illegal IP``)."""

    code = ErrorCode.ILLEGAL_IP


class CreateOrderFailed(EmulatorError):
    """``create order fail: <why>``: no order was created; ``data`` is ``null``, as the later documentation shows."""

    code = ErrorCode.CREATE_ORDER_FAIL

    def __init__(self, reason: str) -> None:
        super().__init__(f"create order fail: {reason}")


def signature_error(
    error: SignatureError, sensitive: frozenset[str], secret_key: Callable[[str], SecretKey | None]
) -> EmulatorError:
    """The outcome of a sign the toolkit's verifier refused; a mismatch shows the string that was signed.

    Never the key; and the values of the ``sensitive`` fields (card data) and any value holding the merchant's
    secret key are masked by ``cpay.mask_sensitive``, as in the SDK's log: the message is the answer's
    text, which clients log and proxies record.
    """
    if error.problem is SignatureProblem.MISSING:
        return MissingSignature(str(error))
    if error.problem is SignatureProblem.UNKNOWN_MERCHANT:
        return UnknownMerchant(str(error))
    shown = mask_sensitive(error.fields, sensitive=sensitive, secret=secret_key(error.fields.get("merchantId", "")))
    masked = " (sensitive values masked)" if shown != error.fields else ""
    return InvalidSignature(
        "invalid sign: expected lowercase hex HMAC-SHA256 of "
        f"{signing_payload(shown)!r} + '&key=<secret key>' (section 16){masked}",
    )
