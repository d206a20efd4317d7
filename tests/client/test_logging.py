"""Each call is logged on the ``cpay`` logger (``CPAY_LOG`` or standard logging), never with a secret or a sign."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest

from cpay import BusinessError, CPayError, create_client
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.card_payments import pwpp
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.orders import get_order_detail
from cpay_client.api.payouts import create_fiat_payout_order, withdraw
from cpay_client.models import CreateFiatPayoutOrderRequest, CreateOrderRequest, PwppRequest, WithdrawRequest

from .conftest import MERCHANT_ID, OPERATIONS, SECRET_KEY
from .runtime_doubles import Script, client_for, envelope

BALANCES = [{"availableBalance": "10", "freezeBalance": "0", "cryptoCurrency": "USDT"}]
LINE = re.compile(
    r"operation=(?P<operation>\w+) (?:status=(?P<status>\d+) code=(?P<code>\S+) traceid=(?P<traceid>\S+)|"
    r"error=(?P<error>\w+)) duration_ms=\d+\.\d attempt=(?P<attempt>\d+)(?: retry_in_s=(?P<retry>[\d.]+))?"
)


@pytest.fixture
def cpay_logger() -> Iterator[logging.Logger]:
    """The ``cpay`` logger, put back as it was (level and handlers) after the test."""
    logger = logging.getLogger("cpay")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def cpay_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict[str, str | None]]]:
    lines = []
    for record in caplog.records:
        if record.name == "cpay":
            match = LINE.fullmatch(record.getMessage())
            if match:
                lines.append((record.levelname, match.groupdict()))
    return lines


def test_each_call_is_one_info_line_with_operation_status_code_traceid_duration_and_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cpay")
    with client_for(Script(envelope(BALANCES, traceid="221117074719X9921729"))) as client:
        get_merchant_balance.sync(client=client)
    assert cpay_lines(caplog) == [
        (
            "INFO",
            {
                "operation": "getMerchantBalance",
                "status": "200",
                "code": "0",
                "traceid": "221117074719X9921729",
                "error": None,
                "attempt": "1",
                "retry": None,
            },
        )
    ]


def test_every_attempt_of_a_retried_call_is_logged(caplog: pytest.LogCaptureFixture, sleeps: list[float]) -> None:
    caplog.set_level(logging.INFO, logger="cpay")
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(503, text="busy"), envelope(BALANCES))
    with client_for(script) as client:
        get_merchant_balance.sync(client=client)
    lines = cpay_lines(caplog)
    assert [(level, line["attempt"], line["error"], line["status"], line["retry"]) for level, line in lines] == [
        ("WARNING", "1", "ReadTimeout", None, "0.50"),
        ("WARNING", "2", None, "503", "1.00"),
        ("INFO", "3", None, "200", None),
    ]
    assert lines[1][1]["code"] == "-"


def test_a_business_error_is_logged_with_its_code_and_traceid(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cpay")
    script = Script(envelope(code=10202, msg="order not found", traceid="t-404"))
    with client_for(script) as client, pytest.raises(BusinessError):
        get_order_detail.sync(client=client, merchant_trade_no="nope")
    ((level, line),) = cpay_lines(caplog)
    assert (level, line["operation"], line["code"], line["traceid"]) == ("INFO", "getOrderDetail", "10202", "t-404")


def test_a_body_that_is_no_envelope_is_logged_without_code_and_traceid(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cpay")
    script = Script(httpx.Response(200, text="<html>"), httpx.Response(200, json=["not", "an", "object"]))
    with client_for(script) as client:
        for _ in range(2):
            with contextlib.suppress(ValueError):  # the generated parser cannot read either body
                get_merchant_balance.sync(client=client)
    assert [(line["code"], line["traceid"]) for _, line in cpay_lines(caplog)] == [("-", "-"), ("-", "-")]


def test_nothing_is_logged_below_the_loggers_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cpay")
    with client_for(Script(envelope(BALANCES))) as client:
        get_merchant_balance.sync(client=client)
    assert [record for record in caplog.records if record.name == "cpay"] == []


def test_debug_adds_the_parameters_with_sign_and_card_data_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cpay")
    request = PwppRequest.from_dict(OPERATIONS["pwpp"].request_example())
    with client_for(Script(envelope({"orderId": "1"}))) as client:
        pwpp.sync(client=client, body=request)
    (parameters,) = [record.getMessage() for record in caplog.records if "parameters=" in record.getMessage()]
    assert parameters.startswith("operation=pwpp method=POST parameters={")
    assert f"'merchantTradeNo': '{request.merchant_trade_no}'" in parameters
    assert f"'merchantId': '{MERCHANT_ID}'" in parameters
    for masked in ("sign", "cvv", "expDate"):
        assert f"'{masked}': '***'" in parameters
    assert f"'cardNumber': '{'*' * (len(request.card_number) - 4)}{request.card_number[-4:]}'" in parameters
    assert request.card_number not in parameters
    assert f"'{request.exp_date}'" not in parameters


def wire_signs(script: Script) -> set[str]:
    signs: set[str] = set()
    for request in script.requests:
        for part in (request.url.query, request.content):
            signs.update(value for name, value in parse_qsl(part.decode()) if name == "sign")
    return signs


def test_neither_the_secret_nor_any_sign_appears_in_any_log_output(
    caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    """Every logger (cpay, httpx, httpcore) at every level, through reads, retries, writes and a recovery."""
    caplog.set_level(logging.DEBUG)
    script = Script(
        httpx.Response(503),
        envelope(BALANCES),  # a retried read
        envelope(
            {"orderId": "1", "merchantTradeNo": "m", "cryptoCurrency": "USDT", "orderAmount": "3", "cashierURL": "u"}
        ),
        envelope({"orderId": "2"}),  # pwpp, card data
        envelope(code=1, msg="fail"),  # a fiat payout whose remark is the secret, refused
        httpx.ReadTimeout("lost"),  # a withdrawal's response is lost...
        httpx.ReadTimeout("lost"),  # ... and so is every lookup
    )
    with client_for(script, recover_lost_writes=True) as client:
        get_merchant_balance.sync(client=client)
        create_order.sync(client=client, body=CreateOrderRequest.from_dict(OPERATIONS["createOrder"].request_example()))
        pwpp.sync(client=client, body=PwppRequest.from_dict(OPERATIONS["pwpp"].request_example()))
        fiat = {**OPERATIONS["createFiatPayoutOrder"].request_example(), "remark": f"note {SECRET_KEY}"}
        with pytest.raises(BusinessError):
            create_fiat_payout_order.sync(client=client, body=CreateFiatPayoutOrderRequest.from_dict(fiat))
        with pytest.raises(CPayError) as unknown:
            withdraw.sync(client=client, body=WithdrawRequest.from_dict(OPERATIONS["withdraw"].request_example()))
    output = caplog.text
    signs = wire_signs(script)
    # 9 requests, 6 signatures: the read's 2 attempts and the lookup's 3 each send one signed request again
    assert (len(script.requests), len(signs)) == (9, 6)
    assert "HTTP Request: GET" in output  # httpx's own lines were captured
    assert "operation=withdraw" in output
    assert "parameters=" in output
    assert SECRET_KEY not in output
    assert not [sign for sign in signs if sign in output]
    card = OPERATIONS["pwpp"].request_example()
    assert str(card["cardNumber"]) not in output
    assert f"'cvv': '{card['cvv']}'" not in output
    assert SECRET_KEY not in str(unknown.value)
    assert not [sign for sign in signs if sign in str(unknown.value)]


def test_cpay_log_debug_prints_to_stderr_when_the_program_configured_no_logging(
    cpay_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setenv("CPAY_LOG", "debug")
    with client_for(Script(envelope(BALANCES, traceid="tr-1"))) as client:
        get_merchant_balance.sync(client=client)
    err = capsys.readouterr().err
    assert "DEBUG cpay: operation=getMerchantBalance method=GET parameters=" in err
    assert "INFO cpay: operation=getMerchantBalance status=200 code=0 traceid=tr-1" in err
    assert cpay_logger.level == logging.DEBUG
    create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)
    assert len(cpay_logger.handlers) == 1  # a second client adds no second handler


def test_cpay_log_info_logs_calls_without_parameters(
    cpay_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setenv("CPAY_LOG", " INFO ")
    with client_for(Script(envelope(BALANCES))) as client:
        get_merchant_balance.sync(client=client)
    err = capsys.readouterr().err
    assert "operation=getMerchantBalance status=200" in err
    assert "parameters=" not in err


def test_cpay_log_leaves_output_to_the_programs_own_handlers(
    cpay_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CPAY_LOG", "info")
    with client_for(Script(envelope(BALANCES))) as client:
        get_merchant_balance.sync(client=client)
    assert cpay_logger.handlers == []  # pytest's handler on the root logger prints it
    assert cpay_lines(caplog)


def test_without_cpay_log_the_logger_is_left_alone(
    cpay_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPAY_LOG", raising=False)
    cpay_logger.setLevel(logging.ERROR)
    create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)
    assert cpay_logger.level == logging.ERROR


def test_an_unknown_cpay_log_value_is_refused(cpay_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPAY_LOG", "verbose")
    with pytest.raises(ValueError, match="CPAY_LOG='verbose': use 'info' or 'debug'"):
        create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET_KEY)


def test_the_httpx_filter_leaves_other_records_alone() -> None:
    from cpay._calllog import redact_httpx_request_lines

    redact_httpx_request_lines()
    redact_httpx_request_lines()
    httpx_logger = logging.getLogger("httpx")
    assert len(httpx_logger.filters) == 1
    (redact,) = httpx_logger.filters
    plain = logging.LogRecord("httpx", logging.INFO, __file__, 1, "retrying %s", ("sign=abc",), None)
    assert redact.filter(plain) if isinstance(redact, logging.Filter) else False
    assert plain.getMessage() == "retrying sign=abc"
    url = httpx.URL("https://c.example/x?a=1&sign=abc&b=2")
    line = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: %s %s", ("GET", url), None)
    assert redact.filter(line) if isinstance(redact, logging.Filter) else False
    assert line.getMessage() == "HTTP Request: GET https://c.example/x?a=1&sign=***&b=2"
