"""The webhook worker (document section 15): posts the outbox's deliveries, so a restart loses no notification.

The domain queues a delivery in the outbox (``_outbox``) in the same transaction as the status change. This
worker, an asyncio task in the app's lifespan, posts each due delivery; only a 2xx reply whose body is ``OK``
acknowledges it. Anything else (``FAIL``, another status, a connection error, a timeout) is recorded as a failed
attempt and retried after ``base_delay * 2**(attempt - 1)`` seconds, up to ``max_attempts``. Deliveries of one
order go out in order: a later status is not posted while an earlier one is still pending.
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
from cpay_emulator._model import WebhookAttempt, WebhookDelivery
from cpay_emulator._outbox import JSON, Outbox
from cpay_emulator._store import Store
from cpay_emulator._views import webhook_delivery

__all__ = ["WebhookDispatcher", "WebhookPolicy"]

logger = logging.getLogger("cpay_emulator.webhooks")


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
        self.outbox = Outbox(store)
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
        launched = []
        for delivery in self.outbox.due(time.time()):
            delivery_id = delivery.delivery_id
            if delivery_id in self._in_flight:
                continue
            task = asyncio.create_task(self._deliver(delivery), name=f"webhook-{delivery_id}")
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
            next_at = self.outbox.next_attempt_after(now)
            wait = self.policy.poll_interval
            if next_at is not None:
                wait = max(0.0, min(wait, next_at - now))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.005))

    async def _deliver(self, delivery: WebhookDelivery) -> None:
        delivery_id = delivery.delivery_id
        try:
            async with self._semaphore:
                await self._attempt(delivery)
        finally:
            self._in_flight.pop(delivery_id, None)
            self._wake.set()  # the order's next delivery may now go out

    async def _attempt(self, delivery: WebhookDelivery) -> None:
        payload = delivery.payload
        if delivery.content_type == JSON:
            content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            content = urlencode(payload).encode()
        started = time.perf_counter()
        status: int | None = None
        text = ""
        error = ""
        try:
            response = await self._http().post(
                delivery.url, content=content, headers={"content-type": delivery.content_type}
            )
            status = response.status_code
            text = response.text[:512]
        except Exception as exception:  # any failure (httpx.HTTPError, an InvalidURL...) is a failed attempt
            error = f"{type(exception).__name__}: {exception}"[:512] or type(exception).__name__
        duration_ms = (time.perf_counter() - started) * 1000
        acknowledged = status is not None and 200 <= status < 300 and text.strip() == "OK"
        attempts = delivery.attempt_count + 1
        if acknowledged:
            state, next_at = "delivered", delivery.next_attempt_at
        elif attempts >= self.policy.max_attempts:
            state, next_at = "failed", delivery.next_attempt_at
        else:
            state, next_at = "pending", time.time() + self.policy.delay_after(attempts)
        attempt = WebhookAttempt(
            attempted_at=now_ms(),
            outcome="ok" if acknowledged else "fail",
            http_status=status,
            response_text=text,
            error=error,
            duration_ms=duration_ms,
        )
        if not self.outbox.record_attempt(delivery, attempt, state=state, next_attempt_at=next_at):
            return  # the outbox was reset (control API) while this attempt was in flight
        if not acknowledged:
            logger.info(
                "webhook %s to %s: attempt %d failed (%s), %s",
                delivery.delivery_id,
                delivery.url,
                attempts,
                error or f"HTTP {status} {text.strip()[:40]!r}",
                "giving up" if state == "failed" else "will retry",
            )

    def deliveries(
        self, *, order_id: str | None = None, state: str | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        """Deliveries (oldest first) with every attempt, as the control API lists them."""
        return [
            webhook_delivery(delivery)
            for delivery in self.outbox.deliveries(order_id=order_id, state=state, limit=limit)
        ]

    def pending_count(self) -> int:
        """How many deliveries are still pending."""
        return self.outbox.pending_count()
