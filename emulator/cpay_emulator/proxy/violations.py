"""What the validating proxy found: one ``Violation`` per broken rule, kept in a bounded ``ViolationLog``.

A violation names its exchange (the proxy numbers every request it forwards), the operation, the direction
(``request`` or ``response``), the field and a message, and the exchange's ``traceid`` (C-Pay's id of the
request, from the answer's envelope). The log keeps the latest ``keep`` violations for ``GET
/_proxy/violations`` and counts every one, by operation, direction and field, for the reports written on exit
(``proxy.reports``). Nothing here reads a request: messages are built by ``proxy.inspection``, without the ``sign``
or any secret.

``header_value`` is the ``x-cpay-violations`` header: a JSON list, always complete JSON. Prism cuts its
``sl-violations`` header at about 8 KB and prefixes it with text, so a client cannot parse it; here a list
that would pass ``HEADER_LIMIT`` bytes keeps the violations that fit, whole, and ends with one entry saying
how many were left out and where to read them all (``/_proxy/violations?exchange=N``).
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
import orjson

__all__ = [
    "HEADER_LIMIT",
    "REQUEST",
    "RESPONSE",
    "FieldTally",
    "Violation",
    "ViolationLog",
    "header_value",
    "printable",
]

REQUEST = "request"
RESPONSE = "response"
HEADER_LIMIT = 8192
"""Bytes of ``x-cpay-violations`` at most: HTTP clients refuse a response head past 16 to 64 KiB in all."""
_EXAMPLES = 5


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``), for a log line, Markdown or XML.

    A path or a value comes from the client and may hold anything; a report or a log line must stay one line
    of text that a terminal or an XML parser reads as it is.
    """
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)


@attrs.frozen
class Violation:
    """One rule of ``openapi.yaml`` (or of the signature scheme, or the code book) that an exchange broke."""

    exchange: int
    operation_id: str | None
    method: str
    path: str
    direction: str
    field: str
    message: str
    traceid: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry of ``/_proxy/violations`` and ``x-cpay-violations``."""
        return {
            "exchange": self.exchange,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "direction": self.direction,
            "field": self.field,
            "message": self.message,
            "traceid": self.traceid,
        }


@attrs.define
class FieldTally:
    """How often one field of one operation broke a rule, in one direction, with the first few messages."""

    count: int = 0
    examples: list[tuple[str, str | None]] = attrs.Factory(list)
    """``(message, traceid)`` of the first distinct messages, at most five."""

    def add(self, violation: Violation) -> None:
        self.count += 1
        if len(self.examples) < _EXAMPLES and all(message != violation.message for message, _ in self.examples):
            self.examples.append((violation.message, violation.traceid))


def _operation_key(violation: Violation) -> str:
    return violation.operation_id or f"{violation.method} {violation.path} (not in openapi.yaml)"


class ViolationLog:
    """The violations of a proxy's run: the latest ``keep`` in full, and a tally of all of them.

    The tally is keyed by operation, direction and field, so its size is bounded by the spec (plus the paths
    outside it that were called), whatever the traffic. Single-threaded: the proxy's event loop owns it.
    """

    def __init__(self, keep: int = 10_000) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self._latest: collections.deque[Violation] = collections.deque(maxlen=keep)
        self.total = 0
        self.exchanges = 0
        self.proxy_errors = 0
        """Exchanges the proxy answered itself (413, 502, 504): the upstream was not heard."""
        self.aborted = 0
        """Requests that did not arrive whole (the client disconnected, or the body fell short of its
        Content-Length): never forwarded, recorded as aborted, and not counted in ``exchanges``."""
        self.exchanges_with_violations = 0
        self.operations: collections.Counter[str] = collections.Counter()
        """Exchanges per operation (or ``METHOD path (not in openapi.yaml)``)."""
        self.tally: dict[tuple[str, str, str], FieldTally] = {}

    def record_exchange(self, operation: str, violations: Iterable[Violation]) -> None:
        """Count one exchange of ``operation`` and keep its violations."""
        self.exchanges += 1
        self.operations[operation] += 1
        found = False
        for violation in violations:
            found = True
            self.total += 1
            self._latest.append(violation)
            key = (_operation_key(violation), violation.direction, violation.field)
            tally = self.tally.get(key)
            if tally is None:
                tally = self.tally[key] = FieldTally()
            tally.add(violation)
        if found:
            self.exchanges_with_violations += 1

    @property
    def dropped(self) -> int:
        """Violations no longer kept in full (the tally still counts them)."""
        return self.total - len(self._latest)

    def latest(
        self, *, exchange: int | None = None, operation_id: str | None = None, direction: str | None = None
    ) -> Iterator[Violation]:
        """The kept violations, oldest first, optionally of one exchange, operation or direction."""
        for violation in self._latest:
            if exchange is not None and violation.exchange != exchange:
                continue
            if operation_id is not None and violation.operation_id != operation_id:
                continue
            if direction is not None and violation.direction != direction:
                continue
            yield violation

    def summary(self) -> dict[str, int]:
        """The counts of ``GET /_proxy/summary``."""
        counts = self.counts_by_direction()
        return {
            "exchanges": self.exchanges,
            "exchangesWithViolations": self.exchanges_with_violations,
            "violations": self.total,
            "requestViolations": counts[REQUEST],
            "responseViolations": counts[RESPONSE],
            "notListed": self.dropped,
            "proxyErrors": self.proxy_errors,
            "aborted": self.aborted,
        }

    def counts_by_direction(self) -> dict[str, int]:
        """Violations counted per direction (``request``, ``response``)."""
        counts = {REQUEST: 0, RESPONSE: 0}
        for (_, direction, _), tally in self.tally.items():
            counts[direction] = counts.get(direction, 0) + tally.count
        return counts


def header_value(violations: list[Violation], exchange: int, limit: int = HEADER_LIMIT) -> bytes:
    """``x-cpay-violations``: the exchange's violations as a JSON list of ASCII, at most ``limit`` bytes.

    Past the limit, the list keeps the first violations that fit, whole, and ends with an entry saying how many
    were left out and that ``GET /_proxy/violations?exchange=<n>`` has them all. It is never cut mid-entry.
    """
    if not violations:
        return b"[]"
    entries = [orjson.dumps(violation.to_json()) for violation in violations]
    whole = b"[" + b",".join(entries) + b"]"
    if len(whole) <= limit and whole.isascii():
        return whole
    entries = [_ascii_json(violation.to_json()) for violation in violations]
    whole = b"[" + b",".join(entries) + b"]"
    if len(whole) <= limit:
        return whole
    kept: list[bytes] = []
    size = 2
    reserve = 400  # the closing entry
    for entry in entries:
        if size + len(entry) + 1 + reserve > limit:
            break
        kept.append(entry)
        size += len(entry) + 1
    left_out = len(entries) - len(kept)
    first = violations[0]
    note = _ascii_json(
        {
            "exchange": exchange,
            "operationId": first.operation_id,
            "method": first.method,
            "path": first.path,
            "direction": "proxy",
            "field": "x-cpay-violations",
            "message": f"{left_out} more violation(s) of this exchange are not in this header (kept under "
            f"{limit} bytes for HTTP clients): GET /_proxy/violations?exchange={exchange} lists all "
            f"{len(entries)}",
            "traceid": first.traceid,
        }
    )
    return b"[" + b",".join([*kept, note]) + b"]"


def _ascii_json(value: Any) -> bytes:
    """JSON with every non-ASCII character escaped (``\\u00e9``): a header value must be ASCII."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")
