"""The webhook worker (document section 15): posts the outbox's deliveries, so a restart loses no notification.

The domain queues a delivery in the outbox (``backends.outbox``) in the same transaction as the status change. This
worker, an asyncio task in the app's lifespan, posts each due delivery in its body shape (JSON, flat form or
``param`` form). The outbox's ``WebhookSettings`` say which replies acknowledge it (by default any 2xx reply but an
empty one or ``fail``, the vendor's later documentation's rule) and when it is tried again: by default the vendor's
nine attempts, 0, 1, 3, 9, 27, 81, 243, 729 and 2187 minutes apart, given up after the ninth. Anything not
acknowledged (a refused reply, another status, a connection error, a timeout) is recorded as a failed attempt, with
the reply that was refused. Deliveries of one order go out in order: a later status is not posted while an earlier
one is still pending.

Time is the emulator's clock (``backends.clock``): a retry falls due when the clock reaches it, so advancing a frozen
clock delivers the retries it passes. The armed webhook faults (``server.faults``) are applied here: a delivery
posted twice, deliveries posted newest first, or none posted until released.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Any

import attrs
import httpx

from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.control_views import webhook_delivery
from cpay_emulator.backends.model import WebhookAttempt, WebhookDelivery
from cpay_emulator.backends.outbox import Outbox
from cpay_emulator.backends.store import Store
from cpay_emulator.backends.views import webhook_body
from cpay_emulator.server.faults import Faults

__all__ = ["WebhookDispatcher", "WebhookPolicy"]

logger = logging.getLogger("cpay_emulator.webhooks")


@attrs.frozen
class WebhookPolicy:
    """How the worker posts: each attempt's ``timeout``, how many go out at once, how often the outbox is polled.

    What is notified, what acknowledges and when an attempt is retried are the outbox's ``WebhookSettings``.
    """

    timeout: float = attrs.field(default=5.0, validator=attrs.validators.gt(0))
    concurrency: int = attrs.field(default=32, validator=attrs.validators.ge(1))
    poll_interval: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))


class WebhookDispatcher:
    """Posts the outbox's due deliveries and records every attempt.

    ``transport`` replaces the network (an ``httpx.ASGITransport`` delivers to an app in-process);
    ``use_transport`` swaps it while running. ``clock`` is the emulator's; ``faults`` the armed faults;
    ``outbox`` the emulator's (``Emulator.outbox``), whose ``settings`` the worker follows (default: its own).
    """

    def __init__(
        self,
        store: Store,
        policy: WebhookPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        faults: Faults | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or Clock.real()
        self.faults = faults or Faults()
        self.outbox = outbox or Outbox(store, self.clock)
        self.policy = policy or WebhookPolicy()
        self._transport = transport
        self._wake = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._semaphore = asyncio.Semaphore(self.policy.concurrency)
        self._launched = 0  # deliveries launched so far (a task of the out-of-order fault posts several)

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

    async def use_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Post from now on through ``transport`` (``None``: the network); deliveries in flight finish first."""
        await self.settle_in_flight()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._transport = transport

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
        faults = self.faults
        if faults.webhooks_held:
            return []
        if faults.webhooks_out_of_order:
            return self._launch_in_sequence(self.outbox.due(self.clock.now(), in_order=False))
        launched = []
        for delivery in self.outbox.due(self.clock.now()):
            delivery_id = delivery.delivery_id
            if delivery_id in self._in_flight:
                continue
            task = asyncio.create_task(self._deliver(delivery), name=f"webhook-{delivery_id}")
            self._in_flight[delivery_id] = task
            launched.append(task)
        self._launched += len(launched)
        return launched

    def _launch_in_sequence(self, deliveries: Iterable[WebhookDelivery]) -> list[asyncio.Task[None]]:
        """One task posting ``deliveries`` one after the other, in the order given (the out-of-order fault)."""
        batch = [delivery for delivery in deliveries if delivery.delivery_id not in self._in_flight]
        if not batch:
            return []

        async def in_sequence() -> None:
            for delivery in batch:
                await self._deliver(delivery)

        task = asyncio.create_task(in_sequence(), name="webhooks-out-of-order")
        for delivery in batch:
            self._in_flight[delivery.delivery_id] = task
        self._launched += len(batch)
        return [task]

    async def deliver_due(self) -> int:
        """Post every delivery that is due now and wait for the outcomes; returns how many were attempted."""
        await self.store.flushed()  # a notification goes out only for a committed change
        before = self._launched
        tasks = self._launch_due()
        if tasks:
            await asyncio.gather(*tasks)
        return self._launched - before

    async def settle_in_flight(self) -> None:
        """Wait for every delivery in flight (the worker's too)."""
        while self._in_flight:
            await asyncio.gather(*set(self._in_flight.values()), return_exceptions=True)

    async def settle(self, max_rounds: int = 100) -> int:
        """Deliver until nothing is due now: an order's next status goes out once its earlier one is delivered.

        Waits for the deliveries in flight first. Returns how many attempts were launched (at most ``max_rounds``
        rounds: a delivery whose retries keep falling due at once cannot hold the caller forever).
        """
        await self.settle_in_flight()
        attempted = 0
        for _ in range(max_rounds):
            launched = await self.deliver_due()
            if not launched:
                break
            attempted += launched
        return attempted

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
            now = self.clock.now()
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
        acknowledged = await self._post(delivery)
        if acknowledged and self.faults.take_duplicate():
            # The duplicate fault: the same notification once more, as C-Pay does when it missed the OK.
            await self._post(attrs.evolve(delivery, attempt_count=delivery.attempt_count + 1, state="delivered"))

    async def _post(self, delivery: WebhookDelivery) -> bool:
        """One attempt: post, record it and the delivery's new state; True when acknowledged."""
        settings = self.outbox.settings
        content = webhook_body(delivery.payload, delivery.shape)
        started = time.perf_counter()  # a duration, not a time of day: the real clock
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
        acknowledged = settings.acknowledges(status, text)
        attempts = delivery.attempt_count + 1
        delay = settings.delay_before(attempts + 1)
        if acknowledged or delivery.state == "delivered":  # a duplicate post leaves a delivered delivery delivered
            state, next_at = "delivered", delivery.next_attempt_at
        elif delay is None:
            state, next_at = "failed", delivery.next_attempt_at
        else:
            state, next_at = "pending", self.clock.now() + delay
        attempt = WebhookAttempt(
            attempted_at=self.clock.now_ms(),
            outcome="ok" if acknowledged else "fail",
            http_status=status,
            response_text=text,
            error=error,
            duration_ms=duration_ms,
        )
        if not self.outbox.record_attempt(delivery, attempt, state=state, next_attempt_at=next_at):
            return False  # the outbox was reset (control API) while this attempt was in flight
        if not acknowledged:
            logger.info(
                "webhook %s to %s: attempt %d failed (%s), %s",
                delivery.delivery_id,
                delivery.url,
                attempts,
                error or f"HTTP {status} {text.strip()[:40]!r}",
                "giving up" if state == "failed" else "will retry",
            )
        return acknowledged

    def resend(self, delivery_id: int) -> dict[str, Any]:
        """Queue ``delivery_id``'s notification again as a new delivery, due now (``webhooks resend``)."""
        return webhook_delivery(self.outbox.requeue(delivery_id))

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
