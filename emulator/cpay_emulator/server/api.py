"""The C-Pay API's handlers: what each operation of ``openapi.yaml`` does, given a checked request.

A handler gets a ``Call`` (the authenticated merchant, the spec-validated values, the raw text parameters) and
returns the ``data`` of the envelope, or raises an ``EmulatorError`` with its code. Reading the request, the
signature and IP checks, faults and the envelope are the endpoint machinery's (``server.endpoint``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from cpay_emulator.backends import views
from cpay_emulator.backends.model import Merchant, NewOrder
from cpay_emulator.backends.money import parse_amount
from cpay_emulator.backends.service import Emulator
from cpay_emulator.shared.errors import InvalidParameter
from cpay_emulator.shared.spec import Operation

__all__ = ["HANDLERS", "Call", "Handler"]


@attrs.frozen
class Call:
    """What a handler gets: the authenticated merchant, the validated values and the raw text parameters."""

    emulator: Emulator
    merchant: Merchant
    values: Mapping[str, Any]
    params: Mapping[str, str]
    base_url: str

    def text(self, name: str) -> str:
        """The value of an optional text field ("" when absent)."""
        value = self.values.get(name, "")
        return value if isinstance(value, str) else str(value)

    def new_order(self, callback_field: str | None) -> NewOrder:
        """The fields every order creation shares."""
        return NewOrder(
            merchant_trade_no=self.text("merchantTradeNo"),
            user_id=self.text("userId"),
            create_time=self.values.get("createTime"),
            callback_url=self.text(callback_field) if callback_field else "",
            success_url=self.text("successURL"),
            fail_url=self.text("failURL"),
            remark=self.text("remark"),
            ext_info=self.text("extInfo"),
        )


Handler = Callable[[Call, Operation], Any]


def get_wallet_address(call: Call, operation: Operation) -> Any:
    """Section 3: the user's deposit address for every coin of every network."""
    return views.wallet_addresses(call.emulator.ledger.wallet_addresses(call.merchant.merchant_id, call.text("userId")))


def withdraw(call: Call, operation: Operation) -> Any:
    """Section 4: a crypto payout; ``totalAmount`` is frozen until the payout completes or closes."""
    order = call.emulator.payouts.create_payout(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("cryptoCurrency"),
        network_name=call.text("network"),
        total_amount=parse_amount("totalAmount", call.text("totalAmount")),
        received_amount=parse_amount("receivedAmount", call.text("receivedAmount"), allow_zero=True),
        to_address=call.text("toAddress"),
    )
    return views.withdrawal(order)


def create_fiat_payout_order(call: Call, operation: Operation) -> Any:
    """Section 5: a fiat payout; ``orderAmount`` = amount + fee is frozen."""
    if call.text("payoutChannel") == "1" and not call.text("accountType"):
        raise InvalidParameter("accountType", "is required when payoutChannel is 1 (Pix)")
    details = {
        name: call.text(name)
        for name in ("payoutChannel", "accountType", "toAccount", "accountCode", "country")
        if call.text(name)
    }
    order = call.emulator.payouts.create_fiat_payout(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("currency"),
        amount=parse_amount("amount", call.text("amount")),
        details=details,
    )
    return views.fiat_payout(order)


def get_merchant_balance(call: Call, operation: Operation) -> Any:
    """Section 6: available and frozen balance of every currency."""
    return views.merchant_balances(call.emulator.ledger.balances(call.merchant.merchant_id))


def _rate_request(call: Call) -> tuple[str, str, int, Decimal]:
    return (
        call.text("sourceCurrency"),
        call.text("targetCurrency"),
        int(call.values["purchaseType"]),
        parse_amount("amount", call.text("amount")),
    )


def get_exchange_rate(call: Call, operation: Operation) -> Any:
    """Section 7: ``sourceCurrency:targetCurrency = 1:exchangeRate`` from the rate table."""
    source, target, _, _ = _rate_request(call)
    return views.exchange_rate(call.emulator.rate_table.exchange_rate(source, target))


def get_exchange_rate_for_credit_card(call: Call, operation: Operation) -> Any:
    """Section 8: the rate and the other side of the purchase."""
    source, target, purchase_type, amount = _rate_request(call)
    return views.exchange_quote(
        call.emulator.rate_table.exchange_rate(source, target),
        call.emulator.rate_table.quote(source, target, purchase_type, amount),
    )


def get_order_detail(call: Call, operation: Operation) -> Any:
    """Section 9: find the merchant's order by merchantTradeNo, cpayOrderId or hash."""
    order = call.emulator.order_book.find(
        call.merchant.merchant_id,
        merchant_trade_no=call.text("merchantTradeNo"),
        order_id=call.text("cpayOrderId"),
        hash=call.text("hash"),
    )
    return views.order_detail(order)


def exchange(call: Call, operation: Operation) -> Any:
    """Section 10: exchange between two currencies of the merchant's balance; the fee is in the target."""
    order = call.emulator.payouts.exchange(
        call.merchant,
        call.new_order(None),
        source_currency=call.text("sourceCurrency"),
        source_amount=parse_amount("sourceAmount", call.text("sourceAmount")),
        target_currency=call.text("targetCurrency"),
    )
    return views.exchanged(order)


def submit_kyc(call: Call, operation: Operation) -> Any:
    """Section 11: store the users' KYC records."""
    records = json.loads(call.text("data"))
    return views.kyc_receipt(call.emulator.payins.submit_kyc(call.merchant, records))


def pwpp(call: Call, operation: Operation) -> Any:
    """Section 12: a host-to-host card payment (test cards in ``Emulator.create_pwpp``)."""
    card_number = call.text("cardNumber")
    if not card_number and not call.text("ccStorageID"):
        raise InvalidParameter("cardNumber", "is required unless ccStorageID is given")
    order, stored_id = call.emulator.payins.create_pwpp(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("currency"),
        amount=parse_amount("amount", call.text("amount")),
        card_number=card_number,
        store_card=call.text("storeCc") == "1",
        cc_storage_id=call.text("ccStorageID"),
        expiry=call.text("expDate"),
        details={"email": call.text("email"), "country": call.text("country"), "products": call.text("products")},
    )
    return views.card_charge(order, views.card_redirect(call.base_url, order, call.merchant), stored_id)


def create_order(call: Call, operation: Operation) -> Any:
    """Section 13: a crypto pay-in order and its cashier page."""
    order = call.emulator.payins.create_payin(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("cryptoCurrency"),
        amount=parse_amount("amount", call.text("amount")),
    )
    return views.created_order(order, views.cashier_url(call.base_url, order, call.merchant))


def create_order_by_credit_card(call: Call, operation: Operation) -> Any:
    """Section 14: a card order paid on the cashier page. ``data.sign`` signs the other fields of ``data``."""
    order = call.emulator.payins.create_card_order(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("currency"),
        amount=parse_amount("amount", call.text("amount")),
        details={
            name: call.text(name) for name in ("products", "country", "email", "ip", "lanuage") if call.text(name)
        },
    )
    return views.card_order(order, views.cashier_url(call.base_url, order, call.merchant), call.merchant.secret_key)


HANDLERS: Mapping[str, Handler] = {
    "getWalletAddress": get_wallet_address,
    "withdraw": withdraw,
    "createFiatPayoutOrder": create_fiat_payout_order,
    "getMerchantBalance": get_merchant_balance,
    "getExchangeRate": get_exchange_rate,
    "getExchangeRateForCreditCard": get_exchange_rate_for_credit_card,
    "getOrderDetail": get_order_detail,
    "exchange": exchange,
    "submitKYC": submit_kyc,
    "pwpp": pwpp,
    "createOrder": create_order,
    "createOrderByCreditCard": create_order_by_credit_card,
}
"""The emulator's implementation of each ``operationId`` of ``openapi.yaml``."""
