"""The ledger through the service functions: freeze, debit, release, fees, exchange, exactness, atomicity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpay
import cpay_client.models
from cpay import SecretKey, verify_sign
from cpay_emulator import Emulator, EmulatorError, ErrorCode, FeeRates, Merchant, NewOrder, OrderStatus, Store

MERCHANT = Merchant(
    merchant_id="30000001",
    secret_key=SecretKey("ledger-secret"),
    callback_url="http://127.0.0.1:9/hook",
    fee_rates=FeeRates(payin="0.01", exchange="0.003", fiat_payout="0.1", deposit="0"),
)
TRON_ADDRESS = "TRMYtLHzmTeMm1FW86LZh2LGnE2D7kJnnw"  # section 3's example


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    store = Store()
    yield Emulator(store, [MERCHANT])
    store.close()


def new(trade_no: str) -> NewOrder:
    return NewOrder(merchant_trade_no=trade_no, user_id="user-1", create_time=1_700_000_000_000)


def balance(emulator: Emulator, currency: str) -> tuple[Decimal, Decimal]:
    b = emulator.ledger.balance(MERCHANT.merchant_id, currency)
    return b.available, b.frozen


def payout(emulator: Emulator, trade_no: str, total: str, received: str) -> str:
    order = emulator.payouts.create_payout(
        MERCHANT,
        new(trade_no),
        currency="USDT",
        network_name="TRON(TRC-20)",
        total_amount=Decimal(total),
        received_amount=Decimal(received),
        to_address=TRON_ADDRESS,
    )
    return order.order_id


def test_payout_freezes_then_debits_on_completion(emulator: Emulator) -> None:
    emulator.ledger.set_balance(MERCHANT.merchant_id, "USDT", Decimal("100"))
    order_id = payout(emulator, "p1", "30.5", "30")
    assert balance(emulator, "USDT") == (Decimal("69.5"), Decimal("30.5"))
    order = emulator.lifecycle.complete(order_id)
    assert order.status is OrderStatus.COMPLETED
    assert order.fee == Decimal("0.5")
    assert balance(emulator, "USDT") == (Decimal("69.5"), Decimal(0))


def test_closed_payout_releases_the_frozen_funds(emulator: Emulator) -> None:
    emulator.ledger.set_balance(MERCHANT.merchant_id, "USDT", Decimal("100"))
    order_id = payout(emulator, "p1", "40", "39")
    emulator.lifecycle.close(order_id)
    assert balance(emulator, "USDT") == (Decimal("100"), Decimal(0))
    with pytest.raises(EmulatorError) as raised:
        emulator.lifecycle.complete(order_id)
    assert raised.value.code == ErrorCode.INVALID_ORDER_STATE


def test_insufficient_balance_is_an_error_and_changes_nothing(emulator: Emulator) -> None:
    emulator.ledger.set_balance(MERCHANT.merchant_id, "USDT", Decimal("10"))
    with pytest.raises(EmulatorError) as raised:
        payout(emulator, "p1", "10.00000001", "10")
    assert raised.value.code == ErrorCode.INSUFFICIENT_BALANCE
    assert balance(emulator, "USDT") == (Decimal("10"), Decimal(0))
    assert emulator.order_book.count(MERCHANT.merchant_id) == 0  # the order insert was rolled back too
    payout(emulator, "p1", "10", "10")  # the trade number is still free


def test_exchange_charges_its_fee_in_the_target_currency(emulator: Emulator) -> None:
    emulator.ledger.set_balance(MERCHANT.merchant_id, "USDT", Decimal("50000"))
    order = emulator.payouts.exchange(
        MERCHANT, new("x1"), source_currency="USDT", source_amount=Decimal("40000"), target_currency="BTC"
    )
    # Section 10's example: rate 40000, 1 BTC gross, fee 0.003 BTC, 0.997 BTC received.
    assert order.details["exchangeRate"] == "40000"
    assert (order.fee, order.received_amount) == (Decimal("0.003"), Decimal("0.997"))
    assert balance(emulator, "USDT") == (Decimal("10000"), Decimal(0))
    assert balance(emulator, "BTC") == (Decimal("0.997"), Decimal(0))


def test_exchange_rates_follow_the_configured_table(emulator: Emulator) -> None:
    emulator.rate_table.set_prices({"BTC": Decimal("50000")})
    assert emulator.rate_table.exchange_rate("USDT", "BTC") == Decimal("50000")
    assert emulator.rate_table.exchange_rate("BTC", "USDT") == Decimal("0.00002")
    with pytest.raises(EmulatorError) as raised:
        emulator.rate_table.exchange_rate("USDT", "DOGE")
    assert raised.value.code == ErrorCode.UNSUPPORTED_PAIR


def test_exchange_without_enough_source_is_refused(emulator: Emulator) -> None:
    with pytest.raises(EmulatorError) as raised:
        emulator.payouts.exchange(
            MERCHANT, new("x1"), source_currency="USDT", source_amount=Decimal(1), target_currency="TRX"
        )
    assert raised.value.code == ErrorCode.INSUFFICIENT_BALANCE
    assert balance(emulator, "TRX") == (Decimal(0), Decimal(0))


def test_amounts_stay_exact_over_many_small_credits(emulator: Emulator) -> None:
    for index in range(30):
        order = emulator.payins.create_payin(MERCHANT, new(f"in{index}"), currency="BTC", amount=Decimal("0.1"))
        emulator.lifecycle.pay(order.order_id)
    # 30 x (0.1 - 1 % fee) = 2.97 exactly; binary floats would give 2.9699999999999998
    assert balance(emulator, "BTC") == (Decimal("2.97"), Decimal(0))


def test_full_payment_completes_the_order_and_credits_the_amount_less_the_fee(emulator: Emulator) -> None:
    order = emulator.payins.create_payin(MERCHANT, new("in1"), currency="USDT", amount=Decimal("10.5"))
    assert order.status is OrderStatus.PENDING
    paid = emulator.lifecycle.pay(order.order_id)
    assert paid.status is OrderStatus.COMPLETED
    # 1 % of 10.5 is 0.105: USDT keeps 8 decimals, so nothing is rounded away
    assert (paid.actual_amount, paid.fee, paid.received_amount) == (
        Decimal("10.5"),
        Decimal("0.105"),
        Decimal("10.395"),
    )
    assert paid.hash
    assert paid.network == "TRON(TRC-20)"
    assert balance(emulator, "USDT") == (Decimal("10.395"), Decimal(0))


def test_an_order_holds_the_one_order_status_of_the_sdk_and_the_generated_client(emulator: Emulator) -> None:
    order = emulator.payins.create_payin(MERCHANT, new("in1"), currency="USDT", amount=Decimal("10"))
    assert OrderStatus is cpay.OrderStatus is cpay_client.models.OrderStatus
    assert emulator.order_book.get(order.order_id).status is cpay_client.models.OrderStatus.PENDING


def test_partial_payment_stays_processing_until_the_rest_arrives(emulator: Emulator) -> None:
    order = emulator.payins.create_payin(MERCHANT, new("in1"), currency="USDT", amount=Decimal("10"))
    first = emulator.lifecycle.pay(order.order_id, amount=Decimal("4"))
    assert (first.status, first.actual_amount) == (OrderStatus.PROCESSING, Decimal("4"))
    assert balance(emulator, "USDT") == (Decimal(0), Decimal(0))
    second = emulator.lifecycle.pay(order.order_id, amount=Decimal("6"))
    assert second.status is OrderStatus.COMPLETED
    assert balance(emulator, "USDT") == (Decimal("9.9"), Decimal(0))


def test_overpayment_completes_with_the_whole_amount_received(emulator: Emulator) -> None:
    order = emulator.payins.create_payin(MERCHANT, new("in1"), currency="ETH", amount=Decimal("1"))
    paid = emulator.lifecycle.pay(order.order_id, amount=Decimal("1.5"), network="Ethereum(ERC-20)")
    assert (paid.status, paid.actual_amount, paid.received_amount) == (
        OrderStatus.COMPLETED,
        Decimal("1.5"),
        Decimal("1.485"),
    )
    assert paid.hash.startswith("0x")
    assert len(paid.hash) == 66


def test_failed_payment_closes_the_order_and_credits_nothing(emulator: Emulator) -> None:
    order = emulator.payins.create_payin(MERCHANT, new("in1"), currency="USDT", amount=Decimal("10"))
    failed = emulator.lifecycle.fail(order.order_id, reason="customer gave up")
    assert failed.status is OrderStatus.CLOSED
    assert json.loads(failed.ext_info)["reason"] == "customer gave up"
    with pytest.raises(EmulatorError):
        emulator.lifecycle.pay(order.order_id)
    assert balance(emulator, "USDT") == (Decimal(0), Decimal(0))


def test_duplicate_merchant_trade_no_is_a_business_error(emulator: Emulator) -> None:
    emulator.payins.create_payin(MERCHANT, new("same"), currency="USDT", amount=Decimal("1"))
    with pytest.raises(EmulatorError) as raised:
        emulator.payins.create_payin(MERCHANT, new("same"), currency="BTC", amount=Decimal("2"))
    assert raised.value.code == ErrorCode.DUPLICATE_MERCHANT_TRADE_NO


def test_fiat_payout_freezes_amount_plus_fee(emulator: Emulator) -> None:
    emulator.ledger.set_balance(MERCHANT.merchant_id, "BRL", Decimal("6"))
    order = emulator.payouts.create_fiat_payout(MERCHANT, new("f1"), currency="BRL", amount=Decimal("5"), details={})
    # Section 5's example: amount 5, fee 0.5, orderAmount 5.5
    assert (order.order_amount, order.fee, order.received_amount) == (Decimal("5.5"), Decimal("0.5"), Decimal("5"))
    assert balance(emulator, "BRL") == (Decimal("0.5"), Decimal("5.5"))
    emulator.lifecycle.complete(order.order_id)
    assert balance(emulator, "BRL") == (Decimal("0.5"), Decimal(0))


def test_deposit_to_a_handed_out_address_credits_the_user_merchant(emulator: Emulator) -> None:
    entries = emulator.ledger.wallet_addresses(MERCHANT.merchant_id, "user-9")
    tron = next(address for currency, network, address in entries if network == "TRON(TRC-20)")
    order = emulator.lifecycle.deposit(tron, currency="USDT", amount=Decimal("25"))
    assert (order.status, order.user_id, order.merchant_trade_no) == (OrderStatus.COMPLETED, "user-9", None)
    assert balance(emulator, "USDT") == (Decimal("25"), Decimal(0))
    found = emulator.order_book.find(MERCHANT.merchant_id, hash=order.hash)
    assert found.order_id == order.order_id


def test_only_the_final_status_queues_a_signed_webhook_by_default(emulator: Emulator) -> None:
    order = emulator.payins.create_payin(MERCHANT, new("in1"), currency="USDT", amount=Decimal("10"))
    emulator.lifecycle.pay(order.order_id)  # PENDING -> PROCESSING -> COMPLETED
    rows = emulator.store.connection.execute(
        "SELECT order_status, payload FROM webhooks WHERE order_id = ? ORDER BY delivery_id", (order.order_id,)
    ).fetchall()
    assert [row["order_status"] for row in rows] == ["14"]
    for row in rows:
        payload = json.loads(row["payload"])
        assert verify_sign(payload, MERCHANT.secret_key, payload["sign"])
        assert payload["merchantTradeNo"] == "in1"


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.decimals(min_value="0.00000001", max_value="1000", places=8, allow_nan=False, allow_infinity=False),
            st.sampled_from(["complete", "close", "leave"]),
        ),
        max_size=12,
    )
)
def test_payouts_conserve_money(steps: list[tuple[Decimal, str]]) -> None:
    store = Store()
    emulator = Emulator(store, [MERCHANT])
    start = Decimal("5000")
    emulator.ledger.set_balance(MERCHANT.merchant_id, "USDT", start)
    debited = Decimal(0)
    for index, (amount, action) in enumerate(steps):
        if amount > emulator.ledger.balance(MERCHANT.merchant_id, "USDT").available:
            with pytest.raises(EmulatorError, match="insufficient balance"):
                payout(emulator, f"p{index}", str(amount), str(amount))
            continue
        order_id = payout(emulator, f"p{index}", str(amount), str(amount))
        if action == "complete":
            emulator.lifecycle.complete(order_id)
            debited += amount
        elif action == "close":
            emulator.lifecycle.close(order_id)
        available, frozen = balance(emulator, "USDT")
        assert available >= 0
        assert frozen >= 0
        assert available + frozen + debited == start
    store.close()
