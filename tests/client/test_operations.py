"""Every operation through the generated client, signed by ``CPayAuth``, against a fake C-Pay.

Each call sends the spec's request example (the fake checks the signature and every parameter on the wire)
and gets the spec's response example back; the parsed model must hold exactly the example's values, amounts
as the exact decimal strings of the document.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from attrs import fields, has

from cpay import unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.card_payments import create_order_by_credit_card, pwpp
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.deposits import get_wallet_address
from cpay_client.api.exchange import exchange, get_exchange_rate, get_exchange_rate_for_credit_card
from cpay_client.api.kyc import submit_kyc
from cpay_client.api.orders import get_order_detail
from cpay_client.api.payouts import create_fiat_payout_order, withdraw
from cpay_client.models import (
    CardOrder,
    CreateFiatPayoutOrderRequest,
    CreateFiatPayoutOrderRequestPayoutChannel,
    CreateOrderByCreditCardRequest,
    CreateOrderRequest,
    CreditCardExchangeRate,
    CryptoOrder,
    ExchangeRate,
    ExchangeRequest,
    ExchangeResult,
    FiatPayoutOrder,
    KycResult,
    MerchantBalance,
    OrderDetail,
    OrderStatus,
    PurchaseType,
    PwppPayment,
    PwppRequest,
    SubmitKycRequest,
    WalletAddress,
    WebhookNotification,
    WithdrawOrder,
    WithdrawRequest,
)

from .conftest import OPERATIONS, SPEC, ClientFactory, FakeCPay


def call(fake_cpay_client: ClientFactory, operation_id: str, module: Any, **kwargs: Any) -> Any:
    """Call ``module.sync_detailed`` against the fake; check the envelope round-trips the example; return data."""
    operation = OPERATIONS[operation_id]
    example = operation.response_example()
    fake = FakeCPay(operation, example)
    response = module.sync_detailed(client=fake_cpay_client(fake), **kwargs)
    assert len(fake.requests) == 1
    assert response.status_code == 200
    envelope = response.parsed
    assert envelope.to_dict() == example, "the parsed envelope does not hold the example's values"
    assert_no_undeclared_fields(envelope)
    return unwrap(envelope)


def assert_no_undeclared_fields(model: Any) -> None:
    """Every field of the example is declared by the spec: nothing fell into ``additional_properties``."""
    if isinstance(model, list):
        for item in model:
            assert_no_undeclared_fields(item)
    elif has(type(model)):
        assert model.additional_properties == {}, type(model).__name__
        for attribute in fields(type(model)):
            assert_no_undeclared_fields(getattr(model, attribute.name))


def body(model: Any, operation_id: str) -> Any:
    """The request model built from the spec's request example, as a user would fill it."""
    return model.from_dict(OPERATIONS[operation_id].request_example())


def test_get_wallet_address_sends_the_user_in_the_signed_query(fake_cpay_client: ClientFactory) -> None:
    addresses = call(fake_cpay_client, "getWalletAddress", get_wallet_address, user_id="10181633")
    assert len(addresses) == 7
    assert all(isinstance(address, WalletAddress) for address in addresses)
    assert (addresses[0].currency, addresses[0].network) == ("USDT", "TRON(TRC-20)")
    assert addresses[6].address == "3Dj8spQNdFUXRP1T91egJx8ZhfDc6QECsa"


def test_withdraw_sends_the_signed_form_and_parses_the_payout_order(fake_cpay_client: ClientFactory) -> None:
    order = call(fake_cpay_client, "withdraw", withdraw, body=body(WithdrawRequest, "withdraw"))
    assert isinstance(order, WithdrawOrder)
    assert order.status is OrderStatus.PENDING
    assert (order.order_amount, order.received_amount, order.fee) == ("66.12345678", "65.12345678", "0.0123")
    assert order.order_id == "221117074719772768014"
    assert order.merchant_id == "20000092"


def test_create_fiat_payout_order_parses_amounts_as_exact_strings(fake_cpay_client: ClientFactory) -> None:
    request = body(CreateFiatPayoutOrderRequest, "createFiatPayoutOrder")
    assert request.payout_channel is CreateFiatPayoutOrderRequestPayoutChannel.PIX
    order = call(fake_cpay_client, "createFiatPayoutOrder", create_fiat_payout_order, body=request)
    assert isinstance(order, FiatPayoutOrder)
    assert order.status is OrderStatus.PROCESSING
    assert (order.order_amount, order.received_amount, order.fee) == ("5.5", "5", "0.5")
    assert Decimal(order.order_amount) == Decimal(order.received_amount) + Decimal(order.fee)


def test_get_merchant_balance_sends_only_merchant_id_and_sign(fake_cpay_client: ClientFactory) -> None:
    balances = call(fake_cpay_client, "getMerchantBalance", get_merchant_balance)
    assert all(isinstance(balance, MerchantBalance) for balance in balances)
    by_currency = {balance.crypto_currency: balance for balance in balances}
    assert by_currency["USDT"].available_balance == "11.008"
    assert by_currency["USD"].freeze_balance == "12.237"


def test_get_exchange_rate_sends_the_purchase_type_as_its_number(fake_cpay_client: ClientFactory) -> None:
    rate = call(
        fake_cpay_client,
        "getExchangeRate",
        get_exchange_rate,
        source_currency="USD",
        target_currency="USDT",
        purchase_type=PurchaseType.BY_SOURCE_AMOUNT,
        amount="100",
    )
    assert isinstance(rate, ExchangeRate)
    assert rate.exchange_rate == "0"


def test_get_exchange_rate_for_credit_card_keeps_all_decimals(fake_cpay_client: ClientFactory) -> None:
    rate = call(
        fake_cpay_client,
        "getExchangeRateForCreditCard",
        get_exchange_rate_for_credit_card,
        source_currency="USD",
        target_currency="USDT",
        purchase_type=PurchaseType.BY_SOURCE_AMOUNT,
        amount="100",
    )
    assert isinstance(rate, CreditCardExchangeRate)
    assert (rate.exchange_rate, rate.amount_exchanged) == ("2999.342", "0.03334064604")


def test_get_order_detail_accepts_numeric_merchant_id_and_create_time(fake_cpay_client: ClientFactory) -> None:
    order = call(
        fake_cpay_client,
        "getOrderDetail",
        get_order_detail,
        merchant_trade_no="test114",
        cpay_order_id="221116112637772768014",
        hash_="c4dbbf5737c52072817dc92fa09c41386f8024fee883270b92bfc1943616f957",
    )
    assert isinstance(order, OrderDetail)
    assert order.status is OrderStatus.COMPLETED
    assert (order.merchant_id, order.create_time) == (20003092, 1663155010000)
    assert (order.actual_amount, order.received_amount, order.fee) == ("10", "10", "0")
    assert order.remark == "充值单补单"


def test_exchange_parses_the_result(fake_cpay_client: ClientFactory) -> None:
    result = call(fake_cpay_client, "exchange", exchange, body=body(ExchangeRequest, "exchange"))
    assert isinstance(result, ExchangeResult)
    assert (result.target_amount, result.exchange_rate, result.fee) == ("0.997", "40000.000000", "0.003")


def test_submit_kyc_sends_the_records_as_a_json_string(fake_cpay_client: ClientFactory) -> None:
    result = call(fake_cpay_client, "submitKYC", submit_kyc, body=body(SubmitKycRequest, "submitKYC"))
    assert isinstance(result, KycResult)
    assert result.count == 10


def test_pwpp_parses_the_payment(fake_cpay_client: ClientFactory) -> None:
    payment = call(fake_cpay_client, "pwpp", pwpp, body=body(PwppRequest, "pwpp"))
    assert isinstance(payment, PwppPayment)
    assert payment.order_id == "230303100653358209014"
    assert payment.cc_storage_id == "xxxxxxxxxxxxxxxxxx"


def test_create_order_parses_the_cashier_url(fake_cpay_client: ClientFactory) -> None:
    order = call(fake_cpay_client, "createOrder", create_order, body=body(CreateOrderRequest, "createOrder"))
    assert isinstance(order, CryptoOrder)
    assert order.cashier_url.startswith("https://cashier.cpay.ltd/payment?orderId=221116112637772768014")
    assert (order.order_amount, order.received_amount) == ("3", "3")


def test_create_order_by_credit_card_parses_two_decimal_amounts(fake_cpay_client: ClientFactory) -> None:
    request = body(CreateOrderByCreditCardRequest, "createOrderByCreditCard")
    order = call(fake_cpay_client, "createOrderByCreditCard", create_order_by_credit_card, body=request)
    assert isinstance(order, CardOrder)
    assert order.order_status is OrderStatus.CLOSED
    assert (order.order_amount, order.received_amount, order.fee, order.pledge_amount) == ("2", "0.00", "0.00", "")


def test_the_fake_rejects_a_request_signed_with_another_key(fake_cpay_client: ClientFactory) -> None:
    operation = OPERATIONS["getMerchantBalance"]
    client = fake_cpay_client(FakeCPay(operation, operation.response_example()), secret_key="not-the-merchant-key")
    with pytest.raises(AssertionError, match="sign does not match"):
        get_merchant_balance.sync(client=client)


def test_the_fake_rejects_a_parameter_that_differs_from_the_example(fake_cpay_client: ClientFactory) -> None:
    operation = OPERATIONS["getWalletAddress"]
    client = fake_cpay_client(FakeCPay(operation, operation.response_example()))
    with pytest.raises(AssertionError):
        get_wallet_address.sync(client=client, user_id="someone-else")


def test_the_webhook_example_parses_into_its_model() -> None:
    webhook = SPEC["webhooks"]["orderStatusChanged"]["post"]["requestBody"]["content"]["application/json"]
    example = webhook["examples"]["completedDeposit"]["value"]
    notification = WebhookNotification.from_dict(example)
    assert notification.order_status is OrderStatus.COMPLETED
    assert (notification.actual_amount, notification.received_amount, notification.fee) == ("10", "10", "0")
    assert notification.sign == example["sign"]
    assert notification.to_dict() == example
    assert notification.additional_properties == {}


def test_every_operation_of_the_spec_is_called_above() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    missing = [operation_id for operation_id in OPERATIONS if f'"{operation_id}"' not in source]
    assert not missing
    assert len(OPERATIONS) == 12


@pytest.mark.parametrize(
    ("operation_id", "module", "kwargs"),
    [
        ("getMerchantBalance", get_merchant_balance, {}),
        ("getWalletAddress", get_wallet_address, {"user_id": "10181633"}),
        ("withdraw", withdraw, {"body": body(WithdrawRequest, "withdraw")}),
        ("pwpp", pwpp, {"body": body(PwppRequest, "pwpp")}),
    ],
)
def test_async_calls_are_signed_and_parsed_like_sync_ones(
    fake_cpay_client: ClientFactory, operation_id: str, module: Any, kwargs: dict[str, Any]
) -> None:
    operation = OPERATIONS[operation_id]
    example = operation.response_example()
    fake = FakeCPay(operation, example)
    client = fake_cpay_client(fake, business_error_hooks=True)

    async def run() -> Any:
        async with client:
            return await module.asyncio(client=client, **kwargs)

    envelope = asyncio.run(run())
    assert len(fake.requests) == 1
    assert envelope.to_dict() == example
