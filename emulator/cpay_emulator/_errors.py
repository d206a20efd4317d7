"""The emulator's business error codes, in one place (listed in docs/spec-notes.md, "Emulator error codes").

Every request to an operation of ``openapi.yaml`` is answered HTTP 200 with the API's envelope; a failure sets
a non-zero ``code`` and a ``msg`` that names what was wrong. The document defines only ``1`` (fail) and
``90751015`` (pay fail, section 12); the other codes are the emulator's own, chosen so a client can branch on
them in tests. Messages never contain a secret key.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["EmulatorError", "ErrorCode"]


class ErrorCode(enum.IntEnum):
    """Envelope ``code`` values the emulator answers with."""

    SUCCESS = 0
    FAIL = 1
    """Generic failure (document: "1 fail"); also any unexpected error inside the emulator."""
    PAY_FAIL = 90751015
    """The card was declined (document section 12, pwpp)."""
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
    DUPLICATE_MERCHANT_TRADE_NO = 10201
    """The merchant already has an order with this ``merchantTradeNo``."""
    ORDER_NOT_FOUND = 10202
    """No order of this merchant matches the given ``merchantTradeNo`` / ``cpayOrderId`` / ``hash``."""
    INVALID_ORDER_STATE = 10203
    """The order cannot make this transition (control API: paying a closed order, completing a pay-in...)."""
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
    """A business failure: answered as the envelope ``{code, msg, data}`` (HTTP 200 on the C-Pay API).

    ``http_status`` is used only by the control API, which speaks plain HTTP status codes.
    """

    code: int
    msg: str
    data: Any
    http_status: int

    def __init__(self, code: int, msg: str, *, data: Any = None, http_status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = int(code)
        self.msg = msg
        self.data = data
        self.http_status = http_status

    @classmethod
    def amount(cls, field: str, rule: str) -> EmulatorError:
        """``invalid amount <field>: <rule>`` with code INVALID_AMOUNT (a business rule, not the spec's)."""
        return cls(ErrorCode.INVALID_AMOUNT, f"invalid amount {field}: {rule}", http_status=422)

    @classmethod
    def invalid(cls, field: str, rule: str) -> EmulatorError:
        """``invalid parameter <field>: <rule>`` with code INVALID_PARAMETER."""
        return cls(ErrorCode.INVALID_PARAMETER, f"invalid parameter {field}: {rule}", http_status=422)
