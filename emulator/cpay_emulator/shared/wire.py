"""Reading parameters off the wire and writing the API's envelope, at the ASGI level (the hot path)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from cpay_emulator.shared.errors import MalformedRequest

__all__ = [
    "DROP_CONNECTION",
    "IncompleteBody",
    "base_url",
    "envelope",
    "form_body",
    "read_body",
    "send_json",
]

DROP_CONNECTION = "cpay.drop_connection"
"""The scope extension under which a server (``http_server``) offers to close the request's connection at once."""

_FORM = b"application/x-www-form-urlencoded"
_JSON_TYPE = (b"content-type", b"application/json")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per response
_MAX_BODY = 1 << 20  # 1 MiB: submitKYC's 1000 records fit; anything larger is not a C-Pay request


class IncompleteBody(MalformedRequest):
    """The request's body did not arrive whole: the client disconnected first, or it stopped short of its
    ``Content-Length``. Nothing may act on such a request (a handler would take half a write for a whole one).

    ``received``: the bytes that came; ``expected``: the ``Content-Length`` (``None`` for a chunked body);
    ``disconnected``: whether the client is gone (then no answer can reach it).
    """

    def __init__(self, received: int, expected: int | None, *, disconnected: bool) -> None:
        promised = f"of {expected} bytes (Content-Length)" if expected is not None else "bytes of a chunked body"
        why = "the client disconnected" if disconnected else "the body ended"
        super().__init__(f"the request body is incomplete: {why} after {received} {promised}")
        self.received = received
        self.expected = expected
        self.disconnected = disconnected


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None  # the server refused any other value already
    return None


async def read_body(scope: Scope, receive: Receive, limit: int = _MAX_BODY) -> bytes:
    """The request body, whole, at most ``limit`` bytes (1 MiB: a C-Pay request; the proxy allows more).

    The one reader of request bodies, for the emulator and the proxy. Raises ``IncompleteBody`` when the client
    disconnects before the last byte, or the body ends short of its ``Content-Length`` (an in-process server
    hands over whatever it was given); ``MalformedRequest`` when it is larger than ``limit``.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise IncompleteBody(size, _content_length(scope), disconnected=True)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            shown = f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit} bytes"
            raise MalformedRequest(f"the request body is larger than {shown}")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    expected = _content_length(scope)
    if expected is not None and size < expected:
        raise IncompleteBody(size, expected, disconnected=False)
    if expected is not None and size > expected:
        raise MalformedRequest(f"the request body has {size} bytes, more than its Content-Length ({expected})")
    return b"".join(chunks)


def form_body(scope: Scope, body: bytes) -> bytes:
    """The body of a POST, whose content type must be form encoding (or absent when the body is empty).

    The body is returned as received: ``cpay.verify_request_parameters`` decodes it with the query
    string, so the emulator reads parameters exactly as the toolkit signs them.
    """
    if not body:
        return body
    content_type = b""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.split(b";", 1)[0].strip().lower()
            break
    if content_type != _FORM:
        raise MalformedRequest(
            f"the body must be application/x-www-form-urlencoded, not {content_type.decode('latin-1') or 'untyped'}",
        )
    return body


def envelope(code: int, msg: str, data: Any, traceid: str) -> bytes:
    """The API's response body (every response): ``{code, msg, data, traceid}``.

    orjson writes the same bytes as the stdlib encoder with ``ensure_ascii=False`` and compact separators
    for the str/int/list/dict/None values the handlers answer, in about a tenth of the time (the envelope
    was ~5 % of a createOrder). Anything orjson refuses (an integer beyond 64 bits, a non-str key) goes
    through the stdlib encoder, as before.
    """
    body = {"code": code, "msg": msg, "data": data, "traceid": traceid}
    try:
        return orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _ENCODER.encode(body).encode()


async def send_json(send: Send, body: bytes, status: int = 200, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """Send a complete JSON response (``headers``: more headers, lowercase names)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [_JSON_TYPE, (b"content-length", b"%d" % len(body)), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


def base_url(scope: Scope) -> str:
    """``scheme://host[:port]`` the client used (the Host header, else the server address), no trailing slash."""
    scheme = scope.get("scheme", "http")
    for name, value in scope["headers"]:
        if name == b"host":
            return f"{scheme}://{value.decode('latin-1')}"
    server = scope.get("server")
    if server:
        host, port = server
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://localhost"
