"""Identifiers shaped like the document's: 21-digit order ids and ``yyMMddHHmmssX1234567`` trace ids."""

from __future__ import annotations

import random
import time

__all__ = ["new_order_id", "new_traceid", "now_ms"]

# Ids need to be unique (the orders table's primary key enforces it), not unpredictable: a Mersenne Twister
# seeded from the OS avoids a getrandom() system call per request.
_random = random.Random()  # noqa: S311
_stamp_second = -1
_stamp_text = ""


def now_ms() -> int:
    """Milliseconds since the epoch (the document's ``createTime`` unit)."""
    return time.time_ns() // 1_000_000


def _stamp() -> str:
    """UTC ``yyMMddHHmmss`` of now, formatted once per second."""
    global _stamp_second, _stamp_text
    second = int(time.time())
    if second != _stamp_second:
        _stamp_text = time.strftime("%y%m%d%H%M%S", time.gmtime(second))
        _stamp_second = second
    return _stamp_text


def new_traceid() -> str:
    """A trace id like the document's ``221117074719X9921729``: UTC ``yyMMddHHmmss``, ``X``, 7 digits."""
    return f"{_stamp()}X{_random.randrange(10_000_000):07d}"


def new_order_id() -> str:
    """An order id like the document's ``221116112637772768014``: UTC ``yyMMddHHmmss`` and 9 random digits.

    Uniqueness is enforced by the primary key; the caller retries on the (one in 10^9 per second) collision.
    """
    return f"{_stamp()}{_random.randrange(1_000_000_000):09d}"
