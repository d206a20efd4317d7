"""Group commit: changes of one event-loop iteration share a commit, yet each stays atomic on its own."""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from cpay_emulator import Emulator, EmulatorError, NewOrder, Store, demo_merchant


def count_orders_from_outside(path: Path) -> int:
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT COUNT(*) FROM orders").fetchone()[0])


def test_changes_in_one_iteration_commit_together_and_a_failed_one_alone_is_undone(tmp_path: Path) -> None:
    path = tmp_path / "group.db"
    store = Store(path)
    emulator = Emulator(store, [demo_merchant()])
    merchant = demo_merchant()

    async def scenario() -> None:
        emulator.create_payin(
            merchant, NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        with pytest.raises(EmulatorError):  # a duplicate: its own savepoint is rolled back, nothing else
            emulator.create_payin(
                merchant, NewOrder(merchant_trade_no="a", user_id="u"), currency="BTC", amount=Decimal(2)
            )
        emulator.create_payin(
            merchant, NewOrder(merchant_trade_no="b", user_id="u"), currency="USDT", amount=Decimal(3)
        )
        assert count_orders_from_outside(path) == 0  # not committed yet: one commit for the iteration
        await store.flushed()
        assert count_orders_from_outside(path) == 2

    asyncio.run(scenario())
    store.close()


def test_without_an_event_loop_each_change_commits_at_once(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    store = Store(path)
    emulator = Emulator(store, [demo_merchant()])
    emulator.create_payin(
        demo_merchant(), NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
    )
    assert count_orders_from_outside(path) == 1
    store.close()


def test_closing_commits_what_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "close.db"
    store = Store(path)
    emulator = Emulator(store, [demo_merchant()])

    async def scenario() -> None:
        emulator.create_payin(
            demo_merchant(), NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        store.close()

    asyncio.run(scenario())
    assert count_orders_from_outside(path) == 1
