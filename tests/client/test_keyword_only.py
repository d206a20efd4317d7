"""Generated models take keyword arguments only (``generator/templates/model.py.jinja``), so field order is not API.

A field that becomes optional moves behind the required ones in ``__init__``; with positional arguments a call
``WithdrawRequest("u1", "t1", ..., "66.1", "65.9", ...)`` would then swap two amounts of a payout without an
error. Keyword-only constructors turn every such call into a ``TypeError`` at once.
"""

from __future__ import annotations

import inspect

import attrs
import pytest

import cpay_client.models
from cpay_client.models import WithdrawRequest


def generated_models() -> list[type]:
    return [
        value
        for name in cpay_client.models.__all__
        if attrs.has(value := getattr(cpay_client.models, name)) and isinstance(value, type)
    ]


def test_every_generated_model_takes_keyword_arguments_only() -> None:
    models = generated_models()
    assert len(models) > 20  # the models of every operation, not an empty package
    positional = {
        model.__name__: [
            parameter.name
            for parameter in inspect.signature(model).parameters.values()
            if parameter.kind is not inspect.Parameter.KEYWORD_ONLY
        ]
        for model in models
    }
    assert {name: names for name, names in positional.items() if names} == {}


def test_a_positional_payout_request_is_refused() -> None:
    arguments = ("u1", "t1", 1_700_000_000_000, "USDT", "TRON(TRC-20)", "66.1", "65.9", "TXYZ")
    with pytest.raises(TypeError, match="positional"):
        WithdrawRequest(*arguments)  # type: ignore[call-arg]  # what the template forbids, on purpose
    request = WithdrawRequest(
        user_id="u1",
        merchant_trade_no="t1",
        create_time=1_700_000_000_000,
        crypto_currency="USDT",
        network="TRON(TRC-20)",
        total_amount="66.1",
        received_amount="65.9",
        to_address="TXYZ",
    )
    assert (request.total_amount, request.received_amount) == ("66.1", "65.9")
