"""The httpx clients ``create_client`` uses sign each request as they build it, exactly as ``CPayAuth`` would.

The fast path (``CPayAuth.sign_parameters``: the generated client's plain ``str``/``int`` parameters encoded and
signed before httpx parses the URL) is a speed shortcut; these tests pin it to the plain path (an
``httpx.Client`` with ``auth=CPayAuth``): the same parameters reach the server, under a valid sign.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpay import CPayAuth, CPayError, VerifiedRequest, verify_request_parameters
from cpay._auth import FORM_MEDIA_TYPE
from cpay._signed_httpx import AsyncSignedHttpxClient, SignedHttpxClient

MERCHANT_ID = "20000092"
SECRET = "aaaaaaaaaaxxxxxx"
BASE_URL = "https://sandbox-api.cpay.ltd"
PATH = "/openapi/v1/createOrder"


def received(request: httpx.Request) -> VerifiedRequest:
    """What a server reads from ``request``: raises ``SignatureError`` unless the sign is valid."""
    body = request.content if request.method == "POST" else None
    return verify_request_parameters(request.url.query, body, secret_key=SECRET)


AUTH = CPayAuth(MERCHANT_ID, SECRET)
# Built once (an httpx client costs milliseconds to make) and never sent through: build_request only.
FAST = SignedHttpxClient(base_url=BASE_URL, signer=AUTH)
PLAIN = httpx.Client(base_url=BASE_URL)


def built_both_ways(method: str, **kwargs: Any) -> tuple[httpx.Request, httpx.Request]:
    """The request as ``SignedHttpxClient`` builds it, and as ``auth=CPayAuth`` leaves it before it is sent."""
    plain = AUTH.sign_request(PLAIN.build_request(method, PATH, **kwargs))
    return FAST.build_request(method, PATH, **kwargs), plain


names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12).filter(
    lambda name: name not in ("merchantId", "sign")
)
values = st.one_of(st.text(st.characters(codec="utf-8"), max_size=20), st.integers(-(10**20), 10**20))


@settings(max_examples=150, deadline=None)
@given(params=st.dictionaries(names, values, max_size=6), data=st.dictionaries(names, values, max_size=6))
def test_the_fast_path_sends_what_cpay_auth_would_send(params: dict[str, Any], data: dict[str, Any]) -> None:
    data = {name: value for name, value in data.items() if name not in params}  # a repeated name is refused
    fast, plain = built_both_ways("POST", params=params, data=data, headers={"Content-Type": FORM_MEDIA_TYPE})
    assert fast.url.path == plain.url.path
    assert received(fast) == received(plain)
    assert received(fast).parameters == {name: str(value) for name, value in {**params, **data}.items()}
    assert fast.headers["content-type"] == FORM_MEDIA_TYPE
    assert fast.headers["content-length"] == str(len(fast.content))


@settings(max_examples=100, deadline=None)
@given(params=st.dictionaries(names, values, max_size=6))
def test_a_get_is_signed_in_its_query_string_alone(params: dict[str, Any]) -> None:
    fast, plain = built_both_ways("GET", params=params)
    assert fast.content == b""
    assert received(fast) == received(plain)
    assert fast.url.query.endswith(plain.url.query.rpartition(b"&sign=")[2])  # the same sign, last in both


def test_a_form_body_without_a_content_type_gets_the_form_type() -> None:
    fast, _ = built_both_ways("POST", data={"amount": "1.50"})
    assert fast.headers["content-type"] == FORM_MEDIA_TYPE
    assert received(fast).parameters == {"amount": "1.50"}


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({"params": {"flag": True}}, PATH),  # httpx writes a bool as "true": its text, so its path
        ({"params": {"amount": 1.5}}, PATH),
        ({"params": [("a", "1"), ("b", "2")]}, PATH),  # not a mapping
        ({"params": {7: "x"}}, PATH),  # a name that is not a str
        ({"params": {"a": "1"}}, f"{PATH}?extra=q"),  # a query string already in the URL
        ({"data": {"amount": "1", "note": None}, "headers": {"Content-Type": FORM_MEDIA_TYPE}}, PATH),
    ],
    ids=["bool", "float", "pairs", "int-name", "url-query", "none-in-form"],
)
def test_what_the_fast_path_does_not_take_is_signed_after_it_is_built(kwargs: dict[str, Any], url: str) -> None:
    request = FAST.build_request("POST" if "data" in kwargs else "GET", url, **kwargs)
    expected = AUTH.sign_request(PLAIN.build_request(request.method, url, **kwargs))
    assert request.url == expected.url
    assert request.content == expected.content
    received(request)  # a valid sign


def test_a_json_body_is_refused_as_cpay_auth_refuses_it() -> None:
    with pytest.raises(CPayError, match="cannot sign a application/json request body"):
        FAST.build_request("POST", PATH, json={"amount": "1"})


def test_the_async_client_signs_the_same_way() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0})

    async def call() -> None:
        async with AsyncSignedHttpxClient(
            base_url=BASE_URL, signer=CPayAuth(MERCHANT_ID, SECRET), transport=httpx.MockTransport(answer)
        ) as client:
            await client.post(PATH, data={"amount": "2", "createTime": 1653669353000})
            await client.get(PATH, params={"flag": True})

    asyncio.run(call())
    assert received(seen[0]).parameters == {"amount": "2", "createTime": "1653669353000"}
    assert received(seen[1]).parameters == {"flag": "true"}
