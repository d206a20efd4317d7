"""The suite against the real emulator in-process: broken variants make it fail, the emulator itself passes.

Issue 6, "done when": a response field of the wrong type, a 500 on some input, a bad sign accepted and a
required response field dropped are each caught. Runs are bounded (few examples, fixed seed) and limited to
the operations a variant touches; the full run is ``make conformance``.
"""

from __future__ import annotations

from typing import Any

import pytest
from emulator_variants import AcceptBadSign, AnswerNotFound, ErrorOn, RewriteData

from cpay_conformance import Target, load_schema
from cpay_conformance._inprocess import RunResult, run_in_process

PHASES = ["examples", "coverage", "fuzzing"]


def run(
    app: Any, target: Target, operations: list[str], *, max_examples: int = 10, phases: list[str] = PHASES
) -> RunResult:
    schema = load_schema(target, app=app, max_examples=max_examples, phases=phases, seed=11, operations=operations)
    return run_in_process(schema)


def _amounts_as_numbers(data: Any) -> Any:
    return [{**balance, "availableBalance": float(balance["availableBalance"])} for balance in data]


def test_a_response_field_of_the_wrong_type_is_caught(emulator_app: Any, emulator_target: Target) -> None:
    app = RewriteData(emulator_app, "getMerchantBalance", _amounts_as_numbers)
    result = run(app, emulator_target, ["getMerchantBalance"])
    assert "response_schema_conformance" in result.checks_failed(), result.report()


def test_a_500_on_some_input_is_caught(emulator_app: Any, emulator_target: Target) -> None:
    app = ErrorOn(emulator_app, "getWalletAddress", lambda query: len(query.get("userId", "")) > 20)
    result = run(app, emulator_target, ["getWalletAddress"])
    assert "not_a_server_error" in result.checks_failed(), result.report()


def test_a_bad_sign_accepted_is_caught(emulator_app: Any, emulator_target: Target) -> None:
    app = AcceptBadSign(emulator_app, emulator_target.secret_key.reveal())
    result = run(app, emulator_target, ["getMerchantBalance"])
    titles = {finding.title for finding in result.findings if finding.check == "sign_enforcement"}
    assert titles == {"API accepts a request signed with a wrong key"}, result.report()


def test_a_required_response_field_dropped_is_caught(emulator_app: Any, emulator_target: Target) -> None:
    app = RewriteData(
        emulator_app,
        "getWalletAddress",
        lambda data: [{"currency": a["currency"], "network": a["network"]} for a in data],
    )
    result = run(app, emulator_target, ["getWalletAddress"])
    assert "response_schema_conformance" in result.checks_failed(), result.report()


def test_a_created_order_that_cannot_be_read_back_is_caught(emulator_app: Any, emulator_target: Target) -> None:
    app = AnswerNotFound(emulator_app, "getOrderDetail")
    result = run(app, emulator_target, ["createOrder", "getOrderDetail"], phases=["stateful"])
    assert "created_order_is_readable" in result.checks_failed(), result.report()


ALL_OPERATIONS = [
    "getWalletAddress",
    "withdraw",
    "createFiatPayoutOrder",
    "getMerchantBalance",
    "getExchangeRate",
    "getExchangeRateForCreditCard",
    "getOrderDetail",
    "exchange",
    "submitKYC",
    "pwpp",
    "createOrder",
    "createOrderByCreditCard",
]


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_the_unmodified_emulator_passes(operation: str, emulator_app: Any, emulator_target: Target) -> None:
    result = run(emulator_app, emulator_target, [operation])
    assert result.passed, result.report()


def test_the_unmodified_emulator_passes_the_stateful_phase(emulator_app: Any, emulator_target: Target) -> None:
    result = run(emulator_app, emulator_target, ALL_OPERATIONS, phases=["stateful"])
    assert result.scenarios > 0
    assert result.passed, result.report()
