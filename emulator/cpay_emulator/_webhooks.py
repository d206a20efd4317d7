"""Webhook delivery (document section 15) from an outbox table, so a restart loses no notification.

The service queues a delivery in the same transaction as the status change. This worker, an asyncio task in
the app's lifespan, posts each due delivery; only a 2xx reply whose body is ``OK`` acknowledges it. Anything
else (``FAIL``, another status, a connection error, a timeout) is recorded as a failed attempt and retried
after ``base_delay * 2**(attempt - 1)`` seconds, up to ``max_attempts``. Deliveries of one order go out in
order: a later status is not posted while an earlier one is still pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import attrs
import httpx

from cpay_emulator._ids import now_ms
from cpay_emulator._store import Store

__all__ = ["WebhookDispatcher", "WebhookPolicy"]

logger = logging.getLogger("cpay_emulator.webhooks")

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


@attrs.frozen
class WebhookPolicy:
    """Retry policy: attempt ``n`` (1-based) failing schedules the next after ``base_delay * 2**(n-1)`` s."""

    base_delay: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    max_delay: float = attrs.field(default=600.0, validator=attrs.validators.gt(0))
    max_attempts: int = attrs.field(default=8, validator=attrs.validators.ge(1))
    timeout: float = attrs.field(default=5.0, validator=attrs.validators.gt(0))
    concurrency: int = attrs.field(default=32, validator=attrs.validators.ge(1))
    poll_interval: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        return float(min(self.base_delay * 2 ** (attempts - 1), self.max_delay))


class WebhookDispatcher:
    """Posts the outbox's due deliveries and records every attempt."""

    def __init__(
        self,
        store: Store,
        policy: WebhookPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.policy = policy or WebhookPolicy()
        self._transport = transport
        self._wake = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._semaphore = asyncio.Semaphore(self.policy.concurrency)

    def wake(self) -> None:
        """Called after a commit that queued deliveries: post them now rather than at the next poll."""
        self._wake.set()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.policy.timeout,
                follow_redirects=False,
                headers={"user-agent": "cpay-emulator-webhooks"},
                trust_env=False,
                transport=self._transport,
            )
        return self._client

    async def close(self) -> None:
        """Cancel deliveries in flight (they stay pending in the outbox) and close the HTTP client."""
        for task in list(self._in_flight.values()):
            task.cancel()
        for task in list(self._in_flight.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _launch_due(self) -> list[asyncio.Task[None]]:
        rows = self.store.connection.execute(_DUE, (time.time(),)).fetchall()
        launched = []
        for row in rows:
            delivery_id = row["delivery_id"]
            if delivery_id in self._in_flight:
                continue
            task = asyncio.create_task(self._deliver(dict(row)), name=f"webhook-{delivery_id}")
            self._in_flight[delivery_id] = task
            launched.append(task)
        return launched

    async def deliver_due(self) -> int:
        """Post every delivery that is due now and wait for the outcomes; returns how many were attempted."""
        await self.store.flushed()  # a notification goes out only for a committed change
        tasks = self._launch_due()
        if tasks:
            await asyncio.gather(*tasks)
        return len(tasks)

    async def run(self) -> None:
        """The worker: post due deliveries, then sleep until woken, the next one is due, or the poll interval."""
        while True:
            self._wake.clear()
            try:
                await self.store.flushed()  # a notification goes out only for a committed change
                self._launch_due()
            except Exception:  # a database hiccup must not kill the worker
                logger.exception("webhook worker: reading the outbox failed")
            # Rows already due are in flight or wait for an earlier delivery of their order; both end with a
            # wake-up. So sleep until the next retry falls due, a wake-up, or the poll interval.
            now = time.time()
            row = self.store.connection.execute(
                "SELECT MIN(next_attempt_at) FROM webhooks WHERE state = 'pending' AND next_attempt_at > ?", (now,)
            ).fetchone()
            wait = self.policy.poll_interval
            if row[0] is not None:
                wait = max(0.0, min(wait, row[0] - now))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.005))

    async def _deliver(self, delivery: dict[str, Any]) -> None:
        delivery_id = delivery["delivery_id"]
        try:
            async with self._semaphore:
                await self._attempt(delivery)
        finally:
            self._in_flight.pop(delivery_id, None)
            self._wake.set()  # the order's next delivery may now go out

    async def _attempt(self, delivery: dict[str, Any]) -> None:
        payload = json.loads(delivery["payload"])
        if delivery["content_type"] == "application/json":
            content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            content = urlencode(payload).encode()
        started = time.perf_counter()
        status: int | None = None
        text = ""
        error = ""
        try:
            response = await self._http().post(
                delivery["url"], content=content, headers={"content-type": delivery["content_type"]}
            )
            status = response.status_code
            text = response.text[:512]
        except Exception as exception:  # any failure (httpx.HTTPError, an InvalidURL...) is a failed attempt
            error = f"{type(exception).__name__}: {exception}"[:512] or type(exception).__name__
        duration_ms = (time.perf_counter() - started) * 1000
        acknowledged = status is not None and 200 <= status < 300 and text.strip() == "OK"
        attempts = delivery["attempts"] + 1
        if acknowledged:
            state, next_at = "delivered", delivery["next_attempt_at"]
        elif attempts >= self.policy.max_attempts:
            state, next_at = "failed", delivery["next_attempt_at"]
        else:
            state, next_at = "pending", time.time() + self.policy.delay_after(attempts)
        if (
            self.store.connection.execute(
                "SELECT 1 FROM webhooks WHERE delivery_id = ?", (delivery["delivery_id"],)
            ).fetchone()
            is None
        ):
            return  # the outbox was reset (control API) while this attempt was in flight
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO webhook_attempts (delivery_id, attempted_at, outcome, http_status, response_text, error, "
                "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (delivery["delivery_id"], now_ms(), "ok" if acknowledged else "fail", status, text, error, duration_ms),
            )
            connection.execute(
                "UPDATE webhooks SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ? "
                "WHERE delivery_id = ?",
                (state, attempts, next_at, now_ms() if acknowledged else None, delivery["delivery_id"]),
            )
        if not acknowledged:
            logger.info(
                "webhook %s to %s: attempt %d failed (%s), %s",
                delivery["delivery_id"],
                delivery["url"],
                attempts,
                error or f"HTTP {status} {text.strip()[:40]!r}",
                "giving up" if state == "failed" else "will retry",
            )

    def deliveries(
        self, *, order_id: str | None = None, state: str | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        """Deliveries (newest last) with every attempt, for the control API."""
        clauses, arguments = [], []
        if order_id:
            clauses.append("order_id = ?")
            arguments.append(order_id)
        if state:
            clauses.append("state = ?")
            arguments.append(state)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.store.connection.execute(
            f"SELECT * FROM webhooks {where} ORDER BY delivery_id LIMIT ?",  # noqa: S608 - fixed clauses
            [*arguments, limit],
        ).fetchall()
        result = []
        for row in rows:
            attempts = [
                {
                    "attemptedAt": attempt["attempted_at"],
                    "outcome": attempt["outcome"],
                    "httpStatus": attempt["http_status"],
                    "responseText": attempt["response_text"],
                    "error": attempt["error"],
                    "durationMs": round(attempt["duration_ms"], 3),
                }
                for attempt in self.store.connection.execute(
                    "SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt_id", (row["delivery_id"],)
                )
            ]
            result.append(
                {
                    "deliveryId": row["delivery_id"],
                    "orderId": row["order_id"],
                    "merchantId": row["merchant_id"],
                    "url": row["url"],
                    "contentType": row["content_type"],
                    "orderStatus": row["order_status"],
                    "state": row["state"],
                    "attempts": attempts,
                    "nextAttemptAt": int(row["next_attempt_at"] * 1000) if row["state"] == "pending" else None,
                    "createdAt": row["created_at"],
                    "deliveredAt": row["delivered_at"],
                    "payload": json.loads(row["payload"]),
                }
            )
        return result
