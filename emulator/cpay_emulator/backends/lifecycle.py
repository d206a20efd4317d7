"""What the customer, the chain or C-Pay's back office does to an order: pay, fail, close, process, complete,
deposits arriving at a user's address, and orders left unpaid expiring.

Each is one transaction: the order's changes, its ledger moves and a webhook for each status change, all or
nothing. The control API and the cashier page call these; pwpp's approved cards are paid through
``receive_payment`` inside their creation's transaction.

Expiry: an order still PENDING ``order_ttl`` seconds after its creation (by the emulator's clock) is closed
like ``fail`` (CLOSED, "15", with its webhook; a payout's frozen funds released). ``expire_due`` reads the
orders created up to the cutoff as a range of the primary key (an order id begins with its creation second)
from a watermark below which no order is PENDING, so a sweep reads each order about once and its insert path
pays for no extra index.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

from cpay import FINAL_ORDER_STATUSES, OrderStatus
from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.ids import stamp_of
from cpay_emulator.backends.ledger import Ledger
from cpay_emulator.backends.merchants import MerchantRegistry
from cpay_emulator.backends.model import Order, OrderKind
from cpay_emulator.backends.money import fee_of
from cpay_emulator.backends.networks import network_named
from cpay_emulator.backends.orders import OrderBook
from cpay_emulator.backends.outbox import Outbox
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import InvalidOrderState, InvalidParameter, OrderNotFound, UnsupportedNetwork

__all__ = ["EXPIRED_REASON", "Lifecycle"]

EXPIRED_REASON = "Order expired"


def _refused(order: Order, action: str, why: str) -> InvalidOrderState:
    return InvalidOrderState(f"cannot {action} order {order.order_id}: {why}")


class Lifecycle:
    """The transitions of orders after their creation, with their ledger moves."""

    def __init__(
        self,
        store: Store,
        merchants: MerchantRegistry,
        ledger: Ledger,
        order_book: OrderBook,
        outbox: Outbox,
        *,
        clock: Clock,
        order_ttl: float | None,
    ) -> None:
        if order_ttl is not None and not order_ttl >= 1:
            raise ValueError(f"order_ttl must be at least 1 second, or None for no expiry, not {order_ttl!r}")
        self.store = store
        self.merchants = merchants
        self.ledger = ledger
        self.order_book = order_book
        self.outbox = outbox
        self.clock = clock
        self.order_ttl = order_ttl
        self._expiry_watermark = ""  # every order with a smaller id is no longer PENDING

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
            order = self.receive_payment(
                connection, self.order_book.get(order_id), amount=amount, network=network, hash_text=hash
            )
        self.outbox.notify()
        return order

    def receive_payment(
        self,
        connection: sqlite3.Connection,
        order: Order,
        *,
        amount: Decimal | None,
        network: str | None,
        hash_text: str | None,
    ) -> Order:
        """A payment of ``order`` arrives, inside the caller's transaction (``pay``, and pwpp's approved cards)."""
        if not order.kind.is_payin:
            raise _refused(order, "pay", "only pay-in orders (createOrder, card, pwpp) are paid")
        if order.status in FINAL_ORDER_STATUSES:
            raise _refused(order, "pay", f"the order is already {order.status.name}")
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
            changes["hash"] = hash_text or chain.transaction_hash(self.order_book.ids.transaction_digest())
        if order.status is OrderStatus.PENDING:
            order = self.order_book.transition(connection, order, OrderStatus.PROCESSING, **changes)
            changes = {}
        elif changes:
            order = self.order_book.update(connection, order, **changes)
            changes = {}
        if order.actual_amount >= order.order_amount:
            merchant = self.merchants.require(order.merchant_id)
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
            order = self.order_book.get(order_id)
            if order.status in FINAL_ORDER_STATUSES:
                raise _refused(order, "fail", f"the order is already {order.status.name}")
            order = self._close(connection, order, reason)
        self.outbox.notify()
        return order

    def _close(self, connection: sqlite3.Connection, order: Order, reason: str) -> Order:
        if order.kind.is_payout:
            self.ledger.move(
                connection, order.merchant_id, order.currency, available=order.order_amount, frozen=-order.order_amount
            )
        ext_info = json.dumps({"reason": reason, "sceneTag": "Emulator"}, separators=(",", ":"))
        return self.order_book.transition(connection, order, OrderStatus.CLOSED, ext_info=ext_info)

    def expire_due(self, *, limit: int = 500) -> tuple[list[Order], bool]:
        """Close the orders still PENDING ``order_ttl`` seconds after their creation, reading at most ``limit``.

        Returns the orders closed and whether the sweep is complete (False: call again for the rest).
        """
        if self.order_ttl is None:
            return [], True
        cutoff = self.clock.now_ms() - round(self.order_ttl * 1000)
        # Ids of every second up to the cutoff's sort below the first id of the second after it.
        orders = self.order_book.created_before(self._expiry_watermark, stamp_of(cutoff + 1000), limit)
        expired: list[Order] = []
        complete = len(orders) < limit
        watermark = self._expiry_watermark
        with self.store.transaction() as connection:
            for order in orders:
                if order.status is OrderStatus.PENDING:
                    if order.created_at > cutoff:  # created in the cutoff's second, after it: not yet
                        complete = True
                        break
                    expired.append(self._close(connection, order, EXPIRED_REASON))
                watermark = order.order_id
        self._expiry_watermark = watermark  # only once the closes are in: a failed batch is read again
        self.outbox.notify()
        return expired, complete

    def close(self, order_id: str, *, reason: str = "Closed") -> Order:
        """Close an order that is not final (payouts: the funds are released). Same as ``fail``."""
        return self.fail(order_id, reason=reason)

    def process(self, order_id: str) -> Order:
        """PENDING -> PROCESSING without completing (a payout broadcast, a card awaiting its acquirer)."""
        with self.store.transaction() as connection:
            order = self.order_book.get(order_id)
            if order.status is not OrderStatus.PENDING:
                raise _refused(order, "process", "only a PENDING order can start processing")
            order = self.order_book.transition(connection, order, OrderStatus.PROCESSING)
        self.outbox.notify()
        return order

    def complete(self, order_id: str, *, hash: str | None = None) -> Order:
        """Complete a payout (the frozen amount is debited) or a deposit waiting for confirmations.

        A PENDING payout passes through PROCESSING, with a webhook for each change.
        """
        with self.store.transaction() as connection:
            order = self.order_book.get(order_id)
            if order.status in FINAL_ORDER_STATUSES:
                raise _refused(order, "complete", f"the order is already {order.status.name}")
            if order.kind.is_payin:
                order = self.receive_payment(connection, order, amount=None, network=None, hash_text=hash)
            elif order.kind is OrderKind.DEPOSIT:
                self.ledger.move(connection, order.merchant_id, order.currency, available=order.received_amount)
                order = self.order_book.transition(connection, order, OrderStatus.COMPLETED)
            elif order.kind.is_payout:
                if order.status is OrderStatus.PENDING:
                    order = self.order_book.transition(connection, order, OrderStatus.PROCESSING)
                self.ledger.move(connection, order.merchant_id, order.currency, frozen=-order.order_amount)
                changes: dict[str, Any] = {"actual_amount": order.received_amount}
                if order.kind is OrderKind.PAYOUT:
                    chain = network_named(order.network)
                    changes["hash"] = hash or chain.transaction_hash(self.order_book.ids.transaction_digest())
                order = self.order_book.transition(connection, order, OrderStatus.COMPLETED, **changes)
            else:
                raise _refused(order, "complete", f"{order.kind} orders complete on creation")
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
        merchant = self.merchants.require(merchant_id)
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
                hash=hash or network.transaction_hash(self.order_book.ids.transaction_digest()),
            )
            if confirmed:
                self.ledger.move(connection, order.merchant_id, currency, available=order.received_amount)
                order = self.order_book.transition(connection, order, OrderStatus.COMPLETED)
        self.outbox.notify()
        return order
