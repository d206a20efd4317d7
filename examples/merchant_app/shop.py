"""A small Starlette shop that takes crypto and card payments through C-Pay: the integration to copy.

* ``POST /orders`` ``{"amount": "25.00", "method": "crypto"|"card"}`` records the shop's order, then asks C-Pay
  for a payment (``createOrder`` or ``createOrderByCreditCard``) under the shop's own order number as
  ``merchantTradeNo``, and answers the ``cashierURL`` the customer pays on.
* ``POST /cpay/webhook`` verifies C-Pay's notification with ``parse_webhook`` and moves the shop's order
  forward, once: a notification repeated, or one older than what the shop already knows, changes nothing.
* ``GET /orders/{id}`` shows the shop's order.

The C-Pay client is handed in (``create_client(...)`` in production, the pytest fixture's in tests), built with
``recover_lost_writes=True``: when C-Pay's answer to ``createOrder`` is lost, the client looks the order up by
its ``merchantTradeNo`` and raises ``RecoveredOrderError`` with it. The payment exists but its payment page
link was only in the lost answer, so the shop keeps the C-Pay order id (its webhooks still arrive and are
matched) and tells the customer to try again; the orphan payment expires unpaid.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from cpay import (
    BusinessError,
    CPayClient,
    OrderStatus,
    RecoveredOrderError,
    SecretKey,
    SignatureError,
    TransportError,
    WebhookEvent,
    WebhookPayloadError,
    parse_webhook,
    unwrap,
    webhook_reply,
)
from cpay_client.api.card_payments import create_order_by_credit_card
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderByCreditCardRequest, CreateOrderRequest

log = logging.getLogger("shop")

# How far each shop status is along; a notification never moves an order back (webhooks may come out of order).
PROGRESS = {"created": 0, "payment_link_lost": 0, "awaiting_payment": 1, "paying": 2, "paid": 3, "failed": 3}
BY_CPAY_STATUS = {
    OrderStatus.PENDING: "awaiting_payment",
    OrderStatus.PROCESSING: "paying",
    OrderStatus.COMPLETED: "paid",
    OrderStatus.CLOSED: "failed",
}


@attrs.define
class ShopOrder:
    """The shop's own record of an order."""

    order_id: str
    amount: Decimal
    method: str
    status: str = "created"
    cpay_order_id: str | None = None
    cashier_url: str | None = None
    received: Decimal | None = None
    failure: str | None = None
    fulfilled: int = 0  # how many times the goods were shipped: must end at 0 or 1

    def view(self) -> dict[str, Any]:
        return {
            "orderId": self.order_id,
            "status": self.status,
            "amount": str(self.amount),
            "cpayOrderId": self.cpay_order_id,
            "cashierURL": self.cashier_url,
            "received": None if self.received is None else str(self.received),
            "failure": self.failure,
            "fulfilled": self.fulfilled,
        }


class Shop:
    """The shop's orders (in memory here; a database in a real shop) and what happens to them."""

    def __init__(self) -> None:
        self.orders: dict[str, ShopOrder] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()  # webhooks and requests may come from different threads

    def new_order(self, amount: Decimal, method: str) -> ShopOrder:
        with self._lock:
            order = ShopOrder(order_id=f"shop-{next(self._numbers):06d}", amount=amount, method=method)
            self.orders[order.order_id] = order
            return order

    def apply(self, event: WebhookEvent) -> bool:
        """Move the order a notification is about forward; False when the shop does not know the order."""
        with self._lock:
            order = self.orders.get(event.merchant_trade_no or "")
            if order is None:
                return False
            status = BY_CPAY_STATUS.get(event.order_status)
            if status is None or PROGRESS[status] <= PROGRESS[order.status]:
                return True  # a repeat, an older status, or one this shop does not know: nothing to do
            order.cpay_order_id = order.cpay_order_id or event.order_id
            order.status = status
            if status == "paid":
                order.received = event.received_amount
                order.fulfilled += 1  # ship the goods: exactly once, because "paid" is reached once
            elif status == "failed":
                order.failure = (event.raw.get("extInfo") or "closed")[:200]
            return True


def create_shop(client: CPayClient, secret_key: SecretKey, *, webhook_url: str) -> Starlette:
    """The shop as an ASGI app; ``webhook_url`` is where C-Pay posts notifications (this app's /cpay/webhook)."""
    shop = Shop()

    async def place_order(request: Request) -> Response:
        try:
            form = await request.json()
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser's recursion limit
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        if not isinstance(form, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        try:
            amount = Decimal(str(form["amount"]))
        except (KeyError, InvalidOperation):
            return JSONResponse({"error": "amount must be a decimal string"}, status_code=422)
        method = form.get("method", "crypto")
        order = shop.new_order(amount, method)
        customer = str(form.get("customer", "guest"))
        common: dict[str, Any] = {"merchantTradeNo": order.order_id, "userId": customer, "amount": str(amount)}
        common["createTime"] = int(time.time() * 1000)
        try:
            if method == "card":
                products = json.dumps([{"name": "order", "price": str(amount), "num": "1", "currency": "USD"}])
                card_fields = {"currency": "USD", "products": products, "country": "US", "callBackURL": webhook_url}
                card_fields |= {"email": form.get("email", "buyer@example.com"), "ip": form.get("ip", "203.0.113.7")}
                card = CreateOrderByCreditCardRequest.from_dict({**common, **card_fields})
                created = unwrap(await create_order_by_credit_card.asyncio(client=client, body=card))
                order.cpay_order_id, order.cashier_url = created.order_id, created.cashier_url
            else:
                crypto_fields = {"cryptoCurrency": "USDT", "callBackURL": webhook_url}
                crypto = CreateOrderRequest.from_dict({**common, **crypto_fields})
                created_crypto = unwrap(await create_order.asyncio(client=client, body=crypto))
                order.cpay_order_id, order.cashier_url = created_crypto.order_id, created_crypto.cashier_url
        except RecoveredOrderError as lost:
            # C-Pay created the payment, but its answer (with the payment page) was lost. Keep the id: its
            # webhooks will be matched. The customer tries again; this payment expires unpaid.
            order.status, order.cpay_order_id = "payment_link_lost", lost.order.order_id
            return JSONResponse(order.view(), status_code=503)
        except BusinessError as refused:
            order.status, order.failure = "failed", f"{refused.code}: {refused.msg}"
            return JSONResponse(order.view(), status_code=402 if refused.code == 90751015 else 502)
        except TransportError:
            order.status, order.failure = "failed", "C-Pay could not be reached"
            return JSONResponse(order.view(), status_code=503)
        order.status = "awaiting_payment"
        return JSONResponse(order.view(), status_code=201)

    async def show_order(request: Request) -> Response:
        order = shop.orders.get(request.path_params["order_id"])
        if order is None:
            return JSONResponse({"error": "no such order"}, status_code=404)
        return JSONResponse(order.view())

    async def webhook(request: Request) -> Response:
        try:
            event = parse_webhook(await request.body(), request.headers.get("content-type", ""), secret_key)
        except (SignatureError, WebhookPayloadError) as error:
            log.warning("refused a webhook: %s", error)
            body, content_type = webhook_reply(False)
            return PlainTextResponse(body, status_code=400, media_type=content_type)
        body, content_type = webhook_reply(shop.apply(event))  # unknown order: FAIL, so C-Pay sends it again
        return PlainTextResponse(body, media_type=content_type)

    app = Starlette(
        routes=[
            Route("/orders", place_order, methods=["POST"]),
            Route("/orders/{order_id}", show_order, methods=["GET"]),
            Route("/cpay/webhook", webhook, methods=["POST"]),
        ]
    )
    app.state.shop = shop
    return app
