"""The project's typed errors: one base class a caller can catch, and one class per way a call fails.

No error here ever holds or prints the secret key: it is never passed to them. ``SignatureError`` carries the
payload's fields so that a rejected webhook can be logged and investigated; the payload is what travelled on
the wire, and the secret never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "BusinessError",
    "CPayError",
    "SignatureError",
    "TransportError",
    "UnexpectedResponseError",
    "WebhookPayloadError",
]


class CPayError(Exception):
    """Base class of every error raised by the C-Pay toolkit (signing, webhooks, the generated client)."""


class SignatureError(CPayError):
    """A ``sign`` is missing, malformed or does not match the payload (document section 16).

    ``fields`` holds the payload as received (names to raw text values), ``sign`` included, so a caller can
    log what was rejected. It never holds the secret key.
    """

    fields: Mapping[str, str]

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = MappingProxyType(dict(fields or {}))


class WebhookPayloadError(CPayError):
    """A webhook body cannot be read: unsupported content type, invalid encoding, or a field of the wrong shape."""


class BusinessError(CPayError):
    """The API answered with an envelope whose ``code`` is not 0 (HTTP 200 with a business failure).

    ``code`` and ``msg`` are the envelope's; ``traceid`` is C-Pay's request id, to quote to their support.
    """

    code: int
    msg: str
    traceid: str | None

    def __init__(self, code: int, msg: str, traceid: str | None = None) -> None:
        self.code = code
        self.msg = msg
        self.traceid = traceid
        trace = f" (traceid {traceid})" if traceid else ""
        super().__init__(f"C-Pay error {code}: {msg}{trace}")

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
