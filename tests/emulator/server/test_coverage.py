"""What the emulator does with a spec it does not fully model (``server.coverage``, issue 13).

An operation without a handler is served statelessly: signed and validated like any other, answered with the
spec's example or a value generated from its response schema, which always fits that schema. A response field
the spec declares and the emulator never fills is listed. Both show in the start-up log and the health.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import subprocess
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpay import CPayAuth
from cpay_emulator import EmulatorConfig, ErrorCode, create_app
from cpay_emulator.backends import views
from cpay_emulator.server.api import HANDLERS
from cpay_emulator.server.coverage import SpecCoverage, stateless_answer, success_responses
from cpay_emulator.server.endpoint import STATELESS_ANSWER_HEADER
from cpay_emulator.shared.refs import inline_refs

from ..conftest import BIN, MERCHANT_ID, REPO, SECRET_KEY, merchants
from .test_samples import assert_valid, strings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

CRYPTO_ORDER_PATH = "/openapi/v1/createCryptoOrder"
ORDER_FORM = {
    "merchantTradeNo": "c1",
    "createTime": "1668569197000",
    "userId": "u1",
    "amount": "3",
    "cryptoCurrency": "USDT",
}
Edit = Callable[[dict[str, Any]], None]


def add_create_crypto_order(spec: dict[str, Any]) -> None:
    """The issue's example: a copy of createOrder at a new path."""
    operation = copy.deepcopy(spec["paths"]["/openapi/v1/createOrder"])
    operation["post"]["operationId"] = "createCryptoOrder"
    spec["paths"][CRYPTO_ORDER_PATH] = operation


def crypto_order_response(spec: dict[str, Any]) -> dict[str, Any]:
    content = spec["paths"][CRYPTO_ORDER_PATH]["post"]["responses"]["200"]["content"]
    response: dict[str, Any] = content["application/json"]
    return response


def without_examples(spec: dict[str, Any]) -> None:
    crypto_order_response(spec).pop("examples")


@functools.cache
def _repo_spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "openapi.yaml").read_text(encoding="utf-8"))
    return document


def load_repo_spec() -> dict[str, Any]:
    """A fresh copy of the repository's ``openapi.yaml``, to edit."""
    return copy.deepcopy(_repo_spec())


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """``serve(edit, ...)``: a signed client of an emulator serving the repository's spec changed by each edit."""
    apps: list[Any] = []
    clients: list[TestClient] = []

    def start(*edits: Edit) -> TestClient:
        spec = load_repo_spec()
        for edit in edits:
            edit(spec)
        path = tmp_path / f"openapi-{len(apps)}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        app = create_app(EmulatorConfig(spec_path=path, merchants=merchants(), webhook_worker=False))
        apps.append(app)
        client = TestClient(app)
        client.auth = CPayAuth(MERCHANT_ID, SECRET_KEY)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
    for app in apps:
        app.state.store.close()


def health(client: TestClient) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/_emulator/health", auth=None).json()["data"]
    return data


def response_validator(spec: dict[str, Any], path: str, method: str = "post") -> jsonschema.Draft202012Validator:
    schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator(inline_refs(spec, schema))


def test_an_added_operation_is_answered_with_the_spec_example_after_the_usual_checks(serve: Any) -> None:
    client = serve(add_create_crypto_order)
    spec = load_repo_spec()
    add_create_crypto_order(spec)

    answer = client.post(CRYPTO_ORDER_PATH, data=ORDER_FORM)

    body = answer.json()
    assert (body["code"], body["msg"]) == (0, "success")
    assert body["data"] == crypto_order_response(spec)["examples"]["document"]["value"]["data"]
    assert answer.headers[STATELESS_ANSWER_HEADER] == "example"
    response_validator(spec, CRYPTO_ORDER_PATH).validate(body)
    # The request is checked as for every operation: the sign, then the spec's rules.
    unsigned = client.post(CRYPTO_ORDER_PATH, data=ORDER_FORM, auth=None).json()
    assert unsigned["code"] == ErrorCode.MISSING_SIGNATURE
    wrong_key = client.post(CRYPTO_ORDER_PATH, data=ORDER_FORM, auth=CPayAuth(MERCHANT_ID, "not-the-key")).json()
    assert wrong_key["code"] == ErrorCode.INVALID_SIGNATURE
    bad_amount = client.post(CRYPTO_ORDER_PATH, data={**ORDER_FORM, "amount": "3,5"}).json()
    assert bad_amount["code"] == ErrorCode.INVALID_PARAMETER
    assert "amount" in bad_amount["msg"]
    # Only the answers given count; nothing was stored.
    assert health(client)["notModeled"] == [
        {
            "operationId": "createCryptoOrder",
            "method": "POST",
            "path": CRYPTO_ORDER_PATH,
            "answer": "example",
            "problem": None,
            "answered": 1,
        }
    ]
    assert client.get("/_emulator/orders", auth=None).json()["data"] == []


def test_without_an_example_the_answer_is_generated_from_the_response_schema(serve: Any) -> None:
    first = serve(add_create_crypto_order, without_examples)
    spec = load_repo_spec()
    add_create_crypto_order(spec)

    answer = first.post(CRYPTO_ORDER_PATH, data=ORDER_FORM)

    assert answer.headers[STATELESS_ANSWER_HEADER] == "generated"
    body = answer.json()
    response_validator(spec, CRYPTO_ORDER_PATH).validate(body)
    assert body["data"]["status"] in ("0", "11", "14", "15")
    assert body["data"]["orderAmount"] == "12.237"  # DecimalString's example
    again = serve(add_create_crypto_order, without_examples).post(CRYPTO_ORDER_PATH, data=ORDER_FORM).json()
    assert again["data"] == body["data"]  # deterministic: another emulator gives the same answer
    assert health(first)["notModeled"][0]["answer"] == "generated"


def test_an_example_that_breaks_the_response_schema_is_not_used(serve: Any, caplog: Any) -> None:
    def break_example(spec: dict[str, Any]) -> None:
        del crypto_order_response(spec)["examples"]["document"]["value"]["data"]["cashierURL"]  # a required field

    with caplog.at_level(logging.WARNING, logger="cpay_emulator"):
        client = serve(add_create_crypto_order, break_example)

    answer = client.post(CRYPTO_ORDER_PATH, data=ORDER_FORM)
    assert answer.headers[STATELESS_ANSWER_HEADER] == "generated"
    assert "cashierURL" in answer.json()["data"]
    assert "createCryptoOrder: the spec's example 1 breaks the response schema" in caplog.text
    assert 'data: "cashierURL" is a required property' in caplog.text


def test_an_operation_no_value_can_answer_gets_code_1_with_the_reason(serve: Any, caplog: Any) -> None:
    def impossible_answer(spec: dict[str, Any]) -> None:
        order = {
            "type": "object",
            "required": ["orderId"],
            "properties": {"orderId": {"type": "string", "pattern": "^[0-9]{21}$", "maxLength": 5}},
        }
        envelope = {"type": "object", "properties": {"code": {"type": "integer"}, "data": {"anyOf": [order]}}}
        crypto_order_response(spec).update(schema=envelope, examples={})

    with caplog.at_level(logging.WARNING, logger="cpay_emulator"):
        client = serve(add_create_crypto_order, impossible_answer)

    body = client.post(CRYPTO_ORDER_PATH, data=ORDER_FORM).json()
    assert body["code"] == ErrorCode.FAIL
    assert body["msg"].startswith("the emulator does not model createCryptoOrder and cannot answer it: no value fits")
    assert "data.orderId" in body["msg"]
    assert "createCryptoOrder (POST /openapi/v1/createCryptoOrder) is not modeled and cannot be answered" in caplog.text
    listed = health(client)["notModeled"][0]
    assert (listed["answer"], listed["answered"]) == ("none", 0)
    assert "data.orderId" in listed["problem"]


def test_fields_the_spec_adds_to_modeled_answers_are_listed_as_never_filled(serve: Any, caplog: Any) -> None:
    def add_fields(spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        schemas["MerchantBalance"]["properties"]["pendingBalance"] = {"$ref": "#/components/schemas/DecimalString"}
        schemas["CryptoOrder"]["properties"]["expireTime"] = {"$ref": "#/components/schemas/FlexibleTimestamp"}

    with caplog.at_level(logging.WARNING, logger="cpay_emulator"):
        client = serve(add_fields)

    assert health(client)["unfilledFields"] == [
        {"operationId": "getMerchantBalance", "field": "data[].pendingBalance"},
        {"operationId": "createOrder", "field": "data.expireTime"},
    ]
    assert health(client)["notModeled"] == []
    assert (
        "response fields of openapi.yaml the emulator never fills: "
        "getMerchantBalance data[].pendingBalance, createOrder data.expireTime"
    ) in caplog.text


def test_the_command_line_emulator_says_at_start_what_it_does_not_model(tmp_path: Path) -> None:
    spec = load_repo_spec()
    add_create_crypto_order(spec)
    spec["components"]["schemas"]["MerchantBalance"]["properties"]["pendingBalance"] = {"type": "string"}
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    command = [str(BIN / "cpay-emulator"), "serve", "--port", "0", "--db", ":memory:", "--quiet", "--spec", str(path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert "listening on http://127.0.0.1:" in process.stdout.readline()  # the log lines are written before
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert (
        "not modeled by the emulator, answered from openapi.yaml without state: "
        "createCryptoOrder (POST /openapi/v1/createCryptoOrder, the spec's example)\n"
    ) in errors
    unfilled = "response fields of openapi.yaml the emulator never fills: getMerchantBalance data[].pendingBalance\n"
    assert unfilled in errors


def test_the_repository_spec_is_modeled_whole(client: Any) -> None:
    assert health(client) == {"status": "ok", "pendingWebhooks": 0, "notModeled": [], "unfilledFields": []}


def _validate_each(spec: dict[str, Any], coverage: SpecCoverage) -> None:
    for operation_id, answer in coverage.stateless.items():
        assert answer.operation.answer in ("example", "generated"), answer.operation.problem
        response = success_responses(spec)[operation_id]
        envelope = {"code": 0, "msg": "success", "data": answer.data, "traceid": "221117074719X9921729"}
        assert response.schema is not None
        assert_valid(dict(response.schema), envelope)


def test_every_operation_of_the_spec_could_be_answered_statelessly() -> None:
    spec = load_repo_spec()
    coverage = SpecCoverage.of(spec, handled=(), answer_fields={})
    assert set(coverage.stateless) == set(HANDLERS)
    assert {answer.operation.answer for answer in coverage.stateless.values()} == {"example"}
    _validate_each(spec, coverage)
    # And from the schemas alone:
    for item in spec["paths"].values():
        for operation in item.values():
            operation["responses"]["200"]["content"]["application/json"].pop("examples", None)
    generated = SpecCoverage.of(spec, handled=(), answer_fields={})
    assert {answer.operation.answer for answer in generated.stateless.values()} == {"generated"}
    _validate_each(spec, generated)


OPERATIONS = sorted(HANDLERS)
DATA_SCHEMAS = {  # the schema of data's entries of each operation, where a field can be added
    "getWalletAddress": "WalletAddress",
    "withdraw": "WithdrawOrder",
    "createFiatPayoutOrder": "FiatPayoutOrder",
    "getMerchantBalance": "MerchantBalance",
    "getExchangeRate": "ExchangeRate",
    "getExchangeRateForCreditCard": "CreditCardExchangeRate",
    "getOrderDetail": "OrderDetail",
    "exchange": "ExchangeResult",
    "submitKYC": "KycResult",
    "pwpp": "PwppPayment",
    "createOrder": "CryptoOrder",
    "createOrderByCreditCard": "CardOrder",
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    operation_id=st.sampled_from(OPERATIONS),
    added=st.dictionaries(st.from_regex(r"new[A-Z][a-z]{2,8}", fullmatch=True), strings, min_size=1, max_size=3),
    required=st.booleans(),
    keep_examples=st.booleans(),
)
def test_a_mutated_spec_is_still_answered_within_its_response_schema(
    operation_id: str, added: dict[str, Any], required: bool, keep_examples: bool
) -> None:
    spec = load_repo_spec()
    target = spec["components"]["schemas"][DATA_SCHEMAS[operation_id]]
    target["properties"].update(added)
    if required:
        target.setdefault("required", []).extend(name for name in added if name not in target["required"])
    if not keep_examples:
        for item in spec["paths"].values():
            for operation in item.values():
                operation["responses"]["200"]["content"]["application/json"].pop("examples", None)

    answer = stateless_answer(success_responses(spec)[operation_id])

    envelope = {"code": 0, "msg": "success", "data": answer.data, "traceid": "221117074719X9921729"}
    response = success_responses(spec)[operation_id]
    assert response.schema is not None
    assert_valid(dict(response.schema), envelope)
    # An added optional field keeps the example fit; a required one it lacks does not: then the answer is generated.
    expected = "example" if keep_examples and not required else "generated"
    assert answer.operation.answer == expected
    if expected == "generated":
        entry = answer.data[0] if isinstance(answer.data, list) else answer.data
        assert set(added) <= set(entry)


# -- the lists of filled fields are the real answers' ------------------------------------------------------------


def test_each_modeled_operation_has_its_list_of_answer_fields() -> None:
    assert set(views.ANSWER_FIELDS) == set(HANDLERS)


def _request_example(operation: dict[str, Any], item: dict[str, Any]) -> dict[str, str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
    if body is not None:
        return {name: str(value) for name, value in next(iter(body["examples"].values()))["value"].items()}
    parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
    return {parameter["name"]: str(parameter["example"]) for parameter in parameters if "example" in parameter}


def test_each_answer_fills_exactly_the_fields_its_list_declares(app: Any, client: Any) -> None:
    """Every modeled operation called with the spec's own request example (after createOrder's, whose order
    getOrderDetail then reads by merchantTradeNo): the fields of ``data`` are its ``ANSWER_FIELDS``."""
    for balance in app.state.emulator.ledger.balances(MERCHANT_ID):
        app.state.emulator.ledger.set_balance(MERCHANT_ID, balance.currency, Decimal(10**9))
    document = load_repo_spec()
    spec = inline_refs(document, document)
    calls = [
        (path, method, operation, item)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post")
    ]
    calls.sort(key=lambda call: call[2]["operationId"] != "createOrder")
    for path, method, operation, item in calls:
        operation_id = operation["operationId"]
        params = _request_example(operation, item)
        if operation_id == "getOrderDetail":
            params = {"merchantTradeNo": params["merchantTradeNo"]}
        answer = client.post(path, data=params) if method == "post" else client.get(path, params=params)
        body = answer.json()
        assert body["code"] == 0, (operation_id, body)
        entries = body["data"] if isinstance(body["data"], list) else [body["data"]]
        assert entries, operation_id
        for entry in entries:
            assert list(entry) == list(views.ANSWER_FIELDS[operation_id]), operation_id


def test_the_json_of_a_stateless_answer_is_the_example_byte_for_byte(serve: Any) -> None:
    spec = load_repo_spec()
    add_create_crypto_order(spec)
    client = serve(add_create_crypto_order)
    raw = client.post(CRYPTO_ORDER_PATH, data=ORDER_FORM).content
    expected = crypto_order_response(spec)["examples"]["document"]["value"]["data"]
    assert json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode() in raw
