"""The typed error hierarchy other parts import and branch on."""

from __future__ import annotations

import pickle

import pytest

from cpay import (
    BusinessError,
    CPayError,
    SignatureError,
    TransportError,
    UnexpectedResponseError,
    VendorCode,
    WebhookPayloadError,
)


@pytest.mark.parametrize(
    "error_type", [SignatureError, BusinessError, TransportError, WebhookPayloadError, UnexpectedResponseError]
)
def test_every_error_is_a_cpay_error(error_type: type[Exception]) -> None:
    assert issubclass(error_type, CPayError)


def test_business_error_carries_the_envelope_fields() -> None:
    error = BusinessError(1, "merchant not found", "221117083632X2666756")
    assert (error.code, error.msg, error.traceid) == (1, "merchant not found", "221117083632X2666756")
    assert str(error) == "C-Pay error 1: merchant not found (traceid 221117083632X2666756)"


def test_business_error_without_traceid() -> None:
    error = BusinessError(7, "fail")
    assert error.traceid is None
    assert str(error) == "C-Pay error 7: fail"


def test_business_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(BusinessError(1, "fail", "t1")))
    assert (error.code, error.msg, error.traceid, str(error)) == (1, "fail", "t1", "C-Pay error 1: fail (traceid t1)")


def test_signature_error_carries_a_read_only_copy_of_the_fields() -> None:
    fields = {"merchantId": "1", "sign": "abc"}
    error = SignatureError("webhook sign does not match", fields=fields)
    fields["merchantId"] = "2"
    assert error.fields == {"merchantId": "1", "sign": "abc"}
    with pytest.raises(TypeError):
        error.fields["x"] = "y"  # type: ignore[index]
    assert SignatureError("no sign").fields == {}


def test_a_business_error_names_the_vendor_s_codes_and_only_those() -> None:
    assert BusinessError(90751019, "create order fail: pay fail").vendor_code is VendorCode.CREATE_ORDER_FAIL
    assert BusinessError(10201, "duplicate").vendor_code is None
    assert "IP whitelist" in str(BusinessError(90751002, "illegal IP"))
    assert "IP whitelist" not in str(BusinessError(90751015, "pay fail"))
