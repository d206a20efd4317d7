"""Identifiers shaped like the document's: 21-digit order ids and ``yyMMddHHmmssX1234567`` trace ids.

Both begin with the UTC second they were made in, read from the emulator's clock (``backends.clock``) by the caller
and passed in as epoch milliseconds, so a frozen clock gives ids of the frozen second. Because an order id
begins with its creation second, the orders created before a given second are a range of the orders table's
primary key (the expiry sweep in ``backends.lifecycle`` reads them that way).

The rest of each id is drawn from the emulator's own ``IdSource``: seeded, the same calls at the same clock
times give the same ids, so a test with a frozen clock and a fixed ``start`` sees the same order ids, trace ids
and transaction hashes on every run; unseeded (``serve``, the fixture without ``start``), they differ.
"""

from __future__ import annotations

import random
import time

__all__ = ["IdSource", "stamp_of"]

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


class IdSource:
    """The random part of one emulator's ids: order ids (and stored card ids), trace ids, transaction hashes.

    ``seed`` (any ``int`` or ``str``) makes every draw repeatable; ``None`` seeds from the operating system. Each
    kind of id draws from a stream of its own, so a test's order ids do not depend on how many requests (each
    with a trace id) came between its orders. Ids need to be unique (the orders table's primary key enforces
    it), not unpredictable: a Mersenne Twister avoids a ``getrandom()`` system call per request.
    """

    __slots__ = ("_hashes", "_order_next", "_order_second", "_orders", "_traces")

    def __init__(self, seed: int | str | None = None) -> None:
        root = random.SystemRandom().getrandbits(128) if seed is None else seed
        self._orders = random.Random(f"orders:{root!r}")  # noqa: S311 - ids, not secrets
        self._traces = random.Random(f"traces:{root!r}")  # noqa: S311
        self._hashes = random.Random(f"hashes:{root!r}")  # noqa: S311
        self._order_second = -1
        self._order_next = 0

    def traceid(self, now_ms: int) -> str:
        """A trace id like the document's ``221117074719X9921729``: UTC ``yyMMddHHmmss``, ``X``, 7 digits."""
        return f"{stamp_of(now_ms)}X{self._traces.randrange(10_000_000):07d}"

    def order_id(self, now_ms: int) -> str:
        """An order id like the document's ``221116112637772768014``: UTC ``yyMMddHHmmss`` and 9 digits.

        The 9 digits start at a random point each second and then grow by a random step of 1..64, so the ids of
        one second increase. Ids are keys of the ``orders`` B-tree: increasing ids are appended at its right
        edge, so a group commit's orders share a page instead of each dirtying a random page of the current
        second's (a WAL frame less per order). Uniqueness is still enforced by the primary key; the caller
        retries on a collision (another process on the same file, or a step past 10^9, which falls back to a
        random draw).
        """
        stamp = stamp_of(now_ms)
        second = now_ms // 1000
        if second != self._order_second:
            self._order_second = second
            self._order_next = self._orders.randrange(100_000_000)  # the lower tenth: room for the second's steps
        self._order_next += self._orders.getrandbits(6) + 1
        if self._order_next >= 1_000_000_000:
            return f"{stamp}{self._orders.randrange(1_000_000_000):09d}"
        return f"{stamp}{self._order_next:09d}"

    def transaction_digest(self) -> bytes:
        """32 bytes for a transaction hash (``Network.transaction_hash`` writes them in the chain's notation)."""
        return self._hashes.randbytes(32)
