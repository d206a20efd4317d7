"""The emulator's clock: every time the emulator reads (order and attempt times, ids, when a webhook or an
expiry falls due) comes from one ``Clock``, so tests can move time instead of waiting for it.

Two kinds, in the manner of Stripe's test clocks:

* ``Clock.real()`` (``cpay-emulator serve``): the system time plus an offset that ``advance`` grows. Time moves
  by itself, and ``advance(3600)`` makes an hour pass at once.
* ``Clock.frozen(at)`` (the pytest fixture's default): the time stays at ``at`` until ``advance`` moves it, so
  a test's timestamps and expiries follow its own steps. Its ids repeat too when the emulator's ``IdSource`` is
  seeded, as the fixture seeds it from a given ``start`` (``_ids``).

The clock only moves forward. It holds no lock: it is read and advanced on the event loop's thread.

freezegun and time-machine are not used: they patch the process's time for everything in it (the test
runner, httpx's timeouts, the event loop), where this clock belongs to one emulator and is moved through its
control API by a client in another process.
"""

from __future__ import annotations

import math
import time

__all__ = ["Clock"]


class Clock:
    """Epoch time in seconds (``now``) and milliseconds (``now_ms``): real plus an offset, or frozen."""

    __slots__ = ("_frozen_ms", "_offset_ms")

    def __init__(self, *, frozen_at_ms: int | None = None) -> None:
        self._frozen_ms = frozen_at_ms
        self._offset_ms = 0

    @classmethod
    def real(cls) -> Clock:
        """The system clock; ``advance`` adds an offset to it."""
        return cls()

    @classmethod
    def frozen(cls, at: float | None = None) -> Clock:
        """A clock that stands still at ``at`` (epoch seconds; default: now, to the millisecond)."""
        seconds = time.time() if at is None else at
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"a frozen clock needs a finite, non-negative epoch time, not {at!r}")
        return cls(frozen_at_ms=round(seconds * 1000))

    @property
    def is_frozen(self) -> bool:
        """True when time moves only by ``advance``."""
        return self._frozen_ms is not None

    @property
    def offset_seconds(self) -> float:
        """How far ``advance`` has moved this clock in all."""
        return self._offset_ms / 1000

    def now_ms(self) -> int:
        """Milliseconds since the epoch (the document's ``createTime`` unit)."""
        if self._frozen_ms is None:
            return time.time_ns() // 1_000_000 + self._offset_ms
        return self._frozen_ms + self._offset_ms

    def now(self) -> float:
        """Seconds since the epoch."""
        if self._frozen_ms is None:
            return time.time() + self._offset_ms / 1000
        return (self._frozen_ms + self._offset_ms) / 1000

    def advance(self, seconds: float) -> int:
        """Move the clock ``seconds`` forward (to the millisecond); returns the new ``now_ms``."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"the clock only moves forward: {seconds!r} is not a finite, non-negative duration")
        self._offset_ms += round(seconds * 1000)
        return self.now_ms()
