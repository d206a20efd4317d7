"""Money going out and across: crypto payouts (withdraw), fiat payouts (createFiatPayoutOrder) and exchanges
between two currencies of the merchant's balance (exchange).

A payout freezes its amount in the ledger at creation; the lifecycle debits it on completion or releases it
on close. An exchange is complete at once: the source is debited and the target credited, less the fee.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cpay import OrderStatus
from cpay_emulator.backends.ledger import Ledger
from cpay_emulator.backends.model import Merchant, NewOrder, Order, OrderKind
from cpay_emulator.backends.money import (
    CRYPTO_CURRENCIES,
    FIAT_CURRENCIES,
    fee_of,
    format_amount,
    quantize_down,
    unsupported_currency,
)
from cpay_emulator.backends.networks import network_named
from cpay_emulator.backends.orders import OrderBook
from cpay_emulator.backends.outbox import Outbox
from cpay_emulator.backends.rates import RateTable
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import InvalidAddress, InvalidAmount

__all__ = ["Payouts"]


class Payouts:
    """Creates the orders that take money out of a merchant's balance or move it between currencies."""

    def __init__(self, store: Store, order_book: OrderBook, ledger: Ledger, rates: RateTable, outbox: Outbox) -> None:
        self.store = store
        self.order_book = order_book
        self.ledger = ledger
        self.rates = rates
        self.outbox = outbox

    def create_payout(
        self,
        merchant: Merchant,
        new: NewOrder,
        *,
        currency: str,
        network_name: str,
        total_amount: Decimal,
        received_amount: Decimal,
        to_address: str,
    ) -> Order:
        """withdraw (section 4): freeze ``totalAmount`` now; debit it on completion, release it on close.

        The user receives ``receivedAmount``; C-Pay's fee is the difference.
        """
        if currency not in CRYPTO_CURRENCIES:
            raise unsupported_currency("cryptoCurrency", currency, CRYPTO_CURRENCIES)
        network = network_named(network_name, currency=currency)
        if not network.is_valid_address(to_address):
            raise InvalidAddress(f"invalid toAddress: not a valid {network.name} address")
        if received_amount > total_amount:
            raise InvalidAmount("receivedAmount", "must not exceed totalAmount")
        with self.store.transaction() as connection:
            order = self.order_book.insert(
                connection,
                merchant,
                OrderKind.PAYOUT,
                new,
                status=OrderStatus.PENDING,
                currency=currency,
                network=network.name,
                order_amount=total_amount,
                received_amount=received_amount,
                fee=total_amount - received_amount,
                to_address=to_address,
            )
            self.ledger.move(connection, merchant.merchant_id, currency, available=-total_amount, frozen=total_amount)
            return order

    def create_fiat_payout(
        self, merchant: Merchant, new: NewOrder, *, currency: str, amount: Decimal, details: Mapping[str, Any]
    ) -> Order:
        """createFiatPayoutOrder (section 5): the user receives ``amount``; ``orderAmount`` = amount + fee is frozen."""
        if currency not in FIAT_CURRENCIES:
            raise unsupported_currency("currency", currency, FIAT_CURRENCIES)
        fee = fee_of(amount, merchant.fee_rates.fiat_payout, currency)
        total = amount + fee
        with self.store.transaction() as connection:
            order = self.order_book.insert(
                connection,
                merchant,
                OrderKind.FIAT_PAYOUT,
                new,
                status=OrderStatus.PENDING,
                currency=currency,
                order_amount=total,
                received_amount=amount,
                fee=fee,
                details=details,
            )
            self.ledger.move(connection, merchant.merchant_id, currency, available=-total, frozen=total)
            return order

    def exchange(
        self,
        merchant: Merchant,
        new: NewOrder,
        *,
        source_currency: str,
        source_amount: Decimal,
        target_currency: str,
    ) -> Order:
        """exchange (section 10): debit the source, credit the target less the fee (charged in the target).

        The order is created COMPLETED, with one webhook (to the merchant's callback URL, if it has one).
        """
        rate = self.rates.exchange_rate(source_currency, target_currency)
        gross = quantize_down(source_amount / rate, target_currency)
        fee = fee_of(gross, merchant.fee_rates.exchange, target_currency)
        target_amount = gross - fee
        if target_amount <= 0:
            raise InvalidAmount("sourceAmount", f"too small: it buys no {target_currency} after the fee")
        with self.store.transaction() as connection:
            self.ledger.move(connection, merchant.merchant_id, source_currency, available=-source_amount)
            self.ledger.move(connection, merchant.merchant_id, target_currency, available=target_amount)
            order = self.order_book.insert(
                connection,
                merchant,
                OrderKind.EXCHANGE,
                new,
                status=OrderStatus.COMPLETED,
                currency=target_currency,
                order_amount=gross,
                actual_amount=gross,
                received_amount=target_amount,
                fee=fee,
                details={
                    "sourceCurrency": source_currency,
                    "sourceAmount": format_amount(source_amount),
                    "targetCurrency": target_currency,
                    "exchangeRate": format_amount(rate),
                },
            )
            self.order_book.queue_webhook(connection, order)
        self.outbox.notify()
        return order
