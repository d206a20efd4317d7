"""compute_sign / verify_sign: the rules of section 16, each pinned by the behaviour it implies."""

from __future__ import annotations

import enum
import hashlib
import hmac
from decimal import Decimal

import pytest

from cpay import SecretKey, compute_sign, signing_payload, verify_sign

SECRET = "aaaaaaaaaaxxxxxx"


def hmac_hex(message: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_section_16_example_leaves_out_the_empty_value_and_sign() -> None:
    # The document's example: xx=1001&yy=&aa=hello&sign=Vs23424SHW -> aa=hello&xx=1001&key=...
    params = {"xx": "1001", "yy": "", "aa": "hello", "sign": "Vs23424SHW"}
    assert signing_payload(params) == "aa=hello&xx=1001"
    assert compute_sign(params, SECRET) == hmac_hex("aa=hello&xx=1001&key=aaaaaaaaaaxxxxxx")


def test_none_is_empty_and_left_out() -> None:
    assert signing_payload({"a": None, "b": "1"}) == "b=1"


def test_whitespace_is_not_empty() -> None:
    assert signing_payload({"a": " ", "b": "1"}) == "a= &b=1"


def test_names_sort_in_code_point_order_uppercase_first() -> None:
    # Java's String.compareTo and Python agree on ASCII: "Z" (0x5A) < "_" (0x5F) < "a" (0x61).
    assert signing_payload({"a": "1", "_": "2", "Z": "3", "merchantTradeNo": "4", "merchantId": "5"}) == (
        "Z=3&_=2&a=1&merchantId=5&merchantTradeNo=4"
    )


def test_a_name_sorts_before_its_extensions() -> None:
    # Sorting "name=value" strings instead of names would put "a-b" first ("-" < "=").
    assert signing_payload({"a-b": "2", "a": "1"}) == "a=1&a-b=2"


def test_values_are_signed_raw_not_url_encoded() -> None:
    url = "https://shop.example/back?x=1&y=a b"
    extinfo = '{"order":"A&B=C","note":"ünïcødé ✓"}'
    payload = signing_payload({"callBackURL": url, "extInfo": extinfo, "remark": "支付"})
    assert payload == f"callBackURL={url}&extInfo={extinfo}&remark=支付"
    assert compute_sign({"remark": "支付"}, "ключ") == hmac_hex("remark=支付&key=ключ", "ключ")


def test_int_and_decimal_values_are_signed_as_their_str() -> None:
    params = {"merchantId": 20003092, "amount": Decimal("100.50"), "createTime": 1663155010000}
    assert signing_payload(params) == "amount=100.50&createTime=1663155010000&merchantId=20003092"


def test_str_enum_values_are_signed_as_their_content() -> None:
    class PurchaseType(str, enum.Enum):  # noqa: UP042 -- the generated client's enums are (str, Enum)
        BUY = "1"

    assert signing_payload({"purchaseType": PurchaseType.BUY}) == "purchaseType=1"


@pytest.mark.parametrize("value", [0.1, True, b"1", ["1"]])
def test_values_with_no_single_wire_form_are_refused(value: object) -> None:
    with pytest.raises(TypeError, match="'amount'"):
        compute_sign({"amount": value}, SECRET)


def test_repeated_names_in_pairs_keep_the_last_value_like_a_java_hashmap() -> None:
    pairs = [("a", "1"), ("b", "2"), ("a", "3")]
    assert signing_payload(pairs) == "a=3&b=2"
    assert compute_sign(pairs, SECRET) == compute_sign({"a": "3", "b": "2"}, SECRET)


def test_a_repeated_name_whose_last_value_is_empty_is_left_out() -> None:
    assert signing_payload([("a", "1"), ("a", ""), ("b", "2")]) == "b=2"


def test_no_parameters_signs_just_the_key() -> None:
    # The Java demo with an empty map builds "key=<secret>".
    assert compute_sign({}, SECRET) == hmac_hex(f"key={SECRET}")
    assert compute_sign({"sign": "x", "a": ""}, SECRET) == hmac_hex(f"key={SECRET}")


def test_signature_is_64_lowercase_hex_digits() -> None:
    sign = compute_sign({"a": "1"}, SECRET)
    assert len(sign) == 64
    assert sign == sign.lower()
    int(sign, 16)


def test_a_secret_key_object_signs_like_its_text() -> None:
    assert compute_sign({"a": "1"}, SecretKey(SECRET)) == compute_sign({"a": "1"}, SECRET)


def test_verify_accepts_the_signature_and_ignores_a_sign_in_params() -> None:
    params = {"a": "1", "sign": "stale"}
    assert verify_sign(params, SECRET, compute_sign(params, SECRET))


def test_tampered_amount_is_rejected() -> None:
    sign = compute_sign({"amount": "100.00", "merchantId": "1"}, SECRET)
    assert not verify_sign({"amount": "100.01", "merchantId": "1"}, SECRET, sign)


def test_uppercase_sign_is_rejected() -> None:
    params = {"a": "1"}
    assert not verify_sign(params, SECRET, compute_sign(params, SECRET).upper())


@pytest.mark.parametrize("sign", ["", "é" * 64, None, 12])
def test_malformed_sign_is_rejected_without_raising(sign: object) -> None:
    assert not verify_sign({"a": "1"}, SECRET, sign)  # type: ignore[arg-type]


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        compute_sign({"a": "1"}, "")
