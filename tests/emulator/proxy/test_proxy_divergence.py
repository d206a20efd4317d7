"""The proxy in front of a deliberately divergent upstream: each divergence is reported with its operation and field.

``DivergentUpstream`` is a test double of a C-Pay deployment that gets things wrong on purpose, one per
operation: a number where the spec says a decimal string (the document's own captured ``exchangeRate``), a
missing required field, a code nobody documented, HTTP 500 with text, and code 0 for a request whose ``sign``
is wrong. It also records what it received, so the tests can show the proxy forwarded the request unchanged,
and answers some requests with headers and compressed bodies that must come back unchanged.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from cpay_emulator import DOCUMENT_CODES
from cpay_emulator.proxy.violations import ViolationLog

from .conftest import client_of, fields_of, proxy_for, signed_query, violations_of

JSON = (b"content-type", b"application/json")


def envelope(data: Any, code: int = 0) -> bytes:
    return json.dumps(
        {"code": code, "msg": "success" if code == 0 else "error", "data": data, "traceid": "T1"}
    ).encode()


ANSWERS: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {
    # exchangeRate is a decimal string in the spec; section 7's captured answer has a number.
    "/openapi/v1/getExchangeRate": (200, [JSON], envelope({"exchangeRate": 5.1234})),
    # status is required in an order.
    "/openapi/v1/getOrderDetail": (200, [JSON], envelope({"orderId": "1", "merchantTradeNo": "m"})),
    # a code in no book.
    "/openapi/v1/getMerchantBalance": (200, [JSON], envelope(None, code=424242)),
    # answers a request whose sign is wrong with success.
    "/openapi/v1/getWalletAddress": (200, [JSON], envelope([])),
    # not the envelope at all.
    "/openapi/v1/exchange": (500, [(b"content-type", b"text/plain")], b"Internal Server Error"),
    # compressed, with headers a proxy must keep (two cookies) and hop-by-hop ones it must not.
    "/openapi/v1/getExchangeRateForCreditCard": (
        200,
        [
            JSON,
            (b"content-encoding", b"gzip"),
            (b"set-cookie", b"a=1"),
            (b"set-cookie", b"b=2"),
            (b"x-upstream", b"double"),
            (b"connection", b"keep-alive, x-hop"),
            (b"x-hop", b"only for this connection"),
            (b"keep-alive", b"timeout=5"),
        ],
        gzip.compress(envelope({"exchangeRate": "5.1", "amountExchanged": "51.00", "somethingNew": 1})),
    ),
}


class DivergentUpstream:
    """A C-Pay double that answers ``ANSWERS`` and remembers each request it received."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append(
            {
                "method": scope["method"],
                "raw_path": scope["raw_path"],
                "query": scope["query_string"],
                "headers": scope["headers"],
                "body": body,
            }
        )
        status, headers, content = ANSWERS.get(scope["path"], (404, [(b"content-type", b"text/plain")], b"nothing"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def exchange(proxy: Any, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with client_of(proxy) as client:
            answers = [await client.request(method, url, **options) for method, url, options in requests]
        await proxy.aclose()
        return answers

    return asyncio.run(run())


def test_a_number_where_the_spec_says_a_decimal_string_is_reported_on_its_field() -> None:
    query = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0")
    (answer,) = exchange(proxy_for(DivergentUpstream()), ("GET", f"/openapi/v1/getExchangeRate?{query}", {}))
    (violation,) = violations_of(answer)
    assert violation["operationId"] == "getExchangeRate"
    assert (violation["direction"], violation["field"]) == ("response", "data.exchangeRate")
    assert "not of type" in violation["message"]
    assert violation["traceid"] == "T1"


def test_a_missing_required_field_is_reported_with_its_path() -> None:
    query = signed_query("merchantTradeNo=m")
    (answer,) = exchange(proxy_for(DivergentUpstream()), ("GET", f"/openapi/v1/getOrderDetail?{query}", {}))
    assert [(v["operationId"], v["field"], v["message"]) for v in violations_of(answer)] == [
        ("getOrderDetail", "data.status", "is required")
    ]


def test_an_unknown_code_is_reported_against_the_code_book_in_use() -> None:
    query = signed_query()
    (answer,) = exchange(
        proxy_for(DivergentUpstream(), codes=DOCUMENT_CODES), ("GET", f"/openapi/v1/getMerchantBalance?{query}", {})
    )
    (violation,) = violations_of(answer)
    assert (violation["operationId"], violation["direction"], violation["field"]) == (
        "getMerchantBalance",
        "response",
        "code",
    )
    assert "424242 is not a known code" in violation["message"]
    assert "0, 1, 90751002, 90751015, 90751019" in violation["message"]
    # The same code, declared known: no violation.
    (known,) = exchange(
        proxy_for(DivergentUpstream(), codes=DOCUMENT_CODES.with_codes(business={424242})),
        ("GET", f"/openapi/v1/getMerchantBalance?{query}", {}),
    )
    assert violations_of(known) == []


def test_a_wrong_sign_is_reported_and_so_is_the_success_that_answered_it() -> None:
    query = signed_query("userId=2345", secret_key="not-the-merchant-s-secret")
    (answer,) = exchange(proxy_for(DivergentUpstream()), ("GET", f"/openapi/v1/getWalletAddress?{query}", {}))
    found = {(v["operationId"], v["direction"], v["field"]) for v in violations_of(answer)}
    assert found == {("getWalletAddress", "request", "sign"), ("getWalletAddress", "response", "code")}
    assert json.loads(answer.content)["code"] == 0  # passed through as the double answered


def test_without_the_merchant_s_secret_the_sign_is_unchecked_not_wrong() -> None:
    query = signed_query("userId=2345", secret_key="not-the-merchant-s-secret")
    (answer,) = exchange(
        proxy_for(DivergentUpstream(), secrets={}), ("GET", f"/openapi/v1/getWalletAddress?{query}", {})
    )
    assert violations_of(answer) == []


def test_an_error_page_instead_of_the_envelope_is_reported_and_passed_through() -> None:
    query, body = signed_query(), b"sourceCurrency=USDT&sourceAmount=1&targetCurrency=BRL"
    form = {"content": body, "headers": {"content-type": "application/x-www-form-urlencoded"}}
    (answer,) = exchange(proxy_for(DivergentUpstream()), ("POST", f"/openapi/v1/exchange?{query}", form))
    assert answer.status_code == 500
    assert answer.content == b"Internal Server Error"
    assert fields_of(answer, "response") == {"status", "content-type", "body"}


def test_the_request_reaches_the_upstream_unchanged_but_for_its_hop_by_hop_headers() -> None:
    upstream = DivergentUpstream()
    query = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0&note=a%2Bb+c")
    headers = {
        "user-agent": "merchant-app/1.0",
        "x-request-id": "r-1",
        "connection": "keep-alive, x-hop",
        "x-hop": "only for this connection",
        "te": "trailers",
    }
    exchange(proxy_for(upstream), ("GET", f"/openapi/v1/getExchangeRateForCreditCard?{query}", {"headers": headers}))
    (received,) = upstream.received
    assert received["method"] == "GET"
    assert received["raw_path"] == b"/openapi/v1/getExchangeRateForCreditCard"
    assert received["query"] == query.encode()
    names = [name for name, _ in received["headers"]]
    assert (b"user-agent", b"merchant-app/1.0") in received["headers"]
    assert (b"x-request-id", b"r-1") in received["headers"]
    assert (b"host", b"upstream.test") in received["headers"]
    assert not {b"connection", b"x-hop", b"te"} & set(names)


def test_the_answer_comes_back_unchanged_compressed_with_its_headers_and_two_added() -> None:
    query = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0")
    path = f"/openapi/v1/getExchangeRateForCreditCard?{query}"

    async def raw() -> tuple[httpx.Response, bytes]:
        proxy = proxy_for(DivergentUpstream())
        async with client_of(proxy) as client, client.stream("GET", path) as response:
            content = b"".join([chunk async for chunk in response.aiter_raw()])
        await proxy.aclose()
        return response, content

    response, content = asyncio.run(raw())
    body = ANSWERS["/openapi/v1/getExchangeRateForCreditCard"][2]
    assert content == body  # still gzip: the bytes the upstream sent
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["x-upstream"] == "double"
    assert "x-hop" not in response.headers
    assert "keep-alive" not in response.headers
    assert json.loads(response.headers["x-cpay-violations"]) == []  # checked after decompressing


def test_a_path_outside_the_spec_is_forwarded_and_reported() -> None:
    upstream = DivergentUpstream()
    (answer,) = exchange(proxy_for(upstream), ("GET", "/openapi/v1/getTheMoon?" + signed_query(), {}))
    assert answer.status_code == 404
    assert answer.content == b"nothing"
    assert [received["raw_path"] for received in upstream.received] == [b"/openapi/v1/getTheMoon"]
    assert [(v["operationId"], v["field"]) for v in violations_of(answer)] == [(None, "path")]


def test_every_violation_is_listed_at_the_proxy_s_endpoint_with_the_fields_the_issue_names() -> None:
    proxy = proxy_for(DivergentUpstream())
    rate = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0")
    order = signed_query("merchantTradeNo=m")

    async def run() -> list[dict[str, Any]]:
        async with client_of(proxy) as client:
            await client.get(f"/openapi/v1/getExchangeRate?{rate}")
            await client.get(f"/openapi/v1/getOrderDetail?{order}")
            listed: list[dict[str, Any]] = (await client.get("/_proxy/violations")).json()
            only_second = (await client.get("/_proxy/violations", params={"exchange": 2})).json()
            assert [item["operationId"] for item in only_second] == ["getOrderDetail"]
        await proxy.aclose()
        return listed

    listed = asyncio.run(run())
    assert [(item["operationId"], item["direction"], item["field"]) for item in listed] == [
        ("getExchangeRate", "response", "data.exchangeRate"),
        ("getOrderDetail", "response", "data.status"),
    ]
    assert all({"operationId", "direction", "field", "message", "traceid"} <= item.keys() for item in listed)


def test_a_long_list_stays_whole_json_in_the_header_and_points_to_the_full_list() -> None:
    proxy = proxy_for(DivergentUpstream(), header_limit=700)
    form = "&".join(f"{name}=%00" for name in ("merchantTradeNo", "userId", "firstName", "lastName", "email", "zip"))
    query, body = signed_query(), form.encode()

    async def run() -> tuple[httpx.Response, list[dict[str, Any]]]:
        async with client_of(proxy) as client:
            answer = await client.post(
                f"/openapi/v1/pwpp?{query}", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
            )
            listed = (await client.get(f"/_proxy/violations?exchange={answer.headers['x-cpay-exchange']}")).json()
        await proxy.aclose()
        return answer, listed

    answer, listed = asyncio.run(run())
    header = answer.headers["x-cpay-violations"]
    assert len(header.encode()) <= 700
    shown = json.loads(header)  # whole JSON, never cut mid-entry
    assert len(listed) > len(shown) - 1 > 0
    assert shown[-1]["field"] == "x-cpay-violations"
    assert f"GET /_proxy/violations?exchange={answer.headers['x-cpay-exchange']}" in shown[-1]["message"]
    assert shown[:-1] == listed[: len(shown) - 1]


@pytest.mark.parametrize("limit", [0, -1])
def test_the_violation_log_refuses_to_keep_nothing(limit: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ViolationLog(limit)
