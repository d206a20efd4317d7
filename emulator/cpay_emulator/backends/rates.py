"""Exchange rates (the ``rates`` table): each currency's price in US dollars, and a pair's rate and quote."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from cpay_emulator.backends.money import precision_of, quantize_down
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import InvalidParameter, UnsupportedPair

__all__ = ["DEFAULT_USD_PRICES", "RateTable"]

DEFAULT_USD_PRICES: Mapping[str, Decimal] = {
    "USDT": Decimal(1),
    "USD": Decimal(1),
    "EUR": Decimal("1.08"),
    "BRL": Decimal("0.2"),
    "BTC": Decimal(40000),  # section 7's example: USDT -> BTC at 40000
    "ETH": Decimal(3000),
    "BNB": Decimal(300),
    "TRX": Decimal("0.1"),
}
"""The default rate table: the price of one unit of each currency in US dollars."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS rates (
    currency TEXT PRIMARY KEY,
    usd_price TEXT NOT NULL
);
"""

_RATE_EXPONENT = Decimal("1E-12")
_UPSERT = (
    "INSERT INTO rates (currency, usd_price) VALUES (?, ?) "
    "ON CONFLICT (currency) DO UPDATE SET usd_price = excluded.usd_price"
)


class RateTable:
    """The prices, held in memory and kept in the table; an empty table starts with ``DEFAULT_USD_PRICES``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.create_tables(SCHEMA)
        self._prices = {
            row["currency"]: Decimal(row["usd_price"]) for row in store.connection.execute("SELECT * FROM rates")
        }
        if not self._prices:
            self.set_prices(DEFAULT_USD_PRICES)

    def prices(self) -> dict[str, Decimal]:
        """The rate table: the US-dollar price of one unit of each currency."""
        return dict(self._prices)

    def set_prices(self, prices: Mapping[str, Decimal]) -> None:
        """Set (add or replace) the price of some currencies, in one transaction."""
        for currency, price in prices.items():
            if not (price.is_finite() and price > 0):
                raise InvalidParameter(f"rates.{currency}", "a price must be a positive decimal")
        with self.store.transaction() as connection:
            connection.executemany(_UPSERT, [(currency, str(price)) for currency, price in prices.items()])
        self._prices.update(prices)

    def restore_defaults(self, connection: sqlite3.Connection) -> None:
        """Replace every price by ``DEFAULT_USD_PRICES``, inside the caller's transaction (a reset)."""
        connection.execute("DELETE FROM rates")
        connection.executemany(_UPSERT, [(currency, str(price)) for currency, price in DEFAULT_USD_PRICES.items()])
        self._prices = dict(DEFAULT_USD_PRICES)

    def exchange_rate(self, source_currency: str, target_currency: str) -> Decimal:
        """How many ``source_currency`` buy one ``target_currency`` (document section 7: ``source:target = 1:rate``).

        The document's example: source USDT, target BTC, rate 40000.
        """
        source = self._prices.get(source_currency)
        target = self._prices.get(target_currency)
        if source is None or target is None or source_currency == target_currency:
            raise UnsupportedPair(
                f"no exchange rate for {source_currency}/{target_currency}; "
                f"currencies with a rate: {', '.join(sorted(self._prices))}",
            )
        return (target / source).quantize(_RATE_EXPONENT, rounding=ROUND_HALF_UP).normalize()

    def quote(self, source_currency: str, target_currency: str, purchase_type: int, amount: Decimal) -> Decimal:
        """The other side of a purchase (section 8's ``amountExchanged``).

        ``purchase_type`` 0: ``amount`` of the source currency is spent; the result is the target received.
        ``purchase_type`` 1: ``amount`` of the target currency is wanted; the result is the source to pay.
        """
        rate = self.exchange_rate(source_currency, target_currency)
        if purchase_type == 0:
            return quantize_down(amount / rate, target_currency)
        return (amount * rate).quantize(precision_of(source_currency), rounding=ROUND_HALF_UP)
