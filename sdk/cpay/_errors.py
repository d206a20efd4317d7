"""The project's typed errors: one base class a caller can catch, and one class per way a call fails.

No error here ever holds or prints the secret key: it is never passed to them. ``SignatureError`` carries the
payload's fields so that a rejected webhook can be logged and investigated; the payload is what travelled on
the wire, and the secret never does.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cpay_client.models import OrderDetail

__all__ = [
    "BusinessError",
    "CPayError",
    "LostResponseError",
    "MalformedParametersError",
    "OutcomeUnknownError",
    "RecoveredOrderError",
    "SignatureError",
    "SignatureProblem",
    "TransportError",
    "UnexpectedResponseError",
    "VendorCode",
    "WebhookPayloadError",
]


class CPayError(Exception):
    """Base class of every error raised by the C-Pay toolkit (signing, webhooks, the generated client)."""


class SignatureProblem(enum.Enum):
    """Why a ``sign`` was refused (``SignatureError.problem``): a server answers each with its own code."""

    MISSING = "missing"
    """``sign`` (or, for a request, ``merchantId``) is absent or empty."""
    UNKNOWN_MERCHANT = "unknown merchant"
    """No secret key is known for the request's ``merchantId``."""
    MISMATCH = "mismatch"
    """The ``sign`` is not the signature of the payload with the merchant's secret key."""


class SignatureError(CPayError):
    """A ``sign`` is missing, malformed or does not match the payload (document section 16).

    ``fields`` holds the payload as received (names to raw text values), ``sign`` included, so a caller can
    log what was rejected. It never holds the secret key. ``problem`` says which check failed.
    """

    fields: Mapping[str, str]
    problem: SignatureProblem

    def __init__(
        self,
        message: str,
        *,
        fields: Mapping[str, str] | None = None,
        problem: SignatureProblem = SignatureProblem.MISMATCH,
    ) -> None:
        super().__init__(message)
        self.fields = MappingProxyType(dict(fields or {}))
        self.problem = problem


class MalformedParametersError(CPayError):
    """A query string or form body cannot be read as C-Pay reads parameters, so it cannot be signed or checked.

    It is not ``name=value`` pieces joined by ``&``, its percent-escapes are not UTF-8, or a parameter name is
    given more than once (in the query string, the body, or across both).
    """


class WebhookPayloadError(CPayError):
    """A webhook body cannot be read: unsupported content type, invalid encoding, or a field of the wrong shape."""


class VendorCode(enum.IntEnum):
    """The envelope codes C-Pay's own material names (docs/spec-notes.md, "Codes of the real server").

    A deployment answers others too; ``BusinessError.code`` is any ``int``, and ``vendor_code`` names it when it
    is one of these.
    """

    SUCCESS = 0
    FAIL = 1
    """Section 16 "Response Code" (``fail``); the vendor's reference calls it "system error"."""
    ILLEGAL_IP = 90751002
    """The caller's address is not on the merchant's IP whitelist (the vendor's reference, cpayfinance/document:
    "set the IP whitelist in CPay Merchant System first, otherwise ... illegal IP")."""
    PAY_FAIL = 90751015
    """Section 12: the card payment failed (``pay fail``), with ``data`` of empty strings."""
    CREATE_ORDER_FAIL = 90751019
    """The vendor's later documentation (pwpp): the order could not be created (``create order fail: ...``),
    ``data: null``."""


_HINTS: dict[int, str] = {
    VendorCode.ILLEGAL_IP: " (C-Pay refuses this server's IP address: add it to the merchant's IP whitelist in the "
    "C-Pay Merchant System)",
}


class BusinessError(CPayError):
    """The API answered with an envelope whose ``code`` is not 0 (HTTP 200 with a business failure).

    ``code`` and ``msg`` are the envelope's; ``traceid`` is C-Pay's request id, to quote to their support.
    ``vendor_code`` is the ``VendorCode`` of a code C-Pay's material names (``None`` for any other): branch on
    it, not on ``msg``.
    """

    code: int
    msg: str
    traceid: str | None

    def __init__(self, code: int, msg: str, traceid: str | None = None) -> None:
        self.code = code
        self.msg = msg
        self.traceid = traceid
        trace = f" (traceid {traceid})" if traceid else ""
        hint = _HINTS.get(code, "")
        super().__init__(f"C-Pay error {code}: {msg}{hint}{trace}")

    @property
    def vendor_code(self) -> VendorCode | None:
        """This error's code as a ``VendorCode``, or ``None`` when C-Pay's material does not name it."""
        try:
            return VendorCode(self.code)
        except ValueError:
            return None

    def __reduce__(self) -> tuple[type[BusinessError], tuple[int, str, str | None]]:
        # Exception pickles its args (the formatted message); rebuild from the fields instead.
        return (type(self), (self.code, self.msg, self.traceid))


class TransportError(CPayError):
    """The request did not get an HTTP response: connection refused, timed out, or the connection dropped.

    The original ``httpx`` exception is the ``__cause__``.
    """


class UnexpectedResponseError(CPayError):
    """C-Pay answered, but not with a usable envelope: an HTTP status the spec does not declare, or ``code`` 0
    without ``data``. Raised by ``unwrap``; quote the message's ``traceid`` to C-Pay's support."""


class LostResponseError(CPayError):
    """A write that carries a ``merchantTradeNo`` may have reached C-Pay, but its response was lost (a read
    timeout, a reset connection, an HTTP 5xx), and lost-response recovery could not return the operation's result.

    Raised only by a client made with ``create_client(..., recover_lost_writes=True)``. ``operation`` is the
    operationId (``createOrder``, ``withdraw``, ...), ``merchant_trade_no`` the order number the write carried:
    reconcile by it (``getOrderDetail``, the webhook). Catch ``OutcomeUnknownError`` and ``RecoveredOrderError``
    separately, or this base class for both.
    """

    operation: str
    merchant_trade_no: str

    def __init__(self, message: str, *, operation: str, merchant_trade_no: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.merchant_trade_no = merchant_trade_no

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), str(self), self.__dict__.copy()))


class OutcomeUnknownError(LostResponseError):
    """Recovery could not decide whether the write took effect: ``getOrderDetail`` failed too, answered a code
    that is neither success nor "not found", or found an order with this ``merchantTradeNo`` that belongs to
    another request. The money may or may not have moved: do not create the order again under a new number
    before ``merchant_trade_no`` is reconciled. The last failure is the ``__cause__``."""


class RecoveredOrderError(LostResponseError):
    """The write took effect (``getOrderDetail`` found its order) but the operation's result cannot be rebuilt
    from the order: what the caller needs was only in the lost response (``createOrder``'s and
    ``createOrderByCreditCard``'s ``cashierURL``, ``exchange``'s ``exchangeRate``, ``createFiatPayoutOrder``'s
    ``orderAmount``, ``pwpp``'s ``pageData``). ``order`` is the order as ``getOrderDetail`` returned it (its
    ``status`` says whether it is under way, completed or closed); ``traceid`` is that lookup's."""

    order: OrderDetail
    traceid: str | None

    def __init__(
        self, message: str, *, operation: str, merchant_trade_no: str, order: OrderDetail, traceid: str | None
    ) -> None:
        super().__init__(message, operation=operation, merchant_trade_no=merchant_trade_no)
        self.order = order
        self.traceid = traceid


def _rebuild(error_type: type[LostResponseError], message: str, state: dict[str, object]) -> LostResponseError:
    # Exception pickles its args (the message) only; the keyword-only fields travel as the instance state.
    error = error_type.__new__(error_type, message)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
