"""The cashier page ``cashierURL`` points at: a person (or a browser test) pays or fails the order there.

It stands in for C-Pay's hosted cashier (``https://cashier.cpay.ltd/payment?orderId=...&sign=...`` in section
13's example). The buttons call the same service functions as the control API (``Emulator.pay`` and
``Emulator.fail``). The ``sign`` in the URL is the merchant's signature of ``orderId``, so an order id alone
does not open the page.

An open order shows the time left before it expires (by the emulator's clock, as of the page's loading: the
page runs no script, so reloading it updates the figure). A crypto order shows where to send the coins: a
deposit address derived from the order (the same on every load) and its QR code, drawn by segno as inline SVG,
which the page's ``default-src 'none'`` policy allows because nothing is fetched.

The HTML is written with ``html.escape`` at each value that comes from an order, not with a template
engine: two small pages do not justify jinja2 and markupsafe in the emulator's install. The price is that
escaping is a habit here rather than the default, as Jinja2's autoescape would make it; the page's
``Content-Security-Policy`` forbids scripts, so a slip would show markup, not run code. If the page grows,
Starlette's ``Jinja2Templates`` is the way.
"""

from __future__ import annotations

import time
from html import escape
from urllib.parse import parse_qsl, quote

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from cpay import FINAL_ORDER_STATUSES, OrderStatus, verify_sign
from cpay_emulator.backends.model import Order, OrderKind
from cpay_emulator.backends.money import format_amount
from cpay_emulator.backends.networks import address_for, network_named
from cpay_emulator.backends.service import Emulator
from cpay_emulator.backends.views import CASHIER_PATH, CASHIER_RESULT_PATH
from cpay_emulator.shared.errors import EmulatorError

__all__ = ["cashier_routes"]

_STYLE = """
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:3rem 1rem;
 background:#eef1f6;color:#1c2430;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:28rem;background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(20,30,50,.12);
 padding:1.75rem 2rem}
header{display:flex;align-items:center;justify-content:space-between;margin-bottom:1.25rem}
.brand{font-weight:700;font-size:1.15rem;color:#2451d6;letter-spacing:.02em}
.badge{font-size:.75rem;background:#fff4d6;color:#7a5600;border:1px solid #f0d68a;border-radius:999px;
 padding:.1rem .6rem}
h1{font-size:1.05rem;font-weight:600;margin:0 0 .25rem;color:#55606e}
.amount{font-size:2.2rem;font-weight:700;margin:0 0 1.25rem;word-break:break-all}
.amount #currency{font-size:1.2rem;font-weight:600;color:#55606e;margin-left:.35rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.45rem 1rem;margin:0 0 1.5rem;font-size:.92rem}
dt{color:#6b7684}
dd{margin:0;word-break:break-all}
code{font:.88rem ui-monospace,SFMono-Regular,Menlo,monospace}
.status{display:inline-block;border-radius:6px;padding:0 .5rem;font-weight:600;font-size:.85rem}
.status-PENDING,.status-PROCESSING{background:#fff4d6;color:#7a5600}
.status-COMPLETED{background:#dcf5e3;color:#16643a}
.status-CLOSED{background:#fde2e1;color:#9b1c1c}
.actions{display:flex;gap:.75rem}
.actions form{flex:1;margin:0}
button{width:100%;font:inherit;font-weight:600;border-radius:9px;padding:.75rem 1rem;cursor:pointer}
#pay{background:#2451d6;color:#fff;border:1px solid #2451d6}
#pay:hover{background:#1b3fae}
#fail{background:#fff;color:#9b1c1c;border:1px solid #e3b4b4}
#fail:hover{background:#fdf0f0}
.note{margin:1.25rem 0 0;font-size:.8rem;color:#6b7684}
.deposit{display:flex;gap:1rem;align-items:center;margin:0 0 1.5rem;padding:.75rem;border:1px solid #e3e8f0;
 border-radius:10px}
.deposit svg{flex:none;width:132px;height:132px}
.deposit p{margin:0;font-size:.85rem;word-break:break-all}
.message{font-size:1.05rem}
"""

# The page shows what merchants sent (merchantTradeNo, URLs): everything is escaped, scripts and frames are
# refused, and the link's ``sign`` does not leak to the merchant's successURL/failURL in a Referer header.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A complete page; ``body`` must already be escaped HTML."""
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><main>"
        "<header><span class='brand'>C-Pay</span><span class='badge'>emulator</span></header>"
        f"{body}"
        "<p class='note'>Served by the C-Pay emulator: no money moves.</p>"
        "</main></body></html>",
        status_code=status,
        headers=_HEADERS,
    )


def _message(title: str, text: str, status: int) -> HTMLResponse:
    return _page(title, f"<h1>{escape(title)}</h1><p class='message' id='error'>{escape(text)}</p>", status)


def _status(order: Order) -> str:
    name = escape(order.status.name)
    return f"<span id='status' class='status status-{name}'>{name}</span>"


def _summary(order: Order, extra_rows: str = "") -> str:
    """The order as the customer sees it: amount and currency, the merchant's order number, status."""
    kind = "Card payment" if order.kind in (OrderKind.CARD, OrderKind.PWPP) else "Crypto payment"
    rows = [
        ("Merchant", escape(order.merchant_id)),
        ("Merchant order", f"<span id='merchant-trade-no'>{escape(order.merchant_trade_no or '')}</span>"),
        ("C-Pay order", f"<code id='order-id'>{escape(order.order_id)}</code>"),
    ]
    if order.network:
        rows.append(("Network", f"<span id='network'>{escape(order.network)}</span>"))
    rows.append(("Status", _status(order)))
    details = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows) + extra_rows
    return (
        f"<h1>{kind}</h1>"
        f"<p class='amount'><span id='amount'>{escape(format_amount(order.order_amount))}</span>"
        f"<span id='currency'>{escape(order.currency)}</span></p>"
        f"<dl>{details}</dl>"
    )


def deposit_address(order: Order) -> str:
    """Where the customer sends a crypto order's coins: an address of the order's network, derived from the order."""
    return address_for(order.merchant_id, f"order:{order.order_id}", network_named(order.network))


def _deposit(order: Order) -> str:
    """The address to pay a crypto order to, as text and as an inline SVG QR code (no script, nothing fetched)."""
    address = deposit_address(order)
    qr = segno.make(address, error="m", micro=False).svg_inline(scale=4, title=f"QR code of {address}")
    return (
        f"<div class='deposit'><figure id='deposit-qr' style='margin:0'>{qr}</figure>"
        f"<p>Send <b>{escape(format_amount(order.order_amount))} {escape(order.currency)}</b> on "
        f"{escape(order.network)} to<br><code id='deposit-address'>{escape(address)}</code></p></div>"
    )


def _time_left(now_ms: int, expires_ms: int) -> str:
    seconds = max(0, (expires_ms - now_ms) // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{minutes} min {seconds:02d} s"
    return f"{hours} h {text}" if hours else text


def _expiry(order: Order, now_ms: int, ttl: float | None) -> str:
    """The row saying how long the customer has left, or "" when the order does not expire."""
    if ttl is None or order.status is not OrderStatus.PENDING:
        return ""
    expires_ms = order.created_at + round(ttl * 1000)
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(expires_ms // 1000))
    return (
        f"<dt>Time left</dt><dd><span id='time-left'>{_time_left(now_ms, expires_ms)}</span> "
        f"<small>(until <time id='expires-at' datetime='{expires_ms}'>{when}</time>; reload to update)</small></dd>"
    )


def _with_reference(url: str, order_id: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}txnRef={quote(order_id)}"


def cashier_routes(emulator: Emulator) -> list[Route]:
    """The cashier's routes: the page, its two actions and a neutral result page."""

    def _order_for(order_id: str, sign: str) -> Order | None:
        try:
            order = emulator.order_book.get(order_id)
        except EmulatorError:
            return None
        merchant = emulator.merchant_registry.get(order.merchant_id)
        if merchant is None or not verify_sign({"orderId": order_id}, merchant.secret_key, sign):
            return None
        return order

    async def page(request: Request) -> Response:
        order = _order_for(request.query_params.get("orderId", ""), request.query_params.get("sign", ""))
        if order is None:
            return _message("Payment not found", "This payment link is not valid.", status=404)
        if order.status in FINAL_ORDER_STATUSES:
            return _page("C-Pay cashier", _summary(order))
        hidden = (
            f"<input type='hidden' name='orderId' value='{escape(order.order_id, quote=True)}'>"
            f"<input type='hidden' name='sign' value='{escape(request.query_params.get('sign', ''), quote=True)}'>"
        )
        amount = escape(f"{format_amount(order.order_amount)} {order.currency}")
        expiry = _expiry(order, emulator.clock.now_ms(), emulator.lifecycle.order_ttl)
        deposit = _deposit(order) if order.kind is OrderKind.PAYIN else ""
        forms = (
            "<div class='actions'>"
            f"<form method='post' action='{CASHIER_PATH}/pay'>{hidden}"
            f"<button id='pay' type='submit'>Pay {amount}</button></form>"
            f"<form method='post' action='{CASHIER_PATH}/fail'>{hidden}"
            "<button id='fail' type='submit'>Fail payment</button></form>"
            "</div>"
        )
        return _page("C-Pay cashier", _summary(order, expiry) + deposit + forms)

    async def act(request: Request) -> Response:
        fields = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        order = _order_for(fields.get("orderId", ""), fields.get("sign", ""))
        if order is None:
            return _message("Payment not found", "This payment link is not valid.", status=404)
        action = request.path_params["action"]
        try:
            if action == "pay":
                order = emulator.lifecycle.pay(order.order_id)
            else:
                order = emulator.lifecycle.fail(order.order_id, reason="Payment failed on the cashier page")
        except EmulatorError as error:
            return _message("Payment not possible", error.msg, status=409)
        target = order.success_url if action == "pay" else order.fail_url
        if target:
            return RedirectResponse(_with_reference(target, order.order_id), status_code=303, headers=_HEADERS)
        return RedirectResponse(
            f"{CASHIER_RESULT_PATH}?txnRef={quote(order.order_id)}", status_code=303, headers=_HEADERS
        )

    async def result(request: Request) -> Response:
        order_id = request.query_params.get("txnRef", "")
        try:
            order = emulator.order_book.get(order_id)
        except EmulatorError:
            return _message("Payment result", "Unknown payment.", status=404)
        kind = "card" if order.kind in (OrderKind.CARD, OrderKind.PWPP) else "crypto"
        # Reachable with an order id alone (C-Pay appends only txnRef): shows the status, nothing the merchant sent.
        return _page(
            "Payment result",
            f"<h1>Payment result</h1><p class='message'>Order <code>{escape(order.order_id)}</code> ({kind}): "
            f"{_status(order)}</p>",
        )

    return [
        Route(CASHIER_PATH, page, methods=["GET"]),
        Route(CASHIER_PATH + "/{action:str}", act, methods=["POST"]),
        Route(CASHIER_RESULT_PATH, result, methods=["GET"]),
    ]
