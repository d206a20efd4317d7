"""Identifiers shaped like the document's: 21-digit order ids and ``yyMMddHHmmssX1234567`` trace ids.

Both begin with the UTC second they were made in, read from the emulator's clock (``_clock``) by the caller
and passed in as epoch milliseconds, so a frozen clock gives ids of the frozen second. Because an order id
begins with its creation second, the orders created before a given second are a range of the orders table's
primary key (the expiry sweep in ``_lifecycle`` reads them that way).
"""

from __future__ import annotations

import random
import time

__all__ = ["new_order_id", "new_traceid", "stamp_of"]

# Ids need to be unique (the orders table's primary key enforces it), not unpredictable: a Mersenne Twister
# seeded from the OS avoids a getrandom() system call per request.
_random = random.Random()  # noqa: S311
_stamp_second = -1
_stamp_text = ""


def stamp_of(now_ms: int) -> str:
    """UTC ``yyMMddHHmmss`` of ``now_ms``, formatted once per second."""
    global _stamp_second, _stamp_text
    second = now_ms // 1000
    if second != _stamp_second:
        _stamp_text = time.strftime("%y%m%d%H%M%S", time.gmtime(second))
        _stamp_second = second
    return _stamp_text


def new_traceid(now_ms: int) -> str:
    """A trace id like the document's ``221117074719X9921729``: UTC ``yyMMddHHmmss``, ``X``, 7 digits."""
    return f"{stamp_of(now_ms)}X{_random.randrange(10_000_000):07d}"


_order_second = -1
_order_next = 0


def new_order_id(now_ms: int) -> str:
    """An order id like the document's ``221116112637772768014``: UTC ``yyMMddHHmmss`` and 9 digits.

    The 9 digits start at a random point each second and then grow by a random step of 1..64, so the ids of
    one second increase. Ids are keys of the ``orders`` B-tree: increasing ids are appended at its right edge,
    so a group commit's orders share a page instead of each dirtying a random page of the current second's
    (a WAL frame less per order). Uniqueness is still enforced by the primary key; the caller retries on a
    collision (another process on the same file, or a step past 10^9, which falls back to a random draw).
    """
    global _order_second, _order_next
    stamp = stamp_of(now_ms)
    second = now_ms // 1000
    if second != _order_second:
        _order_second = second
        _order_next = _random.randrange(100_000_000)  # the lower tenth: room for the second's steps
    _order_next += _random.getrandbits(6) + 1
    if _order_next >= 1_000_000_000:
        return f"{stamp}{_random.randrange(1_000_000_000):09d}"
    return f"{stamp}{_order_next:09d}"
