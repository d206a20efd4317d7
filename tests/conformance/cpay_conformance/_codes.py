"""What an envelope ``code`` means to the checks: C-Pay answers every request HTTP 200, errors included.

Schemathesis's built-in positive/negative/auth checks judge the HTTP status. Here the status is always 200 and
the verdict is in the JSON envelope ``{code, msg, data, traceid}``: ``code`` 0 is success, anything else a
business error. A ``CodeBook`` sorts the non-zero codes into what a check needs to know.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping

import attrs
from schemathesis import Response

__all__ = ["DOCUMENT_CODES", "CodeBook", "Envelope", "emulator_codes", "read_envelope"]


@attrs.frozen
class Envelope:
    """The parts of a response envelope the checks read."""

    code: int
    msg: str
    data: object

    def describe(self) -> str:
        """``code 10001 (invalid parameter amount: ...)`` for failure messages."""
        return f"code {self.code} ({self.msg})" if self.msg else f"code {self.code}"


def read_envelope(response: Response) -> Envelope | None:
    """The envelope of ``response``, or ``None`` if it is not one (left to the schema conformance check)."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    code = body.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    msg = body.get("msg")
    return Envelope(code=code, msg=msg if isinstance(msg, str) else "", data=body.get("data"))


def _codes(values: Iterable[int]) -> frozenset[int]:
    return frozenset(int(value) for value in values)


@attrs.frozen(kw_only=True)
class CodeBook:
    """The meaning of each envelope code for one deployment.

    ``business``: outcomes a valid, correctly signed request may get because of the server's state (order not
    found, insufficient balance, card declined...). Every other non-zero code answering a valid request is a
    rejection of valid input. ``signature``: the answers to a missing or wrong ``merchantId``/``sign``; empty
    means unknown, and then any non-zero code counts. ``server_failure``: codes that stand for an internal
    error behind HTTP 200 (the emulator answers an unexpected exception with code 1).
    """

    name: str
    business: frozenset[int] = attrs.field(converter=_codes)
    signature: frozenset[int] = attrs.field(converter=_codes, default=frozenset())
    server_failure: frozenset[int] = attrs.field(converter=_codes, default=frozenset())

    def accepts_valid_input(self, code: int) -> bool:
        """Whether ``code`` is a fitting answer to a schema-valid, signed request."""
        return code == 0 or code in self.business

    def is_signature_error(self, code: int) -> bool:
        """Whether ``code`` is the answer to a missing or wrong signature (any non-zero code if unknown)."""
        return code != 0 and (not self.signature or code in self.signature)

    def with_overrides(self, environ: Mapping[str, str] = os.environ) -> CodeBook:
        """This book with ``CPAY_BUSINESS_CODES`` / ``CPAY_SIGN_ERROR_CODES`` (comma-separated) added."""
        extra_business = _parse_codes(environ.get("CPAY_BUSINESS_CODES", ""), "CPAY_BUSINESS_CODES")
        extra_signature = _parse_codes(environ.get("CPAY_SIGN_ERROR_CODES", ""), "CPAY_SIGN_ERROR_CODES")
        if not extra_business and not extra_signature:
            return self
        return attrs.evolve(self, business=self.business | extra_business, signature=self.signature | extra_signature)


def _parse_codes(text: str, name: str) -> frozenset[int]:
    codes: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            codes.add(int(part))
        except ValueError:
            raise ValueError(f"{name}: {part!r} is not an integer code") from None
    return frozenset(codes)


DOCUMENT_CODES = CodeBook(name="document", business={1, 90751015})
"""What the C-Pay document says: 1 fail, 90751015 pay fail. The sandbox's other codes are unknown."""


def emulator_codes() -> CodeBook:
    """The emulator's codes, read from its one module of codes (``cpay_emulator.ErrorCode``).

    Input, request and signature errors are named; every other non-zero code the emulator defines (now or
    later) is a business outcome, so a new code for a state-dependent answer needs no change here.
    """
    from cpay_emulator import ErrorCode

    input_errors = {ErrorCode.INVALID_PARAMETER, ErrorCode.MALFORMED_REQUEST}
    signature = {ErrorCode.MISSING_SIGNATURE, ErrorCode.INVALID_SIGNATURE, ErrorCode.UNKNOWN_MERCHANT}
    server_failure = {ErrorCode.FAIL}
    named = input_errors | signature | server_failure | {ErrorCode.SUCCESS}
    return CodeBook(
        name="emulator",
        business={code for code in ErrorCode if code not in named},
        signature=signature,
        server_failure=server_failure,
    )
