"""Webhook delivery from the outbox: signed bodies, only ``OK`` acknowledges, backoff, limits, order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest

from cpay import SecretKey, parse_webhook
from cpay_emulator import Emulator, Merchant, NewOrder, Store, WebhookDispatcher, WebhookPolicy

SECRET = SecretKey("webhook-secret")
POLICY = WebhookPolicy(base_delay=0.01, max_delay=0.05, max_attempts=3, timeout=0.5, poll_interval=0.01)


class Receiver:
    """A merchant endpoint behind httpx.MockTransport that answers from a script of replies."""

    def __init__(self, replies: list[Callable[[httpx.Request], httpx.Response]]) -> None:
        self.replies = replies
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return reply(request)


def text(body: str, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, text=body)


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("the merchant took too long", request=request)


@pytest.fixture
def store() -> Iterator[Store]:
    store = Store()
    yield store
    store.close()


def setup(store: Store, receiver: Receiver, webhook_format: str = "json") -> tuple[Emulator, WebhookDispatcher]:
    merchant = Merchant(
        merchant_id="40000001",
        secret_key=SECRET,
        callback_url="https://merchant.example/cpay",
        webhook_format=webhook_format,
    )
    dispatcher = WebhookDispatcher(store, POLICY, transport=httpx.MockTransport(receiver))
    return Emulator(store, [merchant], on_webhook=dispatcher.wake), dispatcher


def paid_order(emulator: Emulator) -> str:
    merchant = emulator.merchant_registry.get("40000001")
    assert merchant is not None
    order = emulator.payins.create_payin(
        merchant, NewOrder(merchant_trade_no="t1", user_id="u1"), currency="USDT", amount=Decimal("5")
    )
    emulator.lifecycle.pay(order.order_id)
    return order.order_id


async def drain(dispatcher: WebhookDispatcher, rounds: int = 40) -> None:
    """Deliver until nothing is pending (bounded: the policy's delays are tens of milliseconds)."""
    for _ in range(rounds):
        await dispatcher.deliver_due()
        if not dispatcher.deliveries(state="pending"):
            return
        await asyncio.sleep(0.02)


def test_webhooks_are_signed_json_that_the_sdk_verifies(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    events = [parse_webhook(r.content, r.headers["content-type"], SECRET) for r in receiver.requests]
    assert [(event.order_id, event.order_status) for event in events] == [(order_id, "11"), (order_id, "14")]
    completed = json.loads(receiver.requests[1].content)
    assert (completed["actualAmount"], completed["receivedAmount"], completed["fee"]) == ("5", "4.975", "0.025")
    assert [d["state"] for d in dispatcher.deliveries(order_id=order_id)] == ["delivered", "delivered"]


def test_form_encoded_webhooks_verify_too(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver, webhook_format="form")
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    request = receiver.requests[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(request.content.decode()))["orderStatus"] == "11"
    parse_webhook(request.content, request.headers["content-type"], SECRET)


@pytest.mark.parametrize(
    "failure",
    [text("FAIL"), text("ok"), text("OK", status=500), text("", status=204), timeout],
    ids=["FAIL", "lowercase-ok", "http-500", "empty-204", "timeout"],
)
def test_anything_but_ok_is_retried_until_acknowledged(store: Store, failure: Callable[..., httpx.Response]) -> None:
    receiver = Receiver([failure, text("OK")])
    emulator, dispatcher = setup(store, receiver)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    first, second = dispatcher.deliveries(order_id=order_id)
    assert [attempt["outcome"] for attempt in first["attempts"]] == ["fail", "ok"]
    assert first["state"] == second["state"] == "delivered"


def test_the_order_s_later_status_waits_for_the_earlier_one(store: Store) -> None:
    receiver = Receiver([text("FAIL"), text("OK")])
    emulator, dispatcher = setup(store, receiver)
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    statuses = [json.loads(request.content)["orderStatus"] for request in receiver.requests]
    assert statuses == ["11", "11", "14"]  # 14 was not posted while 11 was still failing


def test_delivery_gives_up_after_the_attempt_limit(store: Store) -> None:
    receiver = Receiver([text("FAIL")])
    emulator, dispatcher = setup(store, receiver)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    first = dispatcher.deliveries(order_id=order_id)[0]
    assert first["state"] == "failed"
    assert len(first["attempts"]) == POLICY.max_attempts


def test_backoff_doubles_up_to_the_maximum() -> None:
    policy = WebhookPolicy(base_delay=1.0, max_delay=10.0)
    assert [policy.delay_after(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_the_worker_delivers_without_being_asked(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver)

    async def scenario() -> None:
        worker = asyncio.create_task(dispatcher.run())
        try:
            paid_order(emulator)
            for _ in range(200):
                if len(dispatcher.deliveries(state="delivered")) == 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            worker.cancel()
            await dispatcher.close()

    asyncio.run(scenario())
    assert len(dispatcher.deliveries(state="delivered")) == 2


def test_a_reset_while_a_delivery_is_in_flight_is_harmless(store: Store) -> None:
    async def slow_ok(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(200, text="OK")

    emulator, _ = setup(store, Receiver([text("OK")]))
    dispatcher = WebhookDispatcher(store, POLICY, transport=httpx.MockTransport(slow_ok))

    async def scenario() -> None:
        paid_order(emulator)
        delivering = asyncio.create_task(dispatcher.deliver_due())
        await asyncio.sleep(0.01)
        emulator.reset()
        assert await delivering == 1
        await dispatcher.close()

    asyncio.run(scenario())
    assert dispatcher.deliveries() == []


def test_an_unusable_callback_url_is_a_failed_attempt_not_a_crash(store: Store) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.InvalidURL("not a URL")  # not an httpx.HTTPError

    emulator, _ = setup(store, Receiver([text("OK")]))
    dispatcher = WebhookDispatcher(store, POLICY, transport=httpx.MockTransport(broken))
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    first = dispatcher.deliveries()[0]
    assert first["state"] == "failed"
    assert "InvalidURL" in first["attempts"][0]["error"]
