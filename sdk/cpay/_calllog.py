"""What the client logs: one line per HTTP exchange on the ``cpay`` logger, never a secret or a ``sign``.

* INFO: ``operation=getOrderDetail status=200 code=0 traceid=... duration_ms=3.1 attempt=1`` for each request
  sent (a retry is a new line with the next ``attempt``); WARNING for a failed exchange (no response, HTTP
  429 or 5xx), with ``retry_in_s`` when the client will try again, and for each step of lost-response
  recovery.
* DEBUG adds, before each request, its parameters with ``sign`` replaced by ``***`` and the sensitive fields
  and any value that contains the secret key masked by ``mask_sensitive`` (``_masking``: the card number keeps
  its last four digits, ``cvv`` and ``expDate`` become ``***``). URLs are never logged: a GET's URL carries
  its ``sign``.

``CPAY_LOG=info`` or ``CPAY_LOG=debug`` in the environment (read by ``create_client``) sets the logger's
level and, when the program has configured no logging handler, prints to stderr, like ``OPENAI_LOG`` and
``STRIPE_LOG``; or configure ``logging.getLogger("cpay")`` as any standard logger.

httpx's own INFO line (``HTTP Request: GET https://...?...&sign=...``) shows a GET's ``sign``;
``redact_httpx_request_lines`` installs a filter on the ``httpx`` logger that masks it.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from typing import Final
from urllib.parse import parse_qsl

import httpx

from cpay._masking import MASK, SENSITIVE_FIELDS, mask_sensitive
from cpay._secret import SecretKey

__all__ = [
    "LOG_ENVIRONMENT_VARIABLE",
    "MASK",
    "configure_from_environment",
    "log_exchange",
    "log_parameters",
    "logger",
    "operation_of",
    "redact_httpx_request_lines",
]

logger: Final = logging.getLogger("cpay")
LOG_ENVIRONMENT_VARIABLE: Final = "CPAY_LOG"
_NEVER_LOGGED: Final = SENSITIVE_FIELDS | {"sign"}

_LEVELS: Final = {"info": logging.INFO, "debug": logging.DEBUG}
_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SIGN_IN_URL: Final = re.compile(r"([?&]sign=)[^&#]*")


def configure_from_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Apply ``CPAY_LOG`` (``info`` or ``debug``; unset or empty leaves logging alone).

    Raises ``ValueError`` for any other value, naming the ones that work.
    """
    value = environ.get(LOG_ENVIRONMENT_VARIABLE, "").strip().lower()
    if not value:
        return
    if value not in _LEVELS:
        raise ValueError(f"{LOG_ENVIRONMENT_VARIABLE}={value[:20]!r}: use 'info' or 'debug'")
    logger.setLevel(_LEVELS[value])
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)


def operation_of(url: httpx.URL) -> str:
    """The operation a request calls: its path's last segment, which is the operationId in C-Pay's API."""
    path = url.path
    return path[path.rfind("/") + 1 :] or path


def log_parameters(request: httpx.Request, secret_key: SecretKey) -> None:
    """DEBUG: the parameters a request carries (query string and form body), masked."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    encoded = [request.url.query]
    if request.content:
        encoded.append(request.content)
    sent = {
        name: value
        for part in encoded
        for name, value in parse_qsl(part.decode("utf-8", "replace"), keep_blank_values=True)
    }
    parameters = mask_sensitive(sent, sensitive=_NEVER_LOGGED, secret=secret_key)
    logger.debug("operation=%s method=%s parameters=%r", operation_of(request.url), request.method, parameters)


def log_exchange(
    request: httpx.Request,
    attempt: int,
    seconds: float,
    response: httpx.Response | None,
    error: httpx.TransportError | None,
    retry_in: float | None,
) -> None:
    """INFO (WARNING when it failed): the outcome of one request."""
    failed = response is None or response.status_code == 429 or response.status_code >= 500
    level = logging.WARNING if failed else logging.INFO
    if not logger.isEnabledFor(level):
        return
    if response is None:
        outcome = f"error={type(error).__name__}"
    else:
        code, traceid = _envelope_fields(response)
        outcome = f"status={response.status_code} code={code} traceid={traceid}"
    retry = "" if retry_in is None else f" retry_in_s={retry_in:.2f}"
    logger.log(
        level,
        "operation=%s %s duration_ms=%.1f attempt=%d%s",
        operation_of(request.url),
        outcome,
        seconds * 1000,
        attempt,
        retry,
    )


def _envelope_fields(response: httpx.Response) -> tuple[object, object]:
    """The envelope's ``code`` and ``traceid``, or ``-`` for what the body does not have."""
    try:
        payload = json.loads(response.content)
    except ValueError:
        return "-", "-"
    if not isinstance(payload, dict):
        return "-", "-"
    code = payload.get("code", "-")
    traceid = payload.get("traceid") or "-"
    return code, traceid


class _RedactSign(logging.Filter):
    """Masks ``sign=...`` in the URLs of httpx's ``HTTP Request: ...`` lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) for arg in record.args):
            record.args = tuple(
                _SIGN_IN_URL.sub(rf"\g<1>{MASK}", str(arg)) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


def redact_httpx_request_lines() -> None:
    """Install (once) the filter that keeps ``sign`` out of the ``httpx`` logger's request lines."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(existing, _RedactSign) for existing in httpx_logger.filters):
        httpx_logger.addFilter(_RedactSign())
