"""The clock: frozen in tests, advanced on demand; unpaid orders expire after their TTL; retries fall due by it."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from cpay import OrderStatus, SecretKey, unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.payouts import withdraw
from cpay_client.models import CreateOrderRequest, CreateOrderRequestCryptoCurrency, WithdrawRequest
from cpay_emulator import Clock, Emulator, Merchant, NewOrder, Store
from cpay_emulator.server.expiry import run_expiry_sweeps
from cpay_emulator.testing import CPayEmulator, EmulatorOptions

from .conftest import new_order

JAN_1_2026 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC
ONE = Decimal(1)


@pytest.mark.cpay_emulator(start=JAN_1_2026)
def test_a_frozen_clock_stamps_ids_and_times_and_moves_only_when_advanced(cpay_emulator: CPayEmulator) -> None:
    order_id = new_order(cpay_emulator, "frozen-1")
    assert order_id.startswith("260101000000")  # yyMMddHHmmss of the frozen second
    assert cpay_emulator.now_ms() == JAN_1_2026 * 1000
    cpay_emulator.advance(90)
    assert cpay_emulator.now_ms() == (JAN_1_2026 + 90) * 1000
    assert new_order(cpay_emulator, "frozen-2").startswith("260101000130")


def scenario(options: EmulatorOptions) -> list[str]:
    """Three orders, a balance read between them, a payment and a minute: every id the merchant is shown."""
    seen: list[str] = []
    with CPayEmulator(options) as emulator:
        for number in range(3):
            body = CreateOrderRequest(
                merchant_trade_no=f"repeat-{number}",
                create_time=emulator.now_ms(),
                user_id="user-1",
                amount="10",
                crypto_currency=CreateOrderRequestCryptoCurrency.USDT,
            )
            envelope = create_order.sync(client=emulator.client, body=body)
            assert envelope is not None
            seen += [str(unwrap(envelope).order_id), str(envelope.traceid)]
            seen.append(str(get_merchant_balance.sync(client=emulator.client).traceid))  # type: ignore[union-attr]
            emulator.advance(20)
        emulator.pay(seen[0])
        seen += [str(delivery.event.hash) for delivery in emulator.webhooks]
    return seen


def test_a_frozen_start_gives_the_same_order_ids_trace_ids_and_hashes_on_every_run() -> None:
    first = scenario(EmulatorOptions(start=JAN_1_2026))
    assert first == scenario(EmulatorOptions(start=JAN_1_2026))
    assert len(set(first)) == len(first)  # all distinct (one webhook, COMPLETED, for the paid order)
    assert first[0].startswith("260101000000")


def test_without_a_start_each_emulator_draws_other_ids() -> None:
    first, second = scenario(EmulatorOptions()), scenario(EmulatorOptions())
    assert not set(first[0::3][:3]) & set(second[0::3][:3])  # the order ids
    assert scenario(EmulatorOptions(start=JAN_1_2026))[0] != scenario(EmulatorOptions(start=JAN_1_2026 + 1))[0]


@pytest.mark.cpay_emulator(order_ttl=600)
def test_advancing_past_the_ttl_closes_a_pending_order_with_its_webhook(cpay_emulator: CPayEmulator) -> None:
    order_id = new_order(cpay_emulator, "ttl-1")
    assert cpay_emulator.advance(599) == []
    assert cpay_emulator.order(order_id)["status"] == "0"
    assert cpay_emulator.advance(1) == [order_id]
    closed = cpay_emulator.order(order_id)
    assert closed["status"] == "15"
    assert json.loads(closed["extInfo"])["reason"] == "Order expired"
    (delivery,) = cpay_emulator.webhooks
    assert (delivery.order_id, delivery.event.order_status, delivery.state) == (
        order_id,
        OrderStatus.CLOSED,
        "delivered",
    )


@pytest.mark.cpay_emulator(order_ttl=60)
def test_only_pending_orders_expire(cpay_emulator: CPayEmulator) -> None:
    paid, partly_paid, pending = (new_order(cpay_emulator, f"ttl-{n}") for n in range(3))
    cpay_emulator.pay(paid)
    cpay_emulator.pay(partly_paid, amount="4")
    assert cpay_emulator.advance(3600) == [pending]
    assert [cpay_emulator.order(o)["status"] for o in (paid, partly_paid, pending)] == ["14", "11", "15"]


@pytest.mark.cpay_emulator(order_ttl=60)
def test_an_expired_payout_releases_its_frozen_funds(cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.set_balance("USDT", "100")
    request = WithdrawRequest.from_dict(
        {
            "userId": "u1",
            "merchantTradeNo": "payout-1",
            "createTime": cpay_emulator.now_ms(),
            "cryptoCurrency": "USDT",
            "network": "TRON(TRC-20)",
            "totalAmount": "30",
            "receivedAmount": "29",
            "toAddress": "TRMYtLHzmTeMm1FW86LZh2LGnE2D7kJnnw",
        }
    )
    payout = unwrap(withdraw.sync(client=cpay_emulator.client, body=request))

    def usdt() -> tuple[str, str]:
        balances = cpay_emulator.control.call("GET", f"/merchants/{cpay_emulator.merchant_id}/balances")
        balance = next(balance for balance in balances if balance["currency"] == "USDT")
        return balance["available"], balance["frozen"]

    assert usdt() == ("70", "30")
    assert cpay_emulator.advance(61) == [payout.order_id]
    assert usdt() == ("100", "0")


def test_a_sweep_reads_a_bounded_batch_and_does_not_read_an_order_twice() -> None:
    clock = Clock.frozen(JAN_1_2026)
    store = Store()
    merchant = Merchant(merchant_id="1", secret_key=SecretKey("s"))
    emulator = Emulator(store, [merchant], clock=clock, order_ttl=60)
    created = [
        emulator.payins.create_payin(
            merchant, NewOrder(merchant_trade_no=f"t{n}", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        for n in range(5)
    ]
    emulator.lifecycle.pay(created[0].order_id)  # completed: passed over, never expired
    clock.advance(61)
    batches = []
    while True:
        expired, complete = emulator.lifecycle.expire_due(limit=2)
        batches.append([order.order_id for order in expired])
        if complete:
            break
    assert batches == [[created[1].order_id], [created[2].order_id, created[3].order_id], [created[4].order_id]]
    assert emulator.lifecycle.expire_due(limit=2) == ([], True)
    store.close()


def test_serve_s_background_sweep_expires_orders_as_time_passes() -> None:
    clock = Clock.real()
    store = Store()
    merchant = Merchant(merchant_id="1", secret_key=SecretKey("s"))
    emulator = Emulator(store, [merchant], clock=clock, order_ttl=60)

    async def scenario() -> str:
        order = emulator.payins.create_payin(
            merchant, NewOrder(merchant_trade_no="t", user_id="u"), currency="USDT", amount=Decimal(1)
        )
        sweeps = asyncio.create_task(run_expiry_sweeps(emulator, interval=0.01))
        clock.advance(61)  # as if a minute passed: nobody calls expire_due, the sweep does
        for _ in range(200):
            if emulator.order_book.get(order.order_id).status.value == "15":
                break
            await asyncio.sleep(0.01)
        sweeps.cancel()
        return emulator.order_book.get(order.order_id).status.value

    assert asyncio.run(scenario()) == "15"
    store.close()


def test_a_failed_webhook_is_retried_when_the_clock_reaches_its_delay(cpay_emulator: CPayEmulator) -> None:
    replies = iter(["FAIL", "OK", "OK", "OK"])

    async def merchant(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        reply = next(replies)
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": reply.encode()})  # type: ignore[operator]

    cpay_emulator.deliver_to(merchant)
    order_id = new_order(cpay_emulator, "retry-1")
    cpay_emulator.pay(order_id)
    first = cpay_emulator.webhooks[0]
    assert [a.outcome for a in first.attempts] == ["fail"]
    assert first.state == "pending"
    cpay_emulator.advance(59)  # the vendor's schedule: the second attempt one minute after the first
    assert [a.outcome for a in cpay_emulator.webhooks[0].attempts] == ["fail"]
    cpay_emulator.advance(1)
    (first,) = cpay_emulator.webhooks
    assert [a.outcome for a in first.attempts] == ["fail", "ok"]
    assert first.event.order_status is OrderStatus.COMPLETED
    assert first.state == "delivered"


def test_the_clock_only_moves_forward_and_the_control_api_says_so(cpay_emulator: CPayEmulator) -> None:
    response = cpay_emulator.control.http.post("/_emulator/clock/advance", json={"seconds": -1})
    assert response.status_code == 422
    with pytest.raises(ValueError, match="forward"):
        Clock.frozen(0).advance(-1)
    assert cpay_emulator.control.clock()["frozen"] is True


def test_an_ttl_below_a_second_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 second"):
        Emulator(Store(), order_ttl=0.5)
