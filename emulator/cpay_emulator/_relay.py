"""What the proxy relays of an exchange, in each direction: the end-to-end headers.

A proxy passes on end-to-end headers only (RFC 9110, 7.6.1): the hop-by-hop ones (``Connection``,
``Transfer-Encoding``...) and those a ``Connection`` header names belong to one connection.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "HOP_BY_HOP",
    "answer_headers",
    "connection_listed",
    "header",
    "request_headers",
]

Headers = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)
"""Headers of one connection (RFC 9110, 7.6.1), never forwarded; a ``Connection`` header may name more."""
_REQUEST_DROPPED = HOP_BY_HOP | {b"host", b"content-length", b"expect"}
_ANSWER_DROPPED = HOP_BY_HOP | {b"content-length"}


def connection_listed(headers: Iterable[tuple[bytes, bytes]]) -> set[bytes]:
    """The header names a ``Connection`` header lists: hop-by-hop too."""
    listed: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            listed.update(token.strip().lower() for token in value.split(b","))
    return listed


def header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> str:
    """The first value of the header ``wanted`` (a lowercase name), or ``""``."""
    for name, value in headers:
        if name.lower() == wanted:
            return value.decode("latin-1")
    return ""


def request_headers(headers: Iterable[tuple[bytes, bytes]]) -> Headers:
    """The client's headers to send upstream: the end-to-end ones, without ``Host``, ``Content-Length``, ``Expect``."""
    headers = list(headers)
    dropped = _REQUEST_DROPPED | connection_listed(headers)
    return [(name, value) for name, value in headers if name.lower() not in dropped]


def answer_headers(headers: Iterable[tuple[bytes, bytes]]) -> Headers:
    """The upstream's headers to relay: the end-to-end ones, no ``Content-Length`` (the proxy writes its own)."""
    headers = list(headers)
    dropped = _ANSWER_DROPPED | connection_listed(headers)
    return [(name, value) for name, value in headers if name.lower() not in dropped]
