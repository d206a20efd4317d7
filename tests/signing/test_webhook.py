"""parse_webhook: verify first, then type; every failure is a typed error that never shows the secret."""

from __future__ import annotations

import json
import string
from decimal import Decimal
from urllib.parse import urlencode

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay_signing import (
    WEBHOOK_FAIL,
    WEBHOOK_OK,
    OrderStatus,
    SecretKey,
    SignatureError,
    WebhookEvent,
    WebhookPayloadError,
    compute_sign,
    parse_webhook,
    webhook_reply,
)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# The webhook example of openapi.yaml (values of the document's section 9), signed with the PHP demo's key.
SECRET = "z6h3cuw9grtbun9sgg5u1j35u72hycq0"
EXAMPLE = {
    "merchantId": "20003092",
    "merchantTradeNo": "7b785240e426694635bb09fb101ae241",
    "merchantUserId": "test002",
    "orderId": "2209141130105863014",
    "orderStatus": "14",
    "hash": "c4dbbf5737c52072817dc92fa09c41386f8024fee883270b92bfc1943616f957",
    "actualAmount": "10",
    "receivedAmount": "10",
    "fee": "0",
    "cryptoCurrency": "USDT",
    "network": "TRON(TRC-20)",
    "remark": "",
    "extInfo": "",
    "createTime": "1663155010000",
    "sign": "ab038753a4b4876a7ae4db369e63556e66e63c11ca424ee47876cea2f1423161",
}


def signed(fields: dict[str, str], secret: str = SECRET) -> dict[str, str]:
    return {**fields, "sign": compute_sign(fields, secret)}


def test_spec_example_as_json_verifies_into_a_typed_event() -> None:
    event = parse_webhook(json.dumps(EXAMPLE).encode(), "application/json; charset=utf-8", SECRET)
    assert event == WebhookEvent(
        merchant_id="20003092",
        merchant_trade_no="7b785240e426694635bb09fb101ae241",
        merchant_user_id="test002",
        order_id="2209141130105863014",
        order_status=OrderStatus.COMPLETED,
        hash="c4dbbf5737c52072817dc92fa09c41386f8024fee883270b92bfc1943616f957",
        actual_amount=Decimal("10"),
        received_amount=Decimal("10"),
        fee=Decimal("0"),
        crypto_currency="USDT",
        network="TRON(TRC-20)",
        remark=None,
        ext_info=None,
        create_time="1663155010000",
        raw=EXAMPLE,
    )
    assert event.order_status.is_final


def test_spec_example_as_form_verifies() -> None:
    event = parse_webhook(urlencode(EXAMPLE).encode(), FORM, SecretKey(SECRET))
    assert event.raw == EXAMPLE
    assert event.order_status is OrderStatus.COMPLETED


def test_json_numbers_are_signed_as_their_text() -> None:
    fields = signed({**EXAMPLE, "merchantId": "20003092", "createTime": "1663155010000", "actualAmount": "10.50"})
    body = json.dumps(fields).replace('"20003092"', "20003092").replace('"1663155010000"', "1663155010000")
    body = body.replace('"10.50"', "10.50")
    assert '"merchantId": 20003092' in body
    event = parse_webhook(body.encode(), JSON, SECRET)
    assert event.merchant_id == "20003092"
    assert event.create_time == "1663155010000"
    assert str(event.actual_amount) == "10.50"  # the trailing zero survives: no float on the way


def test_json_true_false_and_null_are_signed_as_java_would_read_them() -> None:
    fields = signed({**EXAMPLE, "remark": "true", "extInfo": "false"})
    body = json.dumps({**fields, "merchantUserId": None}).replace('"true"', "true").replace('"false"', "false")
    without_user = signed({**EXAMPLE, "remark": "true", "extInfo": "false", "merchantUserId": ""})
    body = body.replace(fields["sign"], without_user["sign"])
    event = parse_webhook(body.encode(), "application/vnd.cpay+json", SECRET)
    assert (event.remark, event.ext_info, event.merchant_user_id) == ("true", "false", None)


def test_missing_sign_is_rejected_with_the_fields() -> None:
    unsigned = {name: value for name, value in EXAMPLE.items() if name != "sign"}
    with pytest.raises(SignatureError, match="webhook has no sign") as error:
        parse_webhook(json.dumps(unsigned).encode(), JSON, SECRET)
    assert error.value.fields == unsigned


def test_tampered_amount_is_rejected() -> None:
    with pytest.raises(SignatureError, match="does not match") as error:
        parse_webhook(json.dumps({**EXAMPLE, "receivedAmount": "1000"}).encode(), JSON, SECRET)
    assert error.value.fields["receivedAmount"] == "1000"


def test_wrong_secret_is_rejected_and_never_shown() -> None:
    other_secret = "another-secret-key"
    with pytest.raises(SignatureError) as error:
        parse_webhook(json.dumps(EXAMPLE).encode(), JSON, other_secret)
    assert other_secret not in str(error.value)
    assert other_secret not in repr(error.value.fields)


def test_a_field_carrying_the_secret_is_redacted_from_the_error() -> None:
    with pytest.raises(SignatureError) as error:
        parse_webhook(json.dumps({**EXAMPLE, "remark": SECRET}).encode(), JSON, SECRET)
    assert SECRET not in repr(error.value.fields)
    assert error.value.fields["remark"].startswith("<redacted")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"merchantId=1", "text/plain", "unsupported webhook content type 'text/plain'"),
        (b"merchantId=1", "", "unsupported webhook content type ''"),
        (b"\xff\xfe", JSON, "unreadable application/json webhook body"),
        (b"merchantId=%FF", FORM, "unreadable application/x-www-form-urlencoded webhook body"),
        (b"{not json", JSON, "Expecting property name"),
        (b'{"fee": NaN}', JSON, "NaN is not a JSON number"),
        (b'["merchantId"]', JSON, "must be an object"),
        (b'{"extInfo": {"a": 1}}', JSON, "'extInfo' is a nested dict"),
        (b'{"extInfo": [1]}', JSON, "'extInfo' is a nested list"),
        ("&".join(f"f{i}=1" for i in range(300)).encode(), FORM, "Max number of fields exceeded"),
        (json.dumps({f"f{i}": "1" for i in range(300)}).encode(), JSON, "more than 256 fields"),
    ],
    ids=[
        "text-plain",
        "no-content-type",
        "not-utf8",
        "bad-percent-escape",
        "bad-json",
        "nan",
        "array",
        "nested-object",
        "nested-array",
        "too-many-form-fields",
        "too-many-json-fields",
    ],
)
def test_unreadable_bodies_are_payload_errors(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message):
        parse_webhook(body, content_type, SECRET)


@pytest.mark.parametrize("field", ["merchantId", "orderStatus", "createTime"])
def test_signed_notification_without_a_required_field_is_a_payload_error(field: str) -> None:
    fields = signed({name: value for name, value in EXAMPLE.items() if name not in {field, "sign"}})
    with pytest.raises(WebhookPayloadError, match=f"'{field}' is missing or empty"):
        parse_webhook(json.dumps(fields).encode(), JSON, SECRET)


def test_signed_notification_without_an_amount_is_a_payload_error() -> None:
    fields = signed({name: value for name, value in EXAMPLE.items() if name not in {"fee", "sign"}})
    with pytest.raises(WebhookPayloadError, match="'fee' is missing"):
        parse_webhook(json.dumps(fields).encode(), JSON, SECRET)


@pytest.mark.parametrize("amount", ["1e3", "1,5", " 1", "1.", ".5", "NaN", "1_000", "١٢"])
def test_signed_notification_with_a_malformed_amount_is_a_payload_error(amount: str) -> None:
    fields = signed({**{k: v for k, v in EXAMPLE.items() if k != "sign"}, "actualAmount": amount})
    with pytest.raises(WebhookPayloadError, match="'actualAmount' is not a decimal amount"):
        parse_webhook(json.dumps(fields).encode(), JSON, SECRET)


def test_empty_amount_becomes_none() -> None:
    fields = signed({**{k: v for k, v in EXAMPLE.items() if k != "sign"}, "fee": "", "actualAmount": "-0.00000001"})
    event = parse_webhook(json.dumps(fields).encode(), JSON, SECRET)
    assert event.fee is None
    assert event.actual_amount == Decimal("-0.00000001")


def test_unknown_order_status_is_kept_not_fatal() -> None:
    fields = signed({**{k: v for k, v in EXAMPLE.items() if k != "sign"}, "orderStatus": "16"})
    event = parse_webhook(urlencode(fields).encode(), FORM, SECRET)
    assert event.order_status == "16"
    assert event.order_status.name == "UNKNOWN_16"
    assert not event.order_status.is_known
    assert not event.order_status.is_final


def test_order_status_values_follow_section_15() -> None:
    assert [(status.name, status.value) for status in OrderStatus] == [
        ("PENDING", "0"),
        ("PROCESSING", "11"),
        ("COMPLETED", "14"),
        ("CLOSED", "15"),
    ]
    assert all(status.is_known for status in OrderStatus)
    assert [status.is_final for status in OrderStatus] == [False, False, True, True]
    with pytest.raises(ValueError, match="is not a valid OrderStatus"):
        OrderStatus(14)  # type: ignore[arg-type]


def test_event_is_frozen_hashable_and_its_raw_fields_read_only() -> None:
    event = parse_webhook(json.dumps(EXAMPLE).encode(), JSON, SECRET)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.fee = Decimal(1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.raw["fee"] = "1"  # type: ignore[index]
    assert hash(event) == hash(attrs.evolve(event))
    assert "raw" not in repr(event)


def test_reply_helpers_say_ok_or_fail_as_plain_text() -> None:
    assert (WEBHOOK_OK, WEBHOOK_FAIL) == ("OK", "FAIL")
    assert webhook_reply(True) == (b"OK", "text/plain; charset=utf-8")
    assert webhook_reply(False) == (b"FAIL", "text/plain; charset=utf-8")


field_values = st.text(st.characters(codec="utf-8"), max_size=16)
notifications = st.fixed_dictionaries(
    {
        "merchantId": st.from_regex(r"[0-9]{1,12}", fullmatch=True),
        "orderStatus": st.sampled_from(["0", "11", "14", "15"]),
        "actualAmount": st.decimals(allow_nan=False, allow_infinity=False, places=8).map(lambda d: f"{d:f}"),
        "receivedAmount": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: f"{d:f}"),
        "fee": st.just("0.00"),
        "createTime": st.from_regex(r"[0-9]{13}", fullmatch=True),
    },
    optional={"remark": field_values, "extInfo": field_values, "merchantTradeNo": field_values},
)


@given(notifications, st.sampled_from([JSON, FORM]), st.data())
def test_any_signed_notification_verifies_and_any_changed_field_breaks_it(
    fields: dict[str, str], content_type: str, data: st.DataObject
) -> None:
    def encode(payload: dict[str, str]) -> bytes:
        return (json.dumps(payload) if content_type == JSON else urlencode(payload)).encode()

    body = signed(fields)
    event = parse_webhook(encode(body), content_type, SECRET)
    assert event.actual_amount == Decimal(fields["actualAmount"])
    name = data.draw(st.sampled_from(sorted(fields)))
    new_value = data.draw(st.text(alphabet=string.digits, min_size=1, max_size=14).filter(lambda v: v != fields[name]))
    with pytest.raises(SignatureError):
        parse_webhook(encode({**body, name: new_value}), content_type, SECRET)
