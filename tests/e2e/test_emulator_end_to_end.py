"""End to end over real sockets: the generated client against ``cpay-emulator serve``, webhooks to a receiver.

Create an order with ``cpay_client``, pay it through the control API, receive both signed webhooks
(PROCESSING, COMPLETED) on a local HTTP receiver that verifies them with ``cpay.parse_webhook``, read
the completed order back and see the merchant's balance change by the amount less the fee.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_process import EmulatorProcess

from cpay import SecretKey, WebhookEvent, create_client, parse_webhook, unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.orders import get_order_detail
from cpay_client.models import CreateOrderRequest, CreateOrderRequestCryptoCurrency, OrderStatus

MERCHANT_ID = "20003092"
SECRET_KEY = SecretKey("end-to-end-secret")


class VerifyingReceiver:
    """The merchant's webhook endpoint: verifies each notification with the signing plugin, answers OK."""

    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []
        self.refused: list[str] = []
        events, refused = self.events, self.refused

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                try:
                    events.append(parse_webhook(body, self.headers["content-type"], SECRET_KEY))
                    reply, status = b"OK", 200
                except Exception as error:  # a test double: record whatever went wrong
                    refused.append(repr(error))
                    reply, status = b"FAIL", 400
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cpay/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[VerifyingReceiver]:
    server = VerifyingReceiver()
    yield server
    server.close()


@pytest.fixture
def emulator_url(tmp_path: Path, receiver: VerifyingReceiver) -> Iterator[str]:
    merchant = f"{MERCHANT_ID}:{SECRET_KEY.reveal()}:{receiver.url}"
    arguments = ("--db", str(tmp_path / "e2e.db"), "--merchant", merchant, "--webhook-schedule", "0,0.1,0.1", "--quiet")
    with EmulatorProcess(*arguments) as emulator:
        yield emulator.base_url


def usdt_available(client: Any) -> Decimal:
    balances = unwrap(get_merchant_balance.sync(client=client))
    return Decimal(next(b.available_balance for b in balances if b.crypto_currency == "USDT"))


def test_order_paid_on_the_emulator_reaches_the_merchant_signed(emulator_url: str, receiver: VerifyingReceiver) -> None:
    with create_client(base_url=emulator_url, merchant_id=MERCHANT_ID, secret_key=SECRET_KEY) as client:
        before = usdt_available(client)
        request = CreateOrderRequest(
            merchant_trade_no="e2e-order-1",
            create_time=int(time.time() * 1000),
            user_id="customer-42",
            amount="25",
            crypto_currency=CreateOrderRequestCryptoCurrency.USDT,
        )
        order = unwrap(create_order.sync(client=client, body=request))
        assert order.status == OrderStatus.PENDING
        assert order.cashier_url.startswith(f"{emulator_url}/cashier/payment?orderId={order.order_id}")

        paid = httpx.post(f"{emulator_url}/_emulator/orders/{order.order_id}/pay", json={}, timeout=10)
        assert paid.json()["data"]["status"] == "14"

        deadline = time.monotonic() + 15
        while not receiver.events and time.monotonic() < deadline:
            time.sleep(0.02)
        assert receiver.refused == []
        # Only the final state is notified, as C-Pay does; the payment's PROCESSING step is not.
        assert [(e.order_id, e.order_status) for e in receiver.events] == [(order.order_id, "14")]
        completed = receiver.events[0]
        assert (completed.merchant_trade_no, completed.actual_amount) == ("e2e-order-1", Decimal("25"))
        assert completed.received_amount is not None
        assert completed.fee is not None
        assert completed.received_amount + completed.fee == Decimal("25")

        detail = unwrap(get_order_detail.sync(client=client, merchant_trade_no="e2e-order-1"))
        assert (detail.order_id, detail.status) == (order.order_id, OrderStatus.COMPLETED)
        assert detail.actual_amount == "25"
        assert usdt_available(client) - before == completed.received_amount
