"""Group commit: changes of one event-loop iteration share a commit, yet each stays atomic on its own."""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

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
        emulator.payins.create_payin(
            merchant, NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        with pytest.raises(EmulatorError):  # a duplicate: its own savepoint is rolled back, nothing else
            emulator.payins.create_payin(
                merchant, NewOrder(merchant_trade_no="a", user_id="u"), currency="BTC", amount=Decimal(2)
            )
        emulator.payins.create_payin(
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
    emulator.payins.create_payin(
        demo_merchant(), NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
    )
    assert count_orders_from_outside(path) == 1
    store.close()


def test_closing_commits_what_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "close.db"
    store = Store(path)
    emulator = Emulator(store, [demo_merchant()])

    async def scenario() -> None:
        emulator.payins.create_payin(
            demo_merchant(), NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        store.close()

    asyncio.run(scenario())
    assert count_orders_from_outside(path) == 1


class FailingCommit:
    """A connection whose next COMMIT fails, as on a full disk; everything else goes to the real one."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.fail_next_commit = True

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql == "COMMIT" and self.fail_next_commit:
            self.fail_next_commit = False
            raise sqlite3.OperationalError("database or disk is full")
        return self.connection.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self.connection, name)


def test_a_failed_group_commit_is_reported_to_every_waiter_and_nothing_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "full.db"
    store = Store(path)
    emulator = Emulator(store, [demo_merchant()])
    real = store.connection
    store.connection = FailingCommit(real)  # type: ignore[assignment]

    async def scenario() -> None:
        emulator.payins.create_payin(
            demo_merchant(), NewOrder(merchant_trade_no="a", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            await store.flushed()
        emulator.payins.create_payin(
            demo_merchant(), NewOrder(merchant_trade_no="b", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        await store.flushed()  # the next batch commits normally

    asyncio.run(scenario())
    store.connection = real
    store.close()
    with sqlite3.connect(path) as other:
        assert [row[0] for row in other.execute("SELECT merchant_trade_no FROM orders")] == ["b"]
