"""The C-Pay signature (document section 16): sorted ``name=value`` pairs, ``&key=<secret>``, HMAC-SHA256."""

from __future__ import annotations

import enum
import hmac
from collections.abc import Iterable, Mapping
from decimal import Decimal

from cpay._secret import SecretKey

__all__ = ["SignRule", "SignableParams", "compute_sign", "signing_payload", "verify_sign"]

SignableParams = Mapping[str, object] | Iterable[tuple[str, object]]
"""Parameters to sign: a mapping, or ``(name, value)`` pairs such as a parsed query string."""

SIGN_FIELD = "sign"


class SignRule(enum.Enum):
    """Which values a signer leaves out of the signed string; the vendor's own code disagrees on ``"0"``.

    ``DOCUMENT``: only empty values, as section 16 says ("empty parameters should not be involved") and as the
    document's Java and Go demos and the vendor's Go SDK do (``len(tmp) > 0``). The SDK signs by this rule.

    ``PHP_EMPTY``: every value for which PHP's ``empty()`` is true, so ``"0"`` too, as the vendor's PHP SDK
    and its reference's PHP demo do (``if (!empty($v))``). A C-Pay server built on that code would sign a
    webhook with ``fee=0`` without the fee, and expect ``purchaseType=0`` unsigned. Verifiers accept both.
    """

    DOCUMENT = "document"
    PHP_EMPTY = "php-empty"


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


def _signed_pairs(params: SignableParams, rule: SignRule = SignRule.DOCUMENT) -> list[str]:
    """``name=value`` for every signed parameter, in signing order (the hot path: no key function, no copy)."""
    fields = params if isinstance(params, Mapping) else dict(params)
    skip_zero = rule is SignRule.PHP_EMPTY
    parts: list[str] = []
    for name in sorted(fields):
        value = fields[name]
        text = value if value.__class__ is str else _text(name, value)
        if text and name != SIGN_FIELD and not (skip_zero and text == "0"):
            parts.append(f"{name}={text}")
    return parts


def _digest(parts: list[str], key: SecretKey) -> str:
    """The sign of the signed pairs ``parts`` (appends the key to it)."""
    parts.append(f"key={key.reveal()}")
    return hmac.digest(key.key_bytes, "&".join(parts).encode("utf-8"), "sha256").hex()


def compute_sign(params: SignableParams, secret_key: str | SecretKey, *, rule: SignRule = SignRule.DOCUMENT) -> str:
    """The ``sign`` of ``params``: lowercase hex HMAC-SHA256 of ``signing_payload(params) + "&key=" + secret``.

    Pass the values exactly as they go on the wire (decoded from any URL encoding): ``"100.50"``, not
    ``Decimal("100.5")``. ``int`` and ``Decimal`` values are signed as ``str()`` gives them. ``float`` and
    ``bool`` values raise ``TypeError``. The secret is keyed as UTF-8. ``rule`` says whether ``"0"`` is signed
    (``SignRule``); leave it at the document's rule unless you are reproducing the vendor's PHP code.
    """
    return _digest(_signed_pairs(params, rule), SecretKey.of(secret_key))


def verify_sign(params: SignableParams, secret_key: str | SecretKey, sign: str) -> bool:
    """Whether ``sign`` is the signature of ``params`` by either ``SignRule``, compared in constant time.

    The document's rule is tried first; only when it fails and some value is ``"0"`` is the PHP code's rule
    tried too (the two give the same string otherwise). What the PHP rule leaves unsigned is only whether a
    field is absent or ``"0"``; any other value is covered by both rules. The comparison is exact: the
    document's signature is lowercase hex, so an uppercase ``sign`` is wrong. Any ``sign`` in ``params`` is
    ignored; the one checked is the ``sign`` argument.
    """
    if not isinstance(sign, str) or not sign.isascii():
        return False
    key = SecretKey.of(secret_key)
    document = _signed_pairs(params)
    signed = len(document)
    if hmac.compare_digest(_digest(document, key), sign):
        return True
    php = _signed_pairs(params, SignRule.PHP_EMPTY)
    return len(php) < signed and hmac.compare_digest(_digest(php, key), sign)
