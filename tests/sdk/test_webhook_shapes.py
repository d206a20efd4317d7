"""parse_webhook reads the three bodies C-Pay's material shows, with numbers or strings, and no forgery.

* JSON, the notification's fields as one object: what the vendor's WordPress plugins read
  (``json_decode(file_get_contents('php://input'))``);
* a form whose one field ``param`` holds that JSON: what the vendor's later documentation posts
  (``-d 'param={JSON String}'``);
* a flat form of the fields.

The later documentation's examples carry ``merchantId``, ``orderStatus`` and ``createTime`` as JSON numbers and
add ``orderAmount``, ``serviceFee`` and ``currency``. The values below are this project's own (the
documentation's examples hold a real-looking merchant's data, which is not copied).
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay import OrderStatus, SignatureError, WebhookPayloadError, compute_sign, parse_webhook

SECRET = "shapes-test-secret"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# The later documentation's shape: numbers for merchantId, orderStatus and createTime; its new fields.
LATER_SHAPE: dict[str, object] = {
    "merchantId": 20009999,
    "merchantTradeNo": "shop-1001",
    "merchantUserId": "user-7",
    "orderId": "230603100102334455014",
    "orderStatus": 14,
    "orderAmount": "22.33",
    "receivedAmount": "21.32",
    "serviceFee": "1.01",
    "currency": "USD",
    "actualAmount": "22.33",
    "fee": "1.01",
    "cryptoCurrency": "USD",
    "network": "",
    "hash": "",
    "remark": "success",
    "createTime": 1685758334422,
}


def json_text(value: object) -> str:
    """A JSON value's text as it stands in a body (the signed text of a number or a string)."""
    return value if isinstance(value, str) else json.dumps(value)


def signed(fields: dict[str, object]) -> dict[str, object]:
    return {**fields, "sign": compute_sign({name: json_text(value) for name, value in fields.items()}, SECRET)}


def bodies(fields: dict[str, object]) -> dict[str, tuple[bytes, str]]:
    """The notification in each of the three shapes."""
    document = json.dumps(fields)
    return {
        "json": (document.encode(), JSON),
        "param form": (urlencode({"param": document}).encode(), FORM),
        "flat form": (urlencode({name: json_text(value) for name, value in fields.items()}).encode(), FORM),
    }


@pytest.mark.parametrize("shape", ["json", "param form", "flat form"])
def test_each_shape_verifies_into_the_same_typed_event(shape: str) -> None:
    body, content_type = bodies(signed(LATER_SHAPE))[shape]
    event = parse_webhook(body, content_type, SECRET)
    assert (event.merchant_id, event.order_status, event.create_time) == (
        "20009999",
        OrderStatus.COMPLETED,
        "1685758334422",
    )
    assert (event.order_amount, event.service_fee, event.received_amount) == (
        Decimal("22.33"),
        Decimal("1.01"),
        Decimal("21.32"),
    )
    assert (event.received_amount, event.service_fee) != (None, None)
    assert event.order_amount == Decimal("21.32") + Decimal("1.01")  # orderAmount = receivedAmount + serviceFee
    assert event.currency == "USD"
    assert event.hash is None


def test_an_amount_sent_as_a_json_number_is_read_exactly_as_written() -> None:
    fields = {**LATER_SHAPE, "receivedAmount": "21.320000000000000001"}
    sign = compute_sign({name: json_text(value) for name, value in fields.items()}, SECRET)
    document = json.dumps({**fields, "sign": sign}).replace('"21.320000000000000001"', "21.320000000000000001")
    assert '"receivedAmount": 21.320000000000000001' in document  # a number a float cannot hold
    event = parse_webhook(document.encode(), JSON, SECRET)
    assert event.received_amount == Decimal("21.320000000000000001")


@pytest.mark.parametrize("shape", ["json", "param form", "flat form"])
def test_a_changed_status_fails_the_sign_in_every_shape(shape: str) -> None:
    fields = signed(LATER_SHAPE)
    body, content_type = bodies({**fields, "orderStatus": 15})[shape]
    with pytest.raises(SignatureError):
        parse_webhook(body, content_type, SECRET)


def test_a_param_form_with_another_field_beside_it_is_refused() -> None:
    document = json.dumps(signed(LATER_SHAPE))
    for extra in ({"orderStatus": "15"}, {"x": "1"}):
        body = urlencode({"param": document, **extra}).encode()
        with pytest.raises(WebhookPayloadError, match="its sign cannot cover"):
            parse_webhook(body, FORM, SECRET)


def test_a_param_form_holding_no_json_object_is_a_payload_error() -> None:
    for value in ("not json", "[1, 2]", '{"a": {"b": 1}}', '{"a": 1, "a": 2}', "[" * 2000):
        with pytest.raises(WebhookPayloadError):
            parse_webhook(urlencode({"param": value}).encode(), FORM, SECRET)


def test_an_unsigned_param_form_is_a_signature_error() -> None:
    body = urlencode({"param": json.dumps(LATER_SHAPE)}).encode()
    with pytest.raises(SignatureError, match="has no sign"):
        parse_webhook(body, FORM, SECRET)


scalars = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
    st.integers(min_value=0, max_value=10**15),
)


@given(
    extra=st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
            lambda name: name not in LATER_SHAPE
        ),
        scalars,
        max_size=5,
    ),
    status=st.sampled_from([0, 11, 14, 15, "0", "11", "14", "15"]),
    shape=st.sampled_from(["json", "param form", "flat form"]),
)
def test_any_signed_notification_in_any_shape_reads_back_its_fields(
    extra: dict[str, object], status: object, shape: str
) -> None:
    fields = {**extra, **LATER_SHAPE, "orderStatus": status}
    body, content_type = bodies(signed(fields))[shape]
    event = parse_webhook(body, content_type, SECRET)
    assert event.order_status == OrderStatus(str(status))
    assert {name: event.raw[name] for name in extra} == {name: json_text(value) for name, value in extra.items()}


@given(
    name=st.sampled_from(sorted(LATER_SHAPE)),
    replacement=st.one_of(st.integers(min_value=0, max_value=99), st.text(min_size=1, max_size=6)),
    shape=st.sampled_from(["json", "param form", "flat form"]),
)
def test_any_changed_field_in_any_shape_is_never_accepted(name: str, replacement: object, shape: str) -> None:
    fields = signed(LATER_SHAPE)
    texts = {json_text(replacement), json_text(fields[name])}
    if len(texts) == 1 or texts <= {"", "0"}:
        return  # the same text; or empty against "0", which the vendor's PHP rule leaves unsigned (test_zero_rule)
    body, content_type = bodies({**fields, name: replacement})[shape]
    with pytest.raises((SignatureError, WebhookPayloadError)):
        parse_webhook(body, content_type, SECRET)
