"""The merchants the emulator serves (the ``merchants`` table): ids, secret keys, callback URLs, fee rates and
IP allowlists."""

from __future__ import annotations

import json
from collections.abc import Iterable

from cpay import SecretKey
from cpay_emulator.backends.model import FeeRates, Merchant
from cpay_emulator.backends.store import Store
from cpay_emulator.shared.errors import UnknownMerchant

__all__ = ["MerchantRegistry"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS merchants (
    merchant_id TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    callback_url TEXT NOT NULL DEFAULT '',
    webhook_format TEXT NOT NULL DEFAULT 'json',
    fee_rates TEXT NOT NULL DEFAULT '{}',
    ip_allowlist TEXT NOT NULL DEFAULT '[]'
);
"""


class MerchantRegistry:
    """Every merchant, held in memory (a request finds its merchant without a query) and kept in the table.

    The ``configured`` merchants are created or updated at start; merchants saved before stay.
    """

    def __init__(self, store: Store, configured: Iterable[Merchant] = ()) -> None:
        self.store = store
        self._by_id: dict[str, Merchant] = {}
        store.create_tables(SCHEMA)
        columns = {row["name"] for row in store.connection.execute("PRAGMA table_info(merchants)")}
        if "ip_allowlist" not in columns:  # a database file written before the allowlist existed
            store.create_tables("ALTER TABLE merchants ADD COLUMN ip_allowlist TEXT NOT NULL DEFAULT '[]';")
        for merchant in configured:
            self.save(merchant)
        for row in store.connection.execute("SELECT * FROM merchants"):
            self._by_id[row["merchant_id"]] = Merchant(
                merchant_id=row["merchant_id"],
                secret_key=SecretKey(row["secret_key"]),
                callback_url=row["callback_url"],
                webhook_format=row["webhook_format"],
                fee_rates=FeeRates.from_mapping(json.loads(row["fee_rates"])),
                ip_allowlist=json.loads(row["ip_allowlist"]),
            )

    def get(self, merchant_id: str) -> Merchant | None:
        """The merchant with this id, from memory (no query on the request path)."""
        return self._by_id.get(merchant_id)

    def require(self, merchant_id: str) -> Merchant:
        """The merchant with this id, or UnknownMerchant."""
        merchant = self._by_id.get(merchant_id)
        if merchant is None:
            raise UnknownMerchant(f"unknown merchant {merchant_id!r}")
        return merchant

    def all(self) -> list[Merchant]:
        """Every merchant, sorted by id."""
        return [self._by_id[key] for key in sorted(self._by_id)]

    def save(self, merchant: Merchant) -> None:
        """Create or replace a merchant (its orders and balances stay)."""
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO merchants "
                "(merchant_id, secret_key, callback_url, webhook_format, fee_rates, ip_allowlist) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id) DO UPDATE SET secret_key = excluded.secret_key, "
                "callback_url = excluded.callback_url, webhook_format = excluded.webhook_format, "
                "fee_rates = excluded.fee_rates, ip_allowlist = excluded.ip_allowlist",
                (
                    merchant.merchant_id,
                    merchant.secret_key.reveal(),
                    merchant.callback_url,
                    merchant.webhook_format,
                    merchant.fee_rates.to_json(),
                    json.dumps([str(network) for network in merchant.ip_allowlist]),
                ),
            )
        self._by_id[merchant.merchant_id] = merchant
