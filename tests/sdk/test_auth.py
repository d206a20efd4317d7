"""CPayAuth signs exactly what goes on the wire, as a server decodes it, and leaves the rest intact.

The wire contract: ``merchantId`` and ``sign`` in the query string of every request, GET and POST alike; the
sign over the parameters of the query string and of the form body together.
"""

from __future__ import annotations

import asyncio
import string
from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay import (
    CPayAuth,
    CPayError,
    MalformedParametersError,
    SecretKey,
    compute_sign,
    verify_request_parameters,
    verify_sign,
)

SECRET = "aaaaaaaaaaxxxxxx"
MERCHANT_ID = "20000092"
FORM = "application/x-www-form-urlencoded"


def server_side_fields(request: httpx.Request) -> list[tuple[str, str]]:
    """Decode the parameters the way a server does: the query string, then the form body (stdlib, independent
    of the auth's own parsing)."""
    fields = parse_qsl(request.url.query.decode(), keep_blank_values=True)
    if request.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
        fields += parse_qsl(request.content.decode(), keep_blank_values=True)
    return fields


def query_names(request: httpx.Request) -> list[str]:
    return [name for name, _ in parse_qsl(request.url.query.decode(), keep_blank_values=True)]


def server_accepts(request: httpx.Request) -> bool:
    fields = server_side_fields(request)
    signs = [value for name, value in fields if name == "sign"]
    return len(signs) == 1 and verify_sign(fields, SECRET, signs[0])


def recording_client() -> tuple[httpx.Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"code": 0, "msg": "success"})

    client = httpx.Client(
        base_url="https://sandbox-api.cpay.ltd",
        transport=httpx.MockTransport(handler),
        auth=CPayAuth(MERCHANT_ID, SECRET),
    )
    return client, sent


def test_get_without_parameters_gets_merchant_id_and_sign() -> None:
    client, sent = recording_client()
    client.get("/openapi/v1/getMerchantBalance")
    (request,) = sent
    expected_sign = compute_sign({"merchantId": MERCHANT_ID}, SECRET)
    assert request.url.query == f"merchantId={MERCHANT_ID}&sign={expected_sign}".encode()
    assert server_accepts(request)


def test_get_signs_the_decoded_values_and_keeps_their_encoding() -> None:
    client, sent = recording_client()
    params = {"userId": "é 1&b=2", "remark": "x+y", "callBackURL": "https://a.example/cb?x=1&y=2", "empty": ""}
    client.get("/openapi/v1/getWalletAddress", params=params)
    (request,) = sent
    assert request.url.query.startswith(str(httpx.QueryParams(params)).encode() + b"&merchantId=")
    assert server_accepts(request)
    assert dict(server_side_fields(request))["sign"] == compute_sign({**params, "merchantId": MERCHANT_ID}, SECRET)


def test_post_form_body_is_signed_with_the_credentials_in_the_query_string() -> None:
    client, sent = recording_client()
    form = {"merchantTradeNo": "test114", "amount": "3.10", "callBackURL": "https://shop.example/cb?a=1&b=2"}
    client.post("/openapi/v1/createOrder", data=form, headers={"X-Trace": "t-1"}, timeout=7.0)
    (request,) = sent
    assert request.content == httpx.Request("POST", "https://x", data=form).content  # the body as encoded
    assert request.headers["content-length"] == str(len(request.content))
    assert request.headers["x-trace"] == "t-1"
    assert request.extensions["timeout"]["read"] == 7.0
    expected_sign = compute_sign({**form, "merchantId": MERCHANT_ID}, SECRET)
    assert request.url.query == f"merchantId={MERCHANT_ID}&sign={expected_sign}".encode()
    assert server_accepts(request)


def test_query_parameters_of_a_post_are_signed_with_its_form_body() -> None:
    client, sent = recording_client()
    client.post("/openapi/v1/createOrder", params={"extra": "q r"}, data={"amount": "3.10"})
    (request,) = sent
    assert request.url.query.startswith(b"extra=q+r&merchantId=")
    assert request.content == b"amount=3.10"
    assert dict(server_side_fields(request))["sign"] == compute_sign(
        {"extra": "q r", "amount": "3.10", "merchantId": MERCHANT_ID}, SECRET
    )
    assert server_accepts(request)


def test_credentials_sent_in_a_form_body_move_to_the_query_string() -> None:
    request = httpx.Request(
        "POST", "https://x/p", content=b"a=1&merchantId=777&sign=stale", headers={"Content-Type": FORM}
    )
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(request)
    assert signed.content == b"a=1"
    assert query_names(signed) == ["merchantId", "sign"]
    assert dict(server_side_fields(signed))["merchantId"] == "777"
    assert server_accepts(signed)


def test_form_content_type_with_charset_is_recognised() -> None:
    request = httpx.Request(
        "POST",
        "https://x/p",
        content=b"a=1",
        headers={"Content-Type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8"},
    )
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(request)
    assert signed.content == b"a=1"
    assert query_names(signed) == ["merchantId", "sign"]
    assert server_accepts(signed)


def test_streamed_form_body_is_sent_with_a_content_length() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"a=1&"
        yield b"b=2"

    client, sent = recording_client()
    client.post("/p", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    (request,) = sent
    assert "transfer-encoding" not in request.headers
    assert request.headers["content-length"] == str(len(request.content))
    assert server_accepts(request)


def test_existing_merchant_id_is_kept() -> None:
    request = httpx.Request("GET", "https://x/p", params={"merchantId": "777", "a": "1"})
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(request)
    fields = server_side_fields(signed)
    assert [value for name, value in fields if name == "merchantId"] == ["777"]
    assert server_accepts(signed)


def test_empty_merchant_id_is_replaced() -> None:
    request = httpx.Request("GET", "https://x/p?merchantId=&a=1")
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(request)
    assert signed.url.query.startswith(b"a=1&merchantId=20000092&sign=")
    assert server_accepts(signed)


def test_a_sign_already_present_is_replaced() -> None:
    request = httpx.Request("GET", "https://x/p?sign=stale&a=1")
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(request)
    assert b"stale" not in signed.url.query
    assert server_accepts(signed)


def test_empty_pieces_are_dropped() -> None:
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(httpx.Request("GET", "https://x/p?a=1&&b=3&"))
    assert signed.url.query.startswith(b"a=1&b=3&merchantId=")
    assert server_accepts(signed)


@pytest.mark.parametrize(
    ("query", "body"),
    [("a=1&a=2", None), ("a=1", b"a=2"), ("merchantId=1", b"merchantId=2")],
    ids=["in-the-query", "across-query-and-body", "merchant-id"],
)
def test_a_repeated_name_is_refused_as_the_server_refuses_it(query: str, body: bytes | None) -> None:
    request = (
        httpx.Request("POST", f"https://x/p?{query}", content=body, headers={"Content-Type": FORM})
        if body is not None
        else httpx.Request("GET", f"https://x/p?{query}")
    )
    with pytest.raises(MalformedParametersError, match="is given more than once"):
        CPayAuth(MERCHANT_ID, SECRET).sign_request(request)


def test_json_body_is_refused_with_a_typed_error() -> None:
    client, sent = recording_client()
    with pytest.raises(CPayError, match="application/json request body"):
        client.post("/p", json={"a": "1"})
    assert sent == []


def test_body_without_content_type_is_refused() -> None:
    with pytest.raises(CPayError, match="untyped request body"):
        CPayAuth(MERCHANT_ID, SECRET).sign_request(httpx.Request("POST", "https://x/p", content=b"a=1"))


@pytest.mark.parametrize(
    "request_",
    [
        httpx.Request("GET", "https://x/p?a=%FF"),
        httpx.Request(
            "POST", "https://x/p", content=b"a=%C3", headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
        httpx.Request(
            "POST", "https://x/p", content=b"a=\xff", headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
    ],
    ids=["query", "form-percent-escape", "form-raw-byte"],
)
def test_parameters_that_are_not_utf8_are_refused(request_: httpx.Request) -> None:
    with pytest.raises(MalformedParametersError, match="not valid application/x-www-form-urlencoded UTF-8"):
        CPayAuth(MERCHANT_ID, SECRET).sign_request(request_)


def test_async_client_is_signed_the_same_way() -> None:
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"code": 0})

    async def calls() -> None:
        async with httpx.AsyncClient(
            base_url="https://x", transport=httpx.MockTransport(handler), auth=CPayAuth(MERCHANT_ID, SECRET)
        ) as client:
            await client.get("/g", params={"a": "1"})
            await client.post("/p", data={"b": "2"})

    asyncio.run(calls())
    assert len(sent) == 2
    assert all(server_accepts(request) for request in sent)


def test_repr_masks_the_secret_and_merchant_id_may_be_an_int() -> None:
    auth = CPayAuth(20000092, SecretKey(SECRET))
    assert auth.merchant_id == "20000092"
    assert SECRET not in repr(auth)
    assert SECRET not in str(auth)
    assert repr(auth) == "CPayAuth(merchant_id='20000092', secret_key=SecretKey('********'))"


def test_empty_merchant_id_is_refused() -> None:
    with pytest.raises(ValueError, match="merchant_id is empty"):
        CPayAuth("", SECRET)


wire_names = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=12).filter(
    lambda name: name not in {"sign", "merchantId"}
)
wire_values = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)


@given(st.dictionaries(wire_names, wire_values, max_size=8), st.booleans())
def test_any_signed_request_verifies_on_the_server(params: dict[str, str], as_form: bool) -> None:
    request = (
        httpx.Request("POST", "https://x/p", data=params)
        if as_form
        else httpx.Request("GET", "https://x/g", params=params)
    )
    request.read()
    signed = CPayAuth(MERCHANT_ID, SECRET).sign_request(request)
    assert server_accepts(signed)
    assert dict(server_side_fields(signed))["sign"] == compute_sign({**params, "merchantId": MERCHANT_ID}, SECRET)


def test_cpay_auth_with_credentials_in_the_body_signs_a_post_there_and_a_get_in_its_query() -> None:
    auth = CPayAuth("20000092", "k", credentials_in="body")
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0})

    transport = httpx.MockTransport(answer)
    with httpx.Client(auth=auth, transport=transport, base_url="https://cpay.test") as client:
        client.post("/openapi/v1/createOrder", data={"amount": "3"})
        client.get("/openapi/v1/getMerchantBalance")
    post, get = seen
    assert "sign" not in post.url.params
    assert "merchantId" not in post.url.params
    assert dict(parse_qsl(post.content.decode())).keys() == {"amount", "merchantId", "sign"}
    verify_request_parameters(post.url.query, post.content, secret_key="k")
    assert {"merchantId", "sign"} <= set(get.url.params)
    assert "credentials_in='body'" in repr(auth)
    with pytest.raises(ValueError, match="credentials_in"):
        CPayAuth("1", "k", credentials_in="cookie")  # type: ignore[arg-type]
