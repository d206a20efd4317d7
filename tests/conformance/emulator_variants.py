"""Deliberately broken variants of the emulator: ASGI wrappers that each plant one defect in the real app."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cpay import (
    MalformedParametersError,
    SignatureError,
    SignatureProblem,
    sign_request_parameters,
    verify_request_parameters,
)

__all__ = ["AcceptBadSign", "AnswerNotFound", "DropHeader", "ErrorOn", "RewriteData"]


class RewriteData:
    """Rewrite the successful answers of one operation (a wrong type, a dropped field, a lost order)."""

    def __init__(self, app: ASGIApp, operation_id: str, rewrite: Callable[[Any], Any]) -> None:
        self.app = app
        self.path = f"/openapi/v1/{operation_id}"
        self.rewrite = rewrite
        self.rewrite_envelope: Callable[[dict[str, Any]], dict[str, Any]] = self._rewrite_data

    def _rewrite_data(self, document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "data": self.rewrite(document["data"])}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        start, body = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
        document = json.loads(body)
        if document.get("code") == 0:
            document = self.rewrite_envelope(document)
        body = json.dumps(document).encode()
        headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class ErrorOn:
    """Answer HTTP 500 to one operation when its query string matches ``predicate`` (a crash on some input)."""

    def __init__(self, app: ASGIApp, operation_id: str, predicate: Callable[[dict[str, str]], bool]) -> None:
        self.app = app
        self.path = f"/openapi/v1/{operation_id}"
        self.predicate = predicate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            if self.predicate(query):
                await send(
                    {"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]}
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
                return
        await self.app(scope, receive, send)


class AcceptBadSign:
    """Replace a present but wrong ``sign`` of a GET request with the right one: a server that accepts bad signs."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.secret_key = secret_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            query = scope.get("query_string", b"")
            try:
                verify_request_parameters(query, None, secret_key=self.secret_key)
            except SignatureError as error:
                if error.problem is SignatureProblem.MISMATCH:
                    merchant_id = error.fields["merchantId"]
                    query, _ = sign_request_parameters(query, None, merchant_id=merchant_id, secret_key=self.secret_key)
                    scope = {**scope, "query_string": query}
            except MalformedParametersError:
                pass  # the emulator answers it as malformed, sign or not
        await self.app(scope, receive, send)


class AnswerNotFound:
    """Turn every successful answer of one operation into ORDER_NOT_FOUND (an order store that loses orders)."""

    def __init__(self, app: ASGIApp, operation_id: str) -> None:
        self.rewrite = RewriteData(app, operation_id, lambda data: data)
        self.rewrite.rewrite_envelope = self._not_found

    @staticmethod
    def _not_found(document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "code": 10202, "msg": "order not found", "data": None}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.rewrite(scope, receive, send)


class DropHeader:
    """Remove one response header from every answer (an emulator that does not mark its stateless answers)."""

    def __init__(self, app: ASGIApp, name: bytes) -> None:
        self.app = app
        self.name = name.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def without_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(k, v) for k, v in message["headers"] if k.lower() != self.name]}
            await send(message)

        await self.app(scope, receive, without_header)
