"""The control API under ``/_emulator/``: what the customer, the chain or C-Pay's back office would do.

Built from its own document, ``control-openapi.yaml`` (served at ``/_emulator/openapi.yaml``), as the C-Pay
API is built from ``openapi.yaml``: the paths and methods are the document's, each operation's handler is
``HANDLERS[operationId]``, and its JSON request body is validated with the schema the document gives it.
``control_routes`` refuses to start when the document names an operation without a handler or a handler has
no operation (``ControlDocumentError``), so the document and the code cannot drift apart.

A handler gets the ``Control`` (what it acts on), the request and the validated body, and returns the
``data`` of the answer or raises an ``EmulatorError``. Handlers call the same ``Emulator`` methods as the
cashier page. Answers are ``{code, msg, data}`` with a plain HTTP status (``HTTP_STATUS``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import jsonschema_rs
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from cpay import SecretKey
from cpay_emulator.backends import control_views as views
from cpay_emulator.backends.model import FeeRates, Merchant, ip_allowlist
from cpay_emulator.backends.service import Emulator
from cpay_emulator.server.coverage import SpecCoverage
from cpay_emulator.server.faults import DEFAULT_HOLD_SECONDS, Faults
from cpay_emulator.server.webhooks import WebhookDispatcher
from cpay_emulator.shared.errors import (
    DuplicateTradeNo,
    EmulatorError,
    ErrorCode,
    IllegalIp,
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
from cpay_emulator.shared.jsontext import load_json_text
from cpay_emulator.shared.spec import describe_error, load_spec, spec_operations

__all__ = [
    "CONTROL_PREFIX",
    "CONTROL_SPEC_PATH",
    "HANDLERS",
    "HTTP_STATUS",
    "Control",
    "ControlDocumentError",
    "ControlHandler",
    "ControlOperation",
    "check_handlers",
    "control_operations",
    "control_routes",
]

logger = logging.getLogger("cpay_emulator")

CONTROL_PREFIX = "/_emulator"
CONTROL_SPEC_PATH = Path(__file__).with_name("control-openapi.yaml")

Endpoint = Callable[[Request], Awaitable[Response]]
_JSON = "application/json"

_INTEGER = re.compile(r"-?[0-9]+")
_MAX_ID_DIGITS = 20  # "-" and 19 digits: 2**63 - 1 has 19; int() refuses texts over 4,300 digits
_MAX_ROW_ID = 2**63 - 1
_MAX_MERCHANT_ID = 64

HTTP_STATUS: dict[type[EmulatorError], int] = {
    IllegalIp: 403,
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


def _allowlist(entries: list[str]) -> tuple[Any, ...]:
    try:
        return ip_allowlist(entries)
    except ValueError as error:
        raise InvalidParameter("ipAllowlist", str(error)) from None


@attrs.frozen
class Control:
    """What the control API acts on: the emulator, its webhook worker, the armed faults and the spec coverage
    that the health lists; ``on_reset`` runs after a reset (the app wakes its webhook worker)."""

    emulator: Emulator
    webhooks: WebhookDispatcher
    faults: Faults
    on_reset: Callable[[], None]
    coverage: SpecCoverage | None = None


ControlHandler = Callable[[Control, Request, dict[str, Any]], Any]
"""A control operation: ``(control, request, validated body) -> data`` (or an awaitable of it)."""


def _amount(body: dict[str, Any], name: str) -> Decimal | None:
    return Decimal(body[name]) if name in body else None


def health(control: Control, request: Request, body: dict[str, Any]) -> Any:
    if control.coverage is None:
        return views.health(control.webhooks.pending_count())
    return views.health(
        control.webhooks.pending_count(),
        control.coverage.not_modeled,
        control.coverage.unfilled,
        control.coverage.answered,
    )


def reset(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.emulator.reset()
    control.faults.clear()
    control.on_reset()
    return None


def list_merchants(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return [views.merchant_view(merchant) for merchant in control.emulator.merchant_registry.all()]


def save_merchant(control: Control, request: Request, body: dict[str, Any]) -> Any:
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
        ip_allowlist=_allowlist(body.get("ipAllowlist", [])),
    )
    control.emulator.merchant_registry.save(merchant)
    return views.merchant_view(merchant)


def set_ip_allowlist(control: Control, request: Request, body: dict[str, Any]) -> Any:
    merchant = control.emulator.merchant_registry.require(request.path_params["merchantId"])
    merchant = attrs.evolve(merchant, ip_allowlist=_allowlist(body["ipAllowlist"]))
    control.emulator.merchant_registry.save(merchant)
    return views.merchant_view(merchant)


def balances(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return [
        views.control_balance(balance)
        for balance in control.emulator.ledger.balances(request.path_params["merchantId"])
    ]


def set_balance(control: Control, request: Request, body: dict[str, Any]) -> Any:
    balance = control.emulator.ledger.set_balance(
        request.path_params["merchantId"],
        request.path_params["currency"],
        Decimal(body["available"]),
        Decimal(body.get("frozen", "0")),
    )
    return views.control_balance(balance)


def rates(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.rates_view(control.emulator.rate_table.prices())


def set_rates(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.emulator.rate_table.set_prices({currency: Decimal(price) for currency, price in body["prices"].items()})
    return rates(control, request, body)


def list_orders(control: Control, request: Request, body: dict[str, Any]) -> Any:
    try:
        limit = int(request.query_params.get("limit", "100"))
    except ValueError:
        raise InvalidParameter("limit", "must be an integer") from None
    return [
        views.control_order(order)
        for order in control.emulator.order_book.latest(
            request.query_params.get("merchantId"), limit=max(1, min(limit, 10000))
        )
    ]


def get_order(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.control_order(control.emulator.order_book.get(request.path_params["orderId"]))


def pay(control: Control, request: Request, body: dict[str, Any]) -> Any:
    order = control.emulator.lifecycle.pay(
        request.path_params["orderId"],
        amount=_amount(body, "amount"),
        network=body.get("network"),
        hash=body.get("hash"),
    )
    return views.control_order(order)


def fail(control: Control, request: Request, body: dict[str, Any]) -> Any:
    reason = body.get("reason") or "Transaction cannot be completed"
    return views.control_order(control.emulator.lifecycle.fail(request.path_params["orderId"], reason=reason))


def close(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.control_order(
        control.emulator.lifecycle.close(request.path_params["orderId"], reason=body.get("reason") or "Closed")
    )


def process(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.control_order(control.emulator.lifecycle.process(request.path_params["orderId"]))


def complete(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.control_order(
        control.emulator.lifecycle.complete(request.path_params["orderId"], hash=body.get("hash"))
    )


def deposit(control: Control, request: Request, body: dict[str, Any]) -> Any:
    deposit_amount = _amount(body, "amount")
    if deposit_amount is None or deposit_amount <= 0:
        raise InvalidParameter("amount", "must be greater than 0")
    order = control.emulator.lifecycle.deposit(
        body["address"],
        currency=body["currency"],
        amount=deposit_amount,
        hash=body.get("hash"),
        confirmed=body.get("confirmed", True),
    )
    return views.control_order(order)


def list_webhooks(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return control.webhooks.deliveries(
        order_id=request.query_params.get("orderId"), state=request.query_params.get("state")
    )


async def flush(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return {"attempted": await control.webhooks.settle()}


async def resend(control: Control, request: Request, body: dict[str, Any]) -> Any:
    text = request.path_params["deliveryId"]
    if not _INTEGER.fullmatch(text):
        raise InvalidParameter("deliveryId", "must be an integer")
    delivery_id = int(text[:_MAX_ID_DIGITS])
    if len(text) > _MAX_ID_DIGITS or not 1 <= delivery_id <= _MAX_ROW_ID:
        # An integer no delivery can have (SQLite row ids are 1 to 2**63 - 1) is not found, like any other.
        shown = text if len(text) <= _MAX_ID_DIGITS else f"{text[:_MAX_ID_DIGITS]}..."
        raise WebhookNotFound(f"webhook delivery {shown} not found")
    resent = control.webhooks.resend(delivery_id)
    await control.emulator.store.flushed()
    await control.webhooks.settle()
    return next(
        d for d in control.webhooks.deliveries(order_id=resent["orderId"]) if d["deliveryId"] == resent["deliveryId"]
    )


def webhook_settings(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.webhook_settings_view(control.emulator.outbox.settings)


def set_webhook_settings(control: Control, request: Request, body: dict[str, Any]) -> Any:
    outbox = control.emulator.outbox
    changes = {name: body[name] for name in ("statuses", "types", "accept", "schedule") if name in body}
    try:
        outbox.settings = attrs.evolve(outbox.settings, **changes)
    except ValueError as error:
        raise InvalidParameter(next(iter(changes), "settings"), str(error)) from None
    control.webhooks.wake()  # a shorter schedule may make a retry due now
    return views.webhook_settings_view(outbox.settings)


async def release(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.faults.set_webhooks(hold=False)
    return {"attempted": await control.webhooks.settle()}


def clock(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return views.clock_view(control.emulator.clock, control.emulator.lifecycle.order_ttl)


async def advance(control: Control, request: Request, body: dict[str, Any]) -> Any:
    expired = control.emulator.advance(body["seconds"])
    await control.emulator.store.flushed()
    attempted = await control.webhooks.settle()
    return {
        **views.clock_view(control.emulator.clock, control.emulator.lifecycle.order_ttl),
        "expired": [order.order_id for order in expired],
        "webhooksAttempted": attempted,
    }


def list_faults(control: Control, request: Request, body: dict[str, Any]) -> Any:
    return control.faults.describe()


def clear_faults(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.faults.clear()
    control.webhooks.wake()  # deliveries held back may go now
    return control.faults.describe()


def force_envelope(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.faults.force_envelope(body["operationId"], body["code"], body.get("msg"), times=body.get("times", 1))
    return control.faults.describe()


def latency(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.faults.add_latency(body["seconds"], body.get("operationId"))
    return control.faults.describe()


def drop(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.faults.drop_responses(
        body["operationId"],
        body.get("mode", "reset"),
        times=body.get("times", 1),
        hold_seconds=body.get("holdSeconds", DEFAULT_HOLD_SECONDS),
    )
    return control.faults.describe()


def webhook_faults(control: Control, request: Request, body: dict[str, Any]) -> Any:
    control.faults.set_webhooks(
        duplicate=body.get("duplicate"), out_of_order=body.get("outOfOrder"), hold=body.get("hold")
    )
    control.webhooks.wake()
    return control.faults.describe()


HANDLERS: Mapping[str, ControlHandler] = {
    "health": health,
    "reset": reset,
    "listMerchants": list_merchants,
    "saveMerchant": save_merchant,
    "setIpAllowlist": set_ip_allowlist,
    "getBalances": balances,
    "setBalance": set_balance,
    "getRates": rates,
    "setRates": set_rates,
    "listOrders": list_orders,
    "getOrder": get_order,
    "payOrder": pay,
    "failOrder": fail,
    "processOrder": process,
    "completeOrder": complete,
    "closeOrder": close,
    "deposit": deposit,
    "listWebhooks": list_webhooks,
    "flushWebhooks": flush,
    "releaseWebhooks": release,
    "resendWebhook": resend,
    "getWebhookSettings": webhook_settings,
    "setWebhookSettings": set_webhook_settings,
    "getClock": clock,
    "advanceClock": advance,
    "listFaults": list_faults,
    "clearFaults": clear_faults,
    "forceEnvelope": force_envelope,
    "addLatency": latency,
    "dropResponses": drop,
    "setWebhookFaults": webhook_faults,
}
"""Each operation of ``control-openapi.yaml`` by ``operationId``; its path and method are the document's."""


class ControlDocumentError(ValueError):
    """The control document and ``HANDLERS`` disagree: an operation without a handler, or the reverse."""


@attrs.frozen
class ControlOperation:
    """One operation of the control document: where it is served, and the schema of its JSON body (if any)."""

    operation_id: str
    method: str
    path: str
    body_validator: jsonschema_rs.Validator | None = attrs.field(repr=False)


def control_operations(document: Mapping[str, Any]) -> list[ControlOperation]:
    """The operations of a control document, in its order, each with its body's validator compiled."""
    operations = []
    for operation_id, method, path, operation in spec_operations(document):
        schema = operation.get("requestBody", {}).get("content", {}).get(_JSON, {}).get("schema")
        validator = None if schema is None else jsonschema_rs.validator_for(schema)
        operations.append(ControlOperation(operation_id, method, path, validator))
    return operations


def check_handlers(operation_ids: Collection[str], handlers: Collection[str]) -> None:
    """Raise ``ControlDocumentError`` naming every operation without a handler and every handler without one."""
    problems = []
    if missing := sorted(set(operation_ids) - set(handlers)):
        problems.append(f"operations of control-openapi.yaml without a handler: {', '.join(missing)}")
    if unused := sorted(set(handlers) - set(operation_ids)):
        problems.append(f"handlers without an operation in control-openapi.yaml: {', '.join(unused)}")
    if problems:
        raise ControlDocumentError("; ".join(problems))


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "msg": "success", "data": data})


def _endpoint(control: Control, operation: ControlOperation, handler: ControlHandler) -> Endpoint:
    """The operation's endpoint: read and validate the JSON body, call the handler, answer (errors included)."""
    operation_id, validator = operation.operation_id, operation.body_validator

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
            result = handler(control, request, body)
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


def control_routes(
    emulator: Emulator,
    webhooks: WebhookDispatcher,
    on_reset: Callable[[], None],
    *,
    faults: Faults | None = None,
    coverage: SpecCoverage | None = None,
) -> list[BaseRoute]:
    """The control API's routes: ``/_emulator/openapi.yaml``, then one per operation of ``control-openapi.yaml``.

    ``faults``: the armed faults the ``/faults`` endpoints change; ``coverage``: what of the spec the health
    lists as not modeled or unfilled. Raises ``ControlDocumentError`` if the document and ``HANDLERS`` disagree.
    """
    control = Control(emulator, webhooks, faults or Faults(), on_reset, coverage)
    operations = control_operations(load_spec(CONTROL_SPEC_PATH))
    check_handlers([operation.operation_id for operation in operations], HANDLERS)
    spec_text = CONTROL_SPEC_PATH.read_text(encoding="utf-8")

    async def spec(request: Request) -> Response:
        return Response(spec_text, media_type="application/yaml")

    routes: list[BaseRoute] = [Route(f"{CONTROL_PREFIX}/openapi.yaml", spec, methods=["GET"])]
    routes.extend(
        Route(
            operation.path, _endpoint(control, operation, HANDLERS[operation.operation_id]), methods=[operation.method]
        )
        for operation in operations
    )
    return routes
