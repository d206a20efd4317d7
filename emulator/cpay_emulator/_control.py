"""The control API under ``/_emulator/``: what the customer, the chain or C-Pay's back office would do.

Described by ``control-openapi.yaml`` (served at ``/_emulator/openapi.yaml``); its JSON request bodies are
validated with schemas compiled from that document. Handlers call the same ``Emulator`` methods as the
cashier page. Answers are ``{code, msg, data}`` with a plain HTTP status.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema_rs
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from cpay_emulator import _views as views
from cpay_emulator._coverage import SpecCoverage
from cpay_emulator._errors import (
    DuplicateTradeNo,
    EmulatorError,
    ErrorCode,
    InsufficientBalance,
    InvalidAddress,
    InvalidAmount,
    InvalidOrderState,
    InvalidParameter,
    MalformedRequest,
    OrderNotFound,
    UnknownMerchant,
    WebhookNotFound,
)
from cpay_emulator._faults import DEFAULT_HOLD_SECONDS, Faults
from cpay_emulator._jsontext import load_json_text
from cpay_emulator._model import FeeRates, Merchant
from cpay_emulator._service import Emulator
from cpay_emulator._spec import describe_error, inline_refs, load_spec
from cpay_emulator._webhooks import WebhookDispatcher
from cpay_signing import SecretKey

__all__ = ["CONTROL_PREFIX", "CONTROL_SPEC_PATH", "HTTP_STATUS", "control_routes"]

logger = logging.getLogger("cpay_emulator")

CONTROL_PREFIX = "/_emulator"
CONTROL_SPEC_PATH = Path(__file__).with_name("control-openapi.yaml")

Endpoint = Callable[[Request], Awaitable[Response]]

_INTEGER = re.compile(r"-?[0-9]+")
_MAX_ID_DIGITS = 20  # "-" and 19 digits: 2**63 - 1 has 19; int() refuses texts over 4,300 digits
_MAX_ROW_ID = 2**63 - 1
_MAX_MERCHANT_ID = 64

HTTP_STATUS: dict[type[EmulatorError], int] = {
    UnknownMerchant: 404,
    OrderNotFound: 404,
    WebhookNotFound: 404,
    DuplicateTradeNo: 409,
    InvalidOrderState: 409,
    InsufficientBalance: 409,
    InvalidParameter: 422,
    InvalidAmount: 422,
    InvalidAddress: 422,
}
"""The control API's HTTP status of each outcome; any other (a malformed body, an unsupported currency...) is 400."""


def _body_validators(document: dict[str, Any]) -> dict[str, jsonschema_rs.Validator]:
    validators = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                validators[operation["operationId"]] = jsonschema_rs.validator_for(inline_refs(document, schema))
    return validators


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "msg": "success", "data": data})


def control_routes(
    emulator: Emulator,
    webhooks: WebhookDispatcher,
    on_reset: Callable[[], None],
    *,
    faults: Faults | None = None,
    coverage: SpecCoverage | None = None,
) -> list[BaseRoute]:
    """The control API's routes (``faults``: the armed faults the ``/faults`` endpoints change; ``coverage``: what
    of the spec the health lists as not modeled or unfilled)."""
    faults = faults or Faults()
    document = load_spec(CONTROL_SPEC_PATH)
    validators = _body_validators(document)
    spec_text = CONTROL_SPEC_PATH.read_text(encoding="utf-8")

    def guarded(operation_id: str, handler: Callable[[Request, dict[str, Any]], Any]) -> Endpoint:
        validator = validators.get(operation_id)

        async def endpoint(request: Request) -> Response:
            try:
                body: dict[str, Any] = {}
                raw = await request.body()
                if raw.strip():
                    try:
                        body = load_json_text(raw.decode("utf-8"))
                    except UnicodeDecodeError:
                        raise MalformedRequest("the body must be UTF-8 JSON text") from None
                    except ValueError as error:
                        raise MalformedRequest(f"the body {error}") from None
                if validator is not None and not validator.is_valid(body):
                    raise InvalidParameter(*describe_error(next(iter(validator.iter_errors(body)))))
                result = handler(request, body)
                if isinstance(result, Awaitable):
                    result = await result
                return _ok(result)
            except EmulatorError as error:
                return JSONResponse(
                    {"code": int(error.code), "msg": error.msg, "data": error.data},
                    status_code=HTTP_STATUS.get(type(error), 400),
                )
            except ClientDisconnect:
                # The client hung up before its body was complete: nothing was done, and nobody reads an answer.
                logger.info("control operation %s: the client disconnected before its body was complete", operation_id)
                return JSONResponse(
                    {"code": int(ErrorCode.MALFORMED_REQUEST), "msg": "the body is incomplete", "data": None},
                    status_code=400,
                )
            except Exception:
                logger.exception("unexpected error in control operation %s", operation_id)
                return JSONResponse({"code": int(ErrorCode.FAIL), "msg": "fail", "data": None}, status_code=500)

        return endpoint

    def amount(body: dict[str, Any], name: str) -> Decimal | None:
        return Decimal(body[name]) if name in body else None

    def health(request: Request, body: dict[str, Any]) -> Any:
        if coverage is None:
            return views.health(webhooks.pending_count())
        return views.health(webhooks.pending_count(), coverage.not_modeled, coverage.unfilled, coverage.answered)

    def reset(request: Request, body: dict[str, Any]) -> Any:
        emulator.reset()
        faults.clear()
        on_reset()
        return None

    def list_merchants(request: Request, body: dict[str, Any]) -> Any:
        return [views.merchant_view(merchant) for merchant in emulator.merchants()]

    def save_merchant(request: Request, body: dict[str, Any]) -> Any:
        if len(request.path_params["merchantId"]) > _MAX_MERCHANT_ID:  # control-openapi.yaml's maxLength
            raise InvalidParameter("merchantId", f"must be at most {_MAX_MERCHANT_ID} characters")
        try:
            fee_rates = FeeRates.from_mapping(body.get("feeRates", {}))
        except ValueError as error:
            raise InvalidParameter("feeRates", str(error)) from None
        merchant = Merchant(
            merchant_id=request.path_params["merchantId"],
            secret_key=SecretKey(body["secretKey"]),
            callback_url=body.get("callbackURL", ""),
            webhook_format=body.get("webhookFormat", "json"),
            fee_rates=fee_rates,
        )
        emulator.save_merchant(merchant)
        return views.merchant_view(merchant)

    def balances(request: Request, body: dict[str, Any]) -> Any:
        return [views.control_balance(balance) for balance in emulator.balances(request.path_params["merchantId"])]

    def set_balance(request: Request, body: dict[str, Any]) -> Any:
        balance = emulator.set_balance(
            request.path_params["merchantId"],
            request.path_params["currency"],
            Decimal(body["available"]),
            Decimal(body.get("frozen", "0")),
        )
        return views.control_balance(balance)

    def rates(request: Request, body: dict[str, Any]) -> Any:
        return views.rates_view(emulator.prices())

    def set_rates(request: Request, body: dict[str, Any]) -> Any:
        emulator.set_prices({currency: Decimal(price) for currency, price in body["prices"].items()})
        return rates(request, body)

    def list_orders(request: Request, body: dict[str, Any]) -> Any:
        try:
            limit = int(request.query_params.get("limit", "100"))
        except ValueError:
            raise InvalidParameter("limit", "must be an integer") from None
        return [
            views.control_order(order)
            for order in emulator.orders(request.query_params.get("merchantId"), limit=max(1, min(limit, 10000)))
        ]

    def get_order(request: Request, body: dict[str, Any]) -> Any:
        return views.control_order(emulator.order(request.path_params["orderId"]))

    def pay(request: Request, body: dict[str, Any]) -> Any:
        order = emulator.pay(
            request.path_params["orderId"],
            amount=amount(body, "amount"),
            network=body.get("network"),
            hash=body.get("hash"),
        )
        return views.control_order(order)

    def fail(request: Request, body: dict[str, Any]) -> Any:
        reason = body.get("reason") or "Transaction cannot be completed"
        return views.control_order(emulator.fail(request.path_params["orderId"], reason=reason))

    def close(request: Request, body: dict[str, Any]) -> Any:
        return views.control_order(
            emulator.close(request.path_params["orderId"], reason=body.get("reason") or "Closed")
        )

    def process(request: Request, body: dict[str, Any]) -> Any:
        return views.control_order(emulator.process(request.path_params["orderId"]))

    def complete(request: Request, body: dict[str, Any]) -> Any:
        return views.control_order(emulator.complete(request.path_params["orderId"], hash=body.get("hash")))

    def deposit(request: Request, body: dict[str, Any]) -> Any:
        deposit_amount = amount(body, "amount")
        if deposit_amount is None or deposit_amount <= 0:
            raise InvalidParameter("amount", "must be greater than 0")
        order = emulator.deposit(
            body["address"],
            currency=body["currency"],
            amount=deposit_amount,
            hash=body.get("hash"),
            confirmed=body.get("confirmed", True),
        )
        return views.control_order(order)

    def list_webhooks(request: Request, body: dict[str, Any]) -> Any:
        return webhooks.deliveries(
            order_id=request.query_params.get("orderId"), state=request.query_params.get("state")
        )

    async def flush(request: Request, body: dict[str, Any]) -> Any:
        return {"attempted": await webhooks.settle()}

    async def resend(request: Request, body: dict[str, Any]) -> Any:
        text = request.path_params["deliveryId"]
        if not _INTEGER.fullmatch(text):
            raise InvalidParameter("deliveryId", "must be an integer")
        delivery_id = int(text[:_MAX_ID_DIGITS])
        if len(text) > _MAX_ID_DIGITS or not 1 <= delivery_id <= _MAX_ROW_ID:
            # An integer no delivery can have (SQLite row ids are 1 to 2**63 - 1) is not found, like any other.
            shown = text if len(text) <= _MAX_ID_DIGITS else f"{text[:_MAX_ID_DIGITS]}..."
            raise WebhookNotFound(f"webhook delivery {shown} not found")
        resent = webhooks.resend(delivery_id)
        await emulator.store.flushed()
        await webhooks.settle()
        return next(
            d for d in webhooks.deliveries(order_id=resent["orderId"]) if d["deliveryId"] == resent["deliveryId"]
        )

    async def release(request: Request, body: dict[str, Any]) -> Any:
        faults.set_webhooks(hold=False)
        return {"attempted": await webhooks.settle()}

    def clock(request: Request, body: dict[str, Any]) -> Any:
        return views.clock_view(emulator.clock, emulator.lifecycle.order_ttl)

    async def advance(request: Request, body: dict[str, Any]) -> Any:
        expired = emulator.advance(body["seconds"])
        await emulator.store.flushed()
        attempted = await webhooks.settle()
        return {
            **views.clock_view(emulator.clock, emulator.lifecycle.order_ttl),
            "expired": [order.order_id for order in expired],
            "webhooksAttempted": attempted,
        }

    def list_faults(request: Request, body: dict[str, Any]) -> Any:
        return faults.describe()

    def clear_faults(request: Request, body: dict[str, Any]) -> Any:
        faults.clear()
        webhooks.wake()  # deliveries held back may go now
        return faults.describe()

    def force_envelope(request: Request, body: dict[str, Any]) -> Any:
        faults.force_envelope(body["operationId"], body["code"], body.get("msg"), times=body.get("times", 1))
        return faults.describe()

    def latency(request: Request, body: dict[str, Any]) -> Any:
        faults.add_latency(body["seconds"], body.get("operationId"))
        return faults.describe()

    def drop(request: Request, body: dict[str, Any]) -> Any:
        faults.drop_responses(
            body["operationId"],
            body.get("mode", "reset"),
            times=body.get("times", 1),
            hold_seconds=body.get("holdSeconds", DEFAULT_HOLD_SECONDS),
        )
        return faults.describe()

    def webhook_faults(request: Request, body: dict[str, Any]) -> Any:
        faults.set_webhooks(duplicate=body.get("duplicate"), out_of_order=body.get("outOfOrder"), hold=body.get("hold"))
        webhooks.wake()
        return faults.describe()

    async def spec(request: Request) -> Response:
        return Response(spec_text, media_type="application/yaml")

    p = CONTROL_PREFIX
    table: list[tuple[str, str, str, Callable[[Request, dict[str, Any]], Any]]] = [
        ("/health", "GET", "health", health),
        ("/reset", "POST", "reset", reset),
        ("/merchants", "GET", "listMerchants", list_merchants),
        ("/merchants/{merchantId}", "PUT", "saveMerchant", save_merchant),
        ("/merchants/{merchantId}/balances", "GET", "getBalances", balances),
        ("/merchants/{merchantId}/balances/{currency}", "PUT", "setBalance", set_balance),
        ("/rates", "GET", "getRates", rates),
        ("/rates", "PUT", "setRates", set_rates),
        ("/orders", "GET", "listOrders", list_orders),
        ("/orders/{orderId}", "GET", "getOrder", get_order),
        ("/orders/{orderId}/pay", "POST", "payOrder", pay),
        ("/orders/{orderId}/fail", "POST", "failOrder", fail),
        ("/orders/{orderId}/process", "POST", "processOrder", process),
        ("/orders/{orderId}/complete", "POST", "completeOrder", complete),
        ("/orders/{orderId}/close", "POST", "closeOrder", close),
        ("/deposits", "POST", "deposit", deposit),
        ("/webhooks", "GET", "listWebhooks", list_webhooks),
        ("/webhooks/flush", "POST", "flushWebhooks", flush),
        ("/webhooks/release", "POST", "releaseWebhooks", release),
        ("/webhooks/{deliveryId}/resend", "POST", "resendWebhook", resend),
        ("/clock", "GET", "getClock", clock),
        ("/clock/advance", "POST", "advanceClock", advance),
        ("/faults", "GET", "listFaults", list_faults),
        ("/faults", "DELETE", "clearFaults", clear_faults),
        ("/faults/envelope", "POST", "forceEnvelope", force_envelope),
        ("/faults/latency", "POST", "addLatency", latency),
        ("/faults/drop", "POST", "dropResponses", drop),
        ("/faults/webhooks", "POST", "setWebhookFaults", webhook_faults),
    ]
    by_path: dict[str, dict[str, Endpoint]] = {}
    for path, method, operation_id, handler in table:
        by_path.setdefault(path, {})[method] = guarded(operation_id, handler)
    routes: list[BaseRoute] = [Route(f"{p}/openapi.yaml", spec, methods=["GET"])]
    for path, methods in by_path.items():
        routes.extend(Route(p + path, endpoint, methods=[method]) for method, endpoint in methods.items())
    return routes
