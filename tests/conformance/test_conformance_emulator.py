"""The suite against the real emulator in-process: broken variants make it fail, the emulator itself passes.

Issue 6, "done when": a response field of the wrong type, a 500 on some input, a bad sign accepted and a
required response field dropped are each caught. Runs are bounded (few examples, fixed seed) and limited to
the operations a variant touches; the full run is ``make conformance``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import yaml
from emulator_variants import AcceptBadSign, AnswerNotFound, ErrorOn, RewriteData

from cpay_conformance import SPEC_PATH, Target, load_schema
from cpay_conformance._inprocess import Finding, RunResult, run_in_process
from cpay_emulator import ErrorCode
from cpay_signing import compute_sign

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


@dataclass(frozen=True)
class KnownIssue:
    """An open finding of this suite, reported to the owner of the spec or of the emulator (issue 6 report).

    ``matches`` picks its findings out of a run (the rest must pass); ``reproduce`` sends the one request that
    shows it and says whether the defect is still there. When it is fixed, ``test_known_issue_is_still_open``
    fails and the entry must go.
    """

    summary: str
    matches: Callable[[Finding], bool]
    reproduce: Callable[[Any, Target], bool]


def _signed(target: Target, params: dict[str, str]) -> dict[str, str]:
    params = {**params, "merchantId": target.merchant_id}
    return {**params, "sign": compute_sign(params, target.secret_key)}


def _answer(app: Any, target: Target, operation: str, params: dict[str, str]) -> dict[str, Any]:
    """The envelope ``app`` answers to a correctly signed call of ``operation``."""

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as client:
            path = f"/openapi/v1/{operation}"
            if operation.startswith("get"):
                return await client.get(path, params=_signed(target, params))
            return await client.post(path, data=_signed(target, params))

    answer: dict[str, Any] = asyncio.run(call()).json()
    return answer


def _document_example(operation: str) -> dict[str, str]:
    """The request example of ``operation`` in openapi.yaml, as form text."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    post = spec["paths"][f"/openapi/v1/{operation}"]["post"]
    value = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["examples"]["document"]["value"]
    return {name: str(item) for name, item in value.items()}


PWPP_EXAMPLE = _document_example("pwpp")
_WITHDRAW = {
    "userId": "2345",
    "merchantTradeNo": "known-issue-1",
    "createTime": "1653669353000",
    "cryptoCurrency": "USDT",
    "network": "TRON(TRC-20)",
    "totalAmount": "1",
    "receivedAmount": "1",
}
_CREATE_ORDER = {"merchantTradeNo": "known-issue-2", "userId": "u1", "amount": "1", "cryptoCurrency": "USDT"}

KNOWN_ISSUES: dict[str, KnownIssue] = {
    "zero-amount": KnownIssue(
        summary="CryptoAmount/CardAmount patterns allow 0; the emulator answers 10001 'must be greater than 0'",
        matches=lambda finding: "must be greater than 0" in finding.message,
        reproduce=lambda app, target: (
            _answer(
                app,
                target,
                "getExchangeRate",
                {"sourceCurrency": "USDT", "targetCurrency": "BTC", "purchaseType": "0", "amount": "0"},
            )["code"]
            == ErrorCode.INVALID_PARAMETER
        ),
    ),
    "address-check": KnownIssue(
        summary="withdraw: a spec-valid toAddress that is no address of the network gets 10001 INVALID_PARAMETER",
        matches=lambda finding: re.search(r"toAddress: not a valid .* address", finding.message) is not None,
        reproduce=lambda app, target: (
            _answer(app, target, "withdraw", {**_WITHDRAW, "toAddress": "0"})["code"] == ErrorCode.INVALID_PARAMETER
        ),
    ),
    "unknown-card": KnownIssue(
        summary="pwpp: an unknown ccStorageID gets 10001 INVALID_PARAMETER, not a business code",
        matches=lambda finding: "no card of this user is stored" in finding.message,
        reproduce=lambda app, target: (
            "no card of this user is stored"
            in _answer(app, target, "pwpp", {**PWPP_EXAMPLE, "ccStorageID": "unknown"})["msg"]
        ),
    ),
    "int64-overflow": KnownIssue(
        summary="createTime >= 2**63 (spec: int64, no maximum) crashes the order insert: code 1",
        matches=lambda finding: (
            finding.check == "envelope_not_a_server_error"
            and re.search(r"createTime=[0-9]{19,}", finding.reproduction) is not None
        ),
        reproduce=lambda app, target: (
            _answer(app, target, "createOrder", {**_CREATE_ORDER, "createTime": str(2**63)})["code"] == ErrorCode.FAIL
        ),
    ),
}


def _unexplained(result: RunResult) -> list[Finding]:
    return [f for f in result.findings if not any(issue.matches(f) for issue in KNOWN_ISSUES.values())]


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_the_unmodified_emulator_passes(operation: str, emulator_app: Any, emulator_target: Target) -> None:
    result = run(emulator_app, emulator_target, [operation])
    assert not result.errors, "\n".join(result.errors)
    unexplained = _unexplained(result)
    assert not unexplained, "\n\n".join(map(str, unexplained))


@pytest.mark.parametrize("name", sorted(KNOWN_ISSUES))
def test_known_issue_is_still_open(name: str, emulator_app: Any, emulator_target: Target) -> None:
    assert KNOWN_ISSUES[name].reproduce(emulator_app, emulator_target), f"fixed? remove {name!r} from KNOWN_ISSUES"


def test_the_unmodified_emulator_passes_the_stateful_phase(emulator_app: Any, emulator_target: Target) -> None:
    result = run(emulator_app, emulator_target, ALL_OPERATIONS, phases=["stateful"])
    assert result.scenarios > 0
    assert not result.errors, "\n".join(result.errors)
    unexplained = _unexplained(result)
    assert not unexplained, "\n\n".join(map(str, unexplained))
