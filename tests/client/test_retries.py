"""Read-only calls (GET) are retried on transient failures with backoff and jitter; writes never are.

Every test runs a ``create_client`` client against a scripted ``httpx.MockTransport``; the waits are recorded
by the ``sleeps`` fixture instead of slept.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Iterator

import httpx
import pytest

from cpay import (
    DEFAULT_INITIAL_RETRY_DELAY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_DELAY,
    BusinessError,
    TransportError,
    UnexpectedResponseError,
    _retry,
    create_client,
    unwrap,
)
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderRequest

from .conftest import MERCHANT_ID, SECRET_KEY
from .runtime_doubles import Script, client_for, envelope

BALANCES = [{"availableBalance": "10", "freezeBalance": "0", "cryptoCurrency": "USDT"}]


def an_order() -> CreateOrderRequest:
    return CreateOrderRequest.from_dict(
        {"merchantTradeNo": "m-1", "createTime": 1, "userId": "u-1", "amount": "3", "cryptoCurrency": "USDT"}
    )


def unavailable(**headers: str) -> httpx.Response:
    return httpx.Response(503, text="busy", headers=headers)


def test_the_defaults_are_openai_pythons() -> None:
    assert (DEFAULT_MAX_RETRIES, DEFAULT_INITIAL_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY) == (2, 0.5, 8.0)


def test_a_read_is_retried_twice_by_default_with_doubling_waits(sleeps: list[float]) -> None:
    script = Script(unavailable(), unavailable(), envelope(BALANCES))
    with client_for(script) as client:
        balances = unwrap(get_merchant_balance.sync(client=client))
    assert balances[0].available_balance == "10"
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_every_attempt_sends_the_same_signed_request(sleeps: list[float]) -> None:
    script = Script(unavailable(), envelope(BALANCES))
    with client_for(script) as client:
        get_merchant_balance.sync(client=client)
    first, second = script.requests
    assert first.url == second.url
    assert "sign=" in str(first.url)


def test_after_the_last_retry_the_failure_reaches_the_caller(sleeps: list[float]) -> None:
    script = Script(unavailable())
    with client_for(script) as client:
        envelope_or_none = get_merchant_balance.sync(client=client)
    assert envelope_or_none is None  # HTTP 503 is not the documented 200
    with pytest.raises(UnexpectedResponseError):
        unwrap(envelope_or_none)
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.WriteTimeout("write timed out"),
        httpx.PoolTimeout("no connection free"),
        httpx.ConnectError("refused"),
        httpx.ReadError("reset by peer"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_timeouts_and_failed_or_dropped_connections_are_retried(sleeps: list[float], failure: Exception) -> None:
    script = Script(failure, envelope(BALANCES))
    with client_for(script) as client:
        assert unwrap(get_merchant_balance.sync(client=client))[0].crypto_currency == "USDT"
    assert len(script.requests) == 2
    assert sleeps == [0.5]


def test_a_network_failure_after_the_last_retry_is_a_transport_error(sleeps: list[float]) -> None:
    script = Script(httpx.ReadTimeout("read timed out"))
    with client_for(script) as client, pytest.raises(TransportError, match="ReadTimeout") as raised:
        get_merchant_balance.sync(client=client)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    assert len(script.requests) == 3


def test_a_body_cut_off_mid_read_is_retried(sleeps: list[float]) -> None:
    class CutOff(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"code": 0,'
            raise httpx.ReadError("connection reset mid-body")

    script = Script(lambda request: httpx.Response(200, stream=CutOff()), envelope(BALANCES))
    with client_for(script) as client:
        assert unwrap(get_merchant_balance.sync(client=client))[0].available_balance == "10"
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_rate_limits_timeouts_and_server_errors_are_retried(sleeps: list[float], status: int) -> None:
    script = Script(httpx.Response(status), envelope(BALANCES))
    with client_for(script) as client:
        unwrap(get_merchant_balance.sync(client=client))
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405])
def test_other_http_errors_are_not_retried(sleeps: list[float], status: int) -> None:
    script = Script(httpx.Response(status), envelope(BALANCES))
    with client_for(script) as client:
        assert get_merchant_balance.sync(client=client) is None
    assert len(script.requests) == 1
    assert sleeps == []


def test_a_business_error_is_an_answer_and_is_not_retried(sleeps: list[float]) -> None:
    script = Script(envelope(code=1, msg="fail"), envelope(BALANCES))
    with client_for(script) as client, pytest.raises(BusinessError):
        get_merchant_balance.sync(client=client)
    assert len(script.requests) == 1


def test_a_request_the_client_got_wrong_is_not_retried(sleeps: list[float]) -> None:
    script = Script(httpx.LocalProtocolError("illegal header"), envelope(BALANCES))
    with client_for(script) as client, pytest.raises(TransportError, match="LocalProtocolError"):
        get_merchant_balance.sync(client=client)
    assert len(script.requests) == 1


def test_retry_after_in_seconds_replaces_the_backoff(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3"}), envelope(BALANCES))
    with client_for(script) as client:
        unwrap(get_merchant_balance.sync(client=client))
    assert sleeps == [3.0]


def test_retry_after_as_an_http_date_is_honoured(sleeps: list[float]) -> None:
    in_thirty_seconds = email.utils.formatdate(time.time() + 30, usegmt=True)
    script = Script(unavailable(**{"Retry-After": in_thirty_seconds}), envelope(BALANCES))
    with client_for(script) as client:
        unwrap(get_merchant_balance.sync(client=client))
    assert len(sleeps) == 1
    assert 27 < sleeps[0] <= 30


def test_a_retry_after_beyond_the_cap_returns_the_response_at_once(sleeps: list[float]) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "600"}), envelope(BALANCES))
    with client_for(script) as client:
        assert get_merchant_balance.sync(client=client) is None
    assert len(script.requests) == 1
    assert sleeps == []


def test_an_unreadable_retry_after_falls_back_to_the_backoff(sleeps: list[float]) -> None:
    script = Script(unavailable(**{"Retry-After": "soon"}), envelope(BALANCES))
    with client_for(script) as client:
        unwrap(get_merchant_balance.sync(client=client))
    assert sleeps == [0.5]


def test_jitter_takes_up_to_a_quarter_off_each_wait(sleeps: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry, "jitter", lambda: 1.0)
    script = Script(unavailable(), unavailable(), envelope(BALANCES))
    with client_for(script) as client:
        unwrap(get_merchant_balance.sync(client=client))
    assert sleeps == [0.375, 0.75]


def test_the_real_jitter_varies_within_its_quarter() -> None:
    policy = _retry.RetryPolicy()
    waits = {policy.backoff(0) for _ in range(200)}
    assert len(waits) > 1
    assert all(0.375 <= wait <= 0.5 for wait in waits)


def test_count_and_delays_are_set_on_create_client(sleeps: list[float]) -> None:
    script = Script(unavailable())
    with client_for(script, max_retries=5, initial_retry_delay=1.0, max_retry_delay=3.0) as client:
        get_merchant_balance.sync(client=client)
    assert len(script.requests) == 6
    assert sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def test_max_retries_zero_sends_once(sleeps: list[float]) -> None:
    script = Script(unavailable(), envelope(BALANCES))
    with client_for(script, max_retries=0) as client:
        assert get_merchant_balance.sync(client=client) is None
    assert len(script.requests) == 1


def test_with_options_sets_retries_for_the_calls_made_through_it_only(sleeps: list[float]) -> None:
    script = Script(unavailable())
    with client_for(script) as client:
        patient = client.with_options(max_retries=4, initial_retry_delay=0.1, max_retry_delay=0.2)
        get_merchant_balance.sync(client=patient)
        assert len(script.requests) == 5
        get_merchant_balance.sync(client=client)
        assert len(script.requests) == 8
        get_merchant_balance.sync(client=client.with_options(max_retries=0))
        assert len(script.requests) == 9
    assert sleeps == [0.1, 0.2, 0.2, 0.2, 0.5, 1.0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"initial_retry_delay": -0.1}, "initial_retry_delay"),
        ({"max_retry_delay": float("inf")}, "max_retry_delay"),
        ({"initial_retry_delay": "1"}, "initial_retry_delay"),
        ({"initial_retry_delay": 9.0}, "longer than max_retry_delay"),
    ],
)
def test_invalid_retry_settings_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY, **options)  # type: ignore[arg-type]
    client = create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)
    with pytest.raises(ValueError, match=message):
        client.with_options(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "failure", [unavailable(), httpx.ReadTimeout("read timed out")], ids=["HTTP 503", "ReadTimeout"]
)
def test_a_write_is_never_sent_twice(sleeps: list[float], failure: httpx.Response | Exception) -> None:
    script = Script(failure, envelope({}))
    with client_for(script) as client:
        if isinstance(failure, Exception):
            with pytest.raises(TransportError):
                create_order.sync(client=client, body=an_order())
        else:
            assert create_order.sync(client=client, body=an_order()) is None
    assert len(script.requests) == 1
    assert sleeps == []


def test_async_reads_are_retried_with_the_async_sleep(sleeps: list[float]) -> None:
    script = Script(httpx.ReadTimeout("read timed out"), unavailable(), envelope(BALANCES))

    async def call() -> str:
        async with client_for(script) as client:
            return unwrap(await get_merchant_balance.asyncio(client=client))[0].available_balance

    assert asyncio.run(call()) == "10"
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_async_network_failures_are_transport_errors(sleeps: list[float]) -> None:
    script = Script(httpx.ConnectError("refused"))

    async def call() -> None:
        async with client_for(script, max_retries=1) as client:
            await get_merchant_balance.asyncio(client=client)

    with pytest.raises(TransportError, match="ConnectError"):
        asyncio.run(call())
    assert len(script.requests) == 2


def test_the_real_sleeps_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr(time, "sleep", waited.append)
    _retry.sleep(0.25)
    started = time.perf_counter()
    asyncio.run(_retry.async_sleep(0.01))
    assert waited == [0.25]
    assert time.perf_counter() - started >= 0.009
