"""The orders table: insert an order, look orders up, and change them (a status change queues its webhook).

Every kind of order (pay-in, card, payout, exchange, deposit...) is a row here; which rows are created and
how they move is decided by the pay-in, payout and lifecycle backends, which call these methods inside their
own transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from cpay import OrderStatus
from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.ids import IdSource
from cpay_emulator.backends.merchants import MerchantRegistry
from cpay_emulator.backends.model import Merchant, NewOrder, Order, OrderKind
from cpay_emulator.backends.money import ZERO, format_amount
from cpay_emulator.backends.outbox import Outbox
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import DuplicateTradeNo, OrderNotFound

__all__ = ["OrderBook", "order_from_row"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    merchant_trade_no TEXT,
    user_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    network TEXT NOT NULL DEFAULT '',
    order_amount TEXT NOT NULL,
    actual_amount TEXT NOT NULL DEFAULT '0',
    received_amount TEXT NOT NULL DEFAULT '0',
    fee TEXT NOT NULL DEFAULT '0',
    hash TEXT NOT NULL DEFAULT '',
    to_address TEXT NOT NULL DEFAULT '',
    callback_url TEXT NOT NULL DEFAULT '',
    success_url TEXT NOT NULL DEFAULT '',
    fail_url TEXT NOT NULL DEFAULT '',
    remark TEXT NOT NULL DEFAULT '',
    ext_info TEXT NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS orders_by_trade_no ON orders (merchant_id, merchant_trade_no);
CREATE INDEX IF NOT EXISTS orders_by_hash ON orders (merchant_id, hash) WHERE hash != '';
"""

_ORDER_COLUMNS = (
    "order_id, merchant_id, kind, merchant_trade_no, user_id, status, currency, network, order_amount, "
    "actual_amount, received_amount, fee, hash, to_address, callback_url, success_url, fail_url, remark, "
    "ext_info, create_time, created_at, updated_at, details"
)
_INSERT_ORDER = f"INSERT INTO orders ({_ORDER_COLUMNS}) VALUES ({', '.join('?' * 23)})"  # noqa: S608 - constant text


def order_from_row(row: sqlite3.Row) -> Order:
    """The order stored in ``row`` (a row of the ``orders`` table)."""
    return Order(
        order_id=row["order_id"],
        merchant_id=row["merchant_id"],
        kind=OrderKind(row["kind"]),
        merchant_trade_no=row["merchant_trade_no"],
        user_id=row["user_id"],
        status=OrderStatus(row["status"]),
        currency=row["currency"],
        network=row["network"],
        order_amount=Decimal(row["order_amount"]),
        actual_amount=Decimal(row["actual_amount"]),
        received_amount=Decimal(row["received_amount"]),
        fee=Decimal(row["fee"]),
        hash=row["hash"],
        to_address=row["to_address"],
        callback_url=row["callback_url"],
        success_url=row["success_url"],
        fail_url=row["fail_url"],
        remark=row["remark"],
        ext_info=row["ext_info"],
        create_time=row["create_time"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        details=json.loads(row["details"]),
    )


def _duplicate(merchant_trade_no: str | None) -> DuplicateTradeNo:
    return DuplicateTradeNo(
        f"duplicate merchantTradeNo {merchant_trade_no!r}: this merchant already has an order with it"
    )


class OrderBook:
    """The orders of every merchant; a status change queues the order's webhook in ``outbox``. Order ids come
    from ``ids``, the emulator's ``IdSource``."""

    def __init__(self, store: Store, merchants: MerchantRegistry, outbox: Outbox, clock: Clock, ids: IdSource) -> None:
        self.store = store
        self.merchants = merchants
        self.outbox = outbox
        self.clock = clock
        self.ids = ids
        store.create_tables(SCHEMA)

    # -- creating orders (inside the caller's transaction) ---------------------------------------------------

    def insert(
        self,
        connection: sqlite3.Connection,
        merchant: Merchant,
        kind: OrderKind,
        new: NewOrder | None,
        *,
        status: OrderStatus,
        currency: str,
        order_amount: Decimal,
        network: str = "",
        actual_amount: Decimal = ZERO,
        received_amount: Decimal = ZERO,
        fee: Decimal = ZERO,
        hash: str = "",
        to_address: str = "",
        user_id: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> Order:
        """Insert a new order inside the caller's transaction; DuplicateTradeNo if the merchant has its number.

        ``new`` is None for an order the merchant did not ask for (a deposit): no merchantTradeNo, ``user_id``.
        """
        # A duplicate merchantTradeNo is caught by the UNIQUE index (no lookup first: one statement less).
        now = self.clock.now_ms()  # one reading: the id's second is created_at's (the expiry sweep relies on it)
        if new is None:
            new = NewOrder(merchant_trade_no="", user_id=user_id)
            merchant_trade_no = None
        else:
            merchant_trade_no = new.merchant_trade_no
        order_details = dict(details or {})
        create_time = new.create_time if new.create_time is not None else now
        # The row, in _ORDER_COLUMNS order after order_id (built directly: this is the hot path of createOrder).
        row = (
            merchant.merchant_id,
            kind.value,
            merchant_trade_no,
            new.user_id,
            status.value,
            currency,
            network,
            format_amount(order_amount),
            format_amount(actual_amount),
            format_amount(received_amount),
            format_amount(fee),
            hash,
            to_address,
            new.callback_url,
            new.success_url,
            new.fail_url,
            new.remark,
            new.ext_info,
            create_time,
            now,
            now,
            json.dumps(order_details) if order_details else "{}",
        )
        for _ in range(5):
            order_id = self.ids.order_id(now)
            try:
                connection.execute(_INSERT_ORDER, (order_id, *row))
            except sqlite3.IntegrityError as error:
                if "orders.order_id" in str(error):
                    continue  # the one-in-a-billion id collision: draw another
                raise _duplicate(merchant_trade_no) from None
            return Order(
                order_id=order_id,
                merchant_id=merchant.merchant_id,
                kind=kind,
                merchant_trade_no=merchant_trade_no,
                user_id=new.user_id,
                status=status,
                currency=currency,
                network=network,
                order_amount=order_amount,
                actual_amount=actual_amount,
                received_amount=received_amount,
                fee=fee,
                hash=hash,
                to_address=to_address,
                callback_url=new.callback_url,
                success_url=new.success_url,
                fail_url=new.fail_url,
                remark=new.remark,
                ext_info=new.ext_info,
                create_time=create_time,
                created_at=now,
                updated_at=now,
                details=order_details,
            )
        raise RuntimeError("could not draw a free order id")

    def check_trade_no_free(self, merchant_id: str, merchant_trade_no: str) -> None:
        """DuplicateTradeNo if the merchant already has an order with this number (before refusing a charge)."""
        row = self.store.connection.execute(
            "SELECT 1 FROM orders WHERE merchant_id = ? AND merchant_trade_no = ?", (merchant_id, merchant_trade_no)
        ).fetchone()
        if row is not None:
            raise _duplicate(merchant_trade_no)

    # -- looking orders up ---------------------------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        """The order with this id, or OrderNotFound."""
        row = self.store.connection.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        if row is None:
            raise OrderNotFound(f"order {order_id!r} not found")
        return order_from_row(row)

    def find(
        self,
        merchant_id: str,
        *,
        merchant_trade_no: str = "",
        order_id: str = "",
        hash: str = "",
    ) -> Order:
        """getOrderDetail (section 9): the merchant's order matching every identifier given (at least one)."""
        clauses = ["merchant_id = ?"]
        arguments = [merchant_id]
        for column, value in (("merchant_trade_no", merchant_trade_no), ("order_id", order_id), ("hash", hash)):
            if value:
                clauses.append(f"{column} = ?")
                arguments.append(value)
        if hash:
            clauses.append("hash != ''")  # lets SQLite use the partial index orders_by_hash
        if len(arguments) == 1:
            raise OrderNotFound("order not found: give merchantTradeNo, cpayOrderId or hash")
        row = self.store.connection.execute(
            f"SELECT * FROM orders WHERE {' AND '.join(clauses)} LIMIT 1",  # noqa: S608 - fixed column names
            arguments,
        ).fetchone()
        if row is None:
            raise OrderNotFound("order not found")
        return order_from_row(row)

    def latest(self, merchant_id: str | None = None, limit: int = 100) -> list[Order]:
        """The newest orders, of one merchant or of all."""
        if merchant_id:
            rows = self.store.connection.execute(
                "SELECT * FROM orders WHERE merchant_id = ? ORDER BY created_at DESC, order_id DESC LIMIT ?",
                (merchant_id, limit),
            )
        else:
            rows = self.store.connection.execute(
                "SELECT * FROM orders ORDER BY created_at DESC, order_id DESC LIMIT ?", (limit,)
            )
        return [order_from_row(row) for row in rows]

    def created_before(self, after_order_id: str, before_order_id: str, limit: int) -> list[Order]:
        """Orders whose id lies strictly between the two, by id (ids begin with their creation second, ``ids``)."""
        rows = self.store.connection.execute(
            "SELECT * FROM orders WHERE order_id > ? AND order_id < ? ORDER BY order_id LIMIT ?",
            (after_order_id, before_order_id, limit),
        )
        return [order_from_row(row) for row in rows]

    def count(self, merchant_id: str) -> int:
        """How many orders the merchant has."""
        return int(
            self.store.connection.execute(
                "SELECT COUNT(*) FROM orders WHERE merchant_id = ?", (merchant_id,)
            ).fetchone()[0]
        )

    # -- changing orders (inside the caller's transaction) ---------------------------------------------------

    def update(self, connection: sqlite3.Connection, order: Order, **changes: Any) -> Order:
        """Change some fields of ``order`` (names of ``Order``); returns the changed order."""
        changes["updated_at"] = self.clock.now_ms()
        updated = attrs.evolve(order, **changes)
        columns = ", ".join(f"{name} = ?" for name in changes)
        connection.execute(
            f"UPDATE orders SET {columns} WHERE order_id = ?",  # noqa: S608 - names are Order fields
            [format_amount(value) if isinstance(value, Decimal) else value for value in changes.values()]
            + [order.order_id],
        )
        return updated

    def transition(self, connection: sqlite3.Connection, order: Order, status: OrderStatus, **changes: Any) -> Order:
        """Move ``order`` to ``status`` (with ``changes``) and queue the webhook of its new state."""
        order = self.update(connection, order, status=status, **changes)
        self.queue_webhook(connection, order)
        return order

    def queue_webhook(self, connection: sqlite3.Connection, order: Order) -> None:
        """Queue the section 15 notification of ``order``'s current state in the outbox."""
        self.outbox.enqueue(connection, order, self.merchants.require(order.merchant_id))

    def clear(self, connection: sqlite3.Connection) -> None:
        """Forget every order, inside the caller's transaction (a reset)."""
        connection.execute("DELETE FROM orders")
