"""What the checks take each envelope code to mean."""

from __future__ import annotations

import requests
from schemathesis import Response

from cpay_conformance import DOCUMENT_CODES, emulator_codes, read_envelope
from cpay_emulator import ErrorCode


def response(content: bytes) -> Response:
    request = requests.Request("GET", "http://x/").prepare()
    return Response(200, {"content-type": ["application/json"]}, content, request, 0.0, True)


def test_the_emulator_s_input_and_signature_errors_are_not_business_outcomes() -> None:
    codes = emulator_codes()
    for code in (ErrorCode.INVALID_PARAMETER, ErrorCode.MALFORMED_REQUEST, ErrorCode.INVALID_SIGNATURE, ErrorCode.FAIL):
        assert not codes.accepts_valid_input(code)
    assert codes.server_failure == {ErrorCode.FAIL}
    assert codes.is_signature_error(ErrorCode.MISSING_SIGNATURE)
    assert not codes.is_signature_error(ErrorCode.INVALID_PARAMETER)


def test_every_other_emulator_code_is_a_business_outcome() -> None:
    named = {0, 1, 10001, 10002, 10101, 10102, 10103}
    assert {int(code) for code in ErrorCode} - named == set(emulator_codes().business)
    assert emulator_codes().accepts_valid_input(ErrorCode.ORDER_NOT_FOUND)
    assert emulator_codes().accepts_valid_input(0)


def test_the_vendor_s_material_knows_fail_illegal_ip_pay_fail_and_create_order_fail() -> None:
    assert DOCUMENT_CODES.business == {1, 90751002, 90751015, 90751019}
    assert DOCUMENT_CODES.is_signature_error(12345)  # unknown signature codes: any non-zero answer
    assert not DOCUMENT_CODES.is_signature_error(0)


def test_an_envelope_is_read_only_from_json_with_an_integer_code() -> None:
    envelope = read_envelope(response(b'{"code": 10001, "msg": "invalid", "data": null}'))
    assert envelope is not None
    assert envelope.describe() == "code 10001 (invalid)"
    assert read_envelope(response(b"not json")) is None
    assert read_envelope(response(b"[1]")) is None
    assert read_envelope(response(b'{"code": "0"}')) is None
    assert read_envelope(response(b'{"code": true}')) is None
