"""What the proxy relays of an exchange, in each direction, and what it refuses to relay (its own 502).

A proxy passes on end-to-end headers only (RFC 9110, 7.6.1): the hop-by-hop ones (``Connection``,
``Transfer-Encoding``...) and those a ``Connection`` header names belong to one connection. The answer's
headers lose, besides, any header in the proxy's own namespace (``x-cpay-``): the proxy adds
``x-cpay-exchange`` and ``x-cpay-violations`` itself, and an upstream's header of that name (or a forged
``x-cpay-violations: []``) must not sit beside them or be read as the proxy's. ``x-cpay-emulator-`` is the
emulator's own namespace (``x-cpay-emulator-answer``) and passes.

Some answers cannot be passed on honestly, whatever a forwarder made of them; ``refusal`` names why, and the
proxy answers 502 and records it:

* a final status outside 200-599: ``1xx`` is never final (an unrequested ``101`` would switch a connection the
  client never asked to switch), and a server cannot send ``999``;
* a header no server may write (a name that is not a token, a control character in a value): uvicorn would
  raise on it, and the exchange would end in a traceback instead of an answer;
* a ``Transfer-Encoding`` other than one ``chunked`` (``gzip, chunked``, ``chunked, chunked``): the forwarder
  undid the chunking once, the rest of the coding is still on the bytes, and relaying them without it (it is
  hop-by-hop) would hand the client gzip bytes labelled as plain content. Turning it into ``Content-Encoding``
  would change what the representation is (its length, its ETag), so it is refused.

Trailers are never relayed as headers: a forwarder returns the header section only (``proxy.forwarding``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "HOP_BY_HOP",
    "PROXY_NAMESPACE",
    "answer_headers",
    "connection_listed",
    "header",
    "refusal",
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
PROXY_NAMESPACE = b"x-cpay-"
"""The proxy's own headers' prefix; an upstream's header in it is dropped (but ``x-cpay-emulator-``)."""
_EMULATOR_NAMESPACE = b"x-cpay-emulator-"
_REQUEST_DROPPED = HOP_BY_HOP | {b"host", b"content-length", b"expect"}
_ANSWER_DROPPED = HOP_BY_HOP | {b"content-length"}
_NOT_A_TOKEN = re.compile(rb"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")  # RFC 9110 5.6.2: what a header name is made of
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # 5.5: no control character but HTAB in a value


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
    """The upstream's headers to relay: end-to-end, no ``Content-Length`` (the proxy writes its own), and none in
    the proxy's ``x-cpay-`` namespace."""
    headers = list(headers)
    dropped = _ANSWER_DROPPED | connection_listed(headers)
    relayed = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in dropped or (lowered.startswith(PROXY_NAMESPACE) and not lowered.startswith(_EMULATOR_NAMESPACE)):
            continue
        relayed.append((name, value))
    return relayed


def refusal(status: int, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """Why the answer cannot be relayed honestly (the proxy answers 502), or ``None`` when it can."""
    if not 200 <= status <= 599:
        kind = "an informational status, never a final answer" if 100 <= status <= 199 else "not an HTTP status"
        return f"the upstream answered status {status}: {kind}"
    for name, value in headers:
        if not name or _NOT_A_TOKEN.search(name) or _CONTROL.search(value):
            return f"the upstream sent a header no HTTP server may write: {name[:40]!r}"
        if name.lower() == b"transfer-encoding":
            codings = [coding.strip().lower() for coding in value.split(b",")]
            if codings != [b"chunked"]:  # RFC 9112 6.1: chunked once, last; anything else is on the bytes still
                shown = value.decode("latin-1")
                return f"the upstream's Transfer-Encoding {shown!r} cannot be passed on (only chunked is undone)"
    return None
