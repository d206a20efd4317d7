"""The webhook outbox (the ``webhooks`` and ``webhook_attempts`` tables): every notification owed to a merchant.

A status change queues its section 15 notification here, signed with the merchant's secret key, in the same
transaction as the change, so a crash loses none; ``settings`` (``WebhookSettings``) say which changes are notified,
in which JSON types, and when each attempt falls due. The delivery worker (``server.webhooks``) reads the due deliveries
and records each attempt through this module, and the control API lists and counts them through the worker.
No other module touches these tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from cpay import compute_sign
from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.model import Merchant, Order, WebhookAttempt, WebhookDelivery, WebhookSettings
from cpay_emulator.backends.store import Store
from cpay_emulator.backends.views import webhook_content_type, webhook_fields
from cpay_emulator.shared.errors import WebhookNotFound

__all__ = ["Outbox"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhooks (
    delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    url TEXT NOT NULL,
    content_type TEXT NOT NULL,
    shape TEXT NOT NULL DEFAULT 'json',
    payload TEXT NOT NULL,
    order_status TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS webhooks_due ON webhooks (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhooks_by_order ON webhooks (order_id, delivery_id);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    attempt_id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES webhooks (delivery_id),
    attempted_at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    http_status INTEGER,
    response_text TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_delivery ON webhook_attempts (delivery_id);
"""

# Due now, and not behind an earlier pending delivery of the same order (an order's notifications go in order).
_DUE = """
SELECT * FROM webhooks AS w
WHERE w.state = 'pending' AND w.next_attempt_at <= ?
  AND NOT EXISTS (
    SELECT 1 FROM webhooks AS earlier
    WHERE earlier.order_id = w.order_id AND earlier.state = 'pending' AND earlier.delivery_id < w.delivery_id
  )
ORDER BY w.delivery_id
LIMIT 200
"""

# The out-of-order fault (``server.faults``): every due delivery, newest first, whatever is pending before it.
_DUE_ANY_ORDER = """
SELECT * FROM webhooks WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY delivery_id DESC LIMIT 200
"""


def _delivery(row: sqlite3.Row, attempts: tuple[WebhookAttempt, ...] = ()) -> WebhookDelivery:
    return WebhookDelivery(
        delivery_id=row["delivery_id"],
        order_id=row["order_id"],
        merchant_id=row["merchant_id"],
        url=row["url"],
        content_type=row["content_type"],
        shape=row["shape"],
        payload=json.loads(row["payload"]),
        order_status=row["order_status"],
        state=row["state"],
        attempt_count=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        delivered_at=row["delivered_at"],
        attempts=attempts,
    )


class Outbox:
    """Queues, reads and records webhook deliveries.

    ``on_webhook`` is called by ``notify()`` (after a change's transaction) when the change queued a delivery,
    so the delivery worker can wake. ``settings`` may be replaced at any time (the control API does); a change
    applies to the notifications queued, and the attempts scheduled, after it.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        on_webhook: Callable[[], None] | None = None,
        settings: WebhookSettings | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.on_webhook = on_webhook
        self.settings = settings or WebhookSettings()
        self._queued = False
        store.create_tables(SCHEMA)
        columns = {row["name"] for row in store.connection.execute("PRAGMA table_info(webhooks)")}
        if "shape" not in columns:  # a database file written before the param form existed
            store.create_tables("ALTER TABLE webhooks ADD COLUMN shape TEXT NOT NULL DEFAULT 'json';")
            store.create_tables(
                "UPDATE webhooks SET shape = 'form' WHERE content_type = 'application/x-www-form-urlencoded';"
            )

    # -- queueing (inside a change's transaction) -----------------------------------------------------------

    def enqueue(self, connection: sqlite3.Connection, order: Order, merchant: Merchant) -> None:
        """Queue the section 15 notification of ``order``'s current state, in the merchant's body shape.

        Nothing is queued when no URL is known, or when ``settings`` do not notify the state (by default only
        ``14`` and ``15`` are).
        """
        settings = self.settings
        url = order.callback_url or merchant.callback_url
        if not url or not settings.notifies(order.status):
            return
        payload = webhook_fields(order, numbers=settings.types == "numbers")
        payload["sign"] = compute_sign(payload, merchant.secret_key)
        connection.execute(
            "INSERT INTO webhooks (order_id, merchant_id, url, content_type, shape, payload, order_status, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                order.order_id,
                order.merchant_id,
                url,
                webhook_content_type(merchant.webhook_format),
                merchant.webhook_format,
                json.dumps(payload),
                order.status.value,
                self.clock.now() + (settings.delay_before(1) or 0.0),
                self.clock.now_ms(),
            ),
        )
        self._queued = True

    def notify(self) -> None:
        """After a change's transaction: wake the delivery worker if the change queued a delivery."""
        if self._queued:
            self._queued = False
            if self.on_webhook is not None:
                self.on_webhook()

    def clear(self, connection: sqlite3.Connection) -> None:
        """Forget every delivery and attempt, inside the caller's transaction (a reset)."""
        connection.execute("DELETE FROM webhook_attempts")
        connection.execute("DELETE FROM webhooks")

    # -- delivering (the worker) ----------------------------------------------------------------------------

    def due(self, now: float, *, in_order: bool = True) -> list[WebhookDelivery]:
        """Deliveries due at ``now`` (epoch seconds) whose order has no earlier one pending, oldest first.

        ``in_order=False``: every due delivery, newest first (the out-of-order fault).
        """
        query = _DUE if in_order else _DUE_ANY_ORDER
        return [_delivery(row) for row in self.store.connection.execute(query, (now,)).fetchall()]

    def requeue(self, delivery_id: int) -> WebhookDelivery:
        """Queue the notification of ``delivery_id`` again, as a new delivery due now; WebhookNotFound if unknown."""
        with self.store.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO webhooks (order_id, merchant_id, url, content_type, shape, payload, order_status, "
                "next_attempt_at, created_at) SELECT order_id, merchant_id, url, content_type, shape, payload, "
                "order_status, ?, ? FROM webhooks WHERE delivery_id = ?",
                (self.clock.now(), self.clock.now_ms(), delivery_id),
            )
            if cursor.rowcount != 1:
                raise WebhookNotFound(f"webhook delivery {delivery_id} not found")
            new_id = cursor.lastrowid
        self._queued = True
        self.notify()
        row = self.store.connection.execute("SELECT * FROM webhooks WHERE delivery_id = ?", (new_id,)).fetchone()
        return _delivery(row)

    def next_attempt_after(self, now: float) -> float | None:
        """When the next pending delivery that is not yet due falls due (epoch seconds), if any."""
        row = self.store.connection.execute(
            "SELECT MIN(next_attempt_at) FROM webhooks WHERE state = 'pending' AND next_attempt_at > ?", (now,)
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def record_attempt(
        self,
        delivery: WebhookDelivery,
        attempt: WebhookAttempt,
        *,
        state: str,
        next_attempt_at: float,
    ) -> bool:
        """Record ``attempt`` and the delivery's new ``state``; False when the delivery is gone (a reset)."""
        known = self.store.connection.execute(
            "SELECT 1 FROM webhooks WHERE delivery_id = ?", (delivery.delivery_id,)
        ).fetchone()
        if known is None:
            return False
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO webhook_attempts (delivery_id, attempted_at, outcome, http_status, response_text, error, "
                "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    delivery.delivery_id,
                    attempt.attempted_at,
                    attempt.outcome,
                    attempt.http_status,
                    attempt.response_text,
                    attempt.error,
                    attempt.duration_ms,
                ),
            )
            connection.execute(
                "UPDATE webhooks SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ? "
                "WHERE delivery_id = ?",
                (
                    state,
                    delivery.attempt_count + 1,
                    next_attempt_at,
                    self.clock.now_ms() if state == "delivered" else None,
                    delivery.delivery_id,
                ),
            )
        return True

    # -- reading (control API, health) ----------------------------------------------------------------------

    def deliveries(
        self, *, order_id: str | None = None, state: str | None = None, limit: int = 500
    ) -> list[WebhookDelivery]:
        """Deliveries (oldest first), each with its attempts."""
        clauses, arguments = [], []
        if order_id:
            clauses.append("order_id = ?")
            arguments.append(order_id)
        if state:
            clauses.append("state = ?")
            arguments.append(state)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        connection = self.store.connection
        rows = connection.execute(
            f"SELECT * FROM webhooks {where} ORDER BY delivery_id LIMIT ?",  # noqa: S608 - fixed clauses
            [*arguments, limit],
        ).fetchall()
        return [_delivery(row, self._attempts(row["delivery_id"])) for row in rows]

    def _attempts(self, delivery_id: int) -> tuple[WebhookAttempt, ...]:
        return tuple(
            WebhookAttempt(
                attempted_at=row["attempted_at"],
                outcome=row["outcome"],
                http_status=row["http_status"],
                response_text=row["response_text"],
                error=row["error"],
                duration_ms=row["duration_ms"],
            )
            for row in self.store.connection.execute(
                "SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt_id", (delivery_id,)
            )
        )

    def pending_count(self) -> int:
        """How many deliveries are still pending (the control API's health)."""
        row = self.store.connection.execute("SELECT COUNT(*) FROM webhooks WHERE state = 'pending'").fetchone()
        return int(row[0])
