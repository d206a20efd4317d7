"""The ledger (the ``balances`` and ``addresses`` tables): what each merchant holds, and its users' addresses.

A balance has an available and a frozen side per currency. Orders move money with ``move`` inside their own
transaction: a payout freezes, then debits or releases; a pay-in or deposit credits; an exchange debits one
currency and credits another. The deposit addresses handed out by getWalletAddress are kept so a deposit to
one can be traced back to its user.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from cpay_emulator.backends.merchants import MerchantRegistry
from cpay_emulator.backends.model import Balance
from cpay_emulator.backends.money import CRYPTO_CURRENCIES, FIAT_CURRENCIES, ZERO, format_amount
from cpay_emulator.backends.networks import NETWORKS, address_for
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import InsufficientBalance, InvalidParameter

__all__ = ["AddressHolder", "Ledger"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS addresses (
    merchant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    network TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (merchant_id, user_id, network)
);
CREATE INDEX IF NOT EXISTS addresses_by_address ON addresses (address);
CREATE TABLE IF NOT EXISTS balances (
    merchant_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    available TEXT NOT NULL DEFAULT '0',
    frozen TEXT NOT NULL DEFAULT '0',
    PRIMARY KEY (merchant_id, currency)
);
"""

AddressHolder = tuple[str, str, list[str]]
"""``(merchant_id, user_id, networks)`` of a deposit address: whose it is, and the networks it was given for."""


class Ledger:
    """Balances and deposit addresses of the merchants in ``merchants``."""

    def __init__(self, store: Store, merchants: MerchantRegistry) -> None:
        self.store = store
        self.merchants = merchants
        store.create_tables(SCHEMA)

    # -- deposit addresses -----------------------------------------------------------------------------------

    def wallet_addresses(self, merchant_id: str, user_id: str) -> list[tuple[str, str, str]]:
        """``(currency, network, address)`` for every coin of every network: the user's deposit addresses."""
        self.merchants.require(merchant_id)
        entries: list[tuple[str, str, str]] = []
        rows: list[tuple[str, str, str, str]] = []
        for network in NETWORKS:
            address = address_for(merchant_id, user_id, network)
            rows.append((merchant_id, user_id, network.name, address))
            entries.extend((currency, network.name, address) for currency in network.currencies)
        known = self.store.connection.execute(
            "SELECT COUNT(*) FROM addresses WHERE merchant_id = ? AND user_id = ?", (merchant_id, user_id)
        ).fetchone()[0]
        if known < len(rows):
            with self.store.transaction() as connection:
                connection.executemany("INSERT OR IGNORE INTO addresses VALUES (?, ?, ?, ?)", rows)
        return entries

    def address_holder(self, address: str) -> AddressHolder | None:
        """Who was given ``address`` and on which networks, or None when getWalletAddress never handed it out."""
        connection = self.store.connection
        row = connection.execute(
            "SELECT merchant_id, user_id, network FROM addresses WHERE address = ? ORDER BY network LIMIT 1", (address,)
        ).fetchone()
        if row is None:
            return None
        networks = [
            r["network"] for r in connection.execute("SELECT network FROM addresses WHERE address = ?", (address,))
        ]
        return row["merchant_id"], row["user_id"], networks

    # -- balances --------------------------------------------------------------------------------------------

    def balances(self, merchant_id: str) -> list[Balance]:
        """Every supported currency's balance (zero when never touched), then any other currency held."""
        self.merchants.require(merchant_id)
        held = {
            row["currency"]: Balance(row["currency"], Decimal(row["available"]), Decimal(row["frozen"]))
            for row in self.store.connection.execute("SELECT * FROM balances WHERE merchant_id = ?", (merchant_id,))
        }
        currencies = list(CRYPTO_CURRENCIES + FIAT_CURRENCIES) + sorted(
            set(held) - set(CRYPTO_CURRENCIES + FIAT_CURRENCIES)
        )
        return [held.get(currency, Balance(currency, ZERO, ZERO)) for currency in currencies]

    def balance(self, merchant_id: str, currency: str) -> Balance:
        """One currency of the merchant's balance."""
        row = self.store.connection.execute(
            "SELECT available, frozen FROM balances WHERE merchant_id = ? AND currency = ?", (merchant_id, currency)
        ).fetchone()
        if row is None:
            return Balance(currency, ZERO, ZERO)
        return Balance(currency, Decimal(row["available"]), Decimal(row["frozen"]))

    def set_balance(self, merchant_id: str, currency: str, available: Decimal, frozen: Decimal = ZERO) -> Balance:
        """Overwrite one currency of a merchant's balance (control API)."""
        self.merchants.require(merchant_id)
        if available < 0 or frozen < 0 or not (available.is_finite() and frozen.is_finite()):
            raise InvalidParameter("balance", "available and frozen must be finite and not negative")
        with self.store.transaction() as connection:
            self._write(connection, merchant_id, currency, available, frozen)
        return Balance(currency, available, frozen)

    def move(
        self,
        connection: sqlite3.Connection,
        merchant_id: str,
        currency: str,
        *,
        available: Decimal = ZERO,
        frozen: Decimal = ZERO,
    ) -> None:
        """Add ``available`` and ``frozen`` (either may be negative) to a balance; no side may go below zero."""
        balance = self.balance(merchant_id, currency)
        new_available = balance.available + available
        new_frozen = balance.frozen + frozen
        if new_available < 0:
            raise InsufficientBalance(
                f"insufficient balance: {format_amount(-available)} {currency} needed, "
                f"{format_amount(balance.available)} {currency} available"
            )
        if new_frozen < 0:  # a bug in a transition, not a merchant error: refuse rather than corrupt the ledger
            raise RuntimeError(f"frozen balance of {currency} would go negative")
        self._write(connection, merchant_id, currency, new_available, new_frozen)

    def _write(
        self, connection: sqlite3.Connection, merchant_id: str, currency: str, available: Decimal, frozen: Decimal
    ) -> None:
        connection.execute(
            "INSERT INTO balances (merchant_id, currency, available, frozen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (merchant_id, currency) DO UPDATE SET available = excluded.available, "
            "frozen = excluded.frozen",
            (merchant_id, currency, format_amount(available), format_amount(frozen)),
        )

    def clear(self, connection: sqlite3.Connection) -> None:
        """Forget every balance and handed-out address, inside the caller's transaction (a reset)."""
        connection.execute("DELETE FROM balances")
        connection.execute("DELETE FROM addresses")
