"""parse_webhook: verify first, then type; every failure is a typed error that never shows the secret."""

from __future__ import annotations

import contextlib
import json
import string
from decimal import Decimal
from urllib.parse import urlencode

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cpay_client.models
from cpay import (
    FINAL_ORDER_STATUSES,
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
    assert event.order_status in FINAL_ORDER_STATUSES


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
        ("&".join(f"f{i}=1" for i in range(300)).encode(), FORM, "more than 256 fields"),
        (json.dumps({f"f{i}": "1" for i in range(300)}).encode(), JSON, "more than 256 fields"),
        (b"merchantId=1&orderStatus", FORM, "not valid application/x-www-form-urlencoded"),
        (b"orderStatus=14&orderStatus=0", FORM, "'orderStatus' is given more than once"),
        (b'{"orderStatus": "14", "orderStatus": "0"}', JSON, "'orderStatus' is given more than once"),
        (b'{"remark": "\\ud800"}', JSON, "'remark' holds a lone surrogate"),
        (b'{"\\udfff": "1"}', JSON, "holds a lone surrogate"),
        (b'{"a": ' * 2000 + b"1" + b"}" * 2000, JSON, "nested deeper than 8 levels"),
        (b"[" * 2000 + b"]" * 2000, "application/vnd.cpay+json", "nested deeper than 8 levels"),
        (b"merchantId=" + b"1" * (64 << 10), FORM, "larger than 64 KiB"),
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
        "form-piece-without-equals",
        "repeated-form-name",
        "repeated-json-name",
        "lone-surrogate-value",
        "lone-surrogate-name",
        "json-2000-deep",
        "array-2000-deep",
        "over-64-kib",
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


def test_signed_notification_without_its_received_amount_is_a_payload_error() -> None:
    fields = signed({name: value for name, value in EXAMPLE.items() if name not in {"receivedAmount", "sign"}})
    with pytest.raises(WebhookPayloadError, match="'receivedAmount' is missing"):
        parse_webhook(json.dumps(fields).encode(), JSON, SECRET)


@pytest.mark.parametrize("deprecated", ["fee", "actualAmount"])
def test_a_notification_without_a_field_the_later_documentation_deprecates_is_read(deprecated: str) -> None:
    fields = signed({name: value for name, value in EXAMPLE.items() if name not in {deprecated, "sign"}})
    event = parse_webhook(json.dumps(fields).encode(), JSON, SECRET)
    assert (event.fee if deprecated == "fee" else event.actual_amount) is None


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
    assert isinstance(event.order_status, OrderStatus)
    assert event.order_status.name == "UNKNOWN"
    assert not event.order_status.is_known
    assert event.order_status not in FINAL_ORDER_STATUSES


def test_order_status_values_follow_section_15() -> None:
    assert {status.name: status.value for status in OrderStatus} == {
        "PENDING": "0",
        "PROCESSING": "11",
        "COMPLETED": "14",
        "CLOSED": "15",
    }
    assert all(status.is_known for status in OrderStatus)
    assert {OrderStatus.COMPLETED, OrderStatus.CLOSED} == FINAL_ORDER_STATUSES
    with pytest.raises(ValueError, match="is not a valid OrderStatus"):
        OrderStatus(14)  # type: ignore[arg-type]


def test_a_webhook_status_is_the_generated_clients_own_member() -> None:
    event = parse_webhook(json.dumps(EXAMPLE).encode(), JSON, SECRET)
    assert OrderStatus is cpay_client.models.OrderStatus
    assert event.order_status is cpay_client.models.OrderStatus.COMPLETED


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


# -- hostile bodies (issue 19): refused with WebhookPayloadError, never another exception, never half-read -----

PENDING = {k: v for k, v in EXAMPLE.items() if k != "sign"} | {"orderStatus": "0"}


def test_a_status_put_in_front_of_a_signed_form_webhook_is_refused() -> None:
    # Flask's request.form, Go's FormValue and Java's getParameter read the first orderStatus (14, COMPLETED);
    # the sign covers the last (0, PENDING). Before: parse_webhook kept the last, verified, returned PENDING.
    body = b"orderStatus=14&" + urlencode(signed(PENDING)).encode()
    with pytest.raises(WebhookPayloadError, match="'orderStatus' is given more than once"):
        parse_webhook(body, FORM, SECRET)


def test_a_status_repeated_in_a_signed_json_webhook_is_refused() -> None:
    body = '{"orderStatus": "14", ' + json.dumps(signed(PENDING))[1:]
    with pytest.raises(WebhookPayloadError, match="'orderStatus' is given more than once"):
        parse_webhook(body.encode(), JSON, SECRET)


def test_a_repeated_name_inside_a_nested_value_is_refused_too() -> None:
    with pytest.raises(WebhookPayloadError, match="'a' is given more than once"):
        parse_webhook(b'{"extInfo": {"a": 1, "a": 2}}', JSON, SECRET)


def test_a_huge_body_is_refused_by_its_size_before_anything_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    # 10 MB of tiny fields: refused by the size check (its message), without a parse (json.loads would raise).
    monkeypatch.setattr(json, "loads", _no_parse)
    with pytest.raises(WebhookPayloadError, match="larger than 64 KiB"):
        parse_webhook(b"{" + b'"f":1,' * 1_700_000 + b'"g":1}', JSON, SECRET)
    with pytest.raises(WebhookPayloadError, match="larger than 64 KiB"):
        parse_webhook(b"f=1&" * 2_500_000, FORM, SECRET)


def test_too_many_json_fields_are_counted_before_the_body_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json, "loads", _no_parse)
    body = "{" + ",".join(f'"f{i}":1' for i in range(5000)) + "}"
    assert len(body) < 64 << 10
    with pytest.raises(WebhookPayloadError, match="has more than 256 fields"):
        parse_webhook(body.encode(), JSON, SECRET)


def _no_parse(*args: object, **kwargs: object) -> object:
    raise AssertionError("the body was parsed before it was bounded")


names = st.sampled_from([*sorted(EXAMPLE), "x", "a b", "ü"])


@given(st.sampled_from([JSON, FORM]), names, st.text(max_size=8), st.booleans())
def test_any_repeated_name_is_refused_wherever_the_copy_is(
    content_type: str, name: str, other_value: str, copy_first: bool
) -> None:
    fields = signed({k: v for k, v in EXAMPLE.items() if k != "sign"} | {name: "v"})
    if content_type == FORM:
        copy, rest = urlencode({name: other_value}), urlencode(fields)
        body = f"{copy}&{rest}" if copy_first else f"{rest}&{copy}"
    else:
        copy, rest = f"{json.dumps(name)}: {json.dumps(other_value)}", json.dumps(fields)[1:-1]
        body = f"{{{copy}, {rest}}}" if copy_first else f"{{{rest}, {copy}}}"
    with pytest.raises(WebhookPayloadError, match="given more than once"):
        parse_webhook(body.encode(), content_type, SECRET)


@given(st.integers(min_value=9, max_value=5000), st.sampled_from(["[", '{"a":']), st.sampled_from(sorted(EXAMPLE)))
def test_any_nesting_deeper_than_8_is_refused_without_recursion(depth: int, opening: str, field: str) -> None:
    closing = "]" if opening == "[" else "}"
    nested = opening * depth + "1" + closing * depth
    body = json.dumps(signed({k: v for k, v in EXAMPLE.items() if k != "sign"}))[:-1] + f', "{field}x": {nested}}}'
    with pytest.raises(WebhookPayloadError, match="nested deeper than 8 levels"):
        parse_webhook(body.encode(), JSON, SECRET)


@given(st.integers(min_value=2, max_value=8), st.sampled_from(["[", '{"a":']))
def test_shallow_nesting_is_refused_as_a_nested_value(depth: int, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    body = '{"extInfo": ' + opening * (depth - 1) + "1" + closing * (depth - 1) + "}"
    with pytest.raises(WebhookPayloadError, match="'extInfo' is a nested"):
        parse_webhook(body.encode(), JSON, SECRET)


surrogates = st.integers(min_value=0xD800, max_value=0xDFFF).map(lambda point: f"\\u{point:04x}")


@given(surrogates, st.text(max_size=6), st.sampled_from(["name", "value"]))
def test_any_lone_surrogate_escape_is_refused(escape: str, around: str, where: str) -> None:
    text = json.dumps(around)[1:-1]
    field = f'"{text}{escape}{text}"'
    body = "{" + (f'{field}: "1"' if where == "name" else f'"remark": {field}') + "}"
    with pytest.raises(WebhookPayloadError, match="lone surrogate"):
        parse_webhook(body.encode(), JSON, SECRET)


@given(st.integers(min_value=(64 << 10) + 1, max_value=(64 << 10) + 4096), st.sampled_from([JSON, FORM]))
def test_any_body_over_64_kib_is_refused_and_any_under_is_read(size: int, content_type: str) -> None:
    fields = signed({**{k: v for k, v in EXAMPLE.items() if k != "sign"}, "remark": ""})
    encode = json.dumps if content_type == JSON else urlencode
    padding = size - len(encode(fields).encode())
    with pytest.raises(WebhookPayloadError, match="larger than 64 KiB"):
        parse_webhook(encode({**fields, "remark": "r" * padding}).encode(), content_type, SECRET)
    under = signed({**{k: v for k, v in EXAMPLE.items() if k != "sign"}, "remark": "r" * (padding - 4096)})
    assert len(encode(under).encode()) <= 64 << 10
    assert parse_webhook(encode(under).encode(), content_type, SECRET).remark == "r" * (padding - 4096)


@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
            max_leaves=20,
        ).map(lambda document: json.dumps(document).encode()),
        st.lists(st.sampled_from(['{"a":', "[", "]", "}", '"', "\\ud800", ":", ",", "1", '"a"', "%FF", "&", "="])).map(
            lambda tokens: "".join(tokens).encode()
        ),
        st.integers(min_value=0, max_value=3000).map(lambda depth: b"[" * depth + b'{"a":' * depth),
    ),
    st.sampled_from([JSON, FORM, "application/problem+json", "text/plain"]),
)
def test_any_body_gets_an_event_or_a_typed_error(body: bytes, content_type: str) -> None:
    with contextlib.suppress(WebhookPayloadError, SignatureError):  # any other exception fails the test
        parse_webhook(body, content_type, SECRET)
