"""The codes of C-Pay's own material, each produced by behaviour: 90751002 from the merchant's IP allowlist,
90751019 from a pwpp charge the acquirer will not open (an expired card)."""

from __future__ import annotations

import pytest
from emulator_process import EmulatorProcess

from cpay import BusinessError, VendorCode, create_client, unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.card_payments import pwpp
from cpay_client.models import PwppRequest
from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY
from cpay_emulator.testing import CPayEmulator

pytestmark = pytest.mark.slow


def _balance_code(base_url: str) -> int:
    with create_client(
        base_url, merchant_id=DEMO_MERCHANT_ID, secret_key=DEMO_SECRET_KEY, raise_business_errors=False
    ) as client:
        answer = get_merchant_balance.sync(client=client)
        assert answer is not None
        return answer.code


def test_over_http_a_caller_outside_the_allowlist_gets_illegal_ip_until_it_is_allowed() -> None:
    with EmulatorProcess("--db", ":memory:", "--quiet", "--ip-allowlist", "203.0.113.0/24") as emulator:
        assert _balance_code(emulator.base_url) == VendorCode.ILLEGAL_IP  # this test calls from 127.0.0.1
        with emulator.control() as control:
            answer = control.put(f"/merchants/{DEMO_MERCHANT_ID}/ip-allowlist", json={"ipAllowlist": ["127.0.0.1"]})
            assert answer.json()["data"]["ipAllowlist"] == ["127.0.0.1/32"]
            assert _balance_code(emulator.base_url) == 0
            refused = control.put(f"/merchants/{DEMO_MERCHANT_ID}/ip-allowlist", json={"ipAllowlist": ["10.0.0.300"]})
            assert (refused.status_code, refused.json()["code"]) == (422, 10001)
            control.put(f"/merchants/{DEMO_MERCHANT_ID}/ip-allowlist", json={"ipAllowlist": []})
            assert _balance_code(emulator.base_url) == 0  # empty: any address


@pytest.mark.cpay_emulator(ip_allowlist=["198.51.100.0/24"], client_ip="203.0.113.9")
def test_through_the_fixture_another_host_gets_illegal_ip_as_a_typed_error(cpay_emulator: CPayEmulator) -> None:
    with pytest.raises(BusinessError) as raised:
        get_merchant_balance.sync(client=cpay_emulator.client)
    assert raised.value.vendor_code is VendorCode.ILLEGAL_IP
    assert "203.0.113.9" in raised.value.msg
    assert "IP whitelist" in str(raised.value)  # the SDK says what to do about it
    cpay_emulator.set_ip_allowlist("203.0.113.9")
    assert unwrap(get_merchant_balance.sync(client=cpay_emulator.client)) is not None


@pytest.mark.cpay_emulator(ip_allowlist=["198.51.100.7"], client_ip="198.51.100.7")
def test_through_the_fixture_the_merchant_s_own_server_is_served(cpay_emulator: CPayEmulator) -> None:
    assert unwrap(get_merchant_balance.sync(client=cpay_emulator.client)) is not None


def _pwpp(cpay_emulator: CPayEmulator, trade_no: str, expiry: str) -> PwppRequest:
    return PwppRequest.from_dict(
        {
            "merchantTradeNo": trade_no,
            "userId": "u1",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.com",
            "iddCode": "44",
            "mobile": "7700900123",
            "addressLine": "1 Main Street",
            "country": "GB",
            "city": "London",
            "zip": "N1 9GU",
            "cardNumber": "4111111111111111",
            "cvv": "123",
            "expDate": expiry,
            "ip": "203.0.113.7",
            "currency": "USD",
            "amount": "10.00",
            "products": '[{"name":"pen","price":"10.00","num":"1","currency":"USD"}]',
            "clientHTTPAccept": "text/html",
            "clientHTTPUserAgent": "Mozilla/5.0",
            "createTime": cpay_emulator.now_ms(),
        }
    )


@pytest.mark.cpay_emulator(start=1_700_000_000)  # 2023-11-14, UTC
def test_an_expired_card_gets_create_order_fail_with_null_data_and_no_order(cpay_emulator: CPayEmulator) -> None:
    client = cpay_emulator.new_client(raise_business_errors=False)
    answer = pwpp.sync(client=client, body=_pwpp(cpay_emulator, "expired", "10/23"))
    assert answer is not None
    assert (answer.code, answer.data) == (VendorCode.CREATE_ORDER_FAIL, None)
    assert answer.msg.startswith("create order fail: ")
    assert cpay_emulator.orders() == []
    valid_through_november = pwpp.sync(client=client, body=_pwpp(cpay_emulator, "this-month", "11/23"))
    assert valid_through_november is not None
    assert valid_through_november.code == 0
    cpay_emulator.advance(31 * 86400)  # December: the same card has expired
    later = pwpp.sync(client=client, body=_pwpp(cpay_emulator, "next-month", "11/23"))
    assert later is not None
    assert later.code == VendorCode.CREATE_ORDER_FAIL
