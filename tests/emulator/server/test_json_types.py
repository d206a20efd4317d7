"""The emulator answers each field in the JSON type of the document's own example of that answer.

A client written against the real server decodes what the server sends: the vendor's Go SDK reads section 9's
``merchantId`` and ``createTime`` and section 14's ``merchantId`` into ``int64``, as the examples show numbers
there, and would fail on a string. The spec accepts both (``FlexibleId``, ``FlexibleTimestamp``), so only this
test holds the emulator to the examples: every field of ``data`` that an operation's success example in
``openapi.yaml`` shows must have the same JSON type in the emulator's answer to the SDK's call.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sdk_calls import CALLS, FUNDED_CURRENCIES, SPEC

from cpay import create_client
from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY, EmulatorConfig, create_app


def json_type(value: Any) -> str:
    names = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}
    return "null" if value is None else names[type(value)]


def example_data(operation_id: str) -> Any:
    for item in SPEC["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
                for example in examples.values():
                    if example["value"]["code"] == 0:
                        return example["value"]["data"]
    raise KeyError(operation_id)


def first(data: Any) -> Any:
    return data[0] if isinstance(data, list) else data


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    """The ``data`` of the emulator's first successful answer to each operation, through the SDK."""
    app = create_app(EmulatorConfig(webhook_worker=False))
    for currency in FUNDED_CURRENCIES:
        app.state.emulator.ledger.set_balance(DEMO_MERCHANT_ID, currency, Decimal("1000"))
    found: dict[str, Any] = {}

    async def run() -> None:
        async with create_client(
            "http://emulator.test",
            merchant_id=DEMO_MERCHANT_ID,
            secret_key=DEMO_SECRET_KEY,
            raise_business_errors=False,
            async_transport=httpx.ASGITransport(app=app),
        ) as client:
            for call in CALLS:
                body = json.loads((await call.asend(client)).content)
                if body["code"] == 0:
                    found.setdefault(call.operation_id, body["data"])

    asyncio.run(run())
    app.state.store.close()
    return found


@pytest.mark.parametrize("operation_id", sorted({call.operation_id for call in CALLS}))
def test_each_field_has_the_json_type_of_the_document_s_example(answers: dict[str, Any], operation_id: str) -> None:
    example, answer = first(example_data(operation_id)), first(answers[operation_id])
    shared = sorted(set(example) & set(answer))
    assert shared, operation_id
    assert {name: json_type(answer[name]) for name in shared} == {name: json_type(example[name]) for name in shared}


def test_section_9_and_14_ids_and_times_are_numbers(answers: dict[str, Any]) -> None:
    detail, card = answers["getOrderDetail"], answers["createOrderByCreditCard"]
    assert (type(detail["merchantId"]), type(detail["createTime"]), type(card["merchantId"])) == (int, int, int)
    assert str(detail["merchantId"]) == DEMO_MERCHANT_ID
    assert isinstance(answers["createOrder"]["merchantId"], str)  # section 13's example shows a string
