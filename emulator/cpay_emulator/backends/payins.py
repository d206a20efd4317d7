"""Pay-ins: crypto orders (createOrder), card orders (createOrderByCreditCard), host-to-host card charges
(pwpp) with the cards they store, and the KYC records of card payers (submitKYC).

Owns the ``kyc_records`` and ``stored_cards`` tables; the orders go to the order book. What happens once a
pay-in is paid or failed is the lifecycle's.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cpay import OrderStatus
from cpay_emulator.backends.lifecycle import Lifecycle
from cpay_emulator.backends.model import Merchant, NewOrder, Order, OrderKind
from cpay_emulator.backends.money import CRYPTO_CURRENCIES, FIAT_CURRENCIES, quantize_down, unsupported_currency
from cpay_emulator.backends.networks import default_network
from cpay_emulator.backends.orders import OrderBook
from cpay_emulator.backends.outbox import Outbox
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import CardDeclined, CreateOrderFailed, InvalidAmount

__all__ = ["PayIns"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS kyc_records (
    merchant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    data TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, user_id)
);
CREATE TABLE IF NOT EXISTS stored_cards (
    cc_storage_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    last4 TEXT NOT NULL,
    expiry TEXT NOT NULL
);
"""

_CARD_CHARGE_CURRENCIES = ("USD", "EUR")  # section 12
_DECLINED_CARD_SUFFIX = "0002"  # like Stripe's 4000 0000 0000 0002
_THREE_DS_CARD_SUFFIX = "3220"  # like Stripe's 4000 0000 0000 3220


class PayIns:
    """Creates the orders through which customers pay merchants."""

    def __init__(self, store: Store, order_book: OrderBook, lifecycle: Lifecycle, outbox: Outbox) -> None:
        self.store = store
        self.order_book = order_book
        self.lifecycle = lifecycle
        self.outbox = outbox
        store.create_tables(SCHEMA)

    def create_payin(self, merchant: Merchant, new: NewOrder, *, currency: str, amount: Decimal) -> Order:
        """createOrder (section 13): a PENDING crypto order the customer pays through the cashier page."""
        if currency not in CRYPTO_CURRENCIES:
            raise unsupported_currency("cryptoCurrency", currency, CRYPTO_CURRENCIES)
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
        if currency not in FIAT_CURRENCIES:
            raise unsupported_currency("currency", currency, FIAT_CURRENCIES)
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
        approved at once (PENDING -> PROCESSING -> COMPLETED, with a webhook for each change). A card whose
        ``expDate`` (``MM/YY``, valid through the end of that month) is past in the emulator's time, given or
        stored, gets CREATE_ORDER_FAIL and no order, as the vendor's later documentation answers a charge the
        acquirer will not open.
        """
        if currency not in _CARD_CHARGE_CURRENCIES:
            raise unsupported_currency("currency", currency, _CARD_CHARGE_CURRENCIES)
        amount = quantize_down(amount, currency)  # "higher precision rounds down" (section 12)
        if amount <= 0:
            raise InvalidAmount("amount", "must be at least 0.01 after rounding down to 2 decimals")
        if cc_storage_id:
            row = self.store.connection.execute(
                "SELECT last4, expiry FROM stored_cards WHERE cc_storage_id = ? AND merchant_id = ? AND user_id = ?",
                (cc_storage_id, merchant.merchant_id, new.user_id),
            ).fetchone()
            if row is None:  # the acquirer declines a charge of a card it does not hold
                raise CardDeclined("pay fail: no card of this user is stored under this ccStorageID")
            last4, card_expiry = row["last4"], row["expiry"]
        else:
            last4, card_expiry = card_number[-4:], expiry
        if _has_expired(card_expiry, self.order_book.clock.now_ms()):
            self.order_book.check_trade_no_free(merchant.merchant_id, new.merchant_trade_no)
            raise CreateOrderFailed(f"the card expired at the end of {card_expiry}")
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
                stored_id = self.order_book.ids.order_id(self.order_book.clock.now_ms())
                connection.execute(
                    "INSERT INTO stored_cards VALUES (?, ?, ?, ?, ?)",
                    (stored_id, merchant.merchant_id, new.user_id, last4, expiry),
                )
            if last4 != _THREE_DS_CARD_SUFFIX:
                order = self.lifecycle.receive_payment(connection, order, amount=amount, network=None, hash_text=None)
        self.outbox.notify()
        return order, stored_id

    def submit_kyc(self, merchant: Merchant, records: list[dict[str, Any]]) -> int:
        """submitKYC (section 11): store each user's record (a later one replaces it); returns how many."""
        now = self.order_book.clock.now_ms()
        with self.store.transaction() as connection:
            connection.executemany(
                "INSERT INTO kyc_records VALUES (?, ?, ?, ?) ON CONFLICT (merchant_id, user_id) "
                "DO UPDATE SET data = excluded.data, submitted_at = excluded.submitted_at",
                [(merchant.merchant_id, str(record["userId"]), json.dumps(record), now) for record in records],
            )
        return len(records)

    def clear(self, connection: sqlite3.Connection) -> None:
        """Forget every KYC record and stored card, inside the caller's transaction (a reset)."""
        connection.execute("DELETE FROM kyc_records")
        connection.execute("DELETE FROM stored_cards")


def _has_expired(expiry: str, now_ms: int) -> bool:
    """Whether a card valid through the end of month ``MM/YY`` has expired at ``now_ms`` (UTC)."""
    month_text, _, year_text = expiry.partition("/")
    if not (month_text.isdigit() and year_text.isdigit() and 1 <= int(month_text) <= 12):
        return False  # the spec's pattern has refused it already; a stored card keeps what was valid
    year, month = 2000 + int(year_text), int(month_text)
    first_of_next = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=datetime.UTC)
    return now_ms >= first_of_next.timestamp() * 1000
