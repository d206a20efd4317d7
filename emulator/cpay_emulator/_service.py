"""What C-Pay does, as synchronous functions over the store: every change is one SQLite transaction.

The API handlers, the control API and the cashier page all call these functions; none of them touches the
database directly. Each public method that changes state opens exactly one transaction, so an order, its
ledger moves and its webhook deliveries are committed together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from cpay_emulator._errors import (
    CardDeclined,
    InvalidAddress,
    InvalidAmount,
    InvalidOrderState,
    InvalidParameter,
    OrderNotFound,
    UnsupportedCurrency,
    UnsupportedNetwork,
)
from cpay_emulator._ids import new_order_id, now_ms
from cpay_emulator._ledger import Ledger
from cpay_emulator._merchants import MerchantRegistry
from cpay_emulator._model import Merchant, NewOrder, Order, OrderKind, OrderStatus
from cpay_emulator._money import (
    CRYPTO_CURRENCIES,
    FIAT_CURRENCIES,
    fee_of,
    format_amount,
    quantize_down,
)
from cpay_emulator._networks import default_network, network_named, new_transaction_hash
from cpay_emulator._orders import OrderBook
from cpay_emulator._outbox import Outbox
from cpay_emulator._rates import RateTable
from cpay_emulator._store import Store

__all__ = ["Emulator"]

_DECLINED_CARD_SUFFIX = "0002"  # like Stripe's 4000 0000 0000 0002
_THREE_DS_CARD_SUFFIX = "3220"  # like Stripe's 4000 0000 0000 3220


class Emulator:
    """The emulator's state and the operations on it.

    ``on_webhook`` is called (after commit) whenever deliveries were queued, so the delivery worker can wake.
    """

    def __init__(
        self,
        store: Store,
        merchants: Iterable[Merchant] = (),
        *,
        on_webhook: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.on_webhook = on_webhook
        self._connection = store.connection
        self.merchant_registry = MerchantRegistry(store, merchants)
        self.outbox = Outbox(store, on_webhook)
        self.rate_table = RateTable(store)
        self.ledger = Ledger(store, self.merchant_registry)
        self.order_book = OrderBook(store, self.merchant_registry, self.outbox)
        self.merchant = self.merchant_registry.get
        self.merchants = self.merchant_registry.all
        self.save_merchant = self.merchant_registry.save
        self._require_merchant = self.merchant_registry.require
        self.prices = self.rate_table.prices
        self.set_prices = self.rate_table.set_prices
        self.exchange_rate = self.rate_table.exchange_rate
        self.quote = self.rate_table.quote
        self.wallet_addresses = self.ledger.wallet_addresses
        self.balances = self.ledger.balances
        self.balance = self.ledger.balance
        self.set_balance = self.ledger.set_balance
        self.order = self.order_book.get
        self.find_order = self.order_book.find
        self.orders = self.order_book.latest
        self.count_orders = self.order_book.count

    # -- order creation ----------------------------------------------------------------------------------------

    def create_payin(self, merchant: Merchant, new: NewOrder, *, currency: str, amount: Decimal) -> Order:
        """createOrder (section 13): a PENDING crypto order the customer pays through the cashier page."""
        if currency not in CRYPTO_CURRENCIES:
            raise UnsupportedCurrency(
                f"unsupported cryptoCurrency {currency!r}; supported: {', '.join(CRYPTO_CURRENCIES)}",
            )
        network = default_network(currency)
        with self.store.transaction(single_statement=True) as connection:  # one INSERT
            return self.order_book.insert(
                connection,
                merchant,
                OrderKind.PAYIN,
                new,
                status=OrderStatus.PENDING,
                currency=currency,
                order_amount=amount,
                network=network.name,
            )

    def create_card_order(
        self, merchant: Merchant, new: NewOrder, *, currency: str, amount: Decimal, details: Mapping[str, Any]
    ) -> Order:
        """createOrderByCreditCard (section 14): a PENDING card order paid on the cashier page."""
        self._check_fiat(currency, ("USD", "EUR", "BRL"))
        with self.store.transaction(single_statement=True) as connection:  # one INSERT
            return self.order_book.insert(
                connection,
                merchant,
                OrderKind.CARD,
                new,
                status=OrderStatus.PENDING,
                currency=currency,
                order_amount=quantize_down(amount, currency),
                details=details,
            )

    def create_pwpp(
        self,
        merchant: Merchant,
        new: NewOrder,
        *,
        currency: str,
        amount: Decimal,
        card_number: str,
        store_card: bool,
        cc_storage_id: str,
        expiry: str,
        details: Mapping[str, Any],
    ) -> tuple[Order, str]:
        """pwpp (section 12): a host-to-host card charge. Returns the order and the stored card's id (or "").

        Test cards: a number ending in ``0002`` is declined (PAY_FAIL, no order is kept); one ending in ``3220``
        needs 3-D Secure (the order stays PENDING until the cashier page pays or fails it); any other card is
        approved at once (PENDING -> PROCESSING -> COMPLETED, with a webhook for each change).
        """
        self._check_fiat(currency, ("USD", "EUR"))
        amount = quantize_down(amount, currency)  # "higher precision rounds down" (section 12)
        if amount <= 0:
            raise InvalidAmount("amount", "must be at least 0.01 after rounding down to 2 decimals")
        if cc_storage_id:
            row = self._connection.execute(
                "SELECT last4 FROM stored_cards WHERE cc_storage_id = ? AND merchant_id = ? AND user_id = ?",
                (cc_storage_id, merchant.merchant_id, new.user_id),
            ).fetchone()
            if row is None:  # the acquirer declines a charge of a card it does not hold
                raise CardDeclined("pay fail: no card of this user is stored under this ccStorageID")
            last4 = row["last4"]
        else:
            last4 = card_number[-4:]
        if last4 == _DECLINED_CARD_SUFFIX:
            self.order_book.check_trade_no_free(merchant.merchant_id, new.merchant_trade_no)
            raise CardDeclined("pay fail")
        with self.store.transaction() as connection:
            order = self.order_book.insert(
                connection,
                merchant,
                OrderKind.PWPP,
                new,
                status=OrderStatus.PENDING,
                currency=currency,
                order_amount=amount,
                details={**details, "cardLast4": last4},
            )
            stored_id = cc_storage_id
            if store_card and not cc_storage_id:
                stored_id = new_order_id()
                connection.execute(
                    "INSERT INTO stored_cards VALUES (?, ?, ?, ?, ?)",
                    (stored_id, merchant.merchant_id, new.user_id, last4, expiry),
                )
            if last4 != _THREE_DS_CARD_SUFFIX:
                order = self._pay(connection, order, amount=amount, network=None, hash_text=None)
        self.outbox.notify()
        return order, stored_id

    @staticmethod
    def _check_fiat(currency: str, supported: tuple[str, ...]) -> None:
        if currency not in supported:
            raise UnsupportedCurrency(f"unsupported currency {currency!r}; supported: {', '.join(supported)}")

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
            raise UnsupportedCurrency(
                f"unsupported cryptoCurrency {currency!r}; supported: {', '.join(CRYPTO_CURRENCIES)}",
            )
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
        self._check_fiat(currency, FIAT_CURRENCIES)
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
        rate = self.exchange_rate(source_currency, target_currency)
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

    def submit_kyc(self, merchant: Merchant, records: list[dict[str, Any]]) -> int:
        """submitKYC (section 11): store each user's record (a later one replaces it); returns how many."""
        now = now_ms()
        with self.store.transaction() as connection:
            connection.executemany(
                "INSERT INTO kyc_records VALUES (?, ?, ?, ?) ON CONFLICT (merchant_id, user_id) "
                "DO UPDATE SET data = excluded.data, submitted_at = excluded.submitted_at",
                [(merchant.merchant_id, str(record["userId"]), json.dumps(record), now) for record in records],
            )
        return len(records)

    # -- what the customer or the chain does (control API, cashier page) ---------------------------------------

    def pay(
        self,
        order_id: str,
        *,
        amount: Decimal | None = None,
        network: str | None = None,
        hash: str | None = None,
    ) -> Order:
        """The customer pays a pay-in order: full (default), partial or over the order amount.

        The first payment moves PENDING to PROCESSING; once the amount paid reaches the order amount the order
        is COMPLETED, the fee is taken and the rest credited to the merchant's available balance. Card orders
        are paid in full only.
        """
        with self.store.transaction() as connection:
            order = self._pay(connection, self.order(order_id), amount=amount, network=network, hash_text=hash)
        self.outbox.notify()
        return order

    def _pay(
        self,
        connection: sqlite3.Connection,
        order: Order,
        *,
        amount: Decimal | None,
        network: str | None,
        hash_text: str | None,
    ) -> Order:
        if not order.kind.is_payin:
            raise self._bad_transition(order, "pay", "only pay-in orders (createOrder, card, pwpp) are paid")
        if order.status.is_final:
            raise self._bad_transition(order, "pay", f"the order is already {order.status.name}")
        remaining = order.order_amount - order.actual_amount
        paid = remaining if amount is None else amount
        if paid <= 0:
            raise InvalidParameter("amount", "must be greater than 0")
        if order.kind is not OrderKind.PAYIN and paid != remaining:
            raise InvalidParameter("amount", "card orders are paid in full")
        changes: dict[str, Any] = {"actual_amount": order.actual_amount + paid}
        if order.kind is OrderKind.PAYIN:
            chain = network_named(network, currency=order.currency) if network else network_named(order.network)
            changes["network"] = chain.name
            changes["hash"] = hash_text or new_transaction_hash(chain)
        if order.status is OrderStatus.PENDING:
            order = self.order_book.transition(connection, order, OrderStatus.PROCESSING, **changes)
            changes = {}
        elif changes:
            order = self.order_book.update(connection, order, **changes)
            changes = {}
        if order.actual_amount >= order.order_amount:
            merchant = self._require_merchant(order.merchant_id)
            rate = merchant.fee_rates.payin if order.kind is OrderKind.PAYIN else merchant.fee_rates.card
            fee = fee_of(order.actual_amount, rate, order.currency)
            received = order.actual_amount - fee
            self.ledger.move(connection, order.merchant_id, order.currency, available=received)
            order = self.order_book.transition(
                connection, order, OrderStatus.COMPLETED, fee=fee, received_amount=received
            )
        return order

    def fail(self, order_id: str, *, reason: str = "Transaction cannot be completed") -> Order:
        """The payment fails or the order is closed: CLOSED, with the reason in ``extInfo``.

        A payout's frozen funds are released. Money already paid into a partially paid order is not credited.
        """
        with self.store.transaction() as connection:
            order = self.order(order_id)
            if order.status.is_final:
                raise self._bad_transition(order, "fail", f"the order is already {order.status.name}")
            if order.kind.is_payout:
                self.ledger.move(
                    connection,
                    order.merchant_id,
                    order.currency,
                    available=order.order_amount,
                    frozen=-order.order_amount,
                )
            ext_info = json.dumps({"reason": reason, "sceneTag": "Emulator"}, separators=(",", ":"))
            order = self.order_book.transition(connection, order, OrderStatus.CLOSED, ext_info=ext_info)
        self.outbox.notify()
        return order

    def close(self, order_id: str, *, reason: str = "Closed") -> Order:
        """Close an order that is not final (payouts: the funds are released). Same as ``fail``."""
        return self.fail(order_id, reason=reason)

    def process(self, order_id: str) -> Order:
        """PENDING -> PROCESSING without completing (a payout broadcast, a card awaiting its acquirer)."""
        with self.store.transaction() as connection:
            order = self.order(order_id)
            if order.status is not OrderStatus.PENDING:
                raise self._bad_transition(order, "process", "only a PENDING order can start processing")
            order = self.order_book.transition(connection, order, OrderStatus.PROCESSING)
        self.outbox.notify()
        return order

    def complete(self, order_id: str, *, hash: str | None = None) -> Order:
        """Complete a payout (the frozen amount is debited) or a deposit waiting for confirmations.

        A PENDING payout passes through PROCESSING, with a webhook for each change.
        """
        with self.store.transaction() as connection:
            order = self.order(order_id)
            if order.status.is_final:
                raise self._bad_transition(order, "complete", f"the order is already {order.status.name}")
            if order.kind.is_payin:
                order = self._pay(connection, order, amount=None, network=None, hash_text=hash)
            elif order.kind is OrderKind.DEPOSIT:
                self.ledger.move(connection, order.merchant_id, order.currency, available=order.received_amount)
                order = self.order_book.transition(connection, order, OrderStatus.COMPLETED)
            elif order.kind.is_payout:
                if order.status is OrderStatus.PENDING:
                    order = self.order_book.transition(connection, order, OrderStatus.PROCESSING)
                self.ledger.move(connection, order.merchant_id, order.currency, frozen=-order.order_amount)
                changes: dict[str, Any] = {"actual_amount": order.received_amount}
                if order.kind is OrderKind.PAYOUT:
                    changes["hash"] = hash or new_transaction_hash(network_named(order.network))
                order = self.order_book.transition(connection, order, OrderStatus.COMPLETED, **changes)
            else:
                raise self._bad_transition(order, "complete", f"{order.kind} orders complete on creation")
        self.outbox.notify()
        return order

    def deposit(
        self,
        address: str,
        *,
        currency: str,
        amount: Decimal,
        hash: str | None = None,
        confirmed: bool = True,
    ) -> Order:
        """Crypto arrives at a user's deposit address: a deposit order PROCESSING, then COMPLETED (credited).

        With ``confirmed=False`` it stays PROCESSING until ``complete``. The address must have been handed out
        by getWalletAddress.
        """
        holder = self.ledger.address_holder(address)
        if holder is None:
            raise OrderNotFound(f"no user has the deposit address {address!r}")
        merchant_id, user_id, networks = holder
        candidates = [name for name in networks if currency in network_named(name).currencies]
        if not candidates:
            raise UnsupportedNetwork(f"the network of {address!r} does not carry {currency!r}")
        network = network_named(candidates[0])
        merchant = self._require_merchant(merchant_id)
        fee = fee_of(amount, merchant.fee_rates.deposit, currency)
        with self.store.transaction() as connection:
            order = self.order_book.insert(
                connection,
                merchant,
                OrderKind.DEPOSIT,
                None,
                status=OrderStatus.PENDING,
                currency=currency,
                network=network.name,
                order_amount=amount,
                user_id=user_id,
                to_address=address,
            )
            order = self.order_book.transition(
                connection,
                order,
                OrderStatus.PROCESSING,
                actual_amount=amount,
                fee=fee,
                received_amount=amount - fee,
                hash=hash or new_transaction_hash(network),
            )
            if confirmed:
                self.ledger.move(connection, order.merchant_id, currency, available=order.received_amount)
                order = self.order_book.transition(connection, order, OrderStatus.COMPLETED)
        self.outbox.notify()
        return order

    @staticmethod
    def _bad_transition(order: Order, action: str, why: str) -> InvalidOrderState:
        return InvalidOrderState(f"cannot {action} order {order.order_id}: {why}")

    # -- transitions and webhooks ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every order, balance, address, webhook and KYC record; restore the default rate table."""
        self.store.clear_state()
        with self.store.transaction() as connection:
            self.outbox.clear(connection)
            self.ledger.clear(connection)
            self.order_book.clear(connection)
            self.rate_table.restore_defaults(connection)
