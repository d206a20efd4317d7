"""``--record FILE``: each exchange through the proxy as one JSON line, in a file of bounded size, rotated.

A webhook notification the proxy relayed to the merchant's endpoint (``--webhook-upstream``) is a line too, of
``kind`` ``webhook``: its fields with their JSON types and its ``format``, the ``sign`` replaced by its status,
and the merchant's reply as text (``Recorder.record_notification``).

A line holds the time, the exchange's number, the operation, where the credentials travelled (``credentials``:
``query``, ``body``, ``mixed`` or ``none``), the request's parameters and headers, the HTTP status, the
response's headers and body (parsed JSON, or its text) and the violations. Nothing secret is written, and
everything is masked before it is serialized (``_redaction.Redactor.scrub``):

* ``sign`` is replaced by what the proxy knows of it (``valid``, ``invalid``, ``missing``, ``unchecked``), in
  the request and inside the response's ``data``; any other appearance of the request's ``sign`` becomes
  ``<sign>``;
* a configured secret key becomes ``***`` wherever it appears (a parameter, a header, an upstream's echo) and
  however it was encoded there (raw, JSON-escaped, percent- or form-encoded);
* the fields the spec marks ``x-cpay-sensitive`` (pwpp's card data) are masked by ``cpay.mask_sensitive``
  (``cardNumber`` keeps its last four digits, as on a receipt; ``replay`` sends test values in their place),
  in the request, under those names anywhere in the response, and wherever the request's values reappear in
  a text (an upstream's ``msg`` that quotes them);
* credential headers (``Authorization``, ``Cookie``, ``Set-Cookie``...) are recorded as ``***``.

The file grows to ``max_bytes`` and is then rotated like ``logging.handlers.RotatingFileHandler``: ``FILE``
becomes ``FILE.1``, ``FILE.1`` becomes ``FILE.2``..., and ``FILE.<keep>`` is deleted. Each line is written
with one ``write`` and flushed, so a reader (a test, ``replay``) sees whole lines only. A single line longer
than ``max_bytes`` is still written whole, alone in its file.

The scheme is ``RotatingFileHandler``'s, but not the handler: it writes text and weighs each line in characters
against a limit in bytes (a remark or a card holder's name need not be ASCII), rotates when a line would exactly
fill the file, never rotates with ``backupCount=0`` (the file then grows without bound, where ``keep=0`` here
starts it afresh), and reports a full disk by printing a traceback to standard error (``handleError``) where the
proxy logs one line and keeps relaying. The renames it would save are the ten lines of ``_rotate``.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs
import orjson

from cpay import mask_sensitive
from cpay_emulator.proxy.inspection import RequestFindings, ResponseFindings
from cpay_emulator.proxy.notifications import NotificationFindings
from cpay_emulator.proxy.violations import Violation
from cpay_emulator.shared.redaction import Redactor
from cpay_emulator.shared.spec import SIGN

__all__ = ["DEFAULT_KEEP", "DEFAULT_MAX_BYTES", "Recorder", "read_recording", "read_recording_lines", "recording_files"]

Headers = Sequence[tuple[bytes, bytes]]

logger = logging.getLogger("cpay_emulator.proxy")

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_KEEP = 3


def _with_sign_status(value: Any, status: str | None) -> Any:
    if status is not None and isinstance(value, dict) and isinstance(value.get("data"), dict):
        return {**value, "data": {**value["data"], SIGN: status}}
    return value


@attrs.define
class Recorder:
    """Appends one JSON line per exchange to ``path``, rotating past ``max_bytes`` and keeping ``keep`` old files."""

    path: Path
    redactor: Redactor
    max_bytes: int = DEFAULT_MAX_BYTES
    keep: int = DEFAULT_KEEP
    _stream: IO[bytes] | None = attrs.field(default=None, init=False)
    _size: int = attrs.field(default=0, init=False)

    def __attrs_post_init__(self) -> None:
        if self.max_bytes < 1:
            raise ValueError("the recording's size limit must be at least 1 byte")
        if self.keep < 0:
            raise ValueError("the number of rotated recordings to keep cannot be negative")
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def record(
        self,
        *,
        exchange: int,
        method: str,
        path: str,
        request: RequestFindings,
        status: int | None,
        response: ResponseFindings | None,
        response_text: str | None,
        violations: Iterable[Violation],
        duration_ms: float,
        error: str | None = None,
        aborted: bool = False,
        request_headers: Headers = (),
        response_headers: Headers = (),
    ) -> None:
        """Write the exchange (``status``/``response`` ``None`` when the proxy answered itself: see ``error``;
        ``aborted``: the request did not arrive whole and was not forwarded)."""
        redactor, sign, values = self.redactor, request.sign_value, request.sensitive_values
        parameters = {name: value for name, value in request.parameters.items() if name != SIGN}
        parameters = mask_sensitive(parameters, sensitive=redactor.sensitive)
        parameters[SIGN] = request.sign
        body = (
            _with_sign_status(response.body, response.data_sign)
            if response is not None and response.body is not None
            else response_text
        )
        entry: dict[str, Any] = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "exchange": exchange,
            "operationId": request.operation_id,
            "method": method,
            "path": path,
            "merchantId": request.merchant_id,
            "credentials": request.credentials,
            "request": parameters,
            "requestHeaders": redactor.headers(request_headers, sign, values),
            "status": status,
            "responseHeaders": redactor.headers(response_headers, sign, values),
            "response": body,
            "violations": [violation.to_json() for violation in violations],
            "durationMs": round(duration_ms, 3),
        }
        if error is not None:
            entry["error"] = error
        if aborted:
            entry["aborted"] = True
        line = orjson.dumps(redactor.scrub(entry, sign, values)) + b"\n"
        try:
            self._write(line)
        except OSError as failure:  # a full disk must not stop the traffic: say so, and go on
            logger.error("cannot record exchange %d to %s: %s", exchange, self.path, failure)
            self.close()

    def record_notification(
        self,
        *,
        exchange: int,
        path: str,
        notification: NotificationFindings,
        status: int | None,
        reply: bytes,
        violations: Iterable[Violation],
        duration_ms: float,
        error: str | None = None,
        request_headers: Headers = (),
        response_headers: Headers = (),
    ) -> None:
        """Write a webhook exchange: the notification's fields with their JSON types (``sign`` as its status), the
        format it came in, and the merchant's reply as text (``status`` ``None``: the proxy answered, see
        ``error``). ``kind`` is ``webhook``, which ``replay`` skips and ``spec suggest`` reads."""
        redactor, sign = self.redactor, notification.sign_value
        fields = dict(notification.fields)
        if notification.body_format is not None:
            fields[SIGN] = notification.sign
        entry: dict[str, Any] = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "kind": "webhook",
            "exchange": exchange,
            "operationId": notification.webhook,
            "method": "POST",
            "path": path,
            "merchantId": notification.merchant_id,
            "format": notification.body_format,
            "request": fields,
            "requestHeaders": redactor.headers(request_headers, sign),
            "status": status,
            "responseHeaders": redactor.headers(response_headers, sign),
            "response": reply.decode("utf-8", "replace") if status is not None else None,
            "violations": [violation.to_json() for violation in violations],
            "durationMs": round(duration_ms, 3),
        }
        if error is not None:
            entry["error"] = error
        line = orjson.dumps(redactor.scrub(entry, sign)) + b"\n"
        try:
            self._write(line)
        except OSError as failure:
            logger.error("cannot record exchange %d to %s: %s", exchange, self.path, failure)
            self.close()

    def _write(self, line: bytes) -> None:
        if self._stream is None:
            self._open()
        if self._size and self._size + len(line) > self.max_bytes:
            self._rotate()
        stream = self._stream
        assert stream is not None
        stream.write(line)
        stream.flush()
        self._size += len(line)

    def _open(self) -> None:
        self._stream = open(self.path, "ab")  # noqa: SIM115 - held open across exchanges, closed by close()
        self._size = self._stream.tell()

    def _rotate(self) -> None:
        self.close()
        if self.keep == 0:
            self.path.unlink(missing_ok=True)
        else:
            for number in range(self.keep - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{number}")
                if older.exists():
                    os.replace(older, self.path.with_name(f"{self.path.name}.{number + 1}"))
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        self._open()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def recording_files(path: Path) -> list[Path]:
    """``path`` and its rotated files that exist, oldest first (``FILE.3``, ``FILE.2``, ``FILE.1``, ``FILE``)."""
    rotated = []
    for candidate in path.parent.glob(f"{path.name}.*"):
        suffix = candidate.name[len(path.name) + 1 :]
        if suffix.isdigit():
            rotated.append((int(suffix), candidate))
    ordered = [candidate for _, candidate in sorted(rotated, reverse=True)]
    return [*ordered, path] if path.exists() else ordered


def read_recording(path: Path) -> Iterator[dict[str, Any]]:
    """The exchanges of one recording file, in order; ``ValueError`` naming the line that is not a record."""
    for _, entry in read_recording_lines(path):
        yield entry


def read_recording_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, exchange)`` of one recording file, in order (``spec suggest`` cites the line of its evidence);
    ``ValueError`` naming the line that is not a record."""
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise ValueError(f"{path}:{number}: not a JSON line of a proxy recording") from None
            if not isinstance(entry, dict) or "request" not in entry or "method" not in entry:
                raise ValueError(f"{path}:{number}: not an exchange of a proxy recording")
            yield number, entry
