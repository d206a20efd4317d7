"""CPaySignAuth signs what goes on the wire, after encoding, as the server decodes it, with the toolkit's one
signer: ``merchantId`` and ``sign`` in the query string, GET and POST alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from cpay import verify_sign
from cpay_conformance import CPaySignAuth, SigningMode, WriteRefusedError, is_loopback_url

SECRET = "auth-test-secret"


def prepare(method: str, url: str, **kwargs: Any) -> requests.PreparedRequest:
    return requests.Request(method, url, **kwargs).prepare()


def server_params(request: requests.PreparedRequest) -> dict[str, str]:
    """The parameters as C-Pay reads them: query string, then the form body."""
    params = dict(parse_qsl(urlsplit(request.url or "").query, keep_blank_values=True))
    body = request.body
    if isinstance(body, bytes):
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


def test_get_request_gets_merchant_id_and_a_valid_sign_in_the_query() -> None:
    request = CPaySignAuth("1001", SECRET)(
        prepare("GET", "http://x/openapi/v1/getWalletAddress", params={"userId": "7"})
    )
    params = server_params(request)
    assert params["merchantId"] == "1001"
    assert verify_sign(params, SECRET, params["sign"])
    assert request.url is not None
    assert request.url.startswith("http://x/openapi/v1/getWalletAddress?userId=7&merchantId=1001&sign=")


def test_form_post_keeps_its_body_and_gets_the_credentials_in_the_query() -> None:
    request = CPaySignAuth("1001", SECRET)(
        prepare("POST", "http://x/openapi/v1/exchange", data={"sourceAmount": "1.50", "note": "a b&c=d"})
    )
    assert request.body == b"sourceAmount=1.50&note=a+b%26c%3Dd"
    assert request.headers["Content-Length"] == str(len(request.body))
    assert request.url is not None
    assert request.url.startswith("http://x/openapi/v1/exchange?merchantId=1001&sign=")
    params = server_params(request)
    assert params["note"] == "a b&c=d"
    assert verify_sign(params, SECRET, params["sign"])


def test_query_parameters_of_a_form_post_are_signed_too() -> None:
    request = CPaySignAuth("1001", SECRET)(
        prepare("POST", "http://x/openapi/v1/exchange", params={"extra": "q"}, data={"a": "1"})
    )
    params = server_params(request)
    assert params["extra"] == "q"
    assert verify_sign(params, SECRET, params["sign"])


def test_an_existing_sign_is_replaced_and_an_existing_merchant_id_kept() -> None:
    request = CPaySignAuth("1001", SECRET)(
        prepare("GET", "http://x/p", params={"merchantId": "2002", "sign": "stale", "a": "1"})
    )
    pairs = parse_qsl(urlsplit(request.url or "").query)
    assert [name for name, _ in pairs].count("sign") == 1
    params = dict(pairs)
    assert params["merchantId"] == "2002"
    assert params["sign"] != "stale"
    assert verify_sign(params, SECRET, params["sign"])


def test_merchant_only_mode_sends_no_sign() -> None:
    auth = CPaySignAuth("1001", SECRET, mode=SigningMode.MERCHANT_ONLY)
    assert server_params(auth(prepare("GET", "http://x/p"))) == {"merchantId": "1001"}
    assert server_params(auth(prepare("POST", "http://x/p", data={"a": "1"}))) == {"merchantId": "1001", "a": "1"}


def test_a_request_the_signer_refuses_goes_out_as_generated_without_credentials() -> None:
    # A form sends an array as the name repeated: no sign is defined for it, and the server refuses it anyway.
    request = CPaySignAuth("1001", SECRET)(prepare("POST", "http://x/p", params={"q": "1"}, data={"a": ["1", "2"]}))
    assert request.url == "http://x/p?q=1"
    assert request.body == "a=1&a=2"


def test_writes_to_a_remote_deployment_are_refused_without_opt_in() -> None:
    auth = CPaySignAuth("1001", SECRET, allow_writes=False)
    with pytest.raises(WriteRefusedError, match="WRITE=1"):
        auth(prepare("POST", "https://sandbox-api.cpay.ltd/openapi/v1/withdraw", data={"a": "1"}))
    # Reads anywhere, and writes to this machine (the emulator), are signed.
    assert auth(prepare("GET", "https://sandbox-api.cpay.ltd/openapi/v1/getMerchantBalance")).url
    assert auth(prepare("POST", "http://127.0.0.1:8000/openapi/v1/withdraw", data={"a": "1"})).body


def test_a_proxy_on_this_machine_does_not_open_the_remote_deployment_behind_it_to_writes() -> None:
    behind_proxy = CPaySignAuth("1001", SECRET, allow_writes=False, destination="https://sandbox-api.cpay.ltd")
    with pytest.raises(WriteRefusedError, match="WRITE=1"):
        behind_proxy(prepare("POST", "http://127.0.0.1:8010/openapi/v1/withdraw", data={"a": "1"}))
    assert behind_proxy(prepare("GET", "http://127.0.0.1:8010/openapi/v1/getMerchantBalance")).url
    in_front_of_the_emulator = CPaySignAuth("1001", SECRET, allow_writes=False, destination="http://127.0.0.1:8000")
    assert in_front_of_the_emulator(prepare("POST", "http://127.0.0.1:8010/openapi/v1/withdraw", data={"a": "1"})).body


def test_loopback_urls_are_recognised() -> None:
    assert is_loopback_url("http://127.0.0.1:1/x")
    assert is_loopback_url("http://localhost/x")
    assert is_loopback_url("http://[::1]:80/")
    assert not is_loopback_url("https://sandbox-api.cpay.ltd")
    assert not is_loopback_url("http://10.0.0.1/")


def test_the_secret_never_shows_in_the_repr() -> None:
    assert SECRET not in repr(CPaySignAuth("1001", SECRET))


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@given(params=st.dictionaries(_text.filter(lambda name: name not in ("sign", "merchantId", "")), _text, max_size=6))
def test_any_form_or_query_verifies_as_the_server_decodes_it(params: dict[str, str]) -> None:
    auth = CPaySignAuth("1001", SECRET)
    for request in (
        prepare("GET", "http://x/p", params=params),
        prepare("POST", "http://x/p", data=params or {"a": ""}),
    ):
        decoded = server_params(auth(request))
        assert verify_sign(decoded, SECRET, decoded["sign"])
