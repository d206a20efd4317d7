"""``Emulator``: the domain backends composed over one store, as one object for the HTTP surfaces and tests.

Each backend owns its tables and its rules and holds no HTTP code (the map is in emulator/README.md): merchants
(``backends.merchants``), rates (``backends.rates``), the ledger (``backends.ledger``), the orders table
(``backends.orders``), the webhook outbox (``backends.outbox``), what happens to orders (``backends.lifecycle``),
pay-ins (``backends.payins``) and payouts (``backends.payouts``). Every method that changes state opens exactly one
transaction, so an order, its ledger moves and its webhook deliveries are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.ids import IdSource
from cpay_emulator.backends.ledger import Ledger
from cpay_emulator.backends.lifecycle import Lifecycle
from cpay_emulator.backends.merchants import MerchantRegistry
from cpay_emulator.backends.model import Merchant, Order, WebhookSettings
from cpay_emulator.backends.orders import OrderBook
from cpay_emulator.backends.outbox import Outbox
from cpay_emulator.backends.payins import PayIns
from cpay_emulator.backends.payouts import Payouts
from cpay_emulator.backends.rates import RateTable
from cpay_emulator.backends.store import Store

__all__ = ["DEFAULT_ORDER_TTL", "Emulator"]

DEFAULT_ORDER_TTL = 3600.0
"""Seconds a PENDING order waits for its payment before it expires (CLOSED). The C-Pay document gives no
figure; an hour is the payment window of common crypto checkouts (Binance Pay's default, Coinbase Commerce's)."""


class Emulator:
    """The emulator's state: the backends over one store, each answering the operations it owns.

    Callers name the backend (``emulator.lifecycle.pay``, ``emulator.payins.create_payin``,
    ``emulator.order_book.get``): ``merchant_registry``, ``rate_table``, ``ledger``, ``order_book``,
    ``outbox``, ``lifecycle``, ``payins`` and ``payouts``. Only what spans backends is a method here
    (``advance``, ``reset``). ``merchants`` are created or updated at start. ``on_webhook`` is called (after
    commit) whenever deliveries were queued, so the delivery worker can wake. ``clock`` is where every time
    comes from (default: the system's); ``order_ttl`` the seconds before an unpaid order expires (``None``:
    never). ``seed`` seeds ``ids``, the emulator's own ``IdSource``: with a frozen clock, the same seed and the
    same calls give the same order ids, trace ids and transaction hashes (``None``: seeded by the system).
    ``webhook_settings``: which changes are notified, in which types, and on which schedule (``outbox.settings``).
    """

    def __init__(
        self,
        store: Store,
        merchants: Iterable[Merchant] = (),
        *,
        on_webhook: Callable[[], None] | None = None,
        clock: Clock | None = None,
        order_ttl: float | None = DEFAULT_ORDER_TTL,
        seed: int | str | None = None,
        webhook_settings: WebhookSettings | None = None,
    ) -> None:
        self.store = store
        self.on_webhook = on_webhook
        self.clock = clock or Clock.real()
        self.ids = IdSource(seed)
        self.merchant_registry = MerchantRegistry(store, merchants)
        self.rate_table = RateTable(store)
        self.outbox = Outbox(store, self.clock, on_webhook, webhook_settings)
        self.ledger = Ledger(store, self.merchant_registry)
        self.order_book = OrderBook(store, self.merchant_registry, self.outbox, self.clock, self.ids)
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
