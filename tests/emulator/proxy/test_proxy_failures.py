"""The proxy's own failures: an upstream that is down is a 502, a silent one a 504, each with its reason."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cpay_emulator import ProxyConfig, create_proxy_app

from .conftest import MERCHANT_ID, SECRET_KEY, client_of, signed_query


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens there


@pytest.fixture
def silent_upstream() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def through(upstream: str, timeout: float = 5.0) -> tuple[httpx.Response, Any]:
    proxy = create_proxy_app(ProxyConfig(upstream=upstream, secrets={MERCHANT_ID: SECRET_KEY}, timeout=timeout))

    async def run() -> httpx.Response:
        async with client_of(proxy) as client:
            answer = await client.get(f"/openapi/v1/getMerchantBalance?{signed_query()}")
        await proxy.aclose()
        return answer

    return asyncio.run(run()), proxy


def test_an_upstream_that_refuses_the_connection_is_a_502_with_the_reason(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cpay_emulator.proxy")
    answer, proxy = through(f"http://127.0.0.1:{closed_port}")
    assert answer.status_code == 502
    error = answer.json()["error"]
    assert f"http://127.0.0.1:{closed_port} cannot be reached (ConnectError" in error
    assert "x-cpay-violations" not in answer.headers  # the proxy's own answer, not a checked one
    (line,) = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert "-> 502" in line.getMessage()
    assert "ConnectError" in line.getMessage()
    assert proxy.log.proxy_errors == 1
    assert "Traceback" not in caplog.text


def test_an_upstream_that_does_not_answer_in_time_is_a_504(silent_upstream: str) -> None:
    answer, _ = through(silent_upstream, timeout=0.3)
    assert answer.status_code == 504
    assert "did not answer in time (ReadTimeout)" in answer.json()["error"]


def test_a_request_body_over_16_mib_is_refused_by_the_proxy_itself(closed_port: int) -> None:
    proxy = create_proxy_app(ProxyConfig(upstream=f"http://127.0.0.1:{closed_port}"))

    async def run() -> httpx.Response:
        async with client_of(proxy) as client:
            answer = await client.post("/openapi/v1/submitKYC", content=b"x" * (16 * 1024 * 1024 + 1))
        await proxy.aclose()
        return answer

    answer = asyncio.run(run())
    assert answer.status_code == 413
    assert "larger than 16 MiB" in answer.json()["error"]


def test_the_proxy_s_own_endpoints_answer_json_and_refuse_other_methods(closed_port: int) -> None:
    proxy = create_proxy_app(ProxyConfig(upstream=f"http://127.0.0.1:{closed_port}"))

    async def run() -> list[httpx.Response]:
        async with client_of(proxy) as client:
            answers = [
                await client.get("/_proxy/summary"),
                await client.get("/_proxy/violations?exchange=x"),
                await client.delete("/_proxy/violations"),
                await client.get("/_proxy/nothing"),
            ]
        await proxy.aclose()
        return answers

    summary, bad_filter, wrong_method, unknown = asyncio.run(run())
    assert summary.json() == {
        "upstream": f"http://127.0.0.1:{closed_port}",
        "exchanges": 0,
        "exchangesWithViolations": 0,
        "violations": 0,
        "requestViolations": 0,
        "responseViolations": 0,
        "notListed": 0,
        "proxyErrors": 0,
        "aborted": 0,
    }
    assert (bad_filter.status_code, wrong_method.status_code, unknown.status_code) == (400, 405, 404)
