"""Webhook delivery from the outbox, as C-Pay sends it: final states, three body shapes, the reply words, the
vendor's nine-step schedule; each setting changeable."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from urllib.parse import parse_qsl

import attrs
import httpx
import pytest

from cpay import OrderStatus, SecretKey, parse_webhook
from cpay_emulator import (
    Clock,
    Emulator,
    Merchant,
    NewOrder,
    Store,
    WebhookDispatcher,
    WebhookPolicy,
    WebhookSettings,
)

SECRET = SecretKey("webhook-secret")
POLICY = WebhookPolicy(timeout=0.5, poll_interval=0.01)
FAST = WebhookSettings(schedule=(0, 0.01, 0.02))  # three attempts, tens of milliseconds apart


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


def setup(
    store: Store,
    receiver: Receiver,
    webhook_format: str = "json",
    settings: WebhookSettings = FAST,
    clock: Clock | None = None,
) -> tuple[Emulator, WebhookDispatcher]:
    merchant = Merchant(
        merchant_id="40000001",
        secret_key=SECRET,
        callback_url="https://merchant.example/cpay",
        webhook_format=webhook_format,
    )
    clock = clock or Clock.real()
    emulator = Emulator(store, [merchant], on_webhook=lambda: dispatcher.wake(), clock=clock, webhook_settings=settings)
    dispatcher = WebhookDispatcher(
        store, POLICY, transport=httpx.MockTransport(receiver), clock=clock, outbox=emulator.outbox
    )
    return emulator, dispatcher


def paid_order(emulator: Emulator) -> str:
    merchant = emulator.merchant_registry.get("40000001")
    assert merchant is not None
    order = emulator.payins.create_payin(
        merchant, NewOrder(merchant_trade_no="t1", user_id="u1"), currency="USDT", amount=Decimal("5")
    )
    emulator.lifecycle.pay(order.order_id)  # PENDING -> PROCESSING -> COMPLETED
    return order.order_id


async def drain(dispatcher: WebhookDispatcher, rounds: int = 40) -> None:
    """Deliver until nothing is pending (bounded: the settings' delays are tens of milliseconds)."""
    for _ in range(rounds):
        await dispatcher.deliver_due()
        if not dispatcher.deliveries(state="pending"):
            return
        await asyncio.sleep(0.02)


def test_a_paid_order_is_notified_once_with_its_final_status_in_json_numbers(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    (request,) = receiver.requests  # PROCESSING ("11") is not notified by default
    body = json.loads(request.content)
    assert request.headers["content-type"] == "application/json"
    assert (body["orderStatus"], body["merchantId"], type(body["createTime"])) == (14, 40000001, int)
    assert (body["orderAmount"], body["receivedAmount"], body["serviceFee"], body["currency"]) == (
        "5",
        "4.975",
        "0.025",
        "USDT",
    )
    event = parse_webhook(request.content, request.headers["content-type"], SECRET)
    assert (event.order_id, event.order_status) == (order_id, OrderStatus.COMPLETED)
    assert [d["state"] for d in dispatcher.deliveries(order_id=order_id)] == ["delivered"]


def test_every_change_is_notified_when_the_settings_ask_for_all(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver, settings=attrs.evolve(FAST, statuses="all"))
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    assert [json.loads(request.content)["orderStatus"] for request in receiver.requests] == [11, 14]


def test_strings_are_sent_when_the_settings_ask_for_section_15_s_types(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver, settings=attrs.evolve(FAST, types="strings"))
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    body = json.loads(receiver.requests[0].content)
    assert (body["orderStatus"], body["merchantId"], type(body["createTime"])) == ("14", "40000001", str)
    parse_webhook(receiver.requests[0].content, "application/json", SECRET)


@pytest.mark.parametrize(
    ("shape", "content_type", "fields_of"),
    [
        ("json", "application/json", lambda content: json.loads(content)),
        ("form", "application/x-www-form-urlencoded", lambda content: dict(parse_qsl(content.decode()))),
        (
            "param",
            "application/x-www-form-urlencoded",
            lambda content: json.loads(dict(parse_qsl(content.decode()))["param"]),
        ),
    ],
)
def test_each_body_shape_is_posted_as_c_pay_s_material_shows_it_and_verifies(
    store: Store, shape: str, content_type: str, fields_of: Callable[[bytes], dict[str, object]]
) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver, webhook_format=shape)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    (request,) = receiver.requests
    assert request.headers["content-type"] == content_type
    fields = fields_of(request.content)
    assert (str(fields["orderStatus"]), fields["orderId"]) == ("14", order_id)
    assert "sign" in fields
    if shape == "param":
        assert list(dict(parse_qsl(request.content.decode()))) == ["param"]  # one field, the JSON inside
    assert parse_webhook(request.content, content_type, SECRET).order_status is OrderStatus.COMPLETED
    assert dispatcher.deliveries()[0]["shape"] == shape


@pytest.mark.parametrize("reply", ["OK", "ok", "success", "SUCCESS", " received\n"])
def test_by_default_any_2xx_reply_but_an_empty_one_or_fail_acknowledges(store: Store, reply: str) -> None:
    emulator, dispatcher = setup(store, Receiver([text(reply)]))
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    (delivery,) = dispatcher.deliveries()
    assert [attempt["outcome"] for attempt in delivery["attempts"]] == ["ok"]


@pytest.mark.parametrize(
    ("failure", "answered"),
    [
        (text("FAIL"), "FAIL"),
        (text("fail"), "fail"),
        (text("OK", status=500), "OK"),
        (text("", status=200), ""),
        (text("", status=204), ""),
        (timeout, ""),
    ],
    ids=["FAIL", "lowercase-fail", "http-500", "empty-200", "empty-204", "timeout"],
)
def test_a_refused_reply_is_retried_and_shown_with_what_the_merchant_answered(
    store: Store, failure: Callable[..., httpx.Response], answered: str
) -> None:
    receiver = Receiver([failure, text("OK")])
    emulator, dispatcher = setup(store, receiver)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    (delivery,) = dispatcher.deliveries(order_id=order_id)
    refused, acknowledged = delivery["attempts"]
    assert (refused["outcome"], acknowledged["outcome"], delivery["state"]) == ("fail", "ok", "delivered")
    assert refused["responseText"] == answered
    assert ("ReadTimeout" in refused["error"]) is (failure is timeout)
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("accept", "refused", "acknowledged"), [(("OK",), "ok", "OK"), (("success",), "OK", "success")]
)
def test_accept_holds_the_emulator_to_one_reading_of_the_reply(
    store: Store, accept: tuple[str, ...], refused: str, acknowledged: str
) -> None:
    emulator, dispatcher = setup(
        store, Receiver([text(refused), text(acknowledged)]), settings=attrs.evolve(FAST, accept=accept)
    )
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    (delivery,) = dispatcher.deliveries()
    assert [(a["outcome"], a["responseText"]) for a in delivery["attempts"]] == [
        ("fail", refused),
        ("ok", acknowledged),
    ]


def test_a_refused_delivery_follows_the_vendor_s_nine_step_schedule_then_is_given_up(store: Store) -> None:
    clock = Clock.frozen(1_700_000_000.0)
    receiver = Receiver([text("FAIL")])
    emulator, dispatcher = setup(store, receiver, settings=WebhookSettings(), clock=clock)
    paid_order(emulator)

    async def through_the_schedule() -> None:
        await dispatcher.deliver_due()
        for _ in range(12):  # 9 attempts; 3 more steps show that nothing follows the last
            due = dispatcher.outbox.next_attempt_after(clock.now())
            clock.advance((due - clock.now()) if due is not None else 86_400.0)
            await dispatcher.deliver_due()

    asyncio.run(through_the_schedule())
    (delivery,) = dispatcher.deliveries()
    times = [attempt["attemptedAt"] for attempt in delivery["attempts"]]
    gaps_in_minutes = [(later - earlier) / 60_000 for earlier, later in itertools.pairwise(times)]
    assert gaps_in_minutes == [1, 3, 9, 27, 81, 243, 729, 2187]
    assert (delivery["state"], len(receiver.requests)) == ("failed", 9)
    assert (times[-1] - times[0]) / 60_000 == 54 * 60 + 40


def test_the_order_s_later_status_waits_for_the_earlier_one(store: Store) -> None:
    receiver = Receiver([text("FAIL"), text("OK")])
    emulator, dispatcher = setup(store, receiver, settings=attrs.evolve(FAST, statuses="all"))
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    statuses = [json.loads(request.content)["orderStatus"] for request in receiver.requests]
    assert statuses == [11, 11, 14]  # 14 was not posted while 11 was still failing


def test_delivery_gives_up_after_the_schedule_s_last_attempt(store: Store) -> None:
    receiver = Receiver([text("FAIL")])
    emulator, dispatcher = setup(store, receiver)
    order_id = paid_order(emulator)
    asyncio.run(drain(dispatcher))
    first = dispatcher.deliveries(order_id=order_id)[0]
    assert first["state"] == "failed"
    assert len(first["attempts"]) == len(FAST.schedule)


def test_the_settings_refuse_what_no_server_would_do() -> None:
    with pytest.raises(ValueError, match="accepted reply"):
        WebhookSettings(accept=["  "])
    with pytest.raises(ValueError, match="schedule"):
        WebhookSettings(schedule=())
    with pytest.raises(ValueError, match="schedule"):
        WebhookSettings(schedule=(-1,))
    with pytest.raises(ValueError, match="statuses"):
        WebhookSettings(statuses="some")
    assert [WebhookSettings().delay_before(n) for n in (1, 2, 9, 10)] == [0.0, 60.0, 131_220.0, None]


def test_the_worker_delivers_without_being_asked(store: Store) -> None:
    receiver = Receiver([text("OK")])
    emulator, dispatcher = setup(store, receiver)

    async def scenario() -> None:
        worker = asyncio.create_task(dispatcher.run())
        try:
            paid_order(emulator)
            for _ in range(200):
                if len(dispatcher.deliveries(state="delivered")) == 1:
                    break
                await asyncio.sleep(0.01)
        finally:
            worker.cancel()
            await dispatcher.close()

    asyncio.run(scenario())
    assert len(dispatcher.deliveries(state="delivered")) == 1


def test_a_reset_while_a_delivery_is_in_flight_is_harmless(store: Store) -> None:
    async def slow_ok(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(200, text="OK")

    emulator, _ = setup(store, Receiver([text("OK")]))
    dispatcher = WebhookDispatcher(store, POLICY, transport=httpx.MockTransport(slow_ok), outbox=emulator.outbox)

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
    dispatcher = WebhookDispatcher(store, POLICY, transport=httpx.MockTransport(broken), outbox=emulator.outbox)
    paid_order(emulator)
    asyncio.run(drain(dispatcher))
    first = dispatcher.deliveries()[0]
    assert first["state"] == "failed"
    assert "InvalidURL" in first["attempts"][0]["error"]
