"""Use the generated C-Pay client: balances, a crypto pay-in order, its status, business errors, async.

Run it against the emulator or the sandbox (the secret key comes from the environment, never from code):

    CPAY_MERCHANT_ID=... CPAY_SECRET_KEY=... .venv/bin/python examples/use_client.py http://127.0.0.1:8000

It is also the program that ``tests/client/test_typing.py`` type-checks with ``mypy --strict``, together with
the whole generated package it imports.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from decimal import Decimal

from cpay import FINAL_ORDER_STATUSES, BusinessError, CPayError, create_client, unwrap
from cpay_client import Client
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.orders import get_order_detail
from cpay_client.models import CreateOrderRequest, CreateOrderRequestCryptoCurrency, CryptoOrder, OrderStatus


def available_balances(client: Client) -> dict[str, Decimal]:
    """The merchant's available balance per currency, as exact decimals (amounts travel as strings)."""
    balances = unwrap(get_merchant_balance.sync(client=client))
    return {balance.crypto_currency: Decimal(balance.available_balance) for balance in balances}


def create_usdt_order(client: Client, merchant_trade_no: str, user_id: str, amount: Decimal) -> CryptoOrder:
    """A pay-in order on C-Pay's cashier page; send the user to the returned ``cashier_url``."""
    request = CreateOrderRequest(
        merchant_trade_no=merchant_trade_no,
        create_time=int(time.time() * 1000),
        user_id=user_id,
        amount=f"{amount:f}",  # never a float: "3.10" stays "3.10" on the wire and in the signature
        crypto_currency=CreateOrderRequestCryptoCurrency.USDT,
    )
    return unwrap(create_order.sync(client=client, body=request))


def order_status(client: Client, order_id: str) -> OrderStatus:
    """The order's status; a value newer than this client is an ``OrderStatus`` named ``UNKNOWN``."""
    return unwrap(get_order_detail.sync(client=client, cpay_order_id=order_id)).status


async def currencies_held(client: Client) -> list[str]:
    """The async functions mirror the sync ones (``asyncio`` / ``asyncio_detailed``)."""
    balances = unwrap(await get_merchant_balance.asyncio(client=client))
    return sorted(balance.crypto_currency for balance in balances if Decimal(balance.available_balance) > 0)


async def print_currencies_held(client: Client) -> None:
    async with client:  # opens and closes the client's httpx.AsyncClient
        print("held:", await currencies_held(client))


def main(argv: list[str]) -> int:
    base_url = argv[1] if len(argv) > 1 else "sandbox"
    client = create_client(
        base_url, merchant_id=os.environ["CPAY_MERCHANT_ID"], secret_key=os.environ["CPAY_SECRET_KEY"]
    )
    try:
        with client:
            print("available:", available_balances(client))
            order = create_usdt_order(client, f"example-{int(time.time())}", "example-user", Decimal("3.10"))
            print("pay at:", order.cashier_url)
            status = order_status(client, order.order_id)
            print("status:", status.name, "(final)" if status in FINAL_ORDER_STATUSES else "")
        asyncio.run(print_currencies_held(client))
    except BusinessError as error:  # HTTP 200 with code != 0: the API refused the operation
        print(f"C-Pay refused: code {error.code}, {error.msg} (traceid {error.traceid})", file=sys.stderr)
        return 1
    except CPayError as error:  # the network, or an answer that is not the documented envelope
        print(f"C-Pay call failed: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
