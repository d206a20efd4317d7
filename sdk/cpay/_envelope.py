"""Business errors of the response envelope: ``unwrap`` for a parsed envelope, response hooks for the raw one.

C-Pay answers every call with HTTP 200 and ``{"code", "msg", "data", "traceid"}``; ``code`` 0 is success and any
other value a business error (``1`` fail, ``90751015`` pay fail, ...). The generated ``cpay_client`` parses both
alike and cannot raise ``BusinessError`` itself (it must not import this package), so the check lives here:

* ``unwrap(withdraw.sync(client=client, body=body))`` returns the typed ``data`` (``WithdrawOrder``) or raises;
* ``raise_for_business_error`` / ``araise_for_business_error`` are httpx response hooks that raise before the
  generated parser runs, for clients that must never hand back a failed envelope.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol, TypeVar

import httpx

from cpay._errors import BusinessError, UnexpectedResponseError

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from cpay_client.types import Unset

__all__ = ["Envelope", "araise_for_business_error", "raise_for_business_error", "unwrap"]

DataT_co = TypeVar("DataT_co", covariant=True)


class Envelope(Protocol[DataT_co]):
    """What every generated ``XxxResponse`` model is: the envelope around one operation's ``data``."""

    @property
    def code(self) -> int: ...

    @property
    def msg(self) -> str: ...

    @property
    def data(self) -> DataT_co | Unset | None: ...

    @property
    def traceid(self) -> str | Unset: ...


def unwrap(envelope: Envelope[DataT_co] | None) -> DataT_co:
    """Return the envelope's ``data``; raise ``BusinessError`` when ``code`` is not 0.

    Accepts the ``sync()`` / ``asyncio()`` result as is: ``None`` (an HTTP status the spec does not declare)
    and a success without ``data`` raise ``UnexpectedResponseError``. Both errors derive from ``CPayError``.
    """
    if envelope is None:
        raise UnexpectedResponseError(
            "no C-Pay envelope: the HTTP status is not the documented 200 (call sync_detailed() to inspect it)"
        )
    traceid = envelope.traceid if isinstance(envelope.traceid, str) else None
    if envelope.code != 0:
        raise BusinessError(envelope.code, envelope.msg, traceid)
    data = envelope.data
    if data is None or _is_unset(data):
        raise UnexpectedResponseError(f"C-Pay reported success without data (traceid {traceid})")
    return data


def raise_for_business_error(response: httpx.Response) -> None:
    """httpx response hook (``event_hooks={"response": [...]}`` of an ``httpx.Client``): raise ``BusinessError``.

    Reads the body, and raises when it is a JSON object whose integer ``code`` is not 0. Any other body (a
    success, a proxy's HTML error page, invalid JSON) passes through to the generated parser unchanged.
    """
    response.read()
    _check(response)


async def araise_for_business_error(response: httpx.Response) -> None:
    """The ``httpx.AsyncClient`` twin of ``raise_for_business_error`` (httpx awaits async hooks)."""
    await response.aread()
    _check(response)


def _check(response: httpx.Response) -> None:
    try:
        payload = json.loads(response.content)
    except ValueError:  # not JSON, or not UTF-8: not an envelope
        return
    if not isinstance(payload, dict):
        return
    code = payload.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        return
    msg = payload.get("msg")
    traceid = payload.get("traceid")
    raise BusinessError(
        code, msg if isinstance(msg, str) else "", traceid if isinstance(traceid, str) and traceid else None
    )


def _is_unset(value: object) -> TypeIs[Unset]:
    # Imported here so that signing and webhooks work without the generated package installed.
    from cpay_client.types import Unset

    return isinstance(value, Unset)
