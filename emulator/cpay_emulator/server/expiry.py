"""The expiry sweep of ``cpay-emulator serve``: closes the orders left unpaid past their TTL as time passes.

Tests move time with ``advance`` (which expires at once); a running server needs a sweep, because nobody
calls it when real time passes. Each sweep reads at most ``batch`` orders (``Lifecycle.expire_due``), so one
sweep never holds the event loop for long; a full batch is followed by the next without waiting.
"""

from __future__ import annotations

import asyncio
import logging

from cpay_emulator.backends.service import Emulator

__all__ = ["run_expiry_sweeps"]

logger = logging.getLogger("cpay_emulator")


async def run_expiry_sweeps(emulator: Emulator, *, interval: float = 1.0, batch: int = 500) -> None:
    """Forever: expire what is due (``batch`` orders at a time), then sleep ``interval`` seconds."""
    while True:
        complete = True
        try:
            expired, complete = emulator.lifecycle.expire_due(limit=batch)
            await emulator.store.flushed()
            if expired:
                logger.info("expired %d unpaid order(s)", len(expired))
        except Exception:  # a database hiccup must not stop the sweeps
            logger.exception("expiry sweep failed")
        await asyncio.sleep(interval if complete else 0)
