"""Each envelope-aware check passes a correct server and fails on the defect it exists for.

The server here is a throwaway two-operation stand-in (see conftest): correct by default, broken one way
per test. Runs are in-process, bounded and seeded.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conftest import FAKE_SECRET, envelope, make_fake_app
from schemathesis import GenerationMode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from cpay import CPayError, compute_sign, verify_request_parameters, verify_sign
from cpay_conformance import Target, load_schema
from cpay_conformance._inprocess import RunResult, run_in_process
from cpay_conformance._rules import spec_rules

OPERATIONS = ["getWalletAddress", "getMerchantBalance"]
PHASES = ["examples", "coverage", "fuzzing"]


def run(app: Any, target: Target, *, max_examples: int = 15) -> RunResult:
    schema = load_schema(target, app=app, max_examples=max_examples, phases=PHASES, seed=7, operations=OPERATIONS)
    return run_in_process(schema)


def test_a_correct_server_passes(fake_target: Target) -> None:
    result = run(make_fake_app(), fake_target)
    assert result.passed, result.report()
    assert result.scenarios >= len(OPERATIONS)


def test_valid_input_answered_with_an_input_error_fails_positive_acceptance(fake_target: Target) -> None:
    app = make_fake_app(wallet=lambda params: envelope(10001, "invalid parameter userId"))
    result = run(app, fake_target)
    assert "envelope_positive_data_acceptance" in result.checks_failed(), result.report()


def test_a_business_outcome_is_a_fitting_answer_to_valid_input(fake_target: Target) -> None:
    app = make_fake_app(wallet=lambda params: envelope(10202, "order not found") if params.get("userId") else None)
    result = run(app, fake_target)
    assert "envelope_positive_data_acceptance" not in result.checks_failed(), result.report()


def test_invalid_input_answered_with_code_zero_fails_negative_rejection(fake_target: Target) -> None:
    app = make_fake_app(wallet=lambda params: envelope(0, data=[]))
    result = run(app, fake_target)
    assert "envelope_negative_data_rejection" in result.checks_failed(), result.report()


def test_an_unsigned_request_accepted_fails_sign_enforcement(fake_target: Target) -> None:
    result = run(make_fake_app(check_sign=False), fake_target)
    failed = [finding for finding in result.findings if finding.check == "sign_enforcement"]
    assert failed, result.report()
    # The reproduction is the probe: the request without a valid sign that the server let through.
    assert "API accepts a request" in failed[0].title


def test_a_wrong_sign_accepted_fails_sign_enforcement(fake_target: Target) -> None:
    # Accepts any sign of the right shape (64 hex characters): a missing sign is refused, a wrong one is not.
    app = make_fake_app(verify=lambda params, sign: len(sign) == 64)
    result = run(app, fake_target)
    titles = {finding.title for finding in result.findings if finding.check == "sign_enforcement"}
    assert titles == {"API accepts a request signed with a wrong key"}, result.report()


def test_a_server_that_signs_differently_fails_sign_enforcement(fake_target: Target) -> None:
    # Uppercase hex: the document's signature is lowercase (section 16).
    app = make_fake_app(verify=lambda params, sign: sign == compute_sign(params, FAKE_SECRET).upper())
    result = run(app, fake_target)
    titles = {finding.title for finding in result.findings if finding.check == "sign_enforcement"}
    assert "Correctly signed request rejected" in titles, result.report()


def test_code_one_from_the_emulator_is_a_server_error(fake_target: Target) -> None:
    app = make_fake_app(wallet=lambda params: envelope(1, "fail"))
    result = run(app, fake_target)
    assert "envelope_not_a_server_error" in result.checks_failed(), result.report()


def test_an_http_500_fails_not_a_server_error(fake_target: Target) -> None:
    app = make_fake_app(wallet=lambda params: PlainTextResponse("boom", status_code=500))
    result = run(app, fake_target)
    assert "not_a_server_error" in result.checks_failed(), result.report()


def test_every_reproduction_of_a_generated_case_carries_a_valid_sign(fake_target: Target) -> None:
    app = make_fake_app(wallet=lambda params: envelope(10001, "invalid parameter userId"))
    result = run(app, fake_target)
    findings = [finding for finding in result.findings if finding.check == "envelope_positive_data_acceptance"]
    assert findings, result.report()
    for finding in findings:
        assert "curl" in finding.reproduction
        assert _curl_sign_is_valid(finding.reproduction), finding.reproduction


def _curl_sign_is_valid(curl: str) -> bool:
    url = next(part.strip("'") for part in curl.split() if part.strip("'").startswith("http"))
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    return "sign" in params and verify_sign(params, FAKE_SECRET, params["sign"])


def test_positive_cases_carry_valid_varied_json_in_json_fields(fake_target: Target) -> None:
    """Schemathesis ignores contentSchema; the generation hook gives positive cases valid ``products``."""
    seen: list[str] = []

    async def record(request: Request) -> Response:
        try:
            verified = verify_request_parameters(request.url.query, await request.body(), secret_key=FAKE_SECRET)
        except CPayError:
            return envelope(10102, "invalid sign")
        seen.append(verified.parameters.get("products", ""))
        return envelope(0)

    app = Starlette(routes=[Route("/openapi/v1/createOrderByCreditCard", record, methods=["POST"])])
    schema = load_schema(
        fake_target, app=app, max_examples=25, phases=["fuzzing"], seed=3, operations=["createOrderByCreditCard"]
    )
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    run_in_process(schema)
    validator = spec_rules()._json_fields["POST /openapi/v1/createOrderByCreditCard"]["products"]
    valid = [text for text in seen if _parses(text) and validator.is_valid(json.loads(text))]
    assert len(valid) >= len(seen) // 2 > 0, seen
    assert len(set(valid)) > 3, valid  # the generated text still varies inside the JSON


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
