"""The recording masks request and response, headers and bodies, before it is serialized; no encoding hides a secret.

An upstream that echoes (as the emulator's sign-error message once did, and as a real deployment may) puts the
request's card data and the merchant's secret in its answer: in ``msg``, under ``data``, in a header, raw,
percent-encoded or JSON-escaped. Whatever the proxy writes (the recording, its log, the violations) must hold
none of it, in any encoding (``leaks.found``); the traffic itself is passed on unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpay import SENSITIVE_FIELDS, SecretKey, mask_sensitive, sign_request_parameters, signing_payload
from cpay_emulator import ProxyConfig, create_proxy_app, emulator_codes
from cpay_emulator.proxy.recording import read_recording
from cpay_emulator.shared.redaction import Redactor, sensitive_values

from .conftest import MERCHANT_ID, UPSTREAM, client_of
from .leaks import encodings, found

HARD_SECRET = 'k"ey\\with%25&odd=chars +é'  # a secret holding ", \, %, &, =, a space and a non-ASCII letter
CARD = {"cardNumber": "4000002760003184", "cvv": "7391", "expDate": "07/41"}
PWPP = "/openapi/v1/pwpp"


class Echo:
    """An upstream that quotes everything it was sent, in every way a careless server might."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        fields = dict(parse_qsl(scope["query_string"].decode() + "&" + body.decode(), keep_blank_values=True))
        answer = {
            "code": 10102,
            # the emulator's old sign-error message: the whole signed string, card data and all
            "msg": f"invalid sign: expected HMAC of {signing_payload(fields)!r} + '&key=<secret key>'",
            "data": {
                "cardNumber": fields.get("cardNumber"),
                "card": {"cvv": fields.get("cvv"), "expDate": fields.get("expDate")},
                "query": scope["query_string"].decode(),  # percent-encoded
                "form": body.decode(),  # form-encoded
                "remarkJson": json.dumps(fields.get("remark", "")),  # JSON-escaped inside a JSON string
            },
            "traceid": "T1",
        }
        headers = [
            (b"content-type", b"application/json"),
            (b"x-echo-query", scope["query_string"]),
            (b"x-echo-card", fields.get("cardNumber", "").encode()),
            (b"set-cookie", b"session=" + quote(fields.get("remark", "")).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})


def pwpp_through_an_echo(tmp_path: Path, secret: str) -> tuple[httpx.Response, str]:
    """One pwpp with the card and a remark holding ``secret``, through the proxy to ``Echo``; the answer, the
    recording."""
    recording = tmp_path / "traffic.jsonl"
    config = ProxyConfig(
        upstream=UPSTREAM,
        secrets={MERCHANT_ID: SecretKey(secret)},
        codes=emulator_codes(),
        record=recording,
        transport=httpx.ASGITransport(app=Echo()),
    )
    proxy = create_proxy_app(config)
    form = "&".join(f"{name}={quote(value, safe='')}" for name, value in {**CARD, "remark": f"note {secret}"}.items())
    query, body = sign_request_parameters(b"", form.encode(), merchant_id=MERCHANT_ID, secret_key=secret)

    async def run() -> httpx.Response:
        async with client_of(proxy) as client:
            answer = await client.post(
                f"{PWPP}?{query.decode()}",
                content=body,
                headers={b"content-type": b"application/x-www-form-urlencoded", b"x-merchant-note": secret.encode()},
            )
        await proxy.aclose()
        return answer

    return asyncio.run(run()), recording.read_text(encoding="utf-8")


def test_card_data_an_upstream_echoes_in_msg_data_and_headers_is_masked_in_the_recording(tmp_path: Path) -> None:
    answer, recorded = pwpp_through_an_echo(tmp_path, "plain-secret")
    assert CARD["cardNumber"] in answer.text  # the traffic is passed on as it came
    assert found({"recording": recorded}, [], CARD.values()) == []
    (entry,) = [json.loads(line) for line in recorded.splitlines()]
    assert entry["request"]["cardNumber"] == "************3184"
    assert entry["response"]["data"]["cardNumber"] == "************3184"
    assert entry["response"]["data"]["card"] == {"cvv": "***", "expDate": "***"}
    assert "cardNumber=************3184&cvv=***&expDate=***" in entry["response"]["msg"]
    assert ["x-echo-card", "************3184"] in entry["responseHeaders"]
    assert ["set-cookie", "***"] in entry["responseHeaders"]


def test_a_secret_holding_quotes_backslashes_percent_and_ampersands_is_redacted_in_every_encoding(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cpay_emulator")
    answer, recorded = pwpp_through_an_echo(tmp_path, HARD_SECRET)
    assert quote(HARD_SECRET, safe="") in answer.json()["data"]["form"]  # the traffic is passed on as it came
    written = {
        "recording": recorded,
        "log": "\n".join(record.getMessage() for record in caplog.records),
        "x-cpay-violations": answer.headers["x-cpay-violations"],
    }
    assert found(written, [HARD_SECRET], CARD.values()) == []
    (entry,) = read_recording(tmp_path / "traffic.jsonl")  # still one whole JSON line
    assert entry["request"]["remark"] == "note ***"
    assert ["x-merchant-note", "***"] in entry["requestHeaders"]


@pytest.mark.parametrize("encoding", sorted(encodings(HARD_SECRET)))
def test_the_redactor_takes_the_secret_out_of_each_encoding(encoding: str) -> None:
    form = encodings(HARD_SECRET)[encoding]
    cleaned = Redactor([SecretKey(HARD_SECRET)]).clean(f"before {form} after")
    assert cleaned == "before *** after"


def test_the_redactor_masks_a_short_sensitive_value_only_as_a_whole_number() -> None:
    redactor = Redactor([])
    values = {"7391": "***", "4000002760003184": "************3184"}
    assert redactor.clean("cvv=7391&amount=73910&rate=7391.50&id=17391", values=values) == (
        "cvv=***&amount=73910&rate=7391.50&id=17391"
    )
    assert redactor.clean("card%3D4000002760003184%26", values=values) == "card%3D************3184%26"


def test_a_short_sensitive_value_inside_a_hex_sign_or_an_id_is_left_alone() -> None:
    values = {"7027": "***"}
    text = "sign=0c4d1435ce7027e872a1&traceid=261125X7027&cvv%3D7027%26&note=\\u00267027"
    assert Redactor([]).clean(text, values=values) == (
        "sign=0c4d1435ce7027e872a1&traceid=261125X7027&cvv%3D***%26&note=\\u0026***"
    )


_NAMES = st.sampled_from(["cvv", "c%76v", "cvv%", "cardNumber", "card%4Eumber", "a+b", "a%2C", "x", ""])
_PIECES = st.one_of(
    st.builds("{}={}".format, _NAMES, st.text(alphabet="40%2B+ é=\x00", max_size=8)),
    _NAMES,  # no "=": not a parameter
    st.text(alphabet="ab=&%+2Ce.é\x00", max_size=10),
)
_QUERY_TEXT = st.lists(_PIECES, max_size=6).map("&".join)


@given(query=_QUERY_TEXT.map(str.encode), body=st.one_of(st.none(), _QUERY_TEXT.map(str.encode)))
@settings(max_examples=400, deadline=None)
def test_the_request_s_sensitive_values_are_those_parse_qsl_reads(query: bytes, body: bytes | None) -> None:
    sensitive = frozenset({"cvv", "cardNumber", "a b", "a,"})
    expected: dict[str, str] = {}
    for encoded in (query, body or b""):
        for name, value in parse_qsl(encoded.decode("utf-8", "replace"), keep_blank_values=False):
            masked = mask_sensitive({name: value}, sensitive=sensitive)[name] if name in sensitive else value
            if masked != value:
                expected[value] = masked
    assert sensitive_values(query, body, sensitive) == expected


def test_a_card_number_under_a_percent_encoded_name_is_still_a_sensitive_value() -> None:
    found_values = sensitive_values(b"card%4Eumber=4000002760003184&cvv=73+91", b"x=1&cvv=&cvv", SENSITIVE_FIELDS)
    assert found_values == {"4000002760003184": "************3184", "73 91": "***"}
