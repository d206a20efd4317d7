"""A business error (HTTP 200, ``code != 0``) never passes silently: ``unwrap`` and the response hooks raise it.

The fake answers with the spec's own ``payFail`` example of ``pwpp`` (code 90751015, a declined card).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cpay import (
    BusinessError,
    CPayError,
    UnexpectedResponseError,
    araise_for_business_error,
    raise_for_business_error,
    unwrap,
)
from cpay_client.api.card_payments import pwpp
from cpay_client.models import PwppRequest, WithdrawOrder, WithdrawResponse
from cpay_client.types import UNSET

from .conftest import OPERATIONS, ClientFactory, FakeCPay

PAY_FAIL = OPERATIONS["pwpp"].response_example("payFail")


def pwpp_request() -> PwppRequest:
    return PwppRequest.from_dict(OPERATIONS["pwpp"].request_example())


def test_unwrap_raises_the_declined_card_with_code_msg_and_traceid(fake_cpay_client: ClientFactory) -> None:
    client = fake_cpay_client(FakeCPay(OPERATIONS["pwpp"], PAY_FAIL))
    envelope = pwpp.sync(client=client, body=pwpp_request())
    assert envelope is not None
    assert envelope.code == 90751015
    with pytest.raises(BusinessError) as raised:
        unwrap(envelope)
    assert (raised.value.code, raised.value.msg, raised.value.traceid) == (90751015, "pay fail", "221117082830X664937")
    assert isinstance(raised.value, CPayError)
    assert "90751015" in str(raised.value)


def test_the_response_hook_raises_before_the_generated_parser_runs(fake_cpay_client: ClientFactory) -> None:
    client = fake_cpay_client(FakeCPay(OPERATIONS["pwpp"], PAY_FAIL), business_error_hooks=True)
    with pytest.raises(BusinessError) as raised:
        pwpp.sync(client=client, body=pwpp_request())
    assert (raised.value.code, raised.value.msg, raised.value.traceid) == (90751015, "pay fail", "221117082830X664937")


def test_the_async_response_hook_raises_too(fake_cpay_client: ClientFactory) -> None:
    client = fake_cpay_client(FakeCPay(OPERATIONS["pwpp"], PAY_FAIL), business_error_hooks=True)

    async def run() -> None:
        async with client:
            await pwpp.asyncio(client=client, body=pwpp_request())

    with pytest.raises(BusinessError) as raised:
        asyncio.run(run())
    assert raised.value.code == 90751015


@pytest.mark.parametrize(
    "content",
    [
        b"<html>502 Bad Gateway</html>",
        b"\xff\xfe not utf-8",
        b"[1, 2]",
        b'{"code": 0, "msg": "success", "data": null}',
        b'{"code": "1", "msg": "a code that is not an integer is left to the parser"}',
        b'{"code": true, "msg": "neither is a boolean"}',
        b'{"msg": "no code"}',
    ],
)
def test_the_hook_passes_through_what_is_not_a_failed_envelope(content: bytes) -> None:
    raise_for_business_error(httpx.Response(200, content=content))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"code": 1, "msg": "fail", "data": None, "traceid": "T1"}, (1, "fail", "T1")),
        ({"code": 1, "msg": None}, (1, "", None)),
        ({"code": -7, "msg": "negative", "traceid": ""}, (-7, "negative", None)),
        ({"code": 500, "msg": "error", "traceid": 42}, (500, "error", None)),
    ],
)
def test_the_hook_raises_for_any_non_zero_integer_code(payload: dict[str, Any], expected: tuple[Any, ...]) -> None:
    with pytest.raises(BusinessError) as raised:
        raise_for_business_error(httpx.Response(200, json=payload))
    assert (raised.value.code, raised.value.msg, raised.value.traceid) == expected


def test_the_async_hook_reads_a_streamed_body_before_checking_it() -> None:
    async def stream() -> Any:
        yield b'{"code": 1, '
        yield b'"msg": "fail"}'

    async def run() -> None:
        await araise_for_business_error(httpx.Response(200, content=stream()))

    with pytest.raises(BusinessError, match="C-Pay error 1: fail"):
        asyncio.run(run())


def test_unwrap_returns_the_typed_data_of_a_success() -> None:
    order = WithdrawOrder.from_dict({"orderId": "1", "merchantTradeNo": "m1", "status": "0"})
    assert unwrap(WithdrawResponse(code=0, msg="ok", data=order)) is order


def test_unwrap_without_a_traceid_raises_with_none() -> None:
    with pytest.raises(BusinessError) as raised:
        unwrap(WithdrawResponse(code=1, msg="fail", data=None))
    assert raised.value.traceid is None


@pytest.mark.parametrize("data", [None, UNSET])
def test_unwrap_refuses_a_success_without_data(data: None) -> None:
    with pytest.raises(UnexpectedResponseError, match="success without data"):
        unwrap(WithdrawResponse(code=0, msg="ok", data=data, traceid="T9"))


def test_unwrap_refuses_an_undeclared_http_status() -> None:
    with pytest.raises(UnexpectedResponseError, match="HTTP status"):
        unwrap(None)
