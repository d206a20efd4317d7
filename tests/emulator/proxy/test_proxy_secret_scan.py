"""A secret scan under load: card payments through the proxy, merchants whose secrets hold ``"``, ``\\``, ``%``, ``&``.

The load (bounded: ``REQUESTS`` exchanges, ``CONCURRENCY`` at a time, ``DEADLINE_SECONDS`` in all) goes through
the proxy, recording and reporting, to the emulator. It mixes what puts secrets and card data in the answers and
in the proxy's texts: pwpp correctly and wrongly signed (the emulator's 10102 message quotes the signed string),
pwpp with a value the spec refuses (the violation quotes it), orders whose remark and headers hold the merchant's
secret, signed right and wrong. Then every text the proxy wrote (the recording, every log record of every
logger, the Markdown and JUnit reports, ``/_proxy/violations`` and ``/_proxy/summary``, each answer's
``x-cpay-violations``) is searched for each secret in every encoding and each card value as a token
(``leaks.found``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from cpay import SecretKey, sign_request_parameters
from cpay_emulator import EmulatorConfig, Merchant, ProxyConfig, create_app, create_proxy_app, emulator_codes
from cpay_emulator.proxy.recording import recording_files

from .conftest import UPSTREAM, client_of
from .leaks import found

SECRETS = {
    "20009001": 'quote"in-the-middle',
    "20009002": "back\\slash\\\\twice",
    "20009003": "percent%25and%zz%",
    "20009004": "amp&sign=x&key=y",
    "20009005": 'all"of\\them%26&at once',
}
REQUESTS = 300
CONCURRENCY = 16
DEADLINE_SECONDS = 60
FORM = {"content-type": "application/x-www-form-urlencoded"}


def card(index: int) -> dict[str, str]:
    """A distinct test card per request (approved: its last four are no test outcome), CVV and expiry."""
    return {
        "cardNumber": f"40000{index:07d}1111",
        "cvv": f"{7000 + index:04d}",
        "expDate": f"{index % 12 + 1:02d}/{41 + index % 9}",
    }


def pwpp_fields(index: int, **extra: str) -> dict[str, str]:
    return {
        "merchantTradeNo": f"scan-{index}",
        "userId": f"user-{index}",
        "firstName": "Hart",
        "lastName": "Lee",
        "email": "hart@example.com",
        "iddCode": "35",
        "mobile": "712345678",
        "addressLine": "1 Main Street",
        "country": "US",
        "city": "Boston",
        "zip": "02110",
        **card(index),
        "ip": "203.0.113.7",
        "currency": "USD",
        "amount": "19.01",
        "products": '[{"name":"book","price":"19.01","num":"1","currency":"USD"}]',
        "clientHTTPAccept": "text/html",
        "clientHTTPUserAgent": "Mozilla/5.0",
        "createTime": str(int(time.time() * 1000)),
        **extra,
    }


def order_fields(index: int, secret: str) -> dict[str, str]:
    return {
        "merchantTradeNo": f"scan-{index}",
        "userId": f"user-{index}",
        "amount": "12.5",
        "cryptoCurrency": "USDT",
        "createTime": str(int(time.time() * 1000)),
        "remark": f"pasted by mistake: {secret}",
    }


def request_of(index: int) -> tuple[str, bytes, bytes, dict[str, str]]:
    """``(path, query, body, headers)`` of the ``index``-th exchange of the load."""
    kind = index % 6
    merchant_id = list(SECRETS)[(index - 2 if kind == 5 else index) % len(SECRETS)]
    secret = SECRETS[merchant_id]
    headers = dict(FORM)
    if kind == 0:
        path, fields = "/openapi/v1/pwpp", pwpp_fields(index)
    elif kind == 1:
        path, fields = "/openapi/v1/pwpp", pwpp_fields(index)
        secret = "not-this-merchant-s-key"
    elif kind == 2:  # the spec refuses the e-mail: the violation quotes the request
        path, fields = "/openapi/v1/pwpp", pwpp_fields(index, email=f"{card(index)['cardNumber']} not an e-mail")
    elif kind == 3:
        path, fields = "/openapi/v1/createOrder", order_fields(index, secret)
        headers["x-merchant-note"] = secret
    elif kind == 4:
        path, fields = "/openapi/v1/createOrder", order_fields(index, secret)
        secret = "not-this-merchant-s-key"
    else:
        # the order of kind 3: its detail holds the remark with the merchant's secret
        path, fields = "/openapi/v1/getOrderDetail", {"merchantTradeNo": f"scan-{index - 2}"}
    encoded = urlencode(fields).encode()
    if path.endswith("getOrderDetail"):
        query, _ = sign_request_parameters(encoded, None, merchant_id=merchant_id, secret_key=secret)
        return path, query, b"", {}
    query, body = sign_request_parameters(b"", encoded, merchant_id=merchant_id, secret_key=secret)
    return path, query, body or b"", headers


def test_no_secret_and_no_card_value_is_found_in_anything_the_proxy_wrote_under_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    merchants = tuple(Merchant(merchant_id=name, secret_key=SecretKey(key)) for name, key in SECRETS.items())
    emulator = create_app(EmulatorConfig(merchants=merchants, webhook_worker=False))
    for merchant_id in SECRETS:
        emulator.state.emulator.ledger.set_balance(merchant_id, "USDT", Decimal("1000"))
    recording, reports = tmp_path / "traffic.jsonl", tmp_path / "reports"
    proxy = create_proxy_app(
        ProxyConfig(
            upstream=UPSTREAM,
            secrets={name: SecretKey(key) for name, key in SECRETS.items()},
            codes=emulator_codes(),
            record=recording,
            record_max_bytes=256 * 1024,  # rotated files are scanned too
            report_dir=reports,
            transport=httpx.ASGITransport(app=emulator),
        )
    )
    answers: list[httpx.Response] = []

    async def run() -> tuple[str, str]:
        slots = asyncio.Semaphore(CONCURRENCY)
        async with client_of(proxy) as client:

            async def send(index: int) -> None:
                path, query, body, headers = request_of(index)
                async with slots:
                    method = "GET" if not body else "POST"
                    answers.append(
                        await client.request(method, f"{path}?{query.decode()}", content=body, headers=headers)
                    )

            async with asyncio.timeout(DEADLINE_SECONDS):
                await asyncio.gather(*(send(index) for index in range(REQUESTS)))
            violations = (await client.get("/_proxy/violations")).text
            summary = (await client.get("/_proxy/summary")).text
        await proxy.aclose()
        return violations, summary

    try:
        violations, summary = asyncio.run(run())
    finally:
        emulator.state.store.close()
    written = {str(path.name): path.read_text(encoding="utf-8") for path in recording_files(recording)}
    written |= {f"reports/{path.name}": path.read_text(encoding="utf-8") for path in reports.iterdir()}
    written["log"] = "\n".join(record.getMessage() for record in caplog.records)
    written["/_proxy/violations"], written["/_proxy/summary"] = violations, summary
    written["x-cpay-violations"] = "\n".join(answer.headers["x-cpay-violations"] for answer in answers)
    tokens = [value for index in range(REQUESTS) for value in card(index).values()]

    leaks = found(written, SECRETS.values(), tokens)

    recorded_lines = sum(text.count("\n") for name, text in written.items() if name.startswith("traffic.jsonl"))
    scanned = sum(len(text) for text in written.values())
    codes = sorted({answer.json()["code"] for answer in answers})
    files = len(recording_files(recording))
    print(
        f"\nsecret scan: {len(answers)} exchanges, {recorded_lines} recorded lines in {files} files, "
        f"{len(caplog.records)} log records, {scanned} characters scanned for {len(SECRETS)} secrets and "
        f"{len(tokens)} card values in every encoding: {len(leaks)} found; answer codes {codes}"
    )
    assert len(answers) == REQUESTS
    assert recorded_lines == REQUESTS
    assert {0, 10102} <= set(codes)  # the load did reach the success and the sign-error answers
    assert '"field":"email"' in violations  # and the violations that quote the request
    assert leaks == []
