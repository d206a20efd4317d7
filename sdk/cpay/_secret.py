"""A wrapper that keeps the merchant's secret key out of reprs, logs and tracebacks."""

from __future__ import annotations

import hmac
from typing import final

__all__ = ["SecretKey"]

_MASK = "SecretKey('********')"


@final
class SecretKey:
    """The merchant's secret key (document section 16: "secret key will be given through email").

    ``repr()`` and ``str()`` print a mask, so the key cannot leak through logging an object that holds it.
    Read it only where it is needed, with ``reveal()``. The UTF-8 bytes used as the HMAC key are computed
    once. Every function of this package that takes a secret accepts either a ``SecretKey`` or a ``str``.
    """

    __slots__ = ("_text", "key_bytes")

    _text: str
    key_bytes: bytes
    """The key as UTF-8 bytes, as the document's Java demo feeds it to ``SecretKeySpec``."""

    def __init__(self, value: str | SecretKey) -> None:
        if isinstance(value, SecretKey):
            value = value._text
        if not isinstance(value, str):
            raise TypeError(f"a secret key must be a str, not {type(value).__name__}")
        if not value:
            raise ValueError("the secret key is empty")
        self._text = value
        self.key_bytes = value.encode("utf-8")

    @classmethod
    def of(cls, value: str | SecretKey) -> SecretKey:
        """Return ``value`` itself if it is already a ``SecretKey``, else wrap it (no copy on the hot path)."""
        return value if isinstance(value, SecretKey) else cls(value)

    def reveal(self) -> str:
        """The key in clear text. Never log the result."""
        return self._text

    def __repr__(self) -> str:
        return _MASK

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretKey):
            return NotImplemented
        return hmac.compare_digest(self.key_bytes, other.key_bytes)

    def __hash__(self) -> int:
        # Equal keys must hash alike; hashing a digest-free constant leaks nothing about the key.
        return hash(SecretKey)

    def __copy__(self) -> SecretKey:
        return self  # immutable: copies may share it

    def __deepcopy__(self, memo: object) -> SecretKey:
        return self

    def __reduce__(self) -> str:
        # Refuse pickling: a pickled key would land in caches, queues and crash dumps in clear text.
        raise TypeError("a SecretKey cannot be pickled")
