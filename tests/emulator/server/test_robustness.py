"""Whatever arrives at an operation, the answer is HTTP 200 with an envelope: never a 5xx, never a traceback."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpay_emulator import ErrorCode

OPERATIONS = [
    ("POST", "createOrder"),
    ("POST", "withdraw"),
    ("POST", "pwpp"),
    ("POST", "submitKYC"),
    ("POST", "createOrderByCreditCard"),
    ("POST", "createFiatPayoutOrder"),
    ("POST", "exchange"),
    ("GET", "getOrderDetail"),
    ("GET", "getExchangeRate"),
    ("GET", "getWalletAddress"),
]
CODES = {int(code) for code in ErrorCode}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operation=st.sampled_from(OPERATIONS),
    # httpx sends only printable URLs; percent-escapes still reach every byte value.
    query=st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#"), max_size=80),
    body=st.binary(max_size=200),
    content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain", ""]),
)
def test_arbitrary_bytes_get_an_envelope(
    unsigned: Any, operation: tuple[str, str], query: str, body: bytes, content_type: str
) -> None:
    method, name = operation
    headers = {"content-type": content_type} if content_type else {}
    url = f"/openapi/v1/{name}?{query}"
    response = unsigned.request(method, url, content=body if method == "POST" else None, headers=headers)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["code"] in CODES - {0}
    assert isinstance(envelope["msg"], str)
    assert envelope["msg"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(
        st.sampled_from(["merchantTradeNo", "createTime", "userId", "amount", "cryptoCurrency", "callbackURL", "x"]),
        st.text(max_size=30),
        max_size=7,
    )
)
def test_signed_nonsense_fields_get_a_business_error_not_a_crash(client: Any, fields: dict[str, str]) -> None:
    response = client.post("/openapi/v1/createOrder", data=fields)
    assert response.status_code == 200
    assert response.json()["code"] in CODES
