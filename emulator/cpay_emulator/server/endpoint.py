"""The C-Pay API's endpoints: one ASGI endpoint per operation of ``openapi.yaml``, each answering with the envelope.

Every request is answered HTTP 200 with ``{code, msg, data, traceid}``: the steps are read the query string
(and for POST the form body), check ``merchantId`` and ``sign`` over the parameters of both with
``cpay.verify_request_parameters`` (section 16: the one verifier of the toolkit, which finds the
credentials in either place, as C-Pay reads both), check the caller's address against the merchant's IP
allowlist, validate against the spec, then call the operation's handler (``server.api.HANDLERS``). Any failure becomes
a non-zero ``code``; an unexpected exception is logged and answered with code 1, never a 5xx.

Armed faults (``server.faults``) apply here, when any is armed: a forced envelope is answered before the request is
handled (no state changes), latency is waited out first, and a dropped response is lost after the commit.

An operation without a handler in ``HANDLERS`` goes through the same steps and answers the fixed value
``server.coverage`` chose for it from the spec; its answers carry the header ``x-cpay-emulator-answer`` (``example`` or
``generated``), so a client or a conformance check can tell them from the emulator's own.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from cpay import (
    MalformedParametersError,
    SecretKey,
    SignatureError,
    verify_request_parameters,
)
from cpay_emulator.backends.service import Emulator
from cpay_emulator.server.api import HANDLERS, Call, Handler
from cpay_emulator.server.coverage import SpecCoverage, StatelessAnswer
from cpay_emulator.server.faults import Faults, drop_response
from cpay_emulator.shared.errors import (
    EmulatorError,
    ErrorCode,
    IllegalIp,
    MalformedRequest,
    OperationNotImplemented,
    signature_error,
)
from cpay_emulator.shared.spec import Operation
from cpay_emulator.shared.wire import base_url, envelope, form_body, read_body, send_json

__all__ = ["STATELESS_ANSWER_HEADER", "OperationEndpoint", "operation_endpoints", "stateless_handler"]

logger = logging.getLogger("cpay_emulator")

STATELESS_ANSWER_HEADER = "x-cpay-emulator-answer"
"""Marks the answers of an operation the emulator does not model: ``example`` or ``generated`` (``server.coverage``)."""


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
        traceid = self.emulator.ids.traceid(self.emulator.clock.now_ms())
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
            traceid = self.emulator.ids.traceid(self.emulator.clock.now_ms())
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
        merchant = self.emulator.merchant_registry.get(merchant_id)
        return merchant.secret_key if merchant is not None else None

    def _handle(self, scope: Scope, query: bytes, body: bytes | None) -> Any:
        try:
            verified = verify_request_parameters(query, body, secret_key=self._secret_key)
        except MalformedParametersError as error:
            raise MalformedRequest(str(error)) from None
        except SignatureError as error:
            raise signature_error(error, self.operation.sensitive_fields, self._secret_key) from None
        merchant = self.emulator.merchant_registry.get(verified.merchant_id)
        assert merchant is not None  # the lookup above just found it
        if merchant.ip_allowlist:
            client = scope.get("client")
            peer = client[0] if client else None
            if not merchant.allows(peer):
                raise IllegalIp(
                    f"illegal IP: {peer or 'unknown'} is not on merchant {merchant.merchant_id}'s whitelist"
                )
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
