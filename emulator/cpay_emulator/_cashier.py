"""The cashier page ``cashierURL`` points at: a person (or a browser test) pays or fails the order there.

It stands in for C-Pay's hosted cashier (``https://cashier.cpay.ltd/payment?orderId=...&sign=...`` in section
13's example). The buttons call the same service functions as the control API (``Emulator.pay`` and
``Emulator.fail``). The ``sign`` in the URL is the merchant's signature of ``orderId``, so an order id alone
does not open the page.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from cpay_emulator._errors import EmulatorError
from cpay_emulator._model import Merchant, Order, OrderKind
from cpay_emulator._money import format_amount
from cpay_emulator._service import Emulator
from cpay_signing import compute_sign, verify_sign

__all__ = ["CASHIER_PATH", "cashier_routes", "cashier_url"]

CASHIER_PATH = "/cashier/payment"


def cashier_url(base_url: str, order: Order, merchant: Merchant) -> str:
    """The page where the customer pays ``order``: ``<base>/cashier/payment?orderId=<id>&sign=<sign>``."""
    sign = compute_sign({"orderId": order.order_id}, merchant.secret_key)
    return f"{base_url}{CASHIER_PATH}?orderId={quote(order.order_id)}&sign={sign}"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}"
        "button{font-size:1.1rem;margin:.5rem}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def _with_reference(url: str, order_id: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}txnRef={quote(order_id)}"


def cashier_routes(emulator: Emulator) -> list[Route]:
    """The cashier's routes: the page, its two actions and a neutral result page."""

    def _order_for(order_id: str, sign: str) -> Order | None:
        try:
            order = emulator.order(order_id)
        except EmulatorError:
            return None
        merchant = emulator.merchant(order.merchant_id)
        if merchant is None or not verify_sign({"orderId": order_id}, merchant.secret_key, sign):
            return None
        return order

    async def page(request: Request) -> Response:
        order = _order_for(request.query_params.get("orderId", ""), request.query_params.get("sign", ""))
        if order is None:
            return _page("Payment not found", "<p>This payment link is not valid.</p>", status=404)
        amount = f"{format_amount(order.order_amount)} {order.currency}"
        rows = (
            f"<p>Order <code id='order-id'>{escape(order.order_id)}</code></p>"
            f"<p>Amount <strong id='amount'>{escape(amount)}</strong></p>"
            f"<p>Status <span id='status'>{escape(order.status.name)}</span></p>"
        )
        if order.status.is_final:
            return _page("C-Pay cashier", rows)
        hidden = (
            f"<input type='hidden' name='orderId' value='{escape(order.order_id, quote=True)}'>"
            f"<input type='hidden' name='sign' value='{escape(request.query_params.get('sign', ''), quote=True)}'>"
        )
        forms = (
            f"<form method='post' action='{CASHIER_PATH}/pay'>{hidden}"
            "<button id='pay' type='submit'>Pay</button></form>"
            f"<form method='post' action='{CASHIER_PATH}/fail'>{hidden}"
            "<button id='fail' type='submit'>Fail</button></form>"
        )
        return _page("C-Pay cashier", rows + forms)

    async def act(request: Request) -> Response:
        fields = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        order = _order_for(fields.get("orderId", ""), fields.get("sign", ""))
        if order is None:
            return _page("Payment not found", "<p>This payment link is not valid.</p>", status=404)
        action = request.path_params["action"]
        try:
            if action == "pay":
                order = emulator.pay(order.order_id)
            else:
                order = emulator.fail(order.order_id, reason="Payment failed on the cashier page")
        except EmulatorError as error:
            return _page("Payment not possible", f"<p id='error'>{escape(error.msg)}</p>", status=409)
        target = order.success_url if action == "pay" else order.fail_url
        if target:
            return RedirectResponse(_with_reference(target, order.order_id), status_code=303)
        return RedirectResponse(f"/cashier/result?txnRef={quote(order.order_id)}", status_code=303)

    async def result(request: Request) -> Response:
        order_id = request.query_params.get("txnRef", "")
        try:
            order = emulator.order(order_id)
        except EmulatorError:
            return _page("Payment result", "<p>Unknown payment.</p>", status=404)
        kind = "card" if order.kind in (OrderKind.CARD, OrderKind.PWPP) else "crypto"
        return _page(
            "Payment result",
            f"<p>Order <code>{escape(order.order_id)}</code> ({kind}): "
            f"<span id='status'>{escape(order.status.name)}</span></p>",
        )

    return [
        Route(CASHIER_PATH, page, methods=["GET"]),
        Route(CASHIER_PATH + "/{action:str}", act, methods=["POST"]),
        Route("/cashier/result", result, methods=["GET"]),
    ]
