"""``Emulator``: the domain backends composed over one store, as one object for the HTTP surfaces and tests.

Each backend owns its tables and its rules and holds no HTTP code (the map is in emulator/README.md): merchants
(``_merchants``), rates (``_rates``), the ledger (``_ledger``), the orders table (``_orders``), the webhook
outbox (``_outbox``), what happens to orders (``_lifecycle``), pay-ins (``_payins``) and payouts (``_payouts``).
Every method that changes state opens exactly one transaction, so an order, its ledger moves and its webhook
deliveries are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cpay_emulator._clock import Clock
from cpay_emulator._ledger import Ledger
from cpay_emulator._lifecycle import Lifecycle
from cpay_emulator._merchants import MerchantRegistry
from cpay_emulator._model import Merchant, Order
from cpay_emulator._orders import OrderBook
from cpay_emulator._outbox import Outbox
from cpay_emulator._payins import PayIns
from cpay_emulator._payouts import Payouts
from cpay_emulator._rates import RateTable
from cpay_emulator._store import Store

__all__ = ["DEFAULT_ORDER_TTL", "Emulator"]

DEFAULT_ORDER_TTL = 3600.0
"""Seconds a PENDING order waits for its payment before it expires (CLOSED). The C-Pay document gives no
figure; an hour is the payment window of common crypto checkouts (Binance Pay's default, Coinbase Commerce's)."""


class Emulator:
    """The emulator's state and every operation on it, each answered by the backend that owns it.

    The operations are the backends' own bound methods, taken once here (``emulator.pay`` is
    ``emulator.lifecycle.pay``), so a call through the front costs nothing on the request path. ``merchants``
    are created or updated at start. ``on_webhook`` is called (after commit) whenever deliveries were queued,
    so the delivery worker can wake. ``clock`` is where every time comes from (default: the system's);
    ``order_ttl`` the seconds before an unpaid order expires (``None``: never).
    """

    def __init__(
        self,
        store: Store,
        merchants: Iterable[Merchant] = (),
        *,
        on_webhook: Callable[[], None] | None = None,
        clock: Clock | None = None,
        order_ttl: float | None = DEFAULT_ORDER_TTL,
    ) -> None:
        self.store = store
        self.on_webhook = on_webhook
        self.clock = clock or Clock.real()
        self.merchant_registry = MerchantRegistry(store, merchants)
        self.rate_table = RateTable(store)
        self.outbox = Outbox(store, self.clock, on_webhook)
        self.ledger = Ledger(store, self.merchant_registry)
        self.order_book = OrderBook(store, self.merchant_registry, self.outbox, self.clock)
        self.lifecycle = Lifecycle(
            store,
            self.merchant_registry,
            self.ledger,
            self.order_book,
            self.outbox,
            clock=self.clock,
            order_ttl=order_ttl,
        )
        self.payins = PayIns(store, self.order_book, self.lifecycle, self.outbox)
        self.payouts = Payouts(store, self.order_book, self.ledger, self.rate_table, self.outbox)

        # Merchants and rates.
        self.merchant = self.merchant_registry.get
        self.merchants = self.merchant_registry.all
        self.save_merchant = self.merchant_registry.save
        self.prices = self.rate_table.prices
        self.set_prices = self.rate_table.set_prices
        self.exchange_rate = self.rate_table.exchange_rate
        self.quote = self.rate_table.quote
        # Balances and deposit addresses.
        self.wallet_addresses = self.ledger.wallet_addresses
        self.balances = self.ledger.balances
        self.balance = self.ledger.balance
        self.set_balance = self.ledger.set_balance
        # Orders: what the merchant creates (the C-Pay API)...
        self.create_payin = self.payins.create_payin
        self.create_card_order = self.payins.create_card_order
        self.create_pwpp = self.payins.create_pwpp
        self.submit_kyc = self.payins.submit_kyc
        self.create_payout = self.payouts.create_payout
        self.create_fiat_payout = self.payouts.create_fiat_payout
        self.exchange = self.payouts.exchange
        # ... what the customer, the chain or the back office does (control API, cashier page) ...
        self.pay = self.lifecycle.pay
        self.fail = self.lifecycle.fail
        self.close = self.lifecycle.close
        self.process = self.lifecycle.process
        self.complete = self.lifecycle.complete
        self.deposit = self.lifecycle.deposit
        self.expire_due = self.lifecycle.expire_due
        # ... and looking them up.
        self.order = self.order_book.get
        self.find_order = self.order_book.find
        self.orders = self.order_book.latest
        self.count_orders = self.order_book.count

    def advance(self, seconds: float, *, max_batches: int = 100) -> list[Order]:
        """Move the clock ``seconds`` forward and close the orders that expired meanwhile (returned).

        At most ``max_batches`` sweeps of 500 orders run here; ``serve``'s background sweep closes any rest.
        """
        self.clock.advance(seconds)
        expired: list[Order] = []
        for _ in range(max_batches):
            batch, complete = self.lifecycle.expire_due()
            expired.extend(batch)
            if complete:
                break
        return expired

    def reset(self) -> None:
        """Forget every order, balance, address, webhook, KYC record and stored card; restore the default rates.

        Merchants stay. One transaction: a reset is whole or not at all.
        """
        with self.store.transaction() as connection:
            self.outbox.clear(connection)
            self.order_book.clear(connection)
            self.ledger.clear(connection)
            self.payins.clear(connection)
            self.rate_table.restore_defaults(connection)
