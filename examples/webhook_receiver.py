"""A minimal C-Pay webhook receiver (document section 15): verify, act once per order status, reply OK/FAIL.

Run it (the secret key comes from the environment, never from code or logs):

    CPAY_SECRET_KEY=... .venv/bin/uvicorn --factory examples.webhook_receiver:app_from_environment \\
        --host 127.0.0.1 --port 8080

then give C-Pay (or the emulator) ``http://127.0.0.1:8080/cpay/webhook`` as the callback URL.
"""

from __future__ import annotations

import logging
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cpay import (
    OrderStatus,
    SecretKey,
    SignatureError,
    WebhookEvent,
    WebhookPayloadError,
    parse_webhook,
    webhook_reply,
)

log = logging.getLogger("webhook_receiver")


def create_app(secret_key: SecretKey) -> Starlette:
    """The receiver as an ASGI app. ``handled`` keeps the (order, status) pairs already acted upon."""
    handled: set[tuple[str | None, str | None, str]] = set()

    def act_on(event: WebhookEvent) -> None:
        # C-Pay sends a notification again until it reads OK, so acting must be idempotent.
        key = (event.order_id, event.merchant_trade_no, event.order_status.value)
        if key in handled:
            return
        handled.add(key)
        if event.order_status is OrderStatus.COMPLETED:
            log.info("order %s paid: %s %s", event.merchant_trade_no, event.received_amount, event.crypto_currency)
        elif not event.order_status.is_known:
            log.warning("order %s has a status this code does not know: %s", event.order_id, event.order_status)

    async def receive(request: Request) -> Response:
        try:
            event = parse_webhook(await request.body(), request.headers.get("content-type", ""), secret_key)
        except (SignatureError, WebhookPayloadError) as error:
            # Not from C-Pay, or not readable: refuse. The error's text never contains the secret.
            log.warning("refused a webhook: %s", error)
            body, content_type = webhook_reply(False)
            return Response(body, status_code=400, media_type=content_type)
        act_on(event)
        body, content_type = webhook_reply(True)
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/cpay/webhook", receive, methods=["POST"])])


def app_from_environment() -> Starlette:
    """The app for ``uvicorn --factory``: the secret key is read from ``CPAY_SECRET_KEY``."""
    secret = os.environ.get("CPAY_SECRET_KEY")
    if not secret:
        raise SystemExit("set CPAY_SECRET_KEY to the secret key C-Pay gave you")
    return create_app(SecretKey(secret))
