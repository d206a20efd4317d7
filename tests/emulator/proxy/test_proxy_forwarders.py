"""The proxy's two ways to its upstream forward alike: aiohttp (``AiohttpForwarder``) and httpx.

``AiohttpForwarder`` is how the proxy reaches any upstream over the network, and ``HttpxForwarder`` stays for the
in-process upstreams of the tests (``httpx.ASGITransport``), so the first is held to the second here. The
deliberately divergent double of ``test_proxy_divergence`` is served on a real socket, the same requests go through
a proxy on each forwarder, and what the double received and what the client got back must be the same bytes (but
for the one header aiohttp adds, ``Content-Length: 0`` on a DELETE: ``cpay_emulator.proxy.forwarding``'s docstring).
"""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import httpx
import pytest

from cpay_emulator import ProxyConfig, create_proxy_app, emulator_codes
from cpay_emulator.proxy.forwarding import AiohttpForwarder, HttpxForwarder

from .conftest import MERCHANT_ID, SECRET_KEY, client_of, signed_query
from .test_proxy_divergence import ANSWERS, DivergentUpstream

FORM = {"content-type": "application/x-www-form-urlencoded"}
RATE = "sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0"


def requests() -> list[tuple[str, str, dict[str, Any]]]:
    """Every answer of the double, and requests of every shape: bodies empty and large, HEAD, PUT, odd queries."""
    sent: list[tuple[str, str, dict[str, Any]]] = [("GET", f"{path}?{signed_query()}", {}) for path in ANSWERS]
    wrong = signed_query("userId=2345", secret_key="not-the-merchant-s-secret")
    hop = {"connection": "keep-alive, x-hop", "x-hop": "only here", "te": "trailers", "user-agent": "merchant/1.0"}
    return [
        *sent,
        ("GET", f"/openapi/v1/getExchangeRateForCreditCard?{signed_query(RATE + '&note=a%2Bb+c~%7E')}", {}),
        ("GET", f"/openapi/v1/getExchangeRateForCreditCard?{signed_query(RATE)}", {"headers": hop}),
        ("GET", f"/openapi/v1/getWalletAddress?{wrong}", {}),
        ("POST", f"/openapi/v1/exchange?{signed_query()}", {"content": b"sourceCurrency=USDT", "headers": FORM}),
        ("POST", f"/openapi/v1/submitKYC?{signed_query()}", {"content": b"a=" + b"x" * 300_000, "headers": FORM}),
        ("POST", f"/openapi/v1/createOrder?{signed_query()}", {}),
        ("PUT", "/somewhere/else?x=1", {"content": b"put body"}),
        ("HEAD", f"/openapi/v1/getExchangeRate?{signed_query(RATE)}", {}),
        ("GET", "/openapi/v1/getTheMoon", {}),
        ("DELETE", "/openapi/v1/getOrderDetail", {}),
    ]


def through(proxy: Any) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """Send ``requests()`` through ``proxy``; each answer's status, headers (but the exchange number), raw bytes."""

    async def run() -> list[tuple[int, list[tuple[str, str]], bytes]]:
        answers = []
        async with client_of(proxy) as client:
            for method, url, options in requests():
                async with client.stream(method, url, **options) as response:
                    content = b"".join([chunk async for chunk in response.aiter_raw()])
                headers = [(name, value) for name, value in response.headers.multi_items() if name != "x-cpay-exchange"]
                answers.append((response.status_code, headers, content))
        await proxy.aclose()
        return answers

    return asyncio.run(run())


def test_both_forwarders_send_the_same_bytes_upstream_and_return_the_same_answers(served: Any) -> None:
    double = DivergentUpstream()
    url = served(double, lifespan="off")
    settings: dict[str, Any] = {"upstream": url, "secrets": {MERCHANT_ID: SECRET_KEY}, "codes": emulator_codes()}
    own = create_proxy_app(ProxyConfig(**settings))
    plain = create_proxy_app(ProxyConfig(**settings, transport=httpx.AsyncHTTPTransport()))
    assert isinstance(own.forwarder, AiohttpForwarder)
    assert isinstance(plain.forwarder, HttpxForwarder)

    own_answers = through(own)
    own_received = list(double.received)
    double.received.clear()
    plain_answers = through(plain)

    for received in double.received:  # what aiohttp writes besides (a length for every method but GET, HEAD...)
        if received["method"] == "DELETE":
            received["headers"].append((b"content-length", b"0"))
    assert own_received == double.received
    assert own_answers == plain_answers
    assert len(own_received) == len(requests())  # each request reached the upstream once
    by_path = {received["raw_path"]: received for received in own_received}
    large = by_path[b"/openapi/v1/submitKYC"]
    assert large["body"] == b"a=" + b"x" * 300_000
    assert (b"content-length", b"300002") in large["headers"]
    assert (b"host", url.removeprefix("http://").encode()) in large["headers"]
    assert not {b"connection", b"x-hop", b"te"} & {name for name, _ in by_path[b"/openapi/v1/exchange"]["headers"]}
    statuses = [status for status, _, _ in own_answers]
    assert statuses[: len(ANSWERS)] == [status for status, _, _ in ANSWERS.values()]
    gzipped = own_answers[list(ANSWERS).index("/openapi/v1/getExchangeRateForCreditCard")]
    assert gzip.decompress(gzipped[2]).startswith(b'{"code": 0')  # still the upstream's gzip bytes
    assert ("set-cookie", "a=1") in gzipped[1]
    assert ("set-cookie", "b=2") in gzipped[1]


@pytest.mark.parametrize("upstream", ["https://sandbox-api.cpay.ltd", "http://upstream.test"])
def test_network_upstreams_go_through_aiohttp_and_in_process_ones_through_httpx(upstream: str) -> None:
    assert isinstance(create_proxy_app(ProxyConfig(upstream=upstream)).forwarder, AiohttpForwarder)
    in_process = ProxyConfig(upstream=upstream, transport=httpx.ASGITransport(app=DivergentUpstream()))
    assert isinstance(create_proxy_app(in_process).forwarder, HttpxForwarder)


@pytest.mark.parametrize("upstream", ["ftp://upstream.test", "upstream.test:8000", "http://"])
def test_an_upstream_that_is_not_an_http_url_is_refused_when_the_proxy_is_built(upstream: str) -> None:
    with pytest.raises(ValueError, match="http:// or https:// URL"):
        create_proxy_app(ProxyConfig(upstream=upstream))


def test_a_forwarder_factory_builds_the_proxy_s_forwarder_and_excludes_a_transport() -> None:
    built: list[tuple[str, float]] = []

    def factory(upstream: str, timeout: float) -> AiohttpForwarder:
        built.append((upstream, timeout))
        return AiohttpForwarder(upstream, timeout)

    proxy = create_proxy_app(ProxyConfig(upstream="http://upstream.test", timeout=7.0, forwarder=factory))
    assert isinstance(proxy.forwarder, AiohttpForwarder)
    assert built == [("http://upstream.test", 7.0)]
    with pytest.raises(ValueError, match="not both"):
        ProxyConfig(upstream="http://upstream.test", forwarder=factory, transport=httpx.AsyncHTTPTransport())
