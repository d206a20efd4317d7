"""What an envelope ``code`` means for one deployment: the code book that the proxy and the conformance suite share.

C-Pay answers every request HTTP 200, errors included; the verdict is the envelope's ``code``: 0 is success,
anything else an error. A ``CodeBook`` sorts the non-zero codes of one deployment into what a checker needs
to know: outcomes a valid request may get (business), the answers to a bad signature, to bad input, and the
code for an internal failure. Any code in none of these is unknown, which the proxy reports.

C-Pay's material names four codes (``cpay.VendorCode``: 1 fail, 90751002 illegal IP, 90751015 pay fail,
90751019 create order fail); the emulator's are its ``ErrorCode``, which includes those; a real deployment's
others are added from ``CPAY_BUSINESS_CODES`` / ``CPAY_SIGN_ERROR_CODES`` (comma-separated).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import attrs

from cpay import VendorCode
from cpay_emulator.shared.errors import ErrorCode

__all__ = ["DOCUMENT_CODES", "CodeBook", "emulator_codes", "parse_codes"]


def _codes(values: Iterable[int]) -> frozenset[int]:
    return frozenset(int(value) for value in values)


@attrs.frozen(kw_only=True)
class CodeBook:
    """The meaning of each envelope code for one deployment.

    ``business``: outcomes a valid, correctly signed request may get because of the server's state (order not
    found, insufficient balance, card declined...). ``signature``: the answers to a missing or wrong
    ``merchantId``/``sign``; empty means unknown, and then any non-zero code counts. ``input_errors``: the
    answers to a request that breaks the spec. ``server_failure``: codes that stand for an internal error
    behind HTTP 200 (the emulator answers an unexpected exception with code 1).
    """

    name: str
    business: frozenset[int] = attrs.field(converter=_codes)
    signature: frozenset[int] = attrs.field(converter=_codes, default=frozenset())
    input_errors: frozenset[int] = attrs.field(converter=_codes, default=frozenset())
    server_failure: frozenset[int] = attrs.field(converter=_codes, default=frozenset())

    def accepts_valid_input(self, code: int) -> bool:
        """Whether ``code`` is a fitting answer to a schema-valid, signed request."""
        return code == 0 or code in self.business

    def is_signature_error(self, code: int) -> bool:
        """Whether ``code`` is the answer to a missing or wrong signature (any non-zero code if unknown)."""
        return code != 0 and (not self.signature or code in self.signature)

    def is_known(self, code: int) -> bool:
        """Whether ``code`` is 0 or a code of this book (an unknown code is one the spec's readers cannot handle)."""
        return (
            code == 0
            or code in self.business
            or code in self.signature
            or code in self.input_errors
            or code in self.server_failure
        )

    def known(self) -> list[int]:
        """Every code of the book, 0 first, in order (for messages)."""
        return sorted({0} | self.business | self.signature | self.input_errors | self.server_failure)

    def with_codes(self, *, business: Iterable[int] = (), signature: Iterable[int] = ()) -> CodeBook:
        """This book with more business outcomes and signature-error codes."""
        extra_business, extra_signature = _codes(business), _codes(signature)
        if not extra_business and not extra_signature:
            return self
        return attrs.evolve(self, business=self.business | extra_business, signature=self.signature | extra_signature)

    def with_overrides(self, environ: Mapping[str, str] = os.environ) -> CodeBook:
        """This book with ``CPAY_BUSINESS_CODES`` / ``CPAY_SIGN_ERROR_CODES`` (comma-separated) added."""
        return self.with_codes(
            business=parse_codes(environ.get("CPAY_BUSINESS_CODES", ""), "CPAY_BUSINESS_CODES"),
            signature=parse_codes(environ.get("CPAY_SIGN_ERROR_CODES", ""), "CPAY_SIGN_ERROR_CODES"),
        )


def parse_codes(text: str, name: str) -> frozenset[int]:
    """The integers of a comma-separated list; ``ValueError`` naming ``name`` and the bad piece."""
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


DOCUMENT_CODES = CodeBook(
    name="document",
    business={code for code in VendorCode if code is not VendorCode.SUCCESS},
)
"""What C-Pay's own material names (``cpay.VendorCode``): 1 fail, 90751002 illegal IP (the vendor's
reference), 90751015 pay fail (section 12), 90751019 create order fail (the later documentation). A deployment's
other codes are unknown until listed (``CPAY_BUSINESS_CODES``)."""


def emulator_codes() -> CodeBook:
    """The emulator's codes, read from its one module of codes (``ErrorCode``).

    Input, request and signature errors are named; every other non-zero code the emulator defines (now or
    later) is a business outcome, so a new code for a state-dependent answer needs no change here.
    """
    input_errors = {ErrorCode.INVALID_PARAMETER, ErrorCode.MALFORMED_REQUEST}
    signature = {ErrorCode.MISSING_SIGNATURE, ErrorCode.INVALID_SIGNATURE, ErrorCode.UNKNOWN_MERCHANT}
    server_failure = {ErrorCode.FAIL}
    named = input_errors | signature | server_failure | {ErrorCode.SUCCESS}
    return CodeBook(
        name="emulator",
        business={code for code in ErrorCode if code not in named},
        signature=signature,
        input_errors=input_errors,
        server_failure=server_failure,
    )
