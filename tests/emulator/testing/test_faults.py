"""Each fault changes what the client or the merchant sees; each test here fails when its fault is not applied."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cpay import BusinessError, RecoveredOrderError, TransportError, recovery_of, unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.payouts import withdraw
from cpay_client.models import CreateOrderRequest, WithdrawRequest
from cpay_emulator.testing import ControlError, CPayEmulator

from .conftest import new_order


def an_order(emulator: CPayEmulator, merchant_trade_no: str) -> CreateOrderRequest:
    return CreateOrderRequest.from_dict(
        {
            "merchantTradeNo": merchant_trade_no,
            "createTime": emulator.now_ms(),
            "userId": "user-1",
            "amount": "10",
            "cryptoCurrency": "USDT",
        }
    )


def a_withdrawal(emulator: CPayEmulator, merchant_trade_no: str) -> WithdrawRequest:
    return WithdrawRequest.from_dict(
        {
            "userId": "user-1",
            "merchantTradeNo": merchant_trade_no,
            "createTime": emulator.now_ms(),
            "cryptoCurrency": "USDT",
            "network": "TRON(TRC-20)",
            "totalAmount": "30",
            "receivedAmount": "29",
            "toAddress": "TRMYtLHzmTeMm1FW86LZh2LGnE2D7kJnnw",
        }
    )


def trade_numbers(emulator: CPayEmulator) -> list[str]:
    return [order["merchantTradeNo"] for order in emulator.orders()]


# -- forced envelopes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [90751015, 1])
def test_fail_next_makes_the_next_call_raise_business_error_and_changes_nothing(
    cpay_emulator: CPayEmulator, code: int
) -> None:
    cpay_emulator.fail_next("createOrder", code)
    with pytest.raises(BusinessError) as raised:
        create_order.sync(client=cpay_emulator.client, body=an_order(cpay_emulator, "forced-1"))
    assert raised.value.code == code
    assert raised.value.msg == {90751015: "pay fail", 1: "fail"}[code]
    assert trade_numbers(cpay_emulator) == []  # not handled: no order
    create_order.sync(client=cpay_emulator.client, body=an_order(cpay_emulator, "forced-1"))  # times=1: spent
    assert trade_numbers(cpay_emulator) == ["forced-1"]


def test_fail_next_counts_its_times_and_works_for_async_calls(cpay_emulator: CPayEmulator) -> None:
    import asyncio

    cpay_emulator.fail_next("getMerchantBalance", 1, "system busy", times=2)

    async def three_calls() -> list[int]:
        codes = []
        for _ in range(3):
            try:
                unwrap(await get_merchant_balance.asyncio(client=cpay_emulator.client))
                codes.append(0)
            except BusinessError as error:
                codes.append(error.code)
        return codes

    assert asyncio.run(three_calls()) == [1, 1, 0]


def test_a_fault_for_an_unknown_operation_or_code_zero_is_refused(cpay_emulator: CPayEmulator) -> None:
    with pytest.raises(ControlError, match="unknown operation 'createOrdr'") as raised:
        cpay_emulator.fail_next("createOrdr", 1)
    assert raised.value.status == 422
    with pytest.raises(ControlError):
        cpay_emulator.fail_next("createOrder", 0)


# -- latency ----------------------------------------------------------------------------------------------------


def test_latency_longer_than_the_client_s_timeout_is_a_timeout(cpay_emulator: CPayEmulator) -> None:
    impatient = cpay_emulator.new_client(timeout=httpx.Timeout(0.2), max_retries=0)
    unwrap(get_merchant_balance.sync(client=impatient))  # answered in time without the fault
    cpay_emulator.add_latency(1.0, "getMerchantBalance")
    with pytest.raises(TransportError) as raised:
        get_merchant_balance.sync(client=impatient)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    unwrap(create_order.sync(client=impatient, body=an_order(cpay_emulator, "not-slowed")))  # other operations


# -- dropped responses -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "error"), [("reset", httpx.RemoteProtocolError), ("timeout", httpx.ReadTimeout)])
def test_a_dropped_response_loses_the_answer_but_not_the_order(
    cpay_emulator: CPayEmulator, mode: Any, error: type[Exception]
) -> None:
    cpay_emulator.drop_next_response("createOrder", mode)
    with pytest.raises(TransportError) as raised:
        create_order.sync(client=cpay_emulator.client, body=an_order(cpay_emulator, "dropped-1"))
    assert isinstance(raised.value.__cause__, error)
    assert trade_numbers(cpay_emulator) == ["dropped-1"]  # committed before the answer was lost


@pytest.mark.parametrize(("mode", "error"), [("reset", httpx.RemoteProtocolError), ("timeout", httpx.ReadTimeout)])
def test_over_a_socket_a_dropped_response_is_a_closed_connection_or_a_timeout(
    cpay_emulator_server: CPayEmulator, mode: Any, error: type[Exception]
) -> None:
    emulator = cpay_emulator_server
    emulator.drop_next_response("createOrder", mode)
    client = emulator.new_client(timeout=httpx.Timeout(1.0, connect=5.0))
    with pytest.raises(TransportError) as raised:
        create_order.sync(client=client, body=an_order(emulator, "socket-dropped"))
    assert isinstance(raised.value.__cause__, error)
    assert trade_numbers(emulator) == ["socket-dropped"]
    unwrap(create_order.sync(client=client, body=an_order(emulator, "socket-next")))  # the server lives on


def test_recover_lost_writes_finds_a_withdrawal_whose_response_the_emulator_dropped(
    cpay_emulator: CPayEmulator,
) -> None:
    cpay_emulator.set_balance("USDT", "100")
    recovering = cpay_emulator.new_client(recover_lost_writes=True)
    cpay_emulator.drop_next_response("withdraw", "reset")
    envelope = withdraw.sync(client=recovering, body=a_withdrawal(cpay_emulator, "w-lost"))
    recovery = recovery_of(envelope)
    assert recovery is not None
    assert (recovery.via, recovery.lost) == ("lookup", "RemoteProtocolError")
    assert unwrap(envelope).order_id == cpay_emulator.orders()[0]["orderId"]
    assert trade_numbers(cpay_emulator) == ["w-lost"]  # found, not created twice


def test_recover_lost_writes_raises_the_created_order_when_createorder_s_response_is_dropped(
    cpay_emulator: CPayEmulator,
) -> None:
    recovering = cpay_emulator.new_client(recover_lost_writes=True)
    cpay_emulator.drop_next_response("createOrder", "timeout")
    with pytest.raises(RecoveredOrderError) as raised:
        create_order.sync(client=recovering, body=an_order(cpay_emulator, "o-lost"))
    assert raised.value.order.order_id == cpay_emulator.orders()[0]["orderId"]


# -- webhooks ---------------------------------------------------------------------------------------------------


class Shop:
    """A merchant endpoint that records each webhook's (order, status) and answers OK."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

        async def receive(request: Request) -> PlainTextResponse:
            body = json.loads(await request.body())
            self.received.append((body["orderId"], str(body["orderStatus"])))
            return PlainTextResponse("OK")

        self.app = Starlette(routes=[Route("/cpay/webhook", receive, methods=["POST"])])


@pytest.mark.cpay_emulator(webhook_statuses="all")
def test_duplicated_webhooks_reach_the_merchant_twice(cpay_emulator: CPayEmulator) -> None:
    shop = Shop()
    cpay_emulator.deliver_to(shop.app)
    cpay_emulator.duplicate_webhooks(times=1)
    order_id = new_order(cpay_emulator, "dup-1")
    cpay_emulator.pay(order_id)
    assert shop.received == [(order_id, "11"), (order_id, "11"), (order_id, "14")]
    assert [len(delivery.attempts) for delivery in cpay_emulator.webhooks] == [2, 1]


@pytest.mark.cpay_emulator(webhook_statuses="all")  # PROCESSING is notified only when asked
def test_out_of_order_webhooks_bring_completed_before_processing(cpay_emulator: CPayEmulator) -> None:
    shop = Shop()
    cpay_emulator.deliver_to(shop.app)
    cpay_emulator.webhooks_out_of_order()
    cpay_emulator.hold_webhooks()
    order_id = new_order(cpay_emulator, "ooo-1")
    cpay_emulator.pay(order_id)
    assert cpay_emulator.release_webhooks() == 2  # both posted, one after the other
    assert shop.received == [(order_id, "14"), (order_id, "11")]


@pytest.mark.cpay_emulator(webhook_statuses="all")
def test_held_webhooks_arrive_only_when_released(cpay_emulator: CPayEmulator) -> None:
    shop = Shop()
    cpay_emulator.deliver_to(shop.app)
    cpay_emulator.hold_webhooks()
    order_id = new_order(cpay_emulator, "held-1")
    cpay_emulator.pay(order_id)
    cpay_emulator.advance(3600)
    assert shop.received == []
    assert {delivery.state for delivery in cpay_emulator.webhooks} == {"pending"}
    assert cpay_emulator.release_webhooks() == 2
    assert shop.received == [(order_id, "11"), (order_id, "14")]


def test_clearing_faults_and_reset_disarm_them(cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.fail_next("createOrder", 1)
    cpay_emulator.hold_webhooks()
    assert cpay_emulator.control.faults()["envelopes"]["createOrder"]["remaining"] == 1
    cpay_emulator.clear_faults()
    assert cpay_emulator.control.faults() == {
        "envelopes": {},
        "drops": {},
        "latency": {},
        "webhooks": {"duplicate": 0, "outOfOrder": False, "hold": False},
    }
    cpay_emulator.add_latency(5)
    cpay_emulator.control.reset()
    assert cpay_emulator.control.faults()["latency"] == {}
