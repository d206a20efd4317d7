"""Amounts as ``Decimal``: parsing, the precision of each currency, fees and the text sent on the wire."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from cpay_emulator.shared.errors import InvalidAmount, InvalidParameter, UnsupportedCurrency

__all__ = [
    "CRYPTO_CURRENCIES",
    "FIAT_CURRENCIES",
    "ZERO",
    "fee_of",
    "format_amount",
    "parse_amount",
    "precision_of",
    "quantize_down",
    "unsupported_currency",
]

ZERO = Decimal(0)

CRYPTO_CURRENCIES = ("USDT", "TRX", "BNB", "ETH", "BTC")
"""The crypto currencies of the document (section 3: the coins of getWalletAddress)."""
FIAT_CURRENCIES = ("USD", "EUR", "BRL")
"""Fiat currencies of the card (section 14) and fiat payout (section 5) operations."""

_CRYPTO_EXPONENT = Decimal("1E-8")  # "Support 8 decimals" (section 4)
_FIAT_EXPONENT = Decimal("1E-2")  # "The precision is two decimal places" (section 12)


def precision_of(currency: str) -> Decimal:
    """The smallest unit of ``currency``: 0.01 for fiat, 0.00000001 for crypto."""
    return _FIAT_EXPONENT if currency in FIAT_CURRENCIES else _CRYPTO_EXPONENT


def parse_amount(field: str, text: str, *, allow_zero: bool = False) -> Decimal:
    """A positive finite decimal from its wire text, or an ``invalid parameter <field>`` error."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidParameter(field, f"{text!r} is not a decimal amount") from None
    if not value.is_finite():
        raise InvalidParameter(field, "must be a finite decimal amount")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidAmount(field, "must be greater than 0")
    return value


def quantize_down(value: Decimal, currency: str) -> Decimal:
    """``value`` cut to the precision of ``currency`` (the document rounds card amounts down: 19.011 -> 19.01)."""
    return value.quantize(precision_of(currency), rounding=ROUND_DOWN)


def fee_of(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """``amount * rate`` rounded half-up to the precision of ``currency`` (never more than ``amount``)."""
    fee = (amount * rate).quantize(precision_of(currency), rounding=ROUND_HALF_UP)
    return min(fee, amount)


def format_amount(value: Decimal) -> str:
    """The wire text of an amount: plain notation, no exponent, no trailing zeros (``Decimal("1.50")`` -> ``"1.5"``)."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def unsupported_currency(field: str, currency: str, supported: Sequence[str]) -> UnsupportedCurrency:
    """``unsupported <field> '<currency>'; supported: ...``: the error of a currency an operation does not take."""
    return UnsupportedCurrency(f"unsupported {field} {currency!r}; supported: {', '.join(supported)}")
