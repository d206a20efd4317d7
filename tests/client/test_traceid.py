"""Every response's ``traceid`` is reachable, typed: on the envelope a call returns, or on its ``BusinessError``.

``unwrap`` returns ``data`` only, so a caller who needs the traceid of a success keeps the envelope
(docs/site/logging.md, "Trace ids").
"""

from __future__ import annotations

import asyncio

import attrs
import pytest

import cpay_client.models
from cpay import BusinessError, unwrap
from cpay_client.api.balances import get_merchant_balance

from .conftest import OPERATIONS
from .runtime_doubles import Script, client_for, envelope

BALANCES = [{"availableBalance": "10", "freezeBalance": "0", "cryptoCurrency": "USDT"}]


def test_a_success_carries_its_traceid_on_the_envelope() -> None:
    with client_for(Script(envelope(BALANCES, traceid="221117074719X9921729"))) as client:
        response = get_merchant_balance.sync(client=client)
        detailed = get_merchant_balance.sync_detailed(client=client)
    assert response is not None
    assert detailed.parsed is not None
    assert response.traceid == detailed.parsed.traceid == "221117074719X9921729"
    assert unwrap(response)[0].available_balance == "10"


def test_an_async_success_carries_its_traceid_too() -> None:
    async def call() -> object:
        async with client_for(Script(envelope(BALANCES, traceid="async-trace"))) as client:
            response = await get_merchant_balance.asyncio(client=client)
        assert response is not None
        return response.traceid

    assert asyncio.run(call()) == "async-trace"


def test_a_business_error_carries_the_traceid_of_its_response() -> None:
    with (
        client_for(Script(envelope(code=1, msg="fail", traceid="failed-trace"))) as client,
        pytest.raises(BusinessError) as raised,
    ):
        get_merchant_balance.sync(client=client)
    assert raised.value.traceid == "failed-trace"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operations_envelope_has_a_typed_traceid(operation_id: str) -> None:
    schema = OPERATIONS[operation_id].spec["responses"]["200"]["content"]["application/json"]["schema"]
    model = getattr(cpay_client.models, schema["$ref"].rsplit("/", 1)[-1])
    assert str(attrs.fields_dict(model)["traceid"].type) == "str | Unset"  # the annotation, as generated
    assert model.from_dict({"code": 0, "msg": "ok", "traceid": "t"}).traceid == "t"
