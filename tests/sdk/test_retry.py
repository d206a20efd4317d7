"""``Retry-After`` parsing and the backoff of ``RetryPolicy`` (the client-level behaviour is in tests/client)."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from cpay._retry import MAX_RETRY_AFTER, RetryPolicy, retry_after_seconds


def headers(value: str | None) -> httpx.Headers:
    return httpx.Headers({} if value is None else {"Retry-After": value})


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), ("0", 0.0), ("1.5", 1.5), (" 7 ", 7.0)],
)
def test_retry_after_in_seconds(value: str, seconds: float) -> None:
    assert retry_after_seconds(headers(value)) == seconds


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "nan", "inf", "Mon, 99 Foo 2024 00:00:00 GMT"])
def test_a_missing_negative_or_unreadable_retry_after_is_none(value: str | None) -> None:
    assert retry_after_seconds(headers(value)) is None


def test_retry_after_as_a_date_counts_from_now() -> None:
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    seconds = retry_after_seconds(headers(in_a_minute))
    assert seconds is not None
    assert 57 < seconds <= 60


def test_a_date_in_the_past_means_now() -> None:
    assert retry_after_seconds(headers("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0


def test_a_date_without_a_known_zone_is_read_as_utc() -> None:
    in_a_minute = email.utils.formatdate(time.time() + 60).replace("+0000", "-0000")
    seconds = retry_after_seconds(headers(in_a_minute))
    assert seconds is not None
    assert 57 < seconds <= 60


def test_the_cap_on_retry_after_is_a_minute() -> None:
    assert MAX_RETRY_AFTER == 60.0
    policy = RetryPolicy()
    assert policy.delay_after_response(httpx.Response(429, headers={"Retry-After": "60"}), 0) == 60.0
    assert policy.delay_after_response(httpx.Response(429, headers={"Retry-After": "61"}), 0) is None


def test_the_backoff_doubles_and_stops_at_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    from cpay import _retry

    monkeypatch.setattr(_retry, "jitter", lambda: 0.0)
    policy = RetryPolicy(max_retries=1000, initial_delay=0.5, max_delay=8.0)
    assert [policy.backoff(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.backoff(10_000) == 8.0  # no overflow for absurd counts
