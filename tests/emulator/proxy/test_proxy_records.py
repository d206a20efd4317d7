"""What the proxy writes: the recording, the log and the reports hold no secret; the recording rotates; replay.

The secret scan is done the way a leak would be found: every ``sign`` the client sent is collected on the
client's side, and the recording and every log record are searched for each of them, for the secret key and
for the card number of ``pwpp``.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
import xml.etree.ElementTree as ElementTree
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sdk_calls import CALLS, FUNDED_CURRENCIES

from cpay import (
    MalformedParametersError,
    SecretKey,
    SignatureError,
    verify_request_parameters,
)
from cpay_emulator import EmulatorConfig, create_app
from cpay_emulator.proxy.recording import read_recording, recording_files
from cpay_emulator.proxy.replay import compare_shapes, replay, shape_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x prefers httpx2 for its test client; httpx still works
    from starlette.testclient import TestClient

from .conftest import MERCHANT_ID, SECRET_KEY, client_of, proxy_for, sdk_client_of, signed_query
from .test_proxy_divergence import DivergentUpstream, envelope

CARD_NUMBER = "4111111111111111"  # pwpp's request example


def sdk_traffic_through(proxy: Any) -> list[str]:
    """Send ``CALLS`` and one wrongly signed request through ``proxy``; return every ``sign`` that was sent."""
    signs: list[str] = []

    async def collect(request: httpx.Request) -> None:
        signs.extend(value for name, value in request.url.params.multi_items() if name == "sign")

    async def run() -> None:
        client = sdk_client_of(proxy)
        async with client:
            client.get_async_httpx_client().event_hooks["request"].append(collect)
            for call in CALLS:
                await call.asend(client)
        async with client_of(proxy) as own:
            wrong = signed_query("userId=2345", secret_key="a-wrong-key")
            signs.append(httpx.QueryParams(wrong)["sign"])
            await own.get(f"/openapi/v1/getWalletAddress?{wrong}")
        await proxy.aclose()

    asyncio.run(run())
    return signs


def test_no_secret_key_sign_or_card_number_reaches_the_recording_or_the_log(
    emulator_app: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recording = tmp_path / "traffic.jsonl"
    caplog.set_level(logging.DEBUG)
    signs = sdk_traffic_through(proxy_for(emulator_app, record=recording, report_dir=tmp_path / "reports"))
    assert len(signs) == len(CALLS) + 1
    written = {
        "recording": recording.read_text(encoding="utf-8"),
        "log": "\n".join(record.getMessage() for record in caplog.records),
        "reports": "\n".join(path.read_text(encoding="utf-8") for path in (tmp_path / "reports").iterdir()),
    }
    assert written["log"]  # the proxy did log (and so did httpx, with the sign masked)
    for where, text in written.items():
        assert SECRET_KEY not in text, where
        assert CARD_NUMBER not in text, where
        leaked = [sign for sign in signs if sign in text]
        assert not leaked, f"{where} holds a sign"
    entries = list(read_recording(recording))
    assert len(entries) == len(CALLS) + 1
    assert [entry["request"]["sign"] for entry in entries] == ["valid"] * len(CALLS) + ["invalid"]
    (card_payment,) = [entry for entry in entries if entry["operationId"] == "pwpp"]
    assert card_payment["request"]["cardNumber"] == "************1111"
    assert card_payment["request"]["cvv"] == "***"
    (card_order,) = [entry for entry in entries if entry["operationId"] == "createOrderByCreditCard"]
    assert card_order["response"]["data"]["sign"] == "valid"  # the answer's own sign, checked and replaced


class Leaky(DivergentUpstream):
    """An upstream that echoes what it should not: the query string (with the sign) and the secret key."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        leak = {"exchangeRate": {"echo": scope["query_string"].decode(), "key": SECRET_KEY}}
        body = envelope(leak)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def test_what_an_upstream_echoes_is_masked_in_violations_and_the_recording(tmp_path: Path) -> None:
    recording = tmp_path / "traffic.jsonl"
    proxy = proxy_for(Leaky(), record=recording)
    query = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0")
    sign = httpx.QueryParams(query)["sign"]

    async def run() -> httpx.Response:
        async with client_of(proxy) as client:
            answer = await client.get(f"/openapi/v1/getExchangeRate?{query}")
            await client.get(f"/openapi/v1/getExchangeRate?{query}&amount=11")  # unreadable: amount twice
        await proxy.aclose()
        return answer

    answer = asyncio.run(run())
    assert SECRET_KEY in answer.text  # the traffic itself is never altered
    header = answer.headers["x-cpay-violations"]
    text = recording.read_text(encoding="utf-8")
    for written in (header, text):
        assert SECRET_KEY not in written
        assert sign not in written
    assert "<sign>" in text
    assert "***" in header


def test_the_recording_rotates_past_its_size_and_keeps_whole_lines(emulator_app: Any, tmp_path: Path) -> None:
    recording = tmp_path / "traffic.jsonl"
    proxy = proxy_for(emulator_app, record=recording, record_max_bytes=2500, record_keep=2)
    query = signed_query()

    async def run() -> None:
        async with client_of(proxy) as client:
            for _ in range(20):
                await client.get(f"/openapi/v1/getMerchantBalance?{query}")
        await proxy.aclose()

    asyncio.run(run())
    files = recording_files(recording)
    assert [path.name for path in files] == ["traffic.jsonl.2", "traffic.jsonl.1", "traffic.jsonl"]
    assert not (tmp_path / "traffic.jsonl.3").exists()
    assert all(path.stat().st_size <= 2500 for path in files)
    numbers = [entry["exchange"] for path in files for entry in read_recording(path)]
    assert numbers == list(range(numbers[0], 21))  # the newest, in order, none cut
    assert numbers[0] > 1  # the oldest were rotated out


def test_a_line_that_is_not_a_recording_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"method": "GET", "request": {}}\nnot json\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.jsonl:2"):
        list(read_recording(broken))


def test_the_reports_name_each_operation_and_field_that_broke_a_rule(tmp_path: Path) -> None:
    proxy = proxy_for(DivergentUpstream(), report_dir=tmp_path)
    rate = signed_query("sourceCurrency=USDT&targetCurrency=BRL&amount=10&purchaseType=0")

    async def run() -> None:
        async with client_of(proxy) as client:
            await client.get(f"/openapi/v1/getExchangeRate?{rate}")
            await client.get(f"/openapi/v1/getOrderDetail?{signed_query('merchantTradeNo=m')}")
            await client.get("/%1Bweird")  # a control character must not break the XML or the Markdown
        await proxy.aclose()

    asyncio.run(run())
    suite = ElementTree.parse(tmp_path / "proxy-junit.xml").getroot()
    failures = {
        (case.get("classname"), case.get("name")): case.find("failure")
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    }
    assert set(failures) == {
        ("getExchangeRate", "response conforms"),
        ("getOrderDetail", "response conforms"),
        ("GET /\\x1bweird (not in openapi.yaml)", "request conforms"),
    }
    rate_failure = failures[("getExchangeRate", "response conforms")]
    assert rate_failure is not None
    assert "data.exchangeRate" in (rate_failure.text or "")
    assert suite.get("failures") == "3"
    markdown = (tmp_path / "proxy-report.md").read_text(encoding="utf-8")
    assert "| getOrderDetail | 1 | 0 | 1 |" in markdown
    assert "`data.status`: 1 time(s)" in markdown
    assert "\x1b" not in markdown


# -- replay -----------------------------------------------------------------------------------------------------


def entry(exchange: int, path: str, request: dict[str, str], method: str = "GET") -> dict[str, Any]:
    operation = path.rsplit("/", 1)[-1]
    return {"exchange": exchange, "operationId": operation, "method": method, "path": path, "request": request}


RATE = {"merchantId": "20009999", "sourceCurrency": "USDT", "targetCurrency": "BRL", "amount": "10", "sign": "valid"}


def test_replay_signs_again_keeps_wrong_and_missing_signs_wrong_and_finds_shape_differences() -> None:
    seen: list[tuple[str, str]] = []

    def deployment(request: httpx.Request) -> httpx.Response:
        body = request.content if request.method == "POST" else None
        try:
            verified = verify_request_parameters(request.url.query, body, secret_key={MERCHANT_ID: SECRET_KEY}.get)
            seen.append((request.url.path, "valid " + ",".join(sorted(verified.parameters))))
        except SignatureError as error:
            seen.append((request.url.path, error.problem.value))
        except MalformedParametersError:
            seen.append((request.url.path, "malformed"))
        if request.url.path.endswith("getExchangeRate"):
            return httpx.Response(200, json={"code": 0, "msg": "ok", "data": {"exchangeRate": 5.1}, "traceid": "x"})
        if request.url.path.endswith("pwpp"):
            card = httpx.QueryParams(request.content.decode())["cardNumber"]
            return httpx.Response(200, json={"code": 0, "msg": "ok", "data": {"orderId": card}, "traceid": "x"})
        return httpx.Response(200, json={"code": 10102, "msg": "invalid sign", "data": None, "traceid": "x"})

    recorded_rate = {"code": 0, "msg": "success", "data": {"exchangeRate": "5.1"}, "traceid": "a"}
    entries = [
        {**entry(1, "/openapi/v1/getExchangeRate", RATE), "status": 200, "response": recorded_rate},
        {
            **entry(2, "/openapi/v1/getWalletAddress", {"merchantId": "20009999", "userId": "1", "sign": "invalid"}),
            "status": 200,
            "response": {"code": 10102, "msg": "invalid sign", "data": None, "traceid": "b"},
        },
        {
            **entry(3, "/openapi/v1/getWalletAddress", {"merchantId": "20009999", "userId": "1", "sign": "missing"}),
            "status": 200,
            "response": {"code": 0, "msg": "success", "data": [], "traceid": "c"},
        },
        {
            **entry(4, "/openapi/v1/pwpp", {"cardNumber": "************0002", "cvv": "***", "sign": "valid"}, "POST"),
            "status": 200,
            "response": {"code": 0, "msg": "success", "data": {"orderId": "1"}, "traceid": "d"},
        },
        {**entry(5, "/openapi/v1/getMerchantBalance", {"sign": "valid"}), "status": None, "error": "502"},
    ]
    with httpx.Client(transport=httpx.MockTransport(deployment), base_url="http://deployment.test") as client:
        result = replay(entries, client, {MERCHANT_ID: SecretKey(SECRET_KEY)})
    assert result.sent == 4
    assert len(result.skipped) == 1
    assert "#5" in result.skipped[0]
    assert seen == [
        ("/openapi/v1/getExchangeRate", "valid amount,sourceCurrency,targetCurrency"),
        ("/openapi/v1/getWalletAddress", "mismatch"),  # recorded invalid: sent invalid again
        ("/openapi/v1/getWalletAddress", "missing"),
        ("/openapi/v1/pwpp", "valid cardNumber,cvv"),
    ]
    described = [difference.describe() for difference in result.differences]
    assert described == [
        "#1 getExchangeRate: data.exchangeRate: string in the recording, number now",
        "#3 getWalletAddress: envelope code class: success (code 0) in the recording, error (code 10102) now",
    ]


def test_shapes_compare_types_and_keys_not_values() -> None:
    one = shape_of({"code": 0, "data": [{"a": "1", "b": 2}, {"a": "3"}], "traceid": "x"})
    assert list(compare_shapes(one, shape_of({"code": 5, "data": [{"a": "9", "b": 7}], "traceid": "y"}))) == []
    assert list(compare_shapes(one, shape_of({"code": 0, "data": [{"a": 1}], "extra": None}))) == [
        ("data[].a", "string", "integer"),
        ("data[].b", "integer", "missing"),
        ("traceid", "string", "missing"),
        ("extra", "missing", "null"),
    ]
    assert list(compare_shapes(shape_of({"data": []}), shape_of({"data": [{"a": 1}]}))) == []  # nothing to compare
    assert shape_of([1, "a"]) == ["array", "integer|string"]


def test_replay_against_a_fresh_emulator_finds_no_difference_and_against_the_same_one_finds_duplicates(
    tmp_path: Path,
) -> None:
    def funded() -> Any:
        app = create_app(EmulatorConfig(webhook_worker=False))
        for currency in FUNDED_CURRENCIES:
            app.state.emulator.ledger.set_balance(MERCHANT_ID, currency, Decimal("1000"))
        return app

    recorded_on = funded()
    recording = tmp_path / "traffic.jsonl"
    sdk_traffic_through(proxy_for(recorded_on, record=recording))
    entries = list(read_recording(recording))
    secrets = {MERCHANT_ID: SecretKey(SECRET_KEY)}
    fresh = funded()
    with TestClient(fresh) as client:
        clean = replay(entries, client, secrets)
    assert clean.sent == len(entries)
    assert clean.differences == []
    with TestClient(recorded_on) as client:
        again = replay(entries, client, secrets)
    classes = {(d.operation, d.where) for d in again.differences}
    assert ("createOrder", "envelope code class") in classes  # the same merchantTradeNo a second time
    for app in (recorded_on, fresh):
        app.state.store.close()
