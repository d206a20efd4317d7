"""The C-Pay API: one ASGI endpoint per operation of ``openapi.yaml``, each answering with the envelope.

Every request is answered HTTP 200 with ``{code, msg, data, traceid}``: the steps are read the query string
(and for POST the form body), check ``merchantId`` and ``sign`` over the parameters of both with
``cpay_signing.verify_request_parameters`` (section 16: the one verifier of the toolkit, which finds the
credentials in either place, as C-Pay reads both), validate against the spec, then call the service. Any
failure becomes a non-zero ``code``; an unexpected exception is logged and answered with code 1, never a 5xx.

Armed faults (``_faults``) apply here, when any is armed: a forced envelope is answered before the request is
handled (no state changes), latency is waited out first, and a dropped response is lost after the commit.

An operation without a handler in ``HANDLERS`` goes through the same steps and answers the fixed value
``_coverage`` chose for it from the spec; its answers carry the header ``x-cpay-emulator-answer`` (``example`` or
``generated``), so a client or a conformance check can tell them from the emulator's own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
from starlette.types import Message, Receive, Scope, Send

from cpay_emulator import _views as views
from cpay_emulator._coverage import SpecCoverage, StatelessAnswer
from cpay_emulator._errors import (
    EmulatorError,
    ErrorCode,
    InvalidParameter,
    MalformedRequest,
    OperationNotImplemented,
    signature_error,
)
from cpay_emulator._faults import Faults
from cpay_emulator._ids import new_traceid
from cpay_emulator._model import Merchant, NewOrder
from cpay_emulator._money import parse_amount
from cpay_emulator._service import Emulator
from cpay_emulator._spec import Operation
from cpay_emulator._wire import base_url, drop_response, envelope, form_body, read_body, send_json
from cpay_signing import (
    MalformedParametersError,
    SecretKey,
    SignatureError,
    verify_request_parameters,
)

__all__ = ["HANDLERS", "STATELESS_ANSWER_HEADER", "OperationEndpoint", "operation_endpoints"]

logger = logging.getLogger("cpay_emulator")

STATELESS_ANSWER_HEADER = "x-cpay-emulator-answer"
"""Marks the answers of an operation the emulator does not model: ``example`` or ``generated`` (``_coverage``)."""


@attrs.frozen
class Call:
    """What a handler gets: the authenticated merchant, the validated values and the raw text parameters."""

    emulator: Emulator
    merchant: Merchant
    values: Mapping[str, Any]
    params: Mapping[str, str]
    base_url: str

    def text(self, name: str) -> str:
        """The value of an optional text field ("" when absent)."""
        value = self.values.get(name, "")
        return value if isinstance(value, str) else str(value)

    def new_order(self, callback_field: str | None) -> NewOrder:
        """The fields every order creation shares."""
        return NewOrder(
            merchant_trade_no=self.text("merchantTradeNo"),
            user_id=self.text("userId"),
            create_time=self.values.get("createTime"),
            callback_url=self.text(callback_field) if callback_field else "",
            success_url=self.text("successURL"),
            fail_url=self.text("failURL"),
            remark=self.text("remark"),
            ext_info=self.text("extInfo"),
        )


Handler = Callable[[Call, Operation], Any]


def get_wallet_address(call: Call, operation: Operation) -> Any:
    """Section 3: the user's deposit address for every coin of every network."""
    return views.wallet_addresses(call.emulator.wallet_addresses(call.merchant.merchant_id, call.text("userId")))


def withdraw(call: Call, operation: Operation) -> Any:
    """Section 4: a crypto payout; ``totalAmount`` is frozen until the payout completes or closes."""
    order = call.emulator.create_payout(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("cryptoCurrency"),
        network_name=call.text("network"),
        total_amount=parse_amount("totalAmount", call.text("totalAmount")),
        received_amount=parse_amount("receivedAmount", call.text("receivedAmount"), allow_zero=True),
        to_address=call.text("toAddress"),
    )
    return views.withdrawal(order)


def create_fiat_payout_order(call: Call, operation: Operation) -> Any:
    """Section 5: a fiat payout; ``orderAmount`` = amount + fee is frozen."""
    if call.text("payoutChannel") == "1" and not call.text("accountType"):
        raise InvalidParameter("accountType", "is required when payoutChannel is 1 (Pix)")
    details = {
        name: call.text(name)
        for name in ("payoutChannel", "accountType", "toAccount", "accountCode", "country")
        if call.text(name)
    }
    order = call.emulator.create_fiat_payout(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("currency"),
        amount=parse_amount("amount", call.text("amount")),
        details=details,
    )
    return views.fiat_payout(order)


def get_merchant_balance(call: Call, operation: Operation) -> Any:
    """Section 6: available and frozen balance of every currency."""
    return views.merchant_balances(call.emulator.balances(call.merchant.merchant_id))


def _rate_request(call: Call) -> tuple[str, str, int, Decimal]:
    return (
        call.text("sourceCurrency"),
        call.text("targetCurrency"),
        int(call.values["purchaseType"]),
        parse_amount("amount", call.text("amount")),
    )


def get_exchange_rate(call: Call, operation: Operation) -> Any:
    """Section 7: ``sourceCurrency:targetCurrency = 1:exchangeRate`` from the rate table."""
    source, target, _, _ = _rate_request(call)
    return views.exchange_rate(call.emulator.exchange_rate(source, target))


def get_exchange_rate_for_credit_card(call: Call, operation: Operation) -> Any:
    """Section 8: the rate and the other side of the purchase."""
    source, target, purchase_type, amount = _rate_request(call)
    return views.exchange_quote(
        call.emulator.exchange_rate(source, target), call.emulator.quote(source, target, purchase_type, amount)
    )


def get_order_detail(call: Call, operation: Operation) -> Any:
    """Section 9: find the merchant's order by merchantTradeNo, cpayOrderId or hash."""
    order = call.emulator.find_order(
        call.merchant.merchant_id,
        merchant_trade_no=call.text("merchantTradeNo"),
        order_id=call.text("cpayOrderId"),
        hash=call.text("hash"),
    )
    return views.order_detail(order)


def exchange(call: Call, operation: Operation) -> Any:
    """Section 10: exchange between two currencies of the merchant's balance; the fee is in the target."""
    order = call.emulator.exchange(
        call.merchant,
        call.new_order(None),
        source_currency=call.text("sourceCurrency"),
        source_amount=parse_amount("sourceAmount", call.text("sourceAmount")),
        target_currency=call.text("targetCurrency"),
    )
    return views.exchanged(order)


def submit_kyc(call: Call, operation: Operation) -> Any:
    """Section 11: store the users' KYC records."""
    records = json.loads(call.text("data"))
    return views.kyc_receipt(call.emulator.submit_kyc(call.merchant, records))


def pwpp(call: Call, operation: Operation) -> Any:
    """Section 12: a host-to-host card payment (test cards in ``Emulator.create_pwpp``)."""
    card_number = call.text("cardNumber")
    if not card_number and not call.text("ccStorageID"):
        raise InvalidParameter("cardNumber", "is required unless ccStorageID is given")
    order, stored_id = call.emulator.create_pwpp(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("currency"),
        amount=parse_amount("amount", call.text("amount")),
        card_number=card_number,
        store_card=call.text("storeCc") == "1",
        cc_storage_id=call.text("ccStorageID"),
        expiry=call.text("expDate"),
        details={"email": call.text("email"), "country": call.text("country"), "products": call.text("products")},
    )
    return views.card_charge(order, views.card_redirect(call.base_url, order, call.merchant), stored_id)


def create_order(call: Call, operation: Operation) -> Any:
    """Section 13: a crypto pay-in order and its cashier page."""
    order = call.emulator.create_payin(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("cryptoCurrency"),
        amount=parse_amount("amount", call.text("amount")),
    )
    return views.created_order(order, views.cashier_url(call.base_url, order, call.merchant))


def create_order_by_credit_card(call: Call, operation: Operation) -> Any:
    """Section 14: a card order paid on the cashier page. ``data.sign`` signs the other fields of ``data``."""
    order = call.emulator.create_card_order(
        call.merchant,
        call.new_order(operation.callback_field),
        currency=call.text("currency"),
        amount=parse_amount("amount", call.text("amount")),
        details={
            name: call.text(name) for name in ("products", "country", "email", "ip", "lanuage") if call.text(name)
        },
    )
    return views.card_order(order, views.cashier_url(call.base_url, order, call.merchant), call.merchant.secret_key)


HANDLERS: Mapping[str, Handler] = {
    "getWalletAddress": get_wallet_address,
    "withdraw": withdraw,
    "createFiatPayoutOrder": create_fiat_payout_order,
    "getMerchantBalance": get_merchant_balance,
    "getExchangeRate": get_exchange_rate,
    "getExchangeRateForCreditCard": get_exchange_rate_for_credit_card,
    "getOrderDetail": get_order_detail,
    "exchange": exchange,
    "submitKYC": submit_kyc,
    "pwpp": pwpp,
    "createOrder": create_order,
    "createOrderByCreditCard": create_order_by_credit_card,
}
"""The emulator's implementation of each ``operationId`` of ``openapi.yaml``."""


def stateless_handler(answer: StatelessAnswer, answered: Counter[str]) -> Handler:
    """The handler of an operation the emulator does not model: its fixed answer (counted), or code 1 and why."""
    operation_id, problem, data = answer.operation.operation_id, answer.operation.problem, answer.data

    def answer_from_spec(call: Call, operation: Operation) -> Any:
        if problem:
            raise OperationNotImplemented(f"the emulator does not model {operation_id} and cannot answer it: {problem}")
        answered[operation_id] += 1
        return data  # never changed: the envelope only serializes it

    return answer_from_spec


class OperationEndpoint:
    """The ASGI endpoint of one spec operation. Never raises: every outcome is an HTTP 200 envelope."""

    def __init__(
        self,
        emulator: Emulator,
        operation: Operation,
        public_url: str | None = None,
        faults: Faults | None = None,
        *,
        handler: Handler | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        self.emulator = emulator
        self.operation = operation
        self.handler: Handler = handler or HANDLERS[operation.operation_id]
        self.headers = headers
        self.public_url = public_url.rstrip("/") if public_url else None
        self.is_post = operation.method == "POST"
        self.faults = faults or Faults()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.faults.armed:
            await self._call_with_faults(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        traceid = new_traceid(self.emulator.clock.now_ms())
        try:
            query, body = await self._read(scope, receive)
            data = self._handle(scope, query, body)
            await self.emulator.store.flushed()  # committed before the client hears of it
            code, msg = 0, "success"
        except EmulatorError as error:
            code, msg, data = error.code, error.msg, error.data
            await self._flush_quietly()  # changes of other requests in this iteration, before the answer
        except Exception:
            logger.exception("unexpected error in %s (traceid %s)", self.operation.operation_id, traceid)
            code, msg, data = ErrorCode.FAIL, "fail", None
        scope["cpay.code"] = code
        await send_json(send, envelope(int(code), msg, data, traceid), headers=self.headers)

    async def _call_with_faults(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.faults.take(self.operation.operation_id)
        if faults.latency:
            await asyncio.sleep(faults.latency)  # real seconds: a slow network is slow whatever the clock says
        if faults.envelope is None and faults.drop is None:
            await self._serve(scope, receive, send)
            return
        if faults.envelope is not None:
            traceid = new_traceid(self.emulator.clock.now_ms())
            code, msg = faults.envelope.code, faults.envelope.msg
            try:
                await read_body(scope, receive)  # the request is taken, and not handled: no state changes
            except MalformedRequest as error:  # not even taken: the request's own error, as without the fault
                code, msg = int(error.code), error.msg
            scope["cpay.code"] = code
            await send_json(send, envelope(code, msg, None, traceid))
            return
        assert faults.drop is not None

        async def lost(message: Message) -> None:
            if message["type"] == "http.response.start":  # the answer exists, committed: lose it
                raise _Dropped

        try:
            await self._serve(scope, receive, lost)
        except _Dropped:
            await drop_response(scope, receive, faults.drop)

    async def _flush_quietly(self) -> None:
        try:
            await self.emulator.store.flushed()
        except Exception:
            logger.exception("commit failed")

    async def _read(self, scope: Scope, receive: Receive) -> tuple[bytes, bytes | None]:
        """The query string and, for POST, the form body, as received."""
        query: bytes = scope.get("query_string", b"")
        if not self.is_post:
            return query, None
        return query, form_body(scope, await read_body(scope, receive))

    def _secret_key(self, merchant_id: str) -> SecretKey | None:
        merchant = self.emulator.merchant(merchant_id)
        return merchant.secret_key if merchant is not None else None

    def _handle(self, scope: Scope, query: bytes, body: bytes | None) -> Any:
        try:
            verified = verify_request_parameters(query, body, secret_key=self._secret_key)
        except MalformedParametersError as error:
            raise MalformedRequest(str(error)) from None
        except SignatureError as error:
            raise signature_error(error, self.operation.sensitive_fields, self._secret_key) from None
        merchant = self.emulator.merchant(verified.merchant_id)
        assert merchant is not None  # the lookup above just found it
        values = self.operation.validate(verified.parameters)
        call = Call(self.emulator, merchant, values, verified.parameters, self.public_url or base_url(scope))
        return self.handler(call, self.operation)


class _Dropped(Exception):  # noqa: N818 - internal signal: the response is to be lost
    pass


def operation_endpoints(
    emulator: Emulator,
    operations: Mapping[str, Operation],
    public_url: str | None,
    coverage: SpecCoverage,
    *,
    faults: Faults | None = None,
) -> dict[str, tuple[str, OperationEndpoint]]:
    """``path -> (method, endpoint)`` of every operation of the spec; one without a handler answers statelessly."""
    endpoints = {}
    for operation_id, operation in operations.items():
        stateless = coverage.stateless.get(operation_id) if operation_id not in HANDLERS else None
        if stateless is None:
            endpoint = OperationEndpoint(emulator, operation, public_url, faults)
        else:
            header = (STATELESS_ANSWER_HEADER.encode(), stateless.operation.answer.encode())
            handler = stateless_handler(stateless, coverage.answered)
            endpoint = OperationEndpoint(emulator, operation, public_url, faults, handler=handler, headers=(header,))
        endpoints[operation.path] = (operation.method, endpoint)
    return endpoints
