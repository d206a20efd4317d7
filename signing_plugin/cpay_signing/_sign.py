"""The C-Pay signature (document section 16): sorted ``name=value`` pairs, ``&key=<secret>``, HMAC-SHA256."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from decimal import Decimal

from cpay_signing._secret import SecretKey

__all__ = ["SignableParams", "compute_sign", "signing_payload", "verify_sign"]

SignableParams = Mapping[str, object] | Iterable[tuple[str, object]]
"""Parameters to sign: a mapping, or ``(name, value)`` pairs such as a parsed query string."""

SIGN_FIELD = "sign"


def _text(name: str, value: object) -> str:
    """The text a value is signed as: what ``str()`` gives for the types whose wire form that is."""
    if value is None:
        return ""
    if isinstance(value, str):
        # A str subclass (a ``(str, Enum)`` member, say) is sent as its content, not as its ``str()``.
        return str.__str__(value)
    # bool is an int subclass, but str(True) == "True" is not what Java or a form encoder sends.
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    # float: str(0.1 + 0.2) is not what any other party signs; money is Decimal or str in this project.
    raise TypeError(
        f"parameter {name!r} is a {type(value).__name__}; sign str, int or Decimal values "
        "(the exact text sent on the wire)"
    )


def signing_payload(params: SignableParams) -> str:
    """The string that is HMAC'd, *without* the trailing ``&key=<secret>``: ``a=1&b=2``.

    Rules (document section 16):

    * ``sign`` itself and every empty value (``None`` or ``""``) are left out; whitespace is not empty.
    * Names are sorted in code-point order. This is the order of the document's Go and PHP demos and, for
      every name inside the Basic Multilingual Plane (all of the API's names are ASCII), of Java's
      ``String.compareTo`` in the Java demo.
    * Values are joined raw: not URL-encoded, so URLs with ``&`` and ``=``, JSON text and non-ASCII text
      are signed as they are; the result is UTF-8 encoded for the HMAC.
    * Given ``(name, value)`` pairs with a repeated name, the last one wins, as when the document's Java
      demo puts them into a ``HashMap``.
    """
    return "&".join(_signed_pairs(params))


def _signed_pairs(params: SignableParams) -> list[str]:
    """``name=value`` for every signed parameter, in signing order (the hot path: no key function, no copy)."""
    fields = params if isinstance(params, Mapping) else dict(params)
    parts: list[str] = []
    for name in sorted(fields):
        value = fields[name]
        text = value if value.__class__ is str else _text(name, value)
        if text and name != SIGN_FIELD:
            parts.append(f"{name}={text}")
    return parts


def compute_sign(params: SignableParams, secret_key: str | SecretKey) -> str:
    """The ``sign`` of ``params``: lowercase hex HMAC-SHA256 of ``signing_payload(params) + "&key=" + secret``.

    Pass the values exactly as they go on the wire (decoded from any URL encoding): ``"100.50"``, not
    ``Decimal("100.5")``. ``int`` and ``Decimal`` values are signed as ``str()`` gives them. ``float`` and
    ``bool`` values raise ``TypeError``. The secret is keyed as UTF-8.
    """
    key = SecretKey.of(secret_key)
    parts = _signed_pairs(params)
    parts.append(f"key={key.reveal()}")
    return hmac.digest(key.key_bytes, "&".join(parts).encode("utf-8"), "sha256").hex()


def verify_sign(params: SignableParams, secret_key: str | SecretKey, sign: str) -> bool:
    """Whether ``sign`` is the signature of ``params``, compared in constant time.

    The comparison is exact: the document's signature is lowercase hex, so an uppercase ``sign`` is wrong.
    Any ``sign`` in ``params`` is ignored; the one checked is the ``sign`` argument.
    """
    if not isinstance(sign, str) or not sign.isascii():
        return False
    return hmac.compare_digest(compute_sign(params, secret_key), sign)
