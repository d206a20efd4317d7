"""Helpers for the tests of the pytest plugin, the clock and the faults: orders made through the signed client."""

from __future__ import annotations

from typing import Any

from cpay import unwrap
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderRequest
from cpay_emulator.testing import CPayEmulator


def new_order(emulator: CPayEmulator, merchant_trade_no: str, amount: str = "10", client: Any = None) -> str:
    """A crypto pay-in order created through ``client`` (default: the fixture's); returns its id."""
    body = CreateOrderRequest.from_dict(
        {
            "merchantTradeNo": merchant_trade_no,
            "createTime": emulator.now_ms(),
            "userId": "user-1",
            "amount": amount,
            "cryptoCurrency": "USDT",
        }
    )
    order = unwrap(create_order.sync(client=client or emulator.client, body=body))
    return str(order.order_id)
