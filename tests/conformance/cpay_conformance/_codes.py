"""What an envelope ``code`` means to the checks: C-Pay answers every request HTTP 200, errors included.

Schemathesis's built-in positive/negative/auth checks judge the HTTP status. Here the status is always 200 and
the verdict is in the JSON envelope ``{code, msg, data, traceid}``: ``code`` 0 is success, anything else a
business error. The ``CodeBook`` that sorts the non-zero codes into what a check needs to know lives in
``cpay_emulator`` (``shared.codes``), shared with the emulator's validating proxy; this module reads envelopes.
"""

from __future__ import annotations

import json

import attrs
from schemathesis import Response

from cpay_emulator import DOCUMENT_CODES, CodeBook, emulator_codes

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
