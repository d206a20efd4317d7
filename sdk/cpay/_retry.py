"""When a read-only call (GET) is sent again, and how long the client waits first.

The rules follow openai-python's client (``_should_retry``, ``_calculate_retry_timeout``,
``_parse_retry_after_header``): a timeout, a failed or dropped connection, HTTP 408, 429 and 5xx are retried;
the wait doubles from ``initial_delay`` up to ``max_delay``, less up to a quarter of jitter, so that clients
that failed together do not come back together; a ``Retry-After`` header (seconds or an HTTP date) replaces
the computed wait, and one longer than ``MAX_RETRY_AFTER`` stops the retries (waiting less than the server
asked would only be refused again, waiting longer would hold the caller for minutes).

Only ``_runtime`` uses this, and only for GET: a write (POST) is never re-sent on these grounds.

``sleep``, ``async_sleep`` and ``jitter`` are looked up at call time, so a test patches them
(``monkeypatch.setattr(cpay._retry, "sleep", ...)``) instead of waiting real seconds.

Why not tenacity, backoff or stamina: the waits are a few lines, and what decides a retry is an HTTP answer
(its status, its ``Retry-After``) that each of them would reach through a predicate written here anyway;
openai-python and stripe-python write theirs for the same reason, and the SDK's install stays small.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from datetime import UTC
from typing import Final

import attrs
import httpx

__all__ = [
    "DEFAULT_INITIAL_RETRY_DELAY",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "RetryPolicy",
    "retry_after_seconds",
]

DEFAULT_MAX_RETRIES: Final = 2
"""Retries of a failed read-only call, as in openai-python: three attempts in all."""
DEFAULT_INITIAL_RETRY_DELAY: Final = 0.5
"""Seconds before the first retry (before jitter); each further retry waits twice as long."""
DEFAULT_MAX_RETRY_DELAY: Final = 8.0
"""The longest computed wait between two attempts, in seconds."""
MAX_RETRY_AFTER: Final = 60.0
"""The longest ``Retry-After`` the client waits for; beyond it, the response is returned without a retry."""

_RETRIED_STATUSES: Final = frozenset({408, 429})


def sleep(seconds: float) -> None:
    """Wait before a retry (sync calls)."""
    time.sleep(seconds)


async def async_sleep(seconds: float) -> None:
    """Wait before a retry (async calls)."""
    await asyncio.sleep(seconds)


def jitter() -> float:
    """A number in [0, 1): the share of the quarter that is taken off a computed wait."""
    return random.random()  # noqa: S311 - spreading retries in time, not a secret


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How many times a failed read-only call is sent again, and the bounds of the wait in between."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = DEFAULT_INITIAL_RETRY_DELAY
    max_delay: float = DEFAULT_MAX_RETRY_DELAY

    def __attrs_post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be an int, 0 or more, not {self.max_retries!r}")
        for name, value in (("initial_retry_delay", self.initial_delay), ("max_retry_delay", self.max_delay)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
                raise ValueError(f"{name} must be a finite number of seconds, 0 or more, not {value!r}")
        if self.initial_delay > self.max_delay:
            raise ValueError(
                f"initial_retry_delay ({self.initial_delay}) is longer than max_retry_delay ({self.max_delay})"
            )

    def backoff(self, retry_number: int) -> float:
        """The wait before retry ``retry_number`` (0 for the first): doubling, capped, less up to 25 % jitter."""
        delay = min(self.initial_delay * 2.0 ** min(retry_number, 64), self.max_delay)
        return delay * (1.0 - 0.25 * jitter())

    def delay_after_error(self, error: httpx.TransportError, retry_number: int) -> float | None:
        """The wait before sending again after ``error``, or ``None`` when it is not worth a retry."""
        if retry_number >= self.max_retries or not is_transient(error):
            return None
        return self.backoff(retry_number)

    def delay_after_response(self, response: httpx.Response, retry_number: int) -> float | None:
        """The wait before sending again after ``response``, or ``None`` to return it to the caller."""
        if retry_number >= self.max_retries:
            return None
        status = response.status_code
        if status < 500 and status not in _RETRIED_STATUSES:
            return None
        server_delay = retry_after_seconds(response.headers)
        if server_delay is None:
            return self.backoff(retry_number)
        return server_delay if server_delay <= MAX_RETRY_AFTER else None


def is_transient(error: httpx.TransportError) -> bool:
    """Whether sending again may succeed: a timeout, a failed, reset or dropped connection.

    Not retried: ``LocalProtocolError`` and ``UnsupportedProtocol`` (the request itself is wrong) and
    ``ProxyError`` (the proxy's configuration).
    """
    return isinstance(error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (0 for a date in the past); ``None`` if absent
    or unreadable. Both forms of RFC 9110 are read: ``120`` and ``Wed, 21 Oct 2015 07:28:00 GMT``; a
    fractional number of seconds is accepted too, a negative one is not."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            date = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        # An HTTP date is always GMT; "-0000" (RFC 5322's "UTC, source unknown") parses as naive.
        return max(date.replace(tzinfo=date.tzinfo or UTC).timestamp() - time.time(), 0.0)
    return seconds if 0 <= seconds < math.inf else None
